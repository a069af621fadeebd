#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Times ctr-launch against crun and runc (each only if installed) on one busybox bundle:
# `run` of /bin/true, and create + start + delete; medians, ratios to crun, peak RSS. Writes
# docs/performance.md. As root:
#
#   bash bench/run.sh [RUNS]          (default 20; at least 10)
#
# crun 1.8.1 refuses a hybrid cgroup layout (v1 controllers plus a cgroup2 at
# /sys/fs/cgroup/unified). So every runtime, ctr-launch included for fairness, runs in a
# private mount namespace where /sys/fs/cgroup/unified is unmounted and a small tmpfs sits in
# its place. Nothing changes outside that namespace. The sections that bench/systemd.sh and
# bench/scale.sh made (docs/performance-systemd*.md, docs/performance-scale.md) are copied back in
# at the end of the page.
#
# Environment: BUILD_DIR (default build), BENCH_INSTALL=0 to skip apt-get for the peers.
set -euo pipefail

cd "$(dirname "$0")/.."
. tools/lib.sh

# In the new mount namespace: fix the cgroup layout, then exec the rest of the arguments.
# The `layout` line goes to $BENCH_LAYOUT_FILE, for the report.
if [ "${1:-}" = --ns ]; then
        shift
        mount --make-rprivate /
        if mountpoint -q /sys/fs/cgroup/unified; then
                umount /sys/fs/cgroup/unified
                mount -t tmpfs -o size=64m,mode=0755,nosuid,nodev,noexec tmpfs /sys/fs/cgroup/unified
                layout="hybrid cgroups on the host: every runtime ran inside \`unshare -m\` with \`/sys/fs/cgroup/unified\` unmounted and a small tmpfs in its place (crun 1.8.1 refuses the hybrid layout), so all saw cgroup v1 only"
        else
                layout="cgroup layout left as it is (no cgroup2 at /sys/fs/cgroup/unified); runtimes ran inside \`unshare -m\`"
        fi
        [ -z "${BENCH_LAYOUT_FILE:-}" ] || echo "$layout" >"$BENCH_LAYOUT_FILE"
        # State roots on a tmpfs, as /run is on any systemd host: a runtime that fsyncs its
        # state (ctr-launch does) must not pay for a disk that real hosts do not have there.
        if [ -n "${BENCH_TMPFS:-}" ]; then
                mkdir -p "$BENCH_TMPFS"
                mount -t tmpfs -o size=64m,mode=0700 tmpfs "$BENCH_TMPFS"
        fi
        exec "$@"
fi

in_ns() {
        unshare -m --propagation private -- bash bench/run.sh --ns "$@"
}

need_root
RUNS=${1:-20}
if ! [[ $RUNS =~ ^[0-9]+$ ]] || [ "$RUNS" -lt 10 ]; then
        echo "usage: bash bench/run.sh [RUNS]   (RUNS >= 10, default 20)" >&2
        exit 2
fi
BUILD_DIR=${BUILD_DIR:-build}

log_step "Installing what the benchmark needs"
install_packages "${BUILD_PACKAGES[@]}" util-linux time
if [ "${BENCH_INSTALL:-1}" = 1 ]; then
        # The peers are optional: without them the table has fewer rows.
        install_packages crun runc || echo "bench: could not install crun/runc; going on without them"
fi

log_step "Building ctr-launch"
build_ctr_launch "$BUILD_DIR"
CTR=$(realpath "$BUILD_DIR/src/ctr-launch")

WORK=$(mktemp -d /tmp/ctr-launch-bench.XXXXXX)
cleanup() {
        rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

log_step "Making the bundle in $WORK/bundle"
BUNDLE=$WORK/bundle
mkdir -p "$BUNDLE"
make_busybox_rootfs "$BUNDLE/rootfs"
# One config for all three: the peers' own default, so it is nothing of ours that they must
# accept. Only root.path, the args, terminal (no console socket here) and hostname change.
if command -v crun >/dev/null; then
        generator="crun spec"
        (cd "$BUNDLE" && crun spec)
elif command -v runc >/dev/null; then
        generator="runc spec"
        (cd "$BUNDLE" && runc spec)
else
        generator="ctr-launch spec"
        "$CTR" spec --bundle "$BUNDLE"
fi
set_config "$BUNDLE/config.json" bench /bin/true
echo "config.json: from \`$generator\`, then root.path=rootfs, args=[/bin/true], terminal=false"
changes="nothing removed"

# Does ctr-launch take that config as it is? Only if not, take out what it refuses, when that
# changes nothing for the peers, and say so.
probe() {
        in_ns timeout 60 "$CTR" --root "$WORK/probe" run --bundle "$BUNDLE" bench-probe >"$WORK/probe.out" 2>&1
}
if ! probe; then
        cat "$WORK/probe.out"
        if grep -q "ambient" "$WORK/probe.out"; then
                # crun's and runc's default specs list ambient capabilities but no inheritable
                # ones; the kernel raises no ambient capability that is not inheritable, so
                # crun and runc skip them silently (CapAmb is 0 in their containers).
                python3 - "$BUNDLE/config.json" <<'PY'
import json, sys
path = sys.argv[1]
with open(path) as f:
    config = json.load(f)
config["process"]["capabilities"].pop("ambient", None)
with open(path, "w") as f:
    json.dump(config, f, indent=2)
PY
                changes="process.capabilities.ambient removed: ctr-launch refuses ambient capabilities that are not inheritable, which crun and runc skip silently (their containers end with CapAmb 0 either way)"
                echo "bench: $changes"
        fi
        if ! probe; then
                cat "$WORK/probe.out"
                echo "bench: ctr-launch does not run the bundle: giving up" >&2
                exit 1
        fi
fi

runtimes=(--runtime "ctr-launch=$CTR")
for peer in crun runc; do
        if p=$(command -v $peer); then
                runtimes+=(--runtime "$peer=$p")
        else
                echo "bench: $peer is not installed: left out"
        fi
done

log_step "Measuring"
mkdir -p docs
notes=()
if ! compgen -G "src/cgroup*.c" >/dev/null; then
        notes+=(--note "ctr-launch places no cgroups yet (issue 4), while crun and runc make and remove a cgroup in every v1 hierarchy per container: part of their time is work ctr-launch does not do yet")
fi
export BENCH_LAYOUT_FILE=$WORK/layout BENCH_TMPFS=$WORK/states
notes+=(--note "state roots (\`--root\`) of every runtime on a private tmpfs, as /run is on a systemd host")
in_ns python3 bench/measure.py \
        --runs "$RUNS" --bundle "$BUNDLE" --workdir "$WORK/states" --out docs/performance.md --baseline \
        --layout-file "$BENCH_LAYOUT_FILE" --notes-file bench/notes.md \
        --append-file docs/performance-systemd.md --append-file docs/performance-systemd-vm.md \
        --append-file docs/performance-scale.md \
        --note "bundle: busybox-static rootfs; config.json from \`$generator\` with root.path, process.args=[/bin/true], terminal=false and hostname set; $changes" \
        "${notes[@]}" "${runtimes[@]}"
