#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The manual pages, checked against what they describe (TAP).

Each page renders with man(1) without a warning (every groff warning on). ctr-launch(8) has
a section per command that `ctr-launch --help` lists, which names every option that the
command's own --help lists, and every global option; and the sections the page promises.
ctr@.service(8) names every Exec*= command line of the built unit, every polkit action of the
policy, and the annotations a container's config may carry for the unit.

Usage: man.py CTR-LAUNCH CTR-LAUNCH.8 CTR@.SERVICE.8 CTR@.SERVICE POLICY
"""
import os
import re
import shutil
import subprocess
import sys

results = []


def tap(ok, name, diag=""):
    results.append((ok, name, diag))


def render(page):
    """The page as plain text, one paragraph line never broken (no hyphenation either), and
    whatever man and groff said on stderr."""
    env = dict(os.environ, MANWIDTH="1000", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="")
    p = subprocess.run(["man", "--warnings=w", "-E", "UTF-8", "--nh", "--nj", "-l", page],
                       env=env, capture_output=True, text=True, check=False)
    text = re.sub(r".\x08", "", p.stdout).replace("\u2010", "-").replace("\u2212", "-")
    return p.returncode, text, p.stderr


def help_text(binary, *args):
    return subprocess.run([binary, *args, "--help"], capture_output=True, text=True,
                          check=True).stdout


def options_in(help_out):
    """The options a --help text lists: the -x and --long at the start of its option lines."""
    opts = set()
    lines = help_out.split("Options")[-1].splitlines() if "Options" in help_out else []
    for line in lines:
        # An option line: indented, an option first; the description follows a gap of two
        # spaces or more ("-b, --bundle DIR          the bundle...").
        m = re.match(r"\s+(-.*?)(?:\s{2,}|$)", line)
        if m:
            opts.update(re.findall(r"(?<![\w-])(--[\w-]+|-\w)\b", m.group(1)))
    return opts


def sections(text):
    """{heading: body} for the page's subsections (3-space indented command headings)."""
    out, current = {}, None
    for line in text.splitlines():
        m = re.match(r"^   (\S.*)$", line)
        if m and not line.startswith("    "):
            current = m.group(1)
            out[current] = []
        elif current is not None:
            if re.match(r"^[A-Z]", line):  # a top-level section ends the subsections
                current = None
            else:
                out[current].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def check_ctr_launch(binary, page):
    rc, text, err = render(page)
    tap(rc == 0 and not err.strip(), "ctr-launch.8 renders without warnings", err.strip())
    top = help_text(binary)
    commands = re.findall(r"^  (\w+)\s", top.split("Commands:")[1].split("Global options:")[0],
                          re.M)
    tap(len(commands) >= 15, "ctr-launch --help lists the commands",
        "found: %s" % " ".join(commands))
    subs = sections(text)
    # A heading names one command or several ("checkpoint, restore").
    by_command = {}
    for heading, body in subs.items():
        for name in re.findall(r"\b[a-z]+\b", heading.split(" [")[0].split(" ID")[0]):
            by_command.setdefault(name, "")
            by_command[name] += heading + "\n" + body + "\n"
    missing = [c for c in commands if c not in by_command]
    tap(not missing, "every command of --help has its section", "missing: %s" % missing)
    for c in commands:
        if c == "help" or c not in by_command:
            continue
        opts = options_in(help_text(binary, c))
        absent = sorted(o for o in opts if o != "--help" and
                        not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(o), by_command[c]))
        tap(not absent, "%s: every option of its --help is in its section" % c,
            "missing: %s" % absent)
    glob = set(re.findall(r"(?<![\w-])(--[\w-]+|-\w)\b",
                          "\n".join(l[:24] for l in top.split("Global options:")[1].splitlines())))
    head = text.split("COMMANDS")[0]
    absent = sorted(o for o in glob if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(o), head))
    tap(bool(glob) and not absent, "every global option is described", "missing: %s" % absent)
    wanted = ["SYNOPSIS", "DESCRIPTION", "EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES",
              "SEE ALSO"]
    absent = [s for s in wanted if not re.search(r"^%s$" % s, text, re.M)]
    tap(not absent, "the page has its sections", "missing: %s" % absent)
    codes = re.findall(r"^\s+(\d+)\s*$", text.split("EXIT STATUS")[1].split("ENVIRONMENT")[0], re.M)
    tap({"0", "1", "2"} <= set(codes), "exit codes 0, 1, 2 are described", "found: %s" % codes)


def check_unit(page, unit, policy):
    rc, text, err = render(page)
    tap(rc == 0 and not err.strip(), "ctr@.service.8 renders without warnings", err.strip())
    flat = " ".join(text.split())
    with open(unit) as f:
        execs = re.findall(r"^(Exec\w+=)\S*/(ctr-launch .*)$", f.read(), re.M)
    tap(len(execs) >= 3, "the unit has its Exec lines", "found: %s" % execs)
    for key, line in execs:
        tap(key + line in flat, "the page shows %s%s" % (key, line))
    with open(policy) as f:
        actions = re.findall(r'action id="([^"]+)"', f.read())
    absent = [a for a in actions if a not in flat]
    tap(bool(actions) and not absent, "every polkit action is described", "missing: %s" % absent)
    for what in ["org.ctr-launch.readiness", "org.ctr-launch.pam.user",
                 "org.opencontainers.image.stopSignal", "systemctl --user", "KillSignal="]:
        tap(what in flat, "the page says %s" % what)


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    binary, launch_page, unit_page, unit, policy = sys.argv[1:]
    if not shutil.which("man"):
        # Part of the test packages (tools/lib.sh): its absence is an installation bug.
        print("Bail out! man(1) is not installed: install man-db (tools/lib.sh TEST_PACKAGES)")
        return 1
    check_ctr_launch(binary, launch_page)
    check_unit(unit_page, unit, policy)
    print("1..%d" % len(results))
    failed = 0
    for i, (ok, name, diag) in enumerate(results, 1):
        print("%sok %d - %s" % ("" if ok else "not ", i, name))
        if not ok:
            failed += 1
            for line in (diag or "").splitlines():
                print("# " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
