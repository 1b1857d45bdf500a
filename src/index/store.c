/*
 * store.c: the index's LMDB environment, its transactions, the overlay a
 * query writes into, and the records' encoding (store.h).
 */
#include "index/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <xxhash.h>

#include "base/alloc.h"
#include "syndic.h"

/* A new index's map: the most its file may grow to (the file itself grows
 * only as pages are written). */
#define DEFAULT_MAP ((uint64_t)64 << 30)

/* Free space under which a failed write is taken for a full disk. */
#define FULL_DISK ((uint64_t)64 << 10)

static const struct {
    const char *name;
    unsigned flags;
} dbs[DB_COUNT] = {
    {"meta", 0},
    {"doc", MDB_INTEGERKEY},
    {"text", MDB_INTEGERKEY},
    {"sig", MDB_INTEGERKEY},
    {"when", 0},
    {"post", MDB_INTEGERKEY | MDB_DUPSORT | MDB_DUPFIXED | MDB_INTEGERDUP},
    {"band", MDB_DUPSORT | MDB_DUPFIXED | MDB_INTEGERDUP},
    {"exact", MDB_INTEGERKEY | MDB_DUPSORT | MDB_DUPFIXED | MDB_INTEGERDUP},
    {"edge", MDB_INTEGERKEY | MDB_DUPSORT | MDB_DUPFIXED | MDB_INTEGERDUP},
    {"cluster", MDB_INTEGERKEY | MDB_DUPSORT | MDB_DUPFIXED | MDB_INTEGERDUP},
    {"pass", MDB_INTEGERKEY},
    {"span", MDB_INTEGERKEY | MDB_DUPSORT | MDB_DUPFIXED},
    {"unit", MDB_INTEGERKEY},
    {"story", MDB_INTEGERKEY},
    {"dstory", MDB_INTEGERKEY | MDB_DUPSORT | MDB_DUPFIXED | MDB_INTEGERDUP},
    {"runinfo", 0},
    {"post.runs", MDB_DUPSORT | MDB_DUPFIXED | MDB_INTEGERDUP},
    {"band.runs", MDB_DUPSORT | MDB_DUPFIXED | MDB_INTEGERDUP},
    {"exact.runs", MDB_DUPSORT | MDB_DUPFIXED | MDB_INTEGERDUP},
};

/* ---- the overlay: per (database, key), what the query wrote ---- */

enum { OV_VAL = 1, OV_GONE, OV_DUPS };

typedef struct ov_ent {
    uint64_t h; /* 0: empty slot */
    unsigned db, kind;
    unsigned char *k;
    size_t kn;
    unsigned char *v; /* the value, or the dups one after another */
    size_t vn, vcap;
} ov_ent;

struct sd_ov {
    ov_ent *t;
    size_t mask, n;
};

static uint64_t ov_hash(int db, const void *k, size_t kn)
{
    return XXH3_64bits_withSeed(k, kn, (uint64_t)db + 1) | 1;
}

static void ov_free(struct sd_ov *o)
{
    size_t i;
    if (!o)
        return;
    for (i = 0; o->t && i <= o->mask; i++)
        if (o->t[i].h) {
            sd__free(o->t[i].k);
            sd__free(o->t[i].v);
        }
    sd__free(o->t);
    sd__free(o);
}

/* The entry of (db, key), or NULL; with make, a new empty one (kind 0). */
static ov_ent *ov_find(struct sd_ov *o, int db, const void *k, size_t kn, int make)
{
    uint64_t h = ov_hash(db, k, kn);
    size_t j;
    if (make && 2 * (o->n + 1) > o->mask + 1) {
        size_t size = (o->mask + 1) * 2, i;
        ov_ent *t = sd__calloc(size, sizeof *t);
        if (!t)
            return NULL;
        for (i = 0; o->t && i <= o->mask; i++)
            if (o->t[i].h) {
                size_t x = (size_t)o->t[i].h & (size - 1);
                while (t[x].h)
                    x = (x + 1) & (size - 1);
                t[x] = o->t[i];
            }
        sd__free(o->t);
        o->t = t;
        o->mask = size - 1;
    }
    if (!o->t)
        return NULL;
    for (j = (size_t)h & o->mask; o->t[j].h; j = (j + 1) & o->mask)
        if (o->t[j].h == h && o->t[j].db == (unsigned)db && o->t[j].kn == kn &&
            memcmp(o->t[j].k, k, kn) == 0)
            return &o->t[j];
    if (!make)
        return NULL;
    if ((o->t[j].k = sd__malloc(kn ? kn : 1)) == NULL)
        return NULL;
    memcpy(o->t[j].k, k, kn);
    o->t[j].h = h;
    o->t[j].db = (unsigned)db;
    o->t[j].kn = kn;
    o->t[j].kind = 0;
    o->t[j].v = NULL;
    o->t[j].vn = o->t[j].vcap = 0;
    o->n++;
    return &o->t[j];
}

static int ov_set(ov_ent *e, unsigned kind, const void *v, size_t vn)
{
    if (vn > e->vcap) {
        unsigned char *p = sd__realloc(e->v, vn);
        if (!p)
            return SD_ENOMEM;
        e->v = p;
        e->vcap = vn;
    }
    if (vn)
        memcpy(e->v, v, vn);
    e->vn = vn;
    e->kind = kind;
    return 0;
}

/* ---- errors ---- */

/* Whether the file system holding the index has (almost) no space left:
 * LMDB says EIO when a write of its pages comes out short, which is what
 * a full disk makes of it. */
static int disk_full(sd_st *s)
{
    const char *dir = NULL;
    struct statvfs v;
    if (!s->env || mdb_env_get_path(s->env, &dir) != 0 || !dir || statvfs(dir, &v) != 0)
        return 0;
    return (uint64_t)v.f_bavail * v.f_frsize < FULL_DISK;
}

int sd__st_fail(sd_st *s, int mrc, const char *what)
{
    char size[32];
    double gib = (double)s->map_size / (double)(1u << 30);
    snprintf(size, sizeof size, gib >= 1 ? "%.0f GiB" : "%.0f MiB", gib >= 1 ? gib : gib * 1024);
    if (mrc == EIO && disk_full(s))
        mrc = ENOSPC;
    switch (mrc) {
    case MDB_MAP_FULL:
        return sd__errorf(s->err, SD_ETOOBIG,
                          "%s: the index is full: it has reached its map size of %s; nothing of "
                          "this batch was written; open it with a larger map size "
                          "(syndic index --map-size, sd_index_options.map_size)",
                          what, size);
    case MDB_TXN_FULL:
        return sd__errorf(s->err, SD_ETOOBIG,
                          "%s: the batch writes too much for one transaction; nothing of it "
                          "was written; add fewer pages at a time",
                          what);
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_BAD_TXN:
    case MDB_BAD_VALSIZE:
        return sd__errorf(s->err, SD_EFORMAT, "%s: the index is damaged (%s)", what,
                          mdb_strerror(mrc));
    case MDB_VERSION_MISMATCH:
        return sd__errorf(s->err, SD_EFORMAT,
                          "%s: the index's file was written by another LMDB version (%s)", what,
                          mdb_strerror(mrc));
    case ENOMEM: return sd__errorf(s->err, SD_ENOMEM, "%s: out of memory", what);
    case ENOSPC:
        return sd__errorf(s->err, SD_EIO,
                          "%s: no space left on the device; nothing of this batch was written",
                          what);
    default: return sd__errorf(s->err, SD_EIO, "%s: %s", what, mdb_strerror(mrc));
    }
}

/* ---- environment ---- */

int sd__st_open(sd_st *s, const char *path, int create, int read_only, uint64_t map_size,
                sd_err *err)
{
    struct stat st;
    char data[4096];
    MDB_txn *txn = NULL;
    MDB_envinfo info;
    int mrc, i, dead;

    memset(s, 0, sizeof *s);
    s->err = err;
    sd__buf_init(&s->scratch, 0);
    if (stat(path, &st) != 0) {
        if (errno != ENOENT || !create)
            return sd__errorf(err, SD_EIO, "no index at '%s': %s", path, strerror(errno));
        if (mkdir(path, 0775) != 0)
            return sd__errorf(err, SD_EIO, "cannot create the index directory '%s': %s", path,
                              strerror(errno));
    } else if (!S_ISDIR(st.st_mode)) {
        return sd__errorf(err, SD_EFORMAT, "'%s' is not an index: an index is a directory", path);
    }
    if (snprintf(data, sizeof data, "%s/data.mdb", path) >= (int)sizeof data)
        return sd__errorf(err, SD_EINVAL, "the index path is too long");
    if (stat(data, &st) != 0 && !create)
        return sd__errorf(err, SD_EFORMAT, "'%s' is not an index: it holds no data.mdb", path);
    if ((mrc = mdb_env_create(&s->env)) != 0)
        return sd__st_fail(s, mrc, "opening the index");
    mdb_env_set_maxdbs(s->env, DB_COUNT + 1);
    if (!read_only && (map_size || create))
        mdb_env_set_mapsize(s->env, map_size ? map_size : DEFAULT_MAP);
    mrc = mdb_env_open(s->env, path, MDB_NOTLS | (read_only ? MDB_RDONLY : 0), 0664);
    if (mrc != 0) {
        int rc =
            mrc == EACCES || mrc == EROFS
                ? sd__errorf(err, SD_EIO, "cannot open the index '%s': %s", path, strerror(mrc))
            : mrc == MDB_INVALID
                ? sd__errorf(err, SD_EFORMAT,
                             "'%s' is not an index, or is damaged: its data.mdb is not an "
                             "LMDB file",
                             path)
                : sd__st_fail(s, mrc, "opening the index");
        mdb_env_close(s->env);
        s->env = NULL;
        return rc;
    }
    /* readers that a killed process left behind hold no snapshot back */
    (void)mdb_reader_check(s->env, &dead);
    if (mdb_env_info(s->env, &info) == 0)
        s->map_size = (uint64_t)info.me_mapsize;
    if ((mrc = mdb_txn_begin(s->env, NULL, read_only ? MDB_RDONLY : 0, &txn)) != 0)
        goto fail;
    s->has_runs = 1;
    for (i = 0; i < DB_COUNT; i++)
        if ((mrc = mdb_dbi_open(txn, dbs[i].name, dbs[i].flags | (read_only ? 0 : MDB_CREATE),
                                &s->dbi[i])) != 0) {
            if (mrc == MDB_NOTFOUND && i >= DB_RUNINFO) {
                /* a format 1 index, opened read-only: it has no runs */
                s->has_runs = 0;
                continue;
            }
            if (mrc == MDB_NOTFOUND) {
                mdb_txn_abort(txn);
                sd__st_close(s);
                return sd__errorf(err, SD_EFORMAT,
                                  "'%s' is not a syndic index: it has no '%s' database", path,
                                  dbs[i].name);
            }
            goto fail;
        }
    if ((mrc = mdb_txn_commit(txn)) != 0) {
        txn = NULL;
        goto fail;
    }
    return 0;
fail:
    if (txn)
        mdb_txn_abort(txn);
    i = sd__st_fail(s, mrc, "opening the index");
    sd__st_close(s);
    return i;
}

void sd__st_close(sd_st *s)
{
    if (s->txn)
        sd__st_end(s, 0);
    if (s->env)
        mdb_env_close(s->env);
    s->env = NULL;
    sd__buf_release(&s->scratch);
    sd__runs_release(s);
}

int sd__st_begin(sd_st *s, int write, int overlay)
{
    int mrc;
    if (s->txn)
        return sd__errorf(s->err, SD_EINVAL, "a transaction is already open");
    if ((mrc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &s->txn)) != 0) {
        s->txn = NULL;
        if (mrc == MDB_MAP_RESIZED && mdb_env_set_mapsize(s->env, 0) == 0 &&
            mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &s->txn) == 0)
            goto begun; /* another process grew the map */
        s->txn = NULL;
        return sd__st_fail(s, mrc, "starting a transaction");
    }
begun:
    s->writing = write;
    if ((mrc = sd__runs_begin(s)) != 0) {
        sd__runs_end(s);
        mdb_txn_abort(s->txn);
        s->txn = NULL;
        return mrc;
    }
    if (overlay && !write) {
        if ((s->ov = sd__calloc(1, sizeof *s->ov)) == NULL) {
            mdb_txn_abort(s->txn);
            s->txn = NULL;
            return sd__errorf(s->err, SD_ENOMEM, "out of memory");
        }
    }
    return 0;
}

int sd__st_end(sd_st *s, int commit)
{
    int mrc = 0;
    if (!s->txn)
        return 0;
    sd__runs_end(s);
    if (commit && s->writing)
        mrc = mdb_txn_commit(s->txn);
    else
        mdb_txn_abort(s->txn);
    s->txn = NULL;
    s->writing = 0;
    ov_free(s->ov);
    s->ov = NULL;
    return mrc ? sd__st_fail(s, mrc, "committing the batch") : 0;
}

/* ---- values ---- */

int sd__st_get(sd_st *s, int db, const void *k, size_t kn, sd_val *v)
{
    MDB_val key, val;
    int mrc;
    if (s->ov) {
        const ov_ent *e = ov_find(s->ov, db, k, kn, 0);
        if (e && e->kind == OV_VAL) {
            v->p = e->v;
            v->n = e->vn;
            return 1;
        }
        if (e && e->kind == OV_GONE)
            return 0;
    }
    key.mv_data = (void *)(uintptr_t)k;
    key.mv_size = kn;
    mrc = mdb_get(s->txn, s->dbi[db], &key, &val);
    if (mrc == MDB_NOTFOUND)
        return 0;
    if (mrc)
        return sd__st_fail(s, mrc, "reading the index");
    v->p = val.mv_data;
    v->n = val.mv_size;
    return 1;
}

int sd__st_put(sd_st *s, int db, const void *k, size_t kn, const void *v, size_t vn)
{
    MDB_val key, val;
    int mrc;
    if (s->ov) {
        ov_ent *e = ov_find(s->ov, db, k, kn, 1);
        if (!e || ov_set(e, OV_VAL, v, vn))
            return sd__errorf(s->err, SD_ENOMEM, "out of memory");
        return 0;
    }
    if (!s->writing)
        return sd__errorf(s->err, SD_EINVAL, "a write outside a write transaction");
    key.mv_data = (void *)(uintptr_t)k;
    key.mv_size = kn;
    val.mv_data = (void *)(uintptr_t)v;
    val.mv_size = vn;
    /* A key past the last (a new document, passage, story) is appended:
     * LMDB then leaves the last page full instead of splitting it in
     * half, so records added in order fill their pages (a sketch of 1.6
     * kB took a 4 kB page of its own). A key not past the last is
     * refused (MDB_KEYEXIST) and put in its place. */
    mrc = MDB_KEYEXIST;
    if ((dbs[db].flags & (MDB_INTEGERKEY | MDB_DUPSORT)) == MDB_INTEGERKEY)
        mrc = mdb_put(s->txn, s->dbi[db], &key, &val, MDB_APPEND);
    if (mrc == MDB_KEYEXIST)
        mrc = mdb_put(s->txn, s->dbi[db], &key, &val, 0);
    if (mrc != 0)
        return sd__st_fail(s, mrc, "writing the index");
    return 0;
}

int sd__st_del(sd_st *s, int db, const void *k, size_t kn)
{
    MDB_val key;
    int mrc;
    if (sd__st_staged(db) >= 0)
        return sd__errorf(s->err, SD_EINVAL, "a delete from a staged database");
    if (s->ov) {
        ov_ent *e = ov_find(s->ov, db, k, kn, 1);
        if (!e || ov_set(e, (dbs[db].flags & MDB_DUPSORT) ? OV_DUPS : OV_GONE, NULL, 0))
            return sd__errorf(s->err, SD_ENOMEM, "out of memory");
        return 0;
    }
    if (!s->writing)
        return sd__errorf(s->err, SD_EINVAL, "a write outside a write transaction");
    key.mv_data = (void *)(uintptr_t)k;
    key.mv_size = kn;
    mrc = mdb_del(s->txn, s->dbi[db], &key, NULL);
    if (mrc && mrc != MDB_NOTFOUND)
        return sd__st_fail(s, mrc, "writing the index");
    return 0;
}

int sd__st_cursor_dups(sd_st *s, MDB_cursor *c, const MDB_val *first, size_t max, size_t *n)
{
    MDB_val key, val = *first;
    size_t size = first->mv_size;
    int mrc, op = MDB_GET_MULTIPLE;
    while ((mrc = mdb_cursor_get(c, &key, &val, (MDB_cursor_op)op)) == 0) {
        size_t m = val.mv_size / size;
        if (max && *n + m > max)
            m = max - *n;
        if (sd__buf_append(&s->scratch, val.mv_data, m * size))
            return sd__errorf(s->err, SD_ENOMEM, "out of memory");
        *n += m;
        if (max && *n >= max)
            break;
        op = MDB_NEXT_MULTIPLE;
    }
    if (mrc && mrc != MDB_NOTFOUND)
        return sd__st_fail(s, mrc, "reading the index");
    return 0;
}

/* Reads the dups of a key from LMDB into s->scratch (at most max): a
 * staged database's runs first (they hold the earlier entries), then its
 * tree. */
static int read_dups(sd_st *s, int db, const void *k, size_t kn, size_t max, size_t *n)
{
    MDB_cursor *c;
    MDB_val key, val;
    int mrc, rc = 0;
    sd__buf_reset(&s->scratch);
    *n = 0;
    if (sd__st_staged(db) >= 0 && (rc = sd__runs_dups(s, db, k, kn, max, n)) != 0)
        return rc;
    if (max && *n >= max)
        return 0;
    if ((mrc = mdb_cursor_open(s->txn, s->dbi[db], &c)) != 0)
        return sd__st_fail(s, mrc, "reading the index");
    key.mv_data = (void *)(uintptr_t)k;
    key.mv_size = kn;
    mrc = mdb_cursor_get(c, &key, &val, MDB_SET);
    if (mrc == 0)
        rc = sd__st_cursor_dups(s, c, &val, max, n);
    mdb_cursor_close(c);
    if (mrc && mrc != MDB_NOTFOUND)
        return sd__st_fail(s, mrc, "reading the index");
    return rc;
}

int sd__st_dups(sd_st *s, int db, const void *k, size_t kn, size_t size, size_t max, const void **v,
                size_t *n)
{
    int rc;
    if (s->ov) {
        const ov_ent *e = ov_find(s->ov, db, k, kn, 0);
        if (e && e->kind == OV_DUPS) {
            size_t m = e->vn / size;
            if (max && m > max)
                m = max;
            sd__buf_reset(&s->scratch);
            if (sd__buf_append(&s->scratch, e->v, m * size))
                return sd__errorf(s->err, SD_ENOMEM, "out of memory");
            *v = s->scratch.p;
            *n = m;
            return 0;
        }
    }
    if ((rc = read_dups(s, db, k, kn, max, n)) != 0)
        return rc;
    *v = s->scratch.p;
    return 0;
}

/* The overlay entry of a dup key, its dups read from LMDB when new. */
static ov_ent *ov_dups(sd_st *s, int db, const void *k, size_t kn)
{
    ov_ent *e = ov_find(s->ov, db, k, kn, 1);
    size_t n;
    if (!e)
        return NULL;
    if (e->kind == OV_DUPS)
        return e;
    if (read_dups(s, db, k, kn, 0, &n) != 0)
        return NULL;
    if (ov_set(e, OV_DUPS, s->scratch.p, s->scratch.len))
        return NULL;
    return e;
}

/* Where dup v (of vn bytes) goes among e's: the index of the first not
 * below it; *found when equal. */
static size_t dup_at(sd_st *s, int db, const ov_ent *e, const void *v, size_t vn, int *found)
{
    size_t lo = 0, hi = vn ? e->vn / vn : 0;
    MDB_val a, b;
    *found = 0;
    b.mv_data = (void *)(uintptr_t)v;
    b.mv_size = vn;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c;
        a.mv_data = e->v + mid * vn;
        a.mv_size = vn;
        c = mdb_dcmp(s->txn, s->dbi[db], &a, &b);
        if (c < 0)
            lo = mid + 1;
        else {
            if (c == 0)
                *found = 1;
            hi = mid;
        }
    }
    return lo;
}

int sd__st_dup_put(sd_st *s, int db, const void *k, size_t kn, const void *v, size_t vn)
{
    if (s->ov) {
        ov_ent *e = ov_dups(s, db, k, kn);
        size_t at;
        int found;
        if (!e)
            return sd__errorf(s->err, SD_ENOMEM, "out of memory");
        at = dup_at(s, db, e, v, vn, &found);
        if (found)
            return 0;
        if (e->vn + vn > e->vcap) {
            size_t cap = e->vcap ? 2 * e->vcap : 8 * vn;
            unsigned char *p;
            while (cap < e->vn + vn)
                cap *= 2;
            if ((p = sd__realloc(e->v, cap)) == NULL)
                return sd__errorf(s->err, SD_ENOMEM, "out of memory");
            e->v = p;
            e->vcap = cap;
        }
        memmove(e->v + (at + 1) * vn, e->v + at * vn, e->vn - at * vn);
        memcpy(e->v + at * vn, v, vn);
        e->vn += vn;
        return 0;
    }
    {
        MDB_val key, val;
        int mrc;
        if (!s->writing)
            return sd__errorf(s->err, SD_EINVAL, "a write outside a write transaction");
        key.mv_data = (void *)(uintptr_t)k;
        key.mv_size = kn;
        val.mv_data = (void *)(uintptr_t)v;
        val.mv_size = vn;
        mrc = mdb_put(s->txn, s->dbi[db], &key, &val, MDB_NODUPDATA);
        if (mrc && mrc != MDB_KEYEXIST)
            return sd__st_fail(s, mrc, "writing the index");
        return sd__st_staged(db) >= 0 ? sd__runs_settle(s, db) : 0;
    }
}

int sd__st_dup_del(sd_st *s, int db, const void *k, size_t kn, const void *v, size_t vn)
{
    if (sd__st_staged(db) >= 0)
        return sd__errorf(s->err, SD_EINVAL, "a delete from a staged database");
    if (s->ov) {
        ov_ent *e = ov_dups(s, db, k, kn);
        size_t at;
        int found;
        if (!e)
            return sd__errorf(s->err, SD_ENOMEM, "out of memory");
        at = dup_at(s, db, e, v, vn, &found);
        if (!found)
            return 0;
        if (e->vn > (at + 1) * vn)
            memmove(e->v + at * vn, e->v + (at + 1) * vn, e->vn - (at + 1) * vn);
        e->vn -= vn;
        return 0;
    }
    {
        MDB_val key, val;
        int mrc;
        if (!s->writing)
            return sd__errorf(s->err, SD_EINVAL, "a write outside a write transaction");
        key.mv_data = (void *)(uintptr_t)k;
        key.mv_size = kn;
        val.mv_data = (void *)(uintptr_t)v;
        val.mv_size = vn;
        mrc = mdb_del(s->txn, s->dbi[db], &key, &val);
        if (mrc && mrc != MDB_NOTFOUND)
            return sd__st_fail(s, mrc, "writing the index");
        return 0;
    }
}

int sd__st_cursor_ends(sd_st *s, MDB_cursor *c, const MDB_val *val, size_t *count, uint64_t *first,
                       uint64_t *last)
{
    MDB_val key, v;
    size_t m;
    int mrc;
    if (val->mv_size != sizeof *first)
        return 1;
    if ((mrc = mdb_cursor_count(c, &m)) != 0)
        return sd__st_fail(s, mrc, "reading the index");
    if (*count == 0)
        memcpy(first, val->mv_data, sizeof *first);
    if ((mrc = mdb_cursor_get(c, &key, &v, MDB_LAST_DUP)) != 0)
        return sd__st_fail(s, mrc, "reading the index");
    memcpy(last, v.mv_data, sizeof *last);
    *count += m;
    return 0;
}

int sd__st_dup_ends(sd_st *s, int db, const void *k, size_t kn, size_t *count, uint64_t *first,
                    uint64_t *last)
{
    MDB_cursor *c;
    MDB_val key, val;
    int mrc, rc = 0;
    *count = 0;
    if (s->ov) {
        const ov_ent *e = ov_find(s->ov, db, k, kn, 0);
        if (e && e->kind == OV_DUPS) {
            *count = e->vn / sizeof *first;
            if (*count) {
                memcpy(first, e->v, sizeof *first);
                memcpy(last, e->v + e->vn - sizeof *last, sizeof *last);
            }
            return 0;
        }
    }
    /* a staged database's runs hold its earlier dups */
    if (sd__st_staged(db) >= 0 && (rc = sd__runs_ends(s, db, k, kn, count, first, last)) != 0)
        return rc;
    if ((mrc = mdb_cursor_open(s->txn, s->dbi[db], &c)) != 0)
        return sd__st_fail(s, mrc, "reading the index");
    key.mv_data = (void *)(uintptr_t)k;
    key.mv_size = kn;
    if ((mrc = mdb_cursor_get(c, &key, &val, MDB_SET_KEY)) == 0)
        rc = sd__st_cursor_ends(s, c, &val, count, first, last);
    mdb_cursor_close(c);
    if (mrc && mrc != MDB_NOTFOUND)
        return sd__st_fail(s, mrc, "reading the index");
    return rc < 0 ? rc : 0;
}

int sd__st_get64(sd_st *s, int db, uint64_t k, sd_val *v)
{
    return sd__st_get(s, db, &k, sizeof k, v);
}

int sd__st_put64(sd_st *s, int db, uint64_t k, const void *v, size_t vn)
{
    return sd__st_put(s, db, &k, sizeof k, v, vn);
}

int sd__st_del64(sd_st *s, int db, uint64_t k)
{
    return sd__st_del(s, db, &k, sizeof k);
}

int sd__st_dups64(sd_st *s, int db, uint64_t k, size_t max, const uint64_t **v, size_t *n)
{
    const void *p = NULL;
    int rc = sd__st_dups(s, db, &k, sizeof k, sizeof(uint64_t), max, &p, n);
    *v = p;
    return rc;
}

int sd__st_dup_put64(sd_st *s, int db, uint64_t k, uint64_t v)
{
    return sd__st_dup_put(s, db, &k, sizeof k, &v, sizeof v);
}

int sd__st_dup_del64(sd_st *s, int db, uint64_t k, uint64_t v)
{
    return sd__st_dup_del(s, db, &k, sizeof k, &v, sizeof v);
}

/* ---- walks ---- */

int sd__walk_open(sd_walk *w, sd_st *s, int db, const void *from, size_t fn)
{
    int mrc;
    memset(w, 0, sizeof *w);
    w->s = s;
    w->db = db;
    w->from.mv_data = (void *)(uintptr_t)from;
    w->from.mv_size = fn;
    if ((mrc = mdb_cursor_open(s->txn, s->dbi[db], &w->c)) != 0) {
        w->c = NULL;
        return sd__st_fail(s, mrc, "reading the index");
    }
    return 0;
}

int sd__walk_next(sd_walk *w, sd_val *k, sd_val *v)
{
    MDB_val key, val;
    int mrc;
    if (!w->started) {
        w->started = 1;
        if (w->from.mv_data) {
            key = w->from;
            mrc = mdb_cursor_get(w->c, &key, &val, MDB_SET_RANGE);
        } else {
            mrc = mdb_cursor_get(w->c, &key, &val, MDB_FIRST);
        }
    } else if (w->started == 2) {
        return sd__runs_walk(w, k, v);
    } else {
        mrc = mdb_cursor_get(w->c, &key, &val, MDB_NEXT);
    }
    if (mrc == MDB_NOTFOUND)
        return sd__st_staged(w->db) >= 0 ? sd__runs_walk(w, k, v) : 0;
    if (mrc)
        return sd__st_fail(w->s, mrc, "reading the index");
    k->p = key.mv_data;
    k->n = key.mv_size;
    v->p = val.mv_data;
    v->n = val.mv_size;
    return 1;
}

void sd__walk_close(sd_walk *w)
{
    if (w->c)
        mdb_cursor_close(w->c);
    w->c = NULL;
}

int sd__st_count(sd_st *s, int db, uint64_t *n)
{
    MDB_stat st;
    int mrc = mdb_stat(s->txn, s->dbi[db], &st);
    if (mrc)
        return sd__st_fail(s, mrc, "reading the index");
    *n = st.ms_entries;
    if (sd__st_staged(db) >= 0) {
        uint64_t r;
        if ((mrc = sd__runs_count(s, db, &r)) != 0)
            return mrc;
        *n += r;
    }
    return 0;
}

/* ---- records ---- */

void sd__wr_init(sd_wr *w)
{
    sd__buf_init(&w->b, 0);
    w->failed = 0;
}

void sd__wr_release(sd_wr *w)
{
    sd__buf_release(&w->b);
}

void sd__wr_reset(sd_wr *w)
{
    sd__buf_reset(&w->b);
    w->failed = 0;
}

void sd__wr_bytes(sd_wr *w, const void *p, size_t n)
{
    int rc;
    if (w->failed || n == 0)
        return;
    if ((rc = sd__buf_append(&w->b, p, n)) != 0)
        w->failed = rc;
}

void sd__wr_u32(sd_wr *w, uint32_t v)
{
    sd__wr_bytes(w, &v, sizeof v);
}

void sd__wr_u64(sd_wr *w, uint64_t v)
{
    sd__wr_bytes(w, &v, sizeof v);
}

void sd__wr_f64(sd_wr *w, double v)
{
    sd__wr_bytes(w, &v, sizeof v);
}

void sd__wr_str(sd_wr *w, const char *p, size_t n)
{
    if (n > UINT32_MAX) {
        w->failed = SD_ETOOBIG;
        return;
    }
    sd__wr_u32(w, (uint32_t)n);
    sd__wr_bytes(w, p, n);
}

void sd__wr_align(sd_wr *w, size_t a)
{
    static const unsigned char zero[16];
    if (w->b.len % a)
        sd__wr_bytes(w, zero, a - w->b.len % a);
}

int sd__wr_seal(sd_wr *w)
{
    uint32_t sum;
    if (w->failed)
        return w->failed;
    sum = (uint32_t)XXH3_64bits(w->b.p, w->b.len);
    sd__wr_u32(w, sum);
    return w->failed;
}

void sd__rd_init(sd_rd *r, const void *p, size_t n)
{
    uint32_t sum;
    r->start = r->p = p;
    r->end = r->p + n;
    r->bad = 0;
    if (n < 4) {
        r->bad = 1;
        return;
    }
    memcpy(&sum, r->end - 4, 4);
    r->end -= 4;
    if (sum != (uint32_t)XXH3_64bits(p, n - 4))
        r->bad = 1;
}

const void *sd__rd_bytes(sd_rd *r, size_t n)
{
    const void *p = r->p;
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = 1;
        return NULL;
    }
    r->p += n;
    return p;
}

uint32_t sd__rd_u32(sd_rd *r)
{
    uint32_t v = 0;
    const void *p = sd__rd_bytes(r, sizeof v);
    if (p)
        memcpy(&v, p, sizeof v);
    return v;
}

uint64_t sd__rd_u64(sd_rd *r)
{
    uint64_t v = 0;
    const void *p = sd__rd_bytes(r, sizeof v);
    if (p)
        memcpy(&v, p, sizeof v);
    return v;
}

double sd__rd_f64(sd_rd *r)
{
    double v = 0;
    const void *p = sd__rd_bytes(r, sizeof v);
    if (p)
        memcpy(&v, p, sizeof v);
    return v;
}

const char *sd__rd_str(sd_rd *r, size_t *n)
{
    uint32_t len = sd__rd_u32(r);
    const char *p = sd__rd_bytes(r, len);
    *n = p ? len : 0;
    return p;
}

void sd__rd_align(sd_rd *r, size_t a)
{
    size_t at = (size_t)(r->p - r->start);
    if (at % a)
        (void)sd__rd_bytes(r, a - at % a);
}

int sd__st_clear(sd_st *s, int db)
{
    int mrc;
    if (!s->writing || s->ov)
        return sd__errorf(s->err, SD_EINVAL, "a write outside a write transaction");
    if ((mrc = mdb_drop(s->txn, s->dbi[db], 0)) != 0)
        return sd__st_fail(s, mrc, "writing the index");
    return sd__st_staged(db) >= 0 ? sd__runs_clear(s, db) : 0;
}
