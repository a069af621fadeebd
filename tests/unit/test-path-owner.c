/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* path_check_root_only(): sshd's StrictModes for system bundles, over real files (as root; the
 * cases are skipped otherwise, since only root can make files root's). */

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path-owner.h"

static char *base;

static char *at(const char *rel) {
        return g_build_filename(base, rel, NULL);
}

static void mk(const char *rel, mode_t mode, bool dir) {
        g_autofree char *p = at(rel);
        if (dir)
                g_assert_cmpint(mkdir(p, mode), ==, 0);
        else
                g_assert_true(g_file_set_contents(p, "", 0, NULL));
        g_assert_cmpint(chmod(p, mode), ==, 0);
}

/* Checks rel: 0, or -EPERM with an error that contains want. */
static void check(const char *rel, uid_t also, const char *want) {
        g_autofree char *p = at(rel);
        char *error = NULL;
        int r = path_check_root_only(p, also, &error);
        if (!want) {
                if (r != 0)
                        g_error("%s: %s", p, error);
        } else {
                g_assert_cmpint(r, <, 0);
                g_assert_nonnull(error);
                if (!strstr(error, want))
                        g_error("%s: \"%s\" does not say \"%s\"", p, error, want);
        }
        free(error);
}

static void test_modes(void) {
        if (geteuid() != 0) {
                g_test_skip("needs root: only root can make files root's");
                return;
        }
        mk("ok", 0755, true);
        mk("ok/config.json", 0644, false);
        check("ok/config.json", PATH_OWNER_ANY_OTHER, NULL);

        mk("gw", 0775, true);
        mk("gw/f", 0644, false);
        check("gw/f", PATH_OWNER_ANY_OTHER, "gw is writable by its group: chmod go-w ");
        mk("ok/ow", 0646, false);
        check("ok/ow", PATH_OWNER_ANY_OTHER, "ok/ow is writable by others: chmod go-w ");

        /* A sticky directory (as /tmp) is fine on the way, not as the object itself. */
        mk("sticky", 01777, true);
        mk("sticky/f", 0644, false);
        check("sticky/f", PATH_OWNER_ANY_OTHER, NULL);
        check("sticky", PATH_OWNER_ANY_OTHER, "sticky is writable by group and others");

        /* Owners: root, or also_owner for the object itself only. */
        mk("ok/nobody", 0644, false);
        g_autofree char *nb = at("ok/nobody");
        g_assert_cmpint(chown(nb, 65534, 65534), ==, 0);
        check("ok/nobody", PATH_OWNER_ANY_OTHER, "is owned by uid 65534, not root: chown root ");
        check("ok/nobody", 65534, NULL);
        mk("nbdir", 0755, true);
        mk("nbdir/f", 0644, false);
        g_autofree char *nd = at("nbdir");
        g_assert_cmpint(chown(nd, 65534, 65534), ==, 0);
        check("nbdir/f", 65534, "nbdir is owned by uid 65534");

        /* Symlinks: followed, the directory holding each one checked, and its target's way. */
        g_autofree char *target = at("ok/config.json"), *l1 = at("gw/link"), *l2 = at("ok/link"),
                        *l3 = at("ok/rel"), *l4 = at("ok/up");
        g_assert_cmpint(symlink(target, l1), ==, 0);
        check("gw/link", PATH_OWNER_ANY_OTHER, "gw is writable by its group");
        g_autofree char *gwf = at("gw/f");
        g_assert_cmpint(symlink(gwf, l2), ==, 0);
        check("ok/link", PATH_OWNER_ANY_OTHER, "gw is writable by its group");
        g_assert_cmpint(symlink("config.json", l3), ==, 0);
        check("ok/rel", PATH_OWNER_ANY_OTHER, NULL);
        g_assert_cmpint(symlink("../ok/./config.json", l4), ==, 0);
        check("ok/up", PATH_OWNER_ANY_OTHER, NULL);
        g_assert_cmpint(lchown(l3, 65534, 65534), ==, 0);
        check("ok/rel", PATH_OWNER_ANY_OTHER, "chown -h root ");

        /* Missing, relative, loops. */
        check("ok/missing", PATH_OWNER_ANY_OTHER, "ok/missing: No such file or directory");
        char *error = NULL;
        g_assert_cmpint(path_check_root_only("relative/path", PATH_OWNER_ANY_OTHER, &error), ==, -EINVAL);
        free(error);
        g_autofree char *loop = at("ok/loop");
        g_assert_cmpint(symlink("loop", loop), ==, 0);
        error = NULL;
        g_assert_cmpint(path_check_root_only(loop, PATH_OWNER_ANY_OTHER, &error), ==, -ELOOP);
        free(error);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        /* A private, root-owned, 0755 place for the cases (under /tmp: sticky, fine). */
        base = g_dir_make_tmp("ctr-owner-XXXXXX", NULL);
        g_assert_nonnull(base);
        g_assert_cmpint(chmod(base, 0755), ==, 0);
        g_test_add_func("/path-owner/modes", test_modes);
        int r = g_test_run();
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", base);
        if (system(cmd) != 0)
                r = 1;
        return r;
}
