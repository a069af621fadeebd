/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One connection of the control socket (serve-internal.h), in a child of serve's parent
 * (serve-daemon.c): the requester pinned by the parent at accept (control-peer.h), one request,
 * polkit asked unless the requester is root, and only then the act: a unit-managed container
 * through systemd (ctr@ID.service), any other by running the verb on the system state root.
 * Everything that is not a clear yes is "not authorized" and does nothing. It never prints an
 * error: refusals are warnings for the journal, failures go back to the verb in *ret_error. */

#include <fcntl.h>
#include <inttypes.h>
#include <glib.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errmsg.h"
#include "fd-util.h"
#include "parse-util.h"
#include "strv.h"
#include "time-util.h"
#include "log.h"
#include "state-dir.h"
#include "control-peer.h"
#include "control-request.h"
#include "oci-config.h"
#include "polkit.h"
#include "serve.h"
#include "serve-internal.h"
#include "unit-control.h"

#define SYSTEM_BUNDLES "/var/lib/ctr-launch"
/* One deadline for the whole request line, one for the whole reply: a client that sends a byte
 * every few seconds, or reads one, holds one of its uid's request slots (serve-daemon.c) for
 * this long, not for the child's whole lifetime. */
#define REQUEST_TIMEOUT_SEC 10
#define REQUEST_TIMEOUT_MSEC (REQUEST_TIMEOUT_SEC * 1000U)
#define REPLY_TIMEOUT_MSEC SERVE_REPLY_TIMEOUT_MSEC
/* Slots, locked files in this directory (ctr-launch.service's RuntimeDirectory=): of the
 * requests in progress of one accountable uid (at most SERVE_REQUESTS_PER_UID, counted by the
 * parent), at most INTERACTIVE_PER_UID may ask someone for a password ("i.<uid>.<k>"), which
 * holds a child for up to polkit.c's 300 s. root has no limit. */
#define SLOT_DIR SERVE_RUN_DIR
#define INTERACTIVE_PER_UID 3

int serve_wait_until(int sock, short events, uint64_t deadline) {
        struct pollfd p = { .fd = sock, .events = events };
        int left = deadline_left_msec(deadline);
        if (left == 0)
                return -ETIMEDOUT;
        if (poll(&p, 1, left) < 0 && errno != EINTR)
                return -errno;
        return 0;
}

/* After a non-blocking send() or recv() on sock failed: 0 to try again (interrupted, or sock
 * ready for events before the deadline), else -errno (-ETIMEDOUT). */
static int io_again(int sock, short events, uint64_t deadline) {
        if (errno == EINTR)
                return 0;
        if (errno != EAGAIN)
                return -errno;
        return serve_wait_until(sock, events, deadline);
}

int serve_send_until(int sock, const char *buf, size_t len, int fd, uint64_t deadline) {
        while (len > 0) {
                ssize_t k = send_with_fds(sock, buf, len, &fd, fd >= 0 ? 1 : 0, MSG_DONTWAIT);
                if (k < 0) {
                        errno = (int) -k;
                        int r = io_again(sock, POLLOUT, deadline);
                        if (r < 0)
                                return r;
                        continue;
                }
                fd = -EBADF; /* gone with the first byte */
                buf += k;
                len -= (size_t) k;
        }
        return 0;
}

static int reply_send(int sock, ControlReply *rep, char **ret_error) {
        return serve_reply(sock, rep, ret_error);
}

int serve_reply(int sock, ControlReply *rep, char **ret_error) {
        return serve_reply_until(sock, rep, deadline_after_msec(REPLY_TIMEOUT_MSEC), ret_error);
}

int serve_reply_until(int sock, ControlReply *rep, uint64_t deadline, char **ret_error) {
        _cleanup_free_ char *line = control_reply_to_json(rep);
        if (!line)
                return errmsg(ret_error, -ENOMEM, "format the reply");
        int r = serve_send_until(sock, line, strlen(line), -EBADF, deadline);
        if (r == -ETIMEDOUT)
                return errmsg_plain(ret_error, r, "send the reply: the client did not read it within %u s",
                                    REPLY_TIMEOUT_MSEC / 1000U);
        if (r < 0)
                return errmsg(ret_error, r, "send the reply");
        return 0;
}

/* The request line (without its newline) in *ret, read before the deadline: -ETIMEDOUT, -E2BIG
 * past max bytes, -EPIPE for a connection closed before any byte, -EBADMSG for more fds than
 * exec's three. What follows the newline is kept in c->rest (exec's first messages); fds that
 * come with the line go to c->fds. */
static int recv_line_until(ServeConn *c, size_t max, uint64_t deadline, char **ret) {
        _cleanup_free_ char *buf = malloc(max + 2);
        size_t len = 0;
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k = recv_with_fds(c->sock, buf + len, max + 1 - len, c->fds, CONTROL_EXEC_FDS, &c->n_fds,
                                          MSG_DONTWAIT);
                if (k == -EBADMSG)
                        return -EBADMSG;
                if (k < 0) {
                        errno = (int) -k;
                        int r = io_again(c->sock, POLLIN, deadline);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (k == 0 && len == 0)
                        return -EPIPE;
                char *nl = memchr(buf + len, '\n', (size_t) k);
                len += (size_t) k;
                if (nl) {
                        size_t line = (size_t) (nl - buf), rest = len - line - 1;
                        if (rest > 0) {
                                if (!(c->rest = malloc(rest)))
                                        return -ENOMEM;
                                memcpy(c->rest, nl + 1, rest);
                                c->n_rest = rest;
                        }
                        *nl = '\0';
                        len = line;
                        break;
                }
                if (k == 0) /* a last line without newline still counts */
                        break;
                if (len > max)
                        return -E2BIG;
        }
        if (len > max)
                return -E2BIG;
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}

static void serve_conn_done(ServeConn *c) {
        free(c->rest);
        for (size_t i = 0; i < c->n_fds; i++)
                safe_close(c->fds[i]);
        *c = (ServeConn) { .sock = c->sock, .keepalive_fd = c->keepalive_fd };
}

/* A slot: a file <kind>.<uid>.<k> locked with flock() while we hold it, and unlinked (still
 * locked) when we let go, so that nothing stays in /run once no request runs. */
typedef struct Slot {
        int dir_fd;
        int fd;
        char name[32];
} Slot;

static void slot_release(Slot *s) {
        if (s->fd >= 0)
                (void) unlinkat(s->dir_fd, s->name, 0);
        s->fd = safe_close(s->fd);
        s->dir_fd = safe_close(s->dir_fd);
}

/* 0 with one of the n slots of this kind and uid held; -EBUSY when the uid holds all n. */
static int slot_take(char kind, uid_t uid, int n, Slot *ret, char **ret_error) {
        if (mkdir(SLOT_DIR, 0700) < 0 && errno != EEXIST)
                return errmsg(ret_error, -errno, "create %s", SLOT_DIR);
        _cleanup_close_ int dir_fd = open(SLOT_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir_fd < 0)
                return errmsg(ret_error, -errno, "open %s", SLOT_DIR);
        for (int k = 0; k < n; k++) {
                char name[32];
                snprintf(name, sizeof(name), "%c.%u.%d", kind, (unsigned) uid, k);
                /* A holder may unlink the file between our open and our lock: then the lock is
                 * on a file nobody else can find, and we try again. */
                for (int attempt = 0; attempt < 8; attempt++) {
                        _cleanup_close_ int fd = openat(dir_fd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
                        if (fd < 0)
                                return errmsg(ret_error, -errno, "open %s/%s", SLOT_DIR, name);
                        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                                if (errno == EWOULDBLOCK)
                                        break; /* taken: the next slot */
                                return errmsg(ret_error, -errno, "lock %s/%s", SLOT_DIR, name);
                        }
                        struct stat a, b;
                        if (fstat(fd, &a) < 0)
                                return errmsg(ret_error, -errno, "stat %s/%s", SLOT_DIR, name);
                        if (fstatat(dir_fd, name, &b, AT_SYMLINK_NOFOLLOW) < 0 || a.st_dev != b.st_dev ||
                            a.st_ino != b.st_ino)
                                continue;
                        *ret = (Slot) { .dir_fd = TAKE_FD(dir_fd), .fd = TAKE_FD(fd) };
                        memcpy(ret->name, name, sizeof(name));
                        return 0;
                }
        }
        return -EBUSY;
}

/* Refusals are the service's answer, not its failure: a warning for the journal, the reply,
 * and 0 (or what sending the reply failed with). */
static int reply_refuse(int sock, const ControlPeer *peer, const ControlRequest *req, const char *why,
                        char **ret_error) {
        return serve_refuse_until(sock, peer, req, why, deadline_after_msec(REPLY_TIMEOUT_MSEC), ret_error);
}

int serve_refuse_until(int sock, const ControlPeer *peer, const ControlRequest *req, const char *why,
                       uint64_t deadline, char **ret_error) {
        _cleanup_free_ char *error = NULL;
        if (asprintf(&error, "not authorized: %s", why) < 0)
                return -ENOMEM;
        /* Who, for the journal: the pinned peer, or what the kernel said at connect(). */
        struct ucred cred = { .pid = -1, .uid = -1 };
        socklen_t len = sizeof(cred);
        if (peer)
                cred = (struct ucred) { .pid = peer->pid, .uid = peer->uid };
        else
                (void) getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len);
        log_warning("refused %s%s%s from uid %d (pid %d): %s",
                    req ? control_verb_to_string(req->verb) : "a request",
                    req && req->id[0] ? " " : "", req ? req->id : "",
                    (int) cred.uid, (int) cred.pid, error);
        ControlReply rep = { .status = CONTROL_STATUS_FAILED, .error = error };
        return serve_reply_until(sock, &rep, deadline, ret_error);
}

/* systemd runs the container: its unit is up or on its way. */
static bool state_is_running(const char *s) {
        return strcmp(s, "active") == 0 || strcmp(s, "activating") == 0 || strcmp(s, "reloading") == 0 ||
                strcmp(s, "deactivating") == 0 || strcmp(s, "refreshing") == 0;
}

static bool path_exists(const char *dir, const char *id, const char *file) {
        _cleanup_free_ char *p = NULL;
        struct stat st;
        return asprintf(&p, "%s/%s%s", dir, id, file) >= 0 && stat(p, &st) == 0;
}

/* Runs the verb itself against the system state root: a child `ctr-launch --root ...`, its
 * output and its error lines handed back as they are. */
static int run_verb(const ControlRequest *req, ControlReply *rep) {
        _cleanup_strv_free_ char **argv = NULL;
        char *envp[] = { (char *) "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NULL };
        g_autoptr(GError) error = NULL;
        g_autofree char *out = NULL, *err = NULL;
        int wstatus;

        if (control_request_to_argv(req, "/proc/self/exe", STATE_ROOT_SYSTEM, &argv) < 0)
                return -ENOMEM;
        if (!g_spawn_sync(NULL, argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &wstatus, &error)) {
                rep->status = CONTROL_STATUS_FAILED;
                rep->error = strdup(error->message);
                return 0;
        }
        rep->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : CONTROL_STATUS_FAILED;
        rep->ok = rep->status == 0;
        rep->out = out && *out ? strdup(out) : NULL;
        rep->err = err && *err ? strdup(err) : NULL;
        return 0;
}

static int fail(ControlReply *rep, char *error) {
        rep->status = CONTROL_STATUS_FAILED;
        rep->error = error;
        return 0;
}

/* A unit-managed container is one systemd runs as ctr@ID.service: its unit is active (or
 * on its way up or down), or, for start, the container does not exist yet and its bundle is
 * where ctr@.service looks for it (/var/lib/ctr-launch/ID). */
static int act(const ControlRequest *req, ControlReply *rep) {
        _cleanup_free_ char *unit = NULL, *state = NULL;
        char *error = NULL;
        int r;

        if (req->verb == CONTROL_STATE || req->verb == CONTROL_LIST || unit_control_name(req->id, &unit) < 0)
                return run_verb(req, rep);
        r = unit_control_active_state(unit, &state, &error);
        if (r < 0)
                return fail(rep, error);
        bool running = state_is_running(state);

        switch (req->verb) {
        case CONTROL_START:
                if (!running && (path_exists(STATE_ROOT_SYSTEM, req->id, "") ||
                                 !path_exists(SYSTEM_BUNDLES, req->id, "/config.json")))
                        return run_verb(req, rep);
                r = unit_control_job("StartUnit", unit, &error);
                break;
        case CONTROL_KILL:
                if (!running)
                        return run_verb(req, rep);
                /* Without a signal: stop the unit, as `systemctl stop` would (systemd sends
                 * the unit's KillSignal= to the container's PID 1, ExecStopPost= deletes). A
                 * signal goes to the unit's processes, as `systemctl kill` would. */
                r = req->signal == 0 ? unit_control_job("StopUnit", unit, &error)
                                     : unit_control_kill(unit, req->all, req->signal, &error);
                break;
        case CONTROL_DELETE:
                if (!running)
                        return run_verb(req, rep);
                if (!req->force) {
                        if (asprintf(&error, "container is run by %s (%s): stop it first, or use --force", unit, state) < 0)
                                return -ENOMEM;
                        return fail(rep, error);
                }
                r = unit_control_job("StopUnit", unit, &error);
                break;
        default:
                return run_verb(req, rep);
        }
        if (r < 0)
                return fail(rep, error);
        rep->ok = true;
        return 0;
}

/* kill's signal as polkit rules read it (action.lookup("signal")): "SIGKILL", or the number
 * of a real-time signal; NULL for the container's stop signal and for other verbs. */
/* The second detail rules may read besides "container": kill's "signal" ("SIGTERM"), exec's
 * "user" (the uid the process asks for with -u or --process, "" for the container's own), so
 * that a site can allow an exec but not as root. NULL: none. */
static const char *request_detail(const ControlRequest *req, char *buf, size_t size, const char **ret_value) {
        if (req->verb == CONTROL_KILL && req->signal > 0) {
                const char *name = signal_to_string(req->signal);
                if (name)
                        snprintf(buf, size, "SIG%s", name);
                else
                        snprintf(buf, size, "%d", req->signal);
                *ret_value = buf;
                return "signal";
        }
        if (req->verb != CONTROL_EXEC)
                return NULL;
        buf[0] = 0;
        if (req->exec.has_uid)
                snprintf(buf, size, "%" PRIu32, req->exec.uid);
        else if (req->exec.process) {
                OciProcess p = {};
                /* Unparsable: "" here, and exec refuses the document itself. */
                if (oci_process_parse(req->exec.process, strlen(req->exec.process), &p, NULL) >= 0)
                        snprintf(buf, size, "%u", (unsigned) p.uid);
                oci_process_done(&p);
        }
        *ret_value = buf;
        return "user";
}

/* The request line, parsed: 1; refused as malformed (reply sent): 0. */
static int read_request(ServeConn *c, const ControlPeer *peer, uint64_t deadline, ControlRequest *ret, char **ret_error) {
        _cleanup_free_ char *line = NULL, *error = NULL, *why = NULL;
        int sock = c->sock;
        int r = recv_line_until(c, CONTROL_REQUEST_MAX, deadline, &line);
        if (r == -EBADMSG)
                return reply_refuse(sock, peer, NULL, "malformed request: more file descriptors than stdin, stdout and stderr",
                                    ret_error);
        if (r == -E2BIG)
                return reply_refuse(sock, peer, NULL,
                                    "malformed request: longer than " G_STRINGIFY(CONTROL_REQUEST_MAX) " bytes", ret_error);
        if (r == -ETIMEDOUT)
                return reply_refuse(sock, peer, NULL, "malformed request: no complete request line within "
                                    G_STRINGIFY(REQUEST_TIMEOUT_SEC) " s", ret_error);
        if (r < 0)
                return reply_refuse(sock, peer, NULL, "malformed request: no request line received", ret_error);
        r = control_request_parse(line, strlen(line), ret, &error);
        if (r < 0) {
                if (asprintf(&why, "malformed request: %s", error ?: strerror(-r)) < 0)
                        return -ENOMEM;
                return reply_refuse(sock, peer, NULL, why, ret_error);
        }
        /* exec's stdin, stdout and stderr come with its request, and nothing comes with any other. */
        if (ret->verb == CONTROL_EXEC ? c->n_fds != CONTROL_EXEC_FDS : c->n_fds != 0) {
                control_request_done(ret);
                return reply_refuse(sock, peer, NULL, ret->verb == CONTROL_EXEC ?
                                    "malformed request: exec comes with the caller's stdin, stdout and stderr" :
                                    "malformed request: file descriptors come with exec only", ret_error);
        }
        return 1;
}

/* The actions a request needs, all of them: delete --force also stops a running container
 * (StopUnit for a unit-managed one, SIGKILL for any other), so it needs stop as well. */
static size_t request_actions(const ControlRequest *req, const char *ret[static 2]) {
        ret[0] = control_verb_action(req->verb);
        if (req->verb == CONTROL_DELETE && req->force) {
                ret[1] = CONTROL_ACTION_PREFIX "stop";
                return 2;
        }
        return 1;
}

/* polkit's yes, for a requester that is not root: 1; refused (reply sent): 0. */
static int authorize(int sock, const ControlPeer *peer, const ControlRequest *req, char **ret_error) {
        const char *container = req->verb == CONTROL_LIST ? CONTROL_ALL_CONTAINERS : req->id;
        PolkitSubject subject = {
                .pid = peer->pid,
                .starttime = peer->starttime,
                .uid = peer->uid,
                .pidfd = peer->pidfd_from_kernel ? peer->pidfd : -1,
        };
        _cleanup_(slot_release) Slot slot = { .dir_fd = -EBADF, .fd = -EBADF };
        _cleanup_free_ char *error = NULL;
        const char *actions[2];
        size_t n = request_actions(req, actions);
        char detail_buf[32];
        const char *detail_value = NULL;
        const char *detail_key = request_detail(req, detail_buf, sizeof(detail_buf), &detail_value);
        int r = 1;

        if (peer->uid == 0 && peer->in_our_userns)
                return 1;
        if (peer->uid == 0) {
                r = reply_refuse(sock, peer, req, "uid 0 of a user namespace other than the service's is not root here",
                                 ret_error);
                return r < 0 ? r : 0;
        }
        if (req->interactive) {
                r = slot_take('i', peer->accountable_uid, INTERACTIVE_PER_UID, &slot, &error);
                if (r == -EBUSY) {
                        free(error);
                        if (asprintf(&error, "uid %u has %d requests waiting for authentication already: "
                                     "answer or cancel one first", (unsigned) peer->accountable_uid,
                                     INTERACTIVE_PER_UID) < 0)
                                error = NULL;
                }
                r = r < 0 ? 0 : 1;
        }
        for (size_t i = 0; r > 0 && i < n; i++) {
                r = 0;
                if (!control_peer_alive(peer))
                        break;
                r = polkit_check(&subject, actions[i], container, detail_key, detail_value, req->interactive, &error);
                /* A decision about a process that is gone is about nobody. */
                if (r > 0 && !control_peer_alive(peer))
                        r = 0;
        }
        if (r > 0)
                return 1;
        r = reply_refuse(sock, peer, req, control_peer_alive(peer) ? error ?: "out of memory" : "the requester has exited",
                         ret_error);
        return r < 0 ? r : 0;
}

void serve_tell_parent(const ServeConn *c, char stage) {
        if (c->keepalive_fd >= 0 && write(c->keepalive_fd, &stage, 1) < 0)
                log_debug("tell serve's parent '%c': %s", stage, strerror(errno));
}

int serve_connection(int sock, ControlPeer *peer, int keepalive_fd, char **ret_error) {
        uint64_t deadline = deadline_after_msec(REQUEST_TIMEOUT_MSEC);
        _cleanup_free_ char *error = NULL;
        int r;

        _cleanup_(serve_conn_done) ServeConn conn = { .sock = sock, .keepalive_fd = keepalive_fd };
        _cleanup_(control_request_done) ControlRequest req = { .exec.tty = -1 };
        r = read_request(&conn, peer, deadline, &req, ret_error);
        if (r <= 0)
                return r;
        if (req.verb != CONTROL_LIST)
                log_set_id(req.id);
        if (req.verb == CONTROL_EXEC && serve_exec_check_fds(&conn, peer->uid, &error) < 0) {
                r = reply_refuse(sock, peer, &req, error, ret_error);
                return r < 0 ? r : 0;
        }
        if (req.interactive)
                serve_tell_parent(&conn, SERVE_STAGE_INTERACTIVE);
        r = authorize(sock, peer, &req, ret_error);
        if (r <= 0)
                return r;
        serve_tell_parent(&conn, SERVE_STAGE_AUTHORIZED);
        if (req.verb == CONTROL_EXEC)
                return serve_exec(&conn, peer, &req, ret_error);

        _cleanup_(control_reply_done) ControlReply rep = {};
        r = act(&req, &rep);
        control_peer_done(peer);
        if (r < 0)
                return errmsg(ret_error, r, "%s", control_verb_to_string(req.verb));
        r = reply_send(sock, &rep, ret_error);
        return r < 0 ? r : 1;
}
