/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A strict RFC 8259 check of a JSON document, run before json-glib ever sees it. json-glib 1.6
 * is lenient where a security boundary cannot be: it accepts duplicate keys (the last wins, so
 * two readers of one file can disagree), comments and single quotes, ignores a second top-level
 * value, wraps integers past 2^63, cuts strings at \u0000, and overflows its stack on deep
 * nesting. This scanner refuses all of those. It allocates only for duplicate-key detection
 * and uses libc only. */

#include <stddef.h>

/* Deeper documents are refused; real configs nest less than ten levels. */
#define JSON_GUARD_DEPTH_MAX 64

/* Returns 0 if data[0..size) is one well-formed JSON value with no duplicate object keys, no
 * integer outside the int64 range, no NUL in a string and valid UTF-8 throughout; else
 * -EINVAL (or -ENOMEM) with *ret_error saying what and where ("line 3, column 7: ..."). */
int json_guard_check(const char *data, size_t size, char **ret_error);
