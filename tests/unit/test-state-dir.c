/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state directory: removal of a tree of any depth (a container could grow one in notify/)
 * frees the id and leaves nothing. */

#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state-dir.h"

static char *make_root(void) {
        char *root = g_dir_make_tmp("ctr-state-XXXXXX", NULL);
        g_assert_nonnull(root);
        return root;
}

static void assert_empty(const char *root) {
        GDir *d = g_dir_open(root, 0, NULL);
        g_assert_nonnull(d);
        const char *name = g_dir_read_name(d);
        if (name)
                g_error("%s still holds %s", root, name);
        g_dir_close(d);
}

/* depth levels of "d/", with a file and an empty directory every 100 levels. */
static void grow_tree(int dir_fd, unsigned depth) {
        int fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        g_assert_cmpint(fd, >=, 0);
        for (unsigned i = 0; i < depth; i++) {
                g_assert_cmpint(mkdirat(fd, "d", 0755), ==, 0);
                if (i % 100 == 0) {
                        int f = openat(fd, "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
                        g_assert_cmpint(f, >=, 0);
                        close(f);
                        g_assert_cmpint(mkdirat(fd, "e", 0755), ==, 0);
                }
                int next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                g_assert_cmpint(next, >=, 0);
                close(fd);
                fd = next;
        }
        close(fd);
}

static void test_remove_deep(void) {
        char *root = make_root();
        StateDir *d = NULL;
        g_assert_cmpint(state_dir_create(root, "c1", &d), ==, 0);
        g_assert_cmpint(mkdirat(d->dir_fd, "notify", 0755), ==, 0);
        int n = openat(d->dir_fd, "notify", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        g_assert_cmpint(n, >=, 0);
        /* Deeper than RLIMIT_NOFILE's usual 1024 fds, and than PATH_MAX allows to name. */
        grow_tree(n, 3000);
        close(n);
        g_assert_cmpint(write_file_atomic_at(d->dir_fd, "state.json", "{}", 2), ==, 0);
        g_assert_cmpint(state_dir_remove(d), ==, 0);
        state_dir_free(d);
        assert_empty(root);

        /* The id is free. */
        g_assert_cmpint(state_dir_create(root, "c1", &d), ==, 0);
        g_assert_cmpint(state_dir_remove(d), ==, 0);
        state_dir_free(d);
        assert_empty(root);
        g_assert_cmpint(rmdir(root), ==, 0);
        g_free(root);
}

/* A directory that has been renamed away (deleted meanwhile) is not removed by name. */
static void test_remove_stale(void) {
        char *root = make_root();
        StateDir *d = NULL;
        g_assert_cmpint(state_dir_create(root, "c1", &d), ==, 0);
        char *from = g_build_filename(root, "c1", NULL), *to = g_build_filename(root, "other", NULL);
        g_assert_cmpint(rename(from, to), ==, 0);
        g_assert_cmpint(state_dir_remove(d), ==, -ESTALE);
        state_dir_free(d);
        g_assert_cmpint(rmdir(to), ==, 0);
        g_assert_cmpint(rmdir(root), ==, 0);
        g_free(from);
        g_free(to);
        g_free(root);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/state-dir/remove-deep", test_remove_deep);
        g_test_add_func("/state-dir/remove-stale", test_remove_stale);
        return g_test_run();
}
