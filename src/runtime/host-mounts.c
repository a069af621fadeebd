/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mounts a container without a mount namespace of its own left in ours (host-mounts.h):
 * found in /proc/self/mountinfo, detached deepest first. */

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "errmsg.h"
#include "fd-util.h"
#include "host-mounts.h"
#include "log.h"
#include "path-util.h"

/* mountinfo's octal escapes (" " is "\040"), in place. */
static void unescape(char *s) {
        char *w = s;
        for (char *r = s; *r;) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
                    r[3] <= '7') {
                        *w++ = (char) ((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 4;
                } else
                        *w++ = *r++;
        }
        *w = 0;
}

/* Detaches the mount with this id at rel beneath root_fd, if that is still what is there.
 * 0 also when it is gone already (with a parent detached before it). */
static int release_one(int root_fd, const char *rel, uint64_t id) {
        _cleanup_close_ int fd = -EBADF;
        struct statx stx;
        char path[PROC_FD_PATH_MAX];
        int r = open_in_root(root_fd, rel, O_PATH | O_NOFOLLOW, 0, &fd);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0)
                return -errno;
        if (!(stx.stx_mask & STATX_MNT_ID) || stx.stx_mnt_id != id)
                return 0; /* something else is there now: not ours to detach */
        proc_fd_path(fd, path);
        if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL)
                return -errno;
        return 0;
}

int host_mounts_release(const char *rootfs, char **ret_error) {
        char link[PROC_FD_PATH_MAX], root[PATH_MAX];
        _cleanup_close_ int root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return errno == ENOENT ? 0 : errmsg(ret_error, -errno, "open the rootfs %s", rootfs);
        proc_fd_path(root_fd, link);
        ssize_t n = readlink(link, root, sizeof(root) - 1);
        if (n < 0)
                return errmsg(ret_error, -errno, "resolve the rootfs %s", rootfs);
        root[n] = 0;

        _cleanup_free_ char *info = NULL;
        int r = read_file_at(AT_FDCWD, "/proc/self/mountinfo", 1U << 24, &info, NULL);
        if (r < 0)
                return errmsg(ret_error, r, "read /proc/self/mountinfo");

        /* The lines, each cut at its end, in order: children come after their parents. */
        size_t n_lines = 0;
        for (char *l = info; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
                n_lines++;
        _cleanup_free_ char **lines = calloc(n_lines + 1, sizeof(char *));
        if (!lines)
                return errmsg(ret_error, -ENOMEM, "allocate");
        n_lines = 0;
        for (char *l = info; *l;) {
                char *nl = strchr(l, '\n');
                lines[n_lines++] = l;
                if (!nl)
                        break;
                *nl = 0;
                l = nl + 1;
        }

        int first = 0;
        while (n_lines > 0) {
                char *l = lines[--n_lines];
                unsigned long long id;
                char mp[PATH_MAX];
                /* id parent major:minor root mountpoint ... */
                if (sscanf(l, "%llu %*u %*s %*s %4095s", &id, mp) != 2)
                        continue;
                unescape(mp);
                const char *rel = path_startswith(mp, root);
                if (!rel || *rel == 0)
                        continue;
                r = release_one(root_fd, rel, id);
                /* Going on past a failure: the rest still goes; the first one is returned. */
                if (r < 0 && first < 0)
                        log_warning("detach the container's mount %s: %s", mp, strerror(-r));
                else if (r < 0)
                        first = errmsg(ret_error, r, "detach the container's mount %s", mp);
        }
        return first;
}
