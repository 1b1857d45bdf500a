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
 * the inputs again. Story ids are then new ones (numbered after every id
 * given before): stories are not matched across an expire.
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
    size_t ng = 0, gcap = 0, nd = 0, dcap = 0, i, j;
    sd_buf arena, tbuf;
    int rc;

    sd__buf_init(&arena, 0);
    sd__buf_init(&tbuf, 0);
    if ((rc = collect(ix, before, &gone, &ng, &gcap)) != 0 || ng == 0)
        goto done;
    for (i = 0; i < ng; i++)
        if ((rc = remove_doc(ix, gone[i], &tbuf)) != 0)
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
    *removed = ng;
    rc = 0;
done:
    sd__free(gone);
    sd__free(docs);
    sd__buf_release(&arena);
    sd__buf_release(&tbuf);
    return rc;
}
