/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The last step before the container's process: a tiny freestanding program that the init
 * execs from a sealed memfd, and that execs the container's process in turn. While the
 * kernel loads the container's binary, /proc/self/exe is therefore this sealed copy, never the
 * host's ctr-launch: a container whose entry point is /proc/self/exe (by a symlink, a #! line
 * or an ELF interpreter) reaches only what nobody can write (CVE-2019-5736). It costs one
 * exec of a few hundred bytes instead of re-executing the whole launcher.
 *
 * argv: [name, REPORT_FD, FILTER, LABEL_FD, LABEL, PATH, container argv...]; the environment is
 * the container's. REPORT_FD is the init's end of exec.fifo: close-on-exec again here, so that
 * `start` reads end-of-file on success; on failure it gets "errno=N PATH" and we exit 127.
 * LABEL_FD is "-" or an O_PATH fd on our /proc/thread-self/attr/.../exec, and LABEL what to write
 * there (the AppArmor profile or SELinux context of the process, src/init/lsm.h): written here,
 * so that the kernel's exec-time transition happens at the exec of the user's binary and not at
 * ours (a failure says "lsm errno=N WHAT"). FILTER is "-" or
 * the container's seccomp filter as "FLAGS:HEX" (seccomp-filter.h), loaded here as the last
 * step before the exec: under the user's filter we make no system call but execve(), so a
 * profile need not allow anything of ours (a failed load says "seccomp errno=N WHAT", a failed
 * fcntl "stub errno=N fcntl"). No libc: raw syscalls, for x86-64 and arm64. */

#if defined(__x86_64__)
#define NR_WRITE 1
#define NR_FSTAT 5
#define NR_OPENAT 257
#define NR_FCNTL 72
#define NR_EXECVE 59
#define NR_EXIT_GROUP 231
#define NR_SECCOMP 317

static long syscall3(long n, long a, long b, long c) {
        long r;
        __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
        return r;
}

__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "        xor %rbp, %rbp\n"
        "        mov %rsp, %rdi\n"
        "        and $-16, %rsp\n"
        "        call stub_main\n"
        "        hlt\n");
#elif defined(__aarch64__)
#define NR_WRITE 64
#define NR_FSTAT 80
#define NR_OPENAT 56
#define NR_FCNTL 25
#define NR_EXECVE 221
#define NR_EXIT_GROUP 94
#define NR_SECCOMP 277

static long syscall3(long n, long a, long b, long c) {
        register long x8 __asm__("x8") = n;
        register long x0 __asm__("x0") = a;
        register long x1 __asm__("x1") = b;
        register long x2 __asm__("x2") = c;
        __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
        return x0;
}

__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "        mov x29, #0\n"
        "        mov x30, #0\n"
        "        mov x0, sp\n"
        "        bl stub_main\n");
#else
#error "exec-stub: no syscall glue for this architecture"
#endif

#define F_SETFD 2
#define FD_CLOEXEC 1
#define AT_FDCWD (-100)
#define O_WRONLY 01
#define O_CLOEXEC 02000000
#define EIO 5
#define EINVAL 22
#define EXDEV 18
/* struct stat opens with st_dev and st_ino, 8 bytes each, on x86-64 and on arm64 (the generic
 * layout); the rest differs, and is not read. */
#define STAT_SIZE 256
#define SECCOMP_SET_MODE_FILTER 1
/* The kernel's BPF_MAXINSNS. */
#define INSNS_MAX 4096

struct sock_filter {
        unsigned short code;
        unsigned char jt, jf;
        unsigned int k;
};

struct sock_fprog {
        unsigned short len;
        struct sock_filter *filter;
};

__attribute__((noreturn)) static void die(void) {
        for (;;)
                syscall3(NR_EXIT_GROUP, 127, 0, 0);
}

__attribute__((noreturn, used)) void stub_main(long *sp);

static int hex_digit(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

/* "FLAGS:HEX" -> prog (insns holds INSNS_MAX) and *flags; 0, or -1 if malformed. */
static int parse_filter(const char *s, struct sock_fprog *prog, unsigned long *flags) {
        unsigned char *out = (unsigned char *) prog->filter;
        unsigned long n = 0;

        *flags = 0;
        for (; *s >= '0' && *s <= '9'; s++)
                *flags = *flags * 10 + (unsigned long) (*s - '0');
        if (*s++ != ':')
                return -1;
        for (; s[0] && s[1]; s += 2) {
                int hi = hex_digit(s[0]), lo = hex_digit(s[1]);
                if (hi < 0 || lo < 0 || n >= INSNS_MAX * sizeof(struct sock_filter))
                        return -1;
                out[n++] = (unsigned char) (hi << 4 | lo);
        }
        if (s[0] || n == 0 || n % sizeof(struct sock_filter))
                return -1;
        prog->len = (unsigned short) (n / sizeof(struct sock_filter));
        return 0;
}

/* "PREFIXerrno=N TEXT" on fd, and exit 127, built by hand: no libc, and no array initializer
 * the compiler could turn into a memcpy() call. */
__attribute__((noreturn)) static void report(long fd, const char *prefix, long r, const char *text) {
        char buf[40];
        unsigned long e = (unsigned long) -r;
        int n = 0, k;
        for (; *prefix; prefix++)
                buf[n++] = *prefix;
        buf[n++] = 'e', buf[n++] = 'r', buf[n++] = 'r', buf[n++] = 'n', buf[n++] = 'o', buf[n++] = '=';
        char digits[20];
        k = 0;
        do
                digits[k++] = (char) ('0' + e % 10);
        while ((e /= 10) && k < 20);
        while (k > 0)
                buf[n++] = digits[--k];
        buf[n++] = ' ';
        syscall3(NR_WRITE, fd, (long) buf, n);
        long len = 0;
        while (text[len])
                len++;
        syscall3(NR_WRITE, fd, (long) text, len);
        die();
}

/* A file descriptor's decimal digits, or -1. */
static long parse_fd(const char *s) {
        long fd = 0;
        if (!*s)
                return -1;
        for (; *s; s++) {
                if (*s < '0' || *s > '9' || fd > 100000)
                        return -1;
                fd = fd * 10 + (*s - '0');
        }
        return fd;
}

/* LABEL into the attr file LABEL_FD stands for. Only its task may write it, and only through a
 * file that task opened with its current credentials, which our exec replaced: so reopened
 * through its /proc/self/fd link, and checked to be the very same file, so that a /proc the
 * container's mounts replaced cannot swallow the label and leave the process unconfined
 * (CVE-2019-16884). */
static void write_label(long report_fd, const char *fd_text, const char *label) {
        long lfd = parse_fd(fd_text);
        char path[40];
        const char *prefix = "/proc/self/fd/";
        int n = 0;
        unsigned long a[STAT_SIZE / sizeof(unsigned long)], b[STAT_SIZE / sizeof(unsigned long)];

        if (lfd < 0)
                report(report_fd, "lsm ", -EINVAL, "label fd");
        for (; *prefix; prefix++)
                path[n++] = *prefix;
        for (; *fd_text && n < 39; fd_text++)
                path[n++] = *fd_text;
        path[n] = 0;
        long w = syscall3(NR_OPENAT, AT_FDCWD, (long) path, O_WRONLY | O_CLOEXEC);
        if (w < 0)
                report(report_fd, "lsm ", w, "open");
        long r = syscall3(NR_FSTAT, lfd, (long) a, 0);
        if (r < 0)
                report(report_fd, "lsm ", r, "fstat");
        if ((r = syscall3(NR_FSTAT, w, (long) b, 0)) < 0)
                report(report_fd, "lsm ", r, "fstat");
        if (a[0] != b[0] || a[1] != b[1])
                report(report_fd, "lsm ", -EXDEV, "reopen");
        long len = 0;
        while (label[len])
                len++;
        r = syscall3(NR_WRITE, w, (long) label, len);
        if (r < 0)
                report(report_fd, "lsm ", r, "write");
        if (r != len)
                report(report_fd, "lsm ", -EIO, "write");
        /* The O_PATH fd goes at the exec; the one we opened is close-on-exec. */
        if ((r = syscall3(NR_FCNTL, lfd, F_SETFD, FD_CLOEXEC)) < 0)
                report(report_fd, "lsm ", r, "fcntl");
}

__attribute__((noreturn, used)) void stub_main(long *sp) {
        long argc = sp[0];
        char **argv = (char **) (sp + 1), **envp = argv + argc + 1;

        if (argc < 7)
                die();
        long fd = parse_fd(argv[1]);
        if (fd < 0)
                die();
        /* Without noNewPrivileges the init loaded the filter already (seccomp-filter.h): the
         * calls of ours it must allow (fcntl; openat, fstat, write with a label). */
        long r = syscall3(NR_FCNTL, fd, F_SETFD, FD_CLOEXEC);
        if (r < 0)
                report(fd, "stub ", r, "fcntl");

        /* Before the filter we load: a profile need not allow our openat, fstat and write. */
        if (argv[3][0] != '-' || argv[3][1])
                write_label(fd, argv[3], argv[4]);

        if (argv[2][0] != '-' || argv[2][1]) {
                struct sock_filter insns[INSNS_MAX];
                struct sock_fprog prog = { .len = 0, .filter = insns };
                unsigned long flags;
                if (parse_filter(argv[2], &prog, &flags) < 0)
                        report(fd, "seccomp ", -EINVAL, "malformed filter");
                r = syscall3(NR_SECCOMP, SECCOMP_SET_MODE_FILTER, (long) flags, (long) &prog);
                if (r < 0)
                        report(fd, "seccomp ", r, "load");
        }

        r = syscall3(NR_EXECVE, (long) argv[5], (long) (argv + 6), (long) envp);
        report(fd, "", r, argv[5]);
}
