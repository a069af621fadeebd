/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child side of exec (exec-child.h). Not dumpable from before the fork: while it joins the
 * container it is the host's binary holding a host channel, which the container's processes
 * must not ptrace nor reach through /proc/<pid>/{exe,fd,mem} (CVE-2016-9962, and the
 * CVE-2019-5736 class: /proc/self/exe is the sealed stub's at the last exec). */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errmsg.h"
#include "fd-util.h"
#include "console.h"
#include "exec-child.h"
#include "lsm.h"
#include "process.h"
#include "process-defaults.h"
#include "seccomp-filter.h"

_noreturn_ static void child_fail(const ExecChild *x, int r, const char *msg) {
        _cleanup_free_ char *text = NULL;
        if (!msg)
                (void) errmsg(&text, r, "exec");
        msg = msg ?: text ?: "exec: setup failed";
        (void) write_all(x->channel, msg, strlen(msg));
        _exit(127);
}

/* For a failed call: "<what>: <strerror(-r)>". */
_noreturn_ static void child_fail_errno(const ExecChild *x, int r, const char *what) {
        _cleanup_free_ char *msg = NULL;
        (void) errmsg(&msg, r, "%s", what);
        child_fail(x, r, msg ?: what);
}

/* Joined into a user namespace, we are still the host's uid, which it may not map: become its
 * root, so that what we open (the pty) is owned as the maps say (EOVERFLOW otherwise). */
static int become_userns_root(char **ret_error) {
        if (setresgid(0, 0, 0) < 0)
                return errmsg(ret_error, -errno, "setresgid(0) in the container's user namespace");
        if (setgroups(0, NULL) < 0 && errno != EPERM)
                return errmsg(ret_error, -errno, "setgroups in the container's user namespace");
        if (setresuid(0, 0, 0) < 0)
                return errmsg(ret_error, -errno, "setresuid(0) in the container's user namespace");
        return 0;
}

/* A PID namespace is one for our children (and joining it takes privilege in the user
 * namespace we just joined, which the caller of a rootless container has only from here): the
 * process-to-be is our child in it, made our parent's child (CLONE_PARENT), so that the
 * caller waits for it and signals it. We tell the caller its PID, and go. By now we hold the
 * process's credentials only: nothing the container could take from the new process. */
static void enter_pid_namespace(const ExecChild *x) {
        /* The new process waits until our line is out: its own words on the channel come after
         * it; and it goes if we fail before (the pipe's end without the byte). */
        int gate[2];
        if (pipe2(gate, O_CLOEXEC) < 0)
                child_fail_errno(x, -errno, "pipe");
        pid_t pid = (pid_t) syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, NULL, NULL, 0);
        if (pid < 0)
                child_fail_errno(x, -errno, "fork into the container's PID namespace");
        if (pid == 0) {
                char c = 0;
                ssize_t k;
                safe_close(gate[1]);
                while ((k = read(gate[0], &c, 1)) < 0 && errno == EINTR)
                        ;
                if (k != 1 || c != EXEC_CHILD_GO)
                        _exit(127);
                safe_close(gate[0]);
                return;
        }
        char msg[32];
        int n = snprintf(msg, sizeof(msg), "%c%d\n", EXEC_CHILD_PID, (int) pid);
        char go = EXEC_CHILD_GO;
        if (write_all(x->channel, msg, (size_t) n) < 0 || write(gate[1], &go, 1) != 1) {
                (void) kill(pid, SIGKILL);
                _exit(127);
        }
        _exit(0);
}

static void join(const ExecChild *x) {
        _cleanup_free_ char *error = NULL;
        int r;

        /* Through the init's pidfd, all at once (Linux 5.8): the kernel orders them (the user
         * namespace first) and the PID cannot have been reused by someone else. The mount
         * namespace puts us at its root: the container's. */
        if (x->ns_flags && setns(x->init_pidfd, x->ns_flags) < 0)
                child_fail_errno(x, -errno, "join the container's namespaces");
        if ((x->ns_flags & CLONE_NEWUSER) && (r = become_userns_root(&error)) < 0)
                child_fail(x, r, error);
        /* After the user namespace: the kernel lets no chrooted process join one. */
        if (x->root_fd >= 0 && (fchdir(x->root_fd) < 0 || chroot(".") < 0))
                child_fail_errno(x, -errno, "chroot into the container's root");
        if (x->root_fd >= 0)
                safe_close(x->root_fd);
        if (chdir("/") < 0)
                child_fail_errno(x, -errno, "chdir to the container's root");
}

/* The pty (or a session of our own): opened as the process's user, in its cgroups (so under
 * the container's device rules: a /dev/ptmx the container replaced with another device node
 * is refused by them), by the process itself, which must be its session's leader. */
static void terminal(const ExecChild *x) {
        _cleanup_free_ char *error = NULL;
        if (x->process->terminal) {
                int r = console_setup_exec(x->console_fd, x->process->console_height, x->process->console_width, &error);
                if (r < 0)
                        child_fail(x, r, error);
        } else if (setsid() < 0)
                child_fail_errno(x, -errno, "setsid");
        safe_close(x->console_fd);
}

/* The parent moves us into the container's cgroups between these two bytes. */
static void handshake(const ExecChild *x) {
        char c = EXEC_CHILD_READY;
        if (write(x->channel, &c, 1) != 1)
                _exit(127);
        ssize_t n;
        while ((n = read(x->channel, &c, 1)) < 0 && errno == EINTR)
                ;
        if (n != 1 || c != EXEC_CHILD_GO)
                _exit(127); /* the parent failed, and reports it itself */
}

static void seccomp_debug(void *userdata, const char *msg) {
        (void) userdata;
        (void) msg; /* a syscall name libseccomp does not know: skipped, as create does */
}

/* The SCMP_ACT_NOTIFY rules, loaded: their listener goes to the parent, which hands it to the
 * seccomp agent (as create does, see init.c), and says "G" when it did. */
static void seccomp_hand_over(const ExecChild *x, const SeccompProgram *notify) {
        _cleanup_free_ char *error = NULL;
        _cleanup_close_ int listener = -EBADF;
        int r = seccomp_program_load(notify, x->process->no_new_privileges, &listener, &error);
        if (r < 0)
                child_fail(x, r, error);
        if (send_fd(x->channel, listener) < 0)
                _exit(127);
        char c;
        ssize_t n;
        while ((n = read(x->channel, &c, 1)) < 0 && errno == EINTR)
                ;
        if (n != 1 || c != EXEC_CHILD_GO)
                _exit(127); /* the parent failed to reach the agent, and reports it itself */
}

_noreturn_ void exec_child_main(const ExecChild *x) {
        const OciProcess *p = x->process;
        _cleanup_free_ char *error = NULL;
        int r;

        /* Everything that takes privilege happens here, outside the container's PID namespace:
         * no process of the container can see us, let alone ptrace us (CAP_SYS_PTRACE overrides
         * "not dumpable"). The process it can see is born with the container's credentials. */
        join(x);
        handshake(x);

        /* In the container's cgroups now, still its root: what needs privilege first. */
        if ((r = process_new_session_keyring(&error)) < 0 || (r = process_apply_limits(p, &error)) < 0 ||
            (r = process_apply_scheduling(p, &error)) < 0 ||
            (r = process_apply_personality(&x->config->personality, &error)) < 0 ||
            (r = process_apply_cpu_affinity(p, true, &error)) < 0)
                child_fail(x, r, error);

        /* HOME from the container's /etc/passwd when the process has none, as runc. */
        _cleanup_free_ char *home = NULL;
        if ((r = process_home_env(p, NULL, &home)) < 0)
                child_fail_errno(x, r, "HOME");
        char *extra_env[] = { home, NULL };

        /* The container's seccomp profile, as for its init (see init.c): compiled now, loaded
         * last. */
        _cleanup_(seccomp_plan_done) SeccompPlan sc = {};
        if ((r = seccomp_plan_make(x->config->seccomp, p, x->stub_fd >= 0, seccomp_debug, NULL, &sc, &error)) < 0)
                child_fail(x, r, error);

        if ((r = process_apply_identity(p, sc.keep_caps, &error)) < 0 || (r = process_keep_fds(x->preserve_fds, &error)) < 0 ||
            (r = process_reset_signals(&error)) < 0)
                child_fail(x, r, error);

        if (x->ns_flags & CLONE_NEWPID)
                enter_pid_namespace(x);
        terminal(x);

        /* The label's attr file is the task's that execs: opened now that we are it, through the
         * host's /proc, not the container's (lsm.h). */
        _cleanup_(lsm_exec_label_done) LsmExecLabel label = LSM_EXEC_LABEL_NULL;
        if (x->proc_fd >= 0 && (r = lsm_exec_label_open(x->proc_fd, p, &label, &error)) < 0)
                child_fail(x, r, error);
        safe_close(x->proc_fd);

        _cleanup_free_ char *path = NULL;
        if ((r = process_find_executable(p, &path, &error)) < 0)
                child_fail(x, r, error);
        if (sc.notify.n_insns > 0)
                seccomp_hand_over(x, &sc.notify);

        r = process_exec_filtered(p, path, extra_env, x->stub_fd, x->channel, &sc, &label, &error);
        child_fail(x, r, error);
}
