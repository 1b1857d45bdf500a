/*
 * sniff.c: a file's format from its first bytes and its name (sniff.h).
 *
 * Data that is not text is recognised by the magic numbers its formats
 * begin with, and otherwise by NUL bytes or a run of control bytes in the
 * first 4 KB, which text (in UTF-8 or an 8-bit charset) never has. A
 * UTF-16 or UTF-32 byte order mark marks text that is decoded later.
 */
#include "input/sniff.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define SAMPLE 4096

/* Whether s ends with suffix, ignoring ASCII case. */
static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

sd_format sd__format_of_name(const char *path)
{
    static const struct {
        const char *ext;
        sd_format fmt;
    } names[] = {
        {".jsonl", SD_FORMAT_JSONL}, {".jsonlines", SD_FORMAT_JSONL}, {".ndjson", SD_FORMAT_JSONL},
        {".json", SD_FORMAT_JSON},   {".csv", SD_FORMAT_CSV},         {".tsv", SD_FORMAT_TSV},
        {".tab", SD_FORMAT_TSV},     {".warc", SD_FORMAT_WARC},       {".html", SD_FORMAT_HTML},
        {".htm", SD_FORMAT_HTML},    {".xhtml", SD_FORMAT_HTML},
    };
    static const char *const comp[] = {"", ".gz", ".zst", ".zstd"};
    size_t i, k, n = strlen(path);
    char base[4096];
    for (k = 0; k < sizeof comp / sizeof comp[0]; k++) {
        size_t m = strlen(comp[k]);
        if (k > 0 && !ends_with(path, comp[k]))
            continue;
        if (n - m >= sizeof base)
            continue;
        memcpy(base, path, n - m);
        base[n - m] = '\0';
        for (i = 0; i < sizeof names / sizeof names[0]; i++)
            if (ends_with(base, names[i].ext))
                return names[i].fmt;
    }
    return SD_FORMAT_TEXT;
}

/* Magic numbers of formats that are not text, at offset `at`. */
static const struct {
    size_t at, len;
    const char *magic, *what;
} magics[] = {
    {0, 8, "\x89PNG\r\n\x1a\n", "a PNG image"},
    {0, 3, "\xff\xd8\xff", "a JPEG image"},
    {0, 6, "GIF87a", "a GIF image"},
    {0, 6, "GIF89a", "a GIF image"},
    {8, 4, "WEBP", "a WebP image"},
    {0, 4, "II*\0", "a TIFF image"},
    {0, 4, "MM\0*", "a TIFF image"},
    {0, 5, "%PDF-", "a PDF document"},
    {0, 4,
     "\x7f"
     "ELF",
     "an ELF program or library"},
    {0, 4, "PAR1", "a Parquet file"},
    {0, 6, "ARROW1", "an Arrow file"},
    {0, 4, "Obj\x01", "an Avro file"},
    {0, 3, "ORC", "an ORC file"},
    {0, 8, "!<arch>\n", "an ar archive, such as a static library"},
    {0, 4, "PK\x03\x04", "a ZIP archive, or a docx, xlsx or jar file"},
    {0, 4, "PK\x05\x06", "an empty ZIP archive"},
    {257, 5, "ustar", "a tar archive"},
    {0, 6,
     "\xfd"
     "7zXZ\0",
     "xz-compressed data, which syndic does not undo"},
    {0, 6, "7z\xbc\xaf\x27\x1c", "a 7-Zip archive"},
    {0, 3, "BZh", "bzip2-compressed data, which syndic does not undo"},
    {0, 4, "\x04\x22\x4d\x18", "LZ4-compressed data, which syndic does not undo"},
    {0, 16, "SQLite format 3\0", "an SQLite database"},
    {0, 8, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     "an OLE2 document, such as an old Word or Excel file"},
    {0, 4, "\0asm", "a WebAssembly module"},
    {0, 4, "\xca\xfe\xba\xbe", "a Java class or Mach-O program"},
    {0, 4, "\xcf\xfa\xed\xfe", "a Mach-O program"},
    {0, 4, "OggS", "an Ogg audio or video file"},
    {4, 4, "ftyp", "an MP4 or QuickTime video"},
    {0, 4, "fLaC", "a FLAC audio file"},
    {0, 4, "\x1a\x45\xdf\xa3", "a Matroska or WebM video"},
    {0, 4, "wOFF", "a WOFF font"},
    {0, 4, "wOF2", "a WOFF2 font"},
    {0, 6, "\x93NUMPY", "a NumPy array"},
};

/* "a PNG image (it starts with "\x89PNG\r\n\x1a\n")": the kind, and the
 * magic bytes as a C string would write them. */
static void describe(char *what, size_t cap, const char *kind, const char *m, size_t len)
{
    size_t k, n = (size_t)snprintf(what, cap, "%s (magic bytes \"", kind);
    for (k = 0; k < len && n + 6 < cap; k++) {
        unsigned char c = (unsigned char)m[k];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            what[n++] = (char)c;
        else
            n += (size_t)snprintf(what + n, cap - n, "\\x%02x", c);
    }
    snprintf(what + n, cap - n, "\")");
}

int sd__sniff_magic(const char *p, size_t n, char *what, size_t cap)
{
    size_t i;
    for (i = 0; i < sizeof magics / sizeof magics[0]; i++)
        if (n >= magics[i].at + magics[i].len &&
            memcmp(p + magics[i].at, magics[i].magic, magics[i].len) == 0) {
            /* "BZh" must be followed by a block size and bzip2's block magic */
            if (magics[i].magic[0] == 'B' && (n < 10 || memcmp(p + 4, "1AY&SY", 6) != 0))
                continue;
            describe(what, cap, magics[i].what, p + magics[i].at, magics[i].len);
            return 1;
        }
    return 0;
}

int sd__sniff_binary(const char *p, size_t n, char *what, size_t cap)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t i, ctl = 0, m = n < SAMPLE ? n : SAMPLE;
    if (sd__sniff_magic(p, n, what, cap))
        return 1;
    /* UTF-16 and UTF-32 text has NUL bytes; its byte order mark says so */
    if (n >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff)))
        return 0;
    if (n >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xfe && u[3] == 0xff)
        return 0;
    for (i = 0; i < m; i++) {
        if (u[i] == 0) {
            snprintf(what, cap, "binary data (a NUL byte at byte %zu)", i);
            return 1;
        }
        /* control bytes other than tab, line breaks, form feed and escape */
        if ((u[i] < 0x20 && u[i] != '\t' && u[i] != '\n' && u[i] != '\r' && u[i] != '\f' &&
             u[i] != '\v' && u[i] != 0x1b) ||
            u[i] == 0x7f)
            ctl++;
    }
    if (m >= 32 && ctl * 10 > m) {
        snprintf(what, cap, "binary data (%zu control bytes in its first %zu)", ctl, m);
        return 1;
    }
    return 0;
}

/* Whether the object at p[i] is spread over lines ("{" alone on the first):
 * JSON text, one object after another; else one object per line. */
static int json_spread(const char *p, size_t n, size_t i)
{
    size_t k = i + 1;
    while (k < n && (p[k] == ' ' || p[k] == '\t'))
        k++;
    return k < n && (p[k] == '\n' || p[k] == '\r');
}

sd_format sd__sniff(const char *p, size_t n, const char *path, char *what, size_t cap)
{
    sd_format by_name = sd__format_of_name(path);
    size_t i = 0;
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
        i++;
    /* a WARC file holds images and compressed bodies: its mark first */
    if (n - i >= 7 && memcmp(p + i, "WARC/1.", 7) == 0)
        return SD_FORMAT_WARC;
    if (sd__sniff_magic(p, n, what, cap))
        return SD_FORMAT_AUTO;
    /* JSON with a NUL in it is JSON whose records fail one by one */
    if (i < n && (p[i] == '[' || p[i] == '{') && by_name != SD_FORMAT_CSV &&
        by_name != SD_FORMAT_TSV)
        return p[i] == '[' || json_spread(p, n, i) ? SD_FORMAT_JSON : SD_FORMAT_JSONL;
    if (sd__sniff_binary(p, n, what, cap))
        return SD_FORMAT_AUTO;
    if (by_name == SD_FORMAT_CSV || by_name == SD_FORMAT_TSV)
        return by_name;
    if (n - i >= 2 && p[i] == '<' &&
        (p[i + 1] == '!' || p[i + 1] == '?' ||
         ((p[i + 1] | 0x20) >= 'a' && (p[i + 1] | 0x20) <= 'z')))
        return SD_FORMAT_HTML; /* a tag, a comment or a doctype */
    return by_name;
}
