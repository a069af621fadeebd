#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# runc's command line where callers depend on it: `features`, options after the ID, `ps ID
# [ps options]`, `kill ID 0`, `spec` in runc's shape, `checkpoint`/`restore` refused, the global
# options podman, conmon and containerd pass.
# Usage: cli.sh PATH-TO-ctr-launch (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
lib_init "$@"

# start_long NAME: a container NAME running until TERM, started with run -d; sets PID.
start_long() {
        mk_bundle "$1" /bin/sh -c "$(long_running "$1.ready")"
        capture ctr run -d -b "$B" "$1"
        assert_rc 0 "run -d $1"
        wait_for "$1 to be ready" test -e "$C/shared/$1.ready"
        PID=$(pid_of "$1")
}

t_features() {
        capture "$CTR" features
        assert_rc 0 "features"
        [ -z "$ERR" ] || fail "features wrote on stderr: $ERR"
        printf '%s\n' "$OUT" >"$C/features.json"
        "$PY" - "$C/features.json" <<'EOF' || fail "features document: $(cat "$C/features.json")"
import json, os, sys
f = json.load(open(sys.argv[1]))
errors = []
for k in ("ociVersionMin", "ociVersionMax"):
    if not isinstance(f.get(k), str) or not f[k].startswith("1."):
        errors.append(f"{k}: {f.get(k)!r}")
if set(f["hooks"]) != {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}:
    errors.append(f"hooks: {f['hooks']}")
for o in ("ro", "rbind", "rprivate", "nosuid", "rro"):
    if o not in f["mountOptions"]:
        errors.append(f"mountOptions lacks {o}")
l = f["linux"]
for ns in ("pid", "network", "mount", "ipc", "uts", "user", "cgroup"):
    if ns not in l["namespaces"]:
        errors.append(f"namespaces lacks {ns}")
last = int(open("/proc/sys/kernel/cap_last_cap").read())
if len(l["capabilities"]) != last + 1 or l["capabilities"][0] != "CAP_CHOWN":
    errors.append(f"capabilities: {len(l['capabilities'])} for cap_last_cap {last}")
s = l["seccomp"]
if not s["enabled"] or "SCMP_ACT_ERRNO" not in s["actions"] or "SCMP_CMP_EQ" not in s["operators"]:
    errors.append(f"seccomp: {s}")
# with listenerPath (the seccomp-notify protocol)
if "SCMP_ACT_NOTIFY" not in s["actions"]:
    errors.append("SCMP_ACT_NOTIFY not listed")
if not set(s["supportedFlags"]) <= set(s["knownFlags"]):
    errors.append("supportedFlags not within knownFlags")
# The LSMs as the host has them (src/basic/lsm-util.c), Intel RDT never.
def host_apparmor():
    try:
        return open("/sys/module/apparmor/parameters/enabled").read(1) == "Y"
    except OSError:
        return False
want = {"apparmor": host_apparmor(), "selinux": os.path.isfile("/sys/fs/selinux/enforce"), "intelRdt": False}
for k, v in want.items():
    if l[k] != {"enabled": v}:
        errors.append(f"{k}: {l[k]}, the host says {v}")
if l["mountExtensions"] != {"idmap": {"enabled": False}}:
    errors.append(f"mountExtensions: {l['mountExtensions']}")
if l["cgroup"] != {"v1": True, "v2": True, "systemd": True, "systemdUser": True, "rdma": False}:
    errors.append(f"cgroup: {l['cgroup']}")
if "org.ctr-launch.version" not in f["annotations"]:
    errors.append(f"annotations: {f['annotations']}")
if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
EOF
        # What it lists, create takes: an architecture and an action, on a real container.
        local arch
        arch=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["linux"]["seccomp"]["archs"][0])' "$C/features.json")
        mk_bundle b /bin/true
        cfg "$B" set linux.seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"$arch\"], \"syscalls\": [{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_LOG\"}]}"
        capture ctr run -b "$B" c1
        assert_rc 0 "run with a seccomp profile of features' names ($arch, SCMP_ACT_LOG)"

        capture "$CTR" features extra
        assert_fails "features with an argument"
        assert_one_error_line "features with an argument" 'unexpected argument'
}

# Options after the ID, as runc's urfave/cli takes them.
t_options_after_id() {
        start_long c1
        capture ctr update c1 --pids-limit 77
        assert_rc 0 "update c1 --pids-limit 77"
        local d f found=
        for d in $(awk -F: '$2 ~ /(^|,)pids(,|$)/ || ($1 == 0 && $2 == "") {print $3}' "/proc/$PID/cgroup"); do
                for f in /sys/fs/cgroup/pids"$d"/pids.max /sys/fs/cgroup"$d"/pids.max /sys/fs/cgroup/unified"$d"/pids.max; do
                        if [ -e "$f" ]; then
                                found=$f
                                break 2
                        fi
                done
        done
        [ -n "$found" ] || fail "no pids.max for the container: $(tr '\n' ' ' <"/proc/$PID/cgroup")"
        assert_eq "$found after update c1 --pids-limit 77" 77 "$(cat "$found")"
        capture ctr update c1 --no-such-option 1
        assert_fails "update with an unknown option after the ID"
        assert_one_error_line "update with an unknown option after the ID" 'no-such-option'

        capture ctr kill c1 0 --all
        assert_rc 0 "kill c1 0 --all"
        capture ctr delete c1
        assert_fails "delete of a running container without --force"
        capture ctr delete c1 --force
        assert_rc 0 "delete c1 --force"
        [ ! -e "$ROOT/c1" ] || fail "delete c1 --force left $ROOT/c1"
        wait_for "the init to be gone" eval "! pid_alive $PID"

        # The state of the art before: options first, "--" before the id (the units' form).
        start_long c2
        capture ctr kill --all -- c2 KILL
        assert_rc 0 "kill --all -- c2 KILL"
        wait_for "c2 to stop" status_is c2 stopped
        capture ctr delete -- c2
        assert_rc 0 "delete -- c2"
}

t_kill_zero() {
        start_long c1
        capture ctr kill c1 0
        assert_rc 0 "kill c1 0 on a running container"
        capture ctr kill c1 SIG0
        assert_rc 0 "kill c1 SIG0"
        pid_alive "$PID" || fail "kill c1 0 killed the init"
        assert_status c1 running
        capture ctr kill -a c1 KILL
        assert_rc 0 "kill -a c1 KILL"
        wait_for "c1 to stop" status_is c1 stopped
        capture ctr kill c1 0
        assert_fails "kill c1 0 on a stopped container"
        assert_one_error_line "kill c1 0 on a stopped container" 'not running'
        ctr delete c1
        capture ctr kill c1 0
        assert_fails "kill c1 0 on a container that does not exist"
        assert_one_error_line "kill c1 0 on a container that does not exist" 'c1'
}

t_ps() {
        command -v ps >/dev/null || skip "no ps(1) on this host"
        mk_bundle b /bin/sh -c 'sleep 1000 & : >/shared/ready; wait'
        capture ctr run -d -b "$B" c1
        assert_rc 0 "run -d c1"
        wait_for "c1 ready" test -e "$C/shared/ready"
        PID=$(pid_of c1)
        local child
        child=$(cat /proc/"$PID"/task/*/children | xargs)

        # Default: ps -ef, its header and the container's two lines.
        capture ctr ps c1
        assert_rc 0 "ps c1"
        assert_eq "ps c1: the header of ps -ef" "UID PID PPID C STIME TTY TIME CMD" "$(words "$(printf '%s\n' "$OUT" | head -n 1)")"
        assert_eq "ps c1: lines" 3 "$(printf '%s\n' "$OUT" | wc -l)"
        assert_eq "ps c1: the PIDs" "$(printf '%s\n' "$PID" $child | sort -n | xargs)" \
                "$(printf '%s\n' "$OUT" | tail -n +2 | awk '{print $2}' | sort -n | xargs)"
        printf '%s\n' "$OUT" | grep -q 'sleep 1000' || fail "ps c1: no line for the sleep: $OUT"
        printf '%s\n' "$OUT" | awk '{print $2}' | grep -qx "$$" && fail "ps c1 lists the test's own shell"

        # ps options after the ID go to ps, even those that look like ours.
        capture ctr ps c1 -o pid,comm
        assert_rc 0 "ps c1 -o pid,comm"
        assert_eq "ps c1 -o pid,comm" "PID COMMAND $(for p in $(printf '%s\n' "$PID" $child | sort -n); do
                printf '%s %s ' "$p" "$(cat /proc/$p/comm)"; done | sed 's/ $//')" \
                "$(words "$(printf '%s\n' "$OUT" | { read -r h; echo "$h"; sort -n; })")"
        capture ctr ps c1 -f
        assert_rc 0 "ps c1 -f (ps's full format, not our --format)"
        assert_contains "ps c1 -f" "$(printf '%s\n' "$OUT" | head -n 1)" "PPID"

        # --format json before the ID: the PIDs, as containerd reads them.
        capture ctr ps --format json c1
        assert_rc 0 "ps --format json c1"
        assert_eq "ps --format json c1" "$(printf '%s\n' "$PID" $child | sort -n | xargs)" \
                "$("$PY" -c 'import json,sys; print(" ".join(str(p) for p in sorted(json.loads(sys.argv[1]))))' "$OUT")"

        # A ps option ps refuses: one line of ours at the end, ps's own complaint before it.
        capture ctr ps c1 --no-such-ps-option
        assert_fails "ps with an option ps refuses"
        assert_contains "ps with an option ps refuses" "$(printf '%s\n' "$ERR" | tail -n 1)" "ctr-launch: c1: ps"
        ctr kill c1 KILL
        wait_for "c1 to stop" status_is c1 stopped
        ctr delete c1
}

# spec in runc's shape: the members scripts edit are where runc puts them.
t_spec_shape() {
        mkdir -p "$C/s" "$C/r"
        capture "$CTR" spec --bundle "$C/s"
        assert_rc 0 "spec"
        capture "$CTR" spec --rootless --bundle "$C/r"
        assert_rc 0 "spec --rootless"
        "$PY" - "$C/s/config.json" "$C/r/config.json" <<'EOF' || fail "spec's shape"
import json, sys
s, r = (json.load(open(p)) for p in sys.argv[1:3])
errors = []
if s["linux"].get("resources") != {"devices": [{"allow": False, "access": "rwm"}]}:
    errors.append(f"linux.resources: {s['linux'].get('resources')}")
types = [n["type"] for n in s["linux"]["namespaces"]]
if types[:5] != ["pid", "network", "ipc", "uts", "mount"]:
    errors.append(f"namespaces: {types}")
for p in ("/proc/acpi", "/proc/kcore", "/proc/keys", "/sys/firmware", "/proc/scsi"):
    if p not in s["linux"]["maskedPaths"]:
        errors.append(f"maskedPaths lacks {p}")
if s["linux"]["readonlyPaths"] != ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]:
    errors.append(f"readonlyPaths: {s['linux']['readonlyPaths']}")
if s["process"]["terminal"] is not False:
    errors.append("process.terminal is not false")
if s["root"] != {"path": "rootfs", "readonly": True}:
    errors.append(f"root: {s['root']}")
if [m["destination"] for m in s["mounts"]] != ["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"]:
    errors.append(f"mounts: {[m['destination'] for m in s['mounts']]}")
# --rootless, as runc's: no resources, a user namespace, the caller mapped to root, /sys bound
if "resources" in r["linux"]:
    errors.append("spec --rootless has linux.resources")
if "user" not in [n["type"] for n in r["linux"]["namespaces"]]:
    errors.append("spec --rootless has no user namespace")
if r["linux"].get("uidMappings") != [{"containerID": 0, "hostID": 0, "size": 1}]:
    errors.append(f"spec --rootless uidMappings (as root): {r['linux'].get('uidMappings')}")
sysm = [m for m in r["mounts"] if m["destination"] == "/sys"][0]
if "rbind" not in sysm.get("options", []):
    errors.append(f"spec --rootless /sys: {sysm}")
if any(o.startswith("gid=") for m in r["mounts"] for o in m.get("options", [])):
    errors.append("spec --rootless keeps a gid= option")
if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
EOF
        # Every member path runc's own spec has, ours has too (runc's departures aside).
        if command -v runc >/dev/null; then
                mkdir -p "$C/runc"
                (cd "$C/runc" && runc spec) || fail "runc spec"
                "$PY" - "$C/runc/config.json" "$C/s/config.json" <<'EOF' || fail "spec lacks members of runc's"
import json, sys
def paths(v, p=""):
    out = {p}
    if isinstance(v, dict):
        for k, x in v.items():
            out |= paths(x, f"{p}.{k}")
    elif isinstance(v, list):
        for x in v:
            out |= paths(x, f"{p}[]")
    return out
runc, ours = (paths(json.load(open(f))) for f in sys.argv[1:3])
# runc 1.1's ambient set: newer runc's spec dropped it, and so do we.
missing = sorted(p for p in runc - ours if not p.startswith(".process.capabilities.ambient"))
if missing:
    print("missing:", missing, file=sys.stderr)
    sys.exit(1)
EOF
        else
                note "runc is not installed: spec not compared with runc's"
        fi

        # And it runs, both with the host's devices denied but the defaults.
        cp -a "$T/rootfs-template" "$C/s/rootfs"
        cfg "$C/s" set process.args '["sh", "-c", "echo x >/dev/null && head -c 1 /dev/zero | wc -c"]'
        capture ctr run -b "$C/s" c1
        assert_rc 0 "run of spec's config (default devices usable under the deny-all rule)"
        assert_eq "read of /dev/zero in spec's container" 1 "$(words "$OUT")"
}

t_checkpoint_restore() {
        local v
        for v in checkpoint restore; do
                capture ctr "$v" c1
                assert_fails "$v"
                assert_one_error_line "$v" "$v: not supported"
                capture ctr "$v" --image-path "$C/img" --leave-running c1
                assert_fails "$v with runc's options"
                assert_one_error_line "$v with runc's options" "not supported"
                capture "$CTR" help "$v"
                assert_rc 0 "help $v"
        done
}

# The global options podman, conmon and containerd pass to runc.
t_global_options() {
        capture "$CTR" --root "$ROOT" --log "$C/log.json" --log-format json --debug --systemd-cgroup \
                --criu /usr/sbin/criu --rootless auto list
        assert_rc 0 "list with runc's global options"
        capture "$CTR" --root="$ROOT" --log="$C/log.json" --log-format=json --rootless=false list --format json
        assert_rc 0 "list with runc's global options in --opt=value form"
        assert_eq "list --format json" "[]" "$(words "$OUT")"
        capture "$CTR" --root "$ROOT" --log "$C/log.json" --log-format json kill no-such 0
        assert_fails "kill of a container that does not exist, logged as JSON"
        grep -q '"msg"' "$C/log.json" || fail "--log-format json: no JSON record in $C/log.json: $(cat "$C/log.json")"
}

case_run features t_features
case_run options-after-id t_options_after_id
case_run kill-zero t_kill_zero
case_run ps-options t_ps
case_run spec-shape t_spec_shape
case_run checkpoint-restore t_checkpoint_restore
case_run global-options t_global_options
lib_finish
