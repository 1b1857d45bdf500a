/*
 * winnow.h: winnowing fingerprints over token k-grams (Schleimer, Wilkerson
 * and Aiken, "Winnowing: local algorithms for document fingerprinting").
 *
 * Every k consecutive tokens form a k-gram whose 64-bit hash mixes the token
 * hashes in order. Of every window of w consecutive k-gram hashes the
 * smallest is selected (the rightmost one on ties, "robust winnowing"), and
 * each selected k-gram becomes a fingerprint that keeps its token position.
 * Because the choice depends only on the window's content, any run of at
 * least w + k - 1 equal tokens in two documents yields at least one equal
 * fingerprint in both. Pure functions; the caller owns every array.
 */
#ifndef SD_SKETCH_WINNOW_H
#define SD_SKETCH_WINNOW_H

#include <stddef.h>
#include <stdint.h>

#include "text/tokenize.h"

typedef struct sd_fp {
    uint64_t hash; /* the k-gram's hash */
    uint32_t pos;  /* index of the k-gram's first token */
    uint32_t pad_;
} sd_fp;

/*
 * The k-gram length and window for a minimum passage of `min_passage`
 * tokens (at least 2): k is about a fifth of it, between 3 and 8, and
 * w = min_passage - k + 1, so every shared run of min_passage tokens is
 * guaranteed a fingerprint.
 */
void sd__winnow_params(unsigned min_passage, unsigned *k, unsigned *w);

/*
 * Appends to *out (capacity *cap, count *n, grown with sd__grow) the
 * fingerprints of the token hashes t[0..nt), in increasing position. A
 * text with fewer than k tokens has none; one with fewer than w k-grams
 * gets the minimum of all its k-grams. k, w >= 1. Returns 0 or SD_ENOMEM.
 */
int sd__winnow(const sd_token *t, size_t nt, unsigned k, unsigned w, sd_fp **out, size_t *n,
               size_t *cap);

/*
 * The same fingerprints from token hashes given in pieces, so a long text
 * need not be tokenized whole: init, add the pieces in order, finish,
 * release. The fingerprints equal sd__winnow's over the pieces joined
 * (positions count from the first piece's first token).
 */
typedef struct sd_winnower {
    unsigned k, w, tok_at;
    uint64_t top, raw, mval;
    uint64_t tokens;           /* tokens added */
    size_t kgrams, mpos, last; /* k-grams hashed; the window's pick; the last pushed */
    uint64_t *ring, *toks;     /* the last w k-gram hashes; the last k token hashes */
    uint64_t small_ring[64], small_toks[64];
} sd_winnower;

int sd__winnower_init(sd_winnower *z, unsigned k, unsigned w); /* 0 or SD_ENOMEM */
int sd__winnower_add(sd_winnower *z, const sd_token *t, size_t nt, sd_fp **out, size_t *n,
                     size_t *cap);
int sd__winnower_finish(sd_winnower *z, sd_fp **out, size_t *n, size_t *cap);
void sd__winnower_release(sd_winnower *z);

/* The hash of the k-gram starting at t[0] (the value sd__winnow selects on). */
uint64_t sd__kgram_hash(const sd_token *t, unsigned k);

#endif
