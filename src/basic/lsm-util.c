/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Host LSM facts (lsm-util.h). */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "fd-util.h"
#include "lsm-util.h"
#include "macros.h"

#ifndef SELINUX_MAGIC
#define SELINUX_MAGIC 0xf97cff8c
#endif

#define APPARMOR_PROFILES "/sys/kernel/security/apparmor/profiles"
/* A host with thousands of profiles (snap-heavy ones) stays well below this. */
#define APPARMOR_PROFILES_MAX (4u << 20)

bool lsm_apparmor_enabled(void) {
        char c = 0;
        _cleanup_close_ int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
        return fd >= 0 && read(fd, &c, 1) == 1 && c == 'Y';
}

bool lsm_selinux_enabled(void) {
        struct statfs sf;
        return statfs("/sys/fs/selinux", &sf) >= 0 && sf.f_type == SELINUX_MAGIC;
}

bool lsm_apparmor_profiles_contain(const char *list, const char *profile) {
        size_t len = strlen(profile);
        for (const char *line = list; line && *line;) {
                const char *end = strchrnul(line, '\n');
                /* The last " (" of the line opens the mode. */
                const char *mode = NULL;
                for (const char *p = line; p + 1 < end; p++)
                        if (p[0] == ' ' && p[1] == '(')
                                mode = p;
                if (mode && (size_t) (mode - line) == len && memcmp(line, profile, len) == 0)
                        return true;
                line = *end ? end + 1 : NULL;
        }
        return false;
}

int lsm_selinux_context_valid(const char *label) {
        /* selinuxfs's "context" file: a write of a context the policy does not define fails
         * with EINVAL (the check libselinux's security_check_context() makes). */
        _cleanup_close_ int fd = open("/sys/fs/selinux/context", O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (write(fd, label, strlen(label)) >= 0)
                return 1;
        return errno == EINVAL ? 0 : -errno;
}

int lsm_apparmor_profile_loaded(const char *profile) {
        if (strcmp(profile, "unconfined") == 0 || profile[0] == ':' || strstr(profile, "//"))
                return 1;
        _cleanup_free_ char *list = NULL;
        size_t size;
        int r = read_file_at(AT_FDCWD, APPARMOR_PROFILES, APPARMOR_PROFILES_MAX, &list, &size);
        if (r < 0)
                return r;
        return lsm_apparmor_profiles_contain(list, profile);
}
