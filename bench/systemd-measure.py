#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Times `systemctl start` and `systemctl stop` of units side by side; run by bench/systemd.sh.

  measure   inside the booted test host (the units, bundles and unit files are in place):
            N interleaved runs of each unit, the relay's memory, journal counts; JSON out
  report    on this machine: the JSON -> a markdown section (docs/performance-systemd.md),
            which is also put in place in docs/performance.md between its markers

`systemctl start` returns once the job is done: for Type=notify once READY=1 came and the
unit is active, for Type=exec once the main process was exec'd; `systemctl stop` once the
unit is inactive, ExecStopPost= included. So the wall time of each call is the time asked for;
it includes the fork+exec of systemctl and its D-Bus round trips, alike for every unit.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

def markers(host):
    """The markers of the section bench/systemd.sh writes, one pair per test host."""
    where = "" if host == "nspawn" else " in the VM test host"
    return (f"<!-- begin: made by bench/systemd.sh{where}; edits between these markers are overwritten -->",
            f"<!-- end: made by bench/systemd.sh{where} -->")


HOSTS = {
    "nspawn": ("", "`systemd-nspawn` on an overlay of this machine's root (the system-test host, "
               "tests/system/lib.sh)", "docs/performance-systemd.md"),
    "vm": (" in the VM test host", "a qemu VM under TCG (no KVM), Debian 12's own kernel and unified "
           "cgroups (the VM test host, tests/system/host-vm.sh, docs/vm-test-host.md): every "
           "millisecond is many times a real machine's, the ratios are what to read",
           "docs/performance-systemd-vm.md"),
}


class Failure(Exception):
    pass


def sh(*argv, check=True):
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise Failure(f"`{' '.join(argv)}` failed ({p.returncode}): {(p.stdout + p.stderr).strip()}")
    return p.stdout.strip()


def timed(*argv):
    """Wall time in ms of one command; its output only if it fails."""
    t0 = time.perf_counter()
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    t1 = time.perf_counter()
    return (t1 - t0) * 1000, p.returncode, (p.stdout + p.stderr).strip()


def prop(unit, name):
    return sh("systemctl", "show", "-p", name, "--value", unit)


def journal_tail(unit):
    return sh("journalctl", "-u", unit, "--no-pager", "-n", "20", "-o", "cat", check=False)


def relay_of(cid):
    """The PID of the relay that `ctr-launch start ID` leaves for "container" readiness."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")[:-1]
        except OSError:
            continue
        # `ctr-launch [OPTIONS] start [--] ID`
        if (len(argv) >= 3 and os.path.basename(argv[0]) == b"ctr-launch"
                and b"start" in argv[1:-1] and argv[-1] == cid.encode()):
            return int(pid)
    raise Failure(f"no `ctr-launch start {cid}` process (the relay) while ctr@{cid} is active")


def smaps_rollup(pid):
    kb = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                kb[parts[0].rstrip(":")] = int(parts[1])
    return kb


class Arm:
    def __init__(self, spec):
        # NAME=UNIT, or NAME=UNIT=relay:ID for a ctr@ID of "container" readiness.
        parts = spec.split("=")
        self.name, self.unit = parts[0], parts[1]
        self.relay_id = parts[2].split(":", 1)[1] if len(parts) > 2 else None
        self.start_ms, self.stop_ms = [], []
        self.relay = []  # smaps_rollup of the relay, one per run

    def once(self, settle, record):
        ms, rc, out = timed("systemctl", "start", self.unit)
        state = prop(self.unit, "ActiveState")
        if rc != 0 or state != "active":
            raise Failure(f"systemctl start {self.unit}: status {rc}, {state}: {out}\n"
                          + journal_tail(self.unit))
        start = ms
        # The payload must have installed its TERM trap before it is asked to stop: a
        # container's PID 1 without a handler ignores TERM (TimeoutStopSec= would follow).
        time.sleep(settle)
        if self.relay_id:
            kb = smaps_rollup(relay_of(self.relay_id))
        ms, rc, out = timed("systemctl", "stop", self.unit)
        state, result = prop(self.unit, "ActiveState"), prop(self.unit, "Result")
        if rc != 0 or state != "inactive" or result != "success":
            raise Failure(f"systemctl stop {self.unit}: status {rc}, {state}/{result}: {out}\n"
                          + journal_tail(self.unit))
        if record:
            self.start_ms.append(start)
            self.stop_ms.append(ms)
            if self.relay_id:
                self.relay.append(kb)


def loadavg():
    """The machine's 1-minute load average: the test host shares this machine's CPUs."""
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def measure(args):
    arms = [Arm(s) for s in args.arm]
    load_before = loadavg()
    import journal  # bench/journal.py, copied beside us into the test host
    cursor = journal.cursor()
    for _ in range(args.warmup):
        for arm in arms:
            arm.once(args.settle, False)
    print(f"bench: {args.runs} runs of each, units taking turns: "
          + ", ".join(a.unit for a in arms), flush=True)
    for i in range(args.runs):
        k = i % len(arms)
        for arm in arms[k:] + arms[:k]:
            arm.once(args.settle, True)
        print(".", end="" if i + 1 < args.runs else "\n", flush=True)

    units = {}
    for arm in arms:
        text = sh("systemctl", "cat", arm.unit)
        leftover = sum("left-over process" in m for m in journal.messages(cursor, [arm.unit]))
        # Every line at warning level or above, whoever logged it (systemd, ctr-launch, the
        # payload's stderr would be info).
        warned = [m for m in journal.messages(cursor, [arm.unit], 4) if m]
        units[arm.name] = {
            "unit": arm.unit, "text": text, "start_ms": arm.start_ms, "stop_ms": arm.stop_ms,
            "relay": arm.relay, "starts": args.warmup + args.runs, "leftover_warnings": leftover,
            "warning_lines": len(warned), "warning_examples": sorted(set(warned))[:3],
        }
    out = {
        "runs": args.runs, "warmup": args.warmup, "settle_s": args.settle,
        "systemd": sh("systemctl", "--version").splitlines()[0],
        "ctr_launch": sh(args.ctr, "--version").splitlines()[0],
        "kernel": platform.release(), "cpus": os.cpu_count(), "units": units,
        "loadavg": [load_before, loadavg()],
    }
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
    return 0


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def report(args):
    with open(args.json) as f:
        r = json.load(f)
    u = r["units"]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    title, booted, fragment = HOSTS[args.host]
    begin, end = markers(args.host)
    cmd = "bash bench/systemd.sh [RUNS]" if args.host == "nspawn" else "CTR_TEST_HOST=vm bash bench/systemd.sh [RUNS]"
    L = [begin, f"## Under systemd{title}: `ctr@` against a plain unit (issues 5 and 17)", "",
         f"Made by `{cmd}` (see [bench/systemd.sh](../bench/systemd.sh)), "
         f"which also keeps this section in {fragment}, from where "
         "`bench/run.sh` copies it back when it rewrites this page.", "",
         f"- date: {now}",
         f"- kernel: {r['kernel']}; {r['cpus']} CPUs ({cpu_model()}); {r['systemd']}, booted in "
         f"{booted}; {r['ctr_launch']}",
         f"- {r['runs']} measured runs of each unit (after {r['warmup']} warm-up runs), units "
         "taking turns in a rotating order; medians (min - max)",
         "- start: wall time of `systemctl start UNIT` (it returns once the unit is active); stop: "
         "of `systemctl stop UNIT` (once it is inactive, `ExecStopPost=` done); both include "
         "systemctl's own fork+exec and D-Bus round trips, alike for every unit; the caller runs "
         "inside the test host (nsenter), not timed: "
         f"{r['settle_s']} s between start and stop",
         "- every start and stop is checked: active after start; inactive with Result=success "
         "after stop",
         "- state roots (/run/ctr-launch) on the test host's /run, a tmpfs; the bundles' rootfs is "
         "busybox-static on the overlay",
         "- the machine's 1-minute load average (the test host shares its CPUs): "
         f"{r['loadavg'][0]:.2f} before the runs, {r['loadavg'][1]:.2f} after", ""]

    def cell(xs):
        if not xs:
            return "-"
        return f"{med(xs):.1f} ({min(xs):.1f} - {max(xs):.1f})"

    def row(name, what, ref=None):
        a = u[name]
        s, t = med(a["start_ms"]), med(a["stop_ms"])
        ratio = ""
        if ref:
            b = u[ref]
            ratio = (f" | {s / med(b['start_ms']):.2f}x | {t / med(b['stop_ms']):.2f}x | "
                     f"{(s + t) / (med(b['start_ms']) + med(b['stop_ms'])):.2f}x")
        else:
            ratio = " | - | - | -"
        return f"| `{a['unit']}` | {what} | {cell(a['start_ms'])} | {cell(a['stop_ms'])}{ratio} |"

    hdr = ["| unit | what | start ms | stop ms | start ratio | stop ratio | start+stop ratio |",
           "|---|---|---:|---:|---:|---:|---:|"]
    L += ["### Payload as in the issue: `trap \"exit 0\" TERM; while :; do sleep 1; done`", "",
          "Ratios are to `demo-plain.service`, the plain unit with sandboxing.", ""]
    L += hdr + [row("ctr", "ctr-launch, \"exec\" readiness", "plain"),
                row("plain", "Type=exec, RootDirectory= + sandboxing", "plain"),
                row("bare", "Type=exec, RootDirectory= only", "plain")]
    L += ["", "### Payload whose wait the stop signal interrupts: "
          "`trap \"exit 0\" TERM; while :; do sleep 1 & wait; done`", "",
          "The same units with this payload (bundles `demo-wait`, `demo-notify`): the stop time "
          "is the launcher's and systemd's, not the payload's `sleep`. Ratios to "
          "`demo-plain-wait.service`.", ""]
    L += hdr + [row("ctr_wait", "ctr-launch, \"exec\" readiness", "plain_wait"),
                row("plain_wait", "Type=exec, RootDirectory= + sandboxing", "plain_wait"),
                row("notify", "ctr-launch, \"container\" readiness (payload sends READY=1 first)",
                    "plain_wait")]

    # Target (issue 5): within 1.3x of the plain unit.
    L += ["", "### Target (issue 5)", "",
          "`systemctl start` and `systemctl stop` of `ctr@` within 1.3x of the plain unit's "
          "(medians).", ""]
    verdicts = []
    for name, ref, label in (("ctr", "plain", "issue's payload"),
                             ("ctr_wait", "plain_wait", "interruptible payload")):
        for what, key in (("start", "start_ms"), ("stop", "stop_ms")):
            x, y = med(u[name][key]), med(u[ref][key])
            ok = x <= 1.3 * y
            verdicts.append(ok)
            L.append(f"- {what}, {label}: {x:.1f} ms against a limit of {1.3 * y:.1f} ms "
                     f"(1.3 x `{u[ref]['unit']}`'s {y:.1f} ms): **{'met' if ok else 'missed'}**")
        x = med(u[name]["start_ms"]) + med(u[name]["stop_ms"])
        y = med(u[ref]["start_ms"]) + med(u[ref]["stop_ms"])
        L.append(f"- start+stop, {label}: {x / y:.2f}x (for information)")
    x, y = med(u["ctr"]["start_ms"]), med(u["bare"]["start_ms"])
    L.append(f"- for information, against the bare `RootDirectory=` unit: start {x / y:.2f}x, "
             f"stop {med(u['ctr']['stop_ms']) / med(u['bare']['stop_ms']):.2f}x "
             "(issue's payload)")

    # The relay.
    rel = u["notify"]["relay"]
    def col(f):
        xs = [f(k) for k in rel]
        return f"{med(xs):.0f} ({min(xs)} - {max(xs)})"
    L += ["", "### The relay of \"container\" readiness", "",
          "`ctr-launch start ID` stays in the unit for the container's life when the container "
          "speaks sd_notify itself (docs/systemd.md). Its memory, from "
          "`/proc/PID/smaps_rollup` while `ctr@demo-notify` is active (after the pause between start and stop), "
          f"median (min - max) over {len(rel)} runs:", "",
          "| private KiB (Private_Clean + Private_Dirty) | Private_Dirty KiB | Private_Clean KiB "
          "| Pss KiB | Rss KiB |",
          "|---:|---:|---:|---:|---:|",
          "| " + " | ".join(col(f) for f in (
              lambda k: k.get("Private_Clean", 0) + k.get("Private_Dirty", 0),
              lambda k: k.get("Private_Dirty", 0), lambda k: k.get("Private_Clean", 0),
              lambda k: k.get("Pss", 0), lambda k: k.get("Rss", 0))) + " |", "",
          "Private_Clean is file pages (the binary's and its libraries') that no other process "
          "maps at that moment: page cache, shared again as soon as another `ctr-launch` (or any "
          "GLib program) runs, and reclaimable; Private_Dirty (the heap, the stack, relocated "
          "data) is what the relay alone costs."]

    L += ["", "### Warnings in the journal", "",
          "Lines of each unit's journal over the run (`journalctl -u UNIT`, every start and stop "
          "of it): at warning level or above, and systemd's \"Found left-over process\" lines "
          "(docs/systemd.md) at any level:", ""]
    for name in ("ctr", "ctr_wait", "notify"):
        a = u[name]
        L.append(f"- `{a['unit']}`: {a['warning_lines']} lines at warning or above, "
                 f"{a['leftover_warnings']} left-over lines, over {a['starts']} starts and stops")
        for example in a.get("warning_examples", []):
            L.append(f"  - e.g. `{example[:160]}`")

    L += ["", "### The units", "",
          "`ctr@.service` as installed (units/ctr@.service.in); `Type=exec` for the plain units, "
          "not `simple`: with `simple` `systemctl start` returns as soon as systemd forked, before "
          "the payload was exec'd or even found, so it would time less work than `ctr@` does "
          "(active once the container's process was exec'd, an exec failure failing the start); "
          "`exec` is the same promise. The plain units' sandboxing mirrors the bundle's "
          "config.json from `ctr-launch spec` where systemd 252 has a setting for it: network, "
          "IPC and UTS namespaces, a read-only root, private /dev, read-only /proc/sys, /sys and "
          "cgroups, the same three capabilities, no_new_privs, RLIMIT_NOFILE. Not there: a PID "
          "namespace (`PrivatePIDs=` came in systemd 257), a cgroup namespace, the hostname, the "
          "masked /proc files. `PrivateTmp=` is left out: the container's /tmp is part of its "
          "read-only root, so a writable private /tmp would be more than the container gets (and "
          "more work for systemd). `StartLimitIntervalSec=0` only keeps systemd's start rate "
          "limit (5 in 10 s by default) from refusing the benchmark's starts.", ""]
    for name in ("plain", "bare", "plain_wait"):
        L += [f"`{u[name]['unit']}`:", "", "```ini", u[name]["text"].strip(), "```", ""]
    L += ["The bundles (`/var/lib/ctr-launch/ID`): busybox-static rootfs, config.json from "
          "`ctr-launch spec` with process.args set; `demo-notify` has the annotation "
          "`org.ctr-launch.readiness=container` and a static sd_notify helper "
          "(tests/helpers/sd-notify-static) that its payload runs as `sd-notify-static READY=1` "
          "before the loop.", ""]
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from splice import publish  # bench/splice.py; here, not at the top: a test host has no copy
    publish(L, "### Why", args.notes_file, begin, end, args.fragment, args.doc)
    return 0



def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("measure")
    m.add_argument("--runs", type=int, default=20)
    m.add_argument("--warmup", type=int, default=2)
    m.add_argument("--settle", type=float, default=0.3)
    m.add_argument("--ctr", required=True, help="ctr-launch in the test host (for --version)")
    m.add_argument("--arm", action="append", required=True, metavar="NAME=UNIT[=relay:ID]")
    m.add_argument("--out", required=True)
    r = sub.add_parser("report")
    r.add_argument("--json", required=True)
    r.add_argument("--fragment", required=True, help="the section alone: docs/performance-systemd.md")
    r.add_argument("--doc", required=True, help="docs/performance.md: the section goes in place")
    r.add_argument("--notes-file", help="hand-written notes for the section")
    r.add_argument("--host", choices=sorted(HOSTS), default="nspawn", help="the test host it ran in")
    args = ap.parse_args()
    try:
        return measure(args) if args.cmd == "measure" else report(args)
    except Failure as e:
        print(f"bench: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
