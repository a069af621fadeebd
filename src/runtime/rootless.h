/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What an unprivileged caller (issue 7) can and cannot have, said before anything exists, and
 * the uid/gid maps it may write: its own id alone by itself, more through the setuid
 * newuidmap/newgidmap (Debian's uidmap package, /etc/subuid and /etc/subgid). Parent side only:
 * failures come with one line in *ret_error that names the config field. */

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"
#include "oci-config.h"

/* True when we run without privileges: not euid 0. */
bool rootless_caller(void);

/* For an unprivileged caller: a user namespace, namespaces joined by path that belong to a
 * user namespace of ours, device nodes the host has (they are bound, never made), maps that
 * need newuidmap/newgidmap only if those are installed. 0 for root. */
int rootless_check_config(const OciConfig *c, char **ret_error);

/* True when the kernel lets an unprivileged writer write this map itself: one range of size 1
 * mapping our own id. */
bool rootless_map_is_own(const OciIdMapping *m, size_t n, uint32_t own_id);

/* Writes the map of pid's user namespace with newuidmap (uid) or newgidmap (gid); its
 * complaint, if any, becomes part of our one error line. */
int rootless_map_with_helper(pid_t pid, bool gid, const OciIdMapping *m, size_t n, char **ret_error);

/* For an unprivileged caller that asked for limits: every hierarchy the container's cgroup
 * goes to is delegated to us (writable), or one line naming linux.resources. */
int rootless_check_cgroup_limits(const Cgroup *cg, char **ret_error);
