/* Spark's XORShiftRandom: a 64-bit xorshift (21, 35, 4) whose seed is scrambled by MurmurHash3,
 * driven through java.util.Random's derivations (nextDouble, nextInt, nextLong). */
#include <stddef.h>
#include "frame/xorshift.h"

static uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

static uint32_t mix_k(uint32_t k)
{
    k *= 0xcc9e2d51u;
    k = rotl32(k, 15);
    return k * 0x1b873593u;
}

uint32_t lml_murmur3_32(const uint8_t *data, size_t len, uint32_t seed)
{
    uint32_t h = seed;
    size_t i = 0;
    for (; i + 4 <= len; i += 4) {
        uint32_t k = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 | (uint32_t)data[i + 2] << 16 |
                     (uint32_t)data[i + 3] << 24;
        h ^= mix_k(k);
        h = rotl32(h, 13) * 5 + 0xe6546b64u;
    }
    uint32_t k = 0;
    switch (len & 3) {
    case 3: k ^= (uint32_t)data[i + 2] << 16; /* fall through */
    case 2: k ^= (uint32_t)data[i + 1] << 8;  /* fall through */
    case 1:
        k ^= data[i];
        h ^= mix_k(k);
    }
    h ^= (uint32_t)len;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

uint64_t lml_xorshift_hash_seed(int64_t seed)
{
    uint8_t bytes[8];
    uint64_t u = (uint64_t)seed;
    for (int i = 0; i < 8; i++)
        bytes[i] = (uint8_t)(u >> (56 - 8 * i)); /* ByteBuffer.putLong is big-endian */
    uint32_t lo = lml_murmur3_32(bytes, 8, 0x3c074a61u);
    uint32_t hi = lml_murmur3_32(bytes, 8, lo);
    return (uint64_t)hi << 32 | lo;
}

void lml_xorshift_init(lml_xorshift *r, int64_t seed) { r->state = lml_xorshift_hash_seed(seed); }

int32_t lml_xorshift_next(lml_xorshift *r, int bits)
{
    uint64_t s = r->state;
    s ^= s << 21;
    s ^= s >> 35;
    s ^= s << 4;
    r->state = s;
    return (int32_t)(uint32_t)(s & ((UINT64_C(1) << bits) - 1));
}

double lml_xorshift_next_double(lml_xorshift *r)
{
    int64_t hi = lml_xorshift_next(r, 26);
    int64_t lo = lml_xorshift_next(r, 27);
    return (double)((hi << 27) + lo) * 0x1.0p-53;
}

int32_t lml_xorshift_next_int(lml_xorshift *r) { return lml_xorshift_next(r, 32); }

int32_t lml_xorshift_next_int_bounded(lml_xorshift *r, int32_t bound)
{
    int32_t v = lml_xorshift_next(r, 31);
    int32_t m = bound - 1;
    if ((bound & m) == 0)
        return (int32_t)(((int64_t)bound * v) >> 31);
    /* Java's loop: reject draws from the incomplete last block (u - v + m overflows int). */
    for (int32_t u = v; (int64_t)u - (v = u % bound) + m > INT32_MAX; u = lml_xorshift_next(r, 31))
        ;
    return v;
}

int64_t lml_xorshift_next_long(lml_xorshift *r)
{
    int64_t hi = lml_xorshift_next(r, 32);
    int64_t lo = lml_xorshift_next(r, 32);
    return (int64_t)(((uint64_t)hi << 32) + (uint64_t)lo);
}
