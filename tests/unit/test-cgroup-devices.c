/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The v2 device filter (cgroup-v2-devices.c) against the real kernel: a scratch cgroup on a
 * cgroup2 hierarchy, a child moved into it that tries to open and mknod devices, rules
 * replaced the way `update` replaces them. Needs root; skipped otherwise. The scratch cgroup
 * is removed even when a check fails (assertions are non-fatal here). */

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"

static char *scratch_mount; /* a cgroup2 we mounted ourselves, or NULL */
static char *cgroup_dir;    /* the scratch cgroup */

static bool is_cgroup2(const char *path) {
        struct statfs s;
        return statfs(path, &s) == 0 && s.f_type == CGROUP2_SUPER_MAGIC;
}

/* Where to make the scratch cgroup: the hybrid layout's /sys/fs/cgroup/unified, a unified
 * /sys/fs/cgroup, or a cgroup2 mounted in a mount namespace of our own. */
static const char *find_cgroup2(void) {
        if (is_cgroup2("/sys/fs/cgroup/unified"))
                return "/sys/fs/cgroup/unified";
        if (is_cgroup2("/sys/fs/cgroup"))
                return "/sys/fs/cgroup";
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return NULL;
        scratch_mount = g_strdup("/tmp/test-cgroup-devices.XXXXXX");
        if (!g_mkdtemp(scratch_mount) || mount("cgroup2", scratch_mount, "cgroup2", 0, NULL) < 0) {
                g_clear_pointer(&scratch_mount, g_free);
                return NULL;
        }
        return scratch_mount;
}

static void cleanup(void) {
        if (cgroup_dir) {
                /* the children are reaped, but the kernel may take a moment to notice */
                for (int i = 0; i < 50 && rmdir(cgroup_dir) < 0 && errno == EBUSY; i++)
                        g_usleep(20000);
                if (access(cgroup_dir, F_OK) == 0)
                        g_printerr("could not remove %s: %m\n", cgroup_dir);
                g_clear_pointer(&cgroup_dir, g_free);
        }
        if (scratch_mount) {
                umount2(scratch_mount, MNT_DETACH);
                rmdir(scratch_mount);
                g_clear_pointer(&scratch_mount, g_free);
        }
}

/* Killed (a pipe closed under us, ^C, a crash): the cgroup goes anyway. */
static void on_fatal_signal(int sig) {
        if (cgroup_dir)
                (void) rmdir(cgroup_dir);
        signal(sig, SIG_DFL);
        raise(sig);
}

/* What a child in the cgroup gets for each attempt: 0, or the errno. */
typedef struct Outcome {
        int null_rw, zero_r, zero_w, mknod_null;
} Outcome;

static void try_in_cgroup(const char *tmpdir, Outcome *ret) {
        *ret = (Outcome) { -1, -1, -1, -1 };
        int pipefd[2];
        g_assert_cmpint(pipe2(pipefd, O_CLOEXEC), ==, 0);
        pid_t pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                /* the child: no GLib assertions, just the outcome down the pipe */
                Outcome o = { -1, -1, -1, -1 };
                g_autofree char *procs = g_build_filename(cgroup_dir, "cgroup.procs", NULL);
                int fd = open(procs, O_WRONLY | O_CLOEXEC);
                if (fd < 0 || write(fd, "0", 1) != 1)
                        _exit(2);
                close(fd);

#define TRY(field, expr)                                     \
        do {                                                 \
                int _fd = (expr);                            \
                o.field = _fd < 0 ? errno : 0;               \
                if (_fd >= 0)                                \
                        close(_fd);                          \
        } while (0)
                TRY(null_rw, open("/dev/null", O_RDWR | O_CLOEXEC));
                TRY(zero_r, open("/dev/zero", O_RDONLY | O_CLOEXEC));
                TRY(zero_w, open("/dev/zero", O_WRONLY | O_CLOEXEC));
#undef TRY
                g_autofree char *node = g_build_filename(tmpdir, "null", NULL);
                o.mknod_null = mknod(node, S_IFCHR | 0600, makedev(1, 3)) < 0 ? errno : 0;
                (void) unlink(node);
                if (write(pipefd[1], &o, sizeof(o)) != sizeof(o))
                        _exit(3);
                _exit(0);
        }
        close(pipefd[1]);
        g_assert_cmpint(read(pipefd[0], ret, sizeof(*ret)), ==, sizeof(*ret));
        close(pipefd[0]);
        int status;
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* How many programs named ctr_launch_dev are attached to the cgroup itself. */
static unsigned count_ours(int dir_fd) {
        uint32_t ids[64];
        union bpf_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.query.target_fd = (uint32_t) dir_fd;
        attr.query.attach_type = BPF_CGROUP_DEVICE;
        attr.query.prog_ids = (uint64_t) (uintptr_t) ids;
        attr.query.prog_cnt = G_N_ELEMENTS(ids);
        g_assert_cmpint(syscall(SYS_bpf, BPF_PROG_QUERY, &attr, sizeof(attr)), ==, 0);
        unsigned n = 0;
        for (uint32_t i = 0; i < attr.query.prog_cnt; i++) {
                union bpf_attr a;
                memset(&a, 0, sizeof(a));
                a.prog_id = ids[i];
                int fd = (int) syscall(SYS_bpf, BPF_PROG_GET_FD_BY_ID, &a, sizeof(a));
                g_assert_cmpint(fd, >=, 0);
                g_assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
                struct bpf_prog_info info;
                memset(&info, 0, sizeof(info));
                memset(&a, 0, sizeof(a));
                a.info.bpf_fd = (uint32_t) fd;
                a.info.info_len = sizeof(info);
                a.info.info = (uint64_t) (uintptr_t) &info;
                g_assert_cmpint(syscall(SYS_bpf, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)), ==, 0);
                if (strcmp(info.name, "ctr_launch_dev") == 0)
                        n++;
                close(fd);
        }
        return n;
}

static void apply(int dir_fd, const OciDeviceRule *rules, size_t n) {
        char *error = NULL;
        int r = cgroup_v2_devices_apply(dir_fd, rules, n, &error);
        if (r < 0)
                g_test_message("cgroup_v2_devices_apply: %s", error);
        g_assert_cmpint(r, ==, 0);
        g_assert_null(error);
        free(error);
}

static void test_filter(void) {
        if (geteuid() != 0) {
                g_test_skip("needs root: loads BPF programs and makes a cgroup");
                return;
        }
        const char *mnt = find_cgroup2();
        if (!mnt) {
                g_test_skip("no cgroup2 hierarchy, and none could be mounted");
                return;
        }
        /* below our own cgroup ("0::/path") where there is one */
        g_autofree char *self = NULL, *own = NULL;
        if (g_file_get_contents("/proc/self/cgroup", &self, NULL, NULL)) {
                char *p = strstr(self, "0::");
                if (p && (p == self || p[-1] == '\n'))
                        own = g_strndup(p + 3, strcspn(p + 3, "\n"));
        }
        g_autofree char *parent = g_build_filename(mnt, own && !scratch_mount ? own : "/", NULL);
        g_autofree char *name = g_strdup_printf("ctr-launch-test-devices-%d", (int) getpid());
        cgroup_dir = g_build_filename(parent, name, NULL);
        static const int fatal[] = { SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGABRT, SIGSEGV, SIGBUS, SIGTRAP };
        for (size_t i = 0; i < G_N_ELEMENTS(fatal); i++)
                signal(fatal[i], on_fatal_signal);
        if (mkdir(cgroup_dir, 0755) < 0) {
                g_autofree char *msg = g_strdup_printf("cannot make %s: %s", cgroup_dir, g_strerror(errno));
                g_clear_pointer(&cgroup_dir, g_free);
                cleanup();
                g_test_skip(msg);
                return;
        }
        /* From here, failures are recorded and the test goes on to clean up. */
        g_test_set_nonfatal_assertions();
        g_autofree char *tmpdir = g_dir_make_tmp("test-cgroup-devices-XXXXXX", NULL);
        g_assert_nonnull(tmpdir);
        int dir_fd = open(cgroup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        g_assert_cmpint(dir_fd, >=, 0);
        Outcome o;

        /* deny all, allow /dev/null read and write (not mknod) */
        static const OciDeviceRule first[] = {
                { .allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm" },
                { .allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rw" },
        };
        apply(dir_fd, first, G_N_ELEMENTS(first));
        g_assert_cmpuint(count_ours(dir_fd), ==, 1);
        try_in_cgroup(tmpdir, &o);
        g_assert_cmpint(o.null_rw, ==, 0);
        g_assert_cmpint(o.zero_r, ==, EPERM);
        g_assert_cmpint(o.zero_w, ==, EPERM);
        g_assert_cmpint(o.mknod_null, ==, EPERM);

        /* update: /dev/zero instead, read only; mknod of 1:* */
        static const OciDeviceRule second[] = {
                { .allow = true, .type = 'c', .major = 1, .minor = 5, .access = "r" },
                { .allow = true, .type = 'c', .major = 1, .minor = -1, .access = "m" },
        };
        apply(dir_fd, second, G_N_ELEMENTS(second));
        g_assert_cmpuint(count_ours(dir_fd), ==, 1);
        try_in_cgroup(tmpdir, &o);
        g_assert_cmpint(o.null_rw, ==, EPERM);
        g_assert_cmpint(o.zero_r, ==, 0);
        g_assert_cmpint(o.zero_w, ==, EPERM);
        g_assert_cmpint(o.mknod_null, ==, 0);

        /* a later rule wins over an earlier one: allow everything, then deny writing 1:5 and
         * all of block devices */
        static const OciDeviceRule third[] = {
                { .allow = true, .type = 'a', .major = -1, .minor = -1, .access = "rwm" },
                { .allow = false, .type = 'c', .major = 1, .minor = 5, .access = "w" },
                { .allow = false, .type = 'b', .major = -1, .minor = -1, .access = "rwm" },
        };
        apply(dir_fd, third, G_N_ELEMENTS(third));
        g_assert_cmpuint(count_ours(dir_fd), ==, 1);
        try_in_cgroup(tmpdir, &o);
        g_assert_cmpint(o.null_rw, ==, 0);
        g_assert_cmpint(o.zero_r, ==, 0);
        g_assert_cmpint(o.zero_w, ==, EPERM);
        g_assert_cmpint(o.mknod_null, ==, 0);

        /* ... and an earlier rule is overridden: deny 1:5 write, then allow everything */
        static const OciDeviceRule fourth[] = {
                { .allow = false, .type = 'c', .major = 1, .minor = 5, .access = "w" },
                { .allow = true, .type = 'a', .major = -1, .minor = -1, .access = "rwm" },
        };
        apply(dir_fd, fourth, G_N_ELEMENTS(fourth));
        g_assert_cmpuint(count_ours(dir_fd), ==, 1);
        try_in_cgroup(tmpdir, &o);
        g_assert_cmpint(o.null_rw, ==, 0);
        g_assert_cmpint(o.zero_r, ==, 0);
        g_assert_cmpint(o.zero_w, ==, 0);

        /* no rules: deny everything */
        apply(dir_fd, NULL, 0);
        g_assert_cmpuint(count_ours(dir_fd), ==, 1);
        try_in_cgroup(tmpdir, &o);
        g_assert_cmpint(o.null_rw, ==, EPERM);
        g_assert_cmpint(o.zero_r, ==, EPERM);

        /* a rule the kernel could never see is refused before anything is loaded */
        static const OciDeviceRule bad[] = {
                { .allow = true, .type = 'x', .major = 1, .minor = 3, .access = "r" },
        };
        char *error = NULL;
        g_assert_cmpint(cgroup_v2_devices_apply(dir_fd, bad, 1, &error), ==, -EINVAL);
        g_assert_cmpstr(error, ==, "linux.resources.devices[0]: not a device rule");
        free(error);
        g_assert_cmpuint(count_ours(dir_fd), ==, 1);

        close(dir_fd);
        rmdir(tmpdir);
        cleanup();
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/cgroup-devices/filter", test_filter);
        int r = g_test_run();
        cleanup();
        return r;
}
