#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Makes the directory DST what the copy SRC is again (vm-suite.sh, the VM's /etc between two
# scripts): what is not in the copy or not of the same kind is removed, what is missing or
# differs (content, mode, owner, link target) comes back. Prints one line per path it changed.
# Usage: vm-etc-restore.py SRC DST

import os
import shutil
import stat
import sys

src, dst = sys.argv[1:]


def lstat(p):
    try:
        return os.lstat(p)
    except FileNotFoundError:
        return None


def same(a, b, sa, sb):
    if (sa.st_mode, sa.st_uid, sa.st_gid) != (sb.st_mode, sb.st_uid, sb.st_gid):
        return False
    if stat.S_ISLNK(sa.st_mode):
        return os.readlink(a) == os.readlink(b)
    if stat.S_ISREG(sa.st_mode):
        if sa.st_size != sb.st_size:
            return False
        with open(a, "rb") as f, open(b, "rb") as g:
            return f.read() == g.read()
    return True


for root, dirs, files in os.walk(dst):
    for name in list(dirs) + files:
        p = os.path.join(root, name)
        s, d = lstat(os.path.join(src, os.path.relpath(p, dst))), lstat(p)
        if d is None:
            continue  # gone meanwhile (this machine's own /etc, the lower layer, changed)
        if s is None or stat.S_IFMT(s.st_mode) != stat.S_IFMT(d.st_mode):
            print("removed", os.path.relpath(p, dst))
            if stat.S_ISDIR(d.st_mode):
                shutil.rmtree(p)
                dirs.remove(name)
            else:
                os.unlink(p)

for root, dirs, files in os.walk(src):
    for name in dirs + files:
        p = os.path.join(root, name)
        q = os.path.join(dst, os.path.relpath(p, src))
        s, d = os.lstat(p), lstat(q)
        if d is not None and same(p, q, s, d):
            continue
        print("restored", os.path.relpath(p, src))
        if stat.S_ISDIR(s.st_mode):
            if d is None:
                os.mkdir(q)
        elif stat.S_ISLNK(s.st_mode):
            if d is not None:
                os.unlink(q)
            os.symlink(os.readlink(p), q)
        elif stat.S_ISREG(s.st_mode):
            shutil.copyfile(p, q)
        else:
            sys.exit("%s: neither a file, a directory nor a symbolic link" % p)
        os.chown(q, s.st_uid, s.st_gid, follow_symlinks=False)
        if not stat.S_ISLNK(s.st_mode):
            os.chmod(q, stat.S_IMODE(s.st_mode))
