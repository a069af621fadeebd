/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* process.terminal: the pty is made by the init from the container's own devpts instance, and
 * its master goes to the caller over --console-socket with SCM_RIGHTS. The launcher never
 * holds the pty itself. */

/* Parent: connects to the caller's console socket (AF_UNIX, SOCK_STREAM). */
int console_socket_connect(const char *path, int *ret_fd);
/* Init, after the switch of root: opens /dev/ptmx, sizes the pty, sends the master over
 * sock, bind-mounts the peer onto /dev/console and makes it the controlling terminal and
 * stdio. */
int console_setup(int sock, unsigned height, unsigned width, char **ret_error);
/* The same for a process exec'd into a running container: a new pty of its devpts, sent over
 * sock, as controlling terminal and stdio; /dev/console stays the init's. */
int console_setup_exec(int sock, unsigned height, unsigned width, char **ret_error);
