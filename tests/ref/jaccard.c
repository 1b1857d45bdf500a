/*
 * jaccard.c: exact shingle sets and their Jaccard similarity, by sorting.
 */
#include "ref/jaccard.h"

#include <stdlib.h>
#include <string.h>

#include "sketch/minhash.h"
#include "text/tokenize.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

long ref_shingles(const char *text, size_t len, unsigned ngram, uint64_t seed, uint64_t **out)
{
    sd_tokens t;
    uint64_t *h, *set;
    size_t i, n, m = 0, w = 0;
    sd__tokens_init(&t);
    *out = NULL;
    if (sd__tokenize(text, len, seed, &t) != 0)
        return -1;
    n = t.n;
    h = malloc((n ? n : 1) * sizeof *h);
    set = malloc((n ? n : 1) * sizeof *set);
    if (h == NULL || set == NULL) {
        free(h);
        free(set);
        sd__tokens_release(&t);
        return -1;
    }
    for (i = 0; i < n; i++)
        h[i] = t.v[i].hash;
    if (n > 0 && n < ngram)
        set[m++] = sd__shingle_hash(h, n, seed);
    for (i = 0; n >= ngram && i + ngram <= n; i++)
        set[m++] = sd__shingle_hash(h + i, ngram, seed);
    qsort(set, m, sizeof *set, cmp_u64);
    for (i = 0; i < m; i++)
        if (w == 0 || set[w - 1] != set[i])
            set[w++] = set[i];
    free(h);
    sd__tokens_release(&t);
    *out = set;
    return (long)w;
}

double ref_jaccard(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t i = 0, j = 0, inter = 0;
    if (na == 0 && nb == 0)
        return 1.0;
    while (i < na && j < nb) {
        if (a[i] == b[j]) {
            inter++;
            i++;
            j++;
        } else if (a[i] < b[j]) {
            i++;
        } else {
            j++;
        }
    }
    return (double)inter / (double)(na + nb - inter);
}
