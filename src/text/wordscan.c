/*
 * wordscan.c: the tokenizer's block scanner. Prose is mostly ASCII words
 * between spaces and punctuation; the byte loop of tokenize.c looks at
 * each word's bytes eight at a time and at each separator by itself. Here
 * 64 bytes are classified at once (SSE2: four 16-byte compares; without
 * it, eight 8-byte steps of sd__alnum_stop) into bit masks: letters and
 * digits, separators, and the rest (an apostrophe or a non-ASCII byte).
 * Word boundaries are then found by counting zeros in the masks, and a
 * word is hashed from registers loaded where it stands, lowercased by
 * setting bit 5 of each byte (which changes nothing in a digit).
 *
 * Only the plain case is taken: a run of ASCII letters and digits shorter
 * than the block, ended by an ASCII separator (or by the end of the
 * text). At anything else (a non-ASCII byte, an apostrophe after a word, a
 * word of 64 bytes or more) the scanner stops and tokenize.c's byte loop
 * takes over for one word or one character, whose rules are the token
 * grammar's; so the scanner makes the same tokens as the byte loop (the
 * tests compare the two on random texts cut at every length).
 */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/alloc.h"
#include "syndic.h"
#include "text/asciiword.h"

/* The bytes classified at a time, and how far past a block's start the
 * loads of its words may reach (a word ends before byte 64; its last
 * eight-byte load starts before its end). */
#define BLOCK 64
#define REACH (BLOCK + 8)

/*
 * Masks of the 64 bytes at b (bit j for byte j): ASCII letters and
 * digits (*word), bytes of 0x80 and up (*high), and ASCII separators
 * (*sep: the rest of ASCII but the apostrophe).
 */
static void block_masks(const unsigned char *b, uint64_t *word, uint64_t *high, uint64_t *sep)
{
    uint64_t w = 0, h = 0, q = 0;
    unsigned k;
#ifdef __SSE2__
    /* signed compares: bytes of 0x80 and up are negative, below every
     * bound, and stay so with bit 5 set */
    const __m128i d_lo = _mm_set1_epi8('0' - 1), d_hi = _mm_set1_epi8('9' + 1);
    const __m128i a_lo = _mm_set1_epi8('a' - 1), a_hi = _mm_set1_epi8('z' + 1);
    const __m128i low = _mm_set1_epi8(0x20), apos = _mm_set1_epi8('\'');
    for (k = 0; k < BLOCK / 16; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + 16 * k));
        __m128i y = _mm_or_si128(v, low);
        __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, d_lo), _mm_cmpgt_epi8(d_hi, v));
        __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(y, a_lo), _mm_cmpgt_epi8(a_hi, y));
        w |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(digit, alpha)) << (16 * k);
        h |= (uint64_t)(unsigned)_mm_movemask_epi8(v) << (16 * k);
        q |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, apos)) << (16 * k);
    }
#else
    /* the high bit of each byte of a word, gathered into the top byte by
     * a multiply (each bit lands on a place of its own: no carries) */
#define GATHER(m) ((((m)&SD_ONES * 0x80) * 0x0002040810204081ull) >> 56)
    for (k = 0; k < BLOCK / 8; k++) {
        uint64_t v = sd__load64(b + 8 * k), x = (v & SD_ONES * 0x7F) ^ SD_ONES * '\'';
        uint64_t is_apos = ~(x + SD_ONES * 0x7F) & ~v; /* high bit: x is 0 */
        w |= GATHER(~sd__alnum_stop(v)) << (8 * k);
        h |= GATHER(v) << (8 * k);
        q |= GATHER(is_apos) << (8 * k);
    }
#undef GATHER
#endif
    *word = w;
    *high = h;
    *sep = ~(w | h | q);
}

/*
 * The hash of the word of len bytes (1 to 63) at w, lowercased: what the
 * byte loop stores for it. Reads up to 7 bytes past the word.
 */
static uint64_t word_hash(const unsigned char *w, size_t len, const sd_word_keys *k)
{
    const uint64_t low = SD_ONES * 0x20;
    char buf[BLOCK];
    size_t c;
    if (len <= 8)
        return sd__hash_upto8(sd__load64(w) | low, len, k);
#ifdef __SIZEOF_INT128__
    if (len <= 16)
        return sd__hash_9to16(sd__load64(w) | low, sd__load64(w + len - 8) | low, len, k);
#endif
    for (c = 0; c < len; c += 8) {
        uint64_t v = sd__load64(w + c) | low;
        memcpy(buf + c, &v, 8);
    }
    return sd__hash_word(buf, len, k->seed);
}

/*
 * The plain words of one block at b (the text's bytes from `at`; the
 * block's bytes past the text, if any, are separators), from its byte j
 * on, appended to o (room made for all). Returns the block byte where it
 * stopped: BLOCK or more when the block is done, else the first byte left
 * to the byte loop, or (with *more) the start of a word that runs past
 * the block, for the next block to begin with.
 */
static size_t block_words(const unsigned char *b, size_t at, const sd_word_keys *k, sd_tokens *o,
                          int *more)
{
    uint64_t word, high, sep, after;
    sd_token *t = o->v + o->n, *t0 = t; /* a local pointer: the stores of
                                           hashes cannot make the compiler
                                           reload o->v and o->n */
    size_t j = 0, e;
    block_masks(b, &word, &high, &sep);
    *more = 0;
    for (;;) {
        /* separators (an apostrophe here is one) are passed over */
        uint64_t next = (word | high) & (~0ull << j);
        if (next == 0) {
            j = BLOCK;
            break;
        }
        j = (size_t)__builtin_ctzll(next);
        if ((high >> j) & 1)
            break;
        after = ~word & (~0ull << j);
        if (after == 0) {
            *more = j > 0;
            break;
        }
        e = (size_t)__builtin_ctzll(after);
        if (((sep >> e) & 1) == 0)
            break; /* an apostrophe or a non-ASCII byte follows */
        t->off = (uint32_t)(at + j);
        t->len = (uint32_t)(e - j);
        t->hash = word_hash(b + j, e - j, k);
        t++;
        j = e + 1;
        if (j == BLOCK)
            break;
    }
    o->n += (size_t)(t - t0);
    return j;
}

size_t sd__scan_words(const char *p, size_t n, size_t i, const sd_word_keys *k, sd_tokens *o,
                      int *rc)
{
    const unsigned char *s = (const unsigned char *)p;
    unsigned char pad[REACH + 8];
    *rc = 0;
    while (i < n) {
        const unsigned char *b = s + i;
        size_t j;
        int more;
        /* a word ends each two bytes at most */
        if (o->cap - o->n < BLOCK / 2 && SD_GROW(o->v, o->cap, o->n + BLOCK / 2)) {
            *rc = SD_ENOMEM;
            return i;
        }
        if (n - i < REACH) { /* the end of the text, followed by spaces */
            size_t m = n - i < BLOCK ? n - i : BLOCK;
            memset(pad, ' ', sizeof pad);
            memcpy(pad, b, m);
            b = pad;
        }
        j = block_words(b, i, k, o, &more);
        if (j < BLOCK && !more)
            return i + j;
        i = i + j < n ? i + j : n;
    }
    return i;
}
