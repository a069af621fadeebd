/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The runtime side of runtime-spec's seccomp-notify protocol (config-linux.md, "listenerPath";
 * state.md, "containerProcessState"): the listener fd of a process's SCMP_ACT_NOTIFY rules goes
 * to the seccomp agent listening on linux.seccomp.listenerPath, with one JSON document. create
 * and exec call it while the process waits for their answer. */

#include <sys/types.h>

#include "oci-config.h"

/* Connects to s->listener_path and sends {"ociVersion", "fds": ["seccompFd"], "pid",
 * "metadata", "state"} with listener_fd attached (SCM_RIGHTS), then closes the connection.
 * state_json: the container's OCI state. Within a deadline: an agent that does not accept or
 * read fails the call. */
int seccomp_notify_send(const OciSeccomp *s, const char *state_json, pid_t pid, int listener_fd, char **ret_error);
