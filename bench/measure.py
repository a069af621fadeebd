#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Times OCI runtimes side by side on one bundle; run by bench/run.sh, which sets up the
mount namespace. Two workloads per runtime:

  run      `RUNTIME --root R run --bundle B ID` of /bin/true
  c+s+d    `create --pid-file F`, `start`, (the container exits), `delete`: the sum of the
           three commands' wall times; waiting for the container to exit is not counted

Runtimes take turns within each iteration (in a rotating order), so drift on the machine
hits them all alike. Peak RSS is ru_maxrss of each runtime process (the same
number as `/usr/bin/time -f %M`, which we use; it covers the children the process reaped
itself); the peak of a runtime is the largest over all its processes.

We make ourselves a child subreaper: a container's init outlives `create`, and on a machine
whose PID 1 never reaps, it would otherwise stay a zombie.
"""

import argparse
import ctypes
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

PR_SET_CHILD_SUBREAPER = 36


class Failure(Exception):
    pass


def set_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


TIME = "/usr/bin/time"


def spawn(argv, out_path):
    """Runs argv under `/usr/bin/time -f %M`, stdin /dev/null, stdout+stderr to out_path.
    Returns (wall seconds, peak RSS KiB, exit status).

    Not wait4() of our own child: posix_spawn() vforks, and execve() folds the high-water RSS
    of the mm it leaves (Python's, here) into the new program's ru_maxrss. time(1) forks from a
    small process, so only its own few hundred KiB can leak in, and it does so for every
    runtime alike; its fork+exec is inside every wall time alike too."""
    rss_path = out_path + ".rss"
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    full = [TIME, "-f", "%M", "-o", rss_path, "--", *argv]
    t0 = time.perf_counter()
    pid = os.posix_spawn(TIME, full, os.environ, file_actions=actions)
    _, status, _ = os.wait4(pid, 0)
    t1 = time.perf_counter()
    rss = 0
    try:
        with open(rss_path) as f:
            # time(1) puts "Command exited with non-zero status N" first on failure.
            rss = int(f.read().split()[-1])
    except (OSError, ValueError, IndexError):
        pass
    return t1 - t0, rss, os.waitstatus_to_exitcode(status)


def read_output(path):
    try:
        with open(path, errors="replace") as f:
            return f.read().strip()
    except OSError:
        return ""


def reap_strays():
    """Reaps every exited child (containers' inits reparented to us)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def wait_exit(pid, timeout=10.0):
    """Waits for a container's init to exit: reaps it if it became our child, else polls."""
    deadline = time.monotonic() + timeout
    try:
        os.waitpid(pid, 0)
        return
    except ChildProcessError:
        pass
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return
        if state in ("Z", "X"):
            return
        time.sleep(0.001)
    raise Failure(f"container init {pid} still alive after {timeout}s")


class Runtime:
    def __init__(self, name, path, workdir, bundle):
        self.name = name
        self.path = path
        self.bundle = bundle
        self.root = os.path.join(workdir, "state-" + name)
        os.makedirs(self.root, mode=0o700, exist_ok=True)
        self.out = os.path.join(workdir, "out-" + name)
        self.pidfile = os.path.join(workdir, "pid-" + name)
        self.counter = 0
        self.run_ms = []
        self.csd_ms = []
        self.step_ms = {"create": [], "start": [], "delete": []}
        self.rss = {"run": 0, "create": 0, "start": 0, "delete": 0}
        self.version = version_of(path)

    def cmd(self, *args):
        return [self.path, "--root", self.root, *args]

    def call(self, what, argv):
        wall, rss, status = spawn(argv, self.out)
        if status != 0:
            raise Failure(f"{self.name}: `{' '.join(argv)}` failed (exit status {status}): "
                          f"{read_output(self.out)}")
        self.rss[what] = max(self.rss[what], rss)
        return wall

    def new_id(self):
        self.counter += 1
        return f"bench-{self.name}-{os.getpid()}-{self.counter}"

    def run_once(self, record):
        cid = self.new_id()
        wall = self.call("run", self.cmd("run", "--bundle", self.bundle, cid))
        reap_strays()
        if record:
            self.run_ms.append(wall * 1000)

    def csd_once(self, record):
        cid = self.new_id()
        try:
            os.unlink(self.pidfile)
        except FileNotFoundError:
            pass
        c = self.call("create", self.cmd("create", "--bundle", self.bundle, "--pid-file",
                                         self.pidfile, cid))
        with open(self.pidfile) as f:
            init_pid = int(f.read().strip())
        s = self.call("start", self.cmd("start", cid))
        wait_exit(init_pid)
        d = self.call("delete", self.cmd("delete", cid))
        reap_strays()
        if record:
            self.step_ms["create"].append(c * 1000)
            self.step_ms["start"].append(s * 1000)
            self.step_ms["delete"].append(d * 1000)
            self.csd_ms.append((c + s + d) * 1000)

    def cleanup(self):
        """Deletes whatever a failed iteration left behind."""
        try:
            ids = os.listdir(self.root)
        except OSError:
            return
        for cid in ids:
            if cid.startswith("bench-"):
                subprocess.run(self.cmd("delete", "--force", cid), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        reap_strays()

    @property
    def peak_rss(self):
        return max(self.rss.values())


class Baseline:
    """`unshare` + `chroot` with the bundle's namespaces: the cost of the kernel work alone."""

    name = "unshare+chroot"

    def __init__(self, rootfs, workdir):
        self.argv = ["/usr/bin/unshare", "--fork", "--pid", "--net", "--ipc", "--uts", "--mount",
                     "/usr/sbin/chroot", rootfs, "/bin/true"]
        self.out = os.path.join(workdir, "out-baseline")
        self.run_ms = []

    def run_once(self, record):
        wall, _, status = spawn(self.argv, self.out)
        if status != 0:
            raise Failure(f"baseline `{' '.join(self.argv)}` failed: {read_output(self.out)}")
        if record:
            self.run_ms.append(wall * 1000)


def version_of(path):
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
        return out.stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def fmt_ms(x):
    return f"{x:.1f}"


def fmt_ratio(x, ref):
    if ref is None or not ref or x != x:
        return "-"
    return f"{x / ref:.2f}x"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--out", help="write the report (markdown) here")
    ap.add_argument("--runtime", action="append", default=[], metavar="NAME=PATH")
    ap.add_argument("--note", action="append", default=[], help="a line for the report")
    ap.add_argument("--baseline", action="store_true", help="also time unshare+chroot")
    ap.add_argument("--notes-file", help="markdown appended under \"Why\" (bench/notes.md)")
    ap.add_argument("--layout-file", help="a file whose one line says how cgroups were set up")
    ap.add_argument("--append-file", action="append", default=[],
                    help="a section made elsewhere, appended as it is if it exists "
                         "(docs/performance-systemd.md, from bench/systemd.sh)")
    args = ap.parse_args()
    if args.layout_file:
        with open(args.layout_file) as f:
            layout = f.read().strip()
        print(f"bench: {layout}", flush=True)
        args.note.insert(0, layout)

    set_subreaper()
    runtimes = []
    for spec in args.runtime:
        name, path = spec.split("=", 1)
        runtimes.append(Runtime(name, path, args.workdir, args.bundle))
    baseline = Baseline(os.path.join(args.bundle, "rootfs"), args.workdir) if args.baseline else None

    # Warm-up also checks that every runtime accepts the bundle; one that does not is dropped
    # with its error, except ctr-launch, whose failure fails the benchmark.
    dropped = []
    for rt in list(runtimes):
        try:
            for _ in range(args.warmup):
                rt.run_once(False)
                rt.csd_once(False)
        except Failure as e:
            print(f"bench: {e}", file=sys.stderr)
            rt.cleanup()
            if rt.name == "ctr-launch":
                return 1
            dropped.append(f"{rt.name}: {e}")
            runtimes.remove(rt)
    if baseline:
        try:
            baseline.run_once(False)
        except Failure as e:
            print(f"bench: {e}", file=sys.stderr)
            baseline = None

    print(f"bench: {args.runs} runs of each, runtimes taking turns: "
          + ", ".join(rt.name for rt in runtimes), flush=True)
    for i in range(args.runs):
        k = i % len(runtimes)
        for rt in runtimes[k:] + runtimes[:k]:
            try:
                rt.run_once(True)
                rt.csd_once(True)
            except Failure as e:
                print(f"bench: {e}", file=sys.stderr)
                rt.cleanup()
                return 1
        print(".", end="" if i + 1 < args.runs else "\n", flush=True)
    # The baseline after the runtimes, not between them: the network namespace it leaves is torn
    # down by the kernel in the background (RCU grace periods), and the next runtime's first
    # write to a v1 cgroup.procs, which waits for one, paid for it (ctr-launch's `run`: 9.0 ms
    # alone, 13.5 ms with the baseline between the runs, on 2026-12-03).
    if baseline:
        for _ in range(args.runs):
            baseline.run_once(True)

    crun = next((rt for rt in runtimes if rt.name == "crun"), None)
    ref_run = median(crun.run_ms) if crun else None
    ref_csd = median(crun.csd_ms) if crun else None

    header = ("| runtime | version | `run` median ms | ratio to crun | create+start+delete median ms "
              "| ratio to crun | peak RSS KiB |")
    lines = [header, "|---|---|---:|---:|---:|---:|---:|"]
    for rt in runtimes:
        r, c = median(rt.run_ms), median(rt.csd_ms)
        lines.append(f"| {rt.name} | {rt.version} | {fmt_ms(r)} | {fmt_ratio(r, ref_run)} | "
                     f"{fmt_ms(c)} | {fmt_ratio(c, ref_csd)} | {rt.peak_rss} |")
    if baseline:
        r = median(baseline.run_ms)
        lines.append(f"| {baseline.name} (no runtime) | util-linux | {fmt_ms(r)} | "
                     f"{fmt_ratio(r, ref_run)} | - | - | - |")

    detail = ["| runtime | create ms | start ms | delete ms | peak RSS KiB: run / create / start / delete |",
              "|---|---:|---:|---:|---|"]
    for rt in runtimes:
        detail.append(f"| {rt.name} | {fmt_ms(median(rt.step_ms['create']))} | "
                      f"{fmt_ms(median(rt.step_ms['start']))} | {fmt_ms(median(rt.step_ms['delete']))} | "
                      f"{rt.rss['run']} / {rt.rss['create']} / {rt.rss['start']} / {rt.rss['delete']} |")

    ours = next((rt for rt in runtimes if rt.name == "ctr-launch"), None)
    verdict = []
    met_all = None
    checks = []
    if ours and crun:
        checks += [
            ("`run` median wall time", median(ours.run_ms), 0.6 * ref_run, "ms", f"0.6 x crun's {ref_run:.1f} ms"),
            ("create+start+delete median wall time", median(ours.csd_ms), 0.6 * ref_csd, "ms",
             f"0.6 x crun's {ref_csd:.1f} ms"),
            ("peak RSS", ours.peak_rss, crun.peak_rss, "KiB", "crun's"),
        ]
    if ours:
        # Issue 17: `run` does in one process what the three commands do in three.
        checks.append(("`run` against its own create+start+delete", median(ours.run_ms), median(ours.csd_ms),
                       "ms", "ctr-launch's create+start+delete median"))
        met_all = True
    for what, value, limit, unit, against in checks:
        ok = value <= limit
        met_all &= ok
        v = f"{value:.1f}" if unit == "ms" else str(value)
        lim = f"{limit:.1f}" if unit == "ms" else str(limit)
        verdict.append(f"- {what}: {v} {unit} against a limit of {lim} {unit} ({against}): "
                       f"**{'met' if ok else 'missed'}**")
    if not (ours and crun):
        verdict.append("- against crun: cannot be judged: " + ("crun is not installed" if ours else "ctr-launch did not run"))

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass

    report = [
        "# Performance",
        "",
        "Made by `bash bench/run.sh` (see [bench/run.sh](../bench/run.sh)); rerun it to refresh this page.",
        "",
        f"- date: {now}",
        f"- kernel: {platform.release()}; {os.cpu_count()} CPUs ({cpu})",
        "- versions: " + "; ".join(f"{rt.name}: {rt.version}" for rt in runtimes),
        f"- {args.runs} measured runs of each workload and runtime (after {args.warmup} warm-up runs), "
        "runtimes taking turns; medians",
        "- workload `run`: `RUNTIME --root DIR run --bundle B ID`, the container's process is `/bin/true`",
        "- workload create+start+delete: the sum of the wall times of `create --pid-file F`, `start` "
        "and `delete` (waiting for `/bin/true` to exit between `start` and `delete` is not counted)",
        "- peak RSS: the largest `ru_maxrss` (from `/usr/bin/time -f %M`) over all the runtime's "
        "processes; every command, the baseline included, runs under `/usr/bin/time`, whose fork+exec "
        "is in every wall time alike",
    ]
    report += [f"- {n}" for n in args.note]
    report += [f"- dropped: {d}" for d in dropped]
    report += ["", "## Results", ""] + lines + ["", "Per step (medians):", ""] + detail
    report += ["", "## Targets (issues 2 and 17)", "",
               "ctr-launch at or below 0.6x crun's median wall time and at or below crun's peak RSS; "
               "`run` never slower than ctr-launch's own create+start+delete.",
               ""] + verdict
    if met_all is not None:
        report += ["", f"Overall: the targets are **{'met' if met_all else 'missed'}**."]
    if args.notes_file and os.path.exists(args.notes_file):
        with open(args.notes_file) as f:
            report += ["", "## Why", "", f.read().strip()]
    for path in args.append_file:
        if os.path.exists(path):
            with open(path) as f:
                report += ["", f.read().strip()]
    text = "\n".join(report) + "\n"

    print()
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
        print(f"bench: wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
