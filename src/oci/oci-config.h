/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* config.json -> plain C structs. This is the only module that reads a bundle's configuration
 * with json-glib, and the security boundary for it: once non-root admins can start containers,
 * the file comes from someone less trusted than root. Everything is validated here, before any
 * side effect; later code may trust these structs. No GLib type leaves this module. */

#include <stdbool.h>
#include <sys/stat.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "macros.h"
#include "oci-config-extras.h"
#include "oci-config-hooks.h"
#include "oci-resources.h"

/* The versions of the runtime-spec config.json may name (`features`): the parser takes every
 * 1.x; this is the one implemented. */
#define OCI_VERSION_MIN "1.0.0"
#define OCI_VERSION_MAX "1.2.0"

/* Larger configs are refused: the biggest real ones (seccomp profiles) are a few hundred KiB. */
#define OCI_CONFIG_SIZE_MAX (4U * 1024U * 1024U)

typedef enum NamespaceType {
        NAMESPACE_PID,
        NAMESPACE_NETWORK,
        NAMESPACE_MOUNT,
        NAMESPACE_IPC,
        NAMESPACE_UTS,
        NAMESPACE_USER,
        NAMESPACE_CGROUP,
        NAMESPACE_TIME,
        _NAMESPACE_TYPE_MAX,
} NamespaceType;

/* "pid", "network", ...: the OCI names. */
const char *namespace_type_to_string(NamespaceType t);
int namespace_type_from_string(const char *s);
/* CLONE_NEWPID, ... for setns()/unshare(). */
int namespace_type_to_clone_flag(NamespaceType t);
/* "pid", "net", ...: the names under /proc/PID/ns/. */
const char *namespace_type_to_proc_name(NamespaceType t);

typedef struct OciNamespace {
        NamespaceType type;
        char *path; /* NULL: create a new one; else join this one (absolute path) */
} OciNamespace;

typedef struct OciMount {
        char *destination; /* absolute, inside the container */
        char *type;        /* may be NULL (bind mounts) */
        char *source;      /* may be NULL */
        char **options;    /* strv, may be NULL */
} OciMount;

typedef struct OciIdMapping {
        uint32_t container_id;
        uint32_t host_id;
        uint32_t size;
} OciIdMapping;

/* linux.timeOffsets: the offset of one clock in a new time namespace. */
typedef struct OciTimeOffset {
        bool set;
        int64_t secs;
        uint32_t nanosecs; /* 0..999999999 */
} OciTimeOffset;

typedef struct OciRlimit {
        int resource; /* RLIMIT_* */
        uint64_t soft;
        uint64_t hard;
} OciRlimit;

typedef enum CapabilitySet {
        CAP_SET_BOUNDING,
        CAP_SET_EFFECTIVE,
        CAP_SET_INHERITABLE,
        CAP_SET_PERMITTED,
        CAP_SET_AMBIENT,
        _CAP_SET_MAX,
} CapabilitySet;

typedef struct OciProcess {
        bool terminal;
        unsigned console_height, console_width; /* 0: not set */
        char **args; /* non-empty */
        char **env;
        char *cwd;   /* absolute */
        uid_t uid;
        gid_t gid;
        gid_t *additional_gids;
        size_t n_additional_gids;
        bool has_umask;
        mode_t umask;
        OciRlimit *rlimits;
        size_t n_rlimits;
        bool no_new_privileges;
        bool has_oom_score_adj;
        int oom_score_adj; /* -1000..1000 */
        bool has_capabilities;
        uint64_t capabilities[_CAP_SET_MAX]; /* bit N = capability N */
        char *apparmor_profile;
        char *selinux_label;
        OciIoPriority io_priority;
        OciScheduler scheduler;
        char *cpu_affinity_initial; /* execCPUAffinity, validated cpu lists; NULL: unset */
        char *cpu_affinity_final;
        char **warnings; /* what was accepted but ignored, one line each, for the caller to print */
} OciProcess;

/* linux.seccomp, validated; values are libseccomp's (SCMP_ACT_*, SCMP_ARCH_*, SCMP_CMP_*). */
typedef struct OciSeccompArg {
        unsigned index; /* 0..5 */
        uint64_t value;
        uint64_t value_two;
        int op; /* enum scmp_compare */
} OciSeccompArg;

typedef struct OciSeccompSyscall {
        char **names; /* non-empty; unknown names are skipped when the filter is built */
        uint32_t action; /* with its errno for SCMP_ACT_ERRNO / SCMP_ACT_TRACE */
        OciSeccompArg *args;
        size_t n_args;
} OciSeccompSyscall;

#define OCI_SECCOMP_FLAG_LOG (1U << 0)
#define OCI_SECCOMP_FLAG_SPEC_ALLOW (1U << 1)
#define OCI_SECCOMP_FLAG_WAIT_KILLABLE_RECV (1U << 2)

typedef struct OciSeccomp {
        uint32_t default_action;
        uint32_t *architectures;
        size_t n_architectures;
        unsigned flags; /* OCI_SECCOMP_FLAG_* */
        OciSeccompSyscall *syscalls;
        size_t n_syscalls;
        /* The seccomp agent's socket (listenerPath) and what it is told (listenerMetadata); NULL:
         * none. Set only when some rule's action is SCMP_ACT_NOTIFY (has_notify): the spec says
         * the socket is not used otherwise. */
        char *listener_path;
        char *listener_metadata;
        bool has_notify;
} OciSeccomp;

OciSeccomp *oci_seccomp_free(OciSeccomp *s);

/* The names linux.seccomp's parser accepts, for `features`: i from 0 on, NULL past the last.
 * A flag's *ret_supported says whether this libseccomp and kernel can also set it. */
const char *oci_seccomp_action_name(size_t i);
const char *oci_seccomp_operator_name(size_t i);
const char *oci_seccomp_flag_name(size_t i, bool *ret_supported);
/* Architecture i of libseccomp's names, as config.json spells it ("SCMP_ARCH_X86_64"): 1 when
 * this libseccomp knows it (and the parser accepts it), 0 when not, -ENOENT past the last. */
#define OCI_SECCOMP_ARCH_NAME_MAX 32
int oci_seccomp_arch_name(size_t i, char ret[static OCI_SECCOMP_ARCH_NAME_MAX]);

typedef struct OciConfig {
        char *oci_version;
        char *root_path; /* as written: absolute, or relative to the bundle */
        bool root_readonly;
        char *hostname; /* NULL: unset */
        char *domainname; /* NULL: unset */
        OciProcess process;
        OciMount *mounts;
        size_t n_mounts;
        char **annotations; /* key, value, key, value, ... */

        /* linux */
        OciNamespace *namespaces;
        size_t n_namespaces;
        char **masked_paths;
        char **readonly_paths;
        char *rootfs_propagation; /* NULL, or one of the propagation option names */
        char *cgroups_path;
        char *mount_label;
        OciDevice *devices;
        size_t n_devices;
        char **sysctl; /* key, value, key, value, ...: namespaced keys of namespaces we own */
        OciPersonality personality;
        OciIdMapping *uid_mappings;
        size_t n_uid_mappings;
        OciIdMapping *gid_mappings;
        size_t n_gid_mappings;
        OciTimeOffset monotonic_offset, boottime_offset; /* linux.timeOffsets */
        OciSeccomp *seccomp; /* NULL: no filter */
        OciResources *resources; /* linux.resources; NULL: absent */

        OciHooks hooks;
        /* What was accepted but ignored (process's and resources' included), one line each,
         * for the caller to print. */
        char **warnings;
} OciConfig;

OciConfig *oci_config_free(OciConfig *c);
static inline void oci_config_freep(OciConfig **c) {
        oci_config_free(*c);
}
#define _cleanup_oci_config_ _cleanup_(oci_config_freep)

/* Parses and validates a config document. Returns 0, or a negative errno with *ret_error set
 * to a message naming the offending field, for example
 * "process.args: must be a non-empty array of strings" (caller frees). */
int oci_config_parse(const char *data, size_t size, OciConfig **ret, char **ret_error);

/* Reads <bundle>/config.json (size-limited, a regular file, no symlink games on the file
 * itself, a FIFO refused without blocking) and parses it. *ret_json receives the document as
 * read, for forwarding to the init; *ret_st (if not NULL) what fstat() said of the file read,
 * for the checks of a system bundle. */
int oci_config_load(const char *bundle, OciConfig **ret, char **ret_json, struct stat *ret_st, char **ret_error);

/* A runtime-spec `process` object alone (`exec --process FILE`), validated as config.json's
 * `process` is. Without a capabilities object, has_capabilities stays false: the caller
 * decides (exec takes the container's). */
int oci_process_parse(const char *data, size_t size, OciProcess *ret, char **ret_error);
void oci_process_done(OciProcess *p);
/* The number of a capability by its OCI name ("CAP_NET_ADMIN"): -EINVAL for what is not a
 * capability name, -EOPNOTSUPP for a plausible name this libcap-ng does not know. */
int oci_capability_from_name(const char *name);

/* Whether the config asks for a new (path == NULL) or joined namespace of this type. */
const OciNamespace *oci_config_find_namespace(const OciConfig *c, NamespaceType t);

/* The default config of `ctr-launch spec`, as indented JSON (caller frees). */
char *oci_config_default_json(bool rootless);
