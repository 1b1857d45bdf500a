/*
 * trace_int.h: the passage-reuse job's state, shared by trace.c (documents,
 * candidates, alignment) and story.c (stories from the aligned spans).
 * Everything here is owned by the sd_trace object.
 */
#ifndef SD_GROUP_TRACE_INT_H
#define SD_GROUP_TRACE_INT_H

#include "base/err.h"
#include "base/keysort.h"
#include "base/pool.h"
#include "base/spill.h"
#include "match/align.h"
#include "match/passages.h"
#include "sketch/winnow.h"
#include "syndic.h"
#include "text/prose.h"
#include "text/tokenize.h"

typedef struct sd_tdoc {
    uint32_t *h;   /* per token: 32-bit hash ... */
    uint32_t *off; /* ... byte start ... */
    uint32_t *end; /* ... and byte end */
    size_t n;      /* tokens */
    sd_fp *fp;
    size_t nfp;
    char *text;
    size_t len;
    char *date;
    size_t date_len;
    uint64_t *art;   /* per token, a bit: article prose (text/prose.h) */
    uint64_t *ends;  /* per token, a bit: a sentence ends after it */
    unsigned pflags; /* SD_PROSE_* of the text */
    uint64_t site;   /* hash of its URL's site (trace_site.c), 0 when unknown */
    int absent;
    int fp_in_arena; /* fp lives in the arena (under a memory limit) */
    int rc;          /* failure while preparing it */
} sd_tdoc;

/* A worker's bump allocator for document texts and tokens (trace.c). */
struct sd_chunk;
typedef struct sd_arena {
    struct sd_chunk *head;
    size_t next; /* size of the next chunk */
    int fd;      /* under a memory limit: the file the chunks map, else -1 */
    uint64_t flen;
} sd_arena;

/* A passage in token terms, with its documents. */
typedef struct sd_tp {
    uint32_t da, db;
    sd_tpass p;
} sd_tp;

struct sd_trace {
    sd_trace_options o;
    unsigned k, w, tokflags;
    sd_pool *pool;
    sd_err err;
    sd_tdoc *docs;
    size_t n, cap;
    sd_fmap dmap; /* under a memory limit, the array docs is in */
    sd_job job;
    sd_trace_stats stats;
    /* the batch being prepared */
    const sd_trace_doc *batch;
    size_t base;
    sd_tokens *tok;   /* per worker */
    sd_arena *arena;  /* per worker */
    sd_prose_lex lex; /* function words and formulas, for telling furniture */
    /* passages: tp[i] (token form, edits in tedit) and pass[i] (public form) */
    sd_tp *tp;
    sd_tedit *tedit;
    sd_passage *pass;
    sd_change *changes;
    size_t npass, nedits;
    size_t pcaps[4]; /* elements held in the four arrays above */
    sd_fmap pmap[4]; /* under a memory limit, the four arrays above */
    /* stories */
    sd_story *stories;
    size_t nstories;
    sd_story_member *members;
    sd_range *ranges;
    uint64_t *doc_story; /* story ids per document, doc_story_at[d] .. [d+1] */
    size_t *doc_story_at;
};

/* Appends the passages `out` of documents a < b (token ranges, edits into
 * out->e) to the job's, with their byte ranges, in story `story`
 * (UINT64_MAX: not yet known). Returns 0, SD_ENOMEM or SD_EIO. */
int sd__trace_add_passages(struct sd_trace *t, uint32_t a, uint32_t b, const sd_tpassages *out,
                           uint64_t story);
/* Points every passage's changes into the changes array, once it no
 * longer moves. */
void sd__trace_fix_changes(struct sd_trace *t);

/* Builds stories from t->tp / t->pass (story.c). Returns 0 or SD_ENOMEM. */
int sd__trace_stories(struct sd_trace *t);

/* Room for n documents at t->docs: in memory, or under a memory limit in
 * a file-backed array (whose new slots are zero). Returns 0 or an error
 * code, with t->err set. */
int sd__trace_docs_room(struct sd_trace *t, size_t n);

/* Under a memory limit, lets go of the resident pages of the documents'
 * store (they stay in the file, and come back when touched). */
void sd__trace_trim(struct sd_trace *t);

/* trace.c: documents added (without the finished check), all documents
 * dropped, the max_df cap in use (SD__NO_CAP when none). */
int sd__trace_add_docs(struct sd_trace *t, const sd_trace_doc *docs, size_t n);
void sd__trace_drop_docs(struct sd_trace *t);
/* A document's prose marks made elsewhere (text/prose.h): per token a bit
 * of article prose and one of a sentence ending after it,
 * SD_PROSE_WORDS(tokens) words each, and the text's SD_PROSE_* flags. */
typedef struct sd_tmarks {
    const uint64_t *art, *ends;
    unsigned pflags;
} sd_tmarks;

/* Sets document i (within t->docs' capacity) from a text and its tokens
 * made elsewhere: tok holds the hashes, starts and ends, ntok of each;
 * with marks, its prose marks too (else they are made here). */
int sd__trace_put_doc(struct sd_trace *t, size_t i, const sd_trace_doc *src, size_t ntok,
                      const uint32_t *tok, const sd_tmarks *marks);
unsigned sd__trace_max_df(const struct sd_trace *t);
/* Occurrences of one fingerprint in one document that are paired: a line
 * a page repeats (a caption under each photo) would otherwise make the
 * square of its repeats in anchors; four keep a repeated paragraph found. */
#define SD__MAX_OCC 4
/* Anchors one job makes at most (SD_ETOOBIG past them): 2^31 of 16 bytes,
 * 32 GiB, far past what a corpus that fits a machine makes with stars. */
#define SD__MAX_ANCHORS ((size_t)1 << 31)

/* max_df when no cap applies (the default): a fingerprint links every
 * document that has it, as a star (sd__pair_group). */
#define SD__NO_CAP 0xFFFFFFFFu

/* trace_spill.c: keys under a memory limit: a buffer of a quarter of it,
 * spilled as sorted runs when full; opened as one sorted stream. */
typedef struct sd_keybuf {
    sd_kv *v;
    size_t n, cap, max;
    sd_spill runs;
} sd_keybuf;

void sd__keybuf_init(sd_keybuf *b, const struct sd_trace *t);
void sd__keybuf_release(sd_keybuf *b);
int sd__keybuf_add(struct sd_trace *t, sd_keybuf *b, const sd_kv *e, size_t n);
/* Sorts what is in memory and merges it with the runs (caller frees *m). */
int sd__keybuf_open(struct sd_trace *t, sd_keybuf *b, sd_merge **m);
/* The anchors of the postings in `post`, as one process groups them, added
 * to `anc`; adds to cs->dropped and cs->anchors. */
int sd__trace_group_postings(struct sd_trace *t, sd_keybuf *post, sd_keybuf *anc,
                             sd_cand_stats *cs);
/* The candidates of one process's documents under a memory limit: the
 * anchors in `anc` (its memory part sorted). */
int sd__trace_spill_candidates(struct sd_trace *t, sd_keybuf *anc, sd_cand_stats *cs);

/* trace_dist.c: with several processes, the candidate anchors found
 * together (on process 0; none elsewhere), and every document moved to
 * process 0 at its index in the whole input (the others keep none). */
int sd__trace_dist_candidates(struct sd_trace *t, sd_progress_fn progress, void *ud, sd_keybuf *anc,
                              sd_cand_stats *cs);

/* trace_site.c: the site of a URL (a hash of its host's registrable part,
 * never 0), or 0 when it is not a URL; and the removal of passages between
 * pages of one site that no other site confirms. Returns 0 or SD_ENOMEM. */
uint64_t sd__trace_site(const char *url, size_t n);
int sd__trace_site_filter(struct sd_trace *t);
/* The filter's two steps: whether the passages t->tp[i .. j), all of one
 * pair of documents and all of that pair's, are between pages of one site
 * (*same; sc is scratch, zeroed before the first use and released with
 * sd__trace_site_scratch_release); and the removal, from the job's
 * passages, of those marked in site[] (one byte per passage) that no
 * passage between different sites covers half of in one of its two
 * documents. Each returns 0 or SD_ENOMEM. */
typedef struct sd_kset {
    uint64_t *v;
    size_t mask, cap;
} sd_kset;
typedef struct sd_site_scratch {
    sd_kset ks;     /* the k-grams of the pair's first document ... */
    uint32_t built; /* ... document `built`, when has is 1 */
    int has;
    sd_kset zs; /* the k-grams of its widened stretch */
    uint32_t *zone;
    size_t zcap;
} sd_site_scratch;
int sd__trace_site_pair(const struct sd_trace *t, size_t i, size_t j, sd_site_scratch *sc,
                        int *same);
void sd__trace_site_scratch_release(sd_site_scratch *sc);
int sd__trace_site_drop(struct sd_trace *t, const uint8_t *site);

/* Aligns documents a < b on anchors anch[0..n) (position in a << 32 |
 * position in b, sorted) into out, as every candidate pair is: passages
 * holding too few sentences dropped. Returns 0 or SD_ENOMEM. */
int sd__trace_align_pair(const struct sd_trace *t, sd_aligner *al, uint32_t a, uint32_t b,
                         const uint64_t *anch, size_t n, sd_tpassages *out);

/* Empties the job of its documents, passages and stories, to be filled
 * again (sd__trace_docs_room, sd__trace_put_doc, sd__trace_add_passages)
 * and its stories built on what it then holds. */
void sd__trace_reset(struct sd_trace *t);

/* Byte range of tokens [t0, t1) of document d; an empty token range gives
 * an empty byte range at its position. */
sd_range sd__trace_bytes(const sd_tdoc *d, uint32_t t0, uint32_t t1);

#endif
