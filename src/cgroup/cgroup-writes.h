/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Private to cgroup-v1.c and cgroup-v2.c (implemented in cgroup-writes.c): a growing list of
 * CgroupWrite while a mapping is built. Nothing else includes this. */

#include <stddef.h>

#include "macros.h"
#include "cgroup.h"

typedef struct CgroupWriteList {
        CgroupWrite *writes;
        size_t n;
} CgroupWriteList;

void cgroup_write_list_done(CgroupWriteList *l);

/* Appends a write; takes ownership of file, alt_file and value, even on failure. */
int cgroup_write_list_take(CgroupWriteList *l, const char *controller, char *file, char *alt_file, char *value);

/* Appends a write of the formatted value; file and alt_file (may be NULL) are copied. */
int cgroup_write_list_add(CgroupWriteList *l, const char *controller, const char *file, const char *alt_file,
                          const char *value_fmt, ...) _printf_(5, 6);

/* Sets the last write's alt_value (the value for its alt_file, when that differs). */
int cgroup_write_list_set_alt_value(CgroupWriteList *l, const char *fmt, ...) _printf_(2, 3);

/* pids.max, the same file and syntax on v1 and v2 ("max": no limit). */
int cgroup_write_list_add_pids(CgroupWriteList *l, const OciResources *res);

/* cpuset.cpus and cpuset.mems, the same files and syntax on v1 and v2. */
int cgroup_write_list_add_cpuset(CgroupWriteList *l, const OciResources *res);

/* hugetlb.<size>.<suffix> for each of res's hugepage limits ("limit_in_bytes" on v1, "max"
 * on v2). */
int cgroup_write_list_add_hugetlb(CgroupWriteList *l, const OciResources *res, const char *suffix);

/* Calls add for each device of blockIO's four throttle lists, with names[k] for list k (read
 * bps, write bps, read iops, write iops): the file on v1, the io.max key on v2. */
int cgroup_write_list_add_throttles(CgroupWriteList *l, const OciResources *res, const char *const names[static 4],
                                    int (*add)(CgroupWriteList *l, const char *name, const OciThrottleDevice *d));

/* Hands the list over: *ret and *ret_n take it, l is left empty. */
void cgroup_write_list_steal(CgroupWriteList *l, CgroupWrite **ret, size_t *ret_n);
