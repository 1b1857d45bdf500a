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
    fprintf(f,
            "usage: syndic align [options] DOC_A DOC_B\n"
            "\n"
            "Prints the passages DOC_A and DOC_B share, each as DOC_A has it, with the\n"
            "words that differ marked: [-only in A-]{+only in B+}.\n"
            "A document is the first record of its input, read as syndic trace reads it:\n"
            "a text file, an HTML page (its article text; see syndic extract), JSONL, a\n"
            "web crawl (.warc, .warc.gz), or - for standard input.\n"
            "\n"
            "  -o, --output FILE       write to FILE (default: standard output)\n"
            "  -m, --min-passage N     fewest tokens (words) a shared passage has (default 30)\n"
            "      --min-identity X    lowest share of equal words in a passage (default 0.5)\n"
            "      --exact             no folding of British spellings and honorifics\n"
            "      --all-text          every word may start a passage, a site's menus,\n"
            "                          lists and footers too (default: article prose only)\n"
            "      --format F          read both as F: jsonl, json, text, html, warc, csv,\n"
            "                          tsv (default: told from content and name)\n"
            "      --id-field F        JSON field or CSV column of the id (default id)\n"
            "      --text-field F      JSON field or CSV column of the text (default text)\n"
            "      --html-field F      JSON field or CSV column of a page's HTML (default html)\n"
            "      --whole-page        compare pages by all their visible text, not the article\n"
            "      --color, --no-color  colour the differences (default: on a terminal)\n"
            "  -q, --quiet             no messages\n"
            "  -h, --help              this help\n"
            "\n"
            "Exit: 0 passages found, 1 none or a run error, 2 usage error.\n");
}

/* Says why `path` cannot be read; the reader's messages may already name
 * it ("cannot read 'x': ..."), and then are not prefixed again. */
static void cannot_read(const char *path, const char *why)
{
    if (strncmp(why, "cannot read '", 13) == 0)
        cli_error("%s", why);
    else
        cli_error("cannot read '%s': %s", path, why);
}

/* Reads the first record of `path` into *d, a page by its article text
 * (or all its text with SD_PAGE_WHOLE in flags), as trace compares it.
 * Returns 0 or -1 after saying why. */
static int read_first(const char *path, const sd_reader_options *ro, int flags, doc_text *d)
{
    sd_reader *r = NULL;
    sd_page_reader *pr = NULL;
    const sd_article *art = NULL;
    sd_record rec;
    int rc, ok = -1;
    memset(d, 0, sizeof *d);
    if (sd_reader_new(ro, &r, NULL) != 0 || sd_reader_add(r, path) != 0 ||
        sd_page_reader_new(r, NULL, flags | SD_PAGE_KEEP_EMPTY, 1, &pr, NULL) != 0) {
        cli_error("out of memory");
        goto done;
    }
    rc = sd_page_reader_next(pr, &rec, &art);
    if (rc < 0) {
        cannot_read(path, sd_page_reader_errmsg(pr));
        goto done;
    }
    if (rc == 0) {
        cli_error("cannot read '%s': no document in it", path);
        goto done;
    }
    if (rec.error || !rec.text) {
        const char *why = rec.errmsg           ? rec.errmsg
                          : rec.error          ? sd_strerror(rec.error)
                          : art && art->reason ? art->reason
                                               : "no text";
        if (art && !rec.error)
            cli_error("cannot read '%s': page has no article text: %s", path, why);
        else
            cannot_read(path, why);
        goto done;
    }
    d->text = malloc(rec.text_len + 1);
    d->id = rec.id && rec.id_len ? strndup(rec.id, rec.id_len) : strdup(path);
    if (!d->text || !d->id) {
        cli_error("out of memory");
        goto done;
    }
    memcpy(d->text, rec.text, rec.text_len);
    d->text[rec.text_len] = 0;
    d->len = rec.text_len;
    ok = 0;
done:
    sd_page_reader_free(pr);
    sd_reader_free(r);
    return ok;
}

/* Prints p[0..n) with runs of white space (line breaks included) shown as
 * one space, so a passage reads as a paragraph. */
static void put_flat(out *o, const char *p, size_t n)
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
            out_char(o, ' ');
        space = 0;
        out_char(o, c);
    }
    if (space)
        out_char(o, ' ');
}

static void print_passage(out *o, const doc_text *a, const doc_text *b, const sd_passage *p,
                          size_t no, int color)
{
    const char *del0 = color ? "\033[31m[-" : "[-", *del1 = color ? "-]\033[0m" : "-]";
    const char *ins0 = color ? "\033[32m{+" : "{+", *ins1 = color ? "+}\033[0m" : "+}";
    uint64_t at = p->a.start;
    size_t i;
    out_printf(o,
               "%s== passage %zu: A bytes %llu-%llu (%llu words), B bytes %llu-%llu (%llu words), "
               "%.1f%% identical%s\n",
               color ? "\033[1m" : "", no, (unsigned long long)p->a.start,
               (unsigned long long)p->a.end, (unsigned long long)p->tokens_a,
               (unsigned long long)p->b.start, (unsigned long long)p->b.end,
               (unsigned long long)p->tokens_b, 100.0 * p->identity, color ? "\033[0m" : "");
    for (i = 0; i < p->n_changes; i++) {
        const sd_change *c = &p->changes[i];
        if (c->a.start > at)
            put_flat(o, a->text + at, (size_t)(c->a.start - at));
        if (c->a.end > c->a.start) {
            out_str(o, del0);
            put_flat(o, a->text + c->a.start, (size_t)(c->a.end - c->a.start));
            out_str(o, del1);
        }
        if (c->b.end > c->b.start) {
            out_str(o, ins0);
            put_flat(o, b->text + c->b.start, (size_t)(c->b.end - c->b.start));
            out_str(o, ins1);
        }
        if (c->a.end > at)
            at = c->a.end;
    }
    if (p->a.end > at)
        put_flat(o, a->text + at, (size_t)(p->a.end - at));
    out_str(o, "\n\n");
}

enum {
    OPT_MIN_ID = 256,
    OPT_EXACT,
    OPT_COLOR,
    OPT_NO_COLOR,
    OPT_ALL_TEXT,
    OPT_ID_FIELD,
    OPT_TEXT_FIELD,
    OPT_HTML_FIELD,
    OPT_WHOLE_PAGE,
    OPT_FORMAT
};

static const struct option long_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"min-passage", required_argument, NULL, 'm'},
    {"min-identity", required_argument, NULL, OPT_MIN_ID},
    {"exact", no_argument, NULL, OPT_EXACT},
    {"all-text", no_argument, NULL, OPT_ALL_TEXT},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"id-field", required_argument, NULL, OPT_ID_FIELD},
    {"text-field", required_argument, NULL, OPT_TEXT_FIELD},
    {"html-field", required_argument, NULL, OPT_HTML_FIELD},
    {"whole-page", no_argument, NULL, OPT_WHOLE_PAGE},
    {"color", no_argument, NULL, OPT_COLOR},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The command line of `syndic align`: options into opt, ro, *output,
 * *color (-1: on a terminal) and *flags, optind at the two documents.
 * Returns -1 to go on, else the exit code. */
static int align_args(int argc, char **argv, sd_trace_options *opt, sd_reader_options *ro,
                      const char **output, int *color, int *flags)
{
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:m:qh", long_opts, NULL)) != -1) {
        switch (c) {
        case 'o': *output = optarg; break;
        case 'm':
            if (parse_unsigned("--min-passage", optarg, 4, 100000, &opt->min_passage))
                return EXIT_USAGE;
            break;
        case OPT_MIN_ID:
            if (parse_double("--min-identity", optarg, 0.0, 1.0, &opt->min_identity))
                return EXIT_USAGE;
            break;
        case OPT_EXACT: opt->exact = 1; break;
        case OPT_ALL_TEXT: opt->all_text = 1; break;
        case OPT_FORMAT:
            if (parse_format(optarg, &ro->format))
                return EXIT_USAGE;
            break;
        case OPT_ID_FIELD: ro->id_field = optarg; break;
        case OPT_TEXT_FIELD: ro->text_field = optarg; break;
        case OPT_HTML_FIELD: ro->html_field = optarg; break;
        case OPT_WHOLE_PAGE: *flags |= SD_PAGE_WHOLE; break;
        case OPT_COLOR: *color = 1; break;
        case OPT_NO_COLOR: *color = 0; break;
        case 'q': cli_quiet = 1; break;
        case 'h': usage(stdout); return EXIT_OK;
        default: return cli_bad_option("align", long_opts, c, argv);
        }
    }
    if (argc - optind != 2) {
        cli_error("align: give exactly two documents");
        cli_see_help("align");
        return EXIT_USAGE;
    }
    return -1;
}

/* The alignment of a and b, passages p[0..n): a header (the documents, how
 * many passages, how much of each they cover), then each passage. */
static void write_alignment(out *o, const doc_text *a, const doc_text *b, const sd_passage *p,
                            size_t n, int color)
{
    uint64_t cov_a = 0, cov_b = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        cov_a += p[i].a.end - p[i].a.start;
        cov_b += p[i].b.end - p[i].b.start;
    }
    out_printf(o, "A: %s (%zu bytes)\nB: %s (%zu bytes)\n%zu shared passage%s", a->id, a->len,
               b->id, b->len, n, n == 1 ? "" : "s");
    if (n)
        out_printf(o, ", about %.0f%% of A and %.0f%% of B",
                   a->len ? 100.0 * (double)cov_a / (double)a->len : 0.0,
                   b->len ? 100.0 * (double)cov_b / (double)b->len : 0.0);
    out_str(o, "\n\n");
    for (i = 0; i < n; i++)
        print_passage(o, a, b, &p[i], i + 1, color);
}

int cmd_align(int argc, char **argv)
{
    sd_trace_options opt;
    sd_reader_options ro;
    doc_text a, b;
    sd_passage *p = NULL;
    size_t n = 0;
    const char *output = NULL;
    out o;
    int rc, status = EXIT_RUN, color = -1, flags = 0;

    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    sd_trace_options_init(&opt);
    sd_reader_options_init(&ro);
    if ((rc = align_args(argc, argv, &opt, &ro, &output, &color, &flags)) != -1)
        return rc;
    if (color < 0) /* colour only on a terminal */
        color = !(output && strcmp(output, "-") != 0) && isatty(STDOUT_FILENO);
    {
        const out_path outs[] = {{"-o", output, 0}};
        if (out_check_paths(outs, 1, argv + optind, 2) != 0)
            return EXIT_USAGE;
    }
    if (read_first(argv[optind], &ro, flags, &a) != 0 ||
        read_first(argv[optind + 1], &ro, flags, &b) != 0)
        goto done;
    rc = sd_align_pair(a.text, a.len, b.text, b.len, &opt, &p, &n);
    if (rc != 0) {
        cli_error("cannot align: %s", sd_strerror(rc));
        goto done;
    }
    if (out_open(&o, output) != 0)
        goto done;
    write_alignment(&o, &a, &b, p, n, color);
    if (out_close(&o) != 0)
        goto done;
    status = n ? EXIT_OK : EXIT_RUN;
done:
    sd_passages_free(p, n);
    free(a.text);
    free(a.id);
    free(b.text);
    free(b.id);
    return status;
}
