/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `features`: the runtime-spec features document (runtime-features.c builds it). */

#include <stdio.h>

#include "runtime-features.h"
#include "verbs.h"

int verb_features(int argc, char **argv, const GlobalOptions *g) {
        const Verb *v = verb_find("features");
        int first = cli_first_operand(argc, argv);
        if (first < argc)
                return cli_usage_error(v, "unexpected argument \"%s\"", argv[first]);
        _cleanup_free_ char *json = runtime_features_json();
        if (!json)
                return cli_failf(-ENOMEM, "make the features document");
        fputs(json, stdout);
        return EXIT_OK;
}
