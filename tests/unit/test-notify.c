/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* notify.c's pure parts: which lines of a container's sd_notify() reach systemd, and the
 * readiness annotation. */

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"
#include "proc-util.h"

static char *filter(const char *msg) {
        char *out = NULL;
        g_assert_cmpint(notify_filter(msg, strlen(msg), &out), ==, 0);
        return out;
}

static void test_filter(void) {
        static const struct {
                const char *in, *out; /* out NULL: nothing forwarded */
        } cases[] = {
                { "READY=1", "READY=1" },
                { "READY=1\nSTATUS=up and running", "READY=1\nSTATUS=up and running" },
                { "MAINPID=1", NULL },
                { "MAINPID=4242\nREADY=1", "READY=1" },
                { "READY=1\nMAINPID=4242", "READY=1" },
                { "FDSTORE=1\nFDNAME=x", "FDSTORE=1\nFDNAME=x" },
                { "FDSTOREREMOVE=1\nFDNAME=x", "FDSTOREREMOVE=1\nFDNAME=x" },
                { "FDSTORE=1\nMAINPID=1", "FDSTORE=1" },
                { "BARRIER=1", NULL },
                { "WATCHDOG=1", "WATCHDOG=1" },
                { "WATCHDOG=trigger", "WATCHDOG=trigger" },
                { "WATCHDOG_USEC=5000000", "WATCHDOG_USEC=5000000" },
                { "EXTEND_TIMEOUT_USEC=1000", "EXTEND_TIMEOUT_USEC=1000" },
                { "RELOADING=1\nMONOTONIC_USEC=123", "RELOADING=1\nMONOTONIC_USEC=123" },
                { "STOPPING=1", "STOPPING=1" },
                { "ERRNO=2\nBUSERROR=org.x.Y", "ERRNO=2\nBUSERROR=org.x.Y" },
                { "STATUS=a\x1b[31mred", NULL },
                { "", NULL },
                { "\n\n", NULL },
                { "READYX=1", NULL },
                { "ready=1", NULL },
                { "NOTIFYACCESS=all\nREADY=1\n", "READY=1" },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *out = filter(cases[i].in);
                g_assert_cmpstr(out, ==, cases[i].out);
        }
}

static void test_readiness(void) {
        Readiness r;
        char *none[] = { NULL };
        char *exec_[] = { (char *) "a", (char *) "b", (char *) READINESS_ANNOTATION, (char *) "exec", NULL };
        char *cont[] = { (char *) READINESS_ANNOTATION, (char *) "container", NULL };
        char *bad[] = { (char *) READINESS_ANNOTATION, (char *) "Container", NULL };
        g_assert_cmpint(readiness_from_annotations(NULL, &r), ==, 0);
        g_assert_cmpint(r, ==, READINESS_EXEC);
        g_assert_cmpint(readiness_from_annotations(none, &r), ==, 0);
        g_assert_cmpint(r, ==, READINESS_EXEC);
        g_assert_cmpint(readiness_from_annotations(exec_, &r), ==, 0);
        g_assert_cmpint(r, ==, READINESS_EXEC);
        g_assert_cmpint(readiness_from_annotations(cont, &r), ==, 0);
        g_assert_cmpint(r, ==, READINESS_CONTAINER);
        g_assert_cmpint(readiness_from_annotations(bad, &r), ==, -EINVAL);
}

static ino_t own_pidns(void) {
        struct stat st;
        g_assert_cmpint(stat("/proc/self/ns/pid", &st), ==, 0);
        return st.st_ino;
}

static void assert_storable(int fd, ino_t pidns, const char *why_part) {
        char *why = NULL;
        int r = notify_fd_storable(fd, pidns, &why);
        if (!why_part) {
                g_assert_cmpint(r, ==, 0);
                g_assert_null(why);
        } else {
                g_assert_cmpint(r, ==, -EPERM);
                g_assert_nonnull(strstr(why, why_part));
        }
        free(why);
        close(fd);
}

/* What the relay lets a container put into the unit's fd store. */
static void test_fd_storable(void) {
        const ino_t ours = own_pidns();
        int sv[2];
        g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
        /* Connected to a process of the container's (our) PID namespace: stored. */
        assert_storable(dup(sv[0]), ours, NULL);
        /* The same, seen from a container with another PID namespace: the peer is outside. */
        assert_storable(sv[0], ours + 1, "connected to a process outside the container");
        close(sv[1]);
        /* A listening socket has no peer: stored. */
        int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(l, >=, 0);
        assert_storable(l, ours + 1, NULL);
        int m = memfd_create("state", MFD_CLOEXEC);
        g_assert_cmpint(m, >=, 0);
        assert_storable(m, ours, NULL);
        assert_storable(open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC), ours, "a directory");
        assert_storable(open("/proc/self/status", O_RDONLY | O_CLOEXEC), ours, "a file");
        assert_storable(open("/dev/null", O_RDONLY | O_CLOEXEC), ours, "a device");
        int p[2];
        g_assert_cmpint(pipe2(p, O_CLOEXEC), ==, 0);
        close(p[1]);
        assert_storable(p[0], ours, "a FIFO");
        /* An unlinked file on a tmpfs that is not a memfd is still a file. */
        char tmpl[] = "/dev/shm/ctr-launch-test-XXXXXX";
        int t = mkostemp(tmpl, O_CLOEXEC);
        if (t >= 0) {
                unlink(tmpl);
                assert_storable(t, ours, "a file");
        }
}

/* Listening Unix sockets report as SO_PEERCRED whoever called listen(): not a peer. A listening
 * socket of ours, seen from a container with another PID namespace, is stored (it used to be
 * refused as "connected to a process outside"). */
static void test_fd_storable_listening_unix(void) {
        const ino_t ours = own_pidns();
        int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(l, >=, 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "ctr-launch-test-listen-%d", (int) getpid());
        g_assert_cmpint(bind(l, (struct sockaddr *) &sa, sizeof(sa)), ==, 0);
        g_assert_cmpint(listen(l, 1), ==, 0);
        assert_storable(dup(l), ours + 1, NULL);
        assert_storable(l, ours, NULL);
        /* Unconnected: no peer either. */
        assert_storable(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), ours + 1, NULL);
}

/* A connect()ed datagram socket has no peer credentials (PID 0): it used to pass as "no peer". */
static void test_fd_storable_dgram_no_peer_pid(void) {
        const ino_t ours = own_pidns();
        int srv = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        int cli = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(srv, >=, 0);
        g_assert_cmpint(cli, >=, 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "ctr-launch-test-dgram-%d", (int) getpid());
        g_assert_cmpint(bind(srv, (struct sockaddr *) &sa, sizeof(sa)), ==, 0);
        g_assert_cmpint(connect(cli, (struct sockaddr *) &sa, sizeof(sa)), ==, 0);
        assert_storable(cli, ours, "peer cannot be told");
        close(srv);
}

/* A socket whose peer is gone is refused as such (by PID alone, a reused PID could pass). */
static void test_fd_storable_dead_peer(void) {
        const ino_t ours = own_pidns();
        int ready[2];
        g_assert_cmpint(pipe2(ready, O_CLOEXEC), ==, 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "ctr-launch-test-dead-%d", (int) getpid());
        pid_t child = fork();
        g_assert_cmpint(child, >=, 0);
        if (child == 0) {
                int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (l < 0 || bind(l, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(l, 1) < 0)
                        _exit(1);
                if (write(ready[1], "x", 1) != 1)
                        _exit(1);
                pause();
                _exit(0);
        }
        close(ready[1]);
        char c;
        g_assert_cmpint(read(ready[0], &c, 1), ==, 1);
        close(ready[0]);
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(connect(s, (struct sockaddr *) &sa, sizeof(sa)), ==, 0);
        /* Alive, in our namespace: stored. */
        assert_storable(dup(s), ours, NULL);
        kill(child, SIGKILL);
        g_assert_cmpint(waitpid(child, NULL, 0), ==, child);
        assert_storable(s, ours, "is gone");
}

/* 0: the relay could not learn the container's PID namespace, and stores nothing. */
static void test_fd_storable_unknown_pidns(void) {
        assert_storable(memfd_create("state", MFD_CLOEXEC), 0, "PID namespace is unknown");
        assert_storable(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), 0, "PID namespace is unknown");
}

/* A memfd lookalike: a file unlinked from a detached tmpfs whose directory is "memfd:x" reads
 * "/memfd:x/f (deleted)" in /proc/self/fd, on a tmpfs, with no links. Only the device tells. */
static void test_fd_storable_memfd_lookalike(void) {
        pid_t child = fork();
        g_assert_cmpint(child, >=, 0);
        if (child == 0) {
                if (geteuid() != 0 && unshare(CLONE_NEWUSER) < 0)
                        _exit(77);
                if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                        _exit(77);
                char dir[] = "/tmp/ctr-launch-test-memfd-XXXXXX";
                if (!mkdtemp(dir) || mount("tmpfs", dir, "tmpfs", 0, "size=1m") < 0)
                        _exit(77);
                char sub[128], file[160];
                snprintf(sub, sizeof(sub), "%s/memfd:x", dir);
                snprintf(file, sizeof(file), "%s/f", sub);
                int fd = -1;
                if (mkdir(sub, 0700) < 0 || (fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 || unlink(file) < 0 ||
                    umount2(dir, MNT_DETACH) < 0)
                        _exit(2);
                (void) rmdir(dir);
                char target[64] = "";
                snprintf(file, sizeof(file), "/proc/self/fd/%d", fd);
                if (readlink(file, target, sizeof(target) - 1) < 0 || strncmp(target, "/memfd:", 7) != 0)
                        _exit(3); /* not a lookalike on this kernel: nothing to test */
                char *why = NULL;
                struct stat st;
                if (stat("/proc/self/ns/pid", &st) < 0)
                        _exit(4);
                int r = notify_fd_storable(fd, st.st_ino, &why);
                _exit(r == -EPERM && why && strstr(why, "a file") ? 0 : 1);
        }
        int status;
        g_assert_cmpint(waitpid(child, &status, 0), ==, child);
        g_assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) == 77 || WEXITSTATUS(status) == 3) {
                g_test_skip("no tmpfs of our own to make a lookalike on");
                return;
        }
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

/* The count is what the cmsgs carried, whatever MSG_CTRUNC says: the relay used to take 17
 * then, and close fds[] it never filled. */
static void test_passed_fds_take(void) {
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int) * 3)];
        } control;
        int fds[3];
        for (size_t i = 0; i < 3; i++)
                fds[i] = 100 + (int) i;
        struct msghdr mh = { .msg_control = &control, .msg_controllen = sizeof(control), .msg_flags = MSG_CTRUNC };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(fds));
        memcpy(CMSG_DATA(c), fds, sizeof(fds));
        NotifyPassedFds f;
        memset(&f, 0x55, sizeof(f));
        notify_passed_fds_take(&mh, &f);
        g_assert_cmpuint(f.n, ==, 3);
        g_assert_true(f.truncated);
        g_assert_cmpint(f.fds[0], ==, 100);
        g_assert_cmpint(f.fds[2], ==, 102);
        for (size_t i = 3; i < G_N_ELEMENTS(f.fds); i++)
                g_assert_cmpint(f.fds[i], ==, -EBADF);
        mh.msg_flags = 0;
        notify_passed_fds_take(&mh, &f);
        g_assert_false(f.truncated);
}

/* A $NOTIFY_SOCKET of our own, to read what the relay forwards. */
static int fake_systemd(char *path, size_t size) {
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(fd, >=, 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(path, size, "@ctr-launch-test-systemd-%d", (int) getpid());
        memcpy(sa.sun_path + 1, path + 1, strlen(path) - 1);
        g_assert_cmpint(bind(fd, (struct sockaddr *) &sa, offsetof(struct sockaddr_un, sun_path) + strlen(path)), ==, 0);
        g_assert_cmpint(setenv("NOTIFY_SOCKET", path, 1), ==, 0);
        return fd;
}

static int send_with_fds(int sock, const char *msg, const int *fds, size_t n) {
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int) * 32)];
        } control = {};
        struct iovec iov = { .iov_base = (char *) msg, .iov_len = strlen(msg) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control,
                             .msg_controllen = CMSG_SPACE(sizeof(int) * n) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
        return sendmsg(sock, &mh, 0) < 0 ? -errno : 0;
}

/* A message whose fds did not all arrive (the relay's RLIMIT_NOFILE): its FDSTORE=1 is refused,
 * the rest forwarded, and the fds that did arrive are closed, nothing else. */
static void test_relay_truncated(void) {
        pid_t child = fork();
        g_assert_cmpint(child, >=, 0);
        if (child == 0) {
                char path[108];
                int sysd = fake_systemd(path, sizeof(path));
                int sv[2];
                if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
                        _exit(10);
                int fds[8];
                for (size_t i = 0; i < 8; i++)
                        if ((fds[i] = memfd_create("state", MFD_CLOEXEC)) < 0)
                                _exit(11);
                if (send_with_fds(sv[1], "FDSTORE=1\nFDNAME=x\nSTATUS=hello", fds, 8) < 0)
                        _exit(12);
                /* Room for two more fds only. */
                int top = fcntl(0, F_DUPFD_CLOEXEC, 0);
                int canary = fcntl(0, F_DUPFD_CLOEXEC, 0);
                close(top);
                struct rlimit rl = { .rlim_cur = (rlim_t) canary + 3, .rlim_max = (rlim_t) canary + 3 };
                for (int i = canary + 1; i < canary + 64; i++)
                        (void) close(i);
                if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                        _exit(13);
                (void) signal(SIGCHLD, SIG_IGN);
                if (notify_relay_one(sv[0], own_pidns()) < 0)
                        _exit(14);
                if (fcntl(canary, F_GETFD) < 0 || fcntl(sv[0], F_GETFD) < 0 || fcntl(sysd, F_GETFD) < 0)
                        _exit(15); /* the relay closed an fd it had not received */
                char buf[256] = "";
                char control[CMSG_SPACE(sizeof(int) * 8)];
                struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                                     .msg_controllen = sizeof(control) };
                /* With every fd slot taken by what arrived, the relay's own sd_notify() may find no
                 * room for its socket: then nothing went on, which is fine too. */
                ssize_t k = recvmsg(sysd, &mh, MSG_DONTWAIT);
                if (k < 0 && errno != EAGAIN)
                        _exit(16);
                if (k >= 0 && (strcmp(buf, "STATUS=hello") != 0 || CMSG_FIRSTHDR(&mh)))
                        _exit(17); /* the fd store lines or fds went on */
                /* What arrived is closed (by the relay's closer, soon). */
                for (int i = 0; i < 100 && fcntl(canary + 1, F_GETFD) >= 0; i++)
                        usleep(10000);
                if (fcntl(canary + 1, F_GETFD) >= 0)
                        _exit(18);
                _exit(0);
        }
        int status;
        g_assert_cmpint(waitpid(child, &status, 0), ==, child);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

/* The relay never waits on a close: the last close of a TCP socket with SO_LINGER and unsent
 * data (its peer's window full) waits up to the linger time in whoever closes it. */
static void test_relay_close_never_waits(void) {
        int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(l, >=, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t alen = sizeof(a);
        int small = 4096;
        g_assert_cmpint(setsockopt(l, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), ==, 0);
        g_assert_cmpint(bind(l, (struct sockaddr *) &a, sizeof(a)), ==, 0);
        g_assert_cmpint(getsockname(l, (struct sockaddr *) &a, &alen), ==, 0);
        g_assert_cmpint(listen(l, 1), ==, 0);
        int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        g_assert_cmpint(t, >=, 0);
        g_assert_cmpint(setsockopt(t, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), ==, 0);
        g_assert_cmpint(connect(t, (struct sockaddr *) &a, sizeof(a)) == 0 || errno == EINPROGRESS, ==, 1);
        struct pollfd p = { .fd = t, .events = POLLOUT };
        g_assert_cmpint(poll(&p, 1, 2000), ==, 1);
        /* Never accepted, never read: fill both ends. */
        char junk[4096] = { 0 };
        while (write(t, junk, sizeof(junk)) > 0)
                ;
        struct linger lg = { .l_onoff = 1, .l_linger = 3 };
        g_assert_cmpint(setsockopt(t, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), ==, 0);
        g_assert_cmpint(fcntl(t, F_SETFL, 0), ==, 0);

        char path[108];
        int sysd = fake_systemd(path, sizeof(path));
        int sv[2];
        g_assert_cmpint(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), ==, 0);
        g_assert_cmpint(send_with_fds(sv[1], "STATUS=linger", &t, 1), ==, 0);
        close(t); /* the relay's copy is the last one */
        void (*old)(int) = signal(SIGCHLD, SIG_IGN);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        g_assert_cmpint(notify_relay_one(sv[0], own_pidns()), ==, 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        signal(SIGCHLD, old);
        double took = (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
        g_assert_cmpfloat(took, <, 1.0);
        close(sv[0]);
        close(sv[1]);
        close(sysd);
        close(l);
        unsetenv("NOTIFY_SOCKET");
}

/* The container's PID namespace, by PID and pidfd: a PID whose process is gone gives none. */
static void test_pidns_verified(void) {
        ino_t ns = 0;
        int self = pidfd_open(getpid(), 0);
        g_assert_cmpint(self, >=, 0);
        g_assert_cmpint(proc_pidns_verified(getpid(), self, &ns), ==, 0);
        g_assert_cmpuint(ns, ==, own_pidns());
        pid_t child = fork();
        g_assert_cmpint(child, >=, 0);
        if (child == 0)
                _exit(0);
        int pidfd = pidfd_open(child, 0);
        g_assert_cmpint(pidfd, >=, 0);
        g_assert_cmpint(waitpid(child, NULL, 0), ==, child);
        ns = 0;
        g_assert_cmpint(proc_pidns_verified(child, pidfd, &ns), ==, -ESRCH);
        g_assert_cmpuint(ns, ==, 0);
        /* Our PID with a pidfd of a dead process: refused, however alive the PID. */
        g_assert_cmpint(proc_pidns_verified(getpid(), pidfd, &ns), ==, -ESRCH);
        g_assert_cmpint(proc_pidns_verified(getpid(), -EBADF, &ns), ==, -ESRCH);
        close(pidfd);
        close(self);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/notify/filter", test_filter);
        g_test_add_func("/notify/readiness", test_readiness);
        g_test_add_func("/notify/fd-storable", test_fd_storable);
        g_test_add_func("/notify/fd-storable/listening-unix", test_fd_storable_listening_unix);
        g_test_add_func("/notify/fd-storable/dgram-no-peer-pid", test_fd_storable_dgram_no_peer_pid);
        g_test_add_func("/notify/fd-storable/dead-peer", test_fd_storable_dead_peer);
        g_test_add_func("/notify/fd-storable/unknown-pidns", test_fd_storable_unknown_pidns);
        g_test_add_func("/notify/fd-storable/memfd-lookalike", test_fd_storable_memfd_lookalike);
        g_test_add_func("/notify/passed-fds", test_passed_fds_take);
        g_test_add_func("/notify/pidns-verified", test_pidns_verified);
        g_test_add_func("/notify/relay/truncated", test_relay_truncated);
        g_test_add_func("/notify/relay/close-never-waits", test_relay_close_never_waits);
        return g_test_run();
}
