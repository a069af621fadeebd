/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The parts of OciConfig parsed by oci-config-extras.c: linux.devices, linux.sysctl,
 * linux.personality and process.ioPriority/scheduler/execCPUAffinity. Plain C types only;
 * included by oci-config.h. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct OciDevice {
        char *path;       /* normalised, below /dev */
        mode_t type;      /* S_IFCHR ("c", "u"), S_IFBLK ("b") or S_IFIFO ("p") */
        unsigned major, minor;
        mode_t file_mode; /* permission bits, 0666 when not given */
        uid_t uid;
        gid_t gid;
} OciDevice;

typedef struct OciIoPriority {
        bool set;
        int class; /* IOPRIO_CLASS_RT 1, BE 2, IDLE 3 */
        int priority; /* 0..7 */
} OciIoPriority;

typedef struct OciScheduler {
        bool set;
        uint32_t policy; /* SCHED_* */
        int32_t nice;
        uint32_t priority;
        uint64_t flags; /* SCHED_FLAG_* */
        uint64_t runtime, deadline, period;
} OciScheduler;

typedef struct OciPersonality {
        bool set;
        unsigned long persona; /* PER_LINUX or PER_LINUX32 */
} OciPersonality;

struct OciConfig;
/* Frees what oci-config-extras.c parsed into the config. */
void oci_config_extras_free(struct OciConfig *c);
