/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A container's cgroups, on every hierarchy the host mounts. The layout (unified v2, legacy v1,
 * or hybrid: v1 controllers plus a cgroup2 hierarchy that systemd tracks processes in, maybe
 * holding a few controllers of its own) is detected once, when the hierarchies are discovered;
 * after that every operation goes hierarchy by hierarchy, and each resource goes to whichever
 * hierarchy holds its controller, in that hierarchy's syntax (cgroup-v1.c, cgroup-v2.c).
 *
 * Placement (cgroup_resolve):
 *   - inside a systemd unit with Delegate=yes: a leaf below the unit's own cgroup,
 *     "<unit>/<cgroupsPath>" for a relative cgroupsPath, "<unit>/container" otherwise;
 *   - cgroupfs driver: an absolute cgroupsPath as written, a relative one below our own
 *     cgroup, none: "/ctr-launch/<id>";
 *   - systemd driver (--systemd-cgroup): "slice:prefix:name" becomes the transient scope
 *     "prefix-name.scope" in "slice", asked of systemd over sd-bus (cgroup-systemd.c).
 *
 * A Cgroup is recorded in the state dir (cgroup.json) before anything is made, so that delete
 * finds every hierarchy again, whatever happened in between. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "macros.h"
#include "oci-resources.h"

#define CGROUP_FILE "cgroup.json" /* in the state dir */
/* In the state dir too: the path of the container's freezer file (cgroup_freezer_path()), so that
 * list and state tell "paused" without parsing cgroup.json. */
#define CGROUP_FREEZER_FILE "freezer"
#define CGROUP_ROOT_DEFAULT "/sys/fs/cgroup"

typedef enum CgroupLayout {
        CGROUP_LAYOUT_UNIFIED,
        CGROUP_LAYOUT_LEGACY,
        CGROUP_LAYOUT_HYBRID,
        _CGROUP_LAYOUT_MAX,
} CgroupLayout;

const char *cgroup_layout_to_string(CgroupLayout l); /* "unified", "legacy", "hybrid" */
int cgroup_layout_from_string(const char *s);

/* One mounted hierarchy and the container's cgroup in it. */
typedef struct CgroupHierarchy {
        bool v2;
        char *mount;        /* where it is mounted: "/sys/fs/cgroup/memory" */
        char *mount_root;   /* the hierarchy path mounted there (mountinfo's root): usually "/" */
        char **controllers; /* v1: the mount's ("cpu", "cpuacct", "name=systemd");
                             * v2: cgroup.controllers of the mount's root */
        char *own;          /* our own cgroup in it, from /proc/self/cgroup: "/user.slice/..." */
        char *path;         /* the container's cgroup, from the hierarchy's root: "/ctr-launch/ID" */
        char *created;      /* the topmost directory we made for it (removed with it), or NULL */
} CgroupHierarchy;

typedef struct Cgroup {
        CgroupLayout layout;
        CgroupHierarchy *hierarchies;
        size_t n_hierarchies;
        char *systemd_unit;  /* the transient scope we asked systemd for, or NULL */
        char *systemd_slice; /* ... and its slice */
        bool systemd_user;   /* ... on the user's manager */
        bool attached;       /* the container's init was moved in: its processes are there, and
                              * only then does destroy kill what it finds in the cgroup */
        bool shared;         /* the init joined a cgroup that already held processes (a pod's,
                              * named by cgroupsPath): destroy kills nothing in it and leaves it */
        bool may_join;       /* (not recorded) cgroupsPath named the cgroup: one in use is joined,
                              * with a warning, as runc does; the default one in use is refused */
        /* Inside a systemd unit with Delegate=yes: that unit ("ctr@app.service"), its manager,
         * and its cgroup (in the tracking hierarchy). The container's limits are the unit's
         * too: set as its properties over D-Bus (so that systemctl shows them and a reload
         * keeps them); on a v2 hierarchy they are written to the unit's own cgroup files,
         * never to the container's leaf below it, whose parent (the unit's cgroup) holds
         * `create` and `start` and so can enable no controller. v1 limits go to the
         * container's v1 cgroups as well, which v1 allows. */
        char *unit;
        bool unit_user;
        char *unit_cgroup;
} Cgroup;

Cgroup *cgroup_free(Cgroup *cg);
static inline void cgroup_freep(Cgroup **cg) {
        cgroup_free(*cg);
}
#define _cleanup_cgroup_ _cleanup_(cgroup_freep)

/* Finds the hierarchies mounted at or below root (CGROUP_ROOT_DEFAULT in the launcher; tests
 * pass a scratch mount) from /proc/self/mountinfo, their controllers, our own cgroup in each
 * (/proc/self/cgroup), and so the layout. -ENOMEDIUM if there is none. */
int cgroup_discover(const char *root, Cgroup **ret, char **ret_error);

/* Where cgroup (a path from the hierarchy's root) is in our file system. -EXDEV if it is not
 * below the part of the hierarchy mounted there. */
int cgroup_fs_path(const CgroupHierarchy *h, const char *cgroup, char **ret);

/* Fills in every hierarchy's path as the rules above say. Checks cgroupsPath (no "..", no
 * empty component; systemd form with --systemd-cgroup) before anything exists. */
int cgroup_resolve(Cgroup *cg, const char *cgroups_path, const char *id, bool systemd_driver,
                   char **ret_error);

/* Whether each resource asked for has a controller on this host that takes it: checked before
 * the init exists, so that an unenforceable limit fails create with nothing made. */
int cgroup_check_resources(const Cgroup *cg, const OciResources *res, char **ret_error);

/* Makes the container's cgroup in every hierarchy (enabling the v2 controllers it needs on the
 * way down), applies res, and moves pid (the init, forked and still waiting for its
 * configuration) into it. With the systemd driver, systemd makes the scope with pid in it and
 * the paths are filled in from its ControlGroup. On failure, whatever it made is removed
 * again (pid is the caller's to kill), and the paths of hierarchies pid was not moved into are
 * cleared: a later cgroup_destroy then leaves alone a leaf found in use by someone else
 * (-EBUSY), processes and all. */
int cgroup_create(Cgroup *cg, const OciResources *res, pid_t pid, char **ret_error);
/* Applies res (create, update): checked as cgroup_check_resources does, then the properties of
 * the unit whose limits they are (Cgroup.unit, or the systemd driver's scope), then the files.
 * Members not set are left alone. */
int cgroup_apply(const Cgroup *cg, const OciResources *res, char **ret_error);

/* Moves pid into the container's cgroups (exec): where the init was placed in every hierarchy,
 * or, with sub (runc's `exec --cgroup`), into a cgroup below it that must exist: "PATH" in every
 * hierarchy, "CONTROLLER[,CONTROLLER...]:PATH" in the v1 hierarchies of those controllers (and
 * the container's own cgroup in the others). */
int cgroup_enter(const Cgroup *cg, pid_t pid, const char *sub, char **ret_error);

/* Freezer: v1's freezer.state, or v2's cgroup.freeze; waits until the state is reached. */
int cgroup_freeze(const Cgroup *cg, bool freeze, char **ret_error);
/* 1 frozen, 0 not, -errno (-ENOENT: the cgroup is gone). */
int cgroup_is_frozen(const Cgroup *cg);
/* The file whose first line says whether the container's own freezer holds it: v1's
 * freezer.state or v2's cgroup.freeze, as a path of ours; -EOPNOTSUPP if it has no freezer. */
int cgroup_freezer_path(const Cgroup *cg, char **ret);
/* What such a file says: 1 frozen, 0 not, -errno (-ENOENT: the cgroup is gone). */
int cgroup_freezer_path_frozen(const char *path);
/* Whether anything freezes the container's processes, in any hierarchy: its own freezer or an
 * ancestor's (someone else's), v1 or v2. 1, with the directory in *ret_dir (if not NULL); 0. */
int cgroup_frozen_anywhere(const Cgroup *cg, char **ret_dir);
/* Before SIGKILL (delete): undoes whatever freezer holds the container's processes, so that
 * they die (v1 holds even SIGKILL until thawed). Its own freezer is thawed; processes held by
 * an ancestor's v1 freezer, which is not ours to thaw, are moved to the top of the freezer
 * hierarchy (a task that joins a thawed v1 cgroup is thawed), unless the freezer is mounted
 * together with other controllers. A shared cgroup is never thawed: on v1, the container's own
 * processes (the init behind init_pidfd, and its PID namespace's members if it has one of its
 * own) are killed and moved out of it; v2 lets SIGKILL through. init_pidfd may be -1. */
void cgroup_thaw_for_kill(const Cgroup *cg, int init_pidfd);

/* Every PID in the container's cgroup and its descendants (sorted, no duplicates). */
int cgroup_pids(const Cgroup *cg, pid_t **ret, size_t *ret_n, char **ret_error);
/* Sends sig to every process in it, each through a pidfd checked to be still in the cgroup
 * (frozen meanwhile where a freezer exists, so that nothing forks away); SIGKILL goes through
 * v2's cgroup.kill where the kernel has it. */
int cgroup_kill(const Cgroup *cg, int sig, char **ret_error);

typedef struct CgroupStats {
        bool has_memory;
        uint64_t memory_usage, memory_limit, memory_max_usage, memory_failcnt, memory_oom_kills;
        bool has_pids;
        uint64_t pids_current, pids_limit; /* limit 0: none */
        bool has_cpu;
        uint64_t cpu_usage_ns, cpu_user_ns, cpu_system_ns;
} CgroupStats;
int cgroup_stats(const Cgroup *cg, CgroupStats *ret, char **ret_error);

/* Waits (up to timeout_ms) for the cgroup to empty, then removes it, its descendants and the
 * parents we made, in every hierarchy, and stops the transient scope. Missing is fine. */
int cgroup_destroy(Cgroup *cg, unsigned timeout_ms, char **ret_error);

/* cgroup.json <-> struct. */
char *cgroup_to_json(const Cgroup *cg);
int cgroup_from_json(const char *data, Cgroup **ret, char **ret_error);

/* The file a v1 or v2 backend writes, and what: the pure mapping from resources to cgroup
 * files, unit tested. controller is the one the file belongs to ("memory", "cpu", ...; v2 core
 * files have NULL). */
typedef struct CgroupWrite {
        const char *controller;
        char *file;     /* "memory.limit_in_bytes" */
        char *alt_file; /* written instead when file does not exist ("blkio.bfq.weight" on
                         * kernels without CFQ), or NULL */
        char *value;
        char *alt_value; /* written to alt_file, or NULL: value too (io.bfq.weight takes blkio's
                          * 1..1000 where io.weight takes 1..10000) */
} CgroupWrite;

void cgroup_writes_free(CgroupWrite *w, size_t n);
int cgroup_v1_writes(const OciResources *res, CgroupWrite **ret, size_t *ret_n, char **ret_error);
int cgroup_v2_writes(const OciResources *res, CgroupWrite **ret, size_t *ret_n, char **ret_error);
/* The writes are made in order; one refused with EINVAL is retried once after the rest (v1's
 * memory.memsw.limit_in_bytes must stay >= memory.limit_in_bytes at every step, so which of
 * the two goes first depends on the values already there). A resource the layout cannot
 * honour (realtime cpu on v2, say) is refused by the *_writes function, naming the member. */

/* cgroup-v2-devices.c: the eBPF device filter of v2 for res->devices, attached to the cgroup
 * directory dir_fd (replacing any we attached before). */
int cgroup_v2_devices_apply(int dir_fd, const OciDeviceRule *rules, size_t n, char **ret_error);

/* cgroup-systemd.c: the systemd driver. */
/* "slice:prefix:name" -> slice (empty: "system.slice", or "user.slice" on the user's manager)
 * and unit ("prefix-name.scope"; "name.scope" when prefix is empty). NULL cgroups_path: the
 * default slice and "ctr-launch-<id>.scope". Checks every part is a valid unit name. */
int cgroup_systemd_parse_path(const char *cgroups_path, const char *id, bool user, char **ret_slice,
                              char **ret_unit, char **ret_error);
/* StartTransientUnit(unit, "fail", [Slice, Description, Delegate=yes, PIDs=[pid], and the
 * resources systemd has properties for]) on the system bus (or the user's), waits for the job,
 * and returns the unit's ControlGroup ("/system.slice/x.scope"). */
int cgroup_systemd_start_scope(const char *unit, const char *slice, pid_t pid, const OciResources *res,
                               bool user, char **ret_cgroup, char **ret_error);
int cgroup_systemd_stop_unit(const char *unit, bool user, char **ret_error);
/* SetUnitProperties(unit, runtime, [the resources systemd has properties for]): the limits of a
 * container that runs in a delegated unit. With reset, the same properties go back to their
 * defaults (infinity, unset; TasksMax= to the manager's DefaultTasksMax). Nothing to set: 0. */
int cgroup_systemd_set_unit_resources(const char *unit, bool user, const OciResources *res, bool reset,
                                      char **ret_error);
/* Whether unit (a service or scope) has Delegate=yes, asked of its manager: 1 yes, 0 no. */
int cgroup_systemd_unit_delegates(const char *unit, bool user, char **ret_error);
/* The signal systemd stops unit with (its KillSignal=), asked of its manager. */
int cgroup_systemd_unit_kill_signal(const char *unit, bool user, char **ret_error);
/* Undoes, on the container's unit, the limits res set there (delete; see Cgroup.unit). */
int cgroup_unit_reset(const Cgroup *cg, const OciResources *res, char **ret_error);
