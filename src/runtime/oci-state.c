/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* state.json and the OCI state document (through json-util.h), init.pid, and the derivation of
 * a container's status from the living system. It records and reads; it never signals nor
 * removes anything. */

#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "proc-util.h"
#include "strv.h"
#include "json-util.h"
#include "oci-state.h"
#include "state-dir.h"

#define STATE_FILE_MAX (1024U * 1024U)

static const char *const status_names[_STATUS_MAX] = {
        [STATUS_CREATING] = "creating",
        [STATUS_CREATED] = "created",
        [STATUS_RUNNING] = "running",
        [STATUS_PAUSED] = "paused",
        [STATUS_STOPPED] = "stopped",
};

const char *oci_state_status_to_string(ContainerStatus s) {
        return s >= 0 && s < _STATUS_MAX ? status_names[s] : "unknown";
}

void oci_state_done(ContainerState *s) {
        free(s->id);
        free(s->bundle);
        free(s->rootfs);
        free(s->created);
        strv_free(s->annotations);
        free(s->invocation);
        *s = (ContainerState) {};
}

/* An empty string for what is not known yet: the files we write always have every member. */
static void add_string(JsonBuilder *b, const char *name, const char *value) {
        json_add_string(b, name, value ?: "");
}

int oci_state_to_json(const ContainerState *s, char **ret) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        add_string(b, "id", s->id);
        json_add_int(b, "pid", s->pid);
        /* Start times are clock ticks since boot: they fit in 63 bits for a few billion years. */
        json_add_int(b, "pidStartTime", (int64_t) s->pid_starttime);
        add_string(b, "bundle", s->bundle);
        add_string(b, "rootfs", s->rootfs);
        add_string(b, "created", s->created);
        json_add_int(b, "owner", s->owner);
        json_add_bool(b, "creating", s->creating);
        json_add_string_map(b, "annotations", s->annotations);
        if (s->invocation)
                json_add_string(b, "invocation", s->invocation);
        json_builder_end_object(b);
        char *t = json_builder_text(b, JSON_TEXT_NEWLINE);
        if (!t)
                return -ENOMEM;
        *ret = t;
        return 0;
}

/* Anything wrong in a file of ours is -EBADMSG (a truncated or foreign file); -ENOMEM stays. */
static int bad_message(int r) {
        return r == -ENOMEM ? r : -EBADMSG;
}

int oci_state_from_json(const char *data, ContainerState *ret) {
        g_autoptr(JsonParser) parser = NULL;
        JsonObject *o;
        int r = json_parse_object(data, SIZE_MAX, NULL, "not an object", &parser, &o, NULL);
        if (r < 0)
                return bad_message(r);

        _cleanup_(oci_state_done) ContainerState s = {};
        int64_t pid, st, owner;
        if ((r = json_get_string(o, "id", NULL, true, &s.id, NULL)) < 0 ||
            (r = json_get_string(o, "bundle", NULL, true, &s.bundle, NULL)) < 0 ||
            (r = json_get_string(o, "rootfs", NULL, true, &s.rootfs, NULL)) < 0 ||
            (r = json_get_string(o, "created", NULL, true, &s.created, NULL)) < 0 ||
            (r = json_get_int(o, "pid", NULL, true, 0, INT32_MAX, &pid, NULL)) < 0 ||
            (r = json_get_int(o, "pidStartTime", NULL, true, 0, INT64_MAX, &st, NULL)) < 0 ||
            (r = json_get_int(o, "owner", NULL, true, 0, UINT32_MAX, &owner, NULL)) < 0 ||
            (r = json_get_bool(o, "creating", NULL, true, &s.creating, NULL)) < 0 ||
            (r = json_get_string(o, "invocation", NULL, false, &s.invocation, NULL)) < 0)
                return bad_message(r);
        /* Annotations are the config's: what is not a string is left out, as before. */
        JsonObject *an;
        if (json_get_object(o, "annotations", NULL, false, &an, NULL) > 0) {
                JsonObjectIter it;
                const char *k;
                JsonNode *v;
                json_object_iter_init(&it, an);
                while (json_object_iter_next(&it, &k, &v))
                        if (json_holds(v, G_TYPE_STRING) &&
                            (strv_extend(&s.annotations, k) < 0 || strv_extend(&s.annotations, json_node_get_string(v)) < 0))
                                return -ENOMEM;
        }
        s.pid = (pid_t) pid;
        s.pid_starttime = (uint64_t) st;
        s.owner = (uid_t) owner;
        *ret = s;
        s = (ContainerState) {};
        return 0;
}

int oci_state_read(int dir_fd, ContainerState *ret) {
        _cleanup_free_ char *data = NULL;
        int r = read_file_at(dir_fd, STATE_FILE, STATE_FILE_MAX, &data, NULL);
        if (r < 0)
                return r;
        return oci_state_from_json(data, ret);
}

int oci_state_write(int dir_fd, const ContainerState *s) {
        _cleanup_free_ char *data = NULL;
        int r = oci_state_to_json(s, &data);
        if (r < 0)
                return r;
        return write_file_atomic_at(dir_fd, STATE_FILE, data, strlen(data));
}

int oci_state_identity_write(int dir_fd, pid_t pid, uint64_t starttime) {
        char buf[64];
        int n = snprintf(buf, sizeof(buf), "%d %" PRIu64 "\n", (int) pid, starttime);
        return write_file_atomic_at(dir_fd, INIT_PID_FILE, buf, (size_t) n);
}

int oci_state_identity_read(int dir_fd, pid_t *ret_pid, uint64_t *ret_starttime) {
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

ContainerStatus oci_state_status_derive(bool file_says_creating, bool lock_busy, bool init_alive,
                                        bool fifo_exists) {
        if (file_says_creating)
                /* A create that died half way leaves "creating" behind with nobody holding the
                 * lock: that container is as good as stopped, and delete --force cleans it. */
                return lock_busy && init_alive ? STATUS_CREATING : STATUS_STOPPED;
        if (!init_alive)
                return STATUS_STOPPED;
        return fifo_exists ? STATUS_CREATED : STATUS_RUNNING;
}

ContainerStatus oci_state_status_probe(const ContainerState *s, int dir_fd, bool lock_busy,
                                       int *ret_pidfd) {
        _cleanup_close_ int pidfd = -EBADF;
        bool alive = s->pid > 0 && pidfd_open_verified(s->pid, s->pid_starttime, &pidfd) >= 0;
        if (s->creating && s->pid == 0)
                alive = true; /* not forked yet: the lock alone tells */
        bool fifo = faccessat(dir_fd, EXEC_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) >= 0;
        ContainerStatus st = oci_state_status_derive(s->creating, lock_busy, alive, fifo);
        /* Even when "stopped" (a create that died half way): a live init must still be
         * reachable, or delete would remove the directory and leave it blocked on the FIFO. */
        if (ret_pidfd && pidfd >= 0)
                *ret_pidfd = TAKE_FD(pidfd);
        return st;
}

/* The owner's user name, or its number if it has none; NULL if out of memory. */
static char *owner_name(uid_t uid) {
        struct passwd *pw = getpwuid(uid);
        if (pw)
                return strdup(pw->pw_name);
        char *num;
        return asprintf(&num, "%u", (unsigned) uid) < 0 ? NULL : num;
}

static void add_oci_members(JsonBuilder *b, const ContainerState *s, ContainerStatus status, const char *owner) {
        add_string(b, "ociVersion", OCI_STATE_VERSION);
        add_string(b, "id", s->id);
        add_string(b, "status", oci_state_status_to_string(status));
        json_add_int(b, "pid", status == STATUS_STOPPED ? 0 : s->pid);
        add_string(b, "bundle", s->bundle);
        add_string(b, "rootfs", s->rootfs);
        add_string(b, "created", s->created);
        add_string(b, "owner", owner);
        json_add_string_map(b, "annotations", s->annotations);
}

char *oci_state_to_oci_json(const ContainerState *s, ContainerStatus status) {
        _cleanup_free_ char *owner = owner_name(s->owner);
        if (!owner)
                return NULL;
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        add_oci_members(b, s, status, owner);
        json_builder_end_object(b);
        return json_builder_text(b, JSON_TEXT_PRETTY | JSON_TEXT_NEWLINE);
}

char *oci_state_list_to_json(const ContainerState *states, const ContainerStatus *statuses, size_t n) {
        /* One look-up per owner, not per container: getpwuid() opens /etc/passwd, or asks
         * NSS (sssd, LDAP), on every call. */
        _cleanup_free_ char *owner = NULL;
        uid_t owner_uid = 0;
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_array(b);
        for (size_t i = 0; i < n; i++) {
                if (!owner || states[i].owner != owner_uid) {
                        free(owner);
                        if (!(owner = owner_name(states[i].owner)))
                                return NULL;
                        owner_uid = states[i].owner;
                }
                json_builder_begin_object(b);
                add_oci_members(b, &states[i], statuses[i], owner);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
        return json_builder_text(b, JSON_TEXT_PRETTY | JSON_TEXT_NEWLINE);
}
