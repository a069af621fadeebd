/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one-line error messages of errmsg.h. libc only; it never prints: whoever reports the
 * error does, once. */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "errmsg.h"

_printf_(4, 0) static int errmsg_va(char **ret_error, int r, bool with_errno, const char *fmt, va_list ap) {
        if (!ret_error)
                return r;
        char *text = NULL;
        if (vasprintf(&text, fmt, ap) < 0)
                return r;
        if (with_errno && r < 0) {
                char *full = NULL;
                if (asprintf(&full, "%s: %s", text, strerror(-r)) >= 0) {
                        free(text);
                        text = full;
                }
        }
        free(*ret_error);
        *ret_error = text;
        return r;
}

int errmsg(char **ret_error, int r, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        errmsg_va(ret_error, r, true, fmt, ap);
        va_end(ap);
        return r;
}

int errmsg_plain(char **ret_error, int r, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        errmsg_va(ret_error, r, false, fmt, ap);
        va_end(ap);
        return r;
}
