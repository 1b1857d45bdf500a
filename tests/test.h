/*
 * test.h: the in-house test runner. A test file declares tests with
 *
 *     TEST(buf_grows) { ... CHECK(x == 1); CHECK_EQ_INT(a, b); ... }
 *
 * Tests register themselves at load time, so adding a file to tests/ is all
 * it takes. A failing check prints file:line, the expression and both values,
 * and the test goes on (so one run shows every failure). The runner's last
 * line is exactly "N passed, N failed".
 *
 * Run a subset with `build/tests/run PATTERN` (substring of the test name).
 */
#ifndef SD_TEST_H
#define SD_TEST_H

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*sd_test_fn)(void);
void sd_test_register(const char *name, const char *file, sd_test_fn fn);
void sd_test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Path of the directory holding tests/ data files, for data-driven tests. */
const char *sd_test_dir(void);
/* A fresh scratch directory for this test run (removed at the end). */
const char *sd_test_tmpdir(void);

/* The tests' random numbers: one xorshift64 step of *state (each file keeps
 * its own seed, so its sequence does not depend on other files). */
static inline uint64_t sd_test_xorshift(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

/* A malloc'd text of n words "w<k>", k below vocab, drawn from *state and
 * separated by single spaces. */
char *sd_test_words(uint64_t *state, size_t n, uint64_t vocab);

/* An allocator (for sd_set_allocator) that fails every allocation once
 * sd_test_fail_at more have succeeded (-1: never fails), for checking
 * every failure path of a job, and counts those that succeed in
 * sd_test_allocs_made: sd_test_failing_allocator() installs it,
 * sd_set_allocator(NULL) removes it. */
extern long sd_test_fail_at;
extern long sd_test_allocs_made;
void sd_test_failing_allocator(void);

#define TEST(name)                                                          \
    static void test_##name(void);                                          \
    __attribute__((constructor)) static void register_##name(void)          \
    {                                                                       \
        sd_test_register(#name, __FILE__, test_##name);                     \
    }                                                                       \
    static void test_##name(void)

#define CHECK(expr)                                                         \
    do {                                                                    \
        if (!(expr))                                                        \
            sd_test_fail(__FILE__, __LINE__, "CHECK(%s)", #expr);           \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                  \
    do {                                                                    \
        long long va_ = (long long)(a), vb_ = (long long)(b);               \
        if (va_ != vb_)                                                     \
            sd_test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a,  \
                         #b, va_, vb_);                                     \
    } while (0)

#define CHECK_EQ_U64(a, b)                                                  \
    do {                                                                    \
        uint64_t va_ = (uint64_t)(a), vb_ = (uint64_t)(b);                  \
        if (va_ != vb_)                                                     \
            sd_test_fail(__FILE__, __LINE__,                                \
                         "%s == %s: %" PRIu64 " != %" PRIu64, #a, #b, va_,  \
                         vb_);                                              \
    } while (0)

#define CHECK_NEAR(a, b, eps)                                               \
    do {                                                                    \
        double va_ = (double)(a), vb_ = (double)(b);                        \
        if (!(fabs(va_ - vb_) <= (double)(eps)))                            \
            sd_test_fail(__FILE__, __LINE__, "%s ~= %s: %g vs %g (eps %g)", \
                         #a, #b, va_, vb_, (double)(eps));                  \
    } while (0)

/* Compares a (pointer, length) string with a C string. */
#define CHECK_EQ_MEM(p, n, s)                                               \
    do {                                                                    \
        const char *vp_ = (const char *)(p);                                \
        size_t vn_ = (size_t)(n);                                           \
        const char *vs_ = (s);                                              \
        if (vn_ != strlen(vs_) || (vn_ && memcmp(vp_, vs_, vn_) != 0))      \
            sd_test_fail(__FILE__, __LINE__, "%s == %s: \"%.*s\" != \"%s\"", \
                         #p, #s, (int)(vn_ > 200 ? 200 : vn_),              \
                         vp_ ? vp_ : "(null)", vs_);                        \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                  \
    do {                                                                    \
        const char *va_ = (a), *vb_ = (b);                                  \
        if (va_ == NULL || vb_ == NULL || strcmp(va_, vb_) != 0)            \
            sd_test_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"",  \
                         #a, #b, va_ ? va_ : "(null)", vb_ ? vb_ : "(null)"); \
    } while (0)

#endif
