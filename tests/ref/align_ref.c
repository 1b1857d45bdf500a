/*
 * align_ref.c: the aligner's oracles, written the textbook way (see
 * align_ref.h). Plain malloc: the oracle is not under test.
 */
#include "ref/align_ref.h"

#include <stdlib.h>

size_t ref_longest_common(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, size_t *ia,
                          size_t *ib)
{
    size_t *prev = calloc(nb + 1, sizeof *prev), *cur = calloc(nb + 1, sizeof *cur), *tmp;
    size_t i, j, best = 0;
    *ia = *ib = 0;
    if (!prev || !cur) {
        free(prev);
        free(cur);
        return SIZE_MAX;
    }
    for (i = 1; i <= na; i++) {
        for (j = 1; j <= nb; j++) {
            cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : 0;
            if (cur[j] > best) {
                best = cur[j];
                *ia = i - best;
                *ib = j - best;
            }
        }
        tmp = prev;
        prev = cur;
        cur = tmp;
    }
    free(prev);
    free(cur);
    return best;
}

size_t ref_edit_distance(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    size_t *prev = malloc((nb + 1) * sizeof *prev), *cur = malloc((nb + 1) * sizeof *cur), *tmp;
    size_t i, j, d;
    if (!prev || !cur) {
        free(prev);
        free(cur);
        return SIZE_MAX;
    }
    for (j = 0; j <= nb; j++)
        prev[j] = j;
    for (i = 1; i <= na; i++) {
        cur[0] = i;
        for (j = 1; j <= nb; j++) {
            size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            cur[j] = best;
        }
        tmp = prev;
        prev = cur;
        cur = tmp;
    }
    d = prev[nb];
    free(prev);
    free(cur);
    return d;
}
