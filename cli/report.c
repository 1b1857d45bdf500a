/*
 * report.c: the story report, one self-contained HTML page a person opens
 * to see who printed what; `syndic report TRACE.jsonl` makes it from a
 * saved trace, and `syndic trace --html FILE` through report_head() and
 * report_tail().
 *
 * The page holds the trace's JSON lines as one JSON array inside a
 * <script type="application/json"> element, with <, > and & escaped as
 * \u003c, \u003e and \u0026 so that no input text can end the element or
 * open markup; the page's own script builds the view from it with
 * textContent only. A Content-Security-Policy names the page's one script
 * and one style by their SHA-256 digests and allows nothing else: no
 * network, no other script, no plug-ins.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report_assets.h" /* generated: report_js, report_css, digests */

void report_head(out *o)
{
    out_str(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
               "script-src 'sha256-");
    out_str(o, report_js_sha256);
    out_str(o, "'; style-src 'sha256-");
    out_str(o, report_css_sha256);
    out_str(o, "'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
               "<meta name=\"referrer\" content=\"no-referrer\">\n"
               "<title>syndic: stories</title>\n<style>");
    out_str(o, report_css);
    out_str(o, "</style>\n</head>\n<body>\n"
               "<header class=\"top\"><a class=\"brand\" href=\"#\">syndic</a>"
               "<span id=\"summary\"></span></header>\n"
               "<main id=\"app\"><noscript>The report needs JavaScript to show the stories; "
               "the trace is in this file's source as JSON.</noscript></main>\n"
               "<script type=\"application/json\" id=\"trace\">[\n");
    o->html_safe = 1;
}

void report_tail(out *o)
{
    o->html_safe = 0;
    out_str(o, "]</script>\n<script>");
    out_str(o, report_js);
    out_str(o, "</script>\n</body>\n</html>\n");
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
               "  -q, --quiet           no warnings and no summary\n"
               "  -h, --help            this help\n"
               "\n"
               "Exit: 0 ok, 1 lines that could not be read (each listed in the page) or a\n"
               "run error, 2 usage error.\n");
}

/* Writes line [p, p+n) with < > & escaped; the line is valid JSON, where
 * those bytes occur only inside strings, so \u escapes keep its meaning. */
static void write_escaped(out *o, const char *p, size_t n)
{
    size_t i, run = 0;
    for (i = 0; i < n; i++) {
        const char *e = p[i] == '<'   ? "\\u003c"
                        : p[i] == '>' ? "\\u003e"
                        : p[i] == '&' ? "\\u0026"
                                      : NULL;
        if (!e) {
            run++;
            continue;
        }
        out_write(o, p + i - run, run);
        run = 0;
        out_str(o, e);
    }
    out_write(o, p + n - run, run);
}

int cmd_report(int argc, char **argv)
{
    static const struct option long_opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *output = NULL, *path;
    FILE *in;
    out o;
    char *line = NULL;
    size_t cap = 0, lineno = 0, items = 0, stories = 0, texts = 0, passages = 0, bad = 0;
    unsigned long long offset = 0;
    ssize_t got;
    int c, status = EXIT_RUN;

    optind = 1;
    while ((c = getopt_long(argc, argv, "o:qh", long_opts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'q': cli_quiet = 1; break;
        case 'h': usage(stdout); return EXIT_OK;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        cli_error("report: give one trace file (the JSON lines of syndic trace), or -");
        usage(stderr);
        return EXIT_USAGE;
    }
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
    while ((got = getline(&line, &cap, in)) > 0) {
        size_t n = (size_t)got;
        json_error_t jerr;
        json_t *v;
        const char *type;
        lineno++;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (n == 0) {
            offset += (unsigned long long)got;
            continue;
        }
        v = json_loadb(line, n, JSON_REJECT_DUPLICATES, &jerr);
        type = v && json_is_object(v) ? json_string_value(json_object_get(v, "type")) : NULL;
        if (items++)
            out_char(&o, ',');
        if (!type) {
            char msg[256];
            if (!v)
                snprintf(msg, sizeof msg, "not JSON: %s (column %d)", jerr.text, jerr.column);
            else
                snprintf(msg, sizeof msg, "not a trace line (no \"type\")");
            if (!cli_quiet && bad < 10)
                cli_warn("%s:%zu (byte %llu): %s", path, lineno, offset, msg);
            bad++;
            out_str(&o, "{\"type\":\"error\",\"file\":");
            out_json_str(&o, path, strlen(path));
            out_printf(&o, ",\"line\":%zu,\"offset\":%llu,\"error\":", lineno, offset);
            out_json_str(&o, msg, strlen(msg));
            out_str(&o, "}\n");
        } else {
            stories += strcmp(type, "story") == 0;
            passages += strcmp(type, "passage") == 0;
            texts += strcmp(type, "doc") == 0 && json_is_string(json_object_get(v, "text"));
            write_escaped(&o, line, n);
            out_char(&o, '\n');
        }
        json_decref(v);
        offset += (unsigned long long)got;
    }
    if (ferror(in)) {
        cli_error("cannot read '%s': %s", path, strerror(errno));
        free(line);
        if (in != stdin)
            fclose(in);
        report_tail(&o);
        out_close(&o);
        return EXIT_RUN;
    }
    free(line);
    if (in != stdin)
        fclose(in);
    report_tail(&o);
    if (out_close(&o) != 0)
        return EXIT_RUN;
    if (stories && (!texts || !passages))
        cli_warn("%s has no %s: the report shows each story's consensus and coverage but not "
                 "its copies side by side (trace with --doc-text --passages)",
                 path, !texts ? "document texts" : "passages");
    if (!cli_quiet)
        fprintf(stderr,
                "syndic: story report of %zu %s written to %s (%zu lines read, %zu "
                "unreadable)\n",
                stories, noun(stories, "story", "stories"),
                output && strcmp(output, "-") != 0 ? output : "standard output", lineno, bad);
    status = bad ? EXIT_RUN : EXIT_OK;
    return status;
}
