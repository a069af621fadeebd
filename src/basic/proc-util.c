/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Process identity by PID and start time (proc-util.h). libc only; it reads /proc and never
 * signals a process it has not verified. */

#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fd-util.h"
#include "macros.h"
#include "proc-util.h"

/* The start of /proc/PID/<name>, NUL-terminated, in buf: -ESRCH if the process is gone. */
static int proc_read(pid_t pid, const char *name, char *buf, size_t size) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, name);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        ssize_t n = read(fd, buf, size - 1);
        if (n < 0)
                return errno == ESRCH ? -ESRCH : -errno;
        buf[n] = 0;
        return 0;
}

int proc_starttime(pid_t pid, uint64_t *ret) {
        char buf[1024];
        int r = proc_read(pid, "stat", buf, sizeof(buf));
        if (r < 0)
                return r;

        /* comm (field 2) may hold spaces and parentheses: skip to the last ')'. */
        char *p = strrchr(buf, ')');
        if (!p)
                return -EBADMSG;
        p++;
        /* Fields 3..21 precede starttime. */
        for (int field = 3; field <= 22; field++) {
                p += strspn(p, " ");
                if (field == 22) {
                        char *end;
                        errno = 0;
                        unsigned long long v = strtoull(p, &end, 10);
                        if (errno != 0 || end == p)
                                return -EBADMSG;
                        *ret = v;
                        return 0;
                }
                p += strcspn(p, " ");
                if (!*p)
                        return -EBADMSG;
        }
        return -EBADMSG;
}

int proc_euid(pid_t pid, uid_t *ret) {
        char buf[4096];
        int r = proc_read(pid, "status", buf, sizeof(buf));
        if (r < 0)
                return r;
        /* "Uid:\treal\teffective\tsaved\tfs" */
        const char *p = strstr(buf, "\nUid:");
        unsigned real, effective;
        if (!p || sscanf(p + 5, "%u %u", &real, &effective) != 2)
                return -EBADMSG;
        *ret = (uid_t) effective;
        return 0;
}

int proc_boottime_ticks(uint64_t *ret) {
        struct timespec ts;
        long hz = sysconf(_SC_CLK_TCK);
        if (hz <= 0)
                return -EINVAL;
        if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
                return -errno;
        /* As the kernel's nsec_to_clock_t(): truncated. */
        *ret = (uint64_t) ts.tv_sec * (uint64_t) hz + (uint64_t) ts.tv_nsec / (1000000000ULL / (uint64_t) hz);
        return 0;
}

int pidfd_open_verified(pid_t pid, uint64_t starttime, int *ret_pidfd) {
        if (pid <= 0)
                return -ESRCH;
        _cleanup_close_ int fd = pidfd_open(pid, 0);
        if (fd < 0)
                return -errno;
        uint64_t st;
        int r = proc_starttime(pid, &st);
        if (r < 0)
                return r;
        if (st != starttime)
                return -ESRCH;
        r = pidfd_is_alive(fd);
        if (r <= 0)
                return r < 0 ? r : -ESRCH;
        *ret_pidfd = TAKE_FD(fd);
        return 0;
}

int pidfd_is_alive(int pidfd) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        int r = poll(&p, 1, 0);
        if (r < 0)
                return -errno;
        return r == 0;
}

int proc_pidns_verified(pid_t pid, int pidfd, ino_t *ret) {
        char path[64];
        struct stat st;
        if (pid <= 0 || pidfd < 0)
                return -ESRCH;
        snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int) pid);
        if (stat(path, &st) < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        int r = pidfd_is_alive(pidfd);
        if (r <= 0)
                return r < 0 ? r : -ESRCH;
        *ret = st.st_ino;
        return 0;
}

int proc_set_loginuid(uint32_t uid) {
        int fd = open("/proc/self/loginuid", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        char buf[16];
        int n = snprintf(buf, sizeof(buf), "%u", (unsigned) uid);
        ssize_t k = write(fd, buf, (size_t) n);
        int r = k == n ? 0 : k < 0 ? -errno : -EIO;
        close(fd);
        return r;
}

int proc_cap_last_cap(void) {
        static int cached = -1;
        if (cached < 0) {
                cached = CAP_LAST_CAP;
                FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
                if (f) {
                        int v;
                        if (fscanf(f, "%d", &v) == 1 && v > 0 && v < 64)
                                cached = v;
                        fclose(f);
                }
        }
        return cached;
}
