/*
 * test_warc.c: WARC files written here, record by record, read back
 * through the public reader: plain, one gzip member per record, one gzip
 * stream; the good records come out with their url, date, id and page;
 * a damaged member, a truncated member, a lying Content-Length, junk
 * between members and an oversized record each give one error record at
 * the right offset, and reading goes on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "input/warc.h"
#include "syndic.h"
#include "test.h"

#define PAGE_TEXT "The river rose two metres overnight and the old town was flooded by morning."

static const char PAGE[] = "<html><head><title>Flood</title></head><body><p>" PAGE_TEXT
                           "</p></body></html>";

/* A growable byte string for building files. */
typedef struct bytes {
    unsigned char *p;
    size_t n, cap;
} bytes;

static void put(bytes *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 1024;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void puts_(bytes *b, const char *s)
{
    put(b, s, strlen(s));
}

/* One WARC record; content_length < 0 means the true length. */
static void warc_record(bytes *out, const char *type, const char *uri, const char *id,
                        const char *ctype, const void *block, size_t n, long content_length)
{
    char head[1024];
    snprintf(head, sizeof head,
             "WARC/1.1\r\nWARC-Type: %s\r\nWARC-Target-URI: %s\r\nWARC-Date: 2021-07-2%dT08:00:00Z\r\n"
             "WARC-Record-ID: <urn:uuid:%s>\r\nContent-Type: %s\r\nContent-Length: %ld\r\n\r\n",
             type, uri, (int)(strlen(id) % 10), id, ctype,
             content_length < 0 ? (long)n : content_length);
    puts_(out, head);
    put(out, block, n);
    puts_(out, "\r\n\r\n");
}

/* A response record carrying PAGE (HTTP headers first). */
static void response(bytes *out, const char *uri, const char *id, long lie)
{
    bytes http = {0};
    puts_(&http, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n");
    put(&http, PAGE, sizeof PAGE - 1);
    warc_record(out, "response", uri, id, "application/http; msgtype=response", http.p, http.n,
                lie);
    free(http.p);
}

/* Compresses p[0..n) as one gzip member appended to out. */
static void gzip_member(bytes *out, const void *p, size_t n)
{
    z_stream z;
    unsigned char buf[1 << 16];
    memset(&z, 0, sizeof z);
    deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)n;
    for (;;) {
        int rc;
        z.next_out = buf;
        z.avail_out = sizeof buf;
        rc = deflate(&z, Z_FINISH);
        put(out, buf, sizeof buf - z.avail_out);
        if (rc == Z_STREAM_END)
            break;
    }
    deflateEnd(&z);
}

static void write_file(const char *path, const bytes *b)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fwrite(b->p, 1, b->n, f);
        fclose(f);
    }
}

/* Reads every record of `path`, keeping copies of the fields checked. */
typedef struct got {
    char id[128], url[128], date[64], msg[256];
    int error, has_html, has_text;
    uint64_t offset, index;
    int page_ok;
} got;

static size_t read_all(const char *path, size_t max_record, got *g, size_t cap)
{
    sd_reader_options o;
    sd_reader *r;
    sd_record rec;
    size_t n = 0;
    int rc;
    sd_reader_options_init(&o);
    if (max_record)
        o.max_record = max_record;
    CHECK_EQ_INT(sd_reader_new(&o, &r, NULL), 0);
    CHECK_EQ_INT(sd_reader_add(r, path), 0);
    while ((rc = sd_reader_next(r, &rec)) == 1) {
        if (n < cap) {
            got *x = &g[n];
            memset(x, 0, sizeof *x);
            snprintf(x->id, sizeof x->id, "%.*s", (int)rec.id_len, rec.id);
            if (rec.url)
                snprintf(x->url, sizeof x->url, "%.*s", (int)rec.url_len, rec.url);
            if (rec.date)
                snprintf(x->date, sizeof x->date, "%.*s", (int)rec.date_len, rec.date);
            if (rec.errmsg)
                snprintf(x->msg, sizeof x->msg, "%s", rec.errmsg);
            x->error = rec.error;
            x->has_html = rec.html != NULL;
            x->has_text = rec.text != NULL;
            x->offset = rec.offset;
            x->index = rec.index;
            x->page_ok = rec.html && rec.html_len == sizeof PAGE - 1 &&
                         memcmp(rec.html, PAGE, rec.html_len) == 0;
            CHECK_EQ_INT(rec.format, SD_FORMAT_WARC);
            CHECK(rec.source != NULL && strcmp(rec.source, path) == 0);
        }
        n++;
    }
    CHECK_EQ_INT(rc, 0);
    sd_reader_free(r);
    return n;
}

/* The records of the test archive, in order, each as one buffer. */
enum { R_INFO, R_REQ, R_A, R_CHUNKED, R_LIE, R_B, R_RESOURCE, R_IMAGE, R_C, N_RECORDS };

static void build_records(bytes rec[N_RECORDS])
{
    bytes http = {0}, gz = {0};
    size_t i;
    memset(rec, 0, N_RECORDS * sizeof *rec);
    warc_record(&rec[R_INFO], "warcinfo", "", "info", "application/warc-fields",
                "software: test\r\n", 16, -1);
    warc_record(&rec[R_REQ], "request", "http://example.org/a", "req",
                "application/http; msgtype=request", "GET /a HTTP/1.1\r\n\r\n", 19, -1);
    response(&rec[R_A], "http://example.org/a", "aaaa", -1);
    /* chunked transfer coding around a gzip content coding */
    gzip_member(&gz, PAGE, sizeof PAGE - 1);
    puts_(&http, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n");
    for (i = 0; i < gz.n; i += 40) {
        char line[32];
        size_t k = gz.n - i < 40 ? gz.n - i : 40;
        snprintf(line, sizeof line, "%zx\r\n", k);
        puts_(&http, line);
        put(&http, gz.p + i, k);
        puts_(&http, "\r\n");
    }
    puts_(&http, "0\r\n\r\n");
    warc_record(&rec[R_CHUNKED], "response", "http://example.org/chunked", "chunked",
                "application/http; msgtype=response", http.p, http.n, -1);
    /* a Content-Length 25 bytes short */
    response(&rec[R_LIE], "http://example.org/lie", "lie", (long)(sizeof PAGE - 1) + 30);
    response(&rec[R_B], "http://example.org/b", "bbbbbb", -1);
    warc_record(&rec[R_RESOURCE], "resource", "http://example.org/res", "res", "text/html", PAGE,
                sizeof PAGE - 1, -1);
    warc_record(&rec[R_IMAGE], "response", "http://example.org/i.png", "image",
                "application/http; msgtype=response",
                "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG", 48, -1);
    response(&rec[R_C], "http://example.org/c", "ccccccc", -1);
    free(http.p);
    free(gz.p);
}

static void check_good(const got *g, const char *id, const char *url)
{
    CHECK_EQ_INT(g->error, 0);
    CHECK_EQ_STR(g->id, id);
    CHECK_EQ_STR(g->url, url);
    CHECK(strncmp(g->date, "2021-07-2", 9) == 0);
    CHECK(g->page_ok);
}

TEST(warc_plain_file)
{
    bytes rec[N_RECORDS], file = {0};
    got g[16];
    char path[512];
    size_t i, n, lie_off = 0;
    build_records(rec);
    for (i = 0; i < N_RECORDS; i++) {
        if (i == R_LIE)
            lie_off = file.n;
        put(&file, rec[i].p, rec[i].n);
    }
    snprintf(path, sizeof path, "%s/plain.warc", sd_test_tmpdir());
    write_file(path, &file);
    n = read_all(path, 0, g, 16);
    CHECK_EQ_U64(n, 7);
    if (n == 7) {
        check_good(&g[0], "urn:uuid:aaaa", "http://example.org/a");
        CHECK_EQ_U64(g[0].index, 0);
        CHECK_EQ_U64(g[0].offset, rec[R_INFO].n + rec[R_REQ].n);
        check_good(&g[1], "urn:uuid:chunked", "http://example.org/chunked");
        CHECK_EQ_INT(g[2].error, SD_EFORMAT);
        CHECK_EQ_STR(g[2].id, "urn:uuid:lie");
        CHECK_EQ_U64(g[2].offset, lie_off);
        CHECK(strstr(g[2].msg, "Content-Length") != NULL);
        check_good(&g[3], "urn:uuid:bbbbbb", "http://example.org/b");
        check_good(&g[4], "urn:uuid:res", "http://example.org/res");
        CHECK_EQ_INT(g[5].error, SD_EFORMAT);
        CHECK(strstr(g[5].msg, "image/png") != NULL);
        check_good(&g[6], "urn:uuid:ccccccc", "http://example.org/c");
        CHECK_EQ_U64(g[6].index, 6);
    }
    for (i = 0; i < N_RECORDS; i++)
        free(rec[i].p);
    free(file.p);
}

TEST(warc_gzip_members_with_damage)
{
    bytes rec[N_RECORDS], file = {0}, m = {0};
    got g[24];
    char path[512];
    size_t i, n, off_a = 0, off_damaged = 0, off_cut = 0, off_junk = 0, off_lie = 0, off_c = 0;
    build_records(rec);
    for (i = 0; i < N_RECORDS; i++) {
        size_t start = file.n;
        if (i == R_A)
            off_a = start;
        if (i == R_LIE)
            off_lie = start;
        if (i == R_C)
            off_c = start;
        gzip_member(&file, rec[i].p, rec[i].n);
        if (i == R_A) {
            /* a copy of record A whose compressed bytes are damaged */
            off_damaged = file.n;
            m.n = 0;
            gzip_member(&m, rec[R_A].p, rec[R_A].n);
            memset(m.p + m.n / 2, 0x55, 24);
            put(&file, m.p, m.n);
            /* and one cut in the middle */
            off_cut = file.n;
            m.n = 0;
            gzip_member(&m, rec[R_B].p, rec[R_B].n);
            put(&file, m.p, m.n / 2);
        }
        if (i == R_B) {
            off_junk = file.n;
            puts_(&file, "this is not gzip at all, just junk between two members");
        }
    }
    snprintf(path, sizeof path, "%s/members.warc.gz", sd_test_tmpdir());
    write_file(path, &file);
    n = read_all(path, 0, g, 24);
    CHECK_EQ_U64(n, 10);
    if (n == 10) {
        check_good(&g[0], "urn:uuid:aaaa", "http://example.org/a");
        CHECK_EQ_U64(g[0].offset, off_a);
        CHECK(g[1].error == SD_EFORMAT || g[1].error == SD_ETRUNC);
        CHECK_EQ_U64(g[1].offset, off_damaged);
        CHECK(strstr(g[1].msg, "gzip member at byte") != NULL);
        CHECK(g[2].error == SD_EFORMAT || g[2].error == SD_ETRUNC);
        CHECK_EQ_U64(g[2].offset, off_cut);
        check_good(&g[3], "urn:uuid:chunked", "http://example.org/chunked");
        CHECK_EQ_INT(g[4].error, SD_EFORMAT);
        CHECK_EQ_STR(g[4].id, "urn:uuid:lie");
        CHECK_EQ_U64(g[4].offset, off_lie);
        check_good(&g[5], "urn:uuid:bbbbbb", "http://example.org/b");
        CHECK_EQ_INT(g[6].error, SD_EFORMAT);
        CHECK_EQ_U64(g[6].offset, off_junk);
        check_good(&g[7], "urn:uuid:res", "http://example.org/res");
        CHECK_EQ_INT(g[8].error, SD_EFORMAT); /* the image */
        check_good(&g[9], "urn:uuid:ccccccc", "http://example.org/c");
        CHECK_EQ_U64(g[9].offset, off_c);
    }
    /* the same file cut inside its last member: everything before it, then
     * one error for the cut member */
    file.n -= 10;
    write_file(path, &file);
    n = read_all(path, 0, g, 24);
    CHECK_EQ_U64(n, 10);
    if (n == 10) {
        CHECK_EQ_INT(g[9].error, SD_ETRUNC);
        CHECK_EQ_U64(g[9].offset, off_c);
        check_good(&g[7], "urn:uuid:res", "http://example.org/res");
    }
    for (i = 0; i < N_RECORDS; i++)
        free(rec[i].p);
    free(file.p);
    free(m.p);
}

TEST(warc_whole_file_gzip_and_limits)
{
    bytes rec[N_RECORDS], plain = {0}, file = {0};
    got g[16];
    char path[512];
    size_t i, n;
    build_records(rec);
    for (i = 0; i < N_RECORDS; i++)
        put(&plain, rec[i].p, rec[i].n);
    gzip_member(&file, plain.p, plain.n);
    snprintf(path, sizeof path, "%s/whole.warc.gz", sd_test_tmpdir());
    write_file(path, &file);
    n = read_all(path, 0, g, 16);
    CHECK_EQ_U64(n, 7);
    if (n == 7) {
        check_good(&g[0], "urn:uuid:aaaa", "http://example.org/a");
        CHECK_EQ_U64(g[0].offset, rec[R_INFO].n + rec[R_REQ].n);
        CHECK_EQ_INT(g[2].error, SD_EFORMAT);
        check_good(&g[6], "urn:uuid:ccccccc", "http://example.org/c");
    }
    /* a max_record smaller than a page: those records are errors, skipped
     * without being kept, the small ones still read */
    snprintf(path, sizeof path, "%s/limit.warc", sd_test_tmpdir());
    write_file(path, &plain);
    n = read_all(path, 200, g, 16);
    CHECK_EQ_U64(n, 7);
    if (n == 7) {
        CHECK_EQ_INT(g[0].error, SD_ETOOBIG);
        CHECK(strstr(g[0].msg, "more than the 200 allowed") != NULL);
        CHECK_EQ_STR(g[0].id, "urn:uuid:aaaa");
        CHECK_EQ_INT(g[6].error, SD_ETOOBIG);
    }
    /* junk before the first record, and a file of junk only */
    file.n = 0;
    puts_(&file, "\x01\x02garbage line\nmore garbage\n");
    put(&file, rec[R_A].p, rec[R_A].n);
    snprintf(path, sizeof path, "%s/junk.warc", sd_test_tmpdir());
    write_file(path, &file);
    n = read_all(path, 0, g, 16);
    CHECK_EQ_U64(n, 2);
    if (n == 2) {
        CHECK_EQ_INT(g[0].error, SD_EFORMAT);
        CHECK_EQ_U64(g[0].offset, 0);
        check_good(&g[1], "urn:uuid:aaaa", "http://example.org/a");
    }
    file.n = 0;
    puts_(&file, "no WARC here");
    write_file(path, &file);
    n = read_all(path, 0, g, 16);
    CHECK_EQ_U64(n, 1);
    CHECK_EQ_INT(g[0].error, SD_EFORMAT);
    for (i = 0; i < N_RECORDS; i++)
        free(rec[i].p);
    free(plain.p);
    free(file.p);
}

/*
 * Records larger than the look-ahead (the window is reallocated while a
 * record's header is being used: issue 14's heap-use-after-free): a 400 KB
 * page, a page behind a 1 MB HTTP header line, both plain and one gzip
 * member each, then a record without WARC-Type (an error line) and a
 * small page after them, which must still be read.
 */
TEST(warc_large_records_and_untyped)
{
    bytes http = {0}, big = {0}, hdr = {0}, file = {0}, gz = {0};
    char path[512];
    got g[8];
    size_t i, n, pass;
    char *line = malloc((size_t)1 << 20);
    puts_(&http, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><p>");
    for (i = 0; i < 40000; i++)
        puts_(&http, "word word ");
    puts_(&http, "</p></body></html>");
    warc_record(&big, "response", "http://example.org/big", "big", "application/http", http.p,
                http.n, -1);
    http.n = 0;
    memset(line, 'a', ((size_t)1 << 20) - 1);
    line[((size_t)1 << 20) - 1] = '\0';
    puts_(&http, "HTTP/1.1 200 OK\r\nX-Long: ");
    puts_(&http, line);
    puts_(&http, "\r\nContent-Type: text/html\r\n\r\n");
    put(&http, PAGE, sizeof PAGE - 1);
    warc_record(&hdr, "response", "http://example.org/hdr", "hdr", "application/http", http.p,
                http.n, -1);
    for (pass = 0; pass < 2; pass++) {
        bytes *parts[4];
        bytes untyped = {0}, last = {0};
        puts_(&untyped, "WARC/1.1\r\nWARC-Record-ID: <urn:uuid:untyped>\r\nContent-Length: 5"
                        "\r\n\r\nhello\r\n\r\n");
        response(&last, "http://example.org/c", "ccccccc", -1);
        parts[0] = &big;
        parts[1] = &hdr;
        parts[2] = &untyped;
        parts[3] = &last;
        file.n = 0;
        for (i = 0; i < 4; i++) {
            if (pass == 0)
                put(&file, parts[i]->p, parts[i]->n);
            else
                gzip_member(&file, parts[i]->p, parts[i]->n);
        }
        snprintf(path, sizeof path, "%s/large%zu.warc%s", sd_test_tmpdir(), pass,
                 pass ? ".gz" : "");
        write_file(path, &file);
        n = read_all(path, 0, g, 8);
        CHECK_EQ_INT(n, 4);
        CHECK_EQ_INT(g[0].error, 0);
        CHECK_EQ_STR(g[0].id, "urn:uuid:big");
        CHECK(g[0].has_html);
        CHECK_EQ_INT(g[1].error, 0);
        CHECK_EQ_STR(g[1].id, "urn:uuid:hdr");
        CHECK(g[1].page_ok);
        CHECK_EQ_INT(g[2].error, SD_EFORMAT);
        CHECK_EQ_STR(g[2].id, "urn:uuid:untyped");
        CHECK(strstr(g[2].msg, "has no WARC-Type") != NULL);
        check_good(&g[3], "urn:uuid:ccccccc", "http://example.org/c");
        free(untyped.p);
        free(last.p);
    }
    free(line);
    free(http.p);
    free(big.p);
    free(hdr.p);
    free(file.p);
    free(gz.p);
}

/*
 * A run of blank lines between records longer than the window holds
 * (max_record plus the look-ahead): the reader drops what it has passed
 * instead of growing the window to its cap and failing with SD_ETOOBIG.
 * Found by fuzz_warc: a record over max_record, skipped, then 1.6 MB of
 * newlines. Plain and gzip, with and without the oversized record first.
 */
TEST(warc_blank_run_longer_than_window)
{
    bytes big = {0}, good = {0}, file = {0}, plain = {0};
    char path[512];
    got g[4];
    size_t n, pass;
    char *blank = malloc((size_t)3 << 20);
    char *zeros = calloc(1, (size_t)1 << 20);
    memset(blank, '\n', (size_t)3 << 20);
    warc_record(&big, "resource", "http://example.org/big", "big", "text/plain", zeros,
                (size_t)1 << 20, -1);
    response(&good, "http://example.org/c", "ccccccc", -1);
    for (pass = 0; pass < 4; pass++) {
        int with_big = (int)(pass & 1), gz = (int)(pass >> 1);
        plain.n = 0;
        if (with_big)
            put(&plain, big.p, big.n);
        put(&plain, blank, (size_t)3 << 20);
        put(&plain, good.p, good.n);
        file.n = 0;
        if (gz)
            gzip_member(&file, plain.p, plain.n);
        else
            put(&file, plain.p, plain.n);
        snprintf(path, sizeof path, "%s/blank%zu.warc%s", sd_test_tmpdir(), pass,
                 gz ? ".gz" : "");
        write_file(path, &file);
        n = read_all(path, 1000, g, 4);
        CHECK_EQ_U64(n, (size_t)with_big + 1);
        if (n == (size_t)with_big + 1) {
            if (with_big) {
                CHECK_EQ_INT(g[0].error, SD_ETOOBIG);
                CHECK_EQ_STR(g[0].id, "urn:uuid:big");
            }
            check_good(&g[with_big], "urn:uuid:ccccccc", "http://example.org/c");
            /* one gzip member for the whole file: the offset is in the
             * decompressed stream, as for the plain file */
            CHECK_EQ_U64(g[with_big].offset,
                         (uint64_t)(with_big ? big.n : 0) + ((uint64_t)3 << 20));
        }
    }
    free(blank);
    free(zeros);
    free(big.p);
    free(good.p);
    free(file.p);
    free(plain.p);
}
