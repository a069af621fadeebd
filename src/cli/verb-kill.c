/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `kill [--all] [--wait] ID [SIGNAL]`, the options also after the ID. Without SIGNAL: the
 * container's stop signal (the image annotation org.opencontainers.image.stopSignal, as podman
 * sets it), else TERM. Signal 0 checks that the container's init is there. */

#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <strings.h>

#include "parse-util.h"
#include "container.h"
#include "pam-session.h"
#include "verbs.h"

int verb_kill(int argc, char **argv, const GlobalOptions *g) {
        const Verb *v = verb_find("kill");
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },
                { "wait", no_argument, NULL, 'w' },
                {}
        };
        bool all = false, wait = false;
        int c, r;

        if ((r = cli_options_first(argc, argv, "+aw", options, 0)) != 0)
                return r;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+aw", options, NULL)) >= 0)
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'w':
                        wait = true;
                        break;
                default:
                        /* kill(1)'s "-9": options may follow the ID, so it is read as one. */
                        if (argv[optind - 1][0] == '-' && argv[optind - 1][1] >= '0' && argv[optind - 1][1] <= '9')
                                return cli_usage_error(v, "unknown option \"%s\" (a signal goes without \"-\": kill ID 9)",
                                                       argv[optind - 1]);
                        return cli_usage_error(v, "unknown option \"%s\"", argv[optind - 1]);
                }
        const char *id;
        r = cli_take_id(v, argc, argv, optind, &id);
        if (r != 0)
                return r;
        log_set_id(id);
        if (optind + 2 < argc)
                return cli_usage_error(v, "unexpected argument \"%s\"", argv[optind + 2]);

        /* -1: none given, the container's stop signal. 0 sends nothing and only checks that
         * the container's init is still there, as kill(2) and runc do; with --all too. */
        int sig = -1;
        if (optind + 1 < argc) {
                const char *s = argv[optind + 1];
                sig = strcmp(s, "0") == 0 || strcasecmp(s, "SIG0") == 0 ? 0 : signal_from_string(s);
                if (sig < 0)
                        return cli_failf(0, "unknown signal \"%.64s\"", s);
        }

        _cleanup_container_ Container *ct = NULL;
        _cleanup_free_ char *error = NULL;
        r = container_open(&g->runtime, id, &ct, &error);
        if (r < 0)
                return cli_fail(r, error);
        if (sig < 0 && (sig = r = container_stop_signal(ct, &error)) < 0)
                return cli_fail(r, error);
        r = all && sig != 0 ? container_signal_all(ct, sig, &error) : container_signal(ct, sig, &error);
        if (r < 0) {
                r = cli_fail(r, error);
                /* Gone already (killed, or it exited): under a unit, this ExecStop= is still the
                 * moment its PAM session must be closed by. */
                int pam_holder = -EBADF;
                if (wait && ct->status == STATUS_STOPPED && pam_holder_open(ct->dir->dir_fd, &pam_holder) > 0) {
                        ct = container_free(ct);
                        pam_holder_wait(pam_holder, 10000);
                }
                return r;
        }
        if (wait) {
                /* Until the init is gone: systemd's ExecStop= must not return before, or the
                 * unit's own KillSignal= would follow ours at once. Without the container's
                 * lock, which readers and `delete` may want meanwhile. */
                _cleanup_close_ int pidfd = fcntl(ct->pidfd, F_DUPFD_CLOEXEC, 3);
                if (pidfd < 0)
                        return cli_failf(-errno, "wait for the container to exit");
                /* And its PAM session's holder: under KillMode=mixed, systemd SIGKILLs what is
                 * left as soon as ExecStop= returns, and the session must be closed by then. */
                int pam_holder = -EBADF;
                (void) pam_holder_open(ct->dir->dir_fd, &pam_holder);
                ct = container_free(ct);
                struct pollfd p = { .fd = pidfd, .events = POLLIN };
                while (poll(&p, 1, -1) < 0)
                        if (errno != EINTR) {
                                r = -errno;
                                safe_close(pam_holder);
                                return cli_failf(r, "wait for the container to exit");
                        }
                pam_holder_wait(pam_holder, 10000);
        }
        return EXIT_OK;
}
