/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Path strings, and resolution beneath a root fd that never leaves it (the CVE-2021-30465
 * class: a symlink swapped into a mount destination). The kernel does the resolution when it
 * can (openat2); the fallback walk applies the same rules one component at a time. */

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "macros.h"
#include "path-util.h"

bool path_is_absolute(const char *p) {
        return p && p[0] == '/';
}

int path_simplify(const char *p, char **ret) {
        bool absolute = path_is_absolute(p);
        char *out = malloc(strlen(p) + 2);
        if (!out)
                return -ENOMEM;

        size_t len = 0;
        if (absolute)
                out[len++] = '/';
        size_t base = len; /* where the first component starts; ".." never goes below it */

        for (const char *s = p;;) {
                s += strspn(s, "/");
                if (*s == 0)
                        break;
                size_t k = strcspn(s, "/");
                if (k == 1 && s[0] == '.') {
                        s += k;
                        continue;
                }
                if (k == 2 && s[0] == '.' && s[1] == '.') {
                        size_t j = len;
                        while (j > base && out[j - 1] != '/')
                                j--;
                        bool prev_is_dotdot = len - j == 2 && out[j] == '.' && out[j + 1] == '.';
                        if (len > base && !prev_is_dotdot) {
                                len = j > base ? j - 1 : base;
                                s += k;
                                continue;
                        }
                        if (absolute) { /* "/.." is "/" */
                                s += k;
                                continue;
                        }
                        /* a relative path keeps its leading ".." */
                }
                if (len > base)
                        out[len++] = '/';
                memcpy(out + len, s, k);
                len += k;
                s += k;
        }
        if (len == 0)
                out[len++] = '.';
        out[len] = 0;
        *ret = out;
        return 0;
}

const char *path_startswith(const char *path, const char *prefix) {
        if (path_is_absolute(path) != path_is_absolute(prefix))
                return NULL;
        for (;;) {
                path += strspn(path, "/");
                prefix += strspn(prefix, "/");
                if (*prefix == 0)
                        return path;
                if (*path == 0)
                        return NULL;
                size_t a = strcspn(path, "/"), b = strcspn(prefix, "/");
                if (a != b || memcmp(path, prefix, a) != 0)
                        return NULL;
                path += a;
                prefix += b;
        }
}

void proc_fd_path(int fd, char buf[static PROC_FD_PATH_MAX]) {
        snprintf(buf, PROC_FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

/* Returns -ENOSYS on kernels before 5.6 (and under seccomp filters that predate openat2). */
static int openat2_in_root(int root_fd, const char *path, int flags, mode_t mode) {
        struct open_how how = {
                .flags = (uint64_t) (unsigned) (flags | O_CLOEXEC),
                .mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? mode : 0,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        /* EAGAIN: a rename or mount elsewhere raced the lookup and the kernel could not prove
         * that ".." stayed inside the root. Retrying is what the man page asks for. */
        for (unsigned attempt = 0; attempt < 16; attempt++) {
                long fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
                if (fd >= 0)
                        return (int) fd;
                if (errno != EAGAIN)
                        return -errno;
        }
        return -EAGAIN;
}

/* The directories entered below the root, innermost last. ".." pops one: we go back the way
 * we came rather than asking the filesystem, so a directory moved out of the root meanwhile
 * cannot take us with it. */
typedef struct Walk {
        int *fds;
        size_t n, allocated;
} Walk;

static void walk_unwind(Walk *w) {
        while (w->n > 0)
                safe_close(w->fds[--w->n]);
}

static void walk_done(Walk *w) {
        walk_unwind(w);
        free(w->fds);
}

static int walk_push(Walk *w, int fd) {
        if (w->n == w->allocated) {
                size_t m = w->allocated ? w->allocated * 2 : 16;
                int *f = realloc(w->fds, m * sizeof(int));
                if (!f)
                        return -ENOMEM;
                w->fds = f;
                w->allocated = m;
        }
        w->fds[w->n++] = fd;
        return 0;
}

/* The fallback for kernels without openat2. Every component is opened O_PATH|O_NOFOLLOW
 * relative to the previous one; a symlink's target is spliced into the rest of the path and
 * resolved from the root if absolute. /proc magic links are read like plain symlinks: their
 * text is then resolved inside the root too, so they cannot lead out of it either. */
static int walk_in_root(int root_fd, const char *path, int flags, mode_t mode) {
        _cleanup_(walk_done) Walk w = {};
        _cleanup_free_ char *todo = strdup(path);
        unsigned links = 0;
        size_t pos = 0;

        if (!todo)
                return -ENOMEM;

        for (;;) {
                pos += strspn(todo + pos, "/");
                if (todo[pos] == 0)
                        break;

                size_t len = strcspn(todo + pos, "/");
                if (len > NAME_MAX)
                        return -ENAMETOOLONG;
                char name[NAME_MAX + 1];
                memcpy(name, todo + pos, len);
                name[len] = 0;
                pos += len;
                bool trailing_slash = todo[pos] == '/';
                bool last = todo[pos + strspn(todo + pos, "/")] == 0;
                int cur = w.n > 0 ? w.fds[w.n - 1] : root_fd;

                if (strcmp(name, ".") == 0)
                        continue;
                if (strcmp(name, "..") == 0) {
                        if (w.n > 0)
                                safe_close(w.fds[--w.n]);
                        continue;
                }

                _cleanup_close_ int fd = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0) {
                        if (errno == ENOENT && last && (flags & O_CREAT)) {
                                if (trailing_slash)
                                        return -EISDIR;
                                int r = openat(cur, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
                                return r < 0 ? -errno : r;
                        }
                        return -errno;
                }
                struct stat st;
                if (fstat(fd, &st) < 0)
                        return -errno;

                /* As the kernel: O_NOFOLLOW and O_CREAT|O_EXCL stop at a final symlink. */
                bool follow = !(last && !trailing_slash &&
                                ((flags & O_NOFOLLOW) || (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)));
                if (S_ISLNK(st.st_mode) && follow) {
                        if (++links > PATH_SYMLINKS_MAX)
                                return -ELOOP;
                        char target[PATH_MAX];
                        ssize_t k = readlinkat(fd, "", target, sizeof(target));
                        if (k < 0)
                                return -errno;
                        if ((size_t) k >= sizeof(target))
                                return -ENAMETOOLONG;
                        if (k == 0)
                                return -ENOENT;
                        target[k] = 0;

                        char *n = NULL;
                        if (asprintf(&n, "%s%s", target, todo + pos) < 0)
                                return -ENOMEM;
                        free(todo);
                        todo = n;
                        pos = 0;
                        if (target[0] == '/')
                                walk_unwind(&w);
                        continue;
                }

                if (!last) {
                        if (!S_ISDIR(st.st_mode))
                                return -ENOTDIR;
                        int r = walk_push(&w, fd);
                        if (r < 0)
                                return r;
                        TAKE_FD(fd);
                        continue;
                }

                /* The last component, and it is what the caller wants opened. */
                if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
                        return -EEXIST;
                if ((trailing_slash || (flags & O_DIRECTORY)) && !S_ISDIR(st.st_mode))
                        return -ENOTDIR;
                if (flags & O_PATH)
                        return TAKE_FD(fd);
                /* Reopen by name: should it have become a symlink since, O_NOFOLLOW fails. */
                int r = openat(cur, name, (flags & ~O_CREAT) | O_NOFOLLOW | O_CLOEXEC, mode);
                return r < 0 ? -errno : r;
        }

        /* The path ended in the current directory ("", "/", ".", ".."). */
        int cur = w.n > 0 ? w.fds[w.n - 1] : root_fd;
        int r = openat(cur, ".", flags | O_CLOEXEC, mode);
        return r < 0 ? -errno : r;
}

int open_in_root(int root_fd, const char *path, int flags, mode_t mode, int *ret_fd) {
        static bool have_openat2 = true;
        int fd = -ENOSYS;

        if (path[0] == 0)
                path = ".";
        if (have_openat2) {
                fd = openat2_in_root(root_fd, path, flags, mode);
                if (fd == -ENOSYS)
                        have_openat2 = false;
                /* EPERM: a seccomp profile that predates openat2 may answer so. The walk
                 * either works or fails again, for the real reason. */
                if (fd == -ENOSYS || fd == -EPERM)
                        fd = walk_in_root(root_fd, path, flags, mode);
        } else
                fd = walk_in_root(root_fd, path, flags, mode);
        if (fd < 0)
                return fd;
        *ret_fd = fd;
        return 0;
}

static int mkdir_p_internal(int root_fd, const char *path, mode_t mode, bool through_dangling, unsigned links,
                            int *ret_fd) {
        _cleanup_close_ int cur = -EBADF;
        int r = open_in_root(root_fd, ".", O_PATH | O_DIRECTORY, 0, &cur);
        if (r < 0)
                return r;

        /* Each prefix is resolved afresh beneath the root, so a component that is a symlink
         * (even to an absolute path) lands where it would for the container. */
        for (const char *s = path;;) {
                s += strspn(s, "/");
                if (*s == 0)
                        break;
                size_t k = strcspn(s, "/");
                _cleanup_free_ char *parent = strndup(path, (size_t) (s - path));
                _cleanup_free_ char *prefix = strndup(path, (size_t) (s - path) + k);
                _cleanup_free_ char *name = strndup(s, k);
                if (!parent || !prefix || !name)
                        return -ENOMEM;
                s += k;

                _cleanup_close_ int fd = -EBADF;
                r = open_in_root(root_fd, prefix, O_PATH | O_DIRECTORY, 0, &fd);
                if (r == -ENOENT) {
                        /* cur is what prefix's parent resolved to: create the name there. A
                         * name that exists by now (a race, a dangling symlink) is looked up
                         * again and the lookup decides. */
                        if (mkdirat(cur, name, mode) < 0 && errno != EEXIST)
                                return -errno;
                        r = open_in_root(root_fd, prefix, O_PATH | O_DIRECTORY, 0, &fd);
                }
                if (r == -ENOENT && through_dangling) {
                        /* A dangling symlink ("/var/run" -> "/run" in an image without /run):
                         * create what it points to, beneath the root like everything else. */
                        char target[PATH_MAX];
                        ssize_t n = readlinkat(cur, name, target, sizeof(target));
                        if (n <= 0 || (size_t) n >= sizeof(target))
                                return -ENOENT;
                        if (++links > PATH_SYMLINKS_MAX)
                                return -ELOOP;
                        target[n] = 0;
                        _cleanup_free_ char *spliced = NULL;
                        if (asprintf(&spliced, "%s/%s/%s", target[0] == '/' ? "" : parent, target, s) < 0)
                                return -ENOMEM;
                        return mkdir_p_internal(root_fd, spliced, mode, through_dangling, links, ret_fd);
                }
                if (r < 0)
                        return r;
                safe_close(cur);
                cur = TAKE_FD(fd);
        }

        if (ret_fd)
                *ret_fd = TAKE_FD(cur);
        return 0;
}

int mkdir_p_in_root(int root_fd, const char *path, mode_t mode, int *ret_fd) {
        return mkdir_p_internal(root_fd, path, mode, true, 0, ret_fd);
}

int mkdir_p_in_root_no_dangling(int root_fd, const char *path, mode_t mode, int *ret_fd) {
        return mkdir_p_internal(root_fd, path, mode, false, 0, ret_fd);
}

/* Where the dangling symlink dir/name points, as a path to resolve beneath the root: its target
 * spliced onto dir (for a relative one), or NULL if name is not a symlink. */
static char *splice_link_target(int root_fd, const char *dir, const char *name) {
        _cleanup_close_ int dir_fd = -EBADF;
        char target[PATH_MAX];
        if (open_in_root(root_fd, dir, O_PATH | O_DIRECTORY, 0, &dir_fd) < 0)
                return NULL;
        ssize_t n = readlinkat(dir_fd, name, target, sizeof(target));
        if (n <= 0 || (size_t) n >= sizeof(target))
                return NULL;
        target[n] = 0;
        char *spliced = NULL;
        if (asprintf(&spliced, "%s/%s", target[0] == '/' ? "" : dir, target) < 0)
                return NULL;
        return spliced;
}

static int touch_internal(int root_fd, const char *path, mode_t mode, unsigned links, int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;
        int r = open_in_root(root_fd, path, O_PATH, 0, &fd);
        if (r == -ENOENT) {
                size_t end = strlen(path);
                while (end > 0 && path[end - 1] == '/')
                        end--;
                size_t slash = end;
                while (slash > 0 && path[slash - 1] != '/')
                        slash--;
                _cleanup_free_ char *dir = strndup(path, slash);
                if (!dir)
                        return -ENOMEM;
                r = mkdir_p_in_root(root_fd, dir, 0755, NULL);
                if (r < 0)
                        return r;
                /* No O_EXCL: a dangling symlink as the last component creates its target, in
                 * the root. O_NONBLOCK|O_NOCTTY, no O_TRUNC: harmless should a FIFO, a device
                 * or a file with content have appeared meanwhile. */
                _cleanup_close_ int f = -EBADF;
                r = open_in_root(root_fd, path, O_WRONLY | O_CREAT | O_NONBLOCK | O_NOCTTY, mode, &f);
                if (r == -ENOENT) {
                        /* A dangling symlink whose target's directory is missing too ("/etc/x"
                         * -> "/data/x" in an image without /data): make that, beneath the root,
                         * as runc does. */
                        _cleanup_free_ char *name = strndup(path + slash, end - slash);
                        if (!name)
                                return -ENOMEM;
                        _cleanup_free_ char *spliced = splice_link_target(root_fd, dir, name);
                        if (!spliced)
                                return -ENOENT;
                        if (++links > PATH_SYMLINKS_MAX)
                                return -ELOOP;
                        return touch_internal(root_fd, spliced, mode, links, ret_fd);
                }
                if (r < 0 && r != -EEXIST)
                        return r;
                r = open_in_root(root_fd, path, O_PATH, 0, &fd);
        }
        if (r < 0)
                return r;
        if (ret_fd)
                *ret_fd = TAKE_FD(fd);
        return 0;
}

int touch_in_root(int root_fd, const char *path, mode_t mode, int *ret_fd) {
        return touch_internal(root_fd, path, mode, 0, ret_fd);
}
