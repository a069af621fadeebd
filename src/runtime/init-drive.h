/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* create's half of the conversation with the container's init while it builds the container:
 * the sync protocol's loop (procReady, procHooks and their answers), the log pipe, and the
 * init's last words when it fails. container.c forks the init and calls this. */

#include <sys/types.h>

#include "cgroup.h"
#include "hooks.h"
#include "pam-session.h"

/* Drives the sync protocol until the init is blocked on the FIFO (0) or has failed (< 0,
 * message in *ret_error): at procReady the host-side steps (PAM limits), at procHooks the
 * prestart and createRuntime hooks, which read state_json on stdin, at procSeccomp the
 * listener's hand-over to seccomp's agent (seccomp-notify.h). Never for ever: the init
 * that cannot go on (its cgroup, which may be NULL, frozen under it; stopped by a signal)
 * fails create within a second or so, and its own steps have a deadline (init-drive.c). */
int init_drive(int sync_fd, int log_fd, int pidfd, pid_t pid, const OciHooks *hooks, const OciSeccomp *seccomp,
               const char *state_json, const PamSession *pam, const Cgroup *cgroup, char **ret_error);
