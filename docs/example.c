/*
 * example.c: libsyndic from a program of your own. It deduplicates a few
 * strings, then traces the passage two texts share. `make check` compiles
 * it against the library and compares its output with docs/example.out;
 * against an installed library:
 *
 *     cc example.c $(pkg-config --cflags --libs syndic) -o example
 *     cc example.c $(pkg-config --cflags --libs --static syndic) -static-libgcc -o example
 */
#include <stdio.h>
#include <string.h>

#include <syndic.h>

/* A story of 68 words that two of the texts below share word for word. */
#define STORY                                                                                      \
    "The ferry between Port Avery and Kestrel Island sailed again on Monday morning, six "         \
    "weeks after a winter storm tore the landing stage from its moorings and left four "           \
    "hundred residents relying on one chartered fishing boat for food and post. The "              \
    "first sailing carried delivery vans, a mobile library and a group of schoolchildren "         \
    "who had been boarding with relatives in town since the end of January."

static const char *const texts[] = {
    "The council approved the new library hours on Tuesday, so the reading room now stays "
    "open until nine on weekdays and opens at ten on Sundays for the first time.",
    /* a near copy of the first: one word changed */
    "The council approved the new library hours on Tuesday, so the reading room now stays "
    "open until nine on weekdays and opens at ten on Sundays for the very first time.",
    "Frost in late April cost the valley's orchards half of their apple blossom, growers said.",
    /* a byte-for-byte copy of the third */
    "Frost in late April cost the valley's orchards half of their apple blossom, growers said.",
};

/* Prints the job's message, or the reason kept in errbuf, and fails. */
static int fail(const char *what, int rc, const char *msg)
{
    fprintf(stderr, "example: %s: %s: %s\n", what, sd_strerror(rc), msg);
    return 1;
}

static int dedup_strings(void)
{
    enum { N = sizeof texts / sizeof texts[0] };
    sd_dedup_options o;
    sd_dedup *d = NULL;
    sd_doc docs[N];
    sd_dedup_result r;
    char why[SD_ERRBUF_SIZE];
    size_t i;
    int rc;

    sd_dedup_options_init(&o);
    o.threshold = 0.7;
    o.threads = 1;
    if ((rc = sd_dedup_new(&o, &d, why)) != 0)
        return fail("sd_dedup_new", rc, why);
    for (i = 0; i < N; i++) {
        docs[i].text = texts[i];
        docs[i].len = strlen(texts[i]);
    }
    if ((rc = sd_dedup_add(d, docs, N)) != 0 || (rc = sd_dedup_finish(d, NULL, NULL)) != 0) {
        rc = fail("dedup", rc, sd_dedup_errmsg(d));
        sd_dedup_free(d);
        return rc;
    }
    for (i = 0; i < N; i++) {
        if ((rc = sd_dedup_get(d, i, &r)) != 0)
            break;
        if (r.rep == i)
            printf("text %zu: cluster %llu, kept\n", i, (unsigned long long)r.cluster);
        else
            printf("text %zu: cluster %llu, duplicate of text %llu (similarity %.2f%s)\n", i,
                   (unsigned long long)r.cluster, (unsigned long long)r.rep, r.similarity,
                   r.exact ? ", exact" : "");
    }
    sd_dedup_free(d);
    return rc ? fail("sd_dedup_get", rc, "") : 0;
}

static int trace_two(void)
{
    static const char a[] = "From the wire service this morning. " STORY
                            " The weather for the weekend looks mild with some rain in the north.";
    static const char b[] =
        "Island news in brief: " STORY " Ticket prices are unchanged, the operator said.";
    sd_trace_options o;
    sd_trace *t = NULL;
    sd_trace_doc docs[2];
    char why[SD_ERRBUF_SIZE];
    size_t i;
    int rc;

    sd_trace_options_init(&o);
    o.threads = 1;
    if ((rc = sd_trace_new(&o, &t, why)) != 0)
        return fail("sd_trace_new", rc, why);
    memset(docs, 0, sizeof docs);
    docs[0].text = a;
    docs[0].len = sizeof a - 1;
    docs[1].text = b;
    docs[1].len = sizeof b - 1;
    if ((rc = sd_trace_add(t, docs, 2)) != 0 || (rc = sd_trace_finish(t, NULL, NULL)) != 0) {
        rc = fail("trace", rc, sd_trace_errmsg(t));
        sd_trace_free(t);
        return rc;
    }
    for (i = 0; i < sd_trace_passage_count(t); i++) {
        const sd_passage *p = sd_trace_passage(t, i);
        printf("passage %zu: %llu tokens, identity %.2f: \"%.*s...\"\n", i,
               (unsigned long long)p->tokens_a, p->identity, 20, a + p->a.start);
        printf("  text a bytes [%llu, %llu), text b bytes [%llu, %llu)\n",
               (unsigned long long)p->a.start, (unsigned long long)p->a.end,
               (unsigned long long)p->b.start, (unsigned long long)p->b.end);
    }
    printf("stories: %zu\n", sd_trace_story_count(t));
    sd_trace_free(t);
    return 0;
}

int main(void)
{
    /* a library older than the header this program was built with may
     * lack what it uses */
    if (sd_version_number() < SD_VERSION_NUMBER) {
        fprintf(stderr, "example: built for syndic %s, running with %s\n", SD_VERSION_STRING,
                sd_version());
        return 1;
    }
    if (dedup_strings() != 0 || trace_two() != 0)
        return 1;
    return 0;
}
