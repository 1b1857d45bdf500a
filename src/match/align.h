/*
 * align.h: passages shared by two token sequences.
 *
 * Given the positions where two documents share a fingerprint (anchors:
 * equal k-grams), sd__align grows each anchor into a maximal exact match,
 * chains the matches that are monotone in both documents with small gaps
 * (each maximal chain separately, so a paragraph moved elsewhere is its own
 * passage), extends the chain ends over small edits, and fills every gap with
 * an exact unit-cost edit-distance alignment of its tokens. A passage is a
 * token range in each document, the number of aligned columns, how many of
 * them are equal, and the runs of unequal columns (edits).
 *
 * Pure; the caller owns every array. The scratch in sd__aligner is per
 * thread.
 */
#ifndef SD_MATCH_ALIGN_H
#define SD_MATCH_ALIGN_H

#include <stddef.h>
#include <stdint.h>

/* A document as the aligner sees it: per token a 32-bit hash and the byte
 * range [off, end) of its spelling. */
typedef struct sd_tseq {
    const uint32_t *h;
    const uint32_t *off;
    const uint32_t *end;
    size_t n;
    const uint64_t *art; /* per token a bit: article prose (text/prose.h); NULL: all */
} sd_tseq;

typedef struct sd_align_params {
    unsigned k;           /* k-gram length of the anchors */
    unsigned min_passage; /* fewest tokens a passage has on each side */
    unsigned max_gap;     /* most tokens skipped between chained matches */
    double min_identity;  /* lowest share of equal columns kept */
    unsigned cut;         /* a passage never runs through this many tokens that
                             are not article prose (in either sequence); 0: no cut */
} sd_align_params;

/* A run of unequal columns: tokens [a0, a1) of A against [b0, b1) of B
 * (one side may be empty: an insertion or deletion). */
typedef struct sd_tedit {
    uint32_t a0, a1, b0, b1;
} sd_tedit;

typedef struct sd_tpass {
    uint32_t a0, a1, b0, b1; /* token ranges */
    uint32_t cols, equal;    /* aligned columns and equal ones among them */
    size_t edit0, nedit;     /* its edits: out->e[edit0 .. edit0 + nedit) */
} sd_tpass;

typedef struct sd_tpassages {
    sd_tpass *v;
    size_t n, cap;
    sd_tedit *e;
    size_t ne, ecap;
} sd_tpassages;

/* Per-thread scratch of the aligner. */
typedef struct sd_aligner {
    void *mem; /* matches, chains */
    size_t memcap;
    uint32_t *dp; /* gap alignment table */
    size_t dpcap;
} sd_aligner;

void sd__aligner_init(sd_aligner *al);
void sd__aligner_release(sd_aligner *al);
void sd__tpassages_init(sd_tpassages *p);
void sd__tpassages_release(sd_tpassages *p);
void sd__tpassages_reset(sd_tpassages *p);

/*
 * Appends to `out` the passages of a and b grown from the anchors:
 * anchors[i] = (position in a << 32) | position in b, each the start of k
 * equal token hashes (unequal ones are ignored). Passages come in order of
 * their start in a. Returns 0 or SD_ENOMEM.
 */
int sd__align(sd_aligner *al, const sd_tseq *a, const sd_tseq *b, const uint64_t *anchors,
              size_t nanch, const sd_align_params *p, sd_tpassages *out);

/* The exact unit-cost edit distance of a[0..na) and b[0..nb) and, through
 * *equal, the number of equal columns of one optimal alignment: both
 * counted on the columns the passages' edits come from (the same table and
 * traceback). Returns SIZE_MAX on allocation failure. */
size_t sd__align_gap(sd_aligner *al, const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                     size_t *equal);

#endif
