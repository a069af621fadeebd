#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Configs as real tools write them (issue 16): what runc 1.1 and crun 1.8 both accept, each item
# as a config fragment, a command in the container, its expected output, and nothing left
# behind. Seccomp's items are in seccomp.sh, the cgroups' in cgroups.sh.
# Usage: compat.sh PATH-TO-ctr-launch (root; TAP; skipped otherwise).

source "$(dirname "$0")/lib.sh"
lib_init "$@"

# ---------------------------------------------------------------- process setup (items 1, 6, 7, 9)

# ---------------------------------------------------------------- mounts and namespaces (items 5, 8, 10, 11)

# ---------------------------------------------------------------- cases: process setup

# ---------------------------------------------------------------- cases: mounts and namespaces

lib_finish
