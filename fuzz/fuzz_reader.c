/*
 * fuzz_reader.c: the reader on arbitrary file contents as a plain-text
 * document and as JSONL (compression is sniffed from the bytes either
 * way), with the invariants of fuzz/reader_check.h.
 */
#include "reader_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *path, size_t size)
{
    fuzz_read(path, SD_FORMAT_TEXT, 4096);
    if (size > 0)
        fuzz_read(path, SD_FORMAT_JSONL, 4096);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_with_file(data, size, check);
    return 0;
}
