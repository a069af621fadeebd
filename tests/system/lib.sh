# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# The system test host: a real systemd 252 booted on an overlay of this machine's root, with the
# fresh build installed in it, driven from outside. Two implementations, chosen by CTR_TEST_HOST:
#   nspawn (the default)  systemd-nspawn on this machine's kernel and cgroup layout (hybrid
#                         here), driven with nsenter: host-nspawn.sh
#   vm                    a qemu VM booting Debian 12's own kernel, unified cgroups, systemd as
#                         the real PID 1, driven through a command directory: host-vm.sh
# The scenario scripts are the same for both. Sourced by each scenario script, which then calls
#   sys_init "$@"        arguments: the meson build root, the ctr-launch binary of the build
#   host_boot            (one boot per script: it takes seconds; cases share it; the VM is
#                        booted once per suite by vm-suite.sh and each script attaches to it)
#   case_run NAME FUNC   once per case
#   sys_finish           the TAP plan; exit status 0 if no case failed
# The report is TAP (tests/assert.sh). Not root: the script is skipped ("1..0 # SKIP").
# The EXIT trap tears the host down (host_teardown), whatever happened, a half-done boot too.
#
# Inside the test host:
#   - the build is installed by `meson install` with DESTDIR: ctr-launch is $HOST_CTR
#     (/usr/local/bin/ctr-launch with the default prefix);
#   - bundles go to /var/lib/ctr-launch/ID (the place the design gives ctr@ID), made from this
#     side under $HOST_ROOT; the directory starts empty (opaque over the machine's own);
#   - $HOST_ROOT is the test host's / seen from here, live both ways (the VM's root is that
#     very overlay, shared over virtio-9p): write its files from here, read what it wrote;
#   - $HOST_UNIFIED is the unified cgroup hierarchy's mount point (/sys/fs/cgroup/unified on
#     a hybrid host, /sys/fs/cgroup on a unified one), $HOST_CGROUP_LAYOUT hybrid or unified;
#   - containers use the default state root, /run/ctr-launch.
# host_run CMD... runs CMD as root in the test host with a clean environment and passes its
# stdout, stderr and exit status on. Its stdin: the caller's on nspawn; /dev/null on the VM
# unless HOST_RUN_STDIN=- (then the caller's stdin is read to its end first), so that a
# scenario meaning to feed a command says so: `HOST_RUN_STDIN=- host_run CMD <FILE`. Do not
# nsenter or name a PID of this machine in a scenario: use host_run (host_fails for "! CMD").
#
# On this machine the script runs in a mount namespace of its own (the overlay is private to
# it); see host-*.sh for what else each host sets up, and the teardown removes it all.
#
# Environment knobs: CTR_TEST_HOST=nspawn|vm; CTR_TEST_ONLY=REGEX runs the matching cases only;
# CTR_TEST_KEEP=1 keeps the scratch directory (the overlay's upper layer, the boot log);
# CTR_TEST_VERBOSE=1 traces the cases (set -x); CTR_BOOT_TIMEOUT (default 60 s with nspawn,
# 600 s with the VM).

set -euo pipefail

if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi

HOST_DIR=""     # scratch directory on this machine: upper/ work/ root/ and the host's logs
HOST_ROOT=""    # the overlay, the test host's / as seen from here
HOST_UP=""      # set once host_boot succeeded
HOST_UNIFIED="" # the unified cgroup hierarchy in the test host (host_layout_probe)
HOST_CGROUP_LAYOUT=""
HOST_SYSTEMD_HIERARCHIES=() # where systemd tracks units: "0" (unified), and "name=systemd" on hybrid
HOST_BUNDLES=/var/lib/ctr-launch
HOST_STATE=/run/ctr-launch
HOST_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# How many times slower than this machine the test host runs (host_boot sets it): 1 for nspawn,
# 4 for the VM under TCG. For the few bounds a scenario asserts on a time (not wait_for's).
HOST_SLOWDOWN=1
# The environment of every command run in the test host (host_run).
HOST_ENV=(PATH="$HOST_PATH" LANG=C.UTF-8 SYSTEMD_PAGER=cat SYSTEMD_COLORS=0 G_DEBUG=fatal-criticals)

# ---------------------------------------------------------------- reporting

WAIT_DEFAULT=15
# shellcheck source=../assert.sh
source "$(dirname "${BASH_SOURCE[0]}")/../assert.sh"

CTR_TEST_HOST=${CTR_TEST_HOST:-nspawn}
case $CTR_TEST_HOST in
nspawn | vm) ;;
*) hard_error "CTR_TEST_HOST=$CTR_TEST_HOST: expected nspawn or vm" ;;
esac
# The implementation: host_impl_check, host_boot, host_run, host_stop.
# shellcheck source=host-nspawn.sh
source "$(dirname "${BASH_SOURCE[0]}")/host-$CTR_TEST_HOST.sh"

# ---------------------------------------------------------------- setup

sys_init() {
        if [ "$(id -u)" != 0 ]; then
                skip "system tests boot systemd ($CTR_TEST_HOST test host) and need root (uid is $(id -u))"
        fi
        [ $# -ge 1 ] || hard_error "usage: $0 MESON-BUILD-ROOT [PATH-TO-ctr-launch]"
        BUILD_DIR=$(readlink -f "$1")
        CTR_BUILT=${2:+$(readlink -f "$2")}
        [ -f "$BUILD_DIR/build.ninja" ] || hard_error "$BUILD_DIR is not a meson build directory"

        # Anything missing here is an installation bug (tools/lib.sh's TEST_PACKAGES), never a
        # reason to skip.
        local tool
        for tool in meson mount umount; do
                command -v "$tool" >/dev/null ||
                        hard_error "$tool not found: install the test packages (tools/lib.sh TEST_PACKAGES)"
        done
        host_impl_check
        [ -x /lib/systemd/systemd ] || hard_error "no /lib/systemd/systemd to boot: install systemd"
        [ -x /usr/bin/dbus-daemon ] || [ -x /usr/bin/dbus-broker ] ||
                hard_error "no D-Bus daemon for the test host: install dbus"
        if ! /bin/busybox --list >/dev/null 2>&1; then
                hard_error "/bin/busybox missing: install busybox-static"
        fi
        if ldd /bin/busybox >/dev/null 2>&1; then
                hard_error "/bin/busybox is not statically linked: install busybox-static, not busybox"
        fi

        # A mount namespace of our own: the overlay is seen by nobody else (integration tests
        # that compare mount tables, running at the same time, included) and cannot outlive us.
        if [ -z "${CTR_SYS_UNSHARED:-}" ]; then
                command -v unshare >/dev/null || hard_error "unshare not found: install util-linux"
                CTR_SYS_UNSHARED=1 exec unshare --mount --propagation private bash "$0" "$@"
        fi

        trap host_teardown EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM
}

# The path, inside the test host, where meson installs the ctr-launch binary.
installed_ctr_path() {
        meson introspect "$BUILD_DIR" --installed | "$PY" -c '
import json, os, sys
for src, dst in json.load(sys.stdin).items():
    if os.path.basename(src) == "ctr-launch" and os.path.basename(dst) == "ctr-launch":
        print(dst)
        break
else:
    sys.exit("meson installs no ctr-launch binary")'
}

# A directory for the overlay's upper layer: overlayfs cannot have its upper layer on an
# overlayfs (a machine that is itself a container), so take the first that is not one.
scratch_parent() {
        local d
        for d in /var/tmp /tmp /root; do
                if [ -d "$d" ] && [ "$(stat -f -c %T "$d")" != overlayfs ]; then
                        echo "$d"
                        return 0
                fi
        done
        hard_error "no directory outside an overlayfs for the test host's upper layer"
}

# host_root_make BUILD_DIR: the test host's root: an overlay of this machine's / on $HOST_ROOT
# with the build installed by meson and an empty bundle directory. Sets HOST_DIR, HOST_ROOT,
# HOST_CTR. HOST_INSTALL=none (set before host_boot): no meson install, and whatever meson
# would install is removed from the overlay (a copy this machine has), for a script that installs
# ctr-launch itself (package.sh) and sets HOST_CTR to where it will be.
host_root_make() {
        local build=$1
        HOST_DIR=$(mktemp -d "$(scratch_parent)/ctr-launch-sys.XXXXXX")
        mkdir "$HOST_DIR"/{upper,work,root}
        HOST_ROOT=$HOST_DIR/root
        mount -t overlay overlay -o "lowerdir=/,upperdir=$HOST_DIR/upper,workdir=$HOST_DIR/work" "$HOST_ROOT" ||
                hard_error "cannot mount the overlay of / on $HOST_ROOT"
        diag "test host: overlay of / on $HOST_ROOT"

        if [ "${HOST_INSTALL:-meson}" = none ]; then
                host_root_uninstall "$build"
                host_bundles_reset
                return 0
        fi
        [ "${HOST_INSTALL:-meson}" = meson ] || hard_error "HOST_INSTALL=$HOST_INSTALL: expected meson or none"
        DESTDIR=$HOST_ROOT meson install -C "$build" --no-rebuild --quiet >"$HOST_DIR/install.log" 2>&1 || {
                cat "$HOST_DIR/install.log" >&2
                hard_error "meson install into the test host failed"
        }
        host_ctr_locate
        if [ -n "${CTR_BUILT:-}" ] && ! cmp -s "$CTR_BUILT" "$HOST_ROOT$HOST_CTR"; then
                diag "test host: note: the installed $HOST_CTR differs from $CTR_BUILT (install rewrote it?)"
        fi
        host_bundles_reset
}

# host_root_uninstall BUILD_DIR: removes from the overlay every file that `meson install` of
# BUILD_DIR puts in the test host (HOST_INSTALL=none).
host_root_uninstall() {
        local f
        meson introspect "$1" --installed | "$PY" -c '
import json, sys
for dst in json.load(sys.stdin).values():
    print(dst)' >"$HOST_DIR/meson-installed" || hard_error "cannot tell what meson installs"
        while IFS= read -r f; do
                rm -f "$HOST_ROOT$f"
        done <"$HOST_DIR/meson-installed"
}

# Sets HOST_CTR, where meson installed ctr-launch in the test host.
host_ctr_locate() {
        HOST_CTR=$(installed_ctr_path) || hard_error "cannot tell where meson installs ctr-launch"
        [ -x "$HOST_ROOT$HOST_CTR" ] || hard_error "meson install did not put ctr-launch at $HOST_CTR"
}

# Bundles: an empty directory of our own, whatever the machine has there (rm through the
# overlay only whites it out in the upper layer); and the template of their root filesystems.
host_bundles_reset() {
        rm -rf --one-file-system "${HOST_ROOT:?}$HOST_BUNDLES"
        mkdir -p "$HOST_ROOT$HOST_BUNDLES"
        # System bundles must be root's alone, the way down included, whatever our umask.
        chmod 0755 "$HOST_ROOT$HOST_BUNDLES"
        rm -rf "$HOST_DIR/rootfs-template"
        make_rootfs_template "$HOST_DIR/rootfs-template"
}

# Sets HOST_UNIFIED, HOST_CGROUP_LAYOUT and HOST_SYSTEMD_HIERARCHIES from the booted test host's /sys/fs/cgroup.
host_layout_probe() {
        if host_run test -e /sys/fs/cgroup/cgroup.controllers; then
                HOST_UNIFIED=/sys/fs/cgroup
                HOST_CGROUP_LAYOUT=unified
                HOST_SYSTEMD_HIERARCHIES=(0)
        elif host_run test -e /sys/fs/cgroup/unified/cgroup.controllers; then
                HOST_UNIFIED=/sys/fs/cgroup/unified
                HOST_CGROUP_LAYOUT=hybrid
                HOST_SYSTEMD_HIERARCHIES=(0 name=systemd)
        else
                hard_error "test host: no unified cgroup hierarchy (a legacy-only host is not supported)"
        fi
}

# child_wait PID SECONDS: whether our child PID exited within SECONDS (and reaps it).
child_wait() {
        local i
        for ((i = 0; i < $2 * 10; i++)); do
                kill -0 "$1" 2>/dev/null || break
                sleep 0.1
        done
        if kill -0 "$1" 2>/dev/null; then return 1; fi
        wait "$1" 2>/dev/null || true
        return 0
}

# ---------------------------------------------------------------- inside the test host

# host_fails CMD...: CMD run in the test host failed (the "!" of a wait_for condition).
host_fails() {
        ! host_run "$@"
}


# host_ctr ARGS...: the installed ctr-launch, in the test host.
host_ctr() {
        host_run timeout -k 5 "${CTR_TIMEOUT:-30}" "$HOST_CTR" "$@"
}

# host_journal UNIT: the unit's journal in the test host.
host_journal() {
        host_run journalctl -u "$1" --no-pager -o short-monotonic
}

# host_journal_cursor: where the journal ends now, for host_journal_since.
host_journal_cursor() {
        host_run journalctl -n 0 --show-cursor --no-pager | sed -n 's/^-- cursor: //p'
}

# host_journal_since CURSOR UNIT [PRIORITY]: the messages of UNIT (its processes' and systemd's
# about it) after CURSOR ("": all), at PRIORITY or above (default 7, debug), one per line.
# journalctl is given no match: with one, systemd 252's --after-cursor skips the first matching
# entry after the cursor (sd_journal_next_skip(j, 2) assumes the cursor's own entry matches),
# which would hide a single warning from a test looking for none.
host_journal_since() {
        local after=()
        [ -z "$1" ] || after=("--after-cursor=$1")
        host_run journalctl --no-pager -o json "${after[@]}" | "$PY" -c '
import json, sys
unit, top = sys.argv[1], int(sys.argv[2])
for line in sys.stdin:
    e = json.loads(line)
    if unit not in (e.get("_SYSTEMD_UNIT"), e.get("UNIT"), e.get("USER_UNIT"), e.get("OBJECT_SYSTEMD_UNIT")):
        continue
    if int(e.get("PRIORITY", "6")) > top:
        continue
    m = e.get("MESSAGE", "")
    print(bytes(m).decode("utf-8", "replace") if isinstance(m, list) else m)' "$2" "${3:-7}"
}

# host_watch_unit UNIT: the case uses UNIT: its journal is printed if the case fails, and it
# must be gone (not active, no cgroup) when the case ends.
host_watch_unit() {
        echo "$1" >>"$HOST_DIR/case.units"
}

make_rootfs_template() {
        local r=$1 a
        mkdir -p "$r"/{bin,proc,sys,dev,tmp,etc,root,run,var}
        chmod 1777 "$r/tmp"
        cp /bin/busybox "$r/bin/busybox"
        for a in $(/bin/busybox --list); do
                [ "$a" = busybox ] || ln -s busybox "$r/bin/$a"
        done
        printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$r/etc/passwd"
        printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
}

# host_make_bundle ID ARGS...: a busybox bundle at /var/lib/ctr-launch/ID in the test host,
# config.json from `ctr-launch spec` with process.args = ARGS. The root stays read-only (the
# spec's default); the bundle's shared/ is bind-mounted read-write on /shared, a channel between
# the payload and the test. Sets HOST_BUNDLE (the path inside) and BUNDLE_DIR (the same
# directory seen from here).
host_make_bundle() {
        local id=$1
        shift
        [ $# -gt 0 ] || hard_error "host_make_bundle $id: no process.args"
        HOST_BUNDLE=$HOST_BUNDLES/$id
        BUNDLE_DIR=$HOST_ROOT$HOST_BUNDLE
        mkdir -p "$BUNDLE_DIR/shared"
        cp -a "$HOST_DIR/rootfs-template" "$BUNDLE_DIR/rootfs"
        host_ctr spec -b "$HOST_BUNDLE" || fail "ctr-launch spec -b $HOST_BUNDLE failed"
        host_bundle_set "$id" process.args "$("$PY" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@")"
        "$PY" - "$BUNDLE_DIR/config.json" "$HOST_BUNDLE/shared" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    cfg = json.load(f)
cfg["mounts"].append({"destination": "/shared", "type": "bind", "source": sys.argv[2],
                      "options": ["rbind", "rw"]})
with open(sys.argv[1], "w") as f:
    json.dump(cfg, f, indent=2)
EOF
        # Root's alone, as create wants a system bundle (the test's umask may be looser).
        chmod go-w "$BUNDLE_DIR" "$BUNDLE_DIR/rootfs" "$BUNDLE_DIR/config.json"
}

# host_copy_bundle FROM ID: bundle ID as a copy of bundle FROM (made by host_make_bundle), its
# /shared its own. Written from here: quicker than host_make_bundle's `spec` in the test host
# when a case needs many bundles alike (scale.sh). Sets HOST_BUNDLE and BUNDLE_DIR.
host_copy_bundle() {
        local from=$HOST_ROOT$HOST_BUNDLES/$1
        HOST_BUNDLE=$HOST_BUNDLES/$2
        BUNDLE_DIR=$HOST_ROOT$HOST_BUNDLE
        mkdir "$BUNDLE_DIR" "$BUNDLE_DIR/shared"
        cp -a "$from/rootfs" "$BUNDLE_DIR/rootfs"
        "$PY" - "$from/config.json" "$BUNDLE_DIR/config.json" "$HOST_BUNDLES/$1/shared" "$HOST_BUNDLE/shared" <<'EOF'
import json, sys
src, dst, old, new = sys.argv[1:]
with open(src) as f:
    cfg = json.load(f)
for m in cfg["mounts"]:
    if m.get("source") == old:
        m["source"] = new
with open(dst, "w") as f:
    json.dump(cfg, f, indent=2)
EOF
        chmod 0755 "$BUNDLE_DIR"
        chmod go-w "$BUNDLE_DIR/rootfs" "$BUNDLE_DIR/config.json"
}

# host_bundle_set ID PATH JSON [PATH JSON...]: sets the dotted PATHs of the bundle's
# config.json (objects made on the way).
host_bundle_set() {
        local id=$1
        shift
        "$PY" - "$HOST_ROOT$HOST_BUNDLES/$id/config.json" "$@" <<'EOF'
import json, sys
path, ops = sys.argv[1], sys.argv[2:]
with open(path) as f:
    cfg = json.load(f)
for key, value in zip(ops[::2], ops[1::2]):
    parts = key.split(".")
    o = cfg
    for p in parts[:-1]:
        o = o.setdefault(p, {})
    o[parts[-1]] = json.loads(value)
with open(path, "w") as f:
    json.dump(cfg, f, indent=2)
EOF
}

# host_pid_of ID: the container's init, per `ctr-launch state` in the test host (its PID there).
host_pid_of() {
        host_ctr state "$1" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["pid"])'
}

# host_cgroup_of PID [HIERARCHY]: the process's cgroup in the test host, from /proc/PID/cgroup;
# HIERARCHY is "0" (unified, the default) or a v1 controller list ("name=systemd", "memory").
host_cgroup_of() {
        host_run cat "/proc/$1/cgroup" | awk -F: -v h="${2:-0}" '
                (h == "0" && $1 == "0") || ($1 != "0" && $2 == h) {
                        sub(/^[^:]*:[^:]*:/, ""); print; exit }'
}

# host_cgroup_dirs NAME: the directories named NAME in any hierarchy of the test host, at
# most 4 levels deep (/sys/fs/cgroup/memory/system.slice/NAME is 3).
host_cgroup_dirs() {
        host_run find /sys/fs/cgroup -mindepth 1 -maxdepth 4 -type d -name "$1" 2>/dev/null || true
}

# ---------------------------------------------------------------- nothing left behind

# Everything a case may have left in the test host, one line each; empty if nothing.
host_leftovers() {
        local u st
        host_run sh -c "ls -A $HOST_STATE 2>/dev/null" | sed 's/^/container state left: /' || true
        host_run sh -c 'for d in /sys/fs/cgroup/ctr-launch /sys/fs/cgroup/*/ctr-launch; do
                        [ -d "$d" ] && find "$d" -mindepth 1 -type d; done; true' | sed 's/^/cgroup left: /'
        if [ -s "$HOST_DIR/case.units" ]; then
                for u in $(sort -u "$HOST_DIR/case.units"); do
                        st=$(host_run systemctl show -p ActiveState --value "$u" 2>/dev/null) || st=unknown
                        case $st in
                        active | activating | deactivating | reloading | refreshing)
                                echo "unit left $st: $u" ;;
                        esac
                        host_cgroup_dirs "$u" | sed "s/^/cgroup of $u left: /"
                done
        fi
}

host_assert_nothing_left() {
        assert_none_left " in the test host" host_leftovers
}

# Removes whatever a case left, so that the next one starts clean.
host_case_cleanup() {
        local id u
        for id in $(host_run sh -c "ls -A $HOST_STATE 2>/dev/null" || true); do
                host_ctr delete --force "$id" >/dev/null 2>&1 || true
        done
        if [ -s "$HOST_DIR/case.units" ]; then
                for u in $(sort -u "$HOST_DIR/case.units"); do
                        host_run systemctl kill -s KILL "$u" >/dev/null 2>&1 || true
                        host_run systemctl stop "$u" >/dev/null 2>&1 || true
                        host_run systemctl reset-failed "$u" >/dev/null 2>&1 || true
                done
        fi
        host_run sh -c 'for d in /sys/fs/cgroup/ctr-launch /sys/fs/cgroup/*/ctr-launch; do
                        [ -d "$d" ] && find "$d" -mindepth 1 -depth -type d -exec rmdir {} + ; done
                true' >/dev/null 2>&1 || true
        rm -f "$HOST_DIR/case.units"
}

# The journal of the case's units, or the whole journal since the case began.
host_case_journal() {
        local cursor=$1 u
        if [ -s "$HOST_DIR/case.units" ]; then
                for u in $(sort -u "$HOST_DIR/case.units"); do
                        echo "---- journal of $u:"
                        host_journal "$u" 2>&1 | tail -n 60 || true
                done
        else
                echo "---- journal of the test host during the case:"
                host_run journalctl --no-pager -o short-monotonic ${cursor:+--after-cursor="$cursor"} 2>&1 |
                        tail -n 80 || true
        fi
        echo "----"
}

# ---------------------------------------------------------------- cases

# host_case_begin NAME: case_begin (false if the case is not selected), and what a case in the
# test host starts from: no watched unit yet, CASE_CURSOR where the journal ends.
host_case_begin() {
        case_begin "$1" || return 1
        [ -n "$HOST_UP" ] || hard_error "a case before host_boot"
        # shellcheck disable=SC2034 # case_body's
        CASE_SKIP_FILE=$HOST_DIR/case.skip
        rm -f "$HOST_DIR/case.units"
        CASE_CURSOR=$(host_journal_cursor 2>/dev/null) || CASE_CURSOR=""
}

# case_run NAME FUNC [ARGS...]: runs FUNC in a subshell with errexit, then checks that nothing
# is left in the test host (tests/assert.sh, case_body); on failure, prints the journal of the
# units the case watched.
case_run() {
        host_case_begin "$1" || return 0
        shift
        case_body host_assert_nothing_left "$@"
        if [ "$CASE_RC" != 0 ]; then
                host_case_journal "$CASE_CURSOR" >&2
        fi
        host_case_cleanup
        case_record
}

sys_finish() {
        cases_finish
}

# ---------------------------------------------------------------- one TAP stream of several

# vm-suite.sh and integration.sh run other TAP scripts and make one stream of theirs: each case
# renumbered and named "SCRIPT: CASE", comments passed on.
TAP_N=0
TAP_FAILED=()

tap() { # tap ok|not-ok NAME
        TAP_N=$((TAP_N + 1))
        if [ "$1" = ok ]; then echo "ok $TAP_N - $2"; else echo "not ok $TAP_N - $2"; TAP_FAILED+=("$2"); fi
}

# tap_reemit NAME: re-emits the TAP on stdin as NAME's; a "@@exit N" line gives the status.
# Then one failed line if it bailed out or ended without a plan (STATUS: the status to name if
# no "@@exit" line came).
tap_reemit() {
        local name=$1 status=${2:-} line planned="" bailed=""
        while IFS= read -r line; do
                case $line in
                "@@exit "*) status=${line#@@exit } ;;
                "ok "* | "not ok "*)
                        local verdict=${line%% [0-9]*} rest=${line#* [0-9]* - }
                        [ "$verdict" = ok ] && tap ok "$name: $rest" || tap not-ok "$name: $rest"
                        ;;
                "1..0 # SKIP"*) tap ok "$name # SKIP${line#1..0 # SKIP}"; planned=1 ;;
                "1.."*) planned=1 ;;
                "Bail out!"*) bailed=${line#Bail out!} ;;
                "#"*) echo "$line" ;;
                *) echo "# $name: $line" ;;
                esac
        done
        TAP_STATUS=${status:-unknown}
        if [ -n "$bailed" ]; then
                tap not-ok "$name: bailed out:$bailed"
        elif [ -z "$planned" ]; then
                tap not-ok "$name: exited with status $TAP_STATUS before its plan"
        fi
}

# The plan, and the status: 1 if a case failed.
tap_finish() {
        echo "1..$TAP_N"
        if [ ${#TAP_FAILED[@]} != 0 ]; then
                diag "${#TAP_FAILED[@]} of $TAP_N failed: ${TAP_FAILED[*]}"
                exit 1
        fi
        exit 0
}

# ---------------------------------------------------------------- teardown

# mounts_under DIR: our mount points at or below DIR, deepest first.
mounts_under() {
        awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

# Powers the test host off (host_stop) and removes every trace of it; safe at any point of
# host_boot. Turns a passing run into a failure if something could not be cleaned.
host_teardown() {
        local rc=$? problems=() mp i
        trap - EXIT INT TERM
        set +e
        host_stop
        if [ -n "$HOST_DIR" ] && [ -d "$HOST_DIR" ]; then
                for mp in $(mounts_under "$HOST_DIR"); do
                        for ((i = 0; i < 20; i++)); do
                                umount "$mp" 2>/dev/null && break
                                sleep 0.5
                        done
                        if mountpoint -q "$mp"; then
                                problems+=("$mp busy: lazily unmounted")
                                umount -l "$mp"
                        fi
                done
                mp=$(mounts_under "$HOST_DIR")
                if [ -n "$mp" ]; then
                        problems+=("still mounted: $(echo "$mp" | tr '\n' ' ')")
                elif [ -n "${CTR_TEST_KEEP:-}" ]; then
                        echo "kept $HOST_DIR" >&2
                else
                        rm -rf --one-file-system "$HOST_DIR" || problems+=("cannot remove $HOST_DIR")
                fi
        fi
        if [ ${#problems[@]} != 0 ]; then
                printf 'teardown: %s\n' "${problems[@]}" >&2
                [ "$rc" != 0 ] || rc=1
        fi
        exit "$rc"
}
