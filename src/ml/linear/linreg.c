/* LinearRegression (estimator) and LinearRegressionModel: params, input checks, transform and
 * the model accessors (spec §8). The solvers are in linreg_normal.c, the summary in
 * linreg_summary.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../optim/optim.h"
#include "../stage_internal.h"
#include "linreg_internal.h"
#include "ml/persist/persist_internal.h"

typedef struct linreg_state {
    int refs;
    size_t d;
    double *coef;
    double intercept;
    double scale;
    lml_linear_regression_summary summary;
} linreg_state;

static void state_retain(void *st) { __atomic_add_fetch(&((linreg_state *)st)->refs, 1, __ATOMIC_RELAXED); }

static void state_release(void *vst)
{
    linreg_state *st = vst;
    if (__atomic_sub_fetch(&st->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    free(st->coef);
    lml_linreg_summary_clear(&st->summary);
    free(st);
}

static bool check_solver(const lml_param_value *v, lml_error *err)
{
    const char *s = v->v.s;
    if (strcmp(s, "auto") == 0 || strcmp(s, "normal") == 0 || strcmp(s, "l-bfgs") == 0)
        return true;
    return lml_error_set(err, LML_EINVAL, "must be one of auto, normal, l-bfgs, got '%s'", s);
}

static bool check_loss(const lml_param_value *v, lml_error *err)
{
    if (strcmp(v->v.s, "squaredError") == 0 || strcmp(v->v.s, "huber") == 0)
        return true;
    return lml_error_set(err, LML_EINVAL, "must be one of squaredError, huber, got '%s'", v->v.s);
}

static bool check_epsilon(const lml_param_value *v, lml_error *err)
{
    return v->v.d > 1.0 ? true : lml_error_set(err, LML_EINVAL, "must be > 1.0, got %g", v->v.d);
}

static bool check_depth(const lml_param_value *v, lml_error *err)
{
    return v->v.i >= 2 ? true : lml_error_set(err, LML_EINVAL, "must be >= 2, got %lld", (long long)v->v.i);
}

static const lml_param_def params[] = {
    {.name = "featuresCol", .type = LML_PARAM_STRING, .doc = "features column name", .has_default = true,
     .def_s = "features"},
    {.name = "labelCol", .type = LML_PARAM_STRING, .doc = "label column name", .has_default = true, .def_s = "label"},
    {.name = "predictionCol", .type = LML_PARAM_STRING, .doc = "prediction column name", .has_default = true,
     .def_s = "prediction"},
    {.name = "maxIter", .type = LML_PARAM_INT, .doc = "maximum number of iterations (>= 0)", .has_default = true,
     .def_i = 100, .check = lml_check_nonneg},
    {.name = "regParam", .type = LML_PARAM_DOUBLE, .doc = "regularization parameter (>= 0)", .has_default = true,
     .def_d = 0.0, .check = lml_check_nonneg},
    {.name = "elasticNetParam", .type = LML_PARAM_DOUBLE,
     .doc = "the ElasticNet mixing parameter, in range [0, 1]. For alpha = 0, the penalty is an L2 penalty. "
            "For alpha = 1, it is an L1 penalty",
     .has_default = true, .def_d = 0.0, .check = lml_check_unit},
    {.name = "tol", .type = LML_PARAM_DOUBLE, .doc = "the convergence tolerance for iterative algorithms (>= 0)",
     .has_default = true, .def_d = 1e-6, .check = lml_check_nonneg},
    {.name = "fitIntercept", .type = LML_PARAM_BOOL, .doc = "whether to fit an intercept term", .has_default = true,
     .def_b = true},
    {.name = "standardization", .type = LML_PARAM_BOOL,
     .doc = "whether to standardize the training features before fitting the model", .has_default = true,
     .def_b = true},
    {.name = "solver", .type = LML_PARAM_STRING,
     .doc = "The solver algorithm for optimization. Supported options: auto, normal, l-bfgs. (Default auto)",
     .has_default = true, .def_s = "auto", .check = check_solver},
    {.name = "loss", .type = LML_PARAM_STRING,
     .doc = "The loss function to be optimized. Supported options: squaredError, huber. (Default squaredError)",
     .has_default = true, .def_s = "squaredError", .check = check_loss},
    {.name = "epsilon", .type = LML_PARAM_DOUBLE,
     .doc = "The shape parameter to control the amount of robustness. Must be > 1.0. Only valid when loss is huber",
     .has_default = true, .def_d = 1.35, .check = check_epsilon},
    {.name = "weightCol", .type = LML_PARAM_STRING,
     .doc = "weight column name. If this is not set or empty, we treat all instance weights as 1.0"},
    {.name = "aggregationDepth", .type = LML_PARAM_INT, .doc = "suggested depth for treeAggregate (>= 2)",
     .has_default = true, .def_i = 2, .check = check_depth},
    {.name = "maxBlockSizeInMB", .type = LML_PARAM_DOUBLE,
     .doc = "Maximum memory in MB for stacking input data into blocks (>= 0)", .has_default = true, .def_d = 0.0,
     .check = lml_check_nonneg},
};

static lml_stage *fit(const lml_stage *self, const lml_frame *df, lml_error *err);
static lml_frame *transform(const lml_stage *self, const lml_frame *df, lml_error *err);
static bool lin_save(const lml_stage *self, const char *dir, struct cJSON *meta, lml_error *err);
static void *lin_load(const char *dir, const struct cJSON *meta, int version, lml_error *err);

const lml_stage_vtable lml_linear_regression_vt = {
    .name = "LinearRegression", .class_name = "org.apache.spark.ml.regression.LinearRegression",
    .kind = LML_STAGE_ESTIMATOR, .params = params, .nparams = sizeof params / sizeof params[0], .fit = fit};
const lml_stage_vtable lml_linear_regression_model_vt = {
    .name = "LinearRegressionModel", .class_name = "org.apache.spark.ml.regression.LinearRegressionModel",
    .kind = LML_STAGE_MODEL, .params = params, .nparams = sizeof params / sizeof params[0],
    .transform = transform, .retain_state = state_retain, .release_state = state_release,
    .save_data = lin_save, .load_state = lin_load};

lml_stage *lml_linear_regression_new(void) { return lml_stage_create(&lml_linear_regression_vt, NULL, NULL, NULL); }

/* ---- input checks */

/* The features column as plain arrays (borrowed), every value finite, no null rows. */
static bool read_features(const lml_frame *df, const char *name, lml_linreg_data *dt, lml_error *err)
{
    const lml_column *c = lml_frame_column_by_name(df, name, err);
    if (!c)
        return false;
    if (lml_column_type(c) != LML_VECTOR)
        return lml_error_set(err, LML_ETYPE, "features column '%s' must be a vector column, got %s", name,
                             lml_type_name(lml_column_type(c)));
    size_t n = lml_column_length(c);
    if (lml_column_null_count(c) > 0)
        for (size_t i = 0; i < n; i++)
            if (lml_column_is_null(c, i))
                return lml_error_set(err, LML_EINVAL, "features column '%s': row %zu is null", name, i);
    dt->n = n;
    dt->d = lml_column_vector_size(c);
    if (lml_column_vector_is_sparse(c)) {
        dt->X = NULL;
        dt->indptr = lml_column_vector_indptr(c);
        dt->indices = lml_column_vector_indices(c);
        dt->values = lml_column_vector_values(c);
        for (size_t i = 0; i < n; i++)
            for (int64_t p = dt->indptr[i]; p < dt->indptr[i + 1]; p++)
                if (!isfinite(dt->values[p]))
                    return lml_error_set(err, LML_EINVAL, "features column '%s': row %zu has a non-finite value %g",
                                         name, i, dt->values[p]);
    } else {
        dt->X = lml_column_vector_dense(c);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < dt->d; j++)
                if (!isfinite(dt->X[i * dt->d + j]))
                    return lml_error_set(err, LML_EINVAL,
                                         "features column '%s': row %zu has a non-finite value %g at index %zu",
                                         name, i, dt->X[i * dt->d + j], j);
    }
    return true;
}

/* A numeric column as doubles (malloc'd), every value non-null and finite (and >= 0 for weights). */
static double *read_numeric(const lml_frame *df, const char *name, const char *what, bool nonneg, lml_error *err)
{
    const lml_column *c = lml_frame_column_by_name(df, name, err);
    if (!c)
        return NULL;
    lml_type t = lml_column_type(c);
    if (t != LML_DOUBLE && t != LML_INT32 && t != LML_INT64) /* Spark's NumericType (not boolean) */
        return lml_error_set(err, LML_ETYPE, "%s column '%s' must be numeric, got %s", what, name, lml_type_name(t)),
               NULL;
    size_t n = lml_column_length(c);
    double *v = malloc((n ? n : 1) * sizeof(double));
    if (!v)
        return lml_error_set(err, LML_ENOMEM, "LinearRegression: out of memory"), NULL;
    for (size_t i = 0; i < n; i++) {
        if (lml_column_is_null(c, i)) {
            free(v);
            return lml_error_set(err, LML_EINVAL, "%s column '%s': row %zu is null", what, name, i), NULL;
        }
        v[i] = lml_column_get_double(c, i);
        if (!isfinite(v[i]) || (nonneg && v[i] < 0)) {
            lml_error_set(err, LML_EINVAL, "%s column '%s': row %zu has the value %g (must be %s)", what, name, i,
                          v[i], nonneg ? "finite and >= 0" : "finite");
            free(v);
            return NULL;
        }
    }
    return v;
}

/* ---- Huber loss (Spark's robust regression, spec §8.2): minimises over (β, b, σ > 0)
 *   (1/(2W)) Σ w (σ + H_ε(r/σ) σ) + ½ λ Σ (s_j β_j)²,   r = y − β·x − b,
 *   H_ε(z) = z² for |z| ≤ ε, 2ε|z| − ε² beyond,
 * with s_j the sample std (standardization) or 1. Spark bounds σ with L-BFGS-B; here a step that
 * leaves σ > 0 gets an infinite value, which the line search shrinks, so the interior optimum is
 * the same. Parameters: β'_j = s_j β_j (standardized space), then b, then σ; start all 1.0. */

typedef struct huber_ctx {
    const lml_linreg_data *dt;
    const double *sd;
    double W, eps, lam;
    bool intercept, standardization;
    double *coef, *gx; /* d each: coefficients on raw x, and Σ dℓ/dmargin · x */
} huber_ctx;

static double huber_fn(const double *x, double *grad, void *vctx)
{
    huber_ctx *c = vctx;
    const lml_linreg_data *dt = c->dt;
    size_t d = dt->d;
    double b = c->intercept ? x[d] : 0.0, sigma = x[d + (c->intercept ? 1 : 0)];
    if (!(sigma > 0))
        return INFINITY;
    for (size_t j = 0; j < d; j++) {
        c->coef[j] = c->sd[j] > 0 ? x[j] / c->sd[j] : 0.0;
        c->gx[j] = 0.0;
    }
    double f = 0, gb = 0, gs = 0;
    for (size_t i = 0; i < dt->n; i++) {
        double w = dt->w ? dt->w[i] : 1.0;
        if (w == 0.0)
            continue;
        double r = lml_linreg_predict_row(dt, i, c->coef, b) - dt->y[i]; /* margin − label */
        double dm;
        if (fabs(r) <= c->eps * sigma) {
            f += 0.5 * w * (sigma + r * r / sigma);
            dm = w * r / sigma;
            gs += 0.5 * w * (1.0 - (r / sigma) * (r / sigma));
        } else {
            f += 0.5 * w * (sigma + 2.0 * c->eps * fabs(r) - c->eps * c->eps * sigma);
            dm = w * c->eps * (r > 0 ? 1.0 : -1.0);
            gs += 0.5 * w * (1.0 - c->eps * c->eps);
        }
        gb += dm;
        if (dt->X) {
            const double *row = dt->X + i * d;
            for (size_t j = 0; j < d; j++)
                c->gx[j] += dm * row[j];
        } else {
            for (int64_t p = dt->indptr[i]; p < dt->indptr[i + 1]; p++)
                c->gx[dt->indices[p]] += dm * dt->values[p];
        }
    }
    f /= c->W;
    for (size_t j = 0; j < d; j++) {
        double l2 = c->standardization ? c->lam : (c->sd[j] > 0 ? c->lam / (c->sd[j] * c->sd[j]) : 0.0);
        grad[j] = (c->sd[j] > 0 ? c->gx[j] / (c->W * c->sd[j]) : 0.0) + l2 * x[j];
        f += 0.5 * l2 * x[j] * x[j];
    }
    if (c->intercept)
        grad[d] = gb / c->W;
    grad[d + (c->intercept ? 1 : 0)] = gs / c->W;
    return f;
}

bool lml_linreg_solve_huber(const lml_linreg_data *dt, const lml_linreg_options *o, double epsilon,
                            lml_linreg_fit *out, lml_error *err)
{
    memset(out, 0, sizeof *out);
    size_t d = dt->d, dim = d + (o->fit_intercept ? 2 : 1);
    bool ok = false;
    double *mem = calloc(5 * d + dim + 1, sizeof(double));
    out->coef = calloc(d ? d : 1, sizeof(double));
    if (!mem || !out->coef) {
        lml_error_set(err, LML_ENOMEM, "LinearRegression: out of memory for %zu features", d);
        goto done;
    }
    double *mean = mem, *sd = mean + d, *x = sd + d;
    huber_ctx c = {.dt = dt, .sd = sd, .eps = epsilon, .lam = o->reg, .intercept = o->fit_intercept,
                   .standardization = o->standardization, .coef = x + dim, .gx = x + dim + d};
    double ymean, ysd;
    lml_linreg_row_moments(dt, mean, sd, &c.W, &ymean, &ysd);
    if (!(c.W > 0)) {
        lml_error_set(err, LML_EINVAL, "LinearRegression: the sum of the weights is 0");
        goto done;
    }
    if (ysd == 0.0 && (o->fit_intercept || ymean == 0.0)) {
        /* Spark returns before choosing the loss: zero coefficients, intercept ȳ, no training. */
        out->intercept = ymean;
        out->scale = 1.0;
        out->history = calloc(1, sizeof(double));
        out->nhistory = 1;
        ok = out->history != NULL;
        if (!ok)
            lml_error_set(err, LML_ENOMEM, "LinearRegression: out of memory");
        goto done;
    }
    if (ysd == 0.0 && o->reg > 0) {
        lml_error_set(err, LML_EINVAL,
                      "LinearRegression: the standard deviation of the label is zero, so the model cannot be "
                      "regularized (regParam %g > 0)", o->reg);
        goto done;
    }
    for (size_t k = 0; k < dim; k++)
        x[k] = 1.0;
    lml_optim_options oo = {.max_iter = o->max_iter, .tol = o->tol, .history = 10};
    lml_optim_result res = {0};
    if (!lml_optim_minimize(dim, x, huber_fn, &c, &oo, &res, err))
        goto done;
    out->history = res.history;
    out->nhistory = res.nhistory;
    for (size_t j = 0; j < d; j++)
        out->coef[j] = sd[j] > 0 ? x[j] / sd[j] : 0.0;
    out->intercept = o->fit_intercept ? x[d] : 0.0;
    out->scale = x[dim - 1];
    ok = true;
done:
    free(mem);
    if (!ok)
        lml_linreg_fit_clear(out);
    return ok;
}

static lml_stage *fit(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const char *uid = lml_stage_uid(self);
    bool huber = strcmp(lml_param_string(self, "loss"), "huber") == 0;
    if (huber && strcmp(lml_param_string(self, "solver"), "normal") == 0)
        return lml_error_set(err, LML_EINVAL,
                             "%s: LinearRegression with huber loss doesn't support normal solver, please change "
                             "solver to auto or l-bfgs", uid),
               NULL;
    if (huber && lml_param_double(self, "elasticNetParam") > 0.0)
        return lml_error_set(err, LML_EINVAL,
                             "%s: LinearRegression with huber loss only supports L2 regularization, but got "
                             "elasticNetParam = %g", uid, lml_param_double(self, "elasticNetParam")),
               NULL;
    if (lml_frame_num_rows(df) == 0)
        return lml_error_set(err, LML_EINVAL, "%s: the training frame is empty", uid), NULL;
    lml_linreg_data dt = {0};
    if (!read_features(df, lml_param_string(self, "featuresCol"), &dt, err))
        return NULL;
    double *y = read_numeric(df, lml_param_string(self, "labelCol"), "label", false, err);
    if (!y)
        return NULL;
    dt.y = y;
    double *w = NULL;
    const char *wcol = lml_param_string(self, "weightCol");
    if (wcol && wcol[0]) {
        if (!(w = read_numeric(df, wcol, "weight", true, err))) {
            free(y);
            return NULL;
        }
        dt.w = w;
    }
    const char *solver = lml_param_string(self, "solver");
    lml_linreg_options o = {
        .solver = strcmp(solver, "normal") == 0   ? LML_LINREG_NORMAL
                  : strcmp(solver, "l-bfgs") == 0 ? LML_LINREG_LBFGS
                                                  : LML_LINREG_AUTO,
        .reg = lml_param_double(self, "regParam"),
        .alpha = lml_param_double(self, "elasticNetParam"),
        .tol = lml_param_double(self, "tol"),
        .max_iter = (int)(lml_param_int(self, "maxIter") > 1000000000 ? 1000000000 : lml_param_int(self, "maxIter")),
        .fit_intercept = lml_param_bool(self, "fitIntercept"),
        .standardization = lml_param_bool(self, "standardization")};
    lml_linreg_fit f;
    lml_stage *model = NULL;
    linreg_state *st = NULL;
    if (!(huber ? lml_linreg_solve_huber(&dt, &o, lml_param_double(self, "epsilon"), &f, err)
                : lml_linreg_solve(&dt, &o, &f, err)))
        goto done;
    st = calloc(1, sizeof *st);
    if (!st) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory", uid);
        lml_linreg_fit_clear(&f);
        goto done;
    }
    st->refs = 1;
    st->d = dt.d;
    st->scale = f.scale;
    st->intercept = f.intercept;
    if (!lml_linreg_summarize(&dt, &f, o.fit_intercept, &st->summary, err)) {
        lml_linreg_fit_clear(&f);
        free(st);
        goto done;
    }
    st->coef = f.coef; /* taken over from the fit */
    f.coef = NULL;
    lml_linreg_fit_clear(&f);
    model = lml_stage_create_model(&lml_linear_regression_model_vt, self, st, err);
    if (!model)
        state_release(st);
done:
    free(y);
    free(w);
    return model;
}

static lml_frame *transform(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const linreg_state *st = lml_stage_state(self, &lml_linear_regression_model_vt, err);
    if (!st)
        return NULL;
    const char *out = lml_param_string(self, "predictionCol");
    if (!out || !out[0])
        return lml_frame_retain(df);
    const char *fname = lml_param_string(self, "featuresCol");
    lml_linreg_data dt = {0};
    const lml_column *c = lml_frame_column_by_name(df, fname, err);
    if (!c)
        return NULL;
    if (lml_column_type(c) != LML_VECTOR)
        return lml_error_set(err, LML_ETYPE, "%s: features column '%s' must be a vector column, got %s",
                             lml_stage_uid(self), fname, lml_type_name(lml_column_type(c))),
               NULL;
    if (lml_column_vector_size(c) != st->d)
        return lml_error_set(err, LML_EINVAL, "%s: features column '%s' has vectors of size %zu, the model expects %zu",
                             lml_stage_uid(self), fname, lml_column_vector_size(c), st->d),
               NULL;
    size_t n = lml_column_length(c);
    for (size_t i = 0; i < n && lml_column_null_count(c) > 0; i++)
        if (lml_column_is_null(c, i))
            return lml_error_set(err, LML_EINVAL, "%s: features column '%s': row %zu is null", lml_stage_uid(self),
                                 fname, i),
                   NULL;
    dt.n = n;
    dt.d = st->d;
    if (lml_column_vector_is_sparse(c)) {
        dt.indptr = lml_column_vector_indptr(c);
        dt.indices = lml_column_vector_indices(c);
        dt.values = lml_column_vector_values(c);
    } else {
        dt.X = lml_column_vector_dense(c);
    }
    double *pred = malloc((n ? n : 1) * sizeof(double));
    if (!pred)
        return lml_error_set(err, LML_ENOMEM, "%s: out of memory", lml_stage_uid(self)), NULL;
    for (size_t i = 0; i < n; i++)
        pred[i] = lml_linreg_predict_row(&dt, i, st->coef, st->intercept);
    lml_column *col = lml_column_from_doubles(pred, NULL, n, err);
    free(pred);
    if (!col)
        return NULL;
    lml_frame *r = lml_frame_with_column(df, out, col, err);
    lml_column_free(col);
    return r;
}

/* ---- accessors */

const double *lml_linear_regression_coefficients(const lml_stage *model, size_t *d, lml_error *err)
{
    const linreg_state *st = lml_stage_state(model, &lml_linear_regression_model_vt, err);
    if (d)
        *d = st ? st->d : 0;
    return st ? st->coef : NULL;
}

double lml_linear_regression_intercept(const lml_stage *model, lml_error *err)
{
    const linreg_state *st = lml_stage_state(model, &lml_linear_regression_model_vt, err);
    return st ? st->intercept : NAN;
}

double lml_linear_regression_scale(const lml_stage *model, lml_error *err)
{
    const linreg_state *st = lml_stage_state(model, &lml_linear_regression_model_vt, err);
    return st ? st->scale : NAN;
}

int64_t lml_linear_regression_num_features(const lml_stage *model, lml_error *err)
{
    const linreg_state *st = lml_stage_state(model, &lml_linear_regression_model_vt, err);
    return st ? (int64_t)st->d : -1;
}

const lml_linear_regression_summary *lml_linear_regression_summary_of(const lml_stage *model, lml_error *err)
{
    const linreg_state *st = lml_stage_state(model, &lml_linear_regression_model_vt, err);
    return st ? &st->summary : NULL;
}

double lml_linear_regression_predict(const lml_stage *model, const double *x, lml_error *err)
{
    const linreg_state *st = lml_stage_state(model, &lml_linear_regression_model_vt, err);
    if (!st)
        return NAN;
    double s = st->intercept;
    for (size_t j = 0; j < st->d; j++)
        s += st->coef[j] * x[j];
    return s;
}

/* ---- persistence (spec §4.2): intercept, coefficients (Vector), scale; Spark ≤ 2.2 has no
 * scale. A loaded model has no training summary (Spark's hasSummary is false too). */

static bool lin_save(const lml_stage *self, const char *dir, struct cJSON *meta, lml_error *err)
{
    const linreg_state *st = self->state;
    lml_column *c[3] = {lml_column_from_doubles(&st->intercept, NULL, 1, err),
                        lml_persist_vector_col(st->coef, st->d, err), lml_column_from_doubles(&st->scale, NULL, 1, err)};
    static const char *const names[3] = {"intercept", "coefficients", "scale"};
    lml_frame *f = c[0] && c[1] && c[2] ? lml_frame_new(3, names, c, err) : NULL;
    for (int i = 0; i < 3; i++)
        lml_column_free(c[i]);
    bool ok = f && lml_persist_write_table(dir, "data", f, err);
    lml_frame_free(f);
    return ok;
}

static void *lin_load(const char *dir, const struct cJSON *meta, int version, lml_error *err)
{
    lml_frame *f = lml_persist_read_table(dir, "data", err);
    if (!f)
        return NULL;
    linreg_state *st = calloc(1, sizeof *st);
    if (!st) {
        lml_frame_free(f);
        lml_error_set(err, LML_ENOMEM, "out of memory loading %s", dir);
        return NULL;
    }
    st->refs = 1;
    st->scale = 1.0;
    bool ok = lml_persist_cell_double(f, dir, "intercept", 0, &st->intercept, err) &&
              lml_persist_cell_vector(f, dir, "coefficients", 0, &st->coef, &st->d, err) &&
              (version <= 202 || lml_persist_cell_double(f, dir, "scale", 0, &st->scale, err));
    lml_frame_free(f);
    if (!ok) {
        state_release(st);
        return NULL;
    }
    return st;
}
