/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The default config.json of `ctr-launch spec`: runc's (libcontainer/specconv's example and
 * ToRootless), with the differences said below, so that scripts that edit runc's find the same
 * members. It must always pass oci_config_parse() (test-oci-config checks it, both variants). */

#include <stdio.h>
#include <unistd.h>

#include "oci-config.h"

/* runc's default, minus a terminal: `create` and `run -d` without --console-socket have no
 * pty to give. Also unlike runc's: the cgroup namespace whatever the host's cgroup layout (runc
 * adds it on unified hosts only), /sys/devices/virtual/powercap masked, ociVersion ours; and
 * --rootless keeps the network namespace (runc's shares the host's): lo only, but isolated. */
static const char default_config[] =
        "{\n"
        "  \"ociVersion\": \"1.2.0\",\n"
        "  \"process\": {\n"
        "    \"terminal\": false,\n"
        "    \"user\": { \"uid\": 0, \"gid\": 0 },\n"
        "    \"args\": [ \"sh\" ],\n"
        "    \"env\": [\n"
        "      \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
        "      \"TERM=xterm\"\n"
        "    ],\n"
        "    \"cwd\": \"/\",\n"
        "    \"capabilities\": {\n"
        "      \"bounding\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
        "      \"effective\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
        "      \"permitted\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ]\n"
        "    },\n"
        "    \"rlimits\": [ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 } ],\n"
        "    \"noNewPrivileges\": true\n"
        "  },\n"
        "  \"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"
        "  \"hostname\": \"ctr-launch\",\n"
        "  \"mounts\": [\n"
        "    { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
        "    { \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
        "      \"options\": [ \"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\" ] },\n"
        "    { \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"
        "      \"options\": [ \"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"%s ] },\n"
        "    { \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n"
        "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\" ] },\n"
        "    { \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\",\n"
        "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\" ] },\n"
        "    %s,\n"
        "    { \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\",\n"
        "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\" ] }\n"
        "  ],\n"
        "  \"linux\": {\n"
        "%s"
        "    \"namespaces\": [\n"
        "      { \"type\": \"pid\" },\n"
        "      { \"type\": \"network\" },\n"
        "      { \"type\": \"ipc\" },\n"
        "      { \"type\": \"uts\" },\n"
        "      { \"type\": \"mount\" },\n"
        "      { \"type\": \"cgroup\" }%s\n"
        "    ],\n"
        "    \"maskedPaths\": [\n"
        "      \"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", \"/proc/latency_stats\",\n"
        "      \"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\", \"/sys/firmware\",\n"
        "      \"/proc/scsi\", \"/sys/devices/virtual/powercap\"\n"
        "    ],\n"
        "    \"readonlyPaths\": [\n"
        "      \"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\"\n"
        "    ]\n"
        "  }\n"
        "}\n";

char *oci_config_default_json(bool rootless) {
        char *s = NULL, linux_head[256];
        if (rootless)
                /* The caller's own ids become root inside; more need /etc/subuid (newuidmap). */
                snprintf(linux_head, sizeof(linux_head),
                         "    \"uidMappings\": [ { \"containerID\": 0, \"hostID\": %u, \"size\": 1 } ],\n"
                         "    \"gidMappings\": [ { \"containerID\": 0, \"hostID\": %u, \"size\": 1 } ],\n",
                         (unsigned) geteuid(), (unsigned) getegid());
        else
                /* runc's: no device but the defaults every container gets
                 * (oci_resources_allow_devices). Rootless gets no linux.resources at all, as
                 * with runc: its cgroup may not be ours. */
                snprintf(linux_head, sizeof(linux_head),
                         "    \"resources\": {\n"
                         "      \"devices\": [ { \"allow\": false, \"access\": \"rwm\" } ]\n"
                         "    },\n");
        if (asprintf(&s, default_config,
                     /* gid=5 names a group that does not exist in a one-id user namespace */
                     rootless ? "" : ", \"gid=5\"",
                     /* a new sysfs needs a network namespace owned by our user namespace */
                     rootless ? "{ \"destination\": \"/sys\", \"type\": \"none\", \"source\": \"/sys\",\n"
                                "      \"options\": [ \"rbind\", \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] }"
                              : "{ \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\",\n"
                                "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] }",
                     linux_head,
                     rootless ? ",\n      { \"type\": \"user\" }" : "") < 0)
                return NULL;
        return s;
}
