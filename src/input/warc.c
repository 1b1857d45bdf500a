/*
 * warc.c: the WARC reader (see warc.h).
 */
#include "input/warc.h"

#include <string.h>
#include <strings.h>

/* Case-insensitive search for the ASCII needle in p[0..n). */
static const char *find_ci(const char *p, size_t n, const char *needle)
{
    size_t m = strlen(needle), i;
    for (i = 0; i + m <= n; i++)
        if (((p[i] | 0x20) == needle[0]) && strncasecmp(p + i, needle, m) == 0)
            return p + i;
    return NULL;
}

/*
 * Scans <meta ...> tags in the first 4 KB for "charset=" (the HTML5
 * prescan's two forms both carry it), skipping comments' insides only as
 * far as a cheap scan can: the first tag that names a charset wins.
 */
int sd__html_meta_charset(const char *p, size_t n, char *out, size_t cap)
{
    const char *end, *m;
    if (cap == 0)
        return 0;
    out[0] = '\0';
    if (n > 4096)
        n = 4096;
    end = p + n;
    while ((m = find_ci(p, (size_t)(end - p), "<meta")) != NULL) {
        const char *close = memchr(m, '>', (size_t)(end - m));
        const char *c, *tag_end = close ? close : end;
        size_t k = 0;
        p = m + 5;
        c = find_ci(m, (size_t)(tag_end - m), "charset");
        if (c == NULL)
            continue;
        c += 7;
        while (c < tag_end && (*c == ' ' || *c == '\t'))
            c++;
        if (c >= tag_end || *c != '=')
            continue;
        c++;
        while (c < tag_end && (*c == ' ' || *c == '"' || *c == '\''))
            c++;
        while (c < tag_end && k + 1 < cap &&
               ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                *c == '-' || *c == '_' || *c == '.' || *c == ':'))
            out[k++] = *c++;
        out[k] = '\0';
        if (k > 0)
            return 1;
    }
    return 0;
}
