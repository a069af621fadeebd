/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Whether a path is root's alone, as sshd's StrictModes checks a user's files: the object and
 * every directory and symlink on the way to it owned by root and writable by nobody else.
 * libc only; it looks (lstat, readlink) and opens nothing. */

#include <sys/types.h>

#define PATH_OWNER_ANY_OTHER ((uid_t) -1)

/* Walks the absolute path component by component, following symlinks as the kernel would (at
 * most PATH_SYMLINKS_MAX), and checks each directory, symlink and the final object:
 *   - owned by root; the final object may also be owned by also_owner (PATH_OWNER_ANY_OTHER:
 *     nobody else), and a symlink's mode is not looked at;
 *   - not writable by group or others, except a directory on the way that is sticky (as /tmp
 *     is: nobody but root may rename or remove root's entries in it).
 * 0 if so; -EPERM and *ret_error "PATH is ...: FIX" naming the first that is not and the
 * command that fixes it ("chmod go-w PATH", "chown root PATH"); -errno and the path for a
 * failed lstat or readlink. */
int path_check_root_only(const char *path, uid_t also_owner, char **ret_error);
