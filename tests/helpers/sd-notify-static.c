/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sd-notify-static LINE...: sends the lines, joined by newlines, as one datagram to
 * $NOTIFY_SOCKET, as a container's sd_notify() would. Linked statically so that it runs in a
 * busybox bundle; used by the tests of "container" readiness. Exits 0 once sent. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
        const char *path = getenv("NOTIFY_SOCKET");
        if (!path || !*path) {
                fprintf(stderr, "sd-notify-static: $NOTIFY_SOCKET is not set\n");
                return 2;
        }
        char msg[4096] = "";
        size_t n = 0;
        for (int i = 1; i < argc; i++) {
                int k = snprintf(msg + n, sizeof(msg) - n, "%s%s", i > 1 ? "\n" : "", argv[i]);
                if (k < 0 || (size_t) k >= sizeof(msg) - n) {
                        fprintf(stderr, "sd-notify-static: message too long\n");
                        return 2;
                }
                n += (size_t) k;
        }
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "sd-notify-static: socket path too long\n");
                return 2;
        }
        strcpy(sa.sun_path, path);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = 0;
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || sendto(fd, msg, n, 0, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                fprintf(stderr, "sd-notify-static: send to %s: %s\n", path, strerror(errno));
                return 1;
        }
        return 0;
}
