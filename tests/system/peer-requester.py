#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# A requester on the control socket whose identity is gone by the time serve looks at it
# (peer-identity.sh), run as root in the test host. A child of ours, as USER, connects and
# writes {"verb":"list"} on a socket we hold too (one socket: SO_PEERCRED names the child);
# then, by MODE:
#   alive     the child waits for the reply (the control: serve must answer it)
#   exited    the child exits and is reaped before serve looks
#   recycled  the child exits, is reaped, and a process of root's takes its PID (clone3 with
#             set_tid) after serve started and before it looks: the PID names another process
# serve is held at its start by the test's ExecStart= wrapper until we create GATE/go; the
# wrapper creates GATE/started first. Prints "requester PID START-TIME", "recycled PID" and
# "reply LINE". Usage: peer-requester.py MODE USER GATE

import ctypes
import os
import pwd
import signal
import socket
import struct
import sys
import time

SOCK = "/run/ctr-launch-control.sock"
NR_CLONE3 = 435

mode, user, gate = sys.argv[1:]
assert mode in ("alive", "exited", "recycled"), mode


def starttime(pid):
    with open("/proc/%d/stat" % pid) as f:
        return int(f.read().rsplit(")", 1)[1].split()[19])


def wait_for(path, what):
    end = time.monotonic() + 120
    while not os.path.exists(path):
        if time.monotonic() > end:
            sys.exit("peer-requester: no %s within 120 s" % what)
        time.sleep(0.02)


def spawn_with_pid(pid):
    """A process of ours (root) with PID pid: clone3 with set_tid (Linux 5.5), then sleep."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    tid = ctypes.c_int(pid)
    # struct clone_args up to set_tid_size (CLONE_ARGS_SIZE_VER1): exit_signal SIGCHLD.
    args = ctypes.create_string_buffer(struct.pack("10Q", 0, 0, 0, 0, signal.SIGCHLD, 0, 0, 0,
                                                   ctypes.addressof(tid), 1), 80)
    r = libc.syscall(ctypes.c_long(NR_CLONE3), args, ctypes.c_size_t(80))
    if r == 0:
        os.execv("/bin/sleep", ["sleep", "120"])
    if r < 0:
        sys.exit("peer-requester: clone3 with set_tid %d: %s" % (pid, os.strerror(ctypes.get_errno())))
    return r


for name in ("started", "go"):
    if os.path.exists(os.path.join(gate, name)):
        os.unlink(os.path.join(gate, name))

pw = pwd.getpwnam(user)
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
hold_r, hold_w = os.pipe()
child = os.fork()
if child == 0:
    os.close(hold_w)
    os.setgroups([])
    os.setgid(pw.pw_gid)
    os.setuid(pw.pw_uid)
    sock.connect(SOCK)
    sock.sendall(b'{"verb":"list"}\n')
    if mode == "alive":
        os.read(hold_r, 1)
    os._exit(0)
os.close(hold_r)

wait_for(os.path.join(gate, "started"), "serve (its ExecStart= wrapper)")
print("requester %d %d" % (child, starttime(child)), flush=True)
recycled = 0
if mode != "alive":
    os.waitpid(child, 0)
    # Younger than serve by more than a clock tick (start times are in ticks of 10 ms).
    time.sleep(0.2)
    if mode == "recycled":
        recycled = spawn_with_pid(child)
        print("recycled %d %d" % (recycled, starttime(recycled)), flush=True)
open(os.path.join(gate, "go"), "w").close()

sock.shutdown(socket.SHUT_WR)
sock.settimeout(60)
reply = b""
try:
    while True:
        d = sock.recv(4096)
        if not d:
            break
        reply += d
except socket.timeout:
    pass
except ConnectionResetError:
    # serve refused before it read the request line: closing a socket with unread data
    # resets it, after the reply.
    pass
print("reply %s" % reply.decode(errors="replace").strip(), flush=True)

if recycled:
    os.kill(recycled, signal.SIGKILL)
    os.waitpid(recycled, 0)
if mode == "alive":
    os.write(hold_w, b"x")
    os.waitpid(child, 0)
