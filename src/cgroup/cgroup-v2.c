/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.resources in cgroup v2 syntax: the OCI members are v1-shaped, so values are converted
 * (shares to weights, memory+swap to swap alone) and what v2 has no knob for is refused here,
 * naming the member, before any cgroup exists. Pure mapping, no I/O. Devices are not files on
 * v2: cgroup-v2-devices.c. */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "cgroup-writes.h"
#include "cgroup.h"

/* cpu.shares 2..262144 (default 1024) onto cpu.weight 1..10000 (default 100), linearly, the
 * conversion runc, crun and systemd agree on (1024 becomes 39, not 100: kept for
 * compatibility with what they write). */
static uint64_t cpu_weight_from_shares(uint64_t shares) {
        if (shares < 2)
                shares = 2;
        if (shares > 262144)
                shares = 262144;
        return 1 + ((shares - 2) * 9999) / 262142;
}

/* blkio.weight 10..1000 onto io.weight 1..10000. */
static uint64_t io_weight_from_blkio(uint64_t w) {
        if (w < 10)
                w = 10;
        if (w > 1000)
                w = 1000;
        return 1 + ((w - 10) * 9999) / 990;
}

/* A memory file that takes "max" for no limit: OCI's -1. */
static int add_memory_max(CgroupWriteList *l, const char *file, int64_t v) {
        if (v < 0)
                return cgroup_write_list_add(l, "memory", file, NULL, "max");
        return cgroup_write_list_add(l, "memory", file, NULL, "%" PRId64, v);
}

static int add_memory(CgroupWriteList *l, const OciResources *res, char **ret_error) {
        int r;

        if (res->has_memory_swappiness)
                return errmsg_plain(ret_error, -EOPNOTSUPP,
                                    "linux.resources.memory.swappiness: cgroup v2 has no per-cgroup swappiness");
        if (res->has_disable_oom_killer && res->disable_oom_killer)
                return errmsg_plain(ret_error, -EOPNOTSUPP,
                                    "linux.resources.memory.disableOOMKiller: cgroup v2 cannot disable the OOM killer");

        if (res->has_memory_limit && (r = add_memory_max(l, "memory.max", res->memory_limit)) < 0)
                return r;
        if (res->has_memory_reservation && (r = add_memory_max(l, "memory.low", res->memory_reservation)) < 0)
                return r;
        if (res->has_memory_swap) {
                /* OCI's swap is v1's memory+swap; v2 limits swap alone. */
                if (res->memory_swap < 0)
                        r = add_memory_max(l, "memory.swap.max", -1);
                else if (!res->has_memory_limit || res->memory_limit < 0)
                        return errmsg_plain(ret_error, -EINVAL,
                                            "linux.resources.memory.swap: counts memory and swap together, so on cgroup v2 "
                                            "it needs a memory limit (linux.resources.memory.limit)");
                else if (res->memory_swap < res->memory_limit)
                        return errmsg_plain(ret_error, -EINVAL,
                                            "linux.resources.memory.swap: %" PRId64 " is less than the memory limit %" PRId64,
                                            res->memory_swap, res->memory_limit);
                else
                        r = add_memory_max(l, "memory.swap.max", res->memory_swap - res->memory_limit);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int add_cpu(CgroupWriteList *l, const OciResources *res, char **ret_error) {
        int r;

        if (res->has_cpu_realtime_runtime || res->has_cpu_realtime_period)
                return errmsg_plain(ret_error, -EOPNOTSUPP, "linux.resources.cpu.%s: cgroup v2 has no realtime CPU limits",
                                    res->has_cpu_realtime_runtime ? "realtimeRuntime" : "realtimePeriod");

        if (res->has_cpu_shares &&
            (r = cgroup_write_list_add(l, "cpu", "cpu.weight", NULL, "%" PRIu64, cpu_weight_from_shares(res->cpu_shares))) < 0)
                return r;

        /* cpu.max is "$MAX [$PERIOD]": with one number only $MAX changes and the period stays
         * as it is (Documentation/admin-guide/cgroup-v2.rst), as v1's cfs_quota_us alone does.
         * A period alone has to restate the quota: "max", no limit. */
        if (res->has_cpu_quota) {
                bool limited = res->cpu_quota > 0;
                if (limited && res->has_cpu_period)
                        r = cgroup_write_list_add(l, "cpu", "cpu.max", NULL, "%" PRId64 " %" PRIu64, res->cpu_quota,
                                                  res->cpu_period);
                else if (limited)
                        r = cgroup_write_list_add(l, "cpu", "cpu.max", NULL, "%" PRId64, res->cpu_quota);
                else if (res->has_cpu_period)
                        r = cgroup_write_list_add(l, "cpu", "cpu.max", NULL, "max %" PRIu64, res->cpu_period);
                else
                        r = cgroup_write_list_add(l, "cpu", "cpu.max", NULL, "max");
                if (r < 0)
                        return r;
        } else if (res->has_cpu_period &&
                   (r = cgroup_write_list_add(l, "cpu", "cpu.max", NULL, "max %" PRIu64, res->cpu_period)) < 0)
                return r;

        /* After cpu.max: the kernel checks the burst against the quota in place. */
        if (res->has_cpu_burst &&
            (r = cgroup_write_list_add(l, "cpu", "cpu.max.burst", NULL, "%" PRIu64, res->cpu_burst)) < 0)
                return r;
        if (res->has_cpu_idle && (r = cgroup_write_list_add(l, "cpu", "cpu.idle", NULL, "%" PRId64, res->cpu_idle)) < 0)
                return r;
        return cgroup_write_list_add_cpuset(l, res);
}

static int add_io_max(CgroupWriteList *l, const char *key, const OciThrottleDevice *d) {
        if (d->rate == 0)
                return cgroup_write_list_add(l, "io", "io.max", NULL, "%" PRId64 ":%" PRId64 " %s=max", d->major, d->minor,
                                             key);
        return cgroup_write_list_add(l, "io", "io.max", NULL, "%" PRId64 ":%" PRId64 " %s=%" PRIu64, d->major, d->minor,
                                     key, d->rate);
}

static int add_io(CgroupWriteList *l, const OciResources *res, char **ret_error) {
        int r;

        /* Leaf weights were CFQ's, which is gone from every kernel since 5.0; v2 never had
         * them. Refused rather than dropped: a limit asked for is a limit enforced. */
        if (res->has_blkio_leaf_weight)
                return errmsg_plain(ret_error, -EOPNOTSUPP, "linux.resources.blockIO.leafWeight: cgroup v2 has no leaf weights");
        for (size_t i = 0; i < res->n_weight_devices; i++)
                if (res->weight_devices[i].has_leaf_weight)
                        return errmsg_plain(ret_error, -EOPNOTSUPP,
                                            "linux.resources.blockIO.weightDevice[%zu].leafWeight: cgroup v2 has no leaf weights", i);

        /* io.weight is the iocost controller's (1..10000); kernels without it but with BFQ
         * have io.bfq.weight, which takes blkio's own range (1..1000). */
        if (res->has_blkio_weight) {
                if ((r = cgroup_write_list_add(l, "io", "io.weight", "io.bfq.weight", "default %" PRIu64,
                                               io_weight_from_blkio(res->blkio_weight))) < 0 ||
                    (r = cgroup_write_list_set_alt_value(l, "%u", (unsigned) res->blkio_weight)) < 0)
                        return r;
        }
        for (size_t i = 0; i < res->n_weight_devices; i++) {
                const OciWeightDevice *d = res->weight_devices + i;
                if (!d->has_weight)
                        continue;
                if ((r = cgroup_write_list_add(l, "io", "io.weight", "io.bfq.weight", "%" PRId64 ":%" PRId64 " %" PRIu64,
                                               d->major, d->minor, io_weight_from_blkio(d->weight))) < 0 ||
                    (r = cgroup_write_list_set_alt_value(l, "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, (unsigned) d->weight)) < 0)
                        return r;
        }

        static const char *const keys[4] = { "rbps", "wbps", "riops", "wiops" };
        return cgroup_write_list_add_throttles(l, res, keys, add_io_max);
}

/* A unified key's write: the controller is the file name up to the first '.', stored after the
 * file name's NUL in the same allocation (cgroup_writes_free frees file only); "cgroup.*"
 * files belong to the core, NULL. */
static int add_unified(CgroupWriteList *l, const char *key, const char *value, char **ret_error) {
        const char *dot = strchr(key, '.');
        if (!dot || dot == key || strchr(key, '/'))
                return errmsg_plain(ret_error, -EINVAL, "linux.resources.unified: \"%s\" is not a cgroup file name", key);

        size_t klen = strlen(key), clen = (size_t) (dot - key);
        char *file = malloc(klen + 1 + clen + 1);
        if (!file)
                return -ENOMEM;
        memcpy(file, key, klen + 1);
        char *controller = file + klen + 1;
        memcpy(controller, key, clen);
        controller[clen] = '\0';

        return cgroup_write_list_take(l, strcmp(controller, "cgroup") == 0 ? NULL : controller, file, NULL,
                                      strdup(value));
}

int cgroup_v2_writes(const OciResources *res, CgroupWrite **ret, size_t *ret_n, char **ret_error) {
        _cleanup_(cgroup_write_list_done) CgroupWriteList l = {};
        int r;

        if (res->has_net_class_id || res->n_net_priorities > 0)
                return errmsg_plain(ret_error, -EOPNOTSUPP,
                                    "linux.resources.network: net_cls/net_prio are cgroup v1 controllers");

        if ((r = add_memory(&l, res, ret_error)) < 0 || (r = add_cpu(&l, res, ret_error)) < 0)
                goto fail;

        if ((r = cgroup_write_list_add_pids(&l, res)) < 0)
                goto fail;

        if ((r = add_io(&l, res, ret_error)) < 0)
                goto fail;

        if ((r = cgroup_write_list_add_hugetlb(&l, res, "max")) < 0)
                goto fail;

        /* Last, so that a file also named here wins over the mapping of an OCI member. */
        for (char **k = res->unified; k && k[0]; k += 2) {
                if (!k[1])
                        return errmsg_plain(ret_error, -EINVAL, "linux.resources.unified: \"%s\" has no value", k[0]);
                if ((r = add_unified(&l, k[0], k[1], ret_error)) < 0)
                        goto fail;
        }

        cgroup_write_list_steal(&l, ret, ret_n);
        return 0;

fail:
        if (r == -ENOMEM)
                return errmsg(ret_error, r, "cgroup v2 settings");
        return r;
}
