/* BinaryClassificationEvaluator and the ROC / PR curves, on hand-computed cases: ties counting
 * half, the PR curve's prepended point, weights, and Spark's numBins down-sampling rule. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/ml/evaluation.h"

#define TOL 1e-12

/* A frame with rawPrediction = [-s, s] (vector), score = s (double), label (double) and an
 * optional weight column. */
static lml_frame *scored(const double *s, const double *label, const double *w, size_t n)
{
    double *raw = malloc(2 * n * sizeof *raw);
    for (size_t i = 0; i < n; i++) {
        raw[2 * i] = -s[i];
        raw[2 * i + 1] = s[i];
    }
    lml_column *cols[4] = {lml_column_vector_from_dense(raw, n, 2, NULL), lml_column_from_doubles(s, NULL, n, NULL),
                           lml_column_from_doubles(label, NULL, n, NULL),
                           w ? lml_column_from_doubles(w, NULL, n, NULL) : NULL};
    free(raw);
    const char *names[] = {"rawPrediction", "score", "label", "weight"};
    lml_frame *f = lml_frame_new(w ? 4 : 3, names, cols, NULL);
    cr_assert_not_null(f);
    for (int i = 0; i < 4; i++)
        lml_column_free(cols[i]);
    return f;
}

static double eval(lml_frame *f, const char *metric, const char *raw_col, const char *weight_col, int64_t bins)
{
    lml_error err = {0};
    lml_stage *e = lml_binary_classification_evaluator_new();
    cr_assert_not_null(e);
    cr_assert(lml_set_string(e, "metricName", metric, &err), "%s", err.message);
    if (raw_col)
        cr_assert(lml_set_string(e, "rawPredictionCol", raw_col, &err), "%s", err.message);
    if (weight_col)
        cr_assert(lml_set_string(e, "weightCol", weight_col, &err), "%s", err.message);
    if (bins >= 0)
        cr_assert(lml_set_int(e, "numBins", bins, &err), "%s", err.message);
    double v = lml_evaluate(e, f, &err);
    cr_assert_eq(err.code, LML_OK, "%s", err.message);
    cr_assert(lml_is_larger_better(e));
    lml_stage_free(e);
    return v;
}

/* Scores 0.9 (+), 0.8 (+, −), 0.3 (−), 0.1 (+, −): P = N = 3.
 * ROC (0,0) (0,1/3) (1/3,2/3) (2/3,2/3) (1,1) (1,1) → 2/3 = Mann-Whitney 6/9 with ties as 1/2.
 * PR (0,1) (1/3,1) (2/3,2/3) (2/3,1/2) (1,1/2) → 1/3 + 5/18 + 1/6 = 7/9. */
static const double tie_s[] = {0.8, 0.1, 0.9, 0.3, 0.8, 0.1};
static const double tie_y[] = {0, 1, 1, 0, 1, 0};

Test(eval_binary, auc_counts_ties_half)
{
    lml_frame *f = scored(tie_s, tie_y, NULL, 6);
    cr_assert_float_eq(eval(f, "areaUnderROC", NULL, NULL, -1), 2.0 / 3.0, TOL);
    /* A double score column gives the same as element [1] of the vector. */
    cr_assert_float_eq(eval(f, "areaUnderROC", "score", NULL, -1), 2.0 / 3.0, TOL);
    lml_frame_free(f);
}

Test(eval_binary, default_metric_is_area_under_roc)
{
    lml_frame *f = scored(tie_s, tie_y, NULL, 6);
    lml_error err = {0};
    lml_stage *e = lml_binary_classification_evaluator_new();
    cr_assert_str_eq(lml_stage_name(e), "BinaryClassificationEvaluator");
    cr_assert_eq(lml_stage_kind_of(e), LML_STAGE_EVALUATOR);
    int64_t bins = 0;
    cr_assert(lml_get_int(e, "numBins", &bins, &err));
    cr_assert_eq(bins, 1000);
    cr_assert_str_eq(lml_get_string(e, "labelCol", &err), "label");
    cr_assert_float_eq(lml_evaluate(e, f, &err), 2.0 / 3.0, TOL);
    lml_stage_free(e);
    lml_frame_free(f);
}

Test(eval_binary, pr_area_with_ties)
{
    lml_frame *f = scored(tie_s, tie_y, NULL, 6);
    cr_assert_float_eq(eval(f, "areaUnderPR", NULL, NULL, -1), 7.0 / 9.0, TOL);
    lml_frame_free(f);
}

Test(eval_binary, roc_and_pr_points)
{
    lml_frame *f = scored(tie_s, tie_y, NULL, 6);
    lml_error err = {0};
    double *x, *y;
    size_t n;
    cr_assert(lml_binary_roc(f, "label", "rawPrediction", NULL, 0, &x, &y, &n, &err), "%s", err.message);
    const double ex[] = {0, 0, 1.0 / 3, 2.0 / 3, 1, 1}, ey[] = {0, 1.0 / 3, 2.0 / 3, 2.0 / 3, 1, 1};
    cr_assert_eq(n, 6);
    for (size_t i = 0; i < n; i++) {
        cr_assert_float_eq(x[i], ex[i], TOL, "fpr[%zu]", i);
        cr_assert_float_eq(y[i], ey[i], TOL, "tpr[%zu]", i);
    }
    free(x);
    free(y);
    cr_assert(lml_binary_pr(f, "label", "rawPrediction", NULL, 0, &x, &y, &n, &err), "%s", err.message);
    const double rx[] = {0, 1.0 / 3, 2.0 / 3, 2.0 / 3, 1}, py[] = {1, 1, 2.0 / 3, 0.5, 0.5};
    cr_assert_eq(n, 5);
    for (size_t i = 0; i < n; i++) {
        cr_assert_float_eq(x[i], rx[i], TOL, "recall[%zu]", i);
        cr_assert_float_eq(y[i], py[i], TOL, "precision[%zu]", i);
    }
    free(x);
    free(y);
    lml_frame_free(f);
}

/* The top score is a negative: the first PR point is (0, 0) and the prepended point copies its
 * precision 0, so areaUnderPR = (0 + 1/2)/2 = 1/4 (not 3/4 as a prepended (0, 1) would give). */
Test(eval_binary, pr_prepends_first_precision)
{
    const double s[] = {0.9, 0.5}, y[] = {0, 1};
    lml_frame *f = scored(s, y, NULL, 2);
    cr_assert_float_eq(eval(f, "areaUnderPR", NULL, NULL, -1), 0.25, TOL);
    cr_assert_float_eq(eval(f, "areaUnderROC", NULL, NULL, -1), 0.0, TOL);
    lml_frame_free(f);
}

/* positive iff label > 0.5: 0.6 is positive, 0.5 negative. */
Test(eval_binary, label_threshold_is_half)
{
    const double s[] = {0.9, 0.1}, y[] = {0.6, 0.5}, y2[] = {0.5, 0.6};
    lml_frame *f = scored(s, y, NULL, 2), *g = scored(s, y2, NULL, 2);
    cr_assert_float_eq(eval(f, "areaUnderROC", NULL, NULL, -1), 1.0, TOL);
    cr_assert_float_eq(eval(g, "areaUnderROC", NULL, NULL, -1), 0.0, TOL);
    lml_frame_free(f);
    lml_frame_free(g);
}

/* 0.9 (+, w 2), 0.6 (−, 1), 0.4 (+, 1), 0.2 (−, 3): P = 3, N = 4.
 * ROC (0,0) (0,2/3) (1/4,2/3) (1/4,1) (1,1) (1,1) → 1/6 + 3/4 = 11/12 (weighted pairs 11 of 12).
 * PR (0,1) (2/3,1) (2/3,2/3) (1,3/4) (1,3/7) → 2/3 + 17/72 = 65/72. */
Test(eval_binary, weighted_areas)
{
    const double s[] = {0.2, 0.9, 0.4, 0.6}, y[] = {0, 1, 1, 0}, w[] = {3, 2, 1, 1};
    lml_frame *f = scored(s, y, w, 4);
    cr_assert_float_eq(eval(f, "areaUnderROC", NULL, "weight", -1), 11.0 / 12.0, TOL);
    cr_assert_float_eq(eval(f, "areaUnderPR", NULL, "weight", -1), 65.0 / 72.0, TOL);
    /* Unweighted the same rows give 3/4 (3 of 4 pairs ordered). */
    cr_assert_float_eq(eval(f, "areaUnderROC", NULL, NULL, -1), 0.75, TOL);
    lml_frame_free(f);
}

/* 10 distinct scores 1.0 … 0.1 with labels (highest first) 0 1 1 | 0 0 1 | 1 0 0 | 1 and numBins 3:
 * g = 10 / 3 = 3, so runs of 3 merge (the last run holds one point). Cumulative (FP, TP) per merged
 * point: (1,2) (3,3) (5,4) (5,5) of P = N = 5 → ROC (0,0) (.2,.4) (.6,.6) (1,.8) (1,1) (1,1),
 * area .04 + .2 + .28 = .52; without binning Mann-Whitney gives 12/25 = .48. */
Test(eval_binary, binning_merges_runs_of_g_points)
{
    const double y[] = {0, 1, 1, 0, 0, 1, 1, 0, 0, 1};
    double s[10];
    for (int i = 0; i < 10; i++)
        s[i] = (10 - i) / 10.0;
    lml_frame *f = scored(s, y, NULL, 10);
    cr_assert_float_eq(eval(f, "areaUnderROC", NULL, NULL, 3), 0.52, TOL);
    cr_assert_float_eq(eval(f, "areaUnderROC", NULL, NULL, 0), 0.48, TOL);
    /* numBins 6: g = 1 < 2, no down-sampling. */
    cr_assert_float_eq(eval(f, "areaUnderROC", NULL, NULL, 6), 0.48, TOL);
    /* numBins 5: g = 2, pairs (0 1)(1 0)(0 1)(1 0)(0 1) each hold one of each: the diagonal, 0.5. */
    cr_assert_float_eq(eval(f, "areaUnderROC", NULL, NULL, 5), 0.5, TOL);
    /* numBins 2: g = 5, runs 0 1 1 0 0 | 1 1 0 0 1: ROC (0,0) (.6,.4) (1,1) (1,1) → .12 + .28 = .40. */
    cr_assert_float_eq(eval(f, "areaUnderROC", NULL, NULL, 2), 0.40, TOL);
    lml_error err = {0};
    double *x, *t;
    size_t n;
    cr_assert(lml_binary_roc(f, "label", "score", NULL, 3, &x, &t, &n, &err), "%s", err.message);
    const double ex[] = {0, .2, .6, 1, 1, 1}, ey[] = {0, .4, .6, .8, 1, 1};
    cr_assert_eq(n, 6);
    for (size_t i = 0; i < n; i++) {
        cr_assert_float_eq(x[i], ex[i], TOL, "fpr[%zu]", i);
        cr_assert_float_eq(t[i], ey[i], TOL, "tpr[%zu]", i);
    }
    free(x);
    free(t);
    lml_frame_free(f);
}

/* 2000 distinct scores alternating −, + from the top. With the default numBins 1000, g = 2 and each
 * merged point holds one of each, so the curve is the diagonal: AUC 0.5 exactly. Unbinned, the
 * negative at rank 2j has j positives above it: Σj / 10^6 = 499500 / 10^6 = 0.4995; numBins 1001
 * gives g = 1: no binning. */
Test(eval_binary, default_num_bins_down_samples_2000_scores)
{
    enum { N = 2000 };
    double *s = malloc(N * sizeof *s), *y = malloc(N * sizeof *y);
    for (int i = 0; i < N; i++) {
        s[i] = (double)(N - i);
        y[i] = i % 2;
    }
    lml_frame *f = scored(s, y, NULL, N);
    cr_assert_float_eq(eval(f, "areaUnderROC", NULL, NULL, -1), 0.5, TOL);
    cr_assert_float_eq(eval(f, "areaUnderROC", NULL, NULL, 0), 0.4995, TOL);
    cr_assert_float_eq(eval(f, "areaUnderROC", NULL, NULL, 1001), 0.4995, TOL);
    lml_frame_free(f);
    free(s);
    free(y);
}

static void expect_error(lml_frame *f, const char *param, const char *value, lml_errcode code, const char *needle)
{
    lml_error err = {0};
    lml_stage *e = lml_binary_classification_evaluator_new();
    if (param)
        cr_assert(lml_set_string(e, param, value, &err), "%s", err.message);
    double v = lml_evaluate(e, f, &err);
    cr_assert(isnan(v));
    cr_assert_eq(err.code, code, "%s", err.message);
    cr_assert(strstr(err.message, needle), "message '%s' lacks '%s'", err.message, needle);
    lml_stage_free(e);
}

Test(eval_binary, bad_input_errors_name_column_and_row)
{
    const double s[] = {0.9, 0.1, 0.4}, y[] = {1, 0, 1}, w[] = {1, -2, 1};
    lml_frame *f = scored(s, y, w, 3);
    expect_error(f, "labelCol", "nope", LML_ENOTFOUND, "nope");
    expect_error(f, "weightCol", "weight", LML_ERANGE, "row 1");
    lml_frame_free(f);

    /* A string label, a null label at row 1, a vector of size 1. */
    lml_column *lab = lml_column_from_strings((const char *[]){"a", "b"}, 2, NULL);
    uint8_t valid = 0x1; /* row 1 null */
    lml_column *nl = lml_column_from_doubles((const double[]){1, 0}, &valid, 2, NULL);
    lml_column *v1 = lml_column_vector_from_dense((const double[]){0.1, 0.2}, 2, 1, NULL);
    lml_column *sc = lml_column_from_doubles((const double[]){0.3, 0.2}, NULL, 2, NULL);
    lml_column *cols[] = {sc, lab, nl, v1};
    lml_frame *g = lml_frame_new(4, (const char *[]){"rawPrediction", "s", "label", "v1"}, cols, NULL);
    expect_error(g, "labelCol", "s", LML_ETYPE, "'s'");
    expect_error(g, NULL, NULL, LML_EINVAL, "row 1");
    expect_error(g, "rawPredictionCol", "v1", LML_EINVAL, "'v1'");
    lml_frame *empty = lml_frame_head(g, 0, NULL);
    expect_error(empty, NULL, NULL, LML_EINVAL, "empty");
    lml_frame_free(empty);
    lml_frame_free(g);
    for (int i = 0; i < 4; i++)
        lml_column_free(cols[i]);
}

Test(eval_binary, unknown_metric_and_negative_bins_are_param_errors)
{
    lml_error err = {0};
    lml_stage *e = lml_binary_classification_evaluator_new();
    cr_assert_not(lml_set_string(e, "metricName", "auc", &err));
    cr_assert(strstr(err.message, "metricName"), "%s", err.message);
    cr_assert(strstr(err.message, "areaUnderROC, areaUnderPR"), "%s", err.message);
    cr_assert_not(lml_set_int(e, "numBins", -1, &err));
    cr_assert(strstr(err.message, "numBins"), "%s", err.message);
    lml_stage_free(e);
}

Test(eval_binary, raw_prediction_must_have_length_two_and_weights_be_finite)
{
    lml_column *v3 = lml_column_vector_from_dense((const double[]){0.1, 0.2, 0.7, 0.5, 0.4, 0.1}, 2, 3, NULL);
    lml_column *y = lml_column_from_doubles((const double[]){1, 0}, NULL, 2, NULL);
    lml_column *w = lml_column_from_doubles((const double[]){1, INFINITY}, NULL, 2, NULL);
    lml_column *s = lml_column_from_doubles((const double[]){0.3, 0.2}, NULL, 2, NULL);
    lml_column *cols[] = {v3, y, w, s};
    lml_frame *f = lml_frame_new(4, (const char *[]){"rawPrediction", "label", "w", "s"}, cols, NULL);
    expect_error(f, NULL, NULL, LML_EINVAL, "length=2, but got 3");
    lml_error err = {0};
    lml_stage *e = lml_binary_classification_evaluator_new();
    cr_assert(lml_set_string(e, "rawPredictionCol", "s", &err));
    cr_assert_float_eq(lml_evaluate(e, f, &err), 1.0, TOL, "%s", err.message);
    cr_assert(lml_set_string(e, "weightCol", "w", &err));
    cr_assert(isnan(lml_evaluate(e, f, &err)));
    cr_assert(strstr(err.message, "'w'") && strstr(err.message, "row 1"), "%s", err.message);
    lml_stage_free(e);
    lml_frame_free(f);
    for (int i = 0; i < 4; i++)
        lml_column_free(cols[i]);
}
