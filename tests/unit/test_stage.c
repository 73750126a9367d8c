/* The generic stage machinery, exercised through the toy MeanCenterer class (tests/toy_stage.c). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ml/stage_internal.h"
#include "toy_stage.h"

static lml_frame *frame_of(const double *v, size_t n)
{
    lml_column *c = lml_column_from_doubles(v, NULL, n, NULL);
    lml_frame *f = lml_frame_new(1, (const char *[]){"x"}, &c, NULL);
    lml_column_free(c);
    return f;
}

Test(stage, uid_has_spark_shape)
{
    lml_stage *s = lml_stage_create(&toy_est_vt, NULL, NULL, NULL);
    const char *uid = lml_stage_uid(s);
    cr_assert_eq(strncmp(uid, "MeanCenterer_", 13), 0, "%s", uid);
    cr_assert_eq(strlen(uid), 13 + 12);
    for (const char *p = uid + 13; *p; p++)
        cr_assert(strchr("0123456789abcdef", *p), "uid %s", uid);
    lml_stage *t = lml_stage_create(&toy_est_vt, NULL, NULL, NULL);
    cr_assert_str_neq(uid, lml_stage_uid(t));
    lml_stage_free(s);
    lml_stage_free(t);
}

Test(stage, defaults_set_get_and_clear)
{
    lml_error err = {0};
    lml_stage *s = lml_stage_create(&toy_est_vt, NULL, NULL, NULL);
    int64_t it;
    cr_assert(lml_get_int(s, "maxIter", &it, &err));
    cr_assert_eq(it, 100);
    cr_assert_not(lml_is_set(s, "maxIter"));
    cr_assert(lml_set_int(s, "maxIter", 10, &err));
    cr_assert(lml_get_int(s, "maxIter", &it, &err));
    cr_assert_eq(it, 10);
    cr_assert(lml_set_int(s, "regParam", 1, &err), "an integer is accepted for a double param");
    cr_assert_eq(lml_param_double(s, "regParam"), 1.0);
    cr_assert(lml_clear_param(s, "maxIter", &err));
    cr_assert_eq(lml_param_int(s, "maxIter"), 100);
    cr_assert_str_eq(lml_get_string(s, "outputCol", &err), "centered");
    cr_assert_null(lml_get_string(s, "inputCol", &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
    cr_assert(lml_is_defined(s, "outputCol"));
    cr_assert_not(lml_is_defined(s, "inputCol"));
    lml_stage_free(s);
}

Test(stage, bad_params_name_param_and_stage)
{
    lml_error err = {0};
    lml_stage *s = lml_stage_create(&toy_est_vt, "MeanCenterer_000000000001", NULL, NULL);
    cr_assert_not(lml_set_double(s, "regParam", -1, &err));
    cr_assert_eq(err.code, LML_ERANGE);
    cr_assert_str_eq(err.message, "MeanCenterer_000000000001: param 'regParam': must be >= 0, got -1");
    cr_assert_not(lml_set_string(s, "maxIter", "10", &err));
    cr_assert_eq(err.code, LML_ETYPE);
    cr_assert_str_eq(err.message, "MeanCenterer_000000000001: param 'maxIter' takes an int, not a string");
    cr_assert_not(lml_set_bool(s, "regparam", true, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
    cr_assert(strstr(err.message, "unknown param 'regparam'") != NULL, "%s", err.message);
    cr_assert_not(lml_set_string(s, "mode", "c", &err));
    cr_assert_str_eq(err.message, "MeanCenterer_000000000001: param 'mode': must be a or b, got 'c'");
    cr_assert_str_eq(lml_param_string(s, "mode"), "a", "a rejected value leaves the old one");
    lml_stage_free(s);
}

Test(stage, text_values_and_lists)
{
    lml_error err = {0};
    lml_stage *s = lml_stage_create(&toy_est_vt, NULL, NULL, NULL);
    cr_assert(lml_set_param_text(s, "regParam", "0.25", &err));
    cr_assert(lml_set_param_text(s, "maxIter", "7", &err));
    cr_assert(lml_set_param_text(s, "fitIntercept", "FALSE", &err));
    cr_assert(lml_set_param_text(s, "inputCols", "a, b,c", &err));
    cr_assert(lml_set_param_text(s, "thresholds", "0.3,0.7", &err), "%s", err.message);
    cr_assert_eq(lml_param_double(s, "regParam"), 0.25);
    cr_assert_eq(lml_param_int(s, "maxIter"), 7);
    cr_assert_not(lml_param_bool(s, "fitIntercept"));
    size_t n;
    const char *const *cols = lml_get_strings(s, "inputCols", &n, &err);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(cols[1], "b");
    const double *t = lml_get_doubles(s, "thresholds", &n, &err);
    cr_assert_eq(n, 2);
    cr_assert_eq(t[1], 0.7);
    cr_assert_not(lml_set_param_text(s, "maxIter", "ten", &err));
    cr_assert_str_eq(strchr(err.message, ':'), ": param 'maxIter' takes an int; cannot read \"ten\"");
    cr_assert_not(lml_set_param_text(s, "thresholds", "0.3,x", &err));
    lml_stage_free(s);
}

Test(stage, explain_params_like_spark)
{
    lml_stage *s = lml_stage_create(&toy_est_vt, NULL, NULL, NULL);
    lml_set_double(s, "regParam", 0.1, NULL);
    lml_set_strings(s, "inputCols", (const char *[]){"a", "b", NULL}, NULL);
    char *text = lml_explain_params(s, NULL);
    cr_assert_str_eq(text, "fitIntercept: whether to fit an intercept term (default: true)\n"
                           "inputCol: input column name (undefined)\n"
                           "inputCols: input column names (current: [a, b])\n"
                           "maxIter: maximum number of iterations (>= 0) (default: 100)\n"
                           "mode: a or b (default: a)\n"
                           "outputCol: output column name (default: centered)\n"
                           "regParam: regularization parameter (>= 0) (default: 0.0, current: 0.1)\n"
                           "thresholds: thresholds (undefined)\n");
    free(text);
    lml_stage_free(s);
}

Test(stage, fit_returns_model_with_uid_and_params_then_transform)
{
    lml_error err = {0};
    lml_stage *est = lml_stage_create(&toy_est_vt, NULL, NULL, NULL);
    lml_set_string(est, "inputCol", "x", &err);
    lml_set_string(est, "outputCol", "xc", &err);
    lml_frame *f = frame_of((double[]){1, 2, 6}, 3);
    lml_stage *m = lml_fit(est, f, &err);
    cr_assert_not_null(m, "%s", err.message);
    cr_assert_str_eq(lml_stage_uid(m), lml_stage_uid(est));
    cr_assert_eq(lml_stage_kind_of(m), LML_STAGE_MODEL);
    cr_assert_str_eq(lml_param_string(m, "outputCol"), "xc");
    lml_stage *m2 = lml_stage_copy(m, &err);
    lml_stage_free(m);
    lml_frame *g = lml_transform(m2, f, &err);
    cr_assert_not_null(g, "%s", err.message);
    const double *xc = lml_column_doubles(lml_frame_column_by_name(g, "xc", NULL));
    cr_assert_eq(xc[0], -2.0);
    cr_assert_eq(xc[2], 3.0);
    cr_assert_null(lml_transform(est, f, &err), "an estimator cannot transform");
    cr_assert_eq(err.code, LML_ETYPE);
    cr_assert_null(lml_fit(m2, f, &err), "a model cannot fit");
    cr_assert(isnan(lml_evaluate(m2, f, &err)));
    lml_frame_free(g);
    lml_frame_free(f);
    lml_stage_free(m2);
    lml_stage_free(est);
}

Test(stage, default_output_col_is_uid_output)
{
    lml_stage *s = lml_stage_create(&toy_est_vt, "MeanCenterer_abc", NULL, NULL);
    char *o = lml_default_output_col(s, NULL);
    cr_assert_str_eq(o, "MeanCenterer_abc__output");
    free(o);
    lml_stage_free(s);
}
