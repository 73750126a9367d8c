/* TrainValidationSplit (spec §11.4): PySpark's split (validation = rows whose rand(seed) draw is
 * >= trainRatio), validationMetrics equal to fits done by hand, best by AUC, refit on all rows. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "frame/xorshift.h"
#include "lakeml/ml/classification.h"
#include "lakeml/ml/evaluation.h"
#include "lakeml/ml/tuning.h"
#include "lakeml/threads.h"

#define N 80

/* Two overlapping classes: label 1 when x0 + 0.5·sin(3i) > x1. */
static lml_frame *make_frame(void)
{
    double X[N * 2], y[N];
    for (int i = 0; i < N; i++) {
        X[2 * i] = (i % 10) * 0.3;
        X[2 * i + 1] = ((i * 7) % 11) * 0.25;
        y[i] = X[2 * i] + 0.5 * sin(3.0 * i) > X[2 * i + 1] ? 1.0 : 0.0;
    }
    lml_error err = {0};
    lml_column *cols[2] = {lml_column_vector_from_dense(X, N, 2, &err), lml_column_from_doubles(y, NULL, N, &err)};
    lml_frame *f = lml_frame_new(2, (const char *[]){"features", "label"}, cols, &err);
    cr_assert(f, "%s", err.message);
    lml_column_free(cols[0]);
    lml_column_free(cols[1]);
    return f;
}

static lml_frame *rows(const lml_frame *df, const bool *keep)
{
    lml_error err = {0};
    lml_column_builder *b = lml_column_builder_new(LML_BOOL, N, &err);
    for (size_t i = 0; i < N; i++)
        lml_column_builder_append_bool(b, keep[i], &err);
    lml_column *m = lml_column_builder_finish(b, &err);
    lml_frame *out = lml_frame_filter(df, m, &err);
    cr_assert(out, "%s", err.message);
    lml_column_free(m);
    return out;
}

static lml_stage *make_tvs(const lml_stage *proto, const double *regs, size_t n)
{
    lml_error err = {0};
    lml_stage *lr = lml_stage_copy(proto, &err);
    lml_param_grid *g = lml_param_grid_new();
    cr_assert(lml_param_grid_add_double(g, lr, "regParam", regs, n, &err), "%s", err.message);
    lml_stage *tvs = lml_train_validation_split_new(lr, g, lml_binary_classification_evaluator_new(), &err);
    cr_assert(tvs, "%s", err.message);
    return tvs;
}

Test(train_validation_split, defaults_are_spark_params)
{
    lml_stage *lr = lml_logistic_regression_new();
    lml_stage *tvs = make_tvs(lr, (double[]){0}, 1);
    double r = 0;
    int64_t seed = 0;
    cr_assert(lml_get_double(tvs, "trainRatio", &r, NULL));
    cr_expect_eq(r, 0.75);
    cr_assert(lml_get_int(tvs, "seed", &seed, NULL));
    cr_expect_eq(seed, -1772833110);
    lml_error err = {0};
    cr_expect_not(lml_set_double(tvs, "trainRatio", 1.5, &err));
    cr_expect(strstr(err.message, "trainRatio") != NULL, "%s", err.message);
    cr_expect_str_eq(lml_stage_name(tvs), "TrainValidationSplit");
    lml_stage_free(tvs);
    lml_stage_free(lr);
}

Test(train_validation_split, split_and_metrics_match_manual_fits)
{
    lml_error err = {0};
    lml_set_num_threads(2);
    lml_frame *df = make_frame();
    lml_stage *lr = lml_logistic_regression_new();
    /* Lasso: regParam 10 zeroes every coefficient (AUC 0.5), so the maps' AUCs differ. */
    cr_assert(lml_set_double(lr, "elasticNetParam", 1.0, &err));
    const double regs[] = {10.0, 0.0, 0.05};
    double u[N];
    lml_xorshift r;
    lml_xorshift_init(&r, 11);
    bool v[N], t[N];
    for (int i = 0; i < N; i++) {
        u[i] = lml_xorshift_next_double(&r);
        v[i] = u[i] >= 0.6;
        t[i] = !v[i];
    }
    lml_frame *train = rows(df, t), *valid = rows(df, v);
    double manual[3];
    lml_stage *ev = lml_binary_classification_evaluator_new();
    for (int j = 0; j < 3; j++) {
        lml_stage *e = lml_stage_copy(lr, &err);
        cr_assert(lml_set_double(e, "regParam", regs[j], &err));
        lml_stage *m = lml_fit(e, train, &err);
        cr_assert(m, "%s", err.message);
        lml_frame *p = lml_transform(m, valid, &err);
        manual[j] = lml_evaluate(ev, p, &err);
        lml_frame_free(p);
        lml_stage_free(m);
        lml_stage_free(e);
    }
    size_t best = 0;
    for (size_t j = 1; j < 3; j++)
        if (manual[j] > manual[best])
            best = j;
    double got[2][3];
    for (int par = 0; par < 2; par++) {
        lml_stage *tvs = make_tvs(lr, regs, 3);
        cr_assert(lml_set_int(tvs, "seed", 11, &err));
        cr_assert(lml_set_double(tvs, "trainRatio", 0.6, &err));
        cr_assert(lml_set_int(tvs, "parallelism", par + 1, &err));
        cr_assert(lml_set_bool(tvs, "collectSubModels", true, &err));
        lml_stage *model = lml_fit(tvs, df, &err);
        cr_assert(model, "%s", err.message);
        size_t n = 0;
        const double *vm = lml_tuning_model_metrics(model, &n, &err);
        cr_assert_eq(n, 3);
        memcpy(got[par], vm, sizeof got[par]);
        for (int j = 0; j < 3; j++)
            cr_expect_float_eq(vm[j], manual[j], 1e-12, "validationMetrics[%d] %.17g vs %.17g", j, vm[j], manual[j]);
        cr_expect_eq(lml_tuning_model_best_index(model, &err), best);
        cr_expect_null(lml_tuning_model_std_metrics(model, &n, &err));
        cr_expect_not_null(lml_tuning_model_sub_model(model, 0, 2, &err));
        /* bestModel = best regParam refitted on every row. */
        lml_stage *e = lml_stage_copy(lr, &err);
        cr_assert(lml_set_double(e, "regParam", regs[best], &err));
        lml_stage *full = lml_fit(e, df, &err);
        lml_frame *p1 = lml_transform(model, df, &err), *p2 = lml_transform(full, df, &err);
        cr_assert(p1 && p2, "%s", err.message);
        const double *a = lml_column_doubles(lml_frame_column_by_name(p1, "prediction", NULL));
        const double *b = lml_column_doubles(lml_frame_column_by_name(p2, "prediction", NULL));
        cr_expect_eq(memcmp(a, b, N * sizeof *a), 0);
        lml_frame_free(p1);
        lml_frame_free(p2);
        lml_stage_free(full);
        lml_stage_free(e);
        lml_stage_free(model);
        lml_stage_free(tvs);
    }
    cr_expect_eq(memcmp(got[0], got[1], sizeof got[0]), 0);
    cr_expect_eq(manual[0], 0.5); /* the maps differ, so the comparisons have teeth */
    cr_expect_gt(manual[1], 0.7);
    lml_stage_free(ev);
    lml_frame_free(train);
    lml_frame_free(valid);
    lml_stage_free(lr);
    lml_frame_free(df);
}

Test(train_validation_split, errors)
{
    lml_error err = {0};
    lml_frame *df = make_frame();
    lml_stage *lr = lml_logistic_regression_new();
    lml_stage *tvs = make_tvs(lr, NULL, 0);
    cr_expect_null(lml_fit(tvs, df, &err));
    cr_expect(strstr(err.message, "estimatorParamMaps is empty") && strstr(err.message, lml_stage_uid(tvs)), "%s",
              err.message);
    lml_stage_free(tvs);
    tvs = make_tvs(lr, (double[]){0}, 1);
    cr_assert(lml_set_double(tvs, "trainRatio", 0.0, &err));
    cr_expect_null(lml_fit(tvs, df, &err));
    cr_expect(strstr(err.message, "training set empty"), "%s", err.message);
    lml_stage_free(tvs);
    lml_stage_free(lr);
    lml_frame_free(df);
}
