/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hooks.c: a hook gets the state on stdin and exactly its env; exit status, signal, timeout
 * and exec failure each come back as one line naming the hook. Uses /bin/sh of the build host. */

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hooks.h"

static char *run_sh(const char *script, char **env, int timeout, const char *state, int *ret) {
        char *args[] = { (char *) "sh", (char *) "-c", (char *) script, NULL };
        OciHook h = { .path = (char *) "/bin/sh", .args = args, .env = env, .timeout = timeout };
        char *error = NULL;
        *ret = hook_run(&h, HOOK_CREATE_RUNTIME, 3, state, &error);
        return error;
}

static void test_stdin_env(void) {
        g_autofree char *dir = g_dir_make_tmp("test-hooks-XXXXXX", NULL);
        g_autofree char *out = g_build_filename(dir, "out", NULL);
        g_autofree char *script = g_strdup_printf("{ cat; echo; env; } >'%s'", out);
        char *env[] = { (char *) "ONLY=this", NULL };
        int r;
        g_autofree char *error = run_sh(script, env, 0, "{\"status\": \"creating\"}", &r);
        g_assert_cmpint(r, ==, 0);
        g_assert_null(error);
        g_autofree char *got = NULL;
        g_assert_true(g_file_get_contents(out, &got, NULL, NULL));
        g_assert_true(g_str_has_prefix(got, "{\"status\": \"creating\"}\n"));
        g_assert_nonnull(strstr(got, "ONLY=this\n"));
        g_assert_null(strstr(got, "HOME="));
        (void) unlink(out);
        (void) rmdir(dir);

        /* A hook that never reads a big state neither blocks nor kills us. */
        char *big = g_malloc(1 << 20);
        memset(big, 'x', (1 << 20) - 1);
        big[(1 << 20) - 1] = 0;
        g_autofree char *e2 = run_sh("exec 0<&-; exit 0", NULL, 10, big, &r);
        g_assert_cmpint(r, ==, 0);
        g_assert_null(e2);
        g_free(big);
}

static void test_failures(void) {
        int r;
        g_autofree char *e1 = run_sh("exit 3", NULL, 0, "{}", &r);
        g_assert_cmpint(r, <, 0);
        g_assert_cmpstr(e1, ==, "hook createRuntime[3] /bin/sh: exited with status 3");

        g_autofree char *e2 = run_sh("kill -TERM $$", NULL, 0, "{}", &r);
        g_assert_cmpint(r, <, 0);
        g_assert_cmpstr(e2, ==, "hook createRuntime[3] /bin/sh: killed by signal TERM");

        gint64 start = g_get_monotonic_time();
        g_autofree char *e3 = run_sh("exec sleep 30", NULL, 1, "{}", &r);
        g_assert_cmpint(r, ==, -ETIMEDOUT);
        g_assert_cmpstr(e3, ==, "hook createRuntime[3] /bin/sh: timed out after 1 s (killed)");
        g_assert_cmpint(g_get_monotonic_time() - start, <, 10 * G_USEC_PER_SEC);

        OciHook missing = { .path = (char *) "/nonexistent/hook" };
        char *e4 = NULL;
        g_assert_cmpint(hook_run(&missing, HOOK_POSTSTOP, 0, "{}", &e4), ==, -ENOENT);
        g_assert_nonnull(strstr(e4, "hook poststop[0] /nonexistent/hook: exec: No such file"));
        free(e4);

        /* hooks_run stops at the first failure. */
        char *ok_args[] = { (char *) "sh", (char *) "-c", (char *) "exit 0", NULL };
        char *bad_args[] = { (char *) "sh", (char *) "-c", (char *) "exit 1", NULL };
        OciHook list[] = { { .path = (char *) "/bin/sh", .args = ok_args }, { .path = (char *) "/bin/sh", .args = bad_args },
                           { .path = (char *) "/nonexistent" } };
        OciHooks hs = {};
        hs.hooks[HOOK_POSTSTART] = list;
        hs.n_hooks[HOOK_POSTSTART] = 3;
        char *e5 = NULL;
        g_assert_cmpint(hooks_run(&hs, HOOK_POSTSTART, "{}", &e5), <, 0);
        g_assert_cmpstr(e5, ==, "hook poststart[1] /bin/sh: exited with status 1");
        free(e5);
        g_assert_cmpint(hooks_run(&hs, HOOK_PRESTART, "{}", NULL), ==, 0);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/hooks/stdin-env", test_stdin_env);
        g_test_add_func("/hooks/failures", test_failures);
        return g_test_run();
}
