/*
 * dedup_int.h: the dedup job's state, shared by dedup.c (options,
 * sketching, results) and dedup_finish.c (the finish).
 *
 * What the job keeps per document is a set of arrays indexed by the
 * document's place among this process's documents: in memory, or under a
 * memory limit in file-backed arrays (sd_fmap) of which a part of the limit
 * stays resident. Both grow the same way (sd__dedup_room) and are read
 * through the same pointers, so no step of the job asks where they are.
 */
#ifndef SD_GROUP_DEDUP_INT_H
#define SD_GROUP_DEDUP_INT_H

#include <stddef.h>
#include <stdint.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "base/err.h"
#include "base/fmap.h"
#include "base/pool.h"
#include "sketch/minhash.h"
#include "syndic.h"
#include "text/tokenize.h"

/* The per-document arrays (sd_dedup.arr, .map). */
enum {
    A_SIG,     /* uint32_t[K]: the signature LSH bands, and half the estimate */
    A_VSIG,    /* uint16_t[K]: K more bins, 16 bits each, that only
                  verification reads: a pair's estimate uses 2K bins */
    A_INFO,    /* doc_info: text hash and length, DOC_ABSENT / DOC_EMPTY */
    A_FLAGS,   /* uint8_t: DOC_* as finish learns them */
    A_REP,     /* uint64_t: union-find parent (one process), then the
                  representative's index in the whole input */
    A_CLUSTER, /* uint64_t: cluster number (UINT64_MAX: absent) */
    A_SIM,     /* float: similarity to the representative */
    A_COUNT
};

enum { DOC_ABSENT = 1, DOC_EMPTY = 2, DOC_SKIP = 4, DOC_EXACT = 8 };

typedef struct doc_info {
    XXH128_hash_t text_hash;
    uint64_t len;
    uint32_t flags;
    uint32_t pad_;
} doc_info;

/* A band key's value: the band above bit 40, the document below. */
#define BAND_SHIFT 40
#define DOC_MASK ((UINT64_C(1) << BAND_SHIFT) - 1)

/* Buckets up to this size are paired exhaustively (see sd__lsh_pairs). */
#define FULL_BUCKET 16

/* A page, the unit a random access to a file-backed array costs. */
#define PAGE 4096

struct sd_dedup {
    sd_dedup_options o;
    sd_pool *pool;
    sd_err err;
    sd_job job;
    size_t n;             /* this process's documents */
    size_t cap[A_COUNT];  /* documents each array holds */
    void *arr[A_COUNT];   /* the arrays, in memory or at map[a].base */
    sd_fmap map[A_COUNT]; /* under a memory limit */
    sd_fmap *mapp;        /* = map, for counting touches through a const
                             job (sd_dedup_get reads in order) */
    sd_comm self;         /* the transport of a job of one process */
    sd_dedup_stats stats;
    /* sketching: per-worker tokens, the batch being sketched */
    sd_tokens *tok;
    sd_oph_first first; /* for densifying short texts' signatures */
    const sd_doc *batch;
    int batch_failed;
    void *out[A_INFO + 1]; /* where the batch's sketches go: their slots
                              in memory, or under a limit buf */
    void *buf[A_INFO + 1]; /* under a limit, the batch's sketches before they
                              are written to the files (writing through the
                              maps would fault every page in) */
    size_t buf_cap;
};

/* The arrays, typed: document i's signature is sig_of(d) + i * K. */
#define sig_of(d) ((uint32_t *)(d)->arr[A_SIG])
#define vsig_of(d) ((uint16_t *)(d)->arr[A_VSIG])
#define info_of(d) ((doc_info *)(d)->arr[A_INFO])
#define flags_of(d) ((uint8_t *)(d)->arr[A_FLAGS])
#define rep_of(d) ((uint64_t *)(d)->arr[A_REP])
#define cluster_of(d) ((uint64_t *)(d)->arr[A_CLUSTER])
#define sim_of(d) ((float *)(d)->arr[A_SIM])

/* Room for n documents in array a (whose new entries the caller sets). 0,
 * SD_ENOMEM or SD_EIO, with d->err set. */
int sd__dedup_room(sd_dedup *d, unsigned a, size_t n);

/* Counts `bytes` of array a touched (a page for a random access, the
 * entries' bytes when walking in order); past the array's share of the
 * memory limit, its pages are let go. Only on the job's own thread. */
static inline void sd__dedup_touch(const sd_dedup *d, unsigned a, uint64_t bytes)
{
    if (d->o.memory_limit)
        sd_fmap_touch(&d->mapp[a], bytes);
}

/* Counts a document walked in order in the arrays of `arrays` (a set of
 * A_BIT(A_*)): each its entry's bytes. */
#define A_BIT(a) (1u << (a))
void sd__dedup_walk(const sd_dedup *d, unsigned arrays);

/* Lets go of every array's resident pages (any thread). */
void sd__dedup_trim(const sd_dedup *d);

/* Equal bins of two records (signature, verification bins): out of 2K. */
unsigned sd__dedup_matches(unsigned k, const uint32_t *sa, const uint16_t *va, const uint32_t *sb,
                           const uint16_t *vb);

/*
 * Document i's record, its signature and verification bins: where they
 * are in memory or, under a memory limit, read from the arrays' files into
 * buf (6K bytes), so that records read at random map no pages and keep
 * none resident. And its text hash and length, the same way. 0 or SD_EIO /
 * SD_ETRUNC. Any thread.
 */
int sd__dedup_record(const sd_dedup *d, size_t i, unsigned char *buf, const uint32_t **sig,
                     const uint16_t **vsig);
int sd__dedup_info(const sd_dedup *d, size_t i, doc_info *out);
/* The same record copied to dst (6K bytes). */
int sd__dedup_record_to(const sd_dedup *d, size_t i, unsigned char *dst);

/* The finish (dedup_finish.c). */
int sd__dedup_finish(sd_dedup *d, sd_progress_fn progress, void *ud);

/* The exact copies within a group of documents whose text hashes share
 * their low half, in document order: first[i] is the first j <= i with the
 * same length and 128-bit hash (i itself when none). */
void sd__dedup_exact_firsts(const doc_info *g, size_t n, size_t *first);

/* Sketches one text as the job does (text NULL: an absent document): its
 * signature sig[0..K), verification bins vsig[0..K) and *inf (text hash,
 * length, DOC_ABSENT or DOC_EMPTY); first is the densification table of
 * 2K bins and the options' seed (sd__oph_first_init), tok the caller's
 * scratch. Returns 0 or SD_ENOMEM. Thread-safe. */
int sd__dedup_sketch(const sd_dedup_options *o, const sd_oph_first *first, const char *text,
                     size_t len, sd_tokens *tok, uint32_t *sig, uint16_t *vsig, doc_info *inf);

#endif
