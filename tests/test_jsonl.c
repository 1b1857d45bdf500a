/*
 * test_jsonl.c: the hand-written JSONL parser against jansson, and the
 * reader's records and error records.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "input/jsonl.h"
#include "syndic.h"
#include "test.h"
#include "base/utf8.h"

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    return sd_test_xorshift(&state);
}

typedef struct parsed {
    int rc;
    sd_buf id, text;
    int id_kind, text_kind;
    char err[160];
} parsed;

static void parse(parsed *o, const char *line, size_t n)
{
    sd_jsonl_field f[2] = {{0}};
    sd__buf_init(&o->id, 0);
    sd__buf_init(&o->text, 0);
    f[0].name = "id";
    f[0].name_len = 2;
    f[0].value = &o->id;
    f[1].name = "text";
    f[1].name_len = 4;
    f[1].value = &o->text;
    o->rc = sd__jsonl_parse(line, n, f, 2, 0, NULL, o->err, sizeof o->err);
    o->id_kind = f[0].kind;
    o->text_kind = f[1].kind;
}

static void release(parsed *o)
{
    sd__buf_release(&o->id);
    sd__buf_release(&o->text);
}

TEST(jsonl_fields_and_escapes)
{
    static const char line[] =
        "{\"id\": 42, \"meta\": {\"text\": \"nested, ignored\", \"a\": [1, 2.5e3, true, null]},"
        " \"text\": \"caf\\u00e9 \\\"q\\\" \\\\ \\/ \\n\\t \\ud83d\\ude00 \xe6\x9d\xb1\"}";
    parsed o;
    parse(&o, line, sizeof line - 1);
    CHECK_EQ_INT(o.rc, 0);
    CHECK_EQ_INT(o.id_kind, SD_JSONL_NUMBER);
    CHECK_EQ_MEM(o.id.p, o.id.len, "42");
    CHECK_EQ_INT(o.text_kind, SD_JSONL_STRING);
    CHECK_EQ_MEM(o.text.p, o.text.len,
                 "caf\xc3\xa9 \"q\" \\ / \n\t \xf0\x9f\x98\x80 \xe6\x9d\xb1");
    release(&o);
}

TEST(jsonl_errors_name_the_column)
{
    static const struct {
        const char *line, *msg;
        int rc;
    } cases[] = {
        {"{\"id\" 1}", "invalid JSON at column 7: expected ':'", SD_EFORMAT},
        {"{\"text\": \"abc}", "invalid JSON at column 15: unterminated string", SD_EFORMAT},
        {"[1, 2]", "invalid JSON at column 1: a record must be a JSON object", SD_EFORMAT},
        {"{\"a\": 1} x", "invalid JSON at column 10: unexpected data after the object", SD_EFORMAT},
        {"{\"a\": 01}", "invalid JSON at column 8: expected ',' or '}'", SD_EFORMAT},
        {"{\"a\": \"\\ud800\"}", "invalid JSON at column 14: unpaired surrogate in \\u escape",
         SD_EFORMAT},
        {"{\"a\": \"\xff\"}", "invalid UTF-8 at column 8: invalid byte in string", SD_EUTF8},
        {"{\"a\": tru}", "invalid JSON at column 7: unexpected character", SD_EFORMAT},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        parsed o;
        parse(&o, cases[i].line, strlen(cases[i].line));
        CHECK_EQ_INT(o.rc, cases[i].rc);
        CHECK_EQ_STR(o.err, cases[i].msg);
        release(&o);
    }
}

TEST(jsonl_repairs_utf8_when_asked)
{
    sd_jsonl_field f[1] = {{0}};
    sd_buf b;
    char err[100];
    size_t nrepl = 0;
    static const char line[] = "{\"text\": \"a\xff" "b\xc3\"}";
    sd__buf_init(&b, 0);
    f[0].name = "text";
    f[0].name_len = 4;
    f[0].value = &b;
    CHECK_EQ_INT(sd__jsonl_parse(line, sizeof line - 1, f, 1, 1, &nrepl, err, sizeof err), 0);
    CHECK_EQ_MEM(b.p, b.len, "a\xef\xbf\xbd" "b\xef\xbf\xbd");
    CHECK_EQ_U64(nrepl, 2);
    sd__buf_release(&b);
}

/* A random JSON value as text: nesting, escapes, numbers, non-ASCII. */
static void gen_value(sd_buf *b, int depth)
{
    static const char *const atoms[] = {"true", "false", "null", "0", "-12", "3.25",
                                        "1e5", "-0.5E-3", "123456789"};
    static const char *const pieces[] = {"plain", " ", "\\n", "\\\"", "\\\\", "\\/",
                                         "\\u00e9", "\\ud83d\\ude00", "\xc3\xa9", "\xe4\xb8\xad",
                                         "\\t", "x", "\\u0041", "\\u0000", "\xf0\x9f\x98\x80",
                                         "\\uDBFF\\uDFFF", "\\b\\f\\r"};
    unsigned k = (unsigned)(rnd() % (depth > 3 ? 2 : 4));
    size_t i, n;
    if (k == 0) {
        const char *a = atoms[rnd() % 9];
        sd__buf_append(b, a, strlen(a));
    } else if (k == 1) {
        sd__buf_putc(b, '"');
        n = rnd() % 12;
        for (i = 0; i < n; i++) {
            const char *p = pieces[rnd() % 17];
            sd__buf_append(b, p, strlen(p));
        }
        sd__buf_putc(b, '"');
    } else if (k == 2) {
        sd__buf_putc(b, '[');
        n = rnd() % 4;
        for (i = 0; i < n; i++) {
            if (i)
                sd__buf_append(b, ", ", 1 + rnd() % 2);
            gen_value(b, depth + 1);
        }
        sd__buf_putc(b, ']');
    } else {
        static const char *const keys[] = {"\"id\"", "\"text\"", "\"k\"", "\"t\\u0065xt\""};
        sd__buf_putc(b, '{');
        n = rnd() % 4;
        for (i = 0; i < n; i++) {
            const char *key = keys[rnd() % 4];
            if (i)
                sd__buf_putc(b, ',');
            sd__buf_append(b, key, strlen(key));
            sd__buf_append(b, " : ", 1 + rnd() % 3);
            gen_value(b, depth + 1);
        }
        sd__buf_putc(b, '}');
    }
}

/* Random lines, and the same lines with one byte changed, dropped or
 * inserted (mutations make numbers like 1e3456789, which jansson refuses): our accept/reject decision and the decoded top-level fields
 * must equal jansson's. */
TEST(jsonl_agrees_with_jansson)
{
    int t, disagree = 0, accepted = 0, rejected = 0;
    static const char mutations[] = "{}[]\",:\\ x0-e.\x80\xff\x01\t\xc3\xed\xf4u";
    for (t = 0; t < 20000; t++) {
        sd_buf line;
        parsed o;
        json_error_t jerr;
        json_t *j;
        int jok;
        sd__buf_init(&line, 0);
        sd__buf_putc(&line, '{');
        /* member names sometimes spelled with escapes, sometimes repeated
         * (the last one counts, as in jansson) */
        if (t % 5 == 2)
            sd__buf_append(&line, "\"\\u0069d\": ", 11);
        else
            sd__buf_append(&line, "\"id\": ", 6);
        gen_value(&line, 1);
        if (t % 5 == 3)
            sd__buf_append(&line, ", \"t\\u0065xt\": ", 15);
        else
            sd__buf_append(&line, ", \"text\": ", 10);
        gen_value(&line, 1);
        if (t % 7 == 4) {
            sd__buf_append(&line, ", \"text\": ", 10);
            gen_value(&line, 1);
        }
        sd__buf_putc(&line, '}');
        if (t % 2) {
            size_t at = (size_t)(rnd() % line.len);
            switch (rnd() % 3) {
            case 0: line.p[at] = mutations[rnd() % (sizeof mutations - 1)]; break;
            case 1:
                memmove(line.p + at, line.p + at + 1, line.len - at - 1);
                line.len--;
                break;
            default:
                sd__buf_putc(&line, ' ');
                memmove(line.p + at + 1, line.p + at, line.len - at - 1);
                line.p[at] = mutations[rnd() % (sizeof mutations - 1)];
            }
        }
        parse(&o, line.p, line.len);
        j = json_loadb(line.p, line.len, JSON_ALLOW_NUL | JSON_DECODE_ANY, &jerr);
        jok = j != NULL && json_is_object(j);
        /* jansson refuses numbers beyond the range of a double or int64,
         * which JSON itself allows: no verdict on those lines. */
        if (j == NULL && (strstr(jerr.text, "overflow") || strstr(jerr.text, "too big"))) {
            release(&o);
            sd__buf_release(&line);
            continue;
        }
        if (jok != (o.rc == 0)) {
            if (disagree < 5)
                fprintf(stderr, "disagree (ours %d, jansson %d): %.*s\n", o.rc, jok,
                        (int)line.len, line.p);
            disagree++;
        } else if (jok) {
            json_t *text = json_object_get(j, "text"), *id = json_object_get(j, "id");
            accepted++;
            if (json_is_string(text) != (o.text_kind == SD_JSONL_STRING) ||
                (json_is_string(text) &&
                 (json_string_length(text) != o.text.len ||
                  memcmp(json_string_value(text), o.text.p, o.text.len) != 0)))
                disagree++;
            if (json_is_string(id) != (o.id_kind == SD_JSONL_STRING) ||
                (json_is_string(id) && (json_string_length(id) != o.id.len ||
                                        memcmp(json_string_value(id), o.id.p, o.id.len) != 0)))
                disagree++;
        } else {
            rejected++;
        }
        json_decref(j);
        release(&o);
        sd__buf_release(&line);
    }
    CHECK_EQ_INT(disagree, 0);
    CHECK(accepted > 5000);
    CHECK(rejected > 3000);
}

/* With repair on, a string of random bytes (no quote, backslash or control
 * byte) decodes exactly as sd__utf8_repair repairs it, with the same count. */
TEST(jsonl_repair_equals_utf8_repair)
{
    int t;
    for (t = 0; t < 3000; t++) {
        sd_buf line, want, got;
        sd_jsonl_field f[1] = {{0}};
        char err[160];
        size_t nrepl = 0, wrepl = 0, start, i, n = (size_t)(rnd() % 40);
        int rc;
        sd__buf_init(&line, 0);
        sd__buf_init(&want, 0);
        sd__buf_init(&got, 0);
        sd__buf_append(&line, "{\"text\":\"", 9);
        start = line.len;
        for (i = 0; i < n; i++) {
            unsigned char c = (unsigned char)(rnd() % 4 ? 0x80 + rnd() % 0x80 : 0x20 + rnd() % 0x60);
            if (c == '"' || c == '\\')
                c = 'q';
            sd__buf_putc(&line, (char)c);
        }
        CHECK_EQ_INT(sd__utf8_repair(line.p + start, line.len - start, &want, &wrepl), 0);
        sd__buf_append(&line, "\"}", 2);
        f[0].name = "text";
        f[0].name_len = 4;
        f[0].value = &got;
        rc = sd__jsonl_parse(line.p, line.len, f, 1, 1, &nrepl, err, sizeof err);
        CHECK_EQ_INT(rc, 0);
        CHECK_EQ_U64(nrepl, wrepl);
        CHECK(got.len == want.len && (got.len == 0 || memcmp(got.p, want.p, got.len) == 0));
        sd__buf_release(&line);
        sd__buf_release(&want);
        sd__buf_release(&got);
    }
}

/* With direct_ok, a string that needs no unescaping stays in the line (no
 * copy); one with an escape or a repair is decoded into the buffer. */
TEST(jsonl_direct_strings)
{
    static const char plain[] = "{\"text\": \"caf\xc3\xa9 au lait\", \"text\": \"x\"}";
    static const char esc[] = "{\"text\": \"a\\nb\"}";
    sd_jsonl_field f[1] = {{0}};
    sd_buf b;
    char err[100];
    sd__buf_init(&b, 0);
    f[0].name = "text";
    f[0].name_len = 4;
    f[0].value = &b;
    f[0].direct_ok = 1;
    CHECK_EQ_INT(sd__jsonl_parse(plain, sizeof plain - 1, f, 1, 0, NULL, err, sizeof err), 0);
    CHECK_EQ_INT(f[0].kind, SD_JSONL_STRING);
    CHECK(f[0].direct == plain + 35); /* the last "text" wins */
    CHECK_EQ_U64(f[0].direct_len, 1);
    CHECK_EQ_U64(b.len, 0);
    CHECK_EQ_INT(sd__jsonl_parse(esc, sizeof esc - 1, f, 1, 0, NULL, err, sizeof err), 0);
    CHECK(f[0].direct == NULL);
    CHECK_EQ_STR(b.p, "a\nb");
    sd__buf_release(&b);
}
