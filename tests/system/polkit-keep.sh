#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 13, item 1: no polkit answer about one container is ever kept, in a real systemd 252 +
# polkitd (lib.sh). polkit keeps an AUTH_*_KEEP answer per process and action id, not per
# container: kept for systemd's manage-units, it would let that process start any transient unit
# as root; kept for org.ctr-launch.container.start, every container. The site's rule gives erin
# AUTH_SELF_KEEP for container "web"; one process (polkit-probe: pid and start time are polkit's
# subject) runs an agent that answers, authenticates for web both ways in, then asks for a
# transient unit and for container db without an agent: both refused. PAM's polkit-1 stack
# says yes to any password here, so that the agent answers without a person (and without
# interaction, nothing is asked).
# Usage: polkit-keep.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
sys_init "$@"
host_boot "$BUILD_DIR"

LONG='trap "exit 0" TERM; while :; do sleep 0.2; done'
PROBE=/usr/local/libexec/ctr-test-polkit-probe
PWNED=/run/ctr-test-pwned

install -D -m 0755 "$BUILD_DIR/tests/system/polkit-probe" "$HOST_ROOT$PROBE"
command -v script >/dev/null || hard_error "script (util-linux) not found: the agent needs a terminal"
mkdir -p "$HOST_ROOT/etc/pam.d" "$HOST_ROOT/etc/polkit-1/rules.d"
printf 'auth required pam_permit.so\naccount required pam_permit.so\n' >"$HOST_ROOT/etc/pam.d/polkit-1"
host_run useradd -M -N erin
host_run useradd -M -N fred
cat >"$HOST_ROOT/etc/polkit-1/rules.d/60-ctr-launch-test-keep.rules" <<'RULES'
polkit.addRule(function (action, subject) {
    if (subject.user == "erin" && action.id.indexOf("org.ctr-launch.container.") == 0 &&
        action.lookup("container") == "web")
        return polkit.Result.AUTH_SELF_KEEP;
    return polkit.Result.NOT_HANDLED;
});
RULES
# A rule that sorts before 10-ctr-launch.rules is not unkept by it: serve refuses its kept yes.
cat >"$HOST_ROOT/etc/polkit-1/rules.d/05-ctr-launch-test-early-keep.rules" <<'RULES'
polkit.addRule(function (action, subject) {
    if (subject.user == "fred" && action.id.indexOf("org.ctr-launch.container.") == 0 &&
        action.lookup("container") == "web")
        return polkit.Result.AUTH_SELF_KEEP;
    return polkit.Result.NOT_HANDLED;
});
RULES
host_run systemctl start ctr-launch.socket
host_run systemctl restart polkit
for id in web db; do
        host_make_bundle "$id" sh -c "$LONG"
done

# probe USER STEP...: the steps in one process of USER, on a terminal (script), its lines in OUT.
probe() {
        local user=$1 cmd
        shift
        printf -v cmd '%q ' "$PROBE" "$@"
        OUT=$(host_run runuser -u "$user" -- timeout 120 script -qec "$cmd" /dev/null </dev/null 2>&1 |
                tr -d '\r' | sed 's/\x1b\[[0-9;]*m//g') ||
                fail "the probe failed: $OUT"
        note "$OUT"
}

# The line of OUT for step N (1-based), of the steps that print one.
line() {
        printf '%s\n' "$OUT" | grep -E '^(agent|ctl|start-unit|transient):' | sed -n "$1p"
}

active_state() {
        host_run systemctl show -p ActiveState --value "$1"
}

case_keep_is_not_kept() {
        host_watch_unit ctr@web.service
        host_watch_unit ctr@db.service
        host_watch_unit ctr-test-pwn.service
        probe erin agent \
                'ctl:{"verb":"start","id":"web","interactive":true}' \
                start-unit:ctr@web.service \
                "transient:ctr-test-pwn.service:$PWNED" \
                'ctl:{"verb":"start","id":"db"}' \
                'ctl:{"verb":"kill","id":"web"}'
        assert_eq "the agent" "agent: ok" "$(line 1)"
        assert_contains "ctr-launch start web, authenticated" "$(line 2)" '"ok":true'
        assert_eq "systemctl start ctr@web, authenticated" "start-unit: ok" "$(line 3)"
        assert_contains "then a transient unit, as the same process" "$(line 4)" "transient: error"
        assert_contains "then container db, as the same process" "$(line 5)" '"ok":false'
        assert_contains "then kill web without the agent: asked again" "$(line 6)" "needs authentication"
        if host_run test -e "$PWNED"; then
                fail "the transient unit ran: $PWNED exists"
        fi
        case $(active_state ctr@db.service) in
        inactive | failed) ;;
        *) fail "ctr@db.service is $(active_state ctr@db.service): the kept answer reached db" ;;
        esac
        assert_eq "ctr@web.service" active "$(active_state ctr@web.service)"
        host_run systemctl stop ctr@web
}

case_early_keep_refused_by_serve() {
        host_watch_unit ctr@web.service
        host_watch_unit ctr@db.service
        probe fred agent \
                'ctl:{"verb":"start","id":"web","interactive":true}' \
                'ctl:{"verb":"start","id":"db"}'
        assert_eq "the agent" "agent: ok" "$(line 1)"
        assert_contains "ctr-launch start web, a kept yes" "$(line 2)" "kept authorization"
        assert_contains "then container db, as the same process" "$(line 3)" '"ok":false'
        local s
        for s in web db; do
                case $(active_state "ctr@$s.service") in
                inactive | failed) ;;
                *) fail "ctr@$s.service is $(active_state "ctr@$s.service")" ;;
                esac
        done
}

case_run keep-is-not-kept case_keep_is_not_kept
case_run early-keep-refused-by-serve case_early_keep_refused_by_serve
sys_finish
