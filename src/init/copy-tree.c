/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The "tmpcopyup" mount option's copy: what the image has under a mount point, copied into the
 * tmpfs mounted on it, as runc and crun do (podman's --read-only mounts /tmp, /run and /var/tmp
 * so). Every lookup is relative to an open directory with O_NOFOLLOW: a symlink in the image is
 * copied as a symlink, never followed out of the rootfs. Runs in the init: libc only. */

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copy-tree.h"
#include "errmsg.h"
#include "fd-util.h"

/* Deeper trees are refused rather than copied with one fd per level held open. */
#define COPY_DEPTH_MAX 64

static int copy_attrs(int dir, const char *name, int fd, const struct stat *st) {
        struct timespec times[2] = { st->st_atim, st->st_mtim };

        if (fd >= 0) {
                if (fchown(fd, st->st_uid, st->st_gid) < 0 || fchmod(fd, st->st_mode & 07777) < 0 ||
                    futimens(fd, times) < 0)
                        return -errno;
                return 0;
        }
        if (fchownat(dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        if (!S_ISLNK(st->st_mode) && fchmodat(dir, name, st->st_mode & 07777, 0) < 0)
                return -errno;
        if (utimensat(dir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        return 0;
}

static int copy_file(int src, int dst) {
        char buf[65536];

        for (;;) {
                ssize_t n = read(src, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return 0;
                for (ssize_t off = 0; off < n;) {
                        ssize_t w = write(dst, buf + off, n - off);
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0)
                                return -errno;
                        off += w;
                }
        }
}

static int copy_entry(int src_dir, int dst_dir, const char *name, unsigned depth, char **ret_error);

static int copy_dir(int src_dir, int dst_dir, unsigned depth, char **ret_error) {
        int fd = fcntl(src_dir, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return errmsg(ret_error, -errno, "duplicate a directory fd");
        DIR *d = fdopendir(fd);
        if (!d) {
                int r = -errno;
                close(fd);
                return errmsg(ret_error, r, "read a directory");
        }
        int r = 0;
        for (;;) {
                errno = 0;
                struct dirent *de = readdir(d);
                if (!de) {
                        if (errno != 0)
                                r = errmsg(ret_error, -errno, "read a directory");
                        break;
                }
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                r = copy_entry(src_dir, dst_dir, de->d_name, depth, ret_error);
                if (r < 0)
                        break;
        }
        closedir(d);
        return r;
}

static int copy_entry(int src_dir, int dst_dir, const char *name, unsigned depth, char **ret_error) {
        _cleanup_close_ int src = -EBADF, dst = -EBADF;
        struct stat st;
        int r;

        if (fstatat(src_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errmsg(ret_error, -errno, "stat %s", name);

        if (S_ISDIR(st.st_mode)) {
                if (depth >= COPY_DEPTH_MAX)
                        return errmsg_plain(ret_error, -ELOOP, "%s: deeper than %d directories", name,
                                            COPY_DEPTH_MAX);
                if (mkdirat(dst_dir, name, 0700) < 0 && errno != EEXIST)
                        return errmsg(ret_error, -errno, "create directory %s", name);
                src = openat(src_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                dst = openat(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (src < 0 || dst < 0)
                        return errmsg(ret_error, -errno, "open directory %s", name);
                r = copy_dir(src, dst, depth + 1, ret_error);
                if (r < 0)
                        return r;
        } else if (S_ISREG(st.st_mode)) {
                src = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
                if (src < 0)
                        return errmsg(ret_error, -errno, "open %s", name);
                dst = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (dst < 0)
                        return errmsg(ret_error, -errno, "create %s", name);
                r = copy_file(src, dst);
                if (r < 0)
                        return errmsg(ret_error, r, "copy %s", name);
        } else if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t n = readlinkat(src_dir, name, target, sizeof(target) - 1);
                if (n < 0)
                        return errmsg(ret_error, -errno, "read symlink %s", name);
                target[n] = 0;
                if (symlinkat(target, dst_dir, name) < 0)
                        return errmsg(ret_error, -errno, "create symlink %s", name);
        } else if (mknodat(dst_dir, name, st.st_mode & (S_IFMT | 0600), st.st_rdev) < 0)
                return errmsg(ret_error, -errno, "create node %s", name);

        r = copy_attrs(dst_dir, name, dst, &st);
        if (r < 0)
                return errmsg(ret_error, r, "set the owner, mode and times of %s", name);
        return 0;
}

int copy_tree(int src_dir, int dst_dir, char **ret_error) {
        struct stat st;
        int r;

        r = copy_dir(src_dir, dst_dir, 0, ret_error);
        if (r < 0)
                return r;
        /* The top too, as runc: the image's /run stays 0755 on the tmpfs (not tmpfs's 1777). */
        if (fstat(src_dir, &st) < 0)
                return errmsg(ret_error, -errno, "stat the directory copied");
        r = copy_attrs(-EBADF, NULL, dst_dir, &st);
        if (r < 0)
                return errmsg(ret_error, r, "set the owner, mode and times of the copy");
        return 0;
}
