/*
 * lsh.h: locality-sensitive hashing over MinHash signatures: choosing bands
 * and rows for a threshold, hashing bands, and turning band collisions into
 * candidate pairs.
 */
#ifndef SD_MATCH_LSH_H
#define SD_MATCH_LSH_H

#include <stddef.h>
#include <stdint.h>

#include "base/keysort.h"

/*
 * Picks b bands of r rows (b*r <= k) minimizing
 *     w_fp * integral_0^t P(s) ds + w_fn * integral_t^1 (1 - P(s)) ds,
 * P(s) = 1 - (1 - s^r)^b, the chance that two documents of similarity s
 * share at least one band: the areas of the S-curve on the wrong side of the
 * threshold. Since every candidate is verified afterwards, a false positive
 * costs only a comparison while a false negative is a lost duplicate, so the
 * caller weighs them accordingly.
 */
void sd__lsh_params(double threshold, unsigned k, double w_fp, double w_fn, unsigned *bands,
                    unsigned *rows);

/* P(s) for b bands of r rows. */
double sd__lsh_probability(double s, unsigned bands, unsigned rows);

/* Hash of band `band` (rows values starting at sig + band*rows). */
uint64_t sd__lsh_band_hash(const uint32_t *sig, unsigned band, unsigned rows, uint64_t seed);

/*
 * Given (band hash, doc) pairs sorted by sd__kv_sort, appends candidate pairs
 * (key = smaller doc, val = larger doc) for documents that share a bucket:
 * every pair in buckets of up to `full` members; in larger buckets each member
 * is paired with the bucket's first and its predecessor, which keeps the
 * output linear while union-find still sees every member connected.
 * Returns 0 or SD_ENOMEM.
 */
int sd__lsh_pairs(const sd_kv *sorted, size_t n, size_t full, sd_kv **pairs, size_t *npairs,
                  size_t *cap);

/*
 * The candidate pairs member x of one bucket (bucket[0..n), sorted by
 * document: val) makes with the members before it, appended as
 * sd__lsh_pairs appends them: with every one of them in a bucket of up to
 * `full` members; in a larger one, with the bucket's first and with its
 * predecessor. sd__lsh_pairs is this for every member of every bucket.
 * Returns 0 or SD_ENOMEM.
 */
int sd__lsh_member_pairs(const sd_kv *bucket, size_t n, size_t full, size_t x, sd_kv **pairs,
                         size_t *npairs, size_t *cap);

#endif
