/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The unprivileged side of the control socket: a non-root caller's start, kill, delete, state
 * or list of a system container goes to the system service (`serve`) instead of running here.
 * ctr-launch never gains privilege itself: no setuid, no file capabilities. */

#include "cli.h"
#include "control-request.h"

/* Whether this command goes to the system service: the caller is not root, gave no --root,
 * the verb is one the service carries, and either --system was given, or the caller has no
 * state root of its own ($XDG_RUNTIME_DIR unset), or (not for list) no container of that id
 * under it. 1 with *ret filled; 0 when the
 * command runs here; < 0 (error printed, exit code -r) for --system with a command that cannot
 * go there. */
int control_client_applies(const GlobalOptions *g, int argc, char **argv, ControlRequest *ret);
/* Sends the request, prints the reply, returns the exit code. On a terminal, runs polkit's text
 * agent (pkttyagent) meanwhile, as systemctl does, so that polkit can ask for a password. */
int control_client_run(ControlRequest *req);
