/*
 * test_index.c: the persistent index against its oracle, the batch jobs.
 * A generated day of pages (stories copied whole, cut off, with words
 * changed, with a site's own text around them, exact and near copies,
 * unrelated pages, some undated) is traced and deduplicated in one run;
 * the index, given the same pages in 1 to 50 batches split at random
 * points, must hold the same clusters and the same stories (members,
 * origin, consensus, every copy's role, share, spans, additions, lacks and
 * changes; ids mapped). Then: a query answers as the add that follows it;
 * readers in another process during adds see whole batches only; an add
 * killed (SIGKILL) at random moments leaves an index that checks and
 * holds whole batches, and adding the rest gives the oracle's answers;
 * expire gives the index that never had the expired pages; a damaged
 * record, a file that is not an index and a later format version are
 * refused with a clear message; a conflicting option is an error.
 */
#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "index/store.h"
#include "syndic.h"
#include "test.h"

static uint64_t rs = 0x9E3779B97F4A7C15ull;
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

/* Sentences of 12 random words, paragraphs of 4 sentences. */
static void words(sbuf *b, size_t n, uint64_t vocab)
{
    size_t i;
    char w[32];
    for (i = 0; i < n; i++) {
        int k = snprintf(w, sizeof w, "w%llu", (unsigned long long)(rnd() % vocab));
        if (i)
            put(b,
                i % 48 == 0   ? ".\n\n"
                : i % 12 == 0 ? ". "
                              : " ",
                i % 48 == 0   ? 3
                : i % 12 == 0 ? 2
                              : 1);
        put(b, w, (size_t)k);
    }
    put(b, ".\n", 2);
}

/* A page of the corpus. */
typedef struct page {
    char *text, *id, *url, *date;
} page;

typedef struct corpus {
    page *p;
    size_t n;
} corpus;

static void add_page(corpus *c, char *text, const char *site, int day)
{
    page *p;
    char buf[64];
    c->p = realloc(c->p, (c->n + 1) * sizeof *c->p);
    p = &c->p[c->n];
    p->text = text;
    snprintf(buf, sizeof buf, "page-%zu", c->n);
    p->id = strdup(buf);
    snprintf(buf, sizeof buf, "https://%s.example/a/%zu", site, c->n);
    p->url = strdup(buf);
    if (day >= 0) {
        snprintf(buf, sizeof buf, "2026-05-%02dT%02d:00:00Z", 1 + day, (int)(rnd() % 24));
        p->date = strdup(buf);
    } else {
        p->date = NULL;
    }
    c->n++;
}

/* A story's copy: `how` 0 whole, 1 cut off, 2 words changed, 3 inside a
 * site's own text, 4 an exact copy, 5 a near copy (one word changed). */
static char *copy_of(const char *story, int how, uint64_t vocab)
{
    sbuf b = {0};
    size_t n = strlen(story);
    switch (how) {
    case 1:
        put(&b, story, n * 3 / 5);
        put(&b, ".\n", 2);
        break;
    case 2: {
        char *s = strdup(story);
        size_t i;
        for (i = 0; i < n; i++)
            if (s[i] == 'w' && rnd() % 25 == 0)
                s[i + 1] = (char)('1' + rnd() % 9);
        put(&b, s, n);
        free(s);
        break;
    }
    case 3:
        words(&b, 30 + rnd() % 40, vocab);
        put(&b, "\n", 1);
        put(&b, story, n);
        put(&b, "\n", 1);
        words(&b, 20 + rnd() % 60, vocab);
        break;
    case 5: {
        char *s = strdup(story);
        char *w = strchr(s + n / 2, 'w');
        if (w)
            w[1] = w[1] == '9' ? '8' : '9';
        put(&b, s, n);
        free(s);
        break;
    }
    default: put(&b, story, n);
    }
    return b.p;
}

static const char *sites[] = {"wire", "herald", "gazette", "courier", "post", "times"};

/* The pages of a generated day: `stories` stories of 1 to 5 copies
 * each, unrelated pages, in a random order. */
static corpus gen(size_t stories, size_t unrelated, uint64_t seed)
{
    corpus c = {0};
    page *tmp;
    size_t s, i;
    rs = seed;
    for (s = 0; s < stories; s++) {
        sbuf b = {0};
        size_t copies = 1 + rnd() % 5;
        words(&b, 80 + rnd() % 200, 200000);
        add_page(&c, b.p, sites[0], (int)(rnd() % 20));
        for (i = 0; i < copies; i++)
            add_page(&c, copy_of(b.p, (int)(rnd() % 6), 200000), sites[1 + rnd() % 5],
                     rnd() % 8 ? (int)(rnd() % 20) : -1);
    }
    for (i = 0; i < unrelated; i++) {
        sbuf b = {0};
        words(&b, 40 + rnd() % 150, 200000);
        add_page(&c, b.p, sites[rnd() % 6], (int)(rnd() % 20));
    }
    /* shuffled: origins are not always first */
    for (i = c.n; i > 1; i--) {
        size_t j = rnd() % i;
        page t = c.p[i - 1];
        c.p[i - 1] = c.p[j];
        c.p[j] = t;
    }
    (void)tmp;
    return c;
}

static void corpus_free(corpus *c)
{
    size_t i;
    for (i = 0; i < c->n; i++) {
        free(c->p[i].text);
        free(c->p[i].id);
        free(c->p[i].url);
        free(c->p[i].date);
    }
    free(c->p);
    c->p = NULL;
    c->n = 0;
}

/* ---- canonical results: text lines, one per document and per story ---- */

static void ranges(sbuf *b, const sd_range *r, size_t n)
{
    size_t i;
    char x[64];
    put(b, "[", 1);
    for (i = 0; i < n; i++) {
        int k = snprintf(x, sizeof x, "%llu-%llu,", (unsigned long long)r[i].start,
                         (unsigned long long)r[i].end);
        put(b, x, (size_t)k);
    }
    put(b, "]", 1);
}

/* A story as a line, documents through map[] (NULL: as they are). */
static char *story_line(const sd_story *s, const uint64_t *map)
{
    sbuf b = {0};
    char x[160];
    size_t i;
    int k = snprintf(x, sizeof x, "origin %llu by_date %d tokens %llu passages %llu:",
                     (unsigned long long)(map ? map[s->origin] : s->origin), s->origin_by_date,
                     (unsigned long long)s->consensus_tokens, (unsigned long long)s->passages);
    put(&b, x, (size_t)k);
    ranges(&b, s->consensus, s->n_consensus);
    for (i = 0; i < s->n_members; i++) {
        const sd_story_member *m = &s->members[i];
        k = snprintf(x, sizeof x, " | %llu %s %.9f %.9f ",
                     (unsigned long long)(map ? map[m->doc] : m->doc), sd_role_name(m->role),
                     m->share, m->identity);
        put(&b, x, (size_t)k);
        ranges(&b, m->spans, m->n_spans);
        ranges(&b, m->added, m->n_added);
        ranges(&b, m->lacks, m->n_lacks);
        ranges(&b, m->changed, m->n_changed);
    }
    return b.p;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The result of a run: one line per document (dedup), the sorted story
 * lines. */
typedef struct result {
    char **docs, **stories;
    size_t ndocs, nstories;
} result;

static void result_free(result *r)
{
    size_t i;
    for (i = 0; i < r->ndocs; i++)
        free(r->docs[i]);
    for (i = 0; i < r->nstories; i++)
        free(r->stories[i]);
    free(r->docs);
    free(r->stories);
    memset(r, 0, sizeof *r);
}

static char *doc_line(uint64_t rep, int exact, double sim)
{
    char x[96];
    snprintf(x, sizeof x, "rep %llu exact %d sim %.6f", (unsigned long long)rep, exact, sim);
    return strdup(x);
}

/* The oracle: dedup and trace over pages[0..n). */
static result oracle(const page *p, size_t n)
{
    sd_dedup *d;
    sd_trace *t;
    sd_doc *dd = calloc(n, sizeof *dd);
    sd_trace_doc *td = calloc(n, sizeof *td);
    result r = {0};
    size_t i;
    CHECK(sd_dedup_new(NULL, &d, NULL) == 0);
    CHECK(sd_trace_new(NULL, &t, NULL) == 0);
    for (i = 0; i < n; i++) {
        dd[i].text = td[i].text = p[i].text;
        dd[i].len = td[i].len = strlen(p[i].text);
        td[i].url = p[i].url;
        td[i].url_len = strlen(p[i].url);
        td[i].date = p[i].date;
        td[i].date_len = p[i].date ? strlen(p[i].date) : 0;
    }
    CHECK(sd_dedup_add(d, dd, n) == 0 && sd_dedup_finish(d, NULL, NULL) == 0);
    CHECK(sd_trace_add(t, td, n) == 0 && sd_trace_finish(t, NULL, NULL) == 0);
    r.docs = calloc(n + 1, sizeof *r.docs);
    for (i = 0; i < n; i++) {
        sd_dedup_result x;
        CHECK(sd_dedup_get(d, i, &x) == 0);
        r.docs[r.ndocs++] = doc_line(x.rep, x.rep != i && x.exact, x.rep != i ? x.similarity : 1);
    }
    r.nstories = sd_trace_story_count(t);
    r.stories = calloc(r.nstories + 1, sizeof *r.stories);
    for (i = 0; i < r.nstories; i++)
        r.stories[i] = story_line(sd_trace_story(t, i), NULL);
    qsort(r.stories, r.nstories, sizeof *r.stories, cmp_str);
    sd_dedup_free(d);
    sd_trace_free(t);
    free(dd);
    free(td);
    return r;
}

/* What the index holds, its documents renumbered densely in order (map:
 * index number -> dense). */
static result held(sd_index *ix)
{
    sd_index_stats st;
    uint64_t *map, cursor = 0, d, k = 0;
    const sd_story *s;
    result r = {0};
    int rc;
    sd_index_refresh(ix);
    CHECK(sd_index_get_stats(ix, &st) == 0);
    map = calloc(st.next_doc + 1, sizeof *map);
    r.docs = calloc(st.docs + 1, sizeof *r.docs);
    for (d = 0; d < st.next_doc; d++) {
        sd_index_doc x;
        if (sd_index_doc_get(ix, d, &x) != 0)
            continue;
        map[d] = k++;
        r.docs[r.ndocs++] =
            doc_line(map[x.duplicate_of], x.duplicate && x.exact, x.duplicate ? x.similarity : 1);
    }
    CHECK_EQ_U64(k, st.docs);
    while ((rc = sd_index_next_story(ix, &cursor, NULL, 0, &s)) == 1) {
        r.stories = realloc(r.stories, (r.nstories + 1) * sizeof *r.stories);
        r.stories[r.nstories++] = story_line(s, map);
    }
    CHECK_EQ_INT(rc, 0);
    qsort(r.stories, r.nstories, sizeof *r.stories, cmp_str);
    free(map);
    sd_index_refresh(ix);
    return r;
}

/* Equal results; the first difference is shown. */
static int same(const result *a, const result *b, const char *what)
{
    size_t i;
    if (a->ndocs != b->ndocs || a->nstories != b->nstories) {
        sd_test_fail(__FILE__, __LINE__, "%s: %zu documents, %zu stories against %zu, %zu", what,
                     a->ndocs, a->nstories, b->ndocs, b->nstories);
        return 0;
    }
    for (i = 0; i < a->ndocs; i++)
        if (strcmp(a->docs[i], b->docs[i]) != 0) {
            sd_test_fail(__FILE__, __LINE__, "%s: document %zu: %s against %s", what, i, a->docs[i],
                         b->docs[i]);
            return 0;
        }
    for (i = 0; i < a->nstories; i++)
        if (strcmp(a->stories[i], b->stories[i]) != 0) {
            sd_test_fail(__FILE__, __LINE__, "%s: story line %zu:\n  %s\nagainst\n  %s", what, i,
                         a->stories[i], b->stories[i]);
            return 0;
        }
    return 1;
}

static void to_page(const page *p, sd_index_page *o)
{
    memset(o, 0, sizeof *o);
    o->id = p->id;
    o->id_len = strlen(p->id);
    o->text = p->text;
    o->len = strlen(p->text);
    o->url = p->url;
    o->url_len = strlen(p->url);
    o->date = p->date;
    o->date_len = p->date ? strlen(p->date) : 0;
}

/* Adds pages[0..n) as one batch (or, query, asks about them). */
static int add_batch(sd_index *ix, const page *p, size_t n, int mode)
{
    sd_index_page *v = calloc(n + 1, sizeof *v);
    size_t i;
    int rc;
    for (i = 0; i < n; i++)
        to_page(&p[i], &v[i]);
    if ((rc = sd_index_begin(ix, mode)) == 0 && (rc = sd_index_put(ix, v, n)) == 0)
        rc = sd_index_commit(ix);
    free(v);
    return rc;
}

static const char *ixpath(const char *name)
{
    static char buf[4][512];
    static int k;
    char cmd[600];
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/index_%s", sd_test_tmpdir(), name);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", buf[k]);
    if (system(cmd) != 0)
        sd_test_fail(__FILE__, __LINE__, "cannot clear %s", buf[k]);
    return buf[k];
}

static sd_index *open_ix(const char *path, unsigned flags)
{
    sd_index_options o;
    sd_index *ix = NULL;
    char err[SD_ERRBUF_SIZE];
    sd_index_options_init(&o);
    o.map_size = (uint64_t)1 << 30;
    if (sd_index_open(path, &o, flags, &ix, err) != 0)
        sd_test_fail(__FILE__, __LINE__, "open %s: %s", path, err);
    return ix;
}

/* Adds pages in batches cut at `cuts` random points. */
static void add_split(sd_index *ix, const corpus *c, size_t batches)
{
    size_t *cut = calloc(batches + 1, sizeof *cut), i, at = 0;
    for (i = 1; i < batches; i++)
        cut[i] = rnd() % (c->n + 1);
    cut[batches] = c->n;
    for (i = 1; i <= batches; i++) {
        size_t a = cut[i - 1] < cut[i] ? cut[i - 1] : cut[i];
        (void)a;
    }
    /* sorted cut points */
    for (i = 1; i < batches; i++) {
        size_t j = i;
        while (j > 1 && cut[j - 1] > cut[j]) {
            size_t t = cut[j];
            cut[j] = cut[j - 1];
            cut[j - 1] = t;
            j--;
        }
    }
    for (i = 1; i <= batches; i++) {
        CHECK_EQ_INT(add_batch(ix, c->p + at, cut[i] - at, SD_INDEX_ADD), 0);
        at = cut[i];
    }
    free(cut);
}

TEST(index_batches_equal_one_run)
{
    static const size_t splits[] = {1, 2, 3, 7, 50};
    corpus c = gen(40, 25, 0x1234567ull);
    result want = oracle(c.p, c.n);
    size_t i;
    CHECK(want.nstories >= 20);
    for (i = 0; i < sizeof splits / sizeof *splits; i++) {
        sd_index *ix = open_ix(ixpath("split"), SD_INDEX_CREATE);
        result got;
        char what[64];
        if (!ix)
            continue;
        add_split(ix, &c, splits[i]);
        CHECK_EQ_INT(sd_index_check(ix), 0);
        got = held(ix);
        snprintf(what, sizeof what, "%zu batches", splits[i]);
        same(&got, &want, what);
        result_free(&got);
        sd_index_close(ix);
    }
    result_free(&want);
    corpus_free(&c);
}

/* A second corpus, other seeds, every page a batch of its own. */
TEST(index_one_page_batches_equal_one_run)
{
    corpus c = gen(25, 10, 0xBADC0FFEEull);
    result want = oracle(c.p, c.n), got;
    sd_index *ix = open_ix(ixpath("pages"), SD_INDEX_CREATE);
    if (ix) {
        add_split(ix, &c, c.n);
        got = held(ix);
        same(&got, &want, "a batch per page");
        result_free(&got);
        sd_index_close(ix);
    }
    result_free(&want);
    corpus_free(&c);
}

/* A query's answers are those of the add that follows it, and it writes
 * nothing. */
TEST(index_query_answers_as_add)
{
    corpus c = gen(20, 10, 0x5151ull);
    size_t half = c.n / 2, i, j, k;
    sd_index *ix = open_ix(ixpath("query"), SD_INDEX_CREATE);
    char **q;
    sd_index_page *v = calloc(c.n, sizeof *v);
    if (!ix)
        return;
    q = calloc(c.n, sizeof *q);
    CHECK_EQ_INT(add_batch(ix, c.p, half, SD_INDEX_ADD), 0);
    for (i = half; i < c.n; i++)
        to_page(&c.p[i], &v[i - half]);
    for (k = 0; k < 2; k++) {
        int m = k == 0 ? SD_INDEX_QUERY : SD_INDEX_ADD;
        CHECK_EQ_INT(sd_index_begin(ix, m), 0);
        CHECK_EQ_INT(sd_index_put(ix, v, c.n - half), 0);
        for (i = 0; i < c.n - half; i++) {
            sd_index_answer a;
            sbuf b = {0};
            char x[96];
            CHECK_EQ_INT(sd_index_get_answer(ix, i, &a), 0);
            snprintf(x, sizeof x, "doc %llu dup %d of %llu %.6f:", (unsigned long long)a.doc,
                     a.duplicate, (unsigned long long)a.duplicate_of, a.similarity);
            put(&b, x, strlen(x));
            for (j = 0; j < a.n_stories; j++) {
                char *l = story_line(a.stories[j].s, NULL);
                snprintf(x, sizeof x, " %llu %d ", (unsigned long long)a.stories[j].story,
                         a.stories[j].started);
                put(&b, x, strlen(x));
                put(&b, l, strlen(l));
                free(l);
            }
            if (m == SD_INDEX_QUERY) {
                q[i] = b.p;
            } else {
                if (strcmp(q[i], b.p) != 0)
                    sd_test_fail(__FILE__, __LINE__, "page %zu: query %s\nadd %s", i, q[i], b.p);
                free(b.p);
            }
        }
        CHECK_EQ_INT(sd_index_commit(ix), 0);
        if (m == SD_INDEX_QUERY) {
            sd_index_stats st;
            CHECK_EQ_INT(sd_index_get_stats(ix, &st), 0);
            CHECK_EQ_U64(st.docs, half); /* the query wrote nothing */
            sd_index_refresh(ix);
        }
    }
    for (i = 0; i < c.n - half; i++)
        free(q[i]);
    free(q);
    free(v);
    sd_index_close(ix);
    corpus_free(&c);
}

/* Another process reads while batches are added: every snapshot it takes
 * holds whole batches, and checks. */
TEST(index_readers_during_adds)
{
    corpus c = gen(20, 10, 0x77ull);
    const char *path = ixpath("readers");
    size_t batch = 8, nb = (c.n + batch - 1) / batch, i;
    sd_index *ix = open_ix(path, SD_INDEX_CREATE);
    pid_t pid;
    int status = 0;
    if (!ix)
        return;
    CHECK_EQ_INT(add_batch(ix, c.p, batch, SD_INDEX_ADD), 0);
    sd_index_close(ix);
    pid = fork();
    if (pid == 0) {
        /* the reader: snapshots until it has seen every page */
        sd_index *r = open_ix(path, SD_INDEX_READ_ONLY);
        int bad = r == NULL, rounds = 0;
        sd_index_stats st;
        do {
            uint64_t cursor = 0;
            const sd_story *s;
            sd_index_refresh(r);
            if (sd_index_get_stats(r, &st) != 0 || (st.docs % batch != 0 && st.docs != c.n))
                bad = 1;
            while (sd_index_next_story(r, &cursor, NULL, 0, &s) == 1)
                if (s->n_members < 2)
                    bad = 1;
            if (rounds++ % 8 == 0 && sd_index_check(r) != 0)
                bad = 1;
        } while (!bad && st.docs < c.n && rounds < 100000);
        sd_index_close(r);
        _exit(bad ? 1 : 0);
    }
    ix = open_ix(path, 0);
    for (i = 1; ix && i < nb; i++) {
        size_t n = i + 1 < nb ? batch : c.n - i * batch;
        CHECK_EQ_INT(add_batch(ix, c.p + i * batch, n, SD_INDEX_ADD), 0);
    }
    sd_index_close(ix);
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    corpus_free(&c);
}

/* An add killed at random moments: the index opens, checks, holds whole
 * batches; adding what is missing then gives the one run's answers. */
TEST(index_killed_add)
{
    corpus c = gen(25, 10, 0xD1Eull);
    result want = oracle(c.p, c.n);
    size_t batch = 10, round;
    for (round = 0; round < 4; round++) {
        const char *path = ixpath("killed");
        sd_index *ix;
        sd_index_stats st;
        pid_t pid = fork();
        int status;
        result got;
        if (pid == 0) {
            sd_index *w = open_ix(path, SD_INDEX_CREATE);
            size_t at;
            for (at = 0; w && at < c.n; at += batch)
                if (add_batch(w, c.p + at, at + batch < c.n ? batch : c.n - at, SD_INDEX_ADD))
                    _exit(1);
            _exit(0);
        }
        usleep((useconds_t)(1000 + rnd() % 60000));
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        ix = open_ix(path, SD_INDEX_CREATE);
        if (!ix)
            continue;
        CHECK_EQ_INT(sd_index_check(ix), 0);
        CHECK_EQ_INT(sd_index_get_stats(ix, &st), 0);
        CHECK(st.docs % batch == 0 || st.docs == c.n); /* whole batches */
        sd_index_refresh(ix);
        if (st.docs < c.n)
            CHECK_EQ_INT(add_batch(ix, c.p + st.docs, c.n - st.docs, SD_INDEX_ADD), 0);
        got = held(ix);
        same(&got, &want, "after a killed add");
        result_free(&got);
        sd_index_close(ix);
    }
    result_free(&want);
    corpus_free(&c);
}

/* Expire gives the index that never had the pages; adding more to both
 * then gives the same answers. */
TEST(index_expire_as_never_added)
{
    corpus c = gen(30, 10, 0xE7ull), kept = {0};
    const char *before = "2026-05-10";
    sd_index *a = open_ix(ixpath("expire_a"), SD_INDEX_CREATE);
    sd_index *b = open_ix(ixpath("expire_b"), SD_INDEX_CREATE);
    size_t i, half = c.n * 2 / 3;
    uint64_t removed = 0;
    result ra, rb;
    if (!a || !b)
        return;
    CHECK_EQ_INT(add_batch(a, c.p, half / 2, SD_INDEX_ADD), 0);
    CHECK_EQ_INT(add_batch(a, c.p + half / 2, half - half / 2, SD_INDEX_ADD), 0);
    CHECK_EQ_INT(sd_index_expire(a, before, &removed), 0);
    CHECK(removed > 0);
    CHECK_EQ_INT(sd_index_check(a), 0);
    /* the same pages but the expired ones (undated pages are dated when
     * added: today, after `before`) */
    for (i = 0; i < half; i++)
        if (!c.p[i].date || strcmp(c.p[i].date, before) >= 0) {
            kept.p = realloc(kept.p, (kept.n + 1) * sizeof *kept.p);
            kept.p[kept.n++] = c.p[i];
        }
    CHECK_EQ_U64(removed, half - kept.n);
    CHECK_EQ_INT(add_batch(b, kept.p, kept.n, SD_INDEX_ADD), 0);
    ra = held(a);
    rb = held(b);
    same(&ra, &rb, "expired against never added");
    result_free(&ra);
    result_free(&rb);
    CHECK_EQ_INT(add_batch(a, c.p + half, c.n - half, SD_INDEX_ADD), 0);
    CHECK_EQ_INT(add_batch(b, c.p + half, c.n - half, SD_INDEX_ADD), 0);
    ra = held(a);
    rb = held(b);
    same(&ra, &rb, "expired then added against never added");
    result_free(&ra);
    result_free(&rb);
    CHECK_EQ_INT(sd_index_check(a), 0);
    sd_index_close(a);
    sd_index_close(b);
    free(kept.p);
    corpus_free(&c);
}

/* A write that fails in the middle of a commit (the disk full): here the
 * file size limit (RLIMIT_FSIZE, which needs no root, unlike the tmpfs of
 * tests/golden/index_full_disk) stops the index's file from growing, so
 * LMDB's writes of a batch's pages fail. The add is an error, the index
 * then checks, holds none of that batch, and adding it again once the
 * limit is gone gives the one-run answers. */
TEST(index_failed_write)
{
    corpus c = gen(25, 10, 0xF11ull);
    result want = oracle(c.p, c.n), got;
    const char *path = ixpath("failed_write");
    char file[600];
    size_t first = 10;
    sd_index *ix = open_ix(path, SD_INDEX_CREATE);
    sd_index_stats st;
    struct stat fst;
    pid_t pid;
    int status = -1;
    if (!ix)
        return;
    CHECK_EQ_INT(add_batch(ix, c.p, first, SD_INDEX_ADD), 0);
    sd_index_close(ix);
    snprintf(file, sizeof file, "%s/data.mdb", path);
    CHECK_EQ_INT(stat(file, &fst), 0);
    if ((pid = fork()) == 0) {
        struct rlimit rl;
        sd_index *w;
        int rc;
        rl.rlim_cur = rl.rlim_max = (rlim_t)fst.st_size + 8192;
        signal(SIGXFSZ, SIG_IGN);
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0 || (w = open_ix(path, 0)) == NULL)
            _exit(2);
        rc = add_batch(w, c.p + first, c.n - first, SD_INDEX_ADD);
        /* the error names the commit; the index is open and usable after */
        _exit(rc == SD_EIO && strstr(sd_index_errmsg(w), "committing the batch") ? 0 : 1);
    }
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ix = open_ix(path, 0);
    if (!ix)
        return;
    CHECK_EQ_INT(sd_index_check(ix), 0);
    CHECK_EQ_INT(sd_index_get_stats(ix, &st), 0);
    CHECK_EQ_U64(st.docs, first);
    sd_index_refresh(ix);
    CHECK_EQ_INT(add_batch(ix, c.p + first, c.n - first, SD_INDEX_ADD), 0);
    CHECK_EQ_INT(sd_index_check(ix), 0);
    got = held(ix);
    same(&got, &want, "after a failed write");
    result_free(&got);
    result_free(&want);
    sd_index_close(ix);
    corpus_free(&c);
}

/* A story's id and its documents. */
typedef struct idocs {
    uint64_t id, *doc;
    size_t n;
} idocs;

static size_t stories_of(sd_index *ix, idocs **out)
{
    uint64_t cursor = 0;
    const sd_story *s;
    size_t n = 0, j;
    int rc;
    sd_index_refresh(ix);
    *out = NULL;
    while ((rc = sd_index_next_story(ix, &cursor, NULL, 0, &s)) == 1) {
        *out = realloc(*out, (n + 1) * sizeof **out);
        (*out)[n].id = s->id;
        (*out)[n].n = s->n_members;
        (*out)[n].doc = calloc(s->n_members + 1, sizeof *(*out)[n].doc);
        for (j = 0; j < s->n_members; j++)
            (*out)[n].doc[j] = s->members[j].doc;
        n++;
    }
    CHECK_EQ_INT(rc, 0);
    sd_index_refresh(ix);
    return n;
}

static size_t shared_docs(const idocs *a, const idocs *b)
{
    size_t i, j, n = 0;
    for (i = 0; i < a->n; i++)
        for (j = 0; j < b->n; j++)
            n += a->doc[i] == b->doc[j];
    return n;
}

static void idocs_free(idocs *v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        free(v[i].doc);
    free(v);
}

/* A story that survives an expire keeps its id: a story after it that
 * shares documents with one story before it only, and that one with no
 * other, has its id; every old id held is that of a story it shares
 * documents with. */
TEST(index_expire_keeps_story_ids)
{
    corpus c = gen(30, 10, 0xE7ull);
    sd_index *ix = open_ix(ixpath("expire_ids"), SD_INDEX_CREATE);
    idocs *before = NULL, *after = NULL;
    size_t nb, na, i, j, olds = 0, alone = 0;
    uint64_t removed = 0, top = 0;
    if (!ix)
        return;
    CHECK_EQ_INT(add_batch(ix, c.p, c.n / 2, SD_INDEX_ADD), 0);
    CHECK_EQ_INT(add_batch(ix, c.p + c.n / 2, c.n - c.n / 2, SD_INDEX_ADD), 0);
    nb = stories_of(ix, &before);
    for (i = 0; i < nb; i++)
        top = before[i].id >= top ? before[i].id + 1 : top;
    CHECK_EQ_INT(sd_index_expire(ix, "2026-05-10", &removed), 0);
    CHECK(removed > 0);
    CHECK_EQ_INT(sd_index_check(ix), 0);
    na = stories_of(ix, &after);
    CHECK(na > 0);
    for (i = 0; i < na; i++) {
        size_t best = SIZE_MAX, rel = 0, back = 0;
        for (j = 0; j < nb; j++) {
            size_t k = shared_docs(&after[i], &before[j]);
            if (after[i].id == before[j].id) {
                CHECK(k > 0);
                olds++;
            }
            if (k) {
                rel++;
                best = j;
            }
        }
        /* a new id only when every story it continues gave its id to another */
        for (j = 0; j < nb && after[i].id >= top; j++) {
            size_t k, held_by = 0;
            if (shared_docs(&after[i], &before[j]) == 0)
                continue;
            for (k = 0; k < na; k++)
                held_by += after[k].id == before[j].id;
            CHECK_EQ_U64(held_by, 1);
        }
        if (rel != 1)
            continue;
        for (j = 0; j < na; j++)
            back += shared_docs(&after[j], &before[best]) > 0;
        if (back == 1) {
            CHECK_EQ_U64(after[i].id, before[best].id);
            alone++;
        }
    }
    CHECK(olds > 0);
    CHECK(alone > 0);
    sd_index_close(ix);
    idocs_free(before, nb);
    idocs_free(after, na);
    corpus_free(&c);
}

/* Finds `needle` in the file and flips a byte of it. */
static int damage(const char *file, const char *needle)
{
    FILE *f = fopen(file, "r+b");
    size_t n = strlen(needle), len;
    char *buf, *at;
    long size;
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)size);
    len = fread(buf, 1, (size_t)size, f);
    at = memmem(buf, len, needle, n);
    if (at) {
        fseek(f, at - buf + 1, SEEK_SET);
        fputc(at[1] ^ 0x20, f);
    }
    fclose(f);
    free(buf);
    return at ? 0 : -1;
}

TEST(index_damage_refused)
{
    corpus c = gen(5, 2, 0xDAull);
    const char *path = ixpath("damaged");
    char file[600], err[SD_ERRBUF_SIZE], needle[40];
    sd_index *ix = open_ix(path, SD_INDEX_CREATE);
    FILE *f;
    if (!ix)
        return;
    CHECK_EQ_INT(add_batch(ix, c.p, c.n, SD_INDEX_ADD), 0);
    sd_index_close(ix);
    /* a byte of a stored text: check names the damage */
    snprintf(file, sizeof file, "%s/data.mdb", path);
    snprintf(needle, sizeof needle, "%.30s", c.p[0].text);
    CHECK_EQ_INT(damage(file, needle), 0);
    ix = open_ix(path, 0);
    if (ix) {
        CHECK_EQ_INT(sd_index_check(ix), SD_EFORMAT);
        CHECK(strstr(sd_index_errmsg(ix), "damaged") != NULL);
        CHECK(strstr(sd_index_errmsg(ix), "text record") != NULL);
        sd_index_close(ix);
    }
    /* a data.mdb that is not an LMDB file */
    f = fopen(file, "wb");
    if (f) {
        int i;
        for (i = 0; i < 20000; i++)
            fputc(i * 7 & 0xff, f);
        fclose(f);
    }
    CHECK_EQ_INT(sd_index_open(path, NULL, 0, &ix, err), SD_EFORMAT);
    CHECK(ix == NULL);
    CHECK(strstr(err, "not an index") != NULL);
    /* a directory without an index */
    CHECK(sd_index_open(sd_test_tmpdir(), NULL, 0, &ix, err) != 0);
    CHECK(strstr(err, "not an index") != NULL);
    corpus_free(&c);
}

/* Writes format version `format` into the index at `path`, straight
 * into LMDB, after dropping the `ndrop` databases named in `drop`. */
static void set_format(const char *path, uint32_t format, const char *const *drop, size_t ndrop)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_val k, v;
    size_t i;
    CHECK(mdb_env_create(&env) == 0);
    mdb_env_set_maxdbs(env, 32);
    CHECK(mdb_env_open(env, path, 0, 0664) == 0);
    CHECK(mdb_txn_begin(env, NULL, 0, &txn) == 0);
    for (i = 0; i < ndrop; i++) {
        CHECK(mdb_dbi_open(txn, drop[i], 0, &dbi) == 0);
        CHECK(mdb_drop(txn, dbi, 1) == 0);
    }
    CHECK(mdb_dbi_open(txn, "meta", 0, &dbi) == 0);
    k.mv_data = (void *)(uintptr_t) "format";
    k.mv_size = 6;
    v.mv_data = &format;
    v.mv_size = sizeof format;
    CHECK(mdb_put(txn, dbi, &k, &v, 0) == 0);
    CHECK(mdb_txn_commit(txn) == 0);
    mdb_env_close(env);
}

/* An index of a later format version is refused, naming both. */
TEST(index_format_version_refused)
{
    const char *path = ixpath("format");
    sd_index *ix = open_ix(path, SD_INDEX_CREATE);
    uint32_t later = SD_INDEX_FORMAT + 1;
    char err[SD_ERRBUF_SIZE], want[64];
    sd_index_close(ix);
    set_format(path, later, NULL, 0);
    CHECK_EQ_INT(sd_index_open(path, NULL, 0, &ix, err), SD_EFORMAT);
    snprintf(want, sizeof want, "format version %u", later);
    CHECK(strstr(err, want) != NULL);
    snprintf(want, sizeof want, "up to %u", SD_INDEX_FORMAT);
    CHECK(strstr(err, want) != NULL);
}

/* Options fixed at creation: another value is refused, naming both. */
TEST(index_conflicting_option)
{
    const char *path = ixpath("options");
    sd_index_options o;
    sd_index *ix = open_ix(path, SD_INDEX_CREATE);
    char err[SD_ERRBUF_SIZE];
    sd_index_close(ix);
    sd_index_options_init(&o);
    o.threshold = 0.5;
    CHECK_EQ_INT(sd_index_open(path, &o, SD_INDEX_CREATE, &ix, err), SD_EINVAL);
    CHECK(strstr(err, "threshold 0.8, not 0.5") != NULL);
    sd_index_options_init(&o);
    o.min_passage = 12;
    CHECK_EQ_INT(sd_index_open(path, &o, 0, &ix, err), SD_EINVAL);
    CHECK(strstr(err, "30 words, not 12") != NULL);
    /* the same values, or none, open it */
    sd_index_options_init(&o);
    o.threshold = 0.8;
    CHECK_EQ_INT(sd_index_open(path, &o, 0, &ix, err), 0);
    sd_index_close(ix);
}

TEST(index_api_checks)
{
    const char *path = ixpath("api");
    sd_index_options o;
    sd_index *ix = NULL;
    sd_index_answer a;
    sd_index_page pg;
    char err[SD_ERRBUF_SIZE];
    /* options not set up by their _init(), or from a newer, longer struct */
    memset(&o, 0, sizeof o);
    CHECK_EQ_INT(sd_index_open(path, &o, SD_INDEX_CREATE, &ix, err), SD_EINVAL);
    CHECK(ix == NULL && strstr(err, "sd_index_options_init") != NULL);
    sd_index_options_init(&o);
    o.size += 8;
    CHECK_EQ_INT(sd_index_open(path, &o, SD_INDEX_CREATE, &ix, err), SD_EINVAL);
    CHECK(ix == NULL && strstr(err, "newer") != NULL);
    CHECK_EQ_INT(sd_index_open(NULL, NULL, SD_INDEX_CREATE, &ix, err), SD_EINVAL);
    CHECK(strstr(err, "path") != NULL);
    /* null objects */
    CHECK_EQ_INT(sd_index_begin(NULL, SD_INDEX_ADD), SD_EINVAL);
    CHECK_EQ_INT(sd_index_put(NULL, NULL, 0), SD_EINVAL);
    CHECK_EQ_INT(sd_index_commit(NULL), SD_EINVAL);
    CHECK_EQ_INT(sd_index_get_answer(NULL, 0, &a), SD_EINVAL);
    CHECK_EQ_INT(sd_index_check(NULL), SD_EINVAL);
    sd_index_abort(NULL);
    sd_index_refresh(NULL);
    sd_index_close(NULL);
    CHECK(sd_index_errmsg(NULL) != NULL);
    /* calls out of order */
    ix = open_ix(path, SD_INDEX_CREATE);
    CHECK_EQ_INT(sd_index_commit(ix), SD_EINVAL);
    CHECK(strstr(sd_index_errmsg(ix), "no batch") != NULL);
    memset(&pg, 0, sizeof pg);
    pg.text = "a page";
    pg.len = 6;
    CHECK_EQ_INT(sd_index_put(ix, &pg, 1), SD_EINVAL);
    CHECK_EQ_INT(sd_index_get_answer(ix, 0, &a), SD_EINVAL);
    CHECK_EQ_INT(sd_index_begin(ix, SD_INDEX_ADD), 0);
    CHECK_EQ_INT(sd_index_begin(ix, SD_INDEX_ADD), SD_EINVAL);
    CHECK_EQ_INT(sd_index_put(ix, NULL, 1), SD_EINVAL);
    CHECK_EQ_INT(sd_index_put(ix, &pg, 1), 0);
    CHECK_EQ_INT(sd_index_get_answer(ix, 0, &a), 0);
    CHECK_EQ_INT(sd_index_get_answer(ix, 1, &a), SD_EINVAL);
    CHECK_EQ_INT(sd_index_check(ix), SD_EINVAL);
    CHECK_EQ_INT(sd_index_commit(ix), 0);
    CHECK_EQ_INT(sd_index_check(ix), 0);
    sd_index_close(ix);
}

/* Entries in a named database of the index at `path` (-1: none). */
static long db_entries(const char *path, const char *name)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_stat ms;
    long n = -1;
    if (mdb_env_create(&env) != 0)
        return -1;
    mdb_env_set_maxdbs(env, 32);
    if (mdb_env_open(env, path, MDB_RDONLY, 0664) == 0 &&
        mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) == 0) {
        if (mdb_dbi_open(txn, name, 0, &dbi) == 0 && mdb_stat(txn, dbi, &ms) == 0)
            n = (long)ms.ms_entries;
        mdb_txn_abort(txn);
    }
    mdb_env_close(env);
    return n;
}

/* The hashed databases (postings, LSH buckets, exact copies) are staged:
 * a small active tree sealed into runs, merged as they pile up
 * (src/index/runs.c). With stages of a few entries, every batch seals and
 * merges at several tiers: the answers, the kill, the failed write, the
 * readers, the expire are the one run's all the same, and check passes
 * (it counts each run against its list and filter). */
TEST(index_runs_equal_one_run)
{
    static const size_t stage[] = {8, 3};
    size_t i;
    for (i = 0; i < sizeof stage / sizeof *stage; i++) {
        corpus c = gen(20, 10, 0x5EA1ull + i);
        const char *path = ixpath("runs");
        sd_index *ix;
        result want = oracle(c.p, c.n), got;
        sd__st_stage_max = stage[i];
        ix = open_ix(path, SD_INDEX_CREATE);
        if (ix) {
            add_split(ix, &c, 4);
            CHECK_EQ_INT(sd_index_check(ix), 0);
            got = held(ix);
            same(&got, &want, "in runs");
            result_free(&got);
            sd_index_close(ix);
            /* runs were made, and the active trees hold fewer than a stage */
            CHECK(db_entries(path, "band.runs") > 100);
            CHECK(db_entries(path, "post.runs") > 10);
            CHECK(db_entries(path, "band") < (long)stage[i]);
        }
        result_free(&want);
        corpus_free(&c);
        if (i == 0) {
            test_index_batches_equal_one_run();
            test_index_one_page_batches_equal_one_run();
            test_index_query_answers_as_add();
            test_index_readers_during_adds();
            test_index_killed_add();
            test_index_expire_as_never_added();
            test_index_failed_write();
            test_index_expire_keeps_story_ids();
        }
    }
    sd__st_stage_max = SD__STAGE_MAX;
}

/* A format 1 index (no runs: every entry in its one tree) is read as it
 * is, and the first add turns it to format 2: its trees' entries become
 * the oldest run, and the answers are the one run's. */
TEST(index_format1_upgraded)
{
    corpus c = gen(20, 10, 0xF1ull);
    result want = oracle(c.p, c.n), got;
    const char *path = ixpath("format1");
    size_t half = c.n / 2;
    static const char *const runs[] = {"runinfo", "post.runs", "band.runs", "exact.runs"};
    sd_index *ix = open_ix(path, SD_INDEX_CREATE);
    sd_index_stats st;
    if (!ix)
        return;
    CHECK_EQ_INT(add_batch(ix, c.p, half, SD_INDEX_ADD), 0);
    sd_index_close(ix);
    /* what format 1 wrote: no runs databases, format 1 */
    set_format(path, 1, runs, sizeof runs / sizeof *runs);
    CHECK_EQ_INT(db_entries(path, "band.runs"), -1);
    /* read-only, as it is */
    ix = open_ix(path, SD_INDEX_READ_ONLY);
    if (ix) {
        CHECK_EQ_INT(sd_index_check(ix), 0);
        CHECK_EQ_INT(sd_index_get_stats(ix, &st), 0);
        CHECK_EQ_U64(st.docs, half);
        CHECK_EQ_INT((int)st.format, 1);
        sd_index_close(ix);
    }
    /* added to: sealed into runs at once (a stage smaller than its trees) */
    sd__st_stage_max = 16;
    ix = open_ix(path, 0);
    if (ix) {
        CHECK_EQ_INT(add_batch(ix, c.p + half, c.n - half, SD_INDEX_ADD), 0);
        CHECK_EQ_INT(sd_index_check(ix), 0);
        got = held(ix);
        same(&got, &want, "a format 1 index added to");
        result_free(&got);
        CHECK_EQ_INT(sd_index_get_stats(ix, &st), 0);
        CHECK_EQ_INT((int)st.format, SD_INDEX_FORMAT);
        sd_index_close(ix);
        CHECK(db_entries(path, "band.runs") > 100);
    }
    sd__st_stage_max = SD__STAGE_MAX;
    result_free(&want);
    corpus_free(&c);
}

static void count_problem(void *ctx, const char *what)
{
    (void)what;
    ++*(int *)ctx;
}

/* The store's staged databases against a plain model, at a size where
 * the runs tree is several levels deep and keys hold from one dup to
 * thousands (a dups tree of their own): random keys of band and post get
 * increasing dups over many transactions, with stages of 500 entries, so
 * runs are sealed and merged at every tier; after each transaction every
 * key's dups, count, first and last, the walk and the check agree with
 * the model. */
TEST(index_runs_store_random)
{
    enum { KEYS = 3000, TXNS = 40, PUTS = 2500 };
    const char *path = ixpath("store");
    uint64_t **model = calloc(KEYS, sizeof *model);
    size_t *nm = calloc(KEYS, sizeof *nm);
    sd_st st;
    sd_err err;
    uint64_t next = 1;
    size_t t, i, k;
    int db;
    memset(&err, 0, sizeof err);
    CHECK_EQ_INT(sd__st_open(&st, path, 1, 0, (uint64_t)1 << 30, &err), 0);
    sd__st_stage_max = 500;
    for (t = 0; t < TXNS; t++) {
        sd_walk w;
        sd_val wk, wv;
        uint64_t total = 0, walked = 0, counted = 0;
        CHECK_EQ_INT(sd__st_begin(&st, 1, 0), 0);
        for (i = 0; i < PUTS; i++) {
            /* a skewed key: a quarter of the dups go to 8 keys, whose
             * dups outgrow a page in the larger runs */
            uint64_t r = rnd();
            size_t key = (r & 3) == 0 ? (size_t)(r >> 8) % 8 : (size_t)(r >> 8) % KEYS;
            unsigned char bk[12];
            uint64_t d = next++;
            db = key & 1 ? DB_BAND : DB_POST;
            memset(bk, 0, sizeof bk);
            memcpy(bk + 4, &key, sizeof key);
            if (db == DB_BAND)
                CHECK_EQ_INT(sd__st_dup_put(&st, db, bk, 12, &d, sizeof d), 0);
            else
                CHECK_EQ_INT(sd__st_dup_put64(&st, db, (uint64_t)key, d), 0);
            model[key] = realloc(model[key], (nm[key] + 1) * sizeof **model);
            model[key][nm[key]++] = d;
        }
        CHECK_EQ_INT(sd__st_end(&st, 1), 0);
        CHECK_EQ_INT(sd__st_begin(&st, 0, 0), 0);
        for (k = 0; k < KEYS; k++) {
            unsigned char bk[12];
            const void *v;
            size_t n, count;
            uint64_t first = 0, last = 0;
            db = k & 1 ? DB_BAND : DB_POST;
            memset(bk, 0, sizeof bk);
            memcpy(bk + 4, &k, sizeof k);
            if (db == DB_BAND) {
                CHECK_EQ_INT(sd__st_dups(&st, db, bk, 12, 8, 0, &v, &n), 0);
            } else {
                uint64_t key = k;
                CHECK_EQ_INT(sd__st_dups(&st, db, &key, 8, 8, 0, &v, &n), 0);
            }
            CHECK_EQ_U64(n, nm[k]);
            if (n == nm[k] && n && memcmp(v, model[k], n * 8) != 0)
                sd_test_fail(__FILE__, __LINE__, "key %zu: dups out of order", k);
            if (db == DB_BAND) {
                CHECK_EQ_INT(sd__st_dup_ends(&st, db, bk, 12, &count, &first, &last), 0);
            } else {
                uint64_t key = k;
                CHECK_EQ_INT(sd__st_dup_ends(&st, db, &key, 8, &count, &first, &last), 0);
            }
            CHECK_EQ_U64(count, nm[k]);
            if (nm[k]) {
                CHECK_EQ_U64(first, model[k][0]);
                CHECK_EQ_U64(last, model[k][nm[k] - 1]);
                /* the first few, as a posting's hub is read */
                if (db == DB_POST) {
                    uint64_t key = k;
                    CHECK_EQ_INT(sd__st_dups(&st, db, &key, 8, 8, 3, &v, &n), 0);
                    CHECK_EQ_U64(n, nm[k] < 3 ? nm[k] : 3);
                    CHECK(memcmp(v, model[k], n * 8) == 0);
                }
            }
            total += nm[k];
        }
        for (db = DB_POST; db <= DB_BAND; db++) {
            uint64_t n = 0;
            CHECK_EQ_INT(sd__st_count(&st, db, &n), 0);
            counted += n;
            CHECK_EQ_INT(sd__walk_open(&w, &st, db, NULL, 0), 0);
            while (sd__walk_next(&w, &wk, &wv) == 1)
                walked++;
            sd__walk_close(&w);
        }
        CHECK_EQ_U64(counted, total);
        CHECK_EQ_U64(walked, total);
        {
            int problems = 0;
            sd__runs_check(&st, DB_POST, count_problem, &problems);
            sd__runs_check(&st, DB_BAND, count_problem, &problems);
            CHECK_EQ_INT(problems, 0);
        }
        CHECK_EQ_INT(sd__st_end(&st, 0), 0);
    }
    sd__st_close(&st);
    sd__st_stage_max = SD__STAGE_MAX;
    for (k = 0; k < KEYS; k++)
        free(model[k]);
    free(model);
    free(nm);
}
