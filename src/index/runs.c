/*
 * runs.c: the staged databases of the index (store.h): the fingerprints'
 * postings, the LSH buckets and the exact-copy lists, whose keys are
 * hashes.
 *
 * Why they are staged: a key that is a hash puts each new entry at a
 * random place in its tree, and LMDB copies every page a transaction
 * touches. Once a tree has many more leaves than a batch has entries,
 * each entry costs a page written (4 kB for 8 bytes), and the time of an
 * add grows with the index. So these databases are kept as an LSM tree
 * keeps its data:
 *
 * - new entries go to a small active tree (the database itself), whose
 *   leaves a batch rewrites at a cost that does not grow with the index;
 * - when it holds sd__st_stage_max entries, it is sealed: its entries are
 *   copied in key order into the runs tree under (run, key) and appended,
 *   so the run's pages are full and written once;
 * - when FAN runs of one tier pile up, they are merged into one run of
 *   the next tier, also appended: an entry is rewritten once per tier,
 *   a logarithmic number of times, each time in full pages;
 * - a lookup reads the runs oldest first, then the active tree; a Bloom
 *   filter per run (BLOOM_BITS a key, about 1% false positives) skips the
 *   runs without the key, so a lookup reads about one tree whatever the
 *   number of runs.
 *
 * A run's list (its number, tier, counts) is a record of DB_RUNINFO under
 * the database's name, its filter a value under the name and the run's
 * number. Everything happens inside the caller's transaction: a batch
 * seals and merges with its own entries, all or nothing. Runs hold later
 * documents than the runs before them, so dups read oldest run first are
 * in order, as the one tree gave them.
 */
#include <stdio.h>
#include <string.h>
#include <xxhash.h>

#include "base/alloc.h"
#include "index/store.h"
#include "syndic.h"

/* Entries an active tree takes before it is sealed: a batch of 1,000
 * pages (25,000 bucket entries) rewrites its few hundred leaves. */
size_t sd__st_stage_max = SD__STAGE_MAX;

/* Runs of one tier merged at a time. */
#define FAN 4

/* Bloom filter bits a key, in 64-byte blocks, PROBES bits set a key. */
#define BLOOM_BITS 10
#define PROBES 7

/* A run in its list: seq, keys, entries, blocks (u64), tier (u32). */
#define RUN_RECORD (4 * 8 + 4)

/* A key in the runs tree: the run (8 bytes BE), then the key. */
#define RUN_KEY 24

static const int staged_db[ST_COUNT] = {DB_POST, DB_BAND, DB_EXACT};
static const int runs_db[ST_COUNT] = {DB_POST_RUNS, DB_BAND_RUNS, DB_EXACT_RUNS};
static const char *const stage_name[ST_COUNT] = {"post", "band", "exact"};

int sd__st_staged(int db)
{
    switch (db) {
    case DB_POST: return ST_POST;
    case DB_BAND: return ST_BAND;
    case DB_EXACT: return ST_EXACT;
    default: return -1;
    }
}

/* A staged key as the runs tree orders it: integer keys (postings and
 * exact copies, host order) big-endian, so byte order is their order.
 * Returns its length, 0 when too long. */
static size_t enc_key(int st, const void *k, size_t kn, unsigned char *out)
{
    if (st != ST_BAND && kn == sizeof(uint64_t)) {
        uint64_t v;
        memcpy(&v, k, sizeof v);
        sd__be64(out, v);
        return kn;
    }
    if (kn > RUN_KEY - 8)
        return 0;
    memcpy(out, k, kn);
    return kn;
}

/* ---- Bloom filters ---- */

static uint64_t bloom_blocks(uint64_t keys)
{
    uint64_t b = (keys * BLOOM_BITS + 511) / 512;
    return b ? b : 1;
}

/* The block of hash h (from its high half) and its bits (from its low). */
static size_t bloom_block(uint64_t h, uint64_t blocks)
{
    return (size_t)(((h >> 32) * blocks) >> 32);
}

static void bloom_add(unsigned char *f, uint64_t blocks, uint64_t h)
{
    unsigned char *b = f + 64 * bloom_block(h, blocks);
    uint32_t a = (uint32_t)h & 0xffff, d = ((uint32_t)h >> 16) | 1;
    int i;
    for (i = 0; i < PROBES; i++, a += d)
        b[(a & 511) >> 3] |= (unsigned char)(1u << (a & 7));
}

static int bloom_has(const unsigned char *f, uint64_t blocks, uint64_t h)
{
    const unsigned char *b = f + 64 * bloom_block(h, blocks);
    uint32_t a = (uint32_t)h & 0xffff, d = ((uint32_t)h >> 16) | 1;
    int i;
    for (i = 0; i < PROBES; i++, a += d)
        if (!(b[(a & 511) >> 3] & (1u << (a & 7))))
            return 0;
    return 1;
}

/* ---- the lists of runs ---- */

/* A filter's key: the database's name, then the run (8 bytes BE). */
static size_t bloom_key(int st, uint64_t seq, unsigned char *k)
{
    size_t n = strlen(stage_name[st]);
    memcpy(k, stage_name[st], n);
    sd__be64(k + n, seq);
    return n + 8;
}

static int damaged(sd_st *s, int st, const char *what)
{
    return sd__errorf(s->err, SD_EFORMAT, "the index is damaged: %s of the '%s' runs", what,
                      stage_name[st]);
}

static int load(sd_st *s, int st)
{
    sd_stage *g = &s->stage[st];
    MDB_val k, v;
    sd_rd r;
    uint32_t n, i;
    int mrc;
    g->n = 0;
    g->next_seq = 1;
    k.mv_data = (void *)(uintptr_t)stage_name[st];
    k.mv_size = strlen(stage_name[st]);
    if ((mrc = mdb_get(s->txn, s->dbi[DB_RUNINFO], &k, &v)) == MDB_NOTFOUND)
        return 0;
    if (mrc)
        return sd__st_fail(s, mrc, "reading the index");
    sd__rd_init(&r, v.mv_data, v.mv_size);
    g->next_seq = sd__rd_u64(&r);
    n = sd__rd_u32(&r);
    if (r.bad || n > (size_t)(r.end - r.p) / RUN_RECORD)
        return damaged(s, st, "the list");
    if (n > g->cap) {
        sd_run *p = sd__reallocarray(g->run, n, sizeof *p);
        if (!p)
            return sd__errorf(s->err, SD_ENOMEM, "out of memory");
        g->run = p;
        g->cap = n;
    }
    for (i = 0; i < n; i++) {
        sd_run *x = &g->run[i];
        unsigned char bk[RUN_KEY];
        memset(x, 0, sizeof *x);
        x->seq = sd__rd_u64(&r);
        x->keys = sd__rd_u64(&r);
        x->entries = sd__rd_u64(&r);
        x->blocks = sd__rd_u64(&r);
        x->tier = sd__rd_u32(&r);
        if (r.bad || x->seq >= g->next_seq || (i && x->seq <= g->run[i - 1].seq))
            return damaged(s, st, "the list");
        k.mv_data = bk;
        k.mv_size = bloom_key(st, x->seq, bk);
        if ((mrc = mdb_get(s->txn, s->dbi[DB_RUNINFO], &k, &v)) != 0)
            return mrc == MDB_NOTFOUND ? damaged(s, st, "a Bloom filter")
                                       : sd__st_fail(s, mrc, "reading the index");
        if (x->blocks == 0 || v.mv_size != x->blocks * 64)
            return damaged(s, st, "a Bloom filter");
        x->bloom = v.mv_data;
        g->n = i + 1;
    }
    return 0;
}

static int save(sd_st *s, int st)
{
    sd_stage *g = &s->stage[st];
    MDB_val k, v;
    sd_wr w;
    size_t i;
    int rc, mrc;
    sd__wr_init(&w);
    sd__wr_u64(&w, g->next_seq);
    sd__wr_u32(&w, (uint32_t)g->n);
    for (i = 0; i < g->n; i++) {
        sd__wr_u64(&w, g->run[i].seq);
        sd__wr_u64(&w, g->run[i].keys);
        sd__wr_u64(&w, g->run[i].entries);
        sd__wr_u64(&w, g->run[i].blocks);
        sd__wr_u32(&w, g->run[i].tier);
    }
    if ((rc = sd__wr_seal(&w)) != 0) {
        sd__wr_release(&w);
        return sd__errorf(s->err, rc, "out of memory");
    }
    k.mv_data = (void *)(uintptr_t)stage_name[st];
    k.mv_size = strlen(stage_name[st]);
    v.mv_data = w.b.p;
    v.mv_size = w.b.len;
    mrc = mdb_put(s->txn, s->dbi[DB_RUNINFO], &k, &v, 0);
    sd__wr_release(&w);
    return mrc ? sd__st_fail(s, mrc, "writing the index") : 0;
}

int sd__runs_begin(sd_st *s)
{
    int st, rc;
    if (!s->has_runs) {
        /* a format 1 index opened read-only: no runs, unless a writer
         * has since made them */
        MDB_dbi main;
        MDB_val k, v;
        k.mv_data = (void *)(uintptr_t) "runinfo";
        k.mv_size = 7;
        if (mdb_dbi_open(s->txn, NULL, 0, &main) == 0 && mdb_get(s->txn, main, &k, &v) == 0)
            return sd__errorf(s->err, SD_EFORMAT,
                              "the index was upgraded to a new format while it was open; open "
                              "it again");
        return 0;
    }
    for (st = 0; st < ST_COUNT; st++)
        if ((rc = load(s, st)) != 0)
            return rc;
    return 0;
}

void sd__runs_end(sd_st *s)
{
    int st;
    for (st = 0; st < ST_COUNT; st++) {
        sd_stage *g = &s->stage[st];
        if (g->c)
            mdb_cursor_close(g->c);
        g->c = NULL;
        g->n = 0;
    }
}

void sd__runs_release(sd_st *s)
{
    int st;
    sd__runs_end(s);
    for (st = 0; st < ST_COUNT; st++) {
        sd__free(s->stage[st].run);
        s->stage[st].run = NULL;
        s->stage[st].cap = 0;
    }
}

/* ---- the runs tree ---- */

/* Whether cursor c is in run seq (its key in *k): 1, 0 past it. */
static int in_run(int mrc, const MDB_val *k, uint64_t seq)
{
    return mrc == 0 && k->mv_size > 8 && sd__get_be64(k->mv_data) == seq;
}

/* Puts cursor c on run seq's first key (in *k, *v): the LMDB code; when
 * past the tree, *k is empty. */
static int run_first(MDB_cursor *c, uint64_t seq, MDB_val *k, MDB_val *v)
{
    unsigned char at[8];
    int mrc;
    sd__be64(at, seq);
    k->mv_data = at;
    k->mv_size = 8;
    if ((mrc = mdb_cursor_get(c, k, v, MDB_SET_RANGE)) != 0) {
        k->mv_data = NULL;
        k->mv_size = 0;
    }
    return mrc;
}

/* The hash of a runs tree key's tail (the database's key), as its run's
 * filter takes it. */
static uint64_t run_hash(const MDB_val *k)
{
    return XXH3_64bits((const unsigned char *)k->mv_data + 8, k->mv_size - 8);
}

/* ---- lookups ---- */

static int cursor(sd_st *s, int st, MDB_cursor **c)
{
    int mrc;
    if (!s->stage[st].c &&
        (mrc = mdb_cursor_open(s->txn, s->dbi[runs_db[st]], &s->stage[st].c)) != 0) {
        s->stage[st].c = NULL;
        return sd__st_fail(s, mrc, "reading the index");
    }
    *c = s->stage[st].c;
    return 0;
}

/* Where a lookup of key k starts: its run key's tail and its hash. */
typedef struct probe {
    int st;
    unsigned char rk[RUN_KEY];
    size_t rn;
    uint64_t h;
} probe;

static int probe_init(sd_st *s, int db, const void *k, size_t kn, probe *p)
{
    size_t en;
    memset(p, 0, sizeof *p);
    p->st = sd__st_staged(db);
    if ((en = enc_key(p->st, k, kn, p->rk + 8)) == 0)
        return sd__errorf(s->err, SD_EINVAL, "a key of %zu bytes in the '%s' database", kn,
                          stage_name[p->st]);
    p->rn = 8 + en;
    p->h = XXH3_64bits(p->rk + 8, en);
    return 0;
}

/* Run x's filter: *f, or 0 and *f NULL when it is not kept. */
static int filter(sd_st *s, int st, const sd_run *x, const unsigned char **f)
{
    unsigned char bk[RUN_KEY];
    MDB_val k, v;
    int mrc;
    *f = x->bloom;
    if (!x->fresh)
        return 0;
    k.mv_data = bk;
    k.mv_size = bloom_key(st, x->seq, bk);
    if ((mrc = mdb_get(s->txn, s->dbi[DB_RUNINFO], &k, &v)) != 0)
        return mrc == MDB_NOTFOUND ? damaged(s, st, "a Bloom filter")
                                   : sd__st_fail(s, mrc, "reading the index");
    if (v.mv_size != x->blocks * 64)
        return damaged(s, st, "a Bloom filter");
    *f = v.mv_data;
    return 0;
}

/* The start of a lookup of key k in the runs of db: its stage (NULL
 * when it has none: *rc 0, or an error), probe and cursor. */
static sd_stage *lookup(sd_st *s, int db, const void *k, size_t kn, probe *p, MDB_cursor **c,
                        int *rc)
{
    int st = sd__st_staged(db);
    *rc = 0;
    if (st < 0 || !s->has_runs || s->stage[st].n == 0)
        return NULL;
    if ((*rc = probe_init(s, db, k, kn, p)) != 0 || (*rc = cursor(s, st, c)) != 0)
        return NULL;
    return &s->stage[st];
}

/* Puts cursor c on key p in run x: 1 there, 0 not, < 0 error. */
static int seek(sd_st *s, MDB_cursor *c, probe *p, const sd_run *x, MDB_val *val)
{
    const unsigned char *f;
    MDB_val key;
    int mrc;
    val->mv_size = 0;
    val->mv_data = NULL;
    if ((mrc = filter(s, p->st, x, &f)) != 0)
        return mrc;
    if (!bloom_has(f, x->blocks, p->h))
        return 0;
    sd__be64(p->rk, x->seq);
    key.mv_data = p->rk;
    key.mv_size = p->rn;
    mrc = mdb_cursor_get(c, &key, val, MDB_SET_KEY);
    if (mrc == MDB_NOTFOUND)
        return 0;
    return mrc ? sd__st_fail(s, mrc, "reading the index") : 1;
}

int sd__runs_dups(sd_st *s, int db, const void *k, size_t kn, size_t max, size_t *n)
{
    MDB_cursor *c = NULL;
    MDB_val val;
    probe p;
    size_t i;
    int rc;
    sd_stage *g = lookup(s, db, k, kn, &p, &c, &rc);
    if (!g)
        return rc;
    for (i = 0; i < g->n && !(max && *n >= max); i++) {
        if ((rc = seek(s, c, &p, &g->run[i], &val)) < 0)
            return rc;
        if (rc && (rc = sd__st_cursor_dups(s, c, &val, max, n)) != 0)
            return rc;
    }
    return 0;
}

int sd__runs_ends(sd_st *s, int db, const void *k, size_t kn, size_t *count, uint64_t *first,
                  uint64_t *last)
{
    MDB_cursor *c = NULL;
    MDB_val val;
    probe p;
    size_t i;
    int rc;
    sd_stage *g = lookup(s, db, k, kn, &p, &c, &rc);
    *count = 0;
    if (!g)
        return rc;
    for (i = 0; i < g->n; i++) {
        if ((rc = seek(s, c, &p, &g->run[i], &val)) < 0)
            return rc;
        if (rc && (rc = sd__st_cursor_ends(s, c, &val, count, first, last)) != 0)
            return rc < 0 ? rc : damaged(s, p.st, "an entry");
    }
    return 0;
}

/* ---- sealing and merging ---- */

/* Appends dup `one` to cursor `to` under run key rk (rn bytes): the
 * key's first (*started 0, then set) or after its others. */
static int put_dup(sd_st *s, MDB_cursor *to, unsigned char *rk, size_t rn, MDB_val *one,
                   int *started, uint64_t *entries)
{
    MDB_val key;
    int mrc;
    key.mv_data = rk;
    key.mv_size = rn;
    if ((mrc = mdb_cursor_put(to, &key, one, *started ? MDB_APPENDDUP : MDB_APPEND)) != 0)
        return sd__st_fail(s, mrc, "writing the index");
    *started = 1;
    ++*entries;
    return 0;
}

/* The dups of the key cursor `from` is on (its first one in *val)
 * appended to cursor `to` under run key rk: *started once the key has
 * one. */
static int copy_dups(sd_st *s, MDB_cursor *from, MDB_cursor *to, unsigned char *rk, size_t rn,
                     MDB_val *val, int *started, uint64_t *entries)
{
    MDB_val key, v;
    size_t m, i, size = val->mv_size;
    int rc, mrc, op = MDB_GET_MULTIPLE;
    if ((mrc = mdb_cursor_count(from, &m)) != 0)
        return sd__st_fail(s, mrc, "reading the index");
    if (m == 1) /* a single value has no dups page: *val is it */
        return put_dup(s, to, rk, rn, val, started, entries);
    while ((mrc = mdb_cursor_get(from, &key, &v, (MDB_cursor_op)op)) == 0) {
        const unsigned char *p = v.mv_data;
        for (i = 0; i + size <= v.mv_size; i += size) {
            MDB_val one;
            one.mv_data = (void *)(uintptr_t)(p + i);
            one.mv_size = size;
            if ((rc = put_dup(s, to, rk, rn, &one, started, entries)) != 0)
                return rc;
        }
        op = MDB_NEXT_MULTIPLE;
    }
    return mrc == MDB_NOTFOUND ? 0 : sd__st_fail(s, mrc, "reading the index");
}

/* Makes run x's filter, its keys read back from the runs tree, and adds
 * x to the list. The filter is written in place (MDB_RESERVE) and filled
 * before any other write, which could move its pages. */
static int add_run(sd_st *s, int st, sd_run *x, MDB_cursor *c)
{
    sd_stage *g = &s->stage[st];
    unsigned char bk[RUN_KEY];
    unsigned char *f;
    MDB_val k, v;
    int mrc;
    if (g->n == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 8;
        sd_run *p = sd__reallocarray(g->run, cap, sizeof *p);
        if (!p)
            return sd__errorf(s->err, SD_ENOMEM, "out of memory");
        g->run = p;
        g->cap = cap;
    }
    x->blocks = bloom_blocks(x->keys);
    k.mv_data = bk;
    k.mv_size = bloom_key(st, x->seq, bk);
    v.mv_data = NULL;
    v.mv_size = x->blocks * 64;
    if ((mrc = mdb_put(s->txn, s->dbi[DB_RUNINFO], &k, &v, MDB_RESERVE)) != 0)
        return sd__st_fail(s, mrc, "writing the index");
    f = v.mv_data;
    memset(f, 0, v.mv_size);
    for (mrc = run_first(c, x->seq, &k, &v); in_run(mrc, &k, x->seq);
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT_NODUP))
        bloom_add(f, x->blocks, run_hash(&k));
    if (mrc && mrc != MDB_NOTFOUND)
        return sd__st_fail(s, mrc, "reading the index");
    x->bloom = NULL;
    x->fresh = 1;
    g->run[g->n++] = *x;
    return 0;
}

/* The tier of a run of `entries`: how many times FAN runs of a sealed
 * size it holds. */
static uint32_t tier_of(uint64_t entries)
{
    uint64_t size = (uint64_t)sd__st_stage_max * FAN;
    uint32_t t = 0;
    while (entries >= size && t < 63) {
        t++;
        size *= FAN;
    }
    return t;
}

/* Copies the active tree of staged database st into a new run, and
 * empties it. */
static int seal(sd_st *s, int st)
{
    sd_stage *g = &s->stage[st];
    MDB_cursor *from = NULL, *to = NULL;
    MDB_val k, v;
    MDB_stat ms;
    sd_run x;
    unsigned char rk[RUN_KEY];
    int rc = 0, mrc;
    memset(&x, 0, sizeof x);
    if ((mrc = mdb_stat(s->txn, s->dbi[staged_db[st]], &ms)) != 0)
        return sd__st_fail(s, mrc, "reading the index");
    if (ms.ms_entries == 0)
        return 0;
    x.seq = g->next_seq;
    if ((mrc = mdb_cursor_open(s->txn, s->dbi[staged_db[st]], &from)) != 0 ||
        (mrc = mdb_cursor_open(s->txn, s->dbi[runs_db[st]], &to)) != 0)
        goto fail;
    sd__be64(rk, x.seq);
    for (mrc = mdb_cursor_get(from, &k, &v, MDB_FIRST); mrc == 0;
         mrc = mdb_cursor_get(from, &k, &v, MDB_NEXT_NODUP)) {
        size_t en = enc_key(st, k.mv_data, k.mv_size, rk + 8);
        int started = 0;
        if (en == 0) {
            rc = damaged(s, st, "a key");
            goto done;
        }
        x.keys++;
        if ((rc = copy_dups(s, from, to, rk, 8 + en, &v, &started, &x.entries)) != 0)
            goto done;
    }
    if (mrc != MDB_NOTFOUND)
        goto fail;
    mdb_cursor_close(from);
    from = NULL;
    if ((mrc = mdb_drop(s->txn, s->dbi[staged_db[st]], 0)) != 0)
        goto fail;
    x.tier = tier_of(x.entries);
    g->next_seq++;
    rc = add_run(s, st, &x, to);
    goto done;
fail:
    rc = sd__st_fail(s, mrc, "writing the index");
done:
    if (from)
        mdb_cursor_close(from);
    if (to)
        mdb_cursor_close(to);
    return rc;
}

/* Deletes run seq's entries from the runs tree. After a delete the
 * cursor is on the next key, whose key (not its dups: LMDB 0.9.24 leaves
 * a large dups tree's cursor unready there, and reading it fails) is read
 * to go on; whenever that stops, the run is looked up again, so it is
 * emptied whatever the cursor's state. */
static int drop_run(sd_st *s, MDB_cursor *c, uint64_t seq)
{
    MDB_val k, v;
    int mrc;
    for (;;) {
        mrc = run_first(c, seq, &k, &v);
        if (!in_run(mrc, &k, seq))
            break;
        do {
            if ((mrc = mdb_cursor_del(c, MDB_NODUPDATA)) != 0)
                return sd__st_fail(s, mrc, "writing the index");
            mrc = mdb_cursor_get(c, &k, NULL, MDB_GET_CURRENT);
        } while (in_run(mrc, &k, seq));
    }
    return mrc == 0 || mrc == MDB_NOTFOUND ? 0 : sd__st_fail(s, mrc, "reading the index");
}

/* The runs a merge reads, oldest first: a cursor on each, on the
 * smallest of its keys not yet copied (live 0 when it has none left). */
typedef struct merge_in {
    MDB_cursor *c[FAN];
    MDB_val k[FAN], v[FAN];
    uint64_t seq[FAN];
    int live[FAN];
    size_t m;
} merge_in;

/* After input i's cursor moved (LMDB code mrc): whether it is still in
 * its run. */
static int in_moved(sd_st *s, merge_in *in, size_t i, int mrc)
{
    in->live[i] = in_run(mrc, &in->k[i], in->seq[i]);
    return mrc == 0 || mrc == MDB_NOTFOUND ? 0 : sd__st_fail(s, mrc, "reading the index");
}

static int in_open(sd_st *s, int st, size_t from, merge_in *in)
{
    size_t i;
    int mrc, rc;
    memset(in, 0, sizeof *in);
    in->m = s->stage[st].n - from;
    for (i = 0; i < in->m; i++) {
        in->seq[i] = s->stage[st].run[from + i].seq;
        if ((mrc = mdb_cursor_open(s->txn, s->dbi[runs_db[st]], &in->c[i])) != 0) {
            in->c[i] = NULL;
            return sd__st_fail(s, mrc, "reading the index");
        }
        if ((rc = in_moved(s, in, i, run_first(in->c[i], in->seq[i], &in->k[i], &in->v[i]))) != 0)
            return rc;
    }
    return 0;
}

static void in_close(merge_in *in)
{
    size_t i;
    for (i = 0; i < in->m; i++)
        if (in->c[i])
            mdb_cursor_close(in->c[i]);
}

/* Whether input i is on the key whose tail is t (tn bytes). */
static int in_on(const merge_in *in, size_t i, const unsigned char *t, size_t tn)
{
    return in->live[i] && in->k[i].mv_size == tn + 8 &&
           memcmp((const unsigned char *)in->k[i].mv_data + 8, t, tn) == 0;
}

/* The input on the smallest key (its tail's length in *tn), or m when
 * every input is done. */
static size_t in_lowest(const merge_in *in, size_t *tn)
{
    size_t i, lo = in->m;
    for (i = 0; i < in->m; i++) {
        size_t n = in->live[i] ? in->k[i].mv_size - 8 : 0;
        if (in->live[i] &&
            (lo == in->m || memcmp((const unsigned char *)in->k[i].mv_data + 8,
                                   (const unsigned char *)in->k[lo].mv_data + 8, n) < 0)) {
            lo = i;
            *tn = n;
        }
    }
    return lo;
}

/* Deletes the inputs' entries and filters, and their runs from the list. */
static int drop_inputs(sd_st *s, int st, size_t from, MDB_cursor *c)
{
    sd_stage *g = &s->stage[st];
    size_t i;
    int rc, mrc;
    for (i = from; i < g->n; i++) {
        unsigned char bk[RUN_KEY];
        MDB_val key;
        if ((rc = drop_run(s, c, g->run[i].seq)) != 0)
            return rc;
        key.mv_data = bk;
        key.mv_size = bloom_key(st, g->run[i].seq, bk);
        if ((mrc = mdb_del(s->txn, s->dbi[DB_RUNINFO], &key, NULL)) != 0 && mrc != MDB_NOTFOUND)
            return sd__st_fail(s, mrc, "writing the index");
    }
    g->n = from;
    return 0;
}

/* Merges runs [from, n) of staged database st (at most FAN) into one new
 * run, appended, and drops them. */
static int merge(sd_st *s, int st, size_t from)
{
    sd_stage *g = &s->stage[st];
    MDB_cursor *out = NULL;
    merge_in in;
    unsigned char rk[RUN_KEY];
    size_t i, lo, tn = 0;
    uint32_t tier = g->run[g->n - 1].tier + 1;
    sd_run x;
    int rc, mrc;
    memset(&x, 0, sizeof x);
    x.seq = g->next_seq;
    if ((rc = in_open(s, st, from, &in)) != 0)
        goto done;
    if ((mrc = mdb_cursor_open(s->txn, s->dbi[runs_db[st]], &out)) != 0) {
        out = NULL;
        rc = sd__st_fail(s, mrc, "writing the index");
        goto done;
    }
    sd__be64(rk, x.seq);
    while ((lo = in_lowest(&in, &tn)) < in.m) {
        int started = 0;
        memcpy(rk + 8, (const unsigned char *)in.k[lo].mv_data + 8, tn);
        x.keys++;
        /* the runs on this key, oldest first: their dups in order */
        for (i = lo; i < in.m; i++)
            if (in_on(&in, i, rk + 8, tn) &&
                ((rc = copy_dups(s, in.c[i], out, rk, 8 + tn, &in.v[i], &started, &x.entries)) !=
                     0 ||
                 (rc = in_moved(s, &in, i,
                                mdb_cursor_get(in.c[i], &in.k[i], &in.v[i], MDB_NEXT_NODUP))) != 0))
                goto done;
    }
    if ((rc = drop_inputs(s, st, from, out)) != 0)
        goto done;
    x.tier = tier_of(x.entries) > tier ? tier_of(x.entries) : tier;
    g->next_seq++;
    rc = add_run(s, st, &x, out);
done:
    in_close(&in);
    if (out)
        mdb_cursor_close(out);
    return rc;
}

int sd__runs_settle(sd_st *s, int db)
{
    int st = sd__st_staged(db), rc;
    sd_stage *g;
    MDB_stat ms;
    int mrc;
    if (st < 0 || !s->has_runs || !s->writing || s->ov)
        return 0;
    g = &s->stage[st];
    if ((mrc = mdb_stat(s->txn, s->dbi[db], &ms)) != 0)
        return sd__st_fail(s, mrc, "reading the index");
    if (ms.ms_entries < sd__st_stage_max)
        return 0;
    /* the lookups' cursor is not kept across the runs' moves */
    if (g->c)
        mdb_cursor_close(g->c);
    g->c = NULL;
    if ((rc = seal(s, st)) != 0)
        return rc;
    /* FAN runs of one tier at the end: merged into one of the next */
    while (g->n >= FAN) {
        uint32_t t = g->run[g->n - 1].tier;
        size_t i;
        for (i = g->n - FAN; i < g->n && g->run[i].tier == t; i++)
            ;
        if (i < g->n)
            break;
        if ((rc = merge(s, st, g->n - FAN)) != 0)
            return rc;
    }
    return save(s, st);
}

int sd__runs_clear(sd_st *s, int db)
{
    int st = sd__st_staged(db), mrc;
    sd_stage *g;
    size_t i;
    if (st < 0 || !s->has_runs)
        return 0;
    g = &s->stage[st];
    if (g->c)
        mdb_cursor_close(g->c);
    g->c = NULL;
    if ((mrc = mdb_drop(s->txn, s->dbi[runs_db[st]], 0)) != 0)
        return sd__st_fail(s, mrc, "writing the index");
    for (i = 0; i < g->n; i++) {
        unsigned char bk[RUN_KEY];
        MDB_val k;
        k.mv_data = bk;
        k.mv_size = bloom_key(st, g->run[i].seq, bk);
        if ((mrc = mdb_del(s->txn, s->dbi[DB_RUNINFO], &k, NULL)) != 0 && mrc != MDB_NOTFOUND)
            return sd__st_fail(s, mrc, "writing the index");
    }
    g->n = 0;
    return save(s, st);
}

int sd__runs_count(sd_st *s, int db, uint64_t *n)
{
    MDB_stat ms;
    int mrc, st = sd__st_staged(db);
    *n = 0;
    if (st < 0 || !s->has_runs)
        return 0;
    if ((mrc = mdb_stat(s->txn, s->dbi[runs_db[st]], &ms)) != 0)
        return sd__st_fail(s, mrc, "reading the index");
    *n = ms.ms_entries;
    return 0;
}

int sd__runs_walk(sd_walk *w, sd_val *k, sd_val *v)
{
    int st = sd__st_staged(w->db), mrc;
    MDB_val key, val;
    if (st < 0 || !w->s->has_runs)
        return 0;
    if (w->started != 2) {
        /* the active tree is done: on to the runs tree */
        if (w->c)
            mdb_cursor_close(w->c);
        w->c = NULL;
        w->started = 2;
        if ((mrc = mdb_cursor_open(w->s->txn, w->s->dbi[runs_db[st]], &w->c)) != 0) {
            w->c = NULL;
            return sd__st_fail(w->s, mrc, "reading the index");
        }
        mrc = mdb_cursor_get(w->c, &key, &val, MDB_FIRST);
    } else {
        mrc = mdb_cursor_get(w->c, &key, &val, MDB_NEXT);
    }
    if (mrc == MDB_NOTFOUND)
        return 0;
    if (mrc)
        return sd__st_fail(w->s, mrc, "reading the index");
    if (key.mv_size <= 8 || key.mv_size > RUN_KEY)
        return damaged(w->s, st, "a key");
    k->n = key.mv_size - 8;
    if (st != ST_BAND && k->n == sizeof(uint64_t)) {
        uint64_t x = sd__get_be64((const unsigned char *)key.mv_data + 8);
        memcpy(w->key, &x, sizeof x);
    } else {
        memcpy(w->key, (const unsigned char *)key.mv_data + 8, k->n);
    }
    k->p = w->key;
    v->p = val.mv_data;
    v->n = val.mv_size;
    return 1;
}

void sd__runs_check(sd_st *s, int db, sd_runs_say say, void *ctx)
{
    int st = sd__st_staged(db), mrc;
    sd_stage *g;
    MDB_cursor *c = NULL;
    MDB_val k, v;
    uint64_t total = 0, n;
    char what[200];
    size_t i;
    if (st < 0 || !s->has_runs)
        return;
    g = &s->stage[st];
    if (mdb_cursor_open(s->txn, s->dbi[runs_db[st]], &c) != 0) {
        say(ctx, "the runs tree cannot be read");
        return;
    }
    for (i = 0; i < g->n; i++) {
        const sd_run *x = &g->run[i];
        const unsigned char *f;
        uint64_t keys = 0, entries = 0, missed = 0;
        size_t m;
        if (filter(s, st, x, &f) != 0) {
            say(ctx, s->err->msg);
            continue;
        }
        for (mrc = run_first(c, x->seq, &k, &v); in_run(mrc, &k, x->seq);
             mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT_NODUP)) {
            keys++;
            if (mdb_cursor_count(c, &m) == 0)
                entries += m;
            missed += !bloom_has(f, x->blocks, run_hash(&k));
        }
        total += entries;
        if (keys != x->keys || entries != x->entries) {
            snprintf(what, sizeof what,
                     "run %llu of the '%s' database holds %llu keys and %llu entries, its list "
                     "says %llu and %llu",
                     (unsigned long long)x->seq, stage_name[st], (unsigned long long)keys,
                     (unsigned long long)entries, (unsigned long long)x->keys,
                     (unsigned long long)x->entries);
            say(ctx, what);
        }
        if (missed) {
            snprintf(what, sizeof what,
                     "run %llu of the '%s' database: %llu keys are not in its Bloom filter",
                     (unsigned long long)x->seq, stage_name[st], (unsigned long long)missed);
            say(ctx, what);
        }
    }
    mdb_cursor_close(c);
    if (sd__runs_count(s, db, &n) == 0 && n != total) {
        snprintf(what, sizeof what,
                 "the '%s' runs tree holds %llu entries, its runs %llu: entries of no run",
                 stage_name[st], (unsigned long long)n, (unsigned long long)total);
        say(ctx, what);
    }
}
