/*
 * extract_meta.c: the page's metadata: author, dates published and
 * modified, site name, declared language, canonical address and
 * description.
 *
 * Each comes from several places of different trust. The parser hands
 * every <html>, <meta>, <link>, <time> and JSON-LD script to this file as
 * it meets them; each candidate value carries a rank (lower is better) and
 * replaces the field's value only when it ranks better, so the order the
 * page gives them in does not matter. JSON-LD (schema.org's Article and
 * kin) ranks first, as it is written for machines; then the Open Graph and
 * article: meta tags; then other meta names; then a <time> element; a date
 * in the page's address comes last. Dates come out as YYYY-MM-DD.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "syndic.h"
#include "text/extract_int.h"

/* Ranks, best first. */
enum {
    R_LD = 1,   /* JSON-LD */
    R_OG = 2,   /* og:, article:, itemprop on a meta */
    R_NAME = 3, /* other meta names (author, date, dc.*, parsely-*) */
    R_TIME = 4, /* <time datetime> */
    R_URL = 5,  /* the page's address */
    R_NONE = 255
};

/* The length of v[0..k) without a UTF-8 sequence cut short at its end:
 * a field is never cut inside one. */
static size_t whole_utf8(const char *v, size_t k)
{
    size_t s;
    unsigned char lead;
    if (k == 0 || !((unsigned char)v[k - 1] & 0x80))
        return k;
    for (s = k - 1; s > 0 && ((unsigned char)v[s] & 0xC0) == 0x80; s--)
        ;
    lead = (unsigned char)v[s];
    return k - s < (size_t)(lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1) ? s : k;
}

/* Copies v[0..n) into dst[0..cap - 1) with its runs of whitespace made one
 * space, none at either end. Returns the bytes copied. */
static size_t collapse(char *dst, size_t cap, const char *v, size_t n)
{
    size_t i, k = 0;
    for (i = 0; i < n && k + 1 < cap; i++) {
        char c = v[i];
        if (c == '\t' || c == '\n' || c == '\r' || c == '\f')
            c = ' ';
        if (c == ' ' && (k == 0 || dst[k - 1] == ' '))
            continue;
        dst[k++] = c;
    }
    while (k > 0 && dst[k - 1] == ' ')
        k--;
    return k;
}

/* Sets field f to v[0..n) (whitespace collapsed, cut to the field's size)
 * when rank r beats what it holds. */
static void set_field(ex_meta_field *f, const char *v, size_t n, unsigned r)
{
    size_t k;
    if (f->rank != 0 && f->rank <= r)
        return;
    while (n > 0 && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')) {
        v++;
        n--;
    }
    if (n == 0)
        return;
    k = whole_utf8(f->v, collapse(f->v, sizeof f->v, v, n));
    if (k == 0)
        return;
    f->v[k] = '\0';
    f->rank = (uint8_t)r;
}

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"};

/* The month named by the letters at p (English, three letters or more). */
static int month_name(const char *p, size_t n)
{
    int m;
    if (n < 3)
        return 0;
    for (m = 0; m < 12; m++)
        if (strncasecmp(p, months[m], 3) == 0)
            return m + 1;
    return 0;
}

static int digits(const char *p, size_t n, size_t at, size_t count, int *out)
{
    size_t i;
    int v = 0;
    if (at + count > n)
        return 0;
    for (i = 0; i < count; i++) {
        if (p[at + i] < '0' || p[at + i] > '9')
            return 0;
        v = v * 10 + (p[at + i] - '0');
    }
    *out = v;
    return 1;
}

static int valid_date(int y, int m, int d)
{
    return y >= 1900 && y <= 2199 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* At p[i] (a digit after no digit), a numeric date: "2019-11-18" (or with
 * '/', '.', '_'), or "20191118". Returns 1 with it in *y, *m, *d. */
static int numeric_date(const char *p, size_t n, size_t i, int *y, int *m, int *d)
{
    char sep;
    if (!digits(p, n, i, 4, y))
        return 0;
    sep = i + 4 < n ? p[i + 4] : 0;
    if ((sep == '-' || sep == '/' || sep == '.' || sep == '_') && digits(p, n, i + 5, 2, m) &&
        i + 7 < n && p[i + 7] == sep && digits(p, n, i + 8, 2, d) && valid_date(*y, *m, *d))
        return 1;
    if (digits(p, n, i, 8, y) && (i + 8 >= n || p[i + 8] < '0' || p[i + 8] > '9')) {
        *m = (*y / 100) % 100;
        *d = *y % 100;
        *y /= 10000;
        if (valid_date(*y, *m, *d))
            return 1;
    }
    return 0;
}

/* At p[i] (a digit after no digit), "18 Nov 2019", "18. November 2019".
 * Returns 1 with it in *y, *m, *d. */
static int day_month_year(const char *p, size_t n, size_t i, int *y, int *m, int *d)
{
    size_t j = i, k;
    if (!digits(p, n, i, 1, d))
        return 0;
    *d = 0;
    while (j < n && p[j] >= '0' && p[j] <= '9' && j - i < 2)
        *d = *d * 10 + (p[j++] - '0');
    while (j < n && (p[j] == ' ' || p[j] == '.' || p[j] == '-'))
        j++;
    for (k = j; k < n && ((p[k] | 32) >= 'a' && (p[k] | 32) <= 'z'); k++)
        ;
    if ((*m = month_name(p + j, k - j)) == 0)
        return 0;
    while (k < n && (p[k] == ' ' || p[k] == ',' || p[k] == '-' || p[k] == '.'))
        k++;
    return digits(p, n, k, 4, y) && valid_date(*y, *m, *d);
}

/* Whether c may come between a day and its year: a comma, a space, a
 * letter of an ordinal's suffix (st, nd, rd, th). */
static int day_suffix(char c)
{
    return c == ',' || c == ' ' || (c | 32) == 's' || (c | 32) == 't' || (c | 32) == 'n' ||
           (c | 32) == 'r' || (c | 32) == 'd' || (c | 32) == 'h';
}

/* At p[i] (a letter after no letter), "Nov 18, 2019", "November 18th,
 * 2019". Returns 1 with it in *y, *m, *d; *k is where the scan of the
 * word at i (and, after a month, of the spaces after it) stopped. */
static int month_day_year(const char *p, size_t n, size_t i, int *y, int *m, int *d, size_t *k)
{
    size_t j;
    for (*k = i; *k < n && ((p[*k] | 32) >= 'a' && (p[*k] | 32) <= 'z'); (*k)++)
        ;
    if ((*m = month_name(p + i, *k - i)) == 0)
        return 0;
    while (*k < n && (p[*k] == ' ' || p[*k] == '.'))
        (*k)++;
    j = *k;
    *d = 0;
    while (j < n && p[j] >= '0' && p[j] <= '9' && j - *k < 2)
        *d = *d * 10 + (p[j++] - '0');
    if (j == *k)
        return 0;
    while (j < n && day_suffix(p[j]))
        j++;
    return digits(p, n, j, 4, y) && valid_date(*y, *m, *d);
}

/* Writes a date as YYYY-MM-DD into out[11]. */
static void put_date(char out[11], int y, int m, int d)
{
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

/*
 * A date in text, as YYYY-MM-DD into out[11]: "2019-11-18", "2019/11/18",
 * "2019.11.18", "20191118", "18 Nov 2019", "Nov 18, 2019", "Monday,
 * November 18, 2019", RFC 822's "Mon, 18 Nov 2019 10:00:00 GMT". The
 * first such date in the text wins. Returns 1 when one was found.
 */
int sd__ex_parse_date(const char *p, size_t n, char out[11])
{
    size_t i, k;
    int y, m, d;
    for (i = 0; i < n; i++) {
        if (p[i] >= '0' && p[i] <= '9' && (i == 0 || p[i - 1] < '0' || p[i - 1] > '9') &&
            (numeric_date(p, n, i, &y, &m, &d) || day_month_year(p, n, i, &y, &m, &d))) {
            put_date(out, y, m, d);
            return 1;
        }
        if (((p[i] | 32) >= 'a' && (p[i] | 32) <= 'z') &&
            (i == 0 || !((p[i - 1] | 32) >= 'a' && (p[i - 1] | 32) <= 'z'))) {
            if (month_day_year(p, n, i, &y, &m, &d, &k)) {
                put_date(out, y, m, d);
                return 1;
            }
            i = k > i ? k - 1 : i;
        }
    }
    return 0;
}

/* A date field set from text, when the text holds a date. */
static void set_date(ex_meta_field *f, const char *v, size_t n, unsigned r)
{
    char d[11];
    if ((f->rank == 0 || f->rank > r) && sd__ex_parse_date(v, n, d))
        set_field(f, d, 10, r);
}

/* A date in a page's address: /2019/11/18/ or 2019-11-18 in its path
 * (not in its host, where digits are no date). */
static void url_date(ex_meta_field *f, const char *url)
{
    const char *path;
    size_t n;
    char d[11];
    if (url == NULL || (f->rank != 0 && f->rank <= R_URL))
        return;
    path = strstr(url, "://");
    path = path ? strchr(path + 3, '/') : strchr(url, '/');
    if (path == NULL)
        return;
    n = strcspn(path, "?#");
    for (; n >= 10; path++, n--) {
        if ((path[0] == '/' || path[0] == '-' || path[0] == '_') &&
            sd__ex_parse_date(path + 1, n - 1 < 10 ? n - 1 : 10, d)) {
            /* only the numeric forms: a slug's words are no date */
            if (path[1] >= '0' && path[1] <= '9') {
                set_field(f, d, 10, R_URL);
                return;
            }
        }
    }
}

typedef struct meta_name {
    const char *name;
    uint8_t field; /* M_* */
    uint8_t rank;
} meta_name;

/* meta name= or property= values and what they give. */
static const meta_name meta_names[] = {
    {"author", M_AUTHOR, R_NAME},
    {"article:author", M_AUTHOR, R_OG},
    {"dc.creator", M_AUTHOR, R_NAME},
    {"dcterms.creator", M_AUTHOR, R_NAME},
    {"parsely-author", M_AUTHOR, R_NAME},
    {"sailthru.author", M_AUTHOR, R_NAME},
    {"byl", M_AUTHOR, R_NAME},
    {"twitter:creator", M_AUTHOR, R_URL},
    {"article:published_time", M_DATE, R_OG},
    {"og:published_time", M_DATE, R_OG},
    {"article:published", M_DATE, R_OG},
    {"datepublished", M_DATE, R_OG},
    {"pubdate", M_DATE, R_NAME},
    {"publishdate", M_DATE, R_NAME},
    {"publish-date", M_DATE, R_NAME},
    {"publish_date", M_DATE, R_NAME},
    {"date", M_DATE, R_NAME},
    {"dc.date", M_DATE, R_NAME},
    {"dc.date.issued", M_DATE, R_NAME},
    {"dcterms.created", M_DATE, R_NAME},
    {"dcterms.date", M_DATE, R_NAME},
    {"dcterms.issued", M_DATE, R_NAME},
    {"sailthru.date", M_DATE, R_NAME},
    {"parsely-pub-date", M_DATE, R_NAME},
    {"originalpublicationdate", M_DATE, R_NAME},
    {"article.published", M_DATE, R_NAME},
    {"og:updated_time", M_MODIFIED, R_OG},
    {"article:modified_time", M_MODIFIED, R_OG},
    {"article:modified", M_MODIFIED, R_OG},
    {"datemodified", M_MODIFIED, R_OG},
    {"dcterms.modified", M_MODIFIED, R_NAME},
    {"last-modified", M_MODIFIED, R_NAME},
    {"lastmod", M_MODIFIED, R_NAME},
    {"og:site_name", M_SITE, R_OG},
    {"application-name", M_SITE, R_NAME},
    {"twitter:site", M_SITE, R_URL},
    {"og:locale", M_LANG, R_NAME},
    {"dc.language", M_LANG, R_NAME},
    {"content-language", M_LANG, R_NAME},
    {"og:url", M_CANONICAL, R_OG},
    {"description", M_DESC, R_OG},
    {"og:description", M_DESC, R_NAME},
    {"twitter:description", M_DESC, R_TIME},
    {"dc.description", M_DESC, R_TIME},
};

/* A meta element: name=/property=/itemprop=/http-equiv= and content=. */
static void meta_tag(ex *x, const char *name, const char *content)
{
    size_t k, n = strlen(content);
    for (k = 0; k < sizeof meta_names / sizeof meta_names[0]; k++) {
        const meta_name *m = &meta_names[k];
        ex_meta_field *f;
        if (strcasecmp(name, m->name) != 0)
            continue;
        f = &x->meta.f[m->field];
        if (m->field == M_DATE || m->field == M_MODIFIED) {
            set_date(f, content, n, m->rank);
        } else if (m->field == M_AUTHOR) {
            /* an address (a profile page) is no name */
            if (strncmp(content, "http", 4) != 0 && content[0] != '@')
                set_field(f, content, n, m->rank);
        } else if (m->field == M_SITE && content[0] == '@') {
            set_field(f, content + 1, n - 1, m->rank);
        } else {
            set_field(f, content, n, m->rank);
        }
        return;
    }
}

/* The attributes of a start tag that carry metadata. */
typedef struct meta_attrs {
    const char *name, *content, *rel, *href, *lang, *datetime, *itemprop, *type;
    int pubdate;
} meta_attrs;

/* Reads a start tag's attributes (name, value, ... NULL) into a; name is
 * the first of name, property and http-equiv, the first two winning. */
static void read_meta_attrs(const char *const *attrs, meta_attrs *a)
{
    size_t k;
    memset(a, 0, sizeof *a);
    for (k = 0; attrs && attrs[k]; k += 2) {
        const char *an = attrs[k], *av = attrs[k + 1] ? attrs[k + 1] : "";
        if (strcasecmp(an, "name") == 0 || strcasecmp(an, "property") == 0 ||
            (strcasecmp(an, "http-equiv") == 0 && a->name == NULL))
            a->name = av;
        else if (strcasecmp(an, "content") == 0)
            a->content = av;
        else if (strcasecmp(an, "rel") == 0)
            a->rel = av;
        else if (strcasecmp(an, "href") == 0)
            a->href = av;
        else if (strcasecmp(an, "lang") == 0)
            a->lang = av;
        else if (strcasecmp(an, "datetime") == 0)
            a->datetime = av;
        else if (strcasecmp(an, "itemprop") == 0)
            a->itemprop = av;
        else if (strcasecmp(an, "pubdate") == 0)
            a->pubdate = 1;
        else if (strcasecmp(an, "type") == 0)
            a->type = av;
    }
}

/* A date an element gives by its datetime (or, for <time itemprop>, its
 * content): the modified or published date its itemprop names, the
 * published one with pubdate; a bare <time> ranks below. */
static void time_tag(ex *x, const char *tag, const meta_attrs *a)
{
    const char *v = a->datetime ? a->datetime : a->content;
    if (v == NULL)
        return;
    if (a->itemprop && strcasecmp(a->itemprop, "dateModified") == 0)
        set_date(&x->meta.f[M_MODIFIED], v, strlen(v), R_OG);
    else if ((a->itemprop && strcasecmp(a->itemprop, "datePublished") == 0) || a->pubdate)
        set_date(&x->meta.f[M_DATE], v, strlen(v), R_OG);
    else if (strcmp(tag, "time") == 0)
        set_date(&x->meta.f[M_DATE], v, strlen(v), R_TIME);
}

/* Looks at a start tag's attributes for metadata: <html lang>, <meta>,
 * <link rel=canonical>, <time datetime>, itemprop dates. */
void sd__ex_meta_tag(ex *x, const char *tag, const char *const *attrs)
{
    meta_attrs a;
    read_meta_attrs(attrs, &a);
    if (strcmp(tag, "script") == 0) {
        x->meta.in_ld = a.type != NULL && strcasecmp(a.type, "application/ld+json") == 0;
        if (x->meta.in_ld)
            sd__buf_reset(&x->meta.ld);
        return;
    }
    if (strcmp(tag, "html") == 0) {
        if (a.lang)
            set_field(&x->meta.f[M_LANG], a.lang, strlen(a.lang), R_OG);
        return;
    }
    if (a.itemprop && a.content) {
        if (strcasecmp(a.itemprop, "datePublished") == 0)
            set_date(&x->meta.f[M_DATE], a.content, strlen(a.content), R_OG);
        else if (strcasecmp(a.itemprop, "dateModified") == 0)
            set_date(&x->meta.f[M_MODIFIED], a.content, strlen(a.content), R_OG);
    }
    if (strcmp(tag, "meta") == 0) {
        if (a.name && a.content)
            meta_tag(x, a.name, a.content);
        return;
    }
    if (strcmp(tag, "link") == 0) {
        if (a.rel && a.href && strcasecmp(a.rel, "canonical") == 0)
            set_field(&x->meta.f[M_CANONICAL], a.href, strlen(a.href), R_LD);
        return;
    }
    if (a.datetime || (strcmp(tag, "time") == 0 && a.itemprop))
        time_tag(x, tag, &a);
}

/* A JSON-LD value as a person's or an organisation's name: a string, an
 * object's "name", or the first of an array. */
static const char *ld_name(json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_array(v) && json_array_size(v) > 0)
        return ld_name(json_array_get(v, 0));
    if (json_is_object(v))
        return json_string_value(json_object_get(v, "name"));
    return NULL;
}

/* True when an object's @type is an article, a posting or a page. */
static int ld_is_article(json_t *o)
{
    json_t *t = json_object_get(o, "@type");
    const char *s;
    size_t i;
    if (json_is_array(t)) {
        for (i = 0; i < json_array_size(t); i++)
            if (json_is_string(json_array_get(t, i))) {
                s = json_string_value(json_array_get(t, i));
                if (strstr(s, "Article") || strstr(s, "Posting") || strstr(s, "Report") ||
                    strstr(s, "Page") || strstr(s, "Review"))
                    return 1;
            }
        return 0;
    }
    s = json_string_value(t);
    return s && (strstr(s, "Article") || strstr(s, "Posting") || strstr(s, "Report") ||
                 strstr(s, "Page") || strstr(s, "Review"));
}

/* Walks a JSON-LD value for the article's fields, at most `depth` deep. */
static void ld_walk(ex *x, json_t *v, int depth)
{
    size_t i;
    if (depth <= 0)
        return;
    if (json_is_array(v)) {
        for (i = 0; i < json_array_size(v); i++)
            ld_walk(x, json_array_get(v, i), depth - 1);
        return;
    }
    if (!json_is_object(v))
        return;
    if (ld_is_article(v)) {
        json_t *d = json_object_get(v, "datePublished");
        const char *s;
        if (json_is_string(d))
            set_date(&x->meta.f[M_DATE], json_string_value(d), json_string_length(d), R_LD);
        d = json_object_get(v, "dateModified");
        if (json_is_string(d))
            set_date(&x->meta.f[M_MODIFIED], json_string_value(d), json_string_length(d), R_LD);
        if ((s = ld_name(json_object_get(v, "author"))) != NULL && strncmp(s, "http", 4) != 0)
            set_field(&x->meta.f[M_AUTHOR], s, strlen(s), R_LD);
        if ((s = ld_name(json_object_get(v, "publisher"))) != NULL)
            set_field(&x->meta.f[M_SITE], s, strlen(s), R_OG + 1);
    }
    ld_walk(x, json_object_get(v, "@graph"), depth - 1);
    ld_walk(x, json_object_get(v, "mainEntity"), depth - 1);
}

/* A JSON-LD script ended: reads what it says of the article. A script
 * that does not parse is ignored (many pages ship broken JSON-LD). */
void sd__ex_meta_ld_end(ex *x)
{
    json_t *root;
    json_error_t err;
    x->meta.in_ld = 0;
    if (x->meta.ld.len == 0)
        return;
    root = json_loadb(x->meta.ld.p, x->meta.ld.len, JSON_DISABLE_EOF_CHECK, &err);
    sd__buf_reset(&x->meta.ld);
    if (root == NULL)
        return;
    ld_walk(x, root, 6);
    json_decref(root);
}

/* Adds script text to the JSON-LD being read (bounded: metadata past
 * MAX_LD bytes is not worth the memory). */
void sd__ex_meta_ld_text(ex *x, const char *p, size_t n)
{
    if (x->meta.ld.len + n <= EX_MAX_LD && sd__buf_append(&x->meta.ld, p, n) != 0)
        x->meta.in_ld = 0;
}

static char *dup_field(const ex_meta_field *f)
{
    return sd__strndup(f->v, f->rank ? strlen(f->v) : 0);
}

/* Fills the article's metadata strings from what the page gave, the
 * page's address last. Returns 0 or SD_ENOMEM. */
int sd__ex_meta_out(ex *x, const char *url, sd_article *out)
{
    url_date(&x->meta.f[M_DATE], url);
    if (x->meta.f[M_CANONICAL].rank)
        url_date(&x->meta.f[M_DATE], x->meta.f[M_CANONICAL].v);
    out->author = dup_field(&x->meta.f[M_AUTHOR]);
    out->date = dup_field(&x->meta.f[M_DATE]);
    out->date_modified = dup_field(&x->meta.f[M_MODIFIED]);
    out->site_name = dup_field(&x->meta.f[M_SITE]);
    out->page_lang = dup_field(&x->meta.f[M_LANG]);
    out->canonical_url = dup_field(&x->meta.f[M_CANONICAL]);
    out->description = dup_field(&x->meta.f[M_DESC]);
    if (out->author == NULL || out->date == NULL || out->date_modified == NULL ||
        out->site_name == NULL || out->page_lang == NULL || out->canonical_url == NULL ||
        out->description == NULL)
        return SD_ENOMEM;
    return 0;
}
