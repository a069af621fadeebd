#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 17, target 4: cost that grows only linearly, as behaviour (the times are bench/scale.sh's).
#   fifty-units  50 ctr@ units started by one `systemctl start` and stopped by one `systemctl
#                stop`: each active with the container's process as its main PID, each inactive
#                with Result=success, and then no state, no cgroup, no process of any of them;
#   list-500     500 created containers: `list`, `list -q` and `list --format json` show exactly
#                those, and deleting them all leaves nothing.
# Runs on either test host (lib.sh): only host_* helpers; the bundles are written from here.
# Usage: scale.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
sys_init "$@"
export LC_ALL=C # sort and join agree on the order
host_boot "$BUILD_DIR"

N_UNITS=${CTR_SCALE_UNITS:-50}
N_LIST=${CTR_SCALE_LIST:-500}
# Commands run in the test host this many at a time (creates, deletes): the 2 CPUs busy, no more.
PAR=4
# A bound for the one `systemctl start` / `stop` of all the units (liveness, not a timing
# assertion): generous on nspawn, several times that under the VM's TCG, and within the VM
# channel's own deadline for a command (300 s, host-vm.sh).
UNITS_TIMEOUT=$((120 * HOST_SLOWDOWN))
[ "$UNITS_TIMEOUT" -le 280 ] || UNITS_TIMEOUT=280

# Says it runs, then waits; TERM interrupts the `wait` and the trap ends it with 0 (a PID 1
# without a handler would ignore TERM).
PAYLOAD='trap "exit 0" TERM; touch /shared/running; while :; do sleep 1 & wait; done'

# ids N PREFIX: PREFIX-01 .. PREFIX-N, zero-padded so that the sorted order is the numeric one.
ids() {
        local w=${#1}
        seq -f "$2-%0${w}g" 1 "$1"
}

# in_host_parallel SCRIPT ARGS...: runs `sh -c SCRIPT sh ARG` for each ARG in the test host,
# PAR at a time, in batches of 50 per host_run (each well inside the VM channel's deadline).
# SCRIPT gets $CTR (the installed ctr-launch) and the ARG as $1; it must keep no stdout or
# stderr of ours open (a created container's init inherits create's: redirect to a file).
in_host_parallel() {
        local script=$1 i
        shift
        local args=("$@")
        for ((i = 0; i < ${#args[@]}; i += 50)); do
                host_run env CTR="$HOST_CTR" PAR="$PAR" sh -c 'script=$1; shift
                        printf "%s\n" "$@" | xargs -P "$PAR" -n 1 sh -c "$script" sh' sh "$script" "${args[@]:i:50}"
        done
}

# show_units PROPS IDS...: "ID P1 P2 ..." per unit ctr@ID, from one `systemctl show` for all.
show_units() {
        local props=$1 units=() id
        shift
        for id in "$@"; do units+=("ctr@$id.service"); done
        host_run systemctl show -p "Id,$props" "${units[@]}" | "$PY" -c '
import sys
props = sys.argv[1].split(",")
for block in sys.stdin.read().strip().split("\n\n"):
    kv = dict(l.split("=", 1) for l in block.splitlines() if "=" in l)
    print(kv["Id"][len("ctr@"):-len(".service")], *(kv.get(p, "?") or "-" for p in props))
' "$props"
}

# states IDS...: "ID STATUS PID" per container, from `ctr-launch state` of each, in one host_run
# ("ID missing 0" for one that state does not know).
states() {
        host_run sh -c 'for id; do "$0" state "$id" 2>/dev/null || echo "{\"id\": \"$id\", \"status\": \"missing\", \"pid\": 0}"; done' \
                "$HOST_CTR" "$@" | "$PY" -c '
import json, sys
text, dec, i = sys.stdin.read(), json.JSONDecoder(), 0
while True:
    while i < len(text) and text[i].isspace():
        i += 1
    if i == len(text):
        break
    s, i = dec.raw_decode(text, i)
    print(s["id"], s["status"], s["pid"])
'
}

# Processes in the test host whose cgroup (any hierarchy) names one of PATTERN's, one line each.
procs_in_cgroups() {
        host_run sh -c 'grep -lE "$0" /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3 |
                while read -r p; do echo "$p $(tr "\0" " " </proc/$p/cmdline 2>/dev/null)"; done; true' "$1"
}

# What is left of the containers IDS (their state dirs, their units' cgroups in any hierarchy,
# their processes), one line each; PIDS: their main processes, which must be gone too.
scale_leftovers() {
        local pattern=$1
        shift
        host_run sh -c 'ls -A "$0" 2>/dev/null' "$HOST_STATE" | sed 's/^/state dir left: /' || true
        host_run sh -c 'find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d 2>/dev/null | grep -E "$0"; true' \
                "$pattern" | sed 's/^/cgroup left: /'
        procs_in_cgroups "$pattern" | sed 's/^/process left: /'
        host_run sh -c 'for p; do [ ! -e /proc/$p ] || echo "process left: $p $(tr "\0" " " </proc/$p/cmdline 2>/dev/null)"; done' \
                sh "$@"
}

# assert_lines WHAT WANT GOT: the same lines; if not, the first lines of the difference.
assert_lines() {
        [ "$2" = "$3" ] || fail "$1: $(printf '%s\n' "$2" | wc -l) lines expected, $(printf '%s\n' "$3" | wc -l) seen; the difference:
$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -n 10)"
}

# ---------------------------------------------------------------- cases

# One `systemctl start` of the 50 units, not 50 background calls: systemctl queues the 50 start
# jobs, which systemd runs at once (no ordering between them), and waits for all; one command
# with one exit status, as an admin starts several services, and no 50 clients (each with its
# own bus connection) competing with the starts for the CPUs. Stopped the same way.
t_fifty_units() {
        local all=() id units=() bad rc=0 out
        mapfile -t all < <(ids "$N_UNITS" scale)
        host_make_bundle "${all[0]}" /bin/sh -c "$PAYLOAD"
        for id in "${all[@]:1}"; do host_copy_bundle "${all[0]}" "$id"; done
        for id in "${all[@]}"; do
                units+=("ctr@$id.service")
                host_watch_unit "ctr@$id.service"
        done

        out=$(host_run timeout "$UNITS_TIMEOUT" systemctl start "${units[@]}" 2>&1) || rc=$?
        assert_eq "one systemctl start of the ${#units[@]} units ($out)" 0 "$rc"

        # Every one active, its main process the container's (ctr-launch state), running the
        # payload, in the unit's container leaf.
        local shown st
        shown=$(show_units ActiveState,SubState,MainPID,ControlGroup "${all[@]}")
        st=$(states "${all[@]}")
        bad=$(join <(echo "$shown" | sort) <(echo "$st" | sort) | awk '
                $2 != "active" || $3 != "running" || $4 == 0 || $6 != "running" || $4 != $7 { print }')
        [ -z "$bad" ] || fail "units not active with the container's process as MainPID (ID ActiveState SubState MainPID ControlGroup status pid):
$bad"
        assert_eq "units listed by systemctl show and ctr-launch state" "$N_UNITS" \
                "$(join <(echo "$shown" | sort) <(echo "$st" | sort) | wc -l)"
        local mains=() leaves
        mapfile -t mains < <(echo "$shown" | awk '{ print $4 }')
        # /proc/PID/cgroup's unified line ("0::PATH") against the unit's ControlGroup.
        leaves=$(host_run sh -c 'for p; do printf "%s " "$p"; grep "^0::" /proc/$p/cgroup | cut -d: -f3; done' sh "${mains[@]}")
        bad=$(join <(echo "$shown" | awk '{ print $4, $5 "/container" }' | sort) <(echo "$leaves" | sort) |
                awk '$2 != $3 { print }')
        [ -z "$bad" ] || fail "main processes not in their unit's container leaf (PID expected seen):
$bad"
        for id in "${all[@]}"; do
                [ -e "$HOST_ROOT$HOST_BUNDLES/$id/shared/running" ] || fail "the payload of ctr@$id never ran"
        done
        host_run sh -c 'for p; do tr "\0" " " </proc/$p/cmdline; echo; done' sh "${mains[@]}" >"$HOST_DIR/cmdlines"
        [ "$(grep -c 'while' "$HOST_DIR/cmdlines")" = "$N_UNITS" ] ||
                fail "main processes that are not the payload: $(grep -v while "$HOST_DIR/cmdlines" | head -3)"

        rc=0
        out=$(host_run timeout "$UNITS_TIMEOUT" systemctl stop "${units[@]}" 2>&1) || rc=$?
        assert_eq "one systemctl stop of the ${#units[@]} units ($out)" 0 "$rc"
        shown=$(show_units ActiveState,Result "${all[@]}")
        bad=$(echo "$shown" | awk '$2 != "inactive" || $3 != "success" { print }')
        [ -z "$bad" ] || fail "units not inactive with Result=success (ID ActiveState Result):
$bad"
        assert_eq "units after the stop" "$N_UNITS" "$(echo "$shown" | wc -l)"

        # Nothing left: ExecStopPost='s delete has run before the stop job ended, and systemd
        # removed the units' cgroups (hence no wait here).
        local left
        left=$(scale_leftovers 'ctr@scale-[0-9]+\.service|/ctr-launch/scale-' "${mains[@]}")
        [ -z "$left" ] || fail "left after stopping the $N_UNITS units:
$left"
        note "journal lines at warning level or above of the $N_UNITS units: $(host_run journalctl --no-pager -q -o cat -p warning "${units[@]/#/--unit=}" | wc -l)"
}

t_list_500() {
        local all=() rc=0 out
        mapfile -t all < <(ids "$N_LIST" many)
        host_make_bundle many /bin/sh -c "$PAYLOAD"
        # Into a file in the test host: each init keeps create's stdout and stderr.
        in_host_parallel '"$CTR" create --bundle '"$HOST_BUNDLE"' "$1" >>/run/ctr-scale-create.log 2>&1 || echo "create $1: $?"' \
                "${all[@]}" >"$HOST_DIR/create.out" || rc=$?
        if [ "$rc" != 0 ] || [ -s "$HOST_DIR/create.out" ]; then
                fail "create of $N_LIST containers: $(head -5 "$HOST_DIR/create.out"): $(host_run head -5 /run/ctr-scale-create.log)"
        fi
        host_run rm -f /run/ctr-scale-create.log

        # `list`: a header, then one line per container: the id, its init's PID, "created".
        host_ctr list >"$HOST_DIR/list.out"
        assert_lines "ids in \`ctr-launch list\`" "$(printf '%s\n' "${all[@]}")" "$(sed 1d "$HOST_DIR/list.out" | awk '{ print $1 }')"
        out=$(sed 1d "$HOST_DIR/list.out" | awk '$3 != "created" || $2 <= 0')
        [ -z "$out" ] || fail "list: containers not created with a PID: $(echo "$out" | head -5)"
        assert_eq "the header of \`ctr-launch list\`" ID "$(head -1 "$HOST_DIR/list.out" | awk '{ print $1 }')"

        host_ctr list -q >"$HOST_DIR/list-q.out"
        assert_lines "\`ctr-launch list -q\`" "$(printf '%s\n' "${all[@]}")" "$(cat "$HOST_DIR/list-q.out")"

        host_ctr list --format json >"$HOST_DIR/list.json"
        "$PY" - "$HOST_DIR/list.json" "$HOST_DIR/list.pids" "${all[@]}" <<'EOF' || fail "list --format json: see above"
import json, sys
with open(sys.argv[1]) as f:
    entries = json.load(f)
want = sys.argv[3:]
if not isinstance(entries, list) or len(entries) != len(want):
    sys.exit(f"{len(entries)} entries, expected {len(want)}")
ids = [e["id"] for e in entries]
if sorted(ids) != sorted(want) or len(set(ids)) != len(ids):
    sys.exit(f"ids differ: missing {sorted(set(want) - set(ids))[:5]}, unexpected {sorted(set(ids) - set(want))[:5]}")
odd = [e for e in entries if e["status"] != "created" or not e["pid"] > 0 or not e["bundle"] or e["owner"] != "root"]
if odd:
    sys.exit(f"entries not created with a PID, a bundle and root as the owner: {odd[:3]}")
with open(sys.argv[2], "w") as f:
    f.write("\n".join(str(e["pid"]) for e in entries) + "\n")
EOF
        local pids=()
        mapfile -t pids <"$HOST_DIR/list.pids"

        rc=0
        in_host_parallel '"$CTR" delete --force "$1" >/dev/null 2>&1 || echo "delete $1: $?"' "${all[@]}" \
                >"$HOST_DIR/delete.out" || rc=$?
        if [ "$rc" != 0 ] || [ -s "$HOST_DIR/delete.out" ]; then
                fail "delete of $N_LIST containers: $(head -5 "$HOST_DIR/delete.out")"
        fi
        assert_eq "\`ctr-launch list -q\` after deleting them all" "" "$(host_ctr list -q)"
        local left
        left=$(scale_leftovers '/ctr-launch/many-' "${pids[@]}")
        [ -z "$left" ] || fail "left after deleting the $N_LIST containers:
$(echo "$left" | head -20)"
}

case_run fifty-units t_fifty_units
case_run list-500 t_list_500
sys_finish
