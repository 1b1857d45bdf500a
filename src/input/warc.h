/*
 * warc.h: a WARC 1.0 / 1.1 reader (web crawl archives).
 *
 * A `.warc` file, or a `.warc.gz` written as one gzip member per record (as
 * crawls publish them) or as one gzip stream, gives one record per
 * `response` record (the HTTP status line and headers parsed, chunked
 * transfer-encoding and gzip/deflate content-encoding of the body undone)
 * and per `resource` record of an HTML type. warcinfo, request, metadata,
 * revisit and other records give nothing. Each page's markup is decoded to
 * UTF-8 (HTTP charset, else <meta>, else detection) into sd_record.html;
 * url, date and id come from WARC-Target-URI, WARC-Date and
 * WARC-Record-ID.
 *
 * Damage never stops the reader: a truncated or corrupt gzip member, a
 * header block that does not parse, a Content-Length that lies (the next
 * record does not start where it says), a record over max_record, or bytes
 * that are not WARC at all each give one error record naming the file and
 * the byte offset (in the decompressed stream for plain files, in the
 * compressed file for per-record gzip), and reading resumes at the next
 * gzip member or the next "WARC/1." line.
 *
 * A reader is owned by one sd_reader; not shared between threads.
 */
#ifndef SD_INPUT_WARC_H
#define SD_INPUT_WARC_H

#include <stddef.h>
#include <stdint.h>

#include "syndic.h"

typedef struct sd_warc sd_warc;

/*
 * Opens a WARC reader on the open file descriptor `fd` (which stays the
 * caller's: it is read, never closed), of which the first `head_len` bytes
 * `head` were already read. `path` names the file in messages (copied).
 * `raw_bytes`, when not NULL, is increased by every byte read from fd.
 * Returns 0 or SD_ENOMEM.
 */
int sd__warc_open_fd(int fd, const void *head, size_t head_len, const char *path,
                     const sd_reader_options *o, uint64_t *raw_bytes, sd_warc **out);

/*
 * Reads the next record into *rec: 1 when one was produced (perhaps an
 * error record), 0 at the end of the file, or SD_ENOMEM. rec->index is
 * left 0 (the caller numbers records) and rec->source points at the path.
 * Pointers in *rec stay valid until the next call or sd__warc_close.
 */
int sd__warc_next(sd_warc *w, sd_record *rec);

void sd__warc_close(sd_warc *w);

#endif
