/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the config module's parsers share besides json-util.h's getters: the strict load of
 * one of our documents, the string predicates, and the refusal of members this version
 * cannot honour. It knows no section of the document. */

#include <string.h>

#include "errmsg.h"
#include "json-util.h"
#include "oci-config.h"
#include "oci-config-json.h"

const char *cfg_check_absolute(const char *s) {
        return s[0] == '/' ? NULL : "must be an absolute path";
}

const char *cfg_check_env(const char *s) {
        const char *eq = strchr(s, '=');
        return eq && eq != s ? NULL : "must be NAME=VALUE";
}

int cfg_refuse_unsupported(JsonObject *o, const char *name, const char *path, char **ret_error) {
        JsonNode *n = json_member(o, name);
        if (!n)
                return 0;
        if (JSON_NODE_HOLDS_ARRAY(n) && json_array_get_length(json_node_get_array(n)) == 0)
                return 0;
        if (JSON_NODE_HOLDS_OBJECT(n) && json_object_get_size(json_node_get_object(n)) == 0)
                return 0;
        if (json_holds(n, G_TYPE_STRING) && json_node_get_string(n)[0] == 0)
                return 0;
        return errmsg_plain(ret_error, -EOPNOTSUPP, "%s: not supported by this version of ctr-launch", path);
}

int cfg_load_object(const char *data, size_t size, const char *not_object, JsonParser **ret_parser,
                    JsonObject **ret_root, char **ret_error) {
        if (size > OCI_CONFIG_SIZE_MAX)
                return errmsg_plain(ret_error, -EFBIG, "larger than %u MiB", OCI_CONFIG_SIZE_MAX >> 20);
        if (size == 0)
                return errmsg_plain(ret_error, -EINVAL, "empty file");
        return json_parse_object(data, size, NULL, not_object, ret_parser, ret_root, ret_error);
}
