#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Cgroups (issue 4) on the host's real layout (unified, legacy or hybrid): linux.resources
# enforced (memory limit and the OOM killer, pids limit, cpu quota in the cgroup files), the
# cgroup verbs (ps, pause, resume, update, events, kill --all), placement (default
# /ctr-launch/ID, relative and absolute cgroupsPath) and no cgroup left behind after delete or a
# failed create; and issue 16's items 12-14 (memory.kernelTCP and kernel, a pod's populated
# cgroup joined, frozen cgroups refused or killed through, an empty v1 cpuset parent filled).
# Cgroup directories are found from /proc/PID/cgroup and /proc/self/mountinfo, never assumed.
# Usage: cgroups.sh PATH-TO-ctr-launch (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
lib_init "$@"

grep -qw cgroup /proc/self/mountinfo || grep -qw cgroup2 /proc/self/mountinfo ||
        skip "no cgroup hierarchy is mounted"

# The host's layout: "unified" (one cgroup2 on /sys/fs/cgroup: the VM test host, and most hosts
# users have), else "v1" (hybrid or legacy: this project's own machines). Cases that differ
# assert each layout's own files.
if [ -e /sys/fs/cgroup/cgroup.controllers ]; then LAYOUT=unified; else LAYOUT=v1; fi
diag "cgroup layout: $LAYOUT"

# ---------------------------------------------------------------- cgroup helpers

# cg_dirs PID [CTRL]: "NAME DIR" for each hierarchy PID is in, NAME being the v1 controllers
# ("memory", "cpu,cpuacct", "name=systemd") or "v2"; with CTRL, the directory of the hierarchy
# that holds that controller (v1 first, else v2 when the controller is enabled there; "v2": the
# cgroup2 hierarchy) alone. Fails if there is none.
cg_dirs() {
        "$PY" - "$1" "${2:-}" <<'EOF'
import os, sys
pid, want = sys.argv[1], sys.argv[2]
known = {l.split()[0] for l in open("/proc/cgroups") if not l.startswith("#")}
mounts = {}  # "v2" or frozenset of v1 controllers -> (mount root, mount point)
for line in open("/proc/self/mountinfo"):
    f = line.split()
    sep = f.index("-")
    fstype, opts = f[sep + 1], f[sep + 3].split(",")
    if fstype == "cgroup2":
        mounts.setdefault("v2", (f[3], f[4]))
    elif fstype == "cgroup":
        ctrls = frozenset(o for o in opts if o in known or o.startswith("name="))
        mounts.setdefault(ctrls, (f[3], f[4]))
out = []
for line in open(f"/proc/{pid}/cgroup"):
    hid, ctrls, path = line.rstrip("\n").split(":", 2)
    key = "v2" if hid == "0" and ctrls == "" else frozenset(ctrls.split(","))
    if key not in mounts:
        continue
    root, mp = mounts[key]
    if root != "/" and not (path + "/").startswith(root + "/"):
        continue
    d = mp + (path[len(root):] if root != "/" else path)
    name = "v2" if key == "v2" else ctrls
    out.append((name, key, d.rstrip("/") or "/"))
if not want:
    for name, _, d in out:
        print(name, d)
    sys.exit(0)
for name, key, d in out:
    if want == "v2" and key == "v2" or key != "v2" and want in key:
        print(d)
        sys.exit(0)
for name, key, d in out:
    if key == "v2":
        try:
            if want in open(os.path.join(d, "cgroup.controllers")).read().split():
                print(d)
                sys.exit(0)
        except OSError:
            pass
sys.exit(1)
EOF
}

# cg_file PID CTRL V1-FILE V2-FILE: the path of the file of CTRL for PID's cgroup, in whichever
# version holds CTRL.
cg_file() {
        local d
        d=$(cg_dirs "$1" "$2") || fail "no hierarchy holds the $2 controller for pid $1: $(cat "/proc/$1/cgroup" | tr '\n' ' ')"
        if [ -e "$d/$3" ]; then
                echo "$d/$3"
        elif [ -e "$d/$4" ]; then
                echo "$d/$4"
        else
                fail "neither $d/$3 nor $d/$4 exists"
        fi
}

# cg_read PID CTRL V1-FILE V2-FILE: its content.
cg_read() {
        local f
        f=$(cg_file "$@")
        cat "$f"
}

# has_ctrl CTRL: the host has the controller (v1 mount, or available in cgroup2).
has_ctrl() {
        local pid=$$
        cg_dirs "$pid" "$1" >/dev/null 2>&1 && return 0
        grep -qw "$1" /sys/fs/cgroup/cgroup.controllers /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null
}

# default_cgroups ID: the default cgroups of ID that exist, in any hierarchy.
default_cgroups() {
        local d
        for d in /sys/fs/cgroup/ctr-launch/"$1" /sys/fs/cgroup/*/ctr-launch/"$1"; do
                if [ -d "$d" ]; then echo "$d"; fi
        done
}

assert_no_cgroup() {
        local what=$1 id=$2 l
        l=$(default_cgroups "$id")
        [ -z "$l" ] || fail "$what: cgroups of $id left: $(echo "$l" | tr '\n' ' ')"
}

# assert_dirs_gone WHAT DIR...: none of the directories exists.
assert_dirs_gone() {
        local what=$1 d
        shift
        for d in "$@"; do
                [ ! -e "$d" ] || fail "$what: $d still exists"
        done
}

# start_container ID SCRIPT [CFG-OPS...]: bundle $C/ID running `sh -c SCRIPT`, edited with the
# ops, created and started; SCRIPT must touch /shared/ready (waited for). Sets PID.
start_container() {
        local id=$1
        mk_bundle_sh "$@"
        capture ctr create -b "$B" "$id"
        assert_rc 0 "create $id"
        capture ctr start "$id"
        assert_rc 0 "start $id"
        wait_for "$id to be ready" test -e "$C/shared/ready"
        PID=$(pid_of "$id")
}

stop_and_delete() {
        local id=$1
        ctr kill "$id" KILL </dev/null >/dev/null 2>&1 || true
        wait_for "$id to be stopped" status_is "$id" stopped
        capture ctr delete "$id"
        assert_rc 0 "delete $id"
}

# stats ID PATH: one member of `events --stats ID`'s JSON ("data.memory.oom_kills").
stats_of() {
        capture ctr events --stats "$1"
        assert_rc 0 "events --stats $1"
        json_get "$2" <<<"$OUT" || fail "events --stats: no $2 in: $OUT"
}

# ---------------------------------------------------------------- someone else's cgroups

# cg_mounts: where each cgroup hierarchy (v1 and v2) is mounted whole (its root "/" there).
# mount_of v1 CONTROLLER | v2: the one that holds CONTROLLER in v1, or cgroup2's; fails if none.
cg_mounts() {
        awk '$4 == "/" { for (i = 7; $i != "-"; i++) ; if ($(i+1) == "cgroup" || $(i+1) == "cgroup2") print $5 }' \
                /proc/self/mountinfo
}
mount_of() {
        local m
        m=$(awk -v v="$1" -v c="${2:-}" '$4 == "/" { for (i = 7; $i != "-"; i++) ;
                if (v == "v2" && $(i+1) == "cgroup2" || v == "v1" && $(i+1) == "cgroup" && $(i+3) ~ "(^|,)" c "(,|$)") {
                        print $5; exit } }' /proc/self/mountinfo)
        [ -n "$m" ] && echo "$m"
}

# An admin's cgroups and processes, which a container meets (a pod's shared cgroup, a frozen
# one): admin_cgroup PATH makes PATH in every hierarchy (a v1 cpuset one with its parent's cpus
# and mems, as tools do, so that it takes processes), admin_proc PATH starts a process there
# (ADMIN_PID). admin_cleanup, the EXIT trap of the cases that use them, thaws, kills and
# removes them whatever happened (the containers first: they may be in them).
ADMIN_CGROUPS=()
ADMIN_PIDS=()
admin_cgroup() {
        local m
        ADMIN_CGROUPS+=("$1")
        for m in $(cg_mounts); do
                mkdir -p "$m$1"
                if [ -e "$m$1/cpuset.cpus" ] && [ ! -e "$m/cgroup.controllers" ]; then
                        cat "$m/cpuset.cpus" >"$m$1/cpuset.cpus"
                        cat "$m/cpuset.mems" >"$m$1/cpuset.mems"
                fi
        done
}
admin_proc() {
        local m
        sleep 1000 >/dev/null 2>&1 &
        ADMIN_PID=$!
        ADMIN_PIDS+=("$ADMIN_PID")
        for m in $(cg_mounts); do
                echo "$ADMIN_PID" >"$m$1/cgroup.procs"
        done
}
admin_cleanup() {
        local id m p d
        set +e
        trap - ERR
        for id in $(ls -A "$ROOT" 2>/dev/null); do
                timeout -k 2 10 "$CTR" --root "$ROOT" delete --force "$id" >/dev/null 2>&1
        done
        for p in "${ADMIN_CGROUPS[@]}"; do
                for m in $(cg_mounts); do
                        [ -d "$m$p" ] || continue
                        find "$m$p" -type d | while read -r d; do
                                [ ! -e "$d/freezer.state" ] || echo THAWED >"$d/freezer.state"
                                [ ! -e "$d/cgroup.freeze" ] || echo 0 >"$d/cgroup.freeze"
                        done 2>/dev/null
                done
        done
        for p in "${ADMIN_PIDS[@]}"; do
                kill -9 "$p" 2>/dev/null
                wait "$p" 2>/dev/null
        done
        for p in "${ADMIN_CGROUPS[@]}"; do
                for m in $(cg_mounts); do
                        [ ! -d "$m$p" ] || find "$m$p" -depth -type d -exec rmdir {} + 2>/dev/null
                done
        done
        return 0
}

# admin_freeze v1|v2 DIR 1|0: DIR frozen (thawed) through its freezer file, as an admin does,
# and waited for.
admin_freeze() {
        local fdir=$2 want
        if [ "$1" = v1 ]; then
                want=$([ "$3" = 1 ] && echo FROZEN || echo THAWED)
                echo "$want" >"$fdir/freezer.state"
                wait_for "$fdir to say $want" eval '[ "$(cat "$fdir/freezer.state")" = "$want" ]'
        else
                want=$3
                echo "$want" >"$fdir/cgroup.freeze"
                wait_for "$fdir to say frozen $want" eval '[ "$(awk '\''$1 == "frozen" {print $2}'\'' "$fdir/cgroup.events")" = "$want" ]'
        fi
}

# freezer_kinds: v1 and/or v2, the freezers this host has (cgroup2's is core: any cgroup2 mount);
# first_freezer: the first of them, the one pause uses.
freezer_kinds() {
        if mount_of v1 freezer >/dev/null; then echo v1; fi
        if mount_of v2 >/dev/null; then echo v2; fi
        return 0
}
first_freezer() {
        local k
        k=$(freezer_kinds)
        echo "${k%%$'\n'*}"
}

# ---------------------------------------------------------------- resources enforced

# Not every host has every controller: a case that needs a missing one is skipped.

t_memory_oom() {
        has_ctrl memory || skip "no memory controller"
        local limit=$((32 * 1024 * 1024)) res
        res="{\"limit\": $limit}"
        # With swap on the host, the limit alone would swap instead of killing.
        if [ "$(grep -c '' /proc/swaps)" -gt 1 ]; then
                res="{\"limit\": $limit, \"swap\": $limit}"
        fi
        # tail keeps its last lines in memory, and /dev/zero has no newline: it allocates all
        # 128 MiB of anonymous memory, until the OOM killer kills it (the largest process, and
        # the one it prefers: oom_score_adj 1000). A second OOM kill, while tail's memory is not
        # freed yet, may still take the init.
        start_container c1 'touch /shared/ready; while [ ! -e /shared/go ]; do sleep 0.1; done
                head -c 128m /dev/zero | sh -c "echo 1000 >/proc/self/oom_score_adj; exec tail" >/dev/null
                echo $? >/shared/result.tmp; mv /shared/result.tmp /shared/result; exec sleep 1000' \
                set linux.resources.memory "$res"
        assert_eq "memory limit in the cgroup" "$limit" \
                "$(cg_read "$PID" memory memory.limit_in_bytes memory.max)"
        assert_eq "events --stats: memory limit" "$limit" "$(stats_of c1 data.memory.usage.limit)"
        local memdir
        memdir=$(cg_dirs "$PID" memory)

        # The streaming events see the OOM kill.
        capture_start events ctr events --interval 200ms c1
        local events=$BG_PID
        wait_for "a first stats event" grep -q '"type":"stats"' "$C/events.out"
        touch "$C/shared/go"
        wait_for "the allocation to end" eval 'test -e "$C/shared/result" || status_is c1 stopped'
        if [ -e "$C/shared/result" ]; then
                assert_eq "exit status of the allocating pipeline (tail killed by SIGKILL)" 137 "$(cat "$C/shared/result")"
        else
                note "the OOM killer also took the init"
        fi
        wait_for "an oom event" grep -qx "{\"type\":\"oom\",\"id\":\"c1\"}" "$C/events.out"

        local kills failcnt
        kills=$(stats_of c1 data.memory.oom_kills)
        failcnt=$(stats_of c1 data.memory.usage.failcnt)
        if [ "$LAYOUT" = unified ]; then
                # v2 counts OOM kills in memory.events, and events reports that count.
                local counted
                counted=$(awk '$1 == "oom_kill" {print $2}' "$memdir/memory.events")
                [ "${counted:-0}" -ge 1 ] || fail "memory.events after an OOM kill: $(tr '\n' ' ' <"$memdir/memory.events")"
                assert_eq "events --stats: oom_kills, as memory.events counts them" "$counted" "$kills"
                assert_eq "events --stats: failcnt, memory.events' max" \
                        "$(awk '$1 == "max" {print $2}' "$memdir/memory.events")" "$failcnt"
        fi
        [ "$kills" -ge 1 ] || [ "$failcnt" -gt 0 ] ||
                fail "events --stats after an OOM kill: oom_kills $kills, failcnt $failcnt"
        capture ctr events --stats c1
        assert_rc 0 "events --stats c1"
        "$PY" - "$OUT" <<'EOF' || fail "events --stats: unexpected JSON: $OUT"
import json, sys
e = json.loads(sys.argv[1])
assert e["type"] == "stats" and e["id"] == "c1", e
m = e["data"]["memory"]
for k in ("usage", "limit", "max", "failcnt"):
    assert isinstance(m["usage"][k], int), k
assert isinstance(m["oom_kills"], int)
EOF

        # The container stops: events exits 0 by itself.
        stop_and_delete c1
        capture_end "$events" events
        assert_rc 0 "events once the container stopped"
        printf '%s\n' "$OUT" | "$PY" -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    assert e["type"] in ("stats", "oom") and e["id"] == "c1", e' || fail "events printed something else than one JSON event per line: $OUT"
}

t_pids_limit() {
        has_ctrl pids || skip "no pids controller"
        # A shell forks background sleeps until fork fails; a shell that cannot fork exits with
        # "can't fork", which the init records. exec: the init itself needs no fork afterwards.
        start_container c1 'sh -c "for i in \$(seq 40); do sleep 1000 & done" 2>/shared/err
                echo $? >/shared/rc; : >/shared/ready; exec sleep 1000' \
                set linux.resources.pids '{"limit": 10}'
        assert_eq "pids limit in the cgroup" 10 "$(cg_read "$PID" pids pids.max pids.max)"
        [ "$(cat "$C/shared/rc")" != 0 ] || fail "40 forks under pids.limit 10 all succeeded"
        grep -qi "fork" "$C/shared/err" || fail "the container saw no fork failure: $(cat "$C/shared/err")"
        local cur
        cur=$(cg_read "$PID" pids pids.current pids.current)
        [ "$cur" -le 10 ] || fail "pids.current is $cur, above the limit 10"
        cur=$(stats_of c1 data.pids.current)
        [ "$cur" -le 10 ] || fail "events --stats: pids.current $cur, above 10"
        assert_eq "events --stats: pids limit" 10 "$(stats_of c1 data.pids.limit)"
        stop_and_delete c1
}

t_cpu_quota() {
        has_ctrl cpu || skip "no cpu controller"
        start_container c1 "$(long_running)" set linux.resources.cpu '{"quota": 50000, "period": 100000, "shares": 512}'
        local f
        f=$(cg_file "$PID" cpu cpu.cfs_quota_us cpu.max)
        case $f in
        */cpu.max)
                assert_eq "cpu.max" "50000 100000" "$(cat "$f")"
                # shares 512 on v2's scale: 1 + (512 - 2) * 9999 / 262142.
                assert_eq "cpu.weight" 20 "$(cat "${f%/*}/cpu.weight")"
                ;;
        *)
                assert_eq "cpu.cfs_quota_us" 50000 "$(cat "$f")"
                assert_eq "cpu.cfs_period_us" 100000 "$(cat "${f%/*}/cpu.cfs_period_us")"
                assert_eq "cpu.shares" 512 "$(cat "${f%/*}/cpu.shares")"
                ;;
        esac
        stop_and_delete c1
}

# blockIO.weight: v2's io.weight (iocost, 1..10000: 1 + (500 - 10) * 9999 / 990) or
# io.bfq.weight (blkio's own scale), v1's blkio.weight or blkio.bfq.weight.
t_io_weight() {
        has_ctrl io || has_ctrl blkio || skip "no io or blkio controller"
        # A kernel without the BFQ scheduler loaded (CFQ is gone since 5.0) has no weight file
        # at all: the weight is refused, in one line, and nothing is left.
        if ! sh -c "$IO_WEIGHT_PROBE"; then
                create_refused c1 'cannot apply "(default )?[0-9]+": .* has neither .*weight nor .*bfq\.weight.*BFQ' \
                        set linux.resources.blockIO '{"weight": 500}'
                return 0
        fi
        start_container c1 "$(long_running)" set linux.resources.blockIO '{"weight": 500}'
        local d
        d=$(cg_dirs "$PID" io || cg_dirs "$PID" blkio) || fail "no io or blkio cgroup for $PID"
        if [ "$LAYOUT" = unified ]; then
                if [ -e "$d/io.weight" ]; then
                        assert_eq "io.weight" "default 4950" "$(head -n 1 "$d/io.weight")"
                elif [ -e "$d/io.bfq.weight" ]; then
                        assert_eq "io.bfq.weight" "default 500" "$(head -n 1 "$d/io.bfq.weight")"
                else
                        fail "the io controller is on but $d has no io.weight nor io.bfq.weight"
                fi
        elif [ -e "$d/blkio.weight" ]; then
                assert_eq "blkio.weight" 500 "$(cat "$d/blkio.weight")"
        else
                assert_eq "blkio.bfq.weight" 500 "$(head -n 1 "$d/blkio.bfq.weight" | sed 's/^default //')"
        fi
        stop_and_delete c1
}

# The container's view of cgroups: with a cgroup namespace its own cgroup is "/", and the
# "cgroup" mount shows its own cgroups (its limits in them), read-only unless it says "rw".
CG_MOUNT='{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev"]}'
CG_SCRIPT='cat /proc/self/cgroup; echo ==; cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max;
        echo ==; if echo 5 >/sys/fs/cgroup/pids/pids.max 2>/dev/null; then echo WROTE; else echo REFUSED; fi'

# cg_view OUT: the three parts of CG_SCRIPT's output: CG_LINES, CG_LIMITS, CG_WRITE.
cg_view() {
        CG_LINES=$(printf '%s\n' "$1" | sed -n '1,/^==$/p' | grep -v '^==$')
        CG_LIMITS=$(words "$(printf '%s\n' "$1" | sed -n '/^==$/,/^==$/p' | grep -v '^==$')")
        CG_WRITE=$(printf '%s\n' "$1" | tail -n 1)
}

t_cgroup_namespace() {
        has_ctrl memory && has_ctrl pids || skip "needs the memory and pids controllers"
        if [ "$LAYOUT" = unified ]; then
                cgroup_namespace_v2
                return 0
        fi
        [ -d /sys/fs/cgroup/memory ] || skip "the memory controller is neither v2 nor a v1 hierarchy of its own here"
        local res='{"memory": {"limit": 41943040}, "pids": {"limit": 17}}'

        run_in c1 "$CG_SCRIPT" set linux.resources "$res" append mounts "$CG_MOUNT" \
                append linux.namespaces '{"type": "cgroup"}'
        cg_view "$OUT"
        printf '%s\n' "$CG_LINES" | grep -v ':/$' && fail "with a cgroup namespace, every cgroup should be \"/\":
$CG_LINES"
        assert_eq "the container's own limits, seen in its /sys/fs/cgroup" "41943040 17" "$CG_LIMITS"
        assert_eq "a write to /sys/fs/cgroup (read-only by default)" REFUSED "$CG_WRITE"

        # Without a cgroup namespace: the host's path, still only its own cgroups mounted.
        run_in c2 "$CG_SCRIPT" set linux.resources "$res" append mounts "$CG_MOUNT"
        cg_view "$OUT"
        printf '%s\n' "$CG_LINES" | grep -q ':/ctr-launch/c2$' ||
                fail "without a cgroup namespace, /proc/self/cgroup should name /ctr-launch/c2:
$CG_LINES"
        assert_eq "the container's own limits, seen in its /sys/fs/cgroup" "41943040 17" "$CG_LIMITS"
        assert_eq "a write to /sys/fs/cgroup (read-only by default)" REFUSED "$CG_WRITE"

        # "rw": the container may change its own limits (and only its own).
        run_in c3 "$CG_SCRIPT; cat /sys/fs/cgroup/pids/pids.max" set linux.resources "$res" \
                append mounts '{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["rw", "nosuid", "noexec", "nodev"]}' \
                append linux.namespaces '{"type": "cgroup"}'
        assert_eq "a write to /sys/fs/cgroup mounted rw, then pids.max" "WROTE 5" "$(words "$(printf '%s\n' "$OUT" | tail -n 2)")"
}

# On a unified host the "cgroup" mount is cgroup2: with a cgroup namespace, a fresh mount whose
# root is the container's cgroup; without one, a bind of that cgroup. Either way its own
# memory.max and pids.max are at the top. systemd mounts cgroup2 with nsdelegate, which makes a
# cgroup namespace a delegation boundary: even mounted rw, the container may not change its own
# limits (the kernel says EPERM), only make cgroups below its own.
CG2_SCRIPT='cat /proc/self/cgroup; echo ==; cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max;
        echo ==; if echo 5 >/sys/fs/cgroup/pids.max 2>/dev/null; then echo WROTE; else echo REFUSED; fi'

cgroup_namespace_v2() {
        local res='{"memory": {"limit": 41943040}, "pids": {"limit": 17}}' own_write=WROTE
        grep -q ' - cgroup2 .*nsdelegate' /proc/self/mountinfo && own_write=REFUSED

        run_in c1 "$CG2_SCRIPT; if mkdir /sys/fs/cgroup/sub 2>/dev/null; then echo MADE; else echo NOT-MADE; fi" \
                set linux.resources "$res" append mounts "$CG_MOUNT" append linux.namespaces '{"type": "cgroup"}'
        cg_view "$(printf '%s\n' "$OUT" | sed '$d')"
        assert_eq "with a cgroup namespace, /proc/self/cgroup" "0::/" "$CG_LINES"
        assert_eq "the container's own limits, at the top of its /sys/fs/cgroup" "41943040 17" "$CG_LIMITS"
        assert_eq "a write to pids.max (read-only by default)" REFUSED "$CG_WRITE"
        assert_eq "a cgroup made below its own (read-only by default)" NOT-MADE "$(printf '%s\n' "$OUT" | tail -n 1)"

        run_in c2 "$CG2_SCRIPT" set linux.resources "$res" append mounts "$CG_MOUNT"
        cg_view "$OUT"
        assert_eq "without a cgroup namespace, /proc/self/cgroup" "0::/ctr-launch/c2" "$CG_LINES"
        assert_eq "the container's own limits, at the top of its /sys/fs/cgroup (a bind)" "41943040 17" "$CG_LIMITS"
        assert_eq "a write to pids.max (read-only by default)" REFUSED "$CG_WRITE"

        # rw: a cgroup of its own below its cgroup, and its own limits as nsdelegate says.
        run_in c3 "$CG2_SCRIPT; cat /sys/fs/cgroup/pids.max; mkdir /sys/fs/cgroup/sub && echo MADE" set linux.resources "$res" \
                append mounts '{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["rw", "nosuid", "noexec", "nodev"]}' \
                append linux.namespaces '{"type": "cgroup"}'
        local want=17
        [ "$own_write" = REFUSED ] || want=5
        assert_eq "mounted rw: the write to its own pids.max, pids.max, a cgroup below" "$own_write $want MADE" \
                "$(words "$(printf '%s\n' "$OUT" | tail -n 3)")"
}

# The devices cgroup (v1's devices.deny/allow, v2's eBPF filter): a rule list that starts with
# "deny all" (as every podman and containerd config does) still leaves the default devices and
# linux.devices usable, and nothing else. The device outside the defaults is /dev/kmsg (1:11),
# opened write-only (no CAP_SYSLOG needed): its driver is built into every kernel, where a
# module's device (/dev/fuse) fails with ENODEV on a kernel that has not loaded it (the VM).
t_device_rules() {
        local script='head -c 1 /dev/zero >/dev/null && echo zero-ok; echo x >/dev/null && echo null-ok;
                head -c 1 /dev/xzero >/dev/null && echo xzero-ok;
                mknod /dev/km c 1 11 && echo mknod-ok
                if ( : >/dev/km ) 2>/shared/km.err; then echo kmsg-OPENED; else echo kmsg-refused; fi'
        local caps='["CAP_MKNOD", "CAP_DAC_OVERRIDE"]'
        run_in c1 "$script" set linux.resources '{"devices": [{"allow": false, "access": "rwm"}]}' \
                append linux.devices '{"path": "/dev/xzero", "type": "c", "major": 1, "minor": 5}' \
                set process.capabilities "{\"bounding\": $caps, \"effective\": $caps, \"permitted\": $caps}"
        assert_eq "what the container could do" "zero-ok null-ok xzero-ok mknod-ok kmsg-refused" "$(words "$OUT")"
        grep -q "Operation not permitted" "$C/shared/km.err" ||
                fail "opening 1:11 failed, but not with EPERM (the device filter's): $(cat "$C/shared/km.err")"

        # Without the deny-all rule, /dev/kmsg opens: the refusal above is the device filter's,
        # not the lack of a capability.
        run_in c2 "$script" append linux.devices '{"path": "/dev/xzero", "type": "c", "major": 1, "minor": 5}' \
                set process.capabilities "{\"bounding\": $caps, \"effective\": $caps, \"permitted\": $caps}"
        assert_eq "what the container could do without device rules (km.err: $(cat "$C/shared/km.err"))" \
                "zero-ok null-ok xzero-ok mknod-ok kmsg-OPENED" "$(words "$OUT")"
}

# ---------------------------------------------------------------- verbs

# ps_pids ID: the PIDs `ps ID -o pid` prints (the host's ps, the container's lines), sorted,
# on one line; checks the header.
ps_pids() {
        capture ctr ps "$1" -o pid
        assert_rc 0 "ps $1 -o pid"
        assert_eq "first line of ps -o pid" PID "$(words "$(printf '%s\n' "$OUT" | head -n 1)")"
        printf '%s\n' "$OUT" | tail -n +2 | sort -n | xargs
}

ps_json_pids() {
        capture ctr ps --format json "$1"
        assert_rc 0 "ps --format json $1"
        "$PY" -c '
import json, sys
l = json.loads(sys.argv[1])
assert isinstance(l, list) and all(isinstance(p, int) for p in l), l
print(" ".join(str(p) for p in sorted(l)))' "$OUT" || fail "ps --format json: not a JSON array of integers: $OUT"
}

# The host PIDs of PID's children.
children_of() {
        cat /proc/"$1"/task/*/children | xargs -n 1 | sort -n | xargs
}

t_ps() {
        # Without transient children (no sleep loop): the set of processes is fixed.
        start_container c1 'sleep 1000 & : >/shared/ready; wait'
        local child want
        child=$(children_of "$PID")
        [ "$(echo "$child" | wc -w)" = 1 ] || fail "expected one child of the init, got: '$child'"
        want=$(printf '%s\n' "$PID" $child | sort -n | xargs)
        assert_eq "ps: the init and its child" "$want" "$(ps_pids c1)"
        assert_eq "ps --format json: the init and its child" "$want" "$(ps_json_pids c1)"
        grep -q '^sleep' <(tr '\0' ' ' <"/proc/$child/cmdline") || fail "the child is not the sleep"
        stop_and_delete c1
}

t_kill_all() {
        # No PID namespace: killing the init would not take the others with it.
        start_container c1 'sleep 1000 & sleep 1001 & : >/shared/ready; wait' delns pid
        local procs p
        procs=$(ps_pids c1)
        [ "$(words "$procs" | wc -w)" = 3 ] || fail "ps: expected the init and two sleeps, got: $procs"
        capture ctr kill --all c1 KILL
        assert_rc 0 "kill --all c1 KILL"
        wait_for "c1 to be stopped" status_is c1 stopped
        for p in $procs; do
                wait_for "pid $p to be gone" eval "! pid_alive $p"
        done
        assert_eq "ps after kill --all" "" "$(ps_pids c1)"
        assert_eq "ps --format json after kill --all" "" "$(ps_json_pids c1)"
        capture ctr delete c1
        assert_rc 0 "delete"
}

counter() {
        cat "$C/shared/counter" 2>/dev/null || echo none
}

counter_moves_from() {
        [ "$(counter)" != "$1" ]
}

# freezer_dir PID: the cgroup of PID that freezes it: v1's freezer hierarchy, else cgroup2's.
freezer_dir() {
        cg_dirs "$1" freezer 2>/dev/null || cg_dirs "$1" v2
}

# assert_frozen DIR 1|0: the freezer in DIR says frozen (1) or thawed (0): v2's cgroup.freeze
# and the "frozen" key of cgroup.events, or v1's freezer.state.
assert_frozen() {
        local d=$1 want=$2
        if [ -e "$d/cgroup.freeze" ] && [ ! -e "$d/freezer.state" ]; then
                assert_eq "$d/cgroup.freeze" "$want" "$(cat "$d/cgroup.freeze")"
                assert_eq "frozen in $d/cgroup.events" "$want" "$(awk '$1 == "frozen" {print $2}' "$d/cgroup.events")"
        else
                assert_eq "$d/freezer.state" "$([ "$want" = 1 ] && echo FROZEN || echo THAWED)" "$(cat "$d/freezer.state")"
        fi
}

t_pause_resume() {
        has_ctrl freezer || [ -e /sys/fs/cgroup/cgroup.controllers ] || [ -d /sys/fs/cgroup/unified ] ||
                skip "no freezer"
        start_container c1 'i=0; touch /shared/ready; while :; do i=$((i+1)); echo $i >/shared/c.tmp
                mv /shared/c.tmp /shared/counter; sleep 0.1; done'
        wait_for "the counter to run" test -e "$C/shared/counter"
        local fdir
        fdir=$(freezer_dir "$PID")
        capture ctr pause c1
        assert_rc 0 "pause"
        assert_status c1 paused
        assert_frozen "$fdir" 1
        # state and list read the freezer's file that create recorded, not cgroup.json; for a
        # container made before there was such a file, cgroup.json still tells.
        assert_eq "the freezer's file recorded in the state dir" "$fdir" "$(dirname "$(cat "$ROOT/c1/freezer")")"
        assert_eq "status of c1 in list" paused "$(ctr list | awk '$1 == "c1" { print $3 }')"
        mv "$ROOT/c1/freezer" "$C/freezer.kept"
        assert_status c1 paused
        mv "$C/freezer.kept" "$ROOT/c1/freezer"
        local frozen
        frozen=$(counter)
        # Give a running counter every chance to move (not a timing assertion: a frozen one
        # never moves).
        sleep 1
        assert_eq "counter while paused" "$frozen" "$(counter)"

        capture ctr pause c1
        assert_fails "pause of a paused container"
        assert_one_error_line "pause of a paused container" 'not running.*paused'

        capture ctr resume c1
        assert_rc 0 "resume"
        assert_status c1 running
        assert_frozen "$fdir" 0
        wait_for "the counter to move again" counter_moves_from "$frozen"

        capture ctr resume c1
        assert_fails "resume of a running container"
        assert_one_error_line "resume of a running container" 'not paused.*running'
        stop_and_delete c1
}

t_delete_paused() {
        start_container c1 "$(long_running)"
        capture ctr pause c1
        assert_rc 0 "pause"
        capture ctr delete c1
        assert_fails "delete of a paused container without --force"
        assert_one_error_line "delete of a paused container" 'paused'
        local dirs
        dirs=$(cg_dirs "$PID" | awk '{print $2}')
        capture ctr delete --force c1
        assert_rc 0 "delete --force of a paused container"
        # shellcheck disable=SC2086
        assert_dirs_gone "delete --force of a paused container" $dirs
}

# recorded ID PATH: a member of the recorded <state>/ID/resources.json.
recorded() {
        json_get "$2" <"$ROOT/$1/resources.json"
}

t_update() {
        has_ctrl memory && has_ctrl pids || skip "no memory or no pids controller"
        start_container c1 "$(long_running)" set linux.resources \
                '{"memory": {"limit": 67108864}, "pids": {"limit": 20}, "cpu": {"shares": 512}}'
        assert_eq "recorded memory limit after create" 67108864 "$(recorded c1 memory.limit)"

        # Options, with runc's units.
        capture ctr update --memory 96m --pids-limit 30 c1
        assert_rc 0 "update --memory 96m --pids-limit 30"
        assert_eq "memory limit after update" $((96 * 1024 * 1024)) "$(cg_read "$PID" memory memory.limit_in_bytes memory.max)"
        assert_eq "pids limit after update" 30 "$(cg_read "$PID" pids pids.max pids.max)"
        assert_eq "recorded memory limit" $((96 * 1024 * 1024)) "$(recorded c1 memory.limit)"
        assert_eq "recorded pids limit" 30 "$(recorded c1 pids.limit)"
        assert_eq "recorded cpu shares (untouched)" 512 "$(recorded c1 cpu.shares)"

        # A resources file.
        echo '{"memory": {"limit": 134217728}, "pids": {"limit": 40}}' >"$C/res.json"
        capture ctr update -r "$C/res.json" c1
        assert_rc 0 "update -r FILE"
        assert_eq "memory limit after update -r" 134217728 "$(cg_read "$PID" memory memory.limit_in_bytes memory.max)"
        assert_eq "pids limit after update -r" 40 "$(cg_read "$PID" pids pids.max pids.max)"
        assert_eq "recorded memory limit after -r" 134217728 "$(recorded c1 memory.limit)"
        assert_eq "recorded pids limit after -r" 40 "$(recorded c1 pids.limit)"

        # From stdin, with an option that overrides the file.
        RC=0
        echo '{"pids": {"limit": 50}, "memory": {"limit": 100663296}}' |
                ctr update --resources - --pids-limit 60 c1 >"$C/.out" 2>"$C/.err" || RC=$?
        OUT=$(cat "$C/.out") ERR=$(cat "$C/.err")
        assert_rc 0 "update --resources - --pids-limit 60"
        assert_eq "pids limit after update from stdin" 60 "$(cg_read "$PID" pids pids.max pids.max)"
        assert_eq "memory limit after update from stdin" 100663296 "$(cg_read "$PID" memory memory.limit_in_bytes memory.max)"
        assert_eq "recorded pids limit after stdin" 60 "$(recorded c1 pids.limit)"
        assert_eq "events --stats: the new pids limit" 60 "$(stats_of c1 data.pids.limit)"

        # Refused values change nothing.
        capture ctr update --pids-limit 70 --cpu-share 1 c1
        assert_fails "update with --cpu-share 1 (below 2)"
        assert_one_error_line "update with --cpu-share 1" 'shares'
        assert_eq "pids limit after a refused update" 60 "$(cg_read "$PID" pids pids.max pids.max)"
        assert_eq "recorded pids limit after a refused update" 60 "$(recorded c1 pids.limit)"
        stop_and_delete c1
}

t_events_stream() {
        start_container c1 "$(long_running)"
        capture_start events ctr events --interval 0.2 c1
        local events=$BG_PID
        wait_for "two stats events" eval '[ "$(grep -c "\"type\":\"stats\"" "$C/events.out")" -ge 2 ]'
        # events holds no lock while it waits: kill and delete go through.
        capture ctr kill c1
        assert_rc 0 "kill while events runs"
        wait_for "c1 to be stopped" status_is c1 stopped
        capture_end "$events" events
        assert_rc 0 "events once the container stopped"
        capture ctr delete c1
        assert_rc 0 "delete"
}

# ---------------------------------------------------------------- placement and cleanup

t_no_cgroup_after_delete() {
        start_container c1 "$(long_running)"
        local dirs d n=0
        dirs=$(cg_dirs "$PID" | awk '{print $2}')
        for d in $dirs; do
                case $d in */ctr-launch/c1) n=$((n + 1)) ;; esac
        done
        [ "$n" -ge 1 ] || fail "default placement: expected /ctr-launch/c1, got: $(cat "/proc/$PID/cgroup" | tr '\n' ' ')"
        stop_and_delete c1
        # shellcheck disable=SC2086
        assert_dirs_gone "delete" $dirs
        assert_no_cgroup "delete" c1

        # A created container, deleted without ever starting.
        mk_bundle b2 /bin/true
        capture ctr create -b "$B" c2
        assert_rc 0 "create c2"
        dirs=$(cg_dirs "$(pid_of c2)" | awk '{print $2}')
        [ -n "$(default_cgroups c2)" ] || fail "created container c2 has no cgroup"
        capture ctr delete c2
        assert_rc 0 "delete of a created container"
        # shellcheck disable=SC2086
        assert_dirs_gone "delete of a created container" $dirs
        assert_no_cgroup "delete of a created container" c2

        # run: deleted at the end.
        mk_bundle b3 /bin/true
        capture ctr run -b "$B" c3
        assert_rc 0 "run c3"
        assert_no_cgroup "run" c3
}

t_no_cgroup_after_failed_create() {
        # A hook that fails once the init (and its cgroup) exists.
        mk_bundle b1
        cfg "$B" set hooks '{"createRuntime": [{"path": "/bin/false"}]}'
        capture ctr create -b "$B" c1
        assert_fails "create with a failing createRuntime hook"
        assert_no_cgroup "create with a failing hook" c1
        [ ! -e "$ROOT/c1" ] || fail "a failed create left $ROOT/c1"

        # A process that cannot be executed.
        mk_bundle b2 /bin/no-such-binary-xyz
        capture ctr run -b "$B" c2
        assert_fails "run of a missing binary"
        assert_no_cgroup "run of a missing binary" c2

        # Invalid resources: refused before anything exists.
        local bad
        for bad in 'memory {"limit": -5}' 'pids {"limit": "ten"}' 'cpu {"shares": 1}' 'cpu {"period": 10}' \
                'blockIO {"weight": 5}' 'cpu {"cpus": "3-1"}'; do
                create_refused c3 'resources' set "linux.resources.${bad%% *}" "${bad#* }"
                assert_no_cgroup "create with linux.resources.$bad" c3
                [ ! -e "$ROOT/c3" ] || fail "create with linux.resources.$bad left $ROOT/c3"
        done
}

# expect_paths PID CGROUPS-PATH: every hierarchy's path of PID follows the rule: absolute as
# written, relative below our own cgroup (/proc/self/cgroup). Prints what differs.
expect_paths() {
        "$PY" - "$1" "$2" "$$" <<'EOF'
import sys
pid, want, me = sys.argv[1:]
def cgroups(p):
    d = {}
    for line in open(f"/proc/{p}/cgroup"):
        hid, ctrls, path = line.rstrip("\n").split(":", 2)
        d[ctrls] = path
    return d
theirs, ours = cgroups(pid), cgroups(me)
bad = []
for ctrls, path in theirs.items():
    exp = want if want.startswith("/") else (ours[ctrls].rstrip("/") + "/" + want)
    if path != exp:
        bad.append(f"{ctrls or 'v2'}: {path} (expected {exp})")
if bad:
    print("; ".join(bad))
    sys.exit(1)
EOF
}

# cgroups_path_placed ID PATH WHAT: container ID with linux.cgroupsPath PATH (ending in
# /NAME) is placed by the rule, and delete removes its cgroups and the parents we made.
cgroups_path_placed() {
        local id=$1 path=$2 what=$3 dirs out
        rm -f "$C/shared/ready"
        start_container "$id" "$(long_running)" set linux.cgroupsPath "\"$path\""
        out=$(expect_paths "$PID" "$path") || fail "$what cgroupsPath: $out"
        dirs=$(cg_dirs "$PID" | awk '{print $2}')
        stop_and_delete "$id"
        # shellcheck disable=SC2086
        assert_dirs_gone "delete ($what cgroupsPath)" $dirs
        # The parent we made goes too.
        # shellcheck disable=SC2086
        assert_dirs_gone "delete ($what cgroupsPath): parent" $(printf '%s\n' $dirs | sed "s,/${path##*/}\$,,")
}

t_cgroups_path() {
        cgroups_path_placed c1 "/ctr-it-$MARK/abs" absolute
        cgroups_path_placed c2 "ctr-it-$MARK/rel" relative
}

# ---------------------------------------------------------------- issue 16: configs as runc reads them

# memory.kernelTCP goes to v1's memory.kmem.tcp.limit_in_bytes (as crun writes it); where there
# is none it is ignored with a warning, as runc 1.1 ignores it; memory.kernel is ignored with
# a warning everywhere (no kernel takes a separate kernel memory limit any more). update's
# --kernel-memory-tcp and --kernel-memory likewise.
t_kernel_memory() {
        mk_bundle_sh c1 "$(long_running)" set linux.resources.memory '{"kernel": 67108864, "kernelTCP": 16777216}'
        capture ctr create -b "$B" c1
        assert_rc 0 "create with memory.kernel and memory.kernelTCP"
        assert_contains "create's warning" "$ERR" "memory.kernel is ignored"
        local create_err=$ERR d tcp=""
        capture ctr start c1
        assert_rc 0 "start"
        wait_for "c1 to be ready" test -e "$C/shared/ready"
        PID=$(pid_of c1)
        d=$(cg_dirs "$PID" memory 2>/dev/null) || d=""
        if [ -n "$d" ] && [ -e "$d/memory.kmem.tcp.limit_in_bytes" ]; then
                tcp=$d/memory.kmem.tcp.limit_in_bytes
                assert_eq "memory.kmem.tcp.limit_in_bytes" 16777216 "$(cat "$tcp")"
                case $create_err in *kernelTCP*) fail "kernelTCP applied, and warned about: $create_err" ;; esac
        else
                note "no cgroup v1 memory controller: kernelTCP is ignored"
                assert_contains "create's warning" "$create_err" "memory.kernelTCP is ignored"
        fi
        assert_eq "recorded kernelTCP" 16777216 "$(recorded c1 memory.kernelTCP)"

        capture ctr update --kernel-memory-tcp 32m c1
        assert_rc 0 "update --kernel-memory-tcp 32m"
        if [ -n "$tcp" ]; then
                assert_eq "update's stderr" "" "$ERR"
                assert_eq "memory.kmem.tcp.limit_in_bytes after update" $((32 << 20)) "$(cat "$tcp")"
        else
                assert_contains "update's warning" "$ERR" "memory.kernelTCP is ignored"
        fi
        assert_eq "recorded kernelTCP after update" $((32 << 20)) "$(recorded c1 memory.kernelTCP)"
        capture ctr update --kernel-memory 1g c1
        assert_rc 0 "update --kernel-memory 1g"
        assert_contains "update's warning" "$ERR" "memory.kernel is ignored"
        capture ctr update --kernel-memory-tcp lots c1
        assert_fails "update --kernel-memory-tcp lots"
        assert_one_error_line "update --kernel-memory-tcp lots" 'kernel-memory-tcp'
        stop_and_delete c1
}

# A cgroupsPath naming a cgroup that already holds processes (a pod's): joined with a warning,
# as runc does; kill --all and delete leave the other processes and the cgroup as they were.
t_join_populated() {
        trap admin_cleanup EXIT
        local P=/ctr-it-$MARK-pod other out m
        admin_cgroup "$P"
        admin_proc "$P"
        other=$ADMIN_PID
        mk_bundle_sh c1 "$(long_running)" set linux.cgroupsPath "\"$P\""
        capture ctr create -b "$B" c1
        assert_rc 0 "create in a cgroup that holds a process"
        assert_contains "create's warning" "$ERR" "already holds processes"
        capture ctr start c1
        assert_rc 0 "start"
        wait_for "c1 to be ready" test -e "$C/shared/ready"
        PID=$(pid_of c1)
        out=$(expect_paths "$PID" "$P") || fail "the container's cgroups: $out"
        capture ctr kill --all c1 KILL
        assert_rc 0 "kill --all"
        wait_for "c1 to be stopped" status_is c1 stopped
        capture ctr delete c1
        assert_rc 0 "delete"
        pid_alive "$other" || fail "kill --all or delete killed the other process of $P"
        out=$(expect_paths "$other" "$P") || fail "the other process was moved: $out"
        for m in $(cg_mounts); do
                [ -d "$m$P" ] || fail "delete removed $m$P, which it did not make"
        done
}

# delete --force of a container in a pod's shared cgroup that someone froze: the container's
# own processes are killed (v1: moved out to the top of the freezer hierarchy, SIGKILL first;
# v2 lets SIGKILL through), the shared cgroup stays frozen, its other process stays there.
t_join_populated_frozen() {
        trap admin_cleanup EXIT
        local kind m P other n=0
        for kind in $(freezer_kinds); do
                m=$(mount_of "$kind" freezer)
                P=/ctr-it-$MARK-podf-$kind
                admin_cgroup "$P"
                admin_proc "$P"
                other=$ADMIN_PID
                mk_bundle_sh "c-$kind" "$(long_running "ready-$kind")" set linux.cgroupsPath "\"$P\""
                capture ctr run -d -b "$B" "c-$kind"
                assert_rc 0 "run -d in the pod's cgroup ($kind)"
                wait_for "c-$kind to be ready" test -e "$C/shared/ready-$kind"
                admin_freeze "$kind" "$m$P" 1
                CTR_TIMEOUT=20 capture ctr delete --force "c-$kind"
                assert_rc 0 "delete --force in the frozen pod's cgroup ($kind)"
                assert_frozen "$m$P" 1
                pid_alive "$other" || fail "delete --force killed the pod's other process ($kind)"
                grep -qx "$other" "$m$P/cgroup.procs" || fail "the pod's other process left $m$P ($kind)"
                admin_freeze "$kind" "$m$P" 0
                n=$((n + 1))
        done
        [ "$n" -gt 0 ] || skip "no freezer on this host"
}

# A cgroup that exists frozen (by any freezer the host has; and a new one made below it, which
# the kernel freezes too) is refused at once with one line; the frozen cgroup and its process
# are left as they were, and nothing else is.
t_frozen_cgroup() {
        trap admin_cleanup EXIT
        local kind m P path procs d n=0
        for kind in $(freezer_kinds); do
                m=$(mount_of "$kind" freezer)
                P=/ctr-it-$MARK-frozen-$kind
                admin_cgroup "$P"
                admin_proc "$P"
                admin_freeze "$kind" "$m$P" 1
                procs=$(cat "$m$P/cgroup.procs")
                for path in "$P" "$P/child"; do
                        mk_bundle_sh "c-$kind" "$(long_running)" set linux.cgroupsPath "\"$path\""
                        CTR_TIMEOUT=15 capture ctr run -d -b "$B" "c-$kind"
                        assert_fails "run -d in the frozen cgroup $path ($kind)"
                        assert_one_error_line "run -d in the frozen cgroup $path ($kind)" "is frozen: a container cannot start"
                        [ ! -e "$ROOT/c-$kind" ] || fail "the refused run left $ROOT/c-$kind"
                        assert_frozen "$m$P" 1
                        assert_eq "the processes of the frozen cgroup" "$procs" "$(cat "$m$P/cgroup.procs")"
                        for d in $(cg_mounts); do
                                [ ! -e "$d$P/child" ] || fail "the refused run left $d$P/child"
                        done
                done
                n=$((n + 1))
        done
        [ "$n" -gt 0 ] || skip "no freezer on this host"
}

# v1 cpuset: a cgroupsPath below a parent someone made and left with an empty cpuset gets the
# cpus and mems of the nearest ancestor that has some (runc's ensureParent).
t_cpuset_empty_parent() {
        local m P d
        m=$(mount_of v1 cpuset) ||
                skip "no cgroup v1 cpuset hierarchy (cgroup v2's cpuset takes an empty cpuset.cpus as the parent's)"
        trap admin_cleanup EXIT
        P=/ctr-it-$MARK-fresh
        ADMIN_CGROUPS+=("$P")
        mkdir "$m$P"
        assert_eq "cpuset.cpus of a new v1 cgroup" "" "$(cat "$m$P/cpuset.cpus")"
        start_container c1 "$(long_running)" set linux.cgroupsPath "\"$P/a/b\""
        d=$(cg_dirs "$PID" cpuset)
        assert_eq "the container's cpuset" "$m$P/a/b" "$d"
        assert_eq "the container's cpus" "$(cat "$m/cpuset.cpus")" "$(cat "$d/cpuset.cpus")"
        assert_eq "the container's mems" "$(cat "$m/cpuset.mems")" "$(cat "$d/cpuset.mems")"
        stop_and_delete c1
        assert_dirs_gone "delete" "$m$P/a"
        [ -d "$m$P" ] || fail "delete removed $m$P, which it did not make"
}

# delete --force of a container frozen by someone else's freezer: its own cgroup's (v1
# freezer.state, v2 cgroup.freeze) or an ancestor's, which is not ours to thaw. kill is taken
# (the signal waits), delete thaws and kills at once; an ancestor stays frozen.
t_delete_frozen() {
        trap admin_cleanup EXIT
        local kind where id m d target dirs n=0
        for kind in $(freezer_kinds); do
                m=$(mount_of "$kind" freezer)
                for where in own parent; do
                        id=c-$kind-$where
                        rm -f "$C/shared/ready"
                        if [ "$where" = parent ]; then
                                admin_cgroup "/ctr-it-$MARK-$id"
                                start_container "$id" "$(long_running)" set linux.cgroupsPath "\"/ctr-it-$MARK-$id/c\""
                        else
                                start_container "$id" "$(long_running)"
                        fi
                        dirs=$(cg_dirs "$PID" | awk '{print $2}')
                        d=$(cg_dirs "$PID" "$([ "$kind" = v1 ] && echo freezer || echo v2)")
                        target=$d
                        [ "$where" = own ] || target=${d%/*}
                        admin_freeze "$kind" "$target" 1
                        # The freezer pause uses (v1's where there is one), on the container's own
                        # cgroup, says paused; an ancestor's v2 freeze does not (nor for runc).
                        if [ "$kind" = "$(first_freezer)" ] && { [ "$where" = own ] || [ "$kind" = v1 ]; }; then
                                assert_status "$id" paused
                        fi
                        capture ctr kill "$id" KILL
                        assert_rc 0 "kill of $id, frozen ($kind, $where)"
                        CTR_TIMEOUT=15 capture ctr delete --force "$id"
                        assert_rc 0 "delete --force of $id, frozen ($kind, $where)"
                        wait_for "the init of $id to be gone" eval '! pid_alive "$PID"'
                        # shellcheck disable=SC2086
                        assert_dirs_gone "delete --force of $id" $dirs
                        [ "$where" = own ] || assert_frozen "$target" 1
                        n=$((n + 1))
                done
        done
        [ "$n" -gt 0 ] || skip "no freezer on this host"
}

# start of a created container someone froze: refused with one line, not a hang; once thawed,
# it starts.
t_start_frozen() {
        local kind d
        kind=$(first_freezer)
        [ -n "$kind" ] || skip "no freezer on this host"
        mk_bundle_sh c1 "$(long_running)"
        capture ctr create -b "$B" c1
        assert_rc 0 "create"
        PID=$(pid_of c1)
        d=$(cg_dirs "$PID" "$([ "$kind" = v1 ] && echo freezer || echo v2)")
        admin_freeze "$kind" "$d" 1
        CTR_TIMEOUT=15 capture ctr start c1
        assert_fails "start of a frozen created container"
        assert_one_error_line "start of a frozen created container" "cgroup .* is frozen"
        assert_status c1 created
        admin_freeze "$kind" "$d" 0
        capture ctr start c1
        assert_rc 0 "start once thawed"
        wait_for "c1 to be ready" test -e "$C/shared/ready"
        stop_and_delete c1
}

# A cgroup frozen while create sets the container up (here by its createRuntime hook): create
# fails within seconds with one line, and leaves nothing (it waited for ever before).
t_frozen_during_create() {
        local kind m
        kind=$(first_freezer)
        [ -n "$kind" ] || skip "no freezer on this host"
        m=$(mount_of "$kind" freezer)
        cat >"$C/freeze-hook" <<EOF
#!$PY
import json, sys
pid = json.load(sys.stdin)["pid"]
for line in open(f"/proc/{pid}/cgroup"):
    hid, ctrls, path = line.rstrip("\n").split(":", 2)
    if "$kind" == "v1" and "freezer" in ctrls.split(","):
        open("$m" + path + "/freezer.state", "w").write("FROZEN")
    if "$kind" == "v2" and hid == "0":
        open("$m" + path + "/cgroup.freeze", "w").write("1")
EOF
        chmod +x "$C/freeze-hook"
        mk_bundle_sh c1 "$(long_running)" set hooks "{\"createRuntime\": [{\"path\": \"$C/freeze-hook\"}]}"
        CTR_TIMEOUT=20 capture ctr create -b "$B" c1
        assert_fails "create whose cgroup is frozen meanwhile"
        assert_one_error_line "create whose cgroup is frozen meanwhile" "frozen while the container was being created"
        [ ! -e "$ROOT/c1" ] || fail "the failed create left $ROOT/c1"
        assert_no_cgroup "the failed create" c1
}

# ---------------------------------------------------------------- bad input

t_bad_input() {
        local verb
        for verb in ps pause resume update events; do
                case $verb in
                update) capture ctr update --memory 1m nosuch ;;
                events) capture ctr events --stats nosuch ;;
                *) capture ctr "$verb" nosuch ;;
                esac
                assert_fails "$verb of an unknown container"
                assert_one_error_line "$verb of an unknown container" 'nosuch.*(not exist|no such|not found)'
        done

        mk_bundle b /bin/sh -c "$(long_running)"
        capture ctr create -b "$B" c1
        assert_rc 0 "create"
        capture ctr pause c1
        assert_fails "pause of a created container"
        assert_one_error_line "pause of a created container" 'not running \(status created\)'
        capture ctr resume c1
        assert_fails "resume of a created container"
        assert_one_error_line "resume of a created container" 'not paused \(status created\)'

        local args
        while IFS= read -r args; do
                # shellcheck disable=SC2086
                capture ctr update $args c1
                assert_fails "update $args"
                assert_one_error_line "update $args" '.'
        done <<'EOF'
--cpu-share 1
--blkio-weight 5
--blkio-weight 2000
--cpu-period 10
--pids-limit abc
--memory 12x
--memory 99999999999999999999
--cpuset-cpus 3-1
--cpu-quota 1.5
--bogus 1
EOF
        capture ctr update c1
        assert_rc 2 "update without anything to update"
        assert_one_error_line "update without anything to update" 'nothing to update'
        echo '{"memory": {"limit": "lots"}}' >"$C/bad.json"
        capture ctr update -r "$C/bad.json" c1
        assert_fails "update -r with a bad file"
        assert_one_error_line "update -r with a bad file" 'memory\.limit'
        capture ctr update -r "$C/no-such-file.json" c1
        assert_fails "update -r with a missing file"
        assert_one_error_line "update -r with a missing file" 'no-such-file'
        capture ctr ps --format xml c1
        assert_rc 2 "ps --format xml"
        assert_one_error_line "ps --format xml" 'format'
        capture ctr events --interval soon c1
        assert_rc 2 "events --interval soon"
        assert_one_error_line "events --interval soon" 'interval'
        capture ctr events --interval 0 c1
        assert_rc 2 "events --interval 0"
        capture ctr delete c1
        assert_rc 0 "delete"

        # A stopped container is not updated.
        mk_bundle b2 /bin/true
        capture ctr create -b "$B" c2
        capture ctr start c2
        wait_for "c2 to be stopped" status_is c2 stopped
        capture ctr update --pids-limit 5 c2
        assert_fails "update of a stopped container"
        assert_one_error_line "update of a stopped container" 'stopped'
        capture ctr delete c2
        assert_rc 0 "delete c2"
}

case_run memory-oom t_memory_oom
case_run pids-limit t_pids_limit
case_run cpu-quota t_cpu_quota
case_run io-weight t_io_weight
case_run ps t_ps
case_run kill-all t_kill_all
case_run pause-resume t_pause_resume
case_run delete-paused t_delete_paused
case_run update t_update
case_run events-stream t_events_stream
case_run cgroup-namespace t_cgroup_namespace
case_run device-rules t_device_rules
case_run no-cgroup-after-delete t_no_cgroup_after_delete
case_run no-cgroup-after-failed-create t_no_cgroup_after_failed_create
case_run cgroups-path t_cgroups_path
case_run bad-input t_bad_input
case_run kernel-memory t_kernel_memory
case_run join-populated t_join_populated
case_run join-populated-frozen t_join_populated_frozen
case_run frozen-cgroup t_frozen_cgroup
case_run cpuset-empty-parent t_cpuset_empty_parent
case_run delete-frozen t_delete_frozen
case_run start-frozen t_start_frozen
case_run frozen-during-create t_frozen_during_create
lib_finish
