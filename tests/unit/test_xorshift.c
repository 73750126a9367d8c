#include <criterion/criterion.h>
#include <string.h>
#include "frame/xorshift.h"

/* spec §13.1: hashSeed and the first three nextDouble() for seeds 0, 1 and 42 (seed 0 checked
 * against Spark's golden `SELECT rand(0)`, seed 42 against PySpark's documented rand(42)). */
static const struct {
    int64_t seed;
    uint64_t hash;
    double d[3];
} vectors[] = {
    {0, 0x80b91e250a05cc5fu, {0.7604953758285915, 0.5234194256885571, 0.0953472826424725}},
    {1, 0xfd30615c78820a0cu, {0.6363787615254752, 0.5993846534021868, 0.134842710012538}},
    {42, 0x38078a854d18b285u, {0.619189370225301, 0.5096018842446481, 0.8325259388871524}},
};

Test(xorshift, hash_seed_matches_spark)
{
    for (size_t i = 0; i < 3; i++)
        cr_expect_eq(lml_xorshift_hash_seed(vectors[i].seed), vectors[i].hash, "hashSeed(%lld)",
                     (long long)vectors[i].seed);
}

Test(xorshift, first_doubles_match_spark_bit_for_bit)
{
    for (size_t i = 0; i < 3; i++) {
        lml_xorshift r;
        lml_xorshift_init(&r, vectors[i].seed);
        for (int k = 0; k < 3; k++) {
            double d = lml_xorshift_next_double(&r);
            cr_expect(d == vectors[i].d[k], "seed %lld draw %d: %.17g != %.17g", (long long)vectors[i].seed, k, d,
                      vectors[i].d[k]);
        }
    }
}

Test(xorshift, pyspark_rand42_doc_example_is_three_times_the_first_draw)
{
    lml_xorshift r;
    lml_xorshift_init(&r, 42);
    cr_assert(3 * lml_xorshift_next_double(&r) == 1.8575681106759028);
}

Test(xorshift, murmur3_x86_32_known_answers)
{
    const char *fox = "The quick brown fox jumps over the lazy dog";
    cr_expect_eq(lml_murmur3_32((const uint8_t *)fox, strlen(fox), 0), 0x2e4ff723u);
    cr_expect_eq(lml_murmur3_32((const uint8_t *)"", 0, 0), 0u);
    cr_expect_eq(lml_murmur3_32((const uint8_t *)"", 0, 1), 0x514e28b7u);
}

Test(xorshift, next_int_is_low_32_bits_of_the_state_and_derivations_agree)
{
    lml_xorshift a, b;
    lml_xorshift_init(&a, 7);
    lml_xorshift_init(&b, 7);
    uint64_t s = b.state;
    s ^= s << 21;
    s ^= s >> 35;
    s ^= s << 4;
    cr_assert_eq(lml_xorshift_next_int(&a), (int32_t)(uint32_t)s);
    /* nextLong = (next(32) << 32) + next(32) on the same stream */
    lml_xorshift_init(&a, 7);
    lml_xorshift_init(&b, 7);
    int64_t hi = lml_xorshift_next_int(&b), lo = lml_xorshift_next_int(&b);
    cr_assert_eq(lml_xorshift_next_long(&a), (int64_t)(((uint64_t)hi << 32) + (uint64_t)lo));
    /* nextInt(bound) stays in range and, for a power of two, takes the top bits of next(31) */
    lml_xorshift_init(&a, 3);
    for (int k = 0; k < 1000; k++) {
        int32_t v = lml_xorshift_next_int_bounded(&a, 10);
        cr_assert(v >= 0 && v < 10);
    }
    lml_xorshift_init(&a, 3);
    lml_xorshift_init(&b, 3);
    int32_t raw = lml_xorshift_next(&b, 31);
    cr_assert_eq(lml_xorshift_next_int_bounded(&a, 8), (int32_t)(((int64_t)8 * raw) >> 31));
}
