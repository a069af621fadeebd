#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The layer rule, checked on the built archives (TAP).

Each of our static libraries may call only into itself and the layers below it
(src/meson.build draws the order), and the container-building ones (basic, oci-model, init)
into no GLib, json-glib, libsystemd or libpam at all. Include paths already stop an upward
#include; this catches what they cannot: a declaration copied by hand, a symbol that moved.

Usage: layers.py NAME=ARCHIVE:LOWER,LOWER,... ...   (LOWER names other NAMEs; "-" for none)
"""
import subprocess
import sys

# Libraries that must build without GLib and its company: what the init runs links them.
PLAIN_C = {"basic", "oci-model", "init"}
FOREIGN_PREFIXES = ("g_", "_g_", "json_", "sd_", "pam_")


def symbols(archive, defined):
    flag = "--defined-only" if defined else "--undefined-only"
    out = subprocess.run(["nm", "-g", flag, archive], check=True, capture_output=True,
                         text=True).stdout
    syms = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.endswith(":"):
            syms.add(parts[-1])
    return syms


def main():
    libs = {}
    for arg in sys.argv[1:]:
        name, rest = arg.split("=", 1)
        archive, lower = rest.rsplit(":", 1)
        libs[name] = (archive, set() if lower == "-" else set(lower.split(",")))
    defined = {name: symbols(a, True) for name, (a, _) in libs.items()}
    owner = {}
    for name, syms in defined.items():
        for s in syms:
            owner.setdefault(s, name)

    print(f"1..{len(libs)}")
    failed = 0
    for i, (name, (archive, lower)) in enumerate(libs.items(), 1):
        problems = []
        for s in sorted(symbols(archive, False) - defined[name]):
            o = owner.get(s)
            if o is not None and o != name and o not in lower:
                problems.append(f"{s} (defined in {o}, not a layer below {name})")
            if name in PLAIN_C and s.startswith(FOREIGN_PREFIXES):
                problems.append(f"{s} (a GLib/json-glib/libsystemd/libpam symbol in a plain C layer)")
        if problems:
            failed += 1
            print(f"not ok {i} - {name}")
            for p in problems:
                print(f"#   {p}")
        else:
            print(f"ok {i} - {name} calls only itself and {', '.join(sorted(lower)) or 'libc'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
