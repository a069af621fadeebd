/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Owns stderr and the --log file for the parent process. The child never calls in here. */

#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "fd-util.h"
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
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0)
                return -errno;
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

static void format_time(char *buf, size_t n) {
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        size_t k = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + k, n - k, ".%09ldZ", ts.tv_nsec);
}

/* Messages carry text from config.json, a less trusted input: a newline would break the one
 * line of error, an escape sequence would reach the admin's terminal. Control bytes become
 * \xNN; with quotes (the text log's msg="..."), '"' and '\\' are escaped too. */
static char *escape_message(const char *s, bool quotes) {
        GString *out = g_string_sized_new(strlen(s) + 8);
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p < 0x20 || *p == 0x7f)
                        g_string_append_printf(out, "\\x%02x", *p);
                else if (quotes && (*p == '"' || *p == '\\'))
                        g_string_append_printf(out, "\\%c", *p);
                else
                        g_string_append_c(out, (char) *p);
        }
        return g_string_free(out, FALSE);
}

static void log_to_file(const char *level, const char *msg) {
        if (log_fd < 0)
                return;

        char when[64];
        format_time(when, sizeof(when));

        g_autofree char *line = NULL;
        if (log_format == LOG_FORMAT_JSON) {
                g_autoptr(JsonBuilder) b = json_builder_new();
                json_builder_begin_object(b);
                json_builder_set_member_name(b, "level");
                json_builder_add_string_value(b, level);
                json_builder_set_member_name(b, "msg");
                json_builder_add_string_value(b, msg);
                json_builder_set_member_name(b, "time");
                json_builder_add_string_value(b, when);
                json_builder_end_object(b);
                g_autoptr(JsonNode) root = json_builder_get_root(b);
                g_autofree char *text = json_to_string(root, FALSE);
                line = g_strdup_printf("%s\n", text);
        } else {
                g_autofree char *quoted = escape_message(msg, true);
                line = g_strdup_printf("time=\"%s\" level=%s msg=\"%s\"\n", when, level, quoted);
        }

        (void) write_all(log_fd, line, strlen(line));
}

_printf_(4, 0) static void log_va(const char *level, bool to_stderr, int r, const char *fmt, va_list ap) {
        g_autofree char *text = g_strdup_vprintf(fmt, ap);
        g_autofree char *msg = NULL;
        if (r < 0)
                msg = log_id ? g_strdup_printf("%s: %s: %s", log_id, text, strerror(-r))
                             : g_strdup_printf("%s: %s", text, strerror(-r));
        else
                msg = log_id ? g_strdup_printf("%s: %s", log_id, text) : g_strdup(text);

        log_to_file(level, msg);
        if (to_stderr && stderr_is_journal()) {
                g_autofree char *safe = escape_message(msg, false);
                g_autofree char *m = g_strdup_printf("MESSAGE=ctr-launch: %s", safe);
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
                g_autofree char *safe = escape_message(msg, false);
                fprintf(stderr, "ctr-launch: %s\n", safe);
        }
}

int log_error_errno(int r, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        log_va("error", true, r, fmt, ap);
        va_end(ap);
        return r;
}

void log_warning(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        log_va("warning", log_fd < 0, 0, fmt, ap);
        va_end(ap);
}

void log_debug(const char *fmt, ...) {
        if (!log_debug_on)
                return;
        va_list ap;
        va_start(ap, fmt);
        log_va("debug", log_fd < 0, 0, fmt, ap);
        va_end(ap);
}
