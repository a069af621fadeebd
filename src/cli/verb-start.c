/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `start ID`: lets a created container's init exec the user's process; under a Type=notify
 * unit with "container" readiness, then relays the container's sd_notify() messages. */

#include <fcntl.h>
#include <unistd.h>

#include "fd-util.h"
#include "container.h"
#include "notify.h"
#include "start-fds.h"
#include "verbs.h"

int verb_start(int argc, char **argv, const GlobalOptions *g) {
        const Verb *v = verb_find("start");
        const char *id;
        int r = cli_take_only_id(v, argc, argv, cli_first_operand(argc, argv), &id);
        if (r != 0)
                return r;

        _cleanup_container_ Container *c = NULL;
        _cleanup_close_ int relay = -EBADF;
        _cleanup_free_ char *error = NULL;
        /* Socket activation (ctr@.socket, the fd store): what systemd passed us goes on to the
         * container, at 3.. there too. */
        const char *names = NULL;
        const unsigned listen_fds = listen_fds_from_env(&names);
        r = container_check_preserved_fds(listen_fds, g->runtime.first_closed_fd, &error);
        if (r >= 0)
                r = container_open(&g->runtime, id, &c, &error);
        ino_t pidns = 0;
        if (r >= 0)
                r = container_start(c, listen_fds, names, &relay, &pidns, &error);
        if (r < 0)
                return cli_fail(r, error);
        /* Our copies of fds 3.. were closed as soon as the init had them (start_fds_send()). */
        if (relay < 0)
                return EXIT_OK;

        /* "container" readiness: we stay, a small relay for the container's sd_notify()
         * messages, for as long as it lives, without its lock. */
        _cleanup_close_ int pidfd = fcntl(c->pidfd, F_DUPFD_CLOEXEC, 3);
        if (pidfd < 0)
                return cli_failf(-errno, "keep the container's pidfd");
        c = container_free(c);
        r = notify_relay_run(relay, pidfd, pidns, &error);
        return r < 0 ? cli_fail(r, error) : EXIT_OK;
}
