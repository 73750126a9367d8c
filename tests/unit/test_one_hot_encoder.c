/* OneHotEncoder / OneHotEncoderModel: category counts from data or metadata, the size table
 * (dropLast × handleInvalid), sparse output, binary attribute names (spec §5). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include "lakeml/ml/feature.h"

static lml_frame *doubles(const double *v, size_t n)
{
    lml_column *c = lml_column_from_doubles(v, NULL, n, NULL);
    lml_frame *f = lml_frame_new(1, (const char *[]){"x"}, &c, NULL);
    lml_column_free(c);
    return f;
}

/* Position of the single 1.0 in row i, -1 for an all-zero row. */
static long hot(const lml_column *v, size_t i)
{
    const int64_t *p = lml_column_vector_indptr(v);
    cr_assert_leq(p[i + 1] - p[i], 1);
    if (p[i + 1] == p[i])
        return -1;
    cr_assert_eq(lml_column_vector_values(v)[p[i]], 1.0);
    return lml_column_vector_indices(v)[p[i]];
}

/* Fits on {0,1,2} (C = 3) and encodes test values under the given params. */
static void check_mode(bool drop, const char *hi, size_t want_size, const double *test, size_t nt,
                       const long *want_hot, const char *want_meta)
{
    lml_error err = {0};
    lml_frame *train = doubles((double[]){0, 2, 1, 2}, 4), *tf = doubles(test, nt);
    lml_stage *e = lml_one_hot_encoder_new("x", "v");
    cr_assert(lml_set_bool(e, "dropLast", drop, &err));
    cr_assert(lml_set_string(e, "handleInvalid", hi, &err));
    lml_stage *m = lml_fit(e, train, &err);
    cr_assert_not_null(m, "%s", err.message);
    size_t n;
    const int64_t *sizes = lml_one_hot_encoder_model_category_sizes(m, &n, &err);
    cr_assert_eq(n, 1);
    cr_expect_eq(sizes[0], 3);
    lml_frame *o = lml_transform(m, tf, &err);
    cr_assert_not_null(o, "%s", err.message);
    const lml_column *v = lml_frame_column_by_name(o, "v", NULL);
    cr_assert_eq(lml_column_type(v), LML_VECTOR);
    cr_assert(lml_column_vector_is_sparse(v));
    cr_expect_eq(lml_column_vector_size(v), want_size, "dropLast=%d %s: size %zu", drop, hi,
                 lml_column_vector_size(v));
    for (size_t i = 0; i < nt; i++)
        cr_expect_eq(hot(v, i), want_hot[i], "dropLast=%d %s row %zu", drop, hi, i);
    cr_expect_str_eq(lml_frame_column_metadata(o, 1), want_meta);
    lml_frame_free(o);
    lml_stage_free(m);
    lml_stage_free(e);
    lml_frame_free(train);
    lml_frame_free(tf);
}

Test(one_hot_encoder, sizes_follow_drop_last_and_handle_invalid)
{
    double in_range[] = {0, 1, 2, 1.7};
    check_mode(true, "error", 2, in_range, 4, (long[]){0, 1, -1, 1},
               "{\"ml_attr\":{\"attrs\":{\"binary\":[{\"name\":\"0\",\"idx\":0},{\"name\":\"1\",\"idx\":1}]},"
               "\"num_attrs\":2}}");
    check_mode(false, "error", 3, in_range, 4, (long[]){0, 1, 2, 1},
               "{\"ml_attr\":{\"attrs\":{\"binary\":[{\"name\":\"0\",\"idx\":0},{\"name\":\"1\",\"idx\":1},"
               "{\"name\":\"2\",\"idx\":2}]},\"num_attrs\":3}}");
    double with_bad[] = {0, 2, 5, -1, NAN};
    check_mode(true, "keep", 3, with_bad, 5, (long[]){0, 2, -1, -1, -1},
               "{\"ml_attr\":{\"attrs\":{\"binary\":[{\"name\":\"0\",\"idx\":0},{\"name\":\"1\",\"idx\":1},"
               "{\"name\":\"2\",\"idx\":2}]},\"num_attrs\":3}}");
    check_mode(false, "keep", 4, with_bad, 5, (long[]){0, 2, 3, 3, 3},
               "{\"ml_attr\":{\"attrs\":{\"binary\":[{\"name\":\"0\",\"idx\":0},{\"name\":\"1\",\"idx\":1},"
               "{\"name\":\"2\",\"idx\":2},{\"name\":\"invalidValues\",\"idx\":3}]},\"num_attrs\":4}}");
}

Test(one_hot_encoder, invalid_values_are_errors_naming_column_and_row)
{
    lml_error err = {0};
    lml_frame *train = doubles((double[]){0, 1}, 2), *test = doubles((double[]){1, 0, 4}, 3);
    lml_stage *e = lml_one_hot_encoder_new("x", "v");
    lml_stage *m = lml_fit(e, train, &err);
    cr_assert_not_null(m, "%s", err.message);
    cr_assert_null(lml_transform(m, test, &err));
    cr_expect(strstr(err.message, "unseen value 4 in column 'x' at row 2") != NULL, "%s", err.message);
    cr_expect(strncmp(err.message, lml_stage_uid(m), strlen(lml_stage_uid(m))) == 0, "%s", err.message);
    lml_frame_free(test);
    test = doubles((double[]){-1}, 1);
    cr_assert_null(lml_transform(m, test, &err));
    cr_expect(strstr(err.message, "negative value -1 in column 'x' at row 0") != NULL, "%s", err.message);
    /* skip is not a OneHotEncoder mode; fractional training values are not indices */
    cr_expect_not(lml_set_string(e, "handleInvalid", "skip", &err));
    lml_frame *frac = doubles((double[]){0, 1.5}, 2);
    cr_assert_null(lml_fit(e, frac, &err));
    cr_expect(strstr(err.message, "at row 1") != NULL, "%s", err.message);
    lml_frame_free(frac);
    lml_stage_free(m);
    lml_stage_free(e);
    lml_frame_free(train);
    lml_frame_free(test);
}

Test(one_hot_encoder, category_count_and_names_come_from_nominal_metadata)
{
    lml_error err = {0};
    lml_frame *raw = doubles((double[]){0, 0, 1}, 3);
    /* metadata declares 3 labels although the data only reaches index 1 */
    lml_frame *f = lml_frame_with_metadata(
        raw, "x", "{\"ml_attr\":{\"type\":\"nominal\",\"name\":\"x\",\"vals\":[\"a\",\"b\",\"c\"]}}", &err);
    cr_assert_not_null(f, "%s", err.message);
    lml_stage *e = lml_one_hot_encoder_new2((const char *[]){"x", NULL}, (const char *[]){"v", NULL});
    lml_stage *m = lml_fit(e, f, &err);
    cr_assert_not_null(m, "%s", err.message);
    size_t n;
    cr_expect_eq(lml_one_hot_encoder_model_category_sizes(m, &n, NULL)[0], 3);
    lml_frame *o = lml_transform(m, f, &err);
    cr_assert_not_null(o, "%s", err.message);
    cr_expect_str_eq(lml_frame_column_metadata(o, 1),
                     "{\"ml_attr\":{\"attrs\":{\"binary\":[{\"name\":\"a\",\"idx\":0},{\"name\":\"b\",\"idx\":1}]},"
                     "\"num_attrs\":2}}");
    lml_frame_free(o);
    /* a numeric attribute is rejected */
    lml_frame *g = lml_frame_with_metadata(raw, "x", "{\"ml_attr\":{\"name\":\"x\"}}", &err);
    cr_assert_null(lml_fit(e, g, &err));
    cr_expect(strstr(err.message, "cannot be continuous-value") != NULL, "%s", err.message);
    lml_frame_free(g);
    lml_stage_free(m);
    lml_stage_free(e);
    lml_frame_free(f);
    lml_frame_free(raw);
}

Test(one_hot_encoder, single_category_needs_keep_or_no_drop_last)
{
    lml_error err = {0};
    lml_frame *f = doubles((double[]){0, 0}, 2);
    lml_stage *e = lml_one_hot_encoder_new("x", "v");
    lml_stage *m = lml_fit(e, f, &err);
    cr_assert_not_null(m, "%s", err.message);
    cr_assert_null(lml_transform(m, f, &err));
    cr_expect(strstr(err.message, "at least two categories") != NULL, "%s", err.message);
    cr_assert(lml_set_bool(m, "dropLast", false, &err));
    lml_frame *o = lml_transform(m, f, &err);
    cr_assert_not_null(o, "%s", err.message);
    cr_expect_eq(lml_column_vector_size(lml_frame_column(o, 1)), 1);
    lml_frame_free(o);
    lml_stage_free(m);
    lml_stage_free(e);
    lml_frame_free(f);
}
