/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ordered steps between fork and execve. Each step returns -errno and a message; the
 * first failure is sent to the parent and ends the init. */

#include <fcntl.h>
#include <inttypes.h>
#include <grp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errmsg.h"
#include "fd-util.h"
#include "lsm-util.h"
#include "strv.h"
#include "console.h"
#include "exec-fifo.h"
#include "start-fds.h"
#include "hooks.h"
#include "mount-opts.h"
#include "init.h"
#include "lsm.h"
#include "notify.h"
#include "oci-config.h"
#include "process.h"
#include "process-defaults.h"
#include "rootfs.h"
#include "seccomp-filter.h"
#include "sync.h"
#include "sysctl.h"

typedef struct Init {
        int sync_fd;
        int log_fd;
        InitParams params;
        OciConfig *config;
        char *home_env; /* "HOME=..." when the config sets none */
        SeccompPlan seccomp;
        int *mount_fds; /* per config mount: create's clone of its bind source, or -1 */
        int notify_dir_fd; /* create's clone of notify_dir, or -1 */
        LsmExecLabel label; /* the process's AppArmor profile or SELinux context, for its exec */
} Init;

_noreturn_ static void init_fail(Init *in, int r, const char *msg) {
        /* The log pipe carries the precise error, the sync socket says "stop". If the parent is
         * gone, both writes fail and there is nobody left to tell. */
        if (r >= 0)
                r = -EIO;
        (void) sync_log_send(in->log_fd, "error", -r, msg ? msg : strerror(-r));
        (void) sync_send_error(in->sync_fd, -r, msg ? msg : strerror(-r));
        _exit(EXIT_FAILURE);
}

/* For a failed call: "<what>: <strerror(-r)>". */
_noreturn_ static void init_fail_errno(Init *in, int r, const char *what) {
        _cleanup_free_ char *msg = NULL;
        (void) errmsg(&msg, r, "%s", what);
        init_fail(in, r, msg ?: what);
}

static void init_debug(Init *in, const char *msg) {
        (void) sync_log_send(in->log_fd, "debug", 0, msg);
}

static int join_namespaces(const OciConfig *c, char **ret_error) {
        /* Join before creating: a new namespace then belongs where the joined ones say. The
         * user namespace goes first, as it decides what the others may do. PID namespaces
         * (and their children) were handled by the parent before fork. */
        static const NamespaceType order[] = {
                NAMESPACE_USER, NAMESPACE_IPC, NAMESPACE_UTS, NAMESPACE_NETWORK,
                NAMESPACE_CGROUP, NAMESPACE_MOUNT,
        };
        const OciNamespace *user = oci_config_find_namespace(c, NAMESPACE_USER);
        bool new_user = user && !user->path;
        for (size_t i = 0; i < ELEMENTSOF(order); i++) {
                const OciNamespace *ns = oci_config_find_namespace(c, order[i]);
                if (!ns || !ns->path)
                        continue;
                /* With a new user namespace, the parent joined these before it made it
                 * (namespaces.c); the mount namespace is ours to join from inside. */
                if (new_user && ns->type != NAMESPACE_MOUNT)
                        continue;
                _cleanup_close_ int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return errmsg(ret_error, -errno, "open %s namespace %s",
                                      namespace_type_to_string(ns->type), ns->path);
                /* The parent's helper put us into a joined user namespace already (see
                 * namespaces.c), and the kernel refuses to re-enter the current one. */
                struct stat a, b;
                if (ns->type == NAMESPACE_USER && fstat(fd, &a) >= 0 && stat("/proc/self/ns/user", &b) >= 0 &&
                    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
                        continue;
                if (setns(fd, namespace_type_to_clone_flag(ns->type)) < 0) {
                        if (errno == EINVAL)
                                return errmsg_plain(ret_error, -EINVAL, "join %s namespace %s: not a %s namespace",
                                                    namespace_type_to_string(ns->type), ns->path,
                                                    namespace_type_to_string(ns->type));
                        return errmsg(ret_error, -errno, "join %s namespace %s",
                                      namespace_type_to_string(ns->type), ns->path);
                }
        }
        return 0;
}

/* Born into a new user namespace (or moved into a joined one), we still are the host's uid 0,
 * which it does not map: become its root, so that what we create is owned as the maps say
 * (and the kernel lets us create it at all: EOVERFLOW otherwise). The parent wrote the maps
 * before sending our document. */
static int become_userns_root(const OciConfig *c, char **ret_error) {
        if (!oci_config_find_namespace(c, NAMESPACE_USER))
                return 0;
        if (setresgid(0, 0, 0) < 0)
                return errmsg(ret_error, -errno, "setresgid(0) in the user namespace (is gid 0 mapped?)");
        /* The host's groups (unmapped, but still checked on files) go too; where setgroups is
         * denied (issue 7), there is nothing we could do about them. */
        if (setgroups(0, NULL) < 0 && errno != EPERM)
                return errmsg(ret_error, -errno, "setgroups in the user namespace");
        if (setresuid(0, 0, 0) < 0)
                return errmsg(ret_error, -errno, "setresuid(0) in the user namespace (is uid 0 mapped?)");
        return 0;
}

static int unshare_namespaces(const OciConfig *c, char **ret_error) {
        int flags = 0;
        for (size_t i = 0; i < c->n_namespaces; i++) {
                NamespaceType t = c->namespaces[i].type;
                if (c->namespaces[i].path || t == NAMESPACE_PID || t == NAMESPACE_TIME || t == NAMESPACE_USER)
                        continue;
                flags |= namespace_type_to_clone_flag(t);
        }
        if (flags != 0 && unshare(flags) < 0)
                return errmsg(ret_error, -errno, "unshare namespaces (flags 0x%x)", (unsigned) flags);
        return 0;
}

/* A new network namespace has nothing but a loopback device, down: bring it up, as runc
 * does, so that 127.0.0.1 works (a rootless container has no other network at all). */
static int loopback_up_if_new_netns(const OciConfig *c, char **ret_error) {
        const OciNamespace *net = oci_config_find_namespace(c, NAMESPACE_NETWORK);
        if (!net || net->path)
                return 0;
        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return errmsg(ret_error, -errno, "linux.namespaces: bring up lo in the new network namespace: socket");
        struct ifreq ifr = {};
        strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return errmsg(ret_error, -errno, "linux.namespaces: get the flags of lo in the new network namespace");
        if (ifr.ifr_flags & IFF_UP)
                return 0;
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                return errmsg(ret_error, -errno, "linux.namespaces: bring up lo in the new network namespace");
        return 0;
}

static void seccomp_debug(void *userdata, const char *msg) {
        init_debug(userdata, msg);
}

/* Right before the switch of root, the mounts made (runtime-spec runtime.md, create steps 5-6,
 * as runc does it): prestart and createRuntime run in the runtime's namespaces, so the parent
 * runs them (procHooks, then procResume or procError); then createContainer runs here, in the
 * container's namespaces, where the host's paths still resolve as the spec requires. */
static int hooks_before_switch(void *userdata, char **ret_error) {
        Init *in = userdata;
        const OciHooks *h = &in->config->hooks;
        if (h->n_hooks[HOOK_PRESTART] + h->n_hooks[HOOK_CREATE_RUNTIME] > 0) {
                SyncType t;
                if (sync_send(in->sync_fd, SYNC_PROC_HOOKS) < 0 || sync_recv(in->sync_fd, &t, NULL, NULL) < 0 ||
                    t != SYNC_PROC_RESUME)
                        _exit(EXIT_FAILURE); /* a hook failed, and the parent reports it itself */
        }
        return hooks_run(h, HOOK_CREATE_CONTAINER, in->params.hook_state_creating, ret_error);
}

_noreturn_ static void die_on_signal(int sig) {
        _exit(128 + sig);
}

/* While it waits on the FIFO, the init is PID 1 of its namespace with default dispositions,
 * and the kernel drops signals from outside the namespace that PID 1 does not handle: `kill`
 * of a created container would do nothing but SIGKILL. So the signals that would end a normal
 * process end it here too, until the FIFO opens; then the defaults come back for the user's
 * process. Signals ignored by default stay ignored. */
static void exit_on_signals(bool on) {
        static const int ignored[] = { SIGKILL, SIGSTOP, SIGCHLD, SIGCONT, SIGURG, SIGWINCH };
        for (int sig = 1; sig < SIGRTMIN; sig++) {
                bool skip = false;
                for (size_t i = 0; i < ELEMENTSOF(ignored); i++)
                        skip = skip || ignored[i] == sig;
                if (!skip)
                        (void) signal(sig, on ? die_on_signal : SIG_DFL);
        }
}

/* The audit login uid of the container's process (PAM sessions: the account's). Through the
 * container's own /proc, which rootfs setup checked is a procfs. */
static int set_login_uid(int64_t uid, char **ret_error) {
        _cleanup_close_ int fd = open("/proc/self/loginuid", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%" PRId64, uid);
        if (fd < 0 || write(fd, buf, (size_t) n) != n)
                return errmsg(ret_error, -errno, "set the audit login uid to %" PRId64 " (/proc/self/loginuid)", uid);
        return 0;
}

/* The bind sources create opened for us (see there): one per bind mount, in order. */
static void init_receive_mount_fds(Init *in) {
        const OciConfig *c = in->config;
        size_t n = 0;
        for (size_t i = 0; i < c->n_mounts; i++)
                n += mount_is_bind(c->mounts[i].type, c->mounts[i].options);
        if (n != in->params.n_mount_fds)
                init_fail(in, -EBADMSG, "receive the bind sources: not one for each bind mount");
        in->mount_fds = malloc(c->n_mounts * sizeof(int));
        if (!in->mount_fds)
                init_fail_errno(in, -ENOMEM, "receive the bind sources");
        for (size_t i = 0; i < c->n_mounts; i++)
                in->mount_fds[i] = -EBADF;
        for (size_t i = 0; i < c->n_mounts; i++) {
                if (!mount_is_bind(c->mounts[i].type, c->mounts[i].options))
                        continue;
                int r = recv_fd(in->sync_fd, in->mount_fds + i);
                if (r < 0)
                        init_fail_errno(in, r, "receive the bind sources from create");
        }
}

/* Phase 1: the document (and, for an init dumpable until then, its channels), parsed. */
static void init_receive(Init *in, bool dumpable_until_document) {
        _cleanup_free_ char *error = NULL, *config_json = NULL;
        int r;

        /* Not dumpable while we hold host fds and run the host's binary: other processes in
         * the container (a joined PID namespace) cannot ptrace us nor open /proc/<us>/exe,
         * fd/ or environ (the CVE-2019-5736 class). execve() of the user's process resets it. */
        if (!dumpable_until_document && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                init_fail_errno(in, -errno, "prctl(PR_SET_DUMPABLE)");
        /* In parentheses, as systemd names its own helpers ("(sd-pam)"): under ctr@.service we
         * wait in the unit's cgroup while ExecStart= begins, and systemd takes any other
         * process found there for a left-over of an earlier run (docs/systemd.md). */
        (void) prctl(PR_SET_NAME, "(ctr-init)", 0, 0, 0);

        r = sync_recv_init(in->sync_fd, &in->params, &config_json);
        if (r == -EPIPE)
                _exit(EXIT_FAILURE); /* the parent went away before telling us anything */
        if (r < 0)
                init_fail_errno(in, r, "receive the init document");
        /* An unprivileged parent (or its newuidmap) could write our maps only while /proc/<us>
         * was still owned by its uid; they are written before the document comes. Until now we
         * ran nothing but our own code and held no channel but the sync socket: a process of
         * the same uid (another of the user's sandboxes, say) could ptrace us meanwhile. */
        if (dumpable_until_document) {
                if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                        init_fail_errno(in, -errno, "prctl(PR_SET_DUMPABLE)");
                /* Only now our channels, in the order create sends them (see there); the
                 * numbers in the document were create's. */
                int *fds[] = { &in->log_fd, &in->params.fifo_fd, &in->params.start_fds_fd, &in->params.console_fd,
                               &in->params.exec_stub_fd };
                for (size_t i = 0; i < ELEMENTSOF(fds); i++) {
                        if (i > 2 && *fds[i] < 0)
                                continue;
                        if ((r = recv_fd(in->sync_fd, fds[i])) < 0)
                                init_fail_errno(in, r, "receive our channels from create");
                }
        }
        r = oci_config_parse(config_json, strlen(config_json), &in->config, &error);
        if (r < 0)
                init_fail(in, r, error);
        if (in->params.n_mount_fds > 0)
                init_receive_mount_fds(in);
        if (in->params.notify_dir_fd && (r = recv_fd(in->sync_fd, &in->notify_dir_fd)) < 0)
                init_fail_errno(in, r, "receive the notify directory from create");
}

/* Phase 2: the container around us, up to the host side's turn: namespaces, names, the root,
 * sysctls, the console, the process's limits. */
static void init_build(Init *in) {
        const OciConfig *c = in->config;
        const InitParams *p = &in->params;
        _cleanup_free_ char *error = NULL;
        int r;

        if ((r = process_apply_cpu_affinity(&c->process, false, &error)) < 0)
                init_fail(in, r, error);

        /* The attr file of the LSM label, through the host's /proc, before any mount of the
         * container's could stand in its place (lsm.h). */
        if (lsm_exec_label_wanted(&c->process)) {
                _cleanup_close_ int proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (proc_fd < 0)
                        init_fail_errno(in, -errno, "open /proc for the process's LSM label");
                if ((r = lsm_exec_label_open(proc_fd, &c->process, &in->label, &error)) < 0)
                        init_fail(in, r, error);
        }

        /* Relative bind sources are relative to the bundle. */
        if (chdir(p->bundle) < 0) {
                r = errmsg(&error, -errno, "chdir to bundle %s", p->bundle);
                init_fail(in, r, error);
        }

        /* The parent placed us in our cgroups before sending the document: what they are on
         * the host is readable only until a cgroup namespace hides it. */
        _cleanup_free_ char *own_cgroups = NULL;
        if ((r = read_file_at(AT_FDCWD, "/proc/self/cgroup", 1U << 16, &own_cgroups, NULL)) < 0)
                init_fail_errno(in, r, "read /proc/self/cgroup");
        if ((r = join_namespaces(c, &error)) < 0 || (r = become_userns_root(c, &error)) < 0 ||
            (r = unshare_namespaces(c, &error)) < 0 || (r = loopback_up_if_new_netns(c, &error)) < 0)
                init_fail(in, r, error);
        init_debug(in, "namespaces ready");

        if (c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0) {
                r = errmsg(&error, -errno, "set hostname to \"%s\"", c->hostname);
                init_fail(in, r, error);
        }
        if (c->domainname && setdomainname(c->domainname, strlen(c->domainname)) < 0) {
                r = errmsg(&error, -errno, "set domainname to \"%s\"", c->domainname);
                init_fail(in, r, error);
        }

        /* "container" readiness: the directory where `start` binds the socket the container's
         * sd_notify() reaches, as one more bind mount of the config's kind. Read-only: the
         * directory is the host's (<state>/notify), which the container must not fill nor
         * grow a tree in that delete would have to remove; connect() to a socket works on a
         * read-only mount. */
        char *notify_options[] = { (char *) "bind", (char *) "ro", (char *) "nosuid", (char *) "nodev",
                                   (char *) "noexec", NULL };
        const OciMount notify_mount = { .destination = (char *) NOTIFY_SOCKET_DIR, .type = (char *) "bind",
                                        .source = p->notify_dir, .options = notify_options };
        /* Asked of the host's selinuxfs before the switch of root. */
        const char *mount_label = c->mount_label && *c->mount_label && lsm_selinux_enabled() ? c->mount_label : NULL;
        RootfsOptions ro = {
                .rootfs = p->rootfs,
                .bundle = p->bundle,
                .no_pivot = p->no_pivot,
                .runtime_mount_ns = !oci_config_find_namespace(c, NAMESPACE_MOUNT),
                .new_userns = oci_config_find_namespace(c, NAMESPACE_USER) != NULL,
                .new_cgroupns = oci_config_find_namespace(c, NAMESPACE_CGROUP) != NULL &&
                                !oci_config_find_namespace(c, NAMESPACE_CGROUP)->path,
                .own_cgroups = own_cgroups,
                .mount_label = mount_label,
                .extra_mounts = &notify_mount,
                .n_extra_mounts = p->notify_dir ? 1 : 0,
                .before_switch = hooks_before_switch,
                .userdata = in,
                .mount_fds = in->mount_fds,
                .extra_mount_fds = &in->notify_dir_fd,
        };
        r = rootfs_setup(c, &ro, &error);
        if (r < 0)
                init_fail(in, r, error);
        /* The host's mounts they name stay out of the container's process. */
        for (size_t i = 0; in->mount_fds && i < c->n_mounts; i++)
                safe_close(in->mount_fds[i]);
        free(in->mount_fds);
        in->mount_fds = NULL;
        in->notify_dir_fd = safe_close(in->notify_dir_fd);
        init_debug(in, "root switched");
        /* Through the container's own /proc, before readonlyPaths close /proc/sys. A cwd the
         * image lacks is made, as runc does, before a read-only root forbids it. */
        if ((r = sysctl_apply(c, &error)) < 0 || (r = process_make_cwd(c->process.cwd, &error)) < 0)
                init_fail(in, r, error);

        if (c->process.terminal) {
                r = console_setup(p->console_fd, c->process.console_height, c->process.console_width, &error);
                if (r < 0)
                        init_fail(in, r, error);
        } else if (setsid() < 0)
                init_fail_errno(in, -errno, "setsid");
        safe_close(p->console_fd);

        if ((r = rootfs_finalize(c, mount_label, &error)) < 0 || (r = process_apply_limits(&c->process, &error)) < 0)
                init_fail(in, r, error);
}

/* linux.seccomp's SCMP_ACT_NOTIFY rules, loaded now: their listener goes to create, which hands it
 * to the seccomp agent at listenerPath (runtime-spec's seccomp-notify protocol), and the agent
 * answers them from here on. The rest of the filter waits for the exec (init_exec()). */
static void seccomp_hand_over(Init *in) {
        _cleanup_free_ char *error = NULL;
        _cleanup_close_ int listener = -EBADF;
        SyncType t;
        int r;

        /* Announced first: after the load, only what the rules do not notify is sure to run
         * (sendmsg cannot be notified: oci-config-seccomp.c). */
        if (sync_send(in->sync_fd, SYNC_PROC_SECCOMP) < 0)
                _exit(EXIT_FAILURE);
        if ((r = seccomp_program_load(&in->seccomp.notify, in->config->process.no_new_privileges, &listener, &error)) < 0)
                init_fail(in, r, error);
        if (send_fd(in->sync_fd, listener) < 0 || sync_recv(in->sync_fd, &t, NULL, NULL) < 0 || t != SYNC_PROC_SECCOMP_DONE)
                _exit(EXIT_FAILURE); /* create failed to reach the agent, and reports it itself */
}

/* Phase 3, after the host side's turn: the process as it will run, still able to report. */
static void init_prepare_process(Init *in) {
        const OciConfig *c = in->config;
        const InitParams *p = &in->params;
        _cleanup_free_ char *error = NULL;
        int r;

        /* In the cgroup now, still root, and before any seccomp filter could refuse these
         * (Docker's profile denies keyctl). Not the session keyring of whoever ran create (an
         * admin's keys), as for exec. */
        if ((r = process_home_env(&c->process, p->pam_env, &in->home_env)) < 0)
                init_fail_errno(in, r, "HOME");
        if ((r = process_new_session_keyring(&error)) < 0 || (r = process_apply_scheduling(&c->process, &error)) < 0 ||
            (r = process_apply_personality(&c->personality, &error)) < 0 ||
            (r = process_apply_cpu_affinity(&c->process, true, &error)) < 0)
                init_fail(in, r, error);

        /* The seccomp filter is compiled while errors still reach create, and loaded only right
         * before the exec (init_exec()): a profile need not allow anything of our setup. */
        if ((r = seccomp_plan_make(c->seccomp, &c->process, p->exec_stub_fd >= 0, seccomp_debug, in, &in->seccomp,
                                   &error)) < 0)
                init_fail(in, r, error);

        /* Still with CAP_AUDIT_CONTROL, which the user switch may drop. */
        if (p->login_uid >= 0 && (r = set_login_uid(p->login_uid, &error)) < 0)
                init_fail(in, r, error);
        if ((r = process_apply_identity(&c->process, in->seccomp.keep_caps, &error)) < 0 ||
            (r = process_keep_fds(p->preserve_fds + p->listen_fds, &error)) < 0 || (r = process_reset_signals(&error)) < 0)
                init_fail(in, r, error);

        /* The FIFO is only reachable through /proc/self/fd now: make sure it is, while we
         * can still report. */
        char fifo_path[64];
        struct stat st;
        snprintf(fifo_path, sizeof(fifo_path), "/proc/self/fd/%d", p->fifo_fd);
        if (stat(fifo_path, &st) < 0 || !S_ISFIFO(st.st_mode)) {
                r = errmsg(&error, -errno, "reach exec.fifo through %s (is /proc mounted?)", fifo_path);
                init_fail(in, r, error);
        }

        if (in->seccomp.notify.n_insns > 0)
                seccomp_hand_over(in);
}

/* Phase 4, once start opened exec.fifo: the user's process, or an error for start to read on
 * the FIFO (wfd). */
_noreturn_ static void init_exec(Init *in, int wfd) {
        const OciConfig *c = in->config;
        InitParams *p = &in->params;
        _cleanup_free_ char *error = NULL;
        int r;

        /* startContainer: in the container, as its user, after start, before the user's
         * process; a failure reaches start like an exec error. */
        if ((r = hooks_run(&c->hooks, HOOK_START_CONTAINER, p->hook_state_created, &error)) < 0) {
                (void) write_all(wfd, error, strlen(error));
                _exit(127);
        }

        _cleanup_free_ char *path = NULL;
        r = process_find_executable(&c->process, &path, &error);
        if (r < 0) {
                (void) write_all(wfd, error, strlen(error));
                _exit(127);
        }

        /* Socket activation through start (start-fds.h): the fds it was given, at 3.. */
        _cleanup_free_ int *start_fds = NULL;
        _cleanup_free_ char *start_names = NULL;
        _cleanup_free_ char *start_warning = NULL;
        size_t n_start_fds = 0;
        r = start_fds_receive(p->start_fds_fd, &start_fds, &n_start_fds, &start_names, &start_warning, &error);
        p->start_fds_fd = safe_close(p->start_fds_fd);
        /* No channel to create or start is left for a warning: the container's stderr is the
         * unit's journal, where the rest of its start is. */
        if (start_warning)
                dprintf(STDERR_FILENO, "ctr-launch: %s\n", start_warning);
        if (r >= 0 && n_start_fds > 0 && p->preserve_fds + p->listen_fds > 0)
                r = errmsg_plain(&error, -EBUSY, "start was given %zu fds to pass on (LISTEN_FDS), and create already "
                                 "passed %u (--preserve-fds, LISTEN_FDS): the container can take one set only",
                                 n_start_fds, p->preserve_fds + p->listen_fds);
        if (r >= 0 && n_start_fds > 0) {
                int *keep[] = { &wfd, &p->exec_stub_fd, &in->label.attr_fd };
                r = start_fds_place(start_fds, n_start_fds, keep, ELEMENTSOF(keep), &error);
        }
        if (r < 0) {
                (void) write_all(wfd, error, strlen(error));
                _exit(127);
        }

        _cleanup_strv_free_ char **extra_env = NULL;
        unsigned n_listen = n_start_fds > 0 ? (unsigned) n_start_fds : p->listen_fds;
        const char *listen_names = n_start_fds > 0 ? start_names : p->listen_fdnames;
        if (n_listen > 0) {
                char *e = NULL;
                char *pid = NULL;
                /* Our PID is the user's process's: 1 in a new PID namespace, else the host's. */
                if (asprintf(&e, "LISTEN_FDS=%u", n_listen) < 0 || strv_consume(&extra_env, e) < 0 ||
                    asprintf(&pid, "LISTEN_PID=%d", (int) getpid()) < 0 || strv_consume(&extra_env, pid) < 0)
                        _exit(127);
                if (listen_names && (asprintf(&e, "LISTEN_FDNAMES=%s", listen_names) < 0 || strv_consume(&extra_env, e) < 0))
                        _exit(127);
        }

        if (p->notify_dir && strv_extend(&extra_env, "NOTIFY_SOCKET=" NOTIFY_SOCKET_DIR "/" NOTIFY_SOCKET_NAME) < 0)
                _exit(127);
        if (in->home_env && strv_extend(&extra_env, in->home_env) < 0)
                _exit(127);
        /* The PAM session's environment, minus what process.env sets (create merged it). */
        for (char **e = p->pam_env; e && *e; e++)
                if (strv_extend(&extra_env, *e) < 0)
                        _exit(127);

        /* Everything made ready, then the filter, then nothing but execve(): loaded here, or by
         * the exec stub right before its own exec (seccomp-filter.h). */
        (void) process_exec_filtered(&c->process, path, extra_env, p->exec_stub_fd, wfd, &in->seccomp, &in->label, &error);
        (void) write_all(wfd, error ?: "exec failed", strlen(error ?: "exec failed"));
        _exit(127);
}

_noreturn_ void init_main(int sync_fd, int log_fd, bool dumpable_until_document) {
        Init in = { .sync_fd = sync_fd, .log_fd = log_fd, .notify_dir_fd = -EBADF, .label = LSM_EXEC_LABEL_NULL };

        init_receive(&in, dumpable_until_document);
        init_build(&in);

        /* The host side's turn: cgroups and anything else that needs our host PID. */
        SyncType t;
        if (sync_send(sync_fd, SYNC_PROC_READY) < 0 || sync_recv(sync_fd, &t, NULL, NULL) < 0 || t != SYNC_PROC_RUN)
                _exit(EXIT_FAILURE); /* the parent failed, and reports it itself */

        init_prepare_process(&in);

        /* Built. Closing both channels tells create that we are about to block on the FIFO. */
        safe_close(sync_fd);
        safe_close(in.log_fd);

        int wfd;
        exit_on_signals(true);
        int r = exec_fifo_signal(in.params.fifo_fd, &wfd);
        exit_on_signals(false);
        if (r < 0)
                _exit(EXIT_FAILURE); /* start went away; it reports that itself */
        safe_close(in.params.fifo_fd);

        init_exec(&in, wfd);
}
