/*
 * test_charset.c: decoding to UTF-8: declared, detected, damaged, and the
 * fallback, checked byte for byte.
 */
#include <string.h>

#include "base/buf.h"
#include "input/charset.h"
#include "test.h"
#include "base/utf8.h"

static void decode(const char *p, size_t n, const char *declared, sd_buf *out,
                   const char **used, size_t *nrepl)
{
    sd__buf_reset(out);
    CHECK_EQ_INT(sd__decode_to_utf8(p, n, declared, out, used, nrepl), 0);
    CHECK_EQ_U64(sd__utf8_valid(out->p ? out->p : "", out->len), out->len);
}

TEST(charset_utf8_stays)
{
    sd_buf b;
    const char *used;
    size_t nrepl;
    static const char s[] = "caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac";
    sd__buf_init(&b, 0);
    decode(s, sizeof s - 1, NULL, &b, &used, &nrepl);
    CHECK_EQ_MEM(b.p, b.len, s);
    CHECK_EQ_STR(used, "utf-8");
    CHECK_EQ_U64(nrepl, 0);
    /* a wrong declaration does not spoil valid UTF-8 */
    decode(s, sizeof s - 1, "iso-8859-1", &b, &used, &nrepl);
    CHECK_EQ_MEM(b.p, b.len, s);
    CHECK_EQ_STR(used, "utf-8");
    sd__buf_release(&b);
}

TEST(charset_declared_and_detected_latin)
{
    sd_buf b;
    const char *used;
    size_t nrepl;
    /* French in windows-1252, accents as single bytes, curly quote 0x92 */
    static const char s[] =
        "Le ministre a d\xe9" "clar\xe9 que l\x92" "\xe9" "conomie fran\xe7" "aise "
        "\xe9tait en tr\xe8s bonne sant\xe9, malgr\xe9 les pr\xe9visions. "
        "Les march\xe9s ont r\xe9" "agi avec prudence \xe0 cette d\xe9" "claration. "
        "\xc0 Paris, les \xe9" "conomistes restent r\xe9serv\xe9s sur la dur\xe9" "e.";
    sd__buf_init(&b, 0);
    decode(s, sizeof s - 1, "windows-1252", &b, &used, &nrepl);
    CHECK_EQ_STR(used, "windows-1252");
    CHECK(strstr(b.p, "d\xc3\xa9" "clar\xc3\xa9 que l\xe2\x80\x99\xc3\xa9" "conomie") != NULL);
    CHECK_EQ_U64(nrepl, 0);
    /* undeclared: detected, or the windows-1252 fallback: same text */
    decode(s, sizeof s - 1, NULL, &b, &used, &nrepl);
    CHECK(strstr(b.p, "fran\xc3\xa7" "aise") != NULL);
    CHECK(strstr(b.p, "\xc3\x80 Paris") != NULL);
    CHECK_EQ_U64(nrepl, 0);
    sd__buf_release(&b);
}

TEST(charset_damaged_utf8_is_repaired_not_reinterpreted)
{
    sd_buf b;
    const char *used;
    size_t nrepl;
    /* a UTF-8 byline with one Latin-1 byte pasted in */
    static const char s[] = "By Ren\xe9 Dupont, with \xc3\xa9l\xc3\xa8ves in S\xc3\xa3o Paulo";
    sd__buf_init(&b, 0);
    decode(s, sizeof s - 1, NULL, &b, &used, &nrepl);
    CHECK_EQ_MEM(b.p, b.len,
                 "By Ren\xef\xbf\xbd Dupont, with \xc3\xa9l\xc3\xa8ves in S\xc3\xa3o Paulo");
    CHECK_EQ_U64(nrepl, 1);
    CHECK_EQ_STR(used, "utf-8");
    sd__buf_release(&b);
}

TEST(charset_declared_japanese)
{
    sd_buf b;
    const char *used;
    size_t nrepl;
    /* "東京" in Shift_JIS */
    static const char s[] = "\x93\x8c\x8b\x9e";
    sd__buf_init(&b, 0);
    decode(s, sizeof s - 1, "Shift_JIS", &b, &used, &nrepl);
    CHECK_EQ_MEM(b.p, b.len, "\xe6\x9d\xb1\xe4\xba\xac");
    CHECK_EQ_STR(used, "shift_jis");
    /* an unknown declared name falls through to detection, never fails */
    decode("plain", 5, "x-no-such-charset", &b, &used, &nrepl);
    CHECK_EQ_MEM(b.p, b.len, "plain");
    sd__buf_release(&b);
}

TEST(charset_meta_scan)
{
    char cs[64];
    static const char a[] = "<html><head><META HTTP-EQUIV=\"Content-Type\" "
                            "CONTENT=\"text/html; charset=ISO-8859-1\"></head>";
    static const char b[] = "<meta charset='koi8-r'><p>x</p>";
    CHECK_EQ_INT(sd__html_meta_charset(a, sizeof a - 1, cs, sizeof cs), 1);
    CHECK_EQ_STR(cs, "ISO-8859-1");
    CHECK_EQ_INT(sd__html_meta_charset(b, sizeof b - 1, cs, sizeof cs), 1);
    CHECK_EQ_STR(cs, "koi8-r");
    CHECK_EQ_INT(sd__html_meta_charset("<p>charset=utf-8</p>", 20, cs, sizeof cs), 0);
    CHECK_EQ_INT(sd__html_meta_charset("<meta name=x>", 13, cs, sizeof cs), 0);
}
