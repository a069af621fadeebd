/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* path-util: path strings, and resolution beneath a root fd against a hostile tree (symlinks
 * out of the root, loops, dangling links, ".."). Every resolution test runs three times: with
 * openat2, and with the fallback walk forced by a seccomp filter that answers openat2 ENOSYS (a
 * kernel before 5.6) or EPERM (a container profile that predates it). After each test a canary
 * directory next to the root must be as it was. Needs no privileges and no mounts. */

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <glib.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macros.h"
#include "path-util.h"

/* ---- strings ---- */

static void test_is_absolute(void) {
        g_assert_false(path_is_absolute(NULL));
        g_assert_false(path_is_absolute(""));
        g_assert_false(path_is_absolute("a"));
        g_assert_false(path_is_absolute("./a"));
        g_assert_false(path_is_absolute("../a"));
        g_assert_false(path_is_absolute(" /a"));
        g_assert_true(path_is_absolute("/"));
        g_assert_true(path_is_absolute("//a"));
        g_assert_true(path_is_absolute("/.."));
}

static void test_simplify(void) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "", "." },
                { ".", "." },
                { "./", "." },
                { "./.", "." },
                { "/", "/" },
                { "//", "/" },
                { "/./.", "/" },
                { "///a//b///", "/a/b" },
                { "/a/./b/.", "/a/b" },
                { "/..", "/" },
                { "/../a", "/a" },
                { "/../../a/..", "/" },
                { "/a/..", "/" },
                { "/a/b/..", "/a" },
                { "/a/b/../../..", "/" },
                { "/a/../b/../c", "/c" },
                { "/proc/self/../1", "/proc/1" },
                { "a//b", "a/b" },
                { "a/..", "." },
                { "a/../..", ".." },
                { "..", ".." },
                { "../..", "../.." },
                { "./..", ".." },
                { "./../a", "../a" },
                { "../a", "../a" },
                { "../../a/../b", "../../b" },
                { "a/b/../../../c", "../c" },
                { "a/./../b", "b" },
                { "../a/../..", "../.." },
                /* Names that only look like "." and "..". */
                { "...", "..." },
                { "/.../..a/a../.a.", "/.../..a/a../.a." },
                { "/.../..", "/" },
                { "/a/.../../b", "/a/b" },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *s = NULL, *again = NULL;
                g_test_message("path_simplify(\"%s\")", cases[i].in);
                g_assert_cmpint(path_simplify(cases[i].in, &s), ==, 0);
                g_assert_cmpstr(s, ==, cases[i].out);
                /* Idempotent. */
                g_assert_cmpint(path_simplify(s, &again), ==, 0);
                g_assert_cmpstr(again, ==, s);
        }
}

static void test_startswith(void) {
        static const struct {
                const char *path, *prefix, *rest;
        } cases[] = {
                { "/proc/sys", "/proc", "sys" },
                { "/proc/sys/kernel", "/proc", "sys/kernel" },
                { "/proc", "/proc", "" },
                { "/proc/", "/proc", "" },
                { "/proc", "/proc/", "" },
                { "/procfs", "/proc", NULL },
                { "/pro", "/proc", NULL },
                { "/proc", "/proc/sys", NULL },
                { "/a/bc", "/a/b", NULL },
                { "/", "/", "" },
                { "/a/b", "/", "a/b" },
                { "//a//b/", "/a/", "b/" },
                { "/proc/sys/kernel", "/proc//sys/", "kernel" },
                { "a/b", "a", "b" },
                { "a", "/a", NULL },
                { "/a", "a", NULL },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_test_message("path_startswith(\"%s\", \"%s\")", cases[i].path, cases[i].prefix);
                const char *rest = path_startswith(cases[i].path, cases[i].prefix);
                g_assert_cmpstr(rest, ==, cases[i].rest);
                /* The rest points into path, not into a copy. */
                if (rest)
                        g_assert_true(rest >= cases[i].path &&
                                      rest <= cases[i].path + strlen(cases[i].path));
        }
}

static void test_proc_fd_path(void) {
        char buf[PROC_FD_PATH_MAX];
        proc_fd_path(7, buf);
        g_assert_cmpstr(buf, ==, "/proc/self/fd/7");
        proc_fd_path(INT_MAX, buf);
        g_assert_cmpstr(buf, ==, "/proc/self/fd/2147483647");
}

#define assert_mode(st, m)                                                                     \
        do {                                                                                   \
                if (((st).st_mode & 07777) != (m))                                             \
                        g_error("mode %04o, expected %04o", (unsigned) ((st).st_mode & 07777), \
                                (unsigned) (m));                                               \
        } while (0)

/* ---- the hostile tree ---- */

typedef struct Tree {
        char *top;      /* g_dir_make_tmp(): holds root/ and outside/ */
        int top_fd;
        int root_fd;    /* O_PATH, what the functions under test get */
        int outside_fd; /* the canary: must hold "secret" and nothing else, ever */
} Tree;

static const char *const canary_text = "outside the root\n";

static void tree_symlink(Tree *t, const char *target, const char *name) {
        g_assert_cmpint(symlinkat(target, t->root_fd, name), ==, 0);
}

static void tree_mkdir(int dir_fd, const char *name) {
        g_assert_cmpint(mkdirat(dir_fd, name, 0755), ==, 0);
}

static void tree_file(int dir_fd, const char *name, const char *text) {
        int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(write(fd, text, strlen(text)), ==, (ssize_t) strlen(text));
        close(fd);
}

static Tree *tree_new(void) {
        Tree *t = g_new0(Tree, 1);
        g_autoptr(GError) error = NULL;

        t->top = g_dir_make_tmp("test-path-util-XXXXXX", &error);
        g_assert_no_error(error);
        g_assert_true(path_is_absolute(t->top));
        t->top_fd = open(t->top, O_PATH | O_DIRECTORY | O_CLOEXEC);
        g_assert_cmpint(t->top_fd, >=, 0);
        tree_mkdir(t->top_fd, "outside");
        tree_mkdir(t->top_fd, "root");
        t->outside_fd = openat(t->top_fd, "outside", O_PATH | O_DIRECTORY | O_CLOEXEC);
        g_assert_cmpint(t->outside_fd, >=, 0);
        tree_file(t->outside_fd, "secret", canary_text);
        t->root_fd = openat(t->top_fd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
        g_assert_cmpint(t->root_fd, >=, 0);

        tree_mkdir(t->root_fd, "etc");
        tree_file(t->root_fd, "etc/passwd", "root:x:0:0::/:/bin/sh\n");
        tree_mkdir(t->root_fd, "real");
        tree_mkdir(t->root_fd, "real/dir");
        tree_file(t->root_fd, "real/dir/file", "");

        /* Out of the root by absolute path, by "..", by /proc. */
        tree_symlink(t, "/etc", "abs_etc");
        tree_symlink(t, "/etc/", "abs_etc_slash");
        tree_symlink(t, "etc", "rel_etc");
        tree_symlink(t, "..", "up1");
        tree_symlink(t, "../../..", "up");
        tree_symlink(t, "../../../../..", "real/dir/up");
        tree_symlink(t, "/", "real/dir/root_up");
        tree_symlink(t, "/proc/self/root", "procroot");
        tree_symlink(t, "/proc/self", "procself");
        tree_symlink(t, ".", "dot");
        /* The canary by its name on the host, and by "..". */
        g_autofree char *host_outside = g_build_filename(t->top, "outside", NULL);
        g_autofree char *host_new = g_build_filename(t->top, "outside", "new", NULL);
        g_autofree char *host_secret = g_build_filename(t->top, "outside", "secret", NULL);
        tree_symlink(t, host_outside, "escape_host");
        tree_symlink(t, host_new, "escape_host_new");
        tree_symlink(t, host_secret, "escape_host_secret");
        tree_symlink(t, "../outside", "escape_rel");
        tree_symlink(t, "../outside/secret", "escape_rel_secret");
        tree_symlink(t, "../outside/new", "escape_rel_new");
        /* A symlinked directory in the middle of a path. */
        tree_symlink(t, "/real/dir", "mid");
        tree_symlink(t, "real/dir", "midrel");
        /* A symlink to a file, as the last component. */
        tree_symlink(t, "/etc/passwd", "passwd_link");
        tree_symlink(t, "etc/passwd", "passwd_rel");
        /* Loops. */
        tree_symlink(t, "loop_b", "loop_a");
        tree_symlink(t, "loop_a", "loop_b");
        tree_symlink(t, "self", "self");
        tree_symlink(t, "/aloop/x", "aloop");
        tree_symlink(t, "dloop", "dloop");
        /* Dangling. What is created through them is aimed at the canary: should resolution
         * ever leave the root, the test fails there, not in the host's / or /etc. */
        g_autofree char *host_created = g_build_filename(t->top, "outside", "created", NULL);
        g_autofree char *host_made = g_build_filename(t->top, "outside", "made", NULL);
        tree_symlink(t, "/nonexistent", "dangling"); /* only looked up, never created */
        tree_symlink(t, "nothing/here", "dangling_rel");
        tree_symlink(t, host_created, "dangling_file");
        tree_symlink(t, "dangling_chain2", "dangling_chain1");
        tree_symlink(t, host_made, "dangling_chain2");
        tree_symlink(t, "/made_deep/a/b/file", "dangling_deep");
        tree_symlink(t, "real/dir/up_chain", "dangling_chain_rel");
        tree_symlink(t, "../../../../made_chain/file", "real/dir/up_chain");
        /* link_1 -> link_2 -> ... -> link_41 -> etc: link_1 is 41 links, link_2 is 40. */
        for (int i = 1; i <= 41; i++) {
                g_autofree char *name = g_strdup_printf("link_%d", i);
                g_autofree char *target = i < 41 ? g_strdup_printf("link_%d", i + 1) : g_strdup("etc");
                tree_symlink(t, target, name);
        }
        return t;
}

/* Nothing may appear next to root/ or in outside/, and the secret stays as it was. */
static void tree_check_canary(Tree *t) {
        static const char *const top_expected[] = { "outside", "root" };
        static const char *const outside_expected[] = { "secret" };
        const struct {
                int fd;
                const char *const *names;
                size_t n;
        } dirs[] = {
                { t->top_fd, top_expected, G_N_ELEMENTS(top_expected) },
                { t->outside_fd, outside_expected, G_N_ELEMENTS(outside_expected) },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
                int fd = openat(dirs[i].fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                g_assert_cmpint(fd, >=, 0);
                DIR *d = fdopendir(fd);
                g_assert_nonnull(d);
                size_t seen = 0;
                for (struct dirent *de; (de = readdir(d));) {
                        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                                continue;
                        bool known = false;
                        for (size_t j = 0; j < dirs[i].n; j++)
                                known = known || strcmp(de->d_name, dirs[i].names[j]) == 0;
                        if (!known)
                                g_error("created outside the root: %s/%s%s", t->top,
                                        i == 0 ? "" : "outside/", de->d_name);
                        seen++;
                }
                closedir(d);
                g_assert_cmpuint(seen, ==, dirs[i].n);
        }

        char buf[64] = {};
        int fd = openat(t->outside_fd, "secret", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(read(fd, buf, sizeof(buf) - 1), ==, (ssize_t) strlen(canary_text));
        close(fd);
        g_assert_cmpstr(buf, ==, canary_text);
}

static int tree_rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        return remove(path) < 0 ? -1 : 0;
}

static void tree_free(Tree *t) {
        safe_close(t->root_fd);
        safe_close(t->outside_fd);
        safe_close(t->top_fd);
        g_assert_cmpint(nftw(t->top, tree_rm_one, 16, FTW_DEPTH | FTW_PHYS), ==, 0);
        g_free(t->top);
        g_free(t);
}

/* fd is the object at rel (not following a final symlink) beneath dir_fd, and is O_CLOEXEC. */
static void assert_same_object(int fd, int dir_fd, const char *rel) {
        struct stat a, b;
        g_assert_cmpint(fstat(fd, &a), ==, 0);
        g_assert_cmpint(fstatat(dir_fd, rel[0] ? rel : ".", &b, AT_SYMLINK_NOFOLLOW), ==, 0);
        g_assert_cmpuint(a.st_dev, ==, b.st_dev);
        g_assert_cmpuint(a.st_ino, ==, b.st_ino);
        g_assert_cmpint(fcntl(fd, F_GETFD), ==, FD_CLOEXEC);
}

/* Where the host path of outside/<name> leads inside the root. */
static char *mirror(Tree *t, const char *name) {
        return g_build_filename(t->top + 1, "outside", name, NULL);
}

static bool exists_in(int dir_fd, const char *rel) {
        struct stat st;
        return fstatat(dir_fd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* ---- openat2 or the walk ---- */

typedef enum Mode {
        MODE_OPENAT2,
        MODE_WALK_ENOSYS,
        MODE_WALK_EPERM,
        _MODE_MAX,
} Mode;

static const char *const mode_name[_MODE_MAX] = {
        [MODE_OPENAT2] = "openat2",
        [MODE_WALK_ENOSYS] = "walk-enosys",
        [MODE_WALK_EPERM] = "walk-eperm",
};

static Mode mode;

static bool walking(void) {
        return mode != MODE_OPENAT2;
}

static int probe_openat2(void) {
        struct open_how how = { .flags = O_PATH | O_CLOEXEC };
        long fd = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));
        if (fd < 0)
                return -errno;
        close((int) fd);
        return 0;
}

/* openat2 fails with error_value, whatever it is asked: all this process can do is the walk.
 * Every ABI this builds for numbers openat2 437 (the syscall tables were unified before it). */
static int forbid_openat2(int error_value) {
        struct sock_filter filter[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned) error_value & SECCOMP_RET_DATA)),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = { .len = G_N_ELEMENTS(filter), .filter = filter };

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
                return -errno;
        return probe_openat2() == -error_value ? 0 : -EPROTO;
}

typedef struct ModeTest {
        Mode mode;
        void (*func)(Tree *t);
} ModeTest;

/* A walk variant runs in a forked child: the filter cannot be taken back, and open_in_root()
 * remembers ENOSYS for the life of the process. The tree is built and checked out here. */
static void run_mode_test(gconstpointer data) {
        const ModeTest *mt = data;
        int pipe_fds[2];
        char buf[4096];

        if (mt->mode == MODE_OPENAT2) {
                int r = probe_openat2();
                if (r < 0) {
                        g_test_skip_printf("openat2: %s", g_strerror(-r));
                        return;
                }
        }

        Tree *t = tree_new();
        mode = mt->mode;

        if (mt->mode == MODE_OPENAT2)
                mt->func(t);
        else {
                g_assert_cmpint(pipe2(pipe_fds, O_CLOEXEC), ==, 0);
                fflush(stdout);
                fflush(stderr);
                pid_t pid = fork();
                g_assert_cmpint(pid, >=, 0);
                if (pid == 0) {
                        /* The parent owns the TAP stream on stdout. */
                        dup2(STDERR_FILENO, STDOUT_FILENO);
                        close(pipe_fds[0]);
                        int r = forbid_openat2(mt->mode == MODE_WALK_ENOSYS ? ENOSYS : EPERM);
                        if (r < 0) {
                                dprintf(pipe_fds[1], "SKIP seccomp: %s", g_strerror(-r));
                                _exit(0);
                        }
                        mt->func(t);
                        _exit(0);
                }
                close(pipe_fds[1]);
                size_t n = 0;
                for (ssize_t k; n < sizeof(buf) - 1 && (k = read(pipe_fds[0], buf + n, sizeof(buf) - 1 - n)) != 0;) {
                        g_assert_cmpint(k, >, 0);
                        n += (size_t) k;
                }
                buf[n] = 0;
                close(pipe_fds[0]);
                int status;
                g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
                if (WIFSIGNALED(status))
                        g_error("%s child killed by signal %d (its assertion is above)",
                                mode_name[mt->mode], WTERMSIG(status));
                g_assert_true(WIFEXITED(status));
                g_assert_cmpint(WEXITSTATUS(status), ==, 0);
                if (g_str_has_prefix(buf, "SKIP "))
                        g_test_skip(buf + 5);
                else
                        g_assert_cmpstr(buf, ==, "");
        }

        tree_check_canary(t);
        tree_free(t);
}

/* ---- open_in_root ---- */

typedef struct OpenCase {
        const char *path;
        int flags;
        const char *expect; /* what it must open, relative to the root (lstat'ed there) */
        int error;          /* or the errno it must fail with */
} OpenCase;

static void check_open_cases(Tree *t, const OpenCase *cases, size_t n) {
        for (size_t i = 0; i < n; i++) {
                const OpenCase *c = &cases[i];
                int fd = -EBADF;
                g_test_message("open_in_root(\"%s\", 0%o)", c->path, (unsigned) c->flags);
                int r = open_in_root(t->root_fd, c->path, c->flags, 0644, &fd);
                if (c->expect) {
                        if (r < 0)
                                g_error("open_in_root(\"%s\"): %s, expected %s", c->path,
                                        g_strerror(-r), c->expect);
                        assert_same_object(fd, t->root_fd, c->expect);
                        close(fd);
                } else {
                        if (r >= 0)
                                g_error("open_in_root(\"%s\") succeeded, expected %s", c->path,
                                        g_strerror(c->error));
                        g_assert_cmpstr(g_strerror(-r), ==, g_strerror(c->error));
                        g_assert_cmpint(fd, ==, -EBADF); /* untouched on failure */
                }
        }
}

static void test_open_escapes(Tree *t) {
        static const OpenCase cases[] = {
                /* The root itself, however it is spelt. */
                { "", O_PATH, .expect = "" },
                { "/", O_PATH, .expect = "" },
                { ".", O_PATH | O_DIRECTORY, .expect = "" },
                { "..", O_PATH, .expect = "" },
                { "../..", O_RDONLY | O_DIRECTORY, .expect = "" },
                { "/../../..", O_PATH, .expect = "" },
                { "up", O_PATH, .expect = "" },
                { "up1", O_PATH, .expect = "" },
                { "up/up/up1", O_PATH, .expect = "" },
                { "real/dir/up", O_PATH, .expect = "" },
                { "real/dir/root_up", O_PATH, .expect = "" },
                { "dot/dot/dot", O_PATH, .expect = "" },
                /* Out and back in. */
                { "../etc/passwd", O_RDONLY, .expect = "etc/passwd" },
                { "/../../etc/passwd", O_RDONLY, .expect = "etc/passwd" },
                { "//etc//passwd", O_RDONLY, .expect = "etc/passwd" },
                { "up/etc/passwd", O_RDONLY, .expect = "etc/passwd" },
                { "up1/root/etc/passwd", O_RDONLY, .error = ENOENT },
                { "real/dir/up/etc", O_PATH, .expect = "etc" },
                { "real/dir/root_up/etc/passwd", O_PATH, .expect = "etc/passwd" },
                { "abs_etc", O_PATH, .expect = "etc" },
                { "abs_etc/passwd", O_RDONLY, .expect = "etc/passwd" },
                { "abs_etc_slash/passwd", O_RDONLY, .expect = "etc/passwd" },
                { "rel_etc/../real/dir/file", O_RDONLY, .expect = "real/dir/file" },
                { "abs_etc/../../../etc", O_PATH, .expect = "etc" },
                /* The host's names for the canary mean nothing in here. */
                { "escape_host", O_PATH, .error = ENOENT },
                { "escape_host/secret", O_RDONLY, .error = ENOENT },
                { "escape_host_secret", O_RDONLY, .error = ENOENT },
                { "escape_rel", O_PATH, .error = ENOENT },
                { "escape_rel_secret", O_RDONLY, .error = ENOENT },
                { "../outside/secret", O_RDONLY, .error = ENOENT },
                { "up1/outside/secret", O_RDONLY, .error = ENOENT },
                /* /proc/self/root resolved inside a root without /proc. */
                { "procroot", O_PATH, .error = ENOENT },
                { "procroot/etc", O_PATH, .error = ENOENT },
                { "procself/root", O_PATH, .error = ENOENT },
        };
        check_open_cases(t, cases, G_N_ELEMENTS(cases));
}

static void test_open_links(Tree *t) {
        static const OpenCase cases[] = {
                /* A symlinked directory in the middle. */
                { "mid/file", O_RDONLY, .expect = "real/dir/file" },
                { "midrel/file", O_RDONLY, .expect = "real/dir/file" },
                { "mid/../dir/file", O_RDONLY, .expect = "real/dir/file" },
                { "mid/../../../etc", O_PATH, .expect = "etc" },
                { "mid/up/mid/root_up/mid", O_PATH, .expect = "real/dir" },
                { "mid/missing", O_PATH, .error = ENOENT },
                /* The last component a symlink to a file. */
                { "passwd_link", O_RDONLY, .expect = "etc/passwd" },
                { "passwd_rel", O_PATH, .expect = "etc/passwd" },
                { "real/dir/root_up/passwd_link", O_RDONLY, .expect = "etc/passwd" },
                /* O_NOFOLLOW: the last component only. */
                { "abs_etc", O_PATH | O_NOFOLLOW, .expect = "abs_etc" },
                { "loop_a", O_PATH | O_NOFOLLOW, .expect = "loop_a" },
                { "mid/up", O_PATH | O_NOFOLLOW, .expect = "real/dir/up" },
                { "abs_etc", O_RDONLY | O_NOFOLLOW, .error = ELOOP },
                { "abs_etc/passwd", O_RDONLY | O_NOFOLLOW, .expect = "etc/passwd" },
                /* Trailing slashes. */
                { "etc/", O_PATH, .expect = "etc" },
                { "etc//", O_RDONLY, .expect = "etc" },
                { "abs_etc/", O_PATH, .expect = "etc" },
                { "abs_etc/", O_PATH | O_NOFOLLOW, .expect = "etc" }, /* the slash follows anyway */
                { "etc/passwd/", O_PATH, .error = ENOTDIR },
                { "etc/passwd/.", O_PATH, .error = ENOTDIR },
                { "etc/passwd/..", O_PATH, .error = ENOTDIR },
                { "passwd_link/", O_PATH, .error = ENOTDIR },
                { "etc/passwd", O_PATH | O_DIRECTORY, .error = ENOTDIR },
                { "dangling/", O_PATH, .error = ENOENT },
                /* Loops. */
                { "loop_a", O_PATH, .error = ELOOP },
                { "loop_b/x", O_PATH, .error = ELOOP },
                { "self", O_RDONLY, .error = ELOOP },
                { "self/", O_PATH, .error = ELOOP },
                { "aloop", O_PATH, .error = ELOOP },
                { "dloop", O_RDONLY | O_CREAT, .error = ELOOP },
                /* The kernel's limit, MAXSYMLINKS: 40 links are followed, the 41st is not. */
                { "link_2", O_PATH, .expect = "etc" },
                { "link_2/passwd", O_RDONLY, .expect = "etc/passwd" },
                { "link_1", O_PATH, .error = ELOOP },
                /* Dangling. */
                { "dangling", O_PATH, .error = ENOENT },
                { "dangling/x", O_PATH, .error = ENOENT },
                { "dangling_rel", O_RDONLY, .error = ENOENT },
                { "dangling_chain1", O_PATH, .error = ENOENT },
                /* Not a directory, too long. */
                { "etc/passwd/x", O_PATH, .error = ENOTDIR },
                { "passwd_link/x", O_PATH, .error = ENOTDIR },
        };
        check_open_cases(t, cases, G_N_ELEMENTS(cases));

        /* A component longer than NAME_MAX. */
        g_autofree char *long_name = g_strnfill(NAME_MAX + 1, 'a');
        g_autofree char *long_path = g_strconcat("etc/", long_name, "/x", NULL);
        const OpenCase too_long[] = {
                { long_name, O_PATH, .error = ENAMETOOLONG },
                { long_path, O_PATH, .error = ENAMETOOLONG },
        };
        check_open_cases(t, too_long, G_N_ELEMENTS(too_long));
}

static void test_open_create(Tree *t) {
        /* Where the host paths of the canary lead inside the root, so that creating through
         * them has somewhere to go. */
        g_autofree char *mirror_dir = mirror(t, NULL);
        g_autofree char *mirror_created = mirror(t, "created");
        g_autofree char *mirror_secret = mirror(t, "secret");
        int fd = -EBADF;
        g_assert_cmpint(mkdir_p_in_root(t->root_fd, mirror_dir, 0755, NULL), ==, 0);
        tree_mkdir(t->root_fd, "outside");

        const OpenCase cases[] = {
                { "new", O_WRONLY | O_CREAT | O_EXCL, .expect = "new" },
                { "new", O_WRONLY | O_CREAT, .expect = "new" },
                { "new", O_WRONLY | O_CREAT | O_EXCL, .error = EEXIST },
                { "up1/new2", O_WRONLY | O_CREAT, .expect = "new2" },
                { "mid/../../up1/new3", O_WRONLY | O_CREAT, .expect = "new3" },
                { "../new4", O_WRONLY | O_CREAT, .expect = "new4" },
                { "mid/new5", O_RDWR | O_CREAT, .expect = "real/dir/new5" },
                { "real/dir/root_up/new7", O_WRONLY | O_CREAT, .expect = "new7" },
                { "escape_rel/new6", O_WRONLY | O_CREAT, .expect = "outside/new6" },
                { "missing/new", O_WRONLY | O_CREAT, .error = ENOENT },
                { "newdir/", O_WRONLY | O_CREAT, .error = EISDIR },
                { "etc", O_WRONLY | O_CREAT, .error = EISDIR },
                { "..", O_RDONLY | O_CREAT, .error = EISDIR },
                /* A dangling symlink as the last component: O_CREAT makes its target, in the
                 * root; O_EXCL refuses it. */
                { "dangling_file", O_WRONLY | O_CREAT | O_EXCL, .error = EEXIST },
                { "dangling_file", O_WRONLY | O_CREAT, .expect = mirror_created },
                { "escape_rel_new", O_WRONLY | O_CREAT, .expect = "outside/new" },
                /* The canary by its host path, and by "..", found in the root. */
                { "escape_host_secret", O_WRONLY | O_CREAT | O_TRUNC, .expect = mirror_secret },
                { "escape_host/secret", O_WRONLY | O_CREAT | O_TRUNC, .expect = mirror_secret },
                { "escape_rel_secret", O_WRONLY | O_CREAT | O_TRUNC, .expect = "outside/secret" },
                { "../outside/secret2", O_WRONLY | O_CREAT, .expect = "outside/secret2" },
        };
        check_open_cases(t, cases, G_N_ELEMENTS(cases));

        /* "../new4" was made in the root, not next to it. */
        g_assert_true(exists_in(t->root_fd, "new4"));
        g_assert_false(exists_in(t->top_fd, "new4"));

        /* mode with O_CREAT; O_TMPFILE takes one too. */
        struct stat st;
        g_assert_cmpint(open_in_root(t->root_fd, "mid/mode", O_WRONLY | O_CREAT, 0640, &fd), ==, 0);
        g_assert_cmpint(fstat(fd, &st), ==, 0);
        assert_mode(st, 0640);
        fd = safe_close(fd);
        int r = open_in_root(t->root_fd, "mid", O_TMPFILE | O_RDWR, 0600, &fd);
        if (r == -EOPNOTSUPP || r == -EISDIR)
                g_test_message("O_TMPFILE: %s, not checked", g_strerror(-r));
        else {
                g_assert_cmpint(r, ==, 0);
                g_assert_cmpint(fstat(fd, &st), ==, 0);
                assert_mode(st, 0600);
                fd = safe_close(fd);
        }
}

/* Magic links: openat2 refuses them (ELOOP); the walk reads their text as a plain symlink and
 * resolves that beneath the root, so they cannot lead out either. Only /proc has them, so here
 * the root is /proc. */
static void test_open_magic(Tree *t) {
        _cleanup_close_ int proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        g_assert_cmpint(proc_fd, >=, 0);
        struct stat st;
        g_assert_cmpint(fstatat(proc_fd, "self/root", &st, 0), ==, 0); /* a /proc is mounted */
        g_autofree char *fd_link = g_strdup_printf("self/fd/%d", t->outside_fd);
        g_autofree char *fd_link_secret = g_strdup_printf("self/fd/%d/secret", t->outside_fd);
        const char *const magic[] = { "self/root", "thread-self/root", "self/root/etc", "self/cwd",
                                      fd_link, fd_link_secret };

        for (size_t i = 0; i < G_N_ELEMENTS(magic); i++) {
                int fd = -EBADF;
                g_test_message("open_in_root(/proc, \"%s\")", magic[i]);
                int r = open_in_root(proc_fd, magic[i], O_PATH, 0, &fd);
                if (!walking()) {
                        g_assert_cmpstr(g_strerror(-r), ==, g_strerror(ELOOP));
                        continue;
                }
                /* The walk: the text of the link, beneath /proc. "/" is /proc itself; anything
                 * else is a host path that /proc does not have. */
                char target[PATH_MAX];
                ssize_t k = readlinkat(proc_fd, magic[i], target, sizeof(target) - 1);
                if (k < 0) /* ".../secret": the target of the fd with /secret */
                        g_assert_cmpint(r, ==, -ENOENT);
                else {
                        target[k] = 0;
                        if (strcmp(target, "/") == 0) {
                                g_assert_cmpint(r, ==, 0);
                                assert_same_object(fd, proc_fd, "");
                                close(fd);
                        } else
                                g_assert_cmpstr(g_strerror(-r), ==, g_strerror(ENOENT));
                }
        }

        /* /proc/self itself is an ordinary symlink ("<pid>"): both follow it. */
        int fd = -EBADF;
        g_assert_cmpint(open_in_root(proc_fd, "self", O_PATH | O_DIRECTORY, 0, &fd), ==, 0);
        g_assert_cmpint(fstatat(proc_fd, "self", &st, 0), ==, 0);
        struct stat fst;
        g_assert_cmpint(fstat(fd, &fst), ==, 0);
        g_assert_cmpuint(fst.st_ino, ==, st.st_ino);
        close(fd);
}

/* ---- mkdir_p_in_root ---- */

static void test_mkdir_p(Tree *t) {
        g_autofree char *mirror_new = mirror(t, "new");
        g_autofree char *mirror_made_x = mirror(t, "made/x");
        g_autofree char *mirror_created = mirror(t, "created");
        const struct {
                const char *path;
                const char *expect; /* the directory it must end in */
                int error;
        } cases[] = {
                { "", .expect = "" },
                { "/", .expect = "" },
                { "a/b/c", .expect = "a/b/c" },
                { "a/b/c", .expect = "a/b/c" }, /* again: exists */
                { "/ctr-launch-test-x//y/", .expect = "ctr-launch-test-x/y" },
                { "a/../b/./c", .expect = "b/c" },
                { "../escaped", .expect = "escaped" },
                { "up1/escaped2", .expect = "escaped2" },
                { "real/dir/root_up/m", .expect = "m" },
                { "mid/sub", .expect = "real/dir/sub" },
                { "midrel/sub2/sub3", .expect = "real/dir/sub2/sub3" },
                { "abs_etc", .expect = "etc" },
                /* Through dangling links: what they point to is made, in the root. */
                { "dangling_rel/z", .expect = "nothing/here/z" },
                { "dangling_chain1/x", .expect = mirror_made_x },
                { "dangling_file", .expect = mirror_created },
                { "escape_host/new", .expect = mirror_new },
                { "escape_rel/new2", .expect = "outside/new2" },
                { "escape_rel_new/q", .expect = "outside/new/q" },
                /* Errors. */
                { "loop_a/x", .error = ELOOP },
                { "dloop/x", .error = ELOOP },
                { "aloop", .error = ELOOP },
                { "link_1/x", .error = ELOOP },
                { "etc/passwd", .error = ENOTDIR },
                { "etc/passwd/x", .error = ENOTDIR },
                { "passwd_link/x", .error = ENOTDIR },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                int fd = -EBADF;
                g_test_message("mkdir_p_in_root(\"%s\")", cases[i].path);
                int r = mkdir_p_in_root(t->root_fd, cases[i].path, 0755, &fd);
                if (cases[i].expect) {
                        if (r < 0)
                                g_error("mkdir_p_in_root(\"%s\"): %s", cases[i].path, g_strerror(-r));
                        struct stat st;
                        g_assert_cmpint(fstat(fd, &st), ==, 0);
                        g_assert_true(S_ISDIR(st.st_mode));
                        assert_same_object(fd, t->root_fd, cases[i].expect);
                        close(fd);
                } else {
                        g_assert_cmpstr(g_strerror(-r), ==, g_strerror(cases[i].error));
                        g_assert_cmpint(fd, ==, -EBADF);
                }
        }
        /* NULL ret_fd. */
        g_assert_cmpint(mkdir_p_in_root(t->root_fd, "no/fd", 0755, NULL), ==, 0);
        g_assert_true(exists_in(t->root_fd, "no/fd"));
        /* Nothing where the host would have put it. */
        g_assert_false(exists_in(t->top_fd, "escaped"));
        g_assert_false(exists_in(t->top_fd, "escaped2"));
        g_assert_false(exists_in(t->outside_fd, "new"));
}

/* ---- touch_in_root ---- */

static void test_touch(Tree *t) {
        g_autofree char *mirror_secret = mirror(t, "secret");
        g_autofree char *mirror_created = mirror(t, "created");
        const struct {
                const char *path;
                const char *expect; /* the object it must end in */
                int error;
                bool directory;
        } cases[] = {
                /* A dangling symlink whose target's parent is missing: that parent is made,
                 * in the root, as runc does (issue 16). */
                { "escape_host_secret", .expect = mirror_secret },
                { "escape_rel_secret", .expect = "outside/secret" },
                { "dangling_deep", .expect = "made_deep/a/b/file" },
                { "dangling_chain_rel", .expect = "made_chain/file" },
                { "newfile", .expect = "newfile" },
                { "newfile", .expect = "newfile" }, /* again: exists */
                { "deep/er/file", .expect = "deep/er/file" },
                { "/abs//file", .expect = "abs/file" },
                { "../escaped", .expect = "escaped" },
                { "up1/escaped2", .expect = "escaped2" },
                { "mid/new", .expect = "real/dir/new" },
                { "real/dir/root_up/t7", .expect = "t7" },
                { "escape_rel/t", .expect = "outside/t" },
                { "escape_host/secret", .expect = mirror_secret }, /* the parents are made */
                { "etc", .expect = "etc", .directory = true },
                { "abs_etc", .expect = "etc", .directory = true },
                { "", .expect = "", .directory = true },
                /* An existing file through a symlink, the bind-mount target /etc/resolv.conf
                 * often is. */
                { "passwd_link", .expect = "etc/passwd" },
                { "passwd_rel", .expect = "etc/passwd" },
                { "escape_host_secret", .expect = mirror_secret },
                /* A dangling symlink: its target is made, in the root. */
                { "dangling_file", .expect = mirror_created },
                { "escape_rel_secret", .expect = "outside/secret" },
                { "newdir/", .error = EISDIR },
                { "loop_a", .error = ELOOP },
                { "self/x", .error = ELOOP },
                { "etc/passwd/x", .error = ENOTDIR },
                { "etc/passwd/", .error = ENOTDIR },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                int fd = -EBADF;
                g_test_message("touch_in_root(\"%s\")", cases[i].path);
                int r = touch_in_root(t->root_fd, cases[i].path, 0644, &fd);
                if (cases[i].expect) {
                        if (r < 0)
                                g_error("touch_in_root(\"%s\"): %s", cases[i].path, g_strerror(-r));
                        struct stat st;
                        g_assert_cmpint(fstat(fd, &st), ==, 0);
                        g_assert_true(cases[i].directory ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
                        g_assert_cmpint(fcntl(fd, F_GETFL) & O_PATH, ==, O_PATH);
                        assert_same_object(fd, t->root_fd, cases[i].expect);
                        close(fd);
                } else {
                        g_assert_cmpstr(g_strerror(-r), ==, g_strerror(cases[i].error));
                        g_assert_cmpint(fd, ==, -EBADF);
                }
        }

        /* The mode of a new file; an existing file keeps its content. */
        struct stat st;
        g_assert_cmpint(touch_in_root(t->root_fd, "moded", 0600, NULL), ==, 0);
        g_assert_cmpint(fstatat(t->root_fd, "moded", &st, 0), ==, 0);
        assert_mode(st, 0600);
        g_assert_cmpint(touch_in_root(t->root_fd, "etc/passwd", 0600, NULL), ==, 0);
        g_assert_cmpint(fstatat(t->root_fd, "etc/passwd", &st, 0), ==, 0);
        g_assert_cmpint(st.st_size, >, 0);
        assert_mode(st, 0644);
        /* A FIFO neither blocks nor is replaced. */
        g_assert_cmpint(mkfifoat(t->root_fd, "fifo", 0600), ==, 0);
        g_assert_cmpint(touch_in_root(t->root_fd, "fifo", 0644, NULL), ==, 0);

        g_assert_false(exists_in(t->top_fd, "escaped"));
        g_assert_false(exists_in(t->top_fd, "escaped2"));
        g_assert_false(exists_in(t->outside_fd, "t"));
}

int main(int argc, char **argv) {
        static const struct {
                const char *name;
                void (*func)(Tree *t);
        } tests[] = {
                { "open-escapes", test_open_escapes },
                { "open-links", test_open_links },
                { "open-create", test_open_create },
                { "open-magic", test_open_magic },
                { "mkdir-p", test_mkdir_p },
                { "touch", test_touch },
        };
        static ModeTest mode_tests[_MODE_MAX][G_N_ELEMENTS(tests)];

        /* Modes below are exact. */
        umask(022);
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/path-util/is-absolute", test_is_absolute);
        g_test_add_func("/path-util/simplify", test_simplify);
        g_test_add_func("/path-util/startswith", test_startswith);
        g_test_add_func("/path-util/proc-fd-path", test_proc_fd_path);
        for (Mode m = 0; m < _MODE_MAX; m++)
                for (size_t i = 0; i < G_N_ELEMENTS(tests); i++) {
                        g_autofree char *path = g_strdup_printf("/path-util/%s/%s", mode_name[m],
                                                                tests[i].name);
                        mode_tests[m][i] = (ModeTest) { .mode = m, .func = tests[i].func };
                        g_test_add_data_func(path, &mode_tests[m][i], run_mode_test);
                }
        return g_test_run();
}
