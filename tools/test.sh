#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's second command, and what .ci/run calls. On a Debian 12 machine, as root:
# installs the build and test dependencies, builds, runs the whole suite (unit and
# integration) with `meson test`, and exits with its status. Arguments are passed on to
# `meson test` (e.g. `--suite unit`, or a test's name).
#
# Environment: BUILD_DIR (default build).
set -euo pipefail

cd "$(dirname "$0")/.."
. tools/lib.sh
need_root

BUILD_DIR=${BUILD_DIR:-build}

log_step "Installing the build and test dependencies"
install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"

log_step "Building"
build_ctr_launch "$BUILD_DIR"

log_step "Testing"
testlog=$BUILD_DIR/meson-logs/testlog.json
rm -f "$testlog"
rc=0
run meson test -C "$BUILD_DIR" --print-errorlogs "$@" || rc=$?

# One plain closing line, counted from meson's own log, for readers that do not know meson's
# summary format.
if [ -f "$testlog" ]; then
        python3 - "$testlog" <<'PY' || true
import json, sys
passed = failed = skipped = 0
with open(sys.argv[1]) as f:
    for line in f:
        if not line.strip():
            continue
        result = json.loads(line).get("result")
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
fi
exit $rc
