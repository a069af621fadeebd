/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pure mappings of cgroup-v1.c and cgroup-v2.c: for each resources object, built by hand,
 * the exact files, values and order each version writes, or the one-line refusal. */

#include <glib.h>
#include <string.h>

#include "cgroup.h"

/* Each write as "controller:file=value", plus " | alt_file=value" when it has an alternative,
 * one per line. */
static char *render(const CgroupWrite *w, size_t n) {
        GString *s = g_string_new(NULL);
        for (size_t i = 0; i < n; i++) {
                g_string_append_printf(s, "%s:%s=%s", w[i].controller ? w[i].controller : "-", w[i].file, w[i].value);
                if (w[i].alt_file)
                        g_string_append_printf(s, " | %s=%s", w[i].alt_file, w[i].alt_value ? w[i].alt_value : w[i].value);
                g_string_append_c(s, '\n');
        }
        return g_string_free(s, FALSE);
}

typedef int (*WritesFn)(const OciResources *, CgroupWrite **, size_t *, char **);

/* expected: the rendered list, or "ERROR: <text the message contains>". */
static void check(const char *what, WritesFn fn, const OciResources *res, const char *expected) {
        CgroupWrite *w = NULL;
        size_t n = 0;
        char *error = NULL;
        int r = fn(res, &w, &n, &error);

        if (g_str_has_prefix(expected, "ERROR: ")) {
                if (r >= 0) {
                        g_autofree char *got = render(w, n);
                        g_error("%s: accepted, expected \"%s\"; writes:\n%s", what, expected, got);
                }
                g_assert_nonnull(error);
                if (!strstr(error, expected + 7))
                        g_error("%s: error \"%s\" does not contain \"%s\"", what, error, expected + 7);
                g_assert_null(strchr(error, '\n'));
                g_assert_null(w);
                free(error);
                return;
        }
        if (r < 0)
                g_error("%s: refused: %s", what, error);
        g_assert_null(error);
        g_autofree char *got = render(w, n);
        if (strcmp(got, expected) != 0)
                g_error("%s: got\n%s\nexpected\n%s", what, got, expected);
        cgroup_writes_free(w, n);
}

/* Each case: resources, built by setup, and what each version makes of them. */
typedef struct Case {
        const char *name;
        void (*setup)(OciResources *r);
        const char *v1, *v2;
} Case;

static void empty(OciResources *r) {
}

static void memory_all(OciResources *r) {
        r->has_memory_limit = r->has_memory_reservation = r->has_memory_swap = true;
        r->memory_limit = 1 << 30;
        r->memory_reservation = 1 << 29;
        r->memory_swap = 3LL << 30;
}

static void memory_unlimited(OciResources *r) {
        r->has_memory_limit = r->has_memory_reservation = r->has_memory_swap = true;
        r->memory_limit = r->memory_reservation = r->memory_swap = -1;
        r->has_disable_oom_killer = true;
        r->disable_oom_killer = false;
}

static void memory_v1_only(OciResources *r) {
        r->has_memory_swappiness = true;
        r->memory_swappiness = 60;
        r->has_disable_oom_killer = r->disable_oom_killer = true;
}

static void disable_oom(OciResources *r) {
        r->has_disable_oom_killer = r->disable_oom_killer = true;
}

/* kernel is written nowhere; kernelTCP has a v1 file only (cgroup-ops.c warns elsewhere). */
static void kernel_memory(OciResources *r) {
        r->has_memory_kernel = r->has_memory_kernel_tcp = true;
        r->memory_kernel = 64 << 20;
        r->memory_kernel_tcp = 16 << 20;
}

static void swap_without_limit(OciResources *r) {
        r->has_memory_swap = true;
        r->memory_swap = 1 << 30;
}

static void swap_below_limit(OciResources *r) {
        r->has_memory_limit = r->has_memory_swap = true;
        r->memory_limit = 2 << 20;
        r->memory_swap = 1 << 20;
}

static void swap_equal_limit(OciResources *r) {
        r->has_memory_limit = r->has_memory_swap = true;
        r->memory_limit = r->memory_swap = 1 << 20;
}

/* Set in the opposite order of the writes: the order is the mapping's, not the caller's. */
static void cpu_all(OciResources *r) {
        r->has_cpu_idle = true;
        r->cpu_idle = 1;
        r->has_cpu_burst = true;
        r->cpu_burst = 1000;
        r->has_cpu_quota = r->has_cpu_period = true;
        r->cpu_quota = 50000;
        r->cpu_period = 200000;
        r->has_cpu_shares = true;
        r->cpu_shares = 1024;
        r->cpus = (char *) "0-3,6";
        r->mems = (char *) "0";
}

static void cpu_quota_only(OciResources *r) {
        r->has_cpu_quota = true;
        r->cpu_quota = 25000;
        r->has_cpu_shares = true;
        r->cpu_shares = 2;
}

static void cpu_unlimited_quota(OciResources *r) {
        r->has_cpu_quota = r->has_cpu_period = true;
        r->cpu_quota = -1;
        r->cpu_period = 100000;
        r->has_cpu_shares = true;
        r->cpu_shares = 262144;
}

static void cpu_zero_quota_alone(OciResources *r) {
        r->has_cpu_quota = true;
        r->cpu_quota = 0;
}

static void cpu_period_only(OciResources *r) {
        r->has_cpu_period = true;
        r->cpu_period = 50000;
}

static void cpu_realtime(OciResources *r) {
        r->has_cpu_realtime_runtime = r->has_cpu_realtime_period = true;
        r->cpu_realtime_runtime = 950000;
        r->cpu_realtime_period = 1000000;
}

static void cpu_realtime_period(OciResources *r) {
        r->has_cpu_realtime_period = true;
        r->cpu_realtime_period = 1000000;
}

static void pids(OciResources *r) {
        r->has_pids_limit = true;
        r->pids_limit = 100;
}

static void pids_unlimited(OciResources *r) {
        r->has_pids_limit = true;
        r->pids_limit = -1;
}

static OciWeightDevice weight_devices[] = {
        { .major = 8, .minor = 0, .has_weight = true, .weight = 500 },
        { .major = 8, .minor = 16, .has_weight = true, .weight = 10 },
};
static OciThrottleDevice rbps[] = { { 8, 0, 1048576 }, { 8, 16, 0 } };
static OciThrottleDevice wbps[] = { { 8, 0, 2097152 } };
static OciThrottleDevice riops[] = { { 8, 0, 100 } };
static OciThrottleDevice wiops[] = { { 8, 0, 200 } };

static void blkio(OciResources *r) {
        r->has_blkio_weight = true;
        r->blkio_weight = 1000;
        r->weight_devices = weight_devices;
        r->n_weight_devices = ELEMENTSOF(weight_devices);
        r->throttle_read_bps = rbps;
        r->n_throttle_read_bps = ELEMENTSOF(rbps);
        r->throttle_write_bps = wbps;
        r->n_throttle_write_bps = 1;
        r->throttle_read_iops = riops;
        r->n_throttle_read_iops = 1;
        r->throttle_write_iops = wiops;
        r->n_throttle_write_iops = 1;
}

static void blkio_min_weight(OciResources *r) {
        r->has_blkio_weight = true;
        r->blkio_weight = 10;
}

static void blkio_leaf(OciResources *r) {
        r->has_blkio_leaf_weight = true;
        r->blkio_leaf_weight = 300;
}

static OciWeightDevice leaf_devices[] = {
        { .major = 8, .minor = 0, .has_weight = true, .weight = 100 },
        { .major = 8, .minor = 16, .has_leaf_weight = true, .leaf_weight = 200 },
};

static void blkio_leaf_device(OciResources *r) {
        r->weight_devices = leaf_devices;
        r->n_weight_devices = ELEMENTSOF(leaf_devices);
}

static OciHugepageLimit hugepages[] = { { (char *) "2MB", 1 << 30 }, { (char *) "1GB", 0 } };

static void hugetlb(OciResources *r) {
        r->hugepage_limits = hugepages;
        r->n_hugepage_limits = ELEMENTSOF(hugepages);
}

static OciNetPriority priorities[] = { { (char *) "eth0", 5 }, { (char *) "lo", 0 } };

static void network(OciResources *r) {
        r->has_net_class_id = true;
        r->net_class_id = 0x100001;
        r->net_priorities = priorities;
        r->n_net_priorities = ELEMENTSOF(priorities);
}

static void net_prio_only(OciResources *r) {
        r->net_priorities = priorities;
        r->n_net_priorities = 1;
}

static OciDeviceRule device_rules[] = {
        { .allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm" },
        { .allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rw" },
        { .allow = true, .type = 'c', .major = 136, .minor = -1, .access = "rwm" },
        { .allow = true, .type = 'b', .major = -1, .minor = -1, .access = "m" },
        { .allow = true, .type = 'a', .major = 5, .minor = -1, .access = "r" },
        { .allow = false, .type = 'c', .major = 1, .minor = 3, .access = "w" },
        { .allow = true, .type = 'a', .major = -1, .minor = -1, .access = "rwm" },
};

static void devices(OciResources *r) {
        r->devices = device_rules;
        r->n_devices = ELEMENTSOF(device_rules);
}

static char *unified_kv[] = {
        (char *) "memory.high", (char *) "1073741824",
        (char *) "cgroup.max.descendants", (char *) "10",
        (char *) "io.latency", (char *) "8:0 target=100",
        NULL,
};

static void unified(OciResources *r) {
        r->has_memory_limit = true;
        r->memory_limit = 4096;
        r->unified = unified_kv;
}

static char *unified_empty_kv[] = { NULL };

static void unified_empty(OciResources *r) {
        r->unified = unified_empty_kv;
}

static const Case cases[] = {
        { "empty", empty, "", "" },
        { "memory", memory_all,
          "memory:memory.limit_in_bytes=1073741824\n"
          "memory:memory.soft_limit_in_bytes=536870912\n"
          "memory:memory.memsw.limit_in_bytes=3221225472\n",
          "memory:memory.max=1073741824\n"
          "memory:memory.low=536870912\n"
          "memory:memory.swap.max=2147483648\n" },
        { "memory unlimited", memory_unlimited,
          "memory:memory.limit_in_bytes=-1\n"
          "memory:memory.soft_limit_in_bytes=-1\n"
          "memory:memory.memsw.limit_in_bytes=-1\n"
          "memory:memory.oom_control=0\n",
          "memory:memory.max=max\n"
          "memory:memory.low=max\n"
          "memory:memory.swap.max=max\n" },
        { "swappiness, disableOOMKiller", memory_v1_only,
          "memory:memory.swappiness=60\n"
          "memory:memory.oom_control=1\n",
          "ERROR: linux.resources.memory.swappiness: cgroup v2 has no per-cgroup swappiness" },
        { "disableOOMKiller", disable_oom, "memory:memory.oom_control=1\n",
          "ERROR: linux.resources.memory.disableOOMKiller: cgroup v2 cannot disable the OOM killer" },
        { "kernel, kernelTCP", kernel_memory, "memory:memory.kmem.tcp.limit_in_bytes=16777216\n", "" },
        { "swap without limit", swap_without_limit, "memory:memory.memsw.limit_in_bytes=1073741824\n",
          "ERROR: linux.resources.memory.swap: " },
        { "swap below limit", swap_below_limit,
          "memory:memory.limit_in_bytes=2097152\nmemory:memory.memsw.limit_in_bytes=1048576\n",
          "ERROR: linux.resources.memory.swap: 1048576 is less than the memory limit 2097152" },
        { "swap equal to limit", swap_equal_limit,
          "memory:memory.limit_in_bytes=1048576\nmemory:memory.memsw.limit_in_bytes=1048576\n",
          "memory:memory.max=1048576\nmemory:memory.swap.max=0\n" },
        { "cpu", cpu_all,
          "cpu:cpu.shares=1024\n"
          "cpu:cpu.cfs_period_us=200000\n"
          "cpu:cpu.cfs_quota_us=50000\n"
          "cpu:cpu.cfs_burst_us=1000\n"
          "cpu:cpu.idle=1\n"
          "cpuset:cpuset.cpus=0-3,6\n"
          "cpuset:cpuset.mems=0\n",
          "cpu:cpu.weight=39\n"
          "cpu:cpu.max=50000 200000\n"
          "cpu:cpu.max.burst=1000\n"
          "cpu:cpu.idle=1\n"
          "cpuset:cpuset.cpus=0-3,6\n"
          "cpuset:cpuset.mems=0\n" },
        /* the period stays as it is, on both */
        { "cpu quota alone", cpu_quota_only,
          "cpu:cpu.shares=2\ncpu:cpu.cfs_quota_us=25000\n",
          "cpu:cpu.weight=1\ncpu:cpu.max=25000\n" },
        { "cpu quota -1", cpu_unlimited_quota,
          "cpu:cpu.shares=262144\ncpu:cpu.cfs_period_us=100000\ncpu:cpu.cfs_quota_us=-1\n",
          "cpu:cpu.weight=10000\ncpu:cpu.max=max 100000\n" },
        { "cpu quota 0", cpu_zero_quota_alone, "cpu:cpu.cfs_quota_us=-1\n", "cpu:cpu.max=max\n" },
        { "cpu period alone", cpu_period_only, "cpu:cpu.cfs_period_us=50000\n", "cpu:cpu.max=max 50000\n" },
        { "cpu realtime", cpu_realtime,
          "cpu:cpu.rt_period_us=1000000\ncpu:cpu.rt_runtime_us=950000\n",
          "ERROR: linux.resources.cpu.realtimeRuntime: cgroup v2 has no realtime CPU limits" },
        { "cpu realtime period", cpu_realtime_period, "cpu:cpu.rt_period_us=1000000\n",
          "ERROR: linux.resources.cpu.realtimePeriod: cgroup v2 has no realtime CPU limits" },
        { "pids", pids, "pids:pids.max=100\n", "pids:pids.max=100\n" },
        { "pids unlimited", pids_unlimited, "pids:pids.max=max\n", "pids:pids.max=max\n" },
        { "blockIO", blkio,
          "blkio:blkio.weight=1000 | blkio.bfq.weight=1000\n"
          "blkio:blkio.weight_device=8:0 500 | blkio.bfq.weight_device=8:0 500\n"
          "blkio:blkio.weight_device=8:16 10 | blkio.bfq.weight_device=8:16 10\n"
          "blkio:blkio.throttle.read_bps_device=8:0 1048576\n"
          "blkio:blkio.throttle.read_bps_device=8:16 0\n"
          "blkio:blkio.throttle.write_bps_device=8:0 2097152\n"
          "blkio:blkio.throttle.read_iops_device=8:0 100\n"
          "blkio:blkio.throttle.write_iops_device=8:0 200\n",
          "io:io.weight=default 10000 | io.bfq.weight=1000\n"
          "io:io.weight=8:0 4950 | io.bfq.weight=8:0 500\n"
          "io:io.weight=8:16 1 | io.bfq.weight=8:16 10\n"
          "io:io.max=8:0 rbps=1048576\n"
          "io:io.max=8:16 rbps=max\n"
          "io:io.max=8:0 wbps=2097152\n"
          "io:io.max=8:0 riops=100\n"
          "io:io.max=8:0 wiops=200\n" },
        { "blockIO weight 10", blkio_min_weight,
          "blkio:blkio.weight=10 | blkio.bfq.weight=10\n",
          "io:io.weight=default 1 | io.bfq.weight=10\n" },
        { "blockIO leafWeight", blkio_leaf, "blkio:blkio.leaf_weight=300\n",
          "ERROR: linux.resources.blockIO.leafWeight: cgroup v2 has no leaf weights" },
        { "blockIO weightDevice leafWeight", blkio_leaf_device,
          "blkio:blkio.weight_device=8:0 100 | blkio.bfq.weight_device=8:0 100\n"
          "blkio:blkio.leaf_weight_device=8:16 200\n",
          "ERROR: linux.resources.blockIO.weightDevice[1].leafWeight: cgroup v2 has no leaf weights" },
        { "hugepageLimits", hugetlb,
          "hugetlb:hugetlb.2MB.limit_in_bytes=1073741824\nhugetlb:hugetlb.1GB.limit_in_bytes=0\n",
          "hugetlb:hugetlb.2MB.max=1073741824\nhugetlb:hugetlb.1GB.max=0\n" },
        { "network", network,
          "net_cls:net_cls.classid=1048577\n"
          "net_prio:net_prio.ifpriomap=eth0 5\n"
          "net_prio:net_prio.ifpriomap=lo 0\n",
          "ERROR: linux.resources.network: net_cls/net_prio are cgroup v1 controllers" },
        { "network priorities", net_prio_only, "net_prio:net_prio.ifpriomap=eth0 5\n",
          "ERROR: linux.resources.network: net_cls/net_prio are cgroup v1 controllers" },
        /* v2: no writes, the BPF filter does it (test-cgroup-devices.c) */
        { "devices", devices,
          "devices:devices.deny=a\n"
          "devices:devices.deny=a\n"
          "devices:devices.allow=c 1:3 rw\n"
          "devices:devices.allow=c 136:* rwm\n"
          "devices:devices.allow=b *:* m\n"
          "devices:devices.allow=c 5:* r\n"
          "devices:devices.allow=b 5:* r\n"
          "devices:devices.deny=c 1:3 w\n"
          "devices:devices.allow=a\n",
          "" },
        { "unified", unified, "ERROR: linux.resources.unified: only for cgroup v2 hosts",
          "memory:memory.max=4096\n"
          "memory:memory.high=1073741824\n"
          "-:cgroup.max.descendants=10\n"
          "io:io.latency=8:0 target=100\n" },
        { "unified, empty", unified_empty, "", "" },
};

static void test_table(void) {
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                OciResources r = {};
                cases[i].setup(&r);
                g_autofree char *v1 = g_strdup_printf("v1 %s", cases[i].name);
                g_autofree char *v2 = g_strdup_printf("v2 %s", cases[i].name);
                check(v1, cgroup_v1_writes, &r, cases[i].v1);
                check(v2, cgroup_v2_writes, &r, cases[i].v2);
        }
}

/* cpu.shares -> cpu.weight and blkio.weight -> io.weight over their whole ranges: the ends
 * map to the ends, the defaults where runc and crun put them, and never out of range. */
static void test_conversions(void) {
        static const struct {
                uint64_t shares, weight;
        } cpu[] = { { 2, 1 }, { 1024, 39 }, { 2048, 79 }, { 131072, 5000 }, { 262144, 10000 } };
        for (size_t i = 0; i < ELEMENTSOF(cpu); i++) {
                OciResources r = { .has_cpu_shares = true, .cpu_shares = cpu[i].shares };
                CgroupWrite *w = NULL;
                size_t n = 0;
                g_assert_cmpint(cgroup_v2_writes(&r, &w, &n, NULL), ==, 0);
                g_assert_cmpuint(n, ==, 1);
                g_assert_cmpuint(g_ascii_strtoull(w[0].value, NULL, 10), ==, cpu[i].weight);
                cgroup_writes_free(w, n);
        }
        uint64_t last = 0;
        for (uint16_t b = 10; b <= 1000; b++) {
                OciResources r = { .has_blkio_weight = true, .blkio_weight = b };
                CgroupWrite *w = NULL;
                size_t n = 0;
                g_assert_cmpint(cgroup_v2_writes(&r, &w, &n, NULL), ==, 0);
                g_assert_cmpuint(n, ==, 1);
                g_assert_true(g_str_has_prefix(w[0].value, "default "));
                uint64_t v = g_ascii_strtoull(w[0].value + 8, NULL, 10);
                g_assert_cmpuint(v, >=, 1);
                g_assert_cmpuint(v, <=, 10000);
                g_assert_cmpuint(v, >, last); /* strictly increasing: no two weights collapse */
                last = v;
                g_assert_cmpuint(g_ascii_strtoull(w[0].alt_value, NULL, 10), ==, b);
                cgroup_writes_free(w, n);
        }
        g_assert_cmpuint(last, ==, 10000);
}

/* The v1 order the kernel needs: the period before the quota it is checked against, the
 * memory limit before memory+swap (the writer retries the other way round on EINVAL). */
static void test_order(void) {
        OciResources r = {
                .has_cpu_quota = true, .cpu_quota = 1000, .has_cpu_period = true, .cpu_period = 1000,
                .has_cpu_realtime_runtime = true, .cpu_realtime_runtime = 10,
                .has_cpu_realtime_period = true, .cpu_realtime_period = 1000,
                .has_memory_swap = true, .memory_swap = 100, .has_memory_limit = true, .memory_limit = 100,
        };
        CgroupWrite *w = NULL;
        size_t n = 0;
        g_assert_cmpint(cgroup_v1_writes(&r, &w, &n, NULL), ==, 0);
        ssize_t period = -1, quota = -1, rt_period = -1, rt_runtime = -1, limit = -1, memsw = -1;
        for (size_t i = 0; i < n; i++) {
                const char *f = w[i].file;
                ssize_t *slot = strcmp(f, "cpu.cfs_period_us") == 0           ? &period
                                : strcmp(f, "cpu.cfs_quota_us") == 0          ? &quota
                                : strcmp(f, "cpu.rt_period_us") == 0          ? &rt_period
                                : strcmp(f, "cpu.rt_runtime_us") == 0         ? &rt_runtime
                                : strcmp(f, "memory.limit_in_bytes") == 0     ? &limit
                                : strcmp(f, "memory.memsw.limit_in_bytes") == 0 ? &memsw
                                                                                : NULL;
                g_assert_nonnull(slot);
                g_assert_cmpint(*slot, ==, -1);
                *slot = (ssize_t) i;
        }
        g_assert_cmpint(period, >=, 0);
        g_assert_cmpint(period, <, quota);
        g_assert_cmpint(rt_period, >=, 0);
        g_assert_cmpint(rt_period, <, rt_runtime);
        g_assert_cmpint(limit, >=, 0);
        g_assert_cmpint(limit, <, memsw);
        cgroup_writes_free(w, n);
}

/* A unified key's controller outlives nothing but the write itself, and "cgroup.*" has none. */
static void test_unified_controller(void) {
        char *kv[] = { (char *) "cgroup.freeze", (char *) "0", (char *) "misc.max", (char *) "res_a 1", NULL };
        OciResources r = { .unified = kv };
        CgroupWrite *w = NULL;
        size_t n = 0;
        g_assert_cmpint(cgroup_v2_writes(&r, &w, &n, NULL), ==, 0);
        g_assert_cmpuint(n, ==, 2);
        g_assert_null(w[0].controller);
        g_assert_cmpstr(w[1].controller, ==, "misc");
        g_assert_cmpstr(w[1].file, ==, "misc.max");
        g_assert_cmpstr(w[1].value, ==, "res_a 1");
        cgroup_writes_free(w, n);

        char *bad[] = { (char *) "nodot", (char *) "1", NULL };
        r.unified = bad;
        check("v2 unified without a dot", cgroup_v2_writes, &r,
              "ERROR: linux.resources.unified: \"nodot\" is not a cgroup file name");
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/cgroup-writes/table", test_table);
        g_test_add_func("/cgroup-writes/conversions", test_conversions);
        g_test_add_func("/cgroup-writes/order", test_order);
        g_test_add_func("/cgroup-writes/unified-controller", test_unified_controller);
        return g_test_run();
}
