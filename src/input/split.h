/*
 * split.h: where a record ends in a stream of bytes, for the formats whose
 * records follow one another: JSON Lines (a newline), a JSON value (its
 * closing bracket, with strings and escapes respected), a CSV or TSV row (a
 * newline outside quotes, RFC 4180). The scan is resumable: the state
 * carries over from one piece of the stream to the next, so bytes that
 * arrive later are scanned once, and a record too long to keep can be
 * passed over without being held. Pure; a state belongs to one reader.
 */
#ifndef SD_INPUT_SPLIT_H
#define SD_INPUT_SPLIT_H

#include <stddef.h>
#include <stdint.h>

typedef enum { SD_SPLIT_LINE, SD_SPLIT_JSON, SD_SPLIT_CSV } sd_split_kind;

typedef struct sd_split {
    sd_split_kind kind;
    char delim;        /* CSV: ',' or '\t' */
    int started;       /* JSON: the value's first byte was seen */
    int scalar;        /* JSON: a value that is not an object or array */
    int in_str, esc;   /* JSON: inside a string, after a backslash */
    int quoted;        /* CSV: inside a quoted field */
    int quote_seen;    /* CSV: a '"' inside quotes, not yet known as "" */
    int field_start;   /* CSV: at the first byte of a field */
    unsigned depth;    /* JSON: brackets open */
    uint64_t kinds[8]; /* JSON: one bit per open bracket (1 for '['), 512 deep */
    uint64_t newlines; /* '\n' bytes scanned since the last reset */
} sd_split;

void sd__split_init(sd_split *s, sd_split_kind kind, char delim);

/* Starts the scan of a new record (the newline count is kept). */
void sd__split_reset(sd_split *s);

/*
 * Scans p[0..n), the next bytes of the current record. Returns the length
 * of the part of p that ends the record, its terminator included (the
 * newline of a line or row, the closing bracket or quote of a JSON value);
 * a JSON scalar ends before the byte that ends it, so it can return 0 with
 * the record complete only at the end of the input. Returns 0 when the
 * record goes on past p[n - 1]; the state then remembers where the scan is.
 */
size_t sd__split_scan(sd_split *s, const char *p, size_t n);

#endif
