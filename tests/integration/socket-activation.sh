#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Socket activation without systemd (issue 19): LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES given by
# hand (listen-launcher.py, which execs ctr-launch in its own process as systemd does) to `run`,
# with --preserve-fds too, and to `start`, which hands the fds to the waiting init over
# <state>/start.sock: the container's process gets exactly 0-2 and those fds, LISTEN_PID its own
# PID, and answers on them (tests/helpers/sock-activated-static, $CTR_SOCK_SERVER). Bad input:
# start given fds when create already passed some, a container without start.sock, fds that
# are not ours (LISTEN_PID of another process).
# Usage: socket-activation.sh PATH-TO-ctr-launch (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
lib_init "$@"

LAUNCHER=$LIB_DIR/listen-launcher.py
# meson sets it; run by hand against a build tree, the server is beside the binary's.
CTR_SOCK_SERVER=${CTR_SOCK_SERVER:-$(dirname "$CTR")/../tests/helpers/sock-activated-static}

need_server() {
        [ -x "${CTR_SOCK_SERVER:-}" ] ||
                skip "no test server (CTR_SOCK_SERVER; meson builds tests/helpers/sock-activated-static)"
}

# server_bundle NAME MODE: a bundle running the test server. Sets B.
server_bundle() {
        need_server
        mk_bundle "$1" /bin/sock-activated-static "$2"
        cp "$CTR_SOCK_SERVER" "$B/rootfs/bin/sock-activated-static"
}

# launch ARGS... -- CMD...: CMD with sockets at 3.. (listen-launcher.py's ARGS); no timeout(1)
# between them: LISTEN_PID must name ctr-launch itself.
launch() {
        timeout -k 5 30 "$PY" "$LAUNCHER" "$@"
}

# report KEY: one line of the server's /shared/report.
report() {
        sed -n "s/^$1=//p" "$C/shared/report"
}

# ask PORT LINE: the server's answer, in ANSWER.
ask() {
        ANSWER=$("$PY" - "$1" "$2" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
s.sendall(sys.argv[2].encode() + b"\n")
data = b""
while not data.endswith(b"\n"):
    chunk = s.recv(512)
    if not chunk:
        break
    data += chunk
print(data.decode().rstrip("\n"))
EOF
        ) || fail "no answer on port $1"
}

# stop_container ID: TERM (the server exits 0 on it), then delete.
stop_container() {
        ctr kill "$1" TERM
        wait_for "$1 to stop" status_is "$1" stopped
        ctr delete "$1"
}

# ---------------------------------------------------------------- cases

# run with two sockets and their names: both answer; LISTEN_PID is the container's process
# (1, its own PID namespace); fds 0-4 only, though the caller had 7 open.
t_run_listen_fds() {
        server_bundle b serve
        exec 7</etc/hostname
        echo c1 >>"$C/.ids"
        capture_start run launch --tcp 2 --names web:admin --ports "$C/ports" -- "$CTR" --root "$ROOT" run -b "$B" c1
        local run_pid=$BG_PID p1 p2
        wait_for "the server's report" test -s "$C/shared/report"
        read -r p1 p2 <"$C/ports"
        ask "$p1" hello
        assert_eq "answer on the first socket" "hello from run 1" "$ANSWER"
        ask "$p2" admin
        assert_eq "answer on the second socket" "admin from run 1" "$ANSWER"
        assert_eq "LISTEN_FDS" 2 "$(report listen_fds)"
        assert_eq "LISTEN_FDNAMES" web:admin "$(report listen_fdnames)"
        assert_eq "LISTEN_PID" 1 "$(report listen_pid)"
        assert_eq "getpid()" 1 "$(report pid)"
        assert_eq "the container's fds (caller had 7 open)" "0 1 2 3 4" "$(report fds)"
        ctr kill c1 TERM
        capture_end "$run_pid" run
        assert_rc 0 "run of the socket-activated server"
        exec 7<&-
}

# LISTEN_FDS come first, then --preserve-fds (as runc does): the socket at 3, the preserved file
# at 4; LISTEN_FDS says 1.
t_run_listen_and_preserve() {
        mk_bundle b /bin/sh -c 'echo "$LISTEN_FDS $LISTEN_PID ${LISTEN_FDNAMES-unset}"; readlink /proc/self/fd/3; cat /proc/self/fd/4; ls /proc/self/fd | tr "\n" " "'
        echo "preserved-$RANDOM" >"$C/preserved"
        echo c1 >>"$C/.ids"
        capture launch --tcp 1 --names web -- "$CTR" --root "$ROOT" run --preserve-fds 1 -b "$B" c1 4<"$C/preserved"
        assert_rc 0 "run with LISTEN_FDS=1 and --preserve-fds 1"
        assert_eq "LISTEN_FDS LISTEN_PID LISTEN_FDNAMES" "1 1 web" "$(sed -n 1p <<<"$OUT")"
        assert_contains "fd 3 (the socket)" "$(sed -n 2p <<<"$OUT")" "socket:["
        assert_eq "fd 4 (the preserved file)" "$(cat "$C/preserved")" "$(sed -n 3p <<<"$OUT")"
        # 5 is the directory ls opens itself.
        assert_eq "the container's fds" "0 1 2 3 4 5" "$(words "$(sed -n 4p <<<"$OUT")")"
}

# The start path: create without fds, then start with three sockets (as systemd runs
# ExecStart=): the init gets them over start.sock and execs with exactly 0-2 and 3-5, nothing
# of start's (it had 7 open) nor of the init's own channels; start keeps no copy.
t_start_listen_fds() {
        server_bundle b serve
        ctr create -b "$B" c1 </dev/null >"$C/out" 2>"$C/err"
        [ -S "$ROOT/c1/start.sock" ] || fail "create made no $ROOT/c1/start.sock"
        exec 7</etc/hostname
        capture launch --tcp 3 --names a:b:c --ports "$C/ports" -- "$CTR" --root "$ROOT" start c1
        assert_rc 0 "start with LISTEN_FDS=3"
        exec 7<&-
        wait_for "the server's report" test -s "$C/shared/report"
        local p1 p2 p3 pid
        read -r p1 p2 p3 <"$C/ports"
        ask "$p3" third
        assert_eq "answer on the third socket" "third from run 1" "$ANSWER"
        assert_eq "LISTEN_FDS" 3 "$(report listen_fds)"
        assert_eq "LISTEN_FDNAMES" a:b:c "$(report listen_fdnames)"
        assert_eq "LISTEN_PID (the container's process, PID 1 in its namespace)" 1 "$(report listen_pid)"
        assert_eq "the container's fds (start had 7 open)" "0 1 2 3 4 5" "$(report fds)"
        # Seen from the host: the same, fds 3-5 the sockets, without O_CLOEXEC.
        pid=$(pid_of c1)
        local fd n target flags problems=""
        for fd in /proc/"$pid"/fd/*; do
                n=${fd##*/}
                target=$(readlink "$fd") || continue
                flags=$(awk '/^flags:/ {print $2}' "/proc/$pid/fdinfo/$n")
                case $n in
                0 | 1 | 2) ;;
                3 | 4 | 5)
                        [[ $target == socket:* ]] || problems+="fd $n -> $target (not a socket); "
                        (( (8#$flags & 8#2000000) == 0 )) || problems+="fd $n is close-on-exec; " ;;
                *) problems+="fd $n -> $target; " ;;
                esac
        done
        [ -z "$problems" ] || fail "the container's process holds: $problems"
        stop_container c1
}

# Both ways at once is refused: create passed --preserve-fds, start was given LISTEN_FDS; the
# container's process is not started, start says why in one line.
t_start_listen_after_preserve() {
        mk_bundle b /bin/sh -c 'touch /shared/ran'
        ctr create --preserve-fds 1 -b "$B" c1 </dev/null >"$C/out" 2>"$C/err" 3</etc/hostname
        capture launch --tcp 1 -- "$CTR" --root "$ROOT" start c1
        assert_fails "start with LISTEN_FDS after create --preserve-fds 1"
        assert_one_error_line "start with LISTEN_FDS after create --preserve-fds 1" \
                'start was given 1 fds to pass on \(LISTEN_FDS\), and create already passed 1'
        [ ! -e "$C/shared/ran" ] || fail "the container's process ran"
        ctr delete --force c1
}

# A container without start.sock (one an older create made, or removed): start with fds says
# so in one line and the container is still created; start without fds still works.
t_start_sock_missing() {
        mk_bundle b /bin/sh -c 'echo "${LISTEN_FDS-none}"; ls /proc/self/fd | tr "\n" " "'
        ctr create -b "$B" c1 </dev/null >"$C/out" 2>"$C/err"
        rm "$ROOT/c1/start.sock"
        capture launch --tcp 1 -- "$CTR" --root "$ROOT" start c1
        assert_fails "start with LISTEN_FDS and no start.sock"
        assert_one_error_line "start with LISTEN_FDS and no start.sock" \
                'cannot take socket-activation fds \(it was created without start.sock'
        assert_status c1 created
        capture ctr start c1
        assert_rc 0 "start without fds"
        wait_for "c1 to stop" status_is c1 stopped
        assert_eq "the container's LISTEN_FDS and fds" "none 0 1 2 3" "$(words "$(cat "$C/out")")"
        ctr delete c1
}

# LISTEN_PID of another process: the fds are not ours (sd_listen_fds' rule), nothing is passed,
# to run or to start.
t_listen_pid_not_ours() {
        mk_bundle b /bin/sh -c 'echo "${LISTEN_FDS-none}"; ls /proc/self/fd | tr "\n" " "'
        echo c1 >>"$C/.ids"
        capture launch --tcp 1 --pid-offset 1 -- "$CTR" --root "$ROOT" run -b "$B" c1
        assert_rc 0 "run with LISTEN_PID of another process"
        assert_eq "the container's LISTEN_FDS and fds" "none 0 1 2 3" "$(words "$OUT")"
        ctr create -b "$B" c2 </dev/null >"$C/out" 2>"$C/err"
        capture launch --tcp 1 --pid-offset 1 -- "$CTR" --root "$ROOT" start c2
        assert_rc 0 "start with LISTEN_PID of another process"
        wait_for "c2 to stop" status_is c2 stopped
        assert_eq "the container's LISTEN_FDS and fds after start" "none 0 1 2 3" "$(words "$(cat "$C/out")")"
        ctr delete c2
}

# LISTEN_FDNAMES with another count of names than LISTEN_FDS is not passed on (sd_listen_fds'
# rule); the fds are.
t_listen_fdnames_mismatch() {
        mk_bundle b /bin/sh -c 'echo "$LISTEN_FDS ${LISTEN_FDNAMES-unset}"'
        ctr create -b "$B" c1 </dev/null >"$C/out" 2>"$C/err"
        capture launch --tcp 2 --names onlyone -- "$CTR" --root "$ROOT" start c1
        assert_rc 0 "start with 2 fds and 1 name"
        wait_for "c1 to stop" status_is c1 stopped
        assert_eq "LISTEN_FDS LISTEN_FDNAMES" "2 unset" "$(cat "$C/out")"
        ctr delete c1
}

# process.env's LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES lose to the runtime's: they used to
# come first in the exec'd environment, where getenv() takes the first entry (a shell takes the
# last, so the environment block as exec'd is read from /proc/1/environ).
t_config_env_loses() {
        mk_bundle b /bin/sh -c 'tr "\0" "\n" </proc/1/environ | grep "^LISTEN_" | sort'
        cfg "$B" append process.env '"LISTEN_PID=99"'
        cfg "$B" append process.env '"LISTEN_FDS=7"'
        cfg "$B" append process.env '"LISTEN_FDNAMES=evil"'
        ctr create -b "$B" c1 </dev/null >"$C/out" 2>"$C/err"
        capture launch --tcp 1 --names web -- "$CTR" --root "$ROOT" start c1
        assert_rc 0 "start with LISTEN_FDS=1"
        wait_for "c1 to stop" status_is c1 stopped
        assert_eq "the container's LISTEN_ entries as exec'd" "LISTEN_FDNAMES=web LISTEN_FDS=1 LISTEN_PID=1" \
                "$(words "$(cat "$C/out")")"
        ctr delete c1
}

# A start killed after it sent its fds (before exec.fifo), and one killed between its connect
# and its send, left their connections queued on start.sock: a later start without fds takes
# neither, and the end of file is no error (it was "the container took 0 fds (its
# RLIMIT_NOFILE?)").
t_stale_start_sock() {
        mk_bundle b /bin/sh -c 'echo "${LISTEN_FDS-none}"; ls /proc/self/fd | tr "\n" " "'
        ctr create -b "$B" c1 </dev/null >"$C/out" 2>"$C/err"
        "$PY" - "$ROOT/c1/start.sock" <<'EOF2' || fail "could not queue the stale connections"
import array, socket, sys
stale = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
stale.connect(sys.argv[1])
fd = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
stale.sendmsg([b"1 stale"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd.fileno()]))])
stale.close()
eof = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
eof.connect(sys.argv[1])
eof.close()
EOF2
        capture ctr start c1
        assert_rc 0 "start without fds after stale connections"
        wait_for "c1 to stop" status_is c1 stopped
        assert_eq "the container's LISTEN_FDS and fds" "none 0 1 2 3" "$(words "$(cat "$C/out")")"
        ctr delete c1
}

case_run run-listen-fds t_run_listen_fds
case_run run-listen-and-preserve t_run_listen_and_preserve
case_run start-listen-fds t_start_listen_fds
case_run start-listen-after-preserve t_start_listen_after_preserve
case_run start-sock-missing t_start_sock_missing
case_run listen-pid-not-ours t_listen_pid_not_ours
case_run listen-fdnames-mismatch t_listen_fdnames_mismatch
case_run config-env-loses t_config_env_loses
case_run stale-start-sock t_stale_start_sock
lib_finish
