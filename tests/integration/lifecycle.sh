#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Lifecycle of a container through the command line: create/start/run/state/kill/delete/list/
# spec, the exec.fifo handshake, concurrency on one id, broken state, the CLI's own texts.
# Usage: lifecycle.sh PATH-TO-ctr-launch (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
lib_init "$@"

t_run_true() {
        mk_bundle b /bin/true
        capture ctr run -b "$B" c1
        assert_rc 0 "run /bin/true"
        [ ! -e "$ROOT/c1" ] || fail "run without --detach must delete the container at the end: $ROOT/c1 still exists"
}

# A config nested exactly as deep as the JSON guard allows (64 levels: the object and 63 arrays
# in a member nobody reads) runs: the init once got it one level deeper, inside its own document,
# and refused it after create had accepted it. One level more is refused by create itself.
deep_config() {
        "$PY" - "$B/config.json" "$1" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
s = open(path).read().rstrip()
open(path, "w").write(s[:-1] + ', "x-deep": ' + "[" * n + "]" * n + "}")
PY
}
t_config_at_depth_limit() {
        mk_bundle b /bin/true
        deep_config 63
        capture ctr run -b "$B" c1
        assert_rc 0 "run with a config 64 levels deep"
        mk_bundle b2 /bin/true
        deep_config 64
        capture ctr create -b "$B" c2
        assert_fails "create with a config 65 levels deep"
        assert_one_error_line "create with a config 65 levels deep" 'deeper than 64'
        [ ! -e "$ROOT/c2" ] || fail "a refused create left $ROOT/c2 behind"
}

t_exit_status() {
        mk_bundle b /bin/sh -c 'exit 7'
        capture ctr run -b "$B" c1
        assert_rc 7 "run sh -c 'exit 7'"

        # Killed by a signal: 128+N. Without a PID namespace the shell is not an init, so it
        # can signal itself.
        mk_bundle b2 /bin/sh -c 'kill -USR1 $$; sleep 5'
        cfg "$B" delns pid
        capture ctr run -b "$B" c2
        assert_rc 138 "run of a process killed by SIGUSR1 (10)"

        # An init in its own PID namespace, killed from outside.
        mk_bundle b3 /bin/sh -c "$(long_running)"
        capture_start c3 ctr run -b "$B" c3
        local runpid=$BG_PID
        wait_for "c3 ready" test -e "$C/shared/ready"
        capture ctr kill c3 KILL
        assert_rc 0 "kill c3 KILL"
        capture_end "$runpid" c3
        assert_rc 137 "run of a container killed by SIGKILL (9)"
}

t_create_start_kill_delete() {
        mk_bundle b /bin/sh -c "$(long_running)"
        capture ctr create -b "$B" c1
        assert_rc 0 "create"
        [ -z "$OUT" ] || fail "create printed on stdout: $OUT"
        assert_status c1 created
        local pid
        pid=$(pid_of c1)
        pid_alive "$pid" || fail "state of a created container gives pid $pid, which is not alive"
        [ -p "$ROOT/c1/exec.fifo" ] || fail "created container: expected the FIFO $ROOT/c1/exec.fifo"

        capture ctr start c1
        assert_rc 0 "start"
        assert_status c1 running
        assert_eq "pid after start" "$pid" "$(pid_of c1)"
        [ ! -e "$ROOT/c1/exec.fifo" ] || fail "running container: exec.fifo should be gone"
        wait_for "the payload to run" test -e "$C/shared/ready"

        capture ctr kill c1
        assert_rc 0 "kill (default TERM)"
        wait_for "c1 to be stopped" status_is c1 stopped
        pid_alive "$pid" && fail "stopped, but pid $pid is alive"

        capture ctr delete c1
        assert_rc 0 "delete of a stopped container"
        [ ! -e "$ROOT/c1" ] || fail "delete left $ROOT/c1"
        capture ctr state c1
        assert_fails "state of a deleted container"
        assert_one_error_line "state of a deleted container" 'c1|exist|not found|no such'
}

t_state_json() {
        mk_bundle b /bin/sh -c "$(long_running)"
        ctr create -b "$B" c1 </dev/null
        capture ctr state c1
        assert_rc 0 "state"
        "$PY" - "$B" "$OUT" <<'EOF' || fail "state JSON, as printed: $OUT"
import json, re, sys, os
bundle, out = sys.argv[1], sys.argv[2]
s = json.loads(out)
errors = []
for k in ("ociVersion", "id", "status", "pid", "bundle", "annotations", "created"):
    if k not in s:
        errors.append(f"missing key {k}")
if s.get("id") != "c1":
    errors.append(f"id: expected c1, got {s.get('id')!r}")
if s.get("status") != "created":
    errors.append(f"status: expected created, got {s.get('status')!r}")
if not isinstance(s.get("pid"), int) or s.get("pid", 0) <= 0:
    errors.append(f"pid: expected a positive integer, got {s.get('pid')!r}")
if s.get("bundle") != bundle:
    errors.append(f"bundle: expected {bundle}, got {s.get('bundle')!r}")
if s.get("annotations") != {"org.ctr-launch.test": "yes"}:
    errors.append(f"annotations: expected the config's, got {s.get('annotations')!r}")
if not isinstance(s.get("ociVersion"), str) or not s.get("ociVersion"):
    errors.append(f"ociVersion: expected a version string, got {s.get('ociVersion')!r}")
rfc3339 = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$"
if not isinstance(s.get("created"), str) or not re.match(rfc3339, s["created"]):
    errors.append(f"created: expected RFC 3339, got {s.get('created')!r}")
for e in errors:
    print("state JSON:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
EOF
        ctr delete c1
}

t_fifo_blocks() {
        mk_bundle b /bin/touch /shared/ran
        capture ctr create -b "$B" c1
        assert_rc 0 "create"
        # Give an early process every chance to show itself (not a timing assertion: the file
        # must never appear before start).
        sleep 1
        [ ! -e "$C/shared/ran" ] || fail "the user's process ran before start (it created /shared/ran)"
        assert_status c1 created
        capture ctr start c1
        assert_rc 0 "start"
        wait_for "the process to run after start" test -e "$C/shared/ran"
        wait_for "c1 to be stopped" status_is c1 stopped
        capture ctr delete c1
        assert_rc 0 "delete"
}

t_start_dead_init() {
        mk_bundle b /bin/true
        ctr create -b "$B" c1 </dev/null
        local pid
        pid=$(pid_of c1)
        kill -9 "$pid"
        wait_for "the init to die" eval '! pid_alive '"$pid"
        capture timeout -k 1 5 "$CTR" --root "$ROOT" start c1
        [ "$RC" != 124 ] && [ "$RC" != 137 ] || fail "start on a container whose init died hangs (killed by timeout 5)"
        assert_fails "start after the init was killed"
        assert_one_error_line "start after the init was killed" 'stopped|not running|dead|exited|gone|no longer|not created|created'
        assert_status c1 stopped
        capture ctr delete c1
        assert_rc 0 "delete of a container whose init was killed"
}

t_double_start() {
        mk_bundle b /bin/sh -c "$(long_running)"
        ctr create -b "$B" c1 </dev/null
        local pid
        pid=$(pid_of c1)
        capture ctr start c1
        assert_rc 0 "first start"
        wait_for "payload" test -e "$C/shared/ready"
        local before
        before=$(ls -A "$ROOT/c1" | sort | tr '\n' ' ')
        capture ctr start c1
        assert_fails "second start"
        assert_one_error_line "second start" 'running|not created|created|already|state'
        assert_status c1 running
        assert_eq "pid after the second start" "$pid" "$(pid_of c1)"
        pid_alive "$pid" || fail "the second start killed the container"
        assert_eq "state dir after the second start" "$before" "$(ls -A "$ROOT/c1" | sort | tr '\n' ' ')"

        # Start on a stopped container: an error too.
        ctr kill c1 KILL
        wait_for "c1 stopped" status_is c1 stopped
        capture ctr start c1
        assert_fails "start of a stopped container"
        assert_one_error_line "start of a stopped container" 'stopped|not created|created|state'
        ctr delete c1
}

t_concurrent_start() {
        local i r1 r2 n
        mk_bundle b /bin/sh -c 'echo started >> /shared/starts; trap "exit 0" TERM; while :; do sleep 0.2; done'
        for i in 1 2 3; do
                ctr create -b "$B" "c$i" </dev/null
                ctr start "c$i" </dev/null >"$C/s1" 2>&1 &
                r1=$!
                ctr start "c$i" </dev/null >"$C/s2" 2>&1 &
                r2=$!
                wait "$r1" && RC=0 || RC=$?
                local a=$RC
                wait "$r2" && RC=0 || RC=$?
                local b=$RC
                if [ "$a" = 0 ] && [ "$b" = 0 ]; then fail "round $i: both concurrent starts succeeded"; fi
                if [ "$a" != 0 ] && [ "$b" != 0 ]; then fail "round $i: both concurrent starts failed: $(cat "$C/s1" "$C/s2")"; fi
                [ "$a" -lt 124 ] && [ "$b" -lt 124 ] || fail "round $i: a start hung or crashed (exit $a and $b)"
                assert_status "c$i" running
                wait_for "round $i payload" eval "[ \"\$(grep -c . '$C/shared/starts' 2>/dev/null)\" = $i ]"
        done
        n=$(grep -c . "$C/shared/starts")
        assert_eq "number of processes started in 3 rounds" 3 "$n"
        for i in 1 2 3; do ctr delete --force "c$i"; done
}

t_concurrent_create() {
        local i a b
        mk_bundle b /bin/true
        for i in 1 2 3; do
                ctr create -b "$B" "c$i" </dev/null >"$C/o1" 2>&1 &
                a=$!
                ctr create -b "$B" "c$i" </dev/null >"$C/o2" 2>&1 &
                b=$!
                wait "$a" && a=0 || a=$?
                wait "$b" && b=0 || b=$?
                if [ "$a" = 0 ] && [ "$b" = 0 ]; then fail "round $i: both concurrent creates of c$i succeeded"; fi
                if [ "$a" != 0 ] && [ "$b" != 0 ]; then fail "round $i: both concurrent creates failed: $(cat "$C/o1" "$C/o2")"; fi
                [ "$a" -lt 124 ] && [ "$b" -lt 124 ] || fail "round $i: a create hung or crashed (exit $a and $b)"
                if [ "$a" != 0 ]; then ERR=$(cat "$C/o1"); else ERR=$(cat "$C/o2"); fi
                RC=1 OUT=""
                assert_one_error_line "the losing create" 'exist|in use|taken|busy'
                assert_status "c$i" created
        done
        # Exactly one init per id, and no loser left running.
        local n
        marked_procs "$MARK" "$C" >"$C/procs"
        n=$(grep -c . "$C/procs" || true)
        [ "$n" = 3 ] || fail "expected 3 processes (one init per id), found $n: $(cat "$C/procs")"
        for i in 1 2 3; do
                capture ctr delete "c$i"
                assert_rc 0 "delete c$i"
        done
}

t_delete_created() {
        mk_bundle b /bin/touch /shared/ran
        ctr create -b "$B" c1 </dev/null
        local pid
        pid=$(pid_of c1)
        capture ctr delete c1
        assert_rc 0 "delete of a created container"
        [ ! -e "$ROOT/c1" ] || fail "delete left $ROOT/c1"
        wait_for "the init (pid $pid) to be gone" eval '! pid_alive '"$pid"
        [ ! -e "$C/shared/ran" ] || fail "deleting a created container ran its process"
}

t_delete_running_needs_force() {
        mk_bundle b /bin/sh -c "$(long_running)"
        ctr run -d -b "$B" c1 </dev/null >/dev/null 2>&1
        local pid
        pid=$(pid_of c1)
        capture ctr delete c1
        assert_fails "delete without --force of a running container"
        assert_one_error_line "delete of a running container" 'running|force'
        pid_alive "$pid" || fail "a refused delete killed the container"
        capture ctr delete --force c1
        assert_rc 0 "delete --force of a running container"
        [ ! -e "$ROOT/c1" ] || fail "delete --force left $ROOT/c1"
        wait_for "the container (pid $pid) to be gone" eval '! pid_alive '"$pid"
}

# Broken state: $1 = truncate|remove (state.json), $2 = alive|dead (the init).
broken_case() {
        local how=$1 init=$2 pid
        mk_bundle b /bin/sh -c "$(long_running)"
        ctr create -b "$B" c1 </dev/null
        pid=$(pid_of c1)
        if [ "$init" = dead ]; then
                kill -9 "$pid"
                wait_for "the init to die" eval '! pid_alive '"$pid"
        fi
        case $how in
        creating) sed -i 's/"creating" *: *false/"creating":true/' "$ROOT/c1/state.json"
                  grep -q '"creating":true' "$ROOT/c1/state.json" || fail "could not mark the state creating" ;;
        truncate) head -c 10 "$ROOT/c1/state.json" >"$C/half" && cat "$C/half" >"$ROOT/c1/state.json" ;;
        empty) : >"$ROOT/c1/state.json" ;;
        remove) rm -f "$ROOT/c1/state.json" ;;
        esac
        capture ctr delete --force c1
        assert_rc 0 "delete --force with state.json made $how, init $init"
        [ -n "$ERR" ] && note "delete --force said: $ERR"
        [ ! -e "$ROOT/c1" ] || fail "delete --force left $ROOT/c1: $(ls -A "$ROOT/c1")"
        wait_for "the init (pid $pid) to be killed" eval '! pid_alive '"$pid"
}

t_list() {
        mk_bundle b /bin/sh -c "$(long_running)"
        ctr create -b "$B" a-created </dev/null
        ctr create -b "$B" b-running </dev/null
        ctr start b-running
        mk_bundle b2 /bin/true
        ctr create -b "$B" c-stopped </dev/null
        ctr start c-stopped
        wait_for "c-stopped to stop" status_is c-stopped stopped

        capture ctr list
        assert_rc 0 "list"
        local line id want
        echo "$OUT" | head -1 | grep -q 'ID' || fail "list: expected a header line with ID, got: $(echo "$OUT" | head -1)"
        echo "$OUT" | head -1 | grep -q 'STATUS' || fail "list: expected a STATUS column, got: $(echo "$OUT" | head -1)"
        assert_eq "list: number of lines (header + 3)" 4 "$(echo "$OUT" | grep -c .)"
        for id in a-created:created b-running:running c-stopped:stopped; do
                want=${id#*:} id=${id%%:*}
                line=$(echo "$OUT" | awk -v id="$id" '$1 == id')
                [ -n "$line" ] || fail "list: no line for $id in:
$OUT"
                echo "$line" | grep -qw "$want" || fail "list: expected $id to be $want, got: $line"
        done

        capture ctr list --format json
        assert_rc 0 "list --format json"
        "$PY" - "$OUT" <<'EOF' || fail "list --format json, as printed: $OUT"
import json, sys
l = json.loads(sys.argv[1])
got = sorted((c["id"], c["status"]) for c in l)
want = [("a-created", "created"), ("b-running", "running"), ("c-stopped", "stopped")]
if got != want:
    print(f"expected {want}, got {got}", file=sys.stderr)
    sys.exit(1)
for c in l:
    for k in ("pid", "bundle", "created"):
        if k not in c:
            print(f"entry {c.get('id')} lacks {k}", file=sys.stderr)
            sys.exit(1)
EOF

        capture ctr list --quiet
        assert_rc 0 "list --quiet"
        assert_eq "list --quiet" "a-created b-running c-stopped" "$(echo "$OUT" | sort | tr '\n' ' ' | sed 's/ $//')"
        capture ctr list -q
        assert_eq "list -q" "a-created b-running c-stopped" "$(echo "$OUT" | sort | tr '\n' ' ' | sed 's/ $//')"

        for id in a-created b-running c-stopped; do ctr delete --force "$id"; done
        capture ctr list --quiet
        assert_rc 0 "list --quiet of an empty root"
        assert_eq "list --quiet after deleting all" "" "$OUT"
}

t_run_forwards_signals() {
        mk_bundle b /bin/sh -c "trap 'exit 3' TERM; touch /shared/ready; while :; do sleep 0.2; done"
        capture_start run "$CTR" --root "$ROOT" run -b "$B" c1
        local runpid=$BG_PID
        wait_for "the payload to install its trap" test -e "$C/shared/ready"
        kill -TERM "$runpid"
        local i
        for ((i = 0; i < 100; i++)); do
                kill -0 "$runpid" 2>/dev/null || break
                sleep 0.1
        done
        if kill -0 "$runpid" 2>/dev/null; then
                kill -9 "$runpid"
                fail "run did not end within 10 s of SIGTERM (not forwarded?)"
        fi
        capture_end "$runpid" run
        assert_rc 3 "run whose container traps TERM and exits 3, sent SIGTERM"
        [ ! -e "$ROOT/c1" ] || fail "run left $ROOT/c1 behind"
}

# A create that died after the init was built, before its last state write: the file says
# "creating", nobody holds the lock. Plain delete must still kill the init, not strand it on a
# FIFO that no longer exists.
t_delete_creating_live() {
        mk_bundle b /bin/sh -c "$(long_running)"
        ctr create -b "$B" c1 </dev/null
        local pid
        pid=$(pid_of c1)
        sed -i 's/"creating" *: *false/"creating":true/' "$ROOT/c1/state.json"
        assert_status c1 stopped
        capture ctr delete c1
        assert_rc 0 "delete of a container whose create died half way"
        [ ! -e "$ROOT/c1" ] || fail "delete left $ROOT/c1"
        wait_for "the stranded init (pid $pid) to be killed" eval '! pid_alive '"$pid"
}

# While create holds the lock and has written no state: status "creating", from state and list.
t_state_while_creating() {
        mkdir -p "$ROOT/c1"
        capture flock "$ROOT/c1" "$CTR" --root "$ROOT" state c1
        assert_rc 0 "state of a container being created"
        assert_eq "status while creating" creating "$(printf '%s' "$OUT" | json_get status)"
        capture flock "$ROOT/c1" "$CTR" --root "$ROOT" list --quiet
        assert_rc 0 "list while creating"
        rmdir "$ROOT/c1"
}

# A created init waits as PID 1 of its namespace, where the kernel drops unhandled signals
# from outside: kill with the default TERM (and INT) must still end it.
t_kill_created() {
        local sig
        for sig in TERM INT; do
                mk_bundle b /bin/true
                ctr create -b "$B" c1 </dev/null
                capture ctr kill c1 "$sig"
                assert_rc 0 "kill $sig of a created container"
                wait_for "the created container to stop on $sig" status_is c1 stopped
                ctr delete c1
        done
}

# Usage errors go to --log too, as containerd and podman read a runtime's errors there.
t_usage_errors_logged() {
        local log=$C/log.json
        capture "$CTR" --root "$ROOT" --log "$log" --log-format json state ../x
        assert_fails "state ../x"
        assert_one_error_line "state ../x" 'invalid container id'
        grep -q '"level":"error".*invalid container id' "$log" || fail "no error record in --log: $(cat "$log" 2>/dev/null)"
        capture "$CTR" --root "$ROOT" --log "$log" --log-format json kill --bogus c1
        assert_rc 2 "kill --bogus"
        grep -q 'unknown option' "$log" || fail "no usage error record in --log: $(cat "$log")"
        capture "$CTR" --root "$ROOT" --log "$C/log.txt" kill c1 'FO"O'
        assert_fails "kill with a quote in the signal"
        grep -qF 'msg="c1: unknown signal \"FO\"O\"' "$C/log.txt" || fail "text log record not escaped: $(cat "$C/log.txt")"
}

t_kill_all() {
        # The init ignores TERM; its two children do not. kill without --all reaches the init
        # only, kill --all every process of the container.
        # (children first: an ignored signal stays ignored across fork and exec)
        mk_bundle b /bin/sh -c '
sleep 1000 & echo $! > /shared/child1
sleep 1000 & echo $! > /shared/child2
trap "" TERM
touch /shared/ready
while :; do sleep 0.1; done'
        ctr run -d -b "$B" c1 </dev/null >/dev/null 2>&1
        wait_for "payload" test -e "$C/shared/ready"
        local init
        init=$(pid_of c1)
        capture ctr kill c1 TERM
        assert_rc 0 "kill c1 TERM"
        sleep 0.3
        # The two "sleep 1000" only: the loop's own "sleep 0.1" ignore TERM like the init (they
        # are forked after the trap), so one of them is nearly always there.
        [ "$(pgrep -c -P "$init" -fx 'sleep 1000')" -ge 2 ] || fail "kill without --all reached the init's children"
        capture ctr kill --all c1 TERM
        assert_rc 0 "kill --all c1 TERM"
        wait_for "the children to die on kill --all" eval "[ \"\$(pgrep -c -P $init -fx 'sleep 1000')\" = 0 ]"
        assert_status c1 running
        capture ctr kill --all c1 KILL
        assert_rc 0 "kill --all c1 KILL"
        wait_for "c1 stopped" status_is c1 stopped
        ctr delete c1
}
t_run_detach() {
        mk_bundle b /bin/sh -c "$(long_running)"
        capture ctr run --detach -b "$B" c1
        assert_rc 0 "run --detach"
        assert_status c1 running
        wait_for "payload" test -e "$C/shared/ready"
        capture ctr run -d -b "$B" c2
        assert_rc 0 "run -d"
        assert_status c2 running
        ctr kill c1 TERM
        ctr kill c2 TERM
        wait_for "c1 stopped" status_is c1 stopped
        wait_for "c2 stopped" status_is c2 stopped
        ctr delete c1
        ctr delete c2
}

t_pid_file() {
        mk_bundle b /bin/sh -c "$(long_running)"
        capture ctr create --pid-file "$C/c1.pid" -b "$B" c1
        assert_rc 0 "create --pid-file"
        [ -s "$C/c1.pid" ] || fail "create --pid-file did not write $C/c1.pid"
        assert_eq "pid file of create" "$(pid_of c1)" "$(tr -d '\n' <"$C/c1.pid")"
        capture ctr run -d --pid-file "$C/c2.pid" -b "$B" c2
        assert_rc 0 "run -d --pid-file"
        assert_eq "pid file of run -d" "$(pid_of c2)" "$(tr -d '\n' <"$C/c2.pid")"
        # Relative to the caller's directory.
        (cd "$C" && ctr create --pid-file rel.pid -b "$B" c3 </dev/null)
        assert_eq "relative pid file" "$(pid_of c3)" "$(tr -d '\n' <"$C/rel.pid")"
        for id in c1 c2 c3; do ctr delete --force "$id"; done
}

t_missing_binary() {
        mk_bundle b /bin/no-such-binary-xyz
        capture ctr create -b "$B" c1
        if [ "$RC" != 0 ]; then
                note "create (not start) refused the missing binary"
                assert_fails "create with a missing binary"
                assert_one_error_line "create with a missing binary" 'no-such-binary-xyz'
                [ ! -e "$ROOT/c1" ] || fail "a failed create left $ROOT/c1"
                return 0
        fi
        capture ctr start c1
        assert_fails "start with a missing binary"
        assert_one_error_line "start with a missing binary" 'no-such-binary-xyz'
        wait_for "c1 to be stopped" status_is c1 stopped
        capture ctr delete c1
        assert_rc 0 "delete after the failed start"

        # The same through run.
        capture ctr run -b "$B" c2
        assert_fails "run with a missing binary"
        assert_one_error_line "run with a missing binary" 'no-such-binary-xyz'
        [ ! -e "$ROOT/c2" ] || fail "a failed run left $ROOT/c2"
}

t_kill_signals() {
        mk_bundle b /bin/sh -c '
trap "echo USR1 >> /shared/sigs" USR1
trap "echo HUP >> /shared/sigs" HUP
trap "echo USR2 >> /shared/sigs" USR2
trap "echo TERM >> /shared/sigs; exit 0" TERM
touch /shared/ready
while :; do sleep 0.1; done'
        ctr run -d -b "$B" c1 </dev/null >/dev/null 2>&1
        wait_for "payload" test -e "$C/shared/ready"
        local spec want n=0
        for spec in USR1:USR1 SIGHUP:HUP 12:USR2 SIGUSR1:USR1 1:HUP; do
                want=${spec#*:} spec=${spec%%:*}
                n=$((n + 1))
                capture ctr kill c1 "$spec"
                assert_rc 0 "kill c1 $spec"
                wait_for "the container to get $want from \"kill c1 $spec\"" \
                        eval "[ \"\$(sed -n ${n}p '$C/shared/sigs' 2>/dev/null)\" = $want ]"
        done
        capture ctr kill c1
        assert_rc 0 "kill c1 (default signal)"
        wait_for "c1 to stop on the default signal" status_is c1 stopped
        assert_eq "last signal received" TERM "$(tail -1 "$C/shared/sigs")"
        ctr delete c1
}

# `kill` without a signal sends the image's stop signal (org.opencontainers.image.stopSignal);
# an empty one is none (umoci unpack writes it so for every image without a StopSignal:
# docs/images.md), so TERM; one that names no signal is refused with one line.
t_kill_image_stop_signal() {
        local value want
        for value in ":TERM" "SIGQUIT:QUIT"; do
                want=${value#*:} value=${value%%:*}
                mk_bundle "b-$want" /bin/sh -c '
trap "echo QUIT >> /shared/sigs-'"$want"'; exit 0" QUIT
trap "echo TERM >> /shared/sigs-'"$want"'; exit 0" TERM
touch /shared/ready-'"$want"'
while :; do sleep 0.1; done'
                cfg "$B" set annotations "{\"org.opencontainers.image.stopSignal\": \"$value\"}"
                ctr run -d -b "$B" "c-$want" </dev/null >/dev/null 2>&1
                wait_for "payload" test -e "$C/shared/ready-$want"
                capture ctr kill "c-$want"
                assert_rc 0 "kill c-$want (stop signal annotated \"$value\")"
                wait_for "c-$want to stop" status_is "c-$want" stopped
                assert_eq "the signal for a stop signal annotated \"$value\"" "$want" "$(cat "$C/shared/sigs-$want")"
                ctr delete "c-$want"
        done
        mk_bundle b-bad /bin/sh -c "$(long_running)"
        cfg "$B" set annotations '{"org.opencontainers.image.stopSignal": "SIGNOPE"}'
        ctr run -d -b "$B" c-bad </dev/null >/dev/null 2>&1
        capture ctr kill c-bad
        assert_fails "kill with a stop signal annotated \"SIGNOPE\""
        assert_one_error_line "kill with a stop signal annotated \"SIGNOPE\"" 'unknown signal "SIGNOPE"'
        ctr delete --force c-bad
}

t_spec_accepted_by_run() {
        local d=$C/specb
        mkdir -p "$d"
        capture "$CTR" spec --bundle "$d"
        assert_rc 0 "spec --bundle"
        [ -s "$d/config.json" ] || fail "spec wrote no $d/config.json"
        local rootpath terminal
        rootpath=$(json_get root.path <"$d/config.json")
        terminal=$(json_get process.terminal <"$d/config.json")
        assert_eq "spec: process.terminal" false "$terminal"
        case $rootpath in
        /*) fail "spec: root.path is absolute ($rootpath), expected relative to the bundle" ;;
        esac
        cp -a "$T/rootfs-template" "$d/$rootpath"
        # Whatever process the default runs, with stdin at EOF it must end and exit 0.
        capture ctr run -b "$d" spec1
        assert_rc 0 "run of the spec's config, as written"
        [ ! -e "$ROOT/spec1" ] || fail "run left $ROOT/spec1"

        # Run from inside the bundle, without --bundle.
        capture bash -c 'cd "$1" && shift && exec "$@"' _ "$d" "$CTR" --root "$ROOT" run spec2
        assert_rc 0 "run of the spec's config from the bundle directory"

        capture "$CTR" spec --bundle "$d"
        assert_fails "spec over an existing config.json"
        assert_one_error_line "spec over an existing config.json" 'config.json'
        # Also from the current directory.
        mkdir -p "$C/cwd"
        capture bash -c 'cd "$1" && exec "$2" spec' _ "$C/cwd" "$CTR"
        assert_rc 0 "spec in the current directory"
        "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' "$C/cwd/config.json" ||
                fail "spec wrote invalid JSON"
        capture "$CTR" spec --rootless --bundle "$C"
        assert_rc 0 "spec --rootless"
        grep -q '"user"' "$C/config.json" || fail "spec --rootless: expected a user namespace in $(cat "$C/config.json")"
}

# runc's `spec` lists its default capabilities in "ambient" but not in "inheritable" (where the
# kernel wants them before it raises them as ambient). runc runs that config; so must we, since
# callers hand us configs made for runc.
t_runc_default_capabilities() {
        mk_bundle b /bin/sh -c 'grep -E "^Cap(Eff|Bnd)" /proc/self/status'
        cfg "$B" set process.capabilities '{"bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"], "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"], "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"], "ambient": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]}'
        capture ctr run -b "$B" c1
        assert_rc 0 "run with runc's default capabilities (ambient without inheritable)"
        # CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29)
        assert_contains "capabilities in the container" "$OUT" "CapEff:	0000000020000420"
        assert_contains "capabilities in the container" "$OUT" "CapBnd:	0000000020000420"
}

t_version_help() {
        capture "$CTR" --version
        assert_rc 0 "--version"
        assert_contains "--version" "$OUT" "ctr-launch"
        echo "$OUT" | grep -Eq '[0-9]+\.[0-9]+' || fail "--version: expected a version number, got: $OUT"
        capture "$CTR" -v
        assert_rc 0 "-v"

        capture "$CTR" --help
        assert_rc 0 "--help"
        local v
        for v in create start run state kill delete list spec; do
                echo "$OUT" | grep -Eq "^ +$v " || fail "--help: expected a line for $v, got:
$OUT"
        done
        for v in create start run state kill delete list spec; do
                capture "$CTR" help "$v"
                assert_rc 0 "help $v"
                assert_contains "help $v" "$OUT" "ctr-launch $v"
                capture "$CTR" "$v" --help
                assert_rc 0 "$v --help"
                assert_contains "$v --help" "$OUT" "ctr-launch $v"
        done
        capture "$CTR" help no-such-verb
        assert_fails "help of an unknown command"
        assert_one_error_line "help of an unknown command" 'no-such-verb'
        capture "$CTR" no-such-verb
        assert_fails "an unknown command"
        assert_one_error_line "an unknown command" 'no-such-verb'
        capture "$CTR" --no-such-option list
        assert_fails "an unknown global option"
        assert_one_error_line "an unknown global option" 'no-such-option'
        capture "$CTR"
        assert_fails "no command at all"
}

# "container" readiness: <state>/notify is the host's, bound into the container at /run/notify,
# read-only. Without a read-only bind the container's root could fill /run or grow a tree there.
t_notify_dir_read_only() {
        mk_bundle_sh b 'touch /run/notify/x 2>/shared/err; echo $? >/shared/rc; mkdir -p /run/notify/a/b 2>>/shared/err; echo "$NOTIFY_SOCKET" >/shared/sock' \
                set annotations '{"org.ctr-launch.readiness": "container"}'
        capture ctr run -b "$B" c1
        assert_rc 0 "run with container readiness"
        assert_eq "NOTIFY_SOCKET in the container" /run/notify/notify.sock "$(cat "$C/shared/sock")"
        [ "$(cat "$C/shared/rc")" != 0 ] || fail "the container could write into its /run/notify (the host's <state>/notify)"
        assert_contains "the container's error writing into /run/notify" "$(cat "$C/shared/err")" "Read-only file system"
}

# However deep a tree is in the state dir (a container of an older version could grow one in
# notify/, or a privileged one remount it), delete removes it all and the id is free again.
t_delete_deep_tree() {
        mk_bundle b /bin/true
        cfg "$B" set annotations '{"org.ctr-launch.readiness": "container"}'
        ctr create -b "$B" c1 </dev/null
        [ -d "$ROOT/c1/notify" ] || fail "no notify/ in the state dir of a container-readiness container"
        # Deeper than a walk down with one fd per level could go (RLIMIT_NOFILE is 1024 here).
        "$PY" - "$ROOT/c1/notify" <<'EOF2'
import os, sys
os.chdir(sys.argv[1])
for i in range(3000):
    os.mkdir("d")
    os.chdir("d")
    if i % 500 == 0:
        open("f", "w").close()
        os.mkdir("e")
EOF2
        capture ctr delete c1
        assert_rc 0 "delete of a container with a 3000-level tree in its state dir"
        [ -z "$(ls -A "$ROOT")" ] || fail "delete left $(ls -A "$ROOT") in the state root"
        capture ctr run -b "$B" c1
        assert_rc 0 "run with the id again"
}

case_run run-true t_run_true
case_run exit-status t_exit_status
case_run create-start-kill-delete t_create_start_kill_delete
case_run state-json t_state_json
case_run fifo-blocks-until-start t_fifo_blocks
case_run start-after-init-died t_start_dead_init
case_run double-start t_double_start
case_run concurrent-start t_concurrent_start
case_run concurrent-create t_concurrent_create
case_run delete-created t_delete_created
case_run delete-running-needs-force t_delete_running_needs_force
case_run delete-force-truncated-state-dead-init broken_case truncate dead
case_run delete-force-empty-state-dead-init broken_case empty dead
case_run delete-force-removed-state-dead-init broken_case remove dead
case_run delete-force-truncated-state-live-init broken_case truncate alive
case_run delete-force-removed-state-live-init broken_case remove alive
case_run delete-force-creating-state-live-init broken_case creating alive
case_run delete-creating-state-live-init t_delete_creating_live
case_run state-while-creating t_state_while_creating
case_run kill-created t_kill_created
case_run usage-errors-logged t_usage_errors_logged
case_run list t_list
case_run run-forwards-signals t_run_forwards_signals
case_run run-detach t_run_detach
case_run pid-file t_pid_file
case_run missing-binary t_missing_binary
case_run kill-signal-names t_kill_signals
case_run kill-all t_kill_all
case_run kill-image-stop-signal t_kill_image_stop_signal
case_run notify-dir-read-only t_notify_dir_read_only
case_run delete-deep-tree t_delete_deep_tree
case_run config-at-depth-limit t_config_at_depth_limit
case_run spec-accepted-by-run t_spec_accepted_by_run
case_run runc-default-capabilities t_runc_default_capabilities
case_run version-and-help t_version_help
lib_finish
