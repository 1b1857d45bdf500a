/*
 * extract.c: the article extractor's front half: decoding, parsing, and the
 * public entry points.
 *
 * The page is decoded to UTF-8 (input/charset.c), then parsed by libxml2's
 * HTML parser with recovery on, errors and network off. The parser is
 * driven through its SAX callbacks rather than asked for a tree: building
 * libxml2's tree costs more than the whole rest of the extraction, and the
 * extractor needs far less than a tree: for each element its kind, parent
 * and class/id hints (ex_node), and the text cut into blocks at block-level
 * boundaries with word, link-word, comma and function-word counts
 * (ex_block). extract_select.c does the rest.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <utf8proc.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/utf8.h"
#include "input/charset.h"
#include "syndic.h"
#include "text/extract_int.h"

#define DEFAULT_MAX_HTML ((size_t)16 << 20)
#define MAX_TITLE 2048

/* An open element on the parse stack. */
struct ex_open {
    const xmlChar *name; /* interned by the parser's dictionary */
    uint32_t node;       /* EX_NONE when not recorded (skipped) */
    uint32_t rec;        /* the innermost recorded node at or below this entry */
    uint32_t own_node;   /* the innermost boundary node at or below: owns text */
    uint32_t epoch;      /* x->head_epoch when pushed: head and title flags count
                            only while it is current */
    uint8_t boundary;    /* starting or ending it ends the current block */
    uint8_t skip;        /* it began a skipped subtree */
    uint8_t link, pre, title, head;
    uint8_t ld;        /* a JSON-LD script: read it when it ends */
    uint32_t link_idx; /* with link: its entry in x->links, or EX_NONE */
    uint32_t link_pos; /* with link: the text's length and the block's link */
    uint32_t link_lw;  /* words when it opened, and how many blocks were filed */
    uint32_t link_blk;
};

/* What the parser must do with an element. */
enum { K_INLINE = 0, K_BLOCK = 1, K_SKIP = 2, K_VOID = 3 };

typedef struct tag_info {
    const char *name;
    uint8_t kind; /* K_* */
    uint8_t tag;  /* T_* */
    uint16_t own; /* F_* the tag itself implies */
} tag_info;

/* Sorted by name for bsearch. */
static const tag_info tags[] = {
    {"a", K_INLINE, T_A, 0},
    {"address", K_BLOCK, T_BLOCK, F_META},
    {"applet", K_SKIP, T_OTHER, 0},
    {"article", K_BLOCK, T_ARTICLE, 0},
    {"aside", K_BLOCK, T_ASIDE, F_SIDEBAR},
    {"audio", K_SKIP, T_OTHER, 0},
    {"blockquote", K_BLOCK, T_QUOTE, 0},
    {"body", K_BLOCK, T_BODY, 0},
    {"br", K_BLOCK, T_BR, 0},
    {"button", K_SKIP, T_OTHER, 0},
    {"canvas", K_SKIP, T_OTHER, 0},
    {"caption", K_BLOCK, T_CAPTION, 0},
    {"center", K_BLOCK, T_BLOCK, 0},
    {"datalist", K_SKIP, T_OTHER, 0},
    {"dd", K_BLOCK, T_LI, 0},
    {"details", K_BLOCK, T_BLOCK, 0},
    {"dialog", K_SKIP, T_OTHER, 0},
    {"dir", K_BLOCK, T_BLOCK, 0},
    {"div", K_BLOCK, T_BLOCK, 0},
    {"dl", K_BLOCK, T_BLOCK, 0},
    {"dt", K_BLOCK, T_LI, 0},
    {"embed", K_SKIP, T_OTHER, 0},
    {"fieldset", K_BLOCK, T_BLOCK, 0},
    {"figcaption", K_BLOCK, T_CAPTION, F_CAPTION},
    {"figure", K_BLOCK, T_FIGURE, F_CAPTION},
    {"footer", K_BLOCK, T_FOOTER, F_FOOTER},
    {"form", K_BLOCK, T_FORM, F_FORM},
    {"frame", K_SKIP, T_OTHER, 0},
    {"frameset", K_SKIP, T_OTHER, 0},
    {"h1", K_BLOCK, T_H1, 0},
    {"h2", K_BLOCK, T_H2, 0},
    {"h3", K_BLOCK, T_H2, 0},
    {"h4", K_BLOCK, T_H2, 0},
    {"h5", K_BLOCK, T_H2, 0},
    {"h6", K_BLOCK, T_H2, 0},
    {"head", K_BLOCK, T_OTHER, 0},
    {"header", K_BLOCK, T_HEADER, F_HEADER},
    {"hgroup", K_BLOCK, T_BLOCK, 0},
    {"hr", K_BLOCK, T_BLOCK, 0},
    {"html", K_BLOCK, T_BLOCK, 0},
    {"iframe", K_SKIP, T_OTHER, 0},
    {"img", K_VOID, T_OTHER, 0},
    {"input", K_VOID, T_OTHER, 0},
    {"legend", K_BLOCK, T_BLOCK, 0},
    {"li", K_BLOCK, T_LI, 0},
    {"main", K_BLOCK, T_MAIN, 0},
    {"map", K_SKIP, T_OTHER, 0},
    {"math", K_SKIP, T_OTHER, 0},
    {"menu", K_BLOCK, T_NAV, F_NAV},
    {"meta", K_VOID, T_OTHER, 0},
    {"nav", K_BLOCK, T_NAV, F_NAV},
    {"noembed", K_SKIP, T_OTHER, 0},
    {"noframes", K_SKIP, T_OTHER, 0},
    {"noscript", K_SKIP, T_OTHER, 0},
    {"object", K_SKIP, T_OTHER, 0},
    {"ol", K_BLOCK, T_BLOCK, 0},
    {"optgroup", K_SKIP, T_OTHER, 0},
    {"option", K_SKIP, T_OTHER, 0},
    {"p", K_BLOCK, T_P, 0},
    {"picture", K_SKIP, T_OTHER, 0},
    {"pre", K_BLOCK, T_PRE, 0},
    {"script", K_SKIP, T_OTHER, 0},
    {"section", K_BLOCK, T_BLOCK, 0},
    {"select", K_SKIP, T_OTHER, 0},
    {"style", K_SKIP, T_OTHER, 0},
    {"summary", K_BLOCK, T_BLOCK, 0},
    {"svg", K_SKIP, T_OTHER, 0},
    {"table", K_BLOCK, T_BLOCK, 0},
    {"tbody", K_BLOCK, T_BLOCK, 0},
    {"td", K_BLOCK, T_CELL, 0},
    {"template", K_SKIP, T_OTHER, 0},
    {"textarea", K_SKIP, T_OTHER, 0},
    {"tfoot", K_BLOCK, T_BLOCK, 0},
    {"th", K_BLOCK, T_CELL, 0},
    {"thead", K_BLOCK, T_BLOCK, 0},
    {"title", K_INLINE, T_OTHER, 0},
    {"tr", K_BLOCK, T_BLOCK, 0},
    {"ul", K_BLOCK, T_BLOCK, 0},
    {"video", K_SKIP, T_OTHER, 0},
};

static int tag_cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const tag_info *)elem)->name);
}

static const tag_info *tag_lookup(const char *name)
{
    return bsearch(name, tags, sizeof tags / sizeof tags[0], sizeof tags[0], tag_cmp);
}

/* ---- class / id / role hints ------------------------------------------------ */

typedef struct name_hint {
    const char *pat;
    uint16_t flag;
} name_hint;

/* Matched anywhere in the lowercased class and id. Sorted: value_hints()
 * tries at each byte only the patterns that start with it. */
static const name_hint sub_hints[] = {
    {"addthis", F_SHARE},
    {"advert", F_PROMO},
    {"also-read", F_RELATED},
    {"article", F_POS},
    {"author", F_META},
    {"banner", F_PROMO},
    {"blog", F_POS},
    {"breadcrumb", F_NAV},
    {"byline", F_META},
    {"caption", F_CAPTION},
    {"colophon", F_FOOTER},
    {"comment", F_COMMENT},
    {"content", F_POS},
    {"copyright", F_FOOTER},
    {"credit", F_META},
    {"dateline", F_META},
    {"disqus", F_COMMENT},
    {"donat", F_PROMO},
    {"entry", F_POS},
    {"follow-us", F_SHARE},
    {"footer", F_FOOTER},
    {"hentry", F_POS},
    {"masthead", F_HEADER},
    {"more-stories", F_RELATED},
    {"morestories", F_RELATED},
    {"most-read", F_RELATED},
    {"mostread", F_RELATED},
    {"navbar", F_NAV},
    {"navigation", F_NAV},
    {"newsletter", F_PROMO},
    {"next-article", F_RELATED},
    {"offscreen", F_HIDDEN},
    {"outbrain", F_RELATED},
    {"pagination", F_NAV},
    {"paywall", F_PROMO},
    {"popular", F_RELATED},
    {"post", F_POS},
    {"promo", F_PROMO},
    {"prose", F_POS},
    {"read-more", F_RELATED},
    {"readmore", F_RELATED},
    {"recirc", F_RELATED},
    {"recommend", F_RELATED},
    {"related", F_RELATED},
    {"respond", F_COMMENT},
    {"screen-reader", F_HIDDEN},
    {"share", F_SHARE},
    {"sharing", F_SHARE},
    {"side-bar", F_SIDEBAR},
    {"sidebar", F_SIDEBAR},
    {"sign-up", F_PROMO},
    {"signup", F_PROMO},
    {"site-header", F_HEADER},
    {"skip-link", F_NAV},
    {"skiplink", F_NAV},
    {"social", F_SHARE},
    {"sponsor", F_PROMO},
    {"sr-only", F_HIDDEN},
    {"story", F_POS},
    {"subscri", F_PROMO},
    {"taboola", F_RELATED},
    {"timestamp", F_META},
    {"toolbar", F_NAV},
    {"topbar", F_HEADER},
    {"trending", F_RELATED},
    {"up-next", F_RELATED},
    {"upnext", F_RELATED},
    {"visually-hidden", F_HIDDEN},
    {"visuallyhidden", F_HIDDEN},
};

/* Matched against whole parts of the class and id, split at any byte that
 * is not a letter or digit ("ad" in "ad-slot" but not in "header"). */
static const name_hint part_hints[] = {
    {"ad", F_PROMO},      {"ads", F_PROMO},     {"adv", F_PROMO},    {"nav", F_NAV},
    {"menu", F_NAV},      {"foot", F_FOOTER},   {"rail", F_SIDEBAR}, {"aside", F_SIDEBAR},
    {"meta", F_META},     {"date", F_META},     {"time", F_META},    {"tag", F_META},
    {"tags", F_META},     {"print", F_SHARE},   {"email", F_SHARE},  {"hidden", F_HIDDEN},
    {"popup", F_PROMO},   {"cookie", F_PROMO},  {"login", F_PROMO},  {"search", F_NAV},
    {"header", F_HEADER}, {"body", F_POS},      {"text", F_POS},     {"main", F_POS},
    {"byline", F_META},   {"keywords", F_META}, {"dates", F_META},
};

/* Sorted, as sub_hints. Names that say "this is the article's body"
 * outright; on an element
 * they outweigh any boilerplate word in its other names
 * ("entry-content entry-content-read-more"). */
static const char *const body_names[] = {
    "article-body", "article-content", "article-text",  "article__body", "article__content",
    "article_body", "articlebody",     "articletext",   "body-text",     "bodytext",
    "content-body", "entry-body",      "entry-content", "main-content",  "post-body",
    "post-content", "post-entry",      "postbody",      "story-body",    "story-content",
    "story-text",   "storybody",
};

/* Words before a name that make it a state of the element, not what it
 * is: "has-sidebar", "no-comments", "with-related" name a layout. */
static const char *const modifiers[] = {"has-",  "no-", "with-", "without-", "show-",
                                        "hide-", "is-", "has_",  "no_",      "with_"};

/* Endings that turn a boilerplate word into another word: "commentary"
 * is an opinion piece, "shared" and "sharepoint" are not share bars. */
static int other_word(const char *pat, const char *after)
{
    if (strcmp(pat, "comment") == 0)
        return strncmp(after, "ary", 3) == 0 || strncmp(after, "ator", 4) == 0;
    if (strcmp(pat, "share") == 0)
        return after[0] == 'd' || strncmp(after, "point", 5) == 0;
    return 0;
}

/* True when the pattern at low[at..) is a name of the element: not after
 * a modifier, not the start of a longer other word. */
static int names_at(const char *low, size_t at, const char *pat, size_t plen)
{
    size_t k;
    for (k = 0; k < sizeof modifiers / sizeof modifiers[0]; k++) {
        size_t ml = strlen(modifiers[k]);
        if (at >= ml && memcmp(low + at - ml, modifiers[k], ml) == 0 &&
            (at == ml || !(low[at - ml - 1] >= 'a' && low[at - ml - 1] <= 'z')))
            return 0;
    }
    return !other_word(pat, low + at + plen);
}

/* The first of the sorted strings key(0) .. key(count - 1) whose first
 * byte is c or more. */
static size_t first_from(const char *(*key)(size_t), size_t count, char c)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((unsigned char)key(mid)[0] < (unsigned char)c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const char *sub_key(size_t i)
{
    return sub_hints[i].pat;
}

static const char *body_key(size_t i)
{
    return body_names[i];
}

/* Where each letter's patterns start in the sorted tables, for one
 * extraction. */
static void hint_index(ex *x)
{
    int c;
    for (c = 0; c <= 26; c++) {
        x->sub_at[c] =
            (uint8_t)first_from(sub_key, sizeof sub_hints / sizeof sub_hints[0], (char)('a' + c));
        x->body_at[c] = (uint8_t)first_from(body_key, sizeof body_names / sizeof body_names[0],
                                            (char)('a' + c));
    }
}

/* F_BODY | F_POS when a name of the article's body starts at a letter of
 * low[0..n) (lower-cased), else 0. */
static unsigned body_hint(const ex *x, const char *low, size_t n)
{
    size_t i, k;
    for (i = 0; i < n; i++) {
        if (low[i] < 'a' || low[i] > 'z')
            continue;
        for (k = x->body_at[low[i] - 'a']; k < x->body_at[low[i] - 'a' + 1]; k++)
            if (strncmp(low + i, body_names[k], strlen(body_names[k])) == 0)
                return F_BODY | F_POS;
    }
    return 0;
}

/* The hints of the patterns found anywhere in low[0..n), where they name
 * something (names_at()). */
static unsigned sub_hint_flags(const ex *x, const char *low, size_t n)
{
    size_t i, k;
    unsigned f = 0;
    for (i = 0; i < n; i++) {
        if (low[i] < 'a' || low[i] > 'z')
            continue;
        for (k = x->sub_at[low[i] - 'a']; k < x->sub_at[low[i] - 'a' + 1]; k++) {
            size_t pl;
            if (f & sub_hints[k].flag || low[i + 1] != sub_hints[k].pat[1])
                continue;
            pl = strlen(sub_hints[k].pat);
            if (strncmp(low + i, sub_hints[k].pat, pl) == 0 &&
                names_at(low, i, sub_hints[k].pat, pl))
                f |= sub_hints[k].flag;
        }
    }
    return f;
}

/* The hints of the patterns that are whole parts of low[0..n) (runs of
 * letters and digits). */
static unsigned part_hint_flags(const char *low, size_t n)
{
    size_t i, k, start;
    unsigned f = 0;
    for (i = 0; i <= n;) {
        while (i < n && !((low[i] >= 'a' && low[i] <= 'z') || (low[i] >= '0' && low[i] <= '9')))
            i++;
        start = i;
        while (i < n && ((low[i] >= 'a' && low[i] <= 'z') || (low[i] >= '0' && low[i] <= '9')))
            i++;
        if (i == start)
            break;
        for (k = 0; k < sizeof part_hints / sizeof part_hints[0]; k++)
            if (part_hints[k].pat[0] == low[start] && strlen(part_hints[k].pat) == i - start &&
                memcmp(part_hints[k].pat, low + start, i - start) == 0)
                f |= part_hints[k].flag;
    }
    return f;
}

/* The F_* hints a class or id value gives. The patterns are sorted, so
 * each byte of the value is tried against the few that start with it.
 * Pages repeat the same few values thousands of times: the answer for a
 * value is kept by its 64-bit hash in a small table. */
static unsigned value_hints(ex *x, const char *v)
{
    char low[256];
    size_t n = 0;
    unsigned f;
    uint64_t h = 1469598103934665603ull;
    struct ex_hint_memo *memo;
    for (; v[n] && n + 1 < sizeof low; n++) {
        low[n] = (char)((v[n] >= 'A' && v[n] <= 'Z') ? v[n] + 32 : v[n]);
        h = (h ^ (unsigned char)low[n]) * 1099511628211ull;
    }
    low[n] = '\0';
    if (n == 0)
        return 0;
    memo = &x->memo[h % EX_HINT_MEMO];
    if (memo->hash == h && memo->used)
        return memo->flags;
    f = body_hint(x, low, n);
    if (!(f & F_BODY)) {
        f = sub_hint_flags(x, low, n) | part_hint_flags(low, n);
        /* An embedded post or video (a tweet, "social-embed") is the
         * article's own content, whatever network's name it carries. */
        if (strstr(low, "embed") || strstr(low, "tweet") || strstr(low, "instagram-media"))
            f &= ~(unsigned)(F_SHARE | F_PROMO | F_RELATED | F_SIDEBAR);
    }
    memo->hash = h;
    memo->flags = (uint16_t)f;
    memo->used = 1;
    return f;
}

static unsigned role_hints(const char *r)
{
    if (strcasecmp(r, "navigation") == 0 || strcasecmp(r, "menu") == 0 ||
        strcasecmp(r, "menubar") == 0 || strcasecmp(r, "search") == 0 ||
        strcasecmp(r, "tablist") == 0)
        return F_NAV;
    if (strcasecmp(r, "contentinfo") == 0)
        return F_FOOTER;
    if (strcasecmp(r, "banner") == 0)
        return F_HEADER;
    if (strcasecmp(r, "complementary") == 0)
        return F_SIDEBAR;
    if (strcasecmp(r, "dialog") == 0 || strcasecmp(r, "alertdialog") == 0)
        return F_PROMO;
    if (strcasecmp(r, "main") == 0 || strcasecmp(r, "article") == 0)
        return F_POS;
    return 0;
}

/* True when an inline style hides the element. */
static int style_hides(const char *s)
{
    const char *p;
    for (p = s; (p = strcasestr(p, "display")) != NULL; p += 7) {
        const char *q = p + 7;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q != ':')
            continue;
        q++;
        while (*q == ' ' || *q == '\t')
            q++;
        if (strncasecmp(q, "none", 4) == 0)
            return 1;
    }
    for (p = s; (p = strcasestr(p, "visibility")) != NULL; p += 10) {
        const char *q = p + 10;
        while (*q == ' ' || *q == '\t' || *q == ':')
            q++;
        if (strncasecmp(q, "hidden", 6) == 0)
            return 1;
    }
    return 0;
}

/* ---- text and words ---------------------------------------------------------- */

static int is_cjk(uint32_t c)
{
    return (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF);
}

/* Ends the current word: counts it as a function word of the languages
 * whose lists hold it. */
static void end_word(ex *x)
{
    if (!x->in_word)
        return;
    x->in_word = 0;
    if (!x->word_long && x->word_len) {
        unsigned m = sd__stopword(x->word, x->word_len);
        unsigned k;
        for (k = 0; m; k++, m >>= 1)
            if (m & 1u)
                x->cur.stop[k]++;
    }
    x->word_len = 0;
    x->word_long = 0;
}

/* Adds bytes to the current word (already lowercased). */
static void word_add(ex *x, const char *p, size_t n)
{
    if (!x->in_word) {
        x->in_word = 1;
        x->cur.words++;
        if (x->in_link)
            x->cur.link_words++;
    }
    if (x->word_len + n > sizeof x->word) {
        x->word_long = 1;
        return;
    }
    memcpy(x->word + x->word_len, p, n);
    x->word_len += n;
}

/* Starts a block at the current end of the text, if none is open. */
static void open_block(ex *x)
{
    if (x->cur_open)
        return;
    memset(&x->cur, 0, sizeof x->cur);
    x->cur.start = (uint32_t)x->text.len;
    x->cur.cont = (uint8_t)x->brk;
    x->cur_open = 1;
    x->space = 0;
}

/* Appends one character's bytes to the block text. */
static void put(ex *x, const char *p, size_t n)
{
    int rc;
    if (x->space) {
        x->space = 0;
        if (x->text.len > x->cur.start && (rc = sd__buf_putc(&x->text, ' ')) != 0)
            x->err = rc;
    }
    if ((rc = sd__buf_append(&x->text, p, n)) != 0)
        x->err = rc;
}

/* Feeds decoded page text into the current block: whitespace collapsed
 * (kept inside <pre>), words counted. */
static void add_text(ex *x, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && !x->err) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x80) {
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
                end_word(x);
                if (x->in_pre && c != '\r' && x->cur_open) {
                    x->space = 0;
                    put(x, (const char *)&p[i], 1);
                } else if (x->cur_open) {
                    x->space = 1;
                }
                i++;
                continue;
            }
            open_block(x);
            put(x, p + i, 1);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                word_add(x, p + i, 1);
            } else if (c >= 'A' && c <= 'Z') {
                char low = (char)(c + 32);
                word_add(x, &low, 1);
            } else {
                end_word(x);
                if (c == ',')
                    x->cur.commas++;
            }
            i++;
        } else {
            size_t len;
            uint32_t cp = sd__utf8_decode(p + i, n - i, &len);
            utf8proc_category_t cat;
            if (cp == 0xA0 || cp == 0x2007 || cp == 0x202F || (cp >= 0x2000 && cp <= 0x200A) ||
                cp == 0x3000) {
                end_word(x);
                if (x->cur_open)
                    x->space = 1;
                i += len;
                continue;
            }
            if (cp == SD_UTF8_INVALID || cp == 0x200B || cp == 0xFEFF || cp == 0xAD) {
                i += len; /* invisible: neither text nor separator */
                continue;
            }
            open_block(x);
            put(x, p + i, len);
            cat = utf8proc_category((utf8proc_int32_t)cp);
            if (is_cjk(cp)) {
                end_word(x);
                word_add(x, p + i, len);
                end_word(x);
                x->cur.cjk++;
            } else if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO) {
                char buf[4];
                uint32_t low = (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp);
                size_t bl = sd__utf8_encode(low, buf);
                word_add(x, buf, bl);
            } else {
                end_word(x);
                if (cp == 0xFF0C || cp == 0x3001)
                    x->cur.commas++;
            }
            i += len;
        }
    }
}

/* True when the text ends like a sentence. */
static int final_punct(const char *p, size_t n)
{
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\n'))
        n--;
    if (n == 0)
        return 0;
    switch (p[n - 1]) {
    case '.':
    case '!':
    case '?':
    case '"':
    case ')':
    case ':': return 1;
    default: break;
    }
    if (n >= 3 && (memcmp(p + n - 3, "\xE2\x80\x9D", 3) == 0 || /* right double quote */
                   memcmp(p + n - 3, "\xE3\x80\x82", 3) == 0 || /* ideographic full stop */
                   memcmp(p + n - 3, "\xE2\x80\xA6", 3) == 0))  /* ellipsis */
        return 1;
    return 0;
}

/* The element that owns text now: the innermost open boundary element.
 * Each stack entry carries it, so this costs nothing however deep the
 * page nests (a walk down the stack here was quadratic in the depth). */
static uint32_t owner(const ex *x)
{
    return x->depth > 0 ? x->stack[x->depth - 1].own_node : 0;
}

/* Ends the current block and files it, if it holds any word. */
static void flush(ex *x)
{
    end_word(x);
    if (x->cur_open && !x->err) {
        size_t end = x->text.len;
        while (end > x->cur.start && (x->text.p[end - 1] == ' ' || x->text.p[end - 1] == '\n'))
            end--;
        if (x->cur.words > 0) {
            ex_block *b;
            if (x->n_blocks >= UINT32_MAX - 1) {
                x->err = SD_ETOOBIG;
                return;
            }
            if (SD_GROW(x->blocks, x->cap_blocks, x->n_blocks + 1)) {
                x->err = SD_ENOMEM;
                return;
            }
            b = &x->blocks[x->n_blocks];
            *b = x->cur;
            b->end = (uint32_t)end;
            b->node = owner(x);
            b->tag = x->nodes[b->node].tag;
            b->level = x->nodes[b->node].level;
            if (b->tag == T_CELL && x->row_pending) {
                b->row = 1;
                x->row_pending = 0;
            }
            b->final_punct = (uint8_t)final_punct(x->text.p + b->start, end - b->start);
            if (b->cont && (x->n_blocks == 0 || x->blocks[x->n_blocks - 1].node != b->node))
                b->cont = 0;
            x->n_blocks++;
        } else {
            x->text.len = x->cur.start; /* punctuation or symbols only */
        }
        if (x->text.p)
            x->text.p[x->text.len] = '\0';
    }
    x->cur_open = 0;
    x->space = 0;
}

/* Appends title text, whitespace collapsed, up to MAX_TITLE bytes. */
static void add_title(sd_buf *t, const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n && t->len < MAX_TITLE; i++) {
        char c = p[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            if (t->len && t->p[t->len - 1] != ' ')
                sd__buf_putc(t, ' ');
        } else {
            sd__buf_putc(t, c);
        }
    }
}

/* ---- SAX callbacks ---------------------------------------------------------- */

static uint32_t fnv(uint32_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Whether a start tag may carry metadata (extract_meta.c): the head's
 * tags, <html lang>, <time>, scripts (JSON-LD) and itemprop dates. */
static int meta_tag_wanted(const char *name, const xmlChar **attrs)
{
    size_t k;
    switch (name[0]) {
    case 'h':
        if (strcmp(name, "html") == 0)
            return 1;
        break;
    case 'l':
        if (strcmp(name, "link") == 0)
            return 1;
        break;
    case 'm':
        if (strcmp(name, "meta") == 0)
            return 1;
        break;
    case 's':
        if (strcmp(name, "script") == 0)
            return 1;
        break;
    case 't':
        if (strcmp(name, "time") == 0)
            return 1;
        break;
    default: break;
    }
    for (k = 0; attrs && attrs[k]; k += 2)
        if (strcasecmp((const char *)attrs[k], "itemprop") == 0)
            return 1;
    return 0;
}

/* Records a link that starts here; returns its index or EX_NONE (out of
 * memory: the link is lost, not the page). */
static uint32_t add_link(ex *x, const char *href)
{
    ex_link *l;
    size_t at = x->hrefs.len;
    if (x->n_links >= UINT32_MAX - 1 || SD_GROW(x->links, x->cap_links, x->n_links + 1) ||
        sd__buf_append(&x->hrefs, href, strlen(href) + 1) != 0)
        return EX_NONE;
    l = &x->links[x->n_links];
    l->start = l->end = (uint32_t)x->text.len;
    l->href = (uint32_t)at;
    return (uint32_t)x->n_links++;
}

/* What a start tag's attributes say: the hints of its class, id, role and
 * itemprop (added to own), whether they hide the element, and the values
 * on_start() reads later. */
typedef struct tag_attrs {
    unsigned own;
    int hidden;
    const char *cls, *meta_prop, *meta_content, *href;
} tag_attrs;

/* Reads one attribute, its name an and value av, into a. */
static void read_attr(ex *x, const char *an, const char *av, tag_attrs *a)
{
    if (strcasecmp(an, "class") == 0) {
        a->own |= value_hints(x, av);
        a->cls = av;
    } else if (strcasecmp(an, "id") == 0) {
        a->own |= value_hints(x, av);
    } else if (strcasecmp(an, "role") == 0) {
        a->own |= role_hints(av);
    } else if (strcasecmp(an, "itemprop") == 0) {
        if (strcasecmp(av, "articleBody") == 0 || strcasecmp(av, "reviewBody") == 0)
            a->own |= F_BODY;
    } else if (strcasecmp(an, "hidden") == 0) {
        a->hidden = 1;
    } else if (strcasecmp(an, "aria-hidden") == 0) {
        a->hidden |= strcasecmp(av, "true") == 0;
    } else if (strcasecmp(an, "style") == 0) {
        a->hidden |= style_hides(av);
    } else if (strcasecmp(an, "property") == 0 || strcasecmp(an, "name") == 0) {
        a->meta_prop = av;
    } else if (strcasecmp(an, "content") == 0) {
        a->meta_content = av;
    } else if (strcasecmp(an, "href") == 0) {
        a->href = av;
    }
}

/* The entry of an element that starts (xname), pushed on the open stack:
 * it inherits the nearest recorded node and block owner. NULL when out of
 * memory (x->err set). */
static struct ex_open *push_open(ex *x, const xmlChar *xname)
{
    struct ex_open *o;
    if (SD_GROW(x->stack, x->cap_stack, x->depth + 1)) {
        x->err = SD_ENOMEM;
        return NULL;
    }
    o = &x->stack[x->depth];
    memset(o, 0, sizeof *o);
    o->name = xname;
    o->node = EX_NONE;
    o->rec = x->depth > 0 ? x->stack[x->depth - 1].rec : 0;
    o->own_node = x->depth > 0 ? x->stack[x->depth - 1].own_node : 0;
    o->epoch = x->head_epoch;
    x->depth++;
    return o;
}

/* The first og:title or twitter:title <meta> is the page's title there. */
static void og_title(ex *x, const char *name, const tag_attrs *a)
{
    if (a->meta_prop && a->meta_content && strcmp(name, "meta") == 0 && x->ogtitle.len == 0 &&
        (strcasecmp(a->meta_prop, "og:title") == 0 ||
         strcasecmp(a->meta_prop, "twitter:title") == 0))
        add_title(&x->ogtitle, a->meta_content, strlen(a->meta_content));
}

/* <head> and <title> as an element (entry o, of kind) starts. Returns 1
 * for the head's <title>, which records nothing more. */
static int head_state(ex *x, struct ex_open *o, const char *name, int kind)
{
    if ((x->in_head || x->in_title) && kind == K_BLOCK && strcmp(name, "head") != 0 &&
        strcmp(name, "html") != 0) {
        /* Body markup inside <head> or an unclosed <title>: the head has
         * ended, whatever the parser thinks. A new epoch voids the head
         * and title flags of the open entries at once. */
        x->in_head = x->in_title = 0;
        x->head_epoch++;
        o->epoch = x->head_epoch;
    }
    if (strcmp(name, "head") == 0) {
        o->head = 1;
        x->in_head++;
    } else if (strcmp(name, "title") == 0 && x->in_head) {
        o->title = 1;
        x->in_title++;
        return 1;
    }
    return 0;
}

/* An element (entry o, tag ti, of kind, hints own) that is a block, or
 * hinted as furniture, ends the block being read; a <br> breaks the line.
 * Returns 1 for a <br>, which records nothing more. */
static int start_boundary(ex *x, struct ex_open *o, const tag_info *ti, int kind, unsigned own)
{
    o->boundary = (uint8_t)(kind == K_BLOCK || (own & F_BAD));
    if (o->boundary) {
        flush(x);
        if (ti == NULL || ti->tag != T_BR)
            x->brk = 0;
    }
    if (ti && ti->tag == T_BR) {
        x->brk = 1;
        o->boundary = 0;
        return 1;
    }
    return 0;
}

/* A link (<a>, its target href) or preformatted text (<pre>) that starts:
 * its state on entry o. */
static void open_span(ex *x, struct ex_open *o, const tag_info *ti, const char *href)
{
    if (ti && ti->tag == T_A) {
        o->link = 1;
        o->link_idx = EX_NONE;
        o->link_pos = (uint32_t)x->text.len;
        o->link_lw = x->cur_open ? x->cur.link_words : 0;
        o->link_blk = (uint32_t)x->n_blocks;
        x->in_link++;
        if (x->want_links && href && *href && x->in_link == 1)
            o->link_idx = add_link(x, href);
    } else if (ti && ti->tag == T_PRE) {
        o->pre = 1;
        x->in_pre++;
    }
}

/* The node of an element that starts (entry o, tag ti named name, hints
 * own, class cls): under the nearest recorded one, with its blocks to
 * come, its tag, hints, depth, signature and heading level. */
static void add_node(ex *x, struct ex_open *o, const tag_info *ti, const char *name, unsigned own,
                     const char *cls)
{
    ex_node *nd;
    uint32_t parent = o->rec; /* still the entry below's: nearest recorded */
    if (x->n_nodes >= UINT32_MAX - 1) {
        x->err = SD_ETOOBIG;
        return;
    }
    if (SD_GROW(x->nodes, x->cap_nodes, x->n_nodes + 1)) {
        x->err = SD_ENOMEM;
        return;
    }
    nd = &x->nodes[x->n_nodes];
    nd->parent = parent;
    nd->first_block = nd->end_block = (uint32_t)x->n_blocks;
    nd->tag = ti ? ti->tag : T_OTHER;
    nd->own = (uint16_t)own;
    nd->depth = x->nodes[parent].depth + 1;
    nd->sig = fnv(fnv(2166136261u, name), cls ? cls : "");
    nd->level = (uint8_t)(ti && (ti->tag == T_H1 || ti->tag == T_H2) ? name[1] - '0' : 0);
    if (ti && ti->tag == T_BLOCK && strcmp(name, "tr") == 0)
        x->row_pending = 1;
    o->node = (uint32_t)x->n_nodes++;
    o->rec = o->node;
    if (o->boundary)
        o->own_node = o->node;
}

/* An element starts: its entry on the open stack; its metadata, hints and
 * visibility from its attributes; skipped (script, style, hidden), a line
 * break, or recorded as a node, a boundary between blocks when it is a
 * block or hinted as furniture. */
static void on_start(void *ctx, const xmlChar *xname, const xmlChar **attrs)
{
    ex *x = ctx;
    const char *name = (const char *)xname;
    const tag_info *ti = tag_lookup(name);
    struct ex_open *o;
    int kind = ti ? ti->kind : K_INLINE;
    tag_attrs a;
    size_t k;
    if (x->err || (o = push_open(x, xname)) == NULL)
        return;
    if (x->skip) {
        x->skip++;
        o->skip = 1;
        return;
    }
    if (meta_tag_wanted(name, attrs)) {
        sd__ex_meta_tag(x, name, (const char *const *)attrs);
        o->ld = (uint8_t)x->meta.in_ld;
    }
    memset(&a, 0, sizeof a);
    a.own = ti ? ti->own : 0;
    for (k = 0; attrs && attrs[k]; k += 2)
        read_attr(x, (const char *)attrs[k], attrs[k + 1] ? (const char *)attrs[k + 1] : "", &a);
    og_title(x, name, &a);
    if (kind == K_VOID)
        return;
    if (kind == K_SKIP || (a.hidden && strcmp(name, "html") != 0 && strcmp(name, "body") != 0)) {
        x->skip = 1;
        o->skip = 1;
        return;
    }
    if (head_state(x, o, name, kind))
        return;
    if (ti && (ti->tag == T_BODY || strcmp(name, "html") == 0))
        a.own = 0; /* a page-wide class ("has-sidebar") says nothing */
    if (start_boundary(x, o, ti, kind, a.own))
        return;
    open_span(x, o, ti, a.href);
    add_node(x, o, ti, name, a.own, a.cls);
}

/* A link of this many words or more with LINK_PROSE_SENTENCES sentence
 * ends is a paragraph of the article some site wrapped in a link, not a
 * way off the page: a headline link has one sentence at most. */
#define LINK_PROSE_WORDS 40
#define LINK_PROSE_SENTENCES 2

/* How many sentences end in p[0..n): a '.', '?' or '!' before a space
 * and an uppercase letter, or at the end. */
static unsigned sentence_ends(const char *p, size_t n)
{
    size_t i;
    unsigned got = 0;
    for (i = 0; i < n; i++) {
        if (p[i] != '.' && p[i] != '?' && p[i] != '!')
            continue;
        if (i + 1 == n || (i + 2 < n && p[i + 1] == ' ' && p[i + 2] >= 'A' && p[i + 2] <= 'Z'))
            got++;
    }
    return got;
}

/* A link's words stop counting as link words when the link is no way off
 * the page: its text is an address ("https://..." or "www...") citing a
 * source in the text (a list of products each with its shop's address
 * would otherwise read as a list of links), or a paragraph of prose. */
static void unlink_text(ex *x, const struct ex_open *o)
{
    const char *p;
    size_t n;
    if (!x->cur_open || x->n_blocks != o->link_blk || o->link_pos > x->text.len)
        return;
    end_word(x);
    p = x->text.p + o->link_pos;
    n = x->text.len - o->link_pos;
    while (n > 0 && *p == ' ') {
        p++;
        n--;
    }
    while (n > 0 && p[n - 1] == ' ')
        n--;
    if ((n >= 7 && strncasecmp(p, "http://", 7) == 0) ||
        (n >= 8 && strncasecmp(p, "https://", 8) == 0) ||
        (n >= 4 && strncasecmp(p, "www.", 4) == 0) ||
        (x->cur.link_words - o->link_lw >= LINK_PROSE_WORDS &&
         sentence_ends(p, n) >= LINK_PROSE_SENTENCES))
        x->cur.link_words = o->link_lw;
}

/* Closes the element on top of the stack. */
static void pop(ex *x)
{
    struct ex_open *o = &x->stack[x->depth - 1];
    if (o->skip) {
        x->skip--;
        x->depth--;
        if (o->ld)
            sd__ex_meta_ld_end(x);
        return;
    }
    if (o->boundary)
        flush(x); /* while the element is still open: its text is its own */
    x->depth--;
    if (o->node != EX_NONE)
        x->nodes[o->node].end_block = (uint32_t)x->n_blocks;
    if (o->link) {
        x->in_link--;
        if (x->in_link == 0)
            unlink_text(x, o);
        if (o->link_idx != EX_NONE)
            x->links[o->link_idx].end = (uint32_t)x->text.len;
    }
    if (o->pre)
        x->in_pre--;
    if (o->title && o->epoch == x->head_epoch)
        x->in_title--;
    if (o->head && o->epoch == x->head_epoch)
        x->in_head--;
    if (o->boundary)
        x->brk = 0;
}

static void on_end(void *ctx, const xmlChar *name)
{
    ex *x = ctx;
    size_t i;
    if (x->err || x->depth == 0)
        return;
    /* The parser closes what it opened, innermost first; should a name
     * not match the top, close down to the nearest element of that name
     * (within a few levels), else ignore the end tag. */
    for (i = x->depth; i > 0 && x->depth - i < 8; i--) {
        const struct ex_open *o = &x->stack[i - 1];
        if (o->name == name || strcmp((const char *)o->name, (const char *)name) == 0)
            break;
    }
    if (i == 0 || x->depth - i >= 8)
        return;
    while (x->depth >= i && !x->err)
        pop(x);
}

static void on_chars(void *ctx, const xmlChar *ch, int len)
{
    ex *x = ctx;
    if (x->err || len <= 0)
        return;
    if (x->skip) {
        if (x->skip == 1 && x->meta.in_ld)
            sd__ex_meta_ld_text(x, (const char *)ch, (size_t)len);
        return;
    }
    if (x->in_title) {
        add_title(&x->title, (const char *)ch, (size_t)len);
        return;
    }
    if (x->in_head)
        return;
    add_text(x, (const char *)ch, (size_t)len);
}

/* Script and style text, which libxml2 hands over as CDATA: only a
 * JSON-LD script's is read (metadata); the rest is never text. */
static void on_cdata(void *ctx, const xmlChar *ch, int len)
{
    ex *x = ctx;
    if (!x->err && len > 0 && x->skip == 1 && x->meta.in_ld)
        sd__ex_meta_ld_text(x, (const char *)ch, (size_t)len);
}

int sd__ex_parse(ex *x, const char *html, size_t n)
{
    htmlParserCtxtPtr ctxt;
    htmlSAXHandler sax;
    int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
               HTML_PARSE_NOBLANKS | HTML_PARSE_IGNORE_ENC;
    if (n > INT_MAX)
        return SD_ETOOBIG;
    /* Node 0 is a root above whatever the parser reports. */
    if (SD_GROW(x->nodes, x->cap_nodes, 64))
        return SD_ENOMEM;
    memset(&x->nodes[0], 0, sizeof x->nodes[0]);
    x->nodes[0].parent = EX_NONE;
    x->nodes[0].tag = T_BODY;
    x->n_nodes = 1;
    if (n == 0)
        return 0;
    memset(&sax, 0, sizeof sax);
    sax.startElement = on_start;
    sax.endElement = on_end;
    sax.characters = on_chars;
    sax.ignorableWhitespace = on_chars;
    sax.cdataBlock = on_cdata;
    ctxt = htmlCreateMemoryParserCtxt(html, (int)n);
    if (ctxt == NULL)
        return SD_ENOMEM;
    memcpy(ctxt->sax, &sax, sizeof sax);
    ctxt->userData = x;
    htmlCtxtUseOptions(ctxt, opts);
    xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
    htmlParseDocument(ctxt);
    htmlFreeParserCtxt(ctxt);
    while (x->depth > 0 && !x->err)
        pop(x);
    flush(x);
    x->nodes[0].end_block = (uint32_t)x->n_blocks;
    return x->err;
}

/* ---- public entry points ------------------------------------------------------ */

void sd_extract_options_init(sd_extract_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->min_words = 10;
    o->max_html = DEFAULT_MAX_HTML;
}

void sd_article_release(sd_article *a)
{
    if (a == NULL)
        return;
    sd__free(a->title);
    sd__free(a->text);
    sd__free(a->paragraphs);
    sd__free(a->author);
    sd__free(a->date);
    sd__free(a->date_modified);
    sd__free(a->site_name);
    sd__free(a->page_lang);
    sd__free(a->canonical_url);
    sd__free(a->description);
    sd__free(a->comments_text);
    sd__free(a->comments);
    sd__free(a->links);
    sd__free(a->link_urls);
    memset(a, 0, sizeof *a);
}

static void ex_release(ex *x)
{
    sd__free(x->nodes);
    sd__free(x->blocks);
    sd__free(x->stack);
    sd__buf_release(&x->text);
    sd__buf_release(&x->title);
    sd__buf_release(&x->ogtitle);
    sd__buf_release(&x->meta.ld);
    sd__buf_release(&x->hrefs);
    sd__free(x->links);
}

/* True when h[i..n) starts with the ASCII name `lname` (lowercase), in
 * any case, followed by a byte that ends a tag name. */
static int tag_is(const char *h, size_t n, size_t i, const char *lname)
{
    size_t k, l = strlen(lname);
    if (i + l >= n)
        return 0;
    for (k = 0; k < l; k++)
        if ((h[i + k] | 0x20) != lname[k])
            return 0;
    return h[i + l] == '>' || h[i + l] == ' ' || h[i + l] == '/' || h[i + l] == '\t' ||
           h[i + l] == '\n' || h[i + l] == '\r' || h[i + l] == '\f';
}

/* The '>' that ends the start tag at h[at] (quotes respected), or n. */
static size_t start_tag_end(const char *h, size_t n, size_t at)
{
    size_t end;
    char q = 0;
    for (end = at + 1; end < n; end++) {
        if (q) {
            if (h[end] == q)
                q = 0;
        } else if (h[end] == '"' || h[end] == '\'') {
            q = h[end];
        } else if (h[end] == '>') {
            break;
        }
    }
    return end;
}

/* Where the closing tag `name` ("</script", lower-case; any case in h)
 * starts at or after `from`, or n. */
static size_t closing_tag(const char *h, size_t n, size_t from, const char *name)
{
    size_t close, k, l = strlen(name);
    for (close = from; close < n; close++) {
        if (h[close] != '<' || close + l > n)
            continue;
        for (k = 1; k < l && (h[close + k] | 0x20) == name[k]; k++)
            ;
        if (k == l)
            break;
    }
    return close;
}

/*
 * Copies html[0..n) into out without comments and without the contents of
 * <script>, <style> and <svg> elements, keeping their tags (and JSON-LD
 * scripts whole, for the metadata). On news pages over half of the bytes
 * are these, which libxml2 reads a character at a time only for the
 * extractor to skip them; a scan for '<' here is several times cheaper.
 * A script or style ends where libxml2 ends it in recovery mode, at
 * "</script" or "</style" in any case; an svg at the first "</svg" (what
 * an svg nested in it leaves is still inside the outer one, which the
 * extractor skips). Returns 0 (out empty when nothing was cut) or
 * SD_ENOMEM.
 */
static int strip_raw_text(const char *h, size_t n, sd_buf *out)
{
    size_t i = 0, done = 0;
    int rc;
    sd__buf_reset(out);
    while (i < n) {
        const char *lt = memchr(h + i, '<', n - i);
        size_t at, end, close;
        const char *name;
        if (lt == NULL)
            break;
        at = (size_t)(lt - h);
        if (at + 4 <= n && memcmp(h + at, "<!--", 4) == 0) {
            /* a comment: gone whole (libxml2 would read it a character at
             * a time to report nothing the extractor uses) */
            const char *e = memmem(h + at + 4, n - at - 4, "-->", 3);
            if ((rc = sd__buf_append(out, h + done, at - done)) != 0)
                return rc;
            done = i = e ? (size_t)(e - h) + 3 : n;
            continue;
        }
        name = tag_is(h, n, at + 1, "script")  ? "</script"
               : tag_is(h, n, at + 1, "style") ? "</style"
               : tag_is(h, n, at + 1, "svg")   ? "</svg"
                                               : NULL;
        if (name == NULL) {
            i = at + 1;
            continue;
        }
        if ((end = start_tag_end(h, n, at)) >= n)
            break;
        end++;
        if (memmem(h + at, end - at, "ld+json", 7) != NULL) {
            i = end;
            continue;
        }
        close = closing_tag(h, n, end, name);
        if ((rc = sd__buf_append(out, h + done, end - done)) != 0)
            return rc;
        done = close < n ? close : n;
        i = done;
    }
    if (done == 0 && out->len == 0)
        return 0;
    return sd__buf_append(out, h + done, n - done);
}

/* An extraction's state, empty, for options o. */
static void ex_init(ex *x, const sd_extract_options *o)
{
    memset(x, 0, sizeof *x);
    sd__buf_init(&x->text, 0);
    sd__buf_init(&x->title, 0);
    sd__buf_init(&x->ogtitle, 0);
    sd__buf_init(&x->meta.ld, 0);
    sd__buf_init(&x->hrefs, 0);
    x->want_links = (o->flags & SD_EXTRACT_LINKS) != 0;
    hint_index(x);
    x->lang = -1;
}

/* The charset the page *html[0..*len) declares: UTF-8 with a byte order
 * mark (then left out of the page), else the caller's hint, else its
 * <meta> charset (copied into meta[0..size)), else NULL. */
static const char *declared_charset(const char **html, size_t *len, const char *hint, char *meta,
                                    size_t size)
{
    if (*len >= 3 && memcmp(*html, "\xEF\xBB\xBF", 3) == 0) {
        *html += 3;
        *len -= 3;
        return "utf-8";
    }
    if (hint == NULL && sd__html_meta_charset(*html, *len, meta, size))
        return meta;
    return hint;
}

/* The page *html[0..*len) as UTF-8: valid UTF-8 stays UTF-8 whatever is
 * declared (see charset.h), and the parser reads it in place; else it is
 * decoded from the declared charset (or a guess) into dec, and out says
 * from what and whether it was repaired. Returns 0 or an error code. */
static int to_utf8(const char **html, size_t *len, const char *declared, sd_buf *dec,
                   sd_article *out)
{
    int rc;
    if (sd__utf8_valid(*html ? *html : "", *len) == *len)
        return 0;
    rc = sd__decode_to_utf8(*html ? *html : "", *len, declared, dec, &out->charset, &out->repaired);
    if (rc)
        return rc;
    *html = dec->p ? dec->p : "";
    *len = dec->len;
    return 0;
}

/* NUL is valid UTF-8 but ends libxml2's input early, and four leading
 * bytes with NULs make it guess UTF-16 or UCS-4: they are dropped from
 * *html[0..*len) (into dec), as browsers ignore them in markup. Returns 0
 * or SD_ENOMEM. */
static int drop_nuls(const char **html, size_t *len, sd_buf *dec)
{
    size_t i, k = 0;
    int rc;
    if (!*len || !memchr(*html, '\0', *len))
        return 0;
    if (*html != dec->p) {
        sd__buf_reset(dec);
        if ((rc = sd__buf_append(dec, *html, *len)) != 0)
            return rc;
    }
    for (i = 0; i < dec->len; i++)
        if (dec->p[i] != '\0')
            dec->p[k++] = dec->p[i];
    dec->len = k;
    dec->p[k] = '\0';
    *html = dec->p;
    *len = k;
    return 0;
}

/* Both entry points: decode, parse, select. */
static int run(const char *html, size_t len, const char *hint, const sd_extract_options *opt,
               int whole_page, sd_article *out)
{
    sd_extract_options o;
    sd_buf dec, raw;
    ex x;
    const char *declared;
    char meta[64];
    int rc;
    memset(out, 0, sizeof *out);
    out->charset = "utf-8";
    out->lang = "";
    sd_extract_options_init(&o);
    if (opt && (rc = sd__options_take(&o, sizeof o, sizeof o, opt, NULL, "sd_extract_options")))
        return rc;
    if (o.max_html == 0)
        o.max_html = DEFAULT_MAX_HTML;
    if (html == NULL && len > 0)
        return SD_EINVAL;
    if (len > o.max_html || len > INT_MAX)
        return SD_ETOOBIG;
    sd__buf_init(&dec, 0);
    sd__buf_init(&raw, 0);
    ex_init(&x, &o);
    declared = declared_charset(&html, &len, hint, meta, sizeof meta);
    if ((rc = to_utf8(&html, &len, declared, &dec, out)) != 0 ||
        (rc = drop_nuls(&html, &len, &dec)) != 0)
        goto fail;
    if ((rc = strip_raw_text(html ? html : "", len, &raw)) != 0)
        goto fail;
    if (raw.len > 0) {
        html = raw.p;
        len = raw.len;
    }
    if ((rc = sd__ex_parse(&x, html ? html : "", len)) != 0)
        goto fail;
    if ((rc = sd__ex_select(&x, &o, whole_page, out)) != 0 ||
        (rc = sd__ex_meta_out(&x, o.url, out)) != 0)
        goto fail;
    sd__buf_release(&dec);
    sd__buf_release(&raw);
    ex_release(&x);
    return 0;
fail:
    sd__buf_release(&dec);
    sd__buf_release(&raw);
    ex_release(&x);
    {
        const char *cs = out->charset;
        sd_article_release(out);
        out->charset = cs;
        out->lang = "";
    }
    return rc;
}

int sd_extract(const char *html, size_t len, const char *charset_hint, const sd_extract_options *o,
               sd_article *out)
{
    return run(html, len, charset_hint, o, 0, out);
}

int sd_extract_whole_page(const char *html, size_t len, const char *charset_hint,
                          const sd_extract_options *o, sd_article *out)
{
    return run(html, len, charset_hint, o, 1, out);
}
