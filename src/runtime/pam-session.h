/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The PAM account check and session of a container whose process runs as a named host account
 * (annotation org.ctr-launch.pam.user). All of libpam runs in a separate host-side process, the
 * session holder, forked by `create` before the container's init: no PAM fd, keyring or module
 * state is ever in the process that forks the init, so none can reach the container. The holder
 * opens the session once, hands the session's rlimits and environment back to `create`, then
 * waits for the init's pidfd to say the container is gone (or for SIGTERM) and closes the session
 * once; under a systemd service, where the holder may be SIGKILLed at any moment once the
 * container is gone, `delete` (ExecStopPost=) closes it instead. docs/pam.md says who closes
 * when. */

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "oci-config.h"

#define PAM_USER_ANNOTATION "org.ctr-launch.pam.user"
#define PAM_SERVICE_NAME "ctr-launch"
/* <state dir>/pam.pid: "PID STARTTIME\n" of the session holder. */
#define PAM_HOLDER_FILE "pam.pid"
/* <state dir>/pam.closing: locked by whoever closes the session, so that only one does at a
 * time; "closed" once a close has returned (pam-session.c, claim_close()). */
#define PAM_CLOSING_FILE "pam.closing"

/* Pure parts (no libpam, unit-tested). */

/* The account named by the annotation (the last one wins, as for every annotation): 0 and
 * *ret_user = NULL when there is none, 1 with *ret_user pointing into annotations, -EINVAL for
 * a name no account can have. */
int pam_user_from_annotations(char * const *annotations, const char **ret_user);
/* What the session's environment adds to the container's: the entries of pam_env whose names
 * process.env does not set (the config wins) and that are not the runtime's own (NOTIFY_SOCKET,
 * LISTEN_*). *ret is a new strv, possibly NULL (nothing to add). */
int pam_env_merge(char * const *config_env, char * const *pam_env, char ***ret);

typedef struct PamLimit {
        int resource;
        struct rlimit rl;
} PamLimit;

typedef struct PamSession {
        char *user;
        pid_t pid;       /* the holder, our child */
        int sock;        /* our end of the channel; -EBADF once attached */
        char **env;      /* pam_getenvlist() */
        PamLimit limits[RLIM_NLIMITS]; /* the rlimits pam_open_session() changed */
        size_t n_limits;
} PamSession;

/* For `create`, before anything exists: root only, no user namespace of the container's own, the
 * account exists, process.user.uid/gid are the account's, the account is not locked. */
int pam_session_check(const OciConfig *config, const char *user, char **ret_error);
/* Forks the holder, which runs pam_acct_mgmt() and pam_open_session(). On refusal *ret_error
 * holds PAM's own messages and the holder is gone: nothing is left. */
int pam_session_begin(const char *user, const char *id, const char *dir_path, PamSession **ret, char **ret_error);
/* Gives the holder the init's pidfd (it closes the session when the init exits) and records it
 * in dir_fd/pam.pid. From then on the session ends with the container. */
int pam_session_attach(PamSession *s, int dir_fd, int init_pidfd, char **ret_error);
/* Applies the session's rlimits to pid (prlimit): they override process.rlimits. */
int pam_session_apply_limits(const PamSession *s, pid_t pid, char **ret_error);
/* Ends a session that was never attached (a create that failed): the holder closes it, and we
 * wait until it has. Then frees. */
PamSession *pam_session_abort(PamSession *s);
/* Frees our side; an attached holder lives on. */
PamSession *pam_session_free(PamSession *s);
static inline void pam_session_freep(PamSession **s) {
        pam_session_free(*s);
}

/* For the commands that see the container end (kill --wait, start on failure, delete): a pidfd
 * of the recorded holder, or -EBADF (0) when there is none or it is gone already. */
int pam_holder_open(int dir_fd, int *ret_pidfd);
/* Waits until the holder has closed the session and exited (it does when the init is gone);
 * SIGTERM after timeout_ms, SIGKILL if even that is ignored. Reaps it if it is ours. Closes
 * pidfd. */
void pam_holder_wait(int pidfd, int timeout_ms);
/* For `delete`, once the holder is gone: if it died without closing the session, or in the middle
 * of closing it (SIGKILL), close it from here (pam.closing has no "closed" mark then). 0: nothing
 * to do, 1: closed. When PAM refuses the close, the child that tried has said so on stderr:
 * -EIO, and *ret_error stays untouched. -EBUSY, -ETIMEDOUT: the close is not done (another
 * process still at it, or ours killed at its deadline); a later call tries again. */
int pam_session_close_leftover(int dir_fd, char * const *annotations, char **ret_error);
