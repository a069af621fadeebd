#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Rootless containers (issue 7): ctr-launch run by an unprivileged user, with nobody's
# permission. As root, the script makes a test user (useradd, removed at the end if it made it)
# and runs ctr-launch as that user (runuser) with a private XDG_RUNTIME_DIR (0700, its own):
# `spec --rootless` runs as is, root inside is the user outside, loopback is up in the new
# network namespace, the host's network can be shared, the lifecycle verbs and `list` work
# on the user's own state root only, what a rootless container cannot have is refused with
# one line naming the field and nothing left, and /etc/subuid ranges go through newuidmap.
# Usage: rootless.sh PATH-TO-ctr-launch (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
lib_init "$@"

[ -e /proc/self/ns/user ] || skip "the kernel has no user namespaces"
command -v runuser >/dev/null || skip "runuser (util-linux) is missing"

TU=ctr-launch-rltest
SUB_START=400000
SUBG_START=400000
SUB_SIZE=65536
MADE_USER=""
MADE_SUB=""

rl_cleanup() {
        if [ -n "$MADE_SUB" ]; then
                sed -i "/^$TU:/d" /etc/subuid /etc/subgid 2>/dev/null || true
        fi
        if [ -n "$MADE_USER" ]; then
                # Whatever it still runs (a failed case) goes first, or userdel refuses.
                pkill -9 -u "$TU" 2>/dev/null || true
                userdel "$TU" 2>/dev/null || true
        fi
}
trap 'rl_rc=$?; rl_cleanup; (exit $rl_rc); lib_exit' EXIT

if ! id "$TU" >/dev/null 2>&1; then
        useradd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$TU" ||
                hard_error "useradd $TU failed"
        MADE_USER=1
fi
TUID=$(id -u "$TU")
TGID=$(id -g "$TU")
runuser -u "$TU" -- test -x "$CTR" ||
        skip "the test user cannot execute $CTR (a parent directory is not searchable by others?)"
runuser -u "$TU" -- test -r "$T/rootfs-template/bin/busybox" ||
        skip "the test user cannot read the scratch directory $T"

# uctr ARGS...: ctr-launch as the test user, with the case's state root and marker.
uctr() {
        timeout -k 5 "${CTR_TIMEOUT:-30}" runuser -u "$TU" -- env XDG_RUNTIME_DIR="$C/xdg" \
                CTR_TEST_MARK="$CTR_TEST_MARK" PATH="$PATH" "$CTR" --root "$ROOT" "$@"
}

# uctr_default ARGS...: the same, with no --root: the default, $XDG_RUNTIME_DIR/ctr-launch.
uctr_default() {
        timeout -k 5 "${CTR_TIMEOUT:-30}" runuser -u "$TU" -- env XDG_RUNTIME_DIR="$C/xdg" \
                CTR_TEST_MARK="$CTR_TEST_MARK" PATH="$PATH" "$CTR" "$@"
}

# rl_bundle NAME ARGS...: $C/NAME with the config of `spec --rootless`, written by the test
# user, running ARGS, with the marker and $C/shared (the user's) bound rw on /shared. Sets B.
rl_bundle() {
        local name=$1
        shift
        [ $# -gt 0 ] || set -- /bin/true
        B=$C/$name
        # The case's directory is the user's: its state root and runtime dir go there.
        mkdir -p "$B" "$C/shared" "$C/xdg"
        chmod 0700 "$C/xdg"
        cp -a "$T/rootfs-template" "$B/rootfs"
        chown "$TU:" "$C" "$C/shared" "$C/xdg" "$B"
        (cd "$B" && runuser -u "$TU" -- "$CTR" spec --rootless) || fail "spec --rootless as $TU"
        cfg "$B" set process.args "$("$PY" -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "$@")" \
                append process.env "\"CTR_TEST_MARK=$MARK\"" \
                append mounts "{\"destination\": \"/shared\", \"type\": \"bind\", \"source\": \"$C/shared\", \"options\": [\"rbind\", \"rw\"]}"
}

# The refusals: one error line naming the field, and nothing left (the harness checks).
rl_refused() {
        local what=$1 re=$2
        capture uctr create -b "$B" c1
        assert_fails "$what"
        assert_one_error_line "$what" "$re"
}

t_run() {
        rl_bundle b /bin/sh -c 'id -u; id -g; touch /shared/made-inside; ip -o link show lo; cat /proc/self/uid_map'
        capture_ok "rootless run of the spec --rootless config" uctr run -b "$B" c1
        assert_eq "id -u inside" 0 "$(printf '%s\n' "$OUT" | sed -n 1p)"
        assert_eq "id -g inside" 0 "$(printf '%s\n' "$OUT" | sed -n 2p)"
        assert_eq "owner on the host of a file made inside" "$TUID:$TGID" "$(stat -c %u:%g "$C/shared/made-inside")"
        assert_contains "lo in the new network namespace" "$(printf '%s\n' "$OUT" | sed -n 3p)" ",UP"
        assert_eq "uid_map inside" "0 $TUID 1" "$(words "$(printf '%s\n' "$OUT" | sed -n 4p)")"
}

t_exit_status() {
        rl_bundle b /bin/sh -c 'exit 7'
        capture uctr run -b "$B" c1
        assert_rc 7 "rootless run's exit status"
}

t_terminal() {
        # No --console-socket: run relays the pty itself (the master comes from an init in a
        # user namespace, over the channels a dumpable init gets late).
        rl_bundle b /bin/sh -c 'tty; echo size:$(stty size); exit 5'
        cfg "$B" set process.terminal true set process.consoleSize '{"height": 21, "width": 77}'
        capture uctr run -b "$B" c1
        assert_rc 5 "rootless run with a terminal"
        OUT=$(printf '%s\n' "$OUT" | tr -d '\r')
        [[ $(head -1 <<<"$OUT") =~ ^/dev/pts/[0-9]+$ ]] || fail "tty inside: expected /dev/pts/N, got: $OUT"
        assert_eq "the size of a pty whose caller has no terminal: process.consoleSize" "size:21 77" "$(sed -n 2p <<<"$OUT")"
}

t_lifecycle_and_list() {
        rl_bundle b /bin/sh -c "$(long_running)"
        capture_ok "rootless create" uctr_default create -b "$B" mine
        [ -d "$C/xdg/ctr-launch/mine" ] || fail "no state in \$XDG_RUNTIME_DIR/ctr-launch/mine"
        [ ! -e /run/ctr-launch/mine ] || fail "state of a rootless container in /run/ctr-launch"
        capture_ok "rootless state" uctr_default state mine
        assert_eq status created "$(json_get status <<<"$OUT")"
        capture_ok "rootless start" uctr_default start mine
        wait_for "the payload" test -e "$C/shared/ready"
        capture_ok "rootless list" uctr_default list -q
        assert_eq "the user's list" mine "$OUT"
        # root's own list (/run/ctr-launch) does not show it.
        capture "$CTR" list -q
        assert_rc 0 "root's list"
        case $'\n'"$OUT"$'\n' in *$'\n'mine$'\n'*) fail "root's list shows the user's container: $OUT" ;; esac
        # Another user (nobody) sees nothing of it, even with the same runtime dir path.
        capture timeout 10 runuser -u nobody -- env XDG_RUNTIME_DIR="$C/xdg" "$CTR" list -q
        case $OUT in *mine*) fail "nobody's list shows the user's container: $OUT" ;; esac
        capture timeout 10 runuser -u nobody -- env XDG_RUNTIME_DIR="$C/xdg" "$CTR" kill mine KILL
        assert_fails "kill by another user"
        capture_ok "rootless kill" uctr_default kill mine TERM
        wait_for "the container to stop" bash -c "[ \"\$(runuser -u $TU -- env XDG_RUNTIME_DIR=$C/xdg $CTR state mine | $PY $LIB_DIR/bundle.py get - status)\" = stopped ]"
        capture_ok "rootless delete" uctr_default delete mine
        [ ! -e "$C/xdg/ctr-launch/mine" ] || fail "state left after delete"
        capture uctr_default list -q
        assert_eq "the user's list after delete" "" "$OUT"
}

t_host_network() {
        # No network namespace in the config: the host's, shared.
        rl_bundle b /bin/sh -c 'ip -o link | wc -l'
        cfg "$B" delns network
        capture_ok "rootless run sharing the host's network" uctr run -b "$B" c1
        assert_eq "links seen inside (the host's)" "$(ip -o link | wc -l)" "$OUT"
}

t_refuse_device() {
        rl_bundle b
        cfg "$B" set linux.devices '[{"path": "/dev/ctr-no-such", "type": "c", "major": 1, "minor": 99}]'
        rl_refused "a device node" '^ctr-launch: c1: linux\.devices: /dev/ctr-no-such.*cannot make device nodes'
}

t_refuse_limits() {
        rl_bundle b
        cfg "$B" set linux.resources '{"memory": {"limit": 104857600}}'
        rl_refused "a cgroup limit" '^ctr-launch: c1: linux\.resources: .*delegated'
}

t_refuse_host_netns() {
        rl_bundle b
        cfg "$B" delns network append linux.namespaces '{"type": "network", "path": "/proc/self/ns/net"}'
        rl_refused "the host's network namespace by path" \
                '^ctr-launch: c1: linux\.namespaces: network namespace /proc/self/ns/net belongs to a user namespace of uid 0'
}

t_refuse_no_userns() {
        rl_bundle b
        cfg "$B" delns user del linux.uidMappings del linux.gidMappings
        rl_refused "a config without a user namespace" '^ctr-launch: c1: linux\.namespaces: .*needs a user namespace'
}

# rl_foreign_uids SIZE: the first of SIZE host uids the test user has no /etc/subuid range for:
# 123456, or past the end of every range of theirs (useradd may give them one that holds it).
rl_foreign_uids() {
        awk -F: -v user="$TU" -v uid="$TUID" -v first=123456 '
                ($1 == user || $1 == uid) && $2 + $3 > first { first = $2 + $3 }
                END { print first }' /etc/subuid 2>/dev/null || echo 123456
}

# newuidmap_policy FIRST SIZE: what this host's newuidmap says when the test user asks it for
# SIZE uids from FIRST, tried on a throw-away process in a user namespace of the user's own:
# "accepted", "refused: WHY", or "no probe: WHY". Its policy is the host's: /etc/subuid, or
# whatever else its shadow build consults.
newuidmap_policy() {
        # shellcheck disable=SC2016
        runuser -u "$TU" -- sh -c '
                unshare -U sleep 30 &
                p=$!
                i=0
                while [ "$(readlink /proc/$p/ns/user)" = "$(readlink /proc/self/ns/user)" ]; do
                        if [ $i -ge 100 ] || ! kill -0 $p 2>/dev/null; then
                                kill $p 2>/dev/null
                                echo "no probe: unshare -U made no user namespace in 10 s"
                                exit 0
                        fi
                        i=$((i + 1))
                        sleep 0.1
                done
                if why=$("$1" $p 0 "$2" "$3" 2>&1); then
                        echo accepted
                else
                        echo "refused: $why"
                fi
                kill $p
                wait $p 2>/dev/null
                exit 0' sh "$(command -v newuidmap)" "$1" "$2"
}

t_refuse_other_ids_without_subuid() {
        local first policy
        first=$(rl_foreign_uids)
        rl_bundle b
        cfg "$B" set linux.uidMappings "[{\"containerID\": 0, \"hostID\": $first, \"size\": 10}]"
        if ! command -v newuidmap >/dev/null; then
                rl_refused "a map that needs newuidmap, missing" '^ctr-launch: c1: linux\.uidMappings: .*newuidmap.*not installed'
                return 0
        fi
        # The refusal is newuidmap's to make, not ours: on a host whose newuidmap grants such a
        # map, there is nothing to refuse.
        policy=$(newuidmap_policy "$first" 10)
        case $policy in
        accepted) skip "this host's newuidmap gives $TU uids $first..$((first + 9)) without an /etc/subuid range for them" ;;
        refused:*) note "newuidmap's own answer: $policy" ;;
        *) fail "cannot tell this host's newuidmap policy: $policy" ;;
        esac
        rl_refused "a map the user has no /etc/subuid range for" \
                '^ctr-launch: c1: linux\.uidMappings: newuidmap refused the map'
}

t_subuid_ranges() {
        command -v newuidmap >/dev/null && command -v newgidmap >/dev/null ||
                skip "newuidmap/newgidmap missing (apt-get install uidmap)"
        rl_bundle b /bin/sh -c 'cat /proc/self/uid_map; id -u; id -G; touch /shared/by-1000'
        chmod 0777 "$C/shared"
        local m="[{\"containerID\": 0, \"hostID\": $TUID, \"size\": 1}, {\"containerID\": 1, \"hostID\": $SUB_START, \"size\": $SUB_SIZE}]"
        local g="[{\"containerID\": 0, \"hostID\": $TGID, \"size\": 1}, {\"containerID\": 1, \"hostID\": $SUBG_START, \"size\": $SUB_SIZE}]"
        cfg "$B" set linux.uidMappings "$m" set linux.gidMappings "$g" \
                set process.user '{"uid": 1000, "gid": 1000, "additionalGids": [5]}'
        capture_ok "rootless run with /etc/subuid ranges (newuidmap)" uctr run -b "$B" c1
        assert_eq "uid_map inside" "0 $TUID 1 1 $SUB_START $SUB_SIZE" "$(words "$(printf '%s\n' "$OUT" | sed -n 1,2p)")"
        assert_eq "id -u inside" 1000 "$(printf '%s\n' "$OUT" | sed -n 3p)"
        assert_eq "groups inside" "1000 5" "$(printf '%s\n' "$OUT" | sed -n 4p)"
        assert_eq "owner on the host of a file made by uid 1000" "$((SUB_START + 999)):$((SUBG_START + 999))" \
                "$(stat -c %u:%g "$C/shared/by-1000")"
}

# exec into a rootless container: as its user, into its user namespace (and every other), as
# the mapped root or, through the /etc/subuid ranges, as another mapped user.
t_exec() {
        command -v newuidmap >/dev/null && command -v newgidmap >/dev/null ||
                skip "newuidmap/newgidmap missing (apt-get install uidmap)"
        rl_bundle b /bin/sh -c 'touch /shared/ready; while :; do sleep 0.2; done'
        chmod 0777 "$C/shared"
        local m="[{\"containerID\": 0, \"hostID\": $TUID, \"size\": 1}, {\"containerID\": 1, \"hostID\": $SUB_START, \"size\": $SUB_SIZE}]"
        local g="[{\"containerID\": 0, \"hostID\": $TGID, \"size\": 1}, {\"containerID\": 1, \"hostID\": $SUBG_START, \"size\": $SUB_SIZE}]"
        cfg "$B" set linux.uidMappings "$m" set linux.gidMappings "$g"
        capture_ok "rootless run -d" uctr run -d -b "$B" c1
        wait_for "c1 ready" test -e "$C/shared/ready"
        local pid
        pid=$(uctr state c1 | json_get pid)
        capture_ok "rootless exec" uctr exec c1 /bin/sh -c 'id -u; readlink /proc/self/ns/user; readlink /proc/self/ns/mnt; readlink /proc/self/ns/pid; touch /shared/by-exec-root'
        assert_eq "uid and namespaces of the exec'd process" \
                "0 $(readlink "/proc/$pid/ns/user") $(readlink "/proc/$pid/ns/mnt") $(readlink "/proc/$pid/ns/pid")" "$(words "$OUT")"
        assert_eq "owner on the host of a file the exec'd root made" "$TUID" "$(stat -c %u "$C/shared/by-exec-root")"
        capture_ok "rootless exec -u 1000:1000" uctr exec -u 1000:1000 c1 /bin/sh -c 'id -u; touch /shared/by-exec-1000'
        assert_eq "uid of exec -u 1000" 1000 "$OUT"
        assert_eq "owner on the host of a file made by the exec'd uid 1000" "$((SUB_START + 999))" \
                "$(stat -c %u "$C/shared/by-exec-1000")"
        capture_ok "rootless delete --force" uctr delete --force c1
}

# useradd may have given the user ranges already (SUB_UID_MIN in /etc/login.defs): use those.
if grep -q "^$TU:" /etc/subuid 2>/dev/null && grep -q "^$TU:" /etc/subgid 2>/dev/null; then
        SUB_START=$(grep -m1 "^$TU:" /etc/subuid | cut -d: -f2)
        SUBG_START=$(grep -m1 "^$TU:" /etc/subgid | cut -d: -f2)
        SUB_SIZE=$(( $(grep -m1 "^$TU:" /etc/subuid | cut -d: -f3) < 65536 ? $(grep -m1 "^$TU:" /etc/subuid | cut -d: -f3) : 65536 ))
        SUB_SIZE=$(( $(grep -m1 "^$TU:" /etc/subgid | cut -d: -f3) < SUB_SIZE ? $(grep -m1 "^$TU:" /etc/subgid | cut -d: -f3) : SUB_SIZE ))
else
        sed -i "/^$TU:/d" /etc/subuid /etc/subgid 2>/dev/null || true
        echo "$TU:$SUB_START:$SUB_SIZE" >>/etc/subuid
        echo "$TU:$SUB_START:$SUB_SIZE" >>/etc/subgid
        MADE_SUB=1
fi

case_run run t_run
case_run exit-status t_exit_status
case_run terminal t_terminal
case_run lifecycle-and-list t_lifecycle_and_list
case_run host-network t_host_network
case_run refuse-device t_refuse_device
case_run refuse-limits t_refuse_limits
case_run refuse-host-netns t_refuse_host_netns
case_run refuse-no-userns t_refuse_no_userns
case_run refuse-other-ids t_refuse_other_ids_without_subuid
case_run subuid-ranges t_subuid_ranges
case_run exec t_exec
lib_finish
