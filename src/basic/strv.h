/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* NULL-terminated string vectors, as execve() wants them. libc only. */

#include <stdbool.h>
#include <stddef.h>

#include "macros.h"

char **strv_free(char **l);
static inline void strv_freep(char ***l) {
        strv_free(*l);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)

size_t strv_length(char * const *l);
/* Appends a copy of s; returns 0 or -ENOMEM. */
int strv_extend(char ***l, const char *s);
/* Takes ownership of s, even on failure. */
int strv_consume(char ***l, char *s);
bool strv_contains(char * const *l, const char *s);
/* The strings joined with sep between them ("" for none); NULL on ENOMEM. */
char *strv_join(char * const *l, const char *sep);
/* For an environment vector: the value of NAME, or NULL. */
const char *strv_env_get(char * const *l, const char *name);
/* The value of key in l = { key, value, key, value, ..., NULL } (annotations), or NULL; the
 * last one if key is there twice (as json-glib keeps the last of duplicate keys). */
const char *strv_pairs_get(char * const *l, const char *key);
