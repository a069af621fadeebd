#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Regression tests for the CVE classes runtimes have hit (issue 3), one case per class, each
# able to fail: a cwd outside the root (CVE-2024-21626), a mount destination raced into a
# symlink (CVE-2021-30465), /proc a symlink or not a procfs (CVE-2019-16884), inheritable
# capabilities (CVE-2022-27650), /dev/null, /dev/console and procfs writes redirected
# (CVE-2025-31133 / 52565 / 52881); then the mount options of item 3 that isolation.sh does not
# cover (propagation, rootfsPropagation, rro, tmpfs size/mode, mounts onto files, mountLabel).
# Covered elsewhere, not repeated here: CVE-2019-5736 (security.sh: exe-*), CVE-2016-9962
# (security.sh: init-not-dumpable, init-fds), bind destinations that are symlinks out of the
# rootfs (isolation.sh: bind-symlink-escape, bind-file-symlink-escape).
# Usage: cve.sh PATH-TO-ctr-launch (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
lib_init "$@"

# refused WHAT REGEX: the last capture failed cleanly with one error line matching REGEX, and
# left no state directory behind (the harness checks processes and mounts after the case).
refused() {
        assert_fails "$1"
        assert_one_error_line "$1" "$2"
        [ -z "$(ls -A "$ROOT" 2>/dev/null)" ] || fail "$1: left $(ls -A "$ROOT") in the state root"
}

# drop_mounts PREFIX: removes the config's mounts at PREFIX and below (the image's own /dev).
drop_mounts() {
        "$PY" - "$B/config.json" "$1" <<'EOF'
import json, sys
p, pre = sys.argv[1], sys.argv[2]
d = json.load(open(p))
d["mounts"] = [m for m in d["mounts"] if not (m["destination"] == pre or m["destination"].startswith(pre + "/"))]
json.dump(d, open(p, "w"), indent=2)
EOF
}

# ---------------------------------------------------------------- CVE-2024-21626

# A host directory fd reachable as /proc/self/fd/N, used as process.cwd: the container must
# never start with a cwd outside its root, whatever N is.
t_cwd_fd() {
        mkdir -p "$C/hostdir"
        echo host >"$C/hostdir/host-only-$MARK"
        local script='pwd -P; ls -A'

        # A preserved fd is a directory of the host on purpose: the cwd check must catch it.
        mk_bundle b /bin/sh -c "$script"
        cfg "$B" set process.cwd '"/proc/self/fd/3"'
        exec 3<"$C/hostdir"
        capture ctr run --preserve-fds 1 -b "$B" c0
        exec 3<&-
        case $OUT in *host-only-*) fail "cwd /proc/self/fd/3 (a preserved host dir) reached the host: $OUT" ;; esac
        refused "run with cwd /proc/self/fd/3 on a preserved host directory" 'cwd.*(outside|root)'

        # Whatever the init itself holds at fds 3..10 (and the caller's 7, 8, 9, not preserved).
        local n
        exec 7<"$C/hostdir" 8<"$C/hostdir" 9</
        for n in 3 4 5 6 7 8 9 10; do
                cfg "$B" set process.cwd "\"/proc/self/fd/$n\""
                capture ctr run -b "$B" "c$n"
                case $OUT$ERR in
                *host-only-*|*unreachable*|*exec.fifo*|*state*) fail "cwd /proc/self/fd/$n escaped the rootfs:
$(show)" ;;
                esac
                if [ "$RC" = 0 ]; then
                        # Only a directory inside the rootfs will do.
                        case $(printf '%s\n' "$OUT" | head -n 1) in
                        /*) ;;
                        *) fail "cwd /proc/self/fd/$n: pwd -P is not a path of the container: $OUT" ;;
                        esac
                else
                        refused "run with cwd /proc/self/fd/$n" 'cwd'
                fi
        done
        exec 7<&- 8<&- 9<&-
}

# Symlinks in the cwd resolve inside the root, absolute or by ".." chains; one that resolves
# nowhere is an error before exec, not a cwd on the host.
t_cwd_symlink() {
        mk_bundle b /bin/sh -c 'pwd -P; ls -A'
        echo "in-rootfs-$MARK" >"$B/rootfs/etc/rootfs-marker"
        touch "$B/rootfs/root-marker-$MARK"
        ln -s /etc "$B/rootfs/evil"
        ln -s ../../../../../../../../.. "$B/rootfs/up"
        mkdir -p "$B/rootfs/a/b"
        ln -s ../../../../../../../../etc "$B/rootfs/a/b/etc-up"
        ln -s "../../../../../../nonexistent-$MARK" "$B/rootfs/dangling"

        local cwd want_pwd want_file
        for cwd in /evil:/etc:rootfs-marker /up:/:root-marker-$MARK /a/b/etc-up:/etc:rootfs-marker \
                   /up/../../up/..:/:root-marker-$MARK; do
                want_pwd=${cwd#*:} want_file=${want_pwd#*:} want_pwd=${want_pwd%%:*} cwd=${cwd%%:*}
                cfg "$B" set process.cwd "\"$cwd\""
                capture ctr run -b "$B" c1
                assert_rc 0 "run with cwd $cwd"
                assert_eq "pwd -P with cwd $cwd" "$want_pwd" "$(printf '%s\n' "$OUT" | head -n 1)"
                # The rootfs' own directory, never the host's (whose /etc has no such marker).
                printf '%s\n' "$OUT" | grep -qx -- "$want_file" || fail "cwd $cwd: not the rootfs' $want_pwd:
$OUT"
                case $OUT in *passwd-*|*shadow*|*os-release*) fail "cwd $cwd lists the host's /etc: $OUT" ;; esac
        done

        cfg "$B" set process.cwd '"/dangling"'
        capture ctr run -b "$B" c2
        refused "run with a cwd that is a dangling symlink" 'cwd.*dangling'
        [ ! -e "/nonexistent-$MARK" ] || fail "/nonexistent-$MARK appeared on the host"
}

# ---------------------------------------------------------------- CVE-2021-30465

# swap.py ROOTFS SECONDS: exchanges rootfs/mnt (a directory) with symlinks to the host's
# $C/hostdir (absolute and by ".." chain) as fast as it can, until SECONDS or a stop file.
write_swapper() {
        cat >"$C/swap.py" <<'EOF'
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
RENAME_EXCHANGE = 2
root, secs = sys.argv[1], float(sys.argv[2])
def x(a, b):
    if libc.renameat2(-100, os.path.join(root, a).encode(), -100, os.path.join(root, b).encode(), RENAME_EXCHANGE) != 0:
        raise OSError(ctypes.get_errno(), "renameat2")
end = time.monotonic() + secs
n = 0
while time.monotonic() < end and not os.path.exists(os.path.join(root, "..", "stop")):
    for alt in ("alt-abs", "alt-rel"):
        x("mnt", alt)
        x("mnt", alt)
        n += 2
open(os.path.join(root, "..", "swaps"), "w").write(str(n))
EOF
}

t_mount_race() {
        mkdir -p "$C/hostdir" "$C/src"
        echo "host-$MARK" >"$C/hostdir/host-marker"
        echo "source-$MARK" >"$C/src/src-marker"
        local host_before host_ino
        host_before=$(ls -A "$C/hostdir")
        host_ino=$(stat -c %i "$C/hostdir")
        # The swapper goes on while the payload runs, so /mnt may be the symlink by then: look
        # for the bind in the container's mountinfo. Had it landed on the host's path, it would
        # have gone with the old root at pivot_root.
        mk_bundle b /bin/sh -c 'awk "\$4 ~ /\/src\$/ {print \"mounted\"}" /proc/self/mountinfo'
        mkdir -p "$B/rootfs/mnt"
        ln -s "$C/hostdir" "$B/rootfs/alt-abs"
        ln -s "../../../../../../../../../..$C/hostdir" "$B/rootfs/alt-rel"
        cfg "$B" append mounts "{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"$C/src\", \"options\": [\"rbind\", \"rw\"]}"
        write_swapper
        "$PY" "$C/swap.py" "$B/rootfs" 60 &
        local swapper=$! i ok=0 refusedn=0 start=$SECONDS
        for ((i = 0; i < 200 && SECONDS - start < 60; i++)); do
                capture ctr run -b "$B" "r$i"
                if [ "$RC" = 0 ]; then
                        assert_eq "run $i: the bind in the container's mountinfo" mounted "$OUT"
                        ok=$((ok + 1))
                else
                        assert_fails "run $i"
                        assert_one_error_line "run $i (raced)" '.'
                        refusedn=$((refusedn + 1))
                fi
                # The host never gets the mount, nor anything written to its directory.
                awk -v d="$C/hostdir" '$5 == d || index($5, d "/") == 1 {exit 1}' /proc/self/mountinfo ||
                        fail "run $i: a mount appeared on the host's $C/hostdir"
                assert_eq "run $i: the host dir's content" "$host_before" "$(ls -A "$C/hostdir")"
                [ "$(cat "$C/hostdir/host-marker")" = "host-$MARK" ] || fail "run $i: the host dir's marker changed"
        done
        touch "$B/stop"
        wait "$swapper"
        assert_eq "the host dir's inode" "$host_ino" "$(stat -c %i "$C/hostdir")"
        [ "$ok" -gt 0 ] || fail "no run succeeded in $i tries ($refusedn refused): the race test proves nothing"
        note "$i runs against $(cat "$B/swaps" 2>/dev/null || echo '?') swaps: $ok with the mount inside, $refusedn refused"
}

# ---------------------------------------------------------------- CVE-2019-16884

t_proc_symlink() {
        local target
        for target in /tmp ../.. ../../../../..$C; do
                mk_bundle b /bin/true
                rmdir "$B/rootfs/proc"
                ln -s "$target" "$B/rootfs/proc"
                capture ctr create -b "$B" c1
                refused "create with rootfs/proc -> $target" 'proc.*symlink'
                [ -L "$B/rootfs/proc" ] || fail "rootfs/proc -> $target was replaced"
                rm -rf "$B"
        done

        # Not a procfs on /proc: a tmpfs, or a bind of a directory made to look like one.
        mk_bundle b /bin/true
        "$PY" - "$B/config.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["mounts"][0] = {"destination": "/proc", "type": "tmpfs", "source": "tmpfs"}
json.dump(d, open(sys.argv[1], "w"))
EOF
        capture ctr create -b "$B" c2
        refused "create with a tmpfs on /proc" 'proc'
        mk_bundle b2 /bin/true
        mkdir -p "$C/fakeproc/self/attr"
        cfg "$B" set mounts.0 "{\"destination\": \"/proc\", \"type\": \"bind\", \"source\": \"$C/fakeproc\", \"options\": [\"rbind\"]}"
        capture ctr create -b "$B" c3
        refused "create with a plain directory bound on /proc" 'proc'
}

# ---------------------------------------------------------------- CVE-2022-27650

# isolation.sh (caps-root, caps-nonroot) reads /proc/self/status; this is the issue's check,
# on PID 1 of the container, with and without inheritable in the config.
t_capinh() {
        mk_bundle b /bin/sh -c 'grep CapInh /proc/1/status'
        capture ctr run -b "$B" c1
        assert_rc 0 "run without process.capabilities.inheritable"
        assert_eq "CapInh of PID 1" "CapInh:	0000000000000000" "$OUT"
        cfg "$B" set process.capabilities.inheritable '["CAP_KILL"]'
        capture ctr run -b "$B" c2
        assert_rc 0 "run with inheritable CAP_KILL"
        assert_eq "CapInh of PID 1 (CAP_KILL)" "CapInh:	0000000000000020" "$OUT"
}

# ---------------------------------------------------------------- CVE-2025-31133 / 52565 / 52881

# /dev/null of the image a symlink (to a file of the host, to a file of the image): masking
# with it would expose or write that file. Refused, and the files stay as they were.
t_dev_null_symlink() {
        echo "host-$MARK" >"$C/hostfile"
        local target
        for target in "$C/hostfile" "../../../../../../../..$C/hostfile" /etc/passwd; do
                mk_bundle b /bin/true
                drop_mounts /dev
                echo "secret-$MARK" >"$B/rootfs/secret"
                ln -s "$target" "$B/rootfs/dev/null"
                cfg "$B" set linux.maskedPaths '["/secret", "/proc/kcore"]'
                capture ctr run -b "$B" c1
                refused "run with rootfs/dev/null -> $target" 'null'
                assert_eq "the host file" "host-$MARK" "$(cat "$C/hostfile")"
                assert_eq "the image's /etc/passwd line count" 2 "$(wc -l <"$B/rootfs/etc/passwd")"
                rm -rf "$B"
        done
}

t_dev_console_symlink() {
        echo "host-$MARK" >"$C/hostfile"
        local target
        for target in "$C/hostfile" "../../../../../../../..$C/hostfile" /etc/hostname; do
                mk_bundle b /bin/echo hello
                drop_mounts /dev
                cfg "$B" append mounts '{"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["newinstance", "ptmxmode=0666"]}'
                cfg "$B" set process.terminal true
                ln -s pts/ptmx "$B/rootfs/dev/ptmx"
                ln -s "$target" "$B/rootfs/dev/console"
                "$PY" "$LIB_DIR/console.py" "$C/r.sock" "$C/r.out" 20 &
                local recv=$!
                wait_for "the console receiver to listen" test -e "$C/r.out.ready"
                capture ctr run --console-socket "$C/r.sock" -b "$B" c1
                kill "$recv" 2>/dev/null || true
                wait "$recv" 2>/dev/null || true
                rm -f "$C/r.sock" "$C/r.out" "$C/r.out.ready" "$C/r.out.info"
                refused "run with rootfs/dev/console -> $target and a terminal" 'console.*symlink'
                assert_eq "the host file" "host-$MARK" "$(cat "$C/hostfile")"
                assert_eq "the image's /etc/hostname" ctr-test "$(cat "$B/rootfs/etc/hostname")"
                rm -rf "$B"
        done
}

# Procfs writes sent elsewhere: with no proc mount, an image whose /proc/self leads to a host
# directory bound into the container; and a real /proc whose oom_score_adj is masked.
t_procfs_write_redirect() {
        mkdir -p "$C/hostdir/sys/net/ipv4"
        echo original >"$C/hostdir/oom_score_adj"
        echo original >"$C/hostdir/sys/net/ipv4/ip_forward"
        mk_bundle b /bin/true
        drop_mounts /proc
        cfg "$B" set linux.maskedPaths '[]' set linux.readonlyPaths '[]' \
                append mounts "{\"destination\": \"/hostbind\", \"type\": \"bind\", \"source\": \"$C/hostdir\", \"options\": [\"rbind\"]}" \
                set process.oomScoreAdj 500
        ln -s /hostbind "$B/rootfs/proc/self"
        ln -s /hostbind/sys "$B/rootfs/proc/sys"
        capture ctr run -b "$B" c1
        refused "run with oomScoreAdj and an image /proc/self leading to a host dir" 'proc'
        assert_eq "the host's stand-in oom_score_adj" original "$(cat "$C/hostdir/oom_score_adj")"

        cfg "$B" del process.oomScoreAdj set linux.sysctl '{"net.ipv4.ip_forward": "1"}'
        capture ctr run -b "$B" c2
        refused "run with a sysctl and an image /proc/sys leading to a host dir" 'proc'
        assert_eq "the host's stand-in ip_forward" original "$(cat "$C/hostdir/sys/net/ipv4/ip_forward")"

        mk_bundle b2 /bin/true
        cfg "$B" set process.oomScoreAdj 500 append linux.maskedPaths '"/proc/self/oom_score_adj"'
        capture ctr run -b "$B" c3
        refused "run with oomScoreAdj and /proc/self/oom_score_adj masked" 'oom_score_adj'
}

# ---------------------------------------------------------------- item 3: mount options

t_mount_propagation() {
        mkdir -p "$C/p-shared" "$C/p-slave" "$C/p-private"
        mk_bundle b /bin/sh -c 'awk "{ t = \"\"; for (i = 7; \$i != \"-\"; i++) { if (\$i ~ /^shared:/) t = t \" shared\"; if (\$i ~ /^master:/) t = t \" master\" } print \$5 \":\" t }" /proc/self/mountinfo'
        cfg "$B" append mounts "{\"destination\": \"/p-shared\", \"type\": \"bind\", \"source\": \"$C/p-shared\", \"options\": [\"rbind\", \"rshared\"]}" \
                append mounts "{\"destination\": \"/p-slave\", \"type\": \"bind\", \"source\": \"$C/p-slave\", \"options\": [\"rbind\", \"rslave\"]}" \
                append mounts "{\"destination\": \"/p-private\", \"type\": \"bind\", \"source\": \"$C/p-private\", \"options\": [\"rbind\", \"rprivate\"]}" \
                set linux.rootfsPropagation '"private"'
        capture ctr run -b "$B" c1
        assert_rc 0 "run with rshared, rslave, rprivate binds"
        local tags
        tags=$(printf '%s\n' "$OUT" | grep '^/p-shared:') || fail "no /p-shared in mountinfo: $OUT"
        assert_contains "propagation of /p-shared" "$tags" shared
        assert_eq "propagation of /p-private" "/p-private:" "$(printf '%s\n' "$OUT" | grep '^/p-private:')"
        tags=$(printf '%s\n' "$OUT" | grep '^/p-slave:')
        case $tags in *shared*) fail "rslave /p-slave is shared: $tags" ;; esac
        # A slave has a master only if its source's mount is shared on the host.
        if awk -v d="$(df --output=target "$C" | tail -n 1)" '$5 == d && / shared:/ {f = 1} END {exit !f}' /proc/self/mountinfo; then
                assert_contains "propagation of /p-slave (host mount shared)" "$tags" master
        fi
        assert_eq "rootfsPropagation private: /" "/:" "$(printf '%s\n' "$OUT" | grep '^/:')"

        cfg "$B" set linux.rootfsPropagation '"shared"'
        capture ctr run -b "$B" c2
        assert_rc 0 "run with rootfsPropagation shared"
        assert_contains "rootfsPropagation shared: /" "$(printf '%s\n' "$OUT" | grep '^/:')" shared
}

t_mount_rro() {
        mkdir -p "$C/rro/sub" "$C/ro/sub"
        mount -t tmpfs -o size=1m tmpfs "$C/rro/sub"
        mount -t tmpfs -o size=1m tmpfs "$C/ro/sub"
        mk_bundle b /bin/sh -c '
for d in /rro /rro/sub /ro /ro/sub; do touch $d/x 2>/dev/null && echo "$d writable" || echo "$d read-only"; done'
        cfg "$B" append mounts "{\"destination\": \"/rro\", \"type\": \"bind\", \"source\": \"$C/rro\", \"options\": [\"rbind\", \"rro\"]}" \
                append mounts "{\"destination\": \"/ro\", \"type\": \"bind\", \"source\": \"$C/ro\", \"options\": [\"rbind\", \"ro\"]}"
        capture ctr run -b "$B" c1
        umount "$C/rro/sub" "$C/ro/sub"
        if [ "$RC" != 0 ] && [[ $ERR == *"Linux 5.12"* ]]; then skip "no mount_setattr: $ERR"; fi
        assert_rc 0 "run with an rro bind"
        # The control (plain ro leaves the submount writable) shows the case can fail.
        assert_eq "rro and ro with a submount" "/rro read-only
/rro/sub read-only
/ro read-only
/ro/sub writable" "$OUT"
}

t_mount_tmpfs_files_label() {
        echo "file-$MARK" >"$C/hostname-file"
        mk_bundle b /bin/sh -c 'stat -c "%a" /t; df -k /t | awk "NR == 2 {print \$2}"; cat /etc/hostname'
        cfg "$B" append mounts '{"destination": "/t", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=1777", "size=2m"]}' \
                append mounts "{\"destination\": \"/etc/hostname\", \"type\": \"bind\", \"source\": \"$C/hostname-file\", \"options\": [\"bind\", \"ro\"]}"
        if [ ! -e /sys/fs/selinux/enforce ]; then
                # Without SELinux, accepted and ignored, as runc does.
                cfg "$B" set linux.mountLabel '"system_u:object_r:container_file_t:s0:c1,c2"'
        fi
        capture ctr run -b "$B" c1
        assert_rc 0 "run with a tmpfs mode=1777,size=2m, a file bind and a mountLabel"
        assert_eq "tmpfs mode, size (KiB), file bind" "1777
2048
file-$MARK" "$OUT"
        assert_eq "the image's /etc/hostname under the bind" ctr-test "$(cat "$B/rootfs/etc/hostname")"
}

case_run cve-2024-21626-cwd-fd t_cwd_fd
case_run cve-2024-21626-cwd-symlink t_cwd_symlink
case_run cve-2021-30465-mount-race t_mount_race
case_run cve-2019-16884-proc-symlink t_proc_symlink
case_run cve-2022-27650-capinh t_capinh
case_run cve-2025-31133-dev-null-symlink t_dev_null_symlink
case_run cve-2025-52565-dev-console-symlink t_dev_console_symlink
case_run cve-2025-52881-procfs-write-redirect t_procfs_write_redirect
case_run mount-propagation t_mount_propagation
case_run mount-rro t_mount_rro
case_run mount-tmpfs-files-label t_mount_tmpfs_files_label

lib_finish
