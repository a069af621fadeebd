/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The init's birth into its PID, user and time namespaces, and the maps of its user namespace.
 * Everything else (mount, network, ipc, uts, cgroup) the init unshares itself, from inside the
 * user namespace, so that those belong to it. Parent side only. */

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errmsg.h"
#include "fd-util.h"
#include "log.h"
#include "namespaces.h"
#include "rootless.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* ---- checks ---- */

static bool ranges_overlap(uint32_t a, uint32_t b, uint32_t size_a, uint32_t size_b) {
        return (uint64_t) a < (uint64_t) b + size_b && (uint64_t) b < (uint64_t) a + size_a;
}

static bool id_is_mapped(const OciIdMapping *m, size_t n, uint32_t id) {
        for (size_t i = 0; i < n; i++)
                if (id >= m[i].container_id && (uint64_t) id < (uint64_t) m[i].container_id + m[i].size)
                        return true;
        return false;
}

static int check_mappings(const char *name, const OciIdMapping *m, size_t n, char **ret_error) {
        /* The kernel takes less than a page in one write to uid_map. */
        size_t len = 0;
        for (size_t i = 0; i < n; i++)
                len += (size_t) snprintf(NULL, 0, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
        if (len >= (size_t) sysconf(_SC_PAGESIZE))
                return errmsg_plain(ret_error, -EINVAL, "linux.%s: %zu bytes of map, the kernel takes fewer than %ld",
                                    name, len, sysconf(_SC_PAGESIZE));
        /* The kernel refuses overlaps with a bare EINVAL, and only once the init exists. */
        for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++) {
                        if (ranges_overlap(m[i].container_id, m[j].container_id, m[i].size, m[j].size))
                                return errmsg_plain(ret_error, -EINVAL,
                                                    "linux.%s: ranges %zu and %zu overlap in the container's ids",
                                                    name, i, j);
                        if (ranges_overlap(m[i].host_id, m[j].host_id, m[i].size, m[j].size))
                                return errmsg_plain(ret_error, -EINVAL,
                                                    "linux.%s: ranges %zu and %zu overlap in the host's ids", name, i, j);
                }
        return 0;
}

int namespaces_check_config(const OciConfig *c, char **ret_error) {
        const OciNamespace *user = oci_config_find_namespace(c, NAMESPACE_USER);
        const OciNamespace *time = oci_config_find_namespace(c, NAMESPACE_TIME);
        int r;

        if (!user && (c->n_uid_mappings > 0 || c->n_gid_mappings > 0))
                return errmsg_plain(ret_error, -EINVAL,
                                    "linux.uidMappings, linux.gidMappings: need a user namespace in linux.namespaces");
        if (user && !user->path) {
                /* As runc: a user namespace without maps has nobody who could own anything. */
                if (c->n_uid_mappings == 0 || c->n_gid_mappings == 0)
                        return errmsg_plain(ret_error, -EINVAL,
                                            "linux.namespaces: a new user namespace needs linux.uidMappings and linux.gidMappings");
                if ((r = check_mappings("uidMappings", c->uid_mappings, c->n_uid_mappings, ret_error)) < 0 ||
                    (r = check_mappings("gidMappings", c->gid_mappings, c->n_gid_mappings, ret_error)) < 0)
                        return r;
                if (!id_is_mapped(c->uid_mappings, c->n_uid_mappings, c->process.uid))
                        return errmsg_plain(ret_error, -EINVAL, "process.user.uid: %u is not mapped by linux.uidMappings",
                                            (unsigned) c->process.uid);
                if (!id_is_mapped(c->gid_mappings, c->n_gid_mappings, c->process.gid))
                        return errmsg_plain(ret_error, -EINVAL, "process.user.gid: %u is not mapped by linux.gidMappings",
                                            (unsigned) c->process.gid);
                for (size_t i = 0; i < c->process.n_additional_gids; i++)
                        if (!id_is_mapped(c->gid_mappings, c->n_gid_mappings, c->process.additional_gids[i]))
                                return errmsg_plain(ret_error, -EINVAL,
                                                    "process.user.additionalGids: %u is not mapped by linux.gidMappings",
                                                    (unsigned) c->process.additional_gids[i]);
        }
        /* A joined user namespace has its maps already; runc ignores the config's then, and so
         * do we. */

        if ((c->monotonic_offset.set || c->boottime_offset.set) && (!time || time->path))
                return errmsg_plain(ret_error, -EINVAL, "linux.timeOffsets: needs a new time namespace in linux.namespaces");
        return 0;
}

/* ---- the fork ---- */

/* struct clone_args as of Linux 5.3 (CLONE_ARGS_SIZE_VER0): <linux/sched.h> would clash with
 * <sched.h> on older libcs. */
struct clone_args_v0 {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

/* fork() with namespace flags: returns like fork(). No stack: the child continues on a copy of
 * ours, as with fork. We are single-threaded, so no libc lock can be held across it. */
static pid_t clone_fork(uint64_t flags) {
        /* With CLONE_PARENT, clone3 wants no exit signal: the child inherits ours (SIGCHLD). */
        struct clone_args_v0 a = { .flags = flags, .exit_signal = flags & CLONE_PARENT ? 0 : SIGCHLD };
        long pid = syscall(SYS_clone3, &a, sizeof(a));
        if (pid < 0 && errno == ENOSYS)
                /* With no stack and no tid pointers, the argument order of the architectures
                 * does not matter. */
                pid = syscall(SYS_clone, (unsigned long) flags | SIGCHLD, NULL, NULL, NULL, NULL);
        return (pid_t) pid;
}

static int write_time_offsets(const OciConfig *c, char **ret_error) {
        /* They apply to the namespace our children will be born into (time_for_children), and
         * only until the first one is: see time_namespaces(7). */
        char buf[128];
        int n = 0;
        if (c->monotonic_offset.set)
                n += snprintf(buf + n, sizeof(buf) - (size_t) n, "monotonic %lld %u\n",
                              (long long) c->monotonic_offset.secs, c->monotonic_offset.nanosecs);
        if (c->boottime_offset.set)
                n += snprintf(buf + n, sizeof(buf) - (size_t) n, "boottime %lld %u\n",
                              (long long) c->boottime_offset.secs, c->boottime_offset.nanosecs);
        if (n == 0)
                return 0;
        _cleanup_close_ int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return errmsg(ret_error, -errno, "linux.timeOffsets: open /proc/self/timens_offsets");
        ssize_t k = write(fd, buf, (size_t) n);
        if (k < 0)
                return errmsg(ret_error, -errno, "linux.timeOffsets: write the offsets (%.*s)", n - 1, buf);
        if (k != n)
                return errmsg_plain(ret_error, -EIO, "linux.timeOffsets: short write to /proc/self/timens_offsets");
        return 0;
}

static int join(const char *path, NamespaceType t, char **ret_error) {
        const char *type = namespace_type_to_string(t);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errmsg(ret_error, -errno, "open %s namespace %s", type, path);
        if (setns(fd, namespace_type_to_clone_flag(t)) < 0) {
                if (errno == EINVAL)
                        return errmsg_plain(ret_error, -EINVAL, "join %s namespace %s: not a %s namespace", type, path, type);
                return errmsg(ret_error, -errno, "join %s namespace %s", type, path);
        }
        return 0;
}

/* The namespaces fork_in_namespaces() left for this fork, to go back to: the four joined
 * before a new user namespace, the PID and the time namespace. */
typedef struct SavedNamespaces {
        struct {
                NamespaceType type;
                int fd;
        } ns[6];
        size_t n;
} SavedNamespaces;

/* Keeps an fd of our own namespace of type t, before we leave it. */
static int saved_namespaces_add(SavedNamespaces *s, NamespaceType t, char **ret_error) {
        char self[64];
        snprintf(self, sizeof(self), "/proc/self/ns/%s", namespace_type_to_proc_name(t));
        assert(s->n < ELEMENTSOF(s->ns));
        int fd = open(self, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errmsg(ret_error, -errno, "open %s%s", self,
                              t == NAMESPACE_TIME ? " (does the kernel have time namespaces?)" : "");
        s->ns[s->n].type = t;
        s->ns[s->n++].fd = fd;
        return 0;
}

/* Goes back into every saved namespace (unless !setns_back), in reverse, and closes the fds,
 * always all of them. -errno of the first setns() that failed. */
static int saved_namespaces_restore(SavedNamespaces *s, bool setns_back) {
        int r = 0;
        while (s->n > 0) {
                s->n--;
                if (setns_back && setns(s->ns[s->n].fd, namespace_type_to_clone_flag(s->ns[s->n].type)) < 0 && r == 0)
                        r = -errno;
                safe_close(s->ns[s->n].fd);
        }
        return r;
}

/* Leaves our namespaces for those the config's init is to be born into, saving ours in s;
 * adds to *flags what the clone itself must make. */
static int enter_namespaces(const OciConfig *c, SavedNamespaces *s, uint64_t *flags, char **ret_error) {
        const OciNamespace *pidns = oci_config_find_namespace(c, NAMESPACE_PID);
        const OciNamespace *time = oci_config_find_namespace(c, NAMESPACE_TIME);
        int r;

        /* Joined before a new user namespace exists, as runc does: from inside it the init
         * has no capability over namespaces the host's user namespace owns. */
        static const NamespaceType early[] = { NAMESPACE_IPC, NAMESPACE_UTS, NAMESPACE_NETWORK, NAMESPACE_CGROUP };
        for (size_t i = 0; (*flags & CLONE_NEWUSER) && i < ELEMENTSOF(early); i++) {
                const OciNamespace *ns = oci_config_find_namespace(c, early[i]);
                if (!ns || !ns->path)
                        continue;
                if ((r = saved_namespaces_add(s, early[i], ret_error)) < 0 ||
                    (r = join(ns->path, early[i], ret_error)) < 0)
                        return r;
        }
        if (pidns) {
                if ((pidns->path || !(*flags & CLONE_NEWUSER)) && (r = saved_namespaces_add(s, NAMESPACE_PID, ret_error)) < 0)
                        return r;
                if (pidns->path) {
                        if ((r = join(pidns->path, NAMESPACE_PID, ret_error)) < 0)
                                return r;
                } else if (*flags & CLONE_NEWUSER)
                        /* In the same clone, so that the new user namespace owns it. */
                        *flags |= CLONE_NEWPID;
                else if (unshare(CLONE_NEWPID) < 0)
                        return errmsg(ret_error, -errno, "unshare the pid namespace");
        }
        if (time) {
                if ((r = saved_namespaces_add(s, NAMESPACE_TIME, ret_error)) < 0)
                        return r;
                if (time->path)
                        return join(time->path, NAMESPACE_TIME, ret_error);
                if (unshare(CLONE_NEWTIME) < 0)
                        return errmsg(ret_error, -errno, "unshare the time namespace");
                return write_time_offsets(c, ret_error);
        }
        return 0;
}

/* Forks with the PID and time namespaces the config asks for, and a new user namespace if it
 * asks for one. Our own namespaces never change: only those our children are born into, and
 * only for this fork (setns() back to the saved ones afterwards, whatever happened). */
static int fork_in_namespaces(const OciConfig *c, uint64_t extra_flags, pid_t *ret_pid, char **ret_error) {
        const OciNamespace *user = oci_config_find_namespace(c, NAMESPACE_USER);
        SavedNamespaces saved = {};
        uint64_t flags = extra_flags;
        pid_t pid = -1;

        if (user && !user->path)
                flags |= CLONE_NEWUSER;
        int r = enter_namespaces(c, &saved, &flags, ret_error);
        if (r >= 0) {
                pid = flags ? clone_fork(flags) : fork();
                if (pid == 0) {
                        (void) saved_namespaces_restore(&saved, false);
                        *ret_pid = 0;
                        return 0;
                }
                if (pid < 0 && (flags & CLONE_NEWUSER) && (errno == EPERM || errno == ENOSPC || errno == EUSERS))
                        /* Debian's kernel.unprivileged_userns_clone=0, user.max_user_namespaces=0,
                         * or a seccomp filter or LSM of whoever runs us. */
                        r = errmsg(ret_error, -errno, "linux.namespaces: the kernel refuses a new user namespace "
                                   "(disabled by sysctl user.max_user_namespaces or kernel.unprivileged_userns_clone?)");
                else if (pid < 0)
                        r = errmsg(ret_error, -errno, "fork the container's init");
        }

        /* The helper (CLONE_PARENT) exits right after, and could not go back anyway: it has no
         * capabilities left in our user namespace. For us, this cannot fail for our own
         * namespaces; refuse to go on half-way anyway. */
        int k = saved_namespaces_restore(&saved, !(extra_flags & CLONE_PARENT));
        if (k < 0) {
                if (pid > 0) {
                        (void) kill(pid, SIGKILL);
                        (void) waitpid(pid, NULL, 0);
                }
                if (r >= 0)
                        r = errmsg(ret_error, k, "restore our own namespaces");
                else
                        log_warning("restore our own namespaces: %s", strerror(-k));
        }
        if (r < 0)
                return r;
        *ret_pid = pid;
        return 0;
}

/* What the helper of fork_via_helper() tells us: the init's PID, or why there is none (then
 * followed by the message's text). */
typedef struct HelperReport {
        pid_t pid;
        int error;
} HelperReport;

_noreturn_ static void helper_fail(int fd, int r, const char *error) {
        HelperReport rep = { .error = r < 0 ? r : -EIO };
        if (write_all(fd, &rep, sizeof(rep)) >= 0 && error)
                (void) write_all(fd, error, strlen(error));
        _exit(EXIT_FAILURE);
}

/* A joined user namespace cannot be left again, so we cannot join it ourselves: a helper
 * does, then forks the init as our child (CLONE_PARENT) with the PID and time namespaces made
 * from inside that user namespace, which thus owns them. It tells us the init's PID, or its
 * error, and exits. */
static int fork_via_helper(const OciConfig *c, const OciNamespace *user, pid_t *ret_pid, char **ret_error) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return errmsg(ret_error, -errno, "make a pipe");
        pid_t helper = fork();
        if (helper < 0) {
                int r = errmsg(ret_error, -errno, "fork");
                safe_close(p[0]);
                safe_close(p[1]);
                return r;
        }
        if (helper == 0) {
                _cleanup_free_ char *error = NULL;
                pid_t pid = -1;
                safe_close(p[0]);
                int r = join(user->path, NAMESPACE_USER, &error);
                if (r >= 0)
                        r = fork_in_namespaces(c, CLONE_PARENT, &pid, &error);
                if (r < 0)
                        helper_fail(p[1], r, error);
                if (pid == 0) {
                        safe_close(p[1]);
                        *ret_pid = 0;
                        return 0;
                }
                _exit(write_all(p[1], &(HelperReport) { .pid = pid }, sizeof(HelperReport)) < 0 ? EXIT_FAILURE
                                                                                              : EXIT_SUCCESS);
        }
        safe_close(p[1]);
        HelperReport rep = {};
        char text[4096];
        ssize_t n, len = 0;
        while ((n = read(p[0], &rep, sizeof(rep))) < 0 && errno == EINTR)
                ;
        if (n == (ssize_t) sizeof(rep) && rep.pid <= 0)
                while (len < (ssize_t) sizeof(text) - 1 &&
                       ((n = read(p[0], text + len, sizeof(text) - 1 - (size_t) len)) > 0 || (n < 0 && errno == EINTR)))
                        len += n > 0 ? n : 0;
        text[len] = 0;
        safe_close(p[0]);
        while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
                ;
        if (rep.pid <= 0 && len > 0)
                return errmsg_plain(ret_error, rep.error < 0 ? rep.error : -ECHILD, "%s", text);
        if (rep.pid <= 0)
                return errmsg_plain(ret_error, rep.error < 0 ? rep.error : -ECHILD,
                                    "join user namespace %s: the helper process failed", user->path);
        *ret_pid = rep.pid;
        return 0;
}

int namespaces_fork_init(const OciConfig *c, pid_t *ret_pid, char **ret_error) {
        const OciNamespace *user = oci_config_find_namespace(c, NAMESPACE_USER);
        if (user && user->path)
                return fork_via_helper(c, user, ret_pid, ret_error);
        return fork_in_namespaces(c, 0, ret_pid, ret_error);
}

/* ---- the maps ---- */

static int write_proc_file(pid_t pid, const char *name, const char *data, size_t len) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, name);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* One write: the kernel takes a map only whole, and only once. */
        ssize_t n = write(fd, data, len);
        if (n < 0)
                return -errno;
        return (size_t) n == len ? 0 : -EIO;
}

static int write_map(pid_t pid, const char *name, const char *field, const OciIdMapping *m, size_t n,
                     char **ret_error) {
        /* At most 340 ranges (the parser says so) of at most 33 bytes each. */
        _cleanup_free_ char *buf = malloc(n * 34 + 1);
        size_t len = 0;
        if (!buf)
                return errmsg(ret_error, -ENOMEM, "allocate");
        for (size_t i = 0; i < n; i++)
                len += (size_t) snprintf(buf + len, 35, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
        int r = write_proc_file(pid, name, buf, len);
        if (r < 0)
                return errmsg(ret_error, r, "linux.%s: write /proc/%d/%s", field, (int) pid, name);
        return 0;
}

int namespaces_write_id_maps(const OciConfig *c, pid_t pid, char **ret_error) {
        const OciNamespace *user = oci_config_find_namespace(c, NAMESPACE_USER);
        if (!user || user->path)
                return 0;
        /* Unprivileged (issue 7), the kernel takes from us only our own id, alone; any other
         * map goes through the setuid newuidmap/newgidmap, which check /etc/subuid. */
        const bool rootless = rootless_caller();
        const bool own_gid = rootless_map_is_own(c->gid_mappings, c->n_gid_mappings, getegid());
        int r = rootless && !rootless_map_is_own(c->uid_mappings, c->n_uid_mappings, geteuid())
                        ? rootless_map_with_helper(pid, false, c->uid_mappings, c->n_uid_mappings, ret_error)
                        : write_map(pid, "uid_map", "uidMappings", c->uid_mappings, c->n_uid_mappings, ret_error);
        if (r < 0)
                return r;
        if (rootless && !own_gid)
                /* newgidmap decides about setgroups itself. */
                return rootless_map_with_helper(pid, true, c->gid_mappings, c->n_gid_mappings, ret_error);
        /* Without CAP_SETGID in our own user namespace, the kernel takes a gid map only once
         * setgroups(2) is denied in the new one (CVE-2014-8989: dropping a group by setgroups
         * could gain access). As root, runc leaves it allowed, so additionalGids still work. */
        if (geteuid() != 0) {
                r = write_proc_file(pid, "setgroups", "deny", 4);
                if (r < 0 && r != -ENOENT)
                        return errmsg(ret_error, r, "write /proc/%d/setgroups", (int) pid);
        }
        return write_map(pid, "gid_map", "gidMappings", c->gid_mappings, c->n_gid_mappings, ret_error);
}
