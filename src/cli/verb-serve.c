/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `serve` (hidden): the privileged side of the control socket, with ctr-launch.socket's
 * listening socket (LISTEN_FDS). A thin verb: service/serve-daemon.c does the work, in the
 * parent and in each child it forks for a connection; this prints their one error line and
 * maps the outcome to the exit code. */

#include <string.h>
#include <unistd.h>

#include "parse-util.h"
#include "serve.h"
#include "verbs.h"

/* Exit after this long with no connection and no request in progress: nothing stays resident;
 * the socket starts us again. */
#define IDLE_EXIT_SEC_DEFAULT 60

int verb_serve(int argc, char **argv, const GlobalOptions *g) {
        uint64_t idle = IDLE_EXIT_SEC_DEFAULT;
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (strncmp(a, "--idle-exit=", 12) != 0 || parse_uint64(a + 12, 86400, &idle) < 0 || idle == 0)
                        return cli_usage_error(verb_find("serve"), "unexpected argument \"%s\"", a);
        }

        _cleanup_free_ char *error = NULL;
        bool child;
        int r = serve_run((unsigned) idle, &child, &error);
        if (r < 0)
                return cli_fail(r, error);
        return r > 0 ? EXIT_OK : EXIT_FAILED;
}
