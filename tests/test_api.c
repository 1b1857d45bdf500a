/*
 * test_api.c: the public API under misuse. Every job object called with
 * NULL, in every wrong order, and after a failed call answers with an error
 * code and never crashes; constructors say why they failed; options structs
 * not set up by their _init() are refused; and a dedup job meets a failed
 * allocation at every allocation it makes, in memory and under a memory
 * limit, with an error (and, once none fails, the right results).
 */
#include <stdlib.h>
#include <string.h>

#include "syndic.h"
#include "test.h"

static uint64_t seed_ = 0x8F3C0A55E1D2B7ULL;

/* Documents with copies and near copies among them, as sd_doc and
 * sd_trace_doc; texts[i] is malloc'd. */
enum { NDOCS = 8 };
typedef struct corpus {
    char *texts[NDOCS];
    sd_doc docs[NDOCS];
    sd_trace_doc tdocs[NDOCS];
} corpus;

static void corpus_make(corpus *c)
{
    size_t i;
    memset(c, 0, sizeof *c);
    for (i = 0; i < NDOCS; i++) {
        if (i % 4 == 1) {
            c->texts[i] = strdup(c->texts[i - 1]); /* an exact copy */
        } else if (i % 4 == 2) {
            size_t n = strlen(c->texts[i - 1]);
            c->texts[i] = malloc(n + 8);
            memcpy(c->texts[i], c->texts[i - 1], n);
            memcpy(c->texts[i] + n, " w1 w2", 7); /* a near copy */
        } else {
            c->texts[i] = sd_test_words(&seed_, 150, 4000);
        }
        c->docs[i].text = c->texts[i];
        c->docs[i].len = strlen(c->texts[i]);
        c->tdocs[i].text = c->texts[i];
        c->tdocs[i].len = c->docs[i].len;
    }
}

static void corpus_free(corpus *c)
{
    size_t i;
    for (i = 0; i < NDOCS; i++)
        free(c->texts[i]);
}

static int stop_now(void *ud, const char *stage, uint64_t done, uint64_t total)
{
    (void)ud;
    (void)stage;
    (void)done;
    (void)total;
    return 1;
}

TEST(api_null_objects)
{
    sd_record rec;
    sd_dedup_result r;
    sd_dedup_stats ds;
    sd_trace_stats ts;
    const char *text;
    const uint64_t *stories;
    const uint64_t *counts;
    size_t n;
    sd_article art;
    int rc[1];
    sd_page page = {"<p>x</p>", 8, NULL};

    CHECK_EQ_INT(sd_reader_new(NULL, NULL, NULL), SD_EINVAL);
    CHECK_EQ_INT(sd_reader_add(NULL, "x"), SD_EINVAL);
    CHECK_EQ_INT(sd_reader_next(NULL, &rec), SD_EINVAL);
    CHECK_EQ_STR(sd_reader_errmsg(NULL), "");
    CHECK_EQ_U64(sd_reader_bytes(NULL), 0);
    CHECK_EQ_U64(sd_reader_records(NULL), 0);
    CHECK_EQ_INT(sd_reader_count_files(NULL, &n), SD_EINVAL);
    CHECK_EQ_INT(sd_reader_file_counts(NULL, &counts, &n), SD_EINVAL);
    sd_reader_free(NULL);

    CHECK_EQ_INT(sd_dedup_new(NULL, NULL, NULL), SD_EINVAL);
    CHECK_EQ_INT(sd_dedup_add(NULL, NULL, 0), SD_EINVAL);
    CHECK_EQ_INT(sd_dedup_finish(NULL, NULL, NULL), SD_EINVAL);
    CHECK_EQ_INT(sd_dedup_get(NULL, 0, &r), SD_EINVAL);
    sd_dedup_get_stats(NULL, &ds);
    CHECK_EQ_U64(ds.docs, 0);
    sd_dedup_get_stats(NULL, NULL);
    CHECK_EQ_STR(sd_dedup_errmsg(NULL), "");
    sd_dedup_free(NULL);

    CHECK_EQ_INT(sd_trace_new(NULL, NULL, NULL), SD_EINVAL);
    CHECK_EQ_INT(sd_trace_add(NULL, NULL, 0), SD_EINVAL);
    CHECK_EQ_INT(sd_trace_finish(NULL, NULL, NULL), SD_EINVAL);
    CHECK_EQ_U64(sd_trace_passage_count(NULL), 0);
    CHECK(sd_trace_passage(NULL, 0) == NULL);
    CHECK_EQ_U64(sd_trace_story_count(NULL), 0);
    CHECK(sd_trace_story(NULL, 0) == NULL);
    CHECK_EQ_INT(sd_trace_doc_stories(NULL, 0, &stories, &n), SD_EINVAL);
    CHECK_EQ_INT(sd_trace_doc_text(NULL, 0, &text, &n), SD_EINVAL);
    sd_trace_get_stats(NULL, &ts);
    CHECK_EQ_U64(ts.docs, 0);
    sd_trace_release_pages(NULL);
    CHECK_EQ_STR(sd_trace_errmsg(NULL), "");
    sd_trace_free(NULL);

    CHECK_EQ_INT(sd_extractor_new(NULL, 1, 0, NULL, NULL), SD_EINVAL);
    CHECK_EQ_INT(sd_extractor_run(NULL, &page, 1, &art, rc), SD_EINVAL);
    sd_extractor_free(NULL);
    sd_article_release(NULL);
}

/* Options not set up by their _init(), or from a newer library, are
 * refused with the reason in the caller's buffer. */
TEST(api_options_need_init)
{
    sd_dedup_options dopt;
    sd_trace_options topt;
    sd_reader_options ropt;
    sd_extract_options eopt;
    sd_dedup *d = (sd_dedup *)&dopt; /* overwritten with NULL on failure */
    sd_trace *t = NULL;
    sd_reader *r = NULL;
    sd_extractor *x = NULL;
    sd_article art;
    char why[SD_ERRBUF_SIZE];

    memset(&dopt, 0, sizeof dopt);
    why[0] = '\0';
    CHECK_EQ_INT(sd_dedup_new(&dopt, &d, why), SD_EINVAL);
    CHECK(d == NULL);
    CHECK(strstr(why, "sd_dedup_options_init") != NULL);
    sd_dedup_options_init(&dopt);
    dopt.size += 8; /* a newer, longer struct */
    CHECK_EQ_INT(sd_dedup_new(&dopt, &d, why), SD_EINVAL);
    CHECK(strstr(why, "newer") != NULL);

    memset(&topt, 0, sizeof topt);
    CHECK_EQ_INT(sd_trace_new(&topt, &t, why), SD_EINVAL);
    CHECK(t == NULL && strstr(why, "sd_trace_options_init") != NULL);
    memset(&ropt, 0, sizeof ropt);
    CHECK_EQ_INT(sd_reader_new(&ropt, &r, why), SD_EINVAL);
    CHECK(r == NULL && strstr(why, "sd_reader_options_init") != NULL);
    memset(&eopt, 0, sizeof eopt);
    CHECK_EQ_INT(sd_extractor_new(&eopt, 1, 0, &x, why), SD_EINVAL);
    CHECK(x == NULL && strstr(why, "sd_extract_options_init") != NULL);
    CHECK_EQ_INT(sd_extract("<p>x</p>", 8, NULL, &eopt, &art), SD_EINVAL);
    sd_article_release(&art);

    /* an initialised struct works, and the defaults stand */
    sd_dedup_options_init(&dopt);
    CHECK_EQ_INT(sd_dedup_new(&dopt, &d, why), 0);
    sd_dedup_free(d);
}

/* A constructor that fails says why in the caller's buffer: the option
 * and its range, or the directory that takes no temporary file. */
TEST(api_constructors_keep_the_reason)
{
    sd_dedup_options dopt;
    sd_trace_options topt;
    sd_dedup *d = NULL;
    sd_trace *t = NULL;
    char why[SD_ERRBUF_SIZE];

    sd_dedup_options_init(&dopt);
    dopt.threshold = 1.5;
    CHECK_EQ_INT(sd_dedup_new(&dopt, &d, why), SD_EINVAL);
    CHECK(strstr(why, "threshold") != NULL);
    sd_dedup_options_init(&dopt);
    dopt.num_perm = 100;
    CHECK_EQ_INT(sd_dedup_new(&dopt, &d, why), SD_EINVAL);
    CHECK(strstr(why, "num_perm") != NULL);
    sd_dedup_options_init(&dopt);
    dopt.bands = 4;
    CHECK_EQ_INT(sd_dedup_new(&dopt, &d, why), SD_EINVAL);
    CHECK(strstr(why, "rows") != NULL);
    dopt.rows = 100; /* 400 > 256 */
    CHECK_EQ_INT(sd_dedup_new(&dopt, &d, why), SD_EINVAL);
    CHECK(strstr(why, "exceeds num_perm") != NULL);
    CHECK_EQ_INT(sd_dedup_new(&dopt, &d, NULL), SD_EINVAL); /* no buffer: fine */

    sd_trace_options_init(&topt);
    topt.min_passage = 2;
    CHECK_EQ_INT(sd_trace_new(&topt, &t, why), SD_EINVAL);
    CHECK(strstr(why, "min_passage") != NULL);
    sd_trace_options_init(&topt);
    topt.memory_limit = (uint64_t)64 << 20;
    topt.tmpdir = "/nonexistent/dir";
    CHECK_EQ_INT(sd_trace_new(&topt, &t, why), SD_EIO);
    CHECK(t == NULL);
    CHECK(strstr(why, "/nonexistent/dir") != NULL);
}

TEST(api_dedup_wrong_order)
{
    corpus c;
    sd_dedup *d = NULL;
    sd_dedup_result r;
    sd_dedup_stats st;
    sd_dedup_options o;
    corpus_make(&c);
    sd_dedup_options_init(&o);
    o.threads = 1;
    CHECK_EQ_INT(sd_dedup_new(&o, &d, NULL), 0);
    CHECK_EQ_INT(sd_dedup_get(d, 0, &r), SD_EINVAL); /* new */
    CHECK_EQ_INT(sd_dedup_add(d, NULL, 3), SD_EINVAL); /* a bad argument changes nothing */
    CHECK_EQ_INT(sd_dedup_add(d, c.docs, 0), 0);
    CHECK_EQ_INT(sd_dedup_add(d, c.docs, 4), 0);
    CHECK_EQ_INT(sd_dedup_get(d, 0, &r), SD_EINVAL); /* adding */
    CHECK_EQ_INT(sd_dedup_get(d, 0, NULL), SD_EINVAL);
    CHECK_EQ_INT(sd_dedup_add(d, c.docs + 4, NDOCS - 4), 0);
    CHECK_EQ_INT(sd_dedup_finish(d, NULL, NULL), 0);
    /* finished: nothing more goes in, finish is once */
    CHECK_EQ_INT(sd_dedup_add(d, c.docs, 1), SD_EINVAL);
    CHECK(strstr(sd_dedup_errmsg(d), "sd_dedup_add") != NULL);
    CHECK_EQ_INT(sd_dedup_finish(d, NULL, NULL), SD_EINVAL);
    CHECK_EQ_INT(sd_dedup_get(d, 1, &r), 0);
    CHECK_EQ_U64(r.rep, 0);
    CHECK_EQ_INT(r.exact, 1);
    CHECK_EQ_INT(sd_dedup_get(d, NDOCS, &r), SD_EINVAL);
    sd_dedup_get_stats(d, &st);
    CHECK_EQ_U64(st.docs, NDOCS);
    sd_dedup_free(d);

    /* finish with nothing added */
    CHECK_EQ_INT(sd_dedup_new(&o, &d, NULL), 0);
    CHECK_EQ_INT(sd_dedup_finish(d, NULL, NULL), 0);
    CHECK_EQ_INT(sd_dedup_get(d, 0, &r), SD_EINVAL);
    sd_dedup_free(d);

    /* a canceled finish leaves the job failed, with its reason */
    CHECK_EQ_INT(sd_dedup_new(&o, &d, NULL), 0);
    CHECK_EQ_INT(sd_dedup_add(d, c.docs, NDOCS), 0);
    CHECK_EQ_INT(sd_dedup_finish(d, stop_now, NULL), SD_ECANCELED);
    CHECK_EQ_INT(sd_dedup_finish(d, NULL, NULL), SD_ECANCELED);
    CHECK_EQ_INT(sd_dedup_get(d, 0, &r), SD_ECANCELED);
    CHECK_EQ_INT(sd_dedup_add(d, c.docs, 1), SD_ECANCELED);
    CHECK_EQ_STR(sd_dedup_errmsg(d), "canceled");
    sd_dedup_free(d);
    corpus_free(&c);
}

TEST(api_trace_wrong_order)
{
    corpus c;
    sd_trace *t = NULL;
    sd_trace_options o;
    const uint64_t *stories;
    const char *text;
    size_t n;
    corpus_make(&c);
    sd_trace_options_init(&o);
    o.threads = 1;
    CHECK_EQ_INT(sd_trace_new(&o, &t, NULL), 0);
    CHECK_EQ_INT(sd_trace_doc_text(t, 0, &text, &n), SD_EINVAL); /* new */
    CHECK_EQ_INT(sd_trace_doc_stories(t, 0, &stories, &n), SD_EINVAL);
    CHECK_EQ_INT(sd_trace_add(t, NULL, 2), SD_EINVAL);
    CHECK_EQ_INT(sd_trace_add(t, c.tdocs, NDOCS), 0);
    CHECK_EQ_INT(sd_trace_doc_text(t, 0, &text, &n), 0);
    CHECK_EQ_INT(sd_trace_doc_stories(t, 0, &stories, &n), SD_EINVAL); /* adding */
    CHECK_EQ_U64(sd_trace_passage_count(t), 0);
    CHECK(sd_trace_story(t, 0) == NULL);
    CHECK_EQ_INT(sd_trace_finish(t, NULL, NULL), 0);
    CHECK_EQ_INT(sd_trace_finish(t, NULL, NULL), SD_EINVAL);
    CHECK_EQ_INT(sd_trace_add(t, c.tdocs, 1), SD_EINVAL);
    CHECK(sd_trace_passage_count(t) > 0);
    CHECK_EQ_INT(sd_trace_doc_stories(t, 0, &stories, &n), 0);
    CHECK_EQ_INT(sd_trace_doc_stories(t, NDOCS, &stories, &n), SD_EINVAL);
    sd_trace_free(t);

    /* a canceled finish leaves the job failed */
    CHECK_EQ_INT(sd_trace_new(&o, &t, NULL), 0);
    CHECK_EQ_INT(sd_trace_add(t, c.tdocs, NDOCS), 0);
    CHECK_EQ_INT(sd_trace_finish(t, stop_now, NULL), SD_ECANCELED);
    CHECK_EQ_INT(sd_trace_finish(t, NULL, NULL), SD_ECANCELED);
    CHECK_EQ_INT(sd_trace_add(t, c.tdocs, 1), SD_ECANCELED);
    CHECK_EQ_INT(sd_trace_doc_text(t, 0, &text, &n), SD_ECANCELED);
    CHECK_EQ_U64(sd_trace_passage_count(t), 0);
    CHECK(sd_trace_errmsg(t)[0] != '\0');
    sd_trace_free(t);
    corpus_free(&c);
}

TEST(api_reader_wrong_order)
{
    sd_reader *r = NULL;
    sd_record rec;
    int got = 0;
    CHECK_EQ_INT(sd_reader_new(NULL, &r, NULL), 0);
    CHECK_EQ_INT(sd_reader_add(r, NULL), SD_EINVAL);
    CHECK_EQ_INT(sd_reader_add(r, "examples/trace/wire-original.txt"), 0);
    CHECK_EQ_INT(sd_reader_next(r, NULL), SD_EINVAL);
    while (sd_reader_next(r, &rec) == 1)
        got++;
    CHECK_EQ_INT(got, 1);
    CHECK_EQ_INT(sd_reader_next(r, &rec), 0); /* the end stays the end */
    CHECK_EQ_INT(sd_reader_add(r, "examples/news.jsonl"), SD_EINVAL);
    CHECK(strstr(sd_reader_errmsg(r), "sd_reader_add") != NULL);
    sd_reader_free(r);
}

/* A transport of one process: what it sends, it receives. */
static int one_alltoallv(void *ud, const void *send, const uint64_t *send_len, void *recv,
                         const uint64_t *recv_len)
{
    (void)ud;
    if (send_len[0] != recv_len[0])
        return -1;
    memcpy(recv, send, send_len[0]);
    return 0;
}

static int one_allgather(void *ud, const uint64_t *in, size_t n, uint64_t *out)
{
    (void)ud;
    memcpy(out, in, n * sizeof *in);
    return 0;
}

/* After any failed allocation a job returns an error for that call and for
 * every later one but free; once no allocation fails, the results are those
 * of a job that never failed. With `dist`, the job is one of several
 * processes (one here, so that a failure cannot leave another waiting). */
static void dedup_under_failing_allocations(uint64_t memory_limit, int dist)
{
    sd_comm comm;
    corpus c;
    long nth;
    int rc = -1, failures = 0;
    corpus_make(&c);
    sd_test_failing_allocator();
    for (nth = 0; nth < 5000 && rc != 0; nth++) {
        sd_dedup_options o;
        sd_dedup *d = NULL;
        sd_dedup_result r;
        sd_dedup_stats st;
        sd_dedup_options_init(&o);
        o.threads = 1;
        o.memory_limit = memory_limit;
        o.tmpdir = sd_test_tmpdir();
        if (dist) {
            memset(&comm, 0, sizeof comm);
            comm.share.count = 1;
            comm.alltoallv = one_alltoallv;
            comm.allgather = one_allgather;
            o.comm = &comm;
        }
        sd_test_fail_at = nth;
        rc = sd_dedup_new(&o, &d, NULL);
        if (rc == 0)
            rc = sd_dedup_add(d, c.docs, NDOCS / 2);
        if (rc == 0)
            rc = sd_dedup_add(d, c.docs + NDOCS / 2, NDOCS - NDOCS / 2);
        if (rc == 0)
            rc = sd_dedup_finish(d, NULL, NULL);
        sd_test_fail_at = -1;
        CHECK(rc == 0 || rc == SD_ENOMEM);
        if (rc != 0 && d != NULL) {
            failures++;
            /* failed: every call gives the failure, never results */
            CHECK_EQ_INT(sd_dedup_finish(d, NULL, NULL), rc);
            CHECK_EQ_INT(sd_dedup_get(d, 0, &r), rc);
            CHECK_EQ_INT(sd_dedup_add(d, c.docs, 1), rc);
            CHECK(sd_dedup_errmsg(d)[0] != '\0');
        }
        if (rc == 0) {
            CHECK_EQ_INT(sd_dedup_get(d, 1, &r), 0);
            CHECK_EQ_U64(r.rep, 0);
            CHECK_EQ_INT(r.exact, 1);
            CHECK_EQ_INT(sd_dedup_get(d, 2, &r), 0);
            CHECK_EQ_U64(r.rep, 0);
            CHECK(r.similarity > 0.9 && r.similarity < 1);
            CHECK_EQ_INT(sd_dedup_get(d, 3, &r), 0);
            CHECK_EQ_U64(r.rep, 3);
            sd_dedup_get_stats(d, &st);
            CHECK(memory_limit == 0 || dist || st.spilled > 0); /* the out-of-core path ran */
        }
        sd_dedup_free(d);
    }
    sd_set_allocator(NULL);
    CHECK_EQ_INT(rc, 0);
    CHECK(failures > 10);
    corpus_free(&c);
}

TEST(api_dedup_every_allocation_failing_in_turn)
{
    dedup_under_failing_allocations(0, 0);
}

TEST(api_dedup_memory_limit_every_allocation_failing_in_turn)
{
    dedup_under_failing_allocations((uint64_t)16 << 10, 0);
}

TEST(api_dedup_processes_every_allocation_failing_in_turn)
{
    dedup_under_failing_allocations(0, 1);
    dedup_under_failing_allocations((uint64_t)16 << 10, 1);
}
