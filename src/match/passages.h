/*
 * passages.h: candidate document pairs for passage alignment, from winnowed
 * fingerprint postings.
 *
 * All (fingerprint, document, position) postings are sorted with
 * sd__kv_sort and grouped by fingerprint. A fingerprint found in more than
 * max_df documents (a site template, a copyright line, a stock phrase) is
 * dropped; for every other one, each pair of documents sharing it gets an
 * anchor (position in the first, position in the second). The anchors are
 * sorted by (pair, anchor), so the result depends only on the input.
 */
#ifndef SD_MATCH_PASSAGES_H
#define SD_MATCH_PASSAGES_H

#include <stddef.h>
#include <stdint.h>

#include "base/keysort.h"
#include "sketch/winnow.h"

typedef struct sd_cand_stats {
    uint64_t postings; /* fingerprints in all documents */
    uint64_t dropped;  /* distinct fingerprints over max_df documents */
    uint64_t anchors;  /* anchors emitted */
} sd_cand_stats;

/*
 * fps[d][0..nfp[d]) are document d's fingerprints (NULL/0 for none).
 * Writes to *out a sorted array of *nout anchors: key = (d1 << 32) | d2
 * with d1 < d2, val = (position in d1 << 32) | position in d2. At most
 * max_occ occurrences of a fingerprint per document are paired. At most
 * max_anchors anchors are made (SD_ETOOBIG beyond). The caller frees *out
 * with sd__free. Returns 0, SD_ENOMEM, SD_ETOOBIG.
 */
int sd__candidates(const sd_fp *const *fps, const size_t *nfp, size_t ndocs, unsigned max_df,
                   unsigned max_occ, size_t max_anchors, sd_kv **out, size_t *nout,
                   sd_cand_stats *st);

/*
 * Appends to (*out, *nout, *cap) the anchors of one fingerprint's postings
 * g[0..n), sorted by document then position: every pair of documents gets
 * an anchor per pair of occurrences, at most max_occ occurrences per
 * document. SD_ETOOBIG when *nout would pass max_anchors; SD_ENOMEM.
 */
int sd__pair_group(const sd_kv *g, size_t n, unsigned max_occ, size_t max_anchors, sd_kv **out,
                   size_t *nout, size_t *cap);

/*
 * The same from postings already made: post[0..total) are (fingerprint,
 * document << 32 | position) pairs in any order (sorted here, in place).
 * Adds to st->dropped and st->anchors. The several processes of a job
 * each call it on the postings whose fingerprints fall to them.
 */
int sd__anchors(sd_kv *post, size_t total, unsigned max_df, unsigned max_occ, size_t max_anchors,
                sd_kv **out, size_t *nout, sd_cand_stats *st);

#endif
