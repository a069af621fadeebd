/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Replays fuzz inputs through a libFuzzer entry point, without libFuzzer: each argument is a
 * file or a directory of files. TAP output, one test per input. */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int n_tests;

static void replay_file(const char *path) {
        FILE *f = fopen(path, "rbe");
        if (!f) {
                printf("not ok %d - %s: cannot open\n", ++n_tests, path);
                exit(1);
        }
        size_t cap = 4096, len = 0, k;
        uint8_t *buf = malloc(cap);
        while (buf && (k = fread(buf + len, 1, cap - len, f)) > 0)
                if ((len += k) == cap)
                        buf = realloc(buf, cap *= 2);
        fclose(f);
        if (!buf)
                abort();
        LLVMFuzzerTestOneInput(buf, len);
        free(buf);
        printf("ok %d - %s\n", ++n_tests, path);
}

int main(int argc, char **argv) {
        for (int i = 1; i < argc; i++) {
                DIR *d = opendir(argv[i]);
                if (!d) {
                        replay_file(argv[i]);
                        continue;
                }
                struct dirent *de;
                while ((de = readdir(d))) {
                        if (de->d_name[0] == '.')
                                continue;
                        char *p = NULL;
                        if (asprintf(&p, "%s/%s", argv[i], de->d_name) < 0)
                                abort();
                        replay_file(p);
                        free(p);
                }
                closedir(d);
        }
        printf("1..%d\n", n_tests);
        return n_tests > 0 ? 0 : 1;
}
