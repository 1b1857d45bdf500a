/*
 * tokenize.c: Unicode words with byte offsets and hashes of their normalized
 * form (see tokenize.h for the token definition).
 *
 * Two paths give the same tokens. The fast path handles a word made only of
 * ASCII letters, digits and inner apostrophes: a 256-entry class table drives
 * the scan, the word is lowercased into a stack buffer as it is scanned and
 * hashed there, and utf8proc is never called. Anything else (a non-ASCII
 * letter, mark or digit in the word, an ignorable character, a CJK character,
 * a word longer than the stack buffer) is rescanned from the word's start by
 * the slow path, which decodes code points, classifies them with utf8proc and
 * normalizes with utf8proc (NFKC + full case folding). The tests prove the
 * two paths agree by forcing the slow path on the same texts. Before the
 * fast path's byte loop, a block scanner (wordscan.c) takes the plain ASCII
 * words 64 bytes at a time and hands the rest to the loop; the tests
 * compare it with the loop alone.
 */
#include "text/tokenize.h"

#include <string.h>

#include <utf8proc.h>

#include "base/alloc.h"
#include "base/utf8.h"
#include "syndic.h"
#include "text/asciiword.h"

/* Classes of code points (the token grammar's alphabet). */
enum {
    C_SEP,  /* separates tokens */
    C_LET,  /* letter, L* */
    C_MARK, /* combining mark, M*: continues a word */
    C_NUM,  /* digit or other number, N* */
    C_CJK,  /* ideograph, kana, hangul: a token of its own */
    C_APOS, /* apostrophe-like: kept between two letters */
    C_IGN   /* default-ignorable (soft hyphen, zero-width, variation
               selectors): skipped inside a word, a separator elsewhere */
};

/* Classes of ASCII bytes for the fast path; every byte >= 0x80 is A_HIGH. */
enum { A_SEP, A_APOS, A_DIGIT, A_UPPER, A_LOWER, A_HIGH };

static const unsigned char ascii_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0,
    0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0,
    0, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
};

/* Class value to token-grammar class, for ASCII bytes. */
static const unsigned char ascii_to_class[5] = {C_SEP, C_APOS, C_NUM, C_LET, C_LET};

/* The longest word the fast path lowercases on the stack. */
#define FAST_MAX 64

/* Options of the utf8proc normalization: NFKC with full case folding and
 * default-ignorables stripped, as utf8proc_NFKC_Casefold. */
#define NORM_OPTS                                                                                  \
    ((utf8proc_option_t)(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |                    \
                         UTF8PROC_CASEFOLD | UTF8PROC_IGNORE))

/* Scratch memory of the slow path, allocated on first use. */
typedef struct scratch {
    sd_buf fold;          /* the word with ignorables dropped, apostrophes ASCII */
    int ascii;            /* whether fold is pure ASCII */
    utf8proc_int32_t *cp; /* its decomposition, then its normalized UTF-8 */
    size_t cpcap;
} scratch;

static void scratch_init(scratch *sc)
{
    sd__buf_init(&sc->fold, 0);
    sc->ascii = 1;
    sc->cp = NULL;
    sc->cpcap = 0;
}

static void scratch_release(scratch *sc)
{
    sd__buf_release(&sc->fold);
    sd__free(sc->cp);
    sc->cp = NULL;
    sc->cpcap = 0;
}

/*
 * sd__utf8_decode with the one- and two-byte cases (ASCII, Latin, Greek,
 * Cyrillic, Hebrew, Arabic) done here, without a call.
 */
static uint32_t decode(const char *p, size_t n, size_t *len)
{
    const unsigned char *s = (const unsigned char *)p;
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    if (s[0] >= 0xC2 && s[0] < 0xE0 && n >= 2 && (s[1] & 0xC0) == 0x80) {
        *len = 2;
        return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3Fu);
    }
    return sd__utf8_decode(p, n, len);
}

static int is_apostrophe(uint32_t cp)
{
    return cp == 0x27 || cp == 0x2019 || cp == 0x2018 || cp == 0x02BC || cp == 0xFF07;
}

/*
 * Scripts written without spaces between words, where each character (with
 * the marks that compose with it) is a token and passages are found by
 * runs of characters, as shingles of characters: ideographs (with their
 * extensions, compatibility forms and radicals), kana and hangul; Thai,
 * Lao, Myanmar, Khmer, Tai Le, New Tai Lue, Tai Tham and Tai Viet. A Thai
 * paragraph is otherwise one "word" per phrase, so a shared paragraph of
 * 2 kB is fifteen tokens and never a passage.
 */
static int is_cjk(uint32_t cp)
{
    if (cp < 0x1100)
        return (cp >= 0x0E01 && cp <= 0x0EFF) || (cp >= 0x1000 && cp <= 0x109F);
    if (cp < 0x3000)
        return cp <= 0x11FF || (cp >= 0x1780 && cp <= 0x17FF) || (cp >= 0x1950 && cp <= 0x19FF) ||
               (cp >= 0x1A20 && cp <= 0x1AAF) || (cp >= 0x2E80 && cp <= 0x2FDF);
    if (cp <= 0x9FFF)
        return (cp >= 0x3005 && cp <= 0x3007) || (cp >= 0x3021 && cp <= 0x3029) ||
               (cp >= 0x3038 && cp <= 0x303B) || (cp >= 0x3040 && cp <= 0x30FF) ||
               (cp >= 0x3100 && cp <= 0x318F) || (cp >= 0x31A0 && cp <= 0x31BF) ||
               (cp >= 0x31F0 && cp <= 0x31FF) || cp >= 0x3400;
    if (cp < 0xAC00)
        return (cp >= 0xA960 && cp <= 0xA97F) || (cp >= 0xA9E0 && cp <= 0xA9FF) ||
               (cp >= 0xAA60 && cp <= 0xAADF);
    if (cp <= 0xD7FF)
        return 1;
    if (cp < 0x10000)
        return (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFF66 && cp <= 0xFF9D) ||
               (cp >= 0xFFA0 && cp <= 0xFFDC);
    return (cp >= 0x1B000 && cp <= 0x1B2FF) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

/* Hangul characters that a following vowel or final jamo joins. */
static int is_hangul_lead(uint32_t cp)
{
    return (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0x1100 && cp <= 0x115F) ||
           (cp >= 0xA960 && cp <= 0xA97F);
}

static int is_hangul_vt(uint32_t cp)
{
    return (cp >= 0x1160 && cp <= 0x11FF) || (cp >= 0xD7B0 && cp <= 0xD7FF);
}

/*
 * Class of a code point. ASCII uses the table unless `force` asks for
 * utf8proc even there (the tests' oracle); invalid bytes separate.
 */
static int classify(uint32_t cp, int force)
{
    const utf8proc_property_t *pr;
    if (cp < 0x80 && !force)
        return ascii_to_class[ascii_class[cp]];
    if (cp == SD_UTF8_INVALID)
        return C_SEP;
    if (is_apostrophe(cp))
        return C_APOS;
    pr = utf8proc_get_property((utf8proc_int32_t)cp);
    if (pr->ignorable)
        return C_IGN;
    switch (pr->category) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: return is_cjk(cp) ? C_CJK : C_LET;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME: return C_MARK;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO: return is_cjk(cp) ? C_CJK : C_NUM;
    default: return C_SEP;
    }
}

/*
 * Appends one character s[0..len) of a word, of class c, to the fold
 * buffer the way the normalized form wants it: ignorables dropped,
 * apostrophes made ASCII. Returns 0 or an SD_E* code.
 */
static int fold_put(scratch *sc, const char *s, size_t len, int c)
{
    sd_buf *f = &sc->fold;
    if (c == C_IGN)
        return 0;
    if (f->len + 5 > f->cap) {
        int rc = sd__buf_reserve(f, 64);
        if (rc)
            return rc;
    }
    if (c == C_APOS) {
        f->p[f->len++] = '\'';
    } else {
        if ((unsigned char)s[0] >= 0x80)
            sc->ascii = 0;
        memcpy(f->p + f->len, s, len);
        f->len += len;
    }
    f->p[f->len] = '\0';
    return 0;
}

/*
 * Scans the token that starts at p[start] (a letter, mark, digit or CJK
 * character): *endp gets the byte after its last word character, and the
 * fold buffer the token's characters (through fold_put). A CJK token is one
 * character plus the marks (and halfwidth voicing marks, hangul vowel and
 * final jamo) that compose with it; a word runs over letters, marks, digits,
 * ignorables and apostrophes that sit between two letters.
 */
static int scan_word(scratch *sc, const char *p, size_t n, size_t start, int force, size_t *endp)
{
    size_t len, len2, i, end;
    uint32_t cp = decode(p + start, n - start, &len);
    int c = classify(cp, force), last_letter, rc;
    sd__buf_reset(&sc->fold);
    sc->ascii = 1;
    rc = fold_put(sc, p + start, len, c);
    i = end = start + len;
    if (c == C_CJK) {
        int hangul = is_hangul_lead(cp);
        while (rc == 0 && i < n) {
            cp = decode(p + i, n - i, &len);
            c = classify(cp, force);
            if (cp != 0xFF9E && cp != 0xFF9F && !(hangul && is_hangul_vt(cp)) && c != C_MARK)
                break;
            rc = fold_put(sc, p + i, len, c);
            i = end = i + len;
        }
        *endp = end;
        return rc;
    }
    last_letter = c == C_LET;
    while (rc == 0 && i < n) {
        cp = decode(p + i, n - i, &len);
        c = classify(cp, force);
        if (c == C_LET || c == C_NUM) {
            rc = fold_put(sc, p + i, len, c);
            i = end = i + len;
            last_letter = c == C_LET;
        } else if (c == C_MARK) {
            rc = fold_put(sc, p + i, len, c);
            i = end = i + len;
        } else if (c == C_IGN) {
            i += len;
        } else if (c == C_APOS && last_letter && i + len < n &&
                   classify(decode(p + i + len, n - i - len, &len2), force) == C_LET) {
            rc = fold_put(sc, p + i, len, c);
            i += len;
        } else {
            break;
        }
    }
    *endp = end;
    return rc;
}

/*
 * Whether the fold buffer is already its own normalized form, so that
 * utf8proc's decomposition and recomposition (most of a short token's time
 * in Thai, CJK or Cyrillic text) can be skipped: no character decomposes,
 * case-folds or takes part in a composition, combining marks are in
 * canonical order, and nothing is a hangul jamo or syllable (those compose
 * by rule, not by table).
 */
static int stable(const scratch *sc)
{
    const char *p = sc->fold.p;
    size_t i = 0, n = sc->fold.len, len;
    unsigned last = 0, ccc;
    while (i < n) {
        uint32_t cp = decode(p + i, n - i, &len);
        const utf8proc_property_t *pr;
        if (cp == SD_UTF8_INVALID || (cp >= 0x1100 && cp <= 0x11FF) ||
            (cp >= 0xA960 && cp <= 0xA97F) || (cp >= 0xAC00 && cp <= 0xD7FF))
            return 0;
        pr = utf8proc_get_property((utf8proc_int32_t)cp);
        ccc = (unsigned)(unsigned short)pr->combining_class;
        if (pr->decomp_seqindex != UINT16_MAX || pr->casefold_seqindex != UINT16_MAX ||
            pr->comb_index != UINT16_MAX || (ccc && ccc < last))
            return 0;
        last = ccc;
        i += len;
    }
    return 1;
}

/*
 * Normalizes the word in the fold buffer; *out / *outn get the bytes (in
 * scratch memory). A pure ASCII word is lowercased in place (unless
 * `force`), a word already normalized (stable()) is taken as it is, and
 * anything else goes through utf8proc.
 */
static int finish(scratch *sc, int force, const char **out, size_t *outn)
{
    size_t k;
    utf8proc_ssize_t m, r;
    if (sc->ascii && !force) {
        for (k = 0; k < sc->fold.len; k++) {
            unsigned char b = (unsigned char)sc->fold.p[k];
            if (b >= 'A' && b <= 'Z')
                sc->fold.p[k] = (char)(b | 0x20);
        }
        *out = sc->fold.p;
        *outn = sc->fold.len;
        return 0;
    }
    if (sc->fold.len == 0 || (!force && stable(sc))) {
        *out = sc->fold.p;
        *outn = sc->fold.len;
        return 0;
    }
    for (;;) {
        m = utf8proc_decompose((const utf8proc_uint8_t *)sc->fold.p, (utf8proc_ssize_t)sc->fold.len,
                               sc->cp, (utf8proc_ssize_t)sc->cpcap, NORM_OPTS);
        if (m < 0)
            return m == UTF8PROC_ERROR_NOMEM ? SD_ENOMEM : SD_EINVAL;
        if ((size_t)m <= sc->cpcap)
            break;
        if (SD_GROW(sc->cp, sc->cpcap, (size_t)m))
            return SD_ENOMEM;
    }
    /* Compatibility forms may decompose to typographic apostrophes (U+0149
     * gives U+02BC): fold those too. Russian ё is written е as often as
     * not (careful search folds it): decomposed, it is е and a combining
     * diaeresis, which is dropped after е (only: Ukrainian ї keeps its). */
    {
        utf8proc_ssize_t w = 0;
        for (r = 0; r < m; r++) {
            if (is_apostrophe((uint32_t)sc->cp[r]))
                sc->cp[r] = '\'';
            else if (sc->cp[r] == 0x0308 && w > 0 && sc->cp[w - 1] == 0x0435)
                continue;
            sc->cp[w++] = sc->cp[r];
        }
        m = w;
    }
    r = utf8proc_reencode(sc->cp, m, NORM_OPTS);
    if (r < 0)
        return SD_EINVAL;
    *out = (const char *)sc->cp;
    *outn = (size_t)r;
    return 0;
}

/*
 * The memo of normalized words. A non-ASCII word costs finish() a call of
 * utf8proc (decomposition, reordering, recomposition: about 2,500
 * instructions for "témi"), where hashing an ASCII word costs about 40; a
 * text in a language with accents repeats its words as any text does. So
 * each tokenizer vector keeps a direct-mapped table of fold buffers (at
 * most MEMO_KEY bytes) and their normalized forms (at most MEMO_VAL), the
 * slot picked by a hash of the fold buffer, a newer word replacing an
 * older one. An entry is used only when its bytes equal the word's, and
 * finish() is a function of those bytes alone, so the memo never changes
 * a token. 2,048 slots of 64 bytes: 128 KiB per vector, made on the first
 * non-ASCII word.
 */
#define MEMO_BITS 11
#define MEMO_KEY 30
#define MEMO_VAL 32

typedef struct memo_entry {
    unsigned char klen, vlen; /* klen 0: an empty slot */
    char key[MEMO_KEY];
    char val[MEMO_VAL];
} memo_entry;

struct sd_wordmemo {
    memo_entry e[(size_t)1 << MEMO_BITS];
};

/* finish() through the memo *m (made here when NULL; without it when it
 * cannot be made): same result. */
static int finish_memo(scratch *sc, int force, sd_wordmemo **m, const char **out, size_t *outn)
{
    size_t klen = sc->fold.len;
    memo_entry *e;
    int rc;
    if (force || sc->ascii || klen > MEMO_KEY ||
        (*m == NULL && (*m = sd__calloc(1, sizeof **m)) == NULL))
        return finish(sc, force, out, outn);
    e = &(*m)->e[XXH3_64bits(sc->fold.p, klen) >> (64 - MEMO_BITS)];
    if (e->klen == klen && memcmp(e->key, sc->fold.p, klen) == 0) {
        *out = e->val;
        *outn = e->vlen;
        return 0;
    }
    if ((rc = finish(sc, force, out, outn)) != 0 || *outn > MEMO_VAL)
        return rc;
    e->klen = (unsigned char)klen;
    memcpy(e->key, sc->fold.p, klen);
    e->vlen = (unsigned char)*outn;
    memcpy(e->val, *out, *outn);
    return 0;
}

/*
 * Normalizes any text p[0..n) as a word (sd__normalize_word): every
 * character goes to the fold buffer (invalid bytes dropped), then finish().
 */
static int normalize(scratch *sc, const char *p, size_t n, int force, const char **out,
                     size_t *outn)
{
    size_t i = 0, len;
    int rc = 0;
    sd__buf_reset(&sc->fold);
    sc->ascii = 1;
    for (; rc == 0 && i < n; i += len) {
        uint32_t cp = decode(p + i, n - i, &len);
        if (cp != SD_UTF8_INVALID)
            rc = fold_put(sc, p + i, len, classify(cp, force));
    }
    return rc ? rc : finish(sc, force, out, outn);
}

/* Room for a word the spelling fold may rewrite (it looks at words of up
 * to 48 bytes and may add up to 8). */
#define FOLD_BUF 64

/*
 * Applies sd__tokenize_ex's flags to a normalized word *w / *wn: returns 1
 * when the token is to be dropped (an honorific), else 0, with *w / *wn
 * pointing at the bytes to hash (the American spelling, written to tmp,
 * when one applies).
 */
static int apply_flags(unsigned flags, const char **w, size_t *wn, char tmp[FOLD_BUF])
{
    size_t l;
    if ((flags & SD_TOK_DROP_HONORIFICS) && sd__is_honorific(*w, *wn))
        return 1;
    if ((flags & SD_TOK_FOLD_SPELLING) && *wn + 8 <= FOLD_BUF &&
        (l = sd__fold_spelling(*w, *wn, tmp)) != 0) {
        *w = tmp;
        *wn = l;
    }
    return 0;
}

/* Appends one token, growing the vector geometrically. */
static int push(sd_tokens *t, size_t off, size_t len, uint64_t hash)
{
    sd_token *tk;
    if (t->n == t->cap && SD_GROW(t->v, t->cap, t->n + 1))
        return SD_ENOMEM;
    tk = &t->v[t->n++];
    tk->off = (uint32_t)off;
    tk->len = (uint32_t)len;
    tk->hash = hash;
    return 0;
}

/* The tokenizer's ways through a text: block scanner and byte loop (as
 * used), the byte loop alone, or every character by utf8proc; the latter
 * two are the tests' oracles for the former. */
enum { WAY_BLOCKS, WAY_BYTES, WAY_SLOW };

/*
 * The tokenizer. Between tokens, the block scanner (wordscan.c) takes the
 * plain ASCII words (without flags); the byte loop below takes a word or
 * a character where it stops, then hands back. WAY_SLOW (`force`) sends
 * every character down the slow path.
 */
static int tokenize(const char *p, size_t n, uint64_t seed, unsigned flags, int way, sd_tokens *out)
{
    const int force = way == WAY_SLOW, blocks = way == WAY_BLOCKS && flags == 0;
    const unsigned char *s = (const unsigned char *)p;
    char tmp[FOLD_BUF];
    char buf[FAST_MAX]; /* a word, lowercased */
    sd_word_keys keys;
    sd_tokens o; /* *out in locals, so byte stores cannot make the
                    compiler reload it */
    scratch sc;
    size_t i = 0, start, len, end, nlen;
    const char *norm;
    int rc = 0;
    if (n > (size_t)UINT32_MAX)
        return SD_ETOOBIG;
    /* One geometric growth up front for typical prose (about 6 bytes per
     * token); push() grows further when needed. */
    if (SD_GROW(out->v, out->cap, out->n + n / 6 + 16))
        return SD_ENOMEM;
    o = *out;
    scratch_init(&sc);
    memset(buf, 0, sizeof buf);
    sd__word_keys_init(&keys, seed);
    while (i < n) {
        unsigned t = ascii_class[s[i]];
        if (blocks && t != A_HIGH) {
            i = sd__scan_words(p, n, i, &keys, &o, &rc);
            if (rc || i == n)
                goto done;
            t = ascii_class[s[i]];
        }
        if (!force && t != A_HIGH) {
            size_t k = 0, skip = 0;
            int last_letter = 0;
            if (t < A_DIGIT) {
                i++;
                continue;
            }
            start = i;
            /* Eight bytes at a time: find where the run of ASCII letters
             * and digits ends and lowercase it on the way. Most words end
             * inside the first eight bytes, on a separator. */
            while (i + 8 <= n && k + 8 <= FAST_MAX) {
                uint64_t v = sd__load64(s + i), stop = sd__alnum_stop(v), low = v | SD_ONES * 0x20;
                memcpy(buf + k, &low, 8);
                if (stop) {
                    size_t w = (size_t)__builtin_ctzll(stop) >> 3;
                    k += w;
                    i += w;
                    break;
                }
                k += 8;
                i += 8;
            }
            if (k) {
                if (i == n || ascii_class[s[i]] == A_SEP) {
                    skip = i < n; /* the separator needs no second look */
                    goto emit;
                }
                last_letter = (unsigned char)buf[k - 1] >= 'a';
            }
            /* Byte by byte: the tail of the text, long words, and words
             * that meet an apostrophe or a non-ASCII byte. */
            for (;;) {
                unsigned c = i < n ? s[i] : ' ';
                unsigned a = ascii_class[c];
                if (a - A_DIGIT <= A_LOWER - A_DIGIT) {
                    if (k == FAST_MAX)
                        goto slow;
                    buf[k++] = (char)(c | 0x20);
                    last_letter = a != A_DIGIT;
                    i++;
                    continue;
                }
                if (a == A_SEP)
                    break;
                len = 1;
                if (a == A_HIGH) {
                    uint32_t cp = decode(p + i, n - i, &len);
                    int cls = classify(cp, 0);
                    if (cls == C_SEP || cls == C_CJK)
                        break;
                    if (cls != C_APOS)
                        goto slow; /* the word goes on with non-ASCII */
                }
                /* An apostrophe, ASCII or not: kept after a letter and
                 * before one. */
                if (!last_letter || i + len >= n)
                    break;
                a = ascii_class[s[i + len]];
                if (a == A_HIGH)
                    goto slow;
                if (a != A_UPPER && a != A_LOWER)
                    break;
                if (k == FAST_MAX)
                    goto slow;
                buf[k++] = '\'';
                i += len;
            }
        emit:
            if (flags) { /* rare: the flagged words go the general way */
                norm = buf;
                nlen = k;
                if (apply_flags(flags, &norm, &nlen, tmp))
                    continue;
                rc = push(&o, start, i - start, XXH3_64bits_withSeed(norm, nlen, seed));
                if (rc)
                    goto done;
                continue;
            }
            if (o.n == o.cap && SD_GROW(o.v, o.cap, o.n + 1)) {
                rc = SD_ENOMEM;
                goto done;
            }
            o.v[o.n].off = (uint32_t)start;
            o.v[o.n].len = (uint32_t)(i - start);
            /* most words are 8 bytes or less: one branch, rarely taken,
             * for the longer */
            if (k <= 8)
                o.v[o.n].hash = sd__hash_upto8(sd__load64((const unsigned char *)buf), k, &keys);
#ifdef __SIZEOF_INT128__
            else if (k <= 16)
                o.v[o.n].hash =
                    sd__hash_9to16(sd__load64((const unsigned char *)buf),
                                   sd__load64((const unsigned char *)buf + k - 8), k, &keys);
#endif
            else
                o.v[o.n].hash = sd__hash_word(buf, k, seed);
            o.n++;
            i += skip;
            continue;
        slow:
            i = start;
        } else {
            uint32_t cp = decode(p + i, n - i, &len);
            int c = classify(cp, force);
            if (c != C_LET && c != C_MARK && c != C_NUM && c != C_CJK) {
                i += len;
                continue;
            }
        }
        /* The slow path: from a word's first character at i. */
        rc = scan_word(&sc, p, n, i, force, &end);
        if (rc == 0)
            rc = finish_memo(&sc, force, &o.memo, &norm, &nlen);
        if (rc)
            goto done;
        if (flags == 0 || apply_flags(flags, &norm, &nlen, tmp) == 0) {
            rc = push(&o, i, end - i, XXH3_64bits_withSeed(norm, nlen, seed));
            if (rc)
                goto done;
        }
        i = end;
    }
done:
    *out = o;
    scratch_release(&sc);
    return rc;
}

size_t sd__token_piece = SD_TOKEN_PIECE;

size_t sd__token_cut(const char *p, size_t n, size_t at)
{
    const unsigned char *s = (const unsigned char *)p;
    while (at < n) {
        size_t len = 1;
        if (ascii_class[s[at]] == A_SEP)
            return at + 1;
        /* a non-ASCII separator (CJK punctuation, a no-break space) ends a
         * word as surely; continuation bytes are stepped over one by one */
        if (s[at] >= 0xC2) {
            uint32_t cp = decode(p + at, n - at, &len);
            if (cp != SD_UTF8_INVALID && classify(cp, 0) == C_SEP)
                return at + len;
        }
        at += len;
    }
    return n;
}

size_t sd__token_piece_end(const char *p, size_t n, size_t at)
{
    return n - at <= sd__token_piece ? n : sd__token_cut(p, n, at + sd__token_piece);
}

void sd__tokens_init(sd_tokens *t)
{
    t->v = NULL;
    t->n = t->cap = 0;
    t->memo = NULL;
}

void sd__tokens_release(sd_tokens *t)
{
    sd__free(t->v);
    sd__free(t->memo);
    sd__tokens_init(t);
}

int sd__tokenize(const char *p, size_t n, uint64_t seed, sd_tokens *out)
{
    return tokenize(p, n, seed, 0, WAY_BLOCKS, out);
}

int sd__tokenize_bytes(const char *p, size_t n, uint64_t seed, sd_tokens *out)
{
    return tokenize(p, n, seed, 0, WAY_BYTES, out);
}

int sd__tokenize_slow(const char *p, size_t n, uint64_t seed, sd_tokens *out)
{
    return tokenize(p, n, seed, 0, WAY_SLOW, out);
}

int sd__tokenize_ex(const char *p, size_t n, uint64_t seed, unsigned flags, sd_tokens *out)
{
    return tokenize(p, n, seed, flags, WAY_BLOCKS, out);
}

int sd__tokenize_slow_ex(const char *p, size_t n, uint64_t seed, unsigned flags, sd_tokens *out)
{
    return tokenize(p, n, seed, flags, WAY_SLOW, out);
}

int sd__normalize_word_ex(const char *p, size_t n, unsigned flags, sd_buf *out)
{
    scratch sc;
    const char *norm;
    size_t nlen;
    char tmp[FOLD_BUF];
    int rc;
    scratch_init(&sc);
    rc = normalize(&sc, p, n, 0, &norm, &nlen);
    if (rc == 0) {
        apply_flags(flags & SD_TOK_FOLD_SPELLING, &norm, &nlen, tmp);
        rc = sd__buf_append(out, norm, nlen);
    }
    scratch_release(&sc);
    return rc;
}

int sd__normalize_word(const char *p, size_t n, sd_buf *out)
{
    return sd__normalize_word_ex(p, n, 0, out);
}
