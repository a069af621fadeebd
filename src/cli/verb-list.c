/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `list [--format table|json] [--quiet]`: prints what container_list() finds. A reader: it
 * never waits for a lock. */

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "container.h"
#include "verbs.h"

int verb_list(int argc, char **argv, const GlobalOptions *g) {
        const Verb *v = verb_find("list");
        static const struct option options[] = {
                { "format", required_argument, NULL, 'f' },
                { "quiet", no_argument, NULL, 'q' },
                {}
        };
        bool json = false, quiet = false;
        int c, r;

        if ((r = cli_options_first(argc, argv, "+f:q", options, 0)) != 0)
                return r;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+f:q", options, NULL)) >= 0)
                switch (c) {
                case 'f':
                        if ((r = cli_parse_format(v, optarg, &json)) != 0)
                                return r;
                        break;
                case 'q':
                        quiet = true;
                        break;
                default:
                        return cli_usage_error(v, "unknown or incomplete option \"%s\"", argv[optind - 1]);
                }
        if (optind < argc)
                return cli_usage_error(v, "unexpected argument \"%s\"", argv[optind]);

        _cleanup_(container_list_done) ContainerList l = {};
        _cleanup_free_ char *error = NULL;
        r = container_list(&g->runtime, &l, &error);
        if (r < 0)
                return cli_fail(r, error);
        const ContainerState *states = l.states;
        const ContainerStatus *statuses = l.statuses;
        const size_t k = l.n;

        if (quiet)
                for (size_t i = 0; i < k; i++)
                        printf("%s\n", states[i].id);
        else if (json) {
                _cleanup_free_ char *out = oci_state_list_to_json(states, statuses, k);
                fputs(out ?: "[]\n", stdout);
        } else {
                int w = 2;
                for (size_t i = 0; i < k; i++)
                        if ((int) strlen(states[i].id) > w)
                                w = (int) strlen(states[i].id);
                printf("%-*s  %-8s %-10s %-40s %-32s %s\n", w, "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
                for (size_t i = 0; i < k; i++) {
                        char owner[16];
                        snprintf(owner, sizeof(owner), "%u", (unsigned) states[i].owner);
                        printf("%-*s  %-8d %-10s %-40s %-32s %s\n", w, states[i].id,
                               statuses[i] == STATUS_STOPPED ? 0 : (int) states[i].pid,
                               oci_state_status_to_string(statuses[i]), states[i].bundle ?: "",
                               states[i].created ?: "", owner);
                }
        }
        return EXIT_OK;
}
