#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# process.terminal without --console-socket (issue 15, item 3): `run` in the foreground makes the
# container's pty relay to its own stdio as runc does: raw mode on a terminal and restored after,
# the window size at start and on SIGWINCH, input typed, the exit status, signals passed on. A
# pipe for stdin works too (no raw mode then). Detached, a terminal needs the socket: one line.
# The terminal is console.py's (pty mode), which runs `run` as its session's foreground.
# Usage: terminal.sh PATH-TO-ctr-launch (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
lib_init "$@"

# tty_bundle NAME SCRIPT: a bundle running `sh -c SCRIPT` with process.terminal true. Sets B.
tty_bundle() {
        mk_bundle "$1" /bin/sh -c "$2"
        cfg "$B" set process.terminal true
}

# tty_run ID [OPTIONS] [STEPS...]: `run -b $B ID` on a terminal of console.py's (33 x 111 unless
# OPTIONS say otherwise), driven by STEPS (console.py's). Sets TTY_OUT (what the terminal showed,
# without \r) and TTY_RC (run's exit status); the terminal's settings must be as before.
tty_run() {
        local id=$1
        shift
        echo "$id" >>"$C/.ids"
        local size=(--size 33 111)
        [ "${1:-}" != --size ] || size=()
        "$PY" "$LIB_DIR/console.py" pty "$C/$id.tty" "${size[@]}" "$@" -- "$CTR" --root "$ROOT" run -b "$B" "$id" \
                </dev/null 2>"$C/$id.driver" && RC=0 || RC=$?
        [ "$RC" = 0 ] || fail "run on a terminal: $(cat "$C/$id.driver")
what the terminal showed: $(cat -v "$C/$id.tty" 2>/dev/null)"
        TTY_OUT=$(tr -d '\r' <"$C/$id.tty")
        TTY_RC=$(cat "$C/$id.tty.rc")
        assert_eq "the terminal's settings after run" same "$(cat "$C/$id.tty.termios")"
}

t_tty() {
        # The size is asked for at once: it must be the terminal's from the start.
        tty_bundle b 'tty; echo size:$(stty size); trap '\''echo winch:$(stty size)'\'' WINCH; echo ready
                      while ! read -t 1 x; do :; done; echo got:$x; exit 3'
        tty_run c1 expect 'ready\r' raw resize 40 120 expect 'winch:40 120' send 'hello\r' expect 'got:hello'
        printf '%s\n' "$TTY_OUT" | grep -Eqx '/dev/pts/[0-9]+' || fail "tty inside: expected /dev/pts/N, got:
$TTY_OUT"
        assert_contains "stty size inside" "$TTY_OUT" "size:33 111"
        assert_eq "run's exit status" 3 "$TTY_RC"
}

t_tty_keys() {
        # Raw mode: ^C is a byte for the container's pty, which makes it the container's SIGINT.
        # (A loop: a ^C between two commands reaches the trap at the next one.)
        tty_bundle b 'trap '\''echo got-int; exit 6'\'' INT; echo ready; while :; do sleep 0.2; done'
        tty_run c1 expect 'ready\r' send '\x03' expect 'got-int'
        assert_eq "run's exit status" 6 "$TTY_RC"
}

t_tty_signal() {
        # SIGTERM to run goes on to the container, and the terminal is restored all the same.
        tty_bundle b 'trap '\''echo got-term; exit 9'\'' TERM; echo ready; while :; do sleep 0.1; done'
        tty_run c1 expect 'ready\r' raw signal TERM expect 'got-term'
        assert_eq "run's exit status" 9 "$TTY_RC"
}

t_tty_killed() {
        tty_bundle b 'echo ready; sleep 30'
        tty_run c1 expect 'ready\r' raw sh "'$CTR' --root '$ROOT' kill c1 KILL"
        assert_eq "run's exit status, the container killed by SIGKILL" 137 "$TTY_RC"
}

t_tty_stdin_pipe() {
        # stdin a pipe, stdout the terminal: the terminal stays as it is; the pipe's end is the
        # pty's end-of-file.
        tty_bundle b 'tty; read x; echo got:$x; cat; echo cat-done; exit 4'
        tty_run c1 --stdin-pipe 'hello\nworld\n' expect 'got:hello' cooked expect 'cat-done'
        assert_contains "what cat got" "$TTY_OUT" "world"
        assert_eq "run's exit status" 4 "$TTY_RC"

        # No terminal at all: a pipe in, a file out.
        tty_bundle b2 'read x; echo got:$x; cat; echo cat-done'
        echo c2 >>"$C/.ids"
        printf 'hello\nworld\n' | timeout -k 5 30 "$CTR" --root "$ROOT" run -b "$B" c2 >"$C/c2.out" 2>"$C/c2.err" &&
                RC=0 || RC=$?
        OUT=$(tr -d '\r' <"$C/c2.out") ERR=$(cat "$C/c2.err")
        assert_rc 0 "run with a terminal, stdin a pipe, stdout a file"
        assert_contains "output through the pty" "$OUT" "got:hello"
        assert_contains "output through the pty" "$OUT" "cat-done"
}

t_tty_no_terminal() {
        # Neither stdin (/dev/null) nor stdout is a terminal; what the container wrote just
        # before it exited is all there (the pty is drained).
        tty_bundle b 'tty; seq 1 20000; exit 5'
        capture ctr run -b "$B" c1
        assert_rc 5 "run with a terminal, no terminal of its own"
        OUT=$(printf '%s\n' "$OUT" | tr -d '\r')
        # Not `printf | grep -q`: grep's early exit fails the pipeline (pipefail).
        [[ $(head -1 <<<"$OUT") =~ ^/dev/pts/[0-9]+$ ]] || fail "tty inside: expected /dev/pts/N, got: $(head -3 <<<"$OUT")"
        assert_eq "the last line" 20000 "$(tail -1 <<<"$OUT")"
        assert_eq "lines" 20001 "$(grep -c '' <<<"$OUT")"
}

t_tty_detached() {
        # runc: "cannot allocate tty if runc will detach without setting console socket".
        mk_bundle b /bin/touch /shared/ran
        cfg "$B" set process.terminal true
        capture ctr run -d -b "$B" c1
        assert_fails "run -d with terminal true and no --console-socket"
        assert_one_error_line "run -d with terminal true and no --console-socket" 'detached.*console-socket'
        [ ! -e "$ROOT/c1" ] || fail "the failed run -d left $ROOT/c1"
        [ ! -e "$C/shared/ran" ] || fail "the process ran although the run was refused"
}

case_run tty t_tty
case_run tty-keys t_tty_keys
case_run tty-signal t_tty_signal
case_run tty-killed t_tty_killed
case_run tty-stdin-pipe t_tty_stdin_pipe
case_run tty-no-terminal t_tty_no_terminal
case_run tty-detached t_tty_detached
lib_finish
