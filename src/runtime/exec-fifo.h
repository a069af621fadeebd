/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* exec.fifo, both ends. The init is the writer: open(O_WRONLY) on a FIFO blocks until a reader
 * appears, which holds the fully built container until `start`. `start` is the reader: it
 * never writes into the container and has no writer to keep alive.
 *
 * After the "0" byte the same FIFO tells `start` how the execve() went: the init's write end is
 * O_CLOEXEC, so a successful execve() closes it (start reads EOF); a failed one writes the
 * error text before the init exits (or, from the exec stub, "errno=N PATH"). */

/* Parent, during create: makes <dir>/exec.fifo and returns an O_PATH fd to it for the init. */
int exec_fifo_make(int dir_fd, int *ret_path_fd);

/* Init: blocks until a reader opens, writes "0". Reopens through /proc/self/fd/<path_fd>,
 * since the FIFO's path is not reachable after pivot_root. Returns the write fd (O_CLOEXEC). */
int exec_fifo_signal(int path_fd, int *ret_fd);

/* start: opens the FIFO without blocking, waits for the byte while watching the init's pidfd
 * (a dead init means an error at once, never a hang), unlinks the FIFO, then waits for the
 * execve() outcome. On failure *ret_error says why (caller frees). */
int exec_fifo_consume(int dir_fd, int init_pidfd, char **ret_error);

/* The execve() outcome on a report channel (the FIFO after its byte, or exec's socket): EOF
 * alone is success, else the error text (or the exec stub's "errno=N PATH"). timeout_ms < 0:
 * none (the init's own steps, bounded). */
int exec_report_read(int fd, int timeout_ms, char **ret_error);
