/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* <root>/<id>/: where a container's state lives. Owns the layout, the per-id lock (flock on the
 * directory itself, held for the whole of any command that changes the container) and atomic
 * file writes. It knows nothing of what the files contain. */

#include <stdbool.h>

#include "macros.h"

#define STATE_FILE "state.json"
#define EXEC_FIFO "exec.fifo"
#define INIT_PID_FILE "init.pid"
#define HOOKS_FILE "hooks.json" /* the config's hooks, for start and delete */
#define CONFIG_FILE "config.json" /* the config as create read it: what exec starts from */
#define RESOURCES_FILE "resources.json" /* linux.resources as applied last (create, update) */

typedef struct StateDir {
        char *root;
        char *id;
        char *path;  /* <root>/<id> */
        int root_fd;
        int dir_fd;  /* O_DIRECTORY, holds the flock */
} StateDir;

StateDir *state_dir_free(StateDir *d);
static inline void state_dir_freep(StateDir **d) {
        state_dir_free(*d);
}
#define _cleanup_state_dir_ _cleanup_(state_dir_freep)

/* The state root of root's containers, which the system service runs verbs on. */
#define STATE_ROOT_SYSTEM "/run/ctr-launch"

/* The default root: STATE_ROOT_SYSTEM for root, $XDG_RUNTIME_DIR/ctr-launch otherwise. */
int state_root_default(char **ret);

/* Makes <root>/<id>/ (mode 0700) already locked, so no other command ever sees it unlocked
 * and half made. -EEXIST if the id is taken. */
int state_dir_create(const char *root, const char *id, StateDir **ret);
/* Opens an existing <root>/<id>/ and takes the lock: LOCK_EX (waits), or LOCK_SH|LOCK_NB for
 * readers (then *ret_busy tells whether a writer holds it; the reader goes on without it).
 * -ENOENT if there is no such container (or it was deleted while we waited). */
int state_dir_open(const char *root, const char *id, int lock_op, StateDir **ret, bool *ret_busy);
/* Removes the directory and all it holds, however deep; the lock goes with it. The id is free
 * first (the directory is renamed to a hidden name): if its contents cannot all be removed,
 * a warning names what stays, and the id is free anyway. -ESTALE if the directory is no longer
 * <root>/<id>. */
int state_dir_remove(StateDir *d);

/* Writes dir_fd/name atomically: temporary file, fsync, rename. Mode 0600. */
int write_file_atomic_at(int dir_fd, const char *name, const char *data, size_t len);

/* Lists the ids under root (valid ids only), as a strv. Missing root: empty list. */
int state_root_list(const char *root, char ***ret);
