# SPDX-License-Identifier: LGPL-2.1-or-later
"""One section of docs/performance.md, between its markers: the benchmarks' reports write theirs
with publish(). Imported by the report steps, on this machine (never in a test host)."""

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


def publish(lines, notes_heading, notes_file, begin, end, fragment, doc):
    """Ends the section's lines with the hand-written notes (if the file exists) under
    notes_heading and the end marker, writes it alone to fragment, and puts it in place in doc."""
    lines = list(lines)
    if notes_file and os.path.exists(notes_file):
        with open(notes_file) as f:
            notes = f.read().strip()
        if lines and lines[-1] != "":
            lines.append("")
        lines += [notes_heading, "", notes, ""]
    lines.append(end)
    section = "\n".join(lines) + "\n"
    with open(fragment, "w") as f:
        f.write(section)
    print(section)
    splice(doc, section, begin, end)
    print(f"bench: wrote {fragment} and its section of {doc}")
