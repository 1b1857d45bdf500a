/*
 * csv.h: the fields of one CSV or TSV row (RFC 4180): fields separated by
 * the delimiter, a field in double quotes may hold delimiters, newlines
 * and doubled quotes ("" is one quote). A quote only opens a quoted field
 * at the field's start; elsewhere it is an ordinary byte. Pure.
 */
#ifndef SD_INPUT_CSV_H
#define SD_INPUT_CSV_H

#include <stddef.h>

#include "base/buf.h"

/* A field: its decoded bytes at out->p + off, len bytes. */
typedef struct sd_csv_span {
    size_t off, len;
} sd_csv_span;

typedef struct sd_csv_row {
    sd_buf out;     /* the decoded fields, one after another */
    sd_csv_span *f; /* the fields, in order */
    size_t n, cap;
} sd_csv_row;

void sd__csv_row_init(sd_csv_row *r);
void sd__csv_row_release(sd_csv_row *r);

/*
 * Splits the row p[0..n) (without its line ending) into r's fields.
 * Returns 0; SD_EFORMAT with a message in err (a quoted field not closed,
 * or a byte after a closing quote, naming the 1-based byte column); or
 * SD_ENOMEM.
 */
int sd__csv_split(sd_csv_row *r, const char *p, size_t n, char delim, char *err, size_t errlen);

#endif
