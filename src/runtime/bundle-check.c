/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The checks on a system bundle (bundle-check.h): sshd's StrictModes over the bundle, its
 * config, its rootfs and its host-side hooks, before anything exists. One line names the first
 * path that fails and the command that fixes it. */

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "errmsg.h"
#include "path-owner.h"
#include "path-util.h"
#include "bundle-check.h"

/* The bundle as given, absolute and normalised (not resolved: the walk follows its links). */
static int bundle_absolute(const CreateOptions *o, char **ret) {
        const char *b = o->bundle ?: ".";
        _cleanup_free_ char *joined = NULL;
        if (!path_is_absolute(b)) {
                char cwd[PATH_MAX];
                if (!getcwd(cwd, sizeof(cwd)))
                        return -errno;
                if (asprintf(&joined, "%s/%s", cwd, b) < 0)
                        return -ENOMEM;
                b = joined;
        }
        return path_simplify(b, ret);
}

bool bundle_is_system(const CreateOptions *o, const char *bundle) {
        if (o->system_bundle)
                return true;
        if (geteuid() != 0)
                return false;
        _cleanup_free_ char *given = NULL;
        return (bundle && path_startswith(bundle, SYSTEM_BUNDLE_DIR)) ||
               (bundle_absolute(o, &given) >= 0 && path_startswith(given, SYSTEM_BUNDLE_DIR));
}

int bundle_check_dir(const CreateOptions *o, char **ret_error) {
        _cleanup_free_ char *given = NULL, *error = NULL;
        int r = bundle_absolute(o, &given);
        if (r < 0)
                return errmsg(ret_error, r, "bundle %s", o->bundle ?: ".");
        r = path_check_root_only(given, PATH_OWNER_ANY_OTHER, &error);
        if (r < 0)
                return errmsg_plain(ret_error, r, "system bundle: %s", error);
        return 0;
}

static int check_config(const char *bundle, const struct stat *st, char **ret_error) {
        if (st->st_uid != 0)
                return errmsg_plain(ret_error, -EPERM, "system bundle: %s/config.json is owned by uid %u, not root: "
                                    "chown root %s/config.json", bundle, (unsigned) st->st_uid, bundle);
        if (st->st_mode & (S_IWGRP | S_IWOTH))
                return errmsg_plain(ret_error, -EPERM, "system bundle: %s/config.json is writable by group or others: "
                                    "chmod go-w %s/config.json", bundle, bundle);
        return 0;
}

/* The host uid of the container's root when it has a user namespace of its own: its rootfs's
 * top directory is commonly that uid's, so that the container's root owns its "/". */
static uid_t userns_root_host_uid(const OciConfig *c) {
        const OciNamespace *ns = oci_config_find_namespace(c, NAMESPACE_USER);
        if (!ns || ns->path)
                return PATH_OWNER_ANY_OTHER;
        for (size_t i = 0; i < c->n_uid_mappings; i++)
                if (c->uid_mappings[i].container_id == 0)
                        return (uid_t) c->uid_mappings[i].host_id;
        return PATH_OWNER_ANY_OTHER;
}

int bundle_check_contents(const char *bundle, const struct stat *config_st, const OciConfig *config,
                          const char *rootfs, char **ret_error) {
        _cleanup_free_ char *error = NULL;
        int r = check_config(bundle, config_st, ret_error);
        if (r < 0)
                return r;
        r = path_check_root_only(rootfs, userns_root_host_uid(config), &error);
        if (r < 0)
                return errmsg_plain(ret_error, r, "system bundle: root.path: %s", error);
        /* Every hook but startContainer runs a host path as root (createContainer too: before
         * the root switch, host paths still resolve); startContainer runs inside the container. */
        for (HookKind k = 0; k < _HOOK_KIND_MAX; k++) {
                if (k == HOOK_START_CONTAINER)
                        continue;
                for (size_t i = 0; i < config->hooks.n_hooks[k]; i++) {
                        r = path_check_root_only(config->hooks.hooks[k][i].path, PATH_OWNER_ANY_OTHER, &error);
                        if (r < 0)
                                return errmsg_plain(ret_error, r, "system bundle: hooks.%s[%zu]: %s",
                                                    hook_kind_to_string(k), i, error);
                }
        }
        return 0;
}
