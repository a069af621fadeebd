/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Paths as strings (absolute?, normalised, prefix of?) and paths resolved beneath a root
 * directory fd, the way the container will see them: symlinks and ".." never leave the root.
 * libc only: used by the init between fork and execve. */

#include <stdbool.h>
#include <sys/types.h>

/* The most links followed in one resolution, as the kernel's MAXSYMLINKS. */
#define PATH_SYMLINKS_MAX 40
/* Room for "/proc/self/fd/<int>". */
#define PROC_FD_PATH_MAX 32

bool path_is_absolute(const char *p);
/* Lexical normalisation of an absolute or relative path: "//a/./b//" -> "/a/b", ".." removes
 * the previous component and stops at the root ("/../a" -> "/a"; "../a" stays). Touches no
 * filesystem. "" becomes ".". */
int path_simplify(const char *p, char **ret);
/* If path is prefix or below it, component-wise ("/proc" vs "/proc/sys", not "/procfs"), the
 * rest of path with leading slashes skipped ("" when equal); else NULL. Both normalised. */
const char *path_startswith(const char *path, const char *prefix);
/* "/proc/self/fd/N": the magic link through which mount(2) and friends reach exactly the
 * object an fd names, whatever happens to the path meanwhile. */
void proc_fd_path(int fd, char buf[static PROC_FD_PATH_MAX]);

/* Opens path beneath root_fd as if root_fd were "/": absolute symlinks restart at root_fd,
 * ".." stops there, /proc magic links are refused (openat2 RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS; on kernels before 5.6 a component-by-component walk with the same
 * rules). flags as for openat(2); O_CLOEXEC is always added; O_NOFOLLOW applies to the last
 * component only. mode is used with O_CREAT. */
int open_in_root(int root_fd, const char *path, int flags, mode_t mode, int *ret_fd);
/* mkdir -p beneath root_fd; *ret_fd (may be NULL) gets an O_PATH fd of the last directory. A
 * dangling symlink on the way gets its target created (beneath the root). */
int mkdir_p_in_root(int root_fd, const char *path, mode_t mode, int *ret_fd);
/* The same, but -ENOENT at a dangling symlink, as `mkdir -p` (and Go's MkdirAll) answer. */
int mkdir_p_in_root_no_dangling(int root_fd, const char *path, mode_t mode, int *ret_fd);
/* Makes sure path exists beneath root_fd, creating its parents and, if missing, an empty regular
 * file (mode): a place to bind a file onto. A dangling symlink (or chain) as the last component
 * gets its target made, and that target's parents, beneath root_fd. *ret_fd (may be NULL) gets
 * an O_PATH fd of it. */
int touch_in_root(int root_fd, const char *path, mode_t mode, int *ret_fd);
