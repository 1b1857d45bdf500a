/*
 * trace_site.c: a site's own text never makes a story.
 *
 * Pages of one site share more than menus and footers: a disclaimer, a
 * paragraph about the site, the readers' comments of a page kept as it
 * was saved. That text is prose, so it passes the furniture test of
 * text/prose.h, yet two pages that share only it carry no common story.
 * Such text is printed by one site only; a story that the site reprinted
 * is printed elsewhere too. So:
 *
 *   1. a passage is a site passage when its two documents are pages of one
 *      site: their URLs have the same host (its last two labels, three
 *      under a country's "co.", "com.", ...), or they share the text of a
 *      site's template besides their passages (one_site(): copies of a
 *      story on two sites share the story, and what it carries around its
 *      prose, but no menus and footers; the papers of one group, on hosts
 *      of their own, share a template);
 *   2. a site passage is kept only where a passage between pages of
 *      different sites covers half of it or more, in one of its two
 *      documents (a copy linked to the story through another page of its
 *      own site keeps its link; a disclaimer, found on no other site, goes).
 *
 * A story printed only by pages of one site is taken for the site's own
 * text, and so, without URLs, is one whose copies share much besides its
 * prose (a table of results printed under it): the cost of never linking
 * pages through their template.
 */
#include <string.h>
#include <xxhash.h>

#include "base/alloc.h"
#include "base/keysort.h"
#include "group/trace_int.h"

/* Shared k-grams besides their passages that make two pages one site's:
 * about a passage of identical template text. */
#define SITE_KGRAMS(minp) ((size_t)(minp))

/* Whether a second-level label is a generic one under a country's code. */
static int generic_sld(const char *s, size_t n)
{
    static const char *const g[] = {"co",  "com", "org", "net", "ac",
                                    "gov", "edu", "ne",  "or",  "go"};
    size_t i;
    for (i = 0; i < sizeof g / sizeof *g; i++)
        if (strlen(g[i]) == n && memcmp(s, g[i], n) == 0)
            return 1;
    return 0;
}

/* The host of a URL, lower-cased, without user information, port and
 * trailing dots, into host[0..cap): its length, 0 when url is no URL (no
 * scheme) or has no host. */
static size_t url_host(const char *url, size_t n, char *host, size_t cap)
{
    size_t i, h0, h1, hl = 0;
    for (i = 0; i + 2 < n && i < 16; i++)
        if (url[i] == ':' && url[i + 1] == '/' && url[i + 2] == '/')
            break;
    if (i + 2 >= n || i >= 16)
        return 0; /* no scheme: not a URL */
    h0 = i + 3;
    for (h1 = h0; h1 < n && url[h1] != '/' && url[h1] != '?' && url[h1] != '#'; h1++)
        if (url[h1] == '@')
            h0 = h1 + 1; /* user information */
    for (i = h0; i < h1 && url[i] != ':' && hl < cap; i++) {
        char c = url[i];
        host[hl++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    while (hl && host[hl - 1] == '.')
        hl--;
    return hl;
}

/* Where the site's name starts in host[0..hl): the last two labels, or
 * three after a two-letter country code whose second level is generic
 * (example.co.uk, example.com.au). */
static size_t site_start(const char *host, size_t hl)
{
    size_t i, dots[3] = {0, 0, 0}, nd = 0;
    for (i = hl; i-- > 0;)
        if (host[i] == '.') {
            if (nd < 3)
                dots[nd] = i;
            nd++;
        }
    if (nd >= 2) {
        size_t tld = hl - dots[0] - 1, sld = dots[0] - dots[1] - 1;
        int generic = generic_sld(host + dots[1] + 1, sld);
        if (tld == 2 && generic)
            return nd >= 3 ? dots[2] + 1 : 0;
        return dots[1] + 1;
    }
    return 0;
}

uint64_t sd__trace_site(const char *url, size_t n)
{
    char host[256];
    size_t hl, start;
    if (!url || n == 0)
        return 0;
    if ((hl = url_host(url, n, host, sizeof host)) == 0)
        return 0;
    start = site_start(host, hl);
    return XXH3_64bits(host + start, hl - start) | 1;
}

/* The hash of the k tokens at h[i..] (never 0). */
static uint64_t kgram(const uint32_t *h, size_t i, unsigned k)
{
    uint64_t x = 0x9E3779B97F4A7C15ull;
    unsigned j;
    for (j = 0; j < k; j++)
        x = (x ^ h[i + j]) * 0xff51afd7ed558ccdull;
    return (x ^ (x >> 29)) | 1;
}

/* A set of k-grams (open addressing, 0 empty): sd_kset of trace_int.h. */
typedef sd_kset kset;

/* Where k-gram x is in s, or the empty slot where it would go. */
static size_t kset_slot(const kset *s, uint64_t x)
{
    size_t j = (size_t)(x * 0x9E3779B97F4A7C15ull) & s->mask;
    while (s->v[j] && s->v[j] != x)
        j = (j + 1) & s->mask;
    return j;
}

/* Makes s the set of the k-grams starting in tokens [lo, hi) of d. */
static int kset_build(kset *s, const sd_tdoc *d, unsigned k, size_t lo, size_t hi)
{
    size_t i, size = 16;
    while (size < 2 * (hi - lo) + 2)
        size *= 2;
    if (size > s->cap) {
        sd__free(s->v);
        if ((s->v = sd__malloc(size * sizeof *s->v)) == NULL) {
            s->cap = 0;
            return SD_ENOMEM;
        }
        s->cap = size;
    }
    s->mask = size - 1;
    memset(s->v, 0, size * sizeof *s->v);
    for (i = lo; i + k <= hi; i++) {
        uint64_t x = kgram(d->h, i, k);
        s->v[kset_slot(s, x)] = x;
    }
    return 0;
}

/* Whether s holds k-gram x. */
static int kset_has(const kset *s, uint64_t x)
{
    return s != NULL && s->v != NULL && s->v[kset_slot(s, x)] == x;
}

/* Of the k-grams outside the zones, every STRIDE-th is looked up: the
 * text pages share lies in long runs, which a sample counts as well. */
#define STRIDE 2

/*
 * How many k-grams of document b lying outside the zones z[0..2 nz) (each
 * a token range [z[2i], z[2i + 1]) of b, in any order) are in s (a's
 * k-grams) and not in `skip` (NULL: none), up to `enough`: every STRIDE-th
 * looked up, each found counting STRIDE.
 */
static size_t shared_outside(const kset *s, const kset *skip, const sd_tdoc *b, unsigned k,
                             const uint32_t *z, size_t nz, size_t enough)
{
    size_t i, q, got = 0;
    if (s->v == NULL)
        return 0;
    for (i = 0; i + k <= b->n && got < enough; i += STRIDE) {
        uint64_t x;
        for (q = 0; q < nz && !(i + k > z[2 * q] && i < z[2 * q + 1]); q++)
            ;
        if (q < nz) {
            if (z[2 * q + 1] > i + STRIDE)
                i = z[2 * q + 1] - STRIDE; /* past this zone */
            continue;
        }
        x = kgram(b->h, i, k);
        got += kset_has(s, x) && !kset_has(skip, x) ? STRIDE : 0;
    }
    return got;
}

/* Whether a[i..i+4) equals b[j..j+4), within both. */
static int four_equal(const sd_tdoc *a, const sd_tdoc *b, uint32_t i, uint32_t j)
{
    uint32_t x;
    if (i + 4 > a->n || j + 4 > b->n)
        return 0;
    for (x = 0; x < 4; x++)
        if (a->h[i + x] != b->h[j + x])
            return 0;
    return 1;
}

/* Unequal tokens widen() steps over, on one side or both: a changed
 * word, columns in another order, a line one copy rewrote (a list's line
 * with its words moved), a short line one copy inserted (a caption,
 * "Read more"). */
#define WIDEN_SKIP 16

/* Moves the ends *a1, *b1 forward over the equal tokens after them,
 * stepping over a few unequal ones where four equal follow. */
static void widen_after(const sd_tdoc *a, const sd_tdoc *b, uint32_t *a1, uint32_t *b1)
{
    uint32_t da, db;
    int found;
    for (;;) {
        while (*a1 < a->n && *b1 < b->n && a->h[*a1] == b->h[*b1])
            (*a1)++, (*b1)++;
        found = 0;
        for (da = 0; da <= WIDEN_SKIP && !found; da++)
            for (db = 0; db <= WIDEN_SKIP && !found; db++)
                found = (da || db) && four_equal(a, b, *a1 + da, *b1 + db);
        if (!found)
            break;
        *a1 += da - 1;
        *b1 += db - 1;
    }
}

/* Moves the starts *a0, *b0 back over the equal tokens before them,
 * stepping over a few unequal ones where four equal come before. */
static void widen_before(const sd_tdoc *a, const sd_tdoc *b, uint32_t *a0, uint32_t *b0)
{
    uint32_t da, db;
    int found;
    for (;;) {
        while (*a0 > 0 && *b0 > 0 && a->h[*a0 - 1] == b->h[*b0 - 1])
            (*a0)--, (*b0)--;
        found = 0;
        for (da = 0; da <= WIDEN_SKIP && !found; da++)
            for (db = 0; db <= WIDEN_SKIP && !found; db++)
                found = (da || db) && *a0 >= da + 4 && *b0 >= db + 4 &&
                        four_equal(a, b, *a0 - da - 4, *b0 - db - 4);
        if (!found)
            break;
        *a0 -= da - 1 + 4;
        *b0 -= db - 1 + 4;
    }
}

/*
 * Widens [a0, a1) x [b0, b1) over the equal tokens around it, stepping
 * over a few unequal ones where four equal follow: what both print next
 * to the passages.
 */
static void widen(const sd_tdoc *a, const sd_tdoc *b, uint32_t *a0, uint32_t *b0, uint32_t *a1,
                  uint32_t *b1)
{
    widen_after(a, b, a1, b1);
    widen_before(a, b, a0, b0);
}

/* How many of the k-grams of b[lo, hi) are in s. */
static size_t shared_in(const kset *s, const sd_tdoc *b, unsigned k, uint32_t lo, uint32_t hi)
{
    size_t i, got = 0;
    for (i = lo; i + k <= hi; i++)
        got += (size_t)kset_has(s, kgram(b->h, i, k));
    return got;
}

/*
 * Whether documents a and b, with passages tp[0..np) between them (in
 * order of their start in a), look like two pages of one site. They must
 * share `enough` k-grams besides their passages; and either
 *   - a quarter as many outside the stretch from the first passage to the
 *     last, widened over the equal tokens around it (widen(): what a
 *     story carries besides its prose, a table, names on lines of their
 *     own, lies there in both copies, a site's menus and footer around
 *     it); or
 *   - two of their passages hold between them, in both, a stretch of two
 *     passages' length or more that the other does not have: the site's
 *     text around two different articles.
 * A k-gram the widened stretch of a holds is no template's: an article
 * that repeats itself (a menu plan for each week, a table's rows) is
 * shared outside that stretch too where one copy is cut shorter.
 * z is room for 2 np tokens; zs is scratch for a set.
 */
static int one_site(const kset *s, kset *zs, const sd_tdoc *a, const sd_tdoc *b, unsigned k,
                    const sd_tp *tp, size_t np, size_t enough, unsigned minp, uint32_t *z)
{
    uint32_t a0 = UINT32_MAX, b0 = UINT32_MAX, a1 = 0, b1 = 0;
    size_t q;
    for (q = 0; q < np; q++) {
        z[2 * q] = tp[q].p.b0;
        z[2 * q + 1] = tp[q].p.b1;
        if (tp[q].p.b0 < b0) {
            b0 = tp[q].p.b0;
            a0 = tp[q].p.a0;
        }
        if (tp[q].p.b1 > b1) {
            b1 = tp[q].p.b1;
            a1 = tp[q].p.a1;
        }
    }
    if (shared_outside(s, NULL, b, k, z, np, enough) < enough)
        return 0;
    for (q = 0; q + 1 < np; q++) {
        const sd_tpass *p = &tp[q].p, *r = &tp[q + 1].p;
        if (r->a0 >= p->a1 + 2 * minp && r->b0 >= p->b1 + 2 * minp &&
            5 * shared_in(s, b, k, p->b1, r->b0) < r->b0 - p->b1)
            return 1;
    }
    widen(a, b, &a0, &b0, &a1, &b1);
    z[0] = b0;
    z[1] = b1;
    if (shared_outside(s, NULL, b, k, z, 1, enough / 4) < enough / 4)
        return 0;
    /* a's stretch: from its first passage or widened start to its last
     * passage or widened end (passages in another order in b can put the
     * start paired with b's first token after the end) */
    for (q = 0; q < np; q++) {
        if (tp[q].p.a0 < a0)
            a0 = tp[q].p.a0;
        if (tp[q].p.a1 > a1)
            a1 = tp[q].p.a1;
    }
    if (kset_build(zs, a, k, a0, a1 > a0 ? a1 : a0) != 0)
        return -1;
    return shared_outside(s, zs, b, k, z, 1, enough / 4) >= enough / 4;
}

/* Tokens of [a, b) covered by the merged, sorted intervals iv[0..n). */
static uint64_t covered(const sd_kv *iv, size_t n, uint32_t a, uint32_t b)
{
    size_t lo = 0, hi = n;
    uint64_t c = 0;
    /* the first interval ending after a */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if ((uint32_t)iv[mid].val <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < n && (uint32_t)iv[lo].key < b; lo++) {
        uint32_t s = (uint32_t)iv[lo].key > a ? (uint32_t)iv[lo].key : a;
        uint32_t e = (uint32_t)iv[lo].val < b ? (uint32_t)iv[lo].val : b;
        if (e > s)
            c += e - s;
    }
    return c;
}

int sd__trace_site_pair(const sd_trace *t, size_t i, size_t j, sd_site_scratch *sc, int *same)
{
    uint32_t a = t->tp[i].da, b = t->tp[i].db;
    const sd_tdoc *da = &t->docs[a], *db = &t->docs[b];
    int r;
    *same = da->site && da->site == db->site;
    if (*same)
        return 0;
    if (!sc->has || sc->built != a) {
        sc->has = 0;
        if (kset_build(&sc->ks, da, t->k, 0, da->n) != 0)
            return SD_ENOMEM;
        sc->built = a;
        sc->has = 1;
    }
    if (SD_GROW(sc->zone, sc->zcap, 2 * (j - i)))
        return SD_ENOMEM;
    r = one_site(&sc->ks, &sc->zs, da, db, t->k, t->tp + i, j - i, SITE_KGRAMS(t->o.min_passage),
                 t->o.min_passage, sc->zone);
    if (r < 0)
        return SD_ENOMEM;
    *same = r;
    return 0;
}

void sd__trace_site_scratch_release(sd_site_scratch *sc)
{
    sd__free(sc->ks.v);
    sd__free(sc->zs.v);
    sd__free(sc->zone);
    memset(sc, 0, sizeof *sc);
}

int sd__trace_site_filter(sd_trace *t)
{
    size_t np = t->npass, i, j, nsite = 0;
    uint8_t *site = NULL;
    sd_site_scratch sc;
    int rc = SD_ENOMEM;

    if (np == 0 || t->o.all_text)
        return 0;
    if ((site = sd__calloc(np, 1)) == NULL)
        return SD_ENOMEM;
    memset(&sc, 0, sizeof sc);

    /* 1. site passages; passages come grouped by pair */
    for (i = 0; i < np; i = j) {
        uint32_t a = t->tp[i].da, b = t->tp[i].db;
        int same;
        for (j = i + 1; j < np && t->tp[j].da == a && t->tp[j].db == b; j++)
            ;
        if (sd__trace_site_pair(t, i, j, &sc, &same) != 0)
            goto done;
        if (same) {
            memset(site + i, 1, j - i);
            nsite += j - i;
        }
        if (i % 4096 == 0)
            sd__trace_trim(t);
    }
    rc = nsite ? sd__trace_site_drop(t, site) : 0;
done:
    sd__trace_site_scratch_release(&sc);
    sd__free(site);
    return rc;
}

int sd__trace_site_drop(sd_trace *t, const uint8_t *site)
{
    size_t np = t->npass, i, nc = 0, o, nsite = 0;
    sd_kv *cov = NULL;
    size_t *at = NULL;
    int rc = SD_ENOMEM;

    for (i = 0; i < np; i++)
        nsite += site[i] != 0;
    if (nsite == 0)
        return 0;
    /* 2. per document, what passages between different sites cover */
    if ((cov = sd__reallocarray(NULL, 2 * (np - nsite) + 1, sizeof *cov)) == NULL ||
        (at = sd__calloc(t->n + 1, sizeof *at)) == NULL)
        goto done;
    for (i = 0; i < np; i++) {
        const sd_tp *p = &t->tp[i];
        if (site[i])
            continue;
        cov[nc].key = (uint64_t)p->da << 32 | p->p.a0;
        cov[nc++].val = (uint64_t)p->da << 32 | p->p.a1;
        cov[nc].key = (uint64_t)p->db << 32 | p->p.b0;
        cov[nc++].val = (uint64_t)p->db << 32 | p->p.b1;
    }
    if ((rc = sd__kv_sort(cov, nc)) != 0)
        goto done;
    /* merged in place, per document */
    for (i = 0, o = 0; i < nc; i++) {
        if (o && cov[o - 1].key >> 32 == cov[i].key >> 32 && cov[i].key <= cov[o - 1].val) {
            if (cov[i].val > cov[o - 1].val)
                cov[o - 1].val = cov[i].val;
        } else {
            cov[o++] = cov[i];
        }
    }
    nc = o;
    for (i = 0; i < nc; i++)
        at[(cov[i].key >> 32) + 1]++;
    for (i = 0; i < t->n; i++)
        at[i + 1] += at[i];
    /* 3. site passages stay where the other sites confirm them */
    for (i = 0, o = 0; i < np; i++) {
        const sd_tp *p = &t->tp[i];
        if (site[i]) {
            uint64_t ca = covered(cov + at[p->da], at[p->da + 1] - at[p->da], p->p.a0, p->p.a1);
            uint64_t cb = covered(cov + at[p->db], at[p->db + 1] - at[p->db], p->p.b0, p->p.b1);
            if (2 * ca < (uint64_t)(p->p.a1 - p->p.a0) && 2 * cb < (uint64_t)(p->p.b1 - p->p.b0)) {
                t->stats.site_passages++;
                continue;
            }
        }
        if (o != i) {
            t->tp[o] = t->tp[i];
            t->pass[o] = t->pass[i];
        }
        o++;
    }
    t->npass = o;
    t->stats.passages = o;
    rc = 0;
done:
    sd__free(cov);
    sd__free(at);
    return rc;
}
