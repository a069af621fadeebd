# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# The nspawn test host (lib.sh, CTR_TEST_HOST=nspawn, the default): systemd 252 booted with
# systemd-nspawn on an overlay of this machine's root, so on this machine's kernel and cgroup
# layout (hybrid here), driven from outside with nsenter.
#   - the v1 cgroup controllers are remounted read-write (nspawn mounts them read-only) so that
#     a runtime can use them, as on a real hybrid host;
#   - commands run with host_run (nsenter) are outside nspawn's seccomp filter and capability
#     bounding set, and above the test host's cgroups ("/.." in their /proc/self/cgroup: they
#     stay in ours); what systemctl or systemd-run starts is inside all of that, like a real
#     service;
#   - the test host runs in cgroups of its own below ours, ctr-launch-sys.PID in every hierarchy
#     (host_cgroups_make); the teardown removes them.
# Sourced by lib.sh, which it completes with host_impl_check, host_boot, host_run, host_stop.

HOST_NSPAWN=""  # PID of systemd-nspawn
HOST_PID1=""    # PID (here) of the test host's systemd
HOST_CGROUPS=() # the test host's cgroups, one per hierarchy (host_cgroups_make)
HOST_MACHINE="ctrsys-$$"

# Anything missing here is an installation bug (tools/lib.sh's TEST_PACKAGES), never a reason
# to skip.
host_impl_check() {
        local tool
        for tool in systemd-nspawn nsenter setsid; do
                command -v "$tool" >/dev/null ||
                        hard_error "$tool not found: install the test packages (tools/lib.sh TEST_PACKAGES)"
        done
}

# The test host gets a cgroup of its own in every hierarchy, below ours: ctr-launch-sys.PID. On
# this machine nobody (no systemd) makes one for nspawn, which would then put the test host's
# v1 hierarchies at their roots, shared with this machine and with any other test host (their
# system.slice/ctrtest-c2.scope would be the same directory). Sets HOST_CGROUPS.
host_cgroups_make() {
        local d
        HOST_CGROUPS=()
        # One "DIR" per hierarchy mounted under /sys/fs/cgroup: our own cgroup in it (from
        # /proc/self/cgroup, the unified "0::" line or the v1 line naming the mount's
        # controllers), seen through the mount.
        for d in $("$PY" - "ctr-launch-sys.$$" <<'EOF'
import os, sys
own = {}
for line in open("/proc/self/cgroup"):
    hid, ctrls, path = line.rstrip("\n").split(":", 2)
    own["" if hid == "0" else ctrls] = path
for line in open("/proc/self/mountinfo"):
    f = line.split()
    sep = f.index("-")
    fstype, mp, root, sopts = f[sep + 1], f[4], f[3], f[sep + 3].split(",")
    if fstype not in ("cgroup", "cgroup2") or not mp.startswith("/sys/fs/cgroup/"):
        continue
    if fstype == "cgroup2":
        key = ""
    else:
        key = next((k for k in own if k and set(k.split(",")) <= set(sopts)), None)
    path = own.get(key)
    if path is None or not (path + "/").startswith(root.rstrip("/") + "/"):
        continue
    print(os.path.join(mp, path[len(root.rstrip("/")):].lstrip("/"), sys.argv[1]))
EOF
        ); do
                mkdir "$d" || hard_error "cannot make the test host's cgroup $d"
                HOST_CGROUPS+=("$d")
                # v1 cpuset: no task may join a cpuset with no CPU or memory node.
                if [ -f "$d/cpuset.cpus" ]; then
                        cat "$(dirname "$d")/cpuset.cpus" >"$d/cpuset.cpus"
                        cat "$(dirname "$d")/cpuset.mems" >"$d/cpuset.mems"
                fi
        done
        [ ${#HOST_CGROUPS[@]} != 0 ] || hard_error "no cgroup hierarchy of ours under /sys/fs/cgroup"
}

# Removes the test host's cgroups (what its systemd left in them too), deepest first.
host_cgroups_remove() {
        local d
        for d in "${HOST_CGROUPS[@]}"; do
                [ -d "$d" ] || continue
                find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
                [ ! -d "$d" ] || echo "$d"
        done
}

# Children of PID, from /proc (nspawn's children: a helper first, then the container's init).
children_of() {
        cat /proc/"$1"/task/*/children 2>/dev/null || true
}

find_pid1() {
        local c
        for c in $(children_of "$HOST_NSPAWN"); do
                if [ "$(cat "/proc/$c/comm" 2>/dev/null)" = systemd ]; then
                        echo "$c"
                        return 0
                fi
        done
        return 1
}

host_boot_failed() {
        echo "---- systemd-nspawn log ($HOST_DIR/nspawn.log):" >&2
        tail -n 80 "$HOST_DIR/nspawn.log" >&2 || true
        echo "----" >&2
        hard_error "test host: $*"
}

# host_boot [BUILD_DIR]: mounts the overlay, installs the build, boots, waits for the system to
# be up. Sets HOST_DIR, HOST_ROOT, HOST_NSPAWN, HOST_PID1, HOST_CTR, HOST_UP.
host_boot() {
        local build=${1:-$BUILD_DIR} timeout=${CTR_BOOT_TIMEOUT:-60} state="" t0 i d
        t0=$(date +%s%N)

        host_root_make "$build"

        # setsid: nspawn wants a session of its own; --register=no: this machine's PID 1 is not
        # systemd (no machined); basic.target: services installed on this machine (a database,
        # say) must not hold the boot up. --capability=all and the @keyring/bpf syscalls: what
        # a runtime started as a service needs (design.md).
        host_cgroups_make
        # $! is nspawn itself: a background subshell is no process group leader (no job
        # control), so setsid(1) does not fork.
        (
                for d in "${HOST_CGROUPS[@]}"; do
                        echo "$BASHPID" >"$d/cgroup.procs"
                done
                exec env -u NOTIFY_SOCKET -u LISTEN_FDS -u LISTEN_PID \
                        setsid systemd-nspawn -D "$HOST_ROOT" -b --register=no --keep-unit -M "$HOST_MACHINE" \
                        --capability=all --system-call-filter='@keyring bpf' \
                        -- --unit=basic.target
        ) </dev/null >"$HOST_DIR/nspawn.log" 2>&1 &
        HOST_NSPAWN=$!

        for ((i = 0; i < timeout * 10; i++)); do
                kill -0 "$HOST_NSPAWN" 2>/dev/null || host_boot_failed "systemd-nspawn exited during the boot"
                if [ -z "$HOST_PID1" ]; then
                        HOST_PID1=$(find_pid1) || HOST_PID1=""
                fi
                if [ -n "$HOST_PID1" ]; then
                        # Early on the bus is not up and this fails: poll.
                        state=$(host_run systemctl is-system-running 2>/dev/null) || true
                        case $state in
                        running | degraded) break ;;
                        esac
                fi
                sleep 0.1
        done
        case $state in
        running) ;;
        degraded)
                diag "test host: degraded; failed units:"
                diag "$(host_run systemctl --failed --no-legend --plain || true)"
                ;;
        *) host_boot_failed "not up after $timeout s (PID 1: ${HOST_PID1:-not found}, state: ${state:-none})" ;;
        esac

        # nspawn mounts the v1 controllers read-only; a runtime in there needs them writable.
        host_run sh -c 'for c in /sys/fs/cgroup/*; do
                        if mountpoint -q "$c"; then mount -o remount,bind,rw "$c" || exit 1; fi
                done' || host_boot_failed "cannot remount the cgroup hierarchies read-write"
        host_layout_probe
        HOST_UP=1

        diag "test host: $HOST_MACHINE up ($state, $HOST_CGROUP_LAYOUT cgroups) in $(( ($(date +%s%N) - t0) / 1000000 )) ms;" \
                "systemd-nspawn $HOST_NSPAWN, PID 1 is $HOST_PID1 here; ctr-launch at $HOST_CTR"
}

# host_run CMD...: CMD inside the test host (all its namespaces, its root), with a clean
# environment. Outside nspawn's seccomp filter and capability limits (see the top).
host_run() {
        [ -n "$HOST_PID1" ] || hard_error "host_run before host_boot"
        nsenter -t "$HOST_PID1" -a -- env -i "${HOST_ENV[@]}" "$@"
}

nspawn_alive() {
        [ -n "$HOST_NSPAWN" ] && kill -0 "$HOST_NSPAWN" 2>/dev/null
}

# wait_nspawn SECONDS: whether systemd-nspawn exited within SECONDS (reaps it: it is our child).
wait_nspawn() {
        [ -z "$HOST_NSPAWN" ] || child_wait "$HOST_NSPAWN" "$1"
}

# Powers the test host off, then removes its cgroups; adds what went wrong to the caller's
# problems (host_teardown).
host_stop() {
        local mp
        if nspawn_alive; then
                # nspawn turns SIGTERM into a clean shutdown of the container (SIGRTMIN+3): the
                # way out when the bus is not up yet (a boot that failed half way).
                if [ -n "$HOST_PID1" ] && timeout 15 nsenter -t "$HOST_PID1" -a -- \
                        env -i PATH="$HOST_PATH" systemctl poweroff --no-block >/dev/null 2>&1; then
                        if ! wait_nspawn 30; then
                                problems+=("the test host did not power off within 30 s: SIGTERM to systemd-nspawn")
                                kill -TERM "$HOST_NSPAWN" 2>/dev/null
                        fi
                else
                        kill -TERM "$HOST_NSPAWN" 2>/dev/null
                fi
                if ! wait_nspawn 30; then
                        problems+=("systemd-nspawn still there after 30 s: SIGKILL")
                        [ -z "$HOST_PID1" ] || kill -KILL "$HOST_PID1" 2>/dev/null
                        kill -KILL "$HOST_NSPAWN" 2>/dev/null
                        wait_nspawn 10 || problems+=("systemd-nspawn $HOST_NSPAWN survived SIGKILL")
                fi
        fi
        mp=$(host_cgroups_remove)
        [ -z "$mp" ] || problems+=("cgroups left: $(echo "$mp" | tr '\n' ' ')")
}
