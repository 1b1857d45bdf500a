/*
 * pagetext.c: records with their text resolved, for the callers that
 * compare texts (the program's dedup and trace, the Python package).
 *
 * A text record passes straight through. A page (an HTML file, a WARC
 * response, a JSONL record with an html field) gets its article text, or
 * with whole_page all its visible text. Extraction costs a thousand times
 * more than reading, so pages are not extracted one by one: when a page
 * comes, the records from it on are copied into a queue until it holds
 * PAGES_PER_BATCH pages or QUEUE_BYTES bytes, the queue's pages are
 * extracted together on the library's extractor pool, and the queue is
 * then handed out in input order. A corpus without pages pays nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "syndic.h"

#define PAGES_PER_BATCH 256
#define QUEUE_BYTES ((size_t)64 << 20)

/* A record copied out of the reader, its strings in one block. */
typedef struct queued {
    sd_record rec;
    char *block;
    int page;      /* it has markup to extract */
    size_t art;    /* with page: its slot in arts[] */
    char msg[160]; /* the reason a page failed */
} queued;

struct sd_page_reader {
    sd_reader *reader;
    sd_extractor *x;
    int whole_page, keep_empty;
    sd_extract_options eo;
    unsigned threads; /* for the extractor, made when the first page comes */
    queued *q;
    size_t n, pos, cap, bytes;
    sd_page *pages;
    sd_article *arts;
    int *rcs;
    size_t npages;
    int end;    /* the reader said 0 */
    int failed; /* the reader failed: return this after the queue */
    char errmsg[256];
};

int sd_page_reader_new(sd_reader *r, const sd_extract_options *eo, int flags, unsigned threads,
                       sd_page_reader **pr, char *errbuf)
{
    sd_page_reader *p;
    sd_err e;
    if (pr == NULL)
        return SD_EINVAL;
    *pr = NULL;
    if (r == NULL) {
        sd__errorf(&e, SD_EINVAL, "sd_page_reader_new: no reader");
        return sd__errbuf(&e, errbuf);
    }
    p = sd__calloc(1, sizeof *p);
    if (p == NULL)
        return sd__errbuf_nomem(errbuf);
    p->reader = r;
    p->whole_page = (flags & SD_PAGE_WHOLE) != 0;
    p->keep_empty = (flags & SD_PAGE_KEEP_EMPTY) != 0;
    sd_extract_options_init(&p->eo);
    if (eo && sd__options_take(&p->eo, sizeof p->eo, sizeof p->eo, eo, &e, "sd_extract_options")) {
        sd__free(p);
        return sd__errbuf(&e, errbuf);
    }
    p->pages = sd__calloc(PAGES_PER_BATCH, sizeof *p->pages);
    p->arts = sd__calloc(PAGES_PER_BATCH, sizeof *p->arts);
    p->rcs = sd__calloc(PAGES_PER_BATCH, sizeof *p->rcs);
    if (p->pages == NULL || p->arts == NULL || p->rcs == NULL) {
        sd_page_reader_free(p);
        return sd__errbuf_nomem(errbuf);
    }
    p->threads = threads;
    *pr = p;
    return 0;
}

static void drop_queue(sd_page_reader *p)
{
    size_t i;
    for (i = 0; i < p->n; i++)
        sd__free(p->q[i].block);
    p->n = p->pos = 0;
    p->bytes = 0;
    p->npages = 0;
}

/* Copies a string field into the block at *at; returns the copy. */
static const char *put(char *block, size_t *at, const char *s, size_t len)
{
    char *d = block + *at;
    if (s == NULL)
        return NULL;
    if (len)
        memcpy(d, s, len);
    d[len] = '\0';
    *at += len + 1;
    return d;
}

/* Appends a copy of rec to the queue. Returns 0 or SD_ENOMEM. */
static int enqueue(sd_page_reader *p, const sd_record *rec)
{
    queued *e;
    size_t srclen = rec->source ? strlen(rec->source) : 0;
    size_t errlen = rec->errmsg ? strlen(rec->errmsg) : 0;
    size_t chlen = rec->charset ? strlen(rec->charset) : 0;
    size_t total = rec->id_len + rec->text_len + rec->html_len + rec->raw_len + rec->url_len +
                   rec->date_len + srclen + errlen + chlen + 9,
           at = 0;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        queued *q = sd__realloc(p->q, cap * sizeof *q);
        if (q == NULL)
            return SD_ENOMEM;
        p->q = q;
        p->cap = cap;
    }
    e = &p->q[p->n];
    memset(e, 0, sizeof *e);
    e->block = sd__malloc(total);
    if (e->block == NULL)
        return SD_ENOMEM;
    e->rec = *rec;
    e->rec.id = put(e->block, &at, rec->id, rec->id_len);
    e->rec.text = put(e->block, &at, rec->text, rec->text_len);
    e->rec.html = put(e->block, &at, rec->html, rec->html_len);
    e->rec.raw = put(e->block, &at, rec->raw, rec->raw_len);
    e->rec.url = put(e->block, &at, rec->url, rec->url_len);
    e->rec.date = put(e->block, &at, rec->date, rec->date_len);
    e->rec.source = put(e->block, &at, rec->source, srclen);
    e->rec.errmsg = put(e->block, &at, rec->errmsg, errlen);
    e->rec.charset = put(e->block, &at, rec->charset, chlen);
    e->page = rec->error == 0 && rec->html != NULL;
    if (e->page) {
        e->art = p->npages;
        p->pages[p->npages].html = e->rec.html;
        p->pages[p->npages].len = e->rec.html_len;
        p->pages[p->npages].charset_hint = "utf-8"; /* the reader decoded it */
        p->pages[p->npages].url = e->rec.url;       /* NUL-terminated by put() */
        p->npages++;
    }
    p->bytes += total;
    p->n++;
    return 0;
}

/* Gives each queued page its text, or its failure. */
static int resolve(sd_page_reader *p)
{
    size_t i;
    if (p->npages == 0)
        return 0;
    if (p->x == NULL && sd_extractor_new(&p->eo, p->threads, p->whole_page, &p->x, NULL) != 0)
        return SD_ENOMEM;
    if (sd_extractor_run(p->x, p->pages, p->npages, p->arts, p->rcs) != 0)
        return SD_EINVAL;
    for (i = 0; i < p->n; i++) {
        queued *e = &p->q[i];
        const sd_article *a;
        int rc;
        if (!e->page)
            continue;
        a = &p->arts[e->art];
        rc = p->rcs[e->art];
        if (rc == SD_ENOMEM)
            return SD_ENOMEM;
        if (rc == SD_ETOOBIG) {
            snprintf(e->msg, sizeof e->msg,
                     "page of %zu bytes is larger than the %zu bytes extraction reads",
                     e->rec.html_len, p->eo.max_html);
            e->rec.error = rc;
            e->rec.errmsg = e->msg;
        } else if (rc != 0) {
            snprintf(e->msg, sizeof e->msg, "cannot extract the page's text: %s", sd_strerror(rc));
            e->rec.error = rc;
            e->rec.errmsg = e->msg;
        } else if (!a->found && !p->keep_empty) {
            snprintf(e->msg, sizeof e->msg, "page has no %s (%s)",
                     p->whole_page ? "text" : "article text", a->reason ? a->reason : "empty");
            e->rec.error = SD_EMISSING;
            e->rec.errmsg = e->msg;
        } else if (a->found) {
            e->rec.text = a->text;
            e->rec.text_len = a->text_len;
        }
    }
    return 0;
}

int sd_page_reader_next(sd_page_reader *p, sd_record *rec, const sd_article **art)
{
    int rc;
    if (art)
        *art = NULL;
    if (p->pos < p->n) {
        queued *e = &p->q[p->pos++];
        *rec = e->rec;
        if (art && e->page && e->rec.error == 0)
            *art = &p->arts[e->art];
        return 1;
    }
    drop_queue(p);
    if (p->failed)
        return -1;
    if (p->end)
        return 0;
    rc = sd_reader_next(p->reader, rec);
    if (rc <= 0 || rec->error || rec->html == NULL)
        return rc; /* text records, failures and the end pass straight through */
    /* a page: queue it and what follows until the batch is full */
    for (;;) {
        if (enqueue(p, rec) != 0)
            goto oom;
        if (p->npages == PAGES_PER_BATCH || p->bytes >= QUEUE_BYTES)
            break;
        rc = sd_reader_next(p->reader, rec);
        if (rc == 0) {
            p->end = 1;
            break;
        }
        if (rc < 0) {
            p->failed = 1;
            snprintf(p->errmsg, sizeof p->errmsg, "%s", sd_reader_errmsg(p->reader));
            break;
        }
    }
    if (resolve(p) != 0)
        goto oom;
    return sd_page_reader_next(p, rec, art);
oom:
    drop_queue(p);
    p->failed = 1;
    snprintf(p->errmsg, sizeof p->errmsg, "out of memory");
    return -1;
}

const char *sd_page_reader_errmsg(const sd_page_reader *p)
{
    return p->errmsg[0] ? p->errmsg : sd_reader_errmsg(p->reader);
}

void sd_page_reader_free(sd_page_reader *p)
{
    size_t i;
    if (p == NULL)
        return;
    drop_queue(p);
    sd__free(p->q);
    if (p->arts)
        for (i = 0; i < PAGES_PER_BATCH; i++)
            sd_article_release(&p->arts[i]);
    sd__free(p->arts);
    sd__free(p->pages);
    sd__free(p->rcs);
    sd_extractor_free(p->x);
    sd__free(p);
}
