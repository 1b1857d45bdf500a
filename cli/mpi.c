/*
 * mpi.c: runs under mpirun. The only file of syndic that calls MPI: the
 * library talks to the other processes through the sd_comm made here, and
 * the commands gather their output to process 0 through mpi_gather_write().
 *
 * A build without MPI (no libopenmpi-dev) compiles the same functions
 * without it: run plainly they do nothing; started by mpirun they say that
 * this syndic cannot take part.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#ifdef SYNDIC_MPI
#include <mpi.h>
#endif

/* Whether a launcher (mpirun, srun) started this process. */
static int launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_SIZE");
}

/*
 * Sends each process p the len[p] bytes of buf[p] and returns what arrived
 * (*got, from process 0 first; glen[p] bytes from p), through the job's
 * transport. 0 or -1 after printing why.
 */
int comm_swap(const sd_comm *c, char **buf, const size_t *len, char **got, uint64_t *glen)
{
    unsigned np = c->share.count, p;
    uint64_t *all = malloc((size_t)np * np * sizeof *all), *sl = calloc(np, sizeof *sl);
    size_t total = 0, rtotal = 0, at = 0;
    char *send = NULL;
    int rc = -1;
    *got = NULL;
    if (all == NULL || sl == NULL)
        goto done;
    for (p = 0; p < np; p++) {
        sl[p] = len[p];
        total += len[p];
    }
    if (c->allgather(c->ud, sl, np, all))
        goto fail;
    for (p = 0; p < np; p++) {
        glen[p] = all[(size_t)p * np + c->share.index];
        rtotal += glen[p];
    }
    send = malloc(total ? total : 1);
    *got = malloc(rtotal ? rtotal : 1);
    if (send == NULL || *got == NULL)
        goto done;
    for (p = 0; p < np; p++) {
        if (len[p])
            memcpy(send + at, buf[p], len[p]);
        at += len[p];
    }
    if (c->alltoallv(c->ud, send, sl, *got, glen))
        goto fail;
    rc = 0;
    goto out;
fail:
    cli_error("the exchange between processes failed");
    goto out;
done:
    cli_error("out of memory");
out:
    free(all);
    free(sl);
    free(send);
    return rc;
}

int share_mode_ok(const char *mode)
{
    if (strcmp(mode, "records") == 0 || strcmp(mode, "files") == 0 || strcmp(mode, "auto") == 0)
        return 1;
    cli_error("--share takes records, files or auto, not '%s'", mode);
    return 0;
}

int share_choose(sd_comm *c, const char *mode, char **inputs, int n)
{
    size_t files = 0;
    sd_reader *r = NULL;
    int i;
    for (i = 0; i < n; i++)
        if (strcmp(inputs[i], "-") == 0) {
            if (c->share.index == 0)
                cli_error("under mpirun, inputs are read by every process: name files, not - "
                          "(standard input reaches process 0 only)");
            return -1;
        }
    if (strcmp(mode, "records") == 0) {
        c->share.files = 0;
        return 0;
    }
    if (strcmp(mode, "files") == 0) {
        c->share.files = 1;
        return 0;
    }
    /* auto ("auto"): whole files when there are at least 4 per process */
    if (sd_reader_new(NULL, &r) != 0) {
        cli_error("out of memory");
        return -1;
    }
    for (i = 0; i < n; i++)
        if (sd_reader_add(r, inputs[i]) != 0) {
            sd_reader_free(r);
            cli_error("out of memory");
            return -1;
        }
    if (sd_reader_count_files(r, &files) != 0) {
        sd_reader_free(r);
        cli_error("out of memory");
        return -1;
    }
    sd_reader_free(r);
    c->share.files = files >= 4 * (size_t)c->share.count;
    return 0;
}

/* Whether v is the same on every process (collective); if not, process 0
 * says so, with the spread of `what`. 1, 0, or -1 when the transport
 * failed. */
static int same_everywhere(const sd_comm *c, uint64_t v, const char *what)
{
    uint64_t *all = malloc((c->share.count ? c->share.count : 1) * sizeof *all), lo, hi;
    unsigned p;
    if (all == NULL || c->allgather(c->ud, &v, 1, all)) {
        free(all);
        cli_error("the exchange between processes failed");
        return -1;
    }
    lo = hi = all[0];
    for (p = 1; p < c->share.count; p++) {
        if (all[p] < lo)
            lo = all[p];
        if (all[p] > hi)
            hi = all[p];
    }
    free(all);
    if (lo != hi && c->share.index == 0)
        cli_error("the processes saw different inputs (%llu to %llu %s): every node must see "
                  "the same files at the same paths",
                  (unsigned long long)lo, (unsigned long long)hi, what);
    return lo == hi;
}

int share_files_read(sd_comm *c, const sd_reader *r, uint64_t mine)
{
    const uint64_t *counts;
    size_t n;
    int rc;
    if (!c->share.files) {
        /* every process counted every record: the same inputs, or the
         * records would not meet */
        uint64_t total = sd_reader_records(r), want;
        if (same_everywhere(c, total, "records") != 1)
            return -1;
        want = sd_share_count(&c->share, total);
        if (want != mine) {
            cli_error("process %u read %llu of its %llu records", c->share.index,
                      (unsigned long long)mine, (unsigned long long)want);
            return -1;
        }
        return 0;
    }
    sd_reader_file_counts(r, &counts, &n);
    if (same_everywhere(c, n, "input files") != 1)
        return -1;
    rc = sd_share_files(c, counts, n);
    if (rc)
        cli_error("cannot share out the records: %s", sd_strerror(rc));
    return rc ? -1 : 0;
}

#ifdef SYNDIC_MPI

static int active;
static sd_comm comm;

/* Bytes a pair of processes moves in one MPI call: counts are ints. */
#define ROUND_BYTES ((uint64_t)256 << 20)

/*
 * sd_comm.alltoallv with 64-bit lengths: in rounds of at most ROUND_BYTES
 * per pair, each round's pieces copied into buffers whose offsets fit MPI's
 * ints.
 */
static int do_alltoallv(void *ud, const void *send, const uint64_t *send_len, void *recv,
                        const uint64_t *recv_len)
{
    int np = (int)comm.share.count, p, rc = 0;
    uint64_t most = 0, done = 0, *soff, *roff;
    int *sc, *sd, *rc_, *rd;
    char *sb = NULL, *rb = NULL;
    (void)ud;
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

static int do_allgather(void *ud, const uint64_t *in, size_t n, uint64_t *all)
{
    (void)ud;
    if (n > INT32_MAX)
        return -1;
    return MPI_Allgather(in, (int)n, MPI_UINT64_T, all, (int)n, MPI_UINT64_T, MPI_COMM_WORLD) !=
           MPI_SUCCESS;
}

int mpi_start(int *argc, char ***argv)
{
    int rank, size;
    if (!launched())
        return 0;
    if (MPI_Init(argc, argv) != MPI_SUCCESS) {
        cli_error("MPI_Init failed");
        return -1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    active = 1;
    comm.share.index = (unsigned)rank;
    comm.share.count = (unsigned)size;
    comm.share.block = MPI_SHARE_BLOCK;
    {
        /* SYNDIC_SHARE_BLOCK: records per block (tests use small blocks) */
        const char *b = getenv("SYNDIC_SHARE_BLOCK");
        long v = b ? strtol(b, NULL, 10) : 0;
        if (v > 0 && v <= 1 << 24)
            comm.share.block = (uint32_t)v;
    }
    comm.alltoallv = do_alltoallv;
    comm.allgather = do_allgather;
    return 0;
}

sd_comm *mpi_comm(void)
{
    return active ? &comm : NULL;
}

int mpi_built(void)
{
    return 1;
}

unsigned mpi_rank(void)
{
    return active ? comm.share.index : 0;
}

int mpi_worst(int status)
{
    int worst = status;
    if (active)
        MPI_Allreduce(&status, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return worst;
}

uint64_t mpi_sum(uint64_t v)
{
    uint64_t s = v;
    if (active)
        MPI_Allreduce(&v, &s, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    return s;
}

void mpi_abort(int status)
{
    if (active) {
        fflush(NULL);
        out_remove_temps(); /* MPI_Abort ends the process without exit() */
        MPI_Abort(MPI_COMM_WORLD, status);
    }
}

int mpi_gather_write(const void *p, size_t n, void (*put)(void *ud, const void *p, size_t n),
                     void *ud)
{
    uint64_t len = n, *lens = NULL;
    int np = (int)comm.share.count, q;
    char *piece = NULL;
    if (!active) {
        put(ud, p, n);
        return 0;
    }
    if (comm.share.index == 0) {
        lens = malloc((size_t)np * sizeof *lens);
        if (lens == NULL)
            return -1;
    }
    if (MPI_Gather(&len, 1, MPI_UINT64_T, lens, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD) !=
        MPI_SUCCESS) {
        free(lens);
        return -1;
    }
    if (comm.share.index != 0) {
        /* sent in pieces that fit an int */
        const char *c = p;
        while (len) {
            int k = len > (1u << 30) ? 1 << 30 : (int)len;
            if (MPI_Send(c, k, MPI_BYTE, 0, 7, MPI_COMM_WORLD) != MPI_SUCCESS)
                return -1;
            c += k;
            len -= (uint64_t)k;
        }
        return 0;
    }
    put(ud, p, n);
    for (q = 1; q < np; q++) {
        /* each process's bytes are handed to put() whole */
        uint64_t at = 0;
        char *np_ = realloc(piece, lens[q] ? (size_t)lens[q] : 1);
        if (np_ == NULL) {
            free(piece);
            free(lens);
            return -1;
        }
        piece = np_;
        while (at < lens[q]) {
            int k = lens[q] - at > (1u << 30) ? 1 << 30 : (int)(lens[q] - at);
            if (MPI_Recv(piece + at, k, MPI_BYTE, q, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE) !=
                MPI_SUCCESS) {
                free(piece);
                free(lens);
                return -1;
            }
            at += (uint64_t)k;
        }
        if (lens[q])
            put(ud, piece, (size_t)lens[q]);
    }
    free(piece);
    free(lens);
    return 0;
}

void mpi_stop(void)
{
    if (active) {
        sd_share_release(&comm.share);
        MPI_Finalize();
    }
    active = 0;
}

#else /* no MPI */

int mpi_start(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (launched()) {
        cli_error("this syndic was built without MPI; install libopenmpi-dev and rebuild "
                  "to run it under mpirun");
        return -1;
    }
    return 0;
}

sd_comm *mpi_comm(void)
{
    return NULL;
}

int mpi_built(void)
{
    return 0;
}

unsigned mpi_rank(void)
{
    return 0;
}

int mpi_worst(int status)
{
    return status;
}

uint64_t mpi_sum(uint64_t v)
{
    return v;
}

void mpi_abort(int status)
{
    (void)status;
}

int mpi_gather_write(const void *p, size_t n, void (*put)(void *ud, const void *p, size_t n),
                     void *ud)
{
    put(ud, p, n);
    return 0;
}

void mpi_stop(void) {}

#endif
