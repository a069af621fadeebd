/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The child side of exec, from fork to execve(): it joins the container's namespaces, becomes
 * the process the caller asked for, and execs it through the sealed stub. It reports a failure
 * as one line of text on its channel and exits; it never prints. */

#include "macros.h"
#include "oci-config.h"

typedef struct ExecChild {
        const OciConfig *config;   /* the container's: seccomp, personality */
        const OciProcess *process; /* what to run */
        int init_pidfd;            /* the container's init, whose namespaces we join */
        int ns_flags;              /* the CLONE_NEW* to join */
        int root_fd;               /* without CLONE_NEWNS: the init's root, to chroot into */
        int channel;               /* to the parent: "R" up, "G" down, then the exec outcome */
        int console_fd;            /* connected console socket (process->terminal), or -EBADF */
        int stub_fd;               /* sealed exec stub, or -EBADF */
        int proc_fd;               /* the host's /proc, for the process's LSM label; or -EBADF */
        unsigned preserve_fds;
} ExecChild;

/* The protocol on ExecChild.channel. Joining a PID namespace, the child forks the process-to-be
 * into it and says "P<pid>\n" (its host PID) before it exits. Then the process-to-be says it is
 * ready to be placed in the cgroups, the parent that it has placed it. With SCMP_ACT_NOTIFY rules,
 * the process-to-be then sends the seccomp listener's fd (one NUL byte with SCM_RIGHTS) and waits
 * for "G" again. Last the channel carries the exec outcome (exec_report_read()). Any failure
 * before is one line of text instead. */
#define EXEC_CHILD_PID 'P'
#define EXEC_CHILD_READY 'R'
#define EXEC_CHILD_GO 'G'

_noreturn_ void exec_child_main(const ExecChild *x);
