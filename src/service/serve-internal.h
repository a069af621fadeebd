/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What serve.c shares with serve-exec.c: the connection as serve read it, the bounded sends. */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "control-peer.h"
#include "control-request.h"

/* Slots and exec's files live here (ctr-launch@'s RuntimeDirectory=, root's, 0700). */
#define SERVE_RUN_DIR "/run/ctr-launch-serve"
/* Every reply, and every message to the client, is written within this. */
#define SERVE_REPLY_TIMEOUT_MSEC (10U * 1000U)

typedef struct ServeConn {
        int sock;
        char *rest;      /* what came after the request line: exec's first messages */
        size_t n_rest;
        int fds[CONTROL_EXEC_FDS]; /* what came with the request (exec: stdin, stdout, stderr) */
        size_t n_fds;
} ServeConn;

/* Waits until sock is ready for events, or the deadline: 0, -ETIMEDOUT or -errno. */
int serve_wait_until(int sock, short events, uint64_t deadline);
/* Sends all of buf (the fd, if >= 0, with its first byte) before the deadline, or -ETIMEDOUT. */
int serve_send_until(int sock, const char *buf, size_t len, int fd, uint64_t deadline);
/* The reply, within SERVE_REPLY_TIMEOUT_MSEC. */
int serve_reply(int sock, ControlReply *rep, char **ret_error);

/* exec, once polkit said yes (serve-exec.c): runs `ctr-launch exec` as a transient unit of PID 1
 * with the caller's stdio, relays signals and the pty's master, replies with the outcome. 1:
 * done (the reply holds the status); 0: refused or failed, with a reply saying so; < 0 with
 * *ret_error: the reply could not be sent. */
int serve_exec(ServeConn *c, const ControlPeer *peer, const ControlRequest *req, char **ret_error);
/* The caller's stdio as exec passes it on: terminals, pipes, sockets, character devices, and
 * regular files uid owns. 0, or -EPERM with *ret_error naming the fd and why. */
int serve_exec_check_fds(const ServeConn *c, uid_t uid, char **ret_error);
