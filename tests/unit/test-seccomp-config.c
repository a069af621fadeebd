/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.seccomp parsing through oci_config_parse: a full profile becomes libseccomp's values,
 * and each kind of bad profile is refused with one line naming the field. The filter is also
 * built (not loaded) from the parsed profile, so that what parses is what libseccomp accepts. */

#include <glib.h>
#include <seccomp.h>
#include <linux/seccomp.h>
#include <string.h>

#include "config-test.h"
#include "oci-config.h"
#include "seccomp-filter.h"

static char *config_with_seccomp(const char *seccomp) {
        return g_strdup_printf("{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"
                               " \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}},"
                               " \"linux\": {\"seccomp\": %s}}",
                               seccomp);
}

static OciConfig *parse_ok(const char *seccomp) {
        g_autofree char *doc = config_with_seccomp(seccomp);
        return config_parse_ok(doc);
}

static void count_debug(void *userdata, const char *msg) {
        (*(unsigned *) userdata)++;
        g_assert_nonnull(strstr(msg, "no_such_syscall_ever"));
}

static void test_good(void) {
        OciConfig *c = parse_ok(
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
                " \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],"
                " \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],"
                " \"syscalls\": ["
                "  {\"names\": [\"read\", \"write\", \"no_such_syscall_ever\"], \"action\": \"SCMP_ACT_ALLOW\"},"
                "  {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\"},"
                "  {\"names\": [\"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13},"
                "  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
                "    {\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"},"
                "    {\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]},"
                "  {\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
                "    {\"index\": 0, \"value\": 2114060288, \"valueTwo\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
                "  {\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"},"
                "  {\"names\": [\"kexec_load\"], \"action\": \"SCMP_ACT_TRACE\", \"errnoRet\": 1},"
                "  {\"names\": [\"open_by_handle_at\"], \"action\": \"SCMP_ACT_LOG\"}"
                " ]}");
        const OciSeccomp *s = c->seccomp;
        g_assert_nonnull(s);
        g_assert_cmpuint(s->default_action, ==, SCMP_ACT_ERRNO(38));
        g_assert_cmpuint(s->n_architectures, ==, 3);
        g_assert_cmpuint(s->architectures[0], ==, SCMP_ARCH_X86_64);
        g_assert_cmpuint(s->architectures[1], ==, SCMP_ARCH_X86);
        g_assert_cmpuint(s->architectures[2], ==, SCMP_ARCH_X32);
        g_assert_cmpuint(s->flags, ==, OCI_SECCOMP_FLAG_LOG | OCI_SECCOMP_FLAG_SPEC_ALLOW);
        g_assert_cmpuint(s->n_syscalls, ==, 8);
        g_assert_cmpstr(s->syscalls[0].names[2], ==, "no_such_syscall_ever");
        g_assert_cmpuint(s->syscalls[0].action, ==, SCMP_ACT_ALLOW);
        g_assert_cmpuint(s->syscalls[1].action, ==, SCMP_ACT_ERRNO(EPERM));
        g_assert_cmpuint(s->syscalls[2].action, ==, SCMP_ACT_ERRNO(13));
        g_assert_cmpuint(s->syscalls[3].n_args, ==, 2);
        g_assert_cmpuint(s->syscalls[3].args[1].value, ==, 8);
        g_assert_cmpint(s->syscalls[3].args[1].op, ==, SCMP_CMP_EQ);
        g_assert_cmpint(s->syscalls[4].args[0].op, ==, SCMP_CMP_MASKED_EQ);
        g_assert_cmpuint(s->syscalls[4].args[0].value, ==, 2114060288);
        g_assert_cmpuint(s->syscalls[5].action, ==, SCMP_ACT_KILL_PROCESS);
        g_assert_cmpuint(s->syscalls[6].action, ==, SCMP_ACT_TRACE(1));
        g_assert_cmpuint(s->syscalls[7].action, ==, SCMP_ACT_LOG);

        /* libseccomp takes it; the unknown name is skipped with a debug message. */
        scmp_filter_ctx ctx = NULL;
        char *error = NULL;
        unsigned unknown = 0;
        if (seccomp_profile_build(s, SECCOMP_PART_ALL, count_debug, &unknown, &ctx, &error) < 0)
                g_error("build: %s", error);
        g_assert_cmpuint(unknown, ==, 1);
        seccomp_release(ctx);
        /* And the program for seccomp(2): a whole number of instructions, in the stub's form. */
        SeccompProgram prog = {};
        if (seccomp_profile_compile(s, SECCOMP_PART_ALL, NULL, NULL, &prog, &error) < 0)
                g_error("compile: %s", error);
        g_assert_cmpuint(prog.n_insns, >, 8);
        g_assert_cmpuint(prog.flags & SECCOMP_FILTER_FLAG_NEW_LISTENER, ==, 0);
        g_autofree char *arg = NULL;
        g_assert_cmpint(seccomp_program_to_arg(&prog, &arg), ==, 0);
        g_assert_cmpuint(strlen(strchr(arg, ':') + 1), ==, prog.n_insns * 16u);
        seccomp_program_done(&prog);
        oci_config_free(c);

        /* Minimal: a default action alone; no seccomp member: no filter. */
        c = parse_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"\"}");
        g_assert_cmpuint(c->seccomp->default_action, ==, SCMP_ACT_ALLOW);
        g_assert_cmpuint(c->seccomp->n_syscalls, ==, 0);
        oci_config_free(c);
        c = parse_ok("null");
        g_assert_null(c->seccomp);
        oci_config_free(c);

        /* listenerPath without a notifying rule: not used (runtime-spec), so not kept. */
        c = parse_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/agent.sock\"}");
        g_assert_null(c->seccomp->listener_path);
        g_assert_false(c->seccomp->has_notify);
        oci_config_free(c);
}

/* SCMP_ACT_NOTIFY: the listener kept, and the two parts of the filter (seccomp-filter.h). */
static void test_notify(void) {
        OciConfig *c = parse_ok("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"listenerPath\": \"/run/agent.sock\","
                                " \"listenerMetadata\": \"m\", \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"],"
                                " \"action\": \"SCMP_ACT_NOTIFY\"}, {\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
        OciSeccomp *s = c->seccomp;
        g_assert_true(s->has_notify);
        g_assert_cmpstr(s->listener_path, ==, "/run/agent.sock");
        g_assert_cmpstr(s->listener_metadata, ==, "m");
        g_assert_cmpuint(s->syscalls[0].action, ==, SCMP_ACT_NOTIFY);

        char *error = NULL;
        SeccompProgram notify = {}, rest = {};
        if (seccomp_profile_compile(s, SECCOMP_PART_NOTIFY, NULL, NULL, &notify, &error) < 0 ||
            seccomp_profile_compile(s, SECCOMP_PART_REST, NULL, NULL, &rest, &error) < 0)
                g_error("compile: %s", error);
        g_assert_cmpuint(notify.flags & SECCOMP_FILTER_FLAG_NEW_LISTENER, !=, 0);
        g_assert_cmpuint(rest.flags & SECCOMP_FILTER_FLAG_NEW_LISTENER, ==, 0);
        /* The notify part ends in ALLOW, the rest in ERRNO: their last instructions are returns. */
        g_assert_cmpuint(notify.insns[notify.n_insns - 1].code, ==, BPF_RET | BPF_K);
        seccomp_program_done(&notify);
        seccomp_program_done(&rest);
        oci_config_free(c);
}

static void test_bad(void) {
        static const struct {
                const char *seccomp, *expected;
        } cases[] = {
                { "\"SCMP_ACT_ALLOW\"", "linux.seccomp: must be an object" },
                { "{}", "linux.seccomp.defaultAction: missing" },
                { "{\"defaultAction\": \"SCMP_ACT_MAYBE\"}", "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_MAYBE\"" },
                { "{\"defaultAction\": \"SCMP_ACT_NOTIFY\", \"listenerPath\": \"/run/agent.sock\"}",
                  "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action" },
                { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 70000}", "linux.seccomp.defaultErrnoRet:" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 1}", "linux.seccomp.defaultErrnoRet: only valid with" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_Z80\"]}",
                  "linux.seccomp.architectures[0]: unknown architecture \"SCMP_ARCH_Z80\"" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"x86_64\"]}",
                  "linux.seccomp.architectures[0]: unknown architecture \"x86_64\"" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_TSYNC\"]}",
                  "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_TSYNC\"" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerMetadata\": \"x\"}",
                  "linux.seccomp.listenerMetadata: set without listenerPath" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"agent.sock\","
                  " \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}",
                  "linux.seccomp.listenerPath: must be an absolute path" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": 7}", "linux.seccomp.listenerPath: must be a string" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": {}}", "linux.seccomp.syscalls: must be an array" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\"},"
                  " {\"names\": [\"a\"], \"action\": \"SCMP_ACT_ERRNO\"}, {\"names\": [\"b\"], \"action\": \"SCMP_ACT_ERRNO\"},"
                  " {\"names\": [\"c\"], \"action\": \"X\"}]}",
                  "linux.seccomp.syscalls[3].action: unknown action \"X\"" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"]}]}",
                  "linux.seccomp.syscalls[0].action: missing" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [], \"action\": \"SCMP_ACT_ERRNO\"}]}",
                  "linux.seccomp.syscalls[0].names: must be a non-empty array" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
                  "linux.seccomp.syscalls[0].names[0]: must not be empty" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}",
                  "linux.seccomp: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/agent.sock\", \"syscalls\":"
                  " [{\"names\": [\"mkdir\", \"sendmsg\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}",
                  "linux.seccomp.syscalls[0]: SCMP_ACT_NOTIFY cannot be used for sendmsg" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL\", \"errnoRet\": 1}]}",
                  "linux.seccomp.syscalls[0].errnoRet: only valid with" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\","
                  " \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
                  "linux.seccomp.syscalls[0].args[0].index:" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\","
                  " \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_ABOUT\"}]}]}",
                  "linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_ABOUT\"" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\","
                  " \"args\": [{\"index\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}",
                  "linux.seccomp.syscalls[0].args[0].value: missing" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\","
                  " \"args\": [{\"index\": 0, \"value\": -1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
                  "linux.seccomp.syscalls[0].args[0].value:" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\","
                  " \"args\": [{\"index\": 0, \"value\": 1}]}]}",
                  "linux.seccomp.syscalls[0].args[0].op: missing" },
                { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [17]}", "linux.seccomp.syscalls[0]: must be an object" },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *doc = config_with_seccomp(cases[i].seccomp);
                config_parse_bad(doc, cases[i].expected);
        }
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/seccomp-config/good", test_good);
        g_test_add_func("/seccomp-config/bad", test_bad);
        g_test_add_func("/seccomp-config/notify", test_notify);
        return g_test_run();
}
