/*
 * asciiword.h: the pieces of the tokenizer's ASCII fast path that its byte
 * loop (tokenize.c) and its block scanner (wordscan.c) share: telling ASCII
 * letters and digits from the rest eight bytes at a time, and the XXH3-64
 * hash of a lowercased word computed from registers. Pure functions.
 */
#ifndef SD_TEXT_ASCIIWORD_H
#define SD_TEXT_ASCIIWORD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "text/tokenize.h"

#define SD_ONES 0x0101010101010101ull

static inline uint64_t sd__load64(const unsigned char *s)
{
    uint64_t v;
    memcpy(&v, s, sizeof v);
    return v;
}

/*
 * For eight bytes in v (little-endian: byte 0 first in the text), a mask
 * with the high bit set in each byte that is not an ASCII letter or digit.
 * Range tests on 7-bit bytes cannot carry between bytes: x + (0x80 - lo)
 * has its high bit set when x >= lo, x + (0x7F - hi) when x > hi.
 */
static inline uint64_t sd__alnum_stop(uint64_t v)
{
    uint64_t hi = v & SD_ONES * 0x80, x = v & SD_ONES * 0x7F, y = x | SD_ONES * 0x20;
    uint64_t digit = (x + SD_ONES * (0x80 - '0')) & ~(x + SD_ONES * (0x7F - '9'));
    uint64_t alpha = (y + SD_ONES * (0x80 - 'a')) & ~(y + SD_ONES * (0x7F - 'z'));
    return ~((digit | alpha) & ~hi) & SD_ONES * 0x80;
}

/*
 * XXH3-64 of a fast-path word, with the hash's short-input code inlined
 * here (flatten) instead of reached through a call: the hash is a third of
 * the fast path's time. Same value as XXH3_64bits_withSeed.
 */
__attribute__((flatten)) static inline uint64_t sd__hash_word(const char *p, size_t n,
                                                              uint64_t seed)
{
    return XXH3_64bits_withSeed(p, n, seed);
}

/*
 * XXH3-64 (withSeed) of 1 to 16 bytes, in two pieces. XXH3 hashes 1-3,
 * 4-8 and 9-16 bytes three different ways; word lengths in prose vary from
 * one word to the next, so the hash's own length tests mispredict. Words
 * of 1 to 8 bytes (nine in ten) take one piece, which computes both of
 * their hashes from a register and selects one with a mask; the longer take
 * a branch to the other. (All three computed and selected, as before,
 * spent a third more instructions on the 9-16 byte hash of every word and
 * read it from memory across the word's start, and was 3% to 8% slower on
 * the bench corpus and on news text.) The keys are the secret words mixed
 * with the seed, fixed for a whole text. Equal to XXH3_64bits_withSeed
 * (the tests check every length on random data).
 */
typedef struct sd_word_keys {
    uint64_t k1, k4, k9lo, k9hi;
    uint64_t seed;
} sd_word_keys;

static inline uint32_t sd__load32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline void sd__word_keys_init(sd_word_keys *k, uint64_t seed)
{
    const unsigned char *sec = XXH3_kSecret;
    uint64_t s4 = seed ^ ((uint64_t)__builtin_bswap32((uint32_t)seed) << 32);
    k->k1 = (uint64_t)(sd__load32(sec) ^ sd__load32(sec + 4)) + seed;
    k->k4 = (sd__load64(sec + 8) ^ sd__load64(sec + 16)) - s4;
    k->k9lo = (sd__load64(sec + 24) ^ sd__load64(sec + 32)) + seed;
    k->k9hi = (sd__load64(sec + 40) ^ sd__load64(sec + 48)) - seed;
    k->seed = seed;
}

/*
 * 1 to 8 bytes, the word in the low len bytes of w (little-endian; the
 * bytes above it are ignored), taken from a register rather than read
 * back from memory byte by byte. The 1-3 and 4-8 byte hashes are both
 * computed and one is selected with a mask: short words and words of four
 * or more letters alternate without a pattern.
 */
static inline uint64_t sd__hash_upto8(uint64_t w, size_t len, const sd_word_keys *k)
{
    unsigned bits = (unsigned)len * 8;
    uint64_t h1, h4, m1;
    /* 1-3 bytes: the first, middle and last */
    h1 = ((w & 0xFF) << 16 | ((w >> ((len >> 1) * 8)) & 0xFF) << 24 | ((w >> (bits - 8)) & 0xFF) |
          (uint64_t)len << 8) ^
         k->k1;
    h1 ^= h1 >> 33;
    h1 *= 0xC2B2AE3D27D4EB4Full;
    h1 ^= h1 >> 29;
    h1 *= 0x165667B19E3779F9ull;
    h1 ^= h1 >> 32;
    /* 4-8 bytes: the last four and the first four (the shift is only
     * meaningful from 4 bytes up) */
    h4 = ((w >> ((bits - 32) & 63)) & 0xFFFFFFFFull) + (w << 32);
    h4 ^= k->k4;
    h4 ^= ((h4 << 49) | (h4 >> 15)) ^ ((h4 << 24) | (h4 >> 40));
    h4 *= 0x9FB21C651E98DF25ull;
    h4 ^= (h4 >> 35) + len;
    h4 *= 0x9FB21C651E98DF25ull;
    h4 ^= h4 >> 28;
    m1 = (uint64_t)0 - (uint64_t)(len <= 3);
    return (h1 & m1) | (h4 & ~m1);
}

#ifdef __SIZEOF_INT128__
/* 9 to 16 bytes, given as their first eight (first) and their last eight
 * (last), which overlap when len < 16. */
static inline uint64_t sd__hash_9to16(uint64_t first, uint64_t last, size_t len,
                                      const sd_word_keys *k)
{
    uint64_t lo = first ^ k->k9lo, hi = last ^ k->k9hi, h;
    __uint128_t prod = (__uint128_t)lo * hi;
    h = len + __builtin_bswap64(lo) + hi + ((uint64_t)prod ^ (uint64_t)(prod >> 64));
    h ^= h >> 37;
    h *= 0x165667919E3779F9ull;
    h ^= h >> 32;
    return h;
}
#endif

/* wordscan.c. From i, a place in p[0..n) between tokens (where
 * tokenize.c's byte loop starts on a word or a separator), appends to *o
 * the tokens of the plain words that follow (ASCII letters and digits up
 * to an ASCII separator or the end), 64 bytes at a time; returns where it
 * stopped: n, or a byte the byte loop is to take (a non-ASCII byte, the
 * start of a word that meets an apostrophe or a non-ASCII byte, or of a
 * word of 64 bytes or more). *rc gets 0, or SD_ENOMEM (the tokens so far
 * kept). */
size_t sd__scan_words(const char *p, size_t n, size_t i, const sd_word_keys *k, sd_tokens *o,
                      int *rc);

#endif
