#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 14: a container's linux.resources in `ctr@ID.service`. They become the unit's own
# limits (SetUnitProperties: MemoryMax=, TasksMax=, CPUWeight=, CPUQuota=, IOWeight=), so that
# `systemctl show` and `systemctl status` say them and systemd's OOM handling sees them; on a
# unified host they are in the unit's cgroup files (the container's leaf below it holds no
# controller: the unit's cgroup has processes of its own while `create` and `start` run), on a
# hybrid one in the container's v1 cgroups as well. `update` changes them on a running unit,
# and stopping the unit gives the unit its defaults back. Runs on both test hosts.
# Usage: unit-limits.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
sys_init "$@"
host_boot "$BUILD_DIR"

# A payload that says it runs, then waits for the test to touch /shared/go (5 minutes at most),
# then runs $1 (if any) and waits again, until TERM.
payload() {
        echo "trap 'exit 0' TERM; touch /shared/running;" \
                'i=0; while [ ! -e /shared/go ] && [ $i -lt 3000 ]; do sleep 0.1; i=$((i+1)); done;' \
                "${1:-true}" '; touch /shared/done; while :; do sleep 0.2; done'
}

show() { # show UNIT PROPERTY
        host_run systemctl show -p "$2" --value "$1"
}

running() { [ -e "$BUNDLE_DIR/shared/running" ]; }

stopped() { # stopped ID: ctr@ID is inactive or failed
        case $(show "ctr@$1" ActiveState) in inactive | failed) return 0 ;; esac
        return 1
}

# make ID RESOURCES [PAYLOAD]: a bundle for ctr@ID whose linux.resources is RESOURCES (JSON).
make() {
        host_make_bundle "$1" /bin/sh -c "$(payload "${3:-}")"
        host_bundle_set "$1" linux.resources "$2"
        host_watch_unit "ctr@$1.service"
}

start() { # start ID: the unit is started and its payload runs
        local out
        out=$(host_run timeout 120 systemctl start "ctr@$1" 2>&1) ||
                fail "systemctl start ctr@$1 failed: $out"
        wait_for "the payload of ctr@$1 to run" running
}

stop() {
        host_run timeout 120 systemctl stop "ctr@$1" || fail "systemctl stop ctr@$1 failed"
}

# The unit's cgroup in the unified hierarchy, seen from the test host
# (/sys/fs/cgroup/system.slice/system-ctr.slice/ctr@ID.service).
unit_dir() {
        echo "$HOST_UNIFIED$(show "ctr@$1" ControlGroup)"
}

# v1_dir CONTROLLER ID: the container's cgroup in a v1 hierarchy (hybrid host).
v1_dir() {
        echo "/sys/fs/cgroup/$1$(show "ctr@$2" ControlGroup)/container"
}

# assert_file WHAT PATH WANT: the first line of PATH in the test host.
assert_file() {
        assert_eq "$1 ($2)" "$3" "$(host_run head -n 1 "$2")"
}

# MiB rounded the way systemctl status prints them ("64.0M").
LIMIT_64M=67108864
LIMIT_128M=134217728

# ---------------------------------------------------------------- cases

# Memory, pids and cpu limits of the config are the unit's: systemctl show and status say them,
# the files hold them, the container's process is still the unit's main process, and stopping
# the unit gives it its defaults back.
t_limits_are_the_units() {
        local id=lim out pid
        make "$id" "{\"memory\": {\"limit\": $LIMIT_64M}, \"pids\": {\"limit\": 32},
                \"cpu\": {\"shares\": 512, \"quota\": 50000, \"period\": 100000}}"
        start "$id"
        pid=$(host_pid_of "$id")
        assert_eq "MainPID of ctr@$id (the container's process)" "$pid" "$(show "ctr@$id" MainPID)"

        assert_eq "MemoryMax of ctr@$id" "$LIMIT_64M" "$(show "ctr@$id" MemoryMax)"
        assert_eq "TasksMax of ctr@$id" 32 "$(show "ctr@$id" TasksMax)"
        # cpu.shares 512 is cpu.weight 1 + (512 - 2) * 9999 / 262142 = 20, as runc and crun map it.
        assert_eq "CPUWeight of ctr@$id" 20 "$(show "ctr@$id" CPUWeight)"
        assert_eq "CPUQuotaPerSecUSec of ctr@$id (50000 of 100000 us)" 500ms "$(show "ctr@$id" CPUQuotaPerSecUSec)"
        assert_eq "CPUQuotaPeriodUSec of ctr@$id" 100ms "$(show "ctr@$id" CPUQuotaPeriodUSec)"
        # systemd 252 takes a unit whose drop-ins it wrote out of their order on disk for
        # changed on disk: ctr-launch writes them in that order.
        assert_eq "NeedDaemonReload of ctr@$id" no "$(show "ctr@$id" NeedDaemonReload)"
        out=$(host_run systemctl status --no-pager --lines=0 "ctr@$id" 2>&1) || true
        assert_eq "systemctl status ctr@$id: a warning" "" "$(printf '%s\n' "$out" | grep -i warning || true)"
        if [ "$HOST_CGROUP_LAYOUT" = unified ]; then
                # On a hybrid host systemd 252 accounts for neither (no memory or tasks line).
                assert_contains "systemctl status ctr@$id" "$out" "limit: 32)"
                assert_contains "systemctl status ctr@$id" "$out" "max: 64.0M"
        fi

        if [ "$HOST_CGROUP_LAYOUT" = unified ]; then
                local d
                d=$(unit_dir "$id")
                assert_file "memory.max of the unit" "$d/memory.max" "$LIMIT_64M"
                assert_file "pids.max of the unit" "$d/pids.max" 32
                assert_file "cpu.weight of the unit" "$d/cpu.weight" 20
                assert_file "cpu.max of the unit" "$d/cpu.max" "50000 100000"
                # The container's leaf enables nothing: its parent holds processes of its own.
                assert_eq "controllers enabled below the unit" "" "$(host_run cat "$d/cgroup.subtree_control")"
                assert_eq "cgroup of the container's process" "$(show "ctr@$id" ControlGroup)/container" \
                        "$(host_cgroup_of "$pid")"
        else
                assert_file "memory.limit_in_bytes of the container (v1)" \
                        "$(v1_dir memory "$id")/memory.limit_in_bytes" "$LIMIT_64M"
                assert_file "pids.max of the container (v1)" "$(v1_dir pids "$id")/pids.max" 32
                assert_file "cpu.cfs_quota_us of the container (v1)" "$(v1_dir cpu "$id")/cpu.cfs_quota_us" 50000
                assert_file "cpu.shares of the container (v1)" "$(v1_dir cpu "$id")/cpu.shares" 512
        fi

        stop "$id"
        assert_eq "MemoryMax of ctr@$id once stopped" infinity "$(show "ctr@$id" MemoryMax)"
        assert_eq "TasksMax of ctr@$id once stopped (the manager's DefaultTasksMax)" \
                "$(host_run systemctl show -p DefaultTasksMax --value)" "$(show "ctr@$id" TasksMax)"
        assert_eq "CPUWeight of ctr@$id once stopped" "[not set]" "$(show "ctr@$id" CPUWeight)"
        assert_eq "CPUQuotaPerSecUSec of ctr@$id once stopped" infinity "$(show "ctr@$id" CPUQuotaPerSecUSec)"
}

# `ctr-launch update` on a running ctr@ container changes the unit's limits and the files.
t_update_running_unit() {
        local id=upd out
        make "$id" "{\"memory\": {\"limit\": $LIMIT_64M}, \"pids\": {\"limit\": 32}}"
        start "$id"
        out=$(host_ctr update --memory "$LIMIT_128M" --pids-limit 64 --cpu-quota 20000 -- "$id" 2>&1) ||
                fail "update $id failed: $out"
        assert_eq "MemoryMax of ctr@$id after update" "$LIMIT_128M" "$(show "ctr@$id" MemoryMax)"
        assert_eq "TasksMax of ctr@$id after update" 64 "$(show "ctr@$id" TasksMax)"
        assert_eq "CPUQuotaPerSecUSec of ctr@$id after update" 200ms "$(show "ctr@$id" CPUQuotaPerSecUSec)"
        if [ "$HOST_CGROUP_LAYOUT" = unified ]; then
                assert_file "memory.max of the unit after update" "$(unit_dir "$id")/memory.max" "$LIMIT_128M"
                assert_file "pids.max of the unit after update" "$(unit_dir "$id")/pids.max" 64
                assert_file "cpu.max of the unit after update" "$(unit_dir "$id")/cpu.max" "20000 100000"
        else
                assert_file "memory.limit_in_bytes after update (v1)" \
                        "$(v1_dir memory "$id")/memory.limit_in_bytes" "$LIMIT_128M"
                assert_file "pids.max after update (v1)" "$(v1_dir pids "$id")/pids.max" 64
        fi
        # events --stats reads the limits where they are.
        out=$(host_ctr events --stats -- "$id") || fail "events --stats $id failed"
        assert_contains "events --stats $id" "$out" "\"limit\":$LIMIT_128M"
        stop "$id"
}

# A fork bomb meets the pids limit: the forks past it fail, the unit stays up.
t_pids_limit_stops_fork_bomb() {
        local id=bomb n
        make "$id" '{"pids": {"limit": 16}}' \
                '(i=0; while [ $i -lt 60 ]; do sleep 300 & i=$((i+1)); done) 2>/shared/bomb.err'
        start "$id"
        touch "$BUNDLE_DIR/shared/go"
        wait_for "the fork bomb to finish" test -e "$BUNDLE_DIR/shared/done"
        # The PIDs alone (--format json): `ps` runs the host's ps(1) otherwise.
        n=$(host_ctr ps --format json -- "$id" | tr -c '0-9\n' '\n' | grep -c '[0-9]' || true)
        [ "$n" -le 16 ] || fail "$n processes in the container past a pids limit of 16"
        [ "$n" -ge 9 ] || fail "only $n processes in the container: the payload did not fork"
        grep -q "can't fork" "$BUNDLE_DIR/shared/bomb.err" ||
                fail "no fork of the bomb was refused: $(cat "$BUNDLE_DIR/shared/bomb.err")"
        assert_eq "ActiveState of ctr@$id after the fork bomb" active "$(show "ctr@$id" ActiveState)"
        if [ "$HOST_CGROUP_LAYOUT" = unified ]; then
                local max
                max=$(host_run sed -n 's/^max //p' "$(unit_dir "$id")/pids.events")
                [ "${max:-0}" -gt 0 ] || fail "pids.events of ctr@$id counts no refused fork"
        fi
        stop "$id"
}

# A process that allocates past the memory limit is OOM-killed; with systemd's default
# OOMPolicy=stop the unit stops, and its result says why.
t_oom_kill_unit_result() {
        local id=oom
        if [ "$HOST_CGROUP_LAYOUT" != unified ]; then
                skip "systemd 252 sees OOM kills through cgroup v2's memory.events only; this host is $HOST_CGROUP_LAYOUT"
        fi
        make "$id" '{"memory": {"limit": 33554432, "swap": 33554432}}' 'tail /dev/zero'
        start "$id"
        touch "$BUNDLE_DIR/shared/go"
        wait_for "ctr@$id to stop after the OOM kill" stopped "$id"
        assert_eq "Result of ctr@$id" oom-kill "$(show "ctr@$id" Result)"
        host_journal "ctr@$id.service" | grep -q "killed by the OOM killer" ||
                fail "no OOM line in the journal of ctr@$id"
        host_run systemctl reset-failed "ctr@$id" 2>/dev/null || true
}

# With OOMPolicy=continue the unit survives the OOM kill and `ctr-launch events` counts it.
t_oom_kill_events() {
        local id=oomc out d=$HOST_ROOT/etc/systemd/system/ctr@oomc.service.d
        mkdir -p "$d"
        printf '[Service]\nOOMPolicy=continue\n' >"$d/test.conf"
        host_run systemctl daemon-reload
        make "$id" '{"memory": {"limit": 33554432, "swap": 33554432}}' 'tail /dev/zero'
        start "$id"
        touch "$BUNDLE_DIR/shared/go"
        wait_for "the payload's tail to be killed" test -e "$BUNDLE_DIR/shared/done"
        out=$(host_ctr events --stats -- "$id") || fail "events --stats $id failed"
        note "events --stats: $out"
        printf '%s' "$out" | grep -Eq '"oom_kills":[1-9]' || fail "events --stats counts no OOM kill: $out"
        assert_eq "ActiveState of ctr@$id (OOMPolicy=continue)" active "$(show "ctr@$id" ActiveState)"
        stop "$id"
        rm -rf "$d"
        host_run systemctl daemon-reload
}

# io weight, where the host's kernel has a weight-based io scheduler for it.
t_io_weight() {
        local id=iow d out
        # No weight file anywhere (no BFQ loaded, CFQ gone since 5.0): create refuses the weight
        # in one line (tests/integration/cgroups.sh io-weight checks that refusal).
        host_run sh -c "$IO_WEIGHT_PROBE" ||
                skip "the test host's kernel offers no I/O weight (no BFQ scheduler loaded, no blk-iocost)"
        make "$id" '{"blockIO": {"weight": 500}}'
        start "$id"
        # blkio 500 is IOWeight 1 + (500 - 10) * 9999 / 990 = 4950.
        assert_eq "IOWeight of ctr@$id" 4950 "$(show "ctr@$id" IOWeight)"
        if [ "$HOST_CGROUP_LAYOUT" = unified ]; then
                d=$(unit_dir "$id")
                out=$(host_run sh -c "cat $d/io.weight 2>/dev/null || cat $d/io.bfq.weight")
                assert_contains "io weight of the unit" "$out" "default"
        fi
        stop "$id"
}

case_run limits-are-the-units t_limits_are_the_units
case_run update-running-unit t_update_running_unit
case_run pids-limit-stops-fork-bomb t_pids_limit_stops_fork_bomb
case_run oom-kill-unit-result t_oom_kill_unit_result
case_run oom-kill-events t_oom_kill_events
case_run io-weight t_io_weight
sys_finish
