/*
 * winnow.c: winnowing over token k-grams (see winnow.h).
 *
 * The k-gram hash is a polynomial over the token hashes, rolled in O(1) per
 * token, then passed through a 64-bit finalizer so that the window minimum
 * is a fair sample. Only the last w k-gram hashes are kept (a ring); the
 * window minimum is recomputed only when it leaves the window, which is O(1)
 * amortized on real text.
 */
#include "sketch/winnow.h"

#include "base/alloc.h"
#include "sketch/mix.h"
#include "syndic.h"

#define ROLL_BASE 0x9E3779B97F4A7C15ull

void sd__winnow_params(unsigned min_passage, unsigned *k, unsigned *w)
{
    unsigned kk;
    if (min_passage < 2)
        min_passage = 2;
    kk = min_passage / 5;
    if (kk < 3)
        kk = 3;
    if (kk > 8)
        kk = 8;
    if (kk > min_passage)
        kk = min_passage;
    *k = kk;
    *w = min_passage - kk + 1;
}

uint64_t sd__kgram_hash(const sd_token *t, unsigned k)
{
    uint64_t h = 0;
    unsigned i;
    for (i = 0; i < k; i++)
        h = h * ROLL_BASE + t[i].hash;
    return sd__mix64(h);
}

/* Appends one fingerprint, growing the array. */
static int push(sd_fp **out, size_t *n, size_t *cap, uint64_t hash, size_t pos)
{
    if (SD_GROW(*out, *cap, *n + 1) != 0)
        return SD_ENOMEM;
    (*out)[*n].hash = hash;
    (*out)[*n].pos = (uint32_t)pos;
    (*out)[*n].pad_ = 0;
    (*n)++;
    return 0;
}

int sd__winnow(const sd_token *t, size_t nt, unsigned k, unsigned w, sd_fp **out, size_t *n,
               size_t *cap)
{
    /* the hashes of the last w k-grams, k-gram j in ring[j % w] */
    uint64_t small[64], *ring = small, top = 1, raw = 0, mval;
    size_t ng, i, j, win, mpos, last;
    int rc = 0;

    if (k == 0 || w == 0 || nt < k)
        return 0;
    ng = nt - k + 1;
    win = ng < w ? ng : w;
    if (win > 64 && !(ring = sd__malloc(win * sizeof *ring)))
        return SD_ENOMEM;
    /* room for the expected 2 / (w + 1) fingerprints per k-gram, so the
     * array rarely grows */
    if (SD_GROW(*out, *cap, *n + 2 * ng / (w + 1) + 2) != 0) {
        rc = SD_ENOMEM;
        goto fail;
    }
    /* top = ROLL_BASE^(k-1), the weight of the token leaving the k-gram */
    for (i = 1; i < k; i++)
        top *= ROLL_BASE;
    for (i = 0; i < k; i++)
        raw = raw * ROLL_BASE + t[i].hash;
    ring[0] = sd__mix64(raw);
    mpos = 0;
    mval = ring[0];
    for (j = 1; j < win; j++) {
        raw = (raw - t[j - 1].hash * top) * ROLL_BASE + t[j + k - 1].hash;
        ring[j] = sd__mix64(raw);
        if (ring[j] <= mval) {
            mpos = j;
            mval = ring[j];
        }
    }
    if ((rc = push(out, n, cap, mval, mpos)) != 0)
        goto fail;
    last = mpos;
    /* the window [i - w + 1, i] for each further k-gram i */
    for (i = win; i < ng; i++) {
        size_t lo = i + 1 - w;
        uint64_t g;
        raw = (raw - t[i - 1].hash * top) * ROLL_BASE + t[i + k - 1].hash;
        g = sd__mix64(raw);
        ring[i % w] = g;
        if (g <= mval) {
            mpos = i;
            mval = g;
        } else if (mpos < lo) {
            mpos = lo;
            mval = ring[lo % w];
            for (j = lo + 1; j <= i; j++)
                if (ring[j % w] <= mval) {
                    mpos = j;
                    mval = ring[j % w];
                }
        }
        if (mpos != last) {
            if ((rc = push(out, n, cap, mval, mpos)) != 0)
                goto fail;
            last = mpos;
        }
    }
fail:
    if (ring != small)
        sd__free(ring);
    return rc;
}
