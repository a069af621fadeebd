/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `pause ID` and `resume ID`: freeze and thaw every process of a container through its
 * cgroup's freezer. Only a running container is paused, only a paused one resumed. */

#include <string.h>

#include "container.h"
#include "verbs.h"

static int freeze_verb(const char *name, bool freeze, int argc, char **argv, const GlobalOptions *g) {
        const Verb *v = verb_find(name);
        const char *id;
        int r = cli_take_only_id(v, argc, argv, 1, &id);
        if (r != 0)
                return r;

        _cleanup_container_ Container *ct = NULL;
        if (container_open(&g->runtime, id, &ct) < 0)
                return EXIT_FAILED;
        ContainerStatus want = freeze ? STATUS_RUNNING : STATUS_PAUSED;
        if (ct->status != want)
                return log_error("%s: container is not %s (status %s)", name, oci_state_status_to_string(want),
                                 oci_state_status_to_string(ct->status)), EXIT_FAILED;
        if (!ct->cgroup)
                return log_error("%s: the container has no recorded cgroup", name), EXIT_FAILED;

        _cleanup_free_ char *error = NULL;
        r = cgroup_freeze(ct->cgroup, freeze, &error);
        if (r < 0)
                return log_error("%s: %s", name, error ?: strerror(-r)), EXIT_FAILED;
        return EXIT_OK;
}

int verb_pause(int argc, char **argv, const GlobalOptions *g) {
        return freeze_verb("pause", true, argc, argv, g);
}

int verb_resume(int argc, char **argv, const GlobalOptions *g) {
        return freeze_verb("resume", false, argc, argv, g);
}
