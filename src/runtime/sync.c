/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Framing and encoding of the sync socket and the log pipe. */

#include <json-glib/json-glib.h>
#include <stdint.h>
#include <string.h>

#include "fd-util.h"
#include "strv.h"
#include "sync.h"

/* The init document carries config.json (at most OCI_CONFIG_SIZE_MAX) plus a little more. */
#define SYNC_LINE_MAX (8U * 1024U * 1024U)

static const char *const sync_type_names[_SYNC_TYPE_MAX] = {
        [SYNC_PROC_READY] = "procReady",
        [SYNC_PROC_RUN] = "procRun",
        [SYNC_PROC_HOOKS] = "procHooks",
        [SYNC_PROC_RESUME] = "procResume",
        [SYNC_PROC_ERROR] = "procError",
};

const char *sync_type_to_string(SyncType t) {
        return t >= 0 && t < _SYNC_TYPE_MAX ? sync_type_names[t] : NULL;
}

int sync_type_from_string(const char *s) {
        for (int i = 0; i < _SYNC_TYPE_MAX; i++)
                if (strcmp(sync_type_names[i], s) == 0)
                        return i;
        return -EINVAL;
}

void init_params_done(InitParams *p) {
        free(p->id);
        free(p->bundle);
        free(p->rootfs);
        free(p->hook_state_creating);
        free(p->hook_state_created);
        free(p->notify_dir);
        strv_free(p->pam_env);
        *p = (InitParams) {};
}

/* One compact JSON document and a newline: json-glib's compact output never holds a raw
 * newline (it escapes them in strings), so lines frame messages on the stream. */
static int send_node(int fd, JsonNode *node) {
        g_autofree char *text = json_to_string(node, FALSE);
        size_t n = strlen(text);
        g_autofree char *line = g_malloc(n + 1);
        memcpy(line, text, n);
        line[n] = '\n';
        return write_all(fd, line, n + 1);
}

static int recv_object(int fd, JsonParser **ret_parser, JsonObject **ret) {
        _cleanup_free_ char *line = NULL;
        int r = read_line_fd(fd, SYNC_LINE_MAX, &line);
        if (r < 0)
                return r;
        g_autoptr(JsonParser) p = json_parser_new();
        if (!json_parser_load_from_data(p, line, -1, NULL))
                return -EBADMSG;
        JsonNode *root = json_parser_get_root(p);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return -EBADMSG;
        *ret = json_node_get_object(root);
        *ret_parser = g_steal_pointer(&p);
        return 0;
}

static const char *member_string(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);
        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                return NULL;
        return json_node_get_string(n);
}

static bool member_int(JsonObject *o, const char *name, gint64 min, gint64 max, gint64 *ret) {
        JsonNode *n = json_object_get_member(o, name);
        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
                return false;
        gint64 v = json_node_get_int(n);
        if (v < min || v > max)
                return false;
        *ret = v;
        return true;
}

static bool member_bool(JsonObject *o, const char *name, bool *ret) {
        JsonNode *n = json_object_get_member(o, name);
        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN)
                return false;
        *ret = json_node_get_boolean(n);
        return true;
}

int sync_send_init(int fd, const InitParams *p, const char *config_json) {
        g_autoptr(JsonNode) config = json_from_string(config_json, NULL);
        if (!config)
                return -EBADMSG;

        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "id");
        json_builder_add_string_value(b, p->id);
        json_builder_set_member_name(b, "bundle");
        json_builder_add_string_value(b, p->bundle);
        json_builder_set_member_name(b, "rootfs");
        json_builder_add_string_value(b, p->rootfs);
        json_builder_set_member_name(b, "noPivot");
        json_builder_add_boolean_value(b, p->no_pivot);
        json_builder_set_member_name(b, "fifoFd");
        json_builder_add_int_value(b, p->fifo_fd);
        json_builder_set_member_name(b, "consoleFd");
        json_builder_add_int_value(b, p->console_fd >= 0 ? p->console_fd : -1);
        json_builder_set_member_name(b, "execStubFd");
        json_builder_add_int_value(b, p->exec_stub_fd >= 0 ? p->exec_stub_fd : -1);
        json_builder_set_member_name(b, "preserveFds");
        json_builder_add_int_value(b, p->preserve_fds);
        json_builder_set_member_name(b, "listenFds");
        json_builder_add_int_value(b, p->listen_fds);
        if (p->hook_state_creating && p->hook_state_created) {
                json_builder_set_member_name(b, "hookStateCreating");
                json_builder_add_string_value(b, p->hook_state_creating);
                json_builder_set_member_name(b, "hookStateCreated");
                json_builder_add_string_value(b, p->hook_state_created);
        }
        if (p->notify_dir) {
                json_builder_set_member_name(b, "notifyDir");
                json_builder_add_string_value(b, p->notify_dir);
        }
        if (p->login_uid >= 0) {
                json_builder_set_member_name(b, "loginUid");
                json_builder_add_int_value(b, p->login_uid);
        }
        if (p->pam_env) {
                json_builder_set_member_name(b, "pamEnv");
                json_builder_begin_array(b);
                for (char **e = p->pam_env; *e; e++)
                        json_builder_add_string_value(b, *e);
                json_builder_end_array(b);
        }
        json_builder_set_member_name(b, "config");
        json_builder_add_value(b, g_steal_pointer(&config));
        json_builder_end_object(b);

        g_autoptr(JsonNode) root = json_builder_get_root(b);
        return send_node(fd, root);
}

int sync_recv_init(int fd, InitParams *ret, char **ret_config_json) {
        g_autoptr(JsonParser) parser = NULL;
        JsonObject *o;
        int r = recv_object(fd, &parser, &o);
        if (r < 0)
                return r;

        const char *id = member_string(o, "id"), *bundle = member_string(o, "bundle"),
                   *rootfs = member_string(o, "rootfs");
        gint64 fifo, console, stub, preserve, listen;
        bool no_pivot;
        JsonNode *config = json_object_get_member(o, "config");
        if (!id || !bundle || !rootfs || !member_bool(o, "noPivot", &no_pivot) ||
            !member_int(o, "fifoFd", 0, INT32_MAX, &fifo) ||
            !member_int(o, "consoleFd", -1, INT32_MAX, &console) ||
            !member_int(o, "execStubFd", -1, INT32_MAX, &stub) ||
            !member_int(o, "preserveFds", 0, 65536, &preserve) ||
            !member_int(o, "listenFds", 0, 65536, &listen) || !config || !JSON_NODE_HOLDS_OBJECT(config))
                return -EBADMSG;

        InitParams p = {
                .id = strdup(id),
                .bundle = strdup(bundle),
                .rootfs = strdup(rootfs),
                .no_pivot = no_pivot,
                .fifo_fd = (int) fifo,
                .console_fd = (int) console,
                .exec_stub_fd = (int) stub,
                .preserve_fds = (unsigned) preserve,
                .listen_fds = (unsigned) listen,
        };
        const char *creating = member_string(o, "hookStateCreating"), *created = member_string(o, "hookStateCreated");
        if (creating && created &&
            (!(p.hook_state_creating = strdup(creating)) || !(p.hook_state_created = strdup(created)))) {
                init_params_done(&p);
                return -ENOMEM;
        }
        const char *notify_dir = member_string(o, "notifyDir");
        if (notify_dir && !(p.notify_dir = strdup(notify_dir))) {
                init_params_done(&p);
                return -ENOMEM;
        }
        gint64 login_uid = -1;
        if (json_object_get_member(o, "loginUid") && !member_int(o, "loginUid", 0, UINT32_MAX - 1, &login_uid)) {
                init_params_done(&p);
                return -EBADMSG;
        }
        p.login_uid = login_uid;
        JsonNode *pam_env = json_object_get_member(o, "pamEnv");
        if (pam_env) {
                JsonArray *a = JSON_NODE_HOLDS_ARRAY(pam_env) ? json_node_get_array(pam_env) : NULL;
                for (guint i = 0; a && i < json_array_get_length(a); i++) {
                        JsonNode *e = json_array_get_element(a, i);
                        if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING) {
                                a = NULL;
                                break;
                        }
                        if (strv_extend(&p.pam_env, json_node_get_string(e)) < 0) {
                                init_params_done(&p);
                                return -ENOMEM;
                        }
                }
                if (!a) {
                        init_params_done(&p);
                        return -EBADMSG;
                }
        }
        char *json = json_to_string(config, FALSE);
        if (!p.id || !p.bundle || !p.rootfs || !json) {
                init_params_done(&p);
                g_free(json);
                return -ENOMEM;
        }
        *ret = p;
        *ret_config_json = json; /* g_malloc'd: free() is fine with GLib's default allocator */
        return 0;
}

int sync_send(int fd, SyncType t) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "type");
        json_builder_add_string_value(b, sync_type_to_string(t));
        json_builder_end_object(b);
        g_autoptr(JsonNode) root = json_builder_get_root(b);
        return send_node(fd, root);
}

int sync_send_error(int fd, int errnum, const char *message) {
        int r = sync_send(fd, SYNC_PROC_ERROR);
        if (r < 0)
                return r;
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "errno");
        json_builder_add_int_value(b, errnum);
        json_builder_set_member_name(b, "message");
        json_builder_add_string_value(b, message ? message : "");
        json_builder_end_object(b);
        g_autoptr(JsonNode) root = json_builder_get_root(b);
        return send_node(fd, root);
}

int sync_recv(int fd, SyncType *ret, int *ret_errno, char **ret_message) {
        g_autoptr(JsonParser) parser = NULL;
        JsonObject *o;
        int r = recv_object(fd, &parser, &o);
        if (r < 0)
                return r;
        const char *type = member_string(o, "type");
        int t = type ? sync_type_from_string(type) : -EBADMSG;
        if (t < 0 || json_object_get_size(o) != 1)
                return -EBADMSG;

        if (t == SYNC_PROC_ERROR) {
                g_autoptr(JsonParser) eparser = NULL;
                JsonObject *e;
                r = recv_object(fd, &eparser, &e);
                if (r < 0)
                        return r == -EPIPE ? -EBADMSG : r;
                gint64 errnum;
                const char *msg = member_string(e, "message");
                if (!msg || !member_int(e, "errno", 0, 4095, &errnum))
                        return -EBADMSG;
                if (ret_message && !(*ret_message = strdup(msg)))
                        return -ENOMEM;
                if (ret_errno)
                        *ret_errno = (int) errnum;
        }
        *ret = t;
        return 0;
}

int log_pipe_send(int fd, const char *level, int errnum, const char *msg) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "level");
        json_builder_add_string_value(b, level);
        json_builder_set_member_name(b, "msg");
        json_builder_add_string_value(b, msg);
        if (errnum > 0) {
                json_builder_set_member_name(b, "errno");
                json_builder_add_int_value(b, errnum);
        }
        json_builder_end_object(b);
        g_autoptr(JsonNode) root = json_builder_get_root(b);
        return send_node(fd, root);
}

int log_pipe_parse(const char *line, char **ret_level, int *ret_errno, char **ret_msg) {
        g_autoptr(JsonParser) p = json_parser_new();
        if (!json_parser_load_from_data(p, line, -1, NULL))
                return -EBADMSG;
        JsonNode *root = json_parser_get_root(p);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return -EBADMSG;
        JsonObject *o = json_node_get_object(root);
        const char *level = member_string(o, "level"), *msg = member_string(o, "msg");
        gint64 errnum = 0;
        if (!level || !msg)
                return -EBADMSG;
        if (json_object_has_member(o, "errno") && !member_int(o, "errno", 0, 4095, &errnum))
                return -EBADMSG;
        char *l = strdup(level), *m = strdup(msg);
        if (!l || !m) {
                free(l);
                free(m);
                return -ENOMEM;
        }
        *ret_level = l;
        *ret_msg = m;
        *ret_errno = (int) errnum;
        return 0;
}
