/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* process.cwd created and HOME filled in, as runc and crun do (process-defaults.h). */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "errmsg.h"
#include "fd-util.h"
#include "parse-util.h"
#include "path-util.h"
#include "strv.h"
#include "process-defaults.h"

#define PASSWD_SIZE_MAX (4U << 20)

int process_make_cwd(const char *cwd, char **ret_error) {
        /* Only what is missing, as runc's MkdirAll: a cwd that exists (even through a /proc
         * magic link) or that a dangling symlink names is left to the chdir after the user
         * switch, which refuses what resolves outside the root; so is one its root may not
         * search. */
        struct stat st;
        if (stat(cwd, &st) >= 0 || errno != ENOENT)
                return 0;
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return errmsg(ret_error, -errno, "process.cwd: open the container's root");
        int r = mkdir_p_in_root_no_dangling(root, cwd, 0755, NULL);
        if (r == -ENOENT || r == -ELOOP || r == -EACCES || r == -EPERM)
                return 0;
        if (r < 0)
                return errmsg(ret_error, r, "process.cwd: create %s in the container", cwd);
        return 0;
}

/* The home field of uid's first entry ("name:pw:uid:gid:gecos:home:shell"), or NULL. */
static const char *passwd_home(char *passwd, uid_t uid) {
        for (char *line = passwd, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                char *field[7];
                size_t n = 0;
                for (char *s = line; n < ELEMENTSOF(field); n++) {
                        field[n] = s;
                        s = strchr(s, ':');
                        if (!s) {
                                n++;
                                break;
                        }
                        *s++ = 0;
                }
                uint64_t v;
                if (n >= 6 && parse_uint64(field[2], UINT32_MAX - 1, &v) == 0 && (uid_t) v == uid)
                        return field[5];
        }
        return NULL;
}

int process_home_env(const OciProcess *p, char * const *extra_env, char **ret) {
        *ret = NULL;
        if (strv_env_get(p->env, "HOME") || strv_env_get(extra_env, "HOME"))
                return 0;

        /* The container's file, symlinks resolved beneath its root; anything odd about it (not
         * a regular file, too large, unreadable) is "no entry", as for runc. */
        _cleanup_free_ char *passwd = NULL;
        const char *home = NULL;
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), fd = -EBADF;
        struct stat st;
        if (root >= 0 && open_in_root(root, "/etc/passwd", O_RDONLY | O_NONBLOCK | O_NOCTTY, 0, &fd) >= 0 &&
            fstat(fd, &st) >= 0 && S_ISREG(st.st_mode) && read_full_fd(fd, PASSWD_SIZE_MAX, &passwd, NULL) >= 0)
                home = passwd_home(passwd, p->uid);
        if (!home || !*home)
                home = "/";
        if (asprintf(ret, "HOME=%s", home) < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}
