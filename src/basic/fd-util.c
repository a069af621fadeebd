/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading, writing and passing file descriptors (fd-util.h). libc only, and nothing here
 * logs: the container's init uses it between fork and execve. */

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "macros.h"

int write_all(int fd, const void *buf, size_t len) {
        const char *p = buf;
        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

int read_full_fd(int fd, size_t max, char **ret, size_t *ret_size) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (S_ISREG(st.st_mode) && (uint64_t) st.st_size > max)
                return -EFBIG;

        size_t cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t) st.st_size + 1 : 4096, len = 0;
        _cleanup_free_ char *buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (len + 1 >= cap) {
                        if (cap > max + 1)
                                return -EFBIG;
                        cap *= 2;
                        char *n = realloc(buf, cap);
                        if (!n)
                                return -ENOMEM;
                        buf = n;
                }
                ssize_t k = read(fd, buf + len, cap - len - 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                len += (size_t) k;
                if (len > max)
                        return -EFBIG;
        }
        buf[len] = 0;
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = len;
        return 0;
}

int open_regular_at(int dirfd, const char *path, int flags, int *ret_fd, struct stat *ret_st) {
        /* A FIFO's open blocks until a writer comes, a tape device's may rewind: O_NONBLOCK
         * returns at once, and fstat() then refuses them without a read. */
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (flags & O_NOFOLLOW));
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if (ret_st)
                *ret_st = st;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -EBADF;
        int r = open_regular_at(dirfd, path, O_NOFOLLOW, &fd, NULL);
        if (r < 0)
                return r;
        return read_full_fd(fd, max, ret, ret_size);
}

int fd_first_closed(int from, int limit) {
        int fd = from;
        while (fd < limit && fcntl(fd, F_GETFD) >= 0)
                fd++;
        return fd;
}

/* Makes room for at least one more byte plus the NUL. */
static int grow(char **buf, size_t *cap, size_t len, size_t want, size_t max) {
        if (len + want + 1 <= *cap)
                return 0;
        size_t n = *cap;
        while (len + want + 1 > n)
                n *= 2;
        if (n > max + 1)
                n = max + 1;
        if (len + 2 > n)
                return -E2BIG;
        char *b = realloc(*buf, n);
        if (!b)
                return -ENOMEM;
        *buf = b;
        *cap = n;
        return 0;
}

int read_line_fd(int fd, size_t max, char **ret) {
        size_t cap = 256, len = 0;
        _cleanup_free_ char *buf = malloc(cap);
        bool is_socket = true;
        if (!buf)
                return -ENOMEM;
        for (;;) {
                int r = grow(&buf, &cap, len, 1, max);
                if (r < 0)
                        return r;
                /* On a socket, peek and then take exactly up to the newline: a few calls per
                 * line instead of one per byte, and nothing past the line consumed. */
                ssize_t k = is_socket ? recv(fd, buf + len, cap - len - 1, MSG_PEEK) : read(fd, buf + len, 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == ENOTSOCK && is_socket) {
                                is_socket = false;
                                continue;
                        }
                        return -errno;
                }
                if (k == 0) {
                        if (len == 0)
                                return -EPIPE;
                        break; /* a last line without newline still counts */
                }
                char *nl = memchr(buf + len, '\n', (size_t) k);
                size_t take = nl ? (size_t) (nl - (buf + len)) + 1 : (size_t) k;
                if (is_socket) {
                        ssize_t got;
                        while ((got = read(fd, buf + len, take)) < 0 && errno == EINTR)
                                ;
                        if (got != (ssize_t) take)
                                return got < 0 ? -errno : -EIO;
                }
                len += take;
                if (nl) {
                        len--;
                        break;
                }
        }
        buf[len] = 0;
        *ret = TAKE_PTR(buf);
        return 0;
}

/* One byte of data carrying one fd in SCM_RIGHTS, the shape both sides use. */
typedef struct FdMessage {
        char byte;
        struct iovec iov;
        struct msghdr mh;
        /* Last: struct cmsghdr ends in a flexible array, which may only end a struct. */
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control;
} FdMessage;

static void fd_message_init(FdMessage *m) {
        *m = (FdMessage) {};
        m->iov = (struct iovec) { .iov_base = &m->byte, .iov_len = 1 };
        m->mh = (struct msghdr) {
                .msg_iov = &m->iov, .msg_iovlen = 1,
                .msg_control = &m->control, .msg_controllen = sizeof(m->control),
        };
}

int send_fd(int sock, int fd) {
        FdMessage m;
        fd_message_init(&m);
        struct cmsghdr *c = CMSG_FIRSTHDR(&m.mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        if (sendmsg(sock, &m.mh, MSG_NOSIGNAL) < 0)
                return -errno;
        return 0;
}

int recv_fd_or_byte(int sock, char *ret_byte, int *ret_fd) {
        FdMessage m;
        fd_message_init(&m);
        ssize_t n = recvmsg(sock, &m.mh, MSG_CMSG_CLOEXEC);
        if (n < 0)
                return -errno;
        if (n == 0)
                return -EPIPE;
        *ret_byte = m.byte;
        *ret_fd = -EBADF;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m.mh); c; c = CMSG_NXTHDR(&m.mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
                    c->cmsg_len == CMSG_LEN(sizeof(int))) {
                        memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
                        break;
                }
        return 0;
}

int recv_fd(int sock, int *ret_fd) {
        char byte;
        int fd, r = recv_fd_or_byte(sock, &byte, &fd);
        if (r < 0)
                return r;
        if (fd < 0)
                return -EBADMSG;
        *ret_fd = fd;
        return 0;
}

int fd_cloexec(int fd, int cloexec) {
        int flags = fcntl(fd, F_GETFD);
        if (flags < 0)
                return -errno;
        int nflags = cloexec ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
        if (nflags != flags && fcntl(fd, F_SETFD, nflags) < 0)
                return -errno;
        return 0;
}

static int int_compare(const void *a, const void *b) {
        int x = *(const int *) a, y = *(const int *) b;
        return (x > y) - (x < y);
}

int close_all_fds(int from, const int *except, size_t n_except) {
        int keep[16];
        size_t n = 0;
        if (n_except > ELEMENTSOF(keep))
                return -E2BIG;
        for (size_t i = 0; i < n_except; i++)
                if (except[i] >= from)
                        keep[n++] = except[i];
        qsort(keep, n, sizeof(int), int_compare);

        /* close_range() over each gap between the fds to keep. */
        unsigned lo = (unsigned) from;
        for (size_t i = 0; i <= n; i++) {
                unsigned hi = i < n ? (unsigned) keep[i] : ~0U;
                if (hi > lo && close_range(lo, i < n ? hi - 1 : hi, 0) < 0)
                        return -errno;
                if (i < n)
                        lo = (unsigned) keep[i] + 1;
        }
        return 0;
}

#define FDS_MAX 8

ssize_t send_with_fds(int sock, const void *buf, size_t len, const int *fds, size_t n_fds, int flags) {
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * FDS_MAX)];
        } control = {};
        struct iovec iov = { .iov_base = (void *) buf, .iov_len = len };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        if (n_fds > FDS_MAX)
                return -EINVAL;
        if (n_fds > 0) {
                mh.msg_control = &control;
                mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
        }
        ssize_t k = sendmsg(sock, &mh, flags | MSG_NOSIGNAL);
        return k < 0 ? -errno : k;
}

ssize_t recv_with_fds(int sock, void *buf, size_t len, int *fds, size_t max_fds, size_t *n_fds, int flags) {
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * FDS_MAX)];
        } control;
        struct iovec iov = { .iov_base = buf, .iov_len = len };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control) };
        ssize_t k = recvmsg(sock, &mh, flags | MSG_CMSG_CLOEXEC);
        if (k < 0)
                return -errno;
        bool overflow = (mh.msg_flags & MSG_CTRUNC) != 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < n; i++) {
                        int fd;
                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        if (*n_fds < max_fds)
                                fds[(*n_fds)++] = fd;
                        else {
                                close(fd);
                                overflow = true;
                        }
                }
        }
        return overflow ? -EBADMSG : k;
}
