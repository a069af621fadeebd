/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec, seen from the host: the process to run (the container's, as create recorded its
 * config, with runc's overrides; or a --process document), the namespaces to join, the fork,
 * the cgroups, the outcome. The child's side is exec-child.c. On failure nothing is left: the
 * child is killed and reaped before we return. */

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "errmsg.h"
#include "log.h"
#include "fd-util.h"
#include "string-util.h"
#include "strv.h"
#include "console.h"
#include "container-internal.h"
#include "exec-child.h"
#include "seccomp-notify.h"
#include "exec-fifo.h"
#include "oci-config.h"
#include "sealed-binary.h"
#include "lsm-util.h"
#include "lsm.h"

/* How long the child may take to join the container and exec: bounded work of our own, unless
 * the container is frozen under it (a pause meanwhile) or the machine is stalled. */
#define EXEC_SETUP_TIMEOUT_MS 30000

/* The config create recorded; a container made by an older ctr-launch has none, and gets its
 * bundle's. */
static int load_config(const Container *c, OciConfig **ret, char **ret_error) {
        _cleanup_free_ char *data = NULL, *error = NULL;
        size_t size;
        int r = read_file_at(c->dir->dir_fd, CONFIG_FILE, OCI_CONFIG_SIZE_MAX, &data, &size);
        if (r == -ENOENT) {
                _cleanup_free_ char *json = NULL;
                r = oci_config_load(c->state.bundle, ret, &json, NULL, &error);
                return r < 0 ? errmsg_plain(ret_error, r, "the container's config (from its bundle): %s", error) : 0;
        }
        if (r < 0)
                return errmsg(ret_error, r, "read the container's recorded %s", CONFIG_FILE);
        r = oci_config_parse(data, size, ret, &error);
        if (r < 0)
                return errmsg_plain(ret_error, r, "the container's recorded %s: %s", CONFIG_FILE, error);
        return 0;
}

static int read_process_file(const char *path, OciProcess *ret, char **ret_error) {
        _cleanup_free_ char *data = NULL, *error = NULL;
        size_t size;
        int r = read_file_at(AT_FDCWD, path, OCI_CONFIG_SIZE_MAX, &data, &size);
        if (r == -EBADFD)
                return errmsg_plain(ret_error, r, "--process %s: %s", path, FD_NOT_REGULAR);
        if (r < 0)
                return errmsg(ret_error, r, "--process %s", path);
        r = oci_process_parse(data, size, ret, &error);
        if (r < 0)
                return errmsg_plain(ret_error, r, "--process %s: %s", path, error);
        for (char **w = ret->warnings; w && *w; w++)
                log_warning("--process %s: %s", path, *w);
        return 0;
}

/* NAME=VALUE replaces NAME's entry, or is added: the caller's -e wins over the config's. */
static int env_set(char ***env, const char *assignment) {
        size_t n = strcspn(assignment, "=");
        for (char **e = *env; e && *e; e++)
                if (strncmp(*e, assignment, n) == 0 && (*e)[n] == '=') {
                        char *copy = strdup(assignment);
                        if (!copy)
                                return -ENOMEM;
                        free(*e);
                        *e = copy;
                        return 0;
                }
        return strv_extend(env, assignment);
}

/* runc's overrides of the container's process, on config->process itself (it is our copy). */
static int override_process(OciConfig *config, const ExecOptions *o, char **ret_error) {
        OciProcess *p = &config->process;
        int r;

        strv_free(p->args);
        p->args = NULL;
        for (char **a = o->args; a && *a; a++)
                if (strv_extend(&p->args, *a) < 0)
                        return -ENOMEM;
        if (!p->args || !p->args[0][0])
                return errmsg_plain(ret_error, -EINVAL, "no command to run (give one, or --process)");
        /* A terminal only when asked for: the container's own is the init's. */
        p->terminal = false;
        if (o->cwd) {
                if (o->cwd[0] != '/')
                        return errmsg_plain(ret_error, -EINVAL, "--cwd %s: must be an absolute path", o->cwd);
                free(p->cwd);
                if (!(p->cwd = strdup(o->cwd)))
                        return -ENOMEM;
        }
        for (char **e = o->env; e && *e; e++) {
                if (!strchr(*e, '=') || **e == '=')
                        return errmsg_plain(ret_error, -EINVAL, "--env %s: must be NAME=VALUE", *e);
                if ((r = env_set(&p->env, *e)) < 0)
                        return r;
        }
        if (o->has_uid)
                p->uid = o->uid;
        if (o->has_gid)
                p->gid = o->gid;
        if (o->n_additional_gids > 0) {
                gid_t *g = reallocarray(p->additional_gids, p->n_additional_gids + o->n_additional_gids, sizeof(gid_t));
                if (!g)
                        return -ENOMEM;
                memcpy(g + p->n_additional_gids, o->additional_gids, o->n_additional_gids * sizeof(gid_t));
                p->additional_gids = g;
                p->n_additional_gids += o->n_additional_gids;
        }
        for (char **name = o->caps; name && *name; name++) {
                int cap = oci_capability_from_name(*name);
                if (cap == -EOPNOTSUPP || cap >= 64)
                        return errmsg_plain(ret_error, -EINVAL, "--cap %s: a capability this system does not know", *name);
                if (cap < 0)
                        return errmsg_plain(ret_error, -EINVAL, "--cap %s: not a capability name (CAP_...)", *name);
                /* As runc: bounding, effective, permitted and ambient; ambient takes only where
                 * the config made it inheritable too (caps.c). */
                static const CapabilitySet sets[] = { CAP_SET_BOUNDING, CAP_SET_EFFECTIVE, CAP_SET_PERMITTED,
                                                      CAP_SET_AMBIENT };
                for (size_t i = 0; i < ELEMENTSOF(sets); i++)
                        p->capabilities[sets[i]] |= UINT64_C(1) << cap;
        }
        if (o->no_new_privs)
                p->no_new_privileges = true;
        return 0;
}

static const OciRlimit *find_rlimit(const OciProcess *p, int resource) {
        for (size_t i = 0; i < p->n_rlimits; i++)
                if (p->rlimits[i].resource == resource)
                        return &p->rlimits[i];
        return NULL;
}

/* What a --process document may set only as the container's own process has it, through the
 * system service: what takes privilege to raise, which the child still has when it applies
 * them (rlimits, oomScoreAdj, the scheduler, the I/O class). */
static int check_no_escalation_limits(const OciProcess *p, const OciProcess *container, char **ret_error) {
        for (size_t i = 0; i < p->n_rlimits; i++) {
                const OciRlimit *mine = &p->rlimits[i], *theirs = find_rlimit(container, mine->resource);
                if (!theirs || mine->soft > theirs->soft || mine->hard > theirs->hard)
                        return errmsg_plain(ret_error, -EPERM, "rlimits above the container's are not given through "
                                            "the system service (--process: process.rlimits)");
        }
        if (p->has_oom_score_adj &&
            (!container->has_oom_score_adj || p->oom_score_adj < container->oom_score_adj))
                return errmsg_plain(ret_error, -EPERM, "an oomScoreAdj below the container's is not given through the "
                                    "system service (--process)");
        const OciScheduler *a = &p->scheduler, *b = &container->scheduler;
        bool same_scheduler = a->set == b->set && a->policy == b->policy && a->nice == b->nice &&
                              a->priority == b->priority && a->flags == b->flags && a->runtime == b->runtime &&
                              a->deadline == b->deadline && a->period == b->period;
        bool same_io = p->io_priority.set == container->io_priority.set &&
                       p->io_priority.class == container->io_priority.class &&
                       p->io_priority.priority == container->io_priority.priority;
        if ((a->set && !same_scheduler) || (p->io_priority.set && !same_io))
                return errmsg_plain(ret_error, -EPERM, "a scheduler or I/O priority other than the container's is not "
                                    "given through the system service (--process)");
        return 0;
}

/* The system service runs exec for admins who are not root: the process may be anyone inside
 * the container, but not more privileged than the container's own process may be. */
static int check_no_escalation(const OciProcess *p, uint64_t bounding, bool no_new_privileges, char **ret_error) {
        for (CapabilitySet s = 0; s < _CAP_SET_MAX; s++)
                if (p->capabilities[s] & ~bounding)
                        return errmsg_plain(ret_error, -EPERM, "capabilities beyond the container's bounding set are "
                                            "not given through the system service (--cap, --process)");
        if (no_new_privileges && !p->no_new_privileges)
                return errmsg_plain(ret_error, -EPERM, "the container's noNewPrivileges is not lifted through the "
                                    "system service (--process)");
        return 0;
}

/* An empty label is the container's (runc); --apparmor and --process-label choose another. A
 * profile that is not loaded, or a context the SELinux policy does not define, is refused before
 * anything runs; through the system service, no label but the container's (an admin who may exec
 * is not one who may lift confinement). */
static int build_labels(OciProcess *p, const OciProcess *container, const ExecOptions *o, char **ret_error) {
        const struct {
                char **mine;
                const char *theirs, *given, *option, *field, *lsm;
                bool (*enabled)(void);
        } labels[] = {
                { &p->apparmor_profile, container->apparmor_profile, o->apparmor, "--apparmor",
                  "process.apparmorProfile", "AppArmor", lsm_apparmor_enabled },
                { &p->selinux_label, container->selinux_label, o->process_label, "--process-label",
                  "process.selinuxLabel", "SELinux", lsm_selinux_enabled },
        };
        for (size_t i = 0; i < ELEMENTSOF(labels); i++) {
                const char *theirs = labels[i].theirs && *labels[i].theirs ? labels[i].theirs : NULL;
                const char *want = labels[i].given && *labels[i].given ? labels[i].given
                                   : *labels[i].mine && **labels[i].mine ? *labels[i].mine
                                                                          : theirs;
                if (want && !labels[i].enabled())
                        return errmsg_plain(ret_error, -EOPNOTSUPP, "%s: %s is not enabled on this host",
                                            labels[i].given && *labels[i].given ? labels[i].option : labels[i].field,
                                            labels[i].lsm);
                if (o->no_escalation && !streq_ptr(want, theirs))
                        return errmsg_plain(ret_error, -EPERM, "an %s label other than the container's is not given "
                                            "through the system service", labels[i].lsm);
                if (want != *labels[i].mine) {
                        char *copy = want ? strdup(want) : NULL;
                        if (want && !copy)
                                return -ENOMEM;
                        free(*labels[i].mine);
                        *labels[i].mine = copy;
                }
        }
        if (p->apparmor_profile && lsm_apparmor_profile_loaded(p->apparmor_profile) == 0)
                return errmsg_plain(ret_error, -ENOENT, "AppArmor profile \"%s\" is not loaded (apparmor_parser -r loads it)",
                                    p->apparmor_profile);
        if (p->selinux_label && lsm_selinux_context_valid(p->selinux_label) == 0)
                return errmsg_plain(ret_error, -EINVAL, "SELinux label \"%s\" is not a context of the loaded policy",
                                    p->selinux_label);
        return 0;
}

static int build_process(OciConfig *config, const ExecOptions *o, char **ret_error) {
        const uint64_t bounding = config->process.capabilities[CAP_SET_BOUNDING];
        const bool no_new_privileges = config->process.no_new_privileges;
        _cleanup_free_ char *apparmor = NULL, *selinux = NULL;
        int r;

        if ((config->process.apparmor_profile && !(apparmor = strdup(config->process.apparmor_profile))) ||
            (config->process.selinux_label && !(selinux = strdup(config->process.selinux_label))))
                return -ENOMEM;
        if (!o->process_file)
                r = override_process(config, o, ret_error);
        else {
                OciProcess p;
                if ((r = read_process_file(o->process_file, &p, ret_error)) < 0)
                        return r;
                /* Without capabilities of its own, the process has the container's (runc). */
                if (!p.has_capabilities)
                        memcpy(p.capabilities, config->process.capabilities, sizeof(p.capabilities));
                r = o->no_escalation ? check_no_escalation_limits(&p, &config->process, ret_error) : 0;
                oci_process_done(&config->process);
                config->process = p;
        }
        if (r < 0)
                return r;
        OciProcess container = { .apparmor_profile = apparmor, .selinux_label = selinux };
        if ((r = build_labels(&config->process, &container, o, ret_error)) < 0)
                return r;
        if (o->tty >= 0)
                config->process.terminal = o->tty;
        if (o->console_height > 0 && o->console_width > 0) {
                config->process.console_height = o->console_height;
                config->process.console_width = o->console_width;
        }
        if (o->no_escalation)
                return check_no_escalation(&config->process, bounding, no_new_privileges, ret_error);
        return 0;
}

/* The namespaces of the init that are not ours: those are the ones to join. Compared through
 * /proc/<pid>/ns, then the pidfd says the PID was still the init's (it cannot come back). */
static int namespaces_to_join(const Container *c, int *ret_flags, char **ret_error) {
        int flags = 0;
        for (NamespaceType t = 0; t < _NAMESPACE_TYPE_MAX; t++) {
                char theirs[64], ours[64];
                struct stat a, b;
                snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int) c->state.pid, namespace_type_to_proc_name(t));
                snprintf(ours, sizeof(ours), "/proc/self/ns/%s", namespace_type_to_proc_name(t));
                if (stat(ours, &b) < 0 && errno == ENOENT)
                        continue; /* a namespace type this kernel does not have */
                if (stat(theirs, &a) < 0)
                        return errmsg(ret_error, -errno, "look at the container's namespaces (%s)", theirs);
                if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
                        flags |= namespace_type_to_clone_flag(t);
        }
        if (pidfd_send_signal(c->pidfd, 0, NULL, 0) < 0)
                return errmsg(ret_error, -errno, "the container's init (PID %d)", (int) c->state.pid);
        *ret_flags = flags;
        return 0;
}

/* poll() of one fd for input, through EINTR: > 0 readable (or hung up), 0 at the timeout (< 0:
 * none), -errno (errno kept). */
static int wait_readable(int fd, int timeout_ms) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int k;
        while ((k = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
                ;
        return k < 0 ? -errno : k;
}

/* The child's "ready" byte, or its error text. */
static int wait_ready(int channel, char **ret_error) {
        int k = wait_readable(channel, EXEC_SETUP_TIMEOUT_MS);
        if (k == 0)
                return errmsg_plain(ret_error, -ETIMEDOUT, "the new process did not join the container within %d s",
                                    EXEC_SETUP_TIMEOUT_MS / 1000);
        char c;
        ssize_t n = k < 0 ? -1 : read(channel, &c, 1);
        if (n < 0)
                return errmsg(ret_error, -errno, "wait for the new process");
        if (n == 0)
                return errmsg_plain(ret_error, -EIO, "the new process died while joining the container");
        if (c == EXEC_CHILD_READY)
                return 0;
        /* An error text: its first byte is this one. */
        _cleanup_free_ char *rest = NULL;
        int r = exec_report_read(channel, EXEC_SETUP_TIMEOUT_MS, &rest);
        return errmsg_plain(ret_error, r < 0 ? r : -EIO, "%c%s", c, r < 0 && rest ? rest : "");
}

typedef struct ExecContext {
        int channel, child_channel, console_fd, stub_fd;
        pid_t pid;
        int pidfd;
} ExecContext;

/* Waits (timeout_ms < 0: for as long as it takes) for x's child to end, and reaps it; or leaves
 * it to whoever reaps orphans (a process SIGKILLed in a frozen cgroup ends only on thaw). */
static void reap(const ExecContext *x, int timeout_ms) {
        if (x->pidfd < 0 || wait_readable(x->pidfd, timeout_ms) > 0)
                while (waitpid(x->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
}

/* The child that joined a PID namespace forked the process-to-be into it as our child, told
 * us its PID, and exits: reap it, and the process-to-be is x->pid from now on. In a paused
 * container that happens once it is resumed: timeout_ms < 0 then. */
static int take_grandchild(ExecContext *x, int timeout_ms, char **ret_error) {
        int k = wait_readable(x->channel, timeout_ms);
        if (k == 0)
                return errmsg_plain(ret_error, -ETIMEDOUT, "the new process did not join the container within %d s",
                                    EXEC_SETUP_TIMEOUT_MS / 1000);
        _cleanup_free_ char *line = NULL;
        int r = k < 0 ? k : read_line_fd(x->channel, 64, &line);
        if (r == -EPIPE)
                return errmsg_plain(ret_error, -EIO, "the new process died while joining the container");
        if (r < 0 && r != -E2BIG)
                return errmsg(ret_error, r, "wait for the new process");
        int pid = 0, at = 0;
        if (r < 0 || line[0] != EXEC_CHILD_PID || sscanf(line + 1, "%d%n", &pid, &at) != 1 || line[1 + at] || pid <= 0) {
                /* An error text: the rest of it follows what we read. */
                _cleanup_free_ char *rest = NULL;
                int k2 = exec_report_read(x->channel, EXEC_SETUP_TIMEOUT_MS, &rest);
                return errmsg_plain(ret_error, -EIO, "%s%s", line ?: "", k2 < 0 && rest ? rest : "");
        }
        reap(x, EXEC_SETUP_TIMEOUT_MS);
        x->pidfd = safe_close(x->pidfd);
        x->pid = pid;
        /* Our child (CLONE_PARENT), so the PID is its until we reap it. */
        if ((x->pidfd = pidfd_open(x->pid, 0)) < 0)
                return errmsg(ret_error, -errno, "pidfd_open");
        return 0;
}

/* The process-to-be's seccomp listener (SCMP_ACT_NOTIFY rules, exec-child.h) to the agent, as
 * create does for the init; then it may go on. */
static int seccomp_hand_over(const Container *c, const ExecContext *x, const OciSeccomp *s, int timeout_ms,
                             char **ret_error) {
        int k = wait_readable(x->channel, timeout_ms);
        if (k == 0)
                return errmsg_plain(ret_error, -ETIMEDOUT, "the new process did not load its seccomp filter within %d s",
                                    EXEC_SETUP_TIMEOUT_MS / 1000);
        char first = 0;
        _cleanup_close_ int listener = -EBADF;
        int r = k < 0 ? k : recv_fd_or_byte(x->channel, &first, &listener);
        if (r == -EPIPE)
                return errmsg_plain(ret_error, -EIO, "the new process died while loading its seccomp filter");
        if (r < 0)
                return errmsg(ret_error, r, "wait for the new process's seccomp listener");
        if (listener < 0) {
                /* An error text: its first byte is this one. */
                _cleanup_free_ char *rest = NULL;
                r = exec_report_read(x->channel, EXEC_SETUP_TIMEOUT_MS, &rest);
                return errmsg_plain(ret_error, r < 0 ? r : -EIO, "%c%s", first, r < 0 && rest ? rest : "");
        }
        _cleanup_free_ char *state = oci_state_to_oci_json(&c->state, c->status);
        if (!state)
                return errmsg_plain(ret_error, -ENOMEM, "build the container's state");
        if ((r = seccomp_notify_send(s, state, x->pid, listener, ret_error)) < 0)
                return r;
        char go = EXEC_CHILD_GO;
        if (write(x->channel, &go, 1) != 1)
                return errmsg(ret_error, -errno, "tell the new process to go on");
        return 0;
}

static void exec_context_done(ExecContext *x) {
        if (x->pid > 0) {
                if (x->pidfd >= 0)
                        (void) pidfd_send_signal(x->pidfd, SIGKILL, NULL, 0);
                else
                        (void) kill(x->pid, SIGKILL);
                reap(x, EXEC_SETUP_TIMEOUT_MS);
        }
        safe_close(x->pidfd);
        safe_close(x->channel);
        safe_close(x->child_channel);
        safe_close(x->console_fd);
        safe_close(x->stub_fd);
}

static int check_status(const Container *c, const ExecOptions *o, char **ret_error) {
        switch (c->status) {
        case STATUS_RUNNING:
                return 0;
        case STATUS_PAUSED:
                if (o->ignore_paused)
                        return 0;
                return errmsg_plain(ret_error, -EBUSY, "the container is paused (resume it, or exec --ignore-paused)");
        case STATUS_CREATED:
                return errmsg_plain(ret_error, -EBUSY, "the container is created, not running yet (start it first)");
        default:
                return errmsg_plain(ret_error, -ESRCH, "the container is %s, not running",
                                    oci_state_status_to_string(c->status));
        }
}

int container_exec(Container *c, const RuntimeOptions *g, const ExecOptions *o, pid_t *ret_pid, int *ret_pidfd,
                   char **ret_error) {
        _cleanup_oci_config_ OciConfig *config = NULL;
        _cleanup_(exec_context_done) ExecContext x = {
                .channel = -EBADF, .child_channel = -EBADF, .console_fd = -EBADF, .stub_fd = -EBADF, .pidfd = -EBADF,
        };
        int r, ns_flags = 0;

        if ((r = check_status(c, o, ret_error)) < 0 ||
            (r = container_check_preserved_fds(o->preserve_fds, g->first_closed_fd, ret_error)) < 0 ||
            (r = container_check_pid_file(o->pid_file, ret_error)) < 0 || (r = load_config(c, &config, ret_error)) < 0 ||
            (r = build_process(config, o, ret_error)) < 0)
                return r;
        if (o->cgroup && !c->cgroup)
                return errmsg_plain(ret_error, -ENOENT, "--cgroup %s: the container has no cgroup of its own", o->cgroup);

        if (config->process.terminal) {
                if (o->console_fd >= 0) {
                        if ((x.console_fd = fcntl(o->console_fd, F_DUPFD_CLOEXEC, 3)) < 0)
                                return errmsg(ret_error, -errno, "dup the console channel");
                } else if (!o->console_socket)
                        return errmsg_plain(ret_error, -EINVAL,
                                            "a terminal was asked for and exec is detached: --console-socket is required");
                else if ((r = console_socket_connect(o->console_socket, &x.console_fd)) < 0)
                        return errmsg(ret_error, r, "connect to --console-socket %s", o->console_socket);
        }
        r = exec_stub_open(&x.stub_fd);
        if (r < 0 && r != -EOPNOTSUPP)
                return errmsg(ret_error, r, "make the exec stub");
        /* Ours, before the child enters the container's mount namespace: the label's attr file
         * is opened through it (lsm.h). */
        _cleanup_close_ int proc_fd = -EBADF;
        if (lsm_exec_label_wanted(&config->process) && (proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
                return errmsg(ret_error, -errno, "open /proc for the process's LSM label");

        int pair[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
                return errmsg(ret_error, -errno, "socketpair");
        x.channel = pair[0];
        x.child_channel = pair[1];

        if ((r = namespaces_to_join(c, &ns_flags, ret_error)) < 0)
                return r;
        /* A container in our mount namespace (none in its config) is the init's chroot: the
         * process goes there too, not to our "/". Checked alive again after: the PID is its. */
        _cleanup_close_ int root_fd = -EBADF;
        if (!(ns_flags & CLONE_NEWNS)) {
                char root[64];
                snprintf(root, sizeof(root), "/proc/%d/root", (int) c->state.pid);
                root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (root_fd < 0)
                        return errmsg(ret_error, -errno, "open the container's root (%s)", root);
                if (pidfd_send_signal(c->pidfd, 0, NULL, 0) < 0)
                        return errmsg(ret_error, -errno, "the container's init (PID %d)", (int) c->state.pid);
        }
        /* Not dumpable from here on, and so the child from its first instruction (exec-child.c). */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return errmsg(ret_error, -errno, "prctl(PR_SET_DUMPABLE)");

        x.pid = fork();
        if (x.pid < 0)
                return errmsg(ret_error, -errno, "fork");
        if (x.pid == 0) {
                /* Nothing of ours but the channels: above all not the state dir's fd, whose
                 * flock is the container's lock. */
                const int keep[] = { x.child_channel, x.console_fd, x.stub_fd, c->pidfd, root_fd, proc_fd };
                if (close_all_fds(3 + (int) o->preserve_fds, keep, ELEMENTSOF(keep)) < 0)
                        _exit(127);
                ExecChild child = {
                        .config = config,
                        .process = &config->process,
                        .init_pidfd = c->pidfd,
                        .ns_flags = ns_flags,
                        .root_fd = root_fd,
                        .channel = x.child_channel,
                        .console_fd = x.console_fd,
                        .stub_fd = x.stub_fd,
                        .proc_fd = proc_fd,
                        .preserve_fds = o->preserve_fds,
                };
                exec_child_main(&child);
        }
        x.child_channel = safe_close(x.child_channel);
        x.console_fd = safe_close(x.console_fd);
        x.stub_fd = safe_close(x.stub_fd);
        x.pidfd = pidfd_open(x.pid, 0);
        if (x.pidfd < 0)
                return errmsg(ret_error, -errno, "pidfd_open");

        if ((r = wait_ready(x.channel, ret_error)) < 0)
                return r;
        if (c->cgroup && (r = cgroup_enter(c->cgroup, x.pid, o->cgroup, ret_error)) < 0)
                return r;
        char go = EXEC_CHILD_GO;
        if (write(x.channel, &go, 1) != 1)
                return errmsg(ret_error, -errno, "tell the new process to go on");
        /* Placed into a frozen cgroup, it goes on once the container is resumed: a paused
         * container's exec (--ignore-paused) returns then, and does not wait for the outcome. */
        bool paused = c->status == STATUS_PAUSED;
        /* Resuming takes the container's lock: let go of it while we wait for that. */
        if (paused)
                (void) flock(c->dir->dir_fd, LOCK_UN);
        if ((ns_flags & CLONE_NEWPID) && (r = take_grandchild(&x, paused ? -1 : EXEC_SETUP_TIMEOUT_MS, ret_error)) < 0)
                return r;
        if (config->seccomp && config->seccomp->has_notify &&
            (r = seccomp_hand_over(c, &x, config->seccomp, paused ? -1 : EXEC_SETUP_TIMEOUT_MS, ret_error)) < 0)
                return r;
        if (!paused && (r = exec_report_read(x.channel, EXEC_SETUP_TIMEOUT_MS, ret_error)) < 0)
                return r;
        if (o->pid_file && (r = container_write_pid_file(o->pid_file, x.pid)) < 0)
                return errmsg(ret_error, r, "write pid file %s", o->pid_file);

        *ret_pid = x.pid;
        x.pid = 0;
        if (ret_pidfd)
                *ret_pidfd = TAKE_FD(x.pidfd);
        return 0;
}
