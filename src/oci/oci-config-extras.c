/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The config sections that change how the process runs or what it finds in /dev and
 * /proc/sys: process.ioPriority, scheduler, execCPUAffinity, the LSM labels, linux.devices,
 * sysctl and personality. Validation only, before any side effect: the init applies them
 * (process.c, devices.c, sysctl.c) and trusts what is here. */

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/stat.h>

#include "errmsg.h"
#include "fd-util.h"
#include "lsm-util.h"
#include "parse-util.h"
#include "path-util.h"
#include "strv.h"
#include "oci-config.h"
#include "oci-config-json.h"

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif


static int lookup(const char *const *names, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (names[i] && strcmp(names[i], s) == 0)
                        return (int) i;
        return -1;
}

static int parse_io_priority(JsonObject *o, OciIoPriority *ret, char **ret_error) {
        static const char *const classes[] = { NULL, "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE" };
        _cleanup_free_ char *class = NULL;
        JsonObject *io;
        int64_t v = 0;
        int r = json_get_object(o, "ioPriority", "process.ioPriority", false, &io, ret_error);
        if (r <= 0)
                return r;
        if ((r = json_get_string(io, "class", "process.ioPriority.class", true, &class, ret_error)) < 0)
                return r;
        int k = lookup(classes, ELEMENTSOF(classes), class);
        if (k < 0)
                return errmsg_plain(ret_error, -EINVAL, "process.ioPriority.class: unknown class \"%s\"", class);
        if ((r = json_get_int(io, "priority", "process.ioPriority.priority", false, 0, 7, &v, ret_error)) < 0)
                return r;
        *ret = (OciIoPriority) { .set = true, .class = k, .priority = (int) v };
        return 0;
}

static int parse_scheduler(JsonObject *o, OciScheduler *ret, char **ret_error) {
        static const char *const policies[] = {
                [SCHED_OTHER] = "SCHED_OTHER", [SCHED_FIFO] = "SCHED_FIFO",   [SCHED_RR] = "SCHED_RR",
                [SCHED_BATCH] = "SCHED_BATCH", [SCHED_IDLE] = "SCHED_IDLE", [SCHED_DEADLINE] = "SCHED_DEADLINE",
        };
        static const char *const flag_names[] = {
                "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",         "SCHED_FLAG_DL_OVERRUN",
                "SCHED_FLAG_KEEP_POLICY",   "SCHED_FLAG_KEEP_PARAMS",     "SCHED_FLAG_UTIL_CLAMP_MIN",
                "SCHED_FLAG_UTIL_CLAMP_MAX",
        };
        _cleanup_free_ char *policy = NULL;
        _cleanup_strv_free_ char **flags = NULL;
        OciScheduler s = { .set = true };
        JsonObject *so;
        int64_t v;
        int r = json_get_object(o, "scheduler", "process.scheduler", false, &so, ret_error);
        if (r <= 0)
                return r;
        if ((r = json_get_string(so, "policy", "process.scheduler.policy", true, &policy, ret_error)) < 0)
                return r;
        int k = lookup(policies, ELEMENTSOF(policies), policy);
        if (k < 0)
                return errmsg_plain(ret_error, -EINVAL, "process.scheduler.policy: unknown policy \"%s\"", policy);
        s.policy = (uint32_t) k;
        if ((r = json_get_int(so, "nice", "process.scheduler.nice", false, -20, 19, &v, ret_error)) < 0)
                return r;
        s.nice = r > 0 ? (int32_t) v : 0;
        bool realtime = k == SCHED_FIFO || k == SCHED_RR;
        /* The kernel wants 1..99 for the real-time policies and 0 for the others. */
        if ((r = json_get_int(so, "priority", "process.scheduler.priority", false, realtime ? 1 : 0, realtime ? 99 : 0, &v,
                             ret_error)) < 0)
                return r;
        if (r == 0 && realtime)
                return json_missing("process.scheduler.priority", ret_error);
        s.priority = r > 0 ? (uint32_t) v : 0;
        if ((r = json_get_strv(so, "flags", "process.scheduler.flags", NULL, &flags, ret_error)) < 0)
                return r;
        for (char **f = flags; f && *f; f++) {
                int bit = lookup(flag_names, ELEMENTSOF(flag_names), *f);
                if (bit < 0)
                        return errmsg_plain(ret_error, -EINVAL, "process.scheduler.flags: unknown flag \"%s\"", *f);
                s.flags |= UINT64_C(1) << bit;
        }
        if ((r = json_get_int(so, "runtime", "process.scheduler.runtime", false, 0, INT64_MAX, &v, ret_error)) < 0)
                return r;
        s.runtime = r > 0 ? (uint64_t) v : 0;
        if ((r = json_get_int(so, "deadline", "process.scheduler.deadline", false, 0, INT64_MAX, &v, ret_error)) < 0)
                return r;
        s.deadline = r > 0 ? (uint64_t) v : 0;
        if ((r = json_get_int(so, "period", "process.scheduler.period", false, 0, INT64_MAX, &v, ret_error)) < 0)
                return r;
        s.period = r > 0 ? (uint64_t) v : 0;
        if (k == SCHED_DEADLINE) {
                /* sched(7): runtime <= deadline <= period, period 0 meaning "= deadline". */
                if (s.runtime == 0 || s.deadline == 0 || s.runtime > s.deadline ||
                    (s.period != 0 && s.deadline > s.period))
                        return errmsg_plain(ret_error, -EINVAL,
                                            "process.scheduler: SCHED_DEADLINE needs 0 < runtime <= deadline <= period");
        } else if (s.runtime || s.deadline || s.period)
                return errmsg_plain(ret_error, -EINVAL,
                                    "process.scheduler: runtime, deadline and period are for SCHED_DEADLINE only");
        *ret = s;
        return 0;
}

static int parse_cpu_affinity(JsonObject *o, OciProcess *p, char **ret_error) {
        static const char *const names[] = { "initial", "final" };
        char **dest[] = { &p->cpu_affinity_initial, &p->cpu_affinity_final };
        JsonObject *ao;
        int r = json_get_object(o, "execCPUAffinity", "process.execCPUAffinity", false, &ao, ret_error);
        if (r <= 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                char field[48];
                cpu_set_t set;
                snprintf(field, sizeof(field), "process.execCPUAffinity.%s", names[i]);
                if ((r = json_get_string(ao, names[i], field, false, dest[i], ret_error)) < 0)
                        return r;
                if (!*dest[i])
                        continue;
                if (!*dest[i][0]) {
                        /* "": not set, as runc reads it. */
                        free(*dest[i]);
                        *dest[i] = NULL;
                        continue;
                }
                r = parse_cpu_list(*dest[i], &set);
                if (r == -ERANGE)
                        return errmsg_plain(ret_error, r, "%s: CPU number past %d in \"%s\"", field, CPU_SETSIZE - 1,
                                            *dest[i]);
                if (r < 0)
                        return errmsg_plain(ret_error, r, "%s: not a CPU list like \"0-1,3\": \"%s\"", field, *dest[i]);
        }
        return 0;
}

/* Running the process unconfined when a label was asked for would be the silent weakening we
 * refuse: a label is applied by the LSM that is there (src/init/lsm.h), and one whose LSM is not
 * there is an error. (runc would fail at the write for AppArmor and ignore an SELinux label;
 * crun ignores both: they disagree, and we keep the stricter.) */
static int check_lsm_label(const char *value, const char *path, const char *lsm, bool (*enabled)(void),
                           char **ret_error) {
        if (!value || !*value || enabled())
                return 0;
        return errmsg_plain(ret_error, -EOPNOTSUPP, "%s: %s is not enabled on this host", path, lsm);
}

int cfg_parse_process_extras(JsonObject *o, OciProcess *p, char **ret_error) {
        int r;
        if ((r = parse_io_priority(o, &p->io_priority, ret_error)) < 0 ||
            (r = parse_scheduler(o, &p->scheduler, ret_error)) < 0 || (r = parse_cpu_affinity(o, p, ret_error)) < 0)
                return r;
        if ((r = check_lsm_label(p->apparmor_profile, "process.apparmorProfile", "AppArmor", lsm_apparmor_enabled,
                                 ret_error)) < 0 ||
            (r = check_lsm_label(p->selinux_label, "process.selinuxLabel", "SELinux", lsm_selinux_enabled,
                                 ret_error)) < 0)
                return r;
        return 0;
}

/* ---- linux.devices ---- */

static int parse_device(JsonObject *d, const char *path, OciDevice *ret, char **ret_error) {
        _cleanup_free_ char *type = NULL, *dev_path = NULL, *norm = NULL;
        char field[80];
        int64_t v;
        int r;

        snprintf(field, sizeof(field), "%s.type", path);
        if ((r = json_get_string(d, "type", field, true, &type, ret_error)) < 0)
                return r;
        if (strcmp(type, "c") == 0 || strcmp(type, "u") == 0)
                ret->type = S_IFCHR;
        else if (strcmp(type, "b") == 0)
                ret->type = S_IFBLK;
        else if (strcmp(type, "p") == 0)
                ret->type = S_IFIFO;
        else
                return errmsg_plain(ret_error, -EINVAL, "%s: unknown device type \"%s\" (c, b, u or p)", field, type);

        snprintf(field, sizeof(field), "%s.path", path);
        if ((r = json_get_string(d, "path", field, true, &dev_path, ret_error)) < 0)
                return r;
        if (!path_is_absolute(dev_path))
                return errmsg_plain(ret_error, -EINVAL, "%s: must be an absolute path: \"%s\"", field, dev_path);
        if (path_simplify(dev_path, &norm) < 0)
                return -ENOMEM;
        /* Anywhere in the rootfs, as runc and crun allow (the init resolves it beneath the
         * root); but a node needs a name, and ".." has no business in one. */
        if (strcmp(norm, "/") == 0 || strstr(dev_path, "/../") || g_str_has_suffix(dev_path, "/.."))
                return errmsg_plain(ret_error, -EINVAL, "%s: must be a path below / without \"..\": \"%s\"", field,
                                    dev_path);

        const char *const nums[] = { "major", "minor" };
        const int64_t max[] = { 4095, (1 << 20) - 1 };
        unsigned *dst[] = { &ret->major, &ret->minor };
        for (size_t i = 0; i < 2; i++) {
                snprintf(field, sizeof(field), "%s.%s", path, nums[i]);
                if ((r = json_get_int(d, nums[i], field, false, 0, max[i], &v, ret_error)) < 0)
                        return r;
                if (r == 0 && ret->type != S_IFIFO)
                        return json_missing(field, ret_error);
                *dst[i] = r > 0 ? (unsigned) v : 0;
        }

        snprintf(field, sizeof(field), "%s.fileMode", path);
        if ((r = json_get_int(d, "fileMode", field, false, 0, UINT32_MAX, &v, ret_error)) < 0)
                return r;
        /* As runc: the type bits, if any, are the "type" member's business. */
        if (r > 0 && (v & ~(int64_t) S_IFMT) > 07777)
                return errmsg_plain(ret_error, -EINVAL, "%s: must be a permission mode up to 07777", field);
        ret->file_mode = r > 0 ? (mode_t) (v & 07777) : 0666;
        snprintf(field, sizeof(field), "%s.uid", path);
        if ((r = json_get_int(d, "uid", field, false, 0, UINT32_MAX - 1, &v, ret_error)) < 0)
                return r;
        ret->uid = r > 0 ? (uid_t) v : 0;
        snprintf(field, sizeof(field), "%s.gid", path);
        if ((r = json_get_int(d, "gid", field, false, 0, UINT32_MAX - 1, &v, ret_error)) < 0)
                return r;
        ret->gid = r > 0 ? (gid_t) v : 0;
        ret->path = TAKE_PTR(norm);
        return 0;
}

static int parse_devices(JsonObject *l, OciConfig *c, char **ret_error) {
        JsonArray *a;
        int r = json_get_array(l, "devices", "linux.devices", false, &a, ret_error);
        if (r <= 0)
                return r;
        guint n = json_array_get_length(a);
        c->devices = calloc(n ? n : 1, sizeof(OciDevice));
        if (!c->devices)
                return -ENOMEM;
        for (guint i = 0; i < n; i++) {
                char path[48];
                snprintf(path, sizeof(path), "linux.devices[%u]", i);
                JsonNode *e = json_array_get_element(a, i);
                if (!JSON_NODE_HOLDS_OBJECT(e))
                        return errmsg_plain(ret_error, -EINVAL, "%s: must be an object", path);
                OciDevice d = {};
                if ((r = parse_device(json_node_get_object(e), path, &d, ret_error)) < 0)
                        return r;
                for (size_t k = 0; k < c->n_devices; k++)
                        if (strcmp(c->devices[k].path, d.path) == 0) {
                                r = errmsg_plain(ret_error, -EINVAL, "%s.path: \"%s\" listed twice", path, d.path);
                                free(d.path);
                                return r;
                        }
                c->devices[c->n_devices++] = d;
        }
        return 0;
}

/* ---- linux.sysctl ---- */

/* Which namespace a key lives in, as runc decides it; -1: not namespaced. */
static int sysctl_namespace(const char *key) {
        static const char *const ipc_keys[] = { "kernel.sem", "kernel.sem_next_id" };
        if (g_str_has_prefix(key, "kernel.shm") || g_str_has_prefix(key, "kernel.msg") ||
            g_str_has_prefix(key, "fs.mqueue.") || lookup(ipc_keys, ELEMENTSOF(ipc_keys), key) >= 0)
                return NAMESPACE_IPC;
        if (g_str_has_prefix(key, "net."))
                return NAMESPACE_NETWORK;
        if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
                return NAMESPACE_UTS;
        return -1;
}

/* The key becomes a path under /proc/sys with dots as slashes: no slash of its own, no empty
 * component (which would make "." or ".." or a leading slash), printable ASCII only. */
static bool sysctl_key_is_valid(const char *key) {
        size_t n = strlen(key);
        if (n == 0 || n > 255 || key[0] == '.' || key[n - 1] == '.' || strstr(key, ".."))
                return false;
        for (const char *p = key; *p; p++)
                if (*p <= ' ' || *p >= 0x7f || *p == '/')
                        return false;
        return true;
}

static int parse_sysctl(JsonObject *l, OciConfig *c, char **ret_error) {
        JsonObject *o;
        int r = json_get_object(l, "sysctl", "linux.sysctl", false, &o, ret_error);
        if (r <= 0)
                return r;
        g_autoptr(GList) names = json_object_get_members(o);
        for (GList *it = names; it; it = it->next) {
                const char *key = it->data;
                JsonNode *n = json_object_get_member(o, key);
                if (!sysctl_key_is_valid(key))
                        return errmsg_plain(ret_error, -EINVAL, "linux.sysctl: invalid key \"%s\"", key);
                if (!json_holds(n, G_TYPE_STRING))
                        return errmsg_plain(ret_error, -EINVAL, "linux.sysctl.%s: must be a string", key);
                int t = sysctl_namespace(key);
                if (t < 0)
                        return errmsg_plain(ret_error, -EPERM, "linux.sysctl: \"%s\" is not namespaced", key);
                const OciNamespace *ns = oci_config_find_namespace(c, t);
                if (!ns)
                        return errmsg_plain(ret_error, -EPERM,
                                            "linux.sysctl: \"%s\" needs a new %s namespace (it would change the host's)",
                                            key, namespace_type_to_string(t));
                if (ns->path)
                        return errmsg_plain(ret_error, -EPERM,
                                            "linux.sysctl: \"%s\" needs a new %s namespace, not the joined %s", key,
                                            namespace_type_to_string(t), ns->path);
                if (strv_extend(&c->sysctl, key) < 0 || strv_extend(&c->sysctl, json_node_get_string(n)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int parse_personality(JsonObject *l, OciPersonality *ret, char **ret_error) {
        _cleanup_free_ char *domain = NULL;
        _cleanup_strv_free_ char **flags = NULL;
        JsonObject *o;
        int r = json_get_object(l, "personality", "linux.personality", false, &o, ret_error);
        if (r <= 0)
                return r;
        if ((r = json_get_string(o, "domain", "linux.personality.domain", true, &domain, ret_error)) < 0)
                return r;
        if (strcmp(domain, "LINUX") == 0)
                ret->persona = PER_LINUX;
        else if (strcmp(domain, "LINUX32") == 0)
                ret->persona = PER_LINUX32;
        else
                return errmsg_plain(ret_error, -EINVAL, "linux.personality.domain: unknown domain \"%s\" (LINUX or LINUX32)",
                                    domain);
        /* The spec defines no flag yet. */
        if ((r = json_get_strv(o, "flags", "linux.personality.flags", NULL, &flags, ret_error)) < 0)
                return r;
        if (flags && flags[0])
                return errmsg_plain(ret_error, -EINVAL, "linux.personality.flags: unknown flag \"%s\"", flags[0]);
        ret->set = true;
        return 0;
}

int cfg_parse_linux_extras(JsonObject *l, OciConfig *c, char **ret_error) {
        int r;
        if ((r = parse_devices(l, c, ret_error)) < 0 || (r = parse_sysctl(l, c, ret_error)) < 0 ||
            (r = parse_personality(l, &c->personality, ret_error)) < 0)
                return r;
        return 0;
}
