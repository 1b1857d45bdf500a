/*
 * test_extract.c: article extraction on hand-written pages: the article's
 * paragraphs kept exactly, navigation, footer, comments, related lists,
 * share bars and an appended story dropped; charsets decoded; a page
 * without an article said so; invariants of every result.
 */
#include <stdlib.h>
#include <string.h>

#include "syndic.h"
#include "test.h"
#include "base/utf8.h"

static const char P1[] =
    "The city council voted on Tuesday to close the old bridge for repairs, after engineers "
    "found that two of its supports had cracked during the winter floods.";
static const char P2[] =
    "Traffic will be sent across the river by the northern road, which the council said could "
    "carry the extra cars for the six months that the work is expected to take.";
static const char P3[] =
    "Shop owners near the bridge said they were worried about losing customers, but most "
    "agreed that the repairs could not wait any longer.";

/* Checks what every result must satisfy: valid UTF-8, paragraphs in order
 * inside the text, joined by blank lines, nothing else in the text. */
static void check_invariants(const sd_article *a)
{
    size_t i, pos = 0;
    CHECK(a->text != NULL);
    CHECK(a->title != NULL);
    if (a->text == NULL || a->title == NULL)
        return;
    CHECK_EQ_U64(strlen(a->text), a->text_len);
    CHECK_EQ_U64(sd__utf8_valid(a->text, a->text_len), a->text_len);
    CHECK_EQ_U64(sd__utf8_valid(a->title, a->title_len), a->title_len);
    CHECK(a->charset != NULL && a->lang != NULL);
    CHECK(a->found == (a->n_paragraphs > 0));
    CHECK(a->found ? a->reason == NULL : a->reason != NULL);
    for (i = 0; i < a->n_paragraphs; i++) {
        const sd_paragraph *p = &a->paragraphs[i];
        CHECK(p->start == pos);
        CHECK(p->start < p->end && p->end <= a->text_len);
        pos = p->end;
        if (i + 1 < a->n_paragraphs) {
            CHECK(pos + 2 <= a->text_len && memcmp(a->text + pos, "\n\n", 2) == 0);
            pos += 2;
        }
    }
    CHECK_EQ_U64(pos, a->text_len);
}

/* Paragraph i of a as a string compared with s. */
#define CHECK_PARA(a, i, s)                                                                        \
    do {                                                                                           \
        if ((i) < (a).n_paragraphs) {                                                              \
            CHECK_EQ_MEM((a).text + (a).paragraphs[i].start,                                       \
                         (a).paragraphs[i].end - (a).paragraphs[i].start, s);                      \
        } else {                                                                                   \
            CHECK((i) < (a).n_paragraphs);                                                         \
        }                                                                                          \
    } while (0)

static int extract_str(const char *html, sd_article *a)
{
    int rc = sd_extract(html, strlen(html), NULL, NULL, a);
    if (rc == 0)
        check_invariants(a);
    return rc;
}

TEST(extract_keeps_article_drops_boilerplate)
{
    char html[8192];
    sd_article a;
    snprintf(
        html, sizeof html,
        "<!DOCTYPE html><html><head><title>Bridge closes | Daily Example</title>"
        "<meta property=\"og:title\" content=\"Old bridge to close for repairs\">"
        "<style>p { color: red }</style><script>var ads = 'Buy now';</script></head>"
        "<body><header class=\"site-header\"><a href=\"/\">Daily Example</a>"
        "<nav><ul><li><a href=\"/news\">News</a></li><li><a href=\"/sport\">Sport</a></li>"
        "<li><a href=\"/weather\">Weather and forecasts for the whole region</a></li></ul></nav>"
        "</header>"
        "<main><article><h1>Old bridge to close for repairs</h1>"
        "<p class=\"byline\">By Jane Reporter</p>"
        "<div class=\"share-bar\"><a href=\"#\">Share on Facebook</a> <a href=\"#\">Tweet</a></div>"
        "<p>%s</p><p>%s</p><h2>Businesses worried</h2><p>%s</p>"
        "<figure><img src=\"b.jpg\"><figcaption>The old bridge, seen from the east bank in a "
        "photograph taken last year.</figcaption></figure>"
        "</article>"
        "<aside class=\"related\"><h3>Related stories</h3><ul>"
        "<li><a href=\"/a\">Council approves a new budget for roads and bridges this year</a></li>"
        "<li><a href=\"/b\">Floods: what the engineers found under the river this winter</a></li>"
        "</ul></aside>"
        "<section id=\"comments\"><h3>Comments</h3><div class=\"comment\"><p>I cross this bridge "
        "every day and I have been saying for years that the supports were in a bad state, "
        "nobody listened to us.</p></div></section></main>"
        "<footer><p>Copyright 2024 Daily Example. All rights reserved. Read our privacy policy "
        "and the terms of use before you comment on any of the stories here.</p></footer>"
        "</body></html>",
        P1, P2, P3);
    CHECK_EQ_INT(extract_str(html, &a), 0);
    CHECK_EQ_INT(a.found, 1);
    CHECK_EQ_STR(a.title, "Old bridge to close for repairs");
    CHECK_EQ_STR(a.lang, "en");
    CHECK_EQ_U64(a.n_paragraphs, 4);
    CHECK_PARA(a, 0, P1);
    CHECK_PARA(a, 1, P2);
    CHECK_PARA(a, 2, "Businesses worried");
    CHECK_PARA(a, 3, P3);
    if (a.n_paragraphs == 4) {
        CHECK_EQ_INT(a.paragraphs[2].kind, SD_PARA_HEADING);
        CHECK_EQ_INT(a.paragraphs[0].kind, SD_PARA_TEXT);
    }
    CHECK(strstr(a.text, "Buy now") == NULL);
    CHECK(strstr(a.text, "color") == NULL);
    CHECK(strstr(a.text, "Jane") == NULL);
    CHECK(strstr(a.text, "Tweet") == NULL);
    CHECK(strstr(a.text, "photograph") == NULL);
    sd_article_release(&a);

    /* the whole page keeps everything visible, and still no script or style */
    CHECK_EQ_INT(sd_extract_whole_page(html, strlen(html), NULL, NULL, &a), 0);
    check_invariants(&a);
    CHECK(strstr(a.text, "Weather and forecasts") != NULL);
    CHECK(strstr(a.text, "nobody listened") != NULL);
    CHECK(strstr(a.text, P2) != NULL);
    CHECK(strstr(a.text, "Buy now") == NULL);
    CHECK(strstr(a.text, "color") == NULL);
    sd_article_release(&a);
}

TEST(extract_drops_appended_story)
{
    char html[8192];
    sd_article a;
    snprintf(
        html, sizeof html,
        "<html><body><div id=\"page\">"
        "<div class=\"story\"><h1>Old bridge to close</h1><p>%s</p><p>%s</p><p>%s</p></div>"
        "<div class=\"more-stories\"><h2>More stories</h2>"
        "<div class=\"teaser\"><h3><a href=\"/x\">Farmers hope for rain</a></h3><p>After a dry "
        "spring the farmers of the valley are waiting for rain, and some fear the harvest will be "
        "poor again this year.</p></div>"
        "<div class=\"teaser\"><h3><a href=\"/y\">School opens new library</a></h3><p>The new "
        "library at the primary school was opened on Friday by the mayor, who read a story to the "
        "children.</p></div>"
        "<div class=\"teaser\"><h3><a href=\"/z\">Choir wins a prize</a></h3><p>The town choir "
        "won second prize at the national festival, the first prize it has won in twenty "
        "years.</p></div></div></div></body></html>",
        P1, P2, P3);
    CHECK_EQ_INT(extract_str(html, &a), 0);
    CHECK_EQ_U64(a.n_paragraphs, 3);
    CHECK_PARA(a, 0, P1);
    CHECK_PARA(a, 2, P3);
    CHECK(strstr(a.text, "farmers") == NULL);
    CHECK(strstr(a.text, "library") == NULL);
    sd_article_release(&a);

    /* Another story of the same kind, unmarked, after the article in the
     * same column: teasers aside, it is a separate element, and the
     * article's run of paragraphs wins. */
    snprintf(
        html, sizeof html,
        "<html><body><div class=\"column\">"
        "<div><h1>Old bridge to close</h1><p>%s</p><p>%s</p><p>%s</p><p>%s</p></div>"
        "<div class=\"ad\"><a href=\"/ad\">Advertisement</a></div>"
        "<div class=\"promo\"><h2><a href=\"/next\">Next: Farmers hope for rain</a></h2>"
        "<p>After a dry spring the farmers of the valley are waiting for rain, and some fear the "
        "harvest will be poor again this year.</p></div>"
        "</div></body></html>",
        P1, P2, P3, P1);
    CHECK_EQ_INT(extract_str(html, &a), 0);
    CHECK_EQ_U64(a.n_paragraphs, 4);
    CHECK(strstr(a.text, "farmers") == NULL);
    CHECK(strstr(a.text, "Advertisement") == NULL);
    sd_article_release(&a);
}

TEST(extract_decodes_charsets_and_entities)
{
    /* windows-1252 bytes, declared in a meta tag: e acute 0xE9, right
     * single quote 0x92, euro 0x80 */
    static const char page[] =
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">"
        "<title>Caf\xe9</title></head><body><div><p>Le caf\xe9 de la place a rouvert ses portes "
        "apr\xe8s trois mois de travaux, et le patron dit qu\x92il a gard\xe9 les prix de "
        "l\x92"
        "an dernier, un caf\xe9 pour deux \x80.</p></div></body></html>";
    sd_article a;
    CHECK_EQ_INT(sd_extract(page, sizeof page - 1, NULL, NULL, &a), 0);
    check_invariants(&a);
    CHECK_EQ_STR(a.charset, "windows-1252");
    CHECK_EQ_STR(a.title, "Caf\xc3\xa9");
    CHECK_EQ_STR(a.lang, "fr");
    CHECK(strstr(a.text, "Le caf\xc3\xa9 de la place") != NULL);
    CHECK(strstr(a.text, "qu\xe2\x80\x99il a gard\xc3\xa9") != NULL);
    CHECK(strstr(a.text, "deux \xe2\x82\xac.") != NULL);
    sd_article_release(&a);

    /* the HTTP charset wins over the meta tag */
    CHECK_EQ_INT(sd_extract(page, sizeof page - 1, "iso-8859-1", NULL, &a), 0);
    CHECK_EQ_STR(a.charset, "iso-8859-1");
    CHECK(strstr(a.text, "Le caf\xc3\xa9 de la place") != NULL);
    sd_article_release(&a);

    /* entities, numeric and named; no-break spaces become spaces */
    {
        static const char ent[] =
            "<html><body><p>Tom &amp; Jerry&#8217;s caf&eacute; served &quot;the best&quot; "
            "coffee&nbsp;in town for &#x32;0 years, said the owner of the shop on the "
            "corner.</p></body></html>";
        CHECK_EQ_INT(extract_str(ent, &a), 0);
        CHECK_EQ_U64(a.n_paragraphs, 1);
        CHECK_PARA(a, 0,
                   "Tom & Jerry\xe2\x80\x99s caf\xc3\xa9 served \"the best\" coffee in town for "
                   "20 years, said the owner of the shop on the corner.");
        sd_article_release(&a);
    }
}

TEST(extract_says_when_there_is_no_article)
{
    static const char menu[] = "<html><head><title>Index</title></head><body><nav><ul>"
                               "<li><a href=\"/1\">Home</a></li><li><a href=\"/2\">News</a></li>"
                               "<li><a href=\"/3\">Contact us</a></li></ul></nav>"
                               "<div class=\"gallery\"><img src=\"1.jpg\"><img src=\"2.jpg\"></div>"
                               "<footer>Copyright 2024</footer></body></html>";
    sd_article a;
    CHECK_EQ_INT(extract_str(menu, &a), 0);
    CHECK_EQ_INT(a.found, 0);
    CHECK(a.reason != NULL && a.reason[0] != '\0');
    CHECK_EQ_U64(a.text_len, 0);
    CHECK_EQ_U64(a.n_paragraphs, 0);
    CHECK_EQ_STR(a.title, "Index");
    sd_article_release(&a);

    CHECK_EQ_INT(sd_extract("", 0, NULL, NULL, &a), 0);
    check_invariants(&a);
    CHECK_EQ_INT(a.found, 0);
    CHECK_EQ_STR(a.reason, "no text");
    sd_article_release(&a);

    /* only script and style: no text at all */
    CHECK_EQ_INT(extract_str("<script>document.write('a long sentence that is not text')</script>"
                             "<style>body{}</style>",
                             &a),
                 0);
    CHECK_EQ_INT(a.found, 0);
    sd_article_release(&a);
}

TEST(extract_never_keeps_script_or_style)
{
    char html[4096];
    sd_article a;
    snprintf(html, sizeof html,
             "<html><body><p>%s<script>var hidden = 'SCRIPTTEXT inside a paragraph';</script> %s"
             "</p><style>.x{content:'STYLETEXT'}</style><noscript>NOSCRIPTTEXT</noscript>"
             "<p style=\"display:none\">HIDDENTEXT in a paragraph that is not shown at all.</p>"
             "<template><p>TEMPLATETEXT</p></template><p>%s</p></body></html>",
             P1, P2, P3);
    CHECK_EQ_INT(extract_str(html, &a), 0);
    CHECK(strstr(a.text, "SCRIPTTEXT") == NULL);
    CHECK(strstr(a.text, "STYLETEXT") == NULL);
    CHECK(strstr(a.text, "NOSCRIPTTEXT") == NULL);
    CHECK(strstr(a.text, "HIDDENTEXT") == NULL);
    CHECK(strstr(a.text, "TEMPLATETEXT") == NULL);
    CHECK(strstr(a.text, P3) != NULL);
    sd_article_release(&a);
    CHECK_EQ_INT(sd_extract_whole_page(html, strlen(html), NULL, NULL, &a), 0);
    check_invariants(&a);
    CHECK(strstr(a.text, "SCRIPTTEXT") == NULL);
    CHECK(strstr(a.text, "STYLETEXT") == NULL);
    CHECK(strstr(a.text, P1) != NULL);
    sd_article_release(&a);
}

TEST(extract_line_breaks_and_lists)
{
    char html[4096];
    sd_article a;
    snprintf(html, sizeof html,
             "<html><body><div><p>%s</p><p>First line of a poem that the mayor read<br>"
             "second line of the poem<br>third line of it</p><ul><li>A list item that belongs to "
             "the article and says something.</li></ul><p>%s</p><pre>code  kept\n  as is</pre>"
             "<p>%s</p></div></body></html>",
             P1, P2, P3);
    CHECK_EQ_INT(extract_str(html, &a), 0);
    CHECK_EQ_U64(a.n_paragraphs, 6);
    CHECK_PARA(
        a, 1,
        "First line of a poem that the mayor read\nsecond line of the poem\nthird line of it");
    CHECK_PARA(a, 2, "A list item that belongs to the article and says something.");
    CHECK_PARA(a, 4, "code  kept\n  as is");
    if (a.n_paragraphs == 6) {
        CHECK_EQ_INT(a.paragraphs[2].kind, SD_PARA_ITEM);
        CHECK_EQ_INT(a.paragraphs[4].kind, SD_PARA_PRE);
    }
    sd_article_release(&a);
}

TEST(extract_limits_and_bad_arguments)
{
    sd_extract_options o;
    sd_article a;
    static const char page[] = "<p>Some text that is long enough to be a paragraph of prose.</p>";
    sd_extract_options_init(&o);
    CHECK_EQ_INT(o.min_words, 10);
    o.max_html = 10;
    CHECK_EQ_INT(sd_extract(page, sizeof page - 1, NULL, &o, &a), SD_ETOOBIG);
    sd_article_release(&a);
    CHECK_EQ_INT(sd_extract(NULL, 5, NULL, NULL, &a), SD_EINVAL);
    sd_article_release(&a);
    sd_article_release(NULL);
    /* broken markup is recovered, never an error */
    CHECK_EQ_INT(extract_str("<div><p>Unclosed <b>bold <i>and italic</div></p></td></table><<<>>"
                             "&bogus; &#xD800; &#0; text that goes on for a while to be prose.",
                             &a),
                 0);
    sd_article_release(&a);
    /* invalid UTF-8 is repaired */
    CHECK_EQ_INT(extract_str("<p>caf\xc3 \xff\xfe"
                             " bytes that are not UTF-8 in a paragraph that "
                             "is long enough to count as one.</p>",
                             &a),
                 0);
    sd_article_release(&a);
}

static long fail_after;
static void *failing_malloc(void *ud, size_t n)
{
    (void)ud;
    if (fail_after-- == 0)
        return NULL;
    return malloc(n);
}
static void *failing_realloc(void *ud, void *p, size_t n)
{
    (void)ud;
    if (fail_after-- == 0)
        return NULL;
    return realloc(p, n);
}
static void plain_free(void *ud, void *p)
{
    (void)ud;
    free(p);
}

TEST(extract_under_failing_allocations)
{
    char html[4096];
    sd_allocator al = {failing_malloc, failing_realloc, plain_free, NULL};
    long n;
    int done = 0;
    snprintf(html, sizeof html,
             "<html><head><title>T</title></head><body><nav><a href=\"/\">Home</a></nav>"
             "<div><p>%s</p><p>%s</p><p>%s</p></div></body></html>",
             P1, P2, P3);
    for (n = 0; n < 400 && !done; n++) {
        sd_article a;
        int rc;
        fail_after = n;
        sd_set_allocator(&al);
        rc = sd_extract(html, strlen(html), NULL, NULL, &a);
        sd_set_allocator(NULL);
        CHECK(rc == 0 || rc == SD_ENOMEM);
        if (rc == 0) {
            check_invariants(&a);
            CHECK_EQ_U64(a.n_paragraphs, 3);
            done = fail_after >= 0;
        }
        sd_article_release(&a);
    }
    CHECK(done);
}

/* A page of results: lines with hardly a function word. Without prose by
 * function words anywhere, the plain unlinked paragraphs are the article,
 * and the menu and the links around them still go. */
TEST(extract_keeps_results_without_function_words)
{
    static const char page[] =
        "<html><head><title>Scores</title></head><body>"
        "<nav><ul><li><a href=\"/a\">Home of the team</a></li><li><a href=\"/b\">News "
        "and views from the league</a></li><li><a href=\"/c\">Contact us for more</a></li>"
        "</ul></nav>"
        "<div class=\"story\"><h2>GIRLS BASKETBALL</h2>"
        "<p><strong>Palm Bay d. Rockledge 70-44</strong></p>"
        "<p>Palm Bay (1-0): Tolivert 25 points. Davis 17 points. Burgher 10 points. "
        "Bozeman 10 points. Moore 3 points.</p>"
        "<p>Rockledge (0-1): Blakely 15 points. Devoe 2 points. Baker 6 points. Brown 4 "
        "points. Upshaw 3 points.</p>"
        "<p>Heritage (1-0): Sheffield 19 points, 3 steals. Howard 6 steals. Smith 8 points. "
        "Jones 4 points.</p></div>"
        "<div class=\"related\"><a href=\"/x\">More scores from the weekend</a> "
        "<a href=\"/y\">Standings for the season</a></div>"
        "<footer>Copyright of the paper, all rights reserved by the publisher</footer>"
        "</body></html>";
    sd_article a;
    CHECK_EQ_INT(extract_str(page, &a), 0);
    CHECK_EQ_INT(a.found, 1);
    CHECK(a.text != NULL && strstr(a.text, "Tolivert 25 points") != NULL);
    CHECK(a.text != NULL && strstr(a.text, "Heritage (1-0)") != NULL);
    CHECK(a.text != NULL && strstr(a.text, "Contact us") == NULL);
    CHECK(a.text != NULL && strstr(a.text, "Standings") == NULL);
    CHECK(a.text != NULL && strstr(a.text, "Copyright") == NULL);
    sd_article_release(&a);
}

/* A news digest: each item a linked headline and a sentence of summary.
 * The summaries read as prose on their own, so the list is the article;
 * the menu of bare links still goes. */
TEST(extract_keeps_digest_items_with_linked_headlines)
{
    static const char page[] =
        "<html><head><title>Digest</title></head><body>"
        "<nav><ul><li><a href=\"/a\">Home</a></li><li><a href=\"/b\">Tech</a></li>"
        "<li><a href=\"/c\">Markets</a></li><li><a href=\"/d\">Sign in</a></li></ul></nav>"
        "<div class=\"post\"><p>Good morning! Here is the news you need today.</p><ol>"
        "<li><strong><a href=\"/1\">The state attorney general is looking into the "
        "landlord</a>.</strong> The company said that it had been contacted by the office, "
        "which will look at what the founder did in the years before he left.</li>"
        "<li><strong><a href=\"/2\">The chief executive of the carrier is stepping "
        "down</a>.</strong> He will hand the reins to the president, who has been with the "
        "company for most of the last ten years.</li>"
        "<li><strong><a href=\"/3\">The bank wants the start-up to make a profit by next "
        "year</a>.</strong> It told the executives to look for new sources of money as it "
        "tries to rescue the company from its debts.</li>"
        "<li><strong><a href=\"/4\">A music service is now free on phones and on the "
        "television</a>.</strong> The company said in a post that people without a "
        "subscription could now listen to music with adverts for free.</li>"
        "</ol></div><footer><a href=\"/t\">Terms</a> <a href=\"/p\">Privacy</a></footer>"
        "</body></html>";
    sd_article a;
    CHECK_EQ_INT(extract_str(page, &a), 0);
    CHECK_EQ_INT(a.found, 1);
    CHECK(a.text != NULL && strstr(a.text, "contacted by the office") != NULL);
    CHECK(a.text != NULL && strstr(a.text, "hand the reins") != NULL);
    CHECK(a.text != NULL && strstr(a.text, "new sources of money") != NULL);
    CHECK(a.text != NULL && strstr(a.text, "listen to music") != NULL);
    CHECK(a.text != NULL && strstr(a.text, "Sign in") == NULL);
    CHECK(a.text != NULL && strstr(a.text, "Privacy") == NULL);
    sd_article_release(&a);
}

/* Tour dates after the story: lines broken by <br>, too short each to be
 * prose, right after a paragraph of prose, end the article and stay; the
 * link list after them goes. */
TEST(extract_keeps_line_list_after_prose)
{
    static const char page[] =
        "<html><head><title>Tour</title></head><body>"
        "<nav><a href=\"/\">Home</a> <a href=\"/music\">Music</a> <a href=\"/tv\">TV</a></nav>"
        "<div class=\"entry\"><h1>The band is back on the road</h1>"
        "<p>After three years away the band said on Monday that it would play a run of "
        "small halls across the north this spring, with tickets going on sale at the end "
        "of the week.</p>"
        "<p>The singer said that the new songs had been written in a cottage by the sea "
        "and that they would play most of them for the first time on this tour.</p>"
        "<h3>Dates</h3>"
        "<p>March 3 - Leeds Town Hall<br>March 5 - Newcastle City Hall<br>"
        "March 7 - Glasgow Barrowland<br>March 9 - Aberdeen Music Hall</p>"
        "<div class=\"related\"><a href=\"/x\">More music news</a> "
        "<a href=\"/y\">Festival line-ups</a></div></div>"
        "<footer><a href=\"/t\">Terms</a> <a href=\"/p\">Privacy</a></footer>"
        "</body></html>";
    sd_article a;
    CHECK_EQ_INT(extract_str(page, &a), 0);
    CHECK_EQ_INT(a.found, 1);
    CHECK(a.text != NULL && strstr(a.text, "small halls") != NULL);
    CHECK(a.text != NULL && strstr(a.text, "March 3 - Leeds Town Hall") != NULL);
    CHECK(a.text != NULL && strstr(a.text, "March 9 - Aberdeen Music Hall") != NULL);
    CHECK(a.text != NULL && strstr(a.text, "Festival line-ups") == NULL);
    CHECK(a.text != NULL && strstr(a.text, "Privacy") == NULL);
    sd_article_release(&a);
}

/* Standings after the story: a table whose cells are each too short to
 * be prose joins the article when it follows its prose; a table of links
 * after it (more standings pages) does not. */
TEST(extract_keeps_table_after_prose)
{
    static const char page[] =
        "<html><head><title>Standings</title></head><body>"
        "<div class=\"sidebar\"><p>Read our guide to the season, with every team and "
        "every driver and what they need to do to win the title this year.</p></div>"
        "<div class=\"post\">"
        "<p>Here are the standings after the last race of the year, which was won by the "
        "champion after he had started from the back of the field.</p>"
        "<p><strong>Final standings after 36 races:</strong></p>"
        "<table><tr><td>Pos.</td><td>Driver</td><td>Points</td></tr>"
        "<tr><td>1</td><td>Kyle Bush</td><td>5040</td></tr>"
        "<tr><td>2</td><td>Martin True</td><td>5035</td></tr>"
        "<tr><td>3</td><td>Kevin Hart</td><td>5033</td></tr></table>"
        "<table><tr><td><a href=\"/2018\">2018</a></td><td><a href=\"/2017\">2017</a></td>"
        "<td><a href=\"/2016\">2016</a></td></tr><tr><td><a href=\"/2015\">2015</a></td>"
        "<td><a href=\"/2014\">2014</a></td><td><a href=\"/2013\">2013</a></td></tr>"
        "<tr><td><a href=\"/2012\">2012</a></td><td><a href=\"/2011\">2011</a></td>"
        "<td><a href=\"/2010\">2010</a></td></tr></table>"
        "</div></body></html>";
    sd_article a;
    CHECK_EQ_INT(extract_str(page, &a), 0);
    CHECK_EQ_INT(a.found, 1);
    CHECK(a.text != NULL && strstr(a.text, "back of the field") != NULL);
    CHECK(a.text != NULL && strstr(a.text, "Kyle Bush") != NULL);
    CHECK(a.text != NULL && strstr(a.text, "5033") != NULL);
    CHECK(a.text != NULL && strstr(a.text, "2015") == NULL);
    CHECK(a.text != NULL && strstr(a.text, "every driver") == NULL);
    sd_article_release(&a);
}

/* Indonesian: the page's language is told by its function words, so its
 * prose is judged by them and the menu of short lines goes. */
TEST(extract_reads_indonesian)
{
    static const char page[] =
        "<html><head><title>Berita</title></head><body>"
        "<ul class=\"menu\"><li><a href=\"/\">Beranda</a></li><li><a href=\"/n\">Nasional</a>"
        "</li><li><a href=\"/o\">Olahraga</a></li></ul>"
        "<div class=\"konten\"><p>Pemerintah akan membangun jembatan baru di atas sungai itu "
        "pada tahun depan, dan warga yang tinggal di dekatnya berharap bahwa jalan ke pasar "
        "akan menjadi lebih cepat.</p>"
        "<p>Menurut kepala desa, jembatan yang lama sudah tidak bisa dilalui oleh truk sejak "
        "banjir besar tahun lalu, sehingga para petani harus membawa hasil panen mereka "
        "dengan perahu.</p>"
        "<p>Baca juga: Harga beras naik</p></div>"
        "</body></html>";
    sd_article a;
    CHECK_EQ_INT(extract_str(page, &a), 0);
    CHECK_EQ_INT(a.found, 1);
    CHECK(a.lang != NULL && strcmp(a.lang, "id") == 0);
    CHECK(a.text != NULL && strstr(a.text, "jembatan baru") != NULL);
    CHECK(a.text != NULL && strstr(a.text, "dengan perahu") != NULL);
    CHECK(a.text != NULL && strstr(a.text, "Olahraga") == NULL);
    sd_article_release(&a);
}

/* 100,000 nested elements, never closed (1.3 MB), each with a block of
 * prose at min_words 1: the whole page is one run, 100,000 levels deep.
 * Every step that walked up the parent chain per block (the container's
 * children, the hints between a block and the container, the context of
 * short blocks) made this quadratic: minutes instead of a fraction of a
 * second. The result is checked, not the time (benches time). */
TEST(extract_deep_unclosed_nesting_is_linear)
{
    static const char unit[] = "<div>and the ";
    const size_t levels = 100000, ul = sizeof unit - 1;
    char *html = malloc(levels * ul + 1);
    sd_extract_options o;
    sd_article a;
    size_t i;
    CHECK(html != NULL);
    if (html == NULL)
        return;
    for (i = 0; i < levels; i++)
        memcpy(html + i * ul, unit, ul);
    html[levels * ul] = '\0';
    sd_extract_options_init(&o);
    o.min_words = 1;
    CHECK_EQ_INT(sd_extract(html, levels * ul, "utf-8", &o, &a), 0);
    check_invariants(&a);
    CHECK_EQ_INT(a.found, 1);
    CHECK_EQ_U64(a.n_paragraphs, levels);
    if (a.n_paragraphs == levels)
        CHECK_PARA(a, levels - 1, "and the");
    sd_article_release(&a);
    /* the same depth of inline elements with a line break in each: the
     * element owning each line is found without a walk down the stack */
    {
        static const char line[] = "<span>and the<br>";
        const size_t sl = sizeof line - 1;
        char *h2 = malloc(levels * sl + 1);
        CHECK(h2 != NULL);
        if (h2 != NULL) {
            for (i = 0; i < levels; i++)
                memcpy(h2 + i * sl, line, sl);
            CHECK_EQ_INT(sd_extract(h2, levels * sl, "utf-8", &o, &a), 0);
            check_invariants(&a);
            CHECK_EQ_INT(a.found, 1);
            sd_article_release(&a);
            free(h2);
        }
    }
    free(html);
}

/* A page whose article is lines split by <br> under a heading, with no
 * sentence of prose (a race calendar), beside a comment policy that is
 * one line of prose: the run of prose would be that line. The looser
 * rules find the calendar, and the article says it took that path. */
TEST(extract_falls_back_to_lines_without_prose)
{
    static const char page[] =
        "<html><head><title>Calendar 2031</title></head><body>"
        "<nav><a href=\"/\">Home</a> <a href=\"/races\">Races</a> <a "
        "href=\"/teams\">Teams</a></nav>"
        "<div class=\"entry\"><h1>Touring car calendar 2031</h1>"
        "<p>Round 1: 9 March - Brandvale<br>Round 2: 6 April - Kessock<br>"
        "Round 3: 20 April - Old Mill Park<br>Round 4: 4 May - Lakeside<br>"
        "Round 5: 18 May - Harrow Ring<br>Round 6: 3 August - Harbour Circuit</p>"
        "<p>* Dates may change</p></div>"
        "<div class=\"respond\"><form><p>Comments that are rude to other readers will not "
        "be approved by the moderator of this site.</p><textarea></textarea></form></div>"
        "<footer>All rights reserved</footer></body></html>";
    sd_article a;
    CHECK_EQ_INT(extract_str(page, &a), 0);
    CHECK_EQ_INT(a.found, 1);
    CHECK_EQ_STR(a.method, "fallback");
    CHECK(strstr(a.text, "Round 1: 9 March - Brandvale\nRound 2: 6 April - Kessock") != NULL);
    CHECK(strstr(a.text, "Round 6: 3 August - Harbour Circuit") != NULL);
    CHECK(strstr(a.text, "moderator") == NULL);
    CHECK(strstr(a.text, "Races") == NULL);
    sd_article_release(&a);

    /* a plain article says it won as a run of prose */
    {
        char html[4096];
        snprintf(html, sizeof html,
                 "<html><body><div><p>%s</p><p>%s</p><p>%s</p></div></body></html>", P1, P2, P3);
        CHECK_EQ_INT(extract_str(html, &a), 0);
        CHECK_EQ_STR(a.method, "article");
        sd_article_release(&a);
    }
    /* a page of links only has no candidate at all: no article, no method */
    CHECK_EQ_INT(extract_str("<html><body><ul><li><a href=\"/1\">One story today</a></li>"
                             "<li><a href=\"/2\">Another story today</a></li></ul></body></html>",
                             &a),
                 0);
    CHECK_EQ_INT(a.found, 0);
    CHECK_EQ_STR(a.method, "");
    sd_article_release(&a);
}

/* A recipe: ingredients as short list items and steps as short
 * imperative lines, few function words; nothing reads as prose, and the
 * fallback keeps the recipe, not the menu. */
TEST(extract_falls_back_to_a_recipe)
{
    static const char page[] =
        "<html><body><ul class=\"menu\"><li><a href=\"/\">Recipes</a></li>"
        "<li><a href=\"/b\">Baking</a></li><li><a href=\"/s\">Soups</a></li></ul>"
        "<div class=\"recipe\"><h1>Barley soup</h1><h2>Ingredients</h2><ul>"
        "<li>200 g pearl barley</li><li>2 carrots, diced</li><li>1 onion, chopped</li>"
        "<li>1.5 l vegetable stock</li><li>Salt, pepper, parsley</li></ul>"
        "<h2>Method</h2><ol><li>Rinse barley.</li><li>Soften onion and carrots in butter.</li>"
        "<li>Add stock and barley; simmer 40 minutes.</li><li>Season, add parsley.</li></ol>"
        "</div></body></html>";
    sd_article a;
    CHECK_EQ_INT(extract_str(page, &a), 0);
    CHECK_EQ_INT(a.found, 1);
    CHECK_EQ_STR(a.method, "fallback");
    CHECK(strstr(a.text, "200 g pearl barley") != NULL);
    CHECK(strstr(a.text, "simmer 40 minutes") != NULL);
    CHECK(strstr(a.text, "Baking") == NULL);
    sd_article_release(&a);
}

/* Names weigh against the text, they do not veto it: an article whose
 * container is named as a layout state ("has-sidebar", "no-comments"), an
 * opinion piece named "commentary", and an embedded post named after a
 * social network between the article's paragraphs all stay. */
TEST(extract_names_do_not_veto_the_article)
{
    char html[8192];
    sd_article a;
    snprintf(html, sizeof html,
             "<html><body><div class=\"layout has-sidebar no-comments\">"
             "<div class=\"commentary-piece\"><p>%s</p><p>%s</p>"
             "<div class=\"social-media-embed\"><blockquote class=\"twitter-tweet\"><p>The bridge "
             "is closed again and the detour adds twenty minutes to my trip to work.</p>"
             "&mdash; A reader (@reader) <a href=\"https://example.org/s/1\">May 2, 2031</a>"
             "</blockquote></div><p>%s</p></div>"
             "<div class=\"sidebar\"><p>Subscribe to our weekly letter for the best of the week "
             "in your inbox every Sunday morning, free of charge.</p></div></div></body></html>",
             P1, P2, P3);
    CHECK_EQ_INT(extract_str(html, &a), 0);
    CHECK_EQ_INT(a.found, 1);
    CHECK(strstr(a.text, P1) != NULL);
    CHECK(strstr(a.text, P3) != NULL);
    CHECK(strstr(a.text, "the detour adds twenty minutes") != NULL);
    CHECK(strstr(a.text, "Subscribe") == NULL);
    sd_article_release(&a);
}

/* An article interrupted by a figure with a caption, an embedded
 * advertisement, a subheading, a short list and a small table comes out
 * whole: the run goes on over them. Captions stay out by default and
 * come in with SD_EXTRACT_CAPTIONS; tables go with SD_EXTRACT_NO_TABLES. */
TEST(extract_runs_over_interruptions)
{
    char html[8192];
    sd_extract_options o;
    sd_article a;
    snprintf(html, sizeof html,
             "<html><body><article><h1>Old bridge to close</h1><p>%s</p>"
             "<figure><img src=\"b.jpg\"><figcaption>The bridge from the east bank, last "
             "spring.</figcaption></figure>"
             "<div class=\"ad-slot\"><iframe src=\"https://ads.example/x\"></iframe>"
             "<a href=\"/ad\">Advertisement</a></div>"
             "<p>%s</p><h2>What changes for drivers</h2>"
             "<ul><li>The northern road takes all traffic.</li><li>Buses run every ten "
             "minutes.</li></ul>"
             "<table><tr><th>Route</th><th>Minutes</th></tr><tr><td>Old bridge</td><td>12</td></tr>"
             "<tr><td>Northern road</td><td>19</td></tr></table>"
             "<p>%s</p></article>"
             "<aside class=\"related\"><a href=\"/1\">Council approves a new budget for "
             "roads</a></aside>"
             "</body></html>",
             P1, P2, P3);
    CHECK_EQ_INT(extract_str(html, &a), 0);
    CHECK(strstr(a.text, P1) != NULL);
    CHECK(strstr(a.text, P2) != NULL);
    CHECK(strstr(a.text, P3) != NULL);
    CHECK(strstr(a.text, "What changes for drivers") != NULL);
    CHECK(strstr(a.text, "Buses run every ten minutes.") != NULL);
    CHECK(strstr(a.text, "Northern road") != NULL);
    CHECK(strstr(a.text, "east bank") == NULL);
    CHECK(strstr(a.text, "Advertisement") == NULL);
    CHECK(strstr(a.text, "budget") == NULL);
    {
        size_t i, cells = 0, rows = 0, heads = 0;
        for (i = 0; i < a.n_paragraphs; i++) {
            cells += a.paragraphs[i].kind == SD_PARA_CELL;
            rows += a.paragraphs[i].kind == SD_PARA_CELL && a.paragraphs[i].level == 1;
            heads += a.paragraphs[i].kind == SD_PARA_HEADING && a.paragraphs[i].level == 2;
        }
        CHECK_EQ_U64(cells, 6);
        CHECK_EQ_U64(rows, 3);
        CHECK_EQ_U64(heads, 1);
    }
    sd_article_release(&a);

    sd_extract_options_init(&o);
    o.flags = SD_EXTRACT_CAPTIONS | SD_EXTRACT_NO_TABLES;
    CHECK_EQ_INT(sd_extract(html, strlen(html), NULL, &o, &a), 0);
    check_invariants(&a);
    CHECK(strstr(a.text, "The bridge from the east bank, last spring.") != NULL);
    CHECK(strstr(a.text, "Northern road") == NULL);
    CHECK(strstr(a.text, P3) != NULL);
    sd_article_release(&a);
}

/* Readers' comments: never in the text; with SD_EXTRACT_COMMENTS a list
 * of their own, one entry per comment (its paragraphs together), without
 * the commenters' names, dates, reply links or the comment form. */
TEST(extract_comments_apart)
{
    char html[8192];
    sd_extract_options o;
    sd_article a;
    snprintf(html, sizeof html,
             "<html><body><div class=\"post\"><h1>Old bridge to close</h1><p>%s</p><p>%s</p>"
             "<p>%s</p></div>"
             "<div id=\"comments\"><h3>3 responses</h3><ol class=\"comment-list\">"
             "<li class=\"comment\"><div class=\"comment-author\">Ann Ferris</div>"
             "<div class=\"comment-meta\">May 2, 2031</div>"
             "<p>About time. I cross this bridge every day.</p><p>The cracks were plain to see.</p>"
             "<div class=\"reply\"><a href=\"#r\">Reply</a></div>"
             "<ol class=\"children\"><li class=\"comment\"><div class=\"comment-author\">Bo</div>"
             "<p>Same here, it shook when lorries went over.</p></li></ol></li>"
             "<li class=\"comment\"><div class=\"comment-author\">Cy</div>"
             "<p>Six months is too long for a bridge this small.</p></li></ol>"
             "<div id=\"respond\"><h3>Leave a reply</h3><form><p>Your email address will not be "
             "published.</p><textarea></textarea></form></div></div></body></html>",
             P1, P2, P3);
    CHECK_EQ_INT(extract_str(html, &a), 0);
    CHECK_EQ_U64(a.n_paragraphs, 3);
    CHECK_EQ_U64(a.n_comments, 0);
    CHECK(strstr(a.text, "cracks") == NULL);
    sd_article_release(&a);

    sd_extract_options_init(&o);
    o.flags = SD_EXTRACT_COMMENTS;
    CHECK_EQ_INT(sd_extract(html, strlen(html), NULL, &o, &a), 0);
    check_invariants(&a);
    CHECK_EQ_U64(a.n_paragraphs, 3);
    CHECK(strstr(a.text, "cracks") == NULL);
    CHECK_EQ_U64(a.n_comments, 3);
    if (a.n_comments == 3) {
        CHECK_EQ_MEM(a.comments_text + a.comments[0].start, a.comments[0].end - a.comments[0].start,
                     "About time. I cross this bridge every day.\n\nThe cracks were plain to see.");
        CHECK_EQ_MEM(a.comments_text + a.comments[1].start, a.comments[1].end - a.comments[1].start,
                     "Same here, it shook when lorries went over.");
        CHECK_EQ_MEM(a.comments_text + a.comments[2].start, a.comments[2].end - a.comments[2].start,
                     "Six months is too long for a bridge this small.");
    }
    CHECK(a.comments_text != NULL && strstr(a.comments_text, "Ann Ferris") == NULL);
    CHECK(a.comments_text != NULL && strstr(a.comments_text, "email address") == NULL);
    CHECK(a.comments_text != NULL && strstr(a.comments_text, "Reply") == NULL);
    sd_article_release(&a);
}

/* Links kept (SD_EXTRACT_LINKS): each a span of the text with its
 * target; without the flag, none. */
TEST(extract_keeps_link_targets)
{
    static const char page[] =
        "<html><body><div><p>The council voted on Tuesday to close the <a "
        "href=\"https://example.org/bridge\">old bridge</a> for repairs, after engineers found "
        "that two of its supports had cracked during the <a href=\"/floods\"> winter floods "
        "</a>.</p></div></body></html>";
    sd_extract_options o;
    sd_article a;
    sd_extract_options_init(&o);
    o.flags = SD_EXTRACT_LINKS;
    CHECK_EQ_INT(sd_extract(page, sizeof page - 1, NULL, &o, &a), 0);
    check_invariants(&a);
    CHECK_EQ_U64(a.n_links, 2);
    if (a.n_links == 2) {
        CHECK_EQ_MEM(a.text + a.links[0].start, a.links[0].end - a.links[0].start, "old bridge");
        CHECK_EQ_STR(a.links[0].url, "https://example.org/bridge");
        CHECK_EQ_MEM(a.text + a.links[1].start, a.links[1].end - a.links[1].start, "winter floods");
        CHECK_EQ_STR(a.links[1].url, "/floods");
    }
    sd_article_release(&a);
    CHECK_EQ_INT(extract_str(page, &a), 0);
    CHECK_EQ_U64(a.n_links, 0);
    sd_article_release(&a);
}

/* Metadata from each of its sources, the more trusted winning whatever
 * the order: JSON-LD over meta tags over <time> over the address. */
TEST(extract_reads_metadata)
{
    char html[8192];
    sd_extract_options o;
    sd_article a;
    snprintf(html, sizeof html,
             "<html lang=\"en-GB\"><head><title>Bridge</title>"
             "<meta name=\"author\" content=\"Desk Editor\">"
             "<meta property=\"article:published_time\" content=\"2031-05-01T08:00:00Z\">"
             "<meta property=\"og:site_name\" content=\"Daily Example\">"
             "<meta name=\"description\" content=\"The old bridge closes for six months.\">"
             "<link rel=\"canonical\" href=\"https://daily.example/news/bridge\">"
             "<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\","
             "\"@graph\":[{\"@type\":\"WebSite\",\"name\":\"x\"},{\"@type\":\"NewsArticle\","
             "\"datePublished\":\"2031-05-02T09:30:00+01:00\",\"dateModified\":\"2031-05-03\","
             "\"author\":[{\"@type\":\"Person\",\"name\":\"Jane Reporter\"}],"
             "\"publisher\":{\"name\":\"Daily Example Ltd\"}}]}</script>"
             "<script type=\"application/ld+json\">{broken</script></head>"
             "<body><time datetime=\"2030-01-01\">last year</time><div><p>%s</p><p>%s</p></div>"
             "</body></html>",
             P1, P2);
    CHECK_EQ_INT(extract_str(html, &a), 0);
    CHECK_EQ_STR(a.author, "Jane Reporter");
    CHECK_EQ_STR(a.date, "2031-05-02");
    CHECK_EQ_STR(a.date_modified, "2031-05-03");
    CHECK_EQ_STR(a.site_name, "Daily Example");
    CHECK_EQ_STR(a.page_lang, "en-GB");
    CHECK_EQ_STR(a.canonical_url, "https://daily.example/news/bridge");
    CHECK_EQ_STR(a.description, "The old bridge closes for six months.");
    CHECK(strstr(a.text, "ld+json") == NULL && strstr(a.text, "schema.org") == NULL);
    sd_article_release(&a);

    /* no JSON-LD: the meta tags; a <time>; and last the address */
    snprintf(html, sizeof html,
             "<html><head><meta name=\"byl\" content=\"By Sam Writer\"></head><body>"
             "<p class=\"date\"><time datetime=\"Tue, 06 May 2031 10:00:00 GMT\">Tuesday</time></p>"
             "<div><p>%s</p><p>%s</p></div></body></html>",
             P1, P2);
    CHECK_EQ_INT(extract_str(html, &a), 0);
    CHECK_EQ_STR(a.author, "By Sam Writer");
    CHECK_EQ_STR(a.date, "2031-05-06");
    CHECK_EQ_STR(a.date_modified, "");
    CHECK_EQ_STR(a.site_name, "");
    sd_article_release(&a);
    sd_extract_options_init(&o);
    o.url = "https://news.example/2031/05/07/bridge-closes?ref=rss";
    snprintf(html, sizeof html, "<html><body><div><p>%s</p><p>%s</p></div></body></html>", P1, P2);
    CHECK_EQ_INT(sd_extract(html, strlen(html), NULL, &o, &a), 0);
    CHECK_EQ_STR(a.date, "2031-05-07");
    sd_article_release(&a);
    o.url = "https://2031.example/12345678/story";
    CHECK_EQ_INT(sd_extract(html, strlen(html), NULL, &o, &a), 0);
    CHECK_EQ_STR(a.date, "");
    sd_article_release(&a);
}

/* Sections named by their heading, not by a class: readers' comments
 * under "12 Comments" in plain paragraphs, and posts under "You may also
 * like" that read as prose. Neither goes into the text; the comments come
 * out as comments when asked. A subheading inside the article that only
 * starts with such a word ("Comments from the mayor") names nothing. */
TEST(extract_sections_named_by_their_heading)
{
    char html[8192];
    sd_extract_options o;
    sd_article a;
    snprintf(html, sizeof html,
             "<html><body><div class=\"main\"><h1>Old bridge to close</h1><p>%s</p>"
             "<h3>Comments from the mayor</h3><p>%s</p><p>%s</p>"
             "<div class=\"box\"><h4>You may also like</h4>"
             "<p>The new library at the primary school was opened on Friday by the mayor, who "
             "read a story to the children in the hall.</p>"
             "<p>The town choir won second prize at the national festival, the first prize it "
             "has won in twenty years of trying.</p></div>"
             "<div class=\"box2\"><div class=\"hd\">12 Comments</div>"
             "<p>I have crossed that bridge every day for twenty years and never felt it "
             "shake until this winter.<br>Posted by Ann on May 2</p>"
             "<p>Six months seems a long time for a bridge of that size, but better safe than "
             "sorry I suppose.<br>Posted by Bo on May 2</p></div></div></body></html>",
             P1, P2, P3);
    CHECK_EQ_INT(extract_str(html, &a), 0);
    CHECK(strstr(a.text, P1) != NULL);
    CHECK(strstr(a.text, "Comments from the mayor") != NULL);
    CHECK(strstr(a.text, P3) != NULL);
    CHECK(strstr(a.text, "library") == NULL);
    CHECK(strstr(a.text, "choir") == NULL);
    CHECK(strstr(a.text, "shake") == NULL);
    CHECK(strstr(a.text, "better safe") == NULL);
    sd_article_release(&a);
    sd_extract_options_init(&o);
    o.flags = SD_EXTRACT_COMMENTS;
    CHECK_EQ_INT(sd_extract(html, strlen(html), NULL, &o, &a), 0);
    check_invariants(&a);
    CHECK_EQ_U64(a.n_comments, 2);
    if (a.n_comments == 2)
        CHECK_EQ_MEM(a.comments_text + a.comments[1].start, a.comments[1].end - a.comments[1].start,
                     "Six months seems a long time for a bridge of that size, but better safe than "
                     "sorry I suppose.\nPosted by Bo on May 2");
    sd_article_release(&a);
}

/* A listing after the article's prose: plain list items (the teams that
 * qualified), and lines each followed by a shop's address as its link
 * text. Both are the article's own; an address as link text cites a
 * source, it is no way off the page. A list of linked headlines after
 * them is still a list of links and goes. */
TEST(extract_keeps_listings_after_prose)
{
    char html[8192];
    sd_article a;
    snprintf(
        html, sizeof html,
        "<html><body><div class=\"post\"><p>%s</p><p>%s</p>"
        "<p>Here are the gifts we would buy for a collector this winter, with where to find "
        "them at a fair price:</p>"
        "<p>1) A model steam engine<br><a href=\"https://shop.example/a\">https://shop.example/a"
        "</a><br>2) A boxed set of old maps<br><a href=\"https://shop.example/b\">"
        "https://shop.example/b</a><br>3) A brass telescope<br><a "
        "href=\"https://shop.example/c\">www.shop.example/c</a></p>"
        "<p>The teams that have qualified for the finals so far, with the group that "
        "each of them won:</p><ul><li>Northland (Group A)</li><li>Easterby (Group B)</li>"
        "<li>Westmark (Group C)</li><li>Southport (Group D)</li></ul></div>"
        "<ul class=\"more\"><li><a href=\"/x\">Council approves a new budget for roads</a></li>"
        "<li><a href=\"/y\">Floods: what the engineers found</a></li>"
        "<li><a href=\"/z\">Choir wins second prize</a></li></ul></body></html>",
        P1, P2);
    CHECK_EQ_INT(extract_str(html, &a), 0);
    CHECK(strstr(a.text, "Westmark (Group C)") != NULL);
    CHECK(strstr(a.text, "Southport (Group D)") != NULL);
    CHECK(strstr(a.text, "1) A model steam engine\nhttps://shop.example/a") != NULL);
    CHECK(strstr(a.text, "www.shop.example/c") != NULL);
    CHECK(strstr(a.text, "budget") == NULL);
    sd_article_release(&a);
}

/* A digest whose later items lead with a headline link longer than their
 * summary: alone each looks like a link, but beside items that read as
 * prose they are items of the same list and stay, up to the last one. */
TEST(extract_keeps_digest_items_led_by_long_links)
{
    static const char page[] =
        "<html><body><div class=\"post\"><p>Good morning! Here is the news you need to know "
        "this Tuesday, in the order that we think it matters to you.</p><ol>"
        "<li><strong><a href=\"/1\">The carrier's chief is stepping down</a>.</strong> He will "
        "hand the reins to the president, who has been with the company for ten years.</li>"
        "<li><strong><a href=\"/2\">The bank wants the start-up to turn a profit</a>.</strong> It "
        "told the executives to look for new sources of money as it tries to rescue it.</li>"
        "<li><strong><a href=\"/3\">A search company has bought a small cloud start-up that was "
        "once a key part of a rival's plans for its business</a>.</strong> The start-up helped "
        "the rival win customers.</li>"
        "<li><strong><a href=\"/4\">Teenagers love wireless earphones and they are putting them "
        "at the top of their holiday wish lists this year</a>.</strong> That is according to a "
        "new survey.</li></ol></div>"
        "<ul class=\"links\"><li><a href=\"/a\">Home</a></li><li><a href=\"/b\">Tech</a></li></ul>"
        "</body></html>";
    sd_article a;
    CHECK_EQ_INT(extract_str(page, &a), 0);
    CHECK(strstr(a.text, "hand the reins") != NULL);
    CHECK(strstr(a.text, "win customers") != NULL);
    CHECK(strstr(a.text, "according to a new survey") != NULL);
    CHECK(strstr(a.text, "Tech") == NULL);
    sd_article_release(&a);
}

/* Paragraphs of the article each wrapped whole in a link (as some sites
 * and archived copies of pages print them) are the article: a link of
 * two sentences or more is prose, not a way off the page. A list of
 * headline links beside it still goes. */
TEST(extract_keeps_paragraphs_wrapped_in_links)
{
    char html[8192];
    sd_article a;
    snprintf(html, sizeof html,
             "<html><body><ul class=\"nav\"><li><a href=\"/\">Home</a></li>"
             "<li><a href=\"/n\">News</a></li><li><a href=\"/s\">Sport</a></li></ul>"
             "<div id=\"content\"><h2>Bridge to close</h2>"
             "<p><a href=\"javascript:void(0)\">%s %s</a></p>"
             "<p><a href=\"javascript:void(0)\">%s %s</a></p></div>"
             "<div class=\"more\"><h3>More news</h3><ul>"
             "<li><a href=\"/a\">Council approves a new budget for roads and bridges this year"
             "</a></li><li><a href=\"/b\">Floods: what the engineers found under the river this "
             "winter</a></li><li><a href=\"/c\">School term to start a week later after the "
             "storms</a></li></ul></div></body></html>",
             P1, P2, P3, P1);
    CHECK_EQ_INT(extract_str(html, &a), 0);
    CHECK_EQ_INT(a.found, 1);
    CHECK(a.text != NULL && strstr(a.text, P2) != NULL);
    CHECK(a.text != NULL && strstr(a.text, P3) != NULL);
    CHECK(a.text != NULL && strstr(a.text, "under the river") == NULL);
    CHECK(a.text != NULL && strstr(a.text, "Sport") == NULL);
    sd_article_release(&a);
}
