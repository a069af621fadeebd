/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the files of the config module (oci-config.c, the oci-config-*.c sections) share: the
 * section parsers oci-config.c calls, and the helpers of oci-config-json.c they all use on top
 * of json-util.h's typed getters. GLib types are fine here and go no further: nothing outside
 * the config module includes this header. Section parsers set *ret_error (naming the member
 * in full, "process.user.uid: ...") and return -errno. */

#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "json-util.h"

/* String predicates for json_get_strv(). */
const char *cfg_check_absolute(const char *s);
const char *cfg_check_env(const char *s);

/* The strict first steps for a document of ours (config.json, a resources file): size limit
 * (OCI_CONFIG_SIZE_MAX), not empty, then json_parse_object(); not_object is the error when the
 * top is not an object. */
int cfg_load_object(const char *data, size_t size, const char *not_object, JsonParser **ret_parser,
                    JsonObject **ret_root, char **ret_error);

/* Refuses a member this version cannot honour yet when it is present and not empty:
 * -EOPNOTSUPP, "<path>: not supported by this version of ctr-launch". */
int cfg_refuse_unsupported(JsonObject *o, const char *name, const char *path, char **ret_error);

/* process (oci-config-process.c), required. */
struct OciProcess;
int cfg_parse_process(JsonObject *root, struct OciProcess *p, char **ret_error);

/* linux.seccomp (oci-config-seccomp.c): *ret stays NULL when the member is absent. */
typedef struct OciSeccomp OciSeccomp;
int cfg_parse_seccomp(JsonObject *linux_obj, OciSeccomp **ret, char **ret_error);

/* linux.resources (oci-config-resources.c): *ret stays NULL when the member is absent or null. */
typedef struct OciResources OciResources;
int cfg_parse_resources(JsonObject *linux_obj, OciResources **ret, char **ret_error);

/* oci-config-extras.c: process.ioPriority, scheduler, execCPUAffinity, apparmorProfile and
 * selinuxLabel (after they were read); linux.devices, sysctl (after linux.namespaces) and
 * personality. */
int cfg_parse_process_extras(JsonObject *process, struct OciProcess *p, char **ret_error);
int cfg_parse_linux_extras(JsonObject *linux_, struct OciConfig *c, char **ret_error);

/* oci-config-hooks.c: the document's `hooks` member; *ret is replaced only on success. */
struct OciHooks;
int cfg_parse_hooks(JsonObject *root, struct OciHooks *ret, char **ret_error);
