/*
 * pagetext.c: the text a command compares for any record. Text records
 * give their text; pages (HTML files, WARC responses, JSONL records with
 * an html field) give their extracted article text, or with whole_page
 * all their visible text.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_record_text(const sd_record *rec, int whole_page, const char **text, size_t *len,
                    void **scratch)
{
    sd_article *a = *scratch;
    int rc;
    *text = NULL;
    *len = 0;
    if (rec->error)
        return 0;
    if (rec->html == NULL) {
        *text = rec->text;
        *len = rec->text ? rec->text_len : 0;
        return 0;
    }
    if (a == NULL) {
        a = calloc(1, sizeof *a);
        if (a == NULL)
            return SD_ENOMEM;
        *scratch = a;
    }
    sd_article_release(a);
    rc = whole_page ? sd_extract_whole_page(rec->html, rec->html_len, "utf-8", NULL, a)
                    : sd_extract(rec->html, rec->html_len, "utf-8", NULL, a);
    if (rc)
        return rc;
    *text = a->text;
    *len = a->text_len;
    return 0;
}

void cli_record_text_free(void **scratch)
{
    if (*scratch) {
        sd_article_release(*scratch);
        free(*scratch);
        *scratch = NULL;
    }
}
