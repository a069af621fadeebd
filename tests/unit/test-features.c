/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `features` against the parser: everything it lists, config.json may use (each mount option,
 * hook kind, namespace, capability, seccomp action, operator, architecture and supported flag
 * goes through oci_config_parse()), and what it says is disabled, the parser refuses. */

#include <stdio.h>

#include "lsm-util.h"
#include "json-util.h"
#include "config-test.h"
#include "runtime-features.h"

static JsonParser *parser;
static JsonObject *features;

static JsonObject *object_at(JsonObject *o, const char *name) {
        JsonObject *ret = NULL;
        g_assert_cmpint(json_get_object(o, name, NULL, true, &ret, NULL), ==, 1);
        return ret;
}

static char **strv_at(JsonObject *o, const char *name) {
        char **ret = NULL;
        g_assert_cmpint(json_get_strv(o, name, NULL, NULL, &ret, NULL), ==, 1);
        g_assert_nonnull(ret);
        g_assert_nonnull(ret[0]);
        return ret;
}

static bool enabled(JsonObject *o) {
        bool b = true;
        g_assert_cmpint(json_get_bool(o, "enabled", NULL, true, &b, NULL), ==, 1);
        return b;
}

/* A minimal valid config with `process_extra` in process and `extra` at the top. */
static char *config(const char *process_extra, const char *extra) {
        return g_strdup_printf("{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"
                               " \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"sh\"], \"cwd\": \"/\"%s%s}%s%s}",
                               *process_extra ? ", " : "", process_extra, *extra ? ", " : "", extra);
}

static void test_parses(void) {
        g_autofree char *json = runtime_features_json();
        g_assert_nonnull(json);
        g_autofree char *error = NULL;
        g_assert_cmpint(json_parse_object(json, SIZE_MAX, NULL, NULL, &parser, &features, &error), ==, 0);
        g_assert_null(error);

        for (const char *const *v = (const char *const[]) { "ociVersionMin", "ociVersionMax", NULL }; *v; v++) {
                g_autofree char *version = NULL;
                g_assert_cmpint(json_get_string(features, *v, NULL, true, &version, NULL), ==, 1);
                g_autofree char *doc = g_strdup_printf("{\"ociVersion\": \"%s\", \"root\": {\"path\": \"r\"},"
                                                       " \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"sh\"], \"cwd\": \"/\"}}", version);
                oci_config_free(config_parse_ok(doc));
        }
}

static void test_mount_options(void) {
        g_auto(GStrv) options = strv_at(features, "mountOptions");
        for (size_t i = 0; options[i]; i++) {
                char mount[256];
                snprintf(mount, sizeof(mount),
                         "\"mounts\": [{\"destination\": \"/m\", \"type\": \"tmpfs\", \"source\": \"/s\", \"options\": [\"%s\"]}]",
                         options[i]);
                g_autofree char *doc = config("", mount);
                OciConfig *c = config_parse_ok(doc);
                g_assert_cmpuint(c->n_mounts, ==, 1);
                oci_config_free(c);
        }
        /* and none is the filesystem's data: each is one the parser knows by name */
        g_assert_false(g_strv_contains((const char *const *) options, "mode=755"));
}

static void test_hooks(void) {
        g_auto(GStrv) hooks = strv_at(features, "hooks");
        g_assert_cmpuint(g_strv_length(hooks), ==, _HOOK_KIND_MAX);
        for (size_t i = 0; hooks[i]; i++) {
                g_autofree char *extra = g_strdup_printf("\"hooks\": {\"%s\": [{\"path\": \"/bin/true\"}]}", hooks[i]);
                g_autofree char *doc = config("", extra);
                OciConfig *c = config_parse_ok(doc);
                size_t n = 0;
                for (HookKind k = 0; k < _HOOK_KIND_MAX; k++)
                        n += c->hooks.n_hooks[k];
                g_assert_cmpuint(n, ==, 1);
                oci_config_free(c);
        }
        g_autofree char *doc = config("", "\"hooks\": {\"preStart\": [{\"path\": \"/bin/true\"}]}");
        config_parse_bad(doc, "unknown kind of hook");
}

static void test_namespaces(void) {
        g_auto(GStrv) ns = strv_at(object_at(features, "linux"), "namespaces");
        for (size_t i = 0; ns[i]; i++) {
                g_autofree char *extra = g_strdup_printf("\"linux\": {\"namespaces\": [{\"type\": \"%s\"}]}", ns[i]);
                g_autofree char *doc = config("", extra);
                oci_config_free(config_parse_ok(doc));
        }
}

static void test_capabilities(void) {
        g_auto(GStrv) caps = strv_at(object_at(features, "linux"), "capabilities");
        g_assert_cmpstr(caps[0], ==, "CAP_CHOWN");
        g_assert_true(g_strv_contains((const char *const *) caps, "CAP_SYS_ADMIN"));
        for (size_t i = 0; caps[i]; i++) {
                g_autofree char *extra = g_strdup_printf("\"capabilities\": {\"bounding\": [\"%s\"]}", caps[i]);
                g_autofree char *doc = config(extra, "");
                OciConfig *c = config_parse_ok(doc);
                /* known to the parser: a bit set, not a name skipped as too new */
                g_assert_cmpuint(c->process.capabilities[CAP_SET_BOUNDING], ==, UINT64_C(1) << i);
                oci_config_free(c);
        }
}

static char *seccomp_config(const char *seccomp) {
        g_autofree char *extra = g_strdup_printf("\"linux\": {\"seccomp\": {%s}}", seccomp);
        return config("", extra);
}

static void test_seccomp(void) {
        JsonObject *s = object_at(object_at(features, "linux"), "seccomp");
        g_assert_true(enabled(s));

        g_auto(GStrv) actions = strv_at(s, "actions");
        for (size_t i = 0; actions[i]; i++) {
                g_autofree char *sc = g_strdup_printf("\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/a\", "
                                                      "\"syscalls\": [{\"names\": [\"getpid\"], \"action\": \"%s\"}]", actions[i]);
                g_autofree char *doc = seccomp_config(sc);
                oci_config_free(config_parse_ok(doc));
        }
        /* SCMP_ACT_NOTIFY with its listener (runtime-spec's seccomp-notify protocol). */
        g_assert_true(g_strv_contains((const char *const *) actions, "SCMP_ACT_NOTIFY"));

        g_auto(GStrv) ops = strv_at(s, "operators");
        for (size_t i = 0; ops[i]; i++) {
                g_autofree char *sc = g_strdup_printf("\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
                                                      "[{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\","
                                                      " \"args\": [{\"index\": 1, \"value\": 9, \"op\": \"%s\"}]}]", ops[i]);
                g_autofree char *doc = seccomp_config(sc);
                oci_config_free(config_parse_ok(doc));
        }

        g_auto(GStrv) archs = strv_at(s, "archs");
        g_assert_true(g_strv_contains((const char *const *) archs, "SCMP_ARCH_X86_64"));
        for (size_t i = 0; archs[i]; i++) {
                g_autofree char *sc = g_strdup_printf("\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"%s\"]",
                                                      archs[i]);
                g_autofree char *doc = seccomp_config(sc);
                oci_config_free(config_parse_ok(doc));
        }

        g_auto(GStrv) known = strv_at(s, "knownFlags");
        char **supported = NULL;
        g_assert_cmpint(json_get_strv(s, "supportedFlags", NULL, NULL, &supported, NULL), ==, 1);
        for (size_t i = 0; supported[i]; i++) {
                g_assert_true(g_strv_contains((const char *const *) known, supported[i]));
                g_autofree char *sc = g_strdup_printf("\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"%s\"]", supported[i]);
                g_autofree char *doc = seccomp_config(sc);
                oci_config_free(config_parse_ok(doc));
        }
        /* A known flag that is not supported is refused by name, never "unknown". */
        for (size_t i = 0; known[i]; i++) {
                if (g_strv_contains((const char *const *) supported, known[i]))
                        continue;
                g_autofree char *sc = g_strdup_printf("\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"%s\"]", known[i]);
                g_autofree char *doc = seccomp_config(sc);
                OciConfig *c = NULL;
                g_autofree char *error = NULL;
                if (oci_config_parse(doc, strlen(doc), &c, &error) >= 0) {
                        oci_config_free(c); /* libseccomp knows it; the kernel may still refuse it */
                        continue;
                }
                g_assert_null(strstr(error, "unknown flag"));
        }
        g_strfreev(supported);
}

/* What features says is disabled, the parser refuses; the LSMs are as the host has them. */
static void test_disabled(void) {
        JsonObject *l = object_at(features, "linux");
        g_assert_cmpint(enabled(object_at(l, "apparmor")), ==, lsm_apparmor_enabled());
        g_autofree char *aa = config("\"apparmorProfile\": \"x\"", "");
        if (lsm_apparmor_enabled())
                oci_config_free(config_parse_ok(aa));
        else
                config_parse_bad(aa, "process.apparmorProfile: AppArmor is not enabled on this host");
        g_assert_cmpint(enabled(object_at(l, "selinux")), ==, lsm_selinux_enabled());
        g_autofree char *se = config("\"selinuxLabel\": \"system_u:system_r:container_t:s0\"", "");
        if (lsm_selinux_enabled())
                oci_config_free(config_parse_ok(se));
        else
                config_parse_bad(se, "process.selinuxLabel: SELinux is not enabled on this host");
        g_assert_false(enabled(object_at(l, "intelRdt")));
        g_autofree char *rdt = config("", "\"linux\": {\"intelRdt\": {\"closID\": \"x\"}}");
        config_parse_bad(rdt, "linux.intelRdt");

        bool rdma = true;
        g_assert_cmpint(json_get_bool(object_at(l, "cgroup"), "rdma", NULL, true, &rdma, NULL), ==, 1);
        g_assert_false(rdma);
        g_autofree char *rd = config("", "\"linux\": {\"resources\": {\"rdma\": {\"mlx5_1\": {\"hcaHandles\": 3}}}}");
        config_parse_bad(rd, "rdma");

        g_assert_false(enabled(object_at(object_at(l, "mountExtensions"), "idmap")));
        g_autofree char *im = config("", "\"mounts\": [{\"destination\": \"/m\", \"type\": \"bind\", \"source\": \"/s\","
                                         " \"options\": [\"rbind\"], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]}]");
        config_parse_bad(im, "mounts[0].uidMappings");
        g_autofree char *io = config("", "\"mounts\": [{\"destination\": \"/m\", \"type\": \"bind\", \"source\": \"/s\","
                                         " \"options\": [\"rbind\", \"idmap\"]}]");
        config_parse_bad(io, "idmap");
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/features/parses", test_parses);
        g_test_add_func("/features/mount-options", test_mount_options);
        g_test_add_func("/features/hooks", test_hooks);
        g_test_add_func("/features/namespaces", test_namespaces);
        g_test_add_func("/features/capabilities", test_capabilities);
        g_test_add_func("/features/seccomp", test_seccomp);
        g_test_add_func("/features/disabled", test_disabled);
        int r = g_test_run();
        g_clear_object(&parser);
        return r;
}
