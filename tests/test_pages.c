/*
 * test_pages.c: extraction of many pages at once (sd_extractor): the same
 * results as sd_extract() page by page, whatever the thread count, for
 * article and whole-page text, and failures kept to their own page.
 */
#include <stdlib.h>

#include "syndic.h"
#include "test.h"

static const char *const page_names[] = {
    "coastal-news.html",
    "harbour-gazette-bakery.html",
    "harbour-gazette.html",
    "section-front.html",
};
#define NPAGES (sizeof page_names / sizeof page_names[0])

/* Reads examples/pages/NAME; NULL if it cannot. */
static char *slurp(const char *name, size_t *len)
{
    char path[512];
    FILE *f;
    char *buf;
    long n;
    snprintf(path, sizeof path, "%s/../examples/pages/%s", sd_test_dir(), name);
    f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
        (buf = malloc((size_t)n + 1)) == NULL) {
        fclose(f);
        return NULL;
    }
    *len = fread(buf, 1, (size_t)n, f);
    fclose(f);
    return buf;
}

/* Runs a batch of the test pages, repeated `copies` times so that the pool
 * has more pages than workers, and compares each with sd_extract(). */
static void check_batch(unsigned threads, int whole_page, size_t copies)
{
    size_t n = NPAGES * copies, i;
    sd_page *pages = calloc(n, sizeof *pages);
    sd_article *got = calloc(n, sizeof *got);
    int *rc = calloc(n, sizeof *rc);
    char *html[NPAGES];
    size_t len[NPAGES];
    sd_extractor *x = NULL;
    CHECK(pages && got && rc);
    if (!pages || !got || !rc)
        goto out;
    for (i = 0; i < NPAGES; i++) {
        html[i] = slurp(page_names[i], &len[i]);
        CHECK(html[i] != NULL);
        if (html[i] == NULL)
            goto out;
    }
    for (i = 0; i < n; i++) {
        pages[i].html = html[i % NPAGES];
        pages[i].len = len[i % NPAGES];
        pages[i].charset_hint = NULL;
    }
    CHECK_EQ_INT(sd_extractor_new(NULL, threads, whole_page, &x, NULL), 0);
    /* twice: results of the first run are released by the second */
    CHECK_EQ_INT(sd_extractor_run(x, pages, n, got, rc), 0);
    CHECK_EQ_INT(sd_extractor_run(x, pages, n, got, rc), 0);
    for (i = 0; i < n; i++) {
        sd_article want;
        int wrc = whole_page ? sd_extract_whole_page(pages[i].html, pages[i].len, NULL, NULL, &want)
                             : sd_extract(pages[i].html, pages[i].len, NULL, NULL, &want);
        CHECK_EQ_INT(rc[i], wrc);
        CHECK_EQ_INT(got[i].found, want.found);
        CHECK_EQ_MEM(got[i].text, got[i].text_len, want.text);
        CHECK_EQ_STR(got[i].charset, want.charset);
        CHECK_EQ_U64(got[i].n_paragraphs, want.n_paragraphs);
        sd_article_release(&want);
    }
    /* what the pages are: the windows-1252 page decoded, the section front
     * without an article (but with text on the whole page) */
    CHECK_EQ_STR(got[0].charset, "windows-1252");
    CHECK(strstr(got[0].text, "\xe2\x80\x9cIt has been a long") != NULL);
    CHECK_EQ_INT(got[3].found, whole_page ? 1 : 0);
    CHECK_EQ_INT(got[1].found, 1);
out:
    for (i = 0; got && i < n; i++)
        sd_article_release(&got[i]);
    for (i = 0; i < NPAGES; i++)
        free(html[i]);
    sd_extractor_free(x);
    free(pages);
    free(got);
    free(rc);
}

TEST(extractor_matches_single_page_extraction)
{
    check_batch(1, 0, 1);
    check_batch(3, 0, 7);
    check_batch(2, 1, 5);
}

TEST(extractor_page_failures_stay_with_the_page)
{
    sd_extract_options o;
    sd_extractor *x = NULL;
    static const char small[] = "<p>Short page with a few words only, not an article at all.</p>";
    char big[4096];
    sd_page pages[3];
    sd_article out[3];
    int rc[3];
    memset(pages, 0, sizeof pages);
    memset(big, 'a', sizeof big);
    memcpy(big, "<p>", 3);
    memset(out, 0, sizeof out);
    sd_extract_options_init(&o);
    o.max_html = 1024;
    pages[0].html = small;
    pages[0].len = sizeof small - 1;
    pages[1].html = big;
    pages[1].len = sizeof big;
    pages[2].html = NULL;
    pages[2].len = 5;
    pages[0].charset_hint = pages[1].charset_hint = pages[2].charset_hint = "utf-8";
    CHECK_EQ_INT(sd_extractor_new(&o, 2, 0, &x, NULL), 0);
    CHECK_EQ_INT(sd_extractor_run(x, pages, 3, out, rc), 0);
    CHECK_EQ_INT(rc[0], 0);
    CHECK_EQ_INT(rc[1], SD_ETOOBIG);
    CHECK_EQ_INT(rc[2], SD_EINVAL);
    CHECK_EQ_INT(sd_extractor_run(x, pages, 0, NULL, NULL), 0);
    CHECK_EQ_INT(sd_extractor_run(x, NULL, 1, out, rc), SD_EINVAL);
    sd_extractor_free(x);
    sd_extractor_free(NULL);
    sd_article_release(&out[0]);
    sd_article_release(&out[1]);
    sd_article_release(&out[2]);
}
