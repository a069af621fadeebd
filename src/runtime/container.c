/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* create, start, signal and destroy, seen from the host. Every failure here is printed once,
 * with the container's id, and undone: no state dir, no process, no mount left behind. */

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "errmsg.h"
#include "fd-util.h"
#include "parse-util.h"
#include "proc-util.h"
#include "strv.h"
#include "console.h"
#include "container.h"
#include "exec-fifo.h"
#include "hooks.h"
#include "init.h"
#include "init-drive.h"
#include "log.h"
#include "namespaces.h"
#include "notify.h"
#include "oci-config.h"
#include "pam-session.h"
#include "rootless.h"
#include "sealed-binary.h"
#include "sync.h"

/* How long destroy waits for a SIGKILLed init to go (a process in uninterruptible sleep on a
 * dead NFS server can take a while); then it reports and leaves the state for a retry. */
#define DESTROY_TIMEOUT_MS 10000

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

int container_root(const RuntimeOptions *g, char **ret) {
        if (g->root)
                return (*ret = strdup(g->root)) ? 0 : -ENOMEM;
        int r = state_root_default(ret);
        if (r == -ENXIO)
                return log_error_errno(r, "no --root given and $XDG_RUNTIME_DIR is not set");
        return r;
}

static Container *container_new(void) {
        Container *c = calloc(1, sizeof(*c));
        if (c)
                c->pidfd = -EBADF;
        return c;
}

/* What the config asks that this version cannot do yet, or that makes no sense; checked
 * before anything is created. */
static int check_config(const OciConfig *config, const CreateOptions *o) {
        const OciNamespace *mnt = oci_config_find_namespace(config, NAMESPACE_MOUNT);
        if (!mnt || mnt->path)
                return log_error_errno(-EINVAL, "linux.namespaces: a new mount namespace is required");
        int r = namespaces_check_config(config);
        if (r < 0)
                return r;
        if ((r = rootless_check_config(config)) < 0)
                return r;
        const OciNamespace *uts = oci_config_find_namespace(config, NAMESPACE_UTS);
        if (config->hostname && (!uts || uts->path))
                return log_error_errno(-EINVAL, "hostname: needs a new uts namespace");
        if (config->domainname && (!uts || uts->path))
                return log_error_errno(-EINVAL, "domainname: needs a new uts namespace");
        Readiness readiness;
        if (readiness_from_annotations(config->annotations, &readiness) < 0)
                return log_error_errno(-EINVAL, "annotations: %s must be \"exec\" or \"container\"",
                                       READINESS_ANNOTATION);
        if (config->process.terminal && !o->console_socket)
                return log_error_errno(-EINVAL, "process.terminal is true: --console-socket is required");
        return 0;
}

static int check_preserved_fds(unsigned n) {
        /* Anything we open could land on a closed fd of that range and leak into the
         * container: insist that the caller really has them open. */
        for (unsigned fd = 3; fd < 3 + n; fd++)
                if (fcntl((int) fd, F_GETFD) < 0)
                        return log_error_errno(-EBADF, "LISTEN_FDS/--preserve-fds: fd %u is not open", fd);
        return 0;
}

static unsigned listen_fds_from_env(void) {
        /* systemd socket activation: the fds are ours only if LISTEN_PID names us. */
        const char *pid = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS");
        uint64_t p, k;
        if (!pid || !n || parse_uint64(pid, INT_MAX, &p) < 0 || (pid_t) p != getpid() ||
            parse_uint64(n, 1024, &k) < 0)
                return 0;
        return (unsigned) k;
}

static void kill_and_reap(pid_t pid, int pidfd) {
        if (pid <= 0)
                return;
        if (pidfd >= 0)
                (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
        else
                (void) kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}

static void run_hooks_warn(const OciHooks *h, HookKind kind, const ContainerState *s, ContainerStatus status);

static int write_pid_file(const char *path, pid_t pid) {
        /* Atomically, as conmon and containerd read it as soon as create returns. */
        _cleanup_free_ char *copy = strdup(path), *tmp = NULL;
        if (!copy || asprintf(&tmp, "%s.tmp-%d", path, (int) getpid()) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
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

/* Where the container's cgroups go, checked with its resources before anything exists. NULL
 * (no cgroup) only for an unprivileged caller that asked for no limits and has no cgroup of
 * its own to write to, as runc does rootless. */
static int cgroup_prepare(const RuntimeOptions *g, const OciConfig *config, const char *id, Cgroup **ret) {
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
        if (r < 0) {
                if (error)
                        log_error("%s", error);
                else
                        log_error_errno(r, "cgroups");
                return r;
        }
        if (limits && (r = rootless_check_cgroup_limits(cg)) < 0)
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

/* cgroup.json, and resources.json when given (what update starts from). */
static int record_cgroup(Container *c, const OciResources *res) {
        _cleanup_free_ char *json = cgroup_to_json(c->cgroup);
        int r = json ? write_file_atomic_at(c->dir->dir_fd, CGROUP_FILE, json, strlen(json)) : -ENOMEM;
        if (r < 0)
                return log_error_errno(r, "write %s", CGROUP_FILE);
        if (!res)
                return 0;
        _cleanup_free_ char *rj = oci_resources_to_json(res);
        r = rj ? write_file_atomic_at(c->dir->dir_fd, RESOURCES_FILE, rj, strlen(rj)) : -ENOMEM;
        if (r < 0)
                return log_error_errno(r, "write %s", RESOURCES_FILE);
        return 0;
}

int container_create(const RuntimeOptions *g, const CreateOptions *o, Container **ret) {
        _cleanup_oci_config_ OciConfig *config = NULL;
        _cleanup_free_ char *bundle = NULL, *json = NULL, *error = NULL, *rootfs = NULL, *root = NULL;
        _cleanup_free_ char *hook_state_creating = NULL, *hook_state_created = NULL, *notify_dir = NULL;
        int r;

        /* LISTEN_FDS come first, then --preserve-fds, as with runc: all must really be open,
         * or our own fds would land in that range and go to the container. */
        unsigned listen_fds = listen_fds_from_env();
        r = check_preserved_fds(listen_fds + o->preserve_fds);
        if (r < 0)
                return r;

        bundle = realpath(o->bundle ?: ".", NULL);
        if (!bundle)
                return log_error_errno(-errno, "bundle %s", o->bundle ?: ".");
        log_set_bundle(bundle);
        r = oci_config_load(bundle, &config, &json, &error);
        if (r < 0)
                return log_error_errno(-EINVAL, "config.json: %s", error ?: strerror(-r)), r;
        r = check_config(config, o);
        if (r < 0)
                return r;
        const char *pam_user = NULL;
        r = pam_user_from_annotations(config->annotations, &pam_user);
        if (r < 0)
                return log_error_errno(r, "annotations: %s: not an account name", PAM_USER_ANNOTATION);
        if (pam_user && (r = pam_session_check(config, pam_user)) < 0)
                return r;
        if (oci_resources_allow_devices(config->resources, config->devices, config->n_devices) < 0)
                return log_error_errno(-ENOMEM, "allocate");
        _cleanup_cgroup_ Cgroup *cgroup = NULL;
        r = cgroup_prepare(g, config, o->id, &cgroup);
        if (r < 0)
                return r;

        if (config->root_path[0] == '/')
                rootfs = strdup(config->root_path);
        else if (asprintf(&rootfs, "%s/%s", bundle, config->root_path) < 0)
                rootfs = NULL;
        if (!rootfs)
                return log_error_errno(-ENOMEM, "allocate");
        struct stat st;
        if (stat(rootfs, &st) < 0)
                return log_error_errno(-errno, "rootfs %s", rootfs);
        if (!S_ISDIR(st.st_mode))
                return log_error_errno(-ENOTDIR, "rootfs %s", rootfs);

        r = container_root(g, &root);
        if (r < 0)
                return r;

        _cleanup_container_ Container *c = container_new();
        if (!c)
                return log_error_errno(-ENOMEM, "allocate");
        r = state_dir_create(root, o->id, &c->dir);
        if (r == -EEXIST)
                return log_error_errno(r, "container already exists"), r;
        if (r < 0)
                return log_error_errno(r, "create state directory in %s", root);

        /* From here on, every failure path removes what was made. */
        pid_t pid = 0;
        _cleanup_(pam_session_freep) PamSession *pam = NULL;
        _cleanup_strv_free_ char **pam_env = NULL;
        _cleanup_close_ int fifo_fd = -EBADF, console_fd = -EBADF, stub_fd = -EBADF, sync_parent = -EBADF,
                            sync_child = -EBADF, log_parent = -EBADF, log_child = -EBADF;
        int pipefd[2], sv[2];

        c->state = (ContainerState) {
                .id = strdup(o->id),
                .bundle = strdup(bundle),
                .rootfs = strdup(rootfs),
                .created = rfc3339_now(),
                .owner = geteuid(),
                .creating = true,
        };
        if (!c->state.id || !c->state.bundle || !c->state.rootfs || !c->state.created) {
                r = log_error_errno(-ENOMEM, "allocate");
                goto fail;
        }
        for (char **a = config->annotations; a && *a; a++)
                if (strv_extend(&c->state.annotations, *a) < 0) {
                        r = log_error_errno(-ENOMEM, "allocate");
                        goto fail;
                }
        r = oci_state_write(c->dir->dir_fd, &c->state);
        if (r < 0) {
                log_error_errno(r, "write %s", STATE_FILE);
                goto fail;
        }
        /* Recorded before anything is made, so that delete finds it whatever happens next. */
        c->cgroup = TAKE_PTR(cgroup);
        if (c->cgroup && (r = record_cgroup(c, config->resources)) < 0)
                goto fail;
        if (config->hooks.n_hooks[HOOK_POSTSTART] + config->hooks.n_hooks[HOOK_POSTSTOP] > 0) {
                /* start and delete run these as created, whatever the bundle holds by then. */
                _cleanup_free_ char *hooks_json = oci_hooks_to_json(&config->hooks);
                r = hooks_json ? write_file_atomic_at(c->dir->dir_fd, HOOKS_FILE, hooks_json, strlen(hooks_json))
                               : -ENOMEM;
                if (r < 0) {
                        log_error_errno(r, "write %s", HOOKS_FILE);
                        goto fail;
                }
        }

        Readiness readiness = READINESS_EXEC;
        (void) readiness_from_annotations(config->annotations, &readiness);
        if (readiness == READINESS_CONTAINER) {
                /* Where `start` binds the socket the container's sd_notify() reaches. */
                if (mkdirat(c->dir->dir_fd, NOTIFY_DIR, 0755) < 0 ||
                    asprintf(&notify_dir, "%s/%s", c->dir->path, NOTIFY_DIR) < 0) {
                        r = log_error_errno(-errno, "make %s", NOTIFY_DIR);
                        goto fail;
                }
        }
        /* The PAM account check and session, in a process of their own, forked before any fd
         * meant for the init exists; a refusal ends create here, and fail: removes the rest. */
        if (pam_user) {
                r = pam_session_begin(pam_user, o->id, c->dir->path, &pam);
                if (r < 0)
                        goto fail;
                r = pam_env_merge(config->process.env, pam->env, &pam_env);
                if (r < 0) {
                        log_error_errno(r, "allocate");
                        goto fail;
                }
        }
        r = exec_fifo_make(c->dir->dir_fd, &fifo_fd);
        if (r < 0) {
                log_error_errno(r, "make %s", EXEC_FIFO);
                goto fail;
        }
        if (config->process.terminal) {
                r = console_socket_connect(o->console_socket, &console_fd);
                if (r < 0) {
                        log_error_errno(r, "connect to console socket %s", o->console_socket);
                        goto fail;
                }
        }
        r = exec_stub_open(&stub_fd);
        if (r < 0 && r != -EOPNOTSUPP) {
                log_error_errno(r, "make the sealed exec stub");
                goto fail;
        }
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
                r = log_error_errno(-errno, "make the sync channels");
                goto fail;
        }
        sync_parent = sv[0];
        sync_child = sv[1];
        log_parent = pipefd[0];
        log_child = pipefd[1];

        InitParams params = {
                .id = c->state.id,
                .bundle = bundle,
                .rootfs = rootfs,
                .no_pivot = o->no_pivot,
                .fifo_fd = fifo_fd,
                .console_fd = console_fd,
                .exec_stub_fd = stub_fd,
                .preserve_fds = o->preserve_fds,
                .listen_fds = listen_fds,
                .notify_dir = notify_dir,
                .pam_env = pam_env,
                .login_uid = pam ? (int64_t) config->process.uid : -1,
        };

        const OciNamespace *user_ns = oci_config_find_namespace(config, NAMESPACE_USER);
        const bool dumpable_init = rootless_caller() && user_ns && !user_ns->path;
        r = namespaces_fork_init(config, &pid);
        if (r < 0)
                goto fail;
        if (pid == 0) {
                /* The init keeps only what it needs. Above all it must not keep the state
                 * dir's fd: the flock lives in the open file description we share, so the
                 * init would hold the container's lock for as long as it waits on the FIFO,
                 * and `start` would wait for it forever. */
                const int keep[] = { sync_child, log_child, fifo_fd, console_fd, stub_fd };
                /* Dumpable until it has its document (see init_main()), it holds none of its
                 * channels but the sync socket meanwhile: they come over it afterwards. */
                size_t n_keep = dumpable_init ? 1 : ELEMENTSOF(keep);
                if (close_all_fds(3 + (int) (params.preserve_fds + params.listen_fds), keep, n_keep) < 0)
                        _exit(EXIT_FAILURE);
                init_main(sync_child, dumpable_init ? -EBADF : log_child, dumpable_init);
        }
        sync_child = safe_close(sync_child);
        if (!dumpable_init) {
                log_child = safe_close(log_child);
                fifo_fd = safe_close(fifo_fd);
                console_fd = safe_close(console_fd);
                stub_fd = safe_close(stub_fd);
        }

        c->pidfd = pidfd_open(pid, 0);
        if (c->pidfd < 0) {
                r = log_error_errno(-errno, "pidfd_open");
                goto fail;
        }
        /* From here the session ends when the init does, however it ends. */
        if (pam && (r = pam_session_attach(pam, c->dir->dir_fd, c->pidfd)) < 0)
                goto fail;
        c->state.pid = pid;
        r = proc_starttime(pid, &c->state.pid_starttime);
        if (r >= 0)
                r = oci_state_identity_write(c->dir->dir_fd, pid, c->state.pid_starttime);
        if (r >= 0)
                r = oci_state_write(c->dir->dir_fd, &c->state);
        if (r < 0) {
                log_error_errno(r, "record the init's identity");
                goto fail;
        }
        /* What the hooks of create and of the init read on stdin: the init's PID is known now. */
        hook_state_creating = oci_state_to_oci_json(&c->state, STATUS_CREATING);
        hook_state_created = oci_state_to_oci_json(&c->state, STATUS_CREATED);
        if (!hook_state_creating || !hook_state_created) {
                r = log_error_errno(-ENOMEM, "allocate");
                goto fail;
        }
        params.hook_state_creating = hook_state_creating;
        params.hook_state_created = hook_state_created;

        /* Before the init reads its document, so that it runs as the mapped root from its
         * first step on, inside its cgroup (its own cgroup namespace is rooted there, and its
         * limits hold from its first allocation). */
        r = namespaces_write_id_maps(config, pid);
        if (r < 0)
                goto fail;
        if (c->cgroup) {
                r = cgroup_create(c->cgroup, config->resources, pid, &error);
                if (r >= 0)
                        r = record_cgroup(c, NULL);
                if (r < 0) {
                        log_error("cgroup: %s", error ?: strerror(-r));
                        goto fail;
                }
        }

        r = sync_send_init(sync_parent, &params, json);
        if (r < 0 && r != -EPIPE) {
                log_error_errno(r, "send the configuration to the init");
                goto fail;
        }
        if (dumpable_init && r >= 0) {
                /* Its channels, now that it is not dumpable any more: the log pipe, then those
                 * of exec.fifo, the console and the stub that exist, in that order. */
                const int fds[] = { log_child, fifo_fd, console_fd, stub_fd };
                for (size_t i = 0; r >= 0 && i < ELEMENTSOF(fds); i++)
                        if (fds[i] >= 0)
                                r = send_fd(sync_parent, fds[i]);
                if (r < 0 && r != -EPIPE) {
                        log_error_errno(r, "hand the init its channels");
                        goto fail;
                }
                log_child = safe_close(log_child);
                fifo_fd = safe_close(fifo_fd);
                console_fd = safe_close(console_fd);
                stub_fd = safe_close(stub_fd);
        }
        r = init_drive(sync_parent, log_parent, c->pidfd, pid, &config->hooks, hook_state_creating, pam, &error);
        if (r < 0) {
                log_error("%s", error ?: "the container's init failed");
                goto fail;
        }

        c->state.creating = false;
        r = oci_state_write(c->dir->dir_fd, &c->state);
        if (r < 0) {
                log_error_errno(r, "write %s", STATE_FILE);
                goto fail;
        }
        if (o->pid_file) {
                r = write_pid_file(o->pid_file, pid);
                if (r < 0) {
                        log_error_errno(r, "write pid file %s", o->pid_file);
                        goto fail;
                }
        }
        c->status = STATUS_CREATED;
        log_debug("created, init pid %d", (int) pid);
        *ret = TAKE_PTR(c);
        return 0;

fail:
        kill_and_reap(pid, c->pidfd);
        /* The init is gone: the holder closes the session, and we wait until it has. */
        pam = pam_session_abort(pam);
        /* Under a service an attached holder leaves the close to `delete` once the init is
         * gone, but the state that would tell delete about it goes below: close it here. */
        (void) pam_session_close_leftover(c->dir->dir_fd, config->annotations);
        if (c->cgroup) {
                _cleanup_free_ char *cg_error = NULL;
                if (cgroup_destroy(c->cgroup, DESTROY_TIMEOUT_MS, &cg_error) < 0)
                        log_warning("remove the container's cgroup: %s", cg_error ?: "failed");
        }
        (void) state_dir_remove(c->dir);
        /* runtime.md: a create that fails once the init exists (a failing prestart,
         * createRuntime or createContainer hook, say) goes on to destroy, then poststop. */
        if (pid > 0)
                run_hooks_warn(&config->hooks, HOOK_POSTSTOP, &c->state, STATUS_STOPPED);
        return r;
}

int container_open(const RuntimeOptions *g, const char *id, Container **ret) {
        _cleanup_free_ char *root = NULL;
        int r = container_root(g, &root);
        if (r < 0)
                return r;
        _cleanup_container_ Container *c = container_new();
        if (!c)
                return log_error_errno(-ENOMEM, "allocate");
        r = state_dir_open(root, id, LOCK_EX, &c->dir, NULL);
        if (r == -ENOENT)
                return log_error_errno(r, "container does not exist"), r;
        if (r < 0)
                return log_error_errno(r, "open state directory %s/%s", root, id);

        r = oci_state_read(c->dir->dir_fd, &c->state);
        if (r < 0) {
                /* Broken: only destroy can do anything with it, and it must still find the
                 * init if one lives, or `delete --force` would leave it blocked on the FIFO. */
                c->status = STATUS_STOPPED;
                c->state.pid = 0;
                log_debug("%s unreadable (%s): treating the container as stopped", STATE_FILE, strerror(-r));
                if (!(c->state.id = strdup(id)))
                        return log_error_errno(-ENOMEM, "allocate");
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

/* poststart and poststop run in our namespaces; a failure is only a warning, and the hooks
 * after it still run (runtime-spec config.md). */
static void run_hooks_warn(const OciHooks *h, HookKind kind, const ContainerState *s, ContainerStatus status) {
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

int container_start(Container *c, int *ret_relay_fd) {
        if (c->status != STATUS_CREATED)
                return log_error_errno(-EINVAL, "cannot start a container that is %s",
                                       oci_state_status_to_string(c->status));
        Readiness readiness = READINESS_EXEC;
        (void) readiness_from_annotations(c->state.annotations, &readiness);
        const bool notify = notify_wanted();
        _cleanup_close_ int relay_fd = -EBADF;
        int r;
        /* Bound before the container's process runs, so that nothing it sends is lost. */
        if (notify && readiness == READINESS_CONTAINER && ret_relay_fd && (r = notify_relay_open(c->dir->dir_fd, &relay_fd)) < 0)
                return r;

        _cleanup_free_ char *error = NULL;
        r = exec_fifo_consume(c->dir->dir_fd, c->pidfd, &error);
        if (r < 0) {
                log_error("%s", error ?: strerror(-r));
                /* An init that failed to exec exits: under a unit, whatever is left is killed
                 * as soon as we return, so let its PAM session close first. */
                struct pollfd p = { .fd = c->pidfd, .events = POLLIN };
                int holder = -EBADF;
                if (poll(&p, 1, 2000) > 0 && pam_holder_open(c->dir->dir_fd, &holder) > 0)
                        pam_holder_wait(holder, DESTROY_TIMEOUT_MS);
                return r;
        }
        c->status = STATUS_RUNNING;

        OciHooks hooks = {};
        load_hooks(c, &hooks);
        run_hooks_warn(&hooks, HOOK_POSTSTART, &c->state, STATUS_RUNNING);
        oci_hooks_done(&hooks);

        /* As a Type=notify unit's ExecStart=: the container's process is the main process now,
         * and with "exec" readiness the unit is ready, since the exec succeeded. */
        if (notify) {
                r = notify_main_pid(c->state.pid, readiness == READINESS_EXEC);
                if (r < 0)
                        return r;
        }
        if (ret_relay_fd)
                *ret_relay_fd = TAKE_FD(relay_fd);
        return 0;
}

int container_signal(Container *c, int sig) {
        if (c->status == STATUS_STOPPED || c->pidfd < 0)
                return log_error_errno(-ESRCH, "container is not running");
        if (pidfd_send_signal(c->pidfd, sig, NULL, 0) < 0)
                return log_error_errno(-errno, "send signal %d", sig);
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

int container_signal_all(Container *c, int sig) {
        if (c->cgroup) {
                if (c->status == STATUS_STOPPED && c->pidfd < 0)
                        return log_error_errno(-ESRCH, "container is not running");
                _cleanup_free_ char *error = NULL;
                int r = cgroup_kill(c->cgroup, sig, &error);
                if (r < 0 && error)
                        log_error("%s", error);
                else if (r < 0)
                        log_error_errno(r, "signal the container's cgroup");
                return r;
        }
        ino_t ours, theirs;
        int r = container_signal(c, sig);
        if (r < 0)
                return r;
        if (ns_inode(getpid(), &ours) < 0 || ns_inode(c->state.pid, &theirs) < 0 || ours == theirs)
                return 0; /* no PID namespace of its own: the init is all we can tell apart */

        _cleanup_(closedirp) DIR *d = opendir("/proc");
        if (!d)
                return log_error_errno(-errno, "open /proc");
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

int container_stop_signal(const Container *c) {
        const char *v = NULL;
        for (char **a = c->state.annotations; a && a[0] && a[1]; a += 2)
                if (strcmp(a[0], STOP_SIGNAL_ANNOTATION) == 0)
                        v = a[1];
        if (!v)
                return SIGTERM;
        int sig = signal_from_string(v);
        if (sig < 0)
                return log_error_errno(-EINVAL, "annotation %s: unknown signal \"%.64s\"", STOP_SIGNAL_ANNOTATION, v);
        return sig;
}

int container_destroy(Container *c) {
        /* A frozen task keeps even SIGKILL pending (v1) until thawed. */
        if (c->cgroup && cgroup_is_frozen(c->cgroup) > 0)
                (void) cgroup_freeze(c->cgroup, false, NULL);
        if (c->pidfd >= 0) {
                if (pidfd_send_signal(c->pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
                        return log_error_errno(-errno, "kill the container");
                struct pollfd p = { .fd = c->pidfd, .events = POLLIN };
                int k;
                while ((k = poll(&p, 1, DESTROY_TIMEOUT_MS)) < 0 && errno == EINTR)
                        ;
                if (k == 0)
                        return log_error_errno(-ETIMEDOUT, "the container's init did not exit after SIGKILL");
                /* If it was our child (run), reap it; otherwise its parent does. */
                siginfo_t si;
                (void) waitid(P_PIDFD, (id_t) c->pidfd, &si, WEXITED | WNOHANG);
                c->pidfd = safe_close(c->pidfd);
        }
        /* The init is gone: its PAM session closes now, before the state that names it goes. */
        int pam_holder = -EBADF;
        if (pam_holder_open(c->dir->dir_fd, &pam_holder) > 0)
                pam_holder_wait(pam_holder, DESTROY_TIMEOUT_MS);
        (void) pam_session_close_leftover(c->dir->dir_fd, c->state.annotations);
        if (c->cgroup) {
                _cleanup_free_ char *error = NULL;
                int k = cgroup_destroy(c->cgroup, DESTROY_TIMEOUT_MS, &error);
                if (k < 0) {
                        log_error("remove the container's cgroup: %s", error ?: strerror(-k));
                        return k;
                }
        }
        OciHooks hooks = {};
        load_hooks(c, &hooks);
        int r = state_dir_remove(c->dir);
        if (r < 0) {
                oci_hooks_done(&hooks);
                return log_error_errno(r, "remove %s", c->dir->path);
        }
        c->status = STATUS_STOPPED;
        /* The container is gone: poststop. */
        run_hooks_warn(&hooks, HOOK_POSTSTOP, &c->state, STATUS_STOPPED);
        oci_hooks_done(&hooks);
        return 0;
}
