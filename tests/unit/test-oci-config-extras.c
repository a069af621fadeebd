/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The config sections of oci-config-extras.c: linux.devices, linux.sysctl, linux.personality,
 * process.ioPriority, scheduler, execCPUAffinity and the LSM labels; each accepted form and
 * each refusal, with the field named in the one-line error. */

#include <glib.h>
#include <sched.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/stat.h>

#include "lsm-util.h"
#include "parse-util.h"
#include "config-test.h"
#include "oci-config.h"

#define NS_ALL "\"namespaces\": [{\"type\": \"ipc\"}, {\"type\": \"network\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}]"

static char *config_with(const char *process_extra, const char *linux_members) {
        return g_strdup_printf("{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"
                               " \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}%s%s},"
                               " \"linux\": {%s}}",
                               *process_extra ? ", " : "", process_extra, linux_members);
}

static void parse_bad(const char *process_extra, const char *linux_members, const char *expected) {
        g_autofree char *doc = config_with(process_extra, linux_members);
        config_parse_bad(doc, expected);
}

static void test_devices(void) {
        g_autofree char *doc = config_with("",
                "\"devices\": [{\"type\": \"c\", \"path\": \"/dev/mydev\", \"major\": 1, \"minor\": 3, \"fileMode\": 384,"
                " \"uid\": 1000, \"gid\": 100}, {\"type\": \"p\", \"path\": \"/dev/sub//fifo\"},"
                " {\"type\": \"b\", \"path\": \"/dev/loop9\", \"major\": 7, \"minor\": 9, \"fileMode\": 25008}]");
        OciConfig *c = config_parse_ok(doc);
        g_assert_cmpuint(c->n_devices, ==, 3);
        g_assert_cmpstr(c->devices[0].path, ==, "/dev/mydev");
        g_assert_cmpuint(c->devices[0].type, ==, S_IFCHR);
        g_assert_cmpuint(c->devices[0].major, ==, 1);
        g_assert_cmpuint(c->devices[0].minor, ==, 3);
        g_assert_cmpuint(c->devices[0].file_mode, ==, 0600);
        g_assert_cmpuint(c->devices[0].uid, ==, 1000);
        g_assert_cmpuint(c->devices[0].gid, ==, 100);
        g_assert_cmpstr(c->devices[1].path, ==, "/dev/sub/fifo");
        g_assert_cmpuint(c->devices[1].type, ==, S_IFIFO);
        g_assert_cmpuint(c->devices[1].file_mode, ==, 0666);
        g_assert_cmpuint(c->devices[2].type, ==, S_IFBLK);
        /* S_IFBLK | 0660: the type bits are dropped, as runc does. */
        g_assert_cmpuint(c->devices[2].file_mode, ==, 0660);
        oci_config_free(c);

        parse_bad("", "\"devices\": [{\"type\": \"x\", \"path\": \"/dev/a\", \"major\": 1, \"minor\": 1}]",
                  "linux.devices[0].type: unknown device type \"x\"");
        parse_bad("", "\"devices\": [{\"type\": \"c\", \"path\": \"dev/a\", \"major\": 1, \"minor\": 1}]",
                  "linux.devices[0].path: must be an absolute path");
        parse_bad("", "\"devices\": [{\"type\": \"c\", \"path\": \"/\", \"major\": 1, \"minor\": 1}]",
                  "linux.devices[0].path: must be a path below /");
        parse_bad("", "\"devices\": [{\"type\": \"c\", \"path\": \"/dev/../etc/a\", \"major\": 1, \"minor\": 1}]",
                  "linux.devices[0].path: must be a path below / without \"..\"");
        parse_bad("", "\"devices\": [{\"type\": \"c\", \"path\": \"/dev/x/../y\", \"major\": 1, \"minor\": 1}]",
                  "without \"..\"");
        parse_bad("", "\"devices\": [{\"type\": \"c\", \"path\": \"/dev/a\", \"minor\": 1}]",
                  "linux.devices[0].major: missing");
        parse_bad("", "\"devices\": [{\"type\": \"c\", \"path\": \"/dev/a\", \"major\": 1, \"minor\": -1}]",
                  "linux.devices[0].minor: must be an integer");
        parse_bad("", "\"devices\": [{\"type\": \"c\", \"path\": \"/dev/a\", \"major\": 1, \"minor\": 1, \"fileMode\": 65536}]",
                  "linux.devices[0].fileMode");
        parse_bad("", "\"devices\": [{\"type\": \"c\", \"path\": \"/dev/a\", \"major\": 1, \"minor\": 1, \"uid\": \"0\"}]",
                  "linux.devices[0].uid: must be an integer");
        parse_bad("", "\"devices\": [{\"type\": \"p\", \"path\": \"/dev/a\"}, {\"type\": \"p\", \"path\": \"/dev//a\"}]",
                  "linux.devices[1].path: \"/dev/a\" listed twice");
        parse_bad("", "\"devices\": {}", "linux.devices: must be an array");
        parse_bad("", "\"devices\": [1]", "linux.devices[0]: must be an object");
}

static void test_sysctl(void) {
        g_autofree char *doc = config_with("", NS_ALL ", \"sysctl\": {\"kernel.shmmax\": \"65536\", \"net.ipv4.ip_forward\": \"1\","
                                               " \"kernel.domainname\": \"example\", \"fs.mqueue.msg_max\": \"12\","
                                               " \"kernel.sem\": \"1 2 3 4\"}");
        OciConfig *c = config_parse_ok(doc);
        g_assert_cmpstr(c->sysctl[0], ==, "kernel.shmmax");
        g_assert_cmpstr(c->sysctl[1], ==, "65536");
        g_assert_cmpstr(c->sysctl[3], ==, "1");
        g_assert_cmpstr(c->sysctl[4], ==, "kernel.domainname");
        g_assert_null(c->sysctl[10]);
        oci_config_free(c);

        parse_bad("", NS_ALL ", \"sysctl\": {\"vm.swappiness\": \"10\"}", "linux.sysctl: \"vm.swappiness\" is not namespaced");
        parse_bad("", NS_ALL ", \"sysctl\": {\"kernel.pid_max\": \"10\"}", "\"kernel.pid_max\" is not namespaced");
        parse_bad("", "\"namespaces\": [{\"type\": \"mount\"}], \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}",
                  "linux.sysctl: \"net.ipv4.ip_forward\" needs a new network namespace");
        parse_bad("", "\"namespaces\": [{\"type\": \"ipc\", \"path\": \"/proc/1/ns/ipc\"}], \"sysctl\": {\"kernel.shmmax\": \"1\"}",
                  "needs a new ipc namespace, not the joined /proc/1/ns/ipc");
        parse_bad("", "\"namespaces\": [{\"type\": \"ipc\"}], \"sysctl\": {\"kernel.hostname\": \"x\"}",
                  "\"kernel.hostname\" needs a new uts namespace");
        parse_bad("", NS_ALL ", \"sysctl\": {\"net.ipv4..x\": \"1\"}", "linux.sysctl: invalid key \"net.ipv4..x\"");
        parse_bad("", NS_ALL ", \"sysctl\": {\"net/ipv4/ip_forward\": \"1\"}", "invalid key");
        parse_bad("", NS_ALL ", \"sysctl\": {\"net.\": \"1\"}", "invalid key");
        parse_bad("", NS_ALL ", \"sysctl\": {\"net.ipv4.ip_forward\": 1}", "linux.sysctl.net.ipv4.ip_forward: must be a string");
        parse_bad("", NS_ALL ", \"sysctl\": []", "linux.sysctl: must be an object");
}

static void test_personality(void) {
        g_autofree char *doc = config_with("", "\"personality\": {\"domain\": \"LINUX32\", \"flags\": []}");
        OciConfig *c = config_parse_ok(doc);
        g_assert_true(c->personality.set);
        g_assert_cmpuint(c->personality.persona, ==, PER_LINUX32);
        oci_config_free(c);
        parse_bad("", "\"personality\": {\"domain\": \"BSD\"}", "linux.personality.domain: unknown domain \"BSD\"");
        parse_bad("", "\"personality\": {}", "linux.personality.domain: missing");
        parse_bad("", "\"personality\": {\"domain\": \"LINUX\", \"flags\": [\"X\"]}", "linux.personality.flags: unknown flag");
}

static void test_process_extras(void) {
        g_autofree char *doc = config_with(
                "\"ioPriority\": {\"class\": \"IOPRIO_CLASS_IDLE\", \"priority\": 7},"
                " \"scheduler\": {\"policy\": \"SCHED_BATCH\", \"nice\": 5, \"flags\": [\"SCHED_FLAG_RESET_ON_FORK\"]},"
                " \"execCPUAffinity\": {\"initial\": \"0-1,3\", \"final\": \"0\"}",
                "");
        OciConfig *c = config_parse_ok(doc);
        g_assert_true(c->process.io_priority.set);
        g_assert_cmpint(c->process.io_priority.class, ==, 3);
        g_assert_cmpint(c->process.io_priority.priority, ==, 7);
        g_assert_true(c->process.scheduler.set);
        g_assert_cmpuint(c->process.scheduler.policy, ==, SCHED_BATCH);
        g_assert_cmpint(c->process.scheduler.nice, ==, 5);
        g_assert_cmpuint(c->process.scheduler.flags, ==, 1);
        g_assert_cmpstr(c->process.cpu_affinity_initial, ==, "0-1,3");
        g_assert_cmpstr(c->process.cpu_affinity_final, ==, "0");
        oci_config_free(c);

        g_autofree char *dl = config_with("\"scheduler\": {\"policy\": \"SCHED_DEADLINE\", \"runtime\": 1000000,"
                                          " \"deadline\": 2000000, \"period\": 4000000}, \"execCPUAffinity\": {\"final\": \"\"}",
                                          "");
        c = config_parse_ok(dl);
        g_assert_cmpuint(c->process.scheduler.period, ==, 4000000);
        g_assert_null(c->process.cpu_affinity_final);
        oci_config_free(c);

        parse_bad("\"ioPriority\": {\"class\": \"IOPRIO_CLASS_NONE\"}", "", "process.ioPriority.class: unknown class");
        parse_bad("\"ioPriority\": {\"class\": \"IOPRIO_CLASS_BE\", \"priority\": 8}", "",
                  "process.ioPriority.priority: must be an integer from 0 to 7");
        parse_bad("\"ioPriority\": {\"priority\": 1}", "", "process.ioPriority.class: missing");
        parse_bad("\"scheduler\": {\"policy\": \"SCHED_WHATEVER\"}", "", "process.scheduler.policy: unknown policy");
        parse_bad("\"scheduler\": {\"policy\": \"SCHED_OTHER\", \"nice\": 20}", "", "process.scheduler.nice");
        parse_bad("\"scheduler\": {\"policy\": \"SCHED_FIFO\"}", "", "process.scheduler.priority: missing");
        parse_bad("\"scheduler\": {\"policy\": \"SCHED_RR\", \"priority\": 100}", "", "process.scheduler.priority");
        parse_bad("\"scheduler\": {\"policy\": \"SCHED_OTHER\", \"priority\": 1}", "", "process.scheduler.priority");
        parse_bad("\"scheduler\": {\"policy\": \"SCHED_OTHER\", \"flags\": [\"NOPE\"]}", "",
                  "process.scheduler.flags: unknown flag \"NOPE\"");
        parse_bad("\"scheduler\": {\"policy\": \"SCHED_DEADLINE\", \"runtime\": 5, \"deadline\": 2}", "",
                  "SCHED_DEADLINE needs");
        parse_bad("\"scheduler\": {\"policy\": \"SCHED_BATCH\", \"runtime\": 5}", "", "for SCHED_DEADLINE only");
        parse_bad("\"execCPUAffinity\": {\"initial\": \"1-0\"}", "", "process.execCPUAffinity.initial: not a CPU list");
        parse_bad("\"execCPUAffinity\": {\"final\": \"0,,1\"}", "", "process.execCPUAffinity.final: not a CPU list");
        parse_bad("\"execCPUAffinity\": {\"final\": \"4096\"}", "", "process.execCPUAffinity.final: CPU number past");
        parse_bad("\"execCPUAffinity\": {\"final\": 0}", "", "process.execCPUAffinity.final: must be a string");
        /* A label is taken where its LSM is enabled (applied by the init, src/init/lsm.h), and
         * refused with the field named where not: never the process unconfined instead. */
        const char *aa = "\"apparmorProfile\": \"docker-default\"";
        const char *se = "\"selinuxLabel\": \"system_u:system_r:container_t:s0\"";
        if (lsm_apparmor_enabled()) {
                g_autofree char *ok = config_with(aa, "");
                oci_config_free(config_parse_ok(ok));
        } else
                parse_bad(aa, "", "process.apparmorProfile: AppArmor is not enabled on this host");
        if (lsm_selinux_enabled()) {
                g_autofree char *ok = config_with(se, "");
                oci_config_free(config_parse_ok(ok));
        } else
                parse_bad(se, "", "process.selinuxLabel: SELinux is not enabled on this host");
        g_autofree char *empty = config_with("\"apparmorProfile\": \"\", \"selinuxLabel\": \"\"", "");
        oci_config_free(config_parse_ok(empty));
}

static void test_cpu_list(void) {
        cpu_set_t set;
        g_assert_cmpint(parse_cpu_list("0-2,5,7-7", &set), ==, 0);
        g_assert_cmpint(CPU_COUNT(&set), ==, 5);
        g_assert_true(CPU_ISSET(5, &set) && CPU_ISSET(7, &set) && !CPU_ISSET(3, &set));
        g_assert_cmpint(parse_cpu_list("", &set), ==, -EINVAL);
        g_assert_cmpint(parse_cpu_list("a", &set), ==, -EINVAL);
        g_assert_cmpint(parse_cpu_list("1-", &set), ==, -EINVAL);
        g_assert_cmpint(parse_cpu_list("-1", &set), ==, -EINVAL);
        g_assert_cmpint(parse_cpu_list("0,", &set), ==, -EINVAL);
        g_assert_cmpint(parse_cpu_list(" 1", &set), ==, -EINVAL);
        g_assert_cmpint(parse_cpu_list("1024", &set), ==, -ERANGE);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/oci-config-extras/devices", test_devices);
        g_test_add_func("/oci-config-extras/sysctl", test_sysctl);
        g_test_add_func("/oci-config-extras/personality", test_personality);
        g_test_add_func("/oci-config-extras/process", test_process_extras);
        g_test_add_func("/oci-config-extras/cpu-list", test_cpu_list);
        return g_test_run();
}
