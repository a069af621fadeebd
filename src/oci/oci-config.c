/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json -> OciConfig: the top-level parse. It loads the document strictly (size limit,
 * json-guard, an object at the top), reads the top-level members, root, mounts, annotations
 * and linux's namespaces, id mappings and clocks itself, and calls the section parsers
 * (oci-config-{process,resources,seccomp,extras,hooks}.c) for the rest. Members are only ever
 * read through json-util.h's typed getters; every error names the field ("process.user.uid:
 * ..."), and members that cannot be honoured yet are refused rather than ignored. */

#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "errmsg.h"
#include "fd-util.h"
#include "string-util.h"
#include "strv.h"
#include "json-util.h"
#include "mount-opts.h"
#include "oci-config.h"
#include "oci-config-json.h"

#define HOSTNAME_MAX 64

static int parse_mounts(JsonObject *root, OciConfig *c, char **ret_error) {
        JsonArray *a;
        int r = json_get_array(root, "mounts", "mounts", false, &a, ret_error);
        if (r <= 0)
                return r;
        guint n = json_array_get_length(a);
        c->mounts = calloc(n ? n : 1, sizeof(OciMount));
        if (!c->mounts)
                return -ENOMEM;
        for (guint i = 0; i < n; i++) {
                char path[48], field[64];
                snprintf(path, sizeof(path), "mounts[%u]", i);
                JsonNode *e = json_array_get_element(a, i);
                if (!JSON_NODE_HOLDS_OBJECT(e))
                        return errmsg_plain(ret_error, -EINVAL, "%s: must be an object", path);
                JsonObject *mo = json_node_get_object(e);
                OciMount *m = &c->mounts[c->n_mounts++];

                snprintf(field, sizeof(field), "%s.destination", path);
                if ((r = json_get_string(mo, "destination", field, true, &m->destination, ret_error)) < 0)
                        return r;
                if (m->destination[0] != '/')
                        return errmsg_plain(ret_error, -EINVAL, "%s: must be an absolute path: \"%s\"", field,
                                            m->destination);
                snprintf(field, sizeof(field), "%s.type", path);
                if ((r = json_get_string(mo, "type", field, false, &m->type, ret_error)) < 0)
                        return r;
                snprintf(field, sizeof(field), "%s.source", path);
                if ((r = json_get_string(mo, "source", field, false, &m->source, ret_error)) < 0)
                        return r;
                snprintf(field, sizeof(field), "%s.options", path);
                if ((r = json_get_strv(mo, "options", field, NULL, &m->options, ret_error)) < 0)
                        return r;

                /* Idmapped mounts: not implemented, and a mount without its mapping would
                 * show the files with other owners than asked (features: idmap disabled). */
                static const char *const idmap_members[] = { "uidMappings", "gidMappings" };
                for (size_t k = 0; k < ELEMENTSOF(idmap_members); k++) {
                        snprintf(field, sizeof(field), "%s.%s", path, idmap_members[k]);
                        if ((r = cfg_refuse_unsupported(mo, idmap_members[k], field, ret_error)) < 0)
                                return r;
                }

                /* Bad options fail here, before anything exists, not half-way through the mounts. */
                MountOptions opts = {};
                _cleanup_free_ char *why = NULL;
                r = mount_options_parse(m->options, &opts, &why);
                if (r < 0)
                        return errmsg_plain(ret_error, r, "%s: %s", field, why ?: "invalid");
                bool bind = opts.bind;
                mount_options_done(&opts);
                if (bind && !m->source)
                        return errmsg_plain(ret_error, -EINVAL, "%s.source: missing for a bind mount", path);
        }
        return 0;
}

static int parse_namespaces(JsonObject *linux_, OciConfig *c, char **ret_error) {
        JsonArray *a;
        int r = json_get_array(linux_, "namespaces", "linux.namespaces", false, &a, ret_error);
        if (r <= 0)
                return r;
        guint n = json_array_get_length(a);
        c->namespaces = calloc(n ? n : 1, sizeof(OciNamespace));
        if (!c->namespaces)
                return -ENOMEM;
        for (guint i = 0; i < n; i++) {
                char path[48], field[64];
                _cleanup_free_ char *type = NULL, *ns_path = NULL;
                snprintf(path, sizeof(path), "linux.namespaces[%u]", i);
                JsonNode *e = json_array_get_element(a, i);
                if (!JSON_NODE_HOLDS_OBJECT(e))
                        return errmsg_plain(ret_error, -EINVAL, "%s: must be an object", path);
                JsonObject *no = json_node_get_object(e);
                snprintf(field, sizeof(field), "%s.type", path);
                if ((r = json_get_string(no, "type", field, true, &type, ret_error)) < 0)
                        return r;
                int t = namespace_type_from_string(type);
                if (t < 0)
                        return errmsg_plain(ret_error, -EINVAL, "%s: unknown namespace type \"%s\"", field, type);
                if (oci_config_find_namespace(c, t))
                        return errmsg_plain(ret_error, -EINVAL, "linux.namespaces: duplicate namespace \"%s\"", type);
                snprintf(field, sizeof(field), "%s.path", path);
                if ((r = json_get_string(no, "path", field, false, &ns_path, ret_error)) < 0)
                        return r;
                if (ns_path && ns_path[0] != '/')
                        return errmsg_plain(ret_error, -EINVAL, "%s: must be an absolute path: \"%s\"", field, ns_path);
                c->namespaces[c->n_namespaces++] = (OciNamespace) { .type = t, .path = TAKE_PTR(ns_path) };
        }
        return 0;
}

static int parse_id_mappings(JsonObject *linux_, const char *name, OciIdMapping **ret, size_t *ret_n,
                             char **ret_error) {
        char path[48];
        JsonArray *a;
        snprintf(path, sizeof(path), "linux.%s", name);
        int r = json_get_array(linux_, name, path, false, &a, ret_error);
        if (r <= 0)
                return r;
        guint n = json_array_get_length(a);
        /* The kernel takes at most 340 lines in uid_map. */
        if (n > 340)
                return errmsg_plain(ret_error, -E2BIG, "%s: more than 340 ranges", path);
        _cleanup_free_ OciIdMapping *m = calloc(n ? n : 1, sizeof(OciIdMapping));
        if (!m)
                return -ENOMEM;
        for (guint i = 0; i < n; i++) {
                static const char *const fields[] = { "containerID", "hostID", "size" };
                char field[80];
                int64_t v[3];
                JsonNode *e = json_array_get_element(a, i);
                if (!JSON_NODE_HOLDS_OBJECT(e))
                        return errmsg_plain(ret_error, -EINVAL, "%s[%u]: must be an object", path, i);
                for (size_t k = 0; k < 3; k++) {
                        snprintf(field, sizeof(field), "%s[%u].%s", path, i, fields[k]);
                        r = json_get_int(json_node_get_object(e), fields[k], field, false, k == 2 ? 1 : 0, UINT32_MAX, &v[k], ret_error);
                        if (r <= 0)
                                return r < 0 ? r : json_missing(field, ret_error);
                }
                if (v[0] + v[2] > UINT32_MAX || v[1] + v[2] > UINT32_MAX)
                        return errmsg_plain(ret_error, -ERANGE, "%s[%u]: range past 4294967295", path, i);
                m[i] = (OciIdMapping) { (uint32_t) v[0], (uint32_t) v[1], (uint32_t) v[2] };
        }
        *ret = TAKE_PTR(m);
        *ret_n = n;
        return 0;
}

/* linux.timeOffsets: {"monotonic"|"boottime": {"secs": N, "nanosecs": M}}. The kernel refuses
 * a clock that would end up negative or past KTIME_SEC_MAX / 2 when the offsets are written;
 * what no clock could ever satisfy is refused here. */
static int parse_time_offsets(JsonObject *linux_, OciConfig *c, char **ret_error) {
        const int64_t secs_max = INT64_MAX / 1000000000 / 2;
        JsonObject *o;
        int r = json_get_object(linux_, "timeOffsets", "linux.timeOffsets", false, &o, ret_error);
        if (r <= 0)
                return r;
        g_autoptr(GList) names = json_object_get_members(o);
        for (GList *l = names; l; l = l->next) {
                const char *name = l->data;
                OciTimeOffset *t = strcmp(name, "monotonic") == 0 ? &c->monotonic_offset
                                   : strcmp(name, "boottime") == 0 ? &c->boottime_offset
                                                             : NULL;
                char path[80];
                JsonObject *co;
                int64_t v;
                if (!t)
                        return errmsg_plain(ret_error, -EINVAL,
                                            "linux.timeOffsets: unknown clock \"%.32s\" (monotonic or boottime)", name);
                snprintf(path, sizeof(path), "linux.timeOffsets.%s", name);
                if ((r = json_get_object(o, name, path, false, &co, ret_error)) <= 0)
                        return r;
                snprintf(path, sizeof(path), "linux.timeOffsets.%s.secs", name);
                if ((r = json_get_int(co, "secs", path, false, -secs_max, secs_max, &v, ret_error)) < 0)
                        return r;
                t->secs = r > 0 ? v : 0;
                snprintf(path, sizeof(path), "linux.timeOffsets.%s.nanosecs", name);
                if ((r = json_get_int(co, "nanosecs", path, false, 0, 999999999, &v, ret_error)) < 0)
                        return r;
                t->nanosecs = r > 0 ? (uint32_t) v : 0;
                t->set = true;
        }
        return 0;
}

static int parse_linux(JsonObject *root, OciConfig *c, char **ret_error) {
        JsonObject *l;
        int r = json_get_object(root, "linux", "linux", false, &l, ret_error);
        if (r <= 0)
                return r;
        if ((r = parse_namespaces(l, c, ret_error)) < 0 ||
            (r = parse_id_mappings(l, "uidMappings", &c->uid_mappings, &c->n_uid_mappings, ret_error)) < 0 ||
            (r = parse_id_mappings(l, "gidMappings", &c->gid_mappings, &c->n_gid_mappings, ret_error)) < 0 ||
            (r = parse_time_offsets(l, c, ret_error)) < 0 ||
            (r = json_get_strv(l, "maskedPaths", "linux.maskedPaths", cfg_check_absolute, &c->masked_paths, ret_error)) < 0 ||
            (r = json_get_strv(l, "readonlyPaths", "linux.readonlyPaths", cfg_check_absolute, &c->readonly_paths, ret_error)) < 0 ||
            (r = json_get_string(l, "rootfsPropagation", "linux.rootfsPropagation", false, &c->rootfs_propagation, ret_error)) < 0 ||
            (r = json_get_string(l, "cgroupsPath", "linux.cgroupsPath", false, &c->cgroups_path, ret_error)) < 0 ||
            (r = json_get_string(l, "mountLabel", "linux.mountLabel", false, &c->mount_label, ret_error)) < 0 ||
            (r = cfg_parse_seccomp(l, &c->seccomp, ret_error)) < 0 ||
            (r = cfg_parse_resources(l, &c->resources, ret_error)) < 0)
                return r;
        unsigned long propagation;
        if (c->rootfs_propagation && mount_propagation_from_string(c->rootfs_propagation, &propagation) < 0)
                return errmsg_plain(ret_error, -EINVAL, "linux.rootfsPropagation: unknown propagation \"%s\"",
                                    c->rootfs_propagation);

        /* What follows would change what the container may do: refused until it is
         * implemented. */
        if ((r = cfg_parse_linux_extras(l, c, ret_error)) < 0)
                return r;
        static const char *const refused[] = { "intelRdt", "netDevices" };
        for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                char path[48];
                snprintf(path, sizeof(path), "linux.%s", refused[i]);
                if ((r = cfg_refuse_unsupported(l, refused[i], path, ret_error)) < 0)
                        return r;
        }
        return 0;
}

static int parse_root(JsonObject *root, OciConfig *c, char **ret_error) {
        JsonObject *o;
        int r = json_get_object(root, "root", "root", true, &o, ret_error);
        if (r < 0)
                return r;
        if ((r = json_get_string(o, "path", "root.path", true, &c->root_path, ret_error)) < 0 ||
            (r = json_get_bool(o, "readonly", "root.readonly", false, &c->root_readonly, ret_error)) < 0)
                return r;
        if (c->root_path[0] == 0)
                return errmsg_plain(ret_error, -EINVAL, "root.path: must not be empty");
        return 0;
}

static int parse_document(const char *data, size_t size, OciConfig **ret, char **ret_error) {
        g_autoptr(JsonParser) parser = NULL;
        JsonObject *root;
        int r = cfg_load_object(data, size, "the document must be a JSON object", &parser, &root, ret_error);
        if (r < 0)
                return r;

        _cleanup_oci_config_ OciConfig *c = calloc(1, sizeof(OciConfig));
        if (!c)
                return -ENOMEM;
        if ((r = json_get_string(root, "ociVersion", "ociVersion", true, &c->oci_version, ret_error)) < 0)
                return r;
        if (strncmp(c->oci_version, "1.", 2) != 0)
                return errmsg_plain(ret_error, -EINVAL, "ociVersion: unsupported version \"%s\" (1.x expected)",
                                    c->oci_version);
        if ((r = parse_root(root, c, ret_error)) < 0)
                return r;
        if ((r = json_get_string(root, "hostname", "hostname", false, &c->hostname, ret_error)) < 0)
                return r;
        if (c->hostname && strlen(c->hostname) > HOSTNAME_MAX)
                return errmsg_plain(ret_error, -EINVAL, "hostname: longer than %d bytes", HOSTNAME_MAX);
        if ((r = json_get_string(root, "domainname", "domainname", false, &c->domainname, ret_error)) < 0)
                return r;
        if (c->domainname && strlen(c->domainname) > HOSTNAME_MAX)
                return errmsg_plain(ret_error, -EINVAL, "domainname: longer than %d bytes", HOSTNAME_MAX);
        if ((r = cfg_parse_process(root, &c->process, ret_error)) < 0 || (r = parse_mounts(root, c, ret_error)) < 0 ||
            (r = json_get_string_map(root, "annotations", NULL, &c->annotations, ret_error)) < 0 || (r = parse_linux(root, c, ret_error)) < 0 ||
            (r = cfg_parse_hooks(root, &c->hooks, ret_error)) < 0)
                return r;
        /* No capabilities object: empty sets, bounding included, as runc and crun give (the
         * calloc'ed masks already say so). `exec --process` without one is another matter: the
         * process takes the container's (see oci_process_parse). */

        /* The warnings of the parts, in the whole's. */
        char **parts[] = { c->process.warnings, c->resources ? c->resources->warnings : NULL };
        for (size_t i = 0; i < ELEMENTSOF(parts); i++)
                for (char **w = parts[i]; w && *w; w++)
                        if (strv_extend(&c->warnings, *w) < 0)
                                return -ENOMEM;
        *ret = TAKE_PTR(c);
        return 0;
}

int oci_process_parse(const char *data, size_t size, OciProcess *ret, char **ret_error) {
        g_autoptr(JsonParser) parser = NULL;
        JsonObject *process;
        int r = cfg_load_object(data, size, "the process document must be a JSON object", &parser, &process,
                                ret_error);
        if (r < 0)
                return r;
        /* The section parser reads the member "process" of a document: give it one. */
        g_autoptr(JsonObject) root = json_object_new();
        json_object_set_object_member(root, "process", json_object_ref(process));
        OciProcess p = {};
        r = cfg_parse_process(root, &p, ret_error);
        if (r < 0) {
                oci_process_done(&p);
                escape_control_in_place(ret_error);
                return r;
        }
        *ret = p;
        return 0;
}

int oci_config_parse(const char *data, size_t size, OciConfig **ret, char **ret_error) {
        int r = parse_document(data, size, ret, ret_error);
        if (r < 0)
                escape_control_in_place(ret_error);
        return r;
}

int oci_config_load(const char *bundle, OciConfig **ret, char **ret_json, struct stat *ret_st, char **ret_error) {
        _cleanup_close_ int dfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return errmsg(ret_error, -errno, "open bundle %s", bundle);
        _cleanup_free_ char *data = NULL;
        size_t size;
        /* No symlink: the config is the bundle's own, not a link to whatever file the
         * bundle's writer would like us to read as root. No FIFO: its open would block. */
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        int r = open_regular_at(dfd, "config.json", O_NOFOLLOW, &fd, &st);
        if (r == -EBADFD || r == -EISDIR)
                return errmsg_plain(ret_error, r, "%s", FD_NOT_REGULAR); /* "config.json: " + this */
        if (r < 0)
                return errmsg(ret_error, r, "read %s/config.json", bundle);
        r = read_full_fd(fd, OCI_CONFIG_SIZE_MAX, &data, &size);
        if (r == -EFBIG)
                return errmsg_plain(ret_error, r, "larger than %u MiB", OCI_CONFIG_SIZE_MAX >> 20);
        if (r < 0)
                return errmsg(ret_error, r, "read %s/config.json", bundle);
        if (memchr(data, 0, size))
                return errmsg_plain(ret_error, -EINVAL, "NUL byte in the file");
        r = oci_config_parse(data, size, ret, ret_error);
        if (r < 0)
                return r;
        if (ret_st)
                *ret_st = st;
        *ret_json = TAKE_PTR(data);
        return 0;
}
