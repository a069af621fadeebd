/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* linux.resources, validated: what the cgroup backends apply (cgroup.h). The same object is
 * what `update -r FILE` reads, and what `update`'s options build. Plain C types only; every
 * value here is in the range the kernel takes, so a backend never has to refuse one after a
 * cgroup exists. "has_*" says whether a member was given: an absent member is left as the
 * kernel has it. An array (and unified) that was given, even empty, has a non-NULL pointer;
 * an absent one is NULL. Device numbers are 0..4294967295 (the kernel reads u32s). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* major or minor -1: any ("*"). */
typedef struct OciDeviceRule {
        bool allow;
        char type;      /* 'a', 'c' or 'b' */
        int64_t major, minor;
        char access[4]; /* a non-empty subset of "rwm", in that order */
} OciDeviceRule;

typedef struct OciWeightDevice {
        int64_t major, minor;
        bool has_weight, has_leaf_weight;
        uint16_t weight, leaf_weight; /* 10..1000 (v1 blkio; mapped to io.weight on v2) */
} OciWeightDevice;

typedef struct OciThrottleDevice {
        int64_t major, minor;
        uint64_t rate; /* bytes or operations per second; 0: no limit */
} OciThrottleDevice;

typedef struct OciHugepageLimit {
        char *page_size; /* "2MB", "1GB", ...: [0-9]+[KMG]B */
        uint64_t limit;  /* bytes */
} OciHugepageLimit;

typedef struct OciNetPriority {
        char *name; /* an interface name */
        uint32_t priority;
} OciNetPriority;

typedef struct OciResources {
        /* memory: bytes; -1 is "no limit" for limit, reservation and swap */
        bool has_memory_limit, has_memory_reservation, has_memory_swap, has_memory_swappiness;
        int64_t memory_limit, memory_reservation, memory_swap; /* swap: memory+swap, as in v1 */
        uint64_t memory_swappiness; /* 0..100 */
        bool disable_oom_killer;
        bool has_disable_oom_killer;
        /* kernel: applied nowhere (a separate kernel memory limit is gone from the kernel),
         * only warned about; kernelTCP: v1's memory.kmem.tcp.limit_in_bytes, warned about
         * where there is no v1 memory controller. -1: no limit. */
        bool has_memory_kernel, has_memory_kernel_tcp;
        int64_t memory_kernel, memory_kernel_tcp;

        /* cpu */
        bool has_cpu_shares, has_cpu_quota, has_cpu_period, has_cpu_burst;
        bool has_cpu_realtime_runtime, has_cpu_realtime_period, has_cpu_idle;
        uint64_t cpu_shares;      /* 2..262144 */
        int64_t cpu_quota;        /* microseconds per period; -1 (or any value <= 0): no limit */
        uint64_t cpu_period;      /* 1000..1000000 microseconds */
        uint64_t cpu_burst;
        int64_t cpu_realtime_runtime;
        uint64_t cpu_realtime_period;
        int64_t cpu_idle;         /* 0 or 1 */
        char *cpus, *mems;        /* validated cpu/node lists ("0-3,6"); NULL: unset (or "") */

        /* pids */
        bool has_pids_limit;
        int64_t pids_limit; /* <= 0: no limit */

        /* blockIO */
        bool has_blkio_weight, has_blkio_leaf_weight;
        uint16_t blkio_weight, blkio_leaf_weight; /* 10..1000 */
        OciWeightDevice *weight_devices;
        size_t n_weight_devices;
        OciThrottleDevice *throttle_read_bps, *throttle_write_bps, *throttle_read_iops, *throttle_write_iops;
        size_t n_throttle_read_bps, n_throttle_write_bps, n_throttle_read_iops, n_throttle_write_iops;

        OciHugepageLimit *hugepage_limits;
        size_t n_hugepage_limits;

        /* network (v1 net_cls / net_prio only) */
        bool has_net_class_id;
        uint32_t net_class_id;
        OciNetPriority *net_priorities;
        size_t n_net_priorities;

        /* devices, in order; the backend starts from "deny all" when any rule is given */
        OciDeviceRule *devices;
        size_t n_devices;

        /* v2 only: file name, value, file name, value, ... (names checked: "controller.knob",
         * no '/', not starting with '.', no whitespace; not cgroup.procs, .threads,
         * .subtree_control, .kill, .type nor .freeze; values have no newline) */
        char **unified;

        /* What was accepted but ignored, one line each, for the caller to print. */
        char **warnings;
} OciResources;

void oci_resources_done(OciResources *r);
OciResources *oci_resources_free(OciResources *r);
static inline void oci_resources_freep(OciResources **r) {
        oci_resources_free(*r);
}

/* A resources object on its own (`update -r FILE`, or "-" for stdin): the same checks as
 * linux.resources in config.json, errors named "resources.memory.limit: ...". */
int oci_resources_parse(const char *data, size_t size, OciResources **ret, char **ret_error);

/* With device rules given, appends after them (later rules win) the allow rules for the
 * default devices every container has (null, zero, full, random, urandom, tty, console, ptmx,
 * pts, net/tun, and mknod) and for each of linux.devices, as runc does. No rules: nothing. */
struct OciDevice;
int oci_resources_allow_devices(OciResources *res, const struct OciDevice *devices, size_t n);

/* Whether any member is set (an empty object changes nothing). memory.kernel does not count:
 * nothing applies it (a rootless container without a cgroup may still have it). */
bool oci_resources_is_empty(const OciResources *r);

/* Copies every member set in src over dst (what `update` does to the recorded resources): an
 * array given in src replaces dst's, unified is merged file by file. dst is unchanged on error. */
int oci_resources_merge(OciResources *dst, const OciResources *src);

/* Back to JSON, as a linux.resources object (what create records for `update` and `events`).
 * Round-trips through oci_resources_parse. */
char *oci_resources_to_json(const OciResources *r);
