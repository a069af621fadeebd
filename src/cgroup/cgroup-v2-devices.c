/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device filter of cgroup v2: v2 has no devices.allow, the kernel asks a
 * BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup instead. We generate one for the
 * OCI rules (raw instructions, bpf(2) directly: no libbpf), attach it, and detach the one we
 * attached before. Programs others attached to the same cgroup (systemd's, for one) are left
 * alone: the kernel asks every one, and all must allow. */

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errmsg.h"
#include "cgroup.h"

/* How we recognise our own programs among those attached to a cgroup (bpf_prog_info.name,
 * at most BPF_OBJ_NAME_LEN - 1 characters). */
#define DEVICE_PROG_NAME "ctr_launch_dev"

#define INSN(c, d, s, o, i) ((struct bpf_insn) { .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/* Registers while the rules run: the request, taken apart from struct bpf_cgroup_dev_ctx. */
enum {
        R_TYPE = BPF_REG_2,   /* BPF_DEVCG_DEV_CHAR or _BLOCK */
        R_ACCESS = BPF_REG_3, /* BPF_DEVCG_ACC_* bits asked for */
        R_MAJOR = BPF_REG_4,
        R_MINOR = BPF_REG_5,
        R_TMP = BPF_REG_0,
};

static int sys_bpf(int cmd, union bpf_attr *attr) {
        /* fds the kernel returns from bpf(2) are always O_CLOEXEC. */
        return (int) syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

typedef struct Prog {
        struct bpf_insn *insns;
        size_t n, allocated;
} Prog;

static int emit(Prog *p, struct bpf_insn insn) {
        if (p->n == p->allocated) {
                size_t a = p->allocated ? p->allocated * 2 : 64;
                struct bpf_insn *m = reallocarray(p->insns, a, sizeof(*m));
                if (!m)
                        return -ENOMEM;
                p->insns = m;
                p->allocated = a;
        }
        p->insns[p->n++] = insn;
        return 0;
}

static uint32_t access_bits(const char *access) {
        uint32_t bits = 0;
        for (const char *c = access; *c; c++)
                bits |= *c == 'r' ? BPF_DEVCG_ACC_READ : *c == 'w' ? BPF_DEVCG_ACC_WRITE : *c == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
        return bits;
}

#define ACC_ALL (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)

/* One rule: conditions that jump past the block when they fail, then "return allow". Returns
 * 1 when the rule matches every request (nothing after it can be reached: the verifier
 * refuses unreachable instructions), 0 otherwise. */
static int emit_rule(Prog *p, const OciDeviceRule *rule) {
        struct bpf_insn cond[8];
        size_t n = 0;
        uint32_t acc = access_bits(rule->access);

        if (rule->type == 'c' || rule->type == 'b')
                cond[n++] = INSN(BPF_JMP32 | BPF_JNE | BPF_K, R_TYPE, 0, 0,
                                 rule->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
        if ((acc & ACC_ALL) != ACC_ALL) {
                /* the access asked for must be a subset of the rule's */
                cond[n++] = INSN(BPF_ALU | BPF_MOV | BPF_X, R_TMP, R_ACCESS, 0, 0);
                cond[n++] = INSN(BPF_ALU | BPF_AND | BPF_K, R_TMP, 0, 0, (int32_t) (~acc & ACC_ALL));
                cond[n++] = INSN(BPF_JMP32 | BPF_JNE | BPF_K, R_TMP, 0, 0, 0);
        }
        if (rule->major >= 0)
                cond[n++] = INSN(BPF_JMP32 | BPF_JNE | BPF_K, R_MAJOR, 0, 0, (int32_t) (uint32_t) rule->major);
        if (rule->minor >= 0)
                cond[n++] = INSN(BPF_JMP32 | BPF_JNE | BPF_K, R_MINOR, 0, 0, (int32_t) (uint32_t) rule->minor);

        /* after the conditions: r0 = allow; exit (2 instructions) */
        for (size_t i = 0; i < n; i++) {
                if (BPF_CLASS(cond[i].code) == BPF_JMP32)
                        cond[i].off = (int16_t) (n - i - 1 + 2);
                int r = emit(p, cond[i]);
                if (r < 0)
                        return r;
        }
        int r = emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, rule->allow ? 1 : 0));
        if (r < 0)
                return r;
        if ((r = emit(p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0))) < 0)
                return r;
        return n == 0;
}

/* OCI: deny everything, then each rule in order, a later one winning over an earlier one. The
 * program tries them last to first and returns at the first that matches. */
static int build_program(const OciDeviceRule *rules, size_t n, Prog *ret, char **ret_error) {
        Prog p = {};
        int r;

        for (size_t i = 0; i < n; i++) {
                const OciDeviceRule *d = rules + i;
                if (!strchr("acb", d->type) || d->type == 0 || d->major < -1 || d->major > UINT32_MAX ||
                    d->minor < -1 || d->minor > UINT32_MAX || access_bits(d->access) == 0) {
                        free(p.insns);
                        return errmsg_plain(ret_error, -EINVAL, "linux.resources.devices[%zu]: not a device rule", i);
                }
        }

        /* struct bpf_cgroup_dev_ctx: access_type (access << 16 | type), major, minor; r1 last,
         * it holds the context until then. */
        struct bpf_insn prologue[] = {
                INSN(BPF_LDX | BPF_MEM | BPF_W, R_TYPE, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type), 0),
                INSN(BPF_ALU | BPF_MOV | BPF_X, R_ACCESS, R_TYPE, 0, 0),
                INSN(BPF_ALU | BPF_AND | BPF_K, R_TYPE, 0, 0, 0xFFFF),
                INSN(BPF_ALU | BPF_RSH | BPF_K, R_ACCESS, 0, 0, 16),
                INSN(BPF_LDX | BPF_MEM | BPF_W, R_MAJOR, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, major), 0),
                INSN(BPF_LDX | BPF_MEM | BPF_W, R_MINOR, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, minor), 0),
        };
        for (size_t i = 0; i < ELEMENTSOF(prologue); i++)
                if ((r = emit(&p, prologue[i])) < 0)
                        goto oom;

        bool terminal = false;
        for (size_t i = n; i > 0 && !terminal; i--) {
                if ((r = emit_rule(&p, rules + i - 1)) < 0)
                        goto oom;
                terminal = r > 0;
        }
        if (!terminal) {
                if ((r = emit(&p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0))) < 0 ||
                    (r = emit(&p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0))) < 0)
                        goto oom;
        }
        if (p.n > BPF_MAXINSNS) {
                free(p.insns);
                return errmsg_plain(ret_error, -E2BIG, "linux.resources.devices: too many rules for a device filter");
        }
        *ret = p;
        return 0;

oom:
        free(p.insns);
        return errmsg(ret_error, -ENOMEM, "device filter");
}

/* Why the verifier refused: the last line of its log before the statistics it always ends
 * with ("processed N insns ..."). */
static const char *log_reason(char *log) {
        const char *reason = "";
        for (char *line = log, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (*line && strncmp(line, "processed ", 10) != 0)
                        reason = line;
        }
        return reason;
}

static int load_program(const Prog *p, int *ret_fd, char **ret_error) {
        union bpf_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        attr.insns = (uint64_t) (uintptr_t) p->insns;
        attr.insn_cnt = (uint32_t) p->n;
        /* No GPL-only helper is called: the license does not matter to the kernel here. */
        attr.license = (uint64_t) (uintptr_t) "LGPL-2.1-or-later";
        static_assert(sizeof(DEVICE_PROG_NAME) <= sizeof(attr.prog_name), "program name too long");
        memcpy(attr.prog_name, DEVICE_PROG_NAME, sizeof(DEVICE_PROG_NAME));

        int fd = sys_bpf(BPF_PROG_LOAD, &attr);
        if (fd >= 0) {
                *ret_fd = fd;
                return 0;
        }
        int r = -errno;

        /* Load again with a log for the message only: a log that overflows its buffer makes
         * the load itself fail (ENOSPC), so it is not asked for on the way that works. */
        _cleanup_free_ char *log = calloc(1, 16384);
        if (!log || r == -EPERM)
                return errmsg(ret_error, r, "load device filter");
        attr.log_level = 1;
        attr.log_buf = (uint64_t) (uintptr_t) log;
        attr.log_size = 16384;
        fd = sys_bpf(BPF_PROG_LOAD, &attr);
        if (fd >= 0) {
                /* it worked the second time */
                *ret_fd = fd;
                return 0;
        }
        log[16383] = '\0';
        const char *reason = log_reason(log);
        if (!*reason)
                return errmsg(ret_error, r, "load device filter");
        return errmsg(ret_error, r, "load device filter (verifier: %s)", reason);
}

static int prog_info(int prog_fd, struct bpf_prog_info *ret) {
        union bpf_attr attr;
        memset(&attr, 0, sizeof(attr));
        memset(ret, 0, sizeof(*ret));
        attr.info.bpf_fd = (uint32_t) prog_fd;
        attr.info.info_len = sizeof(*ret);
        attr.info.info = (uint64_t) (uintptr_t) ret;
        return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) < 0 ? -errno : 0;
}

/* The ids of the device programs attached to the cgroup itself (not inherited ones). */
static int query_attached(int dir_fd, uint32_t **ret_ids, uint32_t *ret_n) {
        uint32_t cap = 16;
        for (;;) {
                _cleanup_free_ uint32_t *ids = calloc(cap, sizeof(uint32_t));
                if (!ids)
                        return -ENOMEM;
                union bpf_attr attr;
                memset(&attr, 0, sizeof(attr));
                attr.query.target_fd = (uint32_t) dir_fd;
                attr.query.attach_type = BPF_CGROUP_DEVICE;
                attr.query.prog_ids = (uint64_t) (uintptr_t) ids;
                attr.query.prog_cnt = cap;
                if (sys_bpf(BPF_PROG_QUERY, &attr) < 0) {
                        if (errno == ENOSPC && attr.query.prog_cnt > cap) {
                                cap = attr.query.prog_cnt;
                                continue;
                        }
                        return -errno;
                }
                *ret_ids = TAKE_PTR(ids);
                *ret_n = attr.query.prog_cnt;
                return 0;
        }
}

/* Detaches every program named ours attached to the cgroup, but keep_id. */
static int detach_ours(int dir_fd, uint32_t keep_id, char **ret_error) {
        _cleanup_free_ uint32_t *ids = NULL;
        uint32_t n = 0;
        int r = query_attached(dir_fd, &ids, &n);
        if (r < 0)
                return errmsg(ret_error, r, "list the device filters attached");

        for (uint32_t i = 0; i < n; i++) {
                if (ids[i] == keep_id)
                        continue;
                union bpf_attr attr;
                memset(&attr, 0, sizeof(attr));
                attr.prog_id = ids[i];
                _cleanup_close_ int fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
                if (fd < 0) {
                        if (errno == ENOENT) /* gone meanwhile */
                                continue;
                        return errmsg(ret_error, -errno, "open device filter %" PRIu32, ids[i]);
                }
                struct bpf_prog_info info;
                if ((r = prog_info(fd, &info)) < 0)
                        return errmsg(ret_error, r, "inspect device filter %" PRIu32, ids[i]);
                if (info.type != BPF_PROG_TYPE_CGROUP_DEVICE ||
                    strncmp(info.name, DEVICE_PROG_NAME, sizeof(info.name)) != 0)
                        continue;

                memset(&attr, 0, sizeof(attr));
                attr.target_fd = (uint32_t) dir_fd;
                attr.attach_bpf_fd = (uint32_t) fd;
                attr.attach_type = BPF_CGROUP_DEVICE;
                if (sys_bpf(BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT)
                        return errmsg(ret_error, -errno, "detach the previous device filter");
        }
        return 0;
}

int cgroup_v2_devices_apply(int dir_fd, const OciDeviceRule *rules, size_t n, char **ret_error) {
        Prog p = {};
        int r = build_program(rules, n, &p, ret_error);
        if (r < 0)
                return r;

        _cleanup_close_ int prog_fd = -EBADF;
        r = load_program(&p, &prog_fd, ret_error);
        free(p.insns);
        if (r < 0)
                return r;

        struct bpf_prog_info info;
        if ((r = prog_info(prog_fd, &info)) < 0)
                return errmsg(ret_error, r, "inspect the device filter");

        /* Attach the new filter before detaching the old: in between both apply, and a device
         * is allowed only when both allow it, never more than either would. */
        union bpf_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.target_fd = (uint32_t) dir_fd;
        attr.attach_bpf_fd = (uint32_t) prog_fd;
        attr.attach_type = BPF_CGROUP_DEVICE;
        attr.attach_flags = BPF_F_ALLOW_MULTI;
        if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
                return errmsg(ret_error, -errno, "attach the device filter");

        /* The cgroup holds the program now; our fd is closed on return. */
        return detach_ours(dir_fd, info.id, ret_error);
}
