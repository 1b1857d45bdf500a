/*
 * trace_run.c: runs the trace job on a JSONL corpus ({"id","text"[,"date"]}
 * per line) through the public API and writes what bench/eval_trace.py
 * reads: one "passage" line per passage and one "story" line per story with
 * each copy's spans and role. Reports on stderr the time of the library work
 * (add + finish, not the JSON parsing) and MB/s.
 *
 *   trace_run CORPUS.jsonl THREADS [MIN_PASSAGE [EXACT]] > out.jsonl
 *
 * EXACT 1 turns off spelling and honorific folding (sd_trace_options.exact);
 * ALL_TEXT 1 lets every word start a passage (sd_trace_options.all_text).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "syndic.h"

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

typedef struct corpus {
    char **text;
    size_t *len;
    size_t n, cap;
    size_t bytes;
} corpus;

/* Reads every line's "text" (NULL for a line without one). */
static int load(const char *path, corpus *c)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t lcap = 0;
    ssize_t got;
    if (!f) {
        perror(path);
        return -1;
    }
    while ((got = getline(&line, &lcap, f)) > 0) {
        json_error_t err;
        json_t *o = json_loadb(line, (size_t)got, 0, &err), *t;
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 1024;
            c->text = realloc(c->text, c->cap * sizeof *c->text);
            c->len = realloc(c->len, c->cap * sizeof *c->len);
        }
        c->text[c->n] = NULL;
        c->len[c->n] = 0;
        t = o ? json_object_get(o, "text") : NULL;
        if (t && json_is_string(t)) {
            c->len[c->n] = json_string_length(t);
            c->text[c->n] = malloc(c->len[c->n] + 1);
            memcpy(c->text[c->n], json_string_value(t), c->len[c->n] + 1);
            c->bytes += c->len[c->n];
        }
        json_decref(o);
        c->n++;
    }
    free(line);
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    corpus c = {0};
    sd_trace_options o;
    sd_trace *t = NULL;
    sd_trace_doc *d;
    sd_trace_stats st;
    size_t i, j, k;
    double t0, t1, t2, c0, c2;
    if (argc < 3) {
        fprintf(stderr, "usage: trace_run CORPUS.jsonl THREADS [MIN_PASSAGE [EXACT [ALL_TEXT]]]\n");
        return 2;
    }
    if (load(argv[1], &c) != 0)
        return 1;
    sd_trace_options_init(&o);
    o.threads = (unsigned)atoi(argv[2]);
    if (argc > 3 && atoi(argv[3]) > 0)
        o.min_passage = (unsigned)atoi(argv[3]);
    if (argc > 4)
        o.exact = (unsigned)atoi(argv[4]);
    if (argc > 5)
        o.all_text = (unsigned)atoi(argv[5]);
    d = calloc(c.n ? c.n : 1, sizeof *d);
    for (i = 0; i < c.n; i++) {
        d[i].text = c.text[i];
        d[i].len = c.len[i];
    }
    t0 = now();
    c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    if (sd_trace_new(&o, &t, NULL) != 0)
        return 1;
    for (i = 0; i < c.n; i += 4096)
        if (sd_trace_add(t, d + i, c.n - i < 4096 ? c.n - i : 4096) != 0) {
            fprintf(stderr, "trace_run: %s\n", sd_trace_errmsg(t));
            return 1;
        }
    t1 = now();
    if (sd_trace_finish(t, NULL, NULL) != 0) {
        fprintf(stderr, "trace_run: %s\n", sd_trace_errmsg(t));
        return 1;
    }
    t2 = now();
    c2 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    for (i = 0; i < sd_trace_passage_count(t); i++) {
        const sd_passage *p = sd_trace_passage(t, i);
        printf("{\"type\":\"passage\",\"story\":%llu,\"a\":{\"doc\":%llu,\"start\":%llu,\"end\":%llu},"
               "\"b\":{\"doc\":%llu,\"start\":%llu,\"end\":%llu},\"identity\":%.4f}\n",
               (unsigned long long)p->story, (unsigned long long)p->doc_a,
               (unsigned long long)p->a.start, (unsigned long long)p->a.end,
               (unsigned long long)p->doc_b, (unsigned long long)p->b.start,
               (unsigned long long)p->b.end, p->identity);
    }
    for (i = 0; i < sd_trace_story_count(t); i++) {
        const sd_story *s = sd_trace_story(t, i);
        printf("{\"type\":\"story\",\"story\":%llu,\"origin\":{\"doc\":%llu},\"copies\":[",
               (unsigned long long)s->id, (unsigned long long)s->origin);
        for (j = 0; j < s->n_members; j++) {
            const sd_story_member *m = &s->members[j];
            printf("%s{\"doc\":%llu,\"role\":\"%s\",\"share\":%.4f,\"spans\":[", j ? "," : "",
                   (unsigned long long)m->doc, sd_role_name(m->role), m->share);
            for (k = 0; k < m->n_spans; k++)
                printf("%s[%llu,%llu]", k ? "," : "", (unsigned long long)m->spans[k].start,
                       (unsigned long long)m->spans[k].end);
            printf("]}");
        }
        printf("]}\n");
    }
    sd_trace_get_stats(t, &st);
    fprintf(stderr,
            "trace_run: %zu docs, %.1f MB, threads %u: add %.2f s, finish %.2f s, total %.2f s, "
            "%.1f MB/s, %.1f MB/s per thread; %llu pairs, %llu passages, %llu stories, "
            "max_df %u, %llu fingerprints dropped; CPU %.2f s (%.1f MB/s per CPU second)\n",
            c.n, (double)c.bytes / 1e6, o.threads, t1 - t0, t2 - t1, t2 - t0,
            (double)c.bytes / 1e6 / (t2 - t0), (double)c.bytes / 1e6 / (t2 - t0) / o.threads,
            (unsigned long long)st.pairs, (unsigned long long)st.passages,
            (unsigned long long)st.stories, st.max_df, (unsigned long long)st.dropped, c2 - c0,
            (double)c.bytes / 1e6 / (c2 - c0));
    sd_trace_free(t);
    for (i = 0; i < c.n; i++)
        free(c.text[i]);
    free(c.text);
    free(c.len);
    free(d);
    return 0;
}
