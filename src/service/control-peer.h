/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Who is on the other end of the control socket: the process that connected, pinned by a pidfd
 * (SO_PEERPIDFD, Linux 6.5; pidfd_open() before that) and by its start time, never by its PID
 * or UID alone: a PID can be recycled between connect() and our polkit check (the PID-reuse
 * race of CVE-2013-4288 in pkexec and CVE-2019-6133 in polkit), and polkit must be asked about
 * the very process that connected. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct ControlPeer {
        pid_t pid;
        uid_t uid;
        gid_t gid;
        /* Whom the peer's requests count against (control_peer_identify()): its uid, or for a
         * process in a user namespace a user made, that user's. */
        uid_t accountable_uid;
        /* In the service's own user namespace: only there is uid 0 root (elsewhere it is a
         * root-made namespace's uid 0, with no capability over ours). */
        bool in_our_userns;
        uint64_t starttime; /* clock ticks since boot, as polkit's "start-time" */
        int pidfd;
        bool pidfd_from_kernel; /* SO_PEERPIDFD: the very process that connected, as polkit may take it */
} ControlPeer;

/* Identifies the peer of the connected Unix socket sock, accepted just now: called right after
 * accept(), the only moment a start time can be compared with. -ESRCH when it has exited
 * already (or cannot be shown to be the process that connected), with *ret_error saying so. */
int control_peer_identify(int sock, ControlPeer *ret, char **ret_error);
/* > 0 while the peer still runs; 0 once it has exited (a zombie counts as exited). */
int control_peer_alive(const ControlPeer *p);
void control_peer_done(ControlPeer *p);
