/* Parquet value and level encodings (spec/parquet.md §4): the spec's worked examples byte for
 * byte, encode -> decode round trips, and every truncation of every stream. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "io/parquet/encoding.h"

static uint64_t rng_state = 0x2545F4914F6CDD1Du;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* An exact-size heap copy of p[0, l), so ASan flags any read past l (the previous copy is freed;
 * the last one stays reachable from the static pointer). */
static const uint8_t *exact(const uint8_t *p, size_t l)
{
    static uint8_t *last;
    free(last);
    last = malloc(l ? l : 1);
    if (l)
        memcpy(last, p, l);
    return last;
}

static void rle_expect(const uint8_t *p, size_t len, int w, const uint32_t *want, size_t n, size_t want_used)
{
    uint32_t got[256];
    size_t used = 999;
    lml_error err = {0};
    cr_assert(lml_pq_rle_decode(p, len, w, got, n, &used, "x", &err), "%s", err.message);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(got[i], want[i], "value %zu: %u, want %u", i, got[i], want[i]);
    cr_assert_eq(used, want_used);
}

Test(parquet_encoding, rle_spec_examples)
{
    /* §3.8: one bit-packed group whose first value is 1. */
    rle_expect((const uint8_t[]){0x03, 0x01}, 2, 1, (const uint32_t[]){1}, 1, 2);
    /* §4.2: levels 1,1,1,0,1 bit-packed, and as RLE runs. */
    static const uint32_t lv[] = {1, 1, 1, 0, 1};
    rle_expect((const uint8_t[]){0x03, 0x17}, 2, 1, lv, 5, 2);
    rle_expect((const uint8_t[]){0x06, 0x01, 0x02, 0x00, 0x02, 0x01}, 6, 1, lv, 5, 6);
    /* 200 x level 1 (delta_binary_packed.parquet, v2 page). */
    uint32_t ones[200];
    for (int i = 0; i < 200; i++)
        ones[i] = 1;
    rle_expect((const uint8_t[]){0x90, 0x03, 0x01}, 3, 1, ones, 200, 3);
    /* 0..7 at w=3 pack into 88 C6 FA. */
    rle_expect((const uint8_t[]){0x03, 0x88, 0xC6, 0xFA}, 4, 3, (const uint32_t[]){0, 1, 2, 3, 4, 5, 6, 7}, 8, 4);
    /* §4.4 dictionary indexes 0,1,1,0 after the bit-width byte. */
    rle_expect((const uint8_t[]){0x03, 0x06}, 2, 1, (const uint32_t[]){0, 1, 1, 0}, 4, 2);
    /* w=0: runs carry no bytes; a 16-bit run value is two bytes LE. */
    rle_expect((const uint8_t[]){0x0A, 0x03}, 2, 0, (const uint32_t[]){0, 0, 0, 0, 0, 0}, 6, 2);
    rle_expect((const uint8_t[]){0x04, 0x34, 0x12}, 3, 13, (const uint32_t[]){0x1234, 0x1234}, 2, 3);
    /* n = 0 reads nothing. */
    rle_expect((const uint8_t[]){0xFF}, 0, 1, NULL, 0, 0);
}

Test(parquet_encoding, rle_encoder_matches_spec_bytes)
{
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    cr_assert(lml_pq_rle_encode((const uint32_t[]){1, 1, 1, 0, 1}, 5, 1, &buf, &len, &cap, NULL));
    cr_assert_eq(len, 2);
    cr_assert(buf[0] == 0x03 && buf[1] == 0x17);
    uint32_t ones[200];
    for (int i = 0; i < 200; i++)
        ones[i] = 1;
    len = 0;
    cr_assert(lml_pq_rle_encode(ones, 200, 1, &buf, &len, &cap, NULL));
    cr_assert_eq(len, 3);
    cr_assert(buf[0] == 0x90 && buf[1] == 0x03 && buf[2] == 0x01);
    len = 0;
    cr_assert(lml_pq_rle_encode((const uint32_t[]){0, 1, 2, 3, 4, 5, 6, 7}, 8, 3, &buf, &len, &cap, NULL));
    cr_assert_eq(len, 4);
    cr_assert(buf[0] == 0x03 && buf[1] == 0x88 && buf[2] == 0xC6 && buf[3] == 0xFA);
    /* Appends: a second stream lands after the first. */
    cr_assert(lml_pq_rle_encode((const uint32_t[]){1}, 1, 1, &buf, &len, &cap, NULL));
    cr_assert_eq(len, 6);
    cr_assert(buf[4] == 0x03 && buf[5] == 0x01);
    lml_error err = {0};
    cr_assert_not(lml_pq_rle_encode((const uint32_t[]){4}, 1, 2, &buf, &len, &cap, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    free(buf);
}

/* Random values at width w, made of runs (some long, some short) so both run kinds appear. */
static void fill_runs(uint32_t *v, size_t n, int w)
{
    uint64_t mask = w == 32 ? 0xFFFFFFFFu : ((uint64_t)1 << w) - 1;
    for (size_t i = 0; i < n;) {
        size_t r = rnd() % 4 == 0 ? 1 + rnd() % 40 : 1;
        uint32_t x = (uint32_t)(rnd() & mask);
        for (size_t k = 0; k < r && i < n; k++)
            v[i++] = x;
    }
}

Test(parquet_encoding, rle_round_trip_every_bit_width)
{
    static const size_t counts[] = {1, 7, 8, 9, 63, 1000, 10007};
    uint32_t *v = malloc(10007 * sizeof *v), *got = malloc(10007 * sizeof *got);
    for (int w = 0; w <= 32; w++) {
        for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
            size_t n = counts[c];
            fill_runs(v, n, w);
            uint8_t *buf = NULL;
            size_t len = 0, cap = 0, used = 0;
            lml_error err = {0};
            cr_assert(lml_pq_rle_encode(v, n, w, &buf, &len, &cap, &err), "%s", err.message);
            cr_assert(lml_pq_rle_decode(buf, len, w, got, n, &used, "x", &err), "w=%d n=%zu: %s", w, n, err.message);
            cr_assert_eq(used, len, "w=%d n=%zu", w, n);
            for (size_t i = 0; i < n; i++)
                cr_assert_eq(got[i], v[i], "w=%d n=%zu value %zu", w, n, i);
            free(buf);
        }
    }
    free(v);
    free(got);
}

Test(parquet_encoding, rle_every_truncation_fails_or_is_exact)
{
    /* A prefix is accepted only when every wanted value is inside it (the final bit-packed run's
     * padding may be cut); otherwise it is EFORMAT — and ASan checks nothing past it is read. */
    uint32_t v[300], got[300];
    for (int w = 0; w <= 32; w += (w < 4 ? 1 : 7)) {
        fill_runs(v, 300, w);
        uint8_t *buf = NULL;
        size_t len = 0, cap = 0;
        cr_assert(lml_pq_rle_encode(v, 300, w, &buf, &len, &cap, NULL));
        size_t accepted = 0;
        for (size_t l = 0; l < len; l++) {
            uint8_t *copy = malloc(l ? l : 1);
            memcpy(copy, buf, l);
            lml_error err = {0};
            size_t used = 0;
            if (lml_pq_rle_decode(copy, l, w, got, 300, &used, "x", &err)) {
                accepted++;
                cr_assert_eq(memcmp(got, v, sizeof v), 0, "w=%d prefix %zu decoded wrong values", w, l);
                cr_assert_leq(used, l);
            } else {
                cr_assert_eq(err.code, LML_EFORMAT, "w=%d prefix %zu: %s", w, l, err.message);
            }
            free(copy);
        }
        /* At most the last group's bytes can be missing. */
        cr_assert_leq(accepted, (size_t)w, "w=%d: %zu prefixes accepted", w, accepted);
        free(buf);
    }
    /* The hand-made streams need all their bytes. */
    static const uint8_t s1[] = {0x03, 0x88, 0xC6, 0xFA}, s2[] = {0x06, 0x01, 0x02, 0x00, 0x02, 0x01};
    for (size_t l = 0; l < sizeof s1; l++)
        cr_assert_not(lml_pq_rle_decode(exact(s1, l), l, 3, got, 8, NULL, "x", NULL));
    for (size_t l = 0; l < sizeof s2; l++)
        cr_assert_not(lml_pq_rle_decode(exact(s2, l), l, 1, got, 5, NULL, "x", NULL));
}

Test(parquet_encoding, rle_rejects_malformed_runs)
{
    uint32_t got[8];
    lml_error err = {0};
    cr_assert_not(lml_pq_rle_decode((const uint8_t[]){0x02, 0x01}, 2, 33, got, 1, NULL, "f.parquet column 'c'", &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "f.parquet column 'c'"), "%s", err.message);
    /* A zero-length RLE run would never make progress. */
    cr_assert_not(lml_pq_rle_decode((const uint8_t[]){0x00, 0x01, 0x02, 0x01}, 4, 1, got, 1, NULL, "x", &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    /* Run value 2 does not fit in 1 bit. */
    cr_assert_not(lml_pq_rle_decode((const uint8_t[]){0x02, 0x02}, 2, 1, got, 1, NULL, "x", &err));
    /* A varint header that never ends. */
    cr_assert_not(lml_pq_rle_decode((const uint8_t[]){0xFF, 0xFF, 0xFF}, 3, 1, got, 1, NULL, "x", &err));
    /* A bit-packed run claiming 2^40 groups with 1 byte behind it: 8 values are there (the rest
     * counts as cut padding), 16 are not. */
    static const uint8_t big[] = {0x81, 0x80, 0x80, 0x80, 0x80, 0x40, 0x01};
    uint32_t g16[16];
    size_t used = 0;
    cr_assert(lml_pq_rle_decode(big, sizeof big, 1, g16, 8, &used, "x", &err), "%s", err.message);
    cr_assert(g16[0] == 1 && g16[1] == 0 && used == sizeof big);
    cr_assert_not(lml_pq_rle_decode(big, sizeof big, 1, g16, 16, NULL, "x", &err));
    cr_assert_eq(err.code, LML_EFORMAT);
}

Test(parquet_encoding, bitpacked_legacy_msb_first)
{
    uint32_t got[8];
    cr_assert(lml_pq_bitpacked_decode((const uint8_t[]){0x05, 0x39, 0x77}, 3, 3, got, 8, "x", NULL));
    for (uint32_t i = 0; i < 8; i++)
        cr_assert_eq(got[i], i);
    /* 5 values of 1 bit: 1,0,1,1,0 -> 1011 0000. */
    cr_assert(lml_pq_bitpacked_decode((const uint8_t[]){0xB0}, 1, 1, got, 5, "x", NULL));
    cr_assert(got[0] == 1 && got[1] == 0 && got[2] == 1 && got[3] == 1 && got[4] == 0);
    lml_error err = {0};
    cr_assert_not(lml_pq_bitpacked_decode((const uint8_t[]){0x05, 0x39}, 2, 3, got, 8, "x", &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(lml_pq_bitpacked_decode(NULL, 0, 0, got, 8, "x", NULL));
    cr_assert_eq(got[7], 0);
}

Test(parquet_encoding, bit_width_helper)
{
    cr_assert_eq(lml_pq_bit_width(0), 0);
    cr_assert_eq(lml_pq_bit_width(1), 1);
    cr_assert_eq(lml_pq_bit_width(2), 2);
    cr_assert_eq(lml_pq_bit_width(3), 2);
    cr_assert_eq(lml_pq_bit_width(4), 3);
    cr_assert_eq(lml_pq_bit_width(7), 3);
    cr_assert_eq(lml_pq_bit_width(255), 8);
    cr_assert_eq(lml_pq_bit_width(256), 9);
    cr_assert_eq(lml_pq_bit_width(UINT32_MAX), 32);
    cr_assert_eq(lml_pq_bit_width(UINT64_MAX), 64);
}

Test(parquet_encoding, plain_fixed_and_booleans)
{
    static const uint8_t ints[] = {0x01, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x80};
    int32_t got[3];
    size_t used = 0;
    cr_assert(lml_pq_plain_decode_fixed(ints, sizeof ints, 4, got, 3, &used, "x", NULL));
    cr_assert(got[0] == 1 && got[1] == -1 && got[2] == INT32_MIN);
    cr_assert_eq(used, 12);
    for (size_t l = 0; l < sizeof ints; l++)
        cr_assert_not(lml_pq_plain_decode_fixed(exact(ints, l), l, 4, got, 3, &used, "x", NULL));
    /* Booleans 1,1,1,0,1 | 0,0,0,0,0,0,0,0,1 LSB first. */
    uint8_t b[14];
    cr_assert(lml_pq_plain_decode_fixed((const uint8_t[]){0x17, 0x10, 0x00}, 3, 0, b, 14, &used, "x", NULL));
    static const uint8_t want[] = {1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    cr_assert_eq(memcmp(b, want, 14), 0);
    cr_assert_eq(used, 2);
    lml_error err = {0};
    cr_assert_not(lml_pq_plain_decode_fixed((const uint8_t[]){0x17}, 1, 0, b, 14, &used, "x", &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    /* INT96 width 12, and an n·width product that overflows. */
    uint8_t i96[12];
    cr_assert(lml_pq_plain_decode_fixed(ints, 12, 12, i96, 1, &used, "x", NULL));
    cr_assert_eq(i96[11], 0x80);
    cr_assert_not(lml_pq_plain_decode_fixed(ints, 12, 12, i96, SIZE_MAX / 4, &used, "x", NULL));
}

Test(parquet_encoding, plain_byte_arrays)
{
    static const uint8_t p[] = {2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0, 3, 0, 0, 0, 'c', 'd', 'e', 0xAA};
    int64_t off[4];
    lml_pq_byte_values bv = {.off = off};
    size_t used = 0;
    lml_error err = {0};
    cr_assert(lml_pq_plain_decode_bytes(p, sizeof p, 3, &bv, &used, "x", &err), "%s", err.message);
    cr_assert_eq(used, 17);
    cr_assert(off[0] == 0 && off[1] == 2 && off[2] == 2 && off[3] == 5);
    cr_assert_eq(memcmp(bv.data, "abcde", 5), 0);
    free(bv.own);
    for (size_t l = 0; l < 17; l++) {
        lml_pq_byte_values b2 = {.off = off};
        cr_assert_not(lml_pq_plain_decode_bytes(exact(p, l), l, 3, &b2, &used, "x", &err), "prefix %zu", l);
        cr_assert_eq(err.code, LML_EFORMAT);
        cr_assert_null(b2.own);
    }
    /* A length of 2^32-1 with 4 bytes behind it. */
    static const uint8_t huge[] = {0xFF, 0xFF, 0xFF, 0xFF, 'a', 'b', 'c', 'd'};
    lml_pq_byte_values b3 = {.off = off};
    cr_assert_not(lml_pq_plain_decode_bytes(huge, sizeof huge, 1, &b3, &used, "x", &err));
    cr_assert(strstr(err.message, "4294967295"), "%s", err.message);
}

static void delta_expect(const uint8_t *p, size_t len, const int64_t *want, size_t n, size_t want_used)
{
    int64_t g64[16];
    int32_t g32[16];
    size_t used = 0;
    lml_error err = {0};
    cr_assert(lml_pq_delta_binary_decode(p, len, true, g64, n, &used, "x", &err), "%s", err.message);
    cr_assert_eq(used, want_used);
    cr_assert(lml_pq_delta_binary_decode(p, len, false, g32, n, &used, "x", &err), "%s", err.message);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(g64[i], want[i], "value %zu", i);
        cr_assert_eq(g32[i], (int32_t)want[i], "value %zu", i);
    }
    /* Our encoder writes the very same bytes. */
    uint8_t *buf = NULL;
    size_t blen = 0, cap = 0;
    cr_assert(lml_pq_delta_binary_encode(want, n, false, &buf, &blen, &cap, NULL));
    cr_assert_eq(blen, want_used);
    cr_assert_eq(memcmp(buf, p, blen), 0);
    free(buf);
}

Test(parquet_encoding, delta_binary_spec_examples)
{
    static const uint8_t e1[] = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00};
    delta_expect(e1, sizeof e1, (const int64_t[]){1, 2, 3, 4, 5}, 5, 10);
    uint8_t e2[26] = {0x80, 0x01, 0x04, 0x04, 0x14, 0x03, 0x04, 0x00, 0x00, 0x00, 0x05, 0x0B};
    delta_expect(e2, sizeof e2, (const int64_t[]){10, 13, 11, 20}, 4, 26);
    /* 3 deltas at width 4 end at byte 12 (10 of header, min delta and widths, then 12 bits); the
     * miniblock padding after them may be cut at the end of the input, anything shorter is EFORMAT. */
    int64_t g[4];
    for (size_t l = 0; l < sizeof e2; l++) {
        lml_error err = {0};
        bool ok = lml_pq_delta_binary_decode(exact(e2, l), l, true, g, 4, NULL, "x", &err);
        cr_assert_eq(ok, l >= 12, "prefix %zu", l);
        if (ok)
            cr_assert(g[3] == 20);
        else
            cr_assert_eq(err.code, LML_EFORMAT);
    }
    for (size_t l = 0; l < sizeof e1; l++)
        cr_assert_not(lml_pq_delta_binary_decode(exact(e1, l), l, true, g, 5, NULL, "x", NULL), "prefix %zu", l);
    /* 0 and 1 values: the header alone. */
    delta_expect((const uint8_t[]){0x80, 0x01, 0x04, 0x00, 0x00}, 5, NULL, 0, 5);
    delta_expect((const uint8_t[]){0x80, 0x01, 0x04, 0x01, 0x0D}, 5, (const int64_t[]){-7}, 1, 5);
}

Test(parquet_encoding, delta_binary_rejects_malformed_headers)
{
    int64_t g[8];
    lml_error err = {0};
    /* Block of 100 (not a multiple of 128). */
    cr_assert_not(lml_pq_delta_binary_decode((const uint8_t[]){0x64, 0x04, 0x01, 0x02}, 4, true, g, 1, NULL, "x", &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    /* 128 in 3 miniblocks. */
    cr_assert_not(lml_pq_delta_binary_decode((const uint8_t[]){0x80, 0x01, 0x03, 0x01, 0x02}, 5, true, g, 1, NULL, "x", &err));
    /* Stream of 1 value, 2 wanted. */
    cr_assert_not(lml_pq_delta_binary_decode((const uint8_t[]){0x80, 0x01, 0x04, 0x01, 0x02}, 5, true, g, 2, NULL, "x", &err));
    /* Width 33 is fine for INT64 but not for INT32. */
    uint8_t w33[5 + 1 + 4 + 132] = {0x80, 0x01, 0x04, 0x02, 0x00, 0x00, 33, 0, 0, 0};
    int32_t g32[2];
    cr_assert(lml_pq_delta_binary_decode(w33, sizeof w33, true, g, 2, NULL, "x", &err), "%s", err.message);
    cr_assert_not(lml_pq_delta_binary_decode(w33, sizeof w33, false, g32, 2, NULL, "x", &err));
    cr_assert(strstr(err.message, "bit width 33"), "%s", err.message);
    w33[6] = 65;
    cr_assert_not(lml_pq_delta_binary_decode(w33, sizeof w33, true, g, 2, NULL, "x", &err));
}

static void delta_round_trip(const int64_t *v, size_t n, bool is64)
{
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, used = 0;
    lml_error err = {0};
    cr_assert(lml_pq_delta_binary_encode(v, n, is64, &buf, &len, &cap, &err), "%s", err.message);
    void *got = malloc(n ? n * 8 : 1);
    cr_assert(lml_pq_delta_binary_decode(buf, len, is64, got, n, &used, "x", &err), "n=%zu: %s", n, err.message);
    cr_assert_eq(used, len);
    for (size_t i = 0; i < n; i++) {
        int64_t g = is64 ? ((int64_t *)got)[i] : ((int32_t *)got)[i];
        cr_assert_eq(g, v[i], "n=%zu value %zu: %lld, want %lld", n, i, (long long)g, (long long)v[i]);
    }
    free(got);
    free(buf);
}

Test(parquet_encoding, delta_binary_round_trips_with_extremes)
{
    static const size_t counts[] = {0, 1, 2, 31, 32, 33, 127, 128, 129, 130, 1000, 4099};
    int64_t *v = malloc(4099 * sizeof *v);
    for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
        size_t n = counts[c];
        for (int kind = 0; kind < 4; kind++) {
            for (size_t i = 0; i < n; i++) {
                switch (kind) {
                case 0: v[i] = (int64_t)rnd(); break;                                      /* full range */
                case 1: v[i] = i % 2 ? INT64_MAX : INT64_MIN; break;                        /* widest deltas */
                case 2: v[i] = 1000000 + (int64_t)i * 3 - (int64_t)(rnd() % 5); break;     /* near-sorted */
                default: v[i] = (int64_t)(rnd() % 3) - 1; break;                          /* tiny */
                }
            }
            delta_round_trip(v, n, true);
            for (size_t i = 0; i < n; i++) /* the INT32 version of the same shapes */
                v[i] = kind == 1 ? (i % 2 ? INT32_MAX : INT32_MIN) : (int64_t)(int32_t)(uint32_t)v[i];
            delta_round_trip(v, n, false);
        }
    }
    free(v);
    /* INT32 mode refuses a value outside int32. */
    lml_error err = {0};
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    cr_assert_not(lml_pq_delta_binary_encode((const int64_t[]){1, (int64_t)1 << 40}, 2, false, &buf, &len, &cap, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    free(buf);
}

Test(parquet_encoding, delta_binary_every_truncation)
{
    int64_t v[300], got[300];
    for (int i = 0; i < 300; i++)
        v[i] = (int64_t)(rnd() % 100000);
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    cr_assert(lml_pq_delta_binary_encode(v, 300, true, &buf, &len, &cap, NULL));
    size_t accepted = 0;
    for (size_t l = 0; l < len; l++) {
        uint8_t *copy = malloc(l ? l : 1);
        memcpy(copy, buf, l);
        lml_error err = {0};
        if (lml_pq_delta_binary_decode(copy, l, true, got, 300, NULL, "x", &err)) {
            accepted++;
            cr_assert_eq(memcmp(got, v, sizeof v), 0);
        } else {
            cr_assert_eq(err.code, LML_EFORMAT);
        }
        free(copy);
    }
    /* 299 deltas = 2 full blocks + 43: the last miniblock holds 11 values of 32 at width w <= 18
     * (deltas within ±100000); only its padding, 4w - ceil(11w/8) <= 47 bytes, may be cut. */
    cr_assert_gt(accepted, 0);
    cr_assert_leq(accepted, 47);
    free(buf);
}

/* Lengths as DELTA_BINARY_PACKED followed by the bytes. */
static size_t dlba(const char *const *s, size_t n, uint8_t *out)
{
    int64_t lens[16];
    for (size_t i = 0; i < n; i++)
        lens[i] = (int64_t)strlen(s[i]);
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    cr_assert(lml_pq_delta_binary_encode(lens, n, false, &buf, &len, &cap, NULL));
    memcpy(out, buf, len);
    free(buf);
    for (size_t i = 0; i < n; i++) {
        memcpy(out + len, s[i], strlen(s[i]));
        len += strlen(s[i]);
    }
    return len;
}

Test(parquet_encoding, delta_length_byte_array_spec_example)
{
    static const uint8_t p[] = {0x80, 0x01, 0x04, 0x02, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 'a', 'b', 'c', 'd', 'e'};
    int64_t off[3];
    lml_pq_byte_values bv = {.off = off};
    size_t used = 0;
    lml_error err = {0};
    cr_assert(lml_pq_delta_length_decode(p, sizeof p, 2, &bv, &used, "x", &err), "%s", err.message);
    cr_assert_eq(used, 15);
    cr_assert(off[0] == 0 && off[1] == 2 && off[2] == 5);
    cr_assert_eq(bv.data, p + 10); /* points into the page */
    cr_assert_null(bv.own);
    cr_assert_eq(memcmp(bv.data + off[1], "cde", 3), 0);
    uint8_t mine[64];
    size_t ml = dlba((const char *const[]){"ab", "cde"}, 2, mine);
    cr_assert_eq(ml, sizeof p);
    cr_assert_eq(memcmp(mine, p, ml), 0);
    for (size_t l = 0; l < sizeof p; l++) {
        lml_pq_byte_values b2 = {.off = off};
        cr_assert_not(lml_pq_delta_length_decode(exact(p, l), l, 2, &b2, &used, "x", &err), "prefix %zu", l);
        cr_assert_eq(err.code, LML_EFORMAT);
    }
}

Test(parquet_encoding, delta_byte_array_front_coding)
{
    /* axis, axle, babble, babyhood -> prefixes 0,2,0,3, suffixes axis, le, babble, yhood. */
    uint8_t p[128];
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    cr_assert(lml_pq_delta_binary_encode((const int64_t[]){0, 2, 0, 3}, 4, false, &buf, &len, &cap, NULL));
    memcpy(p, buf, len);
    free(buf);
    size_t total = len + dlba((const char *const[]){"axis", "le", "babble", "yhood"}, 4, p + len);
    int64_t off[5];
    lml_pq_byte_values bv = {.off = off};
    size_t used = 0;
    lml_error err = {0};
    cr_assert(lml_pq_delta_byte_array_decode(p, total, 4, &bv, &used, "x", &err), "%s", err.message);
    cr_assert_eq(used, total);
    static const int64_t want_off[] = {0, 4, 8, 14, 22};
    for (int i = 0; i < 5; i++)
        cr_assert_eq(off[i], want_off[i], "off[%d] = %lld", i, (long long)off[i]);
    cr_assert_eq(memcmp(bv.data, "axisaxlebabblebabyhood", 22), 0);
    cr_assert_eq(bv.data, bv.own);
    free(bv.own);
    for (size_t l = 0; l < total; l++) {
        uint8_t *copy = malloc(l ? l : 1);
        memcpy(copy, p, l);
        lml_pq_byte_values b2 = {.off = off};
        cr_assert_not(lml_pq_delta_byte_array_decode(copy, l, 4, &b2, &used, "x", &err), "prefix %zu", l);
        cr_assert_eq(err.code, LML_EFORMAT);
        cr_assert_null(b2.own);
        free(copy);
    }
}

Test(parquet_encoding, delta_byte_array_rejects_bad_prefixes)
{
    uint8_t p[128], *buf = NULL;
    size_t len = 0, cap = 0, used;
    int64_t off[3];
    lml_error err = {0};
    /* Prefix 5 but the previous value has 2 bytes. */
    cr_assert(lml_pq_delta_binary_encode((const int64_t[]){0, 5}, 2, false, &buf, &len, &cap, NULL));
    memcpy(p, buf, len);
    size_t total = len + dlba((const char *const[]){"ab", "c"}, 2, p + len);
    lml_pq_byte_values bv = {.off = off};
    cr_assert_not(lml_pq_delta_byte_array_decode(p, total, 2, &bv, &used, "x", &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "prefix length 5"), "%s", err.message);
    /* The first value cannot have a prefix. */
    len = 0;
    cr_assert(lml_pq_delta_binary_encode((const int64_t[]){1, 0}, 2, false, &buf, &len, &cap, NULL));
    memcpy(p, buf, len);
    total = len + dlba((const char *const[]){"ab", "c"}, 2, p + len);
    cr_assert_not(lml_pq_delta_byte_array_decode(p, total, 2, &bv, &used, "x", &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    /* A negative length. */
    len = 0;
    cr_assert(lml_pq_delta_binary_encode((const int64_t[]){-1}, 1, false, &buf, &len, &cap, NULL));
    cr_assert_not(lml_pq_delta_length_decode(buf, len, 1, &bv, &used, "x", &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    free(buf);
}

Test(parquet_encoding, byte_stream_split_spec_example_and_round_trip)
{
    static const uint8_t p[] = {0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4, 0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6};
    static const uint8_t want[] = {0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33, 0xA3, 0xB4, 0xC5, 0xD6};
    uint8_t got[12];
    cr_assert(lml_pq_byte_stream_split_decode(p, sizeof p, 4, got, 3, "x", NULL));
    cr_assert_eq(memcmp(got, want, 12), 0);
    /* Doubles split by hand, and a 3-byte FLBA. */
    double d[5] = {1.5, -2.25, 1e300, 0.0, 3.14159};
    uint8_t split[40], raw[40];
    memcpy(raw, d, sizeof d);
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 8; j++)
            split[j * 5 + i] = raw[i * 8 + j];
    double back[5];
    cr_assert(lml_pq_byte_stream_split_decode(split, 40, 8, back, 5, "x", NULL));
    for (int i = 0; i < 5; i++)
        cr_assert_eq(back[i], d[i]);
    uint8_t fl[6];
    cr_assert(lml_pq_byte_stream_split_decode((const uint8_t[]){1, 4, 2, 5, 3, 6}, 6, 3, fl, 2, "x", NULL));
    cr_assert_eq(memcmp(fl, (const uint8_t[]){1, 2, 3, 4, 5, 6}, 6), 0);
    lml_error err = {0};
    for (size_t l = 0; l < sizeof p; l++) {
        cr_assert_not(lml_pq_byte_stream_split_decode(exact(p, l), l, 4, got, 3, "x", &err), "prefix %zu", l);
        cr_assert_eq(err.code, LML_EFORMAT);
    }
    cr_assert_not(lml_pq_byte_stream_split_decode(p, 12, 0, got, 3, "x", &err));
}

Test(parquet_encoding, random_garbage_is_decoded_or_refused)
{
    /* Hostile pages: every decoder either succeeds or says EFORMAT, reading only [p, p + len)
     * (exact-size heap copies, so ASan would catch a stray read). */
    uint32_t u[64];
    int64_t i64[64], off[65];
    for (int it = 0; it < 3000; it++) {
        uint8_t raw[48];
        size_t len = rnd() % sizeof raw, n = rnd() % 64;
        for (size_t k = 0; k < len; k++)
            raw[k] = (uint8_t)(rnd() % 4 == 0 ? 0 : rnd()); /* zeros make small, plausible headers */
        if (len > 1 && it % 3 == 0)
            raw[0] = 0x80, raw[1] = 0x01; /* a valid DELTA block size, to get past the header */
        const uint8_t *p = exact(raw, len);
        lml_error err = {0};
        int w = (int)(rnd() % 34);
        if (!lml_pq_rle_decode(p, len, w, u, n, NULL, "x", &err))
            cr_assert_eq(err.code, LML_EFORMAT, "%s", err.message);
        if (!lml_pq_bitpacked_decode(p, len, w, u, n, "x", &err))
            cr_assert_eq(err.code, LML_EFORMAT, "%s", err.message);
        if (!lml_pq_delta_binary_decode(p, len, it % 2, i64, n, NULL, "x", &err))
            cr_assert_eq(err.code, LML_EFORMAT, "%s", err.message);
        lml_pq_byte_values bv = {.off = off};
        if (lml_pq_delta_length_decode(p, len, n, &bv, NULL, "x", &err))
            cr_assert_leq(off[n], (int64_t)len);
        else
            cr_assert_eq(err.code, LML_EFORMAT, "%s", err.message);
        bv = (lml_pq_byte_values){.off = off};
        if (lml_pq_delta_byte_array_decode(p, len, n, &bv, NULL, "x", &err))
            free(bv.own);
        else
            cr_assert(err.code == LML_EFORMAT || err.code == LML_EUNSUPPORTED, "%s", err.message);
        bv = (lml_pq_byte_values){.off = off};
        if (lml_pq_plain_decode_bytes(p, len, n, &bv, NULL, "x", &err))
            free(bv.own);
        else
            cr_assert_eq(err.code, LML_EFORMAT, "%s", err.message);
    }
}
