/*
 * align_ref.h: slow, obvious oracles for the passage aligner: the longest
 * common substring of two token sequences and the unit-cost edit distance,
 * both by full O(n m) dynamic programming.
 */
#ifndef SD_REF_ALIGN_REF_H
#define SD_REF_ALIGN_REF_H

#include <stddef.h>
#include <stdint.h>

/* Longest common run of equal values; its start in a and b go to *ia, *ib.
 * Returns its length (0 when none), or SIZE_MAX on allocation failure. */
size_t ref_longest_common(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, size_t *ia,
                          size_t *ib);

/* Unit-cost (substitution, insertion, deletion) edit distance. */
size_t ref_edit_distance(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);

#endif
