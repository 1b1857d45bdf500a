/*
 * unionfind.c: disjoint sets whose root is always the smallest member.
 */
#include "group/unionfind.h"

#include "base/alloc.h"
#include "syndic.h"

int sd__uf_init(sd_uf *u, size_t n)
{
    size_t i;
    u->n = n;
    u->parent = sd__reallocarray(NULL, n ? n : 1, sizeof *u->parent);
    if (u->parent == NULL)
        return SD_ENOMEM;
    for (i = 0; i < n; i++)
        u->parent[i] = i;
    return 0;
}

void sd__uf_release(sd_uf *u)
{
    sd__free(u->parent);
    u->parent = NULL;
    u->n = 0;
}

uint64_t sd__uf_find(sd_uf *u, uint64_t x)
{
    while (u->parent[x] != x) {
        u->parent[x] = u->parent[u->parent[x]];
        x = u->parent[x];
    }
    return x;
}

uint64_t sd__uf_union(sd_uf *u, uint64_t a, uint64_t b)
{
    uint64_t ra = sd__uf_find(u, a), rb = sd__uf_find(u, b);
    if (ra == rb)
        return ra;
    if (ra < rb) {
        u->parent[rb] = ra;
        return ra;
    }
    u->parent[ra] = rb;
    return rb;
}
