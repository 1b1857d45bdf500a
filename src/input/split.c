/*
 * split.c: record boundaries in a byte stream (see split.h).
 *
 * Lines are found with memchr. A JSON value is followed byte by byte:
 * strings (with escapes) are skipped, brackets counted, and the value ends
 * when its outermost bracket closes. A closing bracket that does not match
 * the open one also ends it, so a damaged value costs that value only: the
 * JSON parser then says what is wrong with it. A CSV row ends at a newline
 * outside quotes; a quote opens a quoted field only at the start of a
 * field (as RFC 4180 and Python's csv module read it), and inside one a
 * doubled quote is a quote.
 */
#include "input/split.h"

#include <string.h>

void sd__split_init(sd_split *s, sd_split_kind kind, char delim)
{
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->delim = delim;
    s->field_start = 1;
}

void sd__split_reset(sd_split *s)
{
    uint64_t nl = s->newlines;
    sd__split_init(s, s->kind, s->delim);
    s->newlines = nl;
}

static size_t scan_line(sd_split *s, const char *p, size_t n)
{
    const char *nl = memchr(p, '\n', n);
    if (nl == NULL)
        return 0;
    s->newlines++;
    return (size_t)(nl - p) + 1;
}

/* Whether byte c ends a JSON scalar (a number or literal). */
static int scalar_end(char c)
{
    return c == ',' || c == ']' || c == '}' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t scan_json(sd_split *s, const char *p, size_t n)
{
    size_t i = 0;
    if (!s->started && n > 0) {
        s->started = 1;
        if (p[0] == '"') {
            s->scalar = 1;
            s->in_str = 1;
            i = 1;
        } else if (p[0] != '{' && p[0] != '[') {
            s->scalar = 1;
        }
    }
    for (; i < n; i++) {
        char c = p[i];
        if (c == '\n')
            s->newlines++;
        if (s->in_str) {
            if (s->esc)
                s->esc = 0;
            else if (c == '\\')
                s->esc = 1;
            else if (c == '"') {
                s->in_str = 0;
                if (s->scalar && s->depth == 0)
                    return i + 1;
            }
            continue;
        }
        if (s->scalar) {
            if (scalar_end(c)) {
                s->newlines -= c == '\n';
                return i; /* the byte after a scalar is not part of it */
            }
            continue;
        }
        if (c == '"') {
            s->in_str = 1;
        } else if (c == '{' || c == '[') {
            if (s->depth < 512) {
                uint64_t bit = (uint64_t)1 << (s->depth % 64);
                if (c == '[')
                    s->kinds[s->depth / 64] |= bit;
                else
                    s->kinds[s->depth / 64] &= ~bit;
            }
            s->depth++;
        } else if (c == '}' || c == ']') {
            int open_sq;
            if (s->depth == 0)
                return i + 1; /* a stray closer: the value is damaged */
            s->depth--;
            open_sq = s->depth < 512 && ((s->kinds[s->depth / 64] >> (s->depth % 64)) & 1);
            if (s->depth == 0 || (s->depth < 512 && open_sq != (c == ']')))
                return i + 1;
        }
    }
    return 0;
}

static size_t scan_csv(sd_split *s, const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\n')
            s->newlines++;
        if (s->quote_seen) {
            s->quote_seen = 0;
            if (c == '"')
                continue;  /* "" inside quotes: a quote */
            s->quoted = 0; /* the closing quote: c is read as outside */
        } else if (s->quoted) {
            if (c == '"')
                s->quote_seen = 1;
            continue;
        }
        if (c == '\n')
            return i + 1;
        if (c == '"' && s->field_start) {
            s->quoted = 1;
            s->field_start = 0;
            continue;
        }
        s->field_start = c == s->delim;
    }
    return 0;
}

size_t sd__split_scan(sd_split *s, const char *p, size_t n)
{
    switch (s->kind) {
    case SD_SPLIT_LINE: return scan_line(s, p, n);
    case SD_SPLIT_JSON: return scan_json(s, p, n);
    default: return scan_csv(s, p, n);
    }
}
