#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 16's changes as an attacker would use them (security review): each case is a hole that
# was found and closed, and must stay closed.
# Usage: review.sh PATH-TO-ctr-launch (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
lib_init "$@"

# ---------------------------------------------------------------- no mount namespace

# Without a mount namespace the container's mounts are made in ours, below the rootfs, and
# delete detaches them again. Only those: a mount that was below the rootfs before create (the
# host's, or a volume the admin mounted into the image) is not the container's to take away,
# not by delete, nor by a create that fails.
t_no_mount_ns_host_mounts_kept() {
        mk_bundle b /bin/sh -c 'cat /pre/mark'
        cfg "$B" delns mount del linux.maskedPaths del linux.readonlyPaths
        mkdir -p "$B/rootfs/pre"
        mount -t tmpfs -o size=1m "pre-$MARK" "$B/rootfs/pre"
        echo "host-$MARK" >"$B/rootfs/pre/mark"
        capture ctr run -b "$B" c1
        local still=yes
        mountpoint -q "$B/rootfs/pre" || still=no
        [ "$still" = no ] || umount "$B/rootfs/pre"
        assert_rc 0 "run with no mount namespace"
        assert_eq "what the container saw" "host-$MARK" "$OUT"
        assert_eq "the host's mount below the rootfs after run" yes "$still"

        # A create that fails half-way.
        mk_bundle b2
        cfg "$B" delns mount del linux.maskedPaths del linux.readonlyPaths \
                append mounts "{\"destination\": \"/missing\", \"type\": \"bind\", \"source\": \"$C/missing\", \"options\": [\"bind\"]}"
        mkdir -p "$B/rootfs/pre"
        mount -t tmpfs -o size=1m "pre-$MARK" "$B/rootfs/pre"
        capture ctr run -b "$B" c2
        still=yes
        mountpoint -q "$B/rootfs/pre" || still=no
        [ "$still" = no ] || umount "$B/rootfs/pre"
        assert_fails "run with a missing bind source"
        assert_eq "the host's mount below the rootfs after a failed create" yes "$still"
}

# ---------------------------------------------------------------- linux.devices

# A node of linux.devices outside /dev lands in a directory of the image, which someone else may
# write to while create runs (a volume shared with another container): the node swapped for a
# symlink to a host file right after its mknod must not have that file chmod'ed (or chown'ed)
# to the config's fileMode and owner. The swap is made by an LD_PRELOAD module in ctr-launch's
# own mknodat(), the worst moment a concurrent writer could hit.
t_device_node_swapped() {
        [ -n "${CTR_SWAP_AFTER_MKNOD:-}" ] && [ -e "$CTR_SWAP_AFTER_MKNOD" ] ||
                skip "CTR_SWAP_AFTER_MKNOD (tests/helpers/swap-after-mknod.c) not built"
        echo "host-$MARK" >"$C/victim"
        chmod 0600 "$C/victim"
        mk_bundle b
        cfg "$B" set linux.devices '[{"type": "c", "path": "/opt/nodes/swapme", "major": 1, "minor": 3, "fileMode": 438, "uid": 1234, "gid": 1234}]'
        LD_PRELOAD=$CTR_SWAP_AFTER_MKNOD CTR_TEST_SWAP_NAME=swapme CTR_TEST_SWAP_TARGET=$C/victim capture ctr run -b "$B" b
        assert_eq "the host file's mode and owner" "600 0:0" "$(stat -c '%a %u:%g' "$C/victim")"
        assert_fails "run with its device node swapped for a symlink"
        assert_one_error_line "a swapped device node" 'linux\.devices: /opt/nodes/swapme'
}

# ---------------------------------------------------------------- seccomp without noNewPrivileges

# The init keeps CAP_SYS_ADMIN past the user switch to load the filter last (seccomp-filter.h):
# none of it may reach the process, a startContainer hook, or anyone of the same uid while the
# init waits for start with it.
t_kept_sys_admin_unreachable() {
        [ "$(awk '/^NoNewPrivs:/ {print $2}' /proc/self/status)" = 0 ] ||
                skip "the test runs with NoNewPrivs already set"
        local caps='{"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"], "inheritable": ["CAP_KILL"], "ambient": ["CAP_KILL"]}'
        mk_bundle b /bin/sh -c '{ /showcaps; mkdir /tmp/d 2>/dev/null || echo denied; } >/shared/proc-caps'
        printf '#!/bin/sh\ngrep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status | cut -f2 | sort -u\n' >"$B/rootfs/showcaps"
        chmod 0755 "$B/rootfs/showcaps"
        cfg "$B" set linux.seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}' \
                set process.noNewPrivileges false set process.user '{"uid": 1000, "gid": 1000}' \
                set process.capabilities "$caps" \
                set hooks "{\"startContainer\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"/showcaps >/shared/hook-caps\"]}]}"
        chmod 0777 "$C/shared"
        capture ctr create -b "$B" c1
        assert_rc 0 "create without noNewPrivileges, as uid 1000"
        local pid
        pid=$(pid_of c1)
        # The init holds it now, as uid 1000: not dumpable, so not for uid 1000's ptrace or /proc.
        assert_eq "the init's uid" 1000 "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")"
        local eff
        eff=$(awk '/^CapEff:/ {print $2}' "/proc/$pid/status")
        [ $(( 0x$eff & (1 << 21) )) != 0 ] || diag "the init does not hold CAP_SYS_ADMIN while created (CapEff $eff)"
        local peek
        peek=$(setpriv --reuid 1000 --regid 1000 --clear-groups "$PY" -c '
import ctypes, sys
pid = int(sys.argv[1])
out = []
try:
    open(f"/proc/{pid}/environ", "rb").read(); out.append("environ-read")
except OSError as e:
    out.append("environ-" + ("denied" if e.errno == 13 else str(e.errno)))
libc = ctypes.CDLL(None, use_errno=True)
if libc.ptrace(16, pid, None, None) == 0:  # PTRACE_ATTACH
    out.append("ptrace-attached"); libc.ptrace(17, pid, None, None)
else:
    out.append("ptrace-" + ("denied" if ctypes.get_errno() == 1 else str(ctypes.get_errno())))
print(" ".join(out))' "$pid" 2>&1)
        assert_eq "uid 1000 against the init holding CAP_SYS_ADMIN" "environ-denied ptrace-denied" "$peek"
        capture ctr start c1
        assert_rc 0 "start"
        wait_for "the container's exit" status_is c1 stopped
        capture ctr delete c1
        assert_eq "the startContainer hook's sets" "0000000000000020" "$(cat "$C/shared/hook-caps")"
        assert_eq "the process's sets, and its filter" "0000000000000020 denied" "$(words "$(cat "$C/shared/proc-caps")")"
}

case_run no-mount-ns-host-mounts-kept t_no_mount_ns_host_mounts_kept
case_run device-node-swapped t_device_node_swapped
case_run kept-sys-admin-unreachable t_kept_sys_admin_unreachable

lib_finish
