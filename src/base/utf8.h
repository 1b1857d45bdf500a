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
