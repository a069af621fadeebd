/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* start-fds.c: start's message on start.sock and what the init takes of what is queued there. */

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "start-fds.h"

typedef struct Fixture {
        char dir[64];
        int dir_fd, listen_fd;
} Fixture;

/* A state directory with start.sock listening, both fds well above 3 .. 3+n. */
static void fixture_make(Fixture *f) {
        snprintf(f->dir, sizeof(f->dir), "/tmp/ctr-launch-test-start-fds-XXXXXX");
        g_assert_nonnull(mkdtemp(f->dir));
        int d = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        g_assert_cmpint(d, >=, 0);
        f->dir_fd = fcntl(d, F_DUPFD_CLOEXEC, 50);
        close(d);
        int l = -1;
        g_assert_cmpint(start_fds_listen(f->dir_fd, &l), ==, 0);
        f->listen_fd = fcntl(l, F_DUPFD_CLOEXEC, 60);
        close(l);
}

static void fixture_done(Fixture *f) {
        close(f->listen_fd);
        (void) unlinkat(f->dir_fd, START_FDS_SOCKET, 0);
        close(f->dir_fd);
        (void) rmdir(f->dir);
}

/* Runs fn in a child (it closes fds 3.., which are not ours to close here). */
static void in_child(void (*fn)(void)) {
        pid_t pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                fn();
                _exit(0);
        }
        int status;
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

/* An open socket at fd 3, as systemd passes one. */
static void socket_at_3(void) {
        int sv[2];
        g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
        if (sv[0] != 3) {
                g_assert_cmpint(dup3(sv[0], 3, O_CLOEXEC), ==, 3);
                close(sv[0]);
        }
        if (sv[1] != 3)
                close(sv[1]);
}

static void receive(Fixture *f, int expect_r, size_t expect_n, const char *expect_names, const char *expect_text) {
        int *fds = NULL;
        size_t n = 99;
        char *names = NULL, *warning = NULL, *error = NULL;
        int r = start_fds_receive(f->listen_fd, &fds, &n, &names, &warning, &error);
        g_assert_cmpint(r, ==, expect_r);
        if (r >= 0) {
                g_assert_cmpuint(n, ==, expect_n);
                g_assert_cmpstr(names, ==, expect_names);
                if (expect_text)
                        g_assert_true(warning && strstr(warning, expect_text));
                else
                        g_assert_null(warning);
        } else
                g_assert_true(error && strstr(error, expect_text));
        for (size_t i = 0; fds && i < n; i++) {
                g_assert_cmpint(fcntl(fds[i], F_GETFD), ==, FD_CLOEXEC);
                close(fds[i]);
        }
        free(fds);
        free(names);
        free(warning);
        free(error);
}

/* start closes its copies as soon as the init has them. */
static void send_closes_fds_body(void) {
        Fixture f;
        fixture_make(&f);
        socket_at_3();
        char *error = NULL;
        g_assert_cmpint(start_fds_send(f.dir_fd, 1, "web", &error), ==, 0);
        g_assert_cmpint(fcntl(3, F_GETFD), ==, -1);
        g_assert_cmpint(errno, ==, EBADF);
        receive(&f, 0, 1, "web", NULL);
        fixture_done(&f);
}
static void test_send_closes_fds(void) {
        in_child(send_closes_fds_body);
}

/* A start without fds still sends: the last message queued is always this start's, and an
 * earlier start's fds (sent, then it failed) are not taken. */
static void last_message_body(void) {
        Fixture f;
        fixture_make(&f);
        socket_at_3();
        char *error = NULL;
        g_assert_cmpint(start_fds_send(f.dir_fd, 1, "stale", &error), ==, 0);
        g_assert_cmpint(start_fds_send(f.dir_fd, 0, NULL, &error), ==, 0);
        receive(&f, 0, 0, NULL, NULL);
        fixture_done(&f);
}
static void test_last_message(void) {
        in_child(last_message_body);
}

static int connect_to(Fixture *f) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", f->dir, START_FDS_SOCKET);
        int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(connect(fd, (struct sockaddr *) &sa, sizeof(sa)), ==, 0);
        return fd;
}

/* A start killed between its connect and its send: end of file, skipped; never reported as
 * an RLIMIT_NOFILE problem. The complete message before it is taken. */
static void eof_body(void) {
        Fixture f;
        fixture_make(&f);
        close(connect_to(&f));
        receive(&f, 0, 0, NULL, NULL);

        socket_at_3();
        char *error = NULL;
        g_assert_cmpint(start_fds_send(f.dir_fd, 1, "web", &error), ==, 0);
        close(connect_to(&f));
        receive(&f, 0, 1, "web", NULL);
        fixture_done(&f);
}
static void test_eof(void) {
        in_child(eof_body);
}

/* A short or malformed message says so. */
static void test_malformed(void) {
        Fixture f;
        fixture_make(&f);
        int c = connect_to(&f);
        g_assert_cmpint(send(c, "x", 1, 0), ==, 1);
        receive(&f, -EBADMSG, 0, NULL, "malformed");
        close(c);
        c = connect_to(&f);
        g_assert_cmpint(send(c, "2 a:b", 5, 0), ==, 5);
        receive(&f, -EBADMSG, 0, NULL, "said it passed 2 fds, and 0 came");
        close(c);
        fixture_done(&f);
}

/* A connection from another uid than the socket's owner is dropped, with a warning. */
static void test_foreign_peer(void) {
        if (geteuid() != 0) {
                g_test_skip("not root: cannot connect as another uid");
                return;
        }
        Fixture f;
        fixture_make(&f);
        /* Reachable for the test only (create makes both 0700/0600, root's). */
        g_assert_cmpint(chmod(f.dir, 0755), ==, 0);
        g_assert_cmpint(fchmodat(f.dir_fd, START_FDS_SOCKET, 0666, 0), ==, 0);
        int done[2];
        g_assert_cmpint(pipe2(done, O_CLOEXEC), ==, 0);
        pid_t pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
                        _exit(1);
                int sv[2];
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 || (sv[0] != 3 && dup3(sv[0], 3, O_CLOEXEC) != 3))
                        _exit(2);
                char *error = NULL;
                if (start_fds_send(f.dir_fd, 1, "evil", &error) < 0)
                        _exit(3);
                char c = 'x';
                if (write(done[1], &c, 1) != 1)
                        _exit(4);
                /* Stays (its end of the connection open) until the parent took what it takes. */
                pause();
                _exit(0);
        }
        char c;
        close(done[1]);
        g_assert_cmpint(read(done[0], &c, 1), ==, 1);
        receive(&f, 0, 0, NULL, "dropped 1 connection of uid 65534");
        close(done[0]);
        g_assert_cmpint(kill(pid, SIGTERM), ==, 0);
        int status;
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_assert_true(WIFSIGNALED(status));
        fixture_done(&f);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/start-fds/send-closes-fds", test_send_closes_fds);
        g_test_add_func("/start-fds/last-message", test_last_message);
        g_test_add_func("/start-fds/eof", test_eof);
        g_test_add_func("/start-fds/malformed", test_malformed);
        g_test_add_func("/start-fds/foreign-peer", test_foreign_peer);
        return g_test_run();
}
