#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# linux.seccomp, as the container's process sees it (issue 3, item 8): an errno rule on mkdir,
# a default-deny profile with an allow list, argument filters (one condition, and two on the
# same argument, which runc treats as "any of"), the filter loaded with and without
# noNewPrivileges, unknown syscall names ignored, and bad profiles refused with one error line
# and nothing left behind. Issue 16: profiles that allow nothing of the runtime's own work
# (Docker's default, older lists without close_range/getcwd/openat2, a list of the payload's
# syscalls only), for create and exec; SCMP_ACT_NOTIFY with a seccomp agent
# (tests/helpers/seccomp-agent.c, $CTR_SECCOMP_AGENT) on linux.seccomp.listenerPath.
# Usage: seccomp.sh PATH-TO-ctr-launch (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
lib_init "$@"

# run_sc NAME SECCOMP-JSON CMD...: a bundle $C/NAME running CMD under the profile; sets RC, OUT,
# ERR (no assertion on the exit status).
run_sc() {
        local name=$1 profile=$2
        shift 2
        mk_bundle "$name" "$@"
        cfg "$B" set linux.seccomp "$profile"
        capture ctr run -b "$B" "$name"
}

deny_mkdir='{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
  "syscalls": [{"names": ["mkdir", "mkdirat", "no_such_syscall_ever"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'

# runc needs a profile to allow execve only: one that denies execveat must still start.
t_deny_execveat() {
        run_sc c1 '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["execveat"], "action": "SCMP_ACT_ERRNO"}]}' \
                /bin/sh -c 'echo ran'
        assert_rc 0 "run under a profile that denies execveat"
        assert_eq "output" ran "$OUT"
}

t_errno_mkdir() {
        # EPERM for mkdir, while everything else works (the shell, echo, touch).
        run_sc c1 "$deny_mkdir" /bin/sh -c 'mkdir /tmp/d; echo "mkdir=$?"; touch /tmp/f && echo touch=ok'
        assert_rc 0 "run under a profile that denies mkdir"
        assert_contains "mkdir's error" "$OUT$ERR" "Operation not permitted"
        assert_contains "mkdir's status" "$OUT" "mkdir=1"
        assert_contains "touch under the same profile" "$OUT" "touch=ok"

        # errnoRet picks the errno: 13 is EACCES.
        run_sc c2 '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}' \
                /bin/mkdir /tmp/d
        assert_fails "mkdir denied with errnoRet 13"
        assert_contains "mkdir's error with errnoRet 13" "$ERR" "Permission denied"
}

t_status() {
        # Mode 2 (filter) and, with the bundle's noNewPrivileges, NoNewPrivs 1.
        run_sc c1 "$deny_mkdir" /bin/sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status'
        assert_rc 0 "run under a profile"
        assert_contains "/proc/self/status" "$OUT" "Seccomp:	2"
        assert_contains "/proc/self/status" "$OUT" "NoNewPrivs:	1"

        # No profile: no filter.
        mk_bundle b2 /bin/sh -c 'grep ^Seccomp: /proc/self/status'
        capture ctr run -b "$B" c2
        assert_rc 0 "run without a profile"
        assert_contains "/proc/self/status without a profile" "$OUT" "Seccomp:	0"
}

t_without_nnp() {
        # Without noNewPrivileges, the filter is loaded before the user switch drops
        # CAP_SYS_ADMIN (the bundle's capabilities do not have it), as runc does.
        [ "$(awk '/^NoNewPrivs:/ {print $2}' /proc/self/status)" = 0 ] ||
                skip "the test runs with NoNewPrivs already set"
        mk_bundle b /bin/sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status; mkdir /tmp/d || echo denied'
        cfg "$B" set linux.seccomp "$deny_mkdir" set process.noNewPrivileges false
        capture ctr run -b "$B" c1
        assert_rc 0 "run without noNewPrivileges"
        assert_contains "/proc/self/status" "$OUT" "Seccomp:	2"
        assert_contains "/proc/self/status" "$OUT" "NoNewPrivs:	0"
        assert_contains "mkdir without noNewPrivileges" "$OUT" "denied"

        # As a non-root user too.
        mk_bundle b2 /bin/sh -c 'id -u; mkdir /tmp/d || echo denied'
        cfg "$B" set linux.seccomp "$deny_mkdir" set process.noNewPrivileges false \
                set process.user '{"uid": 65534, "gid": 65534}'
        capture ctr run -b "$B" c2
        assert_rc 0 "run as uid 65534 without noNewPrivileges"
        assert_eq "uid and mkdir as uid 65534" "65534
denied" "$OUT"
}

# Enough for busybox's `true` from the exec stub on, and nothing else.
allow_list='"execve", "execveat", "fcntl", "arch_prctl", "set_tid_address", "set_robust_list", "rseq",
  "brk", "mmap", "munmap", "mprotect", "readlink", "readlinkat", "uname", "getuid", "geteuid", "getgid",
  "getegid", "getpid", "gettid", "prlimit64", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
  "write", "close", "exit", "exit_group", "futex", "getrandom", "ioctl", "newfstatat", "fstat", "statx"'

t_default_deny() {
        local profile='{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
          "syscalls": [{"names": ['"$allow_list"'], "action": "SCMP_ACT_ALLOW"}]}'
        run_sc c1 "$profile" /bin/true
        assert_rc 0 "/bin/true under a default-deny profile with an allow list"
        # Listing a directory needs open and getdents64, which the profile denies.
        run_sc c2 "$profile" /bin/ls /
        assert_fails "ls under the same profile"
        # Everything the stub needs is on the list: without "execve", nothing runs.
        local no_execve=${allow_list/\"execve\", /}
        run_sc c3 '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ['"$no_execve"'], "action": "SCMP_ACT_ALLOW"}]}' /bin/true
        assert_fails "a profile that denies execve"
}

t_args() {
        # busybox's linux32 calls personality(PER_LINUX32 = 8), linux64 personality(PER_LINUX = 0).
        local one='{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
          "errnoRet": 1, "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}'
        run_sc c1 "$one" /bin/sh -c 'linux64 true && echo linux64=ok; linux32 true && echo linux32=ok; true'
        assert_rc 0 "run with a filter on personality(8)"
        assert_contains "linux64 with personality(8) denied" "$OUT" "linux64=ok"
        case $OUT in *linux32=ok*) fail "linux32 ran although personality(8) is denied: $(show)" ;; esac
        assert_contains "linux32's error" "$ERR" "Operation not permitted"

        # Two conditions on the same argument: either matches (runc's semantics).
        local two='{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
          "errnoRet": 1, "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}]}'
        run_sc c2 "$two" /bin/sh -c 'linux64 true && echo linux64=ok; linux32 true && echo linux32=ok; echo done'
        assert_rc 0 "run with a filter on personality(8) or personality(0)"
        assert_eq "linux32 and linux64 both denied" "done" "$OUT"

        # MASKED_EQ: (arg0 & 0xff) == 8 matches PER_LINUX32 only.
        local masked='{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
          "errnoRet": 1, "args": [{"index": 0, "value": 255, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
        run_sc c3 "$masked" /bin/sh -c 'linux64 true && echo linux64=ok; linux32 true && echo linux32=ok; true'
        assert_rc 0 "run with a masked filter on personality"
        assert_eq "masked filter" "linux64=ok" "$OUT"
}

t_bad_profiles() {
        local profile re verb
        while IFS='|' read -r re profile; do
                mk_bundle b /bin/touch /shared/ran
                cfg "$B" set linux.seccomp "$profile"
                for verb in create run; do
                        capture ctr "$verb" -b "$B" bad
                        assert_fails "$verb with $profile"
                        assert_one_error_line "$verb with $profile" "$re"
                        [ ! -e "$ROOT/bad" ] || fail "$verb: a failed $verb left $ROOT/bad"
                        [ ! -e "$C/shared/ran" ] || fail "$verb: the process ran although $verb failed"
                done
        done <<'ROWS'
linux\.seccomp\.syscalls\[0\]\.action: unknown action "SCMP_ACT_PERHAPS"|{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_PERHAPS"}]}
linux\.seccomp\.architectures\[0\]: unknown architecture|{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_PDP11"]}
linux\.seccomp\.syscalls\[0\]\.args\[0\]\.op: unknown operator|{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ALMOST"}]}]}
linux\.seccomp\.flags\[0\]: unknown flag|{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_BOGUS"]}
linux\.seccomp: SCMP_ACT_NOTIFY needs linux\.seccomp\.listenerPath|{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}
linux\.seccomp\.defaultAction: SCMP_ACT_NOTIFY cannot be the default action|{"defaultAction": "SCMP_ACT_NOTIFY", "listenerPath": "/run/seccomp-agent.sock"}
linux\.seccomp\.listenerMetadata: set without listenerPath|{"defaultAction": "SCMP_ACT_ALLOW", "listenerMetadata": "m"}
linux\.seccomp\.syscalls\[0\]: SCMP_ACT_NOTIFY cannot be used for sendmsg|{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/a.sock", "syscalls": [{"names": ["sendmsg"], "action": "SCMP_ACT_NOTIFY"}]}
ROWS
}

DOCKER_PROFILE=$LIB_DIR/data/docker-default-seccomp.json

# docker_without NAME...: Docker's default profile with NAMEs taken off its allow list.
docker_without() {
        "$PY" - "$DOCKER_PROFILE" "$@" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
for e in p["syscalls"]:
    e["names"] = [n for n in e["names"] if n not in sys.argv[2:]]
print(json.dumps(p))
EOF
}

# Docker's default profile, with and without noNewPrivileges (dockerd's default is without),
# as root and as another user: the payload runs, and the profile is the process's.
t_docker_default() {
        [ "$(uname -m)" = x86_64 ] || skip "the fixture is Docker's profile for x86-64"
        local nnp user
        for nnp in true false; do
                for user in 0 65534; do
                        mk_bundle "d-$nnp-$user" /bin/sh -c 'echo hello; id -u; mkdir /tmp/d && echo mkdir=ok;
                                unshare -n true 2>/dev/null || echo unshare=denied; grep ^Seccomp: /proc/self/status'
                        cfg "$B" set linux.seccomp "$(cat "$DOCKER_PROFILE")" set process.noNewPrivileges "$nnp" \
                                set process.user "{\"uid\": $user, \"gid\": $user}" set process.cwd '"/tmp"'
                        capture ctr run -b "$B" "d-$nnp-$user"
                        assert_rc 0 "run under Docker's profile (noNewPrivileges $nnp, uid $user)"
                        assert_eq "output (noNewPrivileges $nnp, uid $user)" "hello
$user
mkdir=ok
unshare=denied
Seccomp:	2" "$OUT"
                done
        done
}

# Allow lists of Docker profiles older than close_range, getcwd in them or openat2: the runtime
# calls none of them under the filter (before the fix: "close_range: Operation not permitted"
# without noNewPrivileges). Also with an fd to pass on (--preserve-fds) and a cwd.
t_old_lists() {
        [ "$(uname -m)" = x86_64 ] || skip "the fixture is Docker's profile for x86-64"
        local nnp missing i=0
        for missing in close_range getcwd openat2 "close_range getcwd openat2"; do
                for nnp in true false; do
                        i=$((i + 1))
                        mk_bundle "o$i" /bin/sh -c 'echo ok; ls /proc/self/fd | wc -l'
                        # shellcheck disable=SC2086 # the names are words
                        cfg "$B" set linux.seccomp "$(docker_without $missing)" set process.noNewPrivileges "$nnp" \
                                set process.cwd '"/tmp"'
                        capture ctr run --preserve-fds 1 -b "$B" "o$i" 3</dev/null
                        assert_rc 0 "run under Docker's profile without $missing (noNewPrivileges $nnp)"
                        # stdio, the preserved fd, and ls's own directory fd.
                        assert_eq "output without $missing (noNewPrivileges $nnp)" "ok
5" "$OUT"
                done
        done
}

# What busybox's echo needs, and not one call of the runtime's: with noNewPrivileges the exec
# stub loads the filter itself, right before its exec.
payload_only='"execve", "write", "exit_group", "brk", "mprotect", "arch_prctl", "set_tid_address"'

t_payload_only() {
        local profile='{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ['"$payload_only"'], "action": "SCMP_ACT_ALLOW"}]}'
        run_sc p1 "$profile" /bin/echo payload only
        assert_rc 0 "echo under a profile of its own syscalls only"
        assert_eq "output" "payload only" "$OUT"
        # Without noNewPrivileges the init loads it (with CAP_SYS_ADMIN kept until then) and
        # the stub's fcntl runs under it: that one call more.
        mk_bundle p2 /bin/echo payload and fcntl
        cfg "$B" set linux.seccomp '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ['"$payload_only"', "fcntl"], "action": "SCMP_ACT_ALLOW"}]}' \
                set process.noNewPrivileges false set process.user '{"uid": 65534, "gid": 65534}'
        capture ctr run -b "$B" p2
        assert_rc 0 "echo without noNewPrivileges, as uid 65534"
        assert_eq "output without noNewPrivileges" "payload and fcntl" "$OUT"
        # Not even fcntl: start says why.
        mk_bundle p3 /bin/echo never
        cfg "$B" set linux.seccomp "$profile" set process.noNewPrivileges false
        capture ctr run -b "$B" p3
        assert_fails "echo without noNewPrivileges and without fcntl"
        assert_contains "the stub's error" "$ERR" "fcntl"
}

# exec loads the container's profile for the new process too, with the same rule.
t_exec_old_list() {
        [ "$(uname -m)" = x86_64 ] || skip "the fixture is Docker's profile for x86-64"
        local nnp
        for nnp in true false; do
                mk_bundle "e-$nnp" /bin/sh -c "$(long_running "up-$nnp")"
                cfg "$B" set linux.seccomp "$(docker_without close_range getcwd openat2)" set process.noNewPrivileges "$nnp"
                capture_ok "run -d (noNewPrivileges $nnp)" ctr run -d -b "$B" "e-$nnp"
                wait_for "the container to be up" test -e "$C/shared/up-$nnp"
                capture ctr exec "e-$nnp" /bin/sh -c 'echo exec=ok; grep ^Seccomp: /proc/self/status'
                assert_rc 0 "exec under the profile (noNewPrivileges $nnp)"
                assert_eq "exec's output (noNewPrivileges $nnp)" "exec=ok
Seccomp:	2" "$OUT"
                capture ctr exec --cwd /tmp "e-$nnp" /bin/echo payload only
                assert_rc 0 "exec with a cwd (noNewPrivileges $nnp)"
                capture_ok "delete" ctr delete --force "e-$nnp"
        done
}

# ---- SCMP_ACT_NOTIFY

# agent_start: the seccomp agent on $C/agent.sock, its log $C/agent.log; sets AGENT_PID.
agent_start() {
        [ -x "${CTR_SECCOMP_AGENT:-}" ] || skip "no seccomp agent (CTR_SECCOMP_AGENT; meson builds tests/helpers/seccomp-agent)"
        rm -f "$C/agent.sock"
        : >"$C/agent.log"
        "$CTR_SECCOMP_AGENT" "$C/agent.sock" "$C/agent.log" </dev/null &
        AGENT_PID=$!
        wait_for "the seccomp agent's socket" test -S "$C/agent.sock"
}

agent_stop() {
        kill "$AGENT_PID" 2>/dev/null || true
        wait "$AGENT_PID" 2>/dev/null || true
}

# notify_profile METADATA: mkdir and mkdirat notified, to the agent on $C/agent.sock.
notify_profile() {
        echo '{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "'"$C/agent.sock"'", "listenerMetadata": "'"$1"'",
          "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}'
}

# agent_doc N PATH: a member (dotted path) of the Nth document the agent received, strings raw;
# PATH "nfds": how many fds came with it.
agent_doc() {
        "$PY" - "$C/agent.log" "$1" "$2" <<'EOF'
import json, sys
line = open(sys.argv[1]).read().splitlines()[int(sys.argv[2]) - 1]
doc, nfds = line.rsplit(" fds=", 1)
v = json.loads(doc)
if sys.argv[3] == "nfds":
    print(nfds)
    sys.exit(0)
for k in sys.argv[3].split("."):
    v = v[int(k)] if k.isdigit() else v[k]
print(v)
EOF
}

t_notify() {
        agent_start
        local nnp
        for nnp in true false; do
                # The agent fails mkdir with ENOSPC (28), as the metadata tells it.
                mk_bundle "n-$nnp" /bin/sh -c 'mkdir /tmp/d; echo "rc=$?"; [ -d /tmp/d ] || echo absent; touch /tmp/f && echo touch=ok'
                cfg "$B" set linux.seccomp "$(notify_profile errno=28)" set process.noNewPrivileges "$nnp"
                capture ctr run -b "$B" "n-$nnp"
                assert_rc 0 "run with a notifying profile (noNewPrivileges $nnp)"
                assert_eq "output (noNewPrivileges $nnp)" "rc=1
absent
touch=ok" "$OUT"
                assert_contains "mkdir's error (noNewPrivileges $nnp)" "$ERR" "No space left on device"
        done
        # The container process state (runtime-spec state.md): the fd and the document.
        assert_eq "fds received" 1 "$(agent_doc 1 nfds)"
        assert_eq "fds" seccompFd "$(agent_doc 1 fds.0)"
        assert_eq "metadata" errno=28 "$(agent_doc 1 metadata)"
        assert_eq "state.id" n-true "$(agent_doc 1 state.id)"
        assert_eq "state.status" creating "$(agent_doc 1 state.status)"
        assert_eq "ociVersion" 1.2.0 "$(agent_doc 1 ociVersion)"
        [ "$(agent_doc 1 pid)" -gt 1 ] || fail "pid: $(agent_doc 1 pid)"
        assert_eq "pid and state.pid" "$(agent_doc 1 pid)" "$(agent_doc 1 state.pid)"
        assert_eq "the second container's id" n-false "$(agent_doc 2 state.id)"

        # "ok": the agent says mkdir succeeded, without making anything.
        mk_bundle n-ok /bin/sh -c 'mkdir /tmp/d && echo made; [ -d /tmp/d ] || echo absent'
        cfg "$B" set linux.seccomp "$(notify_profile ok)"
        capture ctr run -b "$B" n-ok
        assert_rc 0 "run with an agent that answers 0"
        assert_eq "output with an agent that answers 0" "made
absent" "$OUT"
        agent_stop
}

# exec sends the new process's listener too, with the container's state (running).
t_notify_exec() {
        agent_start
        mk_bundle nx /bin/sh -c "$(long_running)"
        cfg "$B" set linux.seccomp "$(notify_profile errno=13)"
        capture_ok "run -d" ctr run -d -b "$B" nx
        wait_for "the container to be up" test -e "$C/shared/ready"
        capture ctr exec nx /bin/sh -c 'mkdir /tmp/e; echo "rc=$?"'
        assert_rc 0 "exec with a notifying profile"
        assert_eq "exec's output" "rc=1" "$OUT"
        assert_contains "exec's mkdir error" "$ERR" "Permission denied"
        assert_eq "exec's state.status" running "$(agent_doc 2 state.status)"
        [ "$(agent_doc 2 pid)" != "$(agent_doc 2 state.pid)" ] || fail "exec's pid is the init's"
        capture_ok "delete" ctr delete --force nx
        agent_stop
}

# Bad listeners: one line at create, nothing left behind; a listenerPath without a notifying
# rule is not used (runtime-spec), so nothing needs to listen there.
t_notify_bad() {
        local verb
        for verb in create run; do
                mk_bundle b1 /bin/touch /shared/ran
                cfg "$B" set linux.seccomp "$(notify_profile x)"
                capture ctr "$verb" -b "$B" bad
                assert_fails "$verb with nobody on listenerPath"
                assert_one_error_line "$verb with nobody on listenerPath" \
                        "listenerPath .*agent.sock: connect to the seccomp agent: No such file or directory"
                [ ! -e "$C/shared/ran" ] || fail "$verb: the process ran although $verb failed"
        done

        # A socket nobody accepts on.
        "$PY" -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$C/agent.sock"
        mk_bundle b2 /bin/true
        cfg "$B" set linux.seccomp "$(notify_profile x)"
        capture ctr create -b "$B" bad
        assert_fails "create with a dead listener"
        assert_one_error_line "create with a dead listener" "connect to the seccomp agent: Connection refused"
        rm -f "$C/agent.sock"

        mk_bundle b3 /bin/sh -c 'mkdir /tmp/d && echo made'
        cfg "$B" set linux.seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/nonexistent/agent.sock"}'
        capture ctr run -b "$B" unused
        assert_rc 0 "run with a listenerPath and no notifying rule"
        assert_eq "output with an unused listenerPath" made "$OUT"
}

case_run deny-execveat t_deny_execveat
case_run errno-mkdir t_errno_mkdir
case_run status t_status
case_run without-nnp t_without_nnp
case_run default-deny t_default_deny
case_run arg-filters t_args
case_run bad-profiles t_bad_profiles
case_run docker-default t_docker_default
case_run old-lists t_old_lists
case_run payload-only t_payload_only
case_run exec-old-list t_exec_old_list
case_run notify t_notify
case_run notify-exec t_notify_exec
case_run notify-bad t_notify_bad
lib_finish
