/*
 * fuzz_trace.c: sd_trace over documents decoded from the input (one per
 * line, fuzz/docs.h), options drawn from its first byte, run with 1 and 2
 * threads (the second with texts tokenized in small pieces). Invariants: no crash; the two runs give the same passages and
 * stories; every passage joins two documents in order, its byte ranges
 * inside their texts as added; every document is accounted for (its text
 * and stories can be asked for, an absent one has none) and none past the
 * last.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docs.h"
#include "syndic.h"
#include "text/tokenize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sd_trace *run(const fuzz_docs *d, unsigned threads, uint8_t opt)
{
    sd_trace_options o;
    sd_trace *t;
    sd_trace_doc docs[FUZZ_MAX_DOCS];
    size_t i;
    sd_trace_options_init(&o);
    o.threads = threads;
    o.min_passage = 4 + opt % 8;
    o.exact = (opt >> 3) & 1;
    o.max_df = (opt >> 4) & 1 ? 2 : 0;
    memset(docs, 0, sizeof docs);
    for (i = 0; i < d->n; i++) {
        docs[i].text = d->absent[i] ? NULL : d->text[i].p;
        docs[i].len = d->absent[i] ? 0 : d->text[i].len;
    }
    if (sd_trace_new(&o, &t, NULL) != 0)
        abort();
    if (sd_trace_add(t, docs, d->n / 2) != 0 ||
        sd_trace_add(t, docs + d->n / 2, d->n - d->n / 2) != 0 || sd_trace_finish(t, NULL, NULL))
        abort();
    return t;
}

static int same_range(const sd_range *x, const sd_range *y)
{
    return x->start == y->start && x->end == y->end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_docs d;
    sd_trace *a, *b;
    size_t i, n;
    if (size < 1 || size > 1 << 16)
        return 0;
    fuzz_docs_split(&d, data + 1, size - 1);
    a = run(&d, 1, data[0]);
    /* the second run tokenizes in pieces of 16 to 79 bytes: texts cut
     * at separators must give what whole texts give */
    sd__token_piece = 16 + (size_t)(data[0] >> 2);
    b = run(&d, 2, data[0]);
    sd__token_piece = SD_TOKEN_PIECE;
    n = sd_trace_passage_count(a);
    if (n != sd_trace_passage_count(b) || sd_trace_story_count(a) != sd_trace_story_count(b))
        abort();
    for (i = 0; i < n; i++) {
        const sd_passage *p = sd_trace_passage(a, i), *q = sd_trace_passage(b, i);
        if (p == NULL || q == NULL || p->doc_a != q->doc_a || p->doc_b != q->doc_b ||
            !same_range(&p->a, &q->a) || !same_range(&p->b, &q->b) || p->story != q->story ||
            p->equal != q->equal || p->columns != q->columns)
            abort();
        if (p->doc_a >= p->doc_b || p->doc_b >= d.n || d.absent[p->doc_a] || d.absent[p->doc_b])
            abort();
        if (p->a.start > p->a.end || p->a.end > d.text[p->doc_a].len || p->b.start > p->b.end ||
            p->b.end > d.text[p->doc_b].len || p->story >= sd_trace_story_count(a))
            abort();
    }
    if (sd_trace_passage(a, n) != NULL)
        abort();
    for (i = 0; i < d.n; i++) {
        const uint64_t *sa, *sb;
        size_t na, nb;
        const char *text;
        size_t len;
        if (sd_trace_doc_stories(a, i, &sa, &na) != 0 || sd_trace_doc_stories(b, i, &sb, &nb) != 0 ||
            na != nb || (na && memcmp(sa, sb, na * sizeof *sa) != 0))
            abort();
        if (sd_trace_doc_text(a, i, &text, &len) != 0)
            abort();
        if (d.absent[i] ? (text != NULL || na != 0)
                        : (len != d.text[i].len || (len && memcmp(text, d.text[i].p, len) != 0)))
            abort();
    }
    {
        const uint64_t *s;
        size_t k;
        if (sd_trace_doc_stories(a, d.n, &s, &k) != SD_EINVAL)
            abort(); /* an index past the last is refused */
    }
    sd_trace_free(a);
    sd_trace_free(b);
    fuzz_docs_release(&d);
    return 0;
}
