/*
 * minhash.h: MinHash signatures by one-permutation hashing (OPH) with
 * optimal densification (Shrivastava, ICML 2017).
 *
 * Each shingle hash h goes to bin floor(h * K / 2^64) and the bin keeps the
 * smallest low 32 bits seen. Empty bins (documents with fewer shingles than
 * bins) borrow the value of a bin picked by a per-bin hash chain, which keeps
 * the collision probability of two signatures at each position equal to the
 * Jaccard similarity of their shingle sets. One hash per shingle instead of
 * K makes this far cheaper than K-permutation MinHash.
 *
 * All functions are pure and thread-safe.
 */
#ifndef SD_SKETCH_MINHASH_H
#define SD_SKETCH_MINHASH_H

#include <stddef.h>
#include <stdint.h>

#include "text/tokenize.h"

#define SD_MINHASH_MAX_PERM 1024u
/* Most bins one sketch may have: dedup sketches 2 * num_perm bins (the
 * second half only to verify candidates). */
#define SD_MINHASH_MAX_BINS (2 * SD_MINHASH_MAX_PERM)
#define SD_MINHASH_EMPTY 0xFFFFFFFFu

/* Starts a signature of K values (all bins empty). */
void sd__oph_init(uint32_t *sig, unsigned k);

/* Adds one shingle hash to the signature. The bin is always written (the
 * smaller of the two values, a conditional move): whether a shingle lowers
 * its bin is a coin toss a branch would mispredict. */
static inline void sd__oph_add(uint32_t *sig, unsigned k, uint64_t h)
{
    unsigned bin = (unsigned)(((unsigned __int128)h * k) >> 64);
    uint32_t v = (uint32_t)h, old = sig[bin];
    sig[bin] = v < old ? v : old;
}

/*
 * Where each bin's probe sequence first reaches each other bin: at[j * k + i]
 * is the first attempt at which empty bin i probes bin j (UINT16_MAX: not
 * within 65,534 attempts). With it, densifying a sparse signature (m filled
 * bins, a short text's few shingles) costs m table reads per empty bin
 * instead of about k / m hashes: the source is the filled bin reached
 * first. k * k two-byte entries (512 KiB for 512 bins), read-only, so the
 * job's threads share it; the first one made is kept for the process and
 * shared by later jobs of the same k and seed.
 */
typedef struct sd_oph_first {
    unsigned k;
    uint64_t seed;
    uint16_t *at;
    int shared; /* the process's kept table: not freed with the job */
} sd_oph_first;

/* Documents a job sketches before it makes the table: the table costs
 * about 60 million instructions for 512 bins, what densifying 64 short
 * texts (12 words) by hashing costs, to the same signatures. */
#define SD_OPH_FIRST_DOCS 64

/* Makes the table for signatures of k bins and this seed: 0 or SD_ENOMEM. */
int sd__oph_first_init(sd_oph_first *f, unsigned k, uint64_t seed);
void sd__oph_first_release(sd_oph_first *f);

/* Fills empty bins by optimal densification. A signature with no shingle at
 * all stays all SD_MINHASH_EMPTY. `seed` must be the same for all signatures
 * that are compared. `first` (may be NULL), made for this k and seed, speeds
 * up sparse signatures; the result is the same with it or without. */
void sd__oph_densify(uint32_t *sig, unsigned k, uint64_t seed, const sd_oph_first *first);

/*
 * The hash of a shingle of n token hashes h[0..n): the polynomial
 * sum h[j] * P^(n-1-j) (mod 2^64), finalized by a 64-bit mixer with the seed.
 * The polynomial lets sd__minhash_tokens slide the window in O(1) per token;
 * this direct form is what tests and the exact oracle use.
 */
uint64_t sd__shingle_hash(const uint64_t *h, size_t n, uint64_t seed);

/*
 * The same signature built from a token sequence given in pieces, so a
 * long text need not be tokenized whole (dedup tokenizes a large record a
 * megabyte at a time). The state keeps the last ngram token hashes between
 * pieces; the result equals sd__minhash_tokens over the pieces joined.
 */
typedef struct sd_shingler {
    uint32_t *sig;
    unsigned k, ngram;
    uint64_t key, top, poly; /* top = P^(ngram-1), the oldest token's weight */
    uint64_t seen;           /* tokens added so far */
    size_t count;            /* shingles added so far */
    uint64_t last[64];       /* the last min(seen, ngram) hashes, oldest first */
} sd_shingler;

/* Starts a signature of k bins in sig (ngram from 1 to 64). */
void sd__shingler_init(sd_shingler *s, unsigned ngram, unsigned k, uint64_t seed, uint32_t *sig);
/* Adds the shingles that end in the tokens t[0..n). */
void sd__shingler_add(sd_shingler *s, const sd_token *t, size_t n);
/* Ends the signature (densified with `first`, may be NULL); returns the
 * number of shingles. */
size_t sd__shingler_finish(sd_shingler *s, uint64_t seed, const sd_oph_first *first);

/* The signature of a token sequence: word n-gram shingles (a text with fewer
 * than n tokens gives one shingle of all of them), each hashed by
 * sd__shingle_hash, densified with `first` (may be NULL). Returns the number
 * of shingles. */
size_t sd__minhash_tokens(const sd_token *t, size_t n, unsigned ngram, unsigned k, uint64_t seed,
                          uint32_t *sig, const sd_oph_first *first);

/* Number of equal positions of two signatures of K values. */
unsigned sd__minhash_matches(const uint32_t *a, const uint32_t *b, unsigned k);

#endif
