/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The five capability sets of process.capabilities, applied through libcap-ng around the
 * switch to the container's user. Runs in the init; libcap-ng only (no GLib). */

#include <stdint.h>
#include <sys/types.h>

#include "oci-config.h"

/* Drops the bounding set to caps[CAP_SET_BOUNDING]; needs CAP_SETPCAP, so call it before
 * the user switch. Capabilities this kernel does not know are skipped. */
int caps_apply_bounding(const uint64_t caps[_CAP_SET_MAX], char **ret_error);
/* Switches to uid/gid keeping capabilities across setuid, then sets effective, permitted,
 * inheritable and ambient exactly as asked (inheritable stays empty unless the config
 * sets it). Supplementary groups must already be set. */
int caps_change_id_and_apply(const uint64_t caps[_CAP_SET_MAX], uid_t uid, gid_t gid, char **ret_error);
