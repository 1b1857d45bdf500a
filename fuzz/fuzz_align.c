/*
 * fuzz_align.c: sd_align_pair on two texts cut from the input (at its first
 * 0xff byte, else in half; invalid UTF-8 repaired, as the reader does).
 * Invariants: no crash; every passage's byte ranges lie inside their texts,
 * in order, with doc_a 0 and doc_b 1, its changes inside it, its identity
 * in [0, 1]; the same call twice gives the same passages; and a text
 * against itself, with all_text (every word may start a passage), is one
 * passage, from its first token to its last, the same bytes on both sides,
 * every column equal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "syndic.h"
#include "text/tokenize.h"
#include "base/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void in_range(const sd_range *r, size_t n)
{
    if (r->start > r->end || r->end > n)
        abort();
}

static void check_passages(const sd_passage *p, size_t n, size_t na, size_t nb)
{
    size_t i, k;
    for (i = 0; i < n; i++) {
        in_range(&p[i].a, na);
        in_range(&p[i].b, nb);
        if (p[i].doc_a != 0 || p[i].doc_b != 1 || !(p[i].identity >= 0 && p[i].identity <= 1) ||
            p[i].equal > p[i].columns)
            abort();
        for (k = 0; k < p[i].n_changes; k++) {
            const sd_change *c = &p[i].changes[k];
            in_range(&c->a, na);
            in_range(&c->b, nb);
            if (c->a.start < p[i].a.start || c->a.end > p[i].a.end ||
                c->b.start < p[i].b.start || c->b.end > p[i].b.end)
                abort();
        }
    }
}

static void self_pair(const char *t, size_t n, const sd_trace_options *base)
{
    sd_trace_options opt = *base, *o = &opt;
    sd_tokens tk;
    sd_passage *p = NULL;
    size_t np = 0;
    opt.all_text = 1; /* every word may start a passage: by default a
                         * site's furniture, told from the text, links none */
    sd__tokens_init(&tk);
    if (sd__tokenize(t, n, o->seed, &tk) != 0)
        abort();
    if (sd_align_pair(t, n, t, n, o, &p, &np) != 0)
        abort();
    check_passages(p, np, n, n);
    if (tk.n >= o->min_passage) {
        uint64_t first = tk.v[0].off, last = (uint64_t)tk.v[tk.n - 1].off + tk.v[tk.n - 1].len;
        if (np != 1 || p[0].a.start != first || p[0].a.end != last || p[0].b.start != first ||
            p[0].b.end != last || p[0].equal != p[0].columns || p[0].n_changes != 0)
            abort();
    }
    sd_passages_free(p, np);
    sd__tokens_release(&tk);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *cut = memchr(data, 0xff, size);
    size_t na = cut ? (size_t)(cut - data) : size / 2, nb;
    sd_buf a, b;
    sd_trace_options o;
    sd_passage *p = NULL, *q = NULL;
    size_t np = 0, nq = 0, i;
    if (size > 1 << 16)
        return 0;
    sd__buf_init(&a, 0);
    sd__buf_init(&b, 0);
    nb = size - na - (cut != NULL);
    if (sd__utf8_repair((const char *)data, na, &a, NULL) != 0 ||
        sd__utf8_repair((const char *)data + size - nb, nb, &b, NULL) != 0 ||
        sd__buf_reserve(&a, 0) != 0 || sd__buf_reserve(&b, 0) != 0)
        abort();
    sd_trace_options_init(&o);
    o.min_passage = 4 + (size % 8);
    o.exact = 1;
    if (sd_align_pair(a.p, a.len, b.p, b.len, &o, &p, &np) != 0 ||
        sd_align_pair(a.p, a.len, b.p, b.len, &o, &q, &nq) != 0)
        abort();
    check_passages(p, np, a.len, b.len);
    if (np != nq)
        abort();
    for (i = 0; i < np; i++)
        if (memcmp(&p[i].a, &q[i].a, sizeof p[i].a) || memcmp(&p[i].b, &q[i].b, sizeof p[i].b) ||
            p[i].columns != q[i].columns || p[i].equal != q[i].equal)
            abort();
    sd_passages_free(p, np);
    sd_passages_free(q, nq);
    self_pair(a.p, a.len, &o);
    sd__buf_release(&a);
    sd__buf_release(&b);
    return 0;
}
