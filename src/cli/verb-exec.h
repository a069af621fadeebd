/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* exec's command line (verb-exec.c): parsed once, by the verb, and by the control client for a
 * non-root caller's exec through the system service (control-client.c). */

#include <signal.h>
#include <stdbool.h>

#include "container.h"

typedef struct ExecArgs {
        ExecOptions options;
        const char *id;
        char **env, **caps; /* owned */
        gid_t *gids;        /* owned */
        bool has_audit_loginuid;
        uint32_t audit_loginuid;
} ExecArgs;

void exec_args_done(ExecArgs *a);
/* runc's options, the ID, the command. 0, or the exit code with the usage error printed. */
int exec_parse_args(int argc, char **argv, ExecArgs *a);
