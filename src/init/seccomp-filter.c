/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.seccomp -> a BPF program, through libseccomp; and its load, without it. The init is
 * single-threaded and sets no_new_privs itself from process.noNewPrivileges, so the filter asks
 * for neither TSYNC nor libseccomp's own no_new_privs. */

#include <errno.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errmsg.h"
#include "fd-util.h"
#include "seccomp-filter.h"

#define SECCOMP_ARGS_MAX 6
/* The kernel's BPF_MAXINSNS: a longer program is refused by seccomp(2). */
#define SECCOMP_INSNS_MAX 4096

static void seccomp_releasep(scmp_filter_ctx *ctx) {
        if (*ctx)
                seccomp_release(*ctx);
}

static uint32_t part_action(SeccompPart part, uint32_t action) {
        switch (part) {
        case SECCOMP_PART_NOTIFY:
                return action == SCMP_ACT_NOTIFY ? action : SCMP_ACT_ALLOW;
        case SECCOMP_PART_REST:
                return action == SCMP_ACT_NOTIFY ? SCMP_ACT_ALLOW : action;
        default:
                return action;
        }
}

static int add_rules(scmp_filter_ctx ctx, const OciSeccompSyscall *sys, uint32_t action, int nr, const char *name,
                     char **ret_error) {
        struct scmp_arg_cmp cmp[SECCOMP_ARGS_MAX * 8];
        unsigned count[SECCOMP_ARGS_MAX] = { 0 };
        bool repeated = false;
        int r = 0;

        if (sys->n_args > ELEMENTSOF(cmp))
                return errmsg_plain(ret_error, -E2BIG, "linux.seccomp: too many argument conditions for %s", name);
        for (size_t i = 0; i < sys->n_args; i++) {
                cmp[i] = (struct scmp_arg_cmp) {
                        .arg = sys->args[i].index,
                        .op = (enum scmp_compare) sys->args[i].op,
                        .datum_a = sys->args[i].value,
                        .datum_b = sys->args[i].value_two,
                };
                repeated = repeated || ++count[sys->args[i].index] > 1;
        }

        /* runc's semantics: conditions on distinct arguments make one rule (all must match);
         * as soon as one argument has several conditions, each condition is a rule of its own
         * (any may match), since libseccomp takes one comparison per argument and rule. */
        if (!repeated)
                r = seccomp_rule_add_array(ctx, action, nr, (unsigned) sys->n_args, cmp);
        else
                for (size_t i = 0; i < sys->n_args; i++)
                        if ((r = seccomp_rule_add_array(ctx, action, nr, 1, &cmp[i])) < 0)
                                break;
        if (r < 0)
                return errmsg(ret_error, r, "linux.seccomp: add the rule for %s", name);
        return 0;
}

int seccomp_profile_build(const OciSeccomp *s, SeccompPart part, SeccompDebugFunc debug, void *userdata,
                          scmp_filter_ctx *ret, char **ret_error) {
        const uint32_t default_action = part_action(part, s->default_action);
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(default_action);
        int r;

        if (!ctx)
                return errmsg_plain(ret_error, -EINVAL,
                                    "linux.seccomp.defaultAction: not supported by this kernel or libseccomp");
        if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0)
                return errmsg(ret_error, r, "linux.seccomp: turn off libseccomp's no_new_privs");
        /* A binary tree rather than a list, as runc asks for long profiles: Docker's lists some
         * 350 syscalls for three architectures, which must stay within the kernel's 4096
         * instructions. An older libseccomp without it still builds a correct filter. */
        if (s->n_syscalls > 32)
                (void) seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);

        static const struct {
                unsigned flag;
                int attr;
                const char *name;
        } flags[] = {
                { OCI_SECCOMP_FLAG_LOG, SCMP_FLTATR_CTL_LOG, "SECCOMP_FILTER_FLAG_LOG" },
                { OCI_SECCOMP_FLAG_SPEC_ALLOW, SCMP_FLTATR_CTL_SSB, "SECCOMP_FILTER_FLAG_SPEC_ALLOW" },
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
                { OCI_SECCOMP_FLAG_WAIT_KILLABLE_RECV, SCMP_FLTATR_CTL_WAITKILL, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" },
#endif
        };
        for (size_t i = 0; i < ELEMENTSOF(flags); i++)
                if ((s->flags & flags[i].flag) && (r = seccomp_attr_set(ctx, (enum scmp_filter_attr) flags[i].attr, 1)) < 0)
                        return errmsg(ret_error, r, "linux.seccomp.flags: %s not supported by this kernel or libseccomp",
                                      flags[i].name);

        for (size_t i = 0; i < s->n_architectures; i++) {
                r = seccomp_arch_add(ctx, s->architectures[i]);
                if (r < 0 && r != -EEXIST) /* the native one is there already */
                        return errmsg(ret_error, r, "linux.seccomp.architectures[%zu]: add architecture", i);
        }

        for (size_t i = 0; i < s->n_syscalls; i++) {
                const OciSeccompSyscall *sys = &s->syscalls[i];
                const uint32_t action = part_action(part, sys->action);
                /* libseccomp refuses a rule whose action is the default one; it would change
                 * nothing anyway. */
                if (action == default_action)
                        continue;
                for (char **n = sys->names; *n; n++) {
                        int nr = seccomp_syscall_resolve_name(*n);
                        if (nr == __NR_SCMP_ERROR) {
                                /* Said once, by the part that holds all the rest. */
                                if (debug && part != SECCOMP_PART_NOTIFY) {
                                        char msg[128];
                                        snprintf(msg, sizeof(msg), "seccomp: syscall \"%.64s\" unknown to libseccomp, ignored", *n);
                                        debug(userdata, msg);
                                }
                                continue;
                        }
                        if ((r = add_rules(ctx, sys, action, nr, *n, ret_error)) < 0)
                                return r;
                }
        }
        *ret = ctx;
        ctx = NULL;
        return 0;
}

void seccomp_program_done(SeccompProgram *p) {
        free(p->insns);
        *p = (SeccompProgram) {};
}

/* The flags seccomp_load() would pass for the attributes seccomp_profile_build() set. */
static unsigned program_flags(const OciSeccomp *s, SeccompPart part) {
        unsigned flags = 0;
        if (s->flags & OCI_SECCOMP_FLAG_LOG)
                flags |= SECCOMP_FILTER_FLAG_LOG;
        if (s->flags & OCI_SECCOMP_FLAG_SPEC_ALLOW)
                flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
#ifdef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
        if (s->flags & OCI_SECCOMP_FLAG_WAIT_KILLABLE_RECV)
                flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
#endif
        if (part == SECCOMP_PART_NOTIFY)
                flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        return flags;
}

int seccomp_profile_compile(const OciSeccomp *s, SeccompPart part, SeccompDebugFunc debug, void *userdata,
                            SeccompProgram *ret, char **ret_error) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r = seccomp_profile_build(s, part, debug, userdata, &ctx, ret_error);
        if (r < 0)
                return r;

        /* libseccomp 2.5 exports to an fd only. */
        _cleanup_close_ int fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
        if (fd < 0)
                return errmsg(ret_error, -errno, "linux.seccomp: memfd_create");
        if ((r = seccomp_export_bpf(ctx, fd)) < 0)
                return errmsg(ret_error, r, "linux.seccomp: generate the BPF program");
        off_t size = lseek(fd, 0, SEEK_END);
        if (size < 0)
                return errmsg(ret_error, -errno, "linux.seccomp: size of the BPF program");
        size_t n = (size_t) size / sizeof(struct sock_filter);
        if (n == 0 || (size_t) size % sizeof(struct sock_filter) != 0)
                return errmsg_plain(ret_error, -EINVAL, "linux.seccomp: libseccomp generated a malformed program");
        if (n > SECCOMP_INSNS_MAX)
                return errmsg_plain(ret_error, -E2BIG,
                                    "linux.seccomp: the filter takes %zu BPF instructions, more than the kernel's %d",
                                    n, SECCOMP_INSNS_MAX);
        _cleanup_free_ struct sock_filter *insns = malloc((size_t) size);
        if (!insns)
                return -ENOMEM;
        ssize_t k = pread(fd, insns, (size_t) size, 0);
        if (k != size)
                return errmsg(ret_error, k < 0 ? -errno : -EIO, "linux.seccomp: read the BPF program");
        *ret = (SeccompProgram) {
                .insns = TAKE_PTR(insns),
                .n_insns = (unsigned short) n,
                .flags = program_flags(s, part),
        };
        return 0;
}

int seccomp_program_load(const SeccompProgram *p, bool no_new_privs, int *ret_listener, char **ret_error) {
        struct sock_fprog prog = { .len = p->n_insns, .filter = p->insns };
        long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &prog);
        if (r < 0 && errno == EACCES && !no_new_privs)
                return errmsg(ret_error, -errno,
                              "load the seccomp filter (without process.noNewPrivileges it needs CAP_SYS_ADMIN)");
        if (r < 0)
                return errmsg(ret_error, -errno, "load the seccomp filter");
        if (ret_listener)
                *ret_listener = (p->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) ? (int) r : -EBADF;
        return 0;
}

int seccomp_program_to_arg(const SeccompProgram *p, char **ret) {
        static const char hex[] = "0123456789abcdef";
        const unsigned char *bytes = (const unsigned char *) p->insns;
        size_t n = (size_t) p->n_insns * sizeof(struct sock_filter);
        char *s = malloc(16 + 2 * n);
        if (!s)
                return -ENOMEM;
        int k = snprintf(s, 16, "%u:", p->flags);
        for (size_t i = 0; i < n; i++) {
                s[k + 2 * i] = hex[bytes[i] >> 4];
                s[k + 2 * i + 1] = hex[bytes[i] & 15];
        }
        s[k + 2 * n] = 0;
        *ret = s;
        return 0;
}

int seccomp_plan_make(const OciSeccomp *s, const OciProcess *p, bool have_stub, SeccompDebugFunc debug, void *userdata,
                      SeccompPlan *ret, char **ret_error) {
        _cleanup_(seccomp_plan_done) SeccompPlan plan = {};
        int r;
        if (!s) {
                *ret = plan;
                return 0;
        }
        if (s->has_notify && (r = seccomp_profile_compile(s, SECCOMP_PART_NOTIFY, debug, userdata, &plan.notify, ret_error)) < 0)
                return r;
        if ((r = seccomp_profile_compile(s, s->has_notify ? SECCOMP_PART_REST : SECCOMP_PART_ALL, debug, userdata, &plan.rest,
                                         ret_error)) < 0)
                return r;
        plan.stub_loads = have_stub && p->no_new_privileges;
        if (!p->no_new_privileges && !(p->capabilities[CAP_SET_EFFECTIVE] & (UINT64_C(1) << CAP_SYS_ADMIN)))
                plan.keep_caps = UINT64_C(1) << CAP_SYS_ADMIN;
        *ret = plan;
        plan = (SeccompPlan) {};
        return 0;
}

void seccomp_plan_done(SeccompPlan *plan) {
        seccomp_program_done(&plan->notify);
        seccomp_program_done(&plan->rest);
}
