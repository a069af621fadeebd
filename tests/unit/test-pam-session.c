/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pam-session.c's pure parts: the annotation that names the account, and how the session's
 * environment merges into the container's (process.env wins). */

#include <glib.h>
#include <string.h>

#include "strv.h"
#include "pam-session.h"

static void test_annotation(void) {
        const char *user = (const char *) 1;
        char *none[] = { "org.example", "x", NULL };
        g_assert_cmpint(pam_user_from_annotations(NULL, &user), ==, 0);
        g_assert_null(user);
        g_assert_cmpint(pam_user_from_annotations(none, &user), ==, 0);
        g_assert_null(user);

        char *one[] = { "a", "b", PAM_USER_ANNOTATION, "alice", NULL };
        g_assert_cmpint(pam_user_from_annotations(one, &user), ==, 1);
        g_assert_cmpstr(user, ==, "alice");

        /* The last one wins, as for every annotation (json-glib keeps the last duplicate key). */
        char *two[] = { PAM_USER_ANNOTATION, "alice", PAM_USER_ANNOTATION, "svc-web_1.x$", NULL };
        g_assert_cmpint(pam_user_from_annotations(two, &user), ==, 1);
        g_assert_cmpstr(user, ==, "svc-web_1.x$");

        static const char *const bad[] = { "", "-alice", "al ice", "a:b", "../etc", "a/b", "a\nb", "a,b", "a\tb" };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                char *a[] = { PAM_USER_ANNOTATION, (char *) bad[i], NULL };
                g_assert_cmpint(pam_user_from_annotations(a, &user), ==, -EINVAL);
        }
        char longname[LOGIN_NAME_MAX + 2];
        memset(longname, 'a', sizeof(longname) - 1);
        longname[sizeof(longname) - 1] = 0;
        char *lng[] = { PAM_USER_ANNOTATION, longname, NULL };
        g_assert_cmpint(pam_user_from_annotations(lng, &user), ==, -EINVAL);
}

static char *joined(char **l) {
        return l ? g_strjoinv(" ", l) : g_strdup("");
}

static void test_env_merge(void) {
        char *config[] = { "PATH=/usr/bin:/bin", "LANG=C", "HOME=/srv", NULL };
        char *pam[] = { "LANG=fr_FR.UTF-8", "FROM_PAM=1", "PATH=/pam/bin", "EMPTY=", "NOTIFY_SOCKET=/x",
                        "LISTEN_FDS=3", "LISTEN_PID=1", "LISTEN_FDNAMES=a", "=nameless", "noequal", "FROM_PAM=2",
                        "LANGUAGE=fr", NULL };
        char **extra = NULL;
        g_assert_cmpint(pam_env_merge(config, pam, &extra), ==, 0);
        g_autofree char *s = joined(extra);
        /* process.env's LANG and PATH win; a prefix of a name is another name (LANGUAGE). */
        g_assert_cmpstr(s, ==, "FROM_PAM=1 EMPTY= LANGUAGE=fr");
        strv_free(extra);

        extra = (char **) 1;
        g_assert_cmpint(pam_env_merge(config, NULL, &extra), ==, 0);
        g_assert_null(extra);
        g_assert_cmpint(pam_env_merge(NULL, pam, &extra), ==, 0);
        g_autofree char *t = joined(extra);
        g_assert_cmpstr(t, ==, "LANG=fr_FR.UTF-8 FROM_PAM=1 PATH=/pam/bin EMPTY= LANGUAGE=fr");
        strv_free(extra);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/pam-session/annotation", test_annotation);
        g_test_add_func("/pam-session/env-merge", test_env_merge);
        return g_test_run();
}
