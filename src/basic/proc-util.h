/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Process identity: a PID means nothing without its start time, so every lookup of a recorded
 * container process goes through here. libc only. */

#include <stdint.h>
#include <sys/types.h>

/* Field 22 of /proc/PID/stat (clock ticks since boot). -ESRCH if the process is gone. */
int proc_starttime(pid_t pid, uint64_t *ret);
/* The effective uid in /proc/PID/status (as our user namespace sees it). -ESRCH if gone. */
int proc_euid(pid_t pid, uid_t *ret);
/* CLOCK_BOOTTIME now, in clock ticks: the clock of proc_starttime(). */
int proc_boottime_ticks(uint64_t *ret);
/* Opens a pidfd for pid and checks afterwards that pid still has start time starttime, so the
 * pidfd is known to name that very process and not one that recycled its PID. -ESRCH if the
 * process is gone or is another one. */
int pidfd_open_verified(pid_t pid, uint64_t starttime, int *ret_pidfd);
/* True while the process behind pidfd has not exited (it may still be a zombie of ours). */
int pidfd_is_alive(int pidfd);
/* The inode of /proc/PID/ns/pid, the PID namespace pid lives in, for the process pidfd refers
 * to: read by PID, then the pidfd checked still alive, so that the PID named that process
 * throughout (a PID is not reused while its process lives). -ESRCH if it is gone. */
int proc_pidns_verified(pid_t pid, int pidfd, ino_t *ret);
/* Writes our audit login uid (/proc/self/loginuid): needs CAP_AUDIT_CONTROL, and a login uid
 * that is unset or not immutable. 0 on a kernel without audit (no such file); -errno. */
int proc_set_loginuid(uint32_t uid);
/* The running kernel's highest capability (/proc/sys/kernel/cap_last_cap), or <linux/capability.h>'s
 * CAP_LAST_CAP when it cannot be read. */
int proc_cap_last_cap(void);
