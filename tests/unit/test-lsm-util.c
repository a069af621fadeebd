/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lsm-util: the list of loaded AppArmor profiles as securityfs writes it, and the host facts
 * against what the kernel shows. */

#include <glib.h>
#include <stdbool.h>
#include <unistd.h>

#include "lsm-util.h"

static void test_profiles_contain(void) {
        const char *list = "containers-default-0.50.1 (enforce)\n"
                           "/usr/bin/man (enforce)\n"
                           "name with spaces (complain)\n"
                           "docker-default (enforce)";
        g_assert_true(lsm_apparmor_profiles_contain(list, "containers-default-0.50.1"));
        g_assert_true(lsm_apparmor_profiles_contain(list, "/usr/bin/man"));
        g_assert_true(lsm_apparmor_profiles_contain(list, "name with spaces"));
        g_assert_true(lsm_apparmor_profiles_contain(list, "docker-default")); /* no final newline */
        g_assert_false(lsm_apparmor_profiles_contain(list, "containers-default"));  /* a prefix */
        g_assert_false(lsm_apparmor_profiles_contain(list, "default-0.50.1"));      /* a suffix */
        g_assert_false(lsm_apparmor_profiles_contain(list, "name"));
        g_assert_false(lsm_apparmor_profiles_contain(list, "enforce"));
        g_assert_false(lsm_apparmor_profiles_contain("", "docker-default"));
        g_assert_false(lsm_apparmor_profiles_contain("docker-default\n", "docker-default")); /* no mode */
}

static void test_special_names(void) {
        /* Judged by the kernel, whatever the list says (or whether it can be read). */
        g_assert_cmpint(lsm_apparmor_profile_loaded("unconfined"), ==, 1);
        g_assert_cmpint(lsm_apparmor_profile_loaded(":ns:profile"), ==, 1);
        g_assert_cmpint(lsm_apparmor_profile_loaded("a//&b"), ==, 1);
}

static void test_host(void) {
        /* As the kernel shows it: no module, not enabled; the module's parameter, selinuxfs. */
        if (access("/sys/module/apparmor", F_OK) < 0)
                g_assert_false(lsm_apparmor_enabled());
        if (!lsm_apparmor_enabled())
                g_assert_cmpint(lsm_apparmor_profile_loaded("docker-default"), <, 0);
        g_assert_cmpint(lsm_selinux_enabled(), ==, access("/sys/fs/selinux/enforce", F_OK) == 0);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/lsm-util/profiles-contain", test_profiles_contain);
        g_test_add_func("/lsm-util/special-names", test_special_names);
        g_test_add_func("/lsm-util/host", test_host);
        return g_test_run();
}
