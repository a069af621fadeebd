/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The OCI model without its JSON: name tables, lookups and the destructors of the structs the
 * parsers fill (oci-config.h, oci-resources.h). libc only: the container's init (init/) links
 * this and never the parsers. */

#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"
#include "oci-config.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
        const char *oci, *proc;
        int flag;
} namespace_table[_NAMESPACE_TYPE_MAX] = {
        [NAMESPACE_PID] = { "pid", "pid", CLONE_NEWPID },
        [NAMESPACE_NETWORK] = { "network", "net", CLONE_NEWNET },
        [NAMESPACE_MOUNT] = { "mount", "mnt", CLONE_NEWNS },
        [NAMESPACE_IPC] = { "ipc", "ipc", CLONE_NEWIPC },
        [NAMESPACE_UTS] = { "uts", "uts", CLONE_NEWUTS },
        [NAMESPACE_USER] = { "user", "user", CLONE_NEWUSER },
        [NAMESPACE_CGROUP] = { "cgroup", "cgroup", CLONE_NEWCGROUP },
        [NAMESPACE_TIME] = { "time", "time", CLONE_NEWTIME },
};

const char *namespace_type_to_string(NamespaceType t) {
        return t >= 0 && t < _NAMESPACE_TYPE_MAX ? namespace_table[t].oci : NULL;
}

int namespace_type_from_string(const char *s) {
        for (int t = 0; t < _NAMESPACE_TYPE_MAX; t++)
                if (strcmp(s, namespace_table[t].oci) == 0)
                        return t;
        return -EINVAL;
}

int namespace_type_to_clone_flag(NamespaceType t) {
        return t >= 0 && t < _NAMESPACE_TYPE_MAX ? namespace_table[t].flag : 0;
}

const char *namespace_type_to_proc_name(NamespaceType t) {
        return t >= 0 && t < _NAMESPACE_TYPE_MAX ? namespace_table[t].proc : NULL;
}

OciConfig *oci_config_free(OciConfig *c) {
        if (!c)
                return NULL;
        free(c->oci_version);
        free(c->root_path);
        free(c->hostname);
        free(c->domainname);
        oci_process_done(&c->process);
        for (size_t i = 0; i < c->n_mounts; i++) {
                free(c->mounts[i].destination);
                free(c->mounts[i].type);
                free(c->mounts[i].source);
                strv_free(c->mounts[i].options);
        }
        free(c->mounts);
        strv_free(c->annotations);
        strv_free(c->warnings);
        oci_hooks_done(&c->hooks);
        for (size_t i = 0; i < c->n_namespaces; i++)
                free(c->namespaces[i].path);
        free(c->namespaces);
        strv_free(c->masked_paths);
        strv_free(c->readonly_paths);
        free(c->rootfs_propagation);
        free(c->cgroups_path);
        free(c->mount_label);
        free(c->uid_mappings);
        free(c->gid_mappings);
        oci_config_extras_free(c);
        oci_seccomp_free(c->seccomp);
        oci_resources_free(c->resources);
        free(c);
        return NULL;
}

const OciNamespace *oci_config_find_namespace(const OciConfig *c, NamespaceType t) {
        for (size_t i = 0; i < c->n_namespaces; i++)
                if (c->namespaces[i].type == t)
                        return &c->namespaces[i];
        return NULL;
}

void oci_process_done(OciProcess *p) {
        strv_free(p->args);
        strv_free(p->env);
        free(p->cwd);
        free(p->additional_gids);
        free(p->rlimits);
        free(p->apparmor_profile);
        free(p->selinux_label);
        free(p->cpu_affinity_initial);
        free(p->cpu_affinity_final);
        strv_free(p->warnings);
        *p = (OciProcess) {};
}

void oci_config_extras_free(OciConfig *c) {
        for (size_t i = 0; i < c->n_devices; i++)
                free(c->devices[i].path);
        free(c->devices);
        strv_free(c->sysctl);
}

OciSeccomp *oci_seccomp_free(OciSeccomp *s) {
        if (!s)
                return NULL;
        free(s->architectures);
        for (size_t i = 0; i < s->n_syscalls; i++) {
                strv_free(s->syscalls[i].names);
                free(s->syscalls[i].args);
        }
        free(s->syscalls);
        free(s->listener_path);
        free(s->listener_metadata);
        free(s);
        return NULL;
}

static const char *const hook_kind_names[_HOOK_KIND_MAX] = {
        [HOOK_PRESTART] = "prestart",
        [HOOK_CREATE_RUNTIME] = "createRuntime",
        [HOOK_CREATE_CONTAINER] = "createContainer",
        [HOOK_START_CONTAINER] = "startContainer",
        [HOOK_POSTSTART] = "poststart",
        [HOOK_POSTSTOP] = "poststop",
};

const char *hook_kind_to_string(HookKind k) {
        return k >= 0 && k < _HOOK_KIND_MAX ? hook_kind_names[k] : NULL;
}

static void hook_done(OciHook *h) {
        free(h->path);
        strv_free(h->args);
        strv_free(h->env);
}

void oci_hooks_done(OciHooks *h) {
        for (HookKind k = 0; k < _HOOK_KIND_MAX; k++) {
                for (size_t i = 0; i < h->n_hooks[k]; i++)
                        hook_done(h->hooks[k] + i);
                free(h->hooks[k]);
        }
        *h = (OciHooks) {};
}

void oci_resources_done(OciResources *r) {
        if (!r)
                return;
        free(r->cpus);
        free(r->mems);
        free(r->weight_devices);
        free(r->throttle_read_bps);
        free(r->throttle_write_bps);
        free(r->throttle_read_iops);
        free(r->throttle_write_iops);
        for (size_t i = 0; i < r->n_hugepage_limits; i++)
                free(r->hugepage_limits[i].page_size);
        free(r->hugepage_limits);
        for (size_t i = 0; i < r->n_net_priorities; i++)
                free(r->net_priorities[i].name);
        free(r->net_priorities);
        free(r->devices);
        strv_free(r->unified);
        strv_free(r->warnings);
        *r = (OciResources) {};
}

OciResources *oci_resources_free(OciResources *r) {
        oci_resources_done(r);
        free(r);
        return NULL;
}
