/*
 * test_utf8.c: validation and repair against a slow, obvious reference
 * decoder, exhaustively over every 1-, 2- and 3-byte input and over random
 * 4- to 12-byte ones; decode and encode round trips.
 */
#include <stdlib.h>

#include "base/buf.h"
#include "syndic.h"
#include "test.h"
#include "base/utf8.h"

/*
 * The reference decoder, written from the definition: the count of leading
 * one bits gives the length (0 -> 1 byte; 2, 3, 4 -> that many; else
 * invalid), each further byte must be 10xxxxxx, the payload bits make the
 * code point, which must need that length (no overlong), not be a surrogate
 * and not exceed U+10FFFF. Returns the length of the valid sequence at s, or
 * 0 when it is ill-formed or cut short.
 */
static size_t ref_seq(const unsigned char *s, size_t n)
{
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    size_t len = 0, j;
    uint32_t cp;
    while (len < 8 && (s[0] & (0x80u >> len)))
        len++;
    if (len == 0)
        return 1;
    if (len == 1 || len > 4 || n < len)
        return 0;
    cp = s[0] & (0x7Fu >> len);
    for (j = 1; j < len; j++) {
        if ((s[j] >> 6) != 2)
            return 0;
        cp = (cp << 6) | (s[j] & 0x3Fu);
    }
    if (cp < min_cp[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return len;
}

static size_t ref_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t l = ref_seq(s + i, n - i);
        if (l == 0)
            return i;
        i += l;
    }
    return n;
}

/*
 * Whether s[0..m) is the start of some well-formed sequence: completes it
 * with every combination of the continuation bytes at the edges of the
 * ranges that matter (80, 8F, 90, 9F, A0, BF) and asks the reference.
 */
static int ref_is_prefix(const unsigned char *s, size_t m)
{
    static const unsigned char edge[6] = {0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF};
    unsigned char t[4];
    size_t len = 0, j, combos = 1, c;
    while (len < 8 && (s[0] & (0x80u >> len)))
        len++;
    if (len < 2 || len > 4 || m > len)
        return 0;
    memcpy(t, s, m);
    for (j = m; j < len; j++)
        combos *= 6;
    for (c = 0; c < combos; c++) {
        size_t x = c;
        for (j = m; j < len; j++) {
            t[j] = edge[x % 6];
            x /= 6;
        }
        if (ref_seq(t, len) == len)
            return 1;
    }
    return 0;
}

/* Reference repair: a valid sequence is copied; otherwise the longest
 * proper prefix of a valid sequence (at least one byte) becomes U+FFFD. */
static size_t ref_repair(const unsigned char *s, size_t n, unsigned char *out, size_t *nrepl)
{
    size_t i = 0, o = 0;
    *nrepl = 0;
    while (i < n) {
        size_t l = ref_seq(s + i, n - i), m;
        if (l) {
            memcpy(out + o, s + i, l);
            o += l;
            i += l;
            continue;
        }
        m = 1;
        while (i + m < n && m < 4 && ref_is_prefix(s + i, m + 1))
            m++;
        out[o++] = 0xEF;
        out[o++] = 0xBF;
        out[o++] = 0xBD;
        (*nrepl)++;
        i += m;
    }
    return o;
}

static int check_repair(const unsigned char *s, size_t n, sd_buf *b)
{
    unsigned char want[64];
    size_t wn, wr, got_r = 99;
    int rc;
    wn = ref_repair(s, n, want, &wr);
    sd__buf_reset(b);
    rc = sd__utf8_repair((const char *)s, n, b, &got_r);
    if (rc != 0 || b->len != wn || memcmp(b->p, want, wn) != 0 || got_r != wr) {
        char hex[64];
        size_t i;
        for (i = 0; i < n && i < 12; i++)
            snprintf(hex + 3 * i, 4, "%02X ", s[i]);
        sd_test_fail(__FILE__, __LINE__, "repair of %s: got %zu bytes/%zu repl, want %zu/%zu", hex,
                     b->len, got_r, wn, wr);
        return 0;
    }
    return 1;
}

TEST(utf8_valid_exhaustive_1_2_3_bytes)
{
    unsigned char s[3];
    unsigned a, b, c;
    size_t bad = 0;
    for (a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        bad += sd__utf8_valid((const char *)s, 1) != ref_valid(s, 1);
        for (b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            bad += sd__utf8_valid((const char *)s, 2) != ref_valid(s, 2);
            for (c = 0; c < 256; c++) {
                s[2] = (unsigned char)c;
                bad += sd__utf8_valid((const char *)s, 3) != ref_valid(s, 3);
            }
        }
    }
    CHECK_EQ_INT(bad, 0);
}

TEST(utf8_repair_exhaustive_1_2_3_bytes)
{
    unsigned char s[3];
    unsigned a, b, c;
    sd_buf out;
    size_t bad = 0;
    sd__buf_init(&out, 0);
    for (a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        bad += !check_repair(s, 1, &out);
        for (b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            bad += !check_repair(s, 2, &out);
            /* An ASCII first byte leaves the 2-byte case, already covered. */
            for (c = 0; a >= 0x80 && c < 256 && bad < 10; c++) {
                s[2] = (unsigned char)c;
                bad += !check_repair(s, 3, &out);
            }
        }
    }
    CHECK_EQ_INT(bad, 0);
    sd__buf_release(&out);
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A byte drawn mostly from the interesting places: leads F0..F4, E0, ED,
 * the continuation ranges' edges, ASCII. */
static unsigned char rnd_byte(void)
{
    static const unsigned char pick[] = {0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                         0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED,
                                         0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
    uint64_t r = rnd();
    if (r & 1)
        return pick[(r >> 8) % sizeof pick];
    return (unsigned char)(r >> 16);
}

TEST(utf8_random_4_to_12_bytes)
{
    unsigned char s[12];
    sd_buf out;
    size_t bad = 0, it, n, j;
    sd__buf_init(&out, 0);
    for (it = 0; it < 1000000 && bad < 10; it++) {
        n = 4 + (it % 9);
        for (j = 0; j < n; j++)
            s[j] = rnd_byte();
        if (it % 3 == 0) { /* a valid 4-byte lead and continuations */
            s[0] = (unsigned char)(0xF0 + rnd() % 5);
            for (j = 1; j < 4; j++)
                s[j] = (unsigned char)(0x80 + rnd() % 64);
        }
        if (sd__utf8_valid((const char *)s, n) != ref_valid(s, n))
            bad++;
        bad += !check_repair(s, n, &out);
    }
    CHECK_EQ_INT(bad, 0);
    sd__buf_release(&out);
}

TEST(utf8_known_cases)
{
    sd_buf b;
    size_t r;
    sd__buf_init(&b, 0);
    CHECK_EQ_INT(sd__utf8_valid("", 0), 0);
    CHECK_EQ_INT(sd__utf8_valid("h\xC3\xA9llo", 6), 6);
    CHECK_EQ_INT(sd__utf8_valid("ab\xC0\x80", 4), 2);       /* overlong NUL */
    CHECK_EQ_INT(sd__utf8_valid("\xED\xA0\x80", 3), 0);     /* surrogate */
    CHECK_EQ_INT(sd__utf8_valid("\xF4\x90\x80\x80", 4), 0); /* > U+10FFFF */
    CHECK_EQ_INT(sd__utf8_valid("\xF4\x8F\xBF\xBF", 4), 4); /* U+10FFFF */
    CHECK_EQ_INT(sd__utf8_valid("0123456789abcdefghij\xE9", 21), 20);
    /* The Unicode standard's example (section 3.9, U+FFFD substitution):
     * 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64 -> a FFFD FFFD FFFD b FFFD c FFFD FFFD d */
    CHECK_EQ_INT(
        sd__utf8_repair("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64", 13, &b, &r), 0);
    CHECK_EQ_MEM(b.p, b.len,
                 "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                 "b\xEF\xBF\xBD"
                 "c\xEF\xBF\xBD\xEF\xBF\xBD"
                 "d");
    CHECK_EQ_INT(r, 6);
    /* A Latin-1 e-acute inside UTF-8 text. */
    sd__buf_reset(&b);
    CHECK_EQ_INT(sd__utf8_repair("caf\xE9 ok", 7, &b, NULL), 0);
    CHECK_EQ_MEM(b.p, b.len, "caf\xEF\xBF\xBD ok");
    sd__buf_release(&b);
}

TEST(utf8_repair_keeps_valid_text_and_fails_at_max)
{
    static const char text[] = "Ｎａｔｏ said 東京 \xF0\x9F\x98\x80 done";
    sd_buf b;
    size_t r = 7;
    sd__buf_init(&b, 8);
    CHECK_EQ_INT(sd__utf8_repair(text, sizeof text - 1, &b, &r), SD_ETOOBIG);
    sd__buf_release(&b);
    sd__buf_init(&b, 0);
    CHECK_EQ_INT(sd__utf8_repair(text, sizeof text - 1, &b, &r), 0);
    CHECK_EQ_MEM(b.p, b.len, text);
    CHECK_EQ_INT(r, 0);
    sd__buf_release(&b);
}

TEST(utf8_decode_encode_round_trip)
{
    uint32_t cp;
    size_t bad = 0;
    for (cp = 0; cp <= 0x10FFFF; cp++) {
        char e[4];
        size_t l, dl;
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        l = sd__utf8_encode(cp, e);
        if (sd__utf8_valid(e, l) != l || ref_seq((const unsigned char *)e, l) != l ||
            sd__utf8_decode(e, l, &dl) != cp || dl != l)
            bad++;
    }
    CHECK_EQ_INT(bad, 0);
    {
        size_t l;
        CHECK_EQ_U64(sd__utf8_decode("\xC0\x80", 2, &l), SD_UTF8_INVALID);
        CHECK_EQ_INT(l, 1);
        CHECK_EQ_U64(sd__utf8_decode("\xE2\x82", 2, &l), SD_UTF8_INVALID);
        CHECK_EQ_INT(l, 1);
        CHECK_EQ_U64(sd__utf8_decode("\xE2\x82\xAC", 3, &l), 0x20AC);
        CHECK_EQ_INT(l, 3);
    }
}
