/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The default /dev of a container: the six standard nodes and the /proc/self/fd symlinks, in
 * a /dev the config mounts as a tmpfs. Runs in the init before the switch of root: libc only,
 * no GLib. */

#include <stdbool.h>
#include <stddef.h>

#include "oci-config.h"

/* dev_fd: the container's fresh /dev (an O_PATH directory fd is fine). With bind_from_host (in a user namespace, where mknod is refused) each
 * node is an empty file with the host's node bind-mounted onto it. Nodes and links that
 * already exist (bound there by the config) are left alone. */
int devices_populate(int dev_fd, bool bind_from_host, char **ret_error);
/* 1 if fd is the character device 1:3 (/dev/null), 0 if not, -errno if fstat fails. */
int device_is_null(int fd);
/* linux.devices, beneath root_fd (the rootfs, before the switch of root): mknod with the
 * config's mode, uid and gid, or with bind_from_host a bind of the host's node at the same path. */
int devices_create(int root_fd, const OciDevice *devices, size_t n, bool bind_from_host, char **ret_error);
