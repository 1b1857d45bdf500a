/*
 * index_int.h: the index's state, shared by index.c (open, batches,
 * documents, answers, reading), index_dedup.c (near-duplicates),
 * index_trace.c (passages and stories), index_expire.c and index_check.c.
 *
 * What is kept (store.h names the databases):
 *   - per document: its record (id, URL, date, when it was added, its
 *     dedup representative), its text with tokens, prose marks and
 *     fingerprints (what sd_trace holds per document), its dedup sketch;
 *   - dedup: per band the buckets (band hash -> documents), per text hash
 *     the documents, the verified pairs (edges), the clusters (their
 *     representative, the smallest document, -> members);
 *   - trace: per fingerprint its postings (the first is its hub: the star
 *     pairing of sd_trace never changes as documents arrive, since they
 *     arrive with larger numbers); every candidate pair's aligned passages
 *     as sd_trace aligns them, with the pair's site test; per document
 *     its passages' spans; units (below); stories.
 *
 * A unit is a set of passages that story building must see together: the
 * passages linked by sharing a document and a token (their spans overlap)
 * or a pair of documents. Every step of sd_trace after alignment (the
 * site filter's cover, the cuts at story boundaries, the union of spans,
 * the joins of a pair's passages, origins and analyses) looks only at
 * passages so linked (docs/index.md says why), so the stories of a unit
 * are those sd_trace finds over all documents, and an add recomputes only
 * the units its new passages touch, by running sd_trace's own code on a
 * job holding just them.
 */
#ifndef SD_INDEX_INDEX_INT_H
#define SD_INDEX_INDEX_INT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/keysort.h"
#include "base/pool.h"
#include "group/dedup_int.h"
#include "group/trace_int.h"
#include "index/store.h"
#include "syndic.h"

/* Document record flags. */
enum {
    IXD_EXACT = 1, /* a byte-for-byte copy of an earlier document: out of LSH */
    IXD_EMPTY = 2  /* no shingle (no word): out of LSH */
};

/* A document's record (DB_DOC), decoded. Strings point into the store's
 * value (valid until the next write) or into `own`. */
typedef struct ix_doc {
    int64_t added;
    uint64_t rep; /* dedup representative (itself when alone) */
    uint32_t flags;
    const char *id, *url, *date, *when;
    size_t id_len, url_len, date_len, when_len;
} ix_doc;

/* A dedup sketch (DB_SIG), decoded into the caller's arrays. */
typedef struct ix_sig {
    uint32_t *sig;  /* K */
    uint16_t *vsig; /* K */
    doc_info info;
} ix_sig;

/* A passage record (DB_PASS). */
typedef struct ix_pass {
    uint64_t id;
    uint32_t da, db; /* documents, da < db */
    uint64_t unit;
    int site; /* the pair is of one site (sd__trace_site_pair) */
    sd_tpass p;
    const sd_tedit *e; /* p.nedit edits, in place in the value */
} ix_pass;

/* Counters kept in DB_META "state". */
typedef struct ix_state {
    uint64_t next_doc, next_story, next_unit, next_pass;
    uint64_t docs, stories, units, passages, text_bytes;
    uint64_t clusters, duplicates;
} ix_state;

/* A merge a batch made: story `gone` became part of story `into`. */
typedef struct ix_merge {
    uint64_t into, gone;
} ix_merge;

/* A story decoded for a reader: the public struct and its arrays. */
typedef struct ix_story {
    sd_story s;
    sd_story_member *mem;
    size_t mem_cap;
    sd_range *rng;
    size_t rng_cap;
    sd_passage *pass;
    size_t npass, pass_cap;
    sd_change *ch;
    size_t ch_cap;
    uint64_t unit;
    const char *latest; /* the latest copy's date (its `when`) */
    size_t latest_len;
    char *latest_own;
    size_t latest_cap;
} ix_story;

struct sd_index {
    sd_st st;
    sd_err err;
    sd_index_options o; /* in force */
    sd_dedup_options dopt;
    sd_oph_first first; /* dedup's densification table (sd__dedup_sketch) */
    uint64_t sketched;  /* pages sketched by this process: the table waits */
    sd_trace_options topt;
    unsigned need; /* equal bins out of 2K a verified pair needs */
    int read_only;
    int mode;               /* 0, SD_INDEX_ADD, SD_INDEX_QUERY; -1: a read snapshot */
    ix_state state, state0; /* now, and at the batch's start */
    sd_pool *pool;
    sd_tokens *tok; /* per worker, for sketches */
    sd_trace *w;    /* the workspace: a chunk's new documents, and the documents
                       their pairs need */
    sd_trace *c;    /* a unit's job: its documents and passages, its stories */
    /* the batch */
    uint64_t *bdocs; /* document numbers of the pages put */
    size_t nb, bcap;
    ix_merge *merges;
    size_t nmerges, mcap;
    /* scratch for answers and reading */
    sd_wr wr;
    ix_story *ans; /* decoded stories of the last answer */
    size_t nans, ans_cap;
    sd_index_story_ref *refs;
    size_t refs_cap;
    uint64_t *ids;
    size_t ids_cap;
    uint64_t *merged;
    size_t merged_cap;
    ix_story one;     /* sd_index_story_get, sd_index_next_story */
    uint32_t *sigbuf; /* SIG_SLOTS sketches (sd__ix_sig_slot) */
    /* dedup: documents whose cluster lost an edge, to recompute */
    uint64_t *dirty;
    size_t ndirty, dirty_cap;
    char when_now[32]; /* the batch's time, for pages without a date */
};

/* ---- index.c ---- */

/* Puts pages through the batch's steps: new documents (gnum NULL: the
 * next numbers, answered by the batch), or (gnum given: the pages' kept
 * document numbers, ascending) documents kept, replayed into a dedup and
 * trace state rebuilt without the expired ones. Aborts the batch on
 * failure. */
int sd__ix_ingest(sd_index *ix, const sd_index_page *pages, size_t n, const uint64_t *gnum);
/* Reads document d's record; 1 found, 0 absent, < 0 error (said). */
int sd__ix_doc(sd_index *ix, uint64_t d, ix_doc *out);
/* Rewrites document d's representative (and flags). */
int sd__ix_set_rep(sd_index *ix, uint64_t d, uint64_t rep);
int sd__ix_set_doc(sd_index *ix, uint64_t d, uint64_t rep, uint32_t flags);
/* Sketch slot i of ix->sigbuf (SIG_SLOTS of them): 0 and 1 are the
 * answers', 2 and 3 the dedup steps'. */
#define SIG_SLOTS 4
ix_sig sd__ix_sig_slot(sd_index *ix, unsigned slot);
/* Reads document d's sketch into s (arrays of K); 1, 0 or < 0. */
int sd__ix_sig(sd_index *ix, uint64_t d, ix_sig *s);
/* A damaged record: says so (SD_EFORMAT). */
int sd__ix_damaged(sd_index *ix, const char *what, uint64_t key);

/* Decodes a story record into st (1), 0 absent, < 0 error. */
int sd__ix_story(sd_index *ix, uint64_t id, ix_story *st);
void sd__ix_story_release(ix_story *st);

/* ---- index_dedup.c ---- */

/* Adds document d (its sketch stored) to the dedup state: exact copies,
 * LSH buckets, verified pairs, clusters. */
int sd__ix_dedup_add(sd_index *ix, uint64_t d, const ix_sig *s);
/* Recomputes the clusters of the documents marked dirty since. */
int sd__ix_dedup_settle(sd_index *ix);
/* Similarity of d to its representative rep, equal bins out of 2K (1 when
 * *same_text: the two texts are byte for byte the same). */
int sd__ix_dedup_similarity(sd_index *ix, uint64_t d, uint64_t rep, double *sim, int *same_text);

/* ---- index_trace.c ---- */

/* The trace steps for the chunk's new documents, numbered gnum[0..n)
 * (ascending, each larger than every document already in the trace
 * state), in the workspace job (its documents 0..n): candidates,
 * alignment, units, stories. */
int sd__ix_trace_add(sd_index *ix, const uint64_t *gnum, size_t n);
/* Stores document d's text record from workspace document i. */
int sd__ix_put_text(sd_index *ix, uint64_t d, const sd_tdoc *td);
/* Index of v in the sorted array a[0..n), or SIZE_MAX. */
size_t sd__ix_find_u64(const uint64_t *a, size_t n, uint64_t v);
/* Sorts a[0..n) and removes repeats: the new count, SIZE_MAX out of memory. */
size_t sd__ix_uniq_u64(uint64_t *a, size_t n);
/* Document d's text (in buf, valid until its next use). */
int sd__ix_text(sd_index *ix, uint64_t d, sd_buf *buf, const char **text, size_t *len);
/* Decodes passage record pid. 1, 0 or < 0. */
int sd__ix_pass(sd_index *ix, uint64_t pid, ix_pass *p);
/* Recomputes the stories of the units and passages given (expire uses it
 * too): the union of units[0..nu) and passages pids[0..np). */
int sd__ix_recompute(sd_index *ix, const uint64_t *units, size_t nu, const uint64_t *pids,
                     size_t np);

/* Gives stories other ids: map[0..n), sorted by key, from the id a story
 * has (key) to the one it takes (val, free); its record, its documents'
 * and its unit's lists follow. */
int sd__ix_rename_stories(sd_index *ix, const sd_kv *map, size_t n);

/* ---- index_expire.c ---- */
int sd__ix_expire(sd_index *ix, const char *before, uint64_t *removed);

/* ---- index_check.c ---- */
int sd__ix_check(sd_index *ix);

#endif
