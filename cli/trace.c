/*
 * trace.c: `syndic trace`, passages that documents share and the stories
 * they form.
 *
 * Records are read in batches and handed to the library's trace job (which
 * copies, tokenizes and fingerprints a batch on its threads); the CLI keeps
 * only each record's id, date and error. After the job finishes, one JSON
 * line per story, per passage (with --passages) and per record goes out.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define BATCH_BYTES (32u << 20)
#define BATCH_DOCS 4096

/* What is kept of each record for the output: 24 bytes here, and its id,
 * URL (WARC-Target-URI or JSONL url) and date (WARC-Date or JSONL date),
 * one after the other, in the strings. With --memory both arrays are
 * file-backed (sd_fmap), and let go every 4,096 records read and every
 * few hundred stories or records written. */
typedef struct trec {
    uint64_t at; /* of the id in the strings */
    uint32_t id_len, url_len, date_len;
    int32_t err; /* into errs, or -1 when the record was read */
} trec;

typedef struct trace_run {
    trec *r;
    size_t n, cap; /* records, and room in r */
    char *str;
    uint64_t str_len, str_cap;
    int mapped; /* with --memory: r and str are in */
    sd_fmap rmap, smap;
    rec_errors errs;     /* failed and skipped records */
    const sd_trace *job; /* for the origins' texts */
} trace_run;

static const char *rec_id(const trace_run *r, uint64_t i)
{
    return r->str + r->r[i].at;
}

static const char *rec_url(const trace_run *r, uint64_t i)
{
    return rec_id(r, i) + r->r[i].id_len;
}

static const char *rec_date(const trace_run *r, uint64_t i)
{
    return rec_url(r, i) + r->r[i].url_len;
}

/* With --memory: lets go of the records' pages (and, with t, the job's
 * texts read so far). */
static void let_go(const trace_run *r, sd_trace *t)
{
    if (t)
        sd_trace_release_pages(t);
    if (r->mapped) {
        sd_fmap_trim(&r->rmap);
        sd_fmap_trim(&r->smap);
    }
}

/* Room for n records and `bytes` of strings. 0, or -1 with errno set. */
static int records_room(trace_run *r, size_t n, uint64_t bytes)
{
    if (n > r->cap) {
        size_t cap = r->cap ? r->cap : 1024;
        while (cap < n)
            cap *= 2;
        if (grow_array((void **)&r->r, &r->rmap, r->mapped, (uint64_t)cap * sizeof *r->r) != 0)
            return -1;
        r->cap = cap;
    }
    if (bytes > r->str_cap) {
        uint64_t cap = r->str_cap ? r->str_cap : 1 << 16;
        while (cap < bytes)
            cap *= 2;
        if (grow_array((void **)&r->str, &r->smap, r->mapped, cap) != 0)
            return -1;
        r->str_cap = cap;
    }
    return 0;
}

/* Puts a record at index i (appended when i == r->n; slots skipped over
 * read as records without id). 0, or -1 with errno set. */
static int records_put(trace_run *r, size_t i, const char *id, size_t id_len, const char *url,
                       size_t url_len, const char *date, size_t date_len, int32_t err)
{
    uint64_t len = (uint64_t)id_len + url_len + date_len;
    trec *x;
    size_t k;
    if (id_len > UINT32_MAX || url_len > UINT32_MAX || date_len > UINT32_MAX) {
        errno = EOVERFLOW;
        return -1;
    }
    if (records_room(r, i + 1, r->str_len + len) != 0)
        return -1;

    for (k = r->n; k < i; k++) {
        memset(&r->r[k], 0, sizeof r->r[k]);
        r->r[k].err = -1;
    }
    x = &r->r[i];
    x->at = r->str_len;
    x->id_len = (uint32_t)id_len;
    x->url_len = (uint32_t)url_len;
    x->date_len = (uint32_t)date_len;
    x->err = err;
    if (len) {
        char *dst = r->str + r->str_len; /* records_room() made room */
        if (id_len)
            memcpy(dst, id, id_len);
        if (url_len)
            memcpy(dst + id_len, url, url_len);
        if (date_len)
            memcpy(dst + id_len + url_len, date, date_len);
    }
    r->str_len += len;
    if (i >= r->n)
        r->n = i + 1;
    return 0;
}

static void records_release(trace_run *r)
{
    rec_errors_release(&r->errs);
    if (r->mapped) {
        sd_fmap_release(&r->rmap);
        sd_fmap_release(&r->smap);
    } else {
        free(r->r);
        free(r->str);
    }
    r->r = NULL;
    r->str = NULL;
    r->n = r->cap = 0;
    r->str_len = r->str_cap = 0;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: syndic trace [options] INPUT...\n"
            "\n"
            "Finds the passages documents share and groups them into stories; writes JSON\n"
            "lines: a \"story\" object per story (members, origin, consensus, what each copy\n"
            "added, lacks and changed), a \"passage\" object per aligned passage with\n"
            "--passages, and a \"doc\" object per input record (docs/trace.md).\n"
            "\n"
            "INPUT: files, directories, JSONL (.jsonl, .jsonl.gz, .jsonl.zst), HTML pages\n"
            "(.html, .htm), web crawls (.warc, .warc.gz), or - for stdin. Pages are compared\n"
            "by their article text (see syndic extract).\n"
            "\n"
            "  -o, --output FILE       write results to FILE (default: standard output)\n"
            "  -m, --min-passage N     fewest tokens (words) a shared passage has (default 30)\n"
            "      --max-df N          expert: ignore fingerprints found in more than N\n"
            "                          documents, to bound the cost on a corpus of few texts\n"
            "                          printed very often (default: none; a story printed on\n"
            "                          any number of pages is one story, at a cost linear in\n"
            "                          its copies); what is dropped is counted with -v\n"
            "      --min-identity X    lowest share of equal words in a passage (default 0.5)\n"
            "      --exact             no folding of British spellings and honorifics\n"
            "      --all-text          every word may start a passage, a site's menus, lists\n"
            "                          and footers too (default: only article prose does, and\n"
            "                          text only one site prints links nothing)\n"
            "      --passages          also write a \"passage\" line per aligned passage\n"
            "      --no-text           leave the consensus text out of story lines\n"
            "      --doc-text          doc lines carry the document's text (for syndic report)\n"
            "      --html FILE         also write the story report, a self-contained web page,\n"
            "                          to FILE; JSON lines then go out only with -o\n"
            "      --seed N            hash seed (default 0)\n"
            "      --format F          read every input as F: jsonl, json, text, html,\n"
            "                          warc, csv or tsv (default: told from its content)\n"
            "      --id-field F        JSON field or CSV column of the id (default id)\n"
            "      --text-field F      JSON field or CSV column of the text (default text)\n"
            "      --html-field F      JSON field or CSV column of a page's HTML (default html)\n"
            "      --whole-page        compare pages by all their visible text, not the article\n"
            "      --repair-utf8       repair invalid UTF-8 in JSONL text instead of failing\n"
            "      --memory LIMIT      bounded memory (512M, 4G): texts and tokens in a mapped\n"
            "                          temporary file, fingerprints and anchors within LIMIT\n"
            "                          in sorted runs on disk; same results (docs/trace.md)\n"
            "      --tmpdir DIR        where those files go (default: $TMPDIR, else /tmp)\n"
            "      --share MODE        under mpirun, how inputs are dealt to processes:\n"
            "                          records, files or auto (docs/cluster.md)\n"
            "  -j, --threads N         worker threads (default: one per CPU)\n"
            "      --progress, --no-progress  progress on stderr (default: on a terminal)\n"
            "  -q, --quiet             no warnings and no summary\n"
            "  -v, --verbose           more detail in the summary\n"
            "  -h, --help              this help\n"
            "\n"
            "Exit: 0 ok, 1 run error or records that could not be read, 2 usage error.\n");
}

/* How story and passage lines name the run's documents. */
static const char *run_id(void *ud, uint64_t doc, size_t *len)
{
    const trace_run *r = ud;
    if (doc >= r->n)
        return NULL;
    *len = r->r[doc].id_len;
    return rec_id(r, doc);
}

static const char *run_text(void *ud, uint64_t doc, size_t *len)
{
    const sd_trace *t = ((const trace_run *)ud)->job;
    const char *txt = NULL;
    *len = 0;
    if (sd_trace_doc_text(t, doc, &txt, len) != 0)
        return NULL;
    return txt;
}

static story_docs run_docs(const trace_run *r)
{
    story_docs d;
    d.id = run_id;
    d.text = run_text;
    d.ud = (void *)(uintptr_t)r;
    return d;
}

/* Which doc lines carry the document's text. */
enum { TEXT_NONE, TEXT_ALL, TEXT_IN_STORY };

static void write_doc(out *o, const trace_run *r, const sd_trace *t, uint64_t i, int with_text)
{
    const uint64_t *st = NULL;
    size_t n = 0, k;
    story_docs d = run_docs(r);
    out_str(o, "{\"type\":\"doc\",");
    out_doc_ref(o, &d, i);
    if (r->r[i].url_len) {
        out_str(o, ",\"url\":");
        out_json_str(o, rec_url(r, i), r->r[i].url_len);
    }
    if (r->r[i].date_len) {
        out_str(o, ",\"date\":");
        out_json_str(o, rec_date(r, i), r->r[i].date_len);
    }
    if (r->r[i].err >= 0) {
        const rec_error *e = &r->errs.v[r->r[i].err];
        out_str(o, ",\"stories\":[]");
        if (e->skipped) {
            out_str(o, ",\"skipped\":");
            out_json_str(o, e->msg, strlen(e->msg));
        } else {
            out_error_fields(o, e->msg, e->source, e->line, e->offset);
        }
        out_str(o, "}\n");
        return;
    }
    sd_trace_doc_stories(t, i, &st, &n);
    out_str(o, ",\"stories\":[");
    for (k = 0; k < n; k++) {
        if (k)
            out_char(o, ',');
        out_u64(o, st[k]);
    }
    out_char(o, ']');
    if (with_text == TEXT_ALL || (with_text == TEXT_IN_STORY && n)) {
        const char *txt = NULL;
        size_t len = 0;
        if (sd_trace_doc_text(t, i, &txt, &len) == 0 && txt) {
            out_str(o, ",\"text\":");
            out_json_str(o, txt, len);
        }
    }
    out_str(o, "}\n");
}

/* Every story, passage (with_passages) and doc line, in that order; with
 * `comma`, separated by commas, as items of the report's JSON array. */
static void write_lines(out *o, const trace_run *r, sd_trace *t, int with_text, int with_passages,
                        int doc_text, int comma)
{
    size_t i, items = 0;
    story_docs d = run_docs(r);
    for (i = 0; i < sd_trace_story_count(t); i++) {
        if (comma && items++)
            out_char(o, ',');
        out_story(o, &d, sd_trace_story(t, i), with_text);
        if (i % 256 == 255)
            let_go(r, t); /* with --memory: the texts and records read so far */
    }
    for (i = 0; with_passages && i < sd_trace_passage_count(t); i++) {
        if (comma && items++)
            out_char(o, ',');
        out_passage(o, &d, sd_trace_passage(t, i));
        if (i % 1024 == 1023)
            let_go(r, t);
    }
    for (i = 0; i < r->n; i++) {
        if (comma && items++)
            out_char(o, ',');
        write_doc(o, r, t, i, doc_text);
        if (i % 1024 == 1023)
            let_go(r, t);
    }
}

/* The story report into h, opened on its file: every story with its text,
 * every passage, and the texts of the documents in a story. */
static void write_report(out *h, const trace_run *r, sd_trace *t)
{
    report_head(h);
    write_lines(h, r, t, 1, 1, TEXT_IN_STORY, 1);
    report_tail(h);
}

enum {
    OPT_MAX_DF = 256,
    OPT_MIN_ID,
    OPT_EXACT,
    OPT_PASSAGES,
    OPT_NO_TEXT,
    OPT_SEED,
    OPT_ID_FIELD,
    OPT_TEXT_FIELD,
    OPT_REPAIR,
    OPT_PROGRESS,
    OPT_NO_PROGRESS,
    OPT_HTML_FIELD,
    OPT_WHOLE_PAGE,
    OPT_DOC_TEXT,
    OPT_HTML,
    OPT_SHARE,
    OPT_MEMORY,
    OPT_TMPDIR,
    OPT_ALL_TEXT,
    OPT_FORMAT
};

static const struct option long_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"min-passage", required_argument, NULL, 'm'},
    {"max-df", required_argument, NULL, OPT_MAX_DF},
    {"min-identity", required_argument, NULL, OPT_MIN_ID},
    {"exact", no_argument, NULL, OPT_EXACT},
    {"all-text", no_argument, NULL, OPT_ALL_TEXT},
    {"passages", no_argument, NULL, OPT_PASSAGES},
    {"no-text", no_argument, NULL, OPT_NO_TEXT},
    {"doc-text", no_argument, NULL, OPT_DOC_TEXT},
    {"html", required_argument, NULL, OPT_HTML},
    {"share", required_argument, NULL, OPT_SHARE},
    {"memory", required_argument, NULL, OPT_MEMORY},
    {"tmpdir", required_argument, NULL, OPT_TMPDIR},
    {"seed", required_argument, NULL, OPT_SEED},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"id-field", required_argument, NULL, OPT_ID_FIELD},
    {"text-field", required_argument, NULL, OPT_TEXT_FIELD},
    {"repair-utf8", no_argument, NULL, OPT_REPAIR},
    {"html-field", required_argument, NULL, OPT_HTML_FIELD},
    {"whole-page", no_argument, NULL, OPT_WHOLE_PAGE},
    {"threads", required_argument, NULL, 'j'},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Remembers a record's id, URL, date and error; returns 0 or -1 with errno
 * set. */
static int remember(trace_run *r, const sd_record *rec, const char *skip)
{
    int32_t err = -1;
    if (rec->error || skip) {
        const char *msg = skip ? skip : rec->errmsg ? rec->errmsg : sd_strerror(rec->error);
        const char *src = skip ? NULL : rec->source ? rec->source : "-";
        err = rec_errors_add(&r->errs, msg, strlen(msg), skip != NULL, src, src ? strlen(src) : 0,
                             skip ? 0 : rec->line, skip ? 0 : rec->offset);
        if (err < 0) {
            errno = ENOMEM;
            return -1;
        }
    }
    if (r->mapped && r->n % 4096 == 0)
        let_go(r, NULL);
    return records_put(r, r->n, rec->id, rec->id ? rec->id_len : 0, rec->url,
                       rec->url ? rec->url_len : 0, rec->date, rec->date ? rec->date_len : 0, err);
}

/* ---- under mpirun: every record's metadata to process 0 ---- */

typedef struct wbuf {
    char *p;
    size_t n, cap;
    int failed;
} wbuf;

static void w_put(wbuf *w, const void *p, size_t n)
{
    if (w->failed)
        return;
    if (w->n + n > w->cap) {
        size_t cap = w->cap ? w->cap : 1 << 16;
        char *q;
        while (cap < w->n + n)
            cap *= 2;
        q = realloc(w->p, cap);
        if (q == NULL) {
            w->failed = 1;
            return;
        }
        w->p = q;
        w->cap = cap;
    }
    if (n)
        memcpy(w->p + w->n, p, n);
    w->n += n;
}

/* A string with its length; UINT64_MAX for NULL. */
static void w_str(wbuf *w, const char *s, size_t n)
{
    uint64_t len = s ? n : UINT64_MAX;
    w_put(w, &len, 8);
    if (s)
        w_put(w, s, n);
}

/* A string written by w_str: where it is in the buffer and its length
 * (NULL for NULL). 0, or -1 past the end. */
static int r_view(const char **at, const char *end, const char **s, size_t *n)
{
    uint64_t len;
    if (end - *at < 8)
        return -1;
    memcpy(&len, *at, 8);
    *at += 8;
    *s = NULL;
    *n = 0;
    if (len == UINT64_MAX)
        return 0;
    if (len > (uint64_t)(end - *at))
        return -1;
    *s = *at;
    *n = (size_t)len;
    *at += len;
    return 0;
}

/* Every record's global index, id, URL, date and error, into w for process
 * 0: 32 bytes (index, skipped, line, offset), then five strings. */
static void pack_records(trace_run *r, const sd_comm *c, wbuf *w)
{
    size_t i;
    for (i = 0; i < r->n; i++) {
        const trec *x = &r->r[i];
        const rec_error *e = x->err >= 0 ? &r->errs.v[x->err] : NULL;
        uint64_t v[4];
        v[0] = sd_share_record(&c->share, i);
        v[1] = e ? (uint64_t)e->skipped : 0;
        v[2] = e ? e->line : 0;
        v[3] = e ? e->offset : 0;
        w_put(w, v, sizeof v);
        w_str(w, rec_id(r, i), x->id_len);
        w_str(w, e ? e->msg : NULL, e ? strlen(e->msg) : 0);
        w_str(w, x->url_len ? rec_url(r, i) : NULL, x->url_len);
        w_str(w, x->date_len ? rec_date(r, i) : NULL, x->date_len);
        w_str(w, e ? e->source : NULL, e && e->source ? strlen(e->source) : 0);
    }
}

/* On process 0: the records of every process, packed in got[0..total),
 * put back at their indexes. 0 or -1 after saying why. */
static int unpack_records(trace_run *r, const char *got, uint64_t total)
{
    const char *at = got, *end = got + total;
    /* a record is at least 72 bytes: 32 fixed, its five strings 8 or more */
    while (at < end) {
        uint64_t v[4];
        const char *id, *msg, *url, *date, *src;
        size_t id_len, msg_len, url_len, date_len, src_len;
        int32_t err = -1;
        if (end - at < 32)
            goto damaged;
        memcpy(v, at, sizeof v);
        at += sizeof v;
        if (r_view(&at, end, &id, &id_len) || r_view(&at, end, &msg, &msg_len) ||
            r_view(&at, end, &url, &url_len) || r_view(&at, end, &date, &date_len) ||
            r_view(&at, end, &src, &src_len) || v[0] >= total / 72)
            goto damaged;
        if (msg &&
            (err = rec_errors_add(&r->errs, msg, msg_len, v[1] != 0, src, src_len, v[2], v[3])) < 0)
            goto oom;
        if (records_put(r, (size_t)v[0], id, id_len, url, url_len, date, date_len, err) != 0)
            goto oom;
    }
    return 0;
damaged:
    cli_error("a record from another process is damaged");
    return -1;
oom:
    cli_error("out of memory");
    return -1;
}

/*
 * Sends every record's id, URL, date and error to process 0, which puts
 * them at their indexes in the whole input; the others keep none. 0 or -1
 * after saying why.
 */
static int gather_records(trace_run *r, const sd_comm *c)
{
    unsigned np = c->share.count, p;
    char **bufs = calloc(np, sizeof *bufs), *got = NULL;
    size_t *lens = calloc(np, sizeof *lens);
    uint64_t *glen = calloc(np, sizeof *glen), total = 0;
    wbuf w = {0};
    int rc = -1;
    if (!bufs || !lens || !glen)
        goto oom;
    pack_records(r, c, &w);
    if (w.failed)
        goto oom;
    bufs[0] = w.p;
    lens[0] = w.n;
    if (comm_swap(c, bufs, lens, &got, glen) != 0)
        goto done;
    records_release(r); /* process 0 puts every record back, at its index */
    if (c->share.index == 0) {
        for (p = 0; p < np; p++)
            total += glen[p];
        if (unpack_records(r, got, total) != 0)
            goto done;
    }
    rc = 0;
    goto done;
oom:
    cli_error("out of memory");
done:
    free(w.p);
    free(bufs);
    free(lens);
    free(glen);
    free(got);
    return rc;
}

/* One run of `syndic trace`: its options, the reader and the job, the
 * records kept for the output, and the batch being filled. */
typedef struct trace_cmd {
    sd_trace_options topt;
    sd_reader_options ropt;
    sd_reader *reader;
    sd_trace *job;
    sd_page_reader *pages;
    sd_comm *comm;
    trace_run r;
    out o;
    int out_opened;
    progress prog;
    const char *output, *html, *share_mode;
    int show_progress, with_passages, with_text, whole_page, doc_text;
    char **inputs;
    int n_inputs;
    sd_trace_doc *docs; /* the batch: nb documents, their texts in the arena */
    char *arena;
    size_t arena_cap, nb, used;
    record_warnings warned;
    double t0;
} trace_cmd;

/* Reads the options into tc. Returns -1 to go on, or the exit status. */
static int parse_args(trace_cmd *tc, int argc, char **argv)
{
    int c;
    unsigned seed = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:m:j:qvh", long_opts, NULL)) != -1) {
        switch (c) {
        case 'o': tc->output = optarg; break;
        case 'm':
            if (parse_unsigned("--min-passage", optarg, 4, 100000, &tc->topt.min_passage))
                return EXIT_USAGE;
            break;
        case OPT_MAX_DF:
            if (parse_unsigned("--max-df", optarg, 2, 0xFFFFFFFFu, &tc->topt.max_df))
                return EXIT_USAGE;
            break;
        case OPT_MIN_ID:
            if (parse_double("--min-identity", optarg, 0.0, 1.0, &tc->topt.min_identity))
                return EXIT_USAGE;
            break;
        case OPT_EXACT: tc->topt.exact = 1; break;
        case OPT_ALL_TEXT: tc->topt.all_text = 1; break;
        case OPT_PASSAGES: tc->with_passages = 1; break;
        case OPT_NO_TEXT: tc->with_text = 0; break;
        case OPT_DOC_TEXT: tc->doc_text = TEXT_ALL; break;
        case OPT_HTML: tc->html = optarg; break;
        case OPT_MEMORY:
            if (parse_size("--memory", optarg, 1u << 20, &tc->topt.memory_limit))
                return EXIT_USAGE;
            break;
        case OPT_TMPDIR: tc->topt.tmpdir = optarg; break;
        case OPT_SHARE:
            if (!share_mode_ok(optarg))
                return EXIT_USAGE;
            tc->share_mode = optarg;
            break;
        case OPT_SEED:
            if (parse_unsigned("--seed", optarg, 0, 0xFFFFFFFFu, &seed))
                return EXIT_USAGE;
            tc->topt.seed = seed;
            break;
        case OPT_FORMAT:
            if (parse_format(optarg, &tc->ropt.format))
                return EXIT_USAGE;
            break;
        case OPT_ID_FIELD: tc->ropt.id_field = optarg; break;
        case OPT_TEXT_FIELD: tc->ropt.text_field = optarg; break;
        case OPT_REPAIR: tc->ropt.repair_utf8 = 1; break;
        case OPT_HTML_FIELD: tc->ropt.html_field = optarg; break;
        case OPT_WHOLE_PAGE: tc->whole_page = 1; break;
        case 'j':
            if (parse_unsigned("--threads", optarg, 1, 256, &tc->topt.threads))
                return EXIT_USAGE;
            break;
        case OPT_PROGRESS: tc->show_progress = 1; break;
        case OPT_NO_PROGRESS: tc->show_progress = 0; break;
        case 'q': cli_quiet = 1; break;
        case 'v': cli_verbose = 1; break;
        case 'h': usage(stdout); return EXIT_OK;
        default: return cli_bad_option("trace", long_opts, c, argv);
        }
    }
    if (optind >= argc) {
        cli_error("trace: no input; give files, directories or - for standard input");
        cli_see_help("trace");
        return EXIT_USAGE;
    }
    tc->inputs = argv + optind;
    tc->n_inputs = argc - optind;
    if (tc->show_progress && cli_quiet)
        tc->show_progress = 0;
    if ((tc->comm = mpi_comm()) != NULL) {
        tc->topt.comm = tc->comm;
        if (share_choose(tc->comm, tc->share_mode, tc->inputs, tc->n_inputs) != 0)
            return EXIT_USAGE;
        tc->ropt.share = tc->comm->share;
        if (tc->comm->share.index != 0)
            tc->show_progress = 0;
    }
    return -1;
}

/* Checks the outputs, makes the reader, the job and the output, and the
 * batch's room. Returns 0, or the exit status. */
static int open_run(trace_cmd *tc)
{
    char why[SD_ERRBUF_SIZE];
    int i;
    if (mpi_rank() == 0) {
        /* every output can be written, before hours of reading */
        const out_path outs[] = {{"-o", tc->output, 0}, {"--html", tc->html, 0}};
        if (out_check_paths(outs, 2, tc->inputs, tc->n_inputs) != 0)
            return tc->comm ? EXIT_RUN : EXIT_USAGE;
    }
    if (sd_reader_new(&tc->ropt, &tc->reader, why) != 0 ||
        sd_trace_new(&tc->topt, &tc->job, why) != 0 ||
        sd_page_reader_new(tc->reader, NULL,
                           SD_PAGE_KEEP_EMPTY | (tc->whole_page ? SD_PAGE_WHOLE : 0),
                           tc->topt.threads, &tc->pages, why) != 0) {
        cli_error("%s", why);
        return EXIT_RUN;
    }
    for (i = 0; i < tc->n_inputs; i++)
        if (sd_reader_add(tc->reader, tc->inputs[i]) != 0) {
            cli_error("out of memory");
            return EXIT_RUN;
        }
    /* with --html, JSON lines go out only to a file named by -o */
    if (mpi_rank() == 0 ? out_open(&tc->o, tc->html && !tc->output ? "/dev/null" : tc->output) != 0
                        : out_open_mem(&tc->o) != 0)
        return EXIT_RUN;
    tc->out_opened = 1;
    progress_init(&tc->prog, tc->show_progress);
    if (!tc->comm) /* under mpirun a process reads a share: no total */
        progress_total(&tc->prog, tc->inputs, tc->n_inputs);
    tc->t0 = now_seconds();
    tc->arena_cap = batch_bytes(tc->topt.memory_limit, BATCH_BYTES);
    if (tc->topt.memory_limit) {
        tc->r.mapped = 1;
        sd_fmap_init(&tc->r.rmap, tc->topt.tmpdir, 0);
        sd_fmap_init(&tc->r.smap, tc->topt.tmpdir, 0);
    }
    tc->docs = malloc(BATCH_DOCS * sizeof *tc->docs);
    tc->arena = malloc(tc->arena_cap);
    if (!tc->docs || !tc->arena) {
        cli_error("out of memory");
        return EXIT_RUN;
    }
    return 0;
}

/* Hands documents to the job. Returns 0, or -1 having said why. */
static int add_docs(trace_cmd *tc, const sd_trace_doc *d, size_t n)
{
    if (sd_trace_add(tc->job, d, n) != 0) {
        cli_error("%s", sd_trace_errmsg(tc->job));
        return -1;
    }
    return 0;
}

/* Copies a record's text, date and URL into the arena as the batch's next
 * document; a record larger than the arena (which is empty then: the batch
 * was just handed over) goes to the job straight from the reader, not
 * copied, so it is not held twice. Returns 0, or -1 having said why. */
static int take_text(trace_cmd *tc, const sd_record *rec)
{
    sd_trace_doc *d = &tc->docs[tc->nb];
    if (rec->text_len + rec->date_len + rec->url_len > tc->arena_cap) {
        sd_trace_doc one;
        memset(&one, 0, sizeof one);
        one.text = rec->text;
        one.len = rec->text_len;
        one.date = rec->date;
        one.date_len = rec->date ? rec->date_len : 0;
        one.url = rec->url;
        one.url_len = rec->url ? rec->url_len : 0;
        return add_docs(tc, &one, 1);
    }
    memcpy(tc->arena + tc->used, rec->text, rec->text_len);
    d->text = tc->arena + tc->used;
    d->len = rec->text_len;
    tc->used += rec->text_len;
    if (rec->date && rec->date_len && tc->used + rec->date_len <= tc->arena_cap) {
        memcpy(tc->arena + tc->used, rec->date, rec->date_len);
        d->date = tc->arena + tc->used;
        d->date_len = rec->date_len;
        tc->used += rec->date_len;
    }
    if (rec->url && rec->url_len && tc->used + rec->url_len <= tc->arena_cap) {
        memcpy(tc->arena + tc->used, rec->url, rec->url_len);
        d->url = tc->arena + tc->used;
        d->url_len = rec->url_len;
        tc->used += rec->url_len;
    }
    tc->nb++;
    return 0;
}

/* Remembers a record (art: its page's article, when it is a page) for the
 * output, and puts its text in the batch: an empty document for a record
 * that failed or a page without text, which keeps the job's numbers the
 * records'. Returns 0, or -1 having said why. */
static int take_record(trace_cmd *tc, sd_record *rec, const sd_article *art)
{
    char skip[160];
    skip[0] = '\0';
    if (rec->error == 0 && rec->text == NULL && art)
        snprintf(skip, sizeof skip, "page has no %s (%s)", tc->whole_page ? "text" : "article text",
                 art->reason ? art->reason : "empty");
    else if (rec->error == 0 && rec->text == NULL) {
        rec->error = SD_EMISSING;
        rec->errmsg = "record has no text";
    }
    if (remember(&tc->r, rec, skip[0] ? skip : NULL) != 0) {
        cli_error(tc->r.mapped ? "--memory: cannot grow a temporary file: %s" : "out of memory: %s",
                  strerror(errno));
        return -1;
    }
    memset(&tc->docs[tc->nb], 0, sizeof tc->docs[tc->nb]);
    if (rec->error || skip[0] || rec->text == NULL) {
        if (rec->error)
            warn_record(&tc->warned, rec, tc->r.errs.v[tc->r.r[tc->r.n - 1].err].msg);
        tc->nb++;
        return 0;
    }
    return take_text(tc, rec);
}

/* Reads every record: each is remembered for the output, and its text
 * added to the job in batches. Returns 0, or -1 having said why. */
static int read_inputs(trace_cmd *tc)
{
    for (;;) {
        sd_record rec;
        const sd_article *art;
        int rc = sd_page_reader_next(tc->pages, &rec, &art);
        if (rc < 0) {
            cli_error("cannot read input: %s", sd_page_reader_errmsg(tc->pages));
            return -1;
        }
        /* hand the batch over when it is full or the input ends; texts
         * live in the arena until then, since a record's pointers last
         * only until the next read */
        if (tc->nb && (rc == 0 || tc->nb == BATCH_DOCS ||
                       (rec.error == 0 && rec.text &&
                        tc->used + rec.text_len + rec.date_len + rec.url_len > tc->arena_cap))) {
            if (add_docs(tc, tc->docs, tc->nb) != 0)
                return -1;
            progress_read(&tc->prog, sd_reader_bytes(tc->reader), tc->r.n);
            tc->nb = 0;
            tc->used = 0;
        }
        if (rc == 0)
            return 0;
        if (take_record(tc, &rec, art) != 0)
            return -1;
    }
}

/* Finishes the job and writes the lines and the report. Returns 0, or -1
 * having said why. */
static int finish_and_write(trace_cmd *tc)
{
    if (tc->comm && share_files_read(tc->comm, tc->reader, tc->r.n) != 0)
        return -1;
    if (sd_trace_finish(tc->job, tc->show_progress ? progress_cb : NULL, &tc->prog) != 0) {
        cli_error("%s", sd_trace_errmsg(tc->job));
        return -1;
    }
    tc->r.job = tc->job;
    progress_done(&tc->prog);
    if (tc->comm) {
        /* process 0 writes everything; the others have nothing to say */
        if (gather_records(&tc->r, tc->comm) != 0)
            return -1;
        if (tc->comm->share.index != 0) {
            cli_quiet = 1;
            tc->html = NULL;
        }
    }
    write_lines(&tc->o, &tc->r, tc->job, tc->with_text, tc->with_passages, tc->doc_text, 0);
    if (tc->html) {
        /* the JSON lines and the report go in place together, at the end */
        out h;
        if (out_open(&h, tc->html) != 0)
            return -1;
        write_report(&h, &tc->r, tc->job);
        if (out_close(&h) != 0)
            return -1;
    }
    tc->out_opened = 0;
    return out_close(&tc->o) != 0 ? -1 : 0;
}

/* The summary on stderr. */
static void summarize(const trace_cmd *tc)
{
    sd_trace_stats st;
    double secs = now_seconds() - tc->t0;
    const trace_run *r = &tc->r;
    if (cli_quiet)
        return;
    sd_trace_get_stats(tc->job, &st);
    fprintf(stderr, "syndic: %zu %s, %llu %s, %llu %s, %zu %s; %.1f MB in %.2f s (%.1f MB/s)\n",
            r->n, noun(r->n, "document", "documents"), (unsigned long long)st.stories,
            noun(st.stories, "story", "stories"), (unsigned long long)st.passages,
            noun(st.passages, "passage", "passages"), r->errs.failed,
            noun(r->errs.failed, "error", "errors"), (double)st.bytes / 1e6, secs,
            secs > 0 ? (double)st.bytes / 1e6 / secs : 0.0);
    if (st.dropped)
        fprintf(stderr,
                "syndic: --max-df %u: %llu fingerprints found in more documents were left out; "
                "text printed more often than that links nothing\n",
                st.max_df, (unsigned long long)st.dropped);
    if (cli_verbose)
        fprintf(stderr,
                "syndic: k %u, window %u; %llu fingerprints of article prose, %llu candidate "
                "pairs; %llu passages between pages of one site that no other site prints "
                "left out\n",
                st.k, st.w, (unsigned long long)st.fingerprints, (unsigned long long)st.pairs,
                (unsigned long long)st.site_passages);
    if (cli_verbose && tc->topt.memory_limit) {
        char sp[32];
        fmt_bytes(sp, sizeof sp, st.spilled);
        fprintf(stderr, "syndic: %s written to temporary files\n", sp);
    }
    if (cli_verbose && tc->comm) {
        char ex[32];
        fmt_bytes(ex, sizeof ex, st.exchanged);
        fprintf(stderr,
                "syndic: %u %s; %s of fingerprints, anchors and texts exchanged "
                "(%.0f bytes per document)\n",
                tc->comm->share.count, noun(tc->comm->share.count, "process", "processes"), ex,
                r->n ? (double)st.exchanged / (double)r->n : 0.0);
    }
    if (tc->html)
        fprintf(stderr, "syndic: story report written to %s\n", tc->html);
}

/* Frees what the run holds; a run that did not complete under mpirun
 * stops the other processes, which would wait for this one. */
static void release_cmd(trace_cmd *tc, int completed)
{
    if (!completed && tc->comm)
        mpi_abort(EXIT_RUN);
    if (tc->out_opened)
        out_abort(&tc->o);
    records_release(&tc->r);
    free(tc->docs);
    free(tc->arena);
    sd_trace_free(tc->job);
    sd_page_reader_free(tc->pages);
    sd_reader_free(tc->reader);
}

int cmd_trace(int argc, char **argv)
{
    trace_cmd tc;
    int status, completed = 0;
    memset(&tc, 0, sizeof tc);
    sd_trace_options_init(&tc.topt);
    sd_reader_options_init(&tc.ropt);
    tc.share_mode = "auto";
    tc.show_progress = progress_default();
    tc.with_text = 1;
    tc.doc_text = TEXT_NONE;
    if ((status = parse_args(&tc, argc, argv)) >= 0)
        return status;
    if ((status = open_run(&tc)) == 0) {
        status = EXIT_RUN;
        if (read_inputs(&tc) == 0 && finish_and_write(&tc) == 0) {
            summarize(&tc);
            status = tc.r.errs.failed ? EXIT_RUN : EXIT_OK;
            completed = 1;
        }
    }
    release_cmd(&tc, completed);
    return status;
}
