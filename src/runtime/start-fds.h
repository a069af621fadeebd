/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Socket activation into a created container. systemd passes a unit's sockets (and its fd
 * store) to ExecStart= only, which is `start`, not `create`: so `start` hands the fds it was
 * given to the waiting init, which places them at 3.. and execs with LISTEN_FDS, LISTEN_PID
 * (its own PID, the container process's) and LISTEN_FDNAMES.
 *
 * The channel is <state>/start.sock, a SOCK_SEQPACKET socket that create binds and listens on
 * and only the init holds (the state directory is its owner's alone, mode 0700). `start`
 * connects and sends one message, the names and the fds (none: a message all the same),
 * *before* it opens exec.fifo: once the init's open of the FIFO returns, the connection and its
 * message are already queued, so the init takes them without waiting. The last complete
 * message is this start's; the init only takes one from the state directory's owner. The
 * exec.fifo handshake is unchanged. */

#include <stddef.h>

#define START_FDS_SOCKET "start.sock"
/* What one SCM_RIGHTS message carries (the kernel's SCM_MAX_FD). */
#define START_FDS_MAX 253
/* Room for connections of starts that failed after they sent, before the init took them. */
#define START_FDS_BACKLOG 16
/* LISTEN_FDNAMES: one name per fd, ':' between them, each at most 255 bytes. */
#define START_FDS_NAMES_MAX (START_FDS_MAX * 256)

/* create: binds and listens on <dir>/start.sock; *ret_fd (O_CLOEXEC, non-blocking) is for the
 * init. */
int start_fds_listen(int dir_fd, int *ret_fd);

/* start: sends fds 3 .. 3+n-1 and names (LISTEN_FDNAMES, or NULL) to the container's init, and
 * closes them once sent. Sends a message without fds when n is 0, so that the init never takes
 * an earlier start's (0 then also when there is no start.sock). -ENOENT: the container has no
 * start.sock (made by an older create). */
int start_fds_send(int dir_fd, unsigned n, const char *names, char **ret_error);

/* The init, after exec.fifo: what start sent, the last complete message queued (*ret_n 0 when
 * none or it had no fds). A connection whose peer closed without a message is skipped; one whose
 * peer's uid is not the owner of listen_fd (create's, the state directory's owner) is dropped,
 * and *ret_warning (may be NULL) says so. The fds come O_CLOEXEC; *ret_names is NULL when start
 * had none. */
int start_fds_receive(int listen_fd, int **ret_fds, size_t *ret_n, char **ret_names, char **ret_warning,
                      char **ret_error);

/* The init: puts fds[i] at 3+i without O_CLOEXEC, after moving the fds in keep (those it still
 * needs, updated in place) and the received ones above 3+n. Whatever else sat at 3 .. 3+n-1 was
 * O_CLOEXEC and is closed by dup3(). */
int start_fds_place(int *fds, size_t n, int **keep, size_t n_keep, char **ret_error);

/* systemd's socket activation of this process: LISTEN_FDS when LISTEN_PID names us, else 0.
 * *ret_names (may be NULL) gets LISTEN_FDNAMES when it has exactly that many names. */
unsigned listen_fds_from_env(const char **ret_names);
