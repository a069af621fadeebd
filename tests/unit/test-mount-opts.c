/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mounts[].options parsing and propagation names. */

#include <glib.h>
#include <string.h>
#include <sys/mount.h>

#include "mount-opts.h"

static void test_flags(void) {
        static const struct {
                const char *options; /* comma-separated here for brevity; parsed as a strv */
                unsigned long flags, clear_flags, propagation;
                bool bind, recursive_ro;
                const char *data;
        } cases[] = {
                { "", 0, 0, 0, false, false, NULL },
                { "ro", MS_RDONLY, 0, 0, false, false, NULL },
                { "rw", 0, MS_RDONLY, 0, false, false, NULL },
                { "ro,rw", 0, MS_RDONLY, 0, false, false, NULL },
                { "rw,ro", MS_RDONLY, 0, 0, false, false, NULL },
                { "nosuid,nodev,noexec", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, 0, false, false, NULL },
                { "suid,dev,exec", 0, MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, false, false, NULL },
                { "sync,dirsync", MS_SYNCHRONOUS | MS_DIRSYNC, 0, 0, false, false, NULL },
                { "async", 0, MS_SYNCHRONOUS, 0, false, false, NULL },
                { "remount,mand", MS_REMOUNT | MS_MANDLOCK, 0, 0, false, false, NULL },
                { "nomand", 0, MS_MANDLOCK, 0, false, false, NULL },
                { "noatime,nodiratime", MS_NOATIME | MS_NODIRATIME, 0, 0, false, false, NULL },
                { "atime,diratime", 0, MS_NOATIME | MS_NODIRATIME, 0, false, false, NULL },
                { "relatime", MS_RELATIME, 0, 0, false, false, NULL },
                { "norelatime", 0, MS_RELATIME, 0, false, false, NULL },
                { "strictatime", MS_STRICTATIME, 0, 0, false, false, NULL },
                { "nostrictatime", 0, MS_STRICTATIME, 0, false, false, NULL },
                { "nosymfollow", MS_NOSYMFOLLOW, 0, 0, false, false, NULL },
                { "defaults", 0, 0, 0, false, false, NULL },
                { "bind", MS_BIND, 0, 0, true, false, NULL },
                { "rbind,ro", MS_BIND | MS_REC | MS_RDONLY, 0, 0, true, false, NULL },
                { "rbind,rprivate", MS_BIND | MS_REC, 0, MS_PRIVATE | MS_REC, true, false, NULL },
                { "shared,slave", 0, 0, MS_SLAVE, false, false, NULL },
                { "runbindable", 0, 0, MS_UNBINDABLE | MS_REC, false, false, NULL },
                { "rro", 0, 0, 0, false, true, NULL },
                { "rro,rrw", 0, MS_RDONLY, 0, false, false, NULL },
                /* The default spec's /dev and /dev/pts. */
                { "nosuid,strictatime,mode=755,size=65536k", MS_NOSUID | MS_STRICTATIME, 0, 0, false, false,
                  "mode=755,size=65536k" },
                { "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5", MS_NOSUID | MS_NOEXEC, 0, 0, false,
                  false, "newinstance,ptmxmode=0666,mode=0620,gid=5" },
                { "size=1m", 0, 0, 0, false, false, "size=1m" },
                /* Near misses of known names belong to the filesystem. */
                { "RO,nosuid=1,private2", 0, 0, 0, false, false, "RO,nosuid=1,private2" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_auto(GStrv) options = cases[i].options[0] ? g_strsplit(cases[i].options, ",", -1)
                                                             : g_new0(char *, 1);
                MountOptions o = {};
                g_autofree char *error = NULL;

                g_test_message("options: \"%s\"", cases[i].options);
                g_assert_cmpint(mount_options_parse(options, &o, &error), ==, 0);
                g_assert_null(error);
                g_assert_cmphex(o.flags, ==, cases[i].flags);
                g_assert_cmphex(o.clear_flags, ==, cases[i].clear_flags);
                g_assert_cmphex(o.propagation, ==, cases[i].propagation);
                g_assert_cmpint(o.bind, ==, cases[i].bind);
                g_assert_cmpint(o.recursive_ro, ==, cases[i].recursive_ro);
                g_assert_cmpstr(o.data, ==, cases[i].data);
                mount_options_done(&o);
                g_assert_null(o.data);
        }
}

/* runc's "tmpcopyup" (podman's --read-only tmpfs mounts) is ours to act on, not the tmpfs's: it
 * must not reach the mount data, where the kernel refuses it (EINVAL). */
static void test_tmpcopyup(void) {
        char *options[] = { (char *) "rw", (char *) "rprivate", (char *) "nosuid", (char *) "nodev",
                            (char *) "tmpcopyup", (char *) "size=64k", NULL };
        MountOptions o = {};
        g_assert_cmpint(mount_options_parse(options, &o, NULL), ==, 0);
        g_assert_true(o.tmpcopyup);
        g_assert_cmphex(o.flags, ==, MS_NOSUID | MS_NODEV);
        g_assert_cmpstr(o.data, ==, "size=64k");
        mount_options_done(&o);

        char *plain[] = { (char *) "size=64k", NULL };
        g_assert_cmpint(mount_options_parse(plain, &o, NULL), ==, 0);
        g_assert_false(o.tmpcopyup);
        mount_options_done(&o);
}

static void test_null_options(void) {
        MountOptions o = { .flags = 42 };
        g_assert_cmpint(mount_options_parse(NULL, &o, NULL), ==, 0);
        g_assert_cmphex(o.flags, ==, 0);
        g_assert_null(o.data);
}

static void test_bad_options(void) {
        /* An empty option, and filesystem data longer than the page the kernel copies. */
        char *empty[] = { (char *) "ro", (char *) "", NULL };
        MountOptions o = { .flags = 42 };
        g_autofree char *error = NULL;
        g_assert_cmpint(mount_options_parse(empty, &o, &error), ==, -EINVAL);
        g_assert_nonnull(error);
        g_assert_cmphex(o.flags, ==, 42); /* untouched on failure */

        g_autofree char *big = g_strnfill(3000, 'x');
        char *huge[] = { big, big, NULL };
        g_autofree char *error2 = NULL;
        g_assert_cmpint(mount_options_parse(huge, &o, &error2), ==, -EINVAL);
        g_assert_nonnull(strstr(error2, "longer than"));
        g_assert_cmphex(o.flags, ==, 42);

        /* Without ret_error, failure is still reported. */
        g_assert_cmpint(mount_options_parse(empty, &o, NULL), ==, -EINVAL);
}

static void test_propagation(void) {
        static const struct {
                const char *s;
                int r;
                unsigned long flags;
        } cases[] = {
                { "private", 0, MS_PRIVATE },         { "rprivate", 0, MS_PRIVATE | MS_REC },
                { "shared", 0, MS_SHARED },           { "rshared", 0, MS_SHARED | MS_REC },
                { "slave", 0, MS_SLAVE },             { "rslave", 0, MS_SLAVE | MS_REC },
                { "unbindable", 0, MS_UNBINDABLE },   { "runbindable", 0, MS_UNBINDABLE | MS_REC },
                { "", -EINVAL, 0 },                   { "bogus", -EINVAL, 0 },
                { "Private", -EINVAL, 0 },            { "rslave ", -EINVAL, 0 },
                { "ro", -EINVAL, 0 },                 { "recursive", -EINVAL, 0 },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                unsigned long flags = 0xdead;
                g_assert_cmpint(mount_propagation_from_string(cases[i].s, &flags), ==, cases[i].r);
                g_assert_cmphex(flags, ==, cases[i].r == 0 ? cases[i].flags : 0xdead);
        }
        unsigned long flags = 0xdead;
        g_assert_cmpint(mount_propagation_from_string(NULL, &flags), ==, -EINVAL);
        g_assert_cmphex(flags, ==, 0xdead);
}

/* Which mounts create clones the source of, and the init expects a clone for: they must agree
 * with mount_options_parse()'s "bind". */
static void test_is_bind(void) {
        char *bind[] = { (char *) "ro", (char *) "bind", NULL };
        char *rbind[] = { (char *) "rbind", NULL };
        char *none[] = { (char *) "nosuid", (char *) "binding", NULL };
        g_assert_true(mount_is_bind("bind", NULL));
        g_assert_true(mount_is_bind(NULL, bind));
        g_assert_true(mount_is_bind("none", rbind));
        g_assert_false(mount_is_bind("tmpfs", none));
        g_assert_false(mount_is_bind(NULL, NULL));
        char **all[] = { bind, rbind, none };
        for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
                MountOptions o = {};
                g_assert_cmpint(mount_options_parse(all[i], &o, NULL), ==, 0);
                g_assert_cmpint(o.bind, ==, mount_is_bind(NULL, all[i]));
                mount_options_done(&o);
        }
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/mount-opts/flags", test_flags);
        g_test_add_func("/mount-opts/null", test_null_options);
        g_test_add_func("/mount-opts/tmpcopyup", test_tmpcopyup);
        g_test_add_func("/mount-opts/bad", test_bad_options);
        g_test_add_func("/mount-opts/propagation", test_propagation);
        g_test_add_func("/mount-opts/is-bind", test_is_bind);
        return g_test_run();
}
