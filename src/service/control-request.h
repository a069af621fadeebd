/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one request a non-root caller sends to the system service (`ctr-launch serve`) over
 * /run/ctr-launch-control.sock, and the one reply it gets: a JSON line each way. The request
 * comes from anyone who can connect, so its parser is strict: a size limit, json-guard before
 * json-glib, an object of known members with the right types only, a valid container id. The
 * server never passes a string of the request to a command line: it rebuilds the command from
 * the validated fields. json-glib stays inside this module. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse-util.h"

/* Longer request lines are refused: a real one is under 200 bytes, an exec with its command,
 * environment and --process document a few KiB. */
#define CONTROL_REQUEST_MAX (64U * 1024U)
/* exec's --process document, as the client read it: at most this much of the request. */
#define CONTROL_PROCESS_MAX (48U * 1024U)
/* exec: the caller's stdin, stdout and stderr travel with the request (SCM_RIGHTS). */
#define CONTROL_EXEC_FDS 3
/* The reply carries the output of `state` or `list`. */
#define CONTROL_REPLY_MAX (16U * 1024U * 1024U)
#define CONTROL_SOCKET_PATH "/run/ctr-launch-control.sock"
/* The status of a reply for a failure of the service itself: ctr-launch's EXIT_FAILED. */
#define CONTROL_STATUS_FAILED 1
/* The polkit action ids, one per kind of operation, and their common prefix. */
#define CONTROL_ACTION_PREFIX "org.ctr-launch.container."
/* What `list` asks polkit about: every container. */
#define CONTROL_ALL_CONTAINERS "*"

typedef enum ControlVerb {
        CONTROL_START,
        CONTROL_KILL,
        CONTROL_DELETE,
        CONTROL_STATE,
        CONTROL_LIST,
        CONTROL_EXEC,
        _CONTROL_VERB_MAX,
        _CONTROL_VERB_INVALID = -1,
} ControlVerb;

/* exec's options, as runc's (container.h's ExecOptions), minus what names a host path root
 * would open for the caller: --process travels as its content, --console-socket stays with the
 * client (the pty's master comes back to it), --pid-file is the client's to write (with
 * --detach), --preserve-fds is not carried. */
typedef struct ControlExec {
        char **args;       /* COMMAND [ARGS...], or NULL with process */
        char *process;     /* --process's document */
        int tty;           /* -1: not given */
        char *cwd;
        char **env;
        bool has_uid, has_gid;
        uint32_t uid, gid;
        uint32_t *gids;    /* --additional-gids */
        size_t n_gids;
        char **caps;
        bool no_new_privs, detach, ignore_paused;
        bool console;      /* the client has a --console-socket: send the pty's master back */
        char *cgroup;
        /* The client's own, never sent: where the pty's master goes, where the PID goes. */
        char *client_console_socket, *client_pid_file;
} ControlExec;

typedef struct ControlRequest {
        ControlVerb verb;
        char id[CONTAINER_ID_MAX + 1]; /* "" for list */
        int signal;                    /* kill: 0 is the container's stop signal */
        bool all, wait;                /* kill */
        bool force;                    /* delete */
        bool json, quiet;              /* list */
        bool interactive;              /* the client runs a polkit agent: polkit may ask */
        ControlExec exec;              /* exec (owned: control_request_done()) */
} ControlRequest;

typedef struct ControlReply {
        bool ok;
        int status;   /* the exit code for the client */
        char *out;    /* for stdout (state, list), may be NULL */
        char *err;    /* lines for stderr, as the verb printed them, may be NULL */
        char *error;  /* a failure of the service itself ("not authorized: ..."), may be NULL */
        int pid;      /* exec --detach: the process's PID (on the host), or 0 */
} ControlReply;

/* What else travels on an exec's connection, one JSON line each: from the client, a signal it
 * got, for the process ({"signal":N}); from the service, before the reply, the pty's master
 * ({"console":true} with the fd) for the client's --console-socket, and {"started":true} once
 * exec runs (the client's polkit agent may go). */
typedef struct ControlMessage {
        int signal;   /* > 0: a signal message */
        bool console; /* a console message */
        bool started; /* the service ran exec: polkit's part is over */
} ControlMessage;

const char *control_verb_to_string(ControlVerb v);
ControlVerb control_verb_from_string(const char *s);
/* org.ctr-launch.container.{start,stop,delete,manage,exec}: kill is "stop", state and list
 * are "manage". */
const char *control_verb_action(ControlVerb v);

/* Parses and validates one request line (without its newline). -EINVAL with *ret_error saying
 * what is wrong (for the reply), -E2BIG past CONTROL_REQUEST_MAX, -ENOMEM. */
int control_request_parse(const char *line, size_t size, ControlRequest *ret, char **ret_error);
void control_request_done(ControlRequest *r);
/* The request as a JSON line, newline included. */
char *control_request_to_json(const ControlRequest *r);
/* The client side: a verb's command line (argv[0] is the verb) into a request. -EINVAL with
 * *ret_error for what this path cannot carry (an unknown option, a missing id); -EOPNOTSUPP
 * for a verb that is not carried at all. */
int control_request_from_argv(int argc, char **argv, ControlRequest *ret, char **ret_error);
/* The client side of exec: its parsed options (the verb's own parser) into a request; -EINVAL
 * with *ret_error for what the system service does not carry (--preserve-fds, --pid-file
 * without --detach, a --process file too large or unreadable). Reads --process's file. */
struct ExecOptions;
int control_request_from_exec(const char *id, const struct ExecOptions *o, ControlRequest *ret, char **ret_error);
/* The server side: the command that runs the request's verb against the state root, a
 * NULL-terminated vector to free with strv_free(). */
int control_request_to_argv(const ControlRequest *r, const char *exe, const char *root, char ***ret);

char *control_reply_to_json(const ControlReply *r);
int control_reply_parse(const char *line, size_t size, ControlReply *ret, char **ret_error);
void control_reply_done(ControlReply *r);

char *control_message_to_json(const ControlMessage *m);
/* A line that is no reply: a signal or console message. -EINVAL for anything else. */
int control_message_parse(const char *line, size_t size, ControlMessage *ret, char **ret_error);
