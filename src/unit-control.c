/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Jobs for ctr@ID.service over sd-bus: subscribe, call StartUnit/StopUnit, and wait for the
 * JobRemoved signal of our job. One connection per call, closed before returning. */

#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "basic/errmsg.h"
#include "basic/parse-util.h"
#include "unit-control.h"

/* ctr@.service's own start can take TimeoutStartSec= (90 s by default); a little more. */
#define JOB_TIMEOUT_USEC (120ULL * 1000000ULL)
#define CALL_TIMEOUT_USEC (25ULL * 1000000ULL)

int unit_control_name(const char *id, char **ret) {
        if (!container_id_is_valid(id) || strchr(id, '+'))
                return -EINVAL;
        return asprintf(ret, "ctr@%s.service", id) < 0 ? -ENOMEM : 0;
}

static int bus_open(sd_bus **ret, char **ret_error) {
        int r = sd_bus_open_system(ret);
        if (r < 0)
                return errmsg(ret_error, r, "cannot connect to the system bus");
        return 0;
}

int unit_control_active_state(const char *unit, char **ret, char **ret_error) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = bus_open(&bus, ret_error);
        if (r < 0)
                return r;
        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "GetUnit", &error, &reply, "s", unit);
        if (r < 0) {
                if (sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit"))
                        return (*ret = strdup("inactive")) ? 0 : -ENOMEM;
                return errmsg_plain(ret_error, r, "cannot ask systemd about %s: %s", unit, error.message ?: strerror(-r));
        }
        const char *path;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return errmsg(ret_error, r, "cannot ask systemd about %s", unit);
        sd_bus_error_free(&error);
        r = sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path, "org.freedesktop.systemd1.Unit",
                                       "ActiveState", &error, ret);
        if (r < 0)
                return errmsg_plain(ret_error, r, "cannot ask systemd about %s: %s", unit, error.message ?: strerror(-r));
        return 0;
}

/* sd_bus_call() queues the signals it reads while waiting for its reply, without dispatching
 * them: by the time on_job_removed() runs, path is known. */
typedef struct JobWait {
        const char *path; /* our job, once StartUnit/StopUnit answered */
        char *result;     /* its result, once JobRemoved came */
} JobWait;

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        JobWait *w = userdata;
        uint32_t id;
        const char *path, *unit, *result;
        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        if (w->path && strcmp(path, w->path) == 0 && !w->result)
                w->result = strdup(result);
        return 0;
}

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
}

int unit_control_job(const char *method, const char *unit, char **ret_error) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        JobWait w = {};
        int r = bus_open(&bus, ret_error);
        if (r < 0)
                return r;

        /* The match first, so that the job's end cannot pass unseen. */
        r = sd_bus_match_signal(bus, &slot, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                "org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed, &w);
        if (r < 0)
                return errmsg(ret_error, r, "cannot watch systemd's jobs");
        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "Subscribe", &error, NULL, NULL);
        if (r < 0)
                return errmsg_plain(ret_error, r, "cannot watch systemd's jobs: %s", error.message ?: strerror(-r));
        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", method, &error, &reply, "ss", unit, "replace");
        if (r < 0)
                return errmsg_plain(ret_error, r, "%s %s: %s", method, unit, error.message ?: strerror(-r));
        const char *path;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return errmsg(ret_error, r, "%s %s: unexpected reply", method, unit);

        w.path = path;
        uint64_t deadline = now_usec() + JOB_TIMEOUT_USEC;
        while (!w.result) {
                r = sd_bus_process(bus, NULL);
                if (r < 0) {
                        errmsg(ret_error, r, "waiting for the %s job of %s", method, unit);
                        break;
                }
                if (r > 0)
                        continue;
                uint64_t n = now_usec();
                if (n >= deadline) {
                        r = errmsg_plain(ret_error, -ETIMEDOUT, "the %s job of %s did not finish in time", method, unit);
                        break;
                }
                r = sd_bus_wait(bus, deadline - n);
                if (r < 0) {
                        errmsg(ret_error, r, "waiting for the %s job of %s", method, unit);
                        break;
                }
        }
        if (!w.result)
                return r < 0 ? r : -EIO;
        _cleanup_free_ char *result = w.result;
        if (strcmp(result, "done") == 0)
                return 0;
        return errmsg_plain(ret_error, -EIO, "%s of %s: job %s (see journalctl -u %s)",
                            strcmp(method, "StartUnit") == 0 ? "start" : "stop", unit, result, unit);
}

int unit_control_kill(const char *unit, bool all, int sig, char **ret_error) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = bus_open(&bus, ret_error);
        if (r < 0)
                return r;
        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "KillUnit", &error, NULL, "ssi",
                               unit, all ? "all" : "main", (int32_t) sig);
        if (r < 0)
                return errmsg_plain(ret_error, r, "kill %s: %s", unit, error.message ?: strerror(-r));
        return 0;
}
