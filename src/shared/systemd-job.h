/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Talking to systemd's manager over sd-bus, shared by the systemd cgroup driver
 * (cgroup-systemd.c) and the system service (unit-control.c): connecting, and running a job to
 * its end as systemctl does. sd-bus, never GDBus: the launcher must not start threads before it
 * clones the container's init. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "time-util.h"

/* The system manager's bus (or the user's), falling back to systemd's private socket, as
 * systemctl does, where no D-Bus broker runs. */
int systemd_bus_connect(bool user, sd_bus **ret, char **ret_error);

/* Sends call, a Manager method that queues a job (StartUnit, StopUnit, StartTransientUnit),
 * and waits up to timeout_usec for the job to end. 0 with *ret_result the job's result ("done",
 * "failed", "canceled", ...); a refused call: r < 0 with the bus error in *ret_bus_error;
 * -ETIMEDOUT if the job did not end in time. */
int systemd_job_run(sd_bus *bus, sd_bus_message *call, uint64_t timeout_usec, sd_bus_error *ret_bus_error,
                    char **ret_result);

/* A new call of the Manager's method. */
int systemd_manager_new_call(sd_bus *bus, const char *method, sd_bus_message **ret);
/* Manager.<method>(unit, mode) (StartUnit, StopUnit) run to its end, as systemd_job_run(). */
int systemd_unit_job(sd_bus *bus, const char *method, const char *unit, const char *mode, uint64_t timeout_usec,
                     sd_bus_error *ret_bus_error, char **ret_result);

/* The bus error's message, or strerror(-r). */
const char *systemd_bus_error_text(const sd_bus_error *e, int r);
