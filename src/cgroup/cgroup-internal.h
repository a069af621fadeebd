/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by cgroup.c (discovery, placement, record, file access), cgroup-ops.c (making,
 * applying, removing) and cgroup-procs.c (freezing, listing, signalling, measuring). Nothing
 * outside the cgroup module includes this. */

#include <stdio.h>

#include "cgroup.h"
#include "fd-util.h"
#include "string-util.h"
#include "time-util.h"

/* The hierarchy path of rel, a path from where h is mounted ("/ctr-launch"). */
int cgroup_hierarchy_path(const CgroupHierarchy *h, const char *rel, char **ret);
/* Whether a /proc/PID/cgroup line's controller list ("cpu,cpuacct", "name=systemd", "" for v2)
 * is hierarchy h's. */
bool cgroup_line_matches(const CgroupHierarchy *h, const char *ctrls);
/* A /proc/PID/cgroup line, "N:ctrl,ctrl:/path" ("0::/path" is v2), split in place into its
 * controller list and path; false if it is not one. */
bool cgroup_split_proc_line(char *line, const char **ret_ctrls, const char **ret_path);
/* The hierarchy that tracks processes (v2, else name=systemd, else the first). */
const CgroupHierarchy *cgroup_tracking_hierarchy(const Cgroup *cg);

/* The container's cgroup directory in h, as a path of ours. -ENOENT: it has none. */
int cgroup_hierarchy_dir(const CgroupHierarchy *h, char **ret);
/* Where h's limits are written and read: the unit's own cgroup for the v2 hierarchy of a
 * container in a delegated unit (Cgroup.unit), else the container's cgroup. */
int cgroup_limits_dir(const Cgroup *cg, const CgroupHierarchy *h, char **ret);
/* dir/file of a cgroup: one write of value; the whole file; its first line; a number ("max":
 * UINT64_MAX); the value of "key N" lines (memory.events, cpu.stat, ...). */
int cgroup_write(const char *dir, const char *file, const char *value);
int cgroup_read(const char *dir, const char *file, char **ret);
int cgroup_read_line(const char *dir, const char *file, char **ret);
int cgroup_read_u64(const char *dir, const char *file, uint64_t *ret);
int cgroup_read_keyed(const char *dir, const char *file, const char *key, uint64_t *ret);

/* The v1 hierarchy of a controller; the v2 one; a controller's, v1 winning (it can only be
 * active on one). */
const CgroupHierarchy *cgroup_find_v1(const Cgroup *cg, const char *controller);
const CgroupHierarchy *cgroup_find_v2(const Cgroup *cg);
const CgroupHierarchy *cgroup_find_controller(const Cgroup *cg, const char *v1_name, const char *v2_name);

/* cgroup-procs.c: how many processes are left in the container's cgroup (tracking
 * hierarchy). */
int cgroup_count_pids(const Cgroup *cg, size_t *ret);
/* Whether the cgroup directory dir of h is frozen, by its own freezer or an ancestor's: v1's
 * freezer.state (FREEZING or FROZEN says both), v2's cgroup.freeze (its own, maybe on its way)
 * or the "frozen" key of cgroup.events (an ancestor's too). 0 where h has no freezer. */
int cgroup_dir_frozen(const CgroupHierarchy *h, const char *dir);
