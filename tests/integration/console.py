#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Console helpers for the integration tests.
#
# 1. A console-socket receiver (what podman's conmon does with --console-socket):
#   console.py SOCKET OUT [TIMEOUT]
# listens on the Unix socket SOCKET, accepts one connection, receives the pty master over
# SCM_RIGHTS and copies everything read from it to OUT, until the container's side of the pty is
# closed (EIO) or TIMEOUT seconds (default 20) pass. Exits 0 if it got an fd and saw the end,
# 2 if no fd came, 3 on the timeout. Writes "ready" to OUT.ready once it listens, and what it
# received (number of fds, whether the fd is a tty) to OUT.info.
#
# 2. A terminal for a command that relays a pty itself (`run`, `exec -t` without a socket):
#   console.py pty OUT [--size ROWS COLS] [--stdin-pipe TEXT] [--timeout S] STEP... -- CMD...
# runs CMD in a new session whose controlling terminal (and stdio) is a new pty of ROWS x COLS
# (default 24 x 80), or with --stdin-pipe, stdin a pipe that gives TEXT and then ends. Then the
# STEPs, in order:
#   expect REGEX   wait until the output after the previous match matches REGEX (re.search)
#   send TEXT      type TEXT (Python escapes: "hello\r", "\x03" for ^C)
#   resize R C     change the terminal's size: the kernel sends SIGWINCH to CMD
#   signal NAME    send CMD the signal NAME (TERM, INT, ...)
#   sh COMMAND     run COMMAND with /bin/sh, which must exit 0
#   raw            the terminal is in raw mode now (no ICANON, ECHO, ISIG; no OPOST)
#   cooked         the terminal's settings are as they were before CMD started
# then waits for CMD to exit, reading what it writes until the pty has no writer left. Writes the
# whole output to OUT, CMD's exit status (128+N for signal N) to OUT.rc, and "same" or what
# differs between the terminal's settings before CMD and after it to OUT.termios. Exits 0 once
# CMD has exited and every step passed; otherwise 3 (TIMEOUT seconds, default 20, passed: CMD is
# killed) or 4 (a step failed), with one line on stderr that says which step and why.
import array
import codecs
import fcntl
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import time


def receiver():
    path, out = sys.argv[1], sys.argv[2]
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 20.0
    deadline = time.monotonic() + timeout
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    with open(out + ".ready", "w") as f:
        f.write("ready\n")
    r, _, _ = select.select([srv], [], [], timeout)
    if not r:
        return 2
    conn, _ = srv.accept()
    fds = array.array("i")
    msg, anc, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(16 * fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    conn.close()
    with open(out + ".info", "w") as f:
        f.write(f"fds={len(fds)} isatty={int(bool(fds) and os.isatty(fds[0]))}\n")
    if not fds:
        return 2
    master = fds[0]
    for extra in fds[1:]:
        os.close(extra)
    got = bytearray()
    rc = 3
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.2)
        if not r:
            continue
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the last slave fd was closed
            rc = 0
            break
        if not chunk:
            rc = 0
            break
        got += chunk
        with open(out, "wb") as f:
            f.write(got)
    with open(out, "wb") as f:
        f.write(got)
    return rc


class StepFailed(Exception):
    def __init__(self, code, what):
        super().__init__(what)
        self.code = code


class Terminal:
    def __init__(self, out, rows, cols, stdin_text, deadline, cmd):
        self.out_path = out
        self.deadline = deadline
        self.got = bytearray()
        self.seen = 0  # where the next expect starts
        self.master, slave = os.openpty()
        self.set_size(rows, cols)
        self.before = termios.tcgetattr(self.master)
        stdin_r = stdin_w = None
        if stdin_text is not None:
            stdin_r, stdin_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                os.setsid()
                fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
                os.dup2(stdin_r if stdin_r is not None else slave, 0)
                os.dup2(slave, 1)
                os.dup2(slave, 2)
                os.closerange(3, 1024)
                os.execvp(cmd[0], cmd)
            finally:
                os._exit(127)
        os.close(slave)
        if stdin_r is not None:
            os.close(stdin_r)
            os.write(stdin_w, stdin_text.encode())
            os.close(stdin_w)
        self.status = None

    def set_size(self, rows, cols):
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def save(self):
        with open(self.out_path, "wb") as f:
            f.write(self.got)

    def pump(self, timeout):
        """Reads what is there within timeout; False once the pty has no writer left."""
        r, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not r:
            return True
        try:
            chunk = os.read(self.master, 4096)
        except OSError:  # EIO: no slave left open
            return False
        if not chunk:
            return False
        self.got += chunk
        self.save()
        return True

    def reap(self):
        if self.status is None:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(st)
                if self.status < 0:
                    self.status = 128 - self.status
        return self.status is not None

    def left(self):
        return self.deadline - time.monotonic()

    def expect(self, regex):
        rx = re.compile(regex.encode())
        while True:
            m = rx.search(self.got, self.seen)
            if m:
                self.seen = m.end()
                return
            if self.left() <= 0:
                raise StepFailed(3, f"expect {regex!r}: timed out; the output after the previous match: "
                                    f"{bytes(self.got[self.seen:])!r}")
            if not self.pump(min(0.2, self.left())):
                self.reap()
                if self.status is not None and not rx.search(self.got, self.seen):
                    raise StepFailed(4, f"expect {regex!r}: the command exited ({self.status}) without it; "
                                        f"the output after the previous match: {bytes(self.got[self.seen:])!r}")
                time.sleep(0.05)

    def check_raw(self):
        iflag, oflag, cflag, lflag, _, _, _ = termios.tcgetattr(self.master)
        bad = [n for n, on in (("ICANON", lflag & termios.ICANON), ("ECHO", lflag & termios.ECHO),
                               ("ISIG", lflag & termios.ISIG), ("OPOST", oflag & termios.OPOST),
                               ("ICRNL", iflag & termios.ICRNL)) if on]
        if bad:
            raise StepFailed(4, f"raw: the terminal still has {' '.join(bad)}")

    def differences(self):
        now = termios.tcgetattr(self.master)
        names = ("iflag", "oflag", "cflag", "lflag", "ispeed", "ospeed", "cc")
        return [f"{n} {a!r} -> {b!r}" for n, a, b in zip(names, self.before, now) if a != b]

    def finish(self):
        """Waits for the command, reading on until the pty is closed; then its leftovers."""
        open_ = True
        while self.left() > 0:
            if open_:
                open_ = self.pump(min(0.2, self.left()))
            else:
                time.sleep(0.05)
            if self.reap() and not open_:
                return
        raise StepFailed(3, "the command did not exit" if self.status is None else
                         "the command exited, but something keeps the terminal open")

    def kill(self):
        if not self.reap():
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)


def drive():
    args = sys.argv[2:]
    out = args.pop(0)
    rows, cols, stdin_text, timeout = 24, 80, None, 20.0
    while args and args[0].startswith("--") and args[0] != "--":
        opt = args.pop(0)
        if opt == "--size":
            rows, cols = int(args.pop(0)), int(args.pop(0))
        elif opt == "--stdin-pipe":
            stdin_text = codecs.decode(args.pop(0), "unicode_escape")
        elif opt == "--timeout":
            timeout = float(args.pop(0))
        else:
            sys.exit(f"console.py pty: unknown option {opt}")
    sep = args.index("--")
    steps, cmd = args[:sep], args[sep + 1:]
    t = Terminal(out, rows, cols, stdin_text, time.monotonic() + timeout, cmd)
    step = "start"
    try:
        while steps:
            step = steps.pop(0)
            if step == "expect":
                t.expect(steps.pop(0))
            elif step == "send":
                os.write(t.master, codecs.decode(steps.pop(0), "unicode_escape").encode("latin-1"))
            elif step == "resize":
                t.set_size(int(steps.pop(0)), int(steps.pop(0)))
            elif step == "signal":
                os.kill(t.pid, getattr(signal, "SIG" + steps.pop(0)))
            elif step == "sh":
                command = steps.pop(0)
                p = subprocess.run(["/bin/sh", "-c", command], stdin=subprocess.DEVNULL,
                                   capture_output=True, text=True, timeout=max(1.0, t.left()))
                if p.returncode != 0:
                    raise StepFailed(4, f"sh {command!r}: exit {p.returncode}: {p.stderr.strip()}")
            elif step == "raw":
                t.check_raw()
            elif step == "cooked":
                d = t.differences()
                if d:
                    raise StepFailed(4, "cooked: the terminal's settings changed: " + "; ".join(d))
            else:
                raise StepFailed(4, f"unknown step {step!r}")
        step = "the end"
        t.finish()
    except StepFailed as e:
        t.kill()
        t.save()
        print(f"console.py pty: {e}", file=sys.stderr)
        return e.code
    except (subprocess.TimeoutExpired, OSError) as e:
        t.kill()
        t.save()
        print(f"console.py pty: {step}: {e}", file=sys.stderr)
        return 4
    t.save()
    with open(out + ".rc", "w") as f:
        f.write(f"{t.status}\n")
    d = t.differences()
    with open(out + ".termios", "w") as f:
        f.write(("changed: " + "; ".join(d) if d else "same") + "\n")
    return 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "pty":
        return drive()
    return receiver()


if __name__ == "__main__":
    sys.exit(main())
