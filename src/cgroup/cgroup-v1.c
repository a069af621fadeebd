/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.resources in cgroup v1 syntax: which file of which controller gets which value, in the
 * order they are written. Pure mapping, no I/O: cgroup.c finds the hierarchy that holds each
 * controller and makes the writes. The list it builds is cgroup-writes.c's. */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "cgroup-writes.h"
#include "cgroup.h"

/* "MAJ" or "*" for -1, in a caller's buffer. */
static const char *devnum(int64_t v, char buf[static 24]) {
        if (v < 0)
                return "*";
        snprintf(buf, 24, "%" PRId64, v);
        return buf;
}

static int add_throttle(CgroupWriteList *l, const char *file, const OciThrottleDevice *d) {
        return cgroup_write_list_add(l, "blkio", file, NULL, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                                     d->rate);
}

static int add_memory(CgroupWriteList *l, const OciResources *res) {
        int r;
        /* memory.memsw.limit_in_bytes must stay >= memory.limit_in_bytes at every step: the
         * writer retries one refused with EINVAL after the rest (cgroup.h). */
        if (res->has_memory_limit &&
            (r = cgroup_write_list_add(l, "memory", "memory.limit_in_bytes", NULL, "%" PRId64, res->memory_limit)) < 0)
                return r;
        if (res->has_memory_reservation &&
            (r = cgroup_write_list_add(l, "memory", "memory.soft_limit_in_bytes", NULL, "%" PRId64,
                                       res->memory_reservation)) < 0)
                return r;
        if (res->has_memory_swap &&
            (r = cgroup_write_list_add(l, "memory", "memory.memsw.limit_in_bytes", NULL, "%" PRId64, res->memory_swap)) < 0)
                return r;
        if (res->has_memory_swappiness &&
            (r = cgroup_write_list_add(l, "memory", "memory.swappiness", NULL, "%" PRIu64, res->memory_swappiness)) < 0)
                return r;
        if (res->has_disable_oom_killer &&
            (r = cgroup_write_list_add(l, "memory", "memory.oom_control", NULL, "%d", res->disable_oom_killer ? 1 : 0)) < 0)
                return r;
        /* As crun does (runc 1.1 ignores it). memory.kernel is written nowhere: see
         * cgroup_create(). */
        if (res->has_memory_kernel_tcp &&
            (r = cgroup_write_list_add(l, "memory", "memory.kmem.tcp.limit_in_bytes", NULL, "%" PRId64,
                                       res->memory_kernel_tcp)) < 0)
                return r;
        return 0;
}

static int add_cpu(CgroupWriteList *l, const OciResources *res) {
        int r;
        if (res->has_cpu_shares &&
            (r = cgroup_write_list_add(l, "cpu", "cpu.shares", NULL, "%" PRIu64, res->cpu_shares)) < 0)
                return r;
        /* The period first: the kernel checks the quota (and the burst) against the period in
         * place when each is written. */
        if (res->has_cpu_period &&
            (r = cgroup_write_list_add(l, "cpu", "cpu.cfs_period_us", NULL, "%" PRIu64, res->cpu_period)) < 0)
                return r;
        if (res->has_cpu_quota &&
            (r = cgroup_write_list_add(l, "cpu", "cpu.cfs_quota_us", NULL, "%" PRId64,
                                       res->cpu_quota > 0 ? res->cpu_quota : -1)) < 0)
                return r;
        if (res->has_cpu_burst &&
            (r = cgroup_write_list_add(l, "cpu", "cpu.cfs_burst_us", NULL, "%" PRIu64, res->cpu_burst)) < 0)
                return r;
        if (res->has_cpu_realtime_period &&
            (r = cgroup_write_list_add(l, "cpu", "cpu.rt_period_us", NULL, "%" PRIu64, res->cpu_realtime_period)) < 0)
                return r;
        if (res->has_cpu_realtime_runtime &&
            (r = cgroup_write_list_add(l, "cpu", "cpu.rt_runtime_us", NULL, "%" PRId64, res->cpu_realtime_runtime)) < 0)
                return r;
        if (res->has_cpu_idle &&
            (r = cgroup_write_list_add(l, "cpu", "cpu.idle", NULL, "%" PRId64, res->cpu_idle)) < 0)
                return r;
        return cgroup_write_list_add_cpuset(l, res);
}

static int add_blkio(CgroupWriteList *l, const OciResources *res) {
        int r;
        /* Kernels without CFQ (removed in 5.0) have only BFQ's files; blkio.leaf_weight and
         * blkio.leaf_weight_device went with CFQ and have no replacement. */
        if (res->has_blkio_weight &&
            (r = cgroup_write_list_add(l, "blkio", "blkio.weight", "blkio.bfq.weight", "%u",
                                       (unsigned) res->blkio_weight)) < 0)
                return r;
        if (res->has_blkio_leaf_weight &&
            (r = cgroup_write_list_add(l, "blkio", "blkio.leaf_weight", NULL, "%u", (unsigned) res->blkio_leaf_weight)) < 0)
                return r;
        for (size_t i = 0; i < res->n_weight_devices; i++) {
                const OciWeightDevice *d = res->weight_devices + i;
                if (d->has_weight &&
                    (r = cgroup_write_list_add(l, "blkio", "blkio.weight_device", "blkio.bfq.weight_device",
                                               "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, (unsigned) d->weight)) < 0)
                        return r;
                if (d->has_leaf_weight &&
                    (r = cgroup_write_list_add(l, "blkio", "blkio.leaf_weight_device", NULL, "%" PRId64 ":%" PRId64 " %u",
                                               d->major, d->minor, (unsigned) d->leaf_weight)) < 0)
                        return r;
        }
        static const char *const files[4] = {
                "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
                "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
        };
        return cgroup_write_list_add_throttles(l, res, files, add_throttle);
}

static int add_device_rule(CgroupWriteList *l, const OciDeviceRule *d) {
        const char *file = d->allow ? "devices.allow" : "devices.deny";
        char ma[24], mi[24];

        if (d->type == 'a') {
                /* The kernel reads a line starting with 'a' as "everything" and ignores the rest
                 * of it: it switches the default and drops every exception. That is the rule
                 * only when it is "a *:* rwm"; anything narrower is the same rule for character
                 * and for block devices. */
                if (d->major < 0 && d->minor < 0 && strcmp(d->access, "rwm") == 0)
                        return cgroup_write_list_add(l, "devices", file, NULL, "a");
                int r = cgroup_write_list_add(l, "devices", file, NULL, "c %s:%s %s", devnum(d->major, ma),
                                              devnum(d->minor, mi), d->access);
                if (r < 0)
                        return r;
                return cgroup_write_list_add(l, "devices", file, NULL, "b %s:%s %s", devnum(d->major, ma),
                                             devnum(d->minor, mi), d->access);
        }
        return cgroup_write_list_add(l, "devices", file, NULL, "%c %s:%s %s", d->type, devnum(d->major, ma),
                                     devnum(d->minor, mi), d->access);
}

int cgroup_v1_writes(const OciResources *res, CgroupWrite **ret, size_t *ret_n, char **ret_error) {
        _cleanup_(cgroup_write_list_done) CgroupWriteList l = {};
        int r;

        if (res->unified && res->unified[0])
                return errmsg_plain(ret_error, -EOPNOTSUPP, "linux.resources.unified: only for cgroup v2 hosts");

        if ((r = add_memory(&l, res)) < 0 || (r = add_cpu(&l, res)) < 0)
                goto oom;

        if ((r = cgroup_write_list_add_pids(&l, res)) < 0)
                goto oom;

        if ((r = add_blkio(&l, res)) < 0)
                goto oom;

        if ((r = cgroup_write_list_add_hugetlb(&l, res, "limit_in_bytes")) < 0)
                goto oom;

        if (res->has_net_class_id &&
            (r = cgroup_write_list_add(&l, "net_cls", "net_cls.classid", NULL, "%" PRIu32, res->net_class_id)) < 0)
                goto oom;
        for (size_t i = 0; i < res->n_net_priorities; i++)
                if ((r = cgroup_write_list_add(&l, "net_prio", "net_prio.ifpriomap", NULL, "%s %" PRIu32,
                                               res->net_priorities[i].name, res->net_priorities[i].priority)) < 0)
                        goto oom;

        /* OCI: the list starts from "deny everything", and a later rule wins over an earlier
         * one, which is what the kernel does with the same lines written in order. */
        if (res->n_devices > 0) {
                if ((r = cgroup_write_list_add(&l, "devices", "devices.deny", NULL, "a")) < 0)
                        goto oom;
                for (size_t i = 0; i < res->n_devices; i++)
                        if ((r = add_device_rule(&l, res->devices + i)) < 0)
                                goto oom;
        }

        cgroup_write_list_steal(&l, ret, ret_n);
        return 0;

oom:
        return errmsg(ret_error, -ENOMEM, "cgroup v1 settings");
}
