/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* process.*: what the init applies to itself before it becomes the user's process, and the
 * final execve(). Runs in the init between fork and execve: libc and libcap-ng only. */

#include <stdbool.h>

#include "lsm.h"
#include "oci-config.h"
#include "seccomp-filter.h"

/* The environment the process is exec'd with: process.env, then extra_env (the runtime's:
 * LISTEN_*, NOTIFY_SOCKET, HOME, the PAM session's); a name in extra_env drops the config's
 * entry of that name. */
int process_exec_env(const OciProcess *p, char **extra_env, char ***ret);

/* As root, before the user switch: rlimits, oom_score_adj. */
int process_apply_limits(const OciProcess *p, char **ret_error);
/* Groups, uid/gid and capabilities, noNewPrivileges, umask, cwd. keep_caps: capabilities kept
 * effective and permitted until the exec drops them (CAP_SYS_ADMIN to load a seccomp filter
 * without no_new_privs, see SeccompPlan). */
int process_apply_identity(const OciProcess *p, uint64_t keep_caps, char **ret_error);
/* A new, empty session keyring: none of the caller's keys. */
int process_new_session_keyring(char **ret_error);
/* Fds 3 .. 3+n-1 inheritable, every one above close-on-exec. */
int process_keep_fds(unsigned n, char **ret_error);
/* No signal blocked, every disposition the default. */
int process_reset_signals(char **ret_error);
/* Resolves args[0] against the container's PATH (process.env). Called after the FIFO
 * handshake, so that `start` reports a missing binary. *ret_path is the file to execve(). */
int process_find_executable(const OciProcess *p, char **ret_path, char **ret_error);
/* The final execve(), made ready beforehand (env, argv, report_fd inheritable), then sc->rest
 * loaded (unless the exec stub loads it, see seccomp-filter.h), then nothing but execve(): once
 * the user's filter is loaded, the runtime may do nothing else. With stub_fd >= 0, through the
 * sealed exec stub, which reports its own exec failure on report_fd (see sealed-binary.h) and
 * writes label (may be NULL) right before its exec; without, label is written here (lsm.h).
 * Returns only on failure, -errno and the message. */
int process_exec_filtered(const OciProcess *p, const char *path, char **extra_env, int stub_fd, int report_fd,
                          const SeccompPlan *sc, const LsmExecLabel *label, char **ret_error);
/* execCPUAffinity: "initial" (final = false) as the init starts, "final" before exec. */
int process_apply_cpu_affinity(const OciProcess *p, bool final, char **ret_error);
/* As root, after the host side's turn and before the user switch: ioPriority, scheduler. */
int process_apply_scheduling(const OciProcess *p, char **ret_error);
/* linux.personality, just before exec. */
int process_apply_personality(const OciPersonality *p, char **ret_error);
