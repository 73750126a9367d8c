/* Row concatenation (lml_column_concat) and Spark's unionByName (lml_frame_union_by_name): every
 * type from parts of 0, 5 and 13 rows with nulls at odd rows (so bitmaps meet mid-byte), checked
 * cell by cell against the parts; nested offsets rebased and null list ranges dropped; type and
 * name errors; lying offsets that would overflow int32; 1000 one-row frames against one frame. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frame/internal.h"
#include "support.h"

#define MAXROWS 128

typedef enum kind {
    K_BOOL, K_INT8, K_INT16, K_INT32, K_INT64, K_FLOAT, K_DOUBLE, K_STRING, K_BINARY, K_DATE, K_TIMESTAMP,
    K_TIMESTAMP_NTZ, K_DECIMAL, K_DENSE, K_SPARSE, K_LIST_STR, K_STRUCT, K_MAP
} kind;

/* Bit i set (present) for even i: nulls at odd rows of each part. */
static void odd_nulls(uint8_t *bits, size_t n)
{
    memset(bits, 0, lml_bitmap_bytes(MAXROWS));
    for (size_t i = 0; i < n; i += 2)
        lml_bit_set(bits, i);
}

/* Gives a column made without a validity argument (vectors) nulls at odd rows. */
static lml_column *with_odd_nulls(lml_column *c)
{
    cr_assert_null(c->validity);
    c->validity = lml_aligned_calloc(lml_bitmap_bytes(c->length));
    cr_assert_not_null(c->validity);
    for (size_t i = 0; i < c->length; i += 2)
        lml_bit_set(c->validity, i);
    return lml_column_seal(c);
}

static void dec_of(int64_t unscaled, uint8_t out[16])
{
    uint64_t lo = (uint64_t)unscaled;
    int64_t hi = unscaled < 0 ? -1 : 0;
    memcpy(out, &lo, 8);
    memcpy(out + 8, &hi, 8);
}

/* list<string> of n rows; row i (global g = base + i) holds g % 4 strings "e<g>_<k>". The child
 * starts with a junk element (offsets[0] = 1), and each null row's range holds one junk element,
 * which concatenation must drop. */
static lml_column *list_of_strings(size_t n, size_t base, bool nulls)
{
    const char *elems[4 * MAXROWS + 1];
    char store[4 * MAXROWS + 1][24];
    int32_t offs[MAXROWS + 1];
    uint8_t valid[MAXROWS / 8 + 1];
    odd_nulls(valid, n);
    size_t m = 0;
    snprintf(store[m], sizeof store[m], "junk");
    elems[m] = store[m];
    m++;
    offs[0] = 1;
    for (size_t i = 0; i < n; i++) {
        size_t g = base + i;
        if (nulls && (i & 1)) {
            snprintf(store[m], sizeof store[m], "junk%zu", g);
            elems[m] = store[m];
            m++;
        } else {
            for (size_t k = 0; k < g % 4; k++) {
                snprintf(store[m], sizeof store[m], "e%zu_%zu", g, k);
                elems[m] = k == 1 && g % 8 == 3 ? NULL : store[m]; /* a null element now and then */
                m++;
            }
        }
        offs[i + 1] = (int32_t)m;
    }
    lml_column *child = lml_column_from_strings(elems, m, NULL);
    cr_assert_not_null(child);
    lml_error err = {0};
    lml_column *c = lml_column_list_new(offs, nulls ? valid : NULL, n, child, &err);
    cr_assert_not_null(c, "%s", err.message);
    lml_column_free(child);
    return c;
}

/* A part of n rows of kind k whose row i holds a value derived from g = base + i. */
static lml_column *make_part(kind k, size_t n, size_t base)
{
    uint8_t valid[MAXROWS / 8 + 1];
    odd_nulls(valid, n);
    lml_error err = {0};
    lml_column *c = NULL;
    switch (k) {
    case K_BOOL: {
        lml_column_builder *b = lml_column_builder_new(LML_BOOL, n, NULL);
        for (size_t i = 0; i < n; i++)
            (i & 1) ? lml_column_builder_append_null(b, NULL) : lml_column_builder_append_bool(b, (base + i) % 3 == 0, NULL);
        c = lml_column_builder_finish(b, &err);
        break;
    }
    case K_INT8: {
        int8_t v[MAXROWS] = {0};
        for (size_t i = 0; i < n; i++)
            v[i] = (int8_t)((int)(base + i) * 5 - 40);
        c = lml_column_from_int8s(v, valid, n, &err);
        break;
    }
    case K_INT16: {
        int16_t v[MAXROWS] = {0};
        for (size_t i = 0; i < n; i++)
            v[i] = (int16_t)((int)(base + i) * 300 - 2000);
        c = lml_column_from_int16s(v, valid, n, &err);
        break;
    }
    case K_INT32:
    case K_DATE: {
        lml_column_builder *b = lml_column_builder_new(k == K_DATE ? LML_DATE : LML_INT32, n, NULL);
        for (size_t i = 0; i < n; i++)
            (i & 1) ? lml_column_builder_append_null(b, NULL)
                    : lml_column_builder_append_int32(b, (int32_t)(base + i) * (k == K_DATE ? 400 : 7) - 50, NULL);
        c = lml_column_builder_finish(b, &err);
        break;
    }
    case K_INT64:
    case K_TIMESTAMP: {
        lml_column_builder *b = lml_column_builder_new(k == K_TIMESTAMP ? LML_TIMESTAMP : LML_INT64, n, NULL);
        for (size_t i = 0; i < n; i++)
            (i & 1) ? lml_column_builder_append_null(b, NULL)
                    : lml_column_builder_append_int64(b, (int64_t)(base + i) * 86400000000LL - 3, NULL);
        c = lml_column_builder_finish(b, &err);
        break;
    }
    case K_TIMESTAMP_NTZ: {
        int64_t v[MAXROWS] = {0};
        for (size_t i = 0; i < n; i++)
            v[i] = (int64_t)(base + i) * 3600000001LL + 7;
        c = lml_column_from_timestamps_ntz(v, valid, n, &err);
        break;
    }
    case K_FLOAT: {
        float v[MAXROWS] = {0};
        for (size_t i = 0; i < n; i++)
            v[i] = (float)(base + i) * 0.5f - 1.25f;
        c = lml_column_from_floats(v, valid, n, &err);
        break;
    }
    case K_DOUBLE: {
        lml_column_builder *b = lml_column_builder_new(LML_DOUBLE, n, NULL);
        for (size_t i = 0; i < n; i++) {
            size_t g = base + i;
            double x = g == 0 ? -0.0 : g == 6 ? NAN : (double)g * 1.1 - 3;
            (i & 1) ? lml_column_builder_append_null(b, NULL) : lml_column_builder_append_double(b, x, NULL);
        }
        c = lml_column_builder_finish(b, &err);
        break;
    }
    case K_STRING: {
        char store[MAXROWS][24];
        const char *v[MAXROWS] = {0};
        for (size_t i = 0; i < n; i++) {
            size_t g = base + i;
            snprintf(store[i], sizeof store[i], g % 5 == 4 ? "" : g % 3 ? "s%zu" : "\xc3\xa9%zu", g);
            v[i] = (i & 1) ? NULL : store[i];
        }
        c = lml_column_from_strings(v, n, &err);
        break;
    }
    case K_BINARY: {
        int32_t offs[MAXROWS + 1] = {0};
        uint8_t data[4 * MAXROWS] = {0};
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            size_t g = base + i;
            for (size_t j = 0; j < g % 4 && !(i & 1); j++)
                data[m++] = (uint8_t)(j == 0 ? g : j == 1 ? 0xFF : 0);
            offs[i + 1] = (int32_t)m;
        }
        c = lml_column_from_binary(offs, data, valid, n, &err);
        break;
    }
    case K_DECIMAL: {
        uint8_t v[MAXROWS * 16] = {0};
        for (size_t i = 0; i < n; i++)
            dec_of((int64_t)(base + i) * 12345 - 50000, v + 16 * i);
        c = lml_column_from_decimals(v, valid, n, 10, 2, &err);
        break;
    }
    case K_DENSE: {
        double v[MAXROWS * 3] = {0};
        for (size_t i = 0; i < n; i++) {
            double g = (double)(base + i);
            v[3 * i] = g, v[3 * i + 1] = 0, v[3 * i + 2] = -g * 0.5;
        }
        c = lml_column_vector_from_dense(v, n, 3, &err);
        if (c)
            with_odd_nulls(c);
        break;
    }
    case K_SPARSE: {
        int64_t ip[MAXROWS + 1] = {0};
        int32_t idx[MAXROWS] = {0};
        double v[MAXROWS] = {0};
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            size_t g = base + i;
            if (g % 3) {
                idx[m] = (int32_t)(g % 3); /* always within the dense parts' size 3 */
                v[m++] = (double)g + 0.25;
            }
            ip[i + 1] = (int64_t)m;
        }
        c = lml_column_vector_from_csr(ip, idx, v, n, 3, &err);
        if (c)
            with_odd_nulls(c);
        break;
    }
    case K_LIST_STR: return list_of_strings(n, base, true);
    case K_STRUCT: {
        int32_t iv[MAXROWS] = {0};
        uint8_t ivalid[MAXROWS / 8 + 1] = {0};
        for (size_t i = 0; i < n; i++) {
            iv[i] = (int32_t)(base + i) * 11;
            if ((base + i) % 3 != 2)
                lml_bit_set(ivalid, i);
        }
        lml_column *kids[2] = {lml_column_from_int32s(iv, ivalid, n, NULL), list_of_strings(n, base, false)};
        c = lml_column_struct_new(n, 2, (const char *[]){"i", "l"}, kids, valid, &err);
        lml_column_free(kids[0]);
        lml_column_free(kids[1]);
        break;
    }
    case K_MAP: {
        char store[3 * MAXROWS][24];
        const char *keys[3 * MAXROWS] = {0};
        int32_t vals[3 * MAXROWS], offs[MAXROWS + 1] = {0};
        uint8_t vvalid[3 * MAXROWS / 8 + 1] = {0};
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            size_t g = base + i;
            for (size_t j = 0; j < g % 3; j++, m++) {
                snprintf(store[m], sizeof store[m], "k%zu_%zu", g, j);
                keys[m] = store[m];
                vals[m] = (int32_t)(g * 10 + j);
                if (j != 1)
                    lml_bit_set(vvalid, m);
            }
            offs[i + 1] = (int32_t)m;
        }
        lml_column *kc = lml_column_from_strings(keys, m, NULL), *vc = lml_column_from_int32s(vals, vvalid, m, NULL);
        c = lml_column_map_new(offs, valid, n, kc, vc, &err);
        lml_column_free(kc);
        lml_column_free(vc);
        break;
    }
    }
    cr_assert_not_null(c, "kind %d: %s", (int)k, err.message);
    return c;
}

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

static void check_kind(kind k)
{
    lml_column *parts[3] = {make_part(k, 0, 0), make_part(k, 5, 0), make_part(k, 13, 5)};
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
KIND_TEST(list_of_strings, K_LIST_STR)
KIND_TEST(struct_with_list, K_STRUCT)
KIND_TEST(map, K_MAP)

/* ---------------------------------------------------------------- layouts */

Test(frame_concat, vectors_stay_dense_unless_a_part_is_sparse)
{
    lml_column *dense[3] = {make_part(K_DENSE, 0, 0), make_part(K_DENSE, 5, 0), make_part(K_DENSE, 13, 5)};
    lml_column *c = check_concat(dense, 3);
    cr_assert(!lml_column_vector_is_sparse(c));
    cr_assert_eq(lml_column_vector_dense(c)[3 * 17 + 2], -8.5);
    lml_column_free(c);
    /* sparse (0 rows), dense (5), sparse (13): CSR holding only the dense rows' non-zeros */
    lml_column *mixed[3] = {make_part(K_SPARSE, 0, 0), dense[1], make_part(K_SPARSE, 13, 5)};
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
        parts[p] = make_part(K_BOOL, lens[p], base);
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
    lml_column *parts[3] = {make_part(K_LIST_STR, 0, 0), make_part(K_LIST_STR, 5, 0), make_part(K_LIST_STR, 13, 5)};
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
    lml_column *a = make_part(K_INT32, 5, 0);
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
    expect_type_error(make_part(K_INT32, 3, 0), make_part(K_STRING, 3, 0), "is integer", "is string");
    expect_type_error(make_part(K_DATE, 3, 0), make_part(K_INT32, 3, 0), "is date", "is integer");
    uint8_t d[16] = {0};
    expect_type_error(make_part(K_DECIMAL, 1, 0), lml_column_from_decimals(d, NULL, 1, 10, 3, NULL), "decimal(10,2)",
                      "decimal(10,3)");
    expect_type_error(make_part(K_DENSE, 2, 0), lml_column_vector_from_dense((double[]){1, 2, 3, 4}, 1, 4, NULL),
                      "vector(size 3)", "vector(size 4)");
    lml_column *i = lml_column_from_int32s((int32_t[]){1}, NULL, 1, NULL);
    expect_type_error(make_part(K_LIST_STR, 2, 0), lml_column_list_new((int32_t[]){0, 1}, NULL, 1, i, NULL),
                      "array<string>", "array<integer>");
    lml_column *kv = lml_column_from_strings((const char *[]){"k"}, 1, NULL);
    expect_type_error(make_part(K_MAP, 3, 0), lml_column_map_new((int32_t[]){0, 1}, NULL, 1, kv, kv, NULL),
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

/* ---------------------------------------------------------------- union by name */

static lml_frame *frame3(const char *n0, lml_column *c0, const char *n1, lml_column *c1, const char *n2,
                         lml_column *c2)
{
    lml_error err = {0};
    lml_frame *f = lml_frame_new(n2 ? 3 : 2, (const char *[]){n0, n1, n2}, (lml_column *[]){c0, c1, c2}, &err);
    cr_assert_not_null(f, "%s", err.message);
    lml_column_free(c0);
    lml_column_free(c1);
    lml_column_free(c2);
    return f;
}

Test(frame_concat, union_by_name_matches_reordered_case_different_names)
{
    lml_frame *a0 = frame3("id", make_part(K_INT32, 5, 0), "Name", make_part(K_STRING, 5, 0), "v",
                           make_part(K_DOUBLE, 5, 0));
    lml_frame *a = lml_frame_with_metadata(a0, "v", "{\"ml_attr\":{\"type\":\"numeric\"}}", NULL);
    lml_frame_free(a0);
    lml_frame *b = frame3("V", make_part(K_DOUBLE, 13, 5), "ID", make_part(K_INT32, 13, 5), "name",
                          make_part(K_STRING, 13, 5));
    lml_frame *e = frame3("NAME", make_part(K_STRING, 0, 0), "iD", make_part(K_INT32, 0, 0), "V",
                          make_part(K_DOUBLE, 0, 0));
    lml_error err = {0};
    lml_frame *u = lml_frame_union_by_name((const lml_frame *const[]){a, e, b}, 3, &err);
    cr_assert_not_null(u, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(u), 18);
    cr_assert_eq(lml_frame_num_cols(u), 3);
    cr_assert_str_eq(lml_frame_column_name(u, 0), "id");
    cr_assert_str_eq(lml_frame_column_name(u, 1), "Name");
    cr_assert_str_eq(lml_frame_column_name(u, 2), "v");
    cr_assert_str_eq(lml_frame_column_metadata(u, 2), "{\"ml_attr\":{\"type\":\"numeric\"}}");
    /* column j of the union against the same-named column of a (rows 0..4) and b (rows 5..17) */
    for (size_t j = 0; j < 3; j++) {
        const char *name = lml_frame_column_name(u, j);
        const lml_column *uc = lml_frame_column(u, j);
        const lml_column *ac = lml_frame_column_by_name(a, name, NULL), *bc = lml_frame_column_by_name(b, name, NULL);
        cr_assert_eq(lml_column_type(uc), lml_column_type(ac));
        for (size_t r = 0; r < 18; r++) {
            char want[128], got[128];
            lml_format_value(r < 5 ? ac : bc, r < 5 ? r : r - 5, want, sizeof want);
            lml_format_value(uc, r, got, sizeof got);
            cr_assert_str_eq(got, want, "column %s row %zu", name, r);
        }
    }
    cr_assert_eq(lml_column_int32s(lml_frame_column(u, 0))[17], 17 * 7 - 50);
    size_t len;
    cr_assert_eq(strncmp(lml_column_string_at(lml_frame_column(u, 1), 7, &len), "s7", 2), 0);
    cr_assert_eq(len, 2);
    cr_assert_eq(lml_column_null_count(lml_frame_column(u, 2)), 8);
    lml_frame_free(u);
    lml_frame_free(a);
    lml_frame_free(b);
    lml_frame_free(e);
}

Test(frame_concat, union_by_name_names_a_missing_or_extra_column_and_the_frame)
{
    lml_frame *a = frame3("id", make_part(K_INT32, 2, 0), "v", make_part(K_DOUBLE, 2, 0), NULL, NULL);
    lml_frame *missing = frame3("id", make_part(K_INT32, 2, 0), "w", make_part(K_DOUBLE, 2, 0), NULL, NULL);
    lml_frame *extra = frame3("v", make_part(K_DOUBLE, 2, 0), "id", make_part(K_INT32, 2, 0), "extra",
                              make_part(K_STRING, 2, 0));
    lml_error err = {0};
    cr_assert_null(lml_frame_union_by_name((const lml_frame *const[]){a, a, missing}, 3, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "frame 2") && strstr(err.message, "'v'"), "%s", err.message);
    cr_assert_null(lml_frame_union_by_name((const lml_frame *const[]){a, extra}, 2, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "frame 1") && strstr(err.message, "'extra'"), "%s", err.message);
    /* the other way round, the column frame 1 lacks is frame 0's */
    cr_assert_null(lml_frame_union_by_name((const lml_frame *const[]){extra, a}, 2, &err));
    cr_assert(strstr(err.message, "frame 1") && strstr(err.message, "'extra'"), "%s", err.message);
    cr_assert_null(lml_frame_union_by_name((const lml_frame *const[]){a}, 0, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_null(lml_frame_union_by_name((const lml_frame *const[]){a, NULL}, 2, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    lml_frame_free(a);
    lml_frame_free(missing);
    lml_frame_free(extra);
}

Test(frame_concat, union_by_name_type_mismatch_names_column_and_types)
{
    lml_frame *a = frame3("id", make_part(K_INT32, 2, 0), "v", make_part(K_DOUBLE, 2, 0), NULL, NULL);
    lml_frame *b = frame3("ID", make_part(K_INT32, 2, 0), "V", make_part(K_STRING, 2, 0), NULL, NULL);
    lml_error err = {0};
    cr_assert_null(lml_frame_union_by_name((const lml_frame *const[]){a, b}, 2, &err));
    cr_assert_eq(err.code, LML_ETYPE);
    cr_assert(strstr(err.message, "'v'") && strstr(err.message, "frame 1 it is string") &&
              strstr(err.message, "frame 0 is double"), "%s", err.message);
    lml_frame_free(a);
    lml_frame_free(b);
}

Test(frame_concat, union_by_name_of_one_frame_shares_it)
{
    lml_frame *a = frame3("id", make_part(K_INT32, 2, 0), "v", make_part(K_DOUBLE, 2, 0), NULL, NULL);
    lml_error err = {0};
    lml_frame *u = lml_frame_union_by_name((const lml_frame *const[]){a}, 1, &err);
    cr_assert_eq(u, a, "%s", err.message);
    lml_frame_free(u);
    cr_assert_eq(lml_frame_num_rows(a), 2);
    lml_frame_free(a);
}

/* The Delta scan's case: one frame per data file, many of them tiny. */
Test(frame_concat, thousand_one_row_frames_equal_one_frame_of_a_thousand_rows)
{
    enum { N = 1000 };
    lml_column_builder *ib = lml_column_builder_new(LML_INT64, N, NULL);
    lml_column_builder *sb = lml_column_builder_new(LML_STRING, N, NULL);
    lml_column_builder *bb = lml_column_builder_new(LML_BOOL, N, NULL);
    double *dv = malloc(N * 2 * sizeof *dv);
    for (int i = 0; i < N; i++) {
        char s[32];
        snprintf(s, sizeof s, "row-%d", i * 37 % 1001);
        i % 7 == 3 ? lml_column_builder_append_null(ib, NULL) : lml_column_builder_append_int64(ib, (int64_t)i * i - 5, NULL);
        i % 5 == 1 ? lml_column_builder_append_null(sb, NULL) : lml_column_builder_append_string(sb, s, strlen(s), NULL);
        i % 3 == 2 ? lml_column_builder_append_null(bb, NULL) : lml_column_builder_append_bool(bb, i % 2, NULL);
        dv[2 * i] = i, dv[2 * i + 1] = -i;
    }
    lml_column *cols[5] = {lml_column_builder_finish(ib, NULL), lml_column_builder_finish(sb, NULL),
                           lml_column_builder_finish(bb, NULL), lml_column_vector_from_dense(dv, N, 2, NULL),
                           NULL};
    free(dv);
    /* a list column (with junk behind its null rows): 8 parts of 125 rows, concatenated */
    lml_column *lp[8];
    for (int p = 0; p < 8; p++)
        lp[p] = list_of_strings(N / 8, (size_t)p * (N / 8), true);
    lml_error err = {0};
    cols[4] = lml_column_concat((const lml_column *const *)lp, 8, &err);
    cr_assert_not_null(cols[4], "%s", err.message);
    for (int p = 0; p < 8; p++)
        lml_column_free(lp[p]);
    lml_frame *whole = lml_frame_new(5, (const char *[]){"id", "s", "b", "vec", "tags"}, cols, &err);
    cr_assert_not_null(whole, "%s", err.message);
    for (int c = 0; c < 5; c++)
        lml_column_free(cols[c]);

    lml_frame **rows = malloc(N * sizeof *rows);
    for (size_t i = 0; i < N; i++) {
        rows[i] = lml_frame_slice(whole, i, 1, &err);
        cr_assert_not_null(rows[i], "%s", err.message);
    }
    lml_frame *u = lml_frame_union_by_name((const lml_frame *const *)rows, N, &err);
    cr_assert_not_null(u, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(u), N);
    for (size_t c = 0; c < 5; c++) {
        const lml_column *a = lml_frame_column(whole, c), *b = lml_frame_column(u, c);
        cr_assert_eq(lml_column_null_count(a), lml_column_null_count(b), "column %zu", c);
        if (lml_column_validity(a))
            cr_assert(memcmp(lml_column_validity(a), lml_column_validity(b), N / 8) == 0, "column %zu validity", c);
        for (size_t r = 0; r < N; r++) {
            char want[128], got[128];
            lml_format_value(a, r, want, sizeof want);
            lml_format_value(b, r, got, sizeof got);
            cr_assert_str_eq(got, want, "column %zu row %zu", c, r);
        }
    }
    cr_assert(memcmp(lml_column_string_offsets(lml_frame_column(whole, 1)), lml_column_string_offsets(lml_frame_column(u, 1)),
                     (N + 1) * sizeof(int32_t)) == 0);
    lml_frame_free(u);
    for (size_t i = 0; i < N; i++)
        lml_frame_free(rows[i]);
    free(rows);
    lml_frame_free(whole);
}
