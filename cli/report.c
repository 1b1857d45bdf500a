/*
 * report.c: the story report, one self-contained HTML page a person opens
 * to see who printed what; `syndic report TRACE.jsonl` makes it from a
 * saved trace, and `syndic trace --html FILE` through report_head() and
 * report_tail(). The page's frame, script and style are the library's
 * (sd_report_head() in src/write/report.c); the lines are checked here.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int out_cb(void *ud, const void *p, size_t n)
{
    out_write(ud, p, n);
    return 0;
}

/* The library writes the page's frame (sd_report_head/tail) and escapes
 * the JSON inside it; what goes to `out` fails there, not here. */
void report_head(out *o)
{
    sd_report_head(out_cb, o);
    o->html_safe = 1;
}

void report_tail(out *o)
{
    o->html_safe = 0;
    sd_report_tail(out_cb, o);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: syndic report [options] TRACE.jsonl\n"
               "\n"
               "Writes the story report, one self-contained HTML page (no network access),\n"
               "from the JSON lines of `syndic trace`: an index of stories, each story's\n"
               "copies side by side with their shared passages linked, documents in no\n"
               "story and records that failed. Side-by-side copies need the documents'\n"
               "texts and the passages: save the trace with --doc-text --passages, or run\n"
               "`syndic trace --html FILE` directly.\n"
               "\n"
               "TRACE.jsonl: a file, or - for standard input.\n"
               "\n"
               "  -o, --output FILE     write the page to FILE (default: standard output)\n"
               "      --max-line SIZE   the longest line read (default 256M); a longer one is\n"
               "                        reported and skipped\n"
               "  -q, --quiet           no warnings and no summary\n"
               "  -h, --help            this help\n"
               "\n"
               "Exit: 0 ok, 1 lines that could not be read (each listed in the page) or a\n"
               "run error, 2 usage error.\n");
}

/* The longest line `syndic report` reads by default (--max-line): a doc
 * line carries a whole document's text (--doc-text), so it can be long,
 * but a line past this is no trace line, and reading it would take memory
 * without bound. */
#define REPORT_MAX_LINE ((uint64_t)256 << 20)

/* Reads one line (without its end) into *buf. Returns its length, -1 at
 * the end of the input, -2 on a read error, or -3 for a line longer than
 * `max` (then skipped to its end; *raw counts its bytes). *raw is the
 * bytes consumed, line end included. */
static ssize_t read_line(FILE *in, char **buf, size_t *cap, size_t max, uint64_t *raw)
{
    size_t n = 0;
    int c, too_long = 0;
    *raw = 0;
    while ((c = getc_unlocked(in)) != EOF) {
        (*raw)++;
        if (c == '\n')
            break;
        if (too_long)
            continue;
        if (n == max) {
            too_long = 1;
            continue;
        }
        if (n + 1 >= *cap) {
            size_t ncap = *cap ? *cap * 2 : 1 << 16;
            char *p = realloc(*buf, ncap);
            if (p == NULL) {
                errno = ENOMEM;
                return -2;
            }
            *buf = p;
            *cap = ncap;
        }
        (*buf)[n++] = (char)c;
    }
    if (ferror(in))
        return -2;
    if (c == EOF && *raw == 0)
        return -1;
    if (too_long)
        return -3;
    while (n && (*buf)[n - 1] == '\r')
        n--;
    return (ssize_t)n;
}

/* ---- what a trace line is: the shape docs/trace.schema.json gives ---- */

static int is_index(const json_t *v)
{
    return json_is_integer(v) && json_integer_value(v) >= 0;
}

static int is_ranges(const json_t *v, size_t width)
{
    size_t i, k;
    json_t *r;
    if (!json_is_array(v))
        return 0;
    json_array_foreach(v, i, r)
    {
        if (!json_is_array(r) || json_array_size(r) != width)
            return 0;
        for (k = 0; k < width; k++)
            if (!is_index(json_array_get(r, k)))
                return 0;
    }
    return 1;
}

static int opt_string(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return v == NULL || json_is_string(v);
}

/* Ranges of `width` numbers, or nothing (the script takes none as empty). */
static int opt_ranges(const json_t *o, const char *key, size_t width)
{
    const json_t *v = json_object_get(o, key);
    return v == NULL || is_ranges(v, width);
}

static int opt_number(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return v == NULL || json_is_number(v);
}

/* ok, a field `key`'s check; when it failed, *why names the field. */
static int field(const char *key, int ok, const char **why)
{
    if (!ok && !*why)
        *why = key;
    return ok;
}

static int side_ok(const json_t *s, const char **why)
{
    return json_is_object(s) && field("doc", is_index(json_object_get(s, "doc")), why) &&
           field("start", is_index(json_object_get(s, "start")), why) &&
           field("end", is_index(json_object_get(s, "end")), why) &&
           field("id", opt_string(s, "id"), why);
}

/* A story's copy: the fields the report's script reads, of their kinds. */
static int copy_ok(const json_t *c, const char **why)
{
    return field("copies", json_is_object(c), why) &&
           field("copies[].doc", is_index(json_object_get(c, "doc")), why) &&
           field("copies[].share", opt_number(c, "share"), why) &&
           field("copies[].identity", opt_number(c, "identity"), why) &&
           field("copies[].role", opt_string(c, "role"), why) &&
           field("copies[].spans", opt_ranges(c, "spans", 2), why) &&
           field("copies[].added", opt_ranges(c, "added", 2), why) &&
           field("copies[].lacks", opt_ranges(c, "lacks", 2), why) &&
           field("copies[].changed", opt_ranges(c, "changed", 2), why);
}

/* A story line's fields, its copies' too. */
static int story_ok(const json_t *v, const char **why)
{
    const json_t *copies = json_object_get(v, "copies"), *origin = json_object_get(v, "origin"), *c;
    size_t i;
    int ok = field("story", is_index(json_object_get(v, "story")), why) &&
             field("origin",
                   !origin || (json_is_object(origin) && is_index(json_object_get(origin, "doc"))),
                   why) &&
             field("consensus", opt_ranges(v, "consensus", 2), why) &&
             field("text", opt_string(v, "text"), why) &&
             field("copies", !copies || json_is_array(copies), why);
    json_array_foreach(copies, i, c)
    {
        if (!ok)
            break;
        ok = copy_ok(c, why);
    }
    return ok;
}

/* A passage line's fields. */
static int passage_ok(const json_t *v, const char **why)
{
    return field("story", is_index(json_object_get(v, "story")), why) &&
           field("a", side_ok(json_object_get(v, "a"), why), why) &&
           field("b", side_ok(json_object_get(v, "b"), why), why) &&
           field("changes", opt_ranges(v, "changes", 4), why);
}

/* A doc line's fields. */
static int doc_ok(const json_t *v, const char **why)
{
    const json_t *st = json_object_get(v, "stories"), *x;
    size_t i;
    int ok = field("doc", is_index(json_object_get(v, "doc")), why) &&
             field("id", json_is_string(json_object_get(v, "id")), why) &&
             field("stories", !st || json_is_array(st), why) &&
             field("text", opt_string(v, "text"), why) && field("url", opt_string(v, "url"), why) &&
             field("date", opt_string(v, "date"), why) &&
             field("error", opt_string(v, "error"), why) &&
             field("skipped", opt_string(v, "skipped"), why) &&
             field("file", opt_string(v, "file"), why);
    json_array_foreach(st, i, x)
    {
        if (!ok)
            break;
        ok = field("stories", is_index(x), why);
    }
    return ok;
}

/*
 * Checks that a line is a trace line the report's script can show: a
 * story, passage or doc object with the fields it reads, of their kinds.
 * Returns its type, or NULL with a reason in msg.
 */
static const char *trace_line_check(const json_t *v, char *msg, size_t n)
{
    const char *type, *why = NULL;
    int ok;
    if (!json_is_object(v)) {
        snprintf(msg, n, "not a trace line (a JSON %s, not an object)",
                 json_is_array(v) ? "array" : "value");
        return NULL;
    }
    type = json_string_value(json_object_get(v, "type"));
    if (type == NULL) {
        snprintf(msg, n, "not a trace line (no \"type\")");
        return NULL;
    }
    /* the fields the report's script reads must be of their kinds; those
     * it can do without may be missing */
    if (strcmp(type, "story") == 0) {
        ok = story_ok(v, &why);
    } else if (strcmp(type, "passage") == 0) {
        ok = passage_ok(v, &why);
    } else if (strcmp(type, "doc") == 0) {
        ok = doc_ok(v, &why);
    } else {
        snprintf(msg, n, "not a trace line (\"type\" is \"%.40s\")", type);
        return NULL;
    }
    if (!ok) {
        snprintf(msg, n, "not a trace line: a %s without a valid \"%s\"", type, why);
        return NULL;
    }
    return type;
}

/* What a first line that is no trace line looks like, for the message. */
static const char *looks_like(const json_t *v)
{
    if (json_is_object(v) && json_object_get(v, "cluster") && json_object_get(v, "duplicate_of"))
        return " (it looks like the output of syndic dedup)";
    if (json_is_object(v) && json_object_get(v, "paragraphs"))
        return " (it looks like the output of syndic extract --jsonl)";
    return "";
}

/* What the report read: lines, those put in the page as items, of which
 * trace lines (good: stories, passages, docs with their text) and not
 * (bad). */
typedef struct rcount {
    size_t lineno, items, stories, texts, passages, bad, good;
} rcount;

/* The reason a line longer than max_line bytes is skipped. */
static void too_long_msg(char *msg, size_t n, uint64_t max_line)
{
    snprintf(msg, n, "line longer than %llu %s (--max-line): not a trace line",
             (unsigned long long)(max_line % (1 << 20) == 0 ? max_line >> 20
                                  : max_line % 1024 == 0    ? max_line >> 10
                                                            : max_line),
             max_line % (1 << 20) == 0 ? "MiB"
             : max_line % 1024 == 0    ? "KiB"
                                       : "bytes");
}

/*
 * Puts line lineno (got bytes of line at byte offset of the input; got ==
 * -3: longer than max_line) into the page: a trace line as it is, any
 * other as an error item, warned about. Returns 0, or -1 when the first
 * line is no trace line: then the input is no trace (reported).
 */
static int report_line(out *o, const char *path, const char *line, ssize_t got, uint64_t max_line,
                       uint64_t offset, rcount *k)
{
    json_error_t jerr;
    json_t *v = NULL;
    const char *type = NULL;
    char msg[256];
    if (got == -3)
        too_long_msg(msg, sizeof msg, max_line);
    else if ((v = json_loadb(line, (size_t)got, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
        snprintf(msg, sizeof msg, "not JSON: %s (column %d)", jerr.text, jerr.column);
    else
        type = trace_line_check(v, msg, sizeof msg);
    if (!type && k->good == 0 && k->bad == 0) {
        /* the first line decides whether this is a trace at all */
        cli_error("'%s' is not a trace (the JSON lines of syndic trace): line %zu: %s%s", path,
                  k->lineno, msg, looks_like(v));
        json_decref(v);
        return -1;
    }
    if (k->items++)
        out_char(o, ',');
    if (!type) {
        if (!cli_quiet && k->bad < 10)
            cli_warn("%s:%zu (byte %llu): %s; line skipped", path, k->lineno,
                     (unsigned long long)offset, msg);
        k->bad++;
        out_str(o, "{\"type\":\"error\",\"file\":");
        out_json_str(o, path, strlen(path));
        out_printf(o, ",\"line\":%zu,\"offset\":%llu,\"error\":", k->lineno,
                   (unsigned long long)offset);
        out_json_str(o, msg, strlen(msg));
        out_str(o, "}\n");
    } else {
        k->good++;
        k->stories += strcmp(type, "story") == 0;
        k->passages += strcmp(type, "passage") == 0;
        k->texts += strcmp(type, "doc") == 0 && json_is_string(json_object_get(v, "text"));
        sd_report_json(out_cb, o, line, (size_t)got);
        out_char(o, '\n');
    }
    json_decref(v);
    return 0;
}

/* Puts every line of in into the page, counted in k. Returns 0, or -1
 * when the input is no trace or cannot be read (reported). */
static int report_lines(FILE *in, const char *path, out *o, uint64_t max_line, rcount *k)
{
    char *line = NULL;
    size_t cap = 0;
    uint64_t offset = 0, raw;
    ssize_t got;
    int rc = 0;
    while ((got = read_line(in, &line, &cap, (size_t)max_line, &raw)) != -1 && got != -2) {
        k->lineno++;
        if (got != 0 && report_line(o, path, line, got, max_line, offset, k) != 0) {
            rc = -1;
            break;
        }
        offset += raw;
    }
    if (got == -2) {
        cli_error("cannot read '%s': %s", path, strerror(errno));
        rc = -1;
    }
    free(line);
    return rc;
}

/* The command line of `syndic report`: the options into *output and
 * *max_line, optind at the trace's path. Returns -1 to go on, else the
 * exit code. */
static int report_args(int argc, char **argv, const char **output, uint64_t *max_line)
{
    static const struct option long_opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"max-line", required_argument, NULL, 'L'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qh", long_opts, NULL)) != -1) {
        switch (c) {
        case 'o': *output = optarg; break;
        case 'L':
            if (parse_size("--max-line", optarg, 1024, max_line))
                return EXIT_USAGE;
            if (*max_line > SIZE_MAX / 2)
                *max_line = SIZE_MAX / 2;
            break;
        case 'q': cli_quiet = 1; break;
        case 'h': usage(stdout); return EXIT_OK;
        default: return cli_bad_option("report", long_opts, c, argv);
        }
    }
    if (optind != argc - 1) {
        cli_error("report: give one trace file (the JSON lines of syndic trace), or -");
        cli_see_help("report");
        return EXIT_USAGE;
    }
    {
        const out_path outs[] = {{"-o", *output, 0}};
        if (out_check_paths(outs, 1, argv + optind, 1) != 0)
            return EXIT_USAGE;
    }
    return -1;
}

/* The warnings and the summary on stderr after the page is written. */
static void report_summary(const char *path, const char *output, const rcount *k)
{
    if (k->bad > 10 && !cli_quiet)
        cli_warn("%zu more lines skipped; each is listed in the report", k->bad - 10);
    if (k->stories && (!k->texts || !k->passages))
        cli_warn("%s has no %s: the report shows each story's consensus and coverage but not "
                 "its copies side by side (trace with --doc-text --passages)",
                 path, !k->texts ? "document texts" : "passages");
    if (!cli_quiet)
        fprintf(stderr,
                "syndic: story report of %zu %s written to %s (%zu lines read, %zu "
                "skipped)\n",
                k->stories, noun(k->stories, "story", "stories"),
                output && strcmp(output, "-") != 0 ? output : "standard output", k->lineno, k->bad);
}

int cmd_report(int argc, char **argv)
{
    const char *output = NULL, *path;
    uint64_t max_line = REPORT_MAX_LINE;
    FILE *in;
    out o;
    rcount k;
    int rc;

    if ((rc = report_args(argc, argv, &output, &max_line)) != -1)
        return rc;
    path = argv[optind];
    in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!in) {
        cli_error("cannot open '%s': %s", path, strerror(errno));
        return EXIT_RUN;
    }
    if (strcmp(path, "-") == 0)
        path = "standard input";
    if (out_open(&o, output) != 0) {
        if (in != stdin)
            fclose(in);
        return EXIT_RUN;
    }
    report_head(&o);
    memset(&k, 0, sizeof k);
    rc = report_lines(in, path, &o, max_line, &k);
    if (in != stdin)
        fclose(in);
    if (rc != 0) {
        out_abort(&o);
        return EXIT_RUN;
    }
    if (k.good == 0) {
        cli_error("'%s' is not a trace (the JSON lines of syndic trace): it has no lines", path);
        out_abort(&o);
        return EXIT_RUN;
    }
    report_tail(&o);
    if (out_close(&o) != 0)
        return EXIT_RUN;
    report_summary(path, output, &k);
    return k.bad ? EXIT_RUN : EXIT_OK;
}
