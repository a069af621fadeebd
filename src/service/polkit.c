/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CheckAuthorization over sd-bus. The subject is a "unix-process" with pid, start-time and uid
 * (never a PID alone: polkit then looks the rest up itself, racing PID reuse); the container id
 * travels in the details, where rules read it with action.lookup("container") and the action's
 * message shows it as $(container). */

#include <string.h>
#include <systemd/sd-bus.h>

#include "errmsg.h"
#include "polkit.h"

/* Long enough for a person to type a password at the agent's prompt; a non-interactive check
 * is answered in milliseconds. */
#define POLKIT_TIMEOUT_USEC (25ULL * 1000000ULL)
#define POLKIT_INTERACTIVE_TIMEOUT_USEC (300ULL * 1000000ULL)
#define POLKIT_FLAG_ALLOW_USER_INTERACTION 1U

int polkit_check(const PolkitSubject *subject, const char *action_id, const char *container,
                 const char *signal, bool interactive, char **ret_error) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return errmsg(ret_error, 0, "cannot ask polkit: cannot connect to the system bus");
        r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.PolicyKit1",
                                           "/org/freedesktop/PolicyKit1/Authority",
                                           "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
        if (r >= 0)
                r = sd_bus_message_append(m, "(sa{sv})s", "unix-process", 3,
                                          "pid", "u", (uint32_t) subject->pid,
                                          "start-time", "t", subject->starttime,
                                          "uid", "i", (int32_t) subject->uid,
                                          action_id);
        if (r >= 0)
                r = container && signal ? sd_bus_message_append(m, "a{ss}", 2, "container", container, "signal", signal)
                    : container         ? sd_bus_message_append(m, "a{ss}", 1, "container", container)
                                        : sd_bus_message_append(m, "a{ss}", 0);
        if (r >= 0)
                r = sd_bus_message_append(m, "us", interactive ? POLKIT_FLAG_ALLOW_USER_INTERACTION : 0U, "");
        if (r < 0)
                return errmsg(ret_error, 0, "cannot ask polkit: cannot build the request: %s", strerror(-r));

        r = sd_bus_call(bus, m, interactive ? POLKIT_INTERACTIVE_TIMEOUT_USEC : POLKIT_TIMEOUT_USEC, &error, &reply);
        if (r < 0)
                return errmsg_plain(ret_error, 0, "cannot ask polkit (is polkitd running?): %s",
                                    error.message ?: strerror(-r));

        int authorized, challenge;
        r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
        if (r >= 0)
                r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
        if (r < 0)
                return errmsg_plain(ret_error, 0, "cannot ask polkit: unexpected reply: %s", strerror(-r));

        if (authorized)
                return 1;
        if (challenge)
                return errmsg_plain(ret_error, 0, "%s needs authentication as an administrator, and no polkit agent answered "
                                    "(run the command on a terminal, or ask for a rule that allows it)", action_id);
        return errmsg_plain(ret_error, 0, "polkit denied %s%s%s", action_id,
                            container ? " for container " : "", container ?: "");
}
