/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container's filesystem, built by the init inside its new mount namespace: propagation,
 * the rootfs bind, config mounts, /dev, the switch of root, then masked and read-only paths.
 * Runs in the init between fork and execve: libc only, no GLib. Every path under the rootfs is
 * resolved inside the rootfs, never through a symlink onto the host. */

#include <stdbool.h>

#include "oci-config.h"

typedef struct RootfsOptions {
        const char *rootfs;  /* absolute host path of the root filesystem */
        const char *bundle;  /* absolute; relative bind-mount sources are relative to it */
        bool no_pivot;       /* --no-pivot: MS_MOVE + chroot instead of pivot_root */
        /* No mount namespace of the container's own: the mounts go into the runtime's, below
         * the rootfs (no propagation change, no rootfs bind), and the switch is a chroot, as
         * runc and crun do. */
        bool runtime_mount_ns;
        bool new_userns;     /* in a user namespace: bind device nodes instead of mknod */
        bool new_cgroupns;   /* a cgroup namespace of its own (rooted at its cgroup) */
        /* Bind mounts of the runtime's own, after the config's (the notify socket's directory
         * for "container" readiness); none when n_extra_mounts is 0. */
        const OciMount *extra_mounts;
        size_t n_extra_mounts;
        const char *own_cgroups; /* /proc/self/cgroup read before joining or making a cgroup
                                  * namespace: the cgroups the "cgroup" mounts show */
        /* linux.mountLabel where SELinux is enabled (context= on what the config mounts but
         * binds, proc, sysfs and cgroups; mqueue's root labelled), else NULL: without SELinux
         * the label means nothing, and runc and crun ignore it too. */
        const char *mount_label;
        /* Called once the mounts are made, right before the switch of root (the hooks that
         * run "before pivot_root"); may be NULL. */
        int (*before_switch)(void *userdata, char **ret_error);
        void *userdata;
        /* NULL, or per config mount the detached clone (open_tree(2)) of its bind source that
         * the caller made with more rights than ours, attached instead of opening the source;
         * -1 where none. Not closed here. */
        const int *mount_fds;
        const int *extra_mount_fds; /* the same for extra_mounts; may be NULL */
} RootfsOptions;

/* Everything up to and including the switch of root: on return the process's / is the
 * container's rootfs and the cwd is "/". Needs a mount namespace of its own, unless
 * runtime_mount_ns. */
int rootfs_setup(const OciConfig *c, const RootfsOptions *o, char **ret_error);
/* After the console exists: maskedPaths, readonlyPaths, root.readonly. MOUNT_LABEL: as
 * RootfsOptions's, for the tmpfs that masks a directory. */
int rootfs_finalize(const OciConfig *c, const char *mount_label, char **ret_error);
