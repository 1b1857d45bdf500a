/*
 * test_winnow.c: winnowing against a direct per-window minimum, and the
 * guarantee that any shared run of w + k - 1 tokens shares a fingerprint.
 */
#include <stdlib.h>

#include "base/alloc.h"
#include "sketch/winnow.h"
#include "test.h"

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Random tokens over a small vocabulary, so equal k-grams and ties occur. */
static void fill(sd_token *t, size_t n, unsigned vocab, uint64_t *s)
{
    size_t i;
    for (i = 0; i < n; i++) {
        t[i].off = (uint32_t)i;
        t[i].len = 1;
        t[i].hash = rng_next(s) % vocab + 1;
    }
}

TEST(winnow_matches_direct_window_minimum)
{
    uint64_t s = 7;
    int round;
    for (round = 0; round < 200; round++) {
        size_t n = (size_t)(rng_next(&s) % 300), nfp = 0, cap = 0, ng, i, j, m = 0;
        unsigned k = (unsigned)(rng_next(&s) % 6) + 1, w = (unsigned)(rng_next(&s) % 12) + 1;
        sd_token t[300];
        sd_fp *fp = NULL;
        size_t last = SIZE_MAX;
        fill(t, n, 4 + (unsigned)(round % 50), &s);
        CHECK_EQ_INT(sd__winnow(t, n, k, w, &fp, &nfp, &cap), 0);
        if (n < k) {
            CHECK_EQ_U64(nfp, 0);
            sd__free(fp);
            continue;
        }
        ng = n - k + 1;
        /* direct: the rightmost minimum of every window, deduplicated */
        for (i = 0; i + (ng < w ? ng : w) <= ng; i++) {
            size_t win = ng < w ? ng : w, best = i;
            for (j = i; j < i + win; j++)
                if (sd__kgram_hash(t + j, k) <= sd__kgram_hash(t + best, k))
                    best = j;
            if (best != last) {
                CHECK(m < nfp);
                if (m < nfp) {
                    CHECK_EQ_U64(fp[m].pos, best);
                    CHECK_EQ_U64(fp[m].hash, sd__kgram_hash(t + best, k));
                }
                m++;
                last = best;
            }
        }
        CHECK_EQ_U64(m, nfp);
        sd__free(fp);
    }
}

TEST(winnow_shared_run_shares_a_fingerprint)
{
    uint64_t s = 99;
    int round;
    for (round = 0; round < 500; round++) {
        unsigned minp = 2 + (unsigned)(rng_next(&s) % 60), k, w;
        size_t na, nb, run, pa, pb, i, j, n1 = 0, c1 = 0, n2 = 0, c2 = 0;
        sd_token a[400], b[400];
        sd_fp *fa = NULL, *fb = NULL;
        int shared = 0;
        sd__winnow_params(minp, &k, &w);
        CHECK(k >= 1 && w >= 1);
        CHECK_EQ_U64(w + k - 1, minp);
        run = w + k - 1;
        na = run + (size_t)(rng_next(&s) % 200);
        nb = run + (size_t)(rng_next(&s) % 200);
        fill(a, na, 1000000, &s);
        fill(b, nb, 1000000, &s);
        pa = (size_t)(rng_next(&s) % (na - run + 1));
        pb = (size_t)(rng_next(&s) % (nb - run + 1));
        for (i = 0; i < run; i++)
            b[pb + i].hash = a[pa + i].hash;
        CHECK_EQ_INT(sd__winnow(a, na, k, w, &fa, &n1, &c1), 0);
        CHECK_EQ_INT(sd__winnow(b, nb, k, w, &fb, &n2, &c2), 0);
        for (i = 0; i < n1 && !shared; i++)
            for (j = 0; j < n2; j++)
                if (fa[i].hash == fb[j].hash && fa[i].pos >= pa && fa[i].pos + k <= pa + run &&
                    fb[j].pos >= pb && fb[j].pos + k <= pb + run &&
                    fa[i].pos - pa == fb[j].pos - pb) {
                    shared = 1;
                    break;
                }
        CHECK(shared);
        sd__free(fa);
        sd__free(fb);
    }
}

TEST(winnow_short_and_empty)
{
    sd_token t[3] = {{0, 1, 5}, {2, 1, 6}, {4, 1, 7}};
    sd_fp *fp = NULL;
    size_t n = 0, cap = 0;
    CHECK_EQ_INT(sd__winnow(t, 0, 3, 4, &fp, &n, &cap), 0);
    CHECK_EQ_U64(n, 0);
    CHECK_EQ_INT(sd__winnow(t, 2, 3, 4, &fp, &n, &cap), 0);
    CHECK_EQ_U64(n, 0);
    CHECK_EQ_INT(sd__winnow(t, 3, 3, 4, &fp, &n, &cap), 0);
    CHECK_EQ_U64(n, 1);
    CHECK_EQ_U64(fp[0].pos, 0);
    sd__free(fp);
}

/* Fingerprints from token pieces (sd_winnower) equal those of the whole
 * sequence, with pieces of any size (empty, shorter than a k-gram) and
 * windows and k-grams longer than the state's inline rings. */
TEST(winnow_pieces_equal_whole)
{
    uint64_t s = 11;
    int round, bad = 0;
    static sd_token t[2000];
    for (round = 0; round < 300; round++) {
        size_t n = (size_t)(rng_next(&s) % 2000), na = 0, ca = 0, nb = 0, cb = 0, at, i;
        unsigned k = (unsigned)(rng_next(&s) % (round % 3 ? 8 : 70)) + 1;
        unsigned w = (unsigned)(rng_next(&s) % (round % 2 ? 30 : 100)) + 1;
        sd_fp *fa = NULL, *fb = NULL;
        sd_winnower z;
        fill(t, n, 4 + (unsigned)(round % 50), &s);
        CHECK_EQ_INT(sd__winnow(t, n, k, w, &fa, &na, &ca), 0);
        CHECK_EQ_INT(sd__winnower_init(&z, k, w), 0);
        for (at = 0; at < n;) {
            size_t piece = (size_t)(rng_next(&s) % (2 * (k + w)));
            if (piece > n - at)
                piece = n - at;
            CHECK_EQ_INT(sd__winnower_add(&z, t + at, piece, &fb, &nb, &cb), 0);
            at += piece;
        }
        CHECK_EQ_INT(sd__winnower_finish(&z, &fb, &nb, &cb), 0);
        sd__winnower_release(&z);
        if (na != nb)
            bad++;
        else
            for (i = 0; i < na; i++)
                if (fa[i].hash != fb[i].hash || fa[i].pos != fb[i].pos) {
                    bad++;
                    break;
                }
        sd__free(fa);
        sd__free(fb);
    }
    CHECK_EQ_INT(bad, 0);
}
