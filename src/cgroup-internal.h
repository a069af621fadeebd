/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by cgroup.c (discovery, placement, record) and cgroup-ops.c (what is done to a
 * container's cgroups). Nothing outside the cgroup module includes this. */

#include <stdio.h>
#include <string.h>

#include "cgroup.h"

static inline bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}
static inline bool streq_ptr(const char *a, const char *b) {
        return a && b ? strcmp(a, b) == 0 : a == b;
}
static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

/* The hierarchy path of rel, a path from where h is mounted ("/ctr-launch"). */
int cgroup_hierarchy_path(const CgroupHierarchy *h, const char *rel, char **ret);
/* Whether a /proc/PID/cgroup line's controller list ("cpu,cpuacct", "name=systemd", "" for v2)
 * is hierarchy h's. */
bool cgroup_line_matches(const CgroupHierarchy *h, const char *ctrls);
/* The hierarchy that tracks processes (v2, else name=systemd, else the first). */
const CgroupHierarchy *cgroup_tracking_hierarchy(const Cgroup *cg);
