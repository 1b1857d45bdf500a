/*
 * fuzz_jsonl.c: the JSONL line parser, and the reader on a JSONL stream,
 * with arbitrary bytes.
 *
 * Parser invariants: it never crashes; accepted strings are valid UTF-8; a
 * parse with repair accepts everything the strict parse accepts, with the
 * same fields; a failure names its column.
 * Reader invariants (the input written to a memory file and read as JSONL,
 * once with the default limit and once with a 16-byte max_record): every
 * line that is not blank, or is longer than max_record, yields exactly one
 * record, in order, numbered densely; each record's offset is its line's
 * start and its line number is right; raw is the line; text is valid UTF-8.
 * Input that starts with gzip or zstd magic is decompressed, so there only
 * the counts of records and density are checked.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/buf.h"
#include "input/jsonl.h"
#include "syndic.h"
#include "base/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_parser(const uint8_t *data, size_t size)
{
    sd_buf v[2], w[2];
    sd_jsonl_field f[2] = {{0}}, g[2] = {{0}};
    char err[200];
    size_t nrepl = 0, k;
    int rc, rc2;
    for (k = 0; k < 2; k++) {
        sd__buf_init(&v[k], 1 << 20);
        sd__buf_init(&w[k], 1 << 20);
        f[k].name = g[k].name = k ? "text" : "id";
        f[k].name_len = g[k].name_len = k ? 4 : 2;
        f[k].value = &v[k];
        g[k].value = &w[k];
    }
    rc = sd__jsonl_parse((const char *)data, size, f, 2, 0, NULL, err, sizeof err);
    rc2 = sd__jsonl_parse((const char *)data, size, g, 2, 1, &nrepl, err, sizeof err);
    if (rc == 0) {
        if (rc2 != 0 || nrepl != 0)
            abort();
        for (k = 0; k < 2; k++) {
            if (f[k].kind != g[k].kind || v[k].len != w[k].len ||
                (v[k].len && memcmp(v[k].p, w[k].p, v[k].len) != 0))
                abort();
            if (f[k].kind == SD_JSONL_STRING && sd__utf8_valid(v[k].p, v[k].len) != v[k].len)
                abort();
        }
    } else if (rc == SD_EFORMAT && strncmp(err, "invalid JSON at column ", 23) != 0) {
        abort();
    }
    if (rc2 == 0)
        for (k = 0; k < 2; k++)
            if (g[k].kind == SD_JSONL_STRING && sd__utf8_valid(w[k].p, w[k].len) != w[k].len)
                abort();
    for (k = 0; k < 2; k++) {
        sd__buf_release(&v[k]);
        sd__buf_release(&w[k]);
    }
}

/* Bytes of a byte order mark the reader skips at the start of line p[0..n)
 * (the first line only), after the line's '\r' is dropped. */
static size_t bom_len(const uint8_t *p, size_t n, size_t line)
{
    if (n && p[n - 1] == '\r')
        n--;
    return line == 1 && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

/* Whether line p[0..n) (no newline), the line-th, yields a record under
 * max_record. */
static int yields_record(const uint8_t *p, size_t n, size_t line, size_t max_record)
{
    size_t k;
    if (n > max_record)
        return 1;
    k = bom_len(p, n, line);
    if (n && p[n - 1] == '\r')
        n--;
    for (; k < n; k++)
        if (p[k] != ' ' && p[k] != '\t' && p[k] != '\r')
            return 1;
    return 0;
}

static void check_reader(const char *path, const uint8_t *data, size_t size, size_t max_record)
{
    sd_reader_options o;
    sd_reader *r;
    sd_record rec;
    size_t pos = 0, line = 0, n = 0;
    int compressed = (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) ||
                     (size >= 4 && data[0] == 0x28 && data[1] == 0xb5 && data[2] == 0x2f &&
                      data[3] == 0xfd);
    int rc;
    sd_reader_options_init(&o);
    o.format = SD_FORMAT_JSONL;
    o.max_record = max_record;
    if (sd_reader_new(&o, &r, NULL) != 0 || sd_reader_add(r, path) != 0)
        abort();
    while ((rc = sd_reader_next(r, &rec)) == 1) {
        if (rec.index != n++ || rec.id == NULL || rec.source == NULL)
            abort();
        if (rec.text && sd__utf8_valid(rec.text, rec.text_len) != rec.text_len)
            abort();
        if ((rec.error == 0) != (rec.errmsg == NULL))
            abort();
        if (n == 1 && rec.line == 0 && rec.error == SD_EFORMAT && strstr(rec.errmsg, "is not text")) {
            /* bytes that start as a known binary format are refused whole */
            if (sd_reader_next(r, &rec) != 0)
                abort();
            sd_reader_free(r);
            return;
        }
        if (compressed)
            continue;
        /* the next line that yields a record must be this one */
        for (;;) {
            const uint8_t *nl;
            size_t len;
            if (pos >= size)
                abort(); /* a record beyond the input */
            nl = memchr(data + pos, '\n', size - pos);
            len = nl ? (size_t)(nl - (data + pos)) : size - pos;
            line++;
            if (yields_record(data + pos, len, line, max_record)) {
                size_t raw_len = len && data[pos + len - 1] == '\r' ? len - 1 : len;
                size_t bom = rec.error == SD_ETOOBIG ? 0 : bom_len(data + pos, len, line);
                if (rec.offset != pos + bom || rec.line != line)
                    abort();
                if (rec.raw && rec.error != SD_ETOOBIG &&
                    (rec.raw_len != raw_len - bom ||
                     memcmp(rec.raw, data + pos + bom, raw_len - bom) != 0))
                    abort();
                pos += len + 1;
                break;
            }
            pos += len + 1;
        }
    }
    if (rc != 0)
        abort();
    if (!compressed)
        while (pos < size) {
            const uint8_t *nl = memchr(data + pos, '\n', size - pos);
            size_t len = nl ? (size_t)(nl - (data + pos)) : size - pos;
            if (yields_record(data + pos, len, ++line, max_record))
                abort(); /* a line that yielded no record */
            pos += len + 1;
        }
    sd_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd;
    check_parser(data, size);
    fd = memfd_create("fuzz_jsonl", 0);
    if (fd < 0)
        return 0;
    if (size == 0 || write(fd, data, size) == (ssize_t)size) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        check_reader(path, data, size, (size_t)64 << 20);
        check_reader(path, data, size, 16);
    }
    close(fd);
    return 0;
}
