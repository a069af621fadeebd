#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# The kernel features whose presence decides a path of ctr-launch's (or would), probed the way
# the code meets them, in the test host (kernel-paths.sh). One line each:
#   NAME have=yes|no want=yes|no since=VERSION
# "want" is what a mainline kernel of this version has (the version that introduced it). x86-64
# system call numbers. Exit status 0 once every probe ran, whatever it found.

import ctypes
import os
import platform
import re
import socket
import struct

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

NR_SECCOMP, NR_MEMFD_CREATE = 317, 319
NR_PIDFD_OPEN, NR_CLONE3, NR_CLOSE_RANGE, NR_OPENAT2, NR_MOUNT_SETATTR = 434, 435, 436, 437, 442
AT_FDCWD = -100


def syscall(nr, *args):
    """The system call's result, or -errno."""
    r = libc.syscall(ctypes.c_long(nr), *args)
    return -ctypes.get_errno() if r < 0 else r


def exists(nr, *args):
    """Present unless the kernel says ENOSYS (the arguments are meant to be refused)."""
    return syscall(nr, *args) != -38


def pidfd_open():
    fd = syscall(NR_PIDFD_OPEN, ctypes.c_int(os.getpid()), ctypes.c_uint(0))
    if fd >= 0:
        os.close(fd)
    return fd >= 0


def openat2():
    # struct open_how {u64 flags, mode, resolve}: O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    # as open_in_root() (basic/path-util.c) asks.
    how = struct.pack("QQQ", os.O_PATH | os.O_CLOEXEC, 0, 0x10 | 0x02)
    buf = ctypes.create_string_buffer(how, len(how))
    fd = syscall(NR_OPENAT2, ctypes.c_int(AT_FDCWD), ctypes.c_char_p(b"/"), buf, ctypes.c_size_t(len(how)))
    if fd >= 0:
        os.close(fd)
    return fd >= 0


def close_range_cloexec():
    fd = os.open("/", os.O_PATH)  # inheritable: close_range must mark it close-on-exec
    try:
        return syscall(NR_CLOSE_RANGE, ctypes.c_uint(fd), ctypes.c_uint(fd), ctypes.c_uint(4)) == 0 and \
            not os.get_inheritable(fd)
    finally:
        os.close(fd)


def memfd_exec():
    # MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC, as sealed-binary.c asks first.
    fd = syscall(NR_MEMFD_CREATE, ctypes.c_char_p(b"probe"), ctypes.c_uint(0x1 | 0x2 | 0x10))
    if fd >= 0:
        os.close(fd)
    return fd >= 0


def so_peerpidfd():
    a, b = socket.socketpair()
    try:
        a.getsockopt(socket.SOL_SOCKET, 77)
        return True
    except OSError:
        return False
    finally:
        a.close()
        b.close()


def pidfd_get_info():
    # PIDFD_GET_INFO = _IOWR(0xFF, 11, struct pidfd_info) of 64 bytes; mask PIDFD_INFO_PID.
    fd = syscall(NR_PIDFD_OPEN, ctypes.c_int(os.getpid()), ctypes.c_uint(0))
    if fd < 0:
        return False
    try:
        info = ctypes.create_string_buffer(struct.pack("Q", 1) + bytes(56), 64)
        libc.ioctl.restype = ctypes.c_int
        return libc.ioctl(ctypes.c_int(fd), ctypes.c_ulong(0xC040FF0B), info) == 0
    finally:
        os.close(fd)


def pidfd_fdinfo_pid():
    fd = syscall(NR_PIDFD_OPEN, ctypes.c_int(os.getpid()), ctypes.c_uint(0))
    if fd < 0:
        return False
    try:
        with open("/proc/self/fdinfo/%d" % fd) as f:
            return re.search(r"^Pid:\s*%d$" % os.getpid(), f.read(), re.M) is not None
    finally:
        os.close(fd)


def seccomp_wait_killable_recv():
    # NEW_LISTENER | WAIT_KILLABLE_RECV with no program: EFAULT where the flag is known, EINVAL
    # where it is not.
    return syscall(NR_SECCOMP, ctypes.c_uint(1), ctypes.c_uint((1 << 3) | (1 << 5)), ctypes.c_void_p(0)) == -14


def cgroup_kill():
    # The root cgroup has none: ours, or any child of the root (host_run on nspawn runs in a
    # cgroup outside the test host's namespace).
    unified = "/sys/fs/cgroup" if os.path.exists("/sys/fs/cgroup/cgroup.controllers") else "/sys/fs/cgroup/unified"
    with open("/proc/self/cgroup") as f:
        path = next(line.split(":", 2)[2].strip() for line in f if line.startswith("0::"))
    dirs = [os.path.normpath(unified + "/" + path)] + [e.path for e in os.scandir(unified) if e.is_dir()]
    return any(os.path.exists(os.path.join(d, "cgroup.kill")) for d in dirs)


FEATURES = [
    # name, since, probe
    ("pidfd_open", (5, 3), pidfd_open),
    ("clone3", (5, 3), lambda: exists(NR_CLONE3, ctypes.c_void_p(0), ctypes.c_size_t(0))),
    ("pidfd-fdinfo-pid", (5, 4), pidfd_fdinfo_pid),
    ("openat2", (5, 6), openat2),
    ("time-namespace", (5, 6), lambda: os.path.exists("/proc/self/ns/time")),
    ("close_range-cloexec", (5, 11), close_range_cloexec),
    ("mount_setattr", (5, 12),
     lambda: exists(NR_MOUNT_SETATTR, ctypes.c_int(-1), ctypes.c_char_p(b""), ctypes.c_uint(0),
                    ctypes.c_void_p(0), ctypes.c_size_t(0))),
    ("cgroup.kill", (5, 14), cgroup_kill),
    ("seccomp-wait-killable-recv", (5, 19), seccomp_wait_killable_recv),
    ("memfd-exec", (6, 3), memfd_exec),
    ("so_peerpidfd", (6, 5), so_peerpidfd),
    ("pidfd_get_info", (6, 13), pidfd_get_info),
]

version = tuple(int(x) for x in re.match(r"(\d+)\.(\d+)", platform.release()).groups())
for name, since, probe in FEATURES:
    print("%s have=%s want=%s since=%d.%d" % (name, "yes" if probe() else "no",
                                             "yes" if version >= since else "no", *since))
