/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `start ID`: lets a created container's init exec the user's process. */

#include "container.h"
#include "verbs.h"

int verb_start(int argc, char **argv, const GlobalOptions *g) {
        const Verb *v = verb_find("start");
        const char *id;
        int r = cli_take_id(v, argc, argv, 1, &id);
        if (r != 0)
                return r;
        if (argc > 2)
                return cli_usage_error(v, "unexpected argument \"%s\"", argv[2]);
        log_set_id(id);

        _cleanup_container_ Container *c = NULL;
        if (container_open(g, id, &c) < 0 || container_start(c) < 0)
                return EXIT_FAILED;
        return EXIT_OK;
}
