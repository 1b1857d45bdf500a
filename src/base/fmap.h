/*
 * fmap.h: unnamed temporary files, and growable arrays kept in them and
 * mapped into memory. Not part of the library's API (include/syndic.h):
 * the library's jobs and the syndic program share these, as zstd's
 * programs share lib/common, to keep what they hold per record under a
 * memory limit. The program links the static library, which has them.
 */
#ifndef SD_BASE_FMAP_H
#define SD_BASE_FMAP_H

#include <stdint.h>

#include "base/err.h"

/*
 * Opens an unnamed temporary file for reading and writing in `dir` (NULL:
 * $TMPDIR, else /tmp): it has no name (or loses it at once where the file
 * system cannot make it nameless), so it vanishes when closed or when the
 * process ends, however it ends. Returns a descriptor, or -1 with errno set
 * (sd__tmpfd also sets e with the reason, naming the directory).
 */
int sd_tmpfd(const char *dir);
int sd__tmpfd(const char *dir, sd_err *e);

/*
 * A growable array of bytes kept in an unnamed temporary file and mapped
 * into memory: what a job or its caller keeps per record under a memory
 * limit. The file holds the contents; the process holds at most about
 * `keep` bytes of it: sd_fmap_touch() counts the bytes a caller touches
 * (a page for a random access; the element's size when walking in order)
 * and, past `keep`, lets go of every page the process holds (a later
 * access maps it back, from the page cache or the disk). An array no larger
 * than `keep` is never let go. Not thread-safe, except sd_fmap_trim(),
 * which any thread may call while others read and write.
 */
typedef struct sd_fmap {
    void *base;       /* the contents; moves when the array grows */
    uint64_t size;    /* bytes usable at base */
    uint64_t keep;    /* resident bytes allowed (0: no bound) */
    uint64_t touched; /* bytes counted since the last let-go */
    int fd;           /* the file, or -1 before the first growth */
    const char *dir;  /* where the file goes (NULL: $TMPDIR, else /tmp) */
} sd_fmap;

void sd_fmap_init(sd_fmap *m, const char *dir, uint64_t keep);
/* Makes at least `size` bytes usable (new bytes are zero), growing by
 * doubling; base may move. Returns 0, or -1 with errno set. */
int sd_fmap_grow(sd_fmap *m, uint64_t size);
void sd_fmap_touch(sd_fmap *m, uint64_t bytes);
/* Lets go of the pages the process holds; the contents stay. */
void sd_fmap_trim(const sd_fmap *m);
void sd_fmap_release(sd_fmap *m);

#endif
