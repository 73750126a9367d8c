#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "frame/internal.h"

static lml_frame *wrap(lml_column *c, const char *name)
{
    lml_frame *f = lml_frame_new(1, &name, &c, NULL);
    lml_column_free(c);
    return f;
}

Test(distinct, ints_in_first_appearance_order_with_null_as_a_value)
{
    int32_t v[7] = {3, 1, 3, 0, 1, 0, 2};
    lml_frame *f = wrap(lml_column_from_int32s(v, (uint8_t[]){0x57}, 7, NULL), "Pclass"); /* rows 3, 5 null */
    lml_error err = {0};
    lml_frame *d = lml_frame_distinct(f, "pclass", &err);
    cr_assert_not_null(d, "%s", err.message);
    cr_assert_str_eq(lml_frame_column_name(d, 0), "Pclass");
    const lml_column *c = lml_frame_column(d, 0);
    cr_assert_eq(lml_column_length(c), 4);
    cr_assert(lml_column_int32s(c)[0] == 3 && lml_column_int32s(c)[1] == 1);
    cr_assert(lml_column_is_null(c, 2));
    cr_assert_eq(lml_column_int32s(c)[3], 2);
    lml_frame_free(d);
    lml_frame_free(f);
}

Test(distinct, doubles_treat_signed_zeros_and_nans_as_one_value)
{
    double v[6] = {-0.0, 0.0, NAN, -NAN, 1.5, -0.0};
    lml_frame *f = wrap(lml_column_from_doubles(v, NULL, 6, NULL), "d");
    lml_frame *d = lml_frame_distinct(f, "d", NULL);
    const double *o = lml_column_doubles(lml_frame_column(d, 0));
    cr_assert_eq(lml_frame_count(d), 3);
    cr_assert(o[0] == 0 && !signbit(o[0]), "normalised to 0.0 as Spark does");
    cr_assert(isnan(o[1]));
    cr_assert_eq(o[2], 1.5);
    lml_frame_free(d);
    lml_frame_free(f);
}

Test(distinct, strings_and_empty_string_differ_from_null)
{
    const char *s[7] = {"b", "a", "b", "", "a", NULL, "\xc3\xa9"};
    lml_frame *f = wrap(lml_column_from_strings(s, 7, NULL), "Sex");
    lml_frame *d = lml_frame_distinct(f, "Sex", NULL);
    const lml_column *c = lml_frame_column(d, 0);
    cr_assert_eq(lml_column_length(c), 5);
    size_t len;
    cr_assert(*lml_column_string_at(c, 0, &len) == 'b' && len == 1);
    cr_assert(*lml_column_string_at(c, 1, &len) == 'a' && len == 1);
    lml_column_string_at(c, 2, &len);
    cr_assert(len == 0 && !lml_column_is_null(c, 2));
    cr_assert(lml_column_is_null(c, 3));
    cr_assert(lml_column_string_at(c, 4, &len) && len == 2);
    lml_frame_free(d);
    lml_frame_free(f);
}

Test(distinct, vectors_compare_by_content)
{
    double v[8] = {1, 2, 3, 4, 1, 2, 1, 3};
    lml_frame *f = wrap(lml_column_vector_from_dense(v, 4, 2, NULL), "features");
    lml_frame *d = lml_frame_distinct(f, "features", NULL);
    cr_assert_eq(lml_frame_count(d), 3);
    const double *o = lml_column_vector_dense(lml_frame_column(d, 0));
    cr_assert(o[0] == 1 && o[1] == 2 && o[2] == 3 && o[3] == 4 && o[4] == 1 && o[5] == 3);
    lml_frame_free(d);
    lml_frame_free(f);
}

Test(distinct, many_rows_and_unknown_column)
{
    enum { N = 100000 };
    int64_t *v = malloc(N * sizeof *v);
    for (int i = 0; i < N; i++)
        v[i] = (int64_t)((i * 7919) % 1000) * 1000003;
    lml_frame *f = wrap(lml_column_from_int64s(v, NULL, N, NULL), "k");
    lml_error err = {0};
    lml_frame *d = lml_frame_distinct(f, "k", &err);
    cr_assert_eq(lml_frame_count(d), 1000);
    const int64_t *o = lml_column_int64s(lml_frame_column(d, 0));
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(o[i], v[i], "first appearances are the first 1000 rows");
    cr_assert_null(lml_frame_distinct(f, "nope", &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
    free(v);
    lml_frame_free(d);
    lml_frame_free(f);
}
