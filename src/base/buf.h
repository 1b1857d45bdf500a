/*
 * buf.h: a growable byte buffer with a hard maximum (curl's dynbuf). The
 * contents are always followed by a NUL byte that is not counted in len, so
 * a buffer can be handed to functions that want a C string.
 * A buffer is owned by whoever initialized it; not shared between threads.
 */
#ifndef SD_BASE_BUF_H
#define SD_BASE_BUF_H

#include <stddef.h>

typedef struct sd_buf {
    char *p;
    size_t len;
    size_t cap;
    size_t max; /* growth beyond this fails with SD_ETOOBIG */
} sd_buf;

#define SD_BUF_DEFAULT_MAX ((size_t)1 << 30)

void sd__buf_init(sd_buf *b, size_t max);
void sd__buf_release(sd_buf *b);
/* Makes room for `extra` more bytes. Returns 0, SD_ENOMEM or SD_ETOOBIG. */
int sd__buf_reserve(sd_buf *b, size_t extra);
int sd__buf_append(sd_buf *b, const void *p, size_t n);
int sd__buf_putc(sd_buf *b, char c);
int sd__buf_printf(sd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empties the buffer, keeping its memory. */
void sd__buf_reset(sd_buf *b);

#endif
