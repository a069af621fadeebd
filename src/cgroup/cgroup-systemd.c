/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The systemd cgroup driver (--systemd-cgroup): "slice:prefix:name" to a transient scope, asked
 * of the system manager (or the user's) over sd-bus, and stopped again. It only talks to
 * systemd: the cgroup files themselves are written by cgroup-v1.c / cgroup-v2.c afterwards, in
 * the scope systemd delegated to us. sd-bus, never GDBus: this runs in the launcher before the
 * container's init is cloned, and GDBus starts threads. Every connection is closed before
 * returning, so no bus fd outlives a call. */

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "errmsg.h"
#include "parse-util.h"
#include "string-util.h"
#include "time-util.h"
#include "cgroup.h"
#include "systemd-job.h"

#define UNIT_NAME_MAX 255
#define SYSTEMD_TIMEOUT_USEC (30ULL * 1000000ULL)
#define CPU_PERIOD_DEFAULT_USEC 100000ULL

/* ---- names ---------------------------------------------------------------------------------- */

static bool unit_char_is_valid(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                strchr(":_.\\-", c);
}

/* systemd's rule for a plain unit name: at most 255 characters from [A-Za-z0-9:_.\-], something
 * before the type suffix. A leading '.' is refused too: it makes a hidden file of the unit's
 * drop-in directory. */
static bool unit_name_is_valid(const char *name, const char *suffix) {
        size_t n = strlen(name);
        if (n == 0 || n > UNIT_NAME_MAX || name[0] == '.')
                return false;
        if (!endswith(name, suffix) || n == strlen(suffix))
                return false;
        for (const char *p = name; *p; p++)
                if (!unit_char_is_valid(*p))
                        return false;
        return true;
}

/* A slice's name is its path in the tree: "a-b.slice" lives in "a.slice". So besides being a unit
 * name, no '-' may start or end it or come twice in a row ("-.slice", the root, aside). */
static bool slice_name_is_valid(const char *name) {
        if (!unit_name_is_valid(name, ".slice"))
                return false;
        if (strcmp(name, "-.slice") == 0)
                return true;
        size_t n = strlen(name) - strlen(".slice");
        if (name[0] == '-' || name[n - 1] == '-')
                return false;
        for (size_t i = 0; i + 1 < n; i++)
                if (name[i] == '-' && name[i + 1] == '-')
                        return false;
        return true;
}

/* The default scope is named after the container id, which may hold '+': escape what a unit
 * name cannot hold the way systemd-escape does ("\x2b"). */
static char *unit_name_escape(const char *s) {
        char *out = malloc(strlen(s) * 4 + 1), *o = out;
        if (!out)
                return NULL;
        for (const char *p = s; *p; p++) {
                if (unit_char_is_valid(*p) && *p != '\\' && !(p == s && *p == '.'))
                        *o++ = *p;
                else
                        o += sprintf(o, "\\x%02x", (unsigned char) *p);
        }
        *o = 0;
        return out;
}

/* The config's text, fit for a one-line error message. */
static char *printable(const char *s) {
        char *out = strdup(s);
        if (out)
                for (char *p = out; *p; p++)
                        if ((unsigned char) *p < 0x20 || (unsigned char) *p >= 0x7f)
                                *p = '?';
        return out;
}

int cgroup_systemd_parse_path(const char *cgroups_path, const char *id, bool user, char **ret_slice,
                              char **ret_unit, char **ret_error) {
        const char *default_slice = user ? "user.slice" : "system.slice";
        _cleanup_free_ char *slice = NULL, *unit = NULL, *shown = NULL;

        if (!cgroups_path || !*cgroups_path) {
                _cleanup_free_ char *escaped = unit_name_escape(id);
                if (!escaped)
                        return -ENOMEM;
                if (asprintf(&unit, "ctr-launch-%s.scope", escaped) < 0)
                        return -ENOMEM;
                if (!unit_name_is_valid(unit, ".scope"))
                        return errmsg_plain(ret_error, -EINVAL,
                                            "linux.cgroupsPath: the default unit name \"%s\" is not a valid "
                                            "unit name (too long?): give a cgroupsPath", unit);
                slice = strdup(default_slice);
                if (!slice)
                        return -ENOMEM;
                *ret_slice = TAKE_PTR(slice);
                *ret_unit = TAKE_PTR(unit);
                return 0;
        }

        shown = printable(cgroups_path);
        if (!shown)
                return -ENOMEM;
        const char *c1 = strchr(cgroups_path, ':');
        const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2 || strchr(c2 + 1, ':'))
                return errmsg_plain(ret_error, -EINVAL,
                                    "linux.cgroupsPath: \"%s\": the systemd cgroup driver wants "
                                    "\"slice:prefix:name\"", shown);

        slice = c1 == cgroups_path ? strdup(default_slice) : strndup(cgroups_path, c1 - cgroups_path);
        _cleanup_free_ char *prefix = strndup(c1 + 1, c2 - c1 - 1);
        const char *name = c2 + 1;
        if (!slice || !prefix)
                return -ENOMEM;

        if (!slice_name_is_valid(slice))
                return errmsg_plain(ret_error, -EINVAL,
                                    "linux.cgroupsPath: \"%s\": the slice is not a valid slice name "
                                    "(\"a-b.slice\": [A-Za-z0-9:_.\\-], no \"--\")", shown);
        if (!*name)
                return errmsg_plain(ret_error, -EINVAL, "linux.cgroupsPath: \"%s\": the name is empty", shown);
        /* runc makes a slice rather than a scope for such a name; we only make scopes. */
        if (endswith(name, ".slice"))
                return errmsg_plain(ret_error, -EINVAL,
                                    "linux.cgroupsPath: \"%s\": a slice as the container's unit is not supported",
                                    shown);

        if (asprintf(&unit, "%s%s%s.scope", prefix, *prefix ? "-" : "", name) < 0)
                return -ENOMEM;
        if (!unit_name_is_valid(unit, ".scope"))
                return errmsg_plain(ret_error, -EINVAL,
                                    "linux.cgroupsPath: \"%s\": \"prefix-name.scope\" is not a valid unit name "
                                    "([A-Za-z0-9:_.\\-], 255 characters at most)", shown);

        *ret_slice = TAKE_PTR(slice);
        *ret_unit = TAKE_PTR(unit);
        return 0;
}

/* ---- properties ----------------------------------------------------------------------------- */

static int append_u64(sd_bus_message *m, const char *name, uint64_t v) {
        return sd_bus_message_append(m, "(sv)", name, "t", v);
}

/* AllowedCPUs=/AllowedMemoryNodes= take a bitmask: bit i of byte i/8 for CPU (node) i. */
static int append_bitmask(sd_bus_message *m, const char *name, const char *list) {
        cpu_set_t set;
        uint8_t bytes[CPU_SETSIZE / 8] = {};
        size_t n = 0;

        int r = parse_cpu_list(list, &set);
        if (r < 0)
                return r;
        for (size_t i = 0; i < CPU_SETSIZE; i++)
                if (CPU_ISSET(i, &set)) {
                        bytes[i / 8] |= (uint8_t) (1u << (i % 8));
                        n = i / 8 + 1;
                }
        r = sd_bus_message_open_container(m, 'r', "sv");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", name);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'v', "ay");
        if (r < 0)
                return r;
        r = sd_bus_message_append_array(m, 'y', bytes, n);
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}

/* The resources systemd 252 has properties for, so that its view of the unit agrees with the
 * files the v1/v2 backend writes right after (and a daemon-reload does not undo them). Values
 * use the same conversions as cgroup-v2.c. With reset, each property res sets goes back to
 * systemd's default instead: infinity, 0, unset (UINT64_MAX is "unset" for the weights and the
 * quota), an empty CPU set, tasks_default for TasksMax=.
 * In the order of the names of the drop-ins systemd writes for them (50-AllowedCPUs.conf,
 * 50-CPUQuota.conf, ...): systemd 252 appends each new one to its list of the unit's drop-ins
 * and, when that list is no longer in the order it finds them on disk, takes the unit for
 * changed on disk ("Run 'systemctl daemon-reload'") until the next reload. */
static int append_resources(sd_bus_message *m, const OciResources *res, bool reset, uint64_t tasks_default) {
        int r;

        if (!res)
                return 0;
#define VALUE(v, dflt) (reset ? (uint64_t) (dflt) : (uint64_t) (v))

        if (res->cpus && *res->cpus) {
                r = append_bitmask(m, "AllowedCPUs", reset ? "" : res->cpus);
                if (r < 0)
                        return r;
        }
        if (res->mems && *res->mems) {
                r = append_bitmask(m, "AllowedMemoryNodes", reset ? "" : res->mems);
                if (r < 0)
                        return r;
        }
        if (res->has_cpu_quota) {
                uint64_t v = UINT64_MAX;
                if (res->cpu_quota > 0) {
                        uint64_t period = res->has_cpu_period && res->cpu_period > 0 ? res->cpu_period
                                                                                     : CPU_PERIOD_DEFAULT_USEC;
                        v = (uint64_t) res->cpu_quota * USEC_PER_SEC / period;
                        /* systemd keeps a unit's quota as a whole percentage (it writes
                         * "CPUQuota=N%" to the unit file): round up to 10 ms per second, or a
                         * reload would cut the quota below what the cgroup file says. */
                        v = (v + 9999) / 10000 * 10000;
                }
                r = append_u64(m, "CPUQuotaPerSecUSec", VALUE(v, UINT64_MAX));
                if (r < 0)
                        return r;
        }
        if (res->has_cpu_period) {
                r = append_u64(m, "CPUQuotaPeriodUSec", VALUE(res->cpu_period, UINT64_MAX));
                if (r < 0)
                        return r;
        }
        if (res->has_cpu_shares) {
                uint64_t shares = res->cpu_shares < 2 ? 2 : res->cpu_shares > 262144 ? 262144 : res->cpu_shares;
                r = append_u64(m, "CPUWeight", VALUE(1 + ((shares - 2) * 9999) / 262142, UINT64_MAX));
                if (r < 0)
                        return r;
        }
        if (res->has_blkio_weight && res->blkio_weight >= 10) {
                r = append_u64(m, "IOWeight", VALUE(1 + ((uint64_t) res->blkio_weight - 10) * 9999 / 990, UINT64_MAX));
                if (r < 0)
                        return r;
        }
        if (res->has_memory_reservation && res->memory_reservation > 0) {
                r = append_u64(m, "MemoryLow", VALUE(res->memory_reservation, 0));
                if (r < 0)
                        return r;
        }
        if (res->has_memory_limit) {
                r = append_u64(m, "MemoryMax", VALUE(res->memory_limit < 0 ? UINT64_MAX : (uint64_t) res->memory_limit, UINT64_MAX));
                if (r < 0)
                        return r;
        }
        /* memory.swap is memory+swap (v1's meaning); systemd's MemorySwapMax= is swap alone. */
        if (res->has_memory_swap) {
                bool set = false;
                uint64_t v = 0;
                if (res->memory_swap < 0)
                        set = true, v = UINT64_MAX;
                else if (res->has_memory_limit && res->memory_limit >= 0 && res->memory_swap >= res->memory_limit)
                        set = true, v = (uint64_t) (res->memory_swap - res->memory_limit);
                if (set && (r = append_u64(m, "MemorySwapMax", VALUE(v, UINT64_MAX))) < 0)
                        return r;
        }
        if (res->has_pids_limit) {
                r = append_u64(m, "TasksMax", VALUE(res->pids_limit <= 0 ? UINT64_MAX : (uint64_t) res->pids_limit, tasks_default));
                if (r < 0)
                        return r;
        }
#undef VALUE
        return 0;
}

static int append_properties(sd_bus_message *m, const char *unit, const char *slice, pid_t pid,
                             const OciResources *res) {
        _cleanup_free_ char *description = NULL;
        if (asprintf(&description, "ctr-launch container %s", unit) < 0)
                return -ENOMEM;

        int r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "(sv)(sv)(sv)(sv)(sv)(sv)",
                                  "Description", "s", description,
                                  "Slice", "s", slice,
                                  "Delegate", "b", 1,
                                  "PIDs", "au", 1, (uint32_t) pid,
                                  "DefaultDependencies", "b", 0,
                                  /* A failed scope is collected too, so that its name is free
                                   * for the next create. */
                                  "CollectMode", "s", "inactive-or-failed");
        if (r < 0)
                return r;
        r = append_resources(m, res, false, 0);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}

/* ---- the calls ------------------------------------------------------------------------------ */

static int unit_object_path(sd_bus *bus, const char *unit, sd_bus_error *error, char **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                   "org.freedesktop.systemd1.Manager", "GetUnit", error, &reply, "s", unit);
        if (r < 0)
                return r;
        const char *p;
        r = sd_bus_message_read(reply, "o", &p);
        if (r < 0)
                return r;
        return (*ret = strdup(p)) ? 0 : -ENOMEM;
}

int cgroup_systemd_start_scope(const char *unit, const char *slice, pid_t pid, const OciResources *res,
                               bool user, char **ret_cgroup, char **ret_error) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *result = NULL, *unit_path = NULL, *cgroup = NULL;
        int r;

        r = systemd_bus_connect(user, &bus, ret_error);
        if (r < 0)
                return r;

        r = systemd_manager_new_call(bus, "StartTransientUnit", &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "ss", unit, "fail");
        if (r >= 0)
                r = append_properties(m, unit, slice, pid, res);
        if (r >= 0)
                r = sd_bus_message_append(m, "a(sa(sv))", 0);
        if (r < 0)
                return errmsg(ret_error, r, "systemd: start transient scope %s: build the request", unit);

        r = systemd_job_run(bus, m, SYSTEMD_TIMEOUT_USEC, &error, &result);
        if (r < 0 && sd_bus_error_has_name(&error, "org.freedesktop.systemd1.UnitExists"))
                return errmsg_plain(ret_error, -EEXIST,
                                    "systemd: start transient scope %s: the unit already exists "
                                    "(another container with this cgroupsPath, or a scope left behind: "
                                    "systemctl%s stop '%s')", unit, user ? " --user" : "", unit);
        if (r == -ETIMEDOUT)
                return errmsg_plain(ret_error, r, "systemd: start transient scope %s: job not finished after %llu s",
                                    unit, SYSTEMD_TIMEOUT_USEC / USEC_PER_SEC);
        if (r < 0)
                return errmsg_plain(ret_error, r, "systemd: start transient scope %s: %s", unit,
                                    systemd_bus_error_text(&error, r));
        if (strcmp(result, "done") != 0)
                return errmsg_plain(ret_error, -EIO,
                                    "systemd: start transient scope %s: job %s (see journalctl%s -u %s)", unit,
                                    result, user ? " --user" : "", unit);

        /* The unit's cgroup as systemd made it, from the hierarchy's root: for the user's manager
         * that is below user@UID.service. */
        r = unit_object_path(bus, unit, &error, &unit_path);
        if (r < 0)
                return errmsg_plain(ret_error, r, "systemd: get unit %s: %s", unit, systemd_bus_error_text(&error, r));
        r = sd_bus_get_property_string(bus, "org.freedesktop.systemd1", unit_path, "org.freedesktop.systemd1.Scope",
                                       "ControlGroup", &error, &cgroup);
        if (r < 0)
                return errmsg_plain(ret_error, r, "systemd: get ControlGroup of %s: %s", unit,
                                    systemd_bus_error_text(&error, r));
        /* Empty when the scope has no cgroup (any more): its process died meanwhile. */
        if (cgroup[0] != '/')
                return errmsg_plain(ret_error, -ESRCH, "systemd: %s has no cgroup (did process %d exit?)", unit,
                                    (int) pid);

        *ret_cgroup = TAKE_PTR(cgroup);
        return 0;
}

int cgroup_systemd_stop_unit(const char *unit, bool user, char **ret_error) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *result = NULL;

        int r = systemd_bus_connect(user, &bus, ret_error);
        if (r < 0)
                return r;
        /* Waits for the stop to finish, so that the name is free again when delete returns. */
        r = systemd_unit_job(bus, "StopUnit", unit, "replace", SYSTEMD_TIMEOUT_USEC, &error, &result);
        if (r < 0 && sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit"))
                return 0;
        if (r == -ETIMEDOUT)
                return errmsg_plain(ret_error, r, "systemd: stop %s: job not finished after %llu s", unit,
                                    SYSTEMD_TIMEOUT_USEC / USEC_PER_SEC);
        if (r < 0)
                return errmsg_plain(ret_error, r, "systemd: stop %s: %s", unit, systemd_bus_error_text(&error, r));
        if (strcmp(result, "done") != 0)
                return errmsg_plain(ret_error, -EIO, "systemd: stop %s: job %s", unit, result);
        return 0;
}

/* ---- the limits of a container in a delegated unit ------------------------------------------ */

/* Whether append_resources() has anything to say for res. */
static bool resources_have_properties(const OciResources *res) {
        return res->has_memory_limit || (res->has_memory_reservation && res->memory_reservation > 0) ||
                res->has_memory_swap || res->has_cpu_shares || res->has_cpu_period || res->has_cpu_quota ||
                (res->cpus && *res->cpus) || (res->mems && *res->mems) || res->has_pids_limit ||
                (res->has_blkio_weight && res->blkio_weight >= 10);
}

int cgroup_systemd_set_unit_resources(const char *unit, bool user, const OciResources *res, bool reset,
                                      char **ret_error) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        uint64_t tasks_default = UINT64_MAX;

        if (!res || !resources_have_properties(res))
                return 0;
        int r = systemd_bus_connect(user, &bus, ret_error);
        if (r < 0)
                return r;
        if (reset && res->has_pids_limit) {
                r = sd_bus_get_property_trivial(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                                "org.freedesktop.systemd1.Manager", "DefaultTasksMax", &error, 't',
                                                &tasks_default);
                if (r < 0)
                        return errmsg_plain(ret_error, r, "systemd: read DefaultTasksMax: %s",
                                            systemd_bus_error_text(&error, r));
        }
        r = systemd_manager_new_call(bus, "SetUnitProperties", &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "sb", unit, 1); /* runtime: gone at reboot */
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r >= 0)
                r = append_resources(m, res, reset, tasks_default);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                return errmsg(ret_error, r, "systemd: set the properties of %s: build the request", unit);
        r = sd_bus_call(bus, m, SYSTEMD_TIMEOUT_USEC, &error, NULL);
        if (r < 0)
                return errmsg_plain(ret_error, r, "systemd: set the limits of %s: %s", unit,
                                    systemd_bus_error_text(&error, r));
        return 0;
}

/* One property of unit's own interface (Service or Scope), of D-Bus type "b" or "i". */
static int unit_property(const char *unit, bool user, const char *property, char type, void *ret,
                         char **ret_error) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL;
        const char *iface = endswith(unit, ".scope") ? "org.freedesktop.systemd1.Scope" : "org.freedesktop.systemd1.Service";

        int r = systemd_bus_connect(user, &bus, ret_error);
        if (r < 0)
                return r;
        r = unit_object_path(bus, unit, &error, &path);
        if (r >= 0)
                r = sd_bus_get_property_trivial(bus, "org.freedesktop.systemd1", path, iface, property, &error, type, ret);
        if (r < 0)
                return errmsg_plain(ret_error, r, "systemd: read %s of %s: %s", property, unit,
                                    systemd_bus_error_text(&error, r));
        return 0;
}

int cgroup_systemd_unit_delegates(const char *unit, bool user, char **ret_error) {
        int delegate = 0;
        int r = unit_property(unit, user, "Delegate", 'b', &delegate, ret_error);
        return r < 0 ? r : delegate ? 1 : 0;
}

int cgroup_systemd_unit_kill_signal(const char *unit, bool user, char **ret_error) {
        int sig = 0;
        int r = unit_property(unit, user, "KillSignal", 'i', &sig, ret_error);
        return r < 0 ? r : sig;
}
