/*
 * keysort.c: LSD radix sort of (key, value) pairs and of plain 64-bit keys.
 *
 * Eight passes of eight bits over the value, then eight over the key, each a
 * stable counting sort; passes whose byte is the same in every element are
 * skipped (common for small values such as document indexes). The (key,
 * value) sort counts the bytes of all its passes in one read. For small
 * arrays an insertion sort is quicker than the counting passes.
 */
#include "base/keysort.h"

#include <string.h>

#include "base/alloc.h"
#include "syndic.h"

#define SMALL 64

static int kv_less(const sd_kv *a, const sd_kv *b)
{
    return a->key < b->key || (a->key == b->key && a->val < b->val);
}

static void kv_insertion(sd_kv *v, size_t n)
{
    size_t i, j;
    for (i = 1; i < n; i++) {
        sd_kv x = v[i];
        for (j = i; j > 0 && kv_less(&x, &v[j - 1]); j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* The counts of every byte of every pass, all from one read of the data:
 * a pass moves elements but keeps the bytes they hold. count[p] is pass
 * p's: bytes 0-7 of the value, then 0-7 of the key. */
static void kv_counts(const sd_kv *v, size_t n, size_t (*count)[256])
{
    size_t i;
    unsigned b;
    memset(count, 0, 16 * sizeof *count);
    for (i = 0; i < n; i++) {
        uint64_t val = v[i].val, key = v[i].key;
        for (b = 0; b < 8; b++) {
            count[b][(val >> (8 * b)) & 0xff]++;
            count[8 + b][(key >> (8 * b)) & 0xff]++;
        }
    }
}

/* One stable counting pass on byte `shift/8` of the field picked by
 * `on_key`, with its counts. Returns 0 if the pass was skipped (all bytes
 * equal), 1 if it moved data from src to dst. */
static int kv_pass(const sd_kv *src, sd_kv *dst, size_t n, int on_key, unsigned shift,
                   size_t *count)
{
    size_t i, sum = 0;
    for (i = 0; i < 256; i++) {
        size_t c = count[i];
        if (c == n)
            return 0;
        count[i] = sum;
        sum += c;
    }
    for (i = 0; i < n; i++) {
        uint64_t x = on_key ? src[i].key : src[i].val;
        dst[count[(x >> shift) & 0xff]++] = src[i];
    }
    return 1;
}

int sd__kv_sort(sd_kv *v, size_t n)
{
    sd_kv *tmp, *src, *dst;
    size_t count[16][256];
    int field;
    unsigned shift;
    if (n < SMALL) {
        kv_insertion(v, n);
        return 0;
    }
    tmp = sd__reallocarray(NULL, n, sizeof *tmp);
    if (tmp == NULL)
        return SD_ENOMEM;
    kv_counts(v, n, count);
    src = v;
    dst = tmp;
    for (field = 0; field < 2; field++) {
        for (shift = 0; shift < 64; shift += 8) {
            if (kv_pass(src, dst, n, field, shift, count[(unsigned)field * 8 + shift / 8])) {
                sd_kv *t = src;
                src = dst;
                dst = t;
            }
        }
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
    sd__free(tmp);
    return 0;
}

static int u64_pass(const uint64_t *src, uint64_t *dst, size_t n, unsigned shift)
{
    size_t count[256], i, sum = 0;
    memset(count, 0, sizeof count);
    for (i = 0; i < n; i++)
        count[(src[i] >> shift) & 0xff]++;
    for (i = 0; i < 256; i++) {
        size_t c = count[i];
        if (c == n)
            return 0;
        count[i] = sum;
        sum += c;
    }
    for (i = 0; i < n; i++)
        dst[count[(src[i] >> shift) & 0xff]++] = src[i];
    return 1;
}

int sd__u64_sort(uint64_t *v, size_t n)
{
    uint64_t *tmp, *src, *dst;
    unsigned shift;
    if (n < SMALL) {
        size_t i, j;
        for (i = 1; i < n; i++) {
            uint64_t x = v[i];
            for (j = i; j > 0 && x < v[j - 1]; j--)
                v[j] = v[j - 1];
            v[j] = x;
        }
        return 0;
    }
    tmp = sd__reallocarray(NULL, n, sizeof *tmp);
    if (tmp == NULL)
        return SD_ENOMEM;
    src = v;
    dst = tmp;
    for (shift = 0; shift < 64; shift += 8) {
        if (u64_pass(src, dst, n, shift)) {
            uint64_t *t = src;
            src = dst;
            dst = t;
        }
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
    sd__free(tmp);
    return 0;
}

size_t sd__kv_lower(const sd_kv *v, size_t n, uint64_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

long sd__kv_unique(sd_kv *v, size_t n)
{
    size_t i, w = 0;
    if (sd__kv_sort(v, n))
        return SD_ENOMEM;
    for (i = 0; i < n; i++) {
        if (w && v[w - 1].key == v[i].key && v[w - 1].val == v[i].val)
            continue;
        v[w++] = v[i];
    }
    return (long)w;
}
