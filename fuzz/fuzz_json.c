/*
 * fuzz_json.c: the reader on arbitrary bytes as JSON (an array of objects,
 * or objects one after another; with a small max_record too, so that
 * values are passed over) and with the format told from the content, with
 * the invariants of fuzz/reader_check.h.
 */
#include "reader_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *path, size_t size)
{
    (void)size; /* every format is read whatever the size */
    fuzz_read(path, SD_FORMAT_JSON, 64 << 20);
    fuzz_read(path, SD_FORMAT_JSON, 200);
    fuzz_read(path, SD_FORMAT_AUTO, 4096);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_with_file(data, size, check);
    return 0;
}
