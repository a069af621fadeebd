/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json -> OciConfig. The document first passes json-guard's strict check; then every
 * member we read has its type checked before use (json-glib prints a CRITICAL and returns
 * garbage when asked for a member of the wrong type), every number its range, and every
 * error names the field, as "process.user.uid: must be an integer from 0 to 4294967294".
 * Members this version does not apply but whose silent omission would weaken the container
 * (intelRdt, ...) are refused rather than ignored. */

#include <cap-ng.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "errmsg.h"
#include "fd-util.h"
#include "strv.h"
#include "json-guard.h"
#include "mount-opts.h"
#include "oci-config.h"
#include "oci-config-json.h"

#define HOSTNAME_MAX 64


static const struct {
        const char *name;
        int resource;
} rlimit_table[] = {
        { "RLIMIT_AS", RLIMIT_AS },           { "RLIMIT_CORE", RLIMIT_CORE },
        { "RLIMIT_CPU", RLIMIT_CPU },         { "RLIMIT_DATA", RLIMIT_DATA },
        { "RLIMIT_FSIZE", RLIMIT_FSIZE },     { "RLIMIT_LOCKS", RLIMIT_LOCKS },
        { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
        { "RLIMIT_NICE", RLIMIT_NICE },       { "RLIMIT_NOFILE", RLIMIT_NOFILE },
        { "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_RSS", RLIMIT_RSS },
        { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },   { "RLIMIT_RTTIME", RLIMIT_RTTIME },
        { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
};

static const char *const cap_set_names[_CAP_SET_MAX] = {
        [CAP_SET_BOUNDING] = "bounding",
        [CAP_SET_EFFECTIVE] = "effective",
        [CAP_SET_INHERITABLE] = "inheritable",
        [CAP_SET_PERMITTED] = "permitted",
        [CAP_SET_AMBIENT] = "ambient",
};


/* ---- typed access to untrusted members; "path" is the member's full name for errors ---- */

JsonNode *cfg_member(JsonObject *o, const char *name) {
        JsonNode *n = o ? json_object_get_member(o, name) : NULL;
        return n && !JSON_NODE_HOLDS_NULL(n) ? n : NULL;
}

bool cfg_node_is(JsonNode *n, GType type) {
        return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == type;
}

int cfg_missing(const char *path, char **ret_error) {
        return errmsg_plain(ret_error, -EINVAL, "%s: missing", path);
}

int cfg_get_object(JsonObject *o, const char *name, const char *path, bool required, JsonObject **ret,
                      char **ret_error) {
        JsonNode *n = cfg_member(o, name);
        *ret = NULL;
        if (!n)
                return required ? cfg_missing(path, ret_error) : 0;
        if (!JSON_NODE_HOLDS_OBJECT(n))
                return errmsg_plain(ret_error, -EINVAL, "%s: must be an object", path);
        *ret = json_node_get_object(n);
        return 1;
}

int cfg_get_array(JsonObject *o, const char *name, const char *path, JsonArray **ret, char **ret_error) {
        JsonNode *n = cfg_member(o, name);
        *ret = NULL;
        if (!n)
                return 0;
        if (!JSON_NODE_HOLDS_ARRAY(n))
                return errmsg_plain(ret_error, -EINVAL, "%s: must be an array", path);
        *ret = json_node_get_array(n);
        return 1;
}

int cfg_get_string(JsonObject *o, const char *name, const char *path, bool required, char **ret,
                      char **ret_error) {
        JsonNode *n = cfg_member(o, name);
        if (!n)
                return required ? cfg_missing(path, ret_error) : 0;
        if (!cfg_node_is(n, G_TYPE_STRING))
                return errmsg_plain(ret_error, -EINVAL, "%s: must be a string", path);
        char *s = strdup(json_node_get_string(n));
        if (!s)
                return -ENOMEM;
        free(*ret);
        *ret = s;
        return 1;
}

int cfg_get_bool(JsonObject *o, const char *name, const char *path, bool *ret, char **ret_error) {
        JsonNode *n = cfg_member(o, name);
        if (!n)
                return 0;
        if (!cfg_node_is(n, G_TYPE_BOOLEAN))
                return errmsg_plain(ret_error, -EINVAL, "%s: must be true or false", path);
        *ret = json_node_get_boolean(n);
        return 1;
}

int cfg_int_in_range(JsonNode *n, const char *path, int64_t min, int64_t max, int64_t *ret, char **ret_error) {
        /* json-guard has already refused integers outside int64, so this is the value written. */
        if (!cfg_node_is(n, G_TYPE_INT64) || json_node_get_int(n) < min || json_node_get_int(n) > max)
                return errmsg_plain(ret_error, -ERANGE, "%s: must be an integer from %" PRId64 " to %" PRId64,
                                    path, min, max);
        *ret = json_node_get_int(n);
        return 1;
}

int cfg_get_int(JsonObject *o, const char *name, const char *path, int64_t min, int64_t max, int64_t *ret,
                   char **ret_error) {
        JsonNode *n = cfg_member(o, name);
        if (!n)
                return 0;
        return cfg_int_in_range(n, path, min, max, ret, ret_error);
}

int cfg_get_strv(JsonObject *o, const char *name, const char *path,
                    const char *(*check)(const char *s), char ***ret, char **ret_error) {
        JsonArray *a;
        int r = cfg_get_array(o, name, path, &a, ret_error);
        if (r <= 0)
                return r;
        _cleanup_strv_free_ char **l = calloc(json_array_get_length(a) + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (guint i = 0; i < json_array_get_length(a); i++) {
                JsonNode *e = json_array_get_element(a, i);
                if (!cfg_node_is(e, G_TYPE_STRING))
                        return errmsg_plain(ret_error, -EINVAL, "%s[%u]: must be a string", path, i);
                const char *s = json_node_get_string(e), *why = check ? check(s) : NULL;
                if (why)
                        return errmsg_plain(ret_error, -EINVAL, "%s[%u]: %s: \"%s\"", path, i, why, s);
                if (!(l[i] = strdup(s)))
                        return -ENOMEM;
        }
        strv_free(*ret);
        *ret = TAKE_PTR(l);
        return 1;
}

const char *cfg_check_absolute(const char *s) {
        return s[0] == '/' ? NULL : "must be an absolute path";
}

const char *cfg_check_env(const char *s) {
        const char *eq = strchr(s, '=');
        return eq && eq != s ? NULL : "must be NAME=VALUE";
}

int cfg_refuse_unsupported(JsonObject *o, const char *name, const char *path, char **ret_error) {
        JsonNode *n = cfg_member(o, name);
        if (!n)
                return 0;
        if (JSON_NODE_HOLDS_ARRAY(n) && json_array_get_length(json_node_get_array(n)) == 0)
                return 0;
        if (JSON_NODE_HOLDS_OBJECT(n) && json_object_get_size(json_node_get_object(n)) == 0)
                return 0;
        if (cfg_node_is(n, G_TYPE_STRING) && json_node_get_string(n)[0] == 0)
                return 0;
        return errmsg_plain(ret_error, -EOPNOTSUPP, "%s: not supported by this version of ctr-launch", path);
}

/* ---- the sections of the document ---- */

static int parse_user(JsonObject *o, OciProcess *p, char **ret_error) {
        JsonObject *u;
        int64_t v;
        int r = cfg_get_object(o, "user", "process.user", true, &u, ret_error);
        if (r < 0)
                return r;
        /* (uid_t) -1 means "unchanged" to the kernel: never a valid container user. */
        r = cfg_get_int(u, "uid", "process.user.uid", 0, UINT32_MAX - 1, &v, ret_error);
        if (r < 0)
                return r;
        if (r == 0)
                return cfg_missing("process.user.uid", ret_error);
        p->uid = (uid_t) v;
        r = cfg_get_int(u, "gid", "process.user.gid", 0, UINT32_MAX - 1, &v, ret_error);
        if (r < 0)
                return r;
        if (r == 0)
                return cfg_missing("process.user.gid", ret_error);
        p->gid = (gid_t) v;
        r = cfg_get_int(u, "umask", "process.user.umask", 0, 0777, &v, ret_error);
        if (r < 0)
                return r;
        p->has_umask = r > 0;
        p->umask = (mode_t) v;

        JsonArray *a;
        r = cfg_get_array(u, "additionalGids", "process.user.additionalGids", &a, ret_error);
        if (r < 0)
                return r;
        if (r > 0) {
                guint n = json_array_get_length(a);
                if (n > 65536)
                        return errmsg_plain(ret_error, -E2BIG, "process.user.additionalGids: more than 65536 groups");
                p->additional_gids = calloc(n ? n : 1, sizeof(gid_t));
                if (!p->additional_gids)
                        return -ENOMEM;
                for (guint i = 0; i < n; i++) {
                        char path[64];
                        snprintf(path, sizeof(path), "process.user.additionalGids[%u]", i);
                        r = cfg_int_in_range(json_array_get_element(a, i), path, 0, UINT32_MAX - 1, &v, ret_error);
                        if (r < 0)
                                return r;
                        p->additional_gids[i] = (gid_t) v;
                }
                p->n_additional_gids = n;
        }
        return 0;
}

static int parse_capabilities(JsonObject *o, OciProcess *p, char **ret_error) {
        JsonObject *caps;
        int r = cfg_get_object(o, "capabilities", "process.capabilities", false, &caps, ret_error);
        if (r <= 0)
                return r;
        p->has_capabilities = true;
        for (CapabilitySet set = 0; set < _CAP_SET_MAX; set++) {
                char path[64];
                _cleanup_strv_free_ char **names = NULL;
                snprintf(path, sizeof(path), "process.capabilities.%s", cap_set_names[set]);
                r = cfg_get_strv(caps, cap_set_names[set], path, NULL, &names, ret_error);
                if (r < 0)
                        return r;
                for (size_t i = 0; names && names[i]; i++) {
                        /* OCI says CAP_SYS_ADMIN, libcap-ng wants SYS_ADMIN. */
                        if (strncmp(names[i], "CAP_", 4) != 0)
                                return errmsg_plain(ret_error, -EINVAL, "%s[%zu]: not a capability name: \"%s\"",
                                                    path, i, names[i]);
                        int cap = capng_name_to_capability(names[i] + 4);
                        if (cap < 0) {
                                /* A name newer than our libcap-ng: podman passes its whole list
                                 * everywhere, and runc ignores what it does not know. */
                                bool plausible = names[i][4] != 0;
                                for (const char *c = names[i] + 4; *c; c++)
                                        if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_'))
                                                plausible = false;
                                if (!plausible)
                                        return errmsg_plain(ret_error, -EINVAL, "%s[%zu]: not a capability name: \"%s\"",
                                                            path, i, names[i]);
                                continue;
                        }
                        if (cap < 64)
                                p->capabilities[set] |= UINT64_C(1) << cap;
                }
        }
        return 0;
}

static int parse_rlimits(JsonObject *o, OciProcess *p, char **ret_error) {
        JsonArray *a;
        int r = cfg_get_array(o, "rlimits", "process.rlimits", &a, ret_error);
        if (r <= 0)
                return r;
        guint n = json_array_get_length(a);
        p->rlimits = calloc(n ? n : 1, sizeof(OciRlimit));
        if (!p->rlimits)
                return -ENOMEM;
        for (guint i = 0; i < n; i++) {
                char path[64], field[80];
                _cleanup_free_ char *type = NULL;
                int64_t soft, hard;
                snprintf(path, sizeof(path), "process.rlimits[%u]", i);
                JsonNode *e = json_array_get_element(a, i);
                if (!JSON_NODE_HOLDS_OBJECT(e))
                        return errmsg_plain(ret_error, -EINVAL, "%s: must be an object", path);
                JsonObject *l = json_node_get_object(e);
                snprintf(field, sizeof(field), "%s.type", path);
                if ((r = cfg_get_string(l, "type", field, true, &type, ret_error)) < 0)
                        return r;
                int resource = -1;
                for (size_t k = 0; k < ELEMENTSOF(rlimit_table); k++)
                        if (strcmp(type, rlimit_table[k].name) == 0)
                                resource = rlimit_table[k].resource;
                if (resource < 0)
                        return errmsg_plain(ret_error, -EINVAL, "%s: unknown rlimit \"%s\"", field, type);
                for (size_t k = 0; k < p->n_rlimits; k++)
                        if (p->rlimits[k].resource == resource)
                                return errmsg_plain(ret_error, -EINVAL, "%s: duplicate rlimit \"%s\"", field, type);
                snprintf(field, sizeof(field), "%s.soft", path);
                if ((r = cfg_get_int(l, "soft", field, 0, INT64_MAX, &soft, ret_error)) <= 0)
                        return r < 0 ? r : cfg_missing(field, ret_error);
                snprintf(field, sizeof(field), "%s.hard", path);
                if ((r = cfg_get_int(l, "hard", field, 0, INT64_MAX, &hard, ret_error)) <= 0)
                        return r < 0 ? r : cfg_missing(field, ret_error);
                if (soft > hard)
                        return errmsg_plain(ret_error, -EINVAL, "%s: soft limit above the hard limit", path);
                p->rlimits[p->n_rlimits++] = (OciRlimit) { resource, (uint64_t) soft, (uint64_t) hard };
        }
        return 0;
}

static int parse_process(JsonObject *root, OciProcess *p, char **ret_error) {
        JsonObject *o, *size;
        int64_t v;
        int r;

        if ((r = cfg_get_object(root, "process", "process", true, &o, ret_error)) < 0)
                return r;
        if ((r = cfg_get_bool(o, "terminal", "process.terminal", &p->terminal, ret_error)) < 0)
                return r;
        if ((r = cfg_get_object(o, "consoleSize", "process.consoleSize", false, &size, ret_error)) < 0)
                return r;
        if (size) {
                if ((r = cfg_get_int(size, "height", "process.consoleSize.height", 0, UINT16_MAX, &v, ret_error)) < 0)
                        return r;
                p->console_height = r > 0 ? (unsigned) v : 0;
                if ((r = cfg_get_int(size, "width", "process.consoleSize.width", 0, UINT16_MAX, &v, ret_error)) < 0)
                        return r;
                p->console_width = r > 0 ? (unsigned) v : 0;
        }
        if ((r = cfg_get_strv(o, "args", "process.args", NULL, &p->args, ret_error)) < 0)
                return r;
        if (!p->args || !p->args[0] || !p->args[0][0])
                return errmsg_plain(ret_error, -EINVAL, "process.args: must be a non-empty array of strings");
        if ((r = cfg_get_strv(o, "env", "process.env", cfg_check_env, &p->env, ret_error)) < 0)
                return r;
        if ((r = cfg_get_string(o, "cwd", "process.cwd", true, &p->cwd, ret_error)) < 0)
                return r;
        if (p->cwd[0] != '/')
                return errmsg_plain(ret_error, -EINVAL, "process.cwd: must be an absolute path: \"%s\"", p->cwd);
        if ((r = parse_user(o, p, ret_error)) < 0 || (r = parse_capabilities(o, p, ret_error)) < 0 ||
            (r = parse_rlimits(o, p, ret_error)) < 0)
                return r;
        if ((r = cfg_get_bool(o, "noNewPrivileges", "process.noNewPrivileges", &p->no_new_privileges, ret_error)) < 0)
                return r;
        if ((r = cfg_get_int(o, "oomScoreAdj", "process.oomScoreAdj", -1000, 1000, &v, ret_error)) < 0)
                return r;
        p->has_oom_score_adj = r > 0;
        p->oom_score_adj = (int) v;
        if ((r = cfg_get_string(o, "apparmorProfile", "process.apparmorProfile", false, &p->apparmor_profile, ret_error)) < 0 ||
            (r = cfg_get_string(o, "selinuxLabel", "process.selinuxLabel", false, &p->selinux_label, ret_error)) < 0)
                return r;
        return cfg_parse_process_extras(o, p, ret_error);
}

static int parse_mounts(JsonObject *root, OciConfig *c, char **ret_error) {
        JsonArray *a;
        int r = cfg_get_array(root, "mounts", "mounts", &a, ret_error);
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
                if ((r = cfg_get_string(mo, "destination", field, true, &m->destination, ret_error)) < 0)
                        return r;
                if (m->destination[0] != '/')
                        return errmsg_plain(ret_error, -EINVAL, "%s: must be an absolute path: \"%s\"", field,
                                            m->destination);
                snprintf(field, sizeof(field), "%s.type", path);
                if ((r = cfg_get_string(mo, "type", field, false, &m->type, ret_error)) < 0)
                        return r;
                snprintf(field, sizeof(field), "%s.source", path);
                if ((r = cfg_get_string(mo, "source", field, false, &m->source, ret_error)) < 0)
                        return r;
                snprintf(field, sizeof(field), "%s.options", path);
                if ((r = cfg_get_strv(mo, "options", field, NULL, &m->options, ret_error)) < 0)
                        return r;

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

static int parse_annotations(JsonObject *root, OciConfig *c, char **ret_error) {
        JsonObject *o;
        int r = cfg_get_object(root, "annotations", "annotations", false, &o, ret_error);
        if (r <= 0)
                return r;
        g_autoptr(GList) names = json_object_get_members(o);
        for (GList *l = names; l; l = l->next) {
                JsonNode *n = json_object_get_member(o, l->data);
                if (!cfg_node_is(n, G_TYPE_STRING))
                        return errmsg_plain(ret_error, -EINVAL, "annotations.%s: must be a string", (char *) l->data);
                if (strv_extend(&c->annotations, l->data) < 0 ||
                    strv_extend(&c->annotations, json_node_get_string(n)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int parse_namespaces(JsonObject *linux_, OciConfig *c, char **ret_error) {
        JsonArray *a;
        int r = cfg_get_array(linux_, "namespaces", "linux.namespaces", &a, ret_error);
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
                if ((r = cfg_get_string(no, "type", field, true, &type, ret_error)) < 0)
                        return r;
                int t = namespace_type_from_string(type);
                if (t < 0)
                        return errmsg_plain(ret_error, -EINVAL, "%s: unknown namespace type \"%s\"", field, type);
                if (oci_config_find_namespace(c, t))
                        return errmsg_plain(ret_error, -EINVAL, "linux.namespaces: duplicate namespace \"%s\"", type);
                snprintf(field, sizeof(field), "%s.path", path);
                if ((r = cfg_get_string(no, "path", field, false, &ns_path, ret_error)) < 0)
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
        int r = cfg_get_array(linux_, name, path, &a, ret_error);
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
                        r = cfg_get_int(json_node_get_object(e), fields[k], field, k == 2 ? 1 : 0, UINT32_MAX, &v[k], ret_error);
                        if (r <= 0)
                                return r < 0 ? r : cfg_missing(field, ret_error);
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
        int r = cfg_get_object(linux_, "timeOffsets", "linux.timeOffsets", false, &o, ret_error);
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
                if ((r = cfg_get_object(o, name, path, false, &co, ret_error)) <= 0)
                        return r;
                snprintf(path, sizeof(path), "linux.timeOffsets.%s.secs", name);
                if ((r = cfg_get_int(co, "secs", path, -secs_max, secs_max, &v, ret_error)) < 0)
                        return r;
                t->secs = r > 0 ? v : 0;
                snprintf(path, sizeof(path), "linux.timeOffsets.%s.nanosecs", name);
                if ((r = cfg_get_int(co, "nanosecs", path, 0, 999999999, &v, ret_error)) < 0)
                        return r;
                t->nanosecs = r > 0 ? (uint32_t) v : 0;
                t->set = true;
        }
        return 0;
}

static int parse_linux(JsonObject *root, OciConfig *c, char **ret_error) {
        JsonObject *l;
        int r = cfg_get_object(root, "linux", "linux", false, &l, ret_error);
        if (r <= 0)
                return r;
        if ((r = parse_namespaces(l, c, ret_error)) < 0 ||
            (r = parse_id_mappings(l, "uidMappings", &c->uid_mappings, &c->n_uid_mappings, ret_error)) < 0 ||
            (r = parse_id_mappings(l, "gidMappings", &c->gid_mappings, &c->n_gid_mappings, ret_error)) < 0 ||
            (r = parse_time_offsets(l, c, ret_error)) < 0 ||
            (r = cfg_get_strv(l, "maskedPaths", "linux.maskedPaths", cfg_check_absolute, &c->masked_paths, ret_error)) < 0 ||
            (r = cfg_get_strv(l, "readonlyPaths", "linux.readonlyPaths", cfg_check_absolute, &c->readonly_paths, ret_error)) < 0 ||
            (r = cfg_get_string(l, "rootfsPropagation", "linux.rootfsPropagation", false, &c->rootfs_propagation, ret_error)) < 0 ||
            (r = cfg_get_string(l, "cgroupsPath", "linux.cgroupsPath", false, &c->cgroups_path, ret_error)) < 0 ||
            (r = cfg_get_string(l, "mountLabel", "linux.mountLabel", false, &c->mount_label, ret_error)) < 0 ||
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
        int r = cfg_get_object(root, "root", "root", true, &o, ret_error);
        if (r < 0)
                return r;
        if ((r = cfg_get_string(o, "path", "root.path", true, &c->root_path, ret_error)) < 0 ||
            (r = cfg_get_bool(o, "readonly", "root.readonly", &c->root_readonly, ret_error)) < 0)
                return r;
        if (c->root_path[0] == 0)
                return errmsg_plain(ret_error, -EINVAL, "root.path: must not be empty");
        return 0;
}

static int parse_document(const char *data, size_t size, OciConfig **ret, char **ret_error);

void cfg_escape_error(char **error) {
        if (!error || !*error)
                return;
        const char *e = *error;
        char *safe = malloc(strlen(e) * 4 + 1), *q = safe;
        if (!safe)
                return;
        for (; *e; e++)
                if ((unsigned char) *e < 0x20 || *e == 0x7f)
                        q += sprintf(q, "\\x%02x", (unsigned char) *e);
                else
                        *q++ = *e;
        *q = 0;
        free(*error);
        *error = safe;
}

int oci_config_parse(const char *data, size_t size, OciConfig **ret, char **ret_error) {
        int r = parse_document(data, size, ret, ret_error);
        if (r < 0)
                cfg_escape_error(ret_error);
        return r;
}

int cfg_load_object(const char *data, size_t size, const char *not_object, JsonParser **ret_parser,
                    JsonObject **ret_root, char **ret_error) {
        if (size > OCI_CONFIG_SIZE_MAX)
                return errmsg_plain(ret_error, -EFBIG, "larger than %u MiB", OCI_CONFIG_SIZE_MAX >> 20);
        if (size == 0)
                return errmsg_plain(ret_error, -EINVAL, "empty file");
        /* No duplicate keys, no integers json-glib would wrap, no trailing garbage. */
        int r = json_guard_check(data, size, ret_error);
        if (r < 0)
                return r;

        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        g_autoptr(GError) gerror = NULL;
        if (!json_parser_load_from_data(parser, data, (gssize) size, &gerror))
                return errmsg_plain(ret_error, -EINVAL, "%s", gerror->message);
        JsonNode *root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return errmsg_plain(ret_error, -EINVAL, "%s", not_object);
        *ret_root = json_node_get_object(root);
        *ret_parser = g_steal_pointer(&parser);
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
        if ((r = cfg_get_string(root, "ociVersion", "ociVersion", true, &c->oci_version, ret_error)) < 0)
                return r;
        if (strncmp(c->oci_version, "1.", 2) != 0)
                return errmsg_plain(ret_error, -EINVAL, "ociVersion: unsupported version \"%s\" (1.x expected)",
                                    c->oci_version);
        if ((r = parse_root(root, c, ret_error)) < 0)
                return r;
        if ((r = cfg_get_string(root, "hostname", "hostname", false, &c->hostname, ret_error)) < 0)
                return r;
        if (c->hostname && strlen(c->hostname) > HOSTNAME_MAX)
                return errmsg_plain(ret_error, -EINVAL, "hostname: longer than %d bytes", HOSTNAME_MAX);
        if ((r = cfg_get_string(root, "domainname", "domainname", false, &c->domainname, ret_error)) < 0)
                return r;
        if (c->domainname && strlen(c->domainname) > HOSTNAME_MAX)
                return errmsg_plain(ret_error, -EINVAL, "domainname: longer than %d bytes", HOSTNAME_MAX);
        if ((r = parse_process(root, &c->process, ret_error)) < 0 || (r = parse_mounts(root, c, ret_error)) < 0 ||
            (r = parse_annotations(root, c, ret_error)) < 0 || (r = parse_linux(root, c, ret_error)) < 0 ||
            (r = cfg_parse_hooks(root, &c->hooks, ret_error)) < 0)
                return r;
        if (!c->process.has_capabilities) {
                /* No capabilities object: the process keeps what it has, as with runc. The
                 * bounding set is the kernel's; permitted and effective follow the user. */
                for (CapabilitySet set = CAP_SET_BOUNDING; set <= CAP_SET_PERMITTED; set++)
                        if (set != CAP_SET_INHERITABLE)
                                c->process.capabilities[set] = UINT64_MAX;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

int oci_config_load(const char *bundle, OciConfig **ret, char **ret_json, char **ret_error) {
        _cleanup_close_ int dfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return errmsg(ret_error, -errno, "open bundle %s", bundle);
        _cleanup_free_ char *data = NULL;
        size_t size;
        /* read_file_at() does not follow a symlink: the config is the bundle's own, not a link
         * to whatever file the bundle's writer would like us to read as root. */
        int r = read_file_at(dfd, "config.json", OCI_CONFIG_SIZE_MAX, &data, &size);
        if (r == -EFBIG)
                return errmsg_plain(ret_error, r, "larger than %u MiB", OCI_CONFIG_SIZE_MAX >> 20);
        if (r < 0)
                return errmsg(ret_error, r, "read %s/config.json", bundle);
        if (memchr(data, 0, size))
                return errmsg_plain(ret_error, -EINVAL, "NUL byte in the file");
        r = oci_config_parse(data, size, ret, ret_error);
        if (r < 0)
                return r;
        *ret_json = TAKE_PTR(data);
        return 0;
}
