#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 7 in a real systemd (252, booted in systemd-nspawn, see lib.sh): a user with lingering
# enabled runs `systemctl --user start ctr@app` (the user unit installed by `meson install`)
# with a rootless bundle in ~/.local/share/ctr-launch/app: the container's process is the
# unit's MainPID (a MAINPID= from a non-root sender, accepted because the init is in the
# unit's own cgroup), both readiness modes, stop leaves nothing, and another user can neither
# see nor touch the container.
# Usage: user-units.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
sys_init "$@"
host_boot "$BUILD_DIR"

NOTIFY_HELPER=$BUILD_DIR/tests/helpers/sd-notify-static
[ -x "$NOTIFY_HELPER" ] || hard_error "$NOTIFY_HELPER missing: build the tree first"

U1=ctrsys1
U2=ctrsys2
# The users exist only in the test host (its overlay goes with it).
host_run useradd -m -s /bin/sh "$U1" || hard_error "useradd $U1 in the test host"
host_run useradd -m -s /bin/sh "$U2" || hard_error "useradd $U2 in the test host"
UID1=$(host_run id -u "$U1")
UID2=$(host_run id -u "$U2")
HOME1=/home/$U1
XDG1=/run/user/$UID1

host_run loginctl enable-linger "$U1" || hard_error "loginctl enable-linger $U1"
for ((i = 0; i < 300; i++)); do
        [ "$(host_run systemctl is-active "user@$UID1.service" 2>/dev/null)" = active ] && break
        sleep 0.1
done
[ "$(host_run systemctl is-active "user@$UID1.service" 2>/dev/null)" = active ] ||
        hard_error "user@$UID1.service did not start after enable-linger"
diag "test host: user@$UID1.service active (lingering $U1)"
# What the user manager says about MAINPID= and readiness, in the journal of a failed case.
host_run runuser -u "$U1" -- env XDG_RUNTIME_DIR="$XDG1" systemctl --user log-level debug || true

LONG='trap "exit 0" TERM; echo "hello from $(id -u)"; touch /shared/running; while :; do sleep 0.2; done'

# as_user USER CMD...: CMD as USER in the test host, with the user manager's runtime dir.
as_user() {
        local u=$1 uid
        shift
        uid=$(host_run id -u "$u")
        host_run runuser -u "$u" -- env XDG_RUNTIME_DIR="/run/user/$uid" \
                DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$uid/bus" "$@"
}

uctl() { # uctl ARGS...: systemctl --user of U1
        as_user "$U1" timeout 60 systemctl --user "$@"
}

ushow() { # ushow UNIT PROPERTY
        uctl show -p "$2" --value "$1"
}

uctr() { # uctr ARGS...: ctr-launch as U1 (its default state root, $XDG_RUNTIME_DIR/ctr-launch)
        as_user "$U1" timeout -k 5 30 "$HOST_CTR" "$@"
}

user_journal_has() {
        host_run journalctl --no-pager _UID="$UID1" | grep -qF -- "$1"
}

ujournal() {
        host_run journalctl --no-pager -o short-monotonic _SYSTEMD_USER_UNIT="ctr@$1.service" + \
                USER_UNIT="ctr@$1.service" 2>/dev/null | grep -v "bus\|Bus\|message type" | tail -n 60 || true
}

# ubundle ID ARGS...: ~U1/.local/share/ctr-launch/ID, the config of `spec --rootless` written by
# U1, running ARGS, with the sd_notify helper and shared/ bound on /shared. Sets UB (the path in
# the test host) and UB_DIR (from here).
ubundle() {
        local id=$1
        shift
        UB=$HOME1/.local/share/ctr-launch/$id
        UB_DIR=$HOST_ROOT$UB
        mkdir -p "$UB_DIR/shared"
        cp -a "$HOST_DIR/rootfs-template" "$UB_DIR/rootfs"
        cp "$NOTIFY_HELPER" "$UB_DIR/rootfs/bin/sd-notify-static"
        host_run chown -R "$U1:" "$HOME1/.local"
        as_user "$U1" "$HOST_CTR" spec --rootless -b "$UB" || fail "spec --rootless as $U1"
        "$PY" - "$UB_DIR/config.json" "$UB/shared" "$("$PY" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@")" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    cfg = json.load(f)
cfg["process"]["args"] = json.loads(sys.argv[3])
cfg["mounts"].append({"destination": "/shared", "type": "bind", "source": sys.argv[2],
                      "options": ["rbind", "rw"]})
with open(sys.argv[1], "w") as f:
    json.dump(cfg, f, indent=2)
EOF
        echo "$id" >>"$HOST_DIR/user.units"
}

uset() { # uset KEY JSON: one top-level key of the bundle's config
        "$PY" - "$UB_DIR/config.json" "$1" "$2" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    cfg = json.load(f)
cfg[sys.argv[2]] = json.loads(sys.argv[3])
with open(sys.argv[1], "w") as f:
    json.dump(cfg, f, indent=2)
EOF
}

# What a case may leave of U1's: units, state, processes of U1 but the user manager's own.
user_leftovers() {
        local id st
        if [ -s "$HOST_DIR/user.units" ]; then
                for id in $(sort -u "$HOST_DIR/user.units"); do
                        st=$(ushow "ctr@$id.service" ActiveState 2>/dev/null) || st=unknown
                        case $st in inactive | failed) ;; *) echo "user unit ctr@$id left $st" ;; esac
                done
        fi
        host_run sh -c "ls -A $XDG1/ctr-launch 2>/dev/null" | sed 's/^/user container state left: /' || true
        host_run ps -u "$U1" -o pid=,comm= | grep -Ev ' (systemd|\(sd-pam\)|dbus-daemon)$' | sed 's/^/process of the user left: /' || true
}

user_case() { # user_case FUNC: FUNC, then nothing of U1's left; cleanup whatever happened
        local rc l i err_trap
        # A subshell, so that fail (exit) ends FUNC only; not in a || list, where bash would
        # ignore errexit inside it. The case's ERR trap (tests/assert.sh) runs inside it, not
        # on its status: a skip is no failed command.
        err_trap=$(trap -p ERR)
        trap - ERR
        set +e
        (
                eval "$err_trap"
                set -e
                "$@"
        )
        rc=$?
        set -e
        eval "$err_trap"
        # A case that skipped (tests/assert.sh, skip) ends here, as skipped.
        if [ "$rc" = 77 ] && [ -f "$CASE_SKIP_FILE" ]; then
                exit 77
        fi
        if [ "$rc" = 0 ]; then
                for ((i = 0; i < 50; i++)); do
                        l=$(user_leftovers)
                        [ -n "$l" ] || break
                        sleep 0.1
                done
                [ -z "$l" ] || { echo "FAIL [$CASE]: left behind: $l" >&2; rc=1; }
        fi
        if [ "$rc" != 0 ] && [ -s "$HOST_DIR/user.units" ]; then
                for id in $(sort -u "$HOST_DIR/user.units"); do
                        echo "---- journal of the user's ctr@$id:" >&2
                        ujournal "$id" >&2
                done
        fi
        if [ -s "$HOST_DIR/user.units" ]; then
                for id in $(sort -u "$HOST_DIR/user.units"); do
                        uctl stop "ctr@$id" >/dev/null 2>&1 || true
                        uctl reset-failed "ctr@$id" >/dev/null 2>&1 || true
                        uctr delete --force "$id" >/dev/null 2>&1 || true
                        rm -rf "${HOST_ROOT:?}$HOME1/.local/share/ctr-launch/$id"
                done
        fi
        rm -f "$HOST_DIR/user.units"
        return "$rc"
}

assert_main_pid_is_container() {
        local id=$1 pid main cg
        pid=$(uctr state "$id" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["pid"])')
        main=$(ushow "ctr@$id" MainPID)
        assert_eq "MainPID of the user's ctr@$id (the container's process, per ctr-launch state)" "$pid" "$main"
        [ "$main" != 0 ] || fail "ctr@$id has no main process"
        host_run sh -c "tr '\\0' ' ' </proc/$main/cmdline" | grep -q 'while' ||
                fail "MainPID $main is not the container's payload"
        cg=$(host_cgroup_of "$main")
        if [ "$HOST_CGROUP_LAYOUT" = unified ]; then
                # The user unit is delegated (Delegate=yes): a leaf below it.
                assert_eq "the container's cgroup (a leaf of the delegated user unit)" \
                        "$(ushow "ctr@$id" ControlGroup)/container" "$cg"
        else
                assert_eq "the container's cgroup (the user unit's own: no cgroup of ours on v1 controllers)" \
                        "$(ushow "ctr@$id" ControlGroup)" "$cg"
        fi
        assert_eq "the container's process runs as" "$U1" "$(host_run ps -o user= -p "$main")"
}

stop_and_check() {
        local id=$1 rc=0 out
        out=$(uctl stop "ctr@$id" 2>&1) || rc=$?
        assert_eq "systemctl --user stop ctr@$id ($out)" 0 "$rc"
        assert_eq "ActiveState after stop" inactive "$(ushow "ctr@$id" ActiveState)"
        assert_eq "Result after stop" success "$(ushow "ctr@$id" Result)"
        host_run test ! -e "$XDG1/ctr-launch/$id" || fail "state left in $XDG1/ctr-launch/$id"
}

# ---------------------------------------------------------------- cases

t_exec_readiness() {
        ubundle app /bin/sh -c "$LONG"
        local rc=0 out
        out=$(uctl start ctr@app 2>&1) || rc=$?
        assert_eq "systemctl --user start ctr@app ($out)" 0 "$rc"
        assert_eq "ActiveState" active "$(ushow ctr@app ActiveState)"
        assert_main_pid_is_container app
        [ -e "$UB_DIR/shared/running" ] || fail "the payload did not run"
        host_run test -d "$XDG1/ctr-launch/app" || fail "no state in $XDG1/ctr-launch/app"
        host_run test ! -e "$HOST_STATE/app" || fail "a user's container has state in $HOST_STATE"
        wait_for "the container's output in the journal" user_journal_has 'hello from 0'
        stop_and_check app
        # The unit names its state root: no verb of it went to the system service.
        ! ujournal app | grep -q "system service" || fail "a verb of the user unit went to the system service"
}

t_container_readiness() {
        # READY=1 once the test says so (shared/go, 30 s at most): a sleep would race with
        # the first look at the unit on a slow host.
        ubundle rdy /bin/sh -c 'trap "exit 0" TERM; touch /shared/running;
                i=0; while [ ! -e /shared/go ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
                sd-notify-static READY=1 "STATUS=serving" MAINPID=1; while :; do sleep 0.2; done'
        uset annotations '{"org.ctr-launch.readiness": "container"}'
        as_user "$U1" systemctl --user start --no-block ctr@rdy
        wait_for "the payload" test -e "$UB_DIR/shared/running"
        local st
        st=$(ushow ctr@rdy ActiveState)
        assert_eq "ActiveState before the container's READY=1" activating "$st"
        touch "$UB_DIR/shared/go"
        for ((i = 0; i < 100; i++)); do
                [ "$(ushow ctr@rdy ActiveState)" = active ] && break
                sleep 0.1
        done
        assert_eq "ActiveState after the container's READY=1" active "$(ushow ctr@rdy ActiveState)"
        assert_eq "StatusText relayed" serving "$(ushow ctr@rdy StatusText)"
        assert_main_pid_is_container rdy
        stop_and_check rdy
}

t_other_user() {
        ubundle app /bin/sh -c "$LONG"
        local rc=0 out pid
        out=$(uctl start ctr@app 2>&1) || rc=$?
        assert_eq "systemctl --user start ctr@app ($out)" 0 "$rc"
        pid=$(ushow ctr@app MainPID)
        # U2's own list, and even U1's state root named: nothing, refused.
        out=$(host_run runuser -u "$U2" -- env XDG_RUNTIME_DIR=/tmp "$HOST_CTR" list -q 2>&1) || true
        case $out in *app*) fail "$U2's list shows $U1's container: $out" ;; esac
        rc=0
        out=$(host_run runuser -u "$U2" -- env XDG_RUNTIME_DIR="$XDG1" "$HOST_CTR" list -q 2>&1) || rc=$?
        case $out in *app*) fail "$U2 lists $U1's containers: $out" ;; esac
        for verb in "kill app KILL" "delete --force app" "state app"; do
                rc=0
                # shellcheck disable=SC2086
                out=$(host_run runuser -u "$U2" -- env XDG_RUNTIME_DIR="$XDG1" "$HOST_CTR" $verb 2>&1) || rc=$?
                [ "$rc" != 0 ] || fail "$U2 could run '$verb' on $U1's container: $out"
                rc=0
                # shellcheck disable=SC2086
                out=$(host_run runuser -u "$U2" -- "$HOST_CTR" --root "$XDG1/ctr-launch" $verb 2>&1) || rc=$?
                [ "$rc" != 0 ] || fail "$U2 could run '$verb' on $U1's container with --root: $out"
        done
        # U2's own user manager (systemctl --user -M) is not U1's; root's list does not show it.
        out=$(host_ctr list -q 2>&1) || true
        case $out in *app*) fail "root's list (/run/ctr-launch) shows $U1's container: $out" ;; esac
        assert_eq "ctr@app still active" active "$(ushow ctr@app ActiveState)"
        assert_eq "the same MainPID" "$pid" "$(ushow ctr@app MainPID)"
        stop_and_check app
}

# uresources JSON: the bundle's linux.resources.
uresources() {
        "$PY" - "$UB_DIR/config.json" "$1" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    cfg = json.load(f)
cfg["linux"]["resources"] = json.loads(sys.argv[2])
with open(sys.argv[1], "w") as f:
    json.dump(cfg, f, indent=2)
EOF
}

# Memory and pids limits of a rootless container in a user unit: the unit's (its user manager
# applies them in the subtree user@.service delegates), in the unit's cgroup files; stop gives
# the unit its defaults back.
t_rootless_limits() {
        [ "$HOST_CGROUP_LAYOUT" = unified ] ||
                skip "cgroup v1 controllers are never delegated to a user; this host is $HOST_CGROUP_LAYOUT"
        ubundle lim /bin/sh -c "$LONG"
        uresources '{"memory": {"limit": 67108864}, "pids": {"limit": 32}}'
        local rc=0 out d
        out=$(uctl start ctr@lim 2>&1) || rc=$?
        assert_eq "systemctl --user start ctr@lim ($out)" 0 "$rc"
        assert_main_pid_is_container lim
        assert_eq "MemoryMax of the user's ctr@lim" 67108864 "$(ushow ctr@lim MemoryMax)"
        assert_eq "TasksMax of the user's ctr@lim" 32 "$(ushow ctr@lim TasksMax)"
        d=$HOST_UNIFIED$(ushow ctr@lim ControlGroup)
        assert_eq "memory.max of the user unit" 67108864 "$(host_run cat "$d/memory.max")"
        assert_eq "pids.max of the user unit" 32 "$(host_run cat "$d/pids.max")"
        stop_and_check lim
        assert_eq "MemoryMax of the user's ctr@lim once stopped" infinity "$(ushow ctr@lim MemoryMax)"
}

# A limit whose controller user@.service does not delegate (Debian's: cpu memory pids; not io)
# fails the start with a line that says so, and leaves nothing.
t_rootless_controller_not_delegated() {
        [ "$HOST_CGROUP_LAYOUT" = unified ] ||
                skip "cgroup v1 controllers are never delegated to a user; this host is $HOST_CGROUP_LAYOUT"
        local parent rc=0 out
        parent=$(host_run cat "$HOST_UNIFIED/user.slice/user-$UID1.slice/user@$UID1.service/cgroup.controllers")
        case " $parent " in *" io "*) skip "user@$UID1.service delegates io on this host ($parent)" ;; esac
        ubundle iow /bin/sh -c "$LONG"
        uresources '{"blockIO": {"weight": 500}}'
        out=$(uctl start ctr@iow 2>&1) || rc=$?
        [ "$rc" != 0 ] || fail "systemctl --user start ctr@iow succeeded with an io limit user@ does not delegate"
        wait_for "the reason in the journal" user_journal_has \
                "needs the io controller, which is not delegated to ctr@iow.service"
        uctl reset-failed ctr@iow 2>/dev/null || true
        host_run test ! -e "$XDG1/ctr-launch/iow" || fail "state left in $XDG1/ctr-launch/iow"
}

case_run exec-readiness user_case t_exec_readiness
case_run container-readiness user_case t_container_readiness
case_run other-user user_case t_other_user
case_run rootless-limits user_case t_rootless_limits
case_run rootless-controller-not-delegated user_case t_rootless_controller_not_delegated
sys_finish
