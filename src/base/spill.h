/*
 * spill.h: keys beyond the memory budget, on disk.
 *
 * A spill file is an anonymous temporary file (created unlinked, so it
 * vanishes when closed, when the process exits, and when it is killed:
 * nothing is ever left in the temporary directory). It holds sorted runs of
 * (key, value) pairs; a merge reads them back as one sorted stream, in the
 * same (key, value) order sd__kv_sort gives, so a job that spills groups
 * its keys exactly as one that does not.
 *
 * sd__tmpfd() (fmap.h) gives such a file for other uses (fixed-size
 * records read back with sd__pread_full()).
 */
#ifndef SD_BASE_SPILL_H
#define SD_BASE_SPILL_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/fmap.h"
#include "base/keysort.h"

/* Writes or reads exactly n bytes at `off`, retrying short transfers.
 * Returns 0, or SD_EIO / SD_ETRUNC after setting *e. */
int sd__pwrite_full(int fd, const void *p, size_t n, uint64_t off, sd_err *e);
int sd__pread_full(int fd, void *p, size_t n, uint64_t off, sd_err *e);

typedef struct sd_spill {
    int fd;
    uint64_t *run_off; /* entry offset of each run */
    uint64_t *run_len; /* entries in each run */
    size_t nruns, cap;
    uint64_t entries; /* in all runs */
} sd_spill;

/* Creates the file in `dir` lazily, at the first run. */
void sd__spill_init(sd_spill *s);
/* Sorts v[0..n) (needing n more elements of scratch) and writes it as a
 * run. Returns 0, SD_ENOMEM, SD_EIO. */
int sd__spill_run(sd_spill *s, const char *dir, sd_kv *v, size_t n, sd_err *e);
void sd__spill_release(sd_spill *s);

/*
 * Merges the runs of the ns spills s[] and `mem` (n sorted pairs still in
 * memory, may be 0) into one sorted stream, reading each run through a
 * buffer of `buf_entries` pairs. Equal pairs from different runs all come
 * out.
 */
/* Sizing under a memory limit: the entries a key buffer of `bytes` holds
 * (sorting needs as many again), at least floor_; and the entries each of
 * `runs` runs is read through in a merge, an eighth of `limit` over them
 * (1,024 to 65,536). */
size_t sd__spill_entries(uint64_t bytes, size_t floor_);
size_t sd__merge_window(uint64_t limit, size_t runs);

typedef struct sd_merge sd_merge;
int sd__merge_open(const sd_spill *const *s, size_t ns, const sd_kv *mem, size_t n,
                   size_t buf_entries, sd_merge **out, sd_err *e);
/* The next pair: 1, or 0 at the end, or SD_EIO / SD_ETRUNC. */
int sd__merge_next(sd_merge *m, sd_kv *out);
void sd__merge_free(sd_merge *m);

#endif
