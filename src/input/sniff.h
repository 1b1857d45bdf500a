/*
 * sniff.h: what a file holds, told from its first bytes (after
 * decompression) and its name: the record format to read it with, or, for
 * data that is not text (an image, an archive, a program, a columnar data
 * file), what it looks like, so that it is refused rather than read as a
 * document. Pure and thread-safe.
 */
#ifndef SD_INPUT_SNIFF_H
#define SD_INPUT_SNIFF_H

#include <stddef.h>

#include "syndic.h"

/* The format a file's name implies: .jsonl/.jsonlines/.ndjson JSONL,
 * .json JSON, .csv CSV, .tsv/.tab TSV, .warc WARC, .html/.htm HTML (each
 * also with .gz, .zst or .zstd), anything else TEXT. Case is ignored. */
sd_format sd__format_of_name(const char *path);

/*
 * The format of a file whose first decompressed bytes are p[0..n) (n may
 * be short of the whole file) and whose name is `path`: content first for
 * the marks that cannot be mistaken ("WARC/1." WARC, '{' JSONL, or JSON
 * when the object is spread over lines, '[' JSON, '<' HTML; a UTF-8 byte
 * order mark and white space before them are skipped), except that a
 * .csv/.tsv name wins (a header cell may start with any of them); then the
 * name. Returns SD_FORMAT_AUTO when the bytes are not text, with `what`
 * (cap bytes, NUL-terminated) saying what they look like ("a PNG image").
 */
sd_format sd__sniff(const char *p, size_t n, const char *path, char *what, size_t cap);

/* Only the not-text test of sd__sniff: 1 with `what` set, else 0. The
 * magic numbers alone are sd__sniff_magic (a forced format refuses only
 * those: its records fail one by one otherwise). */
int sd__sniff_binary(const char *p, size_t n, char *what, size_t cap);
int sd__sniff_magic(const char *p, size_t n, char *what, size_t cap);

#endif
