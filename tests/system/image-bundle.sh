#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# From an OCI image to `systemctl start ctr@app` (docs/images.md), offline: an image made here at
# test time from Debian's static busybox with umoci, exported with skopeo as an oci-archive
# file, turned into /var/lib/ctr-launch/app in the booted test host by the recipe of
# docs/images.md, extracted from the page and run there as it is written.
# Usage: image-bundle.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
sys_init "$@"

DOC=$(dirname "$0")/../../docs/images.md
for tool in umoci skopeo jq; do
        command -v "$tool" >/dev/null ||
                hard_error "$tool not found: install the test packages (tools/lib.sh TEST_PACKAGES)"
done
[ -f "$DOC" ] || hard_error "$DOC missing"

host_boot "$BUILD_DIR"

# ---------------------------------------------------------------- the image, made here

IMAGES=$HOST_DIR/images # the OCI layout and the unpacked trees, on this machine
WORK=/root/ctr-image-test # in the test host: the recipe as a file, and images/
ARCHIVES=$WORK/images     # the oci-archive files

# The payload: says what it runs as, then waits; QUIT and TERM say which came and end it (a
# PID 1 without a handler would ignore them).
ENTRY='#!/bin/sh
trap "echo app: got SIGQUIT; exit 0" QUIT
trap "echo app: got SIGTERM; exit 0" TERM
echo "app: version=$(cat /app/version) args=$* uid=$(id -u) gid=$(id -g) groups=$(id -G) cwd=$(pwd) greeting=$GREETING data=$(awk "\$2 == \"/data\" { print \$3 }" /proc/mounts)"
while :; do sleep 1 & wait; done
'

# image_make: tags v1, v2 and v3 in an OCI layout, each exported to $ARCHIVES/app-vN.tar.
#   v1  busybox, /app/entry, user app (1000, also in group extra 2000), entrypoint /app/entry,
#       cmd "serve v1", GREETING=hello, working dir /srv/app, volume /data, stop signal SIGQUIT
#   v2  /app/version 2, cmd "serve v2", GREETING=hi-again, no stop signal
#   v3  v1 with an entrypoint that is not in the image: a version that cannot start
image_make() {
        local l=$IMAGES/layout w=$IMAGES/work r
        mkdir -p "$IMAGES"
        umoci init --layout "$l"
        umoci new --image "$l:v1"
        umoci unpack --image "$l:v1" "$w"
        r=$w/rootfs
        make_rootfs_template "$r"
        printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n' >"$r/etc/passwd"
        printf 'root:x:0:\napp:x:1000:\nextra:x:2000:app\n' >"$r/etc/group"
        mkdir -p "$r/app" "$r/srv/app" "$r/home/app"
        chown 1000:1000 "$r/home/app"
        printf '%s' "$ENTRY" >"$r/app/entry"
        chmod 0755 "$r/app/entry"
        echo 1 >"$r/app/version"
        umoci repack --image "$l:v1" "$w"
        umoci config --image "$l:v1" --config.entrypoint /app/entry \
                --config.cmd serve --config.cmd v1 --config.env GREETING=hello \
                --config.user app --config.workingdir /srv/app --config.volume /data \
                --config.stopsignal SIGQUIT

        # v2 from v1 as it is now, configured: a new layer on it.
        rm -rf "$w"
        umoci unpack --image "$l:v1" "$w"
        echo 2 >"$r/app/version"
        umoci repack --image "$l:v2" "$w"
        umoci config --image "$l:v2" --config.cmd serve --config.cmd v2 \
                --config.env GREETING=hi-again --config.stopsignal ""

        umoci config --image "$l:v1" --tag v3 --config.entrypoint /app/missing

        mkdir -p "$HOST_ROOT$ARCHIVES"
        local v
        for v in v1 v2 v3; do
                skopeo copy --quiet "oci:$l:$v" "oci-archive:$HOST_ROOT$ARCHIVES/app-$v.tar"
        done
}
image_make >"$HOST_DIR/image-make.log" 2>&1 || {
        cat "$HOST_DIR/image-make.log" >&2
        hard_error "making the test images with umoci and skopeo failed"
}

# The recipe: the fenced block after the marker line of docs/images.md, as it is written there.
awk '/^<!-- tests\/system\/image-bundle.sh runs the next block/ { armed = 1; next }
     armed && /^```sh$/ { inside = 1; next }
     inside && /^```$/ { exit }
     inside { print }' "$DOC" >"$HOST_ROOT$WORK/ctr-image.sh"
grep -q 'umoci unpack' "$HOST_ROOT$WORK/ctr-image.sh" ||
        hard_error "no recipe found in $DOC after its marker line"

# ---------------------------------------------------------------- helpers

show() { # show UNIT PROPERTY
        host_run systemctl show -p "$2" --value "$1"
}

unit_inactive() {
        [ "$(show ctr@app ActiveState)" = inactive ]
}

journal_cursor() {
        host_journal_cursor
}

# journal_since CURSOR [PRIORITY]: the messages of ctr@app since CURSOR (lib.sh).
journal_since() {
        host_journal_since "$1" ctr@app.service "${2:-7}"
}

journal_has() { # journal_has CURSOR TEXT
        journal_since "$1" | grep -qF -- "$2"
}

# recipe VERSION|IMAGE: runs the recipe in the test host as docs/images.md says, for NAME=app;
# RC, OUT (stdout), ERR (stderr). An image given as v1, v2, v3 is that archive.
recipe() {
        local image=$1
        case $image in v[0-9]) image=oci-archive:$ARCHIVES/app-$image.tar ;; esac
        RC=0
        host_run env NAME=app IMAGE="$image" timeout 300 sh "$WORK/ctr-image.sh" \
                >"$HOST_DIR/recipe.out" 2>"$HOST_DIR/recipe.err" || RC=$?
        OUT=$(cat "$HOST_DIR/recipe.out")
        ERR=$(cat "$HOST_DIR/recipe.err")
}

# install VERSION: the recipe succeeds and the version's payload runs; CURSOR is the journal
# before it.
install() {
        host_watch_unit ctr@app.service
        CURSOR=$(journal_cursor)
        recipe "$1"
        assert_eq "the recipe with app-$1.tar: exit status (stderr: $ERR)" 0 "$RC"
        wait_for "app $1's payload to say what it runs as" journal_has "$CURSOR" "app: version="
}

# Nothing of the recipe's own left: the bundle alone in /var/lib/ctr-launch, no layout.
assert_recipe_clean() {
        assert_eq "/var/lib/ctr-launch after the recipe" app "$(host_run ls -A /var/lib/ctr-launch | tr '\n' ' ' | sed 's/ $//')"
        assert_eq "the bundle's files" "config.json rootfs" "$(host_run ls -A /var/lib/ctr-launch/app | tr '\n' ' ' | sed 's/ $//')"
        assert_eq "the recipe's OCI layouts left in /var/tmp" "" "$(host_run sh -c 'ls -d /var/tmp/ctr-image.* 2>/dev/null || true')"
}

# Warning lines (and worse) of the unit since CURSOR: create's stop-signal lines among them.
# Everything logged before is in the journal once `journalctl --sync` returns, so that "none"
# means none and not "none yet".
unit_warnings() {
        host_run journalctl --sync
        journal_since "$1" 4
}

# Removes the bundle and the drop-in the recipe made: each case starts from none.
image_case_reset() {
        rm -rf --one-file-system "$HOST_ROOT/var/lib/ctr-launch/app" "$HOST_ROOT/var/lib/ctr-launch/.app.old" \
                "$HOST_ROOT/var/lib/ctr-launch/.app.new" "$HOST_ROOT/etc/systemd/system/ctr@app.service.d"
        host_run systemctl daemon-reload
}

# ---------------------------------------------------------------- cases

# The first version: the image's entrypoint and command, environment, user, working directory,
# volume and stop signal, as the unit runs them.
t_install() {
        image_case_reset
        install v1
        assert_recipe_clean
        assert_eq "ActiveState of ctr@app" active "$(show ctr@app ActiveState)"
        assert_eq "what the payload says" \
                "app: version=1 args=serve v1 uid=1000 gid=1000 groups=1000 2000 cwd=/srv/app greeting=hello data=tmpfs" \
                "$(journal_since "$CURSOR" | grep '^app: version=')"

        # The same from the host's side: the unit's main process is the entrypoint.
        local main status environ
        main=$(show ctr@app MainPID)
        [ "$main" != 0 ] || fail "ctr@app has no main process"
        status=$(host_run cat "/proc/$main/status")
        assert_eq "Uid: of the main process" "$(printf 'Uid:\t1000\t1000\t1000\t1000')" "$(grep '^Uid:' <<<"$status")"
        assert_eq "Gid: of the main process" "$(printf 'Gid:\t1000\t1000\t1000\t1000')" "$(grep '^Gid:' <<<"$status")"
        assert_contains "Groups: of the main process" "$(grep '^Groups:' <<<"$status")" 2000
        # umoci's capabilities, ambient too (AUDIT_WRITE, KILL, NET_BIND_SERVICE), as runc
        # gives them to a non-root user; and no new privileges.
        assert_eq "CapAmb: of the main process" "$(printf 'CapAmb:\t0000000020000420')" "$(grep '^CapAmb:' <<<"$status")"
        assert_eq "CapBnd: of the main process" "$(printf 'CapBnd:\t0000000020000420')" "$(grep '^CapBnd:' <<<"$status")"
        assert_eq "NoNewPrivs: of the main process" "$(printf 'NoNewPrivs:\t1')" "$(grep '^NoNewPrivs:' <<<"$status")"
        assert_contains "the main process's command line" "$(host_run cat "/proc/$main/cmdline" | tr '\0' ' ')" \
                "/app/entry serve v1"
        environ=$(host_run cat "/proc/$main/environ" | tr '\0' '\n')
        assert_contains "the main process's environment" "$environ" GREETING=hello
        assert_contains "the main process's environment" "$environ" HOME=/home/app
        assert_eq "the main process's working directory, from inside" /srv/app \
                "$(host_run "$HOST_CTR" exec app readlink /proc/1/cwd)"
        # umoci's network namespace: the container's own, not the host's.
        [ "$(host_run readlink "/proc/$main/ns/net")" != "$(host_run readlink /proc/1/ns/net)" ] ||
                fail "the container shares the host's network namespace"

        # The stop signal: the recipe's drop-in, so create does not warn, and stop sends it.
        assert_eq "the recipe's drop-in" "$(printf '[Service]\nKillSignal=SIGQUIT')" \
                "$(cat "$HOST_ROOT/etc/systemd/system/ctr@app.service.d/image.conf")"
        assert_eq "KillSignal of ctr@app" 3 "$(show ctr@app KillSignal)"
        assert_eq "warnings of ctr@app's start" "" "$(unit_warnings "$CURSOR")"
        host_run timeout 60 systemctl stop ctr@app
        assert_eq "Result of ctr@app after the stop" success "$(show ctr@app Result)"
        wait_for "the payload to get SIGQUIT" journal_has "$CURSOR" "app: got SIGQUIT"
}

# Without the recipe's drop-in, create names the one to write, and systemd stops with SIGTERM.
t_stop_signal_warning() {
        image_case_reset
        install v1
        host_run timeout 60 systemctl stop ctr@app
        rm "$HOST_ROOT/etc/systemd/system/ctr@app.service.d/image.conf"
        host_run systemctl daemon-reload
        local cursor
        cursor=$(journal_cursor)
        host_run timeout 60 systemctl start ctr@app
        assert_eq "create's warning" \
                "ctr-launch: app: ctr@app.service stops with SIGTERM, the image asks for SIGQUIT: set KillSignal=SIGQUIT in a drop-in (systemctl edit ctr@app.service)" \
                "$(unit_warnings "$cursor")"
        host_run timeout 60 systemctl stop ctr@app
        wait_for "the payload to get SIGTERM" journal_has "$cursor" "app: got SIGTERM"
}

# A second version replaces the first: its command, environment and files; no stop signal (umoci
# writes the annotation empty), so no drop-in, no warning, and root's `kill` sends SIGTERM.
t_update() {
        image_case_reset
        install v1
        local cursor
        cursor=$(journal_cursor)
        recipe v2
        assert_eq "the recipe with app-v2.tar: exit status (stderr: $ERR)" 0 "$RC"
        assert_recipe_clean
        wait_for "v2's payload" journal_has "$cursor" "app: version=2"
        assert_eq "what v2's payload says" \
                "app: version=2 args=serve v2 uid=1000 gid=1000 groups=1000 2000 cwd=/srv/app greeting=hi-again data=tmpfs" \
                "$(journal_since "$cursor" | grep '^app: version=')"
        assert_contains "v1 stopped by the update with its own stop signal" "$(journal_since "$CURSOR")" "app: got SIGQUIT"
        assert_eq "the drop-in of v1's stop signal after the update" no \
                "$([ -e "$HOST_ROOT/etc/systemd/system/ctr@app.service.d/image.conf" ] && echo yes || echo no)"
        assert_eq "KillSignal of ctr@app" 15 "$(show ctr@app KillSignal)"
        assert_eq "the stop-signal annotation umoci wrote" "" \
                "$(jq -r '.annotations["org.opencontainers.image.stopSignal"]' "$HOST_ROOT/var/lib/ctr-launch/app/config.json")"
        assert_eq "warnings of ctr@app's start with v2" "" "$(unit_warnings "$cursor")"
        RC=0
        OUT=$(host_ctr kill app 2>&1) || RC=$?
        assert_eq "ctr-launch kill app, without a signal ($OUT)" 0 "$RC"
        wait_for "the payload to get SIGTERM" journal_has "$cursor" "app: got SIGTERM"
        wait_for "ctr@app to end" unit_inactive
}

# An image that cannot be read: the recipe fails with one line and changes nothing.
t_bad_image() {
        image_case_reset
        install v1
        local main
        main=$(show ctr@app MainPID)
        recipe oci-archive:$ARCHIVES/missing.tar
        [ "$RC" != 0 ] || fail "the recipe with a missing archive succeeded"
        assert_eq "stderr lines of the recipe with a missing archive" 1 "$(grep -c '' <<<"$ERR")"
        assert_contains "the recipe's error" "$ERR" missing.tar
        assert_recipe_clean
        assert_eq "MainPID of ctr@app after the failed update (still v1's)" "$main" "$(show ctr@app MainPID)"
        host_run timeout 60 systemctl stop ctr@app
}

# A new version that cannot start: the recipe fails at the start, the old bundle waits in
# .app.old, and the way back docs/images.md gives runs the old version again.
t_failed_update() {
        image_case_reset
        install v1
        recipe v3
        [ "$RC" != 0 ] || fail "the recipe with an image whose entrypoint is missing succeeded"
        assert_contains "the recipe's error" "$ERR" "ctr@app.service"
        host_run test -d /var/lib/ctr-launch/.app.old || fail "no /var/lib/ctr-launch/.app.old after the failed start"
        host_run sh -c 'rm -rf /var/lib/ctr-launch/app && mv /var/lib/ctr-launch/.app.old /var/lib/ctr-launch/app'
        local cursor
        cursor=$(journal_cursor)
        host_run timeout 60 systemctl start ctr@app
        wait_for "v1's payload again" journal_has "$cursor" "app: version=1"
        assert_recipe_clean
        host_run timeout 60 systemctl stop ctr@app
        host_run systemctl reset-failed ctr@app 2>/dev/null || true
}

case_run install t_install
case_run stop-signal-warning t_stop_signal_warning
case_run update t_update
case_run bad-image t_bad_image
case_run failed-update t_failed_update
# The VM test host runs the next script on the same root.
image_case_reset
rm -rf "${HOST_ROOT:?}$WORK"
sys_finish
