/*
 * share.c: which process a record belongs to when several read one input
 * (sd_share in syndic.h): blocks of records dealt round robin, or whole
 * files dealt round robin with a table of where each file's records fall.
 */
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "syndic.h"

#define DEFAULT_BLOCK 4096u

/* With whole files dealt: where each file's records fall. */
struct sd_share_map {
    size_t nfiles;
    uint64_t *first; /* nfiles + 1: each file's first record in the whole input */
    uint64_t *local; /* nfiles: that record's local index in its process */
};

/* The files' table, NULL when none was made or it has no file. */
static const struct sd_share_map *map_of(const sd_share *s)
{
    return s->map && s->map->nfiles ? s->map : NULL;
}

static uint64_t block_of(const sd_share *s)
{
    return s->block ? s->block : DEFAULT_BLOCK;
}

static uint64_t count_of(const sd_share *s)
{
    return s->count ? s->count : 1;
}

/* The file holding record g: the last f with first[f] <= g. */
static size_t file_of(const struct sd_share_map *m, uint64_t g)
{
    size_t lo = 0, hi = m->nfiles;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->first[mid] <= g)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

unsigned sd_share_owner(const sd_share *s, uint64_t record)
{
    if (s->files)
        return map_of(s) ? (unsigned)(file_of(s->map, record) % count_of(s)) : 0;
    return (unsigned)(record / block_of(s) % count_of(s));
}

uint64_t sd_share_local(const sd_share *s, uint64_t record)
{
    uint64_t b = block_of(s);
    if (s->files) {
        const struct sd_share_map *m = map_of(s);
        size_t f;
        if (!m)
            return record;
        f = file_of(m, record);
        return m->local[f] + (record - m->first[f]);
    }
    return record / b / count_of(s) * b + record % b;
}

uint64_t sd_share_record(const sd_share *s, uint64_t local)
{
    uint64_t b = block_of(s);
    if (s->files) {
        /* this process's files are index, index + count, ...: the last of
         * them starting at or before `local` */
        const struct sd_share_map *m = map_of(s);
        size_t lo = 0, hi, f;
        if (!m || s->index >= m->nfiles)
            return local;
        hi = (m->nfiles - s->index + count_of(s) - 1) / count_of(s);
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (m->local[s->index + mid * count_of(s)] <= local)
                lo = mid;
            else
                hi = mid;
        }
        f = s->index + lo * count_of(s);
        return m->first[f] + (local - m->local[f]);
    }
    return (local / b * count_of(s) + s->index) * b + local % b;
}

uint64_t sd_share_count(const sd_share *s, uint64_t records)
{
    uint64_t b = block_of(s), np = count_of(s), blocks = records / b;
    if (s->files)
        return 0; /* known only from the files' table */
    return (blocks / np + (blocks % np > s->index)) * b +
           (blocks % np == s->index ? records % b : 0);
}

uint64_t sd_share_run_end(const sd_share *s, uint64_t record, uint64_t records)
{
    uint64_t end;
    if (s->files)
        end = map_of(s) ? s->map->first[file_of(s->map, record) + 1] : records;
    else
        end = (record / block_of(s) + 1) * block_of(s);
    return end < records ? end : records;
}

int sd_share_files(sd_comm *c, const uint64_t *counts, size_t nfiles)
{
    sd_share *s = &c->share;
    uint64_t *all = NULL, np = count_of(s), *local = NULL;
    struct sd_share_map *m;
    size_t f;
    unsigned p;
    int rc = 0;
    sd_share_release(s);
    s->files = 1;
    if ((m = s->map = sd__calloc(1, sizeof *m)) == NULL)
        return SD_ENOMEM;
    all = sd__reallocarray(NULL, (size_t)np * (nfiles ? nfiles : 1), sizeof *all);
    m->first = sd__calloc(nfiles + 1, sizeof *m->first);
    m->local = sd__calloc(nfiles ? nfiles : 1, sizeof *m->local);
    local = sd__calloc((size_t)np, sizeof *local);
    if (!all || !m->first || !m->local || !local) {
        rc = SD_ENOMEM;
        goto done;
    }
    if (nfiles && c->allgather(c->ud, counts, nfiles, all)) {
        rc = SD_EIO;
        goto done;
    }
    /* a file's count is its owner's; the others gave 0 */
    for (f = 0; f < nfiles; f++) {
        uint64_t n = 0;
        for (p = 0; p < np; p++)
            n += all[(size_t)p * nfiles + f];
        m->first[f + 1] = m->first[f] + n;
        m->local[f] = local[f % np];
        local[f % np] += n;
    }
    m->nfiles = nfiles;
done:
    sd__free(all);
    sd__free(local);
    if (rc)
        sd_share_release(s);
    return rc;
}

void sd_share_release(sd_share *s)
{
    if (s->map) {
        sd__free(s->map->first);
        sd__free(s->map->local);
        sd__free(s->map);
    }
    s->map = NULL;
}
