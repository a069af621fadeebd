#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 19 in a real systemd (252, booted in systemd-nspawn, see lib.sh): ctr@ID.socket (the
# template installed by `meson install`, completed by a drop-in) starts ctr@ID.service on the
# first connection, whose container process gets the sockets at fds 3.. with LISTEN_FDS,
# LISTEN_PID (its own PID in the container) and LISTEN_FDNAMES, and nothing else; both readiness
# modes, a container with the host's network namespace; the fd store keeps a connection across
# `systemctl restart`; a container that stores a host fd or too many fds is refused and logged;
# the same activation under `systemctl --user`. Each case ends with nothing left.
# The container's process is tests/helpers/sock-activated-static, the client
# tests/system/sock-client.py, run in the test host.
# Usage: socket-activation.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
sys_init "$@"
host_boot "$BUILD_DIR"

SERVER=$BUILD_DIR/tests/helpers/sock-activated-static
[ -x "$SERVER" ] || hard_error "$SERVER missing: build the tree first"
CLIENT=/usr/local/libexec/ctr-test-sock-client
install -D -m 0755 "$(dirname "$0")/sock-client.py" "$HOST_ROOT$CLIENT"
# systemctl edit's editor: puts $CTR_TEST_DROPIN where systemctl says the new contents go.
EDITOR_SCRIPT=/usr/local/libexec/ctr-test-editor
install -D -m 0755 /dev/stdin "$HOST_ROOT$EDITOR_SCRIPT" <<'EOF'
#!/bin/sh
set -e
f=$1
if grep -q '^### Anything between here' "$f"; then
        awk -v t="$CTR_TEST_DROPIN" '{ print } /^### Anything between here/ { print t }' "$f" >"$f.new"
        cat "$f.new" >"$f"
        rm -f "$f.new"
else
        printf '%s\n' "$CTR_TEST_DROPIN" >"$f"
fi
EOF

# A TCP port free on 127.0.0.1 now (the nspawn test host shares this machine's network).
free_port() {
        "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

show() { # show UNIT PROPERTY
        host_run systemctl show -p "$2" --value "$1"
}

is_state() { # is_state UNIT STATE
        [ "$(show "$1" ActiveState)" = "$2" ]
}

# make ID MODE [ARG]: a bundle at /var/lib/ctr-launch/ID whose process is the test server in
# MODE; its units are watched.
make() {
        local id=$1
        shift
        host_make_bundle "$id" /bin/sock-activated-static "$@"
        cp "$SERVER" "$BUNDLE_DIR/rootfs/bin/sock-activated-static"
        host_watch_unit "ctr@$id.service"
        host_watch_unit "ctr@$id.socket"
}

container_readiness() { # container_readiness ID
        host_bundle_set "$1" annotations '{"org.ctr-launch.readiness": "container"}'
}

# socket_dropin ID TEXT: a drop-in for ctr@ID.socket ([Socket] lines), removed by remove_dropins.
socket_dropin() {
        local d=$HOST_ROOT/etc/systemd/system/ctr@$1.socket.d
        mkdir -p "$d"
        printf '[Socket]\n%s\n' "$2" >"$d/listen.conf"
        echo "$d" >>"$HOST_DIR/dropins"
        host_run systemctl daemon-reload
}

remove_dropins() {
        [ -s "$HOST_DIR/dropins" ] || return 0
        xargs rm -rf <"$HOST_DIR/dropins"
        rm -f "$HOST_DIR/dropins"
        host_run systemctl daemon-reload
}

# ask PORT LINE: the answer of the container listening on PORT to LINE, in ANSWER.
ask() {
        ANSWER=$(host_run timeout 90 "$CLIENT" ask 127.0.0.1 "$1" "$2") || fail "no answer on port $1 to \"$2\""
}

# report ID KEY: one line of the server's /shared/report (the first thing it writes).
report() {
        sed -n "s/^$2=//p" "$HOST_ROOT$HOST_BUNDLES/$1/shared/report"
}

# The container's process's PID in its own PID namespace, per the test host's /proc (NSpid's
# last field), and that it is what LISTEN_PID and getpid() said inside.
assert_listen_pid() {
        local id=$1 main nspid
        main=$(show "ctr@$id" MainPID)
        [ "$main" != 0 ] || fail "ctr@$id has no main process"
        nspid=$(host_run awk '/^NSpid:/ { print $NF }' "/proc/$main/status")
        assert_eq "getpid() of the container's process (NSpid of MainPID $main)" "$nspid" "$(report "$id" pid)"
        assert_eq "LISTEN_PID (the container process's own PID)" "$nspid" "$(report "$id" listen_pid)"
}

# No ctr-launch process holds the listening socket the container got at fd 3: `start` handed it
# on and closed its own (the relay of "container" readiness stays, without it).
assert_no_launcher_holds_socket() {
        local id=$1 main sock holders
        main=$(show "ctr@$id" MainPID)
        sock=$(host_run readlink "/proc/$main/fd/3")
        case $sock in socket:*) ;; *) fail "fd 3 of the container's process is $sock, not a socket" ;; esac
        holders=$(host_run sh -c 'for p in $(pgrep -x ctr-launch); do
                        for f in /proc/$p/fd/*; do [ "$(readlink "$f")" = "$1" ] && echo "$p ($f)"; done
                done; true' sh "$sock")
        [ -z "$holders" ] || fail "ctr-launch processes still hold the container's $sock: $holders"
}

# journal_has ID TEXT: TEXT in ctr@ID's journal (the relay is `start`, the unit's process).
journal_has() {
        host_journal "ctr@$1" | grep -qF -- "$2"
}

# ---------------------------------------------------------------- cases

# The shipped template completed with `systemctl edit` (an instance without a drop-in does not
# load); `systemctl enable --now`; the first connection, made while the service does not exist
# yet, is answered; two sockets with their name; the container has a network namespace of its
# own (the spec's default) and gets fds 0-4 only.
t_activation() {
        make web serve
        local p1 p2 rc=0 out
        p1=$(free_port)
        p2=$(free_port)
        out=$(host_run systemctl start ctr@web.socket 2>&1) || rc=$?
        [ "$rc" != 0 ] || fail "ctr@web.socket started without a Listen line"
        note "systemctl start ctr@web.socket without a drop-in: $out"
        assert_eq "LoadState of ctr@web.socket without a drop-in" bad-setting "$(show ctr@web.socket LoadState)"
        rc=0
        # systemctl edit wants a terminal: script(1) gives it one.
        out=$(host_run env SYSTEMD_EDITOR="$EDITOR_SCRIPT" \
                CTR_TEST_DROPIN="$(printf '[Socket]\nListenStream=127.0.0.1:%s\nListenStream=127.0.0.1:%s\nFileDescriptorName=web' "$p1" "$p2")" \
                script -qec 'systemctl edit ctr@web.socket' /dev/null </dev/null 2>&1) || rc=$?
        echo "$HOST_ROOT/etc/systemd/system/ctr@web.socket.d" >>"$HOST_DIR/dropins"
        assert_eq "systemctl edit ctr@web.socket ($out)" 0 "$rc"
        rc=0
        out=$(host_run systemctl enable --now ctr@web.socket 2>&1) || rc=$?
        assert_eq "systemctl enable --now ctr@web.socket ($out)" 0 "$rc"
        assert_eq "ctr@web.service before the first connection" inactive "$(show ctr@web.service ActiveState)"

        ask "$p1" hello
        assert_eq "the answer to the first connection" "hello from run 1" "$ANSWER"
        assert_eq "ctr@web.service after it" active "$(show ctr@web.service ActiveState)"
        assert_eq "LISTEN_FDS" 2 "$(report web listen_fds)"
        assert_eq "LISTEN_FDNAMES" web:web "$(report web listen_fdnames)"
        assert_eq "the container's open fds (0-2 and the two sockets)" "0 1 2 3 4" "$(report web fds)"
        assert_listen_pid web
        assert_eq "the container's PID (a PID namespace of its own)" 1 "$(report web pid)"
        local main
        main=$(show ctr@web MainPID)
        [ "$(host_run readlink "/proc/$main/ns/net")" != "$(host_run readlink /proc/1/ns/net)" ] ||
                fail "the container shares the test host's network namespace"
        ask "$p2" second
        assert_eq "the answer on the second socket" "second from run 1" "$ANSWER"
        assert_eq "the container's process is the same" "$main" "$(show ctr@web MainPID)"
        assert_no_launcher_holds_socket web

        host_run systemctl disable --now ctr@web.socket >/dev/null 2>&1
        host_run timeout 60 systemctl stop ctr@web.service
        assert_eq "Result of ctr@web.service after stop" success "$(show ctr@web.service Result)"
        remove_dropins
}

# "container" readiness: the container's READY=1 makes the unit active; the relay that stays
# holds none of the container's sockets. The default FileDescriptorName= (the socket unit's).
t_container_readiness() {
        make rdy serve
        container_readiness rdy
        local p
        p=$(free_port)
        socket_dropin rdy "ListenStream=127.0.0.1:$p"
        host_run systemctl start ctr@rdy.socket
        ask "$p" ready
        assert_eq "the answer" "ready from run 1" "$ANSWER"
        wait_for "ctr@rdy.service to be active" is_state ctr@rdy.service active
        assert_eq "LISTEN_FDS" 1 "$(report rdy listen_fds)"
        assert_eq "LISTEN_FDNAMES (the socket unit's name)" ctr@rdy.socket "$(report rdy listen_fdnames)"
        assert_eq "the container's open fds (0-2 and the socket)" "0 1 2 3" "$(report rdy fds)"
        assert_listen_pid rdy
        host_run pgrep -f "ctr-launch start -- rdy" >/dev/null || fail "no relay (ctr-launch start -- rdy) running"
        assert_no_launcher_holds_socket rdy
        host_run systemctl stop ctr@rdy.socket
        host_run timeout 60 systemctl stop ctr@rdy.service
        assert_eq "Result of ctr@rdy.service after stop" success "$(show ctr@rdy.service Result)"
        remove_dropins
}

# A container in the test host's network namespace (none of its own): the same.
t_host_network() {
        make hn serve
        "$PY" - "$BUNDLE_DIR/config.json" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    cfg = json.load(f)
cfg["linux"]["namespaces"] = [n for n in cfg["linux"]["namespaces"] if n["type"] != "network"]
with open(sys.argv[1], "w") as f:
    json.dump(cfg, f, indent=2)
EOF
        local p main
        p=$(free_port)
        socket_dropin hn "ListenStream=127.0.0.1:$p"
        host_run systemctl start ctr@hn.socket
        ask "$p" host
        assert_eq "the answer" "host from run 1" "$ANSWER"
        main=$(show ctr@hn MainPID)
        assert_eq "the container's network namespace (the test host's)" "$(host_run readlink /proc/1/ns/net)" \
                "$(host_run readlink "/proc/$main/ns/net")"
        assert_eq "the container's open fds" "0 1 2 3" "$(report hn fds)"
        assert_listen_pid hn
        host_run systemctl stop ctr@hn.socket
        host_run timeout 60 systemctl stop ctr@hn.service
        remove_dropins
}

# The fd store: the container answers a connection and stores it (FDSTORE=1, FDNAME=conn,
# through the relay); `systemctl restart ctr@fs` gives it back to the next run with the
# listening socket, which answers the client's next line on that same connection, then removes
# it from the store (FDSTOREREMOVE=1).
t_fd_store_restart() {
        make fs store
        container_readiness fs
        local p out
        p=$(free_port)
        socket_dropin fs "ListenStream=127.0.0.1:$p
FileDescriptorName=web"
        host_run systemctl start ctr@fs.socket
        out=$(host_run timeout 150 "$CLIENT" across 127.0.0.1 "$p" \
                'test "$(systemctl show -p NFileDescriptorStore --value ctr@fs.service)" = 1' \
                'systemctl restart ctr@fs.service') || fail "the client across the restart failed: $out"
        assert_eq "the answers across the restart" "one from run 1
two from run 2
eof" "$out"
        assert_eq "run 2's LISTEN_FDS (the socket and the stored connection)" 2 "$(report fs listen_fds)"
        assert_eq "run 2's LISTEN_FDNAMES" web:conn "$(report fs listen_fdnames)"
        assert_eq "run 2's open fds" "0 1 2 3 4" "$(report fs fds)"
        assert_listen_pid fs
        wait_for "the connection to leave the fd store (FDSTOREREMOVE=1)" \
                test "$(show ctr@fs.service NFileDescriptorStore)" = 0
        if journal_has fs "refused the container's FDSTORE"; then
                fail "the relay refused a stored TCP connection: $(host_journal ctr@fs | grep refused)"
        fi
        host_run systemctl stop ctr@fs.socket
        host_run timeout 60 systemctl stop ctr@fs.service
        remove_dropins
}

# FDSTORE=1 with a host fd (a directory of a bind mount; its own stdout, the journal's stream
# socket whose peer is journald) or with 17 fds in one message: refused with one warning in the
# unit's journal, nothing stored, the container still running.
t_fd_store_refused() {
        local id want
        for id in bhost bout bmany; do
                case $id in
                bhost) make "$id" host-fd /shared; want="fd 1 of 1 is a directory (only sockets and memfds are stored)" ;;
                bout) make "$id" stdout; want="fd 1 of 1 is a Unix socket connected to a process outside the container" ;;
                bmany) make "$id" many; want="17 fds in one message, more than 16" ;;
                esac
                container_readiness "$id"
                host_run timeout 60 systemctl start "ctr@$id.service"
                wait_for "ctr@$id's FDSTORE=1 to be sent" test -e "$BUNDLE_DIR/shared/sent"
                wait_for "the refusal in the journal of ctr@$id" \
                        journal_has "$id" "notify relay: refused the container's FDSTORE=1: $want"
                assert_eq "NFileDescriptorStore of ctr@$id" 0 "$(show "ctr@$id.service" NFileDescriptorStore)"
                assert_eq "ctr@$id after the refusal" active "$(show "ctr@$id.service" ActiveState)"
                host_run timeout 60 systemctl stop "ctr@$id.service"
        done
}

# ---------------------------------------------------------------- per-user units

U1=ctrsock1

user_vars() { # UID1, HOME1, XDG1 of U1
        UID1=$(host_run id -u "$U1")
        HOME1=/home/$U1
        XDG1=/run/user/$UID1
}

# A user with lingering (its user manager running), once.
user_setup() {
        if ! host_run id -u "$U1" >/dev/null 2>&1; then
                host_run useradd -m -s /bin/sh "$U1" || fail "useradd $U1 in the test host"
        fi
        user_vars
        host_run loginctl enable-linger "$U1"
        wait_for "user@$UID1.service" is_state "user@$UID1.service" active
}

as_user() { # as_user CMD...: CMD as U1 with its user manager's runtime dir
        host_run runuser -u "$U1" -- env XDG_RUNTIME_DIR="$XDG1" DBUS_SESSION_BUS_ADDRESS="unix:path=$XDG1/bus" "$@"
}

uctl() {
        as_user timeout 60 systemctl --user "$@"
}

ushow() { # ushow UNIT PROPERTY
        uctl show -p "$2" --value "$1"
}

# ubundle ID MODE: ~U1/.local/share/ctr-launch/ID, rootless (`spec --rootless` as U1), the test
# server in MODE, shared/ on /shared. Sets UB_DIR.
ubundle() {
        local id=$1 mode=$2 ub
        ub=$HOME1/.local/share/ctr-launch/$id
        UB_DIR=$HOST_ROOT$ub
        mkdir -p "$UB_DIR/shared"
        cp -a "$HOST_DIR/rootfs-template" "$UB_DIR/rootfs"
        cp "$SERVER" "$UB_DIR/rootfs/bin/sock-activated-static"
        host_run chown -R "$U1:" "$HOME1/.local"
        as_user "$HOST_CTR" spec --rootless -b "$ub" || fail "spec --rootless as $U1"
        "$PY" - "$UB_DIR/config.json" "$ub/shared" "$mode" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    cfg = json.load(f)
cfg["process"]["args"] = ["/bin/sock-activated-static", sys.argv[3]]
cfg["mounts"].append({"destination": "/shared", "type": "bind", "source": sys.argv[2],
                      "options": ["rbind", "rw"]})
with open(sys.argv[1], "w") as f:
    json.dump(cfg, f, indent=2)
EOF
        echo "$id" >>"$HOST_DIR/user.units"
}

# What the user case leaves: its units active, its containers' state; then all of it removed.
user_cleanup() {
        local id u st left=""
        [ -s "$HOST_DIR/user.units" ] || return 0
        user_vars
        for id in $(sort -u "$HOST_DIR/user.units"); do
                for u in "ctr@$id.socket" "ctr@$id.service"; do
                        st=$(ushow "$u" ActiveState 2>/dev/null) || st=unknown
                        case $st in inactive | failed) ;; *) left+="user unit $u left $st; " ;; esac
                        uctl stop "$u" >/dev/null 2>&1 || true
                        uctl reset-failed "$u" >/dev/null 2>&1 || true
                done
                ! host_run test -e "$XDG1/ctr-launch/$id" || left+="user container state $id left; "
                as_user "$HOST_CTR" delete --force "$id" >/dev/null 2>&1 || true
                rm -rf "${HOST_ROOT:?}$HOME1/.local/share/ctr-launch/$id" "$HOST_ROOT$HOME1/.config/systemd/user/ctr@$id.socket.d"
        done
        rm -f "$HOST_DIR/user.units"
        uctl daemon-reload || true
        [ -z "$left" ] || fail "left behind: $left"
}

# systemctl --user: ~/.config/systemd/user/ctr@ID.socket.d completes the user's template; the
# first connection starts the user's rootless container, which gets the socket at fd 3.
t_user_activation() {
        user_setup
        local p out rc=0 d
        ubundle uweb serve
        p=$(free_port)
        d=$HOME1/.config/systemd/user/ctr@uweb.socket.d
        mkdir -p "$HOST_ROOT$d"
        printf '[Socket]\nListenStream=127.0.0.1:%s\nFileDescriptorName=web\n' "$p" >"$HOST_ROOT$d/listen.conf"
        host_run chown -R "$U1:" "$HOME1/.config"
        uctl daemon-reload
        out=$(uctl start ctr@uweb.socket 2>&1) || rc=$?
        assert_eq "systemctl --user start ctr@uweb.socket ($out)" 0 "$rc"
        assert_eq "the user's ctr@uweb.service before the first connection" inactive "$(ushow ctr@uweb.service ActiveState)"
        ask "$p" user
        assert_eq "the answer of the user's container" "user from run 1" "$ANSWER"
        assert_eq "the user's ctr@uweb.service" active "$(ushow ctr@uweb.service ActiveState)"
        local main nspid
        main=$(ushow ctr@uweb.service MainPID)
        assert_eq "the container's process runs as" "$U1" "$(host_run ps -o user= -p "$main")"
        nspid=$(host_run awk '/^NSpid:/ { print $NF }' "/proc/$main/status")
        assert_eq "LISTEN_FDS" 1 "$(sed -n 's/^listen_fds=//p' "$UB_DIR/shared/report")"
        assert_eq "LISTEN_FDNAMES" web "$(sed -n 's/^listen_fdnames=//p' "$UB_DIR/shared/report")"
        assert_eq "LISTEN_PID (the container process's own PID)" "$nspid" "$(sed -n 's/^listen_pid=//p' "$UB_DIR/shared/report")"
        assert_eq "the container's open fds" "0 1 2 3" "$(sed -n 's/^fds=//p' "$UB_DIR/shared/report")"
        uctl stop ctr@uweb.socket
        uctl stop ctr@uweb.service
        assert_eq "Result of the user's ctr@uweb.service after stop" success "$(ushow ctr@uweb.service Result)"
}

# The fd store under the user manager: a connection kept across `systemctl --user restart`.
t_user_fd_store() {
        user_setup
        local p out d
        ubundle ufs store
        "$PY" - "$UB_DIR/config.json" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    cfg = json.load(f)
cfg["annotations"] = {"org.ctr-launch.readiness": "container"}
with open(sys.argv[1], "w") as f:
    json.dump(cfg, f, indent=2)
EOF
        p=$(free_port)
        d=$HOME1/.config/systemd/user/ctr@ufs.socket.d
        mkdir -p "$HOST_ROOT$d"
        printf '[Socket]\nListenStream=127.0.0.1:%s\nFileDescriptorName=web\n' "$p" >"$HOST_ROOT$d/listen.conf"
        host_run chown -R "$U1:" "$HOME1/.config"
        uctl daemon-reload
        uctl start ctr@ufs.socket
        local sc="runuser -u $U1 -- env XDG_RUNTIME_DIR=$XDG1 DBUS_SESSION_BUS_ADDRESS=unix:path=$XDG1/bus systemctl --user"
        out=$(host_run timeout 150 "$CLIENT" across 127.0.0.1 "$p" \
                "test \"\$($sc show -p NFileDescriptorStore --value ctr@ufs.service)\" = 1" \
                "$sc restart ctr@ufs.service") || fail "the client across the restart failed: $out"
        assert_eq "the answers across the user's restart" "one from run 1
two from run 2
eof" "$out"
        assert_eq "run 2's LISTEN_FDNAMES" web:conn "$(sed -n 's/^listen_fdnames=//p' "$UB_DIR/shared/report")"
        uctl stop ctr@ufs.socket
        uctl stop ctr@ufs.service
}

# user_case FUNC: FUNC, then the user's leftovers checked and removed, whatever happened.
user_case() {
        local rc err_trap
        # A subshell, so that fail (exit) ends FUNC only; not in a || list, where bash would
        # ignore errexit inside it (as user-units.sh does).
        err_trap=$(trap -p ERR)
        trap - ERR
        set +e
        (
                eval "$err_trap"
                set -e
                "$@"
        )
        rc=$?
        (
                set -e
                user_cleanup
        ) || { [ "$rc" != 0 ] || rc=1; }
        set -e
        eval "$err_trap"
        return "$rc"
}

case_run activation t_activation
case_run container-readiness t_container_readiness
case_run host-network t_host_network
case_run fd-store-restart t_fd_store_restart
case_run fd-store-refused t_fd_store_refused
case_run user-activation user_case t_user_activation
case_run user-fd-store user_case t_user_fd_store
remove_dropins
sys_finish
