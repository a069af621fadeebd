/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `features`: every list comes from the table the config parser or the init uses (hook kinds,
 * namespaces, mount options, seccomp names, libcap-ng's capabilities up to the kernel's last),
 * so that it cannot claim what `create` refuses. What the parser refuses outright (Intel RDT,
 * RDMA limits, idmapped mounts) is reported as disabled, and AppArmor and SELinux as the host
 * has them (lsm-util.h); test-features checks both against the parser. */

#include <cap-ng.h>
#include <seccomp.h>
#include <stdio.h>

#include "lsm-util.h"
#include "json-util.h"
#include "proc-util.h"
#include "oci-config.h"
#include "mount-opts.h"
#include "container.h"
#include "runtime-features.h"
#include "notify.h"
#include "pam-session.h"

static void add_names(JsonBuilder *b, const char *name, const char *(*get)(size_t i)) {
        json_builder_set_member_name(b, name);
        json_builder_begin_array(b);
        for (size_t i = 0; get(i); i++)
                json_builder_add_string_value(b, get(i));
        json_builder_end_array(b);
}

static const char *hook_name(size_t i) {
        return i < _HOOK_KIND_MAX ? hook_kind_to_string((HookKind) i) : NULL;
}

static const char *namespace_name(size_t i) {
        return i < _NAMESPACE_TYPE_MAX ? namespace_type_to_string((NamespaceType) i) : NULL;
}

static const char *flag_name(size_t i) {
        return oci_seccomp_flag_name(i, NULL);
}

static void add_bool_object(JsonBuilder *b, const char *name, const char *member, bool value) {
        json_builder_set_member_name(b, name);
        json_builder_begin_object(b);
        json_add_bool(b, member, value);
        json_builder_end_object(b);
}

/* process.capabilities: the names libcap-ng resolves (the parser's lookup), up to the running
 * kernel's last capability: the init drops higher ones. */
static void add_capabilities(JsonBuilder *b) {
        json_builder_set_member_name(b, "capabilities");
        json_builder_begin_array(b);
        for (int c = 0; c <= proc_cap_last_cap(); c++) {
                const char *n = capng_capability_to_name((unsigned) c);
                if (!n || capng_name_to_capability(n) != c)
                        continue;
                char name[64] = "CAP_";
                size_t k = 4;
                for (; *n && k < sizeof(name) - 1; n++)
                        name[k++] = *n >= 'a' && *n <= 'z' ? (char) (*n - 'a' + 'A') : *n;
                name[k] = 0;
                json_builder_add_string_value(b, name);
        }
        json_builder_end_array(b);
}

static void add_seccomp(JsonBuilder *b) {
        json_builder_set_member_name(b, "seccomp");
        json_builder_begin_object(b);
        json_add_bool(b, "enabled", true);
        add_names(b, "actions", oci_seccomp_action_name);
        add_names(b, "operators", oci_seccomp_operator_name);

        json_builder_set_member_name(b, "archs");
        json_builder_begin_array(b);
        char arch[OCI_SECCOMP_ARCH_NAME_MAX];
        int r;
        for (size_t i = 0; (r = oci_seccomp_arch_name(i, arch)) >= 0; i++)
                if (r > 0)
                        json_builder_add_string_value(b, arch);
        json_builder_end_array(b);

        add_names(b, "knownFlags", flag_name);
        json_builder_set_member_name(b, "supportedFlags");
        json_builder_begin_array(b);
        const char *name;
        bool supported;
        for (size_t i = 0; (name = oci_seccomp_flag_name(i, &supported)); i++)
                if (supported)
                        json_builder_add_string_value(b, name);
        json_builder_end_array(b);
        json_builder_end_object(b);
}

static void add_linux(JsonBuilder *b) {
        json_builder_set_member_name(b, "linux");
        json_builder_begin_object(b);
        add_names(b, "namespaces", namespace_name);
        add_capabilities(b);

        /* The drivers of src/cgroup: v1, v2, and systemd's system and user managers
         * (--systemd-cgroup). RDMA limits are refused. */
        json_builder_set_member_name(b, "cgroup");
        json_builder_begin_object(b);
        json_add_bool(b, "v1", true);
        json_add_bool(b, "v2", true);
        json_add_bool(b, "systemd", true);
        json_add_bool(b, "systemdUser", true);
        json_add_bool(b, "rdma", false);
        json_builder_end_object(b);

        add_seccomp(b);
        /* Labels are applied where the host's LSM is there, refused where not
         * (oci-config-extras.c); linux.intelRdt is refused (oci-config.c). */
        add_bool_object(b, "apparmor", "enabled", lsm_apparmor_enabled());
        add_bool_object(b, "selinux", "enabled", lsm_selinux_enabled());
        add_bool_object(b, "intelRdt", "enabled", false);

        /* mounts[].uidMappings and the idmap options are refused. */
        json_builder_set_member_name(b, "mountExtensions");
        json_builder_begin_object(b);
        add_bool_object(b, "idmap", "enabled", false);
        json_builder_end_object(b);
        json_builder_end_object(b);
}

char *runtime_features_json(void) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_add_string(b, "ociVersionMin", OCI_VERSION_MIN);
        json_add_string(b, "ociVersionMax", OCI_VERSION_MAX);
        add_names(b, "hooks", hook_name);
        add_names(b, "mountOptions", mount_option_name);
        add_linux(b);

        const struct scmp_version *v = seccomp_version();
        char libseccomp[48];
        snprintf(libseccomp, sizeof(libseccomp), "%u.%u.%u", v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0);
        json_builder_set_member_name(b, "annotations");
        json_builder_begin_object(b);
        json_add_string(b, "io.github.seccomp.libseccomp.version", libseccomp);
        json_add_string(b, "org.ctr-launch.checkpoint.enabled", "false");
        json_add_string(b, "org.ctr-launch.version", CTR_LAUNCH_VERSION);
        json_builder_end_object(b);

        /* The config annotations that change what ctr-launch does: readiness, the PAM
         * session's account, and kill's default signal. */
        json_builder_set_member_name(b, "potentiallyUnsafeConfigAnnotations");
        json_builder_begin_array(b);
        json_builder_add_string_value(b, READINESS_ANNOTATION);
        json_builder_add_string_value(b, PAM_USER_ANNOTATION);
        json_builder_add_string_value(b, STOP_SIGNAL_ANNOTATION);
        json_builder_end_array(b);

        json_builder_end_object(b);
        return json_builder_text(b, JSON_TEXT_PRETTY | JSON_TEXT_NEWLINE);
}
