/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Typed access to the members of an untrusted config.json, shared by the files of the config
 * module (oci-config.c and the oci-config-*.c sections). GLib types are fine here and go no
 * further: nothing outside the config module includes this header. Every accessor takes the
 * member's full name ("process.user.uid") for its error message, sets *ret_error on failure,
 * and returns 1 if the member was there, 0 if it was absent or null, or -errno. */

#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdint.h>

/* The member, or NULL when absent or null (optional members may be either). */
JsonNode *cfg_member(JsonObject *o, const char *name);
bool cfg_node_is(JsonNode *n, GType type);
/* "<path>: missing", -EINVAL. */
int cfg_missing(const char *path, char **ret_error);

int cfg_get_object(JsonObject *o, const char *name, const char *path, bool required, JsonObject **ret,
                   char **ret_error);
int cfg_get_array(JsonObject *o, const char *name, const char *path, JsonArray **ret, char **ret_error);
/* Replaces *ret (freed) with a copy. */
int cfg_get_string(JsonObject *o, const char *name, const char *path, bool required, char **ret,
                   char **ret_error);
int cfg_get_bool(JsonObject *o, const char *name, const char *path, bool *ret, char **ret_error);
/* json-guard has refused integers outside int64 before: the value is the one written. */
int cfg_int_in_range(JsonNode *n, const char *path, int64_t min, int64_t max, int64_t *ret, char **ret_error);
int cfg_get_int(JsonObject *o, const char *name, const char *path, int64_t min, int64_t max, int64_t *ret,
                char **ret_error);
/* An array of strings, each checked by the optional predicate, which returns what is wrong
 * ("must be an absolute path") or NULL. */
int cfg_get_strv(JsonObject *o, const char *name, const char *path, const char *(*check)(const char *s),
                 char ***ret, char **ret_error);
const char *cfg_check_absolute(const char *s);
const char *cfg_check_env(const char *s);

/* The strict first steps for a document of ours (config.json, a resources file): size limit,
 * json-guard, json-glib, an object at the top (else not_object is the error). */
int cfg_load_object(const char *data, size_t size, const char *not_object, JsonParser **ret_parser,
                    JsonObject **ret_root, char **ret_error);

/* Messages quote the document's own strings: keep them one line, free of control characters,
 * whatever the document holds (each such byte becomes \xNN). */
void cfg_escape_error(char **error);

/* Refuses a member this version cannot honour yet when it is present and not empty:
 * -EOPNOTSUPP, "<path>: not supported by this version of ctr-launch". */
int cfg_refuse_unsupported(JsonObject *o, const char *name, const char *path, char **ret_error);

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
