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

#define MAX_OCC 4
#define MAX_ANCHORS ((size_t)1 << 31)

/* Entries a buffer of `bytes` holds, sorting needing as many again. */
static size_t entries_in(uint64_t bytes)
{
    uint64_t n = bytes / (2 * sizeof(sd_kv));
    return n < 4096 ? 4096 : (size_t)n;
}

/* Merge windows: an eighth of the limit over the runs. */
static size_t window_of(const sd_trace *t, size_t runs)
{
    uint64_t w = t->o.memory_limit / 8 / sizeof(sd_kv) / (runs + 1);
    return w < 1024 ? 1024 : w > 65536 ? 65536 : (size_t)w;
}

/* Adds the anchors of one group to the buffer, spilling it when full. */
static int keep_anchors(sd_trace *t, const sd_kv *g, size_t n, sd_kv **buf, size_t *nb, size_t *cap,
                        size_t max, sd_spill *runs, uint64_t *made)
{
    int rc = sd__pair_group(g, n, MAX_OCC, MAX_ANCHORS - (size_t)*made, buf, nb, cap);
    if (rc)
        return sd__errorf(&t->err, rc, "finding candidates: %s", sd_strerror(rc));
    if (*nb >= max) {
        *made += *nb;
        t->stats.spilled += *nb * sizeof **buf;
        if ((rc = sd__spill_run(runs, t->o.tmpdir, *buf, *nb, &t->err)) != 0)
            return rc;
        *nb = 0;
    }
    return 0;
}

int sd__trace_spill_candidates(sd_trace *t, sd_spill *anc_runs, sd_kv **anc, size_t *nanc,
                               sd_cand_stats *cs)
{
    sd_spill post_runs;
    sd_kv *post = NULL, *grp = NULL, next;
    sd_merge *m = NULL;
    size_t np = 0, pmax = entries_in(t->o.memory_limit / 4),
           amax = entries_in(t->o.memory_limit / 4);
    size_t i, j, gn = 0, gcap = 0, acap = 0;
    uint64_t made = 0;
    int rc = 0, more;

    memset(cs, 0, sizeof *cs);
    *anc = NULL;
    *nanc = 0;
    sd__spill_init(&post_runs);
    post = sd__reallocarray(NULL, pmax, sizeof *post);
    if (post == NULL)
        return sd__errorf(&t->err, SD_ENOMEM, "out of memory for %zu postings", pmax);
    /* 1. postings, in sorted runs past the buffer */
    for (i = 0; i < t->n; i++) {
        for (j = 0; j < t->docs[i].nfp; j++) {
            post[np].key = t->docs[i].fp[j].hash;
            post[np].val = (uint64_t)i << 32 | t->docs[i].fp[j].pos;
            if (++np == pmax) {
                t->stats.spilled += np * sizeof *post;
                if ((rc = sd__spill_run(&post_runs, t->o.tmpdir, post, np, &t->err)) != 0)
                    goto done;
                np = 0;
            }
        }
        cs->postings += t->docs[i].nfp;
        if (i % 1024 == 1023)
            sd__trace_trim(t); /* the fingerprints read so far */
    }
    sd__trace_trim(t);
    if (sd__kv_sort(post, np)) {
        rc = sd__errorf(&t->err, SD_ENOMEM, "out of memory sorting postings");
        goto done;
    }
    {
        const sd_spill *runs = &post_runs;
        if ((rc = sd__merge_open(&runs, 1, post, np, window_of(t, post_runs.nruns), &m, &t->err)) !=
            0)
            goto done;
    }
    /* 2. whole fingerprints from the merge, grouped as sd__anchors() does;
     * a group is kept only while it stays within max_df documents */
    more = sd__merge_next(m, &next);
    while (more > 0) {
        uint64_t key = next.key, df = 0, last = UINT64_MAX;
        gn = 0;
        do {
            uint64_t doc = next.val >> 32;
            if (doc != last) {
                df++;
                last = doc;
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
        if ((rc = keep_anchors(t, grp, gn, anc, nanc, &acap, amax, anc_runs, &made)) != 0)
            goto done;
    }
    if (more < 0) {
        rc = more;
        goto done;
    }
    /* 3. what is left of the anchors stays in memory, sorted */
    if (sd__kv_sort(*anc, *nanc)) {
        rc = sd__errorf(&t->err, SD_ENOMEM, "out of memory sorting anchors");
        goto done;
    }
    cs->anchors = made + *nanc;
done:
    sd__merge_free(m);
    sd__spill_release(&post_runs);
    sd__free(post);
    sd__free(grp);
    if (rc) {
        sd__free(*anc);
        *anc = NULL;
        *nanc = 0;
    }
    return rc;
}
