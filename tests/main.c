/*
 * main.c: runs the registered tests, in name order within each file, files in
 * name order, and ends with "N passed, N failed".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "syndic.h"
#include "test.h"

typedef struct test_case {
    const char *name, *file;
    sd_test_fn fn;
} test_case;

static test_case cases[1024];
static size_t ncases;
static int current_failed;
static char tmpdir[256];

void sd_test_register(const char *name, const char *file, sd_test_fn fn)
{
    if (ncases < sizeof cases / sizeof cases[0]) {
        cases[ncases].name = name;
        cases[ncases].file = file;
        cases[ncases].fn = fn;
        ncases++;
    } else {
        fprintf(stderr, "test runner: too many tests, raise the limit\n");
        exit(2);
    }
}

void sd_test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    current_failed++;
}

const char *sd_test_dir(void)
{
    const char *d = getenv("SD_TEST_DIR");
    return d ? d : "tests";
}

char *sd_test_words(uint64_t *state, size_t n, uint64_t vocab)
{
    char *s = malloc(n * 22 + 1); /* 'w', 20 digits, a space */
    size_t i, at = 0;
    if (s == NULL)
        abort();
    for (i = 0; i < n; i++)
        at += (size_t)sprintf(s + at, "%sw%" PRIu64, i ? " " : "",
                              sd_test_xorshift(state) % vocab);
    s[at] = '\0';
    return s;
}

long sd_test_fail_at = -1;
long sd_test_allocs_made;

/* Whether the allocation asked for now fails; counts those that do not. */
static int fails_now(void)
{
    if (sd_test_fail_at == 0)
        return 1;
    if (sd_test_fail_at > 0)
        sd_test_fail_at--;
    sd_test_allocs_made++;
    return 0;
}

static void *fail_malloc(void *ud, size_t n)
{
    (void)ud;
    return fails_now() ? NULL : malloc(n);
}

static void *fail_realloc(void *ud, void *p, size_t n)
{
    (void)ud;
    return fails_now() ? NULL : realloc(p, n);
}

static void fail_free(void *ud, void *p)
{
    (void)ud;
    free(p);
}

void sd_test_failing_allocator(void)
{
    static const sd_allocator a = {fail_malloc, fail_realloc, fail_free, NULL};
    sd_test_fail_at = -1;
    sd_set_allocator(&a);
}

const char *sd_test_tmpdir(void)
{
    if (tmpdir[0] == '\0') {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/syndic-test-XXXXXX", base ? base : "/tmp");
        if (mkdtemp(tmpdir) == NULL) {
            perror("mkdtemp");
            exit(2);
        }
    }
    return tmpdir;
}

static int by_file_then_name(const void *a, const void *b)
{
    const test_case *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    return c ? c : strcmp(x->name, y->name);
}

int main(int argc, char **argv)
{
    size_t i, passed = 0, failed = 0;
    const char *filter = argc > 1 ? argv[1] : NULL;
    int verbose = getenv("SD_TEST_VERBOSE") != NULL;

    qsort(cases, ncases, sizeof cases[0], by_file_then_name);
    for (i = 0; i < ncases; i++) {
        if (filter && strstr(cases[i].name, filter) == NULL)
            continue;
        current_failed = 0;
        if (verbose)
            fprintf(stderr, "-- %s (%s)\n", cases[i].name, cases[i].file);
        cases[i].fn();
        if (current_failed) {
            fprintf(stderr, "FAIL %s (%s)\n", cases[i].name, cases[i].file);
            failed++;
        } else {
            passed++;
        }
    }
    if (tmpdir[0]) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "warning: could not remove %s\n", tmpdir);
    }
    printf("%zu passed, %zu failed\n", passed, failed);
    return failed ? 1 : 0;
}
