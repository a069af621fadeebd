/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Global option parsing and the usage texts. The verbs parse their own options. */

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "getopt-util.h"
#include "parse-util.h"
#include "cli.h"

const Verb *verb_find(const char *name) {
        for (const Verb *v = verbs; v->name; v++)
                if (strcmp(v->name, name) == 0)
                        return v;
        return NULL;
}

void cli_print_usage(void) {
        printf("Usage: ctr-launch [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n\n"
               "Run OCI bundles as containers, with runc's command line.\n\n"
               "Commands:\n");
        for (const Verb *v = verbs; v->name; v++)
                if (v->summary)
                        printf("  %-10s %s\n", v->name, v->summary);
        printf("\nGlobal options:\n"
               "  --root DIR            state directory (default /run/ctr-launch as root,\n"
               "                        $XDG_RUNTIME_DIR/ctr-launch otherwise)\n"
               "  --log FILE            also write log records to FILE\n"
               "  --log-format FORMAT   text (default) or json\n"
               "  --debug               log debug messages\n"
               "  --systemd-cgroup      cgroupsPath is slice:prefix:name (placement via systemd)\n"
               "  --system              as non-root: start, kill, delete, state, list a system\n"
               "                        container through the system service (polkit decides)\n"
               "  -h, --help            show this help\n"
               "  -v, --version         show the version\n\n"
               "`ctr-launch help COMMAND` or `ctr-launch COMMAND --help` describes a command.\n");
}

int cli_parse_global(int argc, char **argv, GlobalOptions *ret, int *ret_index) {
        enum { ARG_ROOT = 0x100, ARG_LOG, ARG_LOG_FORMAT, ARG_DEBUG, ARG_SYSTEMD_CGROUP, ARG_ROOTLESS, ARG_CRIU, ARG_SYSTEM };
        static const struct option options[] = {
                { "root", required_argument, NULL, ARG_ROOT },
                { "log", required_argument, NULL, ARG_LOG },
                { "log-format", required_argument, NULL, ARG_LOG_FORMAT },
                { "debug", no_argument, NULL, ARG_DEBUG },
                { "systemd-cgroup", no_argument, NULL, ARG_SYSTEMD_CGROUP },
                { "system", no_argument, NULL, ARG_SYSTEM },
                /* runc's; accepted so callers that always pass them keep working */
                { "rootless", required_argument, NULL, ARG_ROOTLESS },
                { "criu", required_argument, NULL, ARG_CRIU },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'v' },
                {}
        };
        GlobalOptions g = { .log_format = LOG_FORMAT_TEXT };
        int c;

        opterr = 0;
        optind = 1;
        /* '+': stop at the verb, whose options are its own. */
        while ((c = getopt_long(argc, argv, "+hv", options, NULL)) >= 0)
                switch (c) {
                case ARG_ROOT:
                        g.runtime.root = optarg;
                        break;
                case ARG_LOG:
                        g.log_path = optarg;
                        break;
                case ARG_LOG_FORMAT:
                        if (strcmp(optarg, "text") == 0)
                                g.log_format = LOG_FORMAT_TEXT;
                        else if (strcmp(optarg, "json") == 0)
                                g.log_format = LOG_FORMAT_JSON;
                        else {
                                fprintf(stderr, "ctr-launch: --log-format: unknown format \"%s\" (text or json)\n", optarg);
                                return -EINVAL;
                        }
                        break;
                case ARG_DEBUG:
                        g.debug = true;
                        break;
                case ARG_SYSTEMD_CGROUP:
                        g.runtime.systemd_cgroup = true;
                        break;
                case ARG_SYSTEM:
                        g.system = true;
                        break;
                case ARG_ROOTLESS:
                case ARG_CRIU:
                        break;
                case 'h':
                        cli_print_usage();
                        return EXIT_OK + 256; /* "done", mapped by the caller */
                case 'v':
                        printf("ctr-launch version %s\nspec: 1.2.0\n", CTR_LAUNCH_VERSION);
                        return EXIT_OK + 256;
                default:
                        fprintf(stderr, "ctr-launch: unknown or incomplete option \"%s\" (see ctr-launch --help)\n",
                                argv[optind - 1]);
                        return -EINVAL;
                }

        *ret = g;
        *ret_index = optind;
        return 0;
}

int cli_usage_error(const Verb *v, const char *fmt, ...) {
        char *what = NULL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&what, fmt, ap);
        va_end(ap);
        log_error("%s: %s (see ctr-launch %s --help)", v->name, k >= 0 ? what : fmt, v->name);
        free(what);
        return EXIT_USAGE;
}

int cli_fail(int r, const char *error) {
        (void) log_error_message(r, error ?: strerror(-r));
        return EXIT_FAILED;
}

int cli_failf(int r, const char *fmt, ...) {
        _cleanup_free_ char *what = NULL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&what, fmt, ap);
        va_end(ap);
        log_error_errno(r, "%s", k >= 0 ? what : fmt);
        return EXIT_FAILED;
}

bool cli_wants_help(int argc, char **argv, const Verb *v) {
        /* After the ID of ps and exec comes a command's, whose --help is its own. */
        bool command_follows = strcmp(v->name, "ps") == 0 || strcmp(v->name, "exec") == 0;
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--") == 0 || (command_follows && argv[i][0] != '-'))
                        break;
                if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                        fputs(v->usage, stdout);
                        return true;
                }
        }
        return false;
}

int cli_take_id(const Verb *v, int argc, char **argv, int optind_, const char **ret_id) {
        if (optind_ >= argc)
                return cli_usage_error(v, "missing container ID");
        const char *id = argv[optind_];
        if (!container_id_is_valid(id)) {
                /* The log escapes control characters, so a newline in the id cannot break
                 * the one line of error. */
                log_error("invalid container id \"%.200s\": use 1 to %d letters, digits, '_', '+', '.', '-', "
                          "not starting with '.' or '-'", id, CONTAINER_ID_MAX);
                return EXIT_FAILED;
        }
        *ret_id = id;
        return 0;
}

int cli_first_operand(int argc, char **argv) {
        return argc > 1 && strcmp(argv[1], "--") == 0 ? 2 : 1;
}

int cli_parse_preserve_fds(const Verb *v, const char *arg, unsigned *ret) {
        uint64_t n;
        if (parse_uint64(arg, 1024, &n) < 0)
                return cli_usage_error(v, "--preserve-fds: not a number from 0 to 1024: \"%s\"", arg);
        *ret = (unsigned) n;
        return 0;
}

int cli_parse_format(const Verb *v, const char *arg, bool *ret_json) {
        if (strcmp(arg, "json") == 0)
                *ret_json = true;
        else if (strcmp(arg, "table") == 0)
                *ret_json = false;
        else
                return cli_usage_error(v, "--format: unknown format \"%s\" (table or json)", arg);
        return 0;
}

int cli_take_only_id(const Verb *v, int argc, char **argv, int optind_, const char **ret_id) {
        int r = cli_take_id(v, argc, argv, optind_, ret_id);
        if (r != 0)
                return r;
        if (optind_ + 1 < argc)
                return cli_usage_error(v, "unexpected argument \"%s\"", argv[optind_ + 1]);
        log_set_id(*ret_id);
        return 0;
}

int cli_options_first(int argc, char **argv, const char *shortopts, const struct option *longopts, int stop_after) {
        int r = argv_options_first(argc, argv, shortopts, longopts, stop_after);
        return r < 0 ? cli_failf(r, "parse the command line") : 0;
}
