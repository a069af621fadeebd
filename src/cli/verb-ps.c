/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ps [--format table|json] ID [PS OPTIONS...]`, as runc does it: the host's ps(1) with those
 * options (default -ef), its header and the lines whose PID column names a process in the
 * container's cgroup. --format json prints the PIDs alone, a JSON array (containerd reads
 * that) and, as runc's, ignores ps options. Everything after the ID is ps's, options
 * included. */

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "fd-util.h"
#include "parse-util.h"
#include "time-util.h"
#include "container.h"
#include "verbs.h"

/* ps reads /proc; a process stuck in the kernel can make it hang on one of its files. */
#define PS_TIMEOUT_MSEC (30 * 1000)
#define PS_OUTPUT_MAX (16U * 1024U * 1024U)

/* Runs `ps ARGS...` and returns what it wrote on stdout (its stderr is ours). Prints its
 * error; returns 0 or an exit code. */
static int run_ps(char **ps_args, int n_ps_args, char **ret_out) {
        _cleanup_free_ char **argv = calloc((size_t) n_ps_args + 3, sizeof(char *));
        if (!argv)
                return cli_failf(-ENOMEM, "allocate");
        argv[0] = (char *) "ps";
        if (n_ps_args == 0)
                argv[1] = (char *) "-ef";
        for (int i = 0; i < n_ps_args; i++)
                argv[1 + i] = ps_args[i];

        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return cli_failf(-errno, "run ps");
        _cleanup_close_ int out = pipefd[0];
        pid_t pid = fork();
        if (pid < 0) {
                int r = -errno;
                safe_close(pipefd[1]);
                return cli_failf(r, "run ps");
        }
        if (pid == 0) {
                /* main() ignores SIGPIPE, and an ignored signal survives exec. */
                signal(SIGPIPE, SIG_DFL);
                if (dup2(pipefd[1], STDOUT_FILENO) < 0)
                        _exit(127);
                execvp("ps", argv);
                fprintf(stderr, "ctr-launch: ps: %s\n", strerror(errno));
                _exit(127);
        }
        safe_close(pipefd[1]);

        _cleanup_free_ char *buf = NULL;
        size_t size = 0, alloc = 0;
        uint64_t deadline = deadline_after_msec(PS_TIMEOUT_MSEC);
        int r = 0;
        for (;;) {
                struct pollfd p = { .fd = out, .events = POLLIN };
                int k = poll(&p, 1, deadline_left_msec(deadline));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) {
                        r = k == 0 ? -ETIMEDOUT : -errno;
                        break;
                }
                if (size + 4096 + 1 > alloc) {
                        if (size > PS_OUTPUT_MAX) {
                                r = -EFBIG;
                                break;
                        }
                        alloc = (size + 4096 + 1) * 2;
                        char *b = realloc(buf, alloc);
                        if (!b) {
                                r = -ENOMEM;
                                break;
                        }
                        buf = b;
                }
                ssize_t n = read(out, buf + size, alloc - size - 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = -errno;
                        break;
                }
                if (n == 0)
                        break;
                size += (size_t) n;
        }
        if (r < 0)
                (void) kill(pid, SIGKILL);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (r == -ETIMEDOUT)
                return cli_failf(0, "ps did not finish within %d s", PS_TIMEOUT_MSEC / 1000);
        if (r < 0)
                return cli_failf(r, "read the output of ps");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return cli_failf(0, "ps %s failed (exit status %d)", n_ps_args ? "with these options" : "-ef",
                                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        if (!buf && !(buf = strdup("")))
                return cli_failf(-ENOMEM, "allocate");
        buf[size] = 0;
        *ret_out = TAKE_PTR(buf);
        return 0;
}

/* The index of the field named PID in ps's header line, or -1. */
static int pid_column(const char *header) {
        int i = 0;
        for (const char *p = header; *p;) {
                p += strspn(p, " \t");
                if (!*p)
                        break;
                size_t n = strcspn(p, " \t");
                if (n == 3 && strncmp(p, "PID", 3) == 0)
                        return i;
                p += n;
                i++;
        }
        return -1;
}

/* Field `column` of line, as a PID; -1 when there is none. */
static pid_t line_pid(const char *line, int column) {
        const char *p = line;
        for (int i = 0;; i++) {
                p += strspn(p, " \t");
                if (!*p)
                        return -1;
                size_t n = strcspn(p, " \t");
                if (i == column) {
                        char field[24];
                        uint64_t v;
                        if (n >= sizeof(field))
                                return -1;
                        memcpy(field, p, n);
                        field[n] = 0;
                        return parse_uint64(field, INT32_MAX, &v) < 0 ? -1 : (pid_t) v;
                }
                p += n;
        }
}

static int print_table(char *out, const pid_t *pids, size_t n) {
        char *save = NULL;
        char *header = strtok_r(out, "\n", &save);
        int column = header ? pid_column(header) : -1;
        if (column < 0)
                return cli_failf(0, "ps printed no PID column");
        puts(header);
        for (char *line; (line = strtok_r(NULL, "\n", &save));) {
                pid_t pid = line_pid(line, column);
                for (size_t i = 0; pid > 0 && i < n; i++)
                        if (pids[i] == pid) {
                                puts(line);
                                break;
                        }
        }
        return EXIT_OK;
}

int verb_ps(int argc, char **argv, const GlobalOptions *g) {
        const Verb *v = verb_find("ps");
        static const struct option options[] = {
                { "format", required_argument, NULL, 'f' },
                {}
        };
        bool json = false;
        int c, r;

        /* Options before the ID are ours; from the ID on, everything is ps's. */
        if ((r = cli_options_first(argc, argv, "+f:", options, 1)) != 0)
                return r;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+f:", options, NULL)) >= 0)
                switch (c) {
                case 'f':
                        if ((r = cli_parse_format(v, optarg, &json)) != 0)
                                return r;
                        break;
                default:
                        return cli_usage_error(v, "unknown or incomplete option \"%s\"", argv[optind - 1]);
                }
        const char *id;
        r = cli_take_id(v, argc, argv, optind, &id);
        if (r != 0)
                return r;
        log_set_id(id);
        char **ps_args = argv + optind + 1;
        int n_ps_args = argc - optind - 1;

        _cleanup_container_ Container *ct = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        _cleanup_free_ char *error = NULL;
        size_t n = 0;
        r = container_open(&g->runtime, id, &ct, &error);
        if (r >= 0)
                r = container_pids(ct, &pids, &n, &error);
        if (r < 0)
                return cli_fail(r, error);
        /* Not held while ps runs: kill and delete may come meanwhile. */
        ct = container_free(ct);

        if (json) {
                fputc('[', stdout);
                for (size_t i = 0; i < n; i++)
                        printf("%s%d", i > 0 ? "," : "", (int) pids[i]);
                fputs("]\n", stdout);
                return EXIT_OK;
        }
        _cleanup_free_ char *out = NULL;
        r = run_ps(ps_args, n_ps_args, &out);
        if (r != 0)
                return r;
        return print_table(out, pids, n);
}
