/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The exec.fifo handshake. */

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "errmsg.h"
#include "fd-util.h"
#include "exec-fifo.h"
#include "state-dir.h"
#include "time-util.h"

#define EXEC_ERROR_MAX 4096

int exec_fifo_make(int dir_fd, int *ret_path_fd) {
        /* 0622: the init opens it after switching to the container's user. Only the init can
         * reach it anyway: the state dir is 0700, and the init goes through /proc/self/fd. */
        if (mkfifoat(dir_fd, EXEC_FIFO, 0600) < 0 || fchmodat(dir_fd, EXEC_FIFO, 0622, 0) < 0)
                return -errno;
        int fd = openat(dir_fd, EXEC_FIFO, O_PATH | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        *ret_path_fd = fd;
        return 0;
}

int exec_fifo_signal(int path_fd, int *ret_fd) {
        char p[64];
        snprintf(p, sizeof(p), "/proc/self/fd/%d", path_fd);
        int fd = open(p, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = write_all(fd, "0", 1);
        if (r < 0) {
                safe_close(fd);
                return r;
        }
        *ret_fd = fd;
        return 0;
}

/* How long the init, blocked opening its end, may take to write its byte once ours is open:
 * no time at all, unless something holds it (a freezer that came after start's check). */
#define FIFO_ANSWER_TIMEOUT_MS 10000

/* Waits until fd is readable or hung up; -ESRCH if the init exited first. */
static int wait_fifo(int fd, int pidfd) {
        uint64_t deadline = deadline_after_msec(FIFO_ANSWER_TIMEOUT_MS);
        for (;;) {
                struct pollfd p[2] = {
                        { .fd = fd, .events = POLLIN },
                        { .fd = pidfd, .events = POLLIN },
                };
                int n = poll(p, 2, deadline_left_msec(deadline));
                if (n == 0)
                        return -ETIMEDOUT;
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
                        return 0;
                if (p[1].revents)
                        return -ESRCH;
        }
}

int exec_fifo_consume(int dir_fd, int init_pidfd, char **ret_error) {
        /* O_NONBLOCK: a blocking open would hang forever if the init died before opening its
         * end. With no writer yet, poll() reports nothing (not even POLLHUP) on this fd. */
        _cleanup_close_ int fd = openat(dir_fd, EXEC_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errmsg(ret_error, -errno, "open %s", EXEC_FIFO);
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode))
                return errmsg_plain(ret_error, -EBADF, "%s is not a FIFO", EXEC_FIFO);

        int r = wait_fifo(fd, init_pidfd);
        if (r == -ESRCH)
                return errmsg_plain(ret_error, r, "the container's init exited before start");
        if (r == -ETIMEDOUT)
                return errmsg_plain(ret_error, r, "the container's init did not answer on %s within %d s (frozen, "
                                    "or stopped?)", EXEC_FIFO, FIFO_ANSWER_TIMEOUT_MS / 1000);
        if (r < 0)
                return errmsg(ret_error, r, "wait on %s", EXEC_FIFO);

        char c;
        ssize_t n = read(fd, &c, 1);
        if (n < 0)
                return errmsg(ret_error, -errno, "read %s", EXEC_FIFO);
        if (n == 0 || c != '0')
                return errmsg_plain(ret_error, -EIO, "the container's init exited before start");

        /* Consumed: from now on the container is running (or failing to). */
        if (unlinkat(dir_fd, EXEC_FIFO, 0) < 0)
                return errmsg(ret_error, -errno, "unlink %s", EXEC_FIFO);

        return exec_report_read(fd, -1, ret_error);
}

int exec_report_read(int fd, int timeout_ms, char **ret_error) {
        /* EOF alone is success. */
        char buf[EXEC_ERROR_MAX];
        size_t len = 0;
        uint64_t deadline = timeout_ms < 0 ? 0 : deadline_after_msec((uint64_t) timeout_ms);
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int k = poll(&p, 1, timeout_ms < 0 ? -1 : deadline_left_msec(deadline));
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return errmsg(ret_error, -errno, "wait for the exec outcome");
                }
                if (k == 0)
                        return errmsg_plain(ret_error, -ETIMEDOUT, "no exec outcome after %d ms", timeout_ms);
                ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
                if (n < 0) {
                        if (errno == EAGAIN || errno == EINTR)
                                continue;
                        return errmsg(ret_error, -errno, "read the exec outcome");
                }
                if (n == 0 || (len += (size_t) n) == sizeof(buf) - 1)
                        break;
        }
        if (len > 0) {
                buf[len] = 0;
                /* The exec stub cannot format errors: it says "errno=N PATH", "seccomp errno=N
                 * WHAT" when the filter it loads is refused, "lsm errno=N WHAT" when the label
                 * is (src/init/lsm.h), "stub errno=N fcntl". */
                int e, at = 0;
                if (sscanf(buf, "errno=%d %n", &e, &at) == 1 && at > 0 && e > 0)
                        return errmsg_plain(ret_error, -e, "exec \"%s\": %s", buf + at, strerror(e));
                if (sscanf(buf, "seccomp errno=%d %n", &e, &at) == 1 && at > 0 && e > 0)
                        return errmsg_plain(ret_error, -e, "load the seccomp filter (%s): %s", buf + at, strerror(e));
                if (sscanf(buf, "lsm errno=%d %n", &e, &at) == 1 && at > 0 && e > 0)
                        return errmsg_plain(ret_error, -e, "apply the process's AppArmor profile or SELinux label "
                                            "(the exec stub's %s): %s", buf + at, strerror(e));
                /* Its fcntl, which runs under a filter loaded without noNewPrivileges. */
                if (sscanf(buf, "stub errno=%d %n", &e, &at) == 1 && at > 0 && e > 0)
                        return errmsg_plain(ret_error, -e,
                                            "the exec stub's %s: %s (without process.noNewPrivileges, the seccomp "
                                            "profile must allow it)", buf + at, strerror(e));
                return errmsg_plain(ret_error, -ENOEXEC, "%s", buf);
        }
        return 0;
}
