/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A test client for tests/system/polkit-keep.sh: several polkit-checked calls from ONE process,
 * since polkit keeps an AUTH_*_KEEP answer per process (pid and start time) and action id. Each
 * argument is a step, run in order; each prints one line on stdout:
 *   agent                  pkttyagent --process <us>: polkit may ask us (stdin must be a tty);
 *                          not --fallback, which polkit uses only for a subject in a login
 *                          session (runuser opens none)
 *   ctl:JSON               one request line on the control socket; prints the reply line
 *   start-unit:UNIT        StartUnit(UNIT, "replace"), interactive authorization allowed
 *   transient:UNIT:PATH    StartTransientUnit(UNIT) running /bin/touch PATH as root, with no
 *                          interaction: only an answer polkit already holds can allow it
 * Exit status 0 once every step ran (whatever each answered), 2 for misuse. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

static pid_t agent = 0;

static int step_agent(void) {
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        pid_t parent = getpid();
        agent = fork();
        if (agent < 0)
                return -errno;
        if (agent == 0) {
                char fdnum[16], process[32];
                int fd = fcntl(pipefd[1], F_DUPFD, 3);
                if (fd < 0)
                        _exit(127);
                snprintf(fdnum, sizeof(fdnum), "%d", fd);
                snprintf(process, sizeof(process), "%d", (int) parent);
                execl("/usr/bin/pkttyagent", "pkttyagent", "--notify-fd", fdnum, "--process", process, (char *) NULL);
                _exit(127);
        }
        close(pipefd[1]);
        struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
        char c;
        int ok = poll(&p, 1, 10000) > 0 && read(pipefd[0], &c, 1) == 0 && waitpid(agent, NULL, WNOHANG) == 0;
        close(pipefd[0]);
        return ok ? 0 : -EIO;
}

static int step_ctl(const char *json) {
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/run/ctr-launch-control.sock" };
        char buf[8192];
        size_t len = 0;
        if (s < 0 || connect(s, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        if (write(s, json, strlen(json)) < 0 || write(s, "\n", 1) < 0)
                return -errno;
        (void) shutdown(s, SHUT_WR);
        for (;;) {
                struct pollfd p = { .fd = s, .events = POLLIN };
                if (poll(&p, 1, 60000) <= 0)
                        break;
                ssize_t k = read(s, buf + len, sizeof(buf) - 1 - len);
                if (k <= 0)
                        break;
                len += (size_t) k;
        }
        close(s);
        buf[len] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        printf("ctl: reply %s\n", buf);
        return 1;
}

static int bus_step(const char *what, const char *unit, const char *path) {
        sd_bus *bus = NULL;
        sd_bus_message *m = NULL, *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        bool transient = path != NULL;
        int r = sd_bus_open_system(&bus);
        if (r >= 0)
                r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                                   "org.freedesktop.systemd1.Manager",
                                                   transient ? "StartTransientUnit" : "StartUnit");
        if (r >= 0)
                r = sd_bus_message_set_allow_interactive_authorization(m, !transient);
        if (r >= 0)
                r = sd_bus_message_append(m, "ss", unit, transient ? "fail" : "replace");
        if (r >= 0 && transient)
                r = sd_bus_message_append(m, "a(sv)a(sa(sv))", 1, "ExecStart", "a(sasb)", 1, "/bin/touch", 2,
                                          "/bin/touch", path, 0, 0);
        if (r >= 0)
                r = sd_bus_call(bus, m, 60 * 1000000ULL, &error, &reply);
        if (r >= 0)
                printf("%s: ok\n", what);
        else
                printf("%s: error %s\n", what, error.message ?: strerror(-r));
        sd_bus_error_free(&error);
        sd_bus_message_unref(m);
        sd_bus_message_unref(reply);
        sd_bus_flush_close_unref(bus);
        return 1;
}

int main(int argc, char **argv) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        for (int i = 1; i < argc; i++) {
                char *a = argv[i], *colon = strchr(a, ':');
                if (strcmp(a, "agent") == 0) {
                        int r = step_agent();
                        printf("agent: %s\n", r < 0 ? "error" : "ok");
                } else if (colon && strncmp(a, "ctl:", 4) == 0)
                        step_ctl(colon + 1);
                else if (colon && strncmp(a, "start-unit:", 11) == 0)
                        bus_step("start-unit", colon + 1, NULL);
                else if (colon && strncmp(a, "transient:", 10) == 0) {
                        char *unit = colon + 1, *path = strchr(unit, ':');
                        if (!path)
                                return 2;
                        *path++ = '\0';
                        bus_step("transient", unit, path);
                } else {
                        fprintf(stderr, "polkit-probe: unknown step \"%s\"\n", a);
                        return 2;
                }
        }
        if (agent > 0) {
                kill(agent, SIGTERM);
                waitpid(agent, NULL, 0);
        }
        return 0;
}
