#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The binary runs as root: it must be PIE, fully RELRO with immediate binding, and built with
# fortified libc calls (TAP). Usage: hardening.sh BINARY FORTIFY(yes|no)
set -u
bin=$1 fortify=$2
n=0 failed=0
check() {
        n=$((n + 1))
        if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=1; fi
}
echo "1..4"
check "PIE" "readelf -hW '$bin' | grep -q 'Type:.*DYN'"
check "RELRO segment" "readelf -lW '$bin' | grep -q GNU_RELRO"
check "immediate binding (-z now)" "readelf -dW '$bin' | grep -q 'BIND_NOW\|Flags:.*NOW'"
if [ "$fortify" = yes ]; then
        check "_FORTIFY_SOURCE (fortified calls linked)" "nm -D '$bin' | grep -q '__[a-z_]*_chk'"
else
        n=$((n + 1)); echo "ok $n # SKIP no _FORTIFY_SOURCE in this build (unoptimized or sanitized)"
fi
exit $failed
