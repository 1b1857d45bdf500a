/*
 * utf8.c: strict UTF-8 validation, maximal-subpart repair, decode, encode.
 *
 * Validation follows Table 3-7 of the Unicode Standard ("well-formed UTF-8
 * byte sequences"): the second byte's range depends on the lead byte, which
 * rules out overlongs (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF)
 * and code points above U+10FFFF (F4 90.., F5..FF). ASCII, the common case,
 * is skipped sixteen bytes at a time.
 */
#include "base/utf8.h"

#include <string.h>

#include "syndic.h"

#define HIGH_BITS 0x8080808080808080ull

static uint64_t load64(const unsigned char *s)
{
    uint64_t v;
    memcpy(&v, s, sizeof v);
    return v;
}

size_t sd__utf8_valid(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        size_t l;
        if (s[i] < 0x80) {
            /* Skip ASCII in 16- then 8-byte strides, then bytewise. */
            while (i + 16 <= n && ((load64(s + i) | load64(s + i + 8)) & HIGH_BITS) == 0)
                i += 16;
            if (i + 8 <= n && (load64(s + i) & HIGH_BITS) == 0)
                i += 8;
            while (i < n && s[i] < 0x80)
                i++;
            continue;
        }
        l = sd__utf8_seq(s + i, n - i);
        if (l == 0)
            return i;
        i += l;
    }
    return n;
}

int sd__utf8_repair(const char *p, size_t n, sd_buf *out, size_t *nrepl)
{
    static const char fffd[3] = {(char)0xEF, (char)0xBF, (char)0xBD};
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0, count = 0;
    int rc;
    while (i < n) {
        size_t good = sd__utf8_valid(p + i, n - i);
        if (good) {
            rc = sd__buf_append(out, p + i, good);
            if (rc)
                goto fail;
            i += good;
        }
        if (i == n)
            break;
        rc = sd__buf_append(out, fffd, sizeof fffd);
        if (rc)
            goto fail;
        count++;
        i += sd__utf8_bad(s + i, n - i);
    }
    if (nrepl)
        *nrepl = count;
    return 0;
fail:
    if (nrepl)
        *nrepl = count;
    return rc;
}

uint32_t sd__utf8_decode(const char *p, size_t n, size_t *len)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t l;
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    l = sd__utf8_seq(s, n);
    *len = l ? l : 1;
    switch (l) {
    case 2: return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3Fu);
    case 3:
        return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3Fu);
    case 4:
        return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
               ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3Fu);
    default: return SD_UTF8_INVALID;
    }
}

size_t sd__utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}
