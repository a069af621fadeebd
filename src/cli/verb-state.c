/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `state ID`: the OCI state document. A reader: it never waits for the lock. */

#include <stdio.h>

#include "container.h"
#include "verbs.h"

int verb_state(int argc, char **argv, const GlobalOptions *g) {
        const Verb *v = verb_find("state");
        const char *id;
        int r = cli_take_only_id(v, argc, argv, cli_first_operand(argc, argv), &id);
        if (r != 0)
                return r;

        _cleanup_free_ char *error = NULL;
        ContainerState s;
        ContainerStatus st;
        r = container_peek(&g->runtime, id, &s, &st, &error);
        if (r < 0)
                return cli_fail(r, error);
        _cleanup_free_ char *out = oci_state_to_oci_json(&s, st);
        oci_state_done(&s);
        if (!out)
                return cli_failf(-ENOMEM, "format state");
        fputs(out, stdout);
        return EXIT_OK;
}
