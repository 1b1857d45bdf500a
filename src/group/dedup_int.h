/*
 * dedup_int.h: the dedup job's state, shared by dedup.c (sketching, the
 * in-memory finish, results) and dedup_spill.c (the finish under a memory
 * limit).
 */
#ifndef SD_GROUP_DEDUP_INT_H
#define SD_GROUP_DEDUP_INT_H

#include <stddef.h>
#include <stdint.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "base/err.h"
#include "base/fmap.h"
#include "base/keysort.h"
#include "base/pool.h"
#include "base/spill.h"
#include "group/unionfind.h"
#include "sketch/minhash.h"
#include "syndic.h"
#include "text/tokenize.h"

/* The per-document arrays that may be file-backed (sd_dedup.map). */
enum {
    M_FLAGS,   /* uint8_t: DOC_*; SKIP: out of LSH */
    M_PARENTS, /* uint64_t: union-find parent, then representative */
    M_AUX,     /* uint32_t: a representative's cluster number, or another
                  document's similarity to it (float bits) */
    M_SKIP,    /* bits: DOC_SKIP, while candidates are formed */
    /* one of several processes: what sd_dedup keeps in memory otherwise */
    M_SIG,     /* sigs */
    M_VSIG,    /* vsigs */
    M_INFO,    /* info */
    M_DSKIP,   /* uint8_t: out of LSH, while candidates are formed */
    M_EXACT,   /* exact */
    M_REP,     /* rep */
    M_CLUSTER, /* cluster */
    M_SIM,     /* sim */
    M_COUNT
};

/* Buckets up to this size are paired exhaustively (see sd__lsh_pairs). */
#define FULL_BUCKET 16

enum { DOC_ABSENT = 1, DOC_EMPTY = 2, DOC_SKIP = 4, DOC_EXACT = 8 };

typedef struct doc_info {
    XXH128_hash_t text_hash;
    uint64_t len;
    uint32_t flags;
    uint32_t pad_;
} doc_info;

/* A share of the bands (band % nparts) with their keys, runs and, at
 * finish, candidate pairs: the shares are merged in parallel. */
typedef struct band_part {
    sd_kv *keys; /* band keys not yet spilled */
    size_t nkeys, keys_cap;
    sd_spill runs; /* sorted runs of band keys */
    sd_kv *pairs;  /* candidate pairs not yet spilled */
    size_t np, pcap;
    sd_spill pruns; /* sorted runs of distinct pairs */
    uint64_t spilled;
    sd_err err;
    int rc;
} band_part;

/* A band key's value: the band above bit 40, the document below. */
#define BAND_SHIFT 40
#define DOC_MASK ((UINT64_C(1) << BAND_SHIFT) - 1)

struct sd_dedup {
    sd_dedup_options o;
    sd_pool *pool;
    sd_err err;
    uint32_t *sigs;  /* K per document: LSH bands and the first estimate */
    uint16_t *vsigs; /* K more bins per document, 16 bits each, that only
                        verification reads: the estimate of a candidate
                        pair uses 2K bins, halving its variance */
    size_t sigs_cap; /* in documents */
    doc_info *info;
    size_t info_cap;
    size_t n;
    sd_job job;
    /* results */
    uint64_t *rep;
    uint64_t *cluster;
    float *sim;
    uint8_t *exact;
    sd_dedup_stats stats;
    /* per-worker scratch */
    sd_tokens *tok;
    sd_oph_first first; /* for densifying short texts' signatures */
    /* the batch being sketched */
    const sd_doc *batch;
    size_t batch_base;
    int batch_failed;
    /* ---- with a memory limit: sigs, vsigs and info hold the batch only,
     * its document i at i - local_base */
    int spill;
    size_t local_base;
    uint64_t *bh;          /* the batch's band hashes, bands per document */
    size_t bh_cap;         /* in documents */
    int sig_fd;            /* every document's record, at index * rec_size */
    size_t rec_size;       /* 4K signature, 2K verification bins, doc_info */
    unsigned char *recbuf; /* the batch's records, before writing */
    size_t recbuf_cap;     /* in documents */
    /* per document, arrays in unnamed temporary files (sd_fmap, indexed by
     * M_*): with a limit in one process, the first four, a 16th of the
     * limit of each resident; one of several processes with a limit
     * (mapped), the others, let go as dedup_dist.c walks them */
    sd_fmap map[M_COUNT];
    int mapped;
    uint64_t *walked; /* bytes of them sd_dedup_get() touched since a let-go
                         (behind a pointer: sd_dedup_get takes a const job) */
    band_part *parts; /* the bands' keys, in pool-size shares */
    unsigned nparts;
    size_t part_max; /* keys in a share's buffer before it spills */
    sd_kv *hkeys;    /* (text hash, document) keys not yet spilled */
    size_t nhkeys, hkeys_cap, hkeys_max;
    sd_spill hash_runs;
    unsigned char *scratch; /* per worker: two records */
    int io_failed;          /* set by a worker whose read failed */
};

/* The exact copies within a group of documents whose text hashes share
 * their low half, in document order: first[i] is the first j <= i with the
 * same length and 128-bit hash (i itself when none). The in-memory, spilled
 * and distributed finishes all join document i to document first[i]. */
void sd__dedup_exact_firsts(const doc_info *g, size_t n, size_t *first);

/* Equal bins of two documents' records (signature, then verification bins). */
unsigned sd__dedup_rec_matches(const unsigned char *a, const unsigned char *b, unsigned k);

/* dedup_spill.c */
void sd__dedup_spill_maps_init(sd_dedup *d);
int sd__dedup_spill_init(sd_dedup *d);
int sd__dedup_spill_add(sd_dedup *d, size_t n);
int sd__dedup_spill_begin(sd_dedup *d);
int sd__dedup_spill_finish(sd_dedup *d, sd_progress_fn progress, void *ud);
void sd__dedup_spill_get(const sd_dedup *d, uint64_t index, sd_dedup_result *r);
void sd__dedup_spill_free(sd_dedup *d);

/* Lets go of the pages of every per-document array past its bound
 * (dedup_spill.c). */
void sd__dedup_maps_trim(const sd_dedup *d);
/* Counts `bytes` of them touched (in *d->walked); past `bound`, lets go. */
void sd__dedup_walked(const sd_dedup *d, uint64_t bytes, uint64_t bound);

/* dedup_dist.c */
int sd__dedup_dist_finish(sd_dedup *d, sd_progress_fn progress, void *ud);

#endif
