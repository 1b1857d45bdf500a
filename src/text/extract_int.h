/*
 * extract_int.h: what the two halves of the article extractor share.
 *
 * extract.c parses a page (libxml2's HTML parser, driven through its SAX
 * callbacks so that no libxml2 tree is built) into a flat list of elements
 * and a list of text blocks in document order; extract_select.c scores
 * them, picks the article and writes the result. A block is the text
 * between two block-level boundaries (a paragraph, a list item, a heading,
 * a cell, a line after <br>), so the blocks inside an element are a
 * contiguous range of the list and any element's totals are a difference of
 * prefix sums. Everything here lives for one extraction, on one thread.
 */
#ifndef SD_TEXT_EXTRACT_INT_H
#define SD_TEXT_EXTRACT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "syndic.h"
#include "text/stopwords.h"

/* Element kinds the extractor tells apart. */
enum {
    T_OTHER = 0, /* unknown or inline: no block boundary */
    T_A,
    T_P,
    T_H1,
    T_H2, /* h2..h6 */
    T_LI,
    T_PRE,
    T_QUOTE,
    T_CELL,    /* td, th */
    T_CAPTION, /* figcaption, caption */
    T_FIGURE,
    T_NAV,
    T_ASIDE,
    T_FOOTER,
    T_HEADER,
    T_FORM,
    T_ARTICLE,
    T_MAIN,
    T_BR,
    T_BLOCK, /* any other block-level element: div, section, table, ul... */
    T_BODY
};

/* Class, id, role and tag hints on an element (ex_node.own). */
enum {
    F_NAV = 1 << 0,      /* navigation, menus, breadcrumbs, pagination */
    F_FOOTER = 1 << 1,   /* page footer, copyright */
    F_COMMENT = 1 << 2,  /* reader comments */
    F_RELATED = 1 << 3,  /* related, recommended, more stories, trending */
    F_SHARE = 1 << 4,    /* share and follow bars */
    F_PROMO = 1 << 5,    /* ads, sponsors, newsletter and subscription boxes */
    F_SIDEBAR = 1 << 6,  /* sidebars, rails, widgets */
    F_META = 1 << 7,     /* bylines, dates, tags, captions, credits */
    F_HEADER = 1 << 8,   /* page header, masthead */
    F_HIDDEN = 1 << 9,   /* screen-reader-only text */
    F_CAPTION = 1 << 10, /* figure and caption text */
    F_POS = 1 << 11,     /* article, content, entry, post, story, body, text */
    F_BODY = 1 << 12,    /* itemprop=articleBody and the like: the body itself */
    F_FORM = 1 << 13     /* a form (a comment form, a search box): never text */
};

#define F_BAD                                                                                      \
    (F_NAV | F_FOOTER | F_COMMENT | F_RELATED | F_SHARE | F_PROMO | F_SIDEBAR | F_META |           \
     F_HEADER | F_HIDDEN | F_CAPTION)

#define EX_NONE UINT32_MAX

/* Metadata fields (extract_meta.c). */
enum { M_AUTHOR = 0, M_DATE, M_MODIFIED, M_SITE, M_LANG, M_CANONICAL, M_DESC, M_COUNT };

/* One metadata value and the rank of where it came from (0: none yet;
 * lower is more trusted). Values are cut to the array: metadata longer
 * than that is not metadata. */
typedef struct ex_meta_field {
    uint8_t rank;
    char v[512];
} ex_meta_field;

/* JSON-LD read per script at most: past it, a page's structured data is
 * not worth the memory. */
#define EX_MAX_LD ((size_t)1 << 20)

typedef struct ex_meta {
    ex_meta_field f[M_COUNT];
    sd_buf ld; /* the JSON-LD script being read */
    int in_ld;
} ex_meta;

/* A link inside the text: bytes [start, end) of ex.text point to the url
 * at href in ex.hrefs (NUL-terminated). */
typedef struct ex_link {
    uint32_t start, end, href;
} ex_link;

typedef struct ex_node {
    uint32_t parent;      /* EX_NONE for a top element */
    uint32_t first_block; /* blocks of the subtree: [first_block, end_block) */
    uint32_t end_block;
    uint16_t tag;   /* T_* */
    uint16_t own;   /* F_* of this element */
    uint32_t depth; /* 0 for a top element */
    uint32_t sig;   /* hash of the tag and class, to spot repeated units */
    uint8_t level;  /* a heading's level (1..6), else 0 */
} ex_node;

typedef struct ex_block {
    uint32_t node;  /* innermost block-level (or hinted) element */
    uint32_t start; /* bytes of ex.text */
    uint32_t end;
    uint32_t words;                   /* word count (each CJK character counts as one) */
    uint32_t link_words;              /* words inside links */
    uint32_t commas;                  /* commas and ideographic commas */
    uint32_t cjk;                     /* CJK characters (each also counted as a word) */
    uint32_t stops;                   /* function words of the page's language (set later) */
    uint16_t stop[SD_STOP_MAX_LANGS]; /* function words per language */
    uint16_t tag;                     /* T_* of the owning element (or of its block kind) */
    uint8_t cont;                     /* continues the previous block after a <br> */
    uint8_t final_punct;              /* text ends with sentence punctuation */
    uint8_t level;                    /* heading level 1..6, 0 for others */
    uint8_t row;                      /* a cell that starts a table row */
} ex_block;

/* Class and id values already rated in this extraction, by hash. */
#define EX_HINT_MEMO 256
struct ex_hint_memo {
    uint64_t hash;
    uint16_t flags;
    uint8_t used;
};

/* The state of one extraction. */
typedef struct ex {
    ex_node *nodes;
    size_t n_nodes, cap_nodes;
    ex_block *blocks;
    size_t n_blocks, cap_blocks;
    sd_buf text;    /* all block texts, back to back */
    sd_buf title;   /* <title> text */
    sd_buf ogtitle; /* og:title / twitter:title */
    ex_meta meta;   /* author, dates, site name ... (extract_meta.c) */
    ex_link *links; /* with SD_EXTRACT_LINKS: links in text order */
    size_t n_links, cap_links;
    sd_buf hrefs;    /* the links' targets */
    int want_links;  /* record links */
    int row_pending; /* a <tr> opened since the last cell */
    uint8_t heading; /* level of the heading being read */
    int err;         /* first failure inside a callback (SD_ENOMEM, SD_ETOOBIG) */
    /* parse state */
    struct ex_open *stack;
    size_t depth, cap_stack;
    unsigned skip;    /* > 0 inside script, style, hidden elements ... */
    unsigned in_link; /* open <a> elements */
    unsigned in_pre;
    unsigned in_title;
    unsigned in_head;
    uint32_t head_epoch; /* bumped when body markup ends the head early */
    int space;           /* a space is pending before the next word */
    int in_word;         /* the last byte appended was inside a word */
    int brk;             /* the current block follows a <br> */
    char word[32];       /* the current word, lowercased (truncated) */
    size_t word_len;
    int word_long; /* the current word did not fit in `word` */
    ex_block cur;  /* the block being filled (start set when it began) */
    int cur_open;
    uint32_t lang_counts[SD_STOP_MAX_LANGS];
    int lang; /* index of the page's language, -1 if none */
    struct ex_hint_memo memo[EX_HINT_MEMO];
    uint8_t sub_at[27], body_at[27];   /* first pattern of each letter (extract.c) */
    int relaxed;                       /* prose is judged without function words: the page
                                          has almost none that pass (scores, listings) */
    uint32_t chosen;                   /* the element extract_select.c picked, and */
    uint32_t chosen_first, chosen_end; /* the run of its blocks */
} ex;

/* extract_meta.c: metadata from a start tag's attributes (name, value
 * pairs, NULL-terminated); JSON-LD script text and its end; a date in
 * text as YYYY-MM-DD (1 when found); the fields into the article. */
void sd__ex_meta_tag(ex *x, const char *tag, const char *const *attrs);
void sd__ex_meta_ld_text(ex *x, const char *p, size_t n);
void sd__ex_meta_ld_end(ex *x);
int sd__ex_parse_date(const char *p, size_t n, char out[11]);
int sd__ex_meta_out(ex *x, const char *url, sd_article *out);

/* extract.c: parses html[0..n) (valid UTF-8) into x. Returns 0 or an SD_E*
 * code. */
int sd__ex_parse(ex *x, const char *html, size_t n);

/* extract_select.c: picks the article (or, with whole_page, every block)
 * and writes it into out (title, text, paragraphs, found, reason).
 * Returns 0 or SD_ENOMEM. */
int sd__ex_select(ex *x, const sd_extract_options *o, int whole_page, sd_article *out);

#endif
