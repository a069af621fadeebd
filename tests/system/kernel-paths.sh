#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 14, item 6: the test host's kernel decides some of ctr-launch's paths, and this script
# says which ran (lib.sh; on the VM, Debian 12's 6.1, the kernel most users have; on nspawn
# here, 6.18). kernel-features.py probes, in the test host, each kernel feature ctr-launch takes
# or falls back from (a TAP comment each); then a `ctr-launch run` under strace shows which way
# create went where the code has two. The paths and where each is tested: docs/vm-test-host.md.
#   features-as-versioned   every feature present exactly where its kernel version has it (a
#                           backport or a probe gone wrong would change a path unnoticed)
#   vm-kernel-documented    the VM only: its kernel lacks exactly what docs/vm-test-host.md says
#                           6.1 lacks; a kernel bump that changes a path fails here, to be
#                           reviewed, not silently
#   create-paths            memfd_create with MFD_EXEC, or without after EINVAL (before 6.3);
#                           openat2 (never the walk of kernels before 5.6); clone3 for a new user
#                           namespace (never clone); close_range(CLOSE_RANGE_CLOEXEC);
#                           mount_setattr for "rro"
#   kill-all-path           kill --all KILL: cgroup.kill (5.14), else SIGKILL by pidfd to each
#                           process
# The peer identity path (SO_PEERPIDFD, 6.5) is peer-identity.sh's.
# Usage: kernel-paths.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
sys_init "$@"
command -v strace >/dev/null || hard_error "strace not found: install the test packages (tools/lib.sh TEST_PACKAGES)"
host_boot "$BUILD_DIR"

PROBE=/usr/local/libexec/ctr-test-kernel-features
TRACE=/run/ctr-test-strace
# What Debian 12's kernel (6.1) lacks of what kernel-features.py probes (docs/vm-test-host.md).
VM_KERNEL_LACKS="memfd-exec so_peerpidfd pidfd_get_info"

install -D -m 0755 "$(dirname "$0")/kernel-features.py" "$HOST_ROOT$PROBE"
KERNEL=$(host_run uname -r)
FEATURES=$(host_run "$PROBE") || hard_error "kernel-features.py failed in the test host: $FEATURES"
while read -r name have want since; do
        since=${since#since=}
        diag "kernel $KERNEL: $name ${have#have=} (mainline since $since)"
done <<<"$FEATURES"

# has FEATURE: the test host's kernel has it.
has() {
        printf '%s\n' "$FEATURES" | grep -q "^$1 have=yes "
}

case_features_as_versioned() {
        local wrong
        wrong=$(printf '%s\n' "$FEATURES" | awk '$2 != "have=" substr($3, 6)')
        [ -z "$wrong" ] || fail "kernel $KERNEL, not as its version says (mainline):
$wrong"
}

case_vm_kernel_documented() {
        [ "$CTR_TEST_HOST" = vm ] || skip "the VM's kernel only (this test host runs $KERNEL)"
        local lacks
        lacks=$(printf '%s\n' "$FEATURES" | awk '$2 == "have=no" { printf "%s%s", sep, $1; sep = " " }')
        [ "$lacks" = "$VM_KERNEL_LACKS" ] ||
                fail "the VM's kernel ($KERNEL) lacks \"$lacks\", not \"$VM_KERNEL_LACKS\" as docs/vm-test-host.md says: review the paths it lists and update both"
}

case_create_paths() {
        host_make_bundle paths true
        # A new user namespace (clone3), and a recursively read-only bind (mount_setattr).
        "$PY" - "$BUNDLE_DIR/config.json" "$HOST_BUNDLE/shared" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    cfg = json.load(f)
ids = [{"containerID": 0, "hostID": 0, "size": 65536}]
cfg["linux"]["namespaces"].append({"type": "user"})
cfg["linux"]["uidMappings"] = cfg["linux"]["gidMappings"] = ids
cfg["mounts"].append({"destination": "/shared-ro", "type": "bind", "source": sys.argv[2],
                      "options": ["rbind", "rro"]})
with open(sys.argv[1], "w") as f:
    json.dump(cfg, f, indent=2)
EOF
        OUT=$(host_run timeout -k 5 "${CTR_TIMEOUT:-30}" strace -f -qq -o "$TRACE" \
                -e trace=memfd_create,openat2,clone3,clone,close_range,mount_setattr \
                "$HOST_CTR" run --bundle "$HOST_BUNDLE" paths 2>&1) || fail "ctr-launch run under strace: $OUT"
        TRACED=$(host_run cat "$TRACE")
        host_run rm -f "$TRACE"
        local want_exec=no
        has memfd-exec && want_exec=yes
        printf '%s\n' "$TRACED" | "$PY" -c '
import re, sys
want_exec = sys.argv[1] == "yes"
calls = []   # (name, arguments, result), the unfinished/resumed halves joined per pid
pending = {}
for line in sys.stdin:
    m = re.match(r"(\d+)\s+(.*)", line.rstrip("\n"))
    if not m:
        continue
    pid, rest = m.groups()
    m = re.match(r"<\.\.\. (\w+) resumed>(.*)", rest)
    if m:
        name, args = pending.pop(pid, (m.group(1), ""))
        rest = name + "(" + args + m.group(2)
    elif rest.endswith("<unfinished ...>"):
        m = re.match(r"(\w+)\((.*)", rest[:-len("<unfinished ...>")])
        if m:
            pending[pid] = m.groups()
        continue
    m = re.match(r"(\w+)\((.*)\)\s+= (.*)$", rest)
    if m:
        calls.append(m.groups())
problems = []
def fail(msg):
    problems.append(msg)
def failed(result):
    return result.startswith("-1 ")

stub = [(a, r) for n, a, r in calls if n == "memfd_create" and "ctr-launch-exec" in a]
has_exec = lambda a: re.search(r"\|(MFD_EXEC|0x10)\b", a) is not None
if want_exec:
    if not stub or not has_exec(stub[0][0]) or failed(stub[0][1]) or len(stub) != 1:
        fail("the exec stub memfd: one memfd_create with MFD_EXEC, succeeding: %s" % stub)
else:
    if len(stub) != 2 or not has_exec(stub[0][0]) or not stub[0][1].startswith("-1 EINVAL") or \
            has_exec(stub[1][0]) or failed(stub[1][1]):
        fail("the exec stub memfd: MFD_EXEC refused (EINVAL), then without it: %s" % stub)
o2 = [r for n, a, r in calls if n == "openat2"]
if not o2:
    fail("no openat2 at all")
bad = [r for r in o2 if r.startswith("-1 ENOSYS") or r.startswith("-1 EPERM")]
if bad:
    fail("openat2 answered %s: the walk of kernels before 5.6 ran" % bad[0])
c3 = [(a, r) for n, a, r in calls if n == "clone3" and "CLONE_NEWUSER" in a]
if not c3 or any(failed(r) for a, r in c3):
    fail("the init forked with clone3 and CLONE_NEWUSER: %s" % c3)
if any(n == "clone" and "CLONE_NEWUSER" in a for n, a, r in calls):
    fail("clone with CLONE_NEWUSER: the fallback of kernels before 5.3 ran")
cr = [r for n, a, r in calls if n == "close_range" and "CLOSE_RANGE_CLOEXEC" in a]
if not cr or any(failed(r) for r in cr):
    fail("close_range(CLOSE_RANGE_CLOEXEC): %s" % cr)
ms = [r for n, a, r in calls if n == "mount_setattr" and "MOUNT_ATTR_RDONLY" in a and "AT_RECURSIVE" in a]
if not ms or any(failed(r) for r in ms):
    fail("mount_setattr for rro: %s" % ms)
print("%d calls traced; exec stub memfd: %s; openat2: %d; clone3: %s; close_range CLOEXEC: %s; mount_setattr: %s"
      % (len(calls), [r for a, r in stub], len(o2), [r for a, r in c3], cr, ms))
if problems:
    sys.exit("\n".join(problems))' "$want_exec" >"$HOST_DIR/paths.out" 2>&1 || {
                cat "$HOST_DIR/paths.out" >&2
                fail "create did not take the paths kernel $KERNEL calls for"
        }
        note "$(cat "$HOST_DIR/paths.out")"
}

stopped() {
        host_ctr state "$1" | grep -q '"status" *: *"stopped"'
}

# kill --all with SIGKILL: one write to cgroup.kill (5.14) where the container's cgroup is on
# a v2 hierarchy that has it, else each process frozen and signalled by pidfd.
case_kill_all_path() {
        host_make_bundle killall sh -c 'trap "exit 0" TERM; sleep 1000 & touch /shared/running; wait'
        host_ctr create --bundle "$HOST_BUNDLE" killall
        host_ctr start killall
        wait_for "the payload to run" test -e "$BUNDLE_DIR/shared/running"
        OUT=$(host_run timeout -k 5 "${CTR_TIMEOUT:-30}" strace -f -qq -y -o "$TRACE" \
                -e trace=write,pidfd_send_signal -e signal=none \
                "$HOST_CTR" kill --all killall KILL 2>&1) || fail "ctr-launch kill --all under strace: $OUT"
        TRACED=$(host_run cat "$TRACE")
        host_run rm -f "$TRACE"
        local kill_writes signals want=per-process
        kill_writes=$(printf '%s\n' "$TRACED" | grep -c 'cgroup\.kill>, "1", 1) = 1' || true)
        signals=$(printf '%s\n' "$TRACED" | grep -c 'pidfd_send_signal(.*SIGKILL' || true)
        note "kill --all: $kill_writes write(s) to cgroup.kill, $signals pidfd_send_signal(SIGKILL)"
        # The container is tracked on the unified hierarchy on both layouts (on hybrid, its
        # /sys/fs/cgroup/unified): the kernel decides.
        has cgroup.kill && want=cgroup.kill
        if [ "$want" = cgroup.kill ]; then
                [ "$kill_writes" = 1 ] && [ "$signals" = 0 ] ||
                        fail "kill --all on $HOST_CGROUP_LAYOUT cgroups, kernel $KERNEL: not one write to cgroup.kill:
$TRACED"
        else
                [ "$signals" -ge 2 ] || fail "kill --all on $HOST_CGROUP_LAYOUT cgroups: not a SIGKILL per process:
$TRACED"
        fi
        wait_for "the container to stop" stopped killall
        host_ctr delete killall
}

case_run features-as-versioned case_features_as_versioned
case_run vm-kernel-documented case_vm_kernel_documented
case_run create-paths case_create_paths
case_run kill-all-path case_kill_all_path
sys_finish
