/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* runc's command line takes a verb's options after its operands too (`update ID --memory 1g`,
 * `delete ID --force`): urfave/cli moves them to the front. This does the same to argv before a
 * verb's own getopt_long() loop, which can then stop at the first operand ('+') as before.
 * libc only. */

#include <getopt.h>

/* Reorders argv[1..argc-1] in place: the options (with their arguments) first, in their order,
 * then a "--" if there was one, then the operands in their order. Stops looking for options at
 * a "--" and, with stop_after > 0, after the stop_after-th operand: what follows is kept as it
 * stands, at the end (`exec ID CMD -x`, `ps ID -ef`: the rest belongs to a command).
 * shortopts and longopts are the verb's own, as for getopt_long() (a leading '+' or '-' is
 * ignored); unknown options stay options, for the verb's loop to report. Leaves getopt
 * re-initialised in "stop at the first operand" order, so the verb's loop may start with
 * optind = 1 as usual. Returns 0, or -ENOMEM. */
int argv_options_first(int argc, char **argv, const char *shortopts, const struct option *longopts,
                       int stop_after);
