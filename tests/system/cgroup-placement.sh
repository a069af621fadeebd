#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 4 in a real systemd (252, hybrid cgroups, booted in systemd-nspawn, see lib.sh): where
# ctr-launch puts a container in a unit with Delegate=yes, the transient scope of the systemd
# driver, resources through that scope, and that nothing is left afterwards.
# Usage: cgroup-placement.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
sys_init "$@"
host_boot "$BUILD_DIR"

# A payload that says it runs, then waits (30 s at most, or $2 tenths of a second) for the test
# to touch /shared/go (the bundle's shared/); it exits 0 on TERM, since a PID 1 without a
# handler ignores it.
wait_for_go() {
        echo "trap 'exit 0' TERM; ${1:-} touch /shared/running;" \
                "i=0; while [ ! -e /shared/go ] && [ \$i -lt ${2:-300} ]; do sleep 0.1; i=\$((i+1)); done"
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

status_of() { # status_of ID: the container's status, per ctr-launch state
        host_ctr state "$1" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["status"])'
}

# assert_frozen ID DIR STATUS V1-STATE V2-FREEZE: the container's status, and its freezer in
# the cgroup DIR (v1's freezer.state, or v2's cgroup.freeze and cgroup.events).
assert_frozen() {
        local id=$1 dir=$2
        assert_eq "status of $id" "$3" "$(status_of "$id")"
        if [ "$HOST_CGROUP_LAYOUT" = hybrid ]; then
                assert_eq "$dir/freezer.state" "$4" "$(host_run cat "$dir/freezer.state")"
        else
                assert_eq "$dir/cgroup.freeze" "$5" "$(host_run cat "$dir/cgroup.freeze")"
                assert_eq "frozen in $dir/cgroup.events" "$5" \
                        "$(host_run awk '$1 == "frozen" {print $2}' "$dir/cgroup.events")"
        fi
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

# stats_of ID MEMBER: one member of `events --stats ID` in the test host ("data.pids.limit").
stats_of() {
        local out
        out=$(host_ctr events --stats "$1") || fail "events --stats $1 failed"
        "$PY" -c '
import json, sys
o = json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
    o = o[k]
print(o)' "$out" "$2" || fail "events --stats $1: no $2 in: $out"
}

# assert_shows UNIT PROPERTY=VALUE...: `systemctl show UNIT` says so.
assert_shows() {
        local unit=$1 p out
        shift
        for p in "$@"; do
                out=$(host_run systemctl show -p "${p%%=*}" "$unit")
                assert_eq "systemctl show -p ${p%%=*} $unit" "$p" "$out"
        done
}

# assert_scope_file SCOPE V2-FILE V1-CONTROLLER V1-FILE VALUE: the scope's cgroup file in the
# hierarchy that holds the controller says VALUE (v2 on a unified host, v1 on hybrid).
assert_scope_file() {
        local scope=$1 v2=$2 ctrl=$3 v1=$4 want=$5 f
        if [ "$HOST_CGROUP_LAYOUT" = hybrid ]; then
                f=/sys/fs/cgroup/$ctrl/system.slice/$scope/$v1
        else
                f=$HOST_UNIFIED/system.slice/$scope/$v2
        fi
        assert_eq "$f" "$want" "$(host_run cat "$f")"
}

# Resources through the systemd driver: systemd's properties of the scope and the cgroup files
# (v2 on a unified host, v1 on hybrid) after create and after update, `events --stats`, pause
# and resume (v2: the scope's cgroup.freeze), and nothing left after delete.
t_systemd_driver_resources() {
        local scope=ctrtest-c3.scope pid out res fdir
        host_watch_unit "$scope"
        host_make_bundle c3 /bin/sh -c "$(wait_for_go "" 3000)"
        res='{"memory": {"limit": 67108864}, "pids": {"limit": 32}}'
        # cpu and io are v1 controllers on hybrid, where systemd writes neither the way v2 has them.
        [ "$HOST_CGROUP_LAYOUT" = hybrid ] ||
                res='{"memory": {"limit": 67108864}, "pids": {"limit": 32}, "cpu": {"quota": 50000, "period": 100000, "shares": 512}, "blockIO": {"weight": 500}}'
        host_bundle_set c3 linux.cgroupsPath '"system.slice:ctrtest:c3"' linux.resources "$res"
        host_ctr --systemd-cgroup run -d -b "$HOST_BUNDLE" c3 </dev/null >"$HOST_DIR/c3.out" 2>&1 ||
                fail "ctr-launch --systemd-cgroup run -d c3 failed: $(cat "$HOST_DIR/c3.out")"
        pid=$(host_pid_of c3)

        assert_shows "$scope" MemoryMax=67108864 TasksMax=32
        assert_scope_file "$scope" memory.max memory memory.limit_in_bytes 67108864
        assert_scope_file "$scope" pids.max pids pids.max 32
        if [ "$HOST_CGROUP_LAYOUT" = hybrid ]; then
                assert_eq "memory cgroup of the init" "/system.slice/$scope" "$(host_cgroup_of "$pid" memory)"
                assert_eq "pids cgroup of the init" "/system.slice/$scope" "$(host_cgroup_of "$pid" pids)"
                fdir=/sys/fs/cgroup/freezer/system.slice/$scope
        else
                assert_eq "cgroup of the init" "/system.slice/$scope" "$(host_cgroup_of "$pid")"
                assert_shows "$scope" CPUQuotaPerSecUSec=500ms CPUQuotaPeriodUSec=100ms CPUWeight=20 IOWeight=4950
                assert_scope_file "$scope" cpu.max - - "50000 100000"
                assert_scope_file "$scope" cpu.weight - - 20
                if host_run test -e "$HOST_UNIFIED/system.slice/$scope/io.weight"; then
                        assert_eq "io.weight of $scope" "default 4950" \
                                "$(host_run head -n 1 "$HOST_UNIFIED/system.slice/$scope/io.weight")"
                else
                        note "no io.weight (no iocost in this kernel): IOWeight= is systemd's alone"
                fi
                fdir=$HOST_UNIFIED/system.slice/$scope
        fi
        assert_eq "events --stats: memory limit" 67108864 "$(stats_of c3 data.memory.usage.limit)"
        assert_eq "events --stats: pids limit" 32 "$(stats_of c3 data.pids.limit)"

        # update: the scope's properties and its files.
        out=$(host_ctr update --memory 96m --pids-limit 48 c3 2>&1) || fail "update c3 failed: $out"
        assert_shows "$scope" MemoryMax=100663296 TasksMax=48
        assert_scope_file "$scope" memory.max memory memory.limit_in_bytes 100663296
        assert_scope_file "$scope" pids.max pids pids.max 48
        if [ "$HOST_CGROUP_LAYOUT" != hybrid ]; then
                out=$(host_ctr update --cpu-quota 25000 c3 2>&1) || fail "update --cpu-quota c3 failed: $out"
                assert_shows "$scope" CPUQuotaPerSecUSec=250ms
                assert_scope_file "$scope" cpu.max - - "25000 100000"
        fi
        assert_eq "events --stats: memory limit after update" 100663296 "$(stats_of c3 data.memory.usage.limit)"
        assert_eq "events --stats: pids limit after update" 48 "$(stats_of c3 data.pids.limit)"
        local cur
        cur=$(stats_of c3 data.pids.current)
        [ "$cur" -ge 1 ] || fail "events --stats: pids.current $cur in a running container"

        # pause and resume: the scope's freezer.
        out=$(host_ctr pause c3 2>&1) || fail "pause c3 failed: $out"
        assert_frozen c3 "$fdir" paused FROZEN 1
        out=$(host_ctr resume c3 2>&1) || fail "resume c3 failed: $out"
        assert_frozen c3 "$fdir" running THAWED 0

        # The payload ends by itself (it runs again), then delete (not --force) cleans up.
        go c3
        wait_for "c3 to stop" host_fails test -e "/proc/$pid"
        out=$(host_ctr delete c3 2>&1) || fail "delete c3 failed: $out"
        wait_for "$scope to be gone" unit_gone "$scope"
        assert_eq "LoadState of $scope after delete (transient, collected)" not-found \
                "$(host_run systemctl show -p LoadState --value "$scope")"
        wait_for "no cgroup left for $scope" no_cgroup_named "$scope"
}

case_run delegated-unit t_delegated_unit
case_run systemd-driver-scope t_systemd_driver_scope
case_run systemd-driver-resources t_systemd_driver_resources
sys_finish
