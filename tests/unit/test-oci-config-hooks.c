/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json's `hooks`: every kind, each member, the copy for the state dir read back, and
 * each refusal with the field named in the one-line error. */

#include <glib.h>
#include <string.h>

#include "config-test.h"
#include "oci-config.h"

static char *config_with(const char *hooks) {
        return g_strdup_printf("{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"
                               " \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}},"
                               " \"hooks\": %s}",
                               hooks);
}

static OciConfig *parse_ok(const char *hooks) {
        g_autofree char *doc = config_with(hooks);
        return config_parse_ok(doc);
}

static void parse_bad(const char *hooks, const char *expected) {
        g_autofree char *doc = config_with(hooks);
        config_parse_bad(doc, expected);
}

static const char all_kinds[] =
        "{\"prestart\": [{\"path\": \"/bin/pre\"}],"
        " \"createRuntime\": [{\"path\": \"/bin/cr\", \"args\": [\"cr\", \"--x\", \"a b\"], \"env\": [\"A=1\", \"B=\"],"
        "   \"timeout\": 5}, {\"path\": \"/bin/cr2\", \"args\": []}],"
        " \"createContainer\": [{\"path\": \"/bin/cc\"}],"
        " \"startContainer\": [{\"path\": \"/bin/sc\"}],"
        " \"poststart\": [{\"path\": \"/bin/ps\", \"timeout\": 1}],"
        " \"poststop\": [{\"path\": \"/bin/pst\", \"env\": []}]}";

static void check_all_kinds(const OciHooks *h) {
        static const char *const paths[_HOOK_KIND_MAX] = { "/bin/pre", "/bin/cr", "/bin/cc", "/bin/sc", "/bin/ps", "/bin/pst" };
        for (HookKind k = 0; k < _HOOK_KIND_MAX; k++) {
                g_assert_cmpuint(h->n_hooks[k], ==, k == HOOK_CREATE_RUNTIME ? 2 : 1);
                g_assert_cmpstr(h->hooks[k][0].path, ==, paths[k]);
        }
        const OciHook *cr = h->hooks[HOOK_CREATE_RUNTIME];
        g_assert_nonnull(cr[0].args);
        g_assert_cmpstr(cr[0].args[0], ==, "cr");
        g_assert_cmpstr(cr[0].args[2], ==, "a b");
        g_assert_null(cr[0].args[3]);
        g_assert_cmpstr(cr[0].env[0], ==, "A=1");
        g_assert_cmpstr(cr[0].env[1], ==, "B=");
        g_assert_null(cr[0].env[2]);
        g_assert_cmpint(cr[0].timeout, ==, 5);
        /* Empty args: argv is the path alone, as when absent. */
        g_assert_null(cr[1].args);
        g_assert_null(cr[1].env);
        g_assert_cmpint(cr[1].timeout, ==, 0);
        g_assert_cmpint(h->hooks[HOOK_POSTSTART][0].timeout, ==, 1);
        /* An empty env stays empty (not "inherit"). */
        g_assert_nonnull(h->hooks[HOOK_POSTSTOP][0].env);
        g_assert_null(h->hooks[HOOK_POSTSTOP][0].env[0]);
}

static void test_kinds(void) {
        OciConfig *c = parse_ok(all_kinds);
        check_all_kinds(&c->hooks);
        g_assert_cmpstr(hook_kind_to_string(HOOK_START_CONTAINER), ==, "startContainer");
        oci_config_free(c);

        c = parse_ok("{}");
        for (HookKind k = 0; k < _HOOK_KIND_MAX; k++)
                g_assert_cmpuint(c->hooks.n_hooks[k], ==, 0);
        oci_config_free(c);
        c = parse_ok("{\"poststop\": [], \"prestart\": null}");
        g_assert_cmpuint(c->hooks.n_hooks[HOOK_POSTSTOP], ==, 0);
        oci_config_free(c);
        c = parse_ok("null");
        oci_config_free(c);
}

static void test_round_trip(void) {
        OciConfig *c = parse_ok(all_kinds);
        g_autofree char *json = oci_hooks_to_json(&c->hooks);
        g_assert_nonnull(json);
        OciHooks h = {};
        char *error = NULL;
        g_assert_cmpint(oci_hooks_from_json(json, &h, &error), ==, 0);
        g_assert_null(error);
        check_all_kinds(&h);
        oci_hooks_done(&h);
        oci_config_free(c);

        g_assert_cmpint(oci_hooks_from_json("{\"hooks\": {\"poststop\": [{\"path\": \"x\"}]}}", &h, &error), <, 0);
        g_assert_nonnull(strstr(error, "hooks.poststop[0].path: must be an absolute path"));
        free(error);
        error = NULL;
        g_assert_cmpint(oci_hooks_from_json("{\"hooks\": ", &h, &error), ==, -EBADMSG);
        free(error);
}

static void test_bad(void) {
        parse_bad("[]", "hooks: must be an object");
        parse_bad("{\"createRuntime\": {}}", "hooks.createRuntime: must be an array");
        parse_bad("{\"createRuntime\": [\"/bin/true\"]}", "hooks.createRuntime[0]: must be an object");
        parse_bad("{\"createRuntime\": [{\"args\": [\"x\"]}]}", "hooks.createRuntime[0].path: missing");
        parse_bad("{\"createRuntime\": [{\"path\": \"bin/true\"}]}", "hooks.createRuntime[0].path: must be an absolute path");
        parse_bad("{\"createRuntime\": [{\"path\": \"\"}]}", "hooks.createRuntime[0].path: must be an absolute path");
        parse_bad("{\"poststop\": [{\"path\": 1}]}", "hooks.poststop[0].path: must be a string");
        parse_bad("{\"poststart\": [{\"path\": \"/x\"}, {\"path\": \"/y\", \"args\": [1]}]}", "hooks.poststart[1].args[0]: must be a string");
        parse_bad("{\"prestart\": [{\"path\": \"/x\", \"args\": \"x\"}]}", "hooks.prestart[0].args: must be an array");
        parse_bad("{\"startContainer\": [{\"path\": \"/x\", \"env\": [\"NOEQUALS\"]}]}", "hooks.startContainer[0].env[0]: must be NAME=VALUE");
        parse_bad("{\"startContainer\": [{\"path\": \"/x\", \"env\": [\"=v\"]}]}", "hooks.startContainer[0].env[0]");
        parse_bad("{\"createContainer\": [{\"path\": \"/x\", \"timeout\": 0}]}", "hooks.createContainer[0].timeout: must be an integer from 1");
        parse_bad("{\"createContainer\": [{\"path\": \"/x\", \"timeout\": -3}]}", "hooks.createContainer[0].timeout");
        parse_bad("{\"createContainer\": [{\"path\": \"/x\", \"timeout\": 1.5}]}", "hooks.createContainer[0].timeout");
        parse_bad("{\"createContainer\": [{\"path\": \"/x\", \"timeout\": \"5\"}]}", "hooks.createContainer[0].timeout");
        parse_bad("{\"createContainer\": [{\"path\": \"/x\", \"timeout\": 99999999999}]}", "hooks.createContainer[0].timeout");
        parse_bad("{\"poststop\": [], \"postStop\": []}", "hooks.postStop: unknown kind of hook");
        parse_bad("{\"prestart\": [{\"path\": \"/x\\nmore\"}], \"x\": 1}", "hooks.x: unknown kind");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/oci-config-hooks/kinds", test_kinds);
        g_test_add_func("/oci-config-hooks/round-trip", test_round_trip);
        g_test_add_func("/oci-config-hooks/bad", test_bad);
        return g_test_run();
}
