/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `pause ID` and `resume ID`: freeze and thaw every process of a container through its
 * cgroup's freezer (container_freeze()). Only a running container is paused, only a paused
 * one resumed. */

#include "container.h"
#include "verbs.h"

static int freeze_verb(const char *name, bool freeze, int argc, char **argv, const GlobalOptions *g) {
        const Verb *v = verb_find(name);
        const char *id;
        int r = cli_take_only_id(v, argc, argv, cli_first_operand(argc, argv), &id);
        if (r != 0)
                return r;

        _cleanup_container_ Container *ct = NULL;
        _cleanup_free_ char *error = NULL;
        r = container_open(&g->runtime, id, &ct, &error);
        if (r >= 0)
                r = container_freeze(ct, freeze, &error);
        return r < 0 ? cli_fail(r, error) : EXIT_OK;
}

int verb_pause(int argc, char **argv, const GlobalOptions *g) {
        return freeze_verb("pause", true, argc, argv, g);
}

int verb_resume(int argc, char **argv, const GlobalOptions *g) {
        return freeze_verb("resume", false, argc, argv, g);
}
