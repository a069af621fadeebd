/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `serve` (hidden): the privileged side of the control socket, with one connection on stdin.
 * A thin verb: service/serve.c does the work; this prints its one error line and maps the
 * outcome to the exit code. */

#include <unistd.h>

#include "serve.h"
#include "verbs.h"

int verb_serve(int argc, char **argv, const GlobalOptions *g) {
        if (argc > 1)
                return cli_usage_error(verb_find("serve"), "unexpected argument \"%s\"", argv[1]);

        _cleanup_free_ char *error = NULL;
        int r = serve_connection(STDIN_FILENO, &error);
        if (r < 0)
                return cli_fail(r, error);
        return r > 0 ? EXIT_OK : EXIT_FAILED;
}
