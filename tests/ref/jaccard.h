/*
 * jaccard.h: slow, obvious exact Jaccard similarity of word n-gram shingle
 * sets, the oracle MinHash is measured against (tests and bench).
 */
#ifndef SD_REF_JACCARD_H
#define SD_REF_JACCARD_H

#include <stddef.h>
#include <stdint.h>

/* The sorted, distinct shingle hashes of a text (same shingles and hashes as
 * sd_minhash). *out is malloc'ed; returns the count, or -1 on failure. */
long ref_shingles(const char *text, size_t len, unsigned ngram, uint64_t seed, uint64_t **out);

/* Exact Jaccard of two sorted distinct sets (1 when both are empty). */
double ref_jaccard(const uint64_t *a, size_t na, const uint64_t *b, size_t nb);

#endif
