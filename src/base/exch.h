/*
 * exch.h: messages between the processes of one job, over the caller's
 * sd_comm. Elements of one fixed size are put in a box per process, then
 * exchange() delivers every box (all processes call it together). A job of
 * one process exchanges with itself: the transport is never called, and
 * what it put arrives without a copy.
 */
#ifndef SD_BASE_EXCH_H
#define SD_BASE_EXCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "syndic.h"

typedef struct sd_box {
    unsigned char *p;
    size_t n;   /* elements */
    size_t cap; /* bytes: the element size may change between exchanges */
} sd_box;

typedef struct sd_exch {
    const sd_comm *c;
    unsigned me, np;
    size_t size; /* element size of the exchange being filled */
    sd_box *out; /* np boxes */
    uint64_t *lens;
    sd_err *err;   /* where failures are described */
    uint64_t sent; /* bytes sent to the other processes so far */
} sd_exch;

/* 0, or SD_ENOMEM after setting *err. */
int sd__exch_init(sd_exch *x, const sd_comm *c, sd_err *err);
void sd__exch_release(sd_exch *x);

/* Appends element e (x->size bytes) to the box of process `to`: 0 or SD_ENOMEM. */
int sd__exch_put(sd_exch *x, unsigned to, const void *e);
/* Appends `count` elements. */
int sd__exch_putn(sd_exch *x, unsigned to, const void *e, size_t count);

/*
 * Delivers the boxes and empties them; *got holds what arrived (*ng
 * elements, process 0's first), from[p] how many came from p (may be NULL).
 * The caller frees *got with sd__free. 0, SD_ENOMEM or SD_EIO.
 */
int sd__exch_run(sd_exch *x, unsigned char **got, size_t *ng, size_t *from);

/* Every process's n values: out[p * n + i]. 0 or SD_EIO. */
int sd__exch_gather(sd_exch *x, const uint64_t *in, size_t n, uint64_t *out);

/* Sums v[0..n) over the processes in place; the largest of *v. */
int sd__exch_sum(sd_exch *x, uint64_t *v, size_t n);
int sd__exch_max(sd_exch *x, uint64_t *v);

/* The process a hash falls to. */
unsigned sd__exch_dest(uint64_t h, unsigned np);

#endif
