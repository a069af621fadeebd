/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The parent side of a container's life: create (fork the init, drive the sync protocol, do
 * the host-side steps, record the state), start, signal, destroy. The verbs are thin layers
 * over this. */

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"
#include "oci-resources.h"
#include "oci-state.h"
#include "state-dir.h"

/* What the command line says about every container: where states live, who places cgroups. */
typedef struct RuntimeOptions {
        const char *root;    /* --root; NULL: the default (state_root_default()) */
        bool systemd_cgroup; /* --systemd-cgroup: linux.cgroupsPath is slice:prefix:name */
        /* The lowest fd >= 3 that was not open when ctr-launch started (fd_first_closed(), first
         * thing in main): the --preserve-fds and LISTEN_FDS fds must lie below it, or an fd we
         * opened ourselves (--log's file, the journal's socket) in a gap of the caller's would
         * go to the container (the CVE-2024-21626 class). 0: not known, only checked open. */
        int first_closed_fd;
} RuntimeOptions;

typedef struct CreateOptions {
        const char *id;
        const char *bundle;         /* NULL: the current directory */
        const char *pid_file;
        const char *console_socket;
        /* Instead of console_socket: a connected socket of the caller's own (run in the
         * foreground, pty_relay_channel()), or -EBADF. Set it: 0 is an fd. */
        int console_fd;
        bool no_pivot;
        unsigned preserve_fds;
        /* --system-bundle (ctr@.service): the bundle must be root's alone, as for any bundle
         * under SYSTEM_BUNDLE_DIR (bundle-check.h) */
        bool system_bundle;
        /* --replace-stopped (ctr@.service): a stopped container of the same id goes first
         * (the CLI does it, verb-create.c) */
        bool replace_stopped;
} CreateOptions;

/* exec: what runs, and how; as runc's options say. Without process_file, the container's own
 * process (as create recorded its config) with args and the overrides below. */
typedef struct ExecOptions {
        const char *process_file;   /* --process: a runtime-spec process object */
        char **args;                /* COMMAND [ARGS...] (without --process) */
        const char *console_socket; /* --console-socket */
        int console_fd;             /* or a connected socket to send the pty master over; -EBADF: none */
        unsigned console_height, console_width; /* the pty's size (0: process.consoleSize's) */
        int tty;                    /* -t: 1, --tty=false: 0, not given: -1 */
        const char *cwd;
        char **env;                 /* NAME=VALUE, each replacing the container's NAME */
        bool has_uid, has_gid;      /* --user UID[:GID] */
        uid_t uid;
        gid_t gid;
        gid_t *additional_gids;     /* --additional-gids, added to the container's */
        size_t n_additional_gids;
        char **caps;                /* --cap: added to the bounding, effective, permitted, ambient sets */
        bool no_new_privs;
        const char *apparmor;
        const char *process_label;
        unsigned preserve_fds;
        const char *pid_file;
        bool detach;                /* nobody waits: the caller does not ask for the process's pidfd */
        bool ignore_paused;
        const char *cgroup;         /* --cgroup: a sub-cgroup of the container's */
        /* For a caller who is not root (the system service's exec): no capability beyond the
         * container's own bounding set in any set, and its noNewPrivileges kept. */
        bool no_escalation;
} ExecOptions;

typedef struct Container {
        StateDir *dir;        /* locked */
        ContainerState state;
        ContainerStatus status;
        int pidfd;            /* verified pidfd of the init, or -EBADF once stopped */
        Cgroup *cgroup;       /* as create recorded it (cgroup.json); NULL if it recorded none */
} Container;

Container *container_free(Container *c);
static inline void container_freep(Container **c) {
        container_free(*c);
}
#define _cleanup_container_ _cleanup_(container_freep)

/* Every function below that fails fills *ret_error (if not NULL) with the one line that says
 * what failed and why; the caller prints it, once, with the container's id. */

/* The state root of this invocation: --root, or the default. */
int container_root(const RuntimeOptions *g, char **ret, char **ret_error);

/* Builds the container up to the blocked init (container-create.c). On failure nothing is
 * left behind. On success the state dir stays locked until *ret is freed. */
int container_create(const RuntimeOptions *g, const CreateOptions *o, Container **ret, char **ret_error);
/* Opens an existing container, locked (LOCK_EX), with its status probed (a running container
 * whose cgroup is frozen is STATUS_PAUSED) and its cgroup loaded. */
int container_open(const RuntimeOptions *g, const char *id, Container **ret, char **ret_error);
/* For readers that probed the status without container_open(): a running container whose
 * cgroup is frozen is paused. */
ContainerStatus container_status_paused(int dir_fd, ContainerStatus st);
/* Reads <dir>/cgroup.json: *ret stays NULL (0) when create recorded none. */
int container_load_cgroup(int dir_fd, Cgroup **ret);
/* Consumes exec.fifo: the user's process has been exec'd on success. Under a Type=notify unit
 * ($NOTIFY_SOCKET), tells systemd the container's process is the main process, and ready with
 * "exec" readiness; with "container" readiness and ret_relay_fd, returns the bound socket the
 * container's own notifications come in on (notify_relay_run()), else -EBADF there.
 * listen_fds: fds 3 .. 3+N-1 (systemd's socket activation of `start`, LISTEN_FDNAMES in names or
 * NULL) go to the init first, which execs with them (start-fds.h), and `start`'s copies are
 * closed as soon as they are sent; 0 for none. *ret_pidns: the inode of the container's PID
 * namespace for the relay (0 when it could not be had; only with a relay). */
int container_start(Container *c, unsigned listen_fds, const char *names, int *ret_relay_fd, ino_t *ret_pidns,
                    char **ret_error);
/* --preserve-fds and LISTEN_FDS (create, exec, start): fds 3 .. 3+n-1 must be the caller's,
 * open when we started (first_closed_fd). */
int container_check_preserved_fds(unsigned n, int first_closed_fd, char **ret_error);
/* Runs a new process in the running container (container-exec.c): it joins every namespace
 * and cgroup of the init, gets the container's (or --process's) environment, identity,
 * rlimits, capabilities and seccomp profile, and is a child of the caller. Returns once it
 * has exec'd (or, in a paused container, once the container is resumed and it runs: the
 * container's lock is let go meanwhile, for the resume), with
 * *ret_pid and, if ret_pidfd is not NULL, a pidfd of it. On failure nothing is left. */
int container_exec(Container *c, const RuntimeOptions *g, const ExecOptions *o, pid_t *ret_pid, int *ret_pidfd,
                   char **ret_error);
/* Sends sig to the init through its verified pidfd. */
int container_signal(Container *c, int sig, char **ret_error);
/* Sends sig to every process of the container: every process in its cgroup (or, for a
 * container recorded without one, in the init's PID namespace). */
int container_signal_all(Container *c, int sig, char **ret_error);
/* The signal that asks the container to stop: the OCI image annotation
 * org.opencontainers.image.stopSignal ("SIGQUIT", "QUIT", "3"), else (none, or empty as umoci
 * writes it for an image without one) SIGTERM. */
#define STOP_SIGNAL_ANNOTATION "org.opencontainers.image.stopSignal"
int container_stop_signal(const Container *c, char **ret_error);
/* Under a unit (ctr@.service), systemd sends the stop signal: its KillSignal=. If the image
 * annotates another, one warning says which drop-in makes them agree. */
void container_check_unit_stop_signal(const Container *c);
/* Kills what is left (SIGKILL, waits until it is gone) and removes the state dir. */
int container_destroy(Container *c, char **ret_error);
/* Stopped, and no init of it lives (container_open() found none to hold a pidfd of): what
 * `create --replace-stopped` and `delete --same-invocation` may take, whoever made it. */
static inline bool container_gone(const Container *c) {
        return c->status == STATUS_STOPPED && c->pidfd < 0;
}

/* What `update`, `pause`, `resume` and `ps` do to a live container (container-resources.c). */

/* Applies changes (a linux.resources object; members not set stay as they are) to the cgroup
 * of a created, running or paused container, then merges them into <dir>/resources.json.
 * New device rules replace the old ones, and the default devices stay allowed. */
int container_update(Container *c, const OciResources *changes, char **ret_error);
/* The limits recorded in the state dir (resources.json, as create and each update left them);
 * an empty set when nothing was. */
int container_recorded_resources(const Container *c, OciResources **ret, char **ret_error);
/* Freezes a running container's cgroup (pause) or thaws a paused one's (resume). */
int container_freeze(Container *c, bool freeze, char **ret_error);
/* The PIDs in the container's cgroup, as the host sees them; none for a stopped container
 * whose cgroup is gone. */
int container_pids(Container *c, pid_t **ret, size_t *ret_n, char **ret_error);

/* Readers (container-list.c): they never wait for a container's lock. */

/* Every container under the state root, sorted by id; one whose state is unreadable is still
 * listed (stopped, or creating while a create holds its lock), so that it can be found and
 * deleted. */
typedef struct ContainerList {
        ContainerState *states;
        ContainerStatus *statuses;
        size_t n;
} ContainerList;
void container_list_done(ContainerList *l);
int container_list(const RuntimeOptions *g, ContainerList *ret, char **ret_error);
/* One container's state and status; STATUS_CREATING while a create holds its lock and has
 * written no state yet. */
int container_peek(const RuntimeOptions *g, const char *id, ContainerState *ret, ContainerStatus *ret_status,
                   char **ret_error);
