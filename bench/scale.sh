#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Cost against the number of containers (issue 17, target 4): the wall time of `ctr-launch list`
# (and `list -q`, `list --format json`) with 0, 100, 250 and 500 created containers, and with the
# 500 running, on this machine; then, in a real systemd 252 booted in systemd-nspawn (the
# system-test host, tests/system/lib.sh, as bench/systemd.sh uses it), the wall time of one
# `systemctl start` of 1, 10 and 50 ctr@ units and of one `systemctl stop` of them. Writes
# docs/performance-scale.md and puts that section in place in docs/performance.md (bench/run.sh
# copies it back when it rewrites the page). As root:
#
#   bash bench/scale.sh [RUNS]          (default 10; at least 3)
#
# RUNS: measured rounds of the units at each size; `list` is timed 2 x RUNS times at each count.
# The containers of the `list` part live in a private mount namespace with their state root on
# a tmpfs, under the integration tests' lock (/tmp/ctr-launch-itest.lock: their cgroups are
# /ctr-launch/ID here). Environment: BUILD_DIR (default build). The test host is torn down on
# exit, whatever happened.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)

# In the private mount namespace of the `list` part: a tmpfs for the state root, then the rest.
if [ "${1:-}" = --ns ]; then
        shift
        mount --make-rprivate /
        mkdir -p "$BENCH_TMPFS"
        mount -t tmpfs -o size=256m,mode=0700 tmpfs "$BENCH_TMPFS"
        exec "$@"
fi

# First pass: install, build, the `list` part. sys_init then runs this script again in a mount
# namespace of its own (with the build directory as its arguments): the second pass, the units.
if [ -z "${CTR_SYS_UNSHARED:-}" ]; then
        . "$SRC/tools/lib.sh"
        need_root
        RUNS=${1:-10}
        if ! [[ $RUNS =~ ^[0-9]+$ ]] || [ "$RUNS" -lt 3 ]; then
                echo "usage: bash bench/scale.sh [RUNS]   (RUNS >= 3, default 10)" >&2
                exit 2
        fi
        BUILD_DIR=${BUILD_DIR:-build}
        case $BUILD_DIR in /*) ;; *) BUILD_DIR=$SRC/$BUILD_DIR ;; esac

        log_step "Installing what the benchmark needs"
        install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" time
        log_step "Building ctr-launch"
        (cd "$SRC" && build_ctr_launch "$BUILD_DIR")

        WORK=$(mktemp -d /tmp/ctr-launch-bench-scale.XXXXXX)
        trap 'rm -rf --one-file-system "$WORK"' EXIT
        log_step "ctr-launch list with 0 to 500 containers"
        mkdir -p "$WORK/bundle"
        make_busybox_rootfs "$WORK/bundle/rootfs"
        "$BUILD_DIR/src/ctr-launch" spec --bundle "$WORK/bundle"
        set_config "$WORK/bundle/config.json" scale /bin/sleep 100000
        export BENCH_TMPFS=$WORK/states
        flock /tmp/ctr-launch-itest.lock unshare -m --propagation private -- bash "$SRC/bench/scale.sh" --ns \
                python3 "$SRC/bench/scale-measure.py" list --ctr "$BUILD_DIR/src/ctr-launch" \
                --root "$BENCH_TMPFS/ctr" --bundle "$WORK/bundle" --workdir "$WORK" \
                --runs $((2 * RUNS)) --out "$WORK/list.json"
        export BENCH_RUNS=$RUNS BENCH_LIST_JSON=$WORK/list.json
        # The EXIT trap above goes with the exec of sys_init: the second pass removes $WORK.
        export BENCH_WORK=$WORK
        log_step "50 ctr@ units at once, in the test host"
fi

. "$SRC/tests/system/lib.sh"
if [ -z "${CTR_SYS_UNSHARED:-}" ]; then
        sys_init "$BUILD_DIR" "$BUILD_DIR/src/ctr-launch" # does not return
fi
sys_init "$@"
RUNS=${BENCH_RUNS:?}
# The first pass's results, kept here; its directory goes now, whatever happens next.
LIST_RESULTS=$(cat "${BENCH_LIST_JSON:?}")
rm -rf --one-file-system "${BENCH_WORK:?}"
host_boot "$BUILD_DIR"
# Both gone with the test host, once the report is written.
LIST_JSON=$HOST_DIR/list.json
UNITS_JSON=$HOST_DIR/units.json
printf '%s\n' "$LIST_RESULTS" >"$LIST_JSON"
BENCH_DIR=/opt/ctr-launch-bench # in the test host
N_UNITS=50

t_units() {
        local ids=() id
        mapfile -t ids < <(seq -f "scale-%02g" 1 "$N_UNITS")
        host_make_bundle "${ids[0]}" /bin/sh -c 'trap "exit 0" TERM; touch /shared/running; while :; do sleep 1 & wait; done'
        for id in "${ids[@]:1}"; do host_copy_bundle "${ids[0]}" "$id"; done
        for id in "${ids[@]}"; do host_watch_unit "ctr@$id.service"; done
        mkdir -p "$HOST_ROOT$BENCH_DIR"
        cp "$SRC/bench/scale-measure.py" "$SRC/bench/journal.py" "$HOST_ROOT$BENCH_DIR/"
        host_run "$PY" "$BENCH_DIR/scale-measure.py" units --ctr "$HOST_CTR" --sizes "1,10,$N_UNITS" \
                --runs "$RUNS" --out "$BENCH_DIR/units.json" || fail "the measurement failed"
        cp "$HOST_ROOT$BENCH_DIR/units.json" "$UNITS_JSON"
}

case_run scale-units t_units
notes=()
[ ! -f "$SRC/bench/notes-scale.md" ] || notes=(--notes-file "$SRC/bench/notes-scale.md")
"$PY" "$SRC/bench/scale-measure.py" report --list-json "$LIST_JSON" --units-json "$UNITS_JSON" \
        --fragment "$SRC/docs/performance-scale.md" --doc "$SRC/docs/performance.md" "${notes[@]}" ||
        CASES_FAILED+=(report)
sys_finish
