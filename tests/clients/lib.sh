# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Common helpers of the client tests (tests/clients/*.sh): a real client (podman + conmon,
# containerd's ctr + runc shim) drives ctr-launch as its runtime. Built on the integration
# harness (../integration/lib.sh: root check, subreaper, busybox rootfs, cases, TAP), with what
# differs for a client that owns the ids, the state root and the cgroup paths:
#   clients_init PROGRAM... "$@"   lib_init, then `1..0 # SKIP` when a PROGRAM is missing
#   client_snapshot / client_left  (defined by each script) what the client's own view adds to
#                                  the snapshot taken before a case / what the client still
#                                  lists after it (one line each)
# Nothing left behind, after each case: nothing new under the runtime's state root
# ($RUNTIME_ROOT), no new cgroup directory matching $CGROUP_GLOBS, no new mount, no process whose
# command line names the case's marker (container names and ids carry it) or whose environment
# carries it (the containers get it with --env).

# shellcheck source=../integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"
CLIENTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# clients_init "PROGRAM[:PACKAGE]..." "$@": the integration harness's setup, then the skip
# when a program of the client is not installed.
clients_init() {
        local programs=$1 p
        shift
        lib_init "$@"
        for p in $programs; do
                command -v "${p%%:*}" >/dev/null ||
                        skip "${p%%:*} is not installed (apt-get install ${p#*:})"
        done
        RUNTIME_ROOT=${RUNTIME_ROOT:-/run/ctr-launch}
        CGROUP_GLOBS=${CGROUP_GLOBS:-}
}

# The snapshot before each case (integration lib.sh calls it mount_snapshot): the mount table,
# the state root's entries, the cgroup directories, and the script's own client_snapshot.
mount_snapshot() {
        local g d
        awk '{ for (i = 7; $i != "-"; i++) ; print "mount", $5, $4, $(i+1), $(i+2) }' /proc/self/mountinfo
        if [ -d "$RUNTIME_ROOT" ]; then
                find "$RUNTIME_ROOT" -mindepth 1 -maxdepth 2 -printf 'state dir %p\n'
        fi
        for g in $CGROUP_GLOBS; do
                # Word splitting expands the glob; a glob that matches nothing stays itself.
                for d in $g; do
                        if [ -d "$d" ]; then echo "cgroup $d"; fi
                done
        done
        client_snapshot
}

# Everything the case may have left behind, one line each; empty if nothing.
leftovers() {
        local before=$1 now
        now=$(mount_snapshot | sort)
        # New lines only, except mounts: a mount that went away is news too.
        comm -13 <(sort <<<"$before") <(echo "$now") | sed 's/^/left: /'
        comm -23 <(sort <<<"$before") <(echo "$now") | grep '^mount ' | sed 's/^/gone: /' || true
        marked_procs "$MARK" "$C" >"$C/.procs"
        sed 's/^/process left: /' "$C/.procs"
        pgrep -af -- "$MARK" | sed 's/^/process left: /' || true
        client_left
}

case_nothing_left() {
        assert_none_left "" leftovers "$(sort <<<"$CASE_MOUNTS")"
}

# Whatever a case left: the script's client_cleanup first (through the client), then
# processes and mounts.
case_cleanup() {
        local p mp
        client_cleanup >/dev/null 2>&1 || true
        marked_procs "$MARK" "$C" >"$C/.procs"
        for p in $(awk '{print $1}' "$C/.procs") $(pgrep -f -- "$MARK"); do
                kill -9 "$p" 2>/dev/null || true
        done
        for mp in $(awk -v d="$C" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
                umount -l "$mp" 2>/dev/null || true
        done
}

clients_finish() {
        lib_finish
}

# The EXIT trap: the script's client_exit (stop daemons, remove what the client still holds),
# then the integration harness's own (processes, mounts, the scratch directory).
clients_exit() {
        local rc=$?
        set +e
        client_exit
        (exit "$rc")
        lib_exit
}

# expect_line WHAT TEXT REGEX: TEXT has a line matching the extended REGEX.
expect_line() {
        local what=$1 text=$2 re=$3
        grep -Eq -- "$re" <<<"$text" || fail "$what: expected a line matching /$re/, got:
$text"
}

# until_out DESC REGEX CMD...: polls CMD until its output has a line matching REGEX.
until_out() {
        local desc=$1 re=$2
        shift 2
        wait_for "$desc" out_matches "$re" "$@"
}
out_matches() {
        local re=$1
        shift
        "$@" 2>/dev/null | grep -Eq -- "$re"
}
