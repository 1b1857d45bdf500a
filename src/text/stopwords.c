/*
 * stopwords.c: lookup in the generated stopword table (see stopwords.h).
 * The hash must stay the one data/stopwords/gen.awk computes.
 */
#include "text/stopwords.h"

#include <string.h>

unsigned sd__stopword(const char *w, size_t n)
{
    unsigned h = 5381, slot, mask = sd__stop_size - 1;
    size_t i;
    if (n == 0 || n > 255)
        return 0;
    for (i = 0; i < n; i++)
        h = (h * 33u + (unsigned char)w[i]) & 0x3FFFFFu;
    for (slot = h & mask;; slot = (slot + 1) & mask) {
        const sd_stop_slot *s = &sd__stop_table[slot];
        if (s->word == NULL)
            return 0;
        if (s->len == n && memcmp(s->word, w, n) == 0)
            return s->langs;
    }
}
