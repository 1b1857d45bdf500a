/*
 * test_tokenize.c: exact tokens, offsets and hash equalities on hand-written
 * cases; the ASCII fast path against the utf8proc-only path on random ASCII
 * and mixed texts; the stored hash against the hash of sd__normalize_word.
 */
#include <stdarg.h>
#include <stdlib.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "syndic.h"
#include "test.h"
#include "text/tokenize.h"

#define SEED 0x5EEDu

/*
 * Checks the invariants every tokenization keeps: increasing, non-overlapping
 * tokens of nonzero length inside the text, each hash that of the
 * normalized spelling. Returns the number of violations.
 */
static int check_invariants(const char *p, size_t n, uint64_t seed, const sd_tokens *t)
{
    size_t i, prev_end = 0;
    int bad = 0;
    sd_buf b;
    sd__buf_init(&b, 0);
    for (i = 0; i < t->n; i++) {
        const sd_token *k = &t->v[i];
        if (k->len == 0 || k->off < prev_end || (size_t)k->off + k->len > n) {
            bad++;
            continue;
        }
        prev_end = (size_t)k->off + k->len;
        sd__buf_reset(&b);
        if (sd__normalize_word(p + k->off, k->len, &b) != 0 ||
            XXH3_64bits_withSeed(b.p, b.len, seed) != k->hash)
            bad++;
    }
    sd__buf_release(&b);
    return bad;
}

/*
 * Tokenizes `text` and checks the tokens' spellings are exactly the
 * NULL-terminated list of expected strings, in order.
 */
static void expect_tokens(int line, const char *text, ...)
{
    sd_tokens t;
    va_list ap;
    size_t i = 0, n = strlen(text);
    const char *want;
    sd__tokens_init(&t);
    if (sd__tokenize(text, n, SEED, &t) != 0) {
        sd_test_fail(__FILE__, line, "tokenize failed on \"%s\"", text);
        return;
    }
    va_start(ap, text);
    while ((want = va_arg(ap, const char *)) != NULL) {
        if (i >= t.n) {
            sd_test_fail(__FILE__, line, "\"%s\": missing token %zu \"%s\"", text, i, want);
            break;
        }
        if (t.v[i].len != strlen(want) || memcmp(text + t.v[i].off, want, t.v[i].len) != 0)
            sd_test_fail(__FILE__, line, "\"%s\": token %zu is \"%.*s\", want \"%s\"", text, i,
                         (int)t.v[i].len, text + t.v[i].off, want);
        i++;
    }
    va_end(ap);
    if (want == NULL && i != t.n)
        sd_test_fail(__FILE__, line, "\"%s\": %zu tokens, want %zu", text, t.n, i);
    if (check_invariants(text, n, SEED, &t))
        sd_test_fail(__FILE__, line, "\"%s\": invariants violated", text);
    sd__tokens_release(&t);
}

/* The hash of a text that must be exactly one token. */
static uint64_t one_hash(const char *text)
{
    sd_tokens t;
    uint64_t h = 0;
    sd__tokens_init(&t);
    if (sd__tokenize(text, strlen(text), SEED, &t) != 0 || t.n != 1)
        sd_test_fail(__FILE__, __LINE__, "\"%s\" is not one token (%zu)", text, t.n);
    else
        h = t.v[0].hash;
    sd__tokens_release(&t);
    return h;
}

static void expect_norm(int line, const char *word, const char *want)
{
    sd_buf b;
    sd__buf_init(&b, 0);
    if (sd__normalize_word(word, strlen(word), &b) != 0 || b.len != strlen(want) ||
        memcmp(b.p, want, b.len) != 0)
        sd_test_fail(__FILE__, line, "normalize \"%s\" gave \"%.*s\", want \"%s\"", word,
                     (int)b.len, b.p ? b.p : "", want);
    sd__buf_release(&b);
}

TEST(tokenize_english_punctuation_offsets)
{
    static const char text[] = "Hello, world! It's 2021 -- (really).";
    sd_tokens t;
    sd__tokens_init(&t);
    CHECK_EQ_INT(sd__tokenize(text, sizeof text - 1, SEED, &t), 0);
    CHECK_EQ_INT(t.n, 5);
    if (t.n == 5) {
        CHECK_EQ_INT(t.v[0].off, 0);
        CHECK_EQ_INT(t.v[0].len, 5);
        CHECK_EQ_INT(t.v[1].off, 7);
        CHECK_EQ_INT(t.v[1].len, 5);
        CHECK_EQ_INT(t.v[2].off, 14);
        CHECK_EQ_INT(t.v[2].len, 4);
        CHECK_EQ_INT(t.v[3].off, 19);
        CHECK_EQ_INT(t.v[3].len, 4);
        CHECK_EQ_INT(t.v[4].off, 28);
        CHECK_EQ_INT(t.v[4].len, 6);
        CHECK_EQ_U64(t.v[0].hash, XXH3_64bits_withSeed("hello", 5, SEED));
        CHECK_EQ_U64(t.v[2].hash, XXH3_64bits_withSeed("it's", 4, SEED));
        CHECK_EQ_U64(t.v[3].hash, XXH3_64bits_withSeed("2021", 4, SEED));
    }
    /* Appends: a second call adds after the first's tokens. */
    CHECK_EQ_INT(sd__tokenize("more", 4, SEED, &t), 0);
    CHECK_EQ_INT(t.n, 6);
    sd__tokens_release(&t);
}

TEST(tokenize_cases)
{
    expect_tokens(__LINE__, "don't stop", "don't", "stop", NULL);
    expect_tokens(__LINE__, "l\xE2\x80\x99homme", "l\xE2\x80\x99homme", NULL);
    expect_tokens(__LINE__, "l'\xC3\xA9t\xC3\xA9", "l'\xC3\xA9t\xC3\xA9", NULL);
    expect_tokens(__LINE__,
                  "\xE2\x80\x9CQuoted\xE2\x80\x9D \xE2\x80\x94 dash\xE2\x80\x93"
                  "en",
                  "Quoted", "dash", "en", NULL);
    expect_tokens(__LINE__, "'tis rock'n'roll' 90's ''x", "tis", "rock'n'roll", "90", "s", "x",
                  NULL);
    expect_tokens(__LINE__, "it\xE2\x80\x99", "it", NULL);
    expect_tokens(__LINE__, "under_score snake_case", "under", "score", "snake", "case", NULL);
    expect_tokens(__LINE__, "\xE6\x9D\xB1\xE4\xBA\xAC\xE9\x83\xBD", "\xE6\x9D\xB1", "\xE4\xBA\xAC",
                  "\xE9\x83\xBD", NULL);
    expect_tokens(__LINE__,
                  "abc\xE6\x9D\xB1\xE4\xBA\xAC"
                  "def",
                  "abc", "\xE6\x9D\xB1", "\xE4\xBA\xAC", "def", NULL);
    expect_tokens(__LINE__, "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4 \xEC\x9D\x80", "\xED\x95\x9C",
                  "\xEA\xB5\xAD", "\xEC\x96\xB4", "\xEC\x9D\x80", NULL);
    expect_tokens(__LINE__, "2021 3.14", "2021", "3", "14", NULL);
    expect_tokens(__LINE__,
                  "a\xF0\x9F\x98\x80"
                  "b \xE2\x9D\xA4\xEF\xB8\x8F x",
                  "a", "b", "x", NULL);
    expect_tokens(__LINE__,
                  "co\xC2\xAD"
                  "operate \xC2\xAD"
                  "x\xC2\xAD",
                  "co\xC2\xAD"
                  "operate",
                  "x", NULL);
    expect_tokens(__LINE__, "zero\xE2\x80\x8Bwidth join\xE2\x80\x8D", "zero\xE2\x80\x8Bwidth",
                  "join", NULL);
    expect_tokens(__LINE__, "cafe\xCC\x81 na\xC3\xAFve", "cafe\xCC\x81", "na\xC3\xAFve", NULL);
    /* Thai, Lao, Khmer and Myanmar have no spaces between words: each
     * letter with its marks is a token, as in CJK (sawatdi: s, wa, s, di). */
    expect_tokens(__LINE__,
                  "\xE0\xB8\xAA\xE0\xB8\xA7\xE0\xB8\xB1\xE0\xB8\xAA\xE0\xB8\x94\xE0\xB8\xB5 ok",
                  "\xE0\xB8\xAA", "\xE0\xB8\xA7\xE0\xB8\xB1", "\xE0\xB8\xAA",
                  "\xE0\xB8\x94\xE0\xB8\xB5", "ok", NULL);
    /* Thai with a leading vowel and a tone mark: เมื่อ is e, mue' */
    expect_tokens(__LINE__, "เมื่อ", "เ", "มื่", "อ", NULL);
    expect_tokens(__LINE__, "ເຮືອ", "ເ", "ຮື", "ອ", NULL);   /* Lao */
    expect_tokens(__LINE__, "កោះ", "កោះ", NULL);           /* Khmer: ka with vowel and final */
    expect_tokens(__LINE__, "ក្អែក", "ក្", "អែ", "ក", NULL); /* Khmer coeng: a new token */
    expect_tokens(__LINE__, "ကျွန်း", "ကျွ", "န်း", NULL);     /* Myanmar */
    expect_tokens(__LINE__, "abcไทยdef", "abc", "ไ", "ท", "ย", "def", NULL);
    expect_tokens(__LINE__, "", NULL);
    expect_tokens(__LINE__, "... !! -- \xE2\x80\x94 \xC2\xA0", NULL);
    /* Halfwidth katakana with its voicing mark is one token. */
    expect_tokens(__LINE__, "\xEF\xBD\xB6\xEF\xBE\x9E", "\xEF\xBD\xB6\xEF\xBE\x9E", NULL);
}

TEST(tokenize_equal_hashes)
{
    uint64_t nato = one_hash("nato");
    CHECK_EQ_U64(one_hash("NATO"), nato);
    CHECK_EQ_U64(one_hash("Nato"), nato);
    CHECK_EQ_U64(one_hash("\xEF\xBC\xAE\xEF\xBD\x81\xEF\xBD\x94\xEF\xBD\x8F"),
                 nato); /* fullwidth */
    CHECK_EQ_U64(one_hash("Stra\xC3\x9F"
                          "e"),
                 one_hash("STRASSE"));
    CHECK_EQ_U64(one_hash("\xCE\x9F\xCE\x94\xCE\x9F\xCE\xA3"),
                 one_hash("\xCE\xBF\xCE\xB4\xCE\xBF\xCF\x82"));
    CHECK_EQ_U64(one_hash("\xCE\xBF\xCE\xB4\xCE\xBF\xCF\x82"),
                 one_hash("\xCE\xBF\xCE\xB4\xCE\xBF\xCF\x83"));
    CHECK_EQ_U64(one_hash("e\xCC\x81t\xC3\xA9"), one_hash("\xC3\xA9t\xC3\xA9"));
    CHECK_EQ_U64(one_hash("\xC3\x89T\xC3\x89"), one_hash("\xC3\xA9t\xC3\xA9"));
    CHECK_EQ_U64(one_hash("don\xE2\x80\x99t"), one_hash("don't"));
    CHECK_EQ_U64(one_hash("DON\xCA\xBCT"), one_hash("don't"));
    CHECK_EQ_U64(one_hash("don\xEF\xBC\x87t"), one_hash("don't"));
    CHECK_EQ_U64(one_hash("co\xC2\xAD"
                          "op\xE2\x80\x8B"
                          "erate"),
                 one_hash("cooperate"));
    CHECK_EQ_U64(one_hash("\xEF\xBD\xB6\xEF\xBE\x9E"), one_hash("\xE3\x82\xAC"));
    CHECK_EQ_U64(one_hash("\xEF\xAC\x81"
                          "le"),
                 one_hash("file")); /* fi ligature */
    CHECK_EQ_U64(one_hash("\xEF\xBC\x92\xEF\xBC\x90\xEF\xBC\x92\xEF\xBC\x91"), one_hash("2021"));
    /* Russian ё is folded to е (composed, decomposed, capital); Ukrainian
     * ї keeps its diaeresis */
    CHECK_EQ_U64(one_hash("ёлка"), one_hash("елка"));
    CHECK_EQ_U64(one_hash("Ёлка"), one_hash("елка"));
    CHECK_EQ_U64(one_hash("е\xCC\x88лка"), one_hash("елка"));
    CHECK_EQ_U64(one_hash("всё"), one_hash("все"));
    CHECK(one_hash("їжак") != one_hash("іжак"));
    CHECK(one_hash("nato") != one_hash("natos"));
    CHECK(one_hash("don't") != one_hash("dont"));
}

TEST(tokenize_normalized_forms)
{
    expect_norm(__LINE__,
                "Stra\xC3\x9F"
                "e",
                "strasse");
    expect_norm(__LINE__, "\xCE\x9F\xCE\x94\xCE\x9F\xCE\xA3", "\xCE\xBF\xCE\xB4\xCE\xBF\xCF\x83");
    /* Full case folding turns dotted capital I into i + combining dot. */
    expect_norm(__LINE__, "\xC4\xB0stanbul", "i\xCC\x87stanbul");
    expect_norm(__LINE__, "e\xCC\x81", "\xC3\xA9");
    expect_norm(__LINE__,
                "L\xE2\x80\x98"
                "AMI",
                "l'ami");
    expect_norm(__LINE__, "\xC5\x89", "'n");
    expect_norm(__LINE__, "\xEF\xBC\xAE\xEF\xBD\x81\xEF\xBD\x94\xEF\xBD\x8F", "nato");
    expect_norm(__LINE__, "", "");
    expect_norm(__LINE__, "\xC2\xAD", "");
}

static uint64_t rng = 0xD1B54A32D192ED03ull;
static uint64_t rnd(void)
{
    return sd_test_xorshift(&rng);
}

/* Compares the fast tokenization of p[0..n) into *a (emptied first; its
 * memo of normalized words kept from earlier calls) with the slow one. */
static int same_as_slow_in(sd_tokens *a, const char *p, size_t n)
{
    sd_tokens b;
    int same;
    a->n = 0;
    sd__tokens_init(&b);
    same = sd__tokenize(p, n, SEED, a) == 0 && sd__tokenize_slow(p, n, SEED, &b) == 0 &&
           a->n == b.n && (a->n == 0 || memcmp(a->v, b.v, a->n * sizeof *a->v) == 0) &&
           check_invariants(p, n, SEED, a) == 0;
    if (!same)
        sd_test_fail(__FILE__, __LINE__, "fast and slow differ on \"%.*s\"",
                     (int)(n > 120 ? 120 : n), p);
    sd__tokens_release(&b);
    return same;
}

/* Compares the fast and the slow tokenizations of p[0..n). */
static int same_as_slow(const char *p, size_t n)
{
    sd_tokens a;
    int same;
    sd__tokens_init(&a);
    same = same_as_slow_in(&a, p, n);
    sd__tokens_release(&a);
    return same;
}

TEST(tokenize_fast_path_equals_slow_path_ascii)
{
    static const char alphabet[] = "aZ9' ,.-_'eE'Q0 \t\n";
    char text[512];
    int it, bad = 0;
    size_t j, n;
    for (it = 0; it < 3000 && bad < 5; it++) {
        n = (size_t)(rnd() % sizeof text);
        for (j = 0; j < n; j++) {
            uint64_t r = rnd();
            text[j] =
                (r & 3) ? alphabet[(r >> 8) % (sizeof alphabet - 1)] : (char)((r >> 16) % 128);
        }
        bad += !same_as_slow(text, n);
    }
    /* Words longer than the fast path's buffer. */
    memset(text, 'W', 300);
    text[100] = ' ';
    bad += !same_as_slow(text, 300);
    CHECK_EQ_INT(bad, 0);
}

/* Pieces that meet ASCII words in every way the fast path must hand over:
 * accented letters, marks, ignorables, typographic apostrophes, CJK,
 * fullwidth forms, separators, emoji, invalid bytes. */
static const char *const mixed_piece[] = {
    "a", "Z", "7", "'", " ", ".", "don", "t", "\xC3\xA9", "\xC3\x89", "e\xCC\x81", "\xCC\x81",
    "\xE2\x80\x99", "\xE2\x80\x98", "\xCA\xBC", "\xEF\xBC\x87", "\xC2\xAD", "\xE2\x80\x8B",
    "\xE2\x80\x8D", "\xEF\xBB\xBF", "\xE6\x9D\xB1", "\xED\x95\x9C", "\xEF\xBD\xB6", "\xEF\xBE\x9E",
    "\xEF\xBC\xAE", "\xE2\x80\x94", "\xC2\xA0", "\xF0\x9F\x98\x80", "\xEF\xB8\x8F", "\xC3\x9F",
    "\xCE\xA3", "\xE0\xB8\xAA", "\xD9\xA3", "\xC2\xB2", "\xE2\x85\xA0", "_", "\xE1\x84\x80",
    "\xE1\x85\xA1", "\xE1\x86\xA8", "\xEA\xB0\x80",
    /* Thai: letters, a leading vowel,
     * marks in either order, sara am
     * (which NFKC decomposes) */
    "\xE0\xB8\x81", "\xE0\xB9\x80", "\xE0\xB8\xB8", "\xE0\xB9\x88", "\xE0\xB8\xB3",
    /* Lao ho no, Khmer coeng, Myanmar
     * u and ii (which compose) */
    "\xE0\xBB\x9C", "\xE1\x9F\x92", "\xE1\x80\xA5", "\xE1\x80\xAE",
    /* Cyrillic: e, diaeresis, capital
     * yo, i, short i */
    "\xD0\xB5", "\xCC\x88", "\xD0\x81", "\xD1\x96", "\xD0\xB9",
    /* marks of other classes, out of
     * order, and a compatibility ideograph */
    "\xCC\xA3", "\xCD\x85", "\xEF\xA4\x80", "\xFF", "\xC0"};

/* A random text of up to `most` pieces in text[] (room for 60 pieces). */
static size_t mixed_text(char *text, size_t most)
{
    size_t n = 0, k = (size_t)(rnd() % most);
    while (k--) {
        const char *x = mixed_piece[rnd() % (sizeof mixed_piece / sizeof mixed_piece[0])];
        size_t l = strlen(x);
        memcpy(text + n, x, l);
        n += l;
    }
    return n;
}

TEST(tokenize_fast_path_equals_slow_path_mixed)
{
    char text[600];
    int it, bad = 0;
    sd_tokens a; /* one vector for all: its memo of words carries over */
    sd__tokens_init(&a);
    for (it = 0; it < 4000 && bad < 5; it++) {
        size_t n = mixed_text(text, 60);
        bad += !same_as_slow_in(&a, text, n);
    }
    sd__tokens_release(&a);
    CHECK_EQ_INT(bad, 0);
}

/* The memo of normalized non-ASCII words: more distinct words than it has
 * slots (so words replace each other), each met again in later texts, in
 * other cases, as long as the memo keeps (30 bytes) and longer; tokens
 * equal to the slow path's, which never uses the memo, every time. */
TEST(tokenize_word_memo_equals_slow_path)
{
    static const char *const accent[] = {"\xC3\xA9",  "\xC3\x89",     "\xC3\x9F",
                                         "e\xCC\x81", "\xEF\xAC\x83", "\xD0\x81"};
    char text[4096];
    int pass, bad = 0;
    unsigned w;
    sd_tokens a;
    sd__tokens_init(&a);
    for (pass = 0; pass < 3; pass++) {
        size_t n = 0;
        for (w = 0; w < 6000; w++) {
            unsigned v = (w * 7919u + (unsigned)pass * 13u) % 6000u, len = 2 + v % 40, j;
            const char *acc = accent[v % 6];
            if (n + len + 8 > sizeof text) {
                bad += !same_as_slow_in(&a, text, n);
                n = 0;
            }
            memcpy(text + n, acc, strlen(acc));
            n += strlen(acc);
            for (j = 0; j < len; j++)
                text[n++] = (char)((pass == 1 && j % 3 == 0 ? 'A' : 'a') + (v >> (j % 12)) % 26);
            text[n++] = ' ';
        }
        bad += !same_as_slow_in(&a, text, n);
    }
    sd__tokens_release(&a);
    CHECK_EQ_INT(bad, 0);
}

/* A text cut where sd__token_cut says gives, piece after piece, the
 * tokens of the whole (dedup tokenizes a long text a megabyte at a time):
 * every cut of random mixed texts, then the cut of a text with no
 * separator at all is its end. */
TEST(tokenize_cut_pieces_equal_whole)
{
    char text[600];
    int it, bad = 0;
    sd_tokens whole, part;
    sd__tokens_init(&whole);
    sd__tokens_init(&part);
    for (it = 0; it < 1500 && bad < 5; it++) {
        size_t n = mixed_text(text, 60), at;
        whole.n = 0;
        CHECK_EQ_INT(sd__tokenize(text, n, SEED, &whole), 0);
        for (at = 0; at <= n; at++) {
            size_t cut = sd__token_cut(text, n, at), i;
            if (cut < at || cut > n) {
                bad++;
                continue;
            }
            part.n = 0;
            if (sd__tokenize(text, cut, SEED, &part) != 0) {
                bad++;
                continue;
            }
            {
                size_t first = part.n;
                if (sd__tokenize(text + cut, n - cut, SEED, &part) != 0) {
                    bad++;
                    continue;
                }
                for (i = first; i < part.n; i++)
                    part.v[i].off += (uint32_t)cut;
            }
            if (part.n != whole.n) {
                bad++;
                continue;
            }
            for (i = 0; i < part.n; i++)
                if (part.v[i].off != whole.v[i].off || part.v[i].len != whole.v[i].len ||
                    part.v[i].hash != whole.v[i].hash) {
                    bad++;
                    break;
                }
        }
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_U64(sd__token_cut("abc\xE6\x9D\xB1"
                               "def",
                               9, 2),
                 9);
    CHECK_EQ_U64(sd__token_cut("abc def", 7, 0), 4);
    CHECK_EQ_U64(sd__token_cut("ab\xE3\x80\x82"
                               "cd",
                               7, 1),
                 5); /* after U+3002 */
    sd__tokens_release(&whole);
    sd__tokens_release(&part);
}

/* A random text of mostly ASCII words (1 to 70 bytes, mostly short, in
 * any case) and separators, with the mixed pieces among them, in
 * text[0..room). Returns its length. */
static size_t words_text(char *text, size_t room)
{
    static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static const char sep[] = " ,.;:-_!?()\"\n\t/'";
    size_t n = 0;
    while (n + 80 < room) {
        uint64_t r = rnd();
        if (r % 5 == 0) {
            const char *x = mixed_piece[(r >> 8) % (sizeof mixed_piece / sizeof mixed_piece[0])];
            memcpy(text + n, x, strlen(x));
            n += strlen(x);
        } else {
            size_t len = r % 7 == 1 ? 1 + (size_t)((r >> 8) % 70) : 1 + (size_t)((r >> 8) % 9), j;
            for (j = 0; j < len; j++)
                text[n++] = alnum[rnd() % (sizeof alnum - 1)];
        }
        for (r = rnd() % 4; r < 4; r += 2) /* one separator, or two */
            text[n++] = sep[rnd() % (sizeof sep - 1)];
    }
    return n;
}

/* Whether sd__tokenize and sd__tokenize_bytes (the byte loop alone) agree
 * on p[0..n), copied to a buffer of exactly n bytes so that a read past
 * the end is an error under ASan. */
static int blocks_equal_bytes(const char *p, size_t n, sd_tokens *a, sd_tokens *b)
{
    char *copy = malloc(n ? n : 1);
    int same;
    if (copy == NULL)
        return 0;
    memcpy(copy, p, n);
    a->n = b->n = 0;
    same = sd__tokenize(copy, n, SEED, a) == 0 && sd__tokenize_bytes(copy, n, SEED, b) == 0 &&
           a->n == b->n && (a->n == 0 || memcmp(a->v, b->v, a->n * sizeof *a->v) == 0);
    free(copy);
    return same;
}

/* The block scanner (wordscan.c) against the byte loop: random texts of
 * ASCII words, separators and non-ASCII pieces, each cut at every byte,
 * the part before the cut and the part after it tokenized (so that every
 * word meets every place in a 64-byte block and the text's end); and
 * the whole texts against the utf8proc-only path. */
TEST(tokenize_blocks_equal_byte_loop)
{
    char text[400];
    int it, bad = 0;
    sd_tokens a, b;
    sd__tokens_init(&a);
    sd__tokens_init(&b);
    for (it = 0; it < 200 && bad < 5; it++) {
        size_t n = words_text(text, sizeof text - (size_t)(rnd() % 300)), cut;
        for (cut = 0; cut <= n; cut++) {
            if (!blocks_equal_bytes(text, cut, &a, &b) ||
                !blocks_equal_bytes(text + cut, n - cut, &a, &b)) {
                sd_test_fail(__FILE__, __LINE__, "blocks and bytes differ on \"%.*s\" cut at %zu",
                             (int)n, text, cut);
                bad++;
                break;
            }
        }
        bad += !same_as_slow_in(&a, text, n);
    }
    sd__tokens_release(&a);
    sd__tokens_release(&b);
    CHECK_EQ_INT(bad, 0);
}

TEST(tokenize_seed_changes_hashes)
{
    sd_tokens a, b;
    sd__tokens_init(&a);
    sd__tokens_init(&b);
    CHECK_EQ_INT(sd__tokenize("same words", 10, 1, &a), 0);
    CHECK_EQ_INT(sd__tokenize("same words", 10, 2, &b), 0);
    CHECK_EQ_INT(a.n, 2);
    CHECK_EQ_INT(b.n, 2);
    if (a.n == 2 && b.n == 2) {
        CHECK(a.v[0].hash != b.v[0].hash);
        CHECK_EQ_U64(a.v[0].hash, XXH3_64bits_withSeed("same", 4, 1));
    }
    sd__tokens_release(&a);
    sd__tokens_release(&b);
}

/* ---- SD_TOK_FOLD_SPELLING and SD_TOK_DROP_HONORIFICS ---------------------- */

/* The hash of a one-token text under the given flags. */
static uint64_t one_hash_ex(const char *text, unsigned flags)
{
    sd_tokens t;
    uint64_t h = 0;
    sd__tokens_init(&t);
    if (sd__tokenize_ex(text, strlen(text), SEED, flags, &t) != 0 || t.n != 1)
        sd_test_fail(__FILE__, __LINE__, "\"%s\" is not one token (%zu)", text, t.n);
    else
        h = t.v[0].hash;
    sd__tokens_release(&t);
    return h;
}

static void expect_fold(int line, const char *gb, const char *us)
{
    sd_buf b;
    sd__buf_init(&b, 0);
    if (sd__normalize_word_ex(gb, strlen(gb), SD_TOK_FOLD_SPELLING, &b) != 0 ||
        b.len != strlen(us) || memcmp(b.p, us, b.len) != 0)
        sd_test_fail(__FILE__, line, "fold \"%s\" gave \"%.*s\", want \"%s\"", gb, (int)b.len,
                     b.p ? b.p : "", us);
    else if (one_hash_ex(gb, SD_TOK_FOLD_SPELLING) != XXH3_64bits_withSeed(us, strlen(us), SEED))
        sd_test_fail(__FILE__, line, "tokenize_ex hash of \"%s\" is not that of \"%s\"", gb, us);
    sd__buf_release(&b);
}

TEST(tokenize_fold_spelling_pairs)
{
    static const char *const pairs[][2] = {
        {"behaviour", "behavior"},
        {"Behaviours", "behaviors"},
        {"colourful", "colorful"},
        {"favourite", "favorite"},
        {"honourable", "honorable"},
        {"dishonoured", "dishonored"},
        {"unfavourable", "unfavorable"},
        {"neighbourhood", "neighborhood"},
        {"labour's", "labor's"},
        {"armoury", "armory"},
        {"organise", "organize"},
        {"organisation", "organization"},
        {"organisations", "organizations"},
        {"reorganised", "reorganized"},
        {"recognisable", "recognizable"},
        {"unrecognised", "unrecognized"},
        {"criticising", "criticizing"},
        {"apologise", "apologize"},
        {"analyse", "analyze"},
        {"paralysed", "paralyzed"},
        {"centre", "center"},
        {"centres", "centers"},
        {"centred", "centered"},
        {"kilometres", "kilometers"},
        {"theatre", "theater"},
        {"fibreglass", "fiberglass"},
        {"defence", "defense"},
        {"offences", "offenses"},
        {"licence", "license"},
        {"defenceless", "defenseless"},
        {"catalogue", "catalog"},
        {"dialogues", "dialogs"},
        {"catalogued", "cataloged"},
        {"travelled", "traveled"},
        {"travelling", "traveling"},
        {"traveller", "traveler"},
        {"cancelled", "canceled"},
        {"labelled", "labeled"},
        {"modelling", "modeling"},
        {"signalled", "signaled"},
        {"counsellor", "counselor"},
        {"marvellous", "marvelous"},
        {"aluminium", "aluminum"},
        {"tyres", "tires"},
        {"programme", "program"},
        {"grey", "gray"},
        {"judgement", "judgment"},
        {"manoeuvre", "maneuver"},
        {"sceptical", "skeptical"},
        {"paediatrician", "pediatrician"},
        {"jewellery", "jewelry"},
        {"aeroplane", "airplane"},
        {"woollen", "woolen"},
        {"focussed", "focused"},
        {"ageing", "aging"},
        {"storeys", "stories"},
        {"acknowledgement", "acknowledgment"},
        {"wilful", "willful"},
        {"sulphur", "sulfur"},
        {"\xEF\xBD\x83\xEF\xBD\x8F\xEF\xBD\x8C\xEF\xBD\x8F\xEF\xBD\x95\xEF\xBD\x92", "color"}};
    size_t i;
    for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        expect_fold(__LINE__, pairs[i][0], pairs[i][1]);
        /* Without the flag the spellings stay apart. */
        CHECK(one_hash(pairs[i][0]) != one_hash(pairs[i][1]));
    }
}

TEST(tokenize_fold_spelling_leaves_other_words)
{
    static const char *const same[] = {
        "wise",         "rise",        "advise",   "advertise",   "exercise",  "devise",
        "promise",      "surprise",    "comprise", "merchandise", "noise",     "hour",
        "four",         "your",        "flour",    "devour",      "tour",      "acre",
        "genre",        "ogre",        "massacre", "controlled",  "compelled", "excelled",
        "cancellation", "analyses",    "analysis", "specialist",  "criticism", "realism",
        "colonel",      "color",       "organize", "theater",     "prologue",  "fence",
        "hence",        "licensed",    "hello",    "spell",       "travel",    "bill",
        "centrist",     "metro",       "liter",    "litter",      "mitten",    "od",
        "labourx",      "caf\xC3\xA9", "2021",     "\xE6\x9D\xB1"};
    size_t i;
    for (i = 0; i < sizeof same / sizeof same[0]; i++) {
        const char *w = same[i];
        if (one_hash_ex(w, SD_TOK_FOLD_SPELLING) != one_hash(w))
            sd_test_fail(__FILE__, __LINE__, "\"%s\" was folded", w);
    }
}

TEST(tokenize_drop_honorifics)
{
    static const char text[] = "Mr Biden met Mrs. May, MS Smith and Dr\xC2\xA0Who; Mister X.";
    static const char *const want[] = {"Biden", "met", "May", "Smith", "and", "Who", "Mister", "X"};
    sd_tokens t;
    size_t i;
    sd__tokens_init(&t);
    CHECK_EQ_INT(sd__tokenize_ex(text, sizeof text - 1, SEED, SD_TOK_DROP_HONORIFICS, &t), 0);
    CHECK_EQ_INT(t.n, 8);
    for (i = 0; i < t.n && i < 8; i++)
        CHECK_EQ_MEM(text + t.v[i].off, t.v[i].len, want[i]);
    CHECK_EQ_INT(check_invariants(text, sizeof text - 1, SEED, &t), 0);
    t.n = 0;
    CHECK_EQ_INT(sd__tokenize_ex(text, sizeof text - 1, SEED, 0, &t), 0);
    CHECK_EQ_INT(t.n, 12);
    sd__tokens_release(&t);
}

TEST(tokenize_flags_zero_is_tokenize_and_fast_equals_slow)
{
    static const char *const piece[] = {
        "Behaviour",    "colour's",   "organisation", "centre",    "Mr",      "mrs",
        "dr",           "travelled",  "defence",      "catalogue", "grey",    " ",
        ", ",           "'",          "\xE2\x80\x99", "s",         "the",     "\xC3\xA9",
        "\xE6\x9D\xB1", "cancelling", "WISE",         "Labour",    "\xC2\xAD"};
    char text[800];
    int it, bad = 0;
    for (it = 0; it < 2000 && bad < 5; it++) {
        size_t n = 0, k = (size_t)(rnd() % 50);
        unsigned flags = (unsigned)(rnd() % 4);
        sd_tokens a, b;
        while (k--) {
            const char *s = piece[rnd() % (sizeof piece / sizeof piece[0])];
            size_t l = strlen(s);
            memcpy(text + n, s, l);
            n += l;
        }
        sd__tokens_init(&a);
        sd__tokens_init(&b);
        if (sd__tokenize_ex(text, n, SEED, flags, &a) != 0 ||
            sd__tokenize_slow_ex(text, n, SEED, flags, &b) != 0 || a.n != b.n ||
            (a.n && memcmp(a.v, b.v, a.n * sizeof *a.v) != 0))
            bad++;
        if (flags == 0) {
            b.n = 0;
            if (sd__tokenize(text, n, SEED, &b) != 0 || a.n != b.n ||
                (a.n && memcmp(a.v, b.v, a.n * sizeof *a.v) != 0))
                bad++;
        }
        sd__tokens_release(&a);
        sd__tokens_release(&b);
    }
    CHECK_EQ_INT(bad, 0);
}

/* Texts denser in tokens than the up-front estimate (one per 6 bytes) make
 * the vector grow, on the fast path ("a a a ...") and the slow one (CJK). */
TEST(tokenize_grows_past_estimate)
{
    static char text[30000];
    sd_tokens t;
    size_t i;
    for (i = 0; i + 1 < sizeof text; i += 2) {
        text[i] = 'a';
        text[i + 1] = ' ';
    }
    sd__tokens_init(&t);
    CHECK_EQ_INT(sd__tokenize(text, sizeof text, SEED, &t), 0);
    CHECK_EQ_INT(t.n, sizeof text / 2);
    CHECK_EQ_INT(t.v[t.n - 1].off, sizeof text - 2);
    for (i = 0; i + 3 <= sizeof text; i += 3)
        memcpy(text + i, "\xE6\x9D\xB1", 3);
    t.n = 0;
    CHECK_EQ_INT(sd__tokenize(text, sizeof text, SEED, &t), 0);
    CHECK_EQ_INT(t.n, sizeof text / 3);
    CHECK_EQ_INT(check_invariants(text, sizeof text, SEED, &t), 0);
    CHECK_EQ_U64(t.v[t.n - 1].hash, t.v[0].hash);
    sd__tokens_release(&t);
}

/* Failing the Nth allocation, for every N until the call succeeds, gives
 * SD_ENOMEM (never a crash or a leak, which ASan would report), and the
 * tokens already in the vector are kept. */
TEST(tokenize_allocation_failures)
{
    static char text[4000];
    long nth;
    size_t i, n = 0;
    int rc = -1;
    for (i = 0; n + 40 < sizeof text; i++) {
        static const char *const w[] = {"caf\xC3\xA9 ", "\xE6\x9D\xB1", "a ", "word, ",
                                        "\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0 "};
        size_t l = strlen(w[i % 5]);
        memcpy(text + n, w[i % 5], l);
        n += l;
    }
    sd_test_failing_allocator();
    for (nth = 0; nth < 64 && rc != 0; nth++) {
        sd_tokens t;
        sd__tokens_init(&t);
        CHECK_EQ_INT(sd__tokenize("kept", 4, SEED, &t), 0);
        sd_test_fail_at = nth;
        rc = sd__tokenize(text, n, SEED, &t);
        sd_test_fail_at = -1;
        if (rc != 0)
            CHECK_EQ_INT(rc, SD_ENOMEM);
        CHECK(t.n >= 1 && t.v[0].off == 0 && t.v[0].len == 4);
        sd__tokens_release(&t);
    }
    sd_set_allocator(NULL);
    CHECK_EQ_INT(rc, 0);
    CHECK(nth > 1);
}

/* Words of every length from 1 to 70, of random letters and digits, under
 * seeds with every kind of high and low bits: the stored hash is XXH3 of the
 * lowercased word (the fast path hashes short words its own way). */
TEST(tokenize_hash_every_length)
{
    static const uint64_t seeds[] = {
        0, 1, 0x5EED, 0xFFFFFFFFull, 0x123456789ABCDEF0ull, 0xFFFFFFFFFFFFFFFFull};
    static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    char text[80], low[80];
    size_t len, j, si;
    int rep, bad = 0;
    for (si = 0; si < sizeof seeds / sizeof seeds[0]; si++)
        for (len = 1; len <= 70; len++)
            for (rep = 0; rep < 20; rep++) {
                sd_tokens t;
                size_t pad = (size_t)rep % 3; /* leading spaces shift the word */
                memset(text, ' ', pad);
                for (j = 0; j < len; j++) {
                    char c = alnum[rnd() % (sizeof alnum - 1)];
                    text[pad + j] = c;
                    low[j] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
                }
                text[pad + len] = rep % 2 ? '.' : ' ';
                sd__tokens_init(&t);
                if (sd__tokenize(text, pad + len + (size_t)(rep % 4 != 0), seeds[si], &t) != 0 ||
                    t.n != 1 || t.v[0].off != pad || t.v[0].len != len ||
                    t.v[0].hash != XXH3_64bits_withSeed(low, len, seeds[si]))
                    bad++;
                sd__tokens_release(&t);
            }
    CHECK_EQ_INT(bad, 0);
}

/* Every entry of the spelling table is found (the table's order and its
 * first-letter index are right) and is a real change. */
TEST(tokenize_fold_spelling_whole_table)
{
    const char *gb, *us;
    size_t i, bad = 0;
    char out[64];
    for (i = 0; sd__spelling_pair(i, &gb, &us); i++) {
        size_t l = sd__fold_spelling(gb, strlen(gb), out);
        if (l != strlen(us) || memcmp(out, us, l) != 0 || strcmp(gb, us) == 0)
            bad++;
    }
    CHECK(i > 100);
    CHECK_EQ_INT(bad, 0);
}
