/*
 * align.c: growing shared fingerprints into aligned passages (see align.h).
 *
 *   1. every anchor whose k tokens really agree is grown into a maximal
 *      exact match (MEM); anchors inside a MEM already found on the same
 *      diagonal are skipped, so the work is linear in the matched tokens;
 *   2. MEMs in order of their start in A join the open chain they continue
 *      best (monotone in both documents, at most max_gap tokens skipped on
 *      each side, or up to 3 min_passage on one side while the other goes
 *      straight on: a dropped or inserted paragraph), or start their own: each chain is one run of
 *      text in the same order in both documents, so moved paragraphs become
 *      separate chains instead of breaking one;
 *   3. each chain is extended past its ends over small edits: skip up to
 *      RESYNC_SKIP tokens on either side where RESYNC_RUN equal tokens
 *      follow, which steps over a changed word or a broken byte but stops
 *      where a copy is cut off;
 *   4. the gaps between a chain's matches are aligned exactly (unit-cost
 *      edit distance with traceback), which gives the columns, the equal
 *      ones and the runs of changes.
 *
 * Where the sequences say which tokens are article prose, a match is cut
 * where either side has a stretch of `cut` tokens or more that are not
 * (a site's footer or menu two pages of one site share), and no chain or
 * extension crosses such a stretch on both sides: a story and the
 * template around it are never one passage.
 */
#include "match/align.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "syndic.h"
#include "text/prose.h"

#define RESYNC_SKIP 4
#define RESYNC_RUN 4

typedef struct mem {
    uint32_t a, b, len;
    uint32_t next; /* next MEM of the same chain, or NONE */
} mem;

typedef struct chain {
    uint32_t head, tail;
    uint32_t ea, eb; /* where the chain ends in A and B */
} chain;

#define NONE UINT32_MAX

void sd__aligner_init(sd_aligner *al)
{
    memset(al, 0, sizeof *al);
}

void sd__aligner_release(sd_aligner *al)
{
    sd__free(al->mem);
    sd__free(al->dp);
    memset(al, 0, sizeof *al);
}

void sd__tpassages_init(sd_tpassages *p)
{
    memset(p, 0, sizeof *p);
}

void sd__tpassages_release(sd_tpassages *p)
{
    sd__free(p->v);
    sd__free(p->e);
    memset(p, 0, sizeof *p);
}

void sd__tpassages_reset(sd_tpassages *p)
{
    p->n = 0;
    p->ne = 0;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

static int cmp_mem(const void *x, const void *y)
{
    const mem *a = x, *b = y;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    if (a->b != b->b)
        return a->b < b->b ? -1 : 1;
    return a->len < b->len ? 1 : a->len > b->len ? -1 : 0;
}

static int cmp_pass(const void *x, const void *y)
{
    const sd_tpass *a = x, *b = y;
    if (a->a0 != b->a0)
        return a->a0 < b->a0 ? -1 : 1;
    if (a->b0 != b->b0)
        return a->b0 < b->b0 ? -1 : 1;
    if (a->a1 != b->a1)
        return a->a1 < b->a1 ? -1 : 1;
    return a->b1 < b->b1 ? -1 : a->b1 > b->b1;
}

/* Fills the unit-cost edit distance table of a[0..na) x b[0..nb) into the
 * aligner's scratch. Returns the table or NULL on allocation failure. */
static uint32_t *gap_table(sd_aligner *al, const uint32_t *a, size_t na, const uint32_t *b,
                           size_t nb)
{
    size_t w = nb + 1, i, j;
    uint32_t *d;
    if (na + 1 > SIZE_MAX / w)
        return NULL;
    if (SD_GROW(al->dp, al->dpcap, (na + 1) * w) != 0)
        return NULL;
    d = al->dp;
    for (j = 0; j <= nb; j++)
        d[j] = (uint32_t)j;
    for (i = 1; i <= na; i++) {
        d[i * w] = (uint32_t)i;
        for (j = 1; j <= nb; j++) {
            uint32_t best = d[(i - 1) * w + j - 1] + (a[i - 1] != b[j - 1]);
            uint32_t up = d[(i - 1) * w + j] + 1, left = d[i * w + j - 1] + 1;
            if (up < best)
                best = up;
            if (left < best)
                best = left;
            d[i * w + j] = best;
        }
    }
    return d;
}

/*
 * The columns of one optimal alignment of a[0..na) and b[0..nb) read back
 * from their table d (gap_table()), last column first, into ops (room for
 * na + nb): 0 equal, 1 substitution, 2 A only, 3 B only. Returns how many.
 */
static size_t traceback(const uint32_t *d, const uint32_t *a, size_t na, const uint32_t *b,
                        size_t nb, uint8_t *ops)
{
    size_t w = nb + 1, i = na, j = nb, nops = 0;
    while (i > 0 || j > 0) {
        if (i > 0 && j > 0 && a[i - 1] == b[j - 1] && d[i * w + j] == d[(i - 1) * w + j - 1]) {
            ops[nops++] = 0;
            i--;
            j--;
        } else if (i > 0 && j > 0 && d[i * w + j] == d[(i - 1) * w + j - 1] + 1) {
            ops[nops++] = 1;
            i--;
            j--;
        } else if (i > 0 && d[i * w + j] == d[(i - 1) * w + j] + 1) {
            ops[nops++] = 2;
            i--;
        } else {
            ops[nops++] = 3;
            j--;
        }
    }
    return nops;
}

size_t sd__align_gap(sd_aligner *al, const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                     size_t *equal)
{
    size_t nops, o, cost = 0, eq = 0;
    uint32_t *d;
    uint8_t *ops;
    *equal = 0;
    if (na + nb == 0)
        return 0;
    if ((d = gap_table(al, a, na, b, nb)) == NULL || (ops = sd__malloc(na + nb)) == NULL)
        return SIZE_MAX;
    nops = traceback(d, a, na, b, nb, ops);
    for (o = 0; o < nops; o++) {
        eq += ops[o] == 0;
        cost += ops[o] != 0;
    }
    sd__free(ops);
    *equal = eq;
    return cost;
}

/* Appends one edit, merging it with the previous edit of the same passage
 * when they touch. */
static int push_edit(sd_tpassages *out, size_t first, uint32_t a0, uint32_t a1, uint32_t b0,
                     uint32_t b1)
{
    if (out->ne > first) {
        sd_tedit *l = &out->e[out->ne - 1];
        if (l->a1 == a0 && l->b1 == b0) {
            l->a1 = a1;
            l->b1 = b1;
            return 0;
        }
    }
    if (SD_GROW(out->e, out->ecap, out->ne + 1) != 0)
        return SD_ENOMEM;
    out->e[out->ne].a0 = a0;
    out->e[out->ne].a1 = a1;
    out->e[out->ne].b0 = b0;
    out->e[out->ne].b1 = b1;
    out->ne++;
    return 0;
}

/*
 * Aligns the gap a[a0..a1) x b[b0..b1) and appends its runs of unequal
 * columns as edits (in document order). Adds its columns and equal columns
 * to *cols and *equal. Returns 0 or SD_ENOMEM.
 */
static int fill_gap(sd_aligner *al, const sd_tseq *a, const sd_tseq *b, uint32_t a0, uint32_t a1,
                    uint32_t b0, uint32_t b1, sd_tpassages *out, size_t first, uint32_t *cols,
                    uint32_t *equal)
{
    size_t na = a1 - a0, nb = b1 - b0, i, j, nops = 0, o;
    uint32_t *d;
    uint8_t *ops;
    int rc = 0;
    if (na == 0 || nb == 0) {
        *cols += (uint32_t)(na + nb);
        return na + nb ? push_edit(out, first, a0, a1, b0, b1) : 0;
    }
    d = gap_table(al, a->h + a0, na, b->h + b0, nb);
    if (!d)
        return SD_ENOMEM;
    ops = sd__malloc(na + nb);
    if (!ops)
        return SD_ENOMEM;
    nops = traceback(d, a->h + a0, na, b->h + b0, nb, ops);
    /* replay forwards, emitting runs of unequal columns */
    i = a0;
    j = b0;
    for (o = nops; o-- > 0;) {
        uint8_t op = ops[o];
        size_t ni = i + (op != 3), nj = j + (op != 2);
        (*cols)++;
        if (op == 0)
            (*equal)++;
        else if ((rc = push_edit(out, first, (uint32_t)i, (uint32_t)ni, (uint32_t)j,
                                 (uint32_t)nj)) != 0)
            break;
        i = ni;
        j = nj;
    }
    sd__free(ops);
    return rc;
}

/* Length of the run of equal tokens at a[i..], b[j..], at most `cap`. */
static size_t run_fwd(const sd_tseq *a, const sd_tseq *b, size_t i, size_t j, size_t cap)
{
    size_t n = 0;
    while (n < cap && i + n < a->n && j + n < b->n && a->h[i + n] == b->h[j + n])
        n++;
    return n;
}

/* Length of the run of equal tokens ending just before a[i], b[j]. */
static size_t run_back(const sd_tseq *a, const sd_tseq *b, size_t i, size_t j, size_t cap)
{
    size_t n = 0;
    while (n < cap && i > n && j > n && a->h[i - n - 1] == b->h[j - n - 1])
        n++;
    return n;
}

/* Where to resume after a mismatch at (i, j) going forwards: the smallest
 * skip (da + db, then da) after which RESYNC_RUN tokens agree. */
static int resync_fwd(const sd_tseq *a, const sd_tseq *b, size_t i, size_t j, size_t *ri,
                      size_t *rj)
{
    size_t s, da;
    for (s = 1; s <= 2 * RESYNC_SKIP; s++)
        for (da = s > RESYNC_SKIP ? s - RESYNC_SKIP : 0; da <= s && da <= RESYNC_SKIP; da++)
            if (run_fwd(a, b, i + da, j + (s - da), RESYNC_RUN) == RESYNC_RUN) {
                *ri = i + da;
                *rj = j + (s - da);
                return 1;
            }
    return 0;
}

/* The same going backwards from the chain start (i, j): returns the end of
 * the run found before it. */
static int resync_back(const sd_tseq *a, const sd_tseq *b, size_t i, size_t j, size_t *ri,
                       size_t *rj)
{
    size_t s, da;
    for (s = 1; s <= 2 * RESYNC_SKIP; s++)
        for (da = s > RESYNC_SKIP ? s - RESYNC_SKIP : 0; da <= s && da <= RESYNC_SKIP; da++) {
            size_t db = s - da;
            if (da > i || db > j)
                continue;
            if (run_back(a, b, i - da, j - db, RESYNC_RUN) == RESYNC_RUN) {
                *ri = i - da;
                *rj = j - db;
                return 1;
            }
        }
    return 0;
}

/* Whether a chain may skip ga tokens of A and gb of B: a small gap on both
 * sides (changed words), or a long one on one side only while the other
 * goes straight on (a paragraph or caption inserted, dropped or moved). */
static int gap_ok(size_t ga, size_t gb, size_t g, size_t g1)
{
    if (ga <= g && gb <= g)
        return 1;
    return (ga <= RESYNC_SKIP && gb <= g1) || (gb <= RESYNC_SKIP && ga <= g1);
}

/* Offset x in [0, len) where a stretch of p->cut tokens that are not
 * article prose starts in a at a0 + x or in b at b0 + x (the stretch may
 * go on past len), or len when none does. */
static size_t furn_fwd(const sd_tseq *a, const sd_tseq *b, size_t a0, size_t b0, size_t len,
                       unsigned cut)
{
    size_t xa = SIZE_MAX, xb = SIZE_MAX;
    if (!cut || len == 0)
        return len;
    if (a->art)
        xa = sd__bits_clear_run(a->art, a->n, a0, a0 + len, cut);
    if (b->art)
        xb = sd__bits_clear_run(b->art, b->n, b0, b0 + len, cut);
    xa = xa == SIZE_MAX ? len : xa - a0;
    xb = xb == SIZE_MAX ? len : xb - b0;
    return xa < xb ? xa : xb;
}

/* Clear bits of m (a sequence of n tokens) just before position p, up to
 * `want` of them. */
static size_t clear_before(const uint64_t *m, size_t p, size_t want)
{
    size_t k = 0;
    while (k < want && p > k && !sd__bit(m, p - k - 1))
        k++;
    return k;
}

/* The same from the right: the largest x <= len such that neither
 * [a0 + x, a0 + len) nor [b0 + x, b0 + len) holds the end of such a
 * stretch (which may begin before a0 or b0); 0 when none does. */
static size_t furn_back(const sd_tseq *a, const sd_tseq *b, size_t a0, size_t b0, size_t len,
                        unsigned cut)
{
    size_t i, ra = 0, rb = 0, ea = len, eb = len, best = 0;
    if (!cut)
        return 0;
    for (i = len; i-- > 0;) {
        if (a->art && !sd__bit(a->art, a0 + i)) {
            if (ra++ == 0)
                ea = i + 1;
        } else {
            ra = 0;
        }
        if (b->art && !sd__bit(b->art, b0 + i)) {
            if (rb++ == 0)
                eb = i + 1;
        } else {
            rb = 0;
        }
        if (ra >= cut)
            return ea;
        if (rb >= cut)
            return eb;
    }
    /* the stretches that reach the start may go on before it */
    if (ra && ra + clear_before(a->art, a0, cut - ra) >= cut)
        best = ea;
    if (rb && rb + clear_before(b->art, b0, cut - rb) >= cut && eb > best)
        best = eb;
    return best;
}

/* How much of a run of r equal tokens at a[ri..], b[rj..] an extension
 * from the chain end (ea, eb) may take: up to where a stretch of
 * furniture starts, counting the tokens it skipped; 0 when one starts
 * in the skip or at ri, rj. */
static size_t ext_fwd(const sd_tseq *a, const sd_tseq *b, size_t ea, size_t eb, size_t ri,
                      size_t rj, size_t r, unsigned cut)
{
    size_t ca = SIZE_MAX, cb = SIZE_MAX, la = r, lb = r;
    if (!cut)
        return r;
    if (a->art)
        ca = sd__bits_clear_run(a->art, a->n, ea, ri + r, cut);
    if (b->art)
        cb = sd__bits_clear_run(b->art, b->n, eb, rj + r, cut);
    if (ca != SIZE_MAX)
        la = ca <= ri ? 0 : ca - ri;
    if (cb != SIZE_MAX)
        lb = cb <= rj ? 0 : cb - rj;
    return la < lb ? la : lb;
}

/* Offset of the first token at or after x (below len) that is article
 * prose in both a and b, or len. */
static size_t next_article(const sd_tseq *a, const sd_tseq *b, size_t a0, size_t b0, size_t x,
                           size_t len)
{
    while (x < len &&
           ((a->art && !sd__bit(a->art, a0 + x)) || (b->art && !sd__bit(b->art, b0 + x))))
        x++;
    return x;
}

/* Whether a chain may go on across the gap a[a0..a1) x b[b0..b1): gap_ok,
 * and a gap on both sides never holds a stretch of furniture. */
static int join_ok(const sd_tseq *a, const sd_tseq *b, size_t a0, size_t a1, size_t b0, size_t b1,
                   size_t g, size_t g1, unsigned cut)
{
    if (!gap_ok(a1 - a0, b1 - b0, g, g1))
        return 0;
    if (!cut || a1 - a0 <= RESYNC_SKIP || b1 - b0 <= RESYNC_SKIP)
        return 1;
    return !(a->art && sd__bits_clear_run(a->art, a->n, a0, a1, cut) != SIZE_MAX) &&
           !(b->art && sd__bits_clear_run(b->art, b->n, b0, b1, cut) != SIZE_MAX);
}

/* Scratch layout: anchors keys, MEMs and chains share one allocation. */
static int scratch(sd_aligner *al, size_t bytes)
{
    if (bytes <= al->memcap)
        return 0;
    sd__free(al->mem);
    al->mem = sd__malloc(bytes);
    al->memcap = al->mem ? bytes : 0;
    return al->mem ? 0 : SD_ENOMEM;
}

/* Adds a MEM to the growing list, reallocating when needed. */
static int add_mem(mem **m, size_t *n, size_t *cap, uint32_t a, uint32_t b, uint32_t len)
{
    if (SD_GROW(*m, *cap, *n + 1) != 0)
        return SD_ENOMEM;
    (*m)[*n].a = a;
    (*m)[*n].b = b;
    (*m)[*n].len = len;
    (*m)[*n].next = NONE;
    (*n)++;
    return 0;
}

/* One alignment's working state: the MEMs, the chains over them, the
 * chains still open while MEMs come in order. */
typedef struct aln {
    const sd_tseq *a, *b;
    const sd_align_params *p;
    uint32_t g, g1; /* the gaps a chain may skip on both sides, on one */
    mem *m;
    size_t nm, mcap;
    chain *ch;
    size_t nch, chcap;
    uint32_t *active;
    size_t nact, actcap;
} aln;

/* 1. Each anchor whose k tokens really agree grows into a maximal exact
 * match, less the stretches of furniture in it; anchors inside a MEM
 * already found on their diagonal are skipped. MEMs end sorted by start. */
static int find_mems(aln *x, sd_aligner *al, const uint64_t *anchors, size_t nanch)
{
    const sd_tseq *a = x->a, *b = x->b;
    uint32_t k = x->p->k ? x->p->k : 1;
    uint64_t *keys, curd = UINT64_MAX;
    size_t nk = 0, i, cur_end = 0;
    int rc;
    if (scratch(al, nanch * sizeof *keys) != 0)
        return SD_ENOMEM;
    keys = al->mem;
    /* verified anchors keyed by (diagonal, position in A) */
    for (i = 0; i < nanch; i++) {
        uint32_t pa = (uint32_t)(anchors[i] >> 32), pb = (uint32_t)anchors[i];
        if ((size_t)pa + k > a->n || (size_t)pb + k > b->n)
            continue;
        if (memcmp(a->h + pa, b->h + pb, k * sizeof *a->h) != 0)
            continue;
        keys[nk++] = ((uint64_t)((size_t)pa + b->n - pb) << 32) | pa;
    }
    qsort(keys, nk, sizeof *keys, cmp_u64);
    for (i = 0; i < nk; i++) {
        uint64_t dg = keys[i] >> 32;
        size_t pa = (uint32_t)keys[i], pb = pa + b->n - (size_t)dg, back, fwd, s0, t0, len, at;
        if (dg == curd && pa < cur_end)
            continue;
        back = run_back(a, b, pa, pb, SIZE_MAX);
        fwd = run_fwd(a, b, pa, pb, SIZE_MAX);
        s0 = pa - back;
        t0 = pb - back;
        len = back + fwd;
        for (at = 0; at < len;) {
            size_t piece = furn_fwd(a, b, s0 + at, t0 + at, len - at, x->p->cut);
            if (piece && (rc = add_mem(&x->m, &x->nm, &x->mcap, (uint32_t)(s0 + at),
                                       (uint32_t)(t0 + at), (uint32_t)piece)) != 0)
                return rc;
            at = next_article(a, b, s0, t0, at + piece, len);
        }
        curd = dg;
        cur_end = pa + fwd;
    }
    if (x->nm > 1)
        qsort(x->m, x->nm, sizeof *x->m, cmp_mem);
    return 0;
}

/* 2. Each MEM continues the open chain it continues with the smallest gap
 * (monotone in both documents), or starts its own. */
static int build_chains(aln *x)
{
    mem *m = x->m;
    size_t i, reach = x->g > x->g1 ? x->g : x->g1;
    for (i = 0; i < x->nm; i++) {
        size_t best = NONE, bestgap = SIZE_MAX, j, t_best = 0;
        for (j = 0; j < x->nact;) {
            chain *q = &x->ch[x->active[j]];
            size_t t = 0, ga, gb;
            if ((size_t)q->ea + reach < m[i].a) { /* can never be continued */
                memmove(x->active + j, x->active + j + 1, (x->nact - j - 1) * sizeof *x->active);
                x->nact--;
                continue;
            }
            j++;
            if (q->ea > m[i].a)
                t = q->ea - m[i].a;
            if (q->eb > m[i].b && q->eb - m[i].b > t)
                t = q->eb - m[i].b;
            if (t >= m[i].len)
                continue;
            ga = m[i].a + t - q->ea;
            gb = m[i].b + t - q->eb;
            if (!join_ok(x->a, x->b, q->ea, q->ea + ga, q->eb, q->eb + gb, x->g, x->g1, x->p->cut))
                continue;
            if (ga + gb < bestgap) {
                bestgap = ga + gb;
                best = (size_t)(q - x->ch);
                t_best = t;
            }
        }
        if (best != NONE) {
            chain *q = &x->ch[best];
            m[i].a += (uint32_t)t_best;
            m[i].b += (uint32_t)t_best;
            m[i].len -= (uint32_t)t_best;
            m[q->tail].next = (uint32_t)i;
            q->tail = (uint32_t)i;
            q->ea = m[i].a + m[i].len;
            q->eb = m[i].b + m[i].len;
        } else {
            chain *q;
            if (SD_GROW(x->ch, x->chcap, x->nch + 1) != 0 ||
                SD_GROW(x->active, x->actcap, x->nact + 1) != 0)
                return SD_ENOMEM;
            q = &x->ch[x->nch];
            q->head = q->tail = (uint32_t)i;
            q->ea = m[i].a + m[i].len;
            q->eb = m[i].b + m[i].len;
            x->active[x->nact++] = (uint32_t)x->nch;
            x->nch++;
        }
    }
    return 0;
}

/* 3. Each chain is extended at both ends over small edits, never into
 * furniture; every resynchronized run becomes a MEM of the chain, so the
 * gaps to align stay small. */
static int extend_chains(aln *x)
{
    const sd_tseq *a = x->a, *b = x->b;
    size_t c;
    int rc;
    for (c = 0; c < x->nch; c++) {
        size_t ri, rj;
        uint32_t h = x->ch[c].head;
        while (resync_back(a, b, x->m[h].a, x->m[h].b, &ri, &rj)) {
            size_t r = run_back(a, b, ri, rj, SIZE_MAX);
            size_t at = furn_back(a, b, ri - r, rj - r, r, x->p->cut);
            if (at >= r)
                break;
            if ((rc = add_mem(&x->m, &x->nm, &x->mcap, (uint32_t)(ri - r + at),
                              (uint32_t)(rj - r + at), (uint32_t)(r - at))) != 0)
                return rc;
            x->m[x->nm - 1].next = h;
            h = (uint32_t)(x->nm - 1);
            if (at > 0)
                break;
        }
        x->ch[c].head = h;
        while (resync_fwd(a, b, x->ch[c].ea, x->ch[c].eb, &ri, &rj)) {
            size_t r = run_fwd(a, b, ri, rj, SIZE_MAX);
            size_t take = ext_fwd(a, b, x->ch[c].ea, x->ch[c].eb, ri, rj, r, x->p->cut);
            if (take == 0)
                break;
            if ((rc = add_mem(&x->m, &x->nm, &x->mcap, (uint32_t)ri, (uint32_t)rj,
                              (uint32_t)take)) != 0)
                return rc;
            x->m[x->ch[c].tail].next = (uint32_t)(x->nm - 1);
            x->ch[c].tail = (uint32_t)(x->nm - 1);
            x->ch[c].ea = (uint32_t)(ri + take);
            x->ch[c].eb = (uint32_t)(rj + take);
            if (take < r)
                break;
        }
    }
    return 0;
}

/* A chain lying inside another one's extended region is the same passage
 * found twice (or a stray repeat within it): dropped. */
static void drop_contained(aln *x)
{
    chain *ch = x->ch;
    size_t c, d;
    for (c = 0; c < x->nch; c++) {
        uint32_t sa = x->m[ch[c].head].a, sb = x->m[ch[c].head].b;
        for (d = 0; d < x->nch; d++) {
            uint32_t da0, db0;
            int inside;
            if (d == c || ch[d].head == NONE)
                continue;
            da0 = x->m[ch[d].head].a;
            db0 = x->m[ch[d].head].b;
            inside = da0 <= sa && db0 <= sb && ch[c].ea <= ch[d].ea && ch[c].eb <= ch[d].eb;
            if (inside &&
                (d < c || ch[c].ea - sa < ch[d].ea - da0 || ch[c].eb - sb < ch[d].eb - db0)) {
                ch[c].head = NONE;
                break;
            }
        }
        if (ch[c].head == NONE)
            ch[c].ea = ch[c].eb = 0;
    }
}

/* Chains that now end close before another one starts (an insertion
 * longer than a resync skip between them) are joined. */
static void join_chains(aln *x)
{
    chain *ch = x->ch;
    size_t c;
    for (c = 0; c < x->nch; c++) {
        for (;;) {
            size_t d, best = NONE, bestgap = SIZE_MAX;
            if (ch[c].head == NONE)
                break;
            for (d = 0; d < x->nch; d++) {
                uint32_t da0, db0;
                size_t ga, gb;
                if (d == c || ch[d].head == NONE)
                    continue;
                da0 = x->m[ch[d].head].a;
                db0 = x->m[ch[d].head].b;
                if (da0 < ch[c].ea || db0 < ch[c].eb)
                    continue;
                ga = da0 - ch[c].ea;
                gb = db0 - ch[c].eb;
                if (join_ok(x->a, x->b, ch[c].ea, da0, ch[c].eb, db0, x->g, x->g1, x->p->cut) &&
                    ga + gb < bestgap) {
                    bestgap = ga + gb;
                    best = d;
                }
            }
            if (best == NONE)
                break;
            x->m[ch[c].tail].next = ch[best].head;
            ch[c].tail = ch[best].tail;
            ch[c].ea = ch[best].ea;
            ch[c].eb = ch[best].eb;
            ch[best].head = NONE;
        }
    }
}

/* 4. Each chain's gaps are aligned exactly; the chain is a passage if it
 * is long and close enough. */
static int emit_passages(aln *x, sd_aligner *al, sd_tpassages *out)
{
    const sd_align_params *p = x->p;
    size_t c;
    int rc;
    for (c = 0; c < x->nch; c++) {
        const chain *q = &x->ch[c];
        uint32_t sa, sb, cols = 0, equal = 0, pa, pb, i;
        size_t first_edit = out->ne;
        sd_tpass *ps;
        if (q->head == NONE)
            continue;
        sa = pa = x->m[q->head].a;
        sb = pb = x->m[q->head].b;
        for (i = q->head; i != NONE; i = x->m[i].next) {
            if ((rc = fill_gap(al, x->a, x->b, pa, x->m[i].a, pb, x->m[i].b, out, first_edit, &cols,
                               &equal)) != 0)
                return rc;
            cols += x->m[i].len;
            equal += x->m[i].len;
            pa = x->m[i].a + x->m[i].len;
            pb = x->m[i].b + x->m[i].len;
        }
        if (q->ea - sa < p->min_passage || q->eb - sb < p->min_passage ||
            (double)equal < p->min_identity * (double)cols) {
            out->ne = first_edit;
            continue;
        }
        if (SD_GROW(out->v, out->cap, out->n + 1) != 0)
            return SD_ENOMEM;
        ps = &out->v[out->n++];
        ps->a0 = sa;
        ps->a1 = q->ea;
        ps->b0 = sb;
        ps->b1 = q->eb;
        ps->cols = cols;
        ps->equal = equal;
        ps->edit0 = first_edit;
        ps->nedit = out->ne - first_edit;
    }
    return 0;
}

int sd__align(sd_aligner *al, const sd_tseq *a, const sd_tseq *b, const uint64_t *anchors,
              size_t nanch, const sd_align_params *p, sd_tpassages *out)
{
    aln x;
    size_t first_pass = out->n;
    int rc;
    if (nanch == 0 || a->n == 0 || b->n == 0)
        return 0;
    memset(&x, 0, sizeof x);
    x.a = a;
    x.b = b;
    x.p = p;
    x.g = p->max_gap;
    x.g1 = 3 * p->min_passage;
    if ((rc = find_mems(&x, al, anchors, nanch)) == 0 && (rc = build_chains(&x)) == 0 &&
        (rc = extend_chains(&x)) == 0) {
        drop_contained(&x);
        join_chains(&x);
        rc = emit_passages(&x, al, out);
    }
    if (rc == 0 && out->n > first_pass)
        qsort(out->v + first_pass, out->n - first_pass, sizeof *out->v, cmp_pass);
    sd__free(x.m);
    sd__free(x.ch);
    sd__free(x.active);
    return rc;
}
