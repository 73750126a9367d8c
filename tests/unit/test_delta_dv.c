/* Deletion vectors (src/delta/dv.c, spec/delta.md §7): Z85, the RoaringBitmapArray format (bytes
 * from the spec, hand-built run/native bitmaps, round trips), DV files (the spec's Spark example
 * and the real files of two golden tables) and hostile inputs that must fail cleanly. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/delta/dv.h"
#include "support.h"

/* ---- a tiny storage of our own (only `read`), so these tests do not depend on storage.c */

static bool test_read(const lml_storage *st, const char *path, size_t max_len, uint8_t **data, size_t *len,
                      lml_error *err)
{
    (void)st;
    FILE *f = fopen(path, "rb");
    if (!f)
        return lml_error_set(err, LML_ENOTFOUND, "%s: not found", path);
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (sz < 0 || (size_t)sz > max_len) {
        fclose(f);
        return lml_error_set(err, LML_EFORMAT, "%s: too large", path);
    }
    *data = malloc((size_t)sz + 1);
    *len = fread(*data, 1, (size_t)sz, f);
    (*data)[*len] = 0;
    fclose(f);
    return true;
}

static const lml_storage test_storage = {.read = test_read};

static size_t unhex(const char *hex, uint8_t *out)
{
    size_t n = 0;
    for (const char *p = hex; *p;) {
        if (*p == ' ' || *p == '|') {
            p++;
            continue;
        }
        unsigned v;
        sscanf(p, "%2x", &v);
        out[n++] = (uint8_t)v;
        p += 2;
    }
    return n;
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    fwrite(p, 1, n, f);
    fclose(f);
}

/* ---- Z85 */

Test(delta_dv, z85_matches_the_zeromq_rfc_vector_both_ways)
{
    static const uint8_t in[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
    char s[11];
    lml_z85_encode(in, 8, s);
    cr_assert_str_eq(s, "HelloWorld");
    uint8_t back[8];
    lml_error err = {0};
    cr_assert(lml_z85_decode("HelloWorld", 10, back, &err), "%s", err.message);
    cr_assert_arr_eq(back, in, 8);
}

Test(delta_dv, z85_round_trips_every_byte_value)
{
    uint8_t in[256], back[256];
    char s[321];
    for (int i = 0; i < 256; i++)
        in[i] = (uint8_t)(i * 37 + 11);
    in[0] = in[1] = in[2] = in[3] = 0xFF; /* the largest group, "%nSc0" */
    lml_z85_encode(in, 256, s);
    cr_assert_eq(strlen(s), 320);
    cr_assert_eq(strncmp(s, "%nSc0", 5), 0, "0xFFFFFFFF encodes as %.5s", s);
    cr_assert(lml_z85_decode(s, 320, back, NULL));
    cr_assert_arr_eq(back, in, 256);
}

Test(delta_dv, z85_rejects_bad_characters_overflowing_groups_and_odd_lengths)
{
    uint8_t out[8];
    lml_error err = {0};
    cr_assert_not(lml_z85_decode("Hello~orld", 10, out, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "position 5"), "%s", err.message);
    cr_assert_not(lml_z85_decode("#####", 5, out, &err)); /* 85^5 - 1 > 2^32 - 1 */
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert_not(lml_z85_decode("%nSc1", 5, out, &err)); /* 0xFFFFFFFF + 1 */
    cr_assert_not(lml_z85_decode("Hell", 4, out, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert_not(lml_z85_decode("Hel\0o", 5, out, &err));
}

/* ---- the spec's inline example (§7.3) */

static const char *inline_z85 = "^Bg9^0rr910000000000iXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L";
static const char *inline_hex =
    "d1d33964 0100000000000000 00000000 3a300000 01000000 0000 0500 10000000 0300 0400 0700 0b00 1200 1d00";
static const uint64_t inline_rows[6] = {3, 4, 7, 11, 18, 29};

Test(delta_dv, spec_inline_example_decodes_to_its_bytes_and_rows)
{
    uint8_t want[64], got[64];
    size_t n = unhex(inline_hex, want);
    cr_assert_eq(n, 44);
    cr_assert_eq(strlen(inline_z85), 55);
    cr_assert(lml_z85_decode(inline_z85, 55, got, NULL));
    cr_assert_arr_eq(got, want, 44);

    lml_dv_rows r;
    lml_error err = {0};
    cr_assert(lml_dv_bitmap_decode(want, 44, &r, &err), "%s", err.message);
    cr_assert_eq(r.n, 6);
    cr_assert_arr_eq(r.rows, inline_rows, sizeof inline_rows);
    lml_dv_rows_clear(&r);

    lml_dv_descriptor d = {.storage_type = 'i', .path_or_inline = inline_z85, .size_in_bytes = 44, .cardinality = 6};
    cr_assert(lml_dv_load(&test_storage, "/nonexistent", &d, &r, &err), "%s", err.message);
    cr_assert_eq(r.n, 6);
    cr_assert_arr_eq(r.rows, inline_rows, sizeof inline_rows);
    lml_dv_rows_clear(&r);
    lml_dv_rows_clear(&r); /* clearing twice is harmless */
}

Test(delta_dv, encoding_the_inline_example_rows_gives_the_spec_bytes_and_string)
{
    uint8_t want[64];
    unhex(inline_hex, want);
    uint8_t *buf;
    size_t len;
    lml_error err = {0};
    cr_assert(lml_dv_bitmap_encode(inline_rows, 6, &buf, &len, &err), "%s", err.message);
    cr_assert_eq(len, 44);
    cr_assert_arr_eq(buf, want, 44);
    uint8_t padded[48] = {0};
    memcpy(padded, buf, 44);
    char s[61];
    lml_z85_encode(padded, 44, s); /* 44 is a multiple of 4: no padding needed */
    cr_assert_str_eq(s, inline_z85);
    free(buf);
}

Test(delta_dv, inline_descriptor_with_wrong_cardinality_or_size_is_an_error)
{
    lml_dv_rows r;
    lml_error err = {0};
    lml_dv_descriptor d = {.storage_type = 'i', .path_or_inline = inline_z85, .size_in_bytes = 44, .cardinality = 5};
    cr_assert_not(lml_dv_load(&test_storage, "/t", &d, &r, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "cardinality"), "%s", err.message);
    cr_assert_null(r.rows);
    d.cardinality = 6;
    d.size_in_bytes = 40; /* cuts the last two values off: trailing structure missing */
    cr_assert_not(lml_dv_load(&test_storage, "/t", &d, &r, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    d.size_in_bytes = 60; /* more than 55 characters can hold */
    cr_assert_not(lml_dv_load(&test_storage, "/t", &d, &r, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
}

/* ---- paths (§7.1) */

Test(delta_dv, uuid_descriptor_names_the_prefixed_file_of_the_spec_example)
{
    lml_dv_descriptor d = {.storage_type = 'u', .path_or_inline = "ab^-aqEH.-t@S}K{vb[*k^"};
    lml_error err = {0};
    char *p = lml_dv_file_path("/data/t", &d, &err);
    cr_assert_not_null(p, "%s", err.message);
    cr_assert_str_eq(p, "/data/t/ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin");
    free(p);
    d.path_or_inline = "^-aqEH.-t@S}K{vb[*k^"; /* no prefix: no subdirectory */
    p = lml_dv_file_path("/data/t/", &d, &err);
    cr_assert_str_eq(p, "/data/t/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin");
    free(p);
}

Test(delta_dv, absolute_descriptor_paths_are_uri_decoded_and_other_types_refused)
{
    lml_error err = {0};
    lml_dv_descriptor d = {.storage_type = 'p', .path_or_inline = "file:///tmp/a%20b/deletion_vector_x.bin"};
    char *p = lml_dv_file_path("/t", &d, &err);
    cr_assert_str_eq(p, "/tmp/a b/deletion_vector_x.bin");
    free(p);
    d.path_or_inline = "file:/tmp/c%3Dd.bin";
    p = lml_dv_file_path("/t", &d, &err);
    cr_assert_str_eq(p, "/tmp/c=d.bin");
    free(p);
    d.path_or_inline = "s3://bucket/dv.bin";
    cr_assert_null(lml_dv_file_path("/t", &d, &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED);
    d.path_or_inline = "file:///tmp/bad%zz";
    cr_assert_null(lml_dv_file_path("/t", &d, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    d.storage_type = 'r';
    d.path_or_inline = "ab^-aqEH.-t@S}K{vb[*k^";
    cr_assert_null(lml_dv_file_path("/t", &d, &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED);
    cr_assert(strstr(err.message, "'r'"), "%s", err.message);
    lml_dv_rows r;
    cr_assert_not(lml_dv_load(&test_storage, "/t", &d, &r, &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED);
}

Test(delta_dv, uuid_descriptors_that_are_short_bad_z85_or_climb_out_are_refused)
{
    lml_error err = {0};
    const char *bad[] = {"aqEH.-t@S}K{vb[*k^", "ab^-aqEH.-t@S}K{vb[*k~", "../^-aqEH.-t@S}K{vb[*k^",
                         "../^-aqEH.-t@S}K{vb[*k^", "..^-aqEH.-t@S}K{vb[*k^", "#####^-aqEH.-t@S}K{vb"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        lml_dv_descriptor d = {.storage_type = 'u', .path_or_inline = bad[i]};
        cr_assert_null(lml_dv_file_path("/t", &d, &err), "%s accepted", bad[i]);
        cr_assert_eq(err.code, LML_EFORMAT, "%s: %s", bad[i], err.message);
    }
}

/* ---- DV files (§7.4) */

static const char *spark_file_hex =
    "01 | 00000022 | d1d33964 0100000000000000 00000000 3a300000 01000000 0000 0000 10000000 0000 | f7a6b4b5";

Test(delta_dv, spark_dv_file_example_loads_through_u_and_p_descriptors)
{
    uint8_t bytes[64];
    size_t n = unhex(spark_file_hex, bytes);
    cr_assert_eq(n, 43);
    const char *dir = lml_test_temp_dir();
    char path[600], uri[620];
    snprintf(path, sizeof path, "%s/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin", dir);
    write_file(path, bytes, n);

    lml_dv_rows r;
    lml_error err = {0};
    lml_dv_descriptor d = {.storage_type = 'u', .path_or_inline = "^-aqEH.-t@S}K{vb[*k^", .has_offset = true,
                           .offset = 1, .size_in_bytes = 34, .cardinality = 1};
    cr_assert(lml_dv_load(&test_storage, dir, &d, &r, &err), "%s", err.message);
    cr_assert_eq(r.n, 1);
    cr_assert_eq(r.rows[0], 0);
    lml_dv_rows_clear(&r);

    snprintf(uri, sizeof uri, "file://%s", path);
    d.storage_type = 'p';
    d.path_or_inline = uri;
    d.has_offset = false; /* absent offset: the DV right after the version byte */
    cr_assert(lml_dv_load(&test_storage, "/elsewhere", &d, &r, &err), "%s", err.message);
    cr_assert_eq(r.n, 1);
    lml_dv_rows_clear(&r);
    remove(path);
    rmdir(dir);
}

static lml_errcode load_mutated(const uint8_t *bytes, size_t n, int64_t offset, int64_t size, int64_t card,
                                lml_error *err)
{
    const char *dir = lml_test_temp_dir();
    char path[600];
    snprintf(path, sizeof path, "%s/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin", dir);
    write_file(path, bytes, n);
    lml_dv_descriptor d = {.storage_type = 'u', .path_or_inline = "^-aqEH.-t@S}K{vb[*k^", .has_offset = true,
                           .offset = offset, .size_in_bytes = size, .cardinality = card};
    lml_dv_rows r = {0};
    bool ok = lml_dv_load(&test_storage, dir, &d, &r, err);
    cr_assert_null(r.rows);
    remove(path);
    rmdir(dir);
    return ok ? LML_OK : err->code;
}

Test(delta_dv, damaged_dv_files_fail_with_clean_errors_naming_the_file)
{
    uint8_t good[64], b[64];
    size_t n = unhex(spark_file_hex, good);
    lml_error err = {0};

    memcpy(b, good, n);
    b[42] ^= 1; /* CRC */
    cr_assert_eq(load_mutated(b, n, 1, 34, 1, &err), LML_EFORMAT);
    cr_assert(strstr(err.message, "CRC") && strstr(err.message, "deletion_vector_d2c639aa"), "%s", err.message);

    memcpy(b, good, n);
    b[0] = 2; /* version */
    cr_assert_eq(load_mutated(b, n, 1, 34, 1, &err), LML_EFORMAT);
    cr_assert(strstr(err.message, "version"), "%s", err.message);

    cr_assert_eq(load_mutated(good, n, 1, 30, 1, &err), LML_EFORMAT); /* size field != sizeInBytes */
    cr_assert(strstr(err.message, "sizeInBytes"), "%s", err.message);
    cr_assert_eq(load_mutated(good, n, 1, 34, 2, &err), LML_EFORMAT); /* cardinality */
    cr_assert_eq(load_mutated(good, n, 0, 34, 1, &err), LML_EFORMAT); /* offset on the version byte */
    cr_assert_eq(load_mutated(good, n, 40, 34, 1, &err), LML_EFORMAT);
    cr_assert_eq(load_mutated(good, n, INT64_MAX, 34, 1, &err), LML_EFORMAT);
    cr_assert_eq(load_mutated(good, n, 1, -1, 1, &err), LML_EFORMAT);
    for (size_t cut = 0; cut < n; cut++)
        cr_assert_eq(load_mutated(good, cut, 1, 34, 1, &err), LML_EFORMAT, "cut at %zu: %s", cut, err.message);

    memcpy(b, good, n); /* a lying size field, consistent with the descriptor */
    b[1] = 0x7f;
    cr_assert_eq(load_mutated(b, n, 1, 0x7f000022, 1, &err), LML_EFORMAT);

    lml_dv_descriptor d = {.storage_type = 'u', .path_or_inline = "^-aqEH.-t@S}K{vb[*k^", .has_offset = true,
                           .offset = 1, .size_in_bytes = 34, .cardinality = 1};
    lml_dv_rows r;
    cr_assert_not(lml_dv_load(&test_storage, "/nonexistent-dir", &d, &r, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
}

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
    size_t n = unhex(inline_hex, g);
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
    size_t gn = unhex(inline_hex, g);
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

/* ---- real DV files written by Spark (golden tables) */

static char *slurp(const char *path)
{
    uint8_t *d;
    size_t n;
    lml_error err = {0};
    cr_assert(test_read(NULL, path, 1 << 26, &d, &n, &err), "%s", err.message);
    return (char *)d;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Loads every deletionVector of every add/remove in the table's JSON commits; checks each against
 * its cardinality and its file's numRecords. Returns how many were loaded; `check` sees each. */
static size_t load_all_dvs(const char *table, void (*check)(const lml_dv_descriptor *, const lml_dv_rows *))
{
    char logdir[1024];
    snprintf(logdir, sizeof logdir, "%s/_delta_log", table);
    DIR *dir = opendir(logdir);
    cr_assert_not_null(dir, "%s", logdir);
    char *names[256];
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(dir)) && nn < 256) {
        size_t l = strlen(e->d_name);
        if (l == 25 && strcmp(e->d_name + 20, ".json") == 0)
            names[nn++] = strdup(e->d_name);
    }
    closedir(dir);
    qsort(names, nn, sizeof *names, cmp_names);
    size_t loaded = 0;
    for (size_t f = 0; f < nn; f++) {
        char path[1300];
        snprintf(path, sizeof path, "%s/%s", logdir, names[f]);
        char *text = slurp(path);
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
            cJSON *j = cJSON_Parse(line);
            cr_assert_not_null(j, "%s: bad JSON line", path);
            cJSON *act = cJSON_GetObjectItem(j, "add");
            if (!act)
                act = cJSON_GetObjectItem(j, "remove");
            cJSON *dv = act ? cJSON_GetObjectItem(act, "deletionVector") : NULL;
            if (dv && cJSON_IsObject(dv)) {
                cJSON *off = cJSON_GetObjectItem(dv, "offset");
                lml_dv_descriptor d = {
                    .storage_type = cJSON_GetStringValue(cJSON_GetObjectItem(dv, "storageType"))[0],
                    .path_or_inline = cJSON_GetStringValue(cJSON_GetObjectItem(dv, "pathOrInlineDv")),
                    .has_offset = off != NULL,
                    .offset = off ? (int64_t)off->valuedouble : 0,
                    .size_in_bytes = (int64_t)cJSON_GetObjectItem(dv, "sizeInBytes")->valuedouble,
                    .cardinality = (int64_t)cJSON_GetObjectItem(dv, "cardinality")->valuedouble};
                lml_dv_rows r;
                lml_error err = {0};
                cr_assert(lml_dv_load(&test_storage, table, &d, &r, &err), "%s: %s", names[f], err.message);
                cr_assert_eq((int64_t)r.n, d.cardinality);
                cJSON *stats = cJSON_Parse(cJSON_GetStringValue(cJSON_GetObjectItem(act, "stats")));
                cJSON *nrec = stats ? cJSON_GetObjectItem(stats, "numRecords") : NULL;
                if (nrec) /* some removes carry no stats */
                    cr_assert_lt(r.rows[r.n - 1], (uint64_t)nrec->valuedouble, "deleted row beyond the file");
                cJSON_Delete(stats);
                if (check)
                    check(&d, &r);
                lml_dv_rows_clear(&r);
                loaded++;
            }
            cJSON_Delete(j);
        }
        free(text);
        free(names[f]);
    }
    return loaded;
}

static void check_key_cases(const lml_dv_descriptor *d, const lml_dv_rows *r)
{
    /* The table deletes id 0, then 7, then 14 (ids equal row positions: one file, ids 0..49). */
    static const uint64_t want[3] = {0, 7, 14};
    cr_assert(d->cardinality >= 1 && d->cardinality <= 3);
    cr_assert_arr_eq(r->rows, want, (size_t)d->cardinality * sizeof *want);
    cr_assert_eq(d->size_in_bytes, 32 + 2 * d->cardinality);
}

Test(delta_dv, golden_log_replay_dv_key_cases_dvs_load_with_their_cardinality)
{
    LML_REQUIRE_SHARED(table, "conformance/delta/golden/log-replay-dv-key-cases");
    cr_assert_eq(load_all_dvs(table, check_key_cases), 5); /* 3 adds and 2 removes carry DVs */
}

Test(delta_dv, golden_dv_partitioned_with_checkpoint_dvs_load_with_their_cardinality)
{
    LML_REQUIRE_SHARED(table, "conformance/delta/golden/dv-partitioned-with-checkpoint");
    size_t n = load_all_dvs(table, NULL);
    cr_assert_eq(n, 18, "%zu DVs found in the JSON commits (commits 0..15 carry 18)", n);
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
    cr_assert_not(lml_dv_load(&test_storage, "/t", &d, &r, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "6553600 rows"), "%s", err.message);
    d.cardinality = 6553600; /* and with the true count it decodes */
    cr_assert(lml_dv_load(&test_storage, "/t", &d, &r, &err), "%s", err.message);
    cr_assert_eq(r.n, 6553600);
    cr_assert_eq(r.rows[6553599], 6553599);
    lml_dv_rows_clear(&r);
}
