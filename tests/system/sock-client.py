#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# The client of socket-activation.sh, run in the test host, for the line protocol of
# tests/helpers/sock-activated-static.c (a line sent, "LINE from run N" back). Modes:
#   ask HOST PORT LINE            connects, sends LINE, prints the answer
#   across HOST PORT WAIT RESTART connects, sends "one", prints the answer; then runs the shell
#                                 command WAIT until it succeeds (the connection is in the fd
#                                 store), the shell command RESTART once (it must succeed),
#                                 sends "two" on the same connection, prints the answer, and
#                                 prints "eof" once the server closed it
# Every wait has a deadline (BOUND seconds): a missing answer is an error, never a hang.

import socket
import subprocess
import sys
import time

BOUND = 60


def answer(s):
    data = b""
    deadline = time.monotonic() + BOUND
    while b"\n" not in data:
        left = deadline - time.monotonic()
        if left <= 0:
            sys.exit("no answer within %d s (got %r)" % (BOUND, data))
        s.settimeout(left)
        chunk = s.recv(512)
        if not chunk:
            sys.exit("connection closed before an answer (got %r)" % data)
        data += chunk
    return data.decode().rstrip("\n")


def connect(host, port):
    s = socket.create_connection((host, int(port)), timeout=BOUND)
    return s


def main():
    mode = sys.argv[1]
    if mode == "ask":
        host, port, line = sys.argv[2:5]
        s = connect(host, port)
        s.sendall(line.encode() + b"\n")
        print(answer(s))
    elif mode == "across":
        host, port, wait, restart = sys.argv[2:6]
        s = connect(host, port)
        s.sendall(b"one\n")
        print(answer(s), flush=True)
        deadline = time.monotonic() + BOUND
        while subprocess.run(["sh", "-c", wait]).returncode != 0:
            if time.monotonic() > deadline:
                sys.exit("gave up after %d s waiting for: %s" % (BOUND, wait))
            time.sleep(0.1)
        r = subprocess.run(["sh", "-c", restart], timeout=BOUND)
        if r.returncode != 0:
            sys.exit("%s: exit status %d" % (restart, r.returncode))
        s.sendall(b"two\n")
        print(answer(s), flush=True)
        s.settimeout(BOUND)
        if s.recv(512) == b"":
            print("eof")
        else:
            sys.exit("more than one answer")
    else:
        sys.exit("unknown mode " + mode)


main()
