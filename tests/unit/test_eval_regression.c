/* RegressionEvaluator on hand-computed cases: every metric, weights (with Spark's unbiased-variance
 * SStot), throughOrigin, isLargerBetter and the error cases. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/ml/evaluation.h"

#define TOL 1e-12

/* y = 3, −.5, 2, 7; ŷ = 2.5, 0, 2, 8 (weights 1, 2, 0, 1 when weighted). */
static lml_frame *frame(void)
{
    const double y[] = {3, -0.5, 2, 7}, p[] = {2.5, 0, 2, 8}, w[] = {1, 2, 0, 1};
    lml_column *cols[3] = {lml_column_from_doubles(y, NULL, 4, NULL), lml_column_from_doubles(p, NULL, 4, NULL),
                           lml_column_from_doubles(w, NULL, 4, NULL)};
    lml_frame *f = lml_frame_new(3, (const char *[]){"label", "prediction", "w"}, cols, NULL);
    cr_assert_not_null(f);
    for (int i = 0; i < 3; i++)
        lml_column_free(cols[i]);
    return f;
}

static double metric(const lml_frame *f, const char *name, bool origin, const char *wcol, bool larger)
{
    lml_error err = {0};
    lml_stage *e = lml_regression_evaluator_new();
    cr_assert_not_null(e);
    if (name)
        cr_assert(lml_set_string(e, "metricName", name, &err), "%s", err.message);
    if (origin)
        cr_assert(lml_set_bool(e, "throughOrigin", true, &err), "%s", err.message);
    if (wcol)
        cr_assert(lml_set_string(e, "weightCol", wcol, &err), "%s", err.message);
    double v = lml_evaluate(e, f, &err);
    cr_assert_eq(err.code, LML_OK, "%s", err.message);
    cr_assert_eq(lml_is_larger_better(e), larger, "isLargerBetter of %s", name ? name : "default");
    lml_stage_free(e);
    return v;
}

/* e = .5, −.5, 0, −1: SSerr 1.5; ȳ = 2.875; SStot 29.1875; Σ(ŷ − ȳ)² = 35.4375; Σy² = 62.25. */
Test(eval_regression, unweighted_metrics)
{
    lml_frame *f = frame();
    cr_assert_float_eq(metric(f, NULL, false, NULL, false), sqrt(0.375), TOL); /* default rmse */
    cr_assert_float_eq(metric(f, "rmse", false, NULL, false), 0.6123724356957945, TOL);
    cr_assert_float_eq(metric(f, "mse", false, NULL, false), 0.375, TOL);
    cr_assert_float_eq(metric(f, "mae", false, NULL, false), 0.5, TOL);
    cr_assert_float_eq(metric(f, "r2", false, NULL, true), 1 - 1.5 / 29.1875, TOL);
    cr_assert_float_eq(metric(f, "var", false, NULL, true), 8.859375, TOL);
    cr_assert_float_eq(metric(f, "r2", true, NULL, true), 1 - 1.5 / 62.25, TOL);
    /* throughOrigin changes only r2. */
    cr_assert_float_eq(metric(f, "mse", true, NULL, false), 0.375, TOL);
    lml_frame_free(f);
}

/* Weights 1, 2, 0, 1: W = 4, Σw² = 6, ȳ = 9/4; SSerr = .25 + 2·.25 + 1 = 1.75; Σw|e| = 2.5;
 * M2 = .75² + 2·2.75² + 4.75² = 38.25; unbiased variance 38.25 / (4 − 6/4) = 15.3, SStot = 15.3·3 = 45.9
 * (not M2: Spark's definition); SSreg = .25² + 2·2.25² + 5.75² = 43.25; Σw y² = 58.5. */
Test(eval_regression, weighted_metrics)
{
    lml_frame *f = frame();
    cr_assert_float_eq(metric(f, "mse", false, "w", false), 0.4375, TOL);
    cr_assert_float_eq(metric(f, "rmse", false, "w", false), sqrt(0.4375), TOL);
    cr_assert_float_eq(metric(f, "mae", false, "w", false), 0.625, TOL);
    cr_assert_float_eq(metric(f, "r2", false, "w", true), 1 - 1.75 / 45.9, TOL);
    cr_assert_float_eq(metric(f, "var", false, "w", true), 10.8125, TOL);
    cr_assert_float_eq(metric(f, "r2", true, "w", true), 1 - 1.75 / 58.5, TOL);
    lml_frame_free(f);
}

Test(eval_regression, integer_label_column_is_accepted)
{
    lml_column *cols[2] = {lml_column_from_int64s((const int64_t[]){1, 2, 3}, NULL, 3, NULL),
                           lml_column_from_doubles((const double[]){1, 2, 5}, NULL, 3, NULL)};
    lml_frame *f = lml_frame_new(2, (const char *[]){"label", "prediction"}, cols, NULL);
    cr_assert_float_eq(metric(f, "mse", false, NULL, false), 4.0 / 3.0, TOL);
    /* ȳ = 2, SStot = 2, SSerr = 4: r2 = −1. */
    cr_assert_float_eq(metric(f, "r2", false, NULL, true), -1.0, TOL);
    lml_frame_free(f);
    for (int i = 0; i < 2; i++)
        lml_column_free(cols[i]);
}

static void expect_error(const lml_frame *f, const char *param, const char *value, lml_errcode code,
                         const char *needle)
{
    lml_error err = {0};
    lml_stage *e = lml_regression_evaluator_new();
    if (param)
        cr_assert(lml_set_string(e, param, value, &err), "%s", err.message);
    cr_assert(isnan(lml_evaluate(e, f, &err)));
    cr_assert_eq(err.code, code, "%s", err.message);
    cr_assert(strstr(err.message, needle), "message '%s' lacks '%s'", err.message, needle);
    lml_stage_free(e);
}

Test(eval_regression, bad_input_errors)
{
    uint8_t valid = 0xB; /* row 2 null */
    lml_column *cols[5] = {lml_column_from_doubles((const double[]){1, 2, 3, 4}, &valid, 4, NULL),
                           lml_column_from_doubles((const double[]){1, 2, 3, 4}, NULL, 4, NULL),
                           lml_column_from_int32s((const int32_t[]){1, 2, 3, 4}, NULL, 4, NULL),
                           lml_column_from_doubles((const double[]){1, NAN, 1, 1}, NULL, 4, NULL),
                           lml_column_from_doubles((const double[]){0, 0, 0, 0}, NULL, 4, NULL)};
    lml_frame *f = lml_frame_new(5, (const char *[]){"label", "prediction", "ip", "w", "zero"}, cols, NULL);
    expect_error(f, NULL, NULL, LML_EINVAL, "row 2");
    expect_error(f, "labelCol", "missing", LML_ENOTFOUND, "missing");
    expect_error(f, "predictionCol", "ip", LML_ETYPE, "'ip'");
    lml_stage *e = lml_regression_evaluator_new();
    lml_error err = {0};
    cr_assert(lml_set_string(e, "labelCol", "prediction", &err));
    cr_assert(lml_set_string(e, "weightCol", "w", &err));
    cr_assert(isnan(lml_evaluate(e, f, &err)));
    cr_assert(strstr(err.message, "'w'") && strstr(err.message, "row 1"), "%s", err.message);
    cr_assert(lml_set_string(e, "weightCol", "zero", &err));
    cr_assert(isnan(lml_evaluate(e, f, &err)));
    cr_assert(strstr(err.message, "positive weight"), "%s", err.message);
    cr_assert_not(lml_set_string(e, "metricName", "rmsle", &err));
    cr_assert(strstr(err.message, "metricName") && strstr(err.message, "mse, rmse, r2, mae, var"), "%s",
              err.message);
    lml_stage_free(e);
    lml_frame_free(f);
    for (int i = 0; i < 5; i++)
        lml_column_free(cols[i]);
}
