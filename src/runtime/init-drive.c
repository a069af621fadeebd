/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* create's side of the sync protocol while the init builds the container (init-drive.h). */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errmsg.h"
#include "fd-util.h"
#include "parse-util.h"
#include "time-util.h"
#include "init-drive.h"
#include "seccomp-notify.h"
#include "log.h"
#include "sync.h"

/* Buffers the log pipe into lines; keeps the first error the init reported. */
typedef struct LogReader {
        char buf[65536];
        size_t len;
        char *error;
} LogReader;

static void log_reader_line(LogReader *lr, const char *line) {
        _cleanup_free_ char *level = NULL, *msg = NULL;
        int errnum;
        if (sync_log_parse(line, &level, &errnum, &msg) < 0) {
                log_debug("init: malformed log line");
                return;
        }
        if (strcmp(level, "error") == 0 && !lr->error)
                lr->error = TAKE_PTR(msg);
        else
                log_debug("init: %s", msg);
}

/* Returns 1 while the pipe is open, 0 at EOF. */
static int log_reader_read(LogReader *lr, int fd) {
        ssize_t n = read(fd, lr->buf + lr->len, sizeof(lr->buf) - 1 - lr->len);
        if (n < 0)
                return errno == EINTR || errno == EAGAIN ? 1 : 0;
        if (n == 0) {
                if (lr->len > 0) {
                        lr->buf[lr->len] = 0;
                        log_reader_line(lr, lr->buf);
                        lr->len = 0;
                }
                return 0;
        }
        lr->len += (size_t) n;
        lr->buf[lr->len] = 0;
        char *start = lr->buf, *nl;
        while ((nl = strchr(start, '\n'))) {
                *nl = 0;
                log_reader_line(lr, start);
                start = nl + 1;
        }
        lr->len -= (size_t) (start - lr->buf);
        memmove(lr->buf, start, lr->len);
        if (lr->len == sizeof(lr->buf) - 1)
                lr->len = 0; /* an absurdly long line: drop it rather than stall */
        return 1;
}

static char *describe_exit(pid_t pid) {
        siginfo_t si = {};
        char *s;
        int r;
        if (waitid(P_PID, (id_t) pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
                return strdup("the container's init exited unexpectedly");
        if (si.si_code == CLD_EXITED)
                r = asprintf(&s, "the container's init exited unexpectedly with status %d", si.si_status);
        else
                r = asprintf(&s, "the container's init was killed by signal %s",
                             signal_to_string(si.si_status) ?: "?");
        return r < 0 ? NULL : s;
}

/* How long the init may take over its own steps, counted only while create waits for it (the
 * hooks create runs itself have their own timeouts): bounded work of ours, and the timeouts of
 * the createContainer hooks, which run in the init. One of those without a timeout may run for
 * ever, as with runc: then there is no such deadline, and only the checks of init_stuck(). */
#define INIT_SETUP_TIMEOUT_MS (120U * 1000U)
#define INIT_CHECK_MS 1000

static uint64_t init_budget_ms(const OciHooks *hooks) {
        uint64_t ms = INIT_SETUP_TIMEOUT_MS;
        for (size_t i = 0; i < hooks->n_hooks[HOOK_CREATE_CONTAINER]; i++) {
                int t = hooks->hooks[HOOK_CREATE_CONTAINER][i].timeout;
                if (t <= 0)
                        return 0;
                ms += (uint64_t) t * 1000;
        }
        return ms;
}

/* Whether something outside holds the init where it cannot go on: someone else's freezer on
 * its cgroup (v1 holds even SIGKILL), or a stop signal. < 0 with the message; 0 otherwise. */
static int init_stuck(const Cgroup *cgroup, pid_t pid, char **ret_error) {
        _cleanup_free_ char *dir = NULL, *stat = NULL;
        if (cgroup && cgroup_frozen_anywhere(cgroup, &dir) > 0)
                return errmsg_plain(ret_error, -EBUSY, "the container's cgroup %s was frozen while the container "
                                    "was being created", dir);
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        const char *s;
        if (read_file_at(AT_FDCWD, path, 4096, &stat, NULL) >= 0 && (s = strrchr(stat, ')')) && s[1] == ' ' &&
            (s[2] == 'T' || s[2] == 't'))
                return errmsg_plain(ret_error, -EBUSY, "the container's init was stopped (SIGSTOP or a tracer) "
                                    "while the container was being created");
        return 0;
}

/* A step of ours failed (a hook, the seccomp agent): the init is told to stop, and its message
 * (taken from *error) becomes the one create reports. Returns k. */
static int step_failed(int sync_fd, int k, char **error, char **sync_error) {
        (void) sync_send_error(sync_fd, -k, *error ?: strerror(-k));
        free(*sync_error);
        *sync_error = TAKE_PTR(*error);
        return k;
}

/* Drives the sync protocol until the init is blocked on the FIFO (0) or has failed (< 0,
 * message in *ret_error). state_json: the OCI state the prestart and createRuntime hooks read. */
int init_drive(int sync_fd, int log_fd, int pidfd, pid_t pid, const OciHooks *hooks, const OciSeccomp *seccomp,
               const char *state_json, const PamSession *pam, const Cgroup *cgroup, char **ret_error) {
        LogReader *lr = calloc(1, sizeof(LogReader));
        if (!lr)
                return errmsg(ret_error, -ENOMEM, "allocate");
        bool sync_open = true, log_open = true, ran = false, died = false, stuck = false;
        _cleanup_free_ char *sync_error = NULL;
        int r = 0, sync_errno = 0;
        const uint64_t budget = init_budget_ms(hooks);
        uint64_t waited = 0;
        unsigned quiet_after_death = 0;

        while (sync_open || log_open) {
                struct pollfd p[3] = {
                        { .fd = sync_open ? sync_fd : -1, .events = POLLIN },
                        { .fd = log_open ? log_fd : -1, .events = POLLIN },
                        { .fd = died ? -1 : pidfd, .events = POLLIN },
                };
                uint64_t t0 = now_msec();
                int n = poll(p, 3, INIT_CHECK_MS);
                waited += now_msec() - t0;
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                if (n == 0 && died) {
                        /* Dead, and something else holds its channels open: enough. */
                        if (++quiet_after_death >= 5) {
                                stuck = true;
                                break;
                        }
                        continue;
                }
                if (n == 0) {
                        /* Neither channel said anything for a while: held, or too slow? */
                        free(sync_error);
                        sync_error = NULL;
                        if ((r = init_stuck(cgroup, pid, &sync_error)) >= 0 && budget > 0 && waited >= budget)
                                r = errmsg_plain(&sync_error, -ETIMEDOUT, "the container's init did not finish "
                                                 "setting up the container within %u s", (unsigned) (budget / 1000));
                        if (r < 0) {
                                stuck = true;
                                break;
                        }
                        continue;
                }
                if (p[1].revents)
                        log_open = log_reader_read(lr, log_fd) > 0;
                if (p[0].revents) {
                        SyncType t;
                        int k = sync_recv(sync_fd, &t, &sync_errno, &sync_error);
                        if (k == -EPIPE) {
                                sync_open = false;
                                if (!ran) {
                                        r = -EIO;
                                        break;
                                }
                        } else if (k < 0) {
                                r = k;
                                if (!sync_error)
                                        sync_error = strdup("malformed message on the sync socket");
                                break;
                        } else if (t == SYNC_PROC_ERROR) {
                                r = sync_errno > 0 ? -sync_errno : -EIO;
                                break;
                        } else if (t == SYNC_PROC_READY && !ran) {
                                /* Host-side steps that need the init's host PID go here. The
                                 * PAM session's limits come after the init applied
                                 * process.rlimits: the account's limits.conf wins. */
                                if (pam && (k = pam_session_apply_limits(pam, pid, &sync_error)) < 0) {
                                        (void) sync_send_error(sync_fd, -k, sync_error ?: strerror(-k));
                                        r = k;
                                        break;
                                }
                                k = sync_send(sync_fd, SYNC_PROC_RUN);
                                if (k < 0) {
                                        r = k;
                                        break;
                                }
                                ran = true;
                        } else if (t == SYNC_PROC_HOOKS) {
                                /* The container's namespaces and mounts exist, the root is not
                                 * switched yet: prestart and createRuntime, in ours. */
                                _cleanup_free_ char *hook_error = NULL;
                                k = hooks_run(hooks, HOOK_PRESTART, state_json, &hook_error);
                                if (k >= 0)
                                        k = hooks_run(hooks, HOOK_CREATE_RUNTIME, state_json, &hook_error);
                                if (k < 0) {
                                        r = step_failed(sync_fd, k, &hook_error, &sync_error);
                                        break;
                                }
                                k = sync_send(sync_fd, SYNC_PROC_RESUME);
                                if (k < 0) {
                                        r = k;
                                        break;
                                }
                        } else if (t == SYNC_PROC_SECCOMP && seccomp && seccomp->has_notify) {
                                /* Its fd, or the error of the load (in the log pipe, which
                                 * takes precedence below). */
                                _cleanup_close_ int listener = -EBADF;
                                if (recv_fd(sync_fd, &listener) < 0) {
                                        r = -EIO;
                                        break;
                                }
                                _cleanup_free_ char *notify_error = NULL;
                                k = seccomp_notify_send(seccomp, state_json, pid, listener, &notify_error);
                                if (k < 0) {
                                        r = step_failed(sync_fd, k, &notify_error, &sync_error);
                                        break;
                                }
                                k = sync_send(sync_fd, SYNC_PROC_SECCOMP_DONE);
                                if (k < 0) {
                                        r = k;
                                        break;
                                }
                        } else {
                                r = -EBADMSG;
                                sync_error = strdup("unexpected message on the sync socket");
                                break;
                        }
                }
                if (p[2].revents) {
                        /* Dead: whatever it said is already in the pipes; drain them. */
                        died = true;
                        if (!sync_open && !log_open)
                                break;
                        if (!(p[0].revents | p[1].revents) && !ran) {
                                r = -ECHILD;
                                /* keep reading until both channels reach EOF */
                        }
                }
        }

        if (r < 0 || died || !ran) {
                /* Collect the last words from the log pipe before giving up (not from an init
                 * that is held: it keeps the pipe open). */
                while (log_open && !stuck && log_reader_read(lr, log_fd) > 0)
                        ;
                if (r >= 0)
                        r = -ECHILD;
                _cleanup_free_ char *msg = lr->error ? TAKE_PTR(lr->error)
                                           : sync_error ? TAKE_PTR(sync_error)
                                                        : describe_exit(pid);
                (void) errmsg_plain(ret_error, r, "%s", msg ?: "the container's init failed");
        }
        free(lr->error);
        free(lr);
        return r;
}

