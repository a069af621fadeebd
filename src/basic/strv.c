/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NULL-terminated string vectors (strv.h). libc only. */

#include <stdlib.h>
#include <string.h>

#include "strv.h"

char **strv_free(char **l) {
        if (!l)
                return NULL;
        for (char **i = l; *i; i++)
                free(*i);
        free(l);
        return NULL;
}

size_t strv_length(char * const *l) {
        size_t n = 0;
        if (l)
                while (l[n])
                        n++;
        return n;
}

int strv_consume(char ***l, char *s) {
        if (!s)
                return -ENOMEM;
        size_t n = strv_length(*l);
        char **m = realloc(*l, sizeof(char *) * (n + 2));
        if (!m) {
                free(s);
                return -ENOMEM;
        }
        m[n] = s;
        m[n + 1] = NULL;
        *l = m;
        return 0;
}

int strv_extend(char ***l, const char *s) {
        return strv_consume(l, strdup(s));
}

bool strv_contains(char * const *l, const char *s) {
        if (l)
                for (char * const *i = l; *i; i++)
                        if (strcmp(*i, s) == 0)
                                return true;
        return false;
}

const char *strv_env_get(char * const *l, const char *name) {
        size_t n = strlen(name);
        if (l)
                for (char * const *i = l; *i; i++)
                        if (strncmp(*i, name, n) == 0 && (*i)[n] == '=')
                                return *i + n + 1;
        return NULL;
}

const char *strv_pairs_get(char * const *l, const char *key) {
        const char *v = NULL;
        for (char * const *i = l; i && i[0] && i[1]; i += 2)
                if (strcmp(i[0], key) == 0)
                        v = i[1];
        return v;
}

char *strv_join(char * const *l, const char *sep) {
        size_t n = 1, k = strlen(sep);
        for (char * const *i = l; i && *i; i++)
                n += strlen(*i) + k;
        char *s = malloc(n), *p = s;
        if (!s)
                return NULL;
        *p = 0;
        for (char * const *i = l; i && *i; i++) {
                if (i != l)
                        p = stpcpy(p, sep);
                p = stpcpy(p, *i);
        }
        return s;
}
