/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The readers' look at containers (list, state): a shared lock taken without waiting, so that
 * a create or a delete in progress never stalls them; what they see then is "creating". */

#include <string.h>
#include <sys/file.h>

#include "errmsg.h"
#include "strv.h"
#include "container.h"

/* The state and status of the container whose dir d is; busy: a writer holds its lock. *ret
 * is untouched on failure. */
static int probe_dir(const StateDir *d, bool busy, ContainerState *ret, ContainerStatus *ret_status) {
        int r = oci_state_read(d->dir_fd, ret);
        if (r < 0)
                return r;
        *ret_status = container_status_paused(d->dir_fd, oci_state_status_probe(ret, d->dir_fd, busy, NULL));
        return 0;
}

void container_list_done(ContainerList *l) {
        for (size_t i = 0; i < l->n; i++)
                oci_state_done(&l->states[i]);
        free(l->states);
        free(l->statuses);
        *l = (ContainerList) {};
}

int container_list(const RuntimeOptions *g, ContainerList *ret, char **ret_error) {
        _cleanup_free_ char *root = NULL;
        int r = container_root(g, &root, ret_error);
        if (r < 0)
                return r;
        _cleanup_strv_free_ char **ids = NULL;
        r = state_root_list(root, &ids);
        if (r < 0)
                return errmsg(ret_error, r, "list %s", root);

        size_t n = strv_length(ids);
        _cleanup_(container_list_done) ContainerList l = {
                .states = calloc(n + 1, sizeof(ContainerState)),
                .statuses = calloc(n + 1, sizeof(ContainerStatus)),
        };
        if (!l.states || !l.statuses)
                return errmsg(ret_error, -ENOMEM, "allocate");
        for (size_t i = 0; i < n; i++) {
                _cleanup_state_dir_ StateDir *d = NULL;
                bool busy;
                /* Gone meanwhile: skip it. */
                if (state_dir_open(root, ids[i], LOCK_SH | LOCK_NB, &d, &busy) < 0)
                        continue;
                if (probe_dir(d, busy, &l.states[l.n], &l.statuses[l.n]) < 0) {
                        /* Broken (or not written yet): still list it, so it can be found and
                         * deleted. */
                        l.states[l.n] = (ContainerState) { .id = strdup(ids[i]), .creating = busy };
                        if (!l.states[l.n].id)
                                return errmsg(ret_error, -ENOMEM, "allocate");
                        l.statuses[l.n] = busy ? STATUS_CREATING : STATUS_STOPPED;
                }
                l.n++;
        }
        *ret = l;
        l = (ContainerList) {};
        return 0;
}

int container_peek(const RuntimeOptions *g, const char *id, ContainerState *ret, ContainerStatus *ret_status,
                   char **ret_error) {
        _cleanup_free_ char *root = NULL;
        int r = container_root(g, &root, ret_error);
        if (r < 0)
                return r;
        _cleanup_state_dir_ StateDir *d = NULL;
        bool busy;
        r = state_dir_open(root, id, LOCK_SH | LOCK_NB, &d, &busy);
        if (r == -ENOENT)
                return errmsg_plain(ret_error, r, "container does not exist");
        if (r < 0)
                return errmsg(ret_error, r, "open state directory");

        ContainerState s = {};
        ContainerStatus status;
        r = probe_dir(d, busy, &s, &status);
        if (r == -ENOENT && busy) {
                /* A create holds the lock and has written nothing yet. */
                if (!(s.id = strdup(id)))
                        return errmsg(ret_error, -ENOMEM, "allocate");
                status = STATUS_CREATING;
        } else if (r < 0)
                return errmsg(ret_error, r, "read %s", STATE_FILE);
        *ret = s;
        *ret_status = status;
        return 0;
}
