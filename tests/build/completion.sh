#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bash completion (completion/ctr-launch), driven as bash-completion drives it: the
# library loaded, COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT set for a command line, the
# completion function called, COMPREPLY read. Against the built binary: container ids come
# from its `list -q` under the --root the line gives (a state root made here), capability
# names from its `features`.
#
# Usage: completion.sh COMPLETION-FILE CTR-LAUNCH
set -uo pipefail

COMPLETION=$(readlink -f "$1")
CTR=$2
LIB=/usr/share/bash-completion/bash_completion

n=0
failed=0
ok() { # ok CONDITION-STATUS NAME [DIAG]
        n=$((n + 1))
        if [ "$1" -eq 0 ]; then
                echo "ok $n - $2"
        else
                echo "not ok $n - $2"
                [ -z "${3:-}" ] || printf '# %s\n' "$3"
                failed=$((failed + 1))
        fi
}

if [ ! -r "$LIB" ]; then
        # Part of the test packages (tools/lib.sh): its absence is an installation bug.
        echo "Bail out! $LIB missing: install bash-completion (tools/lib.sh TEST_PACKAGES)"
        exit 1
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# The binary as the user types its name: a directory of ours first on PATH.
mkdir "$scratch/bin"
ln -s "$(readlink -f "$CTR")" "$scratch/bin/ctr-launch"
# A state root with two containers in it (list shows a directory without state as stopped).
mkdir -m 0700 "$scratch/root" "$scratch/root/web" "$scratch/root/db"
mkdir "$scratch/bundle-dir"
touch "$scratch/bundle-file"

# complete LINE: the candidates for LINE (the cursor at its end), one per line, sorted.
complete_line() {
        env -i HOME="$scratch" PATH="$scratch/bin:/usr/bin:/bin" TERM=dumb bash --norc --noprofile -c '
                cd "$3"
                source "$1"
                source "$2"
                COMP_LINE=$4
                COMP_POINT=${#COMP_LINE}
                read -r -a COMP_WORDS <<<"$COMP_LINE"
                [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
                COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                _ctr_launch ctr-launch "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
                printf "%s\n" "${COMPREPLY[@]}"' bash "$LIB" "$COMPLETION" "$scratch" "$1" | sort
}

# expect NAME LINE WANTED...: every WANTED is a candidate.
expect() {
        local name=$1 line=$2 got w missing=()
        shift 2
        got=$(complete_line "$line")
        for w in "$@"; do
                grep -qxF -- "$w" <<<"$got" || missing+=("$w")
        done
        ok $((${#missing[@]} != 0)) "$name" "line '$line': missing ${missing[*]}; got: $(echo $got)"
}

# expect_only NAME LINE WANTED...: the candidates are exactly WANTED.
expect_only() {
        local name=$1 line=$2 got want
        shift 2
        got=$(complete_line "$line" | tr '\n' ' ')
        want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
        [ "$got" = "$want" ]
        ok $? "$name" "line '$line': want '$want', got '$got'"
}

# bash-completion's loader finds the file by the command's name, where XDG_DATA_DIRS says (as
# it finds the installed one under /usr/share), and it registers the function.
mkdir -p "$scratch/share/bash-completion/completions"
cp "$COMPLETION" "$scratch/share/bash-completion/completions/ctr-launch"
registered=$(env -i HOME="$scratch" PATH="$scratch/bin:/usr/bin:/bin" XDG_DATA_DIRS="$scratch/share" \
        bash --norc --noprofile -c 'source "$1"; __load_completion ctr-launch && complete -p ctr-launch' \
        bash "$LIB" 2>&1)
[ "$registered" = "complete -F _ctr_launch ctr-launch" ]
ok $? "bash-completion loads it on demand" "complete -p ctr-launch: $registered"

# Every command `ctr-launch --help` lists (and no other) is offered at the command's place.
commands=$("$CTR" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
# shellcheck disable=SC2086
expect_only "commands: those of --help" "ctr-launch " $commands
expect_only "commands: a prefix" "ctr-launch st" start state
expect "global options" "ctr-launch --" --root --log --log-format --debug --systemd-cgroup --system
# Each command's options: those its --help lists.
for c in create run exec kill delete list ps update events spec; do
        # shellcheck disable=SC2046
        opts=$("$CTR" "$c" --help | sed -n '/^Options/,$p' |
                grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+|, --[a-z-]+' | grep -oE -- '--?[a-z-]+')
        # shellcheck disable=SC2086
        expect "$c: the options of its --help" "ctr-launch $c --" $(grep -- '^--' <<<"$opts")
done
expect_only "a global option after the command is not offered" "ctr-launch state --ro"
expect_only "--log-format values" "ctr-launch --log-format " json text
expect_only "list --format values" "ctr-launch list --format " json table
expect_only "--bundle takes a directory" "ctr-launch create --bundle bun" bundle-dir
expect_only "--pid-file takes a file" "ctr-launch create --pid-file bun" bundle-dir bundle-file
# Container ids from `list -q`, under the --root of the line.
expect_only "ids under --root" "ctr-launch --root $scratch/root kill " db web
expect_only "ids: a prefix" "ctr-launch --root $scratch/root delete --force w" web
expect_only "ids: after --" "ctr-launch --root $scratch/root exec -- " db web
expect_only "no id for create (a new one)" "ctr-launch --root $scratch/root create "
expect_only "nothing after exec's ID (the command is the container's)" \
        "ctr-launch --root $scratch/root exec web "
# Signal names for kill's second argument, with or without SIG.
expect "kill: signal names" "ctr-launch --root $scratch/root kill web " TERM KILL HUP USR1 RTMIN+3 RTMAX-1
expect_only "kill: no trap pseudo-signal" "ctr-launch --root $scratch/root kill web E"
expect_only "kill: a prefix" "ctr-launch --root $scratch/root kill web TE" TERM
expect_only "kill: with SIG" "ctr-launch --root $scratch/root kill web SIGK" SIGKILL
expect "exec --cap: capability names from features" "ctr-launch exec --cap CAP_NET_" \
        CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_RAW
expect_only "help COMMAND" "ctr-launch help up" update

echo "1..$n"
[ "$failed" -eq 0 ]
