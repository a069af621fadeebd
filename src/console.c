/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The console socket and the container's pty. Init side: libc only. */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>

#include "basic/errmsg.h"
#include "basic/fd-util.h"
#include "console.h"

int console_socket_connect(const char *path, int *ret_fd) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int console_setup(int sock, unsigned height, unsigned width, char **ret_error) {
        _cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return errmsg(ret_error, -errno, "open /dev/ptmx");
        if (unlockpt(master) < 0)
                return errmsg(ret_error, -errno, "unlockpt");

        /* TIOCGPTPEER opens the peer through the master, not by a path that a rootfs could
         * have replaced with something else. */
        _cleanup_close_ int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return errmsg(ret_error, -errno, "open the pty peer");

        if (height > 0 && width > 0) {
                struct winsize ws = { .ws_row = (unsigned short) height, .ws_col = (unsigned short) width };
                if (ioctl(master, TIOCSWINSZ, &ws) < 0)
                        return errmsg(ret_error, -errno, "set the console size");
        }

        /* /dev/console: an empty file to bind the pty onto. */
        _cleanup_close_ int c = open("/dev/console", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (c < 0 && errno != EEXIST)
                return errmsg(ret_error, -errno, "create /dev/console");
        char peer[64];
        snprintf(peer, sizeof(peer), "/proc/self/fd/%d", slave);
        if (mount(peer, "/dev/console", NULL, MS_BIND, NULL) < 0)
                return errmsg(ret_error, -errno, "bind the pty onto /dev/console");

        int r = send_fd(sock, master);
        if (r < 0)
                return errmsg(ret_error, r, "send the pty master over the console socket");

        if (setsid() < 0 && errno != EPERM)
                return errmsg(ret_error, -errno, "setsid");
        if (ioctl(slave, TIOCSCTTY, 0) < 0)
                return errmsg(ret_error, -errno, "make the pty the controlling terminal");
        for (int i = 0; i < 3; i++)
                if (dup2(slave, i) < 0)
                        return errmsg(ret_error, -errno, "dup2 the pty to fd %d", i);
        return 0;
}
