/*
 * dedup_fin.h: the state of a dedup job's finish, shared by its two files:
 * dedup_finish.c (the pipeline, its routes, steps 1 to 3) and
 * dedup_clusters.c (steps 4 and 5). See dedup_finish.c.
 */
#ifndef SD_GROUP_DEDUP_FIN_H
#define SD_GROUP_DEDUP_FIN_H

#include "base/exch.h"
#include "base/spill.h"
#include "group/dedup_int.h"
#include "group/unionfind.h"

/* Joins made by a process that is not alone, for process 0 (step 4). */
typedef struct edges {
    sd_kv *v;
    size_t n, cap;
} edges;

/* A share of a round's bands (band % nparts) with its candidate pairs,
 * grouped on a worker of its own. */
typedef struct part {
    sd_keys keys;  /* the round's band keys */
    sd_keys pairs; /* candidate pairs; alone, every round's */
    sd_kv *grp;    /* a bucket */
    size_t gcap;
    sd_kv *made; /* its pairs */
    size_t nmade, mcap;
    sd_err err;
    int rc;
} part;

typedef struct fin fin;
typedef struct vitem vitem;

/*
 * Where a job's keys, pairs, records and joins go: its route, chosen once.
 * Alone (one process), nothing travels: band keys go straight to the
 * buffers they are grouped from, pairs are verified against the records
 * this process holds, joins are made at once on its union-find over the
 * representatives' array. Shared (several processes), keys travel to the
 * processes their hashes fall to, pairs to the owners of their second
 * documents and, with those documents' records, to the owners of their
 * first; joins go to process 0.
 */
typedef struct route {
    int (*exact)(fin *x);                              /* step 1 */
    int (*key)(fin *x, const sd_kv *e, unsigned band); /* a band key */
    int (*keys_in)(fin *x);                            /* a round's keys, sent */
    int (*pairs_out)(fin *x);                          /* its pairs, grouped */
    sd_keys *(*pairs)(fin *x, size_t i);               /* step 3's i-th source */
    int (*items)(fin *x, const sd_kv *pairs, size_t n, vitem **items, size_t *icap, size_t *ni,
                 unsigned char **got); /* pairs to verify here */
    int (*join)(fin *x, uint64_t a, uint64_t b);
    int (*join_all)(fin *x); /* step 4 */
} route;

struct fin {
    sd_dedup *d;
    sd_exch ex;
    const route *rt;
    unsigned npairs;     /* step 3's sources */
    uint64_t round_keys; /* band keys a process sends in a round */
    size_t chunk;        /* pairs verified at once */
    sd_uf uf;            /* alone: over the A_REP array */
    edges ed;            /* shared: this process's joins */
    part *parts;
    unsigned nparts;
    sd_keys pairs; /* shared: the pairs of this process's second documents */
    sd_progress_fn progress;
    void *ud;
};

/* Steps 4 and 5 (dedup_clusters.c): the joins made, then the clusters
 * numbered and the similarities measured, then the figures summed. */
int sd__dedup_join_alone(fin *x);
int sd__dedup_join_shared(fin *x);
int sd__dedup_results(fin *x, uint64_t total);

#define put(x, to, e) sd__exch_put(&(x)->ex, (to), (e))
#define exchange(x, got, ng, from) sd__exch_run(&(x)->ex, (got), (ng), (from))
#define max_all(x, v) sd__exch_max(&(x)->ex, (v))
#define dest_of(h, np) sd__exch_dest((h), (np))

static inline uint64_t global_of(const fin *x, size_t local)
{
    return sd_share_record(&x->ex.c->share, local);
}

static inline size_t local_of(const fin *x, uint64_t g)
{
    return (size_t)sd_share_local(&x->ex.c->share, g);
}

static inline unsigned owner_of(const fin *x, uint64_t g)
{
    return sd_share_owner(&x->ex.c->share, g);
}

/* Asks the caller whether to go on; 0 or SD_ECANCELED. */
static inline int stage(fin *x, const char *name, uint64_t done, uint64_t total)
{
    if (x->progress && x->progress(x->ud, name, done, total))
        return sd__errorf(&x->d->err, SD_ECANCELED, "canceled");
    return 0;
}

#endif
