# SPDX-License-Identifier: LGPL-2.1-or-later
"""The journal of some units since a cursor, read in the test host by systemd-measure.py and
scale-measure.py (copied there beside them).

journalctl gets no match: with one (-u, -p), systemd 252's --after-cursor skips the first
matching entry after the cursor (sd_journal_next_skip(j, 2) assumes the cursor's own entry
matches), so a count of warnings would miss one. The entries are filtered here instead.
"""
import json
import subprocess


def cursor():
    """Where the journal ends now ("" if it cannot tell)."""
    out = subprocess.run(["journalctl", "-n", "0", "--show-cursor", "--no-pager"],
                         capture_output=True, text=True, check=False).stdout
    return out.rsplit("-- cursor: ", 1)[-1].strip() if "-- cursor: " in out else ""


def messages(since, units, top=7):
    """The messages of units (their processes' and systemd's about them) after the cursor
    since, at priority top or above (7: all)."""
    units = set(units)
    argv = ["journalctl", "--no-pager", "-o", "json"] + ([f"--after-cursor={since}"] if since else [])
    out = subprocess.run(argv, capture_output=True, text=True, check=False).stdout
    found = []
    for line in out.splitlines():
        e = json.loads(line)
        if not units & {e.get("_SYSTEMD_UNIT"), e.get("UNIT"), e.get("OBJECT_SYSTEMD_UNIT")}:
            continue
        if int(e.get("PRIORITY", "6")) > top:
            continue
        m = e.get("MESSAGE", "")
        found.append(bytes(m).decode("utf-8", "replace") if isinstance(m, list) else m)
    return found
