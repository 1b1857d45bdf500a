/*
 * prose.h: which words of a plain text are an article's running prose, and
 * which are a site's furniture around it.
 *
 * Pages saved as text (as media monitors and web archives keep them), and
 * the article text extraction gives, carry more than the article: menus and
 * section lists, headline and teaser lists, bylines and datelines, share
 * prompts, copyright and cookie lines, comment widgets. Text a site prints
 * on every page, or a teaser of another story, must not link two pages as
 * copies of one story. The HTML extractor tells these apart by the page's
 * elements; here the same evidence is read off the text itself:
 *
 *   - units: the text is cut at line breaks and at the separators menus
 *     use (| • · » › ▪ ► and " / ", " > " between spaces); a long unit (a
 *     page squeezed into one line) is cut again where a window of its
 *     words has almost no function words (a menu or a list of names);
 *   - a unit is running text when it has a few words, function words at a
 *     prose-like rate (when the text has function words of a known
 *     language at all) and no copyright or legal formula; running text
 *     with no sentence end and more than a few words is a headline;
 *   - an article region is a run of such units (a unit of one to four
 *     words between two of them, an "Advertisement" or a subheading, is let
 *     in) with at least min_passage words and two sentence ends, one or
 *     more per 80 words (when the text has sentence punctuation at all).
 *     A teaser (a headline and one sentence) or a list of headlines is
 *     never one; a brief of two sentences is.
 *
 * Only words in article regions may start a shared passage (trace's
 * fingerprints), and a passage is cut where it meets a stretch of
 * furniture of min_passage words. The lexicon is built once per job; the
 * rest is pure and thread-safe.
 */
#ifndef SD_TEXT_PROSE_H
#define SD_TEXT_PROSE_H

#include <stddef.h>
#include <stdint.h>

/* Function words and legal formulas, as the 32-bit token hashes of a job
 * (its seed and tokenizer flags). Read-only after sd__prose_lex_init. */
typedef struct sd_prose_lex {
    uint32_t *fw; /* open addressing; 0 marks an empty slot */
    uint32_t fw_mask;
    uint32_t *ph;    /* the formulas' token hashes, one after the other */
    uint32_t *ph_at; /* formula i is ph[ph_at[i] .. ph_at[i + 1]) */
    size_t nph;
    uint32_t firsts[128]; /* the formulas' first token hashes, a set (prose.c) */
    uint32_t *ab;         /* abbreviations a period does not end a sentence after */
    size_t nab;
    uint32_t abset[128]; /* the same, as a set */
} sd_prose_lex;

/* Builds the lexicon for hashes made with `seed` and sd__tokenize_ex's
 * `tokflags`. Returns 0 or SD_ENOMEM. */
int sd__prose_lex_init(sd_prose_lex *lx, uint64_t seed, unsigned tokflags);
void sd__prose_lex_release(sd_prose_lex *lx);

/* Whether a token hash is a function word of a listed language. */
int sd__prose_fword(const sd_prose_lex *lx, uint32_t h);

/* Words of a bitmask over n tokens. */
#define SD_PROSE_WORDS(n) (((n) + 63) / 64)

/*
 * The tokens of text[0..len) (hashes h, byte starts off and ends end, n of
 * each) that are article prose: bit i of art[] (SD_PROSE_WORDS(n) words).
 * Bit i of ends[] is set when a sentence ends after token i. *flags gets
 * the SD_PROSE_* below. Returns 0 or SD_ENOMEM.
 */
#define SD_PROSE_PUNCT 1u  /* the text has sentence punctuation: passages need two sentences */
#define SD_PROSE_FWORDS 2u /* the text has function words of a listed language */
int sd__prose_mark(const sd_prose_lex *lx, const char *text, size_t len, const uint32_t *h,
                   const uint32_t *off, const uint32_t *end, size_t n, unsigned min_passage,
                   uint64_t *art, uint64_t *ends, unsigned *flags);

/* Bit helpers over such masks. */
static inline int sd__bit(const uint64_t *m, size_t i)
{
    return (int)((m[i >> 6] >> (i & 63)) & 1u);
}

/* Number of set bits of m in [a, b). */
size_t sd__bits_count(const uint64_t *m, size_t a, size_t b);

/* The first position p in [a, b) where `run` clear bits of m start
 * (positions up to b + run - 1 may be read, within n), or SIZE_MAX. */
size_t sd__bits_clear_run(const uint64_t *m, size_t n, size_t a, size_t b, size_t run);

#endif
