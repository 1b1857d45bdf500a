/*
 * main.c: the syndic program's entry point: picks the command and hands it
 * the rest of the arguments.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
    {"index", cmd_index, "a persistent index: add pages as they come, stories kept up"},
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
    out_signals();
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
    {
        const char *names[sizeof commands / sizeof commands[0]];
        const char *near;
        for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
            names[i] = commands[i].name;
        near = cli_nearest(argv[1], names, i);
        if (near)
            cli_error("'%s' is not a syndic command; did you mean '%s'?", argv[1], near);
        else
            cli_error("'%s' is not a syndic command; see 'syndic --help'", argv[1]);
    }
    return EXIT_USAGE;
}

void cli_see_help(const char *cmd)
{
    cli_error("see 'syndic %s --help' for the options", cmd);
}

/* Edits (insertions, deletions, substitutions, swaps of two neighbours)
 * that turn a into b: the optimal string alignment distance. */
static size_t edits(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b), i, j, d;
    size_t *base, *row0, *row1, *row2;
    if (n > 64 || m > 64)
        return (size_t)-1;
    base = row0 = calloc(3 * (m + 1), sizeof *row0);
    if (base == NULL)
        return (size_t)-1;
    row1 = row0 + m + 1; /* the previous row */
    row2 = row1 + m + 1; /* the current one; row0 the one before the previous */
    for (j = 0; j <= m; j++)
        row1[j] = j;
    for (i = 1; i <= n; i++) {
        size_t *t;
        row2[0] = i;
        for (j = 1; j <= m; j++) {
            size_t sub = row1[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = row1[j] + 1, ins = row2[j - 1] + 1;
            d = sub < del ? sub : del;
            d = d < ins ? d : ins;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                row0[j - 2] + 1 < d)
                d = row0[j - 2] + 1;
            row2[j] = d;
        }
        t = row0;
        row0 = row1;
        row1 = row2;
        row2 = t;
    }
    d = row1[m];
    free(base);
    return d;
}

const char *cli_nearest(const char *word, const char *const *cands, size_t n)
{
    size_t i, best = (size_t)-1, len = strlen(word), most;
    const char *pick = NULL;
    /* as git does: close enough to be a slip of the fingers (a third of
     * the word's letters at most, and at least one) */
    most = len / 3 > 1 ? len / 3 : 1;
    if (most > 3)
        most = 3;
    for (i = 0; i < n; i++) {
        size_t d = edits(word, cands[i]);
        if (d < best) {
            best = d;
            pick = cands[i];
        }
    }
    return best <= most ? pick : NULL;
}

int cli_bad_option(const char *cmd, const struct option *opts, int c, char **argv)
{
    const char *arg = argv[optind - 1];
    if (c == ':') {
        cli_error("%s: option '%s' needs a value; see 'syndic %s --help'", cmd, arg, cmd);
        return EXIT_USAGE;
    }
    if (strncmp(arg, "--", 2) != 0) {
        cli_error("%s: unknown option '-%c'; see 'syndic %s --help'", cmd, optopt, cmd);
        return EXIT_USAGE;
    }
    {
        const char *names[64];
        char word[80];
        const char *eq = strchr(arg, '=');
        size_t n = 0, len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        const char *near;
        while (n < 64 && opts[n].name) {
            names[n] = opts[n].name;
            n++;
        }
        snprintf(word, sizeof word, "%.*s", (int)(len < 79 ? len : 79), arg + 2);
        near = cli_nearest(word, names, n);
        for (n = 0; opts[n].name; n++) {
            if (strcmp(opts[n].name, word) == 0 && eq) {
                cli_error("%s: option '--%s' takes no value", cmd, word);
                return EXIT_USAGE;
            }
            /* getopt takes a prefix of one option: of two or more, it is
             * ambiguous, not unknown */
            if (len && strncmp(opts[n].name, word, strlen(word)) == 0) {
                cli_error("%s: option '%s' is ambiguous (--%s, ...); see 'syndic %s --help'", cmd,
                          arg, opts[n].name, cmd);
                return EXIT_USAGE;
            }
        }
        if (near) {
            cli_error("%s: unknown option '%s'; did you mean '--%s'?", cmd, arg, near);
            return EXIT_USAGE;
        }
    }
    cli_error("%s: unknown option '%s'; see 'syndic %s --help'", cmd, arg, cmd);
    return EXIT_USAGE;
}

int parse_double(const char *opt, const char *s, double lo, double hi, double *res)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !(v >= lo && v <= hi)) {
        if (isinf(lo) && isinf(hi))
            cli_error("%s wants a number, not '%s'", opt, s);
        else
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
    uint64_t v;
    if (sd_parse_size(s, &v) == 0 && v >= lo) {
        *res = v;
        return 0;
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

/* Seconds between plain progress lines (stderr not a terminal). */
#define PLAIN_EVERY 5.0

void progress_init(progress *p, int on)
{
    memset(p, 0, sizeof *p);
    p->on = on;
    p->tty = isatty(STDERR_FILENO);
    p->start = p->stage_start = now_seconds();
}

/* Bytes of the files under directory `dir` the reader would read (not
 * hidden ones), added to *sum; depth-limited against link loops. */
static void dir_bytes(const char *dir, int depth, uint64_t *sum)
{
    DIR *d;
    struct dirent *e;
    if (depth > 64 || (d = opendir(dir)) == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[PATH_MAX];
        struct stat st;
        if (e->d_name[0] == '.' ||
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path ||
            stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (lstat(path, &st) == 0 && !S_ISLNK(st.st_mode))
                dir_bytes(path, depth + 1, sum);
        } else if (S_ISREG(st.st_mode)) {
            *sum += (uint64_t)st.st_size;
        }
    }
    closedir(d);
}

void progress_total(progress *p, char *const *inputs, int n)
{
    int i;
    uint64_t sum = 0;
    if (!p->on)
        return;
    for (i = 0; i < n; i++) {
        struct stat st;
        if (strcmp(inputs[i], "-") == 0 ? fstat(STDIN_FILENO, &st) != 0 : stat(inputs[i], &st) != 0)
            return; /* unknown: no total, no ETA */
        if (S_ISDIR(st.st_mode))
            dir_bytes(inputs[i], 0, &sum);
        else if (S_ISREG(st.st_mode))
            sum += (uint64_t)st.st_size;
        else
            return; /* a pipe: its size is not known */
    }
    p->bytes_total = sum;
}

/* "1,204,331"-style counts are long; "1.2M" reads at a glance. */
static void fmt_count(char *buf, size_t n, double v)
{
    if (v < 1e4)
        snprintf(buf, n, "%.0f", v);
    else if (v < 1e6)
        snprintf(buf, n, "%.0fk", v / 1e3);
    else if (v < 1e9)
        snprintf(buf, n, "%.1fM", v / 1e6);
    else
        snprintf(buf, n, "%.2fG", v / 1e9);
}

static void fmt_duration(char *buf, size_t n, double s)
{
    unsigned long t = s > 0 && s < 1e8 ? (unsigned long)(s + 0.5) : 0;
    if (t >= 3600)
        snprintf(buf, n, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, n, "%lu:%02lu", t / 60, t % 60);
}

/* Writes the line: redrawn in place on a terminal, else a plain line every
 * PLAIN_EVERY seconds. `last` forces it out (a stage's end). */
static void progress_show(progress *p, const char *line, double t)
{
    if (p->tty) {
        if (t - p->last < 0.1)
            return;
        fprintf(stderr, "\r\033[K%s", line);
        p->drawn = 1;
    } else {
        if (p->last && t - p->last < PLAIN_EVERY)
            return;
        fprintf(stderr, "%s\n", line);
    }
    p->last = t;
}

void progress_read(progress *p, uint64_t bytes, uint64_t records)
{
    char line[256], b[32], tot[32], rec[32], rr[32], eta[32];
    double t, dt, mbs, rps;
    int k;
    if (!p->on)
        return;
    t = now_seconds();
    if (p->tty ? t - p->last < 0.1 : p->last && t - p->last < PLAIN_EVERY)
        return;
    dt = t - p->start;
    mbs = dt > 0 ? (double)bytes / 1e6 / dt : 0;
    rps = dt > 0 ? (double)records / dt : 0;
    fmt_bytes(b, sizeof b, bytes);
    fmt_count(rec, sizeof rec, (double)records);
    fmt_count(rr, sizeof rr, rps);
    if (p->bytes_total && bytes <= p->bytes_total) {
        fmt_bytes(tot, sizeof tot, p->bytes_total);
        if (bytes && dt > 0.5)
            fmt_duration(eta, sizeof eta, (double)(p->bytes_total - bytes) / ((double)bytes / dt));
        else
            snprintf(eta, sizeof eta, "?");
        k = snprintf(line, sizeof line,
                     "syndic: read %s of %s (%.0f%%), %s records; %.1f MB/s, %s records/s; "
                     "ETA %s",
                     b, tot, 100.0 * (double)bytes / (double)p->bytes_total, rec, mbs, rr, eta);
    } else {
        char el[32];
        fmt_duration(el, sizeof el, dt);
        k = snprintf(line, sizeof line, "syndic: read %s, %s records; %.1f MB/s, %s records/s; %s",
                     b, rec, mbs, rr, el);
    }
    (void)k;
    progress_show(p, line, t);
}

int progress_cb(void *ud, const char *stage, uint64_t done, uint64_t total)
{
    progress *p = ud;
    char line[256], d[32], tt[32], el[32];
    double t;
    if (!p->on)
        return 0;
    t = now_seconds();
    if (p->stage == NULL || strcmp(p->stage, stage) != 0) {
        /* a new stage: its rate and ETA count from here, and it is shown */
        p->stage = stage;
        p->stage_start = t;
        p->last = 0;
    }
    fmt_count(d, sizeof d, (double)done);
    fmt_duration(el, sizeof el, t - p->start);
    if (total && done <= total) {
        double ds = t - p->stage_start;
        char eta[32] = "?";
        fmt_count(tt, sizeof tt, (double)total);
        if (done && ds > 0.5)
            fmt_duration(eta, sizeof eta, (double)(total - done) * ds / (double)done);
        snprintf(line, sizeof line, "syndic: %s %s of %s (%.0f%%); ETA %s; %s so far", stage, d, tt,
                 100.0 * (double)done / (double)total, eta, el);
    } else {
        snprintf(line, sizeof line, "syndic: %s %s; %s so far", stage, d, el);
    }
    progress_show(p, line, t);
    return 0;
}

void progress_done(progress *p)
{
    if (p->on && p->tty && p->drawn)
        fputs("\r\033[K", stderr);
    p->drawn = 0;
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
