/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Parsing of small user-supplied values: container ids, signals, numbers. libc only. */

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#define CONTAINER_ID_MAX 128
/* The one grammar of a container id, for the code, the polkit rules and the docs: 1 to 128
 * letters, digits, '_', '+', '.', '-', the first neither '.' (hidden names in the state root
 * are ours) nor '-' (an id must never read as an option: `ctr@-h` would print help). runc's is
 * ^[\w+-\.]+$ minus "." and ".."; podman's and containerd's generated ids all fit both. */
#define CONTAINER_ID_REGEX "^[A-Za-z0-9_+][A-Za-z0-9_+.-]{0,127}$"

/* Whether id matches CONTAINER_ID_REGEX. */
bool container_id_is_valid(const char *id);
/* "TERM", "SIGTERM", "sigterm", "15", "RTMIN+3": the signal number, or -EINVAL. */
int signal_from_string(const char *s);
/* The name without "SIG" ("TERM"), or NULL for a number with no name. */
const char *signal_to_string(int sig);
/* Whole decimal string into an unsigned value no larger than max; -EINVAL / -ERANGE. */
int parse_uint64(const char *s, uint64_t max, uint64_t *ret);
/* A cpu list as in cpuset(7), "0-1,3": its bits set in *ret (CPU_SETSIZE at most); -EINVAL on
 * bad syntax or a reversed range, -ERANGE past CPU_SETSIZE. */
int parse_cpu_list(const char *s, cpu_set_t *ret);
