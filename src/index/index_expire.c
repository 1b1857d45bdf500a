/*
 * index_expire.c: sd_index_expire, a rolling window. The documents dated
 * before the limit go, and the index must then answer as if they had
 * never been added. Their removal changes more than their own records: a
 * fingerprint's hub (the first document holding it) may go, and every
 * pair made with it changes; an LSH bucket may shrink back under the size
 * where it pairs every member; an exact copy's first text may go. So the
 * derived state (postings, buckets, edges, clusters, passages, units,
 * stories) is emptied and the documents kept are put through the batch
 * steps again, in order, under their own numbers, in the expire's one
 * write transaction: the result is by construction the state an index
 * given only those documents holds. The cost is that of adding every
 * document kept (docs/index.md); texts are kept, so nothing is read from
 * the inputs again. The replay numbers the stories anew; each then takes
 * back the id of the story before the expire with which it shares the
 * most documents kept (the older id on a tie; an id is taken once), so a
 * story that survives an expire keeps its id (keep_ids).
 */
#include <string.h>

#include "base/alloc.h"
#include "index/index_int.h"

/* Documents replayed at a time: at most this many, or this many bytes of
 * text. */
#define REPLAY_DOCS 256
#define REPLAY_BYTES ((size_t)16 << 20)

/* Whether the DB_WHEN key k (a date, a NUL, a document) is dated before
 * `before` (ISO 8601 dates compare as strings). */
static int dated_before(const sd_val *k, const char *before, size_t bl)
{
    const char *w = k->p;
    size_t wl = k->n > 9 ? k->n - 9 : 0, n = wl < bl ? wl : bl;
    int c = memcmp(w, before, n);
    return c < 0 || (c == 0 && wl < bl);
}

/* Collects into *gone the documents dated before `before`. */
static int collect(sd_index *ix, const char *before, uint64_t **gone, size_t *ng, size_t *cap)
{
    sd_walk w;
    sd_val k, v;
    size_t bl = strlen(before);
    int rc;
    if ((rc = sd__walk_open(&w, &ix->st, DB_WHEN, NULL, 0)) != 0)
        return rc;
    while ((rc = sd__walk_next(&w, &k, &v)) == 1 && dated_before(&k, before, bl)) {
        if (k.n < 9) {
            rc = sd__ix_damaged(ix, "date key of length", k.n);
            break;
        }
        if (SD_GROW(*gone, *cap, *ng + 1)) {
            rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
            break;
        }
        (*gone)[(*ng)++] = sd__get_be64((const unsigned char *)k.p + k.n - 8);
    }
    sd__walk_close(&w);
    return rc < 0 ? rc : 0;
}

/* Removes document d's own records. */
static int remove_doc(sd_index *ix, uint64_t d, sd_buf *buf)
{
    unsigned char key[512];
    const char *text;
    size_t len, n;
    ix_doc x;
    int rc;
    if ((rc = sd__ix_doc(ix, d, &x)) <= 0)
        return rc < 0 ? rc : sd__ix_damaged(ix, "missing document", d);
    n = x.when_len < sizeof key - 9 ? x.when_len : sizeof key - 9;
    memcpy(key, x.when, n);
    key[n] = 0;
    sd__be64(key + n + 1, d);
    if ((rc = sd__st_del(&ix->st, DB_WHEN, key, n + 9)) != 0 ||
        (rc = sd__ix_text(ix, d, buf, &text, &len)) != 0)
        return rc;
    ix->state.text_bytes -= len;
    ix->state.docs--;
    if ((rc = sd__st_del64(&ix->st, DB_DOC, d)) != 0 ||
        (rc = sd__st_del64(&ix->st, DB_TEXT, d)) != 0)
        return rc;
    return sd__st_del64(&ix->st, DB_SIG, d);
}

/* The numbers of the documents kept, in order. */
static int kept(sd_index *ix, uint64_t **docs, size_t *n, size_t *cap)
{
    sd_walk w;
    sd_val k, v;
    int rc;
    if ((rc = sd__walk_open(&w, &ix->st, DB_DOC, NULL, 0)) != 0)
        return rc;
    while ((rc = sd__walk_next(&w, &k, &v)) == 1) {
        if (SD_GROW(*docs, *cap, *n + 1)) {
            rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
            break;
        }
        memcpy(&(*docs)[(*n)++], k.p, sizeof **docs);
    }
    sd__walk_close(&w);
    return rc < 0 ? rc : 0;
}

/* The (document, story) pairs of DB_DSTORY, sorted. */
static int doc_stories(sd_index *ix, sd_kv **out, size_t *n)
{
    sd_walk w;
    sd_val k, v;
    size_t cap = 0;
    int rc;
    *n = 0;
    if ((rc = sd__walk_open(&w, &ix->st, DB_DSTORY, NULL, 0)) != 0)
        return rc;
    while ((rc = sd__walk_next(&w, &k, &v)) == 1) {
        if (k.n != 8 || v.n != 8) {
            rc = sd__ix_damaged(ix, "story entry of length", v.n);
            break;
        }
        if (SD_GROW(*out, cap, *n + 1)) {
            rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
            break;
        }
        memcpy(&(*out)[*n].key, k.p, 8);
        memcpy(&(*out)[*n].val, v.p, 8);
        (*n)++;
    }
    sd__walk_close(&w);
    if (rc >= 0 && sd__kv_sort(*out, *n))
        rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
    return rc < 0 ? rc : 0;
}

/* A story after the replay and one before it, with the documents they
 * share. */
typedef struct shared {
    uint64_t docs, old, now;
} shared;

static int cmp_shared(const void *a, const void *b)
{
    const shared *x = a, *y = b;
    if (x->docs != y->docs)
        return x->docs > y->docs ? -1 : 1;
    if (x->old != y->old)
        return x->old < y->old ? -1 : 1;
    return x->now < y->now ? -1 : x->now > y->now;
}

/* The stories the replay numbered anew take back the ids of the stories
 * they continue: by the most documents shared with one before the expire
 * (old[0..nold), its (document, story) pairs), then the older id, each
 * old id and each story once. */
static int keep_ids(sd_index *ix, const sd_kv *old, size_t nold)
{
    sd_kv *now = NULL, *rel = NULL, *map = NULL;
    shared *sh = NULL;
    uint64_t *olds = NULL, *nows = NULL;
    uint8_t *oldt = NULL, *nowt = NULL;
    size_t nn = 0, nrel = 0, rcap = 0, nsh = 0, nmap = 0, i, j, a, b, no, nw;
    int rc;
    if ((rc = doc_stories(ix, &now, &nn)) != 0)
        goto done;
    /* per document kept: each story now with each story before */
    for (i = j = 0; i < nold && j < nn;) {
        if (old[i].key != now[j].key) {
            if (old[i].key < now[j].key)
                i++;
            else
                j++;
            continue;
        }
        for (a = i; a < nold && old[a].key == old[i].key; a++)
            ;
        for (b = j; b < nn && now[b].key == now[j].key; b++)
            ;
        for (; i < a; i++) {
            size_t q;
            for (q = j; q < b; q++) {
                if (SD_GROW(rel, rcap, nrel + 1))
                    goto oom;
                rel[nrel].key = now[q].val;
                rel[nrel++].val = old[i].val;
            }
        }
        j = b;
    }
    if (sd__kv_sort(rel, nrel))
        goto oom;
    if ((sh = sd__reallocarray(NULL, nrel + 1, sizeof *sh)) == NULL ||
        (olds = sd__reallocarray(NULL, nrel + 1, sizeof *olds)) == NULL ||
        (nows = sd__reallocarray(NULL, nrel + 1, sizeof *nows)) == NULL)
        goto oom;
    for (i = 0; i < nrel; i = j) {
        for (j = i + 1; j < nrel && rel[j].key == rel[i].key && rel[j].val == rel[i].val; j++)
            ;
        sh[nsh].docs = j - i;
        sh[nsh].old = rel[i].val;
        sh[nsh++].now = rel[i].key;
        olds[nsh - 1] = rel[i].val;
        nows[nsh - 1] = rel[i].key;
    }
    qsort(sh, nsh, sizeof *sh, cmp_shared);
    if ((no = sd__ix_uniq_u64(olds, nsh)) == SIZE_MAX ||
        (nw = sd__ix_uniq_u64(nows, nsh)) == SIZE_MAX || (oldt = sd__calloc(no + 1, 1)) == NULL ||
        (nowt = sd__calloc(nw + 1, 1)) == NULL ||
        (map = sd__reallocarray(NULL, nsh + 1, sizeof *map)) == NULL)
        goto oom;
    for (i = 0; i < nsh; i++) {
        size_t o = sd__ix_find_u64(olds, no, sh[i].old), w = sd__ix_find_u64(nows, nw, sh[i].now);
        if (oldt[o] || nowt[w])
            continue;
        oldt[o] = nowt[w] = 1;
        map[nmap].key = sh[i].now;
        map[nmap++].val = sh[i].old;
    }
    if (sd__kv_sort(map, nmap))
        goto oom;
    rc = sd__ix_rename_stories(ix, map, nmap);
    goto done;
oom:
    rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
done:
    sd__free(now);
    sd__free(rel);
    sd__free(map);
    sd__free(sh);
    sd__free(olds);
    sd__free(nows);
    sd__free(oldt);
    sd__free(nowt);
    return rc;
}

/* One chunk of kept documents put through the batch steps again. */
static int replay(sd_index *ix, const uint64_t *docs, size_t n, sd_buf *arena, sd_buf *tbuf)
{
    sd_index_page pages[REPLAY_DOCS];
    size_t at[REPLAY_DOCS][4], i;
    int rc;
    sd__buf_reset(arena);
    for (i = 0; i < n; i++) {
        const char *text;
        size_t len;
        ix_doc x;
        if ((rc = sd__ix_doc(ix, docs[i], &x)) <= 0)
            return rc < 0 ? rc : sd__ix_damaged(ix, "missing document", docs[i]);
        memset(&pages[i], 0, sizeof pages[i]);
        pages[i].url_len = x.url_len;
        pages[i].date_len = x.date_len;
        at[i][0] = arena->len;
        if (sd__buf_append(arena, x.url, x.url_len))
            goto oom;
        at[i][1] = arena->len;
        if (sd__buf_append(arena, x.date, x.date_len))
            goto oom;
        if ((rc = sd__ix_text(ix, docs[i], tbuf, &text, &len)) != 0)
            return rc;
        at[i][2] = arena->len;
        pages[i].len = len;
        if (sd__buf_append(arena, text, len))
            goto oom;
    }
    for (i = 0; i < n; i++) {
        pages[i].url = pages[i].url_len ? arena->p + at[i][0] : NULL;
        pages[i].date = pages[i].date_len ? arena->p + at[i][1] : NULL;
        pages[i].text = arena->p + at[i][2];
    }
    return sd__ix_ingest(ix, pages, n, docs);
oom:
    return sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
}

int sd__ix_expire(sd_index *ix, const char *before, uint64_t *removed)
{
    static const int derived[] = {DB_POST, DB_BAND, DB_EXACT, DB_EDGE,  DB_CLUSTER,
                                  DB_PASS, DB_SPAN, DB_UNIT,  DB_STORY, DB_DSTORY};
    uint64_t *gone = NULL, *docs = NULL;
    sd_kv *old = NULL;
    size_t ng = 0, gcap = 0, nd = 0, dcap = 0, nold = 0, i, j;
    sd_buf arena, tbuf;
    int rc;

    sd__buf_init(&arena, 0);
    sd__buf_init(&tbuf, 0);
    if ((rc = collect(ix, before, &gone, &ng, &gcap)) != 0 || ng == 0)
        goto done;
    for (i = 0; i < ng; i++)
        if ((rc = remove_doc(ix, gone[i], &tbuf)) != 0)
            goto done;
    /* the stories' documents, to give the stories their ids back */
    if ((rc = doc_stories(ix, &old, &nold)) != 0)
        goto done;
    for (i = 0; i < sizeof derived / sizeof *derived; i++)
        if ((rc = sd__st_clear(&ix->st, derived[i])) != 0)
            goto done;
    ix->state.stories = ix->state.units = ix->state.passages = 0;
    ix->state.clusters = ix->state.duplicates = 0;
    if ((rc = kept(ix, &docs, &nd, &dcap)) != 0)
        goto done;
    for (i = 0; i < nd; i = j) {
        size_t bytes = 0;
        for (j = i; j < nd && j - i < REPLAY_DOCS && bytes < REPLAY_BYTES; j++) {
            sd_val v;
            if ((rc = sd__st_get64(&ix->st, DB_TEXT, docs[j], &v)) < 0)
                goto done;
            bytes += rc ? v.n : 0;
        }
        if ((rc = replay(ix, docs + i, j - i, &arena, &tbuf)) != 0)
            goto done;
    }
    if ((rc = keep_ids(ix, old, nold)) != 0)
        goto done;
    *removed = ng;
done:
    sd__free(old);
    sd__free(gone);
    sd__free(docs);
    sd__buf_release(&arena);
    sd__buf_release(&tbuf);
    return rc;
}
