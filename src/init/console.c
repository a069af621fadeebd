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

#include "errmsg.h"
#include "fd-util.h"
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

/* A pty of the container's own devpts, sized; the peer opened through the master. */
static int pty_open(unsigned height, unsigned width, int *ret_master, int *ret_slave, char **ret_error) {
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
        *ret_master = TAKE_FD(master);
        *ret_slave = TAKE_FD(slave);
        return 0;
}

/* The master to the caller, then the peer as our controlling terminal and stdio. */
static int pty_hand_over(int sock, int master, int slave, char **ret_error) {
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

int console_setup(int sock, unsigned height, unsigned width, char **ret_error) {
        _cleanup_close_ int master = -EBADF, slave = -EBADF;
        int r = pty_open(height, width, &master, &slave, ret_error);
        if (r < 0)
                return r;
        /* /dev/console: an empty file to bind the pty onto, or the image's node. Never a
         * symlink, which would carry the bind elsewhere (CVE-2025-52565), and never opened
         * for I/O (it could be the host's console device): bound through its O_PATH fd. */
        _cleanup_close_ int c = open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (c < 0 && errno == ENOENT) {
                _cleanup_close_ int n = open("/dev/console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (n < 0)
                        return errmsg(ret_error, -errno, "create /dev/console");
                c = open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
        }
        struct stat st;
        if (c < 0 || fstat(c, &st) < 0)
                return errmsg(ret_error, -errno, "open /dev/console");
        if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
                return errmsg_plain(ret_error, -ELOOP, "/dev/console is a %s, not a file or a device: refusing to bind the pty there",
                                    S_ISLNK(st.st_mode) ? "symlink" : "directory or special file");
        char peer[64], target[64];
        snprintf(peer, sizeof(peer), "/proc/self/fd/%d", slave);
        snprintf(target, sizeof(target), "/proc/self/fd/%d", c);
        if (mount(peer, target, NULL, MS_BIND, NULL) < 0)
                return errmsg(ret_error, -errno, "bind the pty onto /dev/console");

        return pty_hand_over(sock, master, slave, ret_error);
}

int console_setup_exec(int sock, unsigned height, unsigned width, char **ret_error) {
        _cleanup_close_ int master = -EBADF, slave = -EBADF;
        int r = pty_open(height, width, &master, &slave, ret_error);
        if (r < 0)
                return r;
        return pty_hand_over(sock, master, slave, ret_error);
}
