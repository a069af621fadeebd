/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The control socket's request and reply: strict parsing, formatting, and the mapping between a
 * verb's command line and a request. Untrusted input on the server side: every member is
 * checked for its type, unknown members and members that do not belong to the verb are
 * refused, and json-guard has seen the text before json-glib does. */

#include <getopt.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "errmsg.h"
#include "strv.h"
#include "control-request.h"
#include "json-guard.h"

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

static int member_bool(JsonObject *o, const char *name, bool *ret, char **ret_error) {
        JsonNode *n = json_object_get_member(o, name);
        if (!n)
                return 0;
        if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN)
                return errmsg_plain(ret_error, -EINVAL, "request member \"%s\" must be true or false", name);
        *ret = json_node_get_boolean(n);
        return 0;
}

static int member_string(JsonObject *o, const char *name, const char **ret, char **ret_error) {
        JsonNode *n = json_object_get_member(o, name);
        if (!n) {
                *ret = NULL;
                return 0;
        }
        if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                return errmsg_plain(ret_error, -EINVAL, "request member \"%s\" must be a string", name);
        *ret = json_node_get_string(n);
        return 0;
}

int control_request_parse(const char *line, size_t size, ControlRequest *ret, char **ret_error) {
        if (size > CONTROL_REQUEST_MAX)
                return errmsg_plain(ret_error, -E2BIG, "request longer than %d bytes", CONTROL_REQUEST_MAX);
        _cleanup_free_ char *guard_error = NULL;
        int r = json_guard_check(line, size, &guard_error);
        if (r < 0)
                return errmsg_plain(ret_error, r, "request is not valid JSON: %s", guard_error ?: "out of memory");

        g_autoptr(JsonParser) parser = json_parser_new();
        g_autoptr(GError) error = NULL;
        if (!json_parser_load_from_data(parser, line, (gssize) size, &error))
                return errmsg_plain(ret_error, -EINVAL, "request is not valid JSON: %s", error->message);
        JsonNode *root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return errmsg_plain(ret_error, -EINVAL, "request must be a JSON object");
        JsonObject *o = json_node_get_object(root);

        ControlRequest req = { .verb = _CONTROL_VERB_INVALID };
        const char *s;
        if ((r = member_string(o, "verb", &s, ret_error)) < 0)
                return r;
        if (!s)
                return errmsg_plain(ret_error, -EINVAL, "request has no \"verb\"");
        req.verb = control_verb_from_string(s);
        if (req.verb < 0)
                return errmsg_plain(ret_error, -EINVAL, "request verb \"%.32s\" is not one of start, kill, delete, state, list", s);

        g_autoptr(GList) members = json_object_get_members(o);
        for (GList *m = members; m; m = m->next)
                if (!member_allowed(req.verb, m->data))
                        return errmsg_plain(ret_error, -EINVAL, "request member \"%.32s\" is not known for %s",
                                            (const char *) m->data, verb_names[req.verb]);

        if (req.verb != CONTROL_LIST) {
                if ((r = member_string(o, "id", &s, ret_error)) < 0)
                        return r;
                if (!s)
                        return errmsg_plain(ret_error, -EINVAL, "request has no container \"id\"");
                if (!container_id_is_valid(s))
                        return errmsg_plain(ret_error, -EINVAL, "request has an invalid container id");
                strcpy(req.id, s);
        }

        JsonNode *n = json_object_get_member(o, "signal");
        if (n) {
                if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
                        return errmsg_plain(ret_error, -EINVAL, "request member \"signal\" must be a signal number");
                gint64 sig = json_node_get_int(n);
                if (sig < 1 || sig > SIGRTMAX)
                        return errmsg_plain(ret_error, -EINVAL, "request member \"signal\" is out of range");
                req.signal = (int) sig;
        }
        if ((r = member_string(o, "format", &s, ret_error)) < 0)
                return r;
        if (s) {
                if (strcmp(s, "json") == 0)
                        req.json = true;
                else if (strcmp(s, "table") != 0)
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
        json_builder_set_member_name(b, "verb");
        json_builder_add_string_value(b, verb_names[r->verb]);
        if (r->verb != CONTROL_LIST) {
                json_builder_set_member_name(b, "id");
                json_builder_add_string_value(b, r->id);
        }
        if (r->verb == CONTROL_KILL) {
                if (r->signal > 0) {
                        json_builder_set_member_name(b, "signal");
                        json_builder_add_int_value(b, r->signal);
                }
                json_builder_set_member_name(b, "all");
                json_builder_add_boolean_value(b, r->all);
                json_builder_set_member_name(b, "wait");
                json_builder_add_boolean_value(b, r->wait);
        }
        if (r->verb == CONTROL_DELETE) {
                json_builder_set_member_name(b, "force");
                json_builder_add_boolean_value(b, r->force);
        }
        if (r->verb == CONTROL_LIST) {
                json_builder_set_member_name(b, "format");
                json_builder_add_string_value(b, r->json ? "json" : "table");
                json_builder_set_member_name(b, "quiet");
                json_builder_add_boolean_value(b, r->quiet);
        }
        json_builder_set_member_name(b, "interactive");
        json_builder_add_boolean_value(b, r->interactive);
        json_builder_end_object(b);

        g_autoptr(JsonNode) root = json_builder_get_root(b);
        g_autofree char *s = json_to_string(root, false);
        char *line = NULL;
        if (!s || asprintf(&line, "%s\n", s) < 0)
                return NULL;
        return line;
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
        /* kill and delete parse options: "--" so that an id starting with '-' (valid) is
         * never one. start and state take their id at a fixed place, with no option parsing. */
        if (r->verb == CONTROL_KILL || r->verb == CONTROL_DELETE)
                k |= strv_extend(&l, "--");
        if (r->verb != CONTROL_LIST)
                k |= strv_extend(&l, r->id);
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
        json_builder_set_member_name(b, "ok");
        json_builder_add_boolean_value(b, r->ok);
        json_builder_set_member_name(b, "status");
        json_builder_add_int_value(b, r->status);
        if (r->out) {
                json_builder_set_member_name(b, "stdout");
                json_builder_add_string_value(b, r->out);
        }
        if (r->err) {
                json_builder_set_member_name(b, "stderr");
                json_builder_add_string_value(b, r->err);
        }
        if (r->error) {
                json_builder_set_member_name(b, "error");
                json_builder_add_string_value(b, r->error);
        }
        json_builder_end_object(b);
        g_autoptr(JsonNode) root = json_builder_get_root(b);
        g_autofree char *s = json_to_string(root, false);
        char *line = NULL;
        if (!s || asprintf(&line, "%s\n", s) < 0)
                return NULL;
        return line;
}

int control_reply_parse(const char *line, size_t size, ControlReply *ret, char **ret_error) {
        _cleanup_free_ char *guard_error = NULL;
        int r = json_guard_check(line, size, &guard_error);
        if (r < 0)
                return errmsg_plain(ret_error, r, "reply is not valid JSON: %s", guard_error ?: "out of memory");
        g_autoptr(JsonParser) parser = json_parser_new();
        if (!json_parser_load_from_data(parser, line, (gssize) size, NULL))
                return errmsg_plain(ret_error, -EINVAL, "reply is not valid JSON");
        JsonNode *root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return errmsg_plain(ret_error, -EINVAL, "reply is not a JSON object");
        JsonObject *o = json_node_get_object(root);

        ControlReply rep = {};
        if ((r = member_bool(o, "ok", &rep.ok, ret_error)) < 0)
                return r;
        JsonNode *n = json_object_get_member(o, "status");
        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64 ||
            json_node_get_int(n) < 0 || json_node_get_int(n) > 255)
                return errmsg_plain(ret_error, -EINVAL, "reply has no valid \"status\"");
        rep.status = (int) json_node_get_int(n);
        const char *out, *err, *error;
        if ((r = member_string(o, "stdout", &out, ret_error)) < 0 ||
            (r = member_string(o, "stderr", &err, ret_error)) < 0 ||
            (r = member_string(o, "error", &error, ret_error)) < 0)
                return r;
        if ((out && !(rep.out = strdup(out))) || (err && !(rep.err = strdup(err))) ||
            (error && !(rep.error = strdup(error)))) {
                control_reply_done(&rep);
                return -ENOMEM;
        }
        *ret = rep;
        return 0;
}

void control_reply_done(ControlReply *r) {
        free(r->out);
        free(r->err);
        free(r->error);
        *r = (ControlReply) {};
}
