#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 5 in a real systemd (252, booted in systemd-nspawn, see lib.sh): `systemctl start ctr@ID`
# as installed by `meson install`, the container's process as the unit's main process, the two
# readiness modes, the journal, and the failure paths, each ending with nothing left.
# Usage: unit.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
sys_init "$@"
host_boot "$BUILD_DIR"

NOTIFY_HELPER=$BUILD_DIR/tests/helpers/sd-notify-static
[ -x "$NOTIFY_HELPER" ] || hard_error "$NOTIFY_HELPER missing: build the tree first"

# A long-running payload that says it runs and exits 0 on TERM (a PID 1 without a handler
# ignores it).
LONG='trap "exit 0" TERM; echo "hello from $(hostname)"; touch /shared/running; while :; do sleep 0.2; done'

show() { # show UNIT PROPERTY
        host_run systemctl show -p "$2" --value "$1"
}

active_state() {
        show "$1" ActiveState
}

is_state() { # is_state UNIT STATE
        [ "$(active_state "$1")" = "$2" ]
}

# make ID ARGS...: a bundle at /var/lib/ctr-launch/ID with the sd_notify helper in it.
make() {
        local id=$1
        shift
        host_make_bundle "$id" "$@"
        cp "$NOTIFY_HELPER" "$BUNDLE_DIR/rootfs/bin/sd-notify-static"
        host_watch_unit "ctr@$id.service"
}

# dropin ID TEXT: a drop-in for ctr@ID.service ([Service] lines), removed when the case ends.
dropin() {
        local d=$HOST_ROOT/etc/systemd/system/ctr@$1.service.d
        mkdir -p "$d"
        printf '[Service]\n%s\n' "$2" >"$d/test.conf"
        echo "$d" >>"$HOST_DIR/dropins"
        host_run systemctl daemon-reload
}

remove_dropins() {
        [ -s "$HOST_DIR/dropins" ] || return 0
        xargs rm -rf <"$HOST_DIR/dropins"
        rm -f "$HOST_DIR/dropins"
        host_run systemctl daemon-reload
}

start() { # start ID: systemctl start, its status in RC, its output in OUT
        RC=0
        OUT=$(host_run timeout 60 systemctl start "ctr@$1" 2>&1) || RC=$?
}

# The PID of the container's process in the test host, and that it is the unit's MainPID.
assert_main_pid_is_container() {
        local id=$1 pid main
        pid=$(host_pid_of "$id")
        main=$(show "ctr@$id" MainPID)
        assert_eq "MainPID of ctr@$id (the container's process, per ctr-launch state)" "$pid" "$main"
        [ "$main" != 0 ] || fail "ctr@$id has no main process"
        host_run sh -c "tr '\\0' ' ' </proc/$main/cmdline" | grep -q 'while' ||
                fail "MainPID $main is not the container's payload: $(host_run cat /proc/$main/cmdline | tr '\0' ' ')"
}

# No ctr-launch process left in the unit once it is active ("exec" readiness).
assert_no_resident_launcher() {
        local id=$1 procs
        procs=$(host_run systemctl show -p ControlGroup --value "ctr@$id")
        procs=$(host_run sh -c "cat $HOST_UNIFIED$procs/cgroup.procs $HOST_UNIFIED$procs/*/cgroup.procs 2>/dev/null" |
                while read -r p; do host_run cat "/proc/$p/comm" 2>/dev/null || true; done)
        if printf '%s\n' "$procs" | grep -q '^ctr-launch$'; then
                fail "a ctr-launch process stays in ctr@$id: $(echo $procs)"
        fi
}

# ctr-launch's own lines are native journal entries with CONTAINER_ID=; journald attributes one
# to the unit from /proc/PID of its sender, which a failing `start` may already have left (systemd
# 252 then records no _SYSTEMD_UNIT): the entry is still there under the container's id.
journal_has() { # journal_has ID TEXT
        host_journal "ctr@$1" | grep -qF -- "$2" ||
                host_run journalctl --no-pager -o cat CONTAINER_ID="$1" | grep -qF -- "$2"
}

# ---------------------------------------------------------------- cases

t_start_stop() {
        make app /bin/sh -c "$LONG"
        start app
        assert_eq "systemctl start ctr@app ($OUT)" 0 "$RC"
        assert_eq "ActiveState" active "$(active_state ctr@app)"
        assert_eq "SubState" running "$(show ctr@app SubState)"
        assert_main_pid_is_container app
        assert_no_resident_launcher app

        local pid status cg
        pid=$(show ctr@app MainPID)
        cg=$(host_cgroup_of "$pid")
        assert_eq "the container's cgroup (a leaf below the unit's)" "$(show ctr@app ControlGroup)/container" "$cg"
        status=$(host_run systemctl status --no-pager --lines=0 ctr@app) || true
        note "systemctl status: $(printf '%s' "$status" | tr '\n' '|')"
        printf '%s\n' "$status" | grep -Eq "(^|[^0-9])$pid[[:space:]]" ||
                fail "systemctl status does not show the container's process $pid:
$status"
        printf '%s\n' "$status" | grep -q 'container' || fail "systemctl status shows no container leaf:
$status"
        wait_for "the container's output in the journal" journal_has app "hello from"

        RC=0
        OUT=$(host_run timeout 60 systemctl stop ctr@app 2>&1) || RC=$?
        assert_eq "systemctl stop ctr@app ($OUT)" 0 "$RC"
        assert_eq "ActiveState after stop" inactive "$(active_state ctr@app)"
        assert_eq "Result after stop" success "$(show ctr@app Result)"
}

# assert_clean_journal UNIT [CURSOR]: nothing at warning level or above in UNIT's journal (since
# CURSOR), nor systemd's left-over or kill notices at any level: a start, stop or restart of
# ctr@ logs what a plain unit's would (issue 17).
assert_clean_journal() {
        local unit=$1 lines
        [[ $unit == *.* ]] || unit=$unit.service
        lines=$(host_journal_since "${2:-}" "$unit" 4)
        [ -z "$lines" ] || fail "$unit logged at warning level or above:
$lines"
        lines=$(host_journal_since "${2:-}" "$unit" |
                grep -E 'left-over process|deficiencies|Killing process|Supervising process' || true)
        [ -z "$lines" ] || fail "$unit: systemd's left-over or kill lines:
$lines"
}

status_is() { # status_is ID STATUS: per `ctr-launch state` in the test host
        [ "$(host_ctr state "$1" 2>/dev/null | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["status"])')" = "$2" ]
}

journal_cursor() {
        host_run journalctl -n 0 --show-cursor --no-pager | sed -n 's/^-- cursor: //p'
}

# Start, restart and stop of a normal container log nothing but systemd's Starting/Started/
# Stopping/Stopped lines and the container's own output: no left-over warning for create's
# waiting init ("(ctr-init)", docs/systemd.md), none at stop.
t_clean_journal() {
        make cj /bin/sh -c "$LONG"
        # "container" readiness: `start` stays as the relay until the container ends.
        make cjn /bin/sh -c "sd-notify-static READY=1; $LONG"
        host_bundle_set cjn annotations '{"org.ctr-launch.readiness": "container"}'
        local cursor id
        cursor=$(journal_cursor)
        for id in cj cjn; do
                start "$id"
                assert_eq "systemctl start ctr@$id ($OUT)" 0 "$RC"
                host_run timeout 60 systemctl restart "ctr@$id"
                assert_eq "ActiveState of ctr@$id after restart" active "$(active_state "ctr@$id")"
                assert_main_pid_is_container "$id"
                host_run timeout 60 systemctl stop "ctr@$id"
                assert_eq "Result of ctr@$id after stop" success "$(show "ctr@$id" Result)"
                host_journal "ctr@$id" | grep -q "Started ctr@$id" || fail "no Started line in the journal of ctr@$id"
                assert_clean_journal "ctr@$id" "$cursor"
        done
}

# A container of the unit's id that a crash left stopped is deleted by create
# (--replace-stopped), and the unit starts; one whose init lives is never touched.
t_replace_stopped() {
        make stale /bin/sh -c "$LONG"
        local pid state
        # Not into $(...): the init keeps create's stdout and stderr.
        RC=0
        host_ctr create --bundle "$HOST_BUNDLES/stale" stale >"$HOST_DIR/create.out" 2>&1 || RC=$?
        assert_eq "ctr-launch create stale by hand ($(cat "$HOST_DIR/create.out"))" 0 "$RC"
        pid=$(host_pid_of stale)
        host_run kill -KILL "$pid"
        wait_for "the hand-made container to be stopped" status_is stale stopped
        start stale
        assert_eq "systemctl start ctr@stale over a stopped container ($OUT)" 0 "$RC"
        assert_main_pid_is_container stale
        host_run timeout 60 systemctl stop ctr@stale

        make live /bin/sh -c "$LONG"
        # Not into $(...): the init keeps create's stdout and stderr.
        RC=0
        host_ctr create --bundle "$HOST_BUNDLES/live" live >"$HOST_DIR/create.out" 2>&1 || RC=$?
        assert_eq "ctr-launch create live by hand ($(cat "$HOST_DIR/create.out"))" 0 "$RC"
        pid=$(host_pid_of live)
        start live
        [ "$RC" != 0 ] || fail "ctr@live started over a live container of the same id"
        wait_for "create's refusal in the journal" journal_has live "container already exists"
        state=$(host_ctr state live | "$PY" -c 'import json, sys; s = json.load(sys.stdin); print(s["status"], s["pid"])')
        assert_eq "the hand-made container, untouched" "created $pid" "$state"
        host_ctr delete --force live
}

# The image's stop signal (org.opencontainers.image.stopSignal) is the unit's KillSignal=: create
# says so when they differ, and with the drop-in it names, systemd stops the container with it.
t_stop_signal() {
        make qs /bin/sh -c 'trap "exit 0" QUIT; touch /shared/running; while :; do sleep 0.2 & wait; done'
        host_bundle_set qs annotations '{"org.opencontainers.image.stopSignal": "SIGQUIT"}'
        start qs
        assert_eq "systemctl start ctr@qs ($OUT)" 0 "$RC"
        wait_for "create's warning about KillSignal=" journal_has qs "KillSignal=SIGQUIT"
        host_run kill -QUIT "$(show ctr@qs MainPID)"
        wait_for "ctr@qs to end on SIGQUIT" is_state ctr@qs inactive

        dropin qs 'KillSignal=SIGQUIT'
        local cursor
        cursor=$(journal_cursor)
        start qs
        assert_eq "systemctl start ctr@qs with KillSignal=SIGQUIT ($OUT)" 0 "$RC"
        RC=0
        OUT=$(host_run timeout 60 systemctl stop ctr@qs 2>&1) || RC=$?
        assert_eq "systemctl stop ctr@qs ($OUT)" 0 "$RC"
        assert_eq "Result (the payload's QUIT trap ran: exit 0)" success "$(show ctr@qs Result)"
        assert_clean_journal ctr@qs "$cursor"
        remove_dropins
}

# `ctr-launch exec` into a unit's container, by its name (ctr@ex: a bundle of its own): the process joins the container (its
# PID 1 is the unit's main process), lands in the unit's container leaf, leaves MainPID alone,
# and goes with the unit's stop.
t_exec() {
        make ex /bin/sh -c "$LONG"
        start ex
        assert_eq "systemctl start ctr@ex ($OUT)" 0 "$RC"
        local main xpid
        main=$(show ctr@ex MainPID)
        RC=0
        OUT=$(host_run "$HOST_CTR" exec ex /bin/sh -c 'hostname; tr "\0" " " </proc/1/cmdline; echo; exit 3' 2>&1) || RC=$?
        assert_eq "exit status of ctr-launch exec ex ($OUT)" 3 "$RC"
        assert_eq "hostname in the exec'd process" "$(host_run "$HOST_CTR" exec ex /bin/hostname)" "$(sed -n 1p <<<"$OUT")"
        assert_contains "PID 1 of the exec'd process (the unit's payload)" "$(sed -n 2p <<<"$OUT")" while
        host_run "$HOST_CTR" exec -d --pid-file /run/ctr-test-exec.pid ex /bin/sleep 60 ||
                fail "ctr-launch exec -d into ctr@ex failed"
        xpid=$(host_run cat /run/ctr-test-exec.pid)
        assert_eq "cgroup of the exec'd process (the unit's container leaf)" "$(show ctr@ex ControlGroup)/container" \
                "$(host_cgroup_of "$xpid")"
        assert_eq "MainPID after exec" "$main" "$(show ctr@ex MainPID)"
        assert_eq "ActiveState after exec" active "$(active_state ctr@ex)"
        RC=0
        OUT=$(host_run timeout 60 systemctl stop ctr@ex 2>&1) || RC=$?
        assert_eq "systemctl stop ctr@ex ($OUT)" 0 "$RC"
        wait_for "the exec'd process $xpid to go with the unit" eval "! host_run test -e /proc/$xpid"
        host_run rm -f /run/ctr-test-exec.pid
}

t_exit_status() {
        make st /bin/sh -c 'touch /shared/running; sleep 0.5; exit 7'
        start st
        assert_eq "systemctl start ctr@st ($OUT)" 0 "$RC"
        wait_for "ctr@st to fail" is_state ctr@st failed
        assert_eq "ExecMainStatus" 7 "$(show ctr@st ExecMainStatus)"
        assert_eq "Result" exit-code "$(show ctr@st Result)"
}

t_bad_bundle() {
        make bad /bin/true
        host_bundle_set bad process.args '"not-an-array"'
        start bad
        [ "$RC" != 0 ] || fail "systemctl start of a bad bundle succeeded"
        assert_eq "ActiveState" failed "$(active_state ctr@bad)"
        # The one line, in the unit's journal; or, where journald could no longer tell the
        # unit of a sender that had exited (create, at once), by its CONTAINER_ID= field.
        wait_for "the one-line error in the journal" journal_has bad 'ctr-launch: bad: config.json: process.args'
        # ctr-launch's own lines carry the container's id as a journal field.
        host_run journalctl --no-pager -o cat CONTAINER_ID=bad | grep -q 'process.args' ||
                fail "no journal entry with CONTAINER_ID=bad"
}

t_exec_failure() {
        make nox /no/such/binary
        start nox
        [ "$RC" != 0 ] || fail "systemctl start of a container whose binary is missing succeeded"
        assert_eq "ActiveState" failed "$(active_state ctr@nox)"
        wait_for "the exec error in the journal" journal_has nox "/no/such/binary"
}

# "container" readiness: activating until the container says READY=1, STATUS= relayed, a
# MAINPID= from the container ignored.
t_container_readiness() {
        make rdy /bin/sh -c 'trap "exit 0" TERM; sd-notify-static "STATUS=warming up"; touch /shared/running;
                while [ ! -e /shared/go ]; do sleep 0.1; done
                sd-notify-static READY=1 "STATUS=serving" MAINPID=1 FDSTORE=1; while :; do sleep 0.2; done'
        host_bundle_set rdy annotations '{"org.ctr-launch.readiness": "container"}'
        host_run systemctl start --no-block ctr@rdy
        wait_for "the payload to run" test -e "$BUNDLE_DIR/shared/running"
        wait_for "STATUS=warming up" test "$(show ctr@rdy StatusText)" = "warming up"
        assert_eq "ActiveState before READY=1" activating "$(active_state ctr@rdy)"
        local pid
        pid=$(host_pid_of rdy)
        assert_eq "MainPID before READY=1" "$pid" "$(show ctr@rdy MainPID)"

        touch "$BUNDLE_DIR/shared/go"
        wait_for "ctr@rdy to be active" is_state ctr@rdy active
        assert_eq "StatusText" serving "$(show ctr@rdy StatusText)"
        assert_eq "MainPID after the container's MAINPID=1" "$pid" "$(show ctr@rdy MainPID)"

        local relay
        relay=$(host_run pgrep -f "ctr-launch start -- rdy" | head -1) || relay=""
        [ -n "$relay" ] || fail "no relay (ctr-launch start -- rdy) running"
        note "relay $relay: $(host_run grep -E '^(Rss|Pss|Private_Clean|Private_Dirty):' /proc/$relay/smaps_rollup | tr -s ' ' | tr '\n' ' ')"
        host_run grep -E '^Private_(Clean|Dirty):' "/proc/$relay/smaps_rollup" |
                awk '{ s += $2 } END { print s }' >"$HOST_DIR/relay-private-kb"

        host_run timeout 60 systemctl stop ctr@rdy
        assert_eq "ActiveState after stop" inactive "$(active_state ctr@rdy)"
        host_run sh -c "kill -0 $relay 2>/dev/null" && fail "the relay $relay outlived the unit"
        return 0
}

# "container" readiness with /run/notify read-only in the container: its root cannot write
# there (the host's <state>/notify), yet sd_notify() reaches the relay; the socket was made
# 0666 by bind() itself (no chmod by path afterwards).
t_notify_read_only() {
        make nro /bin/sh -c 'trap "exit 0" TERM; touch /run/notify/x 2>/shared/err; echo $? >/shared/rc;
                ls -ln /run/notify >/shared/ls; sd-notify-static READY=1; touch /shared/running;
                while :; do sleep 0.2; done'
        host_bundle_set nro annotations '{"org.ctr-launch.readiness": "container"}'
        start nro
        assert_eq "systemctl start ctr@nro ($OUT)" 0 "$RC"
        assert_eq "ActiveState (READY=1 went through the read-only mount)" active "$(active_state ctr@nro)"
        [ "$(cat "$BUNDLE_DIR/shared/rc")" != 0 ] || fail "the container wrote into /run/notify"
        assert_contains "the container's touch /run/notify/x" "$(cat "$BUNDLE_DIR/shared/err")" "Read-only file system"
        assert_contains "/run/notify as the container lists it" "$(cat "$BUNDLE_DIR/shared/ls")" "srw-rw-rw-"
        assert_eq "mode of the notify socket on the host" "socket 666" \
                "$(host_run stat -c '%F %a' "$HOST_STATE/nro/notify/notify.sock")"
        host_run timeout 60 systemctl stop ctr@nro
}

# An instance name that reads as an option: refused by the id grammar, with "--" before it in
# every command line of the unit; never a help text and a success.
t_dash_instance() {
        host_watch_unit 'ctr@-h.service'
        start -h
        [ "$RC" != 0 ] || fail "systemctl start ctr@-h succeeded"
        assert_eq "ActiveState of ctr@-h" failed "$(active_state ctr@-h)"
        wait_for "the refusal in the journal" journal_has -h 'invalid container id "-h"'
        if host_journal 'ctr@-h' | grep -q 'Usage:'; then
                fail "ctr@-h printed a usage text: $(host_journal 'ctr@-h' | grep 'Usage:')"
        fi
        host_run systemctl reset-failed 'ctr@-h' || true
}

# System bundles must be root's alone: whoever may start ctr@ID is not root, and the bundle's
# hooks run as root on the host. A group-writable config.json fails the unit with one line
# naming the path and the fix, and nothing is left; the same bundle refused by hand too (a
# bundle under /var/lib/ctr-launch is a system bundle whoever runs create).
t_bundle_not_root_only() {
        make gw /bin/sh -c "$LONG"
        chmod g+w "$BUNDLE_DIR/config.json"
        start gw
        [ "$RC" != 0 ] || fail "ctr@gw started with a group-writable config.json"
        assert_eq "ActiveState" failed "$(active_state ctr@gw)"
        local line="system bundle: $HOST_BUNDLE/config.json is writable by group or others: chmod go-w $HOST_BUNDLE/config.json"
        wait_for "the refusal in the journal" journal_has gw "$line"
        [ ! -e "$BUNDLE_DIR/shared/running" ] || fail "the container ran"
        local rc=0 out
        # Into a file: a create that wrongly succeeds leaves an init holding its stdout.
        host_ctr create --bundle "$HOST_BUNDLE" gw >"$HOST_DIR/gw.out" 2>&1 || rc=$?
        out=$(cat "$HOST_DIR/gw.out")
        [ "$rc" != 0 ] || fail "create by hand of a group-writable system bundle succeeded"
        assert_eq "create by hand" "ctr-launch: gw: $line" "$out"
        chmod g-w "$BUNDLE_DIR/config.json"
        chown 65534 "$BUNDLE_DIR/rootfs"
        start gw
        [ "$RC" != 0 ] || fail "ctr@gw started with a rootfs owned by nobody"
        wait_for "the refusal in the journal" journal_has gw "root.path: $HOST_BUNDLE/rootfs is owned by uid 65534, not root: chown root $HOST_BUNDLE/rootfs"
        chown 0 "$BUNDLE_DIR/rootfs"
        start gw
        assert_eq "systemctl start ctr@gw once the bundle is root's alone ($OUT)" 0 "$RC"
        host_run timeout 60 systemctl stop ctr@gw
}

t_watchdog() {
        make wd /bin/sh -c 'trap "exit 0" TERM; sd-notify-static READY=1; touch /shared/running;
                while :; do sd-notify-static WATCHDOG=1; sleep 0.3; done'
        host_bundle_set wd annotations '{"org.ctr-launch.readiness": "container"}'
        dropin wd 'WatchdogSec=2'
        start wd
        assert_eq "systemctl start ctr@wd ($OUT)" 0 "$RC"
        sleep 4 # two watchdog periods: a unit whose pings did not arrive would be failed by now
        assert_eq "ActiveState after two watchdog periods" active "$(active_state ctr@wd)"
        host_run timeout 60 systemctl stop ctr@wd
        remove_dropins
}

t_never_ready() {
        make nr /bin/sh -c 'trap "exit 0" TERM; touch /shared/running; while :; do sleep 0.2; done'
        host_bundle_set nr annotations '{"org.ctr-launch.readiness": "container"}'
        dropin nr 'TimeoutStartSec=3'
        start nr
        [ "$RC" != 0 ] || fail "a container that never sent READY=1 started"
        assert_eq "Result" timeout "$(show ctr@nr Result)"
        remove_dropins
}

t_ignores_sigterm() {
        make deaf /bin/sh -c 'touch /shared/running; while :; do sleep 0.2; done'
        dropin deaf 'TimeoutStopSec=3'
        start deaf
        assert_eq "systemctl start ctr@deaf ($OUT)" 0 "$RC"
        RC=0
        OUT=$(host_run timeout 30 systemctl stop ctr@deaf 2>&1) || RC=$?
        assert_eq "systemctl stop of a container ignoring SIGTERM ($OUT)" 0 "$RC"
        # Stopped by SIGKILL at TimeoutStopSec=: systemd records that as a failure to stop
        # cleanly ("timeout"), which is what happened.
        assert_eq "ActiveState" failed "$(active_state ctr@deaf)"
        assert_eq "Result" timeout "$(show ctr@deaf Result)"
        remove_dropins
}

t_stop_while_activating() {
        make act /bin/sh -c 'trap "exit 0" TERM; touch /shared/running; while :; do sleep 0.2; done'
        host_bundle_set act annotations '{"org.ctr-launch.readiness": "container"}'
        host_run systemctl start --no-block ctr@act
        wait_for "the payload to run" test -e "$BUNDLE_DIR/shared/running"
        assert_eq "ActiveState" activating "$(active_state ctr@act)"
        host_run timeout 60 systemctl stop ctr@act
        assert_eq "ActiveState after stop" inactive "$(active_state ctr@act)"
}

t_restart_ten_times() {
        make rs /bin/sh -c "$LONG"
        start rs
        assert_eq "systemctl start ctr@rs ($OUT)" 0 "$RC"
        local i prev pid
        prev=$(show ctr@rs MainPID)
        for i in $(seq 10); do
                RC=0
                OUT=$(host_run timeout 60 systemctl restart ctr@rs 2>&1) || RC=$?
                assert_eq "systemctl restart #$i ($OUT)" 0 "$RC"
                assert_eq "ActiveState after restart #$i" active "$(active_state ctr@rs)"
                pid=$(show ctr@rs MainPID)
                [ "$pid" != "$prev" ] || fail "restart #$i kept the main PID $pid"
                assert_main_pid_is_container rs
                prev=$pid
        done
        host_run timeout 60 systemctl stop ctr@rs
}

t_restart_on_failure() {
        # Fails the first time, runs the second: /shared keeps count across the restarts.
        make rof /bin/sh -c 'trap "exit 0" TERM; n=$(cat /shared/count 2>/dev/null || echo 0);
                echo $((n + 1)) >/shared/count; [ "$n" -gt 0 ] || exit 3; touch /shared/running;
                while :; do sleep 0.2; done'
        dropin rof $'Restart=on-failure\nRestartSec=0.5'
        start rof
        wait_for "the restarted container to run" test -e "$BUNDLE_DIR/shared/running"
        wait_for "ctr@rof to be active" is_state ctr@rof active
        assert_eq "starts counted in /shared/count" 2 "$(cat "$BUNDLE_DIR/shared/count")"
        assert_main_pid_is_container rof
        host_run timeout 60 systemctl stop ctr@rof
        remove_dropins
}

case_run start-stop t_start_stop
case_run clean-journal t_clean_journal
case_run replace-stopped t_replace_stopped
case_run stop-signal t_stop_signal
case_run exec t_exec
case_run exit-status t_exit_status
case_run bad-bundle t_bad_bundle
case_run exec-failure t_exec_failure
case_run container-readiness t_container_readiness
case_run notify-read-only t_notify_read_only
case_run dash-instance t_dash_instance
case_run bundle-not-root-only t_bundle_not_root_only
case_run watchdog t_watchdog
case_run never-ready t_never_ready
case_run ignores-sigterm t_ignores_sigterm
case_run stop-while-activating t_stop_while_activating
case_run restart-ten-times t_restart_ten_times
case_run restart-on-failure t_restart_on_failure
remove_dropins
sys_finish
