/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.resources (oci-config-resources.c): every member of a full object, the defaults, each
 * refusal with the member named in the one-line error, the JSON round trip, merging, and the
 * strict guard in front of a bare resources document (`update -r`). */

#include <glib.h>
#include <string.h>
#include <sys/stat.h>

#include "config-test.h"
#include "oci-config.h"
#include "oci-resources.h"
#include "strv.h"

static const char full_json[] =
        "{\"memory\": {\"limit\": 536870912, \"reservation\": 268435456, \"swap\": 1073741824, \"swappiness\": 60,"
        "  \"disableOOMKiller\": true, \"kernel\": -1, \"kernelTCP\": 0, \"useHierarchy\": true,"
        "  \"checkBeforeUpdate\": false},"
        " \"cpu\": {\"shares\": 1024, \"quota\": 50000, \"period\": 100000, \"burst\": 10000,"
        "  \"realtimeRuntime\": 950000, \"realtimePeriod\": 1000000, \"idle\": 1, \"cpus\": \"0-3,5\", \"mems\": \"0\"},"
        " \"pids\": {\"limit\": 4096},"
        " \"blockIO\": {\"weight\": 500, \"leafWeight\": 300,"
        "  \"weightDevice\": [{\"major\": 8, \"minor\": 0, \"weight\": 600}, {\"major\": 8, \"minor\": 16, \"leafWeight\": 10}],"
        "  \"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 1048576}],"
        "  \"throttleWriteBpsDevice\": [{\"major\": 8, \"minor\": 1, \"rate\": 2097152}],"
        "  \"throttleReadIOPSDevice\": [{\"major\": 8, \"minor\": 2, \"rate\": 100}],"
        "  \"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 3, \"rate\": 0}]},"
        " \"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 209715200}, {\"pageSize\": \"1GB\", \"limit\": 0}],"
        " \"network\": {\"classID\": 1048577, \"priorities\": [{\"name\": \"eth0\", \"priority\": 500}]},"
        " \"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
        "  {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 3, \"access\": \"mwr\"},"
        "  {\"allow\": true, \"type\": \"b\", \"major\": 7, \"minor\": -1, \"access\": \"r\"}],"
        " \"unified\": {\"memory.high\": \"max\", \"cgroup.max.depth\": \"4\", \"io.weight\": \"default 100\"},"
        " \"someFutureMember\": {\"x\": 1}}";

static OciResources *parse_ok(const char *doc) {
        OciResources *r = NULL;
        char *error = NULL;
        if (oci_resources_parse(doc, strlen(doc), &r, &error) < 0)
                g_error("unexpected rejection: %s\n%s", error, doc);
        g_assert_null(error);
        g_assert_nonnull(r);
        return r;
}

static void parse_bad(const char *doc, const char *expected) {
        OciResources *r = NULL;
        char *error = NULL;
        if (oci_resources_parse(doc, strlen(doc), &r, &error) >= 0)
                g_error("accepted, expected an error containing \"%s\":\n%s", expected, doc);
        g_assert_null(r);
        g_assert_nonnull(error);
        if (!strstr(error, expected))
                g_error("error \"%s\" does not contain \"%s\"", error, expected);
        g_assert_null(strchr(error, '\n'));
        free(error);
}

static void check_full(const OciResources *r) {
        g_assert_true(r->has_memory_limit && r->has_memory_reservation && r->has_memory_swap);
        g_assert_cmpint(r->memory_limit, ==, 536870912);
        g_assert_cmpint(r->memory_reservation, ==, 268435456);
        g_assert_cmpint(r->memory_swap, ==, 1073741824);
        g_assert_true(r->has_memory_swappiness);
        g_assert_cmpuint(r->memory_swappiness, ==, 60);
        g_assert_true(r->has_disable_oom_killer && r->disable_oom_killer);

        g_assert_true(r->has_cpu_shares && r->has_cpu_quota && r->has_cpu_period && r->has_cpu_burst);
        g_assert_true(r->has_cpu_realtime_runtime && r->has_cpu_realtime_period && r->has_cpu_idle);
        g_assert_cmpuint(r->cpu_shares, ==, 1024);
        g_assert_cmpint(r->cpu_quota, ==, 50000);
        g_assert_cmpuint(r->cpu_period, ==, 100000);
        g_assert_cmpuint(r->cpu_burst, ==, 10000);
        g_assert_cmpint(r->cpu_realtime_runtime, ==, 950000);
        g_assert_cmpuint(r->cpu_realtime_period, ==, 1000000);
        g_assert_cmpint(r->cpu_idle, ==, 1);
        g_assert_cmpstr(r->cpus, ==, "0-3,5");
        g_assert_cmpstr(r->mems, ==, "0");

        g_assert_true(r->has_pids_limit);
        g_assert_cmpint(r->pids_limit, ==, 4096);

        g_assert_true(r->has_blkio_weight && r->has_blkio_leaf_weight);
        g_assert_cmpuint(r->blkio_weight, ==, 500);
        g_assert_cmpuint(r->blkio_leaf_weight, ==, 300);
        g_assert_cmpuint(r->n_weight_devices, ==, 2);
        g_assert_cmpint(r->weight_devices[0].major, ==, 8);
        g_assert_cmpint(r->weight_devices[0].minor, ==, 0);
        g_assert_true(r->weight_devices[0].has_weight && !r->weight_devices[0].has_leaf_weight);
        g_assert_cmpuint(r->weight_devices[0].weight, ==, 600);
        g_assert_cmpint(r->weight_devices[1].minor, ==, 16);
        g_assert_true(!r->weight_devices[1].has_weight && r->weight_devices[1].has_leaf_weight);
        g_assert_cmpuint(r->weight_devices[1].leaf_weight, ==, 10);
        g_assert_cmpuint(r->n_throttle_read_bps, ==, 1);
        g_assert_cmpuint(r->throttle_read_bps[0].rate, ==, 1048576);
        g_assert_cmpuint(r->n_throttle_write_bps, ==, 1);
        g_assert_cmpint(r->throttle_write_bps[0].minor, ==, 1);
        g_assert_cmpuint(r->throttle_write_bps[0].rate, ==, 2097152);
        g_assert_cmpuint(r->n_throttle_read_iops, ==, 1);
        g_assert_cmpint(r->throttle_read_iops[0].minor, ==, 2);
        g_assert_cmpuint(r->throttle_read_iops[0].rate, ==, 100);
        g_assert_cmpuint(r->n_throttle_write_iops, ==, 1);
        g_assert_cmpint(r->throttle_write_iops[0].major, ==, 8);
        g_assert_cmpint(r->throttle_write_iops[0].minor, ==, 3);
        g_assert_cmpuint(r->throttle_write_iops[0].rate, ==, 0);

        g_assert_cmpuint(r->n_hugepage_limits, ==, 2);
        g_assert_cmpstr(r->hugepage_limits[0].page_size, ==, "2MB");
        g_assert_cmpuint(r->hugepage_limits[0].limit, ==, 209715200);
        g_assert_cmpstr(r->hugepage_limits[1].page_size, ==, "1GB");
        g_assert_cmpuint(r->hugepage_limits[1].limit, ==, 0);

        g_assert_true(r->has_net_class_id);
        g_assert_cmpuint(r->net_class_id, ==, 1048577);
        g_assert_cmpuint(r->n_net_priorities, ==, 1);
        g_assert_cmpstr(r->net_priorities[0].name, ==, "eth0");
        g_assert_cmpuint(r->net_priorities[0].priority, ==, 500);

        g_assert_cmpuint(r->n_devices, ==, 3);
        g_assert_false(r->devices[0].allow);
        g_assert_cmpint(r->devices[0].type, ==, 'a');
        g_assert_cmpint(r->devices[0].major, ==, -1);
        g_assert_cmpint(r->devices[0].minor, ==, -1);
        g_assert_cmpstr(r->devices[0].access, ==, "rwm");
        g_assert_true(r->devices[1].allow);
        g_assert_cmpint(r->devices[1].type, ==, 'c');
        g_assert_cmpint(r->devices[1].major, ==, 1);
        g_assert_cmpint(r->devices[1].minor, ==, 3);
        g_assert_cmpstr(r->devices[1].access, ==, "rwm"); /* "mwr", normalized */
        g_assert_cmpint(r->devices[2].type, ==, 'b');
        g_assert_cmpint(r->devices[2].major, ==, 7);
        g_assert_cmpint(r->devices[2].minor, ==, -1);
        g_assert_cmpstr(r->devices[2].access, ==, "r");

        g_assert_cmpuint(g_strv_length(r->unified), ==, 6);
        g_assert_cmpstr(r->unified[0], ==, "memory.high");
        g_assert_cmpstr(r->unified[1], ==, "max");
        g_assert_cmpstr(r->unified[2], ==, "cgroup.max.depth");
        g_assert_cmpstr(r->unified[3], ==, "4");
        g_assert_cmpstr(r->unified[4], ==, "io.weight");
        g_assert_cmpstr(r->unified[5], ==, "default 100");
}

static void test_full(void) {
        OciResources *r = parse_ok(full_json);
        check_full(r);
        g_assert_false(oci_resources_is_empty(r));
        oci_resources_free(r);
}

/* Deep equality, field by field. */
static void assert_equal(const OciResources *a, const OciResources *b) {
#define EQ(f) g_assert_true(a->f == b->f)
        EQ(has_memory_limit); EQ(has_memory_reservation); EQ(has_memory_swap); EQ(has_memory_swappiness);
        EQ(memory_limit); EQ(memory_reservation); EQ(memory_swap); EQ(memory_swappiness);
        EQ(disable_oom_killer); EQ(has_disable_oom_killer);
        EQ(has_cpu_shares); EQ(has_cpu_quota); EQ(has_cpu_period); EQ(has_cpu_burst);
        EQ(has_cpu_realtime_runtime); EQ(has_cpu_realtime_period); EQ(has_cpu_idle);
        EQ(cpu_shares); EQ(cpu_quota); EQ(cpu_period); EQ(cpu_burst); EQ(cpu_realtime_runtime);
        EQ(cpu_realtime_period); EQ(cpu_idle);
        EQ(has_pids_limit); EQ(pids_limit);
        EQ(has_blkio_weight); EQ(has_blkio_leaf_weight); EQ(blkio_weight); EQ(blkio_leaf_weight);
        EQ(has_net_class_id); EQ(net_class_id);
        EQ(n_weight_devices); EQ(n_throttle_read_bps); EQ(n_throttle_write_bps); EQ(n_throttle_read_iops);
        EQ(n_throttle_write_iops); EQ(n_hugepage_limits); EQ(n_net_priorities); EQ(n_devices);
#undef EQ
        g_assert_cmpstr(a->cpus, ==, b->cpus);
        g_assert_cmpstr(a->mems, ==, b->mems);
#define ARR(f) \
        g_assert_true(!a->f == !b->f); \
        if (a->n_##f) \
                g_assert_cmpmem(a->f, a->n_##f * sizeof(*a->f), b->f, b->n_##f * sizeof(*b->f))
        ARR(weight_devices); ARR(throttle_read_bps); ARR(throttle_write_bps); ARR(throttle_read_iops);
        ARR(throttle_write_iops); ARR(devices);
#undef ARR
        g_assert_true(!a->hugepage_limits == !b->hugepage_limits);
        for (size_t i = 0; i < a->n_hugepage_limits; i++) {
                g_assert_cmpstr(a->hugepage_limits[i].page_size, ==, b->hugepage_limits[i].page_size);
                g_assert_cmpuint(a->hugepage_limits[i].limit, ==, b->hugepage_limits[i].limit);
        }
        g_assert_true(!a->net_priorities == !b->net_priorities);
        for (size_t i = 0; i < a->n_net_priorities; i++) {
                g_assert_cmpstr(a->net_priorities[i].name, ==, b->net_priorities[i].name);
                g_assert_cmpuint(a->net_priorities[i].priority, ==, b->net_priorities[i].priority);
        }
        g_assert_true(!a->unified == !b->unified);
        if (a->unified)
                g_assert_true(g_strv_equal((const char *const *) a->unified, (const char *const *) b->unified));
}

static void round_trip(const char *doc) {
        OciResources *a = parse_ok(doc);
        char *json = oci_resources_to_json(a);
        g_assert_nonnull(json);
        OciResources *b = parse_ok(json);
        assert_equal(a, b);
        /* And it is stable. */
        char *again = oci_resources_to_json(b);
        g_assert_cmpstr(json, ==, again);
        free(again);
        free(json);
        oci_resources_free(a);
        oci_resources_free(b);
}

/* Letters runc does not know are dropped, with a warning; repeats are harmless. */
static void test_device_access_lenient(void) {
        OciResources *r = parse_ok("{\"devices\": [{\"allow\": true, \"access\": \"rwa\"}, {\"allow\": true, \"access\": \"rr\"}]}");
        g_assert_cmpstr(r->devices[0].access, ==, "rw");
        g_assert_cmpstr(r->devices[1].access, ==, "r");
        g_assert_cmpuint(strv_length(r->warnings), ==, 1);
        g_assert_cmpstr(r->warnings[0], ==, "resources.devices[0].access: \"rwa\" is taken as \"rw\"");
        oci_resources_free(r);
}

static void test_round_trip(void) {
        round_trip(full_json);
        round_trip("{}");
        round_trip("{\"devices\": [], \"unified\": {}, \"blockIO\": {\"weightDevice\": []}}");
        round_trip("{\"cpu\": {\"quota\": -1, \"realtimeRuntime\": -5}, \"pids\": {\"limit\": -1},"
                   " \"memory\": {\"limit\": -1, \"swap\": -1, \"disableOOMKiller\": false}}");
        round_trip("{\"unified\": {\"memory.max\": \"a \\\"quoted\\\" \\\\ value\\t\"}}");
}

static void test_defaults(void) {
        OciResources *r = parse_ok("{\"devices\": [{\"allow\": true}, {\"allow\": false, \"major\": -1, \"minor\": 5}],"
                                   " \"memory\": {}, \"cpu\": {\"cpus\": \"\"}}");
        g_assert_cmpuint(r->n_devices, ==, 2);
        g_assert_cmpint(r->devices[0].type, ==, 'a');
        g_assert_cmpint(r->devices[0].major, ==, -1);
        g_assert_cmpint(r->devices[0].minor, ==, -1);
        g_assert_cmpstr(r->devices[0].access, ==, "rwm");
        g_assert_cmpint(r->devices[1].major, ==, -1);
        g_assert_cmpint(r->devices[1].minor, ==, 5);
        g_assert_false(r->has_memory_limit);
        g_assert_null(r->cpus);
        oci_resources_free(r);

        r = parse_ok("{\"memory\": {}, \"cpu\": null, \"devices\": [], \"unified\": {}}");
        g_assert_true(oci_resources_is_empty(r));
        g_assert_nonnull(r->devices); /* given, even empty */
        oci_resources_free(r);
        r = parse_ok("{\"pids\": {\"limit\": 0}}");
        g_assert_false(oci_resources_is_empty(r));
        oci_resources_free(r);
        r = parse_ok("{\"memory\": {\"limit\": 100, \"swap\": 100}, \"cpu\": {\"quota\": 0, \"idle\": 0}}");
        g_assert_cmpint(r->memory_swap, ==, 100);
        oci_resources_free(r);
        r = parse_ok("{\"memory\": {\"limit\": -1, \"swap\": 5}}");
        oci_resources_free(r);
        r = parse_ok("{\"memory\": {\"limit\": 100, \"swap\": -1}}");
        oci_resources_free(r);
}

static const struct {
        const char *doc, *expected;
} bad[] = {
        /* memory */
        { "{\"memory\": {\"limit\": -2}}", "resources.memory.limit: must be -1 or a non-negative integer" },
        { "{\"memory\": {\"limit\": \"1G\"}}", "resources.memory.limit: must be -1 or a non-negative integer" },
        { "{\"memory\": {\"limit\": 1.5}}", "resources.memory.limit: must be" },
        { "{\"memory\": {\"reservation\": -3}}", "resources.memory.reservation: must be -1 or a non-negative integer" },
        { "{\"memory\": {\"swap\": -2}}", "resources.memory.swap: must be -1 or a non-negative integer" },
        { "{\"memory\": {\"limit\": 200, \"swap\": 100}}", "resources.memory.swap: must be -1 or at least memory.limit" },
        { "{\"memory\": {\"swappiness\": 101}}", "resources.memory.swappiness: must be an integer from 0 to 100" },
        { "{\"memory\": {\"swappiness\": -1}}", "resources.memory.swappiness: must be an integer from 0 to 100" },
        { "{\"memory\": {\"disableOOMKiller\": 1}}", "resources.memory.disableOOMKiller: must be true or false" },
        { "{\"memory\": {\"kernel\": \"x\"}}", "resources.memory.kernel: must be an integer" },
        { "{\"memory\": {\"useHierarchy\": 1}}", "resources.memory.useHierarchy: must be true or false" },
        { "{\"memory\": []}", "resources.memory: must be an object" },
        /* cpu */
        { "{\"cpu\": {\"shares\": 1}}", "resources.cpu.shares: must be an integer from 2 to 262144" },
        { "{\"cpu\": {\"shares\": 262145}}", "resources.cpu.shares: must be an integer from 2 to 262144" },
        { "{\"cpu\": {\"quota\": \"max\"}}", "resources.cpu.quota: must be an integer" },
        { "{\"cpu\": {\"period\": 999}}", "resources.cpu.period: must be an integer from 1000 to 1000000" },
        { "{\"cpu\": {\"period\": 1000001}}", "resources.cpu.period: must be an integer from 1000 to 1000000" },
        { "{\"cpu\": {\"burst\": -1}}", "resources.cpu.burst: must be a non-negative integer" },
        { "{\"cpu\": {\"realtimeRuntime\": true}}", "resources.cpu.realtimeRuntime: must be an integer" },
        { "{\"cpu\": {\"realtimePeriod\": -1}}", "resources.cpu.realtimePeriod: must be a non-negative integer" },
        { "{\"cpu\": {\"idle\": 2}}", "resources.cpu.idle: must be 0 or 1" },
        { "{\"cpu\": {\"cpus\": \"3-1\"}}", "resources.cpu.cpus: not a list" },
        { "{\"cpu\": {\"cpus\": \"0, 1\"}}", "resources.cpu.cpus: not a list" },
        { "{\"cpu\": {\"cpus\": \"0,,1\"}}", "resources.cpu.cpus: not a list" },
        { "{\"cpu\": {\"cpus\": \"a\"}}", "resources.cpu.cpus: not a list" },
        { "{\"cpu\": {\"cpus\": \"1-\"}}", "resources.cpu.cpus: not a list" },
        { "{\"cpu\": {\"mems\": \"0-1,\"}}", "resources.cpu.mems: not a list" },
        { "{\"cpu\": {\"mems\": 0}}", "resources.cpu.mems: must be a string" },
        { "{\"cpu\": {\"cpus\": \"99999\"}}", "resources.cpu.cpus: number past" },
        /* pids */
        { "{\"pids\": {\"limit\": \"10\"}}", "resources.pids.limit: must be an integer" },
        /* blockIO */
        { "{\"blockIO\": {\"weight\": 9}}", "resources.blockIO.weight: must be an integer from 10 to 1000" },
        { "{\"blockIO\": {\"weight\": 1001}}", "resources.blockIO.weight: must be an integer from 10 to 1000" },
        { "{\"blockIO\": {\"leafWeight\": 5}}", "resources.blockIO.leafWeight: must be an integer from 10 to 1000" },
        { "{\"blockIO\": {\"weightDevice\": [{\"minor\": 0, \"weight\": 100}]}}",
          "resources.blockIO.weightDevice[0].major: missing" },
        { "{\"blockIO\": {\"weightDevice\": [{\"major\": 8, \"weight\": 100}]}}",
          "resources.blockIO.weightDevice[0].minor: missing" },
        { "{\"blockIO\": {\"weightDevice\": [{\"major\": -1, \"minor\": 0, \"weight\": 100}]}}",
          "resources.blockIO.weightDevice[0].major: must be an integer from 0 to 4294967295" },
        { "{\"blockIO\": {\"weightDevice\": [{\"major\": 4294967296, \"minor\": 0, \"weight\": 100}]}}",
          "resources.blockIO.weightDevice[0].major: must be an integer from 0" },
        { "{\"blockIO\": {\"weightDevice\": [{\"major\": 8, \"minor\": 0}]}}",
          "resources.blockIO.weightDevice[0]: needs weight or leafWeight" },
        { "{\"blockIO\": {\"weightDevice\": [{\"major\": 8, \"minor\": 0, \"weight\": 5}]}}",
          "resources.blockIO.weightDevice[0].weight: must be an integer from 10 to 1000" },
        { "{\"blockIO\": {\"weightDevice\": [{\"major\": 8, \"minor\": 0, \"leafWeight\": 2000}]}}",
          "resources.blockIO.weightDevice[0].leafWeight: must be an integer from 10 to 1000" },
        { "{\"blockIO\": {\"weightDevice\": [1]}}", "resources.blockIO.weightDevice[0]: must be an object" },
        { "{\"blockIO\": {\"weightDevice\": {}}}", "resources.blockIO.weightDevice: must be an array" },
        { "{\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0}]}}",
          "resources.blockIO.throttleReadBpsDevice[0].rate: missing" },
        { "{\"blockIO\": {\"throttleWriteBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": -1}]}}",
          "resources.blockIO.throttleWriteBpsDevice[0].rate: must be a non-negative integer" },
        { "{\"blockIO\": {\"throttleReadIOPSDevice\": [{\"minor\": 0, \"rate\": 1}]}}",
          "resources.blockIO.throttleReadIOPSDevice[0].major: missing" },
        { "{\"blockIO\": {\"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 1},"
          " {\"major\": 8, \"minor\": \"1\", \"rate\": 1}]}}",
          "resources.blockIO.throttleWriteIOPSDevice[1].minor: must be an integer" },
        /* hugepageLimits */
        { "{\"hugepageLimits\": [{\"pageSize\": \"2M\", \"limit\": 1}]}",
          "resources.hugepageLimits[0].pageSize: not a page size" },
        { "{\"hugepageLimits\": [{\"pageSize\": \"02MB\", \"limit\": 1}]}",
          "resources.hugepageLimits[0].pageSize: not a page size" },
        { "{\"hugepageLimits\": [{\"pageSize\": \"2TB\", \"limit\": 1}]}",
          "resources.hugepageLimits[0].pageSize: not a page size" },
        { "{\"hugepageLimits\": [{\"pageSize\": \"MB\", \"limit\": 1}]}",
          "resources.hugepageLimits[0].pageSize: not a page size" },
        { "{\"hugepageLimits\": [{\"pageSize\": \"2MB/../x\", \"limit\": 1}]}",
          "resources.hugepageLimits[0].pageSize: not a page size" },
        { "{\"hugepageLimits\": [{\"limit\": 1}]}", "resources.hugepageLimits[0].pageSize: missing" },
        { "{\"hugepageLimits\": [{\"pageSize\": \"2MB\"}]}", "resources.hugepageLimits[0].limit: missing" },
        { "{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": -1}]}",
          "resources.hugepageLimits[0].limit: must be a non-negative integer" },
        /* network */
        { "{\"network\": {\"classID\": -1}}", "resources.network.classID: must be an integer from 0 to 4294967295" },
        { "{\"network\": {\"classID\": 4294967296}}", "resources.network.classID: must be an integer from 0 to 4294967295" },
        { "{\"network\": {\"priorities\": [{\"name\": \"eth0/x\", \"priority\": 1}]}}",
          "resources.network.priorities[0].name: not an interface name" },
        { "{\"network\": {\"priorities\": [{\"name\": \"..\", \"priority\": 1}]}}",
          "resources.network.priorities[0].name: not an interface name" },
        { "{\"network\": {\"priorities\": [{\"name\": \".\", \"priority\": 1}]}}",
          "resources.network.priorities[0].name: not an interface name" },
        { "{\"network\": {\"priorities\": [{\"name\": \"\", \"priority\": 1}]}}",
          "resources.network.priorities[0].name: not an interface name" },
        { "{\"network\": {\"priorities\": [{\"name\": \"eth 0\", \"priority\": 1}]}}",
          "resources.network.priorities[0].name: not an interface name" },
        { "{\"network\": {\"priorities\": [{\"name\": \"abcdefghijklmnop\", \"priority\": 1}]}}",
          "resources.network.priorities[0].name: not an interface name" },
        { "{\"network\": {\"priorities\": [{\"name\": \"eth0\", \"priority\": -1}]}}",
          "resources.network.priorities[0].priority: must be an integer from 0 to 4294967295" },
        { "{\"network\": {\"priorities\": [{\"name\": \"eth0\"}]}}", "resources.network.priorities[0].priority: missing" },
        { "{\"network\": {\"priorities\": [{\"priority\": 1}]}}", "resources.network.priorities[0].name: missing" },
        /* devices */
        { "{\"devices\": [{\"type\": \"c\"}]}", "resources.devices[0].allow: missing" },
        { "{\"devices\": [{\"allow\": \"yes\"}]}", "resources.devices[0].allow: must be true or false" },
        { "{\"devices\": [{\"allow\": true, \"type\": \"p\"}]}", "resources.devices[0].type: unknown device type \"p\"" },
        { "{\"devices\": [{\"allow\": true, \"type\": \"cb\"}]}", "resources.devices[0].type: unknown device type" },
        { "{\"devices\": [{\"allow\": true, \"major\": -2}]}", "resources.devices[0].major: must be -1 or an integer" },
        { "{\"devices\": [{\"allow\": true, \"minor\": 4294967296}]}", "resources.devices[0].minor: must be -1 or" },
        { "{\"devices\": [{\"allow\": true, \"access\": \"\"}]}", "resources.devices[0].access: must hold r, w or m" },
        { "{\"devices\": [{\"allow\": true, \"access\": \"xa\"}]}", "resources.devices[0].access: must hold r, w or m" },
        { "{\"devices\": [{\"allow\": true}, \"x\"]}", "resources.devices[1]: must be an object" },
        /* unified */
        { "{\"unified\": {\"cgroup.procs\": \"1\"}}", "resources.unified: \"cgroup.procs\" may not be set" },
        { "{\"unified\": {\"cgroup.threads\": \"1\"}}", "resources.unified: \"cgroup.threads\" may not be set" },
        { "{\"unified\": {\"cgroup.subtree_control\": \"+memory\"}}", "resources.unified: \"cgroup.subtree_control\"" },
        { "{\"unified\": {\"cgroup.kill\": \"1\"}}", "resources.unified: \"cgroup.kill\" may not be set" },
        { "{\"unified\": {\"cgroup.type\": \"threaded\"}}", "resources.unified: \"cgroup.type\" may not be set" },
        { "{\"unified\": {\"cgroup.freeze\": \"1\"}}", "resources.unified: \"cgroup.freeze\" may not be set" },
        { "{\"unified\": {\"../memory.max\": \"1\"}}", "resources.unified: invalid file name" },
        { "{\"unified\": {\"memory/max\": \"1\"}}", "resources.unified: invalid file name" },
        { "{\"unified\": {\".memory\": \"1\"}}", "resources.unified: invalid file name" },
        { "{\"unified\": {\"memorymax\": \"1\"}}", "resources.unified: invalid file name" },
        { "{\"unified\": {\"memory. max\": \"1\"}}", "resources.unified: invalid file name" },
        { "{\"unified\": {\"memory.max\\t\": \"1\"}}", "resources.unified: invalid file name" },
        { "{\"unified\": {\"\": \"1\"}}", "resources.unified: invalid file name" },
        { "{\"unified\": {\"memory.max\": 1}}", "resources.unified.memory.max: must be a string" },
        { "{\"unified\": {\"memory.max\": \"1\\nmax\"}}", "resources.unified.memory.max: must not contain a newline" },
        { "{\"unified\": []}", "resources.unified: must be an object" },
        /* rdma, document */
        { "{\"rdma\": {\"mlx5_1\": {\"hcaHandles\": 3}}}", "resources.rdma: not supported" },
        { "[]", "must be a JSON object" },
        { "", "empty file" },
};

static void test_errors(void) {
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
                parse_bad(bad[i].doc, bad[i].expected);
}

static void test_guard(void) {
        /* The strict guard runs first: json-glib alone would take the last of two keys. */
        parse_bad("{\"memory\": {\"limit\": 1, \"limit\": -1}}", "duplicate");
        parse_bad("{\"memory\": {}} x", "");
        parse_bad("{\"memory\": {\"limit\": 9223372036854775808}}", "");
        parse_bad("{\"memory\": {/* c */}}", "");
        parse_bad("{\"unified\": {\"memory.max\": \"a\\u0000b\"}}", "");
        parse_bad("{\"memory\": {\"limit\": 1,}}", "");
        parse_bad("not json", "");
        /* An rdma object that sets nothing is not refused. */
        oci_resources_free(parse_ok("{\"rdma\": {}}"));
}

static void test_merge(void) {
        OciResources *dst = parse_ok("{\"memory\": {\"limit\": 1000, \"swap\": 2000}, \"cpu\": {\"shares\": 512,"
                                     " \"cpus\": \"0-1\"}, \"pids\": {\"limit\": 10},"
                                     " \"devices\": [{\"allow\": false}, {\"allow\": true, \"type\": \"c\", \"major\": 1}],"
                                     " \"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 5}],"
                                     " \"network\": {\"priorities\": [{\"name\": \"eth0\", \"priority\": 1}]},"
                                     " \"unified\": {\"memory.high\": \"100\", \"io.weight\": \"50\"}}");
        OciResources *src = parse_ok("{\"memory\": {\"limit\": 3000}, \"cpu\": {\"quota\": -1, \"mems\": \"0\"},"
                                     " \"devices\": [{\"allow\": true, \"access\": \"r\"}],"
                                     " \"hugepageLimits\": [],"
                                     " \"unified\": {\"io.weight\": \"60\", \"pids.max\": \"7\"}}");
        g_assert_cmpint(oci_resources_merge(dst, src), ==, 0);
        g_assert_cmpint(dst->memory_limit, ==, 3000);
        g_assert_true(dst->has_memory_swap);
        g_assert_cmpint(dst->memory_swap, ==, 2000);
        g_assert_cmpuint(dst->cpu_shares, ==, 512);
        g_assert_true(dst->has_cpu_quota);
        g_assert_cmpint(dst->cpu_quota, ==, -1);
        g_assert_cmpstr(dst->cpus, ==, "0-1");
        g_assert_cmpstr(dst->mems, ==, "0");
        g_assert_cmpint(dst->pids_limit, ==, 10);
        /* Arrays replace arrays, an empty one too; absent ones stay. */
        g_assert_cmpuint(dst->n_devices, ==, 1);
        g_assert_true(dst->devices[0].allow);
        g_assert_cmpstr(dst->devices[0].access, ==, "r");
        g_assert_nonnull(dst->hugepage_limits);
        g_assert_cmpuint(dst->n_hugepage_limits, ==, 0);
        g_assert_cmpuint(dst->n_net_priorities, ==, 1);
        g_assert_cmpstr(dst->net_priorities[0].name, ==, "eth0");
        /* unified is a map: files merge one by one. */
        const char *const unified[] = { "memory.high", "100", "io.weight", "60", "pids.max", "7", NULL };
        g_assert_true(g_strv_equal((const char *const *) dst->unified, unified));
        oci_resources_free(src);

        /* Merging the full object into an empty one gives the full object; src is not shared. */
        OciResources *full = parse_ok(full_json), empty = {};
        g_assert_cmpint(oci_resources_merge(&empty, full), ==, 0);
        oci_resources_free(full);
        check_full(&empty);
        /* An empty src changes nothing. */
        OciResources *none = parse_ok("{}");
        g_assert_true(oci_resources_is_empty(none));
        g_assert_cmpint(oci_resources_merge(&empty, none), ==, 0);
        check_full(&empty);
        oci_resources_free(none);
        oci_resources_done(&empty);
        oci_resources_free(dst);
}

static char *config_with(const char *linux_members) {
        return g_strdup_printf("{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"
                               " \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}},"
                               " \"linux\": {%s}}",
                               linux_members);
}

static void test_config(void) {
        g_autofree char *res = g_strdup_printf("\"resources\": %s", full_json);
        g_autofree char *doc = config_with(res);
        OciConfig *c = config_parse_ok(doc);
        g_assert_nonnull(c->resources);
        check_full(c->resources);
        oci_config_free(c);

        g_autofree char *absent = config_with("");
        c = config_parse_ok(absent);
        g_assert_null(c->resources);
        oci_config_free(c);
        g_autofree char *null = config_with("\"resources\": null");
        c = config_parse_ok(null);
        g_assert_null(c->resources);
        oci_config_free(c);
        g_autofree char *empty = config_with("\"resources\": {}");
        c = config_parse_ok(empty);
        g_assert_nonnull(c->resources);
        g_assert_true(oci_resources_is_empty(c->resources));
        oci_config_free(c);

        g_autofree char *bad1 = config_with("\"resources\": {\"memory\": {\"limit\": -2}}");
        config_parse_bad(bad1, "linux.resources.memory.limit: must be -1 or a non-negative integer");
        g_autofree char *bad2 = config_with("\"resources\": {\"blockIO\": {\"weightDevice\": [{\"major\": 8}]}}");
        config_parse_bad(bad2, "linux.resources.blockIO.weightDevice[0].minor: missing");
        g_autofree char *bad3 = config_with("\"resources\": {\"unified\": {\"cgroup.procs\": \"1\"}}");
        config_parse_bad(bad3, "linux.resources.unified: \"cgroup.procs\" may not be set");
        g_autofree char *bad4 = config_with("\"resources\": {\"rdma\": {\"mlx5_1\": {\"hcaHandles\": 3}}}");
        config_parse_bad(bad4, "linux.resources.rdma: not supported");
        g_autofree char *bad5 = config_with("\"resources\": 5");
        config_parse_bad(bad5, "linux.resources: must be an object");
        /* Control characters in a quoted key stay out of the one-line message. */
        g_autofree char *bad6 = config_with("\"resources\": {\"unified\": {\"a\\u001bb\": \"1\"}}");
        config_parse_bad(bad6, "invalid file name \"a\\x1bb\"");
}

/* A rule list that starts with deny-all keeps the default devices and linux.devices, after the
 * config's rules (later rules win); no rule list stays no rule list. */
static void test_allow_devices(void) {
        OciResources *none = parse_ok("{\"pids\": {\"limit\": 3}}");
        g_assert_cmpint(oci_resources_allow_devices(none, NULL, 0), ==, 0);
        g_assert_null(none->devices);
        g_assert_cmpuint(none->n_devices, ==, 0);
        oci_resources_free(none);

        OciResources *r = parse_ok("{\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]}");
        OciDevice devs[] = {
                { .path = (char *) "/dev/fuse", .type = S_IFCHR, .major = 10, .minor = 229 },
                { .path = (char *) "/dev/sda", .type = S_IFBLK, .major = 8, .minor = 0 },
                { .path = (char *) "/dev/fifo", .type = S_IFIFO },
        };
        g_assert_cmpint(oci_resources_allow_devices(r, devs, G_N_ELEMENTS(devs)), ==, 0);
        g_assert_false(r->devices[0].allow); /* the config's own rule stays first */
        bool null = false, mknod_c = false, fuse = false, sda = false;
        for (size_t i = 1; i < r->n_devices; i++) {
                const OciDeviceRule *d = r->devices + i;
                g_assert_true(d->allow);
                null = null || (d->type == 'c' && d->major == 1 && d->minor == 3 && strcmp(d->access, "rwm") == 0);
                mknod_c = mknod_c || (d->type == 'c' && d->major == -1 && d->minor == -1 && strcmp(d->access, "m") == 0);
                fuse = fuse || (d->type == 'c' && d->major == 10 && d->minor == 229);
                sda = sda || (d->type == 'b' && d->major == 8 && d->minor == 0);
        }
        g_assert_true(null && mknod_c && fuse && sda);
        /* 12 defaults + 2 devices (the FIFO is no device) after the config's one rule */
        g_assert_cmpuint(r->n_devices, ==, 1 + 12 + 2);
        oci_resources_free(r);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/oci-resources/full", test_full);
        g_test_add_func("/oci-resources/defaults", test_defaults);
        g_test_add_func("/oci-resources/errors", test_errors);
        g_test_add_func("/oci-resources/guard", test_guard);
        g_test_add_func("/oci-resources/device-access-lenient", test_device_access_lenient);
        g_test_add_func("/oci-resources/round-trip", test_round_trip);
        g_test_add_func("/oci-resources/merge", test_merge);
        g_test_add_func("/oci-resources/config", test_config);
        g_test_add_func("/oci-resources/allow-devices", test_allow_devices);
        return g_test_run();
}
