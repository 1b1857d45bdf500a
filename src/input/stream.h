/*
 * stream.h: the decompressed bytes of a file or of standard input.
 *
 * gzip (multi-member, as `cat a.gz b.gz` makes) and zstd (multi-frame, and
 * pzstd's output, which starts with a skippable frame) are recognised by
 * their magic bytes and undone on the fly; anything else is passed through.
 * Input is read in 1 MiB blocks. A stream that is cut short or damaged
 * keeps everything decoded before the damage: reads return those bytes,
 * then 0, with `failed` set (SD_ETRUNC, SD_EFORMAT or SD_EIO) and `errmsg`
 * saying where ("truncated gzip stream at byte 81920"). After damage,
 * sd__stream_resync() can resume at the next intact member or frame. A
 * stream is owned by one reader; not shared between threads.
 */
#ifndef SD_INPUT_STREAM_H
#define SD_INPUT_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>
#include <zstd.h>

#include "base/buf.h"

typedef enum { SD_COMP_NONE, SD_COMP_GZIP, SD_COMP_ZSTD } sd_comp;

typedef struct sd_stream {
    int fd; /* -1 when closed; standard input is never closed */
    sd_comp comp;
    unsigned char *in; /* compressed input block */
    size_t in_len, in_pos;
    int in_eof;
    z_stream z;
    int z_live, z_member_done;
    ZSTD_DCtx *zd;
    size_t zstd_left;    /* last ZSTD_decompressStream hint: 0 at a frame end */
    int zstd_full;       /* the last zstd step filled its output: drain next */
    uint64_t member_off; /* file offset of the gzip member or zstd frame being read */
    uint64_t raw_bytes;  /* bytes read from the file (compressed size) */
    uint64_t out_bytes;  /* decompressed bytes handed out */
    int failed;          /* 0, SD_ETRUNC, SD_EFORMAT or SD_EIO */
    char errmsg[256];
} sd_stream;

/* Opens `path` ("-" for standard input) and reads its first block to tell
 * the compression. Returns 0; SD_EIO with errno set when it cannot be opened
 * (s is then closed); SD_ENOMEM. A read error on the first block is not a
 * failure of the open: it shows in s->failed. */
int sd__stream_open(sd_stream *s, const char *path);

/* Appends up to `want` (> 0) decompressed bytes to b. Returns the number
 * added; 0 at the end of the input or after a failure (s->failed tells), or
 * when b cannot grow (SD_ENOMEM / SD_ETOOBIG in *bufrc, may be NULL). */
size_t sd__stream_read(sd_stream *s, sd_buf *b, size_t want, int *bufrc);

/* After a read stopped at damage (s->failed == SD_EFORMAT): skips to the
 * next gzip member or zstd frame header in the compressed bytes, adds to
 * s->errmsg which bytes were skipped, clears s->failed and returns 1; or
 * returns 0 (errmsg then says that none follows) when there is none, or
 * when the failure was a truncation or a read error. */
int sd__stream_resync(sd_stream *s);

/* Releases everything; s may be reopened. Safe on a closed stream. */
void sd__stream_close(sd_stream *s);

#endif
