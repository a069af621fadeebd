/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `kill [--all] ID [SIGNAL]`. */

#include <getopt.h>
#include <signal.h>
#include <string.h>

#include "basic/parse-util.h"
#include "container.h"
#include "verbs.h"

int verb_kill(int argc, char **argv, const GlobalOptions *g) {
        const Verb *v = verb_find("kill");
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },
                {}
        };
        bool all = false;
        int c, r;

        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+a", options, NULL)) >= 0)
                switch (c) {
                case 'a':
                        all = true;
                        break;
                default:
                        return cli_usage_error(v, "unknown option \"%s\"", argv[optind - 1]);
                }
        const char *id;
        r = cli_take_id(v, argc, argv, optind, &id);
        if (r != 0)
                return r;
        log_set_id(id);
        if (optind + 2 < argc)
                return cli_usage_error(v, "unexpected argument \"%s\"", argv[optind + 2]);

        int sig = SIGTERM;
        if (optind + 1 < argc) {
                sig = signal_from_string(argv[optind + 1]);
                if (sig < 0)
                        return log_error_errno(-EINVAL, "unknown signal \"%.64s\"", argv[optind + 1]), EXIT_FAILED;
        }

        _cleanup_container_ Container *ct = NULL;
        if (container_open(g, id, &ct) < 0 || (all ? container_signal_all(ct, sig) : container_signal(ct, sig)) < 0)
                return EXIT_FAILED;
        return EXIT_OK;
}
