/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mounts[].options -> MS_* flags, propagation and the filesystem's data string. Pure parsing:
 * no mount happens here, so the whole table is unit tested. libc only. */

#include <string.h>
#include <sys/mount.h>

#include "errmsg.h"
#include "mount-opts.h"

/* The kernel copies at most one page of mount data; longer strings would be cut silently. */
#define MOUNT_DATA_MAX 4095

typedef struct FlagOption {
        const char *name;
        unsigned long flags; /* set by the option */
        bool clear;          /* the option clears flags rather than setting them */
} FlagOption;

static const FlagOption flag_options[] = {
        { "defaults",      0,                 false },
        { "ro",            MS_RDONLY,         false },
        { "rw",            MS_RDONLY,         true  },
        { "nosuid",        MS_NOSUID,         false },
        { "suid",          MS_NOSUID,         true  },
        { "nodev",         MS_NODEV,          false },
        { "dev",           MS_NODEV,          true  },
        { "noexec",        MS_NOEXEC,         false },
        { "exec",          MS_NOEXEC,         true  },
        { "sync",          MS_SYNCHRONOUS,    false },
        { "async",         MS_SYNCHRONOUS,    true  },
        { "dirsync",       MS_DIRSYNC,        false },
        { "remount",       MS_REMOUNT,        false },
        { "mand",          MS_MANDLOCK,       false },
        { "nomand",        MS_MANDLOCK,       true  },
        { "noatime",       MS_NOATIME,        false },
        { "atime",         MS_NOATIME,        true  },
        { "nodiratime",    MS_NODIRATIME,     false },
        { "diratime",      MS_NODIRATIME,     true  },
        { "relatime",      MS_RELATIME,       false },
        { "norelatime",    MS_RELATIME,       true  },
        { "strictatime",   MS_STRICTATIME,    false },
        { "nostrictatime", MS_STRICTATIME,    true  },
        { "nosymfollow",   MS_NOSYMFOLLOW,    false },
        { "bind",          MS_BIND,           false },
        { "rbind",         MS_BIND | MS_REC,  false },
};

static const struct {
        const char *name;
        unsigned long flags;
} propagations[] = {
        { "private",     MS_PRIVATE },
        { "rprivate",    MS_PRIVATE | MS_REC },
        { "shared",      MS_SHARED },
        { "rshared",     MS_SHARED | MS_REC },
        { "slave",       MS_SLAVE },
        { "rslave",      MS_SLAVE | MS_REC },
        { "unbindable",  MS_UNBINDABLE },
        { "runbindable", MS_UNBINDABLE | MS_REC },
};

/* Known by name and acted on here, beyond the two tables. */
static const char *const other_options[] = { "rro", "rrw" };

/* Idmapped mounts (mounts[].uidMappings) are not implemented: refused by name, not handed to
 * the filesystem, where a bind mount would ignore them and map nothing. */
static const char *const refused_options[] = { "idmap", "ridmap" };

const char *mount_option_name(size_t i) {
        if (i < ELEMENTSOF(flag_options))
                return flag_options[i].name;
        i -= ELEMENTSOF(flag_options);
        if (i < ELEMENTSOF(propagations))
                return propagations[i].name;
        i -= ELEMENTSOF(propagations);
        return i < ELEMENTSOF(other_options) ? other_options[i] : NULL;
}

bool mount_is_bind(const char *type, char * const *options) {
        if (type && strcmp(type, "bind") == 0)
                return true;
        for (char * const *o = options; o && *o; o++)
                if (strcmp(*o, "bind") == 0 || strcmp(*o, "rbind") == 0)
                        return true;
        return false;
}

int mount_propagation_from_string(const char *s, unsigned long *ret) {
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(propagations); i++)
                if (strcmp(s, propagations[i].name) == 0) {
                        *ret = propagations[i].flags;
                        return 0;
                }
        return -EINVAL;
}

void mount_options_done(MountOptions *o) {
        if (!o)
                return;
        free(o->data);
        *o = (MountOptions) {};
}

static int data_append(char **data, size_t *len, const char *opt) {
        size_t n = strlen(opt), extra = *len > 0 ? 1 : 0;
        if (*len + extra + n > MOUNT_DATA_MAX)
                return -E2BIG;
        char *d = realloc(*data, *len + extra + n + 1);
        if (!d)
                return -ENOMEM;
        if (extra)
                d[(*len)++] = ',';
        memcpy(d + *len, opt, n + 1);
        *len += n;
        *data = d;
        return 0;
}

int mount_options_parse(char * const *options, MountOptions *ret, char **ret_error) {
        _cleanup_(mount_options_done) MountOptions o = {};
        size_t data_len = 0;

        for (char * const *i = options; i && *i; i++) {
                const char *opt = *i;
                bool known = false;

                if (opt[0] == 0)
                        return errmsg_plain(ret_error, -EINVAL, "empty mount option");

                for (size_t k = 0; k < ELEMENTSOF(flag_options); k++) {
                        const FlagOption *f = flag_options + k;
                        if (strcmp(opt, f->name) != 0)
                                continue;
                        /* The last of two contradicting options wins, as with mount(8). */
                        if (f->clear) {
                                o.flags &= ~f->flags;
                                o.clear_flags |= f->flags;
                        } else {
                                o.flags |= f->flags;
                                o.clear_flags &= ~f->flags;
                        }
                        if (f->flags & MS_BIND)
                                o.bind = true;
                        known = true;
                        break;
                }
                if (known)
                        continue;

                unsigned long prop;
                if (mount_propagation_from_string(opt, &prop) == 0) {
                        o.propagation = prop;
                        continue;
                }

                for (size_t k = 0; k < ELEMENTSOF(refused_options); k++)
                        if (strcmp(opt, refused_options[k]) == 0)
                                return errmsg_plain(ret_error, -EOPNOTSUPP,
                                                    "mount option \"%s\": idmapped mounts are not supported by this version of ctr-launch",
                                                    opt);

                if (strcmp(opt, "rro") == 0) {
                        o.recursive_ro = true;
                        continue;
                }
                /* runc's extension, not the filesystem's: podman's --read-only asks it for the
                 * tmpfs on /tmp, /run and /var/tmp. Meaningless on other types, as in runc. */
                if (strcmp(opt, "tmpcopyup") == 0) {
                        o.tmpcopyup = true;
                        continue;
                }
                if (strcmp(opt, "rrw") == 0) {
                        o.recursive_ro = false;
                        o.flags &= ~MS_RDONLY;
                        o.clear_flags |= MS_RDONLY;
                        continue;
                }

                /* Everything else belongs to the filesystem: "mode=755", "size=65536k", ... */
                int r = data_append(&o.data, &data_len, opt);
                if (r == -E2BIG)
                        return errmsg_plain(ret_error, -EINVAL,
                                            "mount option \"%s\": filesystem options longer than %d bytes",
                                            opt, MOUNT_DATA_MAX);
                if (r < 0)
                        return errmsg(ret_error, r, "mount option \"%s\"", opt);
        }

        *ret = o;
        o = (MountOptions) {};
        return 0;
}
