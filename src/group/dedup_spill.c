/*
 * dedup_spill.c: the dedup job under a memory limit.
 *
 * Sketching is as in memory (dedup.c), a batch at a time. Each batch then
 * leaves its documents' records (signature, verification bins, text hash)
 * in a temporary file at fixed offsets, and its keys in two buffers: band
 * keys (band hash; band and document) and text-hash keys (hash; document).
 * A full buffer is sorted and written as a run. Finish merges the runs:
 * the text-hash stream groups byte-identical texts, the band stream forms
 * each band's buckets from the same documents in the same order as the
 * in-memory sort does, so the candidate pairs are the same; they are
 * collected, deduplicated and spilled the same way, then verified on the
 * pool with records read back from the file, and joined with union-find
 * (whose roots do not depend on the order of joins).
 *
 * Memory: the band-key buffer is a third of the limit and the text-hash
 * buffer a sixteenth (sorting needs as much again), the pair buffer a third
 * at finish, merge windows an eighth. What is kept per document (13 bytes:
 * flags, union-find parent, results) is in file-backed arrays (sd_fmap) of
 * which at most a 16th of the limit each stays resident: random accesses
 * count a page each, walks in order their bytes.
 */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "group/dedup_int.h"
#include "match/lsh.h"

#define VERIFY_CHUNK 65536
#define PAGE 4096

static uint8_t *flags_of(const sd_dedup *d)
{
    return d->map[M_FLAGS].base;
}

static uint64_t *parents_of(const sd_dedup *d)
{
    return d->map[M_PARENTS].base;
}

static uint32_t *aux_of(const sd_dedup *d)
{
    return d->map[M_AUX].base;
}

void sd__dedup_spill_maps_init(sd_dedup *d)
{
    unsigned m;
    for (m = 0; m < M_COUNT; m++)
        sd_fmap_init(&d->map[m], d->o.tmpdir, m <= M_SKIP ? d->o.memory_limit / 16 : 0);
}

void sd__dedup_maps_trim(const sd_dedup *d)
{
    unsigned m;
    for (m = 0; m < M_COUNT; m++)
        if (d->map[m].size > d->map[m].keep)
            sd_fmap_trim(&d->map[m]);
}

void sd__dedup_walked(const sd_dedup *d, uint64_t bytes, uint64_t bound)
{
    if ((*d->walked += bytes) >= bound) {
        *d->walked = 0;
        sd__dedup_maps_trim(d);
    }
}

int sd__dedup_spill_init(sd_dedup *d)
{
    uint64_t limit = d->o.memory_limit;
    unsigned nw = sd__pool_size(d->pool), p;
    d->rec_size = 6 * (size_t)d->o.num_perm + sizeof(doc_info);
    d->nparts = nw < d->o.bands ? nw : d->o.bands;
    d->part_max = sd__spill_entries(limit / 3 / d->nparts, 1u << 12);
    d->hkeys_max = sd__spill_entries(limit / 16, 1u << 12);
    d->scratch = sd__reallocarray(NULL, (size_t)nw * 2, d->rec_size);
    d->parts = sd__calloc(d->nparts, sizeof *d->parts);
    d->walked = sd__calloc(1, sizeof *d->walked);
    if (d->parts == NULL || d->scratch == NULL || d->walked == NULL)
        return SD_ENOMEM;
    for (p = 0; p < d->nparts; p++) {
        sd__spill_init(&d->parts[p].runs);
        sd__spill_init(&d->parts[p].pruns);
    }
    return 0;
}

void sd__dedup_spill_free(sd_dedup *d)
{
    unsigned p, m;
    if (d->sig_fd >= 0)
        close(d->sig_fd);
    d->sig_fd = -1;
    sd__free(d->bh);
    sd__free(d->recbuf);
    for (m = 0; m < M_COUNT; m++)
        sd_fmap_release(&d->map[m]);
    if (d->parts)
        for (p = 0; p < d->nparts; p++) {
            sd__free(d->parts[p].keys);
            sd__free(d->parts[p].pairs);
            sd__spill_release(&d->parts[p].runs);
            sd__spill_release(&d->parts[p].pruns);
        }
    sd__free(d->parts);
    d->parts = NULL;
    sd__free(d->hkeys);
    sd__free(d->scratch);
    sd__free(d->walked);
    d->walked = NULL;
    sd__spill_release(&d->hash_runs);
}

/* Appends a key to a buffer of at most `max` entries, spilling it as a run
 * when full. */
static int push_key(sd_dedup *d, sd_kv **buf, size_t *n, size_t *cap, size_t max, sd_spill *runs,
                    uint64_t key, uint64_t val)
{
    if (*n == max) {
        int rc = sd__spill_run(runs, d->o.tmpdir, *buf, *n, &d->err);
        if (rc)
            return rc;
        d->stats.spilled += *n * sizeof **buf;
        *n = 0;
    }
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 4096;
        sd_kv *p;
        if (c > max)
            c = max;
        p = sd__reallocarray(*buf, c, sizeof *p);
        if (p == NULL)
            return sd__errorf(&d->err, SD_ENOMEM, "out of memory for keys");
        *buf = p;
        *cap = c;
    }
    (*buf)[*n].key = key;
    (*buf)[*n].val = val;
    (*n)++;
    return 0;
}

/* Sorts and writes one share's buffer as a run (on the pool). */
static void flush_part(void *ctx, size_t i, unsigned worker)
{
    sd_dedup *d = ctx;
    band_part *p = &d->parts[i];
    (void)worker;
    p->rc = p->nkeys ? sd__spill_run(&p->runs, d->o.tmpdir, p->keys, p->nkeys, &p->err) : 0;
    if (p->rc == 0) {
        p->spilled += p->nkeys * sizeof *p->keys;
        p->nkeys = 0;
    }
}

/* When one share's buffer is full, every share spills, in parallel. */
static int flush_parts(sd_dedup *d)
{
    unsigned p;
    sd__pool_for(d->pool, d->nparts, flush_part, d);
    for (p = 0; p < d->nparts; p++)
        if (d->parts[p].rc) {
            d->err = d->parts[p].err;
            return d->parts[p].rc;
        }
    return 0;
}

/*
 * Writes the records of documents first..first+n (their sketches at sigs,
 * vsigs and info, indexed from 0) and queues their keys; band hashes from
 * bh, or computed when bh is NULL.
 */
static int spill_docs(sd_dedup *d, size_t first, size_t n, const uint32_t *sigs,
                      const uint16_t *vsigs, const doc_info *info, const uint64_t *bh)
{
    unsigned k = d->o.num_perm, bands = d->o.bands, b;
    size_t i;
    int rc;
    if (d->sig_fd < 0 && (d->sig_fd = sd__tmpfd(d->o.tmpdir, &d->err)) < 0)
        return d->err.code;
    if (n > d->recbuf_cap) {
        unsigned char *p = sd__reallocarray(d->recbuf, n, d->rec_size);
        if (p == NULL)
            return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
        d->recbuf = p;
        d->recbuf_cap = n;
    }
    if (sd_fmap_grow(&d->map[M_FLAGS], first + n) != 0)
        return sd__errorf(&d->err, SD_EIO, "cannot grow a temporary file: %s", strerror(errno));
    for (i = 0; i < n; i++) {
        unsigned char *r = d->recbuf + i * d->rec_size;
        memcpy(r, sigs + i * k, 4 * (size_t)k);
        memcpy(r + 4 * (size_t)k, vsigs + i * k, 2 * (size_t)k);
        memcpy(r + 6 * (size_t)k, &info[i], sizeof(doc_info));
    }
    rc = sd__pwrite_full(d->sig_fd, d->recbuf, n * d->rec_size, (uint64_t)first * d->rec_size,
                         &d->err);
    if (rc)
        return rc;
    d->stats.spilled += n * d->rec_size;
    for (i = 0; i < n; i++) {
        uint64_t doc = first + i;
        uint32_t fl = info[i].flags;
        flags_of(d)[doc] = (uint8_t)fl;
        sd_fmap_touch(&d->map[M_FLAGS], 1);
        if (fl & DOC_ABSENT)
            continue;
        rc = push_key(d, &d->hkeys, &d->nhkeys, &d->hkeys_cap, d->hkeys_max, &d->hash_runs,
                      info[i].text_hash.low64, doc);
        if (rc)
            return rc;
        if (fl & DOC_EMPTY)
            continue;
        for (b = 0; b < bands; b++) {
            band_part *p = &d->parts[b % d->nparts];
            if (p->nkeys == d->part_max && (rc = flush_parts(d)) != 0)
                return rc;
            if (p->nkeys == p->keys_cap) {
                size_t c = p->keys_cap ? p->keys_cap * 2 : 4096;
                sd_kv *q;
                if (c > d->part_max)
                    c = d->part_max;
                q = sd__reallocarray(p->keys, c, sizeof *q);
                if (q == NULL)
                    return sd__errorf(&d->err, SD_ENOMEM, "out of memory for keys");
                p->keys = q;
                p->keys_cap = c;
            }
            p->keys[p->nkeys].key =
                bh ? bh[i * bands + b] : sd__lsh_band_hash(sigs + i * k, b, d->o.rows, d->o.seed);
            p->keys[p->nkeys].val = (uint64_t)b << BAND_SHIFT | doc;
            p->nkeys++;
        }
    }
    return 0;
}

int sd__dedup_spill_add(sd_dedup *d, size_t n)
{
    return spill_docs(d, d->n, n, d->sigs, d->vsigs, d->info, d->bh);
}

/*
 * With a memory limit the job starts in memory; when the sketches of the
 * documents so far would pass the limit, they go to the file and their
 * keys to the buffers, a chunk at a time, and the job goes on out of core.
 */
/* Frees the in-memory sketch arrays (all documents', or one batch's). */
static void drop_sketches(sd_dedup *d)
{
    sd__free(d->sigs);
    sd__free(d->vsigs);
    sd__free(d->info);
    d->sigs = NULL;
    d->vsigs = NULL;
    d->info = NULL;
    d->sigs_cap = d->info_cap = 0;
}

int sd__dedup_spill_begin(sd_dedup *d)
{
    size_t i, chunk = 16384;
    unsigned k = d->o.num_perm;
    int rc;
    for (i = 0; i < d->n; i += chunk) {
        size_t m = d->n - i < chunk ? d->n - i : chunk;
        rc = spill_docs(d, i, m, d->sigs + i * k, d->vsigs + i * k, d->info + i, NULL);
        if (rc)
            return rc;
    }
    /* from here on the arrays hold one batch */
    drop_sketches(d);
    d->spill = 1;
    return 0;
}

/* Reads document doc's record, or its doc_info only. */
static int read_rec(sd_dedup *d, uint64_t doc, unsigned char *out, sd_err *e)
{
    return sd__pread_full(d->sig_fd, out, d->rec_size, doc * d->rec_size, e);
}

static int read_info(sd_dedup *d, uint64_t doc, doc_info *out)
{
    return sd__pread_full(d->sig_fd, out, sizeof *out,
                          doc * d->rec_size + 6 * (size_t)d->o.num_perm, &d->err);
}

/* 1. Byte-identical texts, as join_exact() in dedup.c does it. */
static int exact_groups(sd_dedup *d, sd_uf *uf)
{
    sd_merge *m = NULL;
    sd_kv cur, next;
    doc_info *g = NULL;
    uint64_t *gd = NULL;
    size_t gn = 0, gcap = 0, gdcap = 0, x, *first = NULL, fcap = 0;
    int rc, more;
    if (sd__kv_sort(d->hkeys, d->nhkeys))
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory sorting keys");
    {
        const sd_spill *runs = &d->hash_runs;
        rc = sd__merge_open(&runs, 1, d->hkeys, d->nhkeys,
                            sd__merge_window(d->o.memory_limit, d->hash_runs.nruns), &m, &d->err);
    }
    if (rc)
        return rc;
    more = sd__merge_next(m, &next);
    while (more > 0) {
        cur = next;
        gn = 0;
        /* the group of equal low halves */
        do {
            if (SD_GROW(gd, gdcap, gn + 1)) {
                rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory");
                goto done;
            }
            gd[gn++] = next.val;
            more = sd__merge_next(m, &next);
        } while (more > 0 && next.key == cur.key);
        if (more < 0)
            break;
        if (gn < 2)
            continue;
        if (SD_GROW(g, gcap, gn) || SD_GROW(first, fcap, gn)) {
            rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory");
            goto done;
        }
        for (x = 0; x < gn; x++)
            if ((rc = read_info(d, gd[x], &g[x])) != 0)
                goto done;
        sd__dedup_exact_firsts(g, gn, first);
        for (x = 0; x < gn; x++) {
            if (first[x] == x)
                continue;
            sd__uf_union(uf, gd[first[x]], gd[x]);
            flags_of(d)[gd[x]] |= DOC_SKIP | DOC_EXACT;
            sd_fmap_touch(&d->map[M_PARENTS], 2 * PAGE);
            sd_fmap_touch(&d->map[M_FLAGS], PAGE);
            d->stats.exact_duplicates++;
        }
    }
    rc = more < 0 ? more : 0;
done:
    sd__merge_free(m);
    sd__free(g);
    sd__free(gd);
    sd__free(first);
    return rc;
}

/* Deduplicates a share's pairs and, when they still fill half the buffer
 * (or `all`), spills them as a run. */
static int keep_pairs(sd_dedup *d, band_part *p, size_t max, int all)
{
    long u;
    if (p->np < max && !all)
        return 0;
    u = sd__pairs_unique(p->pairs, p->np);
    if (u < 0)
        return sd__errorf(&p->err, SD_ENOMEM, "out of memory sorting pairs");
    p->np = (size_t)u;
    if (p->np == 0 || (p->np < max / 2 && !all))
        return 0;
    if (sd__spill_run(&p->pruns, d->o.tmpdir, p->pairs, p->np, &p->err))
        return p->err.code;
    p->spilled += p->np * sizeof *p->pairs;
    p->np = 0;
    return 0;
}

/*
 * The documents out of LSH, a bit each, for the shares to look up at
 * random: eight times as many documents fit in the bound of what stays
 * resident as with the flags themselves. Returns 0 or SD_EIO.
 */
static int skip_bits(sd_dedup *d)
{
    uint8_t *bits;
    size_t i;
    if (sd_fmap_grow(&d->map[M_SKIP], (uint64_t)d->n / 8 + 1) != 0)
        return sd__errorf(&d->err, SD_EIO, "cannot grow a temporary file: %s", strerror(errno));
    bits = d->map[M_SKIP].base;
    for (i = 0; i < d->n; i++) {
        if (flags_of(d)[i] & DOC_SKIP)
            bits[i / 8] |= (uint8_t)(1u << (i % 8));
        sd_fmap_touch(&d->map[M_FLAGS], 1);
        if (i % 8 == 0)
            sd_fmap_touch(&d->map[M_SKIP], 1);
    }
    return 0;
}

/*
 * 2. Candidate pairs of one share of the bands (on the pool): each (band
 * hash, band) group of documents not skipped, paired as sd__lsh_pairs()
 * pairs a bucket. Every band's keys are in one share, so the groups are
 * whole; the pairs end up as runs of the share's pair spill.
 */
static void part_candidates(void *ctx, size_t pi, unsigned worker)
{
    sd_dedup *d = ctx;
    band_part *p = &d->parts[pi];
    const sd_spill *runs = &p->runs;
    sd_merge *m = NULL;
    sd_kv next, *grp = NULL;
    size_t gn, gcap = 0, max = sd__spill_entries(d->o.memory_limit / 3 / d->nparts, 1u << 12);
    /* the shares read the skip bits at random, each holding its part */
    const uint8_t *skip = d->map[M_SKIP].base;
    uint64_t reads = 0, reads_max = d->map[M_SKIP].keep / PAGE / d->nparts + 1;
    int rc, more;
    (void)worker;
    if (sd__kv_sort(p->keys, p->nkeys)) {
        rc = sd__errorf(&p->err, SD_ENOMEM, "out of memory sorting keys");
        goto done;
    }
    rc = sd__merge_open(&runs, 1, p->keys, p->nkeys,
                        sd__merge_window(d->o.memory_limit, runs->nruns), &m, &p->err);
    if (rc)
        goto done;
    more = sd__merge_next(m, &next);
    while (more > 0) {
        uint64_t key = next.key, band = next.val >> BAND_SHIFT;
        gn = 0;
        do {
            uint64_t doc = next.val & DOC_MASK;
            if (++reads == reads_max) {
                reads = 0;
                if (d->map[M_SKIP].size > d->map[M_SKIP].keep)
                    sd_fmap_trim(&d->map[M_SKIP]);
            }
            if (!(skip[doc / 8] >> (doc % 8) & 1)) {
                if (SD_GROW(grp, gcap, gn + 1)) {
                    rc = sd__errorf(&p->err, SD_ENOMEM, "out of memory");
                    goto done;
                }
                grp[gn].key = key;
                grp[gn].val = doc;
                gn++;
            }
            more = sd__merge_next(m, &next);
        } while (more > 0 && next.key == key && next.val >> BAND_SHIFT == band);
        if (more < 0)
            break;
        if (gn > 1) {
            if (sd__lsh_pairs(grp, gn, FULL_BUCKET, &p->pairs, &p->np, &p->pcap)) {
                rc = sd__errorf(&p->err, SD_ENOMEM, "out of memory for pairs");
                goto done;
            }
            if ((rc = keep_pairs(d, p, max, 0)) != 0)
                goto done;
        }
    }
    rc = more < 0 ? more : keep_pairs(d, p, max, 1);
done:
    sd__merge_free(m);
    sd__free(grp);
    /* the share's keys are done with */
    sd__free(p->keys);
    p->keys = NULL;
    p->nkeys = p->keys_cap = 0;
    sd__spill_release(&p->runs);
    sd__free(p->pairs);
    p->pairs = NULL;
    p->np = p->pcap = 0;
    p->rc = rc;
}

typedef struct vctx {
    sd_dedup *d;
    const sd_kv *pairs;
    uint8_t *ok;
    unsigned need;
} vctx;

static void verify_rec(void *ctx, size_t i, unsigned worker)
{
    vctx *v = ctx;
    sd_dedup *d = v->d;
    unsigned char *a = d->scratch + (size_t)worker * 2 * d->rec_size, *b = a + d->rec_size;
    sd_err e;
    if (read_rec(d, v->pairs[i].key, a, &e) || read_rec(d, v->pairs[i].val, b, &e)) {
        d->io_failed = 1; /* only ever set */
        v->ok[i] = 0;
        return;
    }
    v->ok[i] = sd__dedup_rec_matches(a, b, d->o.num_perm) >= v->need;
}

/* 3. Verifies the distinct pairs a chunk at a time and joins those that pass. */
static int verify(sd_dedup *d, sd_uf *uf)
{
    sd_merge *m = NULL;
    sd_kv next, last = {UINT64_MAX, UINT64_MAX}, *chunk = NULL;
    const sd_spill **sp = NULL;
    uint8_t *ok = NULL;
    size_t cn = 0, i, runs = 0;
    int rc, more;
    vctx v;
    chunk = sd__reallocarray(NULL, VERIFY_CHUNK, sizeof *chunk);
    ok = sd__malloc(VERIFY_CHUNK);
    sp = sd__calloc(d->nparts, sizeof(const sd_spill *));
    if (chunk == NULL || ok == NULL || sp == NULL) {
        rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < d->nparts; i++) {
        sp[i] = &d->parts[i].pruns;
        runs += sp[i]->nruns;
    }
    rc = sd__merge_open(sp, d->nparts, NULL, 0, sd__merge_window(d->o.memory_limit, runs), &m,
                        &d->err);
    if (rc)
        goto done;
    v.d = d;
    v.pairs = chunk;
    v.ok = ok;
    v.need = (unsigned)ceil(d->o.threshold * 2 * d->o.num_perm - 1e-9);
    d->io_failed = 0;
    for (;;) {
        more = sd__merge_next(m, &next);
        if (more < 0) {
            rc = more;
            goto done;
        }
        if (more && next.key == last.key && next.val == last.val)
            continue;
        if (more) {
            chunk[cn++] = next;
            last = next;
        }
        if (cn == VERIFY_CHUNK || (!more && cn)) {
            sd__pool_for(d->pool, cn, verify_rec, &v);
            if (d->io_failed) {
                rc = sd__errorf(&d->err, SD_EIO, "cannot read back signatures");
                goto done;
            }
            for (i = 0; i < cn; i++)
                if (ok[i]) {
                    sd__uf_union(uf, chunk[i].key, chunk[i].val);
                    sd_fmap_touch(&d->map[M_PARENTS], 2 * PAGE);
                    d->stats.verified++;
                }
            d->stats.candidates += cn;
            cn = 0;
        }
        if (!more)
            break;
    }
    rc = 0;
done:
    sd__merge_free(m);
    sd__free(chunk);
    sd__free(ok);
    sd__free(sp);
    return rc;
}

/* A document's similarity to its representative (on the pool). The
 * arrays are walked in order; each worker lets their pages go every `keep`
 * bytes it has walked. */
static void sim_one(void *ctx, size_t i, unsigned worker)
{
    sd_dedup *d = ctx;
    unsigned char *a = d->scratch + (size_t)worker * 2 * d->rec_size, *b = a + d->rec_size;
    uint64_t r = parents_of(d)[i];
    uint8_t fl = flags_of(d)[i];
    float sim;
    sd_err e;
    if (i % (d->map[M_PARENTS].keep / 16 + 1) == 0) /* 13 bytes a document walked */
        sd__dedup_maps_trim(d);
    if (r == i || (fl & DOC_ABSENT))
        return;
    if (fl & DOC_EXACT) {
        sim = 1.0f;
    } else if (read_rec(d, i, a, &e) || read_rec(d, r, b, &e)) {
        d->io_failed = 1;
        return;
    } else {
        sim = (float)sd__dedup_rec_matches(a, b, d->o.num_perm) / (float)(2 * d->o.num_perm);
    }
    memcpy(&aux_of(d)[i], &sim, sizeof sim);
}

/*
 * Representatives and clusters in 12 bytes a document: the union-find
 * parents, flattened to roots, are the representatives; aux holds a
 * representative's cluster number and anyone else's similarity to it.
 */
static int results(sd_dedup *d, sd_uf *uf)
{
    uint64_t next_cluster = 0, i;
    uint8_t *flags = flags_of(d);
    uint32_t *aux;
    if (sd_fmap_grow(&d->map[M_AUX], (uint64_t)(d->n ? d->n : 1) * sizeof(uint32_t)) != 0)
        return sd__errorf(&d->err, SD_EIO, "cannot grow a temporary file: %s", strerror(errno));
    aux = aux_of(d);
    for (i = 0; i < d->n; i++) {
        uint64_t r = sd__uf_find(uf, i);
        sd__dedup_walked(d, r == i ? 13 : 13 + PAGE, d->map[M_PARENTS].keep); /* root's page */
        uf->parent[i] = r; /* r <= i: roots come first, so this flattens */
        if (flags[i] & DOC_ABSENT) {
            d->stats.absent++;
            aux[i] = 0;
        } else if (r == i) {
            aux[i] = (uint32_t)next_cluster++;
        } else {
            d->stats.duplicates++;
        }
    }
    d->stats.clusters = next_cluster;
    uf->parent = NULL; /* the parents stay, as representatives */
    d->io_failed = 0;
    sd__pool_for(d->pool, d->n, sim_one, d);
    sd__dedup_maps_trim(d);
    return d->io_failed ? sd__errorf(&d->err, SD_EIO, "cannot read back signatures") : 0;
}

int sd__dedup_spill_finish(sd_dedup *d, sd_progress_fn progress, void *ud)
{
    size_t i;
    unsigned p;
    sd_uf uf = {0};
    int rc;
    if (d->n > UINT32_MAX)
        return sd__errorf(&d->err, SD_ETOOBIG, "more than %u documents with a memory limit",
                          UINT32_MAX);
    for (i = 0; i < d->n; i++) {
        if (flags_of(d)[i] & (DOC_ABSENT | DOC_EMPTY))
            flags_of(d)[i] |= DOC_SKIP;
        sd_fmap_touch(&d->map[M_FLAGS], 1);
    }
    /* the batch buffers are not needed any more */
    drop_sketches(d);
    sd__free(d->bh);
    sd__free(d->recbuf);
    d->bh = NULL;
    d->recbuf = NULL;
    d->bh_cap = d->recbuf_cap = 0;
    if (d->n && d->sig_fd < 0)
        return sd__errorf(&d->err, SD_EIO, "no signature file");
    if (sd_fmap_grow(&d->map[M_PARENTS], (uint64_t)(d->n ? d->n : 1) * sizeof(uint64_t)) != 0)
        return sd__errorf(&d->err, SD_EIO, "cannot grow a temporary file: %s", strerror(errno));
    uf.parent = parents_of(d);
    uf.n = d->n;
    for (i = 0; i < d->n; i++) {
        uf.parent[i] = i;
        sd_fmap_touch(&d->map[M_PARENTS], sizeof *uf.parent);
    }
    if ((rc = exact_groups(d, &uf)) != 0)
        goto done;
    sd__free(d->hkeys);
    d->hkeys = NULL;
    d->nhkeys = d->hkeys_cap = 0;
    sd__spill_release(&d->hash_runs);
    if (progress && progress(ud, "candidates", 0, d->nparts)) {
        rc = sd__errorf(&d->err, SD_ECANCELED, "canceled");
        goto done;
    }
    if ((rc = skip_bits(d)) != 0)
        goto done;
    sd__pool_for(d->pool, d->nparts, part_candidates, d);
    sd_fmap_release(&d->map[M_SKIP]);
    for (p = 0; p < d->nparts; p++) {
        d->stats.spilled += d->parts[p].spilled;
        d->parts[p].spilled = 0;
        if (d->parts[p].rc && !rc) {
            d->err = d->parts[p].err;
            rc = d->parts[p].rc;
        }
    }
    if (rc)
        goto done;
    if (progress && progress(ud, "verify", 0, 0)) {
        rc = sd__errorf(&d->err, SD_ECANCELED, "canceled");
        goto done;
    }
    if ((rc = verify(d, &uf)) != 0)
        goto done;
    for (p = 0; p < d->nparts; p++)
        sd__spill_release(&d->parts[p].pruns);
    rc = results(d, &uf);
    if (progress)
        progress(ud, "cluster", d->n, d->n);
done:
    uf.parent = NULL; /* the file-backed array is d->map[M_PARENTS] */
    sd__uf_release(&uf);
    return rc;
}

/* Results are read in input order, 13 bytes a document, and a page at
 * random for a duplicate's representative. */
void sd__dedup_spill_get(const sd_dedup *d, uint64_t i, sd_dedup_result *r)
{
    uint64_t rep = parents_of(d)[i];
    const uint32_t *aux = aux_of(d);
    uint8_t fl = flags_of(d)[i];
    float sim;
    sd__dedup_walked(d, rep == i ? 13 : 13 + PAGE, d->map[M_AUX].keep);
    r->absent = (fl & DOC_ABSENT) != 0;
    r->exact = (fl & DOC_EXACT) != 0;
    r->rep = rep;
    if (r->absent) {
        r->cluster = UINT64_MAX;
        r->similarity = 0;
    } else if (rep == i) {
        r->cluster = aux[i];
        r->similarity = 1.0f;
    } else {
        r->cluster = aux[rep];
        memcpy(&sim, &aux[i], sizeof sim);
        r->similarity = sim;
    }
}
