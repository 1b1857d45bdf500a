/*
 * shim.c: syndic-mpi.so, the one part of syndic that links Open MPI. The
 * program loads it only under a launcher (cli/mpi.c) and calls MPI through
 * the table of shim.h; see there why. Everything is over MPI_COMM_WORLD.
 */
#include "mpi/shim.h"

#include <stdlib.h>
#include <string.h>

#include <mpi.h>

static int np; /* processes in the job, after init */

/* Bytes a pair of processes moves in one MPI call: counts are ints. */
#define ROUND_BYTES ((uint64_t)256 << 20)
/* The largest piece one send or receive moves. */
#define PIECE (1 << 30)
#define TAG 7

static int init(int *argc, char ***argv, unsigned *rank, unsigned *size)
{
    int r, s;
    if (MPI_Init(argc, argv) != MPI_SUCCESS || MPI_Comm_rank(MPI_COMM_WORLD, &r) != MPI_SUCCESS ||
        MPI_Comm_size(MPI_COMM_WORLD, &s) != MPI_SUCCESS)
        return -1;
    np = s;
    *rank = (unsigned)r;
    *size = (unsigned)s;
    return 0;
}

/*
 * Alltoallv with 64-bit lengths: in rounds of at most ROUND_BYTES per pair,
 * each round's pieces copied into buffers whose offsets fit MPI's ints.
 */
static int alltoallv(const void *send, const uint64_t *send_len, void *recv,
                     const uint64_t *recv_len)
{
    int p, rc = 0;
    uint64_t most = 0, done = 0, *soff, *roff;
    int *sc, *sd, *rc_, *rd;
    char *sb = NULL, *rb = NULL;
    soff = calloc((size_t)np, sizeof *soff);
    roff = calloc((size_t)np, sizeof *roff);
    sc = calloc((size_t)np * 4, sizeof *sc);
    if (!soff || !roff || !sc) {
        rc = -1;
        goto done;
    }
    sd = sc + np;
    rc_ = sd + np;
    rd = rc_ + np;
    for (p = 0; p < np; p++) {
        if (p)
            soff[p] = soff[p - 1] + send_len[p - 1], roff[p] = roff[p - 1] + recv_len[p - 1];
        if (send_len[p] > most)
            most = send_len[p];
        if (recv_len[p] > most)
            most = recv_len[p];
    }
    if (MPI_Allreduce(MPI_IN_PLACE, &most, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD) !=
        MPI_SUCCESS) {
        rc = -1;
        goto done;
    }
    for (done = 0; done < most; done += ROUND_BYTES) {
        size_t st = 0, rt = 0;
        for (p = 0; p < np; p++) {
            uint64_t s = send_len[p] > done ? send_len[p] - done : 0,
                     r = recv_len[p] > done ? recv_len[p] - done : 0;
            sc[p] = (int)(s < ROUND_BYTES ? s : ROUND_BYTES);
            rc_[p] = (int)(r < ROUND_BYTES ? r : ROUND_BYTES);
            sd[p] = (int)st;
            rd[p] = (int)rt;
            st += (size_t)sc[p];
            rt += (size_t)rc_[p];
        }
        {
            char *s2 = realloc(sb, st ? st : 1), *r2;
            if (s2 == NULL) {
                rc = -1;
                goto done;
            }
            sb = s2;
            r2 = realloc(rb, rt ? rt : 1);
            if (r2 == NULL) {
                rc = -1;
                goto done;
            }
            rb = r2;
        }
        for (p = 0; p < np; p++)
            if (sc[p])
                memcpy(sb + sd[p], (const char *)send + soff[p] + done, (size_t)sc[p]);
        if (MPI_Alltoallv(sb, sc, sd, MPI_BYTE, rb, rc_, rd, MPI_BYTE, MPI_COMM_WORLD) !=
            MPI_SUCCESS) {
            rc = -1;
            goto done;
        }
        for (p = 0; p < np; p++)
            if (rc_[p])
                memcpy((char *)recv + roff[p] + done, rb + rd[p], (size_t)rc_[p]);
    }
done:
    free(soff);
    free(roff);
    free(sc);
    free(sb);
    free(rb);
    return rc;
}

static int allgather(const uint64_t *in, size_t n, uint64_t *all)
{
    if (n > INT32_MAX)
        return -1;
    return MPI_Allgather(in, (int)n, MPI_UINT64_T, all, (int)n, MPI_UINT64_T, MPI_COMM_WORLD) !=
                   MPI_SUCCESS
               ? -1
               : 0;
}

static int max_int(int *v)
{
    int in = *v;
    return MPI_Allreduce(&in, v, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD) != MPI_SUCCESS ? -1 : 0;
}

static int sum_u64(uint64_t *v)
{
    uint64_t in = *v;
    return MPI_Allreduce(&in, v, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD) != MPI_SUCCESS ? -1 : 0;
}

static int gather_u64(uint64_t v, uint64_t *all)
{
    return MPI_Gather(&v, 1, MPI_UINT64_T, all, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD) != MPI_SUCCESS
               ? -1
               : 0;
}

static int send(const void *p, uint64_t n, unsigned peer)
{
    const char *c = p;
    while (n) {
        int k = n > PIECE ? PIECE : (int)n;
        if (MPI_Send(c, k, MPI_BYTE, (int)peer, TAG, MPI_COMM_WORLD) != MPI_SUCCESS)
            return -1;
        c += k;
        n -= (uint64_t)k;
    }
    return 0;
}

static int recv(void *p, uint64_t n, unsigned peer)
{
    char *c = p;
    while (n) {
        int k = n > PIECE ? PIECE : (int)n;
        if (MPI_Recv(c, k, MPI_BYTE, (int)peer, TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE) !=
            MPI_SUCCESS)
            return -1;
        c += k;
        n -= (uint64_t)k;
    }
    return 0;
}

static void abort_job(int status)
{
    MPI_Abort(MPI_COMM_WORLD, status);
}

static void finalize(void)
{
    MPI_Finalize();
}

const syndic_mpi *syndic_mpi_shim(void)
{
    static const syndic_mpi table = {
        SYNDIC_MPI_SHIM_VERSION,
        init,
        alltoallv,
        allgather,
        max_int,
        sum_u64,
        gather_u64,
        send,
        recv,
        abort_job,
        finalize,
    };
    return &table;
}
