/* BinaryClassificationEvaluator and the curves of Spark's BinaryClassificationMetrics: rows are
 * grouped by distinct score, sorted by score descending, optionally down-sampled into runs of
 * g = #scores / numBins points, and the cumulative counts give one confusion matrix per point. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "core/internal.h"

static const char *const metric_names[] = {"areaUnderROC", "areaUnderPR"};

static bool check_metric(const lml_param_value *v, lml_error *err)
{
    return lml_eval_check_one_of(v, metric_names, sizeof metric_names / sizeof metric_names[0], err);
}

static const lml_param_def params[] = {
    {.name = "metricName", .type = LML_PARAM_STRING,
     .doc = "metric name in evaluation (areaUnderROC|areaUnderPR)", .has_default = true,
     .def_s = "areaUnderROC", .check = check_metric},
    {.name = "rawPredictionCol", .type = LML_PARAM_STRING, .doc = "raw prediction (a.k.a. confidence) column name",
     .has_default = true, .def_s = "rawPrediction"},
    {.name = "labelCol", .type = LML_PARAM_STRING, .doc = "label column name", .has_default = true,
     .def_s = "label"},
    {.name = "weightCol", .type = LML_PARAM_STRING,
     .doc = "weight column name. If this is not set or empty, we treat all instance weights as 1.0"},
    {.name = "numBins", .type = LML_PARAM_INT,
     .doc = "Number of bins to down-sample the curves (ROC curve, PR curve) in area computation. If 0, no "
            "down-sampling will occur. Must be >= 0.",
     .has_default = true, .def_i = 1000, .check = lml_check_nonneg},
};

/* One threshold point: its score and the weighted positives / negatives at that score. */
typedef struct {
    double score, pos, neg;
} point;

/* Java's Double.compare, which orders Spark's sortByKey: -0.0 < 0.0 and NaN above everything
 * (NaN equal to NaN), so both form their own score points as in Spark. */
static int java_compare(double a, double b)
{
    if (a < b)
        return -1;
    if (a > b)
        return 1;
    int na = isnan(a), nb = isnan(b);
    if (na || nb)
        return na - nb;
    return (signbit(b) != 0) - (signbit(a) != 0);
}

static int by_score_desc(const void *x, const void *y)
{
    return java_compare(((const point *)y)->score, ((const point *)x)->score);
}

typedef struct {
    double *tp, *fp; /* cumulative weighted counts per point, highest score first */
    size_t n;
    double pos, neg; /* totals */
} curve;

static void curve_free(curve *c)
{
    free(c->tp);
    free(c->fp);
    *c = (curve){0};
}

/* Reads the scores: element [1] of a vector column or the values of a double column. */
static double *read_scores(const lml_frame *df, const char *col, const char *who, lml_error *err)
{
    if (!col) {
        lml_error_set(err, LML_EINVAL, "%s: rawPredictionCol is not set", who);
        return NULL;
    }
    const lml_column *c = lml_frame_column_by_name(df, col, err);
    if (!c) {
        lml_error_prefix(err, "%s", who);
        return NULL;
    }
    if (lml_column_type(c) != LML_VECTOR)
        return lml_eval_read_column(df, col, LML_EVAL_DOUBLE, who, err);
    /* Spark requires length 2 whenever the vector size is known (a 3-class rawPrediction would
     * otherwise be scored by its class-1 element alone). */
    if (lml_column_vector_size(c) != 2) {
        lml_error_set(err, LML_EINVAL, "%s: column '%s': rawPredictionCol vectors must have length=2, but got %zu",
                      who, col, lml_column_vector_size(c));
        return NULL;
    }
    size_t n = lml_column_length(c);
    double *s = malloc((n ? n : 1) * sizeof *s); /* n doubles already exist in the column: no overflow */
    if (!s) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory", who);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (lml_column_is_null(c, i)) {
            lml_error_set(err, LML_EINVAL, "%s: column '%s': null value at row %zu", who, col, i);
            free(s);
            return NULL;
        }
        s[i] = lml_eval_vector_at(c, i, 1);
    }
    return s;
}

/* Builds the (down-sampled) cumulative confusion points of df. */
static bool build_curve(const lml_frame *df, const char *label_col, const char *raw_col, const char *weight_col,
                        int64_t num_bins, const char *who, curve *out, lml_error *err)
{
    *out = (curve){0};
    if (!df)
        return lml_error_set(err, LML_EINVAL, "%s: frame is NULL", who);
    if (num_bins < 0)
        return lml_error_set(err, LML_ERANGE, "%s: numBins must be >= 0, got %lld", who, (long long)num_bins);
    if (!lml_eval_check_nonempty(df, who, err))
        return false;
    double *s = read_scores(df, raw_col, who, err);
    double *y = s ? lml_eval_read_column(df, label_col, LML_EVAL_NUMERIC, who, err) : NULL;
    double *w = y ? lml_eval_read_weights(df, weight_col, who, err) : NULL;
    size_t n = lml_frame_num_rows(df);
    size_t bytes = 0;
    bool fits = lml_mul_ok(n, sizeof(point), &bytes);
    point *pts = w && fits ? malloc(bytes) : NULL;
    bool ok = false;
    if (w && !pts)
        lml_error_set(err, LML_ENOMEM, "%s: out of memory for %zu score points", who, n);
    if (!pts)
        goto done;
    for (size_t i = 0; i < n; i++)
        pts[i] = (point){s[i], y[i] > 0.5 ? w[i] : 0.0, y[i] > 0.5 ? 0.0 : w[i]};
    qsort(pts, n, sizeof *pts, by_score_desc);
    /* Group equal scores in place. */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && java_compare(pts[m - 1].score, pts[i].score) == 0) {
            pts[m - 1].pos += pts[i].pos;
            pts[m - 1].neg += pts[i].neg;
        } else {
            pts[m++] = pts[i];
        }
    }
    /* Spark's down-sampling: only when each bin would hold at least two points; the last, possibly
     * shorter, run is kept as its own point. */
    size_t g = num_bins > 0 ? m / (size_t)num_bins : 0;
    if (g >= 2) {
        size_t k = 0;
        for (size_t i = 0; i < m; i += g) {
            point agg = {0};
            for (size_t j = i; j < m && j < i + g; j++) {
                agg.pos += pts[j].pos;
                agg.neg += pts[j].neg;
                agg.score = pts[j].score;
            }
            pts[k++] = agg;
        }
        m = k;
    }
    out->tp = malloc(m * sizeof *out->tp);
    out->fp = malloc(m * sizeof *out->fp);
    if (!out->tp || !out->fp) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory", who);
        curve_free(out);
        goto done;
    }
    double tp = 0, fp = 0;
    for (size_t i = 0; i < m; i++) {
        tp += pts[i].pos;
        fp += pts[i].neg;
        out->tp[i] = tp;
        out->fp[i] = fp;
    }
    out->n = m;
    out->pos = tp;
    out->neg = fp;
    ok = true;
done:
    free(pts);
    free(s);
    free(y);
    free(w);
    return ok;
}

/* ROC points: (0,0), (FPR, TPR) per threshold, (1,1). */
static bool roc_points(const curve *c, double **x, double **y, size_t *n, lml_error *err)
{
    size_t m = c->n + 2;
    *x = malloc(m * sizeof **x);
    *y = malloc(m * sizeof **y);
    if (!*x || !*y) {
        free(*x);
        free(*y);
        *x = *y = NULL;
        return lml_error_set(err, LML_ENOMEM, "out of memory building the ROC curve");
    }
    (*x)[0] = (*y)[0] = 0.0;
    for (size_t i = 0; i < c->n; i++) {
        (*x)[i + 1] = c->neg == 0 ? 0.0 : c->fp[i] / c->neg;
        (*y)[i + 1] = c->pos == 0 ? 0.0 : c->tp[i] / c->pos;
    }
    (*x)[m - 1] = (*y)[m - 1] = 1.0;
    *n = m;
    return true;
}

/* PR points: (recall, precision) per threshold with (0, first precision) prepended. */
static bool pr_points(const curve *c, double **x, double **y, size_t *n, lml_error *err)
{
    size_t m = c->n + 1;
    *x = malloc(m * sizeof **x);
    *y = malloc(m * sizeof **y);
    if (!*x || !*y) {
        free(*x);
        free(*y);
        *x = *y = NULL;
        return lml_error_set(err, LML_ENOMEM, "out of memory building the PR curve");
    }
    for (size_t i = 0; i < c->n; i++) {
        double predicted = c->tp[i] + c->fp[i];
        (*x)[i + 1] = c->pos == 0 ? 0.0 : c->tp[i] / c->pos;
        (*y)[i + 1] = predicted == 0 ? 1.0 : c->tp[i] / predicted;
    }
    (*x)[0] = 0.0;
    (*y)[0] = (*y)[1];
    *n = m;
    return true;
}

static double trapezoid(const double *x, const double *y, size_t n)
{
    double area = 0;
    for (size_t i = 1; i < n; i++)
        area += (y[i] + y[i - 1]) / 2.0 * (x[i] - x[i - 1]);
    return area;
}

static bool curve_api(bool roc, const lml_frame *df, const char *label_col, const char *raw_col,
                      const char *weight_col, int64_t num_bins, double **x, double **y, size_t *n, lml_error *err)
{
    *x = *y = NULL;
    *n = 0;
    curve c;
    const char *who = roc ? "lml_binary_roc" : "lml_binary_pr";
    if (!build_curve(df, label_col, raw_col, weight_col, num_bins, who, &c, err))
        return false;
    bool ok = roc ? roc_points(&c, x, y, n, err) : pr_points(&c, x, y, n, err);
    curve_free(&c);
    return ok;
}

bool lml_binary_roc(const lml_frame *df, const char *label_col, const char *raw_prediction_col,
                    const char *weight_col, int64_t num_bins, double **fpr, double **tpr, size_t *n, lml_error *err)
{
    return curve_api(true, df, label_col, raw_prediction_col, weight_col, num_bins, fpr, tpr, n, err);
}

bool lml_binary_pr(const lml_frame *df, const char *label_col, const char *raw_prediction_col,
                   const char *weight_col, int64_t num_bins, double **recall, double **precision, size_t *n,
                   lml_error *err)
{
    return curve_api(false, df, label_col, raw_prediction_col, weight_col, num_bins, recall, precision, n, err);
}

static double evaluate(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const char *metric = lml_param_string(self, "metricName");
    bool roc = strcmp(metric, "areaUnderROC") == 0;
    curve c;
    if (!build_curve(df, lml_param_string(self, "labelCol"), lml_param_string(self, "rawPredictionCol"),
                     lml_param_string(self, "weightCol"), lml_param_int(self, "numBins"), lml_stage_uid(self), &c,
                     err))
        return NAN;
    double *x, *y;
    size_t n;
    bool ok = roc ? roc_points(&c, &x, &y, &n, err) : pr_points(&c, &x, &y, &n, err);
    curve_free(&c);
    if (!ok)
        return NAN;
    double area = trapezoid(x, y, n);
    free(x);
    free(y);
    return area;
}

static bool larger_better(const lml_stage *self)
{
    (void)self;
    return true;
}

const lml_stage_vtable lml_binary_evaluator_vt = {
    .name = "BinaryClassificationEvaluator",
    .class_name = "org.apache.spark.ml.evaluation.BinaryClassificationEvaluator",
    .kind = LML_STAGE_EVALUATOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .evaluate = evaluate,
    .larger_better = larger_better,
};

lml_stage *lml_binary_classification_evaluator_new(void)
{
    return lml_stage_create(&lml_binary_evaluator_vt, NULL, NULL, NULL);
}
