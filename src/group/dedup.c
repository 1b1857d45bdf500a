/*
 * dedup.c: the whole-document near-duplicate job: its options, the
 * sketching of documents as they are added, and reading the results. The
 * finish, which finds, verifies and clusters the duplicates, is
 * dedup_finish.c.
 *
 * Each document is tokenized and sketched on the job's pool into its slots
 * of the per-document arrays (dedup_int.h): a signature of K 32-bit values,
 * K more 16-bit bins, and a 128-bit hash of its text. Memory per document:
 * 6K bytes of sketch, 32 of text hash and length, and 21 of results; under
 * a memory limit all of it is in file-backed arrays, of which a part of the
 * limit stays resident.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/spill.h"
#include "group/dedup_int.h"
#include "match/lsh.h"
#include "sketch/minhash.h"
#include "syndic.h"
#include "text/tokenize.h"

/* Weights of the S-curve areas when picking bands and rows: a missed
 * duplicate costs far more than a candidate that fails verification. */
#define LSH_WEIGHT_FP 0.05
#define LSH_WEIGHT_FN 0.95

/* Under a memory limit, what each per-document array may keep resident, in
 * 64ths of the limit. The sketches are only walked in order (records read
 * at random are read from the files, sd__dedup_record), so a little of
 * them does; the union-find parents and the cluster numbers are read at
 * random, so they keep the most. Together a quarter of the limit, which
 * leaves the rest to key buffers (a quarter for keys, a quarter for pairs)
 * and merge windows (an eighth). */
static const unsigned keep_64ths[A_COUNT] = {1, 1, 1, 2, 8, 4, 1};

static int add_docs(sd_dedup *d, const sd_doc *docs, size_t n);

/* The bytes one document takes in array a. */
static size_t entry_size(const sd_dedup *d, unsigned a)
{
    switch (a) {
    case A_SIG: return 4 * (size_t)d->o.num_perm;
    case A_VSIG: return 2 * (size_t)d->o.num_perm;
    case A_INFO: return sizeof(doc_info);
    case A_FLAGS: return 1;
    case A_SIM: return sizeof(float);
    default: return sizeof(uint64_t);
    }
}

int sd__dedup_room(sd_dedup *d, unsigned a, size_t n)
{
    size_t size = entry_size(d, a);
    if (n <= d->cap[a])
        return 0;
    if (!d->o.memory_limit) {
        /* the room past n stays untouched, so it takes no memory */
        if (sd__grow(&d->arr[a], &d->cap[a], n, size))
            return sd__errorf(&d->err, SD_ENOMEM, "out of memory for %zu documents", n);
        return 0;
    }
    if (sd_fmap_grow(&d->map[a], (uint64_t)n * size) != 0)
        return sd__errorf(&d->err, SD_EIO, "cannot grow a temporary file in %s: %s",
                          d->o.tmpdir ? d->o.tmpdir : "the temporary directory", strerror(errno));
    d->arr[a] = d->map[a].base;
    d->cap[a] = (size_t)(d->map[a].size / size);
    return 0;
}

void sd__dedup_walk(const sd_dedup *d, unsigned arrays)
{
    unsigned a;
    if (!d->o.memory_limit)
        return;
    for (a = 0; a < A_COUNT; a++)
        if (arrays & A_BIT(a))
            sd_fmap_touch(&d->mapp[a], entry_size(d, a));
}

void sd__dedup_trim(const sd_dedup *d)
{
    unsigned a;
    for (a = 0; a < A_COUNT; a++)
        if (d->map[a].size > d->map[a].keep)
            sd_fmap_trim(&d->map[a]);
}

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

/* The file-backed arrays, each with its share of the limit resident. */
static void maps_init(sd_dedup *d)
{
    unsigned a;
    for (a = 0; a < A_COUNT; a++)
        sd_fmap_init(&d->map[a], d->o.tmpdir, d->o.memory_limit / 64 * keep_64ths[a]);
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
    d->mapp = d->map;
    maps_init(d); /* before any failure: sd_dedup_free() releases them */
    if (o && (rc = sd__options_take(&d->o, sizeof d->o, sizeof d->o, o, &d->err,
                                    "sd_dedup_options")) != 0)
        goto fail;
    o = &d->o;
    if ((rc = check_options(o, &d->err)) != 0)
        goto fail;
    maps_init(d); /* again, in tmpdir and with the limit */
    d->self.share.count = 1;
    if (d->o.bands == 0)
        sd__lsh_params(o->threshold, o->num_perm, LSH_WEIGHT_FP, LSH_WEIGHT_FN, &d->o.bands,
                       &d->o.rows);
    if (sd__pool_new(o->threads, &d->pool) != 0)
        goto oom;
    nw = sd__pool_size(d->pool);
    if ((d->tok = sd__calloc(nw, sizeof *d->tok)) == NULL)
        goto oom;
    for (i = 0; i < nw; i++)
        sd__tokens_init(&d->tok[i]);
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
    for (i = A_SIG; i <= A_INFO; i++)
        sd__free(d->buf[i]);
    sd__oph_first_release(&d->first);
    sd__pool_free(d->pool);
    for (i = 0; i < A_COUNT; i++) {
        if (d->o.memory_limit)
            sd_fmap_release(&d->map[i]);
        else
            sd__free(d->arr[i]);
    }
    sd__free(d);
}

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

int sd__dedup_sketch(const sd_dedup_options *o, const sd_oph_first *first, const char *text,
                     size_t len, sd_tokens *tok, uint32_t *sig, uint16_t *vsig, doc_info *inf)
{
    unsigned k = o->num_perm, j;
    uint32_t bins[SD_MINHASH_MAX_BINS];
    sd_shingler sh;
    size_t at, cut;
    memset(inf, 0, sizeof *inf);
    if (text == NULL) {
        inf->flags = DOC_ABSENT;
        sd__oph_init(sig, k);
        memset(vsig, 0xFF, k * sizeof *vsig);
        return 0;
    }
    inf->len = len;
    inf->text_hash = XXH3_128bits(text, len);
    /* a piece at a time: a 60 MB record needs no 160 MB of tokens */
    sd__shingler_init(&sh, o->ngram, 2 * k, o->seed, bins);
    for (at = 0; at < len; at = cut) {
        cut = sd__token_piece_end(text, len, at);
        tok->n = 0;
        if (sd__tokenize(text + at, cut - at, o->seed, tok) != 0) {
            sd__oph_init(sig, k);
            memset(vsig, 0xFF, k * sizeof *vsig);
            return SD_ENOMEM;
        }
        sd__shingler_add(&sh, tok->v, tok->n);
    }
    if (sd__shingler_finish(&sh, o->seed, first) == 0)
        inf->flags = DOC_EMPTY;
    memcpy(sig, bins, k * sizeof *sig);
    for (j = 0; j < k; j++)
        vsig[j] = (uint16_t)bins[k + j];
    return 0;
}

static void sketch_one(void *ctx, size_t i, unsigned worker)
{
    sd_dedup *d = ctx;
    const sd_doc *doc = &d->batch[i];
    unsigned k = d->o.num_perm;
    uint32_t *sig = (uint32_t *)d->out[A_SIG] + i * k;
    uint16_t *vsig = (uint16_t *)d->out[A_VSIG] + i * k;
    doc_info *inf = (doc_info *)d->out[A_INFO] + i;
    if (sd__dedup_sketch(&d->o, &d->first, doc->text, doc->len, &d->tok[worker], sig, vsig, inf))
        d->batch_failed = 1; /* only ever set, never read-modify-write */
}

unsigned sd__dedup_matches(unsigned k, const uint32_t *sa, const uint16_t *va, const uint32_t *sb,
                           const uint16_t *vb)
{
    unsigned j, m = sd__minhash_matches(sa, sb, k);
    for (j = 0; j < k; j++)
        m += va[j] == vb[j];
    return m;
}

int sd__dedup_record(const sd_dedup *d, size_t i, unsigned char *buf, const uint32_t **sig,
                     const uint16_t **vsig)
{
    size_t s = entry_size(d, A_SIG), v = entry_size(d, A_VSIG);
    int rc;
    if (!d->o.memory_limit) {
        *sig = sig_of(d) + i * d->o.num_perm;
        *vsig = vsig_of(d) + i * d->o.num_perm;
        return 0;
    }
    if ((rc = sd__pread_full(d->map[A_SIG].fd, buf, s, (uint64_t)i * s, NULL)) != 0 ||
        (rc = sd__pread_full(d->map[A_VSIG].fd, buf + s, v, (uint64_t)i * v, NULL)) != 0)
        return rc;
    *sig = (const uint32_t *)(const void *)buf;
    *vsig = (const uint16_t *)(const void *)(buf + s);
    return 0;
}

int sd__dedup_record_to(const sd_dedup *d, size_t i, unsigned char *dst)
{
    const uint32_t *sig;
    const uint16_t *vsig;
    size_t s = entry_size(d, A_SIG);
    int rc = sd__dedup_record(d, i, dst, &sig, &vsig);
    if (rc == 0 && (const void *)sig != (const void *)dst) {
        memcpy(dst, sig, s);
        memcpy(dst + s, vsig, entry_size(d, A_VSIG));
    }
    return rc;
}

int sd__dedup_info(const sd_dedup *d, size_t i, doc_info *out)
{
    if (!d->o.memory_limit) {
        *out = info_of(d)[i];
        return 0;
    }
    return sd__pread_full(d->map[A_INFO].fd, out, sizeof *out, (uint64_t)i * sizeof *out, NULL);
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
    size_t i;
    unsigned a;
    int rc;
    /* the densification table, once, before the sketches of the batch
     * that brings the job to SD_OPH_FIRST_DOCS documents: a job of a few
     * documents (one run per pair) does not wait for it, and densifies
     * its short texts by hashing, to the same signatures */
    if (d->first.at == NULL && d->n + n >= SD_OPH_FIRST_DOCS &&
        sd__oph_first_init(&d->first, 2 * d->o.num_perm, d->o.seed) != 0)
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
    if ((rc = sd__dedup_room(d, A_SIG, d->n + n)) != 0 ||
        (rc = sd__dedup_room(d, A_VSIG, d->n + n)) != 0 ||
        (rc = sd__dedup_room(d, A_INFO, d->n + n)) != 0)
        return rc;
    /* in memory, the sketches go to their slots; under a limit, to the
     * batch's buffers, then to the files */
    for (a = A_SIG; a <= A_INFO; a++)
        d->out[a] = d->o.memory_limit ? NULL : (char *)d->arr[a] + d->n * entry_size(d, a);
    for (a = A_SIG; d->o.memory_limit && n > d->buf_cap && a <= A_INFO; a++) {
        void *p = sd__reallocarray(d->buf[a], n, entry_size(d, a));
        if (p == NULL)
            return sd__errorf(&d->err, SD_ENOMEM, "out of memory for %zu sketches", n);
        d->buf[a] = p;
    }
    if (n > d->buf_cap && d->o.memory_limit)
        d->buf_cap = n;
    for (a = A_SIG; d->o.memory_limit && a <= A_INFO; a++)
        d->out[a] = d->buf[a];
    d->batch = docs;
    d->batch_failed = 0;
    sd__pool_for(d->pool, n, sketch_one, d);
    d->batch = NULL;
    if (d->batch_failed)
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory while tokenizing");
    for (a = A_SIG; d->o.memory_limit && a <= A_INFO; a++) {
        size_t size = entry_size(d, a);
        if ((rc = sd__pwrite_full(d->map[a].fd, d->buf[a], n * size, (uint64_t)d->n * size,
                                  &d->err)) != 0)
            return rc;
        d->stats.spilled += n * size;
    }
    for (i = 0; i < n; i++)
        if (docs[i].text)
            d->stats.bytes += docs[i].len;
    d->n += n;
    return 0;
}

int sd_dedup_finish(sd_dedup *d, sd_progress_fn progress, void *ud)
{
    int rc;
    if (d == NULL)
        return SD_EINVAL;
    if ((rc = sd__job_begin(&d->job, &d->err, "sd_dedup_finish")) != 0)
        return rc;
    return sd__job_end(&d->job, sd__dedup_finish(d, progress, ud), SD_JOB_FINISHED);
}

/* Results are read in input order, 22 bytes a document. */
int sd_dedup_get(const sd_dedup *d, uint64_t index, sd_dedup_result *r)
{
    size_t i;
    uint8_t fl;
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
    i = (size_t)index;
    fl = flags_of(d)[i];
    if (d->o.memory_limit) {
        unsigned a;
        for (a = A_FLAGS; a < A_COUNT; a++)
            sd_fmap_touch(&d->mapp[a], entry_size(d, a));
    }
    r->absent = (fl & DOC_ABSENT) != 0;
    r->exact = (fl & DOC_EXACT) != 0;
    r->rep = rep_of(d)[i];
    r->cluster = cluster_of(d)[i];
    r->similarity = sim_of(d)[i];
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
