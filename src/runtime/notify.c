/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sd_notify from `start`: MAINPID= and READY=1 in one datagram, then a barrier; for
 * "container" readiness, the relay from the container's socket to systemd's. */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "errmsg.h"
#include "macros.h"
#include "strv.h"
#include "log.h"
#include "notify.h"

/* How long `start` waits for systemd to take the message in before it exits anyway. */
#define NOTIFY_BARRIER_USEC (5ULL * 1000000ULL)

int readiness_from_annotations(char * const *annotations, Readiness *ret) {
        const char *v = strv_pairs_get(annotations, READINESS_ANNOTATION);
        if (!v || strcmp(v, "exec") == 0)
                *ret = READINESS_EXEC;
        else if (strcmp(v, "container") == 0)
                *ret = READINESS_CONTAINER;
        else
                return -EINVAL;
        return 0;
}

bool notify_wanted(void) {
        const char *s = getenv("NOTIFY_SOCKET");
        return s && *s;
}

int notify_main_pid(pid_t pid, bool ready, char **ret_error) {
        int r = sd_notifyf(0, "MAINPID=%d%s", (int) pid, ready ? "\nREADY=1" : "");
        if (r < 0)
                return errmsg(ret_error, r, "tell systemd the container's process is the main process");
        if (r == 0)
                return 0; /* no $NOTIFY_SOCKET after all */
        r = sd_notify_barrier(0, NOTIFY_BARRIER_USEC);
        if (r < 0)
                log_warning("wait for systemd to take in MAINPID=%d: %s", (int) pid, strerror(-r));
        return 0;
}

/* ---------------------------------------------------------------- "container" readiness */

static const char *const allowed[] = {
        "READY=",  "STATUS=",    "WATCHDOG=", "WATCHDOG_USEC=", "EXTEND_TIMEOUT_USEC=", "RELOADING=",
        "STOPPING=", "ERRNO=", "BUSERROR=", "MONOTONIC_USEC=",
};

static bool line_allowed(const char *line, size_t n) {
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) line[i] < 0x20 || line[i] == 0x7f)
                        return false;
        for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
                size_t k = strlen(allowed[i]);
                if (n >= k && memcmp(line, allowed[i], k) == 0)
                        return true;
        }
        return false;
}

int notify_filter(const char *msg, size_t len, char **ret) {
        char *out = malloc(len + 1);
        if (!out)
                return -ENOMEM;
        size_t o = 0;
        for (size_t i = 0; i < len;) {
                const char *nl = memchr(msg + i, '\n', len - i);
                size_t n = nl ? (size_t) (nl - (msg + i)) : len - i;
                if (n > 0 && line_allowed(msg + i, n)) {
                        memcpy(out + o, msg + i, n);
                        o += n;
                        out[o++] = '\n';
                }
                i += n + 1;
        }
        if (o == 0) {
                free(out);
                *ret = NULL;
                return 0;
        }
        out[o - 1] = 0; /* no trailing newline */
        *ret = out;
        return 0;
}

int notify_relay_open(int state_dir_fd, int *ret_fd, char **ret_error) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s/%s", state_dir_fd, NOTIFY_DIR,
                         NOTIFY_SOCKET_NAME);
        if (n < 0 || (size_t) n >= sizeof(sa.sun_path))
                return errmsg(ret_error, -ENAMETOOLONG, "bind the notify socket %s/%s", NOTIFY_DIR, NOTIFY_SOCKET_NAME);
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return errmsg(ret_error, -errno, "make the notify socket");
        (void) unlink(sa.sun_path);
        /* The socket's mode is set by bind() from the umask: 0666, so that the container's
         * processes, whatever their uid, can send. A chmod() after bind() would go by the path
         * again, and follow whatever stands there by then. We are single-threaded here. */
        mode_t old = umask(0111);
        int k = bind(fd, (struct sockaddr *) &sa, sizeof(sa));
        int r = -errno;
        umask(old);
        if (k < 0) {
                close(fd);
                return errmsg(ret_error, r, "bind the notify socket %s/%s", NOTIFY_DIR, NOTIFY_SOCKET_NAME);
        }
        *ret_fd = fd;
        return 0;
}

static void close_passed_fds(struct msghdr *mh) {
        for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                int fds[n > 0 ? n : 1];
                memcpy(fds, CMSG_DATA(c), n * sizeof(int));
                for (size_t i = 0; i < n; i++)
                        close(fds[i]);
        }
}

int notify_relay_run(int sock_fd, int pidfd, char **ret_error) {
        char buf[4096];
        char control[CMSG_SPACE(sizeof(int) * 16)];
        for (;;) {
                struct pollfd p[2] = { { .fd = sock_fd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return errmsg(ret_error, -errno, "notify relay: poll");
                }
                if (p[0].revents & POLLIN) {
                        struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
                        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                                             .msg_controllen = sizeof(control) };
                        ssize_t n = recvmsg(sock_fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
                        if (n < 0 && errno != EAGAIN && errno != EINTR)
                                return errmsg(ret_error, -errno, "notify relay: receive");
                        if (n >= 0) {
                                close_passed_fds(&mh);
                                _cleanup_free_ char *msg = NULL;
                                if ((size_t) n >= sizeof(buf) || (mh.msg_flags & MSG_TRUNC))
                                        log_warning("notify relay: dropped a message over %zu bytes", sizeof(buf) - 1);
                                else if (notify_filter(buf, (size_t) n, &msg) >= 0 && msg) {
                                        int r = sd_notify(0, msg);
                                        if (r < 0)
                                                log_warning("notify relay: forward to systemd: %s", strerror(-r));
                                }
                        }
                }
                if (p[1].revents)
                        return 0; /* the container is gone; systemd saw its main process exit */
        }
}
