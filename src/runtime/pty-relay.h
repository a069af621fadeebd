/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A foreground caller (`run`, `exec` without --detach) and its process: the signals it passes
 * on, the wait for the exit status, and, for a process with a terminal and no
 * --console-socket, the pty that the caller relays to its own stdio as runc does (raw mode,
 * window size, restored on every way out). Prints nothing.
 *
 * The sequence:
 *   sigset_t set; pty_relay_signals(&set); sigprocmask(SIG_BLOCK, &set, &old);
 *   pty_relay_channel(&ours, &theirs);   theirs -> CreateOptions.console_fd (or exec's)
 *   ... create; close theirs ...
 *   pty_relay_take_master(ours, &master);  -EBADF there: the process has no terminal
 *   pty_relay_copy_size(master);          before the process runs: it sees the size at once
 *   ... start ...
 *   pty_relay_run(master, pidfd, signalfd(-1, &set, SFD_CLOEXEC), &status);
 */

#include <signal.h>
#include <stdbool.h>

/* The signals a foreground caller passes on to its process rather than acting on them: all
 * but SIGKILL, SIGSTOP, SIGCHLD and the synchronous ones (a fault of our own). Block them
 * before the process exists, so that none is lost, and read them from a signalfd. */
void pty_relay_signals(sigset_t *ret);

/* A connected pair (AF_UNIX, SOCK_STREAM): *ret_ours stays with the caller, *ret_theirs is
 * what the init sends the pty master over instead of a --console-socket. */
int pty_relay_channel(int *ret_ours, int *ret_theirs, char **ret_error);
/* Once every copy of theirs is closed (the init closes its own once it has sent): the pty
 * master the init sent, or -EBADF in *ret_master when it sent none (no process.terminal).
 * Never waits. */
int pty_relay_take_master(int ours, int *ret_master, char **ret_error);

/* The window size of our terminal (stdin, else stdout, else stderr): false when none of them
 * is a terminal that knows its size. For a pty made before we hold its master (exec). */
bool pty_relay_window_size(unsigned *ret_rows, unsigned *ret_cols);
/* Copies the window size of our terminal (stdin, else stdout, else stderr) to the pty; nothing
 * when none of them is a terminal. */
int pty_relay_copy_size(int master_fd);

/* Until the process behind pidfd (a child of ours: its status is collected with waitid)
 * exits: passes each signal read from signal_fd on to it, and with master_fd >= 0 relays
 * stdin to the pty and the pty to stdout. Our stdin, if a terminal, is in raw mode meanwhile
 * and restored before this returns, whatever the way out; SIGWINCH then copies our window size
 * to the pty (the kernel tells the process) instead of being passed on. Once the process has
 * exited, what the pty still holds is copied out, with a deadline; stdin's end is passed on as
 * the pty's end-of-file character when the pty is in canonical mode. *ret_status: the exit
 * status, 128+N for signal N. */
int pty_relay_run(int master_fd, int pidfd, int signal_fd, int *ret_status, char **ret_error);
