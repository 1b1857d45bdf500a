/*
 * story.c: stories as clusters of aligned spans, and what each copy did.
 *
 *   1. spans: every passage gives two spans (its token range in each
 *      document), joined in a union-find; spans of one document that
 *      overlap by at least min(min_passage, half the shorter span) are
 *      joined (the sweep keeps the span reaching furthest so far); and the
 *      passages of one pair of documents that lie close together, with
 *      only article prose between them in both (a paraphrased or dropped
 *      paragraph, a moved one), are joined when one of their two stories
 *      is the pair's alone: one article shared by two pages is one story,
 *      however many passages its alignment gives, while two stories other
 *      pages print apart stay apart. A
 *      page that carries two stories one after the other keeps them
 *      apart: a story is a cluster of spans, and a page may be in several.
 *      The root of a set is its smallest span, so stories are numbered in
 *      order of their first passage.
 *   2. per story: the members (documents with a span in it) and the
 *      origin: the earliest date when dates are known; else, of the copies
 *      that carry nearly the most of the story (their alignment with any
 *      one other copy has 90% or more of the most equal words any has),
 *      the one that is most purely the story (a wire original rather than
 *      a page wrapping it).
 *   3. candidates are linked as stars (a fingerprint's documents to its
 *      first), so a copy may have no passage with the origin: it is then
 *      aligned against the origin here, on the k-grams of the story's
 *      spans in both; so k copies cost about 2k alignments in all.
 *   4. the consensus (the origin's spans: its text other copies share),
 *      and per copy, from its passages with the origin: the share of the
 *      consensus it carries, what of it it lacks, what it added and
 *      changed, and from those its role.
 */
#include <string.h>

#include "base/alloc.h"
#include "base/keysort.h"
#include "group/trace_int.h"
#include "group/unionfind.h"

/* Passages of one pair join one story when the gap between them is at
 * most JOIN_GAP tokens in both documents (a paraphrased paragraph), or
 * at most 4 in one and JOIN_ONE_SIDED in the other (paragraphs dropped),
 * and all article prose. */
#define JOIN_GAP(minp) (4 * (uint32_t)(minp))
#define JOIN_ONE_SIDED(minp) (20 * (uint32_t)(minp))

typedef struct ival {
    uint32_t a, b; /* tokens [a, b) */
} ival;

typedef struct ivals {
    ival *v;
    size_t n, cap;
} ivals;

/* Appends an interval. */
static int iv_push(ivals *s, uint32_t a, uint32_t b)
{
    if (SD_GROW(s->v, s->cap, s->n + 1) != 0)
        return SD_ENOMEM;
    s->v[s->n].a = a;
    s->v[s->n].b = b;
    s->n++;
    return 0;
}

/* Sorts and merges overlapping or touching intervals in place. */
static void iv_merge(ivals *s)
{
    size_t i, j, o = 0;
    for (i = 1; i < s->n; i++) { /* insertion sort: lists are short and nearly sorted */
        ival x = s->v[i];
        for (j = i; j > 0 && (s->v[j - 1].a > x.a || (s->v[j - 1].a == x.a && s->v[j - 1].b > x.b));
             j--)
            s->v[j] = s->v[j - 1];
        s->v[j] = x;
    }
    for (i = 0; i < s->n; i++) {
        if (o > 0 && s->v[i].a <= s->v[o - 1].b) {
            if (s->v[i].b > s->v[o - 1].b)
                s->v[o - 1].b = s->v[i].b;
        } else {
            s->v[o++] = s->v[i];
        }
    }
    s->n = o;
}

static uint64_t iv_len(const ivals *s)
{
    uint64_t n = 0;
    size_t i;
    for (i = 0; i < s->n; i++)
        n += s->v[i].b - s->v[i].a;
    return n;
}

/* out = a \ b, for merged lists a and b. */
static int iv_sub(const ivals *a, const ivals *b, ivals *out)
{
    size_t i, j = 0;
    out->n = 0;
    for (i = 0; i < a->n; i++) {
        uint32_t x = a->v[i].a, e = a->v[i].b;
        while (j < b->n && b->v[j].b <= x)
            j++;
        {
            size_t k = j;
            while (k < b->n && b->v[k].a < e) {
                if (b->v[k].a > x && iv_push(out, x, b->v[k].a) != 0)
                    return SD_ENOMEM;
                if (b->v[k].b > x)
                    x = b->v[k].b;
                k++;
            }
        }
        if (x < e && iv_push(out, x, e) != 0)
            return SD_ENOMEM;
    }
    return 0;
}

/* The ranges collected for all members; pointers are fixed up at the end. */
typedef struct rstore {
    sd_range *v;
    size_t n, cap;
} rstore;

/* Appends the byte ranges of token intervals s of document d; returns the
 * offset of the first in *at. */
static int put_ranges(rstore *r, const sd_tdoc *d, const ivals *s, size_t *at, size_t *count)
{
    size_t i;
    *at = r->n;
    *count = s->n;
    if (SD_GROW(r->v, r->cap, r->n + s->n + 1) != 0)
        return SD_ENOMEM;
    for (i = 0; i < s->n; i++)
        r->v[r->n++] = sd__trace_bytes(d, s->v[i].a, s->v[i].b);
    return 0;
}

/* Offsets into the range store, per member, until the store stops moving. */
typedef struct moff {
    size_t at[4], n[4]; /* spans, added, lacks, changed */
} moff;

/* Compares two optional dates; a missing date sorts last. */
static int date_cmp(const sd_tdoc *x, const sd_tdoc *y)
{
    size_t n;
    int c;
    if (!x->date || !y->date)
        return x->date ? -1 : y->date ? 1 : 0;
    n = x->date_len < y->date_len ? x->date_len : y->date_len;
    c = memcmp(x->date, y->date, n);
    if (c)
        return c;
    return x->date_len < y->date_len ? -1 : x->date_len > y->date_len;
}

/* Scratch for one story's analysis. */
typedef struct work {
    ivals *cover; /* per member: merged spans */
    size_t ncover;
    ivals ocov, mcov, tmp, added, changed;
} work;

/* Index of document doc among a story's members (sorted by document). */
static size_t member_of(const sd_story_member *m, size_t n, uint64_t doc)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (m[mid].doc <= doc)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Member doc's passages among a story's: with the origin, their columns
 * and equal words, their spans in w->ocov (the origin's side) and
 * w->mcov (the member's), their edits in w->changed and w->added; with
 * other members, their columns and equal words only. */
typedef struct tally {
    uint64_t cols, eq, acols, aeq;
    int direct; /* a passage with the origin */
} tally;

/* The edits of passage p on the member's side (the first document's when
 * m_is_a): into w->changed when the origin has other words there, into
 * w->added when it has none. Returns 0 or SD_ENOMEM. */
static int push_edits(const sd_trace *t, const sd_tp *p, int m_is_a, work *w)
{
    size_t e;
    for (e = 0; e < p->p.nedit; e++) {
        const sd_tedit *te = &t->tedit[p->p.edit0 + e];
        uint32_t m0 = m_is_a ? te->a0 : te->b0, m1 = m_is_a ? te->a1 : te->b1;
        uint32_t o0 = m_is_a ? te->b0 : te->a0, o1 = m_is_a ? te->b1 : te->a1;
        if (m1 > m0 && iv_push(o1 > o0 ? &w->changed : &w->added, m0, m1) != 0)
            return SD_ENOMEM;
    }
    return 0;
}

/* Fills c and w from the story's passages sp[0..nsp) for member doc and
 * the origin. Returns 0 or SD_ENOMEM. */
static int tally_passages(const sd_trace *t, const size_t *sp, size_t nsp, uint32_t doc,
                          uint32_t origin, work *w, tally *c)
{
    size_t i;
    int rc;
    memset(c, 0, sizeof *c);
    w->ocov.n = w->mcov.n = w->added.n = w->changed.n = 0;
    for (i = 0; i < nsp; i++) {
        const sd_tp *p = &t->tp[sp[i]];
        int m_is_a;
        if (!((p->da == doc && p->db == origin) || (p->db == doc && p->da == origin))) {
            if (p->da == doc || p->db == doc) {
                c->acols += p->p.cols;
                c->aeq += p->p.equal;
            }
            continue;
        }
        c->direct = 1;
        m_is_a = p->da == doc;
        c->cols += p->p.cols;
        c->eq += p->p.equal;
        if ((rc = iv_push(&w->ocov, m_is_a ? p->p.b0 : p->p.a0, m_is_a ? p->p.b1 : p->p.a1)) ||
            (rc = iv_push(&w->mcov, m_is_a ? p->p.a0 : p->p.b0, m_is_a ? p->p.a1 : p->p.b1)) ||
            (rc = push_edits(t, p, m_is_a, w)) != 0)
            return rc;
    }
    return 0;
}

/* The role of a member aligned with the origin, from its share and
 * identity, the tokens it added and those it lacks before the end of
 * what it carries. */
static sd_role member_role(const sd_story_member *mb, uint64_t added_tok, uint64_t lack_before,
                           uint64_t cons_tok, double minp)
{
    if (mb->identity < 0.75)
        return SD_ROLE_REWRITE;
    if (mb->share >= 0.9)
        return (double)added_tok > 0.1 * (double)cons_tok && (double)added_tok >= minp / 2
                   ? SD_ROLE_EXTENDED
                   : SD_ROLE_FULL;
    if ((double)lack_before <= 0.05 * (double)cons_tok + 2)
        return SD_ROLE_TRUNCATED;
    return SD_ROLE_EXCERPT;
}

/* Share, identity and role of a member with no passage with the origin,
 * from its cov tokens in the story and its passages with other members. */
static void indirect_member(sd_story_member *mb, uint64_t cov, uint64_t cons_tok, const tally *c)
{
    mb->share = cons_tok ? (double)(cov < cons_tok ? cov : cons_tok) / (double)cons_tok : 0;
    mb->identity = c->acols ? (double)c->aeq / (double)c->acols : 1.0;
    mb->role = mb->identity < 0.75 ? SD_ROLE_REWRITE
               : mb->share >= 0.9  ? SD_ROLE_FULL
                                   : SD_ROLE_EXCERPT;
}

/*
 * Fills member m (not the origin) of a story from its passages with the
 * origin (sp[0..nsp), passage indexes of the story): share, identity,
 * lacks, added, changed, role.
 */
static int analyze_member(sd_trace *t, const size_t *sp, size_t nsp, uint32_t origin,
                          const ivals *cons, uint64_t cons_tok, const ivals *mspans,
                          sd_story_member *mb, moff *mo, rstore *rs, work *w)
{
    uint32_t doc = (uint32_t)mb->doc;
    uint64_t added_tok, lack_before = 0;
    size_t i;
    tally c;
    int rc;

    if ((rc = tally_passages(t, sp, nsp, doc, origin, w, &c)) != 0)
        return rc;
    if (!c.direct) {
        indirect_member(mb, iv_len(mspans), cons_tok, &c);
        return 0;
    }
    iv_merge(&w->ocov);
    iv_merge(&w->mcov);
    iv_merge(&w->changed);
    /* added: the member's spans not aligned with the origin, plus insertions */
    if ((rc = iv_sub(mspans, &w->mcov, &w->tmp)) != 0)
        return rc;
    for (i = 0; i < w->tmp.n; i++)
        if ((rc = iv_push(&w->added, w->tmp.v[i].a, w->tmp.v[i].b)) != 0)
            return rc;
    iv_merge(&w->added);
    added_tok = iv_len(&w->added);
    mb->share = cons_tok ? (double)iv_len(&w->ocov) / (double)cons_tok : 0;
    if (mb->share > 1)
        mb->share = 1;
    mb->identity = c.cols ? (double)c.eq / (double)c.cols : 1.0;
    /* lacks: consensus minus what the member aligns to */
    if ((rc = iv_sub(cons, &w->ocov, &w->tmp)) != 0)
        return rc;
    for (i = 0; i < w->tmp.n; i++)
        if (w->ocov.n && w->tmp.v[i].a < w->ocov.v[w->ocov.n - 1].b)
            lack_before += w->tmp.v[i].b - w->tmp.v[i].a;
    mb->role = member_role(mb, added_tok, lack_before, cons_tok, (double)t->o.min_passage);
    if ((rc = put_ranges(rs, &t->docs[origin], &w->tmp, &mo->at[2], &mo->n[2])) ||
        (rc = put_ranges(rs, &t->docs[doc], &w->added, &mo->at[1], &mo->n[1])) ||
        (rc = put_ranges(rs, &t->docs[doc], &w->changed, &mo->at[3], &mo->n[3])))
        return rc;
    return 0;
}

/* Whether tokens [a, b) of document d are all article prose. */
static int all_article(const sd_tdoc *d, uint32_t a, uint32_t b)
{
    return b <= a || sd__bits_count(d->art, a, b) == (size_t)(b - a);
}

/* Tokens between the two ranges [x0, x1) and [y0, y1) of one document,
 * in whichever order they come; the gap's bounds in *g0, *g1. */
static uint32_t gap_between(uint32_t x0, uint32_t x1, uint32_t y0, uint32_t y1, uint32_t *g0,
                            uint32_t *g1)
{
    if (y0 >= x1) {
        *g0 = x1;
        *g1 = y0;
    } else if (x0 >= y1) {
        *g0 = y1;
        *g1 = x0;
    } else {
        *g0 = *g1 = 0;
    }
    return *g1 - *g0;
}

/* Per root of the union-find over spans: the first two documents of its
 * set in d1[] and d2[] (UINT32_MAX: none), and in more[] whether it has a
 * third; more[] comes zeroed. */
static void set_docs(const sd_trace *t, sd_uf *uf, uint32_t *d1, uint32_t *d2, uint8_t *more)
{
    size_t ns = 2 * t->npass, i;
    memset(d1, 0xFF, ns * sizeof *d1);
    memset(d2, 0xFF, ns * sizeof *d2);
    for (i = 0; i < ns; i++) {
        uint64_t r = sd__uf_find(uf, i);
        uint32_t doc = i & 1 ? t->tp[i / 2].db : t->tp[i / 2].da;
        if (d1[r] == UINT32_MAX || d1[r] == doc)
            d1[r] = doc;
        else if (d2[r] == UINT32_MAX || d2[r] == doc)
            d2[r] = doc;
        else
            more[r] = 1;
    }
}

/*
 * Passages of one pair come together, in order of their start in the
 * first document. Neighbours close in both documents, with only article
 * prose between them (a paraphrased, dropped or moved paragraph), are one
 * article: joined, when one of the two stories the spans made so far is
 * the pair's alone. Two stories that other pages print apart stay apart,
 * however close two pages print them.
 */
static int join_pairs(sd_trace *t, sd_uf *uf)
{
    size_t np = t->npass, ns = 2 * np, i;
    uint32_t near = JOIN_GAP(t->o.min_passage), far = JOIN_ONE_SIDED(t->o.min_passage);
    uint32_t *d1, *d2; /* per root: the first two documents of its set, UINT32_MAX: none */
    uint8_t *more;     /* per root: a third document */
    d1 = sd__reallocarray(NULL, ns, sizeof *d1);
    d2 = sd__reallocarray(NULL, ns, sizeof *d2);
    more = sd__calloc(ns, 1);
    if (!d1 || !d2 || !more) {
        sd__free(d1);
        sd__free(d2);
        sd__free(more);
        return SD_ENOMEM;
    }
    set_docs(t, uf, d1, d2, more);
    for (i = 1; i < np; i++) {
        const sd_tp *p = &t->tp[i - 1], *q = &t->tp[i];
        uint32_t a0, a1, b0, b1, ga, gb;
        uint64_t rp, rq;
        if (p->da != q->da || p->db != q->db)
            continue;
        rp = sd__uf_find(uf, 2 * (i - 1));
        rq = sd__uf_find(uf, 2 * i);
        if (rp == rq || (more[rp] && more[rq]))
            continue;
        ga = gap_between(p->p.a0, p->p.a1, q->p.a0, q->p.a1, &a0, &a1);
        gb = gap_between(p->p.b0, p->p.b1, q->p.b0, q->p.b1, &b0, &b1);
        if (!((ga <= near && gb <= near) || ((ga <= 4 || gb <= 4) && ga <= far && gb <= far)))
            continue;
        if (all_article(&t->docs[p->da], a0, a1) && all_article(&t->docs[p->db], b0, b1))
            sd__uf_union(uf, 2 * (i - 1), 2 * i);
    }
    sd__free(d1);
    sd__free(d2);
    sd__free(more);
    return 0;
}

/* The spans of all passages (span 2i is passage i's side in its first
 * document, 2i + 1 in its second) as (doc << 32 | start, span) in sp[0..2
 * np), sorted. Returns 0 or an error code. */
static int sort_spans(const sd_trace *t, sd_kv *sp)
{
    size_t i;
    for (i = 0; i < t->npass; i++) {
        sp[2 * i].key = (uint64_t)t->tp[i].da << 32 | t->tp[i].p.a0;
        sp[2 * i].val = 2 * i;
        sp[2 * i + 1].key = (uint64_t)t->tp[i].db << 32 | t->tp[i].p.b0;
        sp[2 * i + 1].val = 2 * i + 1;
    }
    return sd__kv_sort(sp, 2 * t->npass);
}

/*
 * 1. The union-find over spans (span 2i is passage i's side in its first
 * document, 2i + 1 in its second): a passage's two sides; overlapping
 * spans of one document; close passages of one pair. `order` is scratch
 * of 2 np entries.
 */
static int join_spans(sd_trace *t, sd_uf *uf, sd_kv *order)
{
    size_t np = t->npass, ns = 2 * np, i, best = SIZE_MAX;
    int rc;
    for (i = 0; i < np; i++)
        sd__uf_union(uf, 2 * i, 2 * i + 1);
    if ((rc = sort_spans(t, order)) != 0)
        return rc;
    /* overlapping spans of one document */
    for (i = 0; i < ns; i++) {
        size_t x = order[i].val;
        const sd_tp *p = &t->tp[x / 2];
        uint32_t doc = x & 1 ? p->db : p->da, a0 = x & 1 ? p->p.b0 : p->p.a0,
                 a1 = x & 1 ? p->p.b1 : p->p.a1;
        if (best != SIZE_MAX) {
            const sd_tp *q = &t->tp[best / 2];
            uint32_t bdoc = best & 1 ? q->db : q->da, b0 = best & 1 ? q->p.b0 : q->p.a0,
                     b1 = best & 1 ? q->p.b1 : q->p.a1;
            if (bdoc != doc) {
                best = SIZE_MAX;
            } else {
                uint32_t end = a1 < b1 ? a1 : b1, la = a1 - a0, lb = b1 - b0;
                uint32_t ov = end > a0 ? end - a0 : 0, half = ((la < lb ? la : lb) + 1) / 2;
                uint32_t need = t->o.min_passage < half ? t->o.min_passage : half;
                if (ov > 0 && ov >= need)
                    sd__uf_union(uf, x, best);
                if (a1 > b1)
                    best = x;
            }
        }
        if (best == SIZE_MAX)
            best = x;
    }
    return join_pairs(t, uf);
}

/*
 * 2. The origin among a story's nm members (sorted by document), from
 * the story's passages sp[0..nsp) and each member's merged spans: the
 * earliest date; then, of the members whose alignment with one other
 * member has 90% or more of the most equal words any member has, the
 * one that is most purely the story; then the first. Returns the
 * member's index.
 */
static size_t pick_origin(const sd_trace *t, const sd_story_member *mem, size_t nm,
                          const size_t *sp, size_t nsp, const ivals *cover, uint64_t *eqbest)
{
    size_t i, j, best = 0;
    uint64_t top = 0;
    memset(eqbest, 0, nm * sizeof *eqbest);
    /* per member, the equal words of its best partner; passages of one
     * pair are consecutive in sp */
    for (i = 0; i < nsp; i = j) {
        const sd_tp *p = &t->tp[sp[i]];
        uint64_t sum = 0;
        size_t ma = member_of(mem, nm, p->da), mb = member_of(mem, nm, p->db);
        for (j = i; j < nsp && t->tp[sp[j]].da == p->da && t->tp[sp[j]].db == p->db; j++)
            sum += t->tp[sp[j]].p.equal;
        if (sum > eqbest[ma])
            eqbest[ma] = sum;
        if (sum > eqbest[mb])
            eqbest[mb] = sum;
    }
    for (i = 0; i < nm; i++)
        if (eqbest[i] > top)
            top = eqbest[i];
    for (i = 1; i < nm; i++) {
        const sd_tdoc *d = &t->docs[mem[i].doc], *bd = &t->docs[mem[best].doc];
        int dc = date_cmp(d, bd), full_i = 10 * eqbest[i] >= 9 * top,
            full_b = 10 * eqbest[best] >= 9 * top;
        if (dc < 0) {
            best = i;
        } else if (dc == 0) {
            /* most purely the story: its spans over its length */
            uint64_t ci = iv_len(&cover[i]) * (bd->n ? bd->n : 1);
            uint64_t cb = iv_len(&cover[best]) * (d->n ? d->n : 1);
            if ((full_i && !full_b) || (full_i == full_b && ci > cb))
                best = i;
        }
    }
    return best;
}

/* A k-gram table of one document's spans: k-gram hash to its first
 * position (open addressing, key 0 empty). */
typedef struct ktab {
    uint64_t *key;
    uint32_t *pos;
    size_t mask, cap;
} ktab;

static uint64_t kg_hash(const uint32_t *h, uint32_t i, unsigned k)
{
    uint64_t x = 0x9E3779B97F4A7C15ull;
    unsigned j;
    for (j = 0; j < k; j++)
        x = (x ^ h[i + j]) * 0xff51afd7ed558ccdull;
    return (x ^ (x >> 29)) | 1;
}

static int ktab_build(ktab *kt, const sd_tdoc *d, const ivals *iv, unsigned k)
{
    size_t n = 0, size = 64, i;
    uint32_t x;
    for (i = 0; i < iv->n; i++)
        n += iv->v[i].b - iv->v[i].a;
    while (size < 2 * n + 2)
        size *= 2;
    if (size > kt->cap) {
        sd__free(kt->key);
        sd__free(kt->pos);
        kt->key = sd__malloc(size * sizeof *kt->key);
        kt->pos = sd__malloc(size * sizeof *kt->pos);
        kt->cap = kt->key && kt->pos ? size : 0;
        if (!kt->cap)
            return SD_ENOMEM;
    }
    kt->mask = size - 1;
    memset(kt->key, 0, size * sizeof *kt->key);
    for (i = 0; i < iv->n; i++)
        for (x = iv->v[i].a; x + k <= iv->v[i].b; x++) {
            uint64_t hv = kg_hash(d->h, x, k);
            size_t j = (size_t)(hv * 0x9E3779B97F4A7C15ull) & kt->mask;
            while (kt->key[j] && kt->key[j] != hv)
                j = (j + 1) & kt->mask;
            if (!kt->key[j]) {
                kt->key[j] = hv;
                kt->pos[j] = x;
            }
        }
    return 0;
}

/*
 * 3. Aligns member m (document md, merged spans mcov) against the origin
 * (document od, whose spans' k-grams are in kt) on the k-grams they
 * share, and adds the passages to the story. Returns 0 or an error code.
 */
static int align_to_origin(sd_trace *t, sd_aligner *al, sd_tpassages *out, uint64_t **anch,
                           size_t *acap, const ktab *kt, uint32_t od, uint32_t md,
                           const ivals *mcov, uint64_t story)
{
    const sd_tdoc *o = &t->docs[od], *m = &t->docs[md];
    int m_first = md < od;
    const sd_tdoc *da = m_first ? m : o, *db = m_first ? o : m;
    sd_tseq a = {da->h, da->off, da->end, da->n, da->art},
            b = {db->h, db->off, db->end, db->n, db->art};
    sd_align_params p;
    size_t i, na = 0;
    uint32_t x;
    int rc;
    for (i = 0; i < mcov->n; i++)
        for (x = mcov->v[i].a; x + t->k <= mcov->v[i].b; x++) {
            uint64_t hv = kg_hash(m->h, x, t->k);
            size_t j = (size_t)(hv * 0x9E3779B97F4A7C15ull) & kt->mask;
            while (kt->key[j] && kt->key[j] != hv)
                j = (j + 1) & kt->mask;
            if (!kt->key[j])
                continue;
            if (SD_GROW(*anch, *acap, na + 1))
                return SD_ENOMEM;
            (*anch)[na++] =
                m_first ? ((uint64_t)x << 32 | kt->pos[j]) : ((uint64_t)kt->pos[j] << 32 | x);
        }
    if (na == 0)
        return 0;
    p.k = t->k;
    p.min_passage = t->o.min_passage;
    p.max_gap = t->o.max_gap;
    p.min_identity = t->o.min_identity;
    p.cut = t->o.all_text ? 0 : t->o.min_passage;
    sd__tpassages_reset(out);
    if ((rc = sd__align(al, &a, &b, *anch, na, &p, out)) != 0)
        return rc;
    return sd__trace_add_passages(t, m_first ? md : od, m_first ? od : md, out, story);
}

/*
 * 4. Story s's figures and, per member (mem[0..nm), their merged spans in
 * w->cover; member best is the origin), its spans, share, identity,
 * lacks, added, changed and role, from the story's passages sp[0..nsp).
 * Ranges go to rs, their places to mo[]. Returns 0 or SD_ENOMEM.
 */
static int analyze_story(sd_trace *t, sd_story *st, uint64_t s, sd_story_member *mem, moff *mo,
                         size_t nm, size_t best, const size_t *sp, size_t nsp, rstore *rs, work *w)
{
    uint32_t od = (uint32_t)mem[best].doc;
    uint64_t best_cov = iv_len(&w->cover[best]);
    size_t j;
    int rc;
    st->id = s;
    st->origin = od;
    st->origin_by_date = t->docs[od].date != NULL;
    st->consensus_tokens = best_cov;
    st->n_members = nm;
    for (j = 0; j < nm; j++) {
        sd_story_member *mb = &mem[j];
        if (put_ranges(rs, &t->docs[mb->doc], &w->cover[j], &mo[j].at[0], &mo[j].n[0]))
            return SD_ENOMEM;
        if (j == best) {
            mb->role = SD_ROLE_FULL;
            mb->share = 1;
            mb->identity = 1;
            continue;
        }
        if ((rc = analyze_member(t, sp, nsp, od, &w->cover[best], best_cov, &w->cover[j], mb,
                                 &mo[j], rs, w)) != 0)
            return rc;
    }
    return 0;
}

/* Scratch for aligning copies against their story's origin. */
typedef struct to_origin {
    ktab kt;
    sd_aligner al;
    sd_tpassages out;
    uint64_t *anch;
    size_t acap;
} to_origin;

static void to_origin_release(to_origin *r)
{
    sd__free(r->kt.key);
    sd__free(r->kt.pos);
    sd__free(r->anch);
    sd__aligner_release(&r->al);
    sd__tpassages_release(&r->out);
}

/* Whether one of the passages sp[0..nsp) is between documents x and y. */
static int has_pair(const sd_trace *t, const size_t *sp, size_t nsp, uint32_t x, uint32_t y)
{
    size_t q;
    for (q = 0; q < nsp; q++) {
        const sd_tp *p = &t->tp[sp[q]];
        if ((p->da == x && p->db == y) || (p->db == x && p->da == y))
            return 1;
    }
    return 0;
}

/*
 * 3. The members of story s (mem[0..nm), their merged spans in cover[])
 * that have no passage with the origin (member best) among the story's
 * passages (*sp)[0..*nsp) are aligned against it: their passages join the
 * story and *sp, their spans the covers of the member and the origin.
 * Returns 0 or an error code.
 */
static int align_missing(sd_trace *t, to_origin *r, sd_story *st, uint64_t s,
                         const sd_story_member *mem, size_t nm, size_t best, ivals *cover,
                         size_t **sp, size_t *spcap, size_t *nsp)
{
    uint32_t od = (uint32_t)mem[best].doc;
    size_t nsp0 = *nsp, j, q;
    int built = 0, rc;
    if (nm <= 2)
        return 0; /* two members always have a passage between them */
    for (j = 0; j < nm; j++) {
        uint32_t md = (uint32_t)mem[j].doc;
        size_t before = t->npass;
        if (j == best || has_pair(t, *sp, nsp0, md, od))
            continue;
        if (!built) {
            if ((rc = ktab_build(&r->kt, &t->docs[od], &cover[best], t->k)) != 0)
                return rc;
            built = 1;
        }
        if ((rc = align_to_origin(t, &r->al, &r->out, &r->anch, &r->acap, &r->kt, od, md, &cover[j],
                                  s)) != 0)
            return rc;
        for (q = before; q < t->npass; q++) {
            const sd_tp *p = &t->tp[q];
            int m_is_a = p->da == md;
            if (SD_GROW(*sp, *spcap, *nsp + 1) ||
                iv_push(&cover[j], m_is_a ? p->p.a0 : p->p.b0, m_is_a ? p->p.a1 : p->p.b1) ||
                iv_push(&cover[best], m_is_a ? p->p.b0 : p->p.a0, m_is_a ? p->p.b1 : p->p.a1))
                return SD_ENOMEM;
            (*sp)[(*nsp)++] = q;
            st->passages++;
        }
        iv_merge(&cover[j]);
    }
    iv_merge(&cover[best]);
    return 0;
}

/* Sorts the passages by (first document, second document, start in the
 * first), in place: those aligned against an origin join their pairs'. */
static int sort_passages(sd_trace *t)
{
    size_t np = t->npass, i;
    sd_kv *k;
    uint8_t *done;
    int rc = SD_ENOMEM;
    if (np < 2)
        return 0;
    k = sd__reallocarray(NULL, np, sizeof *k);
    done = sd__calloc(np, 1);
    if (!k || !done)
        goto out;
    for (i = 0; i < np; i++) {
        k[i].key = (uint64_t)t->tp[i].da << 32 | t->tp[i].db;
        k[i].val = (uint64_t)t->tp[i].p.a0 << 32 | (uint64_t)i;
    }
    if ((rc = sd__kv_sort(k, np)) != 0)
        goto out;
    /* position i takes passage k[i]; follow each cycle once */
    for (i = 0; i < np; i++) {
        size_t j = i;
        sd_tp tp0;
        sd_passage p0;
        if (done[i] || (uint32_t)k[i].val == i) {
            done[i] = 1;
            continue;
        }
        tp0 = t->tp[i];
        p0 = t->pass[i];
        for (;;) {
            size_t src = (uint32_t)k[j].val;
            done[j] = 1;
            if (src == i) {
                t->tp[j] = tp0;
                t->pass[j] = p0;
                break;
            }
            t->tp[j] = t->tp[src];
            t->pass[j] = t->pass[src];
            j = src;
        }
    }
    rc = 0;
out:
    sd__free(k);
    sd__free(done);
    return rc;
}

/*
 * 0. Passages that run across a story boundary other pages show are cut
 * there. Two pages that print the same two stories one after the other
 * align them as one passage; in such a page, a span that ends where
 * another, of a page with another partner, starts (within CUT_SLACK
 * tokens) is a boundary between two stories that other pages print
 * apart, and every passage of other partners running across it is cut in
 * two (its other side where the alignment puts the same token).
 */
#define CUT_SLACK(minp) ((uint32_t)(minp) / 2)

/* The token of the other side that an alignment puts against token c of
 * side `a_side` (1: the first document's) of passage p. */
static uint32_t map_across(const sd_trace *t, const sd_tp *p, int a_side, uint32_t c)
{
    uint32_t from0 = a_side ? p->p.a0 : p->p.b0, to0 = a_side ? p->p.b0 : p->p.a0;
    int64_t delta = 0;
    size_t e;
    for (e = 0; e < p->p.nedit; e++) {
        const sd_tedit *te = &t->tedit[p->p.edit0 + e];
        uint32_t f0 = a_side ? te->a0 : te->b0, f1 = a_side ? te->a1 : te->b1;
        uint32_t g0 = a_side ? te->b0 : te->a0, g1 = a_side ? te->b1 : te->a1;
        if (f1 <= c && !(f0 == f1 && f0 == c)) {
            delta += (int64_t)(g1 - g0) - (int64_t)(f1 - f0);
            continue;
        }
        if (f0 < c) /* inside an edit: its start */
            return g0;
        break;
    }
    return (uint32_t)((int64_t)to0 + (int64_t)(c - from0) + delta);
}

/* Splits passage i at token ca of its first document (cb of its second):
 * the part before stays at i, the part after is appended, each with its
 * edits and columns (an edit's columns taken as its longer side). */
static int split_at(sd_trace *t, size_t i, uint32_t ca, uint32_t cb, sd_tpassages *tmp)
{
    sd_tp p = t->tp[i];
    uint64_t uneq[2] = {0, 0}, ecols[2] = {0, 0};
    size_t e, n0 = t->npass;
    int k, rc;
    /* never inside an edit: at its start */
    for (e = 0; e < p.p.nedit; e++) {
        const sd_tedit *te = &t->tedit[p.p.edit0 + e];
        if ((te->a0 < ca && ca < te->a1) || (te->b0 < cb && cb < te->b1)) {
            ca = te->a0;
            cb = te->b0;
            break;
        }
    }
    if (ca <= p.p.a0 || ca >= p.p.a1 || cb <= p.p.b0 || cb >= p.p.b1)
        return 0;
    sd__tpassages_reset(tmp);
    if (SD_GROW(tmp->v, tmp->cap, 2) || SD_GROW(tmp->e, tmp->ecap, p.p.nedit + 1))
        return SD_ENOMEM;
    memset(tmp->v, 0, 2 * sizeof *tmp->v);
    tmp->v[0].a0 = p.p.a0;
    tmp->v[0].a1 = ca;
    tmp->v[0].b0 = p.p.b0;
    tmp->v[0].b1 = cb;
    tmp->v[1].a0 = ca;
    tmp->v[1].a1 = p.p.a1;
    tmp->v[1].b0 = cb;
    tmp->v[1].b1 = p.p.b1;
    /* edits are in order: those of the first part come first */
    for (e = 0; e < p.p.nedit; e++) {
        const sd_tedit *te = &t->tedit[p.p.edit0 + e];
        uint32_t la = te->a1 - te->a0, lb = te->b1 - te->b0;
        k = te->a0 >= ca && te->b0 >= cb;
        tmp->e[tmp->ne++] = *te;
        tmp->v[k].nedit++;
        uneq[k] += la;
        ecols[k] += la > lb ? la : lb; /* an edit's columns: its longer side */
    }
    tmp->v[1].edit0 = tmp->v[0].nedit;
    for (k = 0; k < 2; k++) {
        sd_tpass *x = &tmp->v[k];
        x->equal = (uint32_t)((x->a1 - x->a0) - uneq[k]);
        x->cols = (uint32_t)(x->equal + ecols[k]);
    }
    tmp->n = 2;
    /* both parts are appended; the first then takes passage i's place */
    if ((rc = sd__trace_add_passages(t, p.da, p.db, tmp, UINT64_MAX)) != 0)
        return rc;
    t->tp[i] = t->tp[n0];
    t->pass[i] = t->pass[n0];
    t->tp[n0] = t->tp[n0 + 1];
    t->pass[n0] = t->pass[n0 + 1];
    t->npass--;
    return 0;
}

/* Whether more spans of document doc (in sp, sorted) end or start within
 * slack of token c than run across it: a boundary between two stories
 * that other pages print apart, not a copy cut short where another copy
 * picks up after a dropped paragraph, with full copies running across. */
static int boundary_holds(const sd_trace *t, const sd_kv *sp, size_t ns, uint32_t doc, uint32_t c,
                          uint32_t slack, uint32_t minp)
{
    size_t j, at = 0, across = 0;
    for (j = sd__kv_lower(sp, ns, (uint64_t)doc << 32); j < ns && sp[j].key >> 32 == doc; j++) {
        const sd_tp *p = &t->tp[sp[j].val / 2];
        int a = !(sp[j].val & 1);
        uint32_t s0 = a ? p->p.a0 : p->p.b0, s1 = a ? p->p.a1 : p->p.b1;
        if ((s0 + slack >= c && s0 <= c + slack) || (s1 + slack >= c && s1 <= c + slack))
            at++;
        else if (s0 + minp <= c && s1 >= c + minp)
            across++;
    }
    return at > across;
}

/* The boundaries among the spans sp[0..ns) (sorted): (doc << 32 |
 * token, first partner << 32 | second) in *cut, *ncut of them, sorted.
 * Returns 0 or an error code. */
static int find_boundaries(const sd_trace *t, const sd_kv *sp, size_t ns, sd_kv **cut, size_t *ncut)
{
    size_t i, j, ccap = 0;
    uint32_t slack = CUT_SLACK(t->o.min_passage), minp = t->o.min_passage;
    /* a span ending where one of another partner starts */
    for (i = 0; i < ns; i++) {
        const sd_tp *y = &t->tp[sp[i].val / 2];
        int ya = !(sp[i].val & 1);
        uint32_t doc = ya ? y->da : y->db, ye = ya ? y->p.a1 : y->p.b1, ys = ya ? y->p.a0 : y->p.b0,
                 yp = ya ? y->db : y->da;
        uint64_t from = (uint64_t)doc << 32 | (ye > slack ? ye - slack : 0);
        for (j = sd__kv_lower(sp, ns, from);
             j < ns && sp[j].key <= ((uint64_t)doc << 32 | (ye + slack)); j++) {
            const sd_tp *z = &t->tp[sp[j].val / 2];
            int za = !(sp[j].val & 1);
            uint32_t zs = za ? z->p.a0 : z->p.b0, zp = za ? z->db : z->da;
            if (zp == yp || zs < ys + minp || !boundary_holds(t, sp, ns, doc, zs, slack, minp))
                continue;
            if (SD_GROW(*cut, ccap, *ncut + 1))
                return SD_ENOMEM;
            (*cut)[*ncut].key = (uint64_t)doc << 32 | zs;
            (*cut)[(*ncut)++].val = (uint64_t)yp << 32 | zp;
            break;
        }
    }
    return *ncut ? sd__kv_sort(*cut, *ncut) : 0;
}

/* Cuts every passage of a third partner running across one of the
 * boundaries cut[0..ncut) at it, on the side it was seen (the first
 * boundary in each). Returns 0 or an error code. */
static int cut_across(sd_trace *t, const sd_kv *cut, size_t ncut, sd_tpassages *tmp)
{
    size_t np = t->npass, i, j;
    uint32_t minp = t->o.min_passage;
    int rc;
    for (i = 0; i < np; i++) {
        int side;
        for (side = 0; side < 2; side++) {
            const sd_tp *p = &t->tp[i];
            uint32_t doc = side ? p->db : p->da, s0 = side ? p->p.b0 : p->p.a0,
                     s1 = side ? p->p.b1 : p->p.a1, partner = side ? p->da : p->db;
            uint64_t from = (uint64_t)doc << 32 | (s0 + minp);
            for (j = sd__kv_lower(cut, ncut, from);
                 j < ncut && cut[j].key + minp <= ((uint64_t)doc << 32 | s1); j++) {
                uint32_t c = (uint32_t)cut[j].key, other;
                if ((uint32_t)(cut[j].val >> 32) == partner || (uint32_t)cut[j].val == partner)
                    continue;
                other = map_across(t, p, !side, c);
                if (side ? (other <= p->p.a0 || other >= p->p.a1)
                         : (other <= p->p.b0 || other >= p->p.b1))
                    break;
                if ((rc = split_at(t, i, side ? other : c, side ? c : other, tmp)) != 0)
                    return rc;
                break;
            }
        }
    }
    return 0;
}

/* 0. Cuts the passages running across a story boundary other pages show
 * (above), then sorts them again. Returns 0 or an error code. */
static int cut_passages(sd_trace *t)
{
    size_t np = t->npass, ns = 2 * np, ncut = 0;
    sd_kv *sp = NULL, *cut = NULL; /* cut: (doc << 32 | token, partners) */
    sd_tpassages tmp;
    int rc = SD_ENOMEM;
    if (np < 2 || t->o.all_text)
        return 0;
    sd__tpassages_init(&tmp);
    if ((sp = sd__reallocarray(NULL, ns, sizeof *sp)) == NULL)
        goto done;
    if ((rc = sort_spans(t, sp)) != 0 || (rc = find_boundaries(t, sp, ns, &cut, &ncut)) != 0 ||
        ncut == 0)
        goto done;
    if ((rc = cut_across(t, cut, ncut, &tmp)) != 0)
        goto done;
    rc = sort_passages(t);
done:
    sd__tpassages_release(&tmp);
    sd__free(sp);
    sd__free(cut);
    return rc;
}

/* Numbers the stories by root (the smallest span of each set: sid[] per
 * span), makes t->stories and gives each passage its story; pk gets
 * (story, passage) per passage. Returns 0 or SD_ENOMEM. */
static int number_stories(sd_trace *t, sd_uf *uf, uint64_t *sid, sd_kv *pk)
{
    size_t np = t->npass, ns = 2 * np, i, nst = 0;
    for (i = 0; i < ns; i++) {
        uint64_t r = sd__uf_find(uf, i);
        sid[i] = r == i ? nst++ : sid[r];
    }
    t->stories = sd__calloc(nst, sizeof *t->stories);
    if (!t->stories)
        return SD_ENOMEM;
    t->nstories = nst;
    for (i = 0; i < np; i++) {
        t->pass[i].story = sid[2 * i];
        pk[i].key = sid[2 * i];
        pk[i].val = i;
        t->stories[sid[2 * i]].passages++;
    }
    return 0;
}

/* The member keys, one per span: (story << 32 | doc, start << 32 | end),
 * sorted, so spans are grouped by (story, doc) in token order; the number
 * of members (distinct keys) in *nmem. Returns 0 or an error code. */
static int member_keys(const sd_trace *t, const uint64_t *sid, sd_kv *mk, size_t *nmem)
{
    size_t ns = 2 * t->npass, i;
    int rc;
    for (i = 0; i < ns; i++) {
        const sd_tp *p = &t->tp[i / 2];
        mk[i].key = (sid[i] << 32) | (i & 1 ? p->db : p->da);
        mk[i].val = ((uint64_t)(i & 1 ? p->p.b0 : p->p.a0) << 32) | (i & 1 ? p->p.b1 : p->p.a1);
    }
    if ((rc = sd__kv_sort(mk, ns)) != 0)
        return rc;
    *nmem = 0;
    for (i = 0; i < ns; i++)
        if (i == 0 || mk[i].key != mk[i - 1].key)
            (*nmem)++;
    return 0;
}

/* Story s's members, from the member keys mk[*si..ns) (those of story s
 * first): their documents into mem[], their merged spans into w->cover;
 * their count in *nm, and *si moves past them. Returns 0 or SD_ENOMEM. */
static int story_members(const sd_kv *mk, size_t ns, size_t *si, uint64_t s, sd_story_member *mem,
                         work *w, size_t *nm)
{
    size_t j, mi = 0, n;
    sd__free(w->cover);
    w->cover = NULL;
    for (j = *si; j < ns && (mk[j].key >> 32) == s; j++)
        if (j == *si || mk[j].key != mk[j - 1].key)
            mi++;
    n = mi;
    w->cover = sd__calloc(n, sizeof *w->cover);
    w->ncover = w->cover ? n : 0;
    if (!w->cover)
        return SD_ENOMEM;
    for (j = *si, mi = 0; j < ns && (mk[j].key >> 32) == s; j++) {
        if (j > *si && mk[j].key != mk[j - 1].key)
            mi++;
        mem[mi].doc = (uint32_t)mk[j].key;
        if (iv_push(&w->cover[mi], (uint32_t)(mk[j].val >> 32), (uint32_t)mk[j].val))
            return SD_ENOMEM;
    }
    *si = j;
    for (j = 0; j < n; j++)
        iv_merge(&w->cover[j]);
    *nm = n;
    return 0;
}

/* Frees a story's scratch. */
static void work_release(work *w)
{
    size_t i;
    for (i = 0; w->cover && i < w->ncover; i++)
        sd__free(w->cover[i].v);
    sd__free(w->cover);
    sd__free(w->ocov.v);
    sd__free(w->mcov.v);
    sd__free(w->tmp.v);
    sd__free(w->added.v);
    sd__free(w->changed.v);
}

/*
 * 2-4 for every story in turn, from the member keys mk[0..ns) and the
 * (story, passage) keys pk, both sorted: its members and their merged
 * spans, its passages, its origin, the members aligned against it, and
 * what each member did. Members go to t->members, their ranges to rs,
 * the ranges' places to mo[]. Returns 0 or an error code.
 */
static int build_stories(sd_trace *t, const sd_kv *mk, size_t ns, const sd_kv *pk, moff *mo,
                         rstore *rs)
{
    size_t np = t->npass, mi = 0, si = 0, pi = 0, s, j;
    size_t *sp = NULL, spcap = 0, eqcap = 0;
    uint64_t *eqbest = NULL;
    work w;
    to_origin r2;
    int rc = 0;

    memset(&w, 0, sizeof w);
    memset(&r2, 0, sizeof r2);
    sd__aligner_init(&r2.al);
    sd__tpassages_init(&r2.out);
    for (s = 0; s < t->nstories; s++) {
        sd_story *st = &t->stories[s];
        sd_story_member *mem = t->members + mi;
        size_t nm, nsp, best;
        if (s % 256 == 255)
            sd__trace_trim(t); /* under a memory limit: the pages read so far */
        if ((rc = story_members(mk, ns, &si, s, mem, &w, &nm)) != 0)
            break;
        /* this story's passages, as indexes */
        for (nsp = 0; pi + nsp < np && pk[pi + nsp].key == s; nsp++)
            ;
        if (SD_GROW(sp, spcap, nsp + nm + 1) != 0 || SD_GROW(eqbest, eqcap, nm) != 0) {
            rc = SD_ENOMEM;
            break;
        }
        for (j = 0; j < nsp; j++)
            sp[j] = (size_t)pk[pi + j].val;
        pi += nsp;
        best = pick_origin(t, mem, nm, sp, nsp, w.cover, eqbest);
        /* members with no passage with the origin are aligned to it */
        if ((rc = align_missing(t, &r2, st, s, mem, nm, best, w.cover, &sp, &spcap, &nsp)) != 0 ||
            (rc = analyze_story(t, st, s, mem, mo + mi, nm, best, sp, nsp, rs, &w)) != 0)
            break;
        for (j = 0; j < nm; j++) {
            sd__free(w.cover[j].v);
            w.cover[j].v = NULL;
        }
        mi += nm;
    }
    work_release(&w);
    sd__free(sp);
    sd__free(eqbest);
    to_origin_release(&r2);
    return rc;
}

/* Points stories at their members and members at their ranges, now that
 * the range store no longer moves (t->ranges takes it over); dk gets
 * (document, story) per member. */
static void link_ranges(sd_trace *t, const moff *mo, rstore *rs, sd_kv *dk)
{
    size_t s, i, j;
    for (s = 0, i = 0; s < t->nstories; s++) {
        sd_story *st = &t->stories[s];
        st->members = t->members + i;
        for (j = 0; j < st->n_members; j++, i++) {
            sd_story_member *mb = &t->members[i];
            mb->spans = rs->v + mo[i].at[0];
            mb->n_spans = mo[i].n[0];
            mb->added = rs->v + mo[i].at[1];
            mb->n_added = mo[i].n[1];
            mb->lacks = rs->v + mo[i].at[2];
            mb->n_lacks = mo[i].n[2];
            mb->changed = rs->v + mo[i].at[3];
            mb->n_changed = mo[i].n[3];
            if (mb->doc == st->origin) {
                st->consensus = mb->spans;
                st->n_consensus = mb->n_spans;
            }
            dk[i].key = mb->doc;
            dk[i].val = s;
        }
    }
    t->ranges = rs->v;
    rs->v = NULL;
}

/* Per document, its stories: t->doc_story in document order, from dk
 * (document, story) per member, and t->doc_story_at the offsets of each
 * document's. Returns 0 or an error code. */
static int doc_stories(sd_trace *t, sd_kv *dk, size_t nmem)
{
    size_t i;
    int rc;
    if ((rc = sd__kv_sort(dk, nmem)) != 0)
        return rc;
    t->doc_story = sd__reallocarray(NULL, nmem ? nmem : 1, sizeof *t->doc_story);
    if (!t->doc_story)
        return SD_ENOMEM;
    for (i = 0; i < nmem; i++) {
        t->doc_story[i] = dk[i].val;
        t->doc_story_at[dk[i].key + 1]++;
    }
    for (i = 0; i < t->n; i++)
        t->doc_story_at[i + 1] += t->doc_story_at[i];
    return 0;
}

int sd__trace_stories(sd_trace *t)
{
    size_t np, ns, nmem = 0;
    sd_uf uf;
    sd_kv *order = NULL, *mk = NULL, *pk = NULL, *dk = NULL;
    uint64_t *sid = NULL;
    moff *mo = NULL;
    rstore rs = {NULL, 0, 0};
    int rc = SD_ENOMEM;

    memset(&uf, 0, sizeof uf);
    t->doc_story_at = sd__calloc(t->n + 1, sizeof *t->doc_story_at);
    if (!t->doc_story_at)
        return SD_ENOMEM;
    if ((rc = cut_passages(t)) != 0)
        return rc;
    sd__trace_fix_changes(t);
    np = t->npass;
    ns = 2 * np;
    if (np == 0)
        return 0;
    rc = SD_ENOMEM;
    if (sd__uf_init(&uf, ns) != 0)
        goto fail;
    order = sd__reallocarray(NULL, ns, sizeof *order);
    mk = sd__reallocarray(NULL, ns, sizeof *mk);
    pk = sd__reallocarray(NULL, np, sizeof *pk);
    sid = sd__reallocarray(NULL, ns, sizeof *sid);
    if (!order || !mk || !pk || !sid)
        goto fail;
    if ((rc = join_spans(t, &uf, order)) != 0 || (rc = number_stories(t, &uf, sid, pk)) != 0 ||
        (rc = member_keys(t, sid, mk, &nmem)) != 0 || (rc = sd__kv_sort(pk, np)) != 0)
        goto fail;
    rc = SD_ENOMEM;
    t->members = sd__calloc(nmem, sizeof *t->members);
    mo = sd__calloc(nmem, sizeof *mo);
    dk = sd__reallocarray(NULL, nmem, sizeof *dk);
    if (!t->members || !mo || !dk)
        goto fail;
    if ((rc = build_stories(t, mk, ns, pk, mo, &rs)) != 0)
        goto fail;
    link_ranges(t, mo, &rs, dk);
    if ((rc = doc_stories(t, dk, nmem)) != 0)
        goto fail;
    /* the passages aligned against origins join their pairs' */
    if ((rc = sort_passages(t)) != 0)
        goto fail;
    sd__trace_fix_changes(t);
    t->stats.passages = t->npass;
    rc = 0;
fail:
    sd__uf_release(&uf);
    sd__free(order);
    sd__free(mk);
    sd__free(pk);
    sd__free(dk);
    sd__free(sid);
    sd__free(mo);
    sd__free(rs.v);
    return rc;
}
