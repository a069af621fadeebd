/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* config.json's `hooks` (runtime-spec config.md, "POSIX-platform Hooks"), parsed and validated
 * by oci-config-hooks.c. Plain C types only; included by oci-config.h. The same parser reads
 * the copy that create leaves in the state dir for start and delete (HOOKS_FILE). */

#include <stddef.h>

typedef enum HookKind {
        HOOK_PRESTART,          /* deprecated; runtime namespace, with createRuntime */
        HOOK_CREATE_RUNTIME,    /* runtime namespace, before the root switch */
        HOOK_CREATE_CONTAINER,  /* container namespaces, before the root switch */
        HOOK_START_CONTAINER,   /* container namespaces, after start, before the user's process */
        HOOK_POSTSTART,         /* runtime namespace, after the user's process started */
        HOOK_POSTSTOP,          /* runtime namespace, after the container is gone */
        _HOOK_KIND_MAX,
} HookKind;

/* "prestart", "createRuntime", ...: the OCI member names. */
const char *hook_kind_to_string(HookKind k);

typedef struct OciHook {
        char *path;    /* absolute */
        char **args;   /* argv as given (args[0] included); NULL: { path } */
        char **env;    /* exactly the environment; NULL: empty */
        int timeout;   /* seconds, > 0; 0: none */
} OciHook;

typedef struct OciHooks {
        OciHook *hooks[_HOOK_KIND_MAX];
        size_t n_hooks[_HOOK_KIND_MAX];
} OciHooks;

void oci_hooks_done(OciHooks *h);

/* The hooks as a JSON object in config.json's form (caller frees), and back: the second
 * validates exactly as config.json's parser does; messages name "hooks.<kind>[i].<field>". */
char *oci_hooks_to_json(const OciHooks *h);
int oci_hooks_from_json(const char *data, OciHooks *ret, char **ret_error);
