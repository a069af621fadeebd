#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Cost against the number of containers (issue 17, target 4); run by bench/scale.sh.

  list      on this machine: N created containers for N in --counts (made a few at a time,
            the count growing), `ctr-launch list`, `list -q` and `list --format json` timed at
            each count, runs taking turns; the same at the largest count once the containers
            run; an strace -c of `list` at the smallest and the largest; all deleted; JSON out
  units     inside the booted test host (bundles ID-01.. in place): one `systemctl start` of
            K ctr@ units, then one `systemctl stop` of them, for K in --sizes, rounds taking
            turns, each checked (active with a main PID; inactive, Result=success, nothing
            left); JSON out
  report    on this machine: both JSON -> a markdown section (docs/performance-scale.md), also
            put in place in docs/performance.md between its markers
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

BEGIN = "<!-- begin: made by bench/scale.sh; edits between these markers are overwritten -->"
END = "<!-- end: made by bench/scale.sh -->"
LIST_VARIANTS = {"list": ["list"], "list -q": ["list", "-q"], "list --format json": ["list", "--format", "json"]}
# The target: `list` of 500 containers under 50 ms.
TARGET_N, TARGET_MS = 500, 50.0


class Failure(Exception):
    pass


def sh(*argv, check=True):
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise Failure(f"`{' '.join(argv)}` failed ({p.returncode}): {(p.stdout + p.stderr).strip()}")
    return p.stdout.strip()


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def med(xs):
    return statistics.median(xs) if xs else float("nan")


# ---------------------------------------------------------------- list (this machine)

def timed(argv):
    """Wall time in ms of one command, its output thrown away."""
    t0 = time.perf_counter()
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    t1 = time.perf_counter()
    if p.returncode != 0:
        raise Failure(f"`{' '.join(argv)}` failed ({p.returncode})")
    return (t1 - t0) * 1000


def peak_rss(argv, workdir):
    """Peak RSS in KiB of one run, from /usr/bin/time (a child of ours would count the
    pages it shared with Python before its exec); None without /usr/bin/time."""
    if not os.access("/usr/bin/time", os.X_OK):
        return None
    out = os.path.join(workdir, "rss")
    subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out, *argv], stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, check=True)
    with open(out) as f:
        return int(f.read().split()[-1])


def run_parallel(argvs, log, jobs):
    """Runs each argv, `jobs` at a time; stdout and stderr to the file log (a created
    container's init keeps them: never a pipe that would wait for it)."""
    def one(argv):
        with open(log, "a") as f:
            return subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=f, stderr=f).returncode, argv
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        bad = [argv for rc, argv in ex.map(one, argvs) if rc != 0]
    if bad:
        with open(log) as f:
            tail = f.read()[-2000:]
        raise Failure(f"{len(bad)} of {len(argvs)} commands failed, e.g. `{' '.join(bad[0])}`:\n{tail}")


def check_list(ctr, n, status):
    """`list -q` and `list --format json` show exactly n containers, all in status."""
    ids = sh(*ctr, "list", "-q").split()
    if len(ids) != n:
        raise Failure(f"list -q shows {len(ids)} containers, expected {n}")
    entries = json.loads(sh(*ctr, "list", "--format", "json"))
    odd = [e for e in entries if e["status"] != status]
    if len(entries) != n or odd:
        raise Failure(f"list --format json: {len(entries)} entries, expected {n}; "
                      f"not {status}: {odd[:2]}")


def strace_count(ctr, log):
    """System calls of one `list`, by name, from strace -c (None without strace)."""
    if not shutil.which("strace"):
        return None
    subprocess.run(["strace", "-c", "-o", log, *ctr, "list"], stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, check=True)
    calls = {}
    with open(log) as f:
        for line in f:
            m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$", line)
            if m and m.group(2) != "total":
                calls[m.group(2)] = int(m.group(1))
    return calls


def measure_list(args):
    ctr = [args.ctr, "--root", args.root]
    counts = sorted(set(args.counts))
    load_before = loadavg()
    log = os.path.join(args.workdir, "create.log")
    points, made, profiles = [], 0, {}

    def measure_point(n, status):
        check_list(ctr, n, status)
        samples = {v: [] for v in LIST_VARIANTS}
        names = list(LIST_VARIANTS)
        for i in range(args.warmup + args.runs):
            k = i % len(names)
            for v in names[k:] + names[:k]:
                ms = timed(ctr + LIST_VARIANTS[v])
                if i >= args.warmup:
                    samples[v].append(ms)
        rss = {v: peak_rss(ctr + LIST_VARIANTS[v], args.workdir) for v in names}
        points.append({"n": n, "status": status, "ms": samples, "rss_kb": rss})
        print(f"bench: {n} {status}: " + ", ".join(f"{v} {med(samples[v]):.1f} ms" for v in names),
              flush=True)

    ids = [f"scale-{i:04d}" for i in range(1, max(counts) + 1)]
    try:
        for n in counts:
            run_parallel([ctr + ["create", "--bundle", args.bundle, cid] for cid in ids[made:n]],
                         log, args.jobs)
            made = n
            measure_point(n, "created")
            if n in (counts[0], counts[-1]):
                profiles[str(n)] = strace_count(ctr, os.path.join(args.workdir, "strace.log"))
        # The same containers running: a running container's status also reads its cgroup
        # record and asks whether it is frozen (paused).
        run_parallel([ctr + ["start", cid] for cid in ids[:made]], log, args.jobs)
        measure_point(made, "running")
    finally:
        # Whatever was made, a failed batch's too.
        present = sorted(os.listdir(args.root)) if os.path.isdir(args.root) else []
        run_parallel([ctr + ["delete", "--force", cid] for cid in present], log, args.jobs)
    left = os.listdir(args.root) if os.path.isdir(args.root) else []
    if left:
        raise Failure(f"left in {args.root} after deleting them all: {left[:5]}")
    out = {
        "runs": args.runs, "warmup": args.warmup, "jobs": args.jobs, "points": points,
        "profiles": profiles, "ctr_launch": sh(args.ctr, "--version").splitlines()[0],
        "kernel": platform.release(), "cpus": os.cpu_count(), "loadavg": [load_before, loadavg()],
        "state_root_fs": args.root_fs,
    }
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
    return 0


# ---------------------------------------------------------------- units (in the test host)

def show(units, props):
    """{unit: {prop: value}} from one `systemctl show`."""
    text = sh("systemctl", "show", "-p", ",".join(["Id"] + props), *units)
    res = {}
    for block in text.split("\n\n"):
        kv = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
        res[kv["Id"]] = kv
    return res


def leftovers(ids):
    """State dirs, cgroups and processes of the containers ids, one line each."""
    left = [f"state dir: {d}" for d in os.listdir("/run/ctr-launch")] if os.path.isdir("/run/ctr-launch") else []
    names = {f"ctr@{i}.service" for i in ids} | set(ids)
    for top, dirs, _ in os.walk("/sys/fs/cgroup"):
        if top.count("/") > 8:
            dirs[:] = []
            continue
        left += [f"cgroup: {top}/{d}" for d in dirs if d in names]
    return left


def measure_units(args):
    ids = [f"{args.prefix}-{i:02d}" for i in range(1, max(args.sizes) + 1)]
    load_before = loadavg()
    import journal  # bench/journal.py, copied beside us into the test host
    cursor = journal.cursor()
    res = {str(k): {"start_ms": [], "stop_ms": []} for k in args.sizes}
    sizes = sorted(set(args.sizes))

    def once(k, record):
        units = [f"ctr@{i}.service" for i in ids[:k]]
        t0 = time.perf_counter()
        p = subprocess.run(["systemctl", "start", *units], stdin=subprocess.DEVNULL, capture_output=True, text=True)
        t1 = time.perf_counter()
        st = show(units, ["ActiveState", "MainPID"])
        bad = [u for u in units if st[u]["ActiveState"] != "active" or st[u]["MainPID"] in ("", "0")]
        if p.returncode != 0 or bad:
            raise Failure(f"systemctl start of {k} units: status {p.returncode}, not active: "
                          f"{bad[:5]}: {(p.stdout + p.stderr).strip()[-500:]}")
        time.sleep(args.settle)
        t2 = time.perf_counter()
        p = subprocess.run(["systemctl", "stop", *units], stdin=subprocess.DEVNULL, capture_output=True, text=True)
        t3 = time.perf_counter()
        st = show(units, ["ActiveState", "Result"])
        bad = [u for u in units if st[u]["ActiveState"] != "inactive" or st[u]["Result"] != "success"]
        if p.returncode != 0 or bad:
            raise Failure(f"systemctl stop of {k} units: status {p.returncode}, not inactive/success: "
                          f"{bad[:5]}: {(p.stdout + p.stderr).strip()[-500:]}")
        left = leftovers(ids[:k])
        if left:
            raise Failure(f"left after stopping {k} units: {left[:5]}")
        if record:
            res[str(k)]["start_ms"].append((t1 - t0) * 1000)
            res[str(k)]["stop_ms"].append((t3 - t2) * 1000)

    for k in sizes:
        for _ in range(args.warmup):
            once(k, False)
    print(f"bench: {args.runs} rounds of each of {', '.join(map(str, sizes))} units, taking turns", flush=True)
    for i in range(args.runs):
        k0 = i % len(sizes)
        for k in sizes[k0:] + sizes[:k0]:
            once(k, True)
        print(".", end="" if i + 1 < args.runs else "\n", flush=True)

    units = [f"ctr@{i}.service" for i in ids]
    warned = [m for m in journal.messages(cursor, units, 4) if m]
    out = {
        "runs": args.runs, "warmup": args.warmup, "settle_s": args.settle, "sizes": res,
        "warning_lines": len(warned), "warning_examples": sorted(set(warned))[:3],
        "leftover_lines": sum("left-over process" in m for m in journal.messages(cursor, units)),
        "systemd": sh("systemctl", "--version").splitlines()[0],
        "ctr_launch": sh(args.ctr, "--version").splitlines()[0],
        "loadavg": [load_before, loadavg()],
    }
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
    return 0


# ---------------------------------------------------------------- report

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def cell(xs):
    return f"{med(xs):.1f} ({min(xs):.1f} - {max(xs):.1f})" if xs else "-"


def report(args):
    with open(args.list_json) as f:
        ls = json.load(f)
    un = None
    if args.units_json and os.path.exists(args.units_json):
        with open(args.units_json) as f:
            un = json.load(f)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    pts = ls["points"]
    L = [BEGIN, "## Many containers: `list` and 50 `ctr@` units at once (issue 17)", "",
         "Made by `bash bench/scale.sh [RUNS]` (see [bench/scale.sh](../bench/scale.sh)), which "
         "keeps this section in docs/performance-scale.md and puts it in place in this page; "
         "`bench/run.sh` copies it back when it rewrites the page.", "",
         f"- date: {now}",
         f"- kernel: {ls['kernel']}; {ls['cpus']} CPUs ({cpu_model()}); {ls['ctr_launch']}",
         f"- `list`: {ls['runs']} measured runs of each command at each count (after "
         f"{ls['warmup']} warm-up runs), commands taking turns; medians (min - max). Wall time of "
         "`ctr-launch --root DIR list ...` with its output to /dev/null, fork+exec included; peak "
         "RSS of `list` from one more run under `/usr/bin/time -f %M`",
         f"- the containers: one busybox bundle, `create`d {ls['jobs']} at a time, the count "
         "growing between the measurements (inits waiting on their exec.fifo: status "
         "\"created\"); then all of them `start`ed (`sleep` as the payload: \"running\"); then "
         "all deleted, and the state root checked empty",
         f"- state root on {ls['state_root_fs']}, as /run is on a systemd host; the cgroup layout "
         "of this machine as it is",
         "- the machine's 1-minute load average: "
         f"{ls['loadavg'][0]:.2f} before the `list` runs, {ls['loadavg'][1]:.2f} after", ""]

    L += ["### `ctr-launch list` against the number of containers", "",
          "| containers | status | `list` ms | `list -q` ms | `list --format json` ms | peak RSS KiB (list) |",
          "|---:|---|---:|---:|---:|---:|"]
    for p in pts:
        L.append(f"| {p['n']} | {p['status']} | {cell(p['ms']['list'])} | {cell(p['ms']['list -q'])} | "
                 f"{cell(p['ms']['list --format json'])} | {p['rss_kb']['list'] or '-'} |")
    created = [p for p in pts if p["status"] == "created"]
    lo, hi = created[0], created[-1]
    if hi["n"] > lo["n"]:
        L += ["", "Per container, from the smallest to the largest count (created): " + "; ".join(
            f"`{v}` {(med(hi['ms'][v]) - med(lo['ms'][v])) / (hi['n'] - lo['n']) * 1000:.0f} µs"
            for v in LIST_VARIANTS) + "."]
        run = next((p for p in pts if p["status"] == "running" and p["n"] == hi["n"]), None)
        if run:
            L.append(f"Running, against the created ones at {hi['n']}: `list` "
                     f"{(med(run['ms']['list']) - med(hi['ms']['list'])) / hi['n'] * 1000:.0f} µs more "
                     "per container (the paused check).")
        mids = [p for p in created if lo["n"] < p["n"] < hi["n"]]
        for p in mids:
            slope = (med(hi["ms"]["list"]) - med(lo["ms"]["list"])) / (hi["n"] - lo["n"])
            expected = med(lo["ms"]["list"]) + slope * (p["n"] - lo["n"])
            L.append(f"At {p['n']} a straight line through {lo['n']} and {hi['n']} gives "
                     f"{expected:.1f} ms for `list`; measured {med(p['ms']['list']):.1f} ms.")
    prof = ls.get("profiles") or {}
    if all(prof.get(str(p["n"])) for p in (lo, hi)) and hi["n"] > lo["n"]:
        a, b = prof[str(lo["n"])], prof[str(hi["n"])]
        per = {k: (b.get(k, 0) - a.get(k, 0)) / (hi["n"] - lo["n"]) for k in set(a) | set(b)}
        top = sorted(((v, k) for k, v in per.items() if v >= 0.05), reverse=True)
        L += ["", f"System calls of one `list` (strace -c): {sum(a.values())} with {lo['n']} "
              f"containers, {sum(b.values())} with {hi['n']}, that is "
              f"{sum(per.values()):.1f} per container: "
              + ", ".join(f"{k} {v:.1f}" for v, k in top) + "."]

    L += ["", "### 50 `ctr@` units started and stopped at once", ""]
    if un:
        L += [f"In {un['systemd']}, booted in `systemd-nspawn` on an overlay of "
              "this machine's root (the system-test host, tests/system/lib.sh); "
              f"{un['ctr_launch']}. K bundles `scale-01` .. (busybox, payload "
              "`trap \"exit 0\" TERM; touch /shared/running; while :; do sleep 1 & wait; done`); "
              "one `systemctl start` naming the K units (systemd runs the K start jobs at once "
              "and systemctl returns when all are done), then, "
              f"{un['settle_s']} s later, one `systemctl stop` naming them. "
              f"{un['runs']} measured rounds of each K (after {un['warmup']} warm-up round), "
              "rounds taking turns; medians (min - max). Every round is checked: each unit active "
              "with a main PID after the start; inactive with Result=success after the stop, and "
              "no state dir under /run/ctr-launch, no cgroup of any of them in any hierarchy. "
              "Load average of the machine: "
              f"{un['loadavg'][0]:.2f} before, {un['loadavg'][1]:.2f} after.", "",
              "| units at once | `systemctl start` ms | per unit ms | `systemctl stop` ms | per unit ms |",
              "|---:|---:|---:|---:|---:|"]
        for k in sorted(un["sizes"], key=int):
            s = un["sizes"][k]
            L.append(f"| {k} | {cell(s['start_ms'])} | {med(s['start_ms']) / int(k):.1f} | "
                     f"{cell(s['stop_ms'])} | {med(s['stop_ms']) / int(k):.1f} |")
        L += ["", f"Journal of the units over the run: {un['warning_lines']} lines at warning "
              f"level or above, {un['leftover_lines']} \"left-over process\" lines."]
        for e in un.get("warning_examples", []):
            L.append(f"  - e.g. `{e[:160]}`")
    else:
        L.append("Not measured in this run (the test host did not come up; see the run's output).")

    L += ["", "### Target (issue 17, target 4)", ""]
    for status in ("created", "running"):
        at = next((p for p in pts if p["n"] == TARGET_N and p["status"] == status), None)
        if not at:
            L.append(f"- `list` of {TARGET_N} {status} containers: not measured")
            continue
        x = med(at["ms"]["list"])
        ok = x < TARGET_MS
        L.append(f"- `list` of {TARGET_N} {status} containers: {x:.1f} ms against a limit of "
                 f"{TARGET_MS:.0f} ms: **{'met' if ok else 'missed'}** (`list -q` "
                 f"{med(at['ms']['list -q']):.1f} ms, `--format json` "
                 f"{med(at['ms']['list --format json']):.1f} ms)")
    if un:
        L.append("- 50 units started at once, each active with the container as its main process, "
                 "and after stopping them no state, no cgroup: **met** in every round (a round that "
                 "is not stops the benchmark); tests/system/scale.sh checks the same as behaviour, "
                 "processes included")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from splice import publish  # bench/splice.py; here, not at the top: a test host has no copy
    publish(L, "### Where the time goes", args.notes_file, BEGIN, END, args.fragment, args.doc)
    return 0



def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("list")
    m.add_argument("--ctr", required=True)
    m.add_argument("--root", required=True, help="the state root (--root), on a tmpfs")
    m.add_argument("--root-fs", default="a tmpfs", help="what the state root is on, for the report")
    m.add_argument("--bundle", required=True)
    m.add_argument("--workdir", required=True)
    m.add_argument("--counts", type=lambda s: [int(x) for x in s.split(",")], default=[0, 100, 250, 500])
    m.add_argument("--runs", type=int, default=20)
    m.add_argument("--warmup", type=int, default=2)
    m.add_argument("--jobs", type=int, default=4)
    m.add_argument("--out", required=True)
    u = sub.add_parser("units")
    u.add_argument("--ctr", required=True, help="ctr-launch in the test host (for --version)")
    u.add_argument("--prefix", default="scale")
    u.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[1, 10, 50])
    u.add_argument("--runs", type=int, default=5)
    u.add_argument("--warmup", type=int, default=1)
    u.add_argument("--settle", type=float, default=0.5)
    u.add_argument("--out", required=True)
    r = sub.add_parser("report")
    r.add_argument("--list-json", required=True)
    r.add_argument("--units-json")
    r.add_argument("--fragment", required=True, help="the section alone: docs/performance-scale.md")
    r.add_argument("--doc", required=True, help="docs/performance.md: the section goes in place")
    r.add_argument("--notes-file", help="hand-written notes for the section")
    args = ap.parse_args()
    try:
        return {"list": measure_list, "units": measure_units, "report": report}[args.cmd](args)
    except Failure as e:
        print(f"bench: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
