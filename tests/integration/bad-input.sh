#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Bad input, table-driven: every row must fail with exit status 1..125, exactly one line on
# stderr that starts with "ctr-launch:" and matches the row's pattern (case-insensitive, loose on
# purpose: the field name or the gist), and leave nothing behind (no state dir, no process, no
# mount). Config rows are tried with both `create` and `run`.
# Usage: bad-input.sh PATH-TO-ctr-launch (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
lib_init "$@"

# ---------------------------------------------------------------- mutators of $B/config.json

raw() {
        printf '%s' "$1" >"$B/config.json"
}

edit() {
        cfg "$B" "$@"
}

# pyedit CODE: CODE sees s (the config text), d (parsed), B, C; it may change d, or set out
# to the exact text to write.
pyedit() {
        "$PY" - "$B" "$C" "$1" <<'EOF'
import json, sys
B, C, code = sys.argv[1], sys.argv[2], sys.argv[3]
s = open(B + "/config.json").read()
d = json.loads(s)
out = None
exec(code)
with open(B + "/config.json", "w") as f:
    f.write(out if out is not None else json.dumps(d, indent=2))
EOF
}

# ---------------------------------------------------------------- row kinds

# bad_config REGEX MUTATOR ARGS...: a bundle whose config is broken by MUTATOR.
bad_config() {
        local re=$1 verb
        shift
        mk_bundle b /bin/touch /shared/ran
        (cd "$B" && "$@")
        for verb in create run; do
                capture ctr "$verb" -b "$B" bad
                assert_fails "$verb"
                assert_one_error_line "$verb" "$re"
                [ ! -e "$ROOT/bad" ] || fail "$verb: a failed $verb left $ROOT/bad ($(ls -A "$ROOT/bad" | tr '\n' ' '))"
                [ ! -e "$C/shared/ran" ] || fail "$verb: the process ran although $verb failed"
        done
}

# bad_args REGEX ARGS...: a command line that must fail (against a valid bundle $B).
bad_args() {
        local re=$1
        shift
        mk_bundle b /bin/true
        capture ctr "$@"
        assert_fails "ctr-launch $*"
        assert_one_error_line "ctr-launch $*" "$re"
        if [ -d "$ROOT" ]; then
                [ -z "$(ls -A "$ROOT")" ] || fail "ctr-launch $*: left $(ls -A "$ROOT") in the state root"
        fi
}

# bad_id ID: every verb refuses it, nothing is created, nothing outside the root is touched.
bad_id() {
        local id=$1 verb
        mk_bundle b /bin/true
        # A canary where a path-traversing id could reach.
        mkdir -p "$ROOT" "$C/canary"
        touch "$C/canary/state.json"
        capture ctr create -b "$B" "$id"
        assert_fails "create with id \"$id\""
        assert_one_error_line "create with id \"$id\"" 'invalid|\bid\b'
        capture ctr run -b "$B" "$id"
        assert_fails "run with id \"$id\""
        assert_one_error_line "run with id \"$id\"" 'invalid|\bid\b'
        for verb in start state "kill" delete "delete --force"; do
                # shellcheck disable=SC2086
                capture ctr $verb "$id"
                assert_fails "$verb with id \"$id\""
                assert_one_error_line "$verb with id \"$id\"" 'invalid|\bid\b'
        done
        [ -z "$(ls -A "$ROOT")" ] || fail "an invalid id created $(ls -A "$ROOT") in the state root"
        [ -e "$C/canary/state.json" ] && [ -d "$ROOT" ] || fail "an invalid id removed files outside its state dir"
        rmdir "$ROOT"
}

# An unknown signal: refused, and the container is untouched.
bad_signal() {
        local sig
        mk_bundle b /bin/sh -c "$(long_running)"
        ctr create -b "$B" c1 </dev/null
        local pid
        pid=$(pid_of c1)
        for sig in SIGBOGUS BOGUS 65 -1 "" 9x; do
                capture ctr kill c1 "$sig"
                assert_fails "kill c1 \"$sig\""
                assert_one_error_line "kill c1 \"$sig\"" 'signal'
                assert_status c1 created
                pid_alive "$pid" || fail "kill c1 \"$sig\" killed the init"
        done
        ctr delete c1
}

# The boundary: 128 characters is a valid id.
id_128_ok() {
        local id
        id=$(printf 'a%.0s' $(seq 128))
        mk_bundle b /bin/true
        capture ctr run -b "$B" "$id"
        assert_rc 0 "run with a 128-character id"
}

# An id that reads as an option, past "--" (as the units pass every id): refused by the id
# grammar, never a container named "-h", never a help text and exit 0.
dash_id() {
        local verb
        mk_bundle b /bin/true
        mkdir -p "$ROOT"
        for verb in "create -b $B" "run -b $B" start state "kill" delete "delete --force" pause resume; do
                # shellcheck disable=SC2086
                capture ctr $verb -- -h
                assert_fails "$verb -- -h"
                assert_one_error_line "$verb -- -h" 'invalid container id "-h"'
        done
        [ -z "$(ls -A "$ROOT")" ] || fail "an id starting with '-' created $(ls -A "$ROOT") in the state root"
        rmdir "$ROOT"
}

# A FIFO where config.json should be: its open would block until a writer came. Refused at once.
fifo_config() {
        rm -f config.json
        mkfifo config.json
}

# update -r FIFO: refused at once, the container untouched.
update_fifo() {
        mk_bundle b /bin/sh -c "$(long_running)"
        ctr create -b "$B" c1 </dev/null
        mkfifo "$C/resources"
        CTR_TIMEOUT=10 capture ctr update -r "$C/resources" c1
        assert_fails "update -r FIFO"
        assert_one_error_line "update -r FIFO" 'resources.*not a regular file'
        assert_status c1 created
        ctr delete c1
}

# --pid-file naming a FIFO (or anything but a regular file): refused before anything exists,
# and the FIFO is still there.
pid_file_fifo() {
        local verb
        mk_bundle b /bin/touch /shared/ran
        mkfifo "$C/pid"
        for verb in create run; do
                CTR_TIMEOUT=10 capture ctr "$verb" --pid-file "$C/pid" -b "$B" c1
                assert_fails "$verb --pid-file FIFO"
                assert_one_error_line "$verb --pid-file FIFO" 'pid-file.*not a regular file'
                [ -p "$C/pid" ] || fail "$verb: the FIFO at --pid-file was replaced"
                [ ! -e "$ROOT/c1" ] || fail "$verb: a failed $verb left $ROOT/c1"
                [ ! -e "$C/shared/ran" ] || fail "$verb: the process ran although $verb failed"
        done
}

# Root never acts on a state root another user can write (its cgroup.json names the cgroups
# root would empty and the unit whose limits it would set): every verb refused with one line,
# nothing made or touched there.
foreign_state_root() {
        [ "$(id -u)" = 0 ] || skip "the refusal is root's; uid is $(id -u)"
        local foreign=$C/foreign verb
        mkdir -p "$foreign/victim"
        echo '{"ociVersion": "1.0.2", "id": "victim", "status": "stopped", "pid": 0, "bundle": "/"}' \
                >"$foreign/victim/state.json"
        chown -R nobody "$foreign"
        mk_bundle b /bin/touch /shared/ran
        for verb in "list" "state victim" "delete --force victim" "kill victim KILL" "create -b $B c1"; do
                # shellcheck disable=SC2086
                CTR_TIMEOUT=10 capture "$CTR" --root "$foreign" $verb
                assert_fails "root's $verb on a state root of nobody's"
                assert_one_error_line "root's $verb on a state root of nobody's" 'belongs to uid [0-9]+: root does not act'
        done
        [ -e "$foreign/victim/state.json" ] || fail "the foreign state root was changed"
        [ ! -e "$foreign/c1" ] || fail "create made $foreign/c1"
        [ ! -e "$C/shared/ran" ] || fail "the process ran although create failed"
}

# ---------------------------------------------------------------- the table

big=$(printf 'x%.0s' $(seq 129))
# The field's name, or the JSON guard's own words (it sees the number before the parser).
uid_re='uid|process\.user|out of range|overflow'

case_run malformed-json          bad_config 'json|parse|syntax|config' raw '{"ociVersion": "1.0.2", "process": {'
case_run empty-file              bad_config 'empty|json|config|parse' raw ''
case_run not-an-object           bad_config 'object|json|config' raw '[]'
case_run second-top-level-value  bad_config 'json|trailing|garbage|parse|config|extra' pyedit 'out = s + "\n{\"ociVersion\": \"1.0.2\"}"'
case_run comment                 bad_config 'json|comment|parse|config' pyedit 'out = "/* comment */ " + s'
case_run single-quotes           bad_config 'json|quote|parse|config' pyedit 'out = s.replace("\"ociVersion\"", "'"'"'ociVersion'"'"'", 1)'
case_run config-10mb             bad_config 'large|size|big|bytes|MiB|limit|too' pyedit 'd["annotations"]["big"] = "x" * (10 * 1024 * 1024)'
case_run nested-100000           bad_config 'nest|depth|deep' pyedit 'out = s.rstrip()[:-1] + ", \"deep\": " + "[" * 100000 + "]" * 100000 + "}"'
case_run duplicate-key-top       bad_config 'duplicate' pyedit 'out = "{\"root\": {\"path\": \"/nonexistent-dup\"}, " + s.lstrip()[1:]'
case_run duplicate-key-nested    bad_config 'duplicate' pyedit 'out = s.replace("\"args\": [", "\"args\": [\"/bin/sh\"], \"args\": [", 1)'
case_run uid-2pow64              bad_config "$uid_re" pyedit 'out = s.replace("\"uid\": 0", "\"uid\": 18446744073709551616", 1)'
case_run uid-2pow32              bad_config "$uid_re" pyedit 'out = s.replace("\"uid\": 0", "\"uid\": 4294967296", 1)'
case_run uid-negative            bad_config "$uid_re" pyedit 'out = s.replace("\"uid\": 0", "\"uid\": -1", 1)'
case_run uid-fraction            bad_config "$uid_re" pyedit 'out = s.replace("\"uid\": 0", "\"uid\": 0.5", 1)'
case_run uid-string              bad_config "$uid_re" edit set process.user.uid '"0"'
case_run gid-2pow64              bad_config 'gid|process\.user|out of range|overflow' pyedit 'out = s.replace("\"gid\": 0", "\"gid\": 18446744073709551616", 1)'
case_run rlimit-2pow64           bad_config 'rlimit|hard|soft|out of range|overflow' pyedit 'out = s.replace("\"hard\": 1024", "\"hard\": 18446744073709551616", 1)'
case_run oom-score-adj-overflow  bad_config 'oomScoreAdj|oom' edit set process.oomScoreAdj 4294967296
case_run missing-root            bad_config 'root' edit del root
case_run missing-root-path       bad_config 'root\.path|root' edit del root.path
case_run relative-root-missing   bad_config 'root|nope|rootfs' edit set root.path '"nope"'
case_run absolute-root-missing   bad_config 'root|no-rootfs|rootfs|no such' pyedit 'd["root"]["path"] = C + "/no-rootfs"'
case_run root-is-a-file          bad_config 'root|directory|rootfs' pyedit 'open(C + "/file", "w").close(); d["root"]["path"] = C + "/file"'
case_run unknown-namespace       bad_config 'namespace|bogus' edit append linux.namespaces '{"type": "bogus"}'
case_run control-chars-in-error  bad_config 'namespace.*bo\\x0agus\\x1b' edit append linux.namespaces '{"type": "bo\ngus\u001b[31m"}'
case_run duplicate-namespace     bad_config 'duplicate|namespace' edit append linux.namespaces '{"type": "pid"}'
case_run relative-namespace-path bad_config 'namespace|path|absolute|relative' edit delns network append linux.namespaces '{"type": "network", "path": "proc/1/ns/net"}'
case_run relative-mount-dest     bad_config 'destination|mount|relative|absolute' edit append mounts '{"destination": "relative/dir", "type": "tmpfs", "source": "tmpfs"}'
case_run empty-args              bad_config 'process\.args|args' edit set process.args '[]'
case_run missing-args            bad_config 'process\.args|args' edit del process.args
case_run args-not-array          bad_config 'process\.args|args' edit set process.args '"/bin/true"'
case_run args-not-strings        bad_config 'process\.args|args' edit set process.args '[1, 2]'
case_run nul-in-args             bad_config 'process\.args|args|nul|\\u0000|zero' pyedit 'out = s.replace("\"/bin/touch\"", "\"/bin/touch\\u0000x\"", 1)'
case_run process-not-object      bad_config 'process' edit set process '"x"'
case_run relative-cwd            bad_config 'cwd' edit set process.cwd '"tmp"'
case_run unknown-rlimit          bad_config 'RLIMIT_BOGUS|rlimit' edit append process.rlimits '{"type": "RLIMIT_BOGUS", "hard": 1, "soft": 1}'
case_run intel-rdt-unsupported   bad_config 'linux\.intelRdt: not supported' edit set linux.intelRdt '{"closID": "x"}'
case_run net-devices-unsupported bad_config 'linux\.netDevices: not supported' edit set linux.netDevices '{"eth0": {}}'
case_run rdma-unsupported        bad_config 'linux\.resources\.rdma: not supported' edit set linux.resources '{"rdma": {"mlx5_1": {"hcaHandles": 3}}}'
case_run memory-limit-negative   bad_config 'linux\.resources\.memory\.limit' edit set linux.resources '{"memory": {"limit": -2}}'
case_run cpu-period-range        bad_config 'linux\.resources\.cpu\.period' edit set linux.resources '{"cpu": {"period": 5}}'
case_run cgroups-path-dotdot     bad_config 'cgroupsPath' edit set linux.cgroupsPath '"/a/../../b"'
case_run cgroups-path-systemd-form bad_config 'cgroupsPath.*systemd' edit set linux.cgroupsPath '"system.slice:x:y"'
case_run net-cls-no-controller   bad_config 'network\.classID|net_cls' edit set linux.resources '{"network": {"classID": 1}}'
case_run missing-config          bad_config 'config\.json|no such' rm -f config.json
case_run missing-bundle          bad_args 'bundle|no-such-bundle|no such' create -b /no-such-bundle c1
case_run preserve-fds-not-number bad_args 'preserve-fds' create --preserve-fds abc c1
case_run unknown-create-option   bad_args 'no-such-option' create --no-such-option c1
case_run missing-id              bad_args 'id' create
case_run extra-argument          bad_args 'extra|unexpected|argument' state c1 c2
case_run start-unknown-container bad_args 'c9|exist|not found|no such' start c9
case_run state-unknown-container bad_args 'c9|exist|not found|no such' state c9
case_run kill-unknown-container  bad_args 'c9|exist|not found|no such' kill c9
case_run delete-unknown-container bad_args 'c9|exist|not found|no such' delete c9
case_run list-bad-format         bad_args 'format|yaml' list --format yaml
case_run log-format-bad          bad_args 'log-format|xml' --log-format xml list
case_run unknown-signal          bad_signal
case_run id-dotdot               bad_id ..
case_run id-dot                  bad_id .
case_run id-slash                bad_id a/b
case_run id-traversal            bad_id ../canary
case_run id-empty                bad_id ""
case_run id-129-chars            bad_id "$big"
case_run id-leading-dot          bad_id .x
case_run id-space                bad_id "a b"
case_run id-newline              bad_id $'a\nb'
case_run id-128-chars-ok         id_128_ok
case_run id-leading-dash         dash_id
# A FIFO must fail fast: CTR_TIMEOUT bounds a hang to 10 s, which assert_fails reports.
CTR_TIMEOUT=10
case_run config-fifo             bad_config 'config\.json: not a regular file' fifo_config
unset CTR_TIMEOUT
case_run update-resources-fifo   update_fifo
case_run pid-file-fifo           pid_file_fifo
case_run foreign-state-root      foreign_state_root
lib_finish
