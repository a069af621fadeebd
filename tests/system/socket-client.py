#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Clients of the control socket for control-socket.sh, run in the test host as the user the
# test chooses (runuser, and unshare for a user namespace). Modes:
#   hold N SECONDS   N connections that send nothing, kept open SECONDS (or until killed);
#                    prints "held N" once all are connected
#   burst N BOUND    N connections made at once, then a list request on each and its reply
#                    read within BOUND seconds of the send; prints one summary line
#                    "busy B of N, other O, max MS ms" and, for each reply that was not the
#                    "busy" one (a reset, no reply in time, another answer), "other: WHAT"
#   ask BOUND        one list request, its reply printed ("reply LINE"), read within BOUND
# A deadline for each wait (BOUND), not a benchmark.

import socket
import sys
import time

SOCK = "/run/ctr-launch-control.sock"
REQUEST = b'{"verb":"list"}\n'
BUSY = "requests in progress already"


def reply_of(s, t0, bound):
    data = b""
    while b"\n" not in data:
        left = bound - (time.monotonic() - t0)
        if left <= 0:
            return "no reply within %s s" % bound
        s.settimeout(left)
        try:
            d = s.recv(4096)
        except socket.timeout:
            continue
        except OSError as e:
            return "%s after %r" % (e.__class__.__name__, data)
        if not d:
            return "closed after %r" % data
        data += d
    return data.decode(errors="replace").strip()


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(SOCK)
    return s


mode = sys.argv[1]
if mode == "hold":
    n, secs = int(sys.argv[2]), float(sys.argv[3])
    held = [connect() for _ in range(n)]
    print("held %d" % n, flush=True)
    time.sleep(secs)
elif mode == "burst":
    n, bound = int(sys.argv[2]), float(sys.argv[3])
    socks = [connect() for _ in range(n)]
    busy, other, worst = 0, [], 0.0
    for s in socks:
        t0 = time.monotonic()
        try:
            s.sendall(REQUEST)
        except OSError:
            pass  # answered and closed before we sent: the answer is still there to read
        r = reply_of(s, t0, bound)
        worst = max(worst, time.monotonic() - t0)
        if BUSY in r:
            busy += 1
        else:
            other.append(r)
    print("busy %d of %d, other %d, max %d ms" % (busy, n, len(other), worst * 1000))
    for o in other[:5]:
        print("other: %s" % o)
elif mode == "ask":
    bound = float(sys.argv[2])
    s = connect()
    t0 = time.monotonic()
    try:
        s.sendall(REQUEST)
    except OSError:
        pass  # answered and closed before we sent
    print("reply %s" % reply_of(s, t0, bound))
else:
    sys.exit("socket-client: unknown mode %s" % mode)
