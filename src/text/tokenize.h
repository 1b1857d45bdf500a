/*
 * tokenize.h: Unicode-aware words with byte offsets and normalized hashes.
 *
 * A token is a maximal run of letters, marks and digits (Unicode categories
 * L*, M*, N*), with an apostrophe or right single quote between two letters
 * kept inside the word ("don't", "l'homme"). In scripts written without
 * spaces between words, each character is a token of its own (with the
 * marks that compose with it): CJK ideographs, kana, hangul syllables, and
 * the letters of Thai, Lao, Myanmar, Khmer and the Tai scripts.
 * Default-ignorable characters (soft hyphen, zero-width space and joiners,
 * BOM, word joiner, variation selectors) are skipped inside a word and
 * separate elsewhere. Everything else, underscore included, separates
 * tokens.
 *
 * Each token keeps the byte range of its original spelling in the input and
 * the 64-bit XXH3 hash (with the given seed) of its normalized form: NFKC,
 * full case folding, ignorables dropped, apostrophes (U+2019, U+2018,
 * U+02BC, U+FF07) made ASCII, Russian ё folded to е; so "Ｎａｔｏ", "NATO"
 * and "nato" hash alike, as do "Straße" and "STRASSE", and "ёлка" and
 * "елка". ASCII words take a fast path that never
 * calls utf8proc (sd__tokenize_slow is the check that it agrees).
 *
 * Input should be valid UTF-8 (the reader guarantees it); an invalid byte
 * separates tokens and is never part of one. Pure and thread-safe.
 */
#ifndef SD_TEXT_TOKENIZE_H
#define SD_TEXT_TOKENIZE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

typedef struct sd_token {
    uint32_t off;  /* byte offset of the token in the text */
    uint32_t len;  /* byte length of its original spelling */
    uint64_t hash; /* XXH3-64 of the normalized form */
} sd_token;

/* The normalized forms of non-ASCII words already seen (tokenize.c). */
typedef struct sd_wordmemo sd_wordmemo;

/* A token vector, with what its tokenizer keeps from one call to the next:
 * the memo of normalized non-ASCII words (made on first use; a text of
 * another language repeats its words, and normalizing one with utf8proc
 * costs a hundred times hashing it). Not to be shared between threads. */
typedef struct sd_tokens {
    sd_token *v;
    size_t n, cap;
    sd_wordmemo *memo;
} sd_tokens;

void sd__tokens_init(sd_tokens *t);
void sd__tokens_release(sd_tokens *t);

/* Appends the tokens of p[0..n) to out (offsets relative to p). Texts of
 * 4 GiB or more are rejected with SD_ETOOBIG. Returns 0 or SD_ENOMEM. */
int sd__tokenize(const char *p, size_t n, uint64_t seed, sd_tokens *out);

/* Appends the normalized form of one token's spelling p[0..n) to out (the
 * bytes whose hash sd__tokenize stores). Returns 0 or SD_ENOMEM. */
int sd__normalize_word(const char *p, size_t n, sd_buf *out);

/* The first place at or after `at` where p[0..n) may be cut in two whose
 * tokens, joined, are the whole text's (the second's offsets counted from
 * the cut): just past an ASCII byte that separates tokens. n when there is
 * none. Lets a long text be tokenized a piece at a time. */
size_t sd__token_cut(const char *p, size_t n, size_t at);

/* Text that dedup and trace tokenize at a time (cut where sd__token_cut
 * says) when a text is longer: 1 MiB. A variable only so that tests and
 * fuzz targets can make the pieces small and see that nothing changes;
 * set it before any job runs. */
#define SD_TOKEN_PIECE ((size_t)1 << 20)
extern size_t sd__token_piece;

/* The end of the piece of p[0..n) that starts at `at`: n when the rest is
 * no longer than sd__token_piece, else the first cut past that length. */
size_t sd__token_piece_end(const char *p, size_t n, size_t at);

/* sd__tokenize with the ASCII fast path turned off: every character is
 * classified and every word normalized by utf8proc. Same result, slower;
 * the tests' oracle for the fast path. */
int sd__tokenize_slow(const char *p, size_t n, uint64_t seed, sd_tokens *out);

/* sd__tokenize without its block scanner (wordscan.c): the byte loop
 * alone takes every ASCII word. Same result; the tests' oracle for the
 * scanner. */
int sd__tokenize_bytes(const char *p, size_t n, uint64_t seed, sd_tokens *out);

/* Flags of sd__tokenize_ex (the passage matcher's looser matching).
 * SD_TOK_FOLD_SPELLING hashes British spellings as American ones
 * (behaviour/behavior, organise/organize, centre/center, defence/defense);
 * SD_TOK_DROP_HONORIFICS drops the tokens "mr", "mrs", "ms" and "dr"
 * (normalized), so "Mr Biden" matches "Biden". */
#define SD_TOK_FOLD_SPELLING 1u
#define SD_TOK_DROP_HONORIFICS 2u

/* sd__tokenize with flags; flags 0 gives exactly sd__tokenize. */
int sd__tokenize_ex(const char *p, size_t n, uint64_t seed, unsigned flags, sd_tokens *out);
int sd__tokenize_slow_ex(const char *p, size_t n, uint64_t seed, unsigned flags, sd_tokens *out);

/* sd__normalize_word plus the SD_TOK_FOLD_SPELLING fold when flagged: the
 * bytes whose hash sd__tokenize_ex stores. */
int sd__normalize_word_ex(const char *p, size_t n, unsigned flags, sd_buf *out);

/* normalize.c. The American spelling of the lowercase ASCII word w[0..n)
 * written to out (room for n + 8 bytes), or 0 when it is not a listed
 * British spelling. Whether w[0..n) is "mr", "mrs", "ms" or "dr". */
size_t sd__fold_spelling(const char *w, size_t n, char *out);
int sd__is_honorific(const char *w, size_t n);
/* Entry i of the spelling table (for the tests): 1 with *gb / *us set, or
 * 0 past the end. */
int sd__spelling_pair(size_t i, const char **gb, const char **us);

#endif
