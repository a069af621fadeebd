/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One hook at a time: fork, give it the state on a socket as stdin (a hook that never reads
 * must not block us, nor kill us with SIGPIPE), wait for it within its timeout. The child's
 * execve() errno comes back on a close-on-exec pipe so that "no such file" is told apart from
 * a hook that exits 127. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errmsg.h"
#include "fd-util.h"
#include "hooks.h"
#include "time-util.h"

_noreturn_ static void hook_child(const OciHook *hook, int stdin_fd, int err_fd) {
        /* `run` blocks the signals it forwards, and the init may have handlers: the hook
         * starts with the defaults, as any program expects. */
        sigset_t none;
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) signal(sig, SIG_DFL);
        /* A process group of its own, so that a timeout kills what the hook started too. */
        (void) setpgid(0, 0);

        int e = 0;
        if (dup2(stdin_fd, STDIN_FILENO) < 0)
                e = errno;
        /* Nothing of ours leaks into the hook: not the sync socket, not a preserved fd of the
         * container. err_fd is close-on-exec already. */
        else if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                e = errno;
        else {
                /* No env in the config: the runtime's own, as runc and crun give (Go's
                 * exec.Cmd with a nil Env); an empty list is an empty environment. */
                char *default_argv[] = { hook->path, NULL };
                execve(hook->path, hook->args ?: default_argv, hook->env ?: environ);
                e = errno;
        }
        (void) !write(err_fd, &e, sizeof(e));
        _exit(127);
}

int hook_run(const OciHook *hook, HookKind kind, size_t index, const char *state_json, char **ret_error) {
        const char *name = hook_kind_to_string(kind);
        int sv[2], ep[2];

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return errmsg(ret_error, -errno, "hook %s[%zu] %s: socketpair", name, index, hook->path);
        _cleanup_close_ int sock = sv[0], child_sock = sv[1];
        if (pipe2(ep, O_CLOEXEC) < 0)
                return errmsg(ret_error, -errno, "hook %s[%zu] %s: pipe", name, index, hook->path);
        _cleanup_close_ int err_read = ep[0], err_write = ep[1];

        pid_t pid = fork();
        if (pid < 0)
                return errmsg(ret_error, -errno, "hook %s[%zu] %s: fork", name, index, hook->path);
        if (pid == 0)
                hook_child(hook, child_sock, err_write);
        (void) setpgid(pid, pid); /* on both sides: whichever runs first */
        child_sock = safe_close(child_sock);
        err_write = safe_close(err_write);

        _cleanup_close_ int pidfd = pidfd_open(pid, 0);
        if (pidfd < 0) {
                int r = -errno;
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return errmsg(ret_error, r, "hook %s[%zu] %s: pidfd_open", name, index, hook->path);
        }
        (void) fcntl(sock, F_SETFL, O_NONBLOCK);

        const char *data = state_json ?: "";
        size_t left = strlen(data);
        uint64_t deadline = hook->timeout > 0 ? deadline_after_msec((uint64_t) hook->timeout * 1000) : 0;
        bool timed_out = false;
        for (;;) {
                if (left == 0 && sock >= 0)
                        sock = safe_close(sock); /* EOF on the hook's stdin */
                struct pollfd p[2] = {
                        { .fd = pidfd, .events = POLLIN },
                        { .fd = sock, .events = POLLOUT },
                };
                int wait_ms = deadline > 0 ? deadline_left_msec(deadline) : -1;
                int k = poll(p, 2, wait_ms);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        int r = -errno;
                        (void) kill(pid, SIGKILL);
                        (void) waitpid(pid, NULL, 0);
                        return errmsg(ret_error, r, "hook %s[%zu] %s: poll", name, index, hook->path);
                }
                if (k == 0) {
                        timed_out = true;
                        (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                        (void) kill(-pid, SIGKILL); /* and the rest of its group */
                        break;
                }
                if (p[0].revents)
                        break;
                if (p[1].revents) {
                        ssize_t n = send(sock, data, left, MSG_NOSIGNAL | MSG_DONTWAIT);
                        if (n > 0) {
                                data += n;
                                left -= (size_t) n;
                        } else if (n < 0 && errno != EAGAIN && errno != EINTR)
                                left = 0; /* the hook closed its stdin: it does not want the state */
                }
        }

        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return errmsg(ret_error, -errno, "hook %s[%zu] %s: wait", name, index, hook->path);

        int e = 0;
        if (read(err_read, &e, sizeof(e)) == (ssize_t) sizeof(e) && e > 0)
                return errmsg(ret_error, -e, "hook %s[%zu] %s: exec", name, index, hook->path);
        if (timed_out)
                return errmsg_plain(ret_error, -ETIMEDOUT, "hook %s[%zu] %s: timed out after %d s (killed)", name,
                                    index, hook->path, hook->timeout);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFEXITED(status))
                return errmsg_plain(ret_error, -EIO, "hook %s[%zu] %s: exited with status %d", name, index,
                                    hook->path, WEXITSTATUS(status));
        return errmsg_plain(ret_error, -EIO, "hook %s[%zu] %s: killed by signal %s", name, index, hook->path,
                            sigabbrev_np(WTERMSIG(status)) ?: "?");
}

int hooks_run(const OciHooks *h, HookKind kind, const char *state_json, char **ret_error) {
        for (size_t i = 0; i < h->n_hooks[kind]; i++) {
                int r = hook_run(h->hooks[kind] + i, kind, i, state_json, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}
