/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Clocks: the monotonic time every deadline is measured on, short sleeps, and the RFC 3339
 * timestamps of state.json and the log. libc only (the container's init uses the deadlines of
 * its hooks); no wait anywhere should be without a deadline built from these. */

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define USEC_PER_SEC UINT64_C(1000000)
#define NSEC_PER_SEC UINT64_C(1000000000)
#define NSEC_PER_MSEC UINT64_C(1000000)

/* CLOCK_MONOTONIC in nanoseconds, microseconds, milliseconds. */
uint64_t now_nsec(void);
uint64_t now_usec(void);
uint64_t now_msec(void);

/* A deadline timeout_ms from now, in now_msec()'s time; and what is left of one, as poll()
 * takes it: 0 once it has passed, at most INT32_MAX. */
uint64_t deadline_after_msec(uint64_t timeout_ms);
int deadline_left_msec(uint64_t deadline);

/* Sleeps the whole time, signals or not. */
void sleep_nsec(uint64_t ns);
void sleep_msec(unsigned ms);

/* CLOCK_REALTIME as "2026-11-24T15:17:02.123456789Z" (UTC), in buf (at least
 * RFC3339_MAX bytes). */
#define RFC3339_MAX 40
char *format_rfc3339_now(char buf[static RFC3339_MAX]);
/* The same, malloc'd; NULL on out of memory. */
char *rfc3339_now(void);
