#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 6, PAM half, in a real systemd (252, booted in systemd-nspawn, see lib.sh) with the real
# PAM stack: a container whose process runs as the host account named by the annotation
# org.ctr-launch.pam.user goes through /etc/pam.d/ctr-launch as `meson install` put it there,
# plus a pam_exec line that logs every open_session and close_session. Exactly one open and one
# close per container run (stopped, exited, SIGKILLed, by hand, with `run`, as ctr@ID), the
# account's limits.conf in the container's /proc/1/limits, pam_env's variables in its
# environment (process.env winning), no PAM fd in it, and a locked, expired or nologin'd
# account refused with nothing left.
# Usage: pam.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
sys_init "$@"
host_boot "$BUILD_DIR"

# The test host booted basic.target only: /run/nologin ("System is booting up") is still there
# and pam_nologin refuses every non-root account until this service removes it.
host_run systemctl start systemd-user-sessions.service

ACCOUNT=ctrpam
PAM_LOG=/var/log/ctr-pam-test.log
[ -f "$HOST_ROOT/etc/pam.d/ctr-launch" ] || hard_error "meson install put no /etc/pam.d/ctr-launch in the test host"

# The account: '*' is "no password, not locked" (useradd's default "!" counts as locked).
host_run useradd -M -d /nonexistent -s /bin/sh -p '*' "$ACCOUNT"
ACCOUNT_UID=$(host_run id -u "$ACCOUNT")
ACCOUNT_GID=$(host_run id -g "$ACCOUNT")
# The shipped stack, plus a log of every session opened and closed. The helpers are in /etc,
# which the VM suite makes as it was after each script, and not in /usr, which the VM caches
# (host-vm.sh).
mkdir -p "$HOST_ROOT/etc/ctr-pam-test"
cat >"$HOST_ROOT/etc/ctr-pam-test/log" <<EOS
#!/bin/sh
echo "\$PAM_TYPE \$PAM_USER \$PAM_TTY" >>$PAM_LOG
EOS
chmod 755 "$HOST_ROOT/etc/ctr-pam-test/log"
# Before the logger: while /run/ctr-pam-hang exists, a close stops here, half done (its PID in
# /run/ctr-pam-hang.pid), so that a case can kill the holder in the middle of its close; the
# logger then logs only a close that went to the end.
cat >"$HOST_ROOT/etc/ctr-pam-test/hang" <<'EOS'
#!/bin/sh
[ "$PAM_TYPE" = close_session ] && [ -e /run/ctr-pam-hang ] || exit 0
echo $$ >/run/ctr-pam-hang.pid
while [ -e /run/ctr-pam-hang ]; do sleep 0.1; done
EOS
chmod 755 "$HOST_ROOT/etc/ctr-pam-test/hang"
printf '%s\n' '# test: log every session' 'session required pam_exec.so /etc/ctr-pam-test/hang' \
        'session required pam_exec.so /etc/ctr-pam-test/log' >>"$HOST_ROOT/etc/pam.d/ctr-launch"
mkdir -p "$HOST_ROOT/etc/security/limits.d"
echo "$ACCOUNT - nofile 1234" >"$HOST_ROOT/etc/security/limits.d/ctr-pam-test.conf"
printf 'CTR_PAM_FROM_ENV=pam-env\nCTR_PAM_BOTH=from-pam\n' >>"$HOST_ROOT/etc/environment"

# A payload that runs as the account until TERM.
LONG='trap "exit 0" TERM; touch /shared/running; while :; do sleep 0.2; done'

# make ID ARGS...: a bundle whose process runs as the account, selected by the annotation.
make() {
        local id=$1
        shift
        host_make_bundle "$id" "$@"
        chmod 777 "$BUNDLE_DIR/shared"
        host_bundle_set "$id" process.user "{\"uid\": $ACCOUNT_UID, \"gid\": $ACCOUNT_GID}" \
                annotations "{\"org.ctr-launch.pam.user\": \"$ACCOUNT\"}"
        "$PY" - "$BUNDLE_DIR/config.json" <<'EOS'
import json, sys
with open(sys.argv[1]) as f:
    cfg = json.load(f)
cfg["process"]["env"].append("CTR_PAM_BOTH=from-config")
# Below the test machine's hard limit, so that setting it needs no CAP_SYS_RESOURCE (which
# this machine may lack); limits.conf's 1234 then shows PAM winning over process.rlimits.
cfg["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "hard": 2048, "soft": 2048}]
with open(sys.argv[1], "w") as f:
    json.dump(cfg, f, indent=2)
EOS
}

log_reset() {
        : >"$HOST_ROOT$PAM_LOG"
}

count() { # count open_session|close_session
        grep -c "^$1 $ACCOUNT " "$HOST_ROOT$PAM_LOG" || true
}

assert_sessions() { # assert_sessions OPENS CLOSES WHAT
        assert_eq "sessions opened ($3)" "$1" "$(count open_session)"
        assert_eq "sessions closed ($3)" "$2" "$(count close_session)"
}

closed() {
        [ "$(count close_session)" -ge 1 ]
}

# What PAM gave the running container (its init, PID $1 in the test host).
assert_pam_applied() {
        local pid=$1 limits env fds
        limits=$(host_run grep 'Max open files' "/proc/$pid/limits")
        note "$limits"
        [[ $limits =~ Max\ open\ files\ +1234\ +1234 ]] || fail "limits.conf's nofile 1234 not in /proc/1/limits: $limits"
        env=$(host_run cat "/proc/$pid/environ" | tr '\0' '\n')
        assert_contains "the container's environment" "$env" "CTR_PAM_FROM_ENV=pam-env"
        assert_contains "the container's environment" "$env" "CTR_PAM_BOTH=from-config"
        if grep -q "CTR_PAM_BOTH=from-pam" <<<"$env"; then fail "pam_env's value won over process.env"; fi
        fds=$(host_run ls "/proc/$pid/fd" | sort -n | tr '\n' ' ')
        assert_eq "the container's fds" "0 1 2 " "$fds"
        assert_eq "the container's uid" "$ACCOUNT_UID" "$(host_run stat -c %u "/proc/$pid")"
        assert_eq "the container's audit login uid" "$ACCOUNT_UID" "$(host_run cat "/proc/$pid/loginuid")"
}

# ---------------------------------------------------------------- cases

# create + start by hand, then kill -9 of the container: the holder closes the session itself.
t_manual_kill9() {
        log_reset
        make man /bin/sh -c "$LONG"
        host_ctr create --bundle "$HOST_BUNDLE" man
        assert_sessions 1 0 "after create"
        host_ctr start man
        wait_for "the payload to run" test -e "$BUNDLE_DIR/shared/running"
        local pid
        pid=$(host_pid_of man)
        assert_pam_applied "$pid"
        note "session holder: $(host_run pgrep -a -f 'ctr-launch' | grep -v " $pid " | tr '\n' ' ')"
        host_run kill -9 "$pid"
        wait_for "the session to close after kill -9" closed
        assert_sessions 1 1 "after kill -9"
        host_ctr delete man
        assert_sessions 1 1 "after delete"
}

# `run`: create and start in one process, the container exits by itself.
t_run() {
        log_reset
        make run1 /bin/sh -c 'grep "Max open files" /proc/self/limits >/shared/limits; echo "$CTR_PAM_FROM_ENV" >/shared/env'
        host_ctr run --bundle "$HOST_BUNDLE" run1
        assert_sessions 1 1 "after run"
        assert_contains "limits seen by the container" "$(cat "$BUNDLE_DIR/shared/limits")" "1234"
        assert_eq "pam_env seen by the container" pam-env "$(cat "$BUNDLE_DIR/shared/env")"
}

# unit_started ID ARGS...: ctr@ID started, its bundle made by make.
unit_started() {
        log_reset
        make "$@"
        host_watch_unit "ctr@$1.service"
        host_run timeout 60 systemctl start "ctr@$1"
}

# closed_once_when_gone ID WHAT: once ctr@ID is no longer active, its one session is closed,
# and only once.
closed_once_when_gone() {
        wait_for "ctr@$1 to stop" host_fails systemctl -q is-active "ctr@$1"
        wait_for "the session to close" closed
        sleep 1 # a second close would show by now
        assert_sessions 1 1 "$2"
}

t_unit_stop() {
        unit_started pu /bin/sh -c "$LONG"
        local pid
        pid=$(host_run systemctl show -p MainPID --value ctr@pu)
        assert_eq "MainPID is the container" "$(host_pid_of pu)" "$pid"
        assert_pam_applied "$pid"
        assert_sessions 1 0 "unit started"
        host_run timeout 60 systemctl stop ctr@pu
        assert_sessions 1 1 "after systemctl stop"
}

t_unit_kill9() {
        unit_started pk /bin/sh -c "$LONG"
        local pid
        pid=$(host_run systemctl show -p MainPID --value ctr@pk)
        host_run kill -9 "$pid"
        closed_once_when_gone pk "after kill -9 of the unit's main process"
}

t_unit_exit() {
        unit_started pe /bin/sh -c 'sleep 0.5; exit 7'
        closed_once_when_gone pe "after the container exited with 7"
}

# refused ID WHAT NEEDLE: create fails with NEEDLE on stderr, no session, nothing left.
refused() {
        local id=$1 what=$2 needle=$3 rc=0 out
        # Into a file, not $(...): a create that wrongly succeeds leaves an init holding its
        # stdout, and a command substitution would wait for it forever.
        host_ctr create --bundle "$HOST_BUNDLE" "$id" >"$HOST_DIR/refused.out" 2>&1 || rc=$?
        out=$(cat "$HOST_DIR/refused.out")
        [ "$rc" != 0 ] || fail "create as a $what account succeeded"
        note "$what: $out"
        assert_contains "create's error ($what)" "$out" "$needle"
        [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "more than one error line: $out"
        assert_sessions 0 0 "$what"
        if host_run test -e "$HOST_STATE/$id"; then fail "state left for $id"; fi
        if host_run pgrep -f ctr-launch >/dev/null; then fail "a ctr-launch process is left: $(host_run pgrep -af ctr-launch)"; fi
}

t_refused() {
        log_reset
        make ref /bin/true
        host_run usermod -L "$ACCOUNT"
        refused ref locked "is locked"
        host_run usermod -U "$ACCOUNT"
        host_run usermod -e 1 "$ACCOUNT"
        refused ref expired "account has expired"
        host_run usermod -e '' "$ACCOUNT"
        echo "maintenance until noon" >"$HOST_ROOT/etc/nologin"
        refused ref nologin "maintenance until noon"
        rm -f "$HOST_ROOT/etc/nologin"
        host_bundle_set ref process.user '{"uid": 0, "gid": 0}'
        refused ref "mismatched" "must be PAM account $ACCOUNT's own"
        host_bundle_set ref process.user "{\"uid\": $ACCOUNT_UID, \"gid\": $ACCOUNT_GID}" \
                annotations '{"org.ctr-launch.pam.user": "no-such-account"}'
        refused ref "missing" 'no such account "no-such-account"'
}

t_unit_locked() {
        log_reset
        make pl /bin/sh -c "$LONG"
        host_watch_unit ctr@pl.service
        host_run usermod -L "$ACCOUNT"
        local rc=0
        host_run timeout 60 systemctl start ctr@pl 2>/dev/null || rc=$?
        host_run usermod -U "$ACCOUNT"
        [ "$rc" != 0 ] || fail "ctr@pl started for a locked account"
        wait_for "the refusal in the journal" host_run sh -c "journalctl -u ctr@pl --no-pager | grep -q 'is locked'"
        assert_sessions 0 0 "locked account under systemd"
}

# A locked account whose shadow entry is longer than 16 KiB: getspnam_r() says ERANGE on a
# small buffer, and the check must grow it (or refuse), never skip it.
t_locked_long_shadow() {
        log_reset
        make lls /bin/true
        trap 'host_run usermod -p "*" "$ACCOUNT"' EXIT
        host_run usermod -p "!$(printf 'x%.0s' $(seq 17000))" "$ACCOUNT"
        local len
        len=$(host_run getent shadow "$ACCOUNT" | wc -c)
        note "shadow entry of $ACCOUNT: $len bytes"
        [ "$len" -gt 16384 ] || fail "the shadow entry is only $len bytes"
        refused lls "locked, shadow entry over 16 KiB" "is locked"
}

# The session holder killed in the middle of its close (systemd's SIGKILL at the end of a failed
# unit, or delete's after its deadline): the close is not marked done, and the next delete does
# it again, to the end.
t_close_killed_holder() {
        log_reset
        make hk /bin/sh -c "$LONG"
        host_ctr create --bundle "$HOST_BUNDLE" hk
        host_ctr start hk
        wait_for "the payload to run" test -e "$BUNDLE_DIR/shared/running"
        local pid holder
        pid=$(host_pid_of hk)
        holder=$(host_run cat "$HOST_STATE/hk/pam.pid" | cut -d' ' -f1)
        trap 'host_run rm -f /run/ctr-pam-hang /run/ctr-pam-hang.pid' EXIT
        host_run touch /run/ctr-pam-hang
        host_run kill -9 "$pid"
        wait_for "the holder to be in the middle of its close" host_run test -s /run/ctr-pam-hang.pid
        host_run kill -9 "$holder" "$(host_run cat /run/ctr-pam-hang.pid)"
        host_run rm -f /run/ctr-pam-hang /run/ctr-pam-hang.pid
        wait_for "the holder to be gone" host_fails sh -c "kill -0 $holder 2>/dev/null"
        assert_sessions 1 0 "holder killed in the middle of its close"
        host_ctr delete hk
        assert_sessions 1 1 "after delete: the half-done close done again, to the end"
}

case_run manual-kill9 t_manual_kill9
case_run run t_run
case_run unit-stop t_unit_stop
case_run unit-kill9 t_unit_kill9
case_run unit-exit t_unit_exit
case_run refused t_refused
case_run unit-locked t_unit_locked
case_run locked-long-shadow t_locked_long_shadow
case_run close-killed-holder t_close_killed_holder
sys_finish
