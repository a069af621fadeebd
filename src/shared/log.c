/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Owns stderr, the journal stream and the --log file for the parent process: the one place
 * that prints. The container's init never calls in here (it sends its errors over the log
 * pipe), and library code only logs what does not fail the operation. */

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include "fd-util.h"
#include "string-util.h"
#include "time-util.h"
#include "json-util.h"
#include "log.h"

static int log_fd = -EBADF;
static LogFormat log_format = LOG_FORMAT_TEXT;
static bool log_debug_on = false;
static char *log_id = NULL;
static char *log_bundle = NULL;
static int log_journal = -1; /* unknown yet */

int log_open(const char *path, LogFormat format, bool debug) {
        log_format = format;
        log_debug_on = debug;
        if (!path)
                return 0;
        /* O_NONBLOCK: a FIFO without a reader fails the open (ENXIO) rather than hanging it;
         * the writes then block as usual. */
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
        if (fd < 0)
                return -errno;
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
                int r = -errno;
                safe_close(fd);
                return r;
        }
        log_fd = fd;
        return 0;
}

void log_close(void) {
        log_fd = safe_close(log_fd);
        free(log_id);
        log_id = NULL;
        free(log_bundle);
        log_bundle = NULL;
}

void log_set_bundle(const char *bundle) {
        free(log_bundle);
        log_bundle = bundle ? strdup(bundle) : NULL;
}

/* Whether our stderr is systemd's journal stream (a unit's StandardError=journal): then the
 * journal gets each line directly, with fields to search by, instead of the stream's copy. */
static bool stderr_is_journal(void) {
        if (log_journal >= 0)
                return log_journal;
        log_journal = 0;
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;
        if (e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) >= 0 &&
            (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino)
                log_journal = 1;
        return log_journal;
}

static int level_priority(const char *level) {
        return strcmp(level, "error") == 0 ? LOG_ERR : strcmp(level, "warning") == 0 ? LOG_WARNING : LOG_DEBUG;
}

void log_set_id(const char *id) {
        free(log_id);
        log_id = id ? strdup(id) : NULL;
}

bool log_debug_enabled(void) {
        return log_debug_on;
}

/* Messages carry text from config.json, a less trusted input: a newline would break the one
 * line of error, an escape sequence would reach the admin's terminal. escape_control() makes
 * control bytes \xNN (and, for the text log's msg="...", escapes quotes). */

static void log_to_file(const char *level, const char *msg) {
        if (log_fd < 0)
                return;

        char when[RFC3339_MAX];
        format_rfc3339_now(when);

        _cleanup_free_ char *line = NULL;
        if (log_format == LOG_FORMAT_JSON) {
                g_autoptr(JsonBuilder) b = json_builder_new();
                json_builder_begin_object(b);
                json_add_string(b, "level", level);
                json_add_string(b, "msg", msg);
                json_add_string(b, "time", when);
                json_builder_end_object(b);
                line = json_builder_text(b, JSON_TEXT_NEWLINE);
        } else {
                _cleanup_free_ char *quoted = escape_control(msg, true);
                if (quoted && asprintf(&line, "time=\"%s\" level=%s msg=\"%s\"\n", when, level, quoted) < 0)
                        line = NULL;
        }
        if (line)
                (void) write_all(log_fd, line, strlen(line));
}

/* r < 0: the journal record carries ERRNO=-r, and with_strerror appends strerror(-r) to the
 * text (a message from ret_error has its reason in it already). */
_printf_(5, 0) static void log_va(const char *level, bool to_stderr, int r, bool with_strerror, const char *fmt,
                                  va_list ap) {
        g_autofree char *text = g_strdup_vprintf(fmt, ap);
        g_autofree char *msg = NULL;
        if (r < 0 && with_strerror)
                msg = log_id ? g_strdup_printf("%s: %s: %s", log_id, text, strerror(-r))
                             : g_strdup_printf("%s: %s", text, strerror(-r));
        else
                msg = log_id ? g_strdup_printf("%s: %s", log_id, text) : g_strdup(text);

        log_to_file(level, msg);
        if (to_stderr && stderr_is_journal()) {
                _cleanup_free_ char *safe = escape_control(msg, false);
                g_autofree char *m = g_strdup_printf("MESSAGE=ctr-launch: %s", safe ?: msg);
                g_autofree char *p = g_strdup_printf("PRIORITY=%d", level_priority(level));
                g_autofree char *id = g_strdup_printf("CONTAINER_ID=%s", log_id ?: "");
                g_autofree char *bundle = g_strdup_printf("CONTAINER_BUNDLE=%s", log_bundle ?: "");
                g_autofree char *err = g_strdup_printf("ERRNO=%d", -r);
                struct iovec iov[] = {
                        { m, strlen(m) }, { p, strlen(p) }, { (char *) "SYSLOG_IDENTIFIER=ctr-launch", 28 },
                        { id, strlen(id) }, { bundle, strlen(bundle) }, { err, strlen(err) },
                };
                if (sd_journal_sendv(iov, r < 0 ? 6 : 5) >= 0)
                        return;
        }
        if (to_stderr) {
                _cleanup_free_ char *safe = escape_control(msg, false);
                fprintf(stderr, "ctr-launch: %s\n", safe ?: "out of memory");
        }
}

int log_error_errno(int r, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        log_va("error", true, r, true, fmt, ap);
        va_end(ap);
        return r;
}

_printf_(5, 6) static void log_full(const char *level, bool to_stderr, int r, bool with_strerror, const char *fmt,
                                    ...) {
        va_list ap;
        va_start(ap, fmt);
        log_va(level, to_stderr, r, with_strerror, fmt, ap);
        va_end(ap);
}

int log_error_message(int r, const char *msg) {
        log_full("error", true, r, false, "%s", msg);
        return r;
}

void log_warning(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        log_va("warning", log_fd < 0, 0, false, fmt, ap);
        va_end(ap);
}

void log_debug(const char *fmt, ...) {
        if (!log_debug_on)
                return;
        va_list ap;
        va_start(ap, fmt);
        log_va("debug", log_fd < 0, 0, false, fmt, ap);
        va_end(ap);
}
