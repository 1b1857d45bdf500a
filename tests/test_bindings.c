/*
 * test_bindings.c: the public functions the Python package needed and the
 * program shares: sizes by name (sd_parse_size), the story report's frame
 * (sd_report_head, sd_report_json, sd_report_tail) and records with their
 * text resolved (sd_page_reader).
 */
#include <stdlib.h>

#include "syndic.h"
#include "test.h"

TEST(parse_size_units)
{
    uint64_t v = 0;
    CHECK_EQ_INT(sd_parse_size("1048576", &v), 0);
    CHECK_EQ_U64(v, 1048576);
    CHECK_EQ_INT(sd_parse_size("512M", &v), 0);
    CHECK_EQ_U64(v, (uint64_t)512 << 20);
    CHECK_EQ_INT(sd_parse_size("4g", &v), 0);
    CHECK_EQ_U64(v, (uint64_t)4 << 30);
    CHECK_EQ_INT(sd_parse_size("4GiB", &v), 0);
    CHECK_EQ_U64(v, (uint64_t)4 << 30);
    CHECK_EQ_INT(sd_parse_size("2TB", &v), 0);
    CHECK_EQ_U64(v, (uint64_t)2 << 40);
    CHECK_EQ_INT(sd_parse_size("7k", &v), 0);
    CHECK_EQ_U64(v, 7168);
}

TEST(parse_size_refuses)
{
    uint64_t v = 99;
    const char *bad[] = {"",          "-1",  "+4G", " 4G", "4.5G",
                         "4X",        "4Gx", "G",   "4iB", "99999999999999999999",
                         "20000000T", NULL};
    size_t i;
    for (i = 0; bad[i]; i++) {
        if (sd_parse_size(bad[i], &v) != SD_EINVAL)
            sd_test_fail(__FILE__, __LINE__, "sd_parse_size(\"%s\") was accepted", bad[i]);
    }
    CHECK_EQ_U64(v, 99);
    CHECK_EQ_INT(sd_parse_size(NULL, &v), SD_EINVAL);
    CHECK_EQ_INT(sd_parse_size("4G", NULL), SD_EINVAL);
}

typedef struct sink {
    char *p;
    size_t n, cap;
    size_t fail_after; /* refuse writes once this many bytes are in; 0 never */
} sink;

static int sink_write(void *ud, const void *p, size_t n)
{
    sink *s = ud;
    if (s->fail_after && s->n + n > s->fail_after)
        return -1;
    if (s->n + n + 1 > s->cap) {
        s->cap = (s->n + n + 1) * 2;
        s->p = realloc(s->p, s->cap);
        if (s->p == NULL)
            abort();
    }
    memcpy(s->p + s->n, p, n);
    s->n += n;
    s->p[s->n] = '\0';
    return 0;
}

TEST(report_frame_and_escapes)
{
    sink s = {0};
    const char line[] = "{\"type\":\"doc\",\"doc\":0,\"text\":\"</script><b>&amp;\"}";
    const char *js;
    CHECK_EQ_INT(sd_report_head(sink_write, &s), 0);
    CHECK(s.n > 0 && strncmp(s.p, "<!DOCTYPE html>", 15) == 0);
    CHECK(strstr(s.p, "Content-Security-Policy") != NULL);
    CHECK(strstr(s.p, "script-src 'sha256-") != NULL);
    CHECK(s.n > 1 && strcmp(s.p + s.n - 2, "[\n") == 0);
    CHECK_EQ_INT(sd_report_json(sink_write, &s, line, strlen(line)), 0);
    CHECK(strstr(s.p, "\\u003c/script\\u003e\\u003cb\\u003e\\u0026amp;") != NULL);
    CHECK(strstr(s.p, "</script><b>") == NULL);
    CHECK_EQ_INT(sd_report_tail(sink_write, &s), 0);
    js = strstr(s.p, "]</script>\n<script>");
    CHECK(js != NULL);
    CHECK(s.n > 8 && strcmp(s.p + s.n - 8, "</html>\n") == 0);
    /* the frame holds exactly one closing script tag before the page's
     * own script: the JSON's was escaped */
    CHECK(strstr(s.p, "</script>") == js + 1);
    free(s.p);
}

TEST(report_write_failures)
{
    sink s = {0};
    s.fail_after = 10;
    CHECK_EQ_INT(sd_report_head(sink_write, &s), SD_EIO);
    CHECK_EQ_INT(sd_report_json(sink_write, &s, "0123456789<>", 12), SD_EIO);
    CHECK_EQ_INT(sd_report_tail(sink_write, &s), SD_EIO);
    CHECK_EQ_INT(sd_report_head(NULL, &s), SD_EINVAL);
    CHECK_EQ_INT(sd_report_json(sink_write, &s, NULL, 3), SD_EINVAL);
    free(s.p);
}

/* Writes `body` to a file in the test's scratch directory; returns its path. */
static const char *scratch(const char *name, const char *body)
{
    static char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", sd_test_tmpdir(), name);
    f = fopen(path, "w");
    if (f == NULL)
        return NULL;
    fputs(body, f);
    fclose(f);
    return path;
}

TEST(page_reader_resolves_text)
{
    const char *jsonl =
        "{\"id\":\"t\",\"text\":\"plain words\"}\n"
        "{\"id\":\"p\",\"html\":\"<html><body><article><p>The ferry link between the two "
        "harbours reopened on Monday morning after six weeks of repairs to the landing stage, "
        "and the first sailing carried vans, a library and schoolchildren home.</p><p>Islanders "
        "said the weeks without the ferry had been the longest winter many of them could "
        "remember, with the single chartered boat full every day.</p></article></body></html>\"}\n"
        "{\"id\":\"e\",\"html\":\"<html><body><nav><a href=x>Home</a></nav></body></html>\"}\n"
        "not json\n";
    const char *path = scratch("pages.jsonl", jsonl);
    sd_reader *r = NULL;
    sd_page_reader *p = NULL;
    sd_extract_options bad;
    sd_record rec;
    const sd_article *art;
    char why[SD_ERRBUF_SIZE];
    CHECK(path != NULL);
    CHECK_EQ_INT(sd_page_reader_new(NULL, NULL, 0, 1, &p, why), SD_EINVAL);
    CHECK(strstr(why, "no reader") != NULL);
    CHECK_EQ_INT(sd_reader_new(NULL, &r, NULL), 0);
    CHECK_EQ_INT(sd_reader_add(r, path), 0);
    /* extraction options not set up by their _init(): refused, and why */
    memset(&bad, 0, sizeof bad);
    CHECK_EQ_INT(sd_page_reader_new(r, &bad, 0, 1, &p, why), SD_EINVAL);
    CHECK(p == NULL && strstr(why, "sd_extract_options not set up") != NULL);
    CHECK_EQ_INT(sd_page_reader_new(r, NULL, 0, 1, &p, NULL), 0);
    CHECK_EQ_INT(sd_page_reader_next(p, &rec, &art), 1);
    CHECK(rec.error == 0 && rec.text_len == 11 && memcmp(rec.text, "plain words", 11) == 0);
    CHECK(art == NULL);
    CHECK_EQ_INT(sd_page_reader_next(p, &rec, &art), 1);
    CHECK(rec.error == 0 && rec.text != NULL && art != NULL && art->found);
    CHECK(rec.text && strncmp(rec.text, "The ferry link", 14) == 0);
    CHECK(rec.id_len == 1 && rec.id[0] == 'p');
    CHECK_EQ_INT(sd_page_reader_next(p, &rec, &art), 1);
    CHECK_EQ_INT(rec.error, SD_EMISSING);
    CHECK(rec.errmsg && strncmp(rec.errmsg, "page has no article text (", 26) == 0);
    CHECK_EQ_INT(sd_page_reader_next(p, &rec, &art), 1);
    CHECK(rec.error != 0 && rec.line == 4);
    CHECK_EQ_INT(sd_page_reader_next(p, &rec, &art), 0);
    CHECK_EQ_INT(sd_page_reader_next(p, &rec, &art), 0);
    CHECK(strcmp(sd_page_reader_errmsg(p), "") == 0);
    sd_page_reader_free(p);
    sd_reader_free(r);
    sd_page_reader_free(NULL);
}

TEST(page_reader_keeps_empty_pages)
{
    const char *path =
        scratch("empty.jsonl", "{\"id\":\"e\",\"html\":\"<html><body></body></html>\"}\n");
    sd_reader *r = NULL;
    sd_page_reader *p = NULL;
    sd_record rec;
    const sd_article *art = NULL;
    CHECK_EQ_INT(sd_reader_new(NULL, &r, NULL), 0);
    CHECK_EQ_INT(sd_reader_add(r, path), 0);
    CHECK_EQ_INT(sd_page_reader_new(r, NULL, SD_PAGE_KEEP_EMPTY, 1, &p, NULL), 0);
    CHECK_EQ_INT(sd_page_reader_next(p, &rec, &art), 1);
    CHECK(rec.error == 0 && rec.text == NULL && art != NULL && !art->found && art->reason);
    CHECK_EQ_INT(sd_page_reader_next(p, &rec, &art), 0);
    sd_page_reader_free(p);
    sd_reader_free(r);
}
