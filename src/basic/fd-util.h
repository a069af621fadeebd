/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Reading, writing and passing file descriptors. libc only. */

#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "macros.h"

/* Writes all of buf, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);
/* Opens dirfd/path for reading, a regular file only: O_NONBLOCK, so that a FIFO or a device
 * put where a file should be never blocks the open; then -EBADFD for anything but a regular
 * file (message: FD_NOT_REGULAR), -EISDIR for a directory. flags: 0 or O_NOFOLLOW (a symlink is
 * then -ELOOP). *ret_st (if not NULL) is the opened file's. */
int open_regular_at(int dirfd, const char *path, int flags, int *ret_fd, struct stat *ret_st);
#define FD_NOT_REGULAR "not a regular file"
/* Reads the whole regular file at dirfd/path (open_regular_at(), O_NOFOLLOW) into a NUL-terminated
 * buffer; -EFBIG if it is larger than max bytes. */
int read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_size);
/* Reads the rest of fd (a pipe too: stdin) into a NUL-terminated buffer; -EFBIG past max bytes. */
int read_full_fd(int fd, size_t max, char **ret, size_t *ret_size);
/* Reads one '\n'-terminated line (newline stripped) from a stream fd, byte by byte so that
 * nothing past the line is consumed; -EPIPE on EOF before any byte, -E2BIG past max. */
int read_line_fd(int fd, size_t max, char **ret);
/* SCM_RIGHTS: one fd over a Unix socket. */
int send_fd(int sock, int fd);
int recv_fd(int sock, int *ret_fd);
/* One byte, and the fd sent with it if any (*ret_fd -EBADF otherwise): to tell an fd from the
 * first byte of a text that came instead. -EPIPE at end of file. */
int recv_fd_or_byte(int sock, char *ret_byte, int *ret_fd);
/* Clears O_CLOEXEC: only for fds meant to cross execve() into the container. */
int fd_cloexec(int fd, int cloexec);

/* The lowest fd >= from that is not open (at most limit). Called first thing in main, it tells
 * which fds the caller handed us: those below it. */
int fd_first_closed(int from, int limit);

/* Closes every fd >= from except the listed ones (at most 16). */
int close_all_fds(int from, const int *except, size_t n_except);

/* Cleanup for streams and directory handles. */
static inline void fclosep(FILE **f) {
        if (*f)
                (void) fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)
static inline void closedirp(DIR **d) {
        if (*d)
                (void) closedir(*d);
}
#define _cleanup_closedir_ _cleanup_(closedirp)
/* One sendmsg() of buf with n_fds fds (up to 8) in SCM_RIGHTS; flags as send()'s. The count
 * of bytes sent, or -errno. */
ssize_t send_with_fds(int sock, const void *buf, size_t len, const int *fds, size_t n_fds, int flags);
/* One recvmsg() into buf (MSG_CMSG_CLOEXEC added to flags); the fds that came with it are
 * appended to fds[*n_fds..max_fds). The count of bytes, or -errno: -EBADMSG when more fds came
 * than fit (those that fit are in fds all the same, for the caller to close; the others are
 * closed). */
ssize_t recv_with_fds(int sock, void *buf, size_t len, int *fds, size_t max_fds, size_t *n_fds, int flags);
