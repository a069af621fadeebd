/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Making and removing a container's cgroups once cgroup.c has said where they are, and applying
 * resources (each to the hierarchy that holds its controller, in that hierarchy's syntax). What
 * is done to the processes in them (freeze, list, signal, measure) is cgroup-procs.c. */

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errmsg.h"
#include "fd-util.h"
#include "path-util.h"
#include "strv.h"
#include "cgroup-internal.h"
#include "log.h"

/* Splits res in the part each version's backend applies, by where the controllers are. The
 * halves share res's arrays: never free them. */
static int split_resources(const Cgroup *cg, const OciResources *res, OciResources *v1, OciResources *v2,
                           char **ret_error) {
        *v1 = *res;
        *v2 = *res;
#define AREA(set, v1name, v2name, member, clear)                                                          \
        if (set) {                                                                                        \
                const CgroupHierarchy *_h = cgroup_find_controller(cg, v1name, v2name);                          \
                if (!_h)                                                                                  \
                        return errmsg_plain(ret_error, -EOPNOTSUPP,                                       \
                                            "linux.resources.%s: this host has no %s controller", member, \
                                            v2name ? v2name : v1name);                                    \
                OciResources *_other = _h->v2 ? v1 : v2;                                                  \
                clear(_other);                                                                            \
        } else {                                                                                          \
                clear(v1);                                                                                \
                clear(v2);                                                                                \
        }
#define CLEAR_MEMORY(r)                                                                                   \
        ((r)->has_memory_limit = (r)->has_memory_reservation = (r)->has_memory_swap =                     \
                 (r)->has_memory_swappiness = (r)->has_disable_oom_killer = false)
#define CLEAR_CPU(r)                                                                                      \
        ((r)->has_cpu_shares = (r)->has_cpu_quota = (r)->has_cpu_period = (r)->has_cpu_burst =            \
                 (r)->has_cpu_realtime_runtime = (r)->has_cpu_realtime_period = (r)->has_cpu_idle = false)
#define CLEAR_CPUSET(r) ((r)->cpus = (r)->mems = NULL)
#define CLEAR_PIDS(r) ((r)->has_pids_limit = false)
#define CLEAR_BLKIO(r)                                                                                    \
        ((r)->has_blkio_weight = (r)->has_blkio_leaf_weight = false, (r)->n_weight_devices = 0,           \
         (r)->n_throttle_read_bps = (r)->n_throttle_write_bps = (r)->n_throttle_read_iops =               \
                 (r)->n_throttle_write_iops = 0)
#define CLEAR_HUGETLB(r) ((r)->n_hugepage_limits = 0)
#define CLEAR_CLASSID(r) ((r)->has_net_class_id = false)
#define CLEAR_NETPRIO(r) ((r)->n_net_priorities = 0)
#define CLEAR_DEVICES(r) ((r)->n_devices = 0)
        const OciResources *s = res;
        AREA(s->has_memory_limit || s->has_memory_reservation || s->has_memory_swap || s->has_memory_swappiness ||
                     (s->has_disable_oom_killer && s->disable_oom_killer),
             "memory", "memory", "memory", CLEAR_MEMORY)
        AREA(s->has_cpu_shares || s->has_cpu_quota || s->has_cpu_period || s->has_cpu_burst ||
                     s->has_cpu_realtime_runtime || s->has_cpu_realtime_period || s->has_cpu_idle,
             "cpu", "cpu", "cpu", CLEAR_CPU)
        AREA(s->cpus || s->mems, "cpuset", "cpuset", "cpu.cpus/mems", CLEAR_CPUSET)
        AREA(s->has_pids_limit, "pids", "pids", "pids", CLEAR_PIDS)
        AREA(s->has_blkio_weight || s->has_blkio_leaf_weight || s->n_weight_devices || s->n_throttle_read_bps ||
                     s->n_throttle_write_bps || s->n_throttle_read_iops || s->n_throttle_write_iops,
             "blkio", "io", "blockIO", CLEAR_BLKIO)
        AREA(s->n_hugepage_limits, "hugetlb", "hugetlb", "hugepageLimits", CLEAR_HUGETLB)
        AREA(s->has_net_class_id, "net_cls", NULL, "network.classID", CLEAR_CLASSID)
        AREA(s->n_net_priorities, "net_prio", NULL, "network.priorities", CLEAR_NETPRIO)
        if (s->n_devices > 0) {
                /* v2 has no devices controller: an eBPF program on any cgroup2 directory. */
                if (cgroup_find_v1(cg, "devices"))
                        CLEAR_DEVICES(v2);
                else if (cgroup_find_v2(cg))
                        CLEAR_DEVICES(v1);
                else
                        return errmsg_plain(ret_error, -EOPNOTSUPP, "linux.resources.devices: this host has no devices controller");
        }
        /* kernelTCP: v1's memory controller only; warned about elsewhere (warn_ignored()). */
        v1->has_memory_kernel_tcp = s->has_memory_kernel_tcp && cgroup_find_v1(cg, "memory");
        v2->has_memory_kernel_tcp = false;
        if (s->unified) {
                if (!cgroup_find_v2(cg))
                        return errmsg_plain(ret_error, -EOPNOTSUPP, "linux.resources.unified: only for hosts with a cgroup v2 hierarchy");
                v1->unified = NULL;
        }
#undef AREA
        return 0;
}

typedef struct Plan {
        CgroupWrite *w1, *w2;
        size_t n1, n2;
        OciResources r1, r2;
} Plan;

static void plan_done(Plan *p) {
        cgroup_writes_free(p->w1, p->n1);
        cgroup_writes_free(p->w2, p->n2);
}

/* Whether word is one of list's space-separated words. */
static bool word_in_list(const char *list, const char *word) {
        size_t n = strlen(word);
        for (const char *p = list; *p; p += strspn(p, " ")) {
                size_t k = strcspn(p, " ");
                if (k == n && strncmp(p, word, n) == 0)
                        return true;
                p += k;
        }
        return false;
}

static int check_v2_controllers(const Cgroup *cg, const CgroupWrite *w, size_t n, char **ret_error) {
        const CgroupHierarchy *h2 = cgroup_find_v2(cg);
        _cleanup_free_ char *dir = NULL, *list = NULL;
        if (n > 0 && h2 && cg->unit) {
                int r = cgroup_limits_dir(cg, h2, &dir);
                if (r >= 0)
                        r = cgroup_read_line(dir, "cgroup.controllers", &list);
                if (r < 0)
                        return errmsg(ret_error, r, "read the controllers of %s", cg->unit);
        }
        for (size_t i = 0; i < n; i++) {
                const char *c = w[i].controller;
                if (!c)
                        continue;
                if (!h2 || !strv_contains(h2->controllers, c))
                        return errmsg_plain(ret_error, -EOPNOTSUPP, "linux.resources: %s needs the %s controller, "
                                            "which this host's cgroup v2 hierarchy does not have", w[i].file, c);
                if (list && !word_in_list(list, c))
                        return errmsg_plain(ret_error, -EOPNOTSUPP, "linux.resources: %s needs the %s controller, "
                                            "which is not delegated to %s (its cgroup.controllers: \"%s\")%s",
                                            w[i].file, c, cg->unit, list,
                                            cg->unit_user ? ": see docs/rootless.md, \"Limits\"" : "");
        }
        return 0;
}

static int plan_make(const Cgroup *cg, const OciResources *res, Plan *ret, char **ret_error) {
        Plan p = {};
        int r = split_resources(cg, res, &p.r1, &p.r2, ret_error);
        if (r < 0)
                return r;
        if ((r = cgroup_v1_writes(&p.r1, &p.w1, &p.n1, ret_error)) < 0)
                return r;
        if ((r = cgroup_v2_writes(&p.r2, &p.w2, &p.n2, ret_error)) < 0) {
                plan_done(&p);
                return r;
        }
        /* Each v2 controller must be in the hierarchy (in a delegated unit: delegated to the
         * unit); v2 core files (controller NULL) always are. */
        if ((r = check_v2_controllers(cg, p.w2, p.n2, ret_error)) < 0) {
                plan_done(&p);
                return r;
        }
        *ret = p;
        return 0;
}

int cgroup_check_resources(const Cgroup *cg, const OciResources *res, char **ret_error) {
        _cleanup_(plan_done) Plan p = {};
        return res ? plan_make(cg, res, &p, ret_error) : 0;
}

static int apply_writes(const Cgroup *cg, bool v2, CgroupWrite *w, size_t n, char **ret_error) {
        bool *retry = calloc(n ?: 1, sizeof(bool));
        if (!retry)
                return -ENOMEM;
        int r = 0;
        for (int pass = 0; pass < 2 && r >= 0; pass++)
                for (size_t i = 0; i < n; i++) {
                        if (pass == 1 && !retry[i])
                                continue;
                        const CgroupHierarchy *h = v2 ? cgroup_find_v2(cg) : cgroup_find_v1(cg, w[i].controller);
                        _cleanup_free_ char *dir = NULL;
                        if (!h || (r = cgroup_limits_dir(cg, h, &dir)) < 0) {
                                r = errmsg(ret_error, h ? r : -EOPNOTSUPP, "write %s", w[i].file);
                                break;
                        }
                        const char *file = w[i].file;
                        r = cgroup_write(dir, file, w[i].value);
                        const char *value = w[i].value;
                        if (r == -ENOENT && w[i].alt_file) {
                                r = cgroup_write(dir, file = w[i].alt_file, value = w[i].alt_value ?: w[i].value);
                                /* The only knobs with two files are the weights: CFQ's, gone
                                 * with Linux 5.0, and BFQ's, there only while the bfq
                                 * scheduler is loaded. */
                                if (r == -ENOENT) {
                                        r = errmsg_plain(ret_error, -EOPNOTSUPP,
                                                         "this host cannot apply \"%s\": %s has neither %s nor %s "
                                                         "(the kernel offers I/O weights with the BFQ I/O "
                                                         "scheduler only: modprobe bfq)",
                                                         value, dir, w[i].file, w[i].alt_file);
                                        break;
                                }
                        }
                        if (r == -EINVAL && pass == 0) {
                                retry[i] = true; /* maybe only the order: see cgroup.h */
                                r = 0;
                                continue;
                        }
                        if (r < 0) {
                                r = errmsg(ret_error, r, "write \"%s\" to %s/%s", value, dir, file);
                                break;
                        }
                        log_debug("%s/%s = %s", dir, file, value);
                }
        free(retry);
        return r;
}

/* v2's device filter: an eBPF program on the container's cgroup2 directory. */
static int apply_v2_devices(const Cgroup *cg, const OciResources *r2, char **ret_error) {
        _cleanup_free_ char *dir = NULL;
        int r = cgroup_hierarchy_dir(cgroup_find_v2(cg), &dir);
        if (r < 0)
                return errmsg(ret_error, r, "open the container's cgroup2 directory");
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return errmsg(ret_error, -errno, "open the container's cgroup2 directory");
        return cgroup_v2_devices_apply(fd, r2->devices, r2->n_devices, ret_error);
}

/* The files of a plan: written right away, rather than when systemd gets round to it (on v2
 * in a delegated unit, the unit's own cgroup's; else the container's). */
static int apply_plan(const Cgroup *cg, const Plan *p, char **ret_error) {
        int r = apply_writes(cg, false, p->w1, p->n1, ret_error);
        if (r >= 0)
                r = apply_writes(cg, true, p->w2, p->n2, ret_error);
        if (r >= 0 && p->r2.n_devices > 0)
                r = apply_v2_devices(cg, &p->r2, ret_error);
        return r;
}

/* The unit whose limits these are (the delegated unit the container runs in, or the systemd
 * driver's scope) gets them as its properties, so that systemctl shows them and no reload
 * undoes them. */
static int set_unit_properties(const Cgroup *cg, const OciResources *res, char **ret_error) {
        if (cg->unit)
                return cgroup_systemd_set_unit_resources(cg->unit, cg->unit_user, res, false, ret_error);
        if (cg->systemd_unit)
                return cgroup_systemd_set_unit_resources(cg->systemd_unit, cg->systemd_user, res, false, ret_error);
        return 0;
}

/* What res asks that no kernel here applies: said, not refused. runc 1.1 ignores kernel and
 * kernelTCP everywhere with a warning; crun 1.8 writes both on v1 and refuses both on v2. We
 * apply kernelTCP where v1's memory.kmem.tcp.limit_in_bytes exists and warn elsewhere (a config
 * runc runs must run); kernel is never applied: v2 counts kernel memory in memory.max, and v1's
 * memory.kmem.limit_in_bytes is deprecated since Linux 5.4 and takes no limit since 6.1. Only
 * for a real apply (create, update), not for cgroup_check_resources(), so each says it once. */
static void warn_ignored(const Cgroup *cg, const OciResources *res) {
        if (res->has_memory_kernel)
                log_warning("linux.resources.memory.kernel is ignored: the kernel has no separate kernel memory "
                            "limit any more (it counts in memory.limit)");
        if (res->has_memory_kernel_tcp && !cgroup_find_v1(cg, "memory"))
                log_warning("linux.resources.memory.kernelTCP is ignored: it needs cgroup v1's memory controller "
                            "(memory.kmem.tcp.limit_in_bytes), which this host does not have");
}

int cgroup_apply(const Cgroup *cg, const OciResources *res, char **ret_error) {
        _cleanup_(plan_done) Plan p = {};
        if (!res)
                return 0;
        int r = plan_make(cg, res, &p, ret_error);
        if (r >= 0)
                r = set_unit_properties(cg, res, ret_error);
        if (r >= 0)
                r = apply_plan(cg, &p, ret_error);
        if (r >= 0)
                warn_ignored(cg, res);
        return r;
}

/* ---------------------------------------------------------------- making and removing */

/* v1 cpuset: a new cgroup starts with no cpus and no mems, and takes no process until it has
 * some (ENOSPC): one found empty gets its parent's. */
static int cpuset_inherit(const char *dir) {
        _cleanup_free_ char *parent = strdup(dir);
        if (!parent)
                return -ENOMEM;
        char *slash = strrchr(parent, '/');
        if (!slash)
                return -EINVAL;
        *slash = 0;
        static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *mine = NULL, *theirs = NULL;
                int r = cgroup_read_line(dir, files[i], &mine);
                if (r < 0)
                        return r;
                if (mine[0] != 0)
                        continue;
                if ((r = cgroup_read_line(parent, files[i], &theirs)) < 0 || (r = cgroup_write(dir, files[i], theirs)) < 0)
                        return r;
        }
        return 0;
}

/* Whether the leaf dir of h, found there, holds processes. v2 says whether anything below it
 * is populated; v1 only what is in it. */
static bool leaf_in_use(const CgroupHierarchy *h, const char *dir) {
        _cleanup_free_ char *procs = NULL;
        uint64_t populated = 0;
        return (h->v2 && cgroup_read_keyed(dir, "cgroup.events", "populated", &populated) >= 0 && populated) ||
               (cgroup_read(dir, "cgroup.procs", &procs) >= 0 && procs[0] != 0);
}

/* mkdir -p of the container's cgroup in h; records the topmost directory made. On v1's cpuset
 * hierarchy every directory on the way, made now or found, gets its parent's cpus and mems if
 * it has none, as runc's ensureParent does: a parent someone made and left empty would refuse
 * every process. The leaf: see below. */
static int hierarchy_mkdir(Cgroup *cg, CgroupHierarchy *h, char **ret_error) {
        _cleanup_free_ char *dir = NULL;
        int r = cgroup_hierarchy_dir(h, &dir);
        if (r < 0)
                return errmsg(ret_error, r, "cgroup %s on %s", h->path, h->mount);
        const bool cpuset = !h->v2 && strv_contains(h->controllers, "cpuset");
        size_t base = strlen(h->mount);
        unsigned attempts = 0;
restart:
        for (char *p = dir + base + 1; p <= dir + strlen(dir); p++) {
                if (*p != '/' && *p != 0)
                        continue;
                char saved = *p;
                *p = 0;
                const bool made = mkdir(dir, 0755) >= 0;
                if (made) {
                        if (!h->created) {
                                const char *rel = dir + base;
                                /* back to a hierarchy path: mount_root + the rest */
                                if (cgroup_hierarchy_path(h, rel, &h->created) < 0)
                                        return -ENOMEM;
                        }
                } else if (errno == ENOENT && attempts++ < 5) {
                        /* A parent another container's delete removed as we went: again. */
                        *p = saved;
                        goto restart;
                } else if (errno != EEXIST)
                        return errmsg(ret_error, -errno, "make the cgroup %s", dir);
                if (cpuset && (r = cpuset_inherit(dir)) < 0)
                        return errmsg(ret_error, r, "give the cgroup %s the cpus and mems of its parent", dir);
                /* A leaf that exists may be joined: empty (a parent made it for us), or in use
                 * when cgroupsPath named it (a pod's shared cgroup: runc warns and joins). The
                 * default one in use is someone else's: the same id under another --root. The
                 * systemd driver's scope has the init in it already. */
                if (saved == 0 && !made && !cg->systemd_unit && leaf_in_use(h, dir)) {
                        if (!cg->may_join)
                                return errmsg_plain(ret_error, -EBUSY, "the cgroup %s is already in use", dir);
                        cg->shared = true;
                }
                *p = saved;
                if (saved == 0)
                        break;
        }
        /* A frozen leaf (its own freezer or an ancestor's; a new one under a frozen parent is
         * frozen too) would hold the init before it ever runs: refused, as runc does. */
        if (cgroup_dir_frozen(h, dir) > 0)
                return errmsg_plain(ret_error, -EBUSY,
                                    "the cgroup %s is frozen: a container cannot start in it (thaw it, or name "
                                    "another cgroup in linux.cgroupsPath)", dir);
        return 0;
}

/* Whether the v2 cgroup dir has processes of its own (not below it). */
static bool has_own_processes(const char *dir) {
        _cleanup_free_ char *procs = NULL;
        return cgroup_read(dir, "cgroup.procs", &procs) >= 0 && procs[0] != 0;
}

/* Whether c is enabled in dir's cgroup.subtree_control. */
static bool subtree_has(const char *dir, const char *c) {
        _cleanup_free_ char *s = NULL;
        if (cgroup_read_line(dir, "cgroup.subtree_control", &s) < 0)
                return false;
        size_t n = strlen(c);
        for (const char *w = s; (w = strstr(w, c)); w += n)
                if ((w == s || w[-1] == ' ') && (w[n] == 0 || w[n] == ' '))
                        return true;
        return false;
}

/* v2: enable, on the way down from the hierarchy's mounted root to the container's parent,
 * the controllers its writes need (and memory, pids, cpu and io where the kernel has them,
 * for `events --stats`; those only if it costs nothing). A cgroup with processes of its own
 * (our own service's, for a relative cgroupsPath; the hierarchy's root is exempt) is left as
 * it is: the kernel refuses a domain controller there (EBUSY), and accepts a threaded one
 * (cpu, pids), which turns it into a thread root whose domain children then refuse every
 * process (EOPNOTSUPP). */
static int enable_v2_controllers(const Cgroup *cg, const CgroupHierarchy *h, const CgroupWrite *w, size_t n,
                                 char **ret_error) {
        /* In a delegated unit, none: the levels above the unit are systemd's, and the unit's
         * own cgroup holds processes (`create`, then `start`). The limits go to the unit
         * (cgroup_apply). */
        if (cg->unit)
                return 0;
        _cleanup_free_ char *dir = NULL;
        int r = cgroup_hierarchy_dir(h, &dir);
        if (r < 0)
                return r;
        static const char *const wanted[] = { "memory", "pids", "cpu", "io" };
        size_t base = strlen(h->mount);
        for (char *p = dir + base; *p; p++) {
                if (*p != '/')
                        continue;
                *p = 0;
                const bool top = p == dir + base;
                const char *parent = top ? h->mount : dir;
                const bool occupied = !(top && streq(h->mount_root, "/")) && has_own_processes(parent);
                for (size_t i = 0; i < n + ELEMENTSOF(wanted); i++) {
                        const char *c = i < n ? w[i].controller : wanted[i - n];
                        if (!c || !strv_contains(h->controllers, c))
                                continue;
                        int k;
                        if (occupied)
                                k = subtree_has(parent, c) ? 0 : -EBUSY;
                        else {
                                char value[64];
                                snprintf(value, sizeof(value), "+%s", c);
                                k = cgroup_write(parent, "cgroup.subtree_control", value);
                        }
                        if (k < 0 && i < n) {
                                r = occupied ? errmsg_plain(ret_error, k,
                                                            "enable the %s controller in %s: it has processes of its own "
                                                            "(cgroup v2: no controller for the children of such a cgroup)",
                                                            c, parent)
                                             : errmsg(ret_error, k, "enable the %s controller in %s", c, parent);
                                *p = '/';
                                return r;
                        }
                }
                *p = '/';
        }
        return 0;
}

static int attach(const CgroupHierarchy *h, pid_t pid, char **ret_error) {
        _cleanup_free_ char *dir = NULL;
        int r = cgroup_hierarchy_dir(h, &dir);
        if (r < 0)
                return errmsg(ret_error, r, "cgroup %s on %s", h->path, h->mount);
        char value[32];
        snprintf(value, sizeof(value), "%d", (int) pid);
        r = cgroup_write(dir, "cgroup.procs", value);
        if (r < 0)
                return errmsg(ret_error, r, "move the init into %s", dir);
        return 0;
}

static int rmdir_tree(const char *dir);

/* The parents of the container's cgroup in h that we made, up to the topmost, if nobody else
 * uses them (rmdir refuses a cgroup with children or processes). */
static void remove_made_parents(const CgroupHierarchy *h) {
        if (!h->created || streq(h->created, h->path))
                return;
        _cleanup_free_ char *parent = strdup(h->path);
        if (!parent)
                return;
        for (char *s; (s = strrchr(parent, '/')) && s != parent;) {
                *s = 0;
                _cleanup_free_ char *pdir = NULL;
                if (cgroup_fs_path(h, parent, &pdir) < 0 || rmdir(pdir) < 0 || streq(parent, h->created))
                        break;
        }
}

/* Undoes a create that failed with pid in none of the cgroupfs hierarchies from attached on:
 * removes what this create made there, never a process (pid is the caller's to kill; one
 * in a leaf hierarchy_mkdir found in use is someone else's), and forgets those paths, so that
 * the caller's cgroup_destroy leaves alone a cgroup that is not the container's. */
static void undo_create(Cgroup *cg, size_t attached) {
        for (size_t i = attached; i < cg->n_hierarchies; i++) {
                CgroupHierarchy *h = cg->hierarchies + i;
                _cleanup_free_ char *dir = NULL;
                if (h->created && cgroup_hierarchy_dir(h, &dir) >= 0 && rmdir_tree(dir) >= 0) {
                        remove_made_parents(h);
                        free(h->created);
                        h->created = NULL;
                }
                if (!h->created) {
                        free(h->path);
                        h->path = NULL;
                }
        }
}

int cgroup_create(Cgroup *cg, const OciResources *res, pid_t pid, char **ret_error) {
        Plan p = {};
        size_t attached = 0;
        int r = res ? plan_make(cg, res, &p, ret_error) : 0;
        if (r < 0)
                return r;

        if (cg->systemd_unit) {
                _cleanup_free_ char *path = NULL;
                r = cgroup_systemd_start_scope(cg->systemd_unit, cg->systemd_slice, pid, res, cg->systemd_user, &path, ret_error);
                if (r < 0)
                        goto done;
                for (size_t i = 0; i < cg->n_hierarchies; i++) {
                        free(cg->hierarchies[i].path);
                        if (!(cg->hierarchies[i].path = strdup(path))) {
                                r = -ENOMEM;
                                goto fail;
                        }
                }
        }

        for (size_t i = 0; i < cg->n_hierarchies; i++) {
                CgroupHierarchy *h = cg->hierarchies + i;
                if ((r = hierarchy_mkdir(cg, h, ret_error)) < 0)
                        goto fail;
                if (h->v2 && (r = enable_v2_controllers(cg, h, p.w2, p.n2, ret_error)) < 0)
                        goto fail;
        }
        if (cg->shared) {
                const CgroupHierarchy *t = cgroup_tracking_hierarchy(cg);
                log_warning("the cgroup %s already holds processes: the container joins them, and delete "
                            "leaves them and the cgroup alone", t && t->path ? t->path : "named by linux.cgroupsPath");
        }
        /* A scope of the systemd driver got its properties with StartTransientUnit. */
        if (res && !cg->systemd_unit && (r = set_unit_properties(cg, res, ret_error)) < 0)
                goto fail;
        if (res && (r = apply_plan(cg, &p, ret_error)) < 0)
                goto fail;
        for (; attached < cg->n_hierarchies; attached++)
                if ((r = attach(cg->hierarchies + attached, pid, ret_error)) < 0)
                        goto fail;
        cg->attached = true;
        if (res)
                warn_ignored(cg, res);
        r = 0;
        goto done;
fail:
        if (cg->systemd_unit) {
                cg->attached = true; /* the scope has pid in it: stop it */
                (void) cgroup_destroy(cg, 0, NULL);
        }
        else
                undo_create(cg, attached);
done:
        plan_done(&p);
        return r;
}

/* Removes dir and everything below it, deepest first. */
static int rmdir_tree(const char *dir) {
        DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : -errno;
        int r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                int k = rmdir_tree(sub);
                if (k < 0 && r == 0)
                        r = k;
        }
        closedir(d);
        if (rmdir(dir) < 0 && errno != ENOENT && r == 0)
                r = -errno;
        return r;
}

int cgroup_destroy(Cgroup *cg, unsigned timeout_ms, char **ret_error) {
        size_t left = 0;
        uint64_t deadline = now_msec() + timeout_ms;
        /* Not attached (a create that stopped before it moved the init in, even one whose
         * launcher died): whatever is in those cgroups is not the container's. Shared: the
         * others in it are not; the container's went with its init and PID namespace. */
        const bool ours = cg->attached && !cg->shared;
        /* A frozen cgroup would keep its processes (v1 holds even SIGKILL until thawed). */
        if (ours)
                cgroup_thaw_for_kill(cg, -EBADF);
        int r = ours ? cgroup_count_pids(cg, &left) : 0;
        if (r >= 0 && left > 0) {
                (void) cgroup_kill(cg, SIGKILL, NULL);
                while ((r = cgroup_count_pids(cg, &left)) >= 0 && left > 0 && now_msec() < deadline)
                        sleep_msec(10);
        }
        if (left > 0)
                return errmsg_plain(ret_error, -EBUSY, "%zu processes are still in the container's cgroup", left);

        int ret = 0;
        for (size_t i = 0; i < cg->n_hierarchies; i++) {
                CgroupHierarchy *h = cg->hierarchies + i;
                /* A cgroup that was there before the container is not ours to remove. */
                if (!h->path || !h->created)
                        continue;
                _cleanup_free_ char *dir = NULL;
                r = cgroup_hierarchy_dir(h, &dir);
                if (r >= 0) {
                        /* A process that just died may still hold the cgroup for a moment. */
                        do {
                                r = rmdir_tree(dir);
                        } while (r == -EBUSY && now_msec() < deadline && (sleep_msec(10), true));
                }
                if (r >= 0)
                        remove_made_parents(h);
                if (r < 0 && ret == 0)
                        ret = errmsg(ret_error, r, "remove the cgroup %s", dir ?: h->path);
        }
        if (cg->systemd_unit) {
                _cleanup_free_ char *error = NULL;
                r = cgroup_systemd_stop_unit(cg->systemd_unit, cg->systemd_user, &error);
                if (r < 0 && ret == 0)
                        ret = errmsg_plain(ret_error, r, "%s", error ?: "stop the container's scope");
        }
        return ret;
}


int cgroup_unit_reset(const Cgroup *cg, const OciResources *res, char **ret_error) {
        if (!cg->unit || !res)
                return 0;
        return cgroup_systemd_set_unit_resources(cg->unit, cg->unit_user, res, true, ret_error);
}
