/*
 * charset.c: bytes in any charset to valid UTF-8.
 *
 * Order of trust: a declared charset that converts the bytes cleanly; then
 * the bytes themselves when they are valid UTF-8 (by far the common case on
 * today's web, and a declaration is often wrong); then uchardet's guess;
 * then windows-1252, which maps nearly every byte. Whatever still fails to
 * convert is replaced by U+FFFD, so decoding never fails on content.
 */
#include "input/charset.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>
#include <uchardet.h>

#include "base/utf8.h"
#include "syndic.h"

#define DETECT_MAX ((size_t)256 << 10)

/* Names handed back in *used: static strings, lowercase. */
static const char *canonical(const char *name)
{
    static const char *const known[] = {
        "utf-8",        "windows-1252", "iso-8859-1",   "iso-8859-2",   "iso-8859-15",
        "windows-1250", "windows-1251", "koi8-r",       "shift_jis",    "euc-jp",
        "iso-2022-jp",  "gb18030",      "gbk",          "gb2312",       "big5",
        "euc-kr",       "utf-16le",     "utf-16be",     "iso-8859-7",   "windows-1253",
        "iso-8859-9",   "windows-1254", "windows-1256", "iso-8859-6",   "windows-1255",
        "iso-8859-8",   "tis-620",      "windows-874",  "iso-8859-5",   "ibm866",
        "mac-cyrillic", "windows-1257", "iso-8859-13",  "windows-1258", "ascii",
    };
    size_t i;
    for (i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcasecmp(name, known[i]) == 0)
            return known[i];
    if (strcasecmp(name, "utf8") == 0)
        return "utf-8";
    if (strcasecmp(name, "latin1") == 0 || strcasecmp(name, "latin-1") == 0)
        return "iso-8859-1";
    if (strcasecmp(name, "us-ascii") == 0)
        return "ascii";
    if (strcasecmp(name, "cp1252") == 0)
        return "windows-1252";
    if (strcasecmp(name, "x-sjis") == 0 || strcasecmp(name, "sjis") == 0)
        return "shift_jis";
    return NULL;
}

/*
 * Converts p[0..n) from `from` into out with iconv. With `strict`, fails
 * (returns 1, out unchanged) on the first byte that does not convert;
 * otherwise replaces such bytes by U+FFFD. Returns 0 on success, 1 when the
 * charset is unknown or (strict) the bytes do not convert, or a negative
 * buffer error.
 */
static int convert(const char *p, size_t n, const char *from, int strict, sd_buf *out,
                   size_t *nrepl)
{
    iconv_t cd = iconv_open("UTF-8", from);
    size_t start = out->len, left = n;
    char *in = (char *)(uintptr_t)p;
    int rc = 0;
    if (cd == (iconv_t)-1)
        return 1;
    while (left > 0) {
        char *o;
        size_t room, r;
        if ((rc = sd__buf_reserve(out, left * 4 + 16)) != 0)
            break;
        o = out->p + out->len;
        room = out->cap - out->len - 1;
        r = iconv(cd, &in, &left, &o, &room);
        out->len = (size_t)(o - out->p);
        if (r != (size_t)-1)
            break;
        if (errno == E2BIG)
            continue;
        /* EILSEQ or EINVAL (incomplete at the end): one bad byte */
        if (strict) {
            rc = 1;
            break;
        }
        if ((rc = sd__buf_append(out, "\xEF\xBF\xBD", 3)) != 0)
            break;
        if (nrepl)
            (*nrepl)++;
        in++;
        left--;
        iconv(cd, NULL, NULL, NULL, NULL);
    }
    iconv_close(cd);
    if (rc == 0 && out->p)
        out->p[out->len] = '\0';
    if (rc != 0)
        out->len = start;
    return rc;
}

/* True when the bytes hold more valid multi-byte UTF-8 characters than
 * invalid bytes: damaged UTF-8, not a legacy charset (in which accented
 * letters are single bytes that almost never form valid UTF-8 pairs). */
static int mostly_utf8(const char *p, size_t n)
{
    size_t i = 0, multi = 0, bad = 0;
    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        size_t len;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (sd__utf8_decode(p + i, n - i, &len) == SD_UTF8_INVALID)
            bad++;
        else
            multi++;
        i += len;
    }
    return multi > bad;
}

int sd__decode_to_utf8(const char *p, size_t n, const char *declared, sd_buf *out,
                       const char **used, size_t *nrepl)
{
    const char *name = NULL;
    int rc;
    if (nrepl)
        *nrepl = 0;
    if (used)
        *used = "utf-8";
    if (declared && (name = canonical(declared)) != NULL && strcmp(name, "utf-8") != 0 &&
        strcmp(name, "ascii") != 0) {
        /* Pages often declare latin-1 while sending UTF-8: valid UTF-8
         * containing non-ASCII bytes is very unlikely to be anything else. */
        if (sd__utf8_valid(p, n) != n) {
            rc = convert(p, n, name, 1, out, nrepl);
            if (rc <= 0) {
                if (rc == 0 && used)
                    *used = name;
                return rc;
            }
        }
    }
    if (sd__utf8_valid(p, n) == n)
        return sd__buf_append(out, p, n);
    if (mostly_utf8(p, n)) {
        /* UTF-8 with a few broken bytes (a Latin-1 byte pasted into UTF-8
         * text): repair them rather than reinterpret every character. */
        return sd__utf8_repair(p, n, out, nrepl);
    }
    {
        uchardet_t ud = uchardet_new();
        const char *guess = NULL;
        /* The first 256 KB tell the charset as well as the whole would,
         * and detection is far slower than conversion. */
        if (ud && uchardet_handle_data(ud, p, n < DETECT_MAX ? n : DETECT_MAX) == 0) {
            uchardet_data_end(ud);
            guess = uchardet_get_charset(ud);
            name = guess && *guess ? canonical(guess) : NULL;
            if (name == NULL && guess && *guess) {
                rc = convert(p, n, guess, 1, out, nrepl);
                if (rc <= 0) {
                    uchardet_delete(ud);
                    if (rc == 0 && used)
                        *used = "detected";
                    return rc;
                }
            }
        }
        if (ud)
            uchardet_delete(ud);
    }
    if (name && strcmp(name, "utf-8") != 0 && strcmp(name, "ascii") != 0) {
        rc = convert(p, n, name, 1, out, nrepl);
        if (rc <= 0) {
            if (rc == 0 && used)
                *used = name;
            return rc;
        }
    }
    rc = convert(p, n, "windows-1252", 0, out, nrepl);
    if (rc == 0) {
        if (used)
            *used = "windows-1252";
        return 0;
    }
    if (rc < 0)
        return rc;
    if (used)
        *used = "utf-8";
    return sd__utf8_repair(p, n, out, nrepl);
}

/* ---- declared charsets ---------------------------------------------------- */

const char *sd__find_ci(const char *p, size_t n, const char *needle)
{
    size_t m = strlen(needle), i;
    for (i = 0; i + m <= n; i++)
        if (((p[i] | 0x20) == needle[0]) && strncasecmp(p + i, needle, m) == 0)
            return p + i;
    return NULL;
}

/*
 * Scans <meta ...> tags in the first 4 KB for "charset=" (both forms the
 * HTML5 prescan knows carry it); the first tag that names one wins.
 */
int sd__html_meta_charset(const char *p, size_t n, char *out, size_t cap)
{
    const char *end, *m;
    if (cap == 0)
        return 0;
    out[0] = '\0';
    if (n > 4096)
        n = 4096;
    end = p + n;
    while ((m = sd__find_ci(p, (size_t)(end - p), "<meta")) != NULL) {
        const char *close = memchr(m, '>', (size_t)(end - m));
        const char *c, *tag_end = close ? close : end;
        size_t k = 0;
        p = m + 5;
        c = sd__find_ci(m, (size_t)(tag_end - m), "charset");
        if (c == NULL)
            continue;
        c += 7;
        while (c < tag_end && (*c == ' ' || *c == '\t'))
            c++;
        if (c >= tag_end || *c != '=')
            continue;
        c++;
        while (c < tag_end && (*c == ' ' || *c == '"' || *c == '\''))
            c++;
        while (c < tag_end && k + 1 < cap &&
               ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                *c == '-' || *c == '_' || *c == '.' || *c == ':'))
            out[k++] = *c++;
        out[k] = '\0';
        if (k > 0)
            return 1;
    }
    return 0;
}
