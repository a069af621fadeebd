/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A container with no mount namespace in linux.namespaces shares the runtime's: the init makes
 * the config's mounts there, below the rootfs, and chroots into it, as runc and crun do. They
 * leave those mounts behind for good; delete (and a failed create) takes them away here.
 * Host side only. */

#include "macros.h"

/* The marker in the state dir of such a container, for delete. */
#define HOST_MOUNTS_FILE "host-mounts"

/* The ids of the mounts strictly below rootfs now, one per line ("" for none): taken by create
 * before the init mounts anything, kept in HOST_MOUNTS_FILE. What was there before (the host's
 * own mounts below a root.path such as "/" or "/srv", a volume mounted into the image) is not
 * the container's. "" for a rootfs that does not exist. */
int host_mounts_snapshot(const char *rootfs, char **ret, char **ret_error);

/* Detaches every mount strictly below rootfs (not rootfs itself, which the caller may have
 * mounted) but those whose ids kept lists (host_mounts_snapshot()'s text; NULL: none): each is
 * reached beneath the rootfs, never through a symlink the container may have planted since, and
 * detached only if it is the very mount /proc/self/mountinfo names. */
int host_mounts_release(const char *rootfs, const char *kept, char **ret_error);
