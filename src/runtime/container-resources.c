/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What is done to a live container's cgroup: new limits (update), freezing (pause, resume),
 * listing its processes (ps). The verbs parse and print; the rules are here. */

#include <string.h>

#include "errmsg.h"
#include "fd-util.h"
#include "container.h"
#include "oci-config.h"

static int read_recorded(int dir_fd, OciResources **ret, char **ret_error) {
        _cleanup_free_ char *data = NULL, *error = NULL;
        size_t size = 0;
        int r = read_file_at(dir_fd, RESOURCES_FILE, OCI_CONFIG_SIZE_MAX, &data, &size);
        if (r == -ENOENT) {
                *ret = calloc(1, sizeof(OciResources));
                return *ret ? 0 : errmsg(ret_error, -ENOMEM, "allocate");
        }
        if (r < 0)
                return errmsg(ret_error, r, "read %s", RESOURCES_FILE);
        r = oci_resources_parse(data, size, ret, &error);
        if (r < 0)
                return errmsg_plain(ret_error, r, "%s: %s", RESOURCES_FILE, error ?: strerror(-r));
        return 0;
}

int container_recorded_resources(const Container *c, OciResources **ret, char **ret_error) {
        return read_recorded(c->dir->dir_fd, ret, ret_error);
}

/* resources.json becomes what it said, with changes merged over it. */
static int record_resources(int dir_fd, const OciResources *changes, char **ret_error) {
        _cleanup_(oci_resources_freep) OciResources *recorded = NULL;
        int r = read_recorded(dir_fd, &recorded, ret_error);
        if (r < 0)
                return r;
        r = oci_resources_merge(recorded, changes);
        if (r < 0)
                return errmsg(ret_error, r, "update: merge into %s", RESOURCES_FILE);
        _cleanup_free_ char *out = oci_resources_to_json(recorded);
        if (!out)
                return errmsg(ret_error, -ENOMEM, "update: format %s", RESOURCES_FILE);
        r = write_file_atomic_at(dir_fd, RESOURCES_FILE, out, strlen(out));
        if (r < 0)
                return errmsg(ret_error, r, "update: write %s (the new limits are applied)", RESOURCES_FILE);
        return 0;
}

int container_update(Container *c, const OciResources *changes, char **ret_error) {
        if (c->status != STATUS_CREATED && c->status != STATUS_RUNNING && c->status != STATUS_PAUSED)
                return errmsg_plain(ret_error, -EINVAL, "update: container is not created, running or paused (status %s)",
                                    oci_state_status_to_string(c->status));
        if (!c->cgroup)
                return errmsg_plain(ret_error, -ENOENT, "update: the container has no recorded cgroup");
        /* memory.kernel alone changes nothing, but cgroup_apply() says so. */
        if (oci_resources_is_empty(changes) && !changes->has_memory_kernel)
                return 0;

        /* A copy, completed: new device rules replace the old ones, and the default devices
         * stay allowed. */
        _cleanup_(oci_resources_done) OciResources res = {};
        if (oci_resources_merge(&res, changes) < 0 || oci_resources_allow_devices(&res, NULL, 0) < 0)
                return errmsg(ret_error, -ENOMEM, "allocate");

        _cleanup_free_ char *error = NULL;
        int r = cgroup_apply(c->cgroup, &res, &error);
        if (r < 0)
                return errmsg_plain(ret_error, r, "update: %s", error ?: strerror(-r));
        return record_resources(c->dir->dir_fd, &res, ret_error);
}

int container_freeze(Container *c, bool freeze, char **ret_error) {
        const char *verb = freeze ? "pause" : "resume";
        ContainerStatus want = freeze ? STATUS_RUNNING : STATUS_PAUSED;
        if (c->status != want)
                return errmsg_plain(ret_error, -EINVAL, "%s: container is not %s (status %s)", verb,
                                    oci_state_status_to_string(want), oci_state_status_to_string(c->status));
        if (!c->cgroup)
                return errmsg_plain(ret_error, -ENOENT, "%s: the container has no recorded cgroup", verb);

        _cleanup_free_ char *error = NULL;
        int r = cgroup_freeze(c->cgroup, freeze, &error);
        if (r < 0)
                return errmsg_plain(ret_error, r, "%s: %s", verb, error ?: strerror(-r));
        if (freeze)
                c->status = STATUS_PAUSED;
        else
                c->status = STATUS_RUNNING;
        return 0;
}

int container_pids(Container *c, pid_t **ret, size_t *ret_n, char **ret_error) {
        if (!c->cgroup)
                return errmsg_plain(ret_error, -ENOENT, "list processes: the container has no recorded cgroup");

        _cleanup_free_ char *error = NULL;
        int r = cgroup_pids(c->cgroup, ret, ret_n, &error);
        /* A stopped container's cgroup may be gone already: no process is left in it. */
        if (r == -ENOENT && c->status == STATUS_STOPPED) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        if (r < 0)
                return errmsg_plain(ret_error, r, "list processes: %s", error ?: strerror(-r));
        return 0;
}
