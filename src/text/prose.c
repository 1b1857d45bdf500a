/*
 * prose.c: article prose and site furniture in plain text (see prose.h).
 */
#include "text/prose.h"

#include <string.h>

#include "base/alloc.h"
#include "syndic.h"
#include "text/stopwords.h"
#include "text/tokenize.h"

/* A unit of at most this many words between two running-text units is let
 * into their region ("Advertisement", a short subheading, "(AP)"). */
#define BRIDGE_WORDS 4
/* Fewest words of a running-text unit; fewer is a menu item or a label. */
#define UNIT_MIN_WORDS 4
/* A running-text unit with no sentence end and this many words or more is
 * a headline (a teaser's, a list's) unless it is long (a cut paragraph). */
#define HEADLINE_WORDS 5
/* A unit with no sentence end is a sentence cut short (a truncated copy's
 * last paragraph), not a headline, when it ends on a function word or has
 * CUT_WORDS words with CUT_FW_PCT percent function words or more
 * (headlines are short and drop them). */
#define CUT_WORDS 15
#define CUT_FW_PCT 25
#define LONG_UNIT_WORDS 40
/* Function words, in percent of a unit's words, below which it is not
 * running text (English prose has 35 to 50; menus and names 0 to 10;
 * headlines 10 to 30, and they fail on sentence ends instead). */
#define UNIT_MIN_FW_PCT 15
/* A unit longer than this is cut where a window of WINDOW words has fewer
 * than WINDOW_MIN_FW function words, in a stretch of LOW_RUN words or
 * more: a menu or a list of names squeezed into a line with the article. */
#define SPLIT_WORDS 48
#define WINDOW 16
#define WINDOW_MIN_FW 2
#define LOW_RUN 6
/* An article region has twice min_passage words and three sentence ends
 * at least: a teaser (a headline and a sentence or two, 40 words) is none,
 * a brief of a paragraph or two is one. It has a sentence end per
 * WORDS_PER_SENTENCE words at least. */
#define REGION_PASSAGES 2
#define REGION_SENTENCES 3
#define WORDS_PER_SENTENCE 80
/* A text has sentence punctuation when it has a sentence end per this
 * many tokens; function words when they are a 20th of its tokens. */
#define PUNCT_TOKENS 200
/* A legal formula inside a unit longer than this is quoted prose. */
#define FORMULA_UNIT_MAX 60

/* Lines a site prints on every page, never an article: matched as token
 * sequences, so case and spelling variants fold as the tokenizer folds. */
static const char *const formulas[] = {
    "copyright",
    "rights reserved",
    "privacy policy",
    "cookie policy",
    "use cookies",
    "uses cookies",
    "terms of use",
    "terms of service",
    "terms and conditions",
    "may not be published broadcast",
    "rewritten or redistributed",
    "trade mark of",
    "trademark of",
    "alle rechte vorbehalten",
    "tous droits réservés",
    "todos los derechos reservados",
    "tutti i diritti riservati",
    "todos os direitos reservados",
    "alle rechten voorbehouden",
    "wszelkie prawa zastrzeżone",
    "все права защищены",
};

/* Abbreviations after which a period is no sentence end. */
static const char *const abbrevs[] = {
    "mr",   "mrs",  "ms",  "dr",  "st",  "jr",  "sr",  "inc", "co",  "corp",
    "ltd",  "no",   "vs",  "gen", "gov", "sen", "rep", "lt",  "col", "capt",
    "sgt",  "prof", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct",  "nov", "dec", "mt",  "ft",  "ave", "etc", "fig", "approx",
};

static uint32_t fold(uint64_t h)
{
    uint32_t x = (uint32_t)(h ^ (h >> 32));
    return x ? x : 1; /* 0 marks an empty slot */
}

static void fw_add(sd_prose_lex *lx, uint32_t h)
{
    uint32_t s = (h * 2654435761u) & lx->fw_mask;
    while (lx->fw[s] && lx->fw[s] != h)
        s = (s + 1) & lx->fw_mask;
    lx->fw[s] = h;
}

static inline int fword(const sd_prose_lex *lx, uint32_t h)
{
    uint32_t s;
    h = h ? h : 1;
    s = (h * 2654435761u) & lx->fw_mask;
    while (lx->fw[s]) {
        if (lx->fw[s] == h)
            return 1;
        s = (s + 1) & lx->fw_mask;
    }
    return 0;
}

int sd__prose_fword(const sd_prose_lex *lx, uint32_t h)
{
    return fword(lx, h);
}

/* A small set of token hashes (open addressing in SMALL_SET slots, 0
 * empty): the abbreviations, the formulas' first words. */
#define SMALL_SET 128

static void small_add(uint32_t *set, uint32_t h)
{
    uint32_t s = (h * 2654435761u) & (SMALL_SET - 1);
    while (set[s] && set[s] != h)
        s = (s + 1) & (SMALL_SET - 1);
    set[s] = h;
}

static int small_has(const uint32_t *set, uint32_t h)
{
    uint32_t s = (h * 2654435761u) & (SMALL_SET - 1);
    while (set[s]) {
        if (set[s] == h)
            return 1;
        s = (s + 1) & (SMALL_SET - 1);
    }
    return 0;
}

/* Whether a token hash is a listed abbreviation. */
static int is_abbrev(const sd_prose_lex *lx, uint32_t h)
{
    return small_has(lx->abset, h ? h : 1);
}

/* The token hashes of p, appended to *v (count *n, capacity *cap); the
 * number appended in *got. */
static int hashes_of(const char *p, uint64_t seed, unsigned tokflags, sd_tokens *tk, uint32_t **v,
                     size_t *n, size_t *cap, size_t *got)
{
    size_t j;
    int rc;
    tk->n = 0;
    if ((rc = sd__tokenize_ex(p, strlen(p), seed, tokflags, tk)) != 0)
        return rc;
    if (SD_GROW(*v, *cap, *n + tk->n + 1))
        return SD_ENOMEM;
    for (j = 0; j < tk->n; j++)
        (*v)[(*n)++] = fold(tk->v[j].hash);
    *got = tk->n;
    return 0;
}

int sd__prose_lex_init(sd_prose_lex *lx, uint64_t seed, unsigned tokflags)
{
    sd_tokens tk;
    size_t i, nfw = 0, size = 64, nform = sizeof formulas / sizeof *formulas;
    size_t nab = sizeof abbrevs / sizeof *abbrevs, phn = 0, phcap = 0, abcap = 0, got;
    int rc = SD_ENOMEM;

    memset(lx, 0, sizeof *lx);
    sd__tokens_init(&tk);
    /* honorifics are words here: "Mr." is an abbreviation, not nothing */
    tokflags &= ~SD_TOK_DROP_HONORIFICS;
    for (i = 0; i < sd__stop_size; i++)
        nfw += sd__stop_table[i].word != NULL;
    while (size < 4 * nfw)
        size *= 2;
    lx->fw = sd__calloc(size, sizeof *lx->fw);
    lx->fw_mask = (uint32_t)size - 1;
    lx->ph_at = sd__calloc(nform + 1, sizeof *lx->ph_at);
    if (!lx->fw || !lx->ph_at)
        goto fail;
    for (i = 0; i < sd__stop_size; i++) {
        const sd_stop_slot *st = &sd__stop_table[i];
        tk.n = 0;
        if (!st->word)
            continue;
        if ((rc = sd__tokenize_ex(st->word, st->len, seed, tokflags, &tk)) != 0)
            goto fail;
        if (tk.n == 1)
            fw_add(lx, fold(tk.v[0].hash));
    }
    for (i = 0; i < nform; i++) {
        if ((rc = hashes_of(formulas[i], seed, tokflags, &tk, &lx->ph, &phn, &phcap, &got)) != 0)
            goto fail;
        lx->ph_at[i + 1] = (uint32_t)phn;
    }
    lx->nph = nform;
    for (i = 0; i < nform; i++)
        if (lx->ph_at[i + 1] > lx->ph_at[i])
            small_add(lx->firsts, lx->ph[lx->ph_at[i]]);
    for (i = 0; i < nab; i++)
        if ((rc = hashes_of(abbrevs[i], seed, tokflags, &tk, &lx->ab, &lx->nab, &abcap, &got)) != 0)
            goto fail;
    for (i = 0; i < lx->nab; i++)
        small_add(lx->abset, lx->ab[i] ? lx->ab[i] : 1);
    sd__tokens_release(&tk);
    return 0;
fail:
    sd__tokens_release(&tk);
    sd__prose_lex_release(lx);
    return rc ? rc : SD_ENOMEM;
}

void sd__prose_lex_release(sd_prose_lex *lx)
{
    sd__free(lx->fw);
    sd__free(lx->ph);
    sd__free(lx->ph_at);
    sd__free(lx->ab);
    memset(lx, 0, sizeof *lx);
}

size_t sd__bits_count(const uint64_t *m, size_t a, size_t b)
{
    size_t n = 0;
    while (a < b && (a & 63)) {
        n += (size_t)sd__bit(m, a);
        a++;
    }
    while (a + 64 <= b) {
        n += (size_t)__builtin_popcountll(m[a >> 6]);
        a += 64;
    }
    while (a < b) {
        n += (size_t)sd__bit(m, a);
        a++;
    }
    return n;
}

size_t sd__bits_clear_run(const uint64_t *m, size_t n, size_t a, size_t b, size_t run)
{
    size_t p = a, len = 0;
    if (run == 0)
        return a < b ? a : SIZE_MAX;
    while (p < n) {
        if (len == 0 && p >= b)
            break;
        /* a whole word of set bits ends any run quickly */
        if (!(p & 63) && m[p >> 6] == ~(uint64_t)0 && p + 64 <= n) {
            len = 0;
            p += 64;
            continue;
        }
        if (sd__bit(m, p)) {
            len = 0;
        } else if (++len == run) {
            return p + 1 - run;
        }
        p++;
    }
    return SIZE_MAX;
}

/* Byte classes of the text between tokens. */
static int is_sep_at(const unsigned char *s, size_t i, size_t e)
{
    unsigned c = s[i];
    if (c == '|' || c == '\t')
        return 1;
    /* " / " and " > " (breadcrumbs) between spaces */
    if ((c == '/' || c == '>') && i > 0 && s[i - 1] == ' ' && i + 1 < e && s[i + 1] == ' ')
        return 1;
    if (c == 0xC2 && i + 1 < e)
        return s[i + 1] == 0xB7 || s[i + 1] == 0xBB || s[i + 1] == 0xAB; /* · » « */
    if (c == 0xE2 && i + 2 < e) {
        unsigned b = s[i + 1], d = s[i + 2];
        if (b == 0x80)
            return d == 0xA2 || d == 0xBA || d == 0xB9; /* • › ‹ */
        if (b == 0x96)
            return d == 0xAA || d == 0xBA || d == 0xB6 || d == 0xA0 || d == 0xB8; /* ▪ ► ▶ ■ ▸ */
        if (b == 0x97)
            return d == 0xA6 || d == 0x8F || d == 0x86; /* ◦ ● ◆ */
    }
    return 0;
}

/* Whether text after a period up to e (the next token, or the end of
 * the text when `last`) has a space, or is the end: "3.5" and
 * "example.com" hold no sentence end. */
static int gap_spaced(const unsigned char *s, size_t i, size_t e, int last)
{
    for (; i < e; i++)
        if (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t' || s[i] == 0xC2)
            return 1; /* 0xC2: a no-break space (C2 A0) or a closing guillemet */
    return last;
}

/* Whether s[i..e) starts with a full stop of a script that writes one of
 * its own: 。 ！ ？ (CJK), ។ ៕ (Khmer), ။ (Myanmar), । ॥ (Devanagari),
 * ؟ (Arabic), ። (Ethiopic), ։ (Armenian). */
static int full_stop(const unsigned char *s, size_t i, size_t e)
{
    unsigned c = s[i];
    if (c == 0xD8 && i + 1 < e)
        return s[i + 1] == 0x9F;
    if (c == 0xD6 && i + 1 < e)
        return s[i + 1] == 0x89;
    if (i + 2 >= e)
        return 0;
    switch (c) {
    case 0xE3: return s[i + 1] == 0x80 && s[i + 2] == 0x82;
    case 0xEF: return s[i + 1] == 0xBC && (s[i + 2] == 0x81 || s[i + 2] == 0x9F);
    case 0xE1:
        return (s[i + 1] == 0x9F && (s[i + 2] == 0x94 || s[i + 2] == 0x95)) ||
               (s[i + 1] == 0x81 && s[i + 2] == 0x8B) || (s[i + 1] == 0x8D && s[i + 2] == 0xA2);
    case 0xE0: return s[i + 1] == 0xA5 && (s[i + 2] == 0xA4 || s[i + 2] == 0xA5);
    default: return 0;
    }
}

/* What lies between two tokens: a unit boundary, a sentence end, a "©"
 * as a sign of its own (after a space or a bracket, not inside a word:
 * "Ã©" is a broken "é"). */
enum { GAP_BREAK = 1, GAP_END = 2, GAP_STOP = 4, GAP_COPY = 8 };

static unsigned gap_kind(const unsigned char *s, size_t a, size_t e, int last)
{
    unsigned k = 0;
    size_t i;
    if (e - a == 1 && s[a] == ' ')
        return 0; /* most gaps: one space */
    for (i = a; i < e; i++) {
        unsigned c = s[i];
        if (c == '\n' || c == '\r' || is_sep_at(s, i, e))
            k |= GAP_BREAK;
        else if ((c == '.' || c == '!' || c == '?') && gap_spaced(s, i + 1, e, last))
            k |= GAP_STOP;
        else if (c == 0xC2 && i + 1 < e && s[i + 1] == 0xA9 &&
                 (i == 0 || s[i - 1] == ' ' || s[i - 1] == '(' || s[i - 1] == '\t' ||
                  s[i - 1] == '\n'))
            k |= GAP_COPY;
        else if (full_stop(s, i, e))
            k |= GAP_END;
    }
    return k;
}

/* Whether a token reads as a sentence's first word: an uppercase or
 * non-ASCII letter, a digit, or after an opening quote. */
static int starts_sentence(const unsigned char *s, size_t off)
{
    unsigned c = s[off];
    return !(c >= 'a' && c <= 'z');
}

typedef struct unit {
    uint32_t t0, t1;    /* tokens */
    uint32_t nf, ns;    /* function words, sentence ends */
    uint32_t nlisted;   /* words in a script the function-word lists cover */
    uint32_t nformula;  /* legal formulas starting in it, and "©" before its words */
    unsigned char low;  /* cut out of a long line for its lack of function words */
    unsigned char cut;  /* reads as a sentence cut short, not a headline: it ends on a
                           function word, or is long and has function words at a
                           prose rate */
    unsigned char kind; /* U_* */
} unit;

enum { U_FURN = 0, U_TEXT, U_BRIDGE };

/* Per token, what the marking needs: a unit break after it, a function
 * word, a word in a script the lists cover (Latin, Cyrillic: a Korean
 * paragraph on an English page has no English function words, and is no
 * menu for that). */
enum { T_BREAK = 1, T_FW = 2, T_LISTED = 4, T_FORMULA = 8 };

static int listed_script(unsigned char b)
{
    return b < 0x80 || (b >= 0xC3 && b <= 0xCA) || (b >= 0xD0 && b <= 0xD4);
}

/* Whether a legal formula starts at token i (of n). */
static int formula_at(const sd_prose_lex *lx, const uint32_t *h, size_t i, size_t n)
{
    size_t f;
    if (!small_has(lx->firsts, h[i] ? h[i] : 1))
        return 0;
    for (f = 0; f < lx->nph; f++) {
        size_t a = lx->ph_at[f], len = lx->ph_at[f + 1] - a, j;
        if (len == 0 || i + len > n || h[i] != lx->ph[a])
            continue;
        for (j = 1; j < len && h[i + j] == lx->ph[a + j]; j++)
            ;
        if (j == len)
            return 1;
    }
    return 0;
}

/* What a unit is on its own. */
static unsigned char classify(const unit *u, unsigned flags)
{
    uint32_t nw = u->t1 - u->t0;
    if (nw < UNIT_MIN_WORDS)
        return U_FURN;
    if ((flags & SD_PROSE_FWORDS) && 2 * u->nlisted >= nw &&
        (uint64_t)u->nf * 100 < (uint64_t)UNIT_MIN_FW_PCT * nw)
        return U_FURN;
    if ((flags & SD_PROSE_PUNCT) && u->ns == 0 && nw >= HEADLINE_WORDS && nw < LONG_UNIT_WORDS &&
        !u->cut)
        return U_FURN; /* a headline */
    if (nw <= FORMULA_UNIT_MAX && u->nformula)
        return U_FURN;
    return U_TEXT;
}

/* Appends unit [t0, t1). */
static int push_unit(unit **u, size_t *nu, size_t *cap, size_t t0, size_t t1)
{
    if (t1 <= t0)
        return 0;
    if (SD_GROW(*u, *cap, *nu + 1))
        return SD_ENOMEM;
    (*u)[*nu].t0 = (uint32_t)t0;
    (*u)[*nu].t1 = (uint32_t)t1;
    (*u)[*nu].low = 0;
    (*nu)++;
    return 0;
}

/*
 * Appends the units of one line, tokens [t0, t1): the line itself, or a
 * long line cut around its stretches of LOW_RUN or more words whose window
 * holds fewer than WINDOW_MIN_FW function words (each such stretch a unit
 * of its own).
 */
static int line_units(const uint8_t *tf, size_t t0, size_t t1, unsigned flags, unit **u, size_t *nu,
                      size_t *cap)
{
    size_t j, lo = t0, hi = t0, low_start = SIZE_MAX, piece = t0;
    uint32_t win = 0;
    int rc;
    if (!(flags & SD_PROSE_FWORDS) || t1 - t0 <= SPLIT_WORDS)
        return push_unit(u, nu, cap, t0, t1);
    for (j = t0; j <= t1; j++) {
        int low = 0;
        if (j < t1) {
            size_t want_lo = j >= t0 + WINDOW / 2 ? j - WINDOW / 2 : t0;
            size_t want_hi = j + WINDOW / 2 < t1 ? j + WINDOW / 2 : t1;
            while (hi < want_hi)
                win += (tf[hi++] & T_FW) != 0;
            while (lo < want_lo)
                win -= (tf[lo++] & T_FW) != 0;
            low = win < WINDOW_MIN_FW;
        }
        if (low && low_start == SIZE_MAX)
            low_start = j;
        if (!low && low_start != SIZE_MAX) {
            if (j - low_start >= LOW_RUN) {
                if ((rc = push_unit(u, nu, cap, piece, low_start)) != 0 ||
                    (rc = push_unit(u, nu, cap, low_start, j)) != 0)
                    return rc;
                (*u)[*nu - 1].low = 1;
                piece = j;
            }
            low_start = SIZE_MAX;
        }
    }
    return push_unit(u, nu, cap, piece, t1);
}

/* Whether the gap after token i (of n), of kind g, ends a sentence: a
 * period after an initial or an abbreviation, or after a short word
 * before a lowercase one on the same line ("p.m. on"), ends none. */
static int ends_sentence(const sd_prose_lex *lx, const unsigned char *s, const uint32_t *h,
                         const uint32_t *off, const uint32_t *end, size_t n, size_t i, unsigned g)
{
    int initial, lower_next;
    if (g & GAP_END)
        return 1;
    if (!(g & GAP_STOP))
        return 0;
    initial = end[i] - off[i] == 1 && s[off[i]] >= 'A' && s[off[i]] <= 'Z';
    lower_next = i + 1 < n && !(g & GAP_BREAK) && !starts_sentence(s, off[i + 1]);
    return !initial && !(lower_next && end[i] - off[i] <= 3) && !is_abbrev(lx, h[i]);
}

/* Per token i of the n in text[0..len): in tf[i], a unit break after it,
 * a function word, a word in a listed script, a legal formula; in ends[],
 * a sentence end after it. The text's SD_PROSE_PUNCT and SD_PROSE_FWORDS
 * flags into *flags. */
static void token_flags(const sd_prose_lex *lx, const unsigned char *s, size_t len,
                        const uint32_t *h, const uint32_t *off, const uint32_t *end, size_t n,
                        uint8_t *tf, uint64_t *ends, unsigned *flags)
{
    size_t i, nf = 0, ns = 0;
    int copy_before = (gap_kind(s, 0, off[0], 0) & GAP_COPY) != 0;
    for (i = 0; i < n; i++) {
        size_t a = end[i], e = i + 1 < n ? off[i + 1] : len;
        /* most gaps are one space: nothing to look at */
        unsigned g = e - a == 1 && s[a] == ' ' ? 0 : gap_kind(s, a, e, i + 1 == n);
        if (ends_sentence(lx, s, h, off, end, n, i, g)) {
            ends[i >> 6] |= (uint64_t)1 << (i & 63);
            ns++;
        }
        tf[i] = (uint8_t)(((g & GAP_BREAK) ? T_BREAK : 0) | (fword(lx, h[i]) ? T_FW : 0) |
                          (listed_script(s[off[i]]) ? T_LISTED : 0) |
                          (copy_before || formula_at(lx, h, i, n) ? T_FORMULA : 0));
        copy_before = (g & GAP_COPY) != 0;
        nf += (tf[i] & T_FW) != 0;
    }
    if (ns >= 2 && ns * PUNCT_TOKENS >= n)
        *flags |= SD_PROSE_PUNCT;
    if (nf >= 8 && nf * 20 >= n)
        *flags |= SD_PROSE_FWORDS;
}

/* The units of n tokens (a line each, long lines cut by line_units())
 * into (*u)[0..*nu), with their figures and kinds. */
static int make_units(const uint8_t *tf, const uint64_t *ends, size_t n, unsigned flags, unit **u,
                      size_t *nu, size_t *ucap)
{
    size_t i, u0, k;
    int rc;
    for (u0 = 0, i = 0; i < n; i++)
        if ((tf[i] & T_BREAK) || i + 1 == n) {
            if ((rc = line_units(tf, u0, i + 1, flags, u, nu, ucap)) != 0)
                return rc;
            u0 = i + 1;
        }
    for (k = 0; k < *nu; k++) {
        unit *x = &(*u)[k];
        size_t j;
        x->nf = x->ns = x->nlisted = x->nformula = 0;
        x->cut = (tf[x->t1 - 1] & T_FW) != 0;
        for (j = x->t0; j < x->t1; j++) {
            x->nf += (tf[j] & T_FW) != 0;
            x->nlisted += (tf[j] & T_LISTED) != 0;
            x->nformula += (tf[j] & T_FORMULA) != 0;
            x->ns += (uint32_t)sd__bit(ends, j);
        }
        if (x->t1 - x->t0 >= CUT_WORDS &&
            100 * (uint64_t)x->nf >= CUT_FW_PCT * (uint64_t)(x->t1 - x->t0))
            x->cut = 1;
        x->kind = classify(x, flags);
    }
    return 0;
}

/* Units that read on from running text become running text: one that goes
 * on with a sentence the unit before left open (a link or a name on a line
 * of its own cut it), and a short one between two running-text units,
 * which joins them. */
static void join_units(unit *u, size_t nu, const unsigned char *s, const uint32_t *off,
                       const uint64_t *ends)
{
    size_t k;
    for (k = 1; k < nu; k++)
        if (u[k].kind == U_FURN && u[k - 1].kind == U_TEXT && !u[k].nformula && !u[k].low &&
            !sd__bit(ends, u[k - 1].t1 - 1) && s[off[u[k].t0]] >= 'a' && s[off[u[k].t0]] <= 'z')
            u[k].kind = U_TEXT;
    for (k = 1; k + 1 < nu; k++)
        if (u[k].kind == U_FURN && u[k].t1 - u[k].t0 <= BRIDGE_WORDS && u[k - 1].kind == U_TEXT &&
            u[k + 1].kind == U_TEXT && !u[k].nformula)
            u[k].kind = U_BRIDGE;
}

/* Regions: runs of running text; the article ones (long enough, with
 * sentence ends at prose's rate where the text has punctuation) are
 * marked in art[]. */
static void mark_regions(const unit *u, size_t nu, unsigned flags, unsigned min_passage,
                         uint64_t *art)
{
    size_t k;
    for (k = 0; k < nu;) {
        size_t r = k, w = 0, sends = 0, listed = 0, j;
        if (u[k].kind == U_FURN) {
            k++;
            continue;
        }
        for (; r < nu && u[r].kind != U_FURN; r++) {
            w += u[r].t1 - u[r].t0;
            sends += u[r].ns;
            listed += u[r].nlisted;
        }
        /* a region in a script the lists do not cover (Thai and Lao write
         * no sentence punctuation) is judged by its length alone */
        if (w >= REGION_PASSAGES * (size_t)min_passage &&
            (!(flags & SD_PROSE_PUNCT) || 2 * listed < w ||
             (sends >= REGION_SENTENCES && sends * WORDS_PER_SENTENCE >= w)))
            for (j = u[k].t0; j < u[r - 1].t1; j++)
                art[j >> 6] |= (uint64_t)1 << (j & 63);
        k = r;
    }
}

/* A legal formula inside a long unit (a page squeezed into one line, a
 * footer run into the text) takes its sentence out of the article. */
static void drop_formulas(const uint8_t *tf, const uint64_t *ends, size_t n, uint64_t *art)
{
    size_t i;
    for (i = 0; i < n; i++) {
        size_t a, b;
        if (!(tf[i] & T_FORMULA) || !sd__bit(art, i))
            continue;
        for (a = i;
             a > 0 && !sd__bit(ends, a - 1) && !(tf[a - 1] & T_BREAK) && i - a < FORMULA_UNIT_MAX;
             a--)
            ;
        for (b = i;
             b + 1 < n && !sd__bit(ends, b) && !(tf[b] & T_BREAK) && b - i < FORMULA_UNIT_MAX; b++)
            ;
        for (; a <= b; a++)
            art[a >> 6] &= ~((uint64_t)1 << (a & 63));
    }
}

int sd__prose_mark(const sd_prose_lex *lx, const char *text, size_t len, const uint32_t *h,
                   const uint32_t *off, const uint32_t *end, size_t n, unsigned min_passage,
                   uint64_t *art, uint64_t *ends, unsigned *flags)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t words = SD_PROSE_WORDS(n), nu = 0, ucap = 0;
    unit *u = NULL;
    uint8_t *tf;
    int rc;

    *flags = 0;
    memset(art, 0, words * sizeof *art);
    memset(ends, 0, words * sizeof *ends);
    if (n == 0)
        return 0;
    if ((tf = sd__malloc(n)) == NULL)
        return SD_ENOMEM;
    token_flags(lx, s, len, h, off, end, n, tf, ends, flags);
    if (make_units(tf, ends, n, *flags, &u, &nu, &ucap) != 0) {
        rc = SD_ENOMEM;
        goto done;
    }
    join_units(u, nu, s, off, ends);
    mark_regions(u, nu, *flags, min_passage, art);
    drop_formulas(tf, ends, n, art);
    rc = 0;
done:
    sd__free(u);
    sd__free(tf);
    return rc;
}
