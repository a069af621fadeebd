/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client of /run/ctr-launch-control.sock: routing, the request, the reply, and polkit's
 * text agent while we wait. CLI code: it prints its errors, one line each, and returns the
 * exit code; what the request and reply hold is control-request.c's. */

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd-util.h"
#include "console.h"
#include "container.h"
#include "control-client.h"
#include "pty-relay.h"
#include "verb-exec.h"
#include "state-dir.h"
#include "time-util.h"

#define PKTTYAGENT "/usr/bin/pkttyagent"
/* How long to wait for the agent to register before asking without it. */
#define AGENT_TIMEOUT_MS 5000
/* How long to keep trying a service that drops our connection unread. */
#define BUSY_RETRY_MSEC 5000U

/* Whether the caller has a container of this id of its own (or may have: its state root cannot
 * be looked at), which then wins over the system's. */
static bool own_container(const char *id) {
        _cleanup_free_ char *root = NULL, *path = NULL;
        int r = state_root_default(&root);
        if (r < 0)
                return r != -ENXIO;
        if (asprintf(&path, "%s/%s", root, id) < 0)
                return true;
        struct stat st;
        return lstat(path, &st) == 0 || errno != ENOENT;
}

/* exec: the verb's own parser (its usage errors are printed once, here), then the request. */
static int applies_exec(const GlobalOptions *g, int argc, char **argv, ControlRequest *ret) {
        _cleanup_(exec_args_done) ExecArgs a = {};
        _cleanup_free_ char *error = NULL;
        int r = exec_parse_args(argc, argv, &a);
        if (r != 0)
                return -r;
        if (!g->system && own_container(a.id))
                return 0;
        r = control_request_from_exec(a.id, &a.options, ret, &error);
        if (r < 0) {
                log_set_id(a.id);
                log_error("%s", error ?: strerror(-r));
                return -EXIT_FAILED;
        }
        return 1;
}

int control_client_applies(const GlobalOptions *g, int argc, char **argv, ControlRequest *ret) {
        _cleanup_free_ char *error = NULL;
        ControlRequest req;

        if (geteuid() == 0 || g->runtime.root)
                return 0;
        if (strcmp(argv[0], "exec") == 0)
                return applies_exec(g, argc, argv, ret);
        int r = control_request_from_argv(argc, argv, &req, &error);
        if (r == -EOPNOTSUPP) {
                if (!g->system)
                        return 0;
                log_error("--system: %s is not available through the system service (start, kill, delete, state, list, exec are)", argv[0]);
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
                _cleanup_free_ char *root = NULL;
                r = state_root_default(&root);
                if (r >= 0 && req.verb == CONTROL_LIST)
                        return 0; /* the caller's own containers */
                /* Not guessed for delete by a caller with a state root of its own: its
                 * `delete --force app` of a container already gone (a unit's ExecStopPost=,
                 * say) must not reach the system's "app". That takes --system. */
                if (r >= 0 && req.verb == CONTROL_DELETE)
                        return 0;
                if (req.verb != CONTROL_LIST && own_container(req.id))
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

/* ---- exec ------------------------------------------------------------------------------- */

/* Our fd n to pass on, or /dev/null in its place when it is closed. */
static int stdio_fd(int n, int *ret_opened) {
        *ret_opened = -EBADF;
        if (fcntl(n, F_GETFD) >= 0)
                return n;
        *ret_opened = open("/dev/null", n == STDIN_FILENO ? O_RDONLY | O_CLOEXEC : O_WRONLY | O_CLOEXEC);
        return *ret_opened;
}

/* Connects and sends the request with our stdin, stdout and stderr: the socket, or -errno
 * (-ECONNRESET: dropped unread, as exchange()). */
/* After a send failed with EPIPE: whether the service answered before it closed (it says
 * "busy" at once to a uid over its cap, and may close before our request is sent). */
static bool answered_before_close(int sock) {
        char c;
        return recv(sock, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 1;
}

static int exec_send(const char *line, bool *ret_unreachable) {
        _cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        _cleanup_close_ int null0 = -EBADF, null1 = -EBADF, null2 = -EBADF;
        int fds[3] = { stdio_fd(0, &null0), stdio_fd(1, &null1), stdio_fd(2, &null2) };
        if (sock < 0 || fds[0] < 0 || fds[1] < 0 || fds[2] < 0)
                return -errno;
        struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = CONTROL_SOCKET_PATH };
        if (connect(sock, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                *ret_unreachable = true;
                return -errno;
        }
        size_t len = strlen(line), done = 0;
        while (done < len) {
                ssize_t k = send_with_fds(sock, line + done, len - done, fds, done == 0 ? 3 : 0, 0);
                if (k == -EINTR)
                        continue;
                if (k == -EPIPE && answered_before_close(sock))
                        break;
                if (k < 0)
                        return k == -EPIPE ? -ECONNRESET : (int) k;
                done += (size_t) k;
        }
        return TAKE_FD(sock);
}

/* The pty's master, to our --console-socket, as runc's exec would send it. */
static void exec_console(const ControlRequest *req, int master) {
        _cleanup_close_ int sock = -EBADF;
        const char *path = req->exec.client_console_socket;
        int r = path ? console_socket_connect(path, &sock) : -EINVAL;
        if (r >= 0)
                r = send_fd(sock, master);
        if (r < 0)
                log_error_errno(r, "send the terminal to --console-socket %s", path ?: "(none)");
}

/* One line from the service: 1 with *ret (the reply); 0 for a message, handled. */
static int exec_line(const ControlRequest *req, const char *line, int *fds, size_t *n_fds, pid_t *agent,
                     ControlReply *ret, char **ret_error) {
        ControlMessage m;
        if (control_message_parse(line, strlen(line), &m, NULL) >= 0) {
                if (m.started) {
                        agent_stop(*agent);
                        *agent = 0;
                }
                if (m.console && *n_fds > 0) {
                        exec_console(req, fds[0]);
                        safe_close(fds[0]);
                        memmove(fds, fds + 1, --*n_fds * sizeof(int));
                }
                return 0;
        }
        int r = control_reply_parse(line, strlen(line), ret, ret_error);
        return r < 0 ? r : 1;
}

/* Reads the service's lines until the reply, passing our signals on meanwhile. */
static int exec_relay(const ControlRequest *req, int sock, int sfd, pid_t *agent, ControlReply *ret, char **ret_error) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int fds[8];
        size_t n_fds = 0;
        int r = 0;

        for (;;) {
                struct pollfd p[2] = { { .fd = sock, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
                if (poll(p, sfd >= 0 ? 2 : 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                if (sfd >= 0 && p[1].revents) {
                        struct signalfd_siginfo si;
                        if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                                ControlMessage m = { .signal = (int) si.ssi_signo };
                                _cleanup_free_ char *line = control_message_to_json(&m);
                                if (line)
                                        (void) send(sock, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
                        }
                }
                if (!p[0].revents)
                        continue;
                char *more = realloc(buf, len + 4096 + 1);
                if (!more) {
                        r = -ENOMEM;
                        break;
                }
                buf = more;
                ssize_t k = recv_with_fds(sock, buf + len, 4096, fds, ELEMENTSOF(fds), &n_fds, 0);
                if (k == -EINTR)
                        continue;
                if (k < 0) {
                        r = (int) k;
                        break;
                }
                if (k == 0) {
                        r = -EPIPE;
                        break;
                }
                len += (size_t) k;
                if (len > CONTROL_REPLY_MAX) {
                        r = -E2BIG;
                        break;
                }
                char *nl;
                while ((nl = memchr(buf, '\n', len))) {
                        *nl = '\0';
                        r = exec_line(req, buf, fds, &n_fds, agent, ret, ret_error);
                        len -= (size_t) (nl + 1 - buf);
                        memmove(buf, nl + 1, len);
                        if (r != 0)
                                goto done;
                }
        }
done:
        for (size_t i = 0; i < n_fds; i++)
                safe_close(fds[i]);
        return r;
}

static int write_pid_file(const char *path, int pid) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        char buf[16];
        int n = snprintf(buf, sizeof(buf), "%d", pid);
        return write_all(fd, buf, (size_t) n);
}

/* What the service's reply says, printed as the verb would have printed it; the exit status. */
static int reply_print(const ControlReply *rep) {
        if (rep->out)
                fputs(rep->out, stdout);
        if (rep->err)
                fputs(rep->err, stderr);
        if (rep->error)
                log_error("%s", rep->error);
        return !rep->ok && rep->status == 0 ? EXIT_FAILED : rep->status;
}

/* exec through the service: our stdio go with the request, our signals follow it, the pty's
 * master comes back for our --console-socket, and the process's exit status is ours. */
static int client_exec(ControlRequest *req) {
        /* The agent first: it must not inherit our blocked signals (agent_stop's SIGTERM). */
        pid_t agent = agent_spawn();
        req->interactive = agent > 0;
        _cleanup_free_ char *line = control_request_to_json(req), *error = NULL;
        if (!line) {
                agent_stop(agent);
                return cli_failf(-ENOMEM, "format the request");
        }
        sigset_t set;
        _cleanup_close_ int sfd = -EBADF;
        if (!req->exec.detach) {
                pty_relay_signals(&set);
                sigprocmask(SIG_BLOCK, &set, NULL);
                sfd = signalfd(-1, &set, SFD_CLOEXEC);
        }

        bool unreachable = false;
        int sock = -ECONNRESET;
        uint64_t deadline = deadline_after_msec(BUSY_RETRY_MSEC);
        for (unsigned wait_ms = 20; sock == -ECONNRESET && deadline_left_msec(deadline) > 0; wait_ms = wait_ms < 320 ? wait_ms * 2 : wait_ms) {
                sock = exec_send(line, &unreachable);
                if (sock == -ECONNRESET)
                        sleep_msec(wait_ms);
        }
        ControlReply rep = {};
        int r = sock < 0 ? sock : exec_relay(req, sock, sfd, &agent, &rep, &error);
        agent_stop(agent);
        safe_close(sock);
        if (r < 0 && unreachable) {
                log_error_errno(r, "exec needs the system service, and %s cannot be reached (is ctr-launch.socket running?)",
                                CONTROL_SOCKET_PATH);
                return EXIT_FAILED;
        }
        if (r == -ECONNRESET || r == -EPIPE) {
                log_error("the system service closed the connection without a reply (see its journal: "
                          "journalctl -u ctr-launch.service)");
                return EXIT_FAILED;
        }
        if (r < 0) {
                log_error("talk to the system service at %s: %s", CONTROL_SOCKET_PATH, error ?: strerror(-r));
                return EXIT_FAILED;
        }
        int status = reply_print(&rep);
        if (rep.ok && req->exec.client_pid_file && rep.pid > 0 &&
            (r = write_pid_file(req->exec.client_pid_file, rep.pid)) < 0) {
                log_error_errno(r, "write pid file %s", req->exec.client_pid_file);
                status = EXIT_FAILED;
        }
        control_reply_done(&rep);
        return status;
}


/* One exchange: connect, send the line, read the reply line. -ECONNRESET when the service
 * closed the connection with our request unread and no answer: it does that to a connection
 * past its total of requests in progress, so nothing was done. */
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
                if (k < 0 && errno == EPIPE && answered_before_close(sock))
                        break;
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
        if (req->verb == CONTROL_EXEC) {
                int r = client_exec(req);
                control_request_done(req);
                return r;
        }

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
                          "at once; see journalctl -u ctr-launch.service)", BUSY_RETRY_MSEC / 1000U);
                return EXIT_FAILED;
        }
        agent_stop(agent);
        if (r == -EPIPE) {
                /* Says it all: no ": Broken pipe" after it. */
                log_error("the system service closed the connection without a reply (see its journal: "
                          "journalctl -u ctr-launch.service)");
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
        int status = reply_print(&rep);
        control_reply_done(&rep);
        return status;
}
