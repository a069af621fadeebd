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
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "errmsg.h"
#include "time-util.h"
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
            listen(fd, START_FDS_BACKLOG) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int start_fds_send(int dir_fd, unsigned n, const char *names, char **ret_error) {
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
                /* Without fds: no start.sock (an older create's container), or nobody listening (the
                 * init is gone, which exec.fifo reports better): nothing to say. */
                if (n == 0 && (errno == ENOENT || errno == ECONNREFUSED))
                        return 0;
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
        _cleanup_free_ char *payload = NULL;
        if (asprintf(&payload, "%u %s", n, names ?: "") < 0) {
                payload = NULL;
                return errmsg(ret_error, -ENOMEM, "allocate");
        }
        size_t space = n > 0 ? CMSG_SPACE(sizeof(int) * n) : 0;
        _cleanup_free_ char *control = n > 0 ? calloc(1, space) : NULL;
        if (n > 0 && !control)
                return errmsg(ret_error, -ENOMEM, "allocate");
        struct iovec iov = { .iov_base = payload, .iov_len = strlen(payload) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = space };
        if (n > 0) {
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * n);
                for (unsigned i = 0; i < n; i++) {
                        int v = 3 + (int) i;
                        memcpy(CMSG_DATA(c) + i * sizeof(int), &v, sizeof(int));
                }
        }
        if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
                return errmsg(ret_error, -errno, "send %u fds to the container", n);
        /* The init has them now (queued on its socket). Copies we kept would hold connections open
         * after the container closed them, their peers never seeing EOF. */
        for (unsigned i = 0; i < n; i++)
                (void) close(3 + (int) i);
        return 0;
}

/* The message is queued before start opens exec.fifo (see the header), so it is there by the
 * time the init looks; the deadline only bounds a start that died between its two steps. */
#define START_FDS_TIMEOUT_MS 5000

typedef struct StartMessage {
        int *fds;
        size_t n_fds;
        char *names;
} StartMessage;

static void start_message_done(StartMessage *m) {
        for (size_t i = 0; m->fds && i < m->n_fds; i++)
                safe_close(m->fds[i]);
        free(m->fds);
        free(m->names);
        *m = (StartMessage) {};
}

/* One connection's message: 1 and *ret when complete, 0 when the peer closed without sending
 * (a start killed between its connect() and its send), -errno with *ret_error otherwise. */
static int receive_one(int conn, int timeout_ms, StartMessage *ret, char **ret_error) {
        struct pollfd p = { .fd = conn, .events = POLLIN };
        int k = poll(&p, 1, timeout_ms);
        if (k < 0)
                return errmsg(ret_error, -errno, "wait for start's message on %s", START_FDS_SOCKET);
        if (k == 0)
                return errmsg_plain(ret_error, -ETIMEDOUT, "start connected to %s and sent nothing", START_FDS_SOCKET);

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

        StartMessage m = {};
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t more = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                int *fds = realloc(m.fds, (m.n_fds + more + 1) * sizeof(int));
                if (!fds) {
                        for (size_t i = 0; i < more; i++) {
                                int fd;
                                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                                safe_close(fd);
                        }
                        start_message_done(&m);
                        return errmsg(ret_error, -ENOMEM, "allocate");
                }
                m.fds = fds;
                memcpy(m.fds + m.n_fds, CMSG_DATA(c), more * sizeof(int));
                m.n_fds += more;
        }
        /* SOCK_SEQPACKET: 0 bytes is the end of the connection (start never sends an empty
         * message), whatever rlimit the container has. */
        if (n == 0 && m.n_fds == 0)
                return 0;
        unsigned want = 0;
        int at = 0;
        int r = 0;
        if ((mh.msg_flags & MSG_TRUNC) || sscanf(payload, "%u %n", &want, &at) != 1 || at == 0)
                r = errmsg_plain(ret_error, -EBADMSG, "a malformed message on %s (%zd bytes)", START_FDS_SOCKET, n);
        else if (want != m.n_fds && (mh.msg_flags & MSG_CTRUNC))
                /* The kernel drops what does not fit: RLIMIT_NOFILE of the container's process. */
                r = errmsg_plain(ret_error, -EMFILE, "start passed %u fds and the container took %zu "
                                 "(its RLIMIT_NOFILE?)", want, m.n_fds);
        else if (want != m.n_fds)
                r = errmsg_plain(ret_error, -EBADMSG, "start said it passed %u fds, and %zu came on %s", want, m.n_fds,
                                 START_FDS_SOCKET);
        else if (payload[at] && !(m.names = strdup(payload + at)))
                r = errmsg(ret_error, -ENOMEM, "allocate");
        if (r < 0) {
                start_message_done(&m);
                return r;
        }
        *ret = m;
        return 1;
}

/* Whether the connecting process is the state directory's owner: the owner of the listening
 * socket, which create made (a socket's inode is its creator's), both as our user namespace
 * sees them. The directory's mode keeps everyone else out already; this is for what reaches
 * the socket anyway (an fd of it, a mode loosened by hand). */
static int peer_is_owner(int listen_fd, int conn, uid_t *ret_peer, uid_t *ret_owner) {
        struct stat st;
        struct ucred cred = {};
        socklen_t len = sizeof(cred);
        if (fstat(listen_fd, &st) < 0 || getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                return -errno;
        *ret_peer = cred.uid;
        *ret_owner = st.st_uid;
        return cred.uid == st.st_uid;
}

int start_fds_receive(int listen_fd, int **ret_fds, size_t *ret_n, char **ret_names, char **ret_warning,
                      char **ret_error) {
        *ret_fds = NULL;
        *ret_n = 0;
        *ret_names = NULL;
        if (ret_warning)
                *ret_warning = NULL;
        /* Every start sends one message, with or without fds, before it opens exec.fifo: the last
         * complete one queued is this start's. An earlier start may have sent and failed before
         * it opened the FIFO, or been killed between its connect and its send (end of file):
         * theirs are closed, with the fds they carried. */
        _cleanup_(start_message_done) StartMessage best = {};
        _cleanup_free_ char *failed = NULL;
        int failed_r = 0;
        unsigned dropped = 0;
        uid_t dropped_uid = 0, owner = 0;
        /* One deadline for all of them: a queue of silent connections cannot stretch it. */
        const uint64_t deadline = deadline_after_msec(START_FDS_TIMEOUT_MS);
        for (;;) {
                _cleanup_close_ int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
                if (conn < 0) {
                        if (errno == EAGAIN)
                                break;
                        return errmsg(ret_error, -errno, "accept on %s", START_FDS_SOCKET);
                }
                uid_t peer = 0;
                int r = peer_is_owner(listen_fd, conn, &peer, &owner);
                if (r < 0)
                        return errmsg(ret_error, r, "the peer of a connection on %s", START_FDS_SOCKET);
                if (r == 0) {
                        dropped++;
                        dropped_uid = peer;
                        continue;
                }
                StartMessage m = {};
                _cleanup_free_ char *error = NULL;
                r = receive_one(conn, deadline_left_msec(deadline), &m, &error);
                if (r == 0)
                        continue;
                /* A later failure is never covered by an earlier, older message. */
                start_message_done(&best);
                free(failed);
                failed = NULL;
                failed_r = 0;
                if (r > 0)
                        best = m;
                else {
                        failed = TAKE_PTR(error);
                        failed_r = r;
                }
        }
        if (dropped > 0 && ret_warning &&
            asprintf(ret_warning, "%s: dropped %u connection%s of uid %u, not the container's owner (uid %u)",
                     START_FDS_SOCKET, dropped, dropped == 1 ? "" : "s", (unsigned) dropped_uid, (unsigned) owner) < 0)
                *ret_warning = NULL;
        if (failed_r < 0)
                return errmsg_plain(ret_error, failed_r, "%s", failed);
        *ret_fds = TAKE_PTR(best.fds);
        *ret_n = best.n_fds;
        *ret_names = TAKE_PTR(best.names);
        best.n_fds = 0;
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
