# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Reporting and assertions shared by tests/integration/lib.sh and tests/system/lib.sh. Cases
# run in subshells: fail exits the case, not the script. $CASE names the case in the messages.

# Not run: exit 77, which meson reports as SKIP.
skip() {
        echo "SKIP: $*"
        exit 77
}

# Not a test failure but a broken test machine or harness: meson reports ERROR.
hard_error() {
        echo "ERROR: $*" >&2
        exit 99
}

# Fails the current case with what was expected and seen.
fail() {
        echo "FAIL [$CASE]: $*" >&2
        exit 1
}

note() {
        echo "  [$CASE] $*"
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

# case_record NAME RC: TAP's line for a case; a failed one is remembered in CASES_FAILED.
case_record() {
        if [ "$2" = 0 ]; then
                echo "ok - $1"
        else
                echo "not ok - $1"
                CASES_FAILED+=("$1")
        fi
}

# The script's end: 0 if every case passed (and at least one ran), 1 otherwise.
cases_finish() {
        echo
        if [ "$CASES_RUN" = 0 ]; then
                echo "no case ran (CTR_TEST_ONLY=${CTR_TEST_ONLY:-})"
                exit 1
        fi
        if [ ${#CASES_FAILED[@]} = 0 ]; then
                echo "all $CASES_RUN cases passed"
                exit 0
        fi
        echo "${#CASES_FAILED[@]} of $CASES_RUN cases failed: ${CASES_FAILED[*]}"
        exit 1
}
