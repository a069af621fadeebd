/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.seccomp -> a loaded BPF filter, through libseccomp. The init is single-threaded and
 * sets no_new_privs itself from process.noNewPrivileges, so the filter asks for neither TSYNC
 * nor libseccomp's own no_new_privs. */

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>

#include "errmsg.h"
#include "seccomp-filter.h"

#define SECCOMP_ARGS_MAX 6

static void seccomp_releasep(scmp_filter_ctx *ctx) {
        if (*ctx)
                seccomp_release(*ctx);
}

static int add_rules(scmp_filter_ctx ctx, const OciSeccompSyscall *sys, int nr, const char *name,
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
                r = seccomp_rule_add_array(ctx, sys->action, nr, (unsigned) sys->n_args, cmp);
        else
                for (size_t i = 0; i < sys->n_args; i++)
                        if ((r = seccomp_rule_add_array(ctx, sys->action, nr, 1, &cmp[i])) < 0)
                                break;
        if (r < 0)
                return errmsg(ret_error, r, "linux.seccomp: add the rule for %s", name);
        return 0;
}

int seccomp_profile_build(const OciSeccomp *s, SeccompDebugFunc debug, void *userdata, scmp_filter_ctx *ret,
                          char **ret_error) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(s->default_action);
        int r;

        if (!ctx)
                return errmsg_plain(ret_error, -EINVAL,
                                    "linux.seccomp.defaultAction: not supported by this kernel or libseccomp");
        if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0)
                return errmsg(ret_error, r, "linux.seccomp: turn off libseccomp's no_new_privs");

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
                /* libseccomp refuses a rule whose action is the default one; it would change
                 * nothing anyway. */
                if (sys->action == s->default_action)
                        continue;
                for (char **n = sys->names; *n; n++) {
                        int nr = seccomp_syscall_resolve_name(*n);
                        if (nr == __NR_SCMP_ERROR) {
                                if (debug) {
                                        char msg[128];
                                        snprintf(msg, sizeof(msg), "seccomp: syscall \"%.64s\" unknown to libseccomp, ignored", *n);
                                        debug(userdata, msg);
                                }
                                continue;
                        }
                        if ((r = add_rules(ctx, sys, nr, *n, ret_error)) < 0)
                                return r;
                }
        }
        *ret = ctx;
        ctx = NULL;
        return 0;
}

bool seccomp_profile_load_early(const OciProcess *p) {
        return !p->no_new_privileges && !(p->capabilities[CAP_SET_EFFECTIVE] & (UINT64_C(1) << CAP_SYS_ADMIN));
}

int seccomp_profile_load(scmp_filter_ctx ctx, bool no_new_privs, char **ret_error) {
        int r = seccomp_load(ctx);
        if (r == -EACCES && !no_new_privs)
                return errmsg(ret_error, r,
                              "load the seccomp filter (without process.noNewPrivileges it needs CAP_SYS_ADMIN)");
        if (r < 0)
                return errmsg(ret_error, r, "load the seccomp filter");
        return 0;
}
