#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Process attributes and basic isolation, as the container itself sees them (issue 2, section 5):
# args, env, cwd, user, umask, rlimits, noNewPrivileges, oomScoreAdj, the five capability sets,
# hostname, terminal and --console-socket, --no-pivot, the default mounts of `spec`, the /dev
# nodes and symlinks, bind mounts and their options (and a symlinked destination that points
# outside the rootfs), root.readonly, maskedPaths, readonlyPaths, new and joined namespaces.
# Every case runs a real container and asserts concrete values it prints.
# Usage: isolation.sh PATH-TO-ctr-launch (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
lib_init "$@"

# line_of KEY: the value after "KEY:" in $OUT (a /proc/self/status-like dump), blanks squeezed.
line_of() {
        printf '%s\n' "$OUT" | awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }'
}

# ---------------------------------------------------------------- process

t_args() {
        # Arguments reach the process one by one, spaces and quotes intact.
        mk_bundle b /bin/sh -c 'for a in "$@"; do echo "<$a>"; done' argv0 'one two' '' "it's" '$HOME'
        capture ctr run -b "$B" c1
        assert_rc 0 "run of a process with odd arguments"
        assert_eq "arguments as the process sees them" "<one two>
<>
<it's>
<\$HOME>" "$OUT"
}

t_env_path() {
        # A variable of process.env is visible (and only those: HOME is not inherited from us),
        # and the binary is found through the container's PATH, not the caller's.
        mkdir -p "$C/x"
        mk_bundle b
        mkdir -p "$B/rootfs/opt/tools"
        printf '#!/bin/sh\necho "tool ran with FOO=$FOO"\n' >"$B/rootfs/opt/tools/ctr-tool"
        chmod 0755 "$B/rootfs/opt/tools/ctr-tool"
        cfg "$B" set process.args '["ctr-tool"]' \
                set process.env "[\"PATH=/opt/tools:/bin\", \"FOO=bar baz\", \"CTR_TEST_MARK=$MARK\"]"
        capture env FOO=host-value PATH=/usr/bin:/bin timeout -k 5 30 "$CTR" --root "$ROOT" run -b "$B" c1
        assert_rc 0 "run of ctr-tool found through PATH=/opt/tools:/bin"
        assert_eq "output of /opt/tools/ctr-tool" "tool ran with FOO=bar baz" "$OUT"

        mk_bundle b2 /bin/sh -c 'env | sort'
        cfg "$B" set process.env "[\"PATH=/bin\", \"FOO=bar\", \"EMPTY=\", \"CTR_TEST_MARK=$MARK\"]"
        capture env HOME=/host-home LEAK=yes timeout -k 5 30 "$CTR" --root "$ROOT" run -b "$B" c2
        assert_rc 0 "run of env"
        # busybox sh adds PWD, SHLVL (and maybe OLDPWD) by itself; HOME is root's in the
        # container's /etc/passwd, as runc fills it, never the caller's.
        local got
        got=$(printf '%s\n' "$OUT" | grep -Ev '^(PWD|SHLVL|OLDPWD|_)=' | tr '\n' ' ')
        assert_eq "environment of the process" "CTR_TEST_MARK=$MARK EMPTY= FOO=bar HOME=/root PATH=/bin " "$got"

        # Not found through PATH: an error, not a hang.
        mk_bundle b3
        cfg "$B" set process.args '["no-such-tool"]'
        capture ctr run -b "$B" c3
        assert_fails "run of a binary that is not in PATH"
        assert_contains "error for a binary that is not in PATH" "$ERR" "no-such-tool"
}

t_cwd() {
        mk_bundle b /bin/sh -c 'pwd; echo here >rel-file'
        mkdir -p "$B/rootfs/srv/work dir"
        cfg "$B" set process.cwd '"/srv/work dir"'
        capture ctr run -b "$B" c1
        assert_rc 0 "run with cwd /srv/work dir"
        assert_eq "pwd" "/srv/work dir" "$OUT"
        [ "$(cat "$B/rootfs/srv/work dir/rel-file" 2>/dev/null)" = here ] ||
                fail "a relative file written by the process is not in the rootfs' /srv/work dir"
}

t_user() {
        run_in c1 'id -u; id -g; grep -E "^(Uid|Gid|Groups):" /proc/self/status' \
                set process.user '{"uid": 1000, "gid": 1001, "additionalGids": [5, 2000]}'
        local uid gid
        uid=$(printf '%s\n' "$OUT" | sed -n 1p) gid=$(printf '%s\n' "$OUT" | sed -n 2p)
        assert_eq "id -u" 1000 "$uid"
        assert_eq "id -g" 1001 "$gid"
        assert_eq "Uid: of /proc/self/status (real, effective, saved, fs)" "1000 1000 1000 1000" "$(line_of Uid | tr -s '\t ' ' ')"
        assert_eq "Gid: of /proc/self/status" "1001 1001 1001 1001" "$(line_of Gid | tr -s '\t ' ' ')"
        assert_eq "Groups: (additionalGids 5 and 2000, nothing else: not root's 0)" "5 2000" "$(line_of Groups | tr -s '\t ' ' ' | sed 's/ $//')"

        # No additionalGids: no supplementary group at all (in particular not the caller's 0).
        run_in c2 'grep -E "^Groups:" /proc/self/status' set process.user '{"uid": 1000, "gid": 1000}'
        assert_eq "Groups: without additionalGids" "" "$(line_of Groups | tr -d '\t ')"
}

t_umask() {
        local u
        for u in 0027:23 0077:63 0002:2; do
                run_in "c${u%%:*}" 'umask; touch /tmp/f; stat -c %a /tmp/f' set process.user.umask "${u#*:}"
                assert_eq "umask with process.user.umask ${u#*:} (octal ${u%%:*})" "${u%%:*}" "$(printf '%s\n' "$OUT" | sed -n 1p)"
                assert_eq "mode of a file created with umask ${u%%:*}" "$(printf '%o' $(( 0666 & ~8#${u%%:*} )))" "$(printf '%s\n' "$OUT" | sed -n 2p)"
        done
}

t_rlimits() {
        run_in c1 'ulimit -n; ulimit -Hn; ulimit -c; ulimit -Hc' \
                set process.rlimits '[{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 2048},
                                      {"type": "RLIMIT_CORE", "soft": 0, "hard": 4096}]'
        assert_eq "ulimit -n / -Hn / -c / -Hc (busybox counts core in 512-byte blocks)" "512 2048 0 8" "$(words "$OUT")"
        # A soft limit above the hard one is a configuration error, reported, and leaves nothing.
        mk_bundle b2
        cfg "$B" set process.rlimits '[{"type": "RLIMIT_NOFILE", "soft": 4096, "hard": 1024}]'
        capture ctr run -b "$B" c2
        assert_fails "run with RLIMIT_NOFILE soft 4096 > hard 1024"
        assert_one_error_line "RLIMIT_NOFILE soft > hard" 'rlimit|nofile|limit'
        [ ! -e "$ROOT/c2" ] || fail "a failed run left $ROOT/c2"
}

t_no_new_privs() {
        [ "$(awk '/^NoNewPrivs:/ {print $2}' /proc/self/status)" = 0 ] ||
                skip "the test runs with NoNewPrivs already set: cannot tell the container's apart"
        run_in c1 'grep ^NoNewPrivs: /proc/self/status' set process.noNewPrivileges true
        assert_eq "NoNewPrivs with noNewPrivileges true" 1 "$(line_of NoNewPrivs)"
        run_in c2 'grep ^NoNewPrivs: /proc/self/status' set process.noNewPrivileges false
        assert_eq "NoNewPrivs with noNewPrivileges false" 0 "$(line_of NoNewPrivs)"
}

t_oom_score_adj() {
        local mine
        mine=$(cat /proc/self/oom_score_adj)
        run_in c1 'cat /proc/self/oom_score_adj' set process.oomScoreAdj 500
        assert_eq "oom_score_adj with oomScoreAdj 500" 500 "$OUT"
        run_in c2 'cat /proc/self/oom_score_adj' set process.oomScoreAdj 1000
        assert_eq "oom_score_adj with oomScoreAdj 1000" 1000 "$OUT"
        # Not set: inherited from the caller.
        run_in c3 'cat /proc/self/oom_score_adj'
        assert_eq "oom_score_adj without oomScoreAdj (the caller's)" "$mine" "$OUT"
}

caps_dump='grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb):" /proc/self/status'

t_caps_root() {
        # Root: CAP_KILL (5) and CAP_NET_BIND_SERVICE (10) -> 0x420 in bounding, permitted,
        # effective; nothing inheritable or ambient.
        run_in c1 "$caps_dump" set process.capabilities \
                '{"bounding": ["CAP_KILL", "CAP_NET_BIND_SERVICE"], "effective": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
                  "permitted": ["CAP_KILL", "CAP_NET_BIND_SERVICE"], "inheritable": [], "ambient": []}'
        assert_eq CapBnd 0000000000000420 "$(line_of CapBnd)"
        assert_eq CapPrm 0000000000000420 "$(line_of CapPrm)"
        assert_eq CapEff 0000000000000420 "$(line_of CapEff)"
        assert_eq CapInh 0000000000000000 "$(line_of CapInh)"
        assert_eq CapAmb 0000000000000000 "$(line_of CapAmb)"

        # No capabilities at all: every set empty, and the effect shows (kill of a process
        # owned by another user needs CAP_KILL).
        run_in c2 "$caps_dump"'; touch /shared/x; chown 1:1 /shared/x 2>/dev/null && echo chown-ok || echo chown-denied' \
                set process.capabilities '{"bounding": [], "effective": [], "permitted": [], "inheritable": [], "ambient": []}'
        local k
        for k in CapBnd CapPrm CapEff CapInh CapAmb; do
                assert_eq "$k with every set empty" 0000000000000000 "$(line_of "$k")"
        done
        assert_contains "chown without CAP_CHOWN" "$OUT" chown-denied
}

t_caps_nonroot() {
        # A non-root user with five different sets: only the ambient capabilities survive the
        # execve (into permitted and effective), bounding and inheritable are as configured.
        # CAP_CHOWN 0 = 0x1, CAP_KILL 5 = 0x20, CAP_NET_BIND_SERVICE 10 = 0x400, CAP_NET_RAW 13.
        run_in c1 "$caps_dump" \
                set process.user '{"uid": 1000, "gid": 1000}' \
                set process.capabilities \
                '{"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
                  "permitted": ["CAP_KILL", "CAP_NET_BIND_SERVICE"], "effective": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
                  "inheritable": ["CAP_NET_BIND_SERVICE", "CAP_NET_RAW"], "ambient": ["CAP_NET_BIND_SERVICE"]}'
        assert_eq "CapBnd (chown, kill, net_bind_service, net_raw)" 0000000000002421 "$(line_of CapBnd)"
        assert_eq "CapInh (net_bind_service, net_raw)" 0000000000002400 "$(line_of CapInh)"
        assert_eq "CapAmb (net_bind_service)" 0000000000000400 "$(line_of CapAmb)"
        assert_eq "CapPrm (ambient after execve)" 0000000000000400 "$(line_of CapPrm)"
        assert_eq "CapEff (ambient after execve)" 0000000000000400 "$(line_of CapEff)"
}

t_hostname() {
        local host_before
        host_before=$(hostname)
        local domain_before
        domain_before=$(cat /proc/sys/kernel/domainname)
        run_in c1 'hostname; cat /proc/sys/kernel/hostname /proc/sys/kernel/domainname' \
                set hostname '"iso-host-1"' set domainname '"iso.example"'
        assert_eq "hostname, /proc/sys/kernel/hostname and domainname" "iso-host-1 iso-host-1 iso.example" "$(words "$OUT")"
        assert_eq "the host's hostname after the run" "$host_before" "$(hostname)"
        assert_eq "the host's domainname after the run" "$domain_before" "$(cat /proc/sys/kernel/domainname)"

        # A hostname without a new UTS namespace would rename the host: refused, clearly.
        mk_bundle b2 /bin/touch /shared/ran
        cfg "$B" delns uts set hostname '"iso-host-2"'
        capture ctr run -b "$B" c2
        assert_fails "run with a hostname and no uts namespace"
        assert_one_error_line "hostname without a uts namespace" 'uts|hostname'
        assert_eq "the host's hostname after the refused run" "$host_before" "$(hostname)"
        [ ! -e "$C/shared/ran" ] || fail "the process ran although the run was refused"

        mk_bundle b3 /bin/touch /shared/ran
        cfg "$B" delns uts set domainname '"iso.example"'
        capture ctr run -b "$B" c3
        assert_fails "run with a domainname and no uts namespace"
        assert_one_error_line "domainname without a uts namespace" 'uts|domainname'
        [ ! -e "$C/shared/ran" ] || fail "the process ran although the run was refused"
}

# ---------------------------------------------------------------- terminal

# start_receiver NAME: console.py listening on $C/NAME.sock, output in $C/NAME.out; sets RECV.
start_receiver() {
        "$PY" "$LIB_DIR/console.py" "$C/$1.sock" "$C/$1.out" 20 &
        RECV=$!
        wait_for "the console receiver to listen" test -e "$C/$1.out.ready"
}

t_terminal() {
        mk_bundle b /bin/sh -c 'tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo stdio-is-tty; echo hello; ls -l /dev/console'
        cfg "$B" set process.terminal true
        start_receiver r1
        capture ctr run --console-socket "$C/r1.sock" -b "$B" c1
        assert_rc 0 "run with terminal true and --console-socket"
        wait "$RECV" && RC=0 || RC=$?
        [ "$RC" = 0 ] || fail "console receiver exit $RC (2: no fd came, 3: the pty was never closed); info: $(cat "$C/r1.out.info" 2>/dev/null); read: $(cat "$C/r1.out" 2>/dev/null)"
        assert_eq "what the receiver got" "fds=1 isatty=1" "$(cat "$C/r1.out.info")"
        local got
        got=$(tr -d '\r' <"$C/r1.out")
        [ -z "$OUT" ] || fail "with a terminal, nothing should reach run's own stdout, got: $OUT"
        printf '%s\n' "$got" | grep -Eqx '/dev/console|/dev/pts/[0-9]+' || fail "tty inside: expected /dev/console or /dev/pts/N, got:
$got"
        assert_contains "output through the pty" "$got" stdio-is-tty
        assert_contains "output through the pty" "$got" hello
        # The OCI spec: with a terminal, /dev/console is the pty's slave (a char device 136:N).
        printf '%s\n' "$got" | grep -Eq '^c.* 136, +[0-9]+ .*/dev/console$' ||
                fail "/dev/console with a terminal: expected a char device 136:N, got:
$got"

        # create + start: the fd comes at create, the output after start.
        mk_bundle b2 /bin/sh -c 'echo after-start'
        cfg "$B" set process.terminal true
        start_receiver r2
        capture ctr create --console-socket "$C/r2.sock" -b "$B" c2
        assert_rc 0 "create with terminal true and --console-socket"
        wait_for "the pty master to reach the receiver at create" test -e "$C/r2.out.info"
        [ ! -s "$C/r2.out" ] || fail "output before start: $(cat "$C/r2.out")"
        capture ctr start c2
        assert_rc 0 "start of a container with a terminal"
        wait "$RECV" && RC=0 || RC=$?
        [ "$RC" = 0 ] || fail "console receiver exit $RC after start; read: $(cat "$C/r2.out" 2>/dev/null)"
        assert_eq "output after start, through the pty" after-start "$(tr -d '\r' <"$C/r2.out")"
        wait_for "c2 stopped" status_is c2 stopped
        ctr delete c2
}

t_terminal_needs_socket() {
        mk_bundle b /bin/touch /shared/ran
        cfg "$B" set process.terminal true
        capture ctr create -b "$B" c1
        assert_fails "create with terminal true and no --console-socket"
        assert_one_error_line "create with terminal true and no --console-socket" 'console-socket'
        [ ! -e "$ROOT/c1" ] || fail "the failed create left $ROOT/c1"
        # Detached too (`run` in the foreground relays the pty itself: terminal.sh).
        capture ctr run -d -b "$B" c2
        assert_fails "run -d with terminal true and no --console-socket"
        assert_one_error_line "run -d with terminal true and no --console-socket" 'console-socket'
        [ ! -e "$ROOT/c2" ] || fail "the failed run -d left $ROOT/c2"
        [ ! -e "$C/shared/ran" ] || fail "the process ran although the create failed"

        # A socket nobody listens on: a clear error too, and nothing left.
        capture ctr create --console-socket "$C/nobody.sock" -b "$B" c3
        assert_fails "create with a --console-socket nobody listens on"
        assert_one_error_line "create with a --console-socket nobody listens on" 'console|socket|nobody.sock'
        [ ! -e "$ROOT/c3" ] || fail "the failed create left $ROOT/c3"
}

# ---------------------------------------------------------------- rootfs

t_no_pivot() {
        mk_bundle b /bin/sh -c 'test -x /bin/busybox && echo busybox-here; cat /marker; test -e "$1" && echo host-visible; awk "\$5 == \"/\" {print \"root-mount\"}" /proc/self/mountinfo; echo ok >/shared/np; echo "ls: $(ls -A / | tr "\n" " ")"' sh "$C"
        echo "marker-$MARK" >"$B/rootfs/marker"
        capture ctr run --no-pivot -b "$B" c1
        assert_rc 0 "run --no-pivot"
        local lines
        lines=$(printf '%s\n' "$OUT")
        assert_contains "--no-pivot: /bin/busybox" "$lines" busybox-here
        assert_contains "--no-pivot: the marker in the rootfs" "$lines" "marker-$MARK"
        case $lines in *host-visible*) fail "--no-pivot: the host's $C is visible inside: $lines" ;; esac
        assert_contains "--no-pivot: a mount on / in mountinfo" "$lines" root-mount
        assert_eq "--no-pivot: /shared is writable" ok "$(cat "$C/shared/np")"
        # The listing of / is the rootfs', not the host's.
        assert_eq "--no-pivot: ls / inside (the rootfs')" "ls: $(ls -A "$B/rootfs" | tr '\n' ' ')" "$(printf '%s\n' "$OUT" | grep '^ls: ')"
}

# The mounts of `ctr-launch spec`, used as written (rootfs relative, root.readonly as spec
# says), plus the harness' marker and /shared.
t_spec_mounts() {
        B=$C/specb
        mkdir -p "$B" "$C/shared"
        capture "$CTR" spec --bundle "$B"
        assert_rc 0 "spec"
        cp -a "$T/rootfs-template" "$B/rootfs"
        cfg "$B" set process.args '["/bin/cat", "/proc/self/mountinfo"]' \
                append process.env "\"CTR_TEST_MARK=$MARK\""
        capture ctr run -b "$B" c1
        assert_rc 0 "run of the spec's config"
        printf '%s\n' "$OUT" >"$C/mountinfo"
        "$PY" - "$C/mountinfo" <<'EOF' || fail "mounts seen inside with the spec's config:
$OUT"
import sys
mounts = {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) < 10:
        continue
    sep = f.index("-")
    mounts[f[4]] = (f[sep + 1], set(f[5].split(",")), set(f[sep + 3].split(",")))  # last wins
want = {"/proc": "proc", "/dev": "tmpfs", "/dev/pts": "devpts", "/dev/shm": "tmpfs",
        "/dev/mqueue": "mqueue", "/sys": "sysfs"}
errors = []
for mp, fs in want.items():
    if mp not in mounts:
        errors.append(f"{mp}: not mounted")
    elif mounts[mp][0] != fs:
        errors.append(f"{mp}: type {mounts[mp][0]}, expected {fs}")
def ro(mp):
    return "ro" in mounts[mp][1]
if "/sys" in mounts and not ro("/sys"):
    errors.append(f"/sys: not read-only ({','.join(sorted(mounts['/sys'][1]))})")
cg = [mp for mp in mounts if mp == "/sys/fs/cgroup" or mp.startswith("/sys/fs/cgroup/")]
if "/sys/fs/cgroup" not in mounts:
    errors.append("/sys/fs/cgroup: not mounted")
elif mounts["/sys/fs/cgroup"][0] not in ("cgroup", "cgroup2", "tmpfs"):
    errors.append(f"/sys/fs/cgroup: type {mounts['/sys/fs/cgroup'][0]}")
for mp in cg:
    if not ro(mp):
        errors.append(f"{mp}: not read-only ({','.join(sorted(mounts[mp][1]))})")
if mounts.get("/sys/fs/cgroup", ("",))[0] == "tmpfs" and len(cg) < 2:
    errors.append("/sys/fs/cgroup is a tmpfs with no cgroup hierarchy under it")
for mp in ("/dev/shm", "/dev/mqueue", "/sys"):
    if mp in mounts:
        missing = {"nosuid", "nodev", "noexec"} - mounts[mp][1]
        if missing:
            errors.append(f"{mp}: missing {','.join(sorted(missing))}")
for mp in ("/dev", "/dev/pts"):
    if mp in mounts and "nosuid" not in mounts[mp][1]:
        errors.append(f"{mp}: missing nosuid")
if "/dev/pts" in mounts:
    so = mounts["/dev/pts"][2]
    for o in ("ptmxmode=666", "mode=620", "gid=5"):
        if o not in so:
            errors.append(f"/dev/pts: expected {o} in {','.join(sorted(so))}")
if "/" not in mounts or not ro("/"):
    errors.append("/: not read-only although spec writes root.readonly true")
for e in errors:
    print(e, file=sys.stderr)
sys.exit(1 if errors else 0)
EOF
        # Not the host's /sys: sysfs of the container's own network namespace has only lo.
        mk_bundle b2 /bin/ls /sys/class/net
        capture ctr run -b "$B" c2
        assert_rc 0 "ls /sys/class/net"
        assert_eq "/sys/class/net in a new network namespace" lo "$(words "$OUT")"
}

t_dev_nodes() {
        run_in c1 '
for n in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$n; done
for l in fd stdin stdout stderr ptmx; do echo "/dev/$l -> $(readlink /dev/$l)"; done
test -e /dev/console && echo console-present || echo console-absent
echo x >/dev/null && echo null-writable
test "$(head -c 4 /dev/zero | od -An -tx1 | tr -d " ")" = 00000000 && echo zero-reads-zeros
echo x 2>/dev/null >/dev/full && echo full-accepts || echo full-refuses
test "$(head -c 16 /dev/urandom | wc -c)" = 16 && echo urandom-reads
ls /dev/fd/ >/dev/null && echo fd-dir-works
exec 3<>/dev/ptmx && ls /dev/pts | grep -qx 0 && echo ptmx-opens'
        local want="/dev/null character special file 1:3 666
/dev/zero character special file 1:5 666
/dev/full character special file 1:7 666
/dev/random character special file 1:8 666
/dev/urandom character special file 1:9 666
/dev/tty character special file 5:0 666
/dev/fd -> /proc/self/fd
/dev/stdin -> /proc/self/fd/0
/dev/stdout -> /proc/self/fd/1
/dev/stderr -> /proc/self/fd/2
/dev/ptmx -> pts/ptmx
console-absent
null-writable
zero-reads-zeros
full-refuses
urandom-reads
fd-dir-works
ptmx-opens"
        [ "$OUT" = "$want" ] || fail "/dev as seen inside:
$(diff <(echo "$want") <(echo "$OUT") | sed 's/^</expected:/; s/^>/got:     /' | grep -E '^(expected|got)')"

        # Devices are created whatever the process' umask.
        run_in c2 'stat -c "%n %a" /dev/null /dev/tty' set process.user.umask 63
        assert_eq "modes of /dev/null and /dev/tty with umask 077" "/dev/null 666 /dev/tty 666" "$(words "$OUT")"
}

# ---------------------------------------------------------------- bind mounts

t_bind_mounts() {
        mk_bundle b /bin/sh -c '
cat /rel/file; cat /etc/bound-file
touch /ro/new 2>/dev/null && echo ro-writable || echo ro-refused
touch /rw/new && echo rw-writable
awk "\$5 == \"/ro\" || \$5 == \"/rw\" || \$5 == \"/opts\" || \$5 == \"/etc/bound-file\" {print \$5, \$6}" /proc/self/mountinfo | sort
/opts/run.sh 2>/dev/null && echo opts-exec || echo opts-noexec
test -u /opts/suid && echo suid-bit-kept'
        mkdir -p "$B/reldir" "$C/ro" "$C/rw" "$C/opts"
        echo "relative-$MARK" >"$B/reldir/file"
        echo "file-bind-$MARK" >"$C/hostfile"
        printf '#!/bin/sh\necho ran\n' >"$C/opts/run.sh"
        chmod 0755 "$C/opts/run.sh"
        touch "$C/opts/suid" && chmod 4755 "$C/opts/suid"
        cfg "$B" append mounts '{"destination": "/rel", "type": "bind", "source": "reldir", "options": ["rbind"]}' \
                append mounts "{\"destination\": \"/etc/bound-file\", \"type\": \"bind\", \"source\": \"$C/hostfile\", \"options\": [\"bind\"]}" \
                append mounts "{\"destination\": \"/ro\", \"type\": \"bind\", \"source\": \"$C/ro\", \"options\": [\"rbind\", \"ro\"]}" \
                append mounts "{\"destination\": \"/rw\", \"type\": \"bind\", \"source\": \"$C/rw\", \"options\": [\"bind\", \"rw\"]}" \
                append mounts "{\"destination\": \"/opts\", \"type\": \"bind\", \"source\": \"$C/opts\", \"options\": [\"bind\", \"nosuid\", \"nodev\", \"noexec\"]}"
        capture ctr run -b "$B" c1
        assert_rc 0 "run with bind mounts"
        local want ropts
        want="relative-$MARK
file-bind-$MARK
ro-refused
rw-writable"
        assert_eq "bind mounts seen inside (first lines)" "$want" "$(printf '%s\n' "$OUT" | sed -n 1,4p)"
        [ ! -e "$C/ro/new" ] || fail "a write through the read-only bind reached the host's $C/ro"
        [ -e "$C/rw/new" ] || fail "a write through the read-write bind did not reach $C/rw"
        # mountinfo: field 6 is the per-mount options.
        ropts=$(printf '%s\n' "$OUT" | awk '$1 == "/ro" {print $2}')
        [[ ,$ropts, == *,ro,* ]] || fail "/ro in mountinfo: expected ro, got \"$ropts\"
$OUT"
        ropts=$(printf '%s\n' "$OUT" | awk '$1 == "/rw" {print $2}')
        [[ ,$ropts, == *,rw,* ]] || fail "/rw in mountinfo: expected rw, got \"$ropts\"
$OUT"
        ropts=$(printf '%s\n' "$OUT" | awk '$1 == "/opts" {print $2}')
        local o
        for o in nosuid nodev noexec; do
                [[ ,$ropts, == *,$o,* ]] || fail "/opts in mountinfo: expected $o, got \"$ropts\"
$OUT"
        done
        printf '%s\n' "$OUT" | grep -qx '/etc/bound-file .*' || fail "the file bind /etc/bound-file is not in mountinfo:
$OUT"
        assert_contains "exec on the noexec bind" "$OUT" opts-noexec
        # The destinations the runtime had to create are in the rootfs, not on the host.
        [ -f "$B/rootfs/etc/bound-file" ] || fail "the file bind's mount point $B/rootfs/etc/bound-file was not created as a file"
}

t_bind_symlink_escape() {
        # rootfs/evil -> /etc and rootfs/evil2 -> ../../../../../../tmp/escape-$MARK: both must be
        # resolved inside the rootfs (rootfs/etc, rootfs/tmp/escape-...), never on the host.
        local esc=/tmp/escape-$MARK etc_before
        mk_bundle b /bin/sh -c "cat /etc/planted; cat /tmp/escape-$MARK/planted2; awk '\$5 == \"/etc\" || \$5 == \"/tmp/escape-$MARK\" {print \$5}' /proc/self/mountinfo | sort; $(long_running)"
        ln -s /etc "$B/rootfs/evil"
        mkdir -p "$B/rootfs$esc"
        ln -s "../../../../../../..$esc" "$B/rootfs/evil2"
        mkdir -p "$C/src1" "$C/src2"
        echo "planted-$MARK" >"$C/src1/planted"
        echo "planted2-$MARK" >"$C/src2/planted2"
        cfg "$B" append mounts "{\"destination\": \"/evil\", \"type\": \"bind\", \"source\": \"$C/src1\", \"options\": [\"bind\"]}" \
                append mounts "{\"destination\": \"/evil2\", \"type\": \"bind\", \"source\": \"$C/src2\", \"options\": [\"bind\"]}"
        etc_before=$(ls -A /etc | md5sum)
        ctr create -b "$B" c1 </dev/null >"$C/out" 2>"$C/err" && RC=0 || RC=$?
        OUT=$(cat "$C/out") ERR=$(cat "$C/err")
        assert_rc 0 "create with bind destinations that are symlinks pointing outside the rootfs"
        ctr start c1 </dev/null
        wait_for "the payload" test -e "$C/shared/ready"
        # While the container lives: nothing on the host's /etc or /tmp/escape-...
        [ ! -e /etc/planted ] || fail "the bind landed on the host's /etc (/etc/planted exists)"
        [ ! -e "$esc" ] || fail "the relative symlink escaped the rootfs: $esc exists on the host"
        awk '$5 == "/etc" {exit 1}' /proc/self/mountinfo || fail "a mount appeared on the host's /etc"
        local pid
        pid=$(pid_of c1)
        assert_eq "the host's /etc listing" "$etc_before" "$(ls -A /etc | md5sum)"
        ctr kill c1 KILL
        wait_for "c1 stopped" status_is c1 stopped
        ctr delete c1
        OUT=$(cat "$C/out")
        assert_eq "what the container sees (the binds at the in-rootfs targets)" "planted-$MARK
planted2-$MARK
/etc
$esc" "$OUT"
        [ ! -e "$esc" ] || fail "$esc exists on the host after the run"
        [ -L "$B/rootfs/evil" ] && [ "$(readlink "$B/rootfs/evil")" = /etc ] || fail "rootfs/evil is no longer the symlink it was"
}

t_bind_file_symlink_escape() {
        # A file bind whose destination is a dangling symlink to a host path, and one whose
        # destination's parent is such a symlink, and one under directories that do not exist
        # yet: whatever the runtime creates, it creates inside the rootfs.
        local h1=/etc/ctr-escape-$MARK h2=/var/tmp/ctr-escape-$MARK
        mk_bundle b /bin/sh -c "cat $h1; cat $h2/f; cat /deep/new/dir/file"
        ln -s "$h1" "$B/rootfs/evilfile"
        ln -s "$h2" "$B/rootfs/evildir"
        echo "file-$MARK" >"$C/srcfile"
        cfg "$B" append mounts "{\"destination\": \"/evilfile\", \"type\": \"bind\", \"source\": \"$C/srcfile\", \"options\": [\"bind\"]}" \
                append mounts "{\"destination\": \"/evildir/f\", \"type\": \"bind\", \"source\": \"$C/srcfile\", \"options\": [\"bind\"]}" \
                append mounts "{\"destination\": \"/deep/new/dir/file\", \"type\": \"bind\", \"source\": \"$C/srcfile\", \"options\": [\"bind\"]}"
        capture ctr run -b "$B" c1
        [ ! -e "$h1" ] || { rm -f "$h1"; fail "the runtime created $h1 on the host (followed rootfs/evilfile outside)"; }
        [ ! -e "$h2" ] || { rm -rf "$h2"; fail "the runtime created $h2 on the host (followed rootfs/evildir outside)"; }
        assert_rc 0 "run with file binds on dangling symlinks"
        assert_eq "the file binds seen inside" "file-$MARK file-$MARK file-$MARK" "$(words "$OUT")"
        [ -e "$B/rootfs$h1" ] && [ -e "$B/rootfs$h2/f" ] && [ -f "$B/rootfs/deep/new/dir/file" ] ||
                fail "the mount points were not created in the rootfs: $(cd "$B/rootfs" && ls -ld ."$h1" ."$h2/f" deep/new/dir/file 2>&1 | tr '\n' ';')"
}

t_bind_missing_source() {
        mk_bundle b /bin/touch /shared/ran
        cfg "$B" append mounts "{\"destination\": \"/x\", \"type\": \"bind\", \"source\": \"$C/no-such-dir\", \"options\": [\"bind\"]}"
        capture ctr create -b "$B" c1
        assert_fails "create with a bind of a missing source"
        assert_one_error_line "create with a bind of a missing source" 'no-such-dir'
        [ ! -e "$ROOT/c1" ] || fail "the failed create left $ROOT/c1"
}

# ---------------------------------------------------------------- read-only root, masks

t_root_readonly() {
        run_in c1 'touch /x 2>&1 && echo root-writable; touch /tmp/y 2>/dev/null && echo tmp-writable || echo tmp-readonly; echo ok >/shared/ro-ok; touch /dev/shm/z && echo shm-writable; awk "\$5 == \"/\" {print \$6}" /proc/self/mountinfo' \
                set root.readonly true
        local first
        first=$(printf '%s\n' "$OUT" | sed -n 1p)
        assert_contains "touch /x with root.readonly" "$first" "Read-only file system"
        case $OUT in *root-writable*) fail "/ is writable with root.readonly true" ;; esac
        assert_contains "/tmp with root.readonly and no tmpfs on it" "$OUT" tmp-readonly
        assert_contains "/dev/shm with root.readonly" "$OUT" shm-writable
        [[ ,$(printf '%s\n' "$OUT" | tail -n 1), == *,ro,* ]] || fail "/ in mountinfo: expected ro:
$OUT"
        assert_eq "/shared (rw bind) with root.readonly" ok "$(cat "$C/shared/ro-ok")"
        [ ! -e "$B/rootfs/x" ] && [ ! -e "$B/rootfs/tmp/y" ] || fail "a file was created in the read-only rootfs"

        # With a tmpfs on /tmp, /tmp is writable and / still is not.
        run_in c2 'touch /tmp/y && echo tmp-writable; touch /x 2>/dev/null || echo root-readonly' \
                set root.readonly true \
                append mounts '{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777"]}'
        assert_eq "with a tmpfs on /tmp" "tmp-writable root-readonly" "$(words "$OUT")"
        [ ! -e "$B/rootfs/tmp/y" ] || fail "/tmp/y went to the rootfs instead of the tmpfs"

        # Control: readonly false, / is writable.
        run_in c3 'touch /x && echo root-writable' set root.readonly false
        assert_eq "root.readonly false" root-writable "$OUT"
        [ -e "$B/rootfs/x" ] || fail "root.readonly false: /x not in the rootfs"
}

t_masked_paths() {
        local procf="" f
        for f in /proc/kcore /proc/timer_list /proc/keys /proc/sched_debug; do
                if [ -e "$f" ] && [ -n "$(head -c 1 "$f" 2>/dev/null)" ]; then procf=$f; break; fi
        done
        [ -n "$procf" ] || skip "no non-empty masked /proc file on this host"
        mk_bundle b /bin/sh -c '
echo "procfile=$(wc -c <"$1")"
echo "secretfile=$(cat /secret-file | wc -c)"
echo "secretdir=$(ls -A /secret-dir | wc -l)"
echo "sysfw=$(ls -A /sys/firmware | wc -l)"
touch /secret-dir/new 2>/dev/null && echo masked-dir-writable
echo "visible=$(cat /visible-file)"' sh "$procf"
        echo "secret-$MARK" >"$B/rootfs/secret-file"
        mkdir -p "$B/rootfs/secret-dir/sub"
        echo s >"$B/rootfs/secret-dir/a"
        echo v >"$B/rootfs/visible-file"
        cfg "$B" set linux.maskedPaths "[\"$procf\", \"/sys/firmware\", \"/secret-file\", \"/secret-dir\", \"/no/such/path\"]"
        capture ctr run -b "$B" c1
        assert_rc 0 "run with maskedPaths (one of which does not exist)"
        assert_eq "masked paths seen inside" "procfile=0
secretfile=0
secretdir=0
sysfw=0
visible=v" "$OUT"
        [ "$(cat "$B/rootfs/secret-file")" = "secret-$MARK" ] || fail "masking changed the rootfs' secret-file"

        # Control: without maskedPaths, the same files have content (so the case can fail).
        mk_bundle b2 /bin/sh -c 'echo "procfile=$(wc -c <"$1" | tr -d " ")"; echo "sysfw=$(ls -A /sys/firmware | wc -l)"' sh "$procf"
        cfg "$B" set linux.maskedPaths '[]'
        capture ctr run -b "$B" c2
        assert_rc 0 "run without maskedPaths"
        case $OUT in *procfile=0*) fail "control: $procf reads empty even unmasked: $OUT" ;; esac
}

t_readonly_paths() {
        # kernel/domainname is per UTS namespace and root may write it: only the read-only
        # mount stops the write.
        run_in c1 'echo x 2>&1 >/proc/sys/kernel/domainname; cat /proc/sys/kernel/domainname; echo 1 2>&1 >/proc/sys/net/ipv4/ip_forward; awk "\$5 == \"/proc/sys\" {print \$6}" /proc/self/mountinfo; cat /proc/self/status >/dev/null && echo proc-readable'
        local l1
        l1=$(printf '%s\n' "$OUT" | sed -n 1p)
        assert_contains "writing /proc/sys/kernel/domainname (readonlyPaths /proc/sys)" "$l1" "Read-only file system"
        assert_contains "/proc/sys/net/ipv4/ip_forward (readonlyPaths /proc/sys)" "$(printf '%s\n' "$OUT" | sed -n 3p)" "Read-only file system"
        [[ ,$(printf '%s\n' "$OUT" | sed -n 4p), == *,ro,* ]] || fail "/proc/sys in mountinfo: expected ro:
$OUT"
        assert_contains "the rest of /proc" "$OUT" proc-readable

        # Control: without readonlyPaths the same write works (in the container's own UTS
        # namespace), so the case can fail.
        run_in c2 'echo ctr-dom >/proc/sys/kernel/domainname && cat /proc/sys/kernel/domainname' set linux.readonlyPaths '[]'
        assert_eq "control: domainname written without readonlyPaths" ctr-dom "$OUT"
        [ "$(cat /proc/sys/kernel/domainname)" != ctr-dom ] || fail "the container changed the host's domainname"
}

# ---------------------------------------------------------------- namespaces

ns_dump='for n in pid net ipc uts mnt; do echo "$n $(readlink /proc/self/ns/$n)"; done'

host_ns() {
        readlink "/proc/$$/ns/$1"
}

t_new_namespaces() {
        run_in c1 "echo pid1=\$\$; $ns_dump; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; ps -o pid= 2>/dev/null | tr -d ' ' | sort -n | tr '\n' ' '; echo"
        assert_eq "\$\$ in a new PID namespace" "pid1=1" "$(printf '%s\n' "$OUT" | sed -n 1p)"
        local n got
        for n in pid net ipc uts mnt; do
                got=$(printf '%s\n' "$OUT" | awk -v n="$n" '$1 == n {print $2}')
                [ -n "$got" ] || fail "no $n namespace line in: $OUT"
                [ "$got" != "$(host_ns "$n")" ] || fail "$n namespace: the container shares the host's ($got)"
        done
        assert_eq "interfaces in /proc/net/dev of a new network namespace" lo "$(printf '%s\n' "$OUT" | sed -n 7p)"

        # Control: without a network namespace, the host's one.
        run_in c2 "$ns_dump" delns network
        assert_eq "net namespace without linux.namespaces network" "net $(host_ns net)" "$(printf '%s\n' "$OUT" | grep '^net ')"
        assert_eq "ipc namespace still new" 1 "$(printf '%s\n' "$OUT" | grep '^ipc ' | grep -vc "$(host_ns ipc)")"
}

# join_refused N PATH WHAT REGEX: container cN (bundle bN, whose process would touch
# /shared/ranN) joining PATH as its network namespace: create fails with one error line matching
# REGEX and leaves no state.
join_refused() {
        local n=$1 path=$2 what=$3 re=$4
        mk_bundle "b$n" /bin/touch "/shared/ran$n"
        cfg "$B" delns network append linux.namespaces "{\"type\": \"network\", \"path\": \"$path\"}"
        capture ctr create -b "$B" "c$n"
        assert_fails "create joining $what"
        assert_one_error_line "create joining $what" "$re"
        [ ! -e "$ROOT/c$n" ] || fail "the failed create left $ROOT/c$n"
}

t_join_namespace() {
        # c1: its own network namespace (and hostname in its own UTS one), running.
        mk_bundle b1 /bin/sh -c "readlink /proc/self/ns/net >/shared/c1-net; $(long_running)"
        cfg "$B" set hostname '"c1-host"'
        local b1=$B
        ctr create -b "$b1" c1 </dev/null
        ctr start c1 </dev/null
        wait_for "c1" test -e "$C/shared/ready"
        local pid c1net
        pid=$(pid_of c1)
        c1net=$(cat "$C/shared/c1-net")
        [ "$c1net" != "$(host_ns net)" ] || fail "c1 shares the host's network namespace"

        # c2 joins c1's network namespace by path and its IPC one too; its own PID namespace.
        mk_bundle b2 /bin/sh -c 'readlink /proc/self/ns/net; readlink /proc/self/ns/ipc; echo $$'
        cfg "$B" delns network delns ipc \
                append linux.namespaces "{\"type\": \"network\", \"path\": \"/proc/$pid/ns/net\"}" \
                append linux.namespaces "{\"type\": \"ipc\", \"path\": \"/proc/$pid/ns/ipc\"}"
        capture ctr run -b "$B" c2
        assert_rc 0 "run of c2 joining c1's network and IPC namespaces"
        assert_eq "c2's net namespace (c1's)" "$c1net" "$(printf '%s\n' "$OUT" | sed -n 1p)"
        assert_eq "c2's ipc namespace (c1's)" "$(readlink "/proc/$pid/ns/ipc")" "$(printf '%s\n' "$OUT" | sed -n 2p)"
        assert_eq "c2 is PID 1 of its own PID namespace" 1 "$(printf '%s\n' "$OUT" | sed -n 3p)"

        # Joining c1's PID namespace: not PID 1, and c1's payload is PID 1 there.
        mk_bundle b2p /bin/sh -c 'echo $$; readlink /proc/self/ns/pid; cat /proc/1/cmdline | tr "\0" " "'
        cfg "$B" delns pid append linux.namespaces "{\"type\": \"pid\", \"path\": \"/proc/$pid/ns/pid\"}"
        capture ctr run -b "$B" c2p
        assert_rc 0 "run of c2p joining c1's PID namespace"
        [ "$(printf '%s\n' "$OUT" | sed -n 1p)" != 1 ] || fail "c2p joined c1's PID namespace but is PID 1:
$OUT"
        assert_eq "c2p's pid namespace (c1's)" "$(readlink "/proc/$pid/ns/pid")" "$(printf '%s\n' "$OUT" | sed -n 2p)"
        assert_contains "PID 1 as c2p sees it (c1's payload)" "$(printf '%s\n' "$OUT" | sed -n 3p)" "/bin/sh -c"

        # A path that does not exist; a namespace of the wrong type (c1's UTS namespace given as
        # network); not a namespace at all (a regular file).
        join_refused 3 "$C/no-such-ns" "a network namespace path that does not exist" 'no-such-ns'
        join_refused 4 "/proc/$pid/ns/uts" "/proc/$pid/ns/uts as a network namespace" "network|net|/proc/$pid/ns/uts"
        join_refused 5 "$C/shared/c1-net" "a regular file as a network namespace" 'network|net|c1-net'
        [ ! -e "$C/shared/ran3" ] && [ ! -e "$C/shared/ran4" ] && [ ! -e "$C/shared/ran5" ] ||
                fail "a process ran although its create failed"

        pid_alive "$pid" || fail "c1 died while others failed to join it"
        assert_status c1 running
        ctr kill c1 KILL
        wait_for "c1 stopped" status_is c1 stopped
        ctr delete c1
}

case_run args t_args
case_run env-path t_env_path
case_run cwd t_cwd
case_run user t_user
case_run umask t_umask
case_run rlimits t_rlimits
case_run no-new-privileges t_no_new_privs
case_run oom-score-adj t_oom_score_adj
case_run caps-root t_caps_root
case_run caps-nonroot t_caps_nonroot
case_run hostname t_hostname
case_run terminal t_terminal
case_run terminal-needs-console-socket t_terminal_needs_socket
case_run no-pivot t_no_pivot
case_run spec-mounts t_spec_mounts
case_run dev-nodes t_dev_nodes
case_run bind-mounts t_bind_mounts
case_run bind-symlink-escape t_bind_symlink_escape
case_run bind-file-symlink-escape t_bind_file_symlink_escape
case_run bind-missing-source t_bind_missing_source
case_run root-readonly t_root_readonly
case_run masked-paths t_masked_paths
case_run readonly-paths t_readonly_paths
case_run new-namespaces t_new_namespaces
case_run join-namespace t_join_namespace
lib_finish
