#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# listen-launcher.py [--tcp N] [--names NAMES] [--ports FILE] [--pid-offset K] -- CMD...:
# systemd's socket activation by hand, as systemd-socket-activate does it but without waiting
# for a connection: N listening TCP sockets on 127.0.0.1 (ports chosen by the kernel, written to
# FILE on one line) at fds 3 .. 3+N-1, then exec CMD in this very process with LISTEN_FDS=N,
# LISTEN_PID=<its PID> (+K: --pid-offset names another process, whose fds they are not) and
# LISTEN_FDNAMES=NAMES when given. Other fds the caller left open stay as they were.

import argparse
import fcntl
import os
import socket

p = argparse.ArgumentParser()
p.add_argument("--tcp", type=int, default=1)
p.add_argument("--names")
p.add_argument("--ports")
p.add_argument("--pid-offset", type=int, default=0)
p.add_argument("cmd", nargs="+")
a = p.parse_args()

socks = []
for _ in range(a.tcp):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    socks.append(s)
if a.ports:
    with open(a.ports, "w") as f:
        f.write(" ".join(str(s.getsockname()[1]) for s in socks) + "\n")
# Out of the way first (a socket may sit at 3 already), then at 3.., inheritable.
high = [fcntl.fcntl(s.fileno(), fcntl.F_DUPFD_CLOEXEC, 100) for s in socks]
for s in socks:
    s.close()
for i, fd in enumerate(high):
    os.dup2(fd, 3 + i, inheritable=True)
    os.close(fd)
env = dict(os.environ)
env["LISTEN_FDS"] = str(a.tcp)
env["LISTEN_PID"] = str(os.getpid() + a.pid_offset)
if a.names is not None:
    env["LISTEN_FDNAMES"] = a.names
os.execvpe(a.cmd[0], a.cmd, env)
