/*
 * alloc.h: every allocation in the library goes through these, so the hook
 * set by sd_set_allocator() sees them all. Sizes are checked for overflow.
 */
#ifndef SD_BASE_ALLOC_H
#define SD_BASE_ALLOC_H

#include <stddef.h>

void *sd__malloc(size_t n);
void *sd__calloc(size_t count, size_t size);
void *sd__realloc(void *p, size_t n);
/* realloc of count*size with an overflow check; NULL on overflow or failure. */
void *sd__reallocarray(void *p, size_t count, size_t size);
void sd__free(void *p);
/* Copies n bytes into a new NUL-terminated string. */
char *sd__strndup(const char *s, size_t n);

/*
 * Grows the array *p (of elements `size` bytes, capacity *cap) to hold at
 * least `need` elements, doubling. Returns 0 or SD_ENOMEM (array unchanged).
 */
int sd__grow(void **p, size_t *cap, size_t need, size_t size);

#define SD_GROW(arr, cap, need) sd__grow((void **)&(arr), &(cap), (need), sizeof *(arr))

#endif
