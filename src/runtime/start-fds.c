/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Socket activation into a created container: start -> init over <state>/start.sock. */

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "errmsg.h"
#include "fd-util.h"
#include "parse-util.h"
#include "start-fds.h"

/* A path for bind()/connect() that reaches dir_fd's directory whatever its length. */
static int socket_address(int dir_fd, struct sockaddr_un *ret, socklen_t *ret_len) {
        *ret = (struct sockaddr_un) { .sun_family = AF_UNIX };
        int n = snprintf(ret->sun_path, sizeof(ret->sun_path), "/proc/self/fd/%d/" START_FDS_SOCKET, dir_fd);
        if (n < 0 || (size_t) n >= sizeof(ret->sun_path))
                return -ENAMETOOLONG;
        *ret_len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + (size_t) n + 1);
        return 0;
}

int start_fds_listen(int dir_fd, int *ret_fd) {
        struct sockaddr_un sa;
        socklen_t len;
        int r = socket_address(dir_fd, &sa, &len);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        /* The directory is its owner's alone; the socket is too (umask-independent). */
        if (bind(fd, (struct sockaddr *) &sa, len) < 0 || fchmodat(dir_fd, START_FDS_SOCKET, 0600, 0) < 0 ||
            listen(fd, 1) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int start_fds_send(int dir_fd, unsigned n, const char *names, char **ret_error) {
        if (n == 0)
                return 0;
        if (n > START_FDS_MAX)
                return errmsg_plain(ret_error, -E2BIG, "LISTEN_FDS=%u: at most %d fds can be passed to the container",
                                    n, START_FDS_MAX);
        if (names && strlen(names) >= START_FDS_NAMES_MAX)
                return errmsg_plain(ret_error, -E2BIG, "LISTEN_FDNAMES is too long");
        struct sockaddr_un sa;
        socklen_t len;
        int r = socket_address(dir_fd, &sa, &len);
        if (r < 0)
                return errmsg(ret_error, r, "reach %s", START_FDS_SOCKET);
        /* Non-blocking: a connect() to a listener whose backlog is full (earlier starts that
         * failed after sending) would wait forever; a Unix connect() never is in progress. */
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return errmsg(ret_error, -errno, "make a socket for the fds");
        if (connect(fd, (struct sockaddr *) &sa, len) < 0) {
                if (errno == ENOENT)
                        return errmsg_plain(ret_error, -ENOENT, "the container cannot take socket-activation fds "
                                            "(it was created without %s: create it again)", START_FDS_SOCKET);
                if (errno == EAGAIN)
                        return errmsg_plain(ret_error, -EAGAIN, "the container's %s is full: earlier starts sent "
                                            "fds and failed; delete the container and create it again",
                                            START_FDS_SOCKET);
                return errmsg(ret_error, -errno, "connect to the container's %s", START_FDS_SOCKET);
        }

        /* "N NAMES": the count first, so that the init knows what a truncated message lost. */
        char *payload = NULL;
        if (asprintf(&payload, "%u %s", n, names ?: "") < 0)
                return errmsg(ret_error, -ENOMEM, "allocate");
        size_t space = CMSG_SPACE(sizeof(int) * n);
        _cleanup_free_ char *control = calloc(1, space);
        if (!control) {
                free(payload);
                return errmsg(ret_error, -ENOMEM, "allocate");
        }
        struct iovec iov = { .iov_base = payload, .iov_len = strlen(payload) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = space };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        for (unsigned i = 0; i < n; i++) {
                int v = 3 + (int) i;
                memcpy(CMSG_DATA(c) + i * sizeof(int), &v, sizeof(int));
        }
        ssize_t k = sendmsg(fd, &mh, MSG_NOSIGNAL);
        int e = errno;
        free(payload);
        if (k < 0)
                return errmsg(ret_error, -e, "send %u fds to the container", n);
        return 0;
}

/* The message is queued before start opens exec.fifo (see the header), so it is there by the
 * time the init looks; the deadline only bounds a start that died between its two steps. */
#define START_FDS_TIMEOUT_MS 5000

int start_fds_receive(int listen_fd, int **ret_fds, size_t *ret_n, char **ret_names, char **ret_error) {
        *ret_fds = NULL;
        *ret_n = 0;
        *ret_names = NULL;
        /* The last connection queued is this start's: an earlier start may have sent its fds and
         * failed before it opened exec.fifo. Closing the others closes the fds they carried. */
        _cleanup_close_ int conn = -EBADF;
        for (;;) {
                int c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
                if (c < 0) {
                        if (errno == EAGAIN)
                                break;
                        return errmsg(ret_error, -errno, "accept on %s", START_FDS_SOCKET);
                }
                safe_close(conn);
                conn = c;
        }
        if (conn < 0)
                return 0;
        struct pollfd p = { .fd = conn, .events = POLLIN };
        int k = poll(&p, 1, START_FDS_TIMEOUT_MS);
        if (k <= 0)
                return errmsg_plain(ret_error, k == 0 ? -ETIMEDOUT : -errno, "start connected to %s and sent nothing",
                                    START_FDS_SOCKET);

        _cleanup_free_ char *payload = malloc(START_FDS_NAMES_MAX + 16);
        size_t space = CMSG_SPACE(sizeof(int) * START_FDS_MAX);
        _cleanup_free_ char *control = calloc(1, space);
        if (!payload || !control)
                return errmsg(ret_error, -ENOMEM, "allocate");
        struct iovec iov = { .iov_base = payload, .iov_len = START_FDS_NAMES_MAX + 15 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = space };
        ssize_t n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (n < 0)
                return errmsg(ret_error, -errno, "receive the fds from start");
        payload[n] = 0;

        int *fds = NULL;
        size_t n_fds = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && !fds) {
                        n_fds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        fds = calloc(n_fds ? n_fds : 1, sizeof(int));
                        if (!fds)
                                return errmsg(ret_error, -ENOMEM, "allocate");
                        memcpy(fds, CMSG_DATA(c), n_fds * sizeof(int));
                }
        unsigned want = 0;
        int at = 0;
        if (sscanf(payload, "%u %n", &want, &at) != 1 || at == 0 || want != n_fds ||
            (mh.msg_flags & (MSG_CTRUNC | MSG_TRUNC))) {
                /* RLIMIT_NOFILE of the container's process is the usual reason. */
                for (size_t i = 0; i < n_fds; i++)
                        close(fds[i]);
                free(fds);
                return errmsg_plain(ret_error, -EMFILE, "start passed %u fds and the container took %zu "
                                    "(its RLIMIT_NOFILE?)", want, n_fds);
        }
        if (payload[at]) {
                *ret_names = strdup(payload + at);
                if (!*ret_names) {
                        for (size_t i = 0; i < n_fds; i++)
                                close(fds[i]);
                        free(fds);
                        return errmsg(ret_error, -ENOMEM, "allocate");
                }
        }
        *ret_fds = fds;
        *ret_n = n_fds;
        return 0;
}

/* Moves *fd to a number >= min, keeping O_CLOEXEC. */
static int move_above(int *fd, int min) {
        if (*fd < 0 || *fd >= min)
                return 0;
        int n = fcntl(*fd, F_DUPFD_CLOEXEC, min);
        if (n < 0)
                return -errno;
        close(*fd);
        *fd = n;
        return 0;
}

int start_fds_place(int *fds, size_t n, int **keep, size_t n_keep, char **ret_error) {
        const int top = 3 + (int) n;
        int r = 0;
        for (size_t i = 0; r >= 0 && i < n_keep; i++)
                r = move_above(keep[i], top);
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = move_above(&fds[i], top);
        if (r < 0)
                return errmsg(ret_error, r, "make room for the %zu socket-activation fds (RLIMIT_NOFILE?)", n);
        for (size_t i = 0; i < n; i++) {
                /* Without O_CLOEXEC: these, and only these, cross the execve(). */
                if (dup3(fds[i], 3 + (int) i, 0) < 0)
                        return errmsg(ret_error, -errno, "place socket-activation fd %zu at %zu", i, i + 3);
                close(fds[i]);
                fds[i] = 3 + (int) i;
        }
        return 0;
}

unsigned listen_fds_from_env(const char **ret_names) {
        /* systemd socket activation: the fds are ours only if LISTEN_PID names us. */
        const char *pid = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS"), *names = getenv("LISTEN_FDNAMES");
        uint64_t p, k;
        if (ret_names)
                *ret_names = NULL;
        if (!pid || !n || parse_uint64(pid, INT_MAX, &p) < 0 || (pid_t) p != getpid() ||
            parse_uint64(n, 1024, &k) < 0)
                return 0;
        if (ret_names && names && k > 0) {
                size_t colons = 0;
                for (const char *c = names; *c; c++)
                        colons += *c == ':';
                if (colons + 1 == k)
                        *ret_names = names;
        }
        return (unsigned) k;
}
