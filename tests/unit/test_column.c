#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "frame/internal.h"

Test(column, doubles_with_validity_keep_values_and_count_nulls)
{
    double v[5] = {1.5, 99.0, -2.0, 99.0, 4.0};
    uint8_t valid[1] = {0x15}; /* rows 0, 2, 4 present */
    lml_error err = {0};
    lml_column *c = lml_column_from_doubles(v, valid, 5, &err);
    cr_assert_not_null(c, "%s", err.message);
    cr_assert_eq(lml_column_type(c), LML_DOUBLE);
    cr_assert_eq(lml_column_length(c), 5);
    cr_assert_eq(lml_column_null_count(c), 2);
    cr_assert(lml_column_is_null(c, 1));
    cr_assert_not(lml_column_is_null(c, 2));
    cr_assert_eq(lml_column_doubles(c)[2], -2.0);
    cr_assert_eq(lml_column_doubles(c)[1], 0.0, "null slots hold zero");
    cr_assert(isnan(lml_column_get_double(c, 3)));
    cr_assert_null(lml_column_int32s(c));
    cr_assert_eq((uintptr_t)lml_column_doubles(c) % 64, 0, "buffers are 64-byte aligned");
    lml_column_free(c);
}

Test(column, all_present_validity_is_dropped)
{
    double v[3] = {1, 2, 3};
    uint8_t valid[1] = {0x07};
    lml_column *c = lml_column_from_doubles(v, valid, 3, NULL);
    cr_assert_eq(lml_column_null_count(c), 0);
    cr_assert_null(lml_column_validity(c));
    lml_column_free(c);
}

Test(column, strings_use_arrow_offsets)
{
    const char *s[] = {"male", NULL, "", "female"};
    lml_column *c = lml_column_from_strings(s, 4, NULL);
    cr_assert_eq(lml_column_null_count(c), 1);
    const int32_t *off = lml_column_string_offsets(c);
    cr_assert_eq(off[0], 0);
    cr_assert_eq(off[1], 4);
    cr_assert_eq(off[2], 4);
    cr_assert_eq(off[3], 4);
    cr_assert_eq(off[4], 10);
    cr_assert_eq(memcmp(lml_column_string_data(c), "malefemale", 10), 0);
    size_t len;
    const char *p = lml_column_string_at(c, 3, &len);
    cr_assert_eq(len, 6);
    cr_assert_eq(memcmp(p, "female", 6), 0);
    cr_assert_eq(lml_column_validity(c)[0], 0x0D);
    lml_value v = lml_column_get(c, 1);
    cr_assert(v.is_null);
    lml_column_free(c);
}

Test(column, refcount_keeps_column_alive)
{
    int32_t v[2] = {7, 8};
    lml_column *c = lml_column_from_int32s(v, NULL, 2, NULL);
    lml_column *d = lml_column_retain(c);
    cr_assert_eq(c, d);
    lml_column_free(c);
    cr_assert_eq(lml_column_int32s(d)[1], 8);
    lml_column_free(d);
    lml_column_free(NULL);
}

Test(column, dense_vectors_are_row_major)
{
    double v[6] = {1, 2, 3, 4, 5, 6};
    lml_column *c = lml_column_vector_from_dense(v, 2, 3, NULL);
    cr_assert_eq(lml_column_type(c), LML_VECTOR);
    cr_assert_eq(lml_column_vector_size(c), 3);
    cr_assert_not(lml_column_vector_is_sparse(c));
    cr_assert_eq(lml_column_vector_dense(c)[4], 5.0);
    cr_assert_null(lml_column_vector_indptr(c));
    lml_column_free(c);
}

Test(column, csr_vectors_validate_indices)
{
    int64_t indptr[3] = {0, 2, 3};
    int32_t idx[3] = {0, 2, 1};
    double val[3] = {1.0, 2.0, 3.0};
    lml_column *c = lml_column_vector_from_csr(indptr, idx, val, 2, 3, NULL);
    cr_assert_not_null(c);
    cr_assert(lml_column_vector_is_sparse(c));
    cr_assert_eq(lml_column_vector_indices(c)[2], 1);
    cr_assert_eq(lml_column_vector_values(c)[1], 2.0);
    lml_column_free(c);

    int32_t bad[3] = {2, 0, 1}; /* row 0 out of order */
    lml_error err = {0};
    cr_assert_null(lml_column_vector_from_csr(indptr, bad, val, 2, 3, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "row 0") != NULL, "%s", err.message);
    int32_t big[3] = {0, 3, 1}; /* index 3 ≥ size 3 */
    cr_assert_null(lml_column_vector_from_csr(indptr, big, val, 2, 3, &err));
}

Test(column, alloc_then_seal_counts_nulls)
{
    lml_column *c = lml_column_alloc(LML_INT64, 10, 0, true, NULL);
    for (size_t i = 0; i < 10; i += 3) {
        ((int64_t *)c->values)[i] = (int64_t)i;
        lml_bit_set(c->validity, i);
    }
    lml_column_seal(c);
    cr_assert_eq(lml_column_null_count(c), 6);
    cr_assert_eq(lml_column_int64s(c)[9], 9);
    lml_column_free(c);
}

Test(column, type_names_match_spark)
{
    cr_assert_str_eq(lml_type_name(LML_INT32), "integer");
    cr_assert_str_eq(lml_type_name(LML_INT64), "long");
    cr_assert_str_eq(lml_type_name(LML_BOOL), "boolean");
    lml_type t;
    cr_assert(lml_type_parse("bigint", &t));
    cr_assert_eq(t, LML_INT64);
    cr_assert_not(lml_type_parse("decimal", &t));
}
