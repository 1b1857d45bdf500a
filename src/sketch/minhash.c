/*
 * minhash.c: one-permutation MinHash over word n-gram shingles.
 */
#include "sketch/minhash.h"

#include <pthread.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/alloc.h"
#include "sketch/mix.h"
#include "syndic.h"

void sd__oph_init(uint32_t *sig, unsigned k)
{
    memset(sig, 0xFF, (size_t)k * sizeof *sig);
}

/*
 * Optimal densification: an empty bin i probes bins chosen by the hash of
 * (seed, i, attempt) until it meets a bin that was filled by a shingle, and
 * copies that bin's value. The probe sequence depends only on i, so two
 * documents fill the same empty bin from the same source whenever the source
 * is filled in both, which is what keeps the estimator unbiased.
 *
 * The sequence is the same for every document of a job, so each thread
 * keeps the first PROBES targets of every bin in a table made once per
 * (k, seed); later attempts, rare when most bins are filled, are computed.
 */
#define PROBES 6

static unsigned probe(uint64_t seed, unsigned i, uint64_t attempt, unsigned k)
{
    uint64_t h = sd__mix64(seed ^ sd__mix64(((uint64_t)i << 32) | attempt));
    return (unsigned)(((unsigned __int128)h * k) >> 64);
}

static _Thread_local struct {
    unsigned k;
    uint64_t seed;
    uint16_t to[SD_MINHASH_MAX_BINS * PROBES];
} probes;

/* Attempts at which the table stops: its entries are below this, or mean
 * "later". */
#define FIRST_MAX UINT16_MAX

/* The table of the first (k, seed) a job asked for stays for the life of
 * the process (512 KiB for 512 bins) and later jobs with the same k and
 * seed share it: a program that runs many small jobs (a notebook, a
 * service) builds it once. */
static pthread_mutex_t first_lock = PTHREAD_MUTEX_INITIALIZER;
static sd_oph_first first_kept;

static int first_build(sd_oph_first *f, unsigned k, uint64_t seed)
{
    unsigned i, seen;
    uint64_t a;
    f->k = k;
    f->seed = seed;
    f->shared = 0;
    f->at = sd__reallocarray(NULL, (size_t)k * k, sizeof *f->at);
    if (f->at == NULL)
        return SD_ENOMEM;
    memset(f->at, 0xFF, (size_t)k * k * sizeof *f->at);
    for (i = 0; i < k; i++) {
        /* every bin is reached after about k ln k attempts (the coupon
         * collector); past FIRST_MAX the search goes on by hashing */
        for (a = 1, seen = 0; seen < k && a < FIRST_MAX; a++) {
            uint16_t *e = &f->at[(size_t)probe(seed, i, a, k) * k + i];
            if (*e == FIRST_MAX) {
                *e = (uint16_t)a;
                seen++;
            }
        }
    }
    return 0;
}

int sd__oph_first_init(sd_oph_first *f, unsigned k, uint64_t seed)
{
    int rc = 0;
    pthread_mutex_lock(&first_lock);
    if (first_kept.at == NULL && (rc = first_build(&first_kept, k, seed)) == 0)
        first_kept.shared = 1;
    if (first_kept.at && first_kept.k == k && first_kept.seed == seed)
        *f = first_kept;
    else
        rc = first_build(f, k, seed);
    pthread_mutex_unlock(&first_lock);
    return rc;
}

void sd__oph_first_release(sd_oph_first *f)
{
    if (!f->shared)
        sd__free(f->at);
    f->at = NULL;
}

/* Whether bin j holds a shingle's value, from the set of empty bins. */
static inline int is_filled(const uint64_t *empty, unsigned j)
{
    return !(empty[j >> 6] >> (j & 63) & 1);
}

/* Densifies from the table: each empty bin copies the filled bin its probe
 * sequence reaches first, the least of its entries for the filled bins
 * (the lower bin on a tie: the bins are taken in order and only a smaller
 * entry replaces). The table's columns are walked whole, one per filled
 * bin, eight bins to a vector where SSE2 is there (every x86-64): the
 * loop is most of the time a short text takes to sketch, and compilers
 * do not vectorize its unsigned 16-bit minimum at -O2. */
static void densify_sparse(uint32_t *sig, unsigned k, uint64_t seed, const sd_oph_first *f,
                           const uint64_t *empty)
{
    uint16_t att[SD_MINHASH_MAX_BINS], from[SD_MINHASH_MAX_BINS];
    unsigned i, j, w;
    /* no entry yet: an entry of UINT16_MAX (not within the table) never
     * replaces it, and such a bin is found by probing below */
    memset(att, 0xFF, k * sizeof *att);
    memset(from, 0, k * sizeof *from);
    for (w = 0; w < (k + 63) / 64; w++) {
        uint64_t full = ~empty[w] & (k - w * 64 >= 64 ? ~0ull : (1ull << (k - w * 64)) - 1);
        for (; full; full &= full - 1) {
            const uint16_t *col;
            j = w * 64 + (unsigned)__builtin_ctzll(full);
            col = f->at + (size_t)j * k;
            i = 0;
#ifdef __SSE2__
            {
                /* signed 16-bit compares on entries with the top bit flipped */
                const __m128i flip = _mm_set1_epi16((short)0x8000), jv = _mm_set1_epi16((short)j);
                for (; i + 8 <= k; i += 8) {
                    __m128i e = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(col + i)), flip);
                    __m128i b = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(att + i)), flip);
                    __m128i lt = _mm_cmplt_epi16(e, b);
                    __m128i fr = _mm_loadu_si128((const __m128i *)(from + i));
                    _mm_storeu_si128((__m128i *)(att + i),
                                     _mm_xor_si128(_mm_min_epi16(e, b), flip));
                    _mm_storeu_si128((__m128i *)(from + i),
                                     _mm_or_si128(_mm_and_si128(lt, jv), _mm_andnot_si128(lt, fr)));
                }
            }
#endif
            for (; i < k; i++)
                if (col[i] < att[i]) {
                    att[i] = col[i];
                    from[i] = (uint16_t)j;
                }
        }
    }
    for (w = 0; w < (k + 63) / 64; w++) {
        uint64_t bits;
        for (bits = empty[w]; bits; bits &= bits - 1) {
            i = w * 64 + (unsigned)__builtin_ctzll(bits);
            if (att[i] < FIRST_MAX) {
                sig[i] = sig[from[i]]; /* a filled bin: never overwritten */
            } else {
                uint64_t attempt;
                for (attempt = FIRST_MAX; !is_filled(empty, j = probe(seed, i, attempt, k));
                     attempt++)
                    ;
                sig[i] = sig[j];
            }
        }
    }
}

/*
 * Sets the bits of the empty bins of sig[0..k) in empty[] (zeroed by the
 * caller), filled[i] to 1 for a filled bin and 0 for an empty one, and
 * returns how many are empty. With SSE2, 16 bins a step: four compares
 * packed to 16 bytes, one movemask for their bits. The probing path reads
 * filled[] (a load a probe, where a bit test takes four instructions); the
 * table's path reads the bit sets.
 */
static unsigned empty_bins(const uint32_t *sig, unsigned k, uint64_t *empty, unsigned char *filled)
{
    unsigned i = 0, n = 0;
#ifdef __SSE2__
    const __m128i none = _mm_set1_epi32(-1), one = _mm_set1_epi8(1);
    for (; i + 16 <= k; i += 16) {
        const __m128i *v = (const __m128i *)(const void *)(sig + i);
        __m128i lo = _mm_packs_epi32(_mm_cmpeq_epi32(_mm_loadu_si128(v), none),
                                     _mm_cmpeq_epi32(_mm_loadu_si128(v + 1), none));
        __m128i hi = _mm_packs_epi32(_mm_cmpeq_epi32(_mm_loadu_si128(v + 2), none),
                                     _mm_cmpeq_epi32(_mm_loadu_si128(v + 3), none));
        __m128i m = _mm_packs_epi16(lo, hi); /* 0xFF where empty */
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        _mm_storeu_si128((__m128i *)(void *)(filled + i), _mm_add_epi8(m, one));
        empty[i >> 6] |= (uint64_t)bits << (i & 63);
        n += (unsigned)__builtin_popcount(bits);
    }
#endif
    for (; i < k; i++) {
        filled[i] = sig[i] != SD_MINHASH_EMPTY;
        n += !filled[i];
        empty[i >> 6] |= (uint64_t)!filled[i] << (i & 63);
    }
    return n;
}

/*
 * This thread's table of the first PROBES targets of every bin, made for
 * (k, seed) when it was made for others. Not inlined, so that the table's
 * address is taken once per signature: in a shared object (the Python
 * package) the address of a thread-local variable is a call, which the
 * compiler otherwise repeats for every empty bin.
 */
__attribute__((noinline)) static const uint16_t *probe_table(unsigned k, uint64_t seed)
{
    unsigned i, a;
    if (probes.k != k || probes.seed != seed) {
        for (i = 0; i < k; i++)
            for (a = 0; a < PROBES; a++)
                probes.to[i * PROBES + a] = (uint16_t)probe(seed, i, a + 1, k);
        probes.k = k;
        probes.seed = seed;
    }
    return probes.to;
}

void sd__oph_densify(uint32_t *sig, unsigned k, uint64_t seed, const sd_oph_first *first)
{
    uint64_t empty[SD_MINHASH_MAX_BINS / 64];
    unsigned char filled[SD_MINHASH_MAX_BINS];
    const uint16_t *tab;
    unsigned i, w, nfilled;
    memset(empty, 0, sizeof empty);
    nfilled = k - empty_bins(sig, k, empty, filled);
    if (nfilled == 0 || nfilled == k)
        return;
    /* The table costs nfilled reads per empty bin, the probes about
     * k / nfilled hashes: it wins below about the square root of k. */
    if (first && first->k == k && first->seed == seed && nfilled * nfilled <= k) {
        densify_sparse(sig, k, seed, first, empty);
        return;
    }
    tab = probe_table(k, seed);
    /* Empty bins are visited through a bit set, and the first filled of
     * a bin's tabled probes is found from a mask rather than by branches:
     * with a third of the bins empty, both branches would mispredict. */
    for (w = 0; w < (k + 63) / 64; w++) {
        uint64_t bits = empty[w];
        while (bits) {
            const uint16_t *to;
            unsigned hit, a;
            i = w * 64 + (unsigned)__builtin_ctzll(bits);
            bits &= bits - 1;
            to = tab + i * PROBES;
            hit = 0;
            for (a = 0; a < PROBES; a++)
                hit |= (unsigned)filled[to[a]] << a;
            if (hit) {
                sig[i] = sig[to[__builtin_ctz(hit)]];
            } else {
                uint64_t attempt;
                for (attempt = PROBES + 1;; attempt++) {
                    unsigned j = probe(seed, i, attempt, k);
                    if (filled[j]) {
                        sig[i] = sig[j];
                        break;
                    }
                }
            }
        }
    }
}

/* Odd multiplier of the shingle polynomial. */
#define SHINGLE_P 0x9E3779B97F4A7C15ull

/* The seed enters through a mixed key computed once per document. */
static inline uint64_t seed_key(uint64_t seed)
{
    return sd__mix64(seed + 0x632BE59BD9B4E019ull);
}

static inline uint64_t shingle_final(uint64_t poly, uint64_t key)
{
    return sd__mix64(poly ^ key);
}

uint64_t sd__shingle_hash(const uint64_t *h, size_t n, uint64_t seed)
{
    uint64_t poly = 0;
    size_t j;
    for (j = 0; j < n; j++)
        poly = poly * SHINGLE_P + h[j];
    return shingle_final(poly, seed_key(seed));
}

void sd__shingler_init(sd_shingler *s, unsigned ngram, unsigned k, uint64_t seed, uint32_t *sig)
{
    unsigned j;
    s->sig = sig;
    s->k = k;
    s->ngram = ngram;
    s->key = seed_key(seed);
    s->top = 1;
    for (j = 1; j < ngram; j++)
        s->top *= SHINGLE_P;
    s->poly = 0;
    s->seen = 0;
    s->count = 0;
    sd__oph_init(sig, k);
}

void sd__shingler_add(sd_shingler *s, const sd_token *t, size_t n)
{
    uint64_t poly = s->poly, top = s->top, key = s->key;
    unsigned ngram = s->ngram, k = s->k;
    uint32_t *sig = s->sig;
    size_t i = 0, count = s->count;
    /* filling the first window of the whole sequence */
    for (; i < n && s->seen + i < ngram; i++)
        poly = poly * SHINGLE_P + t[i].hash;
    if (i > 0 && s->seen + i == ngram && s->seen < ngram) {
        sd__oph_add(sig, k, shingle_final(poly, key));
        count++;
    }
    /* sliding: the token leaving the window is in this piece from
     * i >= ngram on, before that among the last ones kept */
    for (; i < n && i < ngram; i++) {
        poly = (poly - s->last[i] * top) * SHINGLE_P + t[i].hash;
        sd__oph_add(sig, k, shingle_final(poly, key));
        count++;
    }
    for (; i < n; i++) {
        poly = (poly - t[i - ngram].hash * top) * SHINGLE_P + t[i].hash;
        sd__oph_add(sig, k, shingle_final(poly, key));
        count++;
    }
    /* keep the last ngram hashes, oldest first, for the next piece */
    if (n >= ngram) {
        for (i = 0; i < ngram; i++)
            s->last[i] = t[n - ngram + i].hash;
    } else if (n > 0) {
        size_t keep = ngram - n; /* n < ngram: the newest kept move to the front */
        memmove(s->last, s->last + (ngram - keep), keep * sizeof *s->last);
        for (i = 0; i < n; i++)
            s->last[ngram - n + i] = t[i].hash;
    }
    s->poly = poly;
    s->seen += n;
    s->count = count;
}

size_t sd__shingler_finish(sd_shingler *s, uint64_t seed, const sd_oph_first *first)
{
    /* fewer tokens than a shingle: one shingle of all of them */
    if (s->seen > 0 && s->seen < s->ngram) {
        sd__oph_add(s->sig, s->k, shingle_final(s->poly, s->key));
        s->count = 1;
    }
    if (s->count)
        sd__oph_densify(s->sig, s->k, seed, first);
    return s->count;
}

size_t sd__minhash_tokens(const sd_token *t, size_t n, unsigned ngram, unsigned k, uint64_t seed,
                          uint32_t *sig, const sd_oph_first *first)
{
    sd_shingler s;
    sd__shingler_init(&s, ngram, k, seed, sig);
    sd__shingler_add(&s, t, n);
    return sd__shingler_finish(&s, seed, first);
}

unsigned sd__minhash_matches(const uint32_t *a, const uint32_t *b, unsigned k)
{
    unsigned i, m = 0;
    for (i = 0; i < k; i++)
        m += a[i] == b[i];
    return m;
}

double sd_minhash_similarity(const uint32_t *a, const uint32_t *b, unsigned num_perm)
{
    if (num_perm == 0)
        return 0.0;
    return (double)sd__minhash_matches(a, b, num_perm) / (double)num_perm;
}
