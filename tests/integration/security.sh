#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Security properties that must hold from the first line: the container gets only the fds it
# should; it can never reach the host's ctr-launch binary writable (the CVE-2019-5736 class);
# the init is not dumpable while it holds host fds, and holds none it should not; the state is
# private to root. And what a review of issue 16's changes found, as an attacker would use it:
# delete without a mount namespace takes only the container's mounts, a device node swapped
# for a symlink is refused, the CAP_SYS_ADMIN the init keeps to load a filter reaches nobody.
# Usage: security.sh PATH-TO-ctr-launch (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
lib_init "$@"

# The fd numbers in `ls /proc/self/fd` output, on one line.
fd_list() {
        tr -s ' \n' '\n' <"$1" | grep -E '^[0-9]+$' | sort -n | tr '\n' ' ' | sed 's/ $//'
}

t_fds_run() {
        mk_bundle b /bin/ls /proc/self/fd
        # Open without O_CLOEXEC in the caller: ctr-launch must not pass them on.
        exec 7</etc/hostname 8<>"$C/fd8" 9>"$C/fd9"
        capture ctr run -b "$B" c1
        assert_rc 0 "run ls /proc/self/fd"
        # 3 is the directory ls itself opens to list /proc/self/fd.
        echo "$OUT" >"$C/fds"
        assert_eq "fds of the container's process (caller had 7, 8, 9 open)" "0 1 2 3" "$(fd_list "$C/fds")"
}

t_fds_preserve() {
        local secret="preserved-$RANDOM-$RANDOM"
        echo "$secret" >"$C/preserved"
        mk_bundle b /bin/ls /proc/self/fd
        exec 3<"$C/preserved" 7</etc/hostname
        capture ctr run --preserve-fds 1 -b "$B" c1
        assert_rc 0 "run --preserve-fds 1"
        echo "$OUT" >"$C/fds"
        # 3 preserved, 4 is ls's own directory fd; 7 must not be there.
        assert_eq "fds with --preserve-fds 1 (caller had 3 and 7 open)" "0 1 2 3 4" "$(fd_list "$C/fds")"
        mk_bundle b2 /bin/cat /proc/self/fd/3
        capture ctr run --preserve-fds 1 -b "$B" c2
        assert_rc 0 "cat of the preserved fd 3"
        assert_eq "content read through the preserved fd 3" "$secret" "$OUT"
        exec 3<&-
}

# --log's file is opened before --preserve-fds is looked at: with fd 3 closed in the caller it
# lands on fd 3, and "preserving" fd 3 would hand root's log file to the container (the
# CVE-2024-21626 class). Only fds the caller had open when ctr-launch started may be preserved.
t_fds_preserve_log() {
        mk_bundle b /bin/ls -l /proc/self/fd
        capture ctr --log "$C/runtime.log" run --preserve-fds 1 -b "$B" c1 3<&-
        case $OUT in *runtime.log*) fail "the container got ctr-launch's own --log file as its fd 3:
$OUT" ;; esac
        assert_fails "run --preserve-fds 1 with fd 3 closed and --log"
        assert_one_error_line "run --preserve-fds 1 with fd 3 closed" 'preserve-fds: fd 3 is not open'
        [ -z "$(ls -A "$ROOT" 2>/dev/null)" ] || fail "a refused run left $(ls -A "$ROOT") in the state root"
        # The same with fd 3 open in the caller: that one is preserved, not the log.
        : >"$C/handed-over"
        capture ctr --log "$C/runtime.log" run --preserve-fds 1 -b "$B" c2 3<"$C/handed-over"
        assert_rc 0 "run --preserve-fds 1 with fd 3 open and --log"
        case $OUT in *runtime.log*) fail "the container got ctr-launch's own --log file:
$OUT" ;; esac
        assert_contains "the container's fd 3" "$OUT" "handed-over"
}

t_fds_create_start() {
        mk_bundle b /bin/ls /proc/self/fd
        exec 7</etc/hostname
        ctr create -b "$B" c1 </dev/null >"$C/out" 2>"$C/err"
        ctr start c1 </dev/null
        wait_for "c1 to stop" status_is c1 stopped
        assert_eq "fds of the process after create + start (caller had 7 open)" "0 1 2 3" "$(fd_list "$C/out")"
        ctr delete c1
}

# Every fd the init holds while it waits on exec.fifo is stdio, the O_PATH fd of the FIFO, the
# sealed exec stub or the listening start.sock that start hands socket-activation fds over
# (close-on-exec): the sync and log channels are closed by then, nothing else of the host's is
# open.
t_init_fds() {
        mk_bundle b /bin/true
        exec 7</etc/hostname
        ctr create -b "$B" c1 </dev/null >"$C/out" 2>"$C/err"
        local pid fd n target flags problems="" fifo=0
        pid=$(pid_of c1)
        ls -l "/proc/$pid/fd/" >"$C/init-fds"
        for fd in /proc/"$pid"/fd/*; do
                n=${fd##*/}
                target=$(readlink "$fd") || continue
                flags=$(awk '/^flags:/ {print $2}' "/proc/$pid/fdinfo/$n")
                case $n in
                0) [ "$target" = /dev/null ] || problems+="fd 0 -> $target (expected /dev/null); " ;;
                1) [ "$target" = "$C/out" ] || problems+="fd 1 -> $target (expected $C/out); " ;;
                2) [ "$target" = "$C/err" ] || problems+="fd 2 -> $target (expected $C/err); " ;;
                *)
                        if [[ $target == */exec.fifo ]] && (( 8#$flags & 8#10000000 )); then
                                fifo=$((fifo + 1))
                        elif [[ $target == "/memfd:ctr-launch-exec (deleted)" ]] && (( 8#$flags & 8#2000000 )); then
                                :
                        elif [[ $target == socket:* ]] && (( 8#$flags & 8#2000000 )) &&
                                awk -v i="${target//[^0-9]/}" '$7 == i && $4 == "00010000" { print $8 }' /proc/net/unix |
                                grep -q '/start\.sock$'; then
                                : # listening (__SO_ACCEPTCON), bound to <state>/start.sock
                        else
                                problems+="fd $n -> $target (flags $flags); "
                        fi
                        ;;
                esac
        done
        [ -z "$problems" ] || fail "the created init (pid $pid) holds fds it should not: $problems
$(cat "$C/init-fds")"
        [ "$fifo" -ge 1 ] || fail "the created init holds no O_PATH fd of exec.fifo:
$(cat "$C/init-fds")"
        ctr delete c1
}

# Not dumpable while it holds host fds. Seen from outside: a process of the same uid without
# CAP_SYS_PTRACE, whose capabilities include all of the init's (the kernel's other condition),
# must not resolve /proc/<init>/exe. Checked first against a dumpable control with the same
# capabilities, so that the test can fail.
t_init_not_dumpable() {
        mk_bundle b /bin/true
        ctr create -b "$B" c1 </dev/null
        local pid prm
        pid=$(pid_of c1)
        prm=$(awk '/^CapPrm:/ {print $2}' "/proc/$pid/status")
        if (( (16#$prm >> 19) & 1 )); then
                ctr delete c1
                skip "the waiting init holds CAP_SYS_PTRACE (CapPrm $prm): no process without it can reach /proc/$pid/exe, dumpable or not (cve-2019-5736-other-init covers the attack end to end)"
        fi
        setpriv --bounding-set=-sys_ptrace sleep 100 &
        local control=$!
        sleep 0.2
        setpriv --bounding-set=-sys_ptrace readlink "/proc/$control/exe" >/dev/null 2>&1 ||
                { kill "$control"; fail "control: without CAP_SYS_PTRACE, /proc/<dumpable pid>/exe should be readable (test setup broken)"; }
        kill "$control"
        wait "$control" 2>/dev/null || true
        if setpriv --bounding-set=-sys_ptrace readlink "/proc/$pid/exe" >"$C/exe" 2>&1; then
                fail "the created init (pid $pid) is dumpable: /proc/$pid/exe resolves to $(cat "$C/exe") for a process without CAP_SYS_PTRACE"
        fi
        ctr delete c1
}

# CVE-2019-5736 class. A container sharing the host PID namespace sees the init of another,
# created container, whose executable is the host's ctr-launch. It opens /proc/<init>/exe,
# tries to write it at once, and again through the held fd once nothing runs the binary any
# more (the original attack). The binary (a copy, so that a successful attack cannot break the
# rest of the suite) must be unchanged.
#
# A control round first: the same attacker against a dumpable host process with the same
# capabilities as the container (a copy of busybox) must succeed, or the test could not fail.

# attack ROUND TARGET-PID: runs the attacker container ROUND against TARGET-PID up to the point
# where it holds what it could get; the caller then stops the target and calls attack_finish.
attack_start() {
        local round=$1 target=$2
        mkdir -p "$C/shared/$round"
        echo "$target" >"$C/shared/$round/target"
        mk_bundle "attacker-$round" /bin/sh -c '
d=/shared/$1
exec 2>>$d/attacker.log
trap "exit 0" TERM
pid=$(cat $d/target)
sleep 1000 5</proc/$pid/exe &
holder=$!
i=0
while [ $i -lt 30 ] && [ ! -e /proc/$holder/fd/5 ] && kill -0 $holder 2>/dev/null; do sleep 0.1; i=$((i+1)); done
[ -e /proc/$holder/fd/5 ] && echo "opened /proc/$pid/exe read-only" >>$d/result
(echo x >>/proc/$pid/exe) && echo "WROTE /proc/$pid/exe while it ran" >>$d/result
touch $d/phase1
while [ ! -e $d/go ]; do sleep 0.1; done
if [ -e /proc/$holder/fd/5 ]; then
        (echo PWNED >>/proc/$holder/fd/5) && echo "WROTE the binary through the held fd" >>$d/result
fi
(echo x >>/proc/self/exe) && echo "WROTE /proc/self/exe" >>$d/result
kill $holder 2>/dev/null
touch $d/done
while :; do sleep 0.2; done' sh "$round"
        cfg "$B" delns pid
        capture ctr run -d -b "$B" "attacker-$round"
        assert_rc 0 "run -d of the attacker ($round round, host PID namespace)"
        wait_for "the attacker's first phase ($round round)" test -e "$C/shared/$round/phase1"
}

attack_finish() {
        local round=$1
        touch "$C/shared/$round/go"
        wait_for "the attacker's second phase ($round round)" test -e "$C/shared/$round/done"
        ATTACK_RESULT=$(tr '\n' ';' 2>/dev/null <"$C/shared/$round/result" || true)
        note "$round round: attacker says: ${ATTACK_RESULT:-nothing}"
        ctr delete --force "attacker-$round"
}

t_cve_2019_5736_other_init() {
        local h0 h1 vpid cpid

        # Control: a dumpable host process, same uid and capabilities as the attacker.
        mkdir -p "$C/control"
        cp "$BUSYBOX" "$C/control/sleep"
        h0=$(sha256sum <"$C/control/sleep")
        setpriv --inh-caps=-all --bounding-set=-all,+kill,+net_bind_service,+audit_write \
                "$C/control/sleep" 1000 &
        cpid=$!
        attack_start control "$cpid"
        kill "$cpid"
        wait "$cpid" 2>/dev/null || true
        attack_finish control
        h1=$(sha256sum <"$C/control/sleep")
        if [ "$h0" = "$h1" ]; then
                fail "control round: the attacker could not overwrite a dumpable host binary, so this test cannot tell a safe runtime from an unsafe one (attacker: ${ATTACK_RESULT:-nothing}; log: $(cat "$C/shared/control/attacker.log" 2>/dev/null | tr '\n' ';'))"
        fi

        # The real round: the target is a created container's init.
        local copy=$C/bin/ctr-launch
        mkdir -p "$C/bin"
        cp "$CTR" "$copy"
        CTR=$copy
        h0=$(sha256sum <"$copy")
        mk_bundle victim /bin/sh -c "$(long_running victim-ready)"
        ctr create -b "$B" victim </dev/null >/dev/null 2>&1
        vpid=$(pid_of victim)
        attack_start victim "$vpid"
        capture ctr start victim
        assert_rc 0 "start of the victim"
        wait_for "the victim to run" test -e "$C/shared/victim-ready"
        attack_finish victim
        h1=$(sha256sum <"$copy")
        case $ATTACK_RESULT in
        *WROTE*) fail "the container wrote the host's binary: $ATTACK_RESULT" ;;
        esac
        assert_eq "sha256 of the host's ctr-launch after the attack" "$h0" "$h1"
        ctr delete --force victim
}

# The simple form: in a container with its own PID namespace, PID 1 is the user's process;
# /proc/self/exe and /proc/1/exe must not be writable.
t_cve_2019_5736_self() {
        local h0 h1
        h0=$(sha256sum <"$CTR")
        mk_bundle b /bin/sh -c '
(echo x >>/proc/self/exe) 2>/dev/null && echo "WROTE /proc/self/exe"
(echo x >>/proc/1/exe) 2>/dev/null && echo "WROTE /proc/1/exe"
readlink /proc/1/exe
true'
        capture ctr run -b "$B" c1
        assert_rc 0 "run of the writer"
        case $OUT in *WROTE*) fail "inside the container: $OUT" ;; esac
        assert_eq "/proc/1/exe inside the container" /bin/busybox "$OUT"
        h1=$(sha256sum <"$CTR")
        assert_eq "sha256 of the host's ctr-launch" "$h0" "$h1"
}

# The entry point is /proc/self/exe: what the kernel finds there must be the sealed exec stub,
# which refuses to run without its own arguments (exit 127), never the host's ctr-launch (which
# would fail to start in this rootfs without a dynamic loader: exit 1 and an error from start).
t_cve_2019_5736_entrypoint() {
        local h0 h1
        h0=$(sha256sum <"$CTR")
        mk_bundle b /proc/self/exe --version
        capture ctr run -b "$B" c1
        assert_rc 127 "run with /proc/self/exe as the entry point (the stub's refusal)"
        h1=$(sha256sum <"$CTR")
        assert_eq "sha256 of the host's ctr-launch" "$h0" "$h1"
}

# LISTEN_FDS counts fds the caller must really have open: if they are not, our own fds would
# land in that range and go to the container.
t_listen_fds() {
        mk_bundle b /bin/sh -c 'ls /proc/self/fd | tr "\n" " "; echo "$LISTEN_FDS $LISTEN_PID"'
        capture sh -c 'exec env LISTEN_FDS=4 LISTEN_PID=$$ "$@"' _ "$CTR" --root "$ROOT" run -b "$B" c1
        assert_fails "run with LISTEN_FDS=4 and no fd open"
        assert_one_error_line "LISTEN_FDS without fds" 'LISTEN_FDS.*fd 3 is not open'
        echo one >"$C/l1"
        echo two >"$C/l2"
        capture sh -c 'exec 3<"$1" 4<"$2"; shift 2; exec env LISTEN_FDS=2 LISTEN_PID=$$ "$@"' _ "$C/l1" "$C/l2" \
                "$CTR" --root "$ROOT" run -b "$B" c2
        assert_rc 0 "run with two socket-activation fds"
        assert_eq "fds and LISTEN_* inside" "0 1 2 3 4 5 2 1" "$OUT"
}

t_state_private() {
        mk_bundle b /bin/true
        ctr create -b "$B" c1 </dev/null
        local dmode fmode
        dmode=$(stat -c %a "$ROOT/c1")
        fmode=$(stat -c %a "$ROOT/c1/state.json")
        (( (8#$dmode & 8#066) == 0 )) || fail "state dir $ROOT/c1 has mode $dmode: readable or writable by others (expected 700, or 711 if documented)"
        (( (8#$fmode & 8#077) == 0 )) || fail "state.json has mode $fmode (expected 600)"
        [ "$(stat -c %u "$ROOT/c1")" = 0 ] || fail "state dir not owned by root"
        chmod 0755 "$C" "$ROOT" 2>/dev/null || true
        # As nobody: neither the state nor the FIFO (opening it would start the container).
        if setpriv --reuid=65534 --regid=65534 --clear-groups cat "$ROOT/c1/state.json" >/dev/null 2>&1; then
                fail "nobody can read $ROOT/c1/state.json"
        fi
        if setpriv --reuid=65534 --regid=65534 --clear-groups ls "$ROOT/c1" >/dev/null 2>&1; then
                fail "nobody can list $ROOT/c1"
        fi
        if setpriv --reuid=65534 --regid=65534 --clear-groups timeout 3 cat "$ROOT/c1/exec.fifo" >/dev/null 2>&1; then
                fail "nobody can open $ROOT/c1/exec.fifo"
        fi
        assert_status c1 created
        ctr delete c1
}

# ---------------------------------------------------------------- system bundles

# Whether every directory from / down to $1 is root's and writable by nobody else (or sticky),
# as create --system-bundle wants the bundle's parents.
parents_root_only() {
        local d=$1 m
        while :; do
                m=$(stat -c '%u %a' "$d")
                [ "${m%% *}" = 0 ] || return 1
                m=${m#* }
                (( (8#$m & 8#022) == 0 || (8#$m & 8#1000) != 0 )) || return 1
                [ "$d" != / ] || return 0
                d=$(dirname "$d")
        done
}

# sysb_refused WHAT REGEX: create --system-bundle of $B fails with one line matching REGEX,
# nothing made, the hook not run.
sysb_refused() {
        capture ctr create --system-bundle -b "$B" c1
        assert_fails "create --system-bundle, $1"
        assert_one_error_line "create --system-bundle, $1" "$2"
        [ -z "$(ls -A "$ROOT" 2>/dev/null)" ] || fail "$1: left $(ls -A "$ROOT") in the state root"
        [ ! -e "$C/hook-ran" ] || fail "$1: the createRuntime hook ran"
}

# A system bundle (ctr@.service passes --system-bundle; a bundle under /var/lib/ctr-launch is one
# anyway, see tests/system/unit.sh) must be root's alone, as sshd's StrictModes wants a user's
# files: whoever may start its unit must not be able to edit what root then runs.
t_system_bundle() {
        parents_root_only "$T" || skip "$T or a directory above it is not root's alone (TMPDIR elsewhere?)"
        mk_bundle b /bin/true
        mkdir "$C/hooks"
        cp /bin/true "$C/hooks/h"
        printf '#!/bin/sh\ntouch %s\n' "$C/hook-ran" >"$C/hooks/mark"
        chmod 755 "$C/hooks/mark"
        cfg "$B" set hooks "{\"createRuntime\": [{\"path\": \"$C/hooks/h\"}, {\"path\": \"$C/hooks/mark\"}]}"
        capture ctr create --system-bundle -b "$B" ok
        assert_rc 0 "create --system-bundle of a bundle that is root's alone"
        ctr delete ok
        rm -f "$C/hook-ran"

        chmod g+w "$B/config.json"
        sysb_refused "config.json group-writable" "system bundle: $B/config\\.json is writable by group or others: chmod go-w $B/config\\.json"
        # root running its own bundle by hand is not held to it.
        capture ctr create -b "$B" own
        assert_rc 0 "create without --system-bundle of a group-writable config (root's own choice)"
        ctr delete own
        rm -f "$C/hook-ran"
        chmod g-w "$B/config.json"
        chown 65534 "$B/config.json"
        sysb_refused "config.json not root's" "$B/config\\.json is owned by uid 65534, not root: chown root $B/config\\.json"
        chown 0 "$B/config.json"
        chmod o+w "$B/rootfs"
        sysb_refused "rootfs writable by others" "root\\.path: $B/rootfs is writable by others: chmod go-w $B/rootfs"
        chmod o-w "$B/rootfs"
        chmod g+w "$B"
        sysb_refused "bundle directory group-writable" "$B is writable by its group: chmod go-w $B\$"
        chmod g-w "$B"
        chmod 777 "$C"
        sysb_refused "a parent of the bundle writable by all" "$C is writable by group and others: chmod go-w $C\$"
        chmod 755 "$C"
        chown 65534 "$C/hooks/h"
        sysb_refused "hook not root's" "hooks\\.createRuntime\\[0\\]: $C/hooks/h is owned by uid 65534, not root: chown root $C/hooks/h"
        chown 0 "$C/hooks/h"
        chmod o+w "$C/hooks"
        sysb_refused "hook's directory writable" "hooks\\.createRuntime\\[0\\]: $C/hooks is writable by others: chmod go-w $C/hooks"
        chmod o-w "$C/hooks"
        # A link to a good hook, in a directory anyone may write: the link could be swapped.
        mkdir -m 0777 "$C/drop"
        ln -s "$C/hooks/h" "$C/drop/h"
        cfg "$B" set hooks "{\"createRuntime\": [{\"path\": \"$C/drop/h\"}, {\"path\": \"$C/hooks/mark\"}]}"
        sysb_refused "hook through a symlink in a writable directory" "$C/drop is writable by group and others"
}

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


case_run fds-run t_fds_run
case_run fds-preserve t_fds_preserve
case_run fds-preserve-log t_fds_preserve_log
case_run fds-create-start t_fds_create_start
case_run init-fds-while-created t_init_fds
case_run init-not-dumpable t_init_not_dumpable
case_run cve-2019-5736-other-init t_cve_2019_5736_other_init
case_run cve-2019-5736-self t_cve_2019_5736_self
case_run cve-2019-5736-entrypoint t_cve_2019_5736_entrypoint
case_run listen-fds t_listen_fds
case_run state-private t_state_private
case_run system-bundle t_system_bundle
case_run no-mount-ns-host-mounts-kept t_no_mount_ns_host_mounts_kept
case_run device-node-swapped t_device_node_swapped
case_run kept-sys-admin-unreachable t_kept_sys_admin_unreachable

lib_finish
