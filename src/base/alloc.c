/*
 * alloc.c: the allocation hook. The default is the C library's allocator; a
 * program (or a test) may install its own once, before creating any object.
 */
#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

#include "syndic.h"

static void *def_malloc(void *ud, size_t n)
{
    (void)ud;
    return malloc(n);
}
static void *def_realloc(void *ud, void *p, size_t n)
{
    (void)ud;
    return realloc(p, n);
}
static void def_free(void *ud, void *p)
{
    (void)ud;
    free(p);
}

static sd_allocator hook = {def_malloc, def_realloc, def_free, NULL};

void sd_set_allocator(const sd_allocator *a)
{
    if (a == NULL) {
        hook.malloc_fn = def_malloc;
        hook.realloc_fn = def_realloc;
        hook.free_fn = def_free;
        hook.ud = NULL;
    } else {
        hook = *a;
    }
}

void *sd__malloc(size_t n)
{
    return hook.malloc_fn(hook.ud, n ? n : 1);
}

void *sd__calloc(size_t count, size_t size)
{
    void *p;
    if (size && count > (size_t)-1 / size)
        return NULL;
    p = sd__malloc(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void *sd__realloc(void *p, size_t n)
{
    if (p == NULL)
        return sd__malloc(n);
    return hook.realloc_fn(hook.ud, p, n ? n : 1);
}

void *sd__reallocarray(void *p, size_t count, size_t size)
{
    if (size && count > (size_t)-1 / size)
        return NULL;
    return sd__realloc(p, count * size);
}

void sd__free(void *p)
{
    if (p)
        hook.free_fn(hook.ud, p);
}

char *sd__strndup(const char *s, size_t n)
{
    char *d = sd__malloc(n + 1);
    if (d) {
        if (n)
            memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

int sd__grow(void **p, size_t *cap, size_t need, size_t size)
{
    size_t ncap;
    void *np;
    if (need <= *cap)
        return 0;
    ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > (size_t)-1 / 2)
            return SD_ENOMEM;
        ncap *= 2;
    }
    np = sd__reallocarray(*p, ncap, size);
    if (np == NULL)
        return SD_ENOMEM;
    *p = np;
    *cap = ncap;
    return 0;
}
