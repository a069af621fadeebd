/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The LSM label of the user's process: process.apparmorProfile or process.selinuxLabel,
 * written to the process's attr/exec so that the kernel's exec-time transition applies it, as
 * runc does. The write is the last thing before the exec of the user's binary: by the exec
 * stub when there is one (the transition must land on the user's binary, not on the stub),
 * else by the init itself. The attr file is opened here, before anything of the container's
 * is mounted, through a /proc the container cannot have replaced (CVE-2019-16884). Runs in
 * the init and in exec's child: libc only. */

#include "oci-config.h"

typedef struct LsmExecLabel {
        int attr_fd;     /* O_PATH on /proc/thread-self/attr/.../exec; -EBADF: no label */
        char *text;      /* what to write there: "exec PROFILE" (AppArmor) or the context */
        const char *lsm; /* "AppArmor" or "SELinux", for messages */
} LsmExecLabel;

#define LSM_EXEC_LABEL_NULL ((LsmExecLabel) { .attr_fd = -EBADF })

/* Whether p asks for a label at all (an empty one is none). */
bool lsm_exec_label_wanted(const OciProcess *p);
/* The label p asks for, its attr file opened through proc_fd (a directory fd on a procfs
 * showing the caller; checked to be one). The caller must be the task that execs, single
 * threaded. No label asked for: *ret stays empty. */
int lsm_exec_label_open(int proc_fd, const OciProcess *p, LsmExecLabel *ret, char **ret_error);
void lsm_exec_label_done(LsmExecLabel *l);
/* Without the exec stub: the write, by the task that then execs. */
int lsm_exec_label_write(const LsmExecLabel *l, char **ret_error);
