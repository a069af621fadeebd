/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `delete [--force] [--same-invocation] ID`: a stopped or created container goes; a running one only
 * by force. */

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "container.h"
#include "verbs.h"

int verb_delete(int argc, char **argv, const GlobalOptions *g) {
        const Verb *v = verb_find("delete");
        static const struct option options[] = {
                { "force", no_argument, NULL, 'f' },
                { "same-invocation", no_argument, NULL, 'i' },
                {}
        };
        bool force = false;
        bool same_invocation = false;
        int c, r;

        if ((r = cli_options_first(argc, argv, "+f", options, 0)) != 0)
                return r;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+f", options, NULL)) >= 0)
                switch (c) {
                case 'f':
                        force = true;
                        break;
                case 'i':
                        same_invocation = true;
                        break;
                default:
                        return cli_usage_error(v, "unknown option \"%s\"", argv[optind - 1]);
                }
        const char *id;
        r = cli_take_only_id(v, argc, argv, optind, &id);
        if (r != 0)
                return r;

        _cleanup_free_ char *error = NULL;
        if (force) {
                /* Nothing to do is not a failure for --force, as with runc. */
                _cleanup_free_ char *root = NULL, *path = NULL;
                r = container_root(&g->runtime, &root, &error);
                if (r < 0)
                        return cli_fail(r, error);
                if (asprintf(&path, "%s/%s", root, id) < 0)
                        return cli_failf(-ENOMEM, "allocate");
                if (access(path, F_OK) < 0 && errno == ENOENT)
                        return EXIT_OK;
        }

        _cleanup_container_ Container *ct = NULL;
        r = container_open(&g->runtime, id, &ct, &error);
        if (r < 0)
                return cli_fail(r, error);
        /* ctr@.service's ExecStopPost=: this run's container, whatever its state, and any
         * container of the id that is gone (as create --replace-stopped would take it); a start
         * refused because another container of the id lives ("container already exists") must
         * not delete that one. */
        if (same_invocation && !container_gone(ct)) {
                const char *ours = getenv("INVOCATION_ID");
                if (!ours || !ct->state.invocation || strcmp(ours, ct->state.invocation) != 0) {
                        log_debug("its init lives and another run made it: left alone");
                        return EXIT_OK;
                }
        }
        if (!force && (ct->status == STATUS_RUNNING || ct->status == STATUS_PAUSED))
                return cli_failf(0, "cannot delete a container that is %s (use --force)",
                                 oci_state_status_to_string(ct->status));
        r = container_destroy(ct, &error);
        return r < 0 ? cli_fail(r, error) : EXIT_OK;
}
