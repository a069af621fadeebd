/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.sysctl: one write per key under the container's /proc/sys. Which keys are allowed is
 * oci-config-extras.c's decision; this file only makes sure each write lands in a real procfs
 * file (CVE-2025-52881: procfs writes redirected by a mount or a symlink). libc only. */

#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/statfs.h>

#include "errmsg.h"
#include "fd-util.h"
#include "path-util.h"
#include "sysctl.h"

static bool fd_is_procfs(int fd) {
        struct statfs sf;
        return fstatfs(fd, &sf) >= 0 && sf.f_type == PROC_SUPER_MAGIC;
}

int sysctl_apply(const OciConfig *c, char **ret_error) {
        if (!c->sysctl)
                return 0;

        _cleanup_close_ int sys = open("/proc/sys", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sys < 0)
                return errmsg(ret_error, -errno, "linux.sysctl: open /proc/sys (is a proc mounted on /proc?)");
        if (!fd_is_procfs(sys))
                return errmsg_plain(ret_error, -EINVAL, "linux.sysctl: /proc/sys is not on a proc filesystem");

        for (char **kv = c->sysctl; kv[0] && kv[1]; kv += 2) {
                _cleanup_free_ char *rel = strdup(kv[0]);
                if (!rel)
                        return -ENOMEM;
                for (char *p = rel; *p; p++)
                        if (*p == '.')
                                *p = '/';
                /* Beneath /proc/sys, no symlink, no mount crossing into something else. */
                _cleanup_close_ int fd = -EBADF;
                int r = open_in_root(sys, rel, O_WRONLY | O_NOFOLLOW | O_NOCTTY, 0, &fd);
                if (r < 0)
                        return errmsg(ret_error, r, "linux.sysctl: open /proc/sys/%s", rel);
                if (!fd_is_procfs(fd))
                        return errmsg_plain(ret_error, -EINVAL, "linux.sysctl: /proc/sys/%s is not a procfs file", rel);
                r = write_all(fd, kv[1], strlen(kv[1]));
                if (r < 0)
                        return errmsg(ret_error, r, "linux.sysctl: set %s to \"%s\"", kv[0], kv[1]);
        }
        return 0;
}
