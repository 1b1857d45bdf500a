/*
 * extract_select.c: the article extractor's back half: which blocks are the
 * article.
 *
 * 1. Each block is rated on its own: prose (enough words, few of them in
 *    links, the page language's function words at a prose-like rate) or
 *    not, and whether an element around it is named like boilerplate
 *    (nav, footer, comments, related, share, promo, ...). A name on a
 *    wrapper that holds most of the page's prose is ignored: such names are
 *    page-wide ("content-with-sidebar"), not a widget's.
 * 2. Each element gets the sum of its blocks' values (prose counts for its
 *    words, boilerplate and link lists against), and the element with the
 *    largest sum is the article's container: the smallest subtree that
 *    holds the article's prose and little else. An element named as the
 *    article body (itemprop=articleBody) gets a bonus.
 * 3. Inside the container, blocks named like boilerplate, the headline and
 *    link lists go; prose stays; short blocks stay only in the context of
 *    prose (between paragraphs, a heading before a paragraph), which drops
 *    bylines, datelines, captions and share prompts at the edges.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "syndic.h"
#include "text/extract_int.h"

/*
 * The thresholds, each with why it has its value. They were set on pages
 * written for the tests and checked on the two labelled sets (see
 * docs/extract.md); they describe text, not any site.
 */
/* Fewest function words on the page to name its language: below it, a
 * page of a few menu words would get a language by chance. */
#define LANG_MIN_STOPS 5
/* A block more than half links is a list of links, not prose. */
#define LINKS_MAX 0.5
/* From this share of links on, a block reads as a linked headline with a
 * summary: only its unlinked words are judged as prose. */
#define LINKS_TEASER 0.3
/* Function words among the unlinked words of such a summary: a fifth,
 * well inside prose (English prose runs 0.35 to 0.5), out of reach of a
 * list of names or product words. */
#define TEASER_MIN_STOPS 0.2
/* Function words among a block's words for prose: an eighth. Headlines,
 * menus and captions in telegraphic style run below it. */
#define PROSE_MIN_STOPS 0.12
/* A block three times min_words long is prose at half that rate: long
 * technical or listing-like paragraphs carry fewer function words. */
#define LONG_PROSE_FACTOR 3
#define LONG_PROSE_MIN_STOPS 0.06
/* A block whose words are three quarters links counts wholly against the
 * run; between LINKS_MAX and this, against it in proportion. */
#define LINKS_ALL 0.75
/* A misnamed element: two prose blocks of 40 words in all, prose being
 * two fifths of its words, is a paragraph run, not a menu or a byline. */
#define MISNAMED_MIN_BLOCKS 2
#define MISNAMED_MIN_WORDS 40
#define MISNAMED_PROSE_SHARE 0.4
/* A wrapper with two fifths of the page's words is page-wide: its name
 * ("content-with-sidebar") says nothing of a widget. */
#define PAGE_WIDE_SHARE 0.4
/* A comment-named wrapper loses its name only with nine tenths of the
 * page's prose: a comment thread longer than its article keeps it. */
#define COMMENT_PAGE_PROSE 0.9
/* Teasers: units of 2 to 12 blocks and at most 150 words, three or more
 * of one kind side by side (fewer is a pair of paragraphs, not a list). */
#define TEASER_MIN_BLOCKS 2
#define TEASER_MAX_BLOCKS 12
#define TEASER_MAX_WORDS 150
#define TEASER_MIN_RUN 3
/* An element named as the article's body wins over an equal run by a
 * quarter: the name is strong evidence, not a veto on the others. */
#define BODY_BONUS 1.25
/* Lists after prose: nine or more table cells (three rows of three) or
 * three or more lines broken by <br>. */
#define LIST_MIN_CELLS 9
#define LIST_MIN_LINES 3
/* A paragraph with more than nine tenths of its words in links is a list
 * of links even inside the article. */
#define LINKED_PARA_MAX 0.9

/* The best run of prose wins clearly with 25 words kept (a short news
 * brief); under that, a candidate by looser rules with three times the
 * words is the article instead (the run was a stray line). */
#define FALLBACK_BELOW 25
/* A section's heading has at most eight words ("Comments are now closed
 * for this story" has seven). */
#define HEADING_MAX_WORDS 8
#define FALLBACK_RATIO 3

/* What a block is, on its own and then in context. */
enum { B_DROP = 0, B_SHORT, B_GOOD, B_LINES, B_CAPTION };

typedef struct sel {
    ex *x;
    const sd_extract_options *o;
    uint16_t *inh;              /* inherited F_* per node */
    double *pre;                /* prefix sums of block values */
    uint32_t *goodw;            /* prefix sums of prose words */
    uint32_t *allw;             /* prefix sums of all words */
    uint32_t *goodb;            /* prefix counts of prose blocks */
    uint32_t *linkb;            /* prefix counts of link blocks (links are most words) */
    uint8_t *cls;               /* B_* per block in the container */
    uint32_t *kid_start, *kids; /* children of each node (build_kids) */
    uint16_t *rel;              /* hints below the container (local_hints) */
    uint16_t *bflag;            /* hints per block from a section's heading */
} sel;

/* A block's hints: its elements' names, and its section's heading. */
static unsigned hints_of(const sel *s, const ex_block *b)
{
    return s->inh[b->node] | s->bflag[b - s->x->blocks];
}

/* The page's language: the one whose function words occur most. */
static void pick_language(ex *x)
{
    uint32_t sum[SD_STOP_MAX_LANGS] = {0};
    size_t i;
    unsigned k, best = 0;
    for (i = 0; i < x->n_blocks; i++)
        for (k = 0; k < sd__stop_nlangs && k < SD_STOP_MAX_LANGS; k++)
            sum[k] += x->blocks[i].stop[k];
    for (k = 1; k < sd__stop_nlangs && k < SD_STOP_MAX_LANGS; k++)
        if (sum[k] > sum[best])
            best = k;
    x->lang = sum[best] >= LANG_MIN_STOPS ? (int)best : -1;
    for (i = 0; i < x->n_blocks; i++)
        x->blocks[i].stops = x->lang >= 0 ? x->blocks[i].stop[x->lang] : 0;
}

static double link_density(const ex_block *b)
{
    return b->words ? (double)b->link_words / b->words : 0;
}

/* A page with under 60 words of prose by function words (scores,
 * results, timetables) is judged again without them: a short article
 * has three paragraphs of twenty words. */
#define RELAX_BELOW 60

/* True when a block reads as prose on its own. */
static int is_prose(const ex *x, const ex_block *b, unsigned min_words)
{
    double sd;
    if (b->words < min_words || link_density(b) > LINKS_MAX)
        return 0;
    if (link_density(b) > LINKS_TEASER) {
        /* a linked headline and its summary: the summary must read as
         * prose on its own */
        uint32_t plain = b->words - b->link_words;
        if (plain < min_words || x->lang < 0 || 2 * b->cjk > b->words)
            return 0;
        return (double)b->stops / plain >= TEASER_MIN_STOPS;
    }
    if (x->lang < 0 || x->relaxed || 2 * b->cjk > b->words)
        return 1; /* no function words to go by */
    sd = (double)b->stops / b->words;
    return sd >= PROSE_MIN_STOPS ||
           (b->words >= LONG_PROSE_FACTOR * min_words && sd >= LONG_PROSE_MIN_STOPS);
}

/* Inherited hints, top-down (a parent always precedes its children). */
static void inherit(sel *s, const uint16_t *own)
{
    size_t i;
    s->inh[0] = own[0];
    for (i = 1; i < s->x->n_nodes; i++)
        s->inh[i] = (uint16_t)(own[i] | s->inh[s->x->nodes[i].parent]);
}

/* Names of things that never hold the article's paragraphs. */
#define F_NOPROSE (F_NAV | F_SHARE | F_META | F_HEADER | F_HIDDEN | F_CAPTION | F_SIDEBAR)

/*
 * Drops boilerplate names that do not fit what an element holds. A menu,
 * share bar, byline, header or caption does not hold paragraphs of prose:
 * an element so named that holds two or more prose blocks of 40 words in
 * all, prose being two fifths of its words, is misnamed ("article-header"
 * around a whole article). Comments, related stories, promotions, sidebars
 * and footers may hold prose; for them only a page-wide wrapper, two fifths
 * of all the words on the page, loses its name, and comments need nine
 * tenths of the page's prose as well (a comment thread longer than its
 * article keeps its name). An article-body name was settled in extract.c.
 */
static void clear_misnamed(sel *s, uint16_t *own)
{
    const ex *x = s->x;
    uint32_t good = s->goodw[x->n_blocks], all = s->allw[x->n_blocks];
    size_t i;
    if (all == 0)
        return;
    for (i = 1; i < x->n_nodes; i++) {
        const ex_node *nd = &x->nodes[i];
        uint32_t g, w, nb;
        if (!(own[i] & F_BAD))
            continue;
        g = s->goodw[nd->end_block] - s->goodw[nd->first_block];
        w = s->allw[nd->end_block] - s->allw[nd->first_block];
        nb = s->goodb[nd->end_block] - s->goodb[nd->first_block];
        if ((own[i] & F_NOPROSE) && nb >= MISNAMED_MIN_BLOCKS && g >= MISNAMED_MIN_WORDS &&
            g >= MISNAMED_PROSE_SHARE * w)
            own[i] &= (uint16_t)~F_NOPROSE;
        if (!(own[i] & F_BAD) || w < PAGE_WIDE_SHARE * all)
            continue;
        if ((own[i] & F_BAD) == F_COMMENT && g < COMMENT_PAGE_PROSE * good)
            continue;
        own[i] &= (uint16_t)~F_BAD;
    }
}

/*
 * Sections named by their heading rather than by a class: "Comments",
 * "12 responses", "Related articles", "You may also like". Not the names
 * news sites give their own sections ("Top stories", "Latest news"):
 * those head the article as often as a list. The phrase is
 * the whole heading (numbers and punctuation aside), so a subheading that
 * merely starts with such a word inside an article names nothing. A few
 * languages' usual wordings; lowercase ASCII or UTF-8.
 */
static const char *const comment_heads[] = {
    "comments",
    "comment",
    "reader comments",
    "readers comments",
    "user comments",
    "your comments",
    "leave a comment",
    "leave a reply",
    "post a comment",
    "add a comment",
    "add your comment",
    "have your say",
    "your views",
    "responses",
    "replies",
    "comments are closed",
    "comments are now closed for this story",
    "kommentare",
    "commentaires",
    "comentarios",
    "comentários",
    "commenti",
    "reacties",
    "komentarze",
};
static const char *const related_heads[] = {
    "related",
    "related articles",
    "related stories",
    "related posts",
    "related content",
    "related news",
    "related links",
    "more stories",
    "you may also like",
    "you might also like",
    "recommended",
    "recommended for you",
    "recommended stories",
    "most popular",
    "most read",
    "trending",
    "trending now",
    "read next",
    "see also",
    "more on this story",
    "popular posts",
    "você pode gostar",
    "veja também",
    "leia também",
    "lesen sie auch",
    "mehr zum thema",
    "à lire aussi",
    "lire aussi",
    "sur le même sujet",
    "te puede interesar",
    "noticias relacionadas",
    "articoli correlati",
    "potrebbe interessarti",
    "zie ook",
};

/* The F_* a heading's text gives its section (F_COMMENT, F_RELATED), or 0. */
static unsigned heading_names(const char *p, size_t n)
{
    char low[64];
    size_t k = 0, i, j;
    for (i = 0; i < n && k + 1 < sizeof low; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        if ((c >= 'a' && c <= 'z') || c >= 0x80)
            low[k++] = (char)c;
        else if (c == '\'' || c == 0x27)
            continue;
        else if (k > 0 && low[k - 1] != ' ')
            low[k++] = ' '; /* digits, spaces and punctuation separate words */
    }
    if (i < n)
        return 0; /* too long to be such a heading */
    while (k > 0 && low[k - 1] == ' ')
        k--;
    low[k] = '\0';
    for (j = 0; j < sizeof comment_heads / sizeof comment_heads[0]; j++)
        if (strcmp(low, comment_heads[j]) == 0)
            return F_COMMENT;
    for (j = 0; j < sizeof related_heads / sizeof related_heads[0]; j++)
        if (strcmp(low, related_heads[j]) == 0)
            return F_RELATED;
    return 0;
}

/* Marks the blocks of sections that a heading names: from the heading to
 * the end of the element around it. A heading is a heading element, or a
 * short unlinked block that does not end a sentence. */
static void mark_headed_sections(sel *s)
{
    const ex *x = s->x;
    uint32_t i, end = 0;
    unsigned cur = 0;
    memset(s->bflag, 0, x->n_blocks * sizeof *s->bflag);
    for (i = 0; i < x->n_blocks; i++) {
        const ex_block *b = &x->blocks[i];
        unsigned f;
        if (i < end)
            s->bflag[i] = (uint16_t)cur;
        if (b->words > HEADING_MAX_WORDS || b->link_words > 0 ||
            (b->final_punct && b->tag != T_H1 && b->tag != T_H2))
            continue;
        if ((f = heading_names(x->text.p + b->start, b->end - b->start)) == 0)
            continue;
        {
            uint32_t par = x->nodes[b->node].parent;
            uint32_t e = par == EX_NONE ? (uint32_t)x->n_blocks : x->nodes[par].end_block;
            if (e > end) {
                end = e;
                cur = f;
            }
            /* the heading itself goes with its section, never into text */
            s->bflag[i] = (uint16_t)(f | F_HEADER);
        }
    }
}

/* A candidate teaser: its parent and name signature, for grouping. */
typedef struct teaser {
    uint32_t parent, sig, node;
} teaser;

static int teaser_cmp(const void *a, const void *b)
{
    const teaser *x = a, *y = b;
    if (x->parent != y->parent)
        return x->parent < y->parent ? -1 : 1;
    if (x->sig != y->sig)
        return x->sig < y->sig ? -1 : 1;
    return x->node < y->node ? -1 : x->node > y->node;
}

/*
 * Marks lists of teasers as related content: three or more sibling
 * elements of the same tag and class, each a small unit of a few blocks
 * one of which is a link and at most one prose (a headline linking to
 * another story, then its summary). Their summaries read as prose, so without this a "more
 * stories" list longer than the article could win. Returns 0 or
 * SD_ENOMEM.
 */
static int mark_teasers(sel *s, uint16_t *own)
{
    const ex *x = s->x;
    teaser *t = NULL;
    size_t n = 0, cap = 0, i, j;
    for (i = 1; i < x->n_nodes; i++) {
        const ex_node *nd = &x->nodes[i];
        uint32_t nb = nd->end_block - nd->first_block, w, links;
        if (nb < TEASER_MIN_BLOCKS || nb > TEASER_MAX_BLOCKS || nd->tag == T_P)
            continue;
        w = s->allw[nd->end_block] - s->allw[nd->first_block];
        links = s->linkb[nd->end_block] - s->linkb[nd->first_block];
        if (w > TEASER_MAX_WORDS || links == 0 ||
            s->goodb[nd->end_block] - s->goodb[nd->first_block] > 1)
            continue;
        if (sd__grow((void **)&t, &cap, n + 1, sizeof *t)) {
            sd__free(t);
            return SD_ENOMEM;
        }
        t[n].parent = nd->parent;
        t[n].sig = nd->sig;
        t[n].node = (uint32_t)i;
        n++;
    }
    if (n > 1)
        qsort(t, n, sizeof *t, teaser_cmp);
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && t[j].parent == t[i].parent && t[j].sig == t[i].sig; j++)
            ;
        if (j - i >= TEASER_MIN_RUN) {
            size_t k;
            for (k = i; k < j; k++)
                own[t[k].node] |= F_RELATED;
        }
    }
    sd__free(t);
    return 0;
}

/* A list item led by a long linked headline and followed by a summary of
 * its own (half of min_words or more unlinked words): a digest's item.
 * Alone it looks like a link; beside items that read as prose it is one
 * of them. */
static int linked_item(const sel *s, const ex_block *b)
{
    double ld = link_density(b);
    return b->tag == T_LI && ld > LINKS_MAX && ld < LINKED_PARA_MAX &&
           2 * (b->words - b->link_words) >= s->o->min_words;
}

/* The value of a block for choosing the container. */
static double block_value(const sel *s, const ex_block *b)
{
    const ex *x = s->x;
    double ld = link_density(b);
    if (hints_of(s, b) & F_BAD)
        return -(double)b->words;
    if (linked_item(s, b))
        return 0;       /* a digest's item: judged with its list (classify) */
    if (ld > LINKS_MAX) /* a link list, or a paragraph rich in links: less so */
        return -(double)b->words *
               (ld >= LINKS_ALL ? 1.0 : (ld - LINKS_MAX) / (LINKS_ALL - LINKS_MAX));
    if (b->tag == T_H1 || b->tag == T_H2)
        return 0;
    if (is_prose(x, b, s->o->min_words))
        return (double)b->words * (1.0 - ld);
    return -1.0;
}

/*
 * Where the child of element `top` holding block i ends (its subtree's
 * blocks end there); i + 1 for a loose block, one inside top's range but
 * inside none of its children's. Children are in document order with
 * disjoint ranges, so a binary search finds the one that holds i, at a
 * cost that does not grow with the page's depth.
 */
static uint32_t child_end(const sel *s, uint32_t top, uint32_t i)
{
    const ex *x = s->x;
    uint32_t lo = s->kid_start[top], hi = s->kid_start[top + 1];
    while (lo < hi) { /* the first child starting after block i */
        uint32_t mid = lo + (hi - lo) / 2;
        if (x->nodes[s->kids[mid]].first_block <= i)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > s->kid_start[top]) {
        const ex_node *c = &x->nodes[s->kids[lo - 1]];
        if (c->first_block <= i && i < c->end_block)
            return c->end_block;
    }
    return i + 1;
}

/* Each element's children, in document order: kids[kid_start[p] ..
 * kid_start[p + 1]). Nodes are numbered in document order, parents first,
 * so one counting pass and one filling pass build it. Returns 0 or
 * SD_ENOMEM. */
static int build_kids(sel *s)
{
    const ex *x = s->x;
    size_t n = x->n_nodes, i;
    s->kid_start = sd__calloc(n + 2, sizeof *s->kid_start);
    s->kids = sd__malloc((n ? n : 1) * sizeof *s->kids);
    if (s->kid_start == NULL || s->kids == NULL)
        return SD_ENOMEM;
    for (i = 1; i < n; i++)
        s->kid_start[x->nodes[i].parent + 2]++;
    for (i = 2; i < n + 2; i++)
        s->kid_start[i] += s->kid_start[i - 1];
    for (i = 1; i < n; i++)
        s->kids[s->kid_start[x->nodes[i].parent + 1]++] = (uint32_t)i;
    return 0;
}

/* The article's place: a run of sibling subtrees [first, end) of blocks
 * inside element `node`. */
typedef struct region {
    uint32_t node, first, end;
} region;

/*
 * The run of sibling subtrees (and loose blocks) with the largest sum of
 * block values, over every element: Kadane's maximum subarray on each
 * element's children. A whole element is one such run; a run of some of
 * its children is the common case of an article whose paragraphs share a
 * parent with a share bar, a tag list and a comment form.
 */
static region pick_region(const sel *s)
{
    const ex *x = s->x;
    region best = {0, 0, 0};
    double best_score = -1e300;
    size_t p;
    for (p = 0; p < x->n_nodes; p++) {
        const ex_node *nd = &x->nodes[p];
        uint32_t i = nd->first_block, run = i, k = s->kid_start[p];
        double cur = 0, bonus = (nd->own & F_BODY) ? BODY_BONUS : 1.0;
        if (nd->end_block == nd->first_block)
            continue;
        /* each child once, each loose block once: every block is loose in
         * one element only, so the whole loop is linear in the page */
        while (i < nd->end_block) {
            uint32_t seg_end = i + 1;
            double v;
            while (k < s->kid_start[p + 1] && x->nodes[s->kids[k]].end_block <= i)
                k++;
            if (k < s->kid_start[p + 1] && x->nodes[s->kids[k]].first_block <= i)
                seg_end = x->nodes[s->kids[k]].end_block;
            v = s->pre[seg_end] - s->pre[i];
            if (cur <= 0) {
                cur = v;
                run = i;
            } else {
                cur += v;
            }
            if (cur * (cur > 0 ? bonus : 1.0) >= best_score) {
                best_score = cur * (cur > 0 ? bonus : 1.0);
                best.node = (uint32_t)p;
                best.first = run;
                best.end = seg_end;
            }
            i = seg_end;
        }
    }
    return best;
}

/*
 * The kind of list a run of blocks [first, end) is, when it is one: a
 * table of nine or more cells, or three or more lines broken by <br>;
 * every block plain text, none of it mostly links or under a boilerplate
 * name. 0 when it is not.
 */
static int list_kind(const sel *s, uint32_t first, uint32_t end)
{
    const ex *x = s->x;
    uint32_t k, cells = 0, lines = 0, items = 0;
    for (k = first; k < end; k++) {
        const ex_block *b = &x->blocks[k];
        if (link_density(b) > LINKS_MAX || (hints_of(s, b) & F_BAD))
            return 0;
        cells += b->tag == T_CELL;
        items += b->tag == T_LI;
        lines += k > first && b->cont;
    }
    if (cells == end - first && cells >= LIST_MIN_CELLS)
        return T_CELL;
    if (items == end - first && items >= LIST_MIN_LINES)
        return T_LI;
    if (lines + 1 == end - first && lines + 1 >= LIST_MIN_LINES)
        return T_BR;
    return 0;
}

/* The end of a list (perhaps under a subheading) starting at block i
 * among the children of `top`; 0 when none starts there. */
static uint32_t list_after(const sel *s, uint32_t top, uint32_t i)
{
    const ex *x = s->x;
    const ex_block *b = &x->blocks[i];
    uint32_t stop = x->nodes[top].end_block, end, end2;
    if (i >= stop)
        return 0;
    end = child_end(s, top, i);
    if (list_kind(s, i, end))
        return end;
    /* a subheading: one short block, then a list */
    if (end != i + 1 || b->words >= s->o->min_words || link_density(b) > LINKS_MAX ||
        (hints_of(s, b) & F_BAD) || end >= stop ||
        !list_kind(s, end, end2 = child_end(s, top, end)))
        return 0;
    return end2;
}

/*
 * A list right after the article's run (tour dates, standings, a
 * timetable), perhaps under a subheading, weighs against the run, each
 * line or cell a block of no prose; the run takes such lists in. Whether
 * their lines stay is judged in classify(), by the prose before them.
 */
static void take_lists(const sel *s, region *r)
{
    const ex *x = s->x;
    for (;;) {
        const ex_node *top = &x->nodes[r->node];
        uint32_t end;
        if (r->end < top->end_block) {
            if ((end = list_after(s, r->node, r->end)) == 0)
                return;
            r->end = end;
            continue;
        }
        /* the run is its whole element: look after it, in the parent */
        if (r->first != top->first_block || top->parent == EX_NONE ||
            (end = list_after(s, top->parent, r->end)) == 0)
            return;
        r->node = top->parent;
        r->end = end;
    }
}

/* Hints between each node and the container (both excluded: names on the
 * container itself were judged with it) into rel[], for the container's
 * subtree: its nodes follow it in document order, deeper than it. A
 * node outside the subtree (a loose block's element above it) gets none.
 * One pass: a walk up from every block was quadratic on deep pages. */
static void local_hints(sel *s, const uint16_t *own, uint32_t top)
{
    const ex *x = s->x;
    size_t i;
    memset(s->rel, 0, x->n_nodes * sizeof *s->rel);
    for (i = (size_t)top + 1; i < x->n_nodes && x->nodes[i].depth > x->nodes[top].depth; i++) {
        uint32_t par = x->nodes[i].parent;
        s->rel[i] = (uint16_t)(own[i] | (par == top ? 0 : s->rel[par]));
    }
}

/* Keeps the short blocks [i, j) of a list (classify's cls, from `first`)
 * when prose comes right before it, or a short block right after prose. */
static void keep_after_prose(sel *s, uint32_t first, uint32_t i, uint32_t j)
{
    uint32_t p, k;
    if (i <= first)
        return;
    p = i - 1;
    if (s->cls[p - first] == B_SHORT && p > first)
        p--;
    if (s->cls[p - first] != B_GOOD)
        return;
    for (k = i; k < j; k++)
        if (s->cls[k - first] == B_SHORT)
            s->cls[k - first] = B_LINES;
}

/* A block's class on its own (B_*), from its hints f (its element's and
 * its own): a caption kept, furniture and tables dropped as asked, a
 * block mostly of links dropped (a paragraph rich in links kept in
 * context), prose good, the rest short. */
static uint8_t block_class(const sel *s, const ex_block *b, unsigned f)
{
    if ((s->o->flags & SD_EXTRACT_CAPTIONS) && (f & F_BAD) == F_CAPTION && b->tag != T_H1)
        return B_CAPTION;
    if ((f & F_BAD) || b->tag == T_H1 || ((s->o->flags & SD_EXTRACT_NO_TABLES) && b->tag == T_CELL))
        return B_DROP;
    if (link_density(b) > LINKS_MAX)
        return (b->tag == T_P && b->words >= s->o->min_words && link_density(b) < LINKED_PARA_MAX)
                   ? B_SHORT /* a paragraph rich in links: kept in context */
                   : B_DROP;
    return is_prose(s->x, b, s->o->min_words) ? B_GOOD : B_SHORT;
}

/* Lines after prose: three or more lines broken by <br>, none of them
 * mostly links, right after a prose paragraph (or after a subheading that
 * follows one) are a list the article gives (tour dates, a timetable,
 * results) and stay, even at the article's end. */
static void keep_lines(sel *s, uint32_t first, uint32_t end)
{
    const ex *x = s->x;
    uint32_t i, j, k;
    for (i = first; i < end; i = j) {
        int ok = 1;
        for (j = i + 1; j < end && x->blocks[j].cont; j++)
            ;
        for (k = i; k < j; k++)
            ok &= s->cls[k - first] != B_DROP;
        if (ok && j - i >= LIST_MIN_LINES)
            keep_after_prose(s, first, i, j);
    }
}

/* A list whose items read as prose for the most part keeps its digest
 * items (a linked headline and its summary) too. */
static void keep_digests(sel *s, uint32_t first, uint32_t end)
{
    const ex *x = s->x;
    uint32_t i, j, k, good;
    for (i = first; i < end; i = j) {
        if (x->blocks[i].tag != T_LI) {
            j = i + 1;
            continue;
        }
        for (j = i, good = 0; j < end && x->blocks[j].tag == T_LI; j++)
            good += s->cls[j - first] == B_GOOD;
        if (2 * good >= j - i)
            for (k = i; k < j; k++)
                if (s->cls[k - first] == B_DROP && linked_item(s, &x->blocks[k]) &&
                    !((s->rel[x->blocks[k].node] | s->bflag[k]) & F_BAD))
                    s->cls[k - first] = B_LINES;
    }
}

/* A table after prose, likewise: a run of nine or more cells, none of
 * them mostly links (standings, results, a timetable); and a list of
 * three or more plain items (the teams that qualified, what a new version
 * brings). */
static void keep_tables(sel *s, uint32_t first, uint32_t end)
{
    const ex *x = s->x;
    uint32_t i, j;
    for (i = first; i < end; i = j) {
        uint16_t tag = x->blocks[i].tag;
        int ok = 1;
        if (tag != T_CELL && tag != T_LI) {
            j = i + 1;
            continue;
        }
        for (j = i; j < end && x->blocks[j].tag == tag; j++)
            ok &= s->cls[j - first] != B_DROP;
        if (ok && j - i >= (tag == T_CELL ? LIST_MIN_CELLS : LIST_MIN_LINES))
            keep_after_prose(s, first, i, j);
    }
}

/* A short block stays when prose comes before and after it (a short
 * paragraph, a subheading): a pass forward marks the blocks with prose
 * before them, a pass back drops the short ones with none after. */
static void drop_lone_short(sel *s, uint32_t first, uint32_t end)
{
    uint32_t i;
    int seen;
    for (i = first, seen = 0; i < end; i++) {
        uint8_t k = s->cls[i - first];
        if (k == B_SHORT && !seen)
            s->cls[i - first] = B_DROP;
        seen |= k == B_GOOD;
    }
    for (i = end, seen = 0; i > first; i--) {
        uint8_t k = s->cls[i - 1 - first];
        if (k == B_SHORT && !seen)
            s->cls[i - 1 - first] = B_DROP;
        seen |= k == B_GOOD;
    }
}

/* Classifies the region's blocks, then revises short ones by context. */
static void classify(sel *s, const uint16_t *own, region r)
{
    const ex *x = s->x;
    uint32_t i;
    local_hints(s, own, r.node);
    for (i = r.first; i < r.end; i++) {
        const ex_block *b = &x->blocks[i];
        s->cls[i - r.first] = block_class(s, b, s->rel[b->node] | s->bflag[i]);
    }
    keep_lines(s, r.first, r.end);
    keep_digests(s, r.first, r.end);
    keep_tables(s, r.first, r.end);
    drop_lone_short(s, r.first, r.end);
}

/* The text being written: paragraphs, and links with their targets'
 * offsets in x->hrefs until the end (the array of urls is made last). */
typedef struct outb {
    sd_buf text;
    sd_paragraph *paras;
    size_t np, cap;
    sd_link *links;
    size_t nl, capl;
    size_t link_cur; /* first of x->links that may still overlap a block */
} outb;

static int is_space_at(const ex *x, uint32_t i)
{
    return x->text.p[i] == ' ' || x->text.p[i] == '\n';
}

/* The links of block b, written at text offset `base`: each clipped to the
 * block and to its words. Returns 0 or SD_ENOMEM. */
static int emit_links(outb *ob, const ex *x, const ex_block *b, size_t base)
{
    size_t k;
    while (ob->link_cur < x->n_links && x->links[ob->link_cur].end <= b->start)
        ob->link_cur++;
    for (k = ob->link_cur; k < x->n_links && x->links[k].start < b->end; k++) {
        const ex_link *l = &x->links[k];
        uint32_t s0 = l->start > b->start ? l->start : b->start;
        uint32_t e0 = l->end < b->end ? l->end : b->end;
        while (s0 < e0 && is_space_at(x, s0))
            s0++;
        while (e0 > s0 && is_space_at(x, e0 - 1))
            e0--;
        if (s0 >= e0)
            continue;
        if (sd__grow((void **)&ob->links, &ob->capl, ob->nl + 1, sizeof *ob->links))
            return SD_ENOMEM;
        ob->links[ob->nl].start = base + (s0 - b->start);
        ob->links[ob->nl].end = base + (e0 - b->start);
        ob->links[ob->nl].url = (const char *)(uintptr_t)l->href; /* an offset until done */
        ob->nl++;
    }
    return 0;
}

/* Appends block b's text as a paragraph of kind `kind`, or with join 1 as
 * a line of the previous one (it continues it after a <br>), with join 2
 * as a paragraph of the previous one's entry (a comment's paragraphs). */
static int emit(outb *ob, const ex *x, const ex_block *b, int join, sd_para_kind kind)
{
    int rc;
    size_t base;
    if (join && ob->np > 0) {
        if ((rc = sd__buf_append(&ob->text, "\n\n", join == 2 ? 2 : 1)) != 0)
            return rc;
        base = ob->text.len;
        if ((rc = sd__buf_append(&ob->text, x->text.p + b->start, b->end - b->start)) != 0)
            return rc;
        ob->paras[ob->np - 1].end = ob->text.len;
        return x->n_links ? emit_links(ob, x, b, base) : 0;
    }
    if (ob->np > 0 && (rc = sd__buf_append(&ob->text, "\n\n", 2)) != 0)
        return rc;
    if (sd__grow((void **)&ob->paras, &ob->cap, ob->np + 1, sizeof *ob->paras))
        return SD_ENOMEM;
    base = ob->text.len;
    ob->paras[ob->np].start = base;
    if ((rc = sd__buf_append(&ob->text, x->text.p + b->start, b->end - b->start)) != 0)
        return rc;
    ob->paras[ob->np].end = ob->text.len;
    ob->paras[ob->np].kind = kind;
    ob->paras[ob->np].level = kind == SD_PARA_HEADING ? b->level
                              : kind == SD_PARA_CELL  ? b->row
                                                      : 0;
    ob->np++;
    return x->n_links ? emit_links(ob, x, b, base) : 0;
}

/* The paragraph kind a block's element gives. */
static sd_para_kind block_kind(const ex_block *b)
{
    switch (b->tag) {
    case T_H1:
    case T_H2: return SD_PARA_HEADING;
    case T_LI: return SD_PARA_ITEM;
    case T_QUOTE: return SD_PARA_QUOTE;
    case T_PRE: return SD_PARA_PRE;
    case T_CELL: return SD_PARA_CELL;
    case T_CAPTION: return SD_PARA_CAPTION;
    default: return SD_PARA_TEXT;
    }
}

/* Copies p[0..n) into a new NUL-terminated string (an empty one for n 0). */
static char *dup_text(const char *p, size_t n)
{
    return sd__strndup(n ? p : "", n);
}

/* The title: og:title, else <title>, else the first <h1>. */
static int set_title(const ex *x, sd_article *out)
{
    const char *p = "";
    size_t n = 0, i;
    if (x->ogtitle.len) {
        p = x->ogtitle.p;
        n = x->ogtitle.len;
    } else if (x->title.len) {
        p = x->title.p;
        n = x->title.len;
    } else {
        for (i = 0; i < x->n_blocks; i++)
            if (x->blocks[i].tag == T_H1) {
                p = x->text.p + x->blocks[i].start;
                n = x->blocks[i].end - x->blocks[i].start;
                break;
            }
    }
    while (n > 0 && p[n - 1] == ' ')
        n--;
    while (n > 0 && p[0] == ' ') {
        p++;
        n--;
    }
    out->title = dup_text(p, n);
    out->title_len = n;
    return out->title ? 0 : SD_ENOMEM;
}

/* Kept words of a classified region [first, end). */
static size_t kept_words(const sel *s, region r)
{
    size_t w = 0;
    uint32_t i;
    for (i = r.first; i < r.end; i++)
        if (s->cls[i - r.first] != B_DROP)
            w += s->x->blocks[i].words;
    return w;
}

/*
 * The value of a block under the looser rules of the fallback: every
 * unlinked word counts, however short the block and whatever its function
 * words (a listing, lines split by <br>, verse, a recipe, a table); names
 * and link lists still count against.
 */
static double loose_value(const sel *s, const ex_block *b)
{
    if ((hints_of(s, b) & (F_BAD | F_FORM)) || link_density(b) > LINKS_MAX)
        return -(double)b->words;
    if (b->tag == T_H1)
        return 0;
    return (double)(b->words - b->link_words);
}

/* Classifies a fallback region: every block not named like boilerplate
 * (the container's names and those above it count too: the looser rules
 * loosen what text is, not what names say), not mostly links and not the
 * headline stays. */
static void classify_loose(sel *s, region r)
{
    const ex *x = s->x;
    uint32_t i;
    for (i = r.first; i < r.end; i++) {
        const ex_block *b = &x->blocks[i];
        int drop = (hints_of(s, b) & (F_BAD | F_FORM)) || link_density(b) > LINKS_MAX ||
                   b->tag == T_H1 || ((s->o->flags & SD_EXTRACT_NO_TABLES) && b->tag == T_CELL);
        s->cls[i - r.first] = drop ? B_DROP : B_GOOD;
    }
}

/* Writes the blocks of a classified region. */
static int emit_region(sel *s, outb *ob, region r)
{
    const ex *x = s->x;
    uint32_t i;
    int rc;
    for (i = r.first; i < r.end; i++) {
        const ex_block *b = &x->blocks[i];
        uint8_t k = s->cls[i - r.first];
        int join = b->cont && i > r.first && s->cls[i - 1 - r.first] != B_DROP;
        if (k == B_DROP)
            continue;
        if ((rc = emit(ob, x, b, join, k == B_CAPTION ? SD_PARA_CAPTION : block_kind(b))) != 0)
            return rc;
    }
    return 0;
}

/* Per node, top-down: the comment section it is in (sec[], EX_NONE for
 * none: the outermost element named as comments) and its comment unit
 * (unit[]: the innermost element below the section named as a comment, a
 * list item or an <article>). */
static void comment_units(const ex *x, const uint16_t *own, uint32_t *unit, uint32_t *sec)
{
    uint32_t i;
    for (i = 0; i < x->n_nodes; i++) {
        uint32_t par = x->nodes[i].parent;
        int in_sec = par != EX_NONE && sec[par] != EX_NONE;
        if (!in_sec && !(own[i] & F_COMMENT)) {
            unit[i] = sec[i] = EX_NONE;
            continue;
        }
        sec[i] = in_sec ? sec[par] : i;
        unit[i] = (own[i] & F_COMMENT) || x->nodes[i].tag == T_LI || x->nodes[i].tag == T_ARTICLE
                      ? i
                      : unit[par];
    }
}

/*
 * Readers' comments (SD_EXTRACT_COMMENTS): the blocks under a comment
 * name outside the article, less headings, forms, link lists, bylines,
 * dates and share bars. A comment is the run of blocks of one unit: the
 * innermost element below the comment section that is named as a comment
 * or is a list item or an <article>; blocks straight in the section are a
 * comment each. Units are found top-down in one pass over the nodes.
 * Returns 0 or SD_ENOMEM.
 */
static int collect_comments(sel *s, const uint16_t *own, region r, outb *cb)
{
    const ex *x = s->x;
    uint32_t *unit = s->kid_start; /* reused: the children are no longer needed */
    uint32_t *sec = s->kids;
    uint32_t i, prev_unit = EX_NONE;
    int rc;
    comment_units(x, own, unit, sec);
    for (i = 0; i < x->n_blocks; i++) {
        const ex_block *b = &x->blocks[i];
        uint32_t u = unit[b->node];
        if (u == EX_NONE && (s->bflag[i] & F_COMMENT))
            u = b->node; /* under a "Comments" heading: a comment per element */
        if (u == EX_NONE || (i >= r.first && i < r.end && s->cls[i - r.first] != B_DROP))
            continue;
        if ((s->inh[b->node] & (F_NAV | F_SHARE | F_META | F_HIDDEN | F_FORM | F_HEADER)) ||
            link_density(b) > LINKS_MAX || b->tag == T_H1 || b->tag == T_H2 ||
            (s->bflag[i] & F_HEADER))
            continue;
        if (unit[b->node] != EX_NONE && u == sec[b->node])
            u = EX_NONE - 1 - i; /* straight in the section: a comment of its own */
        if ((rc = emit(cb, x, b, u != prev_unit ? 0 : b->cont ? 1 : 2, SD_PARA_TEXT)) != 0)
            return rc;
        prev_unit = u;
    }
    return 0;
}

/* Turns the links' href offsets into urls in one owned block. Returns 0
 * or SD_ENOMEM. */
static int finish_links(const ex *x, outb *ob, sd_article *out)
{
    size_t k, total = 0;
    char *urls;
    if (ob->nl == 0)
        return 0;
    for (k = 0; k < ob->nl; k++)
        total += strlen(x->hrefs.p + (uintptr_t)ob->links[k].url) + 1;
    urls = sd__malloc(total);
    if (urls == NULL)
        return SD_ENOMEM;
    total = 0;
    for (k = 0; k < ob->nl; k++) {
        const char *h = x->hrefs.p + (uintptr_t)ob->links[k].url;
        size_t n = strlen(h) + 1;
        memcpy(urls + total, h, n);
        ob->links[k].url = urls + total;
        total += n;
    }
    out->links = ob->links;
    out->n_links = ob->nl;
    out->link_urls = urls;
    ob->links = NULL;
    return 0;
}

/* Hands a finished text over to the article (an empty string for none). */
static int take_text(outb *ob, char **text, size_t *len)
{
    int rc;
    if ((rc = sd__buf_reserve(&ob->text, 0)) != 0)
        return rc;
    ob->text.p[ob->text.len] = '\0';
    *text = ob->text.p;
    *len = ob->text.len;
    sd__buf_init(&ob->text, 0);
    return 0;
}

static void sel_release(sel *s)
{
    sd__free(s->inh);
    sd__free(s->pre);
    sd__free(s->goodw);
    sd__free(s->allw);
    sd__free(s->goodb);
    sd__free(s->linkb);
    sd__free(s->cls);
    sd__free(s->rel);
    sd__free(s->kid_start);
    sd__free(s->kids);
    sd__free(s->bflag);
}

/*
 * Chooses the article's blocks into ob: the best run of prose (method
 * "article"), or when none wins clearly (no prose at all, nothing kept,
 * or a few words where a candidate by looser rules holds several times
 * more) that candidate ("fallback"). Sets out->method and *rr to the
 * region written. Returns 0 or SD_ENOMEM.
 */
static int choose(sel *s, uint16_t *own, outb *ob, sd_article *out, region *rr)
{
    ex *x = s->x;
    region r = {0, 0, 0}, r2;
    size_t i, w1 = 0, w2 = 0;
    int any_good = s->goodw[x->n_blocks] > 0, rc;
    uint8_t *cls1 = NULL;
    clear_misnamed(s, own);
    if ((rc = mark_teasers(s, own)) != 0)
        return rc;
    inherit(s, own);
    mark_headed_sections(s);
    if (any_good) {
        s->pre[0] = 0;
        for (i = 0; i < x->n_blocks; i++)
            s->pre[i + 1] = s->pre[i] + block_value(s, &x->blocks[i]);
        r = pick_region(s);
        take_lists(s, &r);
        s->cls = sd__malloc(r.end > r.first ? r.end - r.first : 1);
        if (s->cls == NULL)
            return SD_ENOMEM;
        classify(s, own, r);
        w1 = kept_words(s, r);
    }
    if (w1 < FALLBACK_BELOW) {
        s->pre[0] = 0;
        for (i = 0; i < x->n_blocks; i++)
            s->pre[i + 1] = s->pre[i] + loose_value(s, &x->blocks[i]);
        r2 = pick_region(s);
        cls1 = s->cls;
        s->cls = sd__malloc(r2.end > r2.first ? r2.end - r2.first : 1);
        if (s->cls == NULL) {
            s->cls = cls1;
            return SD_ENOMEM;
        }
        classify_loose(s, r2);
        w2 = kept_words(s, r2);
        if (w2 > 0 && w2 >= FALLBACK_RATIO * w1) {
            sd__free(cls1);
            out->method = "fallback";
            *rr = r2;
            x->chosen = r2.node;
            x->chosen_first = r2.first;
            x->chosen_end = r2.end;
            return emit_region(s, ob, r2);
        }
        sd__free(s->cls);
        s->cls = cls1;
    }
    out->method = "article";
    *rr = r;
    x->chosen = r.node;
    x->chosen_first = r.first;
    x->chosen_end = r.end;
    return w1 > 0 ? emit_region(s, ob, r) : 0;
}

/* Every block of the page, as a paragraph (the whole page). Returns 0
 * or SD_ENOMEM. */
static int emit_all(const ex *x, outb *ob)
{
    size_t i;
    int rc;
    for (i = 0; i < x->n_blocks; i++) {
        const ex_block *b = &x->blocks[i];
        if ((rc = emit(ob, x, b, b->cont, block_kind(b))) != 0)
            return rc;
    }
    return 0;
}

/* The selection's arrays per node and per block (and one). Returns 0 or
 * SD_ENOMEM (sel_release() frees what was made). */
static int sel_alloc(sel *s)
{
    const ex *x = s->x;
    s->inh = sd__malloc(x->n_nodes * sizeof *s->inh);
    s->rel = sd__malloc(x->n_nodes * sizeof *s->rel);
    s->pre = sd__malloc((x->n_blocks + 1) * sizeof *s->pre);
    s->goodw = sd__malloc((x->n_blocks + 1) * sizeof *s->goodw);
    s->allw = sd__malloc((x->n_blocks + 1) * sizeof *s->allw);
    s->goodb = sd__malloc((x->n_blocks + 1) * sizeof *s->goodb);
    s->linkb = sd__malloc((x->n_blocks + 1) * sizeof *s->linkb);
    s->bflag = sd__malloc((x->n_blocks + 1) * sizeof *s->bflag);
    return s->bflag == NULL || s->inh == NULL || s->rel == NULL || s->pre == NULL ||
                   s->goodw == NULL || s->allw == NULL || s->goodb == NULL || s->linkb == NULL
               ? SD_ENOMEM
               : 0;
}

/* The prefix sums over the blocks: words, words of prose, blocks of prose,
 * blocks mostly of links. A page whose text has almost no prose by
 * function words (scores, results, timetables, listings) is judged again
 * without them (x->relaxed): its article is then the run of plain,
 * unlinked paragraphs. */
static void prose_sums(sel *s)
{
    ex *x = s->x;
    size_t i;
    x->relaxed = 0;
    for (;;) {
        s->goodw[0] = 0;
        s->allw[0] = 0;
        s->goodb[0] = 0;
        s->linkb[0] = 0;
        for (i = 0; i < x->n_blocks; i++) {
            int g = is_prose(x, &x->blocks[i], s->o->min_words);
            s->allw[i + 1] = s->allw[i] + x->blocks[i].words;
            s->goodw[i + 1] = s->goodw[i] + (g ? x->blocks[i].words : 0);
            s->goodb[i + 1] = s->goodb[i] + (uint32_t)g;
            s->linkb[i + 1] = s->linkb[i] + (link_density(&x->blocks[i]) > LINKS_MAX);
        }
        if (x->relaxed || x->lang < 0 || s->goodw[x->n_blocks] >= RELAX_BELOW)
            break;
        x->relaxed = 1;
    }
}

int sd__ex_select(ex *x, const sd_extract_options *o, int whole_page, sd_article *out)
{
    sel s;
    uint16_t *own = NULL;
    outb ob, cb;
    size_t i;
    region r = {0, 0, 0};
    int rc = SD_ENOMEM;
    memset(&s, 0, sizeof s);
    memset(&ob, 0, sizeof ob);
    memset(&cb, 0, sizeof cb);
    s.x = x;
    s.o = o;
    sd__buf_init(&ob.text, 0);
    sd__buf_init(&cb.text, 0);
    out->method = "";
    pick_language(x);
    out->lang = x->lang >= 0 ? sd__stop_lang_names[x->lang] : "";
    if ((rc = set_title(x, out)) != 0)
        goto fail;
    rc = SD_ENOMEM;
    if (whole_page) {
        if ((rc = emit_all(x, &ob)) != 0)
            goto fail;
        out->method = ob.np > 0 ? "whole-page" : "";
        out->reason = ob.np > 0 ? NULL : "no text";
        goto done;
    }
    if (x->n_blocks == 0) {
        out->reason = "no text";
        goto done;
    }
    own = sd__malloc(x->n_nodes * sizeof *own);
    if (own == NULL || sel_alloc(&s) != 0 || build_kids(&s) != 0)
        goto fail;
    for (i = 0; i < x->n_nodes; i++)
        own[i] = x->nodes[i].own;
    prose_sums(&s);
    if ((rc = choose(&s, own, &ob, out, &r)) != 0)
        goto fail;
    if (ob.np == 0) {
        out->method = "";
        out->reason = "no run of prose";
    }
    if ((o->flags & SD_EXTRACT_COMMENTS) && (rc = collect_comments(&s, own, r, &cb)) != 0)
        goto fail;
done:
    out->found = ob.np > 0;
    if ((rc = finish_links(x, &ob, out)) != 0 ||
        (rc = take_text(&ob, &out->text, &out->text_len)) != 0)
        goto fail;
    out->paragraphs = ob.paras;
    out->n_paragraphs = ob.np;
    ob.paras = NULL;
    if ((rc = take_text(&cb, &out->comments_text, &out->comments_text_len)) != 0)
        goto fail;
    out->comments = cb.paras;
    out->n_comments = cb.np;
    cb.paras = NULL;
    sd__free(cb.links);
    sd__free(own);
    sel_release(&s);
    return 0;
fail:
    sd__buf_release(&ob.text);
    sd__free(ob.paras);
    sd__free(ob.links);
    sd__buf_release(&cb.text);
    sd__free(cb.paras);
    sd__free(cb.links);
    sd__free(own);
    sel_release(&s);
    return rc ? rc : SD_ENOMEM;
}
