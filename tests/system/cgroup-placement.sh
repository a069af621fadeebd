#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 4 in a real systemd (252, hybrid cgroups, booted in systemd-nspawn, see lib.sh): where
# ctr-launch puts a container in a unit with Delegate=yes, the transient scope of the systemd
# driver, resources through that scope, and that nothing is left afterwards.
# Usage: cgroup-placement.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
sys_init "$@"
host_boot "$BUILD_DIR"

# A payload that says it runs, then waits (30 s at most) for the test to touch /shared/go (the
# bundle's shared/); it exits 0 on TERM, since a PID 1 without a handler ignores it.
wait_for_go() {
        echo "trap 'exit 0' TERM; ${1:-} touch /shared/running;" \
                'i=0; while [ ! -e /shared/go ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done'
}

# go ID: lets the payload of bundle ID finish.
go() {
        touch "$HOST_ROOT$HOST_BUNDLES/$1/shared/go"
}

payload_running() {
        [ -e "$HOST_ROOT$HOST_BUNDLES/$1/shared/running" ]
}

# assert_tracked_in PID CGROUP: the unified hierarchy and name=systemd put PID in CGROUP.
assert_tracked_in() {
        local pid=$1 want=$2 h
        for h in "${HOST_SYSTEMD_HIERARCHIES[@]}"; do
                assert_eq "cgroup of the container's init ($pid) in hierarchy \"$h\"
$(host_run cat "/proc/$pid/cgroup")
" "$want" "$(host_cgroup_of "$pid" "$h")"
        done
}

# assert_status_lists UNIT PID: `systemctl status UNIT` shows PID in its cgroup tree.
assert_status_lists() {
        local unit=$1 pid=$2 out
        out=$(host_run systemctl status --no-pager --lines=0 "$unit") || true
        printf '%s\n' "$out" | grep -Eq "(^|[^0-9])${pid}[[:space:]]" ||
                fail "systemctl status $unit does not list the container's init $pid:
$out"
}

unit_gone() {
        local st
        st=$(host_run systemctl show -p ActiveState --value "$1" 2>/dev/null) || st=""
        [ "$st" = inactive ] || [ -z "$st" ]
}

no_cgroup_named() {
        [ -z "$(host_cgroup_dirs "$1")" ]
}

# ---------------------------------------------------------------- cases

# Started as a service with Delegate=yes, the container goes to a leaf below the unit's cgroup
# ("container": a process and controllers cannot share a v2 cgroup), and its cgroup goes with it.
t_delegated_unit() {
        local unit=ctr-deleg-test pid out want=/system.slice/ctr-deleg-test.service/container
        host_watch_unit "$unit.service"
        host_make_bundle deleg /bin/sh -c "$(wait_for_go 'cat /proc/self/cgroup;')"
        host_run systemd-run --quiet --unit="$unit" -p Delegate=yes --wait --collect --pipe \
                "$HOST_CTR" run -b "$HOST_BUNDLE" c1 </dev/null >"$HOST_DIR/c1.out" 2>&1 &
        local job=$!

        wait_for "the payload of c1 to run" payload_running deleg
        pid=$(host_pid_of c1)
        note "container init: $pid"
        assert_status_lists "$unit" "$pid"
        assert_tracked_in "$pid" "$want"
        note "cgroups of the init: $(host_run cat "/proc/$pid/cgroup" | tr '\n' ' ')"

        go deleg
        local rc=0
        wait "$job" || rc=$?
        out=$(cat "$HOST_DIR/c1.out")
        assert_eq "exit status of systemd-run (output: $out)" 0 "$rc"
        # With its own cgroup namespace, the container sees its cgroup as the root.
        assert_contains "the container's /proc/self/cgroup" "$out" "0::/"
        wait_for "$unit to be gone" unit_gone "$unit.service"
        wait_for "no cgroup left for $unit.service" no_cgroup_named "$unit.service"
        local left
        left=$(host_run sh -c 'find /sys/fs/cgroup/*/ctr-launch /sys/fs/cgroup/ctr-launch -mindepth 1 -type d 2>/dev/null' || true)
        [ -z "$left" ] || fail "cgroups left under ctr-launch/: $left"
}

# --systemd-cgroup: "system.slice:ctrtest:c2" is the transient scope ctrtest-c2.scope in
# system.slice, which holds the init; delete --force stops it.
t_systemd_driver_scope() {
        local scope=ctrtest-c2.scope pid cg
        host_watch_unit "$scope"
        host_make_bundle c2 /bin/sh -c "$(wait_for_go)"
        host_bundle_set c2 linux.cgroupsPath '"system.slice:ctrtest:c2"'
        # run -d: the container keeps our stdout; a file, not a pipe, so nothing waits for it.
        host_ctr --systemd-cgroup run -d -b "$HOST_BUNDLE" c2 </dev/null >"$HOST_DIR/c2.out" 2>&1 ||
                fail "ctr-launch --systemd-cgroup run -d c2 failed: $(cat "$HOST_DIR/c2.out")"
        pid=$(host_pid_of c2)
        note "container init: $pid"

        assert_eq "ActiveState of $scope" active "$(host_run systemctl show -p ActiveState --value "$scope")"
        cg=$(host_run systemctl show -p ControlGroup --value "$scope")
        assert_eq "ControlGroup of $scope" /system.slice/$scope "$cg"
        assert_status_lists "$scope" "$pid"
        assert_tracked_in "$pid" "/system.slice/$scope"
        host_run grep -qx "$pid" "$HOST_UNIFIED/system.slice/$scope/cgroup.procs" ||
                fail "$pid is not in $HOST_UNIFIED/system.slice/$scope/cgroup.procs"
        note "cgroups of the init: $(host_run cat "/proc/$pid/cgroup" | tr '\n' ' ')"

        local out
        out=$(host_ctr delete --force c2 2>&1) || fail "delete --force c2 failed: $out"
        wait_for "$scope to be gone" unit_gone "$scope"
        local load
        load=$(host_run systemctl show -p LoadState --value "$scope")
        assert_eq "LoadState of $scope after delete (transient, collected)" not-found "$load"
        wait_for "no cgroup left for $scope" no_cgroup_named "$scope"
        host_run test -e "/proc/$pid" && fail "the container's init $pid still exists after delete --force"
        return 0
}

# Resources through the systemd driver: systemd's properties of the scope, and the v1 files that
# systemd (or ctr-launch) wrote under it.
t_systemd_driver_resources() {
        local scope=ctrtest-c3.scope pid out mem pids
        host_watch_unit "$scope"
        host_make_bundle c3 /bin/sh -c "$(wait_for_go)"
        host_bundle_set c3 linux.cgroupsPath '"system.slice:ctrtest:c3"' \
                linux.resources '{"memory": {"limit": 67108864}, "pids": {"limit": 32}}'
        host_ctr --systemd-cgroup run -d -b "$HOST_BUNDLE" c3 </dev/null >"$HOST_DIR/c3.out" 2>&1 ||
                fail "ctr-launch --systemd-cgroup run -d c3 failed: $(cat "$HOST_DIR/c3.out")"
        pid=$(host_pid_of c3)

        out=$(host_run systemctl show -p MemoryMax,TasksMax "$scope")
        assert_contains "systemctl show -p MemoryMax,TasksMax $scope" "$out" "MemoryMax=67108864"
        assert_contains "systemctl show -p MemoryMax,TasksMax $scope" "$out" "TasksMax=32"
        if [ "$HOST_CGROUP_LAYOUT" = hybrid ]; then
                mem=$(host_run cat "/sys/fs/cgroup/memory/system.slice/$scope/memory.limit_in_bytes")
                assert_eq "memory.limit_in_bytes of $scope (v1)" 67108864 "$mem"
                pids=$(host_run cat "/sys/fs/cgroup/pids/system.slice/$scope/pids.max")
                assert_eq "pids.max of $scope (v1)" 32 "$pids"
                assert_eq "memory cgroup of the init" "/system.slice/$scope" "$(host_cgroup_of "$pid" memory)"
                assert_eq "pids cgroup of the init" "/system.slice/$scope" "$(host_cgroup_of "$pid" pids)"
        else
                mem=$(host_run cat "$HOST_UNIFIED/system.slice/$scope/memory.max")
                assert_eq "memory.max of $scope (v2)" 67108864 "$mem"
                pids=$(host_run cat "$HOST_UNIFIED/system.slice/$scope/pids.max")
                assert_eq "pids.max of $scope (v2)" 32 "$pids"
                assert_eq "cgroup of the init" "/system.slice/$scope" "$(host_cgroup_of "$pid")"
        fi

        # The payload ends by itself, then delete (not --force) cleans up.
        go c3
        wait_for "c3 to stop" host_fails test -e "/proc/$pid"
        out=$(host_ctr delete c3 2>&1) || fail "delete c3 failed: $out"
        wait_for "$scope to be gone" unit_gone "$scope"
        wait_for "no cgroup left for $scope" no_cgroup_named "$scope"
}

case_run delegated-unit t_delegated_unit
case_run systemd-driver-scope t_systemd_driver_scope
case_run systemd-driver-resources t_systemd_driver_resources
sys_finish
