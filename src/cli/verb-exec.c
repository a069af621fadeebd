/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `exec`: runc's options, then container_exec(); in the foreground, the signals we get go to
 * the process and its exit status is ours. */

#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include "fd-util.h"
#include "parse-util.h"
#include "proc-util.h"
#include "string-util.h"
#include "strv.h"
#include "container.h"
#include "pty-relay.h"
#include "verb-exec.h"
#include "verbs.h"

void exec_args_done(ExecArgs *a) {
        strv_free(a->env);
        strv_free(a->caps);
        free(a->gids);
}

/* urfave/cli's booleans, as runc's callers write them: --tty, --tty=true, --tty=false. */
static int parse_bool_arg(const char *arg) {
        if (!arg || streq(arg, "true") || streq(arg, "1"))
                return 1;
        if (streq(arg, "false") || streq(arg, "0"))
                return 0;
        return -EINVAL;
}

static int parse_id(const char *s, uint32_t *ret) {
        uint64_t v;
        int r = parse_uint64(s, UINT32_MAX - 1, &v);
        if (r >= 0)
                *ret = (uint32_t) v;
        return r;
}

int exec_parse_args(int argc, char **argv, ExecArgs *a) {
        const Verb *v = verb_find("exec");
        enum { ARG_CONSOLE_SOCKET = 0x100, ARG_CWD, ARG_NO_NEW_PRIVS, ARG_APPARMOR, ARG_PROCESS_LABEL,
               ARG_PRESERVE_FDS, ARG_PID_FILE, ARG_IGNORE_PAUSED, ARG_CGROUP, ARG_AUDIT_LOGINUID, ARG_NO_ESCALATION };
        static const struct option options[] = {
                { "process", required_argument, NULL, 'p' },
                { "console-socket", required_argument, NULL, ARG_CONSOLE_SOCKET },
                { "tty", optional_argument, NULL, 't' },
                { "cwd", required_argument, NULL, ARG_CWD },
                { "env", required_argument, NULL, 'e' },
                { "user", required_argument, NULL, 'u' },
                { "additional-gids", required_argument, NULL, 'g' },
                { "cap", required_argument, NULL, 'c' },
                { "no-new-privs", optional_argument, NULL, ARG_NO_NEW_PRIVS },
                { "apparmor", required_argument, NULL, ARG_APPARMOR },
                { "process-label", required_argument, NULL, ARG_PROCESS_LABEL },
                { "preserve-fds", required_argument, NULL, ARG_PRESERVE_FDS },
                { "pid-file", required_argument, NULL, ARG_PID_FILE },
                { "detach", optional_argument, NULL, 'd' },
                { "ignore-paused", optional_argument, NULL, ARG_IGNORE_PAUSED },
                { "cgroup", required_argument, NULL, ARG_CGROUP },
                /* Hidden: the system service's (serve-exec.c) for an exec it runs for a non-root
                 * caller; not in --help. */
                { "audit-loginuid", required_argument, NULL, ARG_AUDIT_LOGINUID },
                { "no-escalation", no_argument, NULL, ARG_NO_ESCALATION },
                {}
        };
        ExecOptions *o = &a->options;
        int c, b, r;

        o->tty = -1;
        optind = 1;
        opterr = 0;
        /* "+": the command's own options after the ID are not ours (runc's SkipArgReorder). */
        while ((c = getopt_long(argc, argv, "+p:te:u:g:c:d", options, NULL)) >= 0)
                switch (c) {
                case 'p':
                        o->process_file = optarg;
                        break;
                case ARG_CONSOLE_SOCKET:
                        o->console_socket = optarg;
                        break;
                case 't':
                        if ((b = parse_bool_arg(optarg)) < 0)
                                return cli_usage_error(v, "--tty: true or false, not \"%s\"", optarg);
                        o->tty = b;
                        break;
                case ARG_CWD:
                        o->cwd = optarg;
                        break;
                case 'e':
                        if (strv_extend(&a->env, optarg) < 0)
                                return cli_failf(-ENOMEM, "allocate");
                        break;
                case 'u': {
                        /* UID[:GID], numbers, as runc takes them. */
                        _cleanup_free_ char *uid = strdup(optarg);
                        if (!uid)
                                return cli_failf(-ENOMEM, "allocate");
                        char *gid = strchr(uid, ':');
                        if (gid)
                                *gid++ = 0;
                        if (parse_id(uid, &o->uid) < 0 || (gid && parse_id(gid, &o->gid) < 0))
                                return cli_usage_error(v, "--user: UID[:GID] as numbers, not \"%s\"", optarg);
                        o->has_uid = true;
                        o->has_gid = gid != NULL;
                        break;
                }
                case 'g': {
                        uint32_t gid;
                        if (parse_id(optarg, &gid) < 0)
                                return cli_usage_error(v, "--additional-gids: not a group number: \"%s\"", optarg);
                        gid_t *g = reallocarray(a->gids, o->n_additional_gids + 1, sizeof(gid_t));
                        if (!g)
                                return cli_failf(-ENOMEM, "allocate");
                        g[o->n_additional_gids++] = gid;
                        a->gids = g;
                        break;
                }
                case 'c':
                        if (strv_extend(&a->caps, optarg) < 0)
                                return cli_failf(-ENOMEM, "allocate");
                        break;
                case ARG_NO_NEW_PRIVS:
                        if ((b = parse_bool_arg(optarg)) < 0)
                                return cli_usage_error(v, "--no-new-privs: true or false, not \"%s\"", optarg);
                        o->no_new_privs = b;
                        break;
                case ARG_APPARMOR:
                        o->apparmor = optarg;
                        break;
                case ARG_PROCESS_LABEL:
                        o->process_label = optarg;
                        break;
                case ARG_PRESERVE_FDS:
                        if ((r = cli_parse_preserve_fds(v, optarg, &o->preserve_fds)) != 0)
                                return r;
                        break;
                case ARG_PID_FILE:
                        o->pid_file = optarg;
                        break;
                case 'd':
                        if ((b = parse_bool_arg(optarg)) < 0)
                                return cli_usage_error(v, "--detach: true or false, not \"%s\"", optarg);
                        o->detach = b;
                        break;
                case ARG_IGNORE_PAUSED:
                        if ((b = parse_bool_arg(optarg)) < 0)
                                return cli_usage_error(v, "--ignore-paused: true or false, not \"%s\"", optarg);
                        o->ignore_paused = b;
                        break;
                case ARG_CGROUP:
                        o->cgroup = optarg;
                        break;
                case ARG_AUDIT_LOGINUID:
                        if (parse_id(optarg, &a->audit_loginuid) < 0)
                                return cli_usage_error(v, "--audit-loginuid: not a user number: \"%s\"", optarg);
                        a->has_audit_loginuid = true;
                        break;
                case ARG_NO_ESCALATION:
                        o->no_escalation = true;
                        break;
                default:
                        return cli_usage_error(v, "unknown or incomplete option \"%s\"", argv[optind - 1]);
                }
        r = cli_take_id(v, argc, argv, optind, &a->id);
        if (r != 0)
                return r;
        o->args = argv + optind + 1;
        if (o->process_file && o->args[0])
                return cli_usage_error(v, "--process and a command: give one or the other");
        if (!o->process_file && !o->args[0])
                return cli_usage_error(v, "missing the command to run (or --process FILE)");
        o->env = a->env;
        o->caps = a->caps;
        o->additional_gids = a->gids;
        return 0;
}

int verb_exec(int argc, char **argv, const GlobalOptions *g) {
        _cleanup_(exec_args_done) ExecArgs a = {};
        int r = exec_parse_args(argc, argv, &a);
        if (r != 0)
                return r;
        log_set_id(a.id);
        /* The audit trail names the admin the system service ran us for, not root's unset
         * login uid (we run as a unit of PID 1): written before the fork, inherited. */
        if (a.has_audit_loginuid && (r = proc_set_loginuid(a.audit_loginuid)) < 0)
                return cli_failf(r, "set the audit login uid to %u", (unsigned) a.audit_loginuid);

        /* Blocked from before the fork, so that nothing sent to us is lost before we can pass
         * it on; the child unblocks everything before it execs. */
        sigset_t set;
        pty_relay_signals(&set);
        if (!a.options.detach)
                sigprocmask(SIG_BLOCK, &set, NULL);

        /* In the foreground without --console-socket, a process with a terminal sends its pty
         * master to us, and we relay it to our stdio, sized as our terminal is, as runc does. */
        _cleanup_close_ int console = -EBADF, master = -EBADF;
        _cleanup_free_ char *error = NULL;
        a.options.console_fd = -EBADF;
        if (!a.options.detach && !a.options.console_socket) {
                r = pty_relay_channel(&console, &a.options.console_fd, &error);
                if (r < 0)
                        return cli_fail(r, error);
                (void) pty_relay_window_size(&a.options.console_height, &a.options.console_width);
        }

        _cleanup_close_ int pidfd = -EBADF;
        pid_t pid;
        {
                _cleanup_container_ Container *c = NULL;
                r = container_open(&g->runtime, a.id, &c, &error);
                if (r >= 0)
                        r = container_exec(c, &g->runtime, &a.options, &pid, a.options.detach ? NULL : &pidfd, &error);
                a.options.console_fd = safe_close(a.options.console_fd);
                if (r < 0)
                        return cli_fail(r, error);
        } /* the container's lock goes here: others may act on it while the process runs */
        if (a.options.detach)
                return EXIT_OK;

        if (console >= 0 && (r = pty_relay_take_master(console, &master, &error)) < 0) {
                (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                return cli_fail(r, error);
        }
        _cleanup_close_ int sfd = signalfd(-1, &set, SFD_CLOEXEC);
        if (sfd < 0)
                return cli_failf(-errno, "signalfd");
        int status;
        r = pty_relay_run(master, pidfd, sfd, &status, &error);
        return r < 0 ? cli_fail(r, error) : status;
}
