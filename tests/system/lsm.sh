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
# SELinux cannot be tested in either host; the selinux case says why.
# Usage: lsm.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
sys_init "$@"
host_boot "$BUILD_DIR"

PROFILES=/root/ctr-lsm-test # in the test host: the profiles' sources
# As the test host's kernel has it; the VM's Debian kernel has AppArmor on.
HOST_APPARMOR=$(host_run cat /sys/module/apparmor/parameters/enabled 2>/dev/null || echo N)
[ "$HOST_APPARMOR" = Y ] || HOST_APPARMOR=N

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

need_apparmor() {
        [ "$HOST_APPARMOR" = Y ] ||
                skip "AppArmor is not enabled on the test host's kernel (the VM test host has it)"
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
        [ -z "$(host_run sh -c "ls -A $HOST_STATE 2>/dev/null")" ] || fail "create left a state directory"
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

t_unit() {
        need_apparmor
        load ctr-test-deny-tmp "$DENY_TMP_RULES"
        make aaunit ctr-test-deny-tmp "$LABEL; $WAIT"
        host_watch_unit ctr@aaunit.service
        host_run systemctl start ctr@aaunit.service || fail "systemctl start ctr@aaunit failed"
        wait_for "the unit's container to write its label" test -s "$HOST_ROOT$HOST_BUNDLES/aaunit/shared/out"
        expect_line "the unit's container's label" "$(out aaunit)" '^label=ctr-test-deny-tmp \(enforce\)$'
        local pid
        pid=$(host_run systemctl show -p MainPID --value ctr@aaunit.service)
        assert_eq "the unit's main process's label" "ctr-test-deny-tmp (enforce)" \
                "$(host_run cat "/proc/$pid/attr/current")"
        host_run systemctl stop ctr@aaunit.service || fail "systemctl stop ctr@aaunit failed"
}

t_selinux() {
        skip "SELinux needs every file labelled: the test hosts' root is this machine's overlay (over 9p in the VM), which carries no security.selinux labels, and Debian boots AppArmor as the major LSM; the parser and the init's write are shared with AppArmor's path"
}

case_run features t_features
case_run refused t_refused
case_run not-loaded t_not_loaded
case_run deny-tmp t_deny_tmp
case_run entry-transition t_entry_transition
case_run exec t_exec
case_run unit t_unit
case_run selinux t_selinux
[ "$HOST_APPARMOR" = N ] || unload_all
sys_finish
