/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json parsing: the default spec round-trips, and each kind of bad input is refused
 * with an error naming the field. */

#include <glib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "config-test.h"
#include "oci-config.h"

/* A valid minimal config plus extra members in process and at the top. process.user is root
 * unless the extra members set it. */
static char *config_with(const char *process_extra, const char *top_extra) {
        const char *user = strstr(process_extra, "\"user\"") ? "" : ", \"user\": {\"uid\": 0, \"gid\": 0}";
        return g_strdup_printf(
                "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"
                " \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"%s%s%s}"
                " %s%s}",
                user, *process_extra ? ", " : "", process_extra, *top_extra ? ", " : "", top_extra);
}

static void test_default_spec(void) {
        for (int rootless = 0; rootless <= 1; rootless++) {
                char *json = oci_config_default_json(rootless);
                g_assert_nonnull(json);
                OciConfig *c = config_parse_ok(json);
                g_assert_cmpstr(c->root_path, ==, "rootfs");
                g_assert_true(c->root_readonly);
                g_assert_cmpstr(c->process.args[0], ==, "sh");
                g_assert_false(c->process.terminal);
                g_assert_true(c->process.no_new_privileges);
                g_assert_cmpuint(c->n_mounts, ==, 7);
                g_assert_cmpstr(c->mounts[0].destination, ==, "/proc");
                g_assert_nonnull(oci_config_find_namespace(c, NAMESPACE_MOUNT));
                g_assert_nonnull(oci_config_find_namespace(c, NAMESPACE_PID));
                g_assert_true(!!oci_config_find_namespace(c, NAMESPACE_USER) == !!rootless);
                g_assert_cmpuint(c->n_uid_mappings, ==, rootless ? 1 : 0);
                g_assert_cmpuint(c->process.n_rlimits, ==, 1);
                g_assert_cmpint(c->process.rlimits[0].resource, ==, RLIMIT_NOFILE);
                /* CAP_KILL is 5 */
                g_assert_true(c->process.capabilities[CAP_SET_BOUNDING] & (UINT64_C(1) << 5));
                g_assert_cmpuint(c->process.capabilities[CAP_SET_INHERITABLE], ==, 0);
                /* runc's shape: a deny-all device rule, except rootless (no resources) */
                g_assert_nonnull(oci_config_find_namespace(c, NAMESPACE_NETWORK));
                g_assert_true(!!c->resources == !rootless);
                if (c->resources)
                        g_assert_cmpuint(c->resources->n_devices, ==, 1);
                oci_config_free(c);
                free(json);
        }
}

static void test_fields(void) {
        g_autofree char *doc = config_with(
                "\"env\": [\"A=1\", \"B=\"], \"terminal\": true, \"consoleSize\": {\"height\": 24, \"width\": 80},"
                " \"user\": {\"uid\": 1000, \"gid\": 100, \"umask\": 18, \"additionalGids\": [5, 6]},"
                " \"oomScoreAdj\": -500, \"capabilities\": {\"ambient\": [\"CAP_NET_RAW\", \"CAP_FUTURE_THING\"]}",
                "\"hostname\": \"h\", \"annotations\": {\"k\": \"v\"},"
                " \"mounts\": [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"./d\", \"options\": [\"rbind\", \"ro\"]}],"
                " \"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"network\", \"path\": \"/proc/1/ns/net\"}],"
                " \"rootfsPropagation\": \"rslave\", \"maskedPaths\": [\"/proc/kcore\"], \"resources\": {\"memory\": {}}}");
        OciConfig *c = config_parse_ok(doc);
        g_assert_cmpuint(c->process.uid, ==, 1000);
        g_assert_cmpuint(c->process.gid, ==, 100);
        g_assert_true(c->process.has_umask);
        g_assert_cmpuint(c->process.umask, ==, 022);
        g_assert_cmpuint(c->process.n_additional_gids, ==, 2);
        g_assert_cmpuint(c->process.additional_gids[1], ==, 6);
        g_assert_true(c->process.terminal);
        g_assert_cmpuint(c->process.console_height, ==, 24);
        g_assert_cmpint(c->process.oom_score_adj, ==, -500);
        g_assert_true(c->process.has_oom_score_adj);
        g_assert_cmpuint(c->process.capabilities[CAP_SET_AMBIENT], ==, UINT64_C(1) << 13); /* CAP_NET_RAW */
        g_assert_cmpuint(c->process.capabilities[CAP_SET_BOUNDING], ==, 0);
        g_assert_cmpstr(c->hostname, ==, "h");
        g_assert_cmpstr(c->annotations[0], ==, "k");
        g_assert_cmpstr(c->annotations[1], ==, "v");
        g_assert_cmpstr(c->mounts[0].options[1], ==, "ro");
        g_assert_cmpstr(oci_config_find_namespace(c, NAMESPACE_NETWORK)->path, ==, "/proc/1/ns/net");
        g_assert_null(oci_config_find_namespace(c, NAMESPACE_MOUNT)->path);
        g_assert_cmpstr(c->rootfs_propagation, ==, "rslave");
        g_assert_cmpstr(c->masked_paths[0], ==, "/proc/kcore");
        oci_config_free(c);
}

static void test_no_capabilities_means_none(void) {
        g_autofree char *doc = config_with("", "");
        OciConfig *c = config_parse_ok(doc);
        g_assert_false(c->process.has_capabilities);
        for (CapabilitySet set = 0; set < _CAP_SET_MAX; set++)
                g_assert_cmpuint(c->process.capabilities[set], ==, 0);
        oci_config_free(c);
}

static void test_bad(void) {
        static const struct {
                const char *process_extra, *top_extra, *error;
        } cases[] = {
                { "\"env\": [\"NOEQUALS\"]", "", "process.env[0]: must be NAME=VALUE" },
                { "\"env\": \"A=1\"", "", "process.env: must be an array" },
                { "\"env\": [1]", "", "process.env[0]: must be a string" },
                { "\"terminal\": \"yes\"", "", "process.terminal: must be true or false" },
                { "\"oomScoreAdj\": 1001", "", "process.oomScoreAdj: must be an integer from -1000 to 1000" },
                { "\"oomScoreAdj\": 1.5", "", "process.oomScoreAdj" },
                { "\"rlimits\": [{\"type\": \"RLIMIT_BOGUS\", \"soft\": 1, \"hard\": 1}]", "", "unknown rlimit \"RLIMIT_BOGUS\"" },
                { "\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 1}]", "", "soft limit above the hard limit" },
                { "\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1},"
                  " {\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1}]", "", "duplicate rlimit" },
                { "\"capabilities\": {\"bounding\": [\"SYS_ADMIN\"]}", "", "process.capabilities.bounding[0]: not a capability name" },
                { "\"capabilities\": {\"bounding\": [\"CAP_sys admin\"]}", "", "not a capability name" },
                { "\"capabilities\": []", "", "process.capabilities: must be an object" },
                { "\"selinuxLabel\": \"system_u:system_r:container_t:s0\"", "", "process.selinuxLabel: SELinux" },
                { "", "\"hostname\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", "hostname: longer than 64" },
                { "", "\"mounts\": [{\"destination\": \"data\"}]", "mounts[0].destination: must be an absolute path" },
                { "", "\"mounts\": [{\"type\": \"tmpfs\"}]", "mounts[0].destination: missing" },
                { "", "\"mounts\": [{\"destination\": \"/x\", \"options\": [\"bind\"]}]", "mounts[0].source: missing" },
                { "", "\"annotations\": {\"a\": 1}", "annotations.a: must be a string" },
                { "", "\"linux\": {\"namespaces\": [{\"type\": \"bogus\"}]}", "unknown namespace type \"bogus\"" },
                { "", "\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\"}]}", "duplicate namespace \"pid\"" },
                { "", "\"linux\": {\"namespaces\": [{\"type\": \"net\"}]}", "unknown namespace type" },
                { "", "\"linux\": {\"namespaces\": [{\"type\": \"network\", \"path\": \"proc/1/ns/net\"}]}", "linux.namespaces[0].path: must be an absolute path" },
                { "", "\"linux\": {\"maskedPaths\": [\"proc/kcore\"]}", "linux.maskedPaths[0]: must be an absolute path" },
                { "", "\"linux\": {\"rootfsPropagation\": \"sideways\"}", "unknown propagation \"sideways\"" },
                { "", "\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_NOTIFY\"}}", "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action" },
                { "", "\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 4294967295, \"size\": 2}]}", "range past" },
                { "", "\"hooks\": {\"prestart\": [{\"path\": \"bin/true\"}]}", "hooks.prestart[0].path: must be an absolute path" },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *doc = config_with(cases[i].process_extra, cases[i].top_extra);
                config_parse_bad(doc, cases[i].error);
        }
}

static void test_bad_documents(void) {
        static const struct {
                const char *doc, *error;
        } cases[] = {
                { "", "empty file" },
                { "[]", "must be a JSON object" },
                { "{", "unexpected end" },
                { "{\"ociVersion\": \"1.2.0\", \"ociVersion\": \"1.0.0\"}", "duplicate key \"ociVersion\"" },
                { "{}", "ociVersion: missing" },
                { "{\"ociVersion\": \"2.0.0\"}", "unsupported version" },
                { "{\"ociVersion\": \"1.2.0\"}", "root: missing" },
                { "{\"ociVersion\": \"1.2.0\", \"root\": {}}", "root.path: missing" },
                { "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"\"}}", "root.path: must not be empty" },
                { "{\"ociVersion\": \"1.2.0\", \"root\": \"rootfs\"}", "root: must be an object" },
                { "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"}}", "process: missing" },
                { "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"}, \"process\": {\"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}}}",
                  "process.args: must be a non-empty array of strings" },
                { "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": [], \"cwd\": \"/\"}}",
                  "process.args: must be a non-empty array of strings" },
                { "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"sh\"], \"cwd\": \"tmp\"}}",
                  "process.cwd: must be an absolute path" },
                { "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 4294967296, \"gid\": 0}}}",
                  "process.user.uid: must be an integer from 0 to 4294967294" },
                { "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 18446744073709551616, \"gid\": 0}}}",
                  "integer 18446744073709551616 out of range" },
                { "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": -1, \"gid\": 0}}}",
                  "process.user.uid: must be an integer" },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
                config_parse_bad(cases[i].doc, cases[i].error);

        /* Past the size limit, before any parsing. */
        size_t big = OCI_CONFIG_SIZE_MAX + 1;
        char *doc = g_malloc(big + 1);
        memset(doc, ' ', big);
        doc[0] = '{';
        doc[big - 1] = '}';
        doc[big] = 0;
        config_parse_bad(doc, "larger than 4 MiB");
        g_free(doc);
}

static void test_namespace_names(void) {
        for (int t = 0; t < _NAMESPACE_TYPE_MAX; t++) {
                g_assert_cmpint(namespace_type_from_string(namespace_type_to_string(t)), ==, t);
                g_assert_nonnull(namespace_type_to_proc_name(t));
                g_assert_cmpint(namespace_type_to_clone_flag(t), !=, 0);
        }
        g_assert_cmpint(namespace_type_from_string("net"), <, 0);
        g_assert_cmpstr(namespace_type_to_proc_name(NAMESPACE_NETWORK), ==, "net");
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/oci-config/default-spec", test_default_spec);
        g_test_add_func("/oci-config/fields", test_fields);
        g_test_add_func("/oci-config/no-capabilities", test_no_capabilities_means_none);
        g_test_add_func("/oci-config/bad-fields", test_bad);
        g_test_add_func("/oci-config/bad-documents", test_bad_documents);
        g_test_add_func("/oci-config/namespace-names", test_namespace_names);
        return g_test_run();
}
