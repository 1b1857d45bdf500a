/*
 * normalize.c: optional folds applied after NFKC and case folding, for the
 * passage matcher: British spellings to American ones, and the honorifics
 * "Mr", "Mrs", "Ms", "Dr" recognized so the tokenizer can drop them (a
 * British paper's "Mr Biden" then aligns with a wire story's "Biden").
 *
 * The data is small and explicit. An exact table holds irregular pairs
 * (aluminium/aluminum, tyre/tire, programme/program, ...). Rules cover the
 * regular patterns, each as "stem + British infix + suffix" becoming
 * "stem + American infix + suffix", where the stem must be one of a listed
 * set (so "wise", "rise", "devise" or "hour", "four" are never touched):
 *
 *   -our  -> -or    colour, colours, coloured, colourful, favourite, ...
 *   -ise  -> -ize   organise, organised, organisation, recognisable, ...
 *   -yse  -> -yze   analyse, analysed, paralysing (not "analyses", which
 *                   is also the plural of "analysis")
 *   -re   -> -er    centre, metres, fibreglass, ...
 *   -ogue -> -og    catalogue, dialogues, catalogued (-ogu-ed -> -og-ed)
 *   -ence -> -ense  defence, offences, licence, pretence, defenceless
 *   -ll-  -> -l-    travelled, cancelling, modeller, counsellor, marvellous
 *
 * Words are lowercase ASCII (the form NFKC and case folding give); a part
 * after an apostrophe ("labour's") is kept as it is. Every word of a text
 * passes through here, and almost none folds: a bitmap of the first four
 * letters a foldable word can start with (built once from the same table
 * and lists, so it admits every word the folds change) turns the others
 * away before the table and the rules are searched.
 */
#include <pthread.h>
#include <string.h>

#include "text/tokenize.h"

/* Longest word the folds look at. */
#define FOLD_MAX 48

/* Irregular British spellings and their American forms, sorted by the
 * British form (byte order) for binary search. */
static const struct {
    const char *gb, *us;
} pairs[] = {
    /* clang-format off */
    {"acknowledgement", "acknowledgment"}, {"acknowledgements", "acknowledgments"},
    {"aeroplane", "airplane"}, {"aeroplanes", "airplanes"}, {"ageing", "aging"},
    {"aluminium", "aluminum"}, {"anaemia", "anemia"}, {"anaemic", "anemic"},
    {"anaesthesia", "anesthesia"}, {"anaesthetic", "anesthetic"},
    {"anaesthetics", "anesthetics"}, {"anaesthetist", "anesthetist"}, {"artefact", "artifact"},
    {"artefacts", "artifacts"}, {"carburettor", "carburetor"}, {"cataloguer", "cataloger"},
    {"centred", "centered"}, {"centring", "centering"}, {"cheque", "check"},
    {"chequebook", "checkbook"}, {"cheques", "checks"}, {"cosy", "cozy"},
    {"diarrhoea", "diarrhea"}, {"encyclopaedia", "encyclopedia"}, {"enrol", "enroll"},
    {"enrolment", "enrollment"}, {"enrolments", "enrollments"}, {"enrols", "enrolls"},
    {"focussed", "focused"}, {"focussing", "focusing"}, {"foetal", "fetal"},
    {"foetus", "fetus"}, {"fulfil", "fulfill"}, {"fulfilment", "fulfillment"},
    {"fulfils", "fulfills"}, {"gaol", "jail"}, {"gaols", "jails"}, {"grey", "gray"},
    {"greyed", "grayed"}, {"greyer", "grayer"}, {"greying", "graying"}, {"greyish", "grayish"},
    {"greys", "grays"}, {"haemoglobin", "hemoglobin"}, {"haemophilia", "hemophilia"},
    {"haemorrhage", "hemorrhage"}, {"instalment", "installment"},
    {"instalments", "installments"}, {"jewellery", "jewelry"}, {"judgement", "judgment"},
    {"judgements", "judgments"}, {"kerb", "curb"}, {"kerbs", "curbs"},
    {"kilogramme", "kilogram"}, {"kilogrammes", "kilograms"}, {"leukaemia", "leukemia"},
    {"licenced", "licensed"}, {"manoeuvrable", "maneuverable"}, {"manoeuvre", "maneuver"},
    {"manoeuvred", "maneuvered"}, {"manoeuvres", "maneuvers"}, {"manoeuvring", "maneuvering"},
    {"mould", "mold"}, {"moulding", "molding"}, {"mouldings", "moldings"}, {"moulds", "molds"},
    {"mouldy", "moldy"}, {"moult", "molt"}, {"moustache", "mustache"},
    {"oesophagus", "esophagus"}, {"oestrogen", "estrogen"}, {"orthopaedic", "orthopedic"},
    {"paediatric", "pediatric"}, {"paediatrician", "pediatrician"},
    {"paediatricians", "pediatricians"}, {"paediatrics", "pediatrics"}, {"plough", "plow"},
    {"ploughed", "plowed"}, {"ploughing", "plowing"}, {"ploughs", "plows"},
    {"practise", "practice"}, {"practised", "practiced"}, {"practising", "practicing"},
    {"programme", "program"}, {"programmes", "programs"}, {"pyjama", "pajama"},
    {"pyjamas", "pajamas"}, {"sceptic", "skeptic"}, {"sceptical", "skeptical"},
    {"scepticism", "skepticism"}, {"sceptics", "skeptics"}, {"skilful", "skillful"},
    {"skilfully", "skillfully"}, {"smoulder", "smolder"}, {"smouldering", "smoldering"},
    {"storey", "story"}, {"storeys", "stories"}, {"sulphate", "sulfate"}, {"sulphur", "sulfur"},
    {"sulphuric", "sulfuric"}, {"tyre", "tire"}, {"tyres", "tires"}, {"wilful", "willful"},
    {"wilfully", "willfully"}, {"woollen", "woolen"},
    /* clang-format on */
};

/* clang-format off */
/* Where each first letter's entries start in pairs[] ('a' to 'z', then the
 * end); sd__spelling_pair lets the tests check every entry is found. */
static const unsigned char letter_start[27] = {0,   14,  14,  22,  23,  28,  35,  43,  46,
                                               48,  51,  55,  57,  69,  69,  72,  87,  87,
                                               87,  100, 102, 102, 102, 105, 105, 105, 105};

/* -our -> -or: the stems, the endings that may follow "our", and the
 * prefixes a stem may carry (dishonour, unfavourable, watercolour). */
static const char *const our_stems[] = {
    "arb", "ard", "arm", "behavi", "cand", "clam", "col", "demean", "endeav", "fav", "ferv",
    "flav", "harb", "hon", "hum", "lab", "neighb", "od", "parl", "ranc", "rig", "rum", "sav",
    "savi", "splend", "succ", "tum", "val", "vap", "vig", NULL};
static const char *const our_suffixes[] = {
    "", "able", "ably", "al", "ally", "ed", "er", "ers", "ful", "fully", "hood", "hoods", "ing",
    "ings", "ist", "ists", "ite", "ites", "itism", "less", "ly", "s", "y", NULL};
static const char *const our_prefixes[] = {
    "dis", "mis", "multi", "over", "re", "un", "water", NULL};

/* -ise -> -ize: only these stems (never advise, comprise, exercise, wise,
 * ...), with the endings and prefixes that may go with them. */
static const char *const ise_stems[] = {
    "agon", "antagon", "apolog", "author", "cannibal", "capital", "categor", "central",
    "character", "civil", "colon", "commercial", "computer", "container", "criminal", "critic",
    "custom", "decentral", "demon", "digit", "digital", "dramat", "econom", "emphas", "energ",
    "equal", "euthan", "evangel", "familiar", "fantas", "fertil", "final", "formal", "fossil",
    "galvan", "general", "glamor", "global", "harmon", "hospital", "human", "hypnot",
    "hypothes", "ideal", "immobil", "immortal", "immun", "industrial", "institutional",
    "internal", "international", "ital", "italic", "item", "jeopard", "legal", "legitim",
    "liberal", "lion", "local", "magnet", "marginal", "material", "maxim", "mechan", "memor",
    "mesmer", "metabol", "militar", "miniatur", "minim", "mobil", "modern", "monet", "monopol",
    "moral", "motor", "national", "natural", "neutral", "normal", "optim", "organ", "ostrac",
    "oxid", "pasteur", "patron", "pedestrian", "penal", "person", "personal", "philosoph",
    "plagiar", "polar", "politic", "popular", "pressur", "priorit", "privat", "public",
    "radical", "random", "rational", "real", "recogn", "regular", "revital", "revolution",
    "romantic", "sanit", "satir", "scandal", "scrutin", "secular", "sensit", "serial", "social",
    "special", "stabil", "standard", "steril", "stigmat", "subsid", "summar", "symbol",
    "sympath", "synchron", "synthes", "tantal", "terror", "theor", "tranquil", "trivial",
    "tyrann", "union", "urban", "util", "vandal", "verbal", "victim", "visual", "vocal",
    "western", NULL};
static const char *const ise_suffixes[] = {
    "able", "ation", "ational", "ations", "e", "ed", "er", "ers", "es", "ing", NULL};
static const char *const ise_prefixes[] = {
    "de", "dis", "mis", "non", "over", "re", "un", "under", NULL};

/* -yse -> -yze. */
static const char *const yse_stems[] = {
    "anal", "breathal", "catal", "dial", "electrol", "hydrol", "paral", "psychoanal", NULL};
static const char *const yse_suffixes[] = {
    "e", "ed", "er", "ers", "ing", NULL};

/* -re -> -er for these stems (not acre, genre, ogre, massacre, ...). */
static const char *const re_stems[] = {
    "amphitheat", "calib", "cent", "centimet", "epicent", "fib", "goit", "kilomet", "lit",
    "lust", "meag", "met", "millilit", "millimet", "mit", "sab", "scept", "sepulch", "somb",
    "spect", "theat", "tit", NULL};
static const char *const re_suffixes[] = {
    "", "glass", "piece", "pieces", "s", NULL};

/* -ogue -> -og, and -ogu(ed|ing) -> -og(ed|ing). */
static const char *const ogue_stems[] = {
    "anal", "catal", "dial", "monol", NULL};
static const char *const ogue_suffixes[] = {
    "", "s", NULL};
static const char *const ogu_suffixes[] = {
    "ed", "ing", NULL};

/* -ence -> -ense. */
static const char *const ence_stems[] = {
    "def", "lic", "off", "pret", NULL};
static const char *const ence_suffixes[] = {
    "", "less", "s", NULL};

/* -ll- -> -l- before these endings, for verbs whose last syllable is not
 * stressed (travel, cancel, model; not compel, control, excel). */
static const char *const ll_stems[] = {
    "barre", "beve", "cance", "channe", "chise", "counci", "counse", "cudge", "dia", "disheve",
    "due", "ename", "equa", "fue", "funne", "grave", "grove", "initia", "jewe", "labe", "leve",
    "libe", "marve", "mode", "pane", "peda", "penci", "quarre", "refue", "remode", "reve",
    "riva", "shove", "shrive", "signa", "snorke", "spira", "tota", "trave", "tunne", "unrave",
    "yode", NULL};
static const char *const ll_suffixes[] = {
    "ed", "er", "ers", "ing", "ist", "ists", "or", "ors", "ous", "ously", NULL};

/* clang-format on */

static const char *const no_prefixes[] = {NULL};

/* One rule: stem + from + suffix becomes stem + to + suffix (fl and tl are
 * the lengths of from and to). */
typedef struct rule {
    const char *from, *to;
    size_t fl, tl;
    const char *const *stems, *const *suffixes, *const *prefixes;
} rule;

/* The order is the one fold_word's switch relies on. */
static const rule rules[] = {
    {"our", "or", 3, 2, our_stems, our_suffixes, our_prefixes},
    {"is", "iz", 2, 2, ise_stems, ise_suffixes, ise_prefixes},
    {"ys", "yz", 2, 2, yse_stems, yse_suffixes, no_prefixes},
    {"re", "er", 2, 2, re_stems, re_suffixes, no_prefixes},
    {"ogue", "og", 4, 2, ogue_stems, ogue_suffixes, no_prefixes},
    {"ogu", "og", 3, 2, ogue_stems, ogu_suffixes, no_prefixes},
    {"ence", "ense", 4, 4, ence_stems, ence_suffixes, no_prefixes},
    {"ll", "l", 2, 1, ll_stems, ll_suffixes, no_prefixes},
};

static const char *const honorifics[] = {"dr", "mr", "mrs", "ms", NULL};

/* Whether w[0..n) is exactly one of the NULL-terminated list's words. The
 * first byte is compared before anything else: most entries fail there. */
static int in_list(const char *const *list, const char *w, size_t n)
{
    char first = n ? w[0] : '\0';
    for (; *list; list++)
        if ((*list)[0] == first && strlen(*list) == n && memcmp(*list, w, n) == 0)
            return 1;
    return 0;
}

/* Whether w[0..n) is a listed stem, bare or after a listed prefix. */
static int is_stem(const rule *r, const char *w, size_t n)
{
    const char *const *p;
    if (in_list(r->stems, w, n))
        return 1;
    for (p = r->prefixes; *p; p++) {
        size_t l = strlen(*p);
        if (l < n && (*p)[0] == w[0] && memcmp(*p, w, l) == 0 && in_list(r->stems, w + l, n - l))
            return 1;
    }
    return 0;
}

/* strcmp of w[0..n) (as if NUL-terminated) against the C string s. */
static int cmp_word(const char *w, size_t n, const char *s)
{
    size_t i;
    for (i = 0; i < n && s[i] == w[i]; i++)
        ;
    if (i == n)
        return s[i] ? -1 : 0;
    return (unsigned char)w[i] < (unsigned char)s[i] ? -1 : 1;
}

/* Applies rule r with its British infix at w[pos] if a listed suffix
 * follows and a listed stem precedes; returns the new length or 0. */
static size_t try_rule(const rule *r, const char *w, size_t n, size_t pos, char *out)
{
    size_t rest = pos + r->fl;
    if (rest > n || memcmp(w + pos, r->from, r->fl) != 0 ||
        !in_list(r->suffixes, w + rest, n - rest) || !is_stem(r, w, pos))
        return 0;
    memcpy(out, w, pos);
    memcpy(out + pos, r->to, r->tl);
    memcpy(out + pos + r->tl, w + rest, n - rest);
    return pos + r->tl + n - rest;
}

/* The American form of the lowercase word w[0..n) into out (room for
 * n + 8 bytes); returns its length, or 0 when no table entry or rule
 * applies. The table is searched within the word's first letter; the rules
 * are tried in one pass, each where its infix's first letter occurs. */
static size_t fold_word(const char *w, size_t n, char *out)
{
    size_t lo = letter_start[w[0] - 'a'], hi = letter_start[w[0] - 'a' + 1], pos, l = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_word(w, n, pairs[mid].gb);
        if (c == 0) {
            l = strlen(pairs[mid].us);
            memcpy(out, pairs[mid].us, l);
            return l;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    for (pos = 1; pos + 2 <= n && l == 0; pos++) {
        switch (w[pos]) {
        case 'o':
            l = try_rule(&rules[0], w, n, pos, out);
            if (l == 0)
                l = try_rule(&rules[4], w, n, pos, out);
            if (l == 0)
                l = try_rule(&rules[5], w, n, pos, out);
            break;
        case 'i': l = try_rule(&rules[1], w, n, pos, out); break;
        case 'y': l = try_rule(&rules[2], w, n, pos, out); break;
        case 'r': l = try_rule(&rules[3], w, n, pos, out); break;
        case 'e': l = try_rule(&rules[6], w, n, pos, out); break;
        case 'l': l = try_rule(&rules[7], w, n, pos, out); break;
        default: break;
        }
    }
    return l;
}

/* The first four letters of the words fold_word may change: bit
 * start4_index(w) is set when some table entry, or some prefix, stem and
 * British infix of a rule, begins with w[0..4). */
#define START4 (26 * 26 * 26 * 26)
static uint64_t start4[START4 / 64 + 1];
static pthread_once_t start4_once = PTHREAD_ONCE_INIT;

static size_t start4_index(const char *w)
{
    return (((size_t)(w[0] - 'a') * 26 + (size_t)(w[1] - 'a')) * 26 + (size_t)(w[2] - 'a')) * 26 +
           (size_t)(w[3] - 'a');
}

/* Marks the first four letters of a, b and c written one after the other
 * (at least four letters, all lowercase ASCII). */
static void start4_mark(const char *a, const char *b, const char *c)
{
    char w[4];
    size_t n = 0;
    const char *part[3];
    int k;
    part[0] = a;
    part[1] = b;
    part[2] = c;
    for (k = 0; k < 3 && n < 4; k++)
        for (; *part[k] && n < 4; part[k]++)
            w[n++] = *part[k];
    if (n == 4) {
        size_t i = start4_index(w);
        start4[i / 64] |= (uint64_t)1 << (i % 64);
    }
}

static void start4_build(void)
{
    size_t i, r;
    for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        start4_mark(pairs[i].gb, "", "");
    for (r = 0; r < sizeof rules / sizeof rules[0]; r++) {
        const char *const *st, *const *pre;
        for (st = rules[r].stems; *st; st++) {
            start4_mark("", *st, rules[r].from);
            for (pre = rules[r].prefixes; *pre; pre++)
                start4_mark(*pre, *st, rules[r].from);
        }
    }
}

size_t sd__fold_spelling(const char *w, size_t n, char *out)
{
    size_t head, l, i;
    if (n < 4 || n > FOLD_MAX)
        return 0;
    for (head = 0; head < n && w[head] != '\''; head++)
        if (w[head] < 'a' || w[head] > 'z')
            return 0;
    if (head < 4)
        return 0;
    pthread_once(&start4_once, start4_build);
    i = start4_index(w);
    if (!((start4[i / 64] >> (i % 64)) & 1) || (l = fold_word(w, head, out)) == 0)
        return 0;
    memcpy(out + l, w + head, n - head);
    return l + n - head;
}

int sd__is_honorific(const char *w, size_t n)
{
    return n <= 3 && in_list(honorifics, w, n);
}

int sd__spelling_pair(size_t i, const char **gb, const char **us)
{
    if (i >= sizeof pairs / sizeof pairs[0])
        return 0;
    *gb = pairs[i].gb;
    *us = pairs[i].us;
    return 1;
}
