/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `events [--stats] [--interval DURATION] ID`: the container's cgroup statistics as runc's
 * JSON events, once (--stats) or every interval with an "oom" event whenever the kernel's OOM
 * killer strikes in it, until the container stops. A reader, like `state`: it never waits for
 * the container's lock and holds none while it sleeps, so that it cannot stall kill or delete. */

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>

#include "errmsg.h"
#include "time-util.h"
#include "container.h"
#include "verbs.h"

#define EVENTS_INTERVAL_DEFAULT (5 * NSEC_PER_SEC)
/* How often the streaming mode looks for OOM kills and for the container's end, between
 * two statistics. */
#define EVENTS_POLL_MAX (500 * NSEC_PER_MSEC)

/* A duration as Go's time.ParseDuration reads it ("5s", "500ms", "1m30s"; units ns, us, ms,
 * s, m, h), or a plain number of seconds ("2", "0.5"). Zero is refused. */
static int parse_duration(const char *s, uint64_t *ret) {
        static const struct {
                const char *name;
                uint64_t ns;
        } units[] = {
                /* Longest first: "ms" before "m". */
                { "ns", 1 }, { "us", 1000 }, { "µs", 1000 }, { "ms", NSEC_PER_MSEC },
                { "s", NSEC_PER_SEC }, { "m", 60 * NSEC_PER_SEC }, { "h", 3600 * NSEC_PER_SEC },
        };
        const char *p = s;
        uint64_t total = 0;

        if (!*p)
                return -EINVAL;
        while (*p) {
                uint64_t whole = 0, frac = 0, scale = 1;
                if ((*p < '0' || *p > '9') && *p != '.')
                        return -EINVAL;
                const char *start = p;
                for (; *p >= '0' && *p <= '9'; p++)
                        if (__builtin_mul_overflow(whole, 10, &whole) ||
                            __builtin_add_overflow(whole, (uint64_t) (*p - '0'), &whole))
                                return -ERANGE;
                if (*p == '.')
                        for (p++; *p >= '0' && *p <= '9'; p++)
                                if (scale < UINT64_C(1000000000000)) {
                                        frac = frac * 10 + (uint64_t) (*p - '0');
                                        scale *= 10;
                                }
                if (p == start || (p == start + 1 && *start == '.'))
                        return -EINVAL;

                uint64_t unit = 0;
                if (!*p && start == s)
                        unit = NSEC_PER_SEC; /* the whole string is a number: seconds */
                else
                        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                                if (strncmp(p, units[i].name, strlen(units[i].name)) == 0) {
                                        unit = units[i].ns;
                                        p += strlen(units[i].name);
                                        break;
                                }
                if (unit == 0)
                        return -EINVAL;

                uint64_t v;
                if (__builtin_mul_overflow(whole, unit, &v) ||
                    __builtin_add_overflow(v, (uint64_t) ((unsigned __int128) frac * unit / scale), &v) ||
                    __builtin_add_overflow(total, v, &total))
                        return -ERANGE;
        }
        if (total == 0)
                return -EINVAL;
        *ret = total;
        return 0;
}

typedef struct Snapshot {
        ContainerStatus status;
        bool has_stats;
        CgroupStats stats;
} Snapshot;

/* One look at the container, under no lock it has to wait for. *cg is loaded from cgroup.json
 * the first time it can be. -ENOENT: the container does not exist (any more). */
static int snapshot(const char *root, const char *id, Cgroup **cg, Snapshot *ret, char **ret_error) {
        _cleanup_state_dir_ StateDir *d = NULL;
        bool busy;
        int r = state_dir_open(root, id, LOCK_SH | LOCK_NB, &d, &busy);
        if (r < 0)
                return r == -ENOENT ? r : errmsg(ret_error, r, "open state directory");

        Snapshot s = {};
        ContainerState state = {};
        r = oci_state_read(d->dir_fd, &state);
        if (r == -ENOENT && busy)
                s.status = STATUS_CREATING; /* create holds the lock and has written nothing yet */
        else if (r < 0)
                return errmsg(ret_error, r, "read %s", STATE_FILE);
        else {
                /* First, so that the statistics read after a container stopped include
                 * whatever killed it. */
                s.status = oci_state_status_probe(&state, d->dir_fd, busy, NULL);
                oci_state_done(&state);
        }

        if (!*cg) {
                r = container_load_cgroup(d->dir_fd, cg);
                if (r < 0)
                        return errmsg(ret_error, r, "read %s", CGROUP_FILE);
                if (!*cg && s.status == STATUS_CREATING) {
                        *ret = s;
                        return 0;
                }
                if (!*cg)
                        return errmsg_plain(ret_error, -ENOENT, "the container has no recorded cgroup");
        }

        r = cgroup_stats(*cg, &s.stats, ret_error);
        if (r < 0 && s.status != STATUS_STOPPED && s.status != STATUS_CREATING)
                return r;
        /* A stopped container's cgroup may be gone, a creating one's not there yet: then there
         * is nothing to report. */
        s.has_stats = r >= 0;
        *ret = s;
        return 0;
}

static void print_stats(const char *id, const CgroupStats *st) {
        /* The id was validated: letters, digits and "_+.-" need no JSON escaping. */
        printf("{\"type\":\"stats\",\"id\":\"%s\",\"data\":{", id);
        const char *sep = "";
        if (st->has_cpu) {
                printf("\"cpu\":{\"usage\":{\"total\":%" PRIu64 ",\"user\":%" PRIu64 ",\"kernel\":%" PRIu64 "}}",
                       st->cpu_usage_ns, st->cpu_user_ns, st->cpu_system_ns);
                sep = ",";
        }
        if (st->has_memory) {
                printf("%s\"memory\":{\"usage\":{\"usage\":%" PRIu64 ",\"limit\":%" PRIu64 ",\"max\":%" PRIu64
                       ",\"failcnt\":%" PRIu64 "},\"oom_kills\":%" PRIu64 "}",
                       sep, st->memory_usage, st->memory_limit, st->memory_max_usage, st->memory_failcnt,
                       st->memory_oom_kills);
                sep = ",";
        }
        if (st->has_pids)
                printf("%s\"pids\":{\"current\":%" PRIu64 ",\"limit\":%" PRIu64 "}", sep, st->pids_current,
                       st->pids_limit);
        fputs("}}\n", stdout);
}

/* stdout gone (the reader stopped reading): nothing more to do. Prints the error. */
static int flush_stdout(void) {
        if (fflush(stdout) != 0 || ferror(stdout)) {
                int r = -errno ?: -EIO;
                (void) cli_failf(r, "write events to stdout");
                return r;
        }
        return 0;
}

int verb_events(int argc, char **argv, const GlobalOptions *g) {
        const Verb *v = verb_find("events");
        enum { ARG_STATS = 0x100, ARG_INTERVAL };
        static const struct option options[] = {
                { "stats", no_argument, NULL, ARG_STATS },
                { "interval", required_argument, NULL, ARG_INTERVAL },
                {}
        };
        bool once = false;
        uint64_t interval = EVENTS_INTERVAL_DEFAULT;
        int c, r;

        if ((r = cli_options_first(argc, argv, "+", options, 0)) != 0)
                return r;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+", options, NULL)) >= 0)
                switch (c) {
                case ARG_STATS:
                        once = true;
                        break;
                case ARG_INTERVAL:
                        r = parse_duration(optarg, &interval);
                        if (r < 0)
                                return cli_usage_error(v, "--interval: \"%s\" is not a positive duration (5s, 500ms, or seconds)",
                                                       optarg);
                        break;
                default:
                        return cli_usage_error(v, "unknown or incomplete option \"%s\"", argv[optind - 1]);
                }
        const char *id;
        r = cli_take_only_id(v, argc, argv, optind, &id);
        if (r != 0)
                return r;

        _cleanup_free_ char *root = NULL, *error = NULL;
        r = container_root(&g->runtime, &root, &error);
        if (r < 0)
                return cli_fail(r, error);

        _cleanup_cgroup_ Cgroup *cg = NULL;
        Snapshot s;
        r = snapshot(root, id, &cg, &s, &error);
        if (r == -ENOENT && !error)
                return cli_failf(0, "container does not exist");
        if (r < 0)
                return cli_fail(r, error);

        if (once) {
                if (s.status == STATUS_CREATING)
                        return cli_failf(0, "container is still being created");
                if (!s.has_stats)
                        return cli_failf(0, "container is stopped and its cgroup is gone");
                print_stats(id, &s.stats);
                return flush_stdout() < 0 ? EXIT_FAILED : EXIT_OK;
        }

        uint64_t oom_kills = s.has_stats ? s.stats.memory_oom_kills : 0;
        bool have_baseline = s.has_stats;
        uint64_t poll = interval < EVENTS_POLL_MAX ? interval : EVENTS_POLL_MAX, next_stats = now_nsec();
        for (;;) {
                if (s.has_stats && s.stats.has_memory) {
                        /* OOM kills before we started are not events of ours. */
                        if (have_baseline && s.stats.memory_oom_kills > oom_kills) {
                                printf("{\"type\":\"oom\",\"id\":\"%s\"}\n", id);
                                if (flush_stdout() < 0)
                                        return EXIT_FAILED;
                        }
                        oom_kills = s.stats.memory_oom_kills;
                        have_baseline = true;
                }
                if (s.status == STATUS_STOPPED)
                        return EXIT_OK;
                if (s.has_stats && now_nsec() >= next_stats) {
                        print_stats(id, &s.stats);
                        if (flush_stdout() < 0)
                                return EXIT_FAILED;
                        next_stats += interval;
                        if (next_stats < now_nsec()) /* we were late (a suspended machine): no burst */
                                next_stats = now_nsec() + interval;
                }

                sleep_nsec(poll);
                free(error);
                error = NULL;
                r = snapshot(root, id, &cg, &s, &error);
                if (r == -ENOENT && !error)
                        return EXIT_OK; /* deleted meanwhile */
                if (r < 0)
                        return cli_fail(r, error);
        }
}
