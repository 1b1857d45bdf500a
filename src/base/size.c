/*
 * size.c: sizes in bytes written as people write them ("512M", "4G"), for
 * the memory limits the program and the Python package take.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "syndic.h"

int sd_parse_size(const char *s, uint64_t *bytes)
{
    char *end;
    unsigned long long v;
    uint64_t mul = 1;
    const char *unit;
    if (s == NULL || bytes == NULL || !isdigit((unsigned char)*s))
        return SD_EINVAL;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno)
        return SD_EINVAL;
    unit = *end ? strchr("KMGT", toupper((unsigned char)*end)) : NULL;
    if (unit) {
        mul = 1ull << (10 * (unit - "KMGT" + 1));
        end++;
    }
    if (mul > 1 && *end == 'i')
        end++;
    if (*end == 'b' || *end == 'B')
        end++;
    if (*end != '\0' || v > UINT64_MAX / mul)
        return SD_EINVAL;
    *bytes = v * mul;
    return 0;
}
