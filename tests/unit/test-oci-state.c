/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* state.json encoding round trips and refuses what it did not write; the OCI document. */

#include <glib.h>
#include <string.h>

#include "strv.h"
#include "oci-state.h"

static ContainerState sample(void) {
        ContainerState s = {
                .id = strdup("app"),
                .pid = 4242,
                .pid_starttime = 123456789,
                .bundle = strdup("/var/lib/ctr-launch/app"),
                .rootfs = strdup("/var/lib/ctr-launch/app/rootfs"),
                .created = strdup("2026-11-24T15:17:02.000000001Z"),
                .owner = 0,
                .creating = false,
        };
        g_assert_cmpint(strv_extend(&s.annotations, "org.example/key"), ==, 0);
        g_assert_cmpint(strv_extend(&s.annotations, "va\"lue\n"), ==, 0);
        return s;
}

static void test_round_trip(void) {
        ContainerState s = sample(), t = {};
        g_autofree char *json = NULL;
        g_assert_cmpint(oci_state_to_json(&s, &json), ==, 0);
        g_assert_cmpint(oci_state_from_json(json, &t), ==, 0);
        g_assert_cmpstr(t.id, ==, s.id);
        g_assert_cmpint(t.pid, ==, s.pid);
        g_assert_cmpuint(t.pid_starttime, ==, s.pid_starttime);
        g_assert_cmpstr(t.bundle, ==, s.bundle);
        g_assert_cmpstr(t.rootfs, ==, s.rootfs);
        g_assert_cmpstr(t.created, ==, s.created);
        g_assert_false(t.creating);
        g_assert_cmpuint(strv_length(t.annotations), ==, 2);
        g_assert_cmpstr(t.annotations[1], ==, "va\"lue\n");
        g_assert_null(t.invocation);
        oci_state_done(&t);

        /* The run of a systemd unit that made it, when there was one. */
        s.invocation = g_strdup("0123456789abcdef0123456789abcdef");
        g_clear_pointer(&json, g_free);
        g_assert_cmpint(oci_state_to_json(&s, &json), ==, 0);
        g_assert_cmpint(oci_state_from_json(json, &t), ==, 0);
        g_assert_cmpstr(t.invocation, ==, s.invocation);
        oci_state_done(&s);
        oci_state_done(&t);
}

static void test_rejects(void) {
        static const char *const bad[] = {
                "",
                "{",
                "[]",
                "{}",
                /* truncated mid-write (cannot happen with rename, but a disk can lie) */
                "{\"id\":\"app\",\"pid\":42,\"pidStartTime\":1,\"bundle\":\"/b\",\"rootfs\":\"/b/r",
                /* wrong types */
                "{\"id\":\"app\",\"pid\":\"42\",\"pidStartTime\":1,\"bundle\":\"/b\",\"rootfs\":\"/r\",\"created\":\"x\",\"owner\":0,\"creating\":false}",
                "{\"id\":\"app\",\"pid\":-1,\"pidStartTime\":1,\"bundle\":\"/b\",\"rootfs\":\"/r\",\"created\":\"x\",\"owner\":0,\"creating\":false}",
                "{\"id\":\"app\",\"pid\":1,\"pidStartTime\":1,\"bundle\":\"/b\",\"rootfs\":\"/r\",\"created\":\"x\",\"owner\":0}",
        };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                ContainerState t = {};
                g_assert_cmpint(oci_state_from_json(bad[i], &t), ==, -EBADMSG);
        }
}

static void test_oci_document(void) {
        ContainerState s = sample();
        g_autofree char *running = oci_state_to_oci_json(&s, STATUS_RUNNING);
        g_autofree char *stopped = oci_state_to_oci_json(&s, STATUS_STOPPED);
        g_assert_nonnull(strstr(running, "\"status\" : \"running\""));
        g_assert_nonnull(strstr(running, "\"pid\" : 4242"));
        g_assert_nonnull(strstr(running, "\"ociVersion\""));
        g_assert_nonnull(strstr(running, "\"created\" : \"2026-11-24T15:17:02.000000001Z\""));
        g_assert_nonnull(strstr(running, "\"owner\" : \"root\""));
        g_assert_nonnull(strstr(running, "\"org.example/key\""));
        /* A stopped container's PID may belong to someone else by now. */
        g_assert_nonnull(strstr(stopped, "\"pid\" : 0"));
        g_assert_null(strstr(running, "pidStartTime"));
        oci_state_done(&s);
}

/* Each entry of the list names its own owner: one look-up per owner, again when it changes
 * (uid 4294967294 has no name here: its number). */
static void test_list_owners(void) {
        ContainerState s[4] = { sample(), sample(), sample(), sample() };
        ContainerStatus st[4] = { STATUS_RUNNING, STATUS_RUNNING, STATUS_CREATED, STATUS_STOPPED };
        s[1].owner = 4294967294U;
        s[2].owner = 4294967294U;
        g_autofree char *list = oci_state_list_to_json(s, st, 4);
        g_assert_nonnull(list);
        const char *p = list;
        static const char *const want[] = { "\"owner\" : \"root\"", "\"owner\" : \"4294967294\"",
                                             "\"owner\" : \"4294967294\"", "\"owner\" : \"root\"" };
        for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
                const char *next = strstr(p, "\"owner\"");
                g_assert_nonnull(next);
                g_assert_cmpint(strncmp(next, want[i], strlen(want[i])), ==, 0);
                p = next + 1;
        }
        g_assert_null(strstr(p, "\"owner\""));
        for (size_t i = 0; i < G_N_ELEMENTS(s); i++)
                oci_state_done(&s[i]);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/oci-state/round-trip", test_round_trip);
        g_test_add_func("/oci-state/rejects", test_rejects);
        g_test_add_func("/oci-state/oci-document", test_oci_document);
        g_test_add_func("/oci-state/list-owners", test_list_owners);
        return g_test_run();
}
