/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Which Linux security module drives labels on this host, whether an AppArmor profile is loaded
 * and whether an SELinux context is valid: asked of the host's securityfs and selinuxfs. libc
 * only (create and exec ask before anything exists, features reports it, the init asks which
 * mount label applies). */

#include <stdbool.h>

/* AppArmor: the module is enabled (/sys/module/apparmor/parameters/enabled is "Y"). */
bool lsm_apparmor_enabled(void);
/* SELinux: selinuxfs is mounted at /sys/fs/selinux (as libselinux decides). */
bool lsm_selinux_enabled(void);

/* 1 if LABEL is a context the loaded SELinux policy defines (user, role, type and level, and
 * their combination), 0 if it is not, -errno if that cannot be asked (no selinuxfs, or the policy
 * denies the check): then the kernel decides when the label is used. */
int lsm_selinux_context_valid(const char *label);

/* 1 if PROFILE is loaded (or is "unconfined", or names a stack or a namespace, which only the
 * kernel can judge), 0 if the loaded profiles are known and it is not among them, -errno if
 * they cannot be read (securityfs not mounted, or not ours to read): then the kernel decides
 * at exec. */
int lsm_apparmor_profile_loaded(const char *profile);
/* The parser of the loaded list: one "NAME (MODE)" per line, NAME may hold spaces. */
bool lsm_apparmor_profiles_contain(const char *list, const char *profile);
