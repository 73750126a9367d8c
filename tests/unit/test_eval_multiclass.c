/* MulticlassClassificationEvaluator and lml_confusion_matrix on a hand-computed 3-class example. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/ml/evaluation.h"

#define TOL 1e-12

/* 10 rows, confusion (rows actual 0,1,2; columns predicted):
 *   0: [2 1 0]   N(0) = 3
 *   1: [1 2 1]   N(1) = 4
 *   2: [1 0 2]   N(2) = 3
 * TP = 2,2,2; FP = 2,1,1; precision .5, 2/3, 2/3; recall 2/3, .5, 2/3;
 * FPR 2/7, 1/6, 1/7; F1 4/7, 4/7, 2/3; F2 = 5PR/(4P+R) = 5/8, 10/19, 2/3. */
static const double lab[] = {0, 0, 0, 1, 1, 1, 1, 2, 2, 2};
static const double prd[] = {0, 0, 1, 1, 1, 2, 0, 2, 0, 2};

static lml_frame *frame3(const double *label, const double *pred, const double *w, size_t n)
{
    lml_column *cols[3] = {lml_column_from_doubles(label, NULL, n, NULL), lml_column_from_doubles(pred, NULL, n, NULL),
                           w ? lml_column_from_doubles(w, NULL, n, NULL) : NULL};
    lml_frame *f = lml_frame_new(w ? 3 : 2, (const char *[]){"label", "prediction", "w"}, cols, NULL);
    cr_assert_not_null(f);
    for (int i = 0; i < 3; i++)
        lml_column_free(cols[i]);
    return f;
}

/* Evaluates metric; metric_label < 0 and beta <= 0 leave the defaults. */
static double metric(const lml_frame *f, const char *name, double metric_label, double beta, const char *wcol,
                     bool larger_better)
{
    lml_error err = {0};
    lml_stage *e = lml_multiclass_classification_evaluator_new();
    cr_assert_not_null(e);
    if (name)
        cr_assert(lml_set_string(e, "metricName", name, &err), "%s", err.message);
    if (metric_label >= 0)
        cr_assert(lml_set_double(e, "metricLabel", metric_label, &err), "%s", err.message);
    if (beta > 0)
        cr_assert(lml_set_double(e, "beta", beta, &err), "%s", err.message);
    if (wcol)
        cr_assert(lml_set_string(e, "weightCol", wcol, &err), "%s", err.message);
    double v = lml_evaluate(e, f, &err);
    cr_assert_eq(err.code, LML_OK, "%s: %s", name ? name : "default", err.message);
    cr_assert_eq(lml_is_larger_better(e), larger_better, "isLargerBetter of %s", name ? name : "default");
    lml_stage_free(e);
    return v;
}

Test(eval_multiclass, every_metric_on_three_classes)
{
    lml_frame *f = frame3(lab, prd, NULL, 10);
    /* Weights N(c)/N = .3, .4, .3. */
    cr_assert_float_eq(metric(f, NULL, -1, 0, NULL, true), 0.3 * 4 / 7 + 0.4 * 4 / 7 + 0.3 * 2 / 3, TOL); /* f1 = .6 */
    cr_assert_float_eq(metric(f, "f1", -1, 2.0, NULL, true), 0.6, TOL); /* f1 ignores beta */
    cr_assert_float_eq(metric(f, "accuracy", -1, 0, NULL, true), 0.6, TOL);
    cr_assert_float_eq(metric(f, "hammingLoss", -1, 0, NULL, false), 0.4, TOL);
    cr_assert_float_eq(metric(f, "weightedPrecision", -1, 0, NULL, true), 37.0 / 60.0, TOL);
    cr_assert_float_eq(metric(f, "weightedRecall", -1, 0, NULL, true), 0.6, TOL);
    cr_assert_float_eq(metric(f, "weightedTruePositiveRate", -1, 0, NULL, true), 0.6, TOL);
    cr_assert_float_eq(metric(f, "weightedFalsePositiveRate", -1, 0, NULL, false), 41.0 / 210.0, TOL);
    cr_assert_float_eq(metric(f, "weightedFMeasure", -1, 0, NULL, true), 0.6, TOL);
    cr_assert_float_eq(metric(f, "weightedFMeasure", -1, 2.0, NULL, true), 0.3 * 5 / 8 + 0.4 * 10 / 19 + 0.3 * 2 / 3,
                       TOL);
    /* metricLabel defaults to 0. */
    cr_assert_float_eq(metric(f, "precisionByLabel", -1, 0, NULL, true), 0.5, TOL);
    cr_assert_float_eq(metric(f, "precisionByLabel", 1, 0, NULL, true), 2.0 / 3.0, TOL);
    cr_assert_float_eq(metric(f, "recallByLabel", 1, 0, NULL, true), 0.5, TOL);
    cr_assert_float_eq(metric(f, "truePositiveRateByLabel", 0, 0, NULL, true), 2.0 / 3.0, TOL);
    cr_assert_float_eq(metric(f, "falsePositiveRateByLabel", 0, 0, NULL, false), 2.0 / 7.0, TOL);
    cr_assert_float_eq(metric(f, "falsePositiveRateByLabel", 1, 0, NULL, false), 1.0 / 6.0, TOL);
    cr_assert_float_eq(metric(f, "falsePositiveRateByLabel", 2, 0, NULL, false), 1.0 / 7.0, TOL);
    cr_assert_float_eq(metric(f, "fMeasureByLabel", 1, 0, NULL, true), 4.0 / 7.0, TOL);
    cr_assert_float_eq(metric(f, "fMeasureByLabel", 1, 2.0, NULL, true), 10.0 / 19.0, TOL);
    cr_assert_float_eq(metric(f, "fMeasureByLabel", 2, 0, NULL, true), 2.0 / 3.0, TOL);
    lml_frame_free(f);
}

/* Labels 2,0,1 in no order (label column int32), a prediction 7 outside the labels, weights:
 *   (2→2,1) (0→1,2) (1→1,1) (2→7,1) (0→0,3) (1→2,.5)
 * labels [0 1 2]; matrix rows actual: [3 2 0], [0 1 .5], [0 0 1] (the 7 is not shown). */
static lml_frame *weighted_frame(void)
{
    const int32_t l[] = {2, 0, 1, 2, 0, 1};
    const double p[] = {2, 1, 1, 7, 0, 2}, w[] = {1, 2, 1, 1, 3, 0.5};
    lml_column *cols[3] = {lml_column_from_int32s(l, NULL, 6, NULL), lml_column_from_doubles(p, NULL, 6, NULL),
                           lml_column_from_doubles(w, NULL, 6, NULL)};
    lml_frame *f = lml_frame_new(3, (const char *[]){"y", "prediction", "w"}, cols, NULL);
    for (int i = 0; i < 3; i++)
        lml_column_free(cols[i]);
    return f;
}

Test(eval_multiclass, confusion_matrix_rows_actual_columns_predicted)
{
    lml_frame *f = weighted_frame();
    lml_error err = {0};
    double *m, *labels;
    size_t n;
    cr_assert(lml_confusion_matrix(f, "y", "prediction", "w", &m, &labels, &n, &err), "%s", err.message);
    cr_assert_eq(n, 3);
    const double el[] = {0, 1, 2}, em[] = {3, 2, 0, 0, 1, 0.5, 0, 0, 1};
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(labels[i], el[i]);
    for (size_t i = 0; i < 9; i++)
        cr_assert_float_eq(m[i], em[i], TOL, "cell (%zu,%zu)", i / 3, i % 3);
    free(m);
    free(labels);
    /* Unweighted: counts. */
    cr_assert(lml_confusion_matrix(f, "y", "prediction", NULL, &m, &labels, &n, &err), "%s", err.message);
    const double cm[] = {1, 1, 0, 0, 1, 1, 0, 0, 1};
    for (size_t i = 0; i < 9; i++)
        cr_assert_float_eq(m[i], cm[i], TOL, "cell (%zu,%zu)", i / 3, i % 3);
    free(m);
    free(labels);
    lml_frame_free(f);
}

/* Same frame: N = 5, 1.5, 2 of 8.5; TP 3,1,1; FP 0, 2, .5 (the 7 counts for no actual label).
 * accuracy 5/8.5, hammingLoss 3.5/8.5, weightedPrecision (5·1 + 1.5·1/3 + 2·2/3)/8.5 = 41/51. */
Test(eval_multiclass, weighted_metrics)
{
    lml_frame *f = weighted_frame();
    lml_error err = {0};
    lml_stage *e = lml_multiclass_classification_evaluator_new();
    cr_assert(lml_set_string(e, "labelCol", "y", &err));
    cr_assert(lml_set_string(e, "weightCol", "w", &err));
    cr_assert(lml_set_string(e, "metricName", "accuracy", &err));
    cr_assert_float_eq(lml_evaluate(e, f, &err), 5 / 8.5, TOL, "%s", err.message);
    cr_assert(lml_set_string(e, "metricName", "hammingLoss", &err));
    cr_assert_float_eq(lml_evaluate(e, f, &err), 3.5 / 8.5, TOL, "%s", err.message);
    cr_assert(lml_set_string(e, "metricName", "weightedPrecision", &err));
    cr_assert_float_eq(lml_evaluate(e, f, &err), 41.0 / 51.0, TOL, "%s", err.message);
    /* recall(1) = 1/1.5 */
    cr_assert(lml_set_string(e, "metricName", "recallByLabel", &err));
    cr_assert(lml_set_double(e, "metricLabel", 1, &err));
    cr_assert_float_eq(lml_evaluate(e, f, &err), 2.0 / 3.0, TOL, "%s", err.message);
    /* metricLabel 7 is only predicted, never actual: an error, as Spark's map lookup fails. */
    cr_assert(lml_set_double(e, "metricLabel", 7, &err));
    cr_assert(isnan(lml_evaluate(e, f, &err)));
    cr_assert(strstr(err.message, "metricLabel"), "%s", err.message);
    lml_stage_free(e);
    lml_frame_free(f);
}

/* Probabilities for labels 0, 1, 2, 2: p_y = .7, 0 (clipped: −log eps), 1 (clipped: −log1p(−eps)), .5. */
static lml_frame *prob_frame(void)
{
    const double l[] = {0, 1, 2, 2}, p[] = {0, 2, 2, 2}, w[] = {1, 2, 1, 1};
    const double prob[] = {0.7, 0.2, 0.1, 0.1, 0.0, 0.9, 0.0, 0.0, 1.0, 0.2, 0.3, 0.5};
    lml_column *cols[4] = {lml_column_from_doubles(l, NULL, 4, NULL), lml_column_from_doubles(p, NULL, 4, NULL),
                           lml_column_from_doubles(w, NULL, 4, NULL), lml_column_vector_from_dense(prob, 4, 3, NULL)};
    lml_frame *f = lml_frame_new(4, (const char *[]){"label", "prediction", "w", "probability"}, cols, NULL);
    for (int i = 0; i < 4; i++)
        lml_column_free(cols[i]);
    return f;
}

Test(eval_multiclass, log_loss_clips_probabilities)
{
    lml_frame *f = prob_frame();
    lml_error err = {0};
    lml_stage *e = lml_multiclass_classification_evaluator_new();
    cr_assert(lml_set_string(e, "metricName", "logLoss", &err));
    cr_assert_not(lml_is_larger_better(e));
    /* (0.356674944 + 34.538776395 + 1e-15 + 0.693147181) / 4 */
    double expect = (-log(0.7) - log(1e-15) - log1p(-1e-15) - log(0.5)) / 4;
    cr_assert_float_eq(expect, 8.897149630, 1e-8); /* the hand value, to guard the formula above */
    cr_assert_float_eq(lml_evaluate(e, f, &err), expect, TOL, "%s", err.message);
    /* eps 0.1: 0 → −log .1 = 2.302585093, 1 → −log1p(−.1) = 0.105360516. */
    cr_assert(lml_set_double(e, "eps", 0.1, &err));
    cr_assert_float_eq(lml_evaluate(e, f, &err), (0.356674944 + 2.302585093 + 0.105360516 + 0.693147181) / 4, 1e-9,
                       "%s", err.message);
    /* Weighted 1, 2, 1, 1. */
    cr_assert(lml_set_string(e, "weightCol", "w", &err));
    cr_assert_float_eq(lml_evaluate(e, f, &err), (0.356674944 + 2 * 2.302585093 + 0.105360516 + 0.693147181) / 5,
                       1e-9, "%s", err.message);
    cr_assert_not(lml_set_double(e, "eps", 0.5, &err));
    cr_assert(strstr(err.message, "eps"), "%s", err.message);
    lml_stage_free(e);
    lml_frame_free(f);
}

Test(eval_multiclass, log_loss_errors)
{
    lml_frame *f = prob_frame();
    lml_error err = {0};
    lml_stage *e = lml_multiclass_classification_evaluator_new();
    cr_assert(lml_set_string(e, "metricName", "logLoss", &err));
    cr_assert(lml_set_string(e, "probabilityCol", "nope", &err));
    cr_assert(isnan(lml_evaluate(e, f, &err)));
    cr_assert(strstr(err.message, "nope") && strstr(err.message, "logLoss"), "%s", err.message);
    lml_stage_free(e);
    lml_frame_free(f);
    /* A label 3 cannot index a probability vector of size 3. */
    const double l[] = {0, 3}, p[] = {0, 0}, prob[] = {0.5, 0.5, 0.0, 0.2, 0.3, 0.5};
    lml_column *cols[3] = {lml_column_from_doubles(l, NULL, 2, NULL), lml_column_from_doubles(p, NULL, 2, NULL),
                           lml_column_vector_from_dense(prob, 2, 3, NULL)};
    f = lml_frame_new(3, (const char *[]){"label", "prediction", "probability"}, cols, NULL);
    e = lml_multiclass_classification_evaluator_new();
    cr_assert(lml_set_string(e, "metricName", "logLoss", &err));
    err = (lml_error){0};
    cr_assert(isnan(lml_evaluate(e, f, &err)));
    cr_assert(strstr(err.message, "row 1") && strstr(err.message, "'label'"), "%s", err.message);
    lml_stage_free(e);
    lml_frame_free(f);
    for (int i = 0; i < 3; i++)
        lml_column_free(cols[i]);
}

Test(eval_multiclass, bad_input_errors)
{
    lml_error err = {0};
    lml_stage *e = lml_multiclass_classification_evaluator_new();
    cr_assert_not(lml_set_string(e, "metricName", "f2", &err));
    cr_assert(strstr(err.message, "metricName") && strstr(err.message, "hammingLoss"), "%s", err.message);
    /* Spark requires a double prediction column. */
    uint8_t valid = 0x5; /* row 1 null */
    lml_column *cols[3] = {lml_column_from_doubles((const double[]){0, 1, 1}, &valid, 3, NULL),
                           lml_column_from_int32s((const int32_t[]){0, 1, 1}, NULL, 3, NULL),
                           lml_column_from_doubles((const double[]){0, 1, 1}, NULL, 3, NULL)};
    lml_frame *f = lml_frame_new(3, (const char *[]){"label", "prediction", "p2"}, cols, NULL);
    err = (lml_error){0};
    cr_assert(isnan(lml_evaluate(e, f, &err)));
    cr_assert_eq(err.code, LML_ETYPE, "%s", err.message);
    cr_assert(strstr(err.message, "'prediction'"), "%s", err.message);
    cr_assert(lml_set_string(e, "predictionCol", "p2", &err));
    cr_assert(isnan(lml_evaluate(e, f, &err)));
    cr_assert(strstr(err.message, "'label'") && strstr(err.message, "row 1"), "%s", err.message);
    lml_stage_free(e);
    lml_frame_free(f);
    for (int i = 0; i < 3; i++)
        lml_column_free(cols[i]);
}
