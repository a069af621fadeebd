/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The process's LSM label for its exec (lsm.h). */

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "errmsg.h"
#include "fd-util.h"
#include "lsm.h"

void lsm_exec_label_done(LsmExecLabel *l) {
        safe_close(l->attr_fd);
        free(l->text);
        *l = LSM_EXEC_LABEL_NULL;
}

bool lsm_exec_label_wanted(const OciProcess *p) {
        return (p->apparmor_profile && *p->apparmor_profile) || (p->selinux_label && *p->selinux_label);
}

int lsm_exec_label_open(int proc_fd, const OciProcess *p, LsmExecLabel *ret, char **ret_error) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *text = NULL;
        const char *lsm;

        *ret = LSM_EXEC_LABEL_NULL;
        if (p->apparmor_profile && *p->apparmor_profile) {
                /* AppArmor's own attr directory (Linux 5.8), which no other module claims; the
                 * shared one before it. Its exec attr takes "exec PROFILE" in both. */
                lsm = "AppArmor";
                fd = openat(proc_fd, "thread-self/attr/apparmor/exec", O_PATH | O_CLOEXEC);
                if (fd < 0 && errno == ENOENT)
                        fd = openat(proc_fd, "thread-self/attr/exec", O_PATH | O_CLOEXEC);
                if (asprintf(&text, "exec %s", p->apparmor_profile) < 0)
                        return -ENOMEM;
        } else if (p->selinux_label && *p->selinux_label) {
                lsm = "SELinux";
                fd = openat(proc_fd, "thread-self/attr/exec", O_PATH | O_CLOEXEC);
                if (!(text = strdup(p->selinux_label)))
                        return -ENOMEM;
        } else
                return 0;
        if (fd < 0)
                return errmsg(ret_error, -errno, "%s label: open /proc/thread-self/attr/.../exec", lsm);
        struct statfs sf;
        if (fstatfs(fd, &sf) < 0)
                return errmsg(ret_error, -errno, "%s label: fstatfs the attr file", lsm);
        if (sf.f_type != PROC_SUPER_MAGIC)
                return errmsg_plain(ret_error, -EXDEV, "%s label: the attr file is not on a procfs", lsm);
        *ret = (LsmExecLabel) { .attr_fd = TAKE_FD(fd), .text = TAKE_PTR(text), .lsm = lsm };
        return 0;
}

int lsm_exec_label_write(const LsmExecLabel *l, char **ret_error) {
        if (l->attr_fd < 0)
                return 0;
        /* Reopened through /proc/self/fd, and checked to be the same file: see the stub's
         * write_label(). */
        char path[64];
        struct stat a, b;
        snprintf(path, sizeof(path), "/proc/self/fd/%d", l->attr_fd);
        _cleanup_close_ int w = open(path, O_WRONLY | O_CLOEXEC);
        if (w < 0)
                return errmsg(ret_error, -errno, "%s label: reopen the attr file", l->lsm);
        if (fstat(l->attr_fd, &a) < 0 || fstat(w, &b) < 0)
                return errmsg(ret_error, -errno, "%s label: fstat the attr file", l->lsm);
        if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
                return errmsg_plain(ret_error, -EXDEV, "%s label: /proc/self/fd led elsewhere (is the container's "
                                    "/proc a procfs?)", l->lsm);
        ssize_t n = write(w, l->text, strlen(l->text));
        if (n < 0)
                return errmsg(ret_error, -errno, "%s label: write \"%s\"", l->lsm, l->text);
        if ((size_t) n != strlen(l->text))
                return errmsg_plain(ret_error, -EIO, "%s label: short write of \"%s\"", l->lsm, l->text);
        return 0;
}
