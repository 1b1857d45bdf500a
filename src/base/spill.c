/*
 * spill.c: sorted runs of (key, value) pairs in an anonymous temporary
 * file, and their k-way merge.
 */
#include "base/spill.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "syndic.h"

int sd__pwrite_full(int fd, const void *p, size_t n, uint64_t off, sd_err *e)
{
    const char *c = p;
    while (n) {
        ssize_t w = pwrite(fd, c, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return sd__errorf(e, SD_EIO, "cannot write temporary file: %s",
                              w < 0 ? strerror(errno) : "no space");
        c += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

int sd__pread_full(int fd, void *p, size_t n, uint64_t off, sd_err *e)
{
    char *c = p;
    while (n) {
        ssize_t r = pread(fd, c, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return sd__errorf(e, SD_EIO, "cannot read temporary file: %s", strerror(errno));
        if (r == 0)
            return sd__errorf(e, SD_ETRUNC, "temporary file ends early");
        c += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return 0;
}

size_t sd__spill_entries(uint64_t bytes, size_t floor_)
{
    uint64_t n = bytes / (2 * sizeof(sd_kv));
    return n < floor_ ? floor_ : n > SIZE_MAX / 64 ? SIZE_MAX / 64 : (size_t)n;
}

size_t sd__merge_window(uint64_t limit, size_t runs)
{
    uint64_t w = limit / 8 / sizeof(sd_kv) / (runs + 1);
    return w < 1024 ? 1024 : w > 65536 ? 65536 : (size_t)w;
}

void sd__spill_init(sd_spill *s)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
}

void sd__spill_release(sd_spill *s)
{
    if (s->fd >= 0)
        close(s->fd);
    sd__free(s->run_off);
    sd__free(s->run_len);
    sd__spill_init(s);
}

int sd__spill_run(sd_spill *s, const char *dir, sd_kv *v, size_t n, sd_err *e)
{
    int rc;
    if (n == 0)
        return 0;
    if (sd__kv_sort(v, n))
        return sd__errorf(e, SD_ENOMEM, "out of memory sorting %zu keys", n);
    if (s->fd < 0 && (s->fd = sd__tmpfd(dir, e)) < 0)
        return e->code;
    if (s->nruns == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        uint64_t *a = sd__reallocarray(s->run_off, cap, sizeof *a), *b;
        if (a == NULL)
            return sd__errorf(e, SD_ENOMEM, "out of memory");
        s->run_off = a;
        b = sd__reallocarray(s->run_len, cap, sizeof *b);
        if (b == NULL)
            return sd__errorf(e, SD_ENOMEM, "out of memory");
        s->run_len = b;
        s->cap = cap;
    }
    rc = sd__pwrite_full(s->fd, v, n * sizeof *v, s->entries * sizeof *v, e);
    if (rc)
        return rc;
    s->run_off[s->nruns] = s->entries;
    s->run_len[s->nruns] = n;
    s->nruns++;
    s->entries += n;
    return 0;
}

/* ---- merge ---- */

typedef struct source {
    int fd;          /* the spill file the run is in */
    sd_kv *buf;      /* a window of the run (or the in-memory run itself) */
    size_t pos, len; /* next and end in buf */
    uint64_t next;   /* run entries not yet read into buf */
    uint64_t off;    /* entry offset of `next` in the file */
} source;

struct sd_merge {
    source *src;
    size_t nsrc;
    size_t *heap; /* source indexes, ordered by head pair */
    size_t nheap;
    size_t buf_entries;
    sd_err *e;
};

static int head_less(const sd_merge *m, size_t a, size_t b)
{
    const sd_kv *x = &m->src[a].buf[m->src[a].pos], *y = &m->src[b].buf[m->src[b].pos];
    if (x->key != y->key)
        return x->key < y->key;
    if (x->val != y->val)
        return x->val < y->val;
    return a < b;
}

static void sift_down(sd_merge *m, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, s = i, t;
        if (l < m->nheap && head_less(m, m->heap[l], m->heap[s]))
            s = l;
        if (r < m->nheap && head_less(m, m->heap[r], m->heap[s]))
            s = r;
        if (s == i)
            return;
        t = m->heap[i];
        m->heap[i] = m->heap[s];
        m->heap[s] = t;
        i = s;
    }
}

/* Refills a file source's window. Returns 1 if it has pairs, 0 if done. */
static int refill(sd_merge *m, source *x)
{
    size_t k;
    int rc;
    if (x->next == 0)
        return 0;
    k = x->next < m->buf_entries ? (size_t)x->next : m->buf_entries;
    rc = sd__pread_full(x->fd, x->buf, k * sizeof *x->buf, x->off * sizeof *x->buf, m->e);
    if (rc)
        return rc;
    x->pos = 0;
    x->len = k;
    x->next -= k;
    x->off += k;
    return 1;
}

int sd__merge_open(const sd_spill *const *s, size_t ns, const sd_kv *mem, size_t n,
                   size_t buf_entries, sd_merge **out, sd_err *e)
{
    return sd__merge_open_parts(s, ns, &mem, &n, 1, buf_entries, out, e);
}

int sd__merge_open_parts(const sd_spill *const *s, size_t ns, const sd_kv *const *mem,
                         const size_t *n, size_t nmem, size_t buf_entries, sd_merge **out,
                         sd_err *e)
{
    sd_merge *m;
    size_t i, f, runs = 0;
    *out = NULL;
    for (f = 0; f < ns; f++)
        runs += s[f]->nruns;
    m = sd__calloc(1, sizeof *m);
    if (m == NULL)
        return sd__errorf(e, SD_ENOMEM, "out of memory");
    m->e = e;
    m->buf_entries = buf_entries ? buf_entries : 1;
    m->src = sd__calloc(runs + nmem + 1, sizeof *m->src);
    m->heap = sd__calloc(runs + nmem + 1, sizeof *m->heap);
    if (m->src == NULL || m->heap == NULL)
        goto nomem;
    for (f = 0; f < ns; f++)
        for (i = 0; i < s[f]->nruns; i++) {
            source *x = &m->src[m->nsrc++];
            int rc;
            x->fd = s[f]->fd;
            x->buf = sd__reallocarray(NULL, m->buf_entries, sizeof *x->buf);
            if (x->buf == NULL)
                goto nomem;
            x->next = s[f]->run_len[i];
            x->off = s[f]->run_off[i];
            rc = refill(m, x);
            if (rc < 0) {
                sd__merge_free(m);
                return rc;
            }
            if (rc)
                m->heap[m->nheap++] = m->nsrc - 1;
        }
    for (f = 0; f < nmem; f++) {
        source *x;
        if (n[f] == 0)
            continue;
        x = &m->src[m->nsrc++];
        x->fd = -1;
        x->buf = (sd_kv *)(uintptr_t)mem[f]; /* read only; never freed */
        x->len = n[f];
        x->next = UINT64_MAX; /* not a file source */
        m->heap[m->nheap++] = m->nsrc - 1;
    }
    for (i = m->nheap; i-- > 0;)
        sift_down(m, i);
    *out = m;
    return 0;
nomem:
    sd__merge_free(m);
    return sd__errorf(e, SD_ENOMEM, "out of memory for merge buffers");
}

int sd__merge_next(sd_merge *m, sd_kv *out)
{
    source *x;
    if (m->nheap == 0)
        return 0;
    x = &m->src[m->heap[0]];
    *out = x->buf[x->pos++];
    if (x->pos == x->len) {
        int rc = x->next == UINT64_MAX ? 0 : refill(m, x);
        if (rc < 0)
            return rc;
        if (rc == 0)
            m->heap[0] = m->heap[--m->nheap];
    }
    if (m->nheap)
        sift_down(m, 0);
    return 1;
}

void sd__merge_free(sd_merge *m)
{
    size_t i;
    if (m == NULL)
        return;
    for (i = 0; m->src && i < m->nsrc; i++)
        if (m->src[i].next != UINT64_MAX)
            sd__free(m->src[i].buf);
    sd__free(m->src);
    sd__free(m->heap);
    sd__free(m);
}

/* ---- key buffers ---- */

void sd__keys_init(sd_keys *k, const char *dir, uint64_t limit, size_t max, int unique)
{
    memset(k, 0, sizeof *k);
    sd__spill_init(&k->runs);
    k->dir = dir;
    k->limit = limit;
    k->unique = unique;
    k->max = max ? max : 1;
}

void sd__keys_release(sd_keys *k)
{
    sd__free(k->v);
    sd__spill_release(&k->runs);
    k->v = NULL;
    k->n = k->cap = 0;
}

/* A full buffer: its repeats dropped (with unique), then, unless that left
 * it at most half full, written as a run (under a limit) or let grow. */
static int keys_flush(sd_keys *k, sd_err *e)
{
    int rc;
    if (k->unique) {
        long u = sd__kv_unique(k->v, k->n);
        if (u < 0)
            return sd__errorf(e, SD_ENOMEM, "out of memory sorting %zu keys", k->n);
        k->n = (size_t)u;
        if (k->n <= k->max / 2)
            return 0;
    }
    if (!k->limit) {
        k->max = k->max > SIZE_MAX / 2 ? SIZE_MAX : 2 * k->max;
        return 0;
    }
    if ((rc = sd__spill_run(&k->runs, k->dir, k->v, k->n, e)) != 0)
        return rc;
    k->spilled += k->n * sizeof *k->v;
    k->n = 0;
    return 0;
}

int sd__keys_add(sd_keys *k, const sd_kv *v, size_t n, sd_err *e)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (k->n == k->max) {
            int rc = keys_flush(k, e);
            if (rc)
                return rc;
        }
        if (k->n == k->cap) {
            size_t cap = k->cap ? 2 * k->cap : 4096;
            sd_kv *p;
            if (cap > k->max)
                cap = k->max;
            if ((p = sd__reallocarray(k->v, cap, sizeof *p)) == NULL)
                return sd__errorf(e, SD_ENOMEM, "out of memory for %zu keys", cap);
            k->v = p;
            k->cap = cap;
        }
        k->v[k->n++] = v[i];
    }
    return 0;
}

int sd__keys_open(sd_keys *const *k, size_t nk, sd_merge **m, sd_err *e)
{
    const sd_spill **runs = sd__calloc(nk ? nk : 1, sizeof(const sd_spill *));
    const sd_kv **mem = sd__calloc(nk ? nk : 1, sizeof(const sd_kv *));
    size_t *n = sd__calloc(nk ? nk : 1, sizeof *n), i, nruns = 0;
    uint64_t limit = 0;
    int rc = 0;
    *m = NULL;
    if (runs == NULL || mem == NULL || n == NULL) {
        rc = sd__errorf(e, SD_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < nk; i++) {
        if (sd__kv_sort(k[i]->v, k[i]->n)) {
            rc = sd__errorf(e, SD_ENOMEM, "out of memory sorting %zu keys", k[i]->n);
            goto done;
        }
        runs[i] = &k[i]->runs;
        mem[i] = k[i]->v;
        n[i] = k[i]->n;
        nruns += k[i]->runs.nruns;
        limit = k[i]->limit;
    }
    rc = sd__merge_open_parts(runs, nk, mem, n, nk, sd__merge_window(limit, nruns), m, e);
done:
    sd__free(runs);
    sd__free(mem);
    sd__free(n);
    return rc;
}
