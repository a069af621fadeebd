/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What runc and crun fill in where a config is silent: a process.cwd the rootfs lacks, and
 * HOME. In the container, after the switch of root, as its root; libc only. */

#include "oci-config.h"

/* Creates cwd (mode 0755, as runc) beneath the container's root, if it is not there; never
 * through a dangling symlink. A path it cannot make is left to the chdir after the user
 * switch, which reports it. */
int process_make_cwd(const char *cwd, char **ret_error);
/* *ret = "HOME=<home of uid in the container's /etc/passwd>", or "HOME=/" without such an
 * entry; NULL if env or extra_env has HOME already. */
int process_home_env(const OciProcess *p, char * const *extra_env, char **ret);
