#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Configs as real tools write them (issue 16): what runc 1.1 and crun 1.8 both accept, each item
# as a config fragment, a command in the container, its expected output, and nothing left
# behind. Seccomp's items are in seccomp.sh, the cgroups' in cgroups.sh.
# Usage: compat.sh PATH-TO-ctr-launch (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
lib_init "$@"

# ---------------------------------------------------------------- process setup (items 1, 6, 7, 9)

# A config with no process.capabilities (minimal configs, some generators): every set empty,
# bounding included, as with runc and crun; before, create said "effective must be a subset of
# permitted".
t_no_capabilities() {
        run_in b 'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status | cut -f2 | sort -u' del process.capabilities
        assert_eq "capability sets without a capabilities object" 0000000000000000 "$OUT"
}

# Names newer than libcap-ng or the running kernel are dropped with one warning line; the
# known ones still apply.
t_unknown_capabilities() {
        mk_bundle_sh b 'grep -E "^CapBnd" /proc/self/status | cut -f2' \
                set process.capabilities.bounding '["CAP_KILL", "CAP_FROM_THE_FUTURE", "CAP_ALSO_NEW"]' \
                set process.capabilities.permitted '["CAP_KILL", "CAP_FROM_THE_FUTURE"]' \
                set process.capabilities.effective '["CAP_KILL"]'
        capture ctr run -b "$B" b
        assert_rc 0 "run with capabilities unknown to this system"
        assert_eq "bounding set: CAP_KILL alone" 0000000000000020 "$OUT"
        assert_eq "one warning line" "ctr-launch: b: config.json: process.capabilities: ignoring what this system does not know: CAP_FROM_THE_FUTURE, CAP_ALSO_NEW" "$ERR"
        # Not a capability name at all is still an error.
        create_refused b2 'process\.capabilities\.bounding\[0\]: not a capability name' \
                set process.capabilities.bounding '["kill"]'
}

# A cwd the image lacks is created (0755, the container's root's), as runc does; HOME comes from
# the container's /etc/passwd for the process's uid, "/" without an entry; process.env's wins.
t_cwd_created() {
        run_in b 'pwd; stat -c "%a %u" /work/deep' set process.cwd '"/work/deep"'
        assert_eq "cwd and its directory" "/work/deep
755 0" "$OUT"
        # root.readonly is the container's view: the runtime makes the cwd all the same, as runc.
        run_in b2 pwd set process.cwd '"/made/for/ro"' set root.readonly true
        assert_eq "cwd under a read-only root" /made/for/ro "$OUT"
        # One that cannot be made: a clear error, nothing left.
        create_refused b3 'cwd /etc/passwd/x: Not a directory' \
                set process.cwd '"/etc/passwd/x"'
}

t_home() {
        mk_bundle b
        printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n' >"$B/rootfs/etc/passwd"
        cfg "$B" set process.args '["/bin/sh", "-c", "echo \"$HOME\""]'
        local uid want
        for uid in 0:/root 1000:/home/alice 4242:/; do
                want=${uid#*:}
                cfg "$B" set process.user "{\"uid\": ${uid%%:*}, \"gid\": 0}"
                capture ctr run -b "$B" "b-${uid%%:*}"
                assert_rc 0 "run as uid ${uid%%:*}"
                assert_eq "HOME of uid ${uid%%:*}" "$want" "$OUT"
        done
        cfg "$B" append process.env '"HOME=/set/by/config"'
        capture ctr run -b "$B" b-env
        assert_eq "HOME from process.env" /set/by/config "$OUT"
        # exec fills it in the same way.
        mk_bundle b2 /bin/sh -c "$(long_running)"
        printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n' >"$B/rootfs/etc/passwd"
        capture_ok "run -d" ctr run -d -b "$B" b2
        wait_for "the payload" test -e "$C/shared/ready"
        capture ctr exec -u 1000 b2 /bin/sh -c 'echo "$HOME"'
        assert_rc 0 "exec -u 1000"
        assert_eq "HOME of an exec as uid 1000" /home/alice "$OUT"
        ctr kill b2 KILL
        wait_for "the container to stop" status_is b2 stopped
        ctr delete b2
}

# A hook with no env runs with the runtime's environment (runc's and crun's behaviour); an
# empty list is an empty environment.
t_hook_env() {
        mk_bundle b
        printf '#!/bin/sh\nenv >"$1"\n' >"$C/hook.sh"
        chmod 0755 "$C/hook.sh"
        cfg "$B" set hooks "{\"createRuntime\": [{\"path\": \"$C/hook.sh\", \"args\": [\"hook\", \"$C/env1\"]},
                                                 {\"path\": \"$C/hook.sh\", \"args\": [\"hook\", \"$C/env2\"], \"env\": []}]}"
        capture env CTR_HOOK_PROBE=from-the-runtime "$CTR" --root "$ROOT" run -b "$B" b
        printf 'b\n' >>"$C/.ids"
        assert_rc 0 "run with hooks"
        assert_contains "the env of a hook without env" "$(cat "$C/env1")" CTR_HOOK_PROBE=from-the-runtime
        assert_eq "the env of a hook with an empty env" "" "$(grep -Ev '^(PWD|SHLVL|OLDPWD|_)=' "$C/env2" || true)"
}

# linux.devices anywhere in the rootfs (runc and crun allow it), created beneath the root: a
# symlinked directory on the way still lands inside, never on the host.
t_device_outside_dev() {
        mk_bundle b
        mkdir -p "$C/host-target"
        ln -s "$C/host-target" "$B/rootfs/devlink"
        cfg "$B" set linux.devices '[{"type": "c", "path": "/opt/nodes/null", "major": 1, "minor": 3, "fileMode": 438},
                                      {"type": "c", "path": "/devlink/zero", "major": 1, "minor": 5}]' \
                set process.args '["/bin/sh", "-c", "stat -c \"%t:%T %a\" /opt/nodes/null; echo x >/opt/nodes/null && echo written"]'
        # A rootfs on a nodev mount (the VM host's /tmp) has the node, but it cannot be opened.
        local written=written
        case ,$(findmnt -no OPTIONS -T "$B/rootfs"), in *,nodev,*) written="" ;; esac
        capture ctr run -b "$B" b
        assert_eq "the node (and a write to it unless nodev)" "1:3 666${written:+
$written}" "$OUT"
        [ ! -e "$C/host-target/zero" ] || fail "a device node was made through a symlink on the host"
        [ -c "$B/rootfs$C/host-target/zero" ] || fail "the symlinked path's node is not inside the rootfs"
        create_refused b2 'linux\.devices\[0\]\.path: must be a path below / without' \
                set linux.devices '[{"type": "c", "path": "/dev/../etc/x", "major": 1, "minor": 3}]'
}

# Device cgroup access strings with letters runc does not know ("rwa" from old tools) are read
# as runc reads them, the known letters, with a warning; none known is an error. The host's
# /dev/kmsg (1:11, in no default rule) bound in shows which rule decided.
t_device_access_rwa() {
        local script='if ( : >/dev/km ) 2>/dev/null; then echo opened; else echo refused; fi'
        run_in b "$script" append mounts '{"destination": "/dev/km", "type": "bind", "source": "/dev/kmsg", "options": ["bind"]}' \
                set linux.resources.devices '[{"allow": false, "access": "rwa"}]'
        assert_eq "1:11 under a deny-all \"rwa\" rule" refused "$OUT"
        assert_contains "the warning" "$ERR" 'linux.resources.devices[0].access: "rwa" is taken as "rw"'
        run_in b2 "$script" append mounts '{"destination": "/dev/km", "type": "bind", "source": "/dev/kmsg", "options": ["bind"]}' \
                set linux.resources.devices '[{"allow": false, "access": "rwa"}, {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "rwa"}]'
        assert_eq "1:11 allowed by an \"rwa\" rule" opened "$OUT"
        create_refused b3 'linux\.resources\.devices\[0\]\.access: must hold r, w or m' \
                set linux.resources.devices '[{"allow": false, "access": "xa"}]'
}

# ---------------------------------------------------------------- mounts and namespaces (items 5, 8, 10, 11)

t_dangling_destinations() {
        # Item 8: a destination that is a dangling symlink in the image is resolved inside the
        # rootfs, and what it points to is made there (runc's SecureJoin + MkdirAll), whether
        # the link is absolute, relative, escapes with "..", or is a chain; never on the host.
        local up=../../../../../../../../../../../../../../../../../../../..
        mkdir -p "$C/src-dir"
        echo "file-$MARK" >"$C/src-file"
        echo "dir-$MARK" >"$C/src-dir/x"
        mk_bundle b /bin/sh -c 'cat /mnt/dfile /d-'"$MARK"'/f; cat /mnt/ddir/x /o-'"$MARK"'/dir/x
cat /l1 /c-'"$MARK"'/f; cat /mnt/rel/x /mnt/sub/dir/x; ls -d /mnt/dtmp/ /t-'"$MARK"'/t/ | wc -l'
        local r=$B/rootfs
        mkdir -p "$r/mnt" "$r/deep"
        ln -s "/d-$MARK/f" "$r/mnt/dfile"                  # absolute, its directory missing
        ln -s "$up/o-$MARK/dir" "$r/mnt/ddir"              # relative, escaping with ".."
        ln -s l2 "$r/l1"                                   # a chain: l1 -> l2 -> /deep/l3 -> ..
        ln -s /deep/l3 "$r/l2"
        ln -s "$up/c-$MARK/f" "$r/deep/l3"
        ln -s sub/dir "$r/mnt/rel"                         # relative, inside
        ln -s "/t-$MARK/t" "$r/mnt/dtmp"                   # a tmpfs onto one
        cfg "$B" append mounts "{\"destination\": \"/mnt/dfile\", \"type\": \"bind\", \"source\": \"$C/src-file\", \"options\": [\"bind\"]}" \
                append mounts "{\"destination\": \"/mnt/ddir\", \"type\": \"bind\", \"source\": \"$C/src-dir\", \"options\": [\"rbind\"]}" \
                append mounts "{\"destination\": \"/l1\", \"type\": \"bind\", \"source\": \"$C/src-file\", \"options\": [\"bind\", \"ro\"]}" \
                append mounts "{\"destination\": \"/mnt/rel\", \"type\": \"bind\", \"source\": \"$C/src-dir\", \"options\": [\"bind\"]}" \
                append mounts '{"destination": "/mnt/dtmp", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k"]}'
        capture ctr run -b "$B" c1
        assert_rc 0 "run with mount destinations that are dangling symlinks"
        assert_eq "the binds through the links and at their targets" \
                "file-$MARK file-$MARK dir-$MARK dir-$MARK file-$MARK file-$MARK dir-$MARK dir-$MARK 2" "$(words "$OUT")"
        local d
        for d in "d-$MARK" "o-$MARK" "c-$MARK" "t-$MARK"; do
                [ ! -e "/$d" ] || { rm -rf "/${d:?}"; fail "/$d was made on the host"; }
                [ -e "$r/$d" ] || fail "/$d was not made in the rootfs"
        done
        [ -f "$r/d-$MARK/f" ] && [ -f "$r/c-$MARK/f" ] && [ -d "$r/o-$MARK/dir" ] ||
                fail "the links' targets in the rootfs are not a file, a file and a directory: $(cd "$r" && ls -lR "d-$MARK" "c-$MARK" "o-$MARK")"
}

t_rootfs_propagation() {
        # Item 11: every linux.rootfsPropagation, as the container sees "/" and /proc in its
        # mountinfo. Applied to "/" once the mounts are made, as crun 1.8 does (runc 1.1 applies
        # it before binding the rootfs only, so shared never shows, and fails on "unbindable":
        # "mount rootfs:rootfs, flags: 0x5000: invalid argument").
        local slave_tag=""
        host_mount_is_shared "$C" && slave_tag=master
        local p want_root want_proc
        for p in private rprivate slave rslave shared rshared unbindable runbindable; do
                case $p in
                private | rprivate) want_root="" want_proc="" ;;
                slave | rslave) want_root=$slave_tag want_proc="" ;;
                shared) want_root=shared want_proc="" ;;
                rshared) want_root=shared want_proc=shared ;;
                unbindable) want_root=unbindable want_proc="" ;;
                runbindable) want_root=unbindable want_proc=unbindable ;;
                esac
                mk_bundle "b-$p" /bin/cat /proc/self/mountinfo
                cfg "$B" set linux.rootfsPropagation "\"$p\""
                capture ctr run -b "$B" "c-$p"
                assert_rc 0 "run with rootfsPropagation $p"
                assert_eq "rootfsPropagation $p: the propagation of /" "$want_root" "$(prop_tags / <<<"$OUT")"
                assert_eq "rootfsPropagation $p: the propagation of /proc" "$want_proc" "$(prop_tags /proc <<<"$OUT")"
        done
}

t_rootfs_propagation_shared_parent() {
        # Item 11: a rootfs on a shared mount (every systemd host has them): with "private" or
        # "slave" (not recursive), that mount stays shared with the host, and so would the
        # rootfs bind and everything below it. The rootfs's parent mount is made a slave first,
        # as runc and crun make it private: nothing reaches the host, and pivot_root works.
        mkdir -p "$C/shared-mnt"
        mount -t tmpfs -o size=16m tmpfs "$C/shared-mnt"
        mount --make-shared "$C/shared-mnt"
        local p ok=1 n
        for p in private slave rslave shared; do
                B=$C/shared-mnt/b-$p
                mkdir -p "$B"
                cp -a "$T/rootfs-template" "$B/rootfs"
                "$PY" "$LIB_DIR/bundle.py" default "$B/config.json" "$B/rootfs" "$MARK"
                cfg "$B" set linux.rootfsPropagation "\"$p\""
                capture ctr create -b "$B" "c-$p"
                if [ "$RC" = 0 ]; then
                        n=$(grep -c " $B/" /proc/self/mountinfo || true)
                        ctr delete --force "c-$p" >/dev/null 2>&1 || true
                        [ "$n" = 0 ] || { ok=0; note "rootfsPropagation $p: $n of the container's mounts reached the host"; }
                else
                        ok=0
                        note "create with rootfsPropagation $p on a shared mount: $(show)"
                fi
        done
        umount -R "$C/shared-mnt" 2>/dev/null || umount -l "$C/shared-mnt"
        [ "$ok" = 1 ] || fail "a rootfs on a shared mount: see above"
}

t_bind_source_root_only() {
        # Item 5: bind sources below a directory only the host's root may search (0700), for a
        # container whose root is uid 100000 on the host. create opens them with its own
        # rights before the init exists (runc 1.1's mountFds): a file ("ro"), a directory, and
        # the same directory "rbind" with a mount below it. Those fds are not the container's.
        [ -e /proc/self/ns/user ] || skip "the kernel has no user namespaces"
        local map='[{"containerID": 0, "hostID": 100000, "size": 65536}]'
        mkdir -m 0700 "$C/secret"
        mkdir -p "$C/secret/dir/sub"
        echo "file-$MARK" >"$C/secret/file"
        echo "dir-$MARK" >"$C/secret/dir/x"
        mount -t tmpfs -o size=64k tmpfs "$C/secret/dir/sub"
        echo "sub-$MARK" >"$C/secret/dir/sub/y"
        mk_bundle b /bin/sh -c 'id -u; cat /s-file /s-dir/x /s-rdir/sub/y; ls /s-dir/sub | wc -l
touch /s-file 2>/dev/null && echo s-file writable || echo s-file read-only; ls /proc/1/fd | tr "\n" " "; echo'
        chown -R 100000:100000 "$B/rootfs" "$C/shared"
        cfg "$B" append linux.namespaces '{"type": "user"}' set linux.uidMappings "$map" set linux.gidMappings "$map" \
                append mounts "{\"destination\": \"/s-file\", \"type\": \"bind\", \"source\": \"$C/secret/file\", \"options\": [\"bind\", \"ro\"]}" \
                append mounts "{\"destination\": \"/s-dir\", \"type\": \"bind\", \"source\": \"$C/secret/dir\", \"options\": [\"bind\"]}" \
                append mounts "{\"destination\": \"/s-rdir\", \"source\": \"../secret/dir\", \"options\": [\"rbind\"]}"
        capture ctr run -b "$B" c1
        assert_rc 0 "run in a user namespace with bind sources below a 0700 directory"
        assert_eq "what the container reads from the sources" \
                "0 file-$MARK dir-$MARK sub-$MARK 0 s-file read-only 0 1 2" "$(words "$OUT")"

        # A source that is not there: one line from create, nothing left.
        cfg "$B" set mounts.7.source "\"$C/secret/missing\""
        capture ctr run -b "$B" c2
        assert_fails "run with a missing bind source below a 0700 directory"
        assert_one_error_line "a missing bind source" "secret/missing.*No such file"

        # The runtime's own bind: "container" readiness's notify directory, in the state dir,
        # which is root's alone (0700).
        cfg "$B" set mounts.7.source "\"$C/secret/file\"" set annotations '{"org.ctr-launch.readiness": "container"}'
        capture ctr create -b "$B" c3
        assert_rc 0 "create in a user namespace with container readiness"
        capture ctr delete --force c3
        assert_rc 0 "delete --force"
        umount "$C/secret/dir/sub"
}

# ns_holder TYPE...: a process in new namespaces of these unshare(1) flags (-m, -u), to join by
# path; sets HOLDER. It ends with the case (kill_holder), or by itself after 60 s.
ns_holder() {
        unshare "$@" sleep 60 </dev/null >/dev/null 2>&1 &
        HOLDER=$!
        wait_for "the namespace holder" holder_ready
}

# Once unshare(1) has made the namespaces and become sleep.
holder_ready() {
        [ "$(readlink "/proc/$HOLDER/exe" 2>/dev/null)" = "$(readlink -f "$(command -v sleep)")" ]
}

kill_holder() {
        kill -9 "$HOLDER" 2>/dev/null || true
        wait "$HOLDER" 2>/dev/null || true
}

t_joined_mount_ns() {
        # Item 10: a mount namespace joined by path is set up as a new one would be, pivot_root
        # included, as runc 1.1 and crun 1.8 do: whatever else was in it now has the
        # container's root too. Today: "a new mount namespace is required".
        ns_holder -m --propagation private
        local want
        want=$(readlink "/proc/$HOLDER/ns/mnt")
        run_in c1 'readlink /proc/self/ns/mnt; cat /etc/hostname' \
                delns mount append linux.namespaces "{\"type\": \"mount\", \"path\": \"/proc/$HOLDER/ns/mnt\"}"
        assert_eq "the container's mount namespace, and its /etc/hostname" "$want ctr-test" "$(words "$OUT")"
        local holder_root
        holder_root=$(cat "/proc/$HOLDER/root/etc/hostname" 2>&1 || true)
        kill_holder
        assert_eq "the holder's root after the run (the container's)" ctr-test "$holder_root"
}

t_joined_uts_hostname() {
        # Item 10: "hostname" with a uts namespace joined by path sets it there, as runc 1.1
        # and crun 1.8 do (validate.go wants a uts namespace, new or joined); with none at all
        # it is still refused (isolation.sh). Today: "hostname: needs a new uts namespace".
        local host_before
        host_before=$(hostname)
        ns_holder -u
        run_in c1 'hostname; cat /proc/sys/kernel/domainname' \
                delns uts append linux.namespaces "{\"type\": \"uts\", \"path\": \"/proc/$HOLDER/ns/uts\"}" \
                set hostname '"joined-uts"' set domainname '"joined.example"'
        assert_eq "hostname and domainname inside" "joined-uts joined.example" "$(words "$OUT")"
        local held
        held=$(nsenter -t "$HOLDER" -u hostname)
        kill_holder
        assert_eq "the hostname in the joined namespace after the run" joined-uts "$held"
        assert_eq "the host's hostname" "$host_before" "$(hostname)"
}

t_no_mount_ns() {
        # Item 10: no mount namespace in linux.namespaces. As runc 1.1 and crun 1.8: the mounts go
        # into the runtime's mount namespace, below the rootfs, and the process is chrooted
        # there; exec lands there too. Unlike them, delete takes those mounts away again, "/"'s
        # propagation is left alone (runc makes the host's "/" rslave), and what would need a
        # namespace of the container's own is refused: maskedPaths/readonlyPaths (runc refuses
        # them too; crun masks the host's paths below the rootfs), root.readonly and
        # rootfsPropagation (runc ignores the one and applies the other to the host's "/").
        mk_bundle b /bin/sh -c 'echo ready >/shared/ready; cat /etc/hostname; ls /proc/1/fd | wc -l; exec sleep 60'
        cfg "$B" delns mount del linux.maskedPaths del linux.readonlyPaths
        capture ctr create -b "$B" c1
        assert_rc 0 "create with no mount namespace"
        local pid
        pid=$(pid_of c1)
        assert_eq "the init's mount namespace" "$(readlink /proc/self/ns/mnt)" "$(readlink "/proc/$pid/ns/mnt")"
        assert_eq "the init's root" "$(readlink -f "$B/rootfs")" "$(readlink "/proc/$pid/root")"
        awk -v m="$(readlink -f "$B/rootfs")/proc" '$5 == m && $9 == "proc" {f = 1} END {exit !f}' /proc/self/mountinfo ||
                fail "no proc mount at the rootfs's /proc in our mount namespace (as runc and crun make it)"
        echo "inside-$MARK" >"$B/rootfs/marker"
        capture ctr start c1
        assert_rc 0 "start of the container with no mount namespace"
        wait_for "the container's process" test -e "$C/shared/ready"
        capture ctr exec c1 /bin/sh -c 'cat /marker; readlink /proc/self/root'
        assert_rc 0 "exec into the container with no mount namespace"
        assert_eq "what exec sees" "inside-$MARK /" "$(words "$OUT")"
        capture ctr delete --force c1
        assert_rc 0 "delete of the container with no mount namespace"
        local left
        left=$(grep -c " $(readlink -f "$B/rootfs")/" /proc/self/mountinfo || true)
        assert_eq "mounts below the rootfs after delete" 0 "$left"

        # run: create, start, wait, delete; the process sees its rootfs.
        mk_bundle b2 /bin/sh -c 'cat /etc/hostname; hostname; ls -d /proc/self /dev/null | wc -l'
        cfg "$B" delns mount del linux.maskedPaths del linux.readonlyPaths
        capture ctr run -b "$B" c2
        assert_rc 0 "run with no mount namespace"
        assert_eq "the process's view" "ctr-test ctr-test 2" "$(words "$OUT")"

        # A create that fails half-way leaves no mount either.
        mk_bundle b3
        cfg "$B" delns mount del linux.maskedPaths del linux.readonlyPaths \
                append mounts "{\"destination\": \"/missing\", \"type\": \"bind\", \"source\": \"$C/missing\", \"options\": [\"bind\"]}"
        capture ctr run -b "$B" c3
        assert_fails "run with no mount namespace and a missing bind source"
        assert_one_error_line "a missing bind source" "missing.*No such file"

        # Refused: what needs a mount namespace of the container's own.
        create_refused c4 'maskedPaths.*mount namespace' delns mount
        create_refused c5 'root.readonly.*mount namespace' delns mount del linux.maskedPaths del linux.readonlyPaths \
                set root.readonly true
        create_refused c6 'rootfsPropagation.*mount namespace' delns mount del linux.maskedPaths del linux.readonlyPaths \
                set linux.rootfsPropagation '"rslave"'
}


# prop_tags MOUNTPOINT <<<MOUNTINFO: the propagation fields of that mount point ("shared",
# "master", "unbindable", space-separated; empty for a private mount).
prop_tags() {
        awk -v m="$1" '$5 == m { t = ""; for (i = 7; $i != "-"; i++) { f = $i; sub(/:.*/, "", f); t = t " " f } sub(/^ /, "", t); print t; exit }'
}

# host_mount_is_shared DIR: whether the host mount DIR lives on is shared (systemd hosts).
host_mount_is_shared() {
        awk -v d="$(df --output=target "$1" | tail -n 1)" '$5 == d && / shared:/ {f = 1} END {exit !f}' /proc/self/mountinfo
}

# ---------------------------------------------------------------- cases: process setup
case_run no-capabilities t_no_capabilities
case_run unknown-capabilities t_unknown_capabilities
case_run cwd-created t_cwd_created
case_run home t_home
case_run hook-env t_hook_env
case_run device-outside-dev t_device_outside_dev
case_run device-access-rwa t_device_access_rwa

# ---------------------------------------------------------------- cases: mounts and namespaces
case_run bind-source-root-only t_bind_source_root_only
case_run dangling-symlink-destinations t_dangling_destinations
case_run joined-mount-namespace t_joined_mount_ns
case_run joined-uts-namespace-hostname t_joined_uts_hostname
case_run no-mount-namespace t_no_mount_ns
case_run rootfs-propagation t_rootfs_propagation
case_run rootfs-propagation-shared-parent t_rootfs_propagation_shared_parent

lib_finish
