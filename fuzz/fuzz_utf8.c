/*
 * fuzz_utf8.c: validation and repair invariants. Repair output is valid;
 * valid input comes back unchanged with no replacement; the valid prefix is
 * valid and starts the repaired text; decoding walks valid text exactly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    size_t v = sd__utf8_valid(p, size), nrepl = 0, i, len;
    sd_buf out;
    if (v > size || sd__utf8_valid(p, v) != v)
        abort();
    sd__buf_init(&out, 0);
    if (sd__utf8_repair(p, size, &out, &nrepl) != 0)
        abort();
    if (sd__utf8_valid(out.p, out.len) != out.len)
        abort();
    if (out.len < v || (v && memcmp(out.p, p, v) != 0))
        abort();
    if ((v == size) != (nrepl == 0))
        abort();
    if (v == size && (out.len != size || (size && memcmp(out.p, p, size) != 0)))
        abort();
    /* Each replacement adds U+FFFD (3 bytes) for at least one input byte. */
    if (out.len > size + 2 * nrepl || nrepl > size)
        abort();
    for (i = 0; i < out.len; i += len) {
        char e[4];
        uint32_t cp = sd__utf8_decode(out.p + i, out.len - i, &len);
        if (cp == SD_UTF8_INVALID || len == 0 || sd__utf8_encode(cp, e) != len ||
            memcmp(e, out.p + i, len) != 0)
            abort();
    }
    sd__buf_release(&out);
    return 0;
}
