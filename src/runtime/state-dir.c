/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state directory layout and its lock. */

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "log.h"
#include "parse-util.h"
#include "strv.h"
#include "state-dir.h"

StateDir *state_dir_free(StateDir *d) {
        if (!d)
                return NULL;
        safe_close(d->dir_fd);
        safe_close(d->root_fd);
        free(d->root);
        free(d->id);
        free(d->path);
        free(d);
        return NULL;
}

int state_root_default(char **ret) {
        if (geteuid() == 0)
                return (*ret = strdup(STATE_ROOT_SYSTEM)) ? 0 : -ENOMEM;
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        if (!xdg || xdg[0] != '/')
                return -ENXIO;
        return asprintf(ret, "%s/ctr-launch", xdg) < 0 ? -ENOMEM : 0;
}

/* The state root as opened: a root process takes only root's (see container_root). */
static int check_root_owner(int fd) {
        struct stat st;
        if (geteuid() != 0)
                return 0;
        if (fstat(fd, &st) < 0)
                return -errno;
        return st.st_uid == 0 ? 0 : -EPERM;
}

static int mkdir_parents_and_open(const char *path, int *ret_fd) {
        /* The root is ours: create it (and missing parents) private. Existing parents keep
         * their modes. */
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = 0;
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        if (mkdir(p, 0700) < 0 && errno != EEXIST)
                return -errno;
        int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = check_root_owner(fd);
        if (r < 0) {
                safe_close(fd);
                return r;
        }
        *ret_fd = fd;
        return 0;
}

static StateDir *state_dir_new(const char *root, const char *id) {
        StateDir *d = calloc(1, sizeof(*d));
        if (!d)
                return NULL;
        d->root_fd = d->dir_fd = -EBADF;
        d->root = strdup(root);
        d->id = strdup(id);
        if (!d->root || !d->id || asprintf(&d->path, "%s/%s", root, id) < 0)
                return state_dir_free(d);
        return d;
}

int state_dir_create(const char *root, const char *id, StateDir **ret) {
        _cleanup_state_dir_ StateDir *d = state_dir_new(root, id);
        if (!d)
                return -ENOMEM;
        int r = mkdir_parents_and_open(root, &d->root_fd);
        if (r < 0)
                return r;

        /* Build it under a hidden name, lock it, then rename it into place with NOREPLACE:
         * concurrent creates of one id race on the rename, and exactly one wins. Hidden names
         * start with '.', which no valid id does. */
        uint64_t rnd;
        if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
                return -errno;
        char tmp[64];
        snprintf(tmp, sizeof(tmp), ".new-%016llx", (unsigned long long) rnd);
        if (mkdirat(d->root_fd, tmp, 0700) < 0)
                return -errno;
        d->dir_fd = openat(d->root_fd, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (d->dir_fd < 0 || flock(d->dir_fd, LOCK_EX) < 0 ||
            renameat2(d->root_fd, tmp, d->root_fd, id, RENAME_NOREPLACE) < 0) {
                r = -errno;
                (void) unlinkat(d->root_fd, tmp, AT_REMOVEDIR);
                return r;
        }
        *ret = TAKE_PTR(d);
        return 0;
}

/* Whether the directory fd is still the one named id in root_fd. */
static bool still_named(int root_fd, const char *id, int dir_fd) {
        struct stat a, b;
        return fstat(dir_fd, &a) >= 0 && fstatat(root_fd, id, &b, AT_SYMLINK_NOFOLLOW) >= 0 && a.st_dev == b.st_dev &&
               a.st_ino == b.st_ino;
}

int state_dir_open(const char *root, const char *id, int lock_op, StateDir **ret, bool *ret_busy) {
        _cleanup_state_dir_ StateDir *d = state_dir_new(root, id);
        if (!d)
                return -ENOMEM;
        d->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (d->root_fd < 0)
                return -errno;
        int k = check_root_owner(d->root_fd);
        if (k < 0)
                return k;
        d->dir_fd = openat(d->root_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (d->dir_fd < 0)
                return errno == ENOTDIR || errno == ELOOP ? -ENOENT : -errno;

        bool busy = false;
        if (flock(d->dir_fd, lock_op) < 0) {
                if (errno != EWOULDBLOCK || !(lock_op & LOCK_NB))
                        return -errno;
                busy = true;
        }
        /* A delete that held the lock while we waited leaves us an unlinked directory, or
         * one under a hidden name (state_dir_remove()). */
        if (!still_named(d->root_fd, id, d->dir_fd))
                return -ENOENT;

        if (ret_busy)
                *ret_busy = busy;
        *ret = TAKE_PTR(d);
        return 0;
}

/* Removes name in dir if it is a file or an empty directory (1), leaves a directory with something
 * in it (0), or -errno. */
static int remove_entry(int dir, const char *name) {
        if (unlinkat(dir, name, 0) >= 0 || errno == ENOENT)
                return 1;
        if (errno != EISDIR)
                return -errno;
        if (unlinkat(dir, name, AT_REMOVEDIR) >= 0 || errno == ENOENT)
                return 1;
        return errno == ENOTEMPTY || errno == EEXIST ? 0 : -errno;
}

/* A directory stream of dir_fd from its start: an open file description of its own (a dup would
 * share the offset, at the end after a first pass). */
static int open_dir_stream(int dir_fd, DIR **ret) {
        _cleanup_close_ int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        DIR *dir = fdopendir(fd);
        if (!dir)
                return -errno;
        TAKE_FD(fd);
        *ret = dir;
        return 0;
}

/* Moves what is in sub up into top: files go, empty directories go, the others are renamed
 * into top under hidden names, so that nothing below sub is ever more than one level down. */
static int move_up(int top, int sub, uint64_t *counter) {
        _cleanup_closedir_ DIR *dir = NULL;
        int r = open_dir_stream(sub, &dir);
        if (r < 0)
                return r;
        struct dirent *de;
        while ((errno = 0, de = readdir(dir))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if ((r = remove_entry(sub, de->d_name)) != 0) {
                        if (r < 0)
                                return r;
                        continue;
                }
                for (;;) {
                        char name[64];
                        snprintf(name, sizeof(name), ".rm-%" PRIu64, (*counter)++);
                        if (renameat2(sub, de->d_name, top, name, RENAME_NOREPLACE) >= 0)
                                break;
                        if (errno != EEXIST)
                                return -errno;
                }
        }
        return -errno;
}

/* Empties dir_fd however deep its tree is, holding two fds at a time: a container's root could
 * have grown a tree (in notify/, bound into it) deeper than any fd limit or stack would allow a
 * walk down to, and a state dir that cannot be removed keeps its id taken. Each directory found
 * has its own subdirectories moved up into dir_fd before it goes; the passes end when a pass
 * finds nothing left to move. */
static int empty_dir(int dir_fd) {
        uint64_t counter = 0;
        for (bool again = true; again;) {
                _cleanup_closedir_ DIR *dir = NULL;
                int r = open_dir_stream(dir_fd, &dir);
                if (r < 0)
                        return r;
                again = false;
                struct dirent *de;
                while ((errno = 0, de = readdir(dir))) {
                        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                                continue;
                        if ((r = remove_entry(dir_fd, de->d_name)) != 0) {
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        _cleanup_close_ int sub = openat(dir_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub < 0)
                                return -errno;
                        r = move_up(dir_fd, sub, &counter);
                        if (r < 0)
                                return r;
                        again = true;
                }
                if (errno != 0)
                        return -errno;
        }
        return 0;
}

int state_dir_remove(StateDir *d) {
        if (!still_named(d->root_fd, d->id, d->dir_fd))
                return -ESTALE;
        /* The id is free the moment the directory has a hidden name (which no valid id has):
         * whatever happens to the removal of its contents, ctr@ID can start again. */
        uint64_t rnd;
        if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
                return -errno;
        char gone[64];
        snprintf(gone, sizeof(gone), ".gone-%016" PRIx64, rnd);
        if (renameat2(d->root_fd, d->id, d->root_fd, gone, RENAME_NOREPLACE) < 0)
                return -errno;
        int r = empty_dir(d->dir_fd);
        if (r >= 0 && unlinkat(d->root_fd, gone, AT_REMOVEDIR) < 0)
                r = -errno;
        if (r < 0)
                log_warning("the container is deleted, but its state directory stays as %s/%s: %s", d->root, gone,
                            strerror(-r));
        return 0;
}

int write_file_atomic_at(int dir_fd, const char *name, const char *data, size_t len) {
        char tmp[256];
        snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
        _cleanup_close_ int fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        int r = write_all(fd, data, len);
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
                r = -errno;
        if (r < 0)
                (void) unlinkat(dir_fd, tmp, 0);
        return r;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char * const *) a, *(char * const *) b);
}

int state_root_list(const char *root, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        DIR *dir = opendir(root);
        if (!dir) {
                if (errno != ENOENT)
                        return -errno;
                *ret = NULL;
                return 0;
        }
        int k = check_root_owner(dirfd(dir));
        if (k < 0) {
                closedir(dir);
                return k;
        }
        struct dirent *de;
        int r = 0;
        while ((de = readdir(dir)))
                if (container_id_is_valid(de->d_name) && (r = strv_extend(&l, de->d_name)) < 0)
                        break;
        closedir(dir);
        if (r < 0)
                return r;
        if (l)
                qsort(l, strv_length(l), sizeof(char *), cmp_str);
        *ret = TAKE_PTR(l);
        return 0;
}
