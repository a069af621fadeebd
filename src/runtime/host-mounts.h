/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A container with no mount namespace in linux.namespaces shares the runtime's: the init makes
 * the config's mounts there, below the rootfs, and chroots into it, as runc and crun do. They
 * leave those mounts behind for good; delete (and a failed create) takes them away here.
 * Host side only. */

#include "macros.h"

/* The marker in the state dir of such a container, for delete. */
#define HOST_MOUNTS_FILE "host-mounts"

/* Detaches every mount strictly below rootfs (not rootfs itself, which the caller may have
 * mounted): each is reached beneath the rootfs, never through a symlink the container may have
 * planted since, and detached only if it is the very mount /proc/self/mountinfo names. */
int host_mounts_release(const char *rootfs, char **ret_error);
