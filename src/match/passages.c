/*
 * passages.c: candidate pairs and their anchors from fingerprint postings
 * (see passages.h). Two sorts: postings by fingerprint, then anchors by
 * document pair; both with sd__kv_sort, so the order is fixed by content.
 */
#include "match/passages.h"

#include <string.h>

#include "base/alloc.h"
#include "syndic.h"

/*
 * Appends the anchors of one fingerprint group g[0..n) (sorted by document,
 * then position; val = doc << 32 | pos). The group is linked as a star: its
 * first document (the hub) is paired with every other one, so k documents
 * sharing a fingerprint make k - 1 pairs, not k(k - 1)/2. A story printed
 * on thousands of pages then costs as many alignments as it has copies; the
 * copies still meet, through the hub's spans (story.c).
 */
int sd__pair_group(const sd_kv *g, size_t n, unsigned max_occ, size_t max_anchors, sd_kv **out,
                   size_t *nout, size_t *cap)
{
    uint64_t hub = n ? g[0].val >> 32 : 0;
    size_t nh = 0, i, j, run = 0;
    while (nh < n && (g[nh].val >> 32) == hub)
        nh++;
    for (i = nh; i < n; i++) {
        uint64_t d = g[i].val >> 32;
        run = (g[i - 1].val >> 32) == d ? run + 1 : 0;
        if (run >= max_occ)
            continue;
        for (j = 0; j < nh && j < max_occ; j++) {
            if (*nout >= max_anchors)
                return SD_ETOOBIG;
            if (SD_GROW(*out, *cap, *nout + 1) != 0)
                return SD_ENOMEM;
            (*out)[*nout].key = (hub << 32) | d;
            (*out)[*nout].val = ((g[j].val & 0xffffffffu) << 32) | (g[i].val & 0xffffffffu);
            (*nout)++;
        }
    }
    return 0;
}

int sd__anchors(sd_kv *post, size_t total, unsigned max_df, unsigned max_occ, size_t max_anchors,
                sd_kv **out, size_t *nout, sd_cand_stats *st)
{
    sd_kv *anc = NULL;
    size_t i, start, nanc = 0, cap = 0;
    int rc;
    *out = NULL;
    *nout = 0;
    if ((rc = sd__kv_sort(post, total)) != 0)
        return rc;
    for (start = 0; start < total; start = i) {
        size_t df = 1;
        for (i = start + 1; i < total && post[i].key == post[start].key; i++)
            if ((post[i].val >> 32) != (post[i - 1].val >> 32))
                df++;
        if (df < 2)
            continue;
        if (df > max_df) {
            st->dropped++;
            continue;
        }
        if ((rc = sd__pair_group(post + start, i - start, max_occ, max_anchors, &anc, &nanc,
                                 &cap)) != 0)
            goto fail;
    }
    if ((rc = sd__kv_sort(anc, nanc)) != 0)
        goto fail;
    st->anchors += nanc;
    *out = anc;
    *nout = nanc;
    return 0;
fail:
    sd__free(anc);
    return rc;
}

int sd__candidates(const sd_fp *const *fps, const size_t *nfp, size_t ndocs, unsigned max_df,
                   unsigned max_occ, size_t max_anchors, sd_kv **out, size_t *nout,
                   sd_cand_stats *st)
{
    sd_kv *post = NULL;
    size_t total = 0, d, i, k;
    int rc;

    memset(st, 0, sizeof *st);
    *out = NULL;
    *nout = 0;
    for (d = 0; d < ndocs; d++)
        total += nfp[d];
    st->postings = total;
    if (total == 0)
        return 0;
    post = sd__reallocarray(NULL, total, sizeof *post);
    if (!post)
        return SD_ENOMEM;
    for (d = 0, k = 0; d < ndocs; d++)
        for (i = 0; i < nfp[d]; i++, k++) {
            post[k].key = fps[d][i].hash;
            post[k].val = ((uint64_t)d << 32) | fps[d][i].pos;
        }
    rc = sd__anchors(post, total, max_df, max_occ, max_anchors, out, nout, st);
    sd__free(post);
    return rc;
}
