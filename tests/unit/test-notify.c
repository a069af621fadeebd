/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* notify.c's pure parts: which lines of a container's sd_notify() reach systemd, and the
 * readiness annotation. */

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"

static char *filter(const char *msg) {
        char *out = NULL;
        g_assert_cmpint(notify_filter(msg, strlen(msg), &out), ==, 0);
        return out;
}

static void test_filter(void) {
        static const struct {
                const char *in, *out; /* out NULL: nothing forwarded */
        } cases[] = {
                { "READY=1", "READY=1" },
                { "READY=1\nSTATUS=up and running", "READY=1\nSTATUS=up and running" },
                { "MAINPID=1", NULL },
                { "MAINPID=4242\nREADY=1", "READY=1" },
                { "READY=1\nMAINPID=4242", "READY=1" },
                { "FDSTORE=1\nFDNAME=x", NULL },
                { "FDSTOREREMOVE=1", NULL },
                { "BARRIER=1", NULL },
                { "WATCHDOG=1", "WATCHDOG=1" },
                { "WATCHDOG=trigger", "WATCHDOG=trigger" },
                { "WATCHDOG_USEC=5000000", "WATCHDOG_USEC=5000000" },
                { "EXTEND_TIMEOUT_USEC=1000", "EXTEND_TIMEOUT_USEC=1000" },
                { "RELOADING=1\nMONOTONIC_USEC=123", "RELOADING=1\nMONOTONIC_USEC=123" },
                { "STOPPING=1", "STOPPING=1" },
                { "ERRNO=2\nBUSERROR=org.x.Y", "ERRNO=2\nBUSERROR=org.x.Y" },
                { "STATUS=a\x1b[31mred", NULL },
                { "", NULL },
                { "\n\n", NULL },
                { "READYX=1", NULL },
                { "ready=1", NULL },
                { "NOTIFYACCESS=all\nREADY=1\n", "READY=1" },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *out = filter(cases[i].in);
                g_assert_cmpstr(out, ==, cases[i].out);
        }
}

static void test_readiness(void) {
        Readiness r;
        char *none[] = { NULL };
        char *exec_[] = { (char *) "a", (char *) "b", (char *) READINESS_ANNOTATION, (char *) "exec", NULL };
        char *cont[] = { (char *) READINESS_ANNOTATION, (char *) "container", NULL };
        char *bad[] = { (char *) READINESS_ANNOTATION, (char *) "Container", NULL };
        g_assert_cmpint(readiness_from_annotations(NULL, &r), ==, 0);
        g_assert_cmpint(r, ==, READINESS_EXEC);
        g_assert_cmpint(readiness_from_annotations(none, &r), ==, 0);
        g_assert_cmpint(r, ==, READINESS_EXEC);
        g_assert_cmpint(readiness_from_annotations(exec_, &r), ==, 0);
        g_assert_cmpint(r, ==, READINESS_EXEC);
        g_assert_cmpint(readiness_from_annotations(cont, &r), ==, 0);
        g_assert_cmpint(r, ==, READINESS_CONTAINER);
        g_assert_cmpint(readiness_from_annotations(bad, &r), ==, -EINVAL);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/notify/filter", test_filter);
        g_test_add_func("/notify/readiness", test_readiness);
        return g_test_run();
}
