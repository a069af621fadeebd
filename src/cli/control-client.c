/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client of /run/ctr-launch-control.sock: routing, the request, the reply, and polkit's
 * text agent while we wait. CLI code: it prints its errors, one line each, and returns the
 * exit code; what the request and reply hold is control-request.c's. */

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd-util.h"
#include "control-client.h"
#include "state-dir.h"
#include "time-util.h"

#define PKTTYAGENT "/usr/bin/pkttyagent"
/* How long to wait for the agent to register before asking without it. */
#define AGENT_TIMEOUT_MS 5000
/* How long to keep trying a service that drops our connection unread. */
#define BUSY_RETRY_MSEC 5000U

int control_client_applies(const GlobalOptions *g, int argc, char **argv, ControlRequest *ret) {
        _cleanup_free_ char *error = NULL, *root = NULL, *path = NULL;
        ControlRequest req;

        if (geteuid() == 0 || g->runtime.root)
                return 0;
        int r = control_request_from_argv(argc, argv, &req, &error);
        if (r == -EOPNOTSUPP) {
                if (!g->system)
                        return 0;
                log_error("--system: %s is not available through the system service (start, kill, delete, state, list are)", argv[0]);
                return -EXIT_USAGE;
        }
        if (r < 0) {
                /* The verb itself reports its usage errors, unless it cannot run here. */
                if (!g->system)
                        return 0;
                log_error("%s: %s (see ctr-launch %s --help)", argv[0], error ?: "invalid arguments", argv[0]);
                return -EXIT_USAGE;
        }
        if (!g->system) {
                r = state_root_default(&root);
                if (r >= 0 && req.verb == CONTROL_LIST)
                        return 0; /* the caller's own containers */
                /* Not guessed for delete by a caller with a state root of its own: its
                 * `delete --force app` of a container already gone (a unit's ExecStopPost=,
                 * say) must not reach the system's "app". That takes --system. */
                if (r >= 0 && req.verb == CONTROL_DELETE)
                        return 0;
                if (r >= 0) {
                        if (asprintf(&path, "%s/%s", root, req.id) < 0)
                                return 0;
                        struct stat st;
                        if (lstat(path, &st) == 0 || errno != ENOENT)
                                return 0; /* a container of the caller's own */
                } else if (r != -ENXIO)
                        return 0;
        }
        *ret = req;
        return 1;
}

/* polkit's text agent for our process, as systemctl runs it: on a terminal only; returns its
 * PID once it has registered (it closes the notify fd then), or 0. */
static pid_t agent_spawn(void) {
        int pipefd[2];
        if (!isatty(STDIN_FILENO) || access(PKTTYAGENT, X_OK) < 0)
                return 0;
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return 0;
        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid < 0) {
                safe_close(pipefd[0]);
                safe_close(pipefd[1]);
                return 0;
        }
        if (pid == 0) {
                char fdnum[16], process[32];
                int fd = fcntl(pipefd[1], F_DUPFD, 3); /* without O_CLOEXEC: for the agent */
                if (fd < 0)
                        _exit(127);
                snprintf(fdnum, sizeof(fdnum), "%d", fd);
                snprintf(process, sizeof(process), "%d", (int) parent);
                execl(PKTTYAGENT, PKTTYAGENT, "--notify-fd", fdnum, "--fallback", "--process", process, (char *) NULL);
                _exit(127);
        }
        safe_close(pipefd[1]);
        /* EOF on the pipe: the agent registered (or died). */
        struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
        char c;
        if (poll(&p, 1, AGENT_TIMEOUT_MS) <= 0 || read(pipefd[0], &c, 1) != 0 ||
            waitpid(pid, NULL, WNOHANG) != 0) {
                safe_close(pipefd[0]);
                kill(pid, SIGTERM);
                waitpid(pid, NULL, 0);
                return 0;
        }
        safe_close(pipefd[0]);
        return pid;
}

static void agent_stop(pid_t pid) {
        if (pid <= 0)
                return;
        kill(pid, SIGTERM);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}

/* One exchange: connect, send the line, read the reply line. -ECONNRESET when the service
 * closed the connection with our request unread: systemd does that to a connection past
 * MaxConnections=, before any instance saw it, so nothing was done. */
static int exchange(const char *line, bool *ret_unreachable, char **ret_reply) {
        _cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0)
                return -errno;
        struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = CONTROL_SOCKET_PATH };
        if (connect(sock, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                *ret_unreachable = true;
                return -errno;
        }
        /* MSG_NOSIGNAL: a connection dropped unread must be retried, not end us by SIGPIPE. */
        for (size_t len = strlen(line), done = 0; done < len;) {
                ssize_t k = send(sock, line + done, len - done, MSG_NOSIGNAL);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return errno == EPIPE ? -ECONNRESET : -errno;
                done += (size_t) k;
        }
        (void) shutdown(sock, SHUT_WR);
        return read_line_fd(sock, CONTROL_REPLY_MAX, ret_reply);
}

int control_client_run(ControlRequest *req) {
        if (req->verb != CONTROL_LIST)
                log_set_id(req->id);

        pid_t agent = agent_spawn();
        req->interactive = agent > 0;
        _cleanup_free_ char *line = control_request_to_json(req), *reply_line = NULL, *error = NULL;
        int r = line ? 0 : -ENOMEM;
        bool unreachable = false;
        /* A busy service (a flood of someone else's connections) drops ours unread: try again
         * for a while, it costs the service nothing. */
        uint64_t deadline = deadline_after_msec(BUSY_RETRY_MSEC);
        for (unsigned wait_ms = 20; r >= 0; wait_ms = wait_ms < 320 ? wait_ms * 2 : wait_ms) {
                r = exchange(line, &unreachable, &reply_line);
                if (r != -ECONNRESET || deadline_left_msec(deadline) == 0)
                        break;
                sleep_msec(wait_ms);
                r = 0;
        }
        if (r < 0 && unreachable) {
                agent_stop(agent);
                log_error_errno(r, "%s needs the system service, and %s cannot be reached "
                                "(is ctr-launch.socket running?)",
                                control_verb_to_string(req->verb), CONTROL_SOCKET_PATH);
                return EXIT_FAILED;
        }
        if (r == -ECONNRESET) {
                agent_stop(agent);
                log_error("the system service is busy: it dropped the connection for %u s (too many requests "
                          "at once; see journalctl -u ctr-launch.socket)", BUSY_RETRY_MSEC / 1000U);
                return EXIT_FAILED;
        }
        agent_stop(agent);
        if (r == -EPIPE) {
                /* Says it all: no ": Broken pipe" after it. */
                log_error("the system service closed the connection without a reply (see its journal: "
                          "journalctl -u 'ctr-launch@*')");
                return EXIT_FAILED;
        }
        if (r < 0) {
                log_error_errno(r, "talk to the system service at %s", CONTROL_SOCKET_PATH);
                return EXIT_FAILED;
        }

        ControlReply rep;
        if (control_reply_parse(reply_line, strlen(reply_line), &rep, &error) < 0) {
                log_error("the system service sent a bad reply: %s", error ?: "out of memory");
                return EXIT_FAILED;
        }
        if (rep.out)
                fputs(rep.out, stdout);
        if (rep.err)
                fputs(rep.err, stderr);
        if (rep.error)
                log_error("%s", rep.error);
        int status = rep.status;
        if (!rep.ok && status == 0)
                status = EXIT_FAILED;
        control_reply_done(&rep);
        return status;
}
