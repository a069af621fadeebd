/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The control socket's request and reply: strict parsing, formatting, and the mapping between a
 * verb's command line and a request. Untrusted input on the server side: every member is
 * checked for its type, unknown members and members that do not belong to the verb are
 * refused, and json-guard has seen the text before json-glib does. */

#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "errmsg.h"
#include "getopt-util.h"
#include "fd-util.h"
#include "strv.h"
#include "container.h"
#include "control-request.h"
#include "json-util.h"

static const char *const verb_names[_CONTROL_VERB_MAX] = {
        [CONTROL_START] = "start",
        [CONTROL_KILL] = "kill",
        [CONTROL_DELETE] = "delete",
        [CONTROL_STATE] = "state",
        [CONTROL_LIST] = "list",
        [CONTROL_EXEC] = "exec",
};

static const char *const verb_actions[_CONTROL_VERB_MAX] = {
        [CONTROL_START] = CONTROL_ACTION_PREFIX "start",
        [CONTROL_KILL] = CONTROL_ACTION_PREFIX "stop",
        [CONTROL_DELETE] = CONTROL_ACTION_PREFIX "delete",
        [CONTROL_STATE] = CONTROL_ACTION_PREFIX "manage",
        [CONTROL_LIST] = CONTROL_ACTION_PREFIX "manage",
        [CONTROL_EXEC] = CONTROL_ACTION_PREFIX "exec",
};

const char *control_verb_to_string(ControlVerb v) {
        return v >= 0 && v < _CONTROL_VERB_MAX ? verb_names[v] : NULL;
}

ControlVerb control_verb_from_string(const char *s) {
        for (int v = 0; v < _CONTROL_VERB_MAX; v++)
                if (s && strcmp(verb_names[v], s) == 0)
                        return v;
        return _CONTROL_VERB_INVALID;
}

const char *control_verb_action(ControlVerb v) {
        return v >= 0 && v < _CONTROL_VERB_MAX ? verb_actions[v] : NULL;
}

/* ---- request: JSON -> struct ------------------------------------------------------------ */

/* Which members each verb takes, besides "verb" and "interactive". */
static bool member_allowed(ControlVerb v, const char *name) {
        if (strcmp(name, "verb") == 0 || strcmp(name, "interactive") == 0)
                return true;
        if (strcmp(name, "id") == 0)
                return v != CONTROL_LIST;
        if (strcmp(name, "signal") == 0 || strcmp(name, "all") == 0 || strcmp(name, "wait") == 0)
                return v == CONTROL_KILL;
        if (strcmp(name, "force") == 0)
                return v == CONTROL_DELETE;
        if (strcmp(name, "format") == 0 || strcmp(name, "quiet") == 0)
                return v == CONTROL_LIST;
        static const char *const exec_members[] = {
                "args", "process", "tty", "cwd", "env", "uid", "gid", "additional_gids", "cap",
                "no_new_privs", "detach", "ignore_paused", "console", "cgroup",
        };
        for (size_t i = 0; i < ELEMENTSOF(exec_members); i++)
                if (strcmp(name, exec_members[i]) == 0)
                        return v == CONTROL_EXEC;
        return false;
}

/* The request's members, with the request's own wording for what is wrong. JSON null is no
 * value here: a strict peer never sends one. */
static int member_bool(JsonObject *o, const char *name, bool *ret, char **ret_error) {
        int r = json_get_bool(o, name, NULL, false, ret, NULL);
        if (r == -EINVAL)
                return errmsg_plain(ret_error, r, "request member \"%s\" must be true or false", name);
        return r;
}

static int member_string(JsonObject *o, const char *name, char **ret, char **ret_error) {
        int r = json_get_string(o, name, NULL, false, ret, NULL);
        if (r == -EINVAL)
                return errmsg_plain(ret_error, r, "request member \"%s\" must be a string", name);
        return r;
}

static int parse_line(const char *what, const char *line, size_t size, const char *not_object,
                      JsonParser **ret_parser, JsonObject **ret, char **ret_error) {
        _cleanup_free_ char *invalid = NULL;
        if (asprintf(&invalid, "%s is not valid JSON", what) < 0)
                return -ENOMEM;
        int r = json_parse_object(line, size, invalid, not_object, ret_parser, ret, ret_error);
        if (r < 0)
                return r;
        JsonObjectIter it;
        const char *name;
        JsonNode *n;
        json_object_iter_init(&it, *ret);
        while (json_object_iter_next(&it, &name, &n))
                if (JSON_NODE_HOLDS_NULL(n))
                        return errmsg_plain(ret_error, -EINVAL, "%s member \"%.32s\" must not be null", what, name);
        return 0;
}

/* A string that goes on a command line as one argument: no NUL (json-guard), no newline. */
static const char *check_arg(const char *s) {
        return strpbrk(s, "\n\r") ? "must not contain a newline" : NULL;
}

static const char *check_env(const char *s) {
        if (!strchr(s, '=') || *s == '=')
                return "must be NAME=VALUE";
        return check_arg(s);
}

static const char *check_cap(const char *s) {
        if (strlen(s) > 64 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789abcdefghijklmnopqrstuvwxyz") != strlen(s))
                return "must be a capability name";
        return NULL;
}

static int member_uint32(JsonObject *o, const char *name, bool *ret_has, uint32_t *ret, char **ret_error) {
        int64_t v;
        int r = json_get_int(o, name, NULL, false, 0, UINT32_MAX - 1, &v, NULL);
        if (r < 0)
                return errmsg_plain(ret_error, -EINVAL, "request member \"%s\" must be a number from 0 to %u", name,
                                    UINT32_MAX - 1);
        if (r > 0) {
                *ret_has = true;
                *ret = (uint32_t) v;
        }
        return 0;
}

static int member_path(JsonObject *o, const char *name, char **ret, char **ret_error) {
        int r = member_string(o, name, ret, ret_error);
        if (r > 0 && (!**ret || check_arg(*ret)))
                return errmsg_plain(ret_error, -EINVAL, "request member \"%s\" must be a path on one line", name);
        return r < 0 ? r : 0;
}

/* An array of strings; the error names the member and what is wrong, not the value (which may
 * hold the newline that makes it wrong). */
static int member_strv(JsonObject *o, const char *name, const char *(*check)(const char *s), char ***ret,
                       char **ret_error) {
        _cleanup_free_ char *path = NULL, *error = NULL;
        if (asprintf(&path, "request member \"%s\"", name) < 0)
                return -ENOMEM;
        int r = json_get_strv(o, name, path, check, ret, &error);
        if (r < 0 && error) {
                /* "<path>[i]: <why>: \"<value>\"": the value goes. */
                char *why = strstr(error, "]: "), *value = why ? strstr(why + 3, ": \"") : NULL;
                if (value)
                        *value = '\0';
                return errmsg_plain(ret_error, r, "%s", error);
        }
        return r;
}

/* exec's members: each checked for its type and for what the command line that carries it can
 * hold; what they mean is checked by exec itself, as for root's own `ctr-launch exec`. */
static int exec_parse(JsonObject *o, ControlExec *e, char **ret_error) {
        JsonArray *a;
        int r;

        e->tty = -1;
        if ((r = member_strv(o, "args", check_arg, &e->args, ret_error)) < 0 ||
            (r = member_strv(o, "env", check_env, &e->env, ret_error)) < 0 ||
            (r = member_strv(o, "cap", check_cap, &e->caps, ret_error)) < 0 ||
            (r = member_string(o, "process", &e->process, ret_error)) < 0 ||
            (r = member_path(o, "cwd", &e->cwd, ret_error)) < 0 ||
            (r = member_path(o, "cgroup", &e->cgroup, ret_error)) < 0 ||
            (r = member_uint32(o, "uid", &e->has_uid, &e->uid, ret_error)) < 0 ||
            (r = member_uint32(o, "gid", &e->has_gid, &e->gid, ret_error)) < 0 ||
            (r = member_bool(o, "no_new_privs", &e->no_new_privs, ret_error)) < 0 ||
            (r = member_bool(o, "detach", &e->detach, ret_error)) < 0 ||
            (r = member_bool(o, "ignore_paused", &e->ignore_paused, ret_error)) < 0 ||
            (r = member_bool(o, "console", &e->console, ret_error)) < 0)
                return r;
        if (json_member(o, "tty")) {
                bool tty;
                if ((r = member_bool(o, "tty", &tty, ret_error)) < 0)
                        return r;
                e->tty = tty;
        }
        if (e->has_gid && !e->has_uid)
                return errmsg_plain(ret_error, -EINVAL, "request member \"gid\" needs \"uid\"");
        r = json_get_array(o, "additional_gids", NULL, false, &a, NULL);
        if (r < 0)
                return errmsg_plain(ret_error, -EINVAL, "request member \"additional_gids\" must be an array");
        if (r > 0) {
                unsigned n = json_array_get_length(a);
                if (n > 64)
                        return errmsg_plain(ret_error, -EINVAL, "request member \"additional_gids\" has more than 64");
                if (n > 0 && !(e->gids = calloc(n, sizeof(uint32_t))))
                        return -ENOMEM;
                for (unsigned i = 0; i < n; i++) {
                        int64_t v;
                        if (json_int_in_range(json_array_get_element(a, i), NULL, 0, UINT32_MAX - 1, &v, NULL) < 0)
                                return errmsg_plain(ret_error, -EINVAL, "request member \"additional_gids\" must hold group numbers");
                        e->gids[e->n_gids++] = (uint32_t) v;
                }
        }
        if (e->process) {
                if (e->args)
                        return errmsg_plain(ret_error, -EINVAL, "request has both \"process\" and \"args\"");
                if (strlen(e->process) > CONTROL_PROCESS_MAX)
                        return errmsg_plain(ret_error, -EINVAL, "request member \"process\" is larger than %u bytes",
                                            CONTROL_PROCESS_MAX);
                /* Strict JSON, an object: exec parses what it means. */
                g_autoptr(JsonParser) parser = NULL;
                JsonObject *po;
                _cleanup_free_ char *error = NULL;
                if (json_parse_object(e->process, strlen(e->process), "request member \"process\" is not valid JSON",
                                      "request member \"process\" must be a JSON object", &parser, &po, &error) < 0)
                        return errmsg_plain(ret_error, -EINVAL, "%s", error ?: "request member \"process\" is invalid");
        } else if (!e->args || !e->args[0] || !e->args[0][0])
                return errmsg_plain(ret_error, -EINVAL, "request has no command (\"args\") and no \"process\"");
        return 0;
}

void control_request_done(ControlRequest *r) {
        ControlExec *e = &r->exec;
        strv_free(e->args);
        strv_free(e->env);
        strv_free(e->caps);
        free(e->process);
        free(e->cwd);
        free(e->cgroup);
        free(e->gids);
        free(e->client_console_socket);
        free(e->client_pid_file);
        *e = (ControlExec) { .tty = -1 };
}

int control_request_parse(const char *line, size_t size, ControlRequest *ret, char **ret_error) {
        if (size > CONTROL_REQUEST_MAX)
                return errmsg_plain(ret_error, -E2BIG, "request longer than %d bytes", CONTROL_REQUEST_MAX);
        g_autoptr(JsonParser) parser = NULL;
        JsonObject *o;
        int r = parse_line("request", line, size, "request must be a JSON object", &parser, &o, ret_error);
        if (r < 0)
                return r;

        ControlRequest req = { .verb = _CONTROL_VERB_INVALID };
        _cleanup_free_ char *verb = NULL, *id = NULL, *format = NULL;
        if ((r = member_string(o, "verb", &verb, ret_error)) < 0)
                return r;
        if (!verb)
                return errmsg_plain(ret_error, -EINVAL, "request has no \"verb\"");
        req.verb = control_verb_from_string(verb);
        if (req.verb < 0)
                return errmsg_plain(ret_error, -EINVAL, "request verb \"%.32s\" is not one of start, kill, delete, state, list, exec", verb);

        g_autoptr(GList) members = json_object_get_members(o);
        for (GList *m = members; m; m = m->next)
                if (!member_allowed(req.verb, m->data))
                        return errmsg_plain(ret_error, -EINVAL, "request member \"%.32s\" is not known for %s",
                                            (const char *) m->data, verb_names[req.verb]);

        if (req.verb != CONTROL_LIST) {
                if ((r = member_string(o, "id", &id, ret_error)) < 0)
                        return r;
                if (!id)
                        return errmsg_plain(ret_error, -EINVAL, "request has no container \"id\"");
                if (!container_id_is_valid(id))
                        return errmsg_plain(ret_error, -EINVAL, "request has an invalid container id");
                strcpy(req.id, id);
        }

        int64_t sig;
        r = json_get_int(o, "signal", NULL, false, 1, SIGRTMAX, &sig, NULL);
        if (r == -ERANGE && json_holds(json_member(o, "signal"), G_TYPE_INT64))
                return errmsg_plain(ret_error, -EINVAL, "request member \"signal\" is out of range");
        if (r < 0)
                return errmsg_plain(ret_error, -EINVAL, "request member \"signal\" must be a signal number");
        if (r > 0)
                req.signal = (int) sig;
        if ((r = member_string(o, "format", &format, ret_error)) < 0)
                return r;
        if (format) {
                if (strcmp(format, "json") == 0)
                        req.json = true;
                else if (strcmp(format, "table") != 0)
                        return errmsg_plain(ret_error, -EINVAL, "request member \"format\" must be \"table\" or \"json\"");
        }
        if ((r = member_bool(o, "all", &req.all, ret_error)) < 0 ||
            (r = member_bool(o, "wait", &req.wait, ret_error)) < 0 ||
            (r = member_bool(o, "force", &req.force, ret_error)) < 0 ||
            (r = member_bool(o, "quiet", &req.quiet, ret_error)) < 0 ||
            (r = member_bool(o, "interactive", &req.interactive, ret_error)) < 0)
                return r;
        if (req.verb == CONTROL_EXEC) {
                r = exec_parse(o, &req.exec, ret_error);
                if (r < 0) {
                        control_request_done(&req);
                        return r;
                }
        }

        *ret = req;
        return 0;
}

/* ---- request: struct -> JSON, argv -> struct, struct -> argv ----------------------------- */

static void exec_to_json(JsonBuilder *b, const ControlExec *e) {
        json_add_strv(b, "args", e->args);
        json_add_string(b, "process", e->process);
        if (e->tty >= 0)
                json_add_bool(b, "tty", e->tty);
        json_add_string(b, "cwd", e->cwd);
        json_add_strv(b, "env", e->env);
        if (e->has_uid)
                json_add_int(b, "uid", e->uid);
        if (e->has_gid)
                json_add_int(b, "gid", e->gid);
        if (e->n_gids > 0) {
                json_builder_set_member_name(b, "additional_gids");
                json_builder_begin_array(b);
                for (size_t i = 0; i < e->n_gids; i++)
                        json_builder_add_int_value(b, e->gids[i]);
                json_builder_end_array(b);
        }
        json_add_strv(b, "cap", e->caps);
        json_add_bool(b, "no_new_privs", e->no_new_privs);
        json_add_bool(b, "detach", e->detach);
        json_add_bool(b, "ignore_paused", e->ignore_paused);
        json_add_bool(b, "console", e->console);
        json_add_string(b, "cgroup", e->cgroup);
}

char *control_request_to_json(const ControlRequest *r) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_add_string(b, "verb", verb_names[r->verb]);
        if (r->verb != CONTROL_LIST)
                json_add_string(b, "id", r->id);
        if (r->verb == CONTROL_KILL) {
                if (r->signal > 0)
                        json_add_int(b, "signal", r->signal);
                json_add_bool(b, "all", r->all);
                json_add_bool(b, "wait", r->wait);
        }
        if (r->verb == CONTROL_DELETE)
                json_add_bool(b, "force", r->force);
        if (r->verb == CONTROL_LIST) {
                json_add_string(b, "format", r->json ? "json" : "table");
                json_add_bool(b, "quiet", r->quiet);
        }
        if (r->verb == CONTROL_EXEC)
                exec_to_json(b, &r->exec);
        json_add_bool(b, "interactive", r->interactive);
        json_builder_end_object(b);
        return json_builder_text(b, JSON_TEXT_NEWLINE);
}

int control_request_from_argv(int argc, char **argv, ControlRequest *ret, char **ret_error) {
        static const struct option kill_options[] = {
                { "all", no_argument, NULL, 'a' }, { "wait", no_argument, NULL, 'w' }, {}
        };
        static const struct option delete_options[] = { { "force", no_argument, NULL, 'f' }, {} };
        static const struct option list_options[] = {
                { "format", required_argument, NULL, 'f' }, { "quiet", no_argument, NULL, 'q' }, {}
        };
        static const struct option no_options[] = { {} };
        ControlRequest req = { .verb = control_verb_from_string(argv[0]) };
        const struct option *options;
        const char *shortopts;
        int c;

        switch (req.verb) {
        case CONTROL_KILL:
                options = kill_options, shortopts = "+aw";
                break;
        case CONTROL_DELETE:
                options = delete_options, shortopts = "+f";
                break;
        case CONTROL_LIST:
                options = list_options, shortopts = "+f:q";
                break;
        case CONTROL_START:
        case CONTROL_STATE:
                options = no_options, shortopts = "+";
                break;
        default:
                return -EOPNOTSUPP;
        }

        /* Options after the id too, as the verbs themselves take them. */
        if (argv_options_first(argc, argv, shortopts, options, 0) < 0)
                return -ENOMEM;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, shortopts, options, NULL)) >= 0)
                switch (c) {
                case 'a':
                        req.all = true;
                        break;
                case 'w':
                        req.wait = true;
                        break;
                case 'q':
                        req.quiet = true;
                        break;
                case 'f':
                        /* delete's -f is --force, list's is --format */
                        if (req.verb == CONTROL_DELETE) {
                                req.force = true;
                                break;
                        }
                        if (strcmp(optarg, "json") == 0)
                                req.json = true;
                        else if (strcmp(optarg, "table") != 0)
                                return errmsg_plain(ret_error, -EINVAL, "--format: unknown format \"%s\" (table or json)", optarg);
                        break;
                default:
                        return errmsg_plain(ret_error, -EINVAL, "unknown or incomplete option \"%s\"", argv[optind - 1]);
                }

        int nargs = argc - optind, want = req.verb == CONTROL_LIST ? 0 : 1;
        if (req.verb == CONTROL_KILL && nargs == 2) {
                req.signal = signal_from_string(argv[optind + 1]);
                if (req.signal < 0)
                        return errmsg_plain(ret_error, -EINVAL, "unknown signal \"%.64s\"", argv[optind + 1]);
                nargs--;
        }
        if (nargs < want)
                return errmsg_plain(ret_error, -EINVAL, "missing container ID");
        if (nargs > want)
                return errmsg_plain(ret_error, -EINVAL, "unexpected argument \"%s\"", argv[optind + want]);
        if (want) {
                if (!container_id_is_valid(argv[optind]))
                        return errmsg_plain(ret_error, -EINVAL, "invalid container id \"%.200s\"", argv[optind]);
                strcpy(req.id, argv[optind]);
        }
        *ret = req;
        return 0;
}

static int strv_copy(char **from, char ***to) {
        for (char **p = from; p && *p; p++)
                if (strv_extend(to, *p) < 0)
                        return -ENOMEM;
        return 0;
}

static int strdup_opt(const char *s, char **ret) {
        if (s && !(*ret = strdup(s)))
                return -ENOMEM;
        return 0;
}

int control_request_from_exec(const char *id, const ExecOptions *o, ControlRequest *ret, char **ret_error) {
        _cleanup_(control_request_done) ControlRequest req = { .verb = CONTROL_EXEC, .exec.tty = -1 };
        ControlExec *e = &req.exec;
        int r;

        if (!container_id_is_valid(id))
                return errmsg_plain(ret_error, -EINVAL, "invalid container id \"%.200s\"", id);
        strcpy(req.id, id);
        /* Root would open these on the caller's behalf: the service does not take paths. */
        if (o->preserve_fds > 0)
                return errmsg_plain(ret_error, -EINVAL, "--preserve-fds: not available through the system service "
                                    "(only stdin, stdout and stderr are passed on)");
        if (o->pid_file && !o->detach)
                return errmsg_plain(ret_error, -EINVAL, "--pid-file: through the system service only with --detach");
        if (o->process_file) {
                size_t size;
                r = read_file_at(AT_FDCWD, o->process_file, CONTROL_PROCESS_MAX, &e->process, &size);
                if (r == -EFBIG)
                        return errmsg_plain(ret_error, r, "--process %s: larger than %u bytes, the most the system service takes",
                                            o->process_file, CONTROL_PROCESS_MAX);
                if (r == -EBADFD)
                        return errmsg_plain(ret_error, r, "--process %s: %s", o->process_file, FD_NOT_REGULAR);
                if (r < 0)
                        return errmsg(ret_error, r, "--process %s", o->process_file);
                if (strlen(e->process) != size)
                        return errmsg_plain(ret_error, -EINVAL, "--process %s: holds a NUL byte", o->process_file);
        }
        if (strv_copy(o->args, &e->args) < 0 || strv_copy(o->env, &e->env) < 0 || strv_copy(o->caps, &e->caps) < 0 ||
            strdup_opt(o->cwd, &e->cwd) < 0 || strdup_opt(o->cgroup, &e->cgroup) < 0 ||
            strdup_opt(o->console_socket, &e->client_console_socket) < 0 || strdup_opt(o->pid_file, &e->client_pid_file) < 0)
                return -ENOMEM;
        /* The process runs under the container's label (container-exec.c checks a --process
         * document's): lifting or changing confinement is not an exec right. */
        if (o->apparmor && *o->apparmor)
                return errmsg_plain(ret_error, -EPERM, "--apparmor: not given through the system service (the process "
                                    "runs under the container's profile)");
        if (o->process_label && *o->process_label)
                return errmsg_plain(ret_error, -EPERM, "--process-label: not given through the system service (the "
                                    "process runs under the container's label)");
        if (o->n_additional_gids > 0) {
                if (!(e->gids = calloc(o->n_additional_gids, sizeof(uint32_t))))
                        return -ENOMEM;
                for (size_t i = 0; i < o->n_additional_gids; i++)
                        e->gids[i] = o->additional_gids[i];
                e->n_gids = o->n_additional_gids;
        }
        e->tty = o->tty;
        e->has_uid = o->has_uid;
        e->has_gid = o->has_gid;
        e->uid = o->uid;
        e->gid = o->gid;
        e->no_new_privs = o->no_new_privs;
        e->detach = o->detach;
        e->ignore_paused = o->ignore_paused;
        e->console = o->console_socket != NULL;
        *ret = req;
        req = (ControlRequest) {};
        return 0;
}

int control_request_to_argv(const ControlRequest *r, const char *exe, const char *root, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        char sig[16];
        int k = 0;

        k |= strv_extend(&l, exe);
        k |= strv_extend(&l, "--root");
        k |= strv_extend(&l, root);
        k |= strv_extend(&l, verb_names[r->verb]);
        if (r->all)
                k |= strv_extend(&l, "--all");
        if (r->wait)
                k |= strv_extend(&l, "--wait");
        if (r->force)
                k |= strv_extend(&l, "--force");
        if (r->verb == CONTROL_LIST) {
                k |= strv_extend(&l, "--format");
                k |= strv_extend(&l, r->json ? "json" : "table");
                if (r->quiet)
                        k |= strv_extend(&l, "--quiet");
        }
        /* "--" before every id: whatever the id grammar allows, an id is never an option. */
        if (r->verb != CONTROL_LIST) {
                k |= strv_extend(&l, "--");
                k |= strv_extend(&l, r->id);
        }
        if (r->verb == CONTROL_KILL && r->signal > 0) {
                snprintf(sig, sizeof(sig), "%d", r->signal);
                k |= strv_extend(&l, sig);
        }
        if (k < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

/* ---- reply ------------------------------------------------------------------------------ */

char *control_reply_to_json(const ControlReply *r) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_add_bool(b, "ok", r->ok);
        json_add_int(b, "status", r->status);
        json_add_string(b, "stdout", r->out);
        json_add_string(b, "stderr", r->err);
        json_add_string(b, "error", r->error);
        if (r->pid > 0)
                json_add_int(b, "pid", r->pid);
        json_builder_end_object(b);
        return json_builder_text(b, JSON_TEXT_NEWLINE);
}

int control_reply_parse(const char *line, size_t size, ControlReply *ret, char **ret_error) {
        g_autoptr(JsonParser) parser = NULL;
        JsonObject *o;
        int r = parse_line("reply", line, size, "reply is not a JSON object", &parser, &o, ret_error);
        if (r < 0)
                return r;

        _cleanup_(control_reply_done) ControlReply rep = {};
        int64_t status;
        if ((r = member_bool(o, "ok", &rep.ok, ret_error)) < 0)
                return r;
        if (json_get_int(o, "status", NULL, true, 0, 255, &status, NULL) < 0)
                return errmsg_plain(ret_error, -EINVAL, "reply has no valid \"status\"");
        rep.status = (int) status;
        if ((r = member_string(o, "stdout", &rep.out, ret_error)) < 0 ||
            (r = member_string(o, "stderr", &rep.err, ret_error)) < 0 ||
            (r = member_string(o, "error", &rep.error, ret_error)) < 0)
                return r;
        int64_t pid;
        if (json_get_int(o, "pid", NULL, false, 1, INT32_MAX, &pid, NULL) > 0)
                rep.pid = (int) pid;
        *ret = rep;
        rep = (ControlReply) {};
        return 0;
}

void control_reply_done(ControlReply *r) {
        free(r->out);
        free(r->err);
        free(r->error);
        *r = (ControlReply) {};
}

/* ---- messages --------------------------------------------------------------------------- */

char *control_message_to_json(const ControlMessage *m) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        if (m->signal > 0)
                json_add_int(b, "signal", m->signal);
        if (m->console)
                json_add_bool(b, "console", true);
        if (m->started)
                json_add_bool(b, "started", true);
        json_builder_end_object(b);
        return json_builder_text(b, JSON_TEXT_NEWLINE);
}

int control_message_parse(const char *line, size_t size, ControlMessage *ret, char **ret_error) {
        g_autoptr(JsonParser) parser = NULL;
        JsonObject *o;
        int r = parse_line("message", line, size, "message is not a JSON object", &parser, &o, ret_error);
        if (r < 0)
                return r;
        ControlMessage m = {};
        int64_t sig;
        if (json_object_get_size(o) != 1)
                return errmsg_plain(ret_error, -EINVAL, "a message has one member");
        r = json_get_int(o, "signal", NULL, false, 1, SIGRTMAX, &sig, NULL);
        if (r < 0)
                return errmsg_plain(ret_error, -EINVAL, "message member \"signal\" must be a signal number");
        if (r > 0)
                m.signal = (int) sig;
        else if ((r = member_bool(o, "console", &m.console, ret_error)) < 0 ||
                 (r = member_bool(o, "started", &m.started, ret_error)) < 0)
                return r;
        else if (!m.console && !m.started)
                return errmsg_plain(ret_error, -EINVAL, "a message is a \"signal\", \"console\" or \"started\"");
        *ret = m;
        return 0;
}
