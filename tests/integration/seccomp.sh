#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# linux.seccomp, as the container's process sees it (issue 3, item 8): an errno rule on mkdir,
# a default-deny profile with an allow list, argument filters (one condition, and two on the
# same argument, which runc treats as "any of"), the filter loaded with and without
# noNewPrivileges, unknown syscall names ignored, and bad profiles refused with one error line
# and nothing left behind.
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
linux\.seccomp\.listenerPath: not supported|{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/seccomp-agent.sock"}
linux\.seccomp\.defaultAction: SCMP_ACT_NOTIFY is not supported|{"defaultAction": "SCMP_ACT_NOTIFY"}
ROWS
}

case_run deny-execveat t_deny_execveat
case_run errno-mkdir t_errno_mkdir
case_run status t_status
case_run without-nnp t_without_nnp
case_run default-deny t_default_deny
case_run arg-filters t_args
case_run bad-profiles t_bad_profiles
lib_finish
