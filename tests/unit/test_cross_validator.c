/* CrossValidator (spec §11.3): PySpark's rand(seed) folds, avg/std metrics equal to fits done by
 * hand on the same folds, best selection (ties, smaller-is-better), refit, parallelism. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "frame/xorshift.h"
#include "lakeml/ml/evaluation.h"
#include "lakeml/ml/feature.h"
#include "lakeml/ml/pipeline.h"
#include "lakeml/ml/regression.h"
#include "lakeml/ml/tuning.h"
#include "lakeml/threads.h"

#define N 40

/* y = 2·x0 − x1 + 1 + a deterministic wobble; "fold" = i mod 3. */
static lml_frame *make_frame(void)
{
    double X[N * 2], y[N];
    int32_t fold[N];
    for (int i = 0; i < N; i++) {
        X[2 * i] = i * 0.25;
        X[2 * i + 1] = (i % 7) - 3.0;
        y[i] = 2 * X[2 * i] - X[2 * i + 1] + 1 + 0.3 * sin(i * 1.7);
        fold[i] = i % 3;
    }
    lml_error err = {0};
    lml_column *cols[3] = {lml_column_vector_from_dense(X, N, 2, &err), lml_column_from_doubles(y, NULL, N, &err),
                           lml_column_from_int32s(fold, NULL, N, &err)};
    lml_frame *f = lml_frame_new(3, (const char *[]){"features", "label", "fold"}, cols, &err);
    cr_assert(f, "%s", err.message);
    for (int i = 0; i < 3; i++)
        lml_column_free(cols[i]);
    return f;
}

static lml_frame *rows(const lml_frame *df, const bool *keep)
{
    lml_error err = {0};
    size_t n = lml_frame_num_rows(df);
    lml_column_builder *b = lml_column_builder_new(LML_BOOL, n, &err);
    for (size_t i = 0; i < n; i++)
        lml_column_builder_append_bool(b, keep[i], &err);
    lml_column *m = lml_column_builder_finish(b, &err);
    lml_frame *out = lml_frame_filter(df, m, &err);
    cr_assert(out, "%s", err.message);
    lml_column_free(m);
    return out;
}

static lml_stage *lr_with(double reg)
{
    lml_stage *lr = lml_linear_regression_new();
    cr_assert(lml_set_double(lr, "regParam", reg, NULL));
    return lr;
}

/* The metric of LinearRegression(regParam = reg) fitted on train, evaluated on valid. */
static double manual_metric(const lml_frame *train, const lml_frame *valid, double reg, const char *metric)
{
    lml_error err = {0};
    lml_stage *lr = lr_with(reg), *ev = lml_regression_evaluator_new();
    cr_assert(lml_set_string(ev, "metricName", metric, &err));
    lml_stage *m = lml_fit(lr, train, &err);
    cr_assert(m, "%s", err.message);
    lml_frame *p = lml_transform(m, valid, &err);
    double v = lml_evaluate(ev, p, &err);
    lml_frame_free(p);
    lml_stage_free(m);
    lml_stage_free(lr);
    lml_stage_free(ev);
    return v;
}

static lml_stage *make_cv(const lml_stage *proto_lr, const double *regs, size_t nregs, const char *metric)
{
    lml_error err = {0};
    lml_stage *lr = lml_stage_copy(proto_lr, &err);
    lml_param_grid *g = lml_param_grid_new();
    cr_assert(lml_param_grid_add_double(g, lr, "regParam", regs, nregs, &err), "%s", err.message);
    lml_stage *ev = lml_regression_evaluator_new();
    cr_assert(lml_set_string(ev, "metricName", metric, &err));
    lml_stage *cv = lml_cross_validator_new(lr, g, ev, &err);
    cr_assert(cv, "%s", err.message);
    return cv;
}

Test(cross_validator, defaults_are_spark_params)
{
    lml_stage *lr = lml_linear_regression_new();
    lml_stage *cv = make_cv(lr, (double[]){0}, 1, "rmse");
    int64_t v = 0;
    cr_assert(lml_get_int(cv, "numFolds", &v, NULL));
    cr_expect_eq(v, 3);
    cr_assert(lml_get_int(cv, "seed", &v, NULL));
    cr_expect_eq(v, -1191137437);
    cr_assert(lml_get_int(cv, "parallelism", &v, NULL));
    cr_expect_eq(v, 1);
    cr_expect_str_eq(lml_get_string(cv, "foldCol", NULL), "");
    cr_expect_str_eq(lml_stage_class(cv), "org.apache.spark.ml.tuning.CrossValidator");
    lml_error err = {0};
    cr_expect_not(lml_set_int(cv, "numFolds", 1, &err));
    cr_expect(strstr(err.message, "numFolds") != NULL, "%s", err.message);
    lml_stage_free(cv);
    lml_stage_free(lr);
}

Test(cross_validator, folds_follow_xorshift_draws_and_metrics_match_manual_fits)
{
    lml_error err = {0};
    lml_frame *df = make_frame();
    lml_stage *lr = lml_linear_regression_new();
    const double regs[] = {1.0, 0.0, 0.1};
    lml_stage *cv = make_cv(lr, regs, 3, "rmse");
    cr_assert(lml_set_int(cv, "seed", 7, &err));
    cr_assert(lml_set_int(cv, "numFolds", 4, &err));
    cr_assert(lml_set_bool(cv, "collectSubModels", true, &err));
    lml_stage *model = lml_fit(cv, df, &err);
    cr_assert(model, "%s", err.message);

    /* Folds by hand: u_i = i-th XORShiftRandom(7) draw; fold f holds f/4 <= u < (f+1)/4. */
    double u[N];
    lml_xorshift r;
    lml_xorshift_init(&r, 7);
    for (int i = 0; i < N; i++)
        u[i] = lml_xorshift_next_double(&r);
    double fold_m[4][3];
    for (int f = 0; f < 4; f++) {
        bool v[N], t[N];
        for (int i = 0; i < N; i++) {
            v[i] = f * 0.25 <= u[i] && u[i] < (f + 1) * 0.25;
            t[i] = !v[i];
        }
        lml_frame *train = rows(df, t), *valid = rows(df, v);
        for (int j = 0; j < 3; j++)
            fold_m[f][j] = manual_metric(train, valid, regs[j], "rmse");
        /* The collected sub-model (fold f, map 1) was fitted on exactly these training rows. */
        const lml_stage *sub = lml_tuning_model_sub_model(model, (size_t)f, 1, &err);
        cr_assert(sub, "%s", err.message);
        lml_stage *lr0 = lr_with(0.0);
        lml_stage *m0 = lml_fit(lr0, train, &err);
        size_t d = 0;
        const double *a = lml_linear_regression_coefficients(sub, &d, &err), *b = lml_linear_regression_coefficients(m0, &d, &err);
        cr_expect_eq(a[0], b[0], "fold %d", f);
        cr_expect_eq(lml_linear_regression_intercept(sub, NULL), lml_linear_regression_intercept(m0, NULL));
        lml_stage_free(m0);
        lml_stage_free(lr0);
        lml_frame_free(train);
        lml_frame_free(valid);
    }
    size_t n = 0;
    const double *avg = lml_tuning_model_metrics(model, &n, &err), *sd = lml_tuning_model_std_metrics(model, &n, &err);
    cr_assert_eq(n, 3);
    size_t best = 0;
    double means[3];
    for (int j = 0; j < 3; j++) {
        double mean = (fold_m[0][j] + fold_m[1][j] + fold_m[2][j] + fold_m[3][j]) / 4, q = 0;
        for (int f = 0; f < 4; f++)
            q += (fold_m[f][j] - mean) * (fold_m[f][j] - mean);
        cr_expect_float_eq(avg[j], mean, 1e-12, "avgMetrics[%d] %.17g vs %.17g", j, avg[j], mean);
        cr_expect_float_eq(sd[j], sqrt(q / 4), 1e-12, "stdMetrics[%d]", j);
        means[j] = mean;
        if (mean < means[best])
            best = (size_t)j;
    }
    /* rmse: smaller is better; on near-linear data regParam 0 wins. */
    cr_expect_eq(lml_tuning_model_best_index(model, &err), best);
    cr_expect_eq(best, 1);

    /* bestModel = regParam 0 refitted on every row; transform delegates to it. */
    lml_stage *lr0 = lr_with(0.0);
    lml_stage *full = lml_fit(lr0, df, &err);
    const lml_stage *bm = lml_tuning_model_best_model(model, &err);
    size_t d = 0;
    cr_expect_eq(lml_linear_regression_coefficients(bm, &d, NULL)[1], lml_linear_regression_coefficients(full, &d, NULL)[1]);
    lml_frame *p1 = lml_transform(model, df, &err), *p2 = lml_transform(full, df, &err);
    cr_assert(p1 && p2, "%s", err.message);
    const double *a = lml_column_doubles(lml_frame_column_by_name(p1, "prediction", NULL));
    const double *b = lml_column_doubles(lml_frame_column_by_name(p2, "prediction", NULL));
    cr_expect_eq(memcmp(a, b, N * sizeof *a), 0);
    lml_frame_free(p1);
    lml_frame_free(p2);
    lml_stage_free(full);
    lml_stage_free(lr0);
    lml_stage_free(model);
    lml_stage_free(cv);
    lml_stage_free(lr);
    lml_frame_free(df);
}

Test(cross_validator, fold_col_ties_and_larger_is_better)
{
    lml_error err = {0};
    lml_frame *df = make_frame();
    lml_stage *lr = lml_linear_regression_new();
    /* Maps 1 and 2 are the same fit, so their r2 ties exactly: the first index wins. */
    const double regs[] = {5.0, 0.0, 0.0};
    lml_stage *cv = make_cv(lr, regs, 3, "r2");
    cr_assert(lml_set_string(cv, "foldCol", "fold", &err));
    lml_stage *model = lml_fit(cv, df, &err);
    cr_assert(model, "%s", err.message);
    size_t n = 0;
    const double *avg = lml_tuning_model_metrics(model, &n, &err);
    double manual[3] = {0};
    for (int f = 0; f < 3; f++) {
        bool v[N], t[N];
        for (int i = 0; i < N; i++) {
            v[i] = i % 3 == f;
            t[i] = !v[i];
        }
        lml_frame *train = rows(df, t), *valid = rows(df, v);
        for (int j = 0; j < 3; j++)
            manual[j] += manual_metric(train, valid, regs[j], "r2") / 3;
        lml_frame_free(train);
        lml_frame_free(valid);
    }
    for (int j = 0; j < 3; j++)
        cr_expect_float_eq(avg[j], manual[j], 1e-12, "avgMetrics[%d]", j);
    cr_expect_eq(avg[1], avg[2]);
    cr_expect_gt(avg[1], avg[0]);
    cr_expect_eq(lml_tuning_model_best_index(model, &err), 1);
    cr_expect_null(lml_tuning_model_sub_model(model, 0, 0, &err));
    cr_expect_eq(err.code, LML_ENOTFOUND);
    lml_stage_free(model);
    lml_stage_free(cv);
    lml_stage_free(lr);
    lml_frame_free(df);
}

Test(cross_validator, parallelism_does_not_change_metrics)
{
    lml_error err = {0};
    lml_set_num_threads(2);
    lml_frame *df = make_frame();
    lml_stage *lr = lml_linear_regression_new();
    const double regs[] = {0.0, 0.01, 0.1, 1.0, 3.0};
    double got[2][5];
    for (int p = 0; p < 2; p++) {
        lml_stage *cv = make_cv(lr, regs, 5, "mae");
        cr_assert(lml_set_int(cv, "parallelism", p + 1, &err));
        cr_assert(lml_set_int(cv, "seed", 42, &err));
        lml_stage *model = lml_fit(cv, df, &err);
        cr_assert(model, "%s", err.message);
        size_t n = 0;
        memcpy(got[p], lml_tuning_model_metrics(model, &n, &err), sizeof got[p]);
        cr_assert_eq(n, 5);
        lml_stage_free(model);
        lml_stage_free(cv);
    }
    cr_expect_eq(memcmp(got[0], got[1], sizeof got[0]), 0);
    cr_expect_lt(got[0][0], got[0][4]); /* the metrics differ between maps, so the check has teeth */
    lml_stage_free(lr);
    lml_frame_free(df);
}

Test(cross_validator, errors_name_the_stage_and_the_problem)
{
    lml_error err = {0};
    lml_frame *df = make_frame();
    lml_stage *lr = lml_linear_regression_new();
    /* Empty grid. */
    lml_stage *cv = make_cv(lr, NULL, 0, "rmse");
    cr_expect_null(lml_fit(cv, df, &err));
    cr_expect(strstr(err.message, "estimatorParamMaps is empty") && strstr(err.message, lml_stage_uid(cv)), "%s",
              err.message);
    lml_stage_free(cv);
    /* foldCol out of range: fold ids are 0..2, numFolds 2. */
    cv = make_cv(lr, (double[]){0}, 1, "rmse");
    cr_assert(lml_set_string(cv, "foldCol", "fold", &err));
    cr_assert(lml_set_int(cv, "numFolds", 2, &err));
    cr_expect_null(lml_fit(cv, df, &err));
    cr_expect_eq(err.code, LML_ERANGE);
    cr_expect(strstr(err.message, "foldCol 'fold' value 2 at row 2"), "%s", err.message);
    /* Empty fold: numFolds 4, fold 3 has no rows. */
    cr_assert(lml_set_int(cv, "numFolds", 4, &err));
    cr_expect_null(lml_fit(cv, df, &err));
    cr_expect(strstr(err.message, "fold 3 has an empty validation set"), "%s", err.message);
    /* Missing and non-integer fold columns. */
    cr_assert(lml_set_string(cv, "foldCol", "nope", &err));
    cr_expect_null(lml_fit(cv, df, &err));
    cr_expect(strstr(err.message, "foldCol") && strstr(err.message, "nope"), "%s", err.message);
    cr_assert(lml_set_string(cv, "foldCol", "label", &err));
    cr_expect_null(lml_fit(cv, df, &err));
    cr_expect_eq(err.code, LML_ETYPE);
    lml_stage_free(cv);
    /* A failing fit names the fold and map: no "label" column in this frame. */
    lml_frame *nolabel = lml_frame_drop(df, (const char *[]){"label", NULL}, &err);
    cv = make_cv(lr, (double[]){0}, 1, "rmse");
    cr_expect_null(lml_fit(cv, nolabel, &err));
    cr_expect(strstr(err.message, "fold 0, param map 0"), "%s", err.message);
    lml_stage_free(cv);
    lml_frame_free(nolabel);
    /* Wrong kinds of stage. */
    cr_expect_null(lml_cross_validator_new(lml_regression_evaluator_new(), lml_param_grid_new(),
                                           lml_regression_evaluator_new(), &err));
    cr_expect(strstr(err.message, "estimator is not an estimator"), "%s", err.message);
    lml_stage_free(lr);
    lml_frame_free(df);
}

Test(cross_validator, grid_over_a_stage_nested_in_a_pipeline)
{
    lml_error err = {0};
    lml_frame *df = make_frame();
    lml_stage *scaler = lml_standard_scaler_new("features", "scaled");
    lml_stage *lr = lml_linear_regression_new();
    cr_assert(lml_set_string(lr, "featuresCol", "scaled", &err));
    lml_param_grid *g = lml_param_grid_new();
    const double regs[] = {2.0, 0.0};
    cr_assert(lml_param_grid_add_double(g, lr, "regParam", regs, 2, &err), "%s", err.message);
    cr_assert(lml_param_grid_add_bool(g, scaler, "withMean", (bool[]){false, true}, 2, &err), "%s", err.message);
    lml_stage *pipe = lml_pipeline_new((lml_stage *[]){scaler, lr, NULL}, &err);
    cr_assert(pipe, "%s", err.message);
    lml_stage *ev = lml_regression_evaluator_new();
    lml_stage *cv = lml_cross_validator_new(pipe, g, ev, &err);
    cr_assert(cv, "%s", err.message);
    lml_stage *model = lml_fit(cv, df, &err);
    cr_assert(model, "%s", err.message);
    size_t n = 0;
    const double *avg = lml_tuning_model_metrics(model, &n, &err);
    cr_assert_eq(n, 4);
    /* Maps: (2, F), (2, T), (0, F), (0, T). withMean does not change an intercept model's fit
     * much, regParam 2 does: maps 2 and 3 beat 0 and 1 on rmse. */
    cr_expect_lt(avg[2], avg[0]);
    cr_expect_lt(avg[3], avg[1]);
    size_t best = lml_tuning_model_best_index(model, &err);
    cr_expect(best == 2 || best == 3, "best %zu", best);
    const lml_stage *bm = lml_tuning_model_best_model(model, &err);
    cr_expect_str_eq(lml_stage_name(bm), "PipelineModel");
    double reg = -1;
    cr_assert(lml_get_double(lml_pipeline_stage(bm, 1), "regParam", &reg, &err));
    cr_expect_eq(reg, 0.0);
    /* The CV's own pipeline keeps the defaults. */
    const lml_stage *orig = lml_tuning_estimator(cv, &err);
    cr_assert(lml_get_double(lml_pipeline_stage(orig, 1), "regParam", &reg, &err));
    cr_expect_eq(reg, 0.0);
    bool wm = true;
    cr_assert(lml_get_bool(lml_pipeline_stage(orig, 0), "withMean", &wm, &err));
    cr_expect_not(wm);
    lml_stage_free(model);
    lml_stage_free(cv);
    lml_frame_free(df);
}
