/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* mounts[].options -> mount(2) flags, propagation and the data string. Pure parsing, unit
 * tested; libc only. */

#include <stdbool.h>
#include <stddef.h>

typedef struct MountOptions {
        unsigned long flags;        /* MS_* set */
        unsigned long clear_flags;  /* MS_* explicitly cleared ("rw", "suid", ...) */
        unsigned long propagation;  /* MS_PRIVATE|MS_REC, ...; 0 = none given */
        bool bind;                  /* "bind" or "rbind" */
        bool recursive_ro;          /* "rro" (mount_setattr) */
        bool tmpcopyup;             /* "tmpcopyup": a tmpfs gets what the image has there (runc) */
        char *data;                 /* unknown options, comma-joined for the filesystem; may be NULL */
} MountOptions;

void mount_options_done(MountOptions *o);
/* Returns 0, or -EINVAL with *ret_error naming the bad option. */
int mount_options_parse(char * const *options, MountOptions *ret, char **ret_error);
/* Whether a mount of type (may be NULL) with these options is a bind mount: type "bind", or a
 * "bind" or "rbind" option, as mount_options_parse() and runc see it. */
bool mount_is_bind(const char *type, char * const *options);
/* Propagation names as in rootfsPropagation: "private", "rslave", ... -> flags, or -EINVAL. */
int mount_propagation_from_string(const char *s, unsigned long *ret);
/* The options mount_options_parse() knows by name (flags, propagation, rro, rrw), for
 * `features`: i from 0 on, NULL past the last. Anything else is the filesystem's data. */
const char *mount_option_name(size_t i);
