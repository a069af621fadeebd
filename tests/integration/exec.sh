#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `exec` (issue 15, item 1): a new process in a running container joins every namespace and
# cgroup of its init, gets the container's environment, user, rlimits, capabilities,
# noNewPrivileges and seccomp profile unless runc's options say otherwise, and nothing of the
# host; the foreground exec forwards signals and exits with the process's status; detached,
# paused, stopped and created containers, terminals, --process, --cgroup, and what is left
# after a failure (nothing).
# Usage: exec.sh PATH-TO-ctr-launch (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
lib_init "$@"

# running NAME [CFG-OPS...]: a running container NAME (long_running payload), from bundle
# $C/NAME edited with CFG-OPS; sets PID (its init's host PID).
running() {
        local name=$1
        shift
        mk_bundle "$name" /bin/sh -c "$(long_running "$name.ready")"
        [ $# = 0 ] || cfg "$B" "$@"
        capture ctr run -d -b "$B" "$name"
        assert_rc 0 "run -d $name"
        wait_for "$name ready" test -e "$C/shared/$name.ready"
        PID=$(pid_of "$name")
}

# A field of /proc/PID/status.
status_field() {
        awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

t_joins_everything() {
        running c1 append linux.namespaces '{"type": "cgroup"}'
        capture ctr exec -d --pid-file "$C/exec.pid" c1 /bin/sh -c 'touch /shared/exec-ran; sleep 30'
        assert_rc 0 "exec -d"
        local xpid n
        xpid=$(cat "$C/exec.pid")
        pid_alive "$xpid" || fail "the pid file names $xpid, which is not alive"
        wait_for "the exec'd process to run" test -e "$C/shared/exec-ran"
        for n in pid net ipc uts mnt cgroup user time; do
                [ -e "/proc/$PID/ns/$n" ] || continue
                assert_eq "$n namespace of the exec'd process (the init's)" "$(readlink "/proc/$PID/ns/$n")" \
                        "$(readlink "/proc/$xpid/ns/$n")"
        done
        assert_eq "cgroups of the exec'd process (the init's)" "$(cat "/proc/$PID/cgroup")" "$(cat "/proc/$xpid/cgroup")"
        assert_eq "root of the exec'd process" "$(readlink "/proc/$PID/root")" "$(readlink "/proc/$xpid/root")"
        # Inside: the container's PID 1 is the init, its hostname, its files.
        capture ctr exec c1 /bin/sh -c 'cat /etc/hostname; hostname; tr "\0" " " </proc/1/cmdline; echo; echo $$'
        assert_rc 0 "exec of sh"
        assert_eq "/etc/hostname inside" ctr-test "$(sed -n 1p <<<"$OUT")"
        assert_contains "PID 1 inside (the init's command line)" "$(sed -n 3p <<<"$OUT")" "c1.ready"
        local inner
        inner=$(sed -n 4p <<<"$OUT")
        [ "$inner" -gt 1 ] && [ "$inner" -lt 100 ] || fail "the exec'd shell's PID in the container's namespace: expected a small number, got $inner"
        kill "$xpid"
        ctr delete --force c1
}

t_exit_status() {
        running c1
        capture ctr exec c1 /bin/sh -c 'echo out; echo err >&2; exit 7'
        assert_rc 7 "exec of exit 7"
        assert_eq "stdout of the exec'd process (ours)" out "$OUT"
        assert_eq "stderr of the exec'd process (ours)" err "$ERR"
        capture ctr exec c1 /bin/sh -c 'kill -USR1 $$; sleep 5'
        assert_rc 138 "exec of a process killed by SIGUSR1"
        capture ctr exec c1 /no/such/binary
        assert_fails "exec of a missing binary"
        assert_one_error_line "exec of a missing binary" '/no/such/binary.*No such file'
        capture ctr exec c1 /bin/sh -c 'exit 0'
        assert_rc 0 "exec of exit 0"
        ctr delete --force c1
}

t_environment_and_user() {
        running c1 set process.env '["PATH=/bin", "KEEP=config", "OVER=config", "HOME=/root"]' \
                set process.rlimits '[{"type": "RLIMIT_NOFILE", "soft": 1234, "hard": 1234}]'
        capture ctr exec c1 /bin/sh -c 'echo "$KEEP $OVER"; id -u; id -g; pwd; ulimit -n'
        assert_rc 0 "exec with the container's process"
        assert_eq "env, user, cwd, rlimit of the container's process" "config config 0 0 / 1234" "$(words "$OUT")"
        capture ctr exec -e OVER=cli -e NEW=1 -u 65534:65534 -g 1234 -g 2345 --cwd /tmp c1 \
                /bin/sh -c 'echo "$KEEP $OVER $NEW"; id -u; id -g; id -G; pwd'
        assert_rc 0 "exec with -e, -u, -g, --cwd"
        assert_eq "env, user, groups, cwd with the options" "config cli 1 65534 65534 65534 1234 2345 /tmp" "$(words "$OUT")"
        # A uid alone keeps the config's gid, as runc.
        capture ctr exec -u 1000 c1 /bin/sh -c 'echo $(id -u) $(id -g)'
        assert_eq "exec -u 1000" "1000 0" "$OUT"
        capture ctr exec --cwd /nonexistent c1 /bin/true
        assert_fails "exec --cwd to a missing directory"
        assert_one_error_line "exec --cwd to a missing directory" '/nonexistent'
        capture ctr exec -e NOEQUALS c1 /bin/true
        assert_fails "exec -e without ="
        assert_one_error_line "exec -e without =" 'NAME=VALUE'
        ctr delete --force c1
}

t_process_file() {
        running c1
        cat >"$C/process.json" <<EOF
{"args": ["/bin/sh", "-c", "echo \$FROM; id -u; pwd; grep CapBnd /proc/self/status"],
 "env": ["FROM=file", "PATH=/bin"], "cwd": "/tmp", "user": {"uid": 42, "gid": 42}}
EOF
        capture ctr exec --process "$C/process.json" c1
        assert_rc 0 "exec --process"
        assert_eq "env, user, cwd from --process" "file 42 /tmp" "$(words "$(sed -n 1,3p <<<"$OUT")")"
        # No capabilities in the document: the container's (the init's bounding set).
        assert_eq "bounding set without capabilities in --process (the container's)" \
                "$(status_field "$PID" CapBnd)" "$(awk '{print $2}' <<<"$(sed -n 4p <<<"$OUT")")"
        echo '{"args": []}' >"$C/bad.json"
        capture ctr exec --process "$C/bad.json" c1
        assert_fails "exec --process with empty args"
        assert_one_error_line "exec --process with empty args" 'process.args'
        capture ctr exec --process "$C/process.json" c1 /bin/true
        assert_fails "exec --process and a command"
        ctr delete --force c1
}

t_capabilities_and_nnp() {
        running c1
        local base with
        capture ctr exec c1 /bin/sh -c 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status'
        base=$(words "$OUT")
        assert_eq "the exec'd process's effective set (the init's)" "$(status_field "$PID" CapEff)" "$(awk '{print $2}' <<<"$base")"
        capture ctr exec --cap CAP_SYS_ADMIN --no-new-privs c1 /bin/sh -c 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status'
        assert_rc 0 "exec --cap CAP_SYS_ADMIN --no-new-privs"
        with=$(words "$OUT")
        local eff
        eff=$(awk '{print $2}' <<<"$with")
        (( (0x$eff >> 21) & 1 )) || fail "exec --cap CAP_SYS_ADMIN: bit 21 missing from CapEff $eff"
        assert_eq "NoNewPrivs with --no-new-privs" 1 "$(awk '{print $4}' <<<"$with")"
        capture ctr exec --cap NOT_A_CAP c1 /bin/true
        assert_fails "exec --cap NOT_A_CAP"
        assert_one_error_line "exec --cap NOT_A_CAP" 'capability'
        # Off: refused; on (the VM, tests/system/lsm.sh): a profile not loaded is refused.
        capture ctr exec --apparmor ctr-it-not-loaded c1 /bin/true
        assert_fails "exec --apparmor"
        assert_one_error_line "exec --apparmor" 'AppArmor (is not enabled on this host|profile "ctr-it-not-loaded" is not loaded)'
        ctr delete --force c1

        # noNewPrivileges of the container holds for its exec'd processes.
        running c2 set process.noNewPrivileges true
        capture ctr exec c2 /bin/sh -c 'grep NoNewPrivs /proc/self/status'
        assert_eq "NoNewPrivs of a process exec'd into a noNewPrivileges container" 1 "$(awk '{print $2}' <<<"$OUT")"
        ctr delete --force c2
}

t_seccomp() {
        running c1 set linux.seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
        capture ctr exec c1 /bin/sh -c 'grep ^Seccomp: /proc/self/status; mkdir /tmp/x && echo made'
        assert_eq "the container's seccomp profile on the exec'd process" "Seccomp: 2" "$(words "$(sed -n 1p <<<"$OUT")")"
        case $OUT in *made*) fail "mkdir ran under a profile that denies it: $OUT" ;; esac
        ctr delete --force c1
}

t_signals() {
        running c1
        capture_start x ctr exec c1 /bin/sh -c 'trap "echo got-term; exit 3" TERM; touch /shared/x-ready; while :; do sleep 0.1; done'
        local xpid=$BG_PID
        wait_for "the exec'd process to run" test -e "$C/shared/x-ready"
        # timeout(1) runs ctr-launch as its child: signal that one.
        local launcher
        launcher=$(pgrep -P "$xpid" -f "ctr-launch.* exec c1" | head -1)
        [ -n "$launcher" ] || fail "no ctr-launch exec process under $xpid"
        kill -TERM "$launcher"
        capture_end "$xpid" x
        assert_rc 3 "foreground exec after SIGTERM (the process's own exit status)"
        assert_eq "what the process said" got-term "$OUT"
        ctr delete --force c1
}

t_fds() {
        running c1
        capture ctr exec c1 /bin/sh -c 'ls /proc/self/fd | tr "\n" " "'
        assert_eq "fds of the exec'd process's ls" "0 1 2 3" "$(words "$OUT")"
        capture sh -c 'exec 3</dev/null 4</dev/null; exec "$@"' _ "$CTR" --root "$ROOT" exec --preserve-fds 2 c1 /bin/sh -c 'ls /proc/self/fd | tr "\n" " "'
        assert_rc 0 "exec --preserve-fds 2"
        assert_eq "fds with --preserve-fds 2" "0 1 2 3 4 5" "$(words "$OUT")"
        capture ctr exec --preserve-fds 5 c1 /bin/true
        assert_fails "exec --preserve-fds 5 with no fd open"
        assert_one_error_line "exec --preserve-fds 5 with no fd open" 'not open'
        ctr delete --force c1
}

t_paused() {
        running c1
        capture ctr pause c1
        assert_rc 0 pause
        capture ctr exec c1 /bin/touch /shared/paused-ran
        assert_fails "exec into a paused container"
        assert_one_error_line "exec into a paused container" 'paused'
        # With --ignore-paused the process is placed in the frozen cgroup, and runs (and exec
        # returns) once the container is resumed.
        capture_start x ctr exec -d --ignore-paused --pid-file "$C/p.pid" c1 /bin/touch /shared/paused-ran
        local xpid=$BG_PID
        sleep 0.5
        [ ! -e "$C/shared/paused-ran" ] || fail "the process exec'd into a paused container ran before resume"
        capture ctr resume c1
        assert_rc 0 resume
        capture_end "$xpid" x
        assert_rc 0 "exec -d --ignore-paused, once resumed"
        wait_for "the process to run after resume" test -e "$C/shared/paused-ran"
        [ -s "$C/p.pid" ] || fail "no pid file after exec -d --ignore-paused"
        ctr delete --force c1
}

# The caller's session keyring stays the caller's: a key only its possessor may view is not
# in the exec'd process's /proc/keys (it would be, sharing the keyring). /proc/keys unmasked.
t_session_keyring() {
        running c1 del linux.maskedPaths
        cat >"$C/keys.py" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
SYS_keyctl, SYS_add_key = 250, 248
KEYCTL_JOIN_SESSION_KEYRING, KEYCTL_SETPERM, KEY_SPEC_SESSION_KEYRING = 1, 5, -3
if libc.syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, None) < 0:
    sys.exit("join: %s" % os.strerror(ctypes.get_errno()))
key = libc.syscall(SYS_add_key, b"user", b"ctr-test-secret", b"x", 1, KEY_SPEC_SESSION_KEYRING)
if key < 0 or libc.syscall(SYS_keyctl, KEYCTL_SETPERM, key, 0x3f000000) < 0:
    sys.exit("add_key: %s" % os.strerror(ctypes.get_errno()))
os.execvp(sys.argv[1], sys.argv[1:])
PY
        [ "$(uname -m)" = x86_64 ] || skip "the key syscalls' numbers in this test are x86-64's"
        capture "$PY" "$C/keys.py" cat /proc/keys
        assert_contains "/proc/keys of the key's possessor (the test's own check)" "$OUT" ctr-test-secret
        capture "$PY" "$C/keys.py" "$CTR" --root "$ROOT" exec c1 /bin/cat /proc/keys
        assert_rc 0 "exec of cat /proc/keys"
        [ -n "$OUT" ] || fail "the exec'd process sees no key at all (not even its own session keyring): is /proc/keys masked?"
        case $OUT in *ctr-test-secret*) fail "the exec'd process possesses the caller's key:
$OUT" ;; esac
        ctr delete --force c1
}

# The launcher that joins the container runs from a sealed copy of itself, never the host's
# binary: a container process with CAP_SYS_PTRACE reaches /proc/PID/exe of whatever it sees.
t_sealed_launcher() {
        running c1
        capture_start x ctr exec c1 /bin/sh -c 'touch /shared/x-ready; sleep 30'
        local xpid=$BG_PID launcher exe
        wait_for "the exec'd process to run" test -e "$C/shared/x-ready"
        # timeout(1) runs it, under the harness's subshell; fexecve() kept its command line.
        launcher=$(pgrep -f -- "--root $ROOT exec c1" | while read -r p; do
                [ "$(readlink "/proc/$p/exe")" = "$(readlink -f "$(command -v timeout)")" ] || echo "$p"; done | head -1)
        [ -n "$launcher" ] || fail "no ctr-launch exec process found"
        exe=$(readlink "/proc/$launcher/exe")
        case $exe in
        /memfd:ctr-launch*) ;;
        *) fail "ctr-launch exec runs from $exe, not a sealed copy" ;;
        esac
        kill "$launcher"
        capture_end "$xpid" x
        ctr delete --force c1
}

t_not_running() {
        mk_bundle b /bin/sh -c "$(long_running)"
        capture ctr create -b "$B" c1
        assert_rc 0 create
        capture ctr exec c1 /bin/touch /shared/ran
        assert_fails "exec into a created container"
        assert_one_error_line "exec into a created container" 'created'
        ctr delete --force c1
        mk_bundle b2 /bin/true
        capture ctr run -d -b "$B" c2
        wait_for "c2 stopped" status_is c2 stopped
        capture ctr exec c2 /bin/touch /shared/ran
        assert_fails "exec into a stopped container"
        assert_one_error_line "exec into a stopped container" 'stopped'
        ctr delete c2
        capture ctr exec nosuch /bin/true
        assert_fails "exec into a missing container"
        assert_one_error_line "exec into a missing container" 'does not exist'
        [ ! -e "$C/shared/ran" ] || fail "a refused exec ran its process"
}

t_terminal() {
        running c1
        "$PY" "$LIB_DIR/console.py" "$C/r.sock" "$C/r.out" 20 &
        local recv=$!
        wait_for "the console receiver to listen" test -e "$C/r.out.ready"
        capture ctr exec -t --console-socket "$C/r.sock" c1 /bin/sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo stdio-is-tty'
        assert_rc 0 "exec -t --console-socket"
        wait "$recv" && RC=0 || RC=$?
        [ "$RC" = 0 ] || fail "console receiver exit $RC; read: $(cat "$C/r.out" 2>/dev/null)"
        local got
        got=$(tr -d '\r' <"$C/r.out")
        printf '%s\n' "$got" | grep -Eqx '/dev/pts/[0-9]+' || fail "tty of the exec'd process: expected /dev/pts/N, got: $got"
        assert_contains "output through the pty" "$got" stdio-is-tty
        ctr delete --force c1
}

# exec -t without --console-socket: the new process's pty is relayed to ours (console.py's
# terminal, 33 x 111), sized as ours from the start, resized on SIGWINCH, typed input goes
# through, the exit status is the process's, and our terminal's settings come back.
t_terminal_relay() {
        running c1
        "$PY" "$LIB_DIR/console.py" pty "$C/x.tty" --size 33 111 \
                expect 'ready\r' raw resize 40 120 expect 'winch:40 120' send 'hello\r' expect 'got:hello' -- \
                "$CTR" --root "$ROOT" exec -t c1 /bin/sh -c 'tty; echo size:$(stty size); trap '\''echo winch:$(stty size)'\'' WINCH; echo ready
                        while ! read -t 1 x; do :; done; echo got:$x; exit 5' </dev/null 2>"$C/x.driver" && RC=0 || RC=$?
        [ "$RC" = 0 ] || fail "exec -t on a terminal: $(cat "$C/x.driver")
what the terminal showed: $(cat -v "$C/x.tty" 2>/dev/null)"
        local out
        out=$(tr -d '\r' <"$C/x.tty")
        printf '%s\n' "$out" | grep -Eqx '/dev/pts/[0-9]+' || fail "tty of the exec'd process: expected /dev/pts/N, got:
$out"
        assert_contains "stty size in the exec'd process" "$out" "size:33 111"
        assert_eq "exec -t's exit status" 5 "$(cat "$C/x.tty.rc")"
        assert_eq "the terminal's settings after exec -t" same "$(cat "$C/x.tty.termios")"
        # Detached, a terminal needs a socket.
        capture ctr exec -d -t c1 /bin/true
        assert_fails "exec -d -t without --console-socket"
        assert_one_error_line "exec -d -t without --console-socket" 'console-socket'
        ctr delete --force c1
}

t_cgroup_sub() {
        running c1
        local dir mnt spec prefix
        if dir=$(awk -F: '$2 == "pids" { print $3 }' "/proc/$PID/cgroup") && [ -n "$dir" ]; then
                # v1 (hybrid, legacy): a sub-cgroup in the pids hierarchy only.
                mnt=/sys/fs/cgroup/pids spec=pids:sub prefix=pids:
        elif dir=$(awk -F: '$1 == "0" { print $3 }' "/proc/$PID/cgroup") && [ -e /sys/fs/cgroup/cgroup.controllers ]; then
                mnt=/sys/fs/cgroup spec=sub prefix=0::
        else
                skip "neither a v1 pids hierarchy nor a unified one"
        fi
        mkdir "$mnt$dir/sub"
        capture ctr exec --cgroup "$spec" c1 /bin/sh -c 'cat /proc/self/cgroup'
        assert_rc 0 "exec --cgroup $spec"
        assert_contains "cgroups of the exec'd process" "$OUT" "$prefix$dir/sub"
        capture ctr exec --cgroup "${spec%sub}missing" c1 /bin/true
        assert_fails "exec --cgroup into a missing sub-cgroup"
        assert_one_error_line "exec --cgroup into a missing sub-cgroup" 'no cgroup'
        capture ctr exec --cgroup ../escape c1 /bin/true
        assert_fails "exec --cgroup ../escape"
        assert_one_error_line "exec --cgroup ../escape" 'below the container'
        ctr delete --force c1
        rmdir "$mnt$dir/sub" 2>/dev/null || true
}

t_user_namespace() {
        [ -e /proc/self/ns/user ] || skip "the kernel has no user namespaces"
        local map='[{"containerID": 0, "hostID": 100000, "size": 65536}]'
        mk_bundle c1 /bin/sh -c "$(long_running c1.ready)"
        chown -R 100000:100000 "$B/rootfs" "$C/shared"
        cfg "$B" append linux.namespaces '{"type": "user"}' set linux.uidMappings "$map" set linux.gidMappings "$map"
        capture ctr run -d -b "$B" c1
        assert_rc 0 "run -d in a user namespace"
        wait_for "c1 ready" test -e "$C/shared/c1.ready"
        capture ctr exec c1 /bin/sh -c 'cat /proc/self/uid_map; id -u; touch /shared/by-exec'
        assert_rc 0 "exec into a container with a user namespace"
        assert_eq "uid_map and uid of the exec'd process" "0 100000 65536 0" "$(words "$OUT")"
        assert_eq "owner on the host of a file the exec'd process made" 100000 "$(stat -c %u "$C/shared/by-exec")"
        ctr delete --force c1
}

# CVE-2019-5736 on this path: the exec'd entry point is /proc/self/exe; the kernel must find
# the sealed stub there (which refuses to run without its arguments: 127), never the host's
# ctr-launch; and the exec'd process cannot write the binary that runs it.
t_cve_2019_5736() {
        local h0 h1
        h0=$(sha256sum <"$CTR")
        running c1
        capture ctr exec c1 /proc/self/exe --version
        assert_rc 127 "exec of /proc/self/exe (the stub's refusal)"
        capture ctr exec c1 /bin/sh -c '(echo x >>/proc/self/exe) 2>/dev/null && echo WROTE; readlink /proc/self/exe'
        assert_eq "/proc/self/exe of the exec'd process" /bin/busybox "$OUT"
        h1=$(sha256sum <"$CTR")
        assert_eq "sha256 of the host's ctr-launch" "$h0" "$h1"
        ctr delete --force c1
}

case_run exec-joins-everything t_joins_everything
case_run exec-exit-status t_exit_status
case_run exec-environment-and-user t_environment_and_user
case_run exec-process-file t_process_file
case_run exec-capabilities-and-nnp t_capabilities_and_nnp
case_run exec-seccomp t_seccomp
case_run exec-signals t_signals
case_run exec-fds t_fds
case_run exec-paused t_paused
case_run exec-not-running t_not_running
case_run exec-session-keyring t_session_keyring
case_run exec-sealed-launcher t_sealed_launcher
case_run exec-terminal t_terminal
case_run exec-terminal-relay t_terminal_relay
case_run exec-cgroup-sub t_cgroup_sub
case_run exec-user-namespace t_user_namespace
case_run exec-cve-2019-5736 t_cve_2019_5736
lib_finish
