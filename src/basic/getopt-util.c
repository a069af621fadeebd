/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Options after operands, as runc's command line takes them: argv reordered with getopt_long()
 * itself, so that option arguments, "--opt=value", clusters ("-af") and abbreviations are read
 * exactly as the verb's own loop will read them. libc only. */

#include <string.h>

#include "getopt-util.h"
#include "macros.h"

/* glibc keeps its ordering mode (the '+' or '-' of the optstring, or POSIXLY_CORRECT) from the
 * last full initialisation, which only optind = 0 forces: leave it in '+' order. */
static void getopt_reset_require_order(char *argv0) {
        char *argv[] = { argv0, NULL };
        optind = 0;
        (void) getopt(1, argv, "+");
        optind = 1;
}

int argv_options_first(int argc, char **argv, const char *shortopts, const struct option *longopts,
                       int stop_after) {
        if (argc <= 2)
                return 0;

        _cleanup_free_ char **opts = calloc((size_t) argc, sizeof(char *));
        _cleanup_free_ char **operands = calloc((size_t) argc, sizeof(char *));
        /* '-': every operand comes back in place as "option" 1, whatever POSIXLY_CORRECT says. */
        _cleanup_free_ char *mode = malloc(strlen(shortopts) + 2);
        if (!opts || !operands || !mode)
                return -ENOMEM;
        mode[0] = '-';
        strcpy(mode + 1, shortopts + (shortopts[0] == '+' || shortopts[0] == '-'));

        size_t n_opts = 0, n_operands = 0;
        char *dashdash = NULL;
        int saved_opterr = opterr, prev = 1, c;
        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, mode, longopts, NULL)) != -1) {
                /* Inside a cluster ("-af"), the element is not done yet. */
                if (optind == prev)
                        continue;
                for (int i = prev; i < optind; i++)
                        if (c == 1)
                                operands[n_operands++] = argv[i];
                        else
                                opts[n_opts++] = argv[i];
                prev = optind;
                if (c == 1 && stop_after > 0 && n_operands == (size_t) stop_after)
                        break;
        }
        if (c == -1 && optind > prev)
                dashdash = argv[prev]; /* the one element getopt consumes without returning it */
        opterr = saved_opterr;

        int k = 1;
        for (size_t i = 0; i < n_opts; i++)
                argv[k++] = opts[i];
        if (dashdash)
                argv[k++] = dashdash;
        for (size_t i = 0; i < n_operands; i++)
                argv[k++] = operands[i];
        /* What follows (after the stop, or the "--") stays where it is. */
        getopt_reset_require_order(argv[0]);
        return 0;
}
