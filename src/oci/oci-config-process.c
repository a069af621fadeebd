/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json's `process`: args, env, cwd, the user, capabilities (by libcap-ng's names),
 * rlimits, and the members oci-config-extras.c checks. Validation only, before any side
 * effect: the init applies the result (init/process.c, init/caps.c) and trusts it. */

#include <cap-ng.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "errmsg.h"
#include "proc-util.h"
#include "strv.h"
#include "json-util.h"
#include "oci-config.h"
#include "oci-config-json.h"

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

static int parse_user(JsonObject *o, OciProcess *p, char **ret_error) {
        JsonObject *u;
        int64_t v = 0;
        int r = json_get_object(o, "user", "process.user", true, &u, ret_error);
        if (r < 0)
                return r;
        /* (uid_t) -1 means "unchanged" to the kernel: never a valid container user. */
        r = json_get_int(u, "uid", "process.user.uid", false, 0, UINT32_MAX - 1, &v, ret_error);
        if (r < 0)
                return r;
        if (r == 0)
                return json_missing("process.user.uid", ret_error);
        p->uid = (uid_t) v;
        r = json_get_int(u, "gid", "process.user.gid", false, 0, UINT32_MAX - 1, &v, ret_error);
        if (r < 0)
                return r;
        if (r == 0)
                return json_missing("process.user.gid", ret_error);
        p->gid = (gid_t) v;
        r = json_get_int(u, "umask", "process.user.umask", false, 0, 0777, &v, ret_error);
        if (r < 0)
                return r;
        p->has_umask = r > 0;
        p->umask = (mode_t) v;

        JsonArray *a;
        r = json_get_array(u, "additionalGids", "process.user.additionalGids", false, &a, ret_error);
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
                        r = json_int_in_range(json_array_get_element(a, i), path, 0, UINT32_MAX - 1, &v, ret_error);
                        if (r < 0)
                                return r;
                        p->additional_gids[i] = (gid_t) v;
                }
                p->n_additional_gids = n;
        }
        return 0;
}

int oci_capability_from_name(const char *name) {
        /* OCI says CAP_SYS_ADMIN, libcap-ng wants SYS_ADMIN. */
        if (strncmp(name, "CAP_", 4) != 0 || !name[4])
                return -EINVAL;
        int cap = capng_name_to_capability(name + 4);
        if (cap >= 0)
                return cap;
        for (const char *c = name + 4; *c; c++)
                if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_'))
                        return -EINVAL;
        return -EOPNOTSUPP;
}

static int parse_capabilities(JsonObject *o, OciProcess *p, char **ret_error) {
        JsonObject *caps;
        int r = json_get_object(o, "capabilities", "process.capabilities", false, &caps, ret_error);
        if (r <= 0)
                return r;
        p->has_capabilities = true;
        _cleanup_strv_free_ char **unknown = NULL;
        for (CapabilitySet set = 0; set < _CAP_SET_MAX; set++) {
                char path[64];
                _cleanup_strv_free_ char **names = NULL;
                snprintf(path, sizeof(path), "process.capabilities.%s", cap_set_names[set]);
                r = json_get_strv(caps, cap_set_names[set], path, NULL, &names, ret_error);
                if (r < 0)
                        return r;
                for (size_t i = 0; names && names[i]; i++) {
                        int cap = oci_capability_from_name(names[i]);
                        if (cap == -EINVAL)
                                return errmsg_plain(ret_error, -EINVAL, "%s[%zu]: not a capability name: \"%s\"",
                                                    path, i, names[i]);
                        /* A name newer than our libcap-ng or than the running kernel: configs
                         * written for newer kernels must still run (podman passes its whole
                         * list everywhere), and runc and crun ignore it with a warning. */
                        if (cap < 0 || cap > proc_cap_last_cap()) {
                                if (!strv_contains(unknown, names[i]) && strv_extend(&unknown, names[i]) < 0)
                                        return -ENOMEM;
                                continue;
                        }
                        p->capabilities[set] |= UINT64_C(1) << cap;
                }
        }
        if (unknown) {
                _cleanup_free_ char *list = strv_join(unknown, ", "), *w = NULL;
                if (!list || asprintf(&w, "process.capabilities: ignoring what this system does not know: %s", list) < 0 ||
                    strv_consume(&p->warnings, TAKE_PTR(w)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int parse_rlimits(JsonObject *o, OciProcess *p, char **ret_error) {
        JsonArray *a;
        int r = json_get_array(o, "rlimits", "process.rlimits", false, &a, ret_error);
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
                if ((r = json_get_string(l, "type", field, true, &type, ret_error)) < 0)
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
                if ((r = json_get_int(l, "soft", field, false, 0, INT64_MAX, &soft, ret_error)) <= 0)
                        return r < 0 ? r : json_missing(field, ret_error);
                snprintf(field, sizeof(field), "%s.hard", path);
                if ((r = json_get_int(l, "hard", field, false, 0, INT64_MAX, &hard, ret_error)) <= 0)
                        return r < 0 ? r : json_missing(field, ret_error);
                if (soft > hard)
                        return errmsg_plain(ret_error, -EINVAL, "%s: soft limit above the hard limit", path);
                p->rlimits[p->n_rlimits++] = (OciRlimit) { resource, (uint64_t) soft, (uint64_t) hard };
        }
        return 0;
}

int cfg_parse_process(JsonObject *root, OciProcess *p, char **ret_error) {
        JsonObject *o, *size;
        int64_t v = 0;
        int r;

        if ((r = json_get_object(root, "process", "process", true, &o, ret_error)) < 0)
                return r;
        if ((r = json_get_bool(o, "terminal", "process.terminal", false, &p->terminal, ret_error)) < 0)
                return r;
        if ((r = json_get_object(o, "consoleSize", "process.consoleSize", false, &size, ret_error)) < 0)
                return r;
        if (size) {
                if ((r = json_get_int(size, "height", "process.consoleSize.height", false, 0, UINT16_MAX, &v, ret_error)) < 0)
                        return r;
                p->console_height = r > 0 ? (unsigned) v : 0;
                if ((r = json_get_int(size, "width", "process.consoleSize.width", false, 0, UINT16_MAX, &v, ret_error)) < 0)
                        return r;
                p->console_width = r > 0 ? (unsigned) v : 0;
        }
        if ((r = json_get_strv(o, "args", "process.args", NULL, &p->args, ret_error)) < 0)
                return r;
        if (!p->args || !p->args[0] || !p->args[0][0])
                return errmsg_plain(ret_error, -EINVAL, "process.args: must be a non-empty array of strings");
        if ((r = json_get_strv(o, "env", "process.env", cfg_check_env, &p->env, ret_error)) < 0)
                return r;
        if ((r = json_get_string(o, "cwd", "process.cwd", true, &p->cwd, ret_error)) < 0)
                return r;
        if (p->cwd[0] != '/')
                return errmsg_plain(ret_error, -EINVAL, "process.cwd: must be an absolute path: \"%s\"", p->cwd);
        if ((r = parse_user(o, p, ret_error)) < 0 || (r = parse_capabilities(o, p, ret_error)) < 0 ||
            (r = parse_rlimits(o, p, ret_error)) < 0)
                return r;
        if ((r = json_get_bool(o, "noNewPrivileges", "process.noNewPrivileges", false, &p->no_new_privileges, ret_error)) < 0)
                return r;
        if ((r = json_get_int(o, "oomScoreAdj", "process.oomScoreAdj", false, -1000, 1000, &v, ret_error)) < 0)
                return r;
        p->has_oom_score_adj = r > 0;
        p->oom_score_adj = p->has_oom_score_adj ? (int) v : 0;
        if ((r = json_get_string(o, "apparmorProfile", "process.apparmorProfile", false, &p->apparmor_profile, ret_error)) < 0 ||
            (r = json_get_string(o, "selinuxLabel", "process.selinuxLabel", false, &p->selinux_label, ret_error)) < 0)
                return r;
        return cfg_parse_process_extras(o, p, ret_error);
}
