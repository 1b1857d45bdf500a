/*
 * lsh.c: banding of MinHash signatures.
 */
#include "match/lsh.h"

#include <math.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "base/alloc.h"
#include "syndic.h"

double sd__lsh_probability(double s, unsigned bands, unsigned rows)
{
    return 1.0 - pow(1.0 - pow(s, (double)rows), (double)bands);
}

/* Integral of f over [a, b] by Simpson's rule on 40 intervals: the curve is
 * smooth, so this is as precise as the choice needs: test_sketch.c checks
 * that the banding picked costs at most 0.1% more than the one a
 * 1000-interval integration picks. */
static double area(double a, double b, unsigned bands, unsigned rows, int above)
{
    const int n = 40;
    double h = (b - a) / n, sum = 0;
    int i;
    if (b <= a)
        return 0;
    for (i = 0; i <= n; i++) {
        double s = a + h * i;
        double p = sd__lsh_probability(s, bands, rows);
        double f = above ? 1.0 - p : p;
        double w = (i == 0 || i == n) ? 1 : (i % 2 ? 4 : 2);
        sum += w * f;
    }
    return sum * h / 3;
}

void sd__lsh_params(double threshold, unsigned k, double w_fp, double w_fn, unsigned *bands,
                    unsigned *rows)
{
    double best = INFINITY;
    unsigned b, r;
    *bands = 1;
    *rows = k;
    for (b = 1; b <= k; b++) {
        for (r = 1; r * b <= k; r++) {
            double fp = area(0.0, threshold, b, r, 0);
            double fn = area(threshold, 1.0, b, r, 1);
            double cost = w_fp * fp + w_fn * fn;
            if (cost < best - 1e-12) {
                best = cost;
                *bands = b;
                *rows = r;
            }
        }
    }
}

uint64_t sd__lsh_band_hash(const uint32_t *sig, unsigned band, unsigned rows, uint64_t seed)
{
    return XXH3_64bits_withSeed(sig + (size_t)band * rows, rows * sizeof *sig,
                                seed + 0x9E3779B97F4A7C15ull * (band + 1));
}

static int push(sd_kv **pairs, size_t *npairs, size_t *cap, uint64_t a, uint64_t b)
{
    if (*npairs == *cap && SD_GROW(*pairs, *cap, *npairs + 1))
        return SD_ENOMEM;
    (*pairs)[*npairs].key = a < b ? a : b;
    (*pairs)[*npairs].val = a < b ? b : a;
    (*npairs)++;
    return 0;
}

int sd__lsh_pairs(const sd_kv *sorted, size_t n, size_t full, sd_kv **pairs, size_t *npairs,
                  size_t *cap)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i + 1, x, y;
        while (j < n && sorted[j].key == sorted[i].key)
            j++;
        if (j - i <= full) {
            for (x = i; x < j; x++)
                for (y = x + 1; y < j; y++)
                    if (push(pairs, npairs, cap, sorted[x].val, sorted[y].val))
                        return SD_ENOMEM;
        } else {
            for (x = i + 1; x < j; x++) {
                if (push(pairs, npairs, cap, sorted[i].val, sorted[x].val))
                    return SD_ENOMEM;
                if (x > i + 1 && push(pairs, npairs, cap, sorted[x - 1].val, sorted[x].val))
                    return SD_ENOMEM;
            }
        }
        i = j;
    }
    return 0;
}
