/*
 * charset.h: bytes in any charset to valid UTF-8 (the "decode" stage).
 *
 * The charset is taken from `declared` (an HTTP Content-Type or <meta>
 * charset, may be NULL) when it names one iconv knows and the bytes decode
 * under it; otherwise valid UTF-8 stays UTF-8, and anything else is detected
 * with uchardet and converted with iconv. Bytes that still do not decode are
 * replaced by U+FFFD: decoding never fails on content.
 * Pure and thread-safe (each call opens its own converter).
 */
#ifndef SD_INPUT_CHARSET_H
#define SD_INPUT_CHARSET_H

#include <stddef.h>

#include "base/buf.h"

/* Appends the UTF-8 form of p[0..n) to out. *used (may be NULL) gets a static
 * lowercase name of the charset applied ("utf-8", "windows-1252", ...);
 * *nrepl (may be NULL) the number of U+FFFD replacements made.
 * Returns 0, SD_ENOMEM or SD_ETOOBIG. */
int sd__decode_to_utf8(const char *p, size_t n, const char *declared, sd_buf *out,
                       const char **used, size_t *nrepl);

/* Case-insensitive search for the ASCII `needle` in p[0..n): its first
 * occurrence, or NULL. */
const char *sd__find_ci(const char *p, size_t n, const char *needle);

/*
 * The charset an HTML page declares in its first 4 KB: <meta charset=...>
 * or <meta http-equiv=Content-Type content="...; charset=...">, copied into
 * out (NUL-terminated, at most cap - 1 bytes). Returns 1 when found, else
 * 0. Pure and thread-safe.
 */
int sd__html_meta_charset(const char *p, size_t n, char *out, size_t cap);

#endif
