/*
 * segment.c: the measurement behind how syndic splits Thai, Lao, Khmer and
 * Myanmar text (no spaces between words) into tokens. It times, on one
 * thread, syndic's tokenizer (each letter with its marks a token, as CJK)
 * against ICU's dictionary-based word break iterator (what a tokenizer
 * using ICU would call) over the same text, and counts their tokens.
 *
 *   segment FILE [REPEATS]       (make bench-icu; needs libicu-dev)
 *
 * FILE is read whole as UTF-8 and repeated up to 8 MB. Prints median MB/s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicode/ubrk.h>
#include <unicode/utext.h>

#include "../timing.h"
#include "text/tokenize.h"

/* Words ICU finds in p[0..n): boundaries whose rule status is a word
 * (letters, ideographs, kana, numbers), not spaces or punctuation. */
static size_t icu_words(const char *p, size_t n)
{
    UErrorCode err = U_ZERO_ERROR;
    UText *ut = utext_openUTF8(NULL, p, (int64_t)n, &err);
    UBreakIterator *bi = ubrk_open(UBRK_WORD, "th", NULL, 0, &err);
    size_t words = 0;
    if (U_FAILURE(err)) {
        fprintf(stderr, "icu: %s\n", u_errorName(err));
        exit(1);
    }
    ubrk_setUText(bi, ut, &err);
    while (ubrk_next(bi) != UBRK_DONE)
        if (ubrk_getRuleStatus(bi) >= UBRK_WORD_NUMBER)
            words++;
    ubrk_close(bi);
    utext_close(ut);
    return words;
}

int main(int argc, char **argv)
{
    FILE *f;
    char *one, *text;
    size_t n1, n = 0, cap = 8u << 20, i, words = 0;
    int reps = argc > 2 ? atoi(argv[2]) : 5, k;
    double tok[32], icu[32];
    sd_tokens t;
    if (argc < 2 || (f = fopen(argv[1], "rb")) == NULL) {
        fprintf(stderr, "usage: segment FILE [REPEATS]\n");
        return 2;
    }
    one = malloc(cap);
    n1 = fread(one, 1, cap, f);
    fclose(f);
    text = malloc(cap + n1 + 1);
    if (n1 == 0 || text == NULL)
        return 1;
    while (n + n1 + 1 <= cap) { /* whole copies, a newline between */
        memcpy(text + n, one, n1);
        n += n1;
        text[n++] = '\n';
    }
    if (reps < 1 || reps > 32)
        reps = 5;
    sd__tokens_init(&t);
    for (k = 0; k < reps; k++) {
        double t0 = now();
        t.n = 0;
        for (i = 0; i < n; i += 1u << 20) /* in 1 MB pieces, as documents */
            sd__tokenize(text + i, n - i < (1u << 20) ? n - i : 1u << 20, 0, &t);
        tok[k] = (double)n / 1e6 / (now() - t0);
        t0 = now();
        words = icu_words(text, n);
        icu[k] = (double)n / 1e6 / (now() - t0);
    }
    qsort(tok, (size_t)reps, sizeof *tok, cmp_double);
    qsort(icu, (size_t)reps, sizeof *icu, cmp_double);
    printf("text %.1f MB (%s repeated)\n", (double)n / 1e6, argv[1]);
    printf("syndic_tokenize_mbs %.1f tokens %zu bytes_per_token %.2f\n", tok[reps / 2], t.n,
           (double)n / (double)(t.n ? t.n : 1));
    printf("icu_word_break_mbs %.1f words %zu bytes_per_word %.2f\n", icu[reps / 2], words,
           (double)n / (double)(words ? words : 1));
    sd__tokens_release(&t);
    free(one);
    free(text);
    return 0;
}
