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
#include <sys/statfs.h>
#include <linux/magic.h>
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
        /* The fd store: the fds that come with FDSTORE=1 are checked by the relay
         * (notify_fd_storable()); without them these lines do nothing. */
        "FDSTORE=", "FDSTOREREMOVE=", "FDNAME=", "FDPOLL=",
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

/* The fds a datagram carried, every SCM_RIGHTS array of it, into fds[] (at most max; *ret_n
 * counts them all, so > max tells that some were closed unseen). */
static void take_passed_fds(struct msghdr *mh, int *fds, size_t max, size_t *ret_n) {
        size_t k = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < n; i++) {
                        int fd;
                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        if (k < max)
                                fds[k] = fd;
                        else
                                close(fd);
                        k++;
                }
        }
        *ret_n = k;
}

static bool has_line(const char *msg, const char *line) {
        size_t n = strlen(line);
        for (const char *p = msg; p; p = strchr(p, '\n')) {
                if (*p == '\n')
                        p++;
                if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == 0))
                        return true;
        }
        return false;
}

/* msg without its FDSTORE=, FDNAME= and FDPOLL= lines (in place); false if nothing is left. */
static bool drop_fdstore_lines(char *msg) {
        char *out = msg;
        for (char *p = msg; *p;) {
                char *nl = strchr(p, '\n');
                size_t n = nl ? (size_t) (nl - p) : strlen(p);
                if (strncmp(p, "FDSTORE=", 8) != 0 && strncmp(p, "FDNAME=", 7) != 0 && strncmp(p, "FDPOLL=", 7) != 0) {
                        if (out != msg)
                                *out++ = '\n';
                        memmove(out, p, n);
                        out += n;
                }
                p += n + (nl ? 1 : 0);
        }
        *out = 0;
        return out != msg;
}

static ino_t pid_namespace_of(pid_t pid) {
        char path[64];
        struct stat st;
        snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int) pid);
        return stat(path, &st) < 0 ? 0 : st.st_ino;
}

int notify_fd_storable(int fd, ino_t container_pidns, char **ret_why) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return errmsg(ret_why, -errno, "fstat");
        if (S_ISSOCK(st.st_mode)) {
                /* A Unix socket connected to a process outside the container would be a way to
                 * a host service (the journal stream of its own stdout is one): not stored. */
                int domain = 0;
                socklen_t len = sizeof(domain);
                struct ucred cred = {};
                socklen_t clen = sizeof(cred);
                if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
                        return errmsg(ret_why, -errno, "getsockopt(SO_DOMAIN)");
                if (domain == AF_UNIX && getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) >= 0 && cred.pid > 0 &&
                    pid_namespace_of(cred.pid) != container_pidns)
                        return errmsg_plain(ret_why, -EPERM, "a Unix socket connected to a process outside the "
                                            "container (PID %d on the host)", (int) cred.pid);
                return 0;
        }
        if (S_ISREG(st.st_mode) && st.st_nlink == 0) {
                /* A memfd: unlinked, on the kernel's internal tmpfs or hugetlbfs mount, named so. */
                struct statfs sf;
                char path[64], target[32] = "";
                snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
                ssize_t k = readlink(path, target, sizeof(target) - 1);
                if (k > 0 && fstatfs(fd, &sf) >= 0 && (sf.f_type == TMPFS_MAGIC || sf.f_type == HUGETLBFS_MAGIC) &&
                    strncmp(target, "/memfd:", 7) == 0)
                        return 0;
        }
        const char *kind = S_ISREG(st.st_mode) ? "a file" : S_ISDIR(st.st_mode) ? "a directory" :
                           S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : S_ISFIFO(st.st_mode) ? "a FIFO" :
                           "an fd of another kind";
        return errmsg_plain(ret_why, -EPERM, "%s (only sockets and memfds are stored)", kind);
}

/* FDSTORE=1 with fds: checked, then forwarded with them, or refused with one warning (the rest
 * of the message still goes on). Closes the fds either way. */
static void relay_with_fds(char *msg, int *fds, size_t n, ino_t pidns) {
        _cleanup_free_ char *why = NULL;
        int r = 0;
        if (n > NOTIFY_FDSTORE_MAX)
                r = errmsg_plain(&why, -E2BIG, "%zu fds in one message, more than %u", n, NOTIFY_FDSTORE_MAX);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_free_ char *what = NULL;
                if ((r = notify_fd_storable(fds[i], pidns, &what)) < 0)
                        r = errmsg_plain(&why, r, "fd %zu of %zu is %s", i + 1, n, what ?: strerror(-r));
        }
        if (r >= 0) {
                r = sd_pid_notify_with_fds(0, 0, msg, fds, (unsigned) n);
                if (r < 0)
                        log_warning("notify relay: forward FDSTORE=1 with %zu fds to systemd: %s", n, strerror(-r));
        } else {
                log_warning("notify relay: refused the container's FDSTORE=1: %s", why);
                if (drop_fdstore_lines(msg) && (r = sd_notify(0, msg)) < 0)
                        log_warning("notify relay: forward to systemd: %s", strerror(-r));
        }
        for (size_t i = 0; i < n && i < NOTIFY_FDSTORE_MAX; i++)
                close(fds[i]);
}

int notify_relay_run(int sock_fd, int pidfd, pid_t pid, char **ret_error) {
        char buf[4096];
        /* Room for one more than we take: a message with more is refused, not cut. */
        char control[CMSG_SPACE(sizeof(int) * (NOTIFY_FDSTORE_MAX + 1))];
        const ino_t pidns = pid_namespace_of(pid);
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
                                int fds[NOTIFY_FDSTORE_MAX];
                                size_t n_fds = 0;
                                take_passed_fds(&mh, fds, NOTIFY_FDSTORE_MAX, &n_fds);
                                if (mh.msg_flags & MSG_CTRUNC)
                                        n_fds = NOTIFY_FDSTORE_MAX + 1; /* the kernel closed the rest */
                                _cleanup_free_ char *msg = NULL;
                                if ((size_t) n >= sizeof(buf) || (mh.msg_flags & MSG_TRUNC))
                                        log_warning("notify relay: dropped a message over %zu bytes", sizeof(buf) - 1);
                                else if (notify_filter(buf, (size_t) n, &msg) >= 0 && msg && n_fds > 0 &&
                                         has_line(msg, "FDSTORE=1")) {
                                        relay_with_fds(msg, fds, n_fds, pidns);
                                        n_fds = 0;
                                } else if (msg) {
                                        int r = sd_notify(0, msg);
                                        if (r < 0)
                                                log_warning("notify relay: forward to systemd: %s", strerror(-r));
                                }
                                for (size_t i = 0; i < n_fds && i < NOTIFY_FDSTORE_MAX; i++)
                                        close(fds[i]);
                        }
                }
                if (p[1].revents)
                        return 0; /* the container is gone; systemd saw its main process exit */
        }
}
