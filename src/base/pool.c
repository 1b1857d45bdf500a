/*
 * pool.c: worker threads for parallel loops. Workers sleep on a condition
 * variable between loops; within a loop every thread (the caller too) takes
 * chunks of indexes from a shared atomic counter, so uneven work balances
 * itself without any ordering that could leak into results.
 */
#include "base/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "base/alloc.h"
#include "syndic.h"

struct sd_pool {
    unsigned nthreads; /* workers including the caller */
    pthread_t *tids;
    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    /* the current loop */
    sd_pool_fn fn;
    void *ctx;
    size_t n, chunk;
    atomic_size_t next;
    unsigned long generation;
    unsigned busy; /* workers still in the current loop */
    int quit;
};

typedef struct worker_arg {
    sd_pool *pool;
    unsigned id;
} worker_arg;

unsigned sd__cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

/* Runs chunks of the current loop until none is left. */
static void drain(sd_pool *p, unsigned id)
{
    for (;;) {
        size_t start = atomic_fetch_add(&p->next, p->chunk);
        size_t end, i;
        if (start >= p->n)
            break;
        end = start + p->chunk < p->n ? start + p->chunk : p->n;
        for (i = start; i < end; i++)
            p->fn(p->ctx, i, id);
    }
}

static void *worker_main(void *arg)
{
    worker_arg *wa = arg;
    sd_pool *p = wa->pool;
    unsigned id = wa->id;
    unsigned long seen = 0;
    sd__free(wa);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->quit && p->generation == seen)
            pthread_cond_wait(&p->work_cv, &p->mu);
        if (p->quit)
            break;
        seen = p->generation;
        pthread_mutex_unlock(&p->mu);
        drain(p, id);
        pthread_mutex_lock(&p->mu);
        if (--p->busy == 0)
            pthread_cond_signal(&p->done_cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int sd__pool_new(unsigned threads, sd_pool **out)
{
    sd_pool *p;
    unsigned i;
    *out = NULL;
    if (threads == 0)
        threads = sd__cpu_count();
    if (threads > 256)
        threads = 256;
    p = sd__calloc(1, sizeof *p);
    if (p == NULL)
        return SD_ENOMEM;
    p->nthreads = threads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work_cv, NULL);
    pthread_cond_init(&p->done_cv, NULL);
    atomic_init(&p->next, 0);
    if (threads > 1) {
        p->tids = sd__calloc(threads - 1, sizeof *p->tids);
        if (p->tids == NULL)
            goto fail;
        for (i = 0; i + 1 < threads; i++) {
            worker_arg *wa = sd__malloc(sizeof *wa);
            if (wa == NULL)
                goto fail_threads;
            wa->pool = p;
            wa->id = i + 1;
            if (pthread_create(&p->tids[i], NULL, worker_main, wa) != 0) {
                sd__free(wa);
                goto fail_threads;
            }
        }
    }
    *out = p;
    return 0;

fail_threads:
    p->nthreads = i + 1; /* the workers that did start, plus the caller */
    sd__pool_free(p);
    return SD_ENOMEM;
fail:
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work_cv);
    pthread_cond_destroy(&p->done_cv);
    sd__free(p);
    return SD_ENOMEM;
}

unsigned sd__pool_size(const sd_pool *p)
{
    return p ? p->nthreads : 1;
}

void sd__pool_for(sd_pool *p, size_t n, sd_pool_fn fn, void *ctx)
{
    size_t i, chunk;
    if (n == 0)
        return;
    if (p == NULL || p->nthreads == 1 || n == 1) {
        for (i = 0; i < n; i++)
            fn(ctx, i, 0);
        return;
    }
    /* Small chunks balance uneven documents; at least 1, at most 64. */
    chunk = n / ((size_t)p->nthreads * 16);
    chunk = chunk < 1 ? 1 : chunk > 64 ? 64 : chunk;
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->ctx = ctx;
    p->n = n;
    p->chunk = chunk;
    atomic_store(&p->next, 0);
    p->busy = p->nthreads - 1;
    p->generation++;
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->mu);

    drain(p, 0);

    pthread_mutex_lock(&p->mu);
    while (p->busy > 0)
        pthread_cond_wait(&p->done_cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

void sd__pool_free(sd_pool *p)
{
    unsigned i;
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->mu);
    for (i = 0; p->tids && i + 1 < p->nthreads; i++)
        pthread_join(p->tids[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work_cv);
    pthread_cond_destroy(&p->done_cv);
    sd__free(p->tids);
    sd__free(p);
}
