/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.resources -> OciResources (oci-resources.h), and back to JSON. Validation only, before
 * any cgroup exists: whatever a backend would have to refuse half-way through is refused here,
 * with the member named ("linux.resources.memory.limit: ..."). The same code reads the bare
 * resources object of `update -r FILE`, whose errors are named "resources.*". Applying the
 * values is the cgroup backends' business (cgroup.h). */

#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "basic/errmsg.h"
#include "basic/parse-util.h"
#include "basic/strv.h"
#include "json-guard.h"
#include "oci-config.h"
#include "oci-config-json.h"
#include "oci-resources.h"

/* Nested so that the compiler sees each name fit: a section, an array, an element, a member. */
#define BASE_LEN 64
#define ARRAY_LEN 96
#define ELEM_LEN 128
#define PATH_LEN 192

static void oci_resources_freep(OciResources **r) {
        oci_resources_free(*r);
}

void oci_resources_done(OciResources *r) {
        if (!r)
                return;
        free(r->cpus);
        free(r->mems);
        free(r->weight_devices);
        free(r->throttle_read_bps);
        free(r->throttle_write_bps);
        free(r->throttle_read_iops);
        free(r->throttle_write_iops);
        for (size_t i = 0; i < r->n_hugepage_limits; i++)
                free(r->hugepage_limits[i].page_size);
        free(r->hugepage_limits);
        for (size_t i = 0; i < r->n_net_priorities; i++)
                free(r->net_priorities[i].name);
        free(r->net_priorities);
        free(r->devices);
        strv_free(r->unified);
        *r = (OciResources) {};
}

OciResources *oci_resources_free(OciResources *r) {
        oci_resources_done(r);
        free(r);
        return NULL;
}

/* ---- the scalar members: one table drives parsing, merging, emptiness and JSON ---- */

typedef enum ScalarKind {
        SCALAR_INT64,
        SCALAR_UINT64,
        SCALAR_UINT32,
        SCALAR_UINT16,
        SCALAR_BOOL,
} ScalarKind;

typedef struct Scalar {
        const char *section, *name;
        ScalarKind kind;
        int64_t min, max;
        const char *expect; /* what the error says the value must be; NULL: the range */
        size_t has, value;  /* offsets in OciResources */
} Scalar;

#define SCALAR(sec, nm, k, lo, hi, exp, h, v) \
        { sec, nm, k, lo, hi, exp, offsetof(OciResources, h), offsetof(OciResources, v) }

/* uint64 members take 0..INT64_MAX: json-guard refuses larger integers anyway. */
static const Scalar scalars[] = {
        SCALAR("memory", "limit", SCALAR_INT64, -1, INT64_MAX, "-1 or a non-negative integer", has_memory_limit,
               memory_limit),
        SCALAR("memory", "reservation", SCALAR_INT64, -1, INT64_MAX, "-1 or a non-negative integer",
               has_memory_reservation, memory_reservation),
        SCALAR("memory", "swap", SCALAR_INT64, -1, INT64_MAX, "-1 or a non-negative integer", has_memory_swap,
               memory_swap),
        SCALAR("memory", "swappiness", SCALAR_UINT64, 0, 100, NULL, has_memory_swappiness, memory_swappiness),
        SCALAR("memory", "disableOOMKiller", SCALAR_BOOL, 0, 1, NULL, has_disable_oom_killer, disable_oom_killer),
        SCALAR("cpu", "shares", SCALAR_UINT64, 2, 262144, NULL, has_cpu_shares, cpu_shares),
        /* <= 0: no limit; stored as written, the backend says "max". */
        SCALAR("cpu", "quota", SCALAR_INT64, INT64_MIN, INT64_MAX, "an integer", has_cpu_quota, cpu_quota),
        SCALAR("cpu", "period", SCALAR_UINT64, 1000, 1000000, NULL, has_cpu_period, cpu_period),
        SCALAR("cpu", "burst", SCALAR_UINT64, 0, INT64_MAX, "a non-negative integer", has_cpu_burst, cpu_burst),
        SCALAR("cpu", "realtimeRuntime", SCALAR_INT64, INT64_MIN, INT64_MAX, "an integer", has_cpu_realtime_runtime,
               cpu_realtime_runtime),
        SCALAR("cpu", "realtimePeriod", SCALAR_UINT64, 0, INT64_MAX, "a non-negative integer",
               has_cpu_realtime_period, cpu_realtime_period),
        SCALAR("cpu", "idle", SCALAR_INT64, 0, 1, "0 or 1", has_cpu_idle, cpu_idle),
        SCALAR("pids", "limit", SCALAR_INT64, INT64_MIN, INT64_MAX, "an integer", has_pids_limit, pids_limit),
        SCALAR("blockIO", "weight", SCALAR_UINT16, 10, 1000, NULL, has_blkio_weight, blkio_weight),
        SCALAR("blockIO", "leafWeight", SCALAR_UINT16, 10, 1000, NULL, has_blkio_leaf_weight, blkio_leaf_weight),
        SCALAR("network", "classID", SCALAR_UINT32, 0, UINT32_MAX, NULL, has_net_class_id, net_class_id),
};

static const char *const sections[] = { "memory", "cpu", "pids", "blockIO", "network" };

static bool scalar_has(const OciResources *r, const Scalar *s) {
        return *(const bool *) ((const uint8_t *) r + s->has);
}

static int64_t scalar_get(const OciResources *r, const Scalar *s) {
        const void *p = (const uint8_t *) r + s->value;
        switch (s->kind) {
        case SCALAR_INT64:
                return *(const int64_t *) p;
        case SCALAR_UINT64:
                return (int64_t) *(const uint64_t *) p;
        case SCALAR_UINT32:
                return *(const uint32_t *) p;
        case SCALAR_UINT16:
                return *(const uint16_t *) p;
        case SCALAR_BOOL:
                return *(const bool *) p;
        }
        return 0;
}

static void scalar_set(OciResources *r, const Scalar *s, int64_t v) {
        void *p = (uint8_t *) r + s->value;
        *(bool *) ((uint8_t *) r + s->has) = true;
        switch (s->kind) {
        case SCALAR_INT64:
                *(int64_t *) p = v;
                break;
        case SCALAR_UINT64:
                *(uint64_t *) p = (uint64_t) v;
                break;
        case SCALAR_UINT32:
                *(uint32_t *) p = (uint32_t) v;
                break;
        case SCALAR_UINT16:
                *(uint16_t *) p = (uint16_t) v;
                break;
        case SCALAR_BOOL:
                *(bool *) p = v != 0;
                break;
        }
}

static int parse_scalar(JsonObject *section, const char *prefix, const Scalar *s, OciResources *r, char **ret_error) {
        char path[PATH_LEN];
        JsonNode *n = cfg_member(section, s->name);
        if (!n)
                return 0;
        snprintf(path, sizeof(path), "%s.%s.%s", prefix, s->section, s->name);
        if (s->kind == SCALAR_BOOL) {
                if (!cfg_node_is(n, G_TYPE_BOOLEAN))
                        return errmsg_plain(ret_error, -EINVAL, "%s: must be true or false", path);
                scalar_set(r, s, json_node_get_boolean(n));
                return 1;
        }
        if (!cfg_node_is(n, G_TYPE_INT64) || json_node_get_int(n) < s->min || json_node_get_int(n) > s->max) {
                int64_t unused;
                if (!s->expect)
                        return cfg_int_in_range(n, path, s->min, s->max, &unused, ret_error);
                return errmsg_plain(ret_error, -ERANGE, "%s: must be %s", path, s->expect);
        }
        scalar_set(r, s, json_node_get_int(n));
        return 1;
}

/* ---- helpers for the members of array elements; base is the element's name ---- */

/* An integer member of o, named "<base>.<name>" in errors; required members say "missing". */
static int get_int(JsonObject *o, const char *base, const char *name, bool required, int64_t min, int64_t max,
                   const char *expect, int64_t *ret, char **ret_error) {
        char path[PATH_LEN];
        snprintf(path, sizeof(path), "%s.%s", base, name);
        JsonNode *n = cfg_member(o, name);
        if (!n)
                return required ? cfg_missing(path, ret_error) : 0;
        if (!expect)
                return cfg_int_in_range(n, path, min, max, ret, ret_error);
        if (!cfg_node_is(n, G_TYPE_INT64) || json_node_get_int(n) < min || json_node_get_int(n) > max)
                return errmsg_plain(ret_error, -ERANGE, "%s: must be %s", path, expect);
        *ret = json_node_get_int(n);
        return 1;
}

/* Device numbers: the kernel parses them as u32 in devices.allow and blkio's "major:minor"
 * files, and the v2 device filter compares u32s; a larger number would be truncated into
 * some other device's, so it is refused. */
static int get_dev_number(JsonObject *o, const char *base, const char *name, bool required, int64_t *ret,
                          char **ret_error) {
        return get_int(o, base, name, required, 0, UINT32_MAX, "an integer from 0 to 4294967295", ret, ret_error);
}

/* Element i of the array at path, which must be an object; its name goes to ret_path. */
static int array_object(JsonArray *a, guint i, const char *path, char ret_path[static ELEM_LEN], JsonObject **ret,
                        char **ret_error) {
        snprintf(ret_path, ELEM_LEN, "%s[%u]", path, i);
        JsonNode *e = json_array_get_element(a, i);
        if (!JSON_NODE_HOLDS_OBJECT(e))
                return errmsg_plain(ret_error, -EINVAL, "%s: must be an object", ret_path);
        *ret = json_node_get_object(e);
        return 0;
}

/* An array member: *ret_a and a zeroed buffer of n (at least one) elements of the given size,
 * so that a given array, even empty, leaves a non-NULL pointer (merge tells them apart). */
static int get_array(JsonObject *o, const char *base, const char *name, size_t elem_size,
                     char ret_path[static ARRAY_LEN], JsonArray **ret_a, void **ret_buf, char **ret_error) {
        snprintf(ret_path, ARRAY_LEN, "%s.%s", base, name);
        int r = cfg_get_array(o, name, ret_path, ret_a, ret_error);
        if (r <= 0)
                return r;
        guint n = json_array_get_length(*ret_a);
        void *buf = calloc(n ? n : 1, elem_size);
        if (!buf)
                return -ENOMEM;
        *ret_buf = buf;
        return 1;
}

/* ---- memory ---- */

static int parse_memory(JsonObject *o, const char *prefix, OciResources *res, char **ret_error) {
        /* Accepted and ignored, as runc does: kernel and kernelTCP are deprecated (kernel memory
         * has no separate limit on v2 and none on v1 since Linux 6.1), useHierarchy is always
         * on in current kernels, and checkBeforeUpdate (refuse an update below the current
         * usage) is not implemented by this version; the kernel reclaims instead. Their types
         * are still checked. */
        static const struct {
                const char *name;
                bool is_bool;
        } ignored[] = {
                { "kernel", false },
                { "kernelTCP", false },
                { "useHierarchy", true },
                { "checkBeforeUpdate", true },
        };
        char path[PATH_LEN];
        for (size_t i = 0; i < ELEMENTSOF(ignored); i++) {
                JsonNode *n = cfg_member(o, ignored[i].name);
                if (!n)
                        continue;
                snprintf(path, sizeof(path), "%s.memory.%s", prefix, ignored[i].name);
                if (ignored[i].is_bool && !cfg_node_is(n, G_TYPE_BOOLEAN))
                        return errmsg_plain(ret_error, -EINVAL, "%s: must be true or false", path);
                if (!ignored[i].is_bool && !cfg_node_is(n, G_TYPE_INT64))
                        return errmsg_plain(ret_error, -EINVAL, "%s: must be an integer", path);
        }
        /* swap is memory+swap (v1's memsw): below the memory limit it means nothing the kernel
         * takes. */
        if (res->has_memory_limit && res->has_memory_swap && res->memory_limit != -1 && res->memory_swap != -1 &&
            res->memory_swap < res->memory_limit)
                return errmsg_plain(ret_error, -EINVAL,
                                    "%s.memory.swap: must be -1 or at least memory.limit (%" PRId64
                                    "): it counts memory plus swap",
                                    prefix, res->memory_limit);
        return 0;
}

/* ---- cpu ---- */

static int parse_cpu_list_member(JsonObject *o, const char *prefix, const char *name, char **ret, char **ret_error) {
        _cleanup_free_ char *s = NULL;
        char path[PATH_LEN];
        cpu_set_t set;
        snprintf(path, sizeof(path), "%s.cpu.%s", prefix, name);
        int r = cfg_get_string(o, name, path, false, &s, ret_error);
        if (r <= 0)
                return r;
        if (!*s) /* "": not set, as runc reads it */
                return 0;
        r = parse_cpu_list(s, &set);
        if (r == -ERANGE)
                return errmsg_plain(ret_error, r, "%s: number past %d in \"%s\"", path, CPU_SETSIZE - 1, s);
        if (r < 0)
                return errmsg_plain(ret_error, r, "%s: not a list like \"0-3,5\": \"%s\"", path, s);
        free(*ret);
        *ret = TAKE_PTR(s);
        return 1;
}

static int parse_cpu(JsonObject *o, const char *prefix, OciResources *res, char **ret_error) {
        int r;
        if ((r = parse_cpu_list_member(o, prefix, "cpus", &res->cpus, ret_error)) < 0 ||
            (r = parse_cpu_list_member(o, prefix, "mems", &res->mems, ret_error)) < 0)
                return r;
        return 0;
}

/* ---- blockIO ---- */

static int parse_weight_devices(JsonObject *o, const char *base, OciResources *res, char **ret_error) {
        char path[ARRAY_LEN], elem[ELEM_LEN];
        JsonArray *a;
        void *buf;
        int r = get_array(o, base, "weightDevice", sizeof(OciWeightDevice), path, &a, &buf, ret_error);
        if (r <= 0)
                return r;
        res->weight_devices = buf;
        for (guint i = 0; i < json_array_get_length(a); i++) {
                OciWeightDevice *d = &res->weight_devices[i];
                JsonObject *e;
                int64_t v;
                if ((r = array_object(a, i, path, elem, &e, ret_error)) < 0 ||
                    (r = get_dev_number(e, elem, "major", true, &d->major, ret_error)) < 0 ||
                    (r = get_dev_number(e, elem, "minor", true, &d->minor, ret_error)) < 0)
                        return r;
                if ((r = get_int(e, elem, "weight", false, 10, 1000, NULL, &v, ret_error)) < 0)
                        return r;
                if ((d->has_weight = r > 0))
                        d->weight = (uint16_t) v;
                if ((r = get_int(e, elem, "leafWeight", false, 10, 1000, NULL, &v, ret_error)) < 0)
                        return r;
                if ((d->has_leaf_weight = r > 0))
                        d->leaf_weight = (uint16_t) v;
                if (!d->has_weight && !d->has_leaf_weight)
                        return errmsg_plain(ret_error, -EINVAL, "%s: needs weight or leafWeight", elem);
                res->n_weight_devices++;
        }
        return 0;
}

static int parse_throttle(JsonObject *o, const char *base, const char *name, OciThrottleDevice **ret, size_t *ret_n,
                          char **ret_error) {
        char path[ARRAY_LEN], elem[ELEM_LEN];
        JsonArray *a;
        void *buf;
        int r = get_array(o, base, name, sizeof(OciThrottleDevice), path, &a, &buf, ret_error);
        if (r <= 0)
                return r;
        *ret = buf;
        for (guint i = 0; i < json_array_get_length(a); i++) {
                OciThrottleDevice *d = &(*ret)[i];
                JsonObject *e;
                int64_t v;
                if ((r = array_object(a, i, path, elem, &e, ret_error)) < 0 ||
                    (r = get_dev_number(e, elem, "major", true, &d->major, ret_error)) < 0 ||
                    (r = get_dev_number(e, elem, "minor", true, &d->minor, ret_error)) < 0 ||
                    (r = get_int(e, elem, "rate", true, 0, INT64_MAX, "a non-negative integer", &v, ret_error)) < 0)
                        return r;
                d->rate = (uint64_t) v;
                (*ret_n)++;
        }
        return 0;
}

static int parse_block_io(JsonObject *o, const char *prefix, OciResources *res, char **ret_error) {
        char base[BASE_LEN];
        int r;
        snprintf(base, sizeof(base), "%s.blockIO", prefix);
        if ((r = parse_weight_devices(o, base, res, ret_error)) < 0 ||
            (r = parse_throttle(o, base, "throttleReadBpsDevice", &res->throttle_read_bps, &res->n_throttle_read_bps,
                                ret_error)) < 0 ||
            (r = parse_throttle(o, base, "throttleWriteBpsDevice", &res->throttle_write_bps,
                                &res->n_throttle_write_bps, ret_error)) < 0 ||
            (r = parse_throttle(o, base, "throttleReadIOPSDevice", &res->throttle_read_iops,
                                &res->n_throttle_read_iops, ret_error)) < 0 ||
            (r = parse_throttle(o, base, "throttleWriteIOPSDevice", &res->throttle_write_iops,
                                &res->n_throttle_write_iops, ret_error)) < 0)
                return r;
        return 0;
}

/* ---- hugepageLimits ---- */

/* "2MB", "1GB", "64KB": what names the hugetlb.<size>.limit_in_bytes files. */
static bool page_size_is_valid(const char *s) {
        if (*s < '1' || *s > '9')
                return false;
        while (*s >= '0' && *s <= '9')
                s++;
        return (s[0] == 'K' || s[0] == 'M' || s[0] == 'G') && s[1] == 'B' && s[2] == 0;
}

static int parse_hugepages(JsonObject *o, const char *prefix, OciResources *res, char **ret_error) {
        char path[ARRAY_LEN], elem[ELEM_LEN], field[PATH_LEN];
        JsonArray *a;
        void *buf;
        int r = get_array(o, prefix, "hugepageLimits", sizeof(OciHugepageLimit), path, &a, &buf, ret_error);
        if (r <= 0)
                return r;
        res->hugepage_limits = buf;
        for (guint i = 0; i < json_array_get_length(a); i++) {
                _cleanup_free_ char *size = NULL;
                JsonObject *e;
                int64_t v;
                if ((r = array_object(a, i, path, elem, &e, ret_error)) < 0)
                        return r;
                snprintf(field, sizeof(field), "%s.pageSize", elem);
                if ((r = cfg_get_string(e, "pageSize", field, true, &size, ret_error)) < 0)
                        return r;
                if (!page_size_is_valid(size))
                        return errmsg_plain(ret_error, -EINVAL, "%s: not a page size like \"2MB\": \"%.32s\"", field,
                                            size);
                if ((r = get_int(e, elem, "limit", true, 0, INT64_MAX, "a non-negative integer", &v, ret_error)) < 0)
                        return r;
                res->hugepage_limits[i] = (OciHugepageLimit) { .page_size = TAKE_PTR(size), .limit = (uint64_t) v };
                res->n_hugepage_limits++;
        }
        return 0;
}

/* ---- network ---- */

/* As the kernel's dev_valid_name(): 1..15 bytes, not "." nor "..", no '/', ':' or
 * whitespace; control characters are refused too. */
static bool ifname_is_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
                return false;
        for (; *s; s++)
                if ((unsigned char) *s <= ' ' || *s == 0x7f || *s == '/' || *s == ':')
                        return false;
        return true;
}

static int parse_network(JsonObject *o, const char *prefix, OciResources *res, char **ret_error) {
        char base[BASE_LEN], path[ARRAY_LEN], elem[ELEM_LEN], field[PATH_LEN];
        JsonArray *a;
        void *buf;
        snprintf(base, sizeof(base), "%s.network", prefix);
        int r = get_array(o, base, "priorities", sizeof(OciNetPriority), path, &a, &buf, ret_error);
        if (r <= 0)
                return r;
        res->net_priorities = buf;
        for (guint i = 0; i < json_array_get_length(a); i++) {
                _cleanup_free_ char *name = NULL;
                JsonObject *e;
                int64_t v;
                if ((r = array_object(a, i, path, elem, &e, ret_error)) < 0)
                        return r;
                snprintf(field, sizeof(field), "%s.name", elem);
                if ((r = cfg_get_string(e, "name", field, true, &name, ret_error)) < 0)
                        return r;
                if (!ifname_is_valid(name))
                        return errmsg_plain(ret_error, -EINVAL, "%s: not an interface name: \"%.32s\"", field, name);
                if ((r = get_int(e, elem, "priority", true, 0, UINT32_MAX, NULL, &v, ret_error)) < 0)
                        return r;
                res->net_priorities[i] = (OciNetPriority) { .name = TAKE_PTR(name), .priority = (uint32_t) v };
                res->n_net_priorities++;
        }
        return 0;
}

/* ---- devices ---- */

static int parse_device_rules(JsonObject *o, const char *prefix, OciResources *res, char **ret_error) {
        char path[ARRAY_LEN], elem[ELEM_LEN], field[PATH_LEN];
        JsonArray *a;
        void *buf;
        int r = get_array(o, prefix, "devices", sizeof(OciDeviceRule), path, &a, &buf, ret_error);
        if (r <= 0)
                return r;
        res->devices = buf;
        for (guint i = 0; i < json_array_get_length(a); i++) {
                _cleanup_free_ char *type = NULL, *access = NULL;
                OciDeviceRule *d = &res->devices[i];
                JsonObject *e;
                if ((r = array_object(a, i, path, elem, &e, ret_error)) < 0)
                        return r;
                snprintf(field, sizeof(field), "%s.allow", elem);
                if ((r = cfg_get_bool(e, "allow", field, &d->allow, ret_error)) < 0)
                        return r;
                if (r == 0)
                        return cfg_missing(field, ret_error);

                snprintf(field, sizeof(field), "%s.type", elem);
                if ((r = cfg_get_string(e, "type", field, false, &type, ret_error)) < 0)
                        return r;
                if (!type)
                        d->type = 'a';
                else if (strcmp(type, "a") == 0 || strcmp(type, "b") == 0 || strcmp(type, "c") == 0)
                        d->type = type[0];
                else
                        return errmsg_plain(ret_error, -EINVAL, "%s: unknown device type \"%.32s\" (a, b or c)", field,
                                            type);

                /* Absent or -1: any. */
                if ((r = get_int(e, elem, "major", false, -1, UINT32_MAX, "-1 or an integer from 0 to 4294967295",
                                 &d->major, ret_error)) < 0)
                        return r;
                if (r == 0)
                        d->major = -1;
                if ((r = get_int(e, elem, "minor", false, -1, UINT32_MAX, "-1 or an integer from 0 to 4294967295",
                                 &d->minor, ret_error)) < 0)
                        return r;
                if (r == 0)
                        d->minor = -1;

                snprintf(field, sizeof(field), "%s.access", elem);
                if ((r = cfg_get_string(e, "access", field, false, &access, ret_error)) < 0)
                        return r;
                if (!access) {
                        strcpy(d->access, "rwm");
                } else {
                        bool seen[3] = {};
                        size_t k = 0;
                        for (const char *c = access; *c; c++) {
                                const char *at = strchr("rwm", *c);
                                if (!at || seen[at - "rwm"])
                                        return errmsg_plain(ret_error, -EINVAL,
                                                            "%s: must be a non-empty subset of \"rwm\": \"%.32s\"",
                                                            field, access);
                                seen[at - "rwm"] = true;
                        }
                        for (size_t j = 0; j < 3; j++)
                                if (seen[j])
                                        d->access[k++] = "rwm"[j];
                        if (k == 0)
                                return errmsg_plain(ret_error, -EINVAL,
                                                    "%s: must be a non-empty subset of \"rwm\": \"\"", field);
                        d->access[k] = 0;
                }
                res->n_devices++;
        }
        return 0;
}

/* The devices every container has (runtime-spec config-linux.md, "Default Devices", and
 * the pty and tun nodes runc also allows): a device rule list that starts with "deny all", as
 * every podman or containerd config does, must not take them away, nor mknod itself. */
static const OciDeviceRule default_device_rules[] = {
        { true, 'c', -1, -1, "m" },  { true, 'b', -1, -1, "m" },
        { true, 'c', 1, 3, "rwm" },  /* null */
        { true, 'c', 1, 5, "rwm" },  /* zero */
        { true, 'c', 1, 7, "rwm" },  /* full */
        { true, 'c', 1, 8, "rwm" },  /* random */
        { true, 'c', 1, 9, "rwm" },  /* urandom */
        { true, 'c', 5, 0, "rwm" },  /* tty */
        { true, 'c', 5, 1, "rwm" },  /* console */
        { true, 'c', 5, 2, "rwm" },  /* ptmx */
        { true, 'c', 136, -1, "rwm" }, /* pts */
        { true, 'c', 10, 200, "rwm" }, /* net/tun */
};

int oci_resources_allow_devices(OciResources *res, const OciDevice *devices, size_t n) {
        if (!res || !res->devices)
                return 0; /* no device rules: nothing is restricted */
        size_t total = res->n_devices + ELEMENTSOF(default_device_rules) + n;
        OciDeviceRule *d = reallocarray(res->devices, total, sizeof(OciDeviceRule));
        if (!d)
                return -ENOMEM;
        res->devices = d;
        for (size_t i = 0; i < ELEMENTSOF(default_device_rules); i++)
                d[res->n_devices++] = default_device_rules[i];
        for (size_t i = 0; i < n; i++) {
                if (devices[i].type != S_IFCHR && devices[i].type != S_IFBLK)
                        continue; /* a FIFO is no device */
                d[res->n_devices++] = (OciDeviceRule) {
                        .allow = true,
                        .type = devices[i].type == S_IFBLK ? 'b' : 'c',
                        .major = devices[i].major,
                        .minor = devices[i].minor,
                        .access = "rwm",
                };
        }
        return 0;
}

/* ---- unified ---- */

/* Writing these would move processes out of the container's cgroup, change which controllers
 * its children get, kill or freeze it behind the runtime's back, or make it threaded: the
 * runtime's placement and freezer depend on them. Other cgroup.* files (cgroup.max.depth,
 * cgroup.max.descendants, cgroup.pressure) are a delegate's to set. */
static const char *const unified_refused[] = {
        "cgroup.procs", "cgroup.threads", "cgroup.subtree_control", "cgroup.kill", "cgroup.type", "cgroup.freeze",
};

/* A file in the container's own cgroup directory: "controller.knob", nothing else. */
static bool unified_key_is_valid(const char *k) {
        size_t n = strlen(k);
        if (n == 0 || n > 255 || k[0] == '.' || !strchr(k, '.'))
                return false;
        for (; *k; k++)
                if ((unsigned char) *k <= ' ' || *k == 0x7f || *k == '/')
                        return false;
        return true;
}

static int parse_unified(JsonObject *o, const char *prefix, OciResources *res, char **ret_error) {
        char path[PATH_LEN];
        JsonObject *u;
        snprintf(path, sizeof(path), "%s.unified", prefix);
        int r = cfg_get_object(o, "unified", path, false, &u, ret_error);
        if (r <= 0)
                return r;
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        g_autoptr(GList) names = json_object_get_members(u);
        for (GList *it = names; it; it = it->next) {
                const char *key = it->data;
                JsonNode *n = json_object_get_member(u, key);
                if (!unified_key_is_valid(key))
                        return errmsg_plain(ret_error, -EINVAL,
                                            "%s: invalid file name \"%.64s\" (controller.knob expected)", path, key);
                for (size_t i = 0; i < ELEMENTSOF(unified_refused); i++)
                        if (strcmp(key, unified_refused[i]) == 0)
                                return errmsg_plain(ret_error, -EPERM,
                                                    "%s: \"%s\" may not be set (placement and freezing rely on it)",
                                                    path, key);
                if (!cfg_node_is(n, G_TYPE_STRING))
                        return errmsg_plain(ret_error, -EINVAL, "%s.%s: must be a string", path, key);
                const char *value = json_node_get_string(n);
                /* One write, one value: a newline would let the kernel read a second one. */
                if (strchr(value, '\n'))
                        return errmsg_plain(ret_error, -EINVAL, "%s.%s: must not contain a newline", path, key);
                if (strv_extend(&l, key) < 0 || strv_extend(&l, value) < 0)
                        return -ENOMEM;
        }
        strv_free(res->unified);
        res->unified = TAKE_PTR(l);
        return 0;
}

/* ---- the whole object ---- */

static int parse_resources(JsonObject *o, const char *prefix, OciResources *res, char **ret_error) {
        char path[PATH_LEN];
        int r;

        for (size_t s = 0; s < ELEMENTSOF(sections); s++) {
                JsonObject *so;
                snprintf(path, sizeof(path), "%s.%s", prefix, sections[s]);
                if ((r = cfg_get_object(o, sections[s], path, false, &so, ret_error)) < 0)
                        return r;
                if (r == 0)
                        continue;
                for (size_t i = 0; i < ELEMENTSOF(scalars); i++)
                        if (strcmp(scalars[i].section, sections[s]) == 0 &&
                            (r = parse_scalar(so, prefix, &scalars[i], res, ret_error)) < 0)
                                return r;
                if (strcmp(sections[s], "memory") == 0)
                        r = parse_memory(so, prefix, res, ret_error);
                else if (strcmp(sections[s], "cpu") == 0)
                        r = parse_cpu(so, prefix, res, ret_error);
                else if (strcmp(sections[s], "blockIO") == 0)
                        r = parse_block_io(so, prefix, res, ret_error);
                else if (strcmp(sections[s], "network") == 0)
                        r = parse_network(so, prefix, res, ret_error);
                if (r < 0)
                        return r;
        }
        if ((r = parse_hugepages(o, prefix, res, ret_error)) < 0 ||
            (r = parse_device_rules(o, prefix, res, ret_error)) < 0 ||
            (r = parse_unified(o, prefix, res, ret_error)) < 0)
                return r;
        /* RDMA limits would be silently dropped: refused until a backend applies them. Other
         * unknown members are ignored, as everywhere in the config (the spec says so). */
        snprintf(path, sizeof(path), "%s.rdma", prefix);
        if ((r = cfg_refuse_unsupported(o, "rdma", path, ret_error)) < 0)
                return r;
        return 0;
}

int cfg_parse_resources(JsonObject *linux_obj, OciResources **ret, char **ret_error) {
        JsonObject *o;
        int r = cfg_get_object(linux_obj, "resources", "linux.resources", false, &o, ret_error);
        if (r <= 0)
                return r;
        _cleanup_(oci_resources_freep) OciResources *res = calloc(1, sizeof(OciResources));
        if (!res)
                return -ENOMEM;
        if ((r = parse_resources(o, "linux.resources", res, ret_error)) < 0)
                return r;
        *ret = TAKE_PTR(res);
        return 1;
}

static int parse_document(const char *data, size_t size, OciResources **ret, char **ret_error) {
        g_autoptr(JsonParser) parser = NULL;
        JsonObject *root;
        int r = cfg_load_object(data, size, "resources: must be a JSON object", &parser, &root, ret_error);
        if (r < 0)
                return r;

        _cleanup_(oci_resources_freep) OciResources *res = calloc(1, sizeof(OciResources));
        if (!res)
                return -ENOMEM;
        if ((r = parse_resources(root, "resources", res, ret_error)) < 0)
                return r;
        *ret = TAKE_PTR(res);
        return 0;
}

int oci_resources_parse(const char *data, size_t size, OciResources **ret, char **ret_error) {
        int r = parse_document(data, size, ret, ret_error);
        if (r < 0)
                cfg_escape_error(ret_error);
        return r;
}

bool oci_resources_is_empty(const OciResources *r) {
        if (!r)
                return true;
        for (size_t i = 0; i < ELEMENTSOF(scalars); i++)
                if (scalar_has(r, &scalars[i]))
                        return false;
        return !r->cpus && !r->mems && r->n_weight_devices == 0 && r->n_throttle_read_bps == 0 &&
               r->n_throttle_write_bps == 0 && r->n_throttle_read_iops == 0 && r->n_throttle_write_iops == 0 &&
               r->n_hugepage_limits == 0 && r->n_net_priorities == 0 && r->n_devices == 0 &&
               strv_length(r->unified) == 0;
}

/* ---- merge ---- */

static int dup_array(const void *src, size_t n, size_t elem_size, void **ret) {
        void *p = calloc(n ? n : 1, elem_size);
        if (!p)
                return -ENOMEM;
        if (n)
                memcpy(p, src, n * elem_size);
        *ret = p;
        return 0;
}

/* Replaces dst's array by a copy of src's when src has one (a given array, even empty). */
#define MERGE_ARRAY(field)                                                                              \
        do {                                                                                            \
                if (src->field) {                                                                       \
                        void *_p;                                                                       \
                        if (dup_array(src->field, src->n_##field, sizeof(*src->field), &_p) < 0)        \
                                return -ENOMEM;                                                         \
                        free(dst->field);                                                               \
                        dst->field = _p;                                                                \
                        dst->n_##field = src->n_##field;                                                \
                }                                                                                       \
        } while (0)

static int merge_string(char **dst, const char *src) {
        if (!src)
                return 0;
        char *s = strdup(src);
        if (!s)
                return -ENOMEM;
        free(*dst);
        *dst = s;
        return 0;
}

/* May leave dst half-merged on -ENOMEM: only called on a scratch copy. */
static int merge_into(OciResources *dst, const OciResources *src) {
        for (size_t i = 0; i < ELEMENTSOF(scalars); i++)
                if (scalar_has(src, &scalars[i]))
                        scalar_set(dst, &scalars[i], scalar_get(src, &scalars[i]));
        if (merge_string(&dst->cpus, src->cpus) < 0 || merge_string(&dst->mems, src->mems) < 0)
                return -ENOMEM;
        MERGE_ARRAY(weight_devices);
        MERGE_ARRAY(throttle_read_bps);
        MERGE_ARRAY(throttle_write_bps);
        MERGE_ARRAY(throttle_read_iops);
        MERGE_ARRAY(throttle_write_iops);
        MERGE_ARRAY(devices);

        if (src->hugepage_limits) {
                OciHugepageLimit *h = calloc(src->n_hugepage_limits ?: 1, sizeof(OciHugepageLimit));
                if (!h)
                        return -ENOMEM;
                for (size_t i = 0; i < src->n_hugepage_limits; i++) {
                        h[i] = src->hugepage_limits[i];
                        if (!(h[i].page_size = strdup(src->hugepage_limits[i].page_size))) {
                                while (i > 0)
                                        free(h[--i].page_size);
                                free(h);
                                return -ENOMEM;
                        }
                }
                for (size_t i = 0; i < dst->n_hugepage_limits; i++)
                        free(dst->hugepage_limits[i].page_size);
                free(dst->hugepage_limits);
                dst->hugepage_limits = h;
                dst->n_hugepage_limits = src->n_hugepage_limits;
        }
        if (src->net_priorities) {
                OciNetPriority *p = calloc(src->n_net_priorities ?: 1, sizeof(OciNetPriority));
                if (!p)
                        return -ENOMEM;
                for (size_t i = 0; i < src->n_net_priorities; i++) {
                        p[i] = src->net_priorities[i];
                        if (!(p[i].name = strdup(src->net_priorities[i].name))) {
                                while (i > 0)
                                        free(p[--i].name);
                                free(p);
                                return -ENOMEM;
                        }
                }
                for (size_t i = 0; i < dst->n_net_priorities; i++)
                        free(dst->net_priorities[i].name);
                free(dst->net_priorities);
                dst->net_priorities = p;
                dst->n_net_priorities = src->n_net_priorities;
        }

        /* unified is a map: each file given in src is set, the others stay. */
        if (src->unified && !dst->unified && !(dst->unified = calloc(1, sizeof(char *))))
                return -ENOMEM;
        for (char **k = src->unified; k && k[0] && k[1]; k += 2) {
                char **d = dst->unified;
                while (d[0] && strcmp(d[0], k[0]) != 0)
                        d += 2;
                if (d[0]) {
                        if (merge_string(&d[1], k[1]) < 0)
                                return -ENOMEM;
                } else if (strv_extend(&dst->unified, k[0]) < 0 || strv_extend(&dst->unified, k[1]) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int oci_resources_merge(OciResources *dst, const OciResources *src) {
        /* Into a copy first: dst is either fully merged or untouched. */
        OciResources tmp = {};
        if (merge_into(&tmp, dst) < 0 || merge_into(&tmp, src) < 0) {
                oci_resources_done(&tmp);
                return -ENOMEM;
        }
        oci_resources_done(dst);
        *dst = tmp;
        return 0;
}

/* ---- back to JSON ---- */

static void add_int(JsonBuilder *b, const char *name, int64_t v) {
        json_builder_set_member_name(b, name);
        json_builder_add_int_value(b, v);
}

static void add_string(JsonBuilder *b, const char *name, const char *v) {
        json_builder_set_member_name(b, name);
        json_builder_add_string_value(b, v);
}

static void add_throttle(JsonBuilder *b, const char *name, const OciThrottleDevice *t, size_t n) {
        if (!t)
                return;
        json_builder_set_member_name(b, name);
        json_builder_begin_array(b);
        for (size_t i = 0; i < n; i++) {
                json_builder_begin_object(b);
                add_int(b, "major", t[i].major);
                add_int(b, "minor", t[i].minor);
                add_int(b, "rate", (int64_t) t[i].rate);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
}

static bool section_is_set(const OciResources *r, const char *section) {
        for (size_t i = 0; i < ELEMENTSOF(scalars); i++)
                if (strcmp(scalars[i].section, section) == 0 && scalar_has(r, &scalars[i]))
                        return true;
        if (strcmp(section, "cpu") == 0)
                return r->cpus || r->mems;
        if (strcmp(section, "blockIO") == 0)
                return r->weight_devices || r->throttle_read_bps || r->throttle_write_bps || r->throttle_read_iops ||
                       r->throttle_write_iops;
        if (strcmp(section, "network") == 0)
                return r->net_priorities;
        return false;
}

static void add_section(JsonBuilder *b, const OciResources *r, const char *section) {
        if (!section_is_set(r, section))
                return;
        json_builder_set_member_name(b, section);
        json_builder_begin_object(b);
        for (size_t i = 0; i < ELEMENTSOF(scalars); i++) {
                const Scalar *s = &scalars[i];
                if (strcmp(s->section, section) != 0 || !scalar_has(r, s))
                        continue;
                json_builder_set_member_name(b, s->name);
                if (s->kind == SCALAR_BOOL)
                        json_builder_add_boolean_value(b, scalar_get(r, s) != 0);
                else
                        json_builder_add_int_value(b, scalar_get(r, s));
        }
        if (strcmp(section, "cpu") == 0) {
                if (r->cpus)
                        add_string(b, "cpus", r->cpus);
                if (r->mems)
                        add_string(b, "mems", r->mems);
        } else if (strcmp(section, "blockIO") == 0) {
                if (r->weight_devices) {
                        json_builder_set_member_name(b, "weightDevice");
                        json_builder_begin_array(b);
                        for (size_t i = 0; i < r->n_weight_devices; i++) {
                                const OciWeightDevice *d = &r->weight_devices[i];
                                json_builder_begin_object(b);
                                add_int(b, "major", d->major);
                                add_int(b, "minor", d->minor);
                                if (d->has_weight)
                                        add_int(b, "weight", d->weight);
                                if (d->has_leaf_weight)
                                        add_int(b, "leafWeight", d->leaf_weight);
                                json_builder_end_object(b);
                        }
                        json_builder_end_array(b);
                }
                add_throttle(b, "throttleReadBpsDevice", r->throttle_read_bps, r->n_throttle_read_bps);
                add_throttle(b, "throttleWriteBpsDevice", r->throttle_write_bps, r->n_throttle_write_bps);
                add_throttle(b, "throttleReadIOPSDevice", r->throttle_read_iops, r->n_throttle_read_iops);
                add_throttle(b, "throttleWriteIOPSDevice", r->throttle_write_iops, r->n_throttle_write_iops);
        } else if (strcmp(section, "network") == 0 && r->net_priorities) {
                json_builder_set_member_name(b, "priorities");
                json_builder_begin_array(b);
                for (size_t i = 0; i < r->n_net_priorities; i++) {
                        json_builder_begin_object(b);
                        add_string(b, "name", r->net_priorities[i].name);
                        add_int(b, "priority", r->net_priorities[i].priority);
                        json_builder_end_object(b);
                }
                json_builder_end_array(b);
        }
        json_builder_end_object(b);
}

char *oci_resources_to_json(const OciResources *r) {
        static const OciResources empty = {};
        g_autoptr(JsonBuilder) b = json_builder_new();
        if (!r)
                r = &empty;
        json_builder_begin_object(b);
        for (size_t s = 0; s < ELEMENTSOF(sections); s++)
                add_section(b, r, sections[s]);
        if (r->hugepage_limits) {
                json_builder_set_member_name(b, "hugepageLimits");
                json_builder_begin_array(b);
                for (size_t i = 0; i < r->n_hugepage_limits; i++) {
                        json_builder_begin_object(b);
                        add_string(b, "pageSize", r->hugepage_limits[i].page_size);
                        add_int(b, "limit", (int64_t) r->hugepage_limits[i].limit);
                        json_builder_end_object(b);
                }
                json_builder_end_array(b);
        }
        if (r->devices) {
                json_builder_set_member_name(b, "devices");
                json_builder_begin_array(b);
                for (size_t i = 0; i < r->n_devices; i++) {
                        const OciDeviceRule *d = &r->devices[i];
                        char type[2] = { d->type, 0 };
                        json_builder_begin_object(b);
                        json_builder_set_member_name(b, "allow");
                        json_builder_add_boolean_value(b, d->allow);
                        add_string(b, "type", type);
                        if (d->major != -1)
                                add_int(b, "major", d->major);
                        if (d->minor != -1)
                                add_int(b, "minor", d->minor);
                        add_string(b, "access", d->access);
                        json_builder_end_object(b);
                }
                json_builder_end_array(b);
        }
        if (r->unified) {
                json_builder_set_member_name(b, "unified");
                json_builder_begin_object(b);
                for (char **k = r->unified; k[0] && k[1]; k += 2)
                        add_string(b, k[0], k[1]);
                json_builder_end_object(b);
        }
        json_builder_end_object(b);

        g_autoptr(JsonNode) root = json_builder_get_root(b);
        g_autoptr(JsonGenerator) gen = json_generator_new();
        json_generator_set_root(gen, root);
        g_autofree char *text = json_generator_to_data(gen, NULL);
        return text ? strdup(text) : NULL;
}
