/*
 * keysort.h: sorting (key, value) pairs, the group-by under candidate
 * generation (LSH band hashes, winnowed fingerprints).
 *
 * sd__kv_sort orders by key, then by value, with an LSD radix sort: the
 * result is fully determined by the input multiset, so callers that group
 * equal keys get the same groups in the same order whatever produced them.
 */
#ifndef SD_BASE_KEYSORT_H
#define SD_BASE_KEYSORT_H

#include <stddef.h>
#include <stdint.h>

typedef struct sd_kv {
    uint64_t key;
    uint64_t val;
} sd_kv;

/* Sorts v[0..n) by (key, val). Needs n elements of scratch; returns 0 or
 * SD_ENOMEM (v unchanged). */
int sd__kv_sort(sd_kv *v, size_t n);

/* The first index i of v[0..n), sorted by key, with v[i].key >= key (n
 * when none). */
size_t sd__kv_lower(const sd_kv *v, size_t n, uint64_t key);

/* Sorts v[0..n) and drops repeated pairs; returns the new count, or
 * SD_ENOMEM (< 0). */
long sd__kv_unique(sd_kv *v, size_t n);

/* Sorts an array of uint64_t ascending. Returns 0 or SD_ENOMEM. */
int sd__u64_sort(uint64_t *v, size_t n);

#endif
