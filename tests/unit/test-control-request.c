/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* control-request: the control socket's request parser refuses everything but a well-formed
 * request of a known verb with its own members; requests survive a round trip; the command
 * rebuilt on the server side holds only validated values. */

#include <glib.h>
#include <signal.h>
#include <string.h>

#include "strv.h"
#include "control-request.h"

static void accept_line(const char *line, ControlRequest *ret) {
        char *error = NULL;
        int r = control_request_parse(line, strlen(line), ret, &error);
        if (r < 0)
                g_error("unexpected rejection of %s: %s", line, error);
        free(error);
}

static void reject_line(const char *line, const char *expected) {
        ControlRequest req;
        char *error = NULL;
        int r = control_request_parse(line, strlen(line), &req, &error);
        if (r >= 0)
                g_error("accepted: %s", line);
        g_assert_nonnull(error);
        g_assert_null(strchr(error, '\n'));
        if (!strstr(error, expected))
                g_error("error for %s is \"%s\", expected \"%s\"", line, error, expected);
        free(error);
}

static void test_accepts(void) {
        ControlRequest r;
        accept_line("{\"verb\":\"start\",\"id\":\"web\"}", &r);
        g_assert_cmpint(r.verb, ==, CONTROL_START);
        g_assert_cmpstr(r.id, ==, "web");
        g_assert_false(r.interactive);
        accept_line("{\"verb\":\"kill\",\"id\":\"a.b-c_d+e\",\"signal\":9,\"all\":true,\"wait\":false,\"interactive\":true}", &r);
        g_assert_cmpint(r.verb, ==, CONTROL_KILL);
        g_assert_cmpint(r.signal, ==, 9);
        g_assert_true(r.all);
        g_assert_true(r.interactive);
        accept_line("{\"verb\":\"delete\",\"id\":\"db\",\"force\":true}", &r);
        g_assert_true(r.force);
        accept_line("{\"verb\":\"list\",\"format\":\"json\",\"quiet\":true}", &r);
        g_assert_cmpint(r.verb, ==, CONTROL_LIST);
        g_assert_true(r.json);
        g_assert_cmpstr(r.id, ==, "");
        accept_line("  {\"verb\":\"state\",\"id\":\"x\"}  ", &r);
        g_assert_cmpstr(control_verb_action(CONTROL_KILL), ==, "org.ctr-launch.container.stop");
        g_assert_cmpstr(control_verb_action(CONTROL_LIST), ==, "org.ctr-launch.container.manage");
        g_assert_cmpstr(control_verb_action(CONTROL_EXEC), ==, "org.ctr-launch.container.exec");
        accept_line("{\"verb\":\"exec\",\"id\":\"web\",\"args\":[\"sh\",\"-c\",\"echo $HOME\"],\"tty\":false,"
                    "\"env\":[\"A=1\"],\"uid\":5,\"gid\":6,\"additional_gids\":[7],\"detach\":true}", &r);
        g_assert_cmpint(r.verb, ==, CONTROL_EXEC);
        g_assert_cmpstr(r.exec.args[2], ==, "echo $HOME");
        g_assert_cmpint(r.exec.tty, ==, 0);
        g_assert_true(r.exec.has_uid && r.exec.uid == 5 && r.exec.gid == 6);
        g_assert_cmpuint(r.exec.n_gids, ==, 1);
        g_assert_true(r.exec.detach);
        control_request_done(&r);
        accept_line("{\"verb\":\"exec\",\"id\":\"web\",\"process\":\"{\\\"args\\\":[\\\"sh\\\"]}\"}", &r);
        g_assert_cmpint(r.exec.tty, ==, -1);
        g_assert_nonnull(r.exec.process);
        control_request_done(&r);
}

static void test_rejects(void) {
        static const struct {
                const char *line, *error;
        } cases[] = {
                { "", "not valid JSON" },
                { "[]", "must be a JSON object" },
                { "\"start\"", "must be a JSON object" },
                { "{\"verb\":\"start\",\"id\":\"web\"} {}", "not valid JSON" },
                { "{\"verb\":\"start\",\"id\":\"web\",\"id\":\"db\"}", "not valid JSON" }, /* duplicate key */
                { "{'verb':'start','id':'web'}", "not valid JSON" },
                { "{\"verb\":\"start\",\"id\":\"web\"/* c */}", "not valid JSON" },
                { "{\"id\":\"web\"}", "no \"verb\"" },
                { "{\"verb\":1,\"id\":\"web\"}", "\"verb\" must be a string" },
                { "{\"verb\":\"create\",\"id\":\"web\"}", "is not one of" },
                { "{\"verb\":\"run\",\"id\":\"web\"}", "is not one of" },
                { "{\"verb\":\"start\"}", "no container \"id\"" },
                { "{\"verb\":\"start\",\"id\":\"\"}", "invalid container id" },
                { "{\"verb\":\"start\",\"id\":\"../etc\"}", "invalid container id" },
                { "{\"verb\":\"start\",\"id\":\".hidden\"}", "invalid container id" },
                /* An id never reads as an option (CONTAINER_ID_REGEX). */
                { "{\"verb\":\"start\",\"id\":\"-rf\"}", "invalid container id" },
                { "{\"verb\":\"start\",\"id\":\"a/b\"}", "invalid container id" },
                { "{\"verb\":\"start\",\"id\":\"web\\u0000x\"}", "not valid JSON" },
                { "{\"verb\":\"start\",\"id\":[\"web\"]}", "\"id\" must be a string" },
                { "{\"verb\":\"start\",\"id\":\"web\",\"bundle\":\"/tmp/x\"}", "\"bundle\" is not known for start" },
                { "{\"verb\":\"start\",\"id\":\"web\",\"force\":true}", "\"force\" is not known for start" },
                { "{\"verb\":\"list\",\"id\":\"web\"}", "\"id\" is not known for list" },
                { "{\"verb\":\"kill\",\"id\":\"web\",\"signal\":\"KILL\"}", "must be a signal number" },
                { "{\"verb\":\"kill\",\"id\":\"web\",\"signal\":0}", "out of range" },
                { "{\"verb\":\"kill\",\"id\":\"web\",\"signal\":-9}", "out of range" },
                { "{\"verb\":\"kill\",\"id\":\"web\",\"signal\":1000}", "out of range" },
                { "{\"verb\":\"kill\",\"id\":\"web\",\"signal\":9.5}", "must be a signal number" },
                { "{\"verb\":\"kill\",\"id\":\"web\",\"signal\":18446744073709551616}", "not valid JSON" },
                { "{\"verb\":\"kill\",\"id\":\"web\",\"all\":1}", "must be true or false" },
                { "{\"verb\":\"list\",\"format\":\"yaml\"}", "\"table\" or \"json\"" },
                { "{\"verb\":\"start\",\"id\":\"web\",\"interactive\":\"yes\"}", "must be true or false" },
                /* exec: its members only, a command or a process document, one line per argument. */
                { "{\"verb\":\"start\",\"id\":\"web\",\"args\":[\"sh\"]}", "\"args\" is not known for start" },
                { "{\"verb\":\"exec\",\"id\":\"web\"}", "no command" },
                { "{\"verb\":\"exec\",\"id\":\"web\",\"args\":[\"\"]}", "no command" },
                { "{\"verb\":\"exec\",\"id\":\"web\",\"args\":[\"sh\"],\"process\":\"{}\"}", "both" },
                { "{\"verb\":\"exec\",\"id\":\"web\",\"process\":\"[]\"}", "must be a JSON object" },
                { "{\"verb\":\"exec\",\"id\":\"web\",\"args\":[\"a\\nb\"]}", "newline" },
                { "{\"verb\":\"exec\",\"id\":\"web\",\"args\":[\"sh\"],\"env\":[\"=x\"]}", "NAME=VALUE" },
                { "{\"verb\":\"exec\",\"id\":\"web\",\"args\":[\"sh\"],\"cap\":[\"CAP X\"]}", "capability name" },
                { "{\"verb\":\"exec\",\"id\":\"web\",\"args\":[\"sh\"],\"uid\":-1}", "from 0 to" },
                { "{\"verb\":\"exec\",\"id\":\"web\",\"args\":[\"sh\"],\"gid\":5}", "needs \"uid\"" },
                { "{\"verb\":\"exec\",\"id\":\"web\",\"args\":[\"sh\"],\"bundle\":\"/\"}", "not known for exec" },
                { "{\"verb\":\"exec\",\"id\":\"web\",\"args\":[\"sh\"],\"pid_file\":\"/etc/x\"}", "not known for exec" },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
                reject_line(cases[i].line, cases[i].error);

        /* Size limit, and deep nesting (json-glib would overflow its stack). */
        GString *big = g_string_new("{\"verb\":\"start\",\"id\":\"web\",\"x\":\"");
        while (big->len < CONTROL_REQUEST_MAX + 10)
                g_string_append_c(big, 'a');
        g_string_append(big, "\"}");
        reject_line(big->str, "longer than");
        g_string_free(big, true);
        GString *deep = g_string_new("");
        for (int i = 0; i < 2000; i++)
                g_string_append_c(deep, '[');
        reject_line(deep->str, "not valid JSON");
        g_string_free(deep, true);
}

static void test_round_trip(void) {
        ControlRequest in = { .verb = CONTROL_KILL, .signal = SIGKILL, .all = true, .interactive = true }, out;
        strcpy(in.id, "web");
        char *line = control_request_to_json(&in);
        g_assert_nonnull(line);
        g_assert_true(g_str_has_suffix(line, "\n"));
        accept_line(line, &out);
        g_assert_cmpint(memcmp(&in, &out, sizeof(in)), ==, 0);
        free(line);

        ControlReply rep = { .ok = false, .status = 1, .out = (char *) "a\"b\n", .error = (char *) "not authorized: x" }, back;
        line = control_reply_to_json(&rep);
        char *error = NULL;
        g_assert_cmpint(control_reply_parse(line, strlen(line), &back, &error), ==, 0);
        g_assert_false(back.ok);
        g_assert_cmpint(back.status, ==, 1);
        g_assert_cmpstr(back.out, ==, "a\"b\n");
        g_assert_null(back.err);
        g_assert_cmpstr(back.error, ==, "not authorized: x");
        control_reply_done(&back);
        free(line);
}

static void test_from_argv(void) {
        ControlRequest r;
        char *error = NULL;
        char *kill_argv[] = { "kill", "--all", "web", "KILL", NULL };
        g_assert_cmpint(control_request_from_argv(4, kill_argv, &r, &error), ==, 0);
        g_assert_cmpint(r.verb, ==, CONTROL_KILL);
        g_assert_cmpint(r.signal, ==, SIGKILL);
        g_assert_true(r.all);
        g_assert_cmpstr(r.id, ==, "web");
        char *delete_argv[] = { "delete", "-f", "db", NULL };
        g_assert_cmpint(control_request_from_argv(3, delete_argv, &r, &error), ==, 0);
        g_assert_true(r.force);
        /* Options after the id, as the verbs take them (runc's command line). */
        char *kill_after_argv[] = { "kill", "web", "HUP", "--wait", "-a", NULL };
        g_assert_cmpint(control_request_from_argv(5, kill_after_argv, &r, &error), ==, 0);
        g_assert_cmpint(r.signal, ==, SIGHUP);
        g_assert_true(r.all && r.wait);
        g_assert_cmpstr(r.id, ==, "web");
        char *delete_after_argv[] = { "delete", "db", "--force", NULL };
        g_assert_cmpint(control_request_from_argv(3, delete_after_argv, &r, &error), ==, 0);
        g_assert_true(r.force);
        g_assert_cmpstr(r.id, ==, "db");
        char *list_argv[] = { "list", "-f", "json", "-q", NULL };
        g_assert_cmpint(control_request_from_argv(4, list_argv, &r, &error), ==, 0);
        g_assert_true(r.json && r.quiet);
        char *create_argv[] = { "create", "web", NULL };
        g_assert_cmpint(control_request_from_argv(2, create_argv, &r, &error), ==, -EOPNOTSUPP);
        char *bad_argv[] = { "start", "web", "extra", NULL };
        g_assert_cmpint(control_request_from_argv(3, bad_argv, &r, &error), ==, -EINVAL);
        g_assert_nonnull(strstr(error, "unexpected argument"));
        free(error), error = NULL;
        char *badsig_argv[] = { "kill", "web", "NOPE", NULL };
        g_assert_cmpint(control_request_from_argv(3, badsig_argv, &r, &error), ==, -EINVAL);
        free(error), error = NULL;
        char *noid_argv[] = { "state", NULL };
        g_assert_cmpint(control_request_from_argv(1, noid_argv, &r, &error), ==, -EINVAL);
        free(error);
}

static void test_to_argv(void) {
        ControlRequest r = { .verb = CONTROL_KILL, .signal = 9, .all = true };
        strcpy(r.id, "web");
        char **argv = NULL;
        g_assert_cmpint(control_request_to_argv(&r, "/proc/self/exe", "/run/ctr-launch", &argv), ==, 0);
        char *joined = g_strjoinv(" ", argv);
        g_assert_cmpstr(joined, ==, "/proc/self/exe --root /run/ctr-launch kill --all -- web 9");
        g_free(joined);
        strv_free(argv);
        r = (ControlRequest) { .verb = CONTROL_LIST, .json = true };
        g_assert_cmpint(control_request_to_argv(&r, "x", "/run/ctr-launch", &argv), ==, 0);
        joined = g_strjoinv(" ", argv);
        g_assert_cmpstr(joined, ==, "x --root /run/ctr-launch list --format json");
        g_free(joined);
        strv_free(argv);
        r = (ControlRequest) { .verb = CONTROL_START };
        strcpy(r.id, "web");
        g_assert_cmpint(control_request_to_argv(&r, "x", "/run/ctr-launch", &argv), ==, 0);
        joined = g_strjoinv(" ", argv);
        g_assert_cmpstr(joined, ==, "x --root /run/ctr-launch start -- web");
        g_free(joined);
        strv_free(argv);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/control-request/accepts", test_accepts);
        g_test_add_func("/control-request/rejects", test_rejects);
        g_test_add_func("/control-request/round-trip", test_round_trip);
        g_test_add_func("/control-request/from-argv", test_from_argv);
        g_test_add_func("/control-request/to-argv", test_to_argv);
        return g_test_run();
}
