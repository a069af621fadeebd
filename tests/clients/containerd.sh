#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# containerd 1.6's ctr with ctr-launch as the runc binary of the runc shim (io.containerd.runc.v2,
# `ctr run --runc-binary PATH`): what ctr shows for run, exec, kill, pause/resume, metrics and
# delete.
# Usage: containerd.sh PATH-TO-ctr-launch (root; TAP; skipped without containerd).
#
# A private containerd (its own root, state, sockets and config under the scratch directory; no
# CRI, no systemd) is started here and stopped at the end. The image is an OCI archive of the
# test's busybox rootfs (oci-image.py), imported: no registry. The shim runs ctr-launch with
# --root $RUNC_ROOT/<namespace> (--runc-root), where the check after each case looks for state.

source "$(dirname "$0")/lib.sh"
clients_init "containerd:containerd ctr:containerd containerd-shim-runc-v2:containerd" "$@"

CD=$T/containerd
SOCK=$CD/containerd.sock
NS=ctr-launch-test-$$
IMG=localhost/ctr-busybox:test
RUNC_ROOT=$CD/runc
mkdir -p "$CD/fifo" "$RUNC_ROOT"
cat >"$CD/config.toml" <<EOF
version = 2
root = "$CD/root"
state = "$CD/state"
# Only what ctr needs: no CRI (and its CNI), no /opt plugin directory, no other snapshotters.
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF

# cc ARGS...: containerd's ctr (not the integration harness's `ctr` function, which is
# ctr-launch) on the private containerd, in the test's namespace; a hung command is killed
# after 60 s (exit 124).
cc() {
        timeout -k 5 "${CTR_CLIENT_TIMEOUT:-60}" ctr -a "$SOCK" -n "$NS" "$@"
}

RUNTIME_ROOT=$RUNC_ROOT/$NS
CGROUP_GLOBS="/sys/fs/cgroup/$NS/* /sys/fs/cgroup/*/$NS/*"

client_snapshot() { :; }
# What ctr still lists of the case's containers and tasks (their ids carry the marker).
client_left() {
        cc containers ls -q 2>/dev/null | grep -F -- "$MARK" | sed 's/^/ctr containers ls still lists: /' || true
        cc tasks ls 2>/dev/null | grep -F -- "$MARK" | sed 's/^/ctr tasks ls still lists: /' || true
}
remove_containers() {
        local id
        for id in $(cc containers ls -q 2>/dev/null | grep -F -- "$1"); do
                cc tasks kill -a -s KILL "$id" >/dev/null 2>&1
                cc tasks delete -f "$id" >/dev/null 2>&1
                cc containers rm "$id" >/dev/null 2>&1
        done
}
client_cleanup() {
        remove_containers "$MARK"
}
client_exit() {
        local pid i d
        [ -f "$CD/containerd.pid" ] || return 0
        pid=$(cat "$CD/containerd.pid")
        remove_containers ""
        cc images rm "$IMG" >/dev/null 2>&1
        kill -TERM "$pid" 2>/dev/null
        for ((i = 0; i < 100; i++)); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null
        # Shims of this containerd that outlived it (they name its socket).
        for pid in $(pgrep -f -- "-address $SOCK"); do
                kill -KILL "$pid" 2>/dev/null
        done
        for d in /sys/fs/cgroup/"$NS" /sys/fs/cgroup/*/"$NS"; do
                if [ -d "$d" ]; then find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; fi
        done
}
trap clients_exit EXIT

containerd --config "$CD/config.toml" >"$CD/containerd.log" 2>&1 &
echo $! >"$CD/containerd.pid"
for ((i = 0; i < 100; i++)); do
        command ctr -a "$SOCK" version >/dev/null 2>&1 && break
        kill -0 "$(cat "$CD/containerd.pid")" 2>/dev/null ||
                hard_error "containerd exited: $(tail -n 3 "$CD/containerd.log")"
        sleep 0.1
done
command ctr -a "$SOCK" version >/dev/null 2>&1 || hard_error "containerd did not answer in 10 s: $(tail -n 3 "$CD/containerd.log")"

"$PY" "$CLIENTS_DIR/oci-image.py" "$T/rootfs-template" "$CD/image.tar" "$IMG"
cc images import "$CD/image.tar" >"$CD/import.log" 2>&1 ||
        hard_error "ctr images import failed: $(tail -n 3 "$CD/import.log")"
diag "containerd $(containerd --version | awk '{print $3}')"

# ---------------------------------------------------------------- helpers

# crun ID [OPTS...] -- ARGS...: `ctr run` of the image as container $MARK-ID with ctr-launch as the
# runc binary, the marker in its environment and $C/shared on /shared. Sets RC, OUT, ERR, N.
crun() {
        N=$MARK-$1
        shift
        local opts=()
        while [ $# -gt 0 ] && [ "$1" != -- ]; do
                opts+=("$1")
                shift
        done
        shift
        mkdir -p "$C/shared"
        capture cc run --runc-binary "$CTR" --runc-root "$RUNC_ROOT" --fifo-dir "$CD/fifo" \
                --env "CTR_TEST_MARK=$MARK" \
                --mount "type=bind,src=$C/shared,dst=/shared,options=rbind:rw" \
                "${opts[@]}" "$IMG" "$N" "$@"
}

# A payload that logs the signals it gets to /shared/log and exits 0 on TERM.
LOOP='trap "echo got USR1 >>/shared/log" USR1; trap "echo got TERM >>/shared/log; exit 0" TERM; touch /shared/started; while :; do sleep 0.1; done'

# start_loop ID [OPTS...]: `ctr run -d` of LOOP, waits until it runs. Sets N.
start_loop() {
        local id=$1
        shift
        crun "$id" -d "$@" -- sh -c "$LOOP"
        assert_rc 0 "ctr run -d $id"
        wait_for "$N to start" test -e "$C/shared/started"
}

# task_status ID: the STATUS column of `ctr tasks ls` for ID (empty if not listed).
task_status() {
        cc tasks ls | awk -v id="$1" '$1 == id {print $3}'
}
assert_task_status() {
        local got
        got=$(task_status "$1")
        [ "$got" = "$2" ] || fail "ctr tasks ls: expected $1 to be $2, got \"$got\"
$(cc tasks ls 2>&1)"
}
task_stopped() {
        [ "$(task_status "$1")" = STOPPED ]
}

# The runtime's own view: `ctr-launch state`'s status of ID in the shim's root, or "none".
runtime_status() {
        local out
        out=$("$CTR" --root "$RUNTIME_ROOT" state "$1" 2>/dev/null) || { echo none; return 0; }
        json_get status <<<"$out"
}

cgroup_file() {
        local id=$1 ctl=$2 v1=$3 v2=$4
        if [ -e "/sys/fs/cgroup/$ctl/$NS/$id/$v1" ]; then
                echo "/sys/fs/cgroup/$ctl/$NS/$id/$v1"
        else
                echo "/sys/fs/cgroup/$NS/$id/$v2"
        fi
}

log_has() {
        grep -qx -- "$1" "$C/shared/log" 2>/dev/null
}

# remove ID: ctr tasks delete, then containers rm; both must succeed.
remove() {
        capture cc tasks delete "$1"
        assert_rc 0 "ctr tasks delete $1"
        capture cc containers rm "$1"
        assert_rc 0 "ctr containers rm $1"
}

# ---------------------------------------------------------------- cases

t_run() {
        crun r --rm -- sh -c 'echo "hello from $(hostname)"; ulimit -n; echo "pid $$"; cat /proc/self/cgroup'
        assert_rc 0 "ctr run --rm"
        expect_line "ctr run's output" "$OUT" '^hello from '
        expect_line "ulimit -n (ctr's default spec: 1024)" "$OUT" '^1024$'
        expect_line "the shell's pid in the container" "$OUT" '^pid 1$'
        expect_line "the container's cgroup (ctr's /<namespace>/<id>)" "$OUT" ":/$NS/$N\$"
        crun r2 --rm -- sh -c 'exit 3'
        assert_rc 3 "ctr run --rm of sh -c 'exit 3' (the container's status)"
}

t_run_detached() {
        start_loop d
        assert_task_status "$N" RUNNING
        local pid
        pid=$(cc tasks ls | awk -v id="$N" '$1 == id {print $2}')
        assert_eq "ctr-launch state of $N" running "$(runtime_status "$N")"
        assert_eq "the pid ctr shows vs ctr-launch state" "$pid" "$("$CTR" --root "$RUNTIME_ROOT" state "$N" | json_get pid)"
        capture cc tasks ps "$N"
        assert_rc 0 "ctr tasks ps"
        expect_line "ctr tasks ps: the init" "$OUT" "^$pid "
        capture cc tasks kill "$N"
        assert_rc 0 "ctr tasks kill (TERM)"
        wait_for "ctr tasks ls to show $N STOPPED" task_stopped "$N"
        log_has "got TERM" || fail "the container did not get TERM: $(cat "$C/shared/log" 2>&1)"
        remove "$N"
        assert_eq "ctr-launch state of $N after delete" none "$(runtime_status "$N")"
}

t_kill() {
        start_loop k
        capture cc tasks kill -s USR1 "$N"
        assert_rc 0 "ctr tasks kill -s USR1"
        wait_for "the container to log USR1" log_has "got USR1"
        assert_task_status "$N" RUNNING
        capture cc tasks kill -s KILL "$N"
        assert_rc 0 "ctr tasks kill -s KILL"
        wait_for "ctr tasks ls to show $N STOPPED" task_stopped "$N"
        remove "$N"
}

t_pause_resume() {
        start_loop p
        local freezer
        capture cc tasks pause "$N"
        assert_rc 0 "ctr tasks pause"
        assert_task_status "$N" PAUSED
        assert_eq "ctr-launch state" paused "$(runtime_status "$N")"
        freezer=$(cgroup_file "$N" freezer freezer.state cgroup.freeze)
        case $(cat "$freezer") in FROZEN | 1) ;; *) fail "$freezer: $(cat "$freezer"), not frozen" ;; esac
        capture cc tasks kill -s USR1 "$N"
        assert_rc 0 "ctr tasks kill -s USR1 while paused"
        sleep 0.5
        ! log_has "got USR1" || fail "a paused container handled USR1"
        capture cc tasks resume "$N"
        assert_rc 0 "ctr tasks resume"
        assert_task_status "$N" RUNNING
        assert_eq "ctr-launch state" running "$(runtime_status "$N")"
        wait_for "the USR1 sent while paused to be handled after resume" log_has "got USR1"
        capture cc tasks kill -s KILL "$N"
        wait_for "ctr tasks ls to show $N STOPPED" task_stopped "$N"
        remove "$N"
}

t_metrics() {
        start_loop m --memory-limit 67108864
        capture cc tasks metrics "$N"
        assert_rc 0 "ctr tasks metrics"
        # cgroup v1: memory.limit_in_bytes; v2: memory.max (the table's names follow the layout).
        expect_line "ctr tasks metrics: the memory limit" "$OUT" '^memory\.(limit_in_bytes|max|usage_limit) +67108864 *$'
        expect_line "ctr tasks metrics: the processes" "$OUT" '^pids\.current +[1-9][0-9]* *$'
        capture cc tasks metrics --format json "$N"
        assert_rc 0 "ctr tasks metrics --format json"
        "$PY" - "$OUT" <<'PY' || fail "ctr tasks metrics --format json: $OUT"
import json, sys
m = json.loads(sys.argv[1])
assert m["pids"]["current"] >= 1, m["pids"]
mem = m["memory"]
limit = mem.get("usage", {}).get("limit") or mem.get("usage_limit")
assert limit == 67108864, mem
PY
        capture cc tasks kill -s KILL "$N"
        wait_for "ctr tasks ls to show $N STOPPED" task_stopped "$N"
        remove "$N"
}

t_delete() {
        start_loop del
        capture cc tasks delete "$N"
        assert_fails "ctr tasks delete of a running task"
        assert_task_status "$N" RUNNING
        capture cc tasks delete -f "$N"
        assert_rc 0 "ctr tasks delete -f of a running task"
        [ -z "$(task_status "$N")" ] || fail "ctr tasks ls still lists $N after delete -f"
        assert_eq "ctr-launch state of $N after delete -f" none "$(runtime_status "$N")"
        capture cc containers rm "$N"
        assert_rc 0 "ctr containers rm"
}

t_exec() {
        start_loop e
        capture cc tasks exec --exec-id e1 "$N" sh -c 'echo in-exec; echo "mark=$CTR_TEST_MARK"; cat /proc/self/cgroup; echo ---; cat /proc/1/cgroup'
        assert_rc 0 "ctr tasks exec"
        expect_line "ctr tasks exec's output" "$OUT" '^in-exec$'
        expect_line "the container's environment in exec" "$OUT" "^mark=$MARK\$"
        expect_line "the exec'd process's cgroup" "$OUT" ":/$NS/$N\$"
        assert_eq "the exec'd process's cgroups (its PID 1's)" "$(sed -n '/^---$/,$p' <<<"$OUT" | sed 1d)" \
                "$(sed -n '/^mark=/,/^---$/p' <<<"$OUT" | sed '1d;$d')"
        capture cc tasks exec --exec-id e2 "$N" sh -c 'exit 3'
        assert_rc 3 "ctr tasks exec of sh -c 'exit 3'"
        capture cc tasks exec --exec-id e3 --user 65534 --cwd /tmp "$N" sh -c 'echo "$(id -u) $(pwd)"'
        assert_rc 0 "ctr tasks exec --user --cwd"
        assert_eq "ctr tasks exec --user 65534 --cwd /tmp" "65534 /tmp" "$OUT"
        capture cc tasks kill -s KILL "$N"
        wait_for "ctr tasks ls to show $N STOPPED" task_stopped "$N"
        remove "$N"
}

case_run run t_run
case_run run-detached t_run_detached
case_run kill t_kill
case_run pause-resume t_pause_resume
case_run metrics t_metrics
case_run delete t_delete
case_run exec t_exec
clients_finish
