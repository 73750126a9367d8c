/* Row concatenation (lml_column_concat): every type from parts of 0, 5 and 13 rows with nulls at
 * odd rows (so bitmaps meet mid-byte), checked cell by cell against the parts; nested offsets
 * rebased and null list ranges dropped; type errors; lying offsets that would overflow int32.
 * Spark's unionByName (lml_frame_union_by_name): test_frame_concat_union.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frame/internal.h"
#include "frame_concat_support.h"
#include "support.h"

/* Row r of a vector column as dense values. */
static void vector_row(const lml_column *c, size_t r, double *out)
{
    size_t d = lml_column_vector_size(c);
    if (!lml_column_vector_is_sparse(c)) {
        memcpy(out, lml_column_vector_dense(c) + r * d, d * sizeof *out);
        return;
    }
    memset(out, 0, d * sizeof *out);
    const int64_t *ip = lml_column_vector_indptr(c);
    for (int64_t e = ip[r]; e < ip[r + 1]; e++)
        out[lml_column_vector_indices(c)[e]] = lml_column_vector_values(c)[e];
}

/* Concatenates the parts and checks every cell of the result against the part it came from. */
static lml_column *check_concat(lml_column **parts, size_t np)
{
    lml_error err = {0};
    lml_column *c = lml_column_concat((const lml_column *const *)parts, np, &err);
    cr_assert_not_null(c, "%s", err.message);
    size_t total = 0, nulls = 0;
    for (size_t p = 0; p < np; p++)
        total += lml_column_length(parts[p]), nulls += lml_column_null_count(parts[p]);
    cr_assert_eq(lml_column_type(c), lml_column_type(parts[0]));
    cr_assert_eq(lml_column_length(c), total);
    cr_assert_eq(lml_column_null_count(c), nulls, "null count %zu, parts have %zu", lml_column_null_count(c), nulls);
    bool vec = lml_column_type(c) == LML_VECTOR;
    size_t r = 0;
    for (size_t p = 0; p < np; p++) {
        for (size_t i = 0; i < lml_column_length(parts[p]); i++, r++) {
            cr_assert_eq(lml_column_is_null(c, r), lml_column_is_null(parts[p], i), "row %zu (part %zu row %zu)", r, p, i);
            if (vec) {
                double a[8], b[8];
                vector_row(c, r, a);
                vector_row(parts[p], i, b);
                for (size_t j = 0; j < lml_column_vector_size(c); j++) /* == : -0.0 entries leave a CSR as 0 */
                    cr_assert(a[j] == b[j], "vector row %zu [%zu]: %g vs %g", r, j, a[j], b[j]);
                continue;
            }
            char want[512], got[512];
            lml_format_value(parts[p], i, want, sizeof want);
            lml_format_value(c, r, got, sizeof got);
            cr_assert_str_eq(got, want, "row %zu (part %zu row %zu)", r, p, i);
            lml_value vg = lml_column_get(c, r), vw = lml_column_get(parts[p], i);
            if (!vw.is_null && (vw.type == LML_INT64 || vw.type == LML_TIMESTAMP || vw.type == LML_TIMESTAMP_NTZ))
                cr_assert_eq(vg.v.i64, vw.v.i64);
            if (!vw.is_null && vw.type == LML_DECIMAL)
                cr_assert(vg.v.dec.lo == vw.v.dec.lo && vg.v.dec.hi == vw.v.dec.hi && vg.v.dec.precision == 10 &&
                          vg.v.dec.scale == 2);
        }
    }
    const uint8_t *v = lml_column_validity(c);
    if (v && total % 8) /* bits past the last row stay clear */
        cr_assert_eq(v[total / 8] >> (total % 8), 0, "padding bits of the validity are set");
    return c;
}

static void check_kind(lml_test_concat_kind k)
{
    lml_column *parts[3] = {lml_test_concat_part(k, 0, 0), lml_test_concat_part(k, 5, 0), lml_test_concat_part(k, 13, 5)};
    lml_column *c = check_concat(parts, 3);
    cr_assert_eq(lml_column_null_count(c), 2 + 6);
    /* one value per kind checked against what the generator put there, not only against the parts */
    char buf[256];
    lml_format_value(c, 6, buf, sizeof buf); /* part 2, row 1: null */
    cr_assert_str_eq(buf, "NULL");
    lml_format_value(c, 7, buf, sizeof buf); /* g = 7 */
    static const char *const want7[] = {
        [K_BOOL] = "false", [K_INT8] = "-5", [K_INT16] = "100", [K_INT32] = "-1", [K_INT64] = "604799999997",
        [K_FLOAT] = "2.25", [K_DOUBLE] = "4.700000000000001", [K_STRING] = "s7", [K_BINARY] = "[07 FF 00]",
        [K_DECIMAL] = "364.15", [K_DENSE] = "[7.0,0.0,-3.5]", [K_SPARSE] = "(3,[1],[7.25])",
        [K_LIST_STR] = "[e7_0, e7_1, e7_2]", [K_STRUCT] = "{77, [e7_0, e7_1, e7_2]}", [K_MAP] = "{k7_0 -> 70}"};
    if (k != K_TIMESTAMP && k != K_DATE && k != K_TIMESTAMP_NTZ) /* these three checked as numbers below */
        cr_assert_str_eq(buf, want7[k], "kind %d row 7: %s", (int)k, buf);
    lml_value v7 = lml_column_get(c, 7);
    if (k == K_DATE)
        cr_assert_eq(v7.v.i32, 7 * 400 - 50);
    if (k == K_TIMESTAMP)
        cr_assert_eq(v7.v.i64, 7 * 86400000000LL - 3);
    if (k == K_TIMESTAMP_NTZ)
        cr_assert_eq(v7.v.i64, 7 * 3600000001LL + 7);
    lml_column_free(c);
    for (int p = 0; p < 3; p++)
        lml_column_free(parts[p]);
}

#define KIND_TEST(name, k) Test(frame_concat, concat_##name##_from_parts_of_0_5_13_rows) { check_kind(k); }
KIND_TEST(bool, K_BOOL)
KIND_TEST(int8, K_INT8)
KIND_TEST(int16, K_INT16)
KIND_TEST(int32, K_INT32)
KIND_TEST(int64, K_INT64)
KIND_TEST(float, K_FLOAT)
KIND_TEST(double, K_DOUBLE)
KIND_TEST(string, K_STRING)
KIND_TEST(binary, K_BINARY)
KIND_TEST(date, K_DATE)
KIND_TEST(timestamp, K_TIMESTAMP)
KIND_TEST(timestamp_ntz, K_TIMESTAMP_NTZ)
KIND_TEST(decimal, K_DECIMAL)
KIND_TEST(dense_vector, K_DENSE)
KIND_TEST(sparse_vector, K_SPARSE)
KIND_TEST(lml_test_concat_list_of_strings, K_LIST_STR)
KIND_TEST(struct_with_list, K_STRUCT)
KIND_TEST(map, K_MAP)

/* ---------------------------------------------------------------- layouts */

Test(frame_concat, vectors_stay_dense_unless_a_part_is_sparse)
{
    lml_column *dense[3] = {lml_test_concat_part(K_DENSE, 0, 0), lml_test_concat_part(K_DENSE, 5, 0), lml_test_concat_part(K_DENSE, 13, 5)};
    lml_column *c = check_concat(dense, 3);
    cr_assert(!lml_column_vector_is_sparse(c));
    cr_assert_eq(lml_column_vector_dense(c)[3 * 17 + 2], -8.5);
    lml_column_free(c);
    /* sparse (0 rows), dense (5), sparse (13): CSR holding only the dense rows' non-zeros */
    lml_column *mixed[3] = {lml_test_concat_part(K_SPARSE, 0, 0), dense[1], lml_test_concat_part(K_SPARSE, 13, 5)};
    c = check_concat(mixed, 3);
    cr_assert(lml_column_vector_is_sparse(c));
    const int64_t *ip = lml_column_vector_indptr(c);
    cr_assert_eq(ip[1] - ip[0], 0, "row 0 is [0, 0, -0.0]: no non-zero entries"); /* -0.5 * 0 */
    cr_assert_eq(ip[2] - ip[1], 2, "row 1 is [1, 0, -0.5]");
    cr_assert_eq(lml_column_vector_indices(c)[ip[1] + 1], 2);
    char buf[64];
    lml_format_value(c, 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "NULL");
    lml_format_value(c, 2, buf, sizeof buf);
    cr_assert_str_eq(buf, "(3,[0,2],[2.0,-1.0])");
    lml_column_free(c);
    lml_column_free(mixed[0]);
    lml_column_free(mixed[2]);
    for (int p = 0; p < 3; p++)
        lml_column_free(dense[p]);
}

Test(frame_concat, bitmaps_merge_bit_exactly_at_every_misalignment)
{
    /* bool values and validity through the shifted-byte path: parts of 3, 100, 37, 1, 64 rows */
    size_t lens[5] = {3, 100, 37, 1, 64}, base = 0;
    lml_column *parts[5];
    for (int p = 0; p < 5; p++) {
        parts[p] = lml_test_concat_part(K_BOOL, lens[p], base);
        base += lens[p];
    }
    lml_column *c = check_concat(parts, 5);
    for (size_t r = 0, p = 0, i = 0; r < base; r++, i++) {
        if (i == lens[p])
            p++, i = 0;
        cr_assert_eq(lml_column_is_null(c, r), (bool)(i & 1), "row %zu", r);
        if (!(i & 1))
            cr_assert_eq(lml_column_bool_at(c, r), r % 3 == 0, "row %zu", r);
    }
    lml_column_free(c);
    for (int p = 0; p < 5; p++)
        lml_column_free(parts[p]);
}

Test(frame_concat, list_offsets_rebase_from_zero_and_null_ranges_are_dropped)
{
    lml_column *parts[3] = {lml_test_concat_part(K_LIST_STR, 0, 0), lml_test_concat_part(K_LIST_STR, 5, 0), lml_test_concat_part(K_LIST_STR, 13, 5)};
    lml_column *c = check_concat(parts, 3);
    const int32_t *o = lml_column_offsets(c);
    cr_assert_eq(o[0], 0);
    /* present rows: part 1 rows 0,2,4 (g 0,2,4 → 0+2+0), part 2 rows 0,2,..,12 (g 5,7,..,17) */
    int32_t want = 0 + 2 + 0;
    for (size_t g = 5; g <= 17; g += 2)
        want += (int32_t)(g % 4);
    cr_assert_eq(o[18], want);
    cr_assert_eq(lml_column_length(lml_column_child(c, 0)), (size_t)want, "the junk elements are gone");
    cr_assert_eq(o[7] - o[6], 0, "a null row is empty");
    for (size_t e = 0; e < (size_t)want; e++) {
        size_t len;
        const char *s = lml_column_string_at(lml_column_child(c, 0), e, &len);
        cr_assert(lml_column_is_null(lml_column_child(c, 0), e) || (len >= 2 && s[0] == 'e'), "element %zu", e);
    }
    lml_column_free(c);
    for (int p = 0; p < 3; p++)
        lml_column_free(parts[p]);
}

Test(frame_concat, one_column_is_a_new_reference_and_zero_is_an_error)
{
    lml_column *a = lml_test_concat_part(K_INT32, 5, 0);
    lml_error err = {0};
    lml_column *c = lml_column_concat((const lml_column *const[]){a}, 1, &err);
    cr_assert_eq(c, a);
    lml_column_free(c);
    cr_assert_eq(lml_column_length(a), 5); /* still alive: concat took its own reference */
    cr_assert_null(lml_column_concat((const lml_column *const[]){a}, 0, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_null(lml_column_concat((const lml_column *const[]){a, NULL}, 2, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "column 1"), "%s", err.message);
    lml_column_free(a);
}

static void expect_type_error(lml_column *a, lml_column *b, const char *ta, const char *tb)
{
    lml_error err = {0};
    cr_assert_null(lml_column_concat((const lml_column *const[]){a, a, b}, 3, &err));
    cr_assert_eq(err.code, LML_ETYPE, "%s", err.message);
    cr_assert(strstr(err.message, "column 2") && strstr(err.message, ta) && strstr(err.message, tb), "%s",
              err.message);
    lml_column_free(a);
    lml_column_free(b);
}

Test(frame_concat, mismatched_types_name_both)
{
    expect_type_error(lml_test_concat_part(K_INT32, 3, 0), lml_test_concat_part(K_STRING, 3, 0), "is integer", "is string");
    expect_type_error(lml_test_concat_part(K_DATE, 3, 0), lml_test_concat_part(K_INT32, 3, 0), "is date", "is integer");
    uint8_t d[16] = {0};
    expect_type_error(lml_test_concat_part(K_DECIMAL, 1, 0), lml_column_from_decimals(d, NULL, 1, 10, 3, NULL), "decimal(10,2)",
                      "decimal(10,3)");
    expect_type_error(lml_test_concat_part(K_DENSE, 2, 0), lml_column_vector_from_dense((double[]){1, 2, 3, 4}, 1, 4, NULL),
                      "vector(size 3)", "vector(size 4)");
    lml_column *i = lml_column_from_int32s((int32_t[]){1}, NULL, 1, NULL);
    expect_type_error(lml_test_concat_part(K_LIST_STR, 2, 0), lml_column_list_new((int32_t[]){0, 1}, NULL, 1, i, NULL),
                      "array<string>", "array<integer>");
    lml_column *kv = lml_column_from_strings((const char *[]){"k"}, 1, NULL);
    expect_type_error(lml_test_concat_part(K_MAP, 3, 0), lml_column_map_new((int32_t[]){0, 1}, NULL, 1, kv, kv, NULL),
                      "map<string,integer>", "map<string,string>");
    lml_column_free(kv);
    lml_column *s1 = lml_column_struct_new(1, 1, (const char *[]){"a"}, &i, NULL, NULL);
    lml_column *s2 = lml_column_struct_new(1, 1, (const char *[]){"b"}, &i, NULL, NULL);
    expect_type_error(s1, s2, "struct<a:integer>", "struct<b:integer>");
    lml_column_free(i);
}

/* Lying offsets (as a hostile producer could make): the totals are checked before anything is
 * copied, so the lie is never followed. */
Test(frame_concat, offsets_past_int32_are_a_range_error_before_copying)
{
    lml_column *s = lml_column_alloc(LML_STRING, 1, 0, false, NULL);
    cr_assert_not_null(s);
    s->offsets[1] = INT32_MAX; /* claims 2 GiB of bytes it does not have */
    lml_error err = {0};
    cr_assert_null(lml_column_concat((const lml_column *const[]){s, s}, 2, &err));
    cr_assert_eq(err.code, LML_ERANGE, "%s", err.message);
    cr_assert(strstr(err.message, "2 GiB"), "%s", err.message);
    s->offsets[1] = 0;
    lml_column_free(s);

    lml_column *el = lml_column_from_int32s((int32_t[]){1}, NULL, 1, NULL);
    lml_column *l = lml_column_list_new((int32_t[]){0, 1}, NULL, 1, el, NULL);
    l->offsets[1] = INT32_MAX; /* claims 2^31 - 1 elements of a 1-element child */
    cr_assert_null(lml_column_concat((const lml_column *const[]){l, l}, 2, &err));
    cr_assert_eq(err.code, LML_ERANGE, "%s", err.message);
    cr_assert(strstr(err.message, "array"), "%s", err.message);
    lml_column_free(l);
    lml_column_free(el);
}
