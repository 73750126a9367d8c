#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include "frame/internal.h"

static lml_column *bools(const int *v, const uint8_t *validity, size_t n)
{
    lml_column *c = lml_column_alloc(LML_BOOL, n, 0, validity != NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        if (v[i])
            lml_bit_set(c->values, i);
        if (validity && lml_bit_get(validity, i))
            lml_bit_set(c->validity, i);
    }
    return lml_column_seal(c);
}

static bool str_is(const lml_column *c, size_t i, const char *want)
{
    size_t len;
    const char *s = lml_column_string_at(c, i, &len);
    return len == strlen(want) && memcmp(s, want, len) == 0;
}

Test(frame_rows, take_gathers_every_scalar_type_with_nulls)
{
    const char *s[5] = {"a", NULL, "ccc", "", "eeeee"};
    lml_column *str = lml_column_from_strings(s, 5, NULL);
    double dv[5] = {1.5, -0.0, NAN, 4, 5};
    uint8_t dvalid[1] = {0x1D}; /* row 1 null */
    lml_column *dbl = lml_column_from_doubles(dv, dvalid, 5, NULL);
    lml_column *b = bools((int[]){1, 0, 1, 1, 0}, (uint8_t[]){0x1B}, 5); /* row 2 null */
    size_t idx[4] = {4, 1, 2, 2};
    lml_error err = {0};
    lml_column *ts = lml_column_take(str, idx, 4, &err);
    cr_assert_not_null(ts, "%s", err.message);
    cr_assert_eq(lml_column_length(ts), 4);
    cr_assert(str_is(ts, 0, "eeeee"));
    cr_assert(lml_column_is_null(ts, 1));
    cr_assert(str_is(ts, 2, "ccc") && str_is(ts, 3, "ccc"));
    cr_assert_eq(lml_column_null_count(ts), 1);
    cr_assert_eq(lml_column_string_offsets(ts)[4], 11);
    lml_column *td = lml_column_take(dbl, idx, 4, &err);
    cr_assert_eq(lml_column_doubles(td)[0], 5.0);
    cr_assert(lml_column_is_null(td, 1));
    cr_assert(isnan(lml_column_doubles(td)[2]));
    lml_column *tb = lml_column_take(b, idx, 4, &err);
    cr_assert(!lml_column_bool_at(tb, 0) && !lml_column_is_null(tb, 0));
    cr_assert(lml_column_is_null(tb, 2) && lml_column_is_null(tb, 3));
    cr_assert_eq(lml_column_null_count(tb), 2);
    /* all-present result: the validity bitmap is dropped */
    lml_column *t0 = lml_column_take(str, (size_t[]){0, 2}, 2, &err);
    cr_assert_null(lml_column_validity(t0));
    lml_column *empty = lml_column_take(str, NULL, 0, &err);
    cr_assert_not_null(empty);
    cr_assert_eq(lml_column_length(empty), 0);
    lml_column *cols[] = {str, dbl, b, ts, td, tb, t0, empty};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        lml_column_free(cols[i]);
}

Test(frame_rows, take_gathers_dense_and_sparse_vectors)
{
    double dense[6] = {1, 2, 3, 4, 5, 6};
    lml_column *d = lml_column_vector_from_dense(dense, 3, 2, NULL);
    int64_t indptr[4] = {0, 1, 1, 3};
    int32_t indices[3] = {2, 0, 3};
    double vals[3] = {7, 8, 9};
    lml_column *sp = lml_column_vector_from_csr(indptr, indices, vals, 3, 4, NULL);
    cr_assert(d && sp);
    size_t idx[3] = {2, 0, 1};
    lml_error err = {0};
    lml_column *td = lml_column_take(d, idx, 3, &err);
    cr_assert_not_null(td, "%s", err.message);
    cr_assert_eq(lml_column_vector_size(td), 2);
    const double *v = lml_column_vector_dense(td);
    cr_assert(v[0] == 5 && v[1] == 6 && v[2] == 1 && v[3] == 2 && v[4] == 3 && v[5] == 4);
    lml_column *ts = lml_column_take(sp, idx, 3, &err);
    cr_assert_not_null(ts, "%s", err.message);
    cr_assert(lml_column_vector_is_sparse(ts));
    const int64_t *ip = lml_column_vector_indptr(ts);
    cr_assert(ip[0] == 0 && ip[1] == 2 && ip[2] == 3 && ip[3] == 3);
    cr_assert(lml_column_vector_indices(ts)[0] == 0 && lml_column_vector_indices(ts)[1] == 3 &&
              lml_column_vector_indices(ts)[2] == 2);
    cr_assert(lml_column_vector_values(ts)[0] == 8 && lml_column_vector_values(ts)[2] == 7);
    lml_column_free(d);
    lml_column_free(sp);
    lml_column_free(td);
    lml_column_free(ts);
}

static lml_frame *numbers(size_t n)
{
    int32_t v[10];
    for (size_t i = 0; i < n; i++)
        v[i] = (int32_t)(i * 10);
    lml_column *c = lml_column_from_int32s(v, NULL, n, NULL);
    lml_frame *f = lml_frame_new(1, (const char *[]){"x"}, &c, NULL);
    lml_column_free(c);
    return f;
}

Test(frame_rows, filter_keeps_true_rows_and_treats_null_as_false)
{
    lml_frame *f = numbers(5);
    lml_column *mask = bools((int[]){1, 0, 1, 1, 1}, (uint8_t[]){0x17}, 5); /* row 3 null */
    lml_error err = {0};
    lml_frame *g = lml_frame_filter(f, mask, &err);
    cr_assert_not_null(g, "%s", err.message);
    cr_assert_eq(lml_frame_count(g), 3);
    const int32_t *x = lml_column_int32s(lml_frame_column(g, 0));
    cr_assert(x[0] == 0 && x[1] == 20 && x[2] == 40);
    cr_assert_str_eq(lml_frame_column_name(g, 0), "x");
    lml_frame_free(g);
    lml_column_free(mask);
    lml_frame_free(f);
}

Test(frame_rows, filter_rejects_a_non_boolean_or_misfit_mask)
{
    lml_frame *f = numbers(5);
    lml_error err = {0};
    cr_assert_null(lml_frame_filter(f, lml_frame_column(f, 0), &err));
    cr_assert_eq(err.code, LML_ETYPE);
    lml_column *mask = bools((int[]){1, 1}, NULL, 2);
    cr_assert_null(lml_frame_filter(f, mask, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    lml_column_free(mask);
    lml_frame_free(f);
}

Test(frame_rows, slice_and_head_clamp_to_the_frame)
{
    lml_frame *f = numbers(10);
    lml_error err = {0};
    lml_frame *s = lml_frame_slice(f, 7, 5, &err);
    cr_assert_not_null(s, "%s", err.message);
    cr_assert_eq(lml_frame_count(s), 3);
    cr_assert_eq(lml_column_int32s(lml_frame_column(s, 0))[0], 70);
    lml_frame *h = lml_frame_head(f, 2, &err);
    cr_assert_eq(lml_frame_count(h), 2);
    cr_assert_eq(lml_column_int32s(lml_frame_column(h, 0))[1], 10);
    lml_frame *past = lml_frame_slice(f, 50, 5, &err);
    cr_assert_not_null(past);
    cr_assert_eq(lml_frame_count(past), 0);
    lml_frame *all = lml_frame_head(f, 1000, &err);
    cr_assert_eq(lml_frame_count(all), 10);
    cr_assert_eq(lml_frame_column(all, 0), lml_frame_column(f, 0), "the whole frame is shared");
    lml_frame *frames[] = {s, h, past, all, f};
    for (int i = 0; i < 5; i++)
        lml_frame_free(frames[i]);
}
