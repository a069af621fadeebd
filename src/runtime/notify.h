/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The sd_notify bridge of `start` under a Type=notify unit: which readiness a container wants,
 * and telling systemd that the container's process is the unit's main process. */

#include <stdbool.h>
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
 * pidfd (the container's init, pid on the host) says it is gone. Fds come along only with
 * FDSTORE=1, at most NOTIFY_FDSTORE_MAX, each one notify_fd_storable(): otherwise the
 * message's fd store lines are dropped with a warning and its fds closed. Any other fds
 * (BARRIER=) are closed. */
int notify_relay_run(int sock_fd, int pidfd, pid_t pid, char **ret_error);
#define NOTIFY_FDSTORE_MAX 16U
/* Whether the container may put fd into the unit's fd store: a socket (but for a Unix socket
 * connected to a process outside container_pidns, the container's PID namespace) or a memfd;
 * never a file, directory, device, FIFO or anything else of the host. -EPERM with *ret_why. */
int notify_fd_storable(int fd, ino_t container_pidns, char **ret_why);
/* The lines of one sd_notify datagram a container may send on to systemd: READY=1, STATUS=,
 * WATCHDOG=, WATCHDOG_USEC=, EXTEND_TIMEOUT_USEC=, RELOADING=1, STOPPING=1, ERRNO=,
 * BUSERROR=, MONOTONIC_USEC=, and the fd store's FDSTORE=, FDSTOREREMOVE=, FDNAME=, FDPOLL=.
 * MAINPID=, BARRIER= and anything else are dropped: a container must never point systemd at
 * a host PID. *ret is NULL when nothing is left (0). */
int notify_filter(const char *msg, size_t len, char **ret);
