/*
 * story.c: stories as clusters of aligned spans, and what each copy did.
 *
 * Every passage gives two spans (its token range in each document), joined
 * in a union-find. Within one document the spans are swept in order of
 * start, and a span that overlaps the one reaching furthest so far by at
 * least min(min_passage, half the shorter span) joins its set. So spans of
 * the same story in one page meet, while a page that carries two stories
 * one after the other keeps them apart: the story is a cluster of spans, a
 * page may belong to several. The root of a set is its smallest span, so
 * stories are numbered in order of their first passage.
 *
 * Then, per story: the members (documents with a span in it), the origin
 * (earliest date when dates are known, else the copy whose alignments
 * with the others have the most equal tokens), the consensus (the origin's spans: its text that
 * other copies share), and per member, from its passages with the origin: the share of the
 * consensus it carries, what of it it lacks, what it added and changed, and from those its role.
 */
#include <string.h>

#include "base/alloc.h"
#include "base/keysort.h"
#include "group/trace_int.h"
#include "group/unionfind.h"

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
    uint64_t *agree; /* per member: equal tokens of its alignments */
    size_t agree_cap;
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

/*
 * Fills member m (not the origin) of a story from its passages with the
 * origin: share, identity, lacks, added, changed, role.
 */
static int analyze_member(sd_trace *t, const sd_kv *sp, size_t nsp, uint32_t origin,
                          const ivals *cons, uint64_t cons_tok, const ivals *mspans,
                          sd_story_member *mb, moff *mo, rstore *rs, work *w)
{
    uint32_t doc = (uint32_t)mb->doc;
    uint64_t cols = 0, eq = 0, acols = 0, aeq = 0, added_tok, lack_before = 0;
    size_t i, e;
    int direct = 0, rc;
    double minp = (double)t->o.min_passage;

    w->ocov.n = w->mcov.n = w->added.n = w->changed.n = 0;
    for (i = 0; i < nsp; i++) {
        const sd_tp *p = &t->tp[sp[i].val];
        int m_is_a;
        if (!((p->da == doc && p->db == origin) || (p->db == doc && p->da == origin))) {
            if (p->da == doc || p->db == doc) {
                acols += p->p.cols;
                aeq += p->p.equal;
            }
            continue;
        }
        direct = 1;
        m_is_a = p->da == doc;
        cols += p->p.cols;
        eq += p->p.equal;
        if ((rc = iv_push(&w->ocov, m_is_a ? p->p.b0 : p->p.a0, m_is_a ? p->p.b1 : p->p.a1)) ||
            (rc = iv_push(&w->mcov, m_is_a ? p->p.a0 : p->p.b0, m_is_a ? p->p.a1 : p->p.b1)))
            return rc;
        for (e = 0; e < p->p.nedit; e++) {
            const sd_tedit *te = &t->tedit[p->p.edit0 + e];
            uint32_t m0 = m_is_a ? te->a0 : te->b0, m1 = m_is_a ? te->a1 : te->b1;
            uint32_t o0 = m_is_a ? te->b0 : te->a0, o1 = m_is_a ? te->b1 : te->a1;
            if (m1 > m0 && (rc = iv_push(o1 > o0 ? &w->changed : &w->added, m0, m1)) != 0)
                return rc;
        }
    }
    if (!direct) {
        uint64_t cov = iv_len(mspans);
        mb->share = cons_tok ? (double)(cov < cons_tok ? cov : cons_tok) / (double)cons_tok : 0;
        mb->identity = acols ? (double)aeq / (double)acols : 1.0;
        mb->role = mb->identity < 0.75 ? SD_ROLE_REWRITE
                   : mb->share >= 0.9  ? SD_ROLE_FULL
                                       : SD_ROLE_EXCERPT;
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
    mb->identity = cols ? (double)eq / (double)cols : 1.0;
    /* lacks: consensus minus what the member aligns to */
    if ((rc = iv_sub(cons, &w->ocov, &w->tmp)) != 0)
        return rc;
    for (i = 0; i < w->tmp.n; i++)
        if (w->ocov.n && w->tmp.v[i].a < w->ocov.v[w->ocov.n - 1].b)
            lack_before += w->tmp.v[i].b - w->tmp.v[i].a;
    if (mb->identity < 0.75)
        mb->role = SD_ROLE_REWRITE;
    else if (mb->share >= 0.9)
        mb->role = (double)added_tok > 0.1 * (double)cons_tok && (double)added_tok >= minp / 2
                       ? SD_ROLE_EXTENDED
                       : SD_ROLE_FULL;
    else if ((double)lack_before <= 0.05 * (double)cons_tok + 2)
        mb->role = SD_ROLE_TRUNCATED;
    else
        mb->role = SD_ROLE_EXCERPT;
    if ((rc = put_ranges(rs, &t->docs[origin], &w->tmp, &mo->at[2], &mo->n[2])) ||
        (rc = put_ranges(rs, &t->docs[doc], &w->added, &mo->at[1], &mo->n[1])) ||
        (rc = put_ranges(rs, &t->docs[doc], &w->changed, &mo->at[3], &mo->n[3])))
        return rc;
    return 0;
}

int sd__trace_stories(sd_trace *t)
{
    size_t np = t->npass, ns = 2 * np, i, j, nst = 0, nmem = 0, s;
    sd_uf uf;
    sd_kv *order = NULL, *mk = NULL, *pk = NULL, *dk = NULL;
    uint64_t *sid = NULL;
    moff *mo = NULL;
    rstore rs = {NULL, 0, 0};
    work w;
    int rc = SD_ENOMEM;

    memset(&w, 0, sizeof w);
    memset(&uf, 0, sizeof uf);
    t->doc_story_at = sd__calloc(t->n + 1, sizeof *t->doc_story_at);
    if (!t->doc_story_at)
        return SD_ENOMEM;
    if (np == 0)
        return 0;
    if (sd__uf_init(&uf, ns) != 0)
        goto fail;
    order = sd__reallocarray(NULL, ns, sizeof *order);
    mk = sd__reallocarray(NULL, ns, sizeof *mk);
    pk = sd__reallocarray(NULL, np, sizeof *pk);
    sid = sd__reallocarray(NULL, ns, sizeof *sid);
    if (!order || !mk || !pk || !sid)
        goto fail;
    for (i = 0; i < np; i++) {
        sd__uf_union(&uf, 2 * i, 2 * i + 1);
        order[2 * i].key = ((uint64_t)t->tp[i].da << 32) | t->tp[i].p.a0;
        order[2 * i].val = 2 * i;
        order[2 * i + 1].key = ((uint64_t)t->tp[i].db << 32) | t->tp[i].p.b0;
        order[2 * i + 1].val = 2 * i + 1;
    }
    if ((rc = sd__kv_sort(order, ns)) != 0)
        goto fail;
    rc = SD_ENOMEM;
    /* join overlapping spans of one document */
    {
        size_t best = SIZE_MAX;
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
                        sd__uf_union(&uf, x, best);
                    if (a1 > b1)
                        best = x;
                }
            }
            if (best == SIZE_MAX)
                best = x;
        }
    }
    /* number stories by root (the smallest span of each set) */
    for (i = 0; i < ns; i++) {
        uint64_t r = sd__uf_find(&uf, i);
        sid[i] = r == i ? nst++ : sid[r];
    }
    t->stories = sd__calloc(nst, sizeof *t->stories);
    if (!t->stories)
        goto fail;
    t->nstories = nst;
    for (i = 0; i < np; i++) {
        t->pass[i].story = sid[2 * i];
        pk[i].key = sid[2 * i];
        pk[i].val = i;
        t->stories[sid[2 * i]].passages++;
    }
    /* members: spans grouped by (story, doc), in token order */
    for (i = 0; i < ns; i++) {
        const sd_tp *p = &t->tp[i / 2];
        mk[i].key = (sid[i] << 32) | (i & 1 ? p->db : p->da);
        mk[i].val = ((uint64_t)(i & 1 ? p->p.b0 : p->p.a0) << 32) | (i & 1 ? p->p.b1 : p->p.a1);
    }
    if ((rc = sd__kv_sort(mk, ns)) != 0 || (rc = sd__kv_sort(pk, np)) != 0)
        goto fail;
    rc = SD_ENOMEM;
    for (i = 0; i < ns; i++)
        if (i == 0 || mk[i].key != mk[i - 1].key)
            nmem++;
    t->members = sd__calloc(nmem, sizeof *t->members);
    mo = sd__calloc(nmem, sizeof *mo);
    dk = sd__reallocarray(NULL, nmem, sizeof *dk);
    if (!t->members || !mo || !dk)
        goto fail;
    {
        size_t mi = 0, si = 0, pi = 0;
        for (s = 0; s < nst; s++) {
            sd_story *st = &t->stories[s];
            size_t m0 = mi, nm, best = 0, ps;
            uint64_t best_cov = 0;
            if (s % 256 == 255)
                sd__trace_trim(t); /* under a memory limit: the pages read so far */
            /* this story's members and their merged spans */
            sd__free(w.cover);
            w.cover = NULL;
            for (j = si; j < ns && (mk[j].key >> 32) == s; j++)
                if (j == si || mk[j].key != mk[j - 1].key)
                    mi++;
            nm = mi - m0;
            w.cover = sd__calloc(nm, sizeof *w.cover);
            w.ncover = w.cover ? nm : 0;
            if (!w.cover)
                goto fail;
            for (j = si, mi = m0; j < ns && (mk[j].key >> 32) == s; j++) {
                if (j > si && mk[j].key != mk[j - 1].key)
                    mi++;
                t->members[mi].doc = (uint32_t)mk[j].key;
                if (iv_push(&w.cover[mi - m0], (uint32_t)(mk[j].val >> 32), (uint32_t)mk[j].val))
                    goto fail;
            }
            mi++;
            si = j;
            /* this story's passages, and per member the equal tokens of its
             * alignments: the copy agreeing most with the others is the
             * likeliest origin when dates do not tell */
            for (ps = pi; ps < np && pk[ps].key == s; ps++)
                ;
            if (SD_GROW(w.agree, w.agree_cap, nm) != 0)
                goto fail;
            memset(w.agree, 0, nm * sizeof *w.agree);
            for (j = pi; j < ps; j++) {
                const sd_tp *p = &t->tp[pk[j].val];
                w.agree[member_of(t->members + m0, nm, p->da)] += p->p.equal;
                w.agree[member_of(t->members + m0, nm, p->db)] += p->p.equal;
            }
            for (j = 0; j < nm; j++) {
                const sd_tdoc *d = &t->docs[t->members[m0 + j].doc], *bd;
                iv_merge(&w.cover[j]);
                if (j == 0)
                    continue;
                bd = &t->docs[t->members[m0 + best].doc];
                {
                    /* ties go to the copy that is most purely the story
                     * (a wire original rather than a page wrapping it) */
                    int dc = date_cmp(d, bd);
                    uint64_t cj = iv_len(&w.cover[j]) * (bd->n ? bd->n : 1);
                    uint64_t cb = iv_len(&w.cover[best]) * (d->n ? d->n : 1);
                    if (dc < 0 || (dc == 0 && (w.agree[j] > w.agree[best] ||
                                               (w.agree[j] == w.agree[best] && cj > cb))))
                        best = j;
                }
            }
            best_cov = iv_len(&w.cover[best]);
            st->id = s;
            st->origin = t->members[m0 + best].doc;
            st->origin_by_date = t->docs[st->origin].date != NULL;
            st->consensus_tokens = best_cov;
            st->n_members = nm;
            for (j = 0; j < nm; j++) {
                sd_story_member *mb = &t->members[m0 + j];
                moff *o = &mo[m0 + j];
                if (put_ranges(&rs, &t->docs[mb->doc], &w.cover[j], &o->at[0], &o->n[0]))
                    goto fail;
                if (j == best) {
                    mb->role = SD_ROLE_FULL;
                    mb->share = 1;
                    mb->identity = 1;
                    continue;
                }
                if ((rc = analyze_member(t, pk + pi, ps - pi, (uint32_t)st->origin, &w.cover[best],
                                         best_cov, &w.cover[j], mb, o, &rs, &w)) != 0)
                    goto fail;
                rc = SD_ENOMEM;
            }
            pi = ps;
            for (j = 0; j < nm; j++) {
                sd__free(w.cover[j].v);
                w.cover[j].v = NULL;
            }
        }
    }
    /* fix up pointers now that the range store no longer moves */
    for (s = 0, i = 0; s < nst; s++) {
        sd_story *st = &t->stories[s];
        st->members = t->members + i;
        for (j = 0; j < st->n_members; j++, i++) {
            sd_story_member *mb = &t->members[i];
            mb->spans = rs.v + mo[i].at[0];
            mb->n_spans = mo[i].n[0];
            mb->added = rs.v + mo[i].at[1];
            mb->n_added = mo[i].n[1];
            mb->lacks = rs.v + mo[i].at[2];
            mb->n_lacks = mo[i].n[2];
            mb->changed = rs.v + mo[i].at[3];
            mb->n_changed = mo[i].n[3];
            if (mb->doc == st->origin) {
                st->consensus = mb->spans;
                st->n_consensus = mb->n_spans;
            }
            dk[i].key = mb->doc;
            dk[i].val = s;
        }
    }
    t->ranges = rs.v;
    rs.v = NULL;
    /* per document: its stories */
    if ((rc = sd__kv_sort(dk, nmem)) != 0)
        goto fail;
    rc = SD_ENOMEM;
    t->doc_story = sd__reallocarray(NULL, nmem ? nmem : 1, sizeof *t->doc_story);
    if (!t->doc_story)
        goto fail;
    for (i = 0; i < nmem; i++) {
        t->doc_story[i] = dk[i].val;
        t->doc_story_at[dk[i].key + 1]++;
    }
    for (i = 0; i < t->n; i++)
        t->doc_story_at[i + 1] += t->doc_story_at[i];
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
    for (i = 0; w.cover && i < w.ncover; i++)
        sd__free(w.cover[i].v);
    sd__free(w.cover);
    sd__free(w.ocov.v);
    sd__free(w.mcov.v);
    sd__free(w.tmp.v);
    sd__free(w.added.v);
    sd__free(w.changed.v);
    sd__free(w.agree);
    return rc;
}
