/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `delete [--force] ID`: a stopped or created container goes; a running one only by force. */

#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "container.h"
#include "verbs.h"

int verb_delete(int argc, char **argv, const GlobalOptions *g) {
        const Verb *v = verb_find("delete");
        static const struct option options[] = {
                { "force", no_argument, NULL, 'f' },
                {}
        };
        bool force = false;
        int c, r;

        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+f", options, NULL)) >= 0)
                switch (c) {
                case 'f':
                        force = true;
                        break;
                default:
                        return cli_usage_error(v, "unknown option \"%s\"", argv[optind - 1]);
                }
        const char *id;
        r = cli_take_only_id(v, argc, argv, optind, &id);
        if (r != 0)
                return r;

        if (force) {
                /* Nothing to do is not a failure for --force, as with runc. */
                _cleanup_free_ char *root = NULL;
                if (container_root(&g->runtime, &root) < 0)
                        return EXIT_FAILED;
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s/%s", root, id) < 0)
                        return EXIT_FAILED;
                if (access(path, F_OK) < 0 && errno == ENOENT)
                        return EXIT_OK;
        }

        _cleanup_container_ Container *ct = NULL;
        if (container_open(&g->runtime, id, &ct) < 0)
                return EXIT_FAILED;
        if (!force && (ct->status == STATUS_RUNNING || ct->status == STATUS_PAUSED))
                return log_error_errno(-EBUSY, "cannot delete a container that is %s (use --force)",
                                       oci_state_status_to_string(ct->status)), EXIT_FAILED;
        return container_destroy(ct) < 0 ? EXIT_FAILED : EXIT_OK;
}
