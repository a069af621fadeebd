/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `spec [--bundle DIR] [--rootless]`: writes a default config.json that `run` accepts as is. */

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "fd-util.h"
#include "oci-config.h"
#include "verbs.h"

int verb_spec(int argc, char **argv, const GlobalOptions *g) {
        const Verb *v = verb_find("spec");
        static const struct option options[] = {
                { "bundle", required_argument, NULL, 'b' },
                { "rootless", no_argument, NULL, 'r' },
                {}
        };
        const char *bundle = ".";
        bool rootless = false;
        int c, r;

        if ((r = cli_options_first(argc, argv, "+b:", options, 0)) != 0)
                return r;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+b:", options, NULL)) >= 0)
                switch (c) {
                case 'b':
                        bundle = optarg;
                        break;
                case 'r':
                        rootless = true;
                        break;
                default:
                        return cli_usage_error(v, "unknown or incomplete option \"%s\"", argv[optind - 1]);
                }
        if (optind < argc)
                return cli_usage_error(v, "unexpected argument \"%s\"", argv[optind]);

        _cleanup_close_ int dfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return cli_failf(-errno, "bundle %s", bundle);
        _cleanup_free_ char *json = oci_config_default_json(rootless);
        if (!json)
                return cli_failf(-ENOMEM, "make the default config");

        /* O_EXCL: never overwrite an admin's config. */
        _cleanup_close_ int fd = openat(dfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0 && errno == EEXIST)
                return cli_failf(0, "%s/config.json already exists (remove it first)", bundle);
        if (fd < 0)
                return cli_failf(-errno, "%s/config.json", bundle);
        r = write_all(fd, json, strlen(json));
        if (r < 0)
                return cli_failf(r, "write %s/config.json", bundle);
        return EXIT_OK;
}
