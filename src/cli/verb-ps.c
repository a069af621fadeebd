/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ps [--format table|json] ID`: the PIDs in the container's cgroup. Unlike runc, which runs
 * `ps -ef` and keeps the container's lines, it prints the PIDs alone (containerd's
 * `--format json` reads exactly that). */

#include <getopt.h>
#include <stdio.h>

#include "container.h"
#include "verbs.h"

int verb_ps(int argc, char **argv, const GlobalOptions *g) {
        const Verb *v = verb_find("ps");
        static const struct option options[] = {
                { "format", required_argument, NULL, 'f' },
                {}
        };
        bool json = false;
        int c, r;

        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+f:", options, NULL)) >= 0)
                switch (c) {
                case 'f':
                        if ((r = cli_parse_format(v, optarg, &json)) != 0)
                                return r;
                        break;
                default:
                        return cli_usage_error(v, "unknown or incomplete option \"%s\"", argv[optind - 1]);
                }
        const char *id;
        r = cli_take_id(v, argc, argv, optind, &id);
        if (r != 0)
                return r;
        if (optind + 1 < argc)
                return cli_usage_error(v, "unexpected argument \"%s\" (ps options are not supported)",
                                       argv[optind + 1]);
        log_set_id(id);

        _cleanup_container_ Container *ct = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        _cleanup_free_ char *error = NULL;
        size_t n = 0;
        r = container_open(&g->runtime, id, &ct, &error);
        if (r >= 0)
                r = container_pids(ct, &pids, &n, &error);
        if (r < 0)
                return cli_fail(r, error);

        if (json) {
                fputc('[', stdout);
                for (size_t i = 0; i < n; i++)
                        printf("%s%d", i > 0 ? "," : "", (int) pids[i]);
                fputs("]\n", stdout);
        } else {
                puts("PID");
                for (size_t i = 0; i < n; i++)
                        printf("%d\n", (int) pids[i]);
        }
        return EXIT_OK;
}
