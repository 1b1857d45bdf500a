/*
 * pool.h: a fixed pool of worker threads running parallel loops.
 *
 * sd__pool_for(pool, n, fn, ctx) calls fn(ctx, i, worker) once for each i in
 * [0, n), spread over the workers and the calling thread, and returns when all
 * calls have returned. `worker` is in [0, sd__pool_size(pool)) and lets fn use
 * per-worker scratch space. Order of calls is unspecified, so fn must write
 * its result to slot i (never append): that keeps results independent of the
 * thread count. A pool is driven by one thread at a time.
 */
#ifndef SD_BASE_POOL_H
#define SD_BASE_POOL_H

#include <stddef.h>

typedef struct sd_pool sd_pool;
typedef void (*sd_pool_fn)(void *ctx, size_t i, unsigned worker);

/* threads 0 means one per online CPU. Returns 0 or SD_ENOMEM. */
int sd__pool_new(unsigned threads, sd_pool **out);
unsigned sd__pool_size(const sd_pool *p);
void sd__pool_for(sd_pool *p, size_t n, sd_pool_fn fn, void *ctx);
void sd__pool_free(sd_pool *p);

/* Number of online CPUs, at least 1. */
unsigned sd__cpu_count(void);

#endif
