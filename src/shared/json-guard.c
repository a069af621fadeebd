/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The strict pre-parser for untrusted JSON (see json-guard.h): a recursive descent over the
 * bytes, bounded in depth, that builds nothing but the list of keys of the object at hand. */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "errmsg.h"
#include "json-guard.h"

typedef struct Scanner {
        const char *start, *p, *end;
        unsigned depth;
        char **ret_error;
} Scanner;

typedef struct Key {
        char *text; /* decoded, so that "a" and "\u0061" collide as they do for json-glib */
        size_t len;
        size_t offset;
} Key;

_printf_(3, 4) static int fail_at(Scanner *s, const char *at, const char *fmt, ...) {
        unsigned line = 1, column = 1;
        for (const char *q = s->start; q < at && q < s->end; q++) {
                if (*q == '\n') {
                        line++;
                        column = 1;
                } else
                        column++;
        }
        char *what = NULL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&what, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        if (at >= s->end)
                errmsg_plain(s->ret_error, -EINVAL, "line %u, column %u: unexpected end of document (%s)", line,
                             column, what);
        else
                errmsg_plain(s->ret_error, -EINVAL, "line %u, column %u: %s", line, column, what);
        free(what);
        return -EINVAL;
}

/* A byte as an error message may show it: itself if printable, else 0xNN. Errors are one line
 * and must not carry control characters to a terminal. */
static const char *byte_repr(char c, char buf[static 8]) {
        unsigned char u = (unsigned char) c;
        if (u >= 0x20 && u < 0x7f)
                snprintf(buf, 8, "'%c'", c);
        else
                snprintf(buf, 8, "0x%02x", u);
        return buf;
}

static void skip_ws(Scanner *s) {
        while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
                s->p++;
}

static int hex4(const char *p, const char *end, uint32_t *ret) {
        if (end - p < 4)
                return -EINVAL;
        uint32_t v = 0;
        for (int i = 0; i < 4; i++) {
                char c = p[i];
                v <<= 4;
                if (c >= '0' && c <= '9')
                        v |= (uint32_t) (c - '0');
                else if (c >= 'a' && c <= 'f')
                        v |= (uint32_t) (c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        v |= (uint32_t) (c - 'A' + 10);
                else
                        return -EINVAL;
        }
        *ret = v;
        return 0;
}

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlong forms, no surrogates, nothing
 * past U+10FFFF), or 0. */
static size_t utf8_sequence(const unsigned char *p, const unsigned char *end) {
        unsigned char c = p[0];
        size_t n;
        uint32_t min, v;
        if (c < 0x80)
                return 1;
        if ((c & 0xE0) == 0xC0)
                n = 2, min = 0x80, v = c & 0x1F;
        else if ((c & 0xF0) == 0xE0)
                n = 3, min = 0x800, v = c & 0x0F;
        else if ((c & 0xF8) == 0xF0)
                n = 4, min = 0x10000, v = c & 0x07;
        else
                return 0;
        if ((size_t) (end - p) < n)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((p[i] & 0xC0) != 0x80)
                        return 0;
                v = (v << 6) | (p[i] & 0x3F);
        }
        if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
                return 0;
        return n;
}

static size_t utf8_encode(uint32_t v, char *out) {
        if (v < 0x80) {
                out[0] = (char) v;
                return 1;
        }
        if (v < 0x800) {
                out[0] = (char) (0xC0 | (v >> 6));
                out[1] = (char) (0x80 | (v & 0x3F));
                return 2;
        }
        if (v < 0x10000) {
                out[0] = (char) (0xE0 | (v >> 12));
                out[1] = (char) (0x80 | ((v >> 6) & 0x3F));
                out[2] = (char) (0x80 | (v & 0x3F));
                return 3;
        }
        out[0] = (char) (0xF0 | (v >> 18));
        out[1] = (char) (0x80 | ((v >> 12) & 0x3F));
        out[2] = (char) (0x80 | ((v >> 6) & 0x3F));
        out[3] = (char) (0x80 | (v & 0x3F));
        return 4;
}

/* At the opening quote. With ret, also returns the decoded text. */
static int scan_string(Scanner *s, Key *ret) {
        const char *open = s->p++;
        _cleanup_free_ char *text = NULL;
        size_t len = 0;

        if (ret) {
                /* The raw length bounds the decoded one: escapes only ever shrink. */
                const char *q = s->p;
                while (q < s->end && *q != '"')
                        q += *q == '\\' ? 2 : 1;
                text = malloc((size_t) (q - s->p) + 1);
                if (!text)
                        return -ENOMEM;
        }

        for (;;) {
                if (s->p >= s->end)
                        return fail_at(s, open, "unterminated string");
                unsigned char c = (unsigned char) *s->p;
                if (c == '"')
                        break;
                if (c < 0x20)
                        return fail_at(s, s->p, "control character in string");
                if (c == '\\') {
                        const char *esc = s->p++;
                        if (s->p >= s->end)
                                return fail_at(s, open, "unterminated string");
                        char e = *s->p++, out[4];
                        size_t n = 1;
                        switch (e) {
                        case '"': out[0] = '"'; break;
                        case '\\': out[0] = '\\'; break;
                        case '/': out[0] = '/'; break;
                        case 'b': out[0] = '\b'; break;
                        case 'f': out[0] = '\f'; break;
                        case 'n': out[0] = '\n'; break;
                        case 'r': out[0] = '\r'; break;
                        case 't': out[0] = '\t'; break;
                        case 'u': {
                                uint32_t v, lo;
                                if (hex4(s->p, s->end, &v) < 0)
                                        return fail_at(s, esc, "bad \\u escape");
                                s->p += 4;
                                if (v == 0)
                                        /* json-glib would silently cut the string here. */
                                        return fail_at(s, esc, "\\u0000 in string");
                                if (v >= 0xDC00 && v <= 0xDFFF)
                                        return fail_at(s, esc, "lone low surrogate in \\u escape");
                                if (v >= 0xD800 && v <= 0xDBFF) {
                                        if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u' ||
                                            hex4(s->p + 2, s->end, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
                                                return fail_at(s, esc, "unpaired high surrogate in \\u escape");
                                        s->p += 6;
                                        v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
                                }
                                n = utf8_encode(v, out);
                                break;
                        }
                        default:
                                return fail_at(s, esc, "bad escape \\ followed by %s", byte_repr(e, (char[8]) { 0 }));
                        }
                        if (text) {
                                memcpy(text + len, out, n);
                                len += n;
                        }
                        continue;
                }
                size_t n = utf8_sequence((const unsigned char *) s->p, (const unsigned char *) s->end);
                if (n == 0)
                        return fail_at(s, s->p, "invalid UTF-8 in string");
                if (text) {
                        memcpy(text + len, s->p, n);
                        len += n;
                }
                s->p += n;
        }
        s->p++; /* closing quote */
        if (ret) {
                text[len] = 0;
                *ret = (Key) { .text = TAKE_PTR(text), .len = len, .offset = (size_t) (open - s->start) };
        }
        return 0;
}

static int scan_number(Scanner *s) {
        const char *begin = s->p;
        bool negative = false, integer = true;

        if (*s->p == '-') {
                negative = true;
                s->p++;
        }
        const char *digits = s->p;
        if (s->p >= s->end || *s->p < '0' || *s->p > '9')
                return fail_at(s, begin, "bad number");
        if (*s->p == '0')
                s->p++;
        else
                while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
                        s->p++;
        size_t n_digits = (size_t) (s->p - digits);
        if (s->p < s->end && *s->p == '.') {
                integer = false;
                s->p++;
                if (s->p >= s->end || *s->p < '0' || *s->p > '9')
                        return fail_at(s, begin, "bad number");
                while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
                        s->p++;
        }
        if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
                integer = false;
                s->p++;
                if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
                        s->p++;
                if (s->p >= s->end || *s->p < '0' || *s->p > '9')
                        return fail_at(s, begin, "bad number");
                while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
                        s->p++;
        }
        if (!integer)
                return 0;

        /* json-glib reads integers into 64 bits and wraps silently past them: 2^64 becomes 0
         * and 2^64-1 becomes -1. Refuse what does not fit in an int64, so that every integer
         * it hands us is the one written. */
        static const char max[] = "9223372036854775807", min[] = "9223372036854775808";
        const char *limit = negative ? min : max;
        if (n_digits > sizeof(max) - 1 ||
            (n_digits == sizeof(max) - 1 && memcmp(digits, limit, n_digits) > 0))
                return fail_at(s, begin, "integer %.*s out of range", (int) (s->p - begin), begin);
        return 0;
}

static int scan_literal(Scanner *s, const char *word) {
        size_t n = strlen(word);
        if ((size_t) (s->end - s->p) < n || memcmp(s->p, word, n) != 0)
                return fail_at(s, s->p, "unexpected character %s", byte_repr(*s->p, (char[8]) { 0 }));
        s->p += n;
        return 0;
}

static int key_compare(const void *a, const void *b) {
        const Key *x = a, *y = b;
        size_t n = x->len < y->len ? x->len : y->len;
        int c = memcmp(x->text, y->text, n);
        if (c != 0)
                return c;
        if (x->len != y->len)
                return x->len < y->len ? -1 : 1;
        return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int scan_value(Scanner *s);

static void keys_free(Key *keys, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(keys[i].text);
        free(keys);
}

static int check_duplicates(Scanner *s, Key *keys, size_t n) {
        qsort(keys, n, sizeof(Key), key_compare);
        for (size_t i = 1; i < n; i++)
                if (keys[i].len == keys[i - 1].len && memcmp(keys[i].text, keys[i - 1].text, keys[i].len) == 0)
                        return fail_at(s, s->start + keys[i].offset, "duplicate key \"%s\"", keys[i].text);
        return 0;
}

static int scan_object(Scanner *s) {
        Key *keys = NULL;
        size_t n = 0, allocated = 0;
        int r;

        s->p++; /* '{' */
        skip_ws(s);
        if (s->p < s->end && *s->p == '}') {
                s->p++;
                return 0;
        }
        for (;;) {
                skip_ws(s);
                if (s->p >= s->end || *s->p != '"') {
                        r = fail_at(s, s->p, "expected a string key");
                        goto finish;
                }
                if (n == allocated) {
                        size_t k = allocated ? allocated * 2 : 8;
                        Key *m = realloc(keys, k * sizeof(Key));
                        if (!m) {
                                r = -ENOMEM;
                                goto finish;
                        }
                        keys = m;
                        allocated = k;
                }
                r = scan_string(s, &keys[n]);
                if (r < 0)
                        goto finish;
                n++;
                skip_ws(s);
                if (s->p >= s->end || *s->p != ':') {
                        r = fail_at(s, s->p, "expected ':'");
                        goto finish;
                }
                s->p++;
                r = scan_value(s);
                if (r < 0)
                        goto finish;
                skip_ws(s);
                if (s->p < s->end && *s->p == ',') {
                        s->p++;
                        continue;
                }
                if (s->p < s->end && *s->p == '}') {
                        s->p++;
                        break;
                }
                r = fail_at(s, s->p, "expected ',' or '}'");
                goto finish;
        }
        r = check_duplicates(s, keys, n);
finish:
        keys_free(keys, n);
        return r;
}

static int scan_array(Scanner *s) {
        s->p++; /* '[' */
        skip_ws(s);
        if (s->p < s->end && *s->p == ']') {
                s->p++;
                return 0;
        }
        for (;;) {
                int r = scan_value(s);
                if (r < 0)
                        return r;
                skip_ws(s);
                if (s->p < s->end && *s->p == ',') {
                        s->p++;
                        continue;
                }
                if (s->p < s->end && *s->p == ']') {
                        s->p++;
                        return 0;
                }
                return fail_at(s, s->p, "expected ',' or ']'");
        }
}

static int scan_value(Scanner *s) {
        int r;
        skip_ws(s);
        if (s->p >= s->end)
                return fail_at(s, s->p, "expected a value");
        switch (*s->p) {
        case '{':
        case '[':
                if (++s->depth > JSON_GUARD_DEPTH_MAX)
                        return fail_at(s, s->p, "nested deeper than %d levels", JSON_GUARD_DEPTH_MAX);
                r = *s->p == '{' ? scan_object(s) : scan_array(s);
                s->depth--;
                return r;
        case '"':
                return scan_string(s, NULL);
        case 't':
                return scan_literal(s, "true");
        case 'f':
                return scan_literal(s, "false");
        case 'n':
                return scan_literal(s, "null");
        case '-':
        case '0' ... '9':
                return scan_number(s);
        case '/':
                return fail_at(s, s->p, "comments are not JSON");
        case '\'':
                return fail_at(s, s->p, "single quotes are not JSON");
        default:
                return fail_at(s, s->p, "unexpected character %s", byte_repr(*s->p, (char[8]) { 0 }));
        }
}

int json_guard_check(const char *data, size_t size, char **ret_error) {
        Scanner s = { .start = data, .p = data, .end = data + size, .ret_error = ret_error };

        int r = scan_value(&s);
        if (r < 0)
                return r;
        skip_ws(&s);
        if (s.p != s.end)
                return fail_at(&s, s.p, "trailing data after the document");
        return 0;
}
