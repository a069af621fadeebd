/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The foreground caller's side of its process (pty-relay.h): signals passed on, the exit
 * status, and the pty relayed to our stdio. Only the pty master is made non-blocking: stdin
 * and stdout are file descriptions we share with our caller (a shell), and are only read or
 * written once poll() says they are ready. Prints nothing but warnings that fail nothing. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "errmsg.h"
#include "fd-util.h"
#include "log.h"
#include "time-util.h"
#include "pty-relay.h"

/* At most PIPE_BUF per write: a pipe that poll() called writable takes it without blocking. */
#define RELAY_BUF 4096
/* Once the process has exited: how long what the pty still holds may take to reach stdout. */
#define DRAIN_TIMEOUT_MS 5000

typedef struct RelayBuf {
        char data[RELAY_BUF + 2]; /* + 2: room for the end-of-file characters */
        size_t len;
} RelayBuf;

typedef struct Relay {
        int master, pidfd, sfd;
        bool in_open;     /* stdin is read */
        bool out_open;    /* stdout takes what the pty says; else it is dropped */
        bool master_open; /* the pty is read: until EIO (no peer left), or EAGAIN once drained */
        bool raw;         /* stdin was a terminal and is in raw mode: saved is to be restored */
        struct termios saved;
        char last_in;     /* the last byte passed to the pty */
        RelayBuf in, out;
} Relay;

void pty_relay_signals(sigset_t *ret) {
        sigfillset(ret);
        static const int own[] = { SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGCHLD };
        for (size_t i = 0; i < ELEMENTSOF(own); i++)
                sigdelset(ret, own[i]);
}

/* An fd of ours that a closed stdin, stdout or stderr let land on 0-2 moves above them: the
 * relay takes 0-2 for our stdio. */
static int fd_above_stdio(int *fd) {
        if (*fd > STDERR_FILENO)
                return 0;
        int n = fcntl(*fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
        if (n < 0)
                return -errno;
        safe_close(*fd);
        *fd = n;
        return 0;
}

int pty_relay_channel(int *ret_ours, int *ret_theirs, char **ret_error) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return errmsg(ret_error, -errno, "make the console channel");
        _cleanup_close_ int ours = sv[0], theirs = sv[1];
        int r = fd_above_stdio(&ours);
        if (r < 0 || (r = fd_above_stdio(&theirs)) < 0)
                return errmsg(ret_error, r, "make the console channel");
        *ret_ours = TAKE_FD(ours);
        *ret_theirs = TAKE_FD(theirs);
        return 0;
}

int pty_relay_take_master(int ours, int *ret_master, char **ret_error) {
        int flags = fcntl(ours, F_GETFL);
        if (flags < 0 || fcntl(ours, F_SETFL, flags | O_NONBLOCK) < 0)
                return errmsg(ret_error, -errno, "the console channel");
        int fd, r = recv_fd(ours, &fd);
        if (r == -EPIPE) {
                *ret_master = -EBADF; /* closed unused: no terminal */
                return 0;
        }
        if (r == -EAGAIN)
                return errmsg_plain(ret_error, -EPROTO, "no pty master came over the console channel, which is still open");
        if (r < 0)
                return errmsg(ret_error, r, "receive the pty master");
        _cleanup_close_ int master = fd;
        if (!isatty(master))
                return errmsg_plain(ret_error, -ENOTTY, "what came over the console channel is not a pty");
        if ((r = fd_above_stdio(&master)) < 0)
                return errmsg(ret_error, r, "receive the pty master");
        *ret_master = TAKE_FD(master);
        return 0;
}

static bool window_size(struct winsize *ret) {
        for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
                if (isatty(fd) && ioctl(fd, TIOCGWINSZ, ret) == 0)
                        /* A terminal that knows no size (a serial line) leaves process.consoleSize. */
                        return ret->ws_row > 0 && ret->ws_col > 0;
        return false;
}

bool pty_relay_window_size(unsigned *ret_rows, unsigned *ret_cols) {
        struct winsize ws;
        if (!window_size(&ws))
                return false;
        *ret_rows = ws.ws_row;
        *ret_cols = ws.ws_col;
        return true;
}

int pty_relay_copy_size(int master_fd) {
        struct winsize ws;
        if (!window_size(&ws))
                return 0;
        return RET_NERRNO(ioctl(master_fd, TIOCSWINSZ, &ws));
}

static void buf_consume(RelayBuf *b, size_t n) {
        memmove(b->data, b->data + n, b->len - n);
        b->len -= n;
}

static void relay_signal(Relay *r) {
        struct signalfd_siginfo si;
        if (read(r->sfd, &si, sizeof(si)) != sizeof(si))
                return;
        /* The kernel's SIGPIPE for our own write to a closed stdout: not the process's. */
        if (si.ssi_pid == (uint32_t) getpid() && si.ssi_code == SI_USER)
                return;
        /* The kernel sends SIGWINCH to the pty's foreground when its size changes. */
        if (si.ssi_signo == SIGWINCH && r->master >= 0) {
                (void) pty_relay_copy_size(r->master);
                return;
        }
        if (pidfd_send_signal(r->pidfd, (int) si.ssi_signo, NULL, 0) < 0 && errno != ESRCH)
                log_warning("forward signal %u: %s", si.ssi_signo, strerror(errno));
}

/* stdin's end: the pty's end-of-file character, twice after a line without its newline (the
 * first one only ends the line), when the pty is in canonical mode; nothing in raw mode,
 * where it would be one more character. */
static void relay_stdin_ended(Relay *r) {
        struct termios t;
        r->in_open = false;
        if (!r->master_open || tcgetattr(r->master, &t) < 0 || !(t.c_lflag & ICANON) ||
            t.c_cc[VEOF] == _POSIX_VDISABLE)
                return;
        if (r->last_in != '\n')
                r->in.data[r->in.len++] = (char) t.c_cc[VEOF];
        r->in.data[r->in.len++] = (char) t.c_cc[VEOF];
}

static void relay_read_stdin(Relay *r) {
        ssize_t n = read(STDIN_FILENO, r->in.data + r->in.len, RELAY_BUF - r->in.len);
        if (n > 0)
                r->in.len += (size_t) n;
        else if (n == 0)
                relay_stdin_ended(r);
        else if (errno != EINTR && errno != EAGAIN)
                r->in_open = false; /* EIO: a terminal we are in the background of, or hung up */
}

/* The pty is gone (EIO: every copy of its peer closed) or drained: what was still to go to
 * it has nowhere to go. */
static void relay_master_done(Relay *r) {
        r->master_open = false;
        r->in_open = false;
        r->in.len = 0;
}

static void relay_write_master(Relay *r) {
        ssize_t n = write(r->master, r->in.data, r->in.len);
        if (n > 0) {
                r->last_in = r->in.data[n - 1];
                buf_consume(&r->in, (size_t) n);
        } else if (n < 0 && errno != EINTR && errno != EAGAIN)
                relay_master_done(r);
}

static void relay_read_master(Relay *r, bool draining) {
        ssize_t n = read(r->master, r->out.data + r->out.len, RELAY_BUF - r->out.len);
        if (n > 0) {
                if (r->out_open)
                        r->out.len += (size_t) n;
        } else if (n == 0 || (errno != EINTR && (errno != EAGAIN || draining)))
                /* EAGAIN once the process has exited: read() flushed the pty's buffers first
                 * (n_tty_read()), so what is left comes from a process the container left
                 * behind outside its PID namespace, which we do not wait for. */
                relay_master_done(r);
}

static void relay_write_stdout(Relay *r) {
        ssize_t n = write(STDOUT_FILENO, r->out.data, r->out.len);
        if (n > 0)
                buf_consume(&r->out, (size_t) n);
        else if (n < 0 && errno != EINTR && errno != EAGAIN) {
                r->out_open = false; /* EPIPE and the like: what follows is dropped */
                r->out.len = 0;
        }
}

/* Until the process has exited and the pty is drained (or the drain's deadline passed). A
 * failure is poll()'s alone: each fd's own trouble closes that direction, not the relay. */
static int relay_loop(Relay *r, char **ret_error) {
        uint64_t deadline = 0; /* set once the process has exited */
        for (;;) {
                if (deadline) {
                        if (deadline_left_msec(deadline) == 0)
                                return 0; /* what is left is dropped */
                        if (r->master_open && r->out.len < RELAY_BUF)
                                relay_read_master(r, true);
                        if (!r->master_open && r->out.len == 0)
                                return 0;
                        if (r->out.len == 0)
                                continue; /* read on: stdout drops it */
                }
                enum { WATCH_SIG, WATCH_PID, WATCH_IN, WATCH_MASTER, WATCH_OUT, _WATCH_MAX };
                short master_events = (short) ((r->out.len < RELAY_BUF ? POLLIN : 0) | (r->in.len > 0 ? POLLOUT : 0));
                struct pollfd p[_WATCH_MAX] = {
                        [WATCH_SIG] = { .fd = r->sfd, .events = POLLIN },
                        [WATCH_PID] = { .fd = deadline ? -1 : r->pidfd, .events = POLLIN },
                        [WATCH_IN] = { .fd = !deadline && r->in_open && r->in.len < RELAY_BUF ? STDIN_FILENO : -1,
                                   .events = POLLIN },
                        [WATCH_MASTER] = { .fd = !deadline && r->master_open && master_events ? r->master : -1,
                                       .events = master_events },
                        [WATCH_OUT] = { .fd = r->out.len > 0 ? STDOUT_FILENO : -1, .events = POLLOUT },
                };
                if (poll(p, _WATCH_MAX, deadline ? deadline_left_msec(deadline) : -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return errmsg(ret_error, -errno, "poll");
                }
                if (p[WATCH_SIG].revents)
                        relay_signal(r);
                if (p[WATCH_IN].revents)
                        relay_read_stdin(r);
                if (p[WATCH_MASTER].revents & POLLOUT)
                        relay_write_master(r);
                if (p[WATCH_MASTER].revents & ~POLLOUT)
                        relay_read_master(r, false);
                if (p[WATCH_OUT].revents)
                        relay_write_stdout(r);
                if (p[WATCH_PID].revents) {
                        if (r->master < 0)
                                return 0;
                        deadline = deadline_after_msec(DRAIN_TIMEOUT_MS);
                        r->in_open = false; /* its input has no reader any more */
                        r->in.len = 0;
                }
        }
}

static int relay_collect(int pidfd, int *ret_status, char **ret_error) {
        siginfo_t si = {};
        while (waitid(P_PIDFD, (id_t) pidfd, &si, WEXITED) < 0)
                if (errno != EINTR)
                        return errmsg(ret_error, -errno, "wait for the process");
        *ret_status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
        return 0;
}

int pty_relay_run(int master_fd, int pidfd, int signal_fd, int *ret_status, char **ret_error) {
        Relay r = {
                .master = master_fd,
                .pidfd = pidfd,
                .sfd = signal_fd,
                .in_open = master_fd >= 0,
                .out_open = master_fd >= 0,
                .master_open = master_fd >= 0,
                .last_in = '\n',
        };
        if (master_fd >= 0) {
                /* Ours alone: the init closed its copy once it had sent it. */
                int flags = fcntl(master_fd, F_GETFL);
                if (flags < 0 || fcntl(master_fd, F_SETFL, flags | O_NONBLOCK) < 0)
                        return errmsg(ret_error, -errno, "make the pty master non-blocking");
                /* Keys reach the process as they are typed, ^C and ^Z included (its own pty
                 * turns them into its signals); its output reaches us with its pty's \r\n. */
                if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &r.saved) == 0) {
                        struct termios raw = r.saved;
                        cfmakeraw(&raw);
                        r.raw = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
                }
        }
        int k = relay_loop(&r, ret_error);
        /* TCSANOW, not TCSADRAIN: a terminal nobody reads would make that a wait forever. */
        if (r.raw && tcsetattr(STDIN_FILENO, TCSANOW, &r.saved) < 0)
                log_warning("restore the terminal's settings: %s", strerror(errno));
        if (k < 0)
                return k;
        return relay_collect(pidfd, ret_status, ret_error);
}
