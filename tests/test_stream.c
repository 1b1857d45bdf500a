/*
 * test_stream.c: trace on pages as a news stream brings them: stories
 * inside site templates (menus, headline lists, footers, a site's own
 * prose), templates on two pages only, pages squeezed into one line,
 * teaser lists naming other stories, one article with a paraphrased
 * middle, a story printed by hundreds of pages. The texts are made here:
 * sentences of English function words and random content words, so two
 * stories share no run of words but read as prose.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syndic.h"
#include "test.h"

static uint64_t rs = 0x9E3779B97F4A7C15ull;

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void puts_(sbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n + 1);
    b->n += n;
}

static const char *const fw[] = {"the", "of",   "and", "to", "in", "that", "was", "for",
                                 "on",  "with", "as",  "at", "by", "from", "it",  "had"};

/* A sentence of 12 to 19 words: content words wNNNNN (Capitalized first)
 * and, every other word, a function word; ends with ". ". */
static void sentence(sbuf *b)
{
    size_t n = 12 + sd_test_xorshift(&rs) % 8, i;
    char w[24];
    for (i = 0; i < n; i++) {
        if (i % 2 == 1)
            snprintf(w, sizeof w, "%s ", fw[sd_test_xorshift(&rs) % 16]);
        else
            snprintf(w, sizeof w, "%s%llu%s", i == 0 ? "W" : "w",
                     (unsigned long long)(sd_test_xorshift(&rs) % 1000000), i + 1 < n ? " " : ". ");
        puts_(b, w);
    }
}

/* A paragraph of `n` sentences, then a line break. */
static void paragraph(sbuf *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        sentence(b);
    b->p[b->n - 1] = '\n';
}

/* A malloc'd article: a headline line, then `paras` paragraphs of four
 * sentences. */
static char *article(size_t paras)
{
    sbuf b = {0};
    size_t i;
    char h[64];
    snprintf(h, sizeof h, "W%llu W%llu W%llu in W%llu\n",
             (unsigned long long)(sd_test_xorshift(&rs) % 100000),
             (unsigned long long)(sd_test_xorshift(&rs) % 100000),
             (unsigned long long)(sd_test_xorshift(&rs) % 100000),
             (unsigned long long)(sd_test_xorshift(&rs) % 100000));
    puts_(&b, h);
    for (i = 0; i < paras; i++)
        paragraph(&b, 4);
    return b.p;
}

/* A site's template: a menu and its sections, a headline list, and a
 * footer with links and the site's own prose (a note about the site and
 * readers' comments, as a page saved with its comments has them): the
 * same on every page, about 60 words besides the prose. */
typedef struct site {
    char *head, *foot;
} site;

static site make_site(int with_prose)
{
    sbuf h = {0}, f = {0};
    site s;
    size_t i;
    char line[160];
    snprintf(line, sizeof line, "The W%llu Courier\nHome | News | Sport | Weather | Business\n",
             (unsigned long long)(sd_test_xorshift(&rs) % 100000));
    puts_(&h, line);
    /* the site's sections */
    for (i = 0; i < 12; i++) {
        snprintf(line, sizeof line, "W%llu\n",
                 (unsigned long long)(sd_test_xorshift(&rs) % 100000));
        puts_(&h, line);
    }
    puts_(&h, "Most read\n");
    for (i = 0; i < 5; i++) {
        snprintf(line, sizeof line, "W%llu W%llu wins W%llu\n",
                 (unsigned long long)(sd_test_xorshift(&rs) % 100000),
                 (unsigned long long)(sd_test_xorshift(&rs) % 100000),
                 (unsigned long long)(sd_test_xorshift(&rs) % 100000));
        puts_(&h, line);
    }
    puts_(&f, "Share | Email | Print\n");
    snprintf(line, sizeof line, "W%llu | W%llu | W%llu | Contact us | Advertise\n",
             (unsigned long long)(sd_test_xorshift(&rs) % 100000),
             (unsigned long long)(sd_test_xorshift(&rs) % 100000),
             (unsigned long long)(sd_test_xorshift(&rs) % 100000));
    puts_(&f, line);
    if (with_prose) {
        puts_(&f, "About this site\n");
        paragraph(&f, 4);
        puts_(&f, "Comments\n");
        paragraph(&f, 3);
        paragraph(&f, 3);
    }
    puts_(&f, "Copyright 2026. All rights reserved.\n");
    s.head = h.p;
    s.foot = f.p;
    return s;
}

static void free_site(site *s)
{
    free(s->head);
    free(s->foot);
}

/* A page: the site's head, the texts given, its foot; squeezed into one
 * line when asked. */
static char *page(const site *s, const char *const *texts, size_t n, int squeeze)
{
    sbuf b = {0};
    size_t i;
    puts_(&b, s->head);
    for (i = 0; i < n; i++)
        puts_(&b, texts[i]);
    puts_(&b, s->foot);
    if (squeeze)
        for (i = 0; i < b.n; i++)
            if (b.p[i] == '\n')
                b.p[i] = ' ';
    return b.p;
}

static sd_trace *run_docs(char *const *texts, const char *const *urls, size_t n, unsigned max_df)
{
    sd_trace_options o;
    sd_trace *t = NULL;
    sd_trace_doc *d = calloc(n, sizeof *d);
    size_t i;
    sd_trace_options_init(&o);
    o.threads = 2;
    o.max_df = max_df;
    for (i = 0; i < n; i++) {
        d[i].text = texts[i];
        d[i].len = strlen(texts[i]);
        if (urls) {
            d[i].url = urls[i];
            d[i].url_len = strlen(urls[i]);
        }
    }
    CHECK_EQ_INT(sd_trace_new(&o, &t, NULL), 0);
    CHECK_EQ_INT(sd_trace_add(t, d, n), 0);
    CHECK_EQ_INT(sd_trace_finish(t, NULL, NULL), 0);
    free(d);
    return t;
}

/* The stories of document d (as a bit set of the first 64). */
static uint64_t stories_of(const sd_trace *t, uint64_t d)
{
    const uint64_t *s;
    size_t n = 0, i;
    uint64_t bits = 0;
    sd_trace_doc_stories(t, d, &s, &n);
    for (i = 0; i < n; i++)
        bits |= s[i] < 64 ? (uint64_t)1 << s[i] : 0;
    return bits;
}

static int share_story(const sd_trace *t, uint64_t a, uint64_t b)
{
    return (stories_of(t, a) & stories_of(t, b)) != 0;
}

/* A template on two pages only, with prose of its own (a note, readers'
 * comments): the two pages carry different stories and share no story;
 * each shares its story with a copy on another site. Without URLs (pages
 * saved as text), and with them. */
TEST(stream_template_on_two_pages)
{
    site s1 = make_site(1), s2 = make_site(0), s3 = make_site(0);
    char *a1 = article(4), *a2 = article(4), *docs[4];
    const char *urls[4] = {"https://one.example/a", "https://www.one.example/b",
                           "https://two.example/c", "https://three.example/d"};
    int with_urls;
    docs[0] = page(&s1, (const char *const *)&a1, 1, 0);
    docs[1] = page(&s1, (const char *const *)&a2, 1, 0);
    docs[2] = page(&s2, (const char *const *)&a1, 1, 0);
    docs[3] = page(&s3, (const char *const *)&a2, 1, 0);
    for (with_urls = 0; with_urls < 2; with_urls++) {
        sd_trace *t = run_docs(docs, with_urls ? urls : NULL, 4, 0);
        CHECK_EQ_U64(sd_trace_story_count(t), 2);
        CHECK(!share_story(t, 0, 1));
        CHECK(share_story(t, 0, 2));
        CHECK(share_story(t, 1, 3));
        CHECK(!share_story(t, 2, 3));
        sd_trace_free(t);
    }
    for (with_urls = 0; with_urls < 4; with_urls++)
        free(docs[with_urls]);
    free(a1);
    free(a2);
    free_site(&s1);
    free_site(&s2);
    free_site(&s3);
}

/* Pages squeezed into one line, menus, headline lists and footers run
 * into the story: a squeezed copy still carries the story, and two
 * squeezed pages of one site with different stories share none. */
TEST(stream_page_squeezed_into_one_line)
{
    site s1 = make_site(1), s2 = make_site(0);
    char *a1 = article(4), *a2 = article(4), *docs[3];
    sd_trace *t;
    size_t i;
    const char *b;
    docs[0] = page(&s1, (const char *const *)&a1, 1, 1);
    docs[1] = page(&s1, (const char *const *)&a2, 1, 1);
    docs[2] = page(&s2, (const char *const *)&a1, 1, 0);
    CHECK(strchr(docs[0], '\n') == NULL);
    t = run_docs(docs, NULL, 3, 0);
    CHECK_EQ_U64(sd_trace_story_count(t), 1);
    CHECK(share_story(t, 0, 2));
    CHECK(!share_story(t, 0, 1));
    CHECK_EQ_U64(stories_of(t, 1), 0);
    /* the squeezed copy's span is the story, not the menu before it */
    for (i = 0; i < sd_trace_story_count(t); i++) {
        const sd_story *st = sd_trace_story(t, i);
        size_t m;
        for (m = 0; m < st->n_members; m++)
            if (st->members[m].doc == 0 && st->members[m].n_spans) {
                /* the story's first sentence, squeezed as it is */
                char *first = strndup(a1, strcspn(a1, ".")), *c;
                for (c = first; *c; c++)
                    if (*c == '\n')
                        *c = ' ';
                b = strstr(docs[0], first);
                CHECK(b != NULL);
                if (b != NULL)
                    CHECK(st->members[m].spans[0].start + 40 >= (uint64_t)(b - docs[0]));
                free(first);
            }
    }
    sd_trace_free(t);
    for (i = 0; i < 3; i++)
        free(docs[i]);
    free(a1);
    free(a2);
    free_site(&s1);
    free_site(&s2);
}

/* Two pages sharing one article whose copy has its middle paragraph
 * rewritten: two passages, one story. */
TEST(stream_paraphrased_middle_one_story)
{
    site s1 = make_site(0), s2 = make_site(0);
    char *a = article(6), *docs[2];
    sbuf b = {0};
    const char *cut = a;
    size_t i, np = 0;
    sd_trace *t;
    /* the copy: paragraphs 1-3 as they are, the 4th written anew, 5-7 */
    for (i = 0; i < 4; i++)
        cut = strchr(cut, '\n') + 1;
    {
        char *head = strndup(a, (size_t)(cut - a));
        puts_(&b, head);
        free(head);
    }
    paragraph(&b, 4);
    puts_(&b, strchr(cut, '\n') + 1);
    docs[0] = page(&s1, (const char *const *)&a, 1, 0);
    docs[1] = page(&s2, (const char *const *)&b.p, 1, 0);
    t = run_docs(docs, NULL, 2, 0);
    np = sd_trace_passage_count(t);
    CHECK(np >= 2);
    CHECK_EQ_U64(sd_trace_story_count(t), 1);
    CHECK(share_story(t, 0, 1));
    sd_trace_free(t);
    free(docs[0]);
    free(docs[1]);
    free(b.p);
    free(a);
    free_site(&s1);
    free_site(&s2);
}

/* A page printing two stories one after the other belongs to both, and
 * they stay two: other pages print each alone. */
TEST(stream_page_with_two_stories)
{
    site s[4];
    char *a1 = article(4), *a2 = article(4), *docs[4];
    const char *both[2];
    sd_trace *t;
    size_t i;
    for (i = 0; i < 4; i++)
        s[i] = make_site(0);
    both[0] = a1;
    both[1] = a2;
    docs[0] = page(&s[0], both, 2, 0);
    docs[1] = page(&s[1], (const char *const *)&a1, 1, 0);
    docs[2] = page(&s[2], (const char *const *)&a2, 1, 0);
    docs[3] = page(&s[3], both, 2, 0);
    t = run_docs(docs, NULL, 4, 0);
    CHECK_EQ_U64(sd_trace_story_count(t), 2);
    CHECK(share_story(t, 0, 1));
    CHECK(share_story(t, 0, 2));
    CHECK(!share_story(t, 1, 2));
    CHECK_EQ_U64(__builtin_popcountll(stories_of(t, 0)), 2);
    CHECK_EQ_U64(__builtin_popcountll(stories_of(t, 3)), 2);
    sd_trace_free(t);
    for (i = 0; i < 4; i++) {
        free(docs[i]);
        free_site(&s[i]);
    }
    free(a1);
    free(a2);
}

/* A teaser list (a story's headline and first sentence among others')
 * does not make a page a copy of that story. */
TEST(stream_teasers_link_nothing)
{
    site s[6];
    char *a = article(5), *other = article(4), *docs[6], *teasers;
    sbuf t1 = {0};
    sd_trace *t;
    size_t i;
    for (i = 0; i < 6; i++)
        s[i] = make_site(0);
    /* "Related stories": this story's headline and first sentence, and
     * two more headlines with a sentence each */
    puts_(&t1, "Related stories\n");
    {
        const char *first = strchr(a, '\n') + 1, *dot = strstr(first, ". ");
        char *lede = strndup(a, (size_t)(dot + 1 - a));
        puts_(&t1, lede);
        puts_(&t1, "\n");
        free(lede);
    }
    for (i = 0; i < 2; i++) {
        puts_(&t1, "W1 W2 W3 W4 wins\n");
        sentence(&t1);
        t1.p[t1.n - 1] = '\n';
    }
    teasers = t1.p;
    for (i = 0; i < 3; i++)
        docs[i] = page(&s[i], (const char *const *)&a, 1, 0);
    for (i = 3; i < 6; i++) {
        const char *texts[2];
        texts[0] = other;
        texts[1] = teasers;
        docs[i] = page(&s[i], texts, 2, i == 5);
    }
    t = run_docs(docs, NULL, 6, 0);
    CHECK_EQ_U64(sd_trace_story_count(t), 2);
    CHECK(share_story(t, 0, 1) && share_story(t, 0, 2));
    for (i = 3; i < 6; i++)
        CHECK(!share_story(t, 0, i));
    sd_trace_free(t);
    for (i = 0; i < 6; i++) {
        free(docs[i]);
        free_site(&s[i]);
    }
    free(a);
    free(other);
    free(teasers);
}

/* A story printed by 300 pages of 300 sites is one story of 300 members,
 * at a cost linear in its copies: about two alignments a copy (with the
 * first page that has each fingerprint, and with the origin), not 300 x
 * 299 / 2. A cap on document frequency, when asked for, drops the
 * story's fingerprints and says how many. */
TEST(stream_story_printed_300_times)
{
    enum { N = 300 };
    char *a = article(5), *docs[N];
    sd_trace *t;
    sd_trace_stats st;
    size_t i;
    for (i = 0; i < N; i++) {
        site s = make_site(0);
        docs[i] = page(&s, (const char *const *)&a, 1, 0);
        free_site(&s);
    }
    t = run_docs(docs, NULL, N, 0);
    CHECK_EQ_U64(sd_trace_story_count(t), 1);
    if (sd_trace_story_count(t) == 1)
        CHECK_EQ_U64(sd_trace_story(t, 0)->n_members, N);
    sd_trace_get_stats(t, &st);
    CHECK(st.pairs < 3 * N);
    CHECK(sd_trace_passage_count(t) < 3 * N);
    CHECK_EQ_U64(st.dropped, 0);
    sd_trace_free(t);
    t = run_docs(docs, NULL, N, 100);
    sd_trace_get_stats(t, &st);
    CHECK(st.dropped > 0);
    sd_trace_free(t);
    for (i = 0; i < N; i++)
        free(docs[i]);
    free(a);
}

/* An article that is mostly a list (a meal plan for each week, a table's
 * rows), its lines no prose, under a short prose introduction; its copy
 * on another site has one long line of the list rewritten (its words in
 * another order) and its last weeks cut. The list both print after the
 * rewritten line is the article going on, not a template the two pages
 * share: they carry one story. */
TEST(stream_list_article_with_a_rewritten_line)
{
    enum { WEEKS = 5, LINES = 8, WORDS = 14 };
    site s1 = make_site(0), s2 = make_site(0);
    sbuf full = {0}, copy = {0};
    char *docs[2], line[WORDS * 12 + 2];
    uint64_t item[LINES][WORDS];
    size_t w, l, i;
    sd_trace *t;
    puts_(&full, "W11 W12 W13 in W14\n");
    paragraph(&full, 5);
    puts_(&copy, full.p);
    for (l = 0; l < LINES; l++)
        for (i = 0; i < WORDS; i++)
            item[l][i] = sd_test_xorshift(&rs) % 100000;
    for (w = 0; w < WEEKS; w++) {
        snprintf(line, sizeof line, "Week %zu\n", w + 1);
        puts_(&full, line);
        if (w + 2 < WEEKS)
            puts_(&copy, line);
        for (l = 0; l < LINES; l++) {
            size_t o = 0;
            item[l][w % WORDS] += 1; /* each week changes a word */
            for (i = 0; i < WORDS; i++)
                o += (size_t)snprintf(line + o, sizeof line - o, "W%llu%s",
                                      (unsigned long long)item[l][i], i + 1 < WORDS ? " " : "\n");
            puts_(&full, line);
            if (w + 2 >= WEEKS)
                continue;
            if (w == 0 && l == 2) {
                /* the rewritten line: the same words, reversed */
                o = 0;
                for (i = WORDS; i-- > 0;)
                    o += (size_t)snprintf(line + o, sizeof line - o, "W%llu%s",
                                          (unsigned long long)item[l][i], i ? " " : "\n");
            }
            puts_(&copy, line);
        }
    }
    docs[0] = page(&s1, (const char *const *)&full.p, 1, 0);
    docs[1] = page(&s2, (const char *const *)&copy.p, 1, 0);
    t = run_docs(docs, NULL, 2, 0);
    CHECK_EQ_U64(sd_trace_story_count(t), 1);
    CHECK(share_story(t, 0, 1));
    sd_trace_free(t);
    free(docs[0]);
    free(docs[1]);
    free(full.p);
    free(copy.p);
    free_site(&s1);
    free_site(&s2);
}
