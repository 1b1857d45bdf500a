/*
 * mpi.c: runs under mpirun. The library talks to the other processes
 * through the sd_comm made here, and the commands gather their output to
 * process 0 through mpi_gather_write().
 *
 * The program does not link MPI: resolving Open MPI and its dependencies
 * at start-up cost every plain run tens of milliseconds. Only when a
 * launcher started the process does mpi_start() load syndic-mpi.so (built
 * from mpi/shim.c, the one file that calls MPI) and call MPI through its
 * table. A build without Open MPI has no shim: run plainly, nothing
 * changes; started by mpirun, it says that this syndic cannot take part.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mpi/shim.h"

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
    if (sd_reader_new(NULL, &r, NULL) != 0) {
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

/* ---- MPI, loaded only under a launcher ---- */

static int active;
static sd_comm comm;
static const syndic_mpi *mpi;
static char shim_path[PATH_MAX];

/*
 * Where syndic-mpi.so is: beside the program (the build tree), else where
 * `make install` puts it. 0 with shim_path set, or -1.
 */
static int find_shim(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        char *slash;
        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (slash &&
            snprintf(shim_path, sizeof shim_path, "%.*s/syndic-mpi.so", (int)(slash - exe), exe) <
                (int)sizeof shim_path &&
            access(shim_path, R_OK) == 0)
            return 0;
    }
#ifdef SYNDIC_MPI_DIR
    if (snprintf(shim_path, sizeof shim_path, "%s/syndic-mpi.so", SYNDIC_MPI_DIR) <
            (int)sizeof shim_path &&
        access(shim_path, R_OK) == 0)
        return 0;
#endif
    shim_path[0] = '\0';
    return -1;
}

static int do_alltoallv(void *ud, const void *send, const uint64_t *send_len, void *recv,
                        const uint64_t *recv_len)
{
    (void)ud;
    return mpi->alltoallv(send, send_len, recv, recv_len);
}

static int do_allgather(void *ud, const uint64_t *in, size_t n, uint64_t *all)
{
    (void)ud;
    return mpi->allgather(in, n, all);
}

int mpi_start(int *argc, char ***argv)
{
    void *h;
    const syndic_mpi *(*entry)(void);
    unsigned rank, size;
    if (!launched())
        return 0;
    if (find_shim() != 0) {
        cli_error("this syndic cannot run under mpirun: syndic-mpi.so is not beside it%s "
                  "(build with Open MPI's libopenmpi-dev installed)",
#ifdef SYNDIC_MPI_DIR
                  " nor in " SYNDIC_MPI_DIR
#else
                  ""
#endif
        );
        return -1;
    }
    /* global, so that the plug-ins Open MPI loads in turn find libmpi */
    h = dlopen(shim_path, RTLD_NOW | RTLD_GLOBAL);
    if (h == NULL) {
        cli_error("cannot load %s: %s", shim_path, dlerror());
        return -1;
    }
    *(void **)&entry = dlsym(h, SYNDIC_MPI_SHIM_SYMBOL);
    if (entry == NULL || (mpi = entry()) == NULL || mpi->version != SYNDIC_MPI_SHIM_VERSION) {
        cli_error("%s is not this syndic's MPI shim (rebuild with make)", shim_path);
        mpi = NULL;
        return -1;
    }
    if (mpi->init(argc, argv, &rank, &size) != 0) {
        cli_error("MPI_Init failed");
        return -1;
    }
    active = 1;
    comm.share.index = rank;
    comm.share.count = size;
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
    return find_shim() == 0;
}

unsigned mpi_rank(void)
{
    return active ? comm.share.index : 0;
}

int mpi_worst(int status)
{
    int worst = status;
    if (active)
        mpi->max_int(&worst);
    return worst;
}

uint64_t mpi_sum(uint64_t v)
{
    if (active)
        mpi->sum_u64(&v);
    return v;
}

void mpi_abort(int status)
{
    if (active) {
        fflush(NULL);
        out_remove_temps(); /* MPI_Abort ends the process without exit() */
        mpi->abort(status);
    }
}

int mpi_gather_write(const void *p, size_t n, void (*put)(void *ud, const void *p, size_t n),
                     void *ud)
{
    uint64_t *lens = NULL;
    unsigned np = comm.share.count, q;
    char *piece = NULL;
    if (!active) {
        put(ud, p, n);
        return 0;
    }
    if (comm.share.index != 0) /* the others send their bytes to process 0 */
        return mpi->gather_u64(n, NULL) != 0 ? -1 : mpi->send(p, n, 0);
    lens = malloc((size_t)np * sizeof *lens);
    if (lens == NULL || mpi->gather_u64(n, lens) != 0) {
        free(lens);
        return -1;
    }
    put(ud, p, n);
    for (q = 1; q < np; q++) {
        /* each process's bytes are handed to put() whole */
        char *np_ = realloc(piece, lens[q] ? (size_t)lens[q] : 1);
        if (np_ == NULL || mpi->recv(np_, lens[q], q) != 0) {
            free(np_ ? np_ : piece);
            free(lens);
            return -1;
        }
        piece = np_;
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
        mpi->finalize();
    }
    active = 0;
}
