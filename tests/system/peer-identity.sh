#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 13, item 11: serve hands polkit the requester's pidfd where the kernel gave one
# (SO_PEERPIDFD, Linux 6.5), pid and start time always (polkit before 123 knows no pidfd), in a
# real systemd 252 + polkitd (lib.sh). The CheckAuthorization calls are read off the system bus
# (busctl monitor). The production path runs on this kernel if it has SO_PEERPIDFD (skipped
# otherwise); the path of older kernels (pidfd_open() and the start-time check) is forced with
# ctr-launch@.service's test-only environment CTR_LAUNCH_TEST_NO_PEERPIDFD=1, set by a drop-in,
# and runs on every kernel. Both must give the same decisions.
# Usage: peer-identity.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
sys_init "$@"
host_boot "$BUILD_DIR"

LONG='trap "exit 0" TERM; while :; do sleep 0.2; done'
MON=/run/ctr-test-monitor

mkdir -p "$HOST_ROOT/etc/polkit-1/rules.d"
cat >"$HOST_ROOT/etc/polkit-1/rules.d/60-ctr-launch-test-peer.rules" <<'RULES'
polkit.addRule(function (action, subject) {
    if (subject.user == "carol" && action.id == "org.ctr-launch.container.manage")
        return polkit.Result.YES;
    return polkit.Result.NOT_HANDLED;
});
RULES
host_run useradd -M -N carol
host_run useradd -M -N bob
host_run systemctl start ctr-launch.socket
host_run systemctl restart polkit
host_make_bundle web sh -c "$LONG"

# The kernel's SO_PEERPIDFD, asked the way serve asks it.
have_peerpidfd() {
        "$PY" -c '
import socket
a, b = socket.socketpair()
try:
    a.getsockopt(socket.SOL_SOCKET, 77)
except OSError:
    raise SystemExit(1)'
}

# checks: carol's `list` allowed, bob's refused, with polkit's calls on the bus in $MON.
checks() {
        local rc=0 pid
        host_run rm -f "$MON"
        host_run sh -c "echo \$\$ >$MON.pid; exec busctl monitor --system org.freedesktop.PolicyKit1 >$MON 2>&1" &
        wait_for "busctl monitor" host_run sh -c "test -s $MON"
        OUT=$(host_run runuser -u carol -- timeout 30 "$HOST_CTR" --system list --quiet 2>&1) || rc=$?
        [ "$rc" = 0 ] || fail "carol: ctr-launch --system list: $OUT"
        OUT=$(host_run runuser -u bob -- timeout 30 "$HOST_CTR" --system list --quiet 2>&1) && rc=0 || rc=$?
        [ "$rc" != 0 ] || fail "bob: ctr-launch --system list succeeded: $OUT"
        assert_contains "bob: list" "$OUT" "not authorized"
        pid=$(host_run cat "$MON.pid")
        host_run kill "$pid"
        wait
        MONITOR=$(host_run cat "$MON")
        assert_contains "polkit was asked" "$MONITOR" "CheckAuthorization"
}

case_pidfd_from_kernel() {
        have_peerpidfd || skip "this kernel ($(uname -r)) has no SO_PEERPIDFD (Linux 6.5)"
        checks
        assert_contains "the subject of CheckAuthorization" "$MONITOR" 'STRING "pidfd"'
        assert_contains "the subject of CheckAuthorization" "$MONITOR" 'STRING "start-time"'
}

case_start_time_fallback() {
        mkdir -p "$HOST_ROOT/etc/systemd/system/ctr-launch@.service.d"
        printf '[Service]\nEnvironment=CTR_LAUNCH_TEST_NO_PEERPIDFD=1\n' \
                >"$HOST_ROOT/etc/systemd/system/ctr-launch@.service.d/test-no-peerpidfd.conf"
        host_run systemctl daemon-reload
        checks
        rm -f "$HOST_ROOT/etc/systemd/system/ctr-launch@.service.d/test-no-peerpidfd.conf"
        host_run systemctl daemon-reload
        case $MONITOR in
        *'STRING "pidfd"'*) fail "the fallback handed polkit a pidfd" ;;
        esac
        assert_contains "the subject of CheckAuthorization" "$MONITOR" 'STRING "start-time"'
}

case_run pidfd-from-kernel case_pidfd_from_kernel
case_run start-time-fallback case_start_time_fallback
sys_finish
