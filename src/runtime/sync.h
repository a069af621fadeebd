/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The two anonymous channels between `create` and the container's init.
 *
 * Sync socket (both ways, SOCK_STREAM, one JSON document per line): first the init document
 * (parent to child: the runtime parameters plus the bundle's configuration), then only
 * {"type": "procReady" | "procRun" | "procHooks" | "procResume" | "procSeccomp" |
 * "procSeccompDone" | "procError"}; procError is followed by one error object {"errno": N,
 * "message": "..."}, procSeccomp by one byte carrying the seccomp listener's fd (SCM_RIGHTS), or
 * by procError if loading the filter failed. Nothing else travels there.
 *
 * Log pipe (child to parent): JSON lines {"level": "...", "msg": "...", "errno": N}. When a
 * setup step fails, the init sends the precise error here first, then procError.
 *
 * json-glib is used on both sides; the init is single-threaded, so GLib is safe after fork. */

#include <stdbool.h>

#include "macros.h"

typedef enum SyncType {
        SYNC_PROC_READY,
        SYNC_PROC_RUN,
        SYNC_PROC_HOOKS,
        SYNC_PROC_RESUME,
        SYNC_PROC_ERROR,
        SYNC_PROC_SECCOMP,
        SYNC_PROC_SECCOMP_DONE,
        _SYNC_TYPE_MAX,
} SyncType;

const char *sync_type_to_string(SyncType t);
int sync_type_from_string(const char *s);

/* Runtime parameters the init needs besides config.json. Fd numbers are valid in the init,
 * which inherits them across fork. */
typedef struct InitParams {
        char *id;
        char *bundle;
        char *rootfs;
        bool no_pivot;
        int fifo_fd;          /* O_PATH fd of exec.fifo, opened before pivot_root */
        int console_fd;       /* connected --console-socket, or -1 */
        int exec_stub_fd;     /* sealed memfd of the exec stub, or -1 (see sealed-binary.h) */
        int start_fds_fd;     /* listening start.sock, for socket activation (start-fds.h) */
        unsigned preserve_fds; /* fds 3 .. 3+N-1 go to the container */
        unsigned listen_fds;   /* socket activation: also kept, after the preserved ones */
        char *listen_fdnames;  /* and their LISTEN_FDNAMES, or NULL */
        /* The OCI state documents the init's hooks read on stdin: createContainer's (status
         * "creating") and startContainer's ("created"); NULL when absent. */
        char *hook_state_creating;
        char *hook_state_created;
        /* "container" readiness: the host directory where `start` binds the notify socket,
         * bound into the container (NOTIFY_SOCKET_DIR); NULL otherwise. */
        char *notify_dir;
        /* What a PAM session adds to the container's environment (pam-session.h: already
         * without the names process.env sets); NULL otherwise. */
        char **pam_env;
        /* A PAM session for the container's account: its uid becomes the container process's
         * audit login uid, as pam_loginuid would make it for a login. -1: none. */
        int64_t login_uid;
        /* Bind sources create opened for a new user namespace (open_tree(2) clones, taken with
         * the host root's rights): one fd follows the document (and the channels) on the sync
         * socket for each bind mount of the config, in order; 0: none, the init opens them. */
        unsigned n_mount_fds;
        bool notify_dir_fd; /* and after those, one of notify_dir the same way */
} InitParams;

void init_params_done(InitParams *p);

int sync_send_init(int fd, const InitParams *p, const char *config_json);
/* *ret_config_json is config.json as create read it (the init parses it itself). */
int sync_recv_init(int fd, InitParams *ret, char **ret_config_json);

int sync_send(int fd, SyncType t);
int sync_send_error(int fd, int errnum, const char *message);
/* Reads the next message; for procError also the error object (*ret_errno > 0, *ret_message).
 * -EPIPE on a clean EOF, -EBADMSG on anything malformed. */
int sync_recv(int fd, SyncType *ret, int *ret_errno, char **ret_message);

/* Log pipe lines. errnum 0: none. */
int sync_log_send(int fd, const char *level, int errnum, const char *msg);
int sync_log_parse(const char *line, char **ret_level, int *ret_errno, char **ret_msg);
