/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* state.json and the OCI state document, through json-glib; status derivation. */

#include <fcntl.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fd-util.h"
#include "proc-util.h"
#include "strv.h"
#include "oci-state.h"
#include "state-dir.h"

#define OCI_STATE_VERSION "1.2.0"
#define STATE_FILE_MAX (1024U * 1024U)

static const char *const status_names[_STATUS_MAX] = {
        [STATUS_CREATING] = "creating",
        [STATUS_CREATED] = "created",
        [STATUS_RUNNING] = "running",
        [STATUS_PAUSED] = "paused",
        [STATUS_STOPPED] = "stopped",
};

const char *container_status_to_string(ContainerStatus s) {
        return s >= 0 && s < _STATUS_MAX ? status_names[s] : "unknown";
}

void container_state_done(ContainerState *s) {
        free(s->id);
        free(s->bundle);
        free(s->rootfs);
        free(s->created);
        strv_free(s->annotations);
        *s = (ContainerState) {};
}

static void add_annotations(JsonBuilder *b, char * const *a) {
        json_builder_set_member_name(b, "annotations");
        json_builder_begin_object(b);
        for (size_t i = 0; a && a[i] && a[i + 1]; i += 2) {
                json_builder_set_member_name(b, a[i]);
                json_builder_add_string_value(b, a[i + 1]);
        }
        json_builder_end_object(b);
}

static void add_string(JsonBuilder *b, const char *name, const char *value) {
        json_builder_set_member_name(b, name);
        json_builder_add_string_value(b, value ? value : "");
}

static void add_int(JsonBuilder *b, const char *name, gint64 value) {
        json_builder_set_member_name(b, name);
        json_builder_add_int_value(b, value);
}

static char *builder_to_string(JsonBuilder *b, gboolean pretty) {
        g_autoptr(JsonNode) root = json_builder_get_root(b);
        g_autoptr(JsonGenerator) gen = json_generator_new();
        json_generator_set_root(gen, root);
        json_generator_set_pretty(gen, pretty);
        json_generator_set_indent(gen, 2);
        g_autofree char *s = json_generator_to_data(gen, NULL);
        char *ret = NULL;
        if (asprintf(&ret, "%s\n", s) < 0)
                return NULL;
        return ret;
}

int container_state_to_json(const ContainerState *s, char **ret) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        add_string(b, "id", s->id);
        add_int(b, "pid", s->pid);
        /* Start times are clock ticks since boot: they fit in 63 bits for a few billion years. */
        add_int(b, "pidStartTime", (gint64) s->pid_starttime);
        add_string(b, "bundle", s->bundle);
        add_string(b, "rootfs", s->rootfs);
        add_string(b, "created", s->created);
        add_int(b, "owner", s->owner);
        json_builder_set_member_name(b, "creating");
        json_builder_add_boolean_value(b, s->creating);
        add_annotations(b, s->annotations);
        json_builder_end_object(b);
        char *t = builder_to_string(b, FALSE);
        if (!t)
                return -ENOMEM;
        *ret = t;
        return 0;
}

static const char *get_string(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);
        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                return NULL;
        return json_node_get_string(n);
}

static bool get_int(JsonObject *o, const char *name, gint64 *ret) {
        JsonNode *n = json_object_get_member(o, name);
        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
                return false;
        *ret = json_node_get_int(n);
        return true;
}

int container_state_from_json(const char *data, ContainerState *ret) {
        g_autoptr(JsonParser) p = json_parser_new();
        if (!json_parser_load_from_data(p, data, -1, NULL))
                return -EBADMSG;
        JsonNode *root = json_parser_get_root(p);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return -EBADMSG;
        JsonObject *o = json_node_get_object(root);

        const char *id = get_string(o, "id"), *bundle = get_string(o, "bundle"),
                   *rootfs = get_string(o, "rootfs"), *created = get_string(o, "created");
        gint64 pid, st, owner;
        JsonNode *creating = json_object_get_member(o, "creating");
        if (!id || !bundle || !rootfs || !created || !get_int(o, "pid", &pid) ||
            !get_int(o, "pidStartTime", &st) || !get_int(o, "owner", &owner) || pid < 0 ||
            pid > INT32_MAX || st < 0 || owner < 0 || owner > UINT32_MAX || !creating ||
            !JSON_NODE_HOLDS_VALUE(creating) || json_node_get_value_type(creating) != G_TYPE_BOOLEAN)
                return -EBADMSG;

        ContainerState s = {
                .id = strdup(id),
                .pid = (pid_t) pid,
                .pid_starttime = (uint64_t) st,
                .bundle = strdup(bundle),
                .rootfs = strdup(rootfs),
                .created = strdup(created),
                .owner = (uid_t) owner,
                .creating = json_node_get_boolean(creating),
        };
        int r = 0;
        JsonNode *an = json_object_get_member(o, "annotations");
        if (an && JSON_NODE_HOLDS_OBJECT(an)) {
                JsonObjectIter it;
                const char *k;
                JsonNode *v;
                json_object_iter_init(&it, json_node_get_object(an));
                while (r >= 0 && json_object_iter_next(&it, &k, &v))
                        if (JSON_NODE_HOLDS_VALUE(v) && json_node_get_value_type(v) == G_TYPE_STRING &&
                            (r = strv_extend(&s.annotations, k)) >= 0)
                                r = strv_extend(&s.annotations, json_node_get_string(v));
        }
        if (r < 0 || !s.id || !s.bundle || !s.rootfs || !s.created) {
                container_state_done(&s);
                return -ENOMEM;
        }
        *ret = s;
        return 0;
}

int container_state_read(int dir_fd, ContainerState *ret) {
        _cleanup_free_ char *data = NULL;
        int r = read_file_at(dir_fd, STATE_FILE, STATE_FILE_MAX, &data, NULL);
        if (r < 0)
                return r;
        return container_state_from_json(data, ret);
}

int container_state_write(int dir_fd, const ContainerState *s) {
        _cleanup_free_ char *data = NULL;
        int r = container_state_to_json(s, &data);
        if (r < 0)
                return r;
        return write_file_atomic_at(dir_fd, STATE_FILE, data, strlen(data));
}

int container_identity_write(int dir_fd, pid_t pid, uint64_t starttime) {
        char buf[64];
        int n = snprintf(buf, sizeof(buf), "%d %" PRIu64 "\n", (int) pid, starttime);
        return write_file_atomic_at(dir_fd, INIT_PID_FILE, buf, (size_t) n);
}

int container_identity_read(int dir_fd, pid_t *ret_pid, uint64_t *ret_starttime) {
        _cleanup_free_ char *data = NULL;
        int pid;
        uint64_t starttime;
        char nl;
        int r = read_file_at(dir_fd, INIT_PID_FILE, 64, &data, NULL);
        if (r < 0)
                return r;
        if (sscanf(data, "%d %" SCNu64 "%c", &pid, &starttime, &nl) != 3 || nl != '\n' || pid <= 0)
                return -EBADMSG;
        *ret_pid = pid;
        *ret_starttime = starttime;
        return 0;
}

ContainerStatus container_status_derive(bool file_says_creating, bool lock_busy, bool init_alive,
                                        bool fifo_exists) {
        if (file_says_creating)
                /* A create that died half way leaves "creating" behind with nobody holding the
                 * lock: that container is as good as stopped, and delete --force cleans it. */
                return lock_busy && init_alive ? STATUS_CREATING : STATUS_STOPPED;
        if (!init_alive)
                return STATUS_STOPPED;
        return fifo_exists ? STATUS_CREATED : STATUS_RUNNING;
}

ContainerStatus container_status_probe(const ContainerState *s, int dir_fd, bool lock_busy,
                                       int *ret_pidfd) {
        _cleanup_close_ int pidfd = -EBADF;
        bool alive = s->pid > 0 && pidfd_open_verified(s->pid, s->pid_starttime, &pidfd) >= 0;
        if (s->creating && s->pid == 0)
                alive = true; /* not forked yet: the lock alone tells */
        bool fifo = faccessat(dir_fd, EXEC_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) >= 0;
        ContainerStatus st = container_status_derive(s->creating, lock_busy, alive, fifo);
        /* Even when "stopped" (a create that died half way): a live init must still be
         * reachable, or delete would remove the directory and leave it blocked on the FIFO. */
        if (ret_pidfd && pidfd >= 0)
                *ret_pidfd = TAKE_FD(pidfd);
        return st;
}

static void add_oci_members(JsonBuilder *b, const ContainerState *s, ContainerStatus status) {
        add_string(b, "ociVersion", OCI_STATE_VERSION);
        add_string(b, "id", s->id);
        add_string(b, "status", container_status_to_string(status));
        add_int(b, "pid", status == STATUS_STOPPED ? 0 : s->pid);
        add_string(b, "bundle", s->bundle);
        add_string(b, "rootfs", s->rootfs);
        add_string(b, "created", s->created);
        struct passwd *pw = getpwuid(s->owner);
        if (pw)
                add_string(b, "owner", pw->pw_name);
        else {
                char num[16];
                snprintf(num, sizeof(num), "%u", (unsigned) s->owner);
                add_string(b, "owner", num);
        }
        add_annotations(b, s->annotations);
}

char *container_state_to_oci_json(const ContainerState *s, ContainerStatus status) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        add_oci_members(b, s, status);
        json_builder_end_object(b);
        return builder_to_string(b, TRUE);
}

char *container_state_list_to_json(const ContainerState *states, const ContainerStatus *statuses, size_t n) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_array(b);
        for (size_t i = 0; i < n; i++) {
                json_builder_begin_object(b);
                add_oci_members(b, &states[i], statuses[i]);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
        return builder_to_string(b, TRUE);
}

char *rfc3339_now(void) {
        struct timespec ts;
        struct tm tm;
        char buf[64];
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        size_t k = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + k, sizeof(buf) - k, ".%09ldZ", ts.tv_nsec);
        return strdup(buf);
}
