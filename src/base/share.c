/*
 * share.c: which process a record belongs to when several read one input
 * (sd_share in syndic.h): blocks of records dealt round robin.
 */
#include <stdint.h>

#include "syndic.h"

#define DEFAULT_BLOCK 4096u

static uint64_t block_of(const sd_share *s)
{
    return s->block ? s->block : DEFAULT_BLOCK;
}

static uint64_t count_of(const sd_share *s)
{
    return s->count ? s->count : 1;
}

unsigned sd_share_owner(const sd_share *s, uint64_t record)
{
    return (unsigned)(record / block_of(s) % count_of(s));
}

uint64_t sd_share_local(const sd_share *s, uint64_t record)
{
    uint64_t b = block_of(s);
    return record / b / count_of(s) * b + record % b;
}

uint64_t sd_share_record(const sd_share *s, uint64_t local)
{
    uint64_t b = block_of(s);
    return (local / b * count_of(s) + s->index) * b + local % b;
}
