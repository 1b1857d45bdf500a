/*
 * warc.c: the WARC reader (see warc.h).
 *
 * Two layers. The lower one turns the file into a window of decompressed
 * bytes: a plain file is copied, a gzip file is inflated member after
 * member. When a member is corrupt or cut short, the bytes it gave so far
 * stay in the window followed by a "break" that carries the message and
 * the member's offset, and inflation resumes at the next gzip member
 * header found in the raw bytes after the damaged member's start.
 *
 * The upper layer parses records out of the window: a header block that
 * starts with "WARC/1.", a Content-Length, the block, and the blank line
 * that must follow it. A record that runs into a break, whose header does
 * not parse, or whose blank line is not where its Content-Length says is
 * an error record; the parser then resynchronises at the next
 * "WARC/1." that begins a line. The window holds at most one record (up to
 * max_record) plus a block of look-ahead; a larger record is skipped
 * without being kept.
 */
#include "input/warc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "input/charset.h"

#define RAW_BLOCK ((size_t)1 << 20)
#define FILL_BLOCK ((size_t)256 << 10) /* look-ahead decompressed at a time */
#define HEADER_MAX ((size_t)64 << 10)  /* longest WARC or HTTP header block */
#define MAX_BREAKS 64

/* A place in the window where the decompressed stream is broken. */
typedef struct wbreak {
    size_t pos;       /* window offset */
    uint64_t raw_off; /* file offset of the damaged member */
    int code;         /* SD_ETRUNC or SD_EFORMAT */
    char msg[160];
} wbreak;

struct sd_warc {
    int fd;
    char *path;
    size_t max_record;
    uint64_t *raw_count, raw_local;
    /* raw input */
    unsigned char *raw;
    size_t raw_len, raw_pos, raw_cap;
    uint64_t raw_base; /* file offset of raw[0] */
    int raw_eof;
    int nomem; /* an allocation for raw input failed */
    int gz;    /* gzip input */
    z_stream z;
    int z_live, in_member;
    uint64_t member_off; /* file offset of the member being inflated */
    /* decompressed window */
    sd_buf win;
    size_t pos;        /* next unparsed byte */
    uint64_t win_base; /* decompressed offset of win.p[0] */
    wbreak breaks[MAX_BREAKS];
    size_t n_breaks;
    int input_done; /* nothing more will be appended */
    /* member starts, to report a gzip record by its member's offset */
    uint64_t starts_dec[MAX_BREAKS], starts_raw[MAX_BREAKS];
    size_t n_starts;
    /* the record handed out */
    sd_buf html, text, id, url, date, msg, body, tmp;
    char charset[64];
};

/* ---- raw input and decompression -------------------------------------------- */

/* Reads more raw bytes, keeping from `keep` on (an offset into raw).
 * Returns the bytes added, 0 at the end of the file or on a read error
 * (which ends the input like an end of file). */
static size_t read_raw(sd_warc *w, size_t keep)
{
    ssize_t n;
    if (w->raw_eof)
        return 0;
    if (keep > 0) {
        memmove(w->raw, w->raw + keep, w->raw_len - keep);
        w->raw_len -= keep;
        w->raw_pos = w->raw_pos > keep ? w->raw_pos - keep : 0;
        w->raw_base += keep;
    }
    if (w->raw_cap - w->raw_len < RAW_BLOCK / 2) {
        size_t cap = w->raw_len + RAW_BLOCK;
        unsigned char *p = sd__realloc(w->raw, cap);
        if (p == NULL) {
            w->nomem = 1;
            return 0;
        }
        w->raw = p;
        w->raw_cap = cap;
    }
    do
        n = read(w->fd, w->raw + w->raw_len, w->raw_cap - w->raw_len);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        w->raw_eof = 1;
        return 0;
    }
    w->raw_len += (size_t)n;
    *w->raw_count += (uint64_t)n;
    return (size_t)n;
}

/* Notes a break at the current end of the window. */
static void add_break(sd_warc *w, int code, uint64_t raw_off, const char *what)
{
    wbreak *b;
    if (w->n_breaks == MAX_BREAKS)
        return; /* the last one stands for them all */
    b = &w->breaks[w->n_breaks++];
    b->pos = w->win.len;
    b->raw_off = raw_off;
    b->code = code;
    snprintf(b->msg, sizeof b->msg, "%s gzip member at byte %llu", what,
             (unsigned long long)raw_off);
}

/* Notes that a gzip member starts at the current end of the window. */
static void add_start(sd_warc *w)
{
    if (w->n_starts == MAX_BREAKS) {
        memmove(w->starts_dec, w->starts_dec + 1, (MAX_BREAKS - 1) * sizeof w->starts_dec[0]);
        memmove(w->starts_raw, w->starts_raw + 1, (MAX_BREAKS - 1) * sizeof w->starts_raw[0]);
        w->n_starts--;
    }
    w->starts_dec[w->n_starts] = w->win_base + w->win.len;
    w->starts_raw[w->n_starts] = w->member_off;
    w->n_starts++;
}

/* Finds the next gzip member header at or after raw offset `from` (a
 * window offset into raw), reading on as needed; returns 1 with raw_pos
 * there, or 0 at the end of the file. */
static int seek_member(sd_warc *w, size_t from)
{
    for (;;) {
        size_t i;
        for (i = from; i + 3 < w->raw_len; i++)
            if (w->raw[i] == 0x1f && w->raw[i + 1] == 0x8b && w->raw[i + 2] == 8 &&
                (w->raw[i + 3] & 0xE0) == 0) {
                w->raw_pos = i;
                return 1;
            }
        from = i;
        if (w->raw_eof)
            break;
        /* keep the last three bytes: a header may straddle the reads */
        {
            size_t keep = from > 3 ? from - 3 : 0;
            from -= keep;
            read_raw(w, keep);
        }
        if (w->raw_eof && from + 3 >= w->raw_len)
            break;
    }
    w->raw_pos = w->raw_len;
    return 0;
}

/*
 * Appends up to `want` decompressed bytes to the window. Returns the bytes
 * added; 0 at the end of the input (input_done set) or when the window
 * cannot grow (SD_ENOMEM in *rc).
 */
static size_t fill(sd_warc *w, size_t want, int *rc)
{
    size_t got = 0;
    *rc = 0;
    if (w->input_done)
        return 0;
    if ((*rc = sd__buf_reserve(&w->win, want)) != 0)
        return 0;
    while (got == 0 && !w->input_done) {
        unsigned char *out = (unsigned char *)w->win.p + w->win.len;
        if (w->raw_pos == w->raw_len) {
            size_t keep = w->raw_pos;
            /* Keep the current member's start (up to 4 MiB back) for a
             * rescan after damage. */
            if (w->gz && w->in_member && w->member_off >= w->raw_base &&
                w->raw_base + w->raw_pos - w->member_off < ((uint64_t)4 << 20))
                keep = (size_t)(w->member_off - w->raw_base);
            if (read_raw(w, keep) == 0 && w->nomem) {
                *rc = SD_ENOMEM;
                return 0;
            }
            if (w->raw_pos == w->raw_len && w->raw_eof) {
                if (w->gz && w->in_member) {
                    add_break(w, SD_ETRUNC, w->member_off, "truncated");
                    w->in_member = 0;
                }
                w->input_done = 1;
                break;
            }
        }
        if (!w->gz) {
            got = w->raw_len - w->raw_pos;
            if (got > want)
                got = want;
            memcpy(out, w->raw + w->raw_pos, got);
            w->raw_pos += got;
            continue;
        }
        if (!w->in_member) {
            /* Between members: zero padding, then a member header, or
             * junk up to the next header. */
            while (w->raw_pos < w->raw_len && w->raw[w->raw_pos] == 0)
                w->raw_pos++;
            if (w->raw_pos == w->raw_len)
                continue;
            if (w->raw_len - w->raw_pos < 4 && !w->raw_eof) {
                read_raw(w, w->raw_pos);
                continue;
            }
            if (!(w->raw[w->raw_pos] == 0x1f && w->raw_pos + 1 < w->raw_len &&
                  w->raw[w->raw_pos + 1] == 0x8b)) {
                uint64_t at = w->raw_base + w->raw_pos;
                w->member_off = at;
                add_break(w, SD_EFORMAT, at, "bytes that are not a");
                if (!seek_member(w, w->raw_pos + 1))
                    continue;
            }
            w->member_off = w->raw_base + w->raw_pos;
            inflateReset(&w->z);
            w->in_member = 1;
            add_start(w);
        }
        {
            int zr;
            w->z.next_in = w->raw + w->raw_pos;
            w->z.avail_in = (uInt)(w->raw_len - w->raw_pos);
            w->z.next_out = out;
            w->z.avail_out = (uInt)want;
            zr = inflate(&w->z, Z_NO_FLUSH);
            w->raw_pos = w->raw_len - w->z.avail_in;
            got = want - w->z.avail_out;
            if (zr == Z_STREAM_END) {
                w->in_member = 0;
            } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
                size_t from =
                    w->member_off >= w->raw_base ? (size_t)(w->member_off - w->raw_base) + 1 : 0;
                w->win.len += got;
                got = 0;
                add_break(w, SD_EFORMAT, w->member_off, "corrupt");
                w->in_member = 0;
                if (from > w->raw_len)
                    from = w->raw_len;
                seek_member(w, from);
                break;
            }
        }
    }
    w->win.len += got;
    if (w->win.p)
        w->win.p[w->win.len] = '\0';
    return got;
}

/* ---- opening and closing ------------------------------------------------------- */

int sd__warc_open_fd(int fd, const void *head, size_t head_len, const char *path,
                     const sd_reader_options *o, uint64_t *raw_bytes, sd_warc **out)
{
    sd_warc *w = sd__calloc(1, sizeof *w);
    *out = NULL;
    if (w == NULL)
        return SD_ENOMEM;
    w->fd = fd;
    w->max_record = o && o->max_record ? o->max_record : (size_t)64 << 20;
    w->raw_count = raw_bytes ? raw_bytes : &w->raw_local;
    w->path = sd__strndup(path, strlen(path));
    w->raw_cap = head_len > RAW_BLOCK ? head_len : RAW_BLOCK;
    w->raw = sd__malloc(w->raw_cap);
    sd__buf_init(&w->win, w->max_record < SIZE_MAX / 2 ? w->max_record + 2 * HEADER_MAX + RAW_BLOCK
                                                       : SIZE_MAX / 2);
    sd__buf_init(&w->html, 0);
    sd__buf_init(&w->text, 0);
    sd__buf_init(&w->id, 0);
    sd__buf_init(&w->url, 0);
    sd__buf_init(&w->date, 0);
    sd__buf_init(&w->msg, 0);
    sd__buf_init(&w->body, 0);
    sd__buf_init(&w->tmp, 0);
    if (w->path == NULL || w->raw == NULL)
        goto fail;
    if (head_len)
        memcpy(w->raw, head, head_len);
    w->raw_len = head_len;
    if (head_len == 0)
        read_raw(w, 0);
    if (w->raw_len >= 2 && w->raw[0] == 0x1f && w->raw[1] == 0x8b) {
        w->gz = 1;
        if (inflateInit2(&w->z, 16 + MAX_WBITS) != Z_OK)
            goto fail;
        w->z_live = 1;
    }
    *out = w;
    return 0;
fail:
    w->fd = -1;
    sd__warc_close(w);
    return SD_ENOMEM;
}

void sd__warc_close(sd_warc *w)
{
    if (w == NULL)
        return;
    if (w->z_live)
        inflateEnd(&w->z);
    sd__free(w->path);
    sd__free(w->raw);
    sd__buf_release(&w->win);
    sd__buf_release(&w->html);
    sd__buf_release(&w->text);
    sd__buf_release(&w->id);
    sd__buf_release(&w->url);
    sd__buf_release(&w->date);
    sd__buf_release(&w->msg);
    sd__buf_release(&w->body);
    sd__buf_release(&w->tmp);
    sd__free(w);
}

/* ---- the window ------------------------------------------------------------------ */

/* Drops the parsed bytes at the front of the window. */
static void compact(sd_warc *w)
{
    size_t k;
    if (w->pos == 0)
        return;
    memmove(w->win.p, w->win.p + w->pos, w->win.len - w->pos);
    w->win.len -= w->pos;
    w->win_base += w->pos;
    for (k = 0; k < w->n_breaks; k++)
        w->breaks[k].pos = w->breaks[k].pos > w->pos ? w->breaks[k].pos - w->pos : 0;
    w->pos = 0;
    if (w->win.p)
        w->win.p[w->win.len] = '\0';
}

/* Makes at least `need` bytes available from pos (fewer at the end of the
 * input). Window offsets stay valid. Returns 0 or SD_ENOMEM / SD_ETOOBIG. */
static int want_bytes(sd_warc *w, size_t need)
{
    int rc = 0;
    while (w->win.len - w->pos < need && !w->input_done) {
        fill(w, FILL_BLOCK, &rc);
        if (rc)
            return rc;
    }
    return 0;
}

/* The first break at or after window offset `from` and before `to`, or
 * NULL. */
static const wbreak *break_in(const sd_warc *w, size_t from, size_t to)
{
    size_t k;
    for (k = 0; k < w->n_breaks; k++)
        if (w->breaks[k].pos >= from && w->breaks[k].pos < to)
            return &w->breaks[k];
    return NULL;
}

/* Forgets breaks at or before window offset `upto` (the parser is past
 * them). */
static void drop_breaks(sd_warc *w, size_t upto)
{
    size_t k, j = 0;
    for (k = 0; k < w->n_breaks; k++)
        if (w->breaks[k].pos > upto)
            w->breaks[j++] = w->breaks[k];
    w->n_breaks = j;
}

/* The offset to report for a record starting at window offset `at`: in a
 * gzip file, the file offset of its member when it begins one (as crawl
 * indexes give it); else its offset in the decompressed stream. */
static uint64_t record_offset(const sd_warc *w, size_t at)
{
    uint64_t dec = w->win_base + at;
    size_t k;
    if (w->gz)
        for (k = w->n_starts; k > 0; k--)
            if (w->starts_dec[k - 1] <= dec) {
                if (w->starts_dec[k - 1] == dec)
                    return w->starts_raw[k - 1];
                break;
            }
    return dec;
}

/* True when "WARC/1." begins window offset i. */
static int warc_at(const sd_warc *w, size_t i)
{
    return w->win.len - i >= 7 && memcmp(w->win.p + i, "WARC/1.", 7) == 0;
}

/* Moves pos to the next "WARC/1." at the start of a line at or after
 * `from`, reading on; pos lands at the end of the input when there is
 * none. Breaks passed on the way are forgotten. */
static int resync(sd_warc *w, size_t from)
{
    int rc;
    for (;;) {
        size_t i;
        for (i = from; i < w->win.len; i++) {
            if ((i == 0 || w->win.p[i - 1] == '\n' || break_in(w, i, i + 1)) && warc_at(w, i)) {
                w->pos = i;
                drop_breaks(w, i);
                return 0;
            }
            if (w->win.len - i < 7 && !w->input_done)
                break;
        }
        if (w->input_done && i >= w->win.len) {
            w->pos = w->win.len;
            drop_breaks(w, w->pos);
            return 0;
        }
        /* keep a few bytes: the marker may straddle the reads */
        w->pos = i > 8 ? i - 8 : 0;
        from = i - w->pos;
        compact(w);
        if ((rc = want_bytes(w, w->win.len + FILL_BLOCK)) != 0)
            return rc;
    }
}

/* Reads past n bytes from pos without keeping them (a record too large to
 * hold). Returns 0, or a buffer error. */
static int skip_bytes(sd_warc *w, uint64_t n)
{
    int rc;
    while (n > 0) {
        size_t have = w->win.len - w->pos, take;
        if (have == 0) {
            if (w->input_done)
                return 0;
            compact(w);
            fill(w, FILL_BLOCK, &rc);
            if (rc)
                return rc;
            continue;
        }
        take = have < n ? have : (size_t)n;
        w->pos += take;
        n -= take;
    }
    return 0;
}

/* ---- headers ------------------------------------------------------------------------ */

/* The value of header `name` in the header block h[0..n) (lines "Name:
 * value"), trimmed; NULL when absent. */
static const char *header(const char *h, size_t n, const char *name, size_t *len)
{
    size_t m = strlen(name), i = 0;
    while (i < n) {
        const char *nl = memchr(h + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - h) : n, v;
        if (e - i > m && h[i + m] == ':' && strncasecmp(h + i, name, m) == 0) {
            v = i + m + 1;
            while (v < e && (h[v] == ' ' || h[v] == '\t'))
                v++;
            while (e > v && (h[e - 1] == '\r' || h[e - 1] == ' ' || h[e - 1] == '\t'))
                e--;
            *len = e - v;
            return h + v;
        }
        i = e + 1;
    }
    return NULL;
}

/* End of a header block in p[0..n): the offset after its blank line, or
 * 0 when it has not ended yet. */
static size_t header_end(const char *p, size_t n)
{
    size_t i;
    for (i = 0; i + 1 < n; i++) {
        if (p[i] != '\n')
            continue;
        if (p[i + 1] == '\n')
            return i + 2;
        if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

/* Copies a header value into b (without angle brackets around it). */
static int set_field(sd_buf *b, const char *v, size_t n)
{
    sd__buf_reset(b);
    if (n >= 2 && v[0] == '<' && v[n - 1] == '>') {
        v++;
        n -= 2;
    }
    if (sd__buf_append(b, v, n) || sd__buf_reserve(b, 0))
        return SD_ENOMEM;
    b->p[b->len] = '\0';
    return 0;
}

/* Parses a decimal length; -1 when it is not one. */
static long long parse_len(const char *v, size_t n)
{
    long long x = 0;
    size_t i;
    if (v == NULL || n == 0 || n > 18)
        return -1;
    for (i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        x = x * 10 + (v[i] - '0');
    }
    return x;
}

/* ---- HTTP payloads -------------------------------------------------------------------- */

/* Undoes chunked transfer coding of p[0..n) into out. Returns 0, or 1 when
 * the bytes are not chunked after all (out then unchanged), or a buffer
 * error. A last chunk cut short keeps what is there. */
static int dechunk(const char *p, size_t n, sd_buf *out)
{
    size_t i = 0, start = out->len;
    int rc;
    while (i < n) {
        size_t size = 0, digits = 0;
        while (i < n &&
               ((p[i] >= '0' && p[i] <= '9') || ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f'))) {
            int d = p[i] <= '9' ? p[i] - '0' : (p[i] | 0x20) - 'a' + 10;
            if (size > (SIZE_MAX >> 4))
                goto not_chunked;
            size = size * 16 + (size_t)d;
            digits++;
            i++;
        }
        if (digits == 0)
            goto not_chunked;
        while (i < n && p[i] != '\n')
            i++; /* chunk extensions, CR */
        i++;
        if (size == 0)
            return 0;
        if (size > n - (i < n ? i : n))
            size = i < n ? n - i : 0;
        if ((rc = sd__buf_append(out, p + i, size)) != 0)
            return rc;
        i += size;
        if (i < n && p[i] == '\r')
            i++;
        if (i < n && p[i] == '\n')
            i++;
    }
    return 0;
not_chunked:
    if (out->len == start)
        return 1;
    return 0; /* junk after good chunks: keep what they held */
}

/* Inflates p[0..n) (gzip, zlib or raw deflate) into out. Returns 0, 1 when
 * it does not inflate (out unchanged), or a buffer error. Output beyond
 * out's maximum fails with SD_ETOOBIG. */
static int inflate_body(const char *p, size_t n, sd_buf *out)
{
    static const int modes[3] = {16 + MAX_WBITS, MAX_WBITS, -MAX_WBITS};
    size_t start = out->len;
    int m;
    for (m = 0; m < 3; m++) {
        z_stream z;
        int zr = Z_OK, rc;
        memset(&z, 0, sizeof z);
        if (inflateInit2(&z, modes[m]) != Z_OK)
            return SD_ENOMEM;
        z.next_in = (Bytef *)(uintptr_t)p;
        z.avail_in = (uInt)n;
        while (zr == Z_OK) {
            if ((rc = sd__buf_reserve(out, 65536)) != 0) {
                inflateEnd(&z);
                out->len = start;
                return rc;
            }
            z.next_out = (Bytef *)out->p + out->len;
            z.avail_out = (uInt)(out->cap - out->len - 1);
            zr = inflate(&z, Z_NO_FLUSH);
            out->len = (size_t)((char *)z.next_out - out->p);
            if (zr == Z_BUF_ERROR && z.avail_in == 0)
                break; /* cut short: keep what inflated */
            if (zr == Z_BUF_ERROR)
                zr = Z_OK;
        }
        inflateEnd(&z);
        if ((zr == Z_STREAM_END || zr == Z_BUF_ERROR) && out->len > start)
            return 0;
        out->len = start;
    }
    return 1;
}

/* The charset parameter of a Content-Type value, copied into cs. */
static void content_charset(const char *v, size_t n, char *cs, size_t cap)
{
    const char *c = v ? sd__find_ci(v, n, "charset=") : NULL;
    size_t k = 0;
    cs[0] = '\0';
    if (c == NULL)
        return;
    c += 8;
    while (c < v + n && (*c == '"' || *c == '\''))
        c++;
    while (c < v + n && k + 1 < cap && *c != '"' && *c != '\'' && *c != ';' && *c != ' ')
        cs[k++] = *c++;
    cs[k] = '\0';
}

/* What kind of document a Content-Type names: 2 HTML (or unknown), 1
 * plain text, 0 anything else. */
static int doc_kind(const char *v, size_t n)
{
    if (v == NULL || n == 0)
        return 2;
    if (sd__find_ci(v, n, "html") || sd__find_ci(v, n, "xml"))
        return 2;
    if (n >= 10 && strncasecmp(v, "text/plain", 10) == 0)
        return 1;
    return 0;
}

/* ---- records ---------------------------------------------------------------------------- */

/* What a record's WARC-Type says about it. */
enum { REC_UNTYPED, REC_RESPONSE, REC_RESOURCE, REC_OTHER };

static void set_msg(sd_warc *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_msg(sd_warc *w, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    sd__buf_reset(&w->msg);
    sd__buf_append(&w->msg, tmp, strlen(tmp));
    if (w->msg.p == NULL)
        sd__buf_reserve(&w->msg, 0);
}

/* Fills *rec as an error record at `offset`, with the message set; the id
 * is the record's WARC-Record-ID when known, else "<path>@<offset>". */
static int error_record(sd_warc *w, sd_record *rec, int code, uint64_t offset, int have_id)
{
    memset(rec, 0, sizeof *rec);
    if (!have_id) {
        sd__buf_reset(&w->id);
        if (sd__buf_printf(&w->id, "%s@%llu", w->path, (unsigned long long)offset))
            return SD_ENOMEM;
    }
    rec->id = w->id.p ? w->id.p : w->path;
    rec->id_len = w->id.p ? w->id.len : strlen(w->path);
    rec->source = w->path;
    rec->offset = offset;
    rec->format = SD_FORMAT_WARC;
    rec->error = code;
    rec->errmsg = w->msg.p ? w->msg.p : sd_strerror(code);
    return 1;
}

/* A buffer that could not grow (rc): a record that decompresses to more
 * than the most allowed is reported, 1 with rec the error record; else
 * SD_ENOMEM. */
static int grow_failed(sd_warc *w, sd_record *rec, int rc, uint64_t offset)
{
    if (rc == SD_ETOOBIG) {
        set_msg(w, "record at byte %llu decompresses to more than %zu bytes",
                (unsigned long long)offset, w->max_record);
        return error_record(w, rec, SD_ETOOBIG, offset, 1);
    }
    return SD_ENOMEM;
}

/* Undoes the transfer coding (te: chunked) and the content coding (ce:
 * gzip, deflate) of the payload *body[0..*blen), which then points into
 * w->body. Returns 0, 1 with rec an error record (a coding that cannot be
 * undone, or a payload too big), or SD_ENOMEM. */
static int undo_codings(sd_warc *w, sd_record *rec, const char **body, size_t *blen, const char *te,
                        size_t te_len, const char *ce, size_t ce_len, uint64_t offset)
{
    int rc;
    sd__buf_reset(&w->body);
    if (te && sd__find_ci(te, te_len, "chunked")) {
        rc = dechunk(*body, *blen, &w->body);
        if (rc < 0)
            return grow_failed(w, rec, rc, offset);
        if (rc == 0) {
            *body = w->body.p ? w->body.p : "";
            *blen = w->body.len;
        }
    }
    if (ce && (sd__find_ci(ce, ce_len, "gzip") || sd__find_ci(ce, ce_len, "deflate"))) {
        sd__buf_reset(&w->html);
        w->html.max = w->max_record;
        rc = inflate_body(*body, *blen, &w->html);
        if (rc < 0)
            return grow_failed(w, rec, rc, offset);
        if (rc == 0) {
            sd__buf_reset(&w->body);
            if (sd__buf_append(&w->body, w->html.p, w->html.len))
                return SD_ENOMEM;
            *body = w->body.p;
            *blen = w->body.len;
        }
    } else if (ce && ce_len && !sd__find_ci(ce, ce_len, "identity")) {
        set_msg(w, "record at byte %llu has content-encoding %.*s, which cannot be undone",
                (unsigned long long)offset, (int)(ce_len > 40 ? 40 : ce_len), ce);
        return error_record(w, rec, SD_EFORMAT, offset, 1);
    }
    return 0;
}

/* Fills rec with the page decoded into w->html (an HTML page when kind
 * is 2, else text), the record's fields and its block[0..n) as raw. */
static void fill_page(sd_warc *w, sd_record *rec, const char *block, size_t n, uint64_t offset,
                      int kind)
{
    rec->id = w->id.p;
    rec->id_len = w->id.len;
    rec->url = w->url.len ? w->url.p : NULL;
    rec->url_len = w->url.len;
    rec->date = w->date.len ? w->date.p : NULL;
    rec->date_len = w->date.len;
    rec->raw = block;
    rec->raw_len = n;
    rec->source = w->path;
    rec->offset = offset;
    rec->format = SD_FORMAT_WARC;
    if (kind == 2) {
        rec->html = w->html.p;
        rec->html_len = w->html.len;
    } else {
        rec->text = w->html.p;
        rec->text_len = w->html.len;
    }
}

/*
 * Turns a payload into the record's page: HTTP headers (response records)
 * parsed, transfer and content codings undone, the markup decoded to
 * UTF-8. Returns 1 with *rec filled (perhaps as an error record), or
 * SD_ENOMEM.
 */
static int page_record(sd_warc *w, sd_record *rec, const char *block, size_t n, int http,
                       const char *wtype, uint64_t offset)
{
    const char *body = block, *ct = NULL, *te = NULL, *ce = NULL;
    size_t blen = n, ct_len = 0, te_len = 0, ce_len = 0;
    const char *declared = NULL;
    char meta[64];
    int rc, kind;
    if (http) {
        size_t he = header_end(block, n);
        if (n < 5 || memcmp(block, "HTTP/", 5) != 0 || he == 0) {
            set_msg(w, "response record at byte %llu has no HTTP header",
                    (unsigned long long)offset);
            return error_record(w, rec, SD_EFORMAT, offset, 1);
        }
        ct = header(block, he, "Content-Type", &ct_len);
        te = header(block, he, "Transfer-Encoding", &te_len);
        ce = header(block, he, "Content-Encoding", &ce_len);
        body = block + he;
        blen = n - he;
    } else {
        ct = header(w->tmp.p, w->tmp.len, "Content-Type", &ct_len);
    }
    kind = doc_kind(ct, ct_len);
    if (kind == 0) {
        set_msg(w, "%s record at byte %llu is %.*s, not a page", wtype, (unsigned long long)offset,
                (int)(ct_len > 80 ? 80 : ct_len), ct);
        return error_record(w, rec, SD_EFORMAT, offset, 1);
    }
    if ((rc = undo_codings(w, rec, &body, &blen, te, te_len, ce, ce_len, offset)) != 0)
        return rc;
    content_charset(ct, ct_len, w->charset, sizeof w->charset);
    if (w->charset[0])
        declared = w->charset;
    else if (kind == 2 && sd__html_meta_charset(body, blen, meta, sizeof meta))
        declared = meta;
    memset(rec, 0, sizeof *rec);
    sd__buf_reset(&w->html);
    w->html.max = SD_BUF_DEFAULT_MAX;
    rc = sd__decode_to_utf8(blen ? body : "", blen, declared, &w->html, &rec->charset,
                            &rec->repaired);
    if (rc < 0)
        return grow_failed(w, rec, rc, offset);
    if (sd__buf_reserve(&w->html, 0))
        return SD_ENOMEM;
    w->html.p[w->html.len] = '\0';
    fill_page(w, rec, block, n, offset, kind);
    return 1;
}

/* Skips the blank lines between records; a run of them may be longer
 * than the window holds, so what is passed is dropped first. Returns 0 or
 * an error code. */
static int skip_blank_lines(sd_warc *w)
{
    int rc;
    for (;;) {
        if (w->pos == w->win.len)
            compact(w);
        if ((rc = want_bytes(w, 1)) != 0)
            return rc;
        if (w->pos < w->win.len && (w->win.p[w->pos] == '\r' || w->win.p[w->pos] == '\n') &&
            !break_in(w, w->pos, w->pos + 1)) {
            w->pos++;
            continue;
        }
        return 0;
    }
}

/* Reports the damaged record at `offset` (its message set) and moves on to
 * the next WARC record at or after byte `from` of the window. Returns 1
 * with rec the error record, or an error code. */
static int damaged(sd_warc *w, sd_record *rec, int code, uint64_t offset, int have_id, size_t from)
{
    int rc = error_record(w, rec, code, offset, have_id), err;
    if ((err = resync(w, from)) < 0)
        return err;
    return rc;
}

/* The length of the header block of the record at byte start of the
 * window into *he (0 when it does not end within HEADER_MAX bytes or the
 * input). Returns 0 or an error code. */
static int header_block(sd_warc *w, size_t start, size_t *he)
{
    int rc;
    for (;;) {
        size_t have = w->win.len - start;
        *he = header_end(w->win.p + start, have < HEADER_MAX ? have : HEADER_MAX);
        if (*he || have >= HEADER_MAX || w->input_done)
            return 0;
        if ((rc = want_bytes(w, have + 4096)) != 0)
            return rc;
    }
}

/* The fields of the header block h[0..he): the record's id (*have_id when
 * it has one), URL and date into w, and its kind (REC_*). Returns 0 or
 * SD_ENOMEM. */
static int read_fields(sd_warc *w, const char *h, size_t he, int *have_id, int *kind)
{
    const char *v, *type;
    size_t vlen, tlen = 0;
    *have_id = 0;
    sd__buf_reset(&w->id);
    sd__buf_reset(&w->url);
    sd__buf_reset(&w->date);
    if ((v = header(h, he, "WARC-Record-ID", &vlen)) != NULL) {
        if (set_field(&w->id, v, vlen))
            return SD_ENOMEM;
        *have_id = 1;
    }
    if ((v = header(h, he, "WARC-Target-URI", &vlen)) != NULL && set_field(&w->url, v, vlen))
        return SD_ENOMEM;
    if ((v = header(h, he, "WARC-Date", &vlen)) != NULL && set_field(&w->date, v, vlen))
        return SD_ENOMEM;
    /* Only what the type is, not a pointer to it, outlives the reads
     * after this: want_bytes() may move the window. */
    type = header(h, he, "WARC-Type", &tlen);
    *kind = type == NULL                                         ? REC_UNTYPED
            : tlen == 8 && strncasecmp(type, "response", 8) == 0 ? REC_RESPONSE
            : tlen == 8 && strncasecmp(type, "resource", 8) == 0 ? REC_RESOURCE
                                                                 : REC_OTHER;
    return 0;
}

/* Whether a block of clen bytes at byte blk of the window ends where it
 * should: the blank line after it must be there, else the length lies,
 * and the next record is found by its marker. */
static int block_ends(const sd_warc *w, size_t blk, size_t clen)
{
    const char *e = w->win.p + blk + clen;
    size_t left = w->win.len - blk - clen;
    return (left >= 4 && memcmp(e, "\r\n\r\n", 4) == 0) ||
           (left >= 2 && memcmp(e, "\n\n", 2) == 0) || (left == 0 && w->input_done) ||
           (left >= 7 && memcmp(e, "WARC/1.", 7) == 0) ||
           (left == 2 && w->input_done && memcmp(e, "\r\n", 2) == 0);
}

/* The page of a response or resource record (kind) at byte start of the
 * window, its header block he bytes, its block clen: into rec, with the
 * whole record as raw. Returns 1 for a record in rec, 0 for a resource
 * that is no document, or SD_ENOMEM. */
static int page_of(sd_warc *w, sd_record *rec, size_t start, size_t he, size_t clen,
                   uint64_t offset, int have_id, int kind)
{
    int http = kind == REC_RESPONSE, rc;
    if (!http) {
        /* a resource's type is in its WARC header */
        const char *v;
        size_t vlen;
        sd__buf_reset(&w->tmp);
        if (sd__buf_append(&w->tmp, w->win.p + start, he) || sd__buf_reserve(&w->tmp, 0))
            return SD_ENOMEM;
        v = header(w->tmp.p, w->tmp.len, "Content-Type", &vlen);
        if (doc_kind(v, v ? vlen : 0) == 0)
            return 0;
    }
    if (!have_id) {
        sd__buf_reset(&w->id);
        if (sd__buf_printf(&w->id, "%s@%llu", w->path, (unsigned long long)offset))
            return SD_ENOMEM;
    }
    rc = page_record(w, rec, w->win.p + start + he, clen, http, http ? "response" : "resource",
                     offset);
    if (rc == 1 && rec->error == 0) {
        /* raw is the whole WARC record, header and block, so that it can
         * be written out again unchanged */
        rec->raw = w->win.p + start;
        rec->raw_len = he + clen;
    }
    return rc;
}

/* The block of the record at byte start of the window (the header block
 * he bytes, the block clen, no more than the most allowed): checked whole
 * and ending right, then a page when the record holds one. Returns 1 for
 * a record in rec (perhaps an error record), 0 for a record with no page,
 * or an error code. */
static int read_block(sd_warc *w, sd_record *rec, size_t start, size_t he, size_t clen,
                      uint64_t offset, int have_id, int kind)
{
    size_t blk = start + he;
    const wbreak *br;
    int rc;
    if ((rc = want_bytes(w, he + clen + 4)) != 0)
        return rc;
    br = break_in(w, blk, blk + clen + 4);
    if (br || w->win.len - blk < clen) {
        if (br)
            set_msg(w, "%s", br->msg);
        else
            set_msg(w, "WARC record at byte %llu is cut short (%zu of %zu bytes)",
                    (unsigned long long)offset, w->win.len - blk, clen);
        return damaged(w, rec, br ? br->code : SD_ETRUNC, br ? br->raw_off : offset, have_id, blk);
    }
    if (!block_ends(w, blk, clen)) {
        set_msg(w,
                "WARC record at byte %llu: its Content-Length (%zu) does not end "
                "where the next record begins",
                (unsigned long long)offset, clen);
        return damaged(w, rec, SD_EFORMAT, offset, have_id, blk);
    }
    w->pos = blk + clen;
    if (kind == REC_UNTYPED) {
        /* every record says what it is: without a type it cannot be
         * told whether it holds a page, so it is reported */
        set_msg(w, "WARC record at byte %llu has no WARC-Type", (unsigned long long)offset);
        return error_record(w, rec, SD_EFORMAT, offset, have_id);
    }
    if (kind == REC_RESPONSE || kind == REC_RESOURCE)
        return page_of(w, rec, start, he, clen, offset, have_id, kind);
    return 0; /* warcinfo, request, metadata, revisit, conversion: nothing */
}

/* The record at byte start of the window (its first): its header block
 * and fields, then its block. Returns 1 for a record in rec (perhaps an
 * error record for damage, after which reading goes on at the next
 * record), 0 for a record with no page, or an error code. */
static int read_record(sd_warc *w, sd_record *rec, size_t start)
{
    size_t he, vlen = 0;
    long long clen;
    uint64_t offset;
    const char *v;
    const wbreak *br;
    int rc, err, have_id, kind;
    if ((rc = want_bytes(w, 7)) != 0)
        return rc;
    offset = record_offset(w, start);
    if (!warc_at(w, start)) {
        set_msg(w, "not a WARC record at byte %llu", (unsigned long long)offset);
        return damaged(w, rec, SD_EFORMAT, offset, 0, start + 1);
    }
    if ((rc = header_block(w, start, &he)) != 0)
        return rc;
    br = break_in(w, start, start + (he ? he : w->win.len - start));
    if (he == 0 || br) {
        if (br)
            set_msg(w, "%s", br->msg);
        else
            set_msg(w, "WARC header at byte %llu does not end", (unsigned long long)offset);
        return damaged(w, rec, br ? br->code : SD_EFORMAT, br ? br->raw_off : offset, 0, start + 1);
    }
    if ((rc = read_fields(w, w->win.p + start, he, &have_id, &kind)) != 0)
        return rc;
    v = header(w->win.p + start, he, "Content-Length", &vlen);
    clen = parse_len(v, vlen);
    if (clen < 0) {
        set_msg(w, "WARC record at byte %llu has no valid Content-Length",
                (unsigned long long)offset);
        return damaged(w, rec, SD_EFORMAT, offset, have_id, start + 1);
    }
    if ((unsigned long long)clen > w->max_record) {
        set_msg(w, "WARC record at byte %llu has %lld bytes, more than the %zu allowed",
                (unsigned long long)offset, clen, w->max_record);
        w->pos = start + he;
        if ((err = skip_bytes(w, (uint64_t)clen)) < 0)
            return err;
        return error_record(w, rec, SD_ETOOBIG, offset, have_id);
    }
    return read_block(w, rec, start, he, (size_t)clen, offset, have_id, kind);
}

int sd__warc_next(sd_warc *w, sd_record *rec)
{
    for (;;) {
        size_t start;
        const wbreak *br;
        int rc, err;
        if ((rc = skip_blank_lines(w)) != 0)
            return rc;
        if (w->pos >= w->win.len) {
            br = break_in(w, w->pos, w->pos + 1);
            if (br) {
                /* damage at the very end: report it once */
                set_msg(w, "%s", br->msg);
                rc = error_record(w, rec, br->code, br->raw_off, 0);
                w->n_breaks = 0;
                return rc;
            }
            return 0;
        }
        compact(w); /* the record starts the window: offsets into it hold */
        start = w->pos;
        /* a break right here: the damage is reported before what follows
         * it, which is read on the next call */
        if ((br = break_in(w, start, start + 1)) != NULL) {
            set_msg(w, "%s", br->msg);
            rc = error_record(w, rec, br->code, br->raw_off, 0);
            drop_breaks(w, start);
            if (!warc_at(w, start) && (err = resync(w, start + 1)) < 0)
                return err;
            return rc;
        }
        if ((rc = read_record(w, rec, start)) != 0)
            return rc;
    }
}
