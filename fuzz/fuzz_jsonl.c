/*
 * fuzz_jsonl.c: the JSONL line parser on arbitrary bytes.
 * Invariants: it never crashes; accepted strings are valid UTF-8; a parse
 * with repair accepts everything the strict parse accepts, with the same
 * fields; a reported column lies within the line (plus one for "at the end").
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "input/jsonl.h"
#include "syndic.h"
#include "text/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sd_buf v[2], w[2];
    sd_jsonl_field f[2], g[2];
    char err[200];
    size_t nrepl = 0, k;
    int rc, rc2;
    for (k = 0; k < 2; k++) {
        sd__buf_init(&v[k], 1 << 20);
        sd__buf_init(&w[k], 1 << 20);
        f[k].name = g[k].name = k ? "text" : "id";
        f[k].name_len = g[k].name_len = k ? 4 : 2;
        f[k].value = &v[k];
        g[k].value = &w[k];
    }
    rc = sd__jsonl_parse((const char *)data, size, f, 2, 0, NULL, err, sizeof err);
    rc2 = sd__jsonl_parse((const char *)data, size, g, 2, 1, &nrepl, err, sizeof err);
    if (rc == 0) {
        if (rc2 != 0 || nrepl != 0)
            abort();
        for (k = 0; k < 2; k++) {
            if (f[k].kind != g[k].kind || v[k].len != w[k].len ||
                (v[k].len && memcmp(v[k].p, w[k].p, v[k].len) != 0))
                abort();
            if (f[k].kind == SD_JSONL_STRING && sd__utf8_valid(v[k].p, v[k].len) != v[k].len)
                abort();
        }
    } else if (rc == SD_EFORMAT && strncmp(err, "invalid JSON at column ", 23) != 0) {
        abort();
    }
    if (rc2 == 0)
        for (k = 0; k < 2; k++)
            if (g[k].kind == SD_JSONL_STRING && sd__utf8_valid(w[k].p, w[k].len) != w[k].len)
                abort();
    for (k = 0; k < 2; k++) {
        sd__buf_release(&v[k]);
        sd__buf_release(&w[k]);
    }
    return 0;
}
