/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json-glib behind typed, checked access (json-util.h). It only reads and builds: what a
 * document means is its parser's business, and nothing here logs. */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "errmsg.h"
#include "json-guard.h"
#include "json-util.h"
#include "strv.h"

int json_parse_object(const char *data, size_t size, const char *invalid, const char *not_object,
                      JsonParser **ret_parser, JsonObject **ret_root, char **ret_error) {
        if (size == SIZE_MAX)
                size = strlen(data);

        /* No duplicate keys, no integers json-glib would wrap, no trailing garbage, no depth
         * that would overflow json-glib's stack. */
        _cleanup_free_ char *why = NULL;
        int r = json_guard_check(data, size, &why);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return invalid ? errmsg_plain(ret_error, r, "%s: %s", invalid, why)
                               : errmsg_plain(ret_error, r, "%s", why);

        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        g_autoptr(GError) gerror = NULL;
        if (!json_parser_load_from_data(parser, data, (gssize) size, &gerror))
                return invalid ? errmsg_plain(ret_error, -EINVAL, "%s: %s", invalid, gerror->message)
                               : errmsg_plain(ret_error, -EINVAL, "%s", gerror->message);
        JsonNode *root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return errmsg_plain(ret_error, -EINVAL, "%s", not_object);
        *ret_root = json_node_get_object(root);
        *ret_parser = g_steal_pointer(&parser);
        return 0;
}

/* ---- typed access ---- */

JsonNode *json_member(JsonObject *o, const char *name) {
        JsonNode *n = o ? json_object_get_member(o, name) : NULL;
        return n && !JSON_NODE_HOLDS_NULL(n) ? n : NULL;
}

bool json_holds(JsonNode *n, GType type) {
        return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == type;
}

int json_missing(const char *path, char **ret_error) {
        return errmsg_plain(ret_error, -EINVAL, "%s: missing", path);
}

/* The member, when present; 0 (or "missing") when not. */
static int member(JsonObject *o, const char *name, const char *path, bool required, JsonNode **ret,
                  char **ret_error) {
        *ret = json_member(o, name);
        if (*ret)
                return 1;
        return required ? json_missing(path ?: name, ret_error) : 0;
}

static int wrong_type(const char *path, const char *what, char **ret_error) {
        return errmsg_plain(ret_error, -EINVAL, "%s: must be %s", path, what);
}

int json_get_object(JsonObject *o, const char *name, const char *path, bool required, JsonObject **ret,
                    char **ret_error) {
        JsonNode *n;
        *ret = NULL;
        int r = member(o, name, path, required, &n, ret_error);
        if (r <= 0)
                return r;
        if (!JSON_NODE_HOLDS_OBJECT(n))
                return wrong_type(path ?: name, "an object", ret_error);
        *ret = json_node_get_object(n);
        return 1;
}

int json_get_array(JsonObject *o, const char *name, const char *path, bool required, JsonArray **ret,
                   char **ret_error) {
        JsonNode *n;
        *ret = NULL;
        int r = member(o, name, path, required, &n, ret_error);
        if (r <= 0)
                return r;
        if (!JSON_NODE_HOLDS_ARRAY(n))
                return wrong_type(path ?: name, "an array", ret_error);
        *ret = json_node_get_array(n);
        return 1;
}

int json_array_get_object_at(JsonArray *a, unsigned i, const char *path, JsonObject **ret, char **ret_error) {
        JsonNode *e = json_array_get_element(a, i);
        if (!e || !JSON_NODE_HOLDS_OBJECT(e))
                return errmsg_plain(ret_error, -EINVAL, "%s[%u]: must be an object", path, i);
        *ret = json_node_get_object(e);
        return 1;
}

int json_get_string(JsonObject *o, const char *name, const char *path, bool required, char **ret,
                    char **ret_error) {
        JsonNode *n;
        int r = member(o, name, path, required, &n, ret_error);
        if (r <= 0)
                return r;
        if (!json_holds(n, G_TYPE_STRING))
                return wrong_type(path ?: name, "a string", ret_error);
        char *s = strdup(json_node_get_string(n));
        if (!s)
                return -ENOMEM;
        free(*ret);
        *ret = s;
        return 1;
}

int json_get_bool(JsonObject *o, const char *name, const char *path, bool required, bool *ret,
                  char **ret_error) {
        JsonNode *n;
        int r = member(o, name, path, required, &n, ret_error);
        if (r <= 0)
                return r;
        if (!json_holds(n, G_TYPE_BOOLEAN))
                return wrong_type(path ?: name, "true or false", ret_error);
        *ret = json_node_get_boolean(n);
        return 1;
}

int json_int_in_range(JsonNode *n, const char *path, int64_t min, int64_t max, int64_t *ret, char **ret_error) {
        /* json-guard has already refused integers outside int64, so this is the value written. */
        if (!json_holds(n, G_TYPE_INT64) || json_node_get_int(n) < min || json_node_get_int(n) > max)
                return errmsg_plain(ret_error, -ERANGE, "%s: must be an integer from %" PRId64 " to %" PRId64,
                                    path, min, max);
        *ret = json_node_get_int(n);
        return 1;
}

int json_get_int(JsonObject *o, const char *name, const char *path, bool required, int64_t min, int64_t max,
                 int64_t *ret, char **ret_error) {
        JsonNode *n;
        int r = member(o, name, path, required, &n, ret_error);
        if (r <= 0)
                return r;
        return json_int_in_range(n, path ?: name, min, max, ret, ret_error);
}

int json_get_strv(JsonObject *o, const char *name, const char *path, const char *(*check)(const char *s),
                  char ***ret, char **ret_error) {
        JsonArray *a;
        path = path ?: name;
        int r = json_get_array(o, name, path, false, &a, ret_error);
        if (r <= 0)
                return r;
        _cleanup_strv_free_ char **l = calloc(json_array_get_length(a) + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (guint i = 0; i < json_array_get_length(a); i++) {
                JsonNode *e = json_array_get_element(a, i);
                if (!json_holds(e, G_TYPE_STRING))
                        return errmsg_plain(ret_error, -EINVAL, "%s[%u]: must be a string", path, i);
                const char *s = json_node_get_string(e), *why = check ? check(s) : NULL;
                if (why)
                        return errmsg_plain(ret_error, -EINVAL, "%s[%u]: %s: \"%s\"", path, i, why, s);
                if (!(l[i] = strdup(s)))
                        return -ENOMEM;
        }
        strv_free(*ret);
        *ret = TAKE_PTR(l);
        return 1;
}

int json_get_string_map(JsonObject *o, const char *name, const char *path, char ***ret, char **ret_error) {
        JsonObject *m;
        path = path ?: name;
        int r = json_get_object(o, name, path, false, &m, ret_error);
        if (r <= 0)
                return r;
        JsonObjectIter it;
        const char *key;
        JsonNode *v;
        json_object_iter_init_ordered(&it, m);
        while (json_object_iter_next_ordered(&it, &key, &v)) {
                if (!json_holds(v, G_TYPE_STRING))
                        return errmsg_plain(ret_error, -EINVAL, "%s.%s: must be a string", path, key);
                if (strv_extend(ret, key) < 0 || strv_extend(ret, json_node_get_string(v)) < 0)
                        return -ENOMEM;
        }
        return 1;
}

/* ---- building ---- */

void json_add_string(JsonBuilder *b, const char *name, const char *value) {
        if (!value)
                return;
        json_builder_set_member_name(b, name);
        json_builder_add_string_value(b, value);
}

void json_add_int(JsonBuilder *b, const char *name, int64_t value) {
        json_builder_set_member_name(b, name);
        json_builder_add_int_value(b, value);
}

void json_add_bool(JsonBuilder *b, const char *name, bool value) {
        json_builder_set_member_name(b, name);
        json_builder_add_boolean_value(b, value);
}

void json_add_strv(JsonBuilder *b, const char *name, char * const *l) {
        if (!l)
                return;
        json_builder_set_member_name(b, name);
        json_builder_begin_array(b);
        for (; *l; l++)
                json_builder_add_string_value(b, *l);
        json_builder_end_array(b);
}

void json_add_string_map(JsonBuilder *b, const char *name, char * const *pairs) {
        json_builder_set_member_name(b, name);
        json_builder_begin_object(b);
        for (size_t i = 0; pairs && pairs[i] && pairs[i + 1]; i += 2)
                json_add_string(b, pairs[i], pairs[i + 1]);
        json_builder_end_object(b);
}

char *json_node_text(JsonNode *n, JsonTextFlags flags) {
        g_autoptr(JsonGenerator) gen = json_generator_new();
        json_generator_set_root(gen, n);
        json_generator_set_pretty(gen, (flags & JSON_TEXT_PRETTY) != 0);
        json_generator_set_indent(gen, 2);
        gsize len = 0;
        g_autofree char *text = json_generator_to_data(gen, &len);
        if (!text)
                return NULL;
        /* Ours to free() with libc, whatever GLib's allocator. */
        bool nl = (flags & JSON_TEXT_NEWLINE) != 0;
        char *out = malloc(len + 2);
        if (!out)
                return NULL;
        memcpy(out, text, len);
        if (nl)
                out[len++] = '\n';
        out[len] = 0;
        return out;
}

char *json_builder_text(JsonBuilder *b, JsonTextFlags flags) {
        g_autoptr(JsonNode) root = json_builder_get_root(b);
        return root ? json_node_text(root, flags) : NULL;
}
