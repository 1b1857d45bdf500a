/*
 * align.c: `syndic align A B`, the passages two documents share, printed for
 * a person at a terminal: each passage's text as in A, with what B has
 * instead marked inline, wdiff style ([-only in A-]{+only in B+}), in colour
 * when standard output is a terminal.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

typedef struct doc_text {
    char *text;
    size_t len;
    char *id;
} doc_text;

static void usage(FILE *f)
{
    fprintf(f, "usage: syndic align [options] DOC_A DOC_B\n"
               "\n"
               "Prints the passages DOC_A and DOC_B share, each as DOC_A has it, with the\n"
               "words that differ marked: [-only in A-]{+only in B+}.\n"
               "A document is the first record of its input (a text or HTML file, a JSONL file).\n"
               "\n"
               "  -m, --min-passage N     fewest tokens (words) a shared passage has (default 30)\n"
               "      --min-identity X    lowest share of equal words in a passage (default 0.5)\n"
               "      --exact             no folding of British spellings and honorifics\n"
               "      --color, --no-color colour the differences (default: on a terminal)\n"
               "  -h, --help              this help\n"
               "\n"
               "Exit: 0 passages found, 1 none or a run error, 2 usage error.\n");
}

/* Reads the first record of `path` into *d. Returns 0 or -1 after saying why. */
static int read_first(const char *path, doc_text *d)
{
    sd_reader *r = NULL;
    sd_record rec;
    int rc, ok = -1;
    memset(d, 0, sizeof *d);
    if (sd_reader_new(NULL, &r) != 0 || sd_reader_add(r, path) != 0) {
        cli_error("out of memory");
        goto done;
    }
    rc = sd_reader_next(r, &rec);
    if (rc < 0) {
        cli_error("cannot read '%s': %s", path, sd_reader_errmsg(r));
        goto done;
    }
    if (rc == 0) {
        cli_error("cannot read '%s': no document in it", path);
        goto done;
    }
    if (rec.error || !rec.text) {
        cli_error("cannot read '%s': %s", path,
                  rec.errmsg  ? rec.errmsg
                  : rec.error ? sd_strerror(rec.error)
                              : "no text");
        goto done;
    }
    d->text = malloc(rec.text_len + 1);
    d->id = strdup(path);
    if (!d->text || !d->id) {
        cli_error("out of memory");
        goto done;
    }
    memcpy(d->text, rec.text, rec.text_len);
    d->text[rec.text_len] = 0;
    d->len = rec.text_len;
    ok = 0;
done:
    sd_reader_free(r);
    return ok;
}

/* Prints p[0..n) with runs of white space (line breaks included) shown as
 * one space, so a passage reads as a paragraph. */
static void put_flat(const char *p, size_t n)
{
    size_t i;
    int space = 0;
    for (i = 0; i < n; i++) {
        char c = p[i];
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            space = 1;
            continue;
        }
        if (space)
            putchar(' ');
        space = 0;
        putchar(c);
    }
    if (space)
        putchar(' ');
}

static void print_passage(const doc_text *a, const doc_text *b, const sd_passage *p, size_t no,
                          int color)
{
    const char *del0 = color ? "\033[31m[-" : "[-", *del1 = color ? "-]\033[0m" : "-]";
    const char *ins0 = color ? "\033[32m{+" : "{+", *ins1 = color ? "+}\033[0m" : "+}";
    uint64_t at = p->a.start;
    size_t i;
    printf("%s== passage %zu: A bytes %llu-%llu (%llu words), B bytes %llu-%llu (%llu words), "
           "%.1f%% identical%s\n",
           color ? "\033[1m" : "", no, (unsigned long long)p->a.start, (unsigned long long)p->a.end,
           (unsigned long long)p->tokens_a, (unsigned long long)p->b.start,
           (unsigned long long)p->b.end, (unsigned long long)p->tokens_b, 100.0 * p->identity,
           color ? "\033[0m" : "");
    for (i = 0; i < p->n_changes; i++) {
        const sd_change *c = &p->changes[i];
        if (c->a.start > at)
            put_flat(a->text + at, (size_t)(c->a.start - at));
        if (c->a.end > c->a.start) {
            fputs(del0, stdout);
            put_flat(a->text + c->a.start, (size_t)(c->a.end - c->a.start));
            fputs(del1, stdout);
        }
        if (c->b.end > c->b.start) {
            fputs(ins0, stdout);
            put_flat(b->text + c->b.start, (size_t)(c->b.end - c->b.start));
            fputs(ins1, stdout);
        }
        if (c->a.end > at)
            at = c->a.end;
    }
    if (p->a.end > at)
        put_flat(a->text + at, (size_t)(p->a.end - at));
    fputs("\n\n", stdout);
}

enum { OPT_MIN_ID = 256, OPT_EXACT, OPT_COLOR, OPT_NO_COLOR };

static const struct option long_opts[] = {
    {"min-passage", required_argument, NULL, 'm'},
    {"min-identity", required_argument, NULL, OPT_MIN_ID},
    {"exact", no_argument, NULL, OPT_EXACT},
    {"color", no_argument, NULL, OPT_COLOR},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int cmd_align(int argc, char **argv)
{
    sd_trace_options opt;
    doc_text a, b;
    sd_passage *p = NULL;
    size_t n = 0, i;
    uint64_t cov_a = 0, cov_b = 0;
    int c, rc, status = EXIT_RUN, color = isatty(STDOUT_FILENO);

    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    sd_trace_options_init(&opt);
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            if (parse_unsigned("--min-passage", optarg, 4, 100000, &opt.min_passage))
                return EXIT_USAGE;
            break;
        case OPT_MIN_ID:
            if (parse_double("--min-identity", optarg, 0.0, 1.0, &opt.min_identity))
                return EXIT_USAGE;
            break;
        case OPT_EXACT: opt.exact = 1; break;
        case OPT_COLOR: color = 1; break;
        case OPT_NO_COLOR: color = 0; break;
        case 'h': usage(stdout); return EXIT_OK;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        cli_error("align: give exactly two documents");
        usage(stderr);
        return EXIT_USAGE;
    }
    if (read_first(argv[optind], &a) != 0 || read_first(argv[optind + 1], &b) != 0)
        goto done;
    rc = sd_align_pair(a.text, a.len, b.text, b.len, &opt, &p, &n);
    if (rc != 0) {
        cli_error("cannot align: %s", sd_strerror(rc));
        goto done;
    }
    for (i = 0; i < n; i++) {
        cov_a += p[i].a.end - p[i].a.start;
        cov_b += p[i].b.end - p[i].b.start;
    }
    printf("A: %s (%zu bytes)\nB: %s (%zu bytes)\n%zu shared passage%s", a.id, a.len, b.id, b.len,
           n, n == 1 ? "" : "s");
    if (n)
        printf(", about %.0f%% of A and %.0f%% of B",
               a.len ? 100.0 * (double)cov_a / (double)a.len : 0.0,
               b.len ? 100.0 * (double)cov_b / (double)b.len : 0.0);
    fputs("\n\n", stdout);
    for (i = 0; i < n; i++)
        print_passage(&a, &b, &p[i], i + 1, color);
    status = n ? EXIT_OK : EXIT_RUN;
done:
    sd_passages_free(p, n);
    free(a.text);
    free(a.id);
    free(b.text);
    free(b.id);
    return status;
}
