/*
 * trace_dist.c: the candidates of a trace job that is one of several
 * processes (sd_trace_options.comm), each holding its share of the
 * documents, tokenized and fingerprinted.
 *
 *   1. postings     -> (fingerprint, document, position) dealt to processes
 *                      by fingerprint: each groups whole fingerprints, drops
 *                      those over max_df and pairs the rest into anchors,
 *                      exactly as sd__candidates() does for one process
 *   2. anchors      -> to process 0, sorted there into the one-process order
 *   3. documents    -> texts and dates to process 0, which prepares them
 *                      again at their indexes in the whole input; alignment
 *                      and stories then run there as for one process
 *
 * The heavy per-document work (reading, extracting pages, tokenizing,
 * fingerprinting) and the grouping of fingerprints are shared; process 0
 * holds the texts, since the output and the report carry them.
 */
#include <string.h>

#include "base/alloc.h"
#include "base/exch.h"
#include "group/trace_int.h"

/* The head of a document on its way to process 0; its text, date and
 * tokens (hashes, starts, ends) follow. */
typedef struct doc_msg {
    uint64_t doc, absent, len, date_len, ntok, site;
} doc_msg;

/* Keys a process sends in one round under a memory limit (an eighth of
 * it), or all at once without. */
static size_t round_keys(const sd_trace *t)
{
    uint64_t n = t->o.memory_limit / 8 / sizeof(sd_kv);
    return !t->o.memory_limit ? SIZE_MAX : n < 4096 ? 4096 : (size_t)n;
}

/* Adds the n keys received in *got to b: under a memory limit through its
 * spilling buffer; else the first round's keys become the array as they
 * are (*got taken over), later ones are appended. */
static int take_keys(sd_trace *t, sd_keybuf *b, unsigned char **got, size_t n)
{
    const sd_kv *e = (const sd_kv *)(const void *)*got;
    if (t->o.memory_limit)
        return sd__keybuf_add(t, b, e, n);
    if (b->n == 0) {
        sd__free(b->v);
        b->v = (sd_kv *)(void *)*got;
        b->n = b->cap = n;
        *got = NULL;
        return 0;
    }
    if (SD_GROW(b->v, b->cap, b->n + n + 1))
        return sd__errorf(&t->err, SD_ENOMEM, "out of memory for keys");
    if (n)
        memcpy(b->v + b->n, e, n * sizeof *e);
    b->n += n;
    return 0;
}

/* 1. Postings to the process their fingerprint falls to (in rounds under a
 * memory limit, kept there in sorted runs), grouped into anchors. */
static int postings_step(sd_trace *t, sd_exch *x, sd_keybuf *anc, sd_cand_stats *cs)
{
    unsigned char *got = NULL;
    size_t i = 0, j = 0, ng, sent, round = round_keys(t);
    sd_keybuf post;
    uint64_t more;
    int rc;
    sd__keybuf_init(&post, t);
    x->size = sizeof(sd_kv);
    do {
        for (sent = 0; i < t->n && sent < round; j = 0, i++) {
            uint64_t g = sd_share_record(&x->c->share, i);
            for (; j < t->docs[i].nfp && sent < round; j++, sent++) {
                sd_kv e;
                e.key = t->docs[i].fp[j].hash;
                e.val = g << 32 | t->docs[i].fp[j].pos;
                if (sd__exch_put(x, sd__exch_dest(e.key, x->np), &e)) {
                    rc = sd__errorf(&t->err, SD_ENOMEM, "out of memory");
                    goto done;
                }
            }
            if (j < t->docs[i].nfp)
                break; /* the round is full inside this document */
            cs->postings += t->docs[i].nfp;
        }
        if ((rc = sd__exch_run(x, &got, &ng, NULL)) != 0 ||
            (rc = take_keys(t, &post, &got, ng)) != 0)
            goto done;
        sd__free(got);
        got = NULL;
        sd__trace_trim(t);
        more = i < t->n;
        if ((rc = sd__exch_max(x, &more)) != 0)
            goto done;
    } while (more);
    if (t->o.memory_limit) {
        rc = sd__trace_group_postings(t, &post, anc, cs);
    } else {
        rc = sd__anchors(post.v, post.n, t->stats.max_df, SD__MAX_OCC, SD__MAX_ANCHORS, &anc->v,
                         &anc->n, cs);
        anc->cap = anc->n;
        if (rc)
            rc = sd__errorf(&t->err, rc, "finding candidates: %s", sd_strerror(rc));
    }
done:
    sd__free(got);
    sd__keybuf_release(&post);
    return rc;
}

/* 2. Every process's anchors to process 0 (in rounds under a memory limit,
 * kept there in sorted runs), which then reads them in sorted order. */
static int anchors_step(sd_trace *t, sd_exch *x, sd_keybuf *anc)
{
    unsigned char *got = NULL;
    size_t ng, sent, round = round_keys(t);
    sd_keybuf at0;
    sd_merge *m = NULL;
    sd_kv e;
    uint64_t more, total = 0;
    int rc, have;
    sd__keybuf_init(&at0, t);
    x->size = sizeof(sd_kv);
    if (!t->o.memory_limit) {
        /* all in one round, as sd__anchors() left them (sorted, in memory) */
        if (sd__exch_putn(x, 0, anc->v, anc->n)) {
            rc = sd__errorf(&t->err, SD_ENOMEM, "out of memory");
            goto done;
        }
        have = 0;
    } else {
        if ((rc = sd__keybuf_open(t, anc, &m)) != 0)
            goto done;
        have = sd__merge_next(m, &e);
    }
    do {
        for (sent = 0; have > 0 && sent < round; sent++) {
            if (sd__exch_put(x, 0, &e)) {
                rc = sd__errorf(&t->err, SD_ENOMEM, "out of memory");
                goto done;
            }
            have = sd__merge_next(m, &e);
        }
        if (have < 0) {
            rc = have;
            goto done;
        }
        if ((rc = sd__exch_run(x, &got, &ng, NULL)) != 0 ||
            (rc = take_keys(t, &at0, &got, ng)) != 0)
            goto done;
        total += ng;
        sd__free(got);
        got = NULL;
        more = have > 0;
        if ((rc = sd__exch_max(x, &more)) != 0)
            goto done;
    } while (more);
    if (total > SD__MAX_ANCHORS) {
        rc = sd__errorf(&t->err, SD_ETOOBIG, "more than %zu candidate anchors", SD__MAX_ANCHORS);
        goto done;
    }
    /* process 0's anchors replace this process's own */
    if (sd__kv_sort(at0.v, at0.n)) {
        rc = sd__errorf(&t->err, SD_ENOMEM, "out of memory");
        goto done;
    }
    sd__merge_free(m);
    m = NULL;
    sd__keybuf_release(anc);
    *anc = at0;
    sd__keybuf_init(&at0, t);
done:
    sd__merge_free(m);
    sd__free(got);
    sd__keybuf_release(&at0);
    return rc;
}

/* On process 0: its own documents move to their places in the whole input
 * (total documents) as they are; *seen counts them. */
static int place_own(sd_trace *t, sd_exch *x, uint64_t total, size_t *seen)
{
    sd_tdoc *own = t->docs;
    sd_fmap own_map = t->dmap;
    size_t n_own = t->n, i;
    int rc;
    t->docs = NULL;
    t->cap = 0;
    sd_fmap_init(&t->dmap, t->o.tmpdir, 0);
    if ((rc = sd__trace_docs_room(t, (size_t)total)) != 0) {
        t->docs = own; /* for sd_trace_free() */
        t->dmap = own_map;
        return rc;
    }
    if (!t->o.memory_limit && total) /* a new file-backed array is zeros already */
        memset(t->docs, 0, (size_t)total * sizeof *t->docs);
    for (i = 0; i < n_own; i++)
        t->docs[sd_share_record(&x->c->share, i)] = own[i];
    *seen = n_own;
    if (t->o.memory_limit)
        sd_fmap_release(&own_map);
    else
        sd__free(own);
    t->n = (size_t)total;
    t->stats.docs = total;
    return 0;
}

/* On another process: its documents from *i on, about `round` bytes of
 * them (one at least), to process 0, each with its tokens; *i moves past
 * them. */
static int send_docs(sd_trace *t, sd_exch *x, size_t *i, size_t round)
{
    size_t sent;
    for (sent = 0; *i < t->n && (sent == 0 || sent < round); (*i)++) {
        const sd_tdoc *d = &t->docs[*i];
        doc_msg m;
        m.doc = sd_share_record(&x->c->share, *i);
        m.absent = (uint64_t)d->absent;
        m.len = d->absent ? 0 : d->len;
        m.date_len = d->date ? d->date_len : 0;
        m.ntok = d->n;
        m.site = d->site;
        if (sd__exch_putn(x, 0, &m, sizeof m) || sd__exch_putn(x, 0, d->text, m.len) ||
            sd__exch_putn(x, 0, d->date, m.date_len) ||
            sd__exch_putn(x, 0, d->h, 3 * sizeof(uint32_t) * d->n))
            return sd__errorf(&t->err, SD_ENOMEM, "out of memory");
        sent += sizeof m + m.len + m.date_len + 12 * (size_t)m.ntok;
    }
    return 0;
}

/* On process 0: the documents that came (got[0..ng)) put at their indexes
 * (total in all), with their tokens (copied through *tok, aligned, of
 * *tcap); *seen counts them. */
static int take_docs(sd_trace *t, const unsigned char *got, size_t ng, uint64_t total,
                     uint32_t **tok, size_t *tcap, size_t *seen)
{
    size_t at;
    int rc;
    for (at = 0; at + sizeof(doc_msg) <= ng; (*seen)++) {
        doc_msg m;
        sd_trace_doc src;
        memcpy(&m, got + at, sizeof m);
        at += sizeof m;
        if (m.doc >= total || m.ntok > UINT32_MAX || m.len + m.date_len + 12 * m.ntok > ng - at)
            return sd__errorf(&t->err, SD_EIO, "a document from another process is damaged");
        memset(&src, 0, sizeof src);
        src.text = m.absent ? NULL : (const char *)got + at;
        src.len = (size_t)m.len;
        src.date = m.date_len ? (const char *)got + at + m.len : NULL;
        src.date_len = (size_t)m.date_len;
        at += (size_t)(m.len + m.date_len);
        /* the tokens, aligned for the copy */
        if (SD_GROW(*tok, *tcap, 3 * (size_t)m.ntok + 1))
            return sd__errorf(&t->err, SD_ENOMEM, "out of memory");
        memcpy(*tok, got + at, 12 * (size_t)m.ntok);
        at += 12 * (size_t)m.ntok;
        if ((rc = sd__trace_put_doc(t, (size_t)m.doc, &src, (size_t)m.ntok, *tok, NULL)) != 0)
            return sd__errorf(&t->err, rc, "out of memory for the documents");
        t->docs[m.doc].site = m.site;
    }
    return 0;
}

/* Every document, with its tokens, to process 0, at its index in the
 * whole input (process 0's own stay where they are in memory). */
static int documents_step(sd_trace *t, sd_exch *x, uint64_t total)
{
    unsigned char *got = NULL;
    size_t i = 0, ng, seen = 0;
    uint32_t *tok = NULL;
    size_t tcap = 0;
    /* under a memory limit, the documents travel in rounds of an eighth
     * of it per process, and process 0 keeps them in its file-backed store */
    size_t round = t->o.memory_limit ? (size_t)(t->o.memory_limit / 8) : SIZE_MAX;
    uint64_t more;
    int rc = 0;
    x->size = 1;
    if (x->me == 0 && (rc = place_own(t, x, total, &seen)) != 0)
        return rc;
    do {
        if (x->me != 0 && (rc = send_docs(t, x, &i, round)) != 0)
            return rc;
        if ((rc = sd__exch_run(x, &got, &ng, NULL)) != 0 ||
            (x->me == 0 && (rc = take_docs(t, got, ng, total, &tok, &tcap, &seen)) != 0))
            goto done;
        sd__free(got);
        got = NULL;
        sd__trace_trim(t);
        more = x->me != 0 && i < t->n;
        if ((rc = sd__exch_max(x, &more)) != 0)
            goto done;
    } while (more);
    if (x->me != 0)
        sd__trace_drop_docs(t);
    else if (seen != total)
        rc = sd__errorf(&t->err, SD_EIO, "%zu of %llu documents arrived", seen,
                        (unsigned long long)total);
done:
    sd__free(tok);
    sd__free(got);
    return rc;
}

int sd__trace_dist_candidates(sd_trace *t, sd_progress_fn progress, void *ud, sd_keybuf *anc,
                              sd_cand_stats *cs)
{
    sd_exch x;
    uint64_t v[4];
    int rc;
    sd__keybuf_init(anc, t);
    memset(cs, 0, sizeof *cs);
    if ((rc = sd__exch_init(&x, t->o.comm, &t->err)) != 0)
        return rc;
    v[0] = t->n;
    if ((rc = sd__exch_sum(&x, v, 1)) != 0)
        goto done;
    if (v[0] > UINT32_MAX) {
        rc = sd__errorf(&t->err, SD_ETOOBIG, "more than %u documents", UINT32_MAX);
        goto done;
    }
    t->stats.max_df = sd__trace_max_df(t);
    if (progress && progress(ud, "candidates", 0, v[0])) {
        rc = sd__errorf(&t->err, SD_ECANCELED, "canceled");
        goto done;
    }
    if ((rc = postings_step(t, &x, anc, cs)) != 0 || (rc = anchors_step(t, &x, anc)) != 0 ||
        (rc = documents_step(t, &x, v[0])) != 0)
        goto done;
    /* the figures of the whole job */
    v[0] = cs->postings;
    v[1] = cs->dropped;
    v[2] = x.sent;
    v[3] = cs->anchors;
    if ((rc = sd__exch_sum(&x, v, 4)) != 0)
        goto done;
    cs->postings = v[0];
    cs->dropped = v[1];
    t->stats.exchanged = v[2];
    t->stats.fingerprints = x.me == 0 ? v[0] : 0;
    cs->anchors = v[3];
done:
    sd__exch_release(&x);
    if (rc)
        sd__keybuf_release(anc);
    return rc;
}
