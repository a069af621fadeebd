#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The command agent of the VM test host (tests/system/host-vm.sh), run as a service in the VM.

JOBS (the argument) is a directory that the test, outside the VM, sees live: the VM's root is
an overlay mounted on the test's machine and shared with the VM over virtio-9p. The test makes
a job as a hidden directory, then renames it to its final name, so that a job appears whole:

    JOBS/NAME/argv       the command, each argument ended by a NUL byte
    JOBS/NAME/env        its whole environment, each NAME=VALUE ended by a NUL byte (what
                         `env -i` would do, without an exec that costs a tenth of a second
                         under TCG)
    JOBS/NAME/deadline   seconds: past them the job's process group is SIGKILLed
    JOBS/NAME/stdin      optional: the command's stdin (/dev/null without it)

There is no inotify over 9p for changes made on the other side, so the test also writes a byte
to a virtio-serial port of the VM (its name the second argument, org.ctr-launch.agent) after
each job it makes and each kill it asks for; the agent sleeps on that port and on the
pidfds of its running jobs, and looks at JOBS when one of them wakes it, or every second (the
jobs' deadlines, a byte lost). Without the port it polls JOBS, as it did before the port
existed: under TCG those looks took a fifth of a vCPU, which the tests' own commands now get.
The agent runs each new job as root in a session of its own, with stdout and stderr into
JOBS/NAME/stdout and stderr, and once it has exited writes JOBS/NAME/rc (its exit status, 128+N for a signal; 127 if it
could not be executed) through a rename, so that rc appears whole and last. The test may ask
for a running job to be killed by making JOBS/NAME/kill. The test removes the job's directory
once it has read it; jobs run concurrently.
"""

import os
import select
import signal
import subprocess
import sys
import time

POLL_IDLE = 0.05  # seconds between looks at JOBS when nothing runs, without the port
POLL_BUSY = 0.02  # and while jobs run
LOOK_EVERY = 1.0  # with the port: the longest sleep between two looks


def write_rc(path, rc):
    try:
        with open(os.path.join(path, ".rc"), "w") as f:
            f.write("%d\n" % rc)
        os.rename(os.path.join(path, ".rc"), os.path.join(path, "rc"))
    except OSError:
        pass  # the test gave up on the job and removed it


def start(path):
    """Starts the job in PATH: (Popen, deadline), or None if it finished or vanished at once."""
    try:
        with open(os.path.join(path, "argv"), "rb") as f:
            argv = f.read().split(b"\0")[:-1]
        with open(os.path.join(path, "env"), "rb") as f:
            env = dict(e.split(b"=", 1) for e in f.read().split(b"\0")[:-1])
        with open(os.path.join(path, "deadline")) as f:
            deadline = time.monotonic() + float(f.read())
        stdin_path = os.path.join(path, "stdin")
        stdin = open(stdin_path if os.path.exists(stdin_path) else os.devnull, "rb")
        out = open(os.path.join(path, "stdout"), "wb")
        err = open(os.path.join(path, "stderr"), "wb")
    except (OSError, ValueError):
        return None  # removed under us, or not a job
    try:
        if not argv:
            raise OSError(2, "empty command")
        proc = subprocess.Popen(argv, stdin=stdin, stdout=out, stderr=err, cwd="/", env=env,
                                start_new_session=True)
    except OSError as e:
        err.write(b"%s: %s\n" % (argv[0] if argv else b"", (e.strerror or str(e)).encode()))
        err.flush()
        write_rc(path, 127)
        return None
    finally:
        stdin.close()
        out.close()
        err.close()
    return proc, deadline


def open_port(name):
    """The virtio-serial port NAME, open for reading without blocking, or None (then the agent
    polls)."""
    ports = "/sys/class/virtio-ports"
    try:
        for dev in sorted(os.listdir(ports)):
            with open(os.path.join(ports, dev, "name")) as f:
                if f.read().strip() == name:
                    return os.open("/dev/" + dev, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        print("kick port %s: %s: polling" % (name, e), flush=True)
        return None
    print("no kick port %s: polling" % name, flush=True)
    return None


def pidfd(proc):
    try:
        return os.pidfd_open(proc.pid)
    except OSError:
        return None  # reaped already, or no pidfd: the next look finds it


def wait_for_news(port, running, pidfds):
    """Sleeps until a kick on the port, a job's exit, a deadline or LOOK_EVERY; drains kicks."""
    now = time.monotonic()
    timeout = min([LOOK_EVERY] + [max(0.0, d - now) for _, d in running.values()])
    fds = [port] + [fd for fd in pidfds.values() if fd is not None]
    readable, _, _ = select.select(fds, [], [], timeout)
    if port in readable:
        try:
            while os.read(port, 4096):
                pass
        except BlockingIOError:
            pass


def main():
    jobs = sys.argv[1]
    port = open_port(sys.argv[2]) if len(sys.argv) > 2 else None
    running = {}  # name: (Popen, deadline)
    pidfds = {}  # name: pidfd of a running job, or None
    seen = set()  # names started (and maybe finished) whose directory still exists
    print("ctr-launch test agent: serving %s, %s" % (jobs, "woken by its port" if port is not None
                                                      else "polling"), flush=True)
    while True:
        try:
            names = set(n for n in os.listdir(jobs) if not n.startswith("."))
        except OSError as e:
            print("cannot list %s: %s" % (jobs, e), flush=True)
            time.sleep(1)
            continue
        seen &= names | set(running)
        for name in sorted(names - seen):
            seen.add(name)
            job = start(os.path.join(jobs, name))
            if job:
                running[name] = job
                if port is not None:
                    pidfds[name] = pidfd(job[0])
        for name, (proc, deadline) in list(running.items()):
            path = os.path.join(jobs, name)
            rc = proc.poll()
            if rc is None:
                killed = os.path.exists(os.path.join(path, "kill"))
                if not killed and time.monotonic() < deadline:
                    continue
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                rc = proc.wait()
                try:
                    with open(os.path.join(path, "stderr"), "ab") as err:
                        err.write(b"test agent: %s\n" % (b"killed as asked" if killed
                                                          else b"killed at the job's deadline"))
                except OSError:
                    pass
            del running[name]
            fd = pidfds.pop(name, None)
            if fd is not None:
                os.close(fd)
            write_rc(path, rc if rc >= 0 else 128 - rc)
        if port is not None:
            wait_for_news(port, running, pidfds)
        else:
            time.sleep(POLL_BUSY if running else POLL_IDLE)


if __name__ == "__main__":
    main()
