/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The PAM account check and session of a container, held by a separate host-side process (see
 * pam-session.h). The only file that calls libpam. The holder never logs through log.[ch]: it
 * closed every inherited fd (the journal's socket, --log's file), and a stale fd number reused
 * by a PAM module must never receive our log lines; it reports to `create` over its channel
 * while `create` listens, and on stderr (the unit's journal) afterwards. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <security/pam_appl.h>
#include <shadow.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "errmsg.h"
#include "fd-util.h"
#include "proc-util.h"
#include "strv.h"
#include "time-util.h"
#include "log.h"
#include "oci-state.h"
#include "pam-session.h"
#include "state-dir.h"

/* One message on the channel; an environment entry longer than this is dropped. */
#define PAM_MSG_MAX 65536
/* How long the commands that end a container give the holder to close the session. */
#define PAM_HOLDER_TERM_MS 5000
/* How long delete gives a close of its own (a killed holder's), or waits for another's. */
#define PAM_CLOSE_TIMEOUT_MS 10000
/* The largest shadow entry read for the locked-account check (ERANGE grows the buffer). */
#define PAM_SHADOW_ENTRY_MAX (1U << 20)
/* What pam.closing holds once pam_close_session() has returned. */
#define PAM_CLOSED_MARK "closed\n"

/* ---------------------------------------------------------------- pure parts */

static bool valid_user_name(const char *s) {
        /* What getpwnam() could ever match, and nothing that reads as an option or a path. */
        size_t n = strlen(s);
        if (n == 0 || n > LOGIN_NAME_MAX || s[0] == '-')
                return false;
        for (const char *p = s; *p; p++)
                if ((unsigned char) *p <= ' ' || *p == ':' || *p == '/' || *p == ',' || *p == 0x7f)
                        return false;
        return true;
}

int pam_user_from_annotations(char * const *annotations, const char **ret_user) {
        const char *user = strv_pairs_get(annotations, PAM_USER_ANNOTATION);
        if (user && !valid_user_name(user))
                return -EINVAL;
        *ret_user = user;
        return !!user;
}

static bool reserved_env_name(const char *entry, size_t n) {
        /* The runtime's own protocol with the container: never from a PAM module. */
        static const char *const names[] = { "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strlen(names[i]) == n && strncmp(entry, names[i], n) == 0)
                        return true;
        return false;
}

static bool env_has_name(char * const *env, const char *entry, size_t n) {
        for (char * const *e = env; e && *e; e++)
                if (strncmp(*e, entry, n) == 0 && (*e)[n] == '=')
                        return true;
        return false;
}

int pam_env_merge(char * const *config_env, char * const *pam_env, char ***ret) {
        _cleanup_strv_free_ char **extra = NULL;
        for (char * const *e = pam_env; e && *e; e++) {
                const char *eq = strchr(*e, '=');
                if (!eq || eq == *e)
                        continue;
                size_t n = (size_t) (eq - *e);
                if (reserved_env_name(*e, n) || env_has_name(config_env, *e, n) || env_has_name(extra, *e, n))
                        continue;
                if (strv_extend(&extra, *e) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(extra);
        return 0;
}

/* ---------------------------------------------------------------- checks in create */

int pam_session_check(const OciConfig *config, const char *user, char **ret_error) {
        if (geteuid() != 0)
                return errmsg_plain(ret_error, -EPERM, "annotation %s: only root may run a container as a PAM account",
                                    PAM_USER_ANNOTATION);
        if (oci_config_find_namespace(config, NAMESPACE_USER))
                return errmsg_plain(ret_error, -EINVAL,
                                    "annotation %s: not supported with a user namespace of the container's own",
                                    PAM_USER_ANNOTATION);

        long size = sysconf(_SC_GETPW_R_SIZE_MAX);
        size_t n = size > 0 ? (size_t) size : 16384;
        _cleanup_free_ char *buf = NULL;
        struct passwd pw, *pwp = NULL;
        int k;
        for (;;) {
                free(buf);
                if (!(buf = malloc(n)))
                        return errmsg(ret_error, -ENOMEM, "allocate");
                k = getpwnam_r(user, &pw, buf, n, &pwp);
                if (k != ERANGE)
                        break;
                n *= 2;
        }
        if (k != 0)
                return errmsg(ret_error, -k, "PAM account %s: look it up", user);
        if (!pwp)
                return errmsg_plain(ret_error, -ENOENT, "annotation %s: no such account \"%s\"", PAM_USER_ANNOTATION, user);
        if (config->process.uid != pw.pw_uid || config->process.gid != pw.pw_gid)
                return errmsg_plain(ret_error, -EINVAL,
                                    "process.user (uid %u, gid %u) must be PAM account %s's own (uid %u, gid %u)",
                                    (unsigned) config->process.uid, (unsigned) config->process.gid, user,
                                    (unsigned) pw.pw_uid, (unsigned) pw.pw_gid);

        /* Locked as sshd and passwd(1) see it: a password field starting with "!" (usermod -L,
         * passwd -l). pam_unix's account check only looks at expiry, so this one is ours, and it
         * fails closed: an entry longer than the buffer (ERANGE) grows it, up to a bound; any
         * error but "no shadow entry" refuses. */
        struct spwd sp, *spp = NULL;
        _cleanup_free_ char *sbuf = NULL;
        for (n = 16384;; n *= 2) {
                free(sbuf);
                if (!(sbuf = malloc(n)))
                        return errmsg(ret_error, -ENOMEM, "allocate");
                k = getspnam_r(user, &sp, sbuf, n, &spp);
                if (k != ERANGE || n >= PAM_SHADOW_ENTRY_MAX)
                        break;
        }
        if (k == ENOENT) { /* no shadow entry at all: nothing there to lock */
                k = 0;
                spp = NULL;
        }
        if (k != 0)
                return errmsg(ret_error, -k, "PAM account %s: read its shadow entry to check it is not locked", user);
        if (spp && spp->sp_pwdp && spp->sp_pwdp[0] == '!')
                return errmsg_plain(ret_error, -EACCES, "PAM account %s is locked (its password starts with \"!\": usermod -U, "
                                    "or usermod -p '*' for an account without a password)", user);
        return 0;
}

/* ---------------------------------------------------------------- the holder */

typedef struct Conv {
        char msgs[4096];
} Conv;

/* Non-interactive: a prompt is an error, messages are kept for the refusal's line. */
static int holder_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *userdata) {
        Conv *c = userdata;
        if (n <= 0 || n > PAM_MAX_NUM_MSG)
                return PAM_CONV_ERR;
        for (int i = 0; i < n; i++) {
                int style = msg[i]->msg_style;
                if (style != PAM_ERROR_MSG && style != PAM_TEXT_INFO)
                        return PAM_CONV_ERR;
                size_t len = strlen(c->msgs);
                const char *m = msg[i]->msg ? msg[i]->msg : "";
                size_t ml = strlen(m);
                while (ml > 0 && m[ml - 1] == '\n')
                        ml--;
                snprintf(c->msgs + len, sizeof(c->msgs) - len, "%s%.*s", len ? "; " : "", (int) ml, m);
        }
        struct pam_response *r = calloc((size_t) n, sizeof(*r));
        if (!r)
                return PAM_BUF_ERR;
        *resp = r;
        return PAM_SUCCESS;
}

static void send_msg(int sock, char kind, const char *fmt, ...) _printf_(3, 4);
static void send_msg(int sock, char kind, const char *fmt, ...) {
        char buf[PAM_MSG_MAX];
        va_list ap;
        buf[0] = kind;
        va_start(ap, fmt);
        int n = vsnprintf(buf + 1, sizeof(buf) - 1, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        if ((size_t) n >= sizeof(buf) - 1)
                n = (int) sizeof(buf) - 2;
        (void) send(sock, buf, (size_t) n + 1, MSG_NOSIGNAL);
}

static void refuse(int sock, pam_handle_t *h, int r, const Conv *c, const char *what) {
        const char *why = pam_strerror(h, r);
        if (c->msgs[0])
                send_msg(sock, 'E', "%s: %s (%s)", what, c->msgs, why);
        else
                send_msg(sock, 'E', "%s: %s", what, why);
}

/* Waits until the container is gone (the init's pidfd) or we are told to stop. Returns true
 * for a signal or a create that gave up, false when the init exited. */
static bool holder_wait(int sock, int sig_fd) {
        _cleanup_close_ int pidfd = -EBADF;
        if (recv_fd(sock, &pidfd) < 0)
                return true; /* create gave up before the container existed */
        safe_close(sock);
        for (;;) {
                struct pollfd p[2] = {
                        { .fd = pidfd, .events = POLLIN },
                        { .fd = sig_fd, .events = POLLIN },
                };
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return true;
                }
                if (p[1].revents)
                        return true;
                if (p[0].revents)
                        return false;
        }
}

/* Claims the close of the session, in <state dir>/pam.closing: whoever closes holds flock() on
 * it for the whole close and writes PAM_CLOSED_MARK into it once pam_close_session() returned;
 * the holder, or `delete` (pam_session_close_leftover()) when the holder was killed first. A
 * closer killed half way leaves the lock free and no mark: the next `delete` closes again,
 * from a fresh handle, so a session is never left half closed for good. 1 and *ret_fd (locked)
 * when the close is ours, 0 when it is done, -EBUSY when another process still holds it after
 * timeout_ms. */
static int claim_close(int dir_fd, int timeout_ms, int *ret_fd) {
        _cleanup_close_ int fd = openat(dir_fd, PAM_CLOSING_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
                                        0600);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        const uint64_t deadline = deadline_after_msec((uint64_t) timeout_ms);
        while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno != EWOULDBLOCK)
                        return -errno;
                if (deadline_left_msec(deadline) == 0)
                        return -EBUSY;
                sleep_msec(20);
        }
        char buf[sizeof(PAM_CLOSED_MARK)];
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        if (n < 0)
                return -errno;
        buf[n] = 0;
        if (strcmp(buf, PAM_CLOSED_MARK) == 0)
                return 0;
        *ret_fd = TAKE_FD(fd);
        return 1;
}

static void mark_closed(int fd) {
        /* A failure leaves no mark: the next delete closes again, which is the lesser harm. */
        if (pwrite(fd, PAM_CLOSED_MARK, strlen(PAM_CLOSED_MARK), 0) < 0)
                return;
}

_noreturn_ static void holder_main(int sock, const char *user, const char *id, const char *dir_path, bool under_service) {
        /* Parenthesised as systemd's own "(sd-pam)": a helper, not a left-over (init.c). */
        (void) prctl(PR_SET_NAME, "(ctr-pam)", 0, 0, 0);
        /* Out of the caller's terminal session: its ^C is not the session's end. */
        (void) setsid();
        if (close_all_fds(3, &sock, 1) < 0)
                _exit(EXIT_FAILURE);
        /* O_PATH: no flock shared with create's fd (that would hold the container's lock). */
        int dir_fd = open(dir_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0) {
                send_msg(sock, 'E', "open %s: %s", dir_path, strerror(errno));
                _exit(EXIT_FAILURE);
        }
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null >= 0) {
                (void) dup2(null, STDIN_FILENO);
                if (null != STDIN_FILENO)
                        safe_close(null);
        }

        /* `run` blocked the signals it forwards; we want only the ones that end the session,
         * and those through a signalfd. */
        for (int s = 1; s < NSIG; s++)
                if (s != SIGKILL && s != SIGSTOP)
                        (void) signal(s, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGHUP);
        (void) sigprocmask(SIG_SETMASK, &set, NULL);
        int sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
        if (sig_fd < 0) {
                send_msg(sock, 'E', "signalfd: %s", strerror(errno));
                _exit(EXIT_FAILURE);
        }

        Conv conv = {};
        const struct pam_conv pc = { holder_conv, &conv };
        pam_handle_t *h = NULL;
        int r = pam_start(PAM_SERVICE_NAME, user, &pc, &h);
        if (r != PAM_SUCCESS) {
                send_msg(sock, 'E', "pam_start(%s, %s): %s", PAM_SERVICE_NAME, user, pam_strerror(h, r));
                _exit(EXIT_FAILURE);
        }
        /* Who asks: create only lets root in. The container's id stands where a login has its
         * terminal, for the modules and logs that show one. */
        (void) pam_set_item(h, PAM_RUSER, "root");
        char tty[128];
        snprintf(tty, sizeof(tty), "ctr-launch:%s", id);
        (void) pam_set_item(h, PAM_TTY, tty);

        char what[256];
        snprintf(what, sizeof(what), "PAM account %s", user);
        r = pam_acct_mgmt(h, 0);
        if (r != PAM_SUCCESS) {
                refuse(sock, h, r, &conv, what);
                pam_end(h, r);
                _exit(EXIT_FAILURE);
        }

        struct rlimit before[RLIM_NLIMITS];
        for (int i = 0; i < RLIM_NLIMITS; i++)
                if (getrlimit(i, &before[i]) < 0)
                        before[i] = (struct rlimit) { RLIM_INFINITY, RLIM_INFINITY };
        conv.msgs[0] = 0;
        r = pam_open_session(h, 0);
        if (r != PAM_SUCCESS) {
                snprintf(what, sizeof(what), "open the PAM session of %s", user);
                refuse(sock, h, r, &conv, what);
                pam_end(h, r);
                _exit(EXIT_FAILURE);
        }

        /* What pam_limits (or any module) set is now our own: hand the changes on. */
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                struct rlimit now;
                if (getrlimit(i, &now) < 0 || (now.rlim_cur == before[i].rlim_cur && now.rlim_max == before[i].rlim_max))
                        continue;
                send_msg(sock, 'L', "%d %" PRIu64 " %" PRIu64, i, (uint64_t) now.rlim_cur, (uint64_t) now.rlim_max);
        }
        char **env = pam_getenvlist(h);
        for (char **e = env; e && *e; e++) {
                if (strlen(*e) < PAM_MSG_MAX - 2)
                        send_msg(sock, 'V', "%s", *e);
                free(*e);
        }
        free(env);
        send_msg(sock, 'R', "%s", "");

        bool told = holder_wait(sock, sig_fd);

        /* Under a service, once the container's process (the main process) is gone, systemd
         * SIGKILLs whatever is left in the unit (KillMode=mixed) once ExecStopPost= is done,
         * at once when the unit failed: a close begun here would be cut off half way. `delete`
         * in ExecStopPost= closes it instead, from a fresh handle, always: exactly once. */
        int closing = -EBADF;
        if ((under_service && !told) || claim_close(dir_fd, 0, &closing) <= 0) {
                pam_end(h, PAM_SUCCESS | PAM_DATA_SILENT);
                _exit(EXIT_SUCCESS);
        }
        conv.msgs[0] = 0;
        r = pam_close_session(h, 0);
        mark_closed(closing);
        if (r != PAM_SUCCESS)
                dprintf(STDERR_FILENO, "ctr-launch: %s: close the PAM session of %s: %s\n", id, user, pam_strerror(h, r));
        pam_end(h, r);
        _exit(r == PAM_SUCCESS ? EXIT_SUCCESS : EXIT_FAILURE);
}

/* ---------------------------------------------------------------- create's side */

PamSession *pam_session_free(PamSession *s) {
        if (!s)
                return NULL;
        safe_close(s->sock);
        strv_free(s->env);
        free(s->user);
        free(s);
        return NULL;
}

static int parse_limit(const char *text, PamLimit *ret) {
        int res;
        uint64_t cur, max;
        char end;
        if (sscanf(text, "%d %" SCNu64 " %" SCNu64 "%c", &res, &cur, &max, &end) != 3 || res < 0 || res >= RLIM_NLIMITS)
                return -EBADMSG;
        *ret = (PamLimit) { .resource = res, .rl = { .rlim_cur = (rlim_t) cur, .rlim_max = (rlim_t) max } };
        return 0;
}

int pam_session_begin(const char *user, const char *id, const char *dir_path, PamSession **ret, char **ret_error) {
        /* Started by systemd (ctr@.service's ExecStartPre=, or any service): $INVOCATION_ID. */
        const bool under_service = getenv("INVOCATION_ID") != NULL;
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return errmsg(ret_error, -errno, "make the PAM session's channel");
        PamSession *s = calloc(1, sizeof(*s));
        if (!s || !(s->user = strdup(user))) {
                free(s);
                safe_close(sv[0]);
                safe_close(sv[1]);
                return errmsg(ret_error, -ENOMEM, "allocate");
        }
        s->sock = sv[0];
        s->pid = fork();
        if (s->pid < 0) {
                int r = -errno;
                safe_close(sv[1]);
                pam_session_free(s);
                return errmsg(ret_error, r, "fork the PAM session holder");
        }
        if (s->pid == 0) {
                safe_close(sv[0]);
                holder_main(sv[1], user, id, dir_path, under_service);
        }
        safe_close(sv[1]);

        _cleanup_free_ char *buf = malloc(PAM_MSG_MAX + 1);
        int r = buf ? 0 : errmsg(ret_error, -ENOMEM, "allocate");
        while (r == 0) {
                ssize_t n = recv(s->sock, buf, PAM_MSG_MAX, 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        r = errmsg(ret_error, n < 0 ? -errno : -EIO, "PAM account %s: the session holder exited early", user);
                        break;
                }
                buf[n] = 0;
                if (buf[0] == 'R')
                        break;
                if (buf[0] == 'E')
                        r = errmsg_plain(ret_error, -EACCES, "%s", buf + 1);
                else if (buf[0] == 'V') {
                        if (strv_extend(&s->env, buf + 1) < 0)
                                r = errmsg(ret_error, -ENOMEM, "allocate");
                } else if (buf[0] == 'L' && s->n_limits < RLIM_NLIMITS && parse_limit(buf + 1, &s->limits[s->n_limits]) >= 0)
                        s->n_limits++;
                else
                        r = errmsg_plain(ret_error, -EBADMSG, "PAM account %s: malformed message from the session holder", user);
        }
        if (r < 0) {
                pam_session_abort(s);
                return r;
        }
        log_debug("PAM session of %s open, held by process %d", user, (int) s->pid);
        *ret = s;
        return 0;
}

int pam_session_attach(PamSession *s, int dir_fd, int init_pidfd, char **ret_error) {
        uint64_t starttime;
        char text[64];
        int r = proc_starttime(s->pid, &starttime);
        if (r >= 0) {
                int n = snprintf(text, sizeof(text), "%d %" PRIu64 "\n", (int) s->pid, starttime);
                r = write_file_atomic_at(dir_fd, PAM_HOLDER_FILE, text, (size_t) n);
        }
        if (r < 0)
                return errmsg(ret_error, r, "record the PAM session holder in %s", PAM_HOLDER_FILE);
        r = send_fd(s->sock, init_pidfd);
        if (r < 0)
                return errmsg(ret_error, r, "hand the container to the PAM session holder");
        s->sock = safe_close(s->sock);
        return 0;
}

/* limits.conf's names. */
static const char *const rlimit_names[RLIM_NLIMITS] = {
        [RLIMIT_CPU] = "cpu", [RLIMIT_FSIZE] = "fsize", [RLIMIT_DATA] = "data", [RLIMIT_STACK] = "stack",
        [RLIMIT_CORE] = "core", [RLIMIT_RSS] = "rss", [RLIMIT_NPROC] = "nproc", [RLIMIT_NOFILE] = "nofile",
        [RLIMIT_MEMLOCK] = "memlock", [RLIMIT_AS] = "as", [RLIMIT_LOCKS] = "locks",
        [RLIMIT_SIGPENDING] = "sigpending", [RLIMIT_MSGQUEUE] = "msgqueue", [RLIMIT_NICE] = "nice",
        [RLIMIT_RTPRIO] = "rtprio", [RLIMIT_RTTIME] = "rttime",
};

int pam_session_apply_limits(const PamSession *s, pid_t pid, char **ret_error) {
        for (size_t i = 0; i < s->n_limits; i++)
                if (prlimit(pid, s->limits[i].resource, &s->limits[i].rl, NULL) < 0) {
                        /* EPERM: raising a hard limit needs CAP_SYS_RESOURCE, which we may lack. */
                        return errmsg(ret_error, -errno, "apply PAM account %s's limit %s (%" PRIu64 "/%" PRIu64 ") to the container",
                                      s->user, rlimit_names[s->limits[i].resource] ?: "?",
                                      (uint64_t) s->limits[i].rl.rlim_cur, (uint64_t) s->limits[i].rl.rlim_max);
                }
        return 0;
}

PamSession *pam_session_abort(PamSession *s) {
        if (!s)
                return NULL;
        /* Without the init's pidfd, EOF tells the holder to close the session; with it, the
         * init is gone by now (create kills it first). */
        s->sock = safe_close(s->sock);
        int pidfd = pidfd_open(s->pid, 0);
        if (pidfd >= 0)
                pam_holder_wait(pidfd, PAM_HOLDER_TERM_MS * 2);
        else
                (void) waitpid(s->pid, NULL, 0);
        return pam_session_free(s);
}

/* ---------------------------------------------------------------- the end of the container */

int pam_holder_open(int dir_fd, int *ret_pidfd) {
        _cleanup_free_ char *data = NULL;
        int pid;
        uint64_t starttime;
        char nl;
        *ret_pidfd = -EBADF;
        int r = read_file_at(dir_fd, PAM_HOLDER_FILE, 64, &data, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (sscanf(data, "%d %" SCNu64 "%c", &pid, &starttime, &nl) != 3 || nl != '\n' || pid <= 0)
                return -EBADMSG;
        r = pidfd_open_verified(pid, starttime, ret_pidfd);
        if (r == -ESRCH)
                return 0;
        return r < 0 ? r : 1;
}

static bool wait_readable(int fd, int timeout_ms) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int k;
        while ((k = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
                ;
        return k != 0;
}

void pam_holder_wait(int pidfd, int timeout_ms) {
        if (pidfd < 0)
                return;
        if (!wait_readable(pidfd, timeout_ms)) {
                log_warning("the PAM session holder is still there after %d ms: SIGTERM", timeout_ms);
                (void) pidfd_send_signal(pidfd, SIGTERM, NULL, 0);
                if (!wait_readable(pidfd, PAM_HOLDER_TERM_MS)) {
                        log_warning("the PAM session holder ignored SIGTERM: SIGKILL (delete closes its session again)");
                        (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                        (void) wait_readable(pidfd, PAM_HOLDER_TERM_MS);
                }
        }
        siginfo_t si;
        (void) waitid(P_PIDFD, (id_t) pidfd, &si, WEXITED | WNOHANG);
        safe_close(pidfd);
}

int pam_session_close_leftover(int dir_fd, char * const *annotations, char **ret_error) {
        const char *user = NULL;
        if (faccessat(dir_fd, PAM_HOLDER_FILE, F_OK, AT_SYMLINK_NOFOLLOW) < 0 ||
            pam_user_from_annotations(annotations, &user) <= 0)
                return 0;
        _cleanup_close_ int closing = -EBADF;
        int r = claim_close(dir_fd, PAM_CLOSE_TIMEOUT_MS, &closing);
        if (r == -EBUSY)
                return errmsg_plain(ret_error, r, "the PAM session of %s is still being closed by another process "
                                    "after %d s; delete again to retry", user, PAM_CLOSE_TIMEOUT_MS / 1000);
        if (r < 0)
                return errmsg(ret_error, r, "claim the close of the PAM session of %s (%s)", user, PAM_CLOSING_FILE);
        if (r == 0)
                return 0;
        /* The holder was killed before it could close the session, or in the middle of it
         * (under KillMode=mixed systemd SIGKILLs what is left the moment a failed main process
         * exits): close it here, from a fresh handle, in a child so that no PAM state stays in
         * this process. The child marks it closed, so that a delete killed meanwhile does not
         * make the next one close it twice. */
        pid_t pid = fork();
        if (pid < 0)
                return errmsg(ret_error, -errno, "fork to close the PAM session of %s", user);
        if (pid == 0) {
                Conv conv = {};
                const struct pam_conv pc = { holder_conv, &conv };
                pam_handle_t *h = NULL;
                int k = pam_start(PAM_SERVICE_NAME, user, &pc, &h);
                if (k == PAM_SUCCESS) {
                        (void) pam_set_item(h, PAM_RUSER, "root");
                        k = pam_close_session(h, 0);
                        mark_closed(closing);
                        if (k != PAM_SUCCESS)
                                dprintf(STDERR_FILENO, "ctr-launch: close the PAM session of %s: %s\n", user,
                                        pam_strerror(h, k));
                        pam_end(h, k);
                }
                _exit(k == PAM_SUCCESS ? EXIT_SUCCESS : EXIT_FAILURE);
        }
        /* A module that hangs gets a deadline; the close is then not done, and says so. */
        _cleanup_close_ int pidfd = pidfd_open(pid, 0);
        if (pidfd >= 0 && !wait_readable(pidfd, PAM_CLOSE_TIMEOUT_MS))
                (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        char buf[sizeof(PAM_CLOSED_MARK)];
        ssize_t n = pread(closing, buf, sizeof(buf) - 1, 0);
        buf[n > 0 ? n : 0] = 0;
        if (strcmp(buf, PAM_CLOSED_MARK) != 0)
                return errmsg_plain(ret_error, -ETIMEDOUT, "close the PAM session of %s: not done after %d s; "
                                    "delete again to retry", user, PAM_CLOSE_TIMEOUT_MS / 1000);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return -EIO; /* the child said why, on stderr */
        log_debug("closed the PAM session of %s left by a killed holder", user);
        return 1;
}
