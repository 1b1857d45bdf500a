/*
 * fuzz_warc.c: the reader on arbitrary bytes as a WARC file (gzip sniffed
 * from the bytes), with a small max_record so that the oversized path runs.
 * Invariants: no crash; records numbered densely from 0; every record has
 * an id and its source; a failed record has a message; a good one has a
 * page (valid UTF-8 html) or a text, and valid UTF-8 url and date when set.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "syndic.h"
#include "base/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int valid(const char *p, size_t n)
{
    return p == NULL || sd__utf8_valid(p, n) == n;
}

static void check(const char *path, size_t max_record)
{
    sd_reader_options o;
    sd_reader *r;
    sd_record rec;
    uint64_t expect = 0;
    int rc;
    sd_reader_options_init(&o);
    o.format = SD_FORMAT_WARC;
    o.max_record = max_record;
    if (sd_reader_new(&o, &r, NULL) != 0 || sd_reader_add(r, path) != 0)
        abort();
    while ((rc = sd_reader_next(r, &rec)) == 1) {
        if (rec.index != expect++ || rec.id == NULL || rec.source == NULL ||
            rec.format != SD_FORMAT_WARC)
            abort();
        if (rec.error) {
            if (rec.errmsg == NULL || rec.errmsg[0] == '\0')
                abort();
            continue;
        }
        if (rec.html == NULL && rec.text == NULL)
            abort();
        if (!valid(rec.html, rec.html_len) || !valid(rec.text, rec.text_len) ||
            (rec.url && !rec.url_len && rec.url[0]))
            abort();
        if (rec.raw == NULL && rec.raw_len)
            abort();
    }
    if (rc < 0)
        abort();
    sd_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/syndic-fuzz-warc-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    check(path, 64 << 20);
    check(path, 300);
    unlink(path);
    return 0;
}
