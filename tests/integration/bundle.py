#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Config helper for the integration tests (no jq on the test hosts):
#   bundle.py default FILE ROOTFS MARK     write a known-good config.json (runc's defaults,
#                                          terminal false, MARK in process.env)
#   bundle.py edit FILE OP...              edit it in place; OPs:
#       set PATH JSON     e.g. set process.args '["/bin/true"]'
#       del PATH          e.g. del root.path
#       append PATH JSON  append to a list, e.g. append linux.namespaces '{"type":"bogus"}'
#       delns TYPE        drop a namespace from linux.namespaces
#   bundle.py get FILE|- PATH              print a value (strings raw, others as JSON)
# PATH is dotted; numeric parts index lists.
import json
import sys


def default(rootfs, mark):
    caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    return {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False,
            "user": {"uid": 0, "gid": 0},
            "args": ["/bin/true"],
            "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "TERM=xterm", "CTR_TEST_MARK=" + mark],
            "cwd": "/",
            # No ambient set here: runc's own default (ambient without inheritable) has a case
            # of its own in lifecycle.sh.
            "capabilities": {k: list(caps) for k in ("bounding", "effective", "permitted")},
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
            "noNewPrivileges": True,
        },
        "root": {"path": rootfs, "readonly": False},
        "hostname": "ctr-test",
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
            {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
             "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
            {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
             "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs",
             "options": ["nosuid", "noexec", "nodev", "ro"]},
        ],
        "annotations": {"org.ctr-launch.test": "yes"},
        "linux": {
            "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
            "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                            "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
            "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                              "/proc/sysrq-trigger"],
        },
    }


def walk(doc, path, create=False):
    parts = path.split(".")
    cur = doc
    for p in parts[:-1]:
        if isinstance(cur, list):
            cur = cur[int(p)]
        else:
            if p not in cur and create:
                cur[p] = {}
            cur = cur[p]
    last = parts[-1]
    return cur, (int(last) if isinstance(cur, list) else last)


def edit(doc, ops):
    i = 0
    while i < len(ops):
        op = ops[i]
        if op == "set":
            parent, key = walk(doc, ops[i + 1], create=True)
            parent[key] = json.loads(ops[i + 2])
            i += 3
        elif op == "del":
            parent, key = walk(doc, ops[i + 1])
            del parent[key]
            i += 2
        elif op == "append":
            parent, key = walk(doc, ops[i + 1], create=True)
            parent.setdefault(key, []).append(json.loads(ops[i + 2]))
            i += 3
        elif op == "delns":
            ns = doc["linux"]["namespaces"]
            doc["linux"]["namespaces"] = [n for n in ns if n.get("type") != ops[i + 1]]
            i += 2
        else:
            raise SystemExit("bundle.py: unknown op " + op)


def main(argv):
    cmd = argv[1]
    if cmd == "default":
        with open(argv[2], "w") as f:
            json.dump(default(argv[3], argv[4]), f, indent=2)
    elif cmd == "edit":
        with open(argv[2]) as f:
            doc = json.load(f)
        edit(doc, argv[3:])
        with open(argv[2], "w") as f:
            json.dump(doc, f, indent=2)
    elif cmd == "get":
        doc = json.load(sys.stdin if argv[2] == "-" else open(argv[2]))
        parent, key = walk(doc, argv[3])
        v = parent[key]
        print(v if isinstance(v, str) else json.dumps(v))
    else:
        raise SystemExit("bundle.py: unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
