/*
 * fuzz_reader.c: the reader on arbitrary file contents, as JSONL and as a
 * plain-text document (compression is sniffed from the bytes either way).
 * Invariants: no crash; records numbered densely from 0; every record has an
 * id; a good record's text is valid UTF-8; a failed record has a message;
 * JSONL line numbers never go backwards.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "syndic.h"
#include "text/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *path, sd_format fmt)
{
    sd_reader_options o;
    sd_reader *r;
    sd_record rec;
    uint64_t expect = 0, last_line = 0;
    int rc;
    sd_reader_options_init(&o);
    o.format = fmt;
    o.max_record = 4096;
    if (sd_reader_new(&o, &r) != 0 || sd_reader_add(r, path) != 0)
        abort();
    while ((rc = sd_reader_next(r, &rec)) == 1) {
        if (rec.index != expect++ || rec.id == NULL)
            abort();
        if (rec.error) {
            if (rec.errmsg == NULL || rec.errmsg[0] == '\0')
                abort();
        } else if (rec.text && sd__utf8_valid(rec.text, rec.text_len) != rec.text_len) {
            abort();
        }
        if (fmt == SD_FORMAT_JSONL && rec.line && rec.line < last_line)
            abort();
        if (rec.line)
            last_line = rec.line;
    }
    if (rc < 0 || expect == 0)
        abort(); /* every input yields a record, and only memory can stop it */
    sd_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/syndic-fuzz-reader-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    check(path, SD_FORMAT_TEXT);
    if (size > 0)
        check(path, SD_FORMAT_JSONL);
    unlink(path);
    return 0;
}
