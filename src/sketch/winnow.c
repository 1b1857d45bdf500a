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

#include <string.h>

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

int sd__winnower_init(sd_winnower *z, unsigned k, unsigned w)
{
    unsigned i;
    memset(z, 0, sizeof *z);
    z->k = k;
    z->w = w;
    z->ring = z->small_ring;
    z->toks = z->small_toks;
    if (k == 0 || w == 0)
        return 0;
    if ((w > 64 && !(z->ring = sd__malloc(w * sizeof *z->ring))) ||
        (k > 64 && !(z->toks = sd__malloc(k * sizeof *z->toks)))) {
        sd__winnower_release(z);
        return SD_ENOMEM;
    }
    /* top = ROLL_BASE^(k-1), the weight of the token leaving the k-gram */
    z->top = 1;
    for (i = 1; i < k; i++)
        z->top *= ROLL_BASE;
    return 0;
}

void sd__winnower_release(sd_winnower *z)
{
    if (z->ring != z->small_ring)
        sd__free(z->ring);
    if (z->toks != z->small_toks)
        sd__free(z->toks);
    z->ring = z->small_ring;
    z->toks = z->small_toks;
}

int sd__winnower_add(sd_winnower *z, const sd_token *t, size_t nt, sd_fp **out, size_t *n,
                     size_t *cap)
{
    uint64_t raw = z->raw, top = z->top, mval = z->mval;
    size_t i = z->kgrams, mpos = z->mpos, last = z->last, p, j;
    unsigned k = z->k, w = z->w, at = z->tok_at;
    int rc = 0;
    if (k == 0 || w == 0)
        return 0;
    /* room for the expected 2 / (w + 1) fingerprints per k-gram, so the
     * array rarely grows */
    if (z->tokens + nt >= k && SD_GROW(*out, *cap, *n + 2 * nt / (w + 1) + 2) != 0)
        return SD_ENOMEM;
    for (p = 0; p < nt; p++) {
        uint64_t h = t[p].hash, g;
        /* the last k token hashes, the oldest at toks[at] once k are seen */
        uint64_t leaving = z->toks[at];
        z->toks[at] = h;
        at = at + 1 == k ? 0 : at + 1;
        if (z->tokens + p < k - 1) { /* the first k-gram is not whole yet */
            raw = raw * ROLL_BASE + h;
            continue;
        }
        raw = z->tokens + p < k ? raw * ROLL_BASE + h : (raw - leaving * top) * ROLL_BASE + h;
        g = sd__mix64(raw);
        /* k-gram i; the window [i - w + 1, i] */
        z->ring[i % w] = g;
        if (i < w) { /* the first window: its smallest, rightmost on ties */
            if (i == 0 || g <= mval) {
                mpos = i;
                mval = g;
            }
            if (i == w - 1) {
                if ((rc = push(out, n, cap, mval, mpos)) != 0)
                    break;
                last = mpos;
            }
        } else {
            size_t lo = i + 1 - w;
            if (g <= mval) {
                mpos = i;
                mval = g;
            } else if (mpos < lo) {
                mpos = lo;
                mval = z->ring[lo % w];
                for (j = lo + 1; j <= i; j++)
                    if (z->ring[j % w] <= mval) {
                        mpos = j;
                        mval = z->ring[j % w];
                    }
            }
            if (mpos != last) {
                if ((rc = push(out, n, cap, mval, mpos)) != 0)
                    break;
                last = mpos;
            }
        }
        i++;
    }
    z->raw = raw;
    z->mval = mval;
    z->mpos = mpos;
    z->last = last;
    z->kgrams = i;
    z->tok_at = at;
    z->tokens += p;
    return rc;
}

int sd__winnower_finish(sd_winnower *z, sd_fp **out, size_t *n, size_t *cap)
{
    /* fewer k-grams than a window: the smallest of them all */
    if (z->kgrams > 0 && z->kgrams < z->w)
        return push(out, n, cap, z->mval, z->mpos);
    return 0;
}

int sd__winnow(const sd_token *t, size_t nt, unsigned k, unsigned w, sd_fp **out, size_t *n,
               size_t *cap)
{
    sd_winnower z;
    int rc = sd__winnower_init(&z, k, w);
    if (rc == 0)
        rc = sd__winnower_add(&z, t, nt, out, n, cap);
    if (rc == 0)
        rc = sd__winnower_finish(&z, out, n, cap);
    sd__winnower_release(&z);
    return rc;
}
