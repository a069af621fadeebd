#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The vm suite (`meson test --suite vm`): boots the VM test host once (host-vm.sh: Debian 12's
# kernel, systemd 252 as PID 1, unified cgroups), then runs the system scenario scripts against
# it one after the other, the very scripts that the system suite runs on nspawn, each attached
# to this VM (CTR_VM_ATTACH). One TAP stream for all: each script's cases renumbered and named
# "SCRIPT: CASE", its comments passed on; a script that bails out or exits without a plan is one
# failed line; after each script, a failed line if it left a container or an active ctr@ unit
# in the VM, and the VM's /etc made as it was after the boot again (vm_etc_restore). The VM is
# powered off and every trace of it removed at the end, whatever happened.
# Usage: vm-suite.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).
# What runs here: the scenarios whose outcome depends on what the VM has and nspawn here has not
# (unified cgroups, Debian's kernel 6.1, AppArmor): ctr@ units and their cgroups (unit,
# unit-limits, cgroup-placement), rootless units with delegated controllers (user-units), 6.1's
# paths (kernel-paths, and peer-identity and socket-activation, whose peer checks take their
# fallback without SO_PEERPIDFD), LSM labels (lsm) and the integration scripts' cgroup, exec,
# kernel and podman cases (integration.sh). Left to the nspawn host, on the same systemd 252,
# polkit and PAM: authorization, pam, polkit-keep, control-socket, service-exec, image-bundle,
# scale and package, whose subject (polkit rules, PAM stacks, the control protocol, skopeo and
# umoci, dpkg) does not change with the cgroup layout or the kernel. Under TCG every command
# costs about twenty times what it does here, and a fresh-clone .ci/run has 90 minutes.
# Environment: CTR_VM_SCRIPTS (default: the list above), CTR_TEST_ONLY (case names, as in each
# script), CTR_EXPECT_LSM (lsm.sh's; apparmor by default), and host-vm.sh's knobs.

export CTR_TEST_HOST=vm
source "$(dirname "$0")/lib.sh"
sys_init "$@"

read -ra SCRIPTS <<<"${CTR_VM_SCRIPTS:-cgroup-placement unit unit-limits user-units peer-identity kernel-paths socket-activation lsm integration}"

# run_script NAME: runs NAME.sh attached to the VM, re-emitting its TAP.
run_script() {
        local name=$1 t0=$SECONDS left undone
        tap_reemit "$name" < <(rc=0
                bash "$(dirname "$0")/$name.sh" "$BUILD_DIR" ${CTR_BUILT:+"$CTR_BUILT"} </dev/null || rc=$?
                echo "@@exit $rc")
        diag "$name: exit status $TAP_STATUS after $((SECONDS - t0)) s"
        left=$(vm_leftovers)
        if [ -n "$left" ]; then
                tap not-ok "$name: nothing left in the test VM"
                echo "$name left in the test VM: $left" >&2
        fi
        if ! undone=$(vm_etc_restore 2>&1); then
                tap not-ok "$name: the VM's /etc as after the boot again"
                echo "$undone" >&2
        elif [ -n "$undone" ]; then
                diag "$name: undone in the VM's /etc: $(echo "$undone" | tr '\n' ' ')"
        fi
}

# Each script begins on the VM's /etc as it was after the boot, as on a host booted for it
# alone: the users it added are deleted (their lingering and sessions ended first), then /etc
# is made the copy taken after the boot again (polkit rules, PAM stacks, unit drop-ins, the
# account files; vm-etc-restore.py), and systemd and polkitd reread it. Prints what it undid.
vm_etc_snapshot() {
        cp -a "$HOST_ROOT/etc" "$HOST_DIR/etc.booted"
}

vm_etc_restore() {
        local u
        for u in $(awk -F: 'NR == FNR { seen[$1] = 1; next } !($1 in seen) { print $1 }' \
                "$HOST_DIR/etc.booted/passwd" "$HOST_ROOT/etc/passwd"); do
                echo "deleted user $u"
                host_run loginctl disable-linger "$u" || true
                host_run loginctl terminate-user "$u" 2>/dev/null || true
                host_run userdel -r -f "$u" 2>/dev/null || true
        done
        "$PY" "$(dirname "$0")/vm-etc-restore.py" "$HOST_DIR/etc.booted" "$HOST_ROOT/etc" &&
                host_run systemctl daemon-reload &&
                host_run systemctl try-restart polkit.service
}

# What a script left in the VM that would disturb the next: containers, active ctr@ units.
vm_leftovers() {
        host_run sh -c "ls -A $HOST_STATE 2>/dev/null" | sed 's/^/container state: /' || true
        host_run systemctl list-units --plain --no-legend --state=active,activating,deactivating 'ctr@*' |
                sed 's/^/unit: /' || true
}

# The channel itself, before anything relies on it: output, errors, status, stdin on request,
# concurrent jobs, and the deadline (a job past it is killed and host_run says 124).
channel_check() {
        local out rc=0 t0
        out=$(host_run sh -c 'echo out; echo err >&2; exit 3' 2>&1) || rc=$?
        assert_eq "status through the channel" 3 "$rc"
        assert_eq "stdout then stderr through the channel" "out
err" "$out"
        assert_eq "no stdin unless asked" "" "$(echo ignored | host_run cat)"
        assert_eq "stdin when asked" "in" "$(echo in | HOST_RUN_STDIN=- host_run cat)"
        host_run sh -c 'sleep 2; echo a' >"$HOST_DIR/channel.a" &
        assert_eq "a second job while the first runs" b "$(host_run echo b)"
        wait $!
        assert_eq "the first job's output" a "$(cat "$HOST_DIR/channel.a")"
        rc=0
        t0=$SECONDS
        vm_job 2 sleep 60 2>/dev/null || rc=$?
        assert_eq "status of a job past its deadline" 124 "$rc"
        [ $((SECONDS - t0)) -lt 30 ] || fail "the deadline of 2 s did not end the job"
        host_fails pgrep -x -f 'sleep 60' || fail "the job past its deadline still runs"
        local i t
        t=$(date +%s%N)
        for ((i = 0; i < 10; i++)); do host_run true; done
        echo "# channel: $(( ($(date +%s%N) - t) / 10000000 )) ms per host_run true" >"$HOST_DIR/channel.diag"
}

host_boot "$BUILD_DIR"
BOOTED=$SECONDS
CASE_SKIP_FILE=$HOST_DIR/channel.skip
CASE="vm: command channel"
case_body true channel_check
[ "$CASE_RC" = 0 ] && tap ok "$CASE" || tap not-ok "$CASE"
cat "$HOST_DIR/channel.diag" 2>/dev/null || true
CASE=""
vm_etc_snapshot
# Debian's kernel boots AppArmor unless the command line says otherwise (vm-selinux.sh does).
export CTR_EXPECT_LSM=${CTR_EXPECT_LSM:-apparmor}
export CTR_VM_ATTACH=1 CTR_VM_ROOT=$HOST_ROOT CTR_VM_QEMU=$VM_QEMU CTR_VM_KICK=$VM_KICK
for s in "${SCRIPTS[@]}"; do
        [ -f "$(dirname "$0")/$s.sh" ] || hard_error "no scenario script $s.sh (CTR_VM_SCRIPTS)"
        run_script "$s"
done
diag "vm suite: booted in $BOOTED s, scripts took $((SECONDS - BOOTED)) s"
tap_finish
