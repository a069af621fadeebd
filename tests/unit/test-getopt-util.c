/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* argv_options_first(): runc's "options after the operands", and the verb's own '+' loop after. */

#include <glib.h>
#include <string.h>

#include "getopt-util.h"

static const struct option options[] = {
        { "all", no_argument, NULL, 'a' },
        { "force", no_argument, NULL, 'f' },
        { "format", required_argument, NULL, 'F' },
        { "memory", required_argument, NULL, 'm' },
        {}
};

/* argv as one space-separated string, reordered, joined again. */
static char *reorder(const char *line, const char *shortopts, int stop_after) {
        g_auto(GStrv) words = g_strsplit(line, " ", -1);
        int argc = (int) g_strv_length(words);
        char **argv = g_new0(char *, argc + 1);
        for (int i = 0; i < argc; i++)
                argv[i] = words[i];
        g_assert_cmpint(argv_options_first(argc, argv, shortopts, options, stop_after), ==, 0);
        char *s = g_strjoinv(" ", argv);
        g_free(argv);
        return s;
}

static void check(const char *line, const char *shortopts, int stop_after, const char *want) {
        g_autofree char *got = reorder(line, shortopts, stop_after);
        g_assert_cmpstr(got, ==, want);
}

static void test_reorder(void) {
        check("delete app --force", "+f", 0, "delete --force app");
        check("delete -f app", "+f", 0, "delete -f app");
        check("kill app KILL -a", "+aF:", 0, "kill -a app KILL");
        check("kill --all -- app 9", "+aF:", 0, "kill --all -- app 9");
        check("kill app -- -a", "+a", 0, "kill -- app -a");
        check("update app --memory -1 --format=json", "+m:", 0, "update --memory -1 --format=json app");
        check("update app -m 1g", "+m:", 0, "update -m 1g app");
        check("x app -afm 5", "+afm:", 0, "x -afm 5 app");
        check("x app --bogus", "+a", 0, "x --bogus app");
        check("x app --memory", "+", 0, "x --memory app");
        /* ps and exec: what follows the id is the command's */
        check("ps app -ef", "+F:", 1, "ps app -ef");
        check("ps --format json app", "+F:", 1, "ps --format json app");
        check("ps app --format json", "+F:", 1, "ps app --format json");
        check("ps -- app -o pid", "+F:", 1, "ps -- app -o pid");
        check("exec -a app sh -c -a", "+a", 1, "exec -a app sh -c -a");
        check("one", "+", 0, "one");
        check("one two", "+", 0, "one two");
}

static void test_posixly_correct(void) {
        g_setenv("POSIXLY_CORRECT", "1", TRUE);
        check("delete app --force", "+f", 0, "delete --force app");
        g_unsetenv("POSIXLY_CORRECT");
}

/* The verb's own loop afterwards sees the options, then stops at the id. */
static void test_then_getopt(void) {
        char *argv[] = { (char *) "delete", (char *) "app", (char *) "-f", NULL };
        g_assert_cmpint(argv_options_first(3, argv, "+f", options, 0), ==, 0);
        optind = 1;
        opterr = 0;
        g_assert_cmpint(getopt_long(3, argv, "+f", options, NULL), ==, 'f');
        g_assert_cmpint(getopt_long(3, argv, "+f", options, NULL), ==, -1);
        g_assert_cmpint(optind, ==, 2);
        g_assert_cmpstr(argv[optind], ==, "app");

        /* and stays in '+' order: an operand ends the options */
        char *argv2[] = { (char *) "delete", (char *) "app", (char *) "-f", NULL };
        optind = 1;
        g_assert_cmpint(getopt_long(3, argv2, "f", options, NULL), ==, -1);
        g_assert_cmpint(optind, ==, 1);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/getopt-util/reorder", test_reorder);
        g_test_add_func("/getopt-util/posixly-correct", test_posixly_correct);
        g_test_add_func("/getopt-util/then-getopt", test_then_getopt);
        return g_test_run();
}
