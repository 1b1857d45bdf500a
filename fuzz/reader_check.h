/*
 * reader_check.h: the reader on a fuzz input written to a temporary file,
 * in a given format, with the invariants every format keeps: no crash;
 * records numbered densely from 0; every record has an id and its source;
 * a failed record has a message and no text; a good one has a text or a
 * page in valid UTF-8; line numbers never go backwards; only memory stops
 * the reader; a file with content yields at least one record.
 */
#ifndef SD_FUZZ_READER_CHECK_H
#define SD_FUZZ_READER_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "syndic.h"
#include "base/utf8.h"

static inline int fuzz_utf8(const char *p, size_t n)
{
    return p == NULL || sd__utf8_valid(p, n) == n;
}

static inline void fuzz_read(const char *path, sd_format fmt, size_t max_record)
{
    sd_reader_options o;
    sd_reader *r;
    sd_record rec;
    uint64_t expect = 0, last_line = 0;
    int rc;
    sd_reader_options_init(&o);
    o.format = fmt;
    o.max_record = max_record;
    if (sd_reader_new(&o, &r, NULL) != 0 || sd_reader_add(r, path) != 0)
        abort();
    while ((rc = sd_reader_next(r, &rec)) == 1) {
        if (rec.index != expect++ || rec.id == NULL || rec.source == NULL)
            abort();
        if (rec.error) {
            if (rec.errmsg == NULL || rec.errmsg[0] == '\0' || rec.text != NULL)
                abort();
        } else if ((rec.text == NULL && rec.html == NULL) || !fuzz_utf8(rec.text, rec.text_len) ||
                   !fuzz_utf8(rec.html, rec.html_len)) {
            abort();
        }
        if (rec.line && rec.line < last_line)
            abort();
        if (rec.line)
            last_line = rec.line;
    }
    /* only memory stops the reader; a text file always gives its record */
    if (rc < 0 || (fmt == SD_FORMAT_TEXT && expect == 0))
        abort();
    sd_reader_free(r);
}

/* Writes the input to a temporary file and calls check(path) on it. */
static inline void fuzz_with_file(const uint8_t *data, size_t size, void (*check)(const char *, size_t))
{
    char path[] = "/tmp/syndic-fuzz-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return;
    if (write(fd, data, size) == (ssize_t)size) {
        close(fd);
        check(path, size);
    } else {
        close(fd);
    }
    unlink(path);
}

#endif
