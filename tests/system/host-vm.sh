# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# The VM test host (lib.sh, CTR_TEST_HOST=vm): a qemu VM booting Debian 12's own kernel
# (tools/vm-kernel.sh: linux-image-amd64's version, extracted, not installed) with systemd 252
# as the real PID 1 on the unified cgroup hierarchy: the host nearly every user has, which this
# machine (hybrid, kernel 6.18) is not.
#   - the root: the same overlay of this machine's / as the nspawn host's, with the build
#     installed in it, shared read-write with the VM over virtio-9p; the VM's initramfs
#     (vm-init: static busybox and the kernel's virtio and 9p modules) mounts it as /, a tmpfs
#     on /tmp, and hands over to /lib/systemd/systemd --unit=basic.target. So $HOST_ROOT is the
#     VM's / seen from here, live both ways, except /usr: shared on its own and cached in the
#     VM (9p's cache=loose), since nothing changes it from here once the VM is up; the tests
#     write their own helpers elsewhere (/etc, /var/lib). Without that cache every command
#     read its binary and libraries again through 9p (9p's inodes, and their pages, go with
#     the last reference unless cached): cgroups.sh took 640 s in the VM instead of 405.
#     Before the boot the upper layer gets an empty /etc/fstab (the machine's own names
#     disks the VM has not), no /var/log/journal (the journal stays in the VM's /run, not on
#     9p), no /.dockerenv (systemd would take the VM for a container) and the command agent;
#   - the channel: vm-agent.py, a service of the VM (ctr-test-agent.service, started with
#     sysinit.target), polls a job directory, $VM_DIR/jobs: host_run writes a job there (argv,
#     environment, deadline, stdin if asked), the agent runs it as root in a session of its
#     own and writes stdout, stderr and then rc; host_run prints them and returns rc. Jobs run
#     concurrently.
#     Each has a deadline (CTR_VM_RUN_TIMEOUT, 300 s): past it the agent kills the job and
#     host_run fails with 124. Commands run in the agent's cgroup,
#     system.slice/ctr-test-agent.service (not delegated), with all capabilities and no
#     seccomp filter;
#   - qemu: TCG (this machine's /dev/kvm is a nested kind that a stock kernel cannot use); KVM
#     where /dev/kvm is usable and this machine is no VM itself, or CTR_VM_ACCEL=kvm|tcg. No
#     network device. The serial console goes to $HOST_DIR/console.log;
#   - one boot per suite: vm-suite.sh boots it (host_boot), then runs each scenario script with
#     CTR_VM_ATTACH=1 (and CTR_VM_ROOT, CTR_VM_QEMU): their host_boot attaches to the running VM
#     with a scratch directory of their own and an emptied bundle directory, and their teardown
#     leaves the VM up; between two scripts the suite deletes the users the first added and
#     makes /etc as it was after the boot again. A scenario script run alone with
#     CTR_TEST_HOST=vm boots its own VM.
# Sourced by lib.sh, which it completes with host_impl_check, host_boot, host_run, host_stop.
# Environment: CTR_VM_ACCEL, CTR_VM_MEMORY (MiB, 2048), CTR_VM_CPUS (2), CTR_VM_RUN_TIMEOUT,
# CTR_BOOT_TIMEOUT (600 s), CTR_VM_CACHE (tools/vm-kernel.sh), CTR_VM_APPEND (more of the
# kernel's command line, as vm-selinux.sh's security=selinux).

VM_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_DIR=/var/lib/ctr-test-vm # in the VM: the agent and its jobs
VM_QEMU=""                  # PID of qemu: ours, or the suite's when attached
VM_PORT=org.ctr-launch.agent # the virtio-serial port that wakes the agent
VM_KICK=""                  # the FIFO that qemu passes on to that port (CTR_VM_KICK when attached)
VM_KICK_FD=""               # that FIFO, open read-write (so that no open or write blocks)
VM_OWNER=""                 # set if this script booted the VM (and powers it off)
VM_RUN_TIMEOUT=${CTR_VM_RUN_TIMEOUT:-300}
# Under TCG everything in the VM is several times slower than here: bounds, not speeds.
WAIT_DEFAULT=30
: "${CTR_TIMEOUT:=90}"

host_impl_check() {
        local tool
        for tool in qemu-system-x86_64 cpio gzip; do
                command -v "$tool" >/dev/null ||
                        hard_error "$tool not found: install the test packages (tools/lib.sh TEST_PACKAGES)"
        done
        [ -x /usr/bin/python3 ] || hard_error "no /usr/bin/python3 for the VM's command agent: install python3"
}

# ---------------------------------------------------------------- the channel

vm_alive() {
        [ -n "$VM_QEMU" ] && kill -0 "$VM_QEMU" 2>/dev/null
}

# vm_job DEADLINE ARGV...: runs ARGV in the VM through the agent, with HOST_ENV as its whole
# environment; its stdout, stderr, status. DEADLINE in seconds; 124 if it is past (the agent
# kills the job), 255 if the VM is gone.
vm_job() {
        local deadline=$1 jobs=$HOST_ROOT$VM_DIR/jobs tmp job end i=0 rc
        shift
        tmp=$(mktemp -d "$jobs/.new.XXXXXXXX") || {
                echo "host_run: cannot make a job in $jobs" >&2
                return 255
        }
        printf '%s\0' "$@" >"$tmp/argv"
        printf '%s\0' "${HOST_ENV[@]}" >"$tmp/env"
        echo "$deadline" >"$tmp/deadline"
        if [ "${HOST_RUN_STDIN:-}" = - ]; then
                cat >"$tmp/stdin"
        fi
        job=$jobs/${tmp##*/.new.}
        mv "$tmp" "$job"
        vm_kick
        # The agent's own deadline first; ours a little later, for the agent to report it.
        end=$((SECONDS + deadline + 10))
        while [ ! -e "$job/rc" ]; do
                if ! vm_alive; then
                        rm -rf "$job"
                        echo "host_run: the test VM is gone (qemu $VM_QEMU): $*" >&2
                        return 255
                fi
                if [ "$SECONDS" -ge "$end" ]; then
                        touch "$job/kill"
                        vm_kick
                        sleep 2
                        rm -rf "$job"
                        echo "host_run: no answer from the test VM's agent within $deadline s: $*" >&2
                        return 124
                fi
                # Quick answers are the common case: poll fast at first.
                if ((i++ < 50)); then sleep 0.01; else sleep 0.05; fi
        done
        cat "$job/stdout" 2>/dev/null || true
        cat "$job/stderr" >&2 2>/dev/null || true
        rc=$(cat "$job/rc")
        if [ "$(tail -n 1 "$job/stderr" 2>/dev/null)" = "test agent: killed at the job's deadline" ]; then
                rc=124
        fi
        rm -rf "$job"
        return "$rc"
}

# vm_kick: wakes the agent (vm-agent.py): a byte through the FIFO that qemu passes on to the
# agent's virtio-serial port. Opened read-write once per script: an open for writing alone would
# wait for a reader, a write never waits while the agent reads (and 64 KiB would have to pile
# up first).
vm_kick() {
        [ -n "$VM_KICK" ] || return 0
        [ -n "$VM_KICK_FD" ] || exec {VM_KICK_FD}<>"$VM_KICK"
        printf x >&"$VM_KICK_FD"
}

# host_run CMD...: CMD in the VM, as root, with a clean environment (HOST_ENV), at most
# CTR_VM_RUN_TIMEOUT seconds. Stdin: /dev/null, or the caller's with HOST_RUN_STDIN=- (lib.sh).
host_run() {
        [ -n "$VM_QEMU" ] || hard_error "host_run before host_boot"
        vm_job "$VM_RUN_TIMEOUT" "$@"
}

# ---------------------------------------------------------------- boot

# The upper layer's changes that make this machine's root bootable in the VM, and the agent.
vm_root_prepare() {
        printf '# the ctr-launch test VM: nothing to mount\n' >"$HOST_ROOT/etc/fstab"
        rm -rf --one-file-system "$HOST_ROOT/var/log/journal"
        # This machine may be a container: the VM is not (systemd would believe /.dockerenv).
        rm -f "$HOST_ROOT/.dockerenv" "$HOST_ROOT/run/.containerenv"
        echo ctr-test-vm >"$HOST_ROOT/etc/hostname"
        mkdir -p "$HOST_ROOT$VM_DIR/jobs"
        install -m 0755 "$VM_SRC/vm-agent.py" "$HOST_ROOT$VM_DIR/agent.py"
        cat >"$HOST_ROOT/etc/systemd/system/ctr-test-agent.service" <<EOF
[Unit]
Description=ctr-launch test VM command agent (tests/system/host-vm.sh)
DefaultDependencies=no
After=systemd-journald.socket

[Service]
ExecStart=/usr/bin/python3 $VM_DIR/agent.py $VM_DIR/jobs $VM_PORT
EOF
        mkdir -p "$HOST_ROOT/etc/systemd/system/sysinit.target.wants"
        ln -sf ../ctr-test-agent.service "$HOST_ROOT/etc/systemd/system/sysinit.target.wants/"
}

# vm_initrd_make KERNEL-DIR OUTPUT: static busybox as /init's shell, vm-init, the modules.
vm_initrd_make() {
        local k=$1 out=$2 d=$HOST_DIR/initrd
        mkdir -p "$d/bin" "$d/modules"
        cp /bin/busybox "$d/bin/busybox"
        install -m 0755 "$VM_SRC/vm-init" "$d/init"
        cp "$k"/modules/*.ko "$d/modules/"
        cp "$k/modules.order" "$d/modules.order"
        (cd "$d" && find . | cpio -o -H newc --quiet | gzip -1) >"$out" ||
                hard_error "cannot make the VM's initramfs"
        rm -rf "$d"
}

vm_accel() {
        case ${CTR_VM_ACCEL:-auto} in
        kvm | tcg) echo "$CTR_VM_ACCEL" ;;
        auto)
                # A nested /dev/kvm (this machine is itself a VM) fails or hangs with a stock
                # kernel (design.md): KVM only on bare metal.
                if [ -r /dev/kvm ] && [ -w /dev/kvm ] && ! grep -qw hypervisor /proc/cpuinfo; then
                        echo kvm
                else
                        echo tcg
                fi
                ;;
        *) hard_error "CTR_VM_ACCEL=$CTR_VM_ACCEL: expected kvm, tcg or auto" ;;
        esac
}

vm_boot_failed() {
        echo "---- the VM's console ($HOST_DIR/console.log), last lines:" >&2
        tail -n 60 "$HOST_DIR/console.log" 2>/dev/null | tr -d '\r' >&2 || true
        echo "---- qemu ($HOST_DIR/qemu.log):" >&2
        cat "$HOST_DIR/qemu.log" >&2 2>/dev/null || true
        echo "----" >&2
        hard_error "test VM: $*"
}

# Boots the VM on a fresh overlay with the build installed. Sets HOST_DIR, HOST_ROOT, HOST_CTR,
# VM_QEMU, VM_OWNER.
vm_boot() {
        local build=$1 timeout=${CTR_BOOT_TIMEOUT:-600} kdir accel state="" t0 t1 cpu=()
        t0=$SECONDS
        kdir=$(bash "$VM_SRC/../../tools/vm-kernel.sh") || hard_error "cannot get Debian's kernel (tools/vm-kernel.sh)"
        host_root_make "$build"
        vm_root_prepare
        vm_initrd_make "$kdir" "$HOST_DIR/initrd.gz"
        accel=$(vm_accel)
        [ "$accel" = kvm ] && cpu=(-cpu host)

        # No network device; the console on a file; qemu in our process group, so that a
        # runner that kills the group kills it too. The agent's port reads kick.in (qemu opens
        # both FIFOs read-write; the agent writes nothing to kick.out).
        mkfifo -m 0600 "$HOST_DIR/kick.in" "$HOST_DIR/kick.out"
        VM_KICK=$HOST_DIR/kick.in
        VM_OWNER=1
        (
                exec env -u NOTIFY_SOCKET qemu-system-x86_64 -name ctr-launch-test \
                        -accel "$accel" "${cpu[@]}" -m "${CTR_VM_MEMORY:-2048}" -smp "${CTR_VM_CPUS:-2}" \
                        -nodefaults -no-user-config -display none -no-reboot \
                        -serial "file:$HOST_DIR/console.log" -monitor none \
                        -kernel "$kdir/vmlinuz" -initrd "$HOST_DIR/initrd.gz" \
                        -append "console=ttyS0 panic=-1 TERM=dumb${CTR_VM_APPEND:+ $CTR_VM_APPEND}" \
                        -virtfs "local,path=$HOST_ROOT,mount_tag=ctrroot,security_model=passthrough,multidevs=remap" \
                        -virtfs "local,path=$HOST_ROOT/usr,mount_tag=ctrusr,security_model=passthrough,multidevs=remap" \
                        -chardev "pipe,id=kick,path=$HOST_DIR/kick" -device virtio-serial-pci \
                        -device "virtserialport,chardev=kick,name=$VM_PORT"
        ) </dev/null >"$HOST_DIR/qemu.log" 2>&1 &
        VM_QEMU=$!

        while :; do
                vm_alive || vm_boot_failed "qemu exited during the boot"
                # Queued until the agent runs; early on the bus is not up and this fails: poll.
                state=$(vm_job 30 systemctl is-system-running 2>/dev/null) || true
                case $state in
                running | degraded) break ;;
                esac
                [ $((SECONDS - t0)) -lt "$timeout" ] ||
                        vm_boot_failed "not up after $timeout s (state: ${state:-no answer from the agent})"
                sleep 0.5
        done
        t1=$SECONDS
        if [ "$state" = degraded ]; then
                diag "test VM: degraded; failed units:"
                diag "$(host_run systemctl --failed --no-legend --plain || true)"
        fi
        diag "test VM: $(cat "$kdir/package"), $accel, up ($state) in $((t1 - t0)) s; qemu $VM_QEMU"
}

# Attaches to the suite's running VM (vm-suite.sh): a scratch directory of our own, the
# bundle directory emptied.
vm_attach() {
        HOST_ROOT=${CTR_VM_ROOT:?CTR_VM_ATTACH without CTR_VM_ROOT}
        VM_QEMU=${CTR_VM_QEMU:?CTR_VM_ATTACH without CTR_VM_QEMU}
        VM_KICK=${CTR_VM_KICK:-}
        vm_alive || hard_error "the suite's test VM (qemu $VM_QEMU) is gone"
        HOST_DIR=$(mktemp -d "$(scratch_parent)/ctr-launch-sys.XXXXXX")
        host_ctr_locate
        host_bundles_reset
        host_run true || hard_error "the suite's test VM does not answer"
}

# host_boot [BUILD_DIR]: boots the VM, or attaches to the suite's (CTR_VM_ATTACH). Sets
# HOST_DIR, HOST_ROOT, HOST_CTR, HOST_UP and what host_layout_probe sets.
host_boot() {
        local build=${1:-$BUILD_DIR}
        # Nothing reads this script's stdin: host_run passes it on only when asked to.
        exec </dev/null
        if [ -n "${CTR_VM_ATTACH:-}" ]; then
                vm_attach
        else
                vm_boot "$build"
        fi
        host_layout_probe
        [ "$(vm_accel)" = tcg ] && HOST_SLOWDOWN=4
        HOST_UP=1
        diag "test host: the VM ($HOST_CGROUP_LAYOUT cgroups, kernel $(host_run uname -r)," \
                "$(host_run systemctl --version | head -n 1)); ctr-launch at $HOST_CTR"
}

# ---------------------------------------------------------------- teardown

# vm_wait SECONDS: whether qemu exited within SECONDS (reaps it: it is our child).
vm_wait() {
        [ -z "$VM_QEMU" ] || child_wait "$VM_QEMU" "$1"
}

# Powers the VM off if this script booted it: systemctl poweroff, then qemu's SIGTERM (it quits
# at once), then SIGKILL. Adds what went wrong to the caller's problems (host_teardown).
host_stop() {
        [ -n "$VM_OWNER" ] || return 0
        vm_alive || { vm_wait 0; return 0; }
        if vm_job 30 systemctl poweroff --no-block >/dev/null 2>&1; then
                vm_wait 120 || problems+=("the test VM did not power off within 120 s: SIGTERM to qemu")
        fi
        if vm_alive; then
                kill -TERM "$VM_QEMU" 2>/dev/null
                if ! vm_wait 30; then
                        problems+=("qemu still there 30 s after SIGTERM: SIGKILL")
                        kill -KILL "$VM_QEMU" 2>/dev/null
                        vm_wait 10 || problems+=("qemu $VM_QEMU survived SIGKILL")
                fi
        fi
}
