/*
 * docs.h: the fuzz targets' documents: the input split at newlines, each
 * line a document (invalid UTF-8 repaired, as the reader would), a line
 * that starts with 0x01 an absent one (a record that failed to read). At
 * most 64 documents. The first byte, when there is one, is left to the
 * target to draw options from.
 */
#ifndef SD_FUZZ_DOCS_H
#define SD_FUZZ_DOCS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"

#define FUZZ_MAX_DOCS 64

typedef struct fuzz_docs {
    sd_buf text[FUZZ_MAX_DOCS];
    int absent[FUZZ_MAX_DOCS];
    size_t n;
} fuzz_docs;

static inline void fuzz_docs_split(fuzz_docs *d, const uint8_t *p, size_t n)
{
    size_t i = 0;
    d->n = 0;
    while (i <= n && d->n < FUZZ_MAX_DOCS) {
        const uint8_t *nl = i < n ? memchr(p + i, '\n', n - i) : NULL;
        size_t e = nl ? (size_t)(nl - p) : n;
        sd_buf *b = &d->text[d->n];
        sd__buf_init(b, 0);
        d->absent[d->n] = e > i && p[i] == 1;
        if (sd__utf8_repair((const char *)p + i, e - i, b, NULL) != 0 || sd__buf_reserve(b, 0))
            abort();
        d->n++;
        if (nl == NULL)
            break;
        i = e + 1;
    }
}

static inline void fuzz_docs_release(fuzz_docs *d)
{
    size_t i;
    for (i = 0; i < d->n; i++)
        sd__buf_release(&d->text[i]);
    d->n = 0;
}

#endif
