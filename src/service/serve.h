/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* `serve`: the privileged side of the control socket, run by ctr-launch.service with the
 * listening socket of ctr-launch.socket (Accept=no, LISTEN_FDS). The verb (cli/verb-serve.c)
 * only calls this and prints what it returns; the logic, and every decision, is here. */

#include <stdbool.h>

/* Accepts connections until nothing happened for idle_exit_sec with no request in progress
 * (or SIGTERM), one forked child per request (serve-daemon.c). Returns in the parent at its
 * end: 1, or < 0 with *ret_error when it could not serve at all (no listening socket). Returns
 * in each child too, with *ret_child set and the outcome of its one connection: 1 carried out,
 * 0 refused (the reply says why), < 0 with *ret_error: the reply could not be sent. Either
 * way the caller reports and exits: a child never goes back to the loop. */
int serve_run(unsigned idle_exit_sec, bool *ret_child, char **ret_error);
