/*
 * index.c: the persistent index (syndic.h, "index"): opening it with its
 * stored options and format version, batches of pages (one transaction
 * each), the documents' records, the answers a batch gives, and reading.
 *
 * A chunk of pages (one sd_index_put) goes through:
 *   1. the workspace trace job tokenizes, marks and fingerprints the pages
 *      on its pool, and each page is sketched for dedup (on the same pool);
 *   2. in page order, each page's records are stored and it joins the
 *      dedup state (index_dedup.c);
 *   3. the trace steps (index_trace.c): candidate pairs by the stored
 *      postings, alignment, units, and the stories of the units touched.
 * The answers are read when asked, from the state the batch left.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/alloc.h"
#include "index/index_int.h"

/* ---- options ---- */

void sd_index_options_init(sd_index_options *o)
{
    if (o == NULL)
        return;
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->min_identity = -1;
    o->exact = -1;
    o->all_text = -1;
    o->whole_page = -1;
    o->seed = SD_INDEX_UNSET_SEED;
}

/* The fixed options of a new index: those given, else the jobs'
 * defaults; bands and rows as sd_dedup picks them. */
static int fill_defaults(sd_index_options *o, sd_err *err)
{
    sd_dedup_options d;
    sd_trace_options t;
    sd_dedup *job = NULL;
    sd_dedup_stats ds;
    char why[SD_ERRBUF_SIZE];
    sd_dedup_options_init(&d);
    sd_trace_options_init(&t);
    if (o->threshold == 0)
        o->threshold = d.threshold;
    if (o->ngram == 0)
        o->ngram = d.ngram;
    if (o->num_perm == 0)
        o->num_perm = d.num_perm;
    if (o->min_passage == 0)
        o->min_passage = t.min_passage;
    if (o->min_identity < 0)
        o->min_identity = t.min_identity;
    if (o->exact < 0)
        o->exact = 0;
    if (o->all_text < 0)
        o->all_text = 0;
    if (o->whole_page < 0)
        o->whole_page = 0;
    if (o->seed == SD_INDEX_UNSET_SEED)
        o->seed = 0;
    d.threshold = o->threshold;
    d.ngram = o->ngram;
    d.num_perm = o->num_perm;
    d.bands = o->bands;
    d.rows = o->rows;
    d.seed = o->seed;
    d.threads = 1;
    if (sd_dedup_new(&d, &job, why) != 0)
        return sd__errorf(err, SD_EINVAL, "dedup options: %s", why);
    sd_dedup_get_stats(job, &ds);
    sd_dedup_free(job);
    o->bands = ds.bands;
    o->rows = ds.rows;
    return 0;
}

static void put_options(sd_wr *w, const sd_index_options *o)
{
    sd__wr_f64(w, o->threshold);
    sd__wr_u32(w, o->ngram);
    sd__wr_u32(w, o->num_perm);
    sd__wr_u32(w, o->bands);
    sd__wr_u32(w, o->rows);
    sd__wr_u32(w, o->min_passage);
    sd__wr_f64(w, o->min_identity);
    sd__wr_u32(w, (uint32_t)o->exact);
    sd__wr_u32(w, (uint32_t)o->all_text);
    sd__wr_u32(w, (uint32_t)o->whole_page);
    sd__wr_u64(w, o->seed);
}

static void get_options(sd_rd *r, sd_index_options *o)
{
    o->threshold = sd__rd_f64(r);
    o->ngram = sd__rd_u32(r);
    o->num_perm = sd__rd_u32(r);
    o->bands = sd__rd_u32(r);
    o->rows = sd__rd_u32(r);
    o->min_passage = sd__rd_u32(r);
    o->min_identity = sd__rd_f64(r);
    o->exact = (int)sd__rd_u32(r);
    o->all_text = (int)sd__rd_u32(r);
    o->whole_page = (int)sd__rd_u32(r);
    o->seed = sd__rd_u64(r);
}

/* Checks the options given against those stored, which stay in force. */
static int merge_options(sd_index_options *in_force, const sd_index_options *given, sd_err *err)
{
    const sd_index_options *g = given, *s = in_force;
#define FIXED(cond, fmt, a, b)                                                                     \
    do {                                                                                           \
        if (cond)                                                                                  \
            return sd__errorf(err, SD_EINVAL,                                                      \
                              "the index was made with " fmt "; the options that change what "     \
                              "is found are fixed when an index is made",                          \
                              a, b);                                                               \
    } while (0)
    FIXED(g->threshold != 0 && g->threshold != s->threshold, "threshold %g, not %g", s->threshold,
          g->threshold);
    FIXED(g->ngram && g->ngram != s->ngram, "%u-word shingles, not %u", s->ngram, g->ngram);
    FIXED(g->num_perm && g->num_perm != s->num_perm, "%u signature values, not %u", s->num_perm,
          g->num_perm);
    FIXED(g->bands && (g->bands != s->bands || g->rows != s->rows), "%u bands, not %u", s->bands,
          g->bands);
    FIXED(g->min_passage && g->min_passage != s->min_passage,
          "a minimum passage of %u words, not %u", s->min_passage, g->min_passage);
    FIXED(g->min_identity >= 0 && g->min_identity != s->min_identity,
          "a minimum identity of %g, not %g", s->min_identity, g->min_identity);
    FIXED(g->exact >= 0 && (g->exact != 0) != (s->exact != 0), "exact %s, not %s",
          s->exact ? "on" : "off", g->exact ? "on" : "off");
    FIXED(g->all_text >= 0 && (g->all_text != 0) != (s->all_text != 0), "all-text %s, not %s",
          s->all_text ? "on" : "off", g->all_text ? "on" : "off");
    FIXED(g->whole_page >= 0 && (g->whole_page != 0) != (s->whole_page != 0),
          "whole-page %s, not %s", s->whole_page ? "on" : "off", g->whole_page ? "on" : "off");
    FIXED(g->seed != SD_INDEX_UNSET_SEED && g->seed != s->seed, "seed %llu, not %llu",
          (unsigned long long)s->seed, (unsigned long long)g->seed);
#undef FIXED
    return 0;
}

/* ---- the state record ---- */

static void put_state(sd_wr *w, const ix_state *s)
{
    sd__wr_u64(w, s->next_doc);
    sd__wr_u64(w, s->next_story);
    sd__wr_u64(w, s->next_unit);
    sd__wr_u64(w, s->next_pass);
    sd__wr_u64(w, s->docs);
    sd__wr_u64(w, s->stories);
    sd__wr_u64(w, s->units);
    sd__wr_u64(w, s->passages);
    sd__wr_u64(w, s->text_bytes);
    sd__wr_u64(w, s->clusters);
    sd__wr_u64(w, s->duplicates);
}

static void get_state(sd_rd *r, ix_state *s)
{
    s->next_doc = sd__rd_u64(r);
    s->next_story = sd__rd_u64(r);
    s->next_unit = sd__rd_u64(r);
    s->next_pass = sd__rd_u64(r);
    s->docs = sd__rd_u64(r);
    s->stories = sd__rd_u64(r);
    s->units = sd__rd_u64(r);
    s->passages = sd__rd_u64(r);
    s->text_bytes = sd__rd_u64(r);
    s->clusters = sd__rd_u64(r);
    s->duplicates = sd__rd_u64(r);
}

int sd__ix_damaged(sd_index *ix, const char *what, uint64_t key)
{
    return sd__errorf(&ix->err, SD_EFORMAT,
                      "the index is damaged: %s %llu does not read back (check it with syndic "
                      "index check)",
                      what, (unsigned long long)key);
}

/* Reads the meta record `name` into r (1), 0 absent, < 0 error. */
static int meta_get(sd_index *ix, const char *name, sd_rd *r, sd_buf *copy)
{
    sd_val v;
    int rc = sd__st_get(&ix->st, DB_META, name, strlen(name), &v);
    if (rc <= 0)
        return rc;
    sd__buf_reset(copy);
    if (sd__buf_append(copy, v.p, v.n))
        return sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
    sd__rd_init(r, copy->p, copy->len);
    if (r->bad)
        return sd__errorf(&ix->err, SD_EFORMAT, "the index is damaged: its %s record does not read",
                          name);
    return 1;
}

static int meta_put(sd_index *ix, const char *name, sd_wr *w)
{
    int rc = sd__wr_seal(w);
    if (rc)
        return sd__errorf(&ix->err, rc, "out of memory");
    return sd__st_put(&ix->st, DB_META, name, strlen(name), w->b.p, w->b.len);
}

static int load_state(sd_index *ix)
{
    sd_rd r;
    int rc = meta_get(ix, "state", &r, &ix->wr.b);
    if (rc < 0)
        return rc;
    memset(&ix->state, 0, sizeof ix->state);
    if (rc == 1) {
        get_state(&r, &ix->state);
        if (r.bad)
            return sd__errorf(&ix->err, SD_EFORMAT, "the index is damaged: its state record");
    }
    return 0;
}

static int save_state(sd_index *ix)
{
    /* what this version writes (a format 1 index it adds to gets runs) */
    uint32_t format = SD_INDEX_FORMAT;
    int rc = sd__st_put(&ix->st, DB_META, "format", 6, &format, sizeof format);
    if (rc)
        return rc;
    sd__wr_reset(&ix->wr);
    put_state(&ix->wr, &ix->state);
    return meta_put(ix, "state", &ix->wr);
}

/* ---- open ---- */

/* The reason of a failed open into the caller's errbuf. */
static int say(char *errbuf, sd_err *e, int rc)
{
    e->code = rc;
    return sd__errbuf(e, errbuf);
}

/* Reads (or, for a new index, writes) the format version and options. */
static int setup(sd_index *ix, const char *path, const sd_index_options *given, int create)
{
    sd_val v;
    uint32_t format;
    sd_rd r;
    int rc;
    if ((rc = sd__st_begin(&ix->st, !ix->read_only, 0)) != 0)
        return rc;
    rc = sd__st_get(&ix->st, DB_META, "format", 6, &v);
    if (rc < 0)
        goto done;
    if (rc == 0) {
        if (!create || ix->read_only) {
            rc = sd__errorf(&ix->err, SD_EFORMAT,
                            "'%s' is not a syndic index: it has no format version", path);
            goto done;
        }
        ix->o = *given;
        if ((rc = fill_defaults(&ix->o, &ix->err)) != 0)
            goto done;
        format = SD_INDEX_FORMAT;
        if ((rc = sd__st_put(&ix->st, DB_META, "format", 6, &format, sizeof format)) != 0)
            goto done;
        sd__wr_reset(&ix->wr);
        put_options(&ix->wr, &ix->o);
        if ((rc = meta_put(ix, "options", &ix->wr)) != 0)
            goto done;
        memset(&ix->state, 0, sizeof ix->state);
        if ((rc = save_state(ix)) != 0)
            goto done;
        rc = sd__st_end(&ix->st, 1);
        return rc;
    }
    if (v.n != sizeof format) {
        rc =
            sd__errorf(&ix->err, SD_EFORMAT, "the index '%s' is damaged: its format version", path);
        goto done;
    }
    memcpy(&format, v.p, sizeof format);
    if (format > SD_INDEX_FORMAT || format == 0) {
        rc =
            sd__errorf(&ix->err, SD_EFORMAT,
                       "the index '%s' has format version %u; this syndic (%s) reads format "
                       "version%s up to %u: open it with a newer syndic",
                       path, format, sd_version(), SD_INDEX_FORMAT > 1 ? "s" : "", SD_INDEX_FORMAT);
        goto done;
    }
    if ((rc = meta_get(ix, "options", &r, &ix->wr.b)) <= 0) {
        if (rc == 0)
            rc = sd__errorf(&ix->err, SD_EFORMAT, "the index '%s' is damaged: no options", path);
        goto done;
    }
    get_options(&r, &ix->o);
    if (r.bad) {
        rc = sd__errorf(&ix->err, SD_EFORMAT, "the index '%s' is damaged: its options", path);
        goto done;
    }
    rc = merge_options(&ix->o, given, &ix->err);
done:
    sd__st_end(&ix->st, 0);
    return rc;
}

int sd_index_open(const char *path, const sd_index_options *o, unsigned flags, sd_index **out,
                  char *errbuf)
{
    sd_index *ix;
    sd_index_options given;
    sd_err e;
    char why[SD_ERRBUF_SIZE];
    unsigned i, nw;
    int rc;
    memset(&e, 0, sizeof e);
    if (errbuf)
        errbuf[0] = '\0';
    if (out == NULL)
        return say(errbuf, &e, sd__errorf(&e, SD_EINVAL, "sd_index_open: out NULL"));
    *out = NULL;
    if (!path)
        return say(errbuf, &e, sd__errorf(&e, SD_EINVAL, "no index path"));
    sd_index_options_init(&given);
    if (o &&
        (rc = sd__options_take(&given, sizeof given, sizeof given, o, &e, "sd_index_options")) != 0)
        return say(errbuf, &e, rc);
    o = &given;
    if ((ix = sd__calloc(1, sizeof *ix)) == NULL)
        return sd__errbuf_nomem(errbuf);
    ix->read_only = (flags & SD_INDEX_READ_ONLY) != 0;
    sd__wr_init(&ix->wr);
    if ((rc = sd__st_open(&ix->st, path, (flags & SD_INDEX_CREATE) != 0, ix->read_only, o->map_size,
                          &ix->err)) != 0) {
        say(errbuf, &ix->err, rc);
        sd__wr_release(&ix->wr);
        sd__free(ix);
        return rc;
    }
    if ((rc = setup(ix, path, o, (flags & SD_INDEX_CREATE) != 0)) != 0)
        goto fail;
    ix->o.map_size = ix->st.map_size;
    ix->o.threads = o->threads;
    sd_dedup_options_init(&ix->dopt);
    ix->dopt.threshold = ix->o.threshold;
    ix->dopt.ngram = ix->o.ngram;
    ix->dopt.num_perm = ix->o.num_perm;
    ix->dopt.bands = ix->o.bands;
    ix->dopt.rows = ix->o.rows;
    ix->dopt.seed = ix->o.seed;
    ix->need = (unsigned)ceil(ix->o.threshold * 2 * ix->o.num_perm - 1e-9);
    sd_trace_options_init(&ix->topt);
    ix->topt.min_passage = ix->o.min_passage;
    ix->topt.min_identity = ix->o.min_identity;
    ix->topt.exact = (unsigned)ix->o.exact;
    ix->topt.all_text = (unsigned)ix->o.all_text;
    ix->topt.seed = ix->o.seed;
    ix->topt.threads = o->threads;
    if ((rc = sd_trace_new(&ix->topt, &ix->w, why)) != 0) {
        sd__errorf(&ix->err, rc, "%s", why);
        goto fail;
    }
    ix->topt.threads = 1;
    if ((rc = sd_trace_new(&ix->topt, &ix->c, why)) != 0) {
        sd__errorf(&ix->err, rc, "%s", why);
        goto fail;
    }
    ix->topt.threads = o->threads;
    rc = SD_ENOMEM;
    ix->pool = ix->w->pool;
    nw = sd__pool_size(ix->pool);
    if ((ix->tok = sd__calloc(nw, sizeof *ix->tok)) == NULL)
        goto oom;
    for (i = 0; i < nw; i++)
        sd__tokens_init(&ix->tok[i]);
    if ((ix->sigbuf = sd__reallocarray(NULL, SIG_SLOTS * 2 * (size_t)ix->o.num_perm,
                                       sizeof *ix->sigbuf)) == NULL)
        goto oom;
    *out = ix;
    return 0;
oom:
    sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
fail:
    say(errbuf, &ix->err, rc);
    sd_index_close(ix);
    return rc;
}

void sd_index_get_options(const sd_index *ix, sd_index_options *o)
{
    if (ix && o)
        *o = ix->o;
}

const char *sd_index_errmsg(const sd_index *ix)
{
    return ix ? ix->err.msg : "";
}

void sd_index_close(sd_index *ix)
{
    unsigned i;
    if (!ix)
        return;
    if (ix->mode)
        sd__st_end(&ix->st, 0);
    sd__st_close(&ix->st);
    if (ix->tok)
        for (i = 0; i < sd__pool_size(ix->pool); i++)
            sd__tokens_release(&ix->tok[i]);
    sd__free(ix->tok);
    sd_trace_free(ix->w);
    sd_trace_free(ix->c);
    sd__oph_first_release(&ix->first);
    sd__wr_release(&ix->wr);
    for (i = 0; i < ix->ans_cap; i++)
        sd__ix_story_release(&ix->ans[i]);
    sd__free(ix->ans);
    sd__ix_story_release(&ix->one);
    sd__free(ix->refs);
    sd__free(ix->ids);
    sd__free(ix->merged);
    sd__free(ix->bdocs);
    sd__free(ix->merges);
    sd__free(ix->sigbuf);
    sd__free(ix->dirty);
    sd__free(ix);
}

/* ---- documents ---- */

static int put_doc_record(sd_index *ix, uint64_t d, const ix_doc *x)
{
    int rc;
    sd__wr_reset(&ix->wr);
    sd__wr_u64(&ix->wr, (uint64_t)x->added);
    sd__wr_u64(&ix->wr, x->rep);
    sd__wr_u32(&ix->wr, x->flags);
    sd__wr_str(&ix->wr, x->id, x->id_len);
    sd__wr_str(&ix->wr, x->url, x->url_len);
    sd__wr_str(&ix->wr, x->date, x->date_len);
    sd__wr_str(&ix->wr, x->when, x->when_len);
    if ((rc = sd__wr_seal(&ix->wr)) != 0)
        return sd__errorf(&ix->err, rc, "out of memory");
    return sd__st_put64(&ix->st, DB_DOC, d, ix->wr.b.p, ix->wr.b.len);
}

int sd__ix_doc(sd_index *ix, uint64_t d, ix_doc *out)
{
    sd_val v;
    sd_rd r;
    int rc = sd__st_get64(&ix->st, DB_DOC, d, &v);
    if (rc <= 0)
        return rc;
    sd__rd_init(&r, v.p, v.n);
    out->added = (int64_t)sd__rd_u64(&r);
    out->rep = sd__rd_u64(&r);
    out->flags = sd__rd_u32(&r);
    out->id = sd__rd_str(&r, &out->id_len);
    out->url = sd__rd_str(&r, &out->url_len);
    out->date = sd__rd_str(&r, &out->date_len);
    out->when = sd__rd_str(&r, &out->when_len);
    if (r.bad)
        return sd__ix_damaged(ix, "document", d);
    return 1;
}

int sd__ix_set_doc(sd_index *ix, uint64_t d, uint64_t rep, uint32_t flags)
{
    ix_doc x;
    int rc = sd__ix_doc(ix, d, &x);
    if (rc == 0)
        return sd__ix_damaged(ix, "missing document", d);
    if (rc < 0)
        return rc;
    if (x.rep == rep && x.flags == flags)
        return 0;
    x.rep = rep;
    x.flags = flags;
    return put_doc_record(ix, d, &x); /* encoded before the put moves anything */
}

int sd__ix_set_rep(sd_index *ix, uint64_t d, uint64_t rep)
{
    ix_doc x;
    int rc = sd__ix_doc(ix, d, &x);
    if (rc == 0)
        return sd__ix_damaged(ix, "missing document", d);
    return rc < 0 ? rc : sd__ix_set_doc(ix, d, rep, x.flags);
}

ix_sig sd__ix_sig_slot(sd_index *ix, unsigned slot)
{
    unsigned k = ix->o.num_perm;
    ix_sig s;
    s.sig = ix->sigbuf + (size_t)slot * 2 * k;
    s.vsig = (uint16_t *)(void *)(s.sig + k);
    memset(&s.info, 0, sizeof s.info);
    return s;
}

static int put_sig(sd_index *ix, uint64_t d, const uint32_t *sig, const uint16_t *vsig,
                   const doc_info *inf)
{
    unsigned k = ix->o.num_perm;
    int rc;
    sd__wr_reset(&ix->wr);
    sd__wr_bytes(&ix->wr, sig, k * sizeof *sig);
    sd__wr_bytes(&ix->wr, vsig, k * sizeof *vsig);
    sd__wr_u64(&ix->wr, inf->len);
    sd__wr_u64(&ix->wr, inf->text_hash.low64);
    sd__wr_u64(&ix->wr, inf->text_hash.high64);
    sd__wr_u32(&ix->wr, inf->flags);
    if ((rc = sd__wr_seal(&ix->wr)) != 0)
        return sd__errorf(&ix->err, rc, "out of memory");
    return sd__st_put64(&ix->st, DB_SIG, d, ix->wr.b.p, ix->wr.b.len);
}

int sd__ix_sig(sd_index *ix, uint64_t d, ix_sig *s)
{
    unsigned k = ix->o.num_perm;
    sd_val v;
    sd_rd r;
    const void *p;
    int rc = sd__st_get64(&ix->st, DB_SIG, d, &v);
    if (rc <= 0)
        return rc;
    sd__rd_init(&r, v.p, v.n);
    if ((p = sd__rd_bytes(&r, k * sizeof *s->sig)) != NULL)
        memcpy(s->sig, p, k * sizeof *s->sig);
    if ((p = sd__rd_bytes(&r, k * sizeof *s->vsig)) != NULL)
        memcpy(s->vsig, p, k * sizeof *s->vsig);
    s->info.len = sd__rd_u64(&r);
    s->info.text_hash.low64 = sd__rd_u64(&r);
    s->info.text_hash.high64 = sd__rd_u64(&r);
    s->info.flags = sd__rd_u32(&r);
    if (r.bad)
        return sd__ix_damaged(ix, "sketch of document", d);
    return 1;
}

/* The key of DB_WHEN: the date string, a NUL, the document (BE). */
static size_t when_key(unsigned char *k, size_t cap, const char *when, size_t n, uint64_t d)
{
    if (n > cap - 9)
        n = cap - 9;
    memcpy(k, when, n);
    k[n] = 0;
    sd__be64(k + n + 1, d);
    return n + 9;
}

/* ---- batches ---- */

static void end_snapshot(sd_index *ix)
{
    if (ix->mode == -1) {
        sd__st_end(&ix->st, 0);
        ix->mode = 0;
    }
}

void sd_index_refresh(sd_index *ix)
{
    if (ix)
        end_snapshot(ix);
}

/* A read transaction for the reading functions, when none is open. */
static int snapshot(sd_index *ix)
{
    int rc;
    if (ix->mode)
        return 0;
    if ((rc = sd__st_begin(&ix->st, 0, 0)) != 0)
        return rc;
    ix->mode = -1;
    return 0;
}

int sd_index_begin(sd_index *ix, int mode)
{
    time_t now = time(NULL);
    struct tm tm;
    int rc;
    if (ix == NULL)
        return SD_EINVAL;
    if (mode != SD_INDEX_ADD && mode != SD_INDEX_QUERY)
        return sd__errorf(&ix->err, SD_EINVAL, "unknown batch mode %d", mode);
    if (mode == SD_INDEX_ADD && ix->read_only)
        return sd__errorf(&ix->err, SD_EINVAL,
                          "the index is open read-only: no pages can be added");
    end_snapshot(ix);
    if (ix->mode)
        return sd__errorf(&ix->err, SD_EINVAL, "a batch is already open");
    if ((rc = sd__st_begin(&ix->st, mode == SD_INDEX_ADD, mode == SD_INDEX_QUERY)) != 0)
        return rc;
    ix->mode = mode;
    if ((rc = load_state(ix)) != 0) {
        sd_index_abort(ix);
        return rc;
    }
    ix->state0 = ix->state;
    ix->nb = 0;
    ix->nmerges = 0;
    ix->ndirty = 0;
    gmtime_r(&now, &tm);
    strftime(ix->when_now, sizeof ix->when_now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return 0;
}

void sd_index_abort(sd_index *ix)
{
    if (ix && ix->mode > 0) {
        sd__st_end(&ix->st, 0);
        ix->mode = 0;
    }
}

int sd_index_commit(sd_index *ix)
{
    int rc;
    if (ix == NULL)
        return SD_EINVAL;
    if (ix->mode <= 0)
        return sd__errorf(&ix->err, SD_EINVAL, "no batch to commit");
    if (ix->mode == SD_INDEX_QUERY) {
        sd_index_abort(ix);
        return 0;
    }
    if ((rc = save_state(ix)) != 0) {
        sd_index_abort(ix);
        return rc;
    }
    ix->mode = 0;
    return sd__st_end(&ix->st, 1);
}

/* Sketches of a chunk, one slot per page, made on the pool. */
typedef struct sketch_ctx {
    sd_index *ix;
    const sd_index_page *pages;
    const size_t *which; /* page of slot i */
    uint32_t *sig;       /* K per slot */
    uint16_t *vsig;      /* K per slot */
    doc_info *info;
    int *rc;
} sketch_ctx;

static void sketch_page(void *ctx, size_t i, unsigned worker)
{
    sketch_ctx *c = ctx;
    const sd_index_page *p = &c->pages[c->which[i]];
    unsigned k = c->ix->o.num_perm;
    c->rc[i] = sd__dedup_sketch(&c->ix->dopt, &c->ix->first, p->text, p->len, &c->ix->tok[worker],
                                c->sig + i * k, c->vsig + i * k, &c->info[i]);
}

/* Stores the chunk's documents (with replay, their records are kept:
 * only their dedup state is reset) and joins them to the dedup state. */
static int store_docs(sd_index *ix, const sd_index_page *pages, const size_t *which, size_t m,
                      const uint64_t *gnum, const sketch_ctx *sk, int replay)
{
    unsigned k = ix->o.num_perm;
    unsigned char key[512];
    size_t i;
    int rc;
    for (i = 0; i < m; i++) {
        const sd_index_page *p = &pages[which[i]];
        uint64_t d = gnum[i];
        ix_doc x;
        ix_sig s;
        memset(&x, 0, sizeof x);
        x.added = (int64_t)time(NULL);
        x.rep = d;
        x.id = p->id;
        x.id_len = p->id ? p->id_len : 0;
        x.url = p->url;
        x.url_len = p->url ? p->url_len : 0;
        x.date = p->date;
        x.date_len = p->date ? p->date_len : 0;
        x.when = x.date_len ? p->date : ix->when_now;
        x.when_len = x.date_len ? x.date_len : strlen(ix->when_now);
        if (sk->info[i].flags & DOC_EMPTY)
            x.flags |= IXD_EMPTY;
        if (replay) {
            if ((rc = sd__ix_set_doc(ix, d, d, x.flags)) != 0)
                return rc;
        } else if ((rc = put_doc_record(ix, d, &x)) != 0 ||
                   (rc = put_sig(ix, d, sk->sig + i * k, sk->vsig + i * k, &sk->info[i])) != 0 ||
                   (rc = sd__ix_put_text(ix, d, &ix->w->docs[i])) != 0 ||
                   (rc = sd__st_put(&ix->st, DB_WHEN, key,
                                    when_key(key, sizeof key, x.when, x.when_len, d), "", 0)) != 0)
            return rc;
        s.sig = sk->sig + i * k;
        s.vsig = sk->vsig + i * k;
        s.info = sk->info[i];
        if ((rc = sd__ix_dedup_add(ix, d, &s)) != 0)
            return rc;
        if (!replay) {
            ix->state.docs++;
            ix->state.text_bytes += p->len;
        }
    }
    return sd__ix_dedup_settle(ix);
}

int sd__ix_ingest(sd_index *ix, const sd_index_page *pages, size_t n, const uint64_t *gnum_in)
{
    sd_trace_doc *docs = NULL;
    size_t *which = NULL, m = 0, i;
    sketch_ctx sk;
    uint64_t *gnum = NULL;
    unsigned k = ix->o.num_perm;
    int rc = SD_ENOMEM;

    memset(&sk, 0, sizeof sk);
    if (n == 0)
        return 0;
    if ((docs = sd__calloc(n, sizeof *docs)) == NULL ||
        (which = sd__calloc(n, sizeof *which)) == NULL ||
        (gnum = sd__calloc(n, sizeof *gnum)) == NULL)
        goto oom;
    for (i = 0; i < n; i++) {
        if (!pages[i].text)
            continue;
        docs[m].text = pages[i].text;
        docs[m].len = pages[i].len;
        docs[m].date = pages[i].date_len ? pages[i].date : NULL;
        docs[m].date_len = pages[i].date ? pages[i].date_len : 0;
        docs[m].url = pages[i].url;
        docs[m].url_len = pages[i].url ? pages[i].url_len : 0;
        gnum[m] = gnum_in ? gnum_in[i] : ix->state.next_doc + m;
        which[m++] = i;
    }
    if (m == 0) {
        rc = 0;
        goto done;
    }
    if (gnum[m - 1] >= UINT32_MAX) {
        rc = sd__errorf(&ix->err, SD_ETOOBIG, "an index holds at most %u documents", UINT32_MAX);
        goto fail;
    }
    /* 1. tokens, marks, fingerprints; sketches */
    sd__trace_reset(ix->w);
    if ((rc = sd_trace_add(ix->w, docs, m)) != 0) {
        rc = sd__errorf(&ix->err, rc, "%s", sd_trace_errmsg(ix->w));
        goto fail;
    }
    sk.ix = ix;
    sk.pages = pages;
    sk.which = which;
    sk.sig = sd__reallocarray(NULL, m, k * sizeof *sk.sig);
    sk.vsig = sd__reallocarray(NULL, m, k * sizeof *sk.vsig);
    sk.info = sd__calloc(m, sizeof *sk.info);
    sk.rc = sd__calloc(m, sizeof *sk.rc);
    if (!sk.sig || !sk.vsig || !sk.info || !sk.rc)
        goto oom;
    /* the densification table once this process has sketched enough
     * pages (a query of a few pages densifies by hashing) */
    ix->sketched += m;
    if (ix->first.at == NULL && ix->sketched >= SD_OPH_FIRST_DOCS &&
        sd__oph_first_init(&ix->first, 2 * ix->o.num_perm, ix->o.seed) != 0)
        goto oom;
    sd__pool_for(ix->pool, m, sketch_page, &sk);
    for (i = 0; i < m; i++)
        if (sk.rc[i])
            goto oom;
    if (!gnum_in) {
        if (SD_GROW(ix->bdocs, ix->bcap, ix->nb + m))
            goto oom;
        for (i = 0; i < m; i++)
            ix->bdocs[ix->nb++] = gnum[i];
        ix->state.next_doc = gnum[m - 1] + 1;
    }
    /* 2. records and dedup; 3. trace */
    if ((rc = store_docs(ix, pages, which, m, gnum, &sk, gnum_in != NULL)) != 0 ||
        (rc = sd__ix_trace_add(ix, gnum, m)) != 0)
        goto fail;
    rc = 0;
    goto done;
oom:
    rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
fail:
    sd_index_abort(ix);
done:
    sd__free(docs);
    sd__free(which);
    sd__free(gnum);
    sd__free(sk.sig);
    sd__free(sk.vsig);
    sd__free(sk.info);
    sd__free(sk.rc);
    return rc;
}

int sd_index_put(sd_index *ix, const sd_index_page *pages, size_t n)
{
    if (ix == NULL)
        return SD_EINVAL;
    if (ix->mode <= 0)
        return sd__errorf(&ix->err, SD_EINVAL, "pages put outside a batch (sd_index_begin)");
    if (pages == NULL && n)
        return sd__errorf(&ix->err, SD_EINVAL, "sd_index_put: pages NULL with %zu pages", n);
    return sd__ix_ingest(ix, pages, n, NULL);
}

/* ---- answers ---- */

/* The story id `s` ended up in after the batch's merges. */
static uint64_t survivor(const sd_index *ix, uint64_t s)
{
    size_t i;
    int moved = 1;
    while (moved) {
        moved = 0;
        for (i = 0; i < ix->nmerges; i++)
            if (ix->merges[i].gone == s) {
                s = ix->merges[i].into;
                moved = 1;
                break;
            }
    }
    return s;
}

int sd__ix_dedup_similarity(sd_index *ix, uint64_t d, uint64_t rep, double *sim, int *same_text)
{
    unsigned k = ix->o.num_perm;
    ix_sig a = sd__ix_sig_slot(ix, 0), b = sd__ix_sig_slot(ix, 1);
    int rc;
    if ((rc = sd__ix_sig(ix, d, &a)) <= 0 || (rc = sd__ix_sig(ix, rep, &b)) <= 0)
        return rc < 0 ? rc : sd__ix_damaged(ix, "missing sketch of document", d);
    *same_text = a.info.len == b.info.len && XXH128_isEqual(a.info.text_hash, b.info.text_hash);
    *sim = *same_text ? 1.0
                      : (double)(float)((float)sd__dedup_matches(k, a.sig, a.vsig, b.sig, b.vsig) /
                                        (float)(2 * k));
    return 0;
}

/* The dedup part of a document's state, against its representative (as
 * sd_dedup_get says it): representative, similarity, and exact when its
 * text is the representative's (a copy of another copy is not). */
static int dedup_of(sd_index *ix, uint64_t d, const ix_doc *x, int *dup, uint64_t *rep, double *sim,
                    int *exact)
{
    int same = 0, rc;
    *dup = x->rep != d;
    *rep = x->rep;
    *sim = 1;
    *exact = 0;
    if (!*dup)
        return 0;
    if ((rc = sd__ix_dedup_similarity(ix, d, x->rep, sim, &same)) != 0)
        return rc;
    *exact = same && (x->flags & IXD_EXACT) != 0;
    return 0;
}

int sd_index_get_answer(sd_index *ix, size_t i, sd_index_answer *a)
{
    const uint64_t *st;
    size_t n, j, nm = 0;
    uint64_t d;
    ix_doc x;
    int rc;
    if (ix == NULL || a == NULL)
        return SD_EINVAL;
    memset(a, 0, sizeof *a);
    if (ix->mode <= 0 || i >= ix->nb)
        return sd__errorf(&ix->err, SD_EINVAL, "no answer %zu in this batch", i);
    d = ix->bdocs[i];
    a->doc = d;
    if ((rc = sd__ix_doc(ix, d, &x)) <= 0)
        return rc < 0 ? rc : sd__ix_damaged(ix, "missing document", d);
    if ((rc = dedup_of(ix, d, &x, &a->duplicate, &a->duplicate_of, &a->similarity, &a->exact)) != 0)
        return rc;
    if ((rc = sd__st_dups64(&ix->st, DB_DSTORY, d, 0, &st, &n)) != 0)
        return rc;
    if (SD_GROW(ix->ids, ix->ids_cap, n + 1) || SD_GROW(ix->refs, ix->refs_cap, n + 1))
        return sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
    if (n)
        memcpy(ix->ids, st, n * sizeof *st);
    if (n > ix->ans_cap) {
        ix_story *p = sd__reallocarray(ix->ans, n, sizeof *p);
        if (!p)
            return sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
        memset(p + ix->ans_cap, 0, (n - ix->ans_cap) * sizeof *p);
        ix->ans = p;
        ix->ans_cap = n;
    }
    /* the ids merged into each, in one array */
    for (j = 0; j < n; j++) {
        size_t q;
        for (q = 0; q < ix->nmerges; q++)
            nm += survivor(ix, ix->merges[q].gone) == ix->ids[j];
    }
    if (SD_GROW(ix->merged, ix->merged_cap, nm + 1))
        return sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
    nm = 0;
    for (j = 0; j < n; j++) {
        sd_index_story_ref *r = &ix->refs[j];
        ix_story *s = &ix->ans[j];
        size_t q;
        if ((rc = sd__ix_story(ix, ix->ids[j], s)) <= 0)
            return rc < 0 ? rc : sd__ix_damaged(ix, "missing story", ix->ids[j]);
        memset(r, 0, sizeof *r);
        r->story = ix->ids[j];
        r->started = ix->ids[j] >= ix->state0.next_story;
        r->s = &s->s;
        for (q = 0; q < s->s.n_members; q++)
            if (s->s.members[q].doc == d)
                r->m = &s->s.members[q];
        r->merged = ix->merged + nm;
        for (q = 0; q < ix->nmerges; q++)
            if (survivor(ix, ix->merges[q].gone) == ix->ids[j])
                ix->merged[nm++] = ix->merges[q].gone;
        r->n_merged = (size_t)(ix->merged + nm - r->merged);
        if (!r->m)
            return sd__ix_damaged(ix, "story without its member, story", ix->ids[j]);
    }
    a->stories = ix->refs;
    a->n_stories = n;
    return 0;
}

/* ---- reading ---- */

int sd_index_doc_get(sd_index *ix, uint64_t doc, sd_index_doc *d)
{
    ix_doc x;
    sd_val v;
    const uint64_t *st;
    size_t n;
    int rc;
    if (ix == NULL || d == NULL)
        return SD_EINVAL;
    memset(d, 0, sizeof *d);
    if ((rc = snapshot(ix)) != 0)
        return rc;
    if ((rc = sd__ix_doc(ix, doc, &x)) <= 0)
        return rc < 0 ? rc : 1;
    d->doc = doc;
    d->added = x.added;
    if ((rc = dedup_of(ix, doc, &x, &d->duplicate, &d->duplicate_of, &d->similarity, &d->exact)) !=
        0)
        return rc;
    if ((rc = sd__st_dups64(&ix->st, DB_DSTORY, doc, 0, &st, &n)) != 0)
        return rc;
    if (SD_GROW(ix->ids, ix->ids_cap, n + 1))
        return sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
    if (n)
        memcpy(ix->ids, st, n * sizeof *st);
    d->stories = ix->ids;
    d->n_stories = n;
    /* the strings and the text, copied out of the store's pages */
    if ((rc = sd__ix_doc(ix, doc, &x)) <= 0)
        return rc < 0 ? rc : 1;
    if ((rc = sd__st_get64(&ix->st, DB_TEXT, doc, &v)) <= 0)
        return rc < 0 ? rc : sd__ix_damaged(ix, "missing text of document", doc);
    sd__wr_reset(&ix->wr);
    sd__wr_bytes(&ix->wr, x.id, x.id_len);
    sd__wr_bytes(&ix->wr, x.url, x.url_len);
    sd__wr_bytes(&ix->wr, x.date, x.date_len);
    {
        sd_rd r;
        uint32_t ntok, len, nfp, words;
        size_t at = ix->wr.b.len;
        sd__rd_init(&r, v.p, v.n);
        ntok = sd__rd_u32(&r);
        len = sd__rd_u32(&r);
        (void)sd__rd_u32(&r);
        nfp = sd__rd_u32(&r);
        words = (uint32_t)SD_PROSE_WORDS(ntok);
        (void)sd__rd_bytes(&r, (size_t)words * 16 + (size_t)nfp * 16 + (size_t)ntok * 12);
        sd__wr_bytes(&ix->wr, sd__rd_bytes(&r, len), len);
        if (r.bad || ix->wr.failed)
            return r.bad ? sd__ix_damaged(ix, "text of document", doc)
                         : sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
        d->id = x.id_len ? ix->wr.b.p : NULL;
        d->id_len = x.id_len;
        d->url = x.url_len ? ix->wr.b.p + x.id_len : NULL;
        d->url_len = x.url_len;
        d->date = x.date_len ? ix->wr.b.p + x.id_len + x.url_len : NULL;
        d->date_len = x.date_len;
        d->text = ix->wr.b.p + at;
        d->len = len;
    }
    return 0;
}

int sd_index_story_get(sd_index *ix, uint64_t story, const sd_story **s,
                       const sd_passage **passages, size_t *n_passages)
{
    int rc;
    if (ix == NULL || s == NULL)
        return SD_EINVAL;
    if ((rc = snapshot(ix)) != 0)
        return rc;
    if ((rc = sd__ix_story(ix, story, &ix->one)) <= 0)
        return rc < 0 ? rc : 1;
    *s = &ix->one.s;
    if (passages)
        *passages = ix->one.pass;
    if (n_passages)
        *n_passages = ix->one.npass;
    return 0;
}

int sd_index_next_story(sd_index *ix, uint64_t *cursor, const char *since, size_t min_copies,
                        const sd_story **s)
{
    sd_walk w;
    sd_val k, v;
    int rc;
    if (ix == NULL || cursor == NULL || s == NULL)
        return SD_EINVAL;
    if ((rc = snapshot(ix)) != 0)
        return rc;
    for (;;) {
        uint64_t from = *cursor, id;
        if ((rc = sd__walk_open(&w, &ix->st, DB_STORY, &from, sizeof from)) != 0)
            return rc;
        rc = sd__walk_next(&w, &k, &v);
        sd__walk_close(&w);
        if (rc <= 0)
            return rc;
        memcpy(&id, k.p, sizeof id);
        *cursor = id + 1;
        if ((rc = sd__ix_story(ix, id, &ix->one)) <= 0)
            return rc < 0 ? rc : sd__ix_damaged(ix, "story", id);
        if (ix->one.s.n_members < min_copies)
            continue;
        if (since) {
            size_t sl = strlen(since), n = ix->one.latest_len < sl ? ix->one.latest_len : sl;
            int c = memcmp(ix->one.latest, since, n);
            if (c < 0 || (c == 0 && ix->one.latest_len < sl))
                continue;
        }
        *s = &ix->one.s;
        return 1;
    }
}

int sd_index_get_stats(sd_index *ix, sd_index_stats *s)
{
    MDB_envinfo info;
    MDB_stat ms;
    struct stat fst;
    char path[4096];
    const char *dir = NULL;
    uint64_t n = 0;
    uint32_t format;
    sd_val v;
    int rc;
    if (ix == NULL || s == NULL)
        return SD_EINVAL;
    memset(s, 0, sizeof *s);
    if ((rc = snapshot(ix)) != 0)
        return rc;
    if (ix->mode == -1 && (rc = load_state(ix)) != 0)
        return rc;
    s->format = SD_INDEX_FORMAT;
    if (sd__st_get(&ix->st, DB_META, "format", 6, &v) == 1 && v.n == sizeof format) {
        memcpy(&format, v.p, sizeof format);
        s->format = format; /* a format 1 index not yet added to */
    }
    s->docs = ix->state.docs;
    s->next_doc = ix->state.next_doc;
    s->clusters = ix->state.clusters;
    s->duplicates = ix->state.duplicates;
    s->stories = ix->state.stories;
    s->passages = ix->state.passages;
    s->units = ix->state.units;
    s->text_bytes = ix->state.text_bytes;
    if (sd__st_count(&ix->st, DB_POST, &n) == 0)
        s->fingerprints = n;
    if (mdb_env_info(ix->st.env, &info) == 0 && mdb_env_stat(ix->st.env, &ms) == 0) {
        s->map_size = (uint64_t)info.me_mapsize;
        s->map_used = (uint64_t)(info.me_last_pgno + 1) * ms.ms_psize;
    }
    if (mdb_env_get_path(ix->st.env, &dir) == 0 && dir &&
        snprintf(path, sizeof path, "%s/data.mdb", dir) < (int)sizeof path && stat(path, &fst) == 0)
        s->file_size = (uint64_t)fst.st_size;
    return 0;
}

int sd_index_expire(sd_index *ix, const char *before, uint64_t *removed)
{
    int rc;
    if (ix == NULL || removed == NULL)
        return SD_EINVAL;
    *removed = 0;
    if (!before)
        return sd__errorf(&ix->err, SD_EINVAL, "no date to expire before");
    if ((rc = sd_index_begin(ix, SD_INDEX_ADD)) != 0)
        return rc;
    if ((rc = sd__ix_expire(ix, before, removed)) != 0) {
        sd_index_abort(ix);
        return rc;
    }
    return sd_index_commit(ix);
}

int sd_index_check(sd_index *ix)
{
    int rc;
    if (ix == NULL)
        return SD_EINVAL;
    end_snapshot(ix);
    if (ix->mode)
        return sd__errorf(&ix->err, SD_EINVAL, "check inside a batch");
    if ((rc = snapshot(ix)) != 0)
        return rc;
    if ((rc = load_state(ix)) != 0)
        return rc;
    rc = sd__ix_check(ix);
    end_snapshot(ix);
    return rc;
}
