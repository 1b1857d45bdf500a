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
/* The same with nmem sorted pieces in memory, mem[i] of n[i] pairs. */
int sd__merge_open_parts(const sd_spill *const *s, size_t ns, const sd_kv *const *mem,
                         const size_t *n, size_t nmem, size_t buf_entries, sd_merge **out,
                         sd_err *e);
/* The next pair: 1, or 0 at the end, or SD_EIO / SD_ETRUNC. */
int sd__merge_next(sd_merge *m, sd_kv *out);
void sd__merge_free(sd_merge *m);

/*
 * Keys being gathered for a group-by. `max` entries are held in memory;
 * past them, under a memory limit, they are sorted and spilled as a run, so
 * that opening them gives one sorted stream whatever was spilled; without
 * a limit the buffer grows instead. With `unique`, a full buffer first
 * drops its repeats (candidate pairs found in several bands) and goes on
 * when that leaves it at most half full.
 */
typedef struct sd_keys {
    sd_kv *v;
    size_t n, cap, max;
    int unique;
    sd_spill runs;
    const char *dir;  /* where runs go */
    uint64_t limit;   /* the job's memory limit, for merge windows */
    uint64_t spilled; /* bytes written as runs */
} sd_keys;

/* Keys held `max` at a time (SIZE_MAX: all), spilled to `dir` under the
 * job's `limit` (0: never spilled). */
void sd__keys_init(sd_keys *k, const char *dir, uint64_t limit, size_t max, int unique);
void sd__keys_release(sd_keys *k);
/* 0, SD_ENOMEM or SD_EIO after setting *e. */
int sd__keys_add(sd_keys *k, const sd_kv *v, size_t n, sd_err *e);
/* One sorted stream of the keys of nk buffers (repeats included), which
 * stay theirs until the stream is freed. 0, SD_ENOMEM, SD_EIO. */
int sd__keys_open(sd_keys *const *k, size_t nk, sd_merge **m, sd_err *e);

#endif
