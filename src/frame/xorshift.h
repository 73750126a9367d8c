/* Spark's XORShiftRandom (org.apache.spark.util.random.XORShiftRandom), bit for bit: the
 * generator behind randomSplit, rand(seed) and Spark's Bernoulli samplers. See spec §13.1. */
#ifndef LML_FRAME_XORSHIFT_H
#define LML_FRAME_XORSHIFT_H

#include <stdint.h>

typedef struct lml_xorshift {
    uint64_t state;
} lml_xorshift;

/* MurmurHash3 x86_32 of `len` bytes (Scala's MurmurHash3.bytesHash). */
uint32_t lml_murmur3_32(const uint8_t *data, size_t len, uint32_t seed);
/* XORShiftRandom.hashSeed: two murmur3 passes over the big-endian bytes of seed. */
uint64_t lml_xorshift_hash_seed(int64_t seed);
/* new XORShiftRandom(seed). */
void lml_xorshift_init(lml_xorshift *r, int64_t seed);
/* next(bits): the low `bits` bits of the advanced state (1 ≤ bits ≤ 32). */
int32_t lml_xorshift_next(lml_xorshift *r, int bits);
/* java.util.Random.nextDouble over this generator: uniform in [0, 1), 53 bits. */
double lml_xorshift_next_double(lml_xorshift *r);
/* nextInt(): next(32) as a signed int. */
int32_t lml_xorshift_next_int(lml_xorshift *r);
/* java.util.Random.nextInt(bound), bound > 0 (Java's rejection loop, so identical draws). */
int32_t lml_xorshift_next_int_bounded(lml_xorshift *r, int32_t bound);
/* java.util.Random.nextLong(). */
int64_t lml_xorshift_next_long(lml_xorshift *r);

#endif
