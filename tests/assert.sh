# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# What tests/integration/lib.sh and tests/system/lib.sh share: running a case, reporting it, and
# the assertions. The report is TAP on stdout, which meson reads (protocol 'tap'):
#   ok N - NAME                 the case passed
#   not ok N - NAME             it failed (the reason is on stderr)
#   ok N - NAME # SKIP WHY      it could not run here (skip, inside the case)
#   1..N                        the plan, after the last case
#   1..0 # SKIP WHY             the whole script cannot run here (skip, outside a case)
#   Bail out! WHY               a broken test machine or harness (hard_error)
# A case runs in a subshell whose stdout goes to stderr, so that nothing it prints can read as
# TAP; fail exits the case, not the script. $CASE names the case in the messages. The exit
# status says the same as the TAP: 0 if no case failed, 1 if one did, 99 for a bail-out.

CASE=""
CASES_RUN=0
CASES_SKIPPED=0
CASES_FAILED=()

# Not run, with the reason. In a case: the case ends and is reported as skipped (the reason
# goes to the runner through $CASE_SKIP_FILE). Outside: the whole script, with a plan of none
# if no case ran yet.
skip() {
        if [ -n "${CASE_PID:-}" ]; then
                echo "  [$CASE] skipped: $*" >&2
                printf '%s' "$*" | tr '\n' ' ' >"$CASE_SKIP_FILE"
                exit 77
        fi
        if [ "$CASES_RUN" = 0 ]; then
                echo "1..0 # SKIP $*"
                exit 0
        fi
        echo "# the remaining cases are not run: $*"
        cases_finish
}

# Not a test failure but a broken test machine or harness: meson reports ERROR.
hard_error() {
        if [ -n "${CASE_PID:-}" ]; then
                echo "ERROR [$CASE]: $*" >&2
        else
                echo "Bail out! $*" | head -n 1
                echo "ERROR: $*" >&2
        fi
        exit 99
}

# Fails the current case with what was expected and seen; outside a case, the script.
fail() {
        [ -n "${CASE_PID:-}" ] || hard_error "$*"
        echo "FAIL [$CASE]: $*" >&2
        exit 1
}

note() {
        echo "  [$CASE] $*" >&2
}

# A line for the reader of the TAP stream (a TAP comment).
diag() {
        printf '%s\n' "$*" | sed 's/^/# /'
}

assert_eq() {
        local what=$1 want=$2 got=$3
        [ "$want" = "$got" ] || fail "$what: expected \"$want\", got \"$got\""
}

assert_contains() {
        local what=$1 hay=$2 needle=$3
        case $hay in
        *"$needle"*) ;;
        *) fail "$what: expected to contain \"$needle\", got:
$hay" ;;
        esac
}

# wait_for DESC CMD...: polls CMD until it succeeds, CTR_WAIT seconds at most (default
# WAIT_DEFAULT, which each harness sets). A bound for liveness, not a timing assertion.
wait_for() {
        local desc=$1 i n limit=${CTR_WAIT:-${WAIT_DEFAULT:-10}}
        shift
        n=$((limit * 10))
        for ((i = 0; i < n; i++)); do
                if "$@"; then return 0; fi
                sleep 0.1
        done
        fail "gave up after $limit s waiting for $desc"
}

# assert_none_left WHERE CMD...: CMD prints what a case left behind, one line each. Killed
# processes need a moment to exit and be reaped, units to stop: CMD has 5 s to print nothing.
assert_none_left() {
        local where=$1 l i
        shift
        for ((i = 0; i < 50; i++)); do
                l=$("$@")
                [ -n "$l" ] || return 0
                sleep 0.1
        done
        fail "left behind$where:
$l"
}

# The ERR trap of a case (set -eE, CASE_PID its subshell): which command failed, and where,
# with the callers. Background jobs and command substitutions inherit the trap; only the case's
# own shell reports, the others' failures reach it as a failed command anyway.
err_report() {
        local rc=$1 i where=""
        [ "$BASHPID" = "$CASE_PID" ] || return 0
        trap - ERR
        for ((i = 1; i < ${#FUNCNAME[@]} - 1; i++)); do
                where+=" ${FUNCNAME[i]}@${BASH_SOURCE[i]##*/}:${BASH_LINENO[i - 1]}"
        done
        echo "FAIL [$CASE]: unexpected exit status $rc of: $BASH_COMMAND (in$where)" >&2
}

# case_begin NAME: whether CTR_TEST_ONLY (a regex) lets the case run; if so, it is $CASE and
# counted.
case_begin() {
        if [ -n "${CTR_TEST_ONLY:-}" ] && ! [[ $1 =~ $CTR_TEST_ONLY ]]; then
                return 1
        fi
        CASE=$1
        CASES_RUN=$((CASES_RUN + 1))
}

# case_body CHECK FUNC [ARGS...]: FUNC in a subshell with errexit, its stdout on stderr; then,
# if it passed or skipped, CHECK (the harness's "nothing left behind") in a subshell too. Sets
# CASE_RC (0 or the failure's status) and CASE_SKIP (the reason the case skipped, or empty).
# $CASE_SKIP_FILE must name a file the harness may write.
case_body() {
        local check=$1
        shift
        rm -f "$CASE_SKIP_FILE"
        CASE_SKIP=""
        # Not in an && / || list: bash would ignore errexit inside the subshell there.
        set +e
        (
                set -eE
                CASE_PID=$BASHPID
                # A command that fails outside an assertion ends the case: say which.
                trap 'err_report $?' ERR
                [ -z "${CTR_TEST_VERBOSE:-}" ] || set -x
                "$@"
        ) >&2
        CASE_RC=$?
        # 77 alone is no skip: a command of the case may exit 77 itself.
        if [ "$CASE_RC" = 77 ] && [ -f "$CASE_SKIP_FILE" ]; then
                CASE_SKIP=$(cat "$CASE_SKIP_FILE")
                CASE_SKIP=${CASE_SKIP:-no reason given}
                CASE_RC=0
        fi
        if [ "$CASE_RC" = 0 ]; then
                (
                        CASE_PID=$BASHPID
                        "$check"
                ) >&2
                CASE_RC=$?
        fi
        set -e
}

# The case's TAP line, from CASE_RC and CASE_SKIP; a failed case is remembered in CASES_FAILED.
case_record() {
        if [ "$CASE_RC" != 0 ]; then
                echo "not ok $CASES_RUN - $CASE"
                CASES_FAILED+=("$CASE")
        elif [ -n "$CASE_SKIP" ]; then
                echo "ok $CASES_RUN - $CASE # SKIP $CASE_SKIP"
                CASES_SKIPPED=$((CASES_SKIPPED + 1))
        else
                echo "ok $CASES_RUN - $CASE"
        fi
}

# IO_WEIGHT_PROBE: a shell command that succeeds where the kernel offers cgroup I/O weights
# (run by sh, here or in a test host): cgroup v1's blkio.weight (CFQ, gone since 5.0) or
# blkio.bfq.weight; cgroup v2's io.weight (blk-iocost, whose io.cost.qos sits in the root cgroup)
# or io.bfq.weight; or BFQ registered as a scheduler. v2 shows the weight files in non-root
# cgroups only, and there only where "io" is enabled, so the root's files are what says it.
IO_WEIGHT_PROBE='for f in /sys/fs/cgroup/blkio/blkio.weight /sys/fs/cgroup/blkio/blkio.bfq.weight \
        /sys/fs/cgroup/io.cost.qos; do [ ! -e "$f" ] || exit 0; done
        grep -qsw bfq /sys/block/*/queue/scheduler'

# The script's end: the plan, then exit 0 if no case failed (and at least one ran), 1 otherwise.
cases_finish() {
        if [ "$CASES_RUN" = 0 ]; then
                echo "Bail out! no case ran (CTR_TEST_ONLY=${CTR_TEST_ONLY:-})"
                exit 1
        fi
        echo "1..$CASES_RUN"
        if [ ${#CASES_FAILED[@]} != 0 ]; then
                diag "${#CASES_FAILED[@]} of $CASES_RUN cases failed: ${CASES_FAILED[*]}"
                exit 1
        fi
        diag "$((CASES_RUN - CASES_SKIPPED)) of $CASES_RUN cases passed, $CASES_SKIPPED skipped"
        exit 0
}
