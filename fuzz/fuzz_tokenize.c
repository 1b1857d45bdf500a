/*
 * fuzz_tokenize.c: tokenizer invariants on repaired input: tokens in
 * increasing order, non-overlapping, inside the text, of nonzero length,
 * each hash that of sd__normalize_word of its spelling; the fast path
 * equal to the utf8proc-only path, with and without the spelling and
 * honorific flags, and to the byte loop without the block scanner. The raw (possibly invalid) bytes
 * are tokenized too, which must stay inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "text/tokenize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *p, size_t n, const sd_tokens *t, uint64_t seed, unsigned flags)
{
    size_t i, end = 0;
    sd_buf w;
    sd__buf_init(&w, 0);
    for (i = 0; i < t->n; i++) {
        const sd_token *k = &t->v[i];
        if (k->len == 0 || k->off < end || (size_t)k->off + k->len > n)
            abort();
        end = (size_t)k->off + k->len;
        sd__buf_reset(&w);
        if (sd__normalize_word_ex(p + k->off, k->len, flags, &w) != 0)
            abort();
        if (XXH3_64bits_withSeed(w.p, w.len, seed) != k->hash)
            abort();
    }
    sd__buf_release(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint64_t seed = 12345;
    sd_buf text;
    sd_tokens a, b;
    sd__buf_init(&text, 0);
    sd__tokens_init(&a);
    sd__tokens_init(&b);
    if (sd__utf8_repair((const char *)data, size, &text, NULL) != 0)
        abort();
    if (sd__tokenize(text.p, text.len, seed, &a) != 0 ||
        sd__tokenize_slow(text.p, text.len, seed, &b) != 0)
        abort();
    check(text.p, text.len, &a, seed, 0);
    if (a.n != b.n || (a.n && memcmp(a.v, b.v, a.n * sizeof *a.v) != 0))
        abort();
    b.n = 0;
    if (sd__tokenize_bytes(text.p, text.len, seed, &b) != 0 || a.n != b.n ||
        (a.n && memcmp(a.v, b.v, a.n * sizeof *a.v) != 0))
        abort();
    a.n = b.n = 0;
    if (sd__tokenize_ex(text.p, text.len, seed, SD_TOK_FOLD_SPELLING | SD_TOK_DROP_HONORIFICS,
                        &a) != 0 ||
        sd__tokenize_slow_ex(text.p, text.len, seed, SD_TOK_FOLD_SPELLING | SD_TOK_DROP_HONORIFICS,
                             &b) != 0)
        abort();
    check(text.p, text.len, &a, seed, SD_TOK_FOLD_SPELLING);
    if (a.n != b.n || (a.n && memcmp(a.v, b.v, a.n * sizeof *a.v) != 0))
        abort();
    a.n = 0;
    if (sd__tokenize((const char *)data, size, seed, &a) != 0)
        abort();
    check((const char *)data, size, &a, seed, 0);
    sd__tokens_release(&a);
    sd__tokens_release(&b);
    sd__buf_release(&text);
    return 0;
}
