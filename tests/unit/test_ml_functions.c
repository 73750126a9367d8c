/* pyspark.ml.functions: vector_to_array, array_to_vector, and VectorUDT's storage struct (as the
 * Parquet reader returns a vector column) back to vectors. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "lakeml/lakeml.h"
#include "support.h"

static void expect_row(const lml_column *arr, size_t i, const double *want, size_t n)
{
    const int32_t *off = lml_column_offsets(arr);
    cr_assert_eq((size_t)(off[i + 1] - off[i]), n, "row %zu length", i);
    const double *v = lml_column_doubles(lml_column_child(arr, 0)) + off[i];
    cr_expect(memcmp(v, want, n * sizeof *v) == 0, "row %zu: %g %g %g", i, v[0], n > 1 ? v[1] : 0, n > 2 ? v[2] : 0);
}

Test(ml_functions, vector_to_array_densifies_dense_and_sparse_rows)
{
    lml_error err = {0};
    const double dense[] = {1.5, -0.0, 3, 4, 5, 6};
    lml_column *d = lml_column_vector_from_dense(dense, 2, 3, &err);
    lml_column *a = lml_vector_to_array(d, &err);
    cr_assert_not_null(a, "%s", err.message);
    cr_expect_eq(lml_column_type(a), LML_LIST);
    cr_expect_eq(lml_column_length(a), 2);
    expect_row(a, 0, (const double[]){1.5, -0.0, 3}, 3);
    cr_expect(signbit(lml_column_doubles(lml_column_child(a, 0))[1]), "-0.0 kept");
    expect_row(a, 1, (const double[]){4, 5, 6}, 3);
    char buf[64];
    lml_format_value(a, 1, buf, sizeof buf);
    cr_expect_str_eq(buf, "[4.0, 5.0, 6.0]");
    lml_column_free(a);
    lml_column_free(d);

    const int64_t indptr[] = {0, 1, 1, 3};
    const int32_t idx[] = {2, 0, 3};
    const double val[] = {7, 8, 9};
    lml_column *s = lml_column_vector_from_csr(indptr, idx, val, 3, 4, &err);
    a = lml_vector_to_array(s, &err);
    cr_assert_not_null(a, "%s", err.message);
    expect_row(a, 0, (const double[]){0, 0, 7, 0}, 4);
    expect_row(a, 1, (const double[]){0, 0, 0, 0}, 4);
    expect_row(a, 2, (const double[]){8, 0, 0, 9}, 4);
    lml_column *back = lml_array_to_vector(a, &err);
    cr_assert_not_null(back, "%s", err.message);
    cr_expect_eq(lml_column_vector_size(back), 4);
    cr_expect_not(lml_column_vector_is_sparse(back));
    cr_expect_eq(lml_column_vector_dense(back)[2 * 4 + 3], 9);
    lml_column_free(back);
    lml_column_free(a);
    lml_column_free(s);

    lml_column *dbl = lml_column_from_doubles(val, NULL, 3, &err);
    cr_expect_null(lml_vector_to_array(dbl, &err));
    cr_expect_eq(err.code, LML_ETYPE);
    cr_expect_null(lml_array_to_vector(dbl, &err));
    cr_expect_eq(err.code, LML_ETYPE);
    lml_column_free(dbl);
}

Test(ml_functions, array_to_vector_refuses_ragged_rows_and_null_elements)
{
    lml_error err = {0};
    const int32_t vals[] = {1, 2, 3, 4, 5};
    lml_column *el = lml_column_from_int32s(vals, NULL, 5, &err);
    lml_column *ragged = lml_column_list_new((const int32_t[]){0, 2, 5}, NULL, 2, el, &err);
    cr_expect_null(lml_array_to_vector(ragged, &err));
    cr_expect_eq(err.code, LML_EINVAL);
    cr_expect(strstr(err.message, "row 1 has 3 elements, row 0 has 2"), "%s", err.message);
    lml_column *even = lml_column_list_new((const int32_t[]){1, 3, 5}, NULL, 2, el, &err);
    lml_column *v = lml_array_to_vector(even, &err);
    cr_assert_not_null(v, "%s", err.message);
    cr_expect(memcmp(lml_column_vector_dense(v), (const double[]){2, 3, 4, 5}, 4 * sizeof(double)) == 0,
              "ints widened, list offsets honoured");
    lml_column_free(v);
    const uint8_t valid[] = {0x1B}; /* element 2 null */
    lml_column *el2 = lml_column_from_int32s(vals, valid, 5, &err);
    lml_column *nulls = lml_column_list_new((const int32_t[]){0, 2, 4}, NULL, 2, el2, &err);
    cr_expect_null(lml_array_to_vector(nulls, &err));
    cr_expect(strstr(err.message, "row 1: element 0 is null"), "%s", err.message);
    lml_column_free(nulls);
    lml_column_free(el2);
    lml_column_free(even);
    lml_column_free(ragged);
    lml_column_free(el);
}

/* A vector column written to Parquet comes back as the VectorUDT struct; lml_vector_from_struct
 * gives the same vectors back, dense and sparse. */
Test(ml_functions, vector_struct_from_parquet_becomes_the_vectors_written)
{
    lml_error err = {0};
    const int64_t indptr[] = {0, 2, 2, 3};
    const int32_t idx[] = {0, 4, 2};
    const double val[] = {-1.25, 3, 1e300};
    lml_column *sp = lml_column_vector_from_csr(indptr, idx, val, 3, 5, &err);
    const double dense[] = {1, 2, 3, 4, 5, 6};
    lml_column *de = lml_column_vector_from_dense(dense, 3, 2, &err);
    lml_frame *f = lml_frame_new(2, (const char *[]){"s", "d"}, (lml_column *[]){sp, de}, &err);
    cr_assert_not_null(f, "%s", err.message);
    char path[512];
    snprintf(path, sizeof path, "%s/v.parquet", lml_test_temp_dir());
    cr_assert(lml_parquet_write(f, path, NULL, &err), "%s", err.message);
    lml_frame *g = lml_parquet_read(path, NULL, &err);
    cr_assert_not_null(g, "%s", err.message);
    for (size_t c = 0; c < 2; c++) {
        const lml_column *st = lml_frame_column(g, c);
        cr_assert(lml_is_vector_struct(st), "column %zu comes back as %s", c, lml_type_name(lml_column_type(st)));
        lml_column *v = lml_vector_from_struct(st, &err);
        cr_assert_not_null(v, "%s", err.message);
        const lml_column *orig = c == 0 ? sp : de;
        cr_expect_eq(lml_column_vector_size(v), lml_column_vector_size(orig));
        for (size_t i = 0; i < 3; i++) {
            char a[128], b[128];
            lml_format_value(v, i, a, sizeof a);
            lml_format_value(orig, i, b, sizeof b);
            cr_expect_str_eq(a, b, "column %zu row %zu", c, i);
        }
        cr_expect_eq(lml_column_vector_is_sparse(v), c == 0, "sparse rows stay sparse, dense ones dense");
        lml_column_free(v);
    }
    cr_expect_not(lml_is_vector_struct(sp));
    cr_expect_null(lml_vector_from_struct(sp, &err));
    cr_expect_eq(err.code, LML_ETYPE);
    lml_frame_free(g);
    lml_frame_free(f);
    lml_column_free(sp);
    lml_column_free(de);
}

Test(ml_functions, vector_struct_rows_of_another_size_or_bad_indices_are_errors)
{
    lml_error err = {0};
    /* two dense rows of sizes 2 and 1 */
    lml_column *type = lml_column_from_int8s((const int8_t[]){1, 1}, NULL, 2, &err);
    const uint8_t none[] = {0};
    lml_column *size = lml_column_from_int32s((const int32_t[]){0, 0}, none, 2, &err);
    lml_column *ie = lml_column_from_int32s(NULL, NULL, 0, &err);
    lml_column *idx = lml_column_list_new((const int32_t[]){0, 0, 0}, none, 2, ie, &err);
    lml_column *ve = lml_column_from_doubles((const double[]){1, 2, 3}, NULL, 3, &err);
    lml_column *vals = lml_column_list_new((const int32_t[]){0, 2, 3}, NULL, 2, ve, &err);
    lml_column *st = lml_column_struct_new(2, 4, (const char *[]){"type", "size", "indices", "values"},
                                           (lml_column *[]){type, size, idx, vals}, NULL, &err);
    cr_assert_not_null(st, "%s", err.message);
    cr_assert(lml_is_vector_struct(st));
    cr_expect_null(lml_vector_from_struct(st, &err));
    cr_expect(strstr(err.message, "row 1 has size 1, row 0 has 2"), "%s", err.message);
    lml_column_free(st);
    /* a sparse row whose indices go down */
    lml_column *t2 = lml_column_from_int8s((const int8_t[]){0}, NULL, 1, &err);
    lml_column *s2 = lml_column_from_int32s((const int32_t[]){4}, NULL, 1, &err);
    lml_column *ie2 = lml_column_from_int32s((const int32_t[]){3, 1}, NULL, 2, &err);
    lml_column *i2 = lml_column_list_new((const int32_t[]){0, 2}, NULL, 1, ie2, &err);
    lml_column *ve2 = lml_column_from_doubles((const double[]){1, 2}, NULL, 2, &err);
    lml_column *v2 = lml_column_list_new((const int32_t[]){0, 2}, NULL, 1, ve2, &err);
    lml_column *st2 = lml_column_struct_new(1, 4, (const char *[]){"type", "size", "indices", "values"},
                                            (lml_column *[]){t2, s2, i2, v2}, NULL, &err);
    cr_assert_not_null(st2, "%s", err.message);
    cr_expect_null(lml_vector_from_struct(st2, &err));
    cr_expect(strstr(err.message, "row 0: index 1 (1) is not increasing"), "%s", err.message);
    lml_column_free(st2);
    lml_column *cols[] = {type, size, ie, idx, ve, vals, t2, s2, ie2, i2, ve2, v2};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
        lml_column_free(cols[i]);
}
