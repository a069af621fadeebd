/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* path_check_root_only() (path-owner.h): sshd's StrictModes for what root is about to trust.
 * The walk follows symlinks itself, so that the directory holding each link is checked too:
 * a link in a directory someone else can write is as good as theirs. */

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errmsg.h"
#include "macros.h"
#include "path-owner.h"
#include "path-util.h"

static int check_one(const char *path, const struct stat *st, bool final, uid_t also_owner, char **ret_error) {
        bool link = S_ISLNK(st->st_mode);
        if (st->st_uid != 0 && !(final && !link && also_owner != PATH_OWNER_ANY_OTHER && st->st_uid == also_owner))
                return errmsg_plain(ret_error, -EPERM, "%s is owned by uid %u, not root: chown %sroot %s", path,
                                    (unsigned) st->st_uid, link ? "-h " : "", path);
        if (link || !(st->st_mode & (S_IWGRP | S_IWOTH)))
                return 0;
        if (!final && S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX))
                return 0;
        return errmsg_plain(ret_error, -EPERM, "%s is writable by %s: chmod go-w %s", path,
                            (st->st_mode & S_IWGRP) && (st->st_mode & S_IWOTH) ? "group and others"
                            : st->st_mode & S_IWGRP ? "its group" : "others", path);
}

/* *p = prefix + "/" + rest (rest may start with slashes). */
static int replace_todo(char **todo, const char *prefix, const char *rest) {
        char *n = NULL;
        if (asprintf(&n, "%s/%s", prefix, rest) < 0)
                return -ENOMEM;
        free(*todo);
        *todo = n;
        return 0;
}

int path_check_root_only(const char *path, uid_t also_owner, char **ret_error) {
        if (!path_is_absolute(path))
                return errmsg_plain(ret_error, -EINVAL, "%s: not an absolute path", path);
        struct stat st;
        if (lstat("/", &st) < 0)
                return errmsg(ret_error, -errno, "/");
        int r = check_one("/", &st, false, also_owner, ret_error);
        if (r < 0)
                return r;

        /* done: the resolved directory reached so far, every prefix of it checked. */
        _cleanup_free_ char *done = strdup(""), *todo = strdup(path);
        if (!done || !todo)
                return errmsg(ret_error, -ENOMEM, "allocate");
        unsigned links = 0;
        for (;;) {
                const char *p = todo;
                while (*p == '/')
                        p++;
                if (!*p)
                        return 0;
                size_t n = strcspn(p, "/");
                const char *rest = p + n;
                const char *after = rest;
                while (*after == '/')
                        after++;
                bool final = !*after;

                if (n == 1 && p[0] == '.') {
                        memmove(todo, rest, strlen(rest) + 1);
                        continue;
                }
                if (n == 2 && p[0] == '.' && p[1] == '.') {
                        /* Back to a directory already checked (at "/" it stays). */
                        char *slash = strrchr(done, '/');
                        if (slash)
                                *slash = 0;
                        memmove(todo, rest, strlen(rest) + 1);
                        if (final) {
                                if (lstat(done[0] ? done : "/", &st) < 0)
                                        return errmsg(ret_error, -errno, "%s", done[0] ? done : "/");
                                return check_one(done[0] ? done : "/", &st, true, also_owner, ret_error);
                        }
                        continue;
                }

                _cleanup_free_ char *cand = NULL;
                if (asprintf(&cand, "%s/%.*s", done, (int) n, p) < 0)
                        return errmsg(ret_error, -ENOMEM, "allocate");
                if (lstat(cand, &st) < 0)
                        return errmsg(ret_error, -errno, "%s", cand);
                if ((r = check_one(cand, &st, final, also_owner, ret_error)) < 0)
                        return r;

                if (S_ISLNK(st.st_mode)) {
                        if (++links > PATH_SYMLINKS_MAX)
                                return errmsg(ret_error, -ELOOP, "%s", path);
                        char target[PATH_MAX];
                        ssize_t k = readlink(cand, target, sizeof(target) - 1);
                        if (k < 0)
                                return errmsg(ret_error, -errno, "%s", cand);
                        target[k] = 0;
                        /* An absolute target starts over at "/" (checked); a relative one goes
                         * on from the link's directory. */
                        if (target[0] == '/')
                                done[0] = 0;
                        if (replace_todo(&todo, target, rest) < 0)
                                return errmsg(ret_error, -ENOMEM, "allocate");
                        continue;
                }
                if (!final && !S_ISDIR(st.st_mode))
                        return errmsg(ret_error, -ENOTDIR, "%s", cand);
                free(done);
                done = TAKE_PTR(cand);
                memmove(todo, rest, strlen(rest) + 1);
        }
}
