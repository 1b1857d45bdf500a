/*
 * buf.c: growable byte buffer with a hard maximum.
 */
#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "syndic.h"

void sd__buf_init(sd_buf *b, size_t max)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max ? max : SD_BUF_DEFAULT_MAX;
}

void sd__buf_release(sd_buf *b)
{
    sd__free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void sd__buf_reset(sd_buf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

int sd__buf_reserve(sd_buf *b, size_t extra)
{
    size_t need, ncap;
    char *np;
    if (extra > b->max || b->len > b->max - extra)
        return SD_ETOOBIG;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    ncap = b->cap ? b->cap : 256;
    while (ncap < need)
        ncap = ncap > ((size_t)-1) / 2 ? need : ncap * 2;
    if (ncap > b->max + 1)
        ncap = b->max + 1;
    np = sd__realloc(b->p, ncap);
    if (np == NULL)
        return SD_ENOMEM;
    b->p = np;
    b->cap = ncap;
    return 0;
}

int sd__buf_append(sd_buf *b, const void *p, size_t n)
{
    int rc = sd__buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int sd__buf_putc(sd_buf *b, char c)
{
    return sd__buf_append(b, &c, 1);
}

int sd__buf_printf(sd_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n, rc;
    char small[256];
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return SD_EINVAL;
    if ((size_t)n < sizeof small)
        return sd__buf_append(b, small, (size_t)n);
    rc = sd__buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}
