/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What serve's parent (serve-daemon.c), its children (serve.c) and exec (serve-exec.c) share:
 * the connection as a child read it, the bounded sends, the caps. */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "control-peer.h"
#include "control-request.h"

/* Slots and exec's files live here (ctr-launch.service's RuntimeDirectory=, root's, 0700). */
#define SERVE_RUN_DIR "/run/ctr-launch-serve"
/* Every reply, and every message to the client, is written within this. */
#define SERVE_REPLY_TIMEOUT_MSEC (10U * 1000U)
/* Requests in progress (children) of one accountable uid, and in all. */
#define SERVE_REQUESTS_PER_UID 8
#define SERVE_REQUESTS_MAX 64
/* How long the parent lets a child live, by what it says on its keepalive pipe: until polkit
 * said yes, the request line's, polkit's and the reply's deadlines with some slack (a client
 * cannot hold a child longer by what it sends: stdio fds on a FUSE mount that never answers
 * fstat, say); SERVE_STAGE_INTERACTIVE before asking polkit with an agent (who may take 300 s to
 * type a password); SERVE_STAGE_AUTHORIZED, then SERVE_LIFETIME_MSEC for the work (a start
 * through systemd takes ctr@'s TimeoutStartSec=); a foreground exec holds its child while the
 * process runs, SERVE_STAGE_EXTEND being SERVE_EXTEND_MSEC more from its last asking. Past that,
 * the parent kills it. */
#define SERVE_UNAUTHORIZED_MSEC (60U * 1000U)
#define SERVE_INTERACTIVE_MSEC ((300U + 60U) * 1000U)
#define SERVE_LIFETIME_MSEC (10U * 60U * 1000U)
#define SERVE_EXTEND_MSEC (5U * 60U * 1000U)
#define SERVE_STAGE_INTERACTIVE 'i'
#define SERVE_STAGE_AUTHORIZED 'a'
#define SERVE_STAGE_EXTEND 'e'

typedef struct ServeConn {
        int sock;
        int keepalive_fd; /* to the parent: a SERVE_STAGE_* byte (serve_tell_parent()) */
        char *rest;      /* what came after the request line: exec's first messages */
        size_t n_rest;
        int fds[CONTROL_EXEC_FDS]; /* what came with the request (exec: stdin, stdout, stderr) */
        size_t n_fds;
} ServeConn;

/* One SERVE_STAGE_* byte to the parent, which sets this child's deadline by it. */
void serve_tell_parent(const ServeConn *c, char stage);

/* Waits until sock is ready for events, or the deadline: 0, -ETIMEDOUT or -errno. */
int serve_wait_until(int sock, short events, uint64_t deadline);
/* Sends all of buf (the fd, if >= 0, with its first byte) before the deadline, or -ETIMEDOUT. */
int serve_send_until(int sock, const char *buf, size_t len, int fd, uint64_t deadline);
/* The reply, within SERVE_REPLY_TIMEOUT_MSEC, or before the deadline. */
int serve_reply(int sock, ControlReply *rep, char **ret_error);
int serve_reply_until(int sock, ControlReply *rep, uint64_t deadline, char **ret_error);
/* "not authorized: <why>" as the reply (sent before the deadline), and a warning naming the
 * peer (NULL: SO_PEERCRED's) and the request (may be NULL) for the journal. 0, or what sending
 * failed with. */
int serve_refuse_until(int sock, const ControlPeer *peer, const ControlRequest *req, const char *why,
                       uint64_t deadline, char **ret_error);

/* One connection, in a child of the parent that accepted it and pinned its peer: reads the
 * request (within its own deadline), asks polkit unless the requester is root, acts, and sends
 * one JSON reply. 1: carried out (the reply holds the verb's own status); 0: refused, with the
 * reply saying why (and a warning in the journal); < 0 with *ret_error: the reply not sent. */
int serve_connection(int sock, ControlPeer *peer, int keepalive_fd, char **ret_error);

/* exec, once polkit said yes (serve-exec.c): runs `ctr-launch exec` as a transient unit of PID 1
 * with the caller's stdio, relays signals and the pty's master, replies with the outcome. 1:
 * done (the reply holds the status); 0: refused or failed, with a reply saying so; < 0 with
 * *ret_error: the reply could not be sent. */
int serve_exec(ServeConn *c, const ControlPeer *peer, const ControlRequest *req, char **ret_error);
/* The caller's stdio as exec passes it on: terminals, pipes, sockets, character devices, and
 * regular files uid owns. 0, or -EPERM with *ret_error naming the fd and why. */
int serve_exec_check_fds(const ServeConn *c, uid_t uid, char **ret_error);
