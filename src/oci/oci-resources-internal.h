/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by oci-config-resources.c (parsing) and oci-resources.c (merge, JSON, emptiness):
 * the table of OciResources' scalar members. Nothing else includes this. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci-resources.h"

typedef enum ScalarKind {
        SCALAR_INT64,
        SCALAR_UINT64,
        SCALAR_UINT32,
        SCALAR_UINT16,
        SCALAR_BOOL,
} ScalarKind;

typedef struct Scalar {
        const char *section, *name;
        ScalarKind kind;
        int64_t min, max;
        const char *expect; /* what the error says the value must be; NULL: the range */
        size_t has, value;  /* offsets in OciResources */
} Scalar;

#define SCALAR(sec, nm, k, lo, hi, exp, h, v) \
        { sec, nm, k, lo, hi, exp, offsetof(OciResources, h), offsetof(OciResources, v) }

extern const Scalar oci_resource_scalars[];
extern const size_t oci_resource_n_scalars;
/* The objects of linux.resources holding scalars, in the order of the JSON we write. */
extern const char *const oci_resource_sections[];
extern const size_t oci_resource_n_sections;

bool scalar_has(const OciResources *r, const Scalar *s);
int64_t scalar_get(const OciResources *r, const Scalar *s);
/* Sets the value and its has_* flag. */
void scalar_set(OciResources *r, const Scalar *s, int64_t v);
