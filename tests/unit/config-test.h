/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the config unit tests share: parse a document and expect success, or expect a refusal
 * whose one-line message contains a given text. */

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "oci-config.h"

static inline OciConfig *config_parse_ok(const char *doc) {
        OciConfig *c = NULL;
        char *error = NULL;
        if (oci_config_parse(doc, strlen(doc), &c, &error) < 0)
                g_error("unexpected rejection: %s\n%s", error, doc);
        g_assert_null(error);
        return c;
}

static inline void config_parse_bad(const char *doc, const char *expected) {
        OciConfig *c = NULL;
        char *error = NULL;
        if (oci_config_parse(doc, strlen(doc), &c, &error) >= 0)
                g_error("accepted, expected an error containing \"%s\":\n%s", expected, doc);
        g_assert_null(c);
        g_assert_nonnull(error);
        if (!strstr(error, expected))
                g_error("error \"%s\" does not contain \"%s\"", error, expected);
        g_assert_null(strchr(error, '\n'));
        free(error);
}
