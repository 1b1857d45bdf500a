/*
 * lsh.c: banding of MinHash signatures.
 */
#include "match/lsh.h"

#include <math.h>
#include <pthread.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "base/alloc.h"
#include "syndic.h"

double sd__lsh_probability(double s, unsigned bands, unsigned rows)
{
    return 1.0 - pow(1.0 - pow(s, (double)rows), (double)bands);
}

/* The error areas are integrals by Simpson's rule on SIMPSON_N intervals
 * of [0, t] (false positives) and of [t, 1] (false negatives): the curve
 * is smooth, so this is as precise as the choice needs (test_sketch.c
 * checks that the banding picked costs at most 0.1% more than the one a
 * 1000-interval integration picks). */
#define SIMPSON_N 40

/* Simpson's weight of grid point i. */
static double simpson_w(int i)
{
    return (i == 0 || i == SIMPSON_N) ? 1 : (i % 2 ? 4 : 2);
}

/*
 * Every banding (b bands of r rows, b r <= k) is tried. A plain run pays
 * for the choice before its first document, so nothing is computed twice:
 * for each r, y = 1 - s^r at the grid's points once; a banding's
 * probability at a point is then 1 - y^b, and y^b for b = 1, 2, ... is
 * one multiplication from the last.
 */
static void choose(double threshold, unsigned k, double w_fp, double w_fn, unsigned *bands,
                   unsigned *rows)
{
    double best = INFINITY, lo[SIMPSON_N + 1], hi[SIMPSON_N + 1], lo_b[SIMPSON_N + 1],
           hi_b[SIMPSON_N + 1];
    double h_lo = threshold / SIMPSON_N, h_hi = (1.0 - threshold) / SIMPSON_N;
    unsigned b, r;
    int i;
    *bands = 1;
    *rows = k;
    for (r = 1; r <= k; r++) {
        for (i = 0; i <= SIMPSON_N; i++) {
            lo_b[i] = lo[i] = 1.0 - pow(h_lo * i, (double)r);
            hi_b[i] = hi[i] = 1.0 - pow(threshold + h_hi * i, (double)r);
        }
        for (b = 1; r * b <= k; b++) {
            double fp = 0, fn = 0, cost;
            if (b > 1)
                for (i = 0; i <= SIMPSON_N; i++) {
                    lo_b[i] *= lo[i];
                    hi_b[i] *= hi[i];
                }
            /* false positives: 1 - y^b below the threshold; false
             * negatives: y^b above it */
            for (i = 0; i <= SIMPSON_N; i++) {
                fp += simpson_w(i) * (1.0 - lo_b[i]);
                fn += simpson_w(i) * hi_b[i];
            }
            cost = w_fp * fp * h_lo / 3 + w_fn * fn * h_hi / 3;
            /* near ties go to fewer bands, then fewer rows */
            if (cost < best - 1e-12 ||
                (cost <= best + 1e-12 && (b < *bands || (b == *bands && r < *rows)))) {
                best = cost < best ? cost : best;
                *bands = b;
                *rows = r;
            }
        }
    }
}

/*
 * The last choice made stays for the life of the process, with its
 * arguments: a program that runs many jobs with the same options (a
 * notebook calling the Python package, a service) pays for the choice,
 * about 4 million instructions, once. A choice depends on its arguments
 * alone, so the kept one is the one that would be computed.
 */
static pthread_mutex_t last_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    int made;
    double threshold, w_fp, w_fn;
    unsigned k, bands, rows;
} last;

void sd__lsh_params(double threshold, unsigned k, double w_fp, double w_fn, unsigned *bands,
                    unsigned *rows)
{
    pthread_mutex_lock(&last_lock);
    if (!last.made || last.threshold != threshold || last.k != k || last.w_fp != w_fp ||
        last.w_fn != w_fn) {
        choose(threshold, k, w_fp, w_fn, &last.bands, &last.rows);
        last.made = 1;
        last.threshold = threshold;
        last.k = k;
        last.w_fp = w_fp;
        last.w_fn = w_fn;
    }
    *bands = last.bands;
    *rows = last.rows;
    pthread_mutex_unlock(&last_lock);
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

int sd__lsh_member_pairs(const sd_kv *bucket, size_t n, size_t full, size_t x, sd_kv **pairs,
                         size_t *npairs, size_t *cap)
{
    size_t y;
    if (n <= full) {
        for (y = 0; y < x; y++)
            if (push(pairs, npairs, cap, bucket[y].val, bucket[x].val))
                return SD_ENOMEM;
        return 0;
    }
    if (x > 0 && push(pairs, npairs, cap, bucket[0].val, bucket[x].val))
        return SD_ENOMEM;
    if (x > 1 && push(pairs, npairs, cap, bucket[x - 1].val, bucket[x].val))
        return SD_ENOMEM;
    return 0;
}

int sd__lsh_pairs(const sd_kv *sorted, size_t n, size_t full, sd_kv **pairs, size_t *npairs,
                  size_t *cap)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i + 1, x;
        while (j < n && sorted[j].key == sorted[i].key)
            j++;
        for (x = 0; x < j - i; x++)
            if (sd__lsh_member_pairs(sorted + i, j - i, full, x, pairs, npairs, cap))
                return SD_ENOMEM;
        i = j;
    }
    return 0;
}
