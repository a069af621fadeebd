/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The systemd driver's cgroupsPath parsing. The bus calls need a real systemd as PID 1: the
 * system tests cover them. */

#include <glib.h>
#include <string.h>

#include "cgroup.h"

static void test_parse_valid(void) {
        static const struct {
                const char *path, *id;
                bool user;
                const char *slice, *unit;
        } cases[] = {
                { NULL, "app", false, "system.slice", "ctr-launch-app.scope" },
                { NULL, "app", true, "user.slice", "ctr-launch-app.scope" },
                { "", "app", false, "system.slice", "ctr-launch-app.scope" },
                /* '+' is a valid container id character but not a unit name one. */
                { NULL, "a+b_c.d-e", false, "system.slice", "ctr-launch-a\\x2bb_c.d-e.scope" },
                { "system.slice:docker:abc", "x", false, "system.slice", "docker-abc.scope" },
                { "machine.slice:libpod:0123abcd", "x", false, "machine.slice", "libpod-0123abcd.scope" },
                { ":runc:app", "x", false, "system.slice", "runc-app.scope" },
                { ":runc:app", "x", true, "user.slice", "runc-app.scope" },
                { "user.slice::app", "x", false, "user.slice", "app.scope" },
                { "::app", "x", false, "system.slice", "app.scope" },
                { "a-b-c.slice:p:n", "x", false, "a-b-c.slice", "p-n.scope" },
                { "-.slice:p:n", "x", false, "-.slice", "p-n.scope" },
                { "system.slice:my-prefix:name.with.dots", "x", false, "system.slice",
                  "my-prefix-name.with.dots.scope" },
                { "system.slice:p:a\\x2db", "x", false, "system.slice", "p-a\\x2db.scope" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *slice = NULL, *unit = NULL, *error = NULL;
                g_test_message("path: \"%s\"", cases[i].path ? cases[i].path : "(null)");
                g_assert_cmpint(cgroup_systemd_parse_path(cases[i].path, cases[i].id, cases[i].user, &slice, &unit,
                                                          &error), ==, 0);
                g_assert_null(error);
                g_assert_cmpstr(slice, ==, cases[i].slice);
                g_assert_cmpstr(unit, ==, cases[i].unit);
        }
}

static void test_parse_long(void) {
        g_autofree char *slice = NULL, *unit = NULL, *error = NULL;

        /* 255 characters is the most systemd takes. */
        g_autofree char *name = g_strnfill(255 - strlen("p-.scope"), 'n');
        g_autofree char *path = g_strconcat("system.slice:p:", name, NULL);
        g_assert_cmpint(cgroup_systemd_parse_path(path, "x", false, &slice, &unit, &error), ==, 0);
        g_assert_cmpint(strlen(unit), ==, 255);

        g_autofree char *name2 = g_strnfill(256 - strlen("p-.scope"), 'n');
        g_autofree char *path2 = g_strconcat("system.slice:p:", name2, NULL);
        g_autofree char *slice2 = NULL, *unit2 = NULL;
        g_assert_cmpint(cgroup_systemd_parse_path(path2, "x", false, &slice2, &unit2, &error), ==, -EINVAL);
        g_assert_null(unit2);
        g_assert_true(g_str_has_prefix(error, "linux.cgroupsPath: "));
        g_clear_pointer(&error, g_free);

        /* A default name too long for systemd says what to do. */
        g_autofree char *id = g_strnfill(128, '+');
        g_autofree char *slice3 = NULL, *unit3 = NULL;
        g_assert_cmpint(cgroup_systemd_parse_path(NULL, id, false, &slice3, &unit3, &error), ==, -EINVAL);
        g_assert_nonnull(strstr(error, "give a cgroupsPath"));
}

static void test_parse_invalid(void) {
        static const char *const cases[] = {
                /* not three parts */
                "app",
                "/sys/fs/cgroup/app",
                "system.slice:app",
                ":",
                "a.slice:b:c:d",
                ":::",
                /* slice */
                "system:p:n",
                ".slice:p:n",
                ".hidden.slice:p:n",
                "system.scope:p:n",
                "sys/tem.slice:p:n",
                "sys tem.slice:p:n",
                "a--b.slice:p:n",
                "-a.slice:p:n",
                "a-.slice:p:n",
                "a@b.slice:p:n",
                "system.slice.slice.x:p:n",
                /* name and prefix */
                "system.slice:p:",
                "system.slice::",
                "system.slice:p:a/b",
                "system.slice::..",
                "system.slice:p:a b",
                "system.slice:p/q:n",
                "system.slice:p@:n",
                "system.slice:.p:n",
                "system.slice::.n",
                "system.slice:p:a\nb",
                "system.slice:p:caf\xc3\xa9",
                "system.slice:p:sub.slice",
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *slice = NULL, *unit = NULL, *error = NULL;
                g_test_message("path: \"%s\"", cases[i]);
                g_assert_cmpint(cgroup_systemd_parse_path(cases[i], "x", false, &slice, &unit, &error), ==, -EINVAL);
                g_assert_null(slice);
                g_assert_null(unit);
                g_assert_nonnull(error);
                g_assert_true(g_str_has_prefix(error, "linux.cgroupsPath: "));
                g_assert_null(strchr(error, '\n'));
        }
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/cgroup-systemd/parse/valid", test_parse_valid);
        g_test_add_func("/cgroup-systemd/parse/long", test_parse_long);
        g_test_add_func("/cgroup-systemd/parse/invalid", test_parse_invalid);
        return g_test_run();
}
