/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sealed memfds: the exec stub's, or a copy of our own binary (see sealed-binary.h). */

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "macros.h"
#include "sealed-binary.h"

#if HAVE_EXEC_STUB
#include "exec-stub-data.h"
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

extern char **environ;

static int memfd_executable(const char *name) {
        /* MFD_EXEC (Linux 6.3) keeps the memfd executable where vm.memfd_noexec would make it
         * not; older kernels refuse the flag, and their memfds are executable anyway. */
        int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
        if (fd < 0 && errno == EINVAL)
                fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        return fd < 0 ? -errno : fd;
}

int exec_stub_open(int *ret_fd) {
#if HAVE_EXEC_STUB
        _cleanup_close_ int fd = memfd_executable("ctr-launch-exec");
        if (fd < 0)
                return fd;
        int r = write_all(fd, exec_stub_data, exec_stub_size);
        if (r < 0)
                return r;
        /* Execute-only: a process running an executable it may not read stays non-dumpable
         * across the exec, so a non-root container's stub, which briefly holds the FIFO, is
         * as closed to ptrace and /proc/PID/fd as the init was. */
        if (fchmod(fd, 0111) < 0 || fcntl(fd, F_ADD_SEALS, SEALS) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
#else
        return -EOPNOTSUPP;
#endif
}

int sealed_binary_ensure(char **argv, bool always) {
#if HAVE_EXEC_STUB
        if (!always)
                return 0;
#endif
        _cleanup_close_ int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (self < 0)
                return -errno;
        int seals = fcntl(self, F_GET_SEALS);
        if (seals >= 0 && (seals & SEALS) == SEALS)
                return 0;

        struct stat st;
        if (fstat(self, &st) < 0)
                return -errno;
        _cleanup_close_ int copy = memfd_executable("ctr-launch");
        if (copy < 0)
                return copy;
        for (off_t done = 0; done < st.st_size;) {
                ssize_t n = sendfile(copy, self, NULL, (size_t) (st.st_size - done));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        return -EIO; /* the file shrank under us */
                done += n;
        }
        if (fcntl(copy, F_ADD_SEALS, SEALS) < 0)
                return -errno;

        /* MFD_CLOEXEC is fine for an ELF binary: the kernel has loaded it before it closes
         * the fd. */
        fexecve(copy, argv, environ);
        return -errno;
}
