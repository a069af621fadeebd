/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What is done with a validated OciResources (oci-resources.h) besides parsing it, which
 * oci-config-resources.c does: freeing, emptiness, merging (`update`), the default device
 * rules, and back to JSON (resources.json). One table of the scalar members drives the parser
 * and these alike (oci-resources-internal.h). */

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "macros.h"
#include "strv.h"
#include "json-util.h"
#include "oci-config.h"
#include "oci-resources-internal.h"


/* ---- the scalar members: one table drives parsing, merging, emptiness and JSON ---- */

/* uint64 members take 0..INT64_MAX: json-guard refuses larger integers anyway. */
const Scalar oci_resource_scalars[] = {
        SCALAR("memory", "limit", SCALAR_INT64, -1, INT64_MAX, "-1 or a non-negative integer", has_memory_limit,
               memory_limit),
        SCALAR("memory", "reservation", SCALAR_INT64, -1, INT64_MAX, "-1 or a non-negative integer",
               has_memory_reservation, memory_reservation),
        SCALAR("memory", "swap", SCALAR_INT64, -1, INT64_MAX, "-1 or a non-negative integer", has_memory_swap,
               memory_swap),
        SCALAR("memory", "swappiness", SCALAR_UINT64, 0, 100, NULL, has_memory_swappiness, memory_swappiness),
        SCALAR("memory", "disableOOMKiller", SCALAR_BOOL, 0, 1, NULL, has_disable_oom_killer, disable_oom_killer),
        /* Any integer, as before they were applied: kernel is only warned about. */
        SCALAR("memory", "kernel", SCALAR_INT64, INT64_MIN, INT64_MAX, "an integer", has_memory_kernel, memory_kernel),
        SCALAR("memory", "kernelTCP", SCALAR_INT64, -1, INT64_MAX, "-1 or a non-negative integer",
               has_memory_kernel_tcp, memory_kernel_tcp),
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

const char *const oci_resource_sections[] = { "memory", "cpu", "pids", "blockIO", "network" };
const size_t oci_resource_n_scalars = ELEMENTSOF(oci_resource_scalars);
const size_t oci_resource_n_sections = ELEMENTSOF(oci_resource_sections);

bool scalar_has(const OciResources *r, const Scalar *s) {
        return *(const bool *) ((const uint8_t *) r + s->has);
}

int64_t scalar_get(const OciResources *r, const Scalar *s) {
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

void scalar_set(OciResources *r, const Scalar *s, int64_t v) {
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

bool oci_resources_is_empty(const OciResources *r) {
        if (!r)
                return true;
        for (size_t i = 0; i < oci_resource_n_scalars; i++)
                if (scalar_has(r, &oci_resource_scalars[i]) && oci_resource_scalars[i].value != offsetof(OciResources, memory_kernel))
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
        for (size_t i = 0; i < oci_resource_n_scalars; i++)
                if (scalar_has(src, &oci_resource_scalars[i]))
                        scalar_set(dst, &oci_resource_scalars[i], scalar_get(src, &oci_resource_scalars[i]));
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

static void add_throttle(JsonBuilder *b, const char *name, const OciThrottleDevice *t, size_t n) {
        if (!t)
                return;
        json_builder_set_member_name(b, name);
        json_builder_begin_array(b);
        for (size_t i = 0; i < n; i++) {
                json_builder_begin_object(b);
                json_add_int(b, "major", t[i].major);
                json_add_int(b, "minor", t[i].minor);
                json_add_int(b, "rate", (int64_t) t[i].rate);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
}

static bool section_is_set(const OciResources *r, const char *section) {
        for (size_t i = 0; i < oci_resource_n_scalars; i++)
                if (strcmp(oci_resource_scalars[i].section, section) == 0 && scalar_has(r, &oci_resource_scalars[i]))
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
        for (size_t i = 0; i < oci_resource_n_scalars; i++) {
                const Scalar *s = &oci_resource_scalars[i];
                if (strcmp(s->section, section) != 0 || !scalar_has(r, s))
                        continue;
                if (s->kind == SCALAR_BOOL)
                        json_add_bool(b, s->name, scalar_get(r, s) != 0);
                else
                        json_add_int(b, s->name, scalar_get(r, s));
        }
        if (strcmp(section, "cpu") == 0) {
                if (r->cpus)
                        json_add_string(b, "cpus", r->cpus);
                if (r->mems)
                        json_add_string(b, "mems", r->mems);
        } else if (strcmp(section, "blockIO") == 0) {
                if (r->weight_devices) {
                        json_builder_set_member_name(b, "weightDevice");
                        json_builder_begin_array(b);
                        for (size_t i = 0; i < r->n_weight_devices; i++) {
                                const OciWeightDevice *d = &r->weight_devices[i];
                                json_builder_begin_object(b);
                                json_add_int(b, "major", d->major);
                                json_add_int(b, "minor", d->minor);
                                if (d->has_weight)
                                        json_add_int(b, "weight", d->weight);
                                if (d->has_leaf_weight)
                                        json_add_int(b, "leafWeight", d->leaf_weight);
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
                        json_add_string(b, "name", r->net_priorities[i].name);
                        json_add_int(b, "priority", r->net_priorities[i].priority);
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
        for (size_t s = 0; s < oci_resource_n_sections; s++)
                add_section(b, r, oci_resource_sections[s]);
        if (r->hugepage_limits) {
                json_builder_set_member_name(b, "hugepageLimits");
                json_builder_begin_array(b);
                for (size_t i = 0; i < r->n_hugepage_limits; i++) {
                        json_builder_begin_object(b);
                        json_add_string(b, "pageSize", r->hugepage_limits[i].page_size);
                        json_add_int(b, "limit", (int64_t) r->hugepage_limits[i].limit);
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
                        json_add_bool(b, "allow", d->allow);
                        json_add_string(b, "type", type);
                        if (d->major != -1)
                                json_add_int(b, "major", d->major);
                        if (d->minor != -1)
                                json_add_int(b, "minor", d->minor);
                        json_add_string(b, "access", d->access);
                        json_builder_end_object(b);
                }
                json_builder_end_array(b);
        }
        if (r->unified)
                json_add_string_map(b, "unified", r->unified);
        json_builder_end_object(b);
        return json_builder_text(b, 0);
}
