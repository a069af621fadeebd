/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.seccomp -> OciSeccomp. Names (actions, operators, architectures, flags) are turned into
 * libseccomp's values here, so that a bad profile fails `create` before anything happens and
 * the init only builds and loads. Syscall names are kept as text: one libseccomp does not know
 * may be newer than it, and is skipped when the filter is built, as runc does. */

#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "errmsg.h"
#include "strv.h"
#include "oci-config.h"
#include "oci-config-json.h"

#define SECCOMP_ARGS_MAX 6


static void oci_seccomp_freep(OciSeccomp **s) {
        oci_seccomp_free(*s);
}

static const struct {
        const char *name;
        uint32_t action; /* the errno part is added for ERRNO and TRACE */
} action_table[] = {
        { "SCMP_ACT_KILL", SCMP_ACT_KILL },
        { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
        { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
        { "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
        { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0) },
        { "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0) },
        { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
        { "SCMP_ACT_LOG", SCMP_ACT_LOG },
        { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY },
};

static const struct {
        const char *name;
        int op;
} op_table[] = {
        { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
        { "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
        { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
        { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static const struct {
        const char *name;
        unsigned flag;
} flag_table[] = {
        { "SECCOMP_FILTER_FLAG_LOG", OCI_SECCOMP_FLAG_LOG },
        { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", OCI_SECCOMP_FLAG_SPEC_ALLOW },
        { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", OCI_SECCOMP_FLAG_WAIT_KILLABLE_RECV },
};

/* libseccomp's architecture names, for `features`: those this libseccomp resolves are what
 * parse_architectures() accepts, as "SCMP_ARCH_" and the name in capitals. */
static const char *const arch_names[] = {
        "x86", "x86_64", "x32", "arm", "aarch64", "loongarch64", "m68k", "mips", "mips64", "mips64n32",
        "mipsel", "mipsel64", "mipsel64n32", "parisc", "parisc64", "ppc", "ppc64", "ppc64le", "riscv64",
        "s390", "s390x", "sh", "sheb",
};

const char *oci_seccomp_action_name(size_t i) {
        return i < ELEMENTSOF(action_table) ? action_table[i].name : NULL;
}

const char *oci_seccomp_operator_name(size_t i) {
        return i < ELEMENTSOF(op_table) ? op_table[i].name : NULL;
}

const char *oci_seccomp_flag_name(size_t i, bool *ret_supported) {
        if (i >= ELEMENTSOF(flag_table))
                return NULL;
        if (ret_supported) {
                /* What seccomp-filter.c can set, by libseccomp's API level: the kernel's
                 * support as the library sees it (seccomp_api_get(3)). */
                unsigned api = (unsigned) seccomp_api_get();
                unsigned flag = flag_table[i].flag;
                *ret_supported = flag == OCI_SECCOMP_FLAG_LOG ? api >= 3
                                 : flag == OCI_SECCOMP_FLAG_SPEC_ALLOW ? api >= 4
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
                                 : flag == OCI_SECCOMP_FLAG_WAIT_KILLABLE_RECV ? api >= 7
#endif
                                 : false;
        }
        return flag_table[i].name;
}

int oci_seccomp_arch_name(size_t i, char ret[static OCI_SECCOMP_ARCH_NAME_MAX]) {
        if (i >= ELEMENTSOF(arch_names))
                return -ENOENT;
        if (seccomp_arch_resolve_name(arch_names[i]) == 0)
                return 0;
        size_t k = strlen("SCMP_ARCH_");
        memcpy(ret, "SCMP_ARCH_", k);
        for (const char *c = arch_names[i]; *c && k < OCI_SECCOMP_ARCH_NAME_MAX - 1; c++)
                ret[k++] = *c >= 'a' && *c <= 'z' ? (char) (*c - 'a' + 'A') : *c;
        ret[k] = 0;
        return 1;
}

/* The action named by member `name`, with `errno_name` ("errnoRet") for ERRNO and TRACE:
 * EPERM when absent, as the spec says. */
static int parse_action(JsonObject *o, const char *name, const char *errno_name, const char *path,
                        bool required, uint32_t *ret, char **ret_error) {
        _cleanup_free_ char *s = NULL, *field = NULL, *errno_field = NULL;
        if (asprintf(&field, "%s.%s", path, name) < 0 || asprintf(&errno_field, "%s.%s", path, errno_name) < 0)
                return -ENOMEM;
        int r = json_get_string(o, name, field, required, &s, ret_error);
        if (r <= 0)
                return r;
        size_t i;
        for (i = 0; i < ELEMENTSOF(action_table); i++)
                if (strcmp(s, action_table[i].name) == 0)
                        break;
        if (i == ELEMENTSOF(action_table))
                return errmsg_plain(ret_error, -EINVAL, "%s: unknown action \"%s\"", field, s);

        uint32_t action = action_table[i].action;
        bool takes_errno = action == SCMP_ACT_ERRNO(0) || action == SCMP_ACT_TRACE(0);
        int64_t e = EPERM;
        r = json_get_int(o, errno_name, errno_field, false, 0, 0xffff, &e, ret_error);
        if (r < 0)
                return r;
        if (r > 0 && !takes_errno)
                return errmsg_plain(ret_error, -EINVAL, "%s: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE",
                                    errno_field);
        *ret = takes_errno ? action | (uint32_t) e : action;
        return 1;
}

static int parse_architectures(JsonObject *s, OciSeccomp *sc, char **ret_error) {
        _cleanup_strv_free_ char **names = NULL;
        int r = json_get_strv(s, "architectures", "linux.seccomp.architectures", NULL, &names, ret_error);
        if (r <= 0)
                return r;
        size_t n = strv_length(names);
        if (n == 0)
                return 0;
        sc->architectures = calloc(n, sizeof(uint32_t));
        if (!sc->architectures)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                /* SCMP_ARCH_X86_64 -> "x86_64": libseccomp's own names are the lowercase tails. */
                uint32_t arch = 0;
                if (strncmp(names[i], "SCMP_ARCH_", 10) == 0 && names[i][10] != 0 && strlen(names[i]) < 32) {
                        char token[32];
                        size_t k;
                        for (k = 0; names[i][10 + k]; k++) {
                                char ch = names[i][10 + k];
                                token[k] = ch >= 'A' && ch <= 'Z' ? (char) (ch - 'A' + 'a') : ch;
                        }
                        token[k] = 0;
                        arch = seccomp_arch_resolve_name(token);
                }
                if (arch == 0)
                        return errmsg_plain(ret_error, -EINVAL, "linux.seccomp.architectures[%zu]: unknown architecture \"%s\"",
                                            i, names[i]);
                sc->architectures[sc->n_architectures++] = arch;
        }
        return 0;
}

static int parse_flags(JsonObject *s, OciSeccomp *sc, char **ret_error) {
        _cleanup_strv_free_ char **names = NULL;
        int r = json_get_strv(s, "flags", "linux.seccomp.flags", NULL, &names, ret_error);
        if (r <= 0)
                return r;
        for (size_t i = 0; names[i]; i++) {
                size_t k;
                for (k = 0; k < ELEMENTSOF(flag_table); k++)
                        if (strcmp(names[i], flag_table[k].name) == 0)
                                break;
                if (k == ELEMENTSOF(flag_table))
                        return errmsg_plain(ret_error, -EINVAL, "linux.seccomp.flags[%zu]: unknown flag \"%s\"", i, names[i]);
#if SCMP_VER_MAJOR < 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR < 6)
                /* SCMP_FLTATR_CTL_WAITKILL came with libseccomp 2.6. */
                if (flag_table[k].flag == OCI_SECCOMP_FLAG_WAIT_KILLABLE_RECV)
                        return errmsg_plain(ret_error, -EOPNOTSUPP,
                                            "linux.seccomp.flags[%zu]: %s needs libseccomp 2.6 or later (built with %d.%d)",
                                            i, names[i], SCMP_VER_MAJOR, SCMP_VER_MINOR);
#endif
                sc->flags |= flag_table[k].flag;
        }
        return 0;
}

static int parse_arg(JsonNode *n, const char *path, OciSeccompArg *ret, char **ret_error) {
        char field[160];
        if (!JSON_NODE_HOLDS_OBJECT(n))
                return errmsg_plain(ret_error, -EINVAL, "%s: must be an object", path);
        JsonObject *o = json_node_get_object(n);
        int64_t index, value, value_two = 0;
        int r;

        snprintf(field, sizeof(field), "%s.index", path);
        if ((r = json_get_int(o, "index", field, false, 0, SECCOMP_ARGS_MAX - 1, &index, ret_error)) <= 0)
                return r < 0 ? r : json_missing(field, ret_error);
        snprintf(field, sizeof(field), "%s.value", path);
        if ((r = json_get_int(o, "value", field, false, 0, INT64_MAX, &value, ret_error)) <= 0)
                return r < 0 ? r : json_missing(field, ret_error);
        snprintf(field, sizeof(field), "%s.valueTwo", path);
        if ((r = json_get_int(o, "valueTwo", field, false, 0, INT64_MAX, &value_two, ret_error)) < 0)
                return r;

        _cleanup_free_ char *op = NULL;
        snprintf(field, sizeof(field), "%s.op", path);
        if ((r = json_get_string(o, "op", field, true, &op, ret_error)) < 0)
                return r;
        size_t k;
        for (k = 0; k < ELEMENTSOF(op_table); k++)
                if (strcmp(op, op_table[k].name) == 0)
                        break;
        if (k == ELEMENTSOF(op_table))
                return errmsg_plain(ret_error, -EINVAL, "%s: unknown operator \"%s\"", field, op);

        *ret = (OciSeccompArg) {
                .index = (unsigned) index,
                .value = (uint64_t) value,
                .value_two = (uint64_t) value_two,
                .op = op_table[k].op,
        };
        return 0;
}

static const char *check_syscall_name(const char *s) {
        return s[0] == 0 ? "must not be empty" : NULL;
}

static int parse_syscall(JsonNode *n, const char *path, OciSeccompSyscall *sys, char **ret_error) {
        char field[96];
        if (!JSON_NODE_HOLDS_OBJECT(n))
                return errmsg_plain(ret_error, -EINVAL, "%s: must be an object", path);
        JsonObject *o = json_node_get_object(n);
        int r;

        snprintf(field, sizeof(field), "%s.names", path);
        if ((r = json_get_strv(o, "names", field, check_syscall_name, &sys->names, ret_error)) < 0)
                return r;
        if (strv_length(sys->names) == 0)
                return errmsg_plain(ret_error, -EINVAL, "%s: must be a non-empty array of strings", field);
        if ((r = parse_action(o, "action", "errnoRet", path, true, &sys->action, ret_error)) < 0)
                return r;

        JsonArray *args;
        snprintf(field, sizeof(field), "%s.args", path);
        if ((r = json_get_array(o, "args", field, false, &args, ret_error)) <= 0)
                return r;
        size_t n_args = json_array_get_length(args);
        if (n_args == 0)
                return 0;
        sys->args = calloc(n_args, sizeof(OciSeccompArg));
        if (!sys->args)
                return -ENOMEM;
        for (size_t i = 0; i < n_args; i++) {
                snprintf(field, sizeof(field), "%s.args[%zu]", path, i);
                if ((r = parse_arg(json_array_get_element(args, (guint) i), field, &sys->args[i], ret_error)) < 0)
                        return r;
                sys->n_args++;
        }
        return 0;
}

/* The init sends the listener's fd to create with sendmsg() once the SCMP_ACT_NOTIFY rules are
 * loaded (init.c): a notified sendmsg would wait for an agent that has no fd yet. runc refuses
 * notify on write, its channel, for the same reason. */
static int check_notify_rule(const OciSeccompSyscall *sys, const char *path, char **ret_error) {
        if (sys->action != SCMP_ACT_NOTIFY)
                return 0;
        for (char **n = sys->names; *n; n++)
                if (strcmp(*n, "sendmsg") == 0)
                        return errmsg_plain(ret_error, -EINVAL,
                                            "%s: SCMP_ACT_NOTIFY cannot be used for sendmsg (the runtime hands the agent "
                                            "its fd with it)", path);
        return 0;
}

/* listenerPath is used only when a rule notifies (runtime-spec: "MUST NOT use the socket"
 * otherwise); a notifying rule without it would have nobody to answer. */
static int parse_listener(JsonObject *s, OciSeccomp *sc, char **ret_error) {
        _cleanup_free_ char *path = NULL, *metadata = NULL;
        int r;
        if ((r = json_get_string(s, "listenerPath", "linux.seccomp.listenerPath", false, &path, ret_error)) < 0 ||
            (r = json_get_string(s, "listenerMetadata", "linux.seccomp.listenerMetadata", false, &metadata, ret_error)) < 0)
                return r;
        /* "" is what Go's runtime-spec writes for "unset". */
        if (path && !*path) {
                free(path);
                path = NULL;
        }
        if (metadata && !*metadata) {
                free(metadata);
                metadata = NULL;
        }
        if (metadata && !path)
                return errmsg_plain(ret_error, -EINVAL, "linux.seccomp.listenerMetadata: set without listenerPath");
        if (path && path[0] != '/')
                return errmsg_plain(ret_error, -EINVAL, "linux.seccomp.listenerPath: must be an absolute path, not \"%s\"",
                                    path);
        if (path && strlen(path) >= sizeof(((struct sockaddr_un *) NULL)->sun_path))
                return errmsg_plain(ret_error, -ENAMETOOLONG, "linux.seccomp.listenerPath: longer than a socket path can be");
        if (sc->default_action == SCMP_ACT_NOTIFY)
                return errmsg_plain(ret_error, -EINVAL,
                                    "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action (as with runc: "
                                    "the runtime's own calls would wait for the agent)");
        if (sc->has_notify && !path)
                return errmsg_plain(ret_error, -EINVAL, "linux.seccomp: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath");
        if (!sc->has_notify)
                return 0;
        sc->listener_path = TAKE_PTR(path);
        sc->listener_metadata = TAKE_PTR(metadata);
        return 0;
}

int cfg_parse_seccomp(JsonObject *linux_obj, OciSeccomp **ret, char **ret_error) {
        JsonObject *s;
        int r = json_get_object(linux_obj, "seccomp", "linux.seccomp", false, &s, ret_error);
        if (r <= 0)
                return r;

        _cleanup_(oci_seccomp_freep) OciSeccomp *sc = calloc(1, sizeof(OciSeccomp));
        if (!sc)
                return -ENOMEM;
        if ((r = parse_action(s, "defaultAction", "defaultErrnoRet", "linux.seccomp", true, &sc->default_action,
                              ret_error)) < 0 ||
            (r = parse_architectures(s, sc, ret_error)) < 0 || (r = parse_flags(s, sc, ret_error)) < 0)
                return r;

        JsonArray *syscalls;
        if ((r = json_get_array(s, "syscalls", "linux.seccomp.syscalls", false, &syscalls, ret_error)) < 0)
                return r;
        size_t n = syscalls ? json_array_get_length(syscalls) : 0;
        if (n > 0) {
                sc->syscalls = calloc(n, sizeof(OciSeccompSyscall));
                if (!sc->syscalls)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                char path[64];
                snprintf(path, sizeof(path), "linux.seccomp.syscalls[%zu]", i);
                /* Counted first: a half-parsed entry is freed with the rest. */
                sc->n_syscalls++;
                if ((r = parse_syscall(json_array_get_element(syscalls, (guint) i), path, &sc->syscalls[i], ret_error)) < 0)
                        return r;
                if ((r = check_notify_rule(&sc->syscalls[i], path, ret_error)) < 0)
                        return r;
                sc->has_notify = sc->has_notify || sc->syscalls[i].action == SCMP_ACT_NOTIFY;
        }
        if ((r = parse_listener(s, sc, ret_error)) < 0)
                return r;
        *ret = TAKE_PTR(sc);
        return 0;
}
