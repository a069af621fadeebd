/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec for a non-root admin, once polkit said yes (serve-internal.h). serve itself runs
 * sandboxed (no namespaces, few capabilities, NoNewPrivileges=, a seccomp filter), and the
 * process would inherit all of that: so `ctr-launch exec` runs as a transient unit of PID 1, as
 * root would run it, with the caller's stdin, stdout and stderr and the caller's audit login
 * uid, and nothing else of ours. serve stays on the connection: signals in, the pty's master
 * and the exit status out. Paths root would open for the caller never come from the request:
 * --process, --console-socket and --pid-file are files of our own in SERVE_RUN_DIR. */

#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/un.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "errmsg.h"
#include "fd-util.h"
#include "parse-util.h"
#include "strv.h"
#include "time-util.h"
#include "log.h"
#include "state-dir.h"
#include "systemd-job.h"
#include "serve-internal.h"

/* The unit's start: PID 1 forks and execs `ctr-launch exec` (Type=exec). */
#define EXEC_JOB_TIMEOUT_USEC (30ULL * 1000000ULL)
/* serve's parent bounds each child's life (SERVE_LIFETIME_MSEC); a foreground exec holds its
 * child as long as the process runs, so it pushes that bound out, a little at a time (a byte
 * on the keepalive pipe: SERVE_EXTEND_MSEC more): a child that stops doing so is still ended. */
#define KEEPALIVE_MSEC (60U * 1000U)
/* How often to look at the unit when we have no pidfd of its process to wake us. */
#define POLL_UNIT_MSEC 200
/* A message from the client is a short line; a longer one is a broken client. */
#define MESSAGE_MAX 256
#define BUS_DEST "org.freedesktop.systemd1"
#define EXEC_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *const stdio_names[CONTROL_EXEC_FDS] = { "stdin", "stdout", "stderr" };

/* The process gets these as its stdio, as root in the container. A directory or an O_PATH fd
 * would let it walk the host's tree from there (the CVE-2024-21626 class), and a file could be
 * reopened through /proc/self/fd with root's rights: writable where the caller could only read
 * it, readable where it could only append. Pipes, sockets and character devices (a terminal,
 * /dev/null) give nothing more reopened; a regular file only if it is the caller's own (whose
 * mode the caller may change anyway): `> out.log`. */
int serve_exec_check_fds(const ServeConn *c, uid_t uid, char **ret_error) {
        for (size_t i = 0; i < c->n_fds; i++) {
                struct stat st;
                int flags = fcntl(c->fds[i], F_GETFL);
                if (flags < 0 || fstat(c->fds[i], &st) < 0)
                        return errmsg(ret_error, -errno, "exec: the caller's %s", stdio_names[i]);
                /* A pipe, but not a named FIFO of someone else's: root in the container could
                 * reopen it for writing through /proc/self/fd (a root daemon's 0644 control
                 * FIFO, say). An anonymous pipe lives on pipefs, and reopening it only reaches
                 * the same pipe. */
                struct statfs sf;
                bool anonymous_pipe = S_ISFIFO(st.st_mode) && fstatfs(c->fds[i], &sf) >= 0 && sf.f_type == PIPEFS_MAGIC;
                if (!(flags & O_PATH) && (anonymous_pipe || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode) ||
                                          ((S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode)) && st.st_uid == uid)))
                        continue;
                return errmsg_plain(ret_error, -EPERM,
                                    "exec: the caller's %s is %s: the system service passes on terminals, pipes, "
                                    "sockets, character devices and the caller's own files only (use a pipe: "
                                    "cat FILE | ctr-launch exec ...)",
                                    stdio_names[i], (flags & O_PATH) ? "an O_PATH descriptor" :
                                    S_ISDIR(st.st_mode) ? "a directory" :
                                    S_ISREG(st.st_mode) ? "a file the caller does not own" :
                                    S_ISFIFO(st.st_mode) ? "a named FIFO the caller does not own" :
                                    "neither a pipe, a socket, a character device nor a file");
        }
        return 0;
}

/* The caller's audit login uid (who logged in, whatever uid they run as now), or its uid when
 * it has none (4294967295: a process no login session began). */
static uint32_t peer_loginuid(const ControlPeer *peer) {
        char path[64], buf[16] = "";
        snprintf(path, sizeof(path), "/proc/%d/loginuid", (int) peer->pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
        uint64_t v;
        if (n <= 0 || parse_uint64(buf, UINT32_MAX, &v) < 0 || v == UINT32_MAX)
                return (uint32_t) peer->uid;
        return (uint32_t) v;
}

typedef struct ExecRun {
        char name[64];       /* ctr-launch-exec-<random>.service */
        char files[3][96];   /* process document, pid file, console socket: "" if unused */
        int console_listen;
        sd_bus *bus;
        char *unit_path;
        bool started;
} ExecRun;

enum { FILE_PROCESS, FILE_PID, FILE_CONSOLE };

static void exec_run_done(ExecRun *x) {
        for (size_t i = 0; i < ELEMENTSOF(x->files); i++)
                if (x->files[i][0])
                        (void) unlink(x->files[i]);
        x->console_listen = safe_close(x->console_listen);
        free(x->unit_path);
        /* Dropping the bus drops our reference (AddRef=): systemd collects the unit once its
         * process is gone, or now if it is. */
        x->bus = sd_bus_flush_close_unref(x->bus);
}

static int exec_run_names(ExecRun *x, char **ret_error) {
        uint64_t rnd;
        if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
                return errmsg(ret_error, -errno, "getrandom");
        snprintf(x->name, sizeof(x->name), "ctr-launch-exec-%016" PRIx64 ".service", rnd);
        static const char *const suffix[] = { "process.json", "pid", "console" };
        for (size_t i = 0; i < ELEMENTSOF(suffix); i++)
                snprintf(x->files[i], sizeof(x->files[i]), SERVE_RUN_DIR "/exec-%016" PRIx64 ".%s", rnd, suffix[i]);
        return 0;
}

static int write_process_file(ExecRun *x, const char *content, char **ret_error) {
        _cleanup_close_ int fd = open(x->files[FILE_PROCESS], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) {
                x->files[FILE_PROCESS][0] = '\0';
                return errmsg(ret_error, -errno, "exec: write the --process document");
        }
        int r = write_all(fd, content, strlen(content));
        return r < 0 ? errmsg(ret_error, r, "exec: write the --process document") : 0;
}

/* Our end of `exec --console-socket`: the pty's master comes here, and goes on to the client. */
static int listen_console(ExecRun *x, char **ret_error) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        strcpy(sa.sun_path, x->files[FILE_CONSOLE]);
        x->console_listen = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (x->console_listen < 0)
                return errmsg(ret_error, -errno, "exec: console socket");
        if (bind(x->console_listen, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                x->files[FILE_CONSOLE][0] = '\0';
                return errmsg(ret_error, -errno, "exec: bind the console socket");
        }
        if (listen(x->console_listen, 1) < 0)
                return errmsg(ret_error, -errno, "exec: listen on the console socket");
        return 0;
}

/* systemd expands $NAME and ${NAME} in ExecStart= when it runs the command, transient units
 * included (systemd 252): every "$" is written "$$". */
static int strv_extend_literal(char ***l, const char *s) {
        size_t n = 0;
        for (const char *p = s; *p; p++)
                n += *p == '$' ? 2 : 1;
        _cleanup_free_ char *e = malloc(n + 1);
        if (!e)
                return -ENOMEM;
        char *w = e;
        for (const char *p = s; *p; p++) {
                *w++ = *p;
                if (*p == '$')
                        *w++ = '$';
        }
        *w = '\0';
        return strv_extend(l, e);
}

static int strv_extendf(char ***l, const char *fmt, ...) _printf_(2, 3);
static int strv_extendf(char ***l, const char *fmt, ...) {
        _cleanup_free_ char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&s, fmt, ap);
        va_end(ap);
        return k < 0 ? -ENOMEM : strv_extend_literal(l, s);
}

/* `ctr-launch --root /run/ctr-launch exec ...`, rebuilt from the request's validated fields. */
static int exec_argv(const ExecRun *x, const ControlRequest *req, const char *exe, uint32_t loginuid, char ***ret) {
        const ControlExec *e = &req->exec;
        _cleanup_strv_free_ char **l = NULL;
        int k = 0;

        k |= strv_extend_literal(&l, exe);
        k |= strv_extend_literal(&l, "--root");
        k |= strv_extend_literal(&l, STATE_ROOT_SYSTEM);
        k |= strv_extend_literal(&l, "exec");
        k |= strv_extendf(&l, "--audit-loginuid=%u", (unsigned) loginuid);
        k |= strv_extend_literal(&l, "--no-escalation");
        if (e->process)
                k |= strv_extendf(&l, "--process=%s", x->files[FILE_PROCESS]);
        if (e->console)
                k |= strv_extendf(&l, "--console-socket=%s", x->files[FILE_CONSOLE]);
        if (e->detach)
                k |= strv_extendf(&l, "--pid-file=%s", x->files[FILE_PID]);
        if (e->tty >= 0)
                k |= strv_extend_literal(&l, e->tty ? "--tty=true" : "--tty=false");
        if (e->cwd)
                k |= strv_extendf(&l, "--cwd=%s", e->cwd);
        for (char **p = e->env; p && *p; p++)
                k |= strv_extendf(&l, "--env=%s", *p);
        if (e->has_uid && e->has_gid)
                k |= strv_extendf(&l, "--user=%u:%u", (unsigned) e->uid, (unsigned) e->gid);
        else if (e->has_uid)
                k |= strv_extendf(&l, "--user=%u", (unsigned) e->uid);
        for (size_t i = 0; i < e->n_gids; i++)
                k |= strv_extendf(&l, "--additional-gids=%u", (unsigned) e->gids[i]);
        for (char **p = e->caps; p && *p; p++)
                k |= strv_extendf(&l, "--cap=%s", *p);
        if (e->no_new_privs)
                k |= strv_extend_literal(&l, "--no-new-privs");
        if (e->detach)
                k |= strv_extend_literal(&l, "--detach");
        if (e->ignore_paused)
                k |= strv_extend_literal(&l, "--ignore-paused");
        if (e->cgroup)
                k |= strv_extendf(&l, "--cgroup=%s", e->cgroup);
        /* "--" before the id, as everywhere: whatever the grammar allows, an id is no option. */
        k |= strv_extend_literal(&l, "--");
        k |= strv_extend_literal(&l, req->id);
        for (char **p = e->args; p && *p; p++)
                k |= strv_extend_literal(&l, *p);
        if (k < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

static int append_exec_start(sd_bus_message *m, const char *exe, char **argv) {
        int r;
        if ((r = sd_bus_message_open_container(m, 'r', "sv")) < 0 ||
            (r = sd_bus_message_append(m, "s", "ExecStart")) < 0 ||
            (r = sd_bus_message_open_container(m, 'v', "a(sasb)")) < 0 ||
            (r = sd_bus_message_open_container(m, 'a', "(sasb)")) < 0 ||
            (r = sd_bus_message_open_container(m, 'r', "sasb")) < 0 ||
            (r = sd_bus_message_append(m, "s", exe)) < 0 ||
            (r = sd_bus_message_append_strv(m, argv)) < 0 ||
            (r = sd_bus_message_append(m, "b", 0)) < 0)
                return r;
        for (int i = 0; i < 4; i++)
                if ((r = sd_bus_message_close_container(m)) < 0)
                        return r;
        return 0;
}

/* StartTransientUnit, run to its end: the unit runs `ctr-launch exec` once the job is done. */
static int start_unit(ExecRun *x, const ServeConn *c, const ControlPeer *peer, const ControlRequest *req,
                      char **ret_error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_free_ char *description = NULL, *result = NULL;
        char exe[PATH_MAX];
        int r;

        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n < 0)
                return errmsg(ret_error, -errno, "exec: readlink /proc/self/exe");
        exe[n] = '\0';
        if (exec_argv(x, req, exe, peer_loginuid(peer), &argv) < 0 ||
            asprintf(&description, "ctr-launch exec into %s for uid %u (pid %d)", req->id, (unsigned) peer->uid,
                     (int) peer->pid) < 0)
                return -ENOMEM;
        if ((r = systemd_bus_connect(false, &x->bus, ret_error)) < 0)
                return r;
        if ((r = systemd_manager_new_call(x->bus, "StartTransientUnit", &m)) < 0 ||
            (r = sd_bus_message_append(m, "ss", x->name, "fail")) < 0 ||
            (r = sd_bus_message_open_container(m, 'a', "(sv)")) < 0 ||
            (r = sd_bus_message_append(m, "(sv)(sv)(sv)(sv)(sv)(sv)(sv)(sv)",
                                       "Description", "s", description,
                                       "Type", "s", "exec",
                                       "AddRef", "b", 1,
                                       "CollectMode", "s", "inactive-or-failed",
                                       "Environment", "as", 1, EXEC_PATH,
                                       "StandardInputFileDescriptor", "h", c->fds[0],
                                       "StandardOutputFileDescriptor", "h", c->fds[1],
                                       "StandardErrorFileDescriptor", "h", c->fds[2])) < 0 ||
            (r = append_exec_start(m, exe, argv)) < 0 ||
            (r = sd_bus_message_close_container(m)) < 0 ||
            (r = sd_bus_message_append(m, "a(sa(sv))", 0)) < 0)
                return errmsg(ret_error, r, "exec: build the StartTransientUnit call");
        r = systemd_job_run(x->bus, m, EXEC_JOB_TIMEOUT_USEC, &error, &result);
        if (r == -ETIMEDOUT)
                return errmsg_plain(ret_error, r, "exec: %s did not start in time", x->name);
        if (r < 0)
                return errmsg_plain(ret_error, r, "exec: start %s: %s", x->name, systemd_bus_error_text(&error, r));
        x->started = true;
        if (strcmp(result, "done") != 0)
                return errmsg_plain(ret_error, -EIO, "exec: %s: job %s (see journalctl -u %s)", x->name, result, x->name);

        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        sd_bus_error_free(&error);
        r = sd_bus_call_method(x->bus, BUS_DEST, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                               "GetUnit", &error, &reply, "s", x->name);
        if (r < 0 || (r = sd_bus_message_read(reply, "o", &path)) < 0)
                return errmsg_plain(ret_error, r, "exec: find %s: %s", x->name, systemd_bus_error_text(&error, r));
        return (x->unit_path = strdup(path)) ? 0 : -ENOMEM;
}

/* 1 with *ret_status (the exit status, 128+N for signal N) once the unit's process has exited;
 * 0 while it runs. */
static int unit_exited(ExecRun *x, int *ret_status, char **ret_error) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        uint64_t exited = 0;
        int32_t code = 0, status = 0;
        int r = sd_bus_get_property_trivial(x->bus, BUS_DEST, x->unit_path, "org.freedesktop.systemd1.Service",
                                            "ExecMainExitTimestampMonotonic", &error, 't', &exited);
        if (r >= 0 && exited > 0)
                r = sd_bus_get_property_trivial(x->bus, BUS_DEST, x->unit_path, "org.freedesktop.systemd1.Service",
                                                "ExecMainCode", &error, 'i', &code);
        if (r >= 0 && exited > 0)
                r = sd_bus_get_property_trivial(x->bus, BUS_DEST, x->unit_path, "org.freedesktop.systemd1.Service",
                                                "ExecMainStatus", &error, 'i', &status);
        if (r < 0)
                return errmsg_plain(ret_error, r, "exec: ask systemd about %s: %s", x->name, systemd_bus_error_text(&error, r));
        if (exited == 0)
                return 0;
        /* CLD_EXITED: the status; CLD_KILLED, CLD_DUMPED: the signal. */
        *ret_status = code == CLD_EXITED ? status & 0xff : 128 + status;
        return 1;
}

/* The pty's master, from `exec`'s console socket to the client, with a console message. */
static void relay_console(ExecRun *x, int sock) {
        _cleanup_close_ int conn = accept4(x->console_listen, NULL, NULL, SOCK_CLOEXEC);
        _cleanup_close_ int master = -EBADF;
        if (conn < 0)
                return;
        /* `exec` sends it right after connecting; a few seconds at most. */
        if (serve_wait_until(conn, POLLIN, deadline_after_msec(SERVE_REPLY_TIMEOUT_MSEC)) < 0 ||
            recv_fd(conn, &master) < 0) {
                log_warning("exec: no pty master came over the console socket");
                return;
        }
        ControlMessage msg = { .console = true };
        _cleanup_free_ char *line = control_message_to_json(&msg);
        if (!line || serve_send_until(sock, line, strlen(line), master, deadline_after_msec(SERVE_REPLY_TIMEOUT_MSEC)) < 0)
                log_warning("exec: could not send the pty master to the client");
        x->console_listen = safe_close(x->console_listen);
}

/* Signal messages in c->rest: each becomes a signal to `exec` (the unit's main process), which
 * passes it on to the process. Consumes the whole lines; -EBADMSG for a line too long. */
static int relay_signals(ExecRun *x, ServeConn *c) {
        char *p = c->rest, *end = c->rest + c->n_rest, *nl;
        while ((nl = memchr(p, '\n', (size_t) (end - p)))) {
                ControlMessage m;
                _cleanup_free_ char *error = NULL;
                if (control_message_parse(p, (size_t) (nl - p), &m, &error) >= 0 && m.signal > 0) {
                        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
                        if (sd_bus_call_method(x->bus, BUS_DEST, "/org/freedesktop/systemd1",
                                               "org.freedesktop.systemd1.Manager", "KillUnit", &e, NULL, "ssi",
                                               x->name, "main", (int32_t) m.signal) < 0)
                                log_debug("exec: signal %d to %s: %s", m.signal, x->name, systemd_bus_error_text(&e, -EIO));
                } else
                        log_warning("exec: ignored a message from the client: %s", error ?: "not a signal");
                p = nl + 1;
        }
        size_t left = (size_t) (end - p);
        if (left > MESSAGE_MAX)
                return -EBADMSG;
        memmove(c->rest, p, left);
        c->n_rest = left;
        return 0;
}

/* More of the client's messages: 0, or -EPIPE once it has gone (EOF, a reset, a broken line). */
static int read_messages(ExecRun *x, ServeConn *c) {
        char buf[1024];
        ssize_t k = recv(c->sock, buf, sizeof(buf), MSG_DONTWAIT);
        if (k < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : -EPIPE;
        if (k == 0)
                return -EPIPE;
        char *more = realloc(c->rest, c->n_rest + (size_t) k);
        if (!more)
                return -ENOMEM;
        memcpy(more + c->n_rest, buf, (size_t) k);
        c->rest = more;
        c->n_rest += (size_t) k;
        return relay_signals(x, c) < 0 ? -EPIPE : 0;
}

/* The process runs: relay until `exec` exits (1, *ret_status) or the client goes (0). */
static int relay(ExecRun *x, ServeConn *c, int *ret_status, char **ret_error) {
        uint32_t main_pid = 0;
        _cleanup_close_ int pidfd = -EBADF;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        if (sd_bus_get_property_trivial(x->bus, BUS_DEST, x->unit_path, "org.freedesktop.systemd1.Service", "MainPID",
                                        &error, 'u', &main_pid) >= 0 && main_pid > 0)
                pidfd = pidfd_open((pid_t) main_pid, 0);
        /* Signals the client sent while we asked polkit and started the unit are stale: the
         * process was not there to get them. */
        c->n_rest = 0;
        uint64_t keepalive = deadline_after_msec(KEEPALIVE_MSEC);

        for (;;) {
                int r = unit_exited(x, ret_status, ret_error);
                if (r != 0)
                        return r;
                struct pollfd p[3] = {
                        { .fd = c->sock, .events = POLLIN },
                        { .fd = pidfd, .events = POLLIN },
                        { .fd = x->console_listen, .events = POLLIN },
                };
                int timeout = pidfd >= 0 ? deadline_left_msec(keepalive) : POLL_UNIT_MSEC;
                if (poll(p, ELEMENTSOF(p), timeout) < 0 && errno != EINTR)
                        return errmsg(ret_error, -errno, "exec: poll");
                if (p[2].revents)
                        relay_console(x, c->sock);
                if (p[0].revents && read_messages(x, c) < 0)
                        return 0;
                if (p[1].revents) {
                        /* Gone: systemd notices it a moment later; wait for that. */
                        pidfd = safe_close(pidfd);
                }
                if (deadline_left_msec(keepalive) == 0) {
                        /* Non-blocking: a full pipe already asks. */
                        serve_tell_parent(c, SERVE_STAGE_EXTEND);
                        keepalive = deadline_after_msec(KEEPALIVE_MSEC);
                }
        }
}

static int read_pid_file(const ExecRun *x) {
        _cleanup_free_ char *data = NULL;
        size_t size;
        uint64_t pid;
        if (read_file_at(AT_FDCWD, x->files[FILE_PID], 32, &data, &size) < 0)
                return 0;
        data[strcspn(data, "\n")] = '\0';
        return parse_uint64(data, INT32_MAX, &pid) < 0 ? 0 : (int) pid;
}

static void stop_unit(ExecRun *x) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        if (x->bus && x->started)
                (void) sd_bus_call_method(x->bus, BUS_DEST, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                          "StopUnit", &error, NULL, "ss", x->name, "replace");
}

int serve_exec(ServeConn *c, const ControlPeer *peer, const ControlRequest *req, char **ret_error) {
        _cleanup_(exec_run_done) ExecRun x = { .console_listen = -EBADF };
        _cleanup_(control_reply_done) ControlReply rep = {};
        _cleanup_free_ char *error = NULL;
        int status = 0, r;

        r = exec_run_names(&x, &error);
        if (r >= 0 && req->exec.process)
                r = write_process_file(&x, req->exec.process, &error);
        else if (r >= 0)
                x.files[FILE_PROCESS][0] = '\0';
        if (r >= 0 && req->exec.console)
                r = listen_console(&x, &error);
        else if (r >= 0)
                x.files[FILE_CONSOLE][0] = '\0';
        if (r >= 0)
                r = start_unit(&x, c, peer, req, &error);
        /* The fds are the unit's now (systemd holds them); ours go. */
        for (size_t i = 0; i < c->n_fds; i++)
                c->fds[i] = safe_close(c->fds[i]);
        c->n_fds = 0;
        if (r >= 0) {
                ControlMessage started = { .started = true };
                _cleanup_free_ char *line = control_message_to_json(&started);
                if (!line)
                        return -ENOMEM;
                /* A client that does not read it is gone: the relay finds out. */
                (void) serve_send_until(c->sock, line, strlen(line), -EBADF, deadline_after_msec(SERVE_REPLY_TIMEOUT_MSEC));
                r = relay(&x, c, &status, &error);
        }
        if (r == 0) {
                /* The client went away (killed, or its connection reset): the process goes on, as
                 * with `runc exec`, `docker exec` or `podman exec` whose client is killed; a
                 * signal the client caught was passed on before. */
                log_warning("exec: the client (pid %d) went away; %s goes on until its process ends",
                            (int) peer->pid, x.name);
                return 1;
        }
        if (r < 0) {
                stop_unit(&x);
                log_warning("exec: %s", error ?: strerror(-r));
                rep.status = CONTROL_STATUS_FAILED;
                rep.error = TAKE_PTR(error);
                r = serve_reply(c->sock, &rep, ret_error);
                return r < 0 ? r : 0;
        }
        /* --detach with a terminal: the master may have come just before `exec` ended. */
        if (x.console_listen >= 0)
                relay_console(&x, c->sock);
        rep.status = status;
        rep.ok = status == 0;
        if (req->exec.detach && status == 0)
                rep.pid = read_pid_file(&x);
        r = serve_reply(c->sock, &rep, ret_error);
        return r < 0 ? r : 1;
}
