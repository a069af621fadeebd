/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A seccomp agent for the integration tests (runtime-spec's seccomp-notify protocol): listens on
 * SOCKET, and for each connection appends the containerProcessState document it received to
 * LOG (one line each, then " fds=N" with the number of fds that came with it), and answers the
 * notifications of the listener fd that came with it. The answer is chosen by the document's
 * "metadata": "errno=N" fails every notified call with errno N, "ok" says it succeeded (returns
 * 0 without running it), "continue" lets the kernel run it. Single-threaded; runs until killed.
 * Usage: seccomp-agent SOCKET LOG */

#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_LISTENERS 32

typedef struct Listener {
        int fd;
        char answer[64];
} Listener;

static int receive(int conn, FILE *log, Listener *l) {
        char buf[65536];
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(4 * sizeof(int))];
        } control;
        size_t len = 0;
        int nfds = 0;
        l->fd = -1;
        for (;;) {
                struct iovec iov = { .iov_base = buf + len, .iov_len = sizeof(buf) - 1 - len };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control,
                                     .msg_controllen = sizeof(control) };
                ssize_t n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                                int k = (int) ((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
                                for (int i = 0; i < k; i++) {
                                        int fd;
                                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                                        if (l->fd < 0)
                                                l->fd = fd;
                                        else
                                                close(fd);
                                        nfds++;
                                }
                        }
                len += (size_t) n;
                if (len == sizeof(buf) - 1)
                        break;
        }
        buf[len] = 0;
        fprintf(log, "%s fds=%d\n", buf, nfds);
        fflush(log);
        snprintf(l->answer, sizeof(l->answer), "continue");
        const char *m = strstr(buf, "\"metadata\":\"");
        if (m) {
                m += strlen("\"metadata\":\"");
                size_t k = strcspn(m, "\"");
                snprintf(l->answer, sizeof(l->answer), "%.*s", (int) k, m);
        }
        return l->fd;
}

static void answer(Listener *l) {
        struct seccomp_notif *req;
        struct seccomp_notif_resp *resp;
        if (seccomp_notify_alloc(&req, &resp) < 0)
                exit(1);
        if (seccomp_notify_receive(l->fd, req) < 0) {
                /* The process is gone (or the call was interrupted): nothing to answer. */
                seccomp_notify_free(req, resp);
                return;
        }
        resp->id = req->id;
        resp->val = 0;
        resp->error = 0;
        resp->flags = 0;
        int e;
        if (sscanf(l->answer, "errno=%d", &e) == 1)
                resp->error = -e;
        else if (strcmp(l->answer, "ok") != 0)
                resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        (void) seccomp_notify_respond(l->fd, resp);
        seccomp_notify_free(req, resp);
}

int main(int argc, char **argv) {
        if (argc != 3) {
                fprintf(stderr, "usage: %s SOCKET LOG\n", argv[0]);
                return 2;
        }
        FILE *log = fopen(argv[2], "ae");
        int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
        if (!log || sock < 0 || bind(sock, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(sock, 8) < 0) {
                perror("seccomp-agent");
                return 1;
        }
        Listener l[MAX_LISTENERS];
        size_t n = 0;
        for (;;) {
                struct pollfd p[MAX_LISTENERS + 1];
                p[0] = (struct pollfd) { .fd = sock, .events = POLLIN };
                for (size_t i = 0; i < n; i++)
                        p[i + 1] = (struct pollfd) { .fd = l[i].fd, .events = POLLIN };
                if (poll(p, n + 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return 1;
                }
                for (size_t i = n; i > 0; i--) {
                        if (p[i].revents & POLLIN)
                                answer(&l[i - 1]);
                        else if (p[i].revents & (POLLHUP | POLLERR | POLLNVAL)) {
                                /* Every process of that filter is gone. */
                                close(l[i - 1].fd);
                                l[i - 1] = l[--n];
                        }
                }
                if (p[0].revents & POLLIN) {
                        int conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
                        if (conn < 0)
                                continue;
                        if (receive(conn, log, &l[n]) >= 0 && n < MAX_LISTENERS - 1)
                                n++;
                        close(conn);
                }
        }
}
