#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs a test script as a child subreaper and reaps every orphan handed to it.
#
# Why: after `ctr-launch create` exits, the container's init is orphaned and reparented to the
# nearest subreaper, normally PID 1. Some test hosts (VMs whose PID 1 is an agent, containers)
# never reap, so a container's dead init would stay a zombie with its PID and start time intact,
# and every test would depend on how the host's PID 1 behaves. With us as subreaper, dead inits
# are reaped as they would be on a systemd host.
import ctypes
import os
import signal
import sys

PR_SET_CHILD_SUBREAPER = 36


def main() -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("reaper: PR_SET_CHILD_SUBREAPER failed", file=sys.stderr)
        return 99
    pid = os.fork()
    if pid == 0:
        os.execvp(sys.argv[1], sys.argv[1:])
    # Pass termination requests (meson's timeout) on to the test script so that it cleans up.
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, lambda n, f: os.kill(pid, n))
    status = None
    while True:
        try:
            p, st = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if p == pid:
            status = st
            break
    # Orphans still alive now are the test's leak; its own checks report them. Reap the ones
    # that die while we are still here, without waiting for any.
    while True:
        try:
            p, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if p == 0:
            break
    if status is None:
        return 99
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main())
