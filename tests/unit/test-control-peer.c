/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* control-peer.c: who is on the other end of a control connection, and whose requests they
 * count as. A child of ours connects to a socket we listen on, as itself, from a user namespace
 * made by another uid (and one nested in it), or after changing its uid; we pin it the way
 * serve's parent does at accept. The namespace cases need root (to map uids for the child);
 * each runs in a subprocess. */

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control-peer.h"

#define NOBODY 65534
#define SUBUID 100000

typedef enum {
        PLAIN,      /* as ourselves */
        USERNS,     /* root in a user namespace nobody made, mapped to SUBUID */
        NESTED,     /* that, then root in a namespace nested in it */
        SETEUID,    /* connects as nobody (seteuid), then is root again */
} How;

typedef struct Fixture {
        char *dir;
        struct sockaddr_un sa;
        int listen_fd;
} Fixture;

static void fixture_init(Fixture *f) {
        f->dir = g_dir_make_tmp("ctr-test-peer-XXXXXX", NULL);
        g_assert_nonnull(f->dir);
        g_assert_cmpint(chmod(f->dir, 0755), ==, 0);
        f->sa = (struct sockaddr_un) { .sun_family = AF_UNIX };
        snprintf(f->sa.sun_path, sizeof(f->sa.sun_path), "%s/sock", f->dir);
        f->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(f->listen_fd, >=, 0);
        g_assert_cmpint(bind(f->listen_fd, (struct sockaddr *) &f->sa, sizeof(f->sa)), ==, 0);
        g_assert_cmpint(chmod(f->sa.sun_path, 0777), ==, 0);
        g_assert_cmpint(listen(f->listen_fd, 4), ==, 0);
}

static void fixture_done(Fixture *f) {
        close(f->listen_fd);
        g_unlink(f->sa.sun_path);
        g_rmdir(f->dir);
        g_free(f->dir);
}

static void write_file(pid_t pid, const char *name, const char *text) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, name);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(write(fd, text, strlen(text)), ==, (ssize_t) strlen(text));
        close(fd);
}

static void must(bool ok, const char *what) {
        if (!ok) {
                fprintf(stderr, "child: %s: %s\n", what, strerror(errno));
                _exit(2);
        }
}

/* The child: becomes what `how` says, connects, and waits for our end to close. The pipes:
 * go (we mapped its namespace, or just "go on"), ready (it made its namespace). */
static void child(const Fixture *f, How how, int go, int ready) {
        char c = 0;
        alarm(10); /* never outlives a test that failed */
        if (how == USERNS || how == NESTED) {
                must(setresgid(NOBODY, NOBODY, NOBODY) == 0 && setresuid(NOBODY, NOBODY, NOBODY) == 0, "become nobody");
                must(unshare(CLONE_NEWUSER) == 0, "unshare");
                must(write(ready, "u", 1) == 1, "ready");
                must(read(go, &c, 1) == 1, "wait for the maps");
                /* A nested namespace needs our uid and gid mapped in this one. */
                must(setgroups(0, NULL) == 0 && setresgid(0, 0, 0) == 0 && setresuid(0, 0, 0) == 0,
                     "become root in the namespace");
        }
        if (how == NESTED) {
                /* The uid change made us non-dumpable: /proc/self would be root's, not ours. */
                must(prctl(PR_SET_DUMPABLE, 1) == 0, "PR_SET_DUMPABLE");
                must(unshare(CLONE_NEWUSER) == 0, "unshare nested");
                int fd = open("/proc/self/uid_map", O_WRONLY | O_CLOEXEC);
                must(fd >= 0 && write(fd, "0 0 1", 5) == 5, "nested uid_map");
                close(fd);
                must(setresuid(0, 0, 0) == 0, "setresuid(0) in the nested namespace");
        }
        if (how == SETEUID)
                must(seteuid(NOBODY) == 0, "seteuid");
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        must(s >= 0 && connect(s, (const struct sockaddr *) &f->sa, sizeof(f->sa)) == 0, "connect");
        if (how == SETEUID)
                must(seteuid(0) == 0, "seteuid back");
        must(write(ready, "c", 1) == 1, "connected");
        if (read(s, &c, 1) < 0) /* until we close */
                _exit(0);
        _exit(0);
}

/* Pins the peer of a child that connected as `how`: control_peer_identify()'s result. */
static int identify(How how, ControlPeer *ret, char **ret_error) {
        Fixture f;
        int go[2], ready[2];
        char c;
        fixture_init(&f);
        g_assert_cmpint(pipe2(go, O_CLOEXEC), ==, 0);
        g_assert_cmpint(pipe2(ready, O_CLOEXEC), ==, 0);
        pid_t pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0)
                child(&f, how, go[0], ready[1]);
        close(ready[1]);
        close(go[0]);
        if (how == USERNS || how == NESTED) {
                g_assert_cmpint(read(ready[0], &c, 1), ==, 1);
                write_file(pid, "uid_map", "0 " G_STRINGIFY(SUBUID) " 1");
                write_file(pid, "gid_map", "0 " G_STRINGIFY(SUBUID) " 1");
                g_assert_cmpint(write(go[1], "g", 1), ==, 1);
        }
        g_assert_cmpint(read(ready[0], &c, 1), ==, 1);
        int conn = accept4(f.listen_fd, NULL, NULL, SOCK_CLOEXEC);
        g_assert_cmpint(conn, >=, 0);
        int r = control_peer_identify(conn, ret, ret_error);
        g_assert_true(r < 0 || ret->pid == pid);
        close(conn);
        int status;
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        close(go[1]);
        close(ready[0]);
        fixture_done(&f);
        return r;
}

static bool need_root(void) {
        if (geteuid() == 0)
                return true;
        g_test_skip("needs root: it maps uids for a user namespace");
        return false;
}

static void test_plain(void) {
        ControlPeer p = { .pidfd = -EBADF };
        char *error = NULL;
        g_assert_cmpint(identify(PLAIN, &p, &error), ==, 0);
        g_assert_null(error);
        g_assert_cmpuint(p.uid, ==, geteuid());
        g_assert_cmpuint(p.accountable_uid, ==, geteuid());
        g_assert_cmpint(p.pidfd, >=, 0);
        control_peer_done(&p);
}

/* The subordinate uid counts as the namespace's maker's. */
static void userns_subprocess(How how) {
        ControlPeer p = { .pidfd = -EBADF };
        char *error = NULL;
        int r = identify(how, &p, &error);
        g_assert_cmpint(r, ==, 0);
        g_assert_cmpuint(p.uid, ==, SUBUID);
        g_assert_cmpuint(p.accountable_uid, ==, NOBODY);
        control_peer_done(&p);
}

static void test_userns(void) {
        if (!need_root())
                return;
        if (g_test_subprocess()) {
                userns_subprocess(USERNS);
                return;
        }
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
        g_test_trap_assert_passed();
}

/* Nested: still the outermost namespace's maker, not the nested one's (SUBUID). */
static void test_nested(void) {
        if (!need_root())
                return;
        if (g_test_subprocess()) {
                userns_subprocess(NESTED);
                return;
        }
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
        g_test_trap_assert_passed();
}

/* Another uid now than at connect(): refused. */
static void test_changed_uid(void) {
        if (!need_root())
                return;
        ControlPeer p = { .pidfd = -EBADF };
        char *error = NULL;
        g_assert_cmpint(identify(SETEUID, &p, &error), ==, -ESRCH);
        g_assert_nonnull(strstr(error, "changed its uid"));
        g_free(error);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/control-peer/plain", test_plain);
        g_test_add_func("/control-peer/userns-owner", test_userns);
        g_test_add_func("/control-peer/nested-userns-owner", test_nested);
        g_test_add_func("/control-peer/changed-uid", test_changed_uid);
        return g_test_run();
}
