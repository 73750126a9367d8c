/* Deletion vectors: the RoaringBitmapArray format (src/delta/dv_bitmap.c, spec/delta.md §7.3) on
 * its own: encode/decode round trips and sizes, hand-built run, array, bitset and native-format
 * bitmaps, and hostile bitmaps (truncated, lying counts, random damage) that must fail cleanly,
 * also before allocating for a lying cardinality. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delta/dv.h"
#include "delta_dv_support.h"
#include "support.h"

/* ---- round trips */

static void round_trip(const uint64_t *rows, size_t n)
{
    uint8_t *buf;
    size_t len;
    lml_error err = {0};
    cr_assert(lml_dv_bitmap_encode(rows, n, &buf, &len, &err), "%s", err.message);
    lml_dv_rows r;
    cr_assert(lml_dv_bitmap_decode(buf, len, &r, &err), "%s", err.message);
    cr_assert_eq(r.n, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(r.rows[i], rows[i], "row %zu: %llu != %llu", i, (unsigned long long)r.rows[i],
                     (unsigned long long)rows[i]);
    lml_dv_rows_clear(&r);
    free(buf);
}

Test(delta_dv, encode_decode_round_trips_arrays_bitsets_and_several_buckets)
{
    round_trip(NULL, 0);
    uint64_t one = 0;
    round_trip(&one, 1);
    uint64_t *rows = malloc(40000 * sizeof *rows);
    size_t n = 0;
    for (uint64_t v = 0; v < 10000; v++) /* container 0 of bucket 0: a bitset */
        rows[n++] = v;
    for (uint64_t v = 70000; v < 70000 + 4096; v++) /* exactly 4096: still an array */
        rows[n++] = v;
    for (uint64_t v = 0; v < 5000; v++) /* bucket 1, a sparse bitset (every third value) */
        rows[n++] = (1ull << 32) + 65536 * 3 + v * 3 % 65536;
    rows[n++] = (1ull << 32) + 65536 * 5;
    rows[n++] = (3ull << 32) + 65536 * 7 + 9; /* bucket 2 stays empty */
    rows[n++] = (40ull << 32) | 0xFFFFFFFF; /* the top of bucket 40 */
    round_trip(rows, 10000 + 4096);
    round_trip(rows, n);
    free(rows);
}

Test(delta_dv, encoded_sizes_follow_the_array_bitset_threshold)
{
    uint64_t rows[4097];
    for (size_t i = 0; i < 4097; i++)
        rows[i] = i;
    uint8_t *buf;
    size_t len;
    cr_assert(lml_dv_bitmap_encode(rows, 4096, &buf, &len, NULL));
    cr_assert_eq(len, 12 + 12 + 8 + 4096 * 2);
    free(buf);
    cr_assert(lml_dv_bitmap_encode(rows, 4097, &buf, &len, NULL));
    cr_assert_eq(len, 12 + 12 + 8 + 8192);
    cr_assert_eq(buf[24] | buf[25] << 8, 0); /* container key 0, cardinality - 1 = 4096, offset 16 */
    cr_assert_eq(buf[26] | buf[27] << 8, 4096);
    cr_assert_eq(buf[28], 16);
    cr_assert_eq(buf[32], 0xFF); /* bits 0..7 of the bitset */
    cr_assert_eq(buf[32 + 512], 0x01); /* bit 4096 */
    free(buf);
    uint64_t two[2] = {5, (2ull << 32) | 6};
    cr_assert(lml_dv_bitmap_encode(two, 2, &buf, &len, NULL));
    cr_assert_eq(len, 12 + 3 * 12 + 2 * 10, "three buckets (one empty), two one-value containers");
    cr_assert_eq(buf[4], 3);
    free(buf);
}

Test(delta_dv, encode_refuses_unsorted_duplicate_and_out_of_range_rows)
{
    uint8_t *buf;
    size_t len;
    lml_error err = {0};
    uint64_t unsorted[3] = {1, 5, 4}, dup[2] = {7, 7}, big[1] = {1ull << 63};
    cr_assert_not(lml_dv_bitmap_encode(unsorted, 3, &buf, &len, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_not(lml_dv_bitmap_encode(dup, 2, &buf, &len, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_not(lml_dv_bitmap_encode(big, 1, &buf, &len, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_null(buf);
}

/* ---- hand-built bitmaps: run containers, offset headers, the native format */

typedef struct bb {
    uint8_t b[20000];
    size_t n;
} bb;

static void b16(bb *o, uint32_t v)
{
    o->b[o->n++] = (uint8_t)v;
    o->b[o->n++] = (uint8_t)(v >> 8);
}
static void b32(bb *o, uint32_t v)
{
    b16(o, v & 0xFFFF);
    b16(o, v >> 16);
}

/* Portable, one bucket (key 0): containers 0 run {10,11,12,100}, 1 array {5,65535},
 * 2 run [0, 65536), 3 bitset {0..4999}. Four containers with runs: the offset header is present. */
static void mixed_bitmap(bb *o)
{
    o->n = 0;
    b32(o, 1681511377u);
    b32(o, 1);
    b32(o, 0);
    b32(o, 0); /* bucket key */
    b32(o, 12347u | 3u << 16);
    o->b[o->n++] = 0x05; /* containers 0 and 2 are runs */
    b16(o, 0), b16(o, 3);
    b16(o, 1), b16(o, 1);
    b16(o, 2), b16(o, 65535);
    b16(o, 3), b16(o, 4999);
    for (int i = 0; i < 4; i++)
        b32(o, 0); /* offsets: skipped by readers */
    b16(o, 2), b16(o, 10), b16(o, 2), b16(o, 100), b16(o, 0);
    b16(o, 5), b16(o, 65535);
    b16(o, 1), b16(o, 0), b16(o, 65535);
    memset(o->b + o->n, 0, 8192);
    for (int v = 0; v < 5000; v++)
        o->b[o->n + (size_t)v / 8] |= (uint8_t)(1u << (v % 8));
    o->n += 8192;
}

Test(delta_dv, run_array_and_bitset_containers_decode_from_a_hand_built_bitmap)
{
    bb o;
    mixed_bitmap(&o);
    lml_dv_rows r;
    lml_error err = {0};
    cr_assert(lml_dv_bitmap_decode(o.b, o.n, &r, &err), "%s", err.message);
    cr_assert_eq(r.n, 4 + 2 + 65536 + 5000);
    cr_assert_eq(r.rows[0], 10);
    cr_assert_eq(r.rows[2], 12);
    cr_assert_eq(r.rows[3], 100);
    cr_assert_eq(r.rows[4], 65536 + 5);
    cr_assert_eq(r.rows[5], 65536 + 65535);
    cr_assert_eq(r.rows[6], 2 * 65536);
    cr_assert_eq(r.rows[6 + 65535], 3 * 65536 - 1);
    cr_assert_eq(r.rows[6 + 65536], 3 * 65536);
    cr_assert_eq(r.rows[r.n - 1], 3 * 65536 + 4999);
    for (size_t i = 1; i < r.n; i++)
        cr_assert_lt(r.rows[i - 1], r.rows[i]);
    lml_dv_rows_clear(&r);
}

Test(delta_dv, small_run_bitmap_without_offset_header_and_the_native_format_decode)
{
    bb o = {.n = 0};
    b32(&o, 1681511377u);
    b32(&o, 2), b32(&o, 0);
    b32(&o, 0), b32(&o, 12346u), b32(&o, 0); /* bucket 0: empty */
    b32(&o, 1), b32(&o, 12347u);             /* bucket 1: one run container, no offsets */
    o.b[o.n++] = 0x01;
    b16(&o, 0), b16(&o, 2);
    b16(&o, 2), b16(&o, 3), b16(&o, 1), b16(&o, 7), b16(&o, 0);
    lml_dv_rows r;
    lml_error err = {0};
    cr_assert(lml_dv_bitmap_decode(o.b, o.n, &r, &err), "%s", err.message);
    uint64_t want[3] = {(1ull << 32) + 3, (1ull << 32) + 4, (1ull << 32) + 7};
    cr_assert_eq(r.n, 3);
    cr_assert_arr_eq(r.rows, want, sizeof want);
    lml_dv_rows_clear(&r);

    o.n = 0; /* legacy native: count, then per bucket its length and bitmap; key = index */
    b32(&o, 1681511376u);
    b32(&o, 3);
    b32(&o, 18), b32(&o, 12346u), b32(&o, 1), b16(&o, 0), b16(&o, 0), b32(&o, 16), b16(&o, 5);
    b32(&o, 8), b32(&o, 12346u), b32(&o, 0);
    b32(&o, 18), b32(&o, 12346u), b32(&o, 1), b16(&o, 0), b16(&o, 0), b32(&o, 16), b16(&o, 1);
    cr_assert(lml_dv_bitmap_decode(o.b, o.n, &r, &err), "%s", err.message);
    cr_assert_eq(r.n, 2);
    cr_assert_eq(r.rows[0], 5);
    cr_assert_eq(r.rows[1], (2ull << 32) | 1);
    lml_dv_rows_clear(&r);
    o.b[8] = 19; /* a native length that disagrees with its bitmap */
    cr_assert_not(lml_dv_bitmap_decode(o.b, o.n, &r, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
}

/* ---- hostile bitmaps */

static void expect_bad(const uint8_t *p, size_t n, const char *what)
{
    lml_dv_rows r = {0};
    lml_error err = {0};
    cr_assert_not(lml_dv_bitmap_decode(p, n, &r, &err), "%s accepted", what);
    cr_assert_eq(err.code, LML_EFORMAT, "%s: %s", what, err.message);
    cr_assert_null(r.rows);
}

Test(delta_dv, malformed_bitmaps_are_eformat)
{
    uint8_t g[64], b[64];
    size_t n = lml_test_dv_unhex(lml_test_dv_inline_hex, g);
    for (size_t cut = 0; cut < n; cut++)
        expect_bad(g, cut, "truncated");
    uint8_t longer[65];
    memcpy(longer, g, n);
    longer[n] = 0;
    expect_bad(longer, n + 1, "trailing byte");
#define MUT(i, v, what)           \
    do {                          \
        memcpy(b, g, n);          \
        b[i] = (uint8_t)(v);      \
        expect_bad(b, n, what);   \
    } while (0)
    MUT(0, 0xd0 + 2, "bad magic");
    MUT(4, 2, "two buckets, one present");
    MUT(11, 0x10, "bucket count 2^60");
    MUT(15, 0x80, "bucket key 2^31");
    MUT(16, 0x3c, "bad cookie");
    MUT(20, 2, "two containers, one present");
    MUT(22, 0x01, "65537 containers");
    MUT(26, 0x06, "cardinality 7 (runs past the buffer)");
    MUT(34, 0x08, "array values not ascending (3, 8, 7 …)");
    MUT(34, 0x03, "duplicate array value");
    MUT(26, 0x00, "cardinality 1 leaves trailing bytes");
#undef MUT

    bb o;
    mixed_bitmap(&o);
    size_t runs0 = 12 + 4 + 4 + 1 + 16 + 16; /* first run container */
    bb m = o;
    m.b[runs0 + 6] = 11; /* second run starts inside the first: overlap */
    m.b[runs0 + 2] = 10;
    m.b[runs0 + 3] = 0;
    expect_bad(m.b, m.n, "overlapping runs");
    m = o;
    m.b[runs0 + 2 + 4 + 2 + 4 + 2 + 2] = 1; /* run [0, +65536) becomes [1, +65536): past 65535 */
    expect_bad(m.b, m.n, "run past 65535");
    m = o;
    m.b[runs0 + 1] = 0x10; /* 4096 runs claimed */
    expect_bad(m.b, m.n, "run count past the buffer");
    m = o;
    m.b[o.n - 1] = 0x80; /* bitset holds 5001 values, header says 5000 */
    expect_bad(m.b, m.n, "bitset cardinality mismatch");
    m = o;
    m.b[24] = 2; /* container keys 0, 2, 2, 3 */
    expect_bad(m.b, m.n, "container keys not ascending");
    m = o;
    m.b[26] = 4; /* run container 0 claims 5 values, runs hold 4 */
    expect_bad(m.b, m.n, "run cardinality mismatch");
    for (size_t cut = 0; cut < o.n; cut += 7)
        expect_bad(o.b, cut, "truncated mixed bitmap");

    /* Two buckets with the same key, then descending keys. */
    bb k = {.n = 0};
    b32(&k, 1681511377u), b32(&k, 2), b32(&k, 0);
    b32(&k, 1), b32(&k, 12346u), b32(&k, 0);
    b32(&k, 1), b32(&k, 12346u), b32(&k, 0);
    expect_bad(k.b, k.n, "repeated bucket key");
    k.b[24] = 0;
    expect_bad(k.b, k.n, "descending bucket keys");
}

Test(delta_dv, random_damage_never_crashes)
{
    bb o;
    mixed_bitmap(&o);
    uint8_t g[64];
    size_t gn = lml_test_dv_unhex(lml_test_dv_inline_hex, g);
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int iter = 0; iter < 3000; iter++) {
        bool small = iter % 2;
        size_t n = small ? gn : o.n;
        uint8_t b[20000];
        memcpy(b, small ? g : o.b, n);
        /* Damage the headers (the first 80 bytes of the mixed bitmap hold all its counts). */
        for (int k = 0; k < 3; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            b[x % (small ? gn : 80)] = (uint8_t)(x >> 32);
        }
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t len = x % 4 == 0 ? (size_t)(x >> 20) % (n + 1) : n;
        lml_dv_rows r = {0};
        lml_error err = {0};
        if (lml_dv_bitmap_decode(b, len, &r, &err)) {
            for (size_t i = 1; i < r.n; i++)
                cr_assert_lt(r.rows[i - 1], r.rows[i], "decoded rows must ascend");
            lml_dv_rows_clear(&r);
        } else {
            cr_assert_eq(err.code, LML_EFORMAT, "%s", err.message);
        }
    }
}

Test(delta_dv, protocol_md_inline_example_in_the_big_endian_native_layout_is_refused)
{
    /* spec §7.3: PROTOCOL.md's example is known to be wrong; it must fail cleanly, not crash. */
    const char *s = "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L";
    uint8_t b[40];
    cr_assert(lml_z85_decode(s, 50, b, NULL));
    expect_bad(b, 40, "PROTOCOL.md example");
}

Test(delta_dv, a_descriptor_cardinality_far_below_a_run_bitmaps_size_is_refused_before_allocating)
{
    /* 100 full run containers: 6,553,600 rows from ~1.5 KB. The count is checked against the
     * descriptor before any row array exists. */
    static bb o;
    o.n = 0;
    b32(&o, 1681511377u), b32(&o, 1), b32(&o, 0), b32(&o, 0);
    b32(&o, 12347u | 99u << 16);
    memset(o.b + o.n, 0xFF, 13);
    o.n += 13;
    for (uint32_t c = 0; c < 100; c++)
        b16(&o, c), b16(&o, 65535);
    for (uint32_t c = 0; c < 100; c++)
        b32(&o, 0);
    for (uint32_t c = 0; c < 100; c++)
        b16(&o, 1), b16(&o, 0), b16(&o, 65535);
    size_t padded = (o.n + 3) / 4 * 4;
    memset(o.b + o.n, 0, padded - o.n);
    static char z[20000 / 4 * 5 + 1];
    lml_z85_encode(o.b, padded, z);
    lml_dv_descriptor d = {.storage_type = 'i', .path_or_inline = z, .size_in_bytes = (int64_t)o.n, .cardinality = 1};
    lml_dv_rows r;
    lml_error err = {0};
    cr_assert_not(lml_dv_load(&lml_test_dv_storage, "/t", &d, &r, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "6553600 rows"), "%s", err.message);
    d.cardinality = 6553600; /* and with the true count it decodes */
    cr_assert(lml_dv_load(&lml_test_dv_storage, "/t", &d, &r, &err), "%s", err.message);
    cr_assert_eq(r.n, 6553600);
    cr_assert_eq(r.rows[6553599], 6553599);
    lml_dv_rows_clear(&r);
}
