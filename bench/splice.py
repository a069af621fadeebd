# SPDX-License-Identifier: LGPL-2.1-or-later
"""One section of docs/performance.md, between its markers: the benchmarks' reports put theirs
in place with splice(). Imported by the report steps, on this machine (never in a test host)."""

import os


def splice(doc, section, begin, end):
    """Puts section in place of the one between begin and end in doc, or at its end."""
    try:
        with open(doc) as f:
            text = f.read()
    except FileNotFoundError:
        text = "# Performance\n"
    b, e = text.find(begin), text.find(end)
    if b >= 0 and e > b:
        text = text[:b] + section.rstrip("\n") + text[e + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    if not text.endswith("\n"):
        text += "\n"
    with open(doc + ".tmp", "w") as f:
        f.write(text)
    os.replace(doc + ".tmp", doc)
