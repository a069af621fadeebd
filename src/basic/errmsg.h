/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Building the one-line error message that travels back to whoever reports it. The code that
 * fails knows what it was doing; the code that reports knows who asked. libc only. */

#include <stdbool.h>

#include "macros.h"

/* Sets *ret_error (if ret_error is not NULL) to "<fmt...>: <strerror(-r)>", or to the formatted
 * text alone when r is 0 or -EINVAL-for-bad-input is not wanted (see errmsg_plain). Returns r. */
int errmsg(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);
/* Same, without the strerror() suffix: for validation errors whose text says it all. */
int errmsg_plain(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);
