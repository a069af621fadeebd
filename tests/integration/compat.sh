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
        capture ctr run -b "$B" b
        assert_rc 0 "run with a device outside /dev"
        assert_eq "the node and a write to it" "1:3 666
written" "$OUT"
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

# ---------------------------------------------------------------- cases: process setup
case_run no-capabilities t_no_capabilities
case_run unknown-capabilities t_unknown_capabilities
case_run cwd-created t_cwd_created
case_run home t_home
case_run hook-env t_hook_env
case_run device-outside-dev t_device_outside_dev
case_run device-access-rwa t_device_access_rwa

# ---------------------------------------------------------------- cases: mounts and namespaces

lib_finish
