/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hands a seccomp listener to the agent at linux.seccomp.listenerPath (seccomp-notify.h). */

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "errmsg.h"
#include "fd-util.h"
#include "time-util.h"
#include "json-util.h"
#include "oci-state.h"
#include "seccomp-notify.h"

#define LISTENER_TIMEOUT_MS 10000

static char *process_state_json(const OciSeccomp *s, const char *state_json, pid_t pid) {
        g_autoptr(JsonParser) parser = json_parser_new();
        if (!json_parser_load_from_data(parser, state_json, -1, NULL))
                return NULL;
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_add_string(b, "ociVersion", OCI_STATE_VERSION);
        char *fds[] = { (char *) "seccompFd", NULL };
        json_add_strv(b, "fds", fds);
        json_add_int(b, "pid", pid);
        json_add_string(b, "metadata", s->listener_metadata);
        json_builder_set_member_name(b, "state");
        json_builder_add_value(b, json_node_copy(json_parser_get_root(parser)));
        json_builder_end_object(b);
        return json_builder_text(b, 0);
}

/* Waits for events on fd until the deadline: 0, or -ETIMEDOUT. */
static int wait_fd(int fd, short events, uint64_t deadline) {
        for (;;) {
                struct pollfd p = { .fd = fd, .events = events };
                int k = poll(&p, 1, deadline_left_msec(deadline));
                if (k > 0)
                        return 0;
                if (k == 0)
                        return -ETIMEDOUT;
                if (errno != EINTR)
                        return -errno;
        }
}

/* The document, and the fd with its first byte. */
static int send_document(int sock, const char *text, int listener_fd, uint64_t deadline) {
        size_t len = strlen(text), done = 0;
        while (done < len) {
                union {
                        struct cmsghdr h;
                        char buf[CMSG_SPACE(sizeof(int))];
                } control = {};
                struct iovec iov = { .iov_base = (char *) text + done, .iov_len = len - done };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
                if (done == 0) {
                        mh.msg_control = &control;
                        mh.msg_controllen = sizeof(control);
                        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                        c->cmsg_level = SOL_SOCKET;
                        c->cmsg_type = SCM_RIGHTS;
                        c->cmsg_len = CMSG_LEN(sizeof(int));
                        memcpy(CMSG_DATA(c), &listener_fd, sizeof(int));
                }
                ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0 && errno == EAGAIN) {
                        int r = wait_fd(sock, POLLOUT, deadline);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (n < 0 && errno != EINTR)
                        return -errno;
                if (n > 0)
                        done += (size_t) n;
        }
        return 0;
}

int seccomp_notify_send(const OciSeccomp *s, const char *state_json, pid_t pid, int listener_fd, char **ret_error) {
        const uint64_t deadline = deadline_after_msec(LISTENER_TIMEOUT_MS);
        const char *path = s->listener_path;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int r;

        if (!path || strlen(path) >= sizeof(sa.sun_path))
                return errmsg_plain(ret_error, -EINVAL, "linux.seccomp.listenerPath: not a socket path");
        strcpy(sa.sun_path, path);
        _cleanup_free_ char *text = process_state_json(s, state_json, pid);
        if (!text)
                return errmsg_plain(ret_error, -ENOMEM, "linux.seccomp.listenerPath: build the container process state");

        _cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (sock < 0)
                return errmsg(ret_error, -errno, "linux.seccomp.listenerPath %s: socket", path);
        /* A full backlog says EAGAIN on a non-blocking AF_UNIX connect; nothing to poll for. */
        while (connect(sock, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                if (errno == EINTR)
                        continue;
                if (errno != EAGAIN || deadline_left_msec(deadline) == 0)
                        return errmsg(ret_error, -errno, "linux.seccomp.listenerPath %s: connect to the seccomp agent", path);
                sleep_msec(10);
        }
        if ((r = send_document(sock, text, listener_fd, deadline)) < 0)
                return errmsg(ret_error, r, "linux.seccomp.listenerPath %s: send the seccomp fd to the agent", path);
        return 0;
}
