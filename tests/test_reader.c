/*
 * test_reader.c: records and error records from files the tests write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include "syndic.h"
#include "test.h"

static char *path_in_tmp(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", sd_test_tmpdir(), name);
    return buf[k];
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        CHECK_EQ_U64(fwrite(p, 1, n, f), n);
        fclose(f);
    }
}

static void write_gz(const char *path, const char *s, size_t cut)
{
    size_t n = strlen(s);
    uLongf cap = compressBound((uLong)n) + 64;
    unsigned char *out = malloc(cap);
    z_stream z;
    memset(&z, 0, sizeof z);
    deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    z.next_in = (Bytef *)(uintptr_t)s;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    write_file(path, out, z.total_out - cut);
    deflateEnd(&z);
    free(out);
}

static const char lines[] =
    "{\"id\":\"a\",\"text\":\"first record\"}\n"
    "\n"
    "{\"id\":\"b\",\"text\":\"second\"\n"
    "{\"id\":\"c\"}\n"
    "{\"id\":7,\"text\":\"number id\",\"url\":\"http://x/\"}\n"
    "{\"text\":\"no id\"}\n"
    "{\"id\":\"empty\",\"text\":\"\"}\n";

typedef struct got {
    char id[64];
    char text[64];
    int error;
    char msg[128];
    unsigned long long line, offset;
} got;

static size_t read_all(const char *path, got *g, size_t max)
{
    sd_reader *r;
    sd_record rec;
    size_t n = 0;
    CHECK_EQ_INT(sd_reader_new(NULL, &r, NULL), 0);
    CHECK_EQ_INT(sd_reader_add(r, path), 0);
    while (sd_reader_next(r, &rec) == 1 && n < max) {
        CHECK_EQ_U64(rec.index, n);
        snprintf(g[n].id, sizeof g[n].id, "%.*s", (int)rec.id_len, rec.id);
        snprintf(g[n].text, sizeof g[n].text, "%.*s", (int)rec.text_len,
                 rec.text ? rec.text : "");
        if (rec.error == 0 && rec.text == NULL && rec.html == NULL)
            g[n].error = 999; /* a good record always has its text */
        g[n].error = rec.error;
        snprintf(g[n].msg, sizeof g[n].msg, "%s", rec.errmsg ? rec.errmsg : "");
        g[n].line = rec.line;
        g[n].offset = rec.offset;
        n++;
    }
    sd_reader_free(r);
    return n;
}

static void check_lines(got *g, size_t n, const char *path)
{
    char want[600];
    CHECK_EQ_U64(n, 6);
    CHECK_EQ_STR(g[0].id, "a");
    CHECK_EQ_STR(g[0].text, "first record");
    CHECK_EQ_U64(g[0].line, 1);
    CHECK_EQ_U64(g[0].offset, 0);
    CHECK_EQ_STR(g[1].id, "b");
    CHECK_EQ_INT(g[1].error, SD_EFORMAT);
    CHECK_EQ_STR(g[1].msg, "invalid JSON at column 26: expected ',' or '}'");
    CHECK_EQ_U64(g[1].line, 3);
    CHECK_EQ_U64(g[1].offset, 34); /* line 1 is 32 bytes, line 2 empty */
    CHECK_EQ_STR(g[2].id, "c");
    CHECK_EQ_INT(g[2].error, SD_EMISSING);
    CHECK_EQ_STR(g[2].msg, "missing field \"text\"; the record has \"id\"");
    CHECK_EQ_STR(g[3].id, "7");
    CHECK_EQ_STR(g[3].text, "number id");
    snprintf(want, sizeof want, "%s:6", path);
    CHECK_EQ_STR(g[4].id, want);
    CHECK_EQ_U64(g[4].line, 6);
    CHECK_EQ_STR(g[5].id, "empty");
    CHECK_EQ_INT(g[5].error, 0); /* an empty text is a text */
}

TEST(reader_jsonl_records_and_errors)
{
    got g[16];
    char *p = path_in_tmp("lines.jsonl");
    write_file(p, lines, sizeof lines - 1);
    check_lines(g, read_all(p, g, 16), p);
}

TEST(reader_gzip_and_zstd)
{
    got g[16];
    char *p = path_in_tmp("lines.jsonl.gz");
    char *z = path_in_tmp("lines.jsonl.zst");
    size_t cap = ZSTD_compressBound(sizeof lines), n;
    void *buf = malloc(cap);
    write_gz(p, lines, 0);
    check_lines(g, read_all(p, g, 16), p);
    n = ZSTD_compress(buf, cap, lines, sizeof lines - 1, 3);
    write_file(z, buf, n);
    check_lines(g, read_all(z, g, 16), z);
    /* truncated: what decoded is kept, then one error record. zstd decodes
     * whole blocks (128 KiB), so the input spans several. */
    {
        size_t big_n = 0, i, bcap;
        char *big = malloc(600000);
        void *zb;
        for (i = 0; big_n < 590000; i++)
            big_n += (size_t)snprintf(big + big_n, 600000 - big_n,
                                      "{\"id\":\"r%zu\",\"text\":\"record %zu %llu\"}\n", i, i,
                                      (unsigned long long)(i * 2654435761u));
        bcap = ZSTD_compressBound(big_n);
        zb = malloc(bcap);
        n = ZSTD_compress(zb, bcap, big, big_n, 1);
        write_file(z, zb, n - 9);
        n = read_all(z, g, 16);
        CHECK_EQ_U64(n, 16); /* the first records decode */
        CHECK_EQ_STR(g[0].id, "r0");
        CHECK_EQ_INT(g[0].error, 0);
        free(big);
        free(zb);
    }
    {
        sd_reader *r;
        sd_record rec;
        size_t good = 0, errors = 0;
        CHECK_EQ_INT(sd_reader_new(NULL, &r, NULL), 0);
        sd_reader_add(r, z);
        while (sd_reader_next(r, &rec) == 1) {
            if (rec.error == SD_ETRUNC) {
                errors++;
                CHECK(strstr(rec.errmsg, "truncated zstd stream at byte") != NULL);
            } else if (rec.error == 0) {
                good++;
            }
        }
        sd_reader_free(r);
        CHECK_EQ_U64(errors, 1);
        CHECK(good > 1000);
    }
    free(buf);
    p = path_in_tmp("cut.jsonl.gz");
    write_gz(p, lines, 12);
    n = read_all(p, g, 16);
    CHECK(n >= 2);
    CHECK_EQ_INT(g[n - 1].error, SD_ETRUNC);
    CHECK(strstr(g[n - 1].msg, "truncated gzip stream at byte") != NULL);
}

TEST(reader_oversized_line_is_skipped)
{
    sd_reader_options o;
    sd_reader *r;
    sd_record rec;
    char *p = path_in_tmp("big.jsonl");
    char big[5000];
    FILE *f = fopen(p, "wb");
    memset(big, 'x', sizeof big);
    fprintf(f, "{\"id\":\"s\",\"text\":\"short\"}\n{\"id\":\"big\",\"text\":\"%.*s\"}\n"
               "{\"id\":\"after\",\"text\":\"ok\"}\n", (int)sizeof big, big);
    fclose(f);
    sd_reader_options_init(&o);
    o.max_record = 1000;
    CHECK_EQ_INT(sd_reader_new(&o, &r, NULL), 0);
    sd_reader_add(r, p);
    CHECK_EQ_INT(sd_reader_next(r, &rec), 1);
    CHECK_EQ_MEM(rec.id, rec.id_len, "s");
    CHECK_EQ_INT(sd_reader_next(r, &rec), 1);
    CHECK_EQ_INT(rec.error, SD_ETOOBIG);
    CHECK_EQ_STR(rec.errmsg, "record exceeds 1000 bytes");
    CHECK_EQ_U64(rec.line, 2);
    CHECK_EQ_U64(rec.offset, 26);
    CHECK_EQ_INT(sd_reader_next(r, &rec), 1);
    CHECK_EQ_MEM(rec.id, rec.id_len, "after");
    CHECK_EQ_U64(rec.line, 3);
    CHECK_EQ_INT(sd_reader_next(r, &rec), 0);
    sd_reader_free(r);
}

TEST(reader_directory_order_and_missing_file)
{
    got g[16];
    char dir[512], sub[600], f1[600], f2[600], f3[600], hidden[600];
    size_t n;
    snprintf(dir, sizeof dir, "%s/docs", sd_test_tmpdir());
    snprintf(sub, sizeof sub, "%s/b", dir);
    snprintf(f1, sizeof f1, "%s/c.txt", dir);
    snprintf(f2, sizeof f2, "%s/a.txt", dir);
    snprintf(f3, sizeof f3, "%s/b/z.txt", dir);
    snprintf(hidden, sizeof hidden, "%s/.hidden", dir);
    mkdir(dir, 0777);
    mkdir(sub, 0777);
    write_file(f1, "ccc", 3);
    write_file(f2, "caf\xe9 latin-1", 12); /* not UTF-8: repaired, never fatal */
    write_file(f3, "zzz", 3);
    write_file(hidden, "hidden", 6);
    n = read_all(dir, g, 16);
    CHECK_EQ_U64(n, 3);
    CHECK_EQ_STR(g[0].id, f2);
    CHECK_EQ_STR(g[1].id, f3);
    CHECK_EQ_STR(g[2].id, f1);
    CHECK_EQ_INT(g[0].error, 0);
    CHECK(strstr(g[0].text, "caf") == g[0].text);
    n = read_all(path_in_tmp("does-not-exist.jsonl"), g, 16);
    CHECK_EQ_U64(n, 1);
    CHECK_EQ_INT(g[0].error, SD_EIO);
    CHECK(strstr(g[0].msg, "No such file or directory") != NULL);
}

/* A whole HTML file is decoded by the charset its <meta> declares, as a
 * WARC record's page and the extractor take it: "charset=" elsewhere (a
 * script's URL before the meta) is not a declaration. */
TEST(reader_html_file_meta_charset)
{
    static const char page[] =
        "<html><head><script src=\"/s.js?charset=koi8-r\"></script>"
        "<meta charset=\"windows-1251\"><title>t</title></head><body><p>"
        "\xcf\xf0\xe8\xe2\xe5\xf2, \xec\xe8\xf0</p></body></html>"; /* Привет, мир */
    char *p = path_in_tmp("page1251.html");
    sd_reader *r;
    sd_record rec;
    write_file(p, page, sizeof page - 1);
    CHECK_EQ_INT(sd_reader_new(NULL, &r, NULL), 0);
    CHECK_EQ_INT(sd_reader_add(r, p), 0);
    CHECK_EQ_INT(sd_reader_next(r, &rec), 1);
    CHECK_EQ_INT(rec.error, 0);
    CHECK(rec.html != NULL);
    CHECK(rec.html && strstr(rec.html, "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, "
                                       "\xd0\xbc\xd0\xb8\xd1\x80") != NULL);
    CHECK(rec.charset != NULL && strcasecmp(rec.charset, "windows-1251") == 0);
    CHECK_EQ_INT(sd_reader_next(r, &rec), 0);
    sd_reader_free(r);
}
