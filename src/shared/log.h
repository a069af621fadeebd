/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Messages for the user and for the log file. Errors are one line on stderr,
 * "ctr-launch: <id>: <what failed>: <why>", and one record in --log (text, or JSON with
 * --log-format json, as containerd and podman read it). Only the parent process logs here;
 * the container's init sends its errors over the log pipe instead (see sync.h). */

#include <stdbool.h>

#include "macros.h"

typedef enum LogFormat {
        LOG_FORMAT_TEXT,
        LOG_FORMAT_JSON,
} LogFormat;

/* path may be NULL (no log file). Returns 0 or -errno. */
int log_open(const char *path, LogFormat format, bool debug);
void log_close(void);
/* The container the current command is about; prefixes every message. NULL clears it. */
void log_set_id(const char *id);
/* Its bundle: under systemd (stderr is the journal), messages go to the journal with
 * CONTAINER_ID=, CONTAINER_BUNDLE= and ERRNO= fields instead of the stream. */
void log_set_bundle(const char *bundle);
bool log_debug_enabled(void);

/* Each returns r, so that `return log_error_errno(r, "...")` reads naturally. r < 0 appends
 * strerror(-r). */
int log_error_errno(int r, const char *fmt, ...) _printf_(2, 3);
#define log_error(...) ((void) log_error_errno(0, __VA_ARGS__))
/* A message that already says why (a ret_error from below): printed as it is, and the journal
 * record carries ERRNO=-r. Returns r. */
int log_error_message(int r, const char *msg);
void log_warning(const char *fmt, ...) _printf_(1, 2);
void log_debug(const char *fmt, ...) _printf_(1, 2);
