/*
 * exch.c: boxes of fixed-size messages delivered between processes through
 * the caller's sd_comm (see exch.h).
 */
#include "base/exch.h"

#include <string.h>

#include "base/alloc.h"

static int comm_failed(sd_exch *x)
{
    return sd__errorf(x->err, SD_EIO, "the exchange between processes failed");
}

int sd__exch_init(sd_exch *x, const sd_comm *c, sd_err *err)
{
    memset(x, 0, sizeof *x);
    x->c = c;
    x->err = err;
    x->me = c->share.index;
    x->np = c->share.count ? c->share.count : 1;
    x->out = sd__calloc(x->np, sizeof *x->out);
    x->lens = sd__reallocarray(NULL, (size_t)x->np * x->np + 2 * (size_t)x->np, sizeof *x->lens);
    if (x->out == NULL || x->lens == NULL) {
        sd__exch_release(x);
        return sd__errorf(err, SD_ENOMEM, "out of memory");
    }
    return 0;
}

void sd__exch_release(sd_exch *x)
{
    unsigned p;
    if (x->out)
        for (p = 0; p < x->np; p++)
            sd__free(x->out[p].p);
    sd__free(x->out);
    sd__free(x->lens);
    x->out = NULL;
    x->lens = NULL;
}

unsigned sd__exch_dest(uint64_t h, unsigned np)
{
    return (unsigned)(((h * UINT64_C(0x9E3779B97F4A7C15)) >> 32) % np);
}

int sd__exch_putn(sd_exch *x, unsigned to, const void *e, size_t count)
{
    sd_box *b = &x->out[to];
    if ((b->n + count) * x->size > b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 1024 * x->size;
        unsigned char *p;
        while (cap < (b->n + count) * x->size)
            cap *= 2;
        p = sd__realloc(b->p, cap);
        if (p == NULL)
            return SD_ENOMEM;
        b->p = p;
        b->cap = cap;
    }
    if (count)
        memcpy(b->p + b->n * x->size, e, count * x->size);
    b->n += count;
    return 0;
}

int sd__exch_put(sd_exch *x, unsigned to, const void *e)
{
    return sd__exch_putn(x, to, e, 1);
}

int sd__exch_gather(sd_exch *x, const uint64_t *in, size_t n, uint64_t *out)
{
    if (x->np == 1) {
        if (n)
            memcpy(out, in, n * sizeof *in);
        return 0;
    }
    return x->c->allgather(x->c->ud, in, n, out) ? comm_failed(x) : 0;
}

int sd__exch_run(sd_exch *x, unsigned char **got, size_t *ng, size_t *from)
{
    unsigned p, np = x->np;
    uint64_t *all = x->lens, *send_len = x->lens + (size_t)np * np, *recv_len = send_len + np;
    unsigned char *send = NULL, *recv = NULL;
    size_t total = 0, rtotal = 0, at = 0;
    int rc = 0;
    *got = NULL;
    *ng = 0;
    if (np == 1) {
        /* alone: what was put is what arrives, without a copy */
        sd_box *b = &x->out[0];
        if (from)
            from[0] = b->n;
        *got = b->p ? b->p : sd__malloc(1);
        if (*got == NULL)
            return sd__errorf(x->err, SD_ENOMEM, "out of memory");
        *ng = b->n;
        b->p = NULL;
        b->n = b->cap = 0;
        return 0;
    }
    for (p = 0; p < np; p++) {
        send_len[p] = (uint64_t)x->out[p].n * x->size;
        total += x->out[p].n;
        if (p != x->me)
            x->sent += send_len[p];
    }
    if ((rc = sd__exch_gather(x, send_len, np, all)) != 0)
        return rc;
    for (p = 0; p < np; p++) {
        recv_len[p] = all[(size_t)p * np + x->me];
        rtotal += (size_t)(recv_len[p] / x->size);
        if (from)
            from[p] = (size_t)(recv_len[p] / x->size);
    }
    send = sd__malloc(total ? total * x->size : 1);
    recv = sd__malloc(rtotal ? rtotal * x->size : 1);
    if (send == NULL || recv == NULL) {
        rc = sd__errorf(x->err, SD_ENOMEM, "out of memory for an exchange of %zu keys",
                        total + rtotal);
        goto done;
    }
    /* each box is freed once packed: the keys are held twice only a box at
     * a time */
    for (p = 0; p < np; p++) {
        if (x->out[p].n)
            memcpy(send + at, x->out[p].p, x->out[p].n * x->size);
        at += x->out[p].n * x->size;
        sd__free(x->out[p].p);
        x->out[p].p = NULL;
        x->out[p].n = x->out[p].cap = 0;
    }
    if (x->c->alltoallv(x->c->ud, send, send_len, recv, recv_len)) {
        rc = comm_failed(x);
        goto done;
    }
    *got = recv;
    *ng = rtotal;
    recv = NULL;
done:
    sd__free(send);
    sd__free(recv);
    return rc;
}

int sd__exch_sum(sd_exch *x, uint64_t *v, size_t n)
{
    uint64_t *all = sd__reallocarray(NULL, (size_t)x->np * (n ? n : 1), sizeof *all);
    size_t i;
    unsigned p;
    int rc;
    if (all == NULL)
        return sd__errorf(x->err, SD_ENOMEM, "out of memory");
    if ((rc = sd__exch_gather(x, v, n, all)) != 0) {
        sd__free(all);
        return rc;
    }
    for (i = 0; i < n; i++) {
        v[i] = 0;
        for (p = 0; p < x->np; p++)
            v[i] += all[(size_t)p * n + i];
    }
    sd__free(all);
    return 0;
}

int sd__exch_max(sd_exch *x, uint64_t *v)
{
    uint64_t *all = sd__reallocarray(NULL, x->np, sizeof *all);
    unsigned p;
    int rc;
    if (all == NULL)
        return sd__errorf(x->err, SD_ENOMEM, "out of memory");
    if ((rc = sd__exch_gather(x, v, 1, all)) != 0) {
        sd__free(all);
        return rc;
    }
    for (p = 0; p < x->np; p++)
        if (all[p] > *v)
            *v = all[p];
    sd__free(all);
    return 0;
}
