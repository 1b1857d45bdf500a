/*
 * gen_dedup.c: a synthetic corpus with planted near-duplicates, for `make
 * bench`. Writes JSONL records {"id","family","text"} to stdout.
 *
 *   gen_dedup [-m MEGABYTES | -d DOCS] [-s SEED] [-S] [-W WINDOW]
 *
 * -d stops after DOCS records instead of MEGABYTES; -S makes short
 * documents (3 to 8 sentences, about 100 words, as news briefs and web
 * snippets are); -W shuffles and writes every WINDOW records instead of
 * holding the whole corpus, so corpora of tens of millions of records can
 * be made in little memory (copies then stay within a window).
 *
 * Text is pseudo-English: words built from syllables, drawn with a Zipf law
 * over a 30,000-word vocabulary, in sentences and paragraphs, with a few
 * accented words so the Unicode path is exercised. About a third of the
 * originals get a family of variants, made the way copies drift in real
 * corpora:
 *   exact     the same text again;
 *   near      up to 0.8% of the words replaced, a sentence dropped or
 *             added, a site header and footer around it, whitespace and
 *             case changed (exact Jaccard to the original mostly 0.85-1);
 *   far       6-16% of the words replaced with sentences moved, or only
 *             30-70% of the text: related, but below a 0.8 threshold
 *             (mostly 0.2-0.7);
 *   chain     a near copy of another variant, not of the original.
 * The generator does not decide which pairs are duplicates: the evaluator
 * computes every pair's exact Jaccard similarity within each family. Records
 * are shuffled so copies are spread through the corpus.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VOCAB 30000

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double unif(void)
{
    return (double)(next() >> 11) / 9007199254740992.0;
}

static size_t below(size_t n)
{
    return (size_t)(unif() * (double)n);
}

static char *words[VOCAB];
static double cdf[VOCAB];

static const char *syll[] = {
    "ba", "be", "bi", "bo", "ca", "ce", "co", "da", "de", "di", "do", "fa", "fe", "fi", "ga",
    "ge", "go", "ha", "he", "hi", "ja", "ka", "ke", "la", "le", "li", "lo", "lu", "ma", "me",
    "mi", "mo", "na", "ne", "ni", "no", "pa", "pe", "pi", "po", "ra", "re", "ri", "ro", "sa",
    "se", "si", "so", "ta", "te", "ti", "to", "va", "ve", "vi", "wa", "we", "ya", "za", "ze",
    "ar", "er", "in", "on", "un", "st", "tr", "nd", "th", "sh", "ch", "qu", "ll", "ss",
};

static void build_vocab(void)
{
    size_t i, ns = sizeof syll / sizeof syll[0];
    double sum = 0;
    for (i = 0; i < VOCAB; i++) {
        char w[64];
        size_t len = 0, k, nsyl = 1 + (size_t)(i > 50) + (size_t)(i > 800) + below(3);
        for (k = 0; k < nsyl; k++) {
            const char *s = syll[below(ns)];
            size_t sl = strlen(s);
            memcpy(w + len, s, sl);
            len += sl;
        }
        /* about one word in 60 carries an accent */
        if (i % 60 == 7 && len > 2) {
            memmove(w + 3, w + 2, len - 2);
            w[1] = (char)0xC3;
            w[2] = (char)0xA9;
            len++;
        }
        w[len] = '\0';
        words[i] = strdup(w);
        sum += 1.0 / (double)(i + 1);
        cdf[i] = sum;
    }
    for (i = 0; i < VOCAB; i++)
        cdf[i] /= sum;
}

static const char *zipf_word(void)
{
    double u = unif();
    size_t lo = 0, hi = VOCAB - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return words[lo];
}

/* A text as a list of sentences, each a list of word pointers. */
typedef struct sentence {
    const char **w;
    size_t n;
} sentence;

typedef struct doc {
    sentence *s;
    size_t n;
    int header, footer; /* site boilerplate around the text */
    int upper;          /* first word of each paragraph in capitals */
} doc;

static void make_sentence(sentence *s)
{
    size_t i;
    s->n = 6 + below(20);
    s->w = malloc(s->n * sizeof *s->w);
    for (i = 0; i < s->n; i++)
        s->w[i] = zipf_word();
}

static int short_docs;

static doc make_doc(void)
{
    doc d;
    /* log-normal-ish length: 20 to 120 sentences, median about 35 */
    size_t i, n = 8 + below(20) + below(20) + (below(10) == 0 ? below(80) : 0);
    if (short_docs)
        n = 3 + below(6);
    memset(&d, 0, sizeof d);
    d.n = n;
    d.s = malloc(n * sizeof *d.s);
    for (i = 0; i < n; i++)
        make_sentence(&d.s[i]);
    return d;
}

static doc copy_doc(const doc *src)
{
    doc d = *src;
    size_t i;
    d.s = malloc((d.n ? d.n : 1) * sizeof *d.s);
    for (i = 0; i < d.n; i++) {
        d.s[i].n = src->s[i].n;
        d.s[i].w = malloc(d.s[i].n * sizeof *d.s[i].w);
        memcpy(d.s[i].w, src->s[i].w, d.s[i].n * sizeof *d.s[i].w);
    }
    return d;
}

static void free_doc(doc *d)
{
    size_t i;
    for (i = 0; i < d->n; i++)
        free(d->s[i].w);
    free(d->s);
}

/* Replaces each word with probability p; drops and adds sentences. */
static void mutate(doc *d, double p, size_t drops, size_t adds)
{
    size_t i, j;
    for (i = 0; i < d->n; i++)
        for (j = 0; j < d->s[i].n; j++)
            if (unif() < p)
                d->s[i].w[j] = zipf_word();
    while (drops-- && d->n > 2) {
        size_t k = below(d->n);
        free(d->s[k].w);
        memmove(d->s + k, d->s + k + 1, (d->n - k - 1) * sizeof *d->s);
        d->n--;
    }
    if (adds) {
        d->s = realloc(d->s, (d->n + adds) * sizeof *d->s);
        while (adds--) {
            size_t k = below(d->n + 1);
            memmove(d->s + k + 1, d->s + k, (d->n - k) * sizeof *d->s);
            make_sentence(&d->s[k]);
            d->n++;
        }
    }
}

static void truncate_doc(doc *d, double keep)
{
    size_t n = (size_t)((double)d->n * keep);
    if (n < 1)
        n = 1;
    while (d->n > n)
        free(d->s[--d->n].w);
}

/* Output: a growable string per record. */
typedef struct str {
    char *p;
    size_t n, cap;
} str;

static void put(str *s, const char *p, size_t n)
{
    if (s->n + n > s->cap) {
        s->cap = (s->n + n) * 2 + 256;
        s->p = realloc(s->p, s->cap);
    }
    memcpy(s->p + s->n, p, n);
    s->n += n;
}

static void puts_(str *s, const char *p)
{
    put(s, p, strlen(p));
}

static const char *headers[] = {
    "Home | News | World | Business | Sport | Subscribe\\n\\n",
    "Advertisement\\n\\nSkip to main content. Sign in to continue reading.\\n\\n",
    "THE DAILY OBSERVER - Breaking news since 1901\\n\\n",
};
static const char *footers[] = {
    "\\n\\nShare this article on social media. Copyright all rights reserved.",
    "\\n\\nRead more: the latest stories from our newsroom, delivered every morning.",
    "\\n\\nComments are closed. Follow us for updates.",
};

static void render(str *out, const doc *d)
{
    size_t i, j;
    if (d->header)
        puts_(out, headers[d->header - 1]);
    for (i = 0; i < d->n; i++) {
        for (j = 0; j < d->s[i].n; j++) {
            const char *w = d->s[i].w[j];
            if (j == 0 && d->upper && i % 4 == 0) {
                char tmp[64];
                size_t k, l = strlen(w);
                for (k = 0; k < l && k < 63; k++)
                    tmp[k] = (w[k] >= 'a' && w[k] <= 'z') ? (char)(w[k] - 32) : w[k];
                put(out, tmp, k);
            } else if (j == 0 && w[0] >= 'a' && w[0] <= 'z') {
                char c = (char)(w[0] - 32);
                put(out, &c, 1);
                puts_(out, w + 1);
            } else {
                puts_(out, w);
            }
            if (j + 1 < d->s[i].n)
                puts_(out, j % 9 == 8 ? ", " : " ");
        }
        puts_(out, ".");
        puts_(out, (i % 4 == 3) ? "\\n\\n" : " ");
    }
    if (d->footer)
        puts_(out, footers[d->footer - 1]);
}

typedef struct record {
    char *line;
    size_t len;
} record;

/* Fisher-Yates shuffle of recs, then write and free them. */
static void flush(record *recs, size_t nrec)
{
    size_t i;
    for (i = nrec; i > 1; i--) {
        size_t j = below(i);
        record t = recs[i - 1];
        recs[i - 1] = recs[j];
        recs[j] = t;
    }
    for (i = 0; i < nrec; i++) {
        fwrite(recs[i].line, 1, recs[i].len, stdout);
        free(recs[i].line);
    }
}

int main(int argc, char **argv)
{
    double megabytes = 50;
    size_t target, bytes = 0, nrec = 0, cap = 0, family = 0, doc_id = 0;
    size_t max_docs = 0, window = 0;
    record *recs = NULL;
    int a;
    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "-m") == 0 && a + 1 < argc)
            megabytes = atof(argv[++a]);
        else if (strcmp(argv[a], "-d") == 0 && a + 1 < argc)
            max_docs = strtoull(argv[++a], NULL, 10);
        else if (strcmp(argv[a], "-W") == 0 && a + 1 < argc)
            window = strtoull(argv[++a], NULL, 10);
        else if (strcmp(argv[a], "-S") == 0)
            short_docs = 1;
        else if (strcmp(argv[a], "-s") == 0 && a + 1 < argc)
            rng ^= strtoull(argv[++a], NULL, 10) * 0xBF58476D1CE4E5B9ull;
        else {
            fprintf(stderr, "usage: gen_dedup [-m MEGABYTES | -d DOCS] [-s SEED] [-S] [-W WINDOW]\n");
            return 2;
        }
    }
    target = (size_t)(megabytes * 1e6);
    build_vocab();
    while (max_docs ? doc_id < max_docs : bytes < target) {
        doc orig = make_doc();
        doc members[8];
        size_t nm = 0, k, nvar = 0;
        members[nm++] = copy_doc(&orig);
        if (below(3) == 0)
            nvar = 1 + below(4);
        for (k = 0; k < nvar; k++) {
            double u = unif();
            doc v;
            if (u < 0.15) {
                v = copy_doc(&orig);
            } else if (u < 0.65) {
                v = copy_doc(&orig);
                mutate(&v, unif() * 0.008, below(2), below(2));
                v.header = (int)below(4);
                v.footer = (int)below(4);
                v.upper = (int)below(2);
            } else if (u < 0.8) {
                v = copy_doc(&orig);
                if (below(2))
                    mutate(&v, 0.06 + unif() * 0.10, below(4), below(4));
                else
                    truncate_doc(&v, 0.3 + unif() * 0.4);
            } else {
                v = copy_doc(&members[below(nm)]);
                mutate(&v, unif() * 0.006, below(2), 0);
            }
            members[nm++] = v;
        }
        for (k = 0; k < nm && (!max_docs || doc_id < max_docs); k++) {
            str s = {0};
            char head[96];
            snprintf(head, sizeof head, "{\"id\":\"doc%07zu\",\"family\":%zu,\"text\":\"",
                     doc_id++, family);
            puts_(&s, head);
            render(&s, &members[k]);
            puts_(&s, "\"}\n");
            if (nrec == cap) {
                cap = cap ? cap * 2 : 1024;
                recs = realloc(recs, cap * sizeof *recs);
            }
            recs[nrec].line = s.p;
            recs[nrec].len = s.n;
            nrec++;
            bytes += s.n;
            free_doc(&members[k]);
        }
        for (; k < nm; k++)
            free_doc(&members[k]);
        free_doc(&orig);
        family++;
        if (window && nrec >= window) {
            flush(recs, nrec);
            nrec = 0;
        }
    }
    flush(recs, nrec);
    free(recs);
    fprintf(stderr, "gen_dedup: %zu records in %zu families, %.1f MB\n", doc_id, family,
            (double)bytes / 1e6);
    return 0;
}
