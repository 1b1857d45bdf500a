/*
 * trace_spill.c: the candidates of a trace job under a memory limit
 * (sd_trace_options.memory_limit): the fingerprint postings and the anchors
 * they make are kept within a share of the limit each, full buffers sorted
 * and written as runs to unnamed temporary files (base/spill.h), and the
 * runs merged back in the order one sort in memory gives. So the anchors,
 * and everything after them, are those of the in-memory job.
 */
#include <string.h>

#include "base/alloc.h"
#include "base/spill.h"
#include "group/trace_int.h"

void sd__keybuf_init(sd_keybuf *b, const sd_trace *t)
{
    memset(b, 0, sizeof *b);
    sd__spill_init(&b->runs);
    b->max = sd__spill_entries(t->o.memory_limit / 4, 4096);
}

void sd__keybuf_release(sd_keybuf *b)
{
    sd__free(b->v);
    sd__spill_release(&b->runs);
    memset(b, 0, sizeof *b);
}

int sd__keybuf_add(sd_trace *t, sd_keybuf *b, const sd_kv *e, size_t n)
{
    size_t k;
    for (k = 0; k < n; k++) {
        if (b->n == b->cap) {
            size_t cap = b->cap ? 2 * b->cap : 4096;
            sd_kv *v;
            if (cap > b->max)
                cap = b->max;
            if ((v = sd__reallocarray(b->v, cap, sizeof *v)) == NULL)
                return sd__errorf(&t->err, SD_ENOMEM, "out of memory for keys");
            b->v = v;
            b->cap = cap;
        }
        b->v[b->n++] = e[k];
        if (b->n == b->max) {
            int rc;
            t->stats.spilled += b->n * sizeof *b->v;
            if ((rc = sd__spill_run(&b->runs, t->o.tmpdir, b->v, b->n, &t->err)) != 0)
                return rc;
            b->n = 0;
        }
    }
    return 0;
}

int sd__keybuf_open(sd_trace *t, sd_keybuf *b, sd_merge **m)
{
    const sd_spill *runs = &b->runs;
    if (sd__kv_sort(b->v, b->n))
        return sd__errorf(&t->err, SD_ENOMEM, "out of memory sorting keys");
    return sd__merge_open(&runs, 1, b->v, b->n, sd__merge_window(t->o.memory_limit, b->runs.nruns),
                          m, &t->err);
}

/* A group's postings held at once when no cap on documents applies: past
 * this, the documents paired so far are written out and only the hub's
 * postings kept, so a fingerprint on a million pages never needs a
 * million postings in memory. */
#define GROUP_FLUSH 4096

/* Pairs the whole documents in grp[0..*gn) (sd__pair_group) when it holds
 * more than the hub's postings, and keeps only the hub's (the first
 * document's, at most SD__MAX_OCC of them) for the rest of the group. */
static int flush_group(sd_trace *t, sd_kv *grp, size_t *gn, sd_keybuf *anc, sd_kv **out,
                       size_t *ocap, uint64_t *made)
{
    size_t nh = 0, nout = 0;
    int rc;
    while (nh < *gn && (grp[nh].val >> 32) == (grp[0].val >> 32))
        nh++;
    if (*gn > nh) {
        rc = sd__pair_group(grp, *gn, SD__MAX_OCC, SD__MAX_ANCHORS - (size_t)*made, out, &nout,
                            ocap);
        if (rc)
            return sd__errorf(&t->err, rc, "finding candidates: %s", sd_strerror(rc));
        *made += nout;
        if ((rc = sd__keybuf_add(t, anc, *out, nout)) != 0)
            return rc;
    }
    *gn = nh < SD__MAX_OCC ? nh : SD__MAX_OCC;
    return 0;
}

int sd__trace_group_postings(sd_trace *t, sd_keybuf *post, sd_keybuf *anc, sd_cand_stats *cs)
{
    sd_kv *grp = NULL, next;
    sd_merge *m = NULL;
    size_t gn = 0, gcap = 0, ocap = 0;
    sd_kv *out = NULL;
    uint64_t made = 0;
    int rc, more, capped = t->stats.max_df != SD__NO_CAP;
    if ((rc = sd__keybuf_open(t, post, &m)) != 0)
        return rc;
    /* whole fingerprints from the merge, grouped as sd__anchors() does; a
     * group under a cap is kept only while it stays within max_df
     * documents, one without is paired as it comes */
    more = sd__merge_next(m, &next);
    while (more > 0) {
        uint64_t key = next.key, df = 0, last = UINT64_MAX;
        gn = 0;
        do {
            uint64_t doc = next.val >> 32;
            if (doc != last) {
                df++;
                last = doc;
                /* grp holds whole documents here */
                if (!capped && gn >= GROUP_FLUSH &&
                    (rc = flush_group(t, grp, &gn, anc, &out, &ocap, &made)) != 0)
                    goto done;
            }
            if (df <= t->stats.max_df) {
                if (SD_GROW(grp, gcap, gn + 1)) {
                    rc = sd__errorf(&t->err, SD_ENOMEM, "out of memory");
                    goto done;
                }
                grp[gn++] = next;
            }
            more = sd__merge_next(m, &next);
        } while (more > 0 && next.key == key);
        if (more < 0)
            break;
        if (df < 2)
            continue;
        if (df > t->stats.max_df) {
            cs->dropped++;
            continue;
        }
        if ((rc = flush_group(t, grp, &gn, anc, &out, &ocap, &made)) != 0)
            goto done;
    }
    rc = more < 0 ? more : 0;
    cs->anchors += made;
done:
    sd__merge_free(m);
    sd__free(grp);
    sd__free(out);
    return rc;
}

int sd__trace_spill_candidates(sd_trace *t, sd_keybuf *anc, sd_cand_stats *cs)
{
    sd_keybuf post;
    size_t i, j;
    int rc = 0;
    memset(cs, 0, sizeof *cs);
    sd__keybuf_init(&post, t);
    /* the postings, in sorted runs past the buffer */
    for (i = 0; i < t->n; i++) {
        for (j = 0; j < t->docs[i].nfp; j++) {
            sd_kv e;
            e.key = t->docs[i].fp[j].hash;
            e.val = (uint64_t)i << 32 | t->docs[i].fp[j].pos;
            if ((rc = sd__keybuf_add(t, &post, &e, 1)) != 0)
                goto done;
        }
        cs->postings += t->docs[i].nfp;
        if (i % 1024 == 1023)
            sd__trace_trim(t); /* the fingerprints read so far */
    }
    sd__trace_trim(t);
    rc = sd__trace_group_postings(t, &post, anc, cs);
    /* what is left of the anchors stays in memory, sorted */
    if (rc == 0 && sd__kv_sort(anc->v, anc->n))
        rc = sd__errorf(&t->err, SD_ENOMEM, "out of memory sorting anchors");
done:
    sd__keybuf_release(&post);
    return rc;
}
