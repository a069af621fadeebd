/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sealed memfd copy of our own binary (see sealed-binary.h). */

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/macros.h"
#include "sealed-binary.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static int is_sealed(int fd) {
        int seals = fcntl(fd, F_GET_SEALS);
        return seals >= 0 && (seals & SEALS) == SEALS;
}

int sealed_binary_ensure(char **argv) {
        _cleanup_close_ int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (self < 0)
                return -errno;
        if (is_sealed(self))
                return 0;

        struct stat st;
        if (fstat(self, &st) < 0)
                return -errno;
        _cleanup_close_ int copy = memfd_create("ctr-launch", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (copy < 0)
                return -errno;
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
         * the fd. Only a #! script would need the fd to survive. */
        fexecve(copy, argv, environ);
        return -errno;
}
