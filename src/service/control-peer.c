/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The control socket's peer: credentials from the kernel, a pidfd that pins the process, and
 * its start time, uid and user namespace from /proc read while the pidfd shows it alive, so
 * that the (pid, start time) pair handed to polkit names the process that connected and no
 * other, and its requests count against the user it belongs to. */

#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>

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

static bool same_inode(const struct stat *a, const struct stat *b) {
        return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Whom a peer in the user namespace userns_fd counts as: the user that made the outermost user
 * namespace below ours on its way up (NS_GET_OWNER_UID: the euid of its creator, as we see it),
 * so that the subordinate uids a user maps with newuidmap, or the uids of namespaces nested in
 * hers, are all hers. The peer's own uid where it is in our namespace, outside our tree (we
 * cannot see above ours), or in one root made (systemd-nspawn -U, rootful podman: those uids
 * were handed out by root, each counts alone as before). */
static int accountable_uid(int userns_fd, uid_t peer_uid, uid_t *ret, bool *ret_ours) {
        struct stat own, st;
        if (stat("/proc/self/ns/user", &own) < 0 || fstat(userns_fd, &st) < 0)
                return -errno;
        *ret_ours = same_inode(&st, &own);
        _cleanup_close_ int cur = -EBADF;
        int fd = userns_fd;
        /* The kernel nests user namespaces 32 deep at most. */
        for (int depth = 0; depth < 40 && !same_inode(&st, &own); depth++) {
                _cleanup_close_ int parent = ioctl(fd, NS_GET_PARENT);
                struct stat pst;
                if (parent < 0 && errno == EPERM)
                        break; /* no parent we may see: not below ours */
                if (parent < 0)
                        return -errno;
                if (fstat(parent, &pst) < 0)
                        return -errno;
                if (same_inode(&pst, &own)) {
                        uid_t owner;
                        if (ioctl(fd, NS_GET_OWNER_UID, &owner) < 0)
                                return -errno;
                        *ret = owner == 0 ? peer_uid : owner;
                        return 0;
                }
                safe_close(cur);
                cur = TAKE_FD(parent);
                fd = cur;
                st = pst;
        }
        *ret = peer_uid;
        return 0;
}

int control_peer_identify(int sock, ControlPeer *ret, char **ret_error) {
        /* The peer connected before this moment: the caller accepted the connection just now. */
        uint64_t accepted;
        int r = proc_boottime_ticks(&accepted);
        if (r < 0)
                return errmsg(ret_error, r, "cannot read the clock");

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
        r = pidfd_get_pid(pidfd, &pid);
        if (r < 0)
                return errmsg(ret_error, r, "cannot read the requester's pidfd");
        if (pid != cred.pid)
                return errmsg_plain(ret_error, -ESRCH, "the requester (PID %d) has exited", (int) cred.pid);

        uint64_t starttime;
        uid_t euid;
        r = proc_starttime(pid, &starttime);
        if (r >= 0)
                r = proc_euid(pid, &euid);
        _cleanup_close_ int userns_fd = -EBADF;
        if (r >= 0) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/ns/user", (int) pid);
                userns_fd = open(path, O_RDONLY | O_CLOEXEC);
                if (userns_fd < 0)
                        r = errno == ENOENT || errno == ESRCH ? -ESRCH : -errno;
        }
        if (r < 0 && r != -ESRCH)
                return errmsg(ret_error, r, "cannot read /proc of the requester (PID %d)", (int) pid);
        if (r < 0)
                return errmsg_plain(ret_error, -ESRCH, "the requester (PID %d) has exited", (int) pid);
        /* Alive after the reads: they were that process's. Exited (even if not yet reaped):
         * refused, a process that is gone cannot be the subject of a decision. */
        r = pidfd_is_alive(pidfd);
        if (r <= 0)
                return errmsg_plain(ret_error, -ESRCH, "the requester (PID %d) has exited", (int) pid);
        /* The requester connected before we accepted: a process younger than the accept holds
         * a recycled PID (only possible on the pidfd_open() path). */
        if (starttime > accepted)
                return errmsg_plain(ret_error, -ESRCH, "the requester (PID %d) has exited", (int) pid);
        /* Another uid than at connect(): the PID recycled before the accept by someone else's
         * process (the one case the start time cannot catch, pidfd_open() path), or the process
         * changed its uid since (a set-uid exec, the CVE-2013-4288 class). Either way it is
         * not the requester as it connected. */
        if (euid != cred.uid)
                return errmsg_plain(ret_error, -ESRCH, "the requester (PID %d) has exited or changed its uid", (int) pid);
        uid_t accountable = cred.uid;
        bool ours = false;
        r = accountable_uid(userns_fd, cred.uid, &accountable, &ours);
        if (r < 0)
                return errmsg(ret_error, r, "cannot tell whose user namespace the requester (PID %d) is in", (int) pid);

        *ret = (ControlPeer) {
                .pid = pid,
                .uid = cred.uid,
                .gid = cred.gid,
                .accountable_uid = accountable,
                .in_our_userns = ours,
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
