/*
 * main.c: the syndic program's entry point: picks the command and hands it
 * the rest of the arguments.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"dedup", cmd_dedup, "find exact and near-duplicate documents"},
    {"trace", cmd_trace, "find shared passages and the stories they form"},
    {"align", cmd_align, "show the passages two documents share"},
    {"extract", cmd_extract, "the article text of web pages (HTML, WARC)"},
    {"report", cmd_report, "the story report: a web page from a saved trace"},
    /* CLI_COMMANDS: further commands are listed here */
};

static void usage(FILE *f)
{
    size_t i;
    fprintf(f, "usage: syndic <command> [options] INPUT...\n\ncommands:\n");
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'syndic <command> --help' describes a command's options.\n"
               "exit codes: 0 ok, 1 run error (including records that failed), 2 usage error\n");
}

int main(int argc, char **argv)
{
    size_t i;
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("syndic %s%s\n", sd_version(), mpi_built() ? " (with MPI)" : "");
        return EXIT_OK;
    }
    if (mpi_start(&argc, &argv) != 0)
        return EXIT_RUN;
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) {
            int status;
            if (mpi_comm() && strcmp(argv[1], "dedup") != 0 && strcmp(argv[1], "trace") != 0) {
                if (mpi_rank() == 0)
                    cli_error("'syndic %s' runs in one process; under mpirun, run dedup or trace",
                              argv[1]);
                mpi_stop();
                return EXIT_USAGE;
            }
            status = commands[i].run(argc - 1, argv + 1);
            /* under mpirun every process exits with the worst status */
            status = mpi_worst(status);
            mpi_stop();
            return status;
        }
    mpi_stop();
    cli_error("'%s' is not a syndic command; see 'syndic --help'", argv[1]);
    return EXIT_USAGE;
}

int parse_double(const char *opt, const char *s, double lo, double hi, double *res)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !(v >= lo && v <= hi)) {
        cli_error("%s wants a number from %g to %g, not '%s'", opt, lo, hi, s);
        return -1;
    }
    *res = v;
    return 0;
}

int parse_unsigned(const char *opt, const char *s, unsigned lo, unsigned hi, unsigned *res)
{
    char *end;
    unsigned long v;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || end == s || *end != '\0' || *s == '-' || v < lo || v > hi) {
        cli_error("%s wants a whole number from %u to %u, not '%s'", opt, lo, hi, s);
        return -1;
    }
    *res = (unsigned)v;
    return 0;
}

int parse_size(const char *opt, const char *s, uint64_t lo, uint64_t *res)
{
    char *end;
    unsigned long long v;
    uint64_t mul = 1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (!errno && end != s && *s != '-') {
        const char *unit = *end ? strchr("KMGT", toupper((unsigned char)*end)) : NULL;
        if (unit) {
            mul = 1ull << (10 * (unit - "KMGT" + 1));
            end++;
        }
        if (mul > 1 && *end == 'i')
            end++;
        if (*end == 'b' || *end == 'B')
            end++;
        if (*end == '\0' && v <= UINT64_MAX / mul && v * mul >= lo) {
            *res = v * mul;
            return 0;
        }
    }
    cli_error("%s wants a size of at least %llu bytes, such as 512M or 4G, not '%s'", opt,
              (unsigned long long)lo, s);
    return -1;
}

double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int progress_default(void)
{
    return isatty(STDERR_FILENO);
}

void progress_init(progress *p, int on)
{
    memset(p, 0, sizeof *p);
    p->on = on;
    p->start = now_seconds();
}

int progress_cb(void *ud, const char *stage, uint64_t done, uint64_t total)
{
    progress *p = ud;
    double t;
    if (!p->on)
        return 0;
    t = now_seconds();
    if (t - p->last < 0.1 && done != total)
        return 0;
    p->last = t;
    if (total)
        fprintf(stderr, "\r\033[Ksyndic: %s %llu/%llu (%.0f%%) %.1fs", stage,
                (unsigned long long)done, (unsigned long long)total,
                100.0 * (double)done / (double)total, t - p->start);
    else
        fprintf(stderr, "\r\033[Ksyndic: %s %llu %.1fs", stage, (unsigned long long)done,
                t - p->start);
    return 0;
}

void progress_done(progress *p)
{
    if (p->on)
        fputs("\r\033[K", stderr);
}

void fmt_bytes(char *buf, size_t n, uint64_t bytes)
{
    if (bytes < 1000)
        snprintf(buf, n, "%llu bytes", (unsigned long long)bytes);
    else if (bytes < 1000000)
        snprintf(buf, n, "%.1f kB", (double)bytes / 1e3);
    else if (bytes < 1000000000)
        snprintf(buf, n, "%.1f MB", (double)bytes / 1e6);
    else
        snprintf(buf, n, "%.2f GB", (double)bytes / 1e9);
}

int grow_array(void **p, sd_fmap *m, int mapped, uint64_t bytes)
{
    void *q;
    if (mapped) {
        if (sd_fmap_grow(m, bytes) != 0)
            return -1;
        *p = m->base;
        return 0;
    }
    if (bytes > SIZE_MAX || (q = realloc(*p, (size_t)bytes)) == NULL) {
        errno = ENOMEM;
        return -1;
    }
    *p = q;
    return 0;
}
