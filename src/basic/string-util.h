/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* String comparisons and the escaping that keeps less trusted text (from config.json, from a
 * peer) one line and free of terminal escapes in a message. libc only. */

#include <stdbool.h>
#include <string.h>

static inline bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}
/* Either may be NULL: equal when both are, or both hold the same text. */
static inline bool streq_ptr(const char *a, const char *b) {
        return a && b ? strcmp(a, b) == 0 : a == b;
}
bool endswith(const char *s, const char *suffix);

/* A copy of s with each control byte (< 0x20, 0x7f) as \xNN; with quotes, '"' and '\\' are
 * escaped with a backslash too (for msg="..." in a text log). NULL on out of memory. */
char *escape_control(const char *s, bool quotes);
/* *s replaced by escape_control(*s, false); left alone if that fails or *s is NULL. */
void escape_control_in_place(char **s);
