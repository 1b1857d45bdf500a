/*
 * test_formats.c: inputs as they come: the format told from the content
 * (JSON Lines under any name, a JSON array, HTML, WARC), JSON arrays and
 * pretty-printed JSON read value by value, CSV and TSV with quoted fields,
 * files that are not text refused, a FIFO in a walked directory refused,
 * and compressed streams whose damage keeps what decoded before it (zstd
 * frames, gzip members, pzstd's skippable frame).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "input/split.h"
#include "syndic.h"
#include "test.h"

typedef struct rc_ {
    char id[64], text[256], msg[256];
    int error;
    sd_format format;
    uint64_t line, offset;
} rcopy;

static const char *tmp(const char *name)
{
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/formats_%s", sd_test_tmpdir(), name);
    return buf[k];
}

static void put(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        CHECK_EQ_U64(fwrite(p, 1, n, f), n);
        fclose(f);
    }
}

/* Reads every record of `path` (format forced unless AUTO, max_record
 * when not 0), checking the invariants each record keeps. */
static size_t read_fmt(const char *path, sd_format fmt, size_t max_record, rcopy *v, size_t max)
{
    sd_reader_options o;
    sd_reader *r;
    sd_record rec;
    size_t n = 0;
    int rc;
    sd_reader_options_init(&o);
    o.format = fmt;
    if (max_record)
        o.max_record = max_record;
    CHECK_EQ_INT(sd_reader_new(&o, &r, NULL), 0);
    CHECK_EQ_INT(sd_reader_add(r, path), 0);
    while ((rc = sd_reader_next(r, &rec)) == 1) {
        CHECK_EQ_U64(rec.index, n);
        CHECK((rec.error != 0) == (rec.errmsg != NULL));
        if (n < max) {
            snprintf(v[n].id, sizeof v[n].id, "%.*s", (int)rec.id_len, rec.id);
            snprintf(v[n].text, sizeof v[n].text, "%.*s", (int)rec.text_len,
                     rec.text ? rec.text : "");
            snprintf(v[n].msg, sizeof v[n].msg, "%s", rec.errmsg ? rec.errmsg : "");
            v[n].error = rec.error;
            v[n].format = rec.format;
            v[n].line = rec.line;
            v[n].offset = rec.offset;
        }
        n++;
    }
    CHECK_EQ_INT(rc, 0);
    sd_reader_free(r);
    return n;
}

TEST(formats_json_lines_under_any_name)
{
    static const char lines[] = "{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":\"b\",\"text\":\"two\"}\n";
    static const char *const names[] = {"data.json", "d.jsonlines", "d.ndjson", "d.txt", "d"};
    rcopy v[4];
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        put(tmp(names[i]), lines, sizeof lines - 1);
        CHECK_EQ_U64(read_fmt(tmp(names[i]), SD_FORMAT_AUTO, 0, v, 4), 2);
        CHECK_EQ_STR(v[1].text, "two");
        CHECK_EQ_INT(v[1].format, SD_FORMAT_JSONL);
    }
    /* a byte order mark first (Windows tools): still JSON Lines */
    put(tmp("bom.txt"), "\xEF\xBB\xBF{\"id\":\"a\",\"text\":\"one\"}\n", 27);
    CHECK_EQ_U64(read_fmt(tmp("bom.txt"), SD_FORMAT_AUTO, 0, v, 4), 1);
    CHECK_EQ_STR(v[0].text, "one");
    CHECK_EQ_U64(v[0].offset, 3);
    /* gzip'd under .json.gz */
    {
        unsigned char gz[256];
        uLongf n = sizeof gz;
        z_stream z;
        memset(&z, 0, sizeof z);
        deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
        z.next_in = (Bytef *)(uintptr_t)lines;
        z.avail_in = sizeof lines - 1;
        z.next_out = gz;
        z.avail_out = (uInt)n;
        CHECK_EQ_INT(deflate(&z, Z_FINISH), Z_STREAM_END);
        put(tmp("data.json.gz"), gz, z.total_out);
        deflateEnd(&z);
        CHECK_EQ_U64(read_fmt(tmp("data.json.gz"), SD_FORMAT_AUTO, 0, v, 4), 2);
        CHECK_EQ_STR(v[0].id, "a");
    }
}

TEST(formats_json_array_value_by_value)
{
    /* brackets and quotes inside strings, nested values, escapes, a
     * non-object element, a missing comma, junk after the array */
    static const char arr[] = "[\n"
                              "  {\"id\": \"a\", \"text\": \"x ] } [ {\", \"n\": [1, {\"k\": [2]}]},\n"
                              "  {\"id\": \"b\", \"text\": \"say \\\"hi\\\" \\\\\"},\n"
                              "  42,\n"
                              "  {\"id\": \"c\", \"text\": \"three\"}\n"
                              "  {\"id\": \"d\", \"text\": \"four\"}\n"
                              "]\n";
    rcopy v[8];
    size_t n;
    put(tmp("arr.json"), arr, sizeof arr - 1);
    n = read_fmt(tmp("arr.json"), SD_FORMAT_AUTO, 0, v, 8);
    CHECK_EQ_U64(n, 6);
    CHECK_EQ_STR(v[0].text, "x ] } [ {");
    CHECK_EQ_U64(v[0].line, 2);
    CHECK_EQ_U64(v[0].offset, 4);
    CHECK_EQ_INT(v[0].format, SD_FORMAT_JSON);
    CHECK_EQ_STR(v[1].text, "say \"hi\" \\");
    CHECK_EQ_U64(v[1].line, 3);
    CHECK_EQ_INT(v[2].error, SD_EFORMAT);
    CHECK_EQ_STR(v[2].msg, "invalid JSON at column 1: a record must be a JSON object");
    CHECK_EQ_U64(v[2].line, 4);
    CHECK_EQ_STR(v[3].text, "three");
    CHECK_EQ_INT(v[4].error, SD_EFORMAT); /* the comma that is not there */
    CHECK_EQ_STR(v[4].msg, "invalid JSON: expected ',' or ']' after a value");
    CHECK_EQ_STR(v[5].text, "four");
    CHECK_EQ_U64(v[5].line, 6);

    /* not closed; and pretty-printed objects one after another */
    put(tmp("open.json"), "[{\"id\":\"a\",\"text\":\"x\"},", 22);
    n = read_fmt(tmp("open.json"), SD_FORMAT_AUTO, 0, v, 8);
    CHECK_EQ_U64(n, 2);
    CHECK_EQ_INT(v[1].error, SD_ETRUNC);
    {
        static const char pretty[] = "{\n  \"id\": \"a\",\n  \"text\": \"x\"\n}\n{\n  \"text\": \"y\"\n}\n";
        put(tmp("pretty.json"), pretty, sizeof pretty - 1);
    }
    n = read_fmt(tmp("pretty.json"), SD_FORMAT_AUTO, 0, v, 8);
    CHECK_EQ_U64(n, 2);
    CHECK_EQ_STR(v[1].text, "y");
    CHECK_EQ_U64(v[1].line, 5);
    /* an element over max_record is passed over, the next still read; an
     * empty array gives nothing */
    {
        size_t big = 5000, k;
        char *p = malloc(big + 100);
        size_t m = (size_t)snprintf(p, 100, "[{\"text\":\"");
        for (k = 0; k < big; k++)
            p[m++] = 'w';
        m += (size_t)snprintf(p + m, 100, "\"},{\"id\":\"z\",\"text\":\"ok\"}]");
        put(tmp("big.json"), p, m);
        n = read_fmt(tmp("big.json"), SD_FORMAT_AUTO, 1000, v, 8);
        CHECK_EQ_U64(n, 2);
        CHECK_EQ_INT(v[0].error, SD_ETOOBIG);
        CHECK_EQ_STR(v[1].id, "z");
        free(p);
    }
    put(tmp("empty.json"), " [ ] ", 5);
    CHECK_EQ_U64(read_fmt(tmp("empty.json"), SD_FORMAT_AUTO, 0, v, 8), 0);
}

TEST(formats_csv_and_tsv)
{
    static const char csv[] = "id,title,text\r\n"
                              "1,First,\"Hello, world\"\r\n"
                              "2,Second,\"Line one\nline \"\"two\"\"\"\r\n"
                              "\r\n"
                              "3,Short\r\n"
                              "4,Bad,\"x\"y\r\n"
                              "5,Last,\"no end\r\n";
    static const char tsv[] = "text\tid\n\"a\tb\"\tt1\nplain\tt2\n";
    rcopy v[8];
    size_t n;
    put(tmp("t.csv"), csv, sizeof csv - 1);
    n = read_fmt(tmp("t.csv"), SD_FORMAT_AUTO, 0, v, 8);
    CHECK_EQ_U64(n, 5);
    CHECK_EQ_STR(v[0].id, "1");
    CHECK_EQ_STR(v[0].text, "Hello, world");
    CHECK_EQ_U64(v[0].line, 2);
    CHECK_EQ_U64(v[0].offset, 15);
    CHECK_EQ_INT(v[0].format, SD_FORMAT_CSV);
    CHECK_EQ_STR(v[1].text, "Line one\nline \"two\"");
    CHECK_EQ_U64(v[1].line, 3);
    CHECK_EQ_INT(v[2].error, SD_EFORMAT);
    CHECK_EQ_STR(v[2].msg, "row has 2 fields, the header 3");
    CHECK_EQ_U64(v[2].line, 6);
    CHECK_EQ_STR(v[3].msg, "unexpected 'y' after the closing quote at column 10");
    CHECK_EQ_STR(v[4].msg, "quoted field at column 8 is not closed");
    put(tmp("t.tsv"), tsv, sizeof tsv - 1);
    n = read_fmt(tmp("t.tsv"), SD_FORMAT_AUTO, 0, v, 8);
    CHECK_EQ_U64(n, 2);
    CHECK_EQ_STR(v[0].text, "a\tb");
    CHECK_EQ_STR(v[0].id, "t1");
    CHECK_EQ_INT(v[0].format, SD_FORMAT_TSV);
    /* a missing column names those there are; forced CSV on any name */
    put(tmp("cols.data"), "id,content\n1,abc\n", 17);
    n = read_fmt(tmp("cols.data"), SD_FORMAT_CSV, 0, v, 8);
    CHECK_EQ_U64(n, 1);
    CHECK_EQ_INT(v[0].error, SD_EMISSING);
    CHECK_EQ_STR(v[0].id, "1");
    CHECK_EQ_STR(v[0].msg, "missing column \"text\"; the header has \"id\", \"content\"");
}

TEST(formats_not_text_refused)
{
    static const struct {
        const char *name, *bytes, *want;
        size_t n;
    } cases[] = {
        {"a.png", "\x89PNG\r\n\x1a\n\0\0", "a PNG image", 10},
        {"a.parquet", "PAR1\x15\x04", "a Parquet file", 6},
        {"liba.a", "!<arch>\nx.o/", "an ar archive", 12},
        {"a.pdf", "%PDF-1.7\n", "a PDF document", 9},
        {"a.txt", "\x7f" "ELF\x02\x01\x01", "an ELF program", 7},
        {"b.txt", "text\0with a NUL", "binary data (a NUL byte at byte 4)", 15},
    };
    rcopy v[2];
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char want[256];
        put(tmp(cases[i].name), cases[i].bytes, cases[i].n);
        CHECK_EQ_U64(read_fmt(tmp(cases[i].name), SD_FORMAT_AUTO, 0, v, 2), 1);
        CHECK_EQ_INT(v[0].error, SD_EFORMAT);
        snprintf(want, sizeof want, "'%s' is not text: it looks like %s", tmp(cases[i].name),
                 cases[i].want);
        CHECK(strncmp(v[0].msg, want, strlen(want)) == 0);
        /* forcing a text format does not make a known binary format
         * text; a NUL byte alone is then the text's business */
        CHECK_EQ_U64(read_fmt(tmp(cases[i].name), SD_FORMAT_TEXT, 0, v, 2), 1);
        CHECK_EQ_INT(v[0].error, strstr(cases[i].want, "NUL") ? 0 : SD_EFORMAT);
    }
    /* UTF-16 text has NUL bytes and a byte order mark: it is text */
    put(tmp("u16.txt"), "\xff\xfeh\0i\0", 6);
    CHECK_EQ_U64(read_fmt(tmp("u16.txt"), SD_FORMAT_AUTO, 0, v, 2), 1);
    CHECK_EQ_INT(v[0].error, 0);
}

TEST(formats_fifo_in_a_directory)
{
    char dir[512], path[600];
    rcopy v[4];
    size_t n;
    snprintf(dir, sizeof dir, "%s/fifo_dir", sd_test_tmpdir());
    CHECK_EQ_INT(mkdir(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/a.txt", dir);
    put(path, "hello", 5);
    snprintf(path, sizeof path, "%s/b.pipe", dir);
    CHECK_EQ_INT(mkfifo(path, 0600), 0);
    n = read_fmt(dir, SD_FORMAT_AUTO, 0, v, 4); /* would block forever if opened */
    CHECK_EQ_U64(n, 2);
    CHECK_EQ_STR(v[0].text, "hello");
    CHECK_EQ_INT(v[1].error, SD_EIO);
    CHECK(strstr(v[1].msg, "is a FIFO, not a regular file") != NULL);
    unlink(path);
}

/* n lines of JSONL into buf; returns the length. */
static size_t make_lines(char *buf, size_t cap, size_t n, size_t first)
{
    size_t len = 0, i;
    for (i = first; i < first + n; i++)
        len += (size_t)snprintf(buf + len, cap - len,
                                "{\"id\":\"r%zu\",\"text\":\"record %zu %llu\"}\n", i, i,
                                (unsigned long long)(i * 2654435761u % 1000003u));
    return len;
}

TEST(formats_zstd_damage_keeps_what_decoded)
{
    size_t cap = 1 << 20, n, m, good, errors, k;
    char *lines = malloc(cap);
    unsigned char *z = malloc(ZSTD_compressBound(cap) + 64);
    rcopy *v = calloc(20000, sizeof *v);
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    size_t pass;
    ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1); /* as the zstd program writes */
    n = make_lines(lines, cap, 12000, 0);
    m = ZSTD_compress2(cc, z, ZSTD_compressBound(cap), lines, n);
    ZSTD_freeCCtx(cc);
    for (pass = 0; pass < 2; pass++) {
        /* the checksum damaged: every record decodes, then the error (the
         * frame fits the output at once, which once lost them all); then
         * damage in the last quarter: the blocks before it decode */
        size_t at = pass == 0 ? m - 1 : m * 3 / 4;
        z[at] ^= 0x5a;
        put(tmp("dmg.jsonl.zst"), z, m);
        n = read_fmt(tmp("dmg.jsonl.zst"), SD_FORMAT_AUTO, 0, v, 20000);
        good = errors = 0;
        for (k = 0; k < n && k < 20000; k++) {
            if (v[k].error == 0) {
                good++;
                continue;
            }
            /* corrupt bytes may also decode into lines that do not parse */
            errors += strncmp(v[k].msg, "corrupt zstd stream at byte ", 28) == 0;
        }
        CHECK_EQ_U64(errors, 1);
        CHECK(good >= (pass == 0 ? 12000 : 6000));
        CHECK_EQ_STR(v[0].id, "r0");
        z[at] ^= 0x5a;
    }
    /* pzstd's output: a skippable frame first, then zstd frames */
    {
        unsigned char hdr[12] = {0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4};
        n = make_lines(lines, cap, 3, 0);
        memcpy(z, hdr, sizeof hdr);
        m = ZSTD_compress(z + sizeof hdr, ZSTD_compressBound(cap), lines, n, 3);
        put(tmp("p.zst"), z, m + sizeof hdr);
        CHECK_EQ_U64(read_fmt(tmp("p.zst"), SD_FORMAT_AUTO, 0, v, 8), 3);
        CHECK_EQ_STR(v[2].id, "r2");
        CHECK_EQ_INT(v[2].error, 0);
    }
    free(v);
    free(lines);
    free(z);
}

TEST(formats_gzip_members_after_damage)
{
    size_t cap = 1 << 16, n, len = 0, k, i;
    char *lines = malloc(cap);
    unsigned char *gz = malloc(4 * cap);
    size_t start[3];
    rcopy v[64];
    for (k = 0; k < 3; k++) {
        z_stream z;
        n = make_lines(lines, cap, 10, k * 10);
        memset(&z, 0, sizeof z);
        deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
        z.next_in = (Bytef *)lines;
        z.avail_in = (uInt)n;
        z.next_out = gz + len;
        z.avail_out = (uInt)(4 * cap - len);
        CHECK_EQ_INT(deflate(&z, Z_FINISH), Z_STREAM_END);
        start[k] = len;
        len += z.total_out;
        deflateEnd(&z);
    }
    /* the middle member's deflate data is damaged: a bad block type */
    gz[start[1] + 10] = 0xff;
    put(tmp("members.jsonl.gz"), gz, len);
    n = read_fmt(tmp("members.jsonl.gz"), SD_FORMAT_AUTO, 0, v, 64);
    CHECK_EQ_U64(n, 21);
    for (i = 0; i < 10; i++)
        CHECK_EQ_INT(v[i].error, 0);
    CHECK_EQ_INT(v[10].error, SD_EFORMAT);
    CHECK(strstr(v[10].msg, "reading resumed at the next gzip member") != NULL);
    CHECK_EQ_STR(v[11].id, "r20");
    CHECK_EQ_STR(v[20].id, "r29");
    free(lines);
    free(gz);
}

/* The scanners agree whether they see a stream whole or a byte at a time. */
TEST(formats_split_resumes)
{
    static const struct {
        sd_split_kind kind;
        const char *s;
        size_t want[4];
    } cases[] = {
        {SD_SPLIT_JSON, "{\"a\":\"}\\\"]\",\"b\":[1,{}]}", {23}},
        {SD_SPLIT_JSON, "[1,[2]]", {7}},
        {SD_SPLIT_JSON, "{\"a\":[}", {7}}, /* a closer that does not match ends it */
        {SD_SPLIT_JSON, "\"str\\\"\"", {7}},
        {SD_SPLIT_CSV, "a,\"b\nc\"\"\n\",d\nnext", {13}},
        {SD_SPLIT_CSV, "a,b\"c\nd", {6}}, /* a quote inside a field is a byte */
        {SD_SPLIT_LINE, "abc\ndef", {4}},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sd_split a, b;
        size_t n = strlen(cases[i].s), k, got = 0;
        sd__split_init(&a, cases[i].kind, ',');
        sd__split_init(&b, cases[i].kind, ',');
        CHECK_EQ_U64(sd__split_scan(&a, cases[i].s, n), cases[i].want[0]);
        for (k = 0; k < n && got == 0; k++)
            if (sd__split_scan(&b, cases[i].s + k, 1))
                got = k + 1;
        CHECK_EQ_U64(got, cases[i].want[0]);
    }
}
