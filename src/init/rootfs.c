/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's filesystem: propagation of "/", the rootfs bind, the config's mounts, /dev,
 * the switch of root, then read-only and masked paths. Every destination is resolved beneath
 * the rootfs fd (path-util) and mounted through its O_PATH fd, never by a host path a symlink
 * could redirect (CVE-2021-30465). Runs in the init between fork and execve: libc only. */

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>

#include "copy-tree.h"
#include "errmsg.h"
#include "fd-util.h"
#include "path-util.h"
#include "string-util.h"
#include "devices.h"
#include "mount-opts.h"
#include "root-switch.h"
#include "rootfs.h"

#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000 /* Linux 5.10; glibc 2.36 does not name it */
#endif

#ifndef PROC_ROOT_INO
#define PROC_ROOT_INO 1 /* the kernel's fs/proc; not in the uapi headers */
#endif

/* What a bind remount may change: the per-mount flags, not the superblock's. */
#define MS_PER_MOUNT \
        (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
         MS_STRICTATIME | MS_NOSYMFOLLOW)
#define MS_ATIME (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)

/* What a mount may be made read-only and inert with, as runc's readonlyPaths. */
#define MS_LOCKDOWN (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

typedef struct Rootfs {
        int root_fd;     /* the rootfs bind mount */
        int bundle_fd;   /* relative bind sources start here */
        char *root_path; /* canonical host path of root_fd, to name resolved destinations */
        bool new_userns;
        bool new_cgroupns;
        const char *own_cgroups; /* /proc/self/cgroup as read before any cgroup namespace */
        const char *mount_label; /* SELinux context of the file systems we mount, or NULL */
} Rootfs;

static void rootfs_done(Rootfs *rfs) {
        safe_close(rfs->root_fd);
        safe_close(rfs->bundle_fd);
        free(rfs->root_path);
}

static int fs_type(int fd, long *ret) {
        struct statfs sf;
        if (fstatfs(fd, &sf) < 0)
                return -errno;
        *ret = (long) sf.f_type;
        return 0;
}

/* Changes the per-mount flags of the mount whose root target names. A user namespace locks the
 * flags its mounts came with (ro, nosuid, nodev, noexec, atime): a remount that leaves one of
 * them out fails with EPERM. So start from what the mount has and change only what was asked. */
static int remount_bind(int fd, const char *target, unsigned long set, unsigned long clear) {
        static const struct {
                unsigned long st, ms;
        } map[] = {
                { ST_RDONLY, MS_RDONLY },         { ST_NOSUID, MS_NOSUID },
                { ST_NODEV, MS_NODEV },           { ST_NOEXEC, MS_NOEXEC },
                { ST_NOATIME, MS_NOATIME },       { ST_NODIRATIME, MS_NODIRATIME },
                { ST_RELATIME, MS_RELATIME },     { ST_NOSYMFOLLOW, MS_NOSYMFOLLOW },
        };
        struct statfs sf;
        if (fstatfs(fd, &sf) < 0)
                return -errno;

        unsigned long want = 0;
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if ((unsigned long) sf.f_flags & map[i].st)
                        want |= map[i].ms;
        if (set & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME))
                want &= ~(MS_NOATIME | MS_RELATIME | MS_STRICTATIME);
        want = (want & ~clear) | (set & MS_PER_MOUNT);
        /* With no atime flag at all, a remount keeps the mount's atime mode as it is. */
        if (!((set | clear) & MS_ATIME))
                want &= ~MS_ATIME;

        if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | want, NULL) < 0)
                return -errno;
        return 0;
}

/* The destination as the container will see it, for the /proc rule: "/proc/sys". */
static int container_path(const Rootfs *rfs, int fd, char buf[static PATH_MAX]) {
        char link[PROC_FD_PATH_MAX];
        proc_fd_path(fd, link);
        ssize_t n = readlink(link, buf, PATH_MAX - 1);
        if (n < 0)
                return -errno;
        buf[n] = 0;
        const char *rest = path_startswith(buf, rfs->root_path);
        if (!rest)
                return -EXDEV; /* cannot happen: it was resolved beneath the root */
        memmove(buf + 1, rest, strlen(rest) + 1);
        buf[0] = '/';
        return 0;
}

/* A mount inside the container's procfs could hide what an LSM writes there or what a
 * sysctl says (CVE-2019-16884 and friends): like runc, allow only /proc itself for a proc
 * filesystem and the few files lxcfs emulates. Checked on where the destination resolved to,
 * and on the filesystem it lies on, so neither a symlink nor a proc mounted elsewhere helps. */
static int check_proc_destination(const Rootfs *rfs, const OciMount *m, int src_fd, int dst_fd, char **ret_error) {
        static const char *const allowed[] = {
                "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps",
                "/proc/uptime", "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev",
                "/proc/sys/kernel/ns_last_pid",
        };
        char where[PATH_MAX];
        long type = 0;
        int r;

        if ((r = container_path(rfs, dst_fd, where)) < 0 || (r = fs_type(dst_fd, &type)) < 0)
                return errmsg(ret_error, r, "mount on %s: look up the destination", m->destination);

        /* A proc filesystem goes exactly where the config says: a /proc that the image made a
         * symlink (to /tmp, to "../.."), would leave the real /proc a plain directory of the
         * image for whatever trusts it later (CVE-2019-16884). */
        if (streq_ptr(m->type, "proc")) {
                _cleanup_free_ char *want = NULL;
                if (path_simplify(m->destination, &want) < 0)
                        return errmsg(ret_error, -ENOMEM, "mount on %s", m->destination);
                if (strcmp(want, where) != 0)
                        return errmsg_plain(ret_error, -ELOOP,
                                            "mount proc on %s: the destination is a symlink (it resolves to %s)",
                                            m->destination, where);
        }

        const char *rest = path_startswith(where, "/proc");
        if (rest && *rest == 0) {
                long src_type = 0;
                if (streq_ptr(m->type, "proc") || (src_fd >= 0 && fs_type(src_fd, &src_type) >= 0 &&
                                                   src_type == PROC_SUPER_MAGIC))
                        return 0;
                return errmsg_plain(ret_error, -EPERM, "mount on %s: only a proc filesystem may be mounted on /proc",
                                    m->destination);
        }
        if (!rest && type != PROC_SUPER_MAGIC)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(allowed); i++)
                if (strcmp(where, allowed[i]) == 0)
                        return 0;
        return errmsg_plain(ret_error, -EPERM, "mount on %s: refusing a mount inside /proc (it resolves to %s)",
                            m->destination, where);
}

/* What the container will trust as /proc (the fds of exec.fifo, sysctls, oom_score_adj, the
 * masks) must be the root of a real procfs, found again at the destination after the mount. */
static int check_proc_mounted(const Rootfs *rfs, const char *dest, char **ret_error) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        long type = 0;
        int r = open_in_root(rfs->root_fd, dest, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0, &fd);
        if (r < 0 || (r = fs_type(fd, &type)) < 0)
                return errmsg(ret_error, r, "mount proc on %s: look it up after mounting", dest);
        if (fstat(fd, &st) < 0)
                return errmsg(ret_error, -errno, "mount proc on %s: stat it after mounting", dest);
        if (type != PROC_SUPER_MAGIC || st.st_ino != PROC_ROOT_INO)
                return errmsg_plain(ret_error, -EXDEV, "mount proc on %s: what is there now is not the root of a procfs",
                                    dest);
        return 0;
}

/* The init's own cgroup in the hierarchy whose /proc/self/cgroup controller field is ctrls
 * ("" for v2), from what it read before it entered a cgroup namespace; NULL if absent. */
static char *own_cgroup(const Rootfs *rfs, const char *ctrls) {
        size_t n = strlen(ctrls);
        for (const char *l = rfs->own_cgroups; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                const char *c = strchr(l, ':');
                if (!c || strncmp(c + 1, ctrls, n) != 0 || c[1 + n] != ':')
                        continue;
                const char *p = c + 2 + n;
                return strndup(p, strcspn(p, "\n"));
        }
        return NULL;
}

/* Opens, below the host hierarchy at dir_fd/name, the container's own cgroup: what the
 * container gets to see of that hierarchy, whether or not it has a cgroup namespace. */
static int open_own_cgroup(const Rootfs *rfs, int dir_fd, const char *name, bool v2, int *ret) {
        char ctrls[256];
        if (v2)
                ctrls[0] = 0;
        else
                snprintf(ctrls, sizeof(ctrls), "%s", name);
        _cleanup_free_ char *own = own_cgroup(rfs, ctrls);
        if (!own && !v2) {
                snprintf(ctrls, sizeof(ctrls), "name=%s", name);
                own = own_cgroup(rfs, ctrls);
        }
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s%s", name, own && strcmp(own, "/") != 0 ? own : "");
        int fd = openat(dir_fd, path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        *ret = fd;
        return 0;
}

/* Type "cgroup": the container's own cgroups, read-only unless the mount says "rw". On a
 * cgroup2 host, a cgroup2 mount (its root is the container's cgroup in a cgroup namespace);
 * on v1 or hybrid hosts, a tmpfs with the container's cgroup of each host hierarchy bound
 * below it (a fresh v1 mount is not allowed in a user namespace; a bind is, and shows the same
 * subtree). Where no fresh mount is allowed, the container's cgroup directory is bound. */
/* A unified host: cgroup2 itself where a cgroup namespace of our own roots it at the container's
 * cgroup; otherwise (no cgroup namespace: a fresh mount would show the host's root; or one the
 * kernel will not let us mount) a bind of the container's own cgroup. */
static int mount_cgroup_unified(const Rootfs *rfs, const OciMount *m, int dst, unsigned long flags,
                                unsigned long lockdown, char **ret_error) {
        char dst_path[PROC_FD_PATH_MAX], host_path[PROC_FD_PATH_MAX];
        _cleanup_close_ int mine = -EBADF, top = -EBADF;
        int r;

        proc_fd_path(dst, dst_path);
        if (rfs->new_cgroupns && mount("cgroup2", dst_path, "cgroup2", flags, NULL) >= 0)
                return 0;
        if (rfs->new_cgroupns && errno != EPERM && errno != EBUSY)
                return errmsg(ret_error, -errno, "mount cgroup2 on %s", m->destination);
        r = open_own_cgroup(rfs, AT_FDCWD, "/sys/fs/cgroup", true, &mine);
        if (r < 0)
                return errmsg(ret_error, r, "open the container's cgroup for %s", m->destination);
        proc_fd_path(mine, host_path);
        if (mount(host_path, dst_path, NULL, MS_BIND | MS_REC, NULL) < 0)
                return errmsg(ret_error, -errno, "bind the container's cgroup2 on %s", m->destination);
        r = open_in_root(rfs->root_fd, m->destination, O_PATH, 0, &top);
        if (r >= 0) {
                proc_fd_path(top, dst_path);
                r = remount_bind(top, dst_path, flags | lockdown, 0);
        }
        if (r < 0)
                return errmsg(ret_error, r, "remount the cgroup2 bind on %s", m->destination);
        return 0;
}

/* One entry of the host's /sys/fs/cgroup in the container's tmpfs (tmp): a symlink as it is
 * ("cpu -> cpu,cpuacct"), a hierarchy as a bind of the container's own cgroup in it, anything
 * else skipped. */
static int mount_cgroup_entry(const Rootfs *rfs, const OciMount *m, int host_dir, const char *name, int tmp,
                              unsigned long rdonly_lockdown, char **ret_error) {
        char target[PATH_MAX], src_path[PROC_FD_PATH_MAX], sub_path[PROC_FD_PATH_MAX];
        _cleanup_close_ int probe = -EBADF, src = -EBADF, sub = -EBADF, top = -EBADF;
        struct stat st;
        long type = 0;
        int r;

        if (name[0] == '.' || fstatat(host_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return 0;
        if (S_ISLNK(st.st_mode)) {
                ssize_t n = readlinkat(host_dir, name, target, sizeof(target) - 1);
                if (n < 0)
                        return 0;
                target[n] = 0;
                if (symlinkat(target, tmp, name) < 0 && errno != EEXIST)
                        return errmsg(ret_error, -errno, "symlink %s/%s", m->destination, name);
                return 0;
        }
        probe = openat(host_dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (probe < 0 || fs_type(probe, &type) < 0 || (type != CGROUP_SUPER_MAGIC && type != CGROUP2_SUPER_MAGIC))
                return 0;
        if ((r = open_own_cgroup(rfs, host_dir, name, type == CGROUP2_SUPER_MAGIC, &src)) < 0)
                return errmsg(ret_error, r, "open the container's cgroup in the host's %s", name);
        if ((mkdirat(tmp, name, 0755) < 0 && errno != EEXIST) ||
            (sub = openat(tmp, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
                return errmsg(ret_error, -errno, "create %s/%s", m->destination, name);
        proc_fd_path(src, src_path);
        proc_fd_path(sub, sub_path);
        if (mount(src_path, sub_path, NULL, MS_BIND, NULL) < 0)
                return errmsg(ret_error, -errno, "bind the container's cgroup %s on %s/%s", name, m->destination, name);
        /* The bind is a new mount on top of sub: reopen to reach it. */
        top = openat(tmp, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (top < 0)
                r = -errno;
        else {
                proc_fd_path(top, sub_path);
                r = remount_bind(top, sub_path, rdonly_lockdown, 0);
        }
        if (r < 0)
                return errmsg(ret_error, r, "remount %s/%s", m->destination, name);
        return 0;
}

/* A v1 or hybrid host: a tmpfs holding each hierarchy as the container's own cgroup in it. */
static int mount_cgroup_hierarchies(const Rootfs *rfs, const OciMount *m, int dst, unsigned long flags,
                                    unsigned long lockdown, char **ret_error) {
        char path[PROC_FD_PATH_MAX];
        _cleanup_close_ int tmp = -EBADF;
        _cleanup_closedir_ DIR *d = NULL;
        int r;

        /* Writable until the hierarchies are in place; "ro" is applied at the end. */
        proc_fd_path(dst, path);
        if (mount("tmpfs", path, "tmpfs", flags & ~MS_RDONLY, "mode=755") < 0)
                return errmsg(ret_error, -errno, "mount tmpfs for cgroup on %s", m->destination);
        r = open_in_root(rfs->root_fd, m->destination, O_PATH | O_DIRECTORY, 0, &tmp);
        if (r < 0)
                return errmsg(ret_error, r, "open the cgroup tmpfs on %s", m->destination);

        d = opendir("/sys/fs/cgroup");
        if (!d)
                return errmsg(ret_error, -errno, "list the host's /sys/fs/cgroup");
        for (struct dirent *de; (errno = 0, de = readdir(d));)
                if ((r = mount_cgroup_entry(rfs, m, dirfd(d), de->d_name, tmp, (flags & MS_RDONLY) | lockdown,
                                            ret_error)) < 0)
                        return r;
        if (errno != 0)
                return errmsg(ret_error, -errno, "list the host's /sys/fs/cgroup");

        if (flags & MS_RDONLY) {
                proc_fd_path(tmp, path);
                r = remount_bind(tmp, path, flags, 0);
                if (r < 0)
                        return errmsg(ret_error, r, "make the cgroup tmpfs on %s read-only", m->destination);
        }
        return 0;
}

/* A "cgroup" mount: the container's own cgroups, read-only unless the mount says "rw". */
static int mount_cgroup(const Rootfs *rfs, const OciMount *m, const MountOptions *o, char **ret_error) {
        unsigned long flags = o->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        if (!(o->clear_flags & MS_RDONLY))
                flags |= MS_RDONLY;
        const unsigned long lockdown = (flags & MS_RDONLY) ? MS_LOCKDOWN : (MS_NOSUID | MS_NODEV | MS_NOEXEC);
        _cleanup_close_ int dst = -EBADF, host = -EBADF;
        long host_type = 0;
        int r;

        r = mkdir_p_in_root(rfs->root_fd, m->destination, 0755, &dst);
        if (r < 0)
                return errmsg(ret_error, r, "create mount point %s", m->destination);
        if ((r = check_proc_destination(rfs, m, -EBADF, dst, ret_error)) < 0)
                return r;
        host = open("/sys/fs/cgroup", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (host < 0 || (r = fs_type(host, &host_type)) < 0)
                return errmsg(ret_error, host < 0 ? -errno : r, "mount cgroup on %s: look at the host's /sys/fs/cgroup",
                              m->destination);
        if (host_type == CGROUP2_SUPER_MAGIC)
                return mount_cgroup_unified(rfs, m, dst, flags, lockdown, ret_error);
        return mount_cgroup_hierarchies(rfs, m, dst, flags, lockdown, ret_error);
}

static int mount_fs(const OciMount *m, const char *target, unsigned long flags, const char *data) {
        const char *source = m->source ? m->source : m->type;
        if (mount(source, target, m->type, flags, data) >= 0)
                return 0;
        int r = -errno;
        if (r != -EINVAL || !streq_ptr(m->type, "devpts") || !data)
                return r;

        /* In a user namespace where group 5 (tty) is not mapped, devpts refuses "gid=5": as
         * crun does, go on without it; the ptys then belong to the container's root group. */
        _cleanup_free_ char *stripped = malloc(strlen(data) + 1);
        if (!stripped)
                return -ENOMEM;
        stripped[0] = 0;
        bool any = false;
        for (const char *p = data; *p;) {
                size_t k = strcspn(p, ",");
                if (strncmp(p, "gid=", 4) != 0 || k < 4) {
                        if (stripped[0])
                                strcat(stripped, ",");
                        strncat(stripped, p, k);
                } else
                        any = true;
                p += k + (p[k] == ',');
        }
        if (!any)
                return r;
        return RET_NERRNO(mount(source, target, m->type, flags, stripped));
}

/* A user namespace that does not own the network namespace may not mount a sysfs (the
 * kernel's rule, EPERM): runc binds the host's /sys instead, with the options asked for. */
static int bind_host_sys(const Rootfs *rfs, const char *dest, const char *dst_path, unsigned long flags) {
        if (mount("/sys", dst_path, NULL, MS_BIND | MS_REC, NULL) < 0)
                return -errno;
        _cleanup_close_ int top = -EBADF;
        int r = open_in_root(rfs->root_fd, dest, O_PATH, 0, &top);
        if (r < 0)
                return r;
        struct mount_attr attr = {
                .attr_set = (flags & MS_RDONLY ? MOUNT_ATTR_RDONLY : 0) | (flags & MS_NOSUID ? MOUNT_ATTR_NOSUID : 0) |
                            (flags & MS_NODEV ? MOUNT_ATTR_NODEV : 0) | (flags & MS_NOEXEC ? MOUNT_ATTR_NOEXEC : 0),
        };
        if (mount_setattr(top, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
                return -errno;
        return 0;
}

/* The copy of tmpcopyup, into the tmpfs just mounted on dest; then its "ro", if asked. */
static int copy_up(const Rootfs *rfs, const char *dest, int under, bool ro, char **ret_error) {
        _cleanup_free_ char *copy_error = NULL;
        _cleanup_close_ int top = -EBADF;
        char top_path[PROC_FD_PATH_MAX];
        int r;

        r = open_in_root(rfs->root_fd, dest, O_RDONLY | O_DIRECTORY, 0, &top);
        if (r < 0)
                return errmsg(ret_error, r, "look up %s after mounting it", dest);
        r = copy_tree(under, top, &copy_error);
        if (r < 0)
                return errmsg_plain(ret_error, r, "tmpcopyup on %s: %s", dest, copy_error ? copy_error : "copy failed");
        proc_fd_path(top, top_path);
        if (ro && (r = remount_bind(top, top_path, MS_RDONLY, 0)) < 0)
                return errmsg(ret_error, r, "make %s read-only after the copy", dest);
        return 0;
}

/* DATA with SELinux's context=LABEL added: every file in the new mount, its root too, has LABEL. */
static int mount_data_add_label(const char *data, const char *label, char **ret) {
        *ret = NULL;
        if (asprintf(ret, "%s%scontext=\"%s\"", data ?: "", data && *data ? "," : "", label) < 0)
                return -ENOMEM;
        return 0;
}

/* linux.mountLabel, as runc applies it: context= on every file system the config mounts but
 * binds, proc, sysfs and cgroups (which keep the kernel's own labels) and mqueue, which refuses
 * it (EINVAL, seen in the VM test host booted with SELinux): its root gets the label as an xattr
 * once mounted (label_mqueue). */
static int mount_data_with_label(const Rootfs *rfs, const OciMount *m, const char *data, char **ret) {
        static const char *const unlabelled[] = { "proc", "sysfs", "mqueue", "cgroup", "cgroup2" };
        *ret = NULL;
        if (!rfs->mount_label)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(unlabelled); i++)
                if (streq_ptr(m->type, unlabelled[i]))
                        return 0;
        return mount_data_add_label(data, rfs->mount_label, ret);
}

/* linux.mountLabel on a new mqueue: the label of its root directory. */
static int label_mqueue(const Rootfs *rfs, const char *dest, char **ret_error) {
        _cleanup_close_ int fd = -EBADF;
        int r = open_in_root(rfs->root_fd, dest, O_RDONLY | O_DIRECTORY, 0, &fd);
        if (r < 0)
                return errmsg(ret_error, r, "look up %s after mounting it", dest);
        if (fsetxattr(fd, "security.selinux", rfs->mount_label, strlen(rfs->mount_label), 0) < 0)
                return errmsg(ret_error, -errno, "label the mqueue on %s with \"%s\"", dest, rfs->mount_label);
        return 0;
}

/* src_tree: a detached clone of the bind source to attach, or -1 to open m->source here. */
static int mount_one(const Rootfs *rfs, const OciMount *m, int src_tree, char **ret_error) {
        _cleanup_(mount_options_done) MountOptions o = {};
        _cleanup_free_ char *opt_error = NULL, *labelled = NULL;
        const char *dest = m->destination;
        char src_path[PROC_FD_PATH_MAX], dst_path[PROC_FD_PATH_MAX];
        int r;

        r = mount_options_parse(m->options, &o, &opt_error);
        if (r < 0)
                return errmsg_plain(ret_error, r, "mount on %s: %s", dest, opt_error ? opt_error : "bad options");

        bool bind = o.bind || streq_ptr(m->type, "bind");
        if (!bind && !m->type)
                return errmsg_plain(ret_error, -EINVAL, "mount on %s: no type, and not a bind mount", dest);
        if (streq_ptr(m->type, "cgroup") && !bind)
                return mount_cgroup(rfs, m, &o, ret_error);

        /* Bind sources are host paths, relative to the bundle: the config's author chose them. */
        _cleanup_close_ int src = -EBADF;
        struct stat st = { .st_mode = S_IFDIR };
        if (bind) {
                if (!m->source)
                        return errmsg_plain(ret_error, -EINVAL, "bind mount on %s: no source", dest);
                src = src_tree >= 0 ? fcntl(src_tree, F_DUPFD_CLOEXEC, 3)
                                    : openat(rfs->bundle_fd, m->source, O_PATH | O_CLOEXEC);
                if (src < 0 || fstat(src, &st) < 0)
                        return errmsg(ret_error, -errno, "bind %s on %s: open the source", m->source, dest);
        }

        _cleanup_close_ int dst = -EBADF;
        if (S_ISDIR(st.st_mode))
                r = mkdir_p_in_root(rfs->root_fd, dest, 0755, &dst);
        else
                r = touch_in_root(rfs->root_fd, dest, 0644, &dst);
        if (r < 0)
                return errmsg(ret_error, r, "create mount point %s", dest);

        r = check_proc_destination(rfs, m, src, dst, ret_error);
        if (r < 0)
                return r;

        proc_fd_path(dst, dst_path);
        /* tmpcopyup: the directory the tmpfs is about to cover, still readable through this fd
         * once covered. The tmpfs is mounted writable for the copy, made read-only after it. */
        bool copyup = o.tmpcopyup && !bind && streq_ptr(m->type, "tmpfs");
        _cleanup_close_ int under = -EBADF;
        if (copyup && (under = open(dst_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                return errmsg(ret_error, -errno, "open %s to copy it up", dest);
        if (bind && src_tree >= 0) {
                if (move_mount(src, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                        return errmsg(ret_error, -errno, "bind %s on %s: attach the source", m->source, dest);
        } else if (bind) {
                proc_fd_path(src, src_path);
                if (mount(src_path, dst_path, NULL, MS_BIND | (o.flags & MS_REC), NULL) < 0)
                        return errmsg(ret_error, -errno, "bind %s on %s", m->source, dest);
        } else if ((r = mount_data_with_label(rfs, m, o.data, &labelled)) < 0 ||
                   (r = mount_fs(m, dst_path, o.flags & ~(MS_BIND | MS_REC | (copyup ? MS_RDONLY : 0)),
                                 labelled ?: o.data)) < 0) {
                if (!(r == -EPERM && rfs->new_userns && streq_ptr(m->type, "sysfs")))
                        return errmsg(ret_error, r, "mount %s on %s", m->type, dest);
                r = bind_host_sys(rfs, dest, dst_path, o.flags);
                if (r < 0)
                        return errmsg(ret_error, r, "bind the host's /sys on %s (no sysfs of our own)", dest);
        }

        if (streq_ptr(m->type, "proc") && (r = check_proc_mounted(rfs, dest, ret_error)) < 0)
                return r;
        if (!bind && rfs->mount_label && streq_ptr(m->type, "mqueue") && (r = label_mqueue(rfs, dest, ret_error)) < 0)
                return r;

        if (copyup && (r = copy_up(rfs, dest, under, (o.flags & MS_RDONLY) != 0, ret_error)) < 0)
                return r;

        bool remount = bind && (o.flags & MS_PER_MOUNT);
        if (!remount && !o.propagation && !o.recursive_ro)
                return 0;

        /* dst still names the directory under the new mount; the lookup again finds its root. */
        _cleanup_close_ int top = -EBADF;
        r = open_in_root(rfs->root_fd, dest, O_PATH, 0, &top);
        if (r < 0)
                return errmsg(ret_error, r, "look up %s after mounting it", dest);
        proc_fd_path(top, dst_path);

        /* MS_BIND ignores every other flag: "ro", "nosuid", ... need a remount of the bind. */
        if (remount && (r = remount_bind(top, dst_path, o.flags, o.clear_flags)) < 0)
                return errmsg(ret_error, r, "remount %s with its options", dest);
        if (o.propagation && mount(NULL, dst_path, NULL, o.propagation, NULL) < 0)
                return errmsg(ret_error, -errno, "set the propagation of %s", dest);
        if (o.recursive_ro) {
                struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
                if (mount_setattr(top, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
                        return errmsg(ret_error, -errno, "make %s recursively read-only (rro needs Linux 5.12)", dest);
        }
        return 0;
}

/* Only a /dev that is our own tmpfs gets the default nodes: the last mount on /dev decides. */
static int config_dev_is_tmpfs(const OciConfig *c, bool *ret) {
        bool tmpfs = false;
        for (size_t i = 0; i < c->n_mounts; i++) {
                _cleanup_free_ char *d = NULL;
                if (path_simplify(c->mounts[i].destination, &d) < 0)
                        return -ENOMEM;
                if (strcmp(d, "/dev") == 0)
                        tmpfs = streq_ptr(c->mounts[i].type, "tmpfs");
        }
        *ret = tmpfs;
        return 0;
}

static int populate_dev(const Rootfs *rfs, char **ret_error) {
        _cleanup_close_ int dev = -EBADF;
        long type = 0;
        int r = open_in_root(rfs->root_fd, "/dev", O_PATH | O_DIRECTORY, 0, &dev);
        if (r < 0)
                return errmsg(ret_error, r, "open /dev");
        /* Never create nodes in something that is not the fresh tmpfs, such as a host dir. */
        if ((r = fs_type(dev, &type)) < 0)
                return errmsg(ret_error, r, "stat /dev");
        if (type != TMPFS_MAGIC)
                return errmsg_plain(ret_error, -EINVAL, "/dev resolves to something other than its tmpfs mount");
        return devices_populate(dev, rfs->new_userns, ret_error);
}

/* linux.devices go into our tmpfs /dev, or into the image's own /dev directory; never into a
 * /dev some other mount put there (the host's /dev bound in, say). */
static int create_config_devices(const Rootfs *rfs, bool dev_tmpfs, const OciConfig *c, char **ret_error) {
        if (!dev_tmpfs) {
                _cleanup_close_ int dev = -EBADF;
                struct stat root_st, dev_st;
                int r = mkdir_p_in_root(rfs->root_fd, "/dev", 0755, &dev);
                if (r < 0)
                        return errmsg(ret_error, r, "linux.devices: open /dev");
                if (fstat(rfs->root_fd, &root_st) < 0 || fstat(dev, &dev_st) < 0)
                        return errmsg(ret_error, -errno, "linux.devices: stat /dev");
                if (root_st.st_dev != dev_st.st_dev)
                        return errmsg_plain(ret_error, -EINVAL,
                                            "linux.devices: /dev is a mount that is not a tmpfs of the config");
        }
        return devices_create(rfs->root_fd, c->devices, c->n_devices, rfs->new_userns, ret_error);
}

/* rootfs_setup() from the rootfs's fd on: the mounts, /dev, the switch. */
static int rootfs_setup_mounts(const OciConfig *c, const RootfsOptions *o, Rootfs *rfs, char **ret_error) {
        bool dev_tmpfs;
        int r;

        rfs->bundle_fd = open(o->bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rfs->bundle_fd < 0)
                return errmsg(ret_error, -errno, "open the bundle %s", o->bundle);

        for (size_t i = 0; i < c->n_mounts; i++)
                if ((r = mount_one(rfs, c->mounts + i, o->mount_fds ? o->mount_fds[i] : -EBADF, ret_error)) < 0)
                        return r;

        for (size_t i = 0; i < o->n_extra_mounts; i++)
                if ((r = mount_one(rfs, o->extra_mounts + i, o->extra_mount_fds ? o->extra_mount_fds[i] : -EBADF,
                                   ret_error)) < 0)
                        return r;

        if (config_dev_is_tmpfs(c, &dev_tmpfs) < 0)
                return errmsg(ret_error, -ENOMEM, "populate /dev");
        if (dev_tmpfs && (r = populate_dev(rfs, ret_error)) < 0)
                return r;
        if (c->n_devices > 0 && (r = create_config_devices(rfs, dev_tmpfs, c, ret_error)) < 0)
                return r;

        if (o->before_switch && (r = o->before_switch(o->userdata, ret_error)) < 0)
                return r;
        return root_switch(rfs->root_fd, o->no_pivot, o->runtime_mount_ns, ret_error);
}

int rootfs_setup(const OciConfig *c, const RootfsOptions *o, char **ret_error) {
        _cleanup_(rootfs_done) Rootfs rfs = { .root_fd = -EBADF, .bundle_fd = -EBADF, .new_userns = o->new_userns,
                                        .new_cgroupns = o->new_cgroupns, .own_cgroups = o->own_cgroups,
                                        .mount_label = o->mount_label };
        unsigned long propagation = MS_SLAVE | MS_REC;
        int r;

        if (o->runtime_mount_ns) {
                if ((r = root_open(o->rootfs, &rfs.root_fd, &rfs.root_path, ret_error)) < 0)
                        return r;
                return rootfs_setup_mounts(c, o, &rfs, ret_error);
        }
        if (c->rootfs_propagation && mount_propagation_from_string(c->rootfs_propagation, &propagation) < 0)
                return errmsg_plain(ret_error, -EINVAL, "linux.rootfsPropagation: unknown propagation \"%s\"",
                                    c->rootfs_propagation);
        /* An unbindable "/" could not be bound as the rootfs, nor anything below it as a bind
         * source: those are applied by rootfs_finalize(), once the mounts are made, and the
         * setup runs with the default. */
        const char *setup_name = c->rootfs_propagation ?: "rslave";
        if (propagation & MS_UNBINDABLE) {
                propagation = MS_SLAVE | MS_REC;
                setup_name = "rslave";
        }
        /* Our mounts must not reach the host. rslave still lets the host's unmounts reach us,
         * so that a volume the host takes away does not stay busy in here. */
        if (mount(NULL, "/", NULL, propagation, NULL) < 0)
                return errmsg(ret_error, -errno, "make / %s", setup_name);
        /* Not only for "shared": "private" or "slave" (not recursive) leave the host's shared
         * mounts below "/" shared, and the rootfs may live on one of them. */
        r = root_parent_unshare(o->rootfs, (propagation & MS_SHARED) ? MS_PRIVATE : MS_SLAVE, ret_error);
        if (r < 0)
                return r;

        r = root_bind(o->rootfs, &rfs.root_fd, &rfs.root_path, ret_error);
        if (r < 0)
                return r;
        return rootfs_setup_mounts(c, o, &rfs, ret_error);
}

/* After the switch, "/proc/self/fd/N" is only there if the config mounted a proc on /proc.
 * Without one the path itself will do: it resolves inside the new root anyway, and no process
 * of the container exists yet to swap it. */
static void finalize_target(bool proc_fd, int fd, const char *path, char buf[static PATH_MAX]) {
        if (proc_fd)
                proc_fd_path(fd, buf);
        else
                snprintf(buf, PATH_MAX, "%s", path);
}

static int readonly_path(int root_fd, bool proc_fd, const char *path, char **ret_error) {
        char target[PATH_MAX];
        _cleanup_close_ int fd = -EBADF, top = -EBADF;
        int r = open_in_root(root_fd, path, O_PATH, 0, &fd);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return errmsg(ret_error, r, "make %s read-only: look it up", path);
        finalize_target(proc_fd, fd, path, target);
        if (mount(target, target, NULL, MS_BIND | MS_REC, NULL) < 0)
                return errmsg(ret_error, -errno, "make %s read-only: bind it onto itself", path);
        r = open_in_root(root_fd, path, O_PATH, 0, &top);
        if (r >= 0) {
                finalize_target(proc_fd, top, path, target);
                r = remount_bind(top, target, MS_LOCKDOWN, 0);
        }
        if (r < 0)
                return errmsg(ret_error, r, "make %s read-only", path);
        return 0;
}

static int mask_path(int root_fd, bool proc_fd, const char *mount_label, int *null_fd, const char *path,
                     char **ret_error) {
        char target[PATH_MAX], null_target[PATH_MAX];
        struct stat st;
        _cleanup_close_ int fd = -EBADF;
        int r = open_in_root(root_fd, path, O_PATH, 0, &fd);
        if (r == -ENOENT)
                return 0;
        if (r < 0 || fstat(fd, &st) < 0)
                return errmsg(ret_error, r < 0 ? r : -errno, "mask %s: look it up", path);
        finalize_target(proc_fd, fd, path, target);

        if (S_ISDIR(st.st_mode)) {
                /* Read-only and empty: the size does not matter. Labelled as the config's other
                 * tmpfs are (runc's maskPath). */
                _cleanup_free_ char *labelled = NULL;
                if (mount_label && mount_data_add_label("size=0,mode=755", mount_label, &labelled) < 0)
                        return -ENOMEM;
                if (mount("tmpfs", target, "tmpfs", MS_LOCKDOWN, labelled ?: "size=0,mode=755") < 0)
                        return errmsg(ret_error, -errno, "mask %s: mount an empty tmpfs on it", path);
                return 0;
        }

        /* The /dev/null we bind comes from the container's /dev: make sure it is the real one
         * and not a file the image put there, or "masking" would expose that file instead. */
        if (*null_fd < 0) {
                _cleanup_close_ int n = -EBADF;
                r = open_in_root(root_fd, "/dev/null", O_PATH, 0, &n);
                if (r < 0)
                        return errmsg(ret_error, r, "mask %s: open /dev/null", path);
                r = device_is_null(n);
                if (r < 0)
                        return errmsg(ret_error, r, "mask %s: stat /dev/null", path);
                if (r == 0)
                        return errmsg_plain(ret_error, -ENODEV, "mask %s: /dev/null is not the null device 1:3", path);
                *null_fd = TAKE_FD(n);
        }
        finalize_target(proc_fd, *null_fd, "/dev/null", null_target);
        if (mount(null_target, target, NULL, MS_BIND, NULL) < 0)
                return errmsg(ret_error, -errno, "mask %s: bind /dev/null on it", path);
        return 0;
}

int rootfs_finalize(const OciConfig *c, const char *mount_label, char **ret_error) {
        _cleanup_close_ int root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int null_fd = -EBADF;
        struct statfs sf;
        int r;

        if (root_fd < 0)
                return errmsg(ret_error, -errno, "open /");
        bool proc_fd = statfs("/proc/self/fd", &sf) >= 0 && sf.f_type == PROC_SUPER_MAGIC;

        /* runc's order: read-only first, then masks, which a recursive read-only bind of a
         * parent would otherwise copy along anyway. */
        for (char **p = c->readonly_paths; p && *p; p++)
                if ((r = readonly_path(root_fd, proc_fd, *p, ret_error)) < 0)
                        return r;
        for (char **p = c->masked_paths; p && *p; p++)
                if ((r = mask_path(root_fd, proc_fd, mount_label, &null_fd, *p, ret_error)) < 0)
                        return r;

        if (c->root_readonly) {
                /* root_fd was opened before the binds above: "/" itself is still its mount. */
                char target[PATH_MAX];
                finalize_target(proc_fd, root_fd, "/", target);
                r = remount_bind(root_fd, target, MS_RDONLY, 0);
                if (r < 0)
                        return errmsg(ret_error, r, "make / read-only");
        }

        if (c->rootfs_propagation) {
                unsigned long propagation;
                if (mount_propagation_from_string(c->rootfs_propagation, &propagation) < 0)
                        return errmsg_plain(ret_error, -EINVAL, "linux.rootfsPropagation: unknown propagation \"%s\"",
                                            c->rootfs_propagation);
                if (mount(NULL, "/", NULL, propagation, NULL) < 0)
                        return errmsg(ret_error, -errno, "make / %s", c->rootfs_propagation);
        }
        return 0;
}
