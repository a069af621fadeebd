#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 13, item 11, and issue 14, item 6: serve hands polkit the requester's pidfd where the
# kernel gave one (SO_PEERPIDFD, Linux 6.5), pid and start time always (polkit before 123 knows
# no pidfd), in a real systemd 252 + polkitd (lib.sh). The CheckAuthorization calls are read
# off the system bus (busctl monitor), and their subject must be the very process that
# connected: its pid, its start time, its uid. Which path runs is the test host's kernel's
# choice: the kernel's pidfd on 6.5 and later (nspawn here: 6.18), pidfd_open() and the start
# time on older kernels (the VM: Debian 12's 6.1), the natural path there. The path of older
# kernels is also forced on any kernel with ctr-launch.service's test-only environment
# CTR_LAUNCH_TEST_NO_PEERPIDFD=1, set by a drop-in. Both must give the same decisions, and both
# must refuse a requester that is gone when serve accepts its connection, its PID recycled or
# not (peer-requester.py holds serve at its start with an ExecStart= wrapper meanwhile: the
# connection waits in the socket). On the pidfd_open() path a PID recycled before the accept
# is caught by the uid: the process that took it is root's, not carol's.
# Usage: peer-identity.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
sys_init "$@"
host_boot "$BUILD_DIR"

LONG='trap "exit 0" TERM; while :; do sleep 0.2; done'
MON=/run/ctr-test-monitor
REQUESTER=/usr/local/libexec/ctr-test-peer-requester
GATE=/run/ctr-test-peer
DROPINS=$HOST_ROOT/etc/systemd/system/ctr-launch.service.d

install -D -m 0755 "$(dirname "$0")/peer-requester.py" "$HOST_ROOT$REQUESTER"
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
CAROL_UID=$(host_run id -u carol)
CAROL_GID=$(host_run id -g carol)
host_run systemctl start ctr-launch.socket
host_run systemctl restart polkit
host_make_bundle web sh -c "$LONG"

# The test host's kernel's SO_PEERPIDFD, asked the way serve asks it.
if host_run "$PY" -c '
import socket
a, b = socket.socketpair()
try:
    a.getsockopt(socket.SOL_SOCKET, 77)
except OSError:
    raise SystemExit(1)'; then
        PEERPIDFD=yes
else
        PEERPIDFD=no
fi
diag "peer identity: kernel $(host_run uname -r), SO_PEERPIDFD: $PEERPIDFD"

# reload_service: the drop-ins read, and the service stopped (it lingers while idle), so that
# the next connection starts it as they say.
reload_service() {
        host_run systemctl daemon-reload
        host_run systemctl stop ctr-launch.service
}

# force_fallback on|off: the drop-in that makes serve take the path of kernels before 6.5.
force_fallback() {
        if [ "$1" = on ]; then
                mkdir -p "$DROPINS"
                printf '[Service]\nEnvironment=CTR_LAUNCH_TEST_NO_PEERPIDFD=1\n' >"$DROPINS/test-no-peerpidfd.conf"
        else
                rm -f "$DROPINS/test-no-peerpidfd.conf"
        fi
        reload_service
}

# subject FIELD TYPE: the values of FIELD in the subjects of the CheckAuthorization calls in
# $MONITOR (busctl monitor's text), one a line.
subject() {
        printf '%s\n' "$MONITOR" | "$PY" -c '
import re, sys
field, kind = sys.argv[1:]
for v in re.findall(r"STRING \"%s\";\s*VARIANT \"[a-z]\" \{\s*%s (-?\d+);" % (field, kind), sys.stdin.read()):
    print(v)' "$1" "$2"
}

# checks: carol's `list` (peer-requester.py, alive: its pid and start time known) allowed,
# bob's (ctr-launch) refused, with polkit's calls on the bus in $MONITOR; carol's subject was her
# process: pid, start time, uid.
checks() {
        local rc=0 pid
        host_run rm -f "$MON"
        host_run sh -c "echo \$\$ >$MON.pid; exec busctl monitor --system org.freedesktop.PolicyKit1 >$MON 2>&1" &
        wait_for "busctl monitor" host_run sh -c "test -s $MON"
        OUT=$(host_run timeout 60 "$PY" -c '
import json, os, socket, sys
def starttime(pid):
    with open("/proc/%d/stat" % pid) as f:
        return int(f.read().rsplit(")", 1)[1].split()[19])
os.setgroups([]); os.setgid(int(sys.argv[2])); os.setuid(int(sys.argv[1]))
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect("/run/ctr-launch-control.sock")
print("requester %d %d" % (os.getpid(), starttime(os.getpid())))
s.sendall(b"{\"verb\":\"list\"}\n")
s.shutdown(socket.SHUT_WR)
print("reply " + s.makefile().read().strip())' "$CAROL_UID" "$CAROL_GID" 2>&1) || fail "carol's requester: $OUT"
        note "carol: $OUT"
        assert_contains "carol's list" "$OUT" 'reply {"ok":true'
        REQ_PID=$(printf '%s\n' "$OUT" | awk '$1 == "requester" { print $2 }')
        REQ_START=$(printf '%s\n' "$OUT" | awk '$1 == "requester" { print $3 }')
        OUT=$(host_run runuser -u bob -- timeout 60 "$HOST_CTR" --system list --quiet 2>&1) && rc=0 || rc=$?
        [ "$rc" != 0 ] || fail "bob: ctr-launch --system list succeeded: $OUT"
        assert_contains "bob: list" "$OUT" "not authorized"
        pid=$(host_run cat "$MON.pid")
        host_run kill "$pid"
        wait
        MONITOR=$(host_run cat "$MON")
        assert_contains "polkit was asked" "$MONITOR" "CheckAuthorization"
        # carol's call came first: her process, as serve pinned it.
        assert_eq "the subject's pid" "$REQ_PID" "$(subject pid UINT32 | head -n 1)"
        assert_eq "the subject's start time (/proc/PID/stat of the requester)" "$REQ_START" \
                "$(subject start-time UINT64 | head -n 1)"
        assert_eq "the subject's uid" "$CAROL_UID" "$(subject uid INT32 | head -n 1)"
}

no_pidfd_in_subject() {
        case $MONITOR in
        *'STRING "pidfd"'*) fail "$1 handed polkit a pidfd" ;;
        esac
}

case_pidfd_from_kernel() {
        [ "$PEERPIDFD" = yes ] ||
                skip "this kernel ($(host_run uname -r)) has no SO_PEERPIDFD (Linux 6.5): start-time-natural is its path"
        checks
        assert_contains "the subject of CheckAuthorization" "$MONITOR" 'STRING "pidfd"'
}

# Kernels before 6.5 (Debian 12's 6.1): the path of serve's own choosing, no knob.
case_start_time_natural() {
        [ "$PEERPIDFD" = no ] ||
                skip "this kernel ($(host_run uname -r)) has SO_PEERPIDFD: its pidfd_open() path is forced in start-time-fallback"
        [ ! -e "$DROPINS/test-no-peerpidfd.conf" ] || fail "the forcing drop-in is there"
        checks
        no_pidfd_in_subject "serve, on a kernel without SO_PEERPIDFD,"
}

case_start_time_fallback() {
        force_fallback on
        checks
        force_fallback off
        no_pidfd_in_subject "the forced fallback"
}

# gone MODE: peer-requester.py MODE as carol against serve held at its start by the wrapper;
# the reply in REPLY, the requester's PID in REQ_PID.
gone() {
        host_run mkdir -p "$GATE"
        mkdir -p "$DROPINS"
        # serve accepts the connection only once the wrapper lets it start (exec keeps the process).
        printf '[Service]\nReadWritePaths=%s\nExecStart=\nExecStart=/bin/sh -c %s\n' "$GATE" \
                "'touch $GATE/started; while [ ! -e $GATE/go ]; do sleep 0.05; done; exec $HOST_CTR serve'" \
                >"$DROPINS/test-hold.conf"
        reload_service
        OUT=$(host_run timeout 200 "$REQUESTER" "$1" carol "$GATE" 2>&1) || fail "peer-requester.py $1: $OUT"
        rm -f "$DROPINS/test-hold.conf"
        reload_service
        host_run rm -rf "$GATE"
        note "$1: $OUT"
        REQ_PID=$(printf '%s\n' "$OUT" | awk '$1 == "requester" { print $2 }')
        REPLY=$(printf '%s\n' "$OUT" | sed -n 's/^reply //p')
}

# On the path the kernel takes here, and on the forced fallback if that is another.
case_gone_requester_refused() {
        local path
        for path in natural forced; do
                if [ "$path" = forced ]; then
                        [ "$PEERPIDFD" = yes ] || break
                        force_fallback on
                fi
                gone alive
                assert_contains "$path path: the requester alive through serve's start" "$REPLY" '"ok":true'
                gone exited
                assert_contains "$path path: the requester exited" "$REPLY" "the requester (PID $REQ_PID) has exited"
                gone recycled
                assert_contains "$path path: the requester's PID recycled" "$OUT" "recycled $REQ_PID "
                assert_contains "$path path: the requester's PID recycled" "$REPLY" "the requester (PID $REQ_PID) has exited"
                [ "$path" = natural ] || force_fallback off
        done
}

case_run pidfd-from-kernel case_pidfd_from_kernel
case_run start-time-natural case_start_time_natural
case_run start-time-fallback case_start_time_fallback
case_run gone-requester-refused case_gone_requester_refused
sys_finish
