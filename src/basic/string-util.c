/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* String helpers (string-util.h). libc only. */

#include <stdio.h>
#include <stdlib.h>

#include "string-util.h"

bool endswith(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && streq(s + a - b, suffix);
}

char *escape_control(const char *s, bool quotes) {
        /* At most four bytes out for one in, "\x1b". */
        char *out = malloc(strlen(s) * 4 + 1), *q = out;
        if (!out)
                return NULL;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        q += sprintf(q, "\\x%02x", *p);
                else if (quotes && (*p == '"' || *p == '\\')) {
                        *q++ = '\\';
                        *q++ = (char) *p;
                } else
                        *q++ = (char) *p;
        *q = 0;
        return out;
}

void escape_control_in_place(char **s) {
        if (!s || !*s)
                return;
        char *e = escape_control(*s, false);
        if (!e)
                return;
        free(*s);
        *s = e;
}
