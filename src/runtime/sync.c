/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Framing and encoding of the sync socket and the log pipe (sync.h), through json-util.h. It
 * moves messages; what they mean is init.c's and init-drive.c's business. Both sides of the
 * fork call in here: nothing here logs. */

#include <stdint.h>
#include <string.h>

#include "fd-util.h"
#include "strv.h"
#include "json-util.h"
#include "oci-config.h"
#include "sync.h"

/* The init document carries config.json (at most OCI_CONFIG_SIZE_MAX) plus a little more. */
/* The init document carries config.json as a string: escaping at most doubles it. */
#define SYNC_LINE_MAX (2U * OCI_CONFIG_SIZE_MAX + 1024U * 1024U)

static const char *const sync_type_names[_SYNC_TYPE_MAX] = {
        [SYNC_PROC_READY] = "procReady",
        [SYNC_PROC_RUN] = "procRun",
        [SYNC_PROC_HOOKS] = "procHooks",
        [SYNC_PROC_RESUME] = "procResume",
        [SYNC_PROC_ERROR] = "procError",
        [SYNC_PROC_SECCOMP] = "procSeccomp",
        [SYNC_PROC_SECCOMP_DONE] = "procSeccompDone",
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
        free(p->listen_fdnames);
        strv_free(p->pam_env);
        *p = (InitParams) {};
}

/* One compact JSON document and a newline: compact text never holds a raw newline, so lines
 * frame messages on the stream. */
static int send_builder(int fd, JsonBuilder *b) {
        _cleanup_free_ char *line = json_builder_text(b, JSON_TEXT_NEWLINE);
        if (!line)
                return -ENOMEM;
        return write_all(fd, line, strlen(line));
}

/* Anything malformed on these channels is -EBADMSG; -ENOMEM stays itself. */
static int bad_message(int r) {
        return r == -ENOMEM ? r : -EBADMSG;
}

static int parse_line(const char *line, JsonParser **ret_parser, JsonObject **ret) {
        int r = json_parse_object(line, SIZE_MAX, NULL, "not an object", ret_parser, ret, NULL);
        return r < 0 ? bad_message(r) : 0;
}

static int recv_object(int fd, JsonParser **ret_parser, JsonObject **ret) {
        _cleanup_free_ char *line = NULL;
        int r = read_line_fd(fd, SYNC_LINE_MAX, &line);
        if (r < 0)
                return r;
        return parse_line(line, ret_parser, ret);
}

int sync_send_init(int fd, const InitParams *p, const char *config_json) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_add_string(b, "id", p->id);
        json_add_string(b, "bundle", p->bundle);
        json_add_string(b, "rootfs", p->rootfs);
        json_add_bool(b, "noPivot", p->no_pivot);
        json_add_int(b, "fifoFd", p->fifo_fd);
        json_add_int(b, "consoleFd", p->console_fd >= 0 ? p->console_fd : -1);
        json_add_int(b, "execStubFd", p->exec_stub_fd >= 0 ? p->exec_stub_fd : -1);
        json_add_int(b, "startFdsFd", p->start_fds_fd);
        json_add_int(b, "preserveFds", p->preserve_fds);
        json_add_int(b, "listenFds", p->listen_fds);
        json_add_string(b, "listenFdNames", p->listen_fdnames);
        if (p->hook_state_creating && p->hook_state_created) {
                json_add_string(b, "hookStateCreating", p->hook_state_creating);
                json_add_string(b, "hookStateCreated", p->hook_state_created);
        }
        json_add_string(b, "notifyDir", p->notify_dir);
        if (p->login_uid >= 0)
                json_add_int(b, "loginUid", p->login_uid);
        json_add_strv(b, "pamEnv", p->pam_env);
        json_add_int(b, "mountFds", p->n_mount_fds);
        json_add_bool(b, "notifyDirFd", p->notify_dir_fd);
        /* The text create read and checked, as a string: the init parses it once, as it is
         * (nested in this document it would be one level deeper than json-guard allowed). */
        json_add_string(b, "config", config_json);
        json_builder_end_object(b);
        return send_builder(fd, b);
}

static int recv_init_params(JsonObject *o, InitParams *p) {
        int64_t fifo, console, stub, start_fds, preserve, listen, login_uid = -1, mount_fds = 0;
        int r;
        if ((r = json_get_string(o, "id", NULL, true, &p->id, NULL)) < 0 ||
            (r = json_get_string(o, "bundle", NULL, true, &p->bundle, NULL)) < 0 ||
            (r = json_get_string(o, "rootfs", NULL, true, &p->rootfs, NULL)) < 0 ||
            (r = json_get_bool(o, "noPivot", NULL, true, &p->no_pivot, NULL)) < 0 ||
            (r = json_get_int(o, "fifoFd", NULL, true, 0, INT32_MAX, &fifo, NULL)) < 0 ||
            (r = json_get_int(o, "consoleFd", NULL, true, -1, INT32_MAX, &console, NULL)) < 0 ||
            (r = json_get_int(o, "execStubFd", NULL, true, -1, INT32_MAX, &stub, NULL)) < 0 ||
            (r = json_get_int(o, "startFdsFd", NULL, true, 0, INT32_MAX, &start_fds, NULL)) < 0 ||
            (r = json_get_int(o, "preserveFds", NULL, true, 0, 65536, &preserve, NULL)) < 0 ||
            (r = json_get_int(o, "listenFds", NULL, true, 0, 65536, &listen, NULL)) < 0 ||
            (r = json_get_int(o, "loginUid", NULL, false, 0, UINT32_MAX - 1, &login_uid, NULL)) < 0 ||
            (r = json_get_int(o, "mountFds", NULL, false, 0, 65536, &mount_fds, NULL)) < 0 ||
            (r = json_get_bool(o, "notifyDirFd", NULL, false, &p->notify_dir_fd, NULL)) < 0 ||
            (r = json_get_strv(o, "pamEnv", NULL, NULL, &p->pam_env, NULL)) < 0 ||
            (r = json_get_string(o, "notifyDir", NULL, false, &p->notify_dir, NULL)) < 0 ||
            (r = json_get_string(o, "listenFdNames", NULL, false, &p->listen_fdnames, NULL)) < 0)
                return bad_message(r);
        /* The hooks' two states come together, or not at all. */
        _cleanup_free_ char *creating = NULL, *created = NULL;
        if ((r = json_get_string(o, "hookStateCreating", NULL, false, &creating, NULL)) < 0 ||
            (r = json_get_string(o, "hookStateCreated", NULL, false, &created, NULL)) < 0)
                return bad_message(r);
        if (creating && created) {
                p->hook_state_creating = TAKE_PTR(creating);
                p->hook_state_created = TAKE_PTR(created);
        }
        p->fifo_fd = (int) fifo;
        p->console_fd = (int) console;
        p->exec_stub_fd = (int) stub;
        p->start_fds_fd = (int) start_fds;
        p->preserve_fds = (unsigned) preserve;
        p->listen_fds = (unsigned) listen;
        p->login_uid = login_uid;
        p->n_mount_fds = (unsigned) mount_fds;
        return 0;
}

int sync_recv_init(int fd, InitParams *ret, char **ret_config_json) {
        g_autoptr(JsonParser) parser = NULL;
        _cleanup_free_ char *config = NULL;
        JsonObject *o;
        int r = recv_object(fd, &parser, &o);
        if (r < 0)
                return r;
        if ((r = json_get_string(o, "config", NULL, true, &config, NULL)) < 0)
                return bad_message(r);

        _cleanup_(init_params_done) InitParams p = {};
        r = recv_init_params(o, &p);
        if (r < 0)
                return r;
        *ret = p;
        p = (InitParams) {};
        *ret_config_json = TAKE_PTR(config);
        return 0;
}

int sync_send(int fd, SyncType t) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_add_string(b, "type", sync_type_to_string(t));
        json_builder_end_object(b);
        return send_builder(fd, b);
}

int sync_send_error(int fd, int errnum, const char *message) {
        int r = sync_send(fd, SYNC_PROC_ERROR);
        if (r < 0)
                return r;
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_add_int(b, "errno", errnum);
        json_add_string(b, "message", message ?: "");
        json_builder_end_object(b);
        return send_builder(fd, b);
}

int sync_recv(int fd, SyncType *ret, int *ret_errno, char **ret_message) {
        g_autoptr(JsonParser) parser = NULL;
        _cleanup_free_ char *type = NULL;
        JsonObject *o;
        int r = recv_object(fd, &parser, &o);
        if (r < 0)
                return r;
        if ((r = json_get_string(o, "type", NULL, true, &type, NULL)) < 0)
                return bad_message(r);
        int t = sync_type_from_string(type);
        if (t < 0 || json_object_get_size(o) != 1)
                return -EBADMSG;

        if (t == SYNC_PROC_ERROR) {
                g_autoptr(JsonParser) eparser = NULL;
                _cleanup_free_ char *msg = NULL;
                JsonObject *e;
                int64_t errnum;
                r = recv_object(fd, &eparser, &e);
                if (r < 0)
                        return r == -EPIPE ? -EBADMSG : r;
                if ((r = json_get_string(e, "message", NULL, true, &msg, NULL)) < 0 ||
                    (r = json_get_int(e, "errno", NULL, true, 0, 4095, &errnum, NULL)) < 0)
                        return bad_message(r);
                if (ret_message)
                        *ret_message = TAKE_PTR(msg);
                if (ret_errno)
                        *ret_errno = (int) errnum;
        }
        *ret = t;
        return 0;
}

int sync_log_send(int fd, const char *level, int errnum, const char *msg) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_add_string(b, "level", level);
        json_add_string(b, "msg", msg);
        if (errnum > 0)
                json_add_int(b, "errno", errnum);
        json_builder_end_object(b);
        return send_builder(fd, b);
}

int sync_log_parse(const char *line, char **ret_level, int *ret_errno, char **ret_msg) {
        g_autoptr(JsonParser) parser = NULL;
        _cleanup_free_ char *level = NULL, *msg = NULL;
        JsonObject *o;
        int64_t errnum = 0;
        int r = parse_line(line, &parser, &o);
        if (r < 0)
                return r;
        if ((r = json_get_string(o, "level", NULL, true, &level, NULL)) < 0 ||
            (r = json_get_string(o, "msg", NULL, true, &msg, NULL)) < 0 ||
            (r = json_get_int(o, "errno", NULL, false, 0, 4095, &errnum, NULL)) < 0)
                return bad_message(r);
        *ret_level = TAKE_PTR(level);
        *ret_msg = TAKE_PTR(msg);
        *ret_errno = (int) errnum;
        return 0;
}
