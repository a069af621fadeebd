/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the container-*.c files share and nobody else needs. */

#include "container.h"
#include "hooks.h"

/* How long destroy waits for a SIGKILLed init to go (a process in uninterruptible sleep on a
 * dead NFS server can take a while); then it reports and leaves the state for a retry. */
#define DESTROY_TIMEOUT_MS 10000

/* An empty Container (pidfd -EBADF), or NULL without memory. */
Container *container_new(void);

/* poststart and poststop run in our namespaces; a failure is only a warning, and the hooks
 * after it still run (runtime-spec config.md). */
void container_run_hooks_warn(const OciHooks *h, HookKind kind, const ContainerState *s, ContainerStatus status);

/* Closes a PAM session its killed holder left open, or left half closed
 * (pam_session_close_leftover()). A close PAM refuses counts as done (PAM said why on stderr).
 * A close not done (timed out, or another process still at it) fills *ret_error, or only warns
 * when ret_error is NULL (a failed create's undo, which cannot keep the state). */
int container_close_pam_leftover(int dir_fd, char * const *annotations, char **ret_error);

/* What create and exec both check or write (container-create.c). */
/* --pid-file: absent, or a regular file we may replace. */
int container_check_pid_file(const char *path, char **ret_error);
/* Atomically, as conmon and containerd read it as soon as we return. */
int container_write_pid_file(const char *path, pid_t pid);
