/*
 * bench_sketch.c: single-core throughput of the sketch stage.
 *
 *   bench_sketch CORPUS [REPEATS]
 *
 * Loads every record's text into memory with the library's reader, then
 * times, on one thread, (a) tokenizing and (b) tokenizing plus computing the
 * 256-value MinHash signature (the default), REPEATS times each, and prints the median
 * MB/s of text. Reading and JSON parsing are outside the timed part.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sketch/minhash.h"
#include "syndic.h"
#include "text/tokenize.h"
#include "timing.h"

int main(int argc, char **argv)
{
    sd_reader *r;
    sd_record rec;
    char *all = NULL;
    size_t *off = NULL, *len = NULL, n = 0, cap = 0, total = 0, acap = 0, i;
    int reps = argc > 2 ? atoi(argv[2]) : 5, k;
    double tok_mbs[32], sig_mbs[32];
    sd_tokens t;
    uint32_t sig[512];
    volatile uint64_t sink = 0;

    if (argc < 2 || reps < 1 || reps > 32) {
        fprintf(stderr, "usage: bench_sketch CORPUS [REPEATS<=32]\n");
        return 2;
    }
    if (sd_reader_new(NULL, &r, NULL) || sd_reader_add(r, argv[1]))
        return 1;
    while (sd_reader_next(r, &rec) == 1) {
        if (rec.error || rec.text == NULL)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            off = realloc(off, cap * sizeof *off);
            len = realloc(len, cap * sizeof *len);
        }
        if (total + rec.text_len > acap) {
            acap = (total + rec.text_len) * 2;
            all = realloc(all, acap);
        }
        memcpy(all + total, rec.text, rec.text_len);
        off[n] = total;
        len[n] = rec.text_len;
        total += rec.text_len;
        n++;
    }
    sd_reader_free(r);
    sd__tokens_init(&t);
    for (k = 0; k < reps; k++) {
        double t0 = now();
        for (i = 0; i < n; i++) {
            t.n = 0;
            sd__tokenize(all + off[i], len[i], 0, &t);
            sink += t.n;
        }
        tok_mbs[k] = (double)total / 1e6 / (now() - t0);
        t0 = now();
        for (i = 0; i < n; i++) {
            t.n = 0;
            sd__tokenize(all + off[i], len[i], 0, &t);
            /* as dedup sketches with --num-perm 256: 512 bins, the
             * second half for verification */
            sd__minhash_tokens(t.v, t.n, 5, 512, 0, sig, NULL);
            sink += sig[0];
        }
        sig_mbs[k] = (double)total / 1e6 / (now() - t0);
    }
    qsort(tok_mbs, (size_t)reps, sizeof *tok_mbs, cmp_double);
    qsort(sig_mbs, (size_t)reps, sizeof *sig_mbs, cmp_double);
    printf("sketch_docs %zu\nsketch_mb %.1f\ntokenize_mbs_per_core %.1f\n"
           "signature_mbs_per_core %.1f\n",
           n, (double)total / 1e6, tok_mbs[reps / 2], sig_mbs[reps / 2]);
    sd__tokens_release(&t);
    free(all);
    free(off);
    free(len);
    return sink == 42 ? 1 : 0;
}
