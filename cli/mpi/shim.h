/*
 * shim.h: what the syndic program asks of MPI, as a table of functions.
 *
 * The program does not link Open MPI: the dynamic loader's work of
 * resolving libmpi and its dependencies took most of a plain run's start-up
 * time. When a launcher (mpirun, srun) started the process, cli/mpi.c
 * loads the small library syndic-mpi.so, built from shim.c and linked
 * against libmpi, and calls MPI through this table; a plain run never
 * loads it. The table holds plain C types only, so this header needs no
 * MPI header. Every call is collective over MPI_COMM_WORLD unless it says
 * otherwise, and returns 0 or -1 (a failed MPI call).
 */
#ifndef SYNDIC_CLI_MPI_SHIM_H
#define SYNDIC_CLI_MPI_SHIM_H

#include <stddef.h>
#include <stdint.h>

/* Bumped whenever the table changes: a program refuses a shim built for
 * another table. */
#define SYNDIC_MPI_SHIM_VERSION 1

/* The name the program looks the table up by, in the loaded shim. */
#define SYNDIC_MPI_SHIM_SYMBOL "syndic_mpi_shim"

typedef struct syndic_mpi {
    int version; /* SYNDIC_MPI_SHIM_VERSION */
    /* MPI_Init, then this process's rank and the number of processes. */
    int (*init)(int *argc, char ***argv, unsigned *rank, unsigned *size);
    /* Each process p gets send_len[p] bytes from send (at their running
     * offset); recv gets recv_len[p] bytes from each p, in process order.
     * Lengths are 64-bit; the shim moves them in rounds MPI's ints can
     * count. */
    int (*alltoallv)(const void *send, const uint64_t *send_len, void *recv,
                     const uint64_t *recv_len);
    /* all[p * n + i] = process p's in[i]. */
    int (*allgather)(const uint64_t *in, size_t n, uint64_t *all);
    /* *v becomes the largest / the sum over the processes. */
    int (*max_int)(int *v);
    int (*sum_u64)(uint64_t *v);
    /* Process 0's all[p] = process p's v (all is ignored elsewhere). */
    int (*gather_u64)(uint64_t v, uint64_t *all);
    /* Point to point, not collective: n bytes to or from process `peer`,
     * in pieces MPI's ints can count. */
    int (*send)(const void *p, uint64_t n, unsigned peer);
    int (*recv)(void *p, uint64_t n, unsigned peer);
    /* Ends every process of the job with `status`; does not return. */
    void (*abort)(int status);
    void (*finalize)(void);
} syndic_mpi;

/* The shim's one entry point, looked up by SYNDIC_MPI_SHIM_SYMBOL. */
const syndic_mpi *syndic_mpi_shim(void);

#endif
