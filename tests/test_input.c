/*
 * test_input.c: the reader through its public API, on files the tests write:
 * every error kind with its exact message, line and offset; gzip (one and
 * several members) and zstd, whole and truncated; directory order; decoding
 * of plain-text and HTML files; standard input.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "syndic.h"
#include "test.h"

static const char *tmp_path(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/input_%s", sd_test_tmpdir(), name);
    return buf;
}

static void put_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        CHECK_EQ_U64(fwrite(p, 1, n, f), n);
        fclose(f);
    }
}

/* gzip of s[0..n) as one member, appended to out; returns its size. */
static size_t gzip_member(const char *s, size_t n, unsigned char *out, size_t cap)
{
    z_stream z;
    size_t got;
    memset(&z, 0, sizeof z);
    CHECK_EQ_INT(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)(uintptr_t)s;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    CHECK_EQ_INT(deflate(&z, Z_FINISH), Z_STREAM_END);
    got = z.total_out;
    deflateEnd(&z);
    return got;
}

/* Lines of a generated JSONL file: {"id":"rN","text":"..."} */
static size_t make_lines(char *out, size_t cap, size_t count)
{
    size_t n = 0, i;
    for (i = 0; i < count && n + 200 < cap; i++)
        n += (size_t)snprintf(out + n, cap - n,
                              "{\"id\":\"r%zu\",\"text\":\"line %zu of the file, %llu\"}\n", i, i,
                              (unsigned long long)(i * 2654435761u % 1000003u));
    return n;
}

typedef struct rec_copy {
    char id[128], text[256], msg[256];
    int error;
    uint64_t line, offset, index;
    size_t repaired;
} rec_copy;

/* Reads every record of the queued paths into v (up to max); returns the
 * count, checking the invariants every record keeps. */
static size_t read_paths(const sd_reader_options *o, const char *const *paths, size_t np,
                         rec_copy *v, size_t max)
{
    sd_reader *r;
    sd_record rec;
    size_t n = 0, i;
    int rc;
    CHECK_EQ_INT(sd_reader_new(o, &r, NULL), 0);
    for (i = 0; i < np; i++)
        CHECK_EQ_INT(sd_reader_add(r, paths[i]), 0);
    while ((rc = sd_reader_next(r, &rec)) == 1) {
        CHECK_EQ_U64(rec.index, n);
        CHECK(rec.source != NULL && rec.id != NULL);
        CHECK((rec.error != 0) == (rec.errmsg != NULL));
        if (rec.error == 0)
            CHECK(rec.text != NULL || rec.html != NULL);
        else
            CHECK(rec.text == NULL);
        if (n < max) {
            snprintf(v[n].id, sizeof v[n].id, "%.*s", (int)rec.id_len, rec.id);
            snprintf(v[n].text, sizeof v[n].text, "%.*s", (int)rec.text_len,
                     rec.text ? rec.text : "");
            snprintf(v[n].msg, sizeof v[n].msg, "%s", rec.errmsg ? rec.errmsg : "");
            v[n].error = rec.error;
            v[n].line = rec.line;
            v[n].offset = rec.offset;
            v[n].index = rec.index;
            v[n].repaired = rec.repaired;
        }
        n++;
    }
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_STR(sd_reader_errmsg(r), "");
    sd_reader_free(r);
    return n;
}

static size_t read_one(const char *path, rec_copy *v, size_t max)
{
    return read_paths(NULL, &path, 1, v, max);
}

TEST(input_error_records_exact)
{
    static const char text[] =
        "{\"id\":\"a\",\"text\":\"fine\",\"url\":\"http://a/\",\"date\":\"2021-07-20\"}\n" /* 1 */
        "{\"id\":\"b\",\"text\"\"x\"}\n"                                               /* 2 */
        "{\"id\":\"c\",\"text\":5}\n"                                                  /* 3 */
        "  \t \r\n"                                                                   /* 4 */
        "{\"id\":\"d\",\"body\":\"no text\"}\n"                                        /* 5 */
        "{\"id\":\"e\",\"text\":\"a\xff" "b\"}\n"                                      /* 6 */
        "[\"not an object\"]\r\n"                                                     /* 7 */
        "{\"text\":\"no id\"}\n"                                                       /* 8 */
        "{\"id\":-1.5e3,\"text\":\"number id\"}\n"                                     /* 9 */
        "{\"id\":[1],\"text\":\"array id\"}\n"                                        /* 10 */
        "{\"id\":\"x\\ty\xff\",\"text\":\"t\"}";                                      /* 11 */
    char path[512], want[600];
    rec_copy v[16];
    size_t n;
    uint64_t off[12];
    size_t i, line = 1;
    off[1] = 0;
    for (i = 0; i < sizeof text - 1; i++)
        if (text[i] == '\n' && line < 11)
            off[++line] = i + 1;
    tmp_path(path, sizeof path, "errors.jsonl");
    put_file(path, text, sizeof text - 1);
    n = read_one(path, v, 16);
    CHECK_EQ_U64(n, 10);
    CHECK_EQ_STR(v[0].id, "a");
    CHECK_EQ_STR(v[0].text, "fine");
    CHECK_EQ_U64(v[0].line, 1);
    CHECK_EQ_U64(v[0].offset, 0);

    CHECK_EQ_STR(v[1].id, "b"); /* recovered before the failure */
    CHECK_EQ_INT(v[1].error, SD_EFORMAT);
    CHECK_EQ_STR(v[1].msg, "invalid JSON at column 17: expected ':'");
    CHECK_EQ_U64(v[1].line, 2);
    CHECK_EQ_U64(v[1].offset, off[2]);

    CHECK_EQ_STR(v[2].id, "c");
    CHECK_EQ_INT(v[2].error, SD_EFORMAT);
    CHECK_EQ_STR(v[2].msg, "field \"text\" is not a string");
    CHECK_EQ_U64(v[2].line, 3);
    CHECK_EQ_U64(v[2].offset, off[3]);

    /* line 4 is blank: skipped, but counted */
    CHECK_EQ_STR(v[3].id, "d");
    CHECK_EQ_INT(v[3].error, SD_EMISSING);
    CHECK_EQ_STR(v[3].msg, "missing field \"text\"; the record has \"id\", \"body\"");
    CHECK_EQ_U64(v[3].line, 5);
    CHECK_EQ_U64(v[3].offset, off[5]);

    CHECK_EQ_STR(v[4].id, "e");
    CHECK_EQ_INT(v[4].error, SD_EUTF8);
    CHECK_EQ_STR(v[4].msg, "invalid UTF-8 at column 20: invalid byte in string");
    CHECK_EQ_U64(v[4].line, 6);

    snprintf(want, sizeof want, "%s:7", path);
    CHECK_EQ_STR(v[5].id, want);
    CHECK_EQ_INT(v[5].error, SD_EFORMAT);
    CHECK_EQ_STR(v[5].msg, "invalid JSON at column 1: a record must be a JSON object");
    CHECK_EQ_U64(v[5].offset, off[7]);

    snprintf(want, sizeof want, "%s:8", path);
    CHECK_EQ_STR(v[6].id, want);
    CHECK_EQ_INT(v[6].error, 0);
    CHECK_EQ_STR(v[6].text, "no id");

    CHECK_EQ_STR(v[7].id, "-1.5e3");
    CHECK_EQ_STR(v[7].text, "number id");
    CHECK_EQ_U64(v[7].line, 9);

    snprintf(want, sizeof want, "%s:10", path); /* an id that is no string or number */
    CHECK_EQ_STR(v[8].id, want);
    CHECK_EQ_INT(v[8].error, 0);
    CHECK_EQ_U64(v[8].offset, off[10]);

    snprintf(want, sizeof want, "%s:11", path); /* no partial id from a broken string */
    CHECK_EQ_STR(v[9].id, want);
    CHECK_EQ_INT(v[9].error, SD_EUTF8);
}

TEST(input_record_fields_raw_url_date_html)
{
    static const char text[] =
        "{\"id\":\"a\",\"text\":\"t\\u00e9\\ud83d\\ude00\",\"url\":\"http://a/\","
        "\"date\":\"2021-07-20\"}\r\n"
        "{\"id\":\"h\",\"html\":\"<p>page</p>\"}\n";
    char path[512];
    sd_reader *r;
    sd_record rec;
    tmp_path(path, sizeof path, "fields.ndjson");
    put_file(path, text, sizeof text - 1);
    CHECK_EQ_INT(sd_reader_new(NULL, &r, NULL), 0);
    CHECK_EQ_INT(sd_reader_add(r, path), 0);
    CHECK_EQ_INT(sd_reader_next(r, &rec), 1);
    CHECK_EQ_MEM(rec.text, rec.text_len, "t\xc3\xa9\xf0\x9f\x98\x80");
    CHECK_EQ_MEM(rec.url, rec.url_len, "http://a/");
    CHECK_EQ_MEM(rec.date, rec.date_len, "2021-07-20");
    CHECK_EQ_MEM(rec.raw, rec.raw_len,
                 "{\"id\":\"a\",\"text\":\"t\\u00e9\\ud83d\\ude00\",\"url\":\"http://a/\","
                 "\"date\":\"2021-07-20\"}");
    CHECK(rec.html == NULL);
    CHECK_EQ_INT(rec.format, SD_FORMAT_JSONL);
    CHECK_EQ_INT(sd_reader_next(r, &rec), 1);
    CHECK_EQ_INT(rec.error, 0);
    CHECK(rec.text == NULL);
    CHECK(rec.url == NULL && rec.date == NULL);
    CHECK_EQ_MEM(rec.html, rec.html_len, "<p>page</p>");
    CHECK_EQ_U64(rec.line, 2);
    CHECK_EQ_U64(rec.offset, (size_t)(strchr(text, '\n') - text) + 1);
    CHECK_EQ_INT(sd_reader_next(r, &rec), 0);
    CHECK_EQ_U64(sd_reader_bytes(r), sizeof text - 1);
    sd_reader_free(r);
}

TEST(input_custom_fields_and_repair)
{
    static const char text[] = "{\"doc\":\"x1\",\"body\":\"a\xff" "b\xe6\x9d\"}\n";
    char path[512];
    sd_reader_options o;
    sd_reader *r;
    sd_record rec;
    tmp_path(path, sizeof path, "custom.jsonl");
    put_file(path, text, sizeof text - 1);
    sd_reader_options_init(&o);
    o.id_field = "doc";
    o.text_field = "body";
    o.repair_utf8 = 1;
    CHECK_EQ_INT(sd_reader_new(&o, &r, NULL), 0);
    CHECK_EQ_INT(sd_reader_add(r, path), 0);
    CHECK_EQ_INT(sd_reader_next(r, &rec), 1);
    CHECK_EQ_INT(rec.error, 0);
    CHECK_EQ_MEM(rec.id, rec.id_len, "x1");
    /* one U+FFFD per maximal invalid subpart: \xff, and the cut \xe6\x9d */
    CHECK_EQ_MEM(rec.text, rec.text_len, "a\xef\xbf\xbd" "b\xef\xbf\xbd");
    CHECK_EQ_U64(rec.repaired, 2);
    sd_reader_free(r);
}

TEST(input_gzip_multi_member_and_zstd)
{
    char *lines = malloc(200000), path[512], gz[512], zs[512];
    unsigned char *buf = malloc(400000);
    size_t n = make_lines(lines, 200000, 1000), half, m, i;
    rec_copy *v = calloc(2100, sizeof *v);
    const char *paths[2];
    /* two members, split inside a line: `cat a.gz b.gz` */
    for (half = n / 2; lines[half] != '\n'; half++)
        ;
    half -= 10;
    m = gzip_member(lines, half, buf, 400000);
    m += gzip_member(lines + half, n - half, buf + m, 400000 - m);
    memset(buf + m, 0, 512); /* zero padding after the last member is ignored */
    m += 512;
    tmp_path(gz, sizeof gz, "multi.jsonl.gz");
    put_file(gz, buf, m);
    tmp_path(path, sizeof path, "multi.jsonl");
    put_file(path, lines, n);
    m = ZSTD_compress(buf, 400000, lines, n, 3);
    CHECK(!ZSTD_isError(m));
    tmp_path(zs, sizeof zs, "multi.jsonl.zst");
    put_file(zs, buf, m);
    paths[0] = gz;
    paths[1] = zs;
    CHECK_EQ_U64(read_paths(NULL, paths, 2, v, 2100), 2000);
    for (i = 0; i < 1000; i++) {
        char want[32];
        snprintf(want, sizeof want, "r%zu", i);
        CHECK_EQ_STR(v[i].id, want);
        CHECK_EQ_STR(v[1000 + i].id, want);
        CHECK_EQ_INT(v[i].error, 0);
        CHECK_EQ_U64(v[i].line, i + 1);
        CHECK_EQ_U64(v[1000 + i].line, i + 1);
        CHECK_EQ_U64(v[1000 + i].index, 1000 + i);
        CHECK_EQ_U64(v[i].offset, v[1000 + i].offset);
        if (i + 1 < 1000)
            CHECK(v[i].offset < v[i + 1].offset);
    }
    CHECK_EQ_U64(v[999].offset + strlen(strrchr(lines, '{')) - 0, n);
    free(lines);
    free(buf);
    free(v);
}

/* A compressed JSONL file cut short: the records before the damage, then
 * exactly one error record at the first line not delivered, last. */
static void check_truncated(const char *path, size_t cut_size, const char *kind)
{
    rec_copy *v = calloc(13000, sizeof *v);
    size_t n = read_one(path, v, 13000), i;
    char want[128];
    CHECK(n > 10 && n <= 12000);
    for (i = 0; i + 1 < n; i++) {
        snprintf(want, sizeof want, "r%zu", i);
        CHECK_EQ_STR(v[i].id, want);
        CHECK_EQ_INT(v[i].error, 0);
    }
    snprintf(want, sizeof want, "truncated %s stream at byte %zu", kind, cut_size);
    CHECK_EQ_INT(v[n - 1].error, SD_ETRUNC);
    CHECK_EQ_STR(v[n - 1].msg, want);
    CHECK_EQ_U64(v[n - 1].line, n);
    if (n >= 2)
        CHECK(v[n - 1].offset > v[n - 2].offset);
    free(v);
}

TEST(input_truncated_gzip_and_zstd)
{
    size_t cap = 600000, n, m;
    char *lines = malloc(cap), path[512];
    unsigned char *buf = malloc(cap);
    n = make_lines(lines, cap, 12000);
    m = gzip_member(lines, n, buf, cap);
    tmp_path(path, sizeof path, "cut.jsonl.gz");
    put_file(path, buf, m / 2);
    check_truncated(path, m / 2, "gzip");
    put_file(path, buf, m - 4); /* only the trailer's length is missing */
    check_truncated(path, m - 4, "gzip");
    m = ZSTD_compress(buf, cap, lines, n, 1);
    tmp_path(path, sizeof path, "cut.jsonl.zst");
    put_file(path, buf, m - 9);
    check_truncated(path, m - 9, "zstd");
    free(lines);
    free(buf);
}

TEST(input_corrupt_gzip_is_one_error)
{
    size_t cap = 200000, n, m;
    char *lines = malloc(cap), path[512];
    unsigned char *buf = malloc(cap);
    rec_copy v[8];
    n = make_lines(lines, cap, 3);
    m = gzip_member(lines, n, buf, cap);
    buf[m - 6] ^= 0x55; /* the CRC */
    tmp_path(path, sizeof path, "crc.jsonl.gz");
    put_file(path, buf, m);
    /* the data decodes whole; the checksum fails at the end */
    CHECK_EQ_U64(read_one(path, v, 8), 4);
    CHECK_EQ_STR(v[2].id, "r2");
    CHECK_EQ_INT(v[3].error, SD_EFORMAT);
    CHECK(strncmp(v[3].msg, "corrupt gzip stream at byte ", 28) == 0);
    free(lines);
    free(buf);
}

TEST(input_oversized_lines_bounded)
{
    sd_reader_options o;
    char path[512];
    size_t big = (size_t)3 << 20, n;
    char *text = malloc(big + 200);
    rec_copy v[8];
    const char *p = path;
    n = (size_t)sprintf(text, "{\"id\":\"s\",\"text\":\"short\"}\n{\"id\":\"big\",\"text\":\"");
    memset(text + n, 'x', big);
    n += big;
    n += (size_t)sprintf(text + n, "\"}\n{\"id\":\"after\",\"text\":\"ok\"}");
    tmp_path(path, sizeof path, "oversized.jsonl");
    put_file(path, text, n);
    sd_reader_options_init(&o);
    o.max_record = 100000;
    CHECK_EQ_U64(read_paths(&o, &p, 1, v, 8), 3);
    CHECK_EQ_STR(v[1].msg, "record exceeds 100000 bytes");
    CHECK_EQ_INT(v[1].error, SD_ETOOBIG);
    CHECK_EQ_U64(v[1].line, 2);
    CHECK_EQ_U64(v[1].offset, 26);
    CHECK_EQ_STR(v[1].id, strcat(strcpy(text, path), ":2"));
    CHECK_EQ_STR(v[2].id, "after");
    CHECK_EQ_U64(v[2].line, 3);
    CHECK_EQ_U64(v[2].offset, 26 + 23 + big);
    /* a whole-file document over the limit */
    o.format = SD_FORMAT_TEXT;
    CHECK_EQ_U64(read_paths(&o, &p, 1, v, 8), 1);
    CHECK_EQ_STR(v[0].msg, "record exceeds 100000 bytes");
    free(text);
}

TEST(input_missing_file_and_order)
{
    char dir[512], p[600], missing[512];
    const char *paths[3];
    rec_copy v[16];
    size_t n;
    static const char *const names[] = {"b.txt", "B.txt", "a.txt", "b/x.txt", ".hidden/y.txt",
                                        ".dot.txt", "b/a/deep.txt"};
    size_t i;
    tmp_path(dir, sizeof dir, "walk");
    mkdir(dir, 0777);
    snprintf(p, sizeof p, "%s/b", dir);
    mkdir(p, 0777);
    snprintf(p, sizeof p, "%s/b/a", dir);
    mkdir(p, 0777);
    snprintf(p, sizeof p, "%s/.hidden", dir);
    mkdir(p, 0777);
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        put_file(p, names[i], strlen(names[i]));
    }
    snprintf(p, sizeof p, "%s/c-loop", dir); /* a link to a parent is not followed */
    CHECK_EQ_INT(symlink(".", p), 0);
    tmp_path(missing, sizeof missing, "nope.jsonl");
    paths[0] = missing;
    paths[1] = dir;
    paths[2] = missing;
    n = read_paths(NULL, paths, 3, v, 16);
    CHECK_EQ_U64(n, 7);
    snprintf(p, sizeof p, "cannot read '%s': No such file or directory", missing);
    CHECK_EQ_STR(v[0].msg, p);
    CHECK_EQ_INT(v[0].error, SD_EIO);
    CHECK_EQ_STR(v[0].id, missing);
    CHECK_EQ_STR(v[1].text, "B.txt");
    CHECK_EQ_STR(v[2].text, "a.txt");
    CHECK_EQ_STR(v[3].text, "b/a/deep.txt");
    CHECK_EQ_STR(v[4].text, "b/x.txt");
    CHECK_EQ_STR(v[5].text, "b.txt");
    snprintf(p, sizeof p, "%s/b/x.txt", dir);
    CHECK_EQ_STR(v[4].id, p);
    CHECK_EQ_STR(v[6].msg, v[0].msg);
    CHECK_EQ_U64(v[6].index, 6);
}

TEST(input_text_windows1252_and_html_meta)
{
    static const char cp[] =
        "Le caf\xe9 na\xefve du r\xe9sum\xe9: une soir\xe9" "e \xe0 l'h\xf4tel, o\xf9 "
        "l'\xe9t\xe9 fran\xe7" "ais se pr\xe9sente d\xe9j\xe0 comme une f\xeate. Les "
        "\xe9l\xe8ves ont pr\xe9par\xe9 une r\xe9ponse tr\xe8s d\xe9taill\xe9" "e, et "
        "le ma\xeetre a d\xe9" "cid\xe9 que la r\xe9union aurait lieu apr\xe8s "
        "No\xebl, \xe0 c\xf4t\xe9 de l'\xe9glise.";
    static const char utf[] =
        "Le caf\xc3\xa9 na\xc3\xafve du r\xc3\xa9sum\xc3\xa9: une soir\xc3\xa9" "e \xc3\xa0 "
        "l'h\xc3\xb4tel, o\xc3\xb9 l'\xc3\xa9t\xc3\xa9 fran\xc3\xa7" "ais se pr\xc3\xa9sente "
        "d\xc3\xa9j\xc3\xa0 comme une f\xc3\xaate. Les \xc3\xa9l\xc3\xa8ves ont "
        "pr\xc3\xa9par\xc3\xa9 une r\xc3\xa9ponse tr\xc3\xa8s d\xc3\xa9taill\xc3\xa9" "e, et "
        "le ma\xc3\xaetre a d\xc3\xa9" "cid\xc3\xa9 que la r\xc3\xa9union aurait lieu "
        "apr\xc3\xa8s No\xc3\xabl, \xc3\xa0 c\xc3\xb4t\xc3\xa9 de l'\xc3\xa9glise.";
    static const char html[] = "<html><head><meta charset=\"windows-1252\"><title>x</title>"
                               "</head><body><p>caf\xe9 \x93quoted\x94</p></body></html>";
    char path[512];
    sd_reader *r;
    sd_record rec;
    tmp_path(path, sizeof path, "latin.txt");
    put_file(path, cp, sizeof cp - 1);
    CHECK_EQ_INT(sd_reader_new(NULL, &r, NULL), 0);
    CHECK_EQ_INT(sd_reader_add(r, path), 0);
    tmp_path(path, sizeof path, "page.htm");
    put_file(path, html, sizeof html - 1);
    CHECK_EQ_INT(sd_reader_add(r, path), 0);
    tmp_path(path, sizeof path, "empty.txt");
    put_file(path, "", 0);
    CHECK_EQ_INT(sd_reader_add(r, path), 0);
    CHECK_EQ_INT(sd_reader_next(r, &rec), 1);
    CHECK_EQ_INT(rec.error, 0);
    CHECK_EQ_INT(rec.format, SD_FORMAT_TEXT);
    CHECK_EQ_MEM(rec.text, rec.text_len, utf);
    CHECK_EQ_MEM(rec.raw, rec.raw_len, cp);
    CHECK_EQ_U64(rec.repaired, 0);
    CHECK(rec.html == NULL);
    CHECK_EQ_INT(sd_reader_next(r, &rec), 1);
    CHECK_EQ_INT(rec.format, SD_FORMAT_HTML);
    CHECK(rec.text == NULL);
    CHECK(rec.html != NULL && strstr(rec.html, "<p>caf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d</p>"));
    CHECK_EQ_STR(rec.charset, "windows-1252");
    CHECK_EQ_INT(sd_reader_next(r, &rec), 1);
    CHECK_EQ_INT(rec.error, 0);
    CHECK(rec.text != NULL);
    CHECK_EQ_U64(rec.text_len, 0);
    CHECK_EQ_INT(sd_reader_next(r, &rec), 0);
    sd_reader_free(r);
}

TEST(input_forced_format)
{
    static const char text[] = "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":\"y\"}\n";
    char path[512];
    const char *p = path;
    sd_reader_options o;
    rec_copy v[4];
    tmp_path(path, sizeof path, "lines.data");
    put_file(path, text, sizeof text - 1);
    /* unknown extension: the content says JSON Lines */
    CHECK_EQ_U64(read_one(path, v, 4), 2);
    CHECK_EQ_STR(v[1].text, "y");
    sd_reader_options_init(&o);
    o.format = SD_FORMAT_TEXT; /* forced: one text document */
    CHECK_EQ_U64(read_paths(&o, &p, 1, v, 4), 1);
    CHECK_EQ_INT(v[0].error, 0);
    o.format = SD_FORMAT_JSONL;
    CHECK_EQ_U64(read_paths(&o, &p, 1, v, 4), 2);
    CHECK_EQ_STR(v[1].text, "y");
}

/* Runs the reader on "-" with fd 0 reading `path`; returns the count. */
static size_t read_stdin(const char *path, rec_copy *v, size_t max)
{
    int saved = dup(0), fd = open(path, O_RDONLY);
    size_t n;
    const char *dash = "-";
    CHECK(saved >= 0 && fd >= 0);
    dup2(fd, 0);
    close(fd);
    n = read_paths(NULL, &dash, 1, v, max);
    dup2(saved, 0);
    close(saved);
    return n;
}

TEST(input_stdin_sniffed)
{
    static const char jl[] = "\n {\"id\":\"s1\",\"text\":\"one\"}\n{\"id\":\"s2\",\"text\":\"two\"}\n";
    char path[512];
    unsigned char gz[512];
    rec_copy v[4];
    size_t m;
    tmp_path(path, sizeof path, "stdin1");
    put_file(path, jl, sizeof jl - 1);
    CHECK_EQ_U64(read_stdin(path, v, 4), 2);
    CHECK_EQ_STR(v[1].id, "s2");
    CHECK_EQ_U64(v[1].line, 3);
    /* a byte order mark before the first line is skipped */
    put_file(path, "\xEF\xBB\xBF{\"id\":\"bom\",\"text\":\"t\"}\n", 27);
    {
        const char *p = path;
        sd_reader_options o;
        sd_reader_options_init(&o);
        o.format = SD_FORMAT_JSONL;
        CHECK_EQ_U64(read_paths(&o, &p, 1, v, 4), 1);
        CHECK_EQ_INT(v[0].error, 0);
        CHECK_EQ_STR(v[0].id, "bom");
        CHECK_EQ_U64(v[0].offset, 3);
    }
    m = gzip_member(jl, sizeof jl - 1, gz, sizeof gz);
    put_file(path, gz, m);
    CHECK_EQ_U64(read_stdin(path, v, 4), 2);
    CHECK_EQ_STR(v[0].id, "s1");
    CHECK_EQ_STR(v[0].text, "one");
    put_file(path, "plain words", 11);
    CHECK_EQ_U64(read_stdin(path, v, 4), 1);
    CHECK_EQ_STR(v[0].id, "-");
    CHECK_EQ_STR(v[0].text, "plain words");
}

/* Allocations that fail from the Nth on: the reader either finishes or
 * stops with SD_ENOMEM and a message, never crashes or leaks (ASan). */
static long fail_after;
static void *failing_malloc(void *ud, size_t n)
{
    (void)ud;
    return fail_after-- > 0 ? malloc(n) : NULL;
}
static void *failing_realloc(void *ud, void *p, size_t n)
{
    (void)ud;
    return fail_after-- > 0 ? realloc(p, n) : NULL;
}
static void plain_free(void *ud, void *p)
{
    (void)ud;
    free(p);
}

TEST(input_allocation_failures)
{
    static const char text[] = "{\"id\":\"a\",\"text\":\"x\\u00e9\"}\nbad\n{\"id\":7,\"html\":\"<p>\"}\n";
    sd_allocator a = {failing_malloc, failing_realloc, plain_free, NULL};
    char path[512], dir[512], file[600];
    long n;
    int finished = 0;
    tmp_path(path, sizeof path, "oom.jsonl");
    put_file(path, text, sizeof text - 1);
    tmp_path(dir, sizeof dir, "oomdir");
    mkdir(dir, 0777);
    snprintf(file, sizeof file, "%s/t.txt", dir);
    put_file(file, "caf\xe9 au lait", 12);
    for (n = 0; n < 80 && !finished; n++) {
        sd_reader *r = NULL;
        sd_record rec;
        int rc = 0;
        size_t got = 0;
        fail_after = n;
        sd_set_allocator(&a);
        if (sd_reader_new(NULL, &r, NULL) == 0) {
            if (sd_reader_add(r, path) == 0 && sd_reader_add(r, dir) == 0 &&
                sd_reader_add(r, "-no-such-file") == 0) {
                while ((rc = sd_reader_next(r, &rec)) == 1)
                    got++;
                CHECK(rc == 0 || rc == SD_ENOMEM);
                if (rc == SD_ENOMEM)
                    CHECK(strlen(sd_reader_errmsg(r)) > 0);
                if (rc == 0) {
                    CHECK_EQ_U64(got, 5);
                    finished = 1;
                }
            }
            sd_reader_free(r);
        }
        sd_set_allocator(NULL);
    }
    CHECK(finished);
}

/* A whole-file document in a cut gzip stream is one error record; bytes
 * read count the compressed size. */
TEST(input_truncated_html_gz)
{
    static const char page[] = "<html><body><p>A page long enough to compress into a few "
                               "dozen bytes of deflate data.</p></body></html>";
    unsigned char gz[512];
    char path[512];
    size_t m = gzip_member(page, sizeof page - 1, gz, sizeof gz);
    sd_reader *r;
    sd_record rec;
    char want[128];
    tmp_path(path, sizeof path, "cut.html.gz");
    put_file(path, gz, m - 5);
    CHECK_EQ_INT(sd_reader_new(NULL, &r, NULL), 0);
    CHECK_EQ_INT(sd_reader_add(r, path), 0);
    CHECK_EQ_INT(sd_reader_next(r, &rec), 1);
    CHECK_EQ_INT(rec.error, SD_ETRUNC);
    CHECK_EQ_INT(rec.format, SD_FORMAT_HTML);
    snprintf(want, sizeof want, "truncated gzip stream at byte %zu", m - 5);
    CHECK_EQ_STR(rec.errmsg, want);
    CHECK_EQ_MEM(rec.id, rec.id_len, path);
    CHECK(rec.html == NULL && rec.text == NULL);
    CHECK_EQ_INT(sd_reader_next(r, &rec), 0);
    CHECK_EQ_U64(sd_reader_bytes(r), m - 5);
    sd_reader_free(r);
}
