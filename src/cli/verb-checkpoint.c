/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `checkpoint` and `restore`: runc's CRIU verbs, not implemented. They exist so that a caller
 * gets one clear line and a failure, not "unknown command"; whatever the arguments. */

#include "verbs.h"

static int not_supported(const char *name) {
        log_error("%s: not supported: ctr-launch does not checkpoint or restore containers (no CRIU)", name);
        return EXIT_FAILED;
}

int verb_checkpoint(int argc, char **argv, const GlobalOptions *g) {
        return not_supported("checkpoint");
}

int verb_restore(int argc, char **argv, const GlobalOptions *g) {
        return not_supported("restore");
}
