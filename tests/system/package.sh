#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 18, item 1: the Debian package, in a real systemd 252 (lib.sh) with real dpkg and apt.
# Builds ctr-launch_*.deb with `dpkg-buildpackage -us -uc -b` from a copy of the tree (what git
# tracks or would track: tracked and untracked files, not ignored ones; the whole source
# directory, less its meson build directories, when it is no git checkout), runs lintian on it
# (no error allowed), then in a test host that has no ctr-launch of meson's (HOST_INSTALL=none):
# `apt install ./ctr-launch_*.deb`, the files in their places and ctr-launch.socket enabled and
# active; ctr@demo, ctr@orphan and a container made by hand ("loose") started; an upgrade to a
# higher version (the same .deb repacked with a bumped Version: dpkg runs the real upgrade path),
# `apt remove`, and the reinstall, none of which stops, restarts or touches a container (same
# MainPID, same InvocationID) or the socket on upgrade; ctr@orphan stopped while the package is
# removed (systemd kills the container; nothing deletes its state, which stays until the next
# `systemctl start`, whose create --replace-stopped takes it over: case_stop_removed); clean
# stops; `apt purge` leaving nothing the package installed or made, but the admin's bundles.
# Each step is a case; a step whose predecessor failed is skipped. The containers live across
# cases, so "nothing left" is checked by the last case, not after each.
# Not for the VM suite's shared VM (it has meson's ctr-launch installed): alone, with
# CTR_TEST_HOST=vm, it boots a VM of its own.
# Usage: package.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck disable=SC2034 # lib.sh's knobs: no meson install; where the package puts it
HOST_INSTALL=none
HOST_CTR=/usr/bin/ctr-launch
sys_init "$@"
[ -z "${CTR_VM_ATTACH:-}" ] ||
        skip "package.sh installs ctr-launch itself: not in the suite's VM, which has meson's (run it alone with CTR_TEST_HOST=vm)"
for tool in dpkg-buildpackage dpkg-deb dpkg-parsechangelog dh lintian git; do
        command -v "$tool" >/dev/null ||
                hard_error "$tool not found: install the test packages (tools/lib.sh TEST_PACKAGES)"
done
host_boot "$BUILD_DIR"

PKG=$HOST_DIR/pkg             # the build, here
DEBS=/var/cache/ctr-test-deb  # the .debs, in the test host
LONG='trap "exit 0" TERM; while :; do sleep 0.2; done'
VERSION=$(meson introspect --projectinfo "$BUILD_DIR" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["version"])')
ARCH=$(dpkg --print-architecture)
UNITDIR=$(pkg-config --variable=systemdsystemunitdir systemd)
USERUNITDIR=$(pkg-config --variable=systemduserunitdir systemd)
TMPFILESDIR=$(pkg-config --variable=tmpfilesdir systemd)
[ -n "$UNITDIR" ] && [ -n "$USERUNITDIR" ] && [ -n "$TMPFILESDIR" ] || hard_error "no systemd.pc: install systemd"
COMPLETIONSDIR=$(pkg-config --variable=completionsdir bash-completion) ||
        hard_error "no bash-completion.pc: install bash-completion"

# ---------------------------------------------------------------- steps

# pkg_case NAME FUNC: case_run without its "nothing left" check and clean-up after each case
# (the containers must outlive the steps); FUNC's step is done if it passed. A step needing a
# previous one that did not pass is skipped (that one failed, or was not selected).
pkg_case() {
        local name=$1
        host_case_begin "$name" || return 0
        shift
        case_body true "$@"
        if [ "$CASE_RC" != 0 ]; then
                host_case_journal "$CASE_CURSOR" >&2
        elif [ -z "$CASE_SKIP" ]; then
                touch "$HOST_DIR/done.$name"
        fi
        case_record
}

needs() {
        local s
        for s in "$@"; do
                [ -e "$HOST_DIR/done.$s" ] || skip "step $s did not pass"
        done
}

# apt in the test host, offline: every dependency is there already (the test host is this
# machine, which has TEST_PACKAGES); no Recommends, which might want the network. Its output
# goes to a log, shown if it fails.
host_apt() {
        host_run env DEBIAN_FRONTEND=noninteractive apt "$@" -y --no-install-recommends \
                -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
                >"$HOST_DIR/apt.log" 2>&1 || {
                cat "$HOST_DIR/apt.log"
                fail "apt $* failed"
        }
        grep -E '^(E|W): ' "$HOST_DIR/apt.log" | grep -v 'does not have a stable CLI' | sed 's/^/apt: /' || true
}

pkg_status() {
        host_run dpkg-query -W -f='${Status} ${Version}' ctr-launch 2>/dev/null || echo "unknown"
}

prop() { # prop UNIT PROPERTY
        host_run systemctl show -p "$2" --value "$1"
}

# remember UNIT: its MainPID and InvocationID, for alive_as_before.
remember() {
        echo "$(prop "$1" MainPID) $(prop "$1" InvocationID)" >"$HOST_DIR/was.$1"
}

# alive_as_before WHEN: ctr@demo, ctr@orphan (unless stopped by now) and the hand-made one still
# run, untouched since `start`: same main process, same invocation of their units.
alive_as_before() {
        local u want got pid
        for u in ctr@demo.service ctr@orphan.service; do
                [ -e "$HOST_DIR/was.$u" ] || continue
                want=$(cat "$HOST_DIR/was.$u")
                assert_eq "$u $1: ActiveState" active "$(prop "$u" ActiveState)"
                got="$(prop "$u" MainPID) $(prop "$u" InvocationID)"
                assert_eq "$u $1: MainPID and InvocationID" "$want" "$got"
                host_run kill -0 "${got%% *}" || fail "$u $1: its main process ${got%% *} is gone"
        done
        pid=$(cat "$HOST_DIR/was.loose")
        host_run kill -0 "$pid" || fail "the hand-made container $1: its process $pid is gone"
        assert_eq "the hand-made container $1: its state's pid" "$pid" "$(host_pid_of_state loose)"
}

# The container's pid as its state.json says, read directly (ctr-launch may be uninstalled).
host_pid_of_state() {
        host_run cat "/run/ctr-launch/$1/state.json" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["pid"])'
}

socket_up() { # socket_up WHEN: ctr-launch.socket enabled and listening
        assert_eq "ctr-launch.socket $1: is-enabled" enabled "$(host_run systemctl is-enabled ctr-launch.socket || true)"
        assert_eq "ctr-launch.socket $1: ActiveState" active "$(prop ctr-launch.socket ActiveState)"
        host_run test -S /run/ctr-launch-control.sock || fail "ctr-launch.socket $1: no /run/ctr-launch-control.sock"
}

# ---------------------------------------------------------------- cases

# The tree, copied, then dpkg-buildpackage in the copy; the upgrade's .deb is the same one
# repacked with a higher Version.
case_build() {
        local src=$PKG/ctr-launch n deb changelog_version
        mkdir -p "$src"
        if [ "$(git -C "$SRC" rev-parse --show-toplevel 2>/dev/null)" = "$SRC" ]; then
                note "the tree: git ls-files of $SRC (tracked and untracked, not ignored)"
                # A tracked file deleted in the work tree is not there to copy: skipped.
                git -C "$SRC" ls-files -z --cached --others --exclude-standard |
                        tar -C "$SRC" --null --no-recursion --ignore-failed-read -T - -cf - 2>/dev/null |
                        tar -C "$src" -xf -
        else
                note "the tree: $SRC (no git checkout), less its meson build directories"
                for n in "$SRC"/* "$SRC"/.[!.]*; do
                        [ -e "$n" ] || continue
                        [ -d "$n/meson-private" ] || cp -a "$n" "$src/"
                done
        fi
        [ -f "$src/debian/rules" ] || fail "no debian/rules in the copy of the tree"
        changelog_version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
        assert_eq "debian/changelog's upstream version (meson.build's project version)" \
                "$VERSION" "${changelog_version%-*}"
        (cd "$src" && dpkg-buildpackage -us -uc -b) >"$PKG/build.log" 2>&1 || {
                tail -n 80 "$PKG/build.log"
                fail "dpkg-buildpackage -us -uc -b failed (log above)"
        }
        note "$(grep -E '^(Ok|Fail|Skipped):' "$PKG/build.log" | tr -s ' ' | tr '\n' ' ')(dh_auto_test: meson test --suite unit)"
        deb=$PKG/ctr-launch_${changelog_version}_$ARCH.deb
        [ -f "$deb" ] || fail "no $(basename "$deb"); made: $(cd "$PKG" && echo *.deb)"
        # The upgrade: the same files, a higher version.
        V1=$changelog_version
        V2=$V1+upgrade1
        dpkg --compare-versions "$V2" gt "$V1" || fail "$V2 is not above $V1"
        dpkg-deb -R "$deb" "$PKG/repack"
        sed -i "s/^Version: .*/Version: $V2/" "$PKG/repack/DEBIAN/control"
        dpkg-deb --root-owner-group -b "$PKG/repack" "$PKG/ctr-launch_${V2}_$ARCH.deb" >/dev/null
        mkdir -p "$HOST_ROOT$DEBS"
        cp "$deb" "$PKG/ctr-launch_${V2}_$ARCH.deb" "$HOST_ROOT$DEBS/"
        chmod 0755 "$HOST_ROOT$DEBS"
        chmod 0644 "$HOST_ROOT$DEBS"/*.deb
        printf 'V1=%q\nV2=%q\n' "$V1" "$V2" >"$HOST_DIR/versions"
}

# lintian on the .changes: the .deb, its -dbgsym and the .buildinfo. Errors fail; warnings are
# listed (notes, in the log).
case_lintian() {
        needs build
        local changes rc=0
        changes=$(echo "$PKG"/ctr-launch_*_"$ARCH".changes)
        [ -f "$changes" ] || fail "no .changes in $PKG"
        lintian --fail-on error --tag-display-limit 0 "$changes" >"$PKG/lintian.log" 2>&1 || rc=$?
        grep -E '^[EWI]: ' "$PKG/lintian.log" | sed 's/^/lintian: /' || true
        if [ "$rc" != 0 ] || grep -q '^E: ' "$PKG/lintian.log"; then
                cat "$PKG/lintian.log"
                fail "lintian reports errors (exit $rc)"
        fi
}

case_install() {
        needs build
        source "$HOST_DIR/versions"
        # No ctr-launch of any other origin in the test host.
        host_fails sh -c 'command -v ctr-launch' || fail "the test host has a ctr-launch before the install"
        assert_eq "the package before the install" no \
                "$(host_run dpkg-query -W -f='${Status}' ctr-launch 2>/dev/null | grep -q 'ok installed' && echo yes || echo no)"
        # The directories are tmpfiles.d's to make: gone before (the bundle directory lib.sh made).
        rm -rf --one-file-system "${HOST_ROOT:?}/var/lib/ctr-launch"
        host_fails test -e /run/ctr-launch || fail "/run/ctr-launch exists before the install"
        # A booted host starts and stops services: no policy-rc.d of a container image (Docker's
        # exits 101, "never"), which would keep deb-systemd-invoke from doing either.
        if [ -e "$HOST_ROOT/usr/sbin/policy-rc.d" ]; then
                note "removed this machine's /usr/sbin/policy-rc.d from the test host"
                rm -f "$HOST_ROOT/usr/sbin/policy-rc.d"
        fi
        host_apt install "$DEBS/ctr-launch_${V1}_$ARCH.deb"
        assert_eq "the package after the install" "install ok installed $V1" "$(pkg_status)"
}

case_files() {
        needs install
        local f list
        list=$(host_run dpkg -L ctr-launch)
        for f in /usr/bin/ctr-launch "$UNITDIR/ctr@.service" "$UNITDIR/ctr-launch.service" \
                "$UNITDIR/ctr-launch.socket" "$USERUNITDIR/ctr@.service" \
                /usr/share/polkit-1/actions/org.ctr-launch.policy /usr/share/polkit-1/rules.d/10-ctr-launch.rules \
                /etc/pam.d/ctr-launch "$TMPFILESDIR/ctr-launch.conf" "$COMPLETIONSDIR/ctr-launch" \
                /usr/share/man/man8/ctr-launch.8.gz /usr/share/man/man8/ctr@.service.8.gz; do
                grep -qxF "$f" <<<"$list" || fail "dpkg -L ctr-launch does not list $f"
                host_run test -f "$f" || fail "$f is not in the test host"
        done
        host_run test -x /usr/bin/ctr-launch || fail "/usr/bin/ctr-launch is not executable"
        assert_contains "ctr-launch --version" "$(host_ctr --version)" "$VERSION"
        host_run grep -qxF "ExecStart=/usr/bin/ctr-launch start -- %i" "$UNITDIR/ctr@.service" ||
                fail "$UNITDIR/ctr@.service does not run /usr/bin/ctr-launch"
        assert_contains "the package's conffiles" "$(host_run dpkg-query -W -f='${Conffiles}' ctr-launch)" \
                "/etc/pam.d/ctr-launch "
        socket_up "after the install"
        assert_eq "/run/ctr-launch (tmpfiles.d)" "700 root root" "$(host_run stat -c '%a %U %G' /run/ctr-launch)"
        assert_eq "/var/lib/ctr-launch (tmpfiles.d)" "755 root root" "$(host_run stat -c '%a %U %G' /var/lib/ctr-launch)"
        # The way in for non-root admins answers: nobody's list goes through the socket, which
        # starts ctr-launch.service from the package's binary, which asks polkitd, which reads
        # the package's actions and says no.
        local out
        if out=$(host_run runuser -u nobody -- /usr/bin/ctr-launch --system list --quiet 2>&1); then
                fail "nobody's ctr-launch --system list was allowed: $out"
        fi
        assert_contains "nobody's ctr-launch --system list" "$out" "polkit denied org.ctr-launch.container.manage"
        assert_contains "ctr-launch.service's command" "$(prop ctr-launch.service ExecStart)" "path=/usr/bin/ctr-launch "
}

case_start() {
        needs install
        host_make_bundle demo sh -c "$LONG"
        host_copy_bundle demo orphan
        host_copy_bundle demo loose
        host_watch_unit ctr@demo.service
        host_watch_unit ctr@orphan.service
        host_run systemctl start ctr@demo ctr@orphan
        remember ctr@demo.service
        remember ctr@orphan.service
        remember ctr-launch.socket
        # By hand: create and start, no unit (its stdio: not our pipes, which it would hold).
        host_run sh -c "$HOST_CTR create --bundle $HOST_BUNDLES/loose loose </dev/null >/dev/null 2>&1" ||
                fail "create loose failed"
        host_ctr start loose
        host_pid_of_state loose >"$HOST_DIR/was.loose"
        alive_as_before "after start"
}

case_upgrade() {
        needs start
        source "$HOST_DIR/versions"
        host_watch_unit ctr@demo.service
        host_apt install "$DEBS/ctr-launch_${V2}_$ARCH.deb"
        assert_eq "the package after the upgrade" "install ok installed $V2" "$(pkg_status)"
        grep -q "over ($V1)" "$HOST_DIR/apt.log" || fail "apt did not upgrade over $V1"
        alive_as_before "after the upgrade"
        socket_up "after the upgrade"
        # Not restarted: the same invocation (a restart would have stopped ctr-launch.service
        # too, and cut its requests).
        assert_eq "ctr-launch.socket's InvocationID after the upgrade" \
                "$(cut -d' ' -f2 "$HOST_DIR/was.ctr-launch.socket")" "$(prop ctr-launch.socket InvocationID)"
}

case_remove() {
        needs upgrade
        host_watch_unit ctr@demo.service
        host_apt remove ctr-launch
        assert_contains "the package after apt remove" "$(pkg_status)" "deinstall ok config-files"
        host_fails test -e /usr/bin/ctr-launch || fail "/usr/bin/ctr-launch is still there"
        host_run test -f /etc/pam.d/ctr-launch || fail "apt remove took the conffile /etc/pam.d/ctr-launch"
        assert_eq "ctr-launch.socket after apt remove" inactive "$(prop ctr-launch.socket ActiveState)"
        host_fails test -e /run/ctr-launch-control.sock || fail "/run/ctr-launch-control.sock left"
        host_fails test -e /run/ctr-launch-serve || fail "/run/ctr-launch-serve left"
        alive_as_before "after apt remove"
}

# What stopping a ctr@ unit does while the package is removed. dpkg's daemon-reload dropped the
# unit's file, so systemd keeps the running unit ("not-found") but no longer its settings: no
# ExecStopPost= (its ctr-launch is gone anyway), KillMode=control-group. The stop kills every
# process of the container and succeeds; the container's state stays in /run/ctr-launch (a
# stopped container), which the next `systemctl start` after a reinstall takes over (create
# --replace-stopped; case_stop) or `ctr-launch delete` removes (or a reboot: /run is a tmpfs).
case_stop_removed() {
        needs remove
        local pid
        host_watch_unit ctr@orphan.service
        assert_eq "ctr@orphan with ctr-launch removed: LoadState" not-found "$(prop ctr@orphan LoadState)"
        pid=$(cut -d' ' -f1 "$HOST_DIR/was.ctr@orphan.service")
        host_run systemctl stop ctr@orphan
        rm -f "$HOST_DIR/was.ctr@orphan.service"
        assert_eq "ctr@orphan stopped with ctr-launch removed" "inactive success" \
                "$(prop ctr@orphan ActiveState) $(prop ctr@orphan Result)"
        host_fails sh -c "kill -0 $pid 2>/dev/null" || fail "ctr@orphan's container ($pid) still runs"
        host_run test -f /run/ctr-launch/orphan/state.json || fail "ctr@orphan left no state (the case expects it)"
        alive_as_before "after ctr@orphan stopped"
}

case_reinstall() {
        needs remove
        source "$HOST_DIR/versions"
        host_watch_unit ctr@demo.service
        host_apt install "$DEBS/ctr-launch_${V2}_$ARCH.deb"
        assert_eq "the package after the reinstall" "install ok installed $V2" "$(pkg_status)"
        socket_up "after the reinstall"
        alive_as_before "after the reinstall"
}

case_stop() {
        needs reinstall
        host_watch_unit ctr@demo.service
        host_watch_unit ctr@orphan.service
        host_run systemctl stop ctr@demo
        assert_eq "ctr@demo after stop" "inactive success" "$(prop ctr@demo ActiveState) $(prop ctr@demo Result)"
        host_fails test -e /run/ctr-launch/demo || fail "ctr@demo's state left after a clean stop"
        rm -f "$HOST_DIR/was.ctr@demo.service"
        # The orphan's stale state is taken over by the next start (create --replace-stopped).
        if [ -e "$HOST_DIR/done.stop_removed" ]; then
                host_run systemctl start ctr@orphan
                assert_eq "ctr@orphan started again" active "$(prop ctr@orphan ActiveState)"
        fi
        host_run systemctl stop ctr@orphan
        assert_eq "ctr@orphan after stop" "inactive success" "$(prop ctr@orphan ActiveState) $(prop ctr@orphan Result)"
        host_ctr delete --force loose
        assert_eq "state left in /run/ctr-launch" "" "$(host_run ls -A /run/ctr-launch)"
}

case_purge() {
        needs stop
        local f left=() bundles_before
        host_run dpkg -L ctr-launch >"$HOST_DIR/dpkg-L"
        bundles_before=$(host_run sh -c 'cd /var/lib/ctr-launch && find . | sort && cat */config.json | md5sum')
        for f in ctr@demo.service ctr@orphan.service ctr-launch.socket ctr-launch.service; do
                host_watch_unit "$f"
        done
        host_apt purge ctr-launch
        assert_eq "the package after apt purge" unknown \
                "$(host_run dpkg-query -W -f='${Status}' ctr-launch 2>/dev/null | grep -q 'ok installed\|config-files' && echo left || echo unknown)"
        # What dpkg installed: every file gone; a directory gone or another package's.
        while IFS= read -r f; do
                [ -n "$f" ] && [ "$f" != /. ] || continue
                if host_run test -d "$f"; then
                        # Another package's, or the system's (/lib -> usr/lib on merged /usr).
                        host_run test -L "$f" || host_run dpkg -S "$f" >/dev/null 2>&1 || left+=("$f (directory)")
                elif host_run test -e "$f" || host_run test -L "$f"; then
                        left+=("$f")
                fi
        done <"$HOST_DIR/dpkg-L"
        # What install and its units made.
        for f in /etc/pam.d/ctr-launch /run/ctr-launch /run/ctr-launch-control.sock /run/ctr-launch-serve \
                /etc/systemd/system/sockets.target.wants/ctr-launch.socket; do
                host_fails test -e "$f" || left+=("$f")
        done
        # dpkg's own files of the package, and deb-systemd-helper's state of the socket.
        mapfile -t -O ${#left[@]} left < <(host_run sh -c 'ls -d /var/lib/dpkg/info/ctr-launch.* \
                /var/lib/systemd/deb-systemd-helper-enabled/*ctr-launch* \
                /var/lib/systemd/deb-systemd-helper-enabled/*/*ctr-launch* 2>/dev/null' || true)
        [ ${#left[@]} = 0 ] || fail "left after apt purge: ${left[*]}"
        assert_eq "ctr-launch.socket after apt purge: LoadState" not-found "$(prop ctr-launch.socket LoadState)"
        # The admin's bundles, and so their directory, are kept as they were.
        assert_eq "/var/lib/ctr-launch after apt purge" "$bundles_before" \
                "$(host_run sh -c 'cd /var/lib/ctr-launch && find . | sort && cat */config.json | md5sum')"
        host_assert_nothing_left
}

pkg_case "build" case_build
pkg_case "lintian" case_lintian
pkg_case "install" case_install
pkg_case "files" case_files
pkg_case "start" case_start
pkg_case "upgrade" case_upgrade
pkg_case "remove" case_remove
pkg_case "stop_removed" case_stop_removed
pkg_case "reinstall" case_reinstall
pkg_case "stop" case_stop
pkg_case "purge" case_purge
sys_finish
