/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Jobs of systemd's manager over sd-bus: subscribe to JobRemoved, queue the job, wait for its
 * end. One connection per caller, which closes it before returning. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "macros.h"
#include "systemd-job.h"

const char *systemd_bus_error_text(const sd_bus_error *e, int r) {
        return sd_bus_error_is_set(e) && e->message ? e->message : strerror(-r);
}

/* systemd's own private socket, what systemctl uses as root: it works before (or without) a
 * D-Bus broker, which a minimal host or a boot still in progress may lack. */
static int bus_open_private(bool user, sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *address = NULL;
        if (user) {
                const char *rt = getenv("XDG_RUNTIME_DIR");
                if (!rt || rt[0] != '/')
                        return -ENXIO;
                if (asprintf(&address, "unix:path=%s/systemd/private", rt) < 0)
                        return -ENOMEM;
        } else if (!(address = strdup("unix:path=/run/systemd/private")))
                return -ENOMEM;

        int r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_address(bus, address);
        if (r < 0)
                return r;
        r = sd_bus_start(bus);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(bus);
        return 0;
}

int systemd_bus_connect(bool user, sd_bus **ret, char **ret_error) {
        sd_bus *bus = NULL;
        int r = user ? sd_bus_open_user(&bus) : sd_bus_open_system(&bus);
        if (r >= 0 || bus_open_private(user, &bus) >= 0) {
                *ret = bus;
                return 0;
        }
        return errmsg(ret_error, r, "systemd: connect to the %s bus", user ? "user" : "system");
}

typedef struct JobWait {
        const char *job; /* the job's object path, once the method call returned it */
        char *result;    /* its JobRemoved result */
        bool out_of_memory;
} JobWait;

/* sd_bus_call() queues the signals it reads while waiting for its reply without dispatching
 * them: by the time this runs, w->job is known. */
static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error _unused_) {
        JobWait *w = userdata;
        uint32_t id;
        const char *path, *unit, *result;

        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        if (!w->job || w->result || strcmp(path, w->job) != 0)
                return 0;
        w->result = strdup(result);
        if (!w->result)
                w->out_of_memory = true;
        return 0;
}

int systemd_job_run(sd_bus *bus, sd_bus_message *call, uint64_t timeout_usec, sd_bus_error *ret_bus_error,
                    char **ret_result) {
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        JobWait w = {};
        uint64_t deadline = now_usec() + timeout_usec;

        /* The match before the call, so that a job that ends before the reply is read is not
         * missed. systemd sends JobRemoved to the job's requester even without
         * Manager.Subscribe(). Off a bus broker (private socket) messages carry no sender. */
        int r = sd_bus_match_signal(bus, &slot, sd_bus_is_bus_client(bus) > 0 ? "org.freedesktop.systemd1" : NULL,
                                    "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "JobRemoved",
                                    on_job_removed, &w);
        if (r < 0)
                return r;
        r = sd_bus_call(bus, call, timeout_usec, ret_bus_error, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "o", &w.job);
        if (r < 0)
                return r;

        while (!w.result) {
                if (w.out_of_memory)
                        return -ENOMEM;
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                uint64_t now = now_usec();
                if (now >= deadline)
                        return -ETIMEDOUT;
                r = sd_bus_wait(bus, deadline - now);
                if (r < 0)
                        return r;
        }
        *ret_result = w.result;
        return 0;
}

int systemd_manager_new_call(sd_bus *bus, const char *method, sd_bus_message **ret) {
        return sd_bus_message_new_method_call(bus, ret, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                              "org.freedesktop.systemd1.Manager", method);
}

int systemd_unit_job(sd_bus *bus, const char *method, const char *unit, const char *mode, uint64_t timeout_usec,
                     sd_bus_error *ret_bus_error, char **ret_result) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r = systemd_manager_new_call(bus, method, &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "ss", unit, mode);
        if (r < 0)
                return r;
        return systemd_job_run(bus, m, timeout_usec, ret_bus_error, ret_result);
}
