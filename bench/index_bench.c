/*
 * index_bench.c: the persistent index's latency as it grows, for `make
 * bench-index`. Reads JSONL records {"id","text"} (bench/gen_dedup's),
 * adds the first BASE of them to a new index in batches of 1,000, then
 * for each of the next 1,000 asks about it alone (a query) and adds it
 * alone (a batch of one page, committed), timing each. Prints the median
 * and 99th percentile of both, in milliseconds, the index's size on disk
 * per page, and what the process wrote per page (Linux: /proc/self/io
 * wchar) while building the base and while adding the probes: the pages
 * LMDB's commits write, which the times on a shared disk only blur. The
 * base's last LAST batches of 1,000 (added to an index of about BASE
 * pages) give the time per page of a batch at that size: their median
 * and mean (the mean counts the runs merged in them), and what they wrote
 * per page.
 *
 *   index_bench CORPUS.jsonl INDEX_DIR BASE [THREADS]
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syndic.h"
#include "timing.h"

#define BATCH 1000
#define PROBE 1000
#define LAST 10

typedef struct rec {
    char *id, *text;
} rec;

static int next_rec(FILE *f, rec *r)
{
    char *line = NULL;
    size_t cap = 0;
    json_t *j, *id, *text;
    if (getline(&line, &cap, f) < 0) {
        free(line);
        return 0;
    }
    j = json_loads(line, 0, NULL);
    free(line);
    if (!j)
        return -1;
    id = json_object_get(j, "id");
    text = json_object_get(j, "text");
    r->id = strdup(json_is_string(id) ? json_string_value(id) : "");
    r->text = strdup(json_is_string(text) ? json_string_value(text) : "");
    json_decref(j);
    return 1;
}

/* Bytes this process has written so far (0 where /proc/self/io is not). */
static double written(void)
{
    char line[128];
    unsigned long long v = 0;
    FILE *f = fopen("/proc/self/io", "r");
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "wchar: %llu", &v) == 1)
            break;
    fclose(f);
    return (double)v;
}

static void to_page(const rec *r, sd_index_page *p)
{
    memset(p, 0, sizeof *p);
    p->id = r->id;
    p->id_len = strlen(r->id);
    p->text = r->text;
    p->len = strlen(r->text);
}

static int run(sd_index *ix, const sd_index_page *p, size_t n, int mode)
{
    size_t i;
    sd_index_answer a;
    int rc = sd_index_begin(ix, mode);
    if (!rc)
        rc = sd_index_put(ix, p, n);
    for (i = 0; !rc && i < n; i++)
        rc = sd_index_get_answer(ix, i, &a);
    if (!rc)
        rc = sd_index_commit(ix);
    return rc;
}

int main(int argc, char **argv)
{
    sd_index_options o;
    sd_index *ix;
    sd_index_stats st;
    char err[SD_ERRBUF_SIZE];
    sd_index_page *pages;
    rec *recs;
    double *tq, *ta, t0, tb, w0, wb, wa = 0, tl[LAST], wl = 0, t1, w1, tsum = 0;
    size_t nl = 0;
    size_t base, n = 0, i;
    FILE *f;
    if (argc < 4) {
        fprintf(stderr, "usage: index_bench CORPUS.jsonl INDEX_DIR BASE [THREADS]\n");
        return 2;
    }
    base = (size_t)strtoull(argv[3], NULL, 10);
    if ((f = fopen(argv[1], "r")) == NULL) {
        perror(argv[1]);
        return 1;
    }
    recs = calloc(BATCH, sizeof *recs);
    pages = calloc(BATCH, sizeof *pages);
    tq = calloc(PROBE, sizeof *tq);
    ta = calloc(PROBE, sizeof *ta);
    sd_index_options_init(&o);
    o.threads = argc > 4 ? (unsigned)atoi(argv[4]) : 0;
    if (sd_index_open(argv[2], &o, SD_INDEX_CREATE, &ix, err) != 0) {
        fprintf(stderr, "index_bench: %s\n", err);
        return 1;
    }
    /* the base, in batches */
    w0 = written();
    t0 = now();
    while (n < base) {
        size_t m = 0;
        while (m < BATCH && n + m < base && next_rec(f, &recs[m]) == 1) {
            to_page(&recs[m], &pages[m]);
            m++;
        }
        if (m == 0)
            break;
        t1 = now();
        w1 = written();
        if (run(ix, pages, m, SD_INDEX_ADD) != 0) {
            fprintf(stderr, "index_bench: %s\n", sd_index_errmsg(ix));
            return 1;
        }
        if (m == BATCH && n + m + LAST * BATCH > base) {
            /* one of the last batches: its time and writes per page */
            tl[nl++ % LAST] = (now() - t1) / (double)m;
            wl += written() - w1;
        }
        for (i = 0; i < m; i++) {
            free(recs[i].id);
            free(recs[i].text);
        }
        n += m;
    }
    tb = now() - t0;
    wb = written() - w0;
    /* the probes, one page at a time */
    for (i = 0; i < PROBE && next_rec(f, &recs[0]) == 1; i++) {
        to_page(&recs[0], &pages[0]);
        t0 = now();
        if (run(ix, pages, 1, SD_INDEX_QUERY) != 0)
            break;
        tq[i] = now() - t0;
        sd_index_refresh(ix);
        w0 = written();
        t0 = now();
        if (run(ix, pages, 1, SD_INDEX_ADD) != 0)
            break;
        ta[i] = now() - t0;
        wa += written() - w0;
        free(recs[0].id);
        free(recs[0].text);
    }
    if (i < PROBE) {
        fprintf(stderr, "index_bench: %s (after %zu probes)\n", sd_index_errmsg(ix), i);
        return 1;
    }
    nl = nl < LAST ? nl : LAST;
    for (i = 0; i < nl; i++)
        tsum += tl[i];
    qsort(tl, nl, sizeof *tl, cmp_double);
    qsort(tq, PROBE, sizeof *tq, cmp_double);
    qsort(ta, PROBE, sizeof *ta, cmp_double);
    sd_index_refresh(ix);
    sd_index_get_stats(ix, &st);
    printf("| %7zu | %8.1f | %4.0f / %4.0f | %7.1f | %7.2f | %7.2f | %7.2f | %7.2f | %8.0f | %8.0f "
           "| %7.1f "
           "| %7.1f |\n",
           n, (double)n / tb, nl ? tl[nl / 2] * 1e6 : 0.0, nl ? tsum / (double)nl * 1e6 : 0.0,
           nl ? wl / 1024 / (double)(nl * BATCH) : 0.0, tq[PROBE / 2] * 1e3,
           tq[PROBE * 99 / 100] * 1e3, ta[PROBE / 2] * 1e3, ta[PROBE * 99 / 100] * 1e3,
           (double)st.file_size / (double)st.docs, (double)st.text_bytes / (double)st.docs,
           wb / 1024 / (double)n, wa / 1024 / PROBE);
    sd_index_close(ix);
    fclose(f);
    free(recs);
    free(pages);
    free(tq);
    free(ta);
    return 0;
}
