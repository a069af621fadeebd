/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsing of small user-supplied values (parse-util.h). libc only; validation only, no side
 * effects. */

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "macros.h"
#include "parse-util.h"

bool container_id_is_valid(const char *id) {
        if (!id)
                return false;
        size_t n = strlen(id);
        if (n == 0 || n > CONTAINER_ID_MAX || id[0] == '.' || id[0] == '-')
                return false;
        for (const char *p = id; *p; p++)
                if (!isascii((unsigned char) *p) ||
                    !(isalnum((unsigned char) *p) || strchr("_+.-", *p)))
                        return false;
        return true;
}

static const char *const signal_names[] = {
        [SIGHUP] = "HUP",     [SIGINT] = "INT",       [SIGQUIT] = "QUIT",   [SIGILL] = "ILL",
        [SIGTRAP] = "TRAP",   [SIGABRT] = "ABRT",     [SIGBUS] = "BUS",     [SIGFPE] = "FPE",
        [SIGKILL] = "KILL",   [SIGUSR1] = "USR1",     [SIGSEGV] = "SEGV",   [SIGUSR2] = "USR2",
        [SIGPIPE] = "PIPE",   [SIGALRM] = "ALRM",     [SIGTERM] = "TERM",   [SIGSTKFLT] = "STKFLT",
        [SIGCHLD] = "CHLD",   [SIGCONT] = "CONT",     [SIGSTOP] = "STOP",   [SIGTSTP] = "TSTP",
        [SIGTTIN] = "TTIN",   [SIGTTOU] = "TTOU",     [SIGURG] = "URG",     [SIGXCPU] = "XCPU",
        [SIGXFSZ] = "XFSZ",   [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF",   [SIGWINCH] = "WINCH",
        [SIGIO] = "IO",       [SIGPWR] = "PWR",       [SIGSYS] = "SYS",
};

const char *signal_to_string(int sig) {
        if (sig > 0 && (size_t) sig < ELEMENTSOF(signal_names))
                return signal_names[sig];
        return NULL;
}

int parse_uint64(const char *s, uint64_t max, uint64_t *ret) {
        if (!s || !isdigit((unsigned char) s[0]))
                return -EINVAL;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (*end)
                return -EINVAL;
        if (errno == ERANGE || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

int signal_from_string(const char *s) {
        uint64_t n;

        if (!s || !*s)
                return -EINVAL;
        if (parse_uint64(s, SIGRTMAX, &n) == 0)
                return n > 0 ? (int) n : -EINVAL;
        if (strncasecmp(s, "SIG", 3) == 0)
                s += 3;
        for (size_t i = 1; i < ELEMENTSOF(signal_names); i++)
                if (signal_names[i] && strcasecmp(s, signal_names[i]) == 0)
                        return (int) i;
        if (strcasecmp(s, "IOT") == 0)
                return SIGABRT;
        if (strcasecmp(s, "POLL") == 0)
                return SIGIO;
        /* RTMIN, RTMIN+n, RTMAX, RTMAX-n, as kill(1) spells them. */
        if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
                bool min = strncasecmp(s, "RTMIN", 5) == 0;
                const char *rest = s + 5;
                int base = min ? SIGRTMIN : SIGRTMAX;
                if (!*rest)
                        return base;
                if (*rest != (min ? '+' : '-') || parse_uint64(rest + 1, SIGRTMAX - SIGRTMIN, &n) < 0)
                        return -EINVAL;
                return min ? base + (int) n : base - (int) n;
        }
        return -EINVAL;
}

static int parse_cpu_number(const char *s, char **end, unsigned *ret) {
        if (!isdigit((unsigned char) *s))
                return -EINVAL;
        errno = 0;
        unsigned long v = strtoul(s, end, 10);
        if (errno == ERANGE || v >= CPU_SETSIZE)
                return -ERANGE;
        *ret = (unsigned) v;
        return 0;
}

int parse_cpu_list(const char *s, cpu_set_t *ret) {
        cpu_set_t set;
        CPU_ZERO(&set);
        if (!*s)
                return -EINVAL;
        for (const char *p = s;;) {
                unsigned lo, hi;
                char *end;
                int r = parse_cpu_number(p, &end, &lo);
                if (r < 0)
                        return r;
                hi = lo;
                if (*end == '-' && (r = parse_cpu_number(end + 1, &end, &hi)) < 0)
                        return r;
                if (hi < lo)
                        return -EINVAL;
                for (unsigned i = lo; i <= hi; i++)
                        CPU_SET(i, &set);
                if (*end == 0)
                        break;
                if (*end != ',')
                        return -EINVAL;
                p = end + 1;
        }
        *ret = set;
        return 0;
}
