#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# podman 4.3 + conmon with ctr-launch as their OCI runtime (`podman --runtime PATH`): what podman
# shows for run, run -d, logs, top, pause, update, kill, stop, restart, rm, --read-only, exec and
# a health check. The cgroup manager is cgroupfs (no systemd needed: this machine), or systemd
# with CTR_PODMAN_CGROUP_MANAGER=systemd (the VM test host, tests/system/integration.sh): podman
# then passes --systemd-cgroup, and ctr-launch asks systemd for a scope.
# Usage: podman.sh PATH-TO-ctr-launch (root; TAP; skipped without podman).
#
# podman's storage, run root, tmpdir, events log and config are private to the run (under the
# scratch directory), images included: a busybox image imported from the test's rootfs, no
# registry. podman passes ctr-launch no --root, so its state lives in /run/ctr-launch, where the
# check after each case looks for anything new.

source "$(dirname "$0")/lib.sh"
clients_init "podman:podman conmon:conmon unshare:util-linux" "$@"

PM=$T/podman
PODMAN_CGROUP_MANAGER=${CTR_PODMAN_CGROUP_MANAGER:-cgroupfs}
IMG=localhost/ctr-busybox:test
mkdir -p "$PM/tmp" "$PM/varlib"
# This machine's root lacks CAP_SYS_RESOURCE: podman's defaults for root (RLIMIT_NOFILE and
# RLIMIT_NPROC 1048576) are refused by setrlimit, with runc and crun too. Limits below any
# host's stand in.
cat >"$PM/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:4096", "nproc=1024:4096"]
netns = "none"
[engine]
cgroup_manager = "$PODMAN_CGROUP_MANAGER"
events_logger = "file"
events_logfile_path = "$PM/events.log"
EOF
cat >"$PM/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$PM/storage"
runroot = "$PM/run"
EOF
export CONTAINERS_CONF=$PM/containers.conf CONTAINERS_STORAGE_CONF=$PM/storage.conf

# pm ARGS...: podman on the private storage with ctr-launch as its runtime; a command that hangs
# is killed after 60 s (exit 124).
pm() {
        timeout -k 5 "${PODMAN_TIMEOUT:-60}" podman --root "$PM/storage" --runroot "$PM/run" \
                --tmpdir "$PM/tmp" --storage-driver vfs --cgroup-manager "$PODMAN_CGROUP_MANAGER" \
                --events-backend file --runtime "$CTR" "$@"
}

RUNTIME_ROOT=/run/ctr-launch
CGROUP_GLOBS="/sys/fs/cgroup/libpod_parent/libpod-* /sys/fs/cgroup/*/libpod_parent/libpod-*
              /sys/fs/cgroup/machine.slice/libpod-* /sys/fs/cgroup/*/machine.slice/libpod-*"

client_snapshot() { :; }
# What podman still lists of the case's containers (their names carry the case's marker).
client_left() {
        pm ps -a --format '{{.Names}} {{.Status}}' 2>/dev/null | grep -F -- "$MARK" |
                sed 's/^/podman still lists: /' || true
}
client_cleanup() {
        local ids
        ids=$(pm ps -aq --filter "name=$MARK") || return 0
        [ -z "$ids" ] || pm rm -f -t 0 $ids
}
client_exit() {
        local s
        [ -d "$PM/storage" ] || return 0
        pm rm -a -f -t 0 >/dev/null 2>&1
        pm rmi -a -f >/dev/null 2>&1
        # conmon leaves its console socket in /tmp when the runtime's exec fails (podman passes
        # it no TMPDIR): remove the ones that appeared during this run.
        for s in /tmp/conmon-term.*; do
                if [ -S "$s" ] && ! grep -qxF -- "$s" "$PM/conmon-term.before"; then rm -f -- "$s"; fi
        done
}
trap clients_exit EXIT
ls -d /tmp/conmon-term.* >"$PM/conmon-term.before" 2>/dev/null || true

# The image: the busybox rootfs, imported. The import writes containers/image's blob-info cache
# to /var/lib/containers/cache whatever the storage options say: a private /var/lib keeps the
# host's untouched.
tar -C "$T/rootfs-template" -cf "$PM/rootfs.tar" .
unshare -m --propagation private sh -c 'mount --bind "$1" /var/lib && shift && exec "$@"' sh \
        "$PM/varlib" podman --root "$PM/storage" --runroot "$PM/run" --tmpdir "$PM/tmp" \
        --storage-driver vfs import "$PM/rootfs.tar" "$IMG" >"$PM/import.log" 2>&1 ||
        hard_error "podman import of the busybox rootfs failed: $(tail -n 3 "$PM/import.log")"
diag "podman $(podman --version | awk '{print $3}'), conmon $(conmon --version | awk 'NR==1 {print $3}')"

# ---------------------------------------------------------------- helpers

# N: the case's container name for $1 (it carries the marker).
cname() {
        echo "$MARK-$1"
}

# prun NAME ARGS...: `podman run` of the image as container $MARK-NAME, the marker in its
# environment; ARGS are podman's options, then the command after `--`. Sets RC, OUT, ERR, N.
prun() {
        N=$(cname "$1")
        shift
        local opts=()
        while [ $# -gt 0 ] && [ "$1" != -- ]; do
                opts+=("$1")
                shift
        done
        shift
        capture pm run --pull never --name "$N" --env "CTR_TEST_MARK=$MARK" "${opts[@]}" "$IMG" "$@"
}

# A payload that says "started", echoes the signals it gets and exits 0 on TERM.
LOOP='trap "echo got USR1" USR1; trap "echo got TERM; exit 0" TERM; echo started; while :; do sleep 0.1; done'

# start_loop NAME [OPTS...]: `podman run -d` of LOOP; waits for "started" in podman logs. Sets
# N and ID (podman's full id, which is ctr-launch's container id).
start_loop() {
        local name=$1
        shift
        prun "$name" -d "$@" -- sh -c "$LOOP"
        assert_rc 0 "podman run -d $name"
        ID=$OUT
        [[ $ID =~ ^[0-9a-f]{64}$ ]] || fail "podman run -d printed \"$ID\", not a container id"
        until_out "podman logs $N to show \"started\"" '^started$' pm logs "$N"
}

# ps_status NAME: the STATUS column of `podman ps -a` for container NAME.
ps_status() {
        pm ps -a --filter "name=^$1\$" --format '{{.Status}}'
}
assert_ps_status() {
        local n=$1 re=$2 got
        got=$(ps_status "$n")
        [[ $got =~ $re ]] || fail "podman ps -a: expected the status of $n to match /$re/, got \"$got\""
}

inspect() {
        pm inspect -f "$2" "$1"
}

# The runtime's own view of container ID: `ctr-launch state`'s status, or "none".
runtime_status() {
        local out
        out=$("$CTR" state "$1" 2>/dev/null) || { echo none; return 0; }
        json_get status <<<"$out"
}

runtime_gone() {
        [ "$(runtime_status "$1")" = none ]
}

# count_lines NAME REGEX: how many lines of `podman logs NAME` match REGEX.
count_lines() {
        pm logs "$1" 2>&1 | grep -Ec -- "$2" || true
}

# cgroup_file ID CONTROLLER FILE-V1 FILE-V2: the container's cgroup file, v1 or v2.
cgroup_file() {
        local id=$1 ctl=$2 v1=$3 v2=$4 pid dir
        pid=$(inspect "$id" '{{.State.Pid}}')
        # Where the container's init is, whoever placed it: v1's CTL hierarchy, else the unified one.
        dir=$(awk -F: -v c="$ctl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")
        if [ -n "$dir" ] && [ -e "/sys/fs/cgroup/$ctl$dir/$v1" ]; then
                echo "/sys/fs/cgroup/$ctl$dir/$v1"
        else
                echo "/sys/fs/cgroup$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")/$v2"
        fi
}

# ---------------------------------------------------------------- cases

t_run() {
        prun r --rm -- sh -c 'echo "hello from $(hostname)"; ulimit -n; echo "pid $$"'
        assert_rc 0 "podman run --rm"
        expect_line "podman run's output" "$OUT" '^hello from '
        # The image's config and podman's: the rlimit of containers.conf, PID 1 in its namespace.
        expect_line "ulimit -n in the container" "$OUT" '^1024$'
        expect_line "the shell's pid in the container" "$OUT" '^pid 1$'

        prun r2 --rm -- sh -c 'exit 3'
        assert_rc 3 "podman run --rm of sh -c 'exit 3' (the container's status)"
}

t_run_detached() {
        start_loop d
        assert_ps_status "$N" '^Up '
        assert_eq "podman inspect .State.Status" running "$(inspect "$N" '{{.State.Status}}')"
        assert_eq "ctr-launch state of $ID" running "$(runtime_status "$ID")"
        local pid
        pid=$(inspect "$N" '{{.State.Pid}}')
        assert_eq "the pid podman shows vs ctr-launch state" "$pid" "$("$CTR" state "$ID" | json_get pid)"
        capture pm stop -t 10 "$N"
        assert_rc 0 "podman stop"
        assert_ps_status "$N" '^Exited \(0\)'
        expect_line "podman logs after stop" "$(pm logs "$N")" '^got TERM$'
        wait_for "ctr-launch to forget $ID after podman stop" runtime_gone "$ID"
        capture pm rm "$N"
        assert_rc 0 "podman rm"
        [ -z "$(ps_status "$N")" ] || fail "podman ps -a still lists $N after rm"
}

t_logs() {
        prun l -- sh -c 'echo out1; echo err1 >&2; sleep 0.1; echo out2'
        assert_rc 0 "podman run (attached)"
        assert_eq "podman run's stdout" "out1
out2" "$OUT"
        assert_eq "podman run's stderr" "err1" "$ERR"
        capture pm logs "$N"
        assert_rc 0 "podman logs"
        assert_eq "podman logs' stdout" "out1
out2" "$OUT"
        assert_eq "podman logs' stderr" "err1" "$ERR"
        pm rm "$N" >/dev/null
}

t_top() {
        start_loop t
        capture pm top "$N"
        assert_rc 0 "podman top"
        expect_line "podman top's header" "$OUT" '^USER +PID +PPID +%CPU'
        expect_line "podman top: the container's PID 1" "$OUT" '^root +1 +0 .*sh -c trap'
        capture pm top "$N" pid comm
        assert_rc 0 "podman top pid comm"
        expect_line "podman top pid comm" "$OUT" '^1 +sh$'
        pm rm -f -t 0 "$N" >/dev/null
}

t_pause_unpause() {
        start_loop p
        local freezer
        capture pm pause "$N"
        assert_rc 0 "podman pause"
        assert_ps_status "$N" '^Paused$'
        assert_eq "podman inspect .State.Status" paused "$(inspect "$N" '{{.State.Status}}')"
        assert_eq "ctr-launch state" paused "$(runtime_status "$ID")"
        freezer=$(cgroup_file "$ID" freezer freezer.state cgroup.freeze)
        case $(cat "$freezer") in FROZEN | 1) ;; *) fail "$freezer: $(cat "$freezer"), not frozen" ;; esac
        # Frozen: the log does not grow.
        local n1 n2
        capture pm kill -s USR1 "$N"
        sleep 0.5
        n1=$(pm logs "$N" | grep -c 'got USR1' || true)
        assert_eq "\"got USR1\" lines while paused" 0 "$n1"

        capture pm unpause "$N"
        assert_rc 0 "podman unpause"
        assert_ps_status "$N" '^Up '
        assert_eq "ctr-launch state" running "$(runtime_status "$ID")"
        until_out "the USR1 sent while paused to be handled after unpause" '^got USR1$' pm logs "$N"
        n2=$(cat "$freezer")
        case $n2 in THAWED | 0) ;; *) fail "$freezer: $n2 after unpause" ;; esac
        pm rm -f -t 0 "$N" >/dev/null
}

t_update() {
        start_loop u
        capture pm update --cpu-shares 512 --memory 64m "$N"
        assert_rc 0 "podman update --cpu-shares 512 --memory 64m"
        local mem cpu
        mem=$(cgroup_file "$ID" memory memory.limit_in_bytes memory.max)
        cpu=$(cgroup_file "$ID" cpu cpu.shares cpu.weight)
        assert_eq "$mem" 67108864 "$(cat "$mem")"
        case $cpu in
        *cpu.shares) assert_eq "$cpu" 512 "$(cat "$cpu")" ;;
        *) assert_eq "$cpu (512 shares)" 20 "$(cat "$cpu")" ;;
        esac
        # podman 4.3's inspect and stats show the limits of the create, not of the update:
        # the container is what shows them.
        assert_ps_status "$N" '^Up '
        pm rm -f -t 0 "$N" >/dev/null
}

t_kill() {
        start_loop k
        capture pm kill -s USR1 "$N"
        assert_rc 0 "podman kill -s USR1"
        until_out "podman logs to show the USR1" '^got USR1$' pm logs "$N"
        assert_ps_status "$N" '^Up '
        capture pm kill "$N"
        assert_rc 0 "podman kill"
        wait_for "podman to see $N exit" out_matches '^Exited' ps_status "$N"
        assert_ps_status "$N" '^Exited \(137\)'
        assert_eq "podman inspect .State.ExitCode" 137 "$(inspect "$N" '{{.State.ExitCode}}')"
        pm rm "$N" >/dev/null
}

t_stop() {
        # PID 1 without a TERM handler ignores TERM: podman waits -t 1, then kills.
        prun s -d -- sh -c 'echo started; while :; do sleep 0.1; done'
        assert_rc 0 "podman run -d"
        until_out "podman logs to show \"started\"" '^started$' pm logs "$N"
        local t0=$SECONDS
        capture pm stop -t 1 "$N"
        assert_rc 0 "podman stop -t 1"
        assert_ps_status "$N" '^Exited \(137\)'
        [ $((SECONDS - t0)) -le 8 ] || fail "podman stop -t 1 took $((SECONDS - t0)) s"
        pm rm "$N" >/dev/null
}

t_restart() {
        start_loop rs
        local pid1 pid2 id1=$ID
        pid1=$(inspect "$N" '{{.State.Pid}}')
        capture pm restart -t 5 "$N"
        assert_rc 0 "podman restart"
        assert_ps_status "$N" '^Up '
        pid2=$(inspect "$N" '{{.State.Pid}}')
        [ "$pid1" != "$pid2" ] || fail "podman restart: the container's pid stayed $pid1"
        assert_eq "ctr-launch state pid after restart" "$pid2" "$("$CTR" state "$id1" | json_get pid)"
        until_out "two \"started\" in podman logs" '^2$' count_lines "$N" '^started$'
        expect_line "podman logs after restart" "$(pm logs "$N")" '^got TERM$'
        pm rm -f -t 0 "$N" >/dev/null
}

t_rm() {
        start_loop rm
        capture pm rm "$N"
        assert_fails "podman rm of a running container"
        assert_ps_status "$N" '^Up '
        capture pm rm -f -t 2 "$N"
        assert_rc 0 "podman rm -f"
        [ -z "$(ps_status "$N")" ] || fail "podman ps -a still lists $N after rm -f"
        assert_eq "ctr-launch state of $ID after rm -f" none "$(runtime_status "$ID")"
}

t_read_only() {
        prun ro --rm --read-only -- sh -c 'touch /x 2>&1; touch /tmp/y && echo tmp-writable; touch /run/z && echo run-writable; grep " / " /proc/mounts'
        assert_rc 0 "podman run --read-only"
        expect_line "touch / in a --read-only container" "$OUT" 'Read-only file system'
        expect_line "podman's tmpfs on /tmp" "$OUT" '^tmp-writable$'
        expect_line "podman's tmpfs on /run" "$OUT" '^run-writable$'
        expect_line "/ in /proc/mounts" "$OUT" ' / [^ ]+ ro[, ]'
}

t_exec() {
        start_loop e
        capture pm exec "$N" sh -c 'echo in-exec; tty; echo "mark=$CTR_TEST_MARK"; cat /proc/self/cgroup; echo ---; cat /proc/1/cgroup'
        assert_rc 0 "podman exec"
        expect_line "podman exec's output" "$OUT" '^in-exec$'
        expect_line "podman exec without -t" "$OUT" '^not a tty$'
        expect_line "the container's environment in exec" "$OUT" "^mark=$MARK\$"
        # The init's cgroups, as the container sees them (on cgroup v2 podman gives it a cgroup
        # namespace: "0::/"), and, from the host, the container's own (libpod-ID).
        assert_eq "the exec'd process's cgroups (its PID 1's)" "$(sed -n '/^---$/,$p' <<<"$OUT" | sed 1d)" \
                "$(sed -n '/^mark=/,/^---$/p' <<<"$OUT" | sed '1d;$d')"
        grep -q "libpod-$ID" "/proc/$(inspect "$N" '{{.State.Pid}}')/cgroup" ||
                fail "the container's init is not in a libpod-$ID cgroup: $(cat "/proc/$(inspect "$N" '{{.State.Pid}}')/cgroup")"
        capture pm exec "$N" sh -c 'exit 3'
        assert_rc 3 "podman exec of sh -c 'exit 3'"
        capture pm exec -e FOO=bar -u 65534 -w /tmp "$N" sh -c 'echo "$FOO $(id -u) $(pwd)"'
        assert_rc 0 "podman exec -e -u -w"
        assert_eq "podman exec -e FOO=bar -u 65534 -w /tmp" "bar 65534 /tmp" "$OUT"
        pm rm -f -t 0 "$N" >/dev/null
}

t_exec_tty() {
        start_loop et
        capture pm exec -t "$N" sh -c 'tty; echo done'
        assert_rc 0 "podman exec -t"
        expect_line "podman exec -t: the process's terminal" "$OUT" '^/dev/pts/[0-9]+'
        expect_line "podman exec -t's output" "$OUT" '^done'
        pm rm -f -t 0 "$N" >/dev/null
}

t_healthcheck() {
        mkdir -p "$C/shared"
        # --health-interval 0: no timer (podman's are systemd units); `healthcheck run` is the tick.
        start_loop h -v "$C/shared:/shared" --health-cmd 'test -e /shared/healthy' \
                --health-interval 0 --health-retries 1
        capture pm healthcheck run "$N"
        assert_rc 1 "podman healthcheck run, not healthy yet"
        expect_line "podman healthcheck run" "$OUT" '^unhealthy$'
        assert_eq "podman inspect .State.Health.Status" unhealthy "$(inspect "$N" '{{.State.Health.Status}}')"
        touch "$C/shared/healthy"
        capture pm healthcheck run "$N"
        assert_rc 0 "podman healthcheck run, healthy"
        assert_eq "podman inspect .State.Health.Status" healthy "$(inspect "$N" '{{.State.Health.Status}}')"
        assert_ps_status "$N" '\(healthy\)$'
        pm rm -f -t 0 "$N" >/dev/null
}

# Where AppArmor is on (the VM's Debian kernel with Debian's apparmor package), podman puts its
# default profile in every config and loads it: the container's process and an exec'd one run
# under it, and a process that breaks one of its rules is refused (issue 20).
t_apparmor_default() {
        [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] ||
                skip "AppArmor is not enabled on this host's kernel (the VM test host has it)"
        command -v apparmor_parser >/dev/null || hard_error "apparmor_parser missing: install apparmor (TEST_PACKAGES)"
        start_loop aa
        local profile
        profile=$(inspect "$N" '{{.AppArmorProfile}}')
        [[ $profile == containers-default-* ]] || fail "podman inspect .AppArmorProfile: \"$profile\", not podman's default"
        capture cat "/proc/$(inspect "$N" '{{.State.Pid}}')/attr/current"
        assert_eq "the container process's label" "$profile (enforce)" "$OUT"
        capture pm exec "$N" cat /proc/self/attr/current
        assert_rc 0 "podman exec cat /proc/self/attr/current"
        assert_eq "an exec'd process's label" "$profile (enforce)" "$OUT"
        # The profile denies writing /proc/sysrq-trigger even to root in the container.
        capture pm exec "$N" sh -c 'echo h >/proc/sysrq-trigger'
        [ "$RC" != 0 ] || fail "writing /proc/sysrq-trigger under $profile succeeded"
        pm rm -f -t 0 "$N" >/dev/null
}

case_run run t_run
case_run apparmor-default t_apparmor_default
case_run run-detached t_run_detached
case_run logs t_logs
case_run top t_top
case_run pause-unpause t_pause_unpause
case_run update t_update
case_run kill t_kill
case_run stop t_stop
case_run restart t_restart
case_run rm t_rm
case_run read-only t_read_only
case_run exec t_exec
case_run exec-tty t_exec_tty
case_run healthcheck t_healthcheck
clients_finish
