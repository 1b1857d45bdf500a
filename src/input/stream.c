/*
 * stream.c: a file or standard input, decompressed on the fly.
 *
 * The first block read decides the codec by its magic bytes, so a gzip file
 * named .jsonl (or arriving on a pipe) is still read right. gzip members
 * follow one another until the input ends; a member cut short, or input
 * ending inside a zstd frame, is a truncation; bytes that do not decode are
 * corruption. Either way the bytes decoded so far have been handed out
 * already, and the caller reports the failure after them.
 */
#include "input/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "syndic.h"

#define BLOCK ((size_t)1 << 20)
#define TAIL 8 /* bytes kept from one block to the next while seeking a magic */

void sd__stream_close(sd_stream *s)
{
    if (s->fd > STDIN_FILENO)
        close(s->fd);
    if (s->z_live)
        inflateEnd(&s->z);
    ZSTD_freeDCtx(s->zd);
    sd__free(s->in);
    memset(s, 0, sizeof *s);
    s->fd = -1;
}

/* Reads up to `room` bytes to s->in + at. Returns how many, 0 at the end
 * of the input (s->in_eof set), or -1 after a read error (recorded in s). */
static ssize_t read_into(sd_stream *s, size_t at, size_t room)
{
    ssize_t n;
    do
        n = read(s->fd, s->in + at, room);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        s->failed = SD_EIO;
        snprintf(s->errmsg, sizeof s->errmsg, "read error at byte %llu: %s",
                 (unsigned long long)s->raw_bytes, strerror(errno));
        return -1;
    }
    if (n == 0)
        s->in_eof = 1;
    s->raw_bytes += (uint64_t)n;
    return n;
}

/* Reads the next block of input once the current one is used up. Returns 0,
 * or -1 after a read error (recorded in s). At the end of the input the
 * last block stays, used up: the WARC reader starts from it. */
static int fill_in(sd_stream *s)
{
    ssize_t n;
    if (s->in_pos < s->in_len || s->in_eof)
        return 0;
    if ((n = read_into(s, 0, BLOCK)) <= 0)
        return (int)n;
    s->in_len = (size_t)n;
    s->in_pos = 0;
    return 0;
}

/* Whether p[0..4) starts a zstd frame, or a skippable frame (pzstd writes
 * one first, holding the sizes of the frames that follow). */
static int zstd_magic(const unsigned char *p)
{
    if (p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
        return 1;
    return (p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d && p[3] == 0x18;
}

/* Whether p[0..3) starts a gzip member (magic, deflate, no reserved flag). */
static int gzip_magic(const unsigned char *p)
{
    return p[0] == 0x1f && p[1] == 0x8b && p[2] == 8 && (p[3] & 0xe0) == 0;
}

/* The first block holds this much (or the whole input): a pipe hands out
 * what was written so far, a few bytes maybe, and the compression and the
 * format are told from the first bytes, which the WARC reader then reads
 * again from this block. */
#define FIRST_FILL ((size_t)64 << 10)

/* Reads on into the first block until it holds FIRST_FILL bytes or the
 * input ends. Returns 0, or -1 after a read error (recorded in s). */
static int fill_first(sd_stream *s)
{
    while (!s->in_eof && s->in_len < FIRST_FILL) {
        ssize_t n = read_into(s, s->in_len, BLOCK - s->in_len);
        if (n < 0)
            return -1;
        s->in_len += (size_t)n;
    }
    return 0;
}

int sd__stream_open(sd_stream *s, const char *path)
{
    memset(s, 0, sizeof *s);
    s->fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0) {
        int e = errno;
        sd__stream_close(s);
        errno = e;
        return SD_EIO;
    }
    s->in = sd__malloc(BLOCK + TAIL);
    if (s->in == NULL)
        return SD_ENOMEM;
    if (fill_in(s) || fill_first(s))
        return 0;
    if (s->in_len >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b)
        s->comp = SD_COMP_GZIP;
    else if (s->in_len >= 4 && zstd_magic(s->in))
        s->comp = SD_COMP_ZSTD;
    if (s->comp == SD_COMP_GZIP) {
        if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
            return SD_ENOMEM;
        s->z_live = 1;
    } else if (s->comp == SD_COMP_ZSTD) {
        s->zd = ZSTD_createDCtx();
        if (s->zd == NULL)
            return SD_ENOMEM;
    }
    return 0;
}

/* Offset in the file of the next compressed byte not yet consumed. */
static unsigned long long consumed(const sd_stream *s)
{
    return (unsigned long long)(s->raw_bytes - (s->in_len - s->in_pos));
}

/* One step of gzip: inflates what is buffered into out[0..room). Returns
 * the bytes produced; sets s->failed on damage; 0 with nothing failed at a
 * clean end. */
static size_t gzip_step(sd_stream *s, unsigned char *out, size_t room)
{
    int rc;
    if (s->in_pos == s->in_len) {
        if (!s->z_member_done) {
            s->failed = SD_ETRUNC;
            snprintf(s->errmsg, sizeof s->errmsg, "truncated gzip stream at byte %llu",
                     (unsigned long long)s->raw_bytes);
        }
        return 0;
    }
    if (s->z_member_done) {
        /* Zero bytes after a member are padding (tape blocks, some
         * writers), ignored as gzip itself does. */
        while (s->in_pos < s->in_len && s->in[s->in_pos] == 0)
            s->in_pos++;
        if (s->in_pos == s->in_len)
            return 0;
        inflateReset(&s->z); /* the next member of a concatenation */
        s->member_off = consumed(s);
        s->z_member_done = 0;
    }
    s->z.next_in = s->in + s->in_pos;
    s->z.avail_in = (uInt)(s->in_len - s->in_pos);
    s->z.next_out = out;
    s->z.avail_out = (uInt)room;
    rc = inflate(&s->z, Z_NO_FLUSH);
    s->in_pos = s->in_len - s->z.avail_in;
    if (rc == Z_STREAM_END) {
        s->z_member_done = 1;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        s->failed = SD_EFORMAT;
        snprintf(s->errmsg, sizeof s->errmsg, "corrupt gzip stream at byte %llu: %s", consumed(s),
                 s->z.msg ? s->z.msg : "inflate failed");
    }
    return room - s->z.avail_out;
}

/*
 * One step of zstd, as gzip_step. The decoder is given only the input its
 * next step needs (the hint it returned), and a call that filled `out` is
 * followed by one that only drains: so no call both hands out bytes and
 * fails, and a failure (whose call reports no output) loses nothing that
 * decoded before the damaged block.
 */
static size_t zstd_step(sd_stream *s, unsigned char *out, size_t room)
{
    ZSTD_inBuffer in;
    ZSTD_outBuffer ob;
    size_t rc, feed;
    if (s->in_pos == s->in_len && !s->zstd_full) {
        if (s->zstd_left) {
            s->failed = SD_ETRUNC;
            snprintf(s->errmsg, sizeof s->errmsg, "truncated zstd stream at byte %llu",
                     (unsigned long long)s->raw_bytes);
        }
        return 0;
    }
    feed = s->zstd_full ? 0 : s->zstd_left ? s->zstd_left : 1;
    if (feed > s->in_len - s->in_pos)
        feed = s->in_len - s->in_pos;
    in.src = s->in;
    in.size = s->in_pos + feed;
    in.pos = s->in_pos;
    ob.dst = out;
    ob.size = room;
    ob.pos = 0;
    rc = ZSTD_decompressStream(s->zd, &ob, &in);
    if (ZSTD_isError(rc)) {
        s->failed = SD_EFORMAT;
        snprintf(s->errmsg, sizeof s->errmsg, "corrupt zstd stream at byte %llu: %s", consumed(s),
                 ZSTD_getErrorName(rc));
        return 0;
    }
    s->in_pos = in.pos;
    s->zstd_left = rc;
    s->zstd_full = ob.pos == room;
    return ob.pos;
}

static int is_magic(const sd_stream *s, const unsigned char *p)
{
    return s->comp == SD_COMP_GZIP ? gzip_magic(p) : zstd_magic(p);
}

int sd__stream_resync(sd_stream *s)
{
    size_t m = 4, n;
    uint64_t from = consumed(s);
    char what[64];
    if (s->failed != SD_EFORMAT || s->comp == SD_COMP_NONE)
        return 0;
    snprintf(what, sizeof what, "%s", s->comp == SD_COMP_GZIP ? "gzip member" : "zstd frame");
    for (;;) {
        size_t i;
        for (i = s->in_pos; i + m <= s->in_len; i++)
            if (is_magic(s, s->in + i) &&
                s->raw_bytes - (s->in_len - i) != s->member_off) /* not the failed one */
                break;
        if (i + m <= s->in_len) {
            s->in_pos = i;
            break;
        }
        if (s->in_eof) {
            s->in_pos = s->in_len;
            n = strlen(s->errmsg);
            snprintf(s->errmsg + n, sizeof s->errmsg - n, "; no %s after it", what);
            return 0;
        }
        /* keep the last bytes: a magic may straddle two blocks */
        n = s->in_len - i;
        memmove(s->in, s->in + i, n);
        {
            ssize_t got;
            do
                got = read(s->fd, s->in + n, BLOCK + TAIL - n);
            while (got < 0 && errno == EINTR);
            if (got <= 0) {
                s->in_eof = 1;
                got = 0;
            }
            s->raw_bytes += (uint64_t)got;
            s->in_len = n + (size_t)got;
            s->in_pos = 0;
        }
    }
    n = strlen(s->errmsg);
    snprintf(s->errmsg + n, sizeof s->errmsg - n,
             "; bytes %llu to %llu skipped, reading resumed at the next %s",
             (unsigned long long)from, (unsigned long long)consumed(s), what);
    s->member_off = consumed(s);
    if (s->comp == SD_COMP_GZIP) {
        inflateReset(&s->z);
        s->z_member_done = 0;
    } else {
        ZSTD_DCtx_reset(s->zd, ZSTD_reset_session_only);
        s->zstd_left = 0;
        s->zstd_full = 0;
    }
    s->failed = 0;
    return 1;
}

size_t sd__stream_read(sd_stream *s, sd_buf *b, size_t want, int *bufrc)
{
    size_t got = 0;
    int rc;
    if (bufrc)
        *bufrc = 0;
    if (s->failed || s->in == NULL)
        return 0;
    if (want > BLOCK)
        want = BLOCK;
    if ((rc = sd__buf_reserve(b, want)) != 0) {
        if (bufrc)
            *bufrc = rc;
        return 0;
    }
    while (got == 0 && !s->failed) {
        unsigned char *out = (unsigned char *)b->p + b->len;
        if (fill_in(s))
            break;
        if (s->comp == SD_COMP_NONE) {
            got = s->in_len - s->in_pos;
            if (got == 0)
                break;
            if (got > want)
                got = want;
            memcpy(out, s->in + s->in_pos, got);
            s->in_pos += got;
        } else if (s->comp == SD_COMP_GZIP) {
            got = gzip_step(s, out, want);
            if (got == 0 && s->in_pos == s->in_len && s->in_eof)
                break;
        } else {
            got = zstd_step(s, out, want);
            if (got == 0 && s->in_pos == s->in_len && s->in_eof)
                break;
        }
    }
    b->len += got;
    b->p[b->len] = '\0';
    s->out_bytes += got;
    return got;
}
