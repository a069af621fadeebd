/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The init's birth into its PID, user and time namespaces, and the maps of its user namespace.
 * Everything else (mount, network, ipc, uts, cgroup) the init unshares itself, from inside the
 * user namespace, so that those belong to it. Parent side only. */

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

static int check_mappings(const char *name, const OciIdMapping *m, size_t n) {
        /* The kernel takes less than a page in one write to uid_map. */
        size_t len = 0;
        for (size_t i = 0; i < n; i++)
                len += (size_t) snprintf(NULL, 0, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
        if (len >= (size_t) sysconf(_SC_PAGESIZE))
                return log_error("linux.%s: %zu bytes of map, the kernel takes fewer than %ld", name, len,
                                 sysconf(_SC_PAGESIZE)), -EINVAL;
        /* The kernel refuses overlaps with a bare EINVAL, and only once the init exists. */
        for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++) {
                        if (ranges_overlap(m[i].container_id, m[j].container_id, m[i].size, m[j].size))
                                return log_error("linux.%s: ranges %zu and %zu overlap in the container's ids",
                                                 name, i, j), -EINVAL;
                        if (ranges_overlap(m[i].host_id, m[j].host_id, m[i].size, m[j].size))
                                return log_error("linux.%s: ranges %zu and %zu overlap in the host's ids", name, i, j),
                                       -EINVAL;
                }
        return 0;
}

int namespaces_check_config(const OciConfig *c) {
        const OciNamespace *user = oci_config_find_namespace(c, NAMESPACE_USER);
        const OciNamespace *time = oci_config_find_namespace(c, NAMESPACE_TIME);
        int r;

        if (!user && (c->n_uid_mappings > 0 || c->n_gid_mappings > 0))
                return log_error("linux.uidMappings, linux.gidMappings: need a user namespace in linux.namespaces"),
                       -EINVAL;
        if (user && !user->path) {
                /* As runc: a user namespace without maps has nobody who could own anything. */
                if (c->n_uid_mappings == 0 || c->n_gid_mappings == 0)
                        return log_error("linux.namespaces: a new user namespace needs linux.uidMappings and linux.gidMappings"),
                               -EINVAL;
                if ((r = check_mappings("uidMappings", c->uid_mappings, c->n_uid_mappings)) < 0 ||
                    (r = check_mappings("gidMappings", c->gid_mappings, c->n_gid_mappings)) < 0)
                        return r;
                if (!id_is_mapped(c->uid_mappings, c->n_uid_mappings, c->process.uid))
                        return log_error("process.user.uid: %u is not mapped by linux.uidMappings",
                                         (unsigned) c->process.uid), -EINVAL;
                if (!id_is_mapped(c->gid_mappings, c->n_gid_mappings, c->process.gid))
                        return log_error("process.user.gid: %u is not mapped by linux.gidMappings",
                                         (unsigned) c->process.gid), -EINVAL;
                for (size_t i = 0; i < c->process.n_additional_gids; i++)
                        if (!id_is_mapped(c->gid_mappings, c->n_gid_mappings, c->process.additional_gids[i]))
                                return log_error("process.user.additionalGids: %u is not mapped by linux.gidMappings",
                                                 (unsigned) c->process.additional_gids[i]), -EINVAL;
        }
        /* A joined user namespace has its maps already; runc ignores the config's then, and so
         * do we. */

        if ((c->monotonic_offset.set || c->boottime_offset.set) && (!time || time->path))
                return log_error("linux.timeOffsets: needs a new time namespace in linux.namespaces"), -EINVAL;
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

static int write_time_offsets(const OciConfig *c) {
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
                return log_error_errno(-errno, "linux.timeOffsets: open /proc/self/timens_offsets");
        ssize_t k = write(fd, buf, (size_t) n);
        if (k < 0)
                return log_error_errno(-errno, "linux.timeOffsets: write the offsets (%.*s)", n - 1, buf);
        if (k != n)
                return log_error_errno(-EIO, "linux.timeOffsets: short write to /proc/self/timens_offsets");
        return 0;
}

static int join(const char *path, NamespaceType t) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "open %s namespace %s", namespace_type_to_string(t), path);
        if (setns(fd, namespace_type_to_clone_flag(t)) < 0) {
                if (errno == EINVAL)
                        return log_error("join %s namespace %s: not a %s namespace", namespace_type_to_string(t), path,
                                         namespace_type_to_string(t)), -EINVAL;
                return log_error_errno(-errno, "join %s namespace %s", namespace_type_to_string(t), path);
        }
        return 0;
}

/* Forks with the PID and time namespaces the config asks for, and a new user namespace if it
 * asks for one. Our own namespaces never change: only those our children are born into, and
 * only for this fork (setns() back to the saved ones afterwards). */
static int fork_in_namespaces(const OciConfig *c, uint64_t extra_flags, pid_t *ret_pid) {
        const OciNamespace *pidns = oci_config_find_namespace(c, NAMESPACE_PID);
        const OciNamespace *user = oci_config_find_namespace(c, NAMESPACE_USER);
        const OciNamespace *time = oci_config_find_namespace(c, NAMESPACE_TIME);
        _cleanup_close_ int saved_pid = -EBADF, saved_time = -EBADF;
        uint64_t flags = extra_flags;
        pid_t pid = -1;
        int r = 0;
        /* Joined before a new user namespace exists, as runc does: from inside it the init
         * has no capability over namespaces the host's user namespace owns. */
        static const NamespaceType early[] = { NAMESPACE_IPC, NAMESPACE_UTS, NAMESPACE_NETWORK, NAMESPACE_CGROUP };
        int saved_early[ELEMENTSOF(early)] = { -EBADF, -EBADF, -EBADF, -EBADF };

        if (user && !user->path)
                flags |= CLONE_NEWUSER;
        for (size_t i = 0; (flags & CLONE_NEWUSER) && i < ELEMENTSOF(early); i++) {
                const OciNamespace *ns = oci_config_find_namespace(c, early[i]);
                if (!ns || !ns->path)
                        continue;
                char self[64];
                snprintf(self, sizeof(self), "/proc/self/ns/%s", namespace_type_to_proc_name(early[i]));
                saved_early[i] = open(self, O_RDONLY | O_CLOEXEC);
                r = saved_early[i] < 0 ? log_error_errno(-errno, "open %s", self) : join(ns->path, early[i]);
                if (r < 0)
                        goto restore;
        }
        if (pidns) {
                if (pidns->path || !(flags & CLONE_NEWUSER)) {
                        saved_pid = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
                        if (saved_pid < 0)
                                return log_error_errno(-errno, "open /proc/self/ns/pid");
                }
                if (pidns->path)
                        r = join(pidns->path, NAMESPACE_PID);
                else if (flags & CLONE_NEWUSER)
                        /* In the same clone, so that the new user namespace owns it. */
                        flags |= CLONE_NEWPID;
                else if (unshare(CLONE_NEWPID) < 0)
                        r = log_error_errno(-errno, "unshare the pid namespace");
                if (r < 0)
                        goto restore;
        }
        if (time) {
                saved_time = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
                if (saved_time < 0) {
                        r = log_error_errno(-errno, "open /proc/self/ns/time (does the kernel have time namespaces?)");
                        goto restore;
                }
                if (time->path)
                        r = join(time->path, NAMESPACE_TIME);
                else if (unshare(CLONE_NEWTIME) < 0)
                        r = log_error_errno(-errno, "unshare the time namespace");
                else
                        r = write_time_offsets(c);
                if (r < 0)
                        goto restore;
        }

        pid = flags ? clone_fork(flags) : fork();
        if (pid == 0) {
                *ret_pid = 0;
                return 0;
        }
        if (pid < 0 && (flags & CLONE_NEWUSER) && (errno == EPERM || errno == ENOSPC || errno == EUSERS))
                /* Debian's kernel.unprivileged_userns_clone=0, user.max_user_namespaces=0, or a
                 * seccomp filter or LSM of whoever runs us. */
                r = log_error_errno(-errno, "linux.namespaces: the kernel refuses a new user namespace (disabled by "
                                            "sysctl user.max_user_namespaces or kernel.unprivileged_userns_clone?)");
        else if (pid < 0)
                r = log_error_errno(-errno, "fork the container's init");

restore:;
        bool restored = true;
        for (size_t i = 0; i < ELEMENTSOF(early); i++)
                if (saved_early[i] >= 0) {
                        if (setns(saved_early[i], namespace_type_to_clone_flag(early[i])) < 0)
                                restored = false;
                        safe_close(saved_early[i]);
                }
        /* The helper (CLONE_PARENT) exits right after, and could not go back anyway: it has no
         * capabilities left in our user namespace. For us, this cannot fail for our own
         * namespaces; refuse to go on half-way anyway. */
        if (!(extra_flags & CLONE_PARENT) && (!restored || (saved_pid >= 0 && setns(saved_pid, CLONE_NEWPID) < 0) ||
                                              (saved_time >= 0 && setns(saved_time, CLONE_NEWTIME) < 0))) {
                int k = log_error_errno(-errno, "restore our own namespaces");
                if (pid > 0) {
                        (void) kill(pid, SIGKILL);
                        (void) waitpid(pid, NULL, 0);
                }
                return r < 0 ? r : k;
        }
        if (r < 0)
                return r;
        *ret_pid = pid;
        return 0;
}

/* A joined user namespace cannot be left again, so we cannot join it ourselves: a helper
 * does, then forks the init as our child (CLONE_PARENT) with the PID and time namespaces made
 * from inside that user namespace, which thus owns them. It tells us the init's PID and exits;
 * its errors it prints itself. */
static int fork_via_helper(const OciConfig *c, const OciNamespace *user, pid_t *ret_pid) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return log_error_errno(-errno, "make a pipe");
        pid_t helper = fork();
        if (helper < 0) {
                int r = log_error_errno(-errno, "fork");
                safe_close(p[0]);
                safe_close(p[1]);
                return r;
        }
        if (helper == 0) {
                pid_t pid;
                safe_close(p[0]);
                if (join(user->path, NAMESPACE_USER) < 0 || fork_in_namespaces(c, CLONE_PARENT, &pid) < 0)
                        _exit(EXIT_FAILURE);
                if (pid == 0) {
                        safe_close(p[1]);
                        *ret_pid = 0;
                        return 0;
                }
                _exit(write_all(p[1], &pid, sizeof(pid)) < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
        }
        safe_close(p[1]);
        pid_t pid = 0;
        ssize_t n;
        while ((n = read(p[0], &pid, sizeof(pid))) < 0 && errno == EINTR)
                ;
        safe_close(p[0]);
        while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
                ;
        if (n != (ssize_t) sizeof(pid) || pid <= 0)
                return -ECHILD; /* the helper said why */
        *ret_pid = pid;
        return 0;
}

int namespaces_fork_init(const OciConfig *c, pid_t *ret_pid) {
        const OciNamespace *user = oci_config_find_namespace(c, NAMESPACE_USER);
        if (user && user->path)
                return fork_via_helper(c, user, ret_pid);
        return fork_in_namespaces(c, 0, ret_pid);
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

static int write_map(pid_t pid, const char *name, const char *field, const OciIdMapping *m, size_t n) {
        /* At most 340 ranges (the parser says so) of at most 33 bytes each. */
        _cleanup_free_ char *buf = malloc(n * 34 + 1);
        size_t len = 0;
        if (!buf)
                return log_error_errno(-ENOMEM, "allocate");
        for (size_t i = 0; i < n; i++)
                len += (size_t) snprintf(buf + len, 35, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
        int r = write_proc_file(pid, name, buf, len);
        if (r < 0)
                return log_error_errno(r, "linux.%s: write /proc/%d/%s", field, (int) pid, name);
        return 0;
}

int namespaces_write_id_maps(const OciConfig *c, pid_t pid) {
        const OciNamespace *user = oci_config_find_namespace(c, NAMESPACE_USER);
        if (!user || user->path)
                return 0;
        /* Unprivileged (issue 7), the kernel takes from us only our own id, alone; any other
         * map goes through the setuid newuidmap/newgidmap, which check /etc/subuid. */
        const bool rootless = rootless_caller();
        const bool own_gid = rootless_map_is_own(c->gid_mappings, c->n_gid_mappings, getegid());
        int r = rootless && !rootless_map_is_own(c->uid_mappings, c->n_uid_mappings, geteuid())
                        ? rootless_map_with_helper(pid, false, c->uid_mappings, c->n_uid_mappings)
                        : write_map(pid, "uid_map", "uidMappings", c->uid_mappings, c->n_uid_mappings);
        if (r < 0)
                return r;
        if (rootless && !own_gid)
                /* newgidmap decides about setgroups itself. */
                return rootless_map_with_helper(pid, true, c->gid_mappings, c->n_gid_mappings);
        /* Without CAP_SETGID in our own user namespace, the kernel takes a gid map only once
         * setgroups(2) is denied in the new one (CVE-2014-8989: dropping a group by setgroups
         * could gain access). As root, runc leaves it allowed, so additionalGids still work. */
        if (geteuid() != 0) {
                r = write_proc_file(pid, "setgroups", "deny", 4);
                if (r < 0 && r != -ENOENT)
                        return log_error_errno(r, "write /proc/%d/setgroups", (int) pid);
        }
        return write_map(pid, "gid_map", "gidMappings", c->gid_mappings, c->n_gid_mappings);
}
