#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# linux.sysctl, linux.devices, linux.personality and process.ioPriority, scheduler,
# execCPUAffinity and the LSM labels (issue 3, items 4, 6 and 7), as the container sees them or,
# where it cannot (ioprio), as the host sees its process. Refusals: one error line, nothing left.
# Usage: extras.sh PATH-TO-ctr-launch (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
lib_init "$@"

t_sysctl() {
        run_in b 'cat /proc/sys/kernel/domainname /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax' \
                set linux.sysctl '{"kernel.domainname": "example.test", "net.ipv4.ip_forward": "1", "kernel.shmmax": "65536"}'
        assert_eq "sysctls inside" "example.test
1
65536" "$OUT"
        # The host's are untouched.
        [ "$(cat /proc/sys/kernel/shmmax)" != 65536 ] || fail "the host's kernel.shmmax changed"
}

t_sysctl_refused() {
        local before
        before=$(cat /proc/sys/vm/swappiness)
        create_refused b 'linux\.sysctl: "vm\.swappiness" is not namespaced' set linux.sysctl '{"vm.swappiness": "17"}'
        assert_eq "the host's vm.swappiness" "$before" "$(cat /proc/sys/vm/swappiness)"
        create_refused b2 'linux\.sysctl: "net\.ipv4\.ip_forward" needs a new network namespace' \
                set linux.sysctl '{"net.ipv4.ip_forward": "1"}' delns network
        create_refused b3 'linux\.sysctl: invalid key' set linux.sysctl '{"net..ipv4": "1"}'
}

t_device() {
        run_in b 'stat -c "%F %t:%T %a %u:%g" /dev/mydev /dev/sub/fifo; ls -l /dev/null | cut -c1-10' \
                set linux.devices '[{"type": "c", "path": "/dev/mydev", "major": 1, "minor": 3, "fileMode": 384, "uid": 1000, "gid": 100},
                                    {"type": "p", "path": "/dev/sub/fifo", "fileMode": 416},
                                    {"type": "c", "path": "/dev/null", "major": 1, "minor": 3, "fileMode": 432}]'
        assert_eq "the devices inside" "character special file 1:3 600 1000:100
fifo 0:0 640 0:0
crw-rw----" "$OUT"
        # Something else at a device's path is an error, as the runtime spec requires.
        create_refused b2 'linux\.devices: /dev/zero exists and is not that device' \
                set linux.devices '[{"type": "c", "path": "/dev/zero", "major": 1, "minor": 3}]'
        create_refused b3 'linux\.devices\[0\]\.path: must be a path below / without' \
                set linux.devices '[{"type": "c", "path": "/dev/../etc/x", "major": 1, "minor": 3}]'
}

t_personality() {
        [ "$(uname -m)" = x86_64 ] || skip "LINUX32 shows as i686 on x86_64 only"
        run_in b 'uname -m' set linux.personality '{"domain": "LINUX32"}'
        assert_eq "uname -m with LINUX32" i686 "$OUT"
}

t_scheduling() {
        # Observed from the host while the container runs: busybox has no ionice.
        mk_bundle b /bin/sh -c "$(long_running)"
        cfg "$B" set process.ioPriority '{"class": "IOPRIO_CLASS_BE", "priority": 6}' \
                set process.scheduler '{"policy": "SCHED_BATCH", "nice": 3}' \
                set process.execCPUAffinity '{"initial": "0", "final": "0"}'
        capture ctr run -d -b "$B" c1
        assert_rc 0 "run -d with ioPriority, scheduler, execCPUAffinity"
        wait_for "the payload" test -e "$C/shared/ready"
        local pid
        pid=$(pid_of c1)
        local io sched nice cpus
        io=$(ionice -p "$pid")
        sched=$(chrt -p "$pid" | head -1)
        nice=$(awk '{print $19}' "/proc/$pid/stat")
        cpus=$(awk '$1 == "Cpus_allowed_list:" {print $2}' "/proc/$pid/status")
        ctr kill c1 KILL
        wait_for "c1 stopped" status_is c1 stopped
        ctr delete c1
        assert_eq "ionice -p of the container's process" "best-effort: prio 6" "$io"
        assert_contains "chrt -p of the container's process" "$sched" "SCHED_BATCH"
        assert_eq "nice of the container's process" 3 "$nice"
        assert_eq "Cpus_allowed_list of the container's process" 0 "$cpus"

        create_refused b2 'process\.scheduler\.policy: unknown policy' set process.scheduler '{"policy": "SCHED_NOPE"}'
}

t_cpu_affinity_inside() {
        run_in b 'grep Cpus_allowed_list /proc/self/status' set process.execCPUAffinity '{"final": "0"}'
        assert_eq "Cpus_allowed_list inside" "Cpus_allowed_list:	0" "$OUT"
}

# Where the LSM is off, a label is refused, never dropped; where AppArmor is on, a profile that
# is not loaded is refused before anything exists (tests/system/lsm.sh applies loaded ones).
t_lsm_labels() {
        local want='process\.apparmorProfile: AppArmor is not enabled on this host'
        if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; then
                want='process\.apparmorProfile: profile "ctr-it-not-loaded" is not loaded'
        fi
        create_refused b "$want" set process.apparmorProfile '"ctr-it-not-loaded"'
        if [ ! -d /sys/fs/selinux ]; then
                create_refused b 'process\.selinuxLabel: SELinux is not enabled on this host' \
                        set process.selinuxLabel '"system_u:system_r:container_t:s0"'
        fi
}

case_run sysctl t_sysctl
case_run sysctl-refused t_sysctl_refused
case_run device t_device
case_run personality t_personality
case_run scheduling t_scheduling
case_run cpu-affinity-inside t_cpu_affinity_inside
case_run lsm-labels t_lsm_labels
lib_finish
