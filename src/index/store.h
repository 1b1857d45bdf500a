/*
 * store.h: the index's storage, an LMDB environment (a directory holding
 * data.mdb and lock.mdb) of named databases, read and written inside one
 * transaction at a time.
 *
 * A batch that adds pages runs in one write transaction: everything it
 * writes becomes visible, durably, at commit, or not at all. A query runs
 * the very same code inside a read transaction with an overlay: what it
 * would write is kept in memory (materialized per key) and read back from
 * there, so its answers are those an add would give, and nothing is
 * written. Readers in other processes see the last committed state.
 *
 * Keys of the integer databases are host uint64_t (MDB_INTEGERKEY); dup
 * values are fixed-size (MDB_DUPFIXED): uint64_t in the integer-dup
 * databases, big-endian bytes compared as bytes elsewhere. A value read
 * is valid until the next write through the store; callers decode it at
 * once.
 *
 * Records the index encodes (sd_wr, sd_rd) end with a checksum, so a
 * damaged value is refused (SD_EFORMAT) rather than used.
 */
#ifndef SD_INDEX_STORE_H
#define SD_INDEX_STORE_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* The databases. */
enum {
    DB_META,    /* name -> value: format, options, counters */
    DB_DOC,     /* doc -> its record: id, URL, date, dedup state */
    DB_TEXT,    /* doc -> text, tokens, prose marks, fingerprints */
    DB_SIG,     /* doc -> dedup sketch: signature, verification bins */
    DB_WHEN,    /* date string, doc (big-endian) -> nothing: by date */
    DB_POST,    /* fingerprint -> dups (doc << 32 | position) */
    DB_BAND,    /* band (4 bytes BE), band hash (8 BE) -> dups doc */
    DB_EXACT,   /* low half of a text hash -> dups doc */
    DB_EDGE,    /* doc -> dups doc: verified near-duplicate pairs */
    DB_CLUSTER, /* representative -> dups doc: a dedup cluster's members */
    DB_PASS,    /* passage -> its record: pair, unit, token ranges, edits */
    DB_SPAN,    /* doc -> dups (start, end, passage), 16 bytes BE */
    DB_UNIT,    /* unit -> its passages and stories */
    DB_STORY,   /* story -> its record */
    DB_DSTORY,  /* doc -> dups story */
    /* the runs of the staged databases (POST, BAND, EXACT; runs.c) */
    DB_RUNINFO,    /* name -> the runs; name, run -> its Bloom filter */
    DB_POST_RUNS,  /* run (8 BE), fingerprint (8 BE) -> dups */
    DB_BAND_RUNS,  /* run (8 BE), band, band hash -> dups doc */
    DB_EXACT_RUNS, /* run (8 BE), text hash's low half (8 BE) -> dups doc */
    DB_COUNT
};

/* The staged databases, those whose keys are hashes (runs.c). */
enum { ST_POST, ST_BAND, ST_EXACT, ST_COUNT };

/* A run of a staged database: entries sealed from its active tree, or
 * merged from runs before it, kept under (seq, key) in its runs tree. */
typedef struct sd_run {
    uint64_t seq;               /* its number; later runs hold later entries */
    uint64_t keys, entries;     /* its keys, its dups */
    uint32_t tier;              /* how many merges made it */
    uint64_t blocks;            /* its Bloom filter's 64-byte blocks */
    const unsigned char *bloom; /* the filter, in the map (NULL: fresh) */
    int fresh;                  /* made by this transaction: its filter is
                                   looked up at each use (a page of it may
                                   be spilled and moved) */
} sd_run;

typedef struct sd_stage {
    sd_run *run; /* oldest first */
    size_t n, cap;
    uint64_t next_seq;
    MDB_cursor *c; /* the lookups' cursor on the runs tree, this transaction */
} sd_stage;

/* Entries an active tree takes before it is sealed into a run (a test
 * may lower it to make runs of a few pages). */
#define SD__STAGE_MAX 32768
extern size_t sd__st_stage_max;

typedef struct sd_val {
    const void *p;
    size_t n;
} sd_val;

struct sd_ov; /* the overlay of a query */

typedef struct sd_st {
    MDB_env *env;
    MDB_dbi dbi[DB_COUNT];
    MDB_txn *txn;      /* the current transaction, or NULL */
    int writing;       /* txn is a write transaction */
    struct sd_ov *ov;  /* with a read transaction: what a query writes */
    sd_err *err;       /* where failures are said */
    uint64_t map_size; /* the map's size in use */
    sd_buf scratch;    /* dups read for a caller (sd__st_dups) */
    int has_runs;      /* the runs databases exist (not in a format 1 index opened read-only) */
    sd_stage stage[ST_COUNT]; /* the runs, read at a transaction's start */
} sd_st;

/* Opens (with create, makes) the environment in directory `path`.
 * map_size 0: the one stored, else 64 GiB for a new index. Returns 0,
 * SD_EIO (cannot open or create), SD_EFORMAT (not an index, or damaged). */
int sd__st_open(sd_st *s, const char *path, int create, int read_only, uint64_t map_size,
                sd_err *err);
void sd__st_close(sd_st *s);

/* Transactions: a write one (an add, expire), a read one (with overlay 1,
 * a query's). end(commit 1) commits a write; anything else aborts. */
int sd__st_begin(sd_st *s, int write, int overlay);
int sd__st_end(sd_st *s, int commit);

/* Plain values. get: 1 found (*v set), 0 absent, < 0 error. */
int sd__st_get(sd_st *s, int db, const void *k, size_t kn, sd_val *v);
int sd__st_put(sd_st *s, int db, const void *k, size_t kn, const void *v, size_t vn);
/* Deletes a key and all its dups; absent is not an error. */
int sd__st_del(sd_st *s, int db, const void *k, size_t kn);

/* The dups of a key, each `size` bytes, in order, at most `max` of them
 * (0: all), in s->scratch (valid until the next call): *n of them. 0 or
 * < 0. */
int sd__st_dups(sd_st *s, int db, const void *k, size_t kn, size_t size, size_t max, const void **v,
                size_t *n);
/* Adds one dup (already there: nothing) or removes one (absent: nothing). */
int sd__st_dup_put(sd_st *s, int db, const void *k, size_t kn, const void *v, size_t vn);
int sd__st_dup_del(sd_st *s, int db, const void *k, size_t kn, const void *v, size_t vn);

/* How many dups a key has, and its first and last (when it has any). */
int sd__st_dup_ends(sd_st *s, int db, const void *k, size_t kn, size_t *count, uint64_t *first,
                    uint64_t *last);

/* The same with a uint64_t key (the integer databases). */
int sd__st_get64(sd_st *s, int db, uint64_t k, sd_val *v);
int sd__st_put64(sd_st *s, int db, uint64_t k, const void *v, size_t vn);
int sd__st_del64(sd_st *s, int db, uint64_t k);
int sd__st_dups64(sd_st *s, int db, uint64_t k, size_t max, const uint64_t **v, size_t *n);
int sd__st_dup_put64(sd_st *s, int db, uint64_t k, uint64_t v);
int sd__st_dup_del64(sd_st *s, int db, uint64_t k, uint64_t v);

/* A walk over a database in key order (no overlay): from the first key
 * not below `from` (NULL: the first), each key with its value (dups
 * databases: one call per dup). Returns 1 with *k and *v set, 0 at the
 * end, < 0 on error. */
typedef struct sd_walk {
    sd_st *s;
    MDB_cursor *c;
    int started;
    MDB_val from;
    int db;                /* a staged one: its runs are walked after it */
    unsigned char key[16]; /* a run's key, given back as the database's */
} sd_walk;
int sd__walk_open(sd_walk *w, sd_st *s, int db, const void *from, size_t fn);
int sd__walk_next(sd_walk *w, sd_val *k, sd_val *v);
void sd__walk_close(sd_walk *w);

/* Empties a database (a write transaction, no overlay). */
int sd__st_clear(sd_st *s, int db);

/* Entries in a database (no overlay). */
int sd__st_count(sd_st *s, int db, uint64_t *n);

/* Says why an LMDB call failed on the store's error: the code LMDB's
 * code becomes (a full map: SD_ETOOBIG, naming the size and the option;
 * damage: SD_EFORMAT; the disk: SD_EIO). */
int sd__st_fail(sd_st *s, int mrc, const char *what);

/* ---- the staged databases (runs.c) ----
 *
 * DB_POST, DB_BAND and DB_EXACT are read and written through the calls
 * above like the others (dups, dup_put, dup_del, dup_ends, walk, count,
 * clear), and store.c hands them to these. Their dups are put once each,
 * a new document's: a put finds an equal dup only in the active tree, not
 * in the runs; and none is deleted but by clear (del and dup_del on them
 * are SD_EINVAL). A walk of one gives its active tree's entries, then its
 * runs' (not in one key order), and takes no `from`. */

/* Which staged database `db` is (ST_*), or -1. */
int sd__st_staged(int db);
/* Reads the runs' lists and filters at a transaction's start; lets them
 * go at its end. */
int sd__runs_begin(sd_st *s);
void sd__runs_end(sd_st *s);
/* Frees what the lists took, at the store's close. */
void sd__runs_release(sd_st *s);
/* Appends to s->scratch the dups of the key cursor c is on (its first
 * one in *first, whose size they all have), until it holds `max` (0:
 * all); *n counts them. */
int sd__st_cursor_dups(sd_st *s, MDB_cursor *c, const MDB_val *first, size_t max, size_t *n);
/* Adds the dups of the key cursor c is on (its first one in *val) to a
 * key's ends read so far, from earlier dups: *count grows by theirs,
 * *first is set when *count was 0, *last is set. 0, 1 when the dups are
 * not uint64_t (nothing added), < 0 on error. */
int sd__st_cursor_ends(sd_st *s, MDB_cursor *c, const MDB_val *val, size_t *count, uint64_t *first,
                       uint64_t *last);
/* Appends the dups of key k held in the runs, oldest first, to
 * s->scratch, until it holds `max` (0: all); *n counts them. */
int sd__runs_dups(sd_st *s, int db, const void *k, size_t kn, size_t max, size_t *n);
/* The count, first and last dups of key k in the runs (*count 0: none);
 * the tree's, later, are then added with sd__st_cursor_ends. */
int sd__runs_ends(sd_st *s, int db, const void *k, size_t kn, size_t *count, uint64_t *first,
                  uint64_t *last);
/* After a put into a staged database: seals its active tree into a run
 * when it is full, and merges runs as they pile up. */
int sd__runs_settle(sd_st *s, int db);
/* Empties the runs; their entries in the runs trees. */
int sd__runs_clear(sd_st *s, int db);
int sd__runs_count(sd_st *s, int db, uint64_t *n);
/* A walk's next entry of the runs (after the active tree's): 1, 0 at the
 * end, < 0. */
int sd__runs_walk(sd_walk *w, sd_val *k, sd_val *v);
/* Checks the runs of db: each run's entries, keys and filter against its
 * tree, and that the tree holds nothing else; says each problem found
 * through `say`. */
typedef void (*sd_runs_say)(void *ctx, const char *what);
void sd__runs_check(sd_st *s, int db, sd_runs_say say, void *ctx);

/* ---- records: encoded with a checksum at the end ---- */

typedef struct sd_wr {
    sd_buf b;
    int failed; /* out of memory, or too large */
} sd_wr;

void sd__wr_init(sd_wr *w);
void sd__wr_release(sd_wr *w);
void sd__wr_reset(sd_wr *w);
void sd__wr_bytes(sd_wr *w, const void *p, size_t n);
void sd__wr_u32(sd_wr *w, uint32_t v);
void sd__wr_u64(sd_wr *w, uint64_t v);
void sd__wr_f64(sd_wr *w, double v);
/* A string with its length (u32). */
void sd__wr_str(sd_wr *w, const char *p, size_t n);
/* Pads with zeros to a multiple of `a` bytes. */
void sd__wr_align(sd_wr *w, size_t a);
/* Appends the checksum; returns 0, or SD_ENOMEM / SD_ETOOBIG. */
int sd__wr_seal(sd_wr *w);

typedef struct sd_rd {
    const unsigned char *p, *start, *end;
    int bad; /* read past the end, or a bad checksum */
} sd_rd;

/* Checks a sealed record's checksum; bad is set when it does not hold. */
void sd__rd_init(sd_rd *r, const void *p, size_t n);
uint32_t sd__rd_u32(sd_rd *r);
uint64_t sd__rd_u64(sd_rd *r);
double sd__rd_f64(sd_rd *r);
/* n bytes in place (NULL when past the end). */
const void *sd__rd_bytes(sd_rd *r, size_t n);
const char *sd__rd_str(sd_rd *r, size_t *n);
void sd__rd_align(sd_rd *r, size_t a);

/* Big-endian helpers for the byte-compared keys and dups. */
static inline void sd__be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static inline void sd__be64(unsigned char *p, uint64_t v)
{
    sd__be32(p, (uint32_t)(v >> 32));
    sd__be32(p + 4, (uint32_t)v);
}

static inline uint32_t sd__get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t sd__get_be64(const unsigned char *p)
{
    return (uint64_t)sd__get_be32(p) << 32 | sd__get_be32(p + 4);
}

#endif
