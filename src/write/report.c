/*
 * report.c: the frame of the story report, one self-contained HTML page a
 * person opens to see who printed what. The page holds a trace's JSON
 * lines (the program's `trace` output with the documents' texts and the
 * passages) as one JSON array inside a <script type="application/json">
 * element; its own script (report/report.js) builds the view from it with
 * textContent only. A Content-Security-Policy names the page's one script
 * and one style by their SHA-256 digests and allows nothing else: no
 * network, no other script, no plug-ins.
 *
 * The library writes the frame and the escaped JSON; the callers (the
 * program's `trace --html` and `report`, the Python package) write the
 * lines, so the page is the same whoever makes it.
 */
#include <string.h>

#include "report_assets.h" /* generated: report_js, report_css, digests */
#include "syndic.h"

static int put(sd_write_fn w, void *ud, const char *s)
{
    return w(ud, s, strlen(s)) ? SD_EIO : 0;
}

int sd_report_head(sd_write_fn w, void *ud)
{
    const char *part[] = {
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "script-src 'sha256-",
        report_js_sha256,
        "'; style-src 'sha256-",
        report_css_sha256,
        "'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
        "<meta name=\"referrer\" content=\"no-referrer\">\n"
        "<title>syndic: stories</title>\n<style>",
        report_css,
        "</style>\n</head>\n<body>\n"
        "<header class=\"top\"><a class=\"brand\" href=\"#\">syndic</a>"
        "<span id=\"summary\"></span></header>\n"
        "<main id=\"app\"><noscript>The report needs JavaScript to show the stories; "
        "the trace is in this file's source as JSON.</noscript></main>\n"
        "<script type=\"application/json\" id=\"trace\">[\n"};
    size_t i;
    if (w == NULL)
        return SD_EINVAL;
    for (i = 0; i < sizeof part / sizeof *part; i++)
        if (put(w, ud, part[i]) != 0)
            return SD_EIO;
    return 0;
}

int sd_report_json(sd_write_fn w, void *ud, const char *p, size_t n)
{
    size_t i, run = 0;
    if (w == NULL || (p == NULL && n))
        return SD_EINVAL;
    for (i = 0; i < n; i++) {
        const char *e = p[i] == '<'   ? "\\u003c"
                        : p[i] == '>' ? "\\u003e"
                        : p[i] == '&' ? "\\u0026"
                                      : NULL;
        if (!e) {
            run++;
            continue;
        }
        if ((run && w(ud, p + i - run, run)) || put(w, ud, e))
            return SD_EIO;
        run = 0;
    }
    return run && w(ud, p + n - run, run) ? SD_EIO : 0;
}

int sd_report_tail(sd_write_fn w, void *ud)
{
    if (w == NULL)
        return SD_EINVAL;
    if (put(w, ud, "]</script>\n<script>") || put(w, ud, report_js) ||
        put(w, ud, "</script>\n</body>\n</html>\n"))
        return SD_EIO;
    return 0;
}
