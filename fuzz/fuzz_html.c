/*
 * fuzz_html.c: article extraction on arbitrary bytes, as a page with no
 * declared charset and as one declared windows-1252, and as the whole page.
 * Invariants: no crash; the text and title are valid UTF-8 with a NUL after
 * them; paragraphs are in order inside the text, separated by a blank line,
 * and cover it exactly; found agrees with the paragraphs and the reason.
 * Once more with comments, links and captions on: links in order inside
 * the text, comments inside theirs, metadata valid, dates YYYY-MM-DD.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "syndic.h"
#include "base/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const sd_article *a)
{
    size_t i, pos = 0;
    if (a->text == NULL || a->title == NULL || a->charset == NULL || a->lang == NULL)
        abort();
    if (a->text[a->text_len] != '\0' || a->title[a->title_len] != '\0')
        abort();
    if (sd__utf8_valid(a->text, a->text_len) != a->text_len ||
        sd__utf8_valid(a->title, a->title_len) != a->title_len)
        abort();
    if (a->found != (a->n_paragraphs > 0) || (a->found ? a->reason != NULL : a->reason == NULL))
        abort();
    for (i = 0; i < a->n_paragraphs; i++) {
        const sd_paragraph *p = &a->paragraphs[i];
        if (p->start != pos || p->end <= p->start || p->end > a->text_len)
            abort();
        pos = p->end;
        if (i + 1 < a->n_paragraphs) {
            if (pos + 2 > a->text_len || memcmp(a->text + pos, "\n\n", 2) != 0)
                abort();
            pos += 2;
        }
    }
    if (pos != a->text_len)
        abort();
    /* links lie inside the text, in order; comments inside their text */
    for (i = 0; i < a->n_links; i++)
        if (a->links[i].start >= a->links[i].end || a->links[i].end > a->text_len ||
            a->links[i].url == NULL || (i > 0 && a->links[i].start < a->links[i - 1].start))
            abort();
    for (i = 0; i < a->n_comments; i++)
        if (a->comments[i].start >= a->comments[i].end || a->comments[i].end > a->comments_text_len)
            abort();
    if (a->author == NULL || a->date == NULL || a->method == NULL ||
        sd__utf8_valid(a->author, strlen(a->author)) != strlen(a->author) ||
        (a->date[0] && strlen(a->date) != 10))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sd_article a;
    const char *p = (const char *)data;
    if (sd_extract(p, size, NULL, NULL, &a) == 0)
        check(&a);
    sd_article_release(&a);
    if (sd_extract(p, size, "windows-1252", NULL, &a) == 0)
        check(&a);
    sd_article_release(&a);
    if (sd_extract_whole_page(p, size, NULL, NULL, &a) == 0)
        check(&a);
    sd_article_release(&a);
    {
        sd_extract_options o;
        sd_extract_options_init(&o);
        o.flags = SD_EXTRACT_COMMENTS | SD_EXTRACT_LINKS | SD_EXTRACT_CAPTIONS;
        o.url = "https://example.org/2031/05/07/page";
        if (sd_extract(p, size, NULL, &o, &a) == 0)
            check(&a);
        sd_article_release(&a);
    }
    return 0;
}
