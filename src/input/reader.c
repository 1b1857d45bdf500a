/*
 * reader.c: inputs (files, directories, standard input) to records.
 *
 * A byte stream per file undoes gzip (multi-member) and zstd, found by their
 * magic bytes, and keeps the decompressed offset; a damaged or truncated
 * stream ends the file with one error record after everything that decoded.
 * JSONL lines are parsed with jansson; plain-text and HTML files are one
 * record each. Every input yields at least one record.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "input/charset.h"
#include "input/jsonl.h"
#include "syndic.h"
#include "text/utf8.h"

#define BLOCK (1u << 20)

typedef enum { COMP_NONE, COMP_GZIP, COMP_ZSTD } comp_kind;

/* A file or stdin, decompressed on the fly. */
typedef struct stream {
    int fd;
    comp_kind comp;
    unsigned char *in;   /* compressed input block */
    size_t in_len, in_pos;
    int in_eof;
    z_stream z;
    int z_live, z_member_done;
    ZSTD_DCtx *zd;
    size_t zstd_left;    /* last ZSTD_decompressStream hint: 0 at a frame end */
    uint64_t raw_bytes;  /* bytes read from the file */
    int failed;          /* SD_ETRUNC / SD_EFORMAT / SD_EIO */
    char errmsg[256];
} stream;

struct sd_reader {
    sd_reader_options o;
    char **queue;       /* paths still to expand or open, in order */
    size_t nqueue, qcap, qpos;
    char *cur_path;     /* file being read */
    sd_format cur_fmt;
    stream st;
    int open;
    /* decompressed bytes of the current file not yet consumed */
    sd_buf pending;
    size_t pend_pos;
    uint64_t dec_off;   /* decompressed offset of pending[pend_pos] */
    uint64_t line;
    int at_eof;
    /* the record handed out */
    sd_buf text, html, id, url, date, msg;
    uint64_t index;
    uint64_t bytes_done;
    sd_err err;
};

void sd_reader_options_init(sd_reader_options *o)
{
    memset(o, 0, sizeof *o);
    o->id_field = "id";
    o->text_field = "text";
    o->html_field = "html";
    o->max_record = (size_t)64 << 20;
    o->format = SD_FORMAT_AUTO;
}

int sd_reader_new(const sd_reader_options *o, sd_reader **out)
{
    sd_reader *r = sd__calloc(1, sizeof *r);
    *out = NULL;
    if (r == NULL)
        return SD_ENOMEM;
    if (o)
        r->o = *o;
    else
        sd_reader_options_init(&r->o);
    if (r->o.id_field == NULL)
        r->o.id_field = "id";
    if (r->o.text_field == NULL)
        r->o.text_field = "text";
    if (r->o.html_field == NULL)
        r->o.html_field = "html";
    if (r->o.max_record == 0)
        r->o.max_record = (size_t)64 << 20;
    sd__buf_init(&r->pending, 0);
    sd__buf_init(&r->text, 0);
    sd__buf_init(&r->html, 0);
    sd__buf_init(&r->id, 0);
    sd__buf_init(&r->url, 0);
    sd__buf_init(&r->date, 0);
    sd__buf_init(&r->msg, 0);
    *out = r;
    return 0;
}

static int queue_push(sd_reader *r, size_t at, char *path)
{
    if (SD_GROW(r->queue, r->qcap, r->nqueue + 1))
        return SD_ENOMEM;
    memmove(r->queue + at + 1, r->queue + at, (r->nqueue - at) * sizeof *r->queue);
    r->queue[at] = path;
    r->nqueue++;
    return 0;
}

int sd_reader_add(sd_reader *r, const char *path)
{
    char *p = sd__strndup(path, strlen(path));
    if (p == NULL || queue_push(r, r->nqueue, p)) {
        sd__free(p);
        return SD_ENOMEM;
    }
    return 0;
}

uint64_t sd_reader_bytes(const sd_reader *r)
{
    return r->bytes_done + r->st.raw_bytes;
}

const char *sd_reader_errmsg(const sd_reader *r)
{
    return r->err.msg;
}

/* ---- stream ---- */

static void stream_close(stream *s)
{
    if (s->fd > 0)
        close(s->fd);
    if (s->z_live)
        inflateEnd(&s->z);
    ZSTD_freeDCtx(s->zd);
    sd__free(s->in);
    memset(s, 0, sizeof *s);
    s->fd = -1;
}

static int fill_in(stream *s)
{
    ssize_t n;
    if (s->in_pos < s->in_len || s->in_eof)
        return 0;
    do
        n = read(s->fd, s->in, BLOCK);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        s->failed = SD_EIO;
        snprintf(s->errmsg, sizeof s->errmsg, "read error: %s", strerror(errno));
        return -1;
    }
    s->in_len = (size_t)n;
    s->in_pos = 0;
    s->raw_bytes += (uint64_t)n;
    if (n == 0)
        s->in_eof = 1;
    return 0;
}

static int stream_open(stream *s, const char *path)
{
    memset(s, 0, sizeof *s);
    s->fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY);
    if (s->fd < 0)
        return -1;
    s->in = sd__malloc(BLOCK);
    if (s->in == NULL)
        return -2;
    if (fill_in(s))
        return 0;
    if (s->in_len >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b)
        s->comp = COMP_GZIP;
    else if (s->in_len >= 4 && s->in[0] == 0x28 && s->in[1] == 0xb5 && s->in[2] == 0x2f &&
             s->in[3] == 0xfd)
        s->comp = COMP_ZSTD;
    if (s->comp == COMP_GZIP) {
        if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
            return -2;
        s->z_live = 1;
    } else if (s->comp == COMP_ZSTD) {
        s->zd = ZSTD_createDCtx();
        if (s->zd == NULL)
            return -2;
    }
    return 0;
}

/* Appends up to `want` decompressed bytes to b. Returns bytes added; 0 at
 * the end or after a failure (s->failed tells). */
static size_t stream_read(stream *s, sd_buf *b, size_t want)
{
    size_t before = b->len;
    if (s->failed || sd__buf_reserve(b, want))
        return 0;
    while (b->len == before) {
        if (fill_in(s))
            return 0;
        if (s->comp == COMP_NONE) {
            size_t n = s->in_len - s->in_pos;
            if (n == 0)
                return 0;
            if (n > want)
                n = want;
            memcpy(b->p + b->len, s->in + s->in_pos, n);
            s->in_pos += n;
            b->len += n;
        } else if (s->comp == COMP_GZIP) {
            int rc;
            if (s->in_pos == s->in_len) {
                if (!s->z_member_done) {
                    s->failed = SD_ETRUNC;
                    snprintf(s->errmsg, sizeof s->errmsg,
                             "truncated gzip stream at byte %llu",
                             (unsigned long long)s->raw_bytes);
                }
                return 0;
            }
            if (s->z_member_done) {
                inflateReset(&s->z);
                s->z_member_done = 0;
            }
            s->z.next_in = s->in + s->in_pos;
            s->z.avail_in = (uInt)(s->in_len - s->in_pos);
            s->z.next_out = (Bytef *)b->p + b->len;
            s->z.avail_out = (uInt)want;
            rc = inflate(&s->z, Z_NO_FLUSH);
            s->in_pos = s->in_len - s->z.avail_in;
            b->len = (size_t)((char *)s->z.next_out - b->p);
            if (rc == Z_STREAM_END) {
                s->z_member_done = 1;
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                s->failed = SD_EFORMAT;
                snprintf(s->errmsg, sizeof s->errmsg, "corrupt gzip data near byte %llu: %s",
                         (unsigned long long)(s->raw_bytes - (s->in_len - s->in_pos)),
                         s->z.msg ? s->z.msg : "inflate failed");
                return b->len - before;
            }
        } else {
            ZSTD_inBuffer in;
            ZSTD_outBuffer ob;
            size_t rc;
            if (s->in_pos == s->in_len) {
                if (s->zstd_left) {
                    s->failed = SD_ETRUNC;
                    snprintf(s->errmsg, sizeof s->errmsg,
                             "truncated zstd stream at byte %llu",
                             (unsigned long long)s->raw_bytes);
                }
                return 0;
            }
            in.src = s->in;
            in.size = s->in_len;
            in.pos = s->in_pos;
            ob.dst = b->p + b->len;
            ob.size = want;
            ob.pos = 0;
            rc = ZSTD_decompressStream(s->zd, &ob, &in);
            s->in_pos = in.pos;
            b->len += ob.pos;
            if (ZSTD_isError(rc)) {
                s->failed = SD_EFORMAT;
                snprintf(s->errmsg, sizeof s->errmsg, "corrupt zstd data near byte %llu: %s",
                         (unsigned long long)(s->raw_bytes - (s->in_len - s->in_pos)),
                         ZSTD_getErrorName(rc));
                return b->len - before;
            }
            s->zstd_left = rc;
        }
    }
    b->p[b->len] = '\0';
    return b->len - before;
}

/* ---- inputs ---- */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static sd_format format_of(const char *path)
{
    static const char *const jsonl[] = {".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson",
                                        ".ndjson.gz", ".ndjson.zst"};
    size_t i;
    for (i = 0; i < sizeof jsonl / sizeof jsonl[0]; i++)
        if (ends_with(path, jsonl[i]))
            return SD_FORMAT_JSONL;
    if (ends_with(path, ".warc") || ends_with(path, ".warc.gz"))
        return SD_FORMAT_WARC;
    if (ends_with(path, ".html") || ends_with(path, ".htm") || ends_with(path, ".html.gz") ||
        ends_with(path, ".htm.gz"))
        return SD_FORMAT_HTML;
    return SD_FORMAT_TEXT;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replaces the directory at the queue's head by its entries, sorted by
 * byte order of names, hidden ones skipped. */
static int expand_dir(sd_reader *r, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int rc = 0;
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        size_t dl = strlen(dir), el = strlen(e->d_name);
        char *p;
        if (e->d_name[0] == '.')
            continue;
        p = sd__malloc(dl + el + 2);
        if (p == NULL || SD_GROW(names, cap, n + 1)) {
            sd__free(p);
            rc = SD_ENOMEM;
            break;
        }
        memcpy(p, dir, dl);
        if (dl && dir[dl - 1] != '/')
            p[dl++] = '/';
        memcpy(p + dl, e->d_name, el + 1);
        names[n++] = p;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_name);
    for (i = 0; i < n; i++) {
        if (rc == 0 && queue_push(r, r->qpos + i, names[i]) == 0)
            continue;
        rc = SD_ENOMEM;
        sd__free(names[i]);
    }
    sd__free(names);
    return rc;
}

/* Fills *rec as an error record of the current position. */
static void error_record(sd_reader *r, sd_record *rec, const char *source, int code,
                         uint64_t offset)
{
    memset(rec, 0, sizeof *rec);
    rec->index = r->index++;
    rec->source = source;
    rec->line = r->cur_fmt == SD_FORMAT_JSONL ? r->line : 0;
    rec->offset = offset;
    rec->format = r->cur_fmt;
    rec->error = code;
    rec->errmsg = r->msg.p ? r->msg.p : sd_strerror(code);
    if (r->id.len == 0) {
        if (rec->line)
            sd__buf_printf(&r->id, "%s:%llu", source, (unsigned long long)rec->line);
        else
            sd__buf_append(&r->id, source, strlen(source));
    }
    rec->id = r->id.p;
    rec->id_len = r->id.len;
}

/* Sets the message of the next error record to s. */
static void set_msg(sd_reader *r, const char *s)
{
    sd__buf_reset(&r->msg);
    sd__buf_append(&r->msg, s, strlen(s));
}

static void close_current(sd_reader *r)
{
    r->bytes_done += r->st.raw_bytes;
    stream_close(&r->st);
    sd__free(r->cur_path);
    r->cur_path = NULL;
    r->open = 0;
    sd__buf_reset(&r->pending);
    r->pend_pos = 0;
}

/* Reads the whole current file (up to max_record) into pending. Returns 0,
 * or SD_ETOOBIG. */
static int slurp(sd_reader *r)
{
    while (stream_read(&r->st, &r->pending, BLOCK) > 0)
        if (r->pending.len > r->o.max_record)
            return SD_ETOOBIG;
    return 0;
}

/* Next JSONL record of the current file: 1 produced, 0 file done. */
static int next_jsonl(sd_reader *r, sd_record *rec)
{
    for (;;) {
        char *nl, *line;
        size_t len, k;
        uint64_t off;
        int has_html;
        /* find a complete line in pending, reading more as needed */
        for (;;) {
            nl = r->pending.p ? memchr(r->pending.p + r->pend_pos, '\n',
                                       r->pending.len - r->pend_pos)
                              : NULL;
            if (nl || r->at_eof)
                break;
            if (r->pend_pos > 0) {
                memmove(r->pending.p, r->pending.p + r->pend_pos, r->pending.len - r->pend_pos);
                r->pending.len -= r->pend_pos;
                r->pend_pos = 0;
            }
            if (r->pending.len > r->o.max_record) {
                /* An oversized line: report it and skip to its end. */
                uint64_t start = r->dec_off;
                r->line++;
                for (;;) {
                    char *e;
                    sd__buf_reset(&r->pending);
                    if (stream_read(&r->st, &r->pending, BLOCK) == 0) {
                        r->at_eof = 1;
                        break;
                    }
                    r->dec_off += r->pending.len;
                    e = memchr(r->pending.p, '\n', r->pending.len);
                    if (e) {
                        r->pend_pos = (size_t)(e - r->pending.p) + 1;
                        r->dec_off -= r->pending.len - r->pend_pos;
                        break;
                    }
                }
                sd__buf_reset(&r->id);
                sd__buf_reset(&r->msg);
                sd__buf_printf(&r->msg, "record exceeds %zu bytes", r->o.max_record);
                error_record(r, rec, r->cur_path, SD_ETOOBIG, start);
                return 1;
            }
            if (stream_read(&r->st, &r->pending, BLOCK) == 0)
                r->at_eof = 1;
        }
        line = r->pending.p ? r->pending.p + r->pend_pos : NULL;
        len = nl ? (size_t)(nl - line) : r->pending.len - r->pend_pos;
        if (len == 0 && nl == NULL) {
            /* end of file: report a damaged stream once */
            if (r->st.failed) {
                sd__buf_reset(&r->id);
                set_msg(r, r->st.errmsg);
                r->st.failed = 0;
                r->line++;
                error_record(r, rec, r->cur_path, SD_ETRUNC, r->dec_off);
                rec->line = 0;
                return 1;
            }
            return 0;
        }
        off = r->dec_off;
        r->pend_pos += len + (nl != NULL);
        r->dec_off += len + (nl != NULL);
        r->line++;
        if (len > r->o.max_record) {
            sd__buf_reset(&r->id);
            sd__buf_reset(&r->msg);
            sd__buf_printf(&r->msg, "record exceeds %zu bytes", r->o.max_record);
            error_record(r, rec, r->cur_path, SD_ETOOBIG, off);
            return 1;
        }
        if (len && line[len - 1] == '\r')
            len--;
        for (k = 0; k < len && (line[k] == ' ' || line[k] == '\t'); k++)
            ;
        if (k == len)
            continue; /* blank line */

        sd__buf_reset(&r->id);
        {
            sd_jsonl_field f[5];
            char msg[160];
            size_t nrepl = 0;
            int prc;
            f[0].name = r->o.id_field;
            f[1].name = r->o.text_field;
            f[2].name = r->o.html_field;
            f[3].name = "url";
            f[4].name = "date";
            f[0].value = &r->id;
            f[1].value = &r->text;
            f[2].value = &r->html;
            f[3].value = &r->url;
            f[4].value = &r->date;
            for (k = 0; k < 5; k++)
                f[k].name_len = strlen(f[k].name);
            prc = sd__jsonl_parse(line, len, f, 5, r->o.repair_utf8, &nrepl, msg, sizeof msg);
            if (prc == SD_ENOMEM)
                return SD_ENOMEM;
            if (f[0].kind != SD_JSONL_STRING && f[0].kind != SD_JSONL_NUMBER) {
                sd__buf_reset(&r->id);
                sd__buf_printf(&r->id, "%s:%llu", r->cur_path, (unsigned long long)r->line);
            }
            if (prc == 0 && f[1].kind != SD_JSONL_STRING && f[2].kind != SD_JSONL_STRING) {
                prc = f[1].kind == SD_JSONL_ABSENT ? SD_EMISSING : SD_EFORMAT;
                snprintf(msg, sizeof msg,
                         prc == SD_EMISSING ? "missing field \"%s\"" : "field \"%s\" is not a string",
                         r->o.text_field);
            }
            if (prc) {
                sd__buf_reset(&r->msg);
                sd__buf_append(&r->msg, msg, strlen(msg));
                error_record(r, rec, r->cur_path, prc, off);
                rec->raw = line;
                rec->raw_len = len;
                return 1;
            }
            has_html = f[1].kind != SD_JSONL_STRING;
            if (f[3].kind != SD_JSONL_STRING)
                sd__buf_reset(&r->url);
            if (f[4].kind != SD_JSONL_STRING)
                sd__buf_reset(&r->date);
            memset(rec, 0, sizeof *rec);
            rec->repaired = nrepl;
        }
        rec->index = r->index++;
        rec->id = r->id.p;
        rec->id_len = r->id.len;
        rec->raw = line; /* pending is only compacted on the next call */
        rec->raw_len = len;
        rec->source = r->cur_path;
        rec->line = r->line;
        rec->offset = off;
        rec->format = SD_FORMAT_JSONL;
        if (r->url.len) {
            rec->url = r->url.p;
            rec->url_len = r->url.len;
        }
        if (r->date.len) {
            rec->date = r->date.p;
            rec->date_len = r->date.len;
        }
        if (has_html) {
            rec->html = r->html.p;
            rec->html_len = r->html.len;
        } else {
            rec->text = r->text.p;
            rec->text_len = r->text.len;
        }
        return 1;
    }
}

/* The one record of a whole-file document (TEXT or HTML). */
static int whole_file(sd_reader *r, sd_record *rec)
{
    int rc = slurp(r);
    const char *path = r->cur_path;
    sd__buf_reset(&r->id);
    if (rc == SD_ETOOBIG) {
        sd__buf_reset(&r->msg);
        sd__buf_printf(&r->msg, "document exceeds %zu bytes", r->o.max_record);
        error_record(r, rec, path, SD_ETOOBIG, 0);
        return 1;
    }
    if (r->st.failed) {
        set_msg(r, r->st.errmsg);
        error_record(r, rec, path, r->st.failed, r->pending.len);
        return 1;
    }
    sd__buf_reset(&r->text);
    memset(rec, 0, sizeof *rec);
    rc = sd__decode_to_utf8(r->pending.p ? r->pending.p : "", r->pending.len, NULL, &r->text,
                            &rec->charset, &rec->repaired);
    if (rc == SD_ENOMEM)
        return SD_ENOMEM;
    if (rc) {
        sd__buf_reset(&r->msg);
        sd__buf_printf(&r->msg, "cannot decode: %s", sd_strerror(rc));
        error_record(r, rec, path, rc, 0);
        return 1;
    }
    if (sd__buf_append(&r->id, path, strlen(path)))
        return SD_ENOMEM;
    rec->index = r->index++;
    rec->id = r->id.p;
    rec->id_len = r->id.len;
    rec->raw = r->pending.p ? r->pending.p : "";
    rec->raw_len = r->pending.len;
    rec->source = path;
    rec->format = r->cur_fmt;
    if (r->cur_fmt == SD_FORMAT_HTML) {
        rec->html = r->text.p ? r->text.p : "";
        rec->html_len = r->text.len;
    } else {
        rec->text = r->text.p ? r->text.p : "";
        rec->text_len = r->text.len;
    }
    return 1;
}

int sd_reader_next(sd_reader *r, sd_record *rec)
{
    for (;;) {
        int rc;
        if (!r->open) {
            struct stat sb;
            char *path;
            if (r->qpos == r->nqueue)
                return 0;
            path = r->queue[r->qpos];
            r->queue[r->qpos++] = NULL;
            if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
                rc = expand_dir(r, path);
                if (rc == SD_ENOMEM) {
                    sd__free(path);
                    return sd__errorf(&r->err, SD_ENOMEM, "out of memory");
                }
                if (rc == 0) {
                    sd__free(path);
                    continue;
                }
            }
            r->cur_path = path;
            r->cur_fmt = r->o.format != SD_FORMAT_AUTO ? r->o.format : format_of(path);
            r->line = 0;
            r->dec_off = 0;
            r->at_eof = 0;
            r->open = 1;
            sd__buf_reset(&r->pending);
            r->pend_pos = 0;
            rc = stream_open(&r->st, path);
            if (rc == -2)
                return sd__errorf(&r->err, SD_ENOMEM, "out of memory");
            if (rc == -1 || r->st.failed) {
                sd__buf_reset(&r->id);
                sd__buf_reset(&r->msg);
                sd__buf_printf(&r->msg, "cannot read '%s': %s", path,
                               rc == -1 ? strerror(errno) : r->st.errmsg);
                error_record(r, rec, path, SD_EIO, 0);
                r->open = 2; /* close on the next call */
                return 1;
            }
            if (strcmp(path, "-") == 0 && r->o.format == SD_FORMAT_AUTO) {
                /* Sniff standard input: JSON lines, markup, or text. */
                size_t i = 0;
                stream_read(&r->st, &r->pending, BLOCK);
                while (i < r->pending.len && (r->pending.p[i] == ' ' || r->pending.p[i] == '\n' ||
                                              r->pending.p[i] == '\t' || r->pending.p[i] == '\r'))
                    i++;
                r->cur_fmt = i < r->pending.len && r->pending.p[i] == '{'  ? SD_FORMAT_JSONL
                             : i < r->pending.len && r->pending.p[i] == '<' ? SD_FORMAT_HTML
                                                                            : SD_FORMAT_TEXT;
            }
            if (r->cur_fmt == SD_FORMAT_WARC) {
                sd__buf_reset(&r->id);
                sd__buf_reset(&r->msg);
                sd__buf_printf(&r->msg, "WARC input is not available in this build: '%s'", path);
                error_record(r, rec, path, SD_EFORMAT, 0);
                r->open = 2;
                return 1;
            }
            if (r->cur_fmt != SD_FORMAT_JSONL) {
                rc = whole_file(r, rec);
                r->open = 2;
                return rc;
            }
        }
        if (r->open == 2) {
            close_current(r);
            continue;
        }
        rc = next_jsonl(r, rec);
        if (rc != 0)
            return rc < 0 ? sd__errorf(&r->err, rc, "out of memory") : 1;
        close_current(r);
    }
}

void sd_reader_free(sd_reader *r)
{
    size_t i;
    if (r == NULL)
        return;
    if (r->open)
        close_current(r);
    for (i = 0; i < r->nqueue; i++)
        sd__free(r->queue[i]);
    sd__free(r->queue);
    sd__buf_release(&r->pending);
    sd__buf_release(&r->text);
    sd__buf_release(&r->html);
    sd__buf_release(&r->id);
    sd__buf_release(&r->url);
    sd__buf_release(&r->date);
    sd__buf_release(&r->msg);
    sd__free(r);
}
