/*
 * fmap.c: unnamed temporary files, and growable arrays in them, mapped
 * shared, whose resident pages are let go past a bound (see fmap.h).
 *
 * Letting go is madvise(MADV_DONTNEED) on a shared file mapping: the pages
 * leave the process but not the file, so nothing is lost, and a thread
 * reading or writing meanwhile simply maps the page again.
 */
#include "base/fmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "syndic.h"

#define FMAP_MIN ((uint64_t)1 << 20)

int sd__tmpfd(const char *dir, sd_err *e)
{
    char path[4096];
    int fd;
    if (dir == NULL || dir[0] == '\0')
        dir = getenv("TMPDIR");
    if (dir == NULL || dir[0] == '\0')
        dir = "/tmp";
#ifdef O_TMPFILE
    /* never has a name: nothing to remove, whatever stops the process */
    fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
#endif
    /* file systems without O_TMPFILE: a name for as long as unlink takes */
    if ((size_t)snprintf(path, sizeof path, "%s/syndic-spill-XXXXXX", dir) >= sizeof path) {
        sd__errorf(e, SD_EINVAL, "temporary directory name too long: %s", dir);
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        sd__errorf(e, SD_EIO, "cannot create a temporary file in %s: %s", dir, strerror(err));
        errno = err;
        return -1;
    }
    unlink(path);
    return fd;
}

int sd_tmpfd(const char *dir)
{
    sd_err e;
    return sd__tmpfd(dir, &e);
}

void sd_fmap_init(sd_fmap *m, const char *dir, uint64_t keep)
{
    m->base = NULL;
    m->size = 0;
    m->keep = keep;
    m->touched = 0;
    m->fd = -1;
    m->dir = dir;
}

int sd_fmap_grow(sd_fmap *m, uint64_t size)
{
    uint64_t cap = m->size ? m->size : FMAP_MIN;
    void *p;
    int err;
    if (size <= m->size)
        return 0;
    while (cap < size) {
        if (cap > UINT64_MAX / 2 || cap > (uint64_t)SIZE_MAX / 2) {
            errno = ENOMEM;
            return -1;
        }
        cap *= 2;
    }
    if (m->fd < 0 && (m->fd = sd_tmpfd(m->dir)) < 0)
        return -1;
    /* The new part reads as zeros. Its blocks are reserved now, so that a
     * full disk is an error here rather than a SIGBUS at a later store. */
    if ((err = posix_fallocate(m->fd, (off_t)m->size, (off_t)(cap - m->size))) != 0) {
        errno = err;
        return -1;
    }
    p = mmap(NULL, (size_t)cap, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
    if (p == MAP_FAILED)
        return -1;
    /* no pages mapped along with the one touched: a random access holds
     * one page, as sd_fmap_touch() counts it */
    (void)madvise(p, (size_t)cap, MADV_RANDOM);
    if (m->base)
        munmap(m->base, (size_t)m->size);
    m->base = p;
    m->size = cap;
    return 0;
}

void sd_fmap_trim(const sd_fmap *m)
{
    if (m->base)
        (void)madvise(m->base, (size_t)m->size, MADV_DONTNEED);
}

void sd_fmap_touch(sd_fmap *m, uint64_t bytes)
{
    if (m->keep == 0 || m->size <= m->keep)
        return;
    m->touched += bytes;
    if (m->touched >= m->keep) {
        sd_fmap_trim(m);
        m->touched = 0;
    }
}

void sd_fmap_release(sd_fmap *m)
{
    if (m->base)
        munmap(m->base, (size_t)m->size);
    if (m->fd >= 0)
        close(m->fd);
    sd_fmap_init(m, m->dir, m->keep);
}
