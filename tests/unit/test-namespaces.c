/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* namespaces.c's fork of the init: whether it fails or not, the calling process ends up in the
 * namespaces it started in, holding the fds it started with. Needs root (it joins and makes
 * namespaces); each case runs in a subprocess with a mount namespace of its own, so that
 * whatever goes wrong stays there. */

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <glib.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "namespaces.h"

/* What we compare: the namespaces we are in and those our children would be born into, read
 * through /proc/thread-self, which the cases never cover (they cover /proc/self/ns). */
static const char *const watched[] = { "net", "ipc", "uts", "cgroup", "mnt", "pid_for_children" };

typedef struct Snapshot {
        ino_t ns[G_N_ELEMENTS(watched)];
        unsigned n_fds;
} Snapshot;

static unsigned count_fds(void) {
        DIR *d = opendir("/proc/thread-self/fd");
        g_assert_nonnull(d);
        unsigned n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

static Snapshot snapshot(void) {
        Snapshot s = {};
        for (size_t i = 0; i < G_N_ELEMENTS(watched); i++) {
                char path[64];
                struct stat st;
                snprintf(path, sizeof(path), "/proc/thread-self/ns/%s", watched[i]);
                g_assert_cmpint(stat(path, &st), ==, 0);
                s.ns[i] = st.st_ino;
        }
        s.n_fds = count_fds();
        return s;
}

static void assert_same(const Snapshot *before, const Snapshot *after) {
        for (size_t i = 0; i < G_N_ELEMENTS(watched); i++)
                if (before->ns[i] != after->ns[i])
                        g_error("left in another %s namespace (inode %lu, was %lu)", watched[i],
                                (unsigned long) after->ns[i], (unsigned long) before->ns[i]);
        g_assert_cmpuint(after->n_fds, ==, before->n_fds);
}

static void must(int r, const char *what) {
        if (r < 0)
                g_error("%s: %s", what, strerror(errno));
}

/* A private mount namespace with a tmpfs of its own over /tmp (nothing is left on the host's),
 * holding "netns": a network namespace other than ours, kept by a bind mount, for the config
 * to join. */
static void setup(char **ret_dir) {
        must(unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)");
        must(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), "make / private");
        char *dir = g_strdup("/tmp");
        must(mount("tmpfs", dir, "tmpfs", 0, "mode=0700"), "mount tmpfs");

        g_autofree char *netns = g_strdup_printf("%s/netns", dir);
        int fd = open(netns, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        must(fd, "create netns");
        close(fd);
        int ours = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        must(ours, "open our netns");
        must(unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)");
        must(mount("/proc/self/ns/net", netns, NULL, MS_BIND, NULL), "bind the new netns");
        must(setns(ours, CLONE_NEWNET), "back to our netns");
        close(ours);
        *ret_dir = dir;
}

/* Hides /proc/self/ns/pid: a tmpfs over /proc/self/ns with our other namespaces bound into
 * it, so that saving our PID namespace is what fails. */
static void hide_own_pid_ns(const char *dir) {
        static const char *const keep[] = { "net", "ipc", "uts", "cgroup" };
        g_autofree char *ns = g_strdup_printf("%s/ns", dir);
        must(mkdir(ns, 0755), "mkdir ns");
        for (size_t i = 0; i < G_N_ELEMENTS(keep); i++) {
                g_autofree char *target = g_strdup_printf("%s/%s", ns, keep[i]);
                g_autofree char *source = g_strdup_printf("/proc/self/ns/%s", keep[i]);
                int fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
                must(fd, "create ns file");
                close(fd);
                must(mount(source, target, NULL, MS_BIND, NULL), "bind an ns file");
        }
        must(mount(ns, "/proc/self/ns", NULL, MS_BIND | MS_REC, NULL), "mount over /proc/self/ns");
        g_assert_cmpint(access("/proc/self/ns/pid", F_OK), <, 0);
}

static OciConfig *config_new(void) {
        OciConfig *c = g_new0(OciConfig, 1);
        c->namespaces = g_new0(OciNamespace, 8);
        return c;
}

static void config_add(OciConfig *c, NamespaceType t, const char *path) {
        c->namespaces[c->n_namespaces++] = (OciNamespace) { .type = t, .path = (char *) path };
}

static void config_free(OciConfig *c) {
        g_free(c->namespaces);
        g_free(c);
}

/* Joins a network namespace of our own making, then the namespace `last` names (path): the
 * fork must fail with `expected` and an error naming `in_error`, and leave us where we were
 * (the namespaces joined before it left again, their saved fds closed: it once did neither). */
static void check_failed_fork(NamespaceType last, const char *path, bool hide_pid_ns, int expected,
                              const char *in_error) {
        g_autofree char *dir = NULL;
        setup(&dir);
        g_autofree char *netns = g_strdup_printf("%s/netns", dir);
        if (hide_pid_ns)
                hide_own_pid_ns(dir);
        OciConfig *c = config_new();
        config_add(c, NAMESPACE_USER, NULL);
        config_add(c, NAMESPACE_NETWORK, netns);
        config_add(c, last, path);

        Snapshot before = snapshot();
        char *error = NULL;
        pid_t pid = -1;
        int r = namespaces_fork_init(c, &pid, &error);
        Snapshot after = snapshot();

        g_assert_cmpint(r, ==, expected);
        g_assert_nonnull(error);
        g_assert_nonnull(strstr(error, in_error));
        assert_same(&before, &after);
        g_free(error);
        config_free(c);
}

static bool need_root(void) {
        if (geteuid() == 0)
                return true;
        g_test_skip("needs root: it joins and makes namespaces");
        return false;
}

/* Joining the cgroup namespace after the network namespace fails. */
static void test_join_fails(void) {
        if (!need_root())
                return;
        if (g_test_subprocess()) {
                check_failed_fork(NAMESPACE_CGROUP, "/nonexistent/cgroup-namespace", false, -ENOENT,
                                  "/nonexistent/cgroup-namespace");
                return;
        }
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
        g_test_trap_assert_passed();
}

/* Saving our own PID namespace (to come back to it) fails after the network namespace was
 * joined. */
static void test_save_fails(void) {
        if (!need_root())
                return;
        if (g_test_subprocess()) {
                check_failed_fork(NAMESPACE_PID, "/proc/1/ns/pid", true, -ENOENT, "/proc/self/ns/pid");
                return;
        }
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
        g_test_trap_assert_passed();
}

/* A fork into a new PID namespace: the child is born there, we stay where we were. */
static void test_fork_succeeds(void) {
        if (!need_root())
                return;
        if (g_test_subprocess()) {
                g_autofree char *dir = NULL;
                setup(&dir);
                OciConfig *c = config_new();
                config_add(c, NAMESPACE_PID, NULL);

                Snapshot before = snapshot();
                char *error = NULL;
                pid_t pid = -1;
                int r = namespaces_fork_init(c, &pid, &error);
                if (pid == 0)
                        _exit(getpid() == 1 ? 0 : 1);
                Snapshot after = snapshot();

                g_assert_cmpint(r, ==, 0);
                g_assert_null(error);
                g_assert_cmpint(pid, >, 0);
                int status;
                g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
                g_assert_true(WIFEXITED(status));
                g_assert_cmpint(WEXITSTATUS(status), ==, 0);
                assert_same(&before, &after);
                config_free(c);
                return;
        }
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
        g_test_trap_assert_passed();
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/namespaces/fork/join-fails", test_join_fails);
        g_test_add_func("/namespaces/fork/save-fails", test_save_fails);
        g_test_add_func("/namespaces/fork/succeeds", test_fork_succeeds);
        return g_test_run();
}
