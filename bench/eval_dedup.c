/*
 * eval_dedup.c: precision and recall of `syndic dedup` on a corpus from
 * gen_dedup, against exact Jaccard similarity.
 *
 *   eval_dedup CORPUS.jsonl RESULTS.jsonl [THRESHOLD] [NGRAM]
 *
 * Truth: within each planted family, every pair's exact Jaccard similarity of
 * word n-gram shingle sets is computed (tests/ref/jaccard.c); pairs at or
 * above the threshold are duplicates, and the true clusters are their
 * transitive closure (what an exact, all-pairs union-find would output).
 * Documents of different families share essentially no shingles, so any
 * pair across families that syndic puts together counts as a false positive.
 *
 * Metric: pairwise precision and recall of the predicted clustering against
 * the true one (pairs of documents in the same cluster), and the same over the
 * direct claims "X duplicate_of Y" (each must have exact J >= threshold - 0.05
 * to count as right, since union-find may chain past the threshold).
 * Also: of the in-family pairs whose exact similarity is at least 0.05 away
 * from the threshold, the share on which syndic and the truth agree (same
 * cluster or not).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "group/unionfind.h"
#include "ref/jaccard.h"

typedef struct item {
    char *id;
    long family;
    char *text;
    size_t len;
    long pred; /* predicted cluster */
    long truth; /* true cluster root */
    uint64_t *sh;
    long nsh;
} item;

static int by_id(const void *a, const void *b)
{
    return strcmp(((const item *)a)->id, ((const item *)b)->id);
}

static int by_family(const void *a, const void *b)
{
    const item *x = *(item *const *)a, *y = *(item *const *)b;
    return x->family < y->family ? -1 : x->family > y->family;
}

static char *read_line(FILE *f, size_t *cap, char **buf)
{
    ssize_t n = getline(buf, cap, f);
    return n < 0 ? NULL : *buf;
}

static item *find(item *v, size_t n, const char *id)
{
    item key;
    key.id = (char *)(uintptr_t)id;
    return bsearch(&key, v, n, sizeof *v, by_id);
}

typedef struct cell {
    long a, b;
} cell;

static int cmp_cell(const void *x, const void *y)
{
    const cell *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return p->b < q->b ? -1 : p->b > q->b;
}

/* Sum over groups of equal (a, b) of C(size, 2). */
static double pair_count(cell *c, size_t n)
{
    size_t i = 0;
    double total = 0;
    qsort(c, n, sizeof *c, cmp_cell);
    while (i < n) {
        size_t j = i + 1;
        while (j < n && c[j].a == c[i].a && c[j].b == c[i].b)
            j++;
        total += (double)(j - i) * (double)(j - i - 1) / 2;
        i = j;
    }
    return total;
}

int main(int argc, char **argv)
{
    FILE *f;
    char *buf = NULL;
    size_t cap = 0, n = 0, vcap = 0, i, claims = 0, claims_ok = 0;
    item *v = NULL, **byfam;
    double thr = argc > 3 ? atof(argv[3]) : 0.8;
    unsigned ngram = argc > 4 ? (unsigned)atoi(argv[4]) : 5;
    sd_uf uf;
    size_t clear = 0, clear_wrong = 0, nclear = 0, clear_cap = 0;
    cell *clear_pairs = NULL;
    cell *c;
    double tp, pp, tpairs;

    if (argc < 3) {
        fprintf(stderr, "usage: eval_dedup CORPUS.jsonl RESULTS.jsonl [THRESHOLD] [NGRAM]\n");
        return 2;
    }
    f = fopen(argv[1], "r");
    if (f == NULL) {
        perror(argv[1]);
        return 2;
    }
    while (read_line(f, &cap, &buf)) {
        json_error_t err;
        json_t *o = json_loads(buf, JSON_ALLOW_NUL, &err);
        const char *t;
        if (o == NULL) {
            fprintf(stderr, "eval_dedup: bad corpus line: %s\n", err.text);
            return 2;
        }
        if (n == vcap) {
            vcap = vcap ? vcap * 2 : 4096;
            v = realloc(v, vcap * sizeof *v);
        }
        v[n].id = strdup(json_string_value(json_object_get(o, "id")));
        v[n].family = (long)json_integer_value(json_object_get(o, "family"));
        t = json_string_value(json_object_get(o, "text"));
        v[n].len = json_string_length(json_object_get(o, "text"));
        v[n].text = malloc(v[n].len + 1);
        memcpy(v[n].text, t, v[n].len);
        v[n].pred = -1;
        v[n].sh = NULL;
        n++;
        json_decref(o);
    }
    fclose(f);
    qsort(v, n, sizeof *v, by_id);

    f = fopen(argv[2], "r");
    if (f == NULL) {
        perror(argv[2]);
        return 2;
    }
    while (read_line(f, &cap, &buf)) {
        json_error_t err;
        json_t *o = json_loads(buf, 0, &err), *dup;
        item *it;
        if (o == NULL)
            continue;
        it = find(v, n, json_string_value(json_object_get(o, "id")));
        if (it) {
            it->pred = (long)json_integer_value(json_object_get(o, "cluster"));
            dup = json_object_get(o, "duplicate_of");
            if (json_is_string(dup)) {
                item *rep = find(v, n, json_string_value(dup));
                claims++;
                if (rep && rep->family == it->family) {
                    uint64_t *a, *b;
                    long na = ref_shingles(it->text, it->len, ngram, 0, &a);
                    long nb = ref_shingles(rep->text, rep->len, ngram, 0, &b);
                    if (ref_jaccard(a, (size_t)na, b, (size_t)nb) >= thr - 0.05)
                        claims_ok++;
                    free(a);
                    free(b);
                }
            }
        }
        json_decref(o);
    }
    fclose(f);
    free(buf);

    /* Exact truth within families. */
    byfam = malloc(n * sizeof *byfam);
    for (i = 0; i < n; i++) {
        byfam[i] = &v[i];
        v[i].nsh = ref_shingles(v[i].text, v[i].len, ngram, 0, &v[i].sh);
    }
    qsort(byfam, n, sizeof *byfam, by_family);
    sd__uf_init(&uf, n);
    {
        size_t s = 0, pairs = 0, dup_pairs = 0, hist[10] = {0}, h;
        while (s < n) {
            size_t e = s + 1, x, y;
            while (e < n && byfam[e]->family == byfam[s]->family)
                e++;
            for (x = s; x < e; x++)
                for (y = x + 1; y < e; y++) {
                    double j = ref_jaccard(byfam[x]->sh, (size_t)byfam[x]->nsh, byfam[y]->sh,
                                           (size_t)byfam[y]->nsh);
                    pairs++;
                    hist[j >= 1.0 ? 9 : (size_t)(j * 10)]++;
                    if (j >= thr + 0.05 || j < thr - 0.05) {
                        if (nclear == clear_cap) {
                            clear_cap = clear_cap ? clear_cap * 2 : 1024;
                            clear_pairs = realloc(clear_pairs, clear_cap * sizeof *clear_pairs);
                        }
                        clear_pairs[nclear].a = byfam[x] - v;
                        clear_pairs[nclear].b = byfam[y] - v;
                        nclear++;
                    }
                    if (j >= thr) {
                        sd__uf_union(&uf, (uint64_t)(byfam[x] - v), (uint64_t)(byfam[y] - v));
                        dup_pairs++;
                    }
                }
            s = e;
        }
        fprintf(stderr, "eval_dedup: %zu in-family pairs, %zu at or above %.2f\n", pairs,
                dup_pairs, thr);
        fprintf(stderr, "eval_dedup: exact Jaccard of in-family pairs by tenths:");
        for (h = 0; h < 10; h++)
            fprintf(stderr, " %zu", hist[h]);
        fprintf(stderr, "\n");
    }
    c = malloc(n * sizeof *c);
    for (i = 0; i < n; i++)
        v[i].truth = (long)sd__uf_find(&uf, i);
    /* Clear pairs: is syndic's decision (same cluster or not) the truth's? */
    for (i = 0; i < nclear; i++) {
        const item *x = &v[clear_pairs[i].a], *y = &v[clear_pairs[i].b];
        clear++;
        clear_wrong += (x->pred == y->pred) != (x->truth == y->truth);
    }
    for (i = 0; i < n; i++) {
        c[i].a = v[i].pred;
        c[i].b = v[i].truth;
    }
    tp = pair_count(c, n);
    for (i = 0; i < n; i++) {
        c[i].a = v[i].pred;
        c[i].b = 0;
    }
    pp = pair_count(c, n);
    for (i = 0; i < n; i++) {
        c[i].a = v[i].truth;
        c[i].b = 0;
    }
    tpairs = pair_count(c, n);
    printf("documents %zu\ntrue_duplicate_pairs %.0f\npredicted_pairs %.0f\n"
           "precision %.4f\nrecall %.4f\nclaims %zu\nclaim_precision %.4f\n",
           n, tpairs, pp, pp > 0 ? tp / pp : 1.0, tpairs > 0 ? tp / tpairs : 1.0, claims,
           claims ? (double)claims_ok / (double)claims : 1.0);
    printf("pairs_outside_borderline %zu\naccuracy_outside_borderline %.4f\n", clear,
           clear ? 1.0 - (double)clear_wrong / (double)clear : 1.0);
    return 0;
}
