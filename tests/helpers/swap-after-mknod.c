/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An LD_PRELOAD module for security.sh: stands in for a process that shares a directory of the
 * rootfs with the container (a volume another container writes) and swaps the node that
 * linux.devices just made for a symlink, at the worst moment: right after ctr-launch's
 * mknodat() of the name $CTR_TEST_SWAP_NAME, the node becomes a symlink to
 * $CTR_TEST_SWAP_TARGET. Anything else passes through. */

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int mknodat(int dirfd, const char *name, mode_t mode, dev_t dev) {
        static int (*real)(int, const char *, mode_t, dev_t);
        if (!real)
                real = (int (*)(int, const char *, mode_t, dev_t)) dlsym(RTLD_NEXT, "mknodat");
        int r = real(dirfd, name, mode, dev);
        const char *swap = getenv("CTR_TEST_SWAP_NAME"), *target = getenv("CTR_TEST_SWAP_TARGET");
        if (r == 0 && swap && target && strcmp(name, swap) == 0 && unlinkat(dirfd, name, 0) == 0)
                (void) !symlinkat(target, dirfd, name);
        return r;
}
