/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Small macros used everywhere: cleanup attributes and ownership transfer.
 * libc only: this header is safe in the container's init between fork and execve. */

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define _unused_ __attribute__((unused))
#define _noreturn_ __attribute__((noreturn))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _cleanup_(f) __attribute__((cleanup(f)))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Hand ownership on: returns the value and resets the variable so cleanup skips it. */
#define TAKE_PTR(p)                      \
        ({                               \
                __typeof__(p) _p_ = (p); \
                (p) = NULL;              \
                _p_;                     \
        })
#define TAKE_FD(fd)                  \
        ({                           \
                int _fd_ = (fd);     \
                (fd) = -EBADF;       \
                _fd_;                \
        })

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

/* close() that keeps errno, ignores invalid fds, and never retries on EINTR (Linux closes anyway). */
static inline int safe_close(int fd) {
        if (fd >= 0) {
                int saved = errno;
                (void) close(fd);
                errno = saved;
        }
        return -EBADF;
}
static inline void closep(int *fd) {
        safe_close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

#define RET_NERRNO(expr)                  \
        ({                                \
                int _r_ = (expr);         \
                _r_ < 0 ? -errno : _r_;   \
        })
