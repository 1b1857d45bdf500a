/*
 * test_dedup.c: the dedup job through the public API, against exact Jaccard.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ref/jaccard.h"
#include "syndic.h"
#include "test.h"
#include "text/tokenize.h"

static uint64_t state = 0xD1B54A32D192ED03ull;
static uint64_t rnd(void)
{
    return sd_test_xorshift(&state);
}

/* A random text of `words` words over a vocabulary of `vocab` words. */
static char *random_text(size_t words, size_t vocab)
{
    return sd_test_words(&state, words, vocab);
}

/* Replaces about `rate` of the words of s by new words. */
static char *edit_text(const char *s, double rate)
{
    size_t len = strlen(s), n = 0;
    char *o = malloc(len * 2 + 64);
    const char *p = s;
    while (*p) {
        const char *e = strchr(p, ' ');
        size_t wl = e ? (size_t)(e - p) : strlen(p);
        if ((double)(rnd() % 10000) < rate * 10000)
            n += (size_t)sprintf(o + n, "x%llu", (unsigned long long)(rnd() % 100000));
        else {
            memcpy(o + n, p, wl);
            n += wl;
        }
        p += wl;
        if (*p == ' ') {
            o[n++] = ' ';
            p++;
        }
    }
    o[n] = '\0';
    return o;
}

static sd_dedup *run(const sd_doc *docs, size_t n, unsigned threads, double thr)
{
    sd_dedup_options o;
    sd_dedup *d = NULL;
    sd_dedup_options_init(&o);
    o.threads = threads;
    o.threshold = thr;
    CHECK_EQ_INT(sd_dedup_new(&o, &d, NULL), 0);
    /* two batches, to check indexes carry over */
    CHECK_EQ_INT(sd_dedup_add(d, docs, n / 2), 0);
    CHECK_EQ_INT(sd_dedup_add(d, docs + n / 2, n - n / 2), 0);
    CHECK_EQ_INT(sd_dedup_finish(d, NULL, NULL), 0);
    return d;
}

TEST(dedup_small_cases)
{
    char *a = random_text(300, 5000);
    char *b = edit_text(a, 0.01); /* J about 0.9 */
    char *c = random_text(300, 5000);
    sd_doc docs[6];
    sd_dedup *d;
    sd_dedup_result r;
    sd_dedup_stats st;
    docs[0].text = a;
    docs[0].len = strlen(a);
    docs[1].text = c;
    docs[1].len = strlen(c);
    docs[2].text = b;
    docs[2].len = strlen(b);
    docs[3].text = NULL;
    docs[3].len = 0; /* a failed record */
    docs[4].text = a;
    docs[4].len = strlen(a); /* exact copy */
    docs[5].text = "";
    docs[5].len = 0; /* no words */
    d = run(docs, 6, 2, 0.8);
    sd_dedup_get(d, 0, &r);
    CHECK_EQ_U64(r.rep, 0);
    CHECK_EQ_U64(r.cluster, 0);
    sd_dedup_get(d, 1, &r);
    CHECK_EQ_U64(r.rep, 1);
    CHECK_EQ_U64(r.cluster, 1);
    sd_dedup_get(d, 2, &r);
    CHECK_EQ_U64(r.rep, 0);
    CHECK(r.similarity > 0.8 && r.similarity < 1.0);
    CHECK_EQ_INT(r.exact, 0);
    sd_dedup_get(d, 3, &r);
    CHECK_EQ_INT(r.absent, 1);
    sd_dedup_get(d, 4, &r);
    CHECK_EQ_U64(r.rep, 0);
    CHECK_EQ_INT(r.exact, 1);
    CHECK_NEAR(r.similarity, 1.0, 0);
    sd_dedup_get(d, 5, &r);
    CHECK_EQ_U64(r.rep, 5);
    CHECK_EQ_U64(r.cluster, 2);
    sd_dedup_get_stats(d, &st);
    CHECK_EQ_U64(st.docs, 6);
    CHECK_EQ_U64(st.absent, 1);
    CHECK_EQ_U64(st.clusters, 3);
    CHECK_EQ_U64(st.duplicates, 2);
    CHECK_EQ_U64(st.exact_duplicates, 1);
    CHECK_EQ_INT(sd_dedup_get(d, 6, &r), SD_EINVAL);
    sd_dedup_free(d);
    free(a);
    free(b);
    free(c);
}

TEST(dedup_rejects_bad_options)
{
    sd_dedup_options o;
    sd_dedup *d = NULL;
    sd_dedup_options_init(&o);
    o.num_perm = 100;
    CHECK_EQ_INT(sd_dedup_new(&o, &d, NULL), SD_EINVAL);
    sd_dedup_options_init(&o);
    o.threshold = 0;
    CHECK_EQ_INT(sd_dedup_new(&o, &d, NULL), SD_EINVAL);
    sd_dedup_options_init(&o);
    o.bands = 30;
    o.rows = 10; /* 300 values from a signature of 256 */
    CHECK_EQ_INT(sd_dedup_new(&o, &d, NULL), SD_EINVAL);
    CHECK(d == NULL);
    sd_dedup_free(NULL);
}

/*
 * Families of edited copies at many similarities: the clustering must agree
 * with exact Jaccard on pairs clearly above or below the threshold, and the
 * output must be the same for 1 and 4 threads.
 */
TEST(dedup_agrees_with_exact_jaccard_and_threads)
{
    enum { FAMILIES = 60, PER = 4, N = FAMILIES * PER };
    sd_doc docs[N];
    char *texts[N];
    uint64_t *sh[N];
    long nsh[N];
    size_t i, f, wrong = 0, clear = 0, diff = 0;
    sd_dedup *d1, *d4, *dp;
    for (f = 0; f < FAMILIES; f++) {
        char *base = random_text(200 + rnd() % 400, 20000);
        texts[f * PER] = base;
        for (i = 1; i < PER; i++)
            texts[f * PER + i] = edit_text(base, (double)(rnd() % 100) / 1000.0);
    }
    for (i = 0; i < N; i++) {
        docs[i].text = texts[i];
        docs[i].len = strlen(texts[i]);
        nsh[i] = ref_shingles(texts[i], docs[i].len, 5, 0, &sh[i]);
    }
    d1 = run(docs, N, 1, 0.8);
    d4 = run(docs, N, 4, 0.8);
    /* texts sketched in pieces of about 50 bytes give the same results */
    sd__token_piece = 50;
    dp = run(docs, N, 4, 0.8);
    sd__token_piece = SD_TOKEN_PIECE;
    for (i = 0; i < N; i++) {
        sd_dedup_result a, b, c;
        sd_dedup_get(d1, i, &a);
        sd_dedup_get(d4, i, &b);
        sd_dedup_get(dp, i, &c);
        diff += a.rep != b.rep || a.cluster != b.cluster || a.similarity != b.similarity;
        diff += a.rep != c.rep || a.cluster != c.cluster || a.similarity != c.similarity;
    }
    CHECK_EQ_U64(diff, 0);
    sd_dedup_free(dp);
    for (f = 0; f < FAMILIES; f++) {
        size_t x, y;
        for (x = f * PER; x < f * PER + PER; x++)
            for (y = x + 1; y < f * PER + PER; y++) {
                double j = ref_jaccard(sh[x], (size_t)nsh[x], sh[y], (size_t)nsh[y]);
                sd_dedup_result a, b;
                sd_dedup_get(d1, x, &a);
                sd_dedup_get(d1, y, &b);
                /* clearly above: together; clearly below and not chained
                 * through a third member: apart */
                if (j >= 0.9) {
                    clear++;
                    wrong += a.rep != b.rep;
                } else if (j < 0.6) {
                    size_t z, chained = 0;
                    for (z = f * PER; z < f * PER + PER; z++)
                        if (z != x && z != y &&
                            ref_jaccard(sh[x], (size_t)nsh[x], sh[z], (size_t)nsh[z]) >= 0.7 &&
                            ref_jaccard(sh[y], (size_t)nsh[y], sh[z], (size_t)nsh[z]) >= 0.7)
                            chained = 1;
                    if (!chained) {
                        clear++;
                        wrong += a.rep == b.rep;
                    }
                }
            }
    }
    CHECK(clear > 100);
    CHECK_EQ_U64(wrong, 0);
    /* no pair across families is ever joined */
    for (i = 0; i < N; i++) {
        sd_dedup_result a;
        sd_dedup_get(d1, i, &a);
        CHECK_EQ_U64(a.rep / PER, i / PER);
    }
    sd_dedup_free(d1);
    sd_dedup_free(d4);
    for (i = 0; i < N; i++) {
        free(texts[i]);
        free(sh[i]);
    }
}

/* sd_minhash on real text estimates the exact Jaccard within 4.5 sigma. */
TEST(minhash_text_estimate_vs_exact)
{
    int t, bad = 0;
    for (t = 0; t < 100; t++) {
        char *a = random_text(500, 3000);
        char *b = edit_text(a, (double)(t % 20) / 100.0);
        uint32_t sa[256], sb[256];
        uint64_t *xa, *xb;
        long na = ref_shingles(a, strlen(a), 5, 3, &xa), nb = ref_shingles(b, strlen(b), 5, 3, &xb);
        double j = ref_jaccard(xa, (size_t)na, xb, (size_t)nb);
        double sigma = sqrt(j * (1 - j) / 256) + 1e-9;
        size_t ka = 0, kb = 0;
        CHECK_EQ_INT(sd_minhash(a, strlen(a), 5, 256, 3, sa, &ka), 0);
        CHECK_EQ_INT(sd_minhash(b, strlen(b), 5, 256, 3, sb, &kb), 0);
        CHECK(ka > 0 && kb > 0);
        bad += fabs(sd_minhash_similarity(sa, sb, 256) - j) > 4.5 * sigma + 0.01;
        free(a);
        free(b);
        free(xa);
        free(xb);
    }
    CHECK_EQ_INT(bad, 0);
}

/* With a memory limit, signatures and keys go through temporary files in
 * sorted runs; the results must be the same as in memory, bit for bit, on
 * a corpus with near-duplicate families, exact copies, empty and absent
 * documents, and a bucket larger than FULL_BUCKET (near-copies that differ
 * in one word). The files have no names: the directory stays empty. */
TEST(dedup_memory_limit_gives_the_same_results)
{
    enum { N = 6000 };
    sd_doc *docs = calloc(N, sizeof *docs);
    char **texts = calloc(N, sizeof *texts);
    char dir[] = "/tmp/syndic-test-spill-XXXXXX";
    sd_dedup_options o;
    sd_dedup *mem = NULL, *spill = NULL;
    sd_dedup_stats a, b;
    size_t i, diff = 0, step = 0, entries = 0;
    char *near = random_text(300, 20000);
    CHECK(mkdtemp(dir) != NULL);
    for (i = 0; i < N; i++) {
        if (i % 97 == 5)
            texts[i] = NULL; /* absent */
        else if (i % 89 == 7)
            texts[i] = strdup(""); /* no words */
        else if (i % 3 == 1 && texts[i - 1])
            texts[i] = (i % 6 == 1) ? strdup(texts[i - 1]) : edit_text(texts[i - 1], 0.03);
        else if (i >= 100 && i < 140) {
            /* one bucket of 40 near-copies */
            size_t len = strlen(near);
            texts[i] = malloc(len + 16);
            sprintf(texts[i], "%s z%zu", near, i);
        } else
            texts[i] = random_text(80 + rnd() % 300, 30000);
        docs[i].text = texts[i];
        docs[i].len = texts[i] ? strlen(texts[i]) : 0;
    }
    sd_dedup_options_init(&o);
    o.threads = 2;
    CHECK_EQ_INT(sd_dedup_new(&o, &mem, NULL), 0);
    CHECK_EQ_INT(sd_dedup_add(mem, docs, N), 0);
    CHECK_EQ_INT(sd_dedup_finish(mem, NULL, NULL), 0);
    o.memory_limit = 1 << 20;
    o.tmpdir = dir;
    CHECK_EQ_INT(sd_dedup_new(&o, &spill, NULL), 0);
    for (i = 0; i < N; i += step) {
        step = 1 + rnd() % 1500;
        if (i + step > N)
            step = N - i;
        CHECK_EQ_INT(sd_dedup_add(spill, docs + i, step), 0);
    }
    {
        char cmd[128];
        FILE *p;
        snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
        p = popen(cmd, "r");
        CHECK(p != NULL && fscanf(p, "%zu", &entries) == 1);
        if (p)
            pclose(p);
        CHECK_EQ_U64(entries, 0);
    }
    CHECK_EQ_INT(sd_dedup_finish(spill, NULL, NULL), 0);
    for (i = 0; i < N; i++) {
        sd_dedup_result x, y;
        CHECK_EQ_INT(sd_dedup_get(mem, i, &x), 0);
        CHECK_EQ_INT(sd_dedup_get(spill, i, &y), 0);
        diff += x.rep != y.rep || x.cluster != y.cluster || x.similarity != y.similarity ||
                x.absent != y.absent || x.exact != y.exact;
    }
    CHECK_EQ_U64(diff, 0);
    sd_dedup_get_stats(mem, &a);
    sd_dedup_get_stats(spill, &b);
    CHECK_EQ_U64(a.candidates, b.candidates);
    CHECK_EQ_U64(a.verified, b.verified);
    CHECK_EQ_U64(a.clusters, b.clusters);
    CHECK_EQ_U64(a.exact_duplicates, b.exact_duplicates);
    /* every path taken: exact copies, candidates that pass and that fail */
    CHECK(a.exact_duplicates > 500 && a.verified > 300 && a.candidates > a.verified);
    CHECK(b.spilled > (uint64_t)N * 6 * 256); /* every record, and key runs */
    CHECK_EQ_U64(a.spilled, 0);
    sd_dedup_free(mem);
    sd_dedup_free(spill);
    CHECK_EQ_INT(rmdir(dir), 0);
    for (i = 0; i < N; i++)
        free(texts[i]);
    free(texts);
    free(docs);
    free(near);
}

/* A copy of a copy: B is a near copy of A, B2 a byte-for-byte copy of B.
 * B2's representative is A, so its similarity and its exactness are
 * against A: B's similarity, and not exact (issue 15). In memory and under
 * a memory limit. */
TEST(dedup_copy_of_a_copy_is_measured_against_the_representative)
{
    char *a = random_text(200, 20000), *b = edit_text(a, 0.01);
    sd_doc docs[4];
    unsigned lim;
    docs[0].text = a;
    docs[0].len = strlen(a);
    docs[1].text = b;
    docs[1].len = strlen(b);
    docs[2] = docs[1]; /* B2 */
    docs[3] = docs[0]; /* A2: an exact copy of the representative */
    for (lim = 0; lim < 2; lim++) {
        sd_dedup_options o;
        sd_dedup *d = NULL;
        sd_dedup_result rb, rb2, ra2;
        sd_dedup_stats st;
        sd_dedup_options_init(&o);
        o.threads = 1;
        o.memory_limit = lim ? (uint64_t)16 << 10 : 0;
        o.tmpdir = sd_test_tmpdir();
        CHECK_EQ_INT(sd_dedup_new(&o, &d, NULL), 0);
        CHECK_EQ_INT(sd_dedup_add(d, docs, 4), 0);
        CHECK_EQ_INT(sd_dedup_finish(d, NULL, NULL), 0);
        CHECK_EQ_INT(sd_dedup_get(d, 1, &rb), 0);
        CHECK_EQ_INT(sd_dedup_get(d, 2, &rb2), 0);
        CHECK_EQ_INT(sd_dedup_get(d, 3, &ra2), 0);
        CHECK_EQ_U64(rb.rep, 0);
        CHECK_EQ_U64(rb2.rep, 0);
        CHECK(rb.similarity < 1.0 && rb.similarity > 0.8);
        CHECK_NEAR(rb2.similarity, rb.similarity, 0);
        CHECK_EQ_INT(rb2.exact, 0);
        CHECK_EQ_INT(ra2.exact, 1);
        CHECK_NEAR(ra2.similarity, 1.0, 0);
        sd_dedup_get_stats(d, &st);
        CHECK_EQ_U64(st.duplicates, 3);
        CHECK_EQ_U64(st.exact_duplicates, 1);
        sd_dedup_free(d);
    }
    free(a);
    free(b);
}
