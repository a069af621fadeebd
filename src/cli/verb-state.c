/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `state ID`: the OCI state document. A reader: it never waits for the lock. */

#include <stdio.h>
#include <string.h>
#include <sys/file.h>

#include "container.h"
#include "verbs.h"

int verb_state(int argc, char **argv, const GlobalOptions *g) {
        const Verb *v = verb_find("state");
        const char *id;
        int r = cli_take_only_id(v, argc, argv, 1, &id);
        if (r != 0)
                return r;

        _cleanup_free_ char *root = NULL;
        if (container_root(&g->runtime, &root) < 0)
                return EXIT_FAILED;
        _cleanup_state_dir_ StateDir *d = NULL;
        bool busy;
        r = state_dir_open(root, id, LOCK_SH | LOCK_NB, &d, &busy);
        if (r == -ENOENT)
                return log_error_errno(r, "container does not exist"), EXIT_FAILED;
        if (r < 0)
                return log_error_errno(r, "open state directory"), EXIT_FAILED;

        ContainerState s = {};
        ContainerStatus st;
        r = oci_state_read(d->dir_fd, &s);
        if (r == -ENOENT && busy) {
                /* A create holds the lock and has written nothing yet. */
                if (!(s.id = strdup(id)))
                        return log_error_errno(-ENOMEM, "allocate"), EXIT_FAILED;
                st = STATUS_CREATING;
        } else if (r < 0)
                return log_error_errno(r, "read %s", STATE_FILE), EXIT_FAILED;
        else
                st = container_status_paused(d->dir_fd, oci_state_status_probe(&s, d->dir_fd, busy, NULL));
        _cleanup_free_ char *out = oci_state_to_oci_json(&s, st);
        oci_state_done(&s);
        if (!out)
                return log_error_errno(-ENOMEM, "format state"), EXIT_FAILED;
        fputs(out, stdout);
        return EXIT_OK;
}
