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

static uint64_t block_of(const sd_share *s)
{
    return s->block ? s->block : DEFAULT_BLOCK;
}

static uint64_t count_of(const sd_share *s)
{
    return s->count ? s->count : 1;
}

/* The file holding record g: the last f with file_first[f] <= g. */
static size_t file_of(const sd_share *s, uint64_t g)
{
    size_t lo = 0, hi = s->nfiles;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->file_first[mid] <= g)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

unsigned sd_share_owner(const sd_share *s, uint64_t record)
{
    if (s->files)
        return s->nfiles ? (unsigned)(file_of(s, record) % count_of(s)) : 0;
    return (unsigned)(record / block_of(s) % count_of(s));
}

uint64_t sd_share_local(const sd_share *s, uint64_t record)
{
    uint64_t b = block_of(s);
    if (s->files) {
        size_t f;
        if (!s->nfiles)
            return record;
        f = file_of(s, record);
        return s->file_local[f] + (record - s->file_first[f]);
    }
    return record / b / count_of(s) * b + record % b;
}

uint64_t sd_share_record(const sd_share *s, uint64_t local)
{
    uint64_t b = block_of(s);
    if (s->files) {
        /* this process's files are index, index + count, ...: the last of
         * them starting at or before `local` */
        size_t lo = 0, hi, f;
        if (!s->nfiles || s->index >= s->nfiles)
            return local;
        hi = (s->nfiles - s->index + count_of(s) - 1) / count_of(s);
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (s->file_local[s->index + mid * count_of(s)] <= local)
                lo = mid;
            else
                hi = mid;
        }
        f = s->index + lo * count_of(s);
        return s->file_first[f] + (local - s->file_local[f]);
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
        end = s->nfiles ? s->file_first[file_of(s, record) + 1] : records;
    else
        end = (record / block_of(s) + 1) * block_of(s);
    return end < records ? end : records;
}

int sd_share_files(sd_comm *c, const uint64_t *counts, size_t nfiles)
{
    sd_share *s = &c->share;
    uint64_t *all = NULL, np = count_of(s), *local = NULL;
    size_t f;
    unsigned p;
    int rc = 0;
    sd_share_release(s);
    s->files = 1;
    all = sd__reallocarray(NULL, (size_t)np * (nfiles ? nfiles : 1), sizeof *all);
    s->file_first = sd__calloc(nfiles + 1, sizeof *s->file_first);
    s->file_local = sd__calloc(nfiles ? nfiles : 1, sizeof *s->file_local);
    local = sd__calloc((size_t)np, sizeof *local);
    if (!all || !s->file_first || !s->file_local || !local) {
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
        s->file_first[f + 1] = s->file_first[f] + n;
        s->file_local[f] = local[f % np];
        local[f % np] += n;
    }
    s->nfiles = nfiles;
done:
    sd__free(all);
    sd__free(local);
    if (rc)
        sd_share_release(s);
    return rc;
}

void sd_share_release(sd_share *s)
{
    sd__free(s->file_first);
    sd__free(s->file_local);
    s->file_first = NULL;
    s->file_local = NULL;
    s->nfiles = 0;
}
