/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container's root itself, for rootfs.c: the mount it lives on made unshared, the rootfs
 * bound onto itself (or, in the runtime's mount namespace, opened as it is), and the switch
 * into it. Plain values in, -errno and a message out. Runs in the init: libc only. */

#include <stdbool.h>

/* pivot_root(2) refuses a shared parent mount, and a bind below a shared one would reach the
 * host's mounts: flag (MS_PRIVATE or MS_SLAVE) on the mount rootfs lives on. */
int root_parent_unshare(const char *rootfs, unsigned long flag, char **ret_error);
/* The rootfs bound onto itself (what pivot_root wants): its fd and canonical path. */
int root_bind(const char *rootfs, int *ret_fd, char **ret_root_path, char **ret_error);
/* The rootfs as it is, for a container in the runtime's mount namespace. */
int root_open(const char *rootfs, int *ret_fd, char **ret_root_path, char **ret_error);
/* Into root_fd: pivot_root, --no-pivot's MS_MOVE + chroot, or (chroot_only) a chroot alone;
 * the cwd is "/" after. */
int root_switch(int root_fd, bool no_pivot, bool chroot_only, char **ret_error);
