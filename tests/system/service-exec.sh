#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 15, item 1, last sentence: a non-root admin's `ctr-launch exec` into a system container,
# through the system service (ctr-launch serve) under polkit's org.ctr-launch.container.exec, in
# a real systemd 252 + D-Bus + polkitd (lib.sh). The example rule is installed as a real rule:
#   alice: web-admins (container web)    bob: no group    carol: ctr-admins (every container)
#   dave: a rule of the test's own allows exec into web, but not as root (the detail "user")
# serve runs `ctr-launch exec` as a transient unit of PID 1 (ctr-launch-exec-*.service) with the
# caller's stdio; each case checks that none of those units is left.
# Usage: service-exec.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
sys_init "$@"
host_boot "$BUILD_DIR"

LONG='trap "exit 0" TERM; while :; do sleep 0.2; done'
CONSOLE_PY=/usr/local/libexec/ctr-test-console.py

example=$(find "$HOST_ROOT/usr" -path '*/doc/ctr-launch/examples/50-ctr-launch-example.rules' | head -n 1)
[ -n "$example" ] || hard_error "meson install put no 50-ctr-launch-example.rules under /usr"
grep -q 'org.ctr-launch.container.exec' "$HOST_ROOT/usr/share/polkit-1/actions/org.ctr-launch.policy" ||
        hard_error "the installed org.ctr-launch.policy has no org.ctr-launch.container.exec"
mkdir -p "$HOST_ROOT/etc/polkit-1/rules.d"
install -m 0644 "$example" "$HOST_ROOT/etc/polkit-1/rules.d/50-ctr-launch-example.rules"
install -D -m 0755 "$(dirname "$0")/../integration/console.py" "$HOST_ROOT$CONSOLE_PY"
cat >"$HOST_ROOT/etc/polkit-1/rules.d/40-ctr-test-exec-user.rules" <<'EOF'
polkit.addRule(function (action, subject) {
    if (action.id == "org.ctr-launch.container.exec" && subject.user == "dave" &&
        action.lookup("container") == "web")
        return action.lookup("user") == "0" ? polkit.Result.NO : polkit.Result.YES;
    return polkit.Result.NOT_HANDLED;
});
EOF

host_run groupadd ctr-admins
host_run groupadd web-admins
host_run useradd -M -N -G web-admins alice
host_run useradd -M -N bob
host_run useradd -M -N -G ctr-admins carol
host_run useradd -M -N dave
host_run systemctl start ctr-launch.socket
host_run systemctl restart polkit
for id in web db demo; do
        host_make_bundle "$id" sh -c "$LONG"
done
ALICE_UID=$(host_run id -u alice)

# user_run USER CMD...: CMD as USER (runuser: no session, no agent) with pipes for its stdin,
# stdout and stderr, in the test host itself: the service passes on no file the caller does not
# own, and the VM's agent gives a job files (root's). Stdin is ours with HOST_RUN_STDIN=-.
user_run() {
        local user=$1
        shift
        host_run bash -c 'cat | { "$@" 2>&1 1>&3 3>&- | cat >&2; exit "${PIPESTATUS[0]}"; } 3>&1 | cat; exit "${PIPESTATUS[1]}"' \
                _ runuser -u "$user" -- "$@"
}

# user_run_null USER CMD...: CMD as USER with /dev/null of the test host for its stdio (for a
# client in the background: a pipe would stay open as long as the container's process holds it).
user_run_null() {
        local user=$1
        shift
        host_run bash -c 'exec runuser -u "$0" -- "$@" </dev/null >/dev/null 2>&1' "$user" "$@"
}

# as USER CMD...: user_run with stdin empty; status in RC, stdout in OUT, stderr in ERR.
as() {
        RC=0
        OUT=$(user_run "$@" </dev/null 2>"$HOST_DIR/as.err") || RC=$?
        ERR=$(cat "$HOST_DIR/as.err")
}

# The transient units serve starts for exec: none may outlive its process.
exec_units() {
        host_run systemctl list-units --all --plain --no-legend 'ctr-launch-exec-*' | awk '{print $1}'
}
no_exec_units() {
        [ -z "$(exec_units)" ]
}
assert_no_exec_units() {
        wait_for "the exec units to be gone" no_exec_units
}

shared() { # shared ID FILE: a file the container wrote under /shared
        cat "$HOST_ROOT$HOST_BUNDLES/$1/shared/$2" 2>/dev/null
}
shared_exists() {
        [ -e "$HOST_ROOT$HOST_BUNDLES/$1/shared/$2" ]
}

start_unit() {
        host_watch_unit "ctr@$1.service"
        host_run systemctl start "ctr@$1"
}

# alice, for web: output, error output, stdin, exit status; arguments reach the process as
# they are ("$" and "%" included: systemd would expand them in a unit's command line); the
# audit login uid is the caller's.
case_alice_exec_web() {
        start_unit web
        RC=0
        OUT=$(printf 'hello\n' | HOST_RUN_STDIN=- user_run alice timeout 60 "$HOST_CTR" exec web \
                sh -c 'echo out; echo err >&2; read x; echo "got $x"; echo "$1"; exit 7' sh 'a$HOME ${PATH} $$ %n' \
                2>"$HOST_DIR/as.err") || RC=$?
        ERR=$(cat "$HOST_DIR/as.err")
        assert_eq "exit status of alice's exec" 7 "$RC"
        assert_contains "stdout" "$OUT" out
        assert_contains "stdin reached the process" "$OUT" "got hello"
        assert_contains "arguments as given" "$OUT" 'a$HOME ${PATH} $$ %n'
        assert_eq "stderr" err "$ERR"

        local expect
        expect=$(host_run runuser -u alice -- cat /proc/self/loginuid)
        [ "$expect" != 4294967295 ] || expect=$ALICE_UID
        as alice "$HOST_CTR" exec web cat /proc/self/loginuid
        assert_eq "exit status" 0 "$RC"
        assert_eq "the process's audit login uid" "$expect" "$OUT"
        # Nothing of serve's sandbox: the container's capabilities, no NoNewPrivileges of ours.
        as alice "$HOST_CTR" exec web sh -c 'grep -E "^(NoNewPrivs|CapBnd)" /proc/self/status'
        note "$OUT"
        local want
        want=$(host_run sh -c "grep CapBnd /proc/\$($HOST_CTR state web | $PY -c 'import json,sys; print(json.load(sys.stdin)[\"pid\"])')/status")
        assert_contains "the container's bounding set" "$OUT" "$want"
        host_run systemctl stop ctr@web
        assert_no_exec_units
}

case_alice_not_db() {
        start_unit db
        as alice "$HOST_CTR" exec db touch /shared/pwned
        [ "$RC" != 0 ] || fail "alice: exec db succeeded"
        assert_contains "alice: exec db" "$ERR" "not authorized"
        assert_contains "alice: exec db" "$ERR" "org.ctr-launch.container.exec"
        [ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] || fail "more than one line: $ERR"
        note "$ERR"
        shared_exists db pwned && fail "the refused exec ran"
        host_run systemctl stop ctr@db
        assert_no_exec_units
}

case_bob_nothing() {
        start_unit web
        as bob "$HOST_CTR" --system exec web touch /shared/pwned
        [ "$RC" != 0 ] || fail "bob: exec web succeeded"
        assert_contains "bob: exec web" "$ERR" "not authorized"
        [ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] || fail "more than one line: $ERR"
        note "$ERR"
        shared_exists web pwned && fail "the refused exec ran"
        host_run systemctl stop ctr@web
        assert_no_exec_units
}

# What the service does not pass on: a regular file as stdio (root could reopen it writable
# through /proc/self/fd), --preserve-fds, capabilities beyond the container's.
case_refusals() {
        start_unit web
        RC=0
        ERR=$(host_run bash -c 'runuser -u alice -- "$@" </etc/hostname 2>&1 | cat; exit "${PIPESTATUS[0]}"' \
                _ "$HOST_CTR" exec web touch /shared/pwned) || RC=$?
        [ "$RC" != 0 ] || fail "a regular file as stdin was passed on"
        assert_contains "root's file as stdin" "$ERR" "stdin is a file the caller does not own"
        note "$ERR"
        # A file of alice's own: passed on.
        user_run alice sh -c "$HOST_CTR exec web echo to-a-file >/tmp/alice-exec.out 2>&1" </dev/null ||
                fail "exec to alice's own file: $(host_run cat /tmp/alice-exec.out)"
        assert_eq "alice's own file as stdout" to-a-file "$(host_run cat /tmp/alice-exec.out)"
        host_run rm -f /tmp/alice-exec.out
        as alice "$HOST_CTR" exec --preserve-fds 1 web true
        [ "$RC" != 0 ] || fail "--preserve-fds was carried"
        assert_contains "--preserve-fds" "$ERR" "--preserve-fds"
        as alice "$HOST_CTR" exec --cap CAP_SYS_MODULE web true
        [ "$RC" != 0 ] || fail "--cap CAP_SYS_MODULE was given"
        assert_contains "--cap beyond the bounding set" "$ERR" "bounding set"
        note "$ERR"
        # Confinement is not an exec right: no label but the container's (issue 20).
        as alice "$HOST_CTR" exec --apparmor unconfined web touch /shared/pwned
        [ "$RC" != 0 ] || fail "--apparmor was carried"
        assert_contains "--apparmor" "$ERR" "--apparmor: not given through the system service"
        # In the test host's /tmp (a tmpfs of its own): written there.
        printf '%s' '{"args": ["touch", "/shared/pwned"], "cwd": "/", "user": {"uid": 0, "gid": 0},
                      "apparmorProfile": "unconfined"}' |
                HOST_RUN_STDIN=- host_run sh -c 'cat >/tmp/alice-process.json && chmod 0644 /tmp/alice-process.json'
        as alice "$HOST_CTR" exec --process /tmp/alice-process.json web
        host_run rm -f /tmp/alice-process.json
        [ "$RC" != 0 ] || fail "a --process document's apparmorProfile was carried"
        # Refused by the parser where AppArmor is off, by the label check where it is on.
        assert_contains "--process with an apparmorProfile" "$ERR" "AppArmor"
        note "$ERR"
        shared_exists web pwned && fail "a refused exec ran"
        host_run systemctl stop ctr@web
        assert_no_exec_units
}

case_detach() {
        start_unit web
        host_run rm -f /tmp/alice-exec.pid
        as alice "$HOST_CTR" exec -d --pid-file /tmp/alice-exec.pid web sh -c 'sleep 1; echo detached >/shared/d'
        assert_eq "exec -d status" 0 "$RC"
        local pid
        pid=$(host_run cat /tmp/alice-exec.pid)
        [[ $pid =~ ^[0-9]+$ ]] || fail "pid file holds \"$pid\""
        assert_eq "owner of the pid file" alice "$(host_run stat -c %U /tmp/alice-exec.pid)"
        wait_for "the detached process to write" shared_exists web d
        assert_eq "what it wrote" detached "$(shared web d)"
        host_run rm -f /tmp/alice-exec.pid
        host_run systemctl stop ctr@web
        assert_no_exec_units
}

client_pid() { # the pid (in the test host) of alice's exec client
        host_run pgrep -u alice -f "^$HOST_CTR exec web" | head -n 1
}

# SIGTERM to the client reaches the process, whose status comes back.
case_signal() {
        start_unit web
        user_run_null alice timeout 60 "$HOST_CTR" exec web \
                sh -c 'trap "echo TERM >/shared/sig; exit 3" TERM; echo ready >/shared/ready; while :; do sleep 0.1; done' &
        local client=$!
        wait_for "the process to run" shared_exists web ready
        local pid
        pid=$(client_pid)
        [ -n "$pid" ] || fail "no client process"
        host_run kill -TERM "$pid"
        local rc=0
        wait "$client" || rc=$?
        assert_eq "the client's status (the process's)" 3 "$rc"
        assert_eq "the process got" TERM "$(shared web sig)"
        host_run systemctl stop ctr@web
        assert_no_exec_units
}

# Read in the test host itself: from here, through the VM's 9p share, a file the VM keeps
# rewriting may read as it was a moment ago (the guest's cache), and two reads a second apart
# then look like a process that stopped.
beat() { host_run cat "$HOST_BUNDLES/web/shared/beat" 2>/dev/null; }

# The client killed (SIGKILL: nothing to pass on): the process goes on, as with runc exec,
# docker exec and podman exec; its unit goes once it ends.
case_client_gone() {
        start_unit web
        user_run_null alice timeout 60 "$HOST_CTR" exec web \
                sh -c 'while :; do date +%s%N >/shared/beat; sleep 0.1; done' &
        local client=$!
        wait_for "the process to run" shared_exists web beat
        host_run kill -KILL "$(client_pid)"
        wait "$client" || true
        local a b
        sleep 1
        a=$(beat)
        sleep 1
        b=$(beat)
        [ "$a" != "$b" ] || fail "the process stopped with its client"
        [ -n "$(exec_units)" ] || fail "no exec unit while the process runs"
        host_run systemctl stop ctr@web
        assert_no_exec_units
}

console_done() { [ -s "$HOST_DIR/console.out" ] && ! kill -0 "$CONSOLE_PID" 2>/dev/null; }

# exec -t with the client's own --console-socket: the pty's master reaches alice's socket.
case_tty_console_socket() {
        start_unit web
        local dir=/tmp/alice-console
        host_run install -d -o alice -m 0700 "$dir"
        host_run runuser -u alice -- "$PY" "$CONSOLE_PY" "$dir/sock" "$dir/out" 20 &
        CONSOLE_PID=$!
        wait_for "the console socket" host_run test -e "$dir/out.ready"
        as alice "$HOST_CTR" exec -t --console-socket "$dir/sock" web sh -c 'tty; echo on-the-pty'
        assert_eq "exec -t status" 0 "$RC"
        local rc=0
        wait "$CONSOLE_PID" || rc=$?
        assert_eq "console.py's status" 0 "$rc"
        local out
        out=$(host_run cat "$dir/out" | tr -d '\r')
        assert_contains "the pty's output" "$out" on-the-pty
        assert_contains "a pty of the container" "$out" /dev/pts/
        host_run rm -rf "$dir"
        host_run systemctl stop ctr@web
        assert_no_exec_units
}

# A ctr@ unit's container, by its name, by someone allowed every container.
case_carol_ctr_unit() {
        start_unit demo
        as carol "$HOST_CTR" exec demo sh -c 'cat /proc/1/cmdline | tr "\0" " "'
        assert_eq "carol: exec demo" 0 "$RC"
        assert_contains "the container's init" "$OUT" "sh -c"
        host_run systemctl stop ctr@demo
        assert_no_exec_units
}

# The detail "user": dave may exec into web as the container's user or as 1000, not as root,
# whether root is asked with -u or in a --process document.
case_dave_not_root() {
        start_unit web
        as dave "$HOST_CTR" exec web id -u
        assert_eq "dave: exec web (the container's user) ($ERR)" 0 "$RC"
        as dave "$HOST_CTR" exec -u 1000 web id -u
        assert_eq "dave: exec -u 1000 web ($ERR)" "0 1000" "$RC $OUT"
        as dave "$HOST_CTR" exec -u 0 web touch /shared/pwned
        [ "$RC" != 0 ] || fail "dave: exec -u 0 web succeeded"
        assert_contains "dave: exec -u 0 web" "$ERR" "not authorized"
        printf '%s' '{"args": ["/bin/touch", "/shared/pwned"], "cwd": "/", "user": {"uid": 0, "gid": 0}}' |
                HOST_RUN_STDIN=- host_run sh -c 'cat >/tmp/dave-process.json && chmod 0644 /tmp/dave-process.json' ||
                fail "write /tmp/dave-process.json in the test host"
        as dave "$HOST_CTR" exec --process /tmp/dave-process.json web
        [ "$RC" != 0 ] || fail "dave: exec --process (uid 0) web succeeded"
        assert_contains "dave: exec --process with uid 0" "$ERR" "not authorized"
        shared_exists web pwned && fail "a refused exec ran"
        host_run rm -f /tmp/dave-process.json
        host_run systemctl stop ctr@web
        assert_no_exec_units
}

case_run alice-exec-web case_alice_exec_web
case_run alice-not-db case_alice_not_db
case_run bob-nothing case_bob_nothing
case_run refusals case_refusals
case_run detach case_detach
case_run signal case_signal
case_run client-gone case_client_gone
case_run tty-console-socket case_tty_console_socket
case_run carol-ctr-unit case_carol_ctr_unit
case_run dave-not-root case_dave_not_root
sys_finish
