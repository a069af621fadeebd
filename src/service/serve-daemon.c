/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* serve's parent (serve.h): the listening socket of ctr-launch.socket (Accept=no), accepted in
 * one loop that never waits on a client. Each connection's peer is pinned at once
 * (control-peer.h) and counted against its accountable uid: over the caps it is answered
 * "busy" (past SERVE_REQUESTS_MAX in all, closed unread, which the client retries), otherwise a
 * forked child (no exec: the same sandbox) runs serve_connection(). The parent bounds each
 * child's life, reaps it, and exits once idle. It reads no request and waits on no client. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/param.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "errmsg.h"
#include "fd-util.h"
#include "macros.h"
#include "time-util.h"
#include "log.h"
#include "control-peer.h"
#include "control-request.h"
#include "serve.h"
#include "serve-internal.h"

/* Connections taken per wake-up before signals and children are looked at again. */
#define ACCEPT_BATCH 32
/* After accept() failed for want of resources (fds, memory): a pause, not a busy loop. */
#define ACCEPT_PAUSE_MSEC 100U
/* At most one line a second about refused connections in the journal. */
#define REFUSAL_LOG_INTERVAL_MSEC 1000U

typedef struct Child {
        pid_t pid;
        int pidfd;
        int keepalive;     /* the read end of the child's keepalive pipe; -EBADF once at EOF */
        uid_t uid;         /* accountable uid */
        bool counted;      /* against SERVE_REQUESTS_PER_UID (not root's) */
        uint64_t deadline; /* now_msec() time; UINT64_MAX once killed */
} Child;

typedef struct Daemon {
        int listen_fd;
        int signal_fd;
        sigset_t old_mask;
        Child children[SERVE_REQUESTS_MAX];
        size_t n_children;
        uint64_t idle_msec;
        uint64_t last_activity;
        uint64_t accept_paused_until;
        uint64_t refused_logged;
        unsigned refused_unlogged;
} Daemon;

/* What a child takes from the parent: its connection, its peer, its end of the keepalive pipe. */
typedef struct ChildStart {
        int conn;
        ControlPeer peer;
        int keepalive;
} ChildStart;

static void daemon_close_fds(Daemon *d) {
        d->listen_fd = -EBADF; /* systemd's; ours is closed below by number */
        d->signal_fd = safe_close(d->signal_fd);
        for (size_t i = 0; i < d->n_children; i++) {
                d->children[i].pidfd = safe_close(d->children[i].pidfd);
                d->children[i].keepalive = safe_close(d->children[i].keepalive);
        }
}

static size_t requests_of(const Daemon *d, uid_t uid) {
        size_t n = 0;
        for (size_t i = 0; i < d->n_children; i++)
                n += d->children[i].counted && d->children[i].uid == uid;
        return n;
}

/* The parent's lines: at most one a second, with how many connections it stands for, so that a
 * flood is not logged connection by connection (and the journal never holds the loop up). */
static void refusal_log(Daemon *d, const char *what) {
        d->refused_unlogged++;
        if (d->refused_logged != 0 && now_msec() - d->refused_logged < REFUSAL_LOG_INTERVAL_MSEC)
                return;
        log_warning("refused %u connection%s since the last such line, the last one: %s", d->refused_unlogged,
                    d->refused_unlogged == 1 ? "" : "s", what);
        d->refused_logged = now_msec();
        d->refused_unlogged = 0;
}

/* A refusal the parent answers itself, at once: "not authorized: <why>", as serve has always
 * sent them. A fresh connection's buffer takes the line; if not, the client is not worth a wait. */
static void refuse_now(Daemon *d, int conn, const char *why) {
        char error[320];
        snprintf(error, sizeof(error), "not authorized: %s", why);
        ControlReply rep = { .status = CONTROL_STATUS_FAILED, .error = error };
        (void) serve_reply_until(conn, &rep, now_msec(), NULL);
        refusal_log(d, error);
}

/* Forks the child for conn. 1 in the parent (the child is counted; conn stays ours to close),
 * 0 in the child (*ret filled), < 0 when no child could be made. */
static int spawn_child(Daemon *d, int conn, ControlPeer *peer, ChildStart *ret) {
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0) {
                int r = -errno;
                safe_close(pipefd[0]);
                safe_close(pipefd[1]);
                return r;
        }
        if (pid == 0) {
                /* Its own process group, so that the parent's kill at the deadline takes what
                 * it runs (the verb it spawns) with it. */
                (void) setpgid(0, 0);
                /* Under the service's one MemoryMax=, the kernel's OOM killer takes a child,
                 * one request, before the parent, every request. */
                _cleanup_close_ int oom = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
                if (oom < 0 || write(oom, "500", 3) != 3)
                        log_debug("raise the child's oom_score_adj: %s", strerror(errno));
                safe_close(pipefd[0]);
                close(d->listen_fd);
                daemon_close_fds(d);
                (void) sigprocmask(SIG_SETMASK, &d->old_mask, NULL);
                *ret = (ChildStart) { .conn = conn, .peer = *peer, .keepalive = pipefd[1] };
                *peer = (ControlPeer) { .pidfd = -EBADF };
                return 0;
        }
        (void) setpgid(pid, pid);
        safe_close(pipefd[1]);
        Child *c = &d->children[d->n_children++];
        *c = (Child) {
                .pid = pid,
                .pidfd = pidfd_open(pid, 0), /* ours until we reap it: cannot be recycled */
                .keepalive = pipefd[0],
                .uid = peer->accountable_uid,
                .counted = peer->uid != 0,
                .deadline = deadline_after_msec(SERVE_UNAUTHORIZED_MSEC),
        };
        if (c->pidfd < 0)
                log_warning("pidfd_open of serve's child %d: %s (it is reaped when its pipe closes)", (int) pid,
                            strerror(errno));
        return 1;
}

/* One accepted connection: pinned, counted, refused or handed to a child. 0 in the parent, 1 in
 * the child (*ret filled). */
static int take_connection(Daemon *d, int conn, ChildStart *ret) {
        /* Past the total, a new connection is closed unread, as systemd's MaxConnections= did:
         * the client tries again for a while (control-client.c), and nothing was done. */
        if (d->n_children >= SERVE_REQUESTS_MAX) {
                refusal_log(d, "the system service has its most requests in progress: closed unread");
                return 0;
        }
        _cleanup_(control_peer_done) ControlPeer peer = { .pidfd = -EBADF };
        _cleanup_free_ char *error = NULL;
        int r = control_peer_identify(conn, &peer, &error);
        if (r < 0) {
                refuse_now(d, conn, error ?: "cannot identify the requester");
                return 0;
        }
        if (peer.uid != 0 && requests_of(d, peer.accountable_uid) >= SERVE_REQUESTS_PER_UID) {
                char why[160];
                snprintf(why, sizeof(why), "uid %u has %d requests in progress already: try again later",
                         (unsigned) peer.accountable_uid, SERVE_REQUESTS_PER_UID);
                refuse_now(d, conn, why);
                return 0;
        }
        r = spawn_child(d, conn, &peer, ret);
        if (r == 0)
                return 1;
        if (r < 0)
                /* TasksMax= or memory: as if full, closed unread. */
                refusal_log(d, "cannot fork a child for the request: closed unread");
        return 0;
}

static void accept_some(Daemon *d, ChildStart *ret, bool *ret_child) {
        for (int i = 0; i < ACCEPT_BATCH; i++) {
                int conn = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);
                if (conn < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        if (errno != EAGAIN) {
                                log_warning("accept on the control socket: %s", strerror(errno));
                                d->accept_paused_until = deadline_after_msec(ACCEPT_PAUSE_MSEC);
                        }
                        return;
                }
                d->last_activity = now_msec();
                if (take_connection(d, conn, ret) > 0) {
                        *ret_child = true;
                        return;
                }
                safe_close(conn);
        }
}

static void child_reap(Daemon *d, size_t i) {
        Child *c = &d->children[i];
        int status;
        if (waitpid(c->pid, &status, WNOHANG) != c->pid)
                return; /* not yet */
        if (WIFSIGNALED(status))
                log_warning("serve's child %d (uid %u) ended by signal %d", (int) c->pid, (unsigned) c->uid,
                            WTERMSIG(status));
        safe_close(c->pidfd);
        safe_close(c->keepalive);
        d->children[i] = d->children[--d->n_children];
        d->last_activity = now_msec();
}

static void child_keepalive(Child *c) {
        char buf[64];
        ssize_t k = read(c->keepalive, buf, sizeof(buf));
        if (k == 0)
                c->keepalive = safe_close(c->keepalive);
        for (ssize_t i = 0; i < k && c->deadline != UINT64_MAX; i++) {
                unsigned msec = buf[i] == SERVE_STAGE_INTERACTIVE ? SERVE_INTERACTIVE_MSEC
                                : buf[i] == SERVE_STAGE_AUTHORIZED ? SERVE_LIFETIME_MSEC
                                : buf[i] == SERVE_STAGE_EXTEND     ? SERVE_EXTEND_MSEC
                                                                    : 0;
                c->deadline = MAX(c->deadline, deadline_after_msec(msec));
        }
}

static void child_expire(Child *c) {
        log_warning("serve's child %d (uid %u) outlived its deadline: killed", (int) c->pid, (unsigned) c->uid);
        /* The group while we have not reaped the child: its id is not free for reuse. */
        if (kill(-c->pid, SIGKILL) < 0)
                (void) kill(c->pid, SIGKILL);
        c->deadline = UINT64_MAX;
}

static int daemon_setup(Daemon *d, unsigned idle_exit_sec, char **ret_error) {
        int n = sd_listen_fds(true);
        if (n < 0)
                return errmsg(ret_error, n, "serve: LISTEN_FDS");
        if (n != 1 || sd_is_socket(SD_LISTEN_FDS_START, AF_UNIX, SOCK_STREAM, 1) <= 0)
                return errmsg_plain(ret_error, -ENOTSOCK,
                                    "serve: expects one listening socket (run by ctr-launch.socket, Accept=no)");
        d->listen_fd = SD_LISTEN_FDS_START;
        /* systemd's sockets are non-blocking already; ours must be, whoever started us. */
        int flags = fcntl(d->listen_fd, F_GETFL);
        if (flags < 0 || fcntl(d->listen_fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
            fcntl(d->listen_fd, F_SETFD, FD_CLOEXEC) < 0)
                return errmsg(ret_error, -errno, "serve: the listening socket");

        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, &d->old_mask) < 0)
                return errmsg(ret_error, -errno, "serve: block signals");
        d->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (d->signal_fd < 0)
                return errmsg(ret_error, -errno, "serve: signalfd");
        /* A client that goes away while we write to it must not end us. */
        signal(SIGPIPE, SIG_IGN);
        d->idle_msec = (uint64_t) idle_exit_sec * 1000U;
        d->last_activity = now_msec();
        return 0;
}

static void daemon_done(Daemon *d) {
        daemon_close_fds(d);
}

/* The loop: 1 once idle (or asked to stop), 0 in a child (*ret filled). Long, but one poll and
 * its answers; each answer is a helper above. */
static int daemon_loop(Daemon *d, ChildStart *ret) {
        struct pollfd p[2 + 2 * SERVE_REQUESTS_MAX];
        for (;;) {
                uint64_t now = now_msec(), wake = UINT64_MAX;
                size_t n = 0;
                bool accepting = d->accept_paused_until <= now;

                p[n++] = (struct pollfd) { .fd = d->signal_fd, .events = POLLIN };
                p[n++] = (struct pollfd) { .fd = accepting ? d->listen_fd : -1, .events = POLLIN };
                if (!accepting)
                        wake = d->accept_paused_until;
                for (size_t i = 0; i < d->n_children; i++) {
                        Child *c = &d->children[i];
                        p[n++] = (struct pollfd) { .fd = c->pidfd, .events = POLLIN };
                        p[n++] = (struct pollfd) { .fd = c->keepalive, .events = POLLIN };
                        wake = MIN(wake, c->deadline);
                        if (c->pidfd < 0) /* no pidfd to wake us: look again soon */
                                wake = MIN(wake, now + ACCEPT_PAUSE_MSEC);
                }
                if (d->n_children == 0)
                        wake = MIN(wake, d->last_activity + d->idle_msec);
                int timeout = wake == UINT64_MAX ? -1 : deadline_left_msec(wake);
                if (poll(p, n, timeout) < 0 && errno != EINTR)
                        return -errno;
                now = now_msec();

                if (p[0].revents) {
                        struct signalfd_siginfo si;
                        if (read(d->signal_fd, &si, sizeof(si)) == sizeof(si))
                                /* systemd stops the children with us (KillMode=control-group). */
                                return 1;
                }
                /* Children first: one that ended frees its slot for the connections below. */
                for (size_t i = d->n_children, k; i-- > 0;) {
                        Child *c = &d->children[i];
                        k = 2 + 2 * i;
                        if (p[k + 1].revents)
                                child_keepalive(c);
                        if (p[k].revents || (c->pidfd < 0 && c->keepalive < 0))
                                child_reap(d, i);
                        else if (c->deadline <= now)
                                child_expire(c);
                }
                if (p[1].revents) {
                        bool child = false;
                        accept_some(d, ret, &child);
                        if (child)
                                return 0;
                }
                if (d->n_children == 0 && now >= d->last_activity + d->idle_msec) {
                        /* Idle: no child, nothing accepted for idle_msec, and nothing waiting
                         * now (the poll said so). A connection that comes after this stays in
                         * the socket, which systemd holds: it starts us again for it. */
                        return 1;
                }
        }
}

int serve_run(unsigned idle_exit_sec, bool *ret_child, char **ret_error) {
        _cleanup_(daemon_done) Daemon d = { .listen_fd = -EBADF, .signal_fd = -EBADF };
        ChildStart start = { .conn = -EBADF, .peer = { .pidfd = -EBADF }, .keepalive = -EBADF };
        *ret_child = false;
        int r = daemon_setup(&d, idle_exit_sec, ret_error);
        if (r < 0)
                return r;
        r = daemon_loop(&d, &start);
        if (r < 0)
                return errmsg(ret_error, r, "serve: poll");
        if (r > 0)
                return 1;

        /* The child: one connection, then the caller exits. */
        *ret_child = true;
        _cleanup_close_ int conn = start.conn, keepalive = start.keepalive;
        _cleanup_(control_peer_done) ControlPeer peer = start.peer;
        return serve_connection(conn, &peer, keepalive, ret_error);
}
