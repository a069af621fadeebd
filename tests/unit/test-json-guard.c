/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json-guard: everything json-glib 1.6 lets through that it must not. */

#include <glib.h>
#include <string.h>

#include "json-guard.h"

static void check(const char *doc, const char *expected_error) {
        char *error = NULL;
        int r = json_guard_check(doc, strlen(doc), &error);
        if (!expected_error) {
                if (r < 0)
                        g_error("unexpected rejection of %s: %s", doc, error);
        } else {
                g_assert_cmpint(r, ==, -EINVAL);
                g_assert_nonnull(error);
                g_assert_null(strchr(error, '\n')); /* one line, always */
                if (!strstr(error, expected_error))
                        g_error("error for %s is \"%s\", expected it to contain \"%s\"", doc, error, expected_error);
        }
        free(error);
}

static void test_accepts(void) {
        check("{}", NULL);
        check(" [ 1, -2, 3.5e10, true, false, null, \"x\" ] ", NULL);
        check("{\"a\": {\"a\": 1}, \"b\": [{\"a\": 1}, {\"a\": 2}]}", NULL);
        check("9223372036854775807", NULL);
        check("-9223372036854775808", NULL);
        check("1e400", NULL); /* a double, not an integer json-glib would wrap */
        check("\"\\u00e9 \\ud83d\\ude00 é\"", NULL);
        check("{\"a\\u0062\": 1, \"ab \": 2}", NULL);
}

static void test_rejects(void) {
        static const struct {
                const char *doc, *error;
        } cases[] = {
                { "", "unexpected end" },
                { "{\"a\": 1, \"a\": 2}", "duplicate key \"a\"" },
                { "{\"ab\": 1, \"a\\u0062\": 2}", "duplicate key \"ab\"" },
                { "{\"a\": 1} {\"b\": 2}", "trailing data" },
                { "{\"a\": 1} x", "trailing data" },
                { "{\"a\": 1 // c\n}", "expected ',' or '}'" },
                { "// c\n{}", "comments" },
                { "['a']", "single quotes" },
                { "{'a': 1}", "expected a string key" },
                { "\"a\\u0000b\"", "\\u0000" },
                { "18446744073709551616", "out of range" },
                { "18446744073709551615", "out of range" },
                { "9223372036854775808", "out of range" },
                { "-9223372036854775809", "out of range" },
                { "[01]", "expected ',' or ']'" },
                { "[1.]", "bad number" },
                { "[-]", "bad number" },
                { "[1,]", "unexpected character ']'" },
                { "{\"a\":}", "unexpected character '}'" },
                { "\"\xc3\x28\"", "invalid UTF-8" },
                { "\"\xed\xa0\x80\"", "invalid UTF-8" }, /* an encoded surrogate */
                { "\"\xc0\xaf\"", "invalid UTF-8" },     /* overlong '/' */
                { "\"\\ud800\"", "unpaired high surrogate" },
                { "\"\\udc00\"", "lone low surrogate" },
                { "\"a\tb\"", "control character" },
                { "\"abc", "unterminated string" },
                { "[tru]", "unexpected character 't'" },
                { "\xef\xbb\xbf{}", "unexpected character 0xef" },
                /* found by fuzzing: the offending byte used to reach the message raw */
                { "{\"a\":\"\\\nsuft\"", "bad escape \\ followed by 0x0a" },
                { "[t\n]", "unexpected character 't'" },
                { "{\n  \"a\": 1,\n  \"a\": 2\n}", "line 3, column 3" },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
                check(cases[i].doc, cases[i].error);
}

static void test_depth(void) {
        /* json-glib 1.6 overflows its stack near 80,000 levels: refuse long before. */
        size_t n = 100000;
        char *doc = g_malloc(2 * n + 1);
        memset(doc, '[', n);
        memset(doc + n, ']', n);
        doc[2 * n] = 0;
        check(doc, "nested deeper than 64 levels");
        g_free(doc);

        /* Exactly the limit passes, one more level does not. */
        GString *ok = g_string_new(NULL);
        for (int i = 0; i < JSON_GUARD_DEPTH_MAX; i++)
                g_string_append_c(ok, '[');
        for (int i = 0; i < JSON_GUARD_DEPTH_MAX; i++)
                g_string_append_c(ok, ']');
        check(ok->str, NULL);
        g_string_append_c(ok, ']');
        g_string_prepend_c(ok, '[');
        check(ok->str, "nested deeper");
        g_string_free(ok, TRUE);
}

static void test_embedded_nul(void) {
        /* A raw NUL byte is a control character inside a string and garbage outside. */
        static const char doc[] = "\"a\0b\"";
        char *error = NULL;
        g_assert_cmpint(json_guard_check(doc, sizeof(doc) - 1, &error), ==, -EINVAL);
        g_assert_nonnull(strstr(error, "control character"));
        free(error);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/json-guard/accepts", test_accepts);
        g_test_add_func("/json-guard/rejects", test_rejects);
        g_test_add_func("/json-guard/depth", test_depth);
        g_test_add_func("/json-guard/embedded-nul", test_embedded_nul);
        return g_test_run();
}
