/*
 * csv.c: one CSV or TSV row into its fields (csv.h).
 *
 * Unquoted fields are copied as they are; quoted ones lose their quotes
 * and have each "" turned into one quote. Every field is copied into one
 * buffer, so a row costs one allocation that is reused for the next.
 */
#include "input/csv.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "syndic.h"

void sd__csv_row_init(sd_csv_row *r)
{
    memset(r, 0, sizeof *r);
    sd__buf_init(&r->out, 0);
}

void sd__csv_row_release(sd_csv_row *r)
{
    sd__buf_release(&r->out);
    sd__free(r->f);
    memset(r, 0, sizeof *r);
}

/* Ends the field begun at out offset `start`. */
static int end_field(sd_csv_row *r, size_t start)
{
    if (SD_GROW(r->f, r->cap, r->n + 1))
        return SD_ENOMEM;
    r->f[r->n].off = start;
    r->f[r->n].len = r->out.len - start;
    r->n++;
    return 0;
}

int sd__csv_split(sd_csv_row *r, const char *p, size_t n, char delim, char *err, size_t errlen)
{
    size_t i = 0;
    sd__buf_reset(&r->out);
    r->n = 0;
    if (sd__buf_reserve(&r->out, n))
        return SD_ENOMEM; /* fields are never longer than the row */
    for (;;) {
        size_t start = r->out.len;
        if (i < n && p[i] == '"') {
            size_t q = i++;
            for (;;) {
                const char *e = i < n ? memchr(p + i, '"', n - i) : NULL;
                if (e == NULL) {
                    snprintf(err, errlen, "quoted field at column %zu is not closed", q + 1);
                    return SD_EFORMAT;
                }
                sd__buf_append(&r->out, p + i, (size_t)(e - p) - i);
                i = (size_t)(e - p) + 1;
                if (i < n && p[i] == '"') {
                    sd__buf_putc(&r->out, '"');
                    i++;
                    continue;
                }
                break;
            }
            if (i < n && p[i] != delim) {
                snprintf(err, errlen, "unexpected '%c' after the closing quote at column %zu",
                         p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?', i + 1);
                return SD_EFORMAT;
            }
        } else {
            const char *e = i < n ? memchr(p + i, delim, n - i) : NULL;
            size_t end = e ? (size_t)(e - p) : n;
            sd__buf_append(&r->out, p + i, end - i);
            i = end;
        }
        if (end_field(r, start))
            return SD_ENOMEM;
        if (i >= n)
            return 0;
        i++; /* the delimiter */
    }
}
