/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The namespaces the init must be born into, made by the parent: the PID namespace (no process
 * can change its own), a new user namespace (created in the same clone, so that it owns the new
 * PID namespace and the init may mount its /proc), the time namespace (whose offsets must be
 * written before any process enters it), and the uid/gid maps of a new user namespace, written
 * before the init reads its document. Parent side only. Every failure comes with its message in
 * *ret_error, naming the config field where there is one. */

#include <sys/types.h>

#include "oci-config.h"

/* Refuses, before anything exists, what the kernel would refuse half-way: overlapping ranges,
 * a new user namespace without maps, a process user outside the maps, offsets without a new
 * time namespace. */
int namespaces_check_config(const OciConfig *c, char **ret_error);

/* Forks the init into its PID, user and time namespaces. Returns 0 in both processes, with
 * *ret_pid 0 in the init; the init is always our child. Our own namespaces are the same
 * afterwards, on failure too. */
int namespaces_fork_init(const OciConfig *c, pid_t *ret_pid, char **ret_error);

/* Writes uid_map and gid_map of the init's new user namespace; nothing without one. */
int namespaces_write_id_maps(const OciConfig *c, pid_t pid, char **ret_error);
