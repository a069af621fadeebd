/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What is done to the processes in a container's cgroups: freeze and thaw, list, signal (each
 * through a pidfd checked to be still in the cgroup), measure. */

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errmsg.h"
#include "fd-util.h"
#include "path-util.h"
#include "proc-util.h"
#include "strv.h"
#include "cgroup-internal.h"

#define FREEZE_TIMEOUT_MS 10000

/* ---------------------------------------------------------------- freezer */

static const CgroupHierarchy *freezer(const Cgroup *cg, bool *ret_v2) {
        const CgroupHierarchy *h = cgroup_find_v1(cg, "freezer");
        *ret_v2 = !h;
        return h ?: cgroup_find_v2(cg);
}

int cgroup_freezer_path(const Cgroup *cg, char **ret) {
        bool v2;
        const CgroupHierarchy *h = freezer(cg, &v2);
        _cleanup_free_ char *dir = NULL;
        int r = h ? cgroup_hierarchy_dir(h, &dir) : -EOPNOTSUPP;
        if (r < 0)
                return r;
        char *p;
        if (asprintf(&p, "%s/%s", dir, v2 ? "cgroup.freeze" : "freezer.state") < 0)
                return -ENOMEM;
        *ret = p;
        return 0;
}

int cgroup_freezer_path_frozen(const char *path) {
        const char *file = strrchr(path, '/');
        file = file ? file + 1 : path;
        bool v2 = streq(file, "cgroup.freeze");
        if (!v2 && !streq(file, "freezer.state"))
                return -EINVAL;
        _cleanup_free_ char *s = NULL;
        int r = read_file_at(AT_FDCWD, path, 4096, &s, NULL);
        if (r < 0)
                return r;
        s[strcspn(s, "\n")] = 0;
        return v2 ? streq(s, "1") : !streq(s, "THAWED");
}

int cgroup_is_frozen(const Cgroup *cg) {
        _cleanup_free_ char *path = NULL;
        int r = cgroup_freezer_path(cg, &path);
        return r < 0 ? r : cgroup_freezer_path_frozen(path);
}

int cgroup_freeze(const Cgroup *cg, bool freeze, char **ret_error) {
        bool v2;
        const CgroupHierarchy *h = freezer(cg, &v2);
        _cleanup_free_ char *dir = NULL;
        int r = h ? cgroup_hierarchy_dir(h, &dir) : -EOPNOTSUPP;
        if (r < 0)
                return errmsg(ret_error, r, "find the container's freezer");
        const char *file = v2 ? "cgroup.freeze" : "freezer.state";
        const char *value = v2 ? (freeze ? "1" : "0") : (freeze ? "FROZEN" : "THAWED");
        uint64_t deadline = now_msec() + FREEZE_TIMEOUT_MS;
        for (;;) {
                if ((r = cgroup_write(dir, file, value)) < 0)
                        return errmsg(ret_error, r, "write %s to %s/%s", value, dir, file);
                /* The kernel gets there asynchronously: v1 says FREEZING, v2's cgroup.events
                 * says "frozen 0" until every task has stopped. */
                uint64_t frozen = 0;
                _cleanup_free_ char *s = NULL;
                bool done = v2 ? cgroup_read_keyed(dir, "cgroup.events", "frozen", &frozen) >= 0 && frozen == freeze
                               : cgroup_read_line(dir, file, &s) >= 0 && streq(s, value);
                if (done)
                        return 0;
                if (now_msec() > deadline) {
                        if (freeze)
                                (void) cgroup_write(dir, file, v2 ? "0" : "THAWED");
                        return errmsg_plain(ret_error, -ETIMEDOUT, "the container's cgroup did not %s in time",
                                            freeze ? "freeze" : "thaw");
                }
                sleep_msec(5);
        }
}

int cgroup_dir_frozen(const CgroupHierarchy *h, const char *dir) {
        _cleanup_free_ char *s = NULL;
        if (!h->v2) {
                if (!strv_contains(h->controllers, "freezer") || cgroup_read_line(dir, "freezer.state", &s) < 0)
                        return 0;
                return !streq(s, "THAWED");
        }
        uint64_t frozen = 0;
        if (cgroup_read_keyed(dir, "cgroup.events", "frozen", &frozen) >= 0 && frozen)
                return 1;
        return cgroup_read_line(dir, "cgroup.freeze", &s) >= 0 && streq(s, "1");
}

int cgroup_frozen_anywhere(const Cgroup *cg, char **ret_dir) {
        for (size_t i = 0; i < cg->n_hierarchies; i++) {
                const CgroupHierarchy *h = cg->hierarchies + i;
                _cleanup_free_ char *dir = NULL;
                if (cgroup_hierarchy_dir(h, &dir) < 0 || cgroup_dir_frozen(h, dir) <= 0)
                        continue;
                if (ret_dir)
                        *ret_dir = TAKE_PTR(dir);
                return 1;
        }
        return 0;
}

static int collect_pids(const char *dir, pid_t **pids, size_t *n);

/* The PID behind a pidfd ("Pid:" of its fdinfo), or -1. */
static pid_t pidfd_pid(int pidfd) {
        char path[64];
        _cleanup_free_ char *info = NULL;
        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
        if (read_file_at(AT_FDCWD, path, 4096, &info, NULL) < 0)
                return -1;
        const char *s = strstr(info, "\nPid:");
        long v = s ? strtol(s + 6, NULL, 10) : -1;
        return v > 0 ? (pid_t) v : -1;
}

/* Whether pid is PID 1 of the PID namespace it lives in (the last NSpid field), and that
 * namespace's inode. */
static int pid_ns_of(pid_t pid, bool *ret_ns_init, ino_t *ret_ino) {
        char path[64];
        struct stat st;
        _cleanup_free_ char *status = NULL;
        snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int) pid);
        if (stat(path, &st) < 0)
                return -errno;
        *ret_ino = st.st_ino;
        if (!ret_ns_init)
                return 0;
        snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
        int r = read_file_at(AT_FDCWD, path, 1U << 16, &status, NULL);
        if (r < 0)
                return r;
        const char *s = strstr(status, "\nNSpid:");
        const char *end = s ? strchr(s + 1, '\n') : NULL;
        if (!s || !end)
                return -EIO;
        const char *last = end;
        while (last > s && last[-1] != '\t' && last[-1] != ' ')
                last--;
        *ret_ns_init = strtol(last, NULL, 10) == 1;
        return 0;
}

/* A shared cgroup (a pod's) frozen by someone else is not ours to thaw: the others in it stay
 * frozen. On v1 (which holds even SIGKILL) only the container's own processes leave it, for
 * the top of the hierarchy, which thaws them: its init, and, when the init is PID 1 of a PID
 * namespace of its own, the members of that namespace. Each is sent SIGKILL first, so that it
 * dies before it runs again, in whatever cgroups of the co-mounted controllers. */
static void release_ours_frozen(const CgroupHierarchy *h, const char *dir, int init_pidfd) {
        pid_t init = init_pidfd >= 0 ? pidfd_pid(init_pidfd) : -1;
        bool ns_init = false;
        ino_t ns = 0;
        if (init <= 0 || pid_ns_of(init, &ns_init, &ns) < 0 || pidfd_is_alive(init_pidfd) <= 0)
                return;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        (void) collect_pids(dir, &pids, &n);
        for (size_t i = 0; i < n; i++) {
                ino_t ino;
                if (pids[i] != init && (!ns_init || pid_ns_of(pids[i], NULL, &ino) < 0 || ino != ns))
                        continue;
                /* Frozen, it can neither exit nor fork: the PID is still the one just checked. */
                _cleanup_close_ int fd = (int) syscall(SYS_pidfd_open, pids[i], 0);
                if (fd < 0 || syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) < 0)
                        continue;
                char value[32];
                snprintf(value, sizeof(value), "%d", (int) pids[i]);
                (void) cgroup_write(h->mount, "cgroup.procs", value);
        }
}

void cgroup_thaw_for_kill(const Cgroup *cg, int init_pidfd) {
        bool v2;
        const CgroupHierarchy *h = freezer(cg, &v2);
        _cleanup_free_ char *dir = NULL;
        if (!h || cgroup_hierarchy_dir(h, &dir) < 0 || cgroup_dir_frozen(h, dir) <= 0)
                return;
        if (cg->shared) {
                /* v2's freezer lets a fatal signal through. */
                if (!v2)
                        release_ours_frozen(h, dir, init_pidfd);
                return;
        }
        if (v2) {
                /* A fatal signal gets through v2's freezer: no need to wait for the thaw, which
                 * never comes while an ancestor is frozen. */
                (void) cgroup_write(dir, "cgroup.freeze", "0");
                return;
        }
        uint64_t by_parent = 0;
        if (cgroup_read_u64(dir, "freezer.parent_freezing", &by_parent) < 0 || !by_parent) {
                (void) cgroup_freeze(cg, false, NULL);
                return;
        }
        (void) cgroup_write(dir, "freezer.state", "THAWED");
        /* Nor is a task to leave, even for a moment, the cgroups of controllers mounted
         * together with the freezer (devices). */
        if (strv_length(h->controllers) != 1)
                return;
        /* The kernel's freezer_attach() thaws a task that joins a thawed cgroup: the top of the
         * hierarchy as mounted here (the root cgroup can never be frozen). */
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        (void) collect_pids(dir, &pids, &n);
        for (size_t i = 0; i < n; i++) {
                char value[32];
                snprintf(value, sizeof(value), "%d", (int) pids[i]);
                (void) cgroup_write(h->mount, "cgroup.procs", value);
        }
}

/* ---------------------------------------------------------------- processes */

static int collect_pids(const char *dir, pid_t **pids, size_t *n) {
        _cleanup_free_ char *data = NULL;
        int r = cgroup_read(dir, "cgroup.procs", &data);
        if (r < 0)
                return r;
        for (char *s = data, *end; *s; s = end) {
                long v = strtol(s, &end, 10);
                if (end == s)
                        break;
                while (*end == '\n')
                        end++;
                pid_t *np = reallocarray(*pids, *n + 1, sizeof(pid_t));
                if (!np)
                        return -ENOMEM;
                *pids = np;
                (*pids)[(*n)++] = (pid_t) v;
        }
        DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : -errno;
        struct dirent *de;
        while ((de = readdir(d)) && r >= 0) {
                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0)
                        r = -ENOMEM;
                else if ((r = collect_pids(sub, pids, n)) == -ENOENT)
                        r = 0; /* removed meanwhile */
        }
        closedir(d);
        return r < 0 ? r : 0;
}

static int cmp_pid(const void *a, const void *b) {
        pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;
        return x < y ? -1 : x > y;
}

/* Every PID in the container's cgroup and below, in the hierarchy that tracks processes;
 * unsorted, maybe twice. *ret_n is set even on failure (what was found so far). */
static int tracking_pids(const Cgroup *cg, pid_t **ret, size_t *ret_n) {
        const CgroupHierarchy *h = cgroup_tracking_hierarchy(cg);
        _cleanup_free_ char *dir = NULL;
        int r = h ? cgroup_hierarchy_dir(h, &dir) : -ENOENT;
        *ret_n = 0;
        if (r < 0)
                return r;
        return collect_pids(dir, ret, ret_n);
}

int cgroup_pids(const Cgroup *cg, pid_t **ret, size_t *ret_n, char **ret_error) {
        _cleanup_free_ pid_t *pids = NULL;
        size_t n;
        int r = tracking_pids(cg, &pids, &n);
        if (r < 0)
                return errmsg(ret_error, r, "list the processes of the container's cgroup");
        qsort(pids, n, sizeof(pid_t), cmp_pid);
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (k == 0 || pids[k - 1] != pids[i])
                        pids[k++] = pids[i];
        *ret = TAKE_PTR(pids);
        *ret_n = k;
        return 0;
}

/* Whether pid's cgroup in h is the container's or below it (a recycled PID would not be). */
static bool pid_in_cgroup(const CgroupHierarchy *h, pid_t pid) {
        char p[64];
        snprintf(p, sizeof(p), "/proc/%d/cgroup", (int) pid);
        _cleanup_free_ char *data = NULL;
        if (read_file_at(AT_FDCWD, p, 1U << 16, &data, NULL) < 0)
                return false;
        char *save = NULL;
        for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                const char *ctrls, *path;
                /* By whole names: a substring match took "cpuset" for "cpu". */
                if (cgroup_split_proc_line(line, &ctrls, &path) && cgroup_line_matches(h, ctrls))
                        return path_startswith(path, h->path) != NULL;
        }
        return false;
}

int cgroup_kill(const Cgroup *cg, int sig, char **ret_error) {
        const CgroupHierarchy *h = cgroup_tracking_hierarchy(cg);
        _cleanup_free_ char *dir = NULL;
        int r = h ? cgroup_hierarchy_dir(h, &dir) : -ENOENT;
        if (r < 0)
                return errmsg(ret_error, r, "find the container's cgroup");
        /* v2 (5.14+) kills a whole subtree at once, forks in flight included. */
        if (sig == SIGKILL && h->v2 && cgroup_write(dir, "cgroup.kill", "1") >= 0)
                return 0;

        /* Otherwise one by one, frozen meanwhile so that nothing forks past the list. */
        bool froze = false;
        if (cgroup_is_frozen(cg) == 0)
                froze = cgroup_freeze(cg, true, NULL) >= 0;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        r = cgroup_pids(cg, &pids, &n, ret_error);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_close_ int fd = (int) syscall(SYS_pidfd_open, pids[i], 0);
                if (fd < 0)
                        continue; /* gone */
                if (!pid_in_cgroup(h, pids[i]))
                        continue;
                if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0 && errno != ESRCH)
                        r = errmsg(ret_error, -errno, "signal process %d", (int) pids[i]);
        }
        if (froze)
                (void) cgroup_freeze(cg, false, NULL);
        return r;
}

/* ---------------------------------------------------------------- statistics */

int cgroup_stats(const Cgroup *cg, CgroupStats *ret, char **ret_error) {
        CgroupStats s = {};
        const CgroupHierarchy *h;
        _cleanup_free_ char *dir = NULL;

        if ((h = cgroup_find_controller(cg, "memory", "memory")) && cgroup_limits_dir(cg, h, &dir) >= 0) {
                if (h->v2)
                        s.has_memory = cgroup_read_u64(dir, "memory.current", &s.memory_usage) >= 0 &&
                                       cgroup_read_u64(dir, "memory.max", &s.memory_limit) >= 0;
                else
                        s.has_memory = cgroup_read_u64(dir, "memory.usage_in_bytes", &s.memory_usage) >= 0 &&
                                       cgroup_read_u64(dir, "memory.limit_in_bytes", &s.memory_limit) >= 0;
                if (h->v2) {
                        (void) cgroup_read_u64(dir, "memory.peak", &s.memory_max_usage);
                        (void) cgroup_read_keyed(dir, "memory.events", "max", &s.memory_failcnt);
                        (void) cgroup_read_keyed(dir, "memory.events", "oom_kill", &s.memory_oom_kills);
                } else {
                        (void) cgroup_read_u64(dir, "memory.max_usage_in_bytes", &s.memory_max_usage);
                        (void) cgroup_read_u64(dir, "memory.failcnt", &s.memory_failcnt);
                        (void) cgroup_read_keyed(dir, "memory.oom_control", "oom_kill", &s.memory_oom_kills);
                }
        }
        free(dir);
        dir = NULL;
        if ((h = cgroup_find_controller(cg, "pids", "pids")) && cgroup_limits_dir(cg, h, &dir) >= 0) {
                s.has_pids = cgroup_read_u64(dir, "pids.current", &s.pids_current) >= 0;
                if (cgroup_read_u64(dir, "pids.max", &s.pids_limit) < 0 || s.pids_limit == UINT64_MAX)
                        s.pids_limit = 0;
        }
        free(dir);
        dir = NULL;
        if ((h = cgroup_find_v1(cg, "cpuacct"))) {
                if (cgroup_hierarchy_dir(h, &dir) >= 0 && cgroup_read_u64(dir, "cpuacct.usage", &s.cpu_usage_ns) >= 0) {
                        uint64_t user = 0, system = 0;
                        long hz = sysconf(_SC_CLK_TCK);
                        (void) cgroup_read_keyed(dir, "cpuacct.stat", "user", &user);
                        (void) cgroup_read_keyed(dir, "cpuacct.stat", "system", &system);
                        s.cpu_user_ns = hz > 0 ? user * (1000000000ULL / (uint64_t) hz) : 0;
                        s.cpu_system_ns = hz > 0 ? system * (1000000000ULL / (uint64_t) hz) : 0;
                        s.has_cpu = true;
                }
        } else if ((h = cgroup_find_v2(cg)) && cgroup_hierarchy_dir(h, &dir) >= 0) {
                uint64_t usage, user = 0, system = 0;
                if (cgroup_read_keyed(dir, "cpu.stat", "usage_usec", &usage) >= 0) {
                        (void) cgroup_read_keyed(dir, "cpu.stat", "user_usec", &user);
                        (void) cgroup_read_keyed(dir, "cpu.stat", "system_usec", &system);
                        s.cpu_usage_ns = usage * 1000;
                        s.cpu_user_ns = user * 1000;
                        s.cpu_system_ns = system * 1000;
                        s.has_cpu = true;
                }
        }
        if (!s.has_memory && !s.has_pids && !s.has_cpu)
                return errmsg_plain(ret_error, -ENOENT, "the container's cgroup has no statistics to read");
        *ret = s;
        return 0;
}

/* Processes left in the container's cgroup, in the tracking hierarchy. */
int cgroup_count_pids(const Cgroup *cg, size_t *ret) {
        _cleanup_free_ pid_t *pids = NULL;
        size_t n;
        int r = tracking_pids(cg, &pids, &n);
        *ret = n;
        return r == -ENOENT ? 0 : r;
}

/* ---------------------------------------------------------------- joining */

/* sub's path, checked: relative to the container's cgroup, no "..", no empty component. */
static int check_sub_path(const char *path) {
        if (!*path || path[0] == '/')
                return -EINVAL;
        for (const char *s = path; *s;) {
                size_t n = strcspn(s, "/");
                if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
                        return -EINVAL;
                s += n;
                if (*s == '/')
                        s++;
        }
        return 0;
}

int cgroup_enter(const Cgroup *cg, pid_t pid, const char *sub, char **ret_error) {
        _cleanup_strv_free_ char **only = NULL;
        const char *path = NULL;
        if (sub) {
                const char *colon = strchr(sub, ':');
                path = colon ? colon + 1 : sub;
                if (colon) {
                        _cleanup_free_ char *list = strndup(sub, (size_t) (colon - sub));
                        if (!list)
                                return -ENOMEM;
                        char *save = NULL;
                        for (char *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save))
                                if (strv_extend(&only, c) < 0)
                                        return -ENOMEM;
                        if (!only || !only[0])
                                return errmsg_plain(ret_error, -EINVAL, "--cgroup %s: no controller before \":\"", sub);
                        if (cg->layout == CGROUP_LAYOUT_UNIFIED)
                                return errmsg_plain(ret_error, -EINVAL,
                                                    "--cgroup %s: a controller prefix needs cgroup v1 controllers; "
                                                    "this host has cgroup v2 only (give the path alone)", sub);
                }
                while (*path == '/')
                        path++;
                if (check_sub_path(path) < 0)
                        return errmsg_plain(ret_error, -EINVAL,
                                            "--cgroup %s: must name a cgroup below the container's (no \"..\")", sub);
        }

        char value[32];
        snprintf(value, sizeof(value), "%d", (int) pid);
        bool matched = !only;
        for (size_t i = 0; i < cg->n_hierarchies; i++) {
                const CgroupHierarchy *h = cg->hierarchies + i;
                if (!h->path)
                        continue;
                bool into_sub = path;
                if (only) {
                        into_sub = false;
                        for (char **c = only; *c && !h->v2; c++)
                                into_sub = into_sub || strv_contains(h->controllers, *c);
                        matched = matched || into_sub;
                }
                _cleanup_free_ char *cgroup = NULL, *dir = NULL;
                if (asprintf(&cgroup, "%s%s%s", h->path, into_sub ? "/" : "", into_sub ? path : "") < 0)
                        return -ENOMEM;
                int r = cgroup_fs_path(h, cgroup, &dir);
                if (r < 0)
                        return errmsg(ret_error, r, "cgroup %s on %s", cgroup, h->mount);
                r = cgroup_write(dir, "cgroup.procs", value);
                if (r == -ENOENT && into_sub)
                        return errmsg_plain(ret_error, r, "--cgroup %s: there is no cgroup %s", sub, dir);
                if (r < 0)
                        return errmsg(ret_error, r, "move the process into %s", dir);
        }
        if (!matched)
                return errmsg_plain(ret_error, -ENOENT, "--cgroup %s: the container has no cgroup with that controller", sub);
        return 0;
}
