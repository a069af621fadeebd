#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# User and time namespaces (issue 3, items 1, 2 and 10): uidMappings/gidMappings written for
# the init, root inside and a mapped id outside, files owned as the mapping says, a rootfs
# owned by the mapped root, several ranges, a user namespace joined by path, bad mappings
# refused before anything exists, linux.timeOffsets in a new time namespace, and the config of
# `spec --rootless` run as root.
# Usage: userns.sh PATH-TO-ctr-launch (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
lib_init "$@"

[ -e /proc/self/ns/user ] || skip "the kernel has no user namespaces"

MAP='[{"containerID": 0, "hostID": 100000, "size": 65536}]'

# userns_bundle NAME ARGS...: mk_bundle with a new user namespace mapping 0..65535 to
# 100000..165535, its rootfs and /shared owned by the mapped root.
userns_bundle() {
        mk_bundle "$@"
        chown -R 100000:100000 "$B/rootfs" "$C/shared"
        cfg "$B" append linux.namespaces '{"type": "user"}' set linux.uidMappings "$MAP" set linux.gidMappings "$MAP"
}

t_mapping() {
        userns_bundle b /bin/sh -c 'cat /proc/self/uid_map; cat /proc/self/gid_map; id -u; id -g; touch /shared/made-inside; stat -c %u:%g /bin/busybox; echo $$'
        capture ctr run -b "$B" c1
        assert_rc 0 "run in a new user namespace"
        assert_eq "uid_map inside" "0 100000 65536" "$(words "$(printf '%s\n' "$OUT" | sed -n 1p)")"
        assert_eq "gid_map inside" "0 100000 65536" "$(words "$(printf '%s\n' "$OUT" | sed -n 2p)")"
        assert_eq "id -u inside" 0 "$(printf '%s\n' "$OUT" | sed -n 3p)"
        assert_eq "id -g inside" 0 "$(printf '%s\n' "$OUT" | sed -n 4p)"
        assert_eq "owner of the rootfs (host 100000) as seen inside" 0:0 "$(printf '%s\n' "$OUT" | sed -n 5p)"
        assert_eq "PID 1 of a PID namespace owned by the user namespace" 1 "$(printf '%s\n' "$OUT" | sed -n 6p)"
        assert_eq "owner on the host of a file made inside" 100000:100000 "$(stat -c %u:%g "$C/shared/made-inside")"
}

t_host_owned_rootfs() {
        # A rootfs owned by the host's root (unmapped: nobody inside) is still readable, and the
        # mounts of the default config (proc, sysfs with a new network namespace, devpts with
        # gid=5, mqueue) all work; /dev nodes are the host's, bind-mounted.
        mk_bundle b /bin/sh -c 'stat -c %u /bin/busybox; echo hi >/dev/null && echo devnull-ok; cat /proc/self/uid_map | wc -l'
        cfg "$B" append linux.namespaces '{"type": "user"}' set linux.uidMappings "$MAP" set linux.gidMappings "$MAP"
        capture ctr run -b "$B" c1
        assert_rc 0 "run with a rootfs owned by the host's root"
        assert_eq "owner of an unmapped file inside" 65534 "$(printf '%s\n' "$OUT" | sed -n 1p)"
        assert_eq "/dev/null works" devnull-ok "$(printf '%s\n' "$OUT" | sed -n 2p)"
}

t_ranges() {
        # Two ranges each; the process runs as 1000:1000, mapped by the second one.
        mk_bundle b /bin/sh -c 'cat /proc/self/uid_map; cat /proc/self/gid_map; id -u; id -G; touch /shared/by-1000'
        chmod 0777 "$C/shared"
        local map='[{"containerID": 0, "hostID": 100000, "size": 1000}, {"containerID": 1000, "hostID": 300000, "size": 2000}]'
        cfg "$B" append linux.namespaces '{"type": "user"}' set linux.uidMappings "$map" set linux.gidMappings "$map" \
                set process.user '{"uid": 1000, "gid": 1000, "additionalGids": [5, 2999]}'
        capture ctr run -b "$B" c1
        assert_rc 0 "run with two ranges per map"
        assert_eq "uid_map inside" "0 100000 1000 1000 300000 2000" "$(words "$(printf '%s\n' "$OUT" | sed -n 1,2p)")"
        assert_eq "gid_map inside" "0 100000 1000 1000 300000 2000" "$(words "$(printf '%s\n' "$OUT" | sed -n 3,4p)")"
        assert_eq "id -u inside" 1000 "$(printf '%s\n' "$OUT" | sed -n 5p)"
        assert_eq "id -G inside (additionalGids, setgroups allowed as root)" "1000 5 2999" "$(printf '%s\n' "$OUT" | sed -n 6p)"
        assert_eq "owner on the host of a file made by uid 1000" 300000:300000 "$(stat -c %u:%g "$C/shared/by-1000")"
}

t_join() {
        # c1: a user namespace of its own, running.
        userns_bundle b1 /bin/sh -c "$(long_running)"
        ctr create -b "$B" c1 </dev/null
        ctr start c1 </dev/null
        wait_for "c1" test -e "$C/shared/ready"
        local pid
        pid=$(pid_of c1)

        # c2 joins it by path, with new PID, mount, network... namespaces made inside it.
        mk_bundle b2 /bin/sh -c 'readlink /proc/self/ns/user; cat /proc/self/uid_map; id -u; echo $$'
        chown -R 100000:100000 "$B/rootfs"
        cfg "$B" append linux.namespaces "{\"type\": \"user\", \"path\": \"/proc/$pid/ns/user\"}"
        capture ctr run -b "$B" c2
        assert_rc 0 "run of c2 joining c1's user namespace"
        assert_eq "c2's user namespace (c1's)" "$(readlink "/proc/$pid/ns/user")" "$(printf '%s\n' "$OUT" | sed -n 1p)"
        assert_eq "uid_map in c2" "0 100000 65536" "$(words "$(printf '%s\n' "$OUT" | sed -n 2p)")"
        assert_eq "id -u in c2" 0 "$(printf '%s\n' "$OUT" | sed -n 3p)"
        assert_eq "c2 is PID 1 of its own PID namespace" 1 "$(printf '%s\n' "$OUT" | sed -n 4p)"

        # Not a user namespace.
        mk_bundle b3 /bin/touch /shared/ran3
        cfg "$B" append linux.namespaces "{\"type\": \"user\", \"path\": \"/proc/$pid/ns/uts\"}"
        capture ctr create -b "$B" c3
        assert_fails "create joining a uts namespace as the user namespace"
        assert_one_error_line "create joining a uts namespace as user" "user.*/proc/$pid/ns/uts"
        [ ! -e "$ROOT/c3" ] || fail "the failed create left $ROOT/c3"
        [ ! -e "$C/shared/ran3" ] || fail "a process ran although its create failed"

        ctr kill c1 KILL
        wait_for "c1 stopped" status_is c1 stopped
        ctr delete c1
}

# A network namespace the host's user namespace owns, joined by a container with a new user
# namespace: only the parent, before the user namespace exists, can join it (as runc does).
t_join_host_netns() {
        unshare -n sleep 60 &
        local sleeper=$! want
        # (until unshare has run, the sleeper is still in our own network namespace)
        wait_for "the sleeper's own network namespace" \
                eval '[ "$(readlink /proc/'"$sleeper"'/ns/net)" != "$(readlink /proc/self/ns/net)" ]'
        want=$(readlink "/proc/$sleeper/ns/net")
        userns_bundle b /bin/sh -c 'readlink /proc/self/ns/net; id -u; awk "\$5 == \"/sys\" { print substr(\$6, 1, 2); exit }" /proc/self/mountinfo; ls /sys/kernel >/dev/null && echo sys-ok'
        # (the default sysfs cannot be mounted for a network namespace the user namespace does
        # not own: the host's /sys is bound read-only instead, as runc does)
        cfg "$B" delns network append linux.namespaces "{\"type\": \"network\", \"path\": \"/proc/$sleeper/ns/net\"}"
        capture ctr run -b "$B" c1
        kill "$sleeper"
        wait "$sleeper" 2>/dev/null || true
        assert_rc 0 "run with a new user namespace joining a host-owned network namespace"
        assert_eq "network namespace inside" "$want" "$(printf '%s\n' "$OUT" | sed -n 1p)"
        assert_eq "id -u inside" 0 "$(printf '%s\n' "$OUT" | sed -n 2p)"
        assert_eq "/sys read-only" ro "$(printf '%s\n' "$OUT" | sed -n 3p)"
        assert_eq "/sys usable" sys-ok "$(printf '%s\n' "$OUT" | sed -n 4p)"
}

# bad_mapping WHAT REGEX CFG-OPS...: create fails with one line matching REGEX, nothing left.
bad_mapping() {
        local what=$1 re=$2
        shift 2
        mk_bundle "b$RANDOM" /bin/touch /shared/ran
        cfg "$B" "$@"
        capture ctr create -b "$B" c1
        assert_fails "create with $what"
        assert_one_error_line "create with $what" "$re"
        [ ! -e "$ROOT/c1" ] || fail "create with $what left $ROOT/c1"
        [ ! -e "$C/shared/ran" ] || fail "a process ran although create with $what failed"
}

t_bad() {
        local u='append linux.namespaces {"type":"user"}'
        bad_mapping "overlapping container ranges" 'uidMappings.*overlap' $u \
                set linux.uidMappings '[{"containerID": 0, "hostID": 100000, "size": 100}, {"containerID": 50, "hostID": 200000, "size": 100}]' \
                set linux.gidMappings "$MAP"
        local long
        long=$(python3 -c 'import json; print(json.dumps([{"containerID": i * 10, "hostID": 1000000000 + i * 10, "size": 10} for i in range(250)]))')
        bad_mapping "a map longer than the kernel takes" 'uidMappings: .* bytes of map' $u \
                set linux.uidMappings "$long" set linux.gidMappings "$MAP"
        bad_mapping "overlapping host ranges" 'gidMappings.*overlap' $u set linux.uidMappings "$MAP" \
                set linux.gidMappings '[{"containerID": 0, "hostID": 100000, "size": 100}, {"containerID": 100, "hostID": 100099, "size": 10}]'
        bad_mapping "a range of size 0" 'uidMappings\[0\]\.size' $u \
                set linux.uidMappings '[{"containerID": 0, "hostID": 100000, "size": 0}]' set linux.gidMappings "$MAP"
        bad_mapping "a new user namespace without maps" 'uidMappings' $u
        bad_mapping "maps without a user namespace" 'user namespace' set linux.uidMappings "$MAP" set linux.gidMappings "$MAP"
        bad_mapping "a process uid outside the map" 'process\.user\.uid.*not mapped' $u set linux.uidMappings "$MAP" \
                set linux.gidMappings "$MAP" set process.user '{"uid": 70000, "gid": 0}'
        bad_mapping "a range past 2^32" 'uidMappings\[0\]' $u set linux.gidMappings "$MAP" \
                set linux.uidMappings '[{"containerID": 0, "hostID": 4294967000, "size": 65536}]'
}

t_time() {
        [ -e /proc/self/ns/time ] || skip "no time namespaces in this kernel"
        mk_bundle b /bin/sh -c 'cut -d. -f1 /proc/uptime; cat /proc/self/timens_offsets'
        cfg "$B" append linux.namespaces '{"type": "time"}' \
                set linux.timeOffsets '{"monotonic": {"secs": 86400}, "boottime": {"secs": 86400, "nanosecs": 5}}'
        capture ctr run -b "$B" c1
        assert_rc 0 "run with linux.timeOffsets"
        local up host
        up=$(printf '%s\n' "$OUT" | sed -n 1p)
        host=$(cut -d. -f1 /proc/uptime)
        [ "$up" -ge 86400 ] && [ "$up" -ge "$host" ] ||
                fail "/proc/uptime inside is $up, expected at least 86400 more than the host's ($host)"
        assert_eq "offsets inside" "monotonic 86400 0 boottime 86400 5" "$(words "$(printf '%s\n' "$OUT" | sed -n 2,3p)")"

        # With a user namespace too: offsets still written before the init is born.
        mk_bundle b2 /bin/sh -c 'cut -d. -f1 /proc/uptime; id -u'
        cfg "$B" append linux.namespaces '{"type": "time"}' append linux.namespaces '{"type": "user"}' \
                set linux.uidMappings "$MAP" set linux.gidMappings "$MAP" \
                set linux.timeOffsets '{"boottime": {"secs": 86400}}'
        capture ctr run -b "$B" c2
        assert_rc 0 "run with linux.timeOffsets and a user namespace"
        [ "$(printf '%s\n' "$OUT" | sed -n 1p)" -ge 86400 ] || fail "uptime inside c2: $OUT"

        # Offsets without a new time namespace: refused before anything exists.
        bad_mapping "timeOffsets without a time namespace" 'timeOffsets.*time namespace' \
                set linux.timeOffsets '{"boottime": {"secs": 86400}}'
        bad_mapping "an unknown clock" 'timeOffsets.*realtime' append linux.namespaces '{"type": "time"}' \
                set linux.timeOffsets '{"realtime": {"secs": 1}}'
}

t_spec_rootless() {
        local d=$C/specb
        mkdir -p "$d"
        capture "$CTR" spec --rootless --bundle "$d"
        assert_rc 0 "spec --rootless"
        cp -a "$T/rootfs-template" "$d/$(json_get root.path <"$d/config.json")"
        cfg "$d" set process.args '["true"]'
        capture ctr run -b "$d" r1
        assert_rc 0 "run of the config of spec --rootless, as root"
        cfg "$d" set process.args '["cat", "/proc/self/uid_map"]'
        capture ctr run -b "$d" r2
        assert_rc 0 "run of cat /proc/self/uid_map with the config of spec --rootless"
        assert_eq "uid_map of spec --rootless run as root" "0 0 1" "$(words "$OUT")"
}

case_run mapping t_mapping
case_run host-owned-rootfs t_host_owned_rootfs
case_run ranges t_ranges
case_run join t_join
case_run join-host-netns t_join_host_netns
case_run bad-mappings t_bad
case_run time-namespace t_time
case_run spec-rootless t_spec_rootless
lib_finish
