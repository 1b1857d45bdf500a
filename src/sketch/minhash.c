/*
 * minhash.c: one-permutation MinHash over word n-gram shingles.
 */
#include "sketch/minhash.h"

#include <string.h>

#include "sketch/mix.h"
#include "syndic.h"

void sd__oph_init(uint32_t *sig, unsigned k)
{
    memset(sig, 0xFF, (size_t)k * sizeof *sig);
}

/*
 * Optimal densification: an empty bin i probes bins chosen by the hash of
 * (seed, i, attempt) until it meets a bin that was filled by a shingle, and
 * copies that bin's value. The probe sequence depends only on i, so two
 * documents fill the same empty bin from the same source whenever the source
 * is filled in both, which is what keeps the estimator unbiased.
 */
void sd__oph_densify(uint32_t *sig, unsigned k, uint64_t seed)
{
    unsigned char filled[SD_MINHASH_MAX_PERM];
    unsigned i, nfilled = 0;
    for (i = 0; i < k; i++) {
        filled[i] = sig[i] != SD_MINHASH_EMPTY;
        nfilled += filled[i];
    }
    if (nfilled == 0 || nfilled == k)
        return;
    for (i = 0; i < k; i++) {
        uint64_t attempt;
        if (filled[i])
            continue;
        for (attempt = 1;; attempt++) {
            uint64_t h = sd__mix64(seed ^ sd__mix64(((uint64_t)i << 32) | attempt));
            unsigned j = (unsigned)(((unsigned __int128)h * k) >> 64);
            if (filled[j]) {
                sig[i] = sig[j];
                break;
            }
        }
    }
}

/* Odd multiplier of the shingle polynomial. */
#define SHINGLE_P 0x9E3779B97F4A7C15ull

/* The seed enters through a mixed key computed once per document. */
static inline uint64_t seed_key(uint64_t seed)
{
    return sd__mix64(seed + 0x632BE59BD9B4E019ull);
}

static inline uint64_t shingle_final(uint64_t poly, uint64_t key)
{
    return sd__mix64(poly ^ key);
}

uint64_t sd__shingle_hash(const uint64_t *h, size_t n, uint64_t seed)
{
    uint64_t poly = 0;
    size_t j;
    for (j = 0; j < n; j++)
        poly = poly * SHINGLE_P + h[j];
    return shingle_final(poly, seed_key(seed));
}

size_t sd__minhash_tokens(const sd_token *t, size_t n, unsigned ngram, unsigned k, uint64_t seed,
                          uint32_t *sig)
{
    uint64_t poly = 0, top = 1; /* top = P^(ngram-1): the weight of the oldest token */
    uint64_t key = seed_key(seed);
    size_t i, count = 0;
    unsigned j;
    sd__oph_init(sig, k);
    if (n == 0)
        return 0;
    if (n < ngram) {
        for (i = 0; i < n; i++)
            poly = poly * SHINGLE_P + t[i].hash;
        sd__oph_add(sig, k, shingle_final(poly, key));
        count = 1;
    } else {
        for (j = 0; j < ngram; j++) {
            poly = poly * SHINGLE_P + t[j].hash;
            if (j)
                top *= SHINGLE_P;
        }
        sd__oph_add(sig, k, shingle_final(poly, key));
        count = 1;
        for (i = ngram; i < n; i++) {
            poly = (poly - t[i - ngram].hash * top) * SHINGLE_P + t[i].hash;
            sd__oph_add(sig, k, shingle_final(poly, key));
            count++;
        }
    }
    sd__oph_densify(sig, k, seed);
    return count;
}

unsigned sd__minhash_matches(const uint32_t *a, const uint32_t *b, unsigned k)
{
    unsigned i, m = 0;
    for (i = 0; i < k; i++)
        m += a[i] == b[i];
    return m;
}

double sd_minhash_similarity(const uint32_t *a, const uint32_t *b, unsigned num_perm)
{
    if (num_perm == 0)
        return 0.0;
    return (double)sd__minhash_matches(a, b, num_perm) / (double)num_perm;
}
