/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The sd_notify bridge of `start` under a Type=notify unit: which readiness a container wants,
 * and telling systemd that the container's process is the unit's main process. */

#include <stdbool.h>
#include <sys/types.h>

/* The annotation that chooses readiness: "exec" (the default) or "container". */
#define READINESS_ANNOTATION "org.ctr-launch.readiness"

typedef enum Readiness {
        READINESS_EXEC,      /* ready once the container's process was exec'd */
        READINESS_CONTAINER, /* ready when the container itself sends READY=1 */
} Readiness;

/* From the annotations (key, value, ...): -EINVAL for a value that is neither. */
int readiness_from_annotations(char * const *annotations, Readiness *ret);

/* Whether we were started with a $NOTIFY_SOCKET (a Type=notify unit's ExecStart=). */
bool notify_wanted(void);

/* "MAINPID=pid" (and "READY=1" when ready), in one datagram, then waits until systemd has
 * processed it (sd_notify_barrier), so that our exit is never seen first. */
int notify_main_pid(pid_t pid, bool ready);
