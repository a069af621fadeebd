#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's first command. On a Debian 12 machine, as root: installs the build
# dependencies, builds ctr-launch, makes a bundle from the host's static busybox and walks a
# container through its life (create, state, start, state, wait, state, delete), printing each
# command before it runs. Uses a private state root, so it never meets other containers.
# Exits non-zero if any step fails or a status is not the expected one.
#
# Environment: BUILD_DIR (default build), DEMO_DIR (default: a new temporary directory,
# removed at the end; a given one is kept).
set -euo pipefail

cd "$(dirname "$0")/.."
. tools/lib.sh
need_root

BUILD_DIR=${BUILD_DIR:-build}
ID=demo

log_step "Installing the build dependencies"
install_packages "${BUILD_PACKAGES[@]}"

log_step "Building"
build_ctr_launch "$BUILD_DIR"
CTR=$(realpath "$BUILD_DIR/src/ctr-launch")

if [ -n "${DEMO_DIR:-}" ]; then
        mkdir -p "$DEMO_DIR"
        DEMO=$(realpath "$DEMO_DIR")
        KEEP=1
else
        DEMO=$(mktemp -d /tmp/ctr-launch-demo.XXXXXX)
        KEEP=0
fi
BUNDLE=$DEMO/bundle
STATE_ROOT=$DEMO/state

cleanup() {
        local rc=$?
        # Leave nothing behind, whatever went wrong.
        if [ -n "${CTR:-}" ]; then
                timeout 30 "$CTR" --root "$STATE_ROOT" delete --force "$ID" >/dev/null 2>&1 || true
        fi
        if [ "$KEEP" = 0 ]; then
                rm -rf --one-file-system "$DEMO"
        fi
        if [ $rc -ne 0 ]; then
                echo >&2
                echo "demo: FAILED (exit status $rc)" >&2
        fi
        exit $rc
}
trap cleanup EXIT

log_step "Making a bundle in $BUNDLE from ${BUSYBOX:-/bin/busybox}"
rm -rf --one-file-system "$BUNDLE" "$STATE_ROOT"
mkdir -p "$BUNDLE"
make_busybox_rootfs "$BUNDLE/rootfs"
echo "rootfs: busybox and $(find "$BUNDLE/rootfs/bin" -type l | wc -l) applet links, /etc/passwd, /etc/group"
run "$CTR" spec --bundle "$BUNDLE"
# The payload sleeps a little, so that `state` can catch it running.
set_config "$BUNDLE/config.json" ctr-launch-demo sh -c 'echo "hello from $(hostname)"; sleep 2'
echo "config.json: root.path=rootfs, terminal=false, hostname=ctr-launch-demo,"
echo "             args=[sh, -c, 'echo \"hello from \$(hostname)\"; sleep 2']"

# Every command gets a minute at most: a demo that hangs would tell nobody anything.
ctr() {
        printf '+ %s\n' "$CTR --root $STATE_ROOT $*"
        timeout_run "$CTR" --root "$STATE_ROOT" "$@"
}

timeout_run() {
        local rc=0
        timeout 60 "$@" || rc=$?
        if [ $rc -eq 124 ]; then
                echo "demo: timed out after 60 s: $*" >&2
        fi
        return $rc
}

# Runs `state` (shown), prints its output, and checks that the status is one of $@.
expect_status() {
        local out status
        printf '+ %s\n' "$CTR --root $STATE_ROOT state $ID"
        out=$(timeout_run "$CTR" --root "$STATE_ROOT" state "$ID")
        printf '%s\n' "$out"
        status=$(printf '%s' "$out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["status"])')
        for want in "$@"; do
                [ "$status" = "$want" ] && return 0
        done
        echo "demo: expected status $*, got \"$status\"" >&2
        return 1
}

log_step "create: the init is built and waits on exec.fifo; the payload does not run yet"
ctr create --bundle "$BUNDLE" "$ID"
run ls -l "$STATE_ROOT/$ID"

log_step "state: created"
expect_status created

log_step "start: the init execs the payload"
ctr start "$ID"

log_step "state: running (the payload sleeps for 2 s)"
# `running`, unless this machine was slow enough for the payload to end already.
expect_status running stopped

log_step "waiting for the payload to exit"
for _ in $(seq 1 100); do
        status=$(timeout_run "$CTR" --root "$STATE_ROOT" state "$ID" |
                 python3 -c 'import json, sys; print(json.load(sys.stdin)["status"])')
        [ "$status" = stopped ] && break
        sleep 0.1
done

log_step "state: stopped"
expect_status stopped

log_step "delete: the state directory goes"
ctr delete "$ID"
ctr list

if [ -e "$STATE_ROOT/$ID" ]; then
        echo "demo: $STATE_ROOT/$ID is still there after delete" >&2
        exit 1
fi

log_step "demo: OK"
