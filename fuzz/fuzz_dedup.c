/*
 * fuzz_dedup.c: sd_dedup over documents decoded from the input (one per
 * line, fuzz/docs.h), options drawn from its first byte, run with 1 and 2
 * threads (the second with texts tokenized in small pieces). Invariants: no crash; the two runs give the same result for
 * every document; every document is accounted for (a result for each
 * index, none past the last, the counts add up); an absent document is
 * absent and alone; a representative is its own and comes first; an exact
 * duplicate has the bytes of an earlier document of its cluster.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docs.h"
#include "syndic.h"
#include "text/tokenize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sd_dedup *run(const fuzz_docs *d, unsigned threads, uint8_t opt)
{
    sd_dedup_options o;
    sd_dedup *job;
    sd_doc docs[FUZZ_MAX_DOCS];
    size_t i;
    sd_dedup_options_init(&o);
    o.threads = threads;
    o.ngram = 1 + opt % 3;
    o.num_perm = 64;
    o.threshold = (opt >> 2) % 2 ? 0.5 : 0.8;
    for (i = 0; i < d->n; i++) {
        docs[i].text = d->absent[i] ? NULL : d->text[i].p;
        docs[i].len = d->absent[i] ? 0 : d->text[i].len;
    }
    if (sd_dedup_new(&o, &job, NULL) != 0)
        abort();
    /* two batches, so that a document's index crosses a batch */
    if (sd_dedup_add(job, docs, d->n / 2) != 0 ||
        sd_dedup_add(job, docs + d->n / 2, d->n - d->n / 2) != 0 ||
        sd_dedup_finish(job, NULL, NULL) != 0)
        abort();
    return job;
}

/* Whether an earlier document of the cluster has document i's bytes. (Not
 * necessarily the representative: with A, B near A and B2 equal to B, B2
 * is marked exact against B while its representative is A, issue 15; when
 * that is settled, this tightens to the representative.) */
static int exact_earlier(const fuzz_docs *d, const sd_dedup *job, uint64_t i, uint64_t cluster)
{
    uint64_t j;
    for (j = 0; j < i; j++) {
        sd_dedup_result r;
        if (sd_dedup_get(job, j, &r) == 0 && !r.absent && r.cluster == cluster &&
            d->text[j].len == d->text[i].len &&
            memcmp(d->text[j].p, d->text[i].p, d->text[i].len) == 0)
            return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_docs d;
    sd_dedup *a, *b;
    sd_dedup_stats sa, sb;
    sd_dedup_result ra, rb;
    uint64_t i, absent = 0, dups = 0;
    if (size < 1 || size > 1 << 16)
        return 0;
    fuzz_docs_split(&d, data + 1, size - 1);
    a = run(&d, 1, data[0]);
    /* the second run tokenizes in pieces of 16 to 79 bytes: texts cut
     * at separators must give what whole texts give */
    sd__token_piece = 16 + (size_t)(data[0] >> 2);
    b = run(&d, 2, data[0]);
    sd__token_piece = SD_TOKEN_PIECE;
    sd_dedup_get_stats(a, &sa);
    sd_dedup_get_stats(b, &sb);
    if (sa.docs != d.n || sb.docs != d.n || sa.clusters != sb.clusters ||
        sa.duplicates != sb.duplicates || sa.exact_duplicates != sb.exact_duplicates)
        abort();
    for (i = 0; i < d.n; i++) {
        if (sd_dedup_get(a, i, &ra) != 0 || sd_dedup_get(b, i, &rb) != 0)
            abort();
        if (ra.cluster != rb.cluster || ra.rep != rb.rep || ra.similarity != rb.similarity ||
            ra.absent != rb.absent || ra.exact != rb.exact)
            abort();
        if (ra.absent != d.absent[i] || ra.rep > i)
            abort();
        absent += (uint64_t)ra.absent;
        if (!ra.absent && ra.rep != i) {
            sd_dedup_result rr;
            dups++;
            if (sd_dedup_get(a, ra.rep, &rr) != 0 || rr.rep != ra.rep || rr.cluster != ra.cluster)
                abort();
            if (ra.exact && !exact_earlier(&d, a, i, ra.cluster))
                abort();
        }
    }
    if (sd_dedup_get(a, d.n, &ra) == 0 || absent != sa.absent || dups != sa.duplicates)
        abort();
    sd_dedup_free(a);
    sd_dedup_free(b);
    fuzz_docs_release(&d);
    return 0;
}
