/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* open, start, signal and destroy, seen from the host (create is container-create.c). A
 * failure comes back with its one line in *ret_error; nothing here prints it. */

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "errmsg.h"
#include "fd-util.h"
#include "parse-util.h"
#include "proc-util.h"
#include "strv.h"
#include "container-internal.h"
#include "exec-fifo.h"
#include "start-fds.h"
#include "host-mounts.h"
#include "log.h"
#include "notify.h"
#include "oci-config.h"
#include "pam-session.h"

Container *container_free(Container *c) {
        if (!c)
                return NULL;
        state_dir_free(c->dir);
        oci_state_done(&c->state);
        cgroup_free(c->cgroup);
        safe_close(c->pidfd);
        free(c);
        return NULL;
}

int container_root(const RuntimeOptions *g, char **ret, char **ret_error) {
        if (g->root) {
                /* Root never acts on a state root another user can write: its cgroup.json and
                 * state.json would name the cgroups root empties, the processes it signals and
                 * the unit whose limits it sets. (state-dir.c checks the opened directory
                 * again; this is for the one clear line.) */
                struct stat st;
                if (geteuid() == 0 && stat(g->root, &st) >= 0 && st.st_uid != 0)
                        return errmsg_plain(ret_error, -EPERM, "the state root %s belongs to uid %u: root does not act "
                                            "on another user's containers (run ctr-launch as that user)",
                                            g->root, (unsigned) st.st_uid);
                return (*ret = strdup(g->root)) ? 0 : errmsg(ret_error, -ENOMEM, "allocate");
        }
        int r = state_root_default(ret);
        if (r == -ENXIO)
                return errmsg_plain(ret_error, r, "no --root given and $XDG_RUNTIME_DIR is not set");
        if (r < 0)
                return errmsg(ret_error, r, "the default state root");
        return 0;
}

Container *container_new(void) {
        Container *c = calloc(1, sizeof(*c));
        if (c)
                c->pidfd = -EBADF;
        return c;
}

int container_open(const RuntimeOptions *g, const char *id, Container **ret, char **ret_error) {
        _cleanup_free_ char *root = NULL;
        int r = container_root(g, &root, ret_error);
        if (r < 0)
                return r;
        _cleanup_container_ Container *c = container_new();
        if (!c)
                return errmsg(ret_error, -ENOMEM, "allocate");
        r = state_dir_open(root, id, LOCK_EX, &c->dir, NULL);
        if (r == -ENOENT)
                return errmsg_plain(ret_error, r, "container does not exist");
        if (r < 0)
                return errmsg(ret_error, r, "open state directory %s/%s", root, id);

        r = oci_state_read(c->dir->dir_fd, &c->state);
        if (r < 0) {
                /* Broken: only destroy can do anything with it, and it must still find the
                 * init if one lives, or `delete --force` would leave it blocked on the FIFO. */
                c->status = STATUS_STOPPED;
                c->state.pid = 0;
                log_debug("%s unreadable (%s): treating the container as stopped", STATE_FILE, strerror(-r));
                if (!(c->state.id = strdup(id)))
                        return errmsg(ret_error, -ENOMEM, "allocate");
                pid_t pid;
                uint64_t starttime;
                if (oci_state_identity_read(c->dir->dir_fd, &pid, &starttime) >= 0)
                        (void) pidfd_open_verified(pid, starttime, &c->pidfd);
        } else {
                c->status = oci_state_status_probe(&c->state, c->dir->dir_fd, false, &c->pidfd);
                log_set_bundle(c->state.bundle);
        }

        r = container_load_cgroup(c->dir->dir_fd, &c->cgroup);
        if (r < 0)
                log_warning("%s unreadable: the container's cgroups are not managed", CGROUP_FILE);
        if (c->status == STATUS_RUNNING && c->cgroup && cgroup_is_frozen(c->cgroup) > 0)
                c->status = STATUS_PAUSED; /* as container_status_paused() says */
        *ret = TAKE_PTR(c);
        return 0;
}

ContainerStatus container_status_paused(int dir_fd, ContainerStatus st) {
        if (st != STATUS_RUNNING)
                return st;
        /* The freezer's file as create recorded it: parsing cgroup.json (ten hierarchies on a
         * hybrid host) was two thirds of `list`'s time with running containers. From cgroup.json
         * for a container made before that file existed. */
        _cleanup_free_ char *freezer = NULL;
        if (read_file_at(dir_fd, CGROUP_FREEZER_FILE, PATH_MAX + 1, &freezer, NULL) >= 0) {
                freezer[strcspn(freezer, "\n")] = 0;
                return cgroup_freezer_path_frozen(freezer) > 0 ? STATUS_PAUSED : st;
        }
        _cleanup_cgroup_ Cgroup *cg = NULL;
        if (container_load_cgroup(dir_fd, &cg) >= 0 && cg && cgroup_is_frozen(cg) > 0)
                return STATUS_PAUSED;
        return st;
}

int container_load_cgroup(int dir_fd, Cgroup **ret) {
        _cleanup_free_ char *data = NULL, *error = NULL;
        *ret = NULL;
        int r = read_file_at(dir_fd, CGROUP_FILE, 1U << 20, &data, NULL);
        if (r == -ENOENT)
                return 0;
        if (r >= 0)
                r = cgroup_from_json(data, ret, &error);
        if (r < 0)
                log_debug("%s: %s", CGROUP_FILE, error ?: strerror(-r));
        return r;
}

/* The hooks create kept for start and delete (none if it kept no file). */
static void load_hooks(Container *c, OciHooks *ret) {
        _cleanup_free_ char *data = NULL, *error = NULL;
        int r = read_file_at(c->dir->dir_fd, HOOKS_FILE, OCI_CONFIG_SIZE_MAX, &data, NULL);
        if (r == -ENOENT)
                return;
        if (r >= 0)
                r = oci_hooks_from_json(data, ret, &error);
        if (r < 0)
                log_warning("%s: %s: poststart and poststop hooks not run", HOOKS_FILE, error ?: strerror(-r));
}

void container_run_hooks_warn(const OciHooks *h, HookKind kind, const ContainerState *s, ContainerStatus status) {
        if (h->n_hooks[kind] == 0)
                return;
        _cleanup_free_ char *state = oci_state_to_oci_json(s, status);
        for (size_t i = 0; i < h->n_hooks[kind]; i++) {
                _cleanup_free_ char *error = NULL;
                int r = hook_run(h->hooks[kind] + i, kind, i, state, &error);
                if (r < 0)
                        log_warning("%s", error ?: strerror(-r));
        }
}

int container_close_pam_leftover(int dir_fd, char * const *annotations, char **ret_error) {
        _cleanup_free_ char *error = NULL;
        int r = pam_session_close_leftover(dir_fd, annotations, &error);
        if (r == -EIO)
                return 0; /* PAM refused the close, and said so: done all the same */
        if (r < 0 && ret_error)
                return errmsg_plain(ret_error, r, "%s", error ?: strerror(-r));
        if (r < 0)
                log_warning("%s", error ?: strerror(-r));
        return r < 0 ? r : 0;
}

int container_start(Container *c, unsigned listen_fds, const char *names, int *ret_relay_fd, ino_t *ret_pidns,
                    char **ret_error) {
        if (c->status != STATUS_CREATED)
                return errmsg_plain(ret_error, -EINVAL, "cannot start a container that is %s",
                                    oci_state_status_to_string(c->status));
        /* Frozen by someone (pause refuses a created container): its init could not take
         * the go on exec.fifo. */
        _cleanup_free_ char *frozen = NULL;
        if (c->cgroup && cgroup_frozen_anywhere(c->cgroup, &frozen) > 0)
                return errmsg_plain(ret_error, -EBUSY, "cannot start: the container's cgroup %s is frozen (thaw it first)",
                                    frozen);
        Readiness readiness = READINESS_EXEC;
        (void) readiness_from_annotations(c->state.annotations, &readiness);
        const bool notify = notify_wanted();
        _cleanup_close_ int relay_fd = -EBADF;
        int r;
        /* Bound before the container's process runs, so that nothing it sends is lost. */
        if (notify && readiness == READINESS_CONTAINER && ret_relay_fd &&
            (r = notify_relay_open(c->dir->dir_fd, &relay_fd, ret_error)) < 0)
                return r;
        /* The relay's fd store checks need the container's PID namespace: taken now, while the
         * init waits on the FIFO, by its PID and checked against its verified pidfd (a PID alone
         * could name another process by the time the relay asks). Unknown stays 0, and then
         * the relay stores no fd. */
        ino_t pidns = 0;
        int pidns_r = relay_fd >= 0 ? proc_pidns_verified(c->state.pid, c->pidfd, &pidns) : 0;

        /* Before the FIFO: queued by the time the init's open of it returns (start-fds.h). With
         * no fds too, so that the init's last message is always ours. */
        if ((r = start_fds_send(c->dir->dir_fd, listen_fds, names, ret_error)) < 0)
                return r;
        r = exec_fifo_consume(c->dir->dir_fd, c->pidfd, ret_error);
        if (r < 0) {
                /* An init that failed to exec exits: under a unit, whatever is left is killed
                 * as soon as we return, so let its PAM session close first. */
                struct pollfd p = { .fd = c->pidfd, .events = POLLIN };
                int holder = -EBADF;
                if (poll(&p, 1, 2000) > 0 && pam_holder_open(c->dir->dir_fd, &holder) > 0)
                        pam_holder_wait(holder, DESTROY_TIMEOUT_MS);
                return r;
        }
        c->status = STATUS_RUNNING;
        /* The waiting init is not dumpable, and /proc/PID/ns/ wants ptrace access: a rootless
         * start (no CAP_SYS_PTRACE over the host's user namespace, where the init's memory was
         * made) cannot read it before the FIFO. The exec'd process is dumpable again (unless it
         * chose otherwise) and lives in the same PID namespace, which a process never leaves:
         * read it now, by PID and pidfd the same way. */
        if (pidns_r == -EACCES || pidns_r == -EPERM)
                pidns_r = proc_pidns_verified(c->state.pid, c->pidfd, &pidns);
        if (pidns_r < 0) {
                log_warning("the container's PID namespace: %s; its FDSTORE=1 messages will be refused",
                            strerror(-pidns_r));
                pidns = 0;
        }

        OciHooks hooks = {};
        load_hooks(c, &hooks);
        container_run_hooks_warn(&hooks, HOOK_POSTSTART, &c->state, STATUS_RUNNING);
        oci_hooks_done(&hooks);

        /* As a Type=notify unit's ExecStart=: the container's process is the main process now,
         * and with "exec" readiness the unit is ready, since the exec succeeded. */
        if (notify) {
                r = notify_main_pid(c->state.pid, readiness == READINESS_EXEC, ret_error);
                if (r < 0)
                        return r;
        }
        if (ret_relay_fd)
                *ret_relay_fd = TAKE_FD(relay_fd);
        if (ret_pidns)
                *ret_pidns = pidns;
        return 0;
}

int container_signal(Container *c, int sig, char **ret_error) {
        if (c->status == STATUS_STOPPED || c->pidfd < 0)
                return errmsg_plain(ret_error, -ESRCH, "container is not running");
        if (pidfd_send_signal(c->pidfd, sig, NULL, 0) < 0)
                return errmsg(ret_error, -errno, "send signal %d", sig);
        return 0;
}

static int ns_inode(pid_t pid, ino_t *ret) {
        char path[64];
        struct stat st;
        snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int) pid);
        if (stat(path, &st) < 0)
                return -errno;
        *ret = st.st_ino;
        return 0;
}

int container_signal_all(Container *c, int sig, char **ret_error) {
        /* A shared cgroup (see Cgroup.shared) holds others' processes too: those of the
         * container's PID namespace are what is its own. */
        if (c->cgroup && !c->cgroup->shared) {
                if (c->status == STATUS_STOPPED && c->pidfd < 0)
                        return errmsg_plain(ret_error, -ESRCH, "container is not running");
                _cleanup_free_ char *error = NULL;
                int r = cgroup_kill(c->cgroup, sig, &error);
                if (r < 0 && error)
                        return errmsg_plain(ret_error, r, "%s", error);
                if (r < 0)
                        return errmsg(ret_error, r, "signal the container's cgroup");
                return 0;
        }
        ino_t ours, theirs;
        int r = container_signal(c, sig, ret_error);
        if (r < 0)
                return r;
        if (ns_inode(getpid(), &ours) < 0 || ns_inode(c->state.pid, &theirs) < 0 || ours == theirs)
                return 0; /* no PID namespace of its own: the init is all we can tell apart */

        _cleanup_(closedirp) DIR *d = opendir("/proc");
        if (!d)
                return errmsg(ret_error, -errno, "open /proc");
        struct dirent *de;
        while ((de = readdir(d))) {
                uint64_t pid;
                ino_t ino;
                if (parse_uint64(de->d_name, INT_MAX, &pid) < 0 || (pid_t) pid == c->state.pid)
                        continue;
                /* pidfd first, then the check: the pidfd cannot come to name another process
                 * afterwards, so what we checked is what we signal. */
                _cleanup_close_ int pidfd = pidfd_open((pid_t) pid, 0);
                if (pidfd < 0 || ns_inode((pid_t) pid, &ino) < 0 || ino != theirs)
                        continue;
                if (pidfd_send_signal(pidfd, sig, NULL, 0) < 0 && errno != ESRCH)
                        log_warning("send signal %d to process %d: %s", sig, (int) pid, strerror(errno));
        }
        return 0;
}

/* The annotation's value, or NULL. umoci unpack (0.4) writes it, empty, for every image whose
 * config has no StopSignal (most images): empty is none, and the signal SIGTERM, as for runc's
 * and crun's kill, which read no annotation, and podman's, which takes SIGTERM for an image
 * without one. */
static const char *stop_signal_annotation(const Container *c) {
        const char *v = strv_pairs_get(c->state.annotations, STOP_SIGNAL_ANNOTATION);
        return v && *v ? v : NULL;
}

int container_stop_signal(const Container *c, char **ret_error) {
        const char *v = stop_signal_annotation(c);
        if (!v)
                return SIGTERM;
        int sig = signal_from_string(v);
        if (sig < 0)
                return errmsg_plain(ret_error, -EINVAL, "annotation %s: unknown signal \"%.64s\"", STOP_SIGNAL_ANNOTATION, v);
        return sig;
}

/* A signal as KillSignal= takes it: "SIGTERM", "SIGRTMIN+3" (systemd-in-a-container images
 * stop on that one), or the number. */
static void unit_signal_name(int sig, char buf[static 32]) {
        const char *name = signal_to_string(sig);
        if (name)
                snprintf(buf, 32, "SIG%s", name);
        else if (sig >= SIGRTMIN && sig <= SIGRTMAX)
                snprintf(buf, 32, "SIGRTMIN+%d", sig - SIGRTMIN);
        else
                snprintf(buf, 32, "%d", sig);
}

void container_check_unit_stop_signal(const Container *c) {
        if (!c->cgroup || !c->cgroup->unit || !stop_signal_annotation(c))
                return;
        _cleanup_free_ char *error = NULL;
        int sig = container_stop_signal(c, &error);
        int unit_sig = sig < 0 ? sig : cgroup_systemd_unit_kill_signal(c->cgroup->unit, c->cgroup->unit_user, &error);
        if (unit_sig < 0)
                log_warning("the stop signal: %s", error ?: strerror(-unit_sig));
        else if (unit_sig != sig) {
                char theirs[32], ours[32];
                unit_signal_name(unit_sig, theirs);
                unit_signal_name(sig, ours);
                log_warning("%s stops with %s, the image asks for %s: set KillSignal=%s in a drop-in "
                            "(systemctl%s edit %s)", c->cgroup->unit, theirs, ours, ours,
                            c->cgroup->unit_user ? " --user" : "", c->cgroup->unit);
        }
}

int container_destroy(Container *c, char **ret_error) {
        /* A frozen task keeps even SIGKILL pending (v1) until thawed, whoever froze it. */
        if (c->cgroup)
                cgroup_thaw_for_kill(c->cgroup, c->pidfd);
        if (c->pidfd >= 0) {
                if (pidfd_send_signal(c->pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
                        return errmsg(ret_error, -errno, "kill the container");
                struct pollfd p = { .fd = c->pidfd, .events = POLLIN };
                int k;
                while ((k = poll(&p, 1, DESTROY_TIMEOUT_MS)) < 0 && errno == EINTR)
                        ;
                if (k == 0)
                        return errmsg_plain(ret_error, -ETIMEDOUT, "the container's init did not exit after SIGKILL");
                /* If it was our child (run), reap it; otherwise its parent does. */
                siginfo_t si;
                (void) waitid(P_PIDFD, (id_t) c->pidfd, &si, WEXITED | WNOHANG);
                c->pidfd = safe_close(c->pidfd);
        }
        /* Without a mount namespace of its own, its mounts are in ours (host-mounts.h). */
        _cleanup_free_ char *kept = NULL;
        if (c->state.rootfs && read_file_at(c->dir->dir_fd, HOST_MOUNTS_FILE, 1U << 20, &kept, NULL) >= 0) {
                int k = host_mounts_release(c->state.rootfs, kept, ret_error);
                if (k < 0)
                        return k;
        }
        /* The init is gone: its PAM session closes now, before the state that names it goes. */
        int pam_holder = -EBADF;
        if (pam_holder_open(c->dir->dir_fd, &pam_holder) > 0)
                pam_holder_wait(pam_holder, DESTROY_TIMEOUT_MS);
        /* A session not closed for good keeps the state dir, which names it: the next delete
         * (ExecStartPre='s, under ctr@.service) closes it. */
        int pr = container_close_pam_leftover(c->dir->dir_fd, c->state.annotations, ret_error);
        if (pr < 0)
                return pr;
        if (c->cgroup) {
                _cleanup_free_ char *error = NULL;
                int k = cgroup_destroy(c->cgroup, DESTROY_TIMEOUT_MS, &error);
                if (k < 0)
                        return errmsg_plain(ret_error, k, "remove the container's cgroup: %s", error ?: strerror(-k));
                /* The limits it gave its unit go with it: the next start sets what its config
                 * then says, and a limit taken out of the config is not left on the unit. */
                _cleanup_(oci_resources_freep) OciResources *res = NULL;
                free(error);
                error = NULL;
                if (c->cgroup->unit && ((k = container_recorded_resources(c, &res, &error)) < 0 ||
                                        (k = cgroup_unit_reset(c->cgroup, res, &error)) < 0))
                        log_warning("reset the limits of %s: %s", c->cgroup->unit, error ?: strerror(-k));
        }
        OciHooks hooks = {};
        load_hooks(c, &hooks);
        int r = state_dir_remove(c->dir);
        if (r < 0) {
                oci_hooks_done(&hooks);
                return errmsg(ret_error, r, "remove %s", c->dir->path);
        }
        c->status = STATUS_STOPPED;
        /* The container is gone: poststop. */
        container_run_hooks_warn(&hooks, HOOK_POSTSTOP, &c->state, STATUS_STOPPED);
        oci_hooks_done(&hooks);
        return 0;
}
