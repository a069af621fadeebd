/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `list [--format table|json] [--quiet]`. A reader: it never waits for a lock. */

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>

#include "strv.h"
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

        _cleanup_free_ char *root = NULL;
        if (container_root(&g->runtime, &root) < 0)
                return EXIT_FAILED;
        _cleanup_strv_free_ char **ids = NULL;
        r = state_root_list(root, &ids);
        if (r < 0)
                return log_error_errno(r, "list %s", root), EXIT_FAILED;

        size_t n = strv_length(ids), k = 0;
        ContainerState *states = calloc(n + 1, sizeof(ContainerState));
        ContainerStatus *statuses = calloc(n + 1, sizeof(ContainerStatus));
        if (!states || !statuses) {
                free(states);
                free(statuses);
                return log_error_errno(-ENOMEM, "allocate"), EXIT_FAILED;
        }
        for (size_t i = 0; i < n; i++) {
                _cleanup_state_dir_ StateDir *d = NULL;
                bool busy;
                /* Gone meanwhile: skip it. */
                if (state_dir_open(root, ids[i], LOCK_SH | LOCK_NB, &d, &busy) < 0)
                        continue;
                if (oci_state_read(d->dir_fd, &states[k]) < 0) {
                        /* Broken (or not written yet): still list it, so it can be found and
                         * deleted. */
                        states[k] = (ContainerState) { .id = strdup(ids[i]), .creating = busy };
                        statuses[k] = busy ? STATUS_CREATING : STATUS_STOPPED;
                } else
                        statuses[k] = container_status_paused(d->dir_fd, oci_state_status_probe(&states[k], d->dir_fd, busy, NULL));
                k++;
        }

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

        for (size_t i = 0; i < k; i++)
                oci_state_done(&states[i]);
        free(states);
        free(statuses);
        return EXIT_OK;
}
