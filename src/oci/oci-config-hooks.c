/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json's `hooks`: validation only, before any side effect (hooks.c runs them). Also the
 * copy create keeps in the state dir, written and read back through the same rules, so that
 * start and delete run the hooks the container was created with, whatever the bundle holds by
 * then. */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "errmsg.h"
#include "strv.h"
#include "oci-config.h"
#include "oci-config-json.h"

/* poll() takes milliseconds in an int. */
#define HOOK_TIMEOUT_MAX (INT32_MAX / 1000)


static int parse_hook(JsonNode *n, const char *path, OciHook *h, char **ret_error) {
        char p[128];
        int r;

        if (!n || !JSON_NODE_HOLDS_OBJECT(n))
                return errmsg_plain(ret_error, -EINVAL, "%s: must be an object", path);
        JsonObject *o = json_node_get_object(n);

        snprintf(p, sizeof(p), "%s.path", path);
        if ((r = json_get_string(o, "path", p, true, &h->path, ret_error)) < 0)
                return r;
        if (h->path[0] != '/')
                return errmsg_plain(ret_error, -EINVAL, "%s: must be an absolute path: \"%s\"", p, h->path);

        snprintf(p, sizeof(p), "%s.args", path);
        if ((r = json_get_strv(o, "args", p, NULL, &h->args, ret_error)) < 0)
                return r;
        if (h->args && !h->args[0])
                h->args = strv_free(h->args); /* as if absent: argv is { path } */

        snprintf(p, sizeof(p), "%s.env", path);
        if ((r = json_get_strv(o, "env", p, cfg_check_env, &h->env, ret_error)) < 0)
                return r;

        int64_t t = 0;
        snprintf(p, sizeof(p), "%s.timeout", path);
        if ((r = json_get_int(o, "timeout", p, false, 1, HOOK_TIMEOUT_MAX, &t, ret_error)) < 0)
                return r;
        h->timeout = (int) t;
        return 0;
}

int cfg_parse_hooks(JsonObject *root, OciHooks *ret, char **ret_error) {
        JsonObject *hooks;
        int r = json_get_object(root, "hooks", "hooks", false, &hooks, ret_error);
        if (r <= 0)
                return r;

        /* A misspelt kind would be a hook that silently never runs: refuse it. */
        JsonObjectIter it;
        const char *name;
        JsonNode *n;
        json_object_iter_init(&it, hooks);
        while (json_object_iter_next(&it, &name, &n)) {
                HookKind k;
                for (k = 0; k < _HOOK_KIND_MAX; k++)
                        if (strcmp(name, hook_kind_to_string(k)) == 0)
                                break;
                if (k == _HOOK_KIND_MAX)
                        return errmsg_plain(ret_error, -EINVAL, "hooks.%s: unknown kind of hook", name);
        }

        OciHooks h = {};
        for (HookKind k = 0; k < _HOOK_KIND_MAX; k++) {
                char path[64];
                JsonArray *a;
                snprintf(path, sizeof(path), "hooks.%s", hook_kind_to_string(k));
                r = json_get_array(hooks, hook_kind_to_string(k), path, false, &a, ret_error);
                if (r < 0)
                        goto fail;
                if (r == 0 || json_array_get_length(a) == 0)
                        continue;
                h.hooks[k] = calloc(json_array_get_length(a), sizeof(OciHook));
                if (!h.hooks[k]) {
                        r = -ENOMEM;
                        goto fail;
                }
                for (guint i = 0; i < json_array_get_length(a); i++) {
                        char p[96];
                        snprintf(p, sizeof(p), "%s[%u]", path, i);
                        h.n_hooks[k]++;
                        r = parse_hook(json_array_get_element(a, i), p, h.hooks[k] + i, ret_error);
                        if (r < 0)
                                goto fail;
                }
        }
        oci_hooks_done(ret);
        *ret = h;
        return 1;

fail:
        oci_hooks_done(&h);
        return r;
}

char *oci_hooks_to_json(const OciHooks *h) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "hooks");
        json_builder_begin_object(b);
        for (HookKind k = 0; k < _HOOK_KIND_MAX; k++) {
                if (h->n_hooks[k] == 0)
                        continue;
                json_builder_set_member_name(b, hook_kind_to_string(k));
                json_builder_begin_array(b);
                for (size_t i = 0; i < h->n_hooks[k]; i++) {
                        const OciHook *hook = h->hooks[k] + i;
                        json_builder_begin_object(b);
                        json_add_string(b, "path", hook->path);
                        json_add_strv(b, "args", hook->args);
                        json_add_strv(b, "env", hook->env);
                        if (hook->timeout > 0)
                                json_add_int(b, "timeout", hook->timeout);
                        json_builder_end_object(b);
                }
                json_builder_end_array(b);
        }
        json_builder_end_object(b);
        json_builder_end_object(b);

        return json_builder_text(b, 0);
}

int oci_hooks_from_json(const char *data, OciHooks *ret, char **ret_error) {
        g_autoptr(JsonParser) parser = NULL;
        JsonObject *root;
        int r = json_parse_object(data, SIZE_MAX, "not valid JSON", "not a JSON object", &parser, &root, ret_error);
        if (r < 0)
                return r == -ENOMEM ? r : -EBADMSG;
        OciHooks h = {};
        r = cfg_parse_hooks(root, &h, ret_error);
        if (r < 0)
                return r;
        *ret = h;
        return 0;
}
