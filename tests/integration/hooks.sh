#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# OCI hooks (issue 3, item 9): each kind runs once, at its moment of the lifecycle, in the
# namespace the runtime-spec says, with the state JSON on stdin (and the status that moment
# has) and exactly its configured env; a failing createRuntime / createContainer fails create
# with one error line and leaves nothing behind; a failing startContainer fails start; a hook
# past its timeout is killed; failing poststart / poststop hooks only warn.
# Usage: hooks.sh PATH-TO-ctr-launch (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
lib_init "$@"

# A hook that logs "KIND STATUS PID MNT-NS" (from the state on its stdin) to the file in $2.
# Plain sh, so that the same script serves on the host and in the busybox rootfs.
write_hook() {
        cat >"$1" <<'SH'
#!/bin/sh
state=$(cat)
status=$(printf '%s\n' "$state" | sed -n 's/.*"status" *: *"\([a-z]*\)".*/\1/p')
pid=$(printf '%s\n' "$state" | sed -n 's/.*"pid" *: *\([0-9]*\).*/\1/p')
id=$(printf '%s\n' "$state" | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p')
echo "$1 $status $pid $id $(readlink /proc/self/ns/mnt)" >>"$2"
[ -z "$3" ] || env | sort >"$3"
SH
        chmod 0755 "$1"
}

# hook_json PATH ARGS-JSON: one hook entry with the test's PATH and marker as its env.
hook_json() {
        echo "{\"path\": \"$1\", \"args\": $2, \"env\": [\"PATH=/usr/sbin:/usr/bin:/sbin:/bin\", \"HOOK_VAR=a b\", \"CTR_TEST_MARK=$MARK\"]}"
}

# field N KIND: field N of KIND's line in the log.
field() {
        awk -v k="$2" -v n="$1" '$1 == k { print $n }' "$LOG"
}

t_lifecycle() {
        mk_bundle b /bin/true
        LOG=$C/shared/hooks.log
        local h=$C/hook.sh
        write_hook "$h"
        write_hook "$B/rootfs/hook.sh"
        cfg "$B" set hooks "{
                \"prestart\": [$(hook_json "$h" "[\"hook\", \"prestart\", \"$LOG\"]")],
                \"createRuntime\": [$(hook_json "$h" "[\"hook\", \"createRuntime\", \"$LOG\", \"$C/env\"]")],
                \"createContainer\": [$(hook_json "$h" "[\"hook\", \"createContainer\", \"$LOG\"]")],
                \"startContainer\": [$(hook_json /hook.sh "[\"hook\", \"startContainer\", \"/shared/hooks.log\"]")],
                \"poststart\": [$(hook_json "$h" "[\"hook\", \"poststart\", \"$LOG\"]")],
                \"poststop\": [$(hook_json "$h" "[\"hook\", \"poststop\", \"$LOG\"]")]}"

        capture ctr create -b "$B" c1
        assert_rc 0 "create with every kind of hook"
        local pid host_mnt
        pid=$(pid_of c1)
        host_mnt=$(readlink /proc/self/ns/mnt)
        assert_eq "hooks run by create" "prestart createRuntime createContainer" "$(awk '{print $1}' "$LOG" | xargs)"

        capture ctr start c1
        assert_rc 0 "start with hooks"
        wait_for "c1 stopped" status_is c1 stopped
        capture ctr delete c1
        assert_rc 0 "delete with a poststop hook"

        assert_eq "order of the hooks" "prestart createRuntime createContainer startContainer poststart poststop" \
                "$(awk '{print $1}' "$LOG" | xargs)"
        assert_eq "status each hook saw" "creating creating creating created running stopped" \
                "$(awk '{print $2}' "$LOG" | xargs)"
        local k
        for k in prestart createRuntime createContainer startContainer poststart; do
                assert_eq "pid in the state $k saw" "$pid" "$(field 3 $k)"
                assert_eq "id in the state $k saw" "c1" "$(field 4 $k)"
        done
        assert_eq "pid in the state poststop saw" "0" "$(field 3 poststop)"

        # Runtime namespace for prestart, createRuntime, poststart, poststop; the container's for
        # createContainer and startContainer.
        for k in prestart createRuntime poststart poststop; do
                assert_eq "mount namespace of $k" "$host_mnt" "$(field 5 $k)"
        done
        local cc_mnt
        cc_mnt=$(field 5 createContainer)
        [ -n "$cc_mnt" ] && [ "$cc_mnt" != "$host_mnt" ] ||
                fail "createContainer ran in the host's mount namespace ($cc_mnt)"
        assert_eq "startContainer's mount namespace is createContainer's" "$cc_mnt" "$(field 5 startContainer)"

        # The env is exactly the configured one: nothing of ours (HOME, ...) leaks in.
        assert_eq "env of createRuntime" "CTR_TEST_MARK=$MARK HOOK_VAR=a b PATH=/usr/sbin:/usr/bin:/sbin:/bin" \
                "$(grep -Ev '^(PWD|SHLVL|OLDPWD|_)=' "$C/env" | xargs -d '\n')"
}

t_run() {
        # `run` goes through the same create and start, and runs poststop when it cleans up.
        mk_bundle b /bin/sh -c 'echo payload >>/shared/hooks.log'
        LOG=$C/shared/hooks.log
        local h=$C/hook.sh
        write_hook "$h"
        cfg "$B" set hooks "{
                \"createRuntime\": [$(hook_json "$h" "[\"hook\", \"createRuntime\", \"$LOG\"]")],
                \"poststop\": [$(hook_json "$h" "[\"hook\", \"poststop\", \"$LOG\"]")]}"
        capture ctr run -b "$B" c1
        assert_rc 0 "run with hooks"
        assert_eq "order under run" "createRuntime payload poststop" "$(awk '{print $1}' "$LOG" | xargs)"
}

# slow_hook SCRIPT: a createRuntime hook running `sh -c SCRIPT` with a timeout of 1 s, in which
# $0 is $C/hook.pid (for the hook to say which PID is its). SCRIPT goes into JSON as it is.
slow_hook() {
        cfg "$B" set hooks "{\"createRuntime\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"$1\", \"$C/hook.pid\"],
                \"env\": [\"PATH=/usr/bin:/bin\", \"CTR_TEST_MARK=$MARK\"], \"timeout\": 1}]}"
}

# hook_pid_written: skips the case if the hook wrote no PID to $C/hook.pid: on a machine loaded
# enough for the hook not to get that far within its 1 s, the kill the case is about hit
# something else.
hook_pid_written() {
        [ -s "$C/hook.pid" ] || skip "the hook did not get to write its PID within its 1 s timeout (machine too loaded)"
}

# hook_process_alive PID: PID is still the hook's process (it carries the case's marker) and has
# not exited.
hook_process_alive() {
        pid_alive "$1" && tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | grep -qxF "CTR_TEST_MARK=$MARK"
}

# The timeout kills the hook's children too (its process group), not the hook alone.
t_timeout_children() {
        mk_bundle b
        slow_hook 'sleep 60 & echo $! >$0; wait'
        capture ctr create -b "$B" c1
        assert_fails "create with a hook past its timeout"
        hook_pid_written
        local child
        child=$(cat "$C/hook.pid")
        # SIGKILL went to the group before create returned: the child has only to die.
        wait_for "the hook's child $child to be killed" eval "! hook_process_alive $child"
}

# runtime.md: a create that fails on a hook goes on to destroy, then poststop.
t_poststop_after_failed_create() {
        mk_bundle b
        write_hook "$C/hook"
        cfg "$B" set hooks "{\"createRuntime\": [$(hook_json /bin/false '["false"]')],
                \"poststop\": [$(hook_json "$C/hook" "[\"hook\", \"poststop\", \"$C/log\"]")]}"
        capture ctr create -b "$B" c1
        assert_fails "create with a failing createRuntime hook"
        grep -q '^poststop stopped' "$C/log" 2>/dev/null || fail "poststop did not run after the failed create: $(cat "$C/log" 2>/dev/null)"
}

t_create_runtime_fails() {
        mk_bundle b
        cfg "$B" set hooks "{\"createRuntime\": [$(hook_json /bin/false '["false"]')]}"
        capture ctr create -b "$B" c1
        assert_fails "create with a failing createRuntime hook"
        assert_one_error_line "failing createRuntime" 'hook createRuntime\[0\] /bin/false: exited with status 1'
        assert_status c1 error
}

t_create_container_fails() {
        mk_bundle b
        cfg "$B" set hooks "{\"createContainer\": [$(hook_json /bin/sh '["sh", "-c", "exit 7"]')]}"
        capture ctr create -b "$B" c1
        assert_fails "create with a failing createContainer hook"
        assert_one_error_line "failing createContainer" 'hook createContainer\[0\] /bin/sh: exited with status 7'
        assert_status c1 error
}

t_missing_hook() {
        mk_bundle b
        cfg "$B" set hooks "{\"prestart\": [$(hook_json /nonexistent/hook '["x"]')]}"
        capture ctr create -b "$B" c1
        assert_fails "create with a prestart hook that does not exist"
        assert_one_error_line "missing prestart hook" 'hook prestart\[0\] /nonexistent/hook: exec: No such file or directory'
}

t_timeout() {
        mk_bundle b
        slow_hook 'echo $$ >$0; exec sleep 60'
        capture ctr create -b "$B" c1
        assert_fails "create with a hook past its timeout"
        assert_one_error_line "hook timeout" 'hook createRuntime\[0\] /bin/sh: timed out after 1 s'
        # Killed, not waited for (the 60 s of its sleep would outlast ctr's own 30 s timeout,
        # which assert_fails refuses): create reaped it before it returned. The harness checks
        # too that no process with the marker is left.
        hook_pid_written
        local hook
        hook=$(cat "$C/hook.pid")
        ! hook_process_alive "$hook" || fail "the hook (pid $hook) outlived the create that timed it out"
}

t_start_container_fails() {
        mk_bundle b
        cfg "$B" set hooks "{\"startContainer\": [$(hook_json /bin/false '["false"]')]}"
        capture ctr create -b "$B" c1
        assert_rc 0 "create with a startContainer hook"
        capture ctr start c1
        assert_fails "start with a failing startContainer hook"
        assert_one_error_line "failing startContainer" 'hook startContainer\[0\] /bin/false: exited with status 1'
        wait_for "c1 stopped" status_is c1 stopped
        ctr delete c1
}

t_post_hooks_warn() {
        mk_bundle b /bin/true
        LOG=$C/shared/hooks.log
        local h=$C/hook.sh
        write_hook "$h"
        cfg "$B" set hooks "{
                \"poststart\": [$(hook_json /bin/false '["false"]'), $(hook_json "$h" "[\"hook\", \"poststart\", \"$LOG\"]")],
                \"poststop\": [$(hook_json /bin/false '["false"]'), $(hook_json "$h" "[\"hook\", \"poststop\", \"$LOG\"]")]}"
        ctr create -b "$B" c1 </dev/null
        capture ctr start c1
        assert_rc 0 "start with a failing poststart hook"
        assert_contains "warning of start" "$ERR" "hook poststart[0] /bin/false: exited with status 1"
        wait_for "c1 stopped" status_is c1 stopped
        capture ctr delete c1
        assert_rc 0 "delete with a failing poststop hook"
        assert_contains "warning of delete" "$ERR" "hook poststop[0] /bin/false: exited with status 1"
        assert_eq "the hooks after the failing ones still ran" "poststart poststop" "$(awk '{print $1}' "$LOG" | xargs)"
        assert_status c1 error
}

t_bad_config() {
        mk_bundle b
        cfg "$B" set hooks '{"createRuntime": [{"path": "bin/true"}]}'
        capture ctr create -b "$B" c1
        assert_fails "create with a relative hook path"
        assert_one_error_line "relative hook path" 'hooks\.createRuntime\[0\]\.path: must be an absolute path'
}

case_run lifecycle t_lifecycle
case_run run t_run
case_run create-runtime-fails t_create_runtime_fails
case_run create-container-fails t_create_container_fails
case_run missing-hook t_missing_hook
case_run timeout t_timeout
case_run timeout-kills-children t_timeout_children
case_run poststop-after-failed-create t_poststop_after_failed_create
case_run start-container-fails t_start_container_fails
case_run post-hooks-warn t_post_hooks_warn
case_run bad-config t_bad_config
lib_finish
