/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Rootless containers (issue 7): the checks that turn "Operation not permitted" half-way into
 * one line naming the config field before anything exists, and the newuidmap/newgidmap run
 * for maps the kernel takes from an unprivileged writer only through them. It grants nothing:
 * what we may do is the kernel's and /etc/subuid's to say. Parent side only. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errmsg.h"
#include "fd-util.h"
#include "rootless.h"

#ifndef NS_GET_USERNS
#define NS_GET_USERNS _IO(0xb7, 0x1)
#endif
#ifndef NS_GET_OWNER_UID
#define NS_GET_OWNER_UID _IO(0xb7, 0x4)
#endif

bool rootless_caller(void) {
        return geteuid() != 0;
}

bool rootless_map_is_own(const OciIdMapping *m, size_t n, uint32_t own_id) {
        return n == 1 && m[0].host_id == own_id && m[0].size == 1;
}

/* The setuid helper where the system installs it (Debian: /usr/bin), never from $PATH: the
 * caller's environment must not choose the program that writes our id maps. NULL if there is
 * none. */
static char *find_helper(const char *name) {
        static const char *const dirs[] = { "/usr/bin", "/bin", "/usr/sbin", "/sbin" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                char *p = NULL;
                if (asprintf(&p, "%s/%s", dirs[i], name) < 0)
                        return NULL;
                if (access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}

static int check_map_helper(const char *field, const char *helper, const OciIdMapping *m, size_t n, uint32_t own,
                            char **ret_error) {
        if (rootless_map_is_own(m, n, own))
                return 0;
        _cleanup_free_ char *p = find_helper(helper);
        if (!p)
                return errmsg_plain(ret_error, -ENOENT, "linux.%s: a rootless container maps only the caller's own id (%u, size 1) by "
                                    "itself; this map needs %s (Debian's uidmap package) and /etc/sub%cid, and %s is "
                                    "not installed", field, own, helper, field[0], helper);
        return 0;
}

/* A namespace joined by path must belong to a user namespace we own: joining needs
 * CAP_SYS_ADMIN over it, which an unprivileged caller has only in user namespaces its euid
 * created (the host's, say, owned by uid 0, is not one). */
static int check_joined(const OciNamespace *ns, char **ret_error) {
        const char *type = namespace_type_to_string(ns->type);
        _cleanup_close_ int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errmsg(ret_error, -errno, "linux.namespaces: %s namespace %s", type, ns->path);
        _cleanup_close_ int userns = ns->type == NAMESPACE_USER ? TAKE_FD(fd) : ioctl(fd, NS_GET_USERNS);
        if (userns < 0) {
                if (errno == ENOTTY || errno == EINVAL)
                        return errmsg_plain(ret_error, -EINVAL, "linux.namespaces: %s namespace %s: not a namespace", type, ns->path);
                /* EPERM: its owner is not even below our own user namespace. */
                return errmsg_plain(ret_error, -EPERM, "linux.namespaces: %s namespace %s belongs to a user namespace that is not ours: "
                                    "a rootless container can join only namespaces of user namespaces it owns",
                                    type, ns->path);
        }
        uid_t owner;
        if (ioctl(userns, NS_GET_OWNER_UID, &owner) < 0)
                return errmsg(ret_error, -errno, "linux.namespaces: owner of the user namespace of %s", ns->path);
        if (owner != geteuid())
                return errmsg_plain(ret_error, -EPERM, "linux.namespaces: %s namespace %s belongs to a user namespace of uid %u: a rootless "
                                    "container can join only namespaces of user namespaces it owns (uid %u)",
                                    type, ns->path, (unsigned) owner, (unsigned) geteuid());
        return 0;
}

int rootless_check_config(const OciConfig *c, char **ret_error) {
        if (!rootless_caller())
                return 0;
        const OciNamespace *user = oci_config_find_namespace(c, NAMESPACE_USER);
        if (!user)
                return errmsg_plain(ret_error, -EPERM, "linux.namespaces: an unprivileged caller needs a user namespace "
                                    "(\"ctr-launch spec --rootless\" writes a config with one)");
        for (size_t i = 0; i < c->n_namespaces; i++)
                if (c->namespaces[i].path) {
                        int r = check_joined(c->namespaces + i, ret_error);
                        if (r < 0)
                                return r;
                }
        if (!user->path) {
                int r = check_map_helper("uidMappings", "newuidmap", c->uid_mappings, c->n_uid_mappings, geteuid(), ret_error);
                if (r < 0)
                        return r;
                r = check_map_helper("gidMappings", "newgidmap", c->gid_mappings, c->n_gid_mappings, getegid(), ret_error);
                if (r < 0)
                        return r;
                /* The kernel takes our own gid alone only with setgroups(2) denied. */
                if (c->process.n_additional_gids > 0 && rootless_map_is_own(c->gid_mappings, c->n_gid_mappings, getegid()))
                        return errmsg_plain(ret_error, -EPERM, "process.user.additionalGids: setgroups is denied in a user namespace whose "
                                            "gid map is the caller's own gid alone; map more gids (newgidmap, "
                                            "/etc/subgid) in linux.gidMappings");
        }
        /* In a user namespace nodes are bound from the host (devices.c), never made: mknod
         * needs CAP_MKNOD in the host's user namespace. So the host must have the very node. */
        for (size_t i = 0; i < c->n_devices; i++) {
                const OciDevice *d = c->devices + i;
                struct stat st;
                if (d->type == S_IFIFO)
                        continue;
                if (stat(d->path, &st) < 0 || (st.st_mode & S_IFMT) != d->type ||
                    st.st_rdev != makedev(d->major, d->minor))
                        return errmsg_plain(ret_error, -EPERM, "linux.devices: %s (%u:%u): a rootless container cannot make device nodes, "
                                            "and the host has no such node at that path to bind",
                                            d->path, d->major, d->minor);
        }
        return 0;
}

int rootless_map_with_helper(pid_t pid, bool gid, const OciIdMapping *m, size_t n, char **ret_error) {
        const char *field = gid ? "gidMappings" : "uidMappings", *name = gid ? "newgidmap" : "newuidmap";
        _cleanup_free_ char *helper = find_helper(name);
        if (!helper)
                return errmsg_plain(ret_error, -ENOENT, "linux.%s: %s (Debian's uidmap package) is not installed", field, name);

        /* argv: helper PID (container host size)... ; at most 340 ranges (the parser's limit). */
        size_t argc = 2 + 3 * n;
        _cleanup_free_ char **argv = calloc(argc + 1, sizeof(char *));
        _cleanup_free_ char *nums = malloc(12 * (1 + 3 * n));
        if (!argv || !nums)
                return errmsg(ret_error, -ENOMEM, "allocate");
        char *p = nums;
        argv[0] = helper;
        argv[1] = p;
        p += sprintf(p, "%d", (int) pid) + 1;
        for (size_t i = 0; i < n; i++) {
                const uint32_t v[3] = { m[i].container_id, m[i].host_id, m[i].size };
                for (size_t j = 0; j < 3; j++) {
                        argv[2 + 3 * i + j] = p;
                        p += sprintf(p, "%u", v[j]) + 1;
                }
        }

        int err[2];
        if (pipe2(err, O_CLOEXEC) < 0)
                return errmsg(ret_error, -errno, "make a pipe");
        pid_t child = fork();
        if (child < 0) {
                int r = errmsg(ret_error, -errno, "fork");
                safe_close(err[0]);
                safe_close(err[1]);
                return r;
        }
        if (child == 0) {
                if (dup2(err[1], STDERR_FILENO) < 0 || dup2(err[1], STDOUT_FILENO) < 0)
                        _exit(127);
                execv(helper, argv);
                dprintf(STDERR_FILENO, "exec %s: %s", helper, strerror(errno));
                _exit(127);
        }
        safe_close(err[1]);
        char out[512];
        size_t len = 0;
        ssize_t k;
        while (len < sizeof(out) - 1 && ((k = read(err[0], out + len, sizeof(out) - 1 - len)) > 0 || (k < 0 && errno == EINTR)))
                if (k > 0)
                        len += (size_t) k;
        safe_close(err[0]);
        int status = 0;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
                ;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        /* Its words, on our one line. */
        out[len] = 0;
        while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == ' '))
                out[--len] = 0;
        for (char *s = out; *s; s++)
                if (*s == '\n')
                        *s = ' ';
        return errmsg_plain(ret_error, -EPERM, "linux.%s: %s refused the map (%s); check /etc/sub%cid", field, name,
                            len > 0 ? out : "no reason given", gid ? 'g' : 'u');
}

int rootless_check_cgroup_limits(const Cgroup *cg, char **ret_error) {
        if (!rootless_caller() || !cg || cg->systemd_unit)
                return 0;
        for (size_t i = 0; i < cg->n_hierarchies; i++) {
                const CgroupHierarchy *h = cg->hierarchies + i;
                _cleanup_free_ char *dir = NULL;
                if (!h->path || cgroup_fs_path(h, h->path, &dir) < 0)
                        continue;
                /* The container's cgroup, or the nearest directory above it that exists, must be
                 * ours to write: that is what delegation to a user means. */
                char *slash;
                while (access(dir, F_OK) < 0 && (slash = strrchr(dir, '/')) && slash != dir)
                        *slash = 0;
                if (access(dir, W_OK) < 0)
                        return errmsg_plain(ret_error, -EPERM, "linux.resources: a rootless container gets limits only in a cgroup delegated "
                                            "to uid %u, and %s is not writable (cgroup v1 controllers are never delegated "
                                            "to users; on cgroup v2, run under systemd --user, see docs/rootless.md)",
                                            (unsigned) geteuid(), dir);
        }
        return 0;
}
