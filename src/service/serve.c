/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The privileged side of the control socket (serve.h): one connection, one request, the
 * requester pinned (control-peer.h), polkit asked unless the requester is root, and only then
 * the act: a unit-managed container through systemd (ctr@ID.service), any other by running the
 * verb on the system state root. Everything that is not a clear yes is "not authorized" and
 * does nothing. It never prints an error: refusals are warnings for the journal, failures go
 * back to the verb in *ret_error. */

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errmsg.h"
#include "fd-util.h"
#include "parse-util.h"
#include "strv.h"
#include "log.h"
#include "state-dir.h"
#include "control-peer.h"
#include "control-request.h"
#include "polkit.h"
#include "serve.h"
#include "unit-control.h"

#define SYSTEM_BUNDLES "/var/lib/ctr-launch"
/* A client that connects and says nothing does not hold a service instance for long. */
#define REQUEST_TIMEOUT_SEC 10

static int reply_send(int sock, ControlReply *rep, char **ret_error) {
        _cleanup_free_ char *line = control_reply_to_json(rep);
        if (!line)
                return errmsg(ret_error, -ENOMEM, "format the reply");
        int r = write_all(sock, line, strlen(line));
        if (r < 0)
                return errmsg(ret_error, r, "send the reply");
        return 0;
}

/* Refusals are the service's answer, not its failure: a warning for the journal, the reply,
 * and 0 (or what sending the reply failed with). */
static int reply_refuse(int sock, const ControlPeer *peer, const ControlRequest *req, const char *why,
                        char **ret_error) {
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
        return reply_send(sock, &rep, ret_error);
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
                /* Without a signal: stop the unit, as `systemctl stop` would (its ExecStop=
                 * sends the stop signal, ExecStopPost= deletes). A signal goes to the unit's
                 * processes, as `systemctl kill` would. */
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
static const char *signal_detail(const ControlRequest *req, char *buf, size_t size) {
        if (req->verb != CONTROL_KILL || req->signal <= 0)
                return NULL;
        const char *name = signal_to_string(req->signal);
        if (name)
                snprintf(buf, size, "SIG%s", name);
        else
                snprintf(buf, size, "%d", req->signal);
        return buf;
}

/* The request line, parsed: 1; refused as malformed (reply sent): 0. */
static int read_request(int sock, const ControlPeer *peer, ControlRequest *ret, char **ret_error) {
        _cleanup_free_ char *line = NULL, *error = NULL, *why = NULL;
        int r = read_line_fd(sock, CONTROL_REQUEST_MAX + 1, &line);
        if (r == -E2BIG)
                return reply_refuse(sock, peer, NULL,
                                    "malformed request: longer than " G_STRINGIFY(CONTROL_REQUEST_MAX) " bytes", ret_error);
        if (r < 0)
                return reply_refuse(sock, peer, NULL, "malformed request: no request line received", ret_error);
        r = control_request_parse(line, strlen(line), ret, &error);
        if (r < 0) {
                if (asprintf(&why, "malformed request: %s", error ?: strerror(-r)) < 0)
                        return -ENOMEM;
                return reply_refuse(sock, peer, NULL, why, ret_error);
        }
        return 1;
}

/* polkit's yes, for a requester that is not root: 1; refused (reply sent): 0. */
static int authorize(int sock, const ControlPeer *peer, const ControlRequest *req, char **ret_error) {
        const char *container = req->verb == CONTROL_LIST ? CONTROL_ALL_CONTAINERS : req->id;
        PolkitSubject subject = { .pid = peer->pid, .starttime = peer->starttime, .uid = peer->uid };
        _cleanup_free_ char *error = NULL;
        char sigbuf[32];
        int r;

        if (peer->uid == 0)
                return 1;
        if (control_peer_alive(peer)) {
                r = polkit_check(&subject, control_verb_action(req->verb), container,
                                 signal_detail(req, sigbuf, sizeof(sigbuf)), req->interactive, &error);
                /* A decision about a process that is gone is about nobody. */
                if (r > 0 && control_peer_alive(peer))
                        return 1;
        }
        r = reply_refuse(sock, peer, req, control_peer_alive(peer) ? error ?: "out of memory" : "the requester has exited",
                         ret_error);
        return r < 0 ? r : 0;
}

int serve_connection(int sock, char **ret_error) {
        int type;
        socklen_t len = sizeof(type);
        if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM)
                return errmsg_plain(ret_error, -ENOTSOCK, "serve: stdin must be the connection (run by ctr-launch.socket)");
        struct timeval tv = { .tv_sec = REQUEST_TIMEOUT_SEC };
        (void) setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        (void) setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));

        _cleanup_(control_peer_done) ControlPeer peer = { .pidfd = -EBADF };
        _cleanup_free_ char *error = NULL;
        int r = control_peer_identify(sock, &peer, &error);
        if (r < 0) {
                r = reply_refuse(sock, NULL, NULL, error ?: "cannot identify the requester", ret_error);
                return r < 0 ? r : 0;
        }

        ControlRequest req;
        r = read_request(sock, &peer, &req, ret_error);
        if (r <= 0)
                return r;
        if (req.verb != CONTROL_LIST)
                log_set_id(req.id);
        r = authorize(sock, &peer, &req, ret_error);
        if (r <= 0)
                return r;

        _cleanup_(control_reply_done) ControlReply rep = {};
        r = act(&req, &rep);
        control_peer_done(&peer);
        if (r < 0)
                return errmsg(ret_error, r, "%s", control_verb_to_string(req.verb));
        r = reply_send(sock, &rep, ret_error);
        return r < 0 ? r : 1;
}
