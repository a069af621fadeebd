/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* init/process.c: the environment the container's process is exec'd with. */

#include <glib.h>
#include <string.h>

#include "process.h"
#include "strv.h"

/* The runtime's LISTEN_*, NOTIFY_SOCKET win over process.env's: getenv() takes the first
 * entry, and process.env used to come first. */
static void test_runtime_wins(void) {
        char *config_env[] = { (char *) "PATH=/bin", (char *) "LISTEN_PID=1", (char *) "LISTEN_FDS=9",
                               (char *) "LISTEN_FDNAMES=evil", (char *) "NOTIFY_SOCKET=/run/host.sock",
                               (char *) "LISTEN_FDS_X=kept", NULL };
        char *extra[] = { (char *) "LISTEN_FDS=1", (char *) "LISTEN_PID=7", (char *) "LISTEN_FDNAMES=web",
                          (char *) "NOTIFY_SOCKET=/run/notify/notify.sock", NULL };
        OciProcess p = { .env = config_env };
        char **env = NULL;
        g_assert_cmpint(process_exec_env(&p, extra, &env), ==, 0);
        g_assert_cmpstr(strv_env_get(env, "LISTEN_FDS"), ==, "1");
        g_assert_cmpstr(strv_env_get(env, "LISTEN_PID"), ==, "7");
        g_assert_cmpstr(strv_env_get(env, "LISTEN_FDNAMES"), ==, "web");
        g_assert_cmpstr(strv_env_get(env, "NOTIFY_SOCKET"), ==, "/run/notify/notify.sock");
        g_assert_cmpstr(strv_env_get(env, "PATH"), ==, "/bin");
        g_assert_cmpstr(strv_env_get(env, "LISTEN_FDS_X"), ==, "kept");
        g_assert_cmpuint(strv_length(env), ==, 6);
        strv_free(env);

        /* Without the runtime's, the config's stay (create without socket activation). */
        g_assert_cmpint(process_exec_env(&p, NULL, &env), ==, 0);
        g_assert_cmpstr(strv_env_get(env, "LISTEN_PID"), ==, "1");
        g_assert_cmpuint(strv_length(env), ==, 6);
        strv_free(env);

        OciProcess none = {};
        g_assert_cmpint(process_exec_env(&none, NULL, &env), ==, 0);
        g_assert_nonnull(env);
        g_assert_null(env[0]);
        strv_free(env);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/process-env/runtime-wins", test_runtime_wins);
        return g_test_run();
}
