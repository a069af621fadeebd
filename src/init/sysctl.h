/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* linux.sysctl, written by the init into the container's own namespaces. Runs in the init after
 * the switch of root and before /proc/sys is made read-only: libc only. */

#include "oci-config.h"

/* Writes each key through the container's /proc/sys. The config module has already refused
 * keys that are not namespaced or whose namespace is not the container's own. */
int sysctl_apply(const OciConfig *c, char **ret_error);
