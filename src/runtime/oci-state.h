/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A container's recorded state (state.json) and its status, which is derived from the living
 * system and never trusted from the file alone: the init must exist with the recorded start
 * time, and exec.fifo's presence separates "created" from "running". Also the OCI state
 * document that `state` and `list` print. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "macros.h"
#include "time-util.h" /* rfc3339_now(), for "created" */

typedef enum ContainerStatus {
        STATUS_CREATING,
        STATUS_CREATED,
        STATUS_RUNNING,
        STATUS_PAUSED,
        STATUS_STOPPED,
        _STATUS_MAX,
} ContainerStatus;

const char *oci_state_status_to_string(ContainerStatus s);

typedef struct ContainerState {
        char *id;
        pid_t pid;             /* host PID of the init / the container's process; 0 if none yet */
        uint64_t pid_starttime;
        char *bundle;
        char *rootfs;
        char *created;         /* RFC 3339 */
        uid_t owner;
        bool creating;         /* written by create before the init is fully built */
        char **annotations;    /* key, value, ... */
        char *invocation;      /* $INVOCATION_ID of the systemd unit run create ran in, or NULL */
} ContainerState;

void oci_state_done(ContainerState *s);

/* state.json <-> struct. Parsing is strict about types; a truncated or foreign file is -EBADMSG. */
int oci_state_to_json(const ContainerState *s, char **ret);
int oci_state_from_json(const char *data, ContainerState *ret);
int oci_state_read(int dir_fd, ContainerState *ret);
int oci_state_write(int dir_fd, const ContainerState *s);

/* <dir>/init.pid: "PID STARTTIME", written once the init is forked. A second record of the
 * init's identity, small and written once, so that `delete --force` still finds the init to
 * kill when state.json is damaged. */
int oci_state_identity_write(int dir_fd, pid_t pid, uint64_t starttime);
int oci_state_identity_read(int dir_fd, pid_t *ret_pid, uint64_t *ret_starttime);

/* The pure rule, unit tested: what the facts mean. */
ContainerStatus oci_state_status_derive(bool file_says_creating, bool lock_busy, bool init_alive,
                                        bool fifo_exists);
/* Probes the system for s (the init by PID + start time, exec.fifo in dir_fd). If the init is
 * alive and ret_pidfd is not NULL, a pidfd verified to name it is returned there. */
ContainerStatus oci_state_status_probe(const ContainerState *s, int dir_fd, bool lock_busy,
                                       int *ret_pidfd);

/* The runtime-spec version of the documents we write (state, containerProcessState). */
#define OCI_STATE_VERSION "1.2.0"

/* The OCI state document (pretty JSON, trailing newline): ociVersion, id, status, pid, bundle,
 * rootfs, created, owner, annotations. pid is 0 once stopped. */
char *oci_state_to_oci_json(const ContainerState *s, ContainerStatus status);
/* Same fields, as a member of a JSON array for `list --format json`. */
char *oci_state_list_to_json(const ContainerState *states, const ContainerStatus *statuses, size_t n);
