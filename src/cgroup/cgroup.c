/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which cgroup hierarchies the host has, where we are in them, where a container goes, and the
 * record of that (cgroup.json). Reads /proc and the cgroup filesystems; makes nothing: the
 * operations on a container's cgroups are in cgroup-ops.c. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "errmsg.h"
#include "fd-util.h"
#include "path-util.h"
#include "strv.h"
#include "cgroup-internal.h"
#include "json-util.h"
#include "log.h"

static const char *const layout_names[_CGROUP_LAYOUT_MAX] = {
        [CGROUP_LAYOUT_UNIFIED] = "unified",
        [CGROUP_LAYOUT_LEGACY] = "legacy",
        [CGROUP_LAYOUT_HYBRID] = "hybrid",
};

const char *cgroup_layout_to_string(CgroupLayout l) {
        return l >= 0 && l < _CGROUP_LAYOUT_MAX ? layout_names[l] : NULL;
}

int cgroup_layout_from_string(const char *s) {
        for (int i = 0; i < _CGROUP_LAYOUT_MAX; i++)
                if (streq_ptr(s, layout_names[i]))
                        return i;
        return -EINVAL;
}

static void hierarchy_done(CgroupHierarchy *h) {
        free(h->mount);
        free(h->mount_root);
        strv_free(h->controllers);
        free(h->own);
        free(h->path);
        free(h->created);
}

Cgroup *cgroup_free(Cgroup *cg) {
        if (!cg)
                return NULL;
        for (size_t i = 0; i < cg->n_hierarchies; i++)
                hierarchy_done(cg->hierarchies + i);
        free(cg->hierarchies);
        free(cg->systemd_unit);
        free(cg->systemd_slice);
        free(cg->unit);
        free(cg->unit_cgroup);
        free(cg);
        return NULL;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s) {
        char *w = s;
        for (char *r = s; *r; r++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
                    r[3] <= '7') {
                        *w++ = (char) (((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
                        r += 3;
                } else
                        *w++ = *r;
        }
        *w = 0;
}

/* The mount options of a v1 hierarchy that are not controllers. */
static bool v1_option_is_controller(const char *o) {
        static const char *const not_controllers[] = { "rw", "ro", "noprefix", "xattr", "clone_children",
                                                       "cpuset_v2_mode", "favordynmods", "none" };
        for (size_t i = 0; i < ELEMENTSOF(not_controllers); i++)
                if (streq(o, not_controllers[i]))
                        return false;
        return strncmp(o, "release_agent=", 14) != 0;
}

static bool path_is_at_or_below(const char *path, const char *dir) {
        const char *rest = path_startswith(path, dir);
        return rest != NULL;
}

/* The v2 controllers available at the hierarchy's root as we see it. */
static int read_v2_controllers(const char *mount, char ***ret) {
        _cleanup_free_ char *data = NULL, *p = NULL;
        if (asprintf(&p, "%s/cgroup.controllers", mount) < 0)
                return -ENOMEM;
        int r = read_file_at(AT_FDCWD, p, 4096, &data, NULL);
        if (r < 0)
                return r;
        char **l = NULL;
        char *save = NULL;
        for (char *w = strtok_r(data, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
                if (strv_extend(&l, w) < 0) {
                        strv_free(l);
                        return -ENOMEM;
                }
        *ret = l;
        return 0;
}

/* mountinfo lists mounts in the order they were made: one on or above a hierarchy found earlier
 * hides it (a tmpfs over /sys/fs/cgroup, a cgroup2 over a v1 mount). */
static void drop_hidden(Cgroup *cg, const char *mount) {
        size_t k = 0;
        for (size_t i = 0; i < cg->n_hierarchies; i++) {
                if (path_is_at_or_below(cg->hierarchies[i].mount, mount))
                        hierarchy_done(cg->hierarchies + i);
                else
                        cg->hierarchies[k++] = cg->hierarchies[i];
        }
        cg->n_hierarchies = k;
}

/* Every cgroup mount is noted first; which are seen, which are the same hierarchy twice and
 * what a cgroup2 offers is known once all of mountinfo is read (finish_mounts). */
static int add_mount(Cgroup *cg, bool v2, const char *mount, const char *mount_root, const char *superopts) {
        _cleanup_strv_free_ char **controllers = NULL;
        if (!v2) {
                _cleanup_free_ char *opts = strdup(superopts);
                if (!opts)
                        return -ENOMEM;
                char *save = NULL;
                for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save))
                        if (v1_option_is_controller(o) && strv_extend(&controllers, o) < 0)
                                return -ENOMEM;
                if (!controllers)
                        return 0;
        }
        CgroupHierarchy *n = reallocarray(cg->hierarchies, cg->n_hierarchies + 1, sizeof(CgroupHierarchy));
        if (!n)
                return -ENOMEM;
        cg->hierarchies = n;
        CgroupHierarchy *h = n + cg->n_hierarchies;
        *h = (CgroupHierarchy) { .v2 = v2, .mount = strdup(mount), .mount_root = strdup(mount_root),
                                 .controllers = TAKE_PTR(controllers) };
        cg->n_hierarchies++;
        return h->mount && h->mount_root ? 0 : -ENOMEM;
}

static bool same_hierarchy(const CgroupHierarchy *a, const CgroupHierarchy *b) {
        if (a->v2 || b->v2)
                return a->v2 && b->v2; /* there is one cgroup2 hierarchy */
        return streq(a->controllers[0], b->controllers[0]);
}

/* Of the hierarchies still seen: the first mount of each (one bound twice counts once), and
 * the controllers of the cgroup2, read only now that it is known to be reachable. */
static int finish_mounts(Cgroup *cg) {
        size_t k = 0;
        for (size_t i = 0; i < cg->n_hierarchies; i++) {
                bool dup = false;
                for (size_t j = 0; j < k && !dup; j++)
                        dup = same_hierarchy(cg->hierarchies + j, cg->hierarchies + i);
                if (dup)
                        hierarchy_done(cg->hierarchies + i);
                else
                        cg->hierarchies[k++] = cg->hierarchies[i];
        }
        cg->n_hierarchies = k;
        for (size_t i = 0; i < cg->n_hierarchies; i++)
                if (cg->hierarchies[i].v2) {
                        int r = read_v2_controllers(cg->hierarchies[i].mount, &cg->hierarchies[i].controllers);
                        if (r < 0)
                                return r;
                }
        return 0;
}

/* Calls fn on each line of the file at path (newline stripped), stopping at its first error. */
static int for_each_line(const char *path, int (*fn)(Cgroup *cg, char *line, const char *root), Cgroup *cg,
                         const char *root) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        while (getline(&line, &size, f) > 0) {
                line[strcspn(line, "\n")] = 0;
                int r = fn(cg, line, root);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS */
static int mountinfo_line(Cgroup *cg, char *line, const char *root) {
        char *fields[5] = {}, *save = NULL, *w = strtok_r(line, " ", &save);
        size_t i = 0;
        for (; w && i < 5; w = strtok_r(NULL, " ", &save))
                fields[i++] = w;
        while (w && !streq(w, "-"))
                w = strtok_r(NULL, " ", &save);
        char *fstype = w ? strtok_r(NULL, " ", &save) : NULL;
        char *source = fstype ? strtok_r(NULL, " ", &save) : NULL;
        char *superopts = source ? strtok_r(NULL, " ", &save) : NULL;
        if (i < 5 || !superopts)
                return 0;
        unescape_octal(fields[3]);
        unescape_octal(fields[4]);
        drop_hidden(cg, fields[4]);
        bool v2 = streq(fstype, "cgroup2");
        if ((!v2 && !streq(fstype, "cgroup")) || !path_is_at_or_below(fields[4], root))
                return 0;
        return add_mount(cg, v2, fields[4], fields[3], superopts);
}

static int parse_mountinfo(Cgroup *cg, const char *root) {
        int r = for_each_line("/proc/self/mountinfo", mountinfo_line, cg, root);
        if (r < 0)
                return r;
        return finish_mounts(cg);
}

bool cgroup_line_matches(const CgroupHierarchy *h, const char *ctrls) {
        if (h->v2)
                return ctrls[0] == 0;
        if (ctrls[0] == 0 || strv_length(h->controllers) == 0)
                return false;
        /* Each name in the list, as a whole word: "cpu" is not "cpuset". */
        for (const char *w = ctrls; *w;) {
                size_t n = strcspn(w, ",");
                bool found = false;
                for (char **c = h->controllers; *c && !found; c++)
                        found = strlen(*c) == n && strncmp(*c, w, n) == 0;
                if (!found)
                        return false;
                w += n + (w[n] == ',');
        }
        return true;
}

bool cgroup_split_proc_line(char *line, const char **ret_ctrls, const char **ret_path) {
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
                return false;
        *c2 = 0;
        *ret_ctrls = c1 + 1;
        *ret_path = c2 + 1;
        return true;
}

static int own_cgroup_line(Cgroup *cg, char *line, const char *root) {
        const char *ctrls, *path;
        if (!cgroup_split_proc_line(line, &ctrls, &path))
                return 0;
        for (size_t i = 0; i < cg->n_hierarchies; i++) {
                CgroupHierarchy *h = cg->hierarchies + i;
                if (cgroup_line_matches(h, ctrls) && !h->own && !(h->own = strdup(path)))
                        return -ENOMEM;
        }
        return 0;
}

int cgroup_discover(const char *root, Cgroup **ret, char **ret_error) {
        _cleanup_cgroup_ Cgroup *cg = calloc(1, sizeof(Cgroup));
        if (!cg)
                return -ENOMEM;
        int r = parse_mountinfo(cg, root);
        if (r < 0)
                return errmsg(ret_error, r, "find the cgroup hierarchies mounted on %s", root);
        if (cg->n_hierarchies == 0)
                return errmsg_plain(ret_error, -ENOMEDIUM, "no cgroup hierarchy is mounted on %s", root);
        r = for_each_line("/proc/self/cgroup", own_cgroup_line, cg, NULL);
        if (r < 0)
                return errmsg(ret_error, r, "read /proc/self/cgroup");
        bool v1 = false, v2 = false;
        for (size_t i = 0; i < cg->n_hierarchies; i++) {
                CgroupHierarchy *h = cg->hierarchies + i;
                if (!h->own && !(h->own = strdup("/")))
                        return -ENOMEM;
                if (h->v2)
                        v2 = true;
                else
                        v1 = true;
        }
        cg->layout = v1 && v2 ? CGROUP_LAYOUT_HYBRID : v2 ? CGROUP_LAYOUT_UNIFIED : CGROUP_LAYOUT_LEGACY;
        log_debug("cgroup layout %s, %zu hierarchies under %s", cgroup_layout_to_string(cg->layout),
                  cg->n_hierarchies, root);
        *ret = TAKE_PTR(cg);
        return 0;
}

/* ---------------------------------------------------------------- a hierarchy's files */

/* The container's cgroup directory in h, as a path of ours. */
int cgroup_hierarchy_dir(const CgroupHierarchy *h, char **ret) {
        if (!h->path)
                return -ENOENT;
        return cgroup_fs_path(h, h->path, ret);
}

int cgroup_limits_dir(const Cgroup *cg, const CgroupHierarchy *h, char **ret) {
        if (h->v2 && cg->unit_cgroup)
                return cgroup_fs_path(h, cg->unit_cgroup, ret);
        return cgroup_hierarchy_dir(h, ret);
}

int cgroup_write(const char *dir, const char *file, const char *value) {
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        size_t n = strlen(value);
        ssize_t k = write(fd, value, n);
        if (k < 0)
                return -errno;
        return (size_t) k == n ? 0 : -EIO;
}

int cgroup_read(const char *dir, const char *file, char **ret) {
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        return read_file_at(AT_FDCWD, p, 1U << 20, ret, NULL);
}

/* The first line, without its newline. */
int cgroup_read_line(const char *dir, const char *file, char **ret) {
        int r = cgroup_read(dir, file, ret);
        if (r >= 0)
                (*ret)[strcspn(*ret, "\n")] = 0;
        return r;
}

int cgroup_read_u64(const char *dir, const char *file, uint64_t *ret) {
        _cleanup_free_ char *s = NULL;
        int r = cgroup_read_line(dir, file, &s);
        if (r < 0)
                return r;
        if (streq(s, "max")) {
                *ret = UINT64_MAX;
                return 0;
        }
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || end == s || *end)
                return -EBADMSG;
        *ret = v;
        return 0;
}

/* "key value" lines (memory.events, cpu.stat, cpuacct.stat, memory.oom_control). */
int cgroup_read_keyed(const char *dir, const char *file, const char *key, uint64_t *ret) {
        _cleanup_free_ char *s = NULL;
        int r = cgroup_read(dir, file, &s);
        if (r < 0)
                return r;
        size_t kl = strlen(key);
        for (char *line = s; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
                if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
                        *ret = strtoull(line + kl + 1, NULL, 10);
                        return 0;
                }
        return -ENOENT;
}


const CgroupHierarchy *cgroup_find_v1(const Cgroup *cg, const char *controller) {
        for (size_t i = 0; i < cg->n_hierarchies; i++)
                if (!cg->hierarchies[i].v2 && strv_contains(cg->hierarchies[i].controllers, controller))
                        return cg->hierarchies + i;
        return NULL;
}

const CgroupHierarchy *cgroup_find_v2(const Cgroup *cg) {
        for (size_t i = 0; i < cg->n_hierarchies; i++)
                if (cg->hierarchies[i].v2)
                        return cg->hierarchies + i;
        return NULL;
}

/* v1 wins where a controller is on both (it can only be active on one). */
const CgroupHierarchy *cgroup_find_controller(const Cgroup *cg, const char *v1_name, const char *v2_name) {
        const CgroupHierarchy *h = cgroup_find_v1(cg, v1_name);
        if (h)
                return h;
        h = cgroup_find_v2(cg);
        return h && v2_name && strv_contains(h->controllers, v2_name) ? h : NULL;
}

/* ---------------------------------------------------------------- placement */

/* A cgroup path as config.json may give it: no "." or ".." components, no empty ones, nothing
 * the kernel or a shell would read differently. */
static const char *check_cgroups_path(const char *p) {
        if (p[0] == 0)
                return "must not be empty";
        if (strlen(p) >= 4096)
                return "is too long";
        for (const char *c = p; *c; c++)
                if ((unsigned char) *c < 0x20 || *c == 0x7f)
                        return "must not contain control characters";
        const char *s = p[0] == '/' ? p + 1 : p;
        if (*s == 0)
                return "must not be the root cgroup";
        for (;;) {
                size_t n = strcspn(s, "/");
                if (n == 0)
                        return "must not have empty components or a trailing '/'";
                if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
                        return "must not have \".\" or \"..\" components";
                if (s[n] == 0)
                        return NULL;
                s += n + 1;
        }
}

static int join_path(const char *a, const char *b, char **ret) {
        return asprintf(ret, "%s%s%s", a, streq(a, "/") ? "" : "/", b) < 0 ? -ENOMEM : 0;
}

int cgroup_fs_path(const CgroupHierarchy *h, const char *cgroup, char **ret) {
        const char *rest = path_startswith(cgroup, h->mount_root);
        if (!rest)
                return -EXDEV; /* not below what is mounted here: unreachable */
        if (*rest == 0)
                return (*ret = strdup(h->mount)) ? 0 : -ENOMEM;
        return asprintf(ret, "%s/%s", h->mount, rest) < 0 ? -ENOMEM : 0;
}

int cgroup_hierarchy_path(const CgroupHierarchy *h, const char *rel, char **ret) {
        if (streq(h->mount_root, "/"))
                return (*ret = strdup(rel)) ? 0 : -ENOMEM;
        return asprintf(ret, "%s%s", h->mount_root, rel) < 0 ? -ENOMEM : 0;
}

/* The hierarchy that tracks processes: v2 where there is one (systemd tracks there on unified
 * and hybrid hosts), else the named systemd one, else the first. */
const CgroupHierarchy *cgroup_tracking_hierarchy(const Cgroup *cg) {
        const CgroupHierarchy *named = NULL;
        for (size_t i = 0; i < cg->n_hierarchies; i++) {
                if (cg->hierarchies[i].v2)
                        return cg->hierarchies + i;
                if (strv_contains(cg->hierarchies[i].controllers, "name=systemd"))
                        named = cg->hierarchies + i;
        }
        return named ?: cg->n_hierarchies > 0 ? cg->hierarchies : NULL;
}

/* The user's manager runs its units below user@UID.service. */
static bool cgroup_in_user_manager(const char *cgroup) {
        return strstr(cgroup, "/user@") && strstr(strstr(cgroup, "/user@"), ".service/");
}

/* Inside a unit with Delegate=yes, the unit's cgroup, else NULL. The system manager marks a
 * delegated cgroup with the trusted.delegate xattr; systemd 252's user manager cannot (trusted.*
 * needs CAP_SYS_ADMIN) and sets nothing, so for a unit of the user's manager the manager is
 * asked. systemd runs a delegated unit's later control processes (ExecStartPost=, ExecStop=, ...)
 * in a ".control" leaf of it. */
static int delegated_unit_cgroup(const Cgroup *cg, char **ret) {
        *ret = NULL;
        const CgroupHierarchy *h = cgroup_tracking_hierarchy(cg);
        if (!h || !getenv("INVOCATION_ID"))
                return 0;
        _cleanup_free_ char *unit = strdup(h->own), *fs = NULL, *error = NULL;
        if (!unit)
                return -ENOMEM;
        char *slash = strrchr(unit, '/');
        if (slash && streq(slash + 1, ".control"))
                *(slash == unit ? slash + 1 : slash) = 0;
        if (!endswith(unit, ".service") && !endswith(unit, ".scope"))
                return 0;
        int r = cgroup_fs_path(h, unit, &fs);
        if (r < 0)
                return r == -EXDEV ? 0 : r;
        char v[8] = {};
        if ((getxattr(fs, "trusted.delegate", v, sizeof(v) - 1) > 0 && streq(v, "1")) ||
            (memset(v, 0, sizeof(v)), getxattr(fs, "user.delegate", v, sizeof(v) - 1) > 0 && streq(v, "1"))) {
                *ret = TAKE_PTR(unit);
                return 1;
        }
        if (!cgroup_in_user_manager(unit))
                return 0;
        r = cgroup_systemd_unit_delegates(strrchr(unit, '/') + 1, true, &error);
        if (r < 0)
                log_debug("%s: taken for a unit without Delegate=yes", error);
        if (r <= 0)
                return 0;
        *ret = TAKE_PTR(unit);
        return 1;
}

int cgroup_resolve(Cgroup *cg, const char *cgroups_path, const char *id, bool systemd_driver, char **ret_error) {
        const char *bad;
        if (cgroups_path && !systemd_driver && (bad = check_cgroups_path(cgroups_path)))
                return errmsg_plain(ret_error, -EINVAL, "linux.cgroupsPath: \"%s\" %s", cgroups_path, bad);
        if (cgroups_path && !systemd_driver && strchr(cgroups_path, ':'))
                return errmsg_plain(ret_error, -EINVAL,
                                    "linux.cgroupsPath: \"%s\" is systemd's slice:prefix:name form: "
                                    "use --systemd-cgroup", cgroups_path);

        cg->may_join = cgroups_path && !systemd_driver;
        _cleanup_free_ char *unit = NULL;
        int r = delegated_unit_cgroup(cg, &unit);
        if (r < 0)
                return errmsg(ret_error, r, "find our own unit's cgroup");

        _cleanup_free_ char *common = NULL; /* the same path in every hierarchy, or NULL */
        if (unit) {
                /* Below the unit, so that it shows the container, its limits apply to it and
                 * stopping it kills it: never beside it, whatever cgroupsPath says. */
                const char *leaf = cgroups_path && !systemd_driver && cgroups_path[0] != '/' ? cgroups_path : "container";
                if ((r = join_path(unit, leaf, &common)) < 0)
                        return r;
                log_debug("in the delegated unit cgroup %s: the container goes to %s", unit, common);
                /* Its limits are the unit's too (see Cgroup.unit). */
                free(cg->unit);
                free(cg->unit_cgroup);
                cg->unit = strdup(strrchr(unit, '/') + 1);
                cg->unit_cgroup = strdup(unit);
                cg->unit_user = cgroup_in_user_manager(unit);
                if (!cg->unit || !cg->unit_cgroup)
                        return -ENOMEM;
        } else if (systemd_driver) {
                _cleanup_free_ char *slice = NULL, *scope = NULL;
                r = cgroup_systemd_parse_path(cgroups_path, id, geteuid() != 0, &slice, &scope, ret_error);
                if (r < 0)
                        return r;
                free(cg->systemd_unit);
                free(cg->systemd_slice);
                cg->systemd_unit = TAKE_PTR(scope);
                cg->systemd_slice = TAKE_PTR(slice);
                cg->systemd_user = geteuid() != 0;
                return 0; /* the paths are systemd's to say, once the scope exists */
        } else if (!cgroups_path) {
                if (asprintf(&common, "/ctr-launch/%s", id) < 0)
                        return -ENOMEM;
        } else if (cgroups_path[0] == '/' && !(common = strdup(cgroups_path)))
                return -ENOMEM;

        for (size_t i = 0; i < cg->n_hierarchies; i++) {
                CgroupHierarchy *h = cg->hierarchies + i;
                free(h->path);
                h->path = NULL;
                if (common)
                        h->path = strdup(common);
                else
                        (void) join_path(h->own, cgroups_path, &h->path);
                if (!h->path)
                        return -ENOMEM;
                if (path_startswith(h->path, h->mount_root) == NULL)
                        return errmsg_plain(ret_error, -EXDEV, "linux.cgroupsPath: %s is outside the part of "
                                            "the hierarchy mounted on %s", h->path, h->mount);
        }
        return 0;
}

/* ---------------------------------------------------------------- the record */

char *cgroup_to_json(const Cgroup *cg) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_add_string(b, "layout", cgroup_layout_to_string(cg->layout));
        json_add_string(b, "systemdUnit", cg->systemd_unit);
        json_add_string(b, "systemdSlice", cg->systemd_slice);
        json_add_bool(b, "systemdUser", cg->systemd_user);
        json_add_bool(b, "attached", cg->attached);
        json_add_bool(b, "shared", cg->shared);
        json_add_string(b, "unit", cg->unit);
        json_add_string(b, "unitCgroup", cg->unit_cgroup);
        json_add_bool(b, "unitUser", cg->unit_user);
        json_builder_set_member_name(b, "hierarchies");
        json_builder_begin_array(b);
        for (size_t i = 0; i < cg->n_hierarchies; i++) {
                const CgroupHierarchy *h = cg->hierarchies + i;
                json_builder_begin_object(b);
                json_add_bool(b, "v2", h->v2);
                json_add_string(b, "mount", h->mount);
                json_add_string(b, "mountRoot", h->mount_root);
                json_add_strv(b, "controllers", h->controllers);
                json_add_string(b, "own", h->own);
                json_add_string(b, "path", h->path);
                json_add_string(b, "created", h->created);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
        json_builder_end_object(b);
        return json_builder_text(b, 0);
}

static int hierarchy_from_json(JsonObject *o, CgroupHierarchy *h) {
        int r;
        if ((r = json_get_bool(o, "v2", NULL, false, &h->v2, NULL)) < 0 ||
            (r = json_get_string(o, "mount", NULL, true, &h->mount, NULL)) < 0 ||
            (r = json_get_string(o, "mountRoot", NULL, true, &h->mount_root, NULL)) < 0 ||
            (r = json_get_string(o, "own", NULL, true, &h->own, NULL)) < 0 ||
            (r = json_get_string(o, "path", NULL, false, &h->path, NULL)) < 0 ||
            (r = json_get_string(o, "created", NULL, false, &h->created, NULL)) < 0 ||
            (r = json_get_strv(o, "controllers", NULL, NULL, &h->controllers, NULL)) < 0)
                return r;
        return 0;
}

int cgroup_from_json(const char *data, Cgroup **ret, char **ret_error) {
        g_autoptr(JsonParser) parser = NULL;
        JsonObject *o;
        int r = json_parse_object(data, SIZE_MAX, NULL, "not an object", &parser, &o, NULL);
        if (r < 0)
                return r == -ENOMEM ? r : errmsg_plain(ret_error, -EBADMSG, "%s: not a JSON object", CGROUP_FILE);
        _cleanup_cgroup_ Cgroup *cg = calloc(1, sizeof(Cgroup));
        _cleanup_free_ char *layout = NULL;
        JsonArray *a;
        if (!cg)
                return -ENOMEM;
        if ((r = json_get_string(o, "layout", NULL, true, &layout, NULL)) < 0 ||
            (r = json_get_string(o, "systemdUnit", NULL, false, &cg->systemd_unit, NULL)) < 0 ||
            (r = json_get_string(o, "systemdSlice", NULL, false, &cg->systemd_slice, NULL)) < 0 ||
            (r = json_get_bool(o, "systemdUser", NULL, false, &cg->systemd_user, NULL)) < 0 ||
            (r = json_get_bool(o, "attached", NULL, false, &cg->attached, NULL)) < 0 ||
            (r = json_get_bool(o, "shared", NULL, false, &cg->shared, NULL)) < 0 ||
            (r = json_get_string(o, "unit", NULL, false, &cg->unit, NULL)) < 0 ||
            (r = json_get_string(o, "unitCgroup", NULL, false, &cg->unit_cgroup, NULL)) < 0 ||
            (r = json_get_bool(o, "unitUser", NULL, false, &cg->unit_user, NULL)) < 0 ||
            (r = json_get_array(o, "hierarchies", NULL, true, &a, NULL)) < 0)
                return r == -ENOMEM ? r : errmsg_plain(ret_error, -EBADMSG, "%s: malformed", CGROUP_FILE);
        int l = cgroup_layout_from_string(layout);
        if (l < 0)
                return errmsg_plain(ret_error, -EBADMSG, "%s: unknown layout", CGROUP_FILE);
        cg->layout = l;
        guint n = json_array_get_length(a);
        cg->hierarchies = calloc(n ?: 1, sizeof(CgroupHierarchy));
        if (!cg->hierarchies)
                return -ENOMEM;
        for (guint i = 0; i < n; i++) {
                JsonObject *e;
                if ((r = json_array_get_object_at(a, i, "hierarchies", &e, NULL)) < 0 ||
                    (r = hierarchy_from_json(e, cg->hierarchies + cg->n_hierarchies++)) < 0)
                        return r == -ENOMEM ? r : errmsg_plain(ret_error, -EBADMSG, "%s: malformed hierarchy", CGROUP_FILE);
        }
        *ret = TAKE_PTR(cg);
        return 0;
}
