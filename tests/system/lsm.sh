#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 20: LSM labels applied for real. In the VM test host (Debian 12's own kernel, AppArmor
# enabled as on a stock Debian host, Debian's apparmor package): process.apparmorProfile puts the
# container's process under the profile (a profile that denies writing /tmp makes `touch /tmp/x`
# fail, /proc/self/attr/current names it); the transition happens at the exec of the user's
# binary, not at the exec stub's (a profile with no exec right at all still starts its entry
# point, which then cannot exec anything); exec's processes get the container's profile or
# --apparmor's; a profile that is not loaded is refused before anything exists; a ctr@ unit runs
# under its bundle's profile. On a host without AppArmor (the nspawn host on this machine's
# kernel) the label is refused, never dropped. podman's default profile is tested by the podman
# client script (tests/clients/podman.sh, apparmor-default), which the VM suite runs.
# SELinux (the selinux-* cases) where the test host runs it, the VM booted by vm-selinux.sh:
# process.selinuxLabel labels the container's process, exec's get the container's label or
# --process-label's, linux.mountLabel labels the container's tmpfs, devpts, mqueue and masks, a ctr@
# unit's main process carries its bundle's label, and a context the policy does not define is
# refused before anything exists; where SELinux is off, a label is refused, never dropped.
# Usage: lsm.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).
# Environment: CTR_EXPECT_LSM (apparmor or selinux: the LSM the test host must have; the VM
# suites set it).

source "$(dirname "$0")/lib.sh"
sys_init "$@"
host_boot "$BUILD_DIR"

PROFILES=/root/ctr-lsm-test # in the test host: the profiles' sources
# As the test host's kernel has it; the VM's Debian kernel has AppArmor on.
HOST_APPARMOR=$(host_run cat /sys/module/apparmor/parameters/enabled 2>/dev/null || echo N)
[ "$HOST_APPARMOR" = Y ] || HOST_APPARMOR=N
# SELinux: selinuxfs is there (only in the VM booted with security=selinux).
HOST_SELINUX=N
host_run test -e /sys/fs/selinux/enforce 2>/dev/null && HOST_SELINUX=Y
# The VM suites name the LSM their VM boots (CTR_EXPECT_LSM): a VM that came up without it would
# skip every case of that LSM and pass.
case ${CTR_EXPECT_LSM:-} in
"") ;;
apparmor) [ "$HOST_APPARMOR" = Y ] || hard_error "the test host was booted for AppArmor, and it is not enabled" ;;
selinux) [ "$HOST_SELINUX" = Y ] || hard_error "the test host was booted with security=selinux, and has no selinuxfs" ;;
*) hard_error "CTR_EXPECT_LSM=$CTR_EXPECT_LSM: expected apparmor or selinux" ;;
esac

# capture CMD...: sets RC, OUT, ERR; never fails itself.
capture() {
        local o=$HOST_DIR/capture.out e=$HOST_DIR/capture.err
        "$@" >"$o" 2>"$e" && RC=0 || RC=$?
        OUT=$(cat "$o")
        ERR=$(cat "$e")
}
assert_rc() { # assert_rc WANT WHAT
        [ "$RC" = "$1" ] || fail "$2: expected exit status $1, got $RC; stdout: $OUT; stderr: $ERR"
}
assert_fails() {
        [ "$RC" != 0 ] || fail "$1: expected a failure, got exit status 0; stdout: $OUT"
}
# assert_one_error_line WHAT REGEX: stderr is one line, ctr-launch's, matching REGEX.
assert_one_error_line() {
        [ "$(printf '%s' "$ERR" | grep -c '')" = 1 ] || fail "$1: expected one line on stderr, got: $ERR"
        [[ $ERR == ctr-launch:* ]] || fail "$1: expected the line to start with \"ctr-launch:\", got: $ERR"
        printf '%s' "$ERR" | grep -Eq -- "$2" || fail "$1: expected the error to match /$2/, got: $ERR"
}
expect_line() { # expect_line WHAT TEXT REGEX: a line of TEXT matches REGEX
        printf '%s\n' "$2" | grep -Eq -- "$3" || fail "$1: expected a line matching /$3/, got:
$2"
}

need_selinux() {
        [ "$HOST_SELINUX" = Y ] ||
                skip "SELinux is not the test host's LSM (vm-selinux.sh boots the VM with security=selinux)"
}

need_apparmor() {
        [ "$HOST_APPARMOR" = Y ] ||
                skip "AppArmor is not enabled on the test host's kernel (the vm test's VM has it)"
}

# load NAME RULES: the profile NAME with RULES, loaded (or replaced) in the test host.
load() {
        local name=$1 rules=$2
        mkdir -p "$HOST_ROOT$PROFILES"
        printf 'abi <abi/3.0>,\nprofile %s flags=(attach_disconnected,mediate_deleted) {\n%s\n}\n' \
                "$name" "$rules" >"$HOST_ROOT$PROFILES/$name"
        host_run apparmor_parser -r "$PROFILES/$name" || fail "apparmor_parser -r $name failed"
        echo "$name" >>"$HOST_DIR/profiles.loaded"
}

unload_all() {
        local p
        [ -s "$HOST_DIR/profiles.loaded" ] || return 0
        for p in $(sort -u "$HOST_DIR/profiles.loaded"); do
                host_run apparmor_parser -R "$PROFILES/$p" >/dev/null 2>&1 || true
        done
        rm -f "$HOST_DIR/profiles.loaded"
}

# Everything but writes below /tmp.
DENY_TMP_RULES='  file,
  capability,
  network,
  unix,
  signal,
  ptrace,
  mount,
  umount,
  pivot_root,
  deny /tmp/** w,'
# Read and write files, but no exec right on anything: the entry point starts only if the
# transition is its own exec's.
NO_EXEC_RULES='  /** rw,
  capability,
  network,
  unix,
  signal,'

# out ID: what the payload wrote to its /shared/out.
out() {
        cat "$HOST_ROOT$HOST_BUNDLES/$1/shared/out" 2>/dev/null || true
}

# make ID PROFILE SCRIPT: a bundle whose process is `sh -c SCRIPT` under PROFILE, with a tmpfs
# on /tmp (the spec's root is read-only).
make() {
        local id=$1 profile=$2 script=$3
        host_make_bundle "$id" /bin/sh -c "$script"
        "$PY" - "$BUNDLE_DIR/config.json" "$profile" <<'EOF'
import json, sys
path, profile = sys.argv[1:]
with open(path) as f:
    cfg = json.load(f)
cfg["process"]["apparmorProfile"] = profile
cfg["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
                      "options": ["nosuid", "nodev", "mode=1777"]})
with open(path, "w") as f:
    json.dump(cfg, f, indent=2)
EOF
}

# make_selinux ID LABEL MOUNT-LABEL SCRIPT: a bundle whose process is `sh -c SCRIPT` labelled
# LABEL, its mounts MOUNT-LABEL, /var masked ("" leaves either unset).
make_selinux() {
        local id=$1 label=$2 mount_label=$3 script=$4
        host_make_bundle "$id" /bin/sh -c "$script"
        "$PY" - "$BUNDLE_DIR/config.json" "$label" "$mount_label" <<'EOF'
import json, sys
path, label, mount_label = sys.argv[1:]
with open(path) as f:
    cfg = json.load(f)
if label:
    cfg["process"]["selinuxLabel"] = label
if mount_label:
    cfg["linux"]["mountLabel"] = mount_label
    # A directory masked with a tmpfs, which takes the label too.
    cfg["linux"].setdefault("maskedPaths", []).append("/var")
with open(path, "w") as f:
    json.dump(cfg, f, indent=2)
EOF
}

# Contexts of Debian's reference policy (selinux-policy-default, MLS): the type libvirt gives its
# guests, and its images' (container_t is not in it), in two categories.
SE_PROC=system_u:system_r:svirt_t:s0:c1,c2
SE_PROC2=system_u:system_r:svirt_t:s0:c3,c4
SE_FILE=system_u:object_r:svirt_image_t:s0:c1,c2
SE_BOGUS=system_u:system_r:ctr_no_such_t:s0

# nothing_left WHAT: no container state in the test host.
nothing_left() {
        [ -z "$(host_run sh -c "ls -A $HOST_STATE 2>/dev/null")" ] || fail "$1 left a state directory"
}

# The label line, then what the script's own check says; builtins only until the check.
LABEL='read l </proc/self/attr/current; echo "label=$l" >/shared/out'
# The payload of a long-running container: its label, then waits; TERM ends it.
WAIT='trap "exit 0" TERM; while :; do sleep 1 & wait; done'

t_features() {
        local want=false
        [ "$HOST_APPARMOR" = N ] || want=true
        capture host_ctr features
        assert_rc 0 "ctr-launch features"
        assert_eq "features: linux.apparmor.enabled" "$want" \
                "$("$PY" -c 'import json, sys; print(str(json.load(sys.stdin)["linux"]["apparmor"]["enabled"]).lower())' <<<"$OUT")"
        want=false
        [ "$HOST_SELINUX" = N ] || want=true
        assert_eq "features: linux.selinux.enabled" "$want" \
                "$("$PY" -c 'import json, sys; print(str(json.load(sys.stdin)["linux"]["selinux"]["enabled"]).lower())' <<<"$OUT")"
}

t_refused() {
        [ "$HOST_APPARMOR" = N ] || skip "AppArmor is enabled on this test host: see not-loaded and deny-tmp"
        make refused docker-default "$LABEL"
        capture host_ctr create -b "$HOST_BUNDLE" refused
        assert_fails "create with an AppArmor profile, AppArmor off"
        assert_one_error_line "create" 'process\.apparmorProfile: AppArmor is not enabled on this host'
}

t_not_loaded() {
        need_apparmor
        make missing ctr-test-missing "$LABEL"
        capture host_ctr create -b "$HOST_BUNDLE" missing
        assert_fails "create with a profile that is not loaded"
        assert_one_error_line "create" 'process\.apparmorProfile: profile "ctr-test-missing" is not loaded'
        nothing_left "create"
}

t_deny_tmp() {
        need_apparmor
        load ctr-test-deny-tmp "$DENY_TMP_RULES"
        make tmp ctr-test-deny-tmp "$LABEL"'
                if touch /tmp/x 2>>/shared/out; then echo touch=ok; else echo touch=denied; fi >>/shared/out
                if touch /shared/y; then echo shared=ok; else echo shared=denied; fi >>/shared/out'
        capture host_ctr run -b "$HOST_BUNDLE" tmp
        assert_rc 0 "ctr-launch run under ctr-test-deny-tmp"
        local o
        o=$(out tmp)
        expect_line "the container's label" "$o" '^label=ctr-test-deny-tmp \(enforce\)$'
        expect_line "touch /tmp/x under the profile" "$o" '^touch=denied$'
        expect_line "touch's error" "$o" 'Permission denied'
        # What the profile allows still works: the denial is the profile's, not a read-only /tmp.
        expect_line "touch /shared/y under the profile" "$o" '^shared=ok$'
}

t_entry_transition() {
        need_apparmor
        load ctr-test-no-exec "$NO_EXEC_RULES"
        make noexec ctr-test-no-exec "$LABEL"'; /bin/true; echo "exec=$?" >>/shared/out'
        capture host_ctr run -b "$HOST_BUNDLE" noexec
        local o
        o=$(out noexec)
        # Had the stub's exec been the transition, the stub would have run under the profile
        # and could not have exec'd /bin/sh.
        expect_line "the entry point's label" "$o" '^label=ctr-test-no-exec \(enforce\)$'
        expect_line "an exec under a profile without exec rights" "$o" '^exec=126$'
}

t_exec() {
        need_apparmor
        load ctr-test-deny-tmp "$DENY_TMP_RULES"
        load ctr-test-no-exec "$NO_EXEC_RULES"
        make ex ctr-test-deny-tmp "$WAIT"
        host_ctr run -d -b "$HOST_BUNDLE" ex >/dev/null || fail "run -d ex failed"
        capture host_ctr exec ex cat /proc/self/attr/current
        assert_rc 0 "exec cat /proc/self/attr/current"
        assert_eq "an exec'd process's label (the container's)" "ctr-test-deny-tmp (enforce)" "$OUT"
        capture host_ctr exec --apparmor unconfined ex cat /proc/self/attr/current
        assert_rc 0 "exec --apparmor unconfined"
        assert_eq "exec --apparmor unconfined's label" "unconfined" "$OUT"
        capture host_ctr exec --apparmor ctr-test-no-exec ex /bin/sh -c "$LABEL"'; /bin/true; echo "exec=$?" >>/shared/out'
        local o
        o=$(out ex)
        expect_line "exec --apparmor ctr-test-no-exec's label" "$o" '^label=ctr-test-no-exec \(enforce\)$'
        expect_line "an exec under it" "$o" '^exec=126$'
        capture host_ctr exec --apparmor ctr-test-missing ex /bin/true
        assert_fails "exec --apparmor with a profile that is not loaded"
        assert_one_error_line "exec --apparmor ctr-test-missing" 'AppArmor profile "ctr-test-missing" is not loaded'
        host_ctr delete --force ex >/dev/null || fail "delete --force ex failed"
}

# unit_label ID OUT-REGEX LABEL: ctr@ID, of the bundle ID made with "$LABEL; $WAIT", started; what
# its container wrote matches OUT-REGEX and its main process runs under LABEL; stopped.
unit_label() {
        local id=$1 out_regex=$2 label=$3 pid
        host_watch_unit "ctr@$id.service"
        host_run systemctl start "ctr@$id.service" || fail "systemctl start ctr@$id failed"
        wait_for "the unit's container to write its label" test -s "$HOST_ROOT$HOST_BUNDLES/$id/shared/out"
        expect_line "the unit's container's label" "$(out "$id")" "$out_regex"
        pid=$(host_run systemctl show -p MainPID --value "ctr@$id.service")
        # SELinux's attr ends with a NUL, AppArmor's with a newline.
        assert_eq "the unit's main process's label" "$label" \
                "$(host_run cat "/proc/$pid/attr/current" | tr -d '\0')"
        host_run systemctl stop "ctr@$id.service" || fail "systemctl stop ctr@$id failed"
}

t_unit() {
        need_apparmor
        load ctr-test-deny-tmp "$DENY_TMP_RULES"
        make aaunit ctr-test-deny-tmp "$LABEL; $WAIT"
        unit_label aaunit '^label=ctr-test-deny-tmp \(enforce\)$' "ctr-test-deny-tmp (enforce)"
}

t_selinux_refused() {
        [ "$HOST_SELINUX" = N ] || skip "SELinux is on in this test host: see the other selinux cases"
        make_selinux serefused "$SE_PROC" "" "$LABEL"
        capture host_ctr create -b "$HOST_BUNDLE" serefused
        assert_fails "create with an SELinux label, SELinux off"
        assert_one_error_line "create" 'process\.selinuxLabel: SELinux is not enabled on this host'
        nothing_left "create"
}

t_selinux_process() {
        need_selinux
        note "SELinux in the test host: enforce=$(host_run cat /sys/fs/selinux/enforce)," \
                "policy version $(host_run cat /sys/fs/selinux/policyvers)"
        make_selinux seproc "$SE_PROC" "" "$LABEL"
        capture host_ctr run -b "$HOST_BUNDLE" seproc
        assert_rc 0 "ctr-launch run labelled $SE_PROC"
        assert_eq "the container's label" "label=$SE_PROC" "$(out seproc)"
}

# The mounts' labels, seen from the test host through the init's /proc/PID/root, then exec's.
t_selinux_mounts_exec() {
        need_selinux
        make_selinux semnt "$SE_PROC" "$SE_FILE" "$WAIT"
        host_ctr run -d -b "$HOST_BUNDLE" semnt >/dev/null || fail "run -d semnt failed"
        local pid m
        pid=$(host_ctr state semnt | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["pid"])')
        for m in /dev/shm /dev/pts /dev/mqueue /var; do
                assert_eq "the label of the container's $m" "$SE_FILE" \
                        "$(host_run stat -c %C "/proc/$pid/root$m")"
        done
        assert_eq "the label of the container's process" "$SE_PROC" \
                "$(host_run cat "/proc/$pid/attr/current" | tr -d '\0')"
        local me='read l </proc/self/attr/current; echo "$l"'
        capture host_ctr exec semnt /bin/sh -c "$me"
        assert_rc 0 "exec"
        assert_eq "an exec'd process's label (the container's)" "$SE_PROC" "$OUT"
        capture host_ctr exec --process-label "$SE_PROC2" semnt /bin/sh -c "$me"
        assert_rc 0 "exec --process-label"
        assert_eq "exec --process-label's label" "$SE_PROC2" "$OUT"
        capture host_ctr exec --process-label "$SE_BOGUS" semnt /bin/true
        assert_fails "exec --process-label with a context the policy does not define"
        assert_one_error_line "exec --process-label $SE_BOGUS" \
                "SELinux label \"$SE_BOGUS\" is not a context of the loaded policy"
        host_ctr delete --force semnt >/dev/null || fail "delete --force semnt failed"
}

t_selinux_invalid() {
        need_selinux
        make_selinux sebad "$SE_BOGUS" "" "$LABEL"
        capture host_ctr create -b "$HOST_BUNDLE" sebad
        assert_fails "create with a process label the policy does not define"
        assert_one_error_line "create" \
                "process\.selinuxLabel: \"$SE_BOGUS\" is not a context of the loaded SELinux policy"
        nothing_left "create"
        make_selinux sebadmnt "$SE_PROC" "system_u:object_r:ctr_no_such_t:s0" "$LABEL"
        capture host_ctr create -b "$HOST_BUNDLE" sebadmnt
        assert_fails "create with a mount label the policy does not define"
        assert_one_error_line "create" 'linux\.mountLabel: "system_u:object_r:ctr_no_such_t:s0" is not a context'
        nothing_left "create"
}

t_selinux_unit() {
        need_selinux
        make_selinux seunit "$SE_PROC" "$SE_FILE" "$LABEL; $WAIT"
        unit_label seunit "^label=$SE_PROC\$" "$SE_PROC"
}

case_run features t_features
case_run refused t_refused
case_run not-loaded t_not_loaded
case_run deny-tmp t_deny_tmp
case_run entry-transition t_entry_transition
case_run exec t_exec
case_run unit t_unit
case_run selinux-refused t_selinux_refused
case_run selinux-process t_selinux_process
case_run selinux-mounts-exec t_selinux_mounts_exec
case_run selinux-invalid t_selinux_invalid
case_run selinux-unit t_selinux_unit
[ "$HOST_APPARMOR" = N ] || unload_all
sys_finish
