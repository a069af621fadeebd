/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `create` and `run`: they share their options and the whole of create. */

#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "parse-util.h"
#include "container.h"
#include "pty-relay.h"
#include "verbs.h"

static int parse_create_options(int argc, char **argv, const Verb *v, bool is_run, CreateOptions *o,
                                bool *ret_detach) {
        enum { ARG_PID_FILE = 0x100, ARG_CONSOLE_SOCKET, ARG_NO_PIVOT, ARG_PRESERVE_FDS, ARG_NO_NEW_KEYRING,
               ARG_KEEP, ARG_NO_SUBREAPER, ARG_SYSTEM_BUNDLE, ARG_REPLACE_STOPPED };
        static const struct option options[] = {
                { "bundle", required_argument, NULL, 'b' },
                { "pid-file", required_argument, NULL, ARG_PID_FILE },
                { "console-socket", required_argument, NULL, ARG_CONSOLE_SOCKET },
                { "no-pivot", no_argument, NULL, ARG_NO_PIVOT },
                { "preserve-fds", required_argument, NULL, ARG_PRESERVE_FDS },
                { "system-bundle", no_argument, NULL, ARG_SYSTEM_BUNDLE },
                { "replace-stopped", no_argument, NULL, ARG_REPLACE_STOPPED },
                /* runc's, passed by conmon and containerd: accepted, nothing to do */
                { "no-new-keyring", no_argument, NULL, ARG_NO_NEW_KEYRING },
                { "detach", no_argument, NULL, 'd' },
                { "keep", no_argument, NULL, ARG_KEEP },
                { "no-subreaper", no_argument, NULL, ARG_NO_SUBREAPER },
                {}
        };
        int c;

        int r = cli_options_first(argc, argv, is_run ? "+b:d" : "+b:", options, 0);
        if (r != 0)
                return r;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, is_run ? "+b:d" : "+b:", options, NULL)) >= 0)
                switch (c) {
                case 'b':
                        o->bundle = optarg;
                        break;
                case ARG_PID_FILE:
                        o->pid_file = optarg;
                        break;
                case ARG_CONSOLE_SOCKET:
                        o->console_socket = optarg;
                        break;
                case ARG_NO_PIVOT:
                        o->no_pivot = true;
                        break;
                case ARG_SYSTEM_BUNDLE:
                        o->system_bundle = true;
                        break;
                case ARG_REPLACE_STOPPED:
                        o->replace_stopped = true;
                        break;
                case ARG_PRESERVE_FDS:
                        if ((r = cli_parse_preserve_fds(v, optarg, &o->preserve_fds)) != 0)
                                return r;
                        break;
                case 'd':
                        if (!is_run)
                                return cli_usage_error(v, "unknown option \"%s\"", argv[optind - 1]);
                        *ret_detach = true;
                        break;
                case ARG_NO_NEW_KEYRING:
                case ARG_KEEP:
                case ARG_NO_SUBREAPER:
                        break;
                default:
                        return cli_usage_error(v, "unknown or incomplete option \"%s\"", argv[optind - 1]);
                }
        r = cli_take_id(v, argc, argv, optind, &o->id);
        if (r != 0)
                return r;
        if (optind + 1 < argc)
                return cli_usage_error(v, "unexpected argument \"%s\"", argv[optind + 1]);
        return 0;
}

/* --replace-stopped (ctr@.service's create): a container of this id whose init is gone (left
 * by a crash, a reboot of systemd, a delete that could not finish) is deleted first, as
 * `delete` would. One whose init lives, created or running, is left alone: create then fails
 * with "container already exists", as without the option. */
static int replace_stopped(const GlobalOptions *g, const char *id) {
        _cleanup_container_ Container *ct = NULL;
        _cleanup_free_ char *error = NULL;
        int r = container_open(&g->runtime, id, &ct, &error);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return cli_fail(r, error);
        if (!container_gone(ct))
                return 0;
        log_debug("deleting the stopped container of the same id first");
        r = container_destroy(ct, &error);
        return r < 0 ? cli_fail(r, error) : 0;
}

int verb_create(int argc, char **argv, const GlobalOptions *g) {
        const Verb *v = verb_find("create");
        CreateOptions o = { .console_fd = -EBADF };
        int r = parse_create_options(argc, argv, v, false, &o, NULL);
        if (r != 0)
                return r;
        log_set_id(o.id);
        if (o.replace_stopped && (r = replace_stopped(g, o.id)) != 0)
                return r;

        _cleanup_container_ Container *c = NULL;
        _cleanup_free_ char *error = NULL;
        r = container_create(&g->runtime, &o, &c, &error);
        if (r < 0)
                return cli_fail(r, error);
        container_check_unit_stop_signal(c);
        return EXIT_OK;
}

/* run cleans up after the container; what fails there is not what run failed at. */
static void destroy_warn(Container *c) {
        _cleanup_free_ char *error = NULL;
        int r = container_destroy(c, &error);
        if (r < 0)
                log_warning("delete the container: %s", error ?: strerror(-r));
}

int verb_run(int argc, char **argv, const GlobalOptions *g) {
        const Verb *v = verb_find("run");
        CreateOptions o = { .console_fd = -EBADF };
        bool detach = false;
        int r = parse_create_options(argc, argv, v, true, &o, &detach);
        if (r != 0)
                return r;
        log_set_id(o.id);

        /* Blocked from before the fork, so that nothing sent to us is lost before we can pass
         * it on; the init unblocks everything before it execs. */
        sigset_t set, old;
        pty_relay_signals(&set);
        if (!detach)
                sigprocmask(SIG_BLOCK, &set, &old);

        /* In the foreground without --console-socket, a container with a terminal sends its
         * pty master to us, and we relay it to our stdio as runc does. Detached, create says
         * that a terminal needs the socket. */
        _cleanup_close_ int console = -EBADF, master = -EBADF;
        _cleanup_free_ char *error = NULL;
        if (!detach && !o.console_socket) {
                r = pty_relay_channel(&console, &o.console_fd, &error);
                if (r < 0)
                        return cli_fail(r, error);
        }

        _cleanup_container_ Container *c = NULL;
        r = container_create(&g->runtime, &o, &c, &error);
        o.console_fd = safe_close(o.console_fd);
        if (r < 0)
                return cli_fail(r, error);
        if (console >= 0) {
                r = pty_relay_take_master(console, &master, &error);
                if (r < 0)
                        r = cli_fail(r, error);
                else if (master >= 0 && (r = pty_relay_copy_size(master)) < 0)
                        r = cli_failf(r, "set the pty's size");
                if (r != 0) {
                        destroy_warn(c);
                        return r;
                }
        }
        r = container_start(c, 0, NULL, NULL, NULL, &error);
        if (r < 0) {
                r = cli_fail(r, error);
                destroy_warn(c);
                return r;
        }
        if (detach)
                return EXIT_OK;

        _cleanup_close_ int sfd = signalfd(-1, &set, SFD_CLOEXEC);
        if (sfd < 0) {
                r = cli_failf(-errno, "signalfd");
                destroy_warn(c);
                return r;
        }
        /* Let other commands (state, kill, delete) in while the container runs. */
        (void) flock(c->dir->dir_fd, LOCK_UN);

        int status;
        r = pty_relay_run(master, c->pidfd, sfd, &status, &error);
        if (r < 0)
                (void) cli_fail(r, error);
        else
                c->pidfd = safe_close(c->pidfd); /* reaped */

        /* Clean up, unless someone deleted it meanwhile (the directory is unlinked then). */
        if (flock(c->dir->dir_fd, LOCK_EX) == 0) {
                struct stat st;
                if (fstat(c->dir->dir_fd, &st) == 0 && st.st_nlink > 0)
                        destroy_warn(c);
        }
        return r < 0 ? EXIT_FAILED : status;
}
