/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one wrapper of json-glib for our JSON: the strict load of a document (json-guard first,
 * an object at the top), typed access to the members of an untrusted object, and building and
 * serialising. json-glib prints a CRITICAL and returns garbage when asked for a member of the
 * wrong type, so no code reads a member but through here. GLib types stay in the modules that
 * include this header and go no further; init/ must never include it. */

#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- loading -------------------------------------------------------------------------------- */

/* json-guard's strict check, then json-glib, then an object at the top. size (SIZE_MAX: up to
 * the NUL) is not limited here: callers refuse what is too large for them first. -EINVAL with
 * *ret_error "<invalid>: <where and what>" (or just the reason when invalid is NULL) for a
 * document that is not JSON, or not_object when the top is not an object; -ENOMEM. */
int json_parse_object(const char *data, size_t size, const char *invalid, const char *not_object,
                      JsonParser **ret_parser, JsonObject **ret_root, char **ret_error);

/* ---- typed access -------------------------------------------------------------------------- */

/* Every getter takes the member's full name for its error message ("process.user.uid"; NULL:
 * name itself), returns 1 if the member was there, 0 if it is absent or null (a required one
 * is then "<path>: missing", -EINVAL), or -errno with *ret_error set. A member of the wrong
 * type is -EINVAL, "<path>: must be ..."; an integer getter says -ERANGE for anything but an
 * integer in its range. ret_error may be NULL
 * (callers with their own wording, or whose documents are their own: -EBADMSG for them). */

/* The member, or NULL when absent or null. */
JsonNode *json_member(JsonObject *o, const char *name);
bool json_holds(JsonNode *n, GType type);
int json_missing(const char *path, char **ret_error);

int json_get_object(JsonObject *o, const char *name, const char *path, bool required, JsonObject **ret,
                    char **ret_error);
int json_get_array(JsonObject *o, const char *name, const char *path, bool required, JsonArray **ret,
                   char **ret_error);
/* Element i of a, which must be an object; its name ("<path>[i]") is in errors. */
int json_array_get_object_at(JsonArray *a, unsigned i, const char *path, JsonObject **ret, char **ret_error);
/* Replaces *ret (freed) with a copy. */
int json_get_string(JsonObject *o, const char *name, const char *path, bool required, char **ret,
                    char **ret_error);
int json_get_bool(JsonObject *o, const char *name, const char *path, bool required, bool *ret,
                  char **ret_error);
/* json-guard has refused integers outside int64 before: the value is the one written. */
int json_int_in_range(JsonNode *n, const char *path, int64_t min, int64_t max, int64_t *ret, char **ret_error);
int json_get_int(JsonObject *o, const char *name, const char *path, bool required, int64_t min, int64_t max,
                 int64_t *ret, char **ret_error);
/* An array of strings, each checked by the optional predicate, which returns what is wrong
 * ("must be an absolute path") or NULL. Replaces *ret (freed). */
int json_get_strv(JsonObject *o, const char *name, const char *path, const char *(*check)(const char *s),
                  char ***ret, char **ret_error);
/* An object of strings, as key, value, key, value... appended to *ret. */
int json_get_string_map(JsonObject *o, const char *name, const char *path, char ***ret, char **ret_error);

/* ---- building ------------------------------------------------------------------------------- */

/* Members of the object being built. A NULL string or strv is left out. */
void json_add_string(JsonBuilder *b, const char *name, const char *value);
void json_add_int(JsonBuilder *b, const char *name, int64_t value);
void json_add_bool(JsonBuilder *b, const char *name, bool value);
void json_add_strv(JsonBuilder *b, const char *name, char * const *l);
/* key, value, key, value... as an object (written even when pairs is NULL: {}). */
void json_add_string_map(JsonBuilder *b, const char *name, char * const *pairs);

typedef enum JsonTextFlags {
        JSON_TEXT_PRETTY = 1 << 0,  /* indented by two */
        JSON_TEXT_NEWLINE = 1 << 1, /* with a trailing newline: a line of a stream, or a file */
} JsonTextFlags;

/* What b built, as text (malloc'd), or NULL on out of memory. Compact text never holds a raw
 * newline (json-glib escapes them in strings): a line frames one document on a stream. */
char *json_builder_text(JsonBuilder *b, JsonTextFlags flags);
char *json_node_text(JsonNode *n, JsonTextFlags flags);
