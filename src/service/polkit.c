/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CheckAuthorization over sd-bus. The subject is a "unix-process" with pid, start-time and uid
 * (never a PID alone: polkit then looks the rest up itself, racing PID reuse), and the pidfd
 * the kernel gave us for the peer where it did (SO_PEERPIDFD): polkit 123 and later reads the
 * process from it, older ones (Debian 12's 122) ignore it and use pid and start-time. The
 * container id travels in the details, where rules read it with action.lookup("container")
 * and the action's message shows it as $(container). */

#include <string.h>
#include <systemd/sd-bus.h>

#include "errmsg.h"
#include "polkit.h"

/* Long enough for a person to type a password at the agent's prompt; a non-interactive check
 * is answered in milliseconds. */
#define POLKIT_TIMEOUT_USEC (25ULL * 1000000ULL)
#define POLKIT_INTERACTIVE_TIMEOUT_USEC (300ULL * 1000000ULL)
#define POLKIT_FLAG_ALLOW_USER_INTERACTION 1U

/* Whether the result's details name a temporary authorization: polkit adds
 * "polkit.temporary_authorization_id" to a yes that a kept authorization gave, or that it
 * keeps after this challenge. */
static int reply_is_kept(sd_bus_message *reply, bool *ret) {
        const char *key, *value;
        int r;

        *ret = false;
        r = sd_bus_message_enter_container(reply, 'a', "{ss}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "{ss}", &key, &value)) > 0)
                if (strcmp(key, "polkit.temporary_authorization_id") == 0)
                        *ret = true;
        return r;
}

int polkit_check(const PolkitSubject *subject, const char *action_id, const char *container,
                 const char *detail_key, const char *detail_value, bool interactive, char **ret_error) {
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
        if (r >= 0 && subject->pidfd >= 0)
                r = sd_bus_message_append(m, "(sa{sv})s", "unix-process", 4,
                                          "pidfd", "h", subject->pidfd,
                                          "pid", "u", (uint32_t) subject->pid,
                                          "start-time", "t", subject->starttime,
                                          "uid", "i", (int32_t) subject->uid,
                                          action_id);
        else if (r >= 0)
                r = sd_bus_message_append(m, "(sa{sv})s", "unix-process", 3,
                                          "pid", "u", (uint32_t) subject->pid,
                                          "start-time", "t", subject->starttime,
                                          "uid", "i", (int32_t) subject->uid,
                                          action_id);
        if (r >= 0)
                r = container && detail_key ? sd_bus_message_append(m, "a{ss}", 2, "container", container, detail_key, detail_value)
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
        bool kept;
        r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
        if (r >= 0)
                r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
        if (r >= 0)
                r = reply_is_kept(reply, &kept);
        if (r < 0)
                return errmsg_plain(ret_error, 0, "cannot ask polkit: unexpected reply: %s", strerror(-r));

        /* A yes that polkit kept (a rule answered AUTH_*_KEEP, or it was kept from earlier) is
         * a yes for this process and action id whatever the container: it may be the answer
         * for another container, and it would be for the next one. */
        if (authorized && kept)
                return errmsg_plain(ret_error, 0, "polkit's yes for %s%s%s was a kept authorization, which is not "
                                    "per container: refused (a rule returned a _KEEP result; see docs/authorization.md)",
                                    action_id, container ? " for container " : "", container ?: "");
        if (authorized)
                return 1;
        if (challenge)
                return errmsg_plain(ret_error, 0, "%s needs authentication as an administrator, and no polkit agent answered "
                                    "(run the command on a terminal, or ask for a rule that allows it)", action_id);
        return errmsg_plain(ret_error, 0, "polkit denied %s%s%s", action_id,
                            container ? " for container " : "", container ?: "");
}
