/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's root itself (root-switch.h): unsharing the mount it lives on, binding or
 * opening it, switching into it. Runs in the init between fork and execve: libc only. */

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errmsg.h"
#include "fd-util.h"
#include "path-util.h"
#include "root-switch.h"

/* pivot_root(2) refuses a shared parent mount, and a bind below a shared one would reach the
 * host's mounts: make the mount the rootfs lives on unshared, as runc and crun do. EINVAL: not a
 * mount point, so go up. flag is MS_PRIVATE where rootfsPropagation made "/" shared; else
 * MS_SLAVE, which only cuts our side: the host's unmounts still reach us (a no-op on a mount
 * that is slave or private already). */
int root_parent_unshare(const char *rootfs, unsigned long flag, char **ret_error) {
        _cleanup_free_ char *p = strdup(rootfs);
        if (!p)
                return errmsg(ret_error, -ENOMEM, "make the rootfs's parent mount %s", flag == MS_PRIVATE ? "private" : "slave");
        for (;;) {
                if (mount(NULL, p, NULL, flag, NULL) >= 0)
                        return 0;
                if (errno != EINVAL || strcmp(p, "/") == 0)
                        return errmsg(ret_error, -errno, "make the mount of %s %s", p, flag == MS_PRIVATE ? "private" : "slave");
                char *slash = strrchr(p, '/');
                if (slash == p)
                        slash[1] = 0;
                else
                        *slash = 0;
        }
}

/* The canonical path of what fd names, as a new string. */
static int fd_canonical_path(int fd, char **ret) {
        char link[PROC_FD_PATH_MAX], canonical[PATH_MAX];
        proc_fd_path(fd, link);
        ssize_t n = readlink(link, canonical, sizeof(canonical) - 1);
        if (n < 0)
                return -errno;
        canonical[n] = 0;
        char *copy = strdup(canonical);
        if (!copy)
                return -ENOMEM;
        *ret = copy;
        return 0;
}

int root_bind(const char *rootfs, int *ret_fd, char **ret_root_path, char **ret_error) {
        char path[PROC_FD_PATH_MAX];
        struct stat before, after;

        _cleanup_close_ int under = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (under < 0 || fstat(under, &before) < 0)
                return errmsg(ret_error, -errno, "open the rootfs %s", rootfs);
        proc_fd_path(under, path);
        /* pivot_root wants a mount point, and this bind is what the container's "/" will be. */
        if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
                return errmsg(ret_error, -errno, "bind the rootfs %s onto itself", rootfs);
        _cleanup_free_ char *canonical = NULL;
        int r = fd_canonical_path(under, &canonical);
        if (r < 0)
                return errmsg(ret_error, r, "resolve the rootfs %s", rootfs);

        _cleanup_close_ int top = open(canonical, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (top < 0 || fstat(top, &after) < 0)
                return errmsg(ret_error, -errno, "open the rootfs %s", rootfs);
        if (before.st_dev != after.st_dev || before.st_ino != after.st_ino)
                return errmsg_plain(ret_error, -EBUSY, "the rootfs %s changed while binding it", rootfs);
        *ret_fd = TAKE_FD(top);
        *ret_root_path = TAKE_PTR(canonical);
        return 0;
}

/* Nothing to bind, and nothing there may change: pivot_root or MS_MOVE would move the host's
 * own root. */
int root_open(const char *rootfs, int *ret_fd, char **ret_root_path, char **ret_error) {
        _cleanup_close_ int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return errmsg(ret_error, -errno, "open the rootfs %s", rootfs);
        _cleanup_free_ char *canonical = NULL;
        int r = fd_canonical_path(fd, &canonical);
        if (r < 0)
                return errmsg(ret_error, r, "resolve the rootfs %s", rootfs);
        *ret_fd = TAKE_FD(fd);
        *ret_root_path = TAKE_PTR(canonical);
        return 0;
}

int root_switch(int root_fd, bool no_pivot, bool chroot_only, char **ret_error) {
        if (fchdir(root_fd) < 0)
                return errmsg(ret_error, -errno, "chdir to the rootfs");

        if (chroot_only) {
                if (chroot(".") < 0)
                        return errmsg(ret_error, -errno, "chroot into the rootfs");
        } else if (no_pivot) {
                /* For ramfs roots, where pivot_root is impossible. Weaker: the old root
                 * stays reachable for whoever can chroot again. */
                if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
                        return errmsg(ret_error, -errno, "move the rootfs onto /");
                if (chroot(".") < 0)
                        return errmsg(ret_error, -errno, "chroot into the rootfs");
        } else {
                _cleanup_close_ int old_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (old_root < 0)
                        return errmsg(ret_error, -errno, "open the old root");
                /* pivot_root(".", "."): the old root ends up stacked on the new one, with no
                 * directory needed inside the rootfs to park it in. */
                if (syscall(SYS_pivot_root, ".", ".") < 0)
                        return errmsg(ret_error, -errno, "pivot_root into the rootfs");
                if (fchdir(old_root) < 0)
                        return errmsg(ret_error, -errno, "chdir to the old root");
                /* rslave first, or the detach below would propagate back to the host. */
                if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                        return errmsg(ret_error, -errno, "make the old root rslave");
                if (umount2(".", MNT_DETACH) < 0)
                        return errmsg(ret_error, -errno, "detach the old root");
        }
        if (chdir("/") < 0)
                return errmsg(ret_error, -errno, "chdir to /");
        return 0;
}

