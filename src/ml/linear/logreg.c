/* LogisticRegression / LogisticRegressionModel as stages: Spark's param table (spec §7.1), the
 * model's transform (rawPrediction, probability, prediction; §7.6) and the public accessors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/internal.h"
#include "lakeml/ml/classification.h"
#include "ml/linear/logreg_internal.h"
#include "ml/persist/persist_internal.h"

static bool check_family(const lml_param_value *v, lml_error *err)
{
    static const char *const ok[] = {"auto", "binomial", "multinomial"};
    for (size_t i = 0; i < 3; i++)
        if (strcasecmp(v->v.s, ok[i]) == 0)
            return true;
    return lml_error_set(err, LML_EINVAL, "must be one of auto, binomial, multinomial; got '%s'", v->v.s);
}

static bool check_thresholds(const lml_param_value *v, lml_error *err)
{
    size_t zeros = 0;
    for (size_t i = 0; i < v->v.dbls.n; i++) {
        double t = v->v.dbls.items[i];
        if (!(t >= 0) || !isfinite(t))
            return lml_error_set(err, LML_ERANGE, "must be finite and >= 0, got %g at index %zu", t, i);
        zeros += t == 0.0;
    }
    return zeros <= 1 ? true : lml_error_set(err, LML_ERANGE, "may hold at most one 0, got %zu", zeros);
}

static bool check_ge2(const lml_param_value *v, lml_error *err)
{
    return v->v.i >= 2 ? true : lml_error_set(err, LML_ERANGE, "must be >= 2, got %lld", (long long)v->v.i);
}

#define P_STR(n, doc, def) {n, LML_PARAM_STRING, doc, true, false, 0, 0, def, NULL}
static const lml_param_def lr_params[] = {
    P_STR("featuresCol", "features column name", "features"),
    P_STR("labelCol", "label column name", "label"),
    P_STR("predictionCol", "prediction column name", "prediction"),
    P_STR("rawPredictionCol", "raw prediction (a.k.a. confidence) column name", "rawPrediction"),
    P_STR("probabilityCol", "Column name for predicted class conditional probabilities. Note: Not all models output "
          "well-calibrated probability estimates! These probabilities should be treated as confidences, not precise "
          "probabilities", "probability"),
    {"maxIter", LML_PARAM_INT, "maximum number of iterations (>= 0)", true, false, 100, 0, NULL, lml_check_nonneg},
    {"regParam", LML_PARAM_DOUBLE, "regularization parameter (>= 0)", true, false, 0, 0.0, NULL, lml_check_nonneg},
    {"elasticNetParam", LML_PARAM_DOUBLE, "the ElasticNet mixing parameter, in range [0, 1]. For alpha = 0, the "
     "penalty is an L2 penalty. For alpha = 1, it is an L1 penalty", true, false, 0, 0.0, NULL, lml_check_unit},
    {"tol", LML_PARAM_DOUBLE, "the convergence tolerance for iterative algorithms (>= 0)", true, false, 0, 1e-6, NULL,
     lml_check_nonneg},
    {"fitIntercept", LML_PARAM_BOOL, "whether to fit an intercept term", true, true, 0, 0, NULL, NULL},
    {"standardization", LML_PARAM_BOOL, "whether to standardize the training features before fitting the model",
     true, true, 0, 0, NULL, NULL},
    {"threshold", LML_PARAM_DOUBLE, "threshold in binary classification prediction, in range [0, 1]", true, false, 0,
     0.5, NULL, lml_check_unit},
    {"thresholds", LML_PARAM_DOUBLES, "Thresholds in multi-class classification to adjust the probability of "
     "predicting each class. Array must have length equal to the number of classes, with values > 0 excepting that "
     "at most one value may be 0. The class with largest value p/t is predicted, where p is the original probability "
     "of that class and t is the class's threshold", false, false, 0, 0, NULL, check_thresholds},
    {"family", LML_PARAM_STRING, "The name of family which is a description of the label distribution to be used in "
     "the model. Supported options: auto, binomial, multinomial.", true, false, 0, 0, "auto", check_family},
    {"weightCol", LML_PARAM_STRING, "weight column name. If this is not set or empty, we treat all instance weights "
     "as 1.0", false, false, 0, 0, NULL, NULL},
    {"aggregationDepth", LML_PARAM_INT, "suggested depth for treeAggregate (>= 2)", true, false, 2, 0, NULL, check_ge2},
    {"maxBlockSizeInMB", LML_PARAM_DOUBLE, "Maximum memory in MB for stacking input data into blocks. Data is stacked "
     "within partitions. If more than remaining data size in a partition then it is adjusted to the data size. Default "
     "0.0 represents choosing optimal value, depends on specific algorithm. Must be >= 0.", true, false, 0, 0.0, NULL,
     lml_check_nonneg},
};

static void state_retain(void *st) { atomic_fetch_add(&((lml_logreg_state *)st)->refs, 1); }

void lml_logreg_state_release(void *st)
{
    lml_logreg_state *s = st;
    if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    free(s->coef);
    free(s->intercept);
    free(s->history);
    free(s);
}

static lml_stage *lr_fit(const lml_stage *self, const lml_frame *df, lml_error *err);
static lml_frame *lr_transform(const lml_stage *self, const lml_frame *df, lml_error *err);
static bool lr_save(const lml_stage *self, const char *dir, struct cJSON *meta, lml_error *err);
static void *lr_load(const char *dir, const struct cJSON *meta, int version, lml_error *err);

const lml_stage_vtable lml_logistic_regression_vt = {
    .name = "LogisticRegression",
    .class_name = "org.apache.spark.ml.classification.LogisticRegression",
    .kind = LML_STAGE_ESTIMATOR,
    .params = lr_params,
    .nparams = sizeof lr_params / sizeof lr_params[0],
    .fit = lr_fit,
};

const lml_stage_vtable lml_logistic_regression_model_vt = {
    .name = "LogisticRegressionModel",
    .class_name = "org.apache.spark.ml.classification.LogisticRegressionModel",
    .kind = LML_STAGE_MODEL,
    .params = lr_params,
    .nparams = sizeof lr_params / sizeof lr_params[0],
    .transform = lr_transform,
    .retain_state = state_retain,
    .release_state = lml_logreg_state_release,
    .save_data = lr_save,
    .load_state = lr_load,
};

lml_stage *lml_logistic_regression_new(void)
{
    return lml_stage_create(&lml_logistic_regression_vt, NULL, NULL, NULL);
}

static lml_stage *lr_fit(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    lml_logreg_state *s = lml_logreg_fit_state(self, df, err);
    if (!s)
        return NULL;
    return lml_stage_create_model(&lml_logistic_regression_model_vt, self, s, err);
}

void lml_logreg_margins_dense(const lml_logreg_state *s, const double *x, double *out)
{
    for (size_t k = 0; k < s->rows; k++) {
        double m = s->intercept[k];
        const double *c = s->coef + k * s->d;
        for (size_t j = 0; j < s->d; j++)
            m += c[j] * x[j];
        out[k] = m;
    }
}

bool lml_logreg_rule_of(const lml_stage *self, const lml_logreg_state *s, lml_logreg_rule *r, lml_error *err)
{
    size_t nt = 0, K = s->num_classes;
    const double *th = lml_is_set(self, "thresholds") ? lml_get_doubles(self, "thresholds", &nt, NULL) : NULL;
    if (th && nt != K)
        return lml_error_set(err, LML_EINVAL, "%s: thresholds has length %zu but the model has %zu classes", self->uid,
                             nt, K);
    *r = (lml_logreg_rule){.th = s->multinomial ? th : NULL};
    if (s->multinomial)
        return true;
    double thr = lml_param_double(self, "threshold");
    if (th) {
        double tt = 1.0 / (1.0 + th[0] / th[1]); /* t₁ = 0 → t = 0 (always 1); t₀ = 0 → t = 1 */
        /* Spark's checkThresholdConsistency: both set must agree. */
        if (lml_is_set(self, "threshold") && fabs(thr - tt) > 1e-5)
            return lml_error_set(err, LML_EINVAL,
                                 "%s: inconsistent values for threshold (%g) and thresholds (equivalent to %g)",
                                 self->uid, thr, tt);
        thr = tt;
    }
    r->binary_rule = thr <= 0.0 ? 1 : thr >= 1.0 ? 2 : 0;
    r->cutoff = r->binary_rule == 0 ? log(thr / (1.0 - thr)) : 0.0;
    return true;
}

void lml_logreg_outputs(bool multinomial, size_t K, const double *m, const lml_logreg_rule *r, double *raw,
                        double *prob, double *pred)
{
    if (!multinomial) {
        double g = m[0];
        raw[0] = -g, raw[1] = g;
        prob[0] = 1.0 / (1.0 + exp(g));
        prob[1] = 1.0 - prob[0];
        *pred = r->binary_rule == 1 ? 1.0 : r->binary_rule == 2 ? 0.0 : g > r->cutoff ? 1.0 : 0.0;
        return;
    }
    double mx = -INFINITY, sum = 0.0;
    size_t top = 0;
    for (size_t k = 0; k < K; k++) {
        raw[k] = m[k];
        if (raw[k] > mx)
            mx = raw[k], top = k;
    }
    if (mx == INFINITY) { /* a one-class model: Spark puts all probability on the first +∞ */
        for (size_t k = 0; k < K; k++)
            prob[k] = k == top ? 1.0 : 0.0;
    } else {
        for (size_t k = 0; k < K; k++)
            sum += (prob[k] = exp(raw[k] - mx));
        for (size_t k = 0; k < K; k++)
            prob[k] /= sum;
    }
    const double *th = r->th;
    size_t best = 0;
    double bv = -INFINITY;
    for (size_t k = 0; k < K; k++) {
        double v = th ? (th[k] == 0.0 ? INFINITY : prob[k] / th[k]) : raw[k];
        if (k == 0 || v > bv)
            bv = v, best = k;
    }
    *pred = (double)best;
}

static lml_frame *add_col(lml_frame *f, const char *name, lml_column *c, lml_error *err)
{
    lml_frame *g = c ? lml_frame_with_column(f, name, c, err) : NULL;
    lml_column_free(c);
    lml_frame_free(f);
    return g;
}

/* Rows are scored in parallel blocks; each row's margins are accumulated exactly as
 * lml_logreg_margins_dense (or the CSR loop) does, so results do not depend on the thread count. */
#define LR_BLOCK 1024
#define LR_LANES 4

typedef struct lr_run {
    const lml_logreg_state *s;
    const lml_column *fc;
    lml_logreg_rule rule;
    double *raw, *prob, *pred;
    size_t n;
    bool failed; /* a task could not get memory for the margins of a model with many classes */
} lr_run;

/* The margins of LR_LANES dense rows at once: the same sums, in the same order per row, but
 * independent chains interleaved so the adds do not wait on each other. */
static void margins_dense_lanes(const lml_logreg_state *s, const double *x, size_t d, double *m)
{
    for (size_t k = 0; k < s->rows; k++) {
        const double *c = s->coef + k * s->d;
        double a0 = s->intercept[k], a1 = a0, a2 = a0, a3 = a0;
        for (size_t j = 0; j < s->d; j++) {
            a0 += c[j] * x[j];
            a1 += c[j] * x[d + j];
            a2 += c[j] * x[2 * d + j];
            a3 += c[j] * x[3 * d + j];
        }
        m[k] = a0, m[s->rows + k] = a1, m[2 * s->rows + k] = a2, m[3 * s->rows + k] = a3;
    }
}

static void lr_block(void *vc, size_t task, int worker)
{
    (void)worker;
    lr_run *c = vc;
    const lml_logreg_state *s = c->s;
    size_t K = s->num_classes, d = s->d, R = s->rows;
    size_t i0 = task * LR_BLOCK, i1 = i0 + LR_BLOCK < c->n ? i0 + LR_BLOCK : c->n;
    double local[LR_LANES * 8], *m = R <= 8 ? local : malloc(LR_LANES * R * sizeof *m);
    if (!m) {
        __atomic_store_n(&c->failed, true, __ATOMIC_RELAXED);
        return;
    }
    const double *X = lml_column_vector_dense(c->fc);
    const int64_t *ip = lml_column_vector_indptr(c->fc);
    const int32_t *ix = lml_column_vector_indices(c->fc);
    const double *v = lml_column_vector_values(c->fc);
    for (size_t i = i0; i < i1;) {
        size_t lanes = 1;
        if (X && i + LR_LANES <= i1) {
            margins_dense_lanes(s, X + i * d, d, m);
            lanes = LR_LANES;
        } else if (X) {
            lml_logreg_margins_dense(s, X + i * d, m);
        } else {
            for (size_t k = 0; k < R; k++) {
                double acc = s->intercept[k];
                for (int64_t z = ip[i]; z < ip[i + 1]; z++)
                    acc += s->coef[k * d + (size_t)ix[z]] * v[z];
                m[k] = acc;
            }
        }
        for (size_t q = 0; q < lanes; q++, i++)
            lml_logreg_outputs(s->multinomial, K, m + q * R, &c->rule, c->raw + i * K, c->prob + i * K, c->pred + i);
    }
    if (m != local)
        free(m);
}

static lml_frame *lr_transform(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const lml_logreg_state *s = lml_stage_state(self, &lml_logistic_regression_model_vt, err);
    if (!s)
        return NULL;
    const char *fname = lml_param_string(self, "featuresCol");
    const lml_column *fc = lml_frame_column_by_name(df, fname, err);
    if (!fc) {
        lml_error_prefix(err, "%s: featuresCol", self->uid);
        return NULL;
    }
    if (lml_column_type(fc) != LML_VECTOR || lml_column_vector_size(fc) != s->d) {
        lml_error_set(err, LML_ETYPE, "%s: column '%s' must hold vectors of size %zu (the model's numFeatures), got %s "
                      "of size %zu", self->uid, fname, s->d, lml_type_name(lml_column_type(fc)),
                      lml_column_type(fc) == LML_VECTOR ? lml_column_vector_size(fc) : 0);
        return NULL;
    }
    const char *names[3] = {lml_param_string(self, "rawPredictionCol"), lml_param_string(self, "probabilityCol"),
                            lml_param_string(self, "predictionCol")};
    for (size_t i = 0; i < 3; i++)
        if (names[i] && *names[i] && lml_frame_column_index(df, names[i]) >= 0) {
            lml_error_set(err, LML_EINVAL, "%s: output column %s already exists", self->uid, names[i]);
            return NULL;
        }
    size_t K = s->num_classes, n = lml_column_length(fc);
    lml_logreg_rule rule;
    if (!lml_logreg_rule_of(self, s, &rule, err))
        return NULL;
    size_t nk;
    if (!lml_mul_ok(n, K, &nk) || nk > SIZE_MAX / sizeof(double) / 2) {
        lml_error_set(err, LML_ENOMEM, "%s: %zu rows × %zu classes is too large", self->uid, n, K);
        return NULL;
    }
    double *raw = malloc((nk ? nk : 1) * sizeof(double)), *prob = malloc((nk ? nk : 1) * sizeof(double));
    double *pred = malloc((n ? n : 1) * sizeof(double));
    lml_frame *out = NULL;
    if (!raw || !prob || !pred) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory for predictions", self->uid);
        goto done;
    }
    for (size_t i = 0; lml_column_null_count(fc) > 0 && i < n; i++)
        if (lml_column_is_null(fc, i)) {
            lml_error_set(err, LML_EINVAL, "%s: column '%s' row %zu: features are null", self->uid, fname, i);
            goto done;
        }
    lr_run run = {s, fc, rule, raw, prob, pred, n, false};
    lml_parallel_for((n + LR_BLOCK - 1) / LR_BLOCK, lr_block, &run);
    if (run.failed) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory for the margins of %zu classes", self->uid, s->rows);
        goto done;
    }
    out = lml_frame_retain(df);
    if (names[0] && *names[0])
        out = add_col(out, names[0], lml_column_vector_from_dense(raw, n, K, err), err);
    if (out && names[1] && *names[1])
        out = add_col(out, names[1], lml_column_vector_from_dense(prob, n, K, err), err);
    if (out && names[2] && *names[2])
        out = add_col(out, names[2], lml_column_from_doubles(pred, NULL, n, err), err);
done:
    free(raw), free(prob), free(pred);
    return out;
}

/* ---- accessors */

static const lml_logreg_state *model_state(const lml_stage *model, lml_error *err)
{
    return model ? lml_stage_state(model, &lml_logistic_regression_model_vt, err)
                 : (lml_error_set(err, LML_EINVAL, "expected a LogisticRegressionModel, got NULL"), NULL);
}

size_t lml_logistic_regression_num_classes(const lml_stage *model, lml_error *err)
{
    const lml_logreg_state *s = model_state(model, err);
    return s ? s->num_classes : 0;
}

size_t lml_logistic_regression_num_features(const lml_stage *model, lml_error *err)
{
    const lml_logreg_state *s = model_state(model, err);
    return s ? s->d : 0;
}

bool lml_logistic_regression_is_multinomial(const lml_stage *model)
{
    const lml_logreg_state *s = model_state(model, NULL);
    return s && s->multinomial;
}

const double *lml_logistic_regression_coefficients(const lml_stage *model, lml_error *err)
{
    const lml_logreg_state *s = model_state(model, err);
    if (s && s->multinomial) {
        lml_error_set(err, LML_EUNSUPPORTED, "%s: Multinomial models contain a matrix of coefficients, use "
                      "coefficientMatrix instead.", model->uid);
        return NULL;
    }
    return s ? s->coef : NULL;
}

double lml_logistic_regression_intercept(const lml_stage *model, lml_error *err)
{
    const lml_logreg_state *s = model_state(model, err);
    if (s && s->multinomial) {
        lml_error_set(err, LML_EUNSUPPORTED, "%s: Multinomial models contain a vector of intercepts, use "
                      "interceptVector instead.", model->uid);
        return NAN;
    }
    return s ? s->intercept[0] : NAN;
}

const double *lml_logistic_regression_coefficient_matrix(const lml_stage *model, size_t *rows, size_t *cols,
                                                         lml_error *err)
{
    const lml_logreg_state *s = model_state(model, err);
    if (rows)
        *rows = s ? s->rows : 0;
    if (cols)
        *cols = s ? s->d : 0;
    return s ? s->coef : NULL;
}

const double *lml_logistic_regression_intercept_vector(const lml_stage *model, size_t *n, lml_error *err)
{
    const lml_logreg_state *s = model_state(model, err);
    if (n)
        *n = s ? s->rows : 0;
    return s ? s->intercept : NULL;
}

const double *lml_logistic_regression_objective_history(const lml_stage *model, size_t *n, lml_error *err)
{
    const lml_logreg_state *s = model_state(model, err);
    if (n)
        *n = s ? s->nhistory : 0;
    return s ? s->history : NULL;
}

long lml_logistic_regression_total_iterations(const lml_stage *model, lml_error *err)
{
    const lml_logreg_state *s = model_state(model, err);
    return s ? (long)s->nhistory - 1 : -1;
}

double lml_logistic_regression_area_under_roc(const lml_stage *model, lml_error *err)
{
    const lml_logreg_state *s = model_state(model, err);
    if (s && s->multinomial) {
        lml_error_set(err, LML_EUNSUPPORTED, "%s: areaUnderROC is only defined for binomial models", model->uid);
        return NAN;
    }
    return s ? s->auc : NAN;
}

/* ---- persistence (spec §4.1): numClasses, numFeatures, interceptVector, coefficientMatrix,
 * isMultinomial; Spark ≤ 2.0 wrote a binomial intercept double and coefficients vector. */

static bool lr_save(const lml_stage *self, const char *dir, struct cJSON *meta, lml_error *err)
{
    const lml_logreg_state *st = self->state;
    int32_t nc = (int32_t)st->num_classes, nf = (int32_t)st->d;
    lml_column *c[5] = {lml_column_from_int32s(&nc, NULL, 1, err), lml_column_from_int32s(&nf, NULL, 1, err),
                        lml_persist_vector_col(st->intercept, st->rows, err),
                        lml_persist_matrix_col(st->coef, st->rows, st->d, err), NULL};
    lml_column_builder *b = lml_column_builder_new(LML_BOOL, 1, err);
    if (b && lml_column_builder_append_bool(b, st->multinomial, err))
        c[4] = lml_column_builder_finish(b, err);
    else
        lml_column_builder_free(b);
    static const char *const names[5] = {"numClasses", "numFeatures", "interceptVector", "coefficientMatrix",
                                         "isMultinomial"};
    lml_frame *f = c[0] && c[1] && c[2] && c[3] && c[4] ? lml_frame_new(5, names, c, err) : NULL;
    for (int i = 0; i < 5; i++)
        lml_column_free(c[i]);
    bool ok = f && lml_persist_write_table(dir, "data", f, err);
    lml_frame_free(f);
    return ok;
}

static void *lr_load(const char *dir, const struct cJSON *meta, int version, lml_error *err)
{
    lml_frame *f = lml_persist_read_table(dir, "data", err);
    if (!f)
        return NULL;
    lml_logreg_state *st = calloc(1, sizeof *st);
    int32_t nc = 0, nf = 0;
    size_t n = 0, r = 0, c = 0;
    bool ok = st && lml_persist_cell_int(f, dir, "numClasses", 0, &nc, err) &&
              lml_persist_cell_int(f, dir, "numFeatures", 0, &nf, err);
    if (!st)
        lml_error_set(err, LML_ENOMEM, "out of memory loading %s", dir);
    if (ok && version <= 200) {
        double b;
        ok = lml_persist_cell_double(f, dir, "intercept", 0, &b, err) &&
             lml_persist_cell_vector(f, dir, "coefficients", 0, &st->coef, &c, err) &&
             (st->intercept = malloc(sizeof(double))) != NULL;
        if (ok)
            st->intercept[0] = b, n = r = 1;
    } else if (ok) {
        ok = lml_persist_cell_vector(f, dir, "interceptVector", 0, &st->intercept, &n, err) &&
             lml_persist_cell_matrix(f, dir, "coefficientMatrix", 0, &st->coef, &r, &c, err) &&
             lml_persist_cell_bool(f, dir, "isMultinomial", 0, &st->multinomial, err);
    }
    lml_frame_free(f);
    if (ok && (nc < 2 || nf < 0 || c != (size_t)nf || n != r || (st->multinomial ? r != (size_t)nc : r != 1))) {
        lml_error_set(err, LML_EFORMAT, "%s: data: numClasses %d, numFeatures %d do not match a %zu x %zu "
                      "coefficientMatrix and %zu intercepts", dir, nc, nf, r, c, n);
        ok = false;
    }
    if (!ok) {
        if (st) {
            free(st->coef);
            free(st->intercept);
            free(st);
        }
        return NULL;
    }
    atomic_init(&st->refs, 1);
    st->num_classes = (size_t)nc;
    st->d = (size_t)nf;
    st->rows = r;
    st->auc = NAN;
    return st;
}
