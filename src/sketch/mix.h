/*
 * mix.h: the 64-bit finalizer both sketches use (the murmur3 one): every
 * input bit reaches every output bit, so minima taken over hashes built
 * from polynomials of token hashes are not biased by the polynomial.
 */
#ifndef SD_SKETCH_MIX_H
#define SD_SKETCH_MIX_H

#include <stdint.h>

static inline uint64_t sd__mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

#endif
