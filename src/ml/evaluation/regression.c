/* RegressionEvaluator with Spark's RegressionMetrics: sums weighted as MultivariateOnlineSummarizer
 * computes them (rows of weight 0 skipped), SStot = weighted unbiased variance × (W − 1). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

static const char *const metric_names[] = {"mse", "rmse", "r2", "mae", "var"};

static bool check_metric(const lml_param_value *v, lml_error *err)
{
    return lml_eval_check_one_of(v, metric_names, sizeof metric_names / sizeof metric_names[0], err);
}

static const lml_param_def params[] = {
    {.name = "metricName", .type = LML_PARAM_STRING, .doc = "metric name in evaluation (mse|rmse|r2|mae|var)",
     .has_default = true, .def_s = "rmse", .check = check_metric},
    {.name = "predictionCol", .type = LML_PARAM_STRING, .doc = "prediction column name", .has_default = true,
     .def_s = "prediction"},
    {.name = "labelCol", .type = LML_PARAM_STRING, .doc = "label column name", .has_default = true,
     .def_s = "label"},
    {.name = "weightCol", .type = LML_PARAM_STRING,
     .doc = "weight column name. If this is not set or empty, we treat all instance weights as 1.0"},
    {.name = "throughOrigin", .type = LML_PARAM_BOOL,
     .doc = "Whether the regression is through the origin. Default: false.", .has_default = true,
     .def_b = false},
};

static double evaluate(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const char *who = lml_stage_uid(self), *metric = lml_param_string(self, "metricName");
    if (!df) {
        lml_error_set(err, LML_EINVAL, "%s: frame is NULL", who);
        return NAN;
    }
    if (!lml_eval_check_nonempty(df, who, err))
        return NAN;
    double *pred = lml_eval_read_column(df, lml_param_string(self, "predictionCol"), LML_EVAL_DOUBLE, who, err);
    double *y = pred ? lml_eval_read_column(df, lml_param_string(self, "labelCol"), LML_EVAL_NUMERIC, who, err)
                     : NULL;
    double *w = y ? lml_eval_read_weights(df, lml_param_string(self, "weightCol"), who, err) : NULL;
    double r = NAN;
    if (!w)
        goto done;
    size_t n = lml_frame_num_rows(df);
    double W = 0, W2 = 0, sy = 0;
    for (size_t i = 0; i < n; i++)
        if (w[i] > 0) {
            W += w[i];
            W2 += w[i] * w[i];
            sy += w[i] * y[i];
        }
    if (!(W > 0)) {
        lml_error_set(err, LML_EINVAL, "%s: no row has a positive weight", who);
        goto done;
    }
    double mean = sy / W, m2 = 0, ssy = 0, sserr = 0, sae = 0, ssreg = 0;
    for (size_t i = 0; i < n; i++)
        if (w[i] > 0) {
            double e = y[i] - pred[i], d = y[i] - mean, g = pred[i] - mean;
            m2 += w[i] * d * d;
            ssy += w[i] * y[i] * y[i];
            sserr += w[i] * e * e;
            sae += w[i] * fabs(e);
            ssreg += w[i] * g * g;
        }
    if (strcmp(metric, "mse") == 0) {
        r = sserr / W;
    } else if (strcmp(metric, "rmse") == 0) {
        r = sqrt(sserr / W);
    } else if (strcmp(metric, "mae") == 0) {
        r = sae / W;
    } else if (strcmp(metric, "var") == 0) {
        r = ssreg / W;
    } else if (lml_param_bool(self, "throughOrigin")) {
        r = 1 - sserr / ssy;
    } else {
        /* The summarizer's unbiased weighted variance is 0 when its denominator is not positive
         * (a single row), which makes r2 = 1 − SSerr/0 as in Spark. */
        double denom = W - W2 / W;
        double variance = denom > 0 ? fmax(m2 / denom, 0.0) : 0.0;
        r = 1 - sserr / (variance * (W - 1));
    }
done:
    free(pred);
    free(y);
    free(w);
    return r;
}

static bool larger_better(const lml_stage *self)
{
    const char *m = lml_param_string(self, "metricName");
    return strcmp(m, "r2") == 0 || strcmp(m, "var") == 0;
}

const lml_stage_vtable lml_regression_evaluator_vt = {
    .name = "RegressionEvaluator",
    .class_name = "org.apache.spark.ml.evaluation.RegressionEvaluator",
    .kind = LML_STAGE_EVALUATOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .evaluate = evaluate,
    .larger_better = larger_better,
};

lml_stage *lml_regression_evaluator_new(void)
{
    return lml_stage_create(&lml_regression_evaluator_vt, NULL, NULL, NULL);
}
