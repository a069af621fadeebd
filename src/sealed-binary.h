/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* CVE-2019-5736: the container's init is a fork of this binary, so until it execs the user's
 * process its /proc/self/exe is the host's ctr-launch. A container whose entry point is
 * /proc/self/exe (directly, by a symlink, a #! line or an ELF interpreter) would run the host
 * binary inside itself, keep an O_PATH fd to it and write through it once nothing executes it
 * any more. Before it forks an init, ctr-launch re-executes itself from a sealed memfd copy:
 * what the container can reach is then a copy that nobody can write. */

/* Returns only if this process already runs from a sealed copy (0), or on failure (-errno);
 * otherwise re-executes argv from a sealed copy and never returns. */
int sealed_binary_ensure(char **argv);
