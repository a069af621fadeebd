/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sd_notify from `start`: MAINPID= and READY=1 in one datagram, then a barrier. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "notify.h"

/* How long `start` waits for systemd to take the message in before it exits anyway. */
#define NOTIFY_BARRIER_USEC (5ULL * 1000000ULL)

int readiness_from_annotations(char * const *annotations, Readiness *ret) {
        for (size_t i = 0; annotations && annotations[i] && annotations[i + 1]; i += 2) {
                if (strcmp(annotations[i], READINESS_ANNOTATION) != 0)
                        continue;
                if (strcmp(annotations[i + 1], "exec") == 0)
                        *ret = READINESS_EXEC;
                else if (strcmp(annotations[i + 1], "container") == 0)
                        *ret = READINESS_CONTAINER;
                else
                        return -EINVAL;
                return 0;
        }
        *ret = READINESS_EXEC;
        return 0;
}

bool notify_wanted(void) {
        const char *s = getenv("NOTIFY_SOCKET");
        return s && *s;
}

int notify_main_pid(pid_t pid, bool ready) {
        int r = sd_notifyf(0, "MAINPID=%d%s", (int) pid, ready ? "\nREADY=1" : "");
        if (r < 0)
                return log_error_errno(r, "tell systemd the container's process is the main process");
        if (r == 0)
                return 0; /* no $NOTIFY_SOCKET after all */
        r = sd_notify_barrier(0, NOTIFY_BARRIER_USEC);
        if (r < 0)
                log_warning("wait for systemd to take in MAINPID=%d: %s", (int) pid, strerror(-r));
        return 0;
}
