/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* notify.c's pure parts: which lines of a container's sd_notify() reach systemd, and the
 * readiness annotation. */

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
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
                { "FDSTORE=1\nFDNAME=x", "FDSTORE=1\nFDNAME=x" },
                { "FDSTOREREMOVE=1\nFDNAME=x", "FDSTOREREMOVE=1\nFDNAME=x" },
                { "FDSTORE=1\nMAINPID=1", "FDSTORE=1" },
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

static ino_t own_pidns(void) {
        struct stat st;
        g_assert_cmpint(stat("/proc/self/ns/pid", &st), ==, 0);
        return st.st_ino;
}

static void assert_storable(int fd, ino_t pidns, const char *why_part) {
        char *why = NULL;
        int r = notify_fd_storable(fd, pidns, &why);
        if (!why_part) {
                g_assert_cmpint(r, ==, 0);
                g_assert_null(why);
        } else {
                g_assert_cmpint(r, ==, -EPERM);
                g_assert_nonnull(strstr(why, why_part));
        }
        free(why);
        close(fd);
}

/* What the relay lets a container put into the unit's fd store. */
static void test_fd_storable(void) {
        const ino_t ours = own_pidns();
        int sv[2];
        g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
        /* Connected to a process of the container's (our) PID namespace: stored. */
        assert_storable(dup(sv[0]), ours, NULL);
        /* The same, seen from a container with another PID namespace: the peer is outside. */
        assert_storable(sv[0], ours + 1, "connected to a process outside the container");
        close(sv[1]);
        /* A listening socket has no peer: stored. */
        int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(l, >=, 0);
        assert_storable(l, ours + 1, NULL);
        int m = memfd_create("state", MFD_CLOEXEC);
        g_assert_cmpint(m, >=, 0);
        assert_storable(m, ours, NULL);
        assert_storable(open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC), ours, "a directory");
        assert_storable(open("/proc/self/status", O_RDONLY | O_CLOEXEC), ours, "a file");
        assert_storable(open("/dev/null", O_RDONLY | O_CLOEXEC), ours, "a device");
        int p[2];
        g_assert_cmpint(pipe2(p, O_CLOEXEC), ==, 0);
        close(p[1]);
        assert_storable(p[0], ours, "a FIFO");
        /* An unlinked file on a tmpfs that is not a memfd is still a file. */
        char tmpl[] = "/dev/shm/ctr-launch-test-XXXXXX";
        int t = mkostemp(tmpl, O_CLOEXEC);
        if (t >= 0) {
                unlink(tmpl);
                assert_storable(t, ours, "a file");
        }
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/notify/filter", test_filter);
        g_test_add_func("/notify/readiness", test_readiness);
        g_test_add_func("/notify/fd-storable", test_fd_storable);
        return g_test_run();
}
