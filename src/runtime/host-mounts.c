/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mounts a container without a mount namespace of its own left in ours (host-mounts.h):
 * found in /proc/self/mountinfo, detached deepest first. */

#include <fcntl.h>
#include <stdbool.h>
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

/* The mounts strictly below rootfs in our mountinfo, in its order (parents before children):
 * their ids and mount points. *ret_root_fd and *ret_root: the rootfs, opened and resolved. */
typedef struct BelowRoot {
        char *info;
        char **lines; /* into info */
        size_t n;
        int root_fd;
        char root[PATH_MAX];
} BelowRoot;

static void below_root_done(BelowRoot *b) {
        free(b->info);
        free(b->lines);
        safe_close(b->root_fd);
}

/* 0, 1 with nothing to do (no rootfs any more), or -errno with the message. */
static int below_root_read(const char *rootfs, BelowRoot *b, char **ret_error) {
        char link[PROC_FD_PATH_MAX];
        *b = (BelowRoot) { .root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC) };
        if (b->root_fd < 0)
                return errno == ENOENT ? 1 : errmsg(ret_error, -errno, "open the rootfs %s", rootfs);
        proc_fd_path(b->root_fd, link);
        ssize_t n = readlink(link, b->root, sizeof(b->root) - 1);
        if (n < 0)
                return errmsg(ret_error, -errno, "resolve the rootfs %s", rootfs);
        b->root[n] = 0;

        int r = read_file_at(AT_FDCWD, "/proc/self/mountinfo", 1U << 24, &b->info, NULL);
        if (r < 0)
                return errmsg(ret_error, r, "read /proc/self/mountinfo");

        /* The lines, each cut at its end, in order: children come after their parents. */
        size_t n_lines = 0;
        for (char *l = b->info; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
                n_lines++;
        b->lines = calloc(n_lines + 1, sizeof(char *));
        if (!b->lines)
                return errmsg(ret_error, -ENOMEM, "allocate");
        for (char *l = b->info; *l;) {
                char *nl = strchr(l, '\n');
                b->lines[b->n++] = l;
                if (!nl)
                        break;
                *nl = 0;
                l = nl + 1;
        }
        return 0;
}

/* Line i's mount id and its mount point relative to the root; false if it is not below it. */
static bool below_root_line(const BelowRoot *b, size_t i, unsigned long long *ret_id, char mp[PATH_MAX],
                            const char **ret_rel) {
        /* id parent major:minor root mountpoint ... */
        if (sscanf(b->lines[i], "%llu %*u %*s %*s %4095s", ret_id, mp) != 2)
                return false;
        unescape(mp);
        const char *rel = path_startswith(mp, b->root);
        if (!rel || *rel == 0)
                return false;
        *ret_rel = rel;
        return true;
}

int host_mounts_snapshot(const char *rootfs, char **ret, char **ret_error) {
        _cleanup_(below_root_done) BelowRoot b = { .root_fd = -EBADF };
        int r = below_root_read(rootfs, &b, ret_error);
        if (r < 0)
                return r;
        _cleanup_free_ char *text = strdup("");
        if (!text)
                return errmsg(ret_error, -ENOMEM, "allocate");
        for (size_t i = 0; i < b.n; i++) {
                unsigned long long id;
                char mp[PATH_MAX];
                const char *rel;
                if (!below_root_line(&b, i, &id, mp, &rel))
                        continue;
                char *more = NULL;
                if (asprintf(&more, "%s%llu\n", text, id) < 0)
                        return errmsg(ret_error, -ENOMEM, "allocate");
                free(text);
                text = more;
        }
        *ret = TAKE_PTR(text);
        return 0;
}

static bool id_listed(const char *list, unsigned long long id) {
        for (const char *l = list; l && *l;) {
                char *end;
                unsigned long long v = strtoull(l, &end, 10);
                if (end != l && v == id)
                        return true;
                const char *nl = strchr(l, '\n');
                if (!nl)
                        break;
                l = nl + 1;
        }
        return false;
}

int host_mounts_release(const char *rootfs, const char *kept, char **ret_error) {
        _cleanup_(below_root_done) BelowRoot b = { .root_fd = -EBADF };
        int r = below_root_read(rootfs, &b, ret_error);
        if (r != 0)
                return r < 0 ? r : 0;

        int first = 0;
        for (size_t i = b.n; i > 0; i--) {
                unsigned long long id;
                char mp[PATH_MAX];
                const char *rel;
                if (!below_root_line(&b, i - 1, &id, mp, &rel) || id_listed(kept, id))
                        continue;
                r = release_one(b.root_fd, rel, id);
                /* Going on past a failure: the rest still goes; the first one is returned. */
                if (r < 0 && first < 0)
                        log_warning("detach the container's mount %s: %s", mp, strerror(-r));
                else if (r < 0)
                        first = errmsg(ret_error, r, "detach the container's mount %s", mp);
        }
        return first;
}
