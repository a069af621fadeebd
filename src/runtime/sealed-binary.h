/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* CVE-2019-5736: the container's init is a fork of this binary, so until it execs the user's
 * process its /proc/self/exe is the host's ctr-launch. A container whose entry point is
 * /proc/self/exe (directly, by a symlink, a #! line or an ELF interpreter) would run the host
 * binary inside itself, keep an O_PATH fd to it and write through it once nothing executes it
 * any more. So the user's process is never exec'd by a process whose exe is the host binary:
 * the init execs a tiny stub from a sealed memfd, which execs the user's process
 * (src/runtime/exec-stub/). Where the stub is not built, the launcher instead re-executes itself from a
 * sealed memfd copy before it forks an init. */

#include <stdbool.h>

/* Returns 0 when no re-execution is needed (the stub exists, or this process already runs
 * from a sealed copy), -errno on failure; otherwise re-executes argv from a sealed copy and
 * never returns. always: even where the stub exists. `exec` needs that: its child joins a
 * container whose processes already run, and one with CAP_SYS_PTRACE reaches
 * /proc/<child>/exe whether the child is dumpable or not. */
int sealed_binary_ensure(char **argv, bool always);

/* A sealed memfd holding the exec stub (O_CLOEXEC), for execveat(AT_EMPTY_PATH);
 * -EOPNOTSUPP where it is not built. */
int exec_stub_open(int *ret_fd);
