/*
 * dedup_dist.c: the finish of a dedup job that is one of several processes
 * (sd_dedup_options.comm), each holding the sketches of its share of the
 * records. The steps mirror the one-process finish in dedup.c, with keys
 * dealt to processes by hash so that every group of equal keys meets in one
 * process:
 *
 *   1. text hashes  -> grouped by hash: byte-identical texts; the owners
 *                      learn which of their documents are exact copies
 *   2. band keys    -> grouped by (band, hash), a few bands a round:
 *                      candidate pairs, as sd__lsh_pairs() pairs a bucket
 *   3. pairs        -> to the owner of the second document, where repeats
 *                      are dropped; it sends its document's signature with
 *                      the pair to the owner of the first, who verifies
 *   4. edges        -> to process 0, which joins them (union-find over the
 *                      documents that have an edge) and tells each owner
 *                      its documents' representatives
 *   5. clusters     -> numbered in input order from per-block counts; a
 *                      duplicate fetches its representative's signature
 *                      and cluster number for its similarity
 *
 * Every grouping sees the same keys in the same order as the one-process
 * job, and union-find makes the smallest index the root however the edges
 * arrive, so the results are the same byte for byte.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/exch.h"
#include "group/dedup_int.h"
#include "group/unionfind.h"
#include "match/lsh.h"

#define BAND_ROUND_KEYS ((uint64_t)4 << 20) /* band keys per process a round (64 MB) */
#define VERIFY_ROUND 65536                  /* pairs verified per process a round */
#define PAGE 4096

/*
 * With a memory limit (d->mapped) every array per document is file-backed
 * and a quarter of the limit of it may stay resident: walks in order let
 * go of the pages every `walk` documents, and random accesses (a record or
 * a result of a document another process named) every `touch_max`.
 */
typedef struct dist {
    sd_exch ex;
    sd_dedup *d;
    size_t walk;
    uint64_t touches, touch_max;
} dist;

static void walk_at(const dist *x, size_t i)
{
    if (x->d->mapped && i % x->walk == 0)
        sd__dedup_maps_trim(x->d);
}

static void touched(dist *x)
{
    if (x->d->mapped && ++x->touches >= x->touch_max) {
        x->touches = 0;
        sd__dedup_maps_trim(x->d);
    }
}

/* An array of n zeroed elements: in memory, or file-backed in m. */
static void *doc_array(sd_dedup *d, sd_fmap *m, size_t n, size_t size)
{
    if (!d->mapped)
        return sd__calloc(n, size);
    return sd_fmap_grow(m, (uint64_t)n * size) == 0 ? m->base : NULL;
}

#define put(x, to, e) sd__exch_put(&(x)->ex, (to), (e))
#define exchange(x, got, ng, from) sd__exch_run(&(x)->ex, (got), (ng), (from))
#define max_all(x, v) sd__exch_max(&(x)->ex, (v))
#define dest_of(h, np) sd__exch_dest((h), (np))

static uint64_t global_of(const dist *x, size_t local)
{
    return sd_share_record(&x->ex.c->share, local);
}

static size_t local_of(const dist *x, uint64_t g)
{
    return (size_t)sd_share_local(&x->ex.c->share, g);
}

static unsigned owner_of(const dist *x, uint64_t g)
{
    return sd_share_owner(&x->ex.c->share, g);
}

/* A local document's record: signature, then verification bins. */
static void local_rec(const sd_dedup *d, size_t i, unsigned char *out)
{
    unsigned k = d->o.num_perm;
    memcpy(out, d->sigs + i * k, 4 * (size_t)k);
    memcpy(out + 4 * (size_t)k, d->vsigs + i * k, 2 * (size_t)k);
}

/* An edge of the clustering, kept until step 4. */
typedef struct edges {
    sd_kv *v;
    size_t n, cap;
} edges;

static int add_edge(edges *e, uint64_t a, uint64_t b)
{
    if (SD_GROW(e->v, e->cap, e->n + 1))
        return SD_ENOMEM;
    e->v[e->n].key = a;
    e->v[e->n].val = b;
    e->n++;
    return 0;
}

/* ---- 1. byte-identical texts ---- */

typedef struct hash_msg {
    uint64_t lo, hi, len, doc;
} hash_msg;

static int cmp_doc(const void *a, const void *b)
{
    const hash_msg *x = a, *y = b;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

/* The round of a text hash: a function of its low half, which groups. */
static unsigned hash_round(uint64_t lo, unsigned rounds)
{
    return (unsigned)((lo * UINT64_C(0xD6E8FEB86659FD93)) >> 40) % rounds;
}

/*
 * Text hashes to their groups; the owners of exact copies are told. Under a
 * memory limit, in rounds of hashes that group together (each hash sent,
 * received and sorted takes about 80 bytes: an eighth of the limit a
 * round).
 */
static int exact_step(dist *x, edges *ed)
{
    sd_dedup *d = x->d;
    unsigned char *got = NULL, *marks = NULL;
    hash_msg *h;
    sd_kv *kv = NULL;
    size_t i, ng, nm;
    uint64_t most = d->n, rounds = 1, round;
    int rc = 0;
    if (d->o.memory_limit) {
        if ((rc = max_all(x, &most)) != 0)
            return rc;
        rounds = most * 80 / (d->o.memory_limit / 8 + 1) + 1;
    }
    for (round = 0; round < rounds; round++) {
        x->ex.size = sizeof(hash_msg);
        for (i = 0; i < d->n; i++) {
            hash_msg m;
            walk_at(x, i);
            if ((d->info[i].flags & DOC_ABSENT) ||
                hash_round(d->info[i].text_hash.low64, (unsigned)rounds) != round)
                continue;
            m.lo = d->info[i].text_hash.low64;
            m.hi = d->info[i].text_hash.high64;
            m.len = d->info[i].len;
            m.doc = global_of(x, i);
            if (put(x, dest_of(m.lo, x->ex.np), &m))
                return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
        }
        if ((rc = exchange(x, &got, &ng, NULL)) != 0)
            return rc;
        h = (hash_msg *)(void *)got;
        kv = sd__reallocarray(NULL, ng ? ng : 1, sizeof *kv);
        if (kv == NULL) {
            rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory");
            goto done;
        }
        for (i = 0; i < ng; i++) {
            kv[i].key = h[i].lo;
            kv[i].val = i;
        }
        if (sd__kv_sort(kv, ng)) {
            rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory");
            goto done;
        }
        x->ex.size = sizeof(uint64_t);
        for (i = 0; i < ng;) {
            size_t j = i + 1, a, gn;
            hash_msg *g;
            while (j < ng && kv[j].key == kv[i].key)
                j++;
            gn = j - i;
            if (gn > 1) {
                /* the group in document order, as join_exact() sees it */
                doc_info *gi;
                size_t *first;
                g = sd__reallocarray(NULL, gn, sizeof *g);
                gi = sd__calloc(gn, sizeof *gi);
                first = sd__reallocarray(NULL, gn, sizeof *first);
                if (g == NULL || gi == NULL || first == NULL) {
                    sd__free(g);
                    sd__free(gi);
                    sd__free(first);
                    rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory");
                    goto done;
                }
                for (a = 0; a < gn; a++)
                    g[a] = h[kv[i + a].val];
                qsort(g, gn, sizeof *g, cmp_doc);
                for (a = 0; a < gn; a++) {
                    gi[a].text_hash.low64 = g[a].lo;
                    gi[a].text_hash.high64 = g[a].hi;
                    gi[a].len = g[a].len;
                }
                sd__dedup_exact_firsts(gi, gn, first);
                for (a = 0; a < gn && rc == 0; a++) {
                    if (first[a] == a)
                        continue;
                    if (add_edge(ed, g[first[a]].doc, g[a].doc) ||
                        put(x, owner_of(x, g[a].doc), &g[a].doc))
                        rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory");
                    d->stats.exact_duplicates++;
                }
                sd__free(gi);
                sd__free(first);
                sd__free(g);
                if (rc)
                    goto done;
            }
            i = j;
        }
        sd__free(got);
        got = NULL;
        sd__free(kv);
        kv = NULL;
        if ((rc = exchange(x, &marks, &nm, NULL)) != 0)
            goto done;
        for (i = 0; i < nm; i++) {
            uint64_t g;
            memcpy(&g, marks + i * sizeof g, sizeof g);
            d->exact[local_of(x, g)] = 1;
            touched(x);
        }
        sd__free(marks);
        marks = NULL;
    }
done:
    sd__free(got);
    sd__free(marks);
    sd__free(kv);
    return rc;
}

/* ---- 2. candidate pairs ---- */

static int band_step(dist *x, const uint8_t *skip, sd_kv **pairs, size_t *npairs)
{
    sd_dedup *d = x->d;
    unsigned k = d->o.num_perm, b0, band, per_round;
    size_t pcap = 0, i;
    uint64_t most = d->n;
    sd_kv *grp = NULL;
    size_t gcap = 0;
    /* under a limit: the keys sent, received and sorted, 48 bytes each */
    uint64_t round_keys = d->o.memory_limit && d->o.memory_limit / 48 < BAND_ROUND_KEYS
                              ? d->o.memory_limit / 48
                              : BAND_ROUND_KEYS;
    int rc;
    /* every process must run the same rounds: size them by the largest share */
    if ((rc = max_all(x, &most)) != 0)
        return rc;
    per_round = (unsigned)(round_keys / (most + 1));
    if (per_round < 1)
        per_round = 1;
    x->ex.size = sizeof(sd_kv);
    for (b0 = 0; b0 < d->o.bands; b0 += per_round) {
        unsigned char *got = NULL;
        sd_kv *kv;
        size_t ng;
        for (band = b0; band < d->o.bands && band < b0 + per_round; band++)
            for (i = 0; i < d->n; i++) {
                sd_kv e;
                walk_at(x, i);
                if (skip[i])
                    continue;
                e.key = sd__lsh_band_hash(d->sigs + i * k, band, d->o.rows, d->o.seed);
                e.val = (uint64_t)band << BAND_SHIFT | global_of(x, i);
                if (put(x, dest_of(e.key ^ band, x->ex.np), &e))
                    return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
            }
        if ((rc = exchange(x, &got, &ng, NULL)) != 0)
            return rc;
        kv = (sd_kv *)(void *)got;
        if (sd__kv_sort(kv, ng)) {
            sd__free(got);
            return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
        }
        for (i = 0; i < ng;) {
            size_t j = i, gn = 0;
            uint64_t key = kv[i].key, bd = kv[i].val >> BAND_SHIFT;
            while (j < ng && kv[j].key == key && kv[j].val >> BAND_SHIFT == bd) {
                if (SD_GROW(grp, gcap, gn + 1)) {
                    sd__free(got);
                    sd__free(grp);
                    return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
                }
                grp[gn].key = key;
                grp[gn].val = kv[j].val & DOC_MASK;
                gn++;
                j++;
            }
            if (gn > 1 && sd__lsh_pairs(grp, gn, FULL_BUCKET, pairs, npairs, &pcap)) {
                sd__free(got);
                sd__free(grp);
                return sd__errorf(&d->err, SD_ENOMEM, "out of memory for pairs");
            }
            i = j;
        }
        sd__free(got);
        if (*npairs > 4 * (d->n + 1024)) {
            long u = sd__pairs_unique(*pairs, *npairs);
            if (u < 0) {
                sd__free(grp);
                return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
            }
            *npairs = (size_t)u;
        }
    }
    sd__free(grp);
    return 0;
}

/* ---- 3. verification ---- */

static int verify_step(dist *x, sd_kv *pairs, size_t npairs, edges *ed)
{
    sd_dedup *d = x->d;
    unsigned k = d->o.num_perm, need = (unsigned)ceil(d->o.threshold * 2 * k - 1e-9);
    size_t rec = 6 * (size_t)k, msg = 2 * sizeof(uint64_t) + rec, i, ng, done_ = 0;
    unsigned char *got = NULL, *m = NULL, *mine = NULL;
    /* under a limit, a round's records sent and received take an eighth */
    size_t per_round = d->o.memory_limit && d->o.memory_limit / 16 / msg < VERIFY_ROUND
                           ? (size_t)(d->o.memory_limit / 16 / msg) + 1
                           : VERIFY_ROUND;
    uint64_t rounds;
    long u;
    int rc;
    /* to the owner of the second document, which drops the repeats */
    x->ex.size = sizeof(sd_kv);
    for (i = 0; i < npairs; i++)
        if (put(x, owner_of(x, pairs[i].val), &pairs[i]))
            return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
    if ((rc = exchange(x, &got, &ng, NULL)) != 0)
        return rc;
    u = sd__pairs_unique((sd_kv *)(void *)got, ng);
    if (u < 0) {
        sd__free(got);
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
    }
    ng = (size_t)u;
    d->stats.candidates = ng;
    rounds = (ng + per_round - 1) / per_round;
    if ((rc = max_all(x, &rounds)) != 0)
        goto done;
    m = sd__malloc(msg);
    mine = sd__malloc(rec);
    if (m == NULL || mine == NULL) {
        rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory");
        goto done;
    }
    /* with the second document's record, to the owner of the first */
    while (rounds--) {
        unsigned char *in = NULL;
        size_t nin, end = done_ + per_round < ng ? done_ + per_round : ng;
        const sd_kv *pv = (const sd_kv *)(const void *)got;
        x->ex.size = msg;
        for (; done_ < end; done_++) {
            memcpy(m, &pv[done_], sizeof(sd_kv));
            local_rec(d, local_of(x, pv[done_].val), m + sizeof(sd_kv));
            touched(x);
            if (put(x, owner_of(x, pv[done_].key), m)) {
                rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory");
                goto done;
            }
        }
        if ((rc = exchange(x, &in, &nin, NULL)) != 0)
            goto done;
        for (i = 0; i < nin; i++) {
            const unsigned char *e = in + i * msg;
            sd_kv pr;
            memcpy(&pr, e, sizeof pr);
            local_rec(d, local_of(x, pr.key), mine);
            touched(x);
            if (sd__dedup_rec_matches(mine, e + sizeof(sd_kv), k) >= need) {
                if (add_edge(ed, pr.key, pr.val)) {
                    sd__free(in);
                    rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory");
                    goto done;
                }
                d->stats.verified++;
            }
        }
        sd__free(in);
    }
done:
    sd__free(got);
    sd__free(m);
    sd__free(mine);
    return rc;
}

/* ---- 4. clusters, on process 0 ---- */

static size_t index_in(const uint64_t *v, size_t n, uint64_t g)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < g)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int join_step(dist *x, edges *ed)
{
    sd_dedup *d = x->d;
    unsigned char *got = NULL, *back = NULL;
    uint64_t *ends = NULL;
    size_t ng, i, ne = 0, nb;
    sd_uf uf = {0};
    int rc;
    x->ex.size = sizeof(sd_kv);
    for (i = 0; i < ed->n; i++)
        if (put(x, 0, &ed->v[i]))
            return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
    sd__free(ed->v);
    ed->v = NULL;
    ed->n = ed->cap = 0;
    if ((rc = exchange(x, &got, &ng, NULL)) != 0)
        return rc;
    if (ng) {
        const sd_kv *e = (const sd_kv *)(const void *)got;
        ends = sd__reallocarray(NULL, 2 * ng, sizeof *ends);
        if (ends == NULL)
            goto oom;
        for (i = 0; i < ng; i++) {
            ends[2 * i] = e[i].key;
            ends[2 * i + 1] = e[i].val;
        }
        if (sd__u64_sort(ends, 2 * ng))
            goto oom;
        for (i = 0; i < 2 * ng; i++)
            if (ne == 0 || ends[ne - 1] != ends[i])
                ends[ne++] = ends[i];
        if (sd__uf_init(&uf, ne))
            goto oom;
        /* positions keep the order of indexes: the smallest is the root */
        for (i = 0; i < ng; i++)
            sd__uf_union(&uf, index_in(ends, ne, e[i].key), index_in(ends, ne, e[i].val));
        x->ex.size = sizeof(sd_kv);
        for (i = 0; i < ne; i++) {
            sd_kv r;
            r.key = ends[i];
            r.val = ends[sd__uf_find(&uf, i)];
            if (r.val != r.key && put(x, owner_of(x, r.key), &r))
                goto oom;
        }
    }
    sd__free(got);
    got = NULL;
    x->ex.size = sizeof(sd_kv);
    if ((rc = exchange(x, &back, &nb, NULL)) != 0)
        goto done;
    for (i = 0; i < nb; i++) {
        sd_kv r;
        memcpy(&r, back + i * sizeof r, sizeof r);
        d->rep[local_of(x, r.key)] = r.val;
        touched(x);
    }
    rc = 0;
    goto done;
oom:
    rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory joining clusters");
done:
    sd__uf_release(&uf);
    sd__free(ends);
    sd__free(got);
    sd__free(back);
    return rc;
}

/* ---- 5. cluster numbers and similarities ---- */

/* Runs of records one process holds in a row (blocks, or files), walked
 * in input order: process p's k-th run is the k-th with owner p. */
typedef struct runs {
    const sd_share *s;
    uint64_t at, total;
} runs;

static int next_run(runs *w, uint64_t *start, uint64_t *end, unsigned *owner)
{
    if (w->at >= w->total)
        return 0;
    *start = w->at;
    *end = sd_share_run_end(w->s, w->at, w->total);
    *owner = sd_share_owner(w->s, w->at);
    w->at = *end;
    return 1;
}

/*
 * Cluster numbers, dense in input order of the representatives: each
 * process counts its representatives per run; with everyone's counts, each
 * knows how many come before each of its runs.
 */
static int number_step(dist *x, uint64_t total)
{
    sd_dedup *d = x->d;
    const sd_share *sh = &x->ex.c->share;
    uint64_t most = 0, *cnt = NULL, *all = NULL, *kp = NULL, base = 0, a, b;
    size_t i, k;
    unsigned p;
    runs w;
    int rc;
    w.s = sh;
    w.total = total;
    w.at = 0;
    while (next_run(&w, &a, &b, &p))
        most += p == x->ex.me;
    if ((rc = max_all(x, &most)) != 0)
        return rc;
    cnt = sd__calloc(most ? most : 1, sizeof *cnt);
    all = sd__reallocarray(NULL, (size_t)(most ? most : 1) * x->ex.np, sizeof *all);
    kp = sd__calloc(x->ex.np, sizeof *kp);
    if (cnt == NULL || all == NULL || kp == NULL) {
        rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory");
        goto done;
    }
    for (w.at = 0, k = 0; next_run(&w, &a, &b, &p);) {
        size_t l0;
        if (p != x->ex.me)
            continue;
        l0 = local_of(x, a);
        for (i = l0; i < l0 + (b - a); i++) {
            walk_at(x, i);
            if (!(d->info[i].flags & DOC_ABSENT) && d->rep[i] == global_of(x, i))
                cnt[k]++;
        }
        k++;
    }
    if ((rc = sd__exch_gather(&x->ex, cnt, (size_t)most, all)) != 0)
        goto done;
    for (w.at = 0; next_run(&w, &a, &b, &p);) {
        uint64_t c = all[(size_t)p * most + kp[p]];
        if (p == x->ex.me)
            cnt[kp[p]] = base; /* now the run's first cluster number */
        kp[p]++;
        base += c;
    }
    for (w.at = 0, k = 0; next_run(&w, &a, &b, &p);) {
        uint64_t next;
        size_t l0;
        if (p != x->ex.me)
            continue;
        next = cnt[k++];
        l0 = local_of(x, a);
        for (i = l0; i < l0 + (b - a); i++) {
            walk_at(x, i);
            if (!(d->info[i].flags & DOC_ABSENT) && d->rep[i] == global_of(x, i))
                d->cluster[i] = next++;
        }
    }
    rc = 0;
done:
    sd__free(cnt);
    sd__free(all);
    sd__free(kp);
    return rc;
}

/* A duplicate's cluster and similarity, given its representative's
 * cluster number and record. */
static void sim_of(sd_dedup *d, size_t i, uint64_t cluster, const unsigned char *rep,
                   unsigned char *scratch)
{
    unsigned k = d->o.num_perm;
    d->cluster[i] = cluster;
    if (d->exact[i]) {
        d->sim[i] = 1.0f;
    } else {
        local_rec(d, i, scratch);
        d->sim[i] = (float)sd__dedup_rec_matches(scratch, rep, k) / (float)(2 * k);
    }
}

/*
 * Similarities to the representatives. Those held elsewhere are asked for,
 * each once, and come with their cluster numbers; under a memory limit a
 * round at a time (each process asking each other for at most its share
 * of an eighth of the limit of records), every round walking the
 * documents for the answers it brought.
 */
static int sim_step(dist *x)
{
    sd_dedup *d = x->d;
    unsigned k = d->o.num_perm;
    size_t rec = 6 * (size_t)k, msg = 2 * sizeof(uint64_t) + rec, i, j, nq, nr, at;
    size_t *from = NULL, *nreq = NULL, *sent = NULL, per_dest = SIZE_MAX, need = 0, found = 0;
    unsigned char *q = NULL, *r = NULL, *m = NULL, *a = NULL, *b = NULL;
    uint64_t **reqs = NULL, rounds = 1;
    sd_kv *idx = NULL;
    unsigned p;
    int rc;
    from = sd__calloc(x->ex.np, sizeof *from);
    nreq = sd__calloc(x->ex.np, sizeof *nreq);
    sent = sd__calloc(x->ex.np, sizeof *sent);
    reqs = sd__calloc(x->ex.np, sizeof *reqs);
    m = sd__malloc(msg);
    a = sd__malloc(rec);
    b = sd__malloc(rec);
    if (!from || !nreq || !sent || !reqs || !m || !a || !b)
        goto oom;
    /* the representatives held here answer at once; those held elsewhere
     * are asked for, each once */
    x->ex.size = sizeof(uint64_t);
    for (i = 0; i < d->n; i++) {
        uint64_t rp = d->rep[i];
        walk_at(x, i);
        if ((d->info[i].flags & DOC_ABSENT) || rp == global_of(x, i))
            continue;
        if (owner_of(x, rp) == x->ex.me) {
            local_rec(d, local_of(x, rp), b);
            touched(x);
            sim_of(d, i, d->cluster[local_of(x, rp)], b, a);
            continue;
        }
        need++;
        if (put(x, owner_of(x, rp), &rp))
            goto oom;
    }
    for (p = 0; p < x->ex.np; p++) {
        sd_box *bx = &x->ex.out[p];
        size_t w = 0;
        if (sd__u64_sort((uint64_t *)(void *)bx->p, bx->n))
            goto oom;
        reqs[p] = sd__reallocarray(NULL, bx->n ? bx->n : 1, sizeof **reqs);
        if (reqs[p] == NULL)
            goto oom;
        for (j = 0; j < bx->n; j++) {
            uint64_t v;
            memcpy(&v, bx->p + j * 8, 8);
            if (w == 0 || reqs[p][w - 1] != v)
                reqs[p][w++] = v;
        }
        nreq[p] = w;
        bx->n = 0;
    }
    if (d->o.memory_limit) {
        size_t per_round = (size_t)(d->o.memory_limit / 8 / msg) + 1;
        per_dest = per_round / (x->ex.np ? x->ex.np : 1) + 1;
        rounds = 0;
        for (p = 0; p < x->ex.np; p++)
            if ((nreq[p] + per_dest - 1) / per_dest > rounds)
                rounds = (nreq[p] + per_dest - 1) / per_dest;
        if ((rc = max_all(x, &rounds)) != 0)
            goto done;
    }
    while (rounds--) {
        /* this round's questions */
        x->ex.size = sizeof(uint64_t);
        for (p = 0; p < x->ex.np; p++) {
            size_t cnt = nreq[p] - sent[p] < per_dest ? nreq[p] - sent[p] : per_dest;
            if (cnt && sd__exch_putn(&x->ex, p, reqs[p] + sent[p], cnt))
                goto oom;
            sent[p] += cnt;
        }
        if ((rc = exchange(x, &q, &nq, from)) != 0)
            goto done;
        /* the answers: (index, cluster, record), to whoever asked */
        x->ex.size = msg;
        for (p = 0, at = 0; p < x->ex.np; p++)
            for (j = 0; j < from[p]; j++, at++) {
                uint64_t g, cl;
                memcpy(&g, q + at * 8, 8);
                cl = d->cluster[local_of(x, g)];
                memcpy(m, &g, 8);
                memcpy(m + 8, &cl, 8);
                local_rec(d, local_of(x, g), m + 16);
                touched(x);
                if (put(x, p, m))
                    goto oom;
            }
        sd__free(q);
        q = NULL;
        if ((rc = exchange(x, &r, &nr, NULL)) != 0)
            goto done;
        sd__free(idx);
        idx = sd__reallocarray(NULL, nr ? nr : 1, sizeof *idx);
        if (idx == NULL)
            goto oom;
        for (i = 0; i < nr; i++) {
            memcpy(&idx[i].key, r + i * msg, 8);
            idx[i].val = i;
        }
        if (sd__kv_sort(idx, nr))
            goto oom;
        /* the documents whose representatives came this round */
        for (i = 0; nr && i < d->n; i++) {
            uint64_t rp = d->rep[i], cl;
            size_t lo = 0, hi = nr;
            walk_at(x, i);
            if ((d->info[i].flags & DOC_ABSENT) || rp == global_of(x, i) ||
                owner_of(x, rp) == x->ex.me)
                continue;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (idx[mid].key < rp)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo == nr || idx[lo].key != rp)
                continue;
            memcpy(&cl, r + idx[lo].val * msg + 8, 8);
            sim_of(d, i, cl, r + idx[lo].val * msg + 16, a);
            found++;
        }
        sd__free(r);
        r = NULL;
    }
    if (found != need) {
        rc = sd__errorf(&d->err, SD_EIO, "a representative's record did not arrive");
        goto done;
    }
    rc = 0;
    goto done;
oom:
    rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory");
done:
    for (p = 0; reqs && p < x->ex.np; p++)
        sd__free(reqs[p]);
    sd__free(reqs);
    sd__free(nreq);
    sd__free(sent);
    sd__free(from);
    sd__free(q);
    sd__free(r);
    sd__free(m);
    sd__free(a);
    sd__free(b);
    sd__free(idx);
    return rc;
}

int sd__dedup_dist_finish(sd_dedup *d, sd_progress_fn progress, void *ud)
{
    dist x;
    edges ed = {0};
    uint8_t *skip = NULL;
    sd_kv *pairs = NULL;
    size_t npairs = 0, i, n = d->n ? d->n : 1;
    uint64_t st[9], total;
    int rc;
    memset(&x, 0, sizeof x);
    x.d = d;
    if (d->mapped) {
        /* a quarter of the limit: what a document's arrays take a walk in
         * order, or three pages a random access */
        uint64_t quarter = d->o.memory_limit / 4;
        x.walk = (size_t)(quarter / (6 * (size_t)d->o.num_perm + sizeof(doc_info) + 22)) + 1;
        x.touch_max = quarter / (3 * PAGE) + 1;
    }
    if ((rc = sd__exch_init(&x.ex, d->o.comm, &d->err)) != 0)
        return rc;
    skip = doc_array(d, &d->map[M_DSKIP], n, 1);
    d->exact = doc_array(d, &d->map[M_EXACT], n, 1);
    d->rep = doc_array(d, &d->map[M_REP], n, sizeof *d->rep);
    d->cluster = doc_array(d, &d->map[M_CLUSTER], n, sizeof *d->cluster);
    d->sim = doc_array(d, &d->map[M_SIM], n, sizeof *d->sim);
    if (!skip || !d->exact || !d->rep || !d->cluster || !d->sim) {
        rc = d->mapped ? sd__errorf(&d->err, SD_EIO, "cannot grow a temporary file")
                       : sd__errorf(&d->err, SD_ENOMEM, "out of memory for %zu documents", d->n);
        goto done;
    }
    for (i = 0; i < d->n; i++) {
        walk_at(&x, i);
        d->rep[i] = global_of(&x, i);
        d->cluster[i] = UINT64_MAX;
        d->sim[i] = d->info[i].flags & DOC_ABSENT ? 0.0f : 1.0f;
    }
    total = d->n;
    if ((rc = sd__exch_sum(&x.ex, &total, 1)) != 0)
        goto done;
    if (progress && progress(ud, "exact", 0, 0)) {
        rc = sd__errorf(&d->err, SD_ECANCELED, "canceled");
        goto done;
    }
    if ((rc = exact_step(&x, &ed)) != 0)
        goto done;
    for (i = 0; i < d->n; i++) {
        walk_at(&x, i);
        skip[i] = (d->info[i].flags & (DOC_ABSENT | DOC_EMPTY)) || d->exact[i];
    }
    if (progress)
        progress(ud, "candidates", 0, 0);
    if ((rc = band_step(&x, skip, &pairs, &npairs)) != 0)
        goto done;
    if (d->mapped)
        sd_fmap_release(&d->map[M_DSKIP]);
    else
        sd__free(skip);
    skip = NULL;
    if (progress)
        progress(ud, "verify", 0, 0);
    if ((rc = verify_step(&x, pairs, npairs, &ed)) != 0)
        goto done;
    sd__free(pairs);
    pairs = NULL;
    if ((rc = join_step(&x, &ed)) != 0 || (rc = number_step(&x, total)) != 0 ||
        (rc = sim_step(&x)) != 0)
        goto done;
    /* the job's figures, summed over the processes */
    memset(st, 0, sizeof st);
    for (i = 0; i < d->n; i++) {
        walk_at(&x, i);
        if (d->info[i].flags & DOC_ABSENT)
            st[0]++;
        else if (d->rep[i] == global_of(&x, i))
            st[1]++;
        else
            st[2]++;
    }
    st[3] = d->stats.exact_duplicates;
    st[4] = d->stats.candidates;
    st[5] = d->stats.verified;
    st[6] = d->stats.bytes;
    st[7] = d->n;
    st[8] = x.ex.sent;
    if ((rc = sd__exch_sum(&x.ex, st, 9)) != 0)
        goto done;
    d->stats.exchanged = st[8];
    d->stats.absent = st[0];
    d->stats.clusters = st[1];
    d->stats.duplicates = st[2];
    d->stats.exact_duplicates = st[3];
    d->stats.candidates = st[4];
    d->stats.verified = st[5];
    d->stats.bytes = st[6];
    d->stats.docs = st[7];
    if (progress)
        progress(ud, "cluster", d->n, d->n);
    if (d->mapped)
        sd__dedup_maps_trim(d);
done:
    sd__exch_release(&x.ex);
    sd__free(ed.v);
    if (!d->mapped)
        sd__free(skip);
    sd__free(pairs);
    return rc;
}
