/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The system service's way to a unit-managed container: ctr@ID.service, started, stopped or
 * signalled through systemd over sd-bus (as root: systemd asks nobody), waiting for the job's
 * result as `systemctl` does. */

#include <stdbool.h>

/* "ctr@ID.service", or -EINVAL for an id a unit name cannot hold as it is ('+'). */
int unit_control_name(const char *id, char **ret);
/* The unit's ActiveState ("inactive" for a unit systemd has not loaded). */
int unit_control_active_state(const char *unit, char **ret, char **ret_error);
/* Runs a StartUnit or StopUnit job ("replace") and waits for it. 0 once the job is done;
 * -EIO with *ret_error naming the job's result otherwise. */
int unit_control_job(const char *method, const char *unit, char **ret_error);
/* KillUnit(unit, "main" or "all", sig). */
int unit_control_kill(const char *unit, bool all, int sig, char **ret_error);
