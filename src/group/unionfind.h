/*
 * unionfind.h: disjoint sets over dense indexes, with path halving and union
 * by index: the root of a set is always its smallest member, so a cluster's
 * representative is its first element in input order whatever order the
 * unions come in.
 */
#ifndef SD_GROUP_UNIONFIND_H
#define SD_GROUP_UNIONFIND_H

#include <stddef.h>
#include <stdint.h>

typedef struct sd_uf {
    uint64_t *parent;
    size_t n;
} sd_uf;

/* Returns 0 or SD_ENOMEM. */
int sd__uf_init(sd_uf *u, size_t n);
void sd__uf_release(sd_uf *u);
uint64_t sd__uf_find(sd_uf *u, uint64_t x);
/* Joins the sets of a and b; returns the new root (the smaller root). */
uint64_t sd__uf_union(sd_uf *u, uint64_t a, uint64_t b);

#endif
