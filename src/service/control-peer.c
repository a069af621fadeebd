/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The control socket's peer: credentials from the kernel, a pidfd that pins the process, and
 * its start time from /proc read while the pidfd shows it alive, so that the (pid, start time)
 * pair handed to polkit names the process that connected and no other. */

#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>

#include "errmsg.h"
#include "fd-util.h"
#include "proc-util.h"
#include "control-peer.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

/* The PID a pidfd names, from /proc/self/fdinfo: -1 once the process has been reaped, 0 if
 * it is outside our PID namespace. */
static int pidfd_get_pid(int pidfd, pid_t *ret) {
        char path[64];
        _cleanup_free_ char *text = NULL;
        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
        int r = read_file_at(AT_FDCWD, path, 4096, &text, NULL);
        if (r < 0)
                return r;
        const char *p = strstr(text, "\nPid:");
        if (!p)
                return -EOPNOTSUPP;
        *ret = (pid_t) strtol(p + 5, NULL, 10);
        return 0;
}

int control_peer_identify(int sock, ControlPeer *ret, char **ret_error) {
        struct ucred cred;
        socklen_t len = sizeof(cred);
        if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                return errmsg(ret_error, -errno, "cannot read the requester's credentials");
        if (cred.pid <= 0)
                return errmsg_plain(ret_error, -ESRCH, "the requester has no process in our PID namespace");

        _cleanup_close_ int pidfd = -EBADF;
        len = sizeof(int);
        int fd;
        bool from_kernel = false;
        /* The test suite's way to run the path of kernels before 6.5 on a newer one
         * (tests/system/peer-identity.sh): only root can set a service's environment. */
        const char *e = getenv("CTR_LAUNCH_TEST_NO_PEERPIDFD");
        bool no_peerpidfd = e && strcmp(e, "1") == 0;
        if (!no_peerpidfd && getsockopt(sock, SOL_SOCKET, SO_PEERPIDFD, &fd, &len) == 0) {
                pidfd = fd;
                from_kernel = true;
        } else if (no_peerpidfd || errno == ENOPROTOOPT || errno == EINVAL) {
                /* Before Linux 6.5: a pidfd of whatever has the PID now. The start time check
                 * below catches a PID recycled since connect(). */
                pidfd = pidfd_open(cred.pid, 0);
                if (pidfd < 0 && errno == ESRCH)
                        return errmsg_plain(ret_error, -ESRCH, "the requester (PID %d) has exited", (int) cred.pid);
                if (pidfd < 0)
                        return errmsg(ret_error, -errno, "cannot pin the requester (PID %d)", (int) cred.pid);
        } else if (errno == ESRCH)
                return errmsg_plain(ret_error, -ESRCH, "the requester (PID %d) has exited", (int) cred.pid);
        else
                return errmsg(ret_error, -errno, "cannot pin the requester (PID %d)", (int) cred.pid);

        pid_t pid;
        int r = pidfd_get_pid(pidfd, &pid);
        if (r < 0)
                return errmsg(ret_error, r, "cannot read the requester's pidfd");
        if (pid != cred.pid)
                return errmsg_plain(ret_error, -ESRCH, "the requester (PID %d) has exited", (int) cred.pid);

        uint64_t starttime, own;
        r = proc_starttime(pid, &starttime);
        if (r < 0)
                return errmsg_plain(ret_error, -ESRCH, "the requester (PID %d) has exited", (int) pid);
        /* Alive after the read: the start time was that process's. Exited (even if not yet
         * reaped): refused, a process that is gone cannot be the subject of a decision. */
        r = pidfd_is_alive(pidfd);
        if (r <= 0)
                return errmsg_plain(ret_error, -ESRCH, "the requester (PID %d) has exited", (int) pid);
        /* The requester connected before systemd accepted and spawned us: a process younger
         * than us holds a recycled PID (only possible on the pidfd_open() path). */
        r = proc_starttime(getpid(), &own);
        if (r < 0)
                return errmsg(ret_error, r, "cannot read our own start time");
        if (starttime > own)
                return errmsg_plain(ret_error, -ESRCH, "the requester (PID %d) has exited", (int) pid);

        *ret = (ControlPeer) {
                .pid = pid,
                .uid = cred.uid,
                .gid = cred.gid,
                .starttime = starttime,
                .pidfd = TAKE_FD(pidfd),
                .pidfd_from_kernel = from_kernel,
        };
        return 0;
}

int control_peer_alive(const ControlPeer *p) {
        int r = pidfd_is_alive(p->pidfd);
        return r < 0 ? 0 : r;
}

void control_peer_done(ControlPeer *p) {
        p->pidfd = safe_close(p->pidfd);
}
