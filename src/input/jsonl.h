/*
 * jsonl.h: a fast, validating parser for one JSONL line that pulls out a few
 * top-level fields.
 *
 * The whole line is checked against RFC 8259 (objects, arrays, strings with
 * every escape and surrogate pairs, numbers, literals, nesting up to 512
 * levels, valid UTF-8); only the requested top-level members are decoded.
 * Strings are scanned eight bytes at a time, so a line that is mostly one
 * long text field parses at memory speed. jansson is the reference it is
 * tested against. Pure and thread-safe.
 */
#ifndef SD_INPUT_JSONL_H
#define SD_INPUT_JSONL_H

#include <stddef.h>

#include "base/buf.h"

#define SD_JSONL_MAX_FIELDS 8

enum { SD_JSONL_ABSENT = 0, SD_JSONL_STRING, SD_JSONL_NUMBER, SD_JSONL_OTHER };

typedef struct sd_jsonl_field {
    const char *name; /* member name to look for (NUL-terminated) */
    size_t name_len;
    int kind;           /* out: SD_JSONL_* of the value found (last one wins) */
    sd_buf *value;      /* out: decoded string, or a number's text */
    int direct_ok;      /* in: a string may be handed as its bytes in the line */
    const char *direct; /* out, with direct_ok: a string that needed no
                           unescaping nor repair is not copied: its bytes
                           in the line (value is then empty); else NULL */
    size_t direct_len;
} sd_jsonl_field;

/*
 * Parses line p[0..n) as one JSON object. For each of the nf fields, sets
 * kind and fills value. `repair` replaces invalid UTF-8 inside strings by
 * U+FFFD (counted in *nrepl) instead of failing. Returns 0; or SD_EFORMAT /
 * SD_EUTF8 with a message naming the column (1-based byte) in err; or
 * SD_ENOMEM / SD_ETOOBIG from a buffer.
 */
int sd__jsonl_parse(const char *p, size_t n, sd_jsonl_field *fields, size_t nf, int repair,
                    size_t *nrepl, char *err, size_t errlen);

/* Lists the top-level member names of the object p[0..n) into names, each
 * quoted, separated by ", " ("\"id\", \"content\""), up to about 200
 * bytes; as far as the object parses. Returns 0 or SD_ENOMEM. */
int sd__jsonl_members(const char *p, size_t n, sd_buf *names);

#endif
