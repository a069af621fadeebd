/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The runtime-spec "features" document (features.md, features-linux.md) of `ctr-launch
 * features`: what this build and host support, read from the tables the parsers use. */

/* The document as indented JSON with a final newline (caller frees), or NULL on out of
 * memory. */
char *runtime_features_json(void);
