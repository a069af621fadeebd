/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The sd_notify bridge of `start` under a Type=notify unit: which readiness a container wants,
 * and telling systemd that the container's process is the unit's main process. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/* "container" readiness: the container's $NOTIFY_SOCKET is NOTIFY_SOCKET_DIR/NOTIFY_SOCKET_NAME,
 * a bind mount of <state dir>/NOTIFY_DIR where `start` binds the socket it relays from. */
#define NOTIFY_DIR "notify"
#define NOTIFY_SOCKET_DIR "/run/notify"
#define NOTIFY_SOCKET_NAME "notify.sock"

/* The annotation that chooses readiness: "exec" (the default) or "container". */
#define READINESS_ANNOTATION "org.ctr-launch.readiness"

typedef enum Readiness {
        READINESS_EXEC,      /* ready once the container's process was exec'd */
        READINESS_CONTAINER, /* ready when the container itself sends READY=1 */
} Readiness;

/* From the annotations (key, value, ...): -EINVAL for a value that is neither. */
int readiness_from_annotations(char * const *annotations, Readiness *ret);

/* Whether we were started with a $NOTIFY_SOCKET (a Type=notify unit's ExecStart=). */
bool notify_wanted(void);

/* "MAINPID=pid" (and "READY=1" when ready), in one datagram, then waits until systemd has
 * processed it (sd_notify_barrier), so that our exit is never seen first. */
int notify_main_pid(pid_t pid, bool ready, char **ret_error);

/* "container" readiness, in `start`: binds <state dir>/notify/notify.sock (a datagram socket
 * anyone in the container may send to) before the container's process runs. */
int notify_relay_open(int state_dir_fd, int *ret_fd, char **ret_error);
/* Forwards what the container sends, filtered by notify_filter(), to our $NOTIFY_SOCKET until
 * pidfd (the container's init) says it is gone. pidns: the container's PID namespace, as
 * container_start() found it (0: unknown, and then no fd is stored). Fds come along only with
 * FDSTORE=1, at most NOTIFY_FDSTORE_MAX, all of them arrived, each one notify_fd_storable():
 * otherwise the message's fd store lines are dropped with a warning. Any other fds (BARRIER=)
 * are dropped; the relay never close()s an fd of the container's itself
 * (notify_close_detached()). Sets SIGCHLD to SIG_IGN. */
int notify_relay_run(int sock_fd, int pidfd, ino_t pidns, char **ret_error);
/* One datagram of the relay: -EAGAIN when none was queued. */
int notify_relay_one(int sock_fd, ino_t pidns);
#define NOTIFY_FDSTORE_MAX 16U
/* The kernel's SCM_MAX_FD: the most fds one message can carry. */
#define NOTIFY_PASSED_FDS_MAX 253
typedef struct NotifyPassedFds {
        int fds[NOTIFY_PASSED_FDS_MAX]; /* fds[0 .. n-1] are real, the rest -EBADF */
        size_t n;
        bool truncated; /* MSG_CTRUNC: some fds the kernel dropped before they reached us */
} NotifyPassedFds;
/* The fds of a received datagram, as the cmsgs carry them. */
void notify_passed_fds_take(struct msghdr *mh, NotifyPassedFds *ret);
/* Closes fds (those >= 0) in a child that shares our fd table: a close that waits (a FUSE
 * file's flush, a lingering TCP socket) never holds up the caller. */
void notify_close_detached(const int *fds, size_t n);
/* Whether the container may put fd into the unit's fd store: a socket (a Unix socket only
 * without a peer, listening or unconnected, or connected to a live process of container_pidns,
 * the container's PID namespace) or a memfd (checked against the device of a memfd of our
 * own); never a file, directory, device, FIFO or anything else. container_pidns 0 (unknown):
 * nothing. -EPERM with *ret_why. A coarse type filter, not a security boundary
 * (docs/systemd.md, the fd store). */
int notify_fd_storable(int fd, ino_t container_pidns, char **ret_why);
/* The lines of one sd_notify datagram a container may send on to systemd: READY=1, STATUS=,
 * WATCHDOG=, WATCHDOG_USEC=, EXTEND_TIMEOUT_USEC=, RELOADING=1, STOPPING=1, ERRNO=,
 * BUSERROR=, MONOTONIC_USEC=, and the fd store's FDSTORE=, FDSTOREREMOVE=, FDNAME=, FDPOLL=.
 * MAINPID=, BARRIER= and anything else are dropped: a container must never point systemd at
 * a host PID. *ret is NULL when nothing is left (0). */
int notify_filter(const char *msg, size_t len, char **ret);
