#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 6, polkit half, in a real systemd 252 + D-Bus + polkitd (booted in systemd-nspawn, see
# lib.sh): non-root admins reach system containers only as the site's polkit rules say, both
# through `ctr-launch` (the control socket, `ctr-launch serve`) and through `systemctl start
# ctr@ID` (systemd's manage-units, mapped by 10-ctr-launch.rules onto our actions). The example
# rule is installed as a real rule: group ctr-admins may do everything, web-admins only "web".
#   alice: web-admins    bob: no group    carol: ctr-admins
# Every denial must print a clear line and change nothing: no state, no active unit.
# Usage: authorization.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
sys_init "$@"
host_boot "$BUILD_DIR"

LONG='trap "exit 0" TERM; echo "hello from $(hostname)"; while :; do sleep 0.2; done'
SOCK=/run/ctr-launch-control.sock

# The example rule, as meson installed it, made a real rule of the test host.
example=$(find "$HOST_ROOT/usr" -path '*/doc/ctr-launch/examples/50-ctr-launch-example.rules' | head -n 1)
[ -n "$example" ] || hard_error "meson install put no 50-ctr-launch-example.rules under /usr"
[ -f "$HOST_ROOT/usr/share/polkit-1/actions/org.ctr-launch.policy" ] || hard_error "no org.ctr-launch.policy installed"
[ -f "$HOST_ROOT/usr/share/polkit-1/rules.d/10-ctr-launch.rules" ] || hard_error "no 10-ctr-launch.rules installed"
mkdir -p "$HOST_ROOT/etc/polkit-1/rules.d"
install -m 0644 "$example" "$HOST_ROOT/etc/polkit-1/rules.d/50-ctr-launch-example.rules"

host_run groupadd ctr-admins
host_run groupadd web-admins
host_run useradd -M -N -G web-admins alice
host_run useradd -M -N bob
host_run useradd -M -N -G ctr-admins carol
host_run useradd -M -N dave
# dave may look at web and send it SIGHUP, nothing else: the "signal" detail of kill.
cat >"$HOST_ROOT/etc/polkit-1/rules.d/60-ctr-launch-test-dave.rules" <<'RULES'
polkit.addRule(function (action, subject) {
    if (subject.user != "dave" || action.lookup("container") != "web")
        return polkit.Result.NOT_HANDLED;
    if (action.id == "org.ctr-launch.container.manage")
        return polkit.Result.YES;
    if (action.id == "org.ctr-launch.container.stop" && action.lookup("signal") == "SIGHUP")
        return polkit.Result.YES;
    return polkit.Result.NOT_HANDLED;
});
RULES
# frank may stop web with any signal but SIGKILL; gina may delete web, not stop it.
host_run useradd -M -N frank
host_run useradd -M -N gina
cat >"$HOST_ROOT/etc/polkit-1/rules.d/60-ctr-launch-test-frank-gina.rules" <<'RULES'
polkit.addRule(function (action, subject) {
    if (action.lookup("container") != "web")
        return polkit.Result.NOT_HANDLED;
    if (subject.user == "frank" && action.id == "org.ctr-launch.container.stop" &&
        action.lookup("signal") != "SIGKILL")
        return polkit.Result.YES;
    if (subject.user == "gina" && action.id == "org.ctr-launch.container.delete")
        return polkit.Result.YES;
    return polkit.Result.NOT_HANDLED;
});
RULES
host_run systemctl start ctr-launch.socket
# polkitd reads the rules when it starts; restart it so that it has ours, whatever started it.
host_run systemctl restart polkit
for id in web db hand; do
        host_make_bundle "$id" sh -c "$LONG"
done

# as USER CMD...: CMD as USER (runuser, no login session: no agent, no XDG_RUNTIME_DIR); its
# status in RC, stdout+stderr in OUT.
as() {
        local user=$1
        shift
        RC=0
        OUT=$(host_run runuser -u "$user" -- timeout 60 "$@" 2>&1) || RC=$?
}

active_state() {
        host_run systemctl show -p ActiveState --value "$1"
}

assert_active() {
        assert_eq "ActiveState of $1" active "$(active_state "$1")"
}

assert_inactive() {
        local s
        s=$(active_state "$1")
        case $s in
        inactive | failed) ;;
        *) fail "$1 is $s, expected inactive" ;;
        esac
}

assert_no_state() {
        if host_run test -e "$HOST_STATE/$1"; then
                fail "$HOST_STATE/$1 exists: the denied request changed something"
        fi
}

# assert_denied WHAT: the last `as` failed with a "not authorized" line.
assert_denied() {
        [ "$RC" != 0 ] || fail "$1: succeeded, expected a denial: $OUT"
        assert_contains "$1: message" "$OUT" "not authorized"
        [ "$(printf '%s\n' "$OUT" | wc -l)" -le 2 ] || fail "$1: more than one error line: $OUT"
        note "$1: $OUT"
}

assert_systemctl_denied() {
        [ "$RC" != 0 ] || fail "$1: succeeded, expected a denial: $OUT"
        case $OUT in
        *"Access denied"* | *"authentication required"* | *"Interactive authentication"*) ;;
        *"polkit"*) ;; # polkitd down: systemd passes its D-Bus error on
        *) fail "$1: unexpected message: $OUT" ;;
        esac
        note "$1: $OUT"
}

case_alice_ctr_launch_web() {
        host_watch_unit ctr@web.service
        as alice "$HOST_CTR" start web
        [ "$RC" = 0 ] || fail "alice: ctr-launch start web: $OUT"
        assert_active ctr@web.service
        as alice "$HOST_CTR" state web
        [ "$RC" = 0 ] || fail "alice: ctr-launch state web: $OUT"
        assert_eq "status of web, as alice sees it" running "$(printf '%s' "$OUT" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["status"])')"
        as alice "$HOST_CTR" kill web
        [ "$RC" = 0 ] || fail "alice: ctr-launch kill web: $OUT"
        assert_inactive ctr@web.service
        assert_no_state web
}

case_alice_systemctl_web() {
        host_watch_unit ctr@web.service
        as alice systemctl start ctr@web
        [ "$RC" = 0 ] || fail "alice: systemctl start ctr@web: $OUT"
        assert_active ctr@web.service
        as alice systemctl restart ctr@web
        [ "$RC" = 0 ] || fail "alice: systemctl restart ctr@web: $OUT"
        assert_active ctr@web.service
        as alice systemctl stop ctr@web
        [ "$RC" = 0 ] || fail "alice: systemctl stop ctr@web: $OUT"
        assert_inactive ctr@web.service
        assert_no_state web
}

case_alice_not_db() {
        host_watch_unit ctr@db.service
        as alice "$HOST_CTR" start db
        assert_denied "alice: ctr-launch start db"
        assert_contains "alice: ctr-launch start db" "$OUT" "org.ctr-launch.container.start"
        as alice systemctl start ctr@db
        assert_systemctl_denied "alice: systemctl start ctr@db"
        as alice "$HOST_CTR" list
        assert_denied "alice: ctr-launch list (all containers)"
        assert_inactive ctr@db.service
        assert_no_state db
        # Running, started by root: alice still cannot stop it, either way.
        host_run systemctl start ctr@db
        as alice "$HOST_CTR" kill db
        assert_denied "alice: ctr-launch kill db"
        as alice systemctl stop ctr@db
        assert_systemctl_denied "alice: systemctl stop ctr@db"
        assert_active ctr@db.service
        host_run systemctl stop ctr@db
}

case_bob_nothing() {
        host_watch_unit ctr@web.service
        host_watch_unit ctr@db.service
        local id
        for id in web db; do
                as bob "$HOST_CTR" start "$id"
                assert_denied "bob: ctr-launch start $id"
                as bob "$HOST_CTR" --system state "$id"
                assert_denied "bob: ctr-launch state $id"
                as bob systemctl start "ctr@$id"
                assert_systemctl_denied "bob: systemctl start ctr@$id"
                assert_inactive "ctr@$id.service"
                assert_no_state "$id"
        done
}

# carol (ctr-admins): every container; and one created by hand by root, which the service
# starts itself rather than through a unit.
case_carol_everything() {
        host_watch_unit ctr@db.service
        as carol "$HOST_CTR" start db
        [ "$RC" = 0 ] || fail "carol: ctr-launch start db: $OUT"
        assert_active ctr@db.service
        as carol "$HOST_CTR" --system list --quiet
        [ "$RC" = 0 ] || fail "carol: ctr-launch list: $OUT"
        assert_contains "carol: list" "$OUT" db
        as carol "$HOST_CTR" delete db
        [ "$RC" != 0 ] || fail "carol: delete of a running unit-managed container succeeded"
        assert_contains "carol: delete db" "$OUT" "stop it first"
        as carol "$HOST_CTR" delete --force db
        [ "$RC" = 0 ] || fail "carol: ctr-launch delete --force db: $OUT"
        assert_inactive ctr@db.service

        host_ctr create --bundle "$HOST_BUNDLES/hand" hand
        as carol "$HOST_CTR" start hand
        [ "$RC" = 0 ] || fail "carol: ctr-launch start hand: $OUT"
        assert_eq "status of hand" running "$(host_ctr state hand | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["status"])')"
        assert_inactive ctr@hand.service
        as carol "$HOST_CTR" kill hand KILL
        [ "$RC" = 0 ] || fail "carol: ctr-launch kill hand KILL: $OUT"
        wait_for "hand to stop" hand_stopped
        as carol "$HOST_CTR" delete hand
        [ "$RC" = 0 ] || fail "carol: ctr-launch delete hand: $OUT"
        assert_no_state hand
}

hand_stopped() {
        [ "$(host_ctr state hand | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["status"])')" = stopped ]
}

journal_has() { # journal_has CURSOR TEXT
        host_run journalctl --no-pager --after-cursor="$1" | grep -q "$2"
}

case_root_everything() {
        host_watch_unit ctr@db.service
        host_run systemctl start ctr@db
        assert_active ctr@db.service
        host_ctr state db >/dev/null
        # Through the socket too: root needs no polkit there either.
        OUT=$(host_run "$PY" -c '
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(json.dumps({"verb": "kill", "id": "db"}).encode() + b"\n")
print(s.makefile().readline().strip())' "$SOCK")
        assert_contains "root: kill db through the socket" "$OUT" '"ok":true'
        assert_inactive ctr@db.service
        assert_no_state db
}

# A client that connects, sends a request alice may make, and exits at once: refused, since
# the process polkit would be asked about is gone.
case_exited_requester() {
        host_watch_unit ctr@web.service
        local cursor
        cursor=$(host_run journalctl -n 0 --show-cursor --no-pager | sed -n 's/^-- cursor: //p')
        host_run runuser -u alice -- "$PY" -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"{\"verb\":\"start\",\"id\":\"web\"}\n")
os._exit(0)' "$SOCK"
        wait_for "the refusal in the journal" journal_has "$cursor" 'has exited'

        host_run journalctl --no-pager --after-cursor="$cursor" | grep 'refused' | sed 's/^/  journal: /'
        assert_inactive ctr@web.service
        assert_no_state web
}

case_malformed_request() {
        host_watch_unit ctr@web.service
        local req
        for req in '{"verb":"start","id":"web","bundle":"/tmp"}' '{"verb":"create","id":"web"}' \
                   '{"verb":"start","id":"../web"}' 'start web' '{"verb":"start","id":"web","id":"db"}'; do
                OUT=$(host_run runuser -u carol -- "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
print(s.makefile().readline().strip())' "$SOCK" "$req")
                assert_contains "reply to $req" "$OUT" '"error":"not authorized: malformed request'
        done
        assert_inactive ctr@web.service
        assert_no_state web
}

# Last: polkitd stopped and masked (no D-Bus activation): nobody but root gets anything.
case_polkit_down() {
        host_watch_unit ctr@web.service
        host_run systemctl mask --runtime polkit
        host_run systemctl stop polkit
        as carol "$HOST_CTR" start web
        assert_denied "carol, polkitd down: ctr-launch start web"
        assert_contains "carol, polkitd down" "$OUT" "polkit"
        as alice "$HOST_CTR" start web
        assert_denied "alice, polkitd down: ctr-launch start web"
        as alice systemctl start ctr@web
        assert_systemctl_denied "alice, polkitd down: systemctl start ctr@web"
        assert_inactive ctr@web.service
        assert_no_state web
        host_run systemctl start ctr@web
        as carol "$HOST_CTR" kill web
        assert_denied "carol, polkitd down: ctr-launch kill web"
        assert_active ctr@web.service
        host_run systemctl stop ctr@web
        host_run systemctl unmask --runtime polkit
}

# The signal a kill asks for reaches the rules; systemctl verbs that change the unit need
# more than "manage".
case_dave_signal_only() {
        host_watch_unit ctr@web.service
        host_run systemctl start ctr@web
        assert_active ctr@web.service
        as dave "$HOST_CTR" kill web KILL
        assert_denied "dave: ctr-launch kill web KILL"
        assert_active ctr@web.service
        as dave "$HOST_CTR" kill web
        assert_denied "dave: ctr-launch kill web (its stop signal)"
        assert_active ctr@web.service
        as dave systemctl set-property --runtime ctr@web.service CPUWeight=50
        assert_systemctl_denied "dave: systemctl set-property ctr@web"
        as dave "$HOST_CTR" kill web HUP
        [ "$RC" = 0 ] || fail "dave: ctr-launch kill web HUP: $OUT"
        host_run systemctl stop ctr@web
}

# systemd does not say which signal `systemctl kill` sends: the bridge asks as SIGKILL, so a
# rule that allows every signal but SIGKILL (frank), or SIGHUP only (dave), refuses it, while
# `ctr-launch kill` carries the real signal.
case_systemctl_kill_is_sigkill() {
        host_watch_unit ctr@web.service
        host_run systemctl start ctr@web
        assert_active ctr@web.service
        as frank systemctl kill -s KILL ctr@web
        assert_systemctl_denied "frank: systemctl kill -s KILL ctr@web"
        as frank systemctl kill -s HUP ctr@web
        assert_systemctl_denied "frank: systemctl kill -s HUP ctr@web (systemd does not say which)"
        as dave systemctl kill -s HUP ctr@web
        assert_systemctl_denied "dave: systemctl kill -s HUP ctr@web"
        as frank "$HOST_CTR" kill web KILL
        assert_denied "frank: ctr-launch kill web KILL"
        assert_active ctr@web.service
        as frank "$HOST_CTR" kill web HUP
        [ "$RC" = 0 ] || fail "frank: ctr-launch kill web HUP: $OUT"
        assert_active ctr@web.service
        host_run systemctl stop ctr@web
}

# delete --force of a running container stops it: it takes "stop" as well as "delete".
case_delete_force_needs_stop() {
        host_watch_unit ctr@web.service
        host_run systemctl start ctr@web
        as gina "$HOST_CTR" --system delete --force web
        assert_denied "gina: ctr-launch delete --force web (running, unit-managed)"
        assert_contains "gina: delete --force web" "$OUT" "org.ctr-launch.container.stop"
        assert_active ctr@web.service
        host_run systemctl stop ctr@web
        # A container made by hand, running: the same.
        host_ctr create --bundle "$HOST_BUNDLES/web" web
        host_ctr start web
        as gina "$HOST_CTR" --system delete --force web
        assert_denied "gina: ctr-launch delete --force web (running, made by hand)"
        assert_eq "status of web" running "$(host_ctr state web | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["status"])')"
        host_ctr delete --force web
}

# The rule's id pattern is the code's: an instance name that is no container id (a leading
# ".", an escape) is refused even to carol, who may manage every container.
case_unit_name_not_an_id() {
        local unit
        for unit in 'ctr@.web.service' 'ctr@-web.service' 'ctr@.service.service' 'ctr@a\x2bb.service'; do
                host_watch_unit "$unit"
                as carol systemctl start "$unit"
                assert_systemctl_denied "carol: systemctl start $unit"
        done
}

case_run alice-ctr-launch-web case_alice_ctr_launch_web
case_run alice-systemctl-web case_alice_systemctl_web
case_run alice-not-db case_alice_not_db
case_run bob-nothing case_bob_nothing
case_run carol-everything case_carol_everything
case_run root-everything case_root_everything
case_run exited-requester case_exited_requester
case_run malformed-request case_malformed_request
case_run dave-signal-only case_dave_signal_only
case_run systemctl-kill-is-sigkill case_systemctl_kill_is_sigkill
case_run delete-force-needs-stop case_delete_force_needs_stop
case_run unit-name-not-an-id case_unit_name_not_an_id
case_run polkit-down case_polkit_down
sys_finish
