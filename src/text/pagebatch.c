/*
 * pagebatch.c: article extraction over a batch of pages on a thread pool.
 *
 * Each page is independent and writes only its own result slot, so the
 * results are those of calling sd_extract() on each page in turn, whatever
 * the thread count. libxml2 is initialised on the creating thread: its
 * lazy initialisation is not safe to race from the workers.
 */
#include <libxml/parser.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/pool.h"
#include "syndic.h"

struct sd_extractor {
    sd_pool *pool;
    sd_extract_options opts;
    int whole_page;
    /* the batch being run */
    const sd_page *pages;
    sd_article *out;
    int *rc;
};

int sd_extractor_new(const sd_extract_options *o, unsigned threads, int whole_page,
                     sd_extractor **out, char *errbuf)
{
    sd_extractor *x;
    sd_err e;
    if (out == NULL)
        return SD_EINVAL;
    *out = NULL;
    if ((x = sd__calloc(1, sizeof *x)) == NULL)
        return sd__errbuf_nomem(errbuf);
    sd_extract_options_init(&x->opts);
    if (o && sd__options_take(&x->opts, sizeof x->opts, sizeof x->opts, o, &e,
                              "sd_extract_options") != 0) {
        sd__free(x);
        return sd__errbuf(&e, errbuf);
    }
    x->whole_page = whole_page;
    if (sd__pool_new(threads, &x->pool) != 0) {
        sd__free(x);
        return sd__errbuf_nomem(errbuf);
    }
    xmlInitParser();
    *out = x;
    return 0;
}

static void extract_one(void *ctx, size_t i, unsigned worker)
{
    sd_extractor *x = ctx;
    const sd_page *p = &x->pages[i];
    sd_extract_options o = x->opts; /* each page its own address */
    (void)worker;
    o.url = p->url;
    sd_article_release(&x->out[i]);
    x->rc[i] = x->whole_page
                   ? sd_extract_whole_page(p->html, p->len, p->charset_hint, &o, &x->out[i])
                   : sd_extract(p->html, p->len, p->charset_hint, &o, &x->out[i]);
}

int sd_extractor_run(sd_extractor *x, const sd_page *pages, size_t n, sd_article *out, int *rc)
{
    if (n == 0)
        return 0;
    if (x == NULL || pages == NULL || out == NULL || rc == NULL)
        return SD_EINVAL;
    x->pages = pages;
    x->out = out;
    x->rc = rc;
    sd__pool_for(x->pool, n, extract_one, x);
    x->pages = NULL;
    x->out = NULL;
    x->rc = NULL;
    return 0;
}

void sd_extractor_free(sd_extractor *x)
{
    if (x == NULL)
        return;
    sd__pool_free(x->pool);
    sd__free(x);
}
