/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* create, seen from the host, in phases over one CreateContext: load and check the config,
 * make the state dir, open the PAM session, open the init's channels, fork the init, drive it
 * until it blocks on exec.fifo, record the result. Whatever a phase acquired is in the
 * context, and one undo path releases it on any failure: no state dir, no process, no cgroup,
 * no PAM session left behind. */

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "errmsg.h"
#include "lsm-util.h"
#include "fd-util.h"
#include "parse-util.h"
#include "proc-util.h"
#include "strv.h"
#include "bundle-check.h"
#include "console.h"
#include "container-internal.h"
#include "exec-fifo.h"
#include "start-fds.h"
#include "host-mounts.h"
#include "init.h"
#include "init-drive.h"
#include "log.h"
#include "mount-opts.h"
#include "namespaces.h"
#include "notify.h"
#include "oci-config.h"
#include "pam-session.h"
#include "rootless.h"
#include "sealed-binary.h"
#include "sync.h"

typedef struct CreateContext {
        const RuntimeOptions *runtime;
        const CreateOptions *options;

        /* create_load_config(): nothing exists yet */
        unsigned listen_fds;
        const char *listen_fdnames; /* LISTEN_FDNAMES of those, or NULL (the environment's) */
        char *bundle;           /* absolute */
        OciConfig *config;
        char *config_json;      /* as the init receives it */
        const char *pam_user;   /* into config->annotations; NULL: no PAM session */
        Cgroup *cgroup;         /* resolved and checked; moves into container */
        char *rootfs;           /* absolute */
        char *host_mounts_kept; /* no mount namespace: the mounts below rootfs before ours */

        /* create_make_state(): from here on, a failure is undone */
        Container *container;   /* its state dir (locked), state.json, recorded cgroup */
        char *notify_dir;       /* "container" readiness: where start binds its socket */

        /* create_begin_pam() */
        PamSession *pam;
        char **pam_env;         /* what the session adds to the container's environment */

        /* create_open_channels(): what the init gets */
        int fifo_fd, console_fd, stub_fd, start_fds_fd;
        int sync_parent, sync_child, log_parent, log_child;
        int *mount_fds;         /* the bind sources, for a new user namespace (see there) */
        size_t n_mount_fds;
        int notify_dir_fd;      /* notify_dir's, likewise */

        /* create_fork_init() */
        bool dumpable_init;     /* gets its channels only once it has its document */
        pid_t pid;
        char *hook_state_creating, *hook_state_created;
        /* The init's document: its fd numbers are those the init inherits (create's copies
         * may be closed by the time it is sent); it points into the context, owns nothing. */
        InitParams params;
} CreateContext;

static void create_context_init(CreateContext *x, const RuntimeOptions *g, const CreateOptions *o) {
        *x = (CreateContext) {
                .runtime = g,
                .options = o,
                .fifo_fd = -EBADF,
                .start_fds_fd = -EBADF,
                .console_fd = -EBADF,
                .stub_fd = -EBADF,
                .sync_parent = -EBADF,
                .sync_child = -EBADF,
                .log_parent = -EBADF,
                .log_child = -EBADF,
                .notify_dir_fd = -EBADF,
        };
}

static void kill_and_reap(pid_t pid, int pidfd) {
        if (pid <= 0)
                return;
        if (pidfd >= 0)
                (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
        else
                (void) kill(pid, SIGKILL);
        /* Within a deadline: a task some freezer still holds keeps SIGKILL pending. */
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        while (pidfd >= 0 && poll(&p, 1, DESTROY_TIMEOUT_MS) < 0 && errno == EINTR)
                ;
        while (waitpid(pid, NULL, pidfd >= 0 ? WNOHANG : 0) < 0 && errno == EINTR)
                ;
}

/* Undoes, in reverse, what a failed create made on the system: the init, the PAM session, the
 * cgroup, the state dir; then poststop. Nothing when no state dir was made (nothing was). */
static void create_context_undo(CreateContext *x) {
        Container *c = x->container;
        if (!c)
                return;
        /* An init frozen under us (someone else's freezer) would not die. */
        if (c->cgroup && c->cgroup->attached)
                cgroup_thaw_for_kill(c->cgroup, c->pidfd);
        kill_and_reap(x->pid, c->pidfd);
        /* Not before the snapshot of what was there already: nothing of ours is there yet. */
        if (!oci_config_find_namespace(x->config, NAMESPACE_MOUNT) && x->rootfs && x->host_mounts_kept) {
                _cleanup_free_ char *error = NULL;
                if (host_mounts_release(x->rootfs, x->host_mounts_kept, &error) < 0)
                        log_warning("%s", error);
        }
        /* The init is gone: the holder closes the session, and we wait until it has. */
        x->pam = pam_session_abort(x->pam);
        /* Under a service an attached holder leaves the close to `delete` once the init is
         * gone, but the state that would tell delete about it goes below: close it here. */
        (void) container_close_pam_leftover(c->dir->dir_fd, x->config->annotations, NULL);
        if (c->cgroup) {
                _cleanup_free_ char *error = NULL;
                if (cgroup_destroy(c->cgroup, DESTROY_TIMEOUT_MS, &error) < 0)
                        log_warning("remove the container's cgroup: %s", error ?: "failed");
        }
        (void) state_dir_remove(c->dir);
        /* runtime.md: a create that fails once the init exists (a failing prestart,
         * createRuntime or createContainer hook, say) goes on to destroy, then poststop. */
        if (x->pid > 0)
                container_run_hooks_warn(&x->config->hooks, HOOK_POSTSTOP, &c->state, STATUS_STOPPED);
}

/* The one way out of create: whatever is still in the context failed to be handed on, so the
 * system is undone first, then the memory and fds are released. */
static void create_context_done(CreateContext *x) {
        create_context_undo(x);
        x->container = container_free(x->container);
        x->pam = pam_session_free(x->pam);
        x->pam_env = strv_free(x->pam_env);
        x->fifo_fd = safe_close(x->fifo_fd);
        x->start_fds_fd = safe_close(x->start_fds_fd);
        x->console_fd = safe_close(x->console_fd);
        x->stub_fd = safe_close(x->stub_fd);
        x->sync_parent = safe_close(x->sync_parent);
        x->sync_child = safe_close(x->sync_child);
        x->log_parent = safe_close(x->log_parent);
        x->log_child = safe_close(x->log_child);
        for (size_t i = 0; i < x->n_mount_fds; i++)
                safe_close(x->mount_fds[i]);
        free(x->mount_fds);
        x->notify_dir_fd = safe_close(x->notify_dir_fd);
        x->cgroup = cgroup_free(x->cgroup);
        x->config = oci_config_free(x->config);
        free(x->config_json);
        free(x->bundle);
        free(x->rootfs);
        free(x->host_mounts_kept);
        free(x->notify_dir);
        free(x->hook_state_creating);
        free(x->hook_state_created);
}

/* ---- phase 1: the config, checked before anything exists ---- */

/* What the config asks that this version cannot do yet, or that makes no sense. */
static int check_config(const OciConfig *config, const CreateOptions *o, char **ret_error) {
        /* A joined mount namespace is set up as a new one would be, pivot_root included, as
         * runc and crun do: it is the container's from now on. With none, the container shares
         * ours (see host-mounts.h): what would change the host's own mounts is refused. */
        const OciNamespace *mnt = oci_config_find_namespace(config, NAMESPACE_MOUNT);
        if (!mnt && ((config->masked_paths && config->masked_paths[0]) ||
                     (config->readonly_paths && config->readonly_paths[0])))
                /* runc's rule and words. */
                return errmsg_plain(ret_error, -EINVAL, "linux.maskedPaths, linux.readonlyPaths: unable to restrict "
                                    "paths without a mount namespace in linux.namespaces");
        if (!mnt && config->root_readonly)
                return errmsg_plain(ret_error, -EINVAL, "root.readonly: needs a mount namespace in linux.namespaces");
        if (!mnt && config->rootfs_propagation)
                return errmsg_plain(ret_error, -EINVAL, "linux.rootfsPropagation: needs a mount namespace in linux.namespaces");
        int r = namespaces_check_config(config, ret_error);
        if (r < 0)
                return r;
        /* Before anything exists: the write at exec would fail with ENOENT, after the unit's
         * create had succeeded. Unreadable list (securityfs not mounted): the kernel judges. */
        const char *profile = config->process.apparmor_profile;
        if (profile && *profile && lsm_apparmor_profile_loaded(profile) == 0)
                return errmsg_plain(ret_error, -ENOENT, "process.apparmorProfile: profile \"%s\" is not loaded "
                                    "(apparmor_parser -r loads it)", profile);
        /* The same for SELinux: the stub's write, or the mount's context=, would fail after create. */
        const struct {
                const char *label, *field;
        } contexts[] = {
                { config->process.selinux_label, "process.selinuxLabel" },
                { config->mount_label, "linux.mountLabel" },
        };
        for (size_t i = 0; i < ELEMENTSOF(contexts) && lsm_selinux_enabled(); i++)
                if (contexts[i].label && *contexts[i].label && lsm_selinux_context_valid(contexts[i].label) == 0)
                        return errmsg_plain(ret_error, -EINVAL, "%s: \"%s\" is not a context of the loaded "
                                            "SELinux policy", contexts[i].field, contexts[i].label);
        if ((r = rootless_check_config(config, ret_error)) < 0)
                return r;
        /* As runc and crun: in a joined uts namespace too (it keeps the name), never the host's. */
        const OciNamespace *uts = oci_config_find_namespace(config, NAMESPACE_UTS);
        if (config->hostname && !uts)
                return errmsg_plain(ret_error, -EINVAL, "hostname: needs a uts namespace in linux.namespaces");
        if (config->domainname && !uts)
                return errmsg_plain(ret_error, -EINVAL, "domainname: needs a uts namespace in linux.namespaces");
        Readiness readiness;
        if (readiness_from_annotations(config->annotations, &readiness) < 0)
                return errmsg_plain(ret_error, -EINVAL, "annotations: %s must be \"exec\" or \"container\"",
                                    READINESS_ANNOTATION);
        /* runc's rule: a detached container (create, run -d) has nobody to relay its pty. */
        if (config->process.terminal && !o->console_socket && o->console_fd < 0)
                return errmsg_plain(ret_error, -EINVAL,
                                    "process.terminal is true and the container is detached: --console-socket is required");
        return 0;
}

int container_check_preserved_fds(unsigned n, int first_closed_fd, char **ret_error) {
        /* Anything we open could land on a closed fd of that range and leak into the
         * container: insist that the caller handed them all to us. Open now is not enough:
         * main opened --log's file before this check, in the lowest free fd. */
        for (unsigned fd = 3; fd < 3 + n; fd++)
                if ((first_closed_fd > 0 && fd >= (unsigned) first_closed_fd) || fcntl((int) fd, F_GETFD) < 0)
                        return errmsg_plain(ret_error, -EBADF, "LISTEN_FDS/--preserve-fds: fd %u is not open", fd);
        return 0;
}

/* --pid-file names a file we replace (rename() over it): anything else there (a FIFO, a
 * directory, a socket) is refused before anything exists, not found out at the end. */
int container_check_pid_file(const char *path, char **ret_error) {
        struct stat st;
        if (!path)
                return 0;
        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : errmsg(ret_error, -errno, "--pid-file %s", path);
        if (!S_ISREG(st.st_mode))
                return errmsg_plain(ret_error, -EBADFD, "--pid-file %s: %s", path, FD_NOT_REGULAR);
        return 0;
}

/* Where the container's cgroups go, checked with its resources before anything exists. NULL
 * (no cgroup) only for an unprivileged caller that asked for no limits and has no cgroup of
 * its own to write to, as runc does rootless. */
static int cgroup_prepare(const RuntimeOptions *g, const OciConfig *config, const char *id, Cgroup **ret,
                          char **ret_error) {
        _cleanup_free_ char *error = NULL;
        _cleanup_cgroup_ Cgroup *cg = NULL;
        const bool limits = config->resources && !oci_resources_is_empty(config->resources);
        *ret = NULL;
        int r = cgroup_discover(CGROUP_ROOT_DEFAULT, &cg, &error);
        if (r == -ENOMEDIUM && !limits && !g->systemd_cgroup) {
                log_debug("%s: the container gets no cgroup", error);
                return 0;
        }
        if (r >= 0)
                r = cgroup_resolve(cg, config->cgroups_path, id, g->systemd_cgroup, &error);
        if (r >= 0)
                r = cgroup_check_resources(cg, config->resources, &error);
        if (r < 0)
                return error ? errmsg_plain(ret_error, r, "%s", error) : errmsg(ret_error, r, "cgroups");
        if (limits && (r = rootless_check_cgroup_limits(cg, ret_error)) < 0)
                return r;
        if (geteuid() != 0 && !limits && !g->systemd_cgroup) {
                _cleanup_free_ char *dir = NULL;
                const CgroupHierarchy *h = cg->hierarchies;
                if (!h->path || cgroup_fs_path(h, h->own, &dir) < 0 || access(dir, W_OK) < 0) {
                        log_debug("no cgroup of ours to write to: the container gets none");
                        return 0;
                }
        }
        *ret = TAKE_PTR(cg);
        return 0;
}

static int create_load_config(CreateContext *x, char **ret_error) {
        const CreateOptions *o = x->options;
        _cleanup_free_ char *error = NULL;

        /* LISTEN_FDS come first, then --preserve-fds, as with runc: all must really be open,
         * or our own fds would land in that range and go to the container. */
        x->listen_fds = listen_fds_from_env(&x->listen_fdnames);
        int r = container_check_preserved_fds(x->listen_fds + o->preserve_fds, x->runtime->first_closed_fd, ret_error);
        if (r < 0)
                return r;
        if ((r = container_check_pid_file(o->pid_file, ret_error)) < 0)
                return r;

        x->bundle = realpath(o->bundle ?: ".", NULL);
        if (!x->bundle)
                return errmsg(ret_error, -errno, "bundle %s", o->bundle ?: ".");
        log_set_bundle(x->bundle);
        const bool system_bundle = bundle_is_system(o, x->bundle);
        if (system_bundle && (r = bundle_check_dir(o, ret_error)) < 0)
                return r;
        struct stat config_st;
        r = oci_config_load(x->bundle, &x->config, &x->config_json, &config_st, &error);
        if (r < 0)
                return errmsg_plain(ret_error, r, "config.json: %s", error ?: strerror(-r));
        OciConfig *config = x->config;
        for (char **w = config->warnings; w && *w; w++)
                log_warning("config.json: %s", *w);
        if ((r = check_config(config, o, ret_error)) < 0)
                return r;
        r = pam_user_from_annotations(config->annotations, &x->pam_user);
        if (r < 0)
                return errmsg_plain(ret_error, r, "annotations: %s: not an account name", PAM_USER_ANNOTATION);
        if (x->pam_user && (r = pam_session_check(config, x->pam_user, ret_error)) < 0)
                return r;
        if (oci_resources_allow_devices(config->resources, config->devices, config->n_devices) < 0)
                return errmsg(ret_error, -ENOMEM, "allocate");
        if ((r = cgroup_prepare(x->runtime, config, o->id, &x->cgroup, ret_error)) < 0)
                return r;

        if (config->root_path[0] == '/')
                x->rootfs = strdup(config->root_path);
        else if (asprintf(&x->rootfs, "%s/%s", x->bundle, config->root_path) < 0)
                x->rootfs = NULL;
        if (!x->rootfs)
                return errmsg(ret_error, -ENOMEM, "allocate");
        struct stat st;
        if (stat(x->rootfs, &st) < 0)
                return errmsg(ret_error, -errno, "rootfs %s", x->rootfs);
        if (!S_ISDIR(st.st_mode))
                return errmsg(ret_error, -ENOTDIR, "rootfs %s", x->rootfs);
        if (system_bundle && (r = bundle_check_contents(x->bundle, &config_st, config, x->rootfs, ret_error)) < 0)
                return r;
        return 0;
}

/* ---- phase 2: the state dir ---- */

/* cgroup.json, the freezer's file alone (what list reads), and resources.json when given (what
 * update starts from). */
static int record_cgroup(Container *c, const OciResources *res, char **ret_error) {
        _cleanup_free_ char *json = cgroup_to_json(c->cgroup);
        int r = json ? write_file_atomic_at(c->dir->dir_fd, CGROUP_FILE, json, strlen(json)) : -ENOMEM;
        if (r < 0)
                return errmsg(ret_error, r, "write %s", CGROUP_FILE);
        /* No file while the freezer's directory is not known yet (the systemd driver's, until
         * the scope exists), nor without a freezer: readers then go by cgroup.json. */
        _cleanup_free_ char *freezer = NULL, *line = NULL;
        r = cgroup_freezer_path(c->cgroup, &freezer);
        if (r == -ENOENT || r == -EOPNOTSUPP)
                r = unlinkat(c->dir->dir_fd, CGROUP_FREEZER_FILE, 0) < 0 && errno != ENOENT ? -errno : 0;
        else if (r >= 0)
                r = asprintf(&line, "%s\n", freezer) < 0 ? -ENOMEM
                                                          : write_file_atomic_at(c->dir->dir_fd, CGROUP_FREEZER_FILE, line, strlen(line));
        if (r < 0)
                return errmsg(ret_error, r, "write %s", CGROUP_FREEZER_FILE);
        if (!res)
                return 0;
        _cleanup_free_ char *rj = oci_resources_to_json(res);
        r = rj ? write_file_atomic_at(c->dir->dir_fd, RESOURCES_FILE, rj, strlen(rj)) : -ENOMEM;
        if (r < 0)
                return errmsg(ret_error, r, "write %s", RESOURCES_FILE);
        return 0;
}

static int fill_state(ContainerState *s, const CreateContext *x) {
        *s = (ContainerState) {
                .id = strdup(x->options->id),
                .bundle = strdup(x->bundle),
                .rootfs = strdup(x->rootfs),
                .created = rfc3339_now(),
                .owner = geteuid(),
                .creating = true,
        };
        if (!s->id || !s->bundle || !s->rootfs || !s->created)
                return -ENOMEM;
        /* Which run of a systemd unit made it: that run's ExecStopPost= deletes it, and only
         * it (`delete --same-invocation`). */
        const char *inv = getenv("INVOCATION_ID");
        if (inv && *inv && strlen(inv) <= 64 && !(s->invocation = strdup(inv)))
                return -ENOMEM;
        for (char **a = x->config->annotations; a && *a; a++)
                if (strv_extend(&s->annotations, *a) < 0)
                        return -ENOMEM;
        return 0;
}

static int create_make_state(CreateContext *x, char **ret_error) {
        const OciConfig *config = x->config;
        _cleanup_free_ char *root = NULL;
        int r = container_root(x->runtime, &root, ret_error);
        if (r < 0)
                return r;
        _cleanup_container_ Container *made = container_new();
        if (!made)
                return errmsg(ret_error, -ENOMEM, "allocate");
        r = state_dir_create(root, x->options->id, &made->dir);
        if (r == -EEXIST)
                return errmsg_plain(ret_error, r, "container already exists");
        if (r < 0)
                return errmsg(ret_error, r, "create state directory in %s", root);
        /* From here on, every failure is undone (create_context_undo()). */
        Container *c = x->container = TAKE_PTR(made);

        if (fill_state(&c->state, x) < 0)
                return errmsg(ret_error, -ENOMEM, "allocate");
        r = oci_state_write(c->dir->dir_fd, &c->state);
        if (r < 0)
                return errmsg(ret_error, r, "write %s", STATE_FILE);
        /* Recorded before anything is made, so that delete finds it whatever happens next. */
        c->cgroup = TAKE_PTR(x->cgroup);
        if (c->cgroup && (r = record_cgroup(c, config->resources, ret_error)) < 0)
                return r;
        /* exec runs its processes with this config's, whatever the bundle holds by then (as
         * runc keeps its own copy). */
        r = write_file_atomic_at(c->dir->dir_fd, CONFIG_FILE, x->config_json, strlen(x->config_json));
        if (r < 0)
                return errmsg(ret_error, r, "write %s", CONFIG_FILE);
        if (config->hooks.n_hooks[HOOK_POSTSTART] + config->hooks.n_hooks[HOOK_POSTSTOP] > 0) {
                /* start and delete run these as created, whatever the bundle holds by then. */
                _cleanup_free_ char *hooks_json = oci_hooks_to_json(&config->hooks);
                r = hooks_json ? write_file_atomic_at(c->dir->dir_fd, HOOKS_FILE, hooks_json, strlen(hooks_json))
                               : -ENOMEM;
                if (r < 0)
                        return errmsg(ret_error, r, "write %s", HOOKS_FILE);
        }

        /* The mounts will be made in our mount namespace: delete takes them away, and only
         * them, not those that were below the rootfs already (host-mounts.h). */
        if (!oci_config_find_namespace(config, NAMESPACE_MOUNT)) {
                if ((r = host_mounts_snapshot(x->rootfs, &x->host_mounts_kept, ret_error)) < 0)
                        return r;
                r = write_file_atomic_at(c->dir->dir_fd, HOST_MOUNTS_FILE, x->host_mounts_kept, strlen(x->host_mounts_kept));
                if (r < 0)
                        return errmsg(ret_error, r, "write %s", HOST_MOUNTS_FILE);
        }

        Readiness readiness = READINESS_EXEC;
        (void) readiness_from_annotations(config->annotations, &readiness);
        /* Where `start` binds the socket the container's sd_notify() reaches. */
        if (readiness == READINESS_CONTAINER &&
            (mkdirat(c->dir->dir_fd, NOTIFY_DIR, 0755) < 0 ||
             asprintf(&x->notify_dir, "%s/%s", c->dir->path, NOTIFY_DIR) < 0))
                return errmsg(ret_error, -errno, "make %s", NOTIFY_DIR);
        return 0;
}

/* ---- phase 3: the PAM session ---- */

/* The PAM account check and session, in a process of their own, forked before any fd meant
 * for the init exists; a refusal ends create here. */
static int create_begin_pam(CreateContext *x, char **ret_error) {
        if (!x->pam_user)
                return 0;
        int r = pam_session_begin(x->pam_user, x->options->id, x->container->dir->path, &x->pam, ret_error);
        if (r < 0)
                return r;
        r = pam_env_merge(x->config->process.env, x->pam->env, &x->pam_env);
        if (r < 0)
                return errmsg(ret_error, r, "allocate");
        return 0;
}

/* ---- phase 4: the init's channels ---- */

/* The init of a new user namespace is root only there: a bind source below a directory that
 * only the host's root may search (a volume under a 0700 /var/lib/...) is out of its reach.
 * So we open them, with our rights, before the init exists, as runc 1.1 does (its mountFds):
 * each source as a detached clone (open_tree(2), "rbind" recursive), which the init then
 * attaches with move_mount(2): an O_PATH fd of our mount namespace would not do, the kernel
 * binds only from mounts of the caller's own. Symlinks in the source are followed, as runc
 * does; relative sources start at the bundle. The clones are made slaves (private for a
 * private rootfsPropagation), as the init's own binds of the host's shared mounts would be:
 * what the container mounts below one never reaches the host. Without the rights (an
 * unprivileged caller: EPERM) or the syscalls, the init opens them itself, as before. */
static int clone_bind_source(int dir_fd, const char *source, bool recursive, unsigned long propagation, int *ret_fd) {
        _cleanup_close_ int fd = open_tree(dir_fd, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
        if (fd < 0)
                return -errno;
        struct mount_attr attr = { .propagation = propagation };
        if (mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr)) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int create_open_mount_sources(CreateContext *x, char **ret_error) {
        const OciConfig *c = x->config;
        const OciNamespace *user = oci_config_find_namespace(c, NAMESPACE_USER);
        const OciNamespace *mnt = oci_config_find_namespace(c, NAMESPACE_MOUNT);
        int r;
        if (!user || user->path || !mnt || mnt->path)
                return 0;
        size_t n = 0;
        for (size_t i = 0; i < c->n_mounts; i++)
                n += mount_is_bind(c->mounts[i].type, c->mounts[i].options);
        _cleanup_close_ int bundle_fd = open(x->bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (bundle_fd < 0)
                return errmsg(ret_error, -errno, "open the bundle %s", x->bundle);
        x->mount_fds = calloc(n + 1, sizeof(int));
        if (!x->mount_fds)
                return errmsg(ret_error, -ENOMEM, "allocate");
        unsigned long propagation = MS_SLAVE;
        if (c->rootfs_propagation && (strcmp(c->rootfs_propagation, "private") == 0 ||
                                      strcmp(c->rootfs_propagation, "rprivate") == 0))
                propagation = MS_PRIVATE;
        for (size_t i = 0; i < c->n_mounts; i++) {
                const OciMount *m = c->mounts + i;
                if (!mount_is_bind(m->type, m->options))
                        continue;
                if (!m->source)
                        return errmsg_plain(ret_error, -EINVAL, "bind mount on %s: no source", m->destination);
                r = clone_bind_source(bundle_fd, m->source, strv_contains(m->options, "rbind"), propagation,
                                      x->mount_fds + x->n_mount_fds);
                if ((r == -EPERM || r == -ENOSYS) && x->n_mount_fds == 0)
                        return 0; /* the init opens them */
                if (r < 0)
                        return errmsg(ret_error, r, "bind %s on %s: open the source", m->source, m->destination);
                x->n_mount_fds++;
        }
        /* The notify socket's directory is in the state dir, which is root's alone (0700). */
        if (x->notify_dir) {
                r = clone_bind_source(AT_FDCWD, x->notify_dir, false, propagation, &x->notify_dir_fd);
                if ((r == -EPERM || r == -ENOSYS) && x->n_mount_fds == 0)
                        return 0;
                if (r < 0)
                        return errmsg(ret_error, r, "open %s", x->notify_dir);
        }
        return 0;
}

static int create_open_channels(CreateContext *x, char **ret_error) {
        int r = exec_fifo_make(x->container->dir->dir_fd, &x->fifo_fd);
        if (r < 0)
                return errmsg(ret_error, r, "make %s", EXEC_FIFO);
        r = start_fds_listen(x->container->dir->dir_fd, &x->start_fds_fd);
        if (r < 0)
                return errmsg(ret_error, r, "make %s", START_FDS_SOCKET);
        if (x->config->process.terminal && x->options->console_fd >= 0) {
                x->console_fd = fcntl(x->options->console_fd, F_DUPFD_CLOEXEC, 3);
                if (x->console_fd < 0)
                        return errmsg(ret_error, -errno, "duplicate the console channel");
        } else if (x->config->process.terminal) {
                r = console_socket_connect(x->options->console_socket, &x->console_fd);
                if (r < 0)
                        return errmsg(ret_error, r, "connect to console socket %s", x->options->console_socket);
        }
        r = exec_stub_open(&x->stub_fd);
        if (r < 0 && r != -EOPNOTSUPP)
                return errmsg(ret_error, r, "make the sealed exec stub");

        int pipefd[2], sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return errmsg(ret_error, -errno, "make the sync channels");
        x->sync_parent = sv[0];
        x->sync_child = sv[1];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return errmsg(ret_error, -errno, "make the sync channels");
        x->log_parent = pipefd[0];
        x->log_child = pipefd[1];
        return create_open_mount_sources(x, ret_error);
}

/* ---- phase 5: the init ---- */

/* The channels the init holds once it is not dumpable any more; create's copies go. */
static void close_init_channels(CreateContext *x) {
        x->log_child = safe_close(x->log_child);
        x->fifo_fd = safe_close(x->fifo_fd);
        x->start_fds_fd = safe_close(x->start_fds_fd);
        x->console_fd = safe_close(x->console_fd);
        x->stub_fd = safe_close(x->stub_fd);
}

/* In the init, right after the fork: it keeps only what it needs, then never returns. Above
 * all it must not keep the state dir's fd: the flock lives in the open file description we
 * share, so the init would hold the container's lock for as long as it waits on the FIFO,
 * and `start` would wait for it forever. */
_noreturn_ static void create_become_init(CreateContext *x) {
        const int keep[] = { x->sync_child, x->log_child, x->fifo_fd, x->start_fds_fd, x->console_fd, x->stub_fd };
        /* Dumpable until it has its document (see init_main()), it holds none of its channels
         * but the sync socket meanwhile: they come over it afterwards. */
        size_t n_keep = x->dumpable_init ? 1 : ELEMENTSOF(keep);
        if (close_all_fds(3 + (int) (x->params.preserve_fds + x->params.listen_fds), keep, n_keep) < 0)
                _exit(EXIT_FAILURE);
        init_main(x->sync_child, x->dumpable_init ? -EBADF : x->log_child, x->dumpable_init);
}

static int create_fork_init(CreateContext *x, char **ret_error) {
        Container *c = x->container;
        const OciNamespace *user_ns = oci_config_find_namespace(x->config, NAMESPACE_USER);
        x->dumpable_init = rootless_caller() && user_ns && !user_ns->path;
        x->params = (InitParams) {
                .id = c->state.id,
                .bundle = x->bundle,
                .rootfs = x->rootfs,
                .no_pivot = x->options->no_pivot,
                .fifo_fd = x->fifo_fd,
                .start_fds_fd = x->start_fds_fd,
                .console_fd = x->console_fd,
                .exec_stub_fd = x->stub_fd,
                .preserve_fds = x->options->preserve_fds,
                .listen_fds = x->listen_fds,
                .listen_fdnames = (char *) x->listen_fdnames,
                .notify_dir = x->notify_dir,
                .pam_env = x->pam_env,
                .login_uid = x->pam ? (int64_t) x->config->process.uid : -1,
                .n_mount_fds = (unsigned) x->n_mount_fds,
                .notify_dir_fd = x->notify_dir_fd >= 0,
        };

        int r = namespaces_fork_init(x->config, &x->pid, ret_error);
        if (r < 0)
                return r;
        if (x->pid == 0)
                create_become_init(x);
        x->sync_child = safe_close(x->sync_child);
        if (!x->dumpable_init)
                close_init_channels(x);

        c->pidfd = pidfd_open(x->pid, 0);
        if (c->pidfd < 0)
                return errmsg(ret_error, -errno, "pidfd_open");
        /* From here the session ends when the init does, however it ends. */
        if (x->pam && (r = pam_session_attach(x->pam, c->dir->dir_fd, c->pidfd, ret_error)) < 0)
                return r;
        c->state.pid = x->pid;
        r = proc_starttime(x->pid, &c->state.pid_starttime);
        if (r >= 0)
                r = oci_state_identity_write(c->dir->dir_fd, x->pid, c->state.pid_starttime);
        if (r >= 0)
                r = oci_state_write(c->dir->dir_fd, &c->state);
        if (r < 0)
                return errmsg(ret_error, r, "record the init's identity");
        /* What the hooks of create and of the init read on stdin: the init's PID is known now. */
        x->hook_state_creating = oci_state_to_oci_json(&c->state, STATUS_CREATING);
        x->hook_state_created = oci_state_to_oci_json(&c->state, STATUS_CREATED);
        if (!x->hook_state_creating || !x->hook_state_created)
                return errmsg(ret_error, -ENOMEM, "allocate");
        x->params.hook_state_creating = x->hook_state_creating;
        x->params.hook_state_created = x->hook_state_created;
        return 0;
}

/* ---- phase 6: driving the init until it blocks on exec.fifo ---- */

static int send_init_document(CreateContext *x, char **ret_error) {
        /* -EPIPE: the init died; init_drive() tells why. */
        int r = sync_send_init(x->sync_parent, &x->params, x->config_json);
        if (r < 0 && r != -EPIPE)
                return errmsg(ret_error, r, "send the configuration to the init");
        if (r < 0)
                return 0;
        if (x->dumpable_init) {
                /* Its channels, now that it is not dumpable any more: the log pipe, exec.fifo,
                 * start.sock, then those of the console and the stub that exist, in that
                 * order. */
                const int fds[] = { x->log_child, x->fifo_fd, x->start_fds_fd, x->console_fd, x->stub_fd };
                for (size_t i = 0; r >= 0 && i < ELEMENTSOF(fds); i++)
                        if (fds[i] >= 0)
                                r = send_fd(x->sync_parent, fds[i]);
                if (r < 0 && r != -EPIPE)
                        return errmsg(ret_error, r, "hand the init its channels");
                close_init_channels(x);
        }
        /* Then the bind sources, one per bind mount, in the config's order, and notify_dir's. */
        for (size_t i = 0; r >= 0 && i < x->n_mount_fds; i++)
                r = send_fd(x->sync_parent, x->mount_fds[i]);
        if (r >= 0 && x->notify_dir_fd >= 0)
                r = send_fd(x->sync_parent, x->notify_dir_fd);
        if (r < 0 && r != -EPIPE)
                return errmsg(ret_error, r, "hand the init the bind sources");
        return 0;
}

static int create_drive_init(CreateContext *x, char **ret_error) {
        Container *c = x->container;
        int r;

        /* Before the init reads its document, so that it runs as the mapped root from its
         * first step on, inside its cgroup (its own cgroup namespace is rooted there, and its
         * limits hold from its first allocation). */
        r = namespaces_write_id_maps(x->config, x->pid, ret_error);
        if (r < 0)
                return r;
        if (c->cgroup) {
                _cleanup_free_ char *error = NULL;
                r = cgroup_create(c->cgroup, x->config->resources, x->pid, &error);
                if (r < 0)
                        return errmsg_plain(ret_error, r, "cgroup: %s", error ?: strerror(-r));
                if ((r = record_cgroup(c, NULL, ret_error)) < 0)
                        return r;
        }
        if ((r = send_init_document(x, ret_error)) < 0)
                return r;
        return init_drive(x->sync_parent, x->log_parent, c->pidfd, x->pid, &x->config->hooks, x->config->seccomp,
                          x->hook_state_creating, x->pam, c->cgroup, ret_error);
}

/* ---- phase 7: the record ---- */

int container_write_pid_file(const char *path, pid_t pid) {
        /* Atomically, as conmon and containerd read it as soon as create returns. */
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.tmp-%d", path, (int) getpid()) < 0)
                return -ENOMEM;
        /* O_EXCL: a FIFO planted at the temporary name must not block us; a stale file of
         * ours (a recycled PID) goes first. */
        (void) unlink(tmp);
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return -errno;
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d", (int) pid);
        int r = write_all(fd, buf, (size_t) n);
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                (void) unlink(tmp);
        return r;
}

static int create_record(CreateContext *x, char **ret_error) {
        Container *c = x->container;
        c->state.creating = false;
        int r = oci_state_write(c->dir->dir_fd, &c->state);
        if (r < 0)
                return errmsg(ret_error, r, "write %s", STATE_FILE);
        if (x->options->pid_file && (r = container_write_pid_file(x->options->pid_file, x->pid)) < 0)
                return errmsg(ret_error, r, "write pid file %s", x->options->pid_file);
        c->status = STATUS_CREATED;
        return 0;
}

int container_create(const RuntimeOptions *g, const CreateOptions *o, Container **ret, char **ret_error) {
        _cleanup_(create_context_done) CreateContext x;
        create_context_init(&x, g, o);

        int r = create_load_config(&x, ret_error);
        if (r >= 0)
                r = create_make_state(&x, ret_error);
        if (r >= 0)
                r = create_begin_pam(&x, ret_error);
        if (r >= 0)
                r = create_open_channels(&x, ret_error);
        if (r >= 0)
                r = create_fork_init(&x, ret_error);
        if (r >= 0)
                r = create_drive_init(&x, ret_error);
        if (r >= 0)
                r = create_record(&x, ret_error);
        if (r < 0)
                return r; /* create_context_done() undoes it all */

        log_debug("created, init pid %d", (int) x.pid);
        *ret = TAKE_PTR(x.container);
        return 0;
}
