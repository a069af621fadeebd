#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Times `systemctl start` / `systemctl stop` of ctr@demo (a busybox bundle) against plain units
# an admin might write instead (Type=exec, RootDirectory= the same rootfs, the same payload),
# taking turns in one run, in a real systemd 252 booted in systemd-nspawn (the system-test host,
# tests/system/lib.sh, reused as it is); also the memory of the relay that "container"
# readiness leaves in the unit. Writes docs/performance-systemd.md and puts that section in
# place in docs/performance.md (bench/run.sh keeps it when it rewrites the page). As root:
#
#   bash bench/systemd.sh [RUNS]          (default 20; at least 5)
#
# Environment: BUILD_DIR (default build); CTR_TEST_HOST=vm measures in the VM test host instead
# (Debian 12's kernel, unified cgroups; its own section). The test host is torn down on exit, whatever
# happened: nothing stays mounted, no systemd-nspawn stays running.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)

# First pass: install, build. sys_init then runs this script again in a mount namespace of
# its own (with the build directory as its arguments), which is the second pass.
if [ -z "${CTR_SYS_UNSHARED:-}" ]; then
        . "$SRC/tools/lib.sh"
        need_root
        RUNS=${1:-20}
        if ! [[ $RUNS =~ ^[0-9]+$ ]] || [ "$RUNS" -lt 5 ]; then
                echo "usage: bash bench/systemd.sh [RUNS]   (RUNS >= 5, default 20)" >&2
                exit 2
        fi
        BUILD_DIR=${BUILD_DIR:-build}
        case $BUILD_DIR in /*) ;; *) BUILD_DIR=$SRC/$BUILD_DIR ;; esac

        log_step "Installing what the benchmark needs"
        install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
        log_step "Building ctr-launch"
        (cd "$SRC" && build_ctr_launch "$BUILD_DIR")
        export BENCH_RUNS=$RUNS
        # The whole measurement is one command in the test host: under TCG it takes minutes.
        export CTR_VM_RUN_TIMEOUT=${CTR_VM_RUN_TIMEOUT:-3600}
        log_step "Booting the test host"
fi

. "$SRC/tests/system/lib.sh"
if [ -z "${CTR_SYS_UNSHARED:-}" ]; then
        sys_init "$BUILD_DIR" "$BUILD_DIR/src/ctr-launch" # does not return
fi
sys_init "$@"
RUNS=${BENCH_RUNS:?}
NOTIFY_HELPER=$BUILD_DIR/tests/helpers/sd-notify-static
[ -x "$NOTIFY_HELPER" ] || hard_error "$NOTIFY_HELPER missing: build the tree first"
host_boot "$BUILD_DIR"
RESULTS=$HOST_DIR/results.json # gone with the test host, once the report is written

# The payloads. The first is the issue's; a shell waits for its foreground `sleep` before it
# runs a trap, so the second, whose `wait` a trapped signal interrupts, shows the stop time
# without the payload's own delay.
PAYLOAD='trap "exit 0" TERM; while :; do sleep 1; done'
PAYLOAD_WAIT='trap "exit 0" TERM; while :; do sleep 1 & wait; done'
PAYLOAD_NOTIFY='trap "exit 0" TERM; sd-notify-static READY=1; while :; do sleep 1 & wait; done'
BENCH_DIR=/opt/ctr-launch-bench # in the test host

# bench_bundle ID PAYLOAD: a busybox bundle at /var/lib/ctr-launch/ID from `ctr-launch spec`,
# with PAYLOAD as `sh -c`; without the harness's /shared mount, which the plain units do not
# have either.
bench_bundle() {
        host_make_bundle "$1" /bin/sh -c "$2"
        "$PY" - "$BUNDLE_DIR/config.json" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    cfg = json.load(f)
cfg["mounts"] = [m for m in cfg["mounts"] if m["destination"] != "/shared"]
with open(sys.argv[1], "w") as f:
    json.dump(cfg, f, indent=2)
EOF
        rmdir "$BUNDLE_DIR/shared"
        host_watch_unit "ctr@$1.service"
}

# plain_unit NAME ID PAYLOAD SANDBOX: NAME.service running PAYLOAD in the rootfs of bundle ID;
# SANDBOX=1 adds systemd's own counterparts of the bundle's isolation.
plain_unit() {
        local name=$1 id=$2 payload=$3 sandbox=$4
        {
                printf '[Unit]\nDescription=%s as a plain unit (bench/systemd.sh)\n' "$id"
                printf 'StartLimitIntervalSec=0\n\n[Service]\nType=exec\n'
                printf 'RootDirectory=%s/%s/rootfs\n' "$HOST_BUNDLES" "$id"
                if [ "$sandbox" = 1 ]; then
                        cat <<'EOF'
MountAPIVFS=yes
ProtectSystem=strict
PrivateDevices=yes
PrivateNetwork=yes
PrivateIPC=yes
ProtectHostname=yes
ProtectKernelTunables=yes
ProtectControlGroups=yes
NoNewPrivileges=yes
CapabilityBoundingSet=CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE
LimitNOFILE=1024
EOF
                fi
                printf "ExecStart=/bin/sh -c '%s'\n" "$payload"
        } >"$HOST_ROOT/etc/systemd/system/$name.service"
        host_watch_unit "$name.service"
}

t_bench() {
        bench_bundle demo "$PAYLOAD"
        bench_bundle demo-wait "$PAYLOAD_WAIT"
        bench_bundle demo-notify "$PAYLOAD_NOTIFY"
        cp "$NOTIFY_HELPER" "$BUNDLE_DIR/rootfs/bin/sd-notify-static"
        host_bundle_set demo-notify annotations '{"org.ctr-launch.readiness": "container"}'
        plain_unit demo-plain demo "$PAYLOAD" 1
        plain_unit demo-bare demo "$PAYLOAD" 0
        plain_unit demo-plain-wait demo-wait "$PAYLOAD_WAIT" 1
        host_run systemctl daemon-reload

        mkdir -p "$HOST_ROOT$BENCH_DIR"
        cp "$SRC/bench/systemd-measure.py" "$SRC/bench/journal.py" "$HOST_ROOT$BENCH_DIR/"
        host_run "$PY" "$BENCH_DIR/systemd-measure.py" measure --runs "$RUNS" --ctr "$HOST_CTR" \
                --arm ctr=ctr@demo.service --arm plain=demo-plain.service \
                --arm bare=demo-bare.service --arm ctr_wait=ctr@demo-wait.service \
                --arm plain_wait=demo-plain-wait.service \
                --arm notify=ctr@demo-notify.service=relay:demo-notify \
                --out "$BENCH_DIR/results.json" || fail "the measurement failed"
        cp "$HOST_ROOT$BENCH_DIR/results.json" "$RESULTS"
}

case_run systemd-bench t_bench
[ -s "$RESULTS" ] || sys_finish
# One section per test host: the VM's (CTR_TEST_HOST=vm) beside nspawn's.
suffix=
[ "$CTR_TEST_HOST" = nspawn ] || suffix=-$CTR_TEST_HOST
notes=()
[ ! -f "$SRC/bench/notes-systemd$suffix.md" ] || notes=(--notes-file "$SRC/bench/notes-systemd$suffix.md")
"$PY" "$SRC/bench/systemd-measure.py" report --json "$RESULTS" --host "$CTR_TEST_HOST" \
        --fragment "$SRC/docs/performance-systemd$suffix.md" --doc "$SRC/docs/performance.md" "${notes[@]}" ||
        CASES_FAILED+=(report)
sys_finish
