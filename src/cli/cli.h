/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The command line: global options, the verb table's shape, usage texts. Options follow
 * runc's names so that podman, conmon and containerd can drive us unchanged. */

#include <getopt.h>
#include <stdbool.h>

#include "container.h"
#include "log.h"

/* Exit codes, documented in README.md. `run` exits with the container's own status instead. */
#define EXIT_OK 0
#define EXIT_FAILED 1
#define EXIT_USAGE 2

typedef struct GlobalOptions {
        RuntimeOptions runtime; /* --root, --systemd-cgroup */
        const char *log_path;
        LogFormat log_format;
        bool debug;
        bool system;           /* --system: a non-root caller's command goes to the system service */
} GlobalOptions;

typedef struct Verb {
        const char *name;
        const char *summary; /* NULL: not listed in the usage text (`serve`) */
        const char *usage; /* full help text of the verb */
        /* argv[0] is the verb's name; returns an exit code. */
        int (*run)(int argc, char **argv, const GlobalOptions *g);
        /* Forks a container's init: run from a sealed copy of the binary (sealed-binary.h). */
        bool forks_init;
        /* Forks into a running container: always from a sealed copy (sealed-binary.h). */
        bool joins_container;
} Verb;

extern const Verb verbs[];
const Verb *verb_find(const char *name);

/* Parses the global options; *ret_index is the index of the verb in argv (== argc if none).
 * Returns 0, a positive exit code when done (--help, --version), or -EINVAL after printing
 * a usage error. */
int cli_parse_global(int argc, char **argv, GlobalOptions *ret, int *ret_index);
void cli_print_usage(void);
/* For verbs: "ctr-launch: <verb>: <msg>" plus a hint, returns EXIT_USAGE. */
int cli_usage_error(const Verb *v, const char *fmt, ...) _printf_(2, 3);
/* The one line of a failed command, printed once with the container's id (log_set_id), and
 * EXIT_FAILED to return: error is what a runtime call left in its ret_error (NULL: strerror(-r)
 * alone). */
int cli_fail(int r, const char *error);
/* The same for a failure the verb finds itself: "<fmt...>: <strerror(-r)>" for r < 0 (a failed
 * system call), the text alone for r == 0 (it says what is wrong). */
int cli_failf(int r, const char *fmt, ...) _printf_(2, 3);
/* Handles `VERB --help`/`-h` when it is the only thing asked: returns true after printing. */
bool cli_wants_help(int argc, char **argv, const Verb *v);
/* The one positional ID a verb takes, validated; prints the error itself. Returns 0 or an
 * exit code. */
int cli_take_id(const Verb *v, int argc, char **argv, int optind_, const char **ret_id);
/* For verbs without options: where their operands start, past an optional "--" (which the
 * units and the system service put before every id). */
int cli_first_operand(int argc, char **argv);
/* --preserve-fds N of create, run and exec: 0, or the usage error's exit code. */
int cli_parse_preserve_fds(const Verb *v, const char *arg, unsigned *ret);
/* --format table|json of list and ps: 0, or the usage error's exit code. */
int cli_parse_format(const Verb *v, const char *arg, bool *ret_json);
/* The same for a verb whose ID is its last argument: also refuses anything after it, and makes
 * the ID the one every message names (log_set_id). */
int cli_take_only_id(const Verb *v, int argc, char **argv, int optind_, const char **ret_id);
/* A verb's options wherever they stand, as runc takes them (`delete ID --force`): argv reordered
 * by argv_options_first() (getopt-util.h) before the verb's own '+' loop. stop_after: the
 * operands after which the rest belongs to a command (ps, exec: 1); 0: none. Returns 0, or the
 * exit code of its failure (printed). */
int cli_options_first(int argc, char **argv, const char *shortopts, const struct option *longopts, int stop_after);
