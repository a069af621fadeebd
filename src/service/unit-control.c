/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Jobs for ctr@ID.service over sd-bus (systemd-job.c runs them to their end): its state,
 * start, stop, kill. One connection per call, closed before returning; errors go back in
 * *ret_error for the reply, nothing here logs. */

#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "errmsg.h"
#include "parse-util.h"
#include "systemd-job.h"
#include "unit-control.h"

/* ctr@.service's own start can take TimeoutStartSec= (90 s by default); a little more. */
#define JOB_TIMEOUT_USEC (120 * USEC_PER_SEC)

int unit_control_name(const char *id, char **ret) {
        if (!container_id_is_valid(id) || strchr(id, '+'))
                return -EINVAL;
        return asprintf(ret, "ctr@%s.service", id) < 0 ? -ENOMEM : 0;
}

static int bus_open(sd_bus **ret, char **ret_error) {
        return systemd_bus_connect(false, ret, ret_error);
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
                return errmsg_plain(ret_error, r, "cannot ask systemd about %s: %s", unit, systemd_bus_error_text(&error, r));
        }
        const char *path;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return errmsg(ret_error, r, "cannot ask systemd about %s", unit);
        sd_bus_error_free(&error);
        r = sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path, "org.freedesktop.systemd1.Unit",
                                       "ActiveState", &error, ret);
        if (r < 0)
                return errmsg_plain(ret_error, r, "cannot ask systemd about %s: %s", unit, systemd_bus_error_text(&error, r));
        return 0;
}

int unit_control_job(const char *method, const char *unit, char **ret_error) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *result = NULL;
        int r = bus_open(&bus, ret_error);
        if (r < 0)
                return r;
        r = systemd_unit_job(bus, method, unit, "replace", JOB_TIMEOUT_USEC, &error, &result);
        if (r == -ETIMEDOUT)
                return errmsg_plain(ret_error, r, "the %s job of %s did not finish in time", method, unit);
        if (r < 0)
                return errmsg_plain(ret_error, r, "%s %s: %s", method, unit, systemd_bus_error_text(&error, r));
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
                return errmsg_plain(ret_error, r, "kill %s: %s", unit, systemd_bus_error_text(&error, r));
        return 0;
}
