/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `update [OPTIONS] ID`: changes the resources of a live container, with runc's options.
 * The options are turned into a small linux.resources object and parsed by
 * oci_resources_parse, like `-r FILE` and config.json: one validator for all three.
 * container_update() applies the result and records it. */

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "fd-util.h"
#include "json-util.h"
#include "container.h"
#include "oci-config.h"
#include "verbs.h"

/* The options runc's update takes, in its members' order. */
enum {
        OPT_MEMORY = 0x100,
        OPT_MEMORY_RESERVATION,
        OPT_MEMORY_SWAP,
        OPT_PIDS_LIMIT,
        OPT_CPU_PERIOD,
        OPT_CPU_QUOTA,
        OPT_CPU_SHARE,
        OPT_CPU_RT_PERIOD,
        OPT_CPU_RT_RUNTIME,
        OPT_CPU_IDLE,
        OPT_CPU_BURST,
        OPT_CPUSET_CPUS,
        OPT_CPUSET_MEMS,
        OPT_BLKIO_WEIGHT,
        OPT_KERNEL_MEMORY,
        OPT_KERNEL_MEMORY_TCP,
        _OPT_MAX,
};

typedef struct UpdateOption {
        const char *name;    /* --name */
        const char *section; /* linux.resources member */
        const char *member;
        enum { VALUE_BYTES, VALUE_INT, VALUE_STRING } kind;
} UpdateOption;

static const UpdateOption update_options[_OPT_MAX - OPT_MEMORY] = {
        [OPT_MEMORY - OPT_MEMORY] = { "memory", "memory", "limit", VALUE_BYTES },
        [OPT_MEMORY_RESERVATION - OPT_MEMORY] = { "memory-reservation", "memory", "reservation", VALUE_BYTES },
        [OPT_MEMORY_SWAP - OPT_MEMORY] = { "memory-swap", "memory", "swap", VALUE_BYTES },
        [OPT_PIDS_LIMIT - OPT_MEMORY] = { "pids-limit", "pids", "limit", VALUE_INT },
        [OPT_CPU_PERIOD - OPT_MEMORY] = { "cpu-period", "cpu", "period", VALUE_INT },
        [OPT_CPU_QUOTA - OPT_MEMORY] = { "cpu-quota", "cpu", "quota", VALUE_INT },
        [OPT_CPU_SHARE - OPT_MEMORY] = { "cpu-share", "cpu", "shares", VALUE_INT },
        [OPT_CPU_RT_PERIOD - OPT_MEMORY] = { "cpu-rt-period", "cpu", "realtimePeriod", VALUE_INT },
        [OPT_CPU_RT_RUNTIME - OPT_MEMORY] = { "cpu-rt-runtime", "cpu", "realtimeRuntime", VALUE_INT },
        [OPT_CPU_IDLE - OPT_MEMORY] = { "cpu-idle", "cpu", "idle", VALUE_INT },
        [OPT_CPU_BURST - OPT_MEMORY] = { "cpu-burst", "cpu", "burst", VALUE_INT },
        [OPT_CPUSET_CPUS - OPT_MEMORY] = { "cpuset-cpus", "cpu", "cpus", VALUE_STRING },
        [OPT_CPUSET_MEMS - OPT_MEMORY] = { "cpuset-mems", "cpu", "mems", VALUE_STRING },
        [OPT_BLKIO_WEIGHT - OPT_MEMORY] = { "blkio-weight", "blockIO", "weight", VALUE_INT },
        /* runc 1.1 ignores both with a warning; kernelTCP is applied where cgroup v1 has it. */
        [OPT_KERNEL_MEMORY - OPT_MEMORY] = { "kernel-memory", "memory", "kernel", VALUE_BYTES },
        [OPT_KERNEL_MEMORY_TCP - OPT_MEMORY] = { "kernel-memory-tcp", "memory", "kernelTCP", VALUE_BYTES },
};

/* A signed decimal integer, the whole string. */
static int parse_int64(const char *s, int64_t *ret) {
        if (!s || !*s || !(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')))
                return -EINVAL;
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (*end || end == s)
                return -EINVAL;
        if (errno == ERANGE)
                return -ERANGE;
        *ret = v;
        return 0;
}

/* A size as runc reads it (go-units' RAMInBytes): "-1" for no limit, or a number, maybe with a
 * fraction, and an optional binary unit: "1048576", "512k", "1.5g", "64MiB", "2 GB". */
static int parse_bytes(const char *s, int64_t *ret) {
        if (strcmp(s, "-1") == 0) {
                *ret = -1;
                return 0;
        }
        const char *p = s;
        uint64_t whole = 0, frac = 0, frac_scale = 1;
        if (*p < '0' || *p > '9')
                return -EINVAL;
        for (; *p >= '0' && *p <= '9'; p++)
                if (__builtin_mul_overflow(whole, 10, &whole) || __builtin_add_overflow(whole, (uint64_t) (*p - '0'), &whole))
                        return -ERANGE;
        if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                for (; *p >= '0' && *p <= '9'; p++)
                        if (frac_scale < 1000000000000000000ULL) { /* digits past 18 are noise */
                                frac = frac * 10 + (uint64_t) (*p - '0');
                                frac_scale *= 10;
                        }
        }
        if (*p == ' ')
                p++;
        uint64_t mult = 1;
        const char *units = "kmgtp", *u;
        if (*p && (u = strchr(units, *p | 0x20))) {
                for (const char *q = units; q <= u; q++)
                        mult *= 1024;
                p++;
                if ((*p | 0x20) == 'i')
                        p++;
        }
        if ((*p | 0x20) == 'b')
                p++;
        if (*p)
                return -EINVAL;

        uint64_t v;
        if (__builtin_mul_overflow(whole, mult, &v))
                return -ERANGE;
        /* frac < frac_scale <= 10^18 and mult <= 2^50: the product may overflow 64 bits. */
        unsigned __int128 f = (unsigned __int128) frac * mult / frac_scale;
        if (__builtin_add_overflow(v, (uint64_t) f, &v) || v > INT64_MAX)
                return -ERANGE;
        *ret = (int64_t) v;
        return 0;
}

/* The options given, as a linux.resources object. */
static char *options_to_json(char *const values[_OPT_MAX - OPT_MEMORY], const Verb *v, int *ret_exit) {
        static const char *const sections[] = { "memory", "pids", "cpu", "blockIO" };
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_builder_begin_object(b);
        for (size_t s = 0; s < ELEMENTSOF(sections); s++) {
                bool opened = false;
                for (size_t i = 0; i < ELEMENTSOF(update_options); i++) {
                        const UpdateOption *o = update_options + i;
                        if (!values[i] || strcmp(o->section, sections[s]) != 0)
                                continue;
                        if (!opened) {
                                json_builder_set_member_name(b, sections[s]);
                                json_builder_begin_object(b);
                                opened = true;
                        }
                        json_builder_set_member_name(b, o->member);
                        int64_t n = 0;
                        int r = 0;
                        switch (o->kind) {
                        case VALUE_BYTES:
                                r = parse_bytes(values[i], &n);
                                break;
                        case VALUE_INT:
                                r = parse_int64(values[i], &n);
                                break;
                        case VALUE_STRING:
                                json_builder_add_string_value(b, values[i]);
                                continue;
                        }
                        if (r == -ERANGE) {
                                *ret_exit = cli_usage_error(v, "--%s: \"%s\" is out of range", o->name, values[i]);
                                return NULL;
                        }
                        if (r < 0) {
                                *ret_exit = o->kind == VALUE_BYTES
                                        ? cli_usage_error(v, "--%s: \"%s\" is not a size (bytes, or a number with k, m, g; -1 for no limit)",
                                                          o->name, values[i])
                                        : cli_usage_error(v, "--%s: \"%s\" is not an integer", o->name, values[i]);
                                return NULL;
                        }
                        json_builder_add_int_value(b, n);
                }
                if (opened)
                        json_builder_end_object(b);
        }
        json_builder_end_object(b);

        char *s = json_builder_text(b, 0);
        if (!s)
                *ret_exit = cli_failf(-ENOMEM, "allocate");
        return s;
}

/* `-r FILE` ("-": stdin), parsed. Prints the error. */
static int read_resources_file(const char *path, OciResources **ret) {
        _cleanup_close_ int fd = -EBADF;
        bool is_stdin = strcmp(path, "-") == 0;
        if (!is_stdin) {
                /* A regular file, opened without blocking: a FIFO given here would hang us
                 * (stdin, "-", may be a pipe). */
                int r = open_regular_at(AT_FDCWD, path, 0, &fd, NULL);
                if (r == -EBADFD || r == -EISDIR)
                        return cli_failf(0, "--resources %s: %s (use - for stdin)", path, FD_NOT_REGULAR);
                if (r < 0)
                        return cli_failf(r, "open %s", path);
        }
        _cleanup_free_ char *data = NULL, *error = NULL;
        size_t size = 0;
        int r = read_full_fd(is_stdin ? STDIN_FILENO : fd, OCI_CONFIG_SIZE_MAX, &data, &size);
        if (r < 0)
                return cli_failf(r, "read %s", is_stdin ? "the resources from stdin" : path);
        r = oci_resources_parse(data, size, ret, &error);
        if (r < 0)
                return cli_failf(0, "%s: %s", is_stdin ? "stdin" : path, error ?: strerror(-r));
        for (char **w = (*ret)->warnings; w && *w; w++)
                log_warning("%s: %s", is_stdin ? "stdin" : path, *w);
        return 0;
}

/* The options given, parsed, over the file's resources (if any) in *res. Prints the error. */
static int merge_options(char *const values[_OPT_MAX - OPT_MEMORY], const Verb *v, const char *resources_path,
                         OciResources **res) {
        int exit_code = EXIT_FAILED;
        _cleanup_free_ char *json = options_to_json(values, v, &exit_code);
        if (!json)
                return exit_code;
        _cleanup_(oci_resources_freep) OciResources *opts = NULL;
        _cleanup_free_ char *error = NULL;
        int r = oci_resources_parse(json, strlen(json), &opts, &error);
        if (r < 0)
                return cli_fail(r, error);
        if (!*res)
                *res = TAKE_PTR(opts);
        else if ((r = oci_resources_merge(*res, opts)) < 0)
                return cli_failf(r, "merge the options into %s", resources_path);
        return 0;
}

int verb_update(int argc, char **argv, const GlobalOptions *g) {
        const Verb *v = verb_find("update");
        static const struct option options[] = {
                { "resources", required_argument, NULL, 'r' },
                { "memory", required_argument, NULL, OPT_MEMORY },
                { "memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION },
                { "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
                { "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
                { "cpu-period", required_argument, NULL, OPT_CPU_PERIOD },
                { "cpu-quota", required_argument, NULL, OPT_CPU_QUOTA },
                { "cpu-share", required_argument, NULL, OPT_CPU_SHARE },
                { "cpu-rt-period", required_argument, NULL, OPT_CPU_RT_PERIOD },
                { "cpu-rt-runtime", required_argument, NULL, OPT_CPU_RT_RUNTIME },
                { "cpu-idle", required_argument, NULL, OPT_CPU_IDLE },
                { "cpu-burst", required_argument, NULL, OPT_CPU_BURST },
                { "cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS },
                { "cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS },
                { "blkio-weight", required_argument, NULL, OPT_BLKIO_WEIGHT },
                { "kernel-memory", required_argument, NULL, OPT_KERNEL_MEMORY },
                { "kernel-memory-tcp", required_argument, NULL, OPT_KERNEL_MEMORY_TCP },
                {}
        };
        char *values[_OPT_MAX - OPT_MEMORY] = {};
        const char *resources_path = NULL;
        bool any_option = false;
        int c, r;

        if ((r = cli_options_first(argc, argv, "+r:", options, 0)) != 0)
                return r;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+r:", options, NULL)) >= 0)
                if (c == 'r')
                        resources_path = optarg;
                else if (c >= OPT_MEMORY && c < _OPT_MAX) {
                        /* The last one given wins, as with runc. */
                        values[c - OPT_MEMORY] = optarg;
                        any_option = true;
                } else
                        return cli_usage_error(v, "unknown or incomplete option \"%s\"", argv[optind - 1]);
        const char *id;
        r = cli_take_only_id(v, argc, argv, optind, &id);
        if (r != 0)
                return r;
        if (!resources_path && !any_option)
                return cli_usage_error(v, "nothing to update: give --resources FILE or a resource option");

        /* Everything asked is validated before the container is touched. The options override
         * the file's members, as with runc. */
        _cleanup_(oci_resources_freep) OciResources *res = NULL;
        if (resources_path && (r = read_resources_file(resources_path, &res)) != 0)
                return r;
        if (any_option && (r = merge_options(values, v, resources_path, &res)) != 0)
                return r;

        _cleanup_container_ Container *ct = NULL;
        _cleanup_free_ char *error = NULL;
        r = container_open(&g->runtime, id, &ct, &error);
        if (r >= 0)
                r = container_update(ct, res, &error);
        return r < 0 ? cli_fail(r, error) : EXIT_OK;
}
