/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* System bundles must be root's alone (docs/authorization.md, "System bundles"): whoever may
 * `systemctl start ctr@ID` (a polkit grantee) is not root, yet the bundle's hooks then run as
 * root on the host, its mounts bind what they name, its root.path is what the container gets.
 * So for a system bundle, create refuses a bundle (and each directory above it), config.json,
 * rootfs or host-side hook executable that is not root's or that group or others can write. */

#include <stdbool.h>
#include <sys/stat.h>

#include "container.h"
#include "oci-config.h"

/* Where ctr@ID.service finds its bundle by default, as /var/lib/ctr-launch/ID. */
#define SYSTEM_BUNDLE_DIR "/var/lib/ctr-launch"

/* Whether the bundle is a system bundle: create was told so (--system-bundle, as ctr@.service
 * does), or root creates from a bundle below SYSTEM_BUNDLE_DIR, as given (o->bundle, relative
 * to the current directory) or resolved (bundle, absolute). */
bool bundle_is_system(const CreateOptions *o, const char *bundle);

/* The bundle directory (o->bundle as given, the whole way down), before its config is read. */
int bundle_check_dir(const CreateOptions *o, char **ret_error);
/* The rest, once the config is parsed: config.json as read (config_st), the rootfs, the
 * hooks that run on the host. */
int bundle_check_contents(const char *bundle, const struct stat *config_st, const OciConfig *config,
                          const char *rootfs, char **ret_error);
