/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Status derivation: the rule, and the probe against real processes (a live child with the
 * wrong recorded start time must read as stopped: a recycled PID is not the container). */

#include <fcntl.h>
#include <glib.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc-util.h"
#include "oci-state.h"
#include "state-dir.h"

static void test_derive(void) {
        /*                               creating lock   alive  fifo */
        g_assert_cmpint(oci_state_status_derive(true, true, true, true), ==, STATUS_CREATING);
        g_assert_cmpint(oci_state_status_derive(true, true, true, false), ==, STATUS_CREATING);
        g_assert_cmpint(oci_state_status_derive(true, false, true, true), ==, STATUS_STOPPED);
        g_assert_cmpint(oci_state_status_derive(true, true, false, true), ==, STATUS_STOPPED);
        g_assert_cmpint(oci_state_status_derive(false, false, true, true), ==, STATUS_CREATED);
        g_assert_cmpint(oci_state_status_derive(false, true, true, true), ==, STATUS_CREATED);
        g_assert_cmpint(oci_state_status_derive(false, false, true, false), ==, STATUS_RUNNING);
        g_assert_cmpint(oci_state_status_derive(false, false, false, true), ==, STATUS_STOPPED);
        g_assert_cmpint(oci_state_status_derive(false, false, false, false), ==, STATUS_STOPPED);
}

static void test_probe(void) {
        g_autofree char *dir = g_dir_make_tmp("test-status-XXXXXX", NULL);
        g_assert_nonnull(dir);
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        g_assert_cmpint(dfd, >=, 0);

        pid_t child = fork();
        g_assert_cmpint(child, >=, 0);
        if (child == 0) {
                pause();
                _exit(0);
        }
        uint64_t st;
        g_assert_cmpint(proc_starttime(child, &st), ==, 0);

        ContainerState s = { .pid = child, .pid_starttime = st };
        g_assert_cmpint(oci_state_status_probe(&s, dfd, false, NULL), ==, STATUS_RUNNING);
        g_assert_cmpint(mkfifoat(dfd, EXEC_FIFO, 0600), ==, 0);
        int pidfd = -1;
        g_assert_cmpint(oci_state_status_probe(&s, dfd, false, &pidfd), ==, STATUS_CREATED);
        g_assert_cmpint(pidfd, >=, 0);
        close(pidfd);

        /* Same PID, other start time: someone else's process. */
        s.pid_starttime = st + 1;
        g_assert_cmpint(oci_state_status_probe(&s, dfd, false, NULL), ==, STATUS_STOPPED);
        s.pid_starttime = st;

        kill(child, SIGKILL);
        /* A zombie is not alive either. */
        siginfo_t si;
        g_assert_cmpint(waitid(P_PID, (id_t) child, &si, WEXITED | WNOWAIT), ==, 0);
        g_assert_cmpint(oci_state_status_probe(&s, dfd, false, NULL), ==, STATUS_STOPPED);
        waitpid(child, NULL, 0);
        g_assert_cmpint(oci_state_status_probe(&s, dfd, false, NULL), ==, STATUS_STOPPED);

        unlinkat(dfd, EXEC_FIFO, 0);
        close(dfd);
        rmdir(dir);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/status/derive", test_derive);
        g_test_add_func("/status/probe", test_probe);
        return g_test_run();
}
