/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* One question to polkit: may this process do this action on this container? Over sd-bus
 * (org.freedesktop.PolicyKit1.Authority.CheckAuthorization), never GDBus. Fails closed: only
 * an explicit "authorized" answer is a yes; polkitd missing, a D-Bus error, or a challenge
 * that no agent answered are a no, each with its own message. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct PolkitSubject {
        pid_t pid;
        uint64_t starttime; /* /proc/PID/stat field 22, as polkit's "start-time" */
        uid_t uid;
        int pidfd;          /* from SO_PEERPIDFD, or -1: sent to polkit as "pidfd" */
} PolkitSubject;

/* Returns 1 if authorized, 0 if not, with *ret_error saying why ("polkit denied ...",
 * "authentication is required ...", "cannot ask polkit: ...", a kept yes); -ENOMEM. A yes
 * that polkit kept (temporary authorization) is a no: it is per process and action id, not
 * per container. container may be NULL;
 * signal (kill's, "SIGKILL"), when not NULL, is a second detail rules may read. */
int polkit_check(const PolkitSubject *subject, const char *action_id, const char *container,
                 const char *detail_key, const char *detail_value, bool interactive, char **ret_error);
