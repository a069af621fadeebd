/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.resources -> OciResources (oci-resources.h); the rest of what is done with one is in
 * oci-resources.c. Validation only, before
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

#include "errmsg.h"
#include "parse-util.h"
#include "strv.h"
#include "string-util.h"
#include "oci-config.h"
#include "oci-config-json.h"
#include "oci-resources-internal.h"

/* Nested so that the compiler sees each name fit: a section, an array, an element, a member. */
#define BASE_LEN 64
#define ARRAY_LEN 96
#define ELEM_LEN 128
#define PATH_LEN 192

static int parse_scalar(JsonObject *section, const char *prefix, const Scalar *s, OciResources *r, char **ret_error) {
        char path[PATH_LEN];
        JsonNode *n = json_member(section, s->name);
        if (!n)
                return 0;
        snprintf(path, sizeof(path), "%s.%s.%s", prefix, s->section, s->name);
        if (s->kind == SCALAR_BOOL) {
                if (!json_holds(n, G_TYPE_BOOLEAN))
                        return errmsg_plain(ret_error, -EINVAL, "%s: must be true or false", path);
                scalar_set(r, s, json_node_get_boolean(n));
                return 1;
        }
        if (!json_holds(n, G_TYPE_INT64) || json_node_get_int(n) < s->min || json_node_get_int(n) > s->max) {
                int64_t unused;
                if (!s->expect)
                        return json_int_in_range(n, path, s->min, s->max, &unused, ret_error);
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
        JsonNode *n = json_member(o, name);
        if (!n)
                return required ? json_missing(path, ret_error) : 0;
        if (!expect)
                return json_int_in_range(n, path, min, max, ret, ret_error);
        if (!json_holds(n, G_TYPE_INT64) || json_node_get_int(n) < min || json_node_get_int(n) > max)
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
        int r = json_get_array(o, name, ret_path, false, ret_a, ret_error);
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
        /* Accepted and ignored, as runc does: useHierarchy is always on in current kernels, and
         * checkBeforeUpdate (refuse an update below the current usage) is not implemented by
         * this version; the kernel reclaims instead. Their types are still checked. kernel and
         * kernelTCP are scalars (the cgroup backends apply kernelTCP on v1 and warn about what
         * they cannot apply). */
        static const struct {
                const char *name;
                bool is_bool;
        } ignored[] = {
                { "useHierarchy", true },
                { "checkBeforeUpdate", true },
        };
        char path[PATH_LEN];
        for (size_t i = 0; i < ELEMENTSOF(ignored); i++) {
                JsonNode *n = json_member(o, ignored[i].name);
                if (!n)
                        continue;
                snprintf(path, sizeof(path), "%s.memory.%s", prefix, ignored[i].name);
                if (ignored[i].is_bool && !json_holds(n, G_TYPE_BOOLEAN))
                        return errmsg_plain(ret_error, -EINVAL, "%s: must be true or false", path);
                if (!ignored[i].is_bool && !json_holds(n, G_TYPE_INT64))
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
        int r = json_get_string(o, name, path, false, &s, ret_error);
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
                if ((r = json_get_string(e, "pageSize", field, true, &size, ret_error)) < 0)
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
                if ((r = json_get_string(e, "name", field, true, &name, ret_error)) < 0)
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
                if ((r = json_get_bool(e, "allow", field, false, &d->allow, ret_error)) < 0)
                        return r;
                if (r == 0)
                        return json_missing(field, ret_error);

                snprintf(field, sizeof(field), "%s.type", elem);
                if ((r = json_get_string(e, "type", field, false, &type, ret_error)) < 0)
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
                if ((r = json_get_string(e, "access", field, false, &access, ret_error)) < 0)
                        return r;
                if (!access) {
                        strcpy(d->access, "rwm");
                } else {
                        /* runc keeps the letters it knows and drops the rest ("rwa" from old
                         * tools is "rw"): so do we, saying so. */
                        bool seen[3] = {}, other = false;
                        size_t k = 0;
                        for (const char *c = access; *c; c++) {
                                const char *at = strchr("rwm", *c);
                                if (at)
                                        seen[at - "rwm"] = true;
                                else
                                        other = true;
                        }
                        for (size_t j = 0; j < 3; j++)
                                if (seen[j])
                                        d->access[k++] = "rwm"[j];
                        if (k == 0)
                                return errmsg_plain(ret_error, -EINVAL, "%s: must hold r, w or m: \"%.32s\"", field,
                                                    access);
                        char *w = NULL;
                        if (other && (asprintf(&w, "%s: \"%.32s\" is taken as \"%s\"", field, access, d->access) < 0 ||
                                      strv_consume(&res->warnings, w) < 0))
                                return -ENOMEM;
                        d->access[k] = 0;
                }
                res->n_devices++;
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
        int r = json_get_object(o, "unified", path, false, &u, ret_error);
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
                if (!json_holds(n, G_TYPE_STRING))
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

        for (size_t s = 0; s < oci_resource_n_sections; s++) {
                JsonObject *so;
                snprintf(path, sizeof(path), "%s.%s", prefix, oci_resource_sections[s]);
                if ((r = json_get_object(o, oci_resource_sections[s], path, false, &so, ret_error)) < 0)
                        return r;
                if (r == 0)
                        continue;
                for (size_t i = 0; i < oci_resource_n_scalars; i++)
                        if (strcmp(oci_resource_scalars[i].section, oci_resource_sections[s]) == 0 &&
                            (r = parse_scalar(so, prefix, &oci_resource_scalars[i], res, ret_error)) < 0)
                                return r;
                if (strcmp(oci_resource_sections[s], "memory") == 0)
                        r = parse_memory(so, prefix, res, ret_error);
                else if (strcmp(oci_resource_sections[s], "cpu") == 0)
                        r = parse_cpu(so, prefix, res, ret_error);
                else if (strcmp(oci_resource_sections[s], "blockIO") == 0)
                        r = parse_block_io(so, prefix, res, ret_error);
                else if (strcmp(oci_resource_sections[s], "network") == 0)
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
        int r = json_get_object(linux_obj, "resources", "linux.resources", false, &o, ret_error);
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
                escape_control_in_place(ret_error);
        return r;
}
