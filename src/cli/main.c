/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctr-launch: the verb table and the mapping of results to exit codes. */

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "control-client.h"
#include "fd-util.h"
#include "log.h"
#include "sealed-binary.h"
#include "verbs.h"

static int verb_help(int argc, char **argv, const GlobalOptions *g);

const Verb verbs[] = {
        { "create", "create a container: its init is built and waits for start",
          "Usage: ctr-launch create [OPTIONS] ID\n\n"
          "Creates the container ID from an OCI bundle. Its init is fully built, then waits on\n"
          "<root>/ID/exec.fifo until `ctr-launch start ID`; the user's process does not run before.\n\n"
          "Options:\n"
          "  -b, --bundle DIR          the bundle (config.json and rootfs); default: the current directory\n"
          "      --pid-file FILE       write the init's host PID to FILE\n"
          "      --console-socket PATH send the pty master to this Unix socket (process.terminal)\n"
          "      --no-pivot            switch root with MS_MOVE + chroot instead of pivot_root\n"
          "      --preserve-fds N      pass fds 3 .. 3+N-1 on to the container\n"
          "      --system-bundle       the bundle must be root's alone (ctr@.service; always so\n"
          "                            for a bundle under /var/lib/ctr-launch)\n"
          "      --replace-stopped     delete a stopped container of the same id first\n"
          "                            (ctr@.service; one whose init lives is left alone)\n"
          "      --no-new-keyring      accepted for runc compatibility\n",
          verb_create, true, false },
        { "start", "start the user's process of a created container",
          "Usage: ctr-launch start ID\n\n"
          "Lets the created container ID exec its process. Returns once the process has been\n"
          "exec'd; an exec failure (such as a missing binary) is an error.\n",
          verb_start, false, false },
        { "run", "create and start a container, and wait for it",
          "Usage: ctr-launch run [OPTIONS] ID\n\n"
          "Creates and starts the container ID. Without --detach, waits for it, forwards the\n"
          "signals it receives to it, deletes it at the end, and exits with its exit status\n"
          "(128+N if it was killed by signal N).\n\n"
          "Options: those of create, and\n"
          "  -d, --detach              return once the container runs\n",
          verb_run, true, false },
        { "exec", "run a new process in a running container",
          "Usage: ctr-launch exec [OPTIONS] ID COMMAND [ARG...]\n"
          "       ctr-launch exec [OPTIONS] --process FILE ID\n\n"
          "Runs COMMAND in the running container ID: in all its namespaces and cgroups, with its\n"
          "environment, user, rlimits, capabilities, noNewPrivileges and seccomp profile (as its\n"
          "config.json said at create), changed by the options below. Without --detach, waits for\n"
          "it, forwards the signals it receives to it, and exits with its exit status (128+N if\n"
          "it was killed by signal N).\n\n"
          "Options:\n"
          "  -p, --process FILE        run this runtime-spec process object instead (no COMMAND)\n"
          "  -t, --tty                 give the process a new pty (needs --console-socket)\n"
          "      --console-socket PATH send the pty master to this Unix socket\n"
          "      --cwd DIR             working directory in the container\n"
          "  -e, --env NAME=VALUE      set an environment variable (repeatable)\n"
          "  -u, --user UID[:GID]      run as this user (numbers)\n"
          "  -g, --additional-gids GID add a supplementary group (repeatable)\n"
          "  -c, --cap CAP_NAME        add a capability (repeatable)\n"
          "      --no-new-privs        set no_new_privs\n"
          "      --preserve-fds N      pass fds 3 .. 3+N-1 on to the process\n"
          "      --pid-file FILE       write the process's host PID to FILE\n"
          "  -d, --detach              return once the process runs\n"
          "      --ignore-paused       exec into a paused container too (the process runs on resume)\n"
          "      --cgroup PATH         run in this sub-cgroup of the container's\n"
          "                            ([CONTROLLER[,CONTROLLER...]:]PATH; it must exist)\n"
          "      --apparmor PROFILE    run under this AppArmor profile (default: the container's)\n"
          "      --process-label LABEL run with this SELinux label (default: the container's)\n",
          verb_exec, true, true },
        { "state", "print a container's OCI state",
          "Usage: ctr-launch state ID\n\n"
          "Prints the OCI state of ID as JSON: ociVersion, id, status (creating, created,\n"
          "running, paused, stopped), pid, bundle, rootfs, created, owner, annotations.\n",
          verb_state, false, false },
        { "kill", "send a signal to a container",
          "Usage: ctr-launch kill [--all] [--wait] ID [SIGNAL]\n\n"
          "Sends SIGNAL to the container's init. SIGNAL is a name with or without SIG (TERM,\n"
          "SIGTERM) or a number; by default the container's stop signal: its annotation\n"
          "org.opencontainers.image.stopSignal, or TERM. Signal 0 sends nothing: it succeeds\n"
          "only if the container's init is there. Options may also follow the ID.\n\n"
          "Options:\n"
          "  -a, --all                 signal every process of the container (its cgroup)\n"
          "  -w, --wait                return only once the container's init has exited\n",
          verb_kill, false, false },
        { "delete", "delete a container",
          "Usage: ctr-launch delete [--force] [--same-invocation] ID\n\n"
          "Deletes a created or stopped container: kills its init if it is still waiting, and\n"
          "removes its state. Options may also follow the ID.\n\n"
          "Options:\n"
          "  -f, --force               also a running or broken container: kill what is left\n"
          "      --same-invocation     only the container that create made in this run of the\n"
          "                            systemd unit ($INVOCATION_ID; ctr@.service's ExecStopPost=)\n",
          verb_delete, false, false },
        { "list", "list containers",
          "Usage: ctr-launch list [--format table|json] [--quiet]\n\n"
          "Lists the containers under the state root.\n\n"
          "Options:\n"
          "  -f, --format FORMAT       table (default) or json\n"
          "  -q, --quiet               print the ids only\n",
          verb_list, false, false },
        { "ps", "list the processes of a container",
          "Usage: ctr-launch ps [--format table|json] ID [PS OPTIONS...]\n\n"
          "Runs the host's ps(1) with PS OPTIONS (default: -ef) and prints its header and the\n"
          "lines of the processes in the container's cgroup (host PIDs), found by the PID column.\n"
          "With --format json, prints their PIDs as a JSON array instead, and runs no ps.\n"
          "Everything after the ID goes to ps: our options come before it.\n\n"
          "Options:\n"
          "  -f, --format FORMAT       table (default) or json\n",
          verb_ps, false, false },
        { "pause", "suspend every process of a container",
          "Usage: ctr-launch pause ID\n\n"
          "Freezes every process of the running container ID with its cgroup's freezer;\n"
          "its status becomes paused until `ctr-launch resume ID`.\n",
          verb_pause, false, false },
        { "resume", "resume a paused container",
          "Usage: ctr-launch resume ID\n\n"
          "Thaws the processes of the paused container ID; its status is running again.\n",
          verb_resume, false, false },
        { "update", "change the resource limits of a container",
          "Usage: ctr-launch update [OPTIONS] ID\n\n"
          "Applies new resource limits to the cgroup of a created, running or paused container\n"
          "and records them. Members not given are left as they are. Values are checked as\n"
          "linux.resources in config.json is. The options override the members of --resources.\n"
          "Options may also follow the ID.\n\n"
          "Options:\n"
          "  -r, --resources FILE      a linux.resources JSON object (\"-\": read it from stdin)\n"
          "      --memory SIZE         memory limit: bytes, or a number with k, m, g (-1: none)\n"
          "      --memory-reservation SIZE  soft memory limit\n"
          "      --memory-swap SIZE    memory plus swap limit (-1: none)\n"
          "      --pids-limit N        maximum number of tasks (0 or -1: none)\n"
          "      --cpu-period US       CFS period, in microseconds\n"
          "      --cpu-quota US        CFS quota per period, in microseconds (-1: none)\n"
          "      --cpu-share N         CPU shares (relative weight)\n"
          "      --cpu-rt-period US    realtime period, in microseconds\n"
          "      --cpu-rt-runtime US   realtime runtime per period, in microseconds\n"
          "      --cpu-idle 0|1        SCHED_IDLE for the cgroup (cgroup v2)\n"
          "      --cpu-burst US        CFS burst, in microseconds\n"
          "      --cpuset-cpus LIST    CPUs to run on (\"0-3,6\")\n"
          "      --cpuset-mems LIST    memory nodes to allocate from\n"
          "      --blkio-weight N      block IO weight, 10 to 1000\n"
          "      --kernel-memory-tcp SIZE  TCP buffer memory limit (cgroup v1 only; ignored with a\n"
          "                            warning elsewhere)\n"
          "      --kernel-memory SIZE  accepted for runc's sake, and ignored with a warning\n",
          verb_update, false, false },
        { "events", "print a container's resource statistics and OOM events",
          "Usage: ctr-launch events [--stats] [--interval DURATION] ID\n\n"
          "Prints the statistics of the container's cgroup as JSON events, one per line:\n"
          "{\"type\":\"stats\",\"id\":ID,\"data\":{\"cpu\":...,\"memory\":...,\"pids\":...}}, every\n"
          "interval, and {\"type\":\"oom\",\"id\":ID} whenever the OOM killer kills in it, until the\n"
          "container stops.\n\n"
          "Options:\n"
          "      --stats               print the statistics once and exit\n"
          "      --interval DURATION   time between statistics: 5s (default), 500ms, or seconds\n",
          verb_events, false, false },
        { "spec", "write a default config.json",
          "Usage: ctr-launch spec [--bundle DIR] [--rootless]\n\n"
          "Writes a default config.json into the bundle directory (never over an existing one),\n"
          "in runc's shape. Unlike runc's, it sets process.terminal to false, so that `run`,\n"
          "`run -d` and `create` accept it as it is without --console-socket.\n\n"
          "Options:\n"
          "  -b, --bundle DIR          where to write it; default: the current directory\n"
          "      --rootless            a config for a rootless container, as runc's: a user\n"
          "                            namespace mapping the caller to root, /sys bound, no\n"
          "                            linux.resources; unlike runc's, its own network namespace\n",
          verb_spec, false, false },
        { "features", "print the runtime-spec features this build and host support",
          "Usage: ctr-launch features\n\n"
          "Prints the OCI runtime-spec features document as JSON: the spec versions, hooks,\n"
          "mount options, namespaces, capabilities, cgroup drivers, seccomp actions, operators,\n"
          "architectures and flags that config.json may use with this build on this host,\n"
          "whether AppArmor and SELinux labels apply here (the host's LSM), and what it does\n"
          "not support (Intel RDT, idmapped mounts).\n",
          verb_features, false, false },
        { "checkpoint", "not supported (runc's CRIU checkpoint)",
          "Usage: ctr-launch checkpoint [OPTIONS] ID\n\n"
          "Not supported: ctr-launch does not use CRIU. Always fails with one line.\n",
          verb_checkpoint, false, false },
        { "restore", "not supported (runc's CRIU restore)",
          "Usage: ctr-launch restore [OPTIONS] ID\n\n"
          "Not supported: ctr-launch does not use CRIU. Always fails with one line.\n",
          verb_restore, false, false },
        /* Hidden: run by ctr-launch.service only. */
        { "serve", NULL,
          "Usage: ctr-launch serve [--idle-exit=SEC]\n\n"
          "Run by ctr-launch.service with the listening socket of ctr-launch.socket: accepts the\n"
          "requests of non-root callers, one child each, which asks polkit, acts and replies\n"
          "(docs/authorization.md). Exits after SEC (60) seconds with nothing to do.\n",
          verb_serve, false, false },
        { "help", "describe a command",
          "Usage: ctr-launch help [COMMAND]\n",
          verb_help, false, false },
        {}
};

static int verb_help(int argc, char **argv, const GlobalOptions *g) {
        if (argc < 2) {
                cli_print_usage();
                return EXIT_OK;
        }
        const Verb *v = verb_find(argv[1]);
        if (!v) {
                fprintf(stderr, "ctr-launch: help: unknown command \"%s\"\n", argv[1]);
                return EXIT_USAGE;
        }
        fputs(v->usage, stdout);
        return EXIT_OK;
}

int main(int argc, char **argv) {
        GlobalOptions g;
        int index, r;
        /* Before anything is opened: which fds the caller handed us (--preserve-fds,
         * LISTEN_FDS may only name those). 3 + 1024 + 1024: both at their maximum. */
        const int first_closed_fd = fd_first_closed(3, 3 + 1024 + 1024 + 1);

        r = cli_parse_global(argc, argv, &g, &index);
        if (r < 0)
                return EXIT_USAGE;
        if (r > 0)
                return r - 256;
        if (index >= argc) {
                cli_print_usage();
                return EXIT_USAGE;
        }
        g.runtime.first_closed_fd = first_closed_fd;

        /* Opened first, so that every error, usage errors too, reaches --log: containerd and
         * podman read a runtime's errors there. */
        r = log_open(g.log_path, g.log_format, g.debug);
        if (r < 0) {
                fprintf(stderr, "ctr-launch: open log file %s: %s\n", g.log_path, strerror(-r));
                return EXIT_FAILED;
        }

        const Verb *v = verb_find(argv[index]);
        if (!v) {
                log_error("unknown command \"%s\" (see ctr-launch --help)", argv[index]);
                log_close();
                return EXIT_USAGE;
        }
        if (cli_wants_help(argc - index, argv + index, v)) {
                log_close();
                return EXIT_OK;
        }

        /* A non-root caller's command on a system container goes to the system service,
         * which asks polkit (docs/authorization.md). */
        ControlRequest req;
        r = control_client_applies(&g, argc - index, argv + index, &req);
        if (r != 0) {
                r = r > 0 ? control_client_run(&req) : -r;
                fflush(stdout);
                log_close();
                return r;
        }

        if (v->forks_init) {
                r = sealed_binary_ensure(argv, v->joins_container);
                if (r < 0) {
                        r = cli_failf(r, "run from a sealed copy of the binary");
                        log_close();
                        return r;
                }
        }

        /* A peer that dies mid-conversation (the init, a console socket) is an error to
         * report, not a reason to die silently. The init restores the default before exec. */
        signal(SIGPIPE, SIG_IGN);
        /* An ignored SIGCHLD survives exec and would have the kernel reap the init for us:
         * its exit status lost, its PID free for reuse while we still name it. */
        signal(SIGCHLD, SIG_DFL);

        r = v->run(argc - index, argv + index, &g);
        fflush(stdout);
        log_close();
        return r;
}
