/*
 * stopwords.h: function-word lists of the major languages, for telling
 * running prose from navigation and link lists.
 *
 * The lists are data files, data/stopwords/<lang>.txt; the build turns them
 * into a constant hash table ($(BUILD)/gen/stopwords_data.c, written by
 * data/stopwords/gen.awk). Everything here is constant: pure and
 * thread-safe.
 */
#ifndef SD_TEXT_STOPWORDS_H
#define SD_TEXT_STOPWORDS_H

#include <stddef.h>

/* At most this many languages (one bit each in a slot's mask). */
#define SD_STOP_MAX_LANGS 16

typedef struct sd_stop_slot {
    const char *word;     /* lowercase UTF-8; NULL for an empty slot */
    unsigned char len;    /* its byte length */
    unsigned short langs; /* bit k: listed for sd__stop_lang_names[k] */
} sd_stop_slot;

/* The generated table and the language codes ("en", "de", ...) in the
 * order of their bits, NULL-terminated. */
extern const char *const sd__stop_lang_names[SD_STOP_MAX_LANGS + 1];
extern const unsigned sd__stop_nlangs;
extern const unsigned sd__stop_size;
extern const sd_stop_slot sd__stop_table[];

/* The languages whose list holds the lowercase word w[0..n): a bit mask as
 * in sd_stop_slot.langs, 0 when none does. */
unsigned sd__stopword(const char *w, size_t n);

#endif
