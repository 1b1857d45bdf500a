/*
 * trace.c: the passage-reuse job.
 *
 *   add      each document is tokenized (spelling and honorifics folded) on
 *            the pool, its tokens kept as (32-bit hash, byte start, byte end)
 *            and winnowed into fingerprints;
 *   finish   1. sd__candidates sorts the postings, drops fingerprints found in
 *               more than max_df documents and makes anchors per pair;
 *            2. each candidate pair is aligned on the pool into its own slot;
 *            3. the passages are gathered in pair order, their token ranges
 *               turned into byte ranges;
 *            4. story.c clusters their spans into stories.
 *
 * Every step writes to slots fixed by document or pair, and every grouping
 * is a sort, so the result does not depend on the thread count.
 * Memory per document: its text and 12 bytes per token (in per-worker
 * arenas), 16 bytes per fingerprint.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/keysort.h"
#include "base/spill.h"
#include "group/trace_int.h"
#include "match/passages.h"

#define CHUNK_MIN ((size_t)1 << 20)
#define CHUNK_MAX ((size_t)64 << 20)
#define HUGE_PAGE ((size_t)2 << 20)

/* A chunk of a worker's arena; the usable bytes follow the header, or,
 * under a memory limit, are a mapping of the arena's file. */
typedef struct sd_chunk {
    struct sd_chunk *next;
    char *base;
    size_t used, cap;
    int mapped;
} sd_chunk;

/*
 * Bump allocation of a document's text copy and token arrays from its
 * worker's chunks, which double in size up to CHUNK_MAX. Chunks of 4 MiB and
 * more are aligned to 2 MiB and offered to transparent huge pages: the job
 * touches about 13 bytes per byte of text once, and on virtual machines the
 * page faults of small pages cost more than the tokenizing. Everything is
 * released with the job. Returns NULL when out of memory.
 */
/*
 * Under a memory limit the chunks are pages of an unnamed temporary file,
 * mapped shared: sd__trace_trim() drops them from the process (the file
 * keeps them, and the kernel writes them out as it needs the memory), and
 * a later touch maps them back.
 */
static sd_chunk *mapped_chunk(sd_arena *a, size_t size)
{
    sd_chunk *c = sd__malloc(sizeof *c);
    void *p;
    if (c == NULL)
        return NULL;
    /* blocks reserved now: a full disk fails here, not as a SIGBUS later */
    if (posix_fallocate(a->fd, (off_t)a->flen, (off_t)size) != 0 ||
        (p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, a->fd, (off_t)a->flen)) ==
            MAP_FAILED) {
        sd__free(c);
        return NULL;
    }
    a->flen += size;
    c->base = p;
    c->used = 0;
    c->cap = size;
    c->mapped = 1;
    c->next = a->head;
    a->head = c;
    return c;
}

static void *arena_alloc(sd_arena *a, size_t n)
{
    sd_chunk *c = a->head;
    n = (n + 15) & ~(size_t)15;
    if (!c || c->cap - c->used < n) {
        size_t size = a->next ? a->next : CHUNK_MIN, extra;
        char *raw;
        while (size < n)
            size *= 2;
        a->next = size * 2 < CHUNK_MAX ? size * 2 : CHUNK_MAX;
        if (a->fd >= 0) {
            if ((c = mapped_chunk(a, size)) == NULL)
                return NULL;
            c->used = n;
            return c->base;
        }
        extra = size >= 2 * HUGE_PAGE ? HUGE_PAGE : 16;
        raw = sd__malloc(sizeof *c + size + extra);
        if (!raw)
            return NULL;
        c = (sd_chunk *)(void *)raw;
        c->base = (char *)(((uintptr_t)(raw + sizeof *c) + extra - 1) & ~(uintptr_t)(extra - 1));
        c->used = 0;
        c->cap = size;
        c->mapped = 0;
        if (extra == HUGE_PAGE)
            (void)madvise(c->base, size & ~(HUGE_PAGE - 1), MADV_HUGEPAGE);
        c->next = a->head;
        a->head = c;
    }
    c->used += n;
    return c->base + c->used - n;
}

static void arena_release(sd_arena *a)
{
    sd_chunk *c = a->head;
    while (c) {
        sd_chunk *next = c->next;
        if (c->mapped)
            munmap(c->base, c->cap);
        sd__free(c);
        c = next;
    }
    a->head = NULL;
    a->next = 0;
    if (a->fd >= 0 && ftruncate(a->fd, 0) == 0)
        a->flen = 0;
}

void sd__trace_trim(sd_trace *t)
{
    unsigned i;
    sd_chunk *c;
    if (!t->o.memory_limit)
        return;
    for (i = 0; i < sd__pool_size(t->pool); i++)
        for (c = t->arena[i].head; c; c = c->next)
            if (c->mapped)
                (void)madvise(c->base, c->cap, MADV_DONTNEED);
    for (i = 0; i < 4; i++)
        sd_fmap_trim(&t->pmap[i]);
    sd_fmap_trim(&t->dmap);
}

/*
 * Room for `need` elements of `size` at *p, *cap of them held: grown in
 * memory (SD_GROW), or under a memory limit in the file-backed array m,
 * whose pages go at each sd__trace_trim(). Returns 0, SD_ENOMEM or SD_EIO.
 */
static int grow_room(const sd_trace *t, void **p, size_t *cap, sd_fmap *m, size_t need, size_t size)
{
    if (!t->o.memory_limit)
        return sd__grow(p, cap, need, size);
    if (sd_fmap_grow(m, (uint64_t)(need ? need : 1) * size) != 0)
        return SD_EIO;
    *p = m->base;
    *cap = (size_t)(m->size / size);
    return 0;
}

int sd__trace_docs_room(sd_trace *t, size_t n)
{
    int rc = grow_room(t, (void **)&t->docs, &t->cap, &t->dmap, n, sizeof *t->docs);
    if (rc == SD_ENOMEM)
        return sd__errorf(&t->err, rc, "out of memory for %zu documents", n);
    if (rc)
        return sd__errorf(&t->err, rc, "cannot grow a temporary file: %s", strerror(errno));
    return 0;
}

/* Pairs aligned a chunk at a time: under a memory limit, one per 2 MiB of
 * it, 16 to 256. */
static size_t chunk_pairs(const sd_trace *t)
{
    uint64_t n = t->o.memory_limit >> 21;
    if (!t->o.memory_limit)
        return 4096;
    return n < 16 ? 16 : n > 256 ? 256 : (size_t)n;
}

/* Room for np passages and ne of their edits (grow_room); t->pcaps[]
 * counts the elements held. */
static int grow_passages(sd_trace *t, size_t np, size_t ne)
{
    size_t *caps = t->pcaps;
    int rc;
    if ((rc = grow_room(t, (void **)&t->tp, &caps[0], &t->pmap[0], np, sizeof *t->tp)) ||
        (rc = grow_room(t, (void **)&t->pass, &caps[1], &t->pmap[1], np, sizeof *t->pass)) ||
        (rc = grow_room(t, (void **)&t->tedit, &caps[2], &t->pmap[2], ne, sizeof *t->tedit)))
        return rc;
    return grow_room(t, (void **)&t->changes, &caps[3], &t->pmap[3], ne, sizeof *t->changes);
}

int sd__trace_add_passages(sd_trace *t, uint32_t a, uint32_t b, const sd_tpassages *out,
                           uint64_t story)
{
    const sd_tdoc *da = &t->docs[a], *db = &t->docs[b];
    size_t j, e;
    int rc;
    if ((rc = grow_passages(t, t->npass + out->n + 1, t->nedits + out->ne + 1)) != 0)
        return rc;
    for (j = 0; j < out->n; j++) {
        const sd_tpass *ps = &out->v[j];
        sd_passage *pp = &t->pass[t->npass];
        sd_tp *tp = &t->tp[t->npass];
        memset(pp, 0, sizeof *pp);
        tp->da = a;
        tp->db = b;
        tp->p = *ps;
        tp->p.edit0 = t->nedits;
        pp->doc_a = a;
        pp->doc_b = b;
        pp->a = sd__trace_bytes(da, ps->a0, ps->a1);
        pp->b = sd__trace_bytes(db, ps->b0, ps->b1);
        pp->tokens_a = ps->a1 - ps->a0;
        pp->tokens_b = ps->b1 - ps->b0;
        pp->columns = ps->cols;
        pp->equal = ps->equal;
        pp->identity = ps->cols ? (double)ps->equal / (double)ps->cols : 1.0;
        pp->story = story;
        pp->n_changes = ps->nedit;
        for (e = 0; e < ps->nedit; e++) {
            const sd_tedit *te = &out->e[ps->edit0 + e];
            t->tedit[t->nedits + e] = *te;
            t->changes[t->nedits + e].a = sd__trace_bytes(da, te->a0, te->a1);
            t->changes[t->nedits + e].b = sd__trace_bytes(db, te->b0, te->b1);
        }
        t->nedits += ps->nedit;
        t->npass++;
    }
    return 0;
}

void sd__trace_fix_changes(sd_trace *t)
{
    size_t q;
    for (q = 0; q < t->npass; q++)
        t->pass[q].changes = t->changes + t->tp[q].p.edit0;
}

static int finish(sd_trace *t, sd_progress_fn progress, void *ud);

void sd_trace_options_init(sd_trace_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->min_passage = 30;
    o->min_identity = 0.5;
}

const char *sd_role_name(sd_role r)
{
    switch (r) {
    case SD_ROLE_FULL: return "full";
    case SD_ROLE_TRUNCATED: return "truncated";
    case SD_ROLE_EXTENDED: return "extended";
    case SD_ROLE_EXCERPT: return "excerpt";
    case SD_ROLE_REWRITE: return "rewrite";
    }
    return "unknown";
}

int sd_trace_new(const sd_trace_options *o, sd_trace **out, char *errbuf)
{
    sd_trace *t;
    unsigned i;
    int rc;
    if (!out)
        return SD_EINVAL;
    *out = NULL;
    if ((t = sd__calloc(1, sizeof *t)) == NULL)
        return sd__errbuf_nomem(errbuf);
    sd_trace_options_init(&t->o);
    if (o && (rc = sd__options_take(&t->o, sizeof t->o, sizeof t->o, o, &t->err,
                                    "sd_trace_options")) != 0) {
        sd__errbuf(&t->err, errbuf);
        sd__free(t);
        return rc;
    }
    o = &t->o;
    if (o->min_passage < 4 || o->min_passage > 100000 || !(o->min_identity >= 0.0) ||
        o->min_identity > 1.0) {
        rc = sd__errorf(&t->err, SD_EINVAL,
                        "min_passage must be from 4 to 100000 (not %u) and min_identity from 0 "
                        "to 1 (not %g)",
                        o->min_passage, o->min_identity);
        sd__errbuf(&t->err, errbuf);
        sd__free(t);
        return rc;
    }
    for (i = 0; i < 4; i++)
        sd_fmap_init(&t->pmap[i], o->tmpdir, 0);
    sd_fmap_init(&t->dmap, o->tmpdir, 0);
    if (t->o.max_gap == 0)
        t->o.max_gap = t->o.min_passage / 2 + 4;
    sd__winnow_params(t->o.min_passage, &t->k, &t->w);
    t->tokflags = o->exact ? 0u : (SD_TOK_FOLD_SPELLING | SD_TOK_DROP_HONORIFICS);
    if (!o->all_text && sd__prose_lex_init(&t->lex, t->o.seed, t->tokflags) != 0)
        goto fail;
    if (sd__pool_new(o->threads, &t->pool) != 0)
        goto fail;
    t->tok = sd__calloc(sd__pool_size(t->pool), sizeof *t->tok);
    t->arena = sd__calloc(sd__pool_size(t->pool), sizeof *t->arena);
    if (!t->tok || !t->arena)
        goto fail;
    for (i = 0; i < sd__pool_size(t->pool); i++) {
        sd__tokens_init(&t->tok[i]);
        t->arena[i].fd = -1;
    }
    for (i = 0; t->o.memory_limit && i < sd__pool_size(t->pool); i++)
        if ((t->arena[i].fd = sd__tmpfd(t->o.tmpdir, &t->err)) < 0) {
            rc = sd__errbuf(&t->err, errbuf);
            sd_trace_free(t);
            return rc;
        }
    t->stats.k = t->k;
    t->stats.w = t->w;
    *out = t;
    return 0;
fail:
    sd__errorf(&t->err, SD_ENOMEM, "out of memory");
    sd__errbuf(&t->err, errbuf);
    sd_trace_free(t);
    return SD_ENOMEM;
}

void sd_trace_release_pages(sd_trace *t)
{
    if (t)
        sd__trace_trim(t);
}

/*
 * Marks which of document d's tokens are article prose and where its
 * sentences end (text/prose.h), in bits kept in the arena; with all_text,
 * every token is prose and no sentence is counted. Returns 0 or SD_ENOMEM.
 */
static int mark_doc(const sd_trace *t, sd_arena *a, sd_tdoc *d)
{
    size_t words = SD_PROSE_WORDS(d->n);
    if (d->n == 0)
        return 0;
    if ((d->art = arena_alloc(a, 2 * words * sizeof *d->art)) == NULL)
        return SD_ENOMEM;
    d->ends = d->art + words;
    if (t->o.all_text) {
        memset(d->art, 0xFF, words * sizeof *d->art);
        memset(d->ends, 0, words * sizeof *d->ends);
        d->pflags = 0;
        return 0;
    }
    return sd__prose_mark(&t->lex, d->text, d->len, d->h, d->off, d->end, d->n, t->o.min_passage,
                          d->art, d->ends, &d->pflags);
}

/* Keeps, of fp[0..n), the fingerprints whose k tokens are all article
 * prose (site furniture never starts a passage); returns how many. */
static size_t article_fps(const sd_tdoc *d, sd_fp *fp, size_t n, unsigned k)
{
    size_t i, o = 0;
    for (i = 0; i < n; i++)
        if (sd__bits_count(d->art, fp[i].pos, fp[i].pos + k) == k)
            fp[o++] = fp[i];
    return o;
}

/*
 * Tokenizes src's text into d (h, off, end in the arena) and winnows it
 * (fingerprints in *fp). A text longer than sd__token_piece is tokenized a
 * piece at a time, twice (counting, then filling), so a 60 MB record never
 * holds its 16-byte tokens whole: the arena's 12 bytes a token are all.
 */
static int tokenize_doc(const sd_trace *t, const sd_trace_doc *src, sd_tokens *tk, sd_fp **fp,
                        size_t *nfp, size_t *cap, sd_arena *a, sd_tdoc *d)
{
    const char *text = src->text;
    size_t len = src->len, at, cut, ntok = 0, j, n = 0;
    int whole = len <= sd__token_piece, rc;
    sd_winnower z;
    if (whole) {
        tk->n = 0;
        if ((rc = sd__tokenize_ex(text, len, t->o.seed, t->tokflags, tk)) != 0)
            return rc;
        ntok = tk->n;
    } else {
        for (at = 0; at < len; at = cut) {
            cut = sd__token_piece_end(text, len, at);
            tk->n = 0;
            if ((rc = sd__tokenize_ex(text + at, cut - at, t->o.seed, t->tokflags, tk)) != 0)
                return rc;
            ntok += tk->n;
        }
    }
    if (ntok == 0)
        return 0;
    if ((d->h = arena_alloc(a, ntok * 3 * sizeof(uint32_t))) == NULL)
        return SD_ENOMEM;
    d->off = d->h + ntok;
    d->end = d->off + ntok;
    d->n = ntok;
    if ((rc = sd__winnower_init(&z, t->k, t->w)) != 0)
        return rc;
    for (at = 0; at < len && rc == 0; at = cut) {
        cut = sd__token_piece_end(text, len, at);
        if (!whole) {
            tk->n = 0;
            if ((rc = sd__tokenize_ex(text + at, cut - at, t->o.seed, t->tokflags, tk)) != 0)
                break;
        }
        for (j = 0; j < tk->n && n < ntok; j++, n++) {
            d->h[n] = (uint32_t)(tk->v[j].hash ^ (tk->v[j].hash >> 32));
            d->off[n] = (uint32_t)at + tk->v[j].off;
            d->end[n] = d->off[n] + tk->v[j].len;
        }
        rc = sd__winnower_add(&z, tk->v, tk->n, fp, nfp, cap);
    }
    if (rc == 0)
        rc = sd__winnower_finish(&z, fp, nfp, cap);
    sd__winnower_release(&z);
    return rc;
}

/* Prepares document base + i of the current batch: copies, tokenizes and
 * winnows it. Failures are kept in the document's rc. */
static void prepare_one(void *ctx, size_t i, unsigned worker)
{
    sd_trace *t = ctx;
    const sd_trace_doc *src = &t->batch[i];
    sd_tdoc *d = &t->docs[t->base + i];
    sd_tokens *tk = &t->tok[worker];
    size_t cap = 0;
    int rc;

    memset(d, 0, sizeof *d);
    d->site = sd__trace_site(src->url, src->url_len);
    if (src->date && src->date_len) {
        d->date = sd__strndup(src->date, src->date_len);
        if (!d->date) {
            d->rc = SD_ENOMEM;
            return;
        }
        d->date_len = src->date_len;
    }
    if (!src->text) {
        d->absent = 1;
        return;
    }
    if (src->len >= UINT32_MAX) {
        d->rc = SD_ETOOBIG;
        return;
    }
    d->text = arena_alloc(&t->arena[worker], src->len + 1);
    if (!d->text) {
        d->rc = SD_ENOMEM;
        return;
    }
    memcpy(d->text, src->text, src->len);
    d->text[src->len] = 0;
    d->len = src->len;
    if ((rc = tokenize_doc(t, src, tk, &d->fp, &d->nfp, &cap, &t->arena[worker], d)) != 0 ||
        (rc = mark_doc(t, &t->arena[worker], d)) != 0) {
        d->rc = rc;
        return;
    }
    d->nfp = article_fps(d, d->fp, d->nfp, t->k);
    if (t->o.memory_limit && d->nfp) {
        /* the fingerprints join the text in the file-backed store */
        sd_fp *fp = arena_alloc(&t->arena[worker], d->nfp * sizeof *fp);
        if (!fp) {
            d->rc = SD_ENOMEM;
            return;
        }
        memcpy(fp, d->fp, d->nfp * sizeof *fp);
        sd__free(d->fp);
        d->fp = fp;
        d->fp_in_arena = 1;
    }
}

/* Frees what one document holds outside the arenas. */
static void release_doc(sd_tdoc *d)
{
    if (!d->fp_in_arena)
        sd__free(d->fp);
    sd__free(d->date);
    memset(d, 0, sizeof *d);
}

int sd_trace_add(sd_trace *t, const sd_trace_doc *docs, size_t n)
{
    int rc;
    if (!t)
        return SD_EINVAL;
    if ((rc = sd__job_begin(&t->job, &t->err, "sd_trace_add")) != 0)
        return rc;
    if (!docs && n)
        return sd__errorf(&t->err, SD_EINVAL, "sd_trace_add: docs NULL with %zu documents", n);
    return sd__job_end(&t->job, sd__trace_add_docs(t, docs, n), SD_JOB_ADDING);
}

void sd__trace_drop_docs(sd_trace *t)
{
    size_t i;
    for (i = 0; i < t->n; i++)
        release_doc(&t->docs[i]);
    for (i = 0; i < sd__pool_size(t->pool); i++)
        arena_release(&t->arena[i]);
    t->n = 0;
    t->stats.docs = t->stats.absent = t->stats.bytes = t->stats.tokens = 0;
    t->stats.fingerprints = 0;
}

/* Frees the stories and what they point into. */
static void free_stories(sd_trace *t)
{
    sd__free(t->stories);
    sd__free(t->members);
    sd__free(t->ranges);
    sd__free(t->doc_story);
    sd__free(t->doc_story_at);
    t->stories = NULL;
    t->members = NULL;
    t->ranges = NULL;
    t->doc_story = NULL;
    t->doc_story_at = NULL;
    t->nstories = 0;
}

void sd__trace_reset(sd_trace *t)
{
    sd__trace_drop_docs(t);
    t->npass = t->nedits = 0;
    free_stories(t);
    t->stats.passages = t->stats.stories = t->stats.site_passages = t->stats.pairs = 0;
    t->job.state = SD_JOB_NEW;
    t->job.failure = 0;
}

int sd__trace_put_doc(sd_trace *t, size_t i, const sd_trace_doc *src, size_t ntok,
                      const uint32_t *tok, const sd_tmarks *marks)
{
    sd_tdoc *d = &t->docs[i];
    int rc;
    memset(d, 0, sizeof *d);
    d->site = sd__trace_site(src->url, src->url_len);
    if (src->date && src->date_len) {
        if ((d->date = sd__strndup(src->date, src->date_len)) == NULL)
            return SD_ENOMEM;
        d->date_len = src->date_len;
    }
    if (!src->text) {
        d->absent = 1;
        t->stats.absent++;
        return 0;
    }
    if ((d->text = arena_alloc(&t->arena[0], src->len + 1)) == NULL)
        return SD_ENOMEM;
    memcpy(d->text, src->text, src->len);
    d->text[src->len] = 0;
    d->len = src->len;
    if (ntok) {
        if ((d->h = arena_alloc(&t->arena[0], ntok * 3 * sizeof(uint32_t))) == NULL)
            return SD_ENOMEM;
        memcpy(d->h, tok, ntok * 3 * sizeof(uint32_t));
        d->off = d->h + ntok;
        d->end = d->off + ntok;
        d->n = ntok;
        if (marks) {
            size_t words = SD_PROSE_WORDS(ntok);
            if ((d->art = arena_alloc(&t->arena[0], 2 * words * sizeof *d->art)) == NULL)
                return SD_ENOMEM;
            d->ends = d->art + words;
            memcpy(d->art, marks->art, words * sizeof *d->art);
            memcpy(d->ends, marks->ends, words * sizeof *d->ends);
            d->pflags = marks->pflags;
        } else if ((rc = mark_doc(t, &t->arena[0], d)) != 0) {
            return rc;
        }
    }
    t->stats.bytes += d->len;
    t->stats.tokens += d->n;
    return 0;
}

int sd__trace_add_docs(sd_trace *t, const sd_trace_doc *docs, size_t n)
{
    size_t i;
    int rc = 0;
    if (n == 0)
        return 0;
    if ((rc = sd__trace_docs_room(t, t->n + n)) != 0)
        return rc;
    t->batch = docs;
    t->base = t->n;
    sd__pool_for(t->pool, n, prepare_one, t);
    t->batch = NULL;
    sd__trace_trim(t);
    for (i = 0; i < n; i++) {
        sd_tdoc *d = &t->docs[t->base + i];
        if (d->rc && !rc)
            rc = sd__errorf(&t->err, d->rc, "document %zu: %s", t->base + i, sd_strerror(d->rc));
        t->stats.absent += (uint64_t)d->absent;
        t->stats.bytes += d->len;
        t->stats.tokens += d->n;
        t->stats.fingerprints += d->nfp;
    }
    t->n += n;
    t->stats.docs = t->n;
    if (rc) {
        for (i = t->base; i < t->n; i++)
            release_doc(&t->docs[i]);
        t->n = t->base;
        t->stats.docs = t->n;
    }
    return rc;
}

sd_range sd__trace_bytes(const sd_tdoc *d, uint32_t t0, uint32_t t1)
{
    sd_range r;
    if (t1 > t0) {
        r.start = d->off[t0];
        r.end = d->end[t1 - 1];
    } else {
        r.start = t0 < d->n ? d->off[t0] : (d->n ? d->end[d->n - 1] : 0);
        r.end = r.start;
    }
    return r;
}

/* The alignment stage's shared state: one slot per candidate pair. */
typedef struct align_ctx {
    sd_trace *t;
    const sd_kv *anc;
    const size_t *pair_at; /* anchors of pair i: anc[pair_at[i] .. pair_at[i+1]) */
    sd_tpassages *out;     /* per pair */
    sd_aligner *al;        /* per worker */
    int *rc;               /* per pair */
} align_ctx;

/* Whether tokens [t0, t1) of d, a text with sentence punctuation, hold
 * fewer than two sentence ends, unless they are written in a script the
 * function-word lists do not cover (Thai and Lao write no sentence
 * punctuation; sampled first bytes tell). */
static int too_few_sentences(const sd_tdoc *d, uint32_t t0, uint32_t t1)
{
    size_t i, step, latin = 0, seen = 0;
    if (!(d->pflags & SD_PROSE_PUNCT) || sd__bits_count(d->ends, t0, t1) >= 2)
        return 0;
    step = (t1 - t0) / 32 + 1;
    for (i = t0; i < t1; i += step, seen++)
        latin += (unsigned char)d->text[d->off[i]] < 0xD5;
    return 2 * latin >= seen;
}

/* A passage shorter than two sentences (a headline and the sentence of a
 * teaser, a caption) links nothing: where a text has sentence
 * punctuation, its side of a passage must hold two sentence ends. Drops
 * the passages of `out` that do not (their edits stay unused). */
static void keep_sentences(const sd_tdoc *da, const sd_tdoc *db, sd_tpassages *out)
{
    size_t i, o = 0;
    for (i = 0; i < out->n; i++) {
        const sd_tpass *ps = &out->v[i];
        if (too_few_sentences(da, ps->a0, ps->a1) || too_few_sentences(db, ps->b0, ps->b1))
            continue;
        out->v[o++] = *ps;
    }
    out->n = o;
}

int sd__trace_align_pair(const sd_trace *t, sd_aligner *al, uint32_t a, uint32_t b,
                         const uint64_t *anch, size_t n, sd_tpassages *out)
{
    const sd_tdoc *da = &t->docs[a], *db = &t->docs[b];
    sd_tseq sa = {da->h, da->off, da->end, da->n, da->art},
            sb = {db->h, db->off, db->end, db->n, db->art};
    sd_align_params p;
    int rc;
    p.k = t->k;
    p.min_passage = t->o.min_passage;
    p.max_gap = t->o.max_gap;
    p.min_identity = t->o.min_identity;
    p.cut = t->o.all_text ? 0 : t->o.min_passage;
    if ((rc = sd__align(al, &sa, &sb, anch, n, &p, out)) == 0)
        keep_sentences(da, db, out);
    return rc;
}

/* Aligns candidate pair i into its own slot. */
static void align_one(void *ctx, size_t i, unsigned worker)
{
    align_ctx *c = ctx;
    const sd_kv *g = c->anc + c->pair_at[i];
    size_t n = c->pair_at[i + 1] - c->pair_at[i], j;
    uint64_t *anch = sd__reallocarray(NULL, n, sizeof *anch);
    if (!anch) {
        c->rc[i] = SD_ENOMEM;
        return;
    }
    for (j = 0; j < n; j++)
        anch[j] = g[j].val;
    c->rc[i] = sd__trace_align_pair(c->t, &c->al[worker], (uint32_t)(g[0].key >> 32),
                                    (uint32_t)g[0].key, anch, n, &c->out[i]);
    sd__free(anch);
}

/* Where the candidate pairs come from, in (pair, anchor) order: anchors
 * in memory, or (under a memory limit) a merge of spilled runs with the
 * sorted rest in memory. */
typedef struct pair_src {
    const sd_kv *anc;
    size_t nanc, pos;
    sd_merge *m;
    sd_kv next;
    int more;
} pair_src;

static int src_peek(pair_src *s, sd_kv *out)
{
    if (s->m) {
        if (s->more > 0)
            *out = s->next;
        return s->more;
    }
    if (s->pos == s->nanc)
        return 0;
    *out = s->anc[s->pos];
    return 1;
}

static int src_advance(pair_src *s)
{
    if (s->m)
        return s->more = sd__merge_next(s->m, &s->next);
    s->pos++;
    return s->pos < s->nanc;
}

/*
 * The next pairs, at most `max`, with their anchors: ca[0..*na) and
 * pat[0..npairs] (pair i's anchors are ca[pat[i] .. pat[i+1])). Returns the
 * number of pairs, 0 at the end, or a negative code.
 */
static long next_pairs(pair_src *s, size_t max, sd_kv **ca, size_t *ccap, size_t *na, size_t **pat,
                       size_t *pcap)
{
    size_t np = 0;
    sd_kv e;
    int more = src_peek(s, &e);
    *na = 0;
    while (more > 0 && np < max) {
        uint64_t key = e.key;
        if (SD_GROW(*pat, *pcap, np + 2))
            return SD_ENOMEM;
        (*pat)[np++] = *na;
        do {
            if (SD_GROW(*ca, *ccap, *na + 1))
                return SD_ENOMEM;
            (*ca)[(*na)++] = e;
            if ((more = src_advance(s)) > 0)
                more = src_peek(s, &e);
        } while (more > 0 && e.key == key);
    }
    if (more < 0)
        return more;
    if (np)
        (*pat)[np] = *na;
    return (long)np;
}

/* Steps 1 to 3 of finish: candidates, alignment, gathering. With `given`,
 * the candidates are its anchors (taken over) and *cs_in, found by the
 * processes together. */
static int find_passages(sd_trace *t, sd_progress_fn progress, void *ud, sd_keybuf *given,
                         const sd_cand_stats *cs_in)
{
    const sd_fp **fps = NULL;
    size_t *nfp = NULL, nanc = 0, npair = 0, i, expect = 0;
    size_t *pair_at = NULL, pcap = 0, ccap = 0, na, okeys = 0;
    sd_kv *anc = NULL, *chunk = NULL;
    sd_cand_stats cs;
    sd_keybuf kb;
    pair_src src;
    align_ctx c;
    unsigned nw = sd__pool_size(t->pool);
    int rc = 0;
    long got;

    memset(&c, 0, sizeof c);
    memset(&src, 0, sizeof src);
    sd__keybuf_init(&kb, t);
    if (given) {
        kb = *given;
        sd__keybuf_init(given, t); /* taken over */
        cs = *cs_in;
        goto have_candidates;
    }
    if (progress && progress(ud, "candidates", 0, t->n))
        return sd__errorf(&t->err, SD_ECANCELED, "canceled");
    if (t->o.memory_limit) {
        if ((rc = sd__trace_spill_candidates(t, &kb, &cs)) != 0)
            goto fail_keep;
        goto have_candidates;
    }
    fps = sd__calloc(t->n ? t->n : 1, sizeof(const sd_fp *));
    nfp = sd__calloc(t->n ? t->n : 1, sizeof *nfp);
    if (!fps || !nfp) {
        rc = SD_ENOMEM;
        goto fail;
    }
    for (i = 0; i < t->n; i++) {
        fps[i] = t->docs[i].fp;
        nfp[i] = t->docs[i].nfp;
    }
    if ((rc = sd__candidates(fps, nfp, t->n, t->stats.max_df, SD__MAX_OCC, SD__MAX_ANCHORS, &anc,
                             &nanc, &cs)) != 0)
        goto fail;
    kb.v = anc;
    kb.n = kb.cap = nanc;
have_candidates:
    t->stats.dropped = cs.dropped;
    anc = kb.v;
    nanc = kb.n;
    if (kb.runs.nruns) {
        if ((rc = sd__keybuf_open(t, &kb, &src.m)) != 0)
            goto fail_keep;
        src.more = sd__merge_next(src.m, &src.next);
    } else {
        src.anc = anc;
        src.nanc = nanc;
        for (i = 0; i < nanc; i++)
            expect += i == 0 || anc[i].key != anc[i - 1].key;
    }
    c.al = sd__calloc(nw, sizeof *c.al);
    if (!c.al) {
        rc = SD_ENOMEM;
        goto fail;
    }
    if (progress && progress(ud, "align", 0, expect)) {
        rc = SD_ECANCELED;
        goto fail;
    }
    c.t = t;
    /* align a chunk of pairs at a time, so progress can be reported and
     * cancel honoured, and spilled anchors are read a chunk at a time */
    /* under a memory limit, fewer pairs a chunk: the store's pages they
     * touch are let go after each, and a pair maps in about a MiB of them
     * (its two documents' texts, tokens and fingerprints, and the pages
     * around them that the kernel maps along) */
    while ((got = next_pairs(&src, chunk_pairs(t), &chunk, &ccap, &na, &pair_at, &pcap)) > 0) {
        size_t n = (size_t)got;
        if (n > okeys) {
            sd_tpassages *o2 = sd__reallocarray(c.out, n, sizeof *c.out);
            int *r2;
            if (o2 == NULL) {
                rc = SD_ENOMEM;
                goto fail;
            }
            memset(o2 + okeys, 0, (n - okeys) * sizeof *o2);
            c.out = o2;
            okeys = n;
            r2 = sd__reallocarray(c.rc, n, sizeof *c.rc);
            if (r2 == NULL) {
                rc = SD_ENOMEM;
                goto fail;
            }
            c.rc = r2;
        }
        for (i = 0; i < n; i++) {
            c.rc[i] = 0;
            sd__tpassages_reset(&c.out[i]);
        }
        c.anc = chunk;
        c.pair_at = pair_at;
        sd__pool_for(t->pool, n, align_one, &c);
        /* the chunk's passages join the job's, in pair order: its
         * alignments are let go, so they are never all held at once */
        for (i = 0; i < n; i++) {
            uint64_t key = chunk[pair_at[i]].key;
            if (c.rc[i]) {
                rc = c.rc[i];
                goto fail;
            }
            if ((rc = sd__trace_add_passages(t, (uint32_t)(key >> 32), (uint32_t)key, &c.out[i],
                                             UINT64_MAX)) != 0)
                goto fail;
        }
        npair += n;
        sd__trace_trim(t);
        if (progress && progress(ud, "align", npair, expect)) {
            rc = SD_ECANCELED;
            goto fail;
        }
    }
    if (got < 0) {
        rc = (int)got;
        goto fail;
    }
    t->stats.pairs = npair;
    if ((rc = grow_passages(t, 1, 1)) != 0)
        goto fail;
    sd__trace_fix_changes(t);
    t->stats.passages = t->npass;
fail:
    if (rc)
        sd__errorf(&t->err, rc, "finding passages: %s", sd_strerror(rc));
fail_keep:
    if (c.out)
        for (i = 0; i < okeys; i++)
            sd__tpassages_release(&c.out[i]);
    if (c.al)
        for (i = 0; i < nw; i++)
            sd__aligner_release(&c.al[i]);
    sd__free(c.out);
    sd__free(c.rc);
    sd__free(c.al);
    sd__free(pair_at);
    sd__free(chunk);
    sd__merge_free(src.m);
    sd__keybuf_release(&kb);
    sd__free(fps);
    sd__free(nfp);
    return rc;
}

unsigned sd__trace_max_df(const sd_trace *t)
{
    return t->o.max_df ? t->o.max_df : SD__NO_CAP;
}

int sd_trace_finish(sd_trace *t, sd_progress_fn progress, void *ud)
{
    int rc;
    if (!t)
        return SD_EINVAL;
    if ((rc = sd__job_begin(&t->job, &t->err, "sd_trace_finish")) != 0)
        return rc;
    return sd__job_end(&t->job, finish(t, progress, ud), SD_JOB_FINISHED);
}

/* Candidates, passages and stories (sd_trace_finish's work). */
static int finish(sd_trace *t, sd_progress_fn progress, void *ud)
{
    int rc;
    if (t->o.comm) {
        /* several processes: the candidates are found together, and the
         * documents gathered to process 0, which goes on alone */
        sd_keybuf anc;
        sd_cand_stats cs;
        memset(&anc, 0, sizeof anc);
        sd__spill_init(&anc.runs);
        if ((rc = sd__trace_dist_candidates(t, progress, ud, &anc, &cs)) != 0) {
            sd__keybuf_release(&anc);
            return rc;
        }
        if ((rc = find_passages(t, progress, ud, &anc, &cs)) != 0)
            return rc;
    } else {
        t->stats.max_df = sd__trace_max_df(t);
        if ((rc = find_passages(t, progress, ud, NULL, NULL)) != 0)
            return rc;
    }
    if ((rc = sd__trace_site_filter(t)) != 0)
        return sd__errorf(&t->err, rc, "telling sites apart: %s", sd_strerror(rc));
    if (progress && progress(ud, "stories", 0, t->npass))
        return sd__errorf(&t->err, SD_ECANCELED, "canceled");
    if ((rc = sd__trace_stories(t)) != 0)
        return sd__errorf(&t->err, rc, "building stories: %s", sd_strerror(rc));
    t->stats.stories = t->nstories;
    if (progress && progress(ud, "stories", t->npass, t->npass))
        return sd__errorf(&t->err, SD_ECANCELED, "canceled");
    return 0;
}

/* Whether the job's results may be read. */
static int finished(const sd_trace *t)
{
    return t && t->job.state == SD_JOB_FINISHED;
}

size_t sd_trace_passage_count(const sd_trace *t)
{
    return finished(t) ? t->npass : 0;
}

const sd_passage *sd_trace_passage(const sd_trace *t, size_t i)
{
    return finished(t) && i < t->npass ? &t->pass[i] : NULL;
}

size_t sd_trace_story_count(const sd_trace *t)
{
    return finished(t) ? t->nstories : 0;
}

const sd_story *sd_trace_story(const sd_trace *t, size_t i)
{
    return finished(t) && i < t->nstories ? &t->stories[i] : NULL;
}

int sd_trace_doc_stories(const sd_trace *t, uint64_t doc, const uint64_t **stories, size_t *n)
{
    int rc;
    if (!t || !stories || !n)
        return SD_EINVAL;
    if ((rc = sd__job_check(&t->job, SD_JOB(SD_JOB_FINISHED), NULL, "sd_trace_doc_stories")) != 0)
        return rc;
    if (doc >= t->n || !t->doc_story_at)
        return SD_EINVAL;
    *n = t->doc_story_at[doc + 1] - t->doc_story_at[doc];
    *stories = *n ? t->doc_story + t->doc_story_at[doc] : NULL; /* none: no array */
    return 0;
}

int sd_trace_doc_text(const sd_trace *t, uint64_t doc, const char **text, size_t *len)
{
    int rc;
    if (!t || !text || !len)
        return SD_EINVAL;
    if ((rc = sd__job_check(&t->job, SD_JOB(SD_JOB_ADDING) | SD_JOB(SD_JOB_FINISHED), NULL,
                            "sd_trace_doc_text")) != 0)
        return rc;
    if (doc >= t->n)
        return SD_EINVAL;
    *text = t->docs[doc].text;
    *len = t->docs[doc].len;
    return 0;
}

void sd_trace_get_stats(const sd_trace *t, sd_trace_stats *s)
{
    unsigned i;
    if (!s)
        return;
    if (!t) {
        memset(s, 0, sizeof *s);
        return;
    }
    *s = t->stats;
    /* and the documents' store, under a memory limit */
    for (i = 0; t->arena && i < sd__pool_size(t->pool); i++)
        s->spilled += t->arena[i].flen;
}

const char *sd_trace_errmsg(const sd_trace *t)
{
    return t ? t->err.msg : "";
}

void sd_trace_free(sd_trace *t)
{
    size_t i;
    if (!t)
        return;
    for (i = 0; i < t->n; i++)
        release_doc(&t->docs[i]);
    if (t->o.memory_limit)
        sd_fmap_release(&t->dmap);
    else
        sd__free(t->docs);
    if (t->tok && t->pool)
        for (i = 0; i < sd__pool_size(t->pool); i++)
            sd__tokens_release(&t->tok[i]);
    sd__free(t->tok);
    if (t->arena && t->pool)
        for (i = 0; i < sd__pool_size(t->pool); i++) {
            arena_release(&t->arena[i]);
            if (t->arena[i].fd >= 0)
                close(t->arena[i].fd);
        }
    sd__free(t->arena);
    sd__pool_free(t->pool);
    sd__prose_lex_release(&t->lex);
    if (t->o.memory_limit) {
        for (i = 0; i < 4; i++)
            sd_fmap_release(&t->pmap[i]);
    } else {
        sd__free(t->tp);
        sd__free(t->tedit);
        sd__free(t->pass);
        sd__free(t->changes);
    }
    free_stories(t);
    sd__free(t);
}

int sd_align_pair(const char *a, size_t na, const char *b, size_t nb, const sd_trace_options *o,
                  sd_passage **out, size_t *n)
{
    sd_trace_options opt;
    sd_trace *t = NULL;
    sd_trace_doc d[2];
    sd_passage *p = NULL;
    sd_change *ch;
    size_t i, nch = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((!a && na) || (!b && nb))
        return SD_EINVAL;
    sd_trace_options_init(&opt);
    if (o && (rc = sd__options_take(&opt, sizeof opt, sizeof opt, o, NULL, "sd_trace_options")))
        return rc;
    opt.threads = 1;
    opt.max_df = 2;
    memset(d, 0, sizeof d);
    d[0].text = a ? a : "";
    d[0].len = na;
    d[1].text = b ? b : "";
    d[1].len = nb;
    if ((rc = sd_trace_new(&opt, &t, NULL)) != 0)
        return rc;
    if ((rc = sd_trace_add(t, d, 2)) != 0 || (rc = sd_trace_finish(t, NULL, NULL)) != 0)
        goto fail;
    if (t->npass == 0)
        goto fail;
    for (i = 0; i < t->npass; i++)
        nch += t->pass[i].n_changes;
    if (t->npass > (SIZE_MAX - nch * sizeof *ch) / sizeof *p) {
        rc = SD_ENOMEM;
        goto fail;
    }
    p = sd__malloc(t->npass * sizeof *p + nch * sizeof *ch);
    if (!p) {
        rc = SD_ENOMEM;
        goto fail;
    }
    ch = (sd_change *)(void *)(p + t->npass);
    for (i = 0, nch = 0; i < t->npass; i++) {
        p[i] = t->pass[i];
        memcpy(ch + nch, t->pass[i].changes, p[i].n_changes * sizeof *ch);
        p[i].changes = ch + nch;
        nch += p[i].n_changes;
    }
    *out = p;
    *n = t->npass;
fail:
    sd_trace_free(t);
    return rc;
}

void sd_passages_free(sd_passage *p, size_t n)
{
    (void)n;
    sd__free(p);
}
