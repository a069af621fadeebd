/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cgroup core (cgroup.c, cgroup-ops.c): placement rules and the cgroup.json record on
 * hand-built structs, then, as root, discovery of each layout and a container's whole cgroup
 * life on real hierarchies: the host's own (hybrid here), a v1-only view and a cgroup2 mounted
 * in a mount and cgroup namespace of a child, and a delegated unit's cgroup without systemd.
 * Root tests record failures and go on, so that every scratch cgroup, mount and process they
 * made is removed. */

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cgroup.h"

/* ---------------------------------------------------------------- helpers */

static char **strv_new(const char *first, ...) G_GNUC_NULL_TERMINATED;
static char **strv_new(const char *first, ...) {
        GPtrArray *a = g_ptr_array_new();
        va_list ap;
        va_start(ap, first);
        for (const char *s = first; s; s = va_arg(ap, const char *))
                g_ptr_array_add(a, strdup(s));
        va_end(ap);
        g_ptr_array_add(a, NULL);
        /* malloc'ed, as cgroup_free frees it */
        char **l = calloc(a->len, sizeof(char *));
        memcpy(l, a->pdata, a->len * sizeof(char *));
        g_ptr_array_free(a, TRUE);
        return l;
}

static void add_hierarchy(Cgroup *cg, bool v2, const char *mount, const char *mount_root, char **controllers,
                          const char *own) {
        cg->hierarchies = reallocarray(cg->hierarchies, cg->n_hierarchies + 1, sizeof(CgroupHierarchy));
        g_assert_nonnull(cg->hierarchies);
        cg->hierarchies[cg->n_hierarchies++] = (CgroupHierarchy) {
                .v2 = v2,
                .mount = strdup(mount),
                .mount_root = strdup(mount_root),
                .controllers = controllers,
                .own = own ? strdup(own) : NULL,
        };
}

/* A hybrid host as the struct says it, on paths that do not exist (resolve reads nothing). */
static Cgroup *hand_built(void) {
        Cgroup *cg = calloc(1, sizeof(Cgroup));
        cg->layout = CGROUP_LAYOUT_HYBRID;
        add_hierarchy(cg, false, "/nonexistent/cg/memory", "/", strv_new("memory", NULL), "/user.slice/m");
        add_hierarchy(cg, false, "/nonexistent/cg/cpu,cpuacct", "/", strv_new("cpu", "cpuacct", NULL), "/");
        add_hierarchy(cg, false, "/nonexistent/cg/systemd", "/", strv_new("name=systemd", NULL), "/user.slice/s");
        add_hierarchy(cg, true, "/nonexistent/cg/unified", "/", strv_new("hugetlb", NULL), "/user.slice/u");
        return cg;
}

static char *read_trimmed(const char *path) {
        char *s = NULL;
        if (!g_file_get_contents(path, &s, NULL, NULL))
                return NULL;
        return g_strchomp(s);
}

static int write_string(const char *path, const char *value) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = write(fd, value, strlen(value));
        int r = n < 0 ? -errno : (size_t) n == strlen(value) ? 0 : -EIO;
        close(fd);
        return r;
}

static bool streq_own(const char *a, const char *b) {
        return g_strcmp0(a, b) == 0;
}

static bool exists(const char *path) {
        return access(path, F_OK) == 0;
}

static bool is_cgroup2(const char *path) {
        struct statfs s;
        return statfs(path, &s) == 0 && s.f_type == CGROUP2_SUPER_MAGIC;
}

/* The cgroup2 hierarchy of the host: hybrid's unified, or a unified /sys/fs/cgroup. */
static const char *host_cgroup2(void) {
        if (is_cgroup2("/sys/fs/cgroup/unified"))
                return "/sys/fs/cgroup/unified";
        if (is_cgroup2("/sys/fs/cgroup"))
                return "/sys/fs/cgroup";
        return NULL;
}

/* Removes a cgroup directory and its descendants, deepest first; the kernel may take a moment
 * to let go of a cgroup whose last process was just reaped. */
static void rm_cgroup_tree(const char *dir) {
        GDir *d = g_dir_open(dir, 0, NULL);
        if (!d)
                return;
        const char *name;
        while ((name = g_dir_read_name(d))) {
                g_autofree char *sub = g_build_filename(dir, name, NULL);
                if (g_file_test(sub, G_FILE_TEST_IS_DIR) && !g_file_test(sub, G_FILE_TEST_IS_SYMLINK))
                        rm_cgroup_tree(sub);
        }
        g_dir_close(d);
        for (int i = 0; i < 100 && rmdir(dir) < 0 && errno == EBUSY; i++)
                g_usleep(20000);
        if (exists(dir))
                g_printerr("# could not remove %s: %m\n", dir);
}

/* Scratch things the root tests made, removed by cleanup() whatever happened. */
static GPtrArray *scratch_cgroups; /* directories, removed (with what is below) in reverse order */
static GPtrArray *scratch_dirs;    /* plain directories (mount points) */
static char *hugetlb_enabled_at;   /* a subtree_control we wrote "+hugetlb" to */

static void cleanup(void) {
        for (guint i = scratch_cgroups ? scratch_cgroups->len : 0; i > 0; i--) {
                const char *dir = scratch_cgroups->pdata[i - 1];
                /* anything still in it (a child of a failed test) goes first */
                g_autofree char *kill_file = g_build_filename(dir, "cgroup.kill", NULL);
                (void) write_string(kill_file, "1");
                rm_cgroup_tree(dir);
        }
        if (scratch_cgroups)
                g_ptr_array_set_size(scratch_cgroups, 0);
        for (guint i = 0; scratch_dirs && i < scratch_dirs->len; i++) {
                (void) umount2(scratch_dirs->pdata[i], MNT_DETACH);
                (void) rmdir(scratch_dirs->pdata[i]);
        }
        if (scratch_dirs)
                g_ptr_array_set_size(scratch_dirs, 0);
        if (hugetlb_enabled_at) {
                (void) write_string(hugetlb_enabled_at, "-hugetlb");
                g_clear_pointer(&hugetlb_enabled_at, g_free);
        }
}

static void on_fatal_signal(int sig) {
        for (guint i = scratch_cgroups ? scratch_cgroups->len : 0; i > 0; i--)
                (void) rmdir(scratch_cgroups->pdata[i - 1]);
        signal(sig, SIG_DFL);
        raise(sig);
}

static bool need_root(void) {
        if (geteuid() == 0)
                return true;
        g_test_skip("needs root: makes cgroups, mounts cgroup filesystems and moves processes");
        return false;
}

/* ---------------------------------------------------------------- children */

/* A child runs a part of a test in namespaces of its own and reports what failed as text:
 * GLib's test state is the parent's. */
#define CHECK(fails, cond, ...)                                                                    \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        g_string_append_printf(fails, "line %d: %s: ", __LINE__, #cond);            \
                        g_string_append_printf(fails, __VA_ARGS__);                                \
                        g_string_append_c(fails, '\n');                                            \
                }                                                                                  \
        } while (0)

static int report_fd = -1; /* in a child: where its report goes (closed in grandchildren) */

typedef void (*ChildFn)(GString *fails, void *arg);

static void run_in_child(ChildFn fn, void *arg) {
        int p[2];
        g_assert_cmpint(pipe2(p, O_CLOEXEC), ==, 0);
        pid_t pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                close(p[0]);
                report_fd = p[1];
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                alarm(60);
                GString *fails = g_string_new(NULL);
                fn(fails, arg);
                uint32_t n = (uint32_t) fails->len;
                if (write(p[1], &n, sizeof(n)) != sizeof(n) || write(p[1], fails->str, n) != (ssize_t) n)
                        _exit(3);
                _exit(0);
        }
        close(p[1]);
        /* length first: a grandchild left behind keeps the pipe open */
        uint32_t n = 0;
        g_autofree char *text = NULL;
        ssize_t k = read(p[0], &n, sizeof(n));
        if (k == sizeof(n)) {
                text = g_malloc0(n + 1);
                size_t got = 0;
                while (got < n && (k = read(p[0], text + got, n - got)) > 0)
                        got += (size_t) k;
        }
        close(p[0]);
        int status = 0;
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                g_test_message("the child: %s %d", WIFSIGNALED(status) ? "signal" : "status",
                               WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        g_assert_nonnull(text);
        if (text && text[0])
                g_test_message("in the child:\n%s", text);
        g_assert_cmpstr(text, ==, "");
}

static void on_sigterm(int sig) {
        (void) sig;
        _exit(42);
}

/* A process that waits to be moved and signalled: with term_handler, it exits 42 on SIGTERM
 * (a container's PID 1 ignores SIGTERM without one). Gone on its own after a minute. */
static pid_t fork_sleeper(bool term_handler) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                if (report_fd >= 0)
                        close(report_fd);
                close(p[0]);
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (term_handler)
                        signal(SIGTERM, on_sigterm);
                alarm(60);
                if (write(p[1], "x", 1) != 1)
                        _exit(2);
                close(p[1]);
                for (;;)
                        pause();
        }
        close(p[1]);
        char c;
        ssize_t k = read(p[0], &c, 1);
        close(p[0]);
        return k == 1 ? pid : -EIO;
}

/* waitpid with a deadline: pid, or 0 if it is still running after timeout_ms. */
static pid_t wait_exit(pid_t pid, unsigned timeout_ms, int *status) {
        for (unsigned waited = 0;; waited += 10) {
                pid_t r = waitpid(pid, status, WNOHANG);
                if (r != 0 || waited >= timeout_ms)
                        return r;
                g_usleep(10000);
        }
}

static void kill_and_reap(pid_t pid) {
        if (pid <= 0)
                return;
        (void) kill(pid, SIGKILL);
        (void) waitpid(pid, NULL, 0);
}

/* pid's cgroup in the hierarchy whose /proc/PID/cgroup controller list is ctrls ("" for v2). */
static char *proc_cgroup(pid_t pid, const char *ctrls) {
        g_autofree char *p = g_strdup_printf("/proc/%d/cgroup", (int) pid);
        g_autofree char *data = NULL;
        if (!g_file_get_contents(p, &data, NULL, NULL))
                return NULL;
        g_auto(GStrv) lines = g_strsplit(data, "\n", -1);
        for (char **l = lines; *l; l++) {
                char *c1 = strchr(*l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (c2 && (size_t) (c2 - c1 - 1) == strlen(ctrls) && strncmp(c1 + 1, ctrls, strlen(ctrls)) == 0)
                        return g_strdup(c2 + 1);
        }
        return NULL;
}

/* ---------------------------------------------------------------- pure: placement */

static void resolve_ok(Cgroup *cg, const char *path, const char *id, bool systemd) {
        char *error = NULL;
        int r = cgroup_resolve(cg, path, id, systemd, &error);
        if (r < 0)
                g_test_message("cgroup_resolve(%s): %s", path ?: "NULL", error);
        g_assert_cmpint(r, ==, 0);
        g_assert_null(error);
        free(error);
}

static void test_resolve_default(void) {
        _cleanup_cgroup_ Cgroup *cg = hand_built();
        resolve_ok(cg, NULL, "app", false);
        for (size_t i = 0; i < cg->n_hierarchies; i++)
                g_assert_cmpstr(cg->hierarchies[i].path, ==, "/ctr-launch/app");
        g_assert_null(cg->systemd_unit);
        g_assert_null(cg->systemd_slice);
}

static void test_resolve_absolute(void) {
        _cleanup_cgroup_ Cgroup *cg = hand_built();
        resolve_ok(cg, "/machine/ctr/app", "app", false);
        for (size_t i = 0; i < cg->n_hierarchies; i++)
                g_assert_cmpstr(cg->hierarchies[i].path, ==, "/machine/ctr/app");
        /* resolving again replaces the paths */
        resolve_ok(cg, "/other", "app", false);
        for (size_t i = 0; i < cg->n_hierarchies; i++)
                g_assert_cmpstr(cg->hierarchies[i].path, ==, "/other");
}

static void test_resolve_relative(void) {
        _cleanup_cgroup_ Cgroup *cg = hand_built();
        resolve_ok(cg, "ctr/app", "app", false);
        for (size_t i = 0; i < cg->n_hierarchies; i++) {
                const CgroupHierarchy *h = cg->hierarchies + i;
                g_autofree char *want = streq_own(h->own, "/") ? g_strdup("/ctr/app") : g_strconcat(h->own, "/ctr/app", NULL);
                g_assert_cmpstr(h->path, ==, want);
        }
}

static void test_resolve_refused(void) {
        static const char *const bad[] = { "", "/", "a/../b", "a//b", "a/", "./a", "a/.", "..", "//",
                                           "a\nb", "a\tb", "a\177b", "/a/\x01" };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                _cleanup_cgroup_ Cgroup *cg = hand_built();
                char *error = NULL;
                g_assert_cmpint(cgroup_resolve(cg, bad[i], "app", false, &error), ==, -EINVAL);
                g_assert_nonnull(error);
                if (error)
                        g_assert_true(g_str_has_prefix(error, "linux.cgroupsPath: "));
                free(error);
                /* nothing filled in */
                for (size_t j = 0; j < cg->n_hierarchies; j++)
                        g_assert_null(cg->hierarchies[j].path);
        }

        _cleanup_cgroup_ Cgroup *cg = hand_built();
        char *error = NULL;
        g_assert_cmpint(cgroup_resolve(cg, "system.slice:ctr:app", "app", false, &error), ==, -EINVAL);
        g_assert_nonnull(error);
        if (error)
                g_assert_nonnull(strstr(error, "--systemd-cgroup"));
        free(error);
}

static void test_resolve_mount_root(void) {
        /* a hierarchy mounted from below its root (a container's view, a bind mount) */
        _cleanup_cgroup_ Cgroup *cg = calloc(1, sizeof(Cgroup));
        cg->layout = CGROUP_LAYOUT_UNIFIED;
        add_hierarchy(cg, true, "/nonexistent/cg", "/machine.slice/c.scope", NULL, "/machine.slice/c.scope/init");

        char *error = NULL;
        g_assert_cmpint(cgroup_resolve(cg, NULL, "app", false, &error), ==, -EXDEV);
        g_assert_nonnull(error);
        if (error)
                g_assert_nonnull(strstr(error, "outside the part of the hierarchy mounted on /nonexistent/cg"));
        g_clear_pointer(&error, free);
        g_assert_cmpint(cgroup_resolve(cg, "/elsewhere/app", "app", false, &error), ==, -EXDEV);
        g_clear_pointer(&error, free);
        /* "/machine.slice/c.scopex" is not below "/machine.slice/c.scope" */
        g_assert_cmpint(cgroup_resolve(cg, "/machine.slice/c.scopex", "app", false, &error), ==, -EXDEV);
        g_clear_pointer(&error, free);

        resolve_ok(cg, "/machine.slice/c.scope/app", "app", false);
        g_assert_cmpstr(cg->hierarchies[0].path, ==, "/machine.slice/c.scope/app");
        resolve_ok(cg, "sub", "app", false);
        g_assert_cmpstr(cg->hierarchies[0].path, ==, "/machine.slice/c.scope/init/sub");

        char *fs = NULL;
        g_assert_cmpint(cgroup_fs_path(cg->hierarchies, "/machine.slice/c.scope/init/sub", &fs), ==, 0);
        g_assert_cmpstr(fs, ==, "/nonexistent/cg/init/sub");
        g_clear_pointer(&fs, free);
        g_assert_cmpint(cgroup_fs_path(cg->hierarchies, "/machine.slice/c.scope", &fs), ==, 0);
        g_assert_cmpstr(fs, ==, "/nonexistent/cg");
        g_clear_pointer(&fs, free);
        g_assert_cmpint(cgroup_fs_path(cg->hierarchies, "/machine.slice", &fs), ==, -EXDEV);
        g_assert_null(fs);
}

static void test_resolve_systemd(void) {
        _cleanup_cgroup_ Cgroup *cg = hand_built();
        resolve_ok(cg, "machine.slice:ctr:app", "app", true);
        g_assert_cmpstr(cg->systemd_unit, ==, "ctr-app.scope");
        g_assert_cmpstr(cg->systemd_slice, ==, "machine.slice");
        g_assert_true(cg->systemd_user == (geteuid() != 0));
        /* systemd says where the scope is, once it exists */
        for (size_t i = 0; i < cg->n_hierarchies; i++)
                g_assert_null(cg->hierarchies[i].path);

        /* the default: a scope named after the container, in the manager's default slice */
        _cleanup_cgroup_ Cgroup *cg2 = hand_built();
        resolve_ok(cg2, NULL, "app", true);
        g_assert_cmpstr(cg2->systemd_unit, ==, "ctr-launch-app.scope");
        g_assert_cmpstr(cg2->systemd_slice, ==, geteuid() == 0 ? "system.slice" : "user.slice");

        /* a plain path is not the systemd form */
        _cleanup_cgroup_ Cgroup *cg3 = hand_built();
        char *error = NULL;
        g_assert_cmpint(cgroup_resolve(cg3, "/a/b", "app", true, &error), ==, -EINVAL);
        g_assert_nonnull(error);
        free(error);
        g_assert_null(cg3->systemd_unit);
}

/* ---------------------------------------------------------------- pure: the record */

static void assert_strv_equal(char **a, char **b) {
        guint na = a ? g_strv_length(a) : 0, nb = b ? g_strv_length(b) : 0;
        g_assert_cmpuint(na, ==, nb);
        for (guint i = 0; i < na && i < nb; i++)
                g_assert_cmpstr(a[i], ==, b[i]);
}

static void assert_cgroup_equal(const Cgroup *a, const Cgroup *b) {
        g_assert_cmpint(a->layout, ==, b->layout);
        g_assert_cmpstr(a->systemd_unit, ==, b->systemd_unit);
        g_assert_cmpstr(a->systemd_slice, ==, b->systemd_slice);
        g_assert_cmpint(a->systemd_user, ==, b->systemd_user);
        g_assert_cmpstr(a->unit, ==, b->unit);
        g_assert_cmpstr(a->unit_cgroup, ==, b->unit_cgroup);
        g_assert_cmpint(a->unit_user, ==, b->unit_user);
        g_assert_cmpuint(a->n_hierarchies, ==, b->n_hierarchies);
        for (size_t i = 0; i < a->n_hierarchies && i < b->n_hierarchies; i++) {
                const CgroupHierarchy *x = a->hierarchies + i, *y = b->hierarchies + i;
                g_assert_cmpint(x->v2, ==, y->v2);
                g_assert_cmpstr(x->mount, ==, y->mount);
                g_assert_cmpstr(x->mount_root, ==, y->mount_root);
                assert_strv_equal(x->controllers, y->controllers);
                g_assert_cmpstr(x->own, ==, y->own);
                g_assert_cmpstr(x->path, ==, y->path);
                g_assert_cmpstr(x->created, ==, y->created);
        }
}

static void test_json_round_trip(void) {
        for (int layout = 0; layout < _CGROUP_LAYOUT_MAX; layout++) {
                _cleanup_cgroup_ Cgroup *cg = hand_built();
                cg->layout = layout;
                resolve_ok(cg, "/a b/\"quoted\"\\é", "app", false);
                cg->hierarchies[0].created = strdup("/a b");
                free(cg->hierarchies[1].mount_root);
                cg->hierarchies[1].mount_root = strdup("/");
                /* no controllers at all (a cgroup2 with none enabled) */
                g_strfreev(cg->hierarchies[3].controllers);
                cg->hierarchies[3].controllers = NULL;
                if (layout == CGROUP_LAYOUT_HYBRID) {
                        cg->systemd_unit = strdup("ctr-app.scope");
                        cg->systemd_slice = strdup("machine.slice");
                        cg->systemd_user = true;
                }
                if (layout == CGROUP_LAYOUT_UNIFIED) {
                        cg->unit = strdup("ctr@a.service");
                        cg->unit_cgroup = strdup("/user.slice/user-1000.slice/user@1000.service/app.slice/ctr@a.service");
                        cg->unit_user = true;
                }
                g_autofree char *json = cgroup_to_json(cg);
                g_assert_nonnull(json);
                _cleanup_cgroup_ Cgroup *back = NULL;
                char *error = NULL;
                g_assert_cmpint(cgroup_from_json(json, &back, &error), ==, 0);
                g_assert_null(error);
                g_assert_nonnull(back);
                if (back)
                        assert_cgroup_equal(cg, back);
                /* and it says the same again */
                g_autofree char *json2 = back ? cgroup_to_json(back) : NULL;
                g_assert_cmpstr(json, ==, json2);
        }

        /* no hierarchies at all is a record too */
        _cleanup_cgroup_ Cgroup *empty = NULL;
        g_assert_cmpint(cgroup_from_json("{\"layout\":\"unified\",\"hierarchies\":[]}", &empty, NULL), ==, 0);
        g_assert_nonnull(empty);
        if (empty)
                g_assert_cmpuint(empty->n_hierarchies, ==, 0);
}

static void test_json_refused(void) {
        static const char *const bad[] = {
                "",
                "not json",
                "{\"layout\":",
                "[]",
                "\"unified\"",
                "{\"hierarchies\":[]}",                                /* no layout */
                "{\"layout\":null,\"hierarchies\":[]}",
                "{\"layout\":\"v3\",\"hierarchies\":[]}",            /* unknown layout */
                "{\"layout\":2,\"hierarchies\":[]}",
                "{\"layout\":\"unified\"}",                          /* no hierarchies */
                "{\"layout\":\"unified\",\"hierarchies\":{}}",
                "{\"layout\":\"unified\",\"hierarchies\":\"/sys\"}",
                "{\"layout\":\"unified\",\"hierarchies\":[1]}",
                "{\"layout\":\"unified\",\"hierarchies\":[[]]}",
                "{\"layout\":\"unified\",\"hierarchies\":[{\"mountRoot\":\"/\",\"own\":\"/\"}]}", /* no mount */
                "{\"layout\":\"unified\",\"hierarchies\":[{\"mount\":1,\"mountRoot\":\"/\",\"own\":\"/\"}]}",
                "{\"layout\":\"unified\",\"hierarchies\":[{\"mount\":\"/m\",\"own\":\"/\"}]}",
                "{\"layout\":\"unified\",\"hierarchies\":[{\"mount\":\"/m\",\"mountRoot\":\"/\"}]}",
                "{\"layout\":\"unified\",\"hierarchies\":[{\"mount\":\"/m\",\"mountRoot\":\"/\",\"own\":\"/\","
                "\"path\":{}}]}",
                "{\"layout\":\"unified\",\"hierarchies\":[{\"mount\":\"/m\",\"mountRoot\":\"/\",\"own\":\"/\","
                "\"created\":[\"/x\"]}]}",
                "{\"layout\":\"unified\",\"hierarchies\":[{\"mount\":\"/m\",\"mountRoot\":\"/\",\"own\":\"/\","
                "\"controllers\":[1]}]}",
                "{\"layout\":\"unified\",\"hierarchies\":[{\"mount\":\"/m\",\"mountRoot\":\"/\",\"own\":\"/\","
                "\"controllers\":\"memory\"}]}",
                "{\"layout\":\"unified\",\"hierarchies\":[{\"v2\":\"yes\",\"mount\":\"/m\",\"mountRoot\":\"/\","
                "\"own\":\"/\"}]}",
                "{\"layout\":\"unified\",\"systemdUnit\":5,\"hierarchies\":[]}",
                "{\"layout\":\"unified\",\"systemdSlice\":[],\"hierarchies\":[]}",
                "{\"layout\":\"unified\",\"systemdUser\":\"true\",\"hierarchies\":[]}",
        };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                Cgroup *cg = NULL;
                char *error = NULL;
                int r = cgroup_from_json(bad[i], &cg, &error);
                if (r >= 0)
                        g_test_message("accepted: %s", bad[i]);
                g_assert_cmpint(r, ==, -EBADMSG);
                g_assert_null(cg);
                g_assert_nonnull(error);
                if (error)
                        g_assert_true(g_str_has_prefix(error, CGROUP_FILE ": "));
                free(error);
                cgroup_free(cg);
        }
}

/* ---------------------------------------------------------------- root: hybrid discovery */

static const CgroupHierarchy *find_by_controller(const Cgroup *cg, const char *c) {
        for (size_t i = 0; i < cg->n_hierarchies; i++)
                if (g_strv_contains((const char *const *) cg->hierarchies[i].controllers ?: (const char *const[]) { NULL }, c))
                        return cg->hierarchies + i;
        return NULL;
}

static const CgroupHierarchy *find_v2(const Cgroup *cg) {
        for (size_t i = 0; i < cg->n_hierarchies; i++)
                if (cg->hierarchies[i].v2)
                        return cg->hierarchies + i;
        return NULL;
}

/* Whether the host is the hybrid one these tests were written on. */
static bool host_is_hybrid(void) {
        return is_cgroup2("/sys/fs/cgroup/unified") && exists("/sys/fs/cgroup/memory/cgroup.procs");
}

static void test_discover_hybrid(void) {
        if (!need_root())
                return;
        if (!host_is_hybrid()) {
                g_test_skip("the host's cgroups are not hybrid (v1 controllers and /sys/fs/cgroup/unified)");
                return;
        }
        _cleanup_cgroup_ Cgroup *cg = NULL;
        char *error = NULL;
        g_assert_cmpint(cgroup_discover("/sys/fs/cgroup", &cg, &error), ==, 0);
        g_assert_null(error);
        free(error);
        g_assert_nonnull(cg);
        if (!cg)
                return;
        g_assert_cmpint(cg->layout, ==, CGROUP_LAYOUT_HYBRID);
        static const char *const v1[] = { "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids",
                                          "name=systemd" };
        for (size_t i = 0; i < G_N_ELEMENTS(v1); i++) {
                g_autofree char *dir = g_strdup_printf("/sys/fs/cgroup/%s",
                                                       streq_own(v1[i], "name=systemd") ? "systemd" : v1[i]);
                if (!exists(dir))
                        continue; /* another hybrid host may combine them differently */
                const CgroupHierarchy *h = find_by_controller(cg, v1[i]);
                g_assert_nonnull(h);
                if (h)
                        g_assert_false(h->v2);
        }
        const CgroupHierarchy *h2 = find_v2(cg);
        g_assert_nonnull(h2);
        if (h2) {
                g_assert_cmpstr(h2->mount, ==, "/sys/fs/cgroup/unified");
                g_autofree char *available = read_trimmed("/sys/fs/cgroup/unified/cgroup.controllers");
                if (available && strstr(available, "hugetlb"))
                        g_assert_true(g_strv_contains((const char *const *) h2->controllers, "hugetlb"));
        }
        size_t n_v2 = 0;
        for (size_t i = 0; i < cg->n_hierarchies; i++) {
                const CgroupHierarchy *h = cg->hierarchies + i;
                n_v2 += h->v2;
                g_assert_nonnull(h->own);
                g_assert_cmpstr(h->mount_root, ==, "/");
                g_assert_nonnull(h->mount);
                g_assert_null(h->path);
                g_assert_null(h->created);
                /* own is what /proc/self/cgroup says */
                g_autofree char *ctrls = h->v2 ? g_strdup("") : g_strjoinv(",", h->controllers);
                g_autofree char *own = proc_cgroup(getpid(), ctrls);
                if (own)
                        g_assert_cmpstr(h->own, ==, own);
        }
        g_assert_cmpuint(n_v2, ==, 1);

        /* nothing mounted there */
        _cleanup_cgroup_ Cgroup *none = NULL;
        g_assert_cmpint(cgroup_discover("/nonexistent", &none, &error), ==, -ENOMEDIUM);
        g_assert_nonnull(error);
        free(error);
        g_assert_null(none);
}

/* ---------------------------------------------------------------- root: legacy */

typedef struct LegacyArgs {
        char *scratch; /* an empty directory: a tmpfs goes there, v1 hierarchies in it */
        char *id;
} LegacyArgs;

static void legacy_child(GString *fails, void *arg) {
        const LegacyArgs *a = arg;
        char *error = NULL;
        CHECK(fails, unshare(CLONE_NEWNS) == 0, "%m");
        CHECK(fails, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0, "%m");

        /* The host without its cgroup2: the v1 controllers alone. */
        Cgroup *cg = NULL;
        if (umount2("/sys/fs/cgroup/unified", MNT_DETACH) == 0) {
                CHECK(fails, cgroup_discover("/sys/fs/cgroup", &cg, &error) == 0, "%s", error);
                CHECK(fails, cg && cg->layout == CGROUP_LAYOUT_LEGACY, "layout %d", cg ? (int) cg->layout : -1);
                for (size_t i = 0; cg && i < cg->n_hierarchies; i++)
                        CHECK(fails, !cg->hierarchies[i].v2 && cg->hierarchies[i].own, "%s", cg->hierarchies[i].mount);
                CHECK(fails, cg && find_by_controller(cg, "name=systemd") && find_by_controller(cg, "pids"), "missing");
                g_clear_pointer(&cg, cgroup_free);
                g_clear_pointer(&error, free);
        } else
                CHECK(fails, false, "umount /sys/fs/cgroup/unified: %m");

        /* A cgroup2 mounted over a v1 hierarchy hides it; a tmpfs over /sys/fs/cgroup hides all. */
        if (mount("cgroup2", "/sys/fs/cgroup/pids", "cgroup2", 0, NULL) == 0) {
                CHECK(fails, cgroup_discover("/sys/fs/cgroup", &cg, &error) == 0, "%s", error);
                CHECK(fails, cg && cg->layout == CGROUP_LAYOUT_HYBRID, "layout %d", cg ? (int) cg->layout : -1);
                CHECK(fails, cg && !find_by_controller(cg, "pids"), "the hidden pids hierarchy was found");
                g_clear_pointer(&cg, cgroup_free);
                g_clear_pointer(&error, free);
        }
        CHECK(fails, mount("tmpfs", "/sys/fs/cgroup", "tmpfs", 0, "mode=0755") == 0, "%m");
        int r = cgroup_discover("/sys/fs/cgroup", &cg, &error);
        CHECK(fails, r == -ENOMEDIUM, "%d %s, %zu hierarchies", r, error, cg ? cg->n_hierarchies : 0);
        g_clear_pointer(&cg, cgroup_free);
        g_clear_pointer(&error, free);

        /* A scratch copy: cpu, then pids, mounted on a tmpfs of our own. cpu comes first and so
         * tracks the processes: "cpu" must not be taken for "cpuset" in /proc/PID/cgroup. */
        g_autofree char *cpu = g_build_filename(a->scratch, "cpu", NULL);
        g_autofree char *pids = g_build_filename(a->scratch, "pids", NULL);
        CHECK(fails, mount("tmpfs", a->scratch, "tmpfs", 0, "mode=0755") == 0, "%m");
        CHECK(fails, mkdir(cpu, 0755) == 0 && mkdir(pids, 0755) == 0, "%m");
        CHECK(fails, mount("cgroup", cpu, "cgroup", 0, "cpu") == 0, "mount cpu: %m");
        CHECK(fails, mount("cgroup", pids, "cgroup", 0, "pids") == 0, "mount pids: %m");
        CHECK(fails, cgroup_discover(a->scratch, &cg, &error) == 0, "%s", error);
        g_clear_pointer(&error, free);
        if (!cg)
                return;
        CHECK(fails, cg->layout == CGROUP_LAYOUT_LEGACY, "layout %d", (int) cg->layout);
        CHECK(fails, cg->n_hierarchies == 2, "%zu hierarchies", cg->n_hierarchies);
        for (size_t i = 0; i < cg->n_hierarchies; i++) {
                const CgroupHierarchy *h = cg->hierarchies + i;
                g_autofree char *want = proc_cgroup(getpid(), h->controllers[0]);
                CHECK(fails, !h->v2 && streq_own(h->own, want), "%s: own %s, not %s", h->mount, h->own, want);
        }

        /* a container's life on v1 alone: a pids limit, kill without cgroup.kill nor freezer */
        g_autofree char *path = g_strdup_printf("/%s/c", a->id);
        CHECK(fails, cgroup_resolve(cg, path, "c", false, &error) == 0, "%s", error);
        g_clear_pointer(&error, free);
        pid_t pid = fork_sleeper(false);
        CHECK(fails, pid > 0, "fork: %s", g_strerror(-pid));
        OciResources res = { .has_pids_limit = true, .pids_limit = 7 };
        r = cgroup_create(cg, &res, pid, &error);
        CHECK(fails, r == 0, "cgroup_create: %s", error);
        g_clear_pointer(&error, free);
        if (r == 0) {
                g_autofree char *want = g_strdup_printf("/%s", a->id);
                for (size_t i = 0; i < cg->n_hierarchies; i++)
                        CHECK(fails, streq_own(cg->hierarchies[i].created, want), "created %s",
                              cg->hierarchies[i].created);
                g_autofree char *max_file = g_strdup_printf("%s/%s/c/pids.max", pids, a->id);
                g_autofree char *max = read_trimmed(max_file);
                CHECK(fails, streq_own(max, "7"), "pids.max %s", max);
                g_autofree char *in_cpu = proc_cgroup(pid, "cpu");
                CHECK(fails, streq_own(in_cpu, path), "in %s", in_cpu);
                CHECK(fails, cgroup_is_frozen(cg) == -EOPNOTSUPP, "a freezer without a freezer");
                CHECK(fails, cgroup_kill(cg, SIGKILL, &error) == 0, "cgroup_kill: %s", error);
                g_clear_pointer(&error, free);
                int status = 0;
                CHECK(fails, wait_exit(pid, 3000, &status) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                      "status %#x", status);
                pid = 0;
                CHECK(fails, cgroup_destroy(cg, 2000, &error) == 0, "cgroup_destroy: %s", error);
                g_clear_pointer(&error, free);
                g_autofree char *top_cpu = g_build_filename(cpu, a->id, NULL);
                g_autofree char *top_pids = g_build_filename(pids, a->id, NULL);
                CHECK(fails, !exists(top_cpu) && !exists(top_pids), "%s or %s left", top_cpu, top_pids);
        }
        kill_and_reap(pid);
        cgroup_free(cg);
        /* the scratch tmpfs and mounts go with the mount namespace */
}

static void test_legacy(void) {
        if (!need_root())
                return;
        if (!host_is_hybrid()) {
                g_test_skip("written for a hybrid host: makes a v1-only view of it");
                return;
        }
        g_test_set_nonfatal_assertions();
        LegacyArgs a = { .scratch = g_dir_make_tmp("test-cgroup-legacy-XXXXXX", NULL),
                         .id = g_strdup_printf("ctr-test-legacy-%d", (int) getpid()) };
        g_assert_nonnull(a.scratch);
        if (!a.scratch)
                return;
        g_ptr_array_add(scratch_dirs, g_strdup(a.scratch));
        /* the same v1 hierarchies as the host's: what the child leaves behind is visible here */
        g_ptr_array_add(scratch_cgroups, g_build_filename("/sys/fs/cgroup/cpu", a.id, NULL));
        g_ptr_array_add(scratch_cgroups, g_build_filename("/sys/fs/cgroup/pids", a.id, NULL));
        run_in_child(legacy_child, &a);
        g_autofree char *left = g_build_filename("/sys/fs/cgroup/pids", a.id, NULL);
        g_assert_false(exists(left));
        cleanup();
        g_free(a.scratch);
        g_free(a.id);
}

/* ---------------------------------------------------------------- root: unified */

typedef struct UnifiedArgs {
        char *ns_dir; /* the host's path of the cgroup that roots the child's cgroup namespace */
        char *mnt;    /* an empty directory: the child mounts its cgroup2 there */
        bool hugetlb; /* the hierarchy has hugetlb and the kernel 2 MiB pages */
} UnifiedArgs;

#define HUGETLB_LIMIT "8388608" /* 4 pages of 2 MiB */

/* In a cgroup namespace rooted at ns_dir, with a cgroup2 of its own on mnt: an isolated
 * unified hierarchy whose root holds no process (the child sits in "/self"), so that
 * /ctr-launch is ours alone and the whole life of a container can be checked. */
static void unified_child(GString *fails, void *arg) {
        const UnifiedArgs *a = arg;
        char *error = NULL;
        g_autofree char *in = NULL, *events_file = NULL, *events = NULL, *json = NULL;
        g_autofree char *ns_procs = g_build_filename(a->ns_dir, "cgroup.procs", NULL);
        g_autofree char *self_procs = g_build_filename(a->ns_dir, "self", "cgroup.procs", NULL);
        CHECK(fails, write_string(ns_procs, "0") == 0, "join %s", a->ns_dir);
        CHECK(fails, unshare(CLONE_NEWNS | CLONE_NEWCGROUP) == 0, "unshare: %m");
        CHECK(fails, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0, "%m");
        CHECK(fails, write_string(self_procs, "0") == 0, "join %s/self", a->ns_dir);
        if (mount("cgroup2", a->mnt, "cgroup2", 0, NULL) < 0) {
                CHECK(fails, false, "mount cgroup2 on %s: %m", a->mnt);
                return;
        }

        Cgroup *cg = NULL;
        CHECK(fails, cgroup_discover(a->mnt, &cg, &error) == 0, "cgroup_discover: %s", error);
        g_clear_pointer(&error, free);
        if (!cg)
                return;
        CHECK(fails, cg->layout == CGROUP_LAYOUT_UNIFIED, "layout %d", (int) cg->layout);
        CHECK(fails, cg->n_hierarchies == 1, "%zu hierarchies", cg->n_hierarchies);
        const CgroupHierarchy *h = cg->hierarchies;
        CHECK(fails, h->v2 && streq_own(h->mount, a->mnt) && streq_own(h->mount_root, "/"), "%s %s", h->mount,
              h->mount_root);
        CHECK(fails, streq_own(h->own, "/self"), "own %s", h->own);
        if (a->hugetlb)
                CHECK(fails, h->controllers && g_strv_contains((const char *const *) h->controllers, "hugetlb"),
                      "no hugetlb");

        g_autofree char *id = g_strdup_printf("t-%d", (int) getpid());
        g_autofree char *path = g_strdup_printf("/ctr-launch/%s", id);
        g_autofree char *top = g_build_filename(a->mnt, "ctr-launch", NULL);
        g_autofree char *leaf = g_build_filename(top, id, NULL);
        CHECK(fails, cgroup_resolve(cg, NULL, id, false, &error) == 0, "cgroup_resolve: %s", error);
        g_clear_pointer(&error, free);
        CHECK(fails, streq_own(h->path, path), "path %s", h->path);

        OciHugepageLimit hp = { .page_size = (char *) "2MB", .limit = 8388608 };
        OciResources res = { .hugepage_limits = &hp, .n_hugepage_limits = 1 };
        pid_t pid = fork_sleeper(false), other = 0;
        CHECK(fails, pid > 0, "fork: %s", g_strerror(-pid));
        int r = pid > 0 ? cgroup_create(cg, a->hugetlb ? &res : NULL, pid, &error) : -ESRCH;
        CHECK(fails, r == 0, "cgroup_create: %s", error);
        g_clear_pointer(&error, free);
        if (r < 0)
                goto out;
        CHECK(fails, streq_own(h->created, "/ctr-launch"), "created %s", h->created);
        if (a->hugetlb) {
                g_autofree char *file = g_build_filename(leaf, "hugetlb.2MB.max", NULL);
                g_autofree char *v = read_trimmed(file);
                CHECK(fails, streq_own(v, HUGETLB_LIMIT), "hugetlb.2MB.max %s", v);
        }
        in = proc_cgroup(pid, "");
        CHECK(fails, streq_own(in, path), "the process is in %s", in);

        pid_t *pids = NULL;
        size_t n = 0;
        CHECK(fails, cgroup_pids(cg, &pids, &n, &error) == 0, "cgroup_pids: %s", error);
        g_clear_pointer(&error, free);
        CHECK(fails, n == 1 && pids[0] == pid, "%zu pids", n);
        free(pids);

        /* freeze: cgroup.freeze, and the kernel says it is done in cgroup.events */
        events_file = g_build_filename(leaf, "cgroup.events", NULL);
        CHECK(fails, cgroup_is_frozen(cg) == 0, "frozen before");
        CHECK(fails, cgroup_freeze(cg, true, &error) == 0, "freeze: %s", error);
        g_clear_pointer(&error, free);
        CHECK(fails, cgroup_is_frozen(cg) == 1, "not frozen");
        events = read_trimmed(events_file);
        CHECK(fails, events && strstr(events, "frozen 1"), "cgroup.events: %s", events);
        CHECK(fails, cgroup_freeze(cg, false, &error) == 0, "thaw: %s", error);
        g_clear_pointer(&error, free);
        CHECK(fails, cgroup_is_frozen(cg) == 0, "still frozen");
        g_free(events);
        events = read_trimmed(events_file);
        CHECK(fails, events && strstr(events, "frozen 0"), "cgroup.events: %s", events);

        CgroupStats st;
        CHECK(fails, cgroup_stats(cg, &st, &error) == 0, "cgroup_stats: %s", error);
        g_clear_pointer(&error, free);
        CHECK(fails, st.has_cpu && !st.has_memory && !st.has_pids, "cpu %d memory %d pids %d", st.has_cpu,
              st.has_memory, st.has_pids);

        /* Another container with the same path finds the leaf in use: it fails, and neither it
         * nor the destroy its caller then runs touches the first one's cgroup or process. */
        Cgroup *cg2 = NULL;
        CHECK(fails, cgroup_discover(a->mnt, &cg2, &error) == 0, "cgroup_discover: %s", error);
        g_clear_pointer(&error, free);
        if (cg2) {
                CHECK(fails, cgroup_resolve(cg2, NULL, id, false, &error) == 0, "cgroup_resolve: %s", error);
                g_clear_pointer(&error, free);
                other = fork_sleeper(false);
                CHECK(fails, other > 0, "fork");
                r = cgroup_create(cg2, NULL, other, &error);
                CHECK(fails, r == -EBUSY, "second cgroup_create: %d %s", r, error);
                CHECK(fails, error && strstr(error, "already in use"), "%s", error);
                g_clear_pointer(&error, free);
                CHECK(fails, cgroup_destroy(cg2, 0, &error) == 0, "destroy after the failed create: %s", error);
                g_clear_pointer(&error, free);
                g_usleep(100000); /* a SIGKILL through cgroup.kill would have landed by now */
                CHECK(fails, waitpid(pid, NULL, WNOHANG) == 0, "the first one's process died");
                CHECK(fails, exists(leaf), "the first one's cgroup was removed");
                g_free(in);
                in = proc_cgroup(pid, "");
                CHECK(fails, streq_own(in, path), "the first one's process is now in %s", in);
                g_autofree char *other_in = proc_cgroup(other, "");
                CHECK(fails, streq_own(other_in, "/self"), "the second one's process went to %s", other_in);
                kill_and_reap(other);
                other = 0;
                cgroup_free(cg2);
        }

        {
                /* The same leaf named by cgroupsPath (a pod's shared cgroup): joined with a warning, as
                 * runc does, and recorded shared; its destroy kills nothing there and leaves the leaf. */
                if (cgroup_discover(a->mnt, &cg2, &error) == 0) {
                        CHECK(fails, cgroup_resolve(cg2, path, id, false, &error) == 0, "cgroup_resolve: %s", error);
                        g_clear_pointer(&error, free);
                        other = fork_sleeper(false);
                        r = cgroup_create(cg2, NULL, other, &error);
                        CHECK(fails, r == 0 && cg2->shared, "cgroup_create in the populated %s: %d %s", path, r, error);
                        g_clear_pointer(&error, free);
                        g_autofree char *other_in = proc_cgroup(other, "");
                        CHECK(fails, streq_own(other_in, path), "the joining process is in %s", other_in);
                        CHECK(fails, cgroup_destroy(cg2, 0, &error) == 0, "destroy of the joined one: %s", error);
                        g_clear_pointer(&error, free);
                        g_usleep(100000);
                        CHECK(fails, waitpid(pid, NULL, WNOHANG) == 0, "the first one's process died");
                        CHECK(fails, exists(leaf), "the shared cgroup was removed");
                        kill_and_reap(other);
                        other = 0;
                        g_clear_pointer(&cg2, cgroup_free);
                }
                g_clear_pointer(&error, free);

                /* Frozen by someone: the leaf itself, or a new one below it (the kernel freezes it too),
                 * is refused before anything is moved or written; the frozen leaf stays as it was. */
                g_autofree char *freeze_file = g_build_filename(leaf, "cgroup.freeze", NULL);
                CHECK(fails, write_string(freeze_file, "1") == 0, "freeze %s", leaf);
                for (int i = 0; i < 300; i++) {
                        events = read_trimmed(events_file);
                        if (events && strstr(events, "frozen 1"))
                                break;
                        g_clear_pointer(&events, g_free);
                        g_usleep(10000);
                }
                CHECK(fails, events && strstr(events, "frozen 1"), "cgroup.events: %s", events);
                g_clear_pointer(&events, g_free);
                CHECK(fails, cgroup_frozen_anywhere(cg, NULL) == 1, "not frozen anywhere");
                g_autofree char *child = g_strdup_printf("%s/child", path);
                const char *frozen_paths[] = { path, child };
                for (size_t i = 0; i < G_N_ELEMENTS(frozen_paths); i++) {
                        if (cgroup_discover(a->mnt, &cg2, &error) < 0)
                                break;
                        CHECK(fails, cgroup_resolve(cg2, frozen_paths[i], id, false, &error) == 0, "cgroup_resolve: %s",
                              error);
                        g_clear_pointer(&error, free);
                        other = fork_sleeper(false);
                        r = cgroup_create(cg2, NULL, other, &error);
                        CHECK(fails, r == -EBUSY && error && strstr(error, "is frozen"),
                              "cgroup_create in the frozen %s: %d %s", frozen_paths[i], r, error);
                        g_clear_pointer(&error, free);
                        g_autofree char *other_in = proc_cgroup(other, "");
                        CHECK(fails, streq_own(other_in, "/self"), "the refused process went to %s", other_in);
                        CHECK(fails, cgroup_destroy(cg2, 0, &error) == 0, "destroy after the refusal: %s", error);
                        g_clear_pointer(&error, free);
                        g_autofree char *frozen = read_trimmed(freeze_file);
                        CHECK(fails, streq_own(frozen, "1") && exists(leaf), "the frozen leaf: %s", frozen);
                        g_autofree char *child_dir = g_build_filename(leaf, "child", NULL);
                        CHECK(fails, !exists(child_dir), "%s left", child_dir);
                        kill_and_reap(other);
                        other = 0;
                        g_clear_pointer(&cg2, cgroup_free);
                }
                g_clear_pointer(&error, free);
                /* What delete does first: a fatal signal gets through v2's freezer, but the freeze goes. */
                cgroup_thaw_for_kill(cg, -EBADF);
                g_autofree char *thawed = read_trimmed(freeze_file);
                CHECK(fails, streq_own(thawed, "0"), "cgroup.freeze after cgroup_thaw_for_kill: %s", thawed);
        }

        /* Below our own cgroup, which has a process (us): no controller can be enabled there
         * for a child (v2's no-internal-process rule). The error says so; nothing is left. */
        if (a->hugetlb && cgroup_discover(a->mnt, &cg2, &error) == 0) {
                CHECK(fails, cgroup_resolve(cg2, "sub", id, false, &error) == 0, "cgroup_resolve: %s", error);
                g_clear_pointer(&error, free);
                CHECK(fails, streq_own(cg2->hierarchies[0].path, "/self/sub"), "%s", cg2->hierarchies[0].path);
                other = fork_sleeper(false);
                r = cgroup_create(cg2, &res, other, &error);
                CHECK(fails, r == -EBUSY, "cgroup_create below our own cgroup: %d %s", r, error);
                CHECK(fails, error && strstr(error, "enable the hugetlb controller"), "%s", error);
                g_clear_pointer(&error, free);
                g_autofree char *sub = g_build_filename(a->mnt, "self", "sub", NULL);
                CHECK(fails, !exists(sub), "%s left behind", sub);
                kill_and_reap(other);
                other = 0;
                g_clear_pointer(&cg2, cgroup_free);
        }
        g_clear_pointer(&error, free);

        /* No memory controller on this hierarchy: refused before anything is made. */
        OciResources mem = { .has_memory_limit = true, .memory_limit = 1 << 26 };
        r = cgroup_check_resources(cg, &mem, &error);
        CHECK(fails, r == -EOPNOTSUPP, "cgroup_check_resources: %d", r);
        CHECK(fails, error && strstr(error, "linux.resources.memory") && strstr(error, "no memory controller"), "%s",
              error);
        g_clear_pointer(&error, free);

        /* The rest as delete does it: from the record. */
        json = cgroup_to_json(cg);
        Cgroup *rec = NULL;
        CHECK(fails, json && cgroup_from_json(json, &rec, &error) == 0, "cgroup_from_json: %s", error);
        g_clear_pointer(&error, free);
        if (rec) {
                CHECK(fails, cgroup_kill(rec, SIGKILL, &error) == 0, "cgroup_kill: %s", error);
                g_clear_pointer(&error, free);
                int status = 0;
                CHECK(fails, wait_exit(pid, 3000, &status) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                      "status %#x", status);
                pid = 0;
                CHECK(fails, cgroup_destroy(rec, 2000, &error) == 0, "cgroup_destroy: %s", error);
                g_clear_pointer(&error, free);
                CHECK(fails, !exists(leaf), "%s left", leaf);
                CHECK(fails, !exists(top), "%s, which create made, left", top);
                CHECK(fails, cgroup_is_frozen(rec) == -ENOENT, "a removed cgroup");
                cgroup_free(rec);
        }
out:
        kill_and_reap(pid);
        kill_and_reap(other);
        cgroup_free(cg);
        free(error);
        (void) umount2(a->mnt, MNT_DETACH);
}

static void test_unified(void) {
        if (!need_root())
                return;
        const char *base = host_cgroup2();
        if (!base) {
                g_test_skip("the host has no cgroup2 hierarchy to root a cgroup namespace in");
                return;
        }
        g_test_set_nonfatal_assertions();
        g_autofree char *available = NULL, *base_controllers = g_build_filename(base, "cgroup.controllers", NULL);
        available = read_trimmed(base_controllers);
        UnifiedArgs a = {
                .ns_dir = g_strdup_printf("%s/ctr-test-cg-%d/ns", base, (int) getpid()),
                .mnt = g_dir_make_tmp("test-cgroup-unified-XXXXXX", NULL),
                .hugetlb = available && strstr(available, "hugetlb") && exists("/sys/kernel/mm/hugepages/hugepages-2048kB"),
        };
        g_autofree char *scratch = g_path_get_dirname(a.ns_dir);
        g_autofree char *self = g_build_filename(a.ns_dir, "self", NULL);
        g_assert_nonnull(a.mnt);
        if (a.mnt)
                g_ptr_array_add(scratch_dirs, g_strdup(a.mnt));
        if (mkdir(scratch, 0755) < 0) {
                g_autofree char *msg = g_strdup_printf("cannot make %s: %s", scratch, g_strerror(errno));
                cleanup();
                g_test_skip(msg);
                goto out;
        }
        g_ptr_array_add(scratch_cgroups, g_strdup(scratch));
        g_assert_cmpint(mkdir(a.ns_dir, 0755), ==, 0);
        g_assert_cmpint(mkdir(self, 0755), ==, 0);
        if (a.hugetlb) {
                /* hugetlb down to the namespace's root, which then offers it */
                g_autofree char *root_sc = g_build_filename(base, "cgroup.subtree_control", NULL);
                g_autofree char *scratch_sc = g_build_filename(scratch, "cgroup.subtree_control", NULL);
                g_autofree char *enabled = read_trimmed(root_sc);
                if (enabled && !strstr(enabled, "hugetlb") && write_string(root_sc, "+hugetlb") == 0)
                        hugetlb_enabled_at = g_strdup(root_sc);
                if (write_string(scratch_sc, "+hugetlb") < 0) {
                        g_test_message("hugetlb cannot be enabled below %s: not tested", base);
                        a.hugetlb = false;
                }
        } else
                g_test_message("no hugetlb controller or no 2 MiB pages: limits not tested");
        if (a.mnt)
                run_in_child(unified_child, &a);
        cleanup();
        g_assert_false(exists(scratch));
out:
        g_free(a.ns_dir);
        g_free(a.mnt);
}

/* ---------------------------------------------------------------- root: hybrid operations */

static void test_hybrid_ops(void) {
        if (!need_root())
                return;
        if (!host_is_hybrid()) {
                g_test_skip("the host's cgroups are not hybrid");
                return;
        }
        g_test_set_nonfatal_assertions();
        char *error = NULL;
        g_autofree char *state_file = NULL, *state = NULL;
        g_autofree char *id = g_strdup_printf("t-hyb-%d", (int) getpid());
        g_autofree char *path = g_strdup_printf("/ctr-launch/%s", id);
        _cleanup_cgroup_ Cgroup *cg = NULL;
        g_assert_cmpint(cgroup_discover("/sys/fs/cgroup", &cg, &error), ==, 0);
        g_assert_null(error);
        if (!cg)
                return;
        g_assert_cmpint(cgroup_resolve(cg, NULL, id, false, &error), ==, 0);
        g_assert_null(error);
        for (size_t i = 0; i < cg->n_hierarchies; i++)
                g_ptr_array_add(scratch_cgroups, g_strconcat(cg->hierarchies[i].mount, path, NULL));

        pid_t pid = fork_sleeper(true);
        g_assert_cmpint(pid, >, 0);
        if (pid <= 0)
                goto out;
        OciResources res = {
                .has_memory_limit = true, .memory_limit = 64 << 20,
                .has_pids_limit = true, .pids_limit = 32,
                .has_cpu_quota = true, .cpu_quota = 50000,
                .has_cpu_period = true, .cpu_period = 100000,
        };
        int r = cgroup_create(cg, &res, pid, &error);
        if (r < 0)
                g_test_message("cgroup_create: %s", error);
        g_assert_cmpint(r, ==, 0);
        g_clear_pointer(&error, free);
        if (r < 0)
                goto out;

        /* v1 files, each in its controller's hierarchy */
        static const struct {
                const char *dir, *file, *value;
        } files[] = {
                { "memory", "memory.limit_in_bytes", "67108864" },
                { "pids", "pids.max", "32" },
                { "cpu", "cpu.cfs_quota_us", "50000" },
                { "cpu", "cpu.cfs_period_us", "100000" },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
                g_autofree char *p = g_strdup_printf("/sys/fs/cgroup/%s%s/%s", files[i].dir, path, files[i].file);
                g_autofree char *v = read_trimmed(p);
                g_assert_cmpstr(v, ==, files[i].value);
        }
        /* the process is in the container's cgroup in every hierarchy, unified included */
        for (size_t i = 0; i < cg->n_hierarchies; i++) {
                const CgroupHierarchy *h = cg->hierarchies + i;
                g_assert_cmpstr(h->path, ==, path);
                g_autofree char *ctrls = h->v2 ? g_strdup("") : g_strjoinv(",", h->controllers);
                g_autofree char *in = proc_cgroup(pid, ctrls);
                if (!streq_own(in, path))
                        g_test_message("in %s: %s", h->mount, in);
                g_assert_cmpstr(in, ==, path);
        }

        pid_t *pids = NULL;
        size_t n = 0;
        g_assert_cmpint(cgroup_pids(cg, &pids, &n, &error), ==, 0);
        g_assert_cmpuint(n, ==, 1);
        if (n == 1)
                g_assert_cmpint(pids[0], ==, pid);
        free(pids);

        /* v1's freezer */
        state_file = g_strdup_printf("/sys/fs/cgroup/freezer%s/freezer.state", path);
        g_assert_cmpint(cgroup_freeze(cg, true, &error), ==, 0);
        g_assert_null(error);
        g_assert_cmpint(cgroup_is_frozen(cg), ==, 1);
        state = read_trimmed(state_file);
        g_assert_cmpstr(state, ==, "FROZEN");
        g_assert_cmpint(cgroup_freeze(cg, false, &error), ==, 0);
        g_assert_null(error);
        g_assert_cmpint(cgroup_is_frozen(cg), ==, 0);
        g_free(state);
        state = read_trimmed(state_file);
        g_assert_cmpstr(state, ==, "THAWED");

        CgroupStats st;
        g_assert_cmpint(cgroup_stats(cg, &st, &error), ==, 0);
        g_assert_null(error);
        g_assert_true(st.has_memory);
        g_assert_cmpuint(st.memory_limit, ==, 64 << 20);
        g_assert_true(st.has_pids);
        g_assert_cmpuint(st.pids_current, ==, 1);
        g_assert_cmpuint(st.pids_limit, ==, 32);
        g_assert_true(st.has_cpu);

        /* SIGTERM one by one through pidfds (frozen meanwhile): the handler exits 42 */
        g_assert_cmpint(cgroup_kill(cg, SIGTERM, &error), ==, 0);
        g_assert_null(error);
        int status = 0;
        g_assert_cmpint(wait_exit(pid, 3000, &status), ==, pid);
        g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 42);
        pid = 0;
        g_assert_cmpint(cgroup_is_frozen(cg), ==, 0);

        g_assert_cmpint(cgroup_destroy(cg, 5000, &error), ==, 0);
        g_assert_null(error);
        for (size_t i = 0; i < cg->n_hierarchies; i++) {
                g_autofree char *dir = g_strconcat(cg->hierarchies[i].mount, path, NULL);
                g_assert_false(exists(dir));
        }
out:
        kill_and_reap(pid);
        free(error);
        cleanup();
}

/* ---------------------------------------------------------------- root: delegated unit */

typedef struct DelegatedArgs {
        const char *base;  /* the host's cgroup2 mount */
        const char *unit;  /* "ctr-test-PID.service", with trusted.delegate=1 */
        const char *plain; /* "ctr-test-PID-plain.service", without */
} DelegatedArgs;

static void check_all_paths(GString *fails, int line, const char *cgroups_path, const char *want) {
        Cgroup *cg = NULL;
        char *error = NULL;
        if (cgroup_discover("/sys/fs/cgroup", &cg, &error) < 0 || cgroup_resolve(cg, cgroups_path, "x", false, &error) < 0)
                CHECK(fails, false, "line %d: %s", line, error);
        for (size_t i = 0; cg && i < cg->n_hierarchies; i++)
                CHECK(fails, streq_own(cg->hierarchies[i].path, want), "line %d: %s: %s, not %s", line,
                      cg->hierarchies[i].mount, cg->hierarchies[i].path, want);
        cgroup_free(cg);
        free(error);
}

static void delegated_child(GString *fails, void *arg) {
        const DelegatedArgs *a = arg;
        g_autofree char *unit_procs = g_build_filename(a->base, a->unit, "cgroup.procs", NULL);
        g_autofree char *control_procs = g_build_filename(a->base, a->unit, ".control", "cgroup.procs", NULL);
        g_autofree char *plain_procs = g_build_filename(a->base, a->plain, "cgroup.procs", NULL);
        g_autofree char *root_procs = g_build_filename(a->base, "cgroup.procs", NULL);
        g_autofree char *container = g_strdup_printf("/%s/container", a->unit);
        g_autofree char *sub = g_strdup_printf("/%s/sub/leaf", a->unit);

        setenv("INVOCATION_ID", "5c3b6b1e1d2a4e0f9a8b7c6d5e4f3a2b", 1);
        CHECK(fails, write_string(unit_procs, "0") == 0, "join %s", a->unit);
        check_all_paths(fails, __LINE__, NULL, container);
        check_all_paths(fails, __LINE__, "sub/leaf", sub);
        /* never beside the unit, whatever cgroupsPath says */
        check_all_paths(fails, __LINE__, "/elsewhere", container);

        /* ExecStartPre= runs in the unit's .control leaf */
        CHECK(fails, write_string(control_procs, "0") == 0, "join %s/.control", a->unit);
        check_all_paths(fails, __LINE__, NULL, container);

        /* not in a unit: no INVOCATION_ID, or a unit without the delegate mark */
        unsetenv("INVOCATION_ID");
        check_all_paths(fails, __LINE__, NULL, "/ctr-launch/x");
        setenv("INVOCATION_ID", "5c3b6b1e1d2a4e0f9a8b7c6d5e4f3a2b", 1);
        CHECK(fails, write_string(plain_procs, "0") == 0, "join %s", a->plain);
        check_all_paths(fails, __LINE__, NULL, "/ctr-launch/x");

        /* out again, so that the scratch cgroups can go at once */
        (void) write_string(root_procs, "0");
}

static void test_delegated(void) {
        if (!need_root())
                return;
        const char *base = host_cgroup2();
        if (!base || !host_is_hybrid()) {
                g_test_skip("written for a hybrid host (v1 hierarchies follow the unit's cgroup)");
                return;
        }
        g_test_set_nonfatal_assertions();
        g_autofree char *unit = g_strdup_printf("ctr-test-%d.service", (int) getpid());
        g_autofree char *plain = g_strdup_printf("ctr-test-%d-plain.service", (int) getpid());
        g_autofree char *unit_dir = g_build_filename(base, unit, NULL);
        g_autofree char *plain_dir = g_build_filename(base, plain, NULL);
        g_autofree char *control_dir = g_build_filename(unit_dir, ".control", NULL);
        if (mkdir(unit_dir, 0755) < 0) {
                g_autofree char *msg = g_strdup_printf("cannot make %s: %s", unit_dir, g_strerror(errno));
                g_test_skip(msg);
                return;
        }
        g_ptr_array_add(scratch_cgroups, g_strdup(unit_dir));
        g_ptr_array_add(scratch_cgroups, g_strdup(plain_dir));
        if (setxattr(unit_dir, "trusted.delegate", "1", 1, 0) < 0) {
                g_autofree char *msg = g_strdup_printf("cannot set trusted.delegate on %s: %s", unit_dir, g_strerror(errno));
                cleanup();
                g_test_skip(msg);
                return;
        }
        g_assert_cmpint(mkdir(control_dir, 0755), ==, 0);
        g_assert_cmpint(mkdir(plain_dir, 0755), ==, 0);
        DelegatedArgs a = { .base = base, .unit = unit, .plain = plain };
        run_in_child(delegated_child, &a);
        cleanup();
        g_assert_false(exists(unit_dir));
        g_assert_false(exists(plain_dir));
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        /* placement must not depend on the unit the tests run in */
        unsetenv("INVOCATION_ID");
        scratch_cgroups = g_ptr_array_new_with_free_func(g_free);
        scratch_dirs = g_ptr_array_new_with_free_func(g_free);
        static const int fatal[] = { SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGABRT, SIGSEGV, SIGBUS, SIGTRAP };
        for (size_t i = 0; i < G_N_ELEMENTS(fatal); i++)
                signal(fatal[i], on_fatal_signal);

        g_test_add_func("/cgroup/resolve/default", test_resolve_default);
        g_test_add_func("/cgroup/resolve/absolute", test_resolve_absolute);
        g_test_add_func("/cgroup/resolve/relative", test_resolve_relative);
        g_test_add_func("/cgroup/resolve/refused", test_resolve_refused);
        g_test_add_func("/cgroup/resolve/mount-root", test_resolve_mount_root);
        g_test_add_func("/cgroup/resolve/systemd", test_resolve_systemd);
        g_test_add_func("/cgroup/json/round-trip", test_json_round_trip);
        g_test_add_func("/cgroup/json/refused", test_json_refused);
        g_test_add_func("/cgroup/root/discover-hybrid", test_discover_hybrid);
        g_test_add_func("/cgroup/root/legacy", test_legacy);
        g_test_add_func("/cgroup/root/unified", test_unified);
        g_test_add_func("/cgroup/root/hybrid-ops", test_hybrid_ops);
        g_test_add_func("/cgroup/root/delegated", test_delegated);
        int r = g_test_run();
        cleanup();
        g_ptr_array_free(scratch_cgroups, TRUE);
        g_ptr_array_free(scratch_dirs, TRUE);
        return r;
}
