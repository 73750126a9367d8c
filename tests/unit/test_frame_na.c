#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include "frame/internal.h"

/* rows:      a (int32)  b (double)  c (string)
 *   0        1          1.0         "x"
 *   1        null       2.0         "y"
 *   2        3          NaN         null
 *   3        null       null        null
 *   4        5          5.0         "z"        */
static lml_frame *sample(void)
{
    int32_t a[5] = {1, 0, 3, 0, 5};
    double b[5] = {1.0, 2.0, NAN, 0, 5.0};
    const char *c[5] = {"x", "y", NULL, NULL, "z"};
    lml_column *cols[3] = {lml_column_from_int32s(a, (uint8_t[]){0x15}, 5, NULL),
                           lml_column_from_doubles(b, (uint8_t[]){0x17}, 5, NULL), lml_column_from_strings(c, 5, NULL)};
    lml_frame *f = lml_frame_new(3, (const char *[]){"a", "b", "c"}, cols, NULL);
    for (int i = 0; i < 3; i++)
        lml_column_free(cols[i]);
    return f;
}

static void expect_a(const lml_frame *g, const int *rows, size_t n)
{
    cr_assert_eq(lml_frame_count(g), n);
    /* column b identifies the source row: 1.0, 2.0, NaN, null, 5.0 */
    const lml_column *b = lml_frame_column(g, 1);
    for (size_t i = 0; i < n; i++) {
        double want[5] = {1.0, 2.0, NAN, 0, 5.0};
        double got = lml_column_doubles(b)[i];
        if (rows[i] == 2)
            cr_assert(isnan(got), "row %zu", i);
        else if (rows[i] == 3)
            cr_assert(lml_column_is_null(b, i), "row %zu", i);
        else
            cr_assert_eq(got, want[rows[i]], "row %zu", i);
    }
}

Test(frame_na, default_drops_rows_with_any_null_or_nan)
{
    lml_frame *f = sample();
    lml_error err = {0};
    lml_frame *g = lml_frame_drop_nulls(f, NULL, &err);
    cr_assert_not_null(g, "%s", err.message);
    expect_a(g, (int[]){0, 4}, 2);
    lml_frame_free(g);
    lml_frame_free(f);
}

Test(frame_na, how_all_drops_only_rows_without_any_value)
{
    lml_frame *f = sample();
    lml_error err = {0};
    lml_frame *g = lml_frame_drop_nulls(f, &(lml_na_drop_options){.how = "ALL", .thresh = -1}, &err);
    cr_assert_not_null(g, "%s", err.message);
    expect_a(g, (int[]){0, 1, 2, 4}, 4);
    lml_frame_free(g);
    lml_frame_free(f);
}

Test(frame_na, thresh_overrides_how_and_counts_nan_as_missing)
{
    lml_frame *f = sample();
    lml_error err = {0};
    /* values per row: 3, 2, 1 (a only; b is NaN), 0, 3 */
    lml_frame *g = lml_frame_drop_nulls(f, &(lml_na_drop_options){.how = "all", .thresh = 2}, &err);
    expect_a(g, (int[]){0, 1, 4}, 3);
    lml_frame *zero = lml_frame_drop_nulls(f, &(lml_na_drop_options){0}, &err);
    cr_assert_eq(lml_frame_count(zero), 5, "thresh 0 keeps every row");
    cr_assert_eq(lml_frame_column(zero, 0), lml_frame_column(f, 0), "nothing dropped: columns shared");
    lml_frame_free(g);
    lml_frame_free(zero);
    lml_frame_free(f);
}

Test(frame_na, subset_limits_the_columns_checked)
{
    lml_frame *f = sample();
    lml_error err = {0};
    lml_frame *g = lml_frame_drop_nulls(f, &(lml_na_drop_options){.thresh = -1, .subset = (const char *[]){"C", NULL}}, &err);
    cr_assert_not_null(g, "%s", err.message);
    expect_a(g, (int[]){0, 1, 4}, 3);
    lml_frame *h = lml_frame_drop_nulls(f, &(lml_na_drop_options){.thresh = -1, .subset = (const char *[]){"a", NULL}}, &err);
    expect_a(h, (int[]){0, 2, 4}, 3);
    lml_frame_free(g);
    lml_frame_free(h);
    lml_frame_free(f);
}

Test(frame_na, bad_how_and_unknown_subset_column_fail)
{
    lml_frame *f = sample();
    lml_error err = {0};
    cr_assert_null(lml_frame_drop_nulls(f, &(lml_na_drop_options){.how = "some", .thresh = -1}, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "some") != NULL);
    cr_assert_null(lml_frame_drop_nulls(f, &(lml_na_drop_options){.thresh = -1, .subset = (const char *[]){"zz", NULL}}, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
    lml_frame_free(f);
}

static lml_value dbl(double x) { return (lml_value){.type = LML_DOUBLE, .v.f64 = x}; }
static lml_value str(const char *s) { return (lml_value){.type = LML_STRING, .v.str = {s, strlen(s)}}; }

Test(frame_na, fill_replaces_nulls_and_nans_casting_the_value)
{
    lml_frame *f = sample();
    lml_error err = {0};
    lml_fill fills[] = {{"a", dbl(-2.9)}, {"B", dbl(0.5)}, {"c", str("unknown")}};
    lml_frame *g = lml_frame_fill_nulls(f, fills, 3, &err);
    cr_assert_not_null(g, "%s", err.message);
    const lml_column *a = lml_frame_column(g, 0), *b = lml_frame_column(g, 1), *c = lml_frame_column(g, 2);
    cr_assert_eq(lml_column_null_count(a), 0);
    cr_assert_eq(lml_column_int32s(a)[1], -2, "a double fill value is cast to int toward zero");
    cr_assert_eq(lml_column_int32s(a)[2], 3);
    cr_assert_eq(lml_column_doubles(b)[2], 0.5, "NaN is filled too");
    cr_assert_eq(lml_column_doubles(b)[3], 0.5);
    cr_assert_eq(lml_column_doubles(b)[4], 5.0);
    size_t len;
    const char *s = lml_column_string_at(c, 3, &len);
    cr_assert(len == 7 && memcmp(s, "unknown", 7) == 0);
    s = lml_column_string_at(c, 4, &len);
    cr_assert(len == 1 && s[0] == 'z');
    cr_assert_eq(lml_column_null_count(c), 0);
    lml_frame_free(g);
    /* a column without holes is shared */
    lml_frame *h = lml_frame_fill_nulls(g = lml_frame_fill_nulls(f, fills, 1, &err), fills, 1, &err);
    cr_assert_eq(lml_frame_column(h, 0), lml_frame_column(g, 0));
    cr_assert_eq(lml_frame_column(h, 2), lml_frame_column(f, 2), "columns not named are shared");
    lml_frame_free(g);
    lml_frame_free(h);
    lml_frame_free(f);
}

Test(frame_na, fill_rejects_mismatched_values_and_unknown_columns)
{
    lml_frame *f = sample();
    lml_error err = {0};
    lml_fill bad[] = {{"b", str("0.5")}};
    cr_assert_null(lml_frame_fill_nulls(f, bad, 1, &err));
    cr_assert_eq(err.code, LML_ETYPE);
    cr_assert(strstr(err.message, "'b'") != NULL, "%s", err.message);
    lml_fill missing[] = {{"nope", dbl(1)}};
    cr_assert_null(lml_frame_fill_nulls(f, missing, 1, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
    lml_frame_free(f);
}

Test(frame_na, fill_a_date_column_from_a_date_string)
{
    int32_t d[2] = {0, 0};
    lml_column *c = lml_column_alloc(LML_DATE, 2, 0, true, NULL);
    memcpy(c->values, d, sizeof d);
    lml_bit_set(c->validity, 0);
    lml_column_seal(c);
    lml_frame *f = lml_frame_new(1, (const char *[]){"day"}, &c, NULL);
    lml_column_free(c);
    lml_error err = {0};
    lml_fill fill = {"day", str("2020-03-01")};
    lml_frame *g = lml_frame_fill_nulls(f, &fill, 1, &err);
    cr_assert_not_null(g, "%s", err.message);
    cr_assert_eq(lml_column_int32s(lml_frame_column(g, 0))[1], 18322);
    cr_assert_eq(lml_column_int32s(lml_frame_column(g, 0))[0], 0);
    lml_frame_free(g);
    lml_frame_free(f);
}
