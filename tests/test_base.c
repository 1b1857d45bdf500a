/*
 * test_base.c: buffers, allocation hook, errors, thread pool, file-backed
 * arrays.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/fmap.h"
#include "base/pool.h"
#include "syndic.h"
#include "test.h"

TEST(buf_append_and_max)
{
    sd_buf b;
    int i;
    sd__buf_init(&b, 100);
    for (i = 0; i < 10; i++)
        CHECK_EQ_INT(sd__buf_append(&b, "0123456789", 10), 0);
    CHECK_EQ_U64(b.len, 100);
    CHECK_EQ_INT(b.p[100], '\0');
    CHECK_EQ_INT(sd__buf_append(&b, "x", 1), SD_ETOOBIG);
    CHECK_EQ_U64(b.len, 100);
    sd__buf_reset(&b);
    CHECK_EQ_INT(sd__buf_printf(&b, "%d-%s", 42, "x"), 0);
    CHECK_EQ_MEM(b.p, b.len, "42-x");
    sd__buf_release(&b);
}

TEST(alloc_hook_fails_nth)
{
    sd_buf b;
    sd_test_failing_allocator();
    sd_test_allocs_made = 0;
    sd_test_fail_at = 1;
    sd__buf_init(&b, 0);
    CHECK_EQ_INT(sd__buf_append(&b, "abc", 3), 0);
    CHECK_EQ_INT(sd__buf_reserve(&b, 10000), SD_ENOMEM);
    CHECK_EQ_MEM(b.p, b.len, "abc");
    CHECK_EQ_INT(sd_test_allocs_made, 1);
    sd__buf_release(&b);
    sd_set_allocator(NULL);
}

TEST(strerror_names_codes)
{
    CHECK_EQ_STR(sd_strerror(SD_ETRUNC), "truncated input");
    CHECK_EQ_STR(sd_strerror(12345), "unknown error");
    CHECK_EQ_STR(sd_version(), SD_VERSION_STRING);
}

typedef struct pool_ctx {
    uint64_t *slots;
    atomic_ulong calls;
} pool_ctx;

static void square(void *ctx, size_t i, unsigned worker)
{
    pool_ctx *c = ctx;
    (void)worker;
    c->slots[i] = (uint64_t)i * i;
    atomic_fetch_add(&c->calls, 1);
}

TEST(pool_runs_every_index_once)
{
    unsigned threads;
    for (threads = 1; threads <= 4; threads++) {
        sd_pool *p = NULL;
        pool_ctx c;
        size_t i, n = 10007, bad = 0;
        int round;
        CHECK_EQ_INT(sd__pool_new(threads, &p), 0);
        CHECK_EQ_INT(sd__pool_size(p), threads);
        c.slots = calloc(n, sizeof *c.slots);
        for (round = 0; round < 3; round++) {
            atomic_init(&c.calls, 0);
            sd__pool_for(p, n, square, &c);
            CHECK_EQ_U64(atomic_load(&c.calls), n);
        }
        for (i = 0; i < n; i++)
            bad += c.slots[i] != (uint64_t)i * i;
        CHECK_EQ_U64(bad, 0);
        free(c.slots);
        sd__pool_free(p);
    }
}

#include "base/keysort.h"
#include "group/unionfind.h"

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void)
{
    return sd_test_xorshift(&rng_state);
}

static int kv_cmp(const void *a, const void *b)
{
    const sd_kv *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->val < y->val ? -1 : x->val > y->val;
}

TEST(kv_sort_matches_qsort)
{
    size_t sizes[] = {0, 1, 5, 63, 64, 1000, 50000};
    size_t s, i;
    for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s], bad = 0;
        sd_kv *a = malloc((n + 1) * sizeof *a), *b = malloc((n + 1) * sizeof *b);
        for (i = 0; i < n; i++) {
            /* few distinct keys, so ties on key exercise the value order */
            a[i].key = (s & 1) ? rnd() % 97 : rnd();
            a[i].val = rnd() % 1000;
        }
        memcpy(b, a, n * sizeof *a);
        CHECK_EQ_INT(sd__kv_sort(a, n), 0);
        qsort(b, n, sizeof *b, kv_cmp);
        for (i = 0; i < n; i++)
            bad += a[i].key != b[i].key || a[i].val != b[i].val;
        CHECK_EQ_U64(bad, 0);
        free(a);
        free(b);
    }
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

TEST(u64_sort_matches_qsort)
{
    size_t n = 30000, i, bad = 0;
    uint64_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    for (i = 0; i < n; i++)
        a[i] = i % 3 ? rnd() : rnd() >> 40;
    memcpy(b, a, n * sizeof *a);
    CHECK_EQ_INT(sd__u64_sort(a, n), 0);
    qsort(b, n, sizeof *b, u64_cmp);
    for (i = 0; i < n; i++)
        bad += a[i] != b[i];
    CHECK_EQ_U64(bad, 0);
    free(a);
    free(b);
}

TEST(unionfind_root_is_smallest)
{
    sd_uf u;
    CHECK_EQ_INT(sd__uf_init(&u, 10), 0);
    sd__uf_union(&u, 7, 9);
    sd__uf_union(&u, 9, 3);
    sd__uf_union(&u, 5, 6);
    CHECK_EQ_U64(sd__uf_find(&u, 7), 3);
    CHECK_EQ_U64(sd__uf_find(&u, 9), 3);
    CHECK_EQ_U64(sd__uf_find(&u, 6), 5);
    CHECK_EQ_U64(sd__uf_union(&u, 6, 7), 3);
    CHECK_EQ_U64(sd__uf_find(&u, 5), 3);
    CHECK_EQ_U64(sd__uf_find(&u, 0), 0);
    sd__uf_release(&u);
}

/* Pages of files mapped into this process (the third field of statm). */
static long mapped_file_pages(void)
{
    long size = 0, resident = 0, shared = -1;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld %ld", &size, &resident, &shared) != 3)
            shared = -1;
        fclose(f);
    }
    return shared;
}

TEST(fmap_keeps_contents_and_lets_pages_go)
{
    sd_fmap m;
    uint64_t i, n = (uint64_t)8 << 20;
    long before, held, after, pages = (long)(n / 4096) * 3 / 4; /* statm moves a little */
    sd_fmap_init(&m, NULL, (uint64_t)1 << 20);
    CHECK_EQ_INT(sd_fmap_grow(&m, 100), 0);
    CHECK(m.size >= 100);
    CHECK_EQ_INT(((unsigned char *)m.base)[99], 0);
    ((unsigned char *)m.base)[7] = 42;
    CHECK_EQ_INT(sd_fmap_grow(&m, n), 0); /* moves: the contents stay */
    CHECK(m.size >= n);
    CHECK_EQ_INT(((unsigned char *)m.base)[7], 42);
    CHECK_EQ_INT(((unsigned char *)m.base)[n - 1], 0);
    before = mapped_file_pages();
    for (i = 0; i < n; i += 8)
        ((uint64_t *)m.base)[i / 8] = i * 3 + 1;
    held = mapped_file_pages();
    CHECK(before >= 0 && held - before >= pages);
    sd_fmap_trim(&m);
    after = mapped_file_pages();
    CHECK(held - after >= pages);
    for (i = 0; i < n; i += 8)
        if (((uint64_t *)m.base)[i / 8] != i * 3 + 1)
            break;
    CHECK_EQ_U64(i, n); /* read back from the file */
    /* a size the file system cannot hold fails cleanly, the array intact */
    CHECK_EQ_INT(sd_fmap_grow(&m, (uint64_t)1 << 50), -1);
    CHECK(m.size >= n && m.size < ((uint64_t)1 << 50));
    CHECK_EQ_U64(((uint64_t *)m.base)[1], 8 * 3 + 1);
    /* touching past `keep` lets go by itself */
    held = mapped_file_pages();
    m.touched = 0;
    for (i = 0; i < 255; i++)
        sd_fmap_touch(&m, 4096);
    CHECK_EQ_U64(m.touched, 255 * 4096);
    sd_fmap_touch(&m, 4096);
    CHECK_EQ_U64(m.touched, 0);
    CHECK(held - mapped_file_pages() >= pages);
    sd_fmap_release(&m);
    CHECK(m.base == NULL && m.fd == -1 && m.size == 0);
    sd_fmap_release(&m); /* twice is harmless */
}

TEST(fmap_within_keep_is_never_let_go)
{
    sd_fmap m;
    sd_fmap_init(&m, NULL, (uint64_t)4 << 20);
    CHECK_EQ_INT(sd_fmap_grow(&m, (uint64_t)1 << 20), 0);
    sd_fmap_touch(&m, (uint64_t)8 << 20);
    CHECK_EQ_U64(m.touched, 0); /* not even counted */
    sd_fmap_release(&m);
    sd_fmap_init(&m, "/nonexistent/dir", 0);
    CHECK_EQ_INT(sd_fmap_grow(&m, 10), -1);
    CHECK(m.base == NULL && m.fd == -1);
    sd_fmap_release(&m);
}
