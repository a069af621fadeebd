/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container process's limits, identity and execve(). */

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>

#include "errmsg.h"
#include "fd-util.h"
#include "parse-util.h"
#include "path-util.h"
#include "strv.h"
#include "caps.h"
#include "lsm.h"
#include "process.h"

/* Opens /proc/<rel> for writing, making sure the write lands in the procfs file it names and
 * not in whatever the image or a mount put on its path (CVE-2025-52881): /proc must be the
 * root of a procfs, the walk stays beneath it and follows no magic link, and the file found
 * must be on procfs too (a bind of /dev/null or of an image file over it is not). */
static int open_procfs_file(const char *rel, int *ret_fd, char **ret_error) {
        struct statfs sf;
        struct stat st;
        _cleanup_close_ int proc = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (proc < 0 || fstatfs(proc, &sf) < 0 || fstat(proc, &st) < 0)
                return errmsg(ret_error, -errno, "open /proc (to write /proc/%s)", rel);
        if (sf.f_type != PROC_SUPER_MAGIC || st.st_ino != 1)
                return errmsg_plain(ret_error, -EXDEV, "write /proc/%s: /proc is not a proc filesystem", rel);
        _cleanup_close_ int fd = -EBADF;
        int r = open_in_root(proc, rel, O_WRONLY | O_NOFOLLOW | O_NOCTTY, 0, &fd);
        if (r < 0)
                return errmsg(ret_error, r, "open /proc/%s", rel);
        if (fstatfs(fd, &sf) < 0 || fstat(fd, &st) < 0)
                return errmsg(ret_error, -errno, "stat /proc/%s", rel);
        if (sf.f_type != PROC_SUPER_MAGIC || !S_ISREG(st.st_mode))
                return errmsg_plain(ret_error, -EXDEV, "write /proc/%s: it is not a procfs file (something is mounted over it)",
                                    rel);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int process_apply_limits(const OciProcess *p, char **ret_error) {
        for (size_t i = 0; i < p->n_rlimits; i++) {
                struct rlimit rl = { .rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard };
                if (setrlimit(p->rlimits[i].resource, &rl) < 0)
                        return errmsg(ret_error, -errno, "setrlimit(%d, %llu, %llu)", p->rlimits[i].resource,
                                      (unsigned long long) rl.rlim_cur, (unsigned long long) rl.rlim_max);
        }
        if (p->has_oom_score_adj) {
                char buf[16];
                int n = snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
                _cleanup_close_ int fd = -EBADF;
                int r = open_procfs_file("self/oom_score_adj", &fd, ret_error);
                if (r < 0)
                        return r;
                r = write_all(fd, buf, (size_t) n);
                if (r < 0)
                        return errmsg(ret_error, r, "set oom_score_adj to %d", p->oom_score_adj);
        }
        return 0;
}

/* A cwd of "/proc/self/fd/N" where N is a directory fd of the host (CVE-2024-21626), or any
 * other way of reaching a directory outside the container's root, leaves the process with a
 * cwd the root does not contain: the kernel's getcwd then says "(unreachable)/..." (glibc's
 * getcwd() turns that into ENOENT, hence the raw syscall). Refuse before exec. */
static int check_cwd_in_root(const char *cwd, char **ret_error) {
        char buf[PATH_MAX];
        long n = syscall(SYS_getcwd, buf, sizeof(buf));
        if (n < 0)
                return errmsg(ret_error, -errno, "process.cwd %s: getcwd after chdir", cwd);
        if (buf[0] != '/')
                return errmsg_plain(ret_error, -EPERM, "process.cwd %s: resolves outside the container's root (%s)",
                                    cwd, buf);
        return 0;
}

static bool setgroups_denied(void) {
        _cleanup_free_ char *v = NULL;
        return read_file_at(AT_FDCWD, "/proc/self/setgroups", 64, &v, NULL) >= 0 && strncmp(v, "deny", 4) == 0;
}

int process_apply_identity(const OciProcess *p, uint64_t keep_caps, char **ret_error) {
        uint64_t caps[_CAP_SET_MAX];
        int r;

        /* keep_caps stay effective and permitted until the exec, which drops them: the
         * kernel computes the new sets from the inheritable, ambient and bounding ones (and
         * the uid), never from the permitted set (capabilities(7)). Never ambient here. */
        memcpy(caps, p->capabilities, sizeof(caps));
        caps[CAP_SET_AMBIENT] &= ~(keep_caps & ~p->capabilities[CAP_SET_PERMITTED]);
        caps[CAP_SET_EFFECTIVE] |= keep_caps;
        caps[CAP_SET_PERMITTED] |= keep_caps;

        /* chdir while still privileged; a cwd only the user may enter is retried after the
         * switch, as runc does. */
        bool cwd_done = chdir(p->cwd) >= 0;
        int cwd_errno = errno;

        /* In a user namespace whose gid map an unprivileged caller wrote, setgroups is denied
         * (issue 7): with no additionalGids asked, the groups we have are all there can be. */
        if (setgroups(p->n_additional_gids, p->additional_gids) < 0 &&
            !(errno == EPERM && p->n_additional_gids == 0 && setgroups_denied()))
                return errmsg(ret_error, -errno, "setgroups");

        r = caps_apply_bounding(caps, ret_error);
        if (r < 0)
                return r;
        r = caps_change_id_and_apply(caps, p->uid, p->gid, ret_error);
        if (r < 0)
                return r;

        if (!cwd_done && chdir(p->cwd) < 0)
                return errmsg(ret_error, -(errno == EACCES ? errno : cwd_errno), "chdir to cwd %s", p->cwd);
        if ((r = check_cwd_in_root(p->cwd, ret_error)) < 0)
                return r;

        if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return errmsg(ret_error, -errno, "prctl(PR_SET_NO_NEW_PRIVS)");
        umask(p->has_umask ? p->umask : 0022);
        return 0;
}

static int check_executable(const char *path) {
        struct stat st;
        if (stat(path, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EACCES;
        return 0;
}

int process_find_executable(const OciProcess *p, char **ret_path, char **ret_error) {
        const char *name = p->args[0];
        int r;

        if (strchr(name, '/')) {
                /* Relative names with a slash are relative to cwd, as for execve(). */
                r = check_executable(name);
                if (r < 0)
                        return errmsg(ret_error, r, "exec \"%s\"", name);
                return (*ret_path = strdup(name)) ? 0 : -ENOMEM;
        }

        const char *path = strv_env_get(p->env, "PATH");
        if (!path)
                path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        int last = -ENOENT;
        for (const char *s = path;; ) {
                size_t n = strcspn(s, ":");
                _cleanup_free_ char *cand = NULL;
                if (asprintf(&cand, "%.*s%s%s", (int) n, s, n > 0 ? "/" : "", name) < 0)
                        return -ENOMEM;
                r = check_executable(cand);
                if (r >= 0) {
                        *ret_path = TAKE_PTR(cand);
                        return 0;
                }
                if (r != -ENOENT && r != -ENOTDIR)
                        last = r;
                if (!s[n])
                        break;
                s += n + 1;
        }
        return errmsg(ret_error, last, "exec \"%s\": not found in $PATH", name);
}

/* The final execve()'s arguments, made before the filter is loaded. */
typedef struct ProcessExec {
        const char *path;
        char **argv;
        char **env;
        char *filter_arg;
        char *fd_text;
        char *label_fd_text;
        char *stub_path;
        int report_fd; /* made inheritable for the stub; close-on-exec again when done */
        int label_fd;  /* likewise */
} ProcessExec;

static void process_exec_done(ProcessExec *x) {
        if (x->report_fd >= 0)
                (void) fd_cloexec(x->report_fd, true);
        if (x->label_fd >= 0)
                (void) fd_cloexec(x->label_fd, true);
        strv_free(x->env);
        free(x->argv);
        free(x->filter_arg);
        free(x->fd_text);
        free(x->label_fd_text);
        free(x->stub_path);
        *x = (ProcessExec) { .report_fd = -EBADF, .label_fd = -EBADF };
}

/* Whether env has an entry of the name of entry ("NAME=value"). */
static bool env_name_in(char **env, const char *entry) {
        size_t n = strcspn(entry, "=");
        for (char **e = env; e && *e; e++)
                if (strncmp(*e, entry, n) == 0 && (*e)[n] == '=')
                        return true;
        return false;
}

int process_exec_env(const OciProcess *p, char **extra_env, char ***ret) {
        _cleanup_strv_free_ char **env = NULL;
        /* What the runtime sets wins over the config's copy of the same name (LISTEN_FDS,
         * LISTEN_PID, LISTEN_FDNAMES, NOTIFY_SOCKET): getenv() takes the first, and a config's
         * LISTEN_PID=1 with the runtime's LISTEN_FDS would hand fds 3.. to a process they were
         * not meant for. As systemd does with Environment= against its own. */
        for (char **e = p->env; e && *e; e++)
                if (!env_name_in(extra_env, *e) && strv_extend(&env, *e) < 0)
                        return -ENOMEM;
        for (char **e = extra_env; e && *e; e++)
                if (strv_extend(&env, *e) < 0)
                        return -ENOMEM;
        if (!env && !(env = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = TAKE_PTR(env);
        return 0;
}

static int process_exec_prepare(const OciProcess *p, const char *path, char **extra_env, int stub_fd, int report_fd,
                                const SeccompProgram *stub_filter, const LsmExecLabel *label, ProcessExec *ret) {
        _cleanup_(process_exec_done) ProcessExec x = { .report_fd = -EBADF, .label_fd = -EBADF, .path = path };
        int r;

        if ((r = process_exec_env(p, extra_env, &x.env)) < 0)
                return r;
        if (stub_fd < 0) {
                x.argv = calloc(strv_length(p->args) + 1, sizeof(char *));
                if (!x.argv)
                        return -ENOMEM;
                memcpy(x.argv, p->args, (strv_length(p->args) + 1) * sizeof(char *));
                *ret = x;
                x = (ProcessExec) { .report_fd = -EBADF, .label_fd = -EBADF };
                return 0;
        }

        /* [name, REPORT_FD, FILTER, LABEL_FD, LABEL, PATH, args...]: the stub makes REPORT_FD
         * close-on-exec again, writes LABEL through LABEL_FD ("-": none), loads FILTER ("-":
         * none) and execs PATH. */
        if (stub_filter && (r = seccomp_program_to_arg(stub_filter, &x.filter_arg)) < 0)
                return r;
        size_t n = strv_length(p->args);
        x.argv = calloc(n + 7, sizeof(char *));
        if (!x.argv)
                return -ENOMEM;
        /* execve() of /proc/self/fd/N rather than execveat(): a profile may deny execveat where
         * it must allow execve (as runc needs). */
        if (asprintf(&x.fd_text, "%d", report_fd) < 0 || asprintf(&x.stub_path, "/proc/self/fd/%d", stub_fd) < 0)
                return -ENOMEM;
        x.path = x.stub_path;
        x.argv[0] = (char *) "ctr-launch-exec";
        x.argv[1] = x.fd_text;
        x.argv[2] = x.filter_arg ?: (char *) "-";
        x.argv[3] = (char *) "-";
        x.argv[4] = (char *) "-";
        if (label && label->attr_fd >= 0) {
                if (asprintf(&x.label_fd_text, "%d", label->attr_fd) < 0)
                        return -ENOMEM;
                x.argv[3] = x.label_fd_text;
                x.argv[4] = label->text;
        }
        x.argv[5] = (char *) path;
        memcpy(x.argv + 6, p->args, (n + 1) * sizeof(char *));
        if ((r = fd_cloexec(report_fd, false)) < 0)
                return r;
        x.report_fd = report_fd;
        if (label && label->attr_fd >= 0) {
                if ((r = fd_cloexec(label->attr_fd, false)) < 0)
                        return r;
                x.label_fd = label->attr_fd;
        }
        *ret = x;
        x = (ProcessExec) { .report_fd = -EBADF, .label_fd = -EBADF };
        return 0;
}

static int process_exec_run(const ProcessExec *x) {
        execve(x->path, x->argv, x->env);
        return -errno;
}

int process_exec_filtered(const OciProcess *p, const char *path, char **extra_env, int stub_fd, int report_fd,
                          const SeccompPlan *sc, const LsmExecLabel *label, char **ret_error) {
        _cleanup_(process_exec_done) ProcessExec x = { .report_fd = -EBADF, .label_fd = -EBADF };
        int r = process_exec_prepare(p, path, extra_env, stub_fd, report_fd, sc->stub_loads ? &sc->rest : NULL, label, &x);
        if (r < 0)
                return errmsg(ret_error, r, "exec \"%s\": prepare", p->args[0]);
        /* Without the stub, ours is the last exec: the label is written here, before the filter
         * could refuse the write. */
        if (stub_fd < 0 && label && (r = lsm_exec_label_write(label, ret_error)) < 0)
                return r;
        if (sc->rest.n_insns > 0 && !sc->stub_loads && (r = seccomp_program_load(&sc->rest, p->no_new_privileges, NULL, ret_error)) < 0)
                return r;
        r = process_exec_run(&x);
        return errmsg(ret_error, r, "exec \"%s\"", p->args[0]);
}

int process_apply_cpu_affinity(const OciProcess *p, bool final, char **ret_error) {
        const char *list = final ? p->cpu_affinity_final : p->cpu_affinity_initial;
        cpu_set_t set;
        if (!list)
                return 0;
        int r = parse_cpu_list(list, &set);
        if (r < 0)
                return errmsg(ret_error, r, "process.execCPUAffinity.%s: parse \"%s\"", final ? "final" : "initial", list);
        if (sched_setaffinity(0, sizeof(set), &set) < 0)
                return errmsg(ret_error, -errno, "process.execCPUAffinity.%s: set the CPU affinity to \"%s\"",
                              final ? "final" : "initial", list);
        return 0;
}

/* struct sched_attr of sched_setattr(2), which glibc 2.36 does not declare. */
struct sched_attr_v1 {
        uint32_t size;
        uint32_t sched_policy;
        uint64_t sched_flags;
        int32_t sched_nice;
        uint32_t sched_priority;
        uint64_t sched_runtime;
        uint64_t sched_deadline;
        uint64_t sched_period;
};

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_SHIFT 13

int process_apply_scheduling(const OciProcess *p, char **ret_error) {
        if (p->io_priority.set) {
                int value = (p->io_priority.class << IOPRIO_CLASS_SHIFT) | p->io_priority.priority;
                if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, value) < 0)
                        return errmsg(ret_error, -errno, "process.ioPriority: ioprio_set(class %d, priority %d)",
                                      p->io_priority.class, p->io_priority.priority);
        }
        if (p->scheduler.set) {
                const OciScheduler *s = &p->scheduler;
                struct sched_attr_v1 attr = {
                        .size = sizeof(attr),
                        .sched_policy = s->policy,
                        .sched_flags = s->flags,
                        .sched_nice = s->nice,
                        .sched_priority = s->priority,
                        .sched_runtime = s->runtime,
                        .sched_deadline = s->deadline,
                        .sched_period = s->period,
                };
                if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
                        return errmsg(ret_error, -errno, "process.scheduler: sched_setattr(policy %u)", s->policy);
        }
        return 0;
}

int process_apply_personality(const OciPersonality *p, char **ret_error) {
        if (p->set && personality(p->persona) < 0)
                return errmsg(ret_error, -errno, "linux.personality: personality(0x%lx)", p->persona);
        return 0;
}

/* Marks every fd above the ones the process may have close-on-exec, and makes the ones it may
 * have inheritable. Our own fds are O_CLOEXEC already; this also covers any a library opened
 * without it. */
int process_keep_fds(unsigned n, char **ret_error) {
        unsigned keep = 3 + n;
        for (unsigned fd = 3; fd < keep; fd++) {
                int r = fd_cloexec((int) fd, false);
                if (r < 0)
                        return errmsg(ret_error, r, "keep fd %u for the container", fd);
        }
        if (close_range(keep, ~0U, CLOSE_RANGE_CLOEXEC) >= 0)
                return 0;
        /* Before Linux 5.11, or where a seccomp filter around ctr-launch itself denies it (an
         * older Docker profile): one fcntl per open fd. */
        if (errno != ENOSYS && errno != EPERM && errno != EINVAL)
                return errmsg(ret_error, -errno, "close_range");
        DIR *d = opendir("/proc/self/fd");
        if (!d)
                return errmsg(ret_error, -errno, "mark fds close-on-exec: open /proc/self/fd");
        int r = 0;
        for (struct dirent *de; (de = readdir(d));) {
                uint64_t fd;
                if (parse_uint64(de->d_name, INT_MAX, &fd) < 0 || fd < keep || (int) fd == dirfd(d))
                        continue;
                if ((r = fd_cloexec((int) fd, true)) < 0 && r != -EBADF)
                        break;
                r = 0;
        }
        closedir(d);
        if (r < 0)
                return errmsg(ret_error, r, "mark fds close-on-exec");
        return 0;
}

int process_reset_signals(char **ret_error) {
        /* `run` and `exec` block signals to forward them; the process starts with a clean
         * slate. */
        sigset_t all;
        sigemptyset(&all);
        if (sigprocmask(SIG_SETMASK, &all, NULL) < 0)
                return errmsg(ret_error, -errno, "sigprocmask");
        for (int sig = 1; sig < NSIG; sig++) {
                if (sig == SIGKILL || sig == SIGSTOP)
                        continue;
                (void) signal(sig, SIG_DFL);
        }
        return 0;
}

int process_new_session_keyring(char **ret_error) {
        /* Else the process would share the caller's session keyring (an admin's Kerberos
         * tickets, fscrypt and cifs keys): a new, empty, anonymous one. A kernel without keys
         * has nothing to share. */
        if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS)
                return errmsg(ret_error, -errno, "join a new session keyring");
        return 0;
}
