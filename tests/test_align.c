/*
 * test_align.c: the passage aligner against slow references (longest common
 * substring, full edit distance), on random and constructed token sequences:
 * planted shared runs, moved paragraphs, word edits.
 */
#include <stdlib.h>

#include "base/alloc.h"
#include "match/align.h"
#include "ref/align_ref.h"
#include "sketch/winnow.h"
#include "test.h"

static uint64_t st = 0x853C49E6748FEA9Bull;
static uint32_t rnd32(void)
{
    return (uint32_t)(sd_test_xorshift(&st) >> 16);
}

typedef struct seq {
    uint32_t h[4000], off[4000], end[4000];
    size_t n;
} seq;

static void seq_random(seq *s, size_t n, uint32_t vocab)
{
    size_t i;
    s->n = n;
    for (i = 0; i < n; i++) {
        s->h[i] = rnd32() % vocab + 1;
        s->off[i] = (uint32_t)(2 * i);
        s->end[i] = (uint32_t)(2 * i + 1);
    }
}

/* Anchors as sd_trace makes them: winnow both sides, pair equal hashes. */
static size_t anchors_of(const seq *a, const seq *b, unsigned minp, unsigned *k, uint64_t *out,
                         size_t max)
{
    sd_token *ta = malloc((a->n + 1) * sizeof *ta), *tb = malloc((b->n + 1) * sizeof *tb);
    sd_fp *fa = NULL, *fb = NULL;
    size_t na = 0, ca = 0, nb = 0, cb = 0, i, j, n = 0;
    unsigned w;
    sd__winnow_params(minp, k, &w);
    for (i = 0; i < a->n; i++) {
        ta[i].off = a->off[i];
        ta[i].len = 1;
        ta[i].hash = a->h[i];
    }
    for (i = 0; i < b->n; i++) {
        tb[i].off = b->off[i];
        tb[i].len = 1;
        tb[i].hash = b->h[i];
    }
    sd__winnow(ta, a->n, *k, w, &fa, &na, &ca);
    sd__winnow(tb, b->n, *k, w, &fb, &nb, &cb);
    for (i = 0; i < na; i++)
        for (j = 0; j < nb; j++)
            if (fa[i].hash == fb[j].hash && n < max)
                out[n++] = ((uint64_t)fa[i].pos << 32) | fb[j].pos;
    /* sd__align wants them sorted */
    for (i = 1; i < n; i++) {
        uint64_t x = out[i];
        for (j = i; j > 0 && out[j - 1] > x; j--)
            out[j] = out[j - 1];
        out[j] = x;
    }
    free(ta);
    free(tb);
    sd__free(fa);
    sd__free(fb);
    return n;
}

static void run_align(const seq *a, const seq *b, unsigned minp, sd_tpassages *out)
{
    static uint64_t anc[200000];
    unsigned k;
    size_t n = anchors_of(a, b, minp, &k, anc, 200000);
    sd_tseq sa = {a->h, a->off, a->end, a->n}, sb = {b->h, b->off, b->end, b->n};
    sd_align_params p = {k, minp, minp / 2 + 4, 0.5};
    sd_aligner al;
    sd__aligner_init(&al);
    sd__tpassages_reset(out);
    CHECK_EQ_INT(sd__align(&al, &sa, &sb, anc, n, &p, out), 0);
    sd__aligner_release(&al);
}

/* Invariants of every passage: inside both sequences, columns and equal
 * consistent with the reference edit distance of its two ranges. */
static void check_passages(const seq *a, const seq *b, const sd_tpassages *out, unsigned minp)
{
    size_t i, e;
    for (i = 0; i < out->n; i++) {
        const sd_tpass *p = &out->v[i];
        size_t ed, cost;
        CHECK(p->a0 < p->a1 && p->a1 <= a->n);
        CHECK(p->b0 < p->b1 && p->b1 <= b->n);
        CHECK(p->a1 - p->a0 >= minp && p->b1 - p->b0 >= minp);
        CHECK(p->equal <= p->cols);
        CHECK(p->cols >= p->a1 - p->a0 && p->cols >= p->b1 - p->b0);
        /* an alignment can never beat the optimum, and ours is close to it */
        ed = ref_edit_distance(a->h + p->a0, p->a1 - p->a0, b->h + p->b0, p->b1 - p->b0);
        cost = p->cols - p->equal;
        CHECK(cost >= ed);
        CHECK(cost <= ed + ed / 5 + 2);
        for (e = 0; e < p->nedit; e++) {
            const sd_tedit *t = &out->e[p->edit0 + e];
            CHECK(t->a0 >= p->a0 && t->a1 <= p->a1 && t->a0 <= t->a1);
            CHECK(t->b0 >= p->b0 && t->b1 <= p->b1 && t->b0 <= t->b1);
            CHECK(t->a1 > t->a0 || t->b1 > t->b0);
        }
    }
}

TEST(align_gap_matches_reference_edit_distance)
{
    int round;
    sd_aligner al;
    sd__aligner_init(&al);
    for (round = 0; round < 300; round++) {
        uint32_t a[60], b[60];
        size_t na = rnd32() % 60, nb = rnd32() % 60, i, eq = 0;
        for (i = 0; i < na; i++)
            a[i] = rnd32() % 4;
        for (i = 0; i < nb; i++)
            b[i] = rnd32() % 4;
        CHECK_EQ_U64(sd__align_gap(&al, a, na, b, nb, &eq), ref_edit_distance(a, na, b, nb));
        CHECK(eq <= (na < nb ? na : nb));
    }
    sd__aligner_release(&al);
}

/* Any common run of at least min_passage tokens lies inside a passage. */
TEST(align_finds_longest_common_run)
{
    static seq a, b;
    sd_tpassages out;
    int round;
    sd__tpassages_init(&out);
    for (round = 0; round < 150; round++) {
        unsigned minp = 8 + rnd32() % 40;
        size_t run = minp + rnd32() % 200, pa, pb, i, ia, ib, lcs;
        int found = 0;
        seq_random(&a, run + rnd32() % 600, 50000);
        seq_random(&b, run + rnd32() % 600, 50000);
        pa = rnd32() % (a.n - run + 1);
        pb = rnd32() % (b.n - run + 1);
        for (i = 0; i < run; i++)
            b.h[pb + i] = a.h[pa + i];
        /* a few edits inside the shared run on long runs */
        if (run > 100)
            for (i = 0; i < 3; i++)
                b.h[pb + 20 + rnd32() % (run - 40)] = 999999u + (uint32_t)i;
        lcs = ref_longest_common(a.h, a.n, b.h, b.n, &ia, &ib);
        run_align(&a, &b, minp, &out);
        check_passages(&a, &b, &out, minp);
        if (lcs < minp)
            continue;
        for (i = 0; i < out.n; i++)
            if (out.v[i].a0 <= ia && ia + lcs <= out.v[i].a1 && out.v[i].b0 <= ib &&
                ib + lcs <= out.v[i].b1)
                found = 1;
        CHECK(found);
    }
    sd__tpassages_release(&out);
}

/* Unrelated random sequences share no passage. */
TEST(align_unrelated_share_nothing)
{
    static seq a, b;
    sd_tpassages out;
    int round;
    sd__tpassages_init(&out);
    for (round = 0; round < 50; round++) {
        seq_random(&a, 1500, 3000);
        seq_random(&b, 1500, 3000);
        run_align(&a, &b, 30, &out);
        CHECK_EQ_U64(out.n, 0);
    }
    sd__tpassages_release(&out);
}

/* Paragraphs P1..P4 of A appear in B as P1 P3 P2 P4 between unrelated text:
 * every paragraph is covered on both sides with its own offsets. */
TEST(align_moved_paragraphs)
{
    static seq a, b;
    sd_tpassages out;
    size_t plen = 60, i, j, pos_b[4] = {0}, order[4] = {0, 2, 1, 3};
    sd__tpassages_init(&out);
    seq_random(&a, 4 * plen, 100000);
    seq_random(&b, 100 + 4 * plen + 100, 100000);
    for (i = 0; i < 4; i++) {
        size_t p = order[i];
        pos_b[p] = 100 + i * plen;
        for (j = 0; j < plen; j++)
            b.h[pos_b[p] + j] = a.h[p * plen + j];
    }
    run_align(&a, &b, 30, &out);
    check_passages(&a, &b, &out, 30);
    for (i = 0; i < 4; i++) {
        int found = 0;
        for (j = 0; j < out.n; j++)
            if (out.v[j].a0 <= i * plen && (i + 1) * plen <= out.v[j].a1 &&
                out.v[j].b0 <= pos_b[i] && pos_b[i] + plen <= out.v[j].b1)
                found = 1;
        CHECK(found);
    }
    sd__tpassages_release(&out);
}

/* One copy with a word changed every 15 tokens and a 5-token insertion:
 * one passage, identity and edits exactly as constructed. */
TEST(align_edits_are_reported)
{
    static seq a, b;
    sd_tpassages out;
    size_t i, n = 300, subs = 0;
    sd__tpassages_init(&out);
    seq_random(&a, n, 100000);
    b.n = n + 5;
    for (i = 0; i < n; i++) {
        size_t j = i < 150 ? i : i + 5;
        b.h[j] = a.h[i];
        if (i % 15 == 7) {
            b.h[j] = 500000u + (uint32_t)i;
            subs++;
        }
    }
    for (i = 0; i < 5; i++)
        b.h[150 + i] = 700000u + (uint32_t)i;
    for (i = 0; i < b.n; i++) {
        b.off[i] = (uint32_t)(2 * i);
        b.end[i] = (uint32_t)(2 * i + 1);
    }
    run_align(&a, &b, 30, &out);
    check_passages(&a, &b, &out, 30);
    CHECK_EQ_U64(out.n, 1);
    if (out.n == 1) {
        CHECK_EQ_U64(out.v[0].a0, 0);
        CHECK_EQ_U64(out.v[0].a1, n);
        CHECK_EQ_U64(out.v[0].b1, n + 5);
        CHECK_EQ_U64(out.v[0].equal, n - subs);
        CHECK_EQ_U64(out.v[0].cols, n + 5);
        CHECK_EQ_U64(out.v[0].nedit, subs + 1);
    }
    sd__tpassages_release(&out);
}
