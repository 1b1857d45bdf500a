/*
 * index_dedup.c: near-duplicates in the index, as sd_dedup finds them over
 * all documents kept.
 *
 * sd_dedup joins a document to the first earlier one with the same text
 * (byte for byte), and otherwise puts it through LSH: per band, the
 * documents whose band hashes are equal form a bucket, and its members are
 * paired as sd__lsh_member_pairs() says (every pair in a bucket of up to
 * FULL_BUCKET members, else each with the bucket's first and its
 * predecessor); a pair is verified when its 2K-bin estimate reaches the
 * threshold; clusters are the connected components of verified pairs, and
 * a cluster's representative is its smallest document.
 *
 * Here a new document, the largest so far, is the last member of each of
 * its buckets, so it adds its own pairs and no other, except when its
 * bucket grows past FULL_BUCKET: the bucket then stops pairing every
 * member with every other, and the pairs it no longer makes are dropped
 * (unless another band still makes them). The verified pairs are kept as
 * edges; a new edge merges two clusters (the larger representative's
 * members take the smaller one), a dropped edge has its cluster's
 * components recomputed from the edges left.
 */
#include <string.h>

#include "base/alloc.h"
#include "index/index_int.h"
#include "match/lsh.h"

/* A bucket's key: the band, big-endian, then its hash. */
static void band_key(unsigned char k[12], unsigned band, uint64_t h)
{
    sd__be32(k, band);
    sd__be64(k + 4, h);
}

/* Documents under a text hash read before all of them (sd__ix_dedup_add). */
#define EXACT_FIRST 8

static int mark_dirty(sd_index *ix, uint64_t d)
{
    if (SD_GROW(ix->dirty, ix->dirty_cap, ix->ndirty + 1))
        return sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
    ix->dirty[ix->ndirty++] = d;
    return 0;
}

/* A cluster's members (the representative's CLUSTER dups, or the lone
 * document) into *m (malloc'd). */
static int members(sd_index *ix, uint64_t rep, uint64_t **m, size_t *n)
{
    const uint64_t *v;
    int rc;
    if ((rc = sd__st_dups64(&ix->st, DB_CLUSTER, rep, 0, &v, n)) != 0)
        return rc;
    if ((*m = sd__reallocarray(NULL, *n ? *n : 1, sizeof **m)) == NULL)
        return sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
    if (*n == 0) {
        (*m)[0] = rep;
        *n = 1;
    } else {
        memcpy(*m, v, *n * sizeof **m);
    }
    return 0;
}

static int find_rep(sd_index *ix, uint64_t d, uint64_t *rep)
{
    ix_doc x;
    int rc = sd__ix_doc(ix, d, &x);
    if (rc <= 0)
        return rc < 0 ? rc : sd__ix_damaged(ix, "missing document", d);
    *rep = x.rep;
    return 0;
}

/* Joins the clusters of a and b: the larger representative's members
 * take the smaller one. */
static int join(sd_index *ix, uint64_t a, uint64_t b)
{
    uint64_t ra = 0, rb = 0, r, o, *m = NULL, f, l;
    size_t n, i, nr;
    int rc;
    if ((rc = find_rep(ix, a, &ra)) != 0 || (rc = find_rep(ix, b, &rb)) != 0)
        return rc;
    if (ra == rb)
        return 0;
    r = ra < rb ? ra : rb;
    o = ra < rb ? rb : ra;
    /* whether r has members (a count, not a read of them all: a cluster
     * of many copies would be read whole at each copy added) */
    if ((rc = sd__st_dup_ends(&ix->st, DB_CLUSTER, &r, sizeof r, &nr, &f, &l)) != 0 ||
        (rc = members(ix, o, &m, &n)) != 0)
        goto done;
    ix->state.clusters -= (uint64_t)(nr > 0) + (uint64_t)(n > 1);
    ix->state.clusters++;
    ix->state.duplicates++;
    if (nr == 0 && (rc = sd__st_dup_put64(&ix->st, DB_CLUSTER, r, r)) != 0)
        goto done;
    for (i = 0; i < n; i++)
        if ((rc = sd__ix_set_rep(ix, m[i], r)) != 0 ||
            (rc = sd__st_dup_put64(&ix->st, DB_CLUSTER, r, m[i])) != 0)
            goto done;
    rc = sd__st_del64(&ix->st, DB_CLUSTER, o);
done:
    sd__free(m);
    return rc;
}

static int add_edge(sd_index *ix, uint64_t a, uint64_t b)
{
    int rc;
    if ((rc = sd__st_dup_put64(&ix->st, DB_EDGE, a, b)) != 0 ||
        (rc = sd__st_dup_put64(&ix->st, DB_EDGE, b, a)) != 0)
        return rc;
    return join(ix, a, b);
}

/* Whether documents a < b are a candidate pair of the bucket `key`:
 * bucket members (sorted) paired as sd__lsh_member_pairs does. */
static int bucket_pairs(sd_index *ix, const unsigned char *key, uint64_t a, uint64_t b, int *yes)
{
    const uint64_t *v;
    sd_kv *kv = NULL, *pairs = NULL;
    size_t n, i, x = SIZE_MAX, np = 0, pcap = 0;
    int rc;
    *yes = 0;
    if ((rc = sd__st_dups(&ix->st, DB_BAND, key, 12, sizeof(uint64_t), 0, (const void **)&v, &n)) !=
        0)
        return rc;
    if ((kv = sd__reallocarray(NULL, n ? n : 1, sizeof *kv)) == NULL)
        return sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        kv[i].key = 0;
        kv[i].val = v[i];
        if (v[i] == b)
            x = i;
    }
    rc = 0;
    if (x != SIZE_MAX && sd__lsh_member_pairs(kv, n, FULL_BUCKET, x, &pairs, &np, &pcap) != 0)
        rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
    for (i = 0; i < np; i++)
        if (pairs[i].key == a && pairs[i].val == b)
            *yes = 1;
    sd__free(kv);
    sd__free(pairs);
    return rc;
}

/* Pair (a, b), no longer made by band `skip`'s bucket: its edge goes
 * unless another band's bucket still makes it. */
static int drop_pair(sd_index *ix, uint64_t a, uint64_t b, unsigned skip)
{
    const uint64_t *v;
    size_t n, i;
    unsigned band;
    ix_sig sa = sd__ix_sig_slot(ix, 2), sb = sd__ix_sig_slot(ix, 3);
    int rc, edge = 0;
    if ((rc = sd__st_dups64(&ix->st, DB_EDGE, a, 0, &v, &n)) != 0)
        return rc;
    for (i = 0; i < n; i++)
        edge |= v[i] == b;
    if (!edge)
        return 0;
    if ((rc = sd__ix_sig(ix, a, &sa)) <= 0 || (rc = sd__ix_sig(ix, b, &sb)) <= 0)
        return rc < 0 ? rc : sd__ix_damaged(ix, "missing sketch of document", a);
    for (band = 0; band < ix->o.bands; band++) {
        uint64_t h = sd__lsh_band_hash(sa.sig, band, ix->o.rows, ix->o.seed);
        unsigned char key[12];
        int yes;
        if (band == skip || h != sd__lsh_band_hash(sb.sig, band, ix->o.rows, ix->o.seed))
            continue;
        band_key(key, band, h);
        if ((rc = bucket_pairs(ix, key, a, b, &yes)) != 0)
            return rc;
        if (yes)
            return 0;
    }
    if ((rc = sd__st_dup_del64(&ix->st, DB_EDGE, a, b)) != 0 ||
        (rc = sd__st_dup_del64(&ix->st, DB_EDGE, b, a)) != 0)
        return rc;
    return mark_dirty(ix, a);
}

/* Verifies candidate pair (a, d), d's sketch given; an edge when it holds. */
static int verify(sd_index *ix, uint64_t a, uint64_t d, const ix_sig *sd)
{
    ix_sig sa = sd__ix_sig_slot(ix, 2);
    int rc;
    if ((rc = sd__ix_sig(ix, a, &sa)) <= 0)
        return rc < 0 ? rc : sd__ix_damaged(ix, "missing sketch of document", a);
    if (sd__dedup_matches(ix->o.num_perm, sa.sig, sa.vsig, sd->sig, sd->vsig) < ix->need)
        return 0;
    return add_edge(ix, a, d);
}

/* Pairs of a bucket's members, every one with the others before it, as a
 * bucket of `n` members pairs them: into *pairs. */
static int all_member_pairs(const sd_kv *kv, size_t n, size_t size, sd_kv **pairs, size_t *np,
                            size_t *cap)
{
    size_t x;
    for (x = 0; x < n; x++)
        if (sd__lsh_member_pairs(kv, size, FULL_BUCKET, x, pairs, np, cap) != 0)
            return SD_ENOMEM;
    return 0;
}

/* Adds d, larger than every member, to the bucket of band `band`. */
static int bucket_add(sd_index *ix, unsigned band, const ix_sig *s, uint64_t d)
{
    unsigned char key[12];
    uint64_t h = sd__lsh_band_hash(s->sig, band, ix->o.rows, ix->o.seed), first = 0, last = 0;
    sd_kv *kv = NULL, *pairs = NULL, *old = NULL;
    size_t n, i, np = 0, pcap = 0, nold = 0, ocap = 0;
    int rc;
    band_key(key, band, h);
    if ((rc = sd__st_dup_ends(&ix->st, DB_BAND, key, 12, &n, &first, &last)) != 0)
        return rc;
    if (n + 1 > FULL_BUCKET + 1) {
        /* a large bucket: d pairs with its first and its predecessor */
        sd_kv three[3];
        three[0].val = first;
        three[1].val = last;
        three[2].val = d;
        three[0].key = three[1].key = three[2].key = 0;
        /* member n of n + 1: the pairs of a large bucket, from its ends */
        if (sd__lsh_member_pairs(three, n + 1, FULL_BUCKET, 2, &pairs, &np, &pcap) != 0)
            goto oom;
        /* the function pairs with positions 0 and x - 1: in `three`,
         * first and last */
    } else {
        const uint64_t *v;
        if ((rc = sd__st_dups(&ix->st, DB_BAND, key, 12, sizeof(uint64_t), 0, (const void **)&v,
                              &n)) != 0)
            return rc;
        if ((kv = sd__reallocarray(NULL, n + 1, sizeof *kv)) == NULL)
            goto oom;
        for (i = 0; i < n; i++) {
            kv[i].key = 0;
            kv[i].val = v[i];
        }
        kv[n].key = 0;
        kv[n].val = d;
        if (n + 1 == FULL_BUCKET + 1) {
            /* the bucket stops pairing every member with every other:
             * the pairs it made before and no longer makes go */
            if (all_member_pairs(kv, n, n, &old, &nold, &ocap) != 0 ||
                all_member_pairs(kv, n, n + 1, &pairs, &np, &pcap) != 0)
                goto oom;
            if (sd__kv_unique(pairs, np) < 0)
                goto oom;
            for (i = 0; i < nold; i++) {
                size_t lo = 0, hi = np;
                while (lo < hi) {
                    size_t mid = (lo + hi) / 2;
                    if (pairs[mid].key < old[i].key ||
                        (pairs[mid].key == old[i].key && pairs[mid].val < old[i].val))
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                if (lo < np && pairs[lo].key == old[i].key && pairs[lo].val == old[i].val)
                    continue;
                if ((rc = drop_pair(ix, old[i].key, old[i].val, band)) != 0)
                    goto done;
            }
            np = 0;
        }
        if (sd__lsh_member_pairs(kv, n + 1, FULL_BUCKET, n, &pairs, &np, &pcap) != 0)
            goto oom;
    }
    if ((rc = sd__st_dup_put(&ix->st, DB_BAND, key, 12, &d, sizeof d)) != 0)
        goto done;
    for (i = 0; i < np; i++)
        if ((rc = verify(ix, pairs[i].key, d, s)) != 0)
            goto done;
    rc = 0;
    goto done;
oom:
    rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
done:
    sd__free(kv);
    sd__free(pairs);
    sd__free(old);
    return rc;
}

int sd__ix_dedup_add(sd_index *ix, uint64_t d, const ix_sig *s)
{
    const uint64_t *v;
    uint64_t *same = NULL, first = UINT64_MAX;
    size_t n, i, max;
    unsigned band;
    ix_sig e = sd__ix_sig_slot(ix, 2);
    int rc;
    /* an exact copy: joined to the first earlier document with its text.
     * The documents under the hash's low half are read a few at first
     * (the first of them has the text but for a 64-bit collision), all
     * of them only when none of those has it: a text copied many times
     * is not read whole at each copy */
    for (max = EXACT_FIRST; first == UINT64_MAX; max = 0) {
        if ((rc = sd__st_dups64(&ix->st, DB_EXACT, s->info.text_hash.low64, max, &v, &n)) != 0)
            return rc;
        if (n && (same = sd__reallocarray(NULL, n, sizeof *same)) == NULL)
            return sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
        if (n)
            memcpy(same, v, n * sizeof *same);
        for (i = 0; i < n && first == UINT64_MAX; i++) {
            if ((rc = sd__ix_sig(ix, same[i], &e)) <= 0) {
                sd__free(same);
                return rc < 0 ? rc : sd__ix_damaged(ix, "missing sketch of document", same[i]);
            }
            if (e.info.len == s->info.len && XXH128_isEqual(e.info.text_hash, s->info.text_hash))
                first = same[i];
        }
        sd__free(same);
        same = NULL;
        if (max == 0 || n < max)
            break;
    }
    if ((rc = sd__st_dup_put64(&ix->st, DB_EXACT, s->info.text_hash.low64, d)) != 0)
        return rc;
    if (first != UINT64_MAX) {
        ix_doc x;
        if ((rc = sd__ix_doc(ix, d, &x)) <= 0)
            return rc < 0 ? rc : sd__ix_damaged(ix, "missing document", d);
        if ((rc = sd__ix_set_doc(ix, d, x.rep, x.flags | IXD_EXACT)) != 0)
            return rc;
        return add_edge(ix, first, d);
    }
    if (s->info.flags & DOC_EMPTY)
        return 0;
    for (band = 0; band < ix->o.bands; band++)
        if ((rc = bucket_add(ix, band, s, d)) != 0)
            return rc;
    return 0;
}

/* Recomputes the cluster of representative r from its edges: its
 * connected components, each represented by its smallest member. */
static int recluster(sd_index *ix, uint64_t r)
{
    uint64_t *m = NULL;
    size_t *comp = NULL, *queue = NULL, *size = NULL, n, i, ncomp = 0;
    int rc;
    if ((rc = members(ix, r, &m, &n)) != 0)
        return rc;
    if (n < 2)
        goto out;
    comp = sd__reallocarray(NULL, n, sizeof *comp); /* per member: its component's rep */
    queue = sd__reallocarray(NULL, n, sizeof *queue);
    size = sd__calloc(n, sizeof *size); /* per member that is a rep: its size */
    if (!comp || !queue || !size) {
        rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i++)
        comp[i] = SIZE_MAX;
    /* members are sorted: the first unvisited one is its component's rep */
    for (i = 0; i < n; i++) {
        size_t head = 0, tail = 0;
        if (comp[i] != SIZE_MAX)
            continue;
        ncomp++;
        comp[i] = i;
        queue[tail++] = i;
        while (head < tail) {
            size_t x = queue[head++], ne, j;
            const uint64_t *e;
            if ((rc = sd__st_dups64(&ix->st, DB_EDGE, m[x], 0, &e, &ne)) != 0)
                goto out;
            for (j = 0; j < ne; j++) {
                size_t lo = sd__ix_find_u64(m, n, e[j]);
                if (lo == SIZE_MAX) {
                    rc = sd__ix_damaged(ix, "dedup edge leaving its cluster, document", m[x]);
                    goto out;
                }
                if (comp[lo] == SIZE_MAX) {
                    comp[lo] = i;
                    queue[tail++] = lo;
                }
            }
        }
        size[i] = tail;
    }
    if (ncomp == 1)
        goto out;
    /* the cluster splits */
    if ((rc = sd__st_del64(&ix->st, DB_CLUSTER, r)) != 0)
        goto out;
    ix->state.clusters--;
    ix->state.duplicates -= n - 1;
    for (i = 0; i < n; i++) {
        size_t c = comp[i];
        if ((rc = sd__ix_set_rep(ix, m[i], m[c])) != 0)
            goto out;
        if (size[c] > 1 && (rc = sd__st_dup_put64(&ix->st, DB_CLUSTER, m[c], m[i])) != 0)
            goto out;
        if (c == i) {
            ix->state.clusters += size[i] > 1;
            ix->state.duplicates += size[i] - 1;
        }
    }
out:
    sd__free(m);
    sd__free(comp);
    sd__free(queue);
    sd__free(size);
    return rc;
}

int sd__ix_dedup_settle(sd_index *ix)
{
    size_t i;
    int rc;
    for (i = 0; i < ix->ndirty; i++) {
        uint64_t r = 0;
        if ((rc = find_rep(ix, ix->dirty[i], &r)) != 0 || (rc = recluster(ix, r)) != 0)
            return rc;
    }
    ix->ndirty = 0;
    return 0;
}
