/* Imputer: mean / median / mode surrogates, missingValue, int columns cast back, and the error
 * for a column with no valid value (spec §12). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include "lakeml/ml/feature.h"

/* x: 1, NaN, 4, 2, null, 2, 7  (valid 1 4 2 2 7: mean 3.2, lower median 2, mode 2)
 * k: 3, 3, 0, 1, 1, null, 8   (int; valid 3 3 0 1 1 8: mean 16/6 = 2.67 → 2, median 1, mode 1) */
static lml_frame *data(void)
{
    lml_column_builder *bx = lml_column_builder_new(LML_DOUBLE, 7, NULL), *bk = lml_column_builder_new(LML_INT32, 7, NULL);
    double xs[] = {1, NAN, 4, 2, -1, 2, 7};
    int32_t ks[] = {3, 3, 0, 1, 1, -1, 8};
    for (size_t i = 0; i < 7; i++) {
        if (i == 4)
            lml_column_builder_append_null(bx, NULL);
        else
            lml_column_builder_append_double(bx, xs[i], NULL);
        if (i == 5)
            lml_column_builder_append_null(bk, NULL);
        else
            lml_column_builder_append_int32(bk, ks[i], NULL);
    }
    lml_column *cols[] = {lml_column_builder_finish(bx, NULL), lml_column_builder_finish(bk, NULL)};
    lml_frame *f = lml_frame_new(2, (const char *[]){"x", "k"}, cols, NULL);
    lml_column_free(cols[0]);
    lml_column_free(cols[1]);
    return f;
}

static void check_strategy(const char *strategy, double sx, double sk, int32_t k_fill)
{
    lml_error err = {0};
    lml_frame *f = data();
    lml_stage *imp = lml_imputer_new2((const char *[]){"x", "k", NULL}, (const char *[]){"xo", "ko", NULL});
    cr_assert(lml_set_string(imp, "strategy", strategy, &err), "%s", err.message);
    lml_stage *m = lml_fit(imp, f, &err);
    cr_assert_not_null(m, "%s: %s", strategy, err.message);
    size_t n;
    const double *s = lml_imputer_model_surrogates(m, &n, &err);
    cr_assert_eq(n, 2);
    cr_expect_float_eq(s[0], sx, 1e-15, "%s x: %g", strategy, s[0]);
    cr_expect_float_eq(s[1], sk, 1e-15, "%s k: %g", strategy, s[1]);
    lml_frame *o = lml_transform(m, f, &err);
    cr_assert_not_null(o, "%s", err.message);
    const lml_column *xo = lml_frame_column_by_name(o, "xo", NULL), *ko = lml_frame_column_by_name(o, "ko", NULL);
    cr_expect_eq(lml_column_type(xo), LML_DOUBLE);
    cr_expect_eq(lml_column_type(ko), LML_INT32);
    cr_expect_eq(lml_column_null_count(xo), 0);
    cr_expect_eq(lml_column_null_count(ko), 0);
    cr_expect_float_eq(lml_column_doubles(xo)[1], sx, 1e-15);
    cr_expect_float_eq(lml_column_doubles(xo)[4], sx, 1e-15);
    cr_expect_eq(lml_column_doubles(xo)[6], 7.0);
    cr_expect_eq(lml_column_int32s(ko)[5], k_fill, "%s: %d", strategy, lml_column_int32s(ko)[5]);
    cr_expect_eq(lml_column_int32s(ko)[6], 8);
    lml_frame_free(o);
    lml_stage_free(m);
    lml_stage_free(imp);
    lml_frame_free(f);
}

Test(imputer, mean_median_mode_and_int_cast_back)
{
    check_strategy("mean", 3.2, 16.0 / 6, 2);
    check_strategy("median", 2, 1, 1);
    check_strategy("mode", 2, 1, 1);
}

Test(imputer, missing_value_placeholder)
{
    lml_error err = {0};
    lml_frame *f = data();
    lml_stage *imp = lml_imputer_new("k", "ko");
    cr_assert(lml_set_double(imp, "missingValue", 3, &err));
    lml_stage *m = lml_fit(imp, f, &err);
    cr_assert_not_null(m, "%s", err.message);
    size_t n;
    /* valid: 0 1 1 8 → mean 2.5 */
    cr_expect_float_eq(lml_imputer_model_surrogates(m, &n, NULL)[0], 2.5, 1e-15);
    lml_frame *o = lml_transform(m, f, &err);
    cr_assert_not_null(o, "%s", err.message);
    const int32_t *ko = lml_column_int32s(lml_frame_column_by_name(o, "ko", NULL));
    cr_expect(ko[0] == 2 && ko[1] == 2 && ko[2] == 0 && ko[5] == 2);
    lml_frame_free(o);
    lml_stage_free(m);
    lml_stage_free(imp);
    lml_frame_free(f);
}

Test(imputer, column_without_valid_values_is_an_error)
{
    lml_error err = {0};
    lml_column *c = lml_column_from_doubles((double[]){NAN, NAN}, NULL, 2, NULL);
    lml_frame *f = lml_frame_new(1, (const char *[]){"z"}, &c, NULL);
    lml_column_free(c);
    lml_stage *imp = lml_imputer_new("z", "zo");
    cr_assert_null(lml_fit(imp, f, &err));
    cr_expect(strstr(err.message, "surrogate cannot be computed") && strstr(err.message, "'z'"), "%s", err.message);
    cr_expect_not(lml_set_string(imp, "strategy", "max", &err));
    lml_stage_free(imp);
    lml_frame_free(f);
}
