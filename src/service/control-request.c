/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The control socket's request and reply: strict parsing, formatting, and the mapping between a
 * verb's command line and a request. Untrusted input on the server side: every member is
 * checked for its type, unknown members and members that do not belong to the verb are
 * refused, and json-guard has seen the text before json-glib does. */

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "errmsg.h"
#include "getopt-util.h"
#include "strv.h"
#include "control-request.h"
#include "json-util.h"

static const char *const verb_names[_CONTROL_VERB_MAX] = {
        [CONTROL_START] = "start",
        [CONTROL_KILL] = "kill",
        [CONTROL_DELETE] = "delete",
        [CONTROL_STATE] = "state",
        [CONTROL_LIST] = "list",
};

static const char *const verb_actions[_CONTROL_VERB_MAX] = {
        [CONTROL_START] = CONTROL_ACTION_PREFIX "start",
        [CONTROL_KILL] = CONTROL_ACTION_PREFIX "stop",
        [CONTROL_DELETE] = CONTROL_ACTION_PREFIX "delete",
        [CONTROL_STATE] = CONTROL_ACTION_PREFIX "manage",
        [CONTROL_LIST] = CONTROL_ACTION_PREFIX "manage",
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
                return errmsg_plain(ret_error, -EINVAL, "request verb \"%.32s\" is not one of start, kill, delete, state, list", verb);

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

        *ret = req;
        return 0;
}

/* ---- request: struct -> JSON, argv -> struct, struct -> argv ----------------------------- */

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
