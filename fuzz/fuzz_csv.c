/*
 * fuzz_csv.c: the reader on arbitrary bytes as CSV and as TSV (with a
 * small max_record, so that long rows are passed over), with the
 * invariants of fuzz/reader_check.h.
 */
#include "reader_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *path, size_t size)
{
    (void)size; /* every format is read whatever the size */
    fuzz_read(path, SD_FORMAT_CSV, 64 << 20);
    fuzz_read(path, SD_FORMAT_TSV, 300);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_with_file(data, size, check);
    return 0;
}
