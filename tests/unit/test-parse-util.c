/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Container id validation and signal parsing. */

#include <glib.h>
#include <regex.h>
#include <signal.h>
#include <string.h>

#include "parse-util.h"

static void test_ids(void) {
        static const char *const good[] = { "a", "app", "A-b_c+d.e", "0", "web-1", "x.", "x-", "+", "_x" };
        static const char *const bad[] = { "", ".", "..", ".hidden", "a/b", "/", "a b", "a\nb", "é", "a:b", "a*", "$x",
                                           "-x", "-h", "--help", "-", "a,b" };
        for (size_t i = 0; i < G_N_ELEMENTS(good); i++)
                g_assert_true(container_id_is_valid(good[i]));
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
                g_assert_false(container_id_is_valid(bad[i]));
        g_assert_false(container_id_is_valid(NULL));

        char id[CONTAINER_ID_MAX + 2];
        memset(id, 'a', sizeof(id));
        id[CONTAINER_ID_MAX] = 0;
        g_assert_true(container_id_is_valid(id));
        id[CONTAINER_ID_MAX] = 'a';
        id[CONTAINER_ID_MAX + 1] = 0;
        g_assert_false(container_id_is_valid(id));
}

/* The code and CONTAINER_ID_REGEX (which the polkit rules and the docs quote) are one grammar:
 * every string of up to 3 characters over an alphabet holding each class, and a few long ones. */
static void test_id_regex(void) {
        regex_t re;
        g_assert_cmpint(regcomp(&re, CONTAINER_ID_REGEX, REG_EXTENDED | REG_NOSUB), ==, 0);
        static const char alphabet[] = "aZ09_+.-/ ,:\n";
        const size_t k = sizeof(alphabet) - 1;
        char s[4];
        for (size_t len = 0; len <= 3; len++) {
                size_t total = 1;
                for (size_t i = 0; i < len; i++)
                        total *= k;
                for (size_t n = 0; n < total; n++) {
                        size_t x = n;
                        for (size_t i = 0; i < len; i++, x /= k)
                                s[i] = alphabet[x % k];
                        s[len] = 0;
                        bool by_regex = regexec(&re, s, 0, NULL, 0) == 0;
                        if (by_regex != container_id_is_valid(s))
                                g_error("\"%s\": the regex says %d, the code %d", s, by_regex, !by_regex);
                }
        }
        char id[CONTAINER_ID_MAX + 2];
        memset(id, 'a', sizeof(id));
        id[CONTAINER_ID_MAX] = 0;
        g_assert_cmpint(regexec(&re, id, 0, NULL, 0), ==, 0);
        id[CONTAINER_ID_MAX] = 'a';
        id[CONTAINER_ID_MAX + 1] = 0;
        g_assert_cmpint(regexec(&re, id, 0, NULL, 0), !=, 0);
        regfree(&re);
}

static void test_signals(void) {
        static const struct {
                const char *s;
                int sig;
        } cases[] = {
                { "TERM", SIGTERM }, { "SIGTERM", SIGTERM }, { "sigterm", SIGTERM }, { "term", SIGTERM },
                { "15", SIGTERM }, { "9", SIGKILL }, { "KILL", SIGKILL }, { "SIGKILL", SIGKILL },
                { "HUP", SIGHUP }, { "USR1", SIGUSR1 }, { "SIGUSR2", SIGUSR2 }, { "WINCH", SIGWINCH },
                { "IOT", SIGABRT }, { "CHLD", SIGCHLD }, { "RTMIN", 0 /* below */ }, { "1", SIGHUP },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                int want = cases[i].sig ? cases[i].sig : SIGRTMIN;
                g_assert_cmpint(signal_from_string(cases[i].s), ==, want);
        }
        g_assert_cmpint(signal_from_string("RTMIN+2"), ==, SIGRTMIN + 2);
        g_assert_cmpint(signal_from_string("RTMAX-1"), ==, SIGRTMAX - 1);
        g_assert_cmpint(signal_from_string("RTMAX"), ==, SIGRTMAX);

        static const char *const bad[] = { "", "0", "FOO", "SIG", "SIGFOO", "-1", "65", "1000000000000000000000",
                                           "15x", " 15", "RTMIN+", "RTMIN-1", "RTMAX+1", "RTMIN+99" };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
                g_assert_cmpint(signal_from_string(bad[i]), ==, -EINVAL);
        g_assert_cmpint(signal_from_string(NULL), ==, -EINVAL);

        g_assert_cmpstr(signal_to_string(SIGTERM), ==, "TERM");
        g_assert_null(signal_to_string(0));
        g_assert_null(signal_to_string(SIGRTMIN + 1));
}

static void test_uint64(void) {
        uint64_t v;
        g_assert_cmpint(parse_uint64("0", 10, &v), ==, 0);
        g_assert_cmpuint(v, ==, 0);
        g_assert_cmpint(parse_uint64("10", 10, &v), ==, 0);
        g_assert_cmpint(parse_uint64("11", 10, &v), ==, -ERANGE);
        g_assert_cmpint(parse_uint64("18446744073709551616", UINT64_MAX, &v), ==, -ERANGE);
        g_assert_cmpint(parse_uint64("-1", 10, &v), ==, -EINVAL);
        g_assert_cmpint(parse_uint64("", 10, &v), ==, -EINVAL);
        g_assert_cmpint(parse_uint64("1a", 10, &v), ==, -EINVAL);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/parse-util/ids", test_ids);
        g_test_add_func("/parse-util/id-regex", test_id_regex);
        g_test_add_func("/parse-util/signals", test_signals);
        g_test_add_func("/parse-util/uint64", test_uint64);
        return g_test_run();
}
