/*
 * out.c: buffered output with JSON escaping, and the program's messages.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_quiet;
int cli_verbose;

/* One message as one write, so that the lines of several processes (under
 * mpirun) never interleave. */
static void say(const char *prefix, const char *fmt, va_list ap)
{
    char line[1024];
    size_t n;
    int k = snprintf(line, sizeof line, "%s", prefix);
    n = k > 0 ? (size_t)k : 0;
    k = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
    if (k < 0)
        k = 0;
    n += (size_t)k < sizeof line - n - 1 ? (size_t)k : sizeof line - n - 2;
    line[n++] = '\n';
    fwrite(line, 1, n, stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say("syndic: ", fmt, ap);
    va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    if (cli_quiet)
        return;
    va_start(ap, fmt);
    say("syndic: warning: ", fmt, ap);
    va_end(ap);
}

const char *noun(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

int out_open(out *o, const char *path)
{
    memset(o, 0, sizeof *o);
    o->cap = 1 << 16;
    o->buf = malloc(o->cap);
    if (o->buf == NULL) {
        cli_error("out of memory");
        return -1;
    }
    if (path == NULL || strcmp(path, "-") == 0) {
        o->f = stdout;
        o->name = "standard output";
        return 0;
    }
    o->f = fopen(path, "wb");
    if (o->f == NULL) {
        cli_error("cannot open '%s' for writing: %s", path, strerror(errno));
        free(o->buf);
        o->buf = NULL;
        return -1;
    }
    o->name = path;
    o->owned = 1;
    return 0;
}

int out_open_mem(out *o)
{
    memset(o, 0, sizeof *o);
    o->cap = 1 << 16;
    o->buf = malloc(o->cap);
    o->name = "memory";
    if (o->buf == NULL) {
        cli_error("out of memory");
        return -1;
    }
    return 0;
}

/* In memory: room for n more bytes (0, or -1 with o->failed set). */
static int mem_room(out *o, size_t n)
{
    size_t cap = o->cap;
    char *p;
    while (cap < o->len + n)
        cap *= 2;
    if (cap == o->cap)
        return 0;
    p = realloc(o->buf, cap);
    if (p == NULL) {
        o->failed = ENOMEM;
        return -1;
    }
    o->buf = p;
    o->cap = cap;
    return 0;
}

void out_flush(out *o)
{
    if (o->f == NULL)
        return; /* in memory: the owner takes the bytes */
    if (o->len && !o->failed) {
        if (fwrite(o->buf, 1, o->len, o->f) != o->len)
            o->failed = errno ? errno : EIO;
    }
    o->len = 0;
}

void out_write(out *o, const void *p, size_t n)
{
    if (o->f == NULL && mem_room(o, n))
        return;
    if (o->len + n > o->cap) {
        out_flush(o);
        if (n > o->cap) {
            if (!o->failed && fwrite(p, 1, n, o->f) != n)
                o->failed = errno ? errno : EIO;
            return;
        }
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}

void out_str(out *o, const char *s)
{
    out_write(o, s, strlen(s));
}

void out_char(out *o, char c)
{
    if (o->f == NULL && mem_room(o, 1))
        return;
    if (o->len == o->cap)
        out_flush(o);
    o->buf[o->len++] = c;
}

void out_printf(out *o, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        out_write(o, small, (size_t)n);
    } else {
        char *big = malloc((size_t)n + 1);
        if (big == NULL) {
            o->failed = ENOMEM;
            return;
        }
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        out_write(o, big, (size_t)n);
        free(big);
    }
}

void out_u64(out *o, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    out_write(o, tmp + i, sizeof tmp - i);
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return n >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return n >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80
                   ? 4
                   : 0;
    }
    return 0;
}

void out_json_str(out *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;
    out_char(o, '"');
    while (i < n) {
        unsigned c = p[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80 &&
            !(o->html_safe && (c == '<' || c == '>' || c == '&'))) {
            run++;
            i++;
            continue;
        }
        if (run) {
            out_write(o, p + i - run, run);
            run = 0;
        }
        if (c >= 0x80) {
            size_t k = utf8_seq(p + i, n - i);
            if (k) {
                out_write(o, p + i, k);
                i += k;
            } else {
                out_write(o, "\xEF\xBF\xBD", 3);
                i++;
            }
            continue;
        }
        switch (c) {
        case '"': out_write(o, "\\\"", 2); break;
        case '\\': out_write(o, "\\\\", 2); break;
        case '\n': out_write(o, "\\n", 2); break;
        case '\r': out_write(o, "\\r", 2); break;
        case '\t': out_write(o, "\\t", 2); break;
        default: {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            out_write(o, e, 6);
        }
        }
        i++;
    }
    if (run)
        out_write(o, p + i - run, run);
    out_char(o, '"');
}

void out_json_num(out *o, double v)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%.4f", v);
    while (n > 1 && tmp[n - 1] == '0')
        n--;
    if (n > 1 && tmp[n - 1] == '.')
        n--;
    out_write(o, tmp, (size_t)n);
}

int out_close(out *o)
{
    int rc = 0;
    if (o->buf == NULL)
        return 0;
    out_flush(o);
    if (o->f == NULL) {
        free(o->buf);
        o->buf = NULL;
        return o->failed ? -1 : 0;
    }
    if (fflush(o->f) != 0 && !o->failed)
        o->failed = errno ? errno : EIO;
    if (o->owned && fclose(o->f) != 0 && !o->failed)
        o->failed = errno ? errno : EIO;
    if (o->failed) {
        cli_error("cannot write to %s: %s", o->name, strerror(o->failed));
        rc = -1;
    }
    free(o->buf);
    o->buf = NULL;
    return rc;
}
