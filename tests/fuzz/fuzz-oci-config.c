/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the config parser: json-guard and oci_config_parse() on arbitrary bytes.
 * Nothing may crash, leak or trip a sanitizer; a refusal is one line; and what is accepted must
 * survive the round trips the runtime relies on:
 *   - the document re-serialized by json-glib parses to the same config (a tool that rewrites
 *     config.json, or our own JSON on its way somewhere, changes its form, never its meaning);
 *   - linux.resources and the hooks, written back by oci_resources_to_json() and
 *     oci_hooks_to_json() (what create records in the state dir for update, events, start and
 *     delete), read back by their own parsers to the same JSON.
 * The configs are compared through dump_config(), a text form of every member.
 * Built as a fuzzer with -Dfuzzing=true under clang; otherwise replay.c replays the corpus as an
 * ordinary test. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "oci-config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void dump_strv(FILE *f, const char *name, char **l) {
        fprintf(f, "%s:", name);
        for (size_t i = 0; l && l[i]; i++)
                fprintf(f, " [%s]", l[i]);
        fputc('\n', f);
}

static void dump_str(FILE *f, const char *name, const char *s) {
        fprintf(f, "%s: %s%s%s\n", name, s ? "[" : "", s ?: "(null)", s ? "]" : "");
}

static void dump_process(FILE *f, const OciProcess *p) {
        fprintf(f, "terminal %d %ux%u\n", p->terminal, p->console_height, p->console_width);
        dump_strv(f, "args", p->args);
        dump_strv(f, "env", p->env);
        dump_str(f, "cwd", p->cwd);
        fprintf(f, "user %u:%u groups", (unsigned) p->uid, (unsigned) p->gid);
        for (size_t i = 0; i < p->n_additional_gids; i++)
                fprintf(f, " %u", (unsigned) p->additional_gids[i]);
        /* Values whose has_/set flag is false are not part of the config (and not always set). */
        fprintf(f, "\numask %o\n", p->has_umask ? (unsigned) p->umask : ~0U);
        for (size_t i = 0; i < p->n_rlimits; i++)
                fprintf(f, "rlimit %d %llu %llu\n", p->rlimits[i].resource,
                        (unsigned long long) p->rlimits[i].soft, (unsigned long long) p->rlimits[i].hard);
        fprintf(f, "nnp %d oom %d caps", p->no_new_privileges, p->has_oom_score_adj ? p->oom_score_adj : -1001);
        for (size_t i = 0; p->has_capabilities && i < _CAP_SET_MAX; i++)
                fprintf(f, " %llx", (unsigned long long) p->capabilities[i]);
        fputc('\n', f);
        dump_str(f, "apparmor", p->apparmor_profile);
        dump_str(f, "selinux", p->selinux_label);
        if (p->io_priority.set)
                fprintf(f, "ioprio %d %d\n", p->io_priority.class, p->io_priority.priority);
        if (p->scheduler.set)
                fprintf(f, "sched %u %d %u %llu %llu %llu %llu\n", p->scheduler.policy, p->scheduler.nice,
                        p->scheduler.priority, (unsigned long long) p->scheduler.flags,
                        (unsigned long long) p->scheduler.runtime, (unsigned long long) p->scheduler.deadline,
                        (unsigned long long) p->scheduler.period);
        dump_str(f, "affinity initial", p->cpu_affinity_initial);
        dump_str(f, "affinity final", p->cpu_affinity_final);
}

static void dump_mappings(FILE *f, const char *name, const OciIdMapping *m, size_t n) {
        fprintf(f, "%s:", name);
        for (size_t i = 0; i < n; i++)
                fprintf(f, " %u-%u-%u", m[i].container_id, m[i].host_id, m[i].size);
        fputc('\n', f);
}

static void dump_seccomp(FILE *f, const OciSeccomp *s) {
        if (!s) {
                fputs("seccomp: none\n", f);
                return;
        }
        fprintf(f, "seccomp %x flags %x arches", s->default_action, s->flags);
        for (size_t i = 0; i < s->n_architectures; i++)
                fprintf(f, " %x", s->architectures[i]);
        fputc('\n', f);
        for (size_t i = 0; i < s->n_syscalls; i++) {
                const OciSeccompSyscall *sc = s->syscalls + i;
                fprintf(f, "syscall %x", sc->action);
                dump_strv(f, "", sc->names);
                for (size_t j = 0; j < sc->n_args; j++)
                        fprintf(f, " arg %u %d %llx %llx\n", sc->args[j].index, sc->args[j].op,
                                (unsigned long long) sc->args[j].value, (unsigned long long) sc->args[j].value_two);
        }
}

/* Every member of the config, as text: two configs are the same if their dumps are. Resources
 * and hooks in the JSON their own writers make. */
static char *dump_config(const OciConfig *c) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                abort();
        dump_str(f, "ociVersion", c->oci_version);
        fprintf(f, "root [%s] ro %d\n", c->root_path, c->root_readonly);
        dump_str(f, "hostname", c->hostname);
        dump_str(f, "domainname", c->domainname);
        dump_process(f, &c->process);
        for (size_t i = 0; i < c->n_mounts; i++) {
                dump_str(f, "mount", c->mounts[i].destination);
                dump_str(f, " type", c->mounts[i].type);
                dump_str(f, " source", c->mounts[i].source);
                dump_strv(f, " options", c->mounts[i].options);
        }
        dump_strv(f, "annotations", c->annotations);
        for (size_t i = 0; i < c->n_namespaces; i++)
                fprintf(f, "namespace %s [%s]\n", namespace_type_to_string(c->namespaces[i].type),
                        c->namespaces[i].path ?: "new");
        dump_strv(f, "maskedPaths", c->masked_paths);
        dump_strv(f, "readonlyPaths", c->readonly_paths);
        dump_str(f, "rootfsPropagation", c->rootfs_propagation);
        dump_str(f, "cgroupsPath", c->cgroups_path);
        dump_str(f, "mountLabel", c->mount_label);
        for (size_t i = 0; i < c->n_devices; i++) {
                const OciDevice *d = c->devices + i;
                fprintf(f, "device [%s] %o %u:%u %o %u:%u\n", d->path, (unsigned) d->type, d->major, d->minor,
                        (unsigned) d->file_mode, (unsigned) d->uid, (unsigned) d->gid);
        }
        dump_strv(f, "sysctl", c->sysctl);
        if (c->personality.set)
                fprintf(f, "personality %lx\n", c->personality.persona);
        dump_mappings(f, "uidMappings", c->uid_mappings, c->n_uid_mappings);
        dump_mappings(f, "gidMappings", c->gid_mappings, c->n_gid_mappings);
        if (c->monotonic_offset.set)
                fprintf(f, "monotonic offset %lld %u\n", (long long) c->monotonic_offset.secs,
                        c->monotonic_offset.nanosecs);
        if (c->boottime_offset.set)
                fprintf(f, "boottime offset %lld %u\n", (long long) c->boottime_offset.secs,
                        c->boottime_offset.nanosecs);
        dump_seccomp(f, c->seccomp);
        char *resources = c->resources ? oci_resources_to_json(c->resources) : NULL;
        char *hooks = oci_hooks_to_json(&c->hooks);
        if ((c->resources && !resources) || !hooks)
                abort();
        dump_str(f, "resources", resources);
        dump_str(f, "hooks", hooks);
        free(resources);
        free(hooks);
        if (fclose(f) != 0)
                abort();
        return buf;
}

/* oci_resources_to_json() and back: the same JSON. */
static void check_resources_round_trip(const OciResources *r) {
        char *json = oci_resources_to_json(r), *error = NULL, *again;
        OciResources *back = NULL;
        if (!json)
                abort();
        if (oci_resources_parse(json, strlen(json), &back, &error) < 0)
                abort(); /* the runtime cannot read back what it recorded */
        again = oci_resources_to_json(back);
        if (!again || strcmp(json, again) != 0)
                abort();
        free(again);
        oci_resources_free(back);
        free(json);
}

/* oci_hooks_to_json() and back: the same JSON. */
static void check_hooks_round_trip(const OciHooks *h) {
        char *json = oci_hooks_to_json(h), *error = NULL, *again;
        OciHooks back = {};
        if (!json)
                abort();
        if (oci_hooks_from_json(json, &back, &error) < 0)
                abort(); /* start and delete cannot read back what create recorded */
        again = oci_hooks_to_json(&back);
        if (!again || strcmp(json, again) != 0)
                abort();
        free(again);
        oci_hooks_done(&back);
        free(json);
}

/* The document as json-glib writes it. NULL if json-glib cannot read it, which cannot be for a
 * document oci_config_parse() accepted: it reads with json-glib too. */
static char *reserialize(const uint8_t *data, size_t size) {
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        if (!json_parser_load_from_data(parser, (const char *) data, (gssize) size, NULL))
                return NULL;
        JsonNode *root = json_parser_get_root(parser);
        if (!root)
                return NULL;
        g_autofree char *s = json_to_string(root, false);
        return s ? strdup(s) : NULL;
}

static void check_reserialized(const uint8_t *data, size_t size, const OciConfig *c) {
        char *doc = reserialize(data, size), *error = NULL;
        OciConfig *again = NULL;
        if (!doc)
                abort();
        if (oci_config_parse(doc, strlen(doc), &again, &error) < 0) {
                /* Accepted as written, refused as json-glib writes it. */
                fprintf(stderr, "re-serialized:\n%s\nrefused: %s\n", doc, error);
                abort();
        }
        char *want = dump_config(c), *got = dump_config(again);
        if (strcmp(want, got) != 0) {
                /* The same document, another config. */
                fprintf(stderr, "as written:\n%s\nre-serialized:\n%s\n", want, got);
                abort();
        }
        free(want);
        free(got);
        oci_config_free(again);
        free(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        OciConfig *c = NULL;
        char *error = NULL;
        if (oci_config_parse((const char *) data, size, &c, &error) >= 0) {
                if (error)
                        abort(); /* success never leaves an error behind */
                if (!c->process.args || !c->process.args[0] || !c->root_path)
                        abort(); /* what validation promises later code */
                if (c->resources)
                        check_resources_round_trip(c->resources);
                check_hooks_round_trip(&c->hooks);
                check_reserialized(data, size, c);
                oci_config_free(c);
        } else {
                if (!error || strchr(error, '\n'))
                        abort(); /* every refusal is one line */
                free(error);
        }
        return 0;
}
