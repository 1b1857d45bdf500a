/*
 * jsonl.c: one JSON object per line, validated in full, a few top-level
 * members decoded.
 *
 * A recursive-descent parser over the line's bytes. Strings are the hot part
 * (a corpus record is mostly one long "text" member), so plain runs are found
 * eight bytes at a time with the usual SWAR tests for '"', '\\', control
 * bytes and non-ASCII bytes, and copied to the output in one piece.
 */
#include "input/jsonl.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"
#include "syndic.h"

#define MAX_DEPTH 512

typedef struct parser {
    const unsigned char *p;
    size_t n, i;
    int repair;
    size_t nrepl;
    char *err;
    size_t errlen;
    int rc;                 /* first failure */
    sd_buf key;             /* a member name decoded, when it has escapes */
    sd_buf *names;          /* when set: the top-level member names, listed */
    sd_jsonl_field *direct; /* the field whose string may stay in the line */
} parser;

static int fail(parser *ps, int code, const char *what)
{
    if (ps->rc == 0) {
        ps->rc = code;
        if (code == SD_EFORMAT)
            snprintf(ps->err, ps->errlen, "invalid JSON at column %zu: %s", ps->i + 1, what);
        else if (code == SD_EUTF8)
            snprintf(ps->err, ps->errlen, "invalid UTF-8 at column %zu: %s", ps->i + 1, what);
        else
            snprintf(ps->err, ps->errlen, "%s", sd_strerror(code));
    }
    return ps->rc;
}

static void skip_ws(parser *ps)
{
    while (ps->i < ps->n) {
        unsigned char c = ps->p[ps->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        ps->i++;
    }
}

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Non-zero if some byte of w is below 0x20, is '"' or '\\', or has the
 * high bit set: the bytes a string scan must stop at. */
static inline uint64_t special(uint64_t w)
{
    uint64_t quote = w ^ (ONES * '"');
    uint64_t bslash = w ^ (ONES * '\\');
    uint64_t lt = (w - ONES * 0x20) & ~w;
    uint64_t q = (quote - ONES) & ~quote;
    uint64_t b = (bslash - ONES) & ~bslash;
    return (lt | q | b | w) & HIGHS;
}

static int hex4(parser *ps, size_t at, unsigned *out)
{
    unsigned v = 0, k;
    if (at + 4 > ps->n)
        return -1;
    for (k = 0; k < 4; k++) {
        unsigned c = ps->p[at + k], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    *out = v;
    return 0;
}

static int put(parser *ps, sd_buf *out, const void *s, size_t len)
{
    int rc;
    if (out == NULL || len == 0)
        return 0;
    rc = sd__buf_append(out, s, len);
    return rc ? fail(ps, rc, "") : 0;
}

/* Parses the string at ps->i (which is '"'); decodes into out when given. */
static int parse_string(parser *ps, sd_buf *out)
{
    size_t run, start;
    ps->i++;
    run = start = ps->i;
    for (;;) {
        unsigned char c;
        while (ps->i + 8 <= ps->n) {
            uint64_t w;
            memcpy(&w, ps->p + ps->i, 8);
            if (special(w))
                break;
            ps->i += 8;
        }
        if (ps->i >= ps->n)
            return fail(ps, SD_EFORMAT, "unterminated string");
        c = ps->p[ps->i];
        if (c == '"') {
            if (ps->direct && out && out->len == 0 && run == start) {
                /* nothing was unescaped or repaired: no copy */
                ps->direct->direct = (const char *)ps->p + run;
                ps->direct->direct_len = ps->i - run;
            } else if (put(ps, out, ps->p + run, ps->i - run)) {
                return ps->rc;
            }
            ps->i++;
            return 0;
        }
        if (c < 0x20)
            return fail(ps, SD_EFORMAT, "control character in string");
        if (c >= 0x80) {
            /* Non-Latin text: take characters, and single spaces between
             * words, in a tight loop rather than one 8-byte test each. */
            size_t len;
            while ((len = sd__utf8_seq(ps->p + ps->i, ps->n - ps->i)) != 0) {
                ps->i += len;
                if (ps->i + 1 < ps->n && ps->p[ps->i] == ' ' && ps->p[ps->i + 1] >= 0x80)
                    ps->i++;
                else if (ps->i >= ps->n || ps->p[ps->i] < 0x80)
                    break;
            }
            if (len)
                continue;
            if (!ps->repair)
                return fail(ps, SD_EUTF8, "invalid byte in string");
            if (put(ps, out, ps->p + run, ps->i - run) || put(ps, out, "\xEF\xBF\xBD", 3))
                return ps->rc;
            ps->nrepl++;
            ps->i += sd__utf8_bad(ps->p + ps->i, ps->n - ps->i);
            run = ps->i;
            continue;
        }
        if (c == '\\') {
            unsigned char e;
            char one;
            if (put(ps, out, ps->p + run, ps->i - run))
                return ps->rc;
            if (ps->i + 1 >= ps->n)
                return fail(ps, SD_EFORMAT, "unterminated string");
            e = ps->p[ps->i + 1];
            switch (e) {
            case '"': one = '"'; break;
            case '\\': one = '\\'; break;
            case '/': one = '/'; break;
            case 'b': one = '\b'; break;
            case 'f': one = '\f'; break;
            case 'n': one = '\n'; break;
            case 'r': one = '\r'; break;
            case 't': one = '\t'; break;
            case 'u': {
                unsigned u, lo;
                char enc[4];
                size_t k;
                if (hex4(ps, ps->i + 2, &u))
                    return fail(ps, SD_EFORMAT, "bad \\u escape");
                ps->i += 6;
                if (u >= 0xD800 && u <= 0xDBFF) {
                    if (ps->i + 1 < ps->n && ps->p[ps->i] == '\\' && ps->p[ps->i + 1] == 'u' &&
                        hex4(ps, ps->i + 2, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
                        u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                        ps->i += 6;
                    } else {
                        return fail(ps, SD_EFORMAT, "unpaired surrogate in \\u escape");
                    }
                } else if (u >= 0xDC00 && u <= 0xDFFF) {
                    return fail(ps, SD_EFORMAT, "unpaired surrogate in \\u escape");
                }
                k = sd__utf8_encode(u, enc);
                if (put(ps, out, enc, k))
                    return ps->rc;
                run = ps->i;
                continue;
            }
            default: ps->i++; return fail(ps, SD_EFORMAT, "bad escape in string");
            }
            if (put(ps, out, &one, 1))
                return ps->rc;
            ps->i += 2;
            run = ps->i;
            continue;
        }
        ps->i++; /* a plain byte the 8-byte test stopped near */
    }
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Parses a number; its text goes to out when given. */
static int parse_number(parser *ps, sd_buf *out)
{
    size_t start = ps->i;
    if (ps->i < ps->n && ps->p[ps->i] == '-')
        ps->i++;
    if (ps->i >= ps->n || !is_digit(ps->p[ps->i]))
        return fail(ps, SD_EFORMAT, "bad number");
    if (ps->p[ps->i] == '0')
        ps->i++;
    else
        while (ps->i < ps->n && is_digit(ps->p[ps->i]))
            ps->i++;
    if (ps->i < ps->n && ps->p[ps->i] == '.') {
        ps->i++;
        if (ps->i >= ps->n || !is_digit(ps->p[ps->i]))
            return fail(ps, SD_EFORMAT, "bad number");
        while (ps->i < ps->n && is_digit(ps->p[ps->i]))
            ps->i++;
    }
    if (ps->i < ps->n && (ps->p[ps->i] == 'e' || ps->p[ps->i] == 'E')) {
        ps->i++;
        if (ps->i < ps->n && (ps->p[ps->i] == '+' || ps->p[ps->i] == '-'))
            ps->i++;
        if (ps->i >= ps->n || !is_digit(ps->p[ps->i]))
            return fail(ps, SD_EFORMAT, "bad number");
        while (ps->i < ps->n && is_digit(ps->p[ps->i]))
            ps->i++;
    }
    return put(ps, out, ps->p + start, ps->i - start);
}

static int parse_literal(parser *ps, const char *word, size_t len)
{
    if (ps->n - ps->i < len || memcmp(ps->p + ps->i, word, len) != 0)
        return fail(ps, SD_EFORMAT, "unexpected character");
    ps->i += len;
    return 0;
}

static int parse_value(parser *ps, int depth, sd_jsonl_field *f);

/* Adds a member name, quoted, to a list that stops growing at 200 bytes
 * (a message names the members a record has, not all of a huge one). */
static void list_name(sd_buf *b, const char *name, size_t n)
{
    size_t k;
    if (b->len >= 200) {
        if (memcmp(b->p + b->len - 3, "...", 3) != 0)
            sd__buf_append(b, ", ...", 5);
        return;
    }
    if (b->len)
        sd__buf_append(b, ", ", 2);
    sd__buf_putc(b, '"');
    for (k = 0; k < n && k < 64; k++)
        sd__buf_putc(b, (unsigned char)name[k] < 0x20 || name[k] == '"' ? '?' : name[k]);
    sd__buf_putc(b, '"');
}

static int parse_object(parser *ps, int depth, sd_jsonl_field *fields, size_t nf)
{
    ps->i++; /* '{' */
    skip_ws(ps);
    if (ps->i < ps->n && ps->p[ps->i] == '}') {
        ps->i++;
        return 0;
    }
    for (;;) {
        size_t key_start, key_end, k, name_len;
        const char *name;
        sd_jsonl_field *hit = NULL;
        skip_ws(ps);
        if (ps->i >= ps->n || ps->p[ps->i] != '"')
            return fail(ps, SD_EFORMAT, "expected a member name");
        key_start = ps->i + 1;
        if (parse_string(ps, NULL))
            return ps->rc;
        key_end = ps->i - 1;
        name = (const char *)ps->p + key_start;
        name_len = key_end - key_start;
        if (fields && memchr(name, '\\', name_len)) {
            /* A name written with escapes ("t\u0065xt") is compared in its
             * decoded form, as any JSON reader would. */
            size_t end = ps->i, nrepl = ps->nrepl;
            sd__buf_reset(&ps->key);
            ps->i = key_start - 1;
            if (parse_string(ps, &ps->key))
                return ps->rc;
            ps->i = end;
            ps->nrepl = nrepl;
            name = ps->key.p;
            name_len = ps->key.len;
        }
        if (ps->names && depth == 1)
            list_name(ps->names, name, name_len);
        for (k = 0; fields && k < nf; k++)
            if (fields[k].name_len == name_len && memcmp(fields[k].name, name, name_len) == 0)
                hit = &fields[k];
        skip_ws(ps);
        if (ps->i >= ps->n || ps->p[ps->i] != ':')
            return fail(ps, SD_EFORMAT, "expected ':'");
        ps->i++;
        skip_ws(ps);
        if (parse_value(ps, depth + 1, hit))
            return ps->rc;
        skip_ws(ps);
        if (ps->i < ps->n && ps->p[ps->i] == ',') {
            ps->i++;
            continue;
        }
        if (ps->i < ps->n && ps->p[ps->i] == '}') {
            ps->i++;
            return 0;
        }
        return fail(ps, SD_EFORMAT, "expected ',' or '}'");
    }
}

static int parse_array(parser *ps, int depth)
{
    ps->i++; /* '[' */
    skip_ws(ps);
    if (ps->i < ps->n && ps->p[ps->i] == ']') {
        ps->i++;
        return 0;
    }
    for (;;) {
        skip_ws(ps);
        if (parse_value(ps, depth + 1, NULL))
            return ps->rc;
        skip_ws(ps);
        if (ps->i < ps->n && ps->p[ps->i] == ',') {
            ps->i++;
            continue;
        }
        if (ps->i < ps->n && ps->p[ps->i] == ']') {
            ps->i++;
            return 0;
        }
        return fail(ps, SD_EFORMAT, "expected ',' or ']'");
    }
}

/* Parses any value; when f is given, records its kind and decodes strings
 * and numbers into f->value. */
static int parse_value(parser *ps, int depth, sd_jsonl_field *f)
{
    unsigned char c;
    int rc;
    if (depth > MAX_DEPTH)
        return fail(ps, SD_EFORMAT, "nesting too deep");
    if (ps->i >= ps->n)
        return fail(ps, SD_EFORMAT, "expected a value");
    c = ps->p[ps->i];
    if (f) {
        /* A decoded value is never a NULL pointer, even when empty. */
        if (sd__buf_reserve(f->value, 0))
            return fail(ps, SD_ENOMEM, "");
        sd__buf_reset(f->value);
        f->kind = SD_JSONL_OTHER;
        f->direct = NULL;
    }
    switch (c) {
    case '"':
        if (f == NULL)
            return parse_string(ps, NULL);
        f->kind = SD_JSONL_STRING;
        f->direct = NULL;
        ps->direct = f->direct_ok ? f : NULL;
        rc = parse_string(ps, f->value);
        ps->direct = NULL;
        if (rc) {
            /* A string that broke halfway is no value: an error record
             * must not take a partial id from it. */
            f->kind = SD_JSONL_OTHER;
            f->direct = NULL;
            sd__buf_reset(f->value);
        }
        return ps->rc;
    case '{': return parse_object(ps, depth, NULL, 0);
    case '[': return parse_array(ps, depth);
    case 't': return parse_literal(ps, "true", 4);
    case 'f': return parse_literal(ps, "false", 5);
    case 'n': return parse_literal(ps, "null", 4);
    default:
        if (c == '-' || is_digit(c)) {
            if (f)
                f->kind = SD_JSONL_NUMBER;
            return parse_number(ps, f ? f->value : NULL);
        }
        return fail(ps, SD_EFORMAT, "unexpected character");
    }
}

int sd__jsonl_members(const char *p, size_t n, sd_buf *names)
{
    char err[8];
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.p = (const unsigned char *)p;
    ps.n = n;
    ps.repair = 1;
    ps.err = err;
    ps.errlen = sizeof err;
    ps.names = names;
    sd__buf_init(&ps.key, 0);
    sd__buf_reset(names);
    skip_ws(&ps);
    if (ps.i < n && ps.p[ps.i] == '{')
        parse_object(&ps, 1, NULL, 0);
    sd__buf_release(&ps.key);
    return sd__buf_reserve(names, 0);
}

int sd__jsonl_parse(const char *p, size_t n, sd_jsonl_field *fields, size_t nf, int repair,
                    size_t *nrepl, char *err, size_t errlen)
{
    parser ps;
    size_t k;
    memset(&ps, 0, sizeof ps);
    ps.p = (const unsigned char *)p;
    ps.n = n;
    ps.repair = repair;
    ps.err = err;
    ps.errlen = errlen;
    sd__buf_init(&ps.key, 0);
    for (k = 0; k < nf; k++) {
        fields[k].kind = SD_JSONL_ABSENT;
        fields[k].direct = NULL;
        fields[k].direct_len = 0;
        sd__buf_reset(fields[k].value);
    }
    skip_ws(&ps);
    if (ps.i >= n || ps.p[ps.i] != '{') {
        fail(&ps, SD_EFORMAT, ps.i >= n ? "empty record" : "a record must be a JSON object");
        goto done;
    }
    if (parse_object(&ps, 1, fields, nf))
        goto done;
    skip_ws(&ps);
    if (ps.i < n)
        fail(&ps, SD_EFORMAT, "unexpected data after the object");
done:
    sd__buf_release(&ps.key);
    if (nrepl)
        *nrepl = ps.nrepl;
    return ps.rc;
}
