/*
 * test_dist.c: dedup and trace jobs split over several processes give the
 * results of one job, with the processes played by threads talking through
 * an in-memory sd_comm (so the sanitizer build checks the distributed code
 * for leaks and overruns; the MPI runs are the CLI golden tests), with and
 * without a memory limit; and a trace job under a memory limit gives the
 * in-memory results.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "syndic.h"
#include "test.h"

#define MAXP 4

/* ---- an sd_comm over threads: every call is a barrier-fenced copy ---- */

typedef struct hub {
    pthread_barrier_t bar;
    unsigned np;
    const void *send[MAXP];
    const uint64_t *len[MAXP];
    const uint64_t *in[MAXP];
} hub;

typedef struct peer {
    hub *h;
    unsigned me;
} peer;

static int t_allgather(void *ud, const uint64_t *in, size_t n, uint64_t *out)
{
    peer *p = ud;
    unsigned q;
    p->h->in[p->me] = in;
    pthread_barrier_wait(&p->h->bar);
    for (q = 0; q < p->h->np; q++)
        memcpy(out + (size_t)q * n, p->h->in[q], n * sizeof *out);
    pthread_barrier_wait(&p->h->bar);
    return 0;
}

static int t_alltoallv(void *ud, const void *send, const uint64_t *send_len, void *recv,
                       const uint64_t *recv_len)
{
    peer *p = ud;
    unsigned q, k;
    size_t at = 0;
    p->h->send[p->me] = send;
    p->h->len[p->me] = send_len;
    pthread_barrier_wait(&p->h->bar);
    for (q = 0; q < p->h->np; q++) {
        size_t from = 0;
        for (k = 0; k < p->me; k++)
            from += p->h->len[q][k];
        if (p->h->len[q][p->me] != recv_len[q])
            return -1;
        memcpy((char *)recv + at, (const char *)p->h->send[q] + from, recv_len[q]);
        at += recv_len[q];
    }
    pthread_barrier_wait(&p->h->bar);
    return 0;
}

/* ---- texts ---- */

static uint64_t seed_ = 88172645463325252ull;

static uint64_t rnd(void)
{
    return sd_test_xorshift(&seed_);
}

static char *words(size_t n, unsigned vocab)
{
    return sd_test_words(&seed_, n, vocab);
}

static char *join3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *s = malloc(la + lb + lc + 3);
    memcpy(s, a, la);
    s[la] = ' ';
    memcpy(s + la + 1, b, lb);
    s[la + 1 + lb] = ' ';
    memcpy(s + la + 2 + lb, c, lc + 1);
    return s;
}

/* n documents: copies, near copies, a story printed inside other pages,
 * empty and absent texts. */
static char **corpus(size_t n)
{
    char **t = calloc(n, sizeof *t), *story = words(120, 50000);
    size_t i;
    for (i = 0; i < n; i++) {
        if (i % 53 == 4) {
            t[i] = NULL;
        } else if (i % 41 == 9) {
            t[i] = strdup("");
        } else if (i % 5 == 2 && t[i - 1]) {
            t[i] = strdup(t[i - 1]);
        } else if (i % 7 == 3 && t[i - 1]) {
            char *tail = words(6, 50000);
            t[i] = join3(t[i - 1], tail, "");
            free(tail);
        } else if (i % 11 == 6) {
            char *a = words(40 + rnd() % 40, 50000), *b = words(30, 50000);
            t[i] = join3(a, story, b);
            free(a);
            free(b);
        } else {
            t[i] = words(60 + rnd() % 100, 50000);
        }
    }
    free(story);
    return t;
}

static void free_corpus(char **t, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        free(t[i]);
    free(t);
}

/* One trace job (options o, NULL for defaults) given every text. */
static sd_trace *trace_all(char **texts, size_t n, const sd_trace_options *o)
{
    sd_trace_doc *docs = calloc(n, sizeof *docs);
    sd_trace *t = NULL;
    size_t i;
    for (i = 0; i < n; i++) {
        docs[i].text = texts[i];
        docs[i].len = texts[i] ? strlen(texts[i]) : 0;
    }
    CHECK_EQ_INT(sd_trace_new(o, &t, NULL), 0);
    CHECK_EQ_INT(sd_trace_add(t, docs, n), 0);
    CHECK_EQ_INT(sd_trace_finish(t, NULL, NULL), 0);
    free(docs);
    return t;
}

/* ---- the processes ---- */

typedef struct proc {
    pthread_t tid;
    peer pe;
    sd_comm comm;
    char **texts;
    size_t n;
    int trace;
    int rc;
    sd_dedup *d;
    sd_trace *t;
    uint64_t *files; /* whole files: records per file, 0 for others' */
    size_t nfiles, per_file;
    uint64_t memory; /* a memory limit */
} proc;

/* The records of this process, in order: its blocks, or its files. */
static int mine(const proc *p, size_t g)
{
    if (p->comm.share.files)
        return (g / p->per_file) % p->comm.share.count == p->comm.share.index;
    return sd_share_owner(&p->comm.share, g) == p->comm.share.index;
}

static void *run_proc(void *arg)
{
    proc *p = arg;
    size_t g;
    if (p->trace) {
        sd_trace_options o;
        sd_trace_options_init(&o);
        o.threads = 1;
        o.comm = &p->comm;
        o.memory_limit = p->memory;
        if ((p->rc = sd_trace_new(&o, &p->t, NULL)) != 0)
            return NULL;
    } else {
        sd_dedup_options o;
        sd_dedup_options_init(&o);
        o.threads = 1;
        o.comm = &p->comm;
        o.memory_limit = p->memory;
        if ((p->rc = sd_dedup_new(&o, &p->d, NULL)) != 0)
            return NULL;
    }
    for (g = 0; g < p->n; g++) {
        const char *s = p->texts[g];
        if (!mine(p, g))
            continue;
        if (p->comm.share.files)
            p->files[g / p->per_file]++;
        if (p->trace) {
            sd_trace_doc doc = {s, s ? strlen(s) : 0, NULL, 0};
            p->rc |= sd_trace_add(p->t, &doc, 1);
        } else {
            sd_doc doc = {s, s ? strlen(s) : 0};
            p->rc |= sd_dedup_add(p->d, &doc, 1);
        }
    }
    if (p->comm.share.files)
        p->rc |= sd_share_files(&p->comm, p->files, p->nfiles);
    p->rc |= p->trace ? sd_trace_finish(p->t, NULL, NULL) : sd_dedup_finish(p->d, NULL, NULL);
    return NULL;
}

/* Runs np processes over texts; the caller frees them with stop(). */
static void start(proc *ps, hub *h, unsigned np, uint32_t block, int files, char **texts, size_t n,
                  int trace, uint64_t memory)
{
    unsigned i;
    memset(h, 0, sizeof *h);
    h->np = np;
    pthread_barrier_init(&h->bar, NULL, np);
    for (i = 0; i < np; i++) {
        proc *p = &ps[i];
        memset(p, 0, sizeof *p);
        p->pe.h = h;
        p->pe.me = i;
        p->comm.share.index = i;
        p->comm.share.count = np;
        p->comm.share.block = block;
        p->comm.share.files = files;
        p->comm.ud = &p->pe;
        p->comm.alltoallv = t_alltoallv;
        p->comm.allgather = t_allgather;
        p->texts = texts;
        p->n = n;
        p->trace = trace;
        p->memory = memory;
        p->per_file = 97; /* files of 97 records, the last shorter */
        p->nfiles = (n + p->per_file - 1) / p->per_file;
        p->files = calloc(p->nfiles, sizeof *p->files);
        pthread_create(&p->tid, NULL, run_proc, p);
    }
    for (i = 0; i < np; i++)
        pthread_join(ps[i].tid, NULL);
    pthread_barrier_destroy(&h->bar);
}

static void stop(proc *ps, unsigned np)
{
    unsigned i;
    for (i = 0; i < np; i++) {
        sd_dedup_free(ps[i].d);
        sd_trace_free(ps[i].t);
        sd_share_release(&ps[i].comm.share);
        free(ps[i].files);
    }
}

/* processes, records per block, whole files, a memory limit */
static const unsigned splits[][4] = {{1, 4096, 0, 0}, {2, 1, 0, 0}, {3, 7, 0, 0}, {4, 4096, 0, 0},
                                     {2, 0, 1, 0},    {3, 0, 1, 0}, {3, 5, 0, 1}, {2, 0, 1, 1}};

TEST(dedup_over_processes_gives_one_process_results)
{
    enum { N = 1500 };
    char **texts = corpus(N);
    sd_doc *docs = calloc(N, sizeof *docs);
    sd_dedup *one = NULL;
    sd_dedup_stats want;
    size_t i, s;
    for (i = 0; i < N; i++) {
        docs[i].text = texts[i];
        docs[i].len = texts[i] ? strlen(texts[i]) : 0;
    }
    CHECK_EQ_INT(sd_dedup_new(NULL, &one, NULL), 0);
    CHECK_EQ_INT(sd_dedup_add(one, docs, N), 0);
    CHECK_EQ_INT(sd_dedup_finish(one, NULL, NULL), 0);
    sd_dedup_get_stats(one, &want);
    CHECK(want.exact_duplicates > 100 && want.verified > 100 && want.absent > 10);
    for (s = 0; s < sizeof splits / sizeof splits[0]; s++) {
        proc ps[MAXP];
        hub h;
        unsigned np = splits[s][0], p;
        size_t diff = 0, seen = 0;
        sd_dedup_stats got;
        /* limits of 1 MiB (the arrays let go every 164 documents walked
         * and every 21 read at random) and 64 KiB (text hashes in 8
         * rounds, verification and representatives' records a few pairs a
         * round) */
        start(ps, &h, np, splits[s][1], (int)splits[s][2], texts, N, 0,
              !splits[s][3]  ? 0
              : splits[s][2] ? (uint64_t)1 << 20
                             : (uint64_t)64 << 10);
        for (p = 0; p < np; p++) {
            CHECK_EQ_INT(ps[p].rc, 0);
            for (i = 0; ps[p].rc == 0 && i < N; i++) {
                sd_dedup_result x, y;
                if (!mine(&ps[p], i)) {
                    CHECK(sd_dedup_get(ps[p].d, i, &y) != 0);
                    continue;
                }
                seen++;
                CHECK_EQ_INT(sd_dedup_get(one, i, &x), 0);
                CHECK_EQ_INT(sd_dedup_get(ps[p].d, i, &y), 0);
                diff += x.rep != y.rep || x.cluster != y.cluster || x.similarity != y.similarity ||
                        x.absent != y.absent || x.exact != y.exact;
            }
            sd_dedup_get_stats(ps[p].d, &got);
            CHECK_EQ_U64(got.docs, want.docs);
            CHECK_EQ_U64(got.clusters, want.clusters);
            CHECK_EQ_U64(got.duplicates, want.duplicates);
            CHECK_EQ_U64(got.exact_duplicates, want.exact_duplicates);
            CHECK_EQ_U64(got.candidates, want.candidates);
            CHECK_EQ_U64(got.verified, want.verified);
            CHECK_EQ_U64(got.bytes, want.bytes);
            CHECK(np == 1 || got.exchanged > 0);
        }
        CHECK_EQ_U64(seen, N);
        CHECK_EQ_U64(diff, 0);
        stop(ps, np);
    }
    sd_dedup_free(one);
    free_corpus(texts, N);
    free(docs);
}

/* A line per passage and per story member, for comparing two jobs. */
static char *trace_digest(const sd_trace *t)
{
    size_t cap = 1 << 20, at = 0, i, j;
    char *s = malloc(cap);
    for (i = 0; i < sd_trace_passage_count(t); i++) {
        const sd_passage *p = sd_trace_passage(t, i);
        if (at + 256 > cap)
            s = realloc(s, cap *= 2);
        at += (size_t)snprintf(s + at, cap - at, "p %llu %llu %zu-%zu %zu-%zu %llu %zu\n",
                               (unsigned long long)p->doc_a, (unsigned long long)p->doc_b,
                               (size_t)p->a.start, (size_t)p->a.end, (size_t)p->b.start,
                               (size_t)p->b.end, (unsigned long long)p->story, p->n_changes);
    }
    for (i = 0; i < sd_trace_story_count(t); i++) {
        const sd_story *st = sd_trace_story(t, i);
        for (j = 0; j < st->n_members; j++) {
            const sd_story_member *m = &st->members[j];
            if (at + 256 > cap)
                s = realloc(s, cap *= 2);
            at += (size_t)snprintf(s + at, cap - at, "s %llu %llu %llu %d %.6f %.6f %zu %zu\n",
                                   (unsigned long long)st->id, (unsigned long long)st->origin,
                                   (unsigned long long)m->doc, (int)m->role, m->share, m->identity,
                                   m->n_added, m->n_lacks);
        }
    }
    s[at] = 0;
    return s;
}

TEST(trace_over_processes_gives_one_process_results)
{
    enum { N = 400 };
    char **texts = corpus(N);
    sd_trace *one = trace_all(texts, N, NULL);
    sd_trace_stats want;
    char *dwant;
    size_t i, s;
    sd_trace_get_stats(one, &want);
    dwant = trace_digest(one);
    CHECK(want.stories > 20 && want.passages > 100);
    for (s = 0; s < sizeof splits / sizeof splits[0]; s++) {
        proc ps[MAXP];
        hub h;
        unsigned np = splits[s][0], p;
        start(ps, &h, np, splits[s][1], (int)splits[s][2], texts, N, 1,
              splits[s][3] ? 64 << 10 : 0);
        for (p = 0; p < np; p++) {
            sd_trace_stats got;
            CHECK_EQ_INT(ps[p].rc, 0);
            sd_trace_get_stats(ps[p].t, &got);
            if (p == 0) {
                char *dgot = trace_digest(ps[p].t);
                CHECK(strcmp(dwant, dgot) == 0);
                free(dgot);
                CHECK_EQ_U64(got.docs, want.docs);
                CHECK_EQ_U64(got.absent, want.absent);
                CHECK_EQ_U64(got.bytes, want.bytes);
                CHECK_EQ_U64(got.tokens, want.tokens);
                CHECK_EQ_U64(got.fingerprints, want.fingerprints);
                CHECK_EQ_U64(got.dropped, want.dropped);
                CHECK_EQ_U64(got.pairs, want.pairs);
                CHECK_EQ_U64(got.passages, want.passages);
                CHECK_EQ_U64(got.stories, want.stories);
                CHECK_EQ_INT(got.max_df, want.max_df);
                for (i = 0; i < N; i++) {
                    const char *a, *b;
                    size_t la, lb;
                    int ra = sd_trace_doc_text(one, i, &a, &la),
                        rb = sd_trace_doc_text(ps[p].t, i, &b, &lb);
                    CHECK(ra == rb &&
                          (ra != 0 || (la == lb && (la == 0 || memcmp(a, b, la) == 0))));
                }
            } else {
                CHECK_EQ_U64(sd_trace_passage_count(ps[p].t), 0);
            }
        }
        stop(ps, np);
    }
    free(dwant);
    sd_trace_free(one);
    free_corpus(texts, N);
}

TEST(trace_memory_limit_gives_the_same_results)
{
    enum { N = 3000 };
    char **texts = corpus(N);
    sd_trace *one, *lim;
    sd_trace_options o;
    sd_trace_stats a, b;
    char *da, *db, dir[] = "/tmp/syndic-test-trace-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    one = trace_all(texts, N, NULL);
    sd_trace_options_init(&o);
    o.memory_limit = 64 << 10; /* buffers of 4,096 keys (the least): runs of both */
    o.tmpdir = dir;
    lim = trace_all(texts, N, &o);
    sd_trace_get_stats(one, &a);
    sd_trace_get_stats(lim, &b);
    da = trace_digest(one);
    db = trace_digest(lim);
    CHECK(strcmp(da, db) == 0);
    CHECK_EQ_U64(a.pairs, b.pairs);
    CHECK_EQ_U64(a.dropped, b.dropped);
    CHECK_EQ_U64(a.passages, b.passages);
    /* 22,300 postings: five runs of them, and a run of anchors */
    if (!(b.spilled >= 6 * 4096 * 16 && a.spilled == 0))
        sd_test_fail(__FILE__, __LINE__, "spilled %llu bytes (limit), %llu (none)",
                     (unsigned long long)b.spilled, (unsigned long long)a.spilled);
    /* the spill files have no names: the directory stays empty */
    CHECK_EQ_INT(rmdir(dir), 0);
    free(da);
    free(db);
    sd_trace_free(one);
    sd_trace_free(lim);
    free_corpus(texts, N);
}

TEST(trace_memory_limit_over_processes_gives_the_same_results)
{
    enum { N = 3000 };
    char **texts = corpus(N);
    sd_trace *one = trace_all(texts, N, NULL);
    proc ps[MAXP];
    hub h;
    char *da, *db;
    unsigned p;
    /* 22,300 postings over 3 processes, buffers of 4,096 keys: each
     * process spills runs of the postings it receives, process 0 of the
     * anchors it gathers */
    start(ps, &h, 3, 5, 0, texts, N, 1, 64 << 10);
    for (p = 0; p < 3; p++)
        CHECK_EQ_INT(ps[p].rc, 0);
    da = trace_digest(one);
    db = trace_digest(ps[0].t);
    CHECK(strcmp(da, db) == 0);
    free(da);
    free(db);
    stop(ps, 3);
    sd_trace_free(one);
    free_corpus(texts, N);
}
