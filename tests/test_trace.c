/*
 * test_trace.c: the trace job end to end through the public API, on
 * constructed documents: a story that is a small part of each page, copies
 * merged into one line, cut off, reordered, respelled, with other quotes and
 * dashes, with broken bytes; unrelated material that must stay out; pages
 * carrying two stories; the same output for 1 and 4 threads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syndic.h"
#include "test.h"
#include "text/tokenize.h"

static uint64_t rs = 0x2545F4914F6CDD1Dull;
static uint64_t rnd(void)
{
    return sd_test_xorshift(&rs);
}

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void puts_(sbuf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* `words` random words (w123 style, from a large vocabulary, so unrelated
 * texts share no run), sentences of 12 words, paragraphs of 4 sentences. */
static void random_words(sbuf *b, size_t words)
{
    size_t i;
    char w[32];
    for (i = 0; i < words; i++) {
        int n = snprintf(w, sizeof w, "w%llu", (unsigned long long)(rnd() % 1000000));
        if (i)
            puts_(b, i % 48 == 0 ? ".\n\n" : i % 12 == 0 ? ". " : " ");
        put(b, w, (size_t)n);
    }
    puts_(b, ".\n");
}

static char *random_text(size_t words)
{
    sbuf b = {0};
    random_words(&b, words);
    return b.p;
}

static sd_trace *run(const char *const *texts, size_t n, unsigned threads)
{
    sd_trace_options o;
    sd_trace *t = NULL;
    sd_trace_doc *d = calloc(n, sizeof *d);
    size_t i;
    sd_trace_options_init(&o);
    o.threads = threads;
    for (i = 0; i < n; i++) {
        d[i].text = texts[i];
        d[i].len = texts[i] ? strlen(texts[i]) : 0;
    }
    CHECK_EQ_INT(sd_trace_new(&o, &t, NULL), 0);
    CHECK_EQ_INT(sd_trace_add(t, d, n), 0);
    CHECK_EQ_INT(sd_trace_finish(t, NULL, NULL), 0);
    free(d);
    return t;
}

/* The story of document d, when it carries exactly one. */
static int64_t only_story(const sd_trace *t, uint64_t d)
{
    const uint64_t *s;
    size_t n;
    if (sd_trace_doc_stories(t, d, &s, &n) != 0 || n != 1)
        return -1;
    return (int64_t)s[0];
}

static size_t story_count_of(const sd_trace *t, uint64_t d)
{
    const uint64_t *s;
    size_t n = 0;
    sd_trace_doc_stories(t, d, &s, &n);
    return n;
}

static const sd_story_member *member(const sd_trace *t, uint64_t story, uint64_t doc)
{
    const sd_story *s = sd_trace_story(t, story);
    size_t i;
    for (i = 0; s && i < s->n_members; i++)
        if (s->members[i].doc == doc)
            return &s->members[i];
    return NULL;
}

/* A story of 300 words that is a fifth of each of four pages, surrounded by
 * each site's own text: one story, all pages in it, spans on the story. */
TEST(trace_story_fifth_of_page)
{
    char *story = random_text(300), *pages[4];
    size_t i, off[4];
    sd_trace *t;
    for (i = 0; i < 4; i++) {
        sbuf b = {0};
        random_words(&b, 600);
        off[i] = b.n;
        puts_(&b, story);
        random_words(&b, 600);
        pages[i] = b.p;
    }
    t = run((const char *const *)pages, 4, 2);
    CHECK_EQ_U64(sd_trace_story_count(t), 1);
    for (i = 0; i < 4; i++) {
        const sd_story_member *m = member(t, 0, i);
        CHECK_EQ_INT(only_story(t, i), 0);
        CHECK(m != NULL);
        if (m) {
            CHECK_EQ_U64(m->n_spans, 1);
            CHECK_EQ_U64(m->spans[0].start, off[i]);
            CHECK(m->spans[0].end + 2 >= off[i] + strlen(story) &&
                  m->spans[0].end <= off[i] + strlen(story));
            CHECK_EQ_INT(m->role, SD_ROLE_FULL);
            CHECK_NEAR(m->share, 1.0, 1e-9);
        }
    }
    sd_trace_free(t);
    for (i = 0; i < 4; i++)
        free(pages[i]);
    free(story);
}

/* Copies: merged into one line, cut mid-sentence, paragraphs reordered. */
TEST(trace_merged_truncated_reordered)
{
    char *story = random_text(480), *docs[4];
    size_t i, n = strlen(story);
    const sd_story_member *m;
    sd_trace *t;
    char *p4[4];
    docs[0] = story;
    docs[1] = strdup(story);
    for (i = 0; i < n; i++)
        if (docs[1][i] == '\n')
            docs[1][i] = ' ';
    docs[2] = strndup(story, n / 2 + 3); /* cut inside a word, mid-sentence */
    /* paragraphs 2 and 3 swapped */
    {
        sbuf b = {0};
        char *s = story;
        for (i = 0; i < 4; i++) {
            char *e = strstr(s, "\n\n");
            p4[i] = strndup(s, e ? (size_t)(e - s) + 2 : strlen(s));
            s = e ? e + 2 : s + strlen(s);
        }
        puts_(&b, p4[0]);
        puts_(&b, p4[2]);
        puts_(&b, p4[1]);
        puts_(&b, p4[3]);
        puts_(&b, s);
        docs[3] = b.p;
    }
    t = run((const char *const *)docs, 4, 1);
    CHECK_EQ_U64(sd_trace_story_count(t), 1);
    for (i = 0; i < 4; i++)
        CHECK_EQ_INT(only_story(t, i), 0);
    m = member(t, 0, 1);
    CHECK(m && m->role == SD_ROLE_FULL && m->identity == 1.0);
    m = member(t, 0, 2);
    CHECK(m && m->role == SD_ROLE_TRUNCATED);
    if (m) {
        CHECK(m->share > 0.45 && m->share < 0.55);
        CHECK_EQ_U64(m->n_lacks, 1);
    }
    m = member(t, 0, 3);
    CHECK(m && m->share > 0.95);
    sd_trace_free(t);
    for (i = 0; i < 4; i++)
        free(p4[i]);
    for (i = 0; i < 4; i++)
        free(docs[i]);
}

static const char *american =
    "The council said the behavior of the organization had been a defense of the center "
    "of town, and He said the neighbors would analyze the color of the harbor walls. "
    "Officials told reporters that NATO and the program would honor the labor of the "
    "theater and its catalog, \"a gray day\" - as the mayor put it - for the neighborhood. "
    "Repairs to the old bridge are expected to take three more weeks, the council added.";
static const char *british =
    "The council said the behaviour of the organisation had been a defence of the centre "
    "of town, and Mr Renn said the neighbours would analyse the colour of the harbour walls. "
    "Officials told reporters that Nato and the programme would honour the labour of the "
    "theatre and its catalogue, \xe2\x80\x9c"
    "a grey day\xe2\x80\x9d \xe2\x80\x94 as the mayor put it \xe2\x80\x94 for the "
    "neighbourhood. Repairs to the old bridge are expected to take three more weeks, the council "
    "added.";

/* British spellings, honorifics, curly quotes and dashes, broken bytes. */
TEST(trace_spelling_quotes_broken_bytes)
{
    sbuf a = {0}, b = {0}, c = {0};
    char *filler = random_text(40), *docs[3];
    const sd_passage *p;
    sd_trace *t;
    size_t i;
    puts_(&a, filler);
    puts_(&a, american);
    puts_(&a, " ");
    puts_(&a, filler);
    puts_(&b, filler);
    puts_(&b, british);
    puts_(&b, " ");
    puts_(&b, filler);
    /* a Latin-1 byte inside one word, and a stray byte between two */
    puts_(&c, filler);
    puts_(&c, american);
    puts_(&c, " ");
    puts_(&c, filler);
    c.p[c.n / 3] = (char)0xE9;
    c.p[c.n / 2] = (char)0xFF;
    docs[0] = a.p;
    docs[1] = b.p;
    docs[2] = c.p;
    t = run((const char *const *)docs, 3, 1);
    CHECK_EQ_U64(sd_trace_story_count(t), 1);
    for (i = 0; i < sd_trace_passage_count(t); i++) {
        p = sd_trace_passage(t, i);
        if (p->doc_a == 0 && p->doc_b == 1) {
            /* "He said" against "Mr Renn said": one change, the rest
             * equal; the filler around, words with no function words,
             * is no article prose and stays out (but for the few words
             * that share a window of the story's words) */
            CHECK_EQ_U64(p->n_changes, 1);
            CHECK_EQ_U64(p->columns - p->equal, 1);
            CHECK_EQ_U64(p->a.start, strlen(filler));
            CHECK(p->b.end >= strlen(filler) + strlen(british) - 1);
            CHECK(p->b.end < strlen(filler) + strlen(british) + 64);
        }
        if (p->doc_a == 0 && p->doc_b == 2)
            CHECK(p->identity > 0.95);
    }
    CHECK_EQ_U64(story_count_of(t, 0), 1);
    CHECK_EQ_U64(story_count_of(t, 1), 1);
    CHECK_EQ_U64(story_count_of(t, 2), 1);
    sd_trace_free(t);
    free(a.p);
    free(b.p);
    free(c.p);
    free(filler);
}

/* Unrelated stories appended to a copy stay out of its span; the appended
 * stories themselves form no story. */
TEST(trace_appended_stories_stay_out)
{
    char *story = random_text(300), *docs[2];
    sbuf b = {0};
    const sd_story_member *m;
    sd_trace *t;
    puts_(&b, story);
    random_words(&b, 400);
    random_words(&b, 400);
    docs[0] = story;
    docs[1] = b.p;
    t = run((const char *const *)docs, 2, 1);
    CHECK_EQ_U64(sd_trace_story_count(t), 1);
    m = member(t, 0, 1);
    CHECK(m != NULL);
    if (m) {
        CHECK_EQ_U64(m->n_spans, 1);
        CHECK(m->spans[0].end <= strlen(story));
        CHECK_EQ_U64(m->n_added, 0);
        CHECK_EQ_INT(m->role, SD_ROLE_FULL);
    }
    sd_trace_free(t);
    free(b.p);
    free(story);
}

/* Twenty unrelated articles from one site share its header, copyright line
 * and stock phrases: none is linked. */
TEST(trace_template_does_not_link)
{
    char *docs[20];
    size_t i;
    sd_trace *t;
    for (i = 0; i < 20; i++) {
        sbuf b = {0};
        puts_(&b,
              "Home | News | Sport | Weather | Contact | Subscribe to the Daily Gazette today\n");
        random_words(&b, 150);
        puts_(&b, " the minister told reporters on Tuesday. ");
        random_words(&b, 100);
        puts_(&b, " a spokesman said in a statement. ");
        random_words(&b, 100);
        puts_(&b, "\nCopyright 2024 Daily Gazette Ltd. All rights reserved. Do not reproduce.\n");
        docs[i] = b.p;
    }
    t = run((const char *const *)docs, 20, 2);
    CHECK_EQ_U64(sd_trace_passage_count(t), 0);
    CHECK_EQ_U64(sd_trace_story_count(t), 0);
    for (i = 0; i < 20; i++) {
        CHECK_EQ_U64(story_count_of(t, i), 0);
        free(docs[i]);
    }
    sd_trace_free(t);
}

/* Two articles on one event, written independently: not linked. */
TEST(trace_independent_articles_not_linked)
{
    const char *docs[2] = {
        "A floodgate on the Tessaly River failed before dawn on Thursday, sending a wall of "
        "brown water through the lower streets of Marlow Creek and forcing more than two "
        "thousand residents to leave their homes, officials said. The gate, one of four that "
        "hold back the river's spring surge behind the old mill dam, gave way at about 4:40 "
        "a.m. after three days of heavy rain in the hills upstream. Mayor Tobias Renn said no "
        "deaths had been reported, but at least eleven people were treated in Ashford.",
        "Thousands of people in Marlow Creek spent Thursday night in a school gym and in church "
        "halls after one of the gates on the mill dam broke early that morning and the Tessaly "
        "poured into the low part of town. Nobody died, according to the mayor's office, "
        "though about a dozen residents needed hospital care in nearby Ashford. Witnesses "
        "described the rush of water arriving without warning in the dark."};
    sd_trace *t = run(docs, 2, 1);
    CHECK_EQ_U64(sd_trace_passage_count(t), 0);
    CHECK_EQ_U64(sd_trace_story_count(t), 0);
    sd_trace_free(t);
}

/* A page carrying stories S and T belongs to both; S and T stay apart. */
TEST(trace_page_with_two_stories)
{
    char *s = random_text(250), *tt = random_text(250), *docs[5];
    sbuf p = {0};
    sd_trace *t;
    const uint64_t *st;
    size_t n = 0;
    int64_t ss, ts;
    random_words(&p, 100);
    puts_(&p, s);
    puts_(&p, tt);
    random_words(&p, 100);
    docs[0] = s;
    docs[1] = strdup(s);
    docs[2] = tt;
    docs[3] = strdup(tt);
    docs[4] = p.p;
    t = run((const char *const *)docs, 5, 2);
    CHECK_EQ_U64(sd_trace_story_count(t), 2);
    ss = only_story(t, 0);
    ts = only_story(t, 2);
    CHECK(ss >= 0 && ts >= 0 && ss != ts);
    CHECK_EQ_INT(only_story(t, 1), ss);
    CHECK_EQ_INT(only_story(t, 3), ts);
    CHECK_EQ_INT(sd_trace_doc_stories(t, 4, &st, &n), 0);
    CHECK_EQ_U64(n, 2);
    CHECK_EQ_U64(sd_trace_story(t, (size_t)ss)->n_members, 3);
    CHECK_EQ_U64(sd_trace_story(t, (size_t)ts)->n_members, 3);
    sd_trace_free(t);
    free(p.p);
    free(docs[0]);
    free(docs[1]);
    free(docs[2]);
    free(docs[3]);
}

/* Writes everything a job found into a string, for comparison. */
static char *dump(const sd_trace *t)
{
    sbuf b = {0};
    char line[256];
    size_t i, j;
    puts_(&b, "");
    for (i = 0; i < sd_trace_passage_count(t); i++) {
        const sd_passage *p = sd_trace_passage(t, i);
        snprintf(line, sizeof line, "P %llu %llu %llu %llu %llu %llu %llu %llu %zu\n",
                 (unsigned long long)p->doc_a, (unsigned long long)p->doc_b,
                 (unsigned long long)p->a.start, (unsigned long long)p->a.end,
                 (unsigned long long)p->b.start, (unsigned long long)p->b.end,
                 (unsigned long long)p->equal, (unsigned long long)p->story, p->n_changes);
        puts_(&b, line);
    }
    for (i = 0; i < sd_trace_story_count(t); i++) {
        const sd_story *s = sd_trace_story(t, i);
        snprintf(line, sizeof line, "S %llu %zu\n", (unsigned long long)s->origin, s->n_members);
        puts_(&b, line);
        for (j = 0; j < s->n_members; j++) {
            snprintf(line, sizeof line, " %llu %d %.6f %zu %zu %zu\n",
                     (unsigned long long)s->members[j].doc, (int)s->members[j].role,
                     s->members[j].share, s->members[j].n_added, s->members[j].n_lacks,
                     s->members[j].n_changed);
            puts_(&b, line);
        }
    }
    return b.p;
}

TEST(trace_same_output_for_1_and_4_threads)
{
    char *stories[6], *docs[60];
    size_t i;
    sd_trace *t1, *t4, *tp;
    char *d1, *d4, *dp;
    for (i = 0; i < 6; i++)
        stories[i] = random_text(200 + 40 * i);
    for (i = 0; i < 60; i++) {
        sbuf b = {0};
        size_t s = rnd() % 6, cut = strlen(stories[s]) * (50 + rnd() % 51) / 100;
        random_words(&b, 50 + rnd() % 200);
        put(&b, stories[s], cut);
        if (rnd() % 3 == 0) {
            random_words(&b, 100);
            puts_(&b, stories[(s + 1) % 6]);
        }
        random_words(&b, rnd() % 100);
        docs[i] = b.p;
    }
    t1 = run((const char *const *)docs, 60, 1);
    t4 = run((const char *const *)docs, 60, 4);
    d1 = dump(t1);
    d4 = dump(t4);
    /* texts tokenized and winnowed in pieces of about 100 bytes: the same */
    sd__token_piece = 100;
    tp = run((const char *const *)docs, 60, 4);
    sd__token_piece = SD_TOKEN_PIECE;
    dp = dump(tp);
    CHECK(strcmp(d1, dp) == 0);
    free(dp);
    sd_trace_free(tp);
    CHECK_EQ_U64(sd_trace_story_count(t1), 6);
    CHECK(sd_trace_passage_count(t1) >= 60);
    CHECK(strcmp(d1, d4) == 0);
    free(d1);
    free(d4);
    sd_trace_free(t1);
    sd_trace_free(t4);
    for (i = 0; i < 60; i++)
        free(docs[i]);
    for (i = 0; i < 6; i++)
        free(stories[i]);
}

TEST(trace_bad_options_and_absent_docs)
{
    sd_trace_options o;
    sd_trace *t = NULL;
    const char *docs[3] = {NULL, "just a few words", NULL};
    sd_passage *p = NULL;
    size_t n = 9;
    sd_trace_options_init(&o);
    o.min_passage = 2;
    CHECK_EQ_INT(sd_trace_new(&o, &t, NULL), SD_EINVAL);
    CHECK(t == NULL);
    t = run(docs, 3, 1);
    CHECK_EQ_U64(sd_trace_story_count(t), 0);
    CHECK_EQ_U64(story_count_of(t, 0), 0);
    sd_trace_free(t);
    CHECK_EQ_INT(sd_align_pair("", 0, "", 0, NULL, &p, &n), 0);
    CHECK_EQ_U64(n, 0);
    CHECK(p == NULL);
}

/* sd_align_pair finds what the job finds, with byte ranges on the texts. */
TEST(trace_align_pair)
{
    char *story = random_text(200);
    sbuf a = {0}, b = {0};
    sd_passage *p = NULL;
    size_t n = 0;
    random_words(&a, 100);
    puts_(&a, story);
    puts_(&b, story);
    random_words(&b, 100);
    CHECK_EQ_INT(sd_align_pair(a.p, a.n, b.p, b.n, NULL, &p, &n), 0);
    CHECK_EQ_U64(n, 1);
    if (n == 1) {
        CHECK_EQ_U64(p[0].b.start, 0);
        CHECK(memcmp(a.p + p[0].a.start, b.p + p[0].b.start, p[0].b.end - p[0].b.start) == 0);
        CHECK_NEAR(p[0].identity, 1.0, 1e-12);
        CHECK_EQ_U64(p[0].tokens_a, 200);
    }
    sd_passages_free(p, n);
    free(a.p);
    free(b.p);
    free(story);
}

TEST(trace_every_allocation_failing_in_turn)
{
    char *story = random_text(120), *docs[3];
    sbuf b = {0};
    long nth;
    int rc = -1;
    random_words(&b, 30);
    puts_(&b, story);
    docs[0] = story;
    docs[1] = b.p;
    docs[2] = story;
    sd_test_failing_allocator();
    for (nth = 0; nth < 400 && rc != 0; nth++) {
        sd_trace_options o;
        sd_trace *t = NULL;
        sd_trace_doc d[3];
        size_t i;
        sd_trace_options_init(&o);
        o.threads = 1;
        memset(d, 0, sizeof d);
        for (i = 0; i < 3; i++) {
            d[i].text = docs[i];
            d[i].len = strlen(docs[i]);
        }
        sd_test_fail_at = nth;
        rc = sd_trace_new(&o, &t, NULL);
        if (rc == 0)
            rc = sd_trace_add(t, d, 3);
        if (rc == 0)
            rc = sd_trace_finish(t, NULL, NULL);
        CHECK(rc == 0 || rc == SD_ENOMEM);
        if (rc == 0) {
            /* documents sharing a fingerprint are linked to the first of
             * them (a star): 0-1 and 0-2, and 0 is the origin */
            CHECK_EQ_U64(sd_trace_story_count(t), 1);
            CHECK_EQ_U64(sd_trace_passage_count(t), 2);
        }
        sd_test_fail_at = -1;
        sd_trace_free(t);
    }
    sd_set_allocator(NULL);
    CHECK_EQ_INT(rc, 0);
    CHECK(nth > 10);
    free(b.p);
    free(story);
}
