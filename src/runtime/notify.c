/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sd_notify from `start`: MAINPID= and READY=1 in one datagram, then a barrier; for
 * "container" readiness, the relay from the container's socket to systemd's. */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "errmsg.h"
#include "fd-util.h"
#include "macros.h"
#include "proc-util.h"
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

/* The fds one datagram carried: the real ones, as many as arrived. A datagram may bring up to
 * SCM_MAX_FD (253) of them and the relay's buffer has room for all, so that the kernel only
 * drops fds itself (MSG_CTRUNC) when we cannot take them in (RLIMIT_NOFILE): the message is
 * then "truncated", and a truncated FDSTORE=1 is refused. (Those the kernel drops are released
 * in our task: a lingering TCP socket among them could still hold the relay up, the one case
 * notify_close_detached() cannot cover.) */
void notify_passed_fds_take(struct msghdr *mh, NotifyPassedFds *ret) {
        *ret = (NotifyPassedFds) { .n = 0, .truncated = (mh->msg_flags & MSG_CTRUNC) != 0 };
        for (size_t i = 0; i < ELEMENTSOF(ret->fds); i++)
                ret->fds[i] = -EBADF;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < n; i++) {
                        int fd;
                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        if (ret->n < ELEMENTSOF(ret->fds))
                                ret->fds[ret->n++] = fd;
                        else {
                                /* Cannot happen (SCM_MAX_FD a message); never lose track of one. */
                                ret->truncated = true;
                                notify_close_detached(&fd, 1);
                        }
                }
        }
}

/* close() of an fd can wait: on a FUSE (or NFS) file, ->flush asks the server and waits for
 * its answer; the last close of a TCP socket with SO_LINGER waits up to the linger time for its
 * unsent data. The container chooses the fds it sends, and may be that FUSE server or that
 * stalled peer: so the relay never closes them itself. A child that shares our fd table
 * (CLONE_FILES) closes them and exits: their numbers are free for us at once, and if a close
 * waits, only that child waits (SIGCHLD is ignored, so it is reaped by the kernel; it is in
 * the unit, and stopping the unit ends it). Only when no child can be made (TasksMax) do we
 * close them here. */
void notify_close_detached(const int *fds, size_t n) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                k += fds[i] >= 0;
        if (k == 0)
                return;
        /* fork() with a shared fd table: the raw syscall (glibc's clone() wants a stack). The
         * child makes only close() and _exit() calls. */
#if defined(__s390__) || defined(__s390x__)
        pid_t pid = (pid_t) syscall(SYS_clone, NULL, CLONE_FILES | SIGCHLD, NULL, NULL, NULL);
#else
        pid_t pid = (pid_t) syscall(SYS_clone, CLONE_FILES | SIGCHLD, NULL, NULL, NULL, NULL);
#endif
        if (pid == 0) {
                for (size_t i = 0; i < n; i++)
                        if (fds[i] >= 0)
                                (void) close(fds[i]);
                _exit(0);
        }
        if (pid < 0) {
                log_warning("notify relay: no process to close the container's fds in (%s): closing them here",
                            strerror(errno));
                for (size_t i = 0; i < n; i++)
                        safe_close(fds[i]);
        }
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

/* The device of the kernel's internal mounts memfds live on (tmpfs, and hugetlbfs for the
 * default huge page size when there is one), from memfds of our own, made once. */
static int memfd_devices(dev_t ret[2], size_t *ret_n) {
        static dev_t devs[2];
        static size_t n_devs;
        static int state; /* 0 not yet, 1 known, < 0 -errno */
        if (state == 0) {
                struct stat st;
                int fd = memfd_create("ctr-launch-probe", MFD_CLOEXEC);
                if (fd < 0 || fstat(fd, &st) < 0)
                        state = -errno;
                else {
                        devs[n_devs++] = st.st_dev;
                        state = 1;
                }
                safe_close(fd);
                fd = memfd_create("ctr-launch-probe", MFD_CLOEXEC | MFD_HUGETLB);
                if (state > 0 && fd >= 0 && fstat(fd, &st) >= 0)
                        devs[n_devs++] = st.st_dev;
                safe_close(fd);
        }
        if (state < 0)
                return state;
        memcpy(ret, devs, sizeof(devs));
        *ret_n = n_devs;
        return 0;
}

static int is_memfd(int fd, const struct stat *st) {
        /* Unlinked, on the kernel's internal tmpfs or hugetlbfs mount, named so. The name and the
         * file system type alone a lookalike passes: a file unlinked from a tmpfs mounted at
         * "/memfd:x" (or a detached one) reads the same. The device is the kernel's own mount's,
         * which nothing else can be on. */
        struct statfs sf;
        char path[64], target[32] = "";
        dev_t devs[2];
        size_t n_devs = 0;
        if (!S_ISREG(st->st_mode) || st->st_nlink != 0)
                return false;
        int r = memfd_devices(devs, &n_devs);
        if (r < 0)
                return r;
        bool dev_ok = false;
        for (size_t i = 0; i < n_devs; i++)
                dev_ok = dev_ok || st->st_dev == devs[i];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        ssize_t k = readlink(path, target, sizeof(target) - 1);
        return dev_ok && k > 0 && fstatfs(fd, &sf) >= 0 && (sf.f_type == TMPFS_MAGIC || sf.f_type == HUGETLBFS_MAGIC) &&
               strncmp(target, "/memfd:", 7) == 0;
}

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

/* A Unix socket may reach a host service through its peer (the journal stream of the
 * container's own stdout is one). Its peer must be a live process of the container's PID
 * namespace; a socket without a peer is the container's own. */
static int unix_socket_storable(int fd, ino_t container_pidns, char **ret_why) {
        int listening = 0;
        socklen_t len = sizeof(listening);
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0)
                return errmsg(ret_why, -errno, "getsockopt(SO_ACCEPTCONN)");
        /* A listening socket has no peer: its SO_PEERCRED names whoever called listen(). It is
         * judged as an unconnected socket is. */
        if (listening)
                return 0;
        struct sockaddr_un sa;
        socklen_t salen = sizeof(sa);
        if (getpeername(fd, (struct sockaddr *) &sa, &salen) < 0) {
                if (errno == ENOTCONN)
                        return 0; /* unconnected: no peer */
                return errmsg(ret_why, -errno, "getpeername");
        }
        struct ucred cred = {};
        socklen_t clen = sizeof(cred);
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0)
                return errmsg(ret_why, -errno, "getsockopt(SO_PEERCRED)");
        /* Connected, but no peer PID: a connect()ed datagram socket (the kernel records no
         * credentials for those), or a peer in a PID namespace we do not see. */
        if (cred.pid <= 0)
                return errmsg_plain(ret_why, -EPERM, "a Unix socket whose peer cannot be told (no peer PID)");
        /* The peer's pidfd, by the socket where the kernel can (6.5), else by PID: then the
         * namespace by PID, and the pidfd still alive afterwards, so the PID named the peer. */
        socklen_t plen = sizeof(int);
        int pfd = -EBADF;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pfd, &plen) < 0) {
                if (errno != ENOPROTOOPT && errno != EINVAL)
                        return errmsg_plain(ret_why, -EPERM, "a Unix socket whose peer (PID %d) is gone", (int) cred.pid);
                pfd = pidfd_open(cred.pid, 0);
        }
        _cleanup_close_ int pidfd = pfd;
        ino_t ns = 0;
        if (pidfd < 0 || proc_pidns_verified(cred.pid, pidfd, &ns) < 0)
                return errmsg_plain(ret_why, -EPERM, "a Unix socket whose peer (PID %d) is gone", (int) cred.pid);
        if (ns != container_pidns)
                return errmsg_plain(ret_why, -EPERM, "a Unix socket connected to a process outside the "
                                    "container (PID %d on the host)", (int) cred.pid);
        return 0;
}

int notify_fd_storable(int fd, ino_t container_pidns, char **ret_why) {
        struct stat st;
        /* Without the container's PID namespace no Unix socket can be judged: nothing is. */
        if (container_pidns == 0)
                return errmsg_plain(ret_why, -EPERM, "an fd (the container's PID namespace is unknown: no fd is stored)");
        if (fstat(fd, &st) < 0)
                return errmsg(ret_why, -errno, "fstat");
        if (S_ISSOCK(st.st_mode)) {
                int domain = 0;
                socklen_t len = sizeof(domain);
                if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
                        return errmsg(ret_why, -errno, "getsockopt(SO_DOMAIN)");
                return domain == AF_UNIX ? unix_socket_storable(fd, container_pidns, ret_why) : 0;
        }
        int r = is_memfd(fd, &st);
        if (r < 0)
                return errmsg_plain(ret_why, -EPERM, "a file, and memfds cannot be told here (memfd_create: %s)",
                                    strerror(-r));
        if (r > 0)
                return 0;
        const char *kind = S_ISREG(st.st_mode) ? "a file" : S_ISDIR(st.st_mode) ? "a directory" :
                           S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : S_ISFIFO(st.st_mode) ? "a FIFO" :
                           "an fd of another kind";
        return errmsg_plain(ret_why, -EPERM, "%s (only sockets and memfds are stored)", kind);
}

/* FDSTORE=1 with fds: checked, then forwarded with them, or refused with one warning (the rest
 * of the message still goes on). The fds are the caller's to close. */
static void relay_with_fds(char *msg, const NotifyPassedFds *f, ino_t pidns) {
        _cleanup_free_ char *why = NULL;
        int r = 0;
        if (f->truncated)
                r = errmsg_plain(&why, -EMSGSIZE, "its fds did not all arrive (MSG_CTRUNC: %zu came, the relay's "
                                 "RLIMIT_NOFILE?)", f->n);
        else if (f->n > NOTIFY_FDSTORE_MAX)
                r = errmsg_plain(&why, -E2BIG, "%zu fds in one message, more than %u", f->n, NOTIFY_FDSTORE_MAX);
        for (size_t i = 0; r >= 0 && i < f->n; i++) {
                _cleanup_free_ char *what = NULL;
                if ((r = notify_fd_storable(f->fds[i], pidns, &what)) < 0)
                        r = errmsg_plain(&why, r, "fd %zu of %zu is %s", i + 1, f->n, what ?: strerror(-r));
        }
        if (r >= 0) {
                r = sd_pid_notify_with_fds(0, 0, msg, f->fds, (unsigned) f->n);
                if (r < 0)
                        log_warning("notify relay: forward FDSTORE=1 with %zu fds to systemd: %s", f->n, strerror(-r));
        } else {
                log_warning("notify relay: refused the container's FDSTORE=1: %s", why);
                if (drop_fdstore_lines(msg) && (r = sd_notify(0, msg)) < 0)
                        log_warning("notify relay: forward to systemd: %s", strerror(-r));
        }
}

int notify_relay_one(int sock_fd, ino_t pidns) {
        char buf[4096];
        /* Room for every fd one message can bring (SCM_MAX_FD): see notify_passed_fds_take(). */
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int) * NOTIFY_PASSED_FDS_MAX)];
        } control;
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control,
                             .msg_controllen = sizeof(control) };
        ssize_t n = recvmsg(sock_fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
        if (n < 0)
                return -errno;
        NotifyPassedFds f;
        notify_passed_fds_take(&mh, &f);
        _cleanup_free_ char *msg = NULL;
        if ((size_t) n >= sizeof(buf) || (mh.msg_flags & MSG_TRUNC))
                log_warning("notify relay: dropped a message over %zu bytes", sizeof(buf) - 1);
        else if (notify_filter(buf, (size_t) n, &msg) >= 0 && msg && (f.n > 0 || f.truncated) &&
                 has_line(msg, "FDSTORE=1"))
                relay_with_fds(msg, &f, pidns);
        else if (msg) {
                int r = sd_notify(0, msg);
                if (r < 0)
                        log_warning("notify relay: forward to systemd: %s", strerror(-r));
        }
        /* Forwarded or not, ours go: systemd has its own copies of those it took. */
        notify_close_detached(f.fds, f.n);
        return 0;
}

int notify_relay_run(int sock_fd, int pidfd, ino_t pidns, char **ret_error) {
        /* notify_close_detached()'s children are reaped by the kernel. */
        (void) signal(SIGCHLD, SIG_IGN);
        for (;;) {
                struct pollfd p[2] = { { .fd = sock_fd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return errmsg(ret_error, -errno, "notify relay: poll");
                }
                if (p[0].revents & POLLIN) {
                        int r = notify_relay_one(sock_fd, pidns);
                        if (r < 0 && r != -EAGAIN && r != -EINTR)
                                return errmsg(ret_error, r, "notify relay: receive");
                }
                if (p[1].revents)
                        return 0; /* the container is gone; systemd saw its main process exit */
        }
}
