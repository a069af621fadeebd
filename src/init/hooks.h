/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Running OCI hooks: fork + execve (no shell), the container's OCI state JSON on stdin, the
 * hook's env exactly as configured, stdout and stderr inherited, and its timeout enforced with
 * SIGKILL. Used by both sides: the parent (prestart, createRuntime, poststart, poststop) and
 * the init (createContainer, startContainer). libc only: never prints; failures come back as
 * one line, "hook createRuntime[0] /usr/bin/x: exited with status 1". Where and when each kind
 * runs is the caller's business. */

#include "oci-config-hooks.h"

/* Runs hook `index` of `kind`; 0 when it exited 0. */
int hook_run(const OciHook *hook, HookKind kind, size_t index, const char *state_json, char **ret_error);
/* Runs all hooks of `kind` in order and stops at the first failure. */
int hooks_run(const OciHooks *h, HookKind kind, const char *state_json, char **ret_error);
