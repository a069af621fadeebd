/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Clock reading and formatting (time-util.h). libc only; nothing here fails. */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "time-util.h"

static uint64_t timespec_nsec(const struct timespec *ts) {
        return (uint64_t) ts->tv_sec * NSEC_PER_SEC + (uint64_t) ts->tv_nsec;
}

uint64_t now_nsec(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return timespec_nsec(&ts);
}

uint64_t now_usec(void) {
        return now_nsec() / 1000;
}

uint64_t now_msec(void) {
        return now_nsec() / NSEC_PER_MSEC;
}

uint64_t deadline_after_msec(uint64_t timeout_ms) {
        return now_msec() + timeout_ms;
}

int deadline_left_msec(uint64_t deadline) {
        uint64_t now = now_msec();
        if (now >= deadline)
                return 0;
        return deadline - now > INT32_MAX ? INT32_MAX : (int) (deadline - now);
}

void sleep_nsec(uint64_t ns) {
        struct timespec ts = { .tv_sec = (time_t) (ns / NSEC_PER_SEC), .tv_nsec = (long) (ns % NSEC_PER_SEC) };
        /* The whole time, even when a signal handler interrupts it. */
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

void sleep_msec(unsigned ms) {
        sleep_nsec((uint64_t) ms * NSEC_PER_MSEC);
}

char *format_rfc3339_now(char buf[static RFC3339_MAX]) {
        struct timespec ts;
        struct tm tm;
        (void) clock_gettime(CLOCK_REALTIME, &ts);
        (void) gmtime_r(&ts.tv_sec, &tm);
        size_t k = strftime(buf, RFC3339_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
        (void) snprintf(buf + k, RFC3339_MAX - k, ".%09ldZ", ts.tv_nsec);
        return buf;
}

char *rfc3339_now(void) {
        char buf[RFC3339_MAX];
        return strdup(format_rfc3339_now(buf));
}
