/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The list of CgroupWrite that cgroup-v1.c and cgroup-v2.c build while they map resources to
 * files (cgroup-writes.h), and its destructor. Pure data: no I/O, no knowledge of either
 * version's files. */

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-writes.h"

void cgroup_writes_free(CgroupWrite *w, size_t n) {
        /* controller is never owned on its own: a static string, or (v2's unified keys) stored
         * after the NUL of file, in the same allocation. */
        for (size_t i = 0; i < n; i++) {
                free(w[i].file);
                free(w[i].alt_file);
                free(w[i].value);
                free(w[i].alt_value);
        }
        free(w);
}

void cgroup_write_list_done(CgroupWriteList *l) {
        cgroup_writes_free(l->writes, l->n);
        l->writes = NULL;
        l->n = 0;
}

int cgroup_write_list_take(CgroupWriteList *l, const char *controller, char *file, char *alt_file, char *value) {
        CgroupWrite *w = file && value ? reallocarray(l->writes, l->n + 1, sizeof(CgroupWrite)) : NULL;
        if (!w) {
                free(file);
                free(alt_file);
                free(value);
                return -ENOMEM;
        }
        l->writes = w;
        l->writes[l->n++] = (CgroupWrite) {
                .controller = controller,
                .file = file,
                .alt_file = alt_file,
                .value = value,
        };
        return 0;
}

int cgroup_write_list_add(CgroupWriteList *l, const char *controller, const char *file, const char *alt_file,
                          const char *value_fmt, ...) {
        char *value = NULL;
        va_list ap;
        va_start(ap, value_fmt);
        int k = vasprintf(&value, value_fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;

        char *f = strdup(file);
        char *a = NULL;
        if (alt_file && !(a = strdup(alt_file))) {
                free(f);
                free(value);
                return -ENOMEM;
        }
        return cgroup_write_list_take(l, controller, f, a, value);
}

int cgroup_write_list_add_pids(CgroupWriteList *l, const OciResources *res) {
        if (!res->has_pids_limit)
                return 0;
        if (res->pids_limit > 0)
                return cgroup_write_list_add(l, "pids", "pids.max", NULL, "%" PRId64, res->pids_limit);
        return cgroup_write_list_add(l, "pids", "pids.max", NULL, "max");
}

int cgroup_write_list_add_cpuset(CgroupWriteList *l, const OciResources *res) {
        int r;
        if (res->cpus && (r = cgroup_write_list_add(l, "cpuset", "cpuset.cpus", NULL, "%s", res->cpus)) < 0)
                return r;
        if (res->mems && (r = cgroup_write_list_add(l, "cpuset", "cpuset.mems", NULL, "%s", res->mems)) < 0)
                return r;
        return 0;
}

int cgroup_write_list_add_hugetlb(CgroupWriteList *l, const OciResources *res, const char *suffix) {
        for (size_t i = 0; i < res->n_hugepage_limits; i++) {
                _cleanup_free_ char *file = NULL;
                if (asprintf(&file, "hugetlb.%s.%s", res->hugepage_limits[i].page_size, suffix) < 0)
                        return -ENOMEM;
                int r = cgroup_write_list_add(l, "hugetlb", file, NULL, "%" PRIu64, res->hugepage_limits[i].limit);
                if (r < 0)
                        return r;
        }
        return 0;
}

int cgroup_write_list_add_throttles(CgroupWriteList *l, const OciResources *res, const char *const names[static 4],
                                    int (*add)(CgroupWriteList *l, const char *name, const OciThrottleDevice *d)) {
        const struct {
                const OciThrottleDevice *d;
                size_t n;
        } lists[4] = {
                { res->throttle_read_bps, res->n_throttle_read_bps },
                { res->throttle_write_bps, res->n_throttle_write_bps },
                { res->throttle_read_iops, res->n_throttle_read_iops },
                { res->throttle_write_iops, res->n_throttle_write_iops },
        };
        for (size_t k = 0; k < 4; k++)
                for (size_t i = 0; i < lists[k].n; i++) {
                        int r = add(l, names[k], lists[k].d + i);
                        if (r < 0)
                                return r;
                }
        return 0;
}

void cgroup_write_list_steal(CgroupWriteList *l, CgroupWrite **ret, size_t *ret_n) {
        *ret = l->writes;
        *ret_n = l->n;
        l->writes = NULL;
        l->n = 0;
}

int cgroup_write_list_set_alt_value(CgroupWriteList *l, const char *fmt, ...) {
        CgroupWrite *w = l->writes + l->n - 1;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&w->alt_value, fmt, ap);
        va_end(ap);
        if (k < 0) {
                w->alt_value = NULL;
                return -ENOMEM;
        }
        return 0;
}

