/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* seccomp-filter.*: compiles the filter of linux.seccomp with libseccomp into a BPF program, and
 * loads such a program with seccomp(2) itself. Runs in the init between fork and execve: libc
 * and libseccomp only. Validation happened in oci-config-seccomp.c; what can still fail here is
 * what only the running kernel and library can say (an architecture or flag they lack, a rule
 * they refuse). Not named seccomp.h: src/ comes first in the include path, and that is
 * libseccomp's header.
 *
 * Once the user's filter is loaded, the runtime may do nothing but the final exec (a profile need
 * not allow anything else): so the program is compiled while errors still reach create, and
 * loaded by one raw seccomp(2) call right before execve(), by the init or by the exec stub
 * (sealed-binary.h), which gets it as an argument (seccomp_program_to_arg()). */

#include <linux/filter.h>
#include <seccomp.h>
#include <stdbool.h>

#include "oci-config.h"

typedef void (*SeccompDebugFunc)(void *userdata, const char *msg);

/* SCMP_ACT_NOTIFY rules are loaded apart from the rest, earlier: their listener fd must reach
 * create, and the seccomp agent, before the init blocks on exec.fifo. The kernel runs every
 * filter of a task and takes the strongest verdict (KILL > TRAP > ERRNO > USER_NOTIF > TRACE >
 * LOG > ALLOW), so the two halves together decide as the whole profile does: NOTIFY keeps the
 * notify verdicts and allows everything else, REST allows what notifies and keeps the rest. */
typedef enum SeccompPart {
        SECCOMP_PART_ALL,
        SECCOMP_PART_NOTIFY,
        SECCOMP_PART_REST,
} SeccompPart;

/* Builds part of the filter without loading it. Syscall names libseccomp does not know are
 * skipped and reported through debug (may be NULL), as runc does: a profile may name newer
 * ones. */
int seccomp_profile_build(const OciSeccomp *s, SeccompPart part, SeccompDebugFunc debug, void *userdata,
                          scmp_filter_ctx *ret, char **ret_error);

typedef struct SeccompProgram {
        struct sock_filter *insns;
        unsigned short n_insns;
        unsigned flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
} SeccompProgram;

void seccomp_program_done(SeccompProgram *p);

/* seccomp_profile_build() and the program libseccomp generates from it. */
int seccomp_profile_compile(const OciSeccomp *s, SeccompPart part, SeccompDebugFunc debug, void *userdata,
                            SeccompProgram *ret, char **ret_error);

/* Loads the program into the calling task: one seccomp(2) call and nothing after it. For the
 * NOTIFY part, *ret_listener is the listener's fd (O_CLOEXEC); ret_listener may be NULL
 * otherwise. Without no_new_privs the kernel wants CAP_SYS_ADMIN (the message says so). */
int seccomp_program_load(const SeccompProgram *p, bool no_new_privs, int *ret_listener, char **ret_error);

/* "FLAGS:HEX" (the flags in decimal, the instructions' bytes in hex), the exec stub's form. */
int seccomp_program_to_arg(const SeccompProgram *p, char **ret);

/* Who loads what, and when. The NOTIFY part (when a rule notifies) is loaded by the caller
 * before it hands the listener on; the rest right before the final exec: by the exec stub when
 * no_new_privs lets it (it runs with the process's own capabilities), else by the caller just
 * before it execs the stub, holding keep_caps (CAP_SYS_ADMIN, which the kernel wants without
 * no_new_privs, kept past the user switch: see process_apply_identity()). */
typedef struct SeccompPlan {
        SeccompProgram notify; /* n_insns 0: no SCMP_ACT_NOTIFY rule */
        SeccompProgram rest;   /* n_insns 0: no filter */
        bool stub_loads;
        uint64_t keep_caps;
} SeccompPlan;

/* s NULL: no filter (an empty plan). */
int seccomp_plan_make(const OciSeccomp *s, const OciProcess *p, bool have_stub, SeccompDebugFunc debug, void *userdata,
                      SeccompPlan *ret, char **ret_error);
void seccomp_plan_done(SeccompPlan *plan);
