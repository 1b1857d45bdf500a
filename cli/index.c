/*
 * index.c: `syndic index`, a persistent index for a stream of pages
 * (docs/index.md): create, add, query, stories, docs, report, expire,
 * stats, check. It uses only the index API of syndic.h.
 *
 * add and query read their inputs as trace does (pages by their article
 * text, in batches on the extractor's pool), hand the pages to the index a
 * chunk at a time inside one batch, and write one "page" line per input
 * record, in input order, once the whole batch is in: what the batch left
 * is what each page is answered. add commits the batch after the lines
 * are written; a failure before that leaves the index as it was.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CHUNK_BYTES (32u << 20)
#define CHUNK_DOCS 4096

enum {
    OPT_MAP_SIZE = 256,
    OPT_THRESHOLD,
    OPT_NGRAM,
    OPT_NUM_PERM,
    OPT_BANDS,
    OPT_ROWS,
    OPT_MIN_ID,
    OPT_EXACT,
    OPT_ALL_TEXT,
    OPT_WHOLE_PAGE,
    OPT_SEED,
    OPT_FORMAT,
    OPT_ID_FIELD,
    OPT_TEXT_FIELD,
    OPT_HTML_FIELD,
    OPT_REPAIR,
    OPT_MEMORY,
    OPT_SINCE,
    OPT_MIN_COPIES,
    OPT_NO_TEXT,
    OPT_PASSAGES,
    OPT_BEFORE,
    OPT_PROGRESS,
    OPT_NO_PROGRESS
};

static const struct option long_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"map-size", required_argument, NULL, OPT_MAP_SIZE},
    {"threshold", required_argument, NULL, OPT_THRESHOLD},
    {"ngram", required_argument, NULL, OPT_NGRAM},
    {"num-perm", required_argument, NULL, OPT_NUM_PERM},
    {"bands", required_argument, NULL, OPT_BANDS},
    {"rows", required_argument, NULL, OPT_ROWS},
    {"min-passage", required_argument, NULL, 'm'},
    {"min-identity", required_argument, NULL, OPT_MIN_ID},
    {"exact", no_argument, NULL, OPT_EXACT},
    {"all-text", no_argument, NULL, OPT_ALL_TEXT},
    {"whole-page", no_argument, NULL, OPT_WHOLE_PAGE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"id-field", required_argument, NULL, OPT_ID_FIELD},
    {"text-field", required_argument, NULL, OPT_TEXT_FIELD},
    {"html-field", required_argument, NULL, OPT_HTML_FIELD},
    {"repair-utf8", no_argument, NULL, OPT_REPAIR},
    {"memory", required_argument, NULL, OPT_MEMORY},
    {"since", required_argument, NULL, OPT_SINCE},
    {"min-copies", required_argument, NULL, OPT_MIN_COPIES},
    {"no-text", no_argument, NULL, OPT_NO_TEXT},
    {"passages", no_argument, NULL, OPT_PASSAGES},
    {"before", required_argument, NULL, OPT_BEFORE},
    {"threads", required_argument, NULL, 'j'},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: syndic index create INDEX [options]\n"
            "       syndic index add    INDEX [options] INPUT...\n"
            "       syndic index query  INDEX [options] INPUT...\n"
            "       syndic index stories INDEX [--since DATE] [--min-copies N] [-o FILE]\n"
            "       syndic index docs   INDEX [-o FILE]\n"
            "       syndic index report INDEX -o report.html [--since DATE] [--min-copies N]\n"
            "       syndic index expire INDEX --before DATE\n"
            "       syndic index stats  INDEX\n"
            "       syndic index check  INDEX\n"
            "\n"
            "Keeps pages as they arrive in INDEX, a directory (an LMDB environment), and\n"
            "answers for each new page what dedup and trace would answer over every page\n"
            "kept: its near-duplicate, and the stories it joins or starts (docs/index.md).\n"
            "add writes one \"page\" JSON line per input record, in input order; query\n"
            "writes the same without adding; stories writes trace's \"story\" lines; docs\n"
            "one \"doc\" line per document kept; report the story report (a web page);\n"
            "expire removes the pages dated before DATE; check reads the index through.\n"
            "A batch (one add) is one transaction: all of it is added, or none.\n"
            "\n"
            "INPUT: as for trace: files, directories, JSONL, HTML pages, WARC, - for stdin.\n"
            "Dates come from the records (a JSONL date field, WARC-Date).\n"
            "\n"
            "  -o, --output FILE       write the lines (the report) to FILE (default: stdout)\n"
            "      --map-size SIZE     most the index may grow to (default 64G for a new one;\n"
            "                          a larger value grows an index that is full)\n"
            "  -m, --min-passage N     fixed at creation: as for trace (default 30)\n"
            "      --min-identity X    fixed at creation: as for trace (default 0.5)\n"
            "      --exact             fixed at creation: as for trace\n"
            "      --all-text          fixed at creation: as for trace\n"
            "      --whole-page        fixed at creation: pages compared by all their text\n"
            "      --threshold X       fixed at creation: as for dedup (default 0.8)\n"
            "      --ngram N           fixed at creation: as for dedup (default 5)\n"
            "      --num-perm N        fixed at creation: as for dedup (default 256)\n"
            "      --bands N           fixed at creation: as for dedup, with --rows\n"
            "      --rows N            fixed at creation: as for dedup, with --bands\n"
            "      --seed N            fixed at creation: hash seed (default 0)\n"
            "      --format F          read every input as F: jsonl, json, text, html,\n"
            "                          warc, csv or tsv (default: told from its content)\n"
            "      --id-field F        JSON field or CSV column of the id (default id)\n"
            "      --text-field F      JSON field or CSV column of the text (default text)\n"
            "      --html-field F      JSON field or CSV column of a page's HTML (default html)\n"
            "      --repair-utf8       repair invalid UTF-8 in JSONL text instead of failing\n"
            "      --memory LIMIT      texts handed to the index at a time: at most a 16th of\n"
            "                          LIMIT (default 32M at a time)\n"
            "      --since DATE        stories, report: stories with a copy dated DATE or\n"
            "                          later (ISO 8601; a page without a date is dated when\n"
            "                          it was added)\n"
            "      --min-copies N      stories, report: stories of N copies or more\n"
            "      --no-text           stories: no consensus text\n"
            "      --passages          stories: each story's passages too\n"
            "      --before DATE       expire: remove the pages dated before DATE\n"
            "  -j, --threads N         worker threads (default: one per CPU)\n"
            "      --progress, --no-progress  progress on stderr (default: on a terminal)\n"
            "  -q, --quiet             no warnings and no summary\n"
            "  -v, --verbose           more detail in the summary\n"
            "  -h, --help              this help\n"
            "\n"
            "Exit: 0 ok, 1 run error or records that could not be read, 2 usage error.\n");
}

/* ---- documents named through the index ---- */

static const char *ix_id(void *ud, uint64_t doc, size_t *len)
{
    sd_index_doc d;
    if (sd_index_doc_get(ud, doc, &d) != 0 || !d.id)
        return NULL;
    *len = d.id_len;
    return d.id;
}

static const char *ix_text(void *ud, uint64_t doc, size_t *len)
{
    sd_index_doc d;
    if (sd_index_doc_get(ud, doc, &d) != 0)
        return NULL;
    *len = d.len;
    return d.text;
}

static story_docs ix_docs(sd_index *ix)
{
    story_docs d;
    d.id = ix_id;
    d.text = ix_text;
    d.ud = ix;
    return d;
}

/* A "doc" line: the document, its stories, its dedup state; with_text
 * its text. 0, or -1 when it cannot be read (said). */
static int write_doc(out *o, sd_index *ix, uint64_t doc, int with_text)
{
    sd_index_doc d;
    size_t k;
    int rc = sd_index_doc_get(ix, doc, &d);
    if (rc == 1)
        return 0;
    if (rc) {
        cli_error("%s", sd_index_errmsg(ix));
        return -1;
    }
    out_str(o, "{\"type\":\"doc\",\"doc\":");
    out_u64(o, doc);
    out_str(o, ",\"id\":");
    if (d.id)
        out_json_str(o, d.id, d.id_len);
    else
        out_str(o, "null");
    if (d.url) {
        out_str(o, ",\"url\":");
        out_json_str(o, d.url, d.url_len);
    }
    if (d.date) {
        out_str(o, ",\"date\":");
        out_json_str(o, d.date, d.date_len);
    }
    out_str(o, ",\"stories\":[");
    for (k = 0; k < d.n_stories; k++) {
        if (k)
            out_char(o, ',');
        out_u64(o, d.stories[k]);
    }
    out_char(o, ']');
    if (with_text) {
        out_str(o, ",\"text\":");
        out_json_str(o, d.text, d.len);
    }
    if (d.duplicate) {
        uint64_t rep = d.duplicate_of;
        double sim = d.similarity;
        int exact = d.exact;
        sd_index_doc r;
        out_str(o, ",\"duplicate_of\":");
        if (sd_index_doc_get(ix, rep, &r) == 0 && r.id)
            out_json_str(o, r.id, r.id_len);
        else
            out_str(o, "null");
        out_str(o, ",\"duplicate_doc\":");
        out_u64(o, rep);
        out_str(o, ",\"similarity\":");
        out_json_num(o, sim);
        if (exact)
            out_str(o, ",\"exact\":true");
    } else {
        out_str(o, ",\"duplicate_of\":null,\"similarity\":null");
    }
    out_str(o, "}\n");
    return 0;
}

/* ---- the records of an add or query ---- */

/* What is kept per input record until the answers are written: nothing
 * for a page handed to the index (its answer comes in order), or its id
 * and why it was not (err, in the rec_errors). */
typedef struct irec {
    int32_t err; /* -1: handed to the index */
    char *id;
} irec;

typedef struct irecs {
    irec *v;
    size_t n, cap;
    rec_errors errs;
} irecs;

/* Keeps record rec: handed to the index (put), or not, because it failed
 * or, with skip, was skipped for that reason. */
static int irec_add(irecs *r, const sd_record *rec, int put, const char *skip)
{
    irec *x;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 1024;
        irec *p = realloc(r->v, cap * sizeof *p);
        if (!p)
            return -1;
        r->v = p;
        r->cap = cap;
    }
    x = &r->v[r->n];
    x->err = -1;
    x->id = NULL;
    if (!put) {
        if ((x->err = rec_errors_add_record(&r->errs, rec, skip)) < 0)
            return -1;
        if (rec->id && (x->id = strndup(rec->id, rec->id_len)) == NULL)
            return -1;
    }
    r->n++;
    return 0;
}

static void irecs_release(irecs *r)
{
    size_t i;
    for (i = 0; i < r->n; i++)
        free(r->v[i].id);
    free(r->v);
    rec_errors_release(&r->errs);
}

/* The "page" line of a record that was not handed to the index. */
static void write_unput(out *o, const irecs *r, const irec *x)
{
    const rec_error *e = &r->errs.v[x->err];
    out_str(o, "{\"type\":\"page\",\"id\":");
    if (x->id)
        out_json_str(o, x->id, strlen(x->id));
    else
        out_str(o, "null");
    if (e->skipped) {
        out_str(o, ",\"skipped\":");
        out_json_str(o, e->msg, strlen(e->msg));
    } else {
        out_error_fields(o, e->msg, e->source, e->line, e->offset);
    }
    out_str(o, "}\n");
}

/* Counts for the summary. */
typedef struct tally {
    uint64_t pages, duplicates, in_story, started, joined, merges, failed, skipped;
} tally;

/* The "page" line of the i-th page of the batch. 0 or -1 (said). */
static int write_page(out *o, sd_index *ix, size_t i, tally *t)
{
    sd_index_answer a;
    story_docs sd = ix_docs(ix);
    size_t k, j;
    if (sd_index_get_answer(ix, i, &a) != 0) {
        cli_error("%s", sd_index_errmsg(ix));
        return -1;
    }
    out_str(o, "{\"type\":\"page\",");
    out_doc_ref(o, &sd, a.doc);
    {
        sd_index_doc d;
        if (sd_index_doc_get(ix, a.doc, &d) == 0) {
            if (d.url) {
                out_str(o, ",\"url\":");
                out_json_str(o, d.url, d.url_len);
            }
            if (d.date) {
                out_str(o, ",\"date\":");
                out_json_str(o, d.date, d.date_len);
            }
        }
    }
    t->pages++;
    if (a.duplicate) {
        sd_index_doc r;
        t->duplicates++;
        out_str(o, ",\"duplicate_of\":");
        if (sd_index_doc_get(ix, a.duplicate_of, &r) == 0 && r.id)
            out_json_str(o, r.id, r.id_len);
        else
            out_str(o, "null");
        out_str(o, ",\"duplicate_doc\":");
        out_u64(o, a.duplicate_of);
        out_str(o, ",\"similarity\":");
        out_json_num(o, a.similarity);
        if (a.exact)
            out_str(o, ",\"exact\":true");
    } else {
        out_str(o, ",\"duplicate_of\":null,\"similarity\":null");
    }
    out_str(o, ",\"stories\":[");
    t->in_story += a.n_stories > 0;
    for (k = 0; k < a.n_stories; k++) {
        const sd_index_story_ref *r = &a.stories[k];
        out_str(o, k ? ",{" : "{");
        out_story_head(o, &sd, r->s);
        out_printf(o, ",\"status\":\"%s\"", r->started ? "started" : "joined");
        t->started += r->started != 0;
        t->joined += r->started == 0;
        if (r->n_merged) {
            t->merges += r->n_merged;
            out_str(o, ",\"merged\":[");
            for (j = 0; j < r->n_merged; j++) {
                if (j)
                    out_char(o, ',');
                out_u64(o, r->merged[j]);
            }
            out_char(o, ']');
        }
        out_str(o, ",\"copy\":{");
        out_copy(o, &sd, r->s, r->m);
        out_str(o, "}}");
    }
    out_str(o, "]}\n");
    return 0;
}

/* ---- the subcommands ---- */

typedef struct iopts {
    const char *output, *since, *before;
    sd_index_options io;
    sd_reader_options ro;
    uint64_t memory;
    size_t min_copies;
    int with_text, passages, progress;
    int fixed_given; /* an option fixed at creation was given */
} iopts;

/* Reads the inputs into the open batch and writes the answers. */
static int add_or_query(sd_index *ix, const iopts *op, char **inputs, int ninputs, int query)
{
    sd_reader *reader = NULL;
    sd_page_reader *pages = NULL;
    sd_index_page *chunk = NULL;
    char *arena = NULL;
    size_t arena_cap = CHUNK_BYTES, nb = 0, used = 0, i, k = 0;
    irecs recs;
    record_warnings warned = {0};
    tally tl = {0};
    progress prog;
    sd_index_options io;
    sd_index_stats st;
    out o;
    int status = EXIT_RUN, out_opened = 0, rc, begun = 0;
    double t0 = now_seconds();
    char why[SD_ERRBUF_SIZE];

    memset(&recs, 0, sizeof recs);
    sd_index_get_options(ix, &io);
    arena_cap = batch_bytes(op->memory, arena_cap);
    if (sd_reader_new(&op->ro, &reader, why) != 0 ||
        sd_page_reader_new(reader, NULL, SD_PAGE_KEEP_EMPTY | (io.whole_page ? SD_PAGE_WHOLE : 0),
                           io.threads, &pages, why) != 0) {
        cli_error("index: %s", why);
        goto done;
    }
    if ((chunk = malloc(CHUNK_DOCS * sizeof *chunk)) == NULL ||
        (arena = malloc(arena_cap)) == NULL) {
        cli_error("out of memory");
        goto done;
    }
    for (i = 0; i < (size_t)ninputs; i++)
        if (sd_reader_add(reader, inputs[i]) != 0) {
            cli_error("out of memory");
            goto done;
        }
    if (out_open(&o, op->output) != 0)
        goto done;
    out_opened = 1;
    progress_init(&prog, op->progress);
    progress_total(&prog, inputs, ninputs);
    if (sd_index_begin(ix, query ? SD_INDEX_QUERY : SD_INDEX_ADD) != 0) {
        cli_error("%s", sd_index_errmsg(ix));
        goto done;
    }
    begun = 1;
    for (;;) {
        sd_record rec;
        const sd_article *art;
        char skip[160];
        rc = sd_page_reader_next(pages, &rec, &art);
        if (rc < 0) {
            cli_error("cannot read input: %s", sd_page_reader_errmsg(pages));
            goto done;
        }
        /* hand the chunk over when full or at the end; the texts live in
         * the arena until then */
        if (nb && (rc == 0 || nb == CHUNK_DOCS ||
                   (rec.error == 0 && rec.text &&
                    used + rec.text_len + rec.id_len + rec.date_len + rec.url_len > arena_cap))) {
            if (sd_index_put(ix, chunk, nb) != 0) {
                begun = 0; /* the index aborted the batch */
                cli_error("%s", sd_index_errmsg(ix));
                goto done;
            }
            progress_read(&prog, sd_reader_bytes(reader), recs.n);
            nb = 0;
            used = 0;
        }
        if (rc == 0)
            break;
        skip[0] = '\0';
        if (rec.error == 0 && rec.text == NULL && art)
            snprintf(skip, sizeof skip, "page has no %s (%s)",
                     io.whole_page ? "text" : "article text", art->reason ? art->reason : "empty");
        else if (rec.error == 0 && rec.text == NULL) {
            rec.error = SD_EMISSING;
            rec.errmsg = "record has no text";
        }
        if (rec.error || skip[0]) {
            const char *msg = skip[0] ? skip : rec.errmsg ? rec.errmsg : sd_strerror(rec.error);
            if (rec.error)
                warn_record(&warned, &rec, msg);
            if (irec_add(&recs, &rec, 0, skip[0] ? skip : NULL) != 0) {
                cli_error("out of memory");
                goto done;
            }
            if (rec.error)
                tl.failed++;
            else
                tl.skipped++;
            continue;
        }
        {
            size_t need = rec.text_len + rec.id_len + rec.date_len + rec.url_len;
            sd_index_page *p = &chunk[nb];
            char *at;
            if (need > arena_cap) {
                /* larger than the arena (empty here): handed over alone */
                char *big = malloc(need ? need : 1);
                if (!big) {
                    cli_error("out of memory");
                    goto done;
                }
                free(arena);
                arena = big;
                arena_cap = need;
            }
            at = arena + used;
            memset(p, 0, sizeof *p);
            if (rec.text && rec.text_len)
                memcpy(at, rec.text, rec.text_len);
            p->text = at;
            p->len = rec.text_len;
            at += rec.text_len;
            if (rec.id && rec.id_len) {
                memcpy(at, rec.id, rec.id_len);
                p->id = at;
                p->id_len = rec.id_len;
                at += rec.id_len;
            }
            if (rec.date && rec.date_len) {
                memcpy(at, rec.date, rec.date_len);
                p->date = at;
                p->date_len = rec.date_len;
                at += rec.date_len;
            }
            if (rec.url && rec.url_len) {
                memcpy(at, rec.url, rec.url_len);
                p->url = at;
                p->url_len = rec.url_len;
                at += rec.url_len;
            }
            used = (size_t)(at - arena);
            nb++;
            if (irec_add(&recs, &rec, 1, NULL) != 0) {
                cli_error("out of memory");
                goto done;
            }
        }
    }
    progress_done(&prog);
    /* the answers, in input order, as the whole batch leaves the index */
    for (i = 0; i < recs.n; i++) {
        if (recs.v[i].err >= 0) {
            write_unput(&o, &recs, &recs.v[i]);
            continue;
        }
        if (write_page(&o, ix, k++, &tl) != 0)
            goto done;
    }
    out_flush(&o);
    if (sd_index_commit(ix) != 0) {
        begun = 0;
        cli_error("%s", sd_index_errmsg(ix));
        if (!query)
            cli_error("nothing of this batch was added");
        goto done;
    }
    begun = 0;
    out_opened = 0;
    if (out_close(&o) != 0)
        goto done;
    if (!cli_quiet) {
        double secs = now_seconds() - t0;
        sd_index_refresh(ix);
        fprintf(stderr,
                "syndic: %llu %s %s: %llu %s of an earlier page, %llu in stories (%llu "
                "joined, %llu started",
                (unsigned long long)tl.pages, noun(tl.pages, "page", "pages"),
                query ? "queried" : "added", (unsigned long long)tl.duplicates,
                noun(tl.duplicates, "duplicate", "duplicates"), (unsigned long long)tl.in_story,
                (unsigned long long)tl.joined, (unsigned long long)tl.started);
        if (tl.merges)
            fprintf(stderr, ", %llu %s", (unsigned long long)tl.merges,
                    noun(tl.merges, "merge", "merges"));
        fprintf(stderr, "), %llu %s", (unsigned long long)tl.failed,
                noun(tl.failed, "error", "errors"));
        if (tl.skipped)
            fprintf(stderr, ", %llu skipped", (unsigned long long)tl.skipped);
        fprintf(stderr, "; %.2f s\n", secs);
        if (sd_index_get_stats(ix, &st) == 0)
            fprintf(stderr, "syndic: the index holds %llu %s, %llu %s\n",
                    (unsigned long long)st.docs, noun(st.docs, "page", "pages"),
                    (unsigned long long)st.stories, noun(st.stories, "story", "stories"));
    }
    status = tl.failed ? EXIT_RUN : EXIT_OK;
done:
    if (begun)
        sd_index_abort(ix);
    if (out_opened)
        out_abort(&o);
    irecs_release(&recs);
    free(chunk);
    free(arena);
    sd_page_reader_free(pages);
    sd_reader_free(reader);
    return status;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* A story passes the filters (sd_index_next_story does them). Writes every
 * story (and with passages its passages), or for the report (comma)
 * items of its array: stories with their text and passages, then the
 * documents of those stories with their texts. */
static int write_stories(out *o, sd_index *ix, const iopts *op, int report)
{
    story_docs sd = ix_docs(ix);
    uint64_t cursor = 0, *docs = NULL;
    size_t nd = 0, dcap = 0, i, items = 0;
    const sd_story *s;
    int rc;
    while ((rc = sd_index_next_story(ix, &cursor, op->since, op->min_copies, &s)) == 1) {
        uint64_t id = s->id;
        const sd_passage *ps;
        size_t np;
        if (report) {
            for (i = 0; i < s->n_members; i++) {
                if (nd == dcap) {
                    size_t cap = dcap ? 2 * dcap : 256;
                    uint64_t *p = realloc(docs, cap * sizeof *p);
                    if (!p) {
                        cli_error("out of memory");
                        free(docs);
                        return -1;
                    }
                    docs = p;
                    dcap = cap;
                }
                docs[nd++] = s->members[i].doc;
            }
            if (items++)
                out_char(o, ',');
        }
        out_story(o, &sd, s, report || op->with_text);
        if (!report && !op->passages)
            continue;
        if (sd_index_story_get(ix, id, &s, &ps, &np) != 0) {
            cli_error("%s", sd_index_errmsg(ix));
            free(docs);
            return -1;
        }
        for (i = 0; i < np; i++) {
            if (report)
                out_char(o, ',');
            out_passage(o, &sd, &ps[i]);
        }
    }
    if (rc < 0) {
        cli_error("%s", sd_index_errmsg(ix));
        free(docs);
        return -1;
    }
    if (report) {
        /* the stories' documents, each once, in order */
        size_t j, n = 0;
        if (nd)
            qsort(docs, nd, sizeof *docs, cmp_u64);
        for (j = 0; j < nd; j++)
            if (n == 0 || docs[n - 1] != docs[j])
                docs[n++] = docs[j];
        for (j = 0; j < n; j++) {
            if (items++)
                out_char(o, ',');
            if (write_doc(o, ix, docs[j], 1) != 0) {
                free(docs);
                return -1;
            }
        }
    }
    free(docs);
    return 0;
}

static int cmd_stats(sd_index *ix, const char *path)
{
    sd_index_stats st;
    sd_index_options io;
    char a[32], b[32], c[32], m[32];
    if (sd_index_get_stats(ix, &st) != 0) {
        cli_error("%s", sd_index_errmsg(ix));
        return EXIT_RUN;
    }
    sd_index_get_options(ix, &io);
    fmt_bytes(a, sizeof a, st.file_size);
    fmt_bytes(b, sizeof b, st.map_used);
    fmt_bytes(c, sizeof c, st.text_bytes);
    fmt_bytes(m, sizeof m, st.map_size);
    printf("index: %s (format version %u)\n", path, st.format);
    printf("pages: %llu kept, next number %llu; %s of text\n", (unsigned long long)st.docs,
           (unsigned long long)st.next_doc, c);
    printf("dedup: %llu %s of near-duplicates, %llu %s\n", (unsigned long long)st.clusters,
           noun(st.clusters, "cluster", "clusters"), (unsigned long long)st.duplicates,
           noun(st.duplicates, "duplicate", "duplicates"));
    printf("trace: %llu %s, %llu aligned %s in %llu %s, %llu fingerprint postings\n",
           (unsigned long long)st.stories, noun(st.stories, "story", "stories"),
           (unsigned long long)st.passages, noun(st.passages, "passage", "passages"),
           (unsigned long long)st.units, noun(st.units, "unit", "units"),
           (unsigned long long)st.fingerprints);
    printf("disk: data.mdb %s (%.0f bytes per page); %s of the map's %s in use\n", a,
           st.docs ? (double)st.file_size / (double)st.docs : 0.0, b, m);
    printf("options: threshold %g, ngram %u, num-perm %u, %u bands of %u rows, min-passage %u, "
           "min-identity %g, exact %s, all-text %s, whole-page %s, seed %llu\n",
           io.threshold, io.ngram, io.num_perm, io.bands, io.rows, io.min_passage, io.min_identity,
           io.exact ? "on" : "off", io.all_text ? "on" : "off", io.whole_page ? "on" : "off",
           (unsigned long long)io.seed);
    return EXIT_OK;
}

static int cmd_docs(sd_index *ix, const iopts *op)
{
    sd_index_stats st;
    uint64_t d;
    out o;
    if (sd_index_get_stats(ix, &st) != 0) {
        cli_error("%s", sd_index_errmsg(ix));
        return EXIT_RUN;
    }
    if (out_open(&o, op->output) != 0)
        return EXIT_RUN;
    for (d = 0; d < st.next_doc; d++)
        if (write_doc(&o, ix, d, 0) != 0) {
            out_abort(&o);
            return EXIT_RUN;
        }
    return out_close(&o) == 0 ? EXIT_OK : EXIT_RUN;
}

static int cmd_list(sd_index *ix, const iopts *op, int report)
{
    out o;
    if (out_open(&o, op->output) != 0)
        return EXIT_RUN;
    if (report)
        report_head(&o);
    if (write_stories(&o, ix, op, report) != 0) {
        out_abort(&o);
        return EXIT_RUN;
    }
    if (report)
        report_tail(&o);
    if (out_close(&o) != 0)
        return EXIT_RUN;
    if (report && !cli_quiet)
        fprintf(stderr, "syndic: story report written to %s\n", op->output);
    return EXIT_OK;
}

static const char *const subs[] = {"create", "add",    "query", "stories", "docs",
                                   "report", "expire", "stats", "check"};

int cmd_index(int argc, char **argv)
{
    iopts op;
    const char *sub, *path;
    sd_index *ix = NULL;
    char errbuf[SD_ERRBUF_SIZE];
    unsigned flags = 0, u;
    int c, status = EXIT_RUN, is = -1, i, nin;
    size_t k;

    memset(&op, 0, sizeof op);
    sd_index_options_init(&op.io);
    sd_reader_options_init(&op.ro);
    op.with_text = 1;
    op.progress = progress_default();
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage(stdout);
        return EXIT_OK;
    }
    if (argc < 2) {
        cli_error(
            "index: which? create, add, query, stories, docs, report, expire, stats or check");
        cli_see_help("index");
        return EXIT_USAGE;
    }
    sub = argv[1];
    for (k = 0; k < sizeof subs / sizeof *subs; k++)
        if (strcmp(sub, subs[k]) == 0)
            is = (int)k;
    if (is < 0) {
        const char *near = cli_nearest(sub, subs, sizeof subs / sizeof *subs);
        if (near)
            cli_error("index: '%s' is not an index command; did you mean '%s'?", sub, near);
        else
            cli_error("index: '%s' is not an index command; see 'syndic index --help'", sub);
        return EXIT_USAGE;
    }
    optind = 2;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:m:j:qvh", long_opts, NULL)) != -1) {
        switch (c) {
        case 'o': op.output = optarg; break;
        case OPT_MAP_SIZE:
            if (parse_size("--map-size", optarg, 1u << 20, &op.io.map_size))
                return EXIT_USAGE;
            break;
        case OPT_THRESHOLD:
            if (parse_double("--threshold", optarg, 0.0001, 1.0, &op.io.threshold))
                return EXIT_USAGE;
            op.fixed_given = 1;
            break;
        case OPT_NGRAM:
            if (parse_unsigned("--ngram", optarg, 1, 64, &op.io.ngram))
                return EXIT_USAGE;
            op.fixed_given = 1;
            break;
        case OPT_NUM_PERM:
            if (parse_unsigned("--num-perm", optarg, 8, 1024, &op.io.num_perm))
                return EXIT_USAGE;
            op.fixed_given = 1;
            break;
        case OPT_BANDS:
            if (parse_unsigned("--bands", optarg, 1, 1024, &op.io.bands))
                return EXIT_USAGE;
            op.fixed_given = 1;
            break;
        case OPT_ROWS:
            if (parse_unsigned("--rows", optarg, 1, 1024, &op.io.rows))
                return EXIT_USAGE;
            op.fixed_given = 1;
            break;
        case 'm':
            if (parse_unsigned("--min-passage", optarg, 4, 100000, &op.io.min_passage))
                return EXIT_USAGE;
            op.fixed_given = 1;
            break;
        case OPT_MIN_ID:
            if (parse_double("--min-identity", optarg, 0.0, 1.0, &op.io.min_identity))
                return EXIT_USAGE;
            op.fixed_given = 1;
            break;
        case OPT_EXACT:
            op.io.exact = 1;
            op.fixed_given = 1;
            break;
        case OPT_ALL_TEXT:
            op.io.all_text = 1;
            op.fixed_given = 1;
            break;
        case OPT_WHOLE_PAGE:
            op.io.whole_page = 1;
            op.fixed_given = 1;
            break;
        case OPT_SEED:
            if (parse_unsigned("--seed", optarg, 0, 0xFFFFFFFFu, &u))
                return EXIT_USAGE;
            op.io.seed = u;
            op.fixed_given = 1;
            break;
        case OPT_FORMAT:
            if (parse_format(optarg, &op.ro.format))
                return EXIT_USAGE;
            break;
        case OPT_ID_FIELD: op.ro.id_field = optarg; break;
        case OPT_TEXT_FIELD: op.ro.text_field = optarg; break;
        case OPT_HTML_FIELD: op.ro.html_field = optarg; break;
        case OPT_REPAIR: op.ro.repair_utf8 = 1; break;
        case OPT_MEMORY:
            if (parse_size("--memory", optarg, 1u << 20, &op.memory))
                return EXIT_USAGE;
            break;
        case OPT_SINCE: op.since = optarg; break;
        case OPT_MIN_COPIES:
            if (parse_unsigned("--min-copies", optarg, 1, 0xFFFFFFFFu, &u))
                return EXIT_USAGE;
            op.min_copies = u;
            break;
        case OPT_NO_TEXT: op.with_text = 0; break;
        case OPT_PASSAGES: op.passages = 1; break;
        case OPT_BEFORE: op.before = optarg; break;
        case 'j':
            if (parse_unsigned("--threads", optarg, 1, 256, &op.io.threads))
                return EXIT_USAGE;
            break;
        case OPT_PROGRESS: op.progress = 1; break;
        case OPT_NO_PROGRESS: op.progress = 0; break;
        case 'q': cli_quiet = 1; break;
        case 'v': cli_verbose = 1; break;
        case 'h': usage(stdout); return EXIT_OK;
        default: return cli_bad_option("index", long_opts, c, argv);
        }
    }
    if (cli_quiet)
        op.progress = 0;
    if (optind >= argc) {
        cli_error("index %s: no index; give its directory", sub);
        cli_see_help("index");
        return EXIT_USAGE;
    }
    path = argv[optind++];
    nin = argc - optind;
    if ((is == 1 || is == 2) && nin == 0) {
        cli_error("index %s: no input; give files, directories or - for standard input", sub);
        cli_see_help("index");
        return EXIT_USAGE;
    }
    if (is != 1 && is != 2 && nin > 0) {
        cli_error("index %s: takes no input, only the index ('%s' given)", sub, argv[optind]);
        return EXIT_USAGE;
    }
    if (is == 5 && !op.output) {
        cli_error("index report: name the page to write with -o");
        return EXIT_USAGE;
    }
    if (is == 6 && !op.before) {
        cli_error("index expire: say which pages go with --before DATE");
        return EXIT_USAGE;
    }
    if (op.fixed_given && is >= 3) {
        cli_error("index %s: the options fixed at creation go with create, add or query", sub);
        return EXIT_USAGE;
    }
    {
        /* the outputs can be written, before any reading */
        const out_path outs[] = {{"-o", op.output, 0}};
        if (out_check_paths(outs, 1, argv + optind, nin) != 0)
            return EXIT_USAGE;
    }
    if (is == 0 || is == 1)
        flags |= SD_INDEX_CREATE;
    if (is == 2 || is == 3 || is == 4 || is == 5 || is == 7)
        flags |= SD_INDEX_READ_ONLY;
    if (sd_index_open(path, &op.io, flags, &ix, errbuf) != 0) {
        cli_error("index %s: %s", sub, errbuf);
        return EXIT_RUN;
    }
    switch (is) {
    case 0:
        if (!cli_quiet)
            fprintf(stderr, "syndic: index '%s' ready\n", path);
        status = EXIT_OK;
        break;
    case 1:
    case 2: status = add_or_query(ix, &op, argv + optind, nin, is == 2); break;
    case 3: status = cmd_list(ix, &op, 0); break;
    case 4: status = cmd_docs(ix, &op); break;
    case 5: status = cmd_list(ix, &op, 1); break;
    case 6: {
        uint64_t removed = 0;
        sd_index_stats st;
        if (sd_index_expire(ix, op.before, &removed) != 0) {
            cli_error("index expire: %s", sd_index_errmsg(ix));
            break;
        }
        if (!cli_quiet && sd_index_get_stats(ix, &st) == 0)
            fprintf(stderr,
                    "syndic: %llu %s dated before %s removed; the index holds %llu %s, "
                    "%llu %s\n",
                    (unsigned long long)removed, noun(removed, "page", "pages"), op.before,
                    (unsigned long long)st.docs, noun(st.docs, "page", "pages"),
                    (unsigned long long)st.stories, noun(st.stories, "story", "stories"));
        status = EXIT_OK;
        break;
    }
    case 7: status = cmd_stats(ix, path); break;
    case 8: {
        sd_index_stats st;
        if (sd_index_check(ix) != 0) {
            cli_error("index check: %s", sd_index_errmsg(ix));
            break;
        }
        if (!cli_quiet && sd_index_get_stats(ix, &st) == 0)
            fprintf(stderr, "syndic: index '%s' checked: %llu %s, %llu %s, %llu %s: all holds\n",
                    path, (unsigned long long)st.docs, noun(st.docs, "page", "pages"),
                    (unsigned long long)st.stories, noun(st.stories, "story", "stories"),
                    (unsigned long long)st.passages, noun(st.passages, "passage", "passages"));
        status = EXIT_OK;
        break;
    }
    }
    (void)i;
    sd_index_close(ix);
    return status;
}
