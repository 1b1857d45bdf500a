/*
 * test_sketch.c: MinHash estimates against exact Jaccard, and LSH against the
 * S-curve it promises.
 */
#include <math.h>
#include <stdlib.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "base/keysort.h"
#include "match/lsh.h"
#include "sketch/minhash.h"
#include "sketch/mix.h"
#include "syndic.h"
#include "test.h"

static uint64_t state = 0x243F6A8885A308D3ull;
static uint64_t rnd(void)
{
    return sd_test_xorshift(&state);
}

/*
 * Makes signatures of two sets over a universe of `u` random elements whose
 * Jaccard similarity is exactly `shared / u`: the first `shared` elements are
 * in both, the rest split between A and B.
 */
static void make_pair(size_t u, size_t shared, unsigned k, uint32_t *sa, uint32_t *sb)
{
    size_t i;
    sd__oph_init(sa, k);
    sd__oph_init(sb, k);
    for (i = 0; i < u; i++) {
        uint64_t x = rnd();
        uint64_t h = XXH3_64bits(&x, sizeof x);
        if (i < shared) {
            sd__oph_add(sa, k, h);
            sd__oph_add(sb, k, h);
        } else if (i % 2) {
            sd__oph_add(sa, k, h);
        } else {
            sd__oph_add(sb, k, h);
        }
    }
    sd__oph_densify(sa, k, 7, NULL);
    sd__oph_densify(sb, k, 7, NULL);
}

/* Over many pairs at each similarity, every estimate lies within 4.5 standard
 * deviations of the exact Jaccard, at least 93% within 2, and the mean error
 * (the bias) is below a tenth of a standard deviation of the mean. */
static void check_estimates(size_t universe, unsigned k, int trials)
{
    static const double js[] = {0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.97};
    uint32_t sa[1024], sb[1024];
    size_t j;
    for (j = 0; j < sizeof js / sizeof js[0]; j++) {
        size_t shared = (size_t)(js[j] * (double)universe + 0.5);
        double exact = (double)shared / (double)universe;
        double sigma = sqrt(exact * (1 - exact) / k);
        double sum = 0;
        int t, within2 = 0, outside = 0;
        for (t = 0; t < trials; t++) {
            double est;
            make_pair(universe, shared, k, sa, sb);
            est = sd_minhash_similarity(sa, sb, k);
            sum += est - exact;
            within2 += fabs(est - exact) <= 2 * sigma;
            outside += fabs(est - exact) > 4.5 * sigma;
        }
        CHECK_EQ_INT(outside, 0);
        CHECK((double)within2 >= 0.93 * trials);
        CHECK_NEAR(sum / trials, 0.0, 4 * sigma / sqrt((double)trials) + 0.002);
    }
}

TEST(minhash_estimate_within_bound_large_sets)
{
    check_estimates(5000, 128, 300);
    check_estimates(5000, 256, 100);
}

TEST(minhash_estimate_within_bound_small_sets)
{
    /* Fewer elements than bins: densification fills most bins. The estimate
     * is still unbiased; its variance is larger, so test the bias only. */
    static const double js[] = {0.2, 0.5, 0.8};
    uint32_t sa[128], sb[128];
    size_t j;
    for (j = 0; j < 3; j++) {
        size_t u = 60, shared = (size_t)(js[j] * 60 + 0.5);
        double exact = (double)shared / 60.0, sum = 0;
        int t, trials = 2000;
        for (t = 0; t < trials; t++) {
            make_pair(u, shared, 128, sa, sb);
            sum += sd_minhash_similarity(sa, sb, 128);
        }
        CHECK_NEAR(sum / trials, exact, 0.02);
    }
}

TEST(minhash_identical_and_disjoint)
{
    uint32_t sa[128], sb[128];
    make_pair(1000, 1000, 128, sa, sb);
    CHECK_NEAR(sd_minhash_similarity(sa, sb, 128), 1.0, 0);
    make_pair(1000, 0, 128, sa, sb);
    CHECK(sd_minhash_similarity(sa, sb, 128) < 0.05);
    /* an empty signature stays empty */
    sd__oph_init(sa, 128);
    sd__oph_densify(sa, 128, 7, NULL);
    CHECK_EQ_U64(sa[0], SD_MINHASH_EMPTY);
    CHECK_EQ_U64(sa[127], SD_MINHASH_EMPTY);
}

TEST(minhash_tokens_shingles)
{
    sd_token t[10];
    uint32_t a[64], b[64];
    size_t i;
    for (i = 0; i < 10; i++) {
        t[i].off = (uint32_t)i;
        t[i].len = 1;
        t[i].hash = XXH3_64bits(&i, sizeof i);
    }
    CHECK_EQ_U64(sd__minhash_tokens(t, 10, 5, 64, 0, a, NULL), 6);
    CHECK_EQ_U64(sd__minhash_tokens(t, 3, 5, 64, 0, a, NULL), 1);
    CHECK_EQ_U64(sd__minhash_tokens(t, 0, 5, 64, 0, a, NULL), 0);
    /* the same tokens give the same signature; another seed another one */
    sd__minhash_tokens(t, 10, 3, 64, 0, a, NULL);
    sd__minhash_tokens(t, 10, 3, 64, 0, b, NULL);
    CHECK_EQ_INT(sd__minhash_matches(a, b, 64), 64);
    sd__minhash_tokens(t, 10, 3, 64, 99, b, NULL);
    CHECK(sd__minhash_matches(a, b, 64) < 32);
}

/* The sliding polynomial in sd__minhash_tokens gives the same shingles as
 * hashing each window directly. */
TEST(minhash_rolling_equals_direct)
{
    sd_token t[200];
    uint64_t h[200];
    uint32_t a[128], b[128];
    size_t i, n;
    unsigned ngram;
    for (i = 0; i < 200; i++) {
        h[i] = rnd();
        t[i].off = (uint32_t)i;
        t[i].len = 1;
        t[i].hash = h[i];
    }
    for (ngram = 1; ngram <= 9; ngram += 2)
        for (n = 1; n <= 200; n += 37) {
            sd__minhash_tokens(t, n, ngram, 128, 5, a, NULL);
            sd__oph_init(b, 128);
            if (n < ngram)
                sd__oph_add(b, 128, sd__shingle_hash(h, n, 5));
            for (i = 0; n >= ngram && i + ngram <= n; i++)
                sd__oph_add(b, 128, sd__shingle_hash(h + i, ngram, 5));
            sd__oph_densify(b, 128, 5, NULL);
            CHECK_EQ_INT(sd__minhash_matches(a, b, 128), 128);
        }
}

/* The signature built from pieces (sd_shingler) equals the one built
 * from the whole sequence, for every shingle size and pieces of any size,
 * empty ones and ones shorter than a shingle included. */
TEST(minhash_pieces_equal_whole)
{
    sd_token t[300];
    uint32_t a[128], b[128];
    size_t i, n, at;
    unsigned ngram, bad = 0;
    for (i = 0; i < 300; i++) {
        t[i].off = (uint32_t)i;
        t[i].len = 1;
        t[i].hash = rnd();
    }
    for (ngram = 1; ngram <= 64; ngram++)
        for (n = 0; n <= 300; n += 1 + (size_t)(rnd() % 70)) {
            sd_shingler sh;
            size_t ca = sd__minhash_tokens(t, n, ngram, 128, 7, a, NULL), cb;
            sd__shingler_init(&sh, ngram, 128, 7, b);
            for (at = 0; at < n;) {
                size_t piece = (size_t)(rnd() % (ngram + 4));
                if (piece > n - at)
                    piece = n - at;
                sd__shingler_add(&sh, t + at, piece);
                at += piece;
            }
            cb = sd__shingler_finish(&sh, 7, NULL);
            bad += ca != cb || sd__minhash_matches(a, b, 128) != 128;
        }
    CHECK_EQ_INT(bad, 0);
}

TEST(lsh_params_fit_threshold)
{
    static const double ts[] = {0.5, 0.7, 0.8, 0.9};
    size_t i;
    for (i = 0; i < 4; i++) {
        unsigned b, r;
        sd__lsh_params(ts[i], 128, 0.05, 0.95, &b, &r);
        CHECK(b * r <= 128);
        CHECK(b >= 1 && r >= 1);
        /* well above the threshold is found, well below is mostly not */
        CHECK(sd__lsh_probability(ts[i] + 0.05 > 1 ? 1 : ts[i] + 0.05, b, r) > 0.98);
        CHECK(sd__lsh_probability(ts[i] - 0.35, b, r) < 0.25);
    }
}

/* Pairs at similarity s collide in at least one band at the rate P(s). */
TEST(lsh_collision_rate_follows_s_curve)
{
    static const double ss[] = {0.4, 0.6, 0.7, 0.8, 0.9};
    unsigned b = 20, r = 5, k = 128;
    uint32_t sa[128], sb[128];
    size_t j;
    for (j = 0; j < sizeof ss / sizeof ss[0]; j++) {
        int t, trials = 600, hits = 0;
        double p = sd__lsh_probability(ss[j], b, r);
        for (t = 0; t < trials; t++) {
            unsigned band;
            make_pair(4000, (size_t)(ss[j] * 4000), k, sa, sb);
            for (band = 0; band < b; band++)
                if (sd__lsh_band_hash(sa, band, r, 1) == sd__lsh_band_hash(sb, band, r, 1)) {
                    hits++;
                    break;
                }
        }
        CHECK_NEAR((double)hits / trials, p, 4 * sqrt(p * (1 - p) / trials) + 0.02);
    }
}

TEST(lsh_pairs_from_buckets)
{
    sd_kv kv[6] = {{1, 0}, {1, 3}, {1, 5}, {2, 1}, {3, 2}, {3, 4}};
    sd_kv *pairs = NULL;
    size_t n = 0, cap = 0;
    long u;
    CHECK_EQ_INT(sd__lsh_pairs(kv, 6, 16, &pairs, &n, &cap), 0);
    CHECK_EQ_U64(n, 4); /* (0,3) (0,5) (3,5) (2,4) */
    u = sd__kv_unique(pairs, n);
    CHECK_EQ_INT(u, 4);
    CHECK_EQ_U64(pairs[0].key, 0);
    CHECK_EQ_U64(pairs[0].val, 3);
    CHECK_EQ_U64(pairs[3].key, 3);
    CHECK_EQ_U64(pairs[3].val, 5);
    /* a large bucket is paired in linear space: first and predecessor */
    n = 0;
    CHECK_EQ_INT(sd__lsh_pairs(kv, 3, 2, &pairs, &n, &cap), 0);
    CHECK_EQ_U64(n, 3); /* (0,3) (0,5) (3,5) */
    free(pairs);
}

/* The coarse integration picks the same banding as a fine one would. */
TEST(lsh_params_stable_under_integration_step)
{
    static const unsigned ks[] = {128, 256};
    size_t i;
    for (i = 0; i < 2; i++) {
        int t;
        for (t = 30; t <= 95; t += 5) {
            double thr = t / 100.0, best = INFINITY;
            unsigned b, r, bb = 0, br = 0, gb, gr;
            for (b = 1; b <= ks[i]; b++)
                for (r = 1; r * b <= ks[i]; r++) {
                    /* 1000-interval trapezoid areas */
                    double fp = 0, fn = 0;
                    int s;
                    for (s = 0; s < 1000; s++) {
                        double x = (s + 0.5) / 1000.0;
                        double p = sd__lsh_probability(x, b, r);
                        if (x < thr)
                            fp += p / 1000.0;
                        else
                            fn += (1 - p) / 1000.0;
                    }
                    if (0.05 * fp + 0.95 * fn < best - 1e-12) {
                        best = 0.05 * fp + 0.95 * fn;
                        bb = b;
                        br = r;
                    }
                }
            sd__lsh_params(thr, ks[i], 0.05, 0.95, &gb, &gr);
            /* the choice kept for the process is the one just made, and
             * a choice for other arguments in between does not change it */
            {
                unsigned kb, kr, ob, orr;
                sd__lsh_params(thr, ks[i], 0.05, 0.95, &kb, &kr);
                sd__lsh_params(thr, ks[i], 0.5, 0.5, &ob, &orr);
                CHECK(kb == gb && kr == gr);
                sd__lsh_params(thr, ks[i], 0.05, 0.95, &kb, &kr);
                CHECK(kb == gb && kr == gr);
            }
            /* equal, or a banding whose cost is within 0.1% of the best */
            if (gb != bb || gr != br) {
                double fp = 0, fn = 0;
                int s;
                for (s = 0; s < 1000; s++) {
                    double x = (s + 0.5) / 1000.0;
                    double p = sd__lsh_probability(x, gb, gr);
                    if (x < thr)
                        fp += p / 1000.0;
                    else
                        fn += (1 - p) / 1000.0;
                }
                CHECK(0.05 * fp + 0.95 * fn <= best * 1.001 + 1e-9);
            }
        }
    }
}

/* Optimal densification as defined, probing by hash on every attempt: the
 * oracle for the table of first probes that sd__oph_densify keeps. */
static void densify_ref(uint32_t *sig, unsigned k, uint64_t seed)
{
    unsigned char filled[SD_MINHASH_MAX_BINS];
    unsigned i, nfilled = 0;
    for (i = 0; i < k; i++) {
        filled[i] = sig[i] != SD_MINHASH_EMPTY;
        nfilled += filled[i];
    }
    if (nfilled == 0 || nfilled == k)
        return;
    for (i = 0; i < k; i++) {
        uint64_t attempt;
        if (filled[i])
            continue;
        for (attempt = 1;; attempt++) {
            uint64_t h = sd__mix64(seed ^ sd__mix64(((uint64_t)i << 32) | attempt));
            unsigned j = (unsigned)(((unsigned __int128)h * k) >> 64);
            if (filled[j]) {
                sig[i] = sig[j];
                break;
            }
        }
    }
}

/* Sizes that are and are not multiples of 4 bins (the SSE2 step) and of
 * 64 (a word of the bit sets of bins). */
TEST(oph_densify_matches_its_definition)
{
    static const unsigned ks[] = {8, 13, 24, 64, 200, 256, 512, 1000, 2048};
    static uint32_t a[SD_MINHASH_MAX_BINS], b[SD_MINHASH_MAX_BINS];
    unsigned t, r, i, bad = 0;
    for (t = 0; t < sizeof ks / sizeof ks[0]; t++)
        for (r = 0; r < 40; r++) {
            unsigned k = ks[t];
            /* from nearly empty to nearly full, seeds alternating so the
             * table of first probes is rebuilt and reused */
            unsigned fill = 1 + (unsigned)(rnd() % k);
            uint64_t seed = r % 3;
            sd__oph_init(a, k);
            for (i = 0; i < fill; i++)
                a[rnd() % k] = (uint32_t)(rnd() >> 40);
            memcpy(b, a, k * sizeof *a);
            sd__oph_densify(a, k, seed, NULL);
            densify_ref(b, k, seed);
            bad += memcmp(a, b, k * sizeof *a) != 0;
            for (i = 0; i < k; i++)
                bad += a[i] == SD_MINHASH_EMPTY;
        }
    CHECK_EQ_INT(bad, 0);
}

/* With the table of where each bin's probes first land (sd_oph_first), a
 * sparse signature densifies exactly as by its definition: a few shingles
 * (the short texts that made densification by probing slow) and up to the
 * point where probing takes over again. */
TEST(oph_densify_sparse_table_matches_its_definition)
{
    static const unsigned ks[] = {16, 100, 512, 2048}; /* 100: a tail past the vectors */
    static uint32_t a[SD_MINHASH_MAX_BINS], b[SD_MINHASH_MAX_BINS];
    unsigned t, r, i, bad = 0;
    for (t = 0; t < sizeof ks / sizeof ks[0]; t++) {
        unsigned k = ks[t];
        uint64_t seed = 11 + t;
        sd_oph_first f, g;
        CHECK_EQ_INT(sd__oph_first_init(&f, k, seed), 0);
        /* the process's kept table is shared, never built twice */
        CHECK_EQ_INT(sd__oph_first_init(&g, k, seed), 0);
        CHECK_EQ_INT(g.shared, f.shared);
        CHECK(!f.shared || g.at == f.at);
        sd__oph_first_release(&g);
        for (r = 0; r < 60; r++) {
            unsigned fill = 1 + r % 40;
            sd__oph_init(a, k);
            for (i = 0; i < fill; i++)
                a[rnd() % k] = (uint32_t)(rnd() >> 40);
            memcpy(b, a, k * sizeof *a);
            sd__oph_densify(a, k, seed, &f);
            densify_ref(b, k, seed);
            bad += memcmp(a, b, k * sizeof *a) != 0;
        }
        /* a table made for another seed is not used */
        sd__oph_init(a, k);
        a[0] = 5;
        memcpy(b, a, k * sizeof *a);
        sd__oph_densify(a, k, seed + 1, &f);
        densify_ref(b, k, seed + 1);
        bad += memcmp(a, b, k * sizeof *a) != 0;
        sd__oph_first_release(&f);
    }
    CHECK_EQ_INT(bad, 0);
}
