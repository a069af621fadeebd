#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Console-socket receiver for the integration tests (what podman's conmon does with
# --console-socket):
#   console.py SOCKET OUT [TIMEOUT]
# listens on the Unix socket SOCKET, accepts one connection, receives the pty master over
# SCM_RIGHTS and copies everything read from it to OUT, until the container's side of the pty is
# closed (EIO) or TIMEOUT seconds (default 20) pass. Exits 0 if it got an fd and saw the end,
# 2 if no fd came, 3 on the timeout. Writes "ready" to OUT.ready once it listens, and what it
# received (number of fds, whether the fd is a tty) to OUT.info.
import array
import os
import select
import socket
import sys
import time


def main():
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


if __name__ == "__main__":
    sys.exit(main())
