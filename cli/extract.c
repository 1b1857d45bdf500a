/*
 * extract.c: `syndic extract`, the article text of web pages.
 *
 * Each record of the inputs (HTML files, WARC responses, JSONL records with
 * an html field; text records pass through as paragraphs split at blank
 * lines) is extracted and written out in input order. Pages are extracted
 * in batches on -j threads (the page reader, pagetext.c), so memory is
 * bounded by a batch, not the input; --timing extracts one page at a time
 * on this thread to time each. Every record appears in the output, a
 * failed one with its error, a page without an article marked so.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: syndic extract [options] INPUT...\n"
        "\n"
        "Writes the article text of each page: by default a header line per page\n"
        "(\"### id  url\") then its paragraphs; with --jsonl one JSON object per page:\n"
        "  {\"id\":...,\"url\":...,\"date\":...,\"title\":...,\"author\":...,\"published\":...,\n"
        "   \"charset\":...,\"lang\":...,\"method\":...,\"paragraphs\":[...],\"text\":...}\n"
        "  (\"no_article\":true, or \"error\":...); metadata fields only when the page has them\n"
        "\n"
        "INPUT: .html/.htm files (also .gz), directories, .warc/.warc.gz, JSONL with an\n"
        "html (or text) field, or - for stdin.\n"
        "\n"
        "  -o, --output FILE     write to FILE (default: standard output)\n"
        "      --jsonl           one JSON object per page\n"
        "      --whole-page      all visible text of the page, not just the article\n"
        "      --comments        readers' comments too, as a separate list (\"comments\")\n"
        "      --tables, --no-tables  keep (default) or drop tables inside the article\n"
        "      --captions        keep figure captions inside the article\n"
        "      --links           keep link targets (\"links\": [start, end, url] in text)\n"
        "      --markdown        the text as Markdown (with --jsonl: a \"markdown\" field)\n"
        "      --min-words N     fewest words of a paragraph outside the article's run\n"
        "                        of text (default 10)\n"
        "      --format F        read every input as F: jsonl, json, text, html, warc,\n"
        "                        csv or tsv (default: told from its content and name)\n"
        "      --html-field F    JSON field or CSV column of the HTML (default html)\n"
        "      --text-field F    JSON field or CSV column of the text (default text)\n"
        "      --id-field F      JSON field or CSV column of the id (default id)\n"
        "  -j, --threads N       pages extracted at once (default: one per CPU)\n"
        "      --timing          report extraction time per page on stderr (median,\n"
        "                        mean, 90th percentile; with -v every page); one thread\n"
        "  -q, --quiet           no warnings and no summary\n"
        "  -v, --verbose         more detail\n"
        "  -h, --help            this help\n"
        "\n"
        "Exit: 0 ok, 1 run error or records that could not be read, 2 usage error.\n");
}

static const char *kind_name(sd_para_kind k)
{
    switch (k) {
    case SD_PARA_HEADING: return "heading";
    case SD_PARA_ITEM: return "item";
    case SD_PARA_QUOTE: return "quote";
    case SD_PARA_PRE: return "pre";
    case SD_PARA_CELL: return "cell";
    case SD_PARA_CAPTION: return "caption";
    default: return "text";
    }
}

/* The end of the paragraph of t[0..n) that starts at s (not blank): the
 * start of the first blank line after it, or n; trailing line ends and
 * spaces left out. */
static size_t paragraph_end(const char *t, size_t n, size_t s)
{
    size_t e = s, k;
    for (;;) {
        const char *nl = memchr(t + e, '\n', n - e);
        size_t line_end = nl ? (size_t)(nl - t) : n;
        int blank = 1;
        for (k = e; k < line_end; k++)
            if (t[k] != ' ' && t[k] != '\t' && t[k] != '\r')
                blank = 0;
        if (blank && e > s)
            break;
        e = line_end;
        if (nl == NULL || e >= n)
            break;
        e++;
    }
    while (e > s && (t[e - 1] == '\n' || t[e - 1] == '\r' || t[e - 1] == ' '))
        e--;
    return e;
}

/* A text record as an article: its paragraphs are the runs between blank
 * lines. Fills a (owned by the caller, freed with free()). */
static int text_article(const char *t, size_t n, sd_article *a)
{
    size_t i = 0, cap = 0;
    memset(a, 0, sizeof *a);
    a->charset = "utf-8";
    a->lang = "";
    while (i < n) {
        size_t s, e;
        while (i < n && (t[i] == '\n' || t[i] == '\r' || t[i] == ' ' || t[i] == '\t'))
            i++;
        if (i >= n)
            break;
        s = i;
        e = paragraph_end(t, n, s);
        if (a->n_paragraphs == cap) {
            sd_paragraph *p;
            cap = cap ? cap * 2 : 16;
            p = realloc(a->paragraphs, cap * sizeof *p);
            if (p == NULL)
                return -1;
            a->paragraphs = p;
        }
        a->paragraphs[a->n_paragraphs].start = s;
        a->paragraphs[a->n_paragraphs].end = e;
        a->paragraphs[a->n_paragraphs].kind = SD_PARA_TEXT;
        a->n_paragraphs++;
        i = e;
    }
    a->found = a->n_paragraphs > 0;
    a->reason = a->found ? NULL : "no text";
    return 0;
}

typedef struct extract_run {
    out o;
    int jsonl, whole_page, timing, markdown, comments;
    double t_read; /* with --timing: when the reader was called for this record */
    double c_read; /* and this thread's CPU time then */
    double *cpu;   /* CPU time per page, beside times[] (wall) */
    sd_extract_options eo;
    double *times;
    size_t n_times, cap_times;
    uint64_t records, errors, no_article;
    record_warnings warned;
} extract_run;

/* Writes s[0..n) with each line after the first prefixed. */
static void write_prefixed(out *o, const char *s, size_t n, const char *prefix)
{
    size_t i, at = 0;
    out_str(o, prefix);
    for (i = 0; i < n; i++)
        if (s[i] == '\n') {
            out_write(o, s + at, i + 1 - at);
            out_str(o, prefix);
            at = i + 1;
        }
    out_write(o, s + at, n - at);
}

/* Writes text[s, e) with its links (sorted, from *li on) as Markdown
 * links [text](url), the others as they are. */
static void write_md_span(out *o, const sd_article *a, const char *text, size_t s, size_t e,
                          size_t *li, const char *prefix)
{
    size_t at = s;
    while (*li < a->n_links && a->links[*li].end <= s)
        (*li)++;
    while (*li < a->n_links && a->links[*li].start < e) {
        const sd_link *l = &a->links[*li];
        size_t ls = l->start < at ? at : l->start, le = l->end > e ? e : l->end;
        write_prefixed(o, text + at, ls - at, at == s ? prefix : "");
        out_char(o, '[');
        write_prefixed(o, text + ls, le - ls, "");
        out_str(o, "](");
        out_str(o, l->url);
        out_char(o, ')');
        at = le;
        (*li)++;
    }
    write_prefixed(o, text + at, e - at, at == s ? prefix : "");
}

/* The article as Markdown: headings at their level, list items, quotes,
 * fenced preformatted text, table rows, captions in italics, links when
 * kept. Paragraphs are separated by blank lines; a table's rows are lines
 * of one block, its first row a header. */
static void write_markdown(out *o, const sd_article *a, const char *text)
{
    size_t i, li = 0;
    for (i = 0; i < a->n_paragraphs; i++) {
        const sd_paragraph *p = &a->paragraphs[i];
        const sd_paragraph *next = i + 1 < a->n_paragraphs ? &a->paragraphs[i + 1] : NULL;
        switch (p->kind) {
        case SD_PARA_HEADING: {
            unsigned lv = p->level >= 1 && p->level <= 6 ? p->level : 2;
            char hashes[8] = "######";
            hashes[lv] = '\0';
            out_str(o, hashes);
            out_char(o, ' ');
            write_md_span(o, a, text, p->start, p->end, &li, "");
            break;
        }
        case SD_PARA_ITEM: write_md_span(o, a, text, p->start, p->end, &li, "- "); break;
        case SD_PARA_QUOTE: write_md_span(o, a, text, p->start, p->end, &li, "> "); break;
        case SD_PARA_PRE:
            out_str(o, "```\n");
            out_write(o, text + p->start, p->end - p->start);
            out_str(o, "\n```");
            break;
        case SD_PARA_CAPTION:
            out_char(o, '*');
            write_md_span(o, a, text, p->start, p->end, &li, "");
            out_char(o, '*');
            break;
        case SD_PARA_CELL: {
            /* a row: this cell and those after it up to the next row start */
            size_t cells = 0, k, row0 = i;
            int first_row = i == 0 || a->paragraphs[i - 1].kind != SD_PARA_CELL;
            for (k = i; k < a->n_paragraphs && a->paragraphs[k].kind == SD_PARA_CELL &&
                        (k == i || a->paragraphs[k].level == 0);
                 k++) {
                out_str(o, k == i ? "| " : " | ");
                write_md_span(o, a, text, a->paragraphs[k].start, a->paragraphs[k].end, &li, "");
                cells++;
            }
            out_str(o, " |");
            if (first_row) {
                out_str(o, "\n|");
                for (k = 0; k < cells; k++)
                    out_str(o, " --- |");
            }
            i = row0 + cells - 1;
            next = i + 1 < a->n_paragraphs ? &a->paragraphs[i + 1] : NULL;
            if (next && next->kind == SD_PARA_CELL) {
                out_char(o, '\n');
                continue;
            }
            break;
        }
        default: write_md_span(o, a, text, p->start, p->end, &li, ""); break;
        }
        out_str(o, next && next->kind == SD_PARA_ITEM && p->kind == SD_PARA_ITEM ? "\n" : "\n\n");
    }
}

/* Writes `,"key":"value"` when the value is not empty. */
static void write_field(out *o, const char *key, const char *v)
{
    if (v == NULL || *v == '\0')
        return;
    out_str(o, ",\"");
    out_str(o, key);
    out_str(o, "\":");
    out_json_str(o, v, strlen(v));
}

static void write_error(extract_run *r, const sd_record *rec, const char *msg)
{
    out *o = &r->o;
    if (r->jsonl) {
        out_str(o, "{\"id\":");
        out_json_str(o, rec->id ? rec->id : "", rec->id ? rec->id_len : 0);
        out_error_fields(o, msg, rec->source ? rec->source : "-", rec->line, rec->offset);
        out_str(o, "}\n");
    } else {
        out_str(o, "### ");
        out_text_safe(o, rec->id ? rec->id : "", rec->id ? rec->id_len : 0);
        out_str(o, "\nerror: ");
        out_text_safe(o, msg, strlen(msg));
        out_str(o, "\n\n");
    }
}

/* The JSON fields of a page's source and metadata: id, url, date, title,
 * what the page says of itself, charset, language and method. */
static void write_meta_jsonl(out *o, const sd_record *rec, const sd_article *a)
{
    /* the reader decoded the page; the extractor saw UTF-8 */
    const char *cs = rec->charset ? rec->charset : a->charset;
    out_str(o, "{\"id\":");
    out_json_str(o, rec->id ? rec->id : "", rec->id ? rec->id_len : 0);
    if (rec->url) {
        out_str(o, ",\"url\":");
        out_json_str(o, rec->url, rec->url_len);
    }
    if (rec->date) {
        out_str(o, ",\"date\":");
        out_json_str(o, rec->date, rec->date_len);
    }
    out_str(o, ",\"title\":");
    out_json_str(o, a->title ? a->title : "", a->title ? a->title_len : 0);
    write_field(o, "author", a->author);
    write_field(o, "published", a->date);
    write_field(o, "modified", a->date_modified);
    write_field(o, "site_name", a->site_name);
    write_field(o, "page_lang", a->page_lang);
    write_field(o, "canonical_url", a->canonical_url);
    write_field(o, "description", a->description);
    out_str(o, ",\"charset\":");
    out_json_str(o, cs, strlen(cs));
    if (a->lang && *a->lang) {
        out_str(o, ",\"lang\":");
        out_json_str(o, a->lang, strlen(a->lang));
    }
    write_field(o, "method", a->method);
}

/* The JSON fields of the article's text: its paragraphs (a kind other
 * than text as an object), the whole text, and its links, at offsets into
 * that text. */
static void write_text_jsonl(out *o, const sd_article *a, const char *text)
{
    size_t i;
    out_str(o, ",\"paragraphs\":[");
    for (i = 0; i < a->n_paragraphs; i++) {
        const sd_paragraph *p = &a->paragraphs[i];
        if (i)
            out_char(o, ',');
        if (p->kind != SD_PARA_TEXT) {
            out_str(o, "{\"kind\":\"");
            out_str(o, kind_name(p->kind));
            out_str(o, "\",\"text\":");
            out_json_str(o, text + p->start, p->end - p->start);
            out_char(o, '}');
        } else {
            out_json_str(o, text + p->start, p->end - p->start);
        }
    }
    out_str(o, "],\"text\":");
    if (a->n_paragraphs) {
        size_t s = a->paragraphs[0].start, e = a->paragraphs[a->n_paragraphs - 1].end;
        out_json_str(o, text + s, e - s);
    } else {
        out_str(o, "\"\"");
    }
    if (a->n_links) {
        size_t base = a->n_paragraphs ? a->paragraphs[0].start : 0;
        out_str(o, ",\"links\":[");
        for (i = 0; i < a->n_links; i++) {
            out_str(o, i ? ",[" : "[");
            out_u64(o, a->links[i].start - base);
            out_char(o, ',');
            out_u64(o, a->links[i].end - base);
            out_char(o, ',');
            out_json_str(o, a->links[i].url, strlen(a->links[i].url));
            out_char(o, ']');
        }
        out_char(o, ']');
    }
}

/* The article as Markdown in a JSON field, without its last line ends. */
static void write_markdown_field(out *o, const sd_article *a, const char *text)
{
    out o2;
    if (out_open_mem(&o2) != 0)
        return;
    write_markdown(&o2, a, text);
    while (o2.len > 0 && o2.buf[o2.len - 1] == '\n')
        o2.len--;
    out_str(o, ",\"markdown\":");
    out_json_str(o, o2.buf, o2.len);
    o2.len = 0;
    out_close(&o2);
}

/* One page's result as a JSON line (--jsonl). */
static void write_article_jsonl(extract_run *r, const sd_record *rec, const sd_article *a,
                                const char *text)
{
    out *o = &r->o;
    size_t i;
    write_meta_jsonl(o, rec, a);
    if (!a->found) {
        out_str(o, ",\"no_article\":true,\"reason\":");
        out_json_str(o, a->reason ? a->reason : "", a->reason ? strlen(a->reason) : 0);
    }
    write_text_jsonl(o, a, text);
    if (r->comments) {
        out_str(o, ",\"comments\":[");
        for (i = 0; i < a->n_comments; i++) {
            if (i)
                out_char(o, ',');
            out_json_str(o, a->comments_text + a->comments[i].start,
                         a->comments[i].end - a->comments[i].start);
        }
        out_char(o, ']');
    }
    if (r->markdown)
        write_markdown_field(o, a, text);
    out_str(o, "}\n");
}

/* Writes one page's result. `text` is where the paragraph offsets point. */
static void write_article(extract_run *r, const sd_record *rec, const sd_article *a,
                          const char *text)
{
    out *o = &r->o;
    size_t i;
    if (r->jsonl) {
        write_article_jsonl(r, rec, a, text);
        return;
    }
    out_str(o, "### ");
    out_text_safe(o, rec->id ? rec->id : "", rec->id ? rec->id_len : 0);
    if (rec->url) {
        out_str(o, "  ");
        out_text_safe(o, rec->url, rec->url_len);
    }
    out_char(o, '\n');
    if (!a->found) {
        out_str(o, "(no article: ");
        out_str(o, a->reason ? a->reason : "");
        out_str(o, ")\n\n");
        return;
    }
    if (r->markdown) {
        write_markdown(o, a, text);
    } else {
        for (i = 0; i < a->n_paragraphs; i++) {
            const sd_paragraph *p = &a->paragraphs[i];
            out_write(o, text + p->start, p->end - p->start);
            out_str(o, "\n\n");
        }
    }
    for (i = 0; i < a->n_comments; i++) {
        out_str(o, "--- comment\n");
        out_write(o, a->comments_text + a->comments[i].start,
                  a->comments[i].end - a->comments[i].start);
        out_str(o, "\n\n");
    }
}

/* This thread's CPU time: on a machine shared with other work, the time
 * the page cost this thread, which waiting for a core does not inflate. */
static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report_timing(extract_run *r)
{
    double sum = 0;
    size_t i;
    if (r->n_times == 0) {
        fprintf(stderr, "timing: no pages\n");
        return;
    }
    for (i = 0; i < r->n_times; i++)
        sum += r->times[i];
    qsort(r->times, r->n_times, sizeof *r->times, cmp_double);
    qsort(r->cpu, r->n_times, sizeof *r->cpu, cmp_double);
    fprintf(stderr,
            "timing: %zu pages, median %.3f ms, mean %.3f ms, p90 %.3f ms, total %.3f s; "
            "CPU median %.3f ms\n",
            r->n_times, r->times[r->n_times / 2] * 1e3, sum / (double)r->n_times * 1e3,
            r->times[(size_t)((double)r->n_times * 0.9)] * 1e3, sum, r->cpu[r->n_times / 2] * 1e3);
}

/* With --timing: the time record rec took since t0 (wall) and since
 * r->c_read (this thread's CPU), kept for the summary and with -v
 * printed. Returns 0, or -1 when out of memory. */
static int note_time(extract_run *r, const sd_record *rec, double t0)
{
    double dt = now_seconds() - t0, dc = cpu_seconds() - r->c_read;
    if (r->n_times == r->cap_times) {
        size_t cap = r->cap_times ? r->cap_times * 2 : 1024;
        double *p = realloc(r->times, cap * sizeof *p);
        double *q = p ? realloc(r->cpu, cap * sizeof *q) : NULL;
        if (p)
            r->times = p;
        if (q)
            r->cpu = q;
        if (p == NULL || q == NULL)
            return -1;
        r->cap_times = cap;
    }
    r->cpu[r->n_times] = dc;
    r->times[r->n_times++] = dt;
    if (cli_verbose)
        fprintf(stderr, "timing: %.*s %.3f ms\n", (int)rec->id_len, rec->id, dt * 1e3);
    return 0;
}

/* Extracts (unless the page reader did: art) and writes one record.
 * Returns 0, or -1 after a fatal error. */
static int one_record(extract_run *r, const sd_record *rec, const sd_article *art)
{
    sd_article a;
    int rc;
    r->records++;
    if (rec->error) {
        r->errors++;
        warn_record(&r->warned, rec, NULL);
        write_error(r, rec, rec->errmsg ? rec->errmsg : sd_strerror(rec->error));
        return 0;
    }
    if (art) {
        if (!art->found)
            r->no_article++;
        write_article(r, rec, art, art->text);
        return 0;
    }
    if (rec->html == NULL) {
        if (text_article(rec->text ? rec->text : "", rec->text ? rec->text_len : 0, &a) != 0) {
            free(a.paragraphs);
            cli_error("out of memory");
            return -1;
        }
        write_article(r, rec, &a, rec->text);
        free(a.paragraphs);
        return 0;
    }
    {
        double t0 = r->timing ? r->t_read : 0; /* from before the reader's call */
        rc = r->whole_page ? sd_extract_whole_page(rec->html, rec->html_len, "utf-8", &r->eo, &a)
                           : sd_extract(rec->html, rec->html_len, "utf-8", &r->eo, &a);
        if (r->timing && rc == 0 && note_time(r, rec, t0) != 0) {
            sd_article_release(&a);
            cli_error("out of memory");
            return -1;
        }
    }
    if (rc == SD_ENOMEM) {
        cli_error("out of memory extracting '%.*s'", (int)rec->id_len, rec->id);
        return -1;
    }
    if (rc) {
        char msg[128];
        snprintf(msg, sizeof msg, "cannot extract: %s", sd_strerror(rc));
        r->errors++;
        warn_record(&r->warned, rec, msg);
        write_error(r, rec, msg);
        return 0;
    }
    if (!a.found)
        r->no_article++;
    write_article(r, rec, &a, a.text);
    sd_article_release(&a);
    return 0;
}

/* The command line of `syndic extract`: options into r, ro, *output and
 * *threads, optind at the first input. Returns -1 to go on, else the exit
 * code. */
static int extract_args(int argc, char **argv, extract_run *r, sd_reader_options *ro,
                        const char **output, unsigned *threads)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"jsonl", no_argument, NULL, 'J'},
        {"whole-page", no_argument, NULL, 'W'},
        {"comments", no_argument, NULL, 'C'},
        {"tables", no_argument, NULL, 'B'},
        {"no-tables", no_argument, NULL, 'N'},
        {"captions", no_argument, NULL, 'P'},
        {"links", no_argument, NULL, 'L'},
        {"markdown", no_argument, NULL, 'M'},
        {"min-words", required_argument, NULL, 'm'},
        {"html-field", required_argument, NULL, 'H'},
        {"text-field", required_argument, NULL, 'T'},
        {"id-field", required_argument, NULL, 'I'},
        {"format", required_argument, NULL, 'F'},
        {"timing", no_argument, NULL, 't'},
        {"threads", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:j:qvh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': *output = optarg; break;
        case 'J': r->jsonl = 1; break;
        case 'W': r->whole_page = 1; break;
        case 'C':
            r->comments = 1;
            r->eo.flags |= SD_EXTRACT_COMMENTS;
            break;
        case 'B': r->eo.flags &= ~SD_EXTRACT_NO_TABLES; break;
        case 'N': r->eo.flags |= SD_EXTRACT_NO_TABLES; break;
        case 'P': r->eo.flags |= SD_EXTRACT_CAPTIONS; break;
        case 'L': r->eo.flags |= SD_EXTRACT_LINKS; break;
        case 'M': r->markdown = 1; break;
        case 'm':
            if (parse_unsigned("--min-words", optarg, 1, 1000, &r->eo.min_words))
                return EXIT_USAGE;
            break;
        case 'H': ro->html_field = optarg; break;
        case 'T': ro->text_field = optarg; break;
        case 'I': ro->id_field = optarg; break;
        case 'F':
            if (parse_format(optarg, &ro->format))
                return EXIT_USAGE;
            break;
        case 't': r->timing = 1; break;
        case 'j':
            if (parse_unsigned("--threads", optarg, 1, 256, threads))
                return EXIT_USAGE;
            break;
        case 'q': cli_quiet = 1; break;
        case 'v': cli_verbose = 1; break;
        case 'h': usage(stdout); return EXIT_OK;
        default: return cli_bad_option("extract", longopts, c, argv);
        }
    }
    if (optind >= argc) {
        cli_error("extract: no input; give files, directories or - for standard input");
        cli_see_help("extract");
        return EXIT_USAGE;
    }
    {
        const out_path outs[] = {{"-o", *output, 0}};
        if (out_check_paths(outs, 1, argv + optind, argc - optind) != 0)
            return EXIT_USAGE;
    }
    return -1;
}

/* Extracts and writes every record, from the page reader when there is
 * one (pages), else from the reader. Returns EXIT_OK, or EXIT_RUN after
 * a fatal error (reported). */
static int extract_records(extract_run *r, sd_reader *reader, sd_page_reader *pages)
{
    int rc;
    for (;;) {
        sd_record rec;
        const sd_article *art = NULL;
        if (r->timing) {
            r->t_read = now_seconds();
            r->c_read = cpu_seconds();
        }
        rc = pages ? sd_page_reader_next(pages, &rec, &art) : sd_reader_next(reader, &rec);
        if (rc == 0)
            return EXIT_OK;
        if (rc < 0) {
            cli_error("%s", pages ? sd_page_reader_errmsg(pages) : sd_reader_errmsg(reader));
            return EXIT_RUN;
        }
        if (one_record(r, &rec, art) != 0)
            return EXIT_RUN;
    }
}

/* The warnings and the summary on stderr at the end of a run. */
static void extract_summary(extract_run *r)
{
    if (!cli_quiet && warn_hidden(&r->warned))
        cli_warn("%llu more records failed; each has an error in the output",
                 (unsigned long long)warn_hidden(&r->warned));
    if (!cli_quiet)
        fprintf(stderr, "syndic: %llu %s, %llu without an article, %llu failed\n",
                (unsigned long long)r->records, noun(r->records, "page", "pages"),
                (unsigned long long)r->no_article, (unsigned long long)r->errors);
    if (r->timing)
        report_timing(r);
}

int cmd_extract(int argc, char **argv)
{
    extract_run r;
    sd_reader_options ro;
    sd_reader *reader = NULL;
    sd_page_reader *pages = NULL;
    const char *output = NULL;
    char why[SD_ERRBUF_SIZE];
    int i, status;
    unsigned threads = 0;
    memset(&r, 0, sizeof r);
    sd_extract_options_init(&r.eo);
    sd_reader_options_init(&ro);
    if ((status = extract_args(argc, argv, &r, &ro, &output, &threads)) != -1)
        return status;
    if (sd_reader_new(&ro, &reader, why) != 0 ||
        (!r.timing &&
         sd_page_reader_new(reader, &r.eo, SD_PAGE_KEEP_EMPTY | (r.whole_page ? SD_PAGE_WHOLE : 0),
                            threads, &pages, why) != 0)) {
        cli_error("extract: %s", why);
        sd_reader_free(reader);
        return EXIT_RUN;
    }
    for (i = optind; i < argc; i++)
        if (sd_reader_add(reader, argv[i]) != 0) {
            cli_error("out of memory");
            sd_page_reader_free(pages);
            sd_reader_free(reader);
            return EXIT_RUN;
        }
    if (out_open(&r.o, output) != 0) {
        sd_page_reader_free(pages);
        sd_reader_free(reader);
        return EXIT_RUN;
    }
    status = extract_records(&r, reader, pages);
    if (status != EXIT_OK)
        out_abort(&r.o); /* a failed run leaves no half-written file */
    else if (out_close(&r.o) != 0)
        status = EXIT_RUN;
    if (r.errors && status == EXIT_OK)
        status = EXIT_RUN;
    extract_summary(&r);
    free(r.times);
    free(r.cpu);
    sd_page_reader_free(pages);
    sd_reader_free(reader);
    return status;
}
