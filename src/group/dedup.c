/*
 * dedup.c: the whole-document near-duplicate job.
 *
 *   add      documents are tokenized and sketched on the pool, one signature
 *            (K 32-bit values) and one 128-bit text hash per document;
 *   finish   1. byte-identical texts are joined by sorting their hashes;
 *            2. the first of each exact group enters LSH: per band, (band
 *               hash, doc) pairs are sorted and colliding documents paired;
 *            3. each distinct candidate pair is verified on the pool by its
 *               signature estimate against the threshold;
 *            4. verified pairs are joined with union-find in sorted order.
 *
 * Every step writes to slots fixed by document or pair index and every
 * grouping is a sort, so the result does not depend on the thread count.
 * Memory per document: 6K bytes of signature plus 32 bytes.
 *
 * With a memory limit the same steps run out of core (dedup_spill.c): each
 * batch's signatures go to a temporary file, its band keys (band hash, band
 * and document) and text-hash keys to buffers that spill as sorted runs,
 * and finish merges the runs, so every group is formed from the same keys
 * in the same order and the results are the same.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/keysort.h"
#include "base/pool.h"
#include "group/dedup_int.h"
#include "group/unionfind.h"
#include "match/lsh.h"
#include "sketch/minhash.h"
#include "syndic.h"
#include "text/tokenize.h"

/* Weights of the S-curve areas when picking bands and rows: a missed
 * duplicate costs far more than a candidate that fails verification. */
#define LSH_WEIGHT_FP 0.05
#define LSH_WEIGHT_FN 0.95

static int add_docs(sd_dedup *d, const sd_doc *docs, size_t n);
static int finish(sd_dedup *d, sd_progress_fn progress, void *ud);

void sd_dedup_options_init(sd_dedup_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->threshold = 0.8;
    o->ngram = 5;
    o->num_perm = 256;
}

const char *sd_dedup_errmsg(const sd_dedup *d)
{
    return d ? d->err.msg : "";
}

/* The options' ranges, each with the reason it fails. */
static int check_options(const sd_dedup_options *o, sd_err *e)
{
    if (!(o->threshold > 0 && o->threshold <= 1))
        return sd__errorf(e, SD_EINVAL, "threshold must be above 0 and at most 1, not %g",
                          o->threshold);
    if (o->ngram < 1 || o->ngram > 64)
        return sd__errorf(e, SD_EINVAL, "ngram must be from 1 to 64, not %u", o->ngram);
    if (o->num_perm < 8 || o->num_perm > SD_MINHASH_MAX_PERM || o->num_perm % 8)
        return sd__errorf(e, SD_EINVAL, "num_perm must be a multiple of 8 from 8 to %u, not %u",
                          SD_MINHASH_MAX_PERM, o->num_perm);
    if ((o->bands == 0) != (o->rows == 0))
        return sd__errorf(e, SD_EINVAL, "bands and rows go together (%u bands, %u rows)", o->bands,
                          o->rows);
    if (o->bands && (uint64_t)o->bands * o->rows > o->num_perm)
        return sd__errorf(e, SD_EINVAL, "bands times rows (%llu) exceeds num_perm (%u)",
                          (unsigned long long)o->bands * o->rows, o->num_perm);
    if (o->comm && (!o->comm->alltoallv || !o->comm->allgather))
        return sd__errorf(e, SD_EINVAL, "comm lacks its alltoallv or allgather");
    if (o->comm && o->comm->share.index >= (o->comm->share.count ? o->comm->share.count : 1))
        return sd__errorf(e, SD_EINVAL, "comm: process %u of %u", o->comm->share.index,
                          o->comm->share.count);
    return 0;
}

int sd_dedup_new(const sd_dedup_options *o, sd_dedup **out, char *errbuf)
{
    sd_dedup *d;
    unsigned i, nw;
    int rc;
    if (out == NULL)
        return SD_EINVAL;
    *out = NULL;
    if ((d = sd__calloc(1, sizeof *d)) == NULL)
        return sd__errbuf_nomem(errbuf);
    sd_dedup_options_init(&d->o);
    d->sig_fd = -1; /* before any failure: sd_dedup_free() closes them */
    sd__dedup_spill_maps_init(d);
    if (o && (rc = sd__options_take(&d->o, sizeof d->o, sizeof d->o, o, &d->err,
                                    "sd_dedup_options")) != 0)
        goto fail;
    o = &d->o;
    if ((rc = check_options(o, &d->err)) != 0)
        goto fail;
    sd__dedup_spill_maps_init(d); /* again, in tmpdir and with the limit */
    if (d->o.bands == 0)
        sd__lsh_params(o->threshold, o->num_perm, LSH_WEIGHT_FP, LSH_WEIGHT_FN, &d->o.bands,
                       &d->o.rows);
    rc = sd__pool_new(o->threads, &d->pool);
    if (rc)
        goto oom;
    nw = sd__pool_size(d->pool);
    d->tok = sd__calloc(nw, sizeof *d->tok);
    if (d->tok == NULL)
        goto oom;
    for (i = 0; i < nw; i++)
        sd__tokens_init(&d->tok[i]);
    sd__spill_init(&d->hash_runs);
    if (o->memory_limit && o->comm) {
        /* one of several processes: the arrays are file-backed instead */
        d->mapped = 1;
        if ((d->walked = sd__calloc(1, sizeof *d->walked)) == NULL)
            goto oom;
    } else if (o->memory_limit && sd__dedup_spill_init(d) != 0) {
        goto oom;
    }
    *out = d;
    return 0;
oom:
    rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory");
fail:
    sd__errbuf(&d->err, errbuf);
    sd_dedup_free(d);
    return rc;
}

void sd_dedup_free(sd_dedup *d)
{
    unsigned i;
    if (d == NULL)
        return;
    if (d->tok)
        for (i = 0; i < sd__pool_size(d->pool); i++)
            sd__tokens_release(&d->tok[i]);
    sd__free(d->tok);
    sd__oph_first_release(&d->first);
    sd__pool_free(d->pool);
    if (!d->mapped) {
        sd__free(d->sigs);
        sd__free(d->vsigs);
        sd__free(d->info);
        sd__free(d->rep);
        sd__free(d->cluster);
        sd__free(d->sim);
        sd__free(d->exact);
    }
    sd__dedup_spill_free(d);
    sd__free(d);
}

/* Sketches document i of the current batch into its slot. */
/*
 * Sketches document i of the current batch into its slots. One pass of
 * one-permutation MinHash (densified) fills 2K bins: the first K (32 bits)
 * are the signature that LSH bands; the second K are kept at 16 bits for
 * verification. The bins are exchangeable, so the first half is a K-bin
 * sketch and both halves a 2K-bin one, whose estimate has half the
 * variance. Two different 16-bit values are equal by chance once in 65,536
 * bins: at most 0.4 false matches over 256 bins against a standard
 * deviation of 7 at the threshold, nothing measurable. (Leaving the second
 * half undensified and skipping bins empty in both measured worse: precision
 * 0.988 against 0.992 on the bench corpus.)
 */

static void sketch_one(void *ctx, size_t i, unsigned worker)
{
    sd_dedup *d = ctx;
    const sd_doc *doc = &d->batch[i];
    size_t slot = d->batch_base + i - d->local_base;
    unsigned k = d->o.num_perm, j;
    uint32_t *sig = d->sigs + slot * k, bins[SD_MINHASH_MAX_BINS];
    uint16_t *vsig = d->vsigs + slot * k;
    doc_info *inf = &d->info[slot];
    sd_tokens *tok = &d->tok[worker];
    memset(inf, 0, sizeof *inf);
    if (doc->text == NULL) {
        inf->flags = DOC_ABSENT;
        sd__oph_init(sig, k);
        memset(vsig, 0xFF, k * sizeof *vsig);
        return;
    }
    inf->len = doc->len;
    inf->text_hash = XXH3_128bits(doc->text, doc->len);
    tok->n = 0;
    if (sd__tokenize(doc->text, doc->len, d->o.seed, tok) != 0) {
        d->batch_failed = 1; /* only ever set, never read-modify-write */
        sd__oph_init(sig, k);
        memset(vsig, 0xFF, k * sizeof *vsig);
        return;
    }
    if (sd__minhash_tokens(tok->v, tok->n, d->o.ngram, 2 * k, d->o.seed, bins, &d->first) == 0)
        inf->flags = DOC_EMPTY;
    memcpy(sig, bins, k * sizeof *sig);
    for (j = 0; j < k; j++)
        vsig[j] = (uint16_t)bins[k + j];
    if (d->spill && !(inf->flags & DOC_EMPTY))
        for (j = 0; j < d->o.bands; j++)
            d->bh[slot * d->o.bands + j] = sd__lsh_band_hash(sig, j, d->o.rows, d->o.seed);
}

/* Equal bins over all 2K: the K signature values and the K 16-bit ones. */
static unsigned bins_matching(const uint32_t *sa, const uint32_t *sb, const uint16_t *va,
                              const uint16_t *vb, unsigned k)
{
    unsigned j, m = sd__minhash_matches(sa, sb, k);
    for (j = 0; j < k; j++)
        m += va[j] == vb[j];
    return m;
}

unsigned sd__dedup_rec_matches(const unsigned char *a, const unsigned char *b, unsigned k)
{
    return bins_matching((const uint32_t *)(const void *)a, (const uint32_t *)(const void *)b,
                         (const uint16_t *)(const void *)(a + 4 * (size_t)k),
                         (const uint16_t *)(const void *)(b + 4 * (size_t)k), k);
}

/* Equal bins of documents a and b over all 2K bins. */
static unsigned matches_2k(const sd_dedup *d, uint64_t a, uint64_t b)
{
    unsigned k = d->o.num_perm;
    return bins_matching(d->sigs + a * k, d->sigs + b * k, d->vsigs + a * k, d->vsigs + b * k, k);
}

int sd_dedup_add(sd_dedup *d, const sd_doc *docs, size_t n)
{
    int rc;
    if (d == NULL)
        return SD_EINVAL;
    if ((rc = sd__job_begin(&d->job, &d->err, "sd_dedup_add")) != 0)
        return rc;
    if (n == 0)
        return 0;
    if (docs == NULL)
        return sd__errorf(&d->err, SD_EINVAL, "sd_dedup_add: docs NULL with %zu documents", n);
    if (d->n + n > DOC_MASK)
        return sd__errorf(&d->err, SD_ETOOBIG, "more than %llu documents",
                          (unsigned long long)DOC_MASK);
    return sd__job_end(&d->job, add_docs(d, docs, n), SD_JOB_ADDING);
}

/* Sketches a batch of documents into the job (sd_dedup_add's work). */
static int add_docs(sd_dedup *d, const sd_doc *docs, size_t n)
{
    size_t i, need;
    /* the densification table, once, before the first sketch */
    if (d->first.at == NULL && sd__oph_first_init(&d->first, 2 * d->o.num_perm, d->o.seed) != 0)
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
    /* With a limit the job stays in memory while the sketches, and what
     * finish needs per document, fit in half of it: the other half is for
     * the key buffers the job needs from the moment it goes out of core. */
    if (d->o.memory_limit && !d->spill && !d->mapped &&
        (d->n + n) * (6 * (size_t)d->o.num_perm + sizeof(doc_info) + 48) > d->o.memory_limit / 2) {
        int rc = sd__dedup_spill_begin(d);
        if (rc)
            return rc;
    }
    /* in memory the arrays hold every document; out of core, the batch */
    need = d->spill ? n : d->n + n;
    if (d->mapped && need > d->sigs_cap) {
        size_t cap = d->sigs_cap ? d->sigs_cap : 1024;
        while (cap < need)
            cap *= 2;
        if (sd_fmap_grow(&d->map[M_SIG], (uint64_t)cap * d->o.num_perm * sizeof *d->sigs) ||
            sd_fmap_grow(&d->map[M_VSIG], (uint64_t)cap * d->o.num_perm * sizeof *d->vsigs) ||
            sd_fmap_grow(&d->map[M_INFO], (uint64_t)cap * sizeof *d->info))
            return sd__errorf(&d->err, SD_EIO, "cannot grow a temporary file: %s", strerror(errno));
        d->sigs = d->map[M_SIG].base;
        d->vsigs = d->map[M_VSIG].base;
        d->info = d->map[M_INFO].base;
        d->sigs_cap = d->info_cap = cap;
    }
    if (need > d->sigs_cap) {
        size_t cap = d->sigs_cap ? d->sigs_cap : 1024;
        uint32_t *ns;
        uint16_t *nv;
        while (cap < need)
            cap *= 2;
        ns = sd__reallocarray(d->sigs, cap, (size_t)d->o.num_perm * sizeof *ns);
        if (ns == NULL)
            return sd__errorf(&d->err, SD_ENOMEM, "out of memory for %zu signatures", cap);
        d->sigs = ns;
        nv = sd__reallocarray(d->vsigs, cap, (size_t)d->o.num_perm * sizeof *nv);
        if (nv == NULL)
            return sd__errorf(&d->err, SD_ENOMEM, "out of memory for %zu signatures", cap);
        d->vsigs = nv;
        d->sigs_cap = cap;
    }
    if (SD_GROW(d->info, d->info_cap, need))
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
    if (d->spill && n > d->bh_cap) {
        uint64_t *bh = sd__reallocarray(d->bh, n, (size_t)d->o.bands * sizeof *bh);
        if (bh == NULL)
            return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
        d->bh = bh;
        d->bh_cap = n;
    }
    d->batch = docs;
    d->batch_base = d->n;
    d->local_base = d->spill ? d->n : 0;
    d->batch_failed = 0;
    sd__pool_for(d->pool, n, sketch_one, d);
    if (d->mapped)
        sd__dedup_maps_trim(d); /* the batch's sketches are in the file */
    if (d->batch_failed)
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory while tokenizing");
    if (d->spill) {
        int rc = sd__dedup_spill_add(d, n);
        if (rc)
            return rc;
    }
    for (i = 0; i < n; i++)
        if (docs[i].text)
            d->stats.bytes += docs[i].len;
    d->n += n;
    return 0;
}

/* ---- finish ---- */

typedef struct verify_ctx {
    sd_dedup *d;
    const sd_kv *pairs;
    uint8_t *ok;
    unsigned need; /* equal bins needed out of 2K */
} verify_ctx;

static void verify_one(void *ctx, size_t i, unsigned worker)
{
    verify_ctx *v = ctx;
    (void)worker;
    v->ok[i] = matches_2k(v->d, v->pairs[i].key, v->pairs[i].val) >= v->need;
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

/* Joins byte-identical texts (those with no words too); marks all but the
 * first of each group as exact and keeps them out of LSH. */
static int join_exact(sd_dedup *d, sd_uf *uf, uint8_t *skip)
{
    sd_kv *kv;
    doc_info *g = NULL;
    size_t *first = NULL, i, m = 0, gcap = 0, fcap = 0;
    int rc = SD_ENOMEM;
    kv = sd__reallocarray(NULL, d->n ? d->n : 1, sizeof *kv);
    if (kv == NULL)
        return SD_ENOMEM;
    for (i = 0; i < d->n; i++) {
        if (d->info[i].flags & DOC_ABSENT)
            continue;
        kv[m].key = d->info[i].text_hash.low64;
        kv[m].val = i;
        m++;
    }
    if (sd__kv_sort(kv, m))
        goto done;
    for (i = 0; i < m;) {
        size_t j = i + 1, x;
        while (j < m && kv[j].key == kv[i].key)
            j++;
        /* within equal low halves (in document order), the full hash and length */
        if (j - i > 1) {
            if (SD_GROW(g, gcap, j - i) || SD_GROW(first, fcap, j - i))
                goto done;
            for (x = i; x < j; x++)
                g[x - i] = d->info[kv[x].val];
            sd__dedup_exact_firsts(g, j - i, first);
            for (x = i; x < j; x++) {
                if (first[x - i] == x - i)
                    continue;
                sd__uf_union(uf, kv[i + first[x - i]].val, kv[x].val);
                skip[kv[x].val] = 1;
                d->exact[kv[x].val] = 1;
                d->stats.exact_duplicates++;
            }
        }
        i = j;
    }
    rc = 0;
done:
    sd__free(kv);
    sd__free(g);
    sd__free(first);
    return rc;
}

int sd_dedup_finish(sd_dedup *d, sd_progress_fn progress, void *ud)
{
    int rc;
    if (d == NULL)
        return SD_EINVAL;
    if ((rc = sd__job_begin(&d->job, &d->err, "sd_dedup_finish")) != 0)
        return rc;
    return sd__job_end(&d->job, finish(d, progress, ud), SD_JOB_FINISHED);
}

/* Finds, verifies and clusters the duplicates (sd_dedup_finish's work). */
static int finish(sd_dedup *d, sd_progress_fn progress, void *ud)
{
    unsigned k = d->o.num_perm, band;
    sd_uf uf = {0};
    uint8_t *skip = NULL, *ok = NULL;
    sd_kv *kv = NULL, *pairs = NULL;
    size_t npairs = 0, pcap = 0, m, i;
    long uniq;
    uint64_t next_cluster = 0;
    int rc = SD_ENOMEM;

    d->stats.docs = d->n;
    d->stats.bands = d->o.bands;
    d->stats.rows = d->o.rows;
    if (d->spill)
        return sd__dedup_spill_finish(d, progress, ud);
    if (d->o.comm)
        return sd__dedup_dist_finish(d, progress, ud);
    if (sd__uf_init(&uf, d->n))
        goto fail;
    skip = sd__calloc(d->n ? d->n : 1, 1);
    d->exact = sd__calloc(d->n ? d->n : 1, 1);
    d->rep = sd__reallocarray(NULL, d->n ? d->n : 1, sizeof *d->rep);
    d->cluster = sd__reallocarray(NULL, d->n ? d->n : 1, sizeof *d->cluster);
    d->sim = sd__reallocarray(NULL, d->n ? d->n : 1, sizeof *d->sim);
    kv = sd__reallocarray(NULL, d->n ? d->n : 1, sizeof *kv);
    if (!skip || !d->exact || !d->rep || !d->cluster || !d->sim || !kv)
        goto fail;
    for (i = 0; i < d->n; i++)
        if (d->info[i].flags & (DOC_ABSENT | DOC_EMPTY))
            skip[i] = 1;
    if (join_exact(d, &uf, skip))
        goto fail;

    /* Candidates: one sort per band keeps the working set at n pairs. */
    for (band = 0; band < d->o.bands; band++) {
        if (progress && progress(ud, "candidates", band, d->o.bands)) {
            rc = sd__errorf(&d->err, SD_ECANCELED, "canceled");
            goto fail_keep;
        }
        m = 0;
        for (i = 0; i < d->n; i++) {
            if (skip[i])
                continue;
            kv[m].key = sd__lsh_band_hash(d->sigs + i * k, band, d->o.rows, d->o.seed);
            kv[m].val = i;
            m++;
        }
        if (sd__kv_sort(kv, m) || sd__lsh_pairs(kv, m, FULL_BUCKET, &pairs, &npairs, &pcap))
            goto fail;
        /* Drop repeats as we go so pairs found in many bands cost once. */
        if (npairs > 4 * (d->n + 1024)) {
            uniq = sd__pairs_unique(pairs, npairs);
            if (uniq < 0)
                goto fail;
            npairs = (size_t)uniq;
        }
    }
    uniq = sd__pairs_unique(pairs, npairs);
    if (uniq < 0)
        goto fail;
    npairs = (size_t)uniq;
    d->stats.candidates = npairs;

    /* Verify every candidate by its estimate. */
    ok = sd__calloc(npairs ? npairs : 1, 1);
    if (ok == NULL)
        goto fail;
    {
        verify_ctx v;
        v.d = d;
        v.pairs = pairs;
        v.ok = ok;
        v.need = (unsigned)ceil(d->o.threshold * 2 * k - 1e-9);
        if (progress)
            progress(ud, "verify", 0, npairs);
        sd__pool_for(d->pool, npairs, verify_one, &v);
    }
    for (i = 0; pairs && i < npairs; i++) {
        if (ok[i]) {
            sd__uf_union(&uf, pairs[i].key, pairs[i].val);
            d->stats.verified++;
        }
    }

    /* Representatives, dense cluster numbers, similarity to the rep. */
    for (i = 0; i < d->n; i++) {
        uint64_t r;
        if (d->info[i].flags & DOC_ABSENT) {
            d->rep[i] = i;
            d->cluster[i] = UINT64_MAX;
            d->sim[i] = 0;
            d->stats.absent++;
            continue;
        }
        r = sd__uf_find(&uf, i);
        d->rep[i] = r;
        if (r == i) {
            d->cluster[i] = next_cluster++;
            d->sim[i] = 1.0f;
        } else {
            d->cluster[i] = d->cluster[r];
            d->sim[i] = d->exact[i] ? 1.0f : (float)matches_2k(d, i, r) / (float)(2 * k);
            d->stats.duplicates++;
        }
    }
    d->stats.clusters = next_cluster;
    if (progress)
        progress(ud, "cluster", d->n, d->n);
    rc = 0;
    goto done;

fail:
    sd__errorf(&d->err, SD_ENOMEM, "out of memory while clustering %zu documents", d->n);
fail_keep:
done:
    sd__uf_release(&uf);
    sd__free(skip);
    sd__free(ok);
    sd__free(kv);
    sd__free(pairs);
    return rc;
}

int sd_dedup_get(const sd_dedup *d, uint64_t index, sd_dedup_result *r)
{
    int rc;
    if (d == NULL || r == NULL)
        return SD_EINVAL;
    if ((rc = sd__job_check(&d->job, SD_JOB(SD_JOB_FINISHED), NULL, "sd_dedup_get")) != 0)
        return rc;
    if (d->o.comm) {
        const sd_share *s = &d->o.comm->share;
        if (sd_share_owner(s, index) != s->index)
            return SD_EINVAL;
        index = sd_share_local(s, index);
    }
    if (index >= d->n)
        return SD_EINVAL;
    if (d->spill) {
        sd__dedup_spill_get(d, index, r);
        return 0;
    }
    if (d->mapped) /* read in order: let go every quarter of the limit */
        sd__dedup_walked(d, 32, d->o.memory_limit / 4);
    r->absent = (d->info[index].flags & DOC_ABSENT) != 0;
    r->rep = d->rep[index];
    r->cluster = d->cluster[index];
    r->similarity = d->sim[index];
    r->exact = d->exact[index];
    return 0;
}

void sd_dedup_get_stats(const sd_dedup *d, sd_dedup_stats *s)
{
    if (s == NULL)
        return;
    if (d == NULL) {
        memset(s, 0, sizeof *s);
        return;
    }
    *s = d->stats;
    s->bands = d->o.bands;
    s->rows = d->o.rows;
    s->bytes = d->stats.bytes;
}

int sd_minhash(const char *text, size_t len, unsigned ngram, unsigned num_perm, uint64_t seed,
               uint32_t *sig, size_t *shingles)
{
    sd_tokens t;
    size_t n;
    int rc;
    if (ngram < 1 || ngram > 64 || num_perm < 1 || num_perm > SD_MINHASH_MAX_PERM || sig == NULL ||
        (text == NULL && len))
        return SD_EINVAL;
    sd__tokens_init(&t);
    rc = sd__tokenize(text ? text : "", len, seed, &t);
    if (rc) {
        sd__tokens_release(&t);
        return rc;
    }
    n = sd__minhash_tokens(t.v, t.n, ngram, num_perm, seed, sig, NULL);
    sd__tokens_release(&t);
    if (shingles)
        *shingles = n;
    return 0;
}
