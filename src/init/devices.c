/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The nodes and symlinks every container finds in its /dev, as runc makes them. Only in a
 * /dev of our own (a tmpfs from the config): a /dev that comes from the rootfs or from a bind
 * is the config's business. libc only. */

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "errmsg.h"
#include "fd-util.h"
#include "path-util.h"
#include "devices.h"

static const struct {
        const char *name;
        unsigned major, minor;
} default_devices[] = {
        { "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
        { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

/* No /dev/core -> /proc/kcore (runc makes one): the default config masks /proc/kcore, and
 * nothing a container runs needs a second name for the kernel's memory. */
static const struct {
        const char *name, *target;
} default_symlinks[] = {
        { "fd", "/proc/self/fd" },
        { "stdin", "/proc/self/fd/0" },
        { "stdout", "/proc/self/fd/1" },
        { "stderr", "/proc/self/fd/2" },
        /* The devpts mounted with newinstance at /dev/pts has its own ptmx. */
        { "ptmx", "pts/ptmx" },
};

int device_is_null(int fd) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        return S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3;
}

static int device_mknod(int dev_fd, const char *name, dev_t dev, char **ret_error) {
        /* Without this the nodes would get whatever umask our caller happened to have. */
        mode_t saved = umask(0);
        int r = mknodat(dev_fd, name, S_IFCHR | 0666, dev);
        umask(saved);
        if (r < 0 && errno != EEXIST)
                return errmsg(ret_error, -errno, "mknod /dev/%s", name);
        return 0;
}

/* A user namespace may not create device nodes (and the kernel would not honour them on its
 * tmpfs anyway): bind the host's instead, after checking that it is the node we mean. */
static int device_bind(int dir_fd, const char *name, const char *host, mode_t type, dev_t dev, char **ret_error) {
        char src_path[PROC_FD_PATH_MAX], dst_path[PROC_FD_PATH_MAX];
        struct stat st;

        _cleanup_close_ int src = open(host, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (src < 0)
                return errmsg(ret_error, -errno, "open the host's %s", host);
        if (fstat(src, &st) < 0)
                return errmsg(ret_error, -errno, "stat the host's %s", host);
        if ((st.st_mode & S_IFMT) != type || st.st_rdev != dev)
                return errmsg_plain(ret_error, -ENODEV, "the host's %s is not the %s device %u:%u", host,
                                    type == S_IFBLK ? "block" : "character", major(dev), minor(dev));

        _cleanup_close_ int dst = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (dst < 0) {
                if (errno == EEXIST)
                        return 0;
                return errmsg(ret_error, -errno, "create %s in the container", host);
        }
        proc_fd_path(src, src_path);
        proc_fd_path(dst, dst_path);
        if (mount(src_path, dst_path, NULL, MS_BIND, NULL) < 0)
                return errmsg(ret_error, -errno, "bind the host's %s on %s in the container", host, host);
        return 0;
}

int devices_populate(int dev_fd, bool bind_from_host, char **ret_error) {
        int r;

        for (size_t i = 0; i < ELEMENTSOF(default_devices); i++) {
                dev_t dev = makedev(default_devices[i].major, default_devices[i].minor);
                char host[64];
                snprintf(host, sizeof(host), "/dev/%s", default_devices[i].name);
                r = bind_from_host ? device_bind(dev_fd, default_devices[i].name, host, S_IFCHR, dev, ret_error)
                                   : device_mknod(dev_fd, default_devices[i].name, dev, ret_error);
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < ELEMENTSOF(default_symlinks); i++)
                if (symlinkat(default_symlinks[i].target, dev_fd, default_symlinks[i].name) < 0 &&
                    errno != EEXIST)
                        return errmsg(ret_error, -errno, "symlink /dev/%s -> %s", default_symlinks[i].name,
                                      default_symlinks[i].target);
        return 0;
}

/* One node of linux.devices. A node already there for the same device (one of the defaults, or
 * from the image) is replaced, so that it gets the config's mode and owner; anything else at
 * that path is an error, as the runtime spec requires. */
static int device_create(int root_fd, const OciDevice *d, bool bind_from_host, char **ret_error) {
        _cleanup_free_ char *parent = strdup(d->path);
        dev_t dev = d->type == S_IFIFO ? 0 : makedev(d->major, d->minor);
        _cleanup_close_ int dir = -EBADF;
        struct stat st;
        int r;

        if (!parent)
                return -ENOMEM;
        char *slash = strrchr(parent, '/');
        const char *name = d->path + (slash - parent) + 1;
        *slash = 0;
        r = mkdir_p_in_root(root_fd, parent, 0755, &dir);
        if (r < 0)
                return errmsg(ret_error, r, "linux.devices: create the directory of %s", d->path);

        if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) >= 0) {
                bool same = (st.st_mode & S_IFMT) == d->type && (d->type == S_IFIFO || st.st_rdev == dev);
                if (!same)
                        return errmsg_plain(ret_error, -EEXIST, "linux.devices: %s exists and is not that device", d->path);
                /* A node bound from the host (user namespace) is the device already. */
                if (bind_from_host && d->type != S_IFIFO)
                        return 0;
                if (unlinkat(dir, name, 0) < 0)
                        return errmsg(ret_error, -errno, "linux.devices: replace %s", d->path);
        } else if (errno != ENOENT)
                return errmsg(ret_error, -errno, "linux.devices: stat %s", d->path);

        /* A user namespace may not make device nodes; FIFOs are fine. */
        if (bind_from_host && d->type != S_IFIFO)
                return device_bind(dir, name, d->path, d->type, dev, ret_error);

        mode_t saved = umask(0);
        r = mknodat(dir, name, d->type | d->file_mode, dev);
        umask(saved);
        if (r < 0)
                return errmsg(ret_error, -errno, "linux.devices: mknod %s", d->path);
        /* Owner and mode through an fd of the node itself, checked to be what we made: the
         * directory may be one that others write to (a volume), and a name swapped for a
         * symlink meanwhile must not have chmod follow it to a file of the host's. */
        _cleanup_close_ int node = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (node < 0 || fstat(node, &st) < 0)
                return errmsg(ret_error, -errno, "linux.devices: open %s", d->path);
        if ((st.st_mode & S_IFMT) != d->type || (d->type != S_IFIFO && st.st_rdev != dev))
                return errmsg_plain(ret_error, -EBUSY, "linux.devices: %s was replaced while it was made", d->path);
        /* chown first: it clears set-id bits that the mode may ask for. */
        if (fchownat(node, "", d->uid, d->gid, AT_EMPTY_PATH) < 0)
                return errmsg(ret_error, -errno, "linux.devices: chown %s to %u:%u", d->path, (unsigned) d->uid,
                              (unsigned) d->gid);
        char node_path[PROC_FD_PATH_MAX];
        proc_fd_path(node, node_path);
        if (chmod(node_path, d->file_mode) < 0)
                return errmsg(ret_error, -errno, "linux.devices: chmod %s to %04o", d->path, (unsigned) d->file_mode);
        return 0;
}

int devices_create(int root_fd, const OciDevice *devices, size_t n, bool bind_from_host, char **ret_error) {
        for (size_t i = 0; i < n; i++) {
                int r = device_create(root_fd, devices + i, bind_from_host, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}
