/*
 * reader.c: the public reader: inputs (files, directories, standard input)
 * to records.
 *
 * files.c expands the inputs, stream.c undoes compression, jsonl.c parses a
 * line, charset.c decodes a document; this file turns them into records.
 * JSONL lines are found in a window of decompressed bytes that never grows
 * past max_record plus one block: a longer line is reported and skipped to
 * its newline without being kept. A damaged or truncated stream ends its
 * file with one error record after everything that decoded. Every input
 * that has content yields at least one record.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "input/charset.h"
#include "input/files.h"
#include "input/jsonl.h"
#include "input/stream.h"
#include "input/warc.h"
#include "syndic.h"

#define BLOCK ((size_t)1 << 20)

/* Where a record's fields point: in reader-owned buffers or the line. */
struct sd_reader {
    sd_reader_options o;
    char *fields[3]; /* own copies of the id, text and html field names */
    sd_inputs inputs;
    char *cur_path; /* file being read */
    sd_format cur_fmt;
    sd_stream st;
    int open; /* 0 none, 1 reading, 2 done (close on the next call) */
    /* decompressed bytes of the current file not yet consumed */
    sd_buf pending;
    size_t pend_pos;
    uint64_t dec_off; /* decompressed offset of pending[pend_pos] */
    uint64_t line;    /* lines consumed so far in the current file */
    int at_eof;
    /* the record handed out */
    sd_buf text, html, id, url, date, msg;
    sd_warc *warc; /* the WARC reader of the current file */
    uint64_t index;
    uint64_t bytes_done; /* input bytes of the files already closed */
    /* whole files shared: records read from each input file, by its place */
    uint64_t *fcount;
    size_t nfiles, fcap;
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
    const char *names[3];
    size_t k;
    *out = NULL;
    if (r == NULL)
        return SD_ENOMEM;
    if (o)
        r->o = *o;
    else
        sd_reader_options_init(&r->o);
    names[0] = r->o.id_field ? r->o.id_field : "id";
    names[1] = r->o.text_field ? r->o.text_field : "text";
    names[2] = r->o.html_field ? r->o.html_field : "html";
    for (k = 0; k < 3; k++)
        if ((r->fields[k] = sd__strndup(names[k], strlen(names[k]))) == NULL)
            goto fail;
    r->o.id_field = r->fields[0];
    r->o.text_field = r->fields[1];
    r->o.html_field = r->fields[2];
    if (r->o.max_record == 0)
        r->o.max_record = (size_t)64 << 20;
    sd__inputs_init(&r->inputs);
    r->st.fd = -1;
    /* The window holds a whole line up to max_record plus the block that
     * showed it is longer. */
    sd__buf_init(&r->pending,
                 r->o.max_record < SIZE_MAX / 2 ? r->o.max_record + 2 * BLOCK : SIZE_MAX / 2);
    sd__buf_init(&r->text, 0);
    sd__buf_init(&r->html, 0);
    sd__buf_init(&r->id, 0);
    sd__buf_init(&r->url, 0);
    sd__buf_init(&r->date, 0);
    sd__buf_init(&r->msg, 0);
    *out = r;
    return 0;
fail:
    for (k = 0; k < 3; k++)
        sd__free(r->fields[k]);
    sd__free(r);
    return SD_ENOMEM;
}

int sd_reader_add(sd_reader *r, const char *path)
{
    return sd__inputs_add(&r->inputs, path);
}

uint64_t sd_reader_bytes(const sd_reader *r)
{
    return r->bytes_done + r->st.raw_bytes;
}

const char *sd_reader_errmsg(const sd_reader *r)
{
    return r->err.msg;
}

/* Sets the message of the next error record, printf-style. */
static void set_msg(sd_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_msg(sd_reader *r, const char *fmt, ...)
{
    va_list ap;
    char tmp[SD_ERRMSG_MAX];
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    sd__buf_reset(&r->msg);
    sd__buf_append(&r->msg, tmp, strlen(tmp));
}

/*
 * Fills *rec as an error record with the message set by set_msg. The id is
 * what r->id holds (an id recovered from a bad line), else
 * "<source>:<line>", else the source itself.
 */
static void error_record(sd_reader *r, sd_record *rec, int code, uint64_t line, uint64_t offset)
{
    const char *source = r->cur_path;
    memset(rec, 0, sizeof *rec);
    rec->index = r->index++;
    rec->source = source;
    rec->line = line;
    rec->offset = offset;
    rec->format = r->cur_fmt;
    rec->error = code;
    rec->errmsg = r->msg.len ? r->msg.p : sd_strerror(code);
    if (r->id.len == 0) {
        if (line)
            sd__buf_printf(&r->id, "%s:%llu", source, (unsigned long long)line);
        else
            sd__buf_append(&r->id, source, strlen(source));
    }
    rec->id = r->id.p ? r->id.p : source;
    rec->id_len = r->id.p ? r->id.len : strlen(source);
}

static void close_current(sd_reader *r)
{
    sd__warc_close(r->warc);
    r->warc = NULL;
    r->bytes_done += r->st.raw_bytes;
    sd__stream_close(&r->st);
    sd__free(r->cur_path);
    r->cur_path = NULL;
    r->open = 0;
    sd__buf_reset(&r->pending);
    r->pend_pos = 0;
}

/* Drops the consumed bytes at the front of the window. */
static void compact(sd_reader *r)
{
    if (r->pend_pos == 0)
        return;
    memmove(r->pending.p, r->pending.p + r->pend_pos, r->pending.len - r->pend_pos);
    r->pending.len -= r->pend_pos;
    r->pend_pos = 0;
}

/*
 * Reads past the rest of a line longer than max_record, keeping at most a
 * block of it, and leaves the window just after its newline. Returns 0 or
 * a buffer error.
 */
static int skip_long_line(sd_reader *r)
{
    for (;;) {
        char *e = memchr(r->pending.p + r->pend_pos, '\n', r->pending.len - r->pend_pos);
        int rc;
        if (e) {
            size_t upto = (size_t)(e - r->pending.p) + 1;
            r->dec_off += upto - r->pend_pos;
            r->pend_pos = upto;
            return 0;
        }
        r->dec_off += r->pending.len - r->pend_pos;
        sd__buf_reset(&r->pending);
        r->pend_pos = 0;
        if (sd__stream_read(&r->st, &r->pending, BLOCK, &rc) == 0) {
            r->at_eof = 1;
            return rc;
        }
    }
}

/* The JSONL fields asked of the parser, in this order. */
enum { F_ID, F_TEXT, F_HTML, F_URL, F_DATE, NFIELDS };

/* Parses one non-blank line into *rec (a record or an error record).
 * Returns 1, or SD_ENOMEM. */
static int jsonl_record(sd_reader *r, sd_record *rec, const char *line, size_t len, uint64_t off)
{
    sd_jsonl_field f[NFIELDS];
    sd_buf *bufs[NFIELDS];
    char msg[200];
    size_t nrepl = 0, k;
    int rc;
    f[F_ID].name = r->o.id_field;
    f[F_TEXT].name = r->o.text_field;
    f[F_HTML].name = r->o.html_field;
    f[F_URL].name = "url";
    f[F_DATE].name = "date";
    bufs[F_ID] = &r->id;
    bufs[F_TEXT] = &r->text;
    bufs[F_HTML] = &r->html;
    bufs[F_URL] = &r->url;
    bufs[F_DATE] = &r->date;
    for (k = 0; k < NFIELDS; k++) {
        f[k].name_len = strlen(f[k].name);
        f[k].value = bufs[k];
    }
    rc = sd__jsonl_parse(line, len, f, NFIELDS, r->o.repair_utf8, &nrepl, msg, sizeof msg);
    if (rc == SD_ENOMEM)
        return SD_ENOMEM;
    if (f[F_ID].kind != SD_JSONL_STRING && f[F_ID].kind != SD_JSONL_NUMBER)
        sd__buf_reset(&r->id);
    if (rc == 0 && f[F_TEXT].kind != SD_JSONL_STRING && f[F_HTML].kind != SD_JSONL_STRING) {
        rc = f[F_TEXT].kind == SD_JSONL_ABSENT ? SD_EMISSING : SD_EFORMAT;
        snprintf(msg, sizeof msg,
                 rc == SD_EMISSING ? "missing field \"%s\"" : "field \"%s\" is not a string",
                 r->o.text_field);
    }
    if (r->id.len == 0 &&
        (rc != 0 || f[F_ID].kind == SD_JSONL_ABSENT || f[F_ID].kind == SD_JSONL_OTHER)) {
        sd__buf_reset(&r->id);
        if (sd__buf_printf(&r->id, "%s:%llu", r->cur_path, (unsigned long long)r->line))
            return SD_ENOMEM;
    }
    if (rc) {
        set_msg(r, "%s", msg);
        error_record(r, rec, rc, r->line, off);
        rec->raw = line;
        rec->raw_len = len;
        return 1;
    }
    memset(rec, 0, sizeof *rec);
    rec->repaired = nrepl;
    rec->index = r->index++;
    rec->id = r->id.p;
    rec->id_len = r->id.len;
    rec->raw = line; /* the window is only compacted on the next call */
    rec->raw_len = len;
    rec->source = r->cur_path;
    rec->line = r->line;
    rec->offset = off;
    rec->format = SD_FORMAT_JSONL;
    if (f[F_URL].kind == SD_JSONL_STRING) {
        rec->url = r->url.p;
        rec->url_len = r->url.len;
    }
    if (f[F_DATE].kind == SD_JSONL_STRING) {
        rec->date = r->date.p;
        rec->date_len = r->date.len;
    }
    if (f[F_HTML].kind == SD_JSONL_STRING) {
        rec->html = r->html.p;
        rec->html_len = r->html.len;
    }
    if (f[F_TEXT].kind == SD_JSONL_STRING) {
        rec->text = r->text.p;
        rec->text_len = r->text.len;
    }
    return 1;
}

/* Whether record `index` is this process's (every record without a share,
 * and every record of its own files when whole files are shared). */
static int mine(const sd_reader *r, uint64_t index)
{
    return r->o.share.count <= 1 || r->o.share.files ||
           sd_share_owner(&r->o.share, index) == r->o.share.index;
}

/* Next JSONL record of the current file: 1 produced, 0 file done, or
 * SD_ENOMEM. */
static int next_jsonl(sd_reader *r, sd_record *rec)
{
    for (;;) {
        char *nl = NULL, *line;
        size_t len, k;
        uint64_t off;
        int rc;
        /* Find a complete line in the window, reading more as needed. */
        for (;;) {
            size_t have = r->pending.len - r->pend_pos;
            nl = have ? memchr(r->pending.p + r->pend_pos, '\n', have) : NULL;
            if (nl || r->at_eof)
                break;
            if (have > r->o.max_record) {
                /* An oversized line: report it and skip to its end. */
                off = r->dec_off;
                r->line++;
                if ((rc = skip_long_line(r)) != 0)
                    return rc;
                sd__buf_reset(&r->id);
                set_msg(r, "record exceeds %zu bytes", r->o.max_record);
                error_record(r, rec, SD_ETOOBIG, r->line, off);
                return 1;
            }
            compact(r);
            if (sd__stream_read(&r->st, &r->pending, BLOCK, &rc) == 0) {
                if (rc)
                    return rc;
                r->at_eof = 1;
            }
        }
        line = r->pending.p ? r->pending.p + r->pend_pos : NULL;
        len = nl ? (size_t)(nl - line) : r->pending.len - r->pend_pos;
        off = r->dec_off;
        if (nl == NULL && r->st.failed) {
            /* The stream broke: a partial last line is part of the damage,
             * reported once, at that line. */
            r->line++;
            r->dec_off += len;
            r->pend_pos += len;
            sd__buf_reset(&r->id);
            set_msg(r, "%s", r->st.errmsg);
            error_record(r, rec, r->st.failed, r->line, off);
            r->st.failed = 0;
            return 1;
        }
        if (len == 0 && nl == NULL)
            return 0;
        r->pend_pos += len + (nl != NULL);
        r->dec_off += len + (nl != NULL);
        r->line++;
        if (len > r->o.max_record) {
            sd__buf_reset(&r->id);
            set_msg(r, "record exceeds %zu bytes", r->o.max_record);
            error_record(r, rec, SD_ETOOBIG, r->line, off);
            return 1;
        }
        if (len && line[len - 1] == '\r')
            len--;
        if (r->line == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
            /* A byte order mark before the first line (Windows tools
             * write one) is not part of the record. */
            line += 3;
            len -= 3;
            off += 3;
        }
        for (k = 0; k < len && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r'); k++)
            ;
        if (k == len)
            continue; /* a blank line: counted, no record */
        if (!mine(r, r->index)) {
            r->index++; /* another process's record: counted, not parsed */
            continue;
        }
        return jsonl_record(r, rec, line, len, off);
    }
}

/*
 * The charset an HTML page declares in its first 2 KB (<meta charset=...>
 * or <meta http-equiv=... content="...; charset=...">), copied into out
 * (NUL-terminated); 0 when none is found. A cheap scan for "charset=", not
 * a parse: the extractor reads the markup properly later.
 */
static int meta_charset(const char *p, size_t n, char *out, size_t cap)
{
    size_t i, k;
    if (n > 2048)
        n = 2048;
    for (i = 0; i + 8 <= n; i++) {
        if ((p[i] | 0x20) != 'c' || strncasecmp(p + i, "charset", 7) != 0)
            continue;
        k = i + 7;
        while (k < n && (p[k] == ' ' || p[k] == '\t'))
            k++;
        if (k >= n || p[k] != '=')
            continue;
        k++;
        while (k < n && (p[k] == ' ' || p[k] == '"' || p[k] == '\''))
            k++;
        for (i = 0; k < n && i + 1 < cap; k++, i++) {
            char c = p[k];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.' || c == ':'))
                break;
            out[i] = c;
        }
        out[i] = '\0';
        return i > 0;
    }
    return 0;
}

/* The one record of a whole-file document (TEXT or HTML): 1, or SD_ENOMEM. */
static int whole_file(sd_reader *r, sd_record *rec)
{
    const char *path = r->cur_path, *declared = NULL;
    char meta[64];
    int rc = 0;
    sd__buf_reset(&r->id);
    while (r->pending.len <= r->o.max_record &&
           sd__stream_read(&r->st, &r->pending, BLOCK, &rc) > 0)
        ;
    if (rc == SD_ENOMEM)
        return SD_ENOMEM;
    if (r->pending.len > r->o.max_record || rc == SD_ETOOBIG) {
        set_msg(r, "record exceeds %zu bytes", r->o.max_record);
        error_record(r, rec, SD_ETOOBIG, 0, 0);
        return 1;
    }
    if (r->st.failed) {
        set_msg(r, "%s", r->st.errmsg);
        error_record(r, rec, r->st.failed, 0, 0);
        return 1;
    }
    sd__buf_reset(&r->text);
    memset(rec, 0, sizeof *rec);
    if (r->cur_fmt == SD_FORMAT_HTML && r->pending.p &&
        meta_charset(r->pending.p, r->pending.len, meta, sizeof meta))
        declared = meta;
    rc = sd__decode_to_utf8(r->pending.p ? r->pending.p : "", r->pending.len, declared, &r->text,
                            &rec->charset, &rec->repaired);
    if (rc == SD_ENOMEM)
        return SD_ENOMEM;
    if (rc) {
        set_msg(r, "cannot decode: %s", sd_strerror(rc));
        error_record(r, rec, rc, 0, 0);
        return 1;
    }
    if (sd__buf_append(&r->id, path, strlen(path)) || sd__buf_reserve(&r->text, 0))
        return SD_ENOMEM;
    rec->index = r->index++;
    rec->id = r->id.p;
    rec->id_len = r->id.len;
    rec->raw = r->pending.p ? r->pending.p : "";
    rec->raw_len = r->pending.len;
    rec->source = path;
    rec->format = r->cur_fmt;
    if (r->cur_fmt == SD_FORMAT_HTML) {
        rec->html = r->text.p;
        rec->html_len = r->text.len;
    } else {
        rec->text = r->text.p;
        rec->text_len = r->text.len;
    }
    return 1;
}

/* Tells standard input's format from its first non-space byte. */
static sd_format sniff(const sd_buf *b)
{
    size_t i = 0;
    while (i < b->len && (b->p[i] == ' ' || b->p[i] == '\n' || b->p[i] == '\t' || b->p[i] == '\r'))
        i++;
    if (i < b->len && b->p[i] == '{')
        return SD_FORMAT_JSONL;
    if (i < b->len && b->p[i] == '<')
        return SD_FORMAT_HTML;
    return SD_FORMAT_TEXT;
}

/*
 * Opens the next input. Returns 1 with r->open set (or an error record in
 * *rec and r->open == 2), 0 when the inputs are exhausted, or SD_ENOMEM.
 */
static int open_next(sd_reader *r, sd_record *rec, int *produced)
{
    char *path;
    int rc;
    *produced = 0;
    for (;;) {
        rc = sd__inputs_next(&r->inputs, &path);
        if (rc <= 0)
            return rc;
        if (SD_GROW(r->fcount, r->fcap, r->nfiles + 1)) {
            sd__free(path);
            return SD_ENOMEM;
        }
        r->fcount[r->nfiles++] = 0;
        if (!r->o.share.files || r->o.share.count <= 1 ||
            (r->nfiles - 1) % r->o.share.count == r->o.share.index)
            break;
        sd__free(path); /* another process's file: not opened */
    }
    r->cur_path = path;
    r->cur_fmt = r->o.format != SD_FORMAT_AUTO ? r->o.format : sd__format_of_name(path);
    r->line = 0;
    r->dec_off = 0;
    r->at_eof = 0;
    r->open = 1;
    sd__buf_reset(&r->pending);
    sd__buf_reset(&r->id);
    sd__buf_reset(&r->msg);
    r->pend_pos = 0;
    rc = sd__stream_open(&r->st, path);
    if (rc == SD_ENOMEM)
        return SD_ENOMEM;
    if (rc != 0 || (r->st.failed && r->st.raw_bytes == 0)) {
        set_msg(r, "cannot read '%s': %s", path, rc != 0 ? strerror(errno) : r->st.errmsg);
        error_record(r, rec, SD_EIO, 0, 0);
        r->open = 2;
        *produced = 1;
        return 1;
    }
    if (strcmp(path, "-") == 0 && r->o.format == SD_FORMAT_AUTO) {
        if (sd__stream_read(&r->st, &r->pending, BLOCK, &rc) == 0 && rc == SD_ENOMEM)
            return SD_ENOMEM;
        r->cur_fmt = sniff(&r->pending);
    }
    if (r->cur_fmt == SD_FORMAT_WARC) {
        /* WARC dispatch point: src/input/warc.c reads the file from here
         * (its own gzip members, so that damage is skipped), starting with
         * the block r->st has read but not decoded. */
        rc = sd__warc_open_fd(r->st.fd, r->st.in + r->st.in_pos, r->st.in_len - r->st.in_pos, path,
                              &r->o, &r->st.raw_bytes, &r->warc);
        return rc ? rc : 1;
    }
    if (r->cur_fmt != SD_FORMAT_JSONL) {
        rc = whole_file(r, rec);
        r->open = 2;
        *produced = rc == 1;
        return rc;
    }
    return 1;
}

uint64_t sd_reader_records(const sd_reader *r)
{
    return r->index;
}

int sd_reader_count_files(const sd_reader *r, size_t *nfiles)
{
    sd_inputs q;
    size_t i;
    char *path;
    int rc = 0;
    *nfiles = 0;
    sd__inputs_init(&q);
    for (i = r->inputs.pos; i < r->inputs.n && rc == 0; i++)
        rc = sd__inputs_add(&q, r->inputs.v[i]);
    while (rc == 0 && (rc = sd__inputs_next(&q, &path)) > 0) {
        sd__free(path);
        (*nfiles)++;
        rc = 0;
    }
    sd__inputs_release(&q);
    return rc < 0 ? rc : 0;
}

int sd_reader_file_counts(const sd_reader *r, const uint64_t **counts, size_t *nfiles)
{
    *counts = r->fcount;
    *nfiles = r->nfiles;
    return 0;
}

/* Counts a record handed out against its file. */
static int handed(sd_reader *r)
{
    if (r->nfiles)
        r->fcount[r->nfiles - 1]++;
    return 1;
}

int sd_reader_next(sd_reader *r, sd_record *rec)
{
    for (;;) {
        int rc, produced;
        if (r->open == 2)
            close_current(r);
        if (!r->open) {
            rc = open_next(r, rec, &produced);
            if (rc < 0)
                return sd__errorf(&r->err, rc, "out of memory");
            if (rc == 0)
                return 0;
            if (produced) {
                if (!mine(r, rec->index))
                    continue;
                return handed(r);
            }
        }
        rc = r->warc ? sd__warc_next(r->warc, rec) : next_jsonl(r, rec);
        if (rc > 0 && r->warc)
            rec->index = r->index++;
        if (rc < 0)
            return sd__errorf(&r->err, rc, "cannot read '%s': %s", r->cur_path, sd_strerror(rc));
        if (rc > 0) {
            if (!mine(r, rec->index))
                continue; /* another process's record (WARC, an error) */
            return handed(r);
        }
        r->open = 2;
    }
}

void sd_reader_free(sd_reader *r)
{
    size_t k;
    if (r == NULL)
        return;
    if (r->open)
        close_current(r);
    sd__stream_close(&r->st);
    sd__inputs_release(&r->inputs);
    sd__free(r->fcount);
    for (k = 0; k < 3; k++)
        sd__free(r->fields[k]);
    sd__buf_release(&r->pending);
    sd__buf_release(&r->text);
    sd__buf_release(&r->html);
    sd__buf_release(&r->id);
    sd__buf_release(&r->url);
    sd__buf_release(&r->date);
    sd__buf_release(&r->msg);
    sd__free(r);
}
