#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Integration scripts (tests/integration/) run inside the VM test host, where the cgroup layout
# is unified (pure cgroup v2, Debian's kernel 6.1, systemd 252 as PID 1): the cases of
# cgroups.sh then drive the v2 freezer, cgroup.kill, the eBPF device filter and the v2 limit
# files for real, which this machine (hybrid) cannot; exec.sh joins v2 cgroups; compat.sh and
# seccomp.sh read real configs on Debian's own kernel (open_tree'd bind sources, the eBPF
# device filter, the filter loaded last, seccomp notify); and the client
# scripts (tests/clients/, named "clients/podman") run there too, podman with its systemd cgroup
# manager (which needs systemd as PID 1). On the nspawn host the script is skipped:
# there the integration suite runs on this machine itself (`meson test --suite integration`),
# and an nspawn container on the same kernel and layout would add nothing.
# How: the scripts and tests/assert.sh are copied into the VM's root (the overlay that the VM
# boots from, live both ways), then each one runs in the VM through host_run with the installed
# ctr-launch, as root in the agent's cgroup (system.slice/ctr-test-agent.service), its scratch
# directory on the VM's /tmp (a tmpfs). Its TAP is re-emitted case by case as
# "SCRIPT: CASE"; its stderr (the reasons of failures) is passed on. After each script, a
# failed line if it left a cgroup under /ctr-launch or a state directory.
# Usage: integration.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).
# Which cases: all of cgroups.sh; of the others, those that the layout, the kernel or AppArmor
# decide (exec's joins of v2 cgroups and the freezer, the stub on 6.1; compat's eBPF device
# filter, bind sources and propagation; seccomp's notify and filters on 6.1; podman with its
# systemd cgroup manager and its AppArmor profile). The rest runs here, on this machine's
# kernel, and would only cost the VM's time (about twenty times this machine's per command).
# Environment: CTR_VM_INTEGRATION (words SCRIPT or SCRIPT:REGEX, the regex choosing the script's
# cases; default below), CTR_TEST_ONLY (case names, for the scripts given without a regex),
# CTR_INTEGRATION_TIMEOUT (seconds per script, default 1800).

source "$(dirname "$0")/lib.sh"
sys_init "$@"

if [ "$CTR_TEST_HOST" != vm ]; then
        skip "the integration suite runs on this machine directly ($(
                [ -e /sys/fs/cgroup/cgroup.controllers ] && echo unified || echo hybrid) cgroups," \
                "meson test --suite integration); this script runs it in the VM test host (unified)"
fi

host_boot "$BUILD_DIR"

INTEGRATION_SRC=$(cd "$(dirname "$0")/../integration" && pwd)
INTEGRATION_DIR=/var/lib/ctr-test-integration # in the test host
VM_CASES=(
        cgroups
        'exec:^(exec-joins-everything|exec-paused|exec-cgroup-sub|exec-user-namespace|exec-seccomp|exec-cve-2019-5736)$'
        'compat:^(device-outside-dev|device-access-rwa|bind-source-root-only|joined-mount-namespace|rootfs-propagation.*)$'
        'seccomp:^(default-deny|arg-filters|docker-default|notify|notify-exec|notify-bad)$'
        'clients/podman:^(run|apparmor-default|exec|pause-unpause|update|stop)$'
)
read -ra SCRIPTS <<<"${CTR_VM_INTEGRATION:-${VM_CASES[*]}}"

# The integration harness and scripts, as they are in the source tree, in the test host.
install_scripts() {
        rm -rf "${HOST_ROOT:?}$INTEGRATION_DIR"
        mkdir -p "$HOST_ROOT$INTEGRATION_DIR"
        cp -a "$INTEGRATION_SRC" "$HOST_ROOT$INTEGRATION_DIR/integration"
        cp -a "$INTEGRATION_SRC/../clients" "$HOST_ROOT$INTEGRATION_DIR/clients"
        cp -a "$INTEGRATION_SRC/../assert.sh" "$HOST_ROOT$INTEGRATION_DIR/assert.sh"
        # The scripts' helper programs, which meson's test environment names.
        local h
        for h in seccomp-agent libswap-after-mknod.so; do
                [ ! -e "$BUILD_DIR/tests/helpers/$h" ] || cp "$BUILD_DIR/tests/helpers/$h" "$HOST_ROOT$INTEGRATION_DIR/$h"
        done
}

# What a script left in the test host: default cgroups, container state of the default root.
integration_leftovers() {
        host_run sh -c 'd=/sys/fs/cgroup/ctr-launch; [ ! -d $d ] || find $d -mindepth 1 -type d' |
                sed 's/^/cgroup left: /' || true
        host_run sh -c "ls -A $HOST_STATE 2>/dev/null" | sed 's/^/container state left: /' || true
}

# run_script NAME: NAME.sh (of tests/integration, or DIR/NAME.sh of tests/DIR) in the test host;
# its TAP re-emitted.
run_script() {
        local name=${1%%:*} only=${CTR_TEST_ONLY:-} rc=0 t0=$SECONDS out left path
        [[ $1 != *:* ]] || only=${1#*:}
        out=$HOST_DIR/${name//\//-}.tap path=integration/$name.sh
        [[ $name != */* ]] || path=$name.sh
        [ -f "$INTEGRATION_SRC/../$path" ] || hard_error "no test script tests/$path (CTR_VM_INTEGRATION)"
        # Bounds, not speeds: under TCG everything is several times slower than here.
        VM_RUN_TIMEOUT=${CTR_INTEGRATION_TIMEOUT:-1800} host_run env \
                ${only:+CTR_TEST_ONLY="$only"} \
                ${CTR_TEST_VERBOSE:+CTR_TEST_VERBOSE=1} \
                CTR_WAIT="${CTR_WAIT:-30}" CTR_TIMEOUT="${CTR_TIMEOUT:-90}" TMPDIR=/tmp \
                CTR_PODMAN_CGROUP_MANAGER=systemd PODMAN_TIMEOUT=300 \
                CTR_SECCOMP_AGENT="$INTEGRATION_DIR/seccomp-agent" \
                CTR_SWAP_AFTER_MKNOD="$INTEGRATION_DIR/libswap-after-mknod.so" \
                bash "$INTEGRATION_DIR/$path" "$HOST_CTR" >"$out" || rc=$?
        diag "$name: exit status $rc after $((SECONDS - t0)) s in the VM"
        tap_reemit "$name" "$rc" <"$out"
        left=$(integration_leftovers)
        if [ -z "$left" ]; then
                tap ok "$name: nothing left in the test host"
        else
                tap not-ok "$name: nothing left in the test host"
                echo "$name left in the test host: $left" >&2
        fi
}

install_scripts
for s in "${SCRIPTS[@]}"; do
        run_script "$s"
done
tap_finish
