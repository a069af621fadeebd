/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capabilities and the user switch, with libcap-ng. */

#include <cap-ng.h>
#include <linux/capability.h>
#include <stdio.h>
#include <sys/prctl.h>

#include "errmsg.h"
#include "caps.h"
#include "proc-util.h"

static void update_set(capng_type_t type, uint64_t mask) {
        for (int c = 0; c <= proc_cap_last_cap(); c++)
                if (mask & (UINT64_C(1) << c))
                        (void) capng_update(CAPNG_ADD, type, (unsigned) c);
}

int caps_apply_bounding(const uint64_t caps[_CAP_SET_MAX], char **ret_error) {
        capng_clear(CAPNG_SELECT_BOUNDS);
        update_set(CAPNG_BOUNDING_SET, caps[CAP_SET_BOUNDING]);
        if (capng_apply(CAPNG_SELECT_BOUNDS) < 0)
                return errmsg(ret_error, -EPERM, "set capability bounding set");
        return 0;
}

int caps_change_id_and_apply(const uint64_t caps[_CAP_SET_MAX], uid_t uid, gid_t gid, char **ret_error) {
        /* Keep the permitted set across setresuid() away from 0; the effective set is
         * cleared by the kernel and restored below. */
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return errmsg(ret_error, -errno, "prctl(PR_SET_KEEPCAPS)");
        if (setresgid(gid, gid, gid) < 0)
                return errmsg(ret_error, -errno, "setresgid(%u)", (unsigned) gid);
        if (setresuid(uid, uid, uid) < 0)
                return errmsg(ret_error, -errno, "setresuid(%u)", (unsigned) uid);
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return errmsg(ret_error, -errno, "prctl(PR_SET_KEEPCAPS)");

        capng_clear(CAPNG_SELECT_CAPS);
        update_set(CAPNG_EFFECTIVE, caps[CAP_SET_EFFECTIVE]);
        update_set(CAPNG_PERMITTED, caps[CAP_SET_PERMITTED]);
        update_set(CAPNG_INHERITABLE, caps[CAP_SET_INHERITABLE]);
        if (capng_apply(CAPNG_SELECT_CAPS) < 0)
                return errmsg_plain(ret_error, -EPERM,
                                    "set capabilities: effective must be a subset of permitted");

        /* The kernel raises an ambient capability only if it is permitted and inheritable.
         * `runc spec` and `crun spec` list ambient ones with an empty inheritable set, and
         * both runtimes skip what cannot be raised: so do we, rather than refuse their
         * default config. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return errmsg(ret_error, -errno, "clear ambient capabilities");
        uint64_t ambient = caps[CAP_SET_AMBIENT] & caps[CAP_SET_PERMITTED] & caps[CAP_SET_INHERITABLE];
        for (int c = 0; c <= proc_cap_last_cap(); c++)
                if ((ambient & (UINT64_C(1) << c)) &&
                    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
                        return errmsg(ret_error, -errno, "raise ambient capability %s",
                                      capng_capability_to_name((unsigned) c) ?: "?");
        return 0;
}
