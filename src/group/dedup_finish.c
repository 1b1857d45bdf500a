/*
 * dedup_finish.c: the finish of a dedup job. One pipeline, whatever runs
 * it: one process or several (sd_dedup_options.comm, each holding the
 * sketches of its share of the records), in memory or under a memory limit.
 *
 *   1. exact     text hashes are grouped by hash: byte-identical texts join
 *                the first of them, and the others leave LSH
 *   2. bands     band keys are grouped by (band, hash), some bands a round,
 *                the bands of a round in shares grouped on the pool: the
 *                documents of a bucket become candidate pairs, as
 *                sd__lsh_pairs() pairs a bucket
 *   3. verify    each distinct pair, at the owner of its second document, is
 *                verified by the owner of its first, given the second's
 *                record: its estimate over 2K bins against the threshold
 *   4. join      verified pairs and exact copies are joined with union-find,
 *                whose root is a cluster's smallest index however the joins
 *                arrive
 *   5. results   clusters are numbered in input order of their
 *                representatives; a duplicate's similarity is measured
 *                against its representative's record
 *
 * What differs between the ways a job runs is only where things are:
 *
 * - Keys and records travel between processes through the exchange
 *   (base/exch.h), each group of equal keys meeting in the process its hash
 *   falls to. A job of one process exchanges with itself, at no cost: its
 *   keys go straight to the buffers they are grouped from, its pairs are
 *   verified against records it holds, and its joins are made at once.
 * - Keys and pairs are gathered in sd_keys buffers: in memory, or under a
 *   memory limit within a share of it, spilled as sorted runs and merged
 *   back in the order one sort in memory gives.
 * - The per-document arrays are in memory or file-backed (dedup_int.h).
 *
 * Every grouping sees the same keys in the same order in every case, so the
 * results are the same byte for byte, for any thread count.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "group/dedup_fin.h"
#include "match/lsh.h"

/* Band keys a process sends in one round when nothing smaller bounds them:
 * 64 MB of keys, and as much again to sort them. */
#define BAND_ROUND_KEYS ((uint64_t)4 << 20)
/* Candidate pairs verified at once: one run on the pool and, with several
 * processes, one exchange of records (at most about 100 MB of them). */
#define VERIFY_CHUNK 65536
/* Under a limit, each text hash sent, received and sorted takes about 80
 * bytes: a round of them takes an eighth of the limit. */
#define HASH_BYTES 80
/* Under a limit, each band key sent, received and sorted takes 48 bytes. */
#define BAND_KEY_BYTES 48
/* Under a limit, the text hashes, the band keys and the candidate pairs each
 * have a quarter of it (the per-document arrays have a quarter more, merge
 * windows an eighth). */
#define KEYS_SHARE 4
/* The fewest keys a buffer holds before it spills: smaller runs would cost
 * more to merge than they save. */
#define KEYS_MIN 4096
/* Without a limit, a share's candidate pairs drop their repeats (a pair of
 * near copies meets in many bands) each time they reach 4 a document. */
#define PAIRS_PER_DOC 4
/* Documents whose band hashes are made on the pool at once: a few MB of
 * hashes; under a limit fewer, down to MIN_CHUNK, as the signatures'
 * resident share holds. */
#define HASH_CHUNK 4096
/* The fewest documents or pairs a chunk takes under a tight limit: below
 * it the pool's start-up costs more than the work. */
#define MIN_CHUNK 64
/* Under a limit, the pairs travelling with their records at once take a
 * sixteenth of it. */
#define RECORDS_SHARE 16

/* A join of two documents (indexes of the whole input): at once when alone,
 * else kept for process 0. */
static int join_alone(fin *x, uint64_t a, uint64_t b)
{
    sd__uf_union(&x->uf, a, b);
    sd__dedup_touch(x->d, A_REP, 2 * PAGE);
    return 0;
}

static int join_shared(fin *x, uint64_t a, uint64_t b)
{
    if (SD_GROW(x->ed.v, x->ed.cap, x->ed.n + 1))
        return sd__errorf(&x->d->err, SD_ENOMEM, "out of memory");
    x->ed.v[x->ed.n].key = a;
    x->ed.v[x->ed.n].val = b;
    x->ed.n++;
    return 0;
}

/* The results' arrays: every document its own representative so far. */
static int results_init(fin *x)
{
    sd_dedup *d = x->d;
    size_t i;
    int rc;
    if ((rc = sd__dedup_room(d, A_FLAGS, d->n)) != 0 || (rc = sd__dedup_room(d, A_REP, d->n)) ||
        (rc = sd__dedup_room(d, A_CLUSTER, d->n)) || (rc = sd__dedup_room(d, A_SIM, d->n)))
        return rc;
    for (i = 0; i < d->n; i++) {
        uint32_t fl = info_of(d)[i].flags;
        sd__dedup_walk(d, A_BIT(A_INFO) | A_BIT(A_FLAGS) | A_BIT(A_REP) | A_BIT(A_CLUSTER) |
                              A_BIT(A_SIM));
        flags_of(d)[i] = (uint8_t)(fl | (fl & (DOC_ABSENT | DOC_EMPTY) ? DOC_SKIP : 0));
        rep_of(d)[i] = global_of(x, i);
        cluster_of(d)[i] = UINT64_MAX;
        sim_of(d)[i] = fl & DOC_ABSENT ? 0.0f : 1.0f;
    }
    x->uf.parent = rep_of(d);
    x->uf.n = d->n;
    return 0;
}

/* ---- 1. byte-identical texts ---- */

/* A document found to be an exact copy leaves LSH: marked at once when it
 * is this process's, else told to its owner. */
static int mark_exact(fin *x, uint64_t g)
{
    sd_dedup *d = x->d;
    if (owner_of(x, g) != x->ex.me)
        return put(x, owner_of(x, g), &g) ? sd__errorf(&d->err, SD_ENOMEM, "out of memory") : 0;
    flags_of(d)[local_of(x, g)] |= DOC_SKIP | DOC_EXACT;
    sd__dedup_touch(d, A_FLAGS, PAGE);
    return 0;
}

/* A group of documents (indexes of the whole input, in order) whose text
 * hashes share their low half, with their hashes and lengths: each exact
 * copy joins the first of its texts. */
static int exact_group(fin *x, const doc_info *g, const uint64_t *docs, size_t gn, size_t *first)
{
    size_t a;
    int rc;
    sd__dedup_exact_firsts(g, gn, first);
    for (a = 0; a < gn; a++) {
        if (first[a] == a)
            continue;
        if ((rc = x->rt->join(x, docs[first[a]], docs[a])) != 0 ||
            (rc = mark_exact(x, docs[a])) != 0)
            return rc;
    }
    return 0;
}

/* Alone: (low hash, document) keys grouped, each group's hashes and
 * lengths read from the documents' own records. */
static int exact_alone(fin *x)
{
    sd_dedup *d = x->d;
    sd_keys k, *kp = &k;
    sd_merge *m = NULL;
    sd_kv e;
    doc_info *g = NULL;
    uint64_t *gd = NULL;
    size_t *first = NULL, i, gn, gcap = 0, dcap = 0, fcap = 0;
    int rc = 0, more;
    sd__keys_init(&k, d->o.tmpdir, d->o.memory_limit,
                  d->o.memory_limit ? sd__spill_entries(d->o.memory_limit / KEYS_SHARE, KEYS_MIN)
                                    : SIZE_MAX,
                  0);
    for (i = 0; i < d->n && rc == 0; i++) {
        const doc_info *in = &info_of(d)[i];
        sd__dedup_walk(d, A_BIT(A_INFO));
        if (in->flags & DOC_ABSENT)
            continue;
        e.key = in->text_hash.low64;
        e.val = i;
        rc = sd__keys_add(&k, &e, 1, &d->err);
    }
    if (rc || (rc = sd__keys_open(&kp, 1, &m, &d->err)) != 0)
        goto done;
    more = sd__merge_next(m, &e);
    while (more > 0) {
        uint64_t key = e.key;
        gn = 0;
        do {
            if (SD_GROW(gd, dcap, gn + 1))
                goto oom;
            gd[gn++] = e.val;
            more = sd__merge_next(m, &e);
        } while (more > 0 && e.key == key);
        if (more < 0 || gn < 2)
            continue;
        if (SD_GROW(g, gcap, gn) || SD_GROW(first, fcap, gn))
            goto oom;
        for (i = 0; i < gn; i++)
            if ((rc = sd__dedup_info(d, gd[i], &g[i])) != 0) {
                rc = sd__errorf(&d->err, rc, "cannot read back text hashes");
                goto done;
            }
        if ((rc = exact_group(x, g, gd, gn, first)) != 0)
            goto done;
    }
    rc = more < 0 ? more : 0;
    goto done;
oom:
    rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory");
done:
    d->stats.spilled += k.spilled;
    sd__merge_free(m);
    sd__keys_release(&k);
    sd__free(g);
    sd__free(gd);
    sd__free(first);
    return rc;
}

/* A text hash on its way to its group. */
typedef struct hash_msg {
    uint64_t lo, hi, len, doc;
} hash_msg;

static int cmp_doc(const void *a, const void *b)
{
    const hash_msg *p = a, *q = b;
    return p->doc < q->doc ? -1 : p->doc > q->doc;
}

/* The round of a text hash: a function of its low half, which groups. */
static unsigned hash_round(uint64_t lo, unsigned rounds)
{
    return (unsigned)((lo * UINT64_C(0xD6E8FEB86659FD93)) >> 40) % rounds;
}

/* This round's text hashes (with their high halves, lengths and
 * documents), each to the process its low half falls to. */
static int send_hashes(fin *x, unsigned rounds, uint64_t round)
{
    sd_dedup *d = x->d;
    size_t i;
    x->ex.size = sizeof(hash_msg);
    for (i = 0; i < d->n; i++) {
        const doc_info *in = &info_of(d)[i];
        hash_msg msg;
        sd__dedup_walk(d, A_BIT(A_INFO));
        if ((in->flags & DOC_ABSENT) || hash_round(in->text_hash.low64, rounds) != round)
            continue;
        msg.lo = in->text_hash.low64;
        msg.hi = in->text_hash.high64;
        msg.len = in->len;
        msg.doc = global_of(x, i);
        if (put(x, dest_of(msg.lo, x->ex.np), &msg))
            return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
    }
    return 0;
}

/* Scratch for one group of equal text hashes, grown as groups come. */
typedef struct hgroup {
    hash_msg *g;
    doc_info *gi;
    uint64_t *gd;
    size_t *first;
    size_t gcap, icap, dcap, fcap;
} hgroup;

/* The text hashes h[0..ng) that came, grouped by their low halves: each
 * group of two or more, in document order as exact_alone() sees it, has
 * its exact copies found (and their owners told). */
static int group_hashes(fin *x, const hash_msg *h, size_t ng, hgroup *s)
{
    sd_dedup *d = x->d;
    sd_kv *kv;
    size_t i, a;
    int rc = 0;
    if ((kv = sd__reallocarray(NULL, ng ? ng : 1, sizeof *kv)) == NULL)
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
    for (i = 0; i < ng; i++) {
        kv[i].key = h[i].lo;
        kv[i].val = i;
    }
    if (sd__kv_sort(kv, ng))
        goto oom;
    x->ex.size = sizeof(uint64_t);
    for (i = 0; i < ng && rc == 0;) {
        size_t j = i + 1, gn;
        while (j < ng && kv[j].key == kv[i].key)
            j++;
        gn = j - i;
        if (gn > 1) {
            if (SD_GROW(s->g, s->gcap, gn) || SD_GROW(s->gi, s->icap, gn) ||
                SD_GROW(s->gd, s->dcap, gn) || SD_GROW(s->first, s->fcap, gn))
                goto oom;
            for (a = 0; a < gn; a++)
                s->g[a] = h[kv[i + a].val];
            qsort(s->g, gn, sizeof *s->g, cmp_doc);
            for (a = 0; a < gn; a++) {
                memset(&s->gi[a], 0, sizeof s->gi[a]);
                s->gi[a].text_hash.low64 = s->g[a].lo;
                s->gi[a].text_hash.high64 = s->g[a].hi;
                s->gi[a].len = s->g[a].len;
                s->gd[a] = s->g[a].doc;
            }
            rc = exact_group(x, s->gi, s->gd, gn, s->first);
        }
        i = j;
    }
    sd__free(kv);
    return rc;
oom:
    sd__free(kv);
    return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
}

/* The documents of this process found exact copies: marks[0..nm), their
 * global indexes. */
static void mark_told(fin *x, const unsigned char *marks, size_t nm)
{
    sd_dedup *d = x->d;
    size_t i;
    for (i = 0; i < nm; i++) {
        uint64_t v;
        memcpy(&v, marks + i * sizeof v, sizeof v);
        flags_of(d)[local_of(x, v)] |= DOC_SKIP | DOC_EXACT;
        sd__dedup_touch(d, A_FLAGS, PAGE);
    }
}

/*
 * With other processes: the text hashes, with their high halves and
 * lengths, go to the process their low half falls to; under a memory limit
 * a round at a time (hashes that group together in the same round, an
 * eighth of the limit each). The owners of exact copies are told.
 */
static int exact_shared(fin *x)
{
    sd_dedup *d = x->d;
    unsigned char *got = NULL, *marks = NULL;
    hgroup s;
    size_t ng, nm;
    uint64_t most = d->n, rounds = 1, round;
    int rc = 0;
    memset(&s, 0, sizeof s);
    if (d->o.memory_limit) {
        if ((rc = max_all(x, &most)) != 0)
            return rc;
        rounds = most * HASH_BYTES / (d->o.memory_limit / 8 + 1) + 1;
    }
    for (round = 0; round < rounds && rc == 0; round++) {
        if ((rc = send_hashes(x, (unsigned)rounds, round)) != 0 ||
            (rc = exchange(x, &got, &ng, NULL)) != 0 ||
            (rc = group_hashes(x, (hash_msg *)(void *)got, ng, &s)) != 0)
            break;
        sd__free(got);
        got = NULL;
        if ((rc = exchange(x, &marks, &nm, NULL)) != 0)
            break;
        mark_told(x, marks, nm);
        sd__free(marks);
        marks = NULL;
    }
    sd__free(got);
    sd__free(marks);
    sd__free(s.g);
    sd__free(s.gi);
    sd__free(s.gd);
    sd__free(s.first);
    return rc;
}

/* ---- 2. candidate pairs ---- */

/* Groups one share's band keys (on the pool): each (band hash, band) bucket
 * of documents, in order, paired into the share's candidate pairs. */
static void group_part(void *ctx, size_t s, unsigned worker)
{
    fin *x = ctx;
    part *p = &x->parts[s];
    sd_keys *kp = &p->keys;
    sd_merge *m = NULL;
    sd_kv e;
    size_t gn;
    int more;
    (void)worker;
    if ((p->rc = sd__keys_open(&kp, 1, &m, &p->err)) != 0)
        return;
    more = sd__merge_next(m, &e);
    while (more > 0) {
        uint64_t key = e.key, band = e.val >> BAND_SHIFT;
        gn = 0;
        do {
            if (SD_GROW(p->grp, p->gcap, gn + 1))
                goto oom;
            p->grp[gn].key = key;
            p->grp[gn].val = e.val & DOC_MASK;
            gn++;
            more = sd__merge_next(m, &e);
        } while (more > 0 && e.key == key && e.val >> BAND_SHIFT == band);
        if (more < 0 || gn < 2)
            continue;
        p->nmade = 0;
        if (sd__lsh_pairs(p->grp, gn, FULL_BUCKET, &p->made, &p->nmade, &p->mcap))
            goto oom;
        if ((p->rc = sd__keys_add(&p->pairs, p->made, p->nmade, &p->err)) != 0)
            goto done;
    }
    p->rc = more < 0 ? more : 0;
    goto done;
oom:
    p->rc = sd__errorf(&p->err, SD_ENOMEM, "out of memory for candidate pairs");
done:
    sd__merge_free(m);
}

/* The bands a round takes: as many as keep the band keys a process sends
 * at once within x->round_keys. */
static unsigned round_bands(const fin *x, uint64_t most)
{
    uint64_t per = x->round_keys == UINT64_MAX ? x->d->o.bands : x->round_keys / (most + 1);
    return per < 1 ? 1 : per > x->d->o.bands ? x->d->o.bands : (unsigned)per;
}

/* A band key on its way to its share: at once when alone, else to the
 * process its hash falls to. */
static int key_alone(fin *x, const sd_kv *e, unsigned band)
{
    return sd__keys_add(&x->parts[band % x->nparts].keys, e, 1, &x->d->err);
}

static int key_shared(fin *x, const sd_kv *e, unsigned band)
{
    if (put(x, dest_of(e->key ^ band, x->ex.np), e))
        return sd__errorf(&x->d->err, SD_ENOMEM, "out of memory");
    return 0;
}

/* Alone, a round's keys and pairs are where they belong already. */
static int nothing(fin *x)
{
    (void)x;
    return 0;
}

/* Shared: the keys that came in, to their shares; and after grouping,
 * each candidate pair to the owner of its second document. */
static int take_keys(fin *x)
{
    unsigned char *got = NULL;
    size_t ng, i;
    int rc;
    if ((rc = exchange(x, &got, &ng, NULL)) != 0)
        return rc;
    for (i = 0; i < ng && rc == 0; i++) {
        sd_kv e;
        memcpy(&e, got + i * sizeof e, sizeof e);
        rc = sd__keys_add(&x->parts[(e.val >> BAND_SHIFT) % x->nparts].keys, &e, 1, &x->d->err);
    }
    sd__free(got);
    return rc;
}

static int send_pairs(fin *x)
{
    unsigned char *got = NULL;
    size_t ng, i;
    unsigned s;
    int rc;
    for (s = 0; s < x->nparts; s++) {
        part *p = &x->parts[s];
        for (i = 0; i < p->pairs.n; i++)
            if (put(x, owner_of(x, p->pairs.v[i].val), &p->pairs.v[i]))
                return sd__errorf(&x->d->err, SD_ENOMEM, "out of memory");
        p->pairs.n = 0;
    }
    if ((rc = exchange(x, &got, &ng, NULL)) != 0)
        return rc;
    rc = sd__keys_add(&x->pairs, (const sd_kv *)(const void *)got, ng, &x->d->err);
    sd__free(got);
    return rc;
}

/* Band hashes, a round's bands of a chunk of documents, made on the pool
 * (they are most of a round's work) before they are handed on in order. */
typedef struct hashes {
    const sd_dedup *d;
    size_t i0;       /* the chunk's first document */
    unsigned b0, b1; /* the round's bands */
    uint64_t *h;     /* per document of the chunk, b1 - b0 */
} hashes;

static void hash_doc(void *ctx, size_t j, unsigned worker)
{
    hashes *c = ctx;
    const sd_dedup *d = c->d;
    const uint32_t *sig = sig_of(d) + (c->i0 + j) * d->o.num_perm;
    unsigned b, nb = c->b1 - c->b0;
    (void)worker;
    if (flags_of(d)[c->i0 + j] & DOC_SKIP)
        return;
    for (b = c->b0; b < c->b1; b++)
        c->h[j * nb + (b - c->b0)] = sd__lsh_band_hash(sig, b, d->o.rows, d->o.seed);
}

/* Documents a chunk of band hashes takes: under a limit, as many as the
 * signatures' resident share holds, for the pool reads them unwatched. */
static size_t hash_chunk(const sd_dedup *d)
{
    size_t c = d->map[A_SIG].keep / (4 * (size_t)d->o.num_perm);
    return !d->o.memory_limit ? HASH_CHUNK
           : c < MIN_CHUNK    ? MIN_CHUNK
           : c > HASH_CHUNK   ? HASH_CHUNK
                              : c;
}

/* The band keys of documents [c->i0, c->i0 + n) for bands [c->b0, c->b1)
 * (their hashes in c->h), handed to the route. */
static int put_band_keys(fin *x, const hashes *c, size_t n)
{
    sd_dedup *d = x->d;
    size_t i, j;
    unsigned b;
    int rc = 0;
    for (j = 0; j < n && rc == 0; j++) {
        i = c->i0 + j;
        sd__dedup_walk(d, A_BIT(A_SIG) | A_BIT(A_FLAGS));
        if (flags_of(d)[i] & DOC_SKIP)
            continue;
        for (b = c->b0; b < c->b1 && rc == 0; b++) {
            sd_kv e;
            e.key = c->h[j * (c->b1 - c->b0) + (b - c->b0)];
            e.val = (uint64_t)b << BAND_SHIFT | global_of(x, i);
            rc = x->rt->key(x, &e, b);
        }
    }
    return rc;
}

/* Groups every share's band keys into candidate pairs (on the pool); the
 * keys are released. Returns the first share's error, or 0. */
static int group_parts(fin *x)
{
    sd_dedup *d = x->d;
    unsigned s;
    int rc = 0;
    sd__pool_for(d->pool, x->nparts, group_part, x);
    for (s = 0; s < x->nparts; s++) {
        part *p = &x->parts[s];
        d->stats.spilled += p->keys.spilled;
        p->keys.spilled = 0;
        sd__keys_release(&p->keys);
        if (p->rc && rc == 0) {
            d->err = p->err;
            rc = p->rc;
        }
    }
    return rc;
}

/* 2. Candidate pairs: the documents' band keys, a round of bands at a
 * time, grouped into pairs and handed to the route. */
static int band_step(fin *x)
{
    sd_dedup *d = x->d;
    unsigned per;
    uint64_t most = d->n;
    size_t chunk = hash_chunk(d);
    hashes c;
    int rc = 0;
    /* every process runs the same rounds: sized by the largest share */
    if ((rc = max_all(x, &most)) != 0)
        return rc;
    per = round_bands(x, most);
    if ((c.h = sd__reallocarray(NULL, chunk, (size_t)per * sizeof *c.h)) == NULL)
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
    c.d = d;
    x->ex.size = sizeof(sd_kv);
    for (c.b0 = 0; c.b0 < d->o.bands && rc == 0; c.b0 += per) {
        c.b1 = c.b0 + per < d->o.bands ? c.b0 + per : d->o.bands;
        if ((rc = stage(x, "candidates", c.b0, d->o.bands)) != 0)
            break;
        for (c.i0 = 0; c.i0 < d->n && rc == 0; c.i0 += chunk) {
            size_t n = d->n - c.i0 < chunk ? d->n - c.i0 : chunk;
            sd__pool_for(d->pool, n, hash_doc, &c);
            rc = put_band_keys(x, &c, n);
        }
        if (rc || (rc = x->rt->keys_in(x)) != 0)
            break;
        if ((rc = group_parts(x)) == 0)
            rc = x->rt->pairs_out(x);
    }
    sd__free(c.h);
    return rc;
}

/* ---- 3. verification ---- */

/* A pair to verify: this process's first document, and the second's record. */
struct vitem {
    uint64_t a, b;       /* indexes of the whole input */
    size_t la, lb;       /* a's local index, and b's (SIZE_MAX: b's record came with the pair) */
    const uint32_t *sig; /* b's record, when it came with the pair */
    const uint16_t *vsig;
};

typedef struct vctx {
    const sd_dedup *d;
    const vitem *it;
    uint8_t *ok;
    unsigned char *scratch; /* per worker: two records */
    unsigned need;          /* equal bins needed out of 2K */
    int failed;             /* a record could not be read: only ever set */
} vctx;

static void verify_one(void *ctx, size_t i, unsigned worker)
{
    vctx *v = ctx;
    const vitem *it = &v->it[i];
    unsigned k = v->d->o.num_perm;
    unsigned char *buf = v->scratch + (size_t)worker * 12 * k;
    const uint32_t *sa, *sb = it->sig;
    const uint16_t *va, *vb = it->vsig;
    v->ok[i] = 0;
    if (sd__dedup_record(v->d, it->la, buf, &sa, &va) != 0 ||
        (it->lb != SIZE_MAX && sd__dedup_record(v->d, it->lb, buf + 6 * k, &sb, &vb) != 0)) {
        v->failed = 1;
        return;
    }
    v->ok[i] = sd__dedup_matches(k, sa, va, sb, vb) >= v->need;
}

/* The bytes of a pair travelling with its second document's record. */
static size_t pair_msg(const sd_dedup *d)
{
    return 2 * sizeof(uint64_t) + 6 * (size_t)d->o.num_perm;
}

/* Alone, both records of an item are this process's. */
static int items_alone(fin *x, const sd_kv *pairs, size_t n, vitem **items, size_t *icap,
                       size_t *ni, unsigned char **got)
{
    size_t i;
    (void)x;
    (void)icap;
    *got = NULL;
    for (i = 0; i < n; i++) {
        vitem *it = &(*items)[i];
        it->a = it->la = pairs[i].key;
        it->b = it->lb = pairs[i].val;
        it->sig = NULL;
        it->vsig = NULL;
    }
    *ni = n;
    return 0;
}

/* Shared, each pair goes with the record of its second document (held
 * here) to the owner of its first, where it becomes an item. */
static int items_shared(fin *x, const sd_kv *pairs, size_t n, vitem **items, size_t *icap,
                        size_t *ni, unsigned char **got)
{
    sd_dedup *d = x->d;
    unsigned k = d->o.num_perm;
    size_t msg = pair_msg(d), i;
    unsigned char *m;
    int rc;
    *got = NULL;
    if ((m = sd__malloc(msg)) == NULL)
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
    x->ex.size = msg;
    for (i = 0; i < n; i++) {
        memcpy(m, &pairs[i], sizeof(sd_kv));
        if ((rc = sd__dedup_record_to(d, local_of(x, pairs[i].val), m + sizeof(sd_kv))) != 0) {
            sd__free(m);
            return sd__errorf(&d->err, rc, "cannot read back a signature");
        }
        if (put(x, owner_of(x, pairs[i].key), m)) {
            sd__free(m);
            return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
        }
    }
    sd__free(m);
    if ((rc = exchange(x, got, ni, NULL)) != 0)
        return rc;
    if (SD_GROW(*items, *icap, *ni))
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
    for (i = 0; i < *ni; i++) {
        const unsigned char *e = *got + i * msg;
        vitem *it = &(*items)[i];
        sd_kv pr;
        memcpy(&pr, e, sizeof pr);
        it->a = pr.key;
        it->b = pr.val;
        it->la = local_of(x, pr.key);
        it->lb = SIZE_MAX;
        it->sig = (const uint32_t *)(const void *)(e + sizeof(sd_kv));
        it->vsig = (const uint16_t *)(const void *)(e + sizeof(sd_kv) + 4 * (size_t)k);
    }
    return 0;
}

/* The distinct pairs of nk buffers, for the progress of their
 * verification, when they are all in memory (a count is then one merge
 * of what is there); 0 (unknown) when some were spilled. */
static int distinct_pairs(sd_keys *const *k, size_t nk, uint64_t *total, sd_err *e)
{
    sd_merge *m = NULL;
    sd_kv p, last = {UINT64_MAX, 0};
    size_t i;
    int rc;
    *total = 0;
    for (i = 0; i < nk; i++)
        if (k[i]->runs.nruns)
            return 0;
    if ((rc = sd__keys_open(k, nk, &m, e)) != 0)
        return rc;
    while ((rc = sd__merge_next(m, &p)) > 0)
        if (p.key != last.key || p.val != last.val) {
            last = p;
            (*total)++;
        }
    sd__merge_free(m);
    return rc;
}

/* The next distinct pairs of the merge m, up to chunk of them, into
 * pairs[0..*cn) (*last: the last pair read). Returns 1 when there may be
 * more, 0 at the end, or an error code. */
static int next_pairs(sd_merge *m, sd_kv *pairs, size_t chunk, sd_kv *last, size_t *cn)
{
    sd_kv e;
    int more = 1;
    for (*cn = 0; *cn < chunk && (more = sd__merge_next(m, &e)) > 0;)
        if (e.key != last->key || e.val != last->val)
            *last = pairs[(*cn)++] = e;
    return more;
}

/* Joins the pairs items[0..ni) that passed (ok[i]), counted. */
static int join_passed(fin *x, const vitem *items, const uint8_t *ok, size_t ni)
{
    size_t i;
    int rc;
    for (i = 0; i < ni; i++)
        if (ok[i]) {
            if ((rc = x->rt->join(x, items[i].a, items[i].b)) != 0)
                return rc;
            x->d->stats.verified++;
        }
    return 0;
}

/* Verifies the distinct pairs a chunk at a time and joins those that pass. */
static int verify_step(fin *x)
{
    sd_dedup *d = x->d;
    size_t chunk = x->chunk, cn, ni, nsrc = x->npairs, s, icap = chunk;
    sd_keys **src = sd__calloc(nsrc, sizeof(sd_keys *));
    sd_kv *pairs = sd__reallocarray(NULL, chunk, sizeof *pairs), last = {UINT64_MAX, 0};
    vitem *items = sd__reallocarray(NULL, chunk, sizeof *items);
    unsigned char *scratch =
        sd__reallocarray(NULL, sd__pool_size(d->pool), 12 * (size_t)d->o.num_perm);
    uint8_t *ok = NULL;
    unsigned char *got = NULL;
    sd_merge *m = NULL;
    vctx v;
    uint64_t total = 0;
    int rc, more = 1;
    if (src == NULL || pairs == NULL || items == NULL || scratch == NULL)
        goto oom;
    for (s = 0; s < nsrc; s++)
        src[s] = x->rt->pairs(x, s);
    if ((rc = distinct_pairs(src, nsrc, &total, &d->err)) != 0 ||
        (rc = stage(x, "verify", 0, total)) != 0 ||
        (rc = sd__keys_open(src, nsrc, &m, &d->err)) != 0)
        goto done;
    v.d = d;
    v.scratch = scratch;
    v.failed = 0;
    v.need = (unsigned)ceil(d->o.threshold * 2 * d->o.num_perm - 1e-9);
    for (;;) {
        uint64_t left;
        more = next_pairs(m, pairs, chunk, &last, &cn);
        if (more < 0) {
            rc = more;
            goto done;
        }
        d->stats.candidates += cn;
        if ((rc = x->rt->items(x, pairs, cn, &items, &icap, &ni, &got)) != 0)
            goto done;
        sd__free(ok);
        if ((ok = sd__malloc(ni ? ni : 1)) == NULL)
            goto oom;
        v.it = items;
        v.ok = ok;
        sd__pool_for(d->pool, ni, verify_one, &v);
        if (v.failed) {
            rc = sd__errorf(&d->err, SD_EIO, "cannot read back signatures");
            goto done;
        }
        if ((rc = join_passed(x, items, ok, ni)) != 0)
            goto done;
        sd__free(got);
        got = NULL;
        if ((rc = stage(x, "verify", d->stats.candidates, total)) != 0)
            goto done;
        /* every process goes on while any has pairs left */
        left = more > 0;
        if ((rc = max_all(x, &left)) != 0)
            goto done;
        if (!left)
            break;
    }
    rc = 0;
    goto done;
oom:
    rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory");
done:
    sd__merge_free(m);
    sd__free(src);
    sd__free(pairs);
    sd__free(items);
    sd__free(scratch);
    sd__free(ok);
    sd__free(got);
    return rc;
}

/* ---- the two routes ---- */

static sd_keys *pairs_alone(fin *x, size_t i)
{
    return &x->parts[i].pairs;
}

static sd_keys *pairs_shared(fin *x, size_t i)
{
    (void)i;
    return &x->pairs;
}

static const route alone = {exact_alone, key_alone,   nothing,    nothing,
                            pairs_alone, items_alone, join_alone, sd__dedup_join_alone};
static const route shared = {exact_shared, key_shared,   take_keys,   send_pairs,
                             pairs_shared, items_shared, join_shared, sd__dedup_join_shared};

/*
 * The sizes the route sets. Alone, a round takes one band per share (as
 * many keys as documents per share, the least a round can hold) or, under
 * a limit, every band at once (its keys spill as they must). Shared, a
 * round takes the bands whose keys a process sends within BAND_ROUND_KEYS
 * (under a limit, within what fits in it at BAND_KEY_BYTES a key), and
 * under a limit the pairs that travel with their records at once take a
 * sixteenth of it.
 */
static void sizes(fin *x)
{
    uint64_t limit = x->d->o.memory_limit, c = VERIFY_CHUNK;
    if (x->rt == &alone) {
        x->round_keys = limit ? UINT64_MAX : (uint64_t)x->nparts * (x->d->n + 1);
        x->npairs = x->nparts;
    } else {
        x->round_keys = BAND_ROUND_KEYS;
        if (limit && limit / BAND_KEY_BYTES < x->round_keys)
            x->round_keys = limit / BAND_KEY_BYTES;
        x->npairs = 1;
        if (limit) {
            uint64_t by = limit / RECORDS_SHARE / pair_msg(x->d);
            c = by < MIN_CHUNK ? MIN_CHUNK : by < c ? by : c;
        }
    }
    x->chunk = (size_t)c;
}

/* The shares of the bands and their key buffers: under a limit, a quarter
 * of it for the round's band keys and a quarter for the candidate pairs;
 * without one, pairs drop their repeats every 4 per document. */
static int parts_init(fin *x)
{
    sd_dedup *d = x->d;
    unsigned nw = sd__pool_size(d->pool), s;
    uint64_t limit = d->o.memory_limit;
    size_t kmax, pmax;
    x->nparts = nw < d->o.bands ? nw : d->o.bands;
    if ((x->parts = sd__calloc(x->nparts, sizeof *x->parts)) == NULL)
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
    kmax = limit ? sd__spill_entries(limit / KEYS_SHARE / x->nparts, KEYS_MIN) : SIZE_MAX;
    pmax = limit ? sd__spill_entries(limit / KEYS_SHARE / x->nparts, KEYS_MIN)
                 : PAIRS_PER_DOC * (d->n + 1024) / x->nparts + KEYS_MIN;
    for (s = 0; s < x->nparts; s++) {
        part *p = &x->parts[s];
        /* the shares merge at once: each its share of the merge windows */
        sd__keys_init(&p->keys, d->o.tmpdir, limit / x->nparts + (limit != 0), kmax, 0);
        /* shared, a round's pairs leave at its end: never spilled */
        sd__keys_init(&p->pairs, d->o.tmpdir, x->rt == &alone ? limit : 0, pmax, 1);
    }
    sd__keys_init(&x->pairs, d->o.tmpdir, limit, pmax, 1);
    return 0;
}

static void parts_release(fin *x)
{
    unsigned s;
    for (s = 0; x->parts && s < x->nparts; s++) {
        part *p = &x->parts[s];
        x->d->stats.spilled += p->keys.spilled + p->pairs.spilled;
        sd__keys_release(&p->keys);
        sd__keys_release(&p->pairs);
        sd__free(p->grp);
        sd__free(p->made);
    }
    sd__free(x->parts);
    x->parts = NULL;
    x->d->stats.spilled += x->pairs.spilled;
    x->pairs.spilled = 0;
    sd__keys_release(&x->pairs);
}

int sd__dedup_finish(sd_dedup *d, sd_progress_fn progress, void *ud)
{
    fin x;
    uint64_t total;
    int rc;
    memset(&x, 0, sizeof x);
    sd__spill_init(&x.pairs.runs); /* no file yet: releasing it closes none */
    x.d = d;
    x.progress = progress;
    x.ud = ud;
    if ((rc = sd__exch_init(&x.ex, d->o.comm ? d->o.comm : &d->self, &d->err)) != 0)
        return rc;
    x.rt = x.ex.np == 1 ? &alone : &shared;
    total = d->n;
    if ((rc = results_init(&x)) != 0 || (rc = parts_init(&x)) != 0 ||
        (rc = sd__exch_sum(&x.ex, &total, 1)) != 0)
        goto done;
    sizes(&x);
    if ((rc = x.rt->exact(&x)) != 0)
        goto done;
    if ((rc = band_step(&x)) != 0 || (rc = verify_step(&x)) != 0)
        goto done;
    parts_release(&x);
    if ((rc = x.rt->join_all(&x)) != 0 || (rc = sd__dedup_results(&x, total)) != 0)
        goto done;
    if (d->o.memory_limit)
        sd__dedup_trim(d);
    rc = stage(&x, "cluster", d->n, d->n);
done:
    parts_release(&x);
    sd__exch_release(&x.ex);
    sd__free(x.ed.v);
    return rc;
}

void sd__dedup_exact_firsts(const doc_info *g, size_t n, size_t *first)
{
    size_t i, j;
    for (i = 0; i < n; i++) {
        first[i] = i;
        for (j = 0; j < i; j++)
            if (first[j] == j && g[j].len == g[i].len &&
                XXH128_isEqual(g[j].text_hash, g[i].text_hash)) {
                first[i] = j;
                break;
            }
    }
}
