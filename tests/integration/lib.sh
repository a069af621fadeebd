# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Common helpers of the integration tests, sourced by each script, which then calls
#   lib_init "$@"        (argument 1, or $CTR_LAUNCH: the ctr-launch binary under test)
#   case_run NAME FUNC   (once per case)
#   lib_finish           (the TAP plan; exit status 0 if no case failed)
# The report is TAP (tests/assert.sh). Not root: the script is skipped ("1..0 # SKIP").
#
# Every case gets its own state root (--root), its own directory $C, and a marker
# (CTR_TEST_MARK=...) in the environment of every process it starts, the containers' included
# (the bundles put it in process.env). After the case, whether it passed or not, the harness
# checks that nothing was left behind: no state directory, no marked process, no mount that was
# not there before. Then it force-deletes and kills whatever is left, so that one failure does
# not cascade.
#
# Environment knobs: CTR_TEST_ONLY=REGEX runs the matching cases only; CTR_TEST_KEEP=1 keeps the
# scratch directory; CTR_TEST_VERBOSE=1 traces the cases (set -x).

set -euo pipefail

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
export G_DEBUG=fatal-criticals

# ---------------------------------------------------------------- reporting

WAIT_DEFAULT=10
# shellcheck source=../assert.sh
source "$LIB_DIR/../assert.sh"

# ---------------------------------------------------------------- setup

lib_init() {
        if [ "$(id -u)" != 0 ]; then
                skip "integration tests drive real containers and need root (uid is $(id -u))"
        fi
        CTR=${1:-${CTR_LAUNCH:-}}
        [ -n "$CTR" ] || hard_error "usage: $0 PATH-TO-ctr-launch (or set CTR_LAUNCH)"
        CTR=$(readlink -f "$CTR")
        [ -x "$CTR" ] || hard_error "ctr-launch binary not found or not executable: $CTR"
        export CTR_LAUNCH=$CTR

        # Run under a subreaper that reaps orphaned inits (see reaper.py for why).
        if [ -z "${CTR_TEST_REAPER:-}" ]; then
                export CTR_TEST_REAPER=1
                exec "$PY" "$LIB_DIR/reaper.py" bash "$0" "$CTR"
        fi

        BUSYBOX=/bin/busybox
        [ -x "$BUSYBOX" ] && "$BUSYBOX" --list >/dev/null 2>&1 ||
                hard_error "$BUSYBOX missing: install Debian's busybox-static (apt-get install busybox-static)"
        file_is_static "$BUSYBOX" ||
                hard_error "$BUSYBOX is not statically linked: install busybox-static, not busybox"

        T=$(mktemp -d "${TMPDIR:-/tmp}/ctr-launch-it.XXXXXX")
        chmod 0755 "$T"
        RUN_MARK="ctr-it-$$-$RANDOM"
        trap lib_exit EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM
        make_rootfs "$T/rootfs-template"
        diag "ctr-launch under test: $CTR"
        diag "scratch directory: $T"
}

file_is_static() {
        # No PT_INTERP program header: a static binary (readelf may be missing on minimal hosts).
        "$PY" - "$1" <<'EOF'
import struct, sys
with open(sys.argv[1], "rb") as f:
    h = f.read(64)
    if h[:4] != b"\x7fELF" or h[4] != 2:
        sys.exit(1)
    phoff, = struct.unpack_from("<Q", h, 32)
    phentsize, phnum = struct.unpack_from("<HH", h, 54)
    f.seek(phoff)
    for _ in range(phnum):
        if struct.unpack_from("<I", f.read(phentsize))[0] == 3:  # PT_INTERP
            sys.exit(1)
EOF
}

# A busybox root filesystem: /bin with the applets, a minimal /etc, the usual mount points.
make_rootfs() {
        local r=$1 a
        mkdir -p "$r"/{bin,proc,sys,dev,tmp,etc,root,shared,run,var}
        chmod 1777 "$r/tmp"
        cp "$BUSYBOX" "$r/bin/busybox"
        for a in $("$BUSYBOX" --list); do
                [ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"
        done
        printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$r/etc/passwd"
        printf 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n' >"$r/etc/group"
        echo ctr-test >"$r/etc/hostname"
}

# mk_bundle NAME [ARGS...]: $C/NAME with a copy of the busybox rootfs and a config.json that runs
# ARGS (default /bin/true), with $C/shared bind-mounted read-write on /shared. Sets B.
mk_bundle() {
        local name=$1
        shift
        B=$C/$name
        mkdir -p "$B" "$C/shared"
        cp -a "$T/rootfs-template" "$B/rootfs"
        "$PY" "$LIB_DIR/bundle.py" default "$B/config.json" "$B/rootfs" "$MARK"
        cfg "$B" append mounts "{\"destination\": \"/shared\", \"type\": \"bind\", \"source\": \"$C/shared\", \"options\": [\"rbind\", \"rw\"]}"
        if [ $# -gt 0 ]; then
                cfg "$B" set process.args "$("$PY" -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "$@")"
        fi
}

# cfg BUNDLE OP...: edit BUNDLE/config.json (see bundle.py).
cfg() {
        local b=$1
        shift
        "$PY" "$LIB_DIR/bundle.py" edit "$b/config.json" "$@"
}

# json_get PATH <<<JSON: one value of a JSON document (strings raw).
json_get() {
        "$PY" "$LIB_DIR/bundle.py" get - "$1"
}

# A payload that runs until TERM (and then exits 0), after saying it is ready in /shared/NAME.
long_running() {
        local ready=${1:-ready}
        echo "trap 'exit 0' TERM; touch /shared/$ready; while :; do sleep 0.2; done"
}

# ---------------------------------------------------------------- running ctr-launch

# ctr ARGS...: the binary under test with the case's private state root. A command that hangs
# is killed after 30 s (CTR_TIMEOUT) and exits 124.
ctr() {
        # The id of a create or run (its last argument) is recorded, for the cgroup check of
        # leftovers().
        local a
        for a in "$@"; do
                if [ "$a" = create ] || [ "$a" = run ]; then
                        printf '%s\n' "${@: -1}" >>"$C/.ids"
                        break
                fi
        done
        timeout -k 5 "${CTR_TIMEOUT:-30}" "$CTR" --root "$ROOT" "$@"
}

# capture CMD...: runs CMD with stdin from /dev/null; sets RC, OUT, ERR. Never fails itself.
capture() {
        local o="$C/.out" e="$C/.err"
        "$@" </dev/null >"$o" 2>"$e" && RC=0 || RC=$?
        OUT=$(cat "$o")
        ERR=$(cat "$e")
}

# capture_start NAME CMD...: CMD in the background, stdin from /dev/null, its stdout and
# stderr in $C/NAME.out and $C/NAME.err; sets BG_PID. capture_end then collects it.
capture_start() {
        local name=$1
        shift
        "$@" </dev/null >"$C/$name.out" 2>"$C/$name.err" &
        BG_PID=$!
}

# capture_end PID NAME: waits for what capture_start NAME started as PID; sets RC, OUT, ERR.
capture_end() {
        wait "$1" && RC=0 || RC=$?
        OUT=$(cat "$C/$2.out")
        ERR=$(cat "$C/$2.err")
}

# capture_ok WHAT CMD...: capture CMD, which must exit 0; WHAT names it in the failure.
capture_ok() {
        local what=$1
        shift
        capture "$@"
        assert_rc 0 "$what"
}

show() {
        printf 'rc=%s\n--- stdout:\n%s\n--- stderr:\n%s\n---' "$RC" "$OUT" "$ERR"
}

# mk_bundle_sh NAME SCRIPT [CFG-OPS...]: a bundle $C/NAME running `sh -c SCRIPT`, edited with
# the bundle.py OPS. Sets B.
mk_bundle_sh() {
        local name=$1 script=$2
        shift 2
        mk_bundle "$name" /bin/sh -c "$script"
        [ $# = 0 ] || cfg "$B" "$@"
}

# run_in NAME SCRIPT [CFG-OPS...]: mk_bundle_sh's bundle run as container NAME with `ctr run`;
# sets RC, OUT, ERR and asserts exit 0.
run_in() {
        local name=$1 script=$2
        mk_bundle_sh "$@"
        capture ctr run -b "$B" "$name"
        assert_rc 0 "run of $name (sh -c '$script')"
}

# create_refused NAME REGEX [CFG-OPS...]: create fails with one error line matching REGEX.
create_refused() {
        local name=$1 re=$2
        shift 2
        mk_bundle "$name"
        cfg "$B" "$@"
        capture ctr create -b "$B" "$name"
        assert_fails "create of $name"
        assert_one_error_line "create of $name" "$re"
}

# words TEXT: TEXT on one line, words separated by one blank.
words() {
        printf '%s\n' "$1" | tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//'
}

# ---------------------------------------------------------------- assertions

assert_rc() {
        local want=$1 what=$2
        [ "$RC" = "$want" ] || fail "$what: expected exit status $want, got $RC
$(show)"
}

assert_fails() {
        local what=$1
        [ "$RC" != 0 ] || fail "$what: expected a failure, but it exited 0
$(show)"
        [ "$RC" != 124 ] && [ "$RC" != 137 ] || fail "$what: timed out (exit $RC) instead of failing
$(show)"
        [ "$RC" -lt 126 ] || fail "$what: died by a signal or could not run (exit $RC) instead of failing cleanly
$(show)"
}

# assert_one_error_line WHAT REGEX: stderr is exactly one line, starting with "ctr-launch:", and
# matching the extended REGEX (case-insensitive).
assert_one_error_line() {
        local what=$1 re=$2 n
        n=$(printf '%s' "$ERR" | grep -c '' || true)
        [ "$n" = 1 ] || fail "$what: expected exactly one line on stderr, got $n
$(show)"
        case $ERR in
        ctr-launch:*) ;;
        *) fail "$what: expected stderr to start with \"ctr-launch:\", got: $ERR" ;;
        esac
        printf '%s' "$ERR" | grep -Eqi -- "$re" || fail "$what: expected the error to match /$re/, got: $ERR"
}

# status ID: the container's status per `ctr-launch state`, or "error" if state fails.
status_of() {
        local out
        out=$(ctr state "$1" 2>/dev/null) || { echo error; return 0; }
        json_get status <<<"$out" 2>/dev/null || echo unparsable
}

status_is() {
        [ "$(status_of "$1")" = "$2" ]
}

assert_status() {
        local id=$1 want=$2 got
        got=$(status_of "$id")
        [ "$got" = "$want" ] || fail "status of $id: expected $want, got $got ($(ctr state "$id" 2>&1 | tr '\n' ' '))"
}

pid_of() {
        ctr state "$1" | json_get pid
}

pid_alive() {
        # Alive and not a zombie.
        local s
        s=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
        [ -n "$s" ] && [ "$s" != Z ] && [ "$s" != X ]
}

# ---------------------------------------------------------------- nothing left behind

mount_snapshot() {
        # mount point, root, fs type, source: mount ids change, these do not.
        awk '{ for (i = 7; $i != "-"; i++) ; print $5, $4, $(i+1), $(i+2) }' /proc/self/mountinfo | sort
}

# marked_procs MARK [DIR]: "PID cmdline" of live processes carrying MARK in their environment
# or command line, or mentioning DIR in their command line, environment or open files; the
# scanner's own ancestors excepted. Not in a pipeline: its other commands carry MARK too.
marked_procs() {
        "$PY" - "$1" "${2:-}" <<'EOF'
import os, sys
mark = ("CTR_TEST_MARK=" + sys.argv[1]).encode()
where = sys.argv[2].encode()
ours, p = set(), os.getpid()
while p > 1:
    ours.add(p)
    try:
        with open(f"/proc/{p}/stat") as f:
            p = int(f.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        break
for d in os.listdir("/proc"):
    if not d.isdigit() or int(d) in ours:
        continue
    try:
        with open(f"/proc/{d}/stat") as f:
            if f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                continue
        with open(f"/proc/{d}/environ", "rb") as f:
            env = f.read().split(b"\0")
        with open(f"/proc/{d}/cmdline", "rb") as f:
            cmd = f.read()
    except OSError:
        continue
    hit = mark in env or mark in cmd
    if where and not hit:
        # Also what mentions the case's directory: the command line, the environment, an
        # open file (an init blocked on <root>/<id>/exec.fifo holds it; runc's init has a
        # clean environment, for example).
        hit = where in cmd or any(where in e for e in env)
        if not hit:
            try:
                for fd in os.listdir(f"/proc/{d}/fd"):
                    if where in os.readlink(f"/proc/{d}/fd/{fd}").encode():
                        hit = True
                        break
            except OSError:
                pass
    if hit:
        cmd = cmd.replace(b"\0", b" ").replace(b"\n", b" ").decode(errors="replace").strip()
        print(d, cmd[:160] + ("..." if len(cmd) > 160 else ""))
EOF
}

# case_cgroups: the default cgroups (/ctr-launch/ID, in every hierarchy, v1 or v2) of the
# containers the case created or ran that exist now.
case_cgroups() {
        local id d
        [ -s "$C/.ids" ] || return 0
        for id in $(sort -u "$C/.ids"); do
                [[ $id =~ ^[A-Za-z0-9_+-][A-Za-z0-9_+.-]*$ ]] || continue
                for d in /sys/fs/cgroup/ctr-launch/"$id" /sys/fs/cgroup/*/ctr-launch/"$id"; do
                        if [ -d "$d" ]; then echo "$d"; fi
                done
        done
}

# Everything the case may have left behind, one line each; empty if nothing.
leftovers() {
        local before=$1 entries now
        if [ -d "$ROOT" ]; then
                entries=$(ls -A "$ROOT")
                [ -z "$entries" ] || echo "state root $ROOT still holds: $(echo "$entries" | tr '\n' ' ')"
        fi
        # Never in a pipeline: the other commands of a pipeline carry the marker too.
        marked_procs "$MARK" "$C" >"$C/.procs"
        sed 's/^/process left: /' "$C/.procs"
        case_cgroups | sed 's/^/cgroup left: /'
        now=$(mount_snapshot)
        if [ "$now" != "$before" ]; then
                diff <(echo "$before") <(echo "$now") | grep '^[<>]' | sed 's/^>/new mount:/; s/^</mount gone:/' || true
        fi
}

# The check after each case: nothing left since the mount table CASE_MOUNTS was taken.
case_nothing_left() {
        assert_none_left "" leftovers "$CASE_MOUNTS"
}

# Removes whatever a case left, so that the next one starts clean.
case_cleanup() {
        local id p mp
        if [ -d "$ROOT" ]; then
                for id in $(ls -A "$ROOT"); do
                        timeout -k 2 10 "$CTR" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
                done
        fi
        marked_procs "$MARK" "$C" >"$C/.procs"
        for p in $(awk '{print $1}' "$C/.procs"); do
                kill -9 "$p" 2>/dev/null || true
        done
        for mp in $(awk -v d="$C" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
                umount -l "$mp" 2>/dev/null || true
        done
        for mp in $(case_cgroups); do
                find "$mp" -depth -type d -exec rmdir {} + 2>/dev/null || true
        done
        rm -rf "$ROOT" 2>/dev/null || true
        find "$C" -mindepth 2 -maxdepth 2 -name rootfs -type d -exec rm -rf {} + 2>/dev/null || true
}

# ---------------------------------------------------------------- cases

# case_marked FUNC [ARGS...]: FUNC with the case's marker in its environment (only in the
# case's subshell: the harness's own commands must not carry it).
case_marked() {
        export CTR_TEST_MARK=$MARK
        "$@"
}

# case_run NAME FUNC [ARGS...]: runs FUNC in a subshell with errexit, then the leftover check
# (tests/assert.sh, case_body), then cleans up and reports.
case_run() {
        local name=$1 l
        shift
        case_begin "$name" || return 0
        C=$T/cases/$name
        ROOT=$C/state
        MARK="$RUN_MARK-$CASES_RUN"
        CASE_SKIP_FILE=$C/.skip
        mkdir -p "$C"
        CASE_MOUNTS=$(mount_snapshot)
        case_body case_nothing_left case_marked "$@"
        if [ "$CASE_RC" != 0 ]; then
                # Still say what the failure left behind: it helps to find the cause.
                l=$(leftovers "$CASE_MOUNTS")
                [ -z "$l" ] || echo "  [$name] after the failure, left behind: $(echo "$l" | tr '\n' ';')" >&2
        fi
        case_cleanup
        case_record
}

lib_finish() {
        cases_finish
}

lib_exit() {
        local rc=$? d p mp
        trap - EXIT
        set +e
        if [ -d "$T/cases" ]; then
                for d in "$T"/cases/*/state; do
                        [ -d "$d" ] || continue
                        for id in $(ls -A "$d"); do
                                timeout -k 2 10 "$CTR" --root "$d" delete --force "$id" >/dev/null 2>&1
                        done
                done
        fi
        marked_procs "$RUN_MARK" "$T" >"$T/.procs"
        for p in $(awk '{print $1}' "$T/.procs"); do
                kill -9 "$p" 2>/dev/null
        done
        # Prefix match: every case's marker starts with RUN_MARK.
        for p in $("$PY" -c '
import os, sys
m = ("CTR_TEST_MARK=" + sys.argv[1]).encode()
for d in os.listdir("/proc"):
    if d.isdigit() and int(d) != os.getpid():
        try:
            if any(e.startswith(m) for e in open(f"/proc/{d}/environ", "rb").read().split(b"\0")):
                print(d)
        except OSError:
            pass' "$RUN_MARK"); do
                kill -9 "$p" 2>/dev/null
        done
        for mp in $(awk -v d="$T" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
                umount -l "$mp"
        done
        if [ -n "${CTR_TEST_KEEP:-}" ]; then
                echo "kept $T" >&2
        else
                rm -rf "$T"
        fi
        exit "$rc"
}
