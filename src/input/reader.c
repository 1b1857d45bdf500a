/*
 * reader.c: the public reader: inputs (files, directories, standard input)
 * to records.
 *
 * files.c expands the inputs, stream.c undoes compression, sniff.c tells
 * the format from the first bytes, split.c finds where a record ends,
 * jsonl.c and csv.c parse one, charset.c decodes a document; this file
 * turns them into records. JSONL lines, JSON values and CSV rows are found
 * in a window of decompressed bytes that never grows past max_record plus
 * one block: a longer record is reported and passed over without being
 * kept. Damage in a compressed stream gives one error record after
 * everything that decoded before it, and reading resumes at the next intact
 * gzip member or zstd frame. Every input that has content yields at least
 * one record.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/utf8.h"
#include "input/charset.h"
#include "input/csv.h"
#include "input/files.h"
#include "input/jsonl.h"
#include "input/sniff.h"
#include "input/split.h"
#include "input/stream.h"
#include "input/warc.h"
#include "syndic.h"

#define BLOCK ((size_t)1 << 20)
#define SNIFF ((size_t)4096) /* bytes decompressed to tell the format */

/* The JSON and CSV fields asked for, in this order. */
enum { F_ID, F_TEXT, F_HTML, F_URL, F_DATE, NFIELDS };

/* Where a JSON file is between values. */
enum { JS_START, JS_VALUE, JS_SEP, JS_DONE, JS_STREAM };

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
    int at_eof;
    int ended_broken;      /* the stream broke and nothing intact follows */
    sd_split sp;           /* where records end; sp.newlines counts lines consumed */
    int js;                /* JSON: JS_* */
    sd_csv_row row;        /* CSV: the fields of the row read */
    int csv_cols[NFIELDS]; /* CSV: each field's column, -1 when none */
    size_t ncols;          /* CSV: columns of the header, 0 before it is read */
    int csv_bad;           /* CSV: the header row did not parse */
    sd_buf names;          /* member or column names, for a message */
    /* the record handed out */
    sd_buf text, html, id, url, date, msg;
    sd_warc *warc; /* the WARC reader of the current file */
    uint64_t index;
    uint64_t bytes_done; /* input bytes of the files already closed */
    /* whole files shared: records read from each input file, by its place */
    uint64_t *fcount;
    size_t nfiles, fcap;
    sd_err err;
    sd_job job; /* new: inputs queued; adding: reading; finished: at the end */
};

static int read_next(sd_reader *r, sd_record *rec);

void sd_reader_options_init(sd_reader_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->id_field = "id";
    o->text_field = "text";
    o->html_field = "html";
    o->max_record = (size_t)64 << 20;
    o->format = SD_FORMAT_AUTO;
}

int sd_reader_new(const sd_reader_options *o, sd_reader **out, char *errbuf)
{
    sd_reader *r;
    const char *names[3];
    size_t k;
    int rc;
    if (out == NULL)
        return SD_EINVAL;
    *out = NULL;
    if ((r = sd__calloc(1, sizeof *r)) == NULL)
        return sd__errbuf_nomem(errbuf);
    sd_reader_options_init(&r->o);
    if (o && (rc = sd__options_take(&r->o, sizeof r->o, sizeof r->o, o, &r->err,
                                    "sd_reader_options")) != 0) {
        sd__errbuf(&r->err, errbuf);
        sd__free(r);
        return rc;
    }
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
    sd__buf_init(&r->names, 0);
    sd__csv_row_init(&r->row);
    *out = r;
    return 0;
fail:
    for (k = 0; k < 3; k++)
        sd__free(r->fields[k]);
    sd__free(r);
    return sd__errbuf_nomem(errbuf);
}

int sd_reader_add(sd_reader *r, const char *path)
{
    int rc;
    if (r == NULL)
        return SD_EINVAL;
    if ((rc = sd__job_check(&r->job, SD_JOB(SD_JOB_NEW), &r->err, "sd_reader_add")) != 0)
        return rc;
    if (path == NULL)
        return sd__errorf(&r->err, SD_EINVAL, "sd_reader_add: path NULL");
    if ((rc = sd__inputs_add(&r->inputs, path)) != 0)
        return sd__errorf(&r->err, rc, "out of memory");
    return 0;
}

uint64_t sd_reader_bytes(const sd_reader *r)
{
    if (r == NULL)
        return 0;
    return r->bytes_done + r->st.raw_bytes;
}

const char *sd_reader_errmsg(const sd_reader *r)
{
    return r ? r->err.msg : "";
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

/* Reads a block more into the window (consumed bytes dropped first).
 * Returns 1 when bytes came, 0 at the end of the input (r->st.failed tells
 * whether the stream broke), or a buffer error. */
static int more(sd_reader *r)
{
    int rc;
    if (r->at_eof)
        return 0;
    compact(r);
    if (sd__stream_read(&r->st, &r->pending, BLOCK, &rc) > 0)
        return 1;
    if (rc)
        return rc;
    r->at_eof = 1;
    return 0;
}

/* Moves past n bytes of the window. Pointers into the window stay valid
 * until the next more(), which may move it. */
static void consume(sd_reader *r, size_t n)
{
    r->pend_pos += n;
    r->dec_off += n;
}

enum { TAKE_END, TAKE_REC, TAKE_BIG, TAKE_BROKEN };

/*
 * Finds the next record of the file with the scanner r->sp and consumes
 * it. Returns TAKE_REC with its bytes (terminator included) at *p, *len,
 * valid until the next call; TAKE_BIG for a record over max_record, passed
 * over without being kept; TAKE_BROKEN when the stream broke before the
 * record ended (its bytes are part of the damage); TAKE_END at the end of
 * the file; or a buffer error. *line and *off say where the record began.
 */
static int take(sd_reader *r, const char **p, size_t *len, uint64_t *line, uint64_t *off)
{
    size_t scanned = 0, e = 0;
    int rc;
    sd__split_reset(&r->sp);
    *line = r->sp.newlines + 1;
    *off = r->dec_off;
    for (;;) {
        size_t have = r->pending.len - r->pend_pos;
        if (scanned < have) {
            /* offsets, not pointers: more() moves the window */
            e = sd__split_scan(&r->sp, r->pending.p + r->pend_pos + scanned, have - scanned);
            if (e) {
                e += scanned;
                break;
            }
            scanned = have;
        }
        if (have > r->o.max_record) {
            /* too long to keep: scan on through blocks, keeping none */
            for (;;) {
                consume(r, r->pending.len - r->pend_pos);
                sd__buf_reset(&r->pending);
                r->pend_pos = 0;
                if (sd__stream_read(&r->st, &r->pending, BLOCK, &rc) == 0) {
                    r->at_eof = 1;
                    return rc ? rc : TAKE_BIG;
                }
                if ((e = sd__split_scan(&r->sp, r->pending.p, r->pending.len)) != 0) {
                    consume(r, e);
                    return TAKE_BIG;
                }
            }
        }
        if ((rc = more(r)) < 0)
            return rc;
        if (rc == 0)
            break;
    }
    if (e == 0) { /* the input ended inside the record */
        size_t have = r->pending.len - r->pend_pos;
        if (r->st.failed && !r->ended_broken) {
            consume(r, have);
            return TAKE_BROKEN;
        }
        if (have == 0)
            return TAKE_END;
        e = have;
    }
    if (e > r->o.max_record) {
        consume(r, e);
        return TAKE_BIG;
    }
    *p = r->pending.p + r->pend_pos;
    *len = e;
    consume(r, e);
    return TAKE_REC;
}

/* The error record of a record over max_record. */
static int too_big(sd_reader *r, sd_record *rec, uint64_t line, uint64_t off)
{
    sd__buf_reset(&r->id);
    set_msg(r, "record exceeds %zu bytes", r->o.max_record);
    error_record(r, rec, SD_ETOOBIG, line, off);
    return 1;
}

/* The error record of damage in the compressed stream, at the record it
 * cut; reading resumes at the next intact gzip member or zstd frame when
 * there is one. */
static int broken(sd_reader *r, sd_record *rec, uint64_t line, uint64_t off)
{
    int code = r->st.failed;
    if (sd__stream_resync(&r->st))
        r->at_eof = 0;
    else
        r->ended_broken = 1;
    sd__buf_reset(&r->id);
    set_msg(r, "%s", r->st.errmsg);
    error_record(r, rec, code, line, off);
    return 1;
}

/* Whether record `index` is this process's (every record without a share,
 * and every record of its own files when whole files are shared). */
static int mine(const sd_reader *r, uint64_t index)
{
    return r->o.share.count <= 1 || r->o.share.files ||
           sd_share_owner(&r->o.share, index) == r->o.share.index;
}

/* Trims a record's line ending ("\n", "\r\n" or a last line's "\r") and,
 * on the file's first line, a UTF-8 byte order mark (Windows tools write
 * one); white space only gives length 0. */
static void trim(const char **p, size_t *len, uint64_t *off)
{
    size_t k;
    if (*len && (*p)[*len - 1] == '\n')
        (*len)--;
    if (*len && (*p)[*len - 1] == '\r')
        (*len)--;
    if (*off == 0 && *len >= 3 && memcmp(*p, "\xEF\xBB\xBF", 3) == 0) {
        *p += 3;
        *len -= 3;
        *off += 3;
    }
    for (k = 0; k < *len && ((*p)[k] == ' ' || (*p)[k] == '\t' || (*p)[k] == '\r'); k++)
        ;
    if (k == *len)
        *len = 0;
}

/* Fills *rec as a good record from the fields decoded into r's buffers;
 * `have` says which fields are set (bit per F_*). */
static void good_record(sd_reader *r, sd_record *rec, unsigned have, const char *raw, size_t len,
                        uint64_t line, uint64_t off)
{
    memset(rec, 0, sizeof *rec);
    rec->index = r->index++;
    rec->id = r->id.p;
    rec->id_len = r->id.len;
    rec->raw = raw; /* the window is only compacted on the next call */
    rec->raw_len = len;
    rec->source = r->cur_path;
    rec->line = line;
    rec->offset = off;
    rec->format = r->cur_fmt;
    if (have & (1u << F_URL)) {
        rec->url = r->url.p;
        rec->url_len = r->url.len;
    }
    if (have & (1u << F_DATE)) {
        rec->date = r->date.p;
        rec->date_len = r->date.len;
    }
    if (have & (1u << F_HTML)) {
        rec->html = r->html.p;
        rec->html_len = r->html.len;
    }
    if (have & (1u << F_TEXT)) {
        rec->text = r->text.p;
        rec->text_len = r->text.len;
    }
}

/* The fields a record's JSON object is read for, each into its buffer of
 * r: the id, text and HTML (named by the options), url and date. */
static void json_fields(sd_reader *r, sd_jsonl_field *f)
{
    sd_buf *bufs[NFIELDS];
    size_t k;
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
        /* the big fields stay in the window when they need no decoding:
         * a record's text is then held once, not twice */
        f[k].direct_ok = k == F_TEXT || k == F_HTML;
    }
}

/* A record with neither text nor HTML as a string (fields f, the object
 * line[0..len)): why, in msg[0..size). Returns SD_EMISSING (no text
 * field; the message names the fields the record has) or SD_EFORMAT. */
static int no_text(sd_reader *r, const sd_jsonl_field *f, const char *line, size_t len, char *msg,
                   size_t size)
{
    int rc = f[F_TEXT].kind == SD_JSONL_ABSENT ? SD_EMISSING : SD_EFORMAT;
    if (rc == SD_EMISSING && sd__jsonl_members(line, len, &r->names) == 0)
        /* name what the record has: the usual cause is a field named
         * otherwise (content, body, article) */
        snprintf(msg, size, "missing field \"%s\"; the record has %s", r->o.text_field,
                 r->names.len ? r->names.p : "no fields");
    else
        snprintf(msg, size,
                 rc == SD_EMISSING ? "missing field \"%s\"" : "field \"%s\" is not a string",
                 r->o.text_field);
    return rc;
}

/* Parses one JSON object (a JSONL line or a JSON value) into *rec (a
 * record or an error record). Returns 1, or SD_ENOMEM. */
static int json_record(sd_reader *r, sd_record *rec, const char *line, size_t len, uint64_t lineno,
                       uint64_t off)
{
    sd_jsonl_field f[NFIELDS];
    char msg[400];
    size_t nrepl = 0, k;
    unsigned have = 0;
    int rc;
    json_fields(r, f);
    rc = sd__jsonl_parse(line, len, f, NFIELDS, r->o.repair_utf8, &nrepl, msg, sizeof msg);
    if (rc == SD_ENOMEM)
        return SD_ENOMEM;
    if (f[F_ID].kind != SD_JSONL_STRING && f[F_ID].kind != SD_JSONL_NUMBER)
        sd__buf_reset(&r->id);
    if (rc == 0 && f[F_TEXT].kind != SD_JSONL_STRING && f[F_HTML].kind != SD_JSONL_STRING)
        rc = no_text(r, f, line, len, msg, sizeof msg);
    if (r->id.len == 0 &&
        (rc != 0 || f[F_ID].kind == SD_JSONL_ABSENT || f[F_ID].kind == SD_JSONL_OTHER)) {
        sd__buf_reset(&r->id);
        if (sd__buf_printf(&r->id, "%s:%llu", r->cur_path, (unsigned long long)lineno))
            return SD_ENOMEM;
    }
    if (rc) {
        set_msg(r, "%s", msg);
        error_record(r, rec, rc, lineno, off);
        rec->raw = line;
        rec->raw_len = len;
        return 1;
    }
    for (k = 0; k < NFIELDS; k++)
        if (f[k].kind == SD_JSONL_STRING)
            have |= 1u << k;
    good_record(r, rec, have, line, len, lineno, off);
    rec->repaired = nrepl;
    if (f[F_TEXT].kind == SD_JSONL_STRING && f[F_TEXT].direct) {
        rec->text = f[F_TEXT].direct;
        rec->text_len = f[F_TEXT].direct_len;
    }
    if (f[F_HTML].kind == SD_JSONL_STRING && f[F_HTML].direct) {
        rec->html = f[F_HTML].direct;
        rec->html_len = f[F_HTML].direct_len;
    }
    return 1;
}

enum { PIECE = 2 };

/*
 * The next record's bytes, trimmed (trim()), blank lines passed over:
 * PIECE with them in *p, *len; 1 with an error record in *rec (a record
 * over max_record, damage in the stream); 0 at the end of the file; or a
 * buffer error.
 */
static int next_piece(sd_reader *r, sd_record *rec, const char **p, size_t *len, uint64_t *line,
                      uint64_t *off)
{
    for (;;) {
        int rc = take(r, p, len, line, off);
        if (rc < 0 || rc == TAKE_END)
            return rc;
        if (rc == TAKE_BIG)
            return too_big(r, rec, *line, *off);
        if (rc == TAKE_BROKEN)
            return broken(r, rec, *line, *off);
        trim(p, len, off);
        if (*len)
            return PIECE; /* a blank line is counted, and gives no record */
    }
}

/* Next JSONL record of the current file: 1 produced, 0 file done, or
 * SD_ENOMEM. */
static int next_jsonl(sd_reader *r, sd_record *rec)
{
    for (;;) {
        const char *line = NULL;
        size_t len = 0;
        uint64_t lineno, off;
        int rc = next_piece(r, rec, &line, &len, &lineno, &off);
        if (rc != PIECE)
            return rc;
        if (!mine(r, r->index)) {
            r->index++; /* another process's record: counted, not parsed */
            continue;
        }
        return json_record(r, rec, line, len, lineno, off);
    }
}

/* Skips white space (and a byte order mark at the start of the file),
 * counting lines; *c gets the next byte, or -1 at the end of the input.
 * Returns 0 or a buffer error. */
static int skip_space(sd_reader *r, int *c)
{
    for (;;) {
        int rc;
        while (r->pend_pos < r->pending.len) {
            unsigned char b = (unsigned char)r->pending.p[r->pend_pos];
            if (r->dec_off == 0 && b == 0xEF && r->pending.len - r->pend_pos >= 3 &&
                memcmp(r->pending.p + r->pend_pos, "\xEF\xBB\xBF", 3) == 0) {
                consume(r, 3);
                continue;
            }
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                *c = b;
                return 0;
            }
            r->sp.newlines += b == '\n';
            consume(r, 1);
        }
        if ((rc = more(r)) < 0)
            return rc;
        if (rc == 0) {
            *c = -1;
            return 0;
        }
    }
}

/* An error record for a byte out of place between JSON values, which is
 * consumed. */
static int json_misplaced(sd_reader *r, sd_record *rec, int c, const char *what)
{
    uint64_t off = r->dec_off, line = r->sp.newlines + 1;
    consume(r, 1);
    sd__buf_reset(&r->id);
    set_msg(r, "invalid JSON: %s, found '%c'", what, c >= 0x20 && c < 0x7f ? c : '?');
    error_record(r, rec, SD_EFORMAT, line, off);
    return 1;
}

/* The end of a JSON input: a stream that broke, or an array never
 * closed, is reported once (1, an error record in rec); else 0. */
static int json_end(sd_reader *r, sd_record *rec)
{
    if (r->st.failed && !r->ended_broken)
        return broken(r, rec, r->sp.newlines + 1, r->dec_off);
    if (r->js == JS_VALUE || r->js == JS_SEP) {
        r->js = JS_DONE;
        sd__buf_reset(&r->id);
        set_msg(r, "invalid JSON: the array is not closed (no ']' before the end)");
        error_record(r, rec, SD_ETRUNC, r->sp.newlines + 1, r->dec_off);
        return 1;
    }
    return 0;
}

/* After a value in an array, at character c: a ',' or ']' is taken (0);
 * anything else is a missing comma, said once (1, an error record in
 * rec), and the value is still read next. */
static int after_value(sd_reader *r, sd_record *rec, int c)
{
    if (c == ',' || c == ']') {
        consume(r, 1);
        r->js = c == ',' ? JS_VALUE : JS_DONE;
        return 0;
    }
    r->js = JS_VALUE;
    sd__buf_reset(&r->id);
    set_msg(r, "invalid JSON: expected ',' or ']' after a value");
    error_record(r, rec, SD_EFORMAT, r->sp.newlines + 1, r->dec_off);
    return 1;
}

/*
 * Next record of a JSON file: the objects of a top-level array, read one
 * at a time (the array is never held whole), or objects one after another
 * (pretty-printed JSON Lines). 1 produced, 0 file done, or SD_ENOMEM.
 */
static int next_json(sd_reader *r, sd_record *rec)
{
    for (;;) {
        const char *v = NULL;
        size_t len = 0;
        uint64_t lineno, off;
        int c, rc;
        if ((rc = skip_space(r, &c)) != 0)
            return rc;
        if (c < 0)
            return json_end(r, rec);
        if (r->js == JS_START || r->js == JS_DONE) {
            if (c == '[') {
                consume(r, 1);
                r->js = JS_VALUE;
                continue;
            }
            if (r->js == JS_DONE)
                return json_misplaced(r, rec, c, "expected nothing after the array");
            r->js = JS_STREAM;
        }
        if (r->js == JS_SEP) {
            if (after_value(r, rec, c))
                return 1;
            continue;
        }
        if (r->js == JS_VALUE && c == ']') {
            consume(r, 1); /* an empty array, or a trailing comma */
            r->js = JS_DONE;
            continue;
        }
        if (c == ',' && r->js == JS_STREAM) {
            consume(r, 1); /* objects separated by commas, without brackets */
            continue;
        }
        if (c == ',' || c == ']' || c == '}')
            return json_misplaced(r, rec, c, "expected a value");
        rc = next_piece(r, rec, &v, &len, &lineno, &off);
        if (r->js == JS_VALUE)
            r->js = JS_SEP;
        if (rc != PIECE)
            return rc;
        if (!mine(r, r->index)) {
            r->index++;
            continue;
        }
        return json_record(r, rec, v, len, lineno, off);
    }
}

/* Reads the header row of a CSV file: which column holds which field. */
static int csv_header(sd_reader *r, sd_record *rec, const char *row, size_t len, uint64_t line,
                      uint64_t off)
{
    const char *names[NFIELDS];
    char msg[200];
    size_t k, c;
    int rc;
    names[F_ID] = r->o.id_field;
    names[F_TEXT] = r->o.text_field;
    names[F_HTML] = r->o.html_field;
    names[F_URL] = "url";
    names[F_DATE] = "date";
    rc = sd__csv_split(&r->row, row, len, r->sp.delim, msg, sizeof msg);
    if (rc == SD_ENOMEM)
        return rc;
    if (rc) {
        /* the rows cannot be read without it: each says so */
        r->csv_bad = 1;
        r->ncols = 1;
        sd__buf_reset(&r->id);
        set_msg(r, "header row: %s", msg);
        error_record(r, rec, rc, line, off);
        return 1;
    }
    r->ncols = r->row.n;
    sd__buf_reset(&r->names);
    for (k = 0; k < NFIELDS; k++)
        r->csv_cols[k] = -1;
    for (c = r->row.n; c-- > 0;) {
        const char *name = r->row.out.p + r->row.f[c].off;
        size_t n = r->row.f[c].len;
        for (k = 0; k < NFIELDS; k++)
            if (strlen(names[k]) == n && memcmp(names[k], name, n) == 0)
                r->csv_cols[k] = (int)c; /* the first column of a name wins */
    }
    for (c = 0; c < r->row.n; c++) {
        size_t n = r->row.f[c].len;
        if (r->names.len >= 200) {
            sd__buf_append(&r->names, ", ...", 5);
            break;
        }
        sd__buf_printf(&r->names, "%s\"%.*s\"", c ? ", " : "", (int)(n > 64 ? 64 : n),
                       r->row.out.p + r->row.f[c].off);
    }
    return sd__buf_reserve(&r->names, 0);
}

/* Copies field k of the row into b, checked as UTF-8 (repaired when the
 * options say so). 0, 1 when it is not valid UTF-8, or a buffer error. */
static int csv_field(sd_reader *r, int col, sd_buf *b, size_t *nrepl)
{
    const char *p = r->row.out.p + r->row.f[col].off;
    size_t n = r->row.f[col].len, fixed = 0;
    int rc;
    sd__buf_reset(b);
    if (sd__utf8_valid(p, n) == n)
        rc = sd__buf_append(b, p, n);
    else if (!r->o.repair_utf8)
        return 1;
    else
        rc = sd__utf8_repair(p, n, b, &fixed);
    *nrepl += fixed;
    return rc ? rc : sd__buf_reserve(b, 0);
}

/* Turns a CSV row into *rec (a record or an error record): 1 or SD_ENOMEM. */
static int csv_record(sd_reader *r, sd_record *rec, const char *row, size_t len, uint64_t line,
                      uint64_t off)
{
    sd_buf *bufs[NFIELDS];
    char msg[400];
    size_t nrepl = 0, k;
    unsigned have = 0;
    int rc = 0;
    bufs[F_ID] = &r->id;
    bufs[F_TEXT] = &r->text;
    bufs[F_HTML] = &r->html;
    bufs[F_URL] = &r->url;
    bufs[F_DATE] = &r->date;
    sd__buf_reset(&r->id);
    if (r->csv_bad) {
        rc = SD_EFORMAT;
        snprintf(msg, sizeof msg, "the header row (line 1) does not parse");
    } else if ((rc = sd__csv_split(&r->row, row, len, r->sp.delim, msg, sizeof msg)) == 0) {
        if (r->row.n != r->ncols) {
            rc = SD_EFORMAT;
            snprintf(msg, sizeof msg, "row has %zu fields, the header %zu", r->row.n, r->ncols);
        } else if (r->csv_cols[F_TEXT] < 0 && r->csv_cols[F_HTML] < 0) {
            rc = SD_EMISSING;
            snprintf(msg, sizeof msg, "missing column \"%s\"; the header has %s", r->o.text_field,
                     r->names.p);
        }
    }
    if (rc == SD_ENOMEM)
        return rc;
    for (k = 0; (rc == 0 || rc == SD_EMISSING) && k < NFIELDS; k++) {
        int c = r->csv_cols[k], bad;
        if (c < 0 || (rc != 0 && k != F_ID))
            continue; /* a row without its text still has its id */
        if ((bad = csv_field(r, c, bufs[k], &nrepl)) < 0)
            return bad;
        if (bad) {
            rc = SD_EUTF8;
            snprintf(msg, sizeof msg, "invalid UTF-8 in column %d", c + 1);
            break;
        }
        have |= 1u << k;
    }
    if (r->id.len == 0 || !(have & (1u << F_ID))) {
        sd__buf_reset(&r->id);
        if (sd__buf_printf(&r->id, "%s:%llu", r->cur_path, (unsigned long long)line))
            return SD_ENOMEM;
    }
    if (rc) {
        set_msg(r, "%s", msg);
        error_record(r, rec, rc, line, off);
        rec->raw = row;
        rec->raw_len = len;
        return 1;
    }
    /* an empty html cell is no page: a row has text or html */
    if ((have & (1u << F_HTML)) && r->html.len == 0 && (have & (1u << F_TEXT)))
        have &= ~(1u << F_HTML);
    good_record(r, rec, have, row, len, line, off);
    rec->repaired = nrepl;
    return 1;
}

/* Next CSV or TSV record: the first row is the header, each later row a
 * record. 1 produced, 0 file done, or SD_ENOMEM. */
static int next_csv(sd_reader *r, sd_record *rec)
{
    for (;;) {
        const char *row = NULL;
        size_t len = 0;
        uint64_t lineno, off;
        int rc = next_piece(r, rec, &row, &len, &lineno, &off);
        if (rc != PIECE)
            return rc;
        if (r->ncols == 0) {
            rc = csv_header(r, rec, row, len, lineno, off);
            if (rc != 0)
                return rc;
            continue;
        }
        if (!mine(r, r->index)) {
            r->index++;
            continue;
        }
        return csv_record(r, rec, row, len, lineno, off);
    }
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
        sd__html_meta_charset(r->pending.p, r->pending.len, meta, sizeof meta))
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

/* What kind of file st_mode is, for a message. */
static const char *file_kind(unsigned mode)
{
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    return "not a regular file";
}

/* Hands out a whole-file error record with the message set: 1. */
static int file_error(sd_reader *r, sd_record *rec, int code, int *produced)
{
    error_record(r, rec, code, 0, 0);
    r->open = 2;
    *produced = 1;
    return 1;
}

/*
 * Decompresses the file's first bytes and tells its format from them (or
 * takes the forced one), refusing data that is not text. Returns 1 with
 * r->cur_fmt set, 0 after filling *rec with an error record, or SD_ENOMEM.
 */
static int sniff_format(sd_reader *r, sd_record *rec)
{
    char what[160];
    int rc = 0;
    while (r->pending.len < SNIFF &&
           sd__stream_read(&r->st, &r->pending, SNIFF - r->pending.len, &rc) > 0)
        ;
    if (rc == SD_ENOMEM)
        return SD_ENOMEM;
    what[0] = '\0';
    if (r->o.format == SD_FORMAT_WARC) /* a crawl holds binary bodies */
        r->cur_fmt = SD_FORMAT_WARC;
    else if (r->o.format != SD_FORMAT_AUTO)
        r->cur_fmt = sd__sniff_magic(r->pending.p, r->pending.len, what, sizeof what)
                         ? SD_FORMAT_AUTO
                         : r->o.format;
    else
        r->cur_fmt = sd__sniff(r->pending.p ? r->pending.p : "", r->pending.len, r->cur_path, what,
                               sizeof what);
    if (r->cur_fmt == SD_FORMAT_AUTO) {
        set_msg(r, "'%s' is not text: it looks like %s", r->cur_path, what);
        error_record(r, rec, SD_EFORMAT, 0, 0);
        return 0;
    }
    return 1;
}

/*
 * Opens the next input. Returns 1 with r->open set (or an error record in
 * *rec and r->open == 2), 0 when the inputs are exhausted, or SD_ENOMEM.
 */
static int open_next(sd_reader *r, sd_record *rec, int *produced)
{
    char *path;
    int rc, walked;
    struct stat sb;
    *produced = 0;
    for (;;) {
        rc = sd__inputs_next(&r->inputs, &path, &walked);
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
    r->dec_off = 0;
    r->at_eof = 0;
    r->ended_broken = 0;
    r->open = 1;
    r->js = JS_START;
    r->ncols = 0;
    r->csv_bad = 0;
    sd__split_init(&r->sp, SD_SPLIT_LINE, 0);
    sd__buf_reset(&r->pending);
    sd__buf_reset(&r->id);
    sd__buf_reset(&r->msg);
    r->pend_pos = 0;
    if (walked && stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        /* found in a directory: a FIFO would block the run, a device
         * never ends; named on the command line, it is read */
        set_msg(r, "'%s' is %s, not a regular file: not read", path, file_kind(sb.st_mode));
        return file_error(r, rec, SD_EIO, produced);
    }
    rc = sd__stream_open(&r->st, path);
    if (rc == SD_ENOMEM)
        return SD_ENOMEM;
    if (rc != 0 || (r->st.failed && r->st.raw_bytes == 0)) {
        set_msg(r, "cannot read '%s': %s", path, rc != 0 ? strerror(errno) : r->st.errmsg);
        return file_error(r, rec, SD_EIO, produced);
    }
    if ((rc = sniff_format(r, rec)) <= 0) {
        if (rc < 0)
            return rc;
        r->open = 2;
        *produced = 1;
        return 1;
    }
    if (r->cur_fmt == SD_FORMAT_WARC) {
        /* WARC dispatch point: src/input/warc.c reads the file from its
         * first byte (its own gzip members, so that damage is skipped):
         * the raw bytes the sniff read are all still in r->st.in. */
        if (r->st.raw_bytes != r->st.in_len) {
            set_msg(r, "cannot read '%s' as WARC: its first %zu bytes took more than a block", path,
                    SNIFF);
            return file_error(r, rec, SD_EFORMAT, produced);
        }
        rc = sd__warc_open_fd(r->st.fd, r->st.in, r->st.in_len, path, &r->o, &r->st.raw_bytes,
                              &r->warc);
        return rc ? rc : 1;
    }
    if (r->cur_fmt == SD_FORMAT_JSON)
        sd__split_init(&r->sp, SD_SPLIT_JSON, 0);
    else if (r->cur_fmt == SD_FORMAT_CSV || r->cur_fmt == SD_FORMAT_TSV)
        sd__split_init(&r->sp, SD_SPLIT_CSV, r->cur_fmt == SD_FORMAT_CSV ? ',' : '\t');
    else if (r->cur_fmt != SD_FORMAT_JSONL) {
        rc = whole_file(r, rec);
        r->open = 2;
        *produced = rc == 1;
        return rc;
    }
    return 1;
}

uint64_t sd_reader_records(const sd_reader *r)
{
    if (r == NULL)
        return 0;
    return r->index;
}

int sd_reader_count_files(const sd_reader *r, size_t *nfiles)
{
    sd_inputs q;
    size_t i;
    char *path;
    int rc = 0, walked;
    if (r == NULL || nfiles == NULL)
        return SD_EINVAL;
    *nfiles = 0;
    sd__inputs_init(&q);
    for (i = r->inputs.pos; i < r->inputs.n && rc == 0; i++)
        rc = sd__inputs_add(&q, r->inputs.v[i].path);
    while (rc == 0 && (rc = sd__inputs_next(&q, &path, &walked)) > 0) {
        sd__free(path);
        (*nfiles)++;
        rc = 0;
    }
    sd__inputs_release(&q);
    return rc < 0 ? rc : 0;
}

int sd_reader_file_counts(const sd_reader *r, const uint64_t **counts, size_t *nfiles)
{
    if (r == NULL || counts == NULL || nfiles == NULL)
        return SD_EINVAL;
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
    int rc;
    if (r == NULL || rec == NULL)
        return SD_EINVAL;
    if (r->job.state == SD_JOB_FINISHED)
        return 0; /* the end stays the end */
    if ((rc = sd__job_begin(&r->job, &r->err, "sd_reader_next")) != 0)
        return rc;
    rc = read_next(r, rec);
    sd__job_end(&r->job, rc < 0 ? rc : 0, rc == 0 ? SD_JOB_FINISHED : SD_JOB_ADDING);
    return rc;
}

/* The next record of the inputs (sd_reader_next's work): 1, 0 at the end,
 * or a negative code. */
static int read_next(sd_reader *r, sd_record *rec)
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
        rc = r->warc                         ? sd__warc_next(r->warc, rec)
             : r->cur_fmt == SD_FORMAT_JSON  ? next_json(r, rec)
             : r->cur_fmt == SD_FORMAT_JSONL ? next_jsonl(r, rec)
                                             : next_csv(r, rec);
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
    sd__buf_release(&r->names);
    sd__csv_row_release(&r->row);
    sd__free(r);
}
