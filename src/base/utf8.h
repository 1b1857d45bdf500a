/*
 * utf8.h: UTF-8 validation, repair and code point decoding.
 * All functions are pure and thread-safe.
 */
#ifndef SD_BASE_UTF8_H
#define SD_BASE_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define SD_UTF8_INVALID 0xFFFFFFFFu

/*
 * For a byte c >= 0x80: how many continuation bytes it wants (0 when it
 * cannot start a sequence) and the allowed range of the byte right after
 * it; continuation bytes after the second are always 80..BF. These three
 * inline functions are the one definition of well-formed UTF-8 (Table 3-7
 * of the Unicode Standard) for the library and the program: inline because
 * non-Latin text reaches them once per character.
 */
static inline unsigned sd__utf8_lead(unsigned c, unsigned *lo, unsigned *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (c < 0xC2)
        return 0;
    if (c < 0xE0)
        return 1;
    if (c < 0xF0) {
        *lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlongs */
        *hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
        return 2;
    }
    if (c < 0xF5) {
        *lo = c == 0xF0 ? 0x90 : 0x80; /* no overlongs */
        *hi = c == 0xF4 ? 0x8F : 0xBF; /* nothing above U+10FFFF */
        return 3;
    }
    return 0;
}

/* Length of the well-formed sequence at s[0] (a byte >= 0x80), or 0 when
 * it is ill-formed or cut short by the end of the input at s + n. */
static inline size_t sd__utf8_seq(const unsigned char *s, size_t n)
{
    unsigned lo, hi, k = sd__utf8_lead(s[0], &lo, &hi), j;
    if (k == 0 || n <= k || s[1] < lo || s[1] > hi)
        return 0;
    for (j = 2; j <= k; j++)
        if ((s[j] & 0xC0) != 0x80)
            return 0;
    return k + 1;
}

/* Length of the maximal subpart of an ill-formed sequence at s[0] (where
 * sd__utf8_seq() said no): the lead byte and every following byte that
 * could still have completed it, at least 1. One U+FFFD replaces it. */
static inline size_t sd__utf8_bad(const unsigned char *s, size_t n)
{
    unsigned lo, hi, k = sd__utf8_lead(s[0], &lo, &hi);
    size_t m;
    if (k == 0 || n < 2 || s[1] < lo || s[1] > hi)
        return 1;
    for (m = 2; m <= k && m < n && (s[m] & 0xC0) == 0x80; m++)
        ;
    return m;
}

/* Length of the longest valid UTF-8 prefix of p[0..n) (== n when all valid).
 * Rejects overlongs, surrogates and code points above U+10FFFF. */
size_t sd__utf8_valid(const char *p, size_t n);

/* Appends p[0..n) to out, each maximal invalid subsequence replaced by U+FFFD
 * (the WHATWG / Unicode "maximal subpart" practice). *nrepl (may be NULL) gets
 * the number of replacements. Returns 0, SD_ENOMEM or SD_ETOOBIG. */
int sd__utf8_repair(const char *p, size_t n, sd_buf *out, size_t *nrepl);

/* Decodes the code point at p[0..n); *len gets its byte length (1 for an
 * invalid byte, whose value is SD_UTF8_INVALID). n must be > 0. */
uint32_t sd__utf8_decode(const char *p, size_t n, size_t *len);

/* Encodes cp (<= 0x10FFFF, not a surrogate) into out; returns 1..4. */
size_t sd__utf8_encode(uint32_t cp, char out[4]);

#endif
