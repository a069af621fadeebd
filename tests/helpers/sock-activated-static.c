/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sock-activated-static MODE [PATH]: a socket-activated service for the tests of issue 19, run
 * as a busybox bundle's process (linked statically). First it writes what it was given to
 * /shared/report (LISTEN_FDS=, LISTEN_PID=, LISTEN_FDNAMES=, its getpid(), its open fds, the
 * run number kept in /shared/count); then sends READY=1 on $NOTIFY_SOCKET when there is one, and
 * serves a line protocol on every fd it got: a listening socket is accepted on, a connected one
 * is read; each line read is answered "LINE from run N". Modes:
 *   serve          just that
 *   store          also puts the first connection it accepts into the unit's fd store
 *                  (FDSTORE=1, FDNAME=conn) once it answered it; a "conn" it gets back is
 *                  served like the others, and removed from the store (FDSTOREREMOVE=1)
 *   host-fd PATH   sends FDSTORE=1 with an fd of the directory PATH (a bind mount's, the host's)
 *   stdout         sends FDSTORE=1 with its own stdout (under a unit, the journal's stream)
 *   many           sends FDSTORE=1 with 17 memfds in one message
 * The three bad modes write /shared/sent once they sent it, then serve. SIGTERM ends it (0). */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FDS 64

static int run_number;

static void die(const char *what) {
        fprintf(stderr, "sock-activated-static: %s: %s\n", what, strerror(errno));
        exit(1);
}

static int notify(const char *msg, const int *fds, int n_fds) {
        const char *path = getenv("NOTIFY_SOCKET");
        if (!path || !*path)
                return 0;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = 0;
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        struct iovec iov = { .iov_base = (char *) msg, .iov_len = strlen(msg) };
        char control[CMSG_SPACE(sizeof(int) * 32)] = { 0 };
        struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1 };
        if (n_fds > 0) {
                mh.msg_control = control;
                mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t) n_fds);
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t) n_fds);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t) n_fds);
        }
        int r = sendmsg(fd, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
        close(fd);
        return r;
}

/* /shared/count: how many times this bundle's process started, this one included. */
static int count_run(void) {
        int n = 0;
        FILE *f = fopen("/shared/count", "r");
        if (f) {
                if (fscanf(f, "%d", &n) != 1)
                        n = 0;
                fclose(f);
        }
        f = fopen("/shared/count", "w");
        if (!f)
                die("write /shared/count");
        fprintf(f, "%d\n", n + 1);
        fclose(f);
        return n + 1;
}

/* Written before anything else is opened: the fds are what the runtime handed over. */
static void report(void) {
        char fds[1024] = "";
        DIR *d = opendir("/proc/self/fd");
        if (!d)
                die("opendir /proc/self/fd");
        int nums[256], n = 0;
        for (struct dirent *e; (e = readdir(d)) && n < 256;)
                if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
                        nums[n++] = atoi(e->d_name);
        closedir(d);
        for (int i = 0; i < n; i++) /* readdir's order is the kernel's: sort */
                for (int j = i + 1; j < n; j++)
                        if (nums[j] < nums[i]) {
                                int t = nums[i];
                                nums[i] = nums[j];
                                nums[j] = t;
                        }
        size_t k = 0;
        for (int i = 0; i < n && k < sizeof(fds) - 16; i++)
                k += (size_t) snprintf(fds + k, sizeof(fds) - k, "%s%d", i ? " " : "", nums[i]);

        run_number = count_run();
        FILE *f = fopen("/shared/report.tmp", "w");
        if (!f)
                die("write /shared/report.tmp");
        const char *lf = getenv("LISTEN_FDS"), *lp = getenv("LISTEN_PID"), *ln = getenv("LISTEN_FDNAMES");
        fprintf(f, "run=%d\npid=%d\nlisten_fds=%s\nlisten_pid=%s\nlisten_fdnames=%s\nfds=%s\n", run_number,
                (int) getpid(), lf ? lf : "", lp ? lp : "", ln ? ln : "", fds);
        if (fclose(f) != 0 || rename("/shared/report.tmp", "/shared/report") < 0)
                die("write /shared/report");
}

static void mark_sent(void) {
        FILE *f = fopen("/shared/sent", "w");
        if (f)
                fclose(f);
}

static void send_bad(const char *mode, const char *path) {
        int fds[17], n = 0;
        if (strcmp(mode, "host-fd") == 0) {
                fds[n] = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fds[n++] < 0)
                        die(path);
        } else if (strcmp(mode, "stdout") == 0) {
                fds[n++] = 1;
        } else {
                for (; n < 17; n++)
                        if ((fds[n] = memfd_create("state", MFD_CLOEXEC)) < 0)
                                die("memfd_create");
        }
        int r = notify("FDSTORE=1\nFDNAME=bad", fds, n);
        if (r < 0) {
                errno = -r;
                die("send FDSTORE=1");
        }
        mark_sent();
        for (int i = 0; i < n; i++)
                if (fds[i] > 2)
                        close(fds[i]);
}

/* One line on a connection (10 s at most), answered. 0 if answered, -1 if the peer is gone. */
static int serve_line(int fd) {
        char line[512];
        size_t n = 0;
        struct timeval tv = { .tv_sec = 10 };
        (void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        while (n < sizeof(line) - 1) {
                ssize_t k = read(fd, line + n, 1);
                if (k <= 0)
                        return -1;
                if (line[n] == '\n')
                        break;
                n++;
        }
        line[n] = 0;
        char answer[600];
        int k = snprintf(answer, sizeof(answer), "%s from run %d\n", line, run_number);
        return write(fd, answer, (size_t) k) == k ? 0 : -1;
}

static void on_term(int sig) {
        (void) sig;
        _exit(0);
}

int main(int argc, char **argv) {
        if (argc < 2) {
                fprintf(stderr, "usage: sock-activated-static serve|store|host-fd PATH|stdout|many\n");
                return 2;
        }
        const char *mode = argv[1];
        /* A PID 1 ignores SIGTERM without a handler. */
        signal(SIGTERM, on_term);
        signal(SIGPIPE, SIG_IGN);
        report();

        /* The passed fds, with their names ("conn" is the stored connection). */
        struct pollfd p[MAX_FDS];
        bool is_conn[MAX_FDS] = { false };
        int n = 0;
        const char *v = getenv("LISTEN_FDS"), *names = getenv("LISTEN_FDNAMES");
        int listen_fds = v ? atoi(v) : 0;
        for (int i = 0; i < listen_fds && n < MAX_FDS; i++) {
                p[n] = (struct pollfd) { .fd = 3 + i, .events = POLLIN };
                const char *name = names;
                for (int j = 0; name && j < i; j++)
                        name = (name = strchr(name, ':')) ? name + 1 : NULL;
                is_conn[n++] = name && strncmp(name, "conn", 4) == 0 && (name[4] == ':' || name[4] == 0);
        }

        if (notify("READY=1", NULL, 0) < 0)
                die("send READY=1");
        if (strcmp(mode, "host-fd") == 0 || strcmp(mode, "stdout") == 0 || strcmp(mode, "many") == 0)
                send_bad(mode, argc > 2 ? argv[2] : "/shared");
        bool store = strcmp(mode, "store") == 0;

        for (;;) {
                if (poll(p, (nfds_t) n, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        die("poll");
                }
                for (int i = 0; i < n; i++) {
                        if (!p[i].revents)
                                continue;
                        int acc = 0;
                        socklen_t len = sizeof(acc);
                        if (getsockopt(p[i].fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) == 0 && acc) {
                                int c = accept4(p[i].fd, NULL, NULL, SOCK_CLOEXEC);
                                if (c < 0)
                                        continue;
                                if (serve_line(c) == 0 && store) {
                                        if (notify("FDSTORE=1\nFDNAME=conn", &c, 1) < 0)
                                                die("send FDSTORE=1");
                                        store = false;
                                        mark_sent();
                                }
                                close(c);
                                continue;
                        }
                        /* A connection we were given: the fd store's. */
                        if (serve_line(p[i].fd) < 0 || is_conn[i]) {
                                if (is_conn[i])
                                        (void) notify("FDSTOREREMOVE=1\nFDNAME=conn", NULL, 0);
                                close(p[i].fd);
                                p[i] = p[--n];
                                is_conn[i] = is_conn[n];
                                i--;
                        }
                }
        }
}
