/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The last step before the container's process: a tiny freestanding program that the init
 * execs from a sealed memfd, and that execs the container's process in turn. While the
 * kernel loads the container's binary, /proc/self/exe is therefore this sealed copy, never the
 * host's ctr-launch: a container whose entry point is /proc/self/exe (by a symlink, a #! line
 * or an ELF interpreter) reaches only what nobody can write (CVE-2019-5736). It costs one
 * exec of a few hundred bytes instead of re-executing the whole launcher.
 *
 * argv: [name, REPORT_FD, PATH, container argv...]; the environment is the container's.
 * REPORT_FD is the init's end of exec.fifo: close-on-exec again here, so that `start` reads
 * end-of-file on success; on failure it gets "errno=N PATH" and we exit 127. No libc: raw
 * syscalls, for x86-64 and arm64. */

#if defined(__x86_64__)
#define NR_WRITE 1
#define NR_FCNTL 72
#define NR_EXECVE 59
#define NR_EXIT_GROUP 231

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
#define NR_FCNTL 25
#define NR_EXECVE 221
#define NR_EXIT_GROUP 94

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

__attribute__((noreturn)) static void die(void) {
        for (;;)
                syscall3(NR_EXIT_GROUP, 127, 0, 0);
}

__attribute__((noreturn, used)) void stub_main(long *sp);

__attribute__((noreturn, used)) void stub_main(long *sp) {
        long argc = sp[0];
        char **argv = (char **) (sp + 1), **envp = argv + argc + 1;
        long fd = 0;

        if (argc < 4)
                die();
        for (const char *p = argv[1]; *p; p++) {
                if (*p < '0' || *p > '9' || fd > 100000)
                        die();
                fd = fd * 10 + (*p - '0');
        }
        if (syscall3(NR_FCNTL, fd, F_SETFD, FD_CLOEXEC) < 0)
                die();

        long r = syscall3(NR_EXECVE, (long) argv[2], (long) (argv + 3), (long) envp);

        /* "errno=N PATH", built by hand: no libc, and no array initializer the compiler could turn
         * into a memcpy() call. */
        char buf[24];
        unsigned long e = (unsigned long) -r;
        int n = 0, k;
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
        while (argv[2][len])
                len++;
        syscall3(NR_WRITE, fd, (long) argv[2], len);
        die();
}
