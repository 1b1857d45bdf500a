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
 * at finish, merge windows an eighth; per document, 13 bytes stay (union-find
 * parent, flags, results).
 */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "group/dedup_int.h"
#include "match/lsh.h"

#define VERIFY_CHUNK 65536
#define PROGRESS_EVERY (1u << 20)

static size_t budget_entries(uint64_t bytes, size_t floor_)
{
    uint64_t n = bytes / (2 * sizeof(sd_kv));
    return n < floor_ ? floor_ : n > SIZE_MAX / 64 ? SIZE_MAX / 64 : (size_t)n;
}

int sd__dedup_spill_init(sd_dedup *d)
{
    uint64_t limit = d->o.memory_limit;
    unsigned nw = sd__pool_size(d->pool);
    d->spill = 1;
    d->rec_size = 6 * (size_t)d->o.num_perm + sizeof(doc_info);
    d->keys_max = budget_entries(limit / 3, 1u << 14);
    d->hkeys_max = budget_entries(limit / 16, 1u << 12);
    d->scratch = sd__reallocarray(NULL, (size_t)nw * 2, d->rec_size);
    return d->scratch ? 0 : SD_ENOMEM;
}

void sd__dedup_spill_free(sd_dedup *d)
{
    if (d->sig_fd >= 0)
        close(d->sig_fd);
    d->sig_fd = -1;
    sd__free(d->bh);
    sd__free(d->recbuf);
    sd__free(d->flags);
    sd__free(d->keys);
    sd__free(d->hkeys);
    sd__free(d->scratch);
    sd__free(d->aux);
    sd__spill_release(&d->band_runs);
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

int sd__dedup_spill_add(sd_dedup *d, size_t n)
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
    if (SD_GROW(d->flags, d->flags_cap, d->n + n))
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        unsigned char *r = d->recbuf + i * d->rec_size;
        memcpy(r, d->sigs + i * k, 4 * (size_t)k);
        memcpy(r + 4 * (size_t)k, d->vsigs + i * k, 2 * (size_t)k);
        memcpy(r + 6 * (size_t)k, &d->info[i], sizeof(doc_info));
    }
    rc = sd__pwrite_full(d->sig_fd, d->recbuf, n * d->rec_size, (uint64_t)d->n * d->rec_size,
                         &d->err);
    if (rc)
        return rc;
    d->stats.spilled += n * d->rec_size;
    for (i = 0; i < n; i++) {
        uint64_t doc = d->n + i;
        uint32_t fl = d->info[i].flags;
        d->flags[doc] = (uint8_t)fl;
        if (fl & DOC_ABSENT)
            continue;
        rc = push_key(d, &d->hkeys, &d->nhkeys, &d->hkeys_cap, d->hkeys_max, &d->hash_runs,
                      d->info[i].text_hash.low64, doc);
        if (rc)
            return rc;
        if (fl & DOC_EMPTY)
            continue;
        for (b = 0; b < bands; b++) {
            rc = push_key(d, &d->keys, &d->nkeys, &d->keys_cap, d->keys_max, &d->band_runs,
                          d->bh[i * bands + b], (uint64_t)b << BAND_SHIFT | doc);
            if (rc)
                return rc;
        }
    }
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

/* A merge window per run, from an eighth of the limit. */
static size_t window(const sd_dedup *d, const sd_spill *s)
{
    uint64_t w = d->o.memory_limit / 8 / sizeof(sd_kv) / (s->nruns + 1);
    return w < 1024 ? 1024 : w > 65536 ? 65536 : (size_t)w;
}

/* 1. Byte-identical texts, as join_exact() in dedup.c does it. */
static int exact_groups(sd_dedup *d, sd_uf *uf)
{
    sd_merge *m = NULL;
    sd_kv cur, next;
    doc_info *g = NULL;
    uint64_t *gd = NULL;
    size_t gn = 0, gcap = 0, gdcap = 0, x, y;
    int rc, more;
    if (sd__kv_sort(d->hkeys, d->nhkeys))
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory sorting keys");
    rc = sd__merge_open(&d->hash_runs, d->hkeys, d->nhkeys, window(d, &d->hash_runs), &m, &d->err);
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
        if (SD_GROW(g, gcap, gn)) {
            rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory");
            goto done;
        }
        for (x = 0; x < gn; x++)
            if ((rc = read_info(d, gd[x], &g[x])) != 0)
                goto done;
        for (x = 0; x < gn; x++) {
            if (d->flags[gd[x]] & DOC_EXACT)
                continue;
            for (y = x + 1; y < gn; y++) {
                if (!(d->flags[gd[y]] & DOC_EXACT) && g[x].len == g[y].len &&
                    XXH128_isEqual(g[x].text_hash, g[y].text_hash)) {
                    sd__uf_union(uf, gd[x], gd[y]);
                    d->flags[gd[y]] |= DOC_SKIP | DOC_EXACT;
                    d->stats.exact_duplicates++;
                }
            }
        }
    }
    rc = more < 0 ? more : 0;
done:
    sd__merge_free(m);
    sd__free(g);
    sd__free(gd);
    return rc;
}

/* Adds pairs to the buffer, deduplicating and spilling when it is full. */
static int keep_pairs(sd_dedup *d, sd_kv **pairs, size_t *np, size_t max, sd_spill *runs)
{
    long u;
    int rc;
    if (*np < max)
        return 0;
    u = sd__pairs_unique(*pairs, *np);
    if (u < 0)
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory sorting pairs");
    *np = (size_t)u;
    if (*np < max / 2)
        return 0;
    rc = sd__spill_run(runs, d->o.tmpdir, *pairs, *np, &d->err);
    if (rc)
        return rc;
    d->stats.spilled += *np * sizeof **pairs;
    *np = 0;
    return 0;
}

/* 2. Candidate pairs: each (band hash, band) group of documents not
 * skipped, paired as sd__lsh_pairs() pairs a bucket. */
static int candidates(sd_dedup *d, sd_kv **pairs, size_t *np, size_t *pcap, sd_spill *pruns,
                      sd_progress_fn progress, void *ud)
{
    sd_merge *m = NULL;
    sd_kv next, *grp = NULL;
    size_t gn, gcap = 0, max = budget_entries(d->o.memory_limit / 3, 1u << 14);
    uint64_t seen = 0, total = d->band_runs.entries + d->nkeys;
    int rc, more;
    if (sd__kv_sort(d->keys, d->nkeys))
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory sorting keys");
    rc = sd__merge_open(&d->band_runs, d->keys, d->nkeys, window(d, &d->band_runs), &m, &d->err);
    if (rc)
        return rc;
    more = sd__merge_next(m, &next);
    while (more > 0) {
        uint64_t key = next.key, band = next.val >> BAND_SHIFT;
        gn = 0;
        do {
            uint64_t doc = next.val & DOC_MASK;
            if (!(d->flags[doc] & DOC_SKIP)) {
                if (SD_GROW(grp, gcap, gn + 1)) {
                    rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory");
                    goto done;
                }
                grp[gn].key = key;
                grp[gn].val = doc;
                gn++;
            }
            if ((++seen & (PROGRESS_EVERY - 1)) == 0 && progress &&
                progress(ud, "candidates", seen, total)) {
                rc = sd__errorf(&d->err, SD_ECANCELED, "canceled");
                goto done;
            }
            more = sd__merge_next(m, &next);
        } while (more > 0 && next.key == key && next.val >> BAND_SHIFT == band);
        if (more < 0)
            break;
        if (gn > 1) {
            if (sd__lsh_pairs(grp, gn, FULL_BUCKET, pairs, np, pcap)) {
                rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory for pairs");
                goto done;
            }
            if ((rc = keep_pairs(d, pairs, np, max, pruns)) != 0)
                goto done;
        }
    }
    rc = more < 0 ? more : 0;
done:
    sd__merge_free(m);
    sd__free(grp);
    return rc;
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
static int verify(sd_dedup *d, sd_uf *uf, sd_kv *pairs, size_t np, sd_spill *pruns)
{
    sd_merge *m = NULL;
    sd_kv next, last = {UINT64_MAX, UINT64_MAX}, *chunk = NULL;
    uint8_t *ok = NULL;
    size_t cn = 0, i;
    long u;
    int rc, more;
    vctx v;
    u = sd__pairs_unique(pairs, np);
    if (u < 0)
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory sorting pairs");
    chunk = sd__reallocarray(NULL, VERIFY_CHUNK, sizeof *chunk);
    ok = sd__malloc(VERIFY_CHUNK);
    if (chunk == NULL || ok == NULL) {
        rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory");
        goto done;
    }
    rc = sd__merge_open(pruns, pairs, (size_t)u, window(d, pruns), &m, &d->err);
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
    return rc;
}

static void sim_one(void *ctx, size_t i, unsigned worker)
{
    sd_dedup *d = ctx;
    unsigned char *a = d->scratch + (size_t)worker * 2 * d->rec_size, *b = a + d->rec_size;
    uint64_t r = d->rep[i];
    float sim;
    sd_err e;
    if (r == i || (d->flags[i] & DOC_ABSENT))
        return;
    if (d->flags[i] & DOC_EXACT) {
        sim = 1.0f;
    } else if (read_rec(d, i, a, &e) || read_rec(d, r, b, &e)) {
        d->io_failed = 1;
        return;
    } else {
        sim = (float)sd__dedup_rec_matches(a, b, d->o.num_perm) / (float)(2 * d->o.num_perm);
    }
    memcpy(&d->aux[i], &sim, sizeof sim);
}

/*
 * Representatives and clusters in 12 bytes a document: the union-find
 * parents, flattened to roots, are the representatives; aux holds a
 * representative's cluster number and anyone else's similarity to it.
 */
static int results(sd_dedup *d, sd_uf *uf)
{
    uint64_t next_cluster = 0, i;
    d->aux = sd__reallocarray(NULL, d->n ? d->n : 1, sizeof *d->aux);
    if (d->aux == NULL)
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory for %zu results", d->n);
    for (i = 0; i < d->n; i++) {
        uint64_t r = sd__uf_find(uf, i);
        uf->parent[i] = r; /* r <= i: roots come first, so this flattens */
        if (d->flags[i] & DOC_ABSENT) {
            d->stats.absent++;
            d->aux[i] = 0;
        } else if (r == i) {
            d->aux[i] = (uint32_t)next_cluster++;
        } else {
            d->stats.duplicates++;
        }
    }
    d->stats.clusters = next_cluster;
    d->rep = uf->parent;
    uf->parent = NULL;
    d->io_failed = 0;
    sd__pool_for(d->pool, d->n, sim_one, d);
    return d->io_failed ? sd__errorf(&d->err, SD_EIO, "cannot read back signatures") : 0;
}

int sd__dedup_spill_finish(sd_dedup *d, sd_progress_fn progress, void *ud)
{
    sd_kv *pairs = NULL;
    size_t np = 0, pcap = 0, i;
    sd_spill pruns;
    sd_uf uf = {0};
    int rc;
    sd__spill_init(&pruns);
    if (d->n > UINT32_MAX)
        return sd__errorf(&d->err, SD_ETOOBIG, "more than %u documents with a memory limit",
                          UINT32_MAX);
    for (i = 0; i < d->n; i++)
        if (d->flags[i] & (DOC_ABSENT | DOC_EMPTY))
            d->flags[i] |= DOC_SKIP;
    /* the batch buffers are not needed any more */
    sd__free(d->sigs);
    sd__free(d->vsigs);
    sd__free(d->info);
    sd__free(d->bh);
    sd__free(d->recbuf);
    d->sigs = NULL;
    d->vsigs = NULL;
    d->info = NULL;
    d->bh = NULL;
    d->recbuf = NULL;
    d->sigs_cap = d->info_cap = d->bh_cap = d->recbuf_cap = 0;
    if (d->n && d->sig_fd < 0)
        return sd__errorf(&d->err, SD_EIO, "no signature file");
    if (sd__uf_init(&uf, d->n))
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory clustering %zu documents", d->n);
    if ((rc = exact_groups(d, &uf)) != 0)
        goto done;
    sd__free(d->hkeys);
    d->hkeys = NULL;
    d->nhkeys = d->hkeys_cap = 0;
    sd__spill_release(&d->hash_runs);
    if ((rc = candidates(d, &pairs, &np, &pcap, &pruns, progress, ud)) != 0)
        goto done;
    sd__free(d->keys);
    d->keys = NULL;
    d->nkeys = d->keys_cap = 0;
    sd__spill_release(&d->band_runs);
    if (progress)
        progress(ud, "verify", 0, 0);
    if ((rc = verify(d, &uf, pairs, np, &pruns)) != 0)
        goto done;
    sd__free(pairs);
    pairs = NULL;
    sd__spill_release(&pruns);
    rc = results(d, &uf);
    if (progress)
        progress(ud, "cluster", d->n, d->n);
done:
    sd__free(pairs);
    sd__spill_release(&pruns);
    sd__uf_release(&uf);
    return rc;
}

void sd__dedup_spill_get(const sd_dedup *d, uint64_t i, sd_dedup_result *r)
{
    uint64_t rep = d->rep[i];
    float sim;
    r->absent = (d->flags[i] & DOC_ABSENT) != 0;
    r->exact = (d->flags[i] & DOC_EXACT) != 0;
    r->rep = rep;
    if (r->absent) {
        r->cluster = UINT64_MAX;
        r->similarity = 0;
    } else if (rep == i) {
        r->cluster = d->aux[i];
        r->similarity = 1.0f;
    } else {
        r->cluster = d->aux[rep];
        memcpy(&sim, &d->aux[i], sizeof sim);
        r->similarity = sim;
    }
}
