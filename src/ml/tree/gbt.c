/* GBTClassifier / GBTRegressor (spec §9.1, §9.2, §9.7, §9.8): Spark's gradient boosting over the
 * histogram regression trees of grow.c. The training rows are binned once per fit and every
 * iteration reuses the bins, only the tree's target (the loss's negative gradient) and the row
 * sample change. Like Spark: the first tree is fitted to the labels themselves (classifier: mapped
 * to ±1) with weight 1, later trees to −gradient with weight stepSize, leaf values are the trees'
 * own means (no line search), and with a validationIndicatorCol training stops early by Spark's
 * runWithValidation rule and keeps the trees up to the best validation error. Iteration m draws
 * its rows and node feature subsets from GSL's mt19937 seeded with seed + m, so a fit depends on
 * the seed only, not on the thread count. The model's state is immutable and shared by copies. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <gsl/gsl_rng.h>
#include "lakeml/ml/tree.h"
#include "../../core/internal.h"
#include "../stage_internal.h"
#include "tree_internal.h"

typedef enum gbt_loss { LOSS_LOGISTIC, LOSS_SQUARED, LOSS_ABSOLUTE } gbt_loss;

typedef struct gbt_state {
    int refs;
    size_t d, num_trees;
    bool cls;
    lml_tree *trees;
    double *weights;
    double *importances;
    lml_fast_trees *fast; /* predict.c's layout of the trees, built by the first transform */
} gbt_state;

static void state_retain(void *st) { __atomic_add_fetch(&((gbt_state *)st)->refs, 1, __ATOMIC_RELAXED); }

static void state_release(void *vst)
{
    gbt_state *st = vst;
    if (__atomic_sub_fetch(&st->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    for (size_t t = 0; st->trees && t < st->num_trees; t++)
        lml_tree_clear(&st->trees[t]);
    free(st->trees);
    free(st->weights);
    free(st->importances);
    lml_fast_trees_free(st->fast);
    free(st);
}

/* ---- params */

static bool check_iter(const lml_param_value *v, lml_error *err)
{
    /* Spark accepts 0 here and then fails inside boosting; one tree is the least it can train. */
    return v->v.i >= 1 || lml_error_set(err, LML_EINVAL, "must be >= 1, got %lld", (long long)v->v.i);
}
static bool check_cls_loss(const lml_param_value *v, lml_error *err)
{
    return !strcasecmp(v->v.s, "logistic") || lml_error_set(err, LML_EINVAL, "must be logistic, got '%s'", v->v.s);
}
static bool check_reg_loss(const lml_param_value *v, lml_error *err)
{
    return !strcasecmp(v->v.s, "squared") || !strcasecmp(v->v.s, "absolute") ||
           lml_error_set(err, LML_EINVAL, "must be one of squared, absolute, got '%s'", v->v.s);
}
static bool check_variance(const lml_param_value *v, lml_error *err)
{
    return !strcasecmp(v->v.s, "variance") || lml_error_set(err, LML_EINVAL, "must be variance, got '%s'", v->v.s);
}
static bool check_thresholds(const lml_param_value *v, lml_error *err)
{
    size_t zeros = 0;
    for (size_t i = 0; i < v->v.dbls.n; i++) {
        double t = v->v.dbls.items[i];
        if (!(t >= 0) || !isfinite(t))
            return lml_error_set(err, LML_EINVAL, "must be finite and >= 0, got %g at index %zu", t, i);
        zeros += t == 0.0;
    }
    return zeros <= 1 ? true : lml_error_set(err, LML_EINVAL, "may hold at most one 0, got %zu", zeros);
}

#define GBT_PARAMS(LOSS, LOSSDOC, LOSSCHECK, SEED)                                                                   \
    LML_TREE_PARAMS("variance",                                                                                  \
                    "Criterion used for information gain calculation (case-insensitive). Supported options: variance", \
                    check_variance, SEED),                                                                     \
        {.name = "maxIter", .type = LML_PARAM_INT, .doc = "maximum number of iterations (>= 1)",                    \
         .has_default = true, .def_i = 20, .check = check_iter},                                                    \
        {.name = "stepSize", .type = LML_PARAM_DOUBLE,                                                               \
         .doc = "Step size (a.k.a. learning rate) in interval (0, 1] for shrinking the contribution of each "       \
                "estimator.", .has_default = true, .def_d = 0.1, .check = lml_tree_check_rate},                              \
        {.name = "lossType", .type = LML_PARAM_STRING, .doc = LOSSDOC, .has_default = true, .def_s = LOSS,         \
         .check = LOSSCHECK},                                                                                        \
        {.name = "validationTol", .type = LML_PARAM_DOUBLE,                                                          \
         .doc = "Threshold for stopping early when fit with validation is used. If the error rate on the "         \
                "validation input changes by less than the validationTol, then learning will stop early (before "  \
                "`maxIter`). This parameter is ignored when fit without validation is used.",                      \
         .has_default = true, .def_d = 0.01, .check = lml_check_nonneg},                                            \
        {.name = "validationIndicatorCol", .type = LML_PARAM_STRING,                                                 \
         .doc = "name of the column that indicates whether each row is for training or for validation. False "     \
                "indicates training; true indicates validation."},                                                  \
        {.name = "featureSubsetStrategy", .type = LML_PARAM_STRING,                                                 \
         .doc = "The number of features to consider for splits at each tree node", .has_default = true,            \
         .def_s = "all", .check = lml_tree_check_strategy},                                                                  \
        {.name = "subsamplingRate", .type = LML_PARAM_DOUBLE,                                                       \
         .doc = "Fraction of the training data used for learning each decision tree, in range (0, 1]",            \
         .has_default = true, .def_d = 1.0, .check = lml_tree_check_rate}

static const lml_param_def cls_params[] = {
    GBT_PARAMS("logistic", "Loss function which GBT tries to minimize (case-insensitive). Supported options: logistic",
               check_cls_loss, -1287390502),
    LML_TREE_STR("rawPredictionCol", "rawPrediction", "raw prediction (a.k.a. confidence) column name"),
    LML_TREE_STR("probabilityCol", "probability", "Column name for predicted class conditional probabilities"),
    {.name = "thresholds", .type = LML_PARAM_DOUBLES,
     .doc = "Thresholds in multi-class classification to adjust the probability of predicting each class. Array must "
            "have length equal to the number of classes, with values > 0 excepting that at most one value may be 0. "
            "The class with largest value p/t is predicted, where p is the original probability of that class and t "
            "is the class's threshold",
     .check = check_thresholds},
};
static const lml_param_def reg_params[] = {GBT_PARAMS(
    "squared", "Loss function which GBT tries to minimize (case-insensitive). Supported options: squared, absolute",
    check_reg_loss, -131597770)};

static lml_stage *fit(const lml_stage *self, const lml_frame *df, lml_error *err);
static lml_frame *transform(const lml_stage *self, const lml_frame *df, lml_error *err);
static bool gbt_save(const lml_stage *self, const char *dir, struct cJSON *meta, lml_error *err);
static void *gbt_load_cls(const char *dir, const struct cJSON *meta, int version, lml_error *err);
static void *gbt_load_reg(const char *dir, const struct cJSON *meta, int version, lml_error *err);

#define NP(p) (sizeof p / sizeof p[0])
const lml_stage_vtable lml_gbt_classifier_vt = {
    .name = "GBTClassifier", .class_name = "org.apache.spark.ml.classification.GBTClassifier",
    .kind = LML_STAGE_ESTIMATOR, .params = cls_params, .nparams = NP(cls_params), .fit = fit};
const lml_stage_vtable lml_gbt_classifier_model_vt = {
    .name = "GBTClassificationModel", .class_name = "org.apache.spark.ml.classification.GBTClassificationModel",
    .kind = LML_STAGE_MODEL, .params = cls_params, .nparams = NP(cls_params), .transform = transform,
    .retain_state = state_retain, .release_state = state_release, .save_data = gbt_save,
    .load_state = gbt_load_cls};
const lml_stage_vtable lml_gbt_regressor_vt = {
    .name = "GBTRegressor", .class_name = "org.apache.spark.ml.regression.GBTRegressor",
    .kind = LML_STAGE_ESTIMATOR, .params = reg_params, .nparams = NP(reg_params), .fit = fit};
const lml_stage_vtable lml_gbt_regressor_model_vt = {
    .name = "GBTRegressionModel", .class_name = "org.apache.spark.ml.regression.GBTRegressionModel",
    .kind = LML_STAGE_MODEL, .params = reg_params, .nparams = NP(reg_params), .transform = transform,
    .retain_state = state_retain, .release_state = state_release, .save_data = gbt_save,
    .load_state = gbt_load_reg};

lml_stage *lml_gbt_classifier_new(void) { return lml_stage_create(&lml_gbt_classifier_vt, NULL, NULL, NULL); }
lml_stage *lml_gbt_regressor_new(void) { return lml_stage_create(&lml_gbt_regressor_vt, NULL, NULL, NULL); }

/* ---- losses (Spark's mllib.tree.loss: labels ±1 for the logistic loss) */

static double neg_gradient(gbt_loss l, double F, double y)
{
    if (l == LOSS_LOGISTIC)
        return 4.0 * y / (1.0 + exp(2.0 * y * F));
    if (l == LOSS_SQUARED)
        return 2.0 * (y - F);
    return y - F < 0 ? -1.0 : 1.0;
}

static double loss_of(gbt_loss l, double F, double y)
{
    if (l == LOSS_LOGISTIC) {
        double x = -2.0 * y * F; /* 2·log(1 + e^x), without overflow for large x */
        return 2.0 * (x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)));
    }
    return l == LOSS_SQUARED ? (y - F) * (y - F) : fabs(y - F);
}

/* ---- fit */

/* The rows of dt whose role is 0 (training), copied into bufs (dense rows, or CSR arrays). */
static bool copy_rows(const lml_tree_data *dt, const uint8_t *role, size_t ntr, lml_tree_data *out, void *bufs[3])
{
    *out = (lml_tree_data){.n = ntr, .d = dt->d};
    size_t k = 0;
    if (dt->X) {
        size_t cells = ntr * dt->d; /* no overflow: at most the frame's own n × d */
        double *X = bufs[0] = malloc((cells ? cells : 1) * sizeof *X);
        if (!X)
            return false;
        for (size_t i = 0; i < dt->n; i++)
            if (role[i] == 0)
                memcpy(X + dt->d * k++, dt->X + dt->d * i, dt->d * sizeof *X);
        out->X = X;
        return true;
    }
    size_t nnz = 0;
    for (size_t i = 0; i < dt->n; i++)
        if (role[i] == 0)
            nnz += (size_t)(dt->indptr[i + 1] - dt->indptr[i]);
    int64_t *ip = bufs[0] = malloc((ntr + 1) * sizeof *ip);
    int32_t *ix = bufs[1] = malloc((nnz ? nnz : 1) * sizeof *ix);
    double *v = bufs[2] = malloc((nnz ? nnz : 1) * sizeof *v);
    if (!ip || !ix || !v)
        return false;
    ip[0] = 0;
    for (size_t i = 0; i < dt->n; i++) {
        if (role[i] != 0)
            continue;
        size_t a = (size_t)dt->indptr[i], m = (size_t)(dt->indptr[i + 1] - dt->indptr[i]);
        memcpy(ix + ip[k], dt->indices + a, m * sizeof *ix);
        memcpy(v + ip[k], dt->values + a, m * sizeof *v);
        ip[k + 1] = ip[k] + (int64_t)m;
        k++;
    }
    out->indptr = ip, out->indices = ix, out->values = v;
    return true;
}

/* Row roles from validationIndicatorCol: 0 training, 1 validation, 2 neither (a null indicator,
 * which Spark's filter(col) and filter(not(col)) both drop). */
static bool read_roles(const lml_stage *self, const lml_frame *df, uint8_t *role, size_t n, lml_error *err)
{
    const char *uid = lml_stage_uid(self), *name = lml_param_string(self, "validationIndicatorCol");
    long ci = lml_frame_column_index(df, name);
    if (ci < 0)
        return lml_error_set(err, LML_ENOTFOUND, "%s: validationIndicatorCol '%s' does not exist", uid, name);
    const lml_column *c = lml_frame_column(df, (size_t)ci);
    if (lml_column_type(c) != LML_BOOL)
        return lml_error_set(err, LML_ETYPE, "%s: validationIndicatorCol '%s' must be boolean, got %s", uid, name,
                             lml_type_name(lml_column_type(c)));
    for (size_t i = 0; i < n; i++)
        role[i] = lml_column_is_null(c, i) ? 2 : lml_column_bool_at(c, i) ? 1 : 0;
    return true;
}

typedef struct boost {
    const lml_tree_data *all, *tr; /* every row; the training rows (bins built on these) */
    const uint8_t *role;           /* NULL without validation */
    const double *y, *w;           /* labels (±1 for the classifier) and weights of all rows */
    const double *ytr, *wtr;       /* the same for training rows */
    gbt_loss loss;
    double step, tol, rate;
    int64_t seed;
    size_t iters;
    lml_tree_options o;
} boost;

/* Spark's boosting loop. Fills trees/weights; returns the number of trees kept, or 0 on error
 * (the caller clears every tree: cleared and untouched ones are zeroed). */
static size_t run_boost(const boost *b, const lml_tree_bins *bins, lml_tree *trees, double *weights, const char *uid,
                        lml_error *err)
{
    size_t ntr = b->tr->n, n = b->all->n, kept = 0, best_m = 1;
    bool ok = false;
    double *F = calloc(ntr ? ntr : 1, sizeof *F), *target = malloc((ntr ? ntr : 1) * sizeof *target);
    double *counts = b->rate < 1.0 ? malloc((ntr ? ntr : 1) * sizeof *counts) : NULL;
    double *Fv = b->role ? calloc(n ? n : 1, sizeof *Fv) : NULL, best_err = 0.0;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!F || !target || (b->rate < 1.0 && !counts) || (b->role && !Fv) || !rng) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory for %zu rows", uid, ntr);
        goto done;
    }
    for (size_t m = 0; m < b->iters; m++) {
        for (size_t i = 0; i < ntr; i++)
            target[i] = m == 0 ? b->ytr[i] : neg_gradient(b->loss, F[i], b->ytr[i]);
        gsl_rng_set(rng, (unsigned long)((uint64_t)b->seed + m)); /* unsigned: no overflow near INT64_MAX */
        for (size_t i = 0; counts && i < ntr; i++)
            counts[i] = gsl_rng_uniform(rng) < b->rate ? 1.0 : 0.0;
        lml_tree_options o = b->o;
        o.subset_seed = gsl_rng_get(rng);
        lml_tree_data dt = *b->tr;
        dt.y = target, dt.w = b->wtr, dt.counts = counts;
        lml_error e2 = {0};
        if (!lml_tree_grow(&dt, bins, &o, &trees[m], &e2)) {
            lml_error_set(err, e2.code, "%s: iteration %zu: %s", uid, m, e2.message);
            goto done;
        }
        kept = m + 1;
        weights[m] = m == 0 ? 1.0 : b->step;
        const lml_tree *t = &trees[m];
        for (size_t i = 0; i < ntr; i++)
            F[i] += weights[m] * t->nodes[lml_tree_leaf_of(t, b->tr, i)].prediction;
        if (!b->role)
            continue;
        double es = 0.0, ws = 0.0;
        for (size_t i = 0; i < n; i++) {
            if (b->role[i] != 1)
                continue;
            Fv[i] += weights[m] * t->nodes[lml_tree_leaf_of(t, b->all, i)].prediction;
            double wi = b->w ? b->w[i] : 1.0;
            es += wi * loss_of(b->loss, Fv[i], b->y[i]);
            ws += wi;
        }
        double cur = es / ws; /* ws > 0: fit() requires a validation row */
        if (m == 0) {
            best_err = cur;
        } else if (best_err - cur < b->tol * fmax(cur, 0.01)) {
            break;
        } else if (cur < best_err) {
            best_err = cur;
            best_m = m + 1;
        }
    }
    if (b->role) { /* keep the trees up to the best validation error */
        for (size_t m = best_m; m < kept; m++)
            lml_tree_clear(&trees[m]);
        kept = best_m;
    }
    ok = true;
done:
    if (rng)
        gsl_rng_free(rng);
    free(F), free(target), free(counts), free(Fv);
    return ok ? kept : 0;
}

static lml_stage *fit(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const char *uid = lml_stage_uid(self);
    bool cls = self->vt == &lml_gbt_classifier_vt;
    size_t n = lml_frame_num_rows(df), T = (size_t)lml_param_int(self, "maxIter"), k = 0, ntr = n, fs = 0;
    if (n == 0)
        return lml_error_set(err, LML_EINVAL, "%s: the training frame is empty", uid), NULL;
    lml_tree_data dt = {0}, tr;
    size_t *arity = NULL;
    if (!lml_tree_read_features(self, df, true, &dt, &arity, err))
        return NULL;
    double *y = NULL, *w = NULL, *ytr = NULL, *wtr = NULL;
    uint8_t *role = NULL;
    void *bufs[3] = {NULL, NULL, NULL};
    lml_stage *model = NULL;
    lml_tree_bins bins = {0};
    gbt_state *st = NULL;
    if (!lml_tree_read_labels(self, df, false, &y, &w, &k, err))
        goto done;
    if (cls) {
        const char *lname = lml_param_string(self, "labelCol");
        for (size_t i = 0; i < n; i++)
            if (y[i] != 0.0 && y[i] != 1.0) {
                lml_error_set(err, LML_EINVAL, "%s: label column '%s': row %zu has the label %g; GBTClassifier labels "
                              "must be 0 or 1 (it supports binary classification only)", uid, lname, i, y[i]);
                goto done;
            }
        size_t nt = 0;
        if (lml_is_set(self, "thresholds") && (lml_get_doubles(self, "thresholds", &nt, NULL), nt != 2)) {
            lml_error_set(err, LML_EINVAL, "%s: thresholds has length %zu but GBTClassifier has 2 classes", uid, nt);
            goto done;
        }
        for (size_t i = 0; i < n; i++) /* Spark boosts on labels mapped to -1, +1 */
            y[i] = 2.0 * y[i] - 1.0;
    }
    const char *vname = lml_param_string(self, "validationIndicatorCol");
    tr = dt;
    ytr = y, wtr = w;
    if (vname && vname[0]) {
        if (!(role = malloc(n))) {
            lml_error_set(err, LML_ENOMEM, "%s: out of memory", uid);
            goto done;
        }
        if (!read_roles(self, df, role, n, err))
            goto done;
        size_t nval = 0;
        ntr = 0;
        for (size_t i = 0; i < n; i++)
            ntr += role[i] == 0, nval += role[i] == 1;
        if (ntr == 0 || nval == 0) { /* Spark fails too (a reduce over an empty set) */
            lml_error_set(err, LML_EINVAL, "%s: validationIndicatorCol '%s' marks no row as %s (%s)", uid, vname,
                          ntr ? "validation" : "training", ntr ? "none is true" : "none is false");
            goto done;
        }
        ytr = malloc(ntr * sizeof *ytr);
        wtr = w ? malloc(ntr * sizeof *wtr) : NULL;
        if (!ytr || (w && !wtr) || !copy_rows(&dt, role, ntr, &tr, bufs)) {
            lml_error_set(err, LML_ENOMEM, "%s: out of memory for %zu training rows", uid, ntr);
            goto done;
        }
        for (size_t i = 0, j = 0; i < n; i++)
            if (role[i] == 0) {
                ytr[j] = y[i];
                if (w)
                    wtr[j] = w[i];
                j++;
            }
    }
    tr.y = ytr, tr.w = wtr;
    int64_t seed = lml_param_int(self, "seed");
    if (!lml_tree_bins_build(&tr, (size_t)lml_param_int(self, "maxBins"), arity, seed, &bins, err))
        goto done;
    lml_tree_subset_size(lml_param_string(self, "featureSubsetStrategy"), dt.d, 1, false, &fs);
    const char *lt = lml_param_string(self, "lossType");
    boost b = {.all = &dt, .tr = &tr, .role = role, .y = y, .w = w, .ytr = ytr, .wtr = wtr,
               .loss = cls ? LOSS_LOGISTIC : strcasecmp(lt, "absolute") == 0 ? LOSS_ABSOLUTE : LOSS_SQUARED,
               .step = lml_param_double(self, "stepSize"), .tol = lml_param_double(self, "validationTol"),
               .rate = lml_param_double(self, "subsamplingRate"), .seed = seed, .iters = T,
               .o = {.impurity = LML_IMP_VARIANCE,
                     .max_depth = (int)lml_param_int(self, "maxDepth"),
                     .min_instances = lml_param_int(self, "minInstancesPerNode"),
                     .min_weight_fraction = lml_param_double(self, "minWeightFractionPerNode"),
                     .min_info_gain = lml_param_double(self, "minInfoGain"),
                     .feature_subset = fs}};
    st = calloc(1, sizeof *st);
    if (!st || !(st->trees = calloc(T, sizeof *st->trees)) || !(st->weights = calloc(T, sizeof(double))) ||
        !(st->importances = calloc(dt.d ? dt.d : 1, sizeof(double)))) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory", uid);
        goto done;
    }
    st->refs = 1, st->d = dt.d, st->cls = cls, st->num_trees = T;
    size_t kept = run_boost(&b, &bins, st->trees, st->weights, uid, err);
    if (!kept)
        goto done;
    st->num_trees = kept;
    /* §9.8 for GBT: raw gain × weighted count summed over every tree, normalised once at the end. */
    double s = 0.0;
    for (size_t t = 0; t < kept; t++)
        for (size_t q = 0; q < st->trees[t].nnodes; q++) {
            const lml_tree_node *nd = &st->trees[t].nodes[q];
            if (nd->left >= 0)
                st->importances[nd->feature] += nd->gain * nd->weight, s += nd->gain * nd->weight;
        }
    for (size_t j = 0; s > 0 && j < dt.d; j++)
        st->importances[j] /= s;
    model = lml_stage_create_model(cls ? &lml_gbt_classifier_model_vt : &lml_gbt_regressor_model_vt, self, st, err);
    if (model)
        st = NULL;
done:
    if (st)
        state_release(st);
    lml_tree_bins_clear(&bins);
    if (ytr != y)
        free(ytr);
    if (wtr != w)
        free(wtr);
    free(arity), free(y), free(w), free(role), free(bufs[0]), free(bufs[1]), free(bufs[2]);
    return model;
}

/* ---- the models */

static const gbt_state *model_state(const lml_stage *m, lml_error *err)
{
    if (m && m->vt == &lml_gbt_regressor_model_vt)
        return m->state;
    return lml_stage_state(m, &lml_gbt_classifier_model_vt, err);
}

static bool gbt_leaf_value(const void *ctx, size_t t, const lml_tree_node *leaf, const lml_tree *tr, double *out)
{
    (void)ctx, (void)t, (void)tr;
    out[0] = leaf->prediction;
    return true;
}

typedef struct gbt_run {
    const gbt_state *st;
    const lml_fast_trees *f;
    double *F;
} gbt_run;

static void gbt_tree(void *vc, size_t t, size_t i0, size_t i1, const uint32_t *leaves)
{
    const gbt_run *c = vc;
    for (size_t i = i0; i < i1; i++)
        c->F[i] += c->st->weights[t] * c->f->vals[leaves[i - i0]];
}

static lml_frame *transform(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const gbt_state *st = model_state(self, err);
    if (!st)
        return NULL;
    size_t K = st->cls ? 2 : 0, nt = 0;
    const double *th = K && lml_is_set(self, "thresholds") ? lml_get_doubles(self, "thresholds", &nt, NULL) : NULL;
    if (th && nt != 2)
        return lml_error_set(err, LML_EINVAL, "%s: thresholds has length %zu but the model has 2 classes",
                             lml_stage_uid(self), nt),
               NULL;
    lml_tree_data dt = {0};
    const char *names[3];
    if (!lml_tree_transform_inputs(self, df, st->d, K, &dt, names, err))
        return NULL;
    size_t n = dt.n;
    double *pred = malloc((n ? n : 1) * sizeof(double));
    double *raw = K ? malloc((n ? n : 1) * K * sizeof(double)) : NULL;
    double *prob = K ? malloc((n ? n : 1) * K * sizeof(double)) : NULL;
    if (!pred || (K && (!raw || !prob))) {
        free(pred), free(raw), free(prob);
        return lml_error_set(err, LML_ENOMEM, "%s: out of memory for %zu rows", lml_stage_uid(self), n), NULL;
    }
    const lml_fast_trees *fast =
        lml_fast_trees_get(&((gbt_state *)st)->fast, st->trees, st->num_trees, 1, gbt_leaf_value, NULL);
    if (!fast) {
        free(pred), free(raw), free(prob);
        return lml_error_set(err, LML_ENOMEM, "%s: out of memory for the compact trees", lml_stage_uid(self)), NULL;
    }
    for (size_t i = 0; i < n; i++)
        pred[i] = 0.0; /* F, summed per row in tree order by gbt_tree */
    gbt_run run = {st, fast, pred};
    lml_fast_trees_run(fast, &dt, gbt_tree, NULL, &run);
    for (size_t i = 0; K && i < n; i++)
        pred[i] = lml_tree_gbt_outputs(pred[i], th, raw + 2 * i, prob + 2 * i);
    lml_frame *cur = lml_tree_add_outputs(lml_frame_retain(df), names, pred, raw, prob, n, K, err);
    cur = lml_tree_add_leaf_col(self, cur, st->trees, st->num_trees, true, &dt, err);
    free(pred), free(raw), free(prob);
    return cur;
}

/* ---- accessors */

int64_t lml_gbt_num_trees(const lml_stage *model, lml_error *err)
{
    const gbt_state *st = model_state(model, err);
    return st ? (int64_t)st->num_trees : -1;
}

const double *lml_gbt_tree_weights(const lml_stage *model, size_t *n, lml_error *err)
{
    const gbt_state *st = model_state(model, err);
    if (st && n)
        *n = st->num_trees;
    return st ? st->weights : NULL;
}

static const lml_tree *tree_at(const lml_stage *model, size_t i, lml_error *err)
{
    const gbt_state *st = model_state(model, err);
    return st ? lml_tree_pick(model, st->trees, st->num_trees, i, err) : NULL;
}

int64_t lml_gbt_tree_num_nodes(const lml_stage *model, size_t i, lml_error *err)
{
    const lml_tree *t = tree_at(model, i, err);
    return t ? (int64_t)t->nnodes : -1;
}

int64_t lml_gbt_tree_depth(const lml_stage *model, size_t i, lml_error *err)
{
    const lml_tree *t = tree_at(model, i, err);
    return t ? (int64_t)t->depth : -1;
}

int64_t lml_gbt_total_num_nodes(const lml_stage *model, lml_error *err)
{
    const gbt_state *st = model_state(model, err);
    return st ? lml_tree_count_nodes(st->trees, st->num_trees) : -1;
}

const double *lml_gbt_feature_importances(const lml_stage *model, size_t *d, lml_error *err)
{
    const gbt_state *st = model_state(model, err);
    if (st && d)
        *d = st->d;
    return st ? st->importances : NULL;
}

/* ---- persistence (spec §4.8): src/ml/persist/trees.c writes and reads the node tables. Every GBT
 * tree is a regression tree; the classifier declares no numClasses (always 2). */

static bool gbt_save(const lml_stage *self, const char *dir, struct cJSON *meta, lml_error *err)
{
    const gbt_state *st = self->state;
    return lml_tree_persist_save(self, dir, meta, st->trees, st->num_trees, st->weights, &lml_dt_regressor_model_vt,
                                 st->d, 0, err);
}

static void *gbt_load(const char *dir, const struct cJSON *meta, int version, bool cls, lml_error *err)
{
    size_t T = 0, d = 0;
    double *weights = NULL;
    lml_tree *trees = lml_tree_persist_load(dir, meta, version, true, false, &T, &weights, &d, NULL, err);
    if (!trees)
        return NULL;
    gbt_state *st = calloc(1, sizeof *st);
    if (!st || !(st->importances = calloc(d ? d : 1, sizeof(double)))) {
        free(st), free(weights);
        lml_tree_free_all(trees, T);
        lml_error_set(err, LML_ENOMEM, "out of memory loading %s", dir);
        return NULL;
    }
    st->refs = 1, st->d = d, st->cls = cls, st->num_trees = T, st->trees = trees, st->weights = weights;
    /* As in fit: raw gain × weighted count over every tree, normalised once. */
    double s = 0.0;
    for (size_t t = 0; t < T; t++)
        for (size_t q = 0; q < trees[t].nnodes; q++) {
            const lml_tree_node *nd = &trees[t].nodes[q];
            if (nd->left >= 0)
                st->importances[nd->feature] += nd->gain * nd->weight, s += nd->gain * nd->weight;
        }
    for (size_t j = 0; s > 0 && j < d; j++)
        st->importances[j] /= s;
    return st;
}

static void *gbt_load_cls(const char *dir, const struct cJSON *meta, int version, lml_error *err)
{
    return gbt_load(dir, meta, version, true, err);
}

static void *gbt_load_reg(const char *dir, const struct cJSON *meta, int version, lml_error *err)
{
    return gbt_load(dir, meta, version, false, err);
}

const lml_tree *lml_gbt_model_trees(const lml_stage *m, size_t *d, bool *cls, size_t *num_trees,
                                    const double **weights, lml_error *err)
{
    const gbt_state *st = model_state(m, err);
    if (!st)
        return NULL;
    *d = st->d;
    *cls = st->cls;
    *num_trees = st->num_trees;
    *weights = st->weights;
    return st->trees;
}
