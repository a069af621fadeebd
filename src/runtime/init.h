/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container's init: the child side of create, from fork to execve(). It receives its
 * configuration over the sync socket, builds the container step by step, reports every
 * failure over the log pipe and the sync socket (never to the user directly), then blocks on
 * exec.fifo until `start`. */

#include <stdbool.h>

#include "macros.h"

/* dumpable_until_document: an unprivileged parent writes our uid/gid maps (issue 7), which it
 * may do only while we are dumpable. */
_noreturn_ void init_main(int sync_fd, int log_fd, bool dumpable_until_document);
