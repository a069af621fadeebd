/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* seccomp-filter.*: builds the filter of linux.seccomp with libseccomp and loads it. Runs in
 * the init between fork and execve: libc and libseccomp only. Validation happened in
 * oci-config-seccomp.c; what can still fail here is what only the running kernel and library
 * can say (an architecture or flag they lack, a rule they refuse). Not named seccomp.h: src/
 * comes first in the include path, and that is libseccomp's header. */

#include <seccomp.h>
#include <stdbool.h>

#include "oci-config.h"

typedef void (*SeccompDebugFunc)(void *userdata, const char *msg);

/* Builds the filter without loading it. Syscall names libseccomp does not know are skipped and
 * reported through debug (may be NULL), as runc does: a profile may name newer ones. */
int seccomp_profile_build(const OciSeccomp *s, SeccompDebugFunc debug, void *userdata, scmp_filter_ctx *ret,
                          char **ret_error);

/* Whether the filter must be loaded before the user switch: without no_new_privs the kernel
 * only takes a filter from a task with CAP_SYS_ADMIN, which the process may be about to drop
 * (runc loads it before finalizing the identity in that case too). */
bool seccomp_profile_load_early(const OciProcess *p);

/* Loads the filter into the calling task. */
int seccomp_profile_load(scmp_filter_ctx ctx, bool no_new_privs, char **ret_error);
