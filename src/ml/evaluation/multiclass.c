/* MulticlassClassificationEvaluator and MulticlassMetrics.confusionMatrix. Per-class weighted
 * counts are kept in O(#labels) arrays (never a #labels² table, so a label column with many
 * distinct values stays cheap); the confusion matrix is built only when asked for. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "core/internal.h"

static const char *const metric_names[] = {
    "f1", "accuracy", "weightedPrecision", "weightedRecall", "weightedTruePositiveRate",
    "weightedFalsePositiveRate", "weightedFMeasure", "truePositiveRateByLabel", "falsePositiveRateByLabel",
    "precisionByLabel", "recallByLabel", "fMeasureByLabel", "logLoss", "hammingLoss"};

static bool check_metric(const lml_param_value *v, lml_error *err)
{
    return lml_eval_check_one_of(v, metric_names, sizeof metric_names / sizeof metric_names[0], err);
}

static bool check_eps(const lml_param_value *v, lml_error *err)
{
    return v->v.d > 0 && v->v.d < 0.5 ? true
                                      : lml_error_set(err, LML_ERANGE, "must be in (0, 0.5), got %g", v->v.d);
}

static const lml_param_def params[] = {
    {.name = "metricName", .type = LML_PARAM_STRING,
     .doc = "metric name in evaluation (f1|accuracy|weightedPrecision|weightedRecall|weightedTruePositiveRate|"
            "weightedFalsePositiveRate|weightedFMeasure|truePositiveRateByLabel|falsePositiveRateByLabel|"
            "precisionByLabel|recallByLabel|fMeasureByLabel|logLoss|hammingLoss)",
     .has_default = true, .def_s = "f1", .check = check_metric},
    {.name = "predictionCol", .type = LML_PARAM_STRING, .doc = "prediction column name", .has_default = true,
     .def_s = "prediction"},
    {.name = "labelCol", .type = LML_PARAM_STRING, .doc = "label column name", .has_default = true,
     .def_s = "label"},
    {.name = "weightCol", .type = LML_PARAM_STRING,
     .doc = "weight column name. If this is not set or empty, we treat all instance weights as 1.0"},
    {.name = "metricLabel", .type = LML_PARAM_DOUBLE,
     .doc = "The class whose metric will be computed in (truePositiveRateByLabel|falsePositiveRateByLabel|"
            "precisionByLabel|recallByLabel|fMeasureByLabel). Must be >= 0. The default value is 0.",
     .has_default = true, .def_d = 0.0, .check = lml_check_nonneg},
    {.name = "beta", .type = LML_PARAM_DOUBLE,
     .doc = "The beta value, which controls precision vs recall weighting, used in (weightedFMeasure|"
            "fMeasureByLabel). Must be > 0. The default value is 1.",
     .has_default = true, .def_d = 1.0, .check = lml_check_positive},
    {.name = "eps", .type = LML_PARAM_DOUBLE,
     .doc = "log-loss is undefined for p=0 or p=1, so probabilities are clipped to max(eps, min(1 - eps, p)).",
     .has_default = true, .def_d = 1e-15, .check = check_eps},
    {.name = "probabilityCol", .type = LML_PARAM_STRING,
     .doc = "Column name for predicted class conditional probabilities. Note: Not all models output "
            "well-calibrated probability estimates! These probabilities should be treated as confidences, not "
            "precise probabilities",
     .has_default = true, .def_s = "probability"},
};

typedef struct {
    double *labels; /* distinct actual labels, ascending */
    size_t k;
    double *tp, *fp, *count; /* per label: TP, FP (predicted as it, label differs), N(c) */
    double total, missed;   /* total weight, misclassified weight */
} mc_stats;

static void stats_free(mc_stats *st)
{
    free(st->labels);
    free(st->tp);
    free(st->fp);
    free(st->count);
    *st = (mc_stats){0};
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Index of v among the sorted labels, or -1. */
static long label_index(const mc_stats *st, double v)
{
    size_t lo = 0, hi = st->k;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->labels[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < st->k && st->labels[lo] == v ? (long)lo : -1;
}

/* Reads prediction, label and weight columns (the arrays are kept for logLoss). A NaN label is an
 * error: it can equal no class, so every per-class count would silently exclude it. */
static bool read_inputs(const lml_frame *df, const char *label_col, const char *pred_col, const char *weight_col,
                        const char *who, double **pred, double **label, double **w, lml_error *err)
{
    *pred = *label = *w = NULL;
    if (!df)
        return lml_error_set(err, LML_EINVAL, "%s: frame is NULL", who);
    if (!lml_eval_check_nonempty(df, who, err))
        return false;
    *pred = lml_eval_read_column(df, pred_col, LML_EVAL_DOUBLE, who, err);
    *label = *pred ? lml_eval_read_column(df, label_col, LML_EVAL_NUMERIC, who, err) : NULL;
    *w = *label ? lml_eval_read_weights(df, weight_col, who, err) : NULL;
    bool ok = *w != NULL;
    size_t n = lml_frame_num_rows(df);
    for (size_t i = 0; ok && i < n; i++)
        if (isnan((*label)[i]))
            ok = lml_error_set(err, LML_EINVAL, "%s: column '%s': label is NaN at row %zu", who, label_col, i);
    if (!ok) {
        free(*pred);
        free(*label);
        free(*w);
        *pred = *label = *w = NULL;
    }
    return ok;
}

/* The per-label weighted counts of MulticlassMetrics. */
static bool build_stats(const double *pred, const double *label, const double *w, size_t n, const char *who,
                        mc_stats *st, lml_error *err)
{
    *st = (mc_stats){0};
    size_t bytes;
    if (!lml_mul_ok(n, sizeof(double), &bytes) || !(st->labels = malloc(bytes)))
        return lml_error_set(err, LML_ENOMEM, "%s: out of memory", who);
    memcpy(st->labels, label, bytes);
    qsort(st->labels, n, sizeof(double), cmp_double);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || st->labels[i] != st->labels[k - 1])
            st->labels[k++] = st->labels[i];
    st->k = k;
    st->tp = calloc(k, sizeof(double));
    st->fp = calloc(k, sizeof(double));
    st->count = calloc(k, sizeof(double));
    if (!st->tp || !st->fp || !st->count) {
        stats_free(st);
        return lml_error_set(err, LML_ENOMEM, "%s: out of memory", who);
    }
    for (size_t i = 0; i < n; i++) {
        long li = label_index(st, label[i]);
        st->count[li] += w[i];
        st->total += w[i];
        if (pred[i] == label[i]) {
            st->tp[li] += w[i];
        } else {
            st->missed += w[i];
            long pi = label_index(st, pred[i]);
            if (pi >= 0)
                st->fp[pi] += w[i];
        }
    }
    if (!(st->total > 0)) {
        stats_free(st);
        return lml_error_set(err, LML_EINVAL, "%s: the total weight is 0", who);
    }
    return true;
}

static double precision_at(const mc_stats *st, size_t c)
{
    double d = st->tp[c] + st->fp[c];
    return d == 0 ? 0.0 : st->tp[c] / d;
}

static double recall_at(const mc_stats *st, size_t c) { return st->tp[c] / st->count[c]; }

static double fpr_at(const mc_stats *st, size_t c) { return st->fp[c] / (st->total - st->count[c]); }

static double fmeasure_at(const mc_stats *st, size_t c, double beta)
{
    double p = precision_at(st, c), r = recall_at(st, c), b2 = beta * beta;
    return p + r == 0 ? 0.0 : (1 + b2) * p * r / (b2 * p + r);
}

typedef enum { M_PRECISION, M_RECALL, M_FPR, M_FMEASURE } per_label;

static double metric_at(const mc_stats *st, size_t c, per_label m, double beta)
{
    switch (m) {
    case M_PRECISION: return precision_at(st, c);
    case M_RECALL: return recall_at(st, c);
    case M_FPR: return fpr_at(st, c);
    default: return fmeasure_at(st, c, beta);
    }
}

/* Σ_c X(c) · N(c) / N over the actual labels. */
static double weighted(const mc_stats *st, per_label m, double beta)
{
    double sum = 0;
    for (size_t c = 0; c < st->k; c++)
        sum += metric_at(st, c, m, beta) * st->count[c] / st->total;
    return sum;
}

/* logLoss: Σ w·(−log p_label) / Σ w with Spark's clipping at eps and 1 − eps. */
static double log_loss(const lml_stage *self, const lml_frame *df, const double *label, const double *w,
                       lml_error *err)
{
    const char *who = lml_stage_uid(self), *col = lml_param_string(self, "probabilityCol");
    const char *label_col = lml_param_string(self, "labelCol");
    double eps = lml_param_double(self, "eps");
    if (!col || lml_frame_column_index(df, col) < 0) {
        lml_error_set(err, LML_ENOTFOUND, "%s: probabilityCol '%s' is needed to compute logLoss", who,
                      col ? col : "(unset)");
        return NAN;
    }
    const lml_column *p = lml_frame_column_by_name(df, col, err);
    if (lml_column_type(p) != LML_VECTOR) {
        lml_error_set(err, LML_ETYPE, "%s: column '%s' must be of type vector but was %s", who, col,
                      lml_type_name(lml_column_type(p)));
        return NAN;
    }
    size_t n = lml_frame_num_rows(df), size = lml_column_vector_size(p);
    double loss1 = -log(eps), loss2 = -log1p(-eps), sum = 0, wsum = 0;
    for (size_t i = 0; i < n; i++) {
        double y = label[i];
        if (!(y >= 0) || y != floor(y) || y >= (double)size) {
            lml_error_set(err, LML_EINVAL,
                          "%s: column '%s': invalid label %g at row %zu (logLoss needs an integer class index "
                          "in [0, %zu))",
                          who, label_col, y, i, size);
            return NAN;
        }
        if (lml_column_is_null(p, i)) {
            lml_error_set(err, LML_EINVAL, "%s: column '%s': null value at row %zu", who, col, i);
            return NAN;
        }
        double prob = lml_eval_vector_at(p, i, (size_t)y);
        double l = prob < eps ? loss1 : prob > 1 - eps ? loss2 : -log(prob);
        sum += l * w[i];
        wsum += w[i];
    }
    if (!(wsum > 0)) {
        lml_error_set(err, LML_EINVAL, "%s: the total weight is 0", who);
        return NAN;
    }
    return sum / wsum;
}

static double evaluate(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const char *who = lml_stage_uid(self), *metric = lml_param_string(self, "metricName");
    const char *label_col = lml_param_string(self, "labelCol");
    double *pred, *label, *w;
    if (!read_inputs(df, label_col, lml_param_string(self, "predictionCol"), lml_param_string(self, "weightCol"),
                     who, &pred, &label, &w, err))
        return NAN;
    double r = NAN;
    mc_stats st = {0};
    if (strcmp(metric, "logLoss") == 0) {
        r = log_loss(self, df, label, w, err);
        goto done;
    }
    if (!build_stats(pred, label, w, lml_frame_num_rows(df), who, &st, err))
        goto done;
    double beta = lml_param_double(self, "beta");
    if (strcmp(metric, "f1") == 0)
        r = weighted(&st, M_FMEASURE, 1.0);
    else if (strcmp(metric, "accuracy") == 0)
        r = (st.total - st.missed) / st.total;
    else if (strcmp(metric, "hammingLoss") == 0)
        r = st.missed / st.total;
    else if (strcmp(metric, "weightedPrecision") == 0)
        r = weighted(&st, M_PRECISION, beta);
    else if (strcmp(metric, "weightedRecall") == 0 || strcmp(metric, "weightedTruePositiveRate") == 0)
        r = weighted(&st, M_RECALL, beta);
    else if (strcmp(metric, "weightedFalsePositiveRate") == 0)
        r = weighted(&st, M_FPR, beta);
    else if (strcmp(metric, "weightedFMeasure") == 0)
        r = weighted(&st, M_FMEASURE, beta);
    else {
        /* The ...ByLabel metrics: Spark looks metricLabel up among the actual labels and fails
         * when it is absent. */
        double ml = lml_param_double(self, "metricLabel");
        long c = label_index(&st, ml);
        if (c < 0) {
            lml_error_set(err, LML_EINVAL, "%s: param 'metricLabel' = %g is not a label of column '%s'", who, ml,
                          label_col);
            goto done;
        }
        per_label m = strcmp(metric, "precisionByLabel") == 0   ? M_PRECISION
                      : strcmp(metric, "falsePositiveRateByLabel") == 0 ? M_FPR
                      : strcmp(metric, "fMeasureByLabel") == 0  ? M_FMEASURE
                                                                : M_RECALL; /* recall / truePositiveRate */
        r = metric_at(&st, (size_t)c, m, beta);
    }
done:
    stats_free(&st);
    free(pred);
    free(label);
    free(w);
    return r;
}

static bool larger_better(const lml_stage *self)
{
    const char *m = lml_param_string(self, "metricName");
    return !(strcmp(m, "weightedFalsePositiveRate") == 0 || strcmp(m, "falsePositiveRateByLabel") == 0 ||
             strcmp(m, "logLoss") == 0 || strcmp(m, "hammingLoss") == 0);
}

bool lml_confusion_matrix(const lml_frame *df, const char *label_col, const char *prediction_col,
                          const char *weight_col, double **matrix, double **labels, size_t *n, lml_error *err)
{
    const char *who = "lml_confusion_matrix";
    *matrix = *labels = NULL;
    *n = 0;
    double *pred, *label, *w;
    if (!read_inputs(df, label_col, prediction_col, weight_col, who, &pred, &label, &w, err))
        return false;
    mc_stats st;
    size_t rows = lml_frame_num_rows(df), cells;
    bool ok = build_stats(pred, label, w, rows, who, &st, err);
    if (ok && (!lml_mul_ok(st.k, st.k, &cells) || !(*matrix = calloc(cells, sizeof(double)))))
        ok = lml_error_set(err, LML_ENOMEM, "%s: out of memory for a %zu x %zu confusion matrix", who, st.k, st.k);
    for (size_t i = 0; ok && i < rows; i++) {
        long a = label_index(&st, label[i]), p = label_index(&st, pred[i]);
        if (p >= 0)
            (*matrix)[(size_t)a * st.k + (size_t)p] += w[i];
    }
    if (ok) {
        *labels = st.labels; /* handed over to the caller */
        st.labels = NULL;
        *n = st.k;
    }
    stats_free(&st);
    free(pred);
    free(label);
    free(w);
    return ok;
}

const lml_stage_vtable lml_multiclass_evaluator_vt = {
    .name = "MulticlassClassificationEvaluator",
    .class_name = "org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator",
    .kind = LML_STAGE_EVALUATOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .evaluate = evaluate,
    .larger_better = larger_better,
};

lml_stage *lml_multiclass_classification_evaluator_new(void)
{
    return lml_stage_create(&lml_multiclass_evaluator_vt, NULL, NULL, NULL);
}
