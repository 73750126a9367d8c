/* DecisionTreeClassifier / DecisionTreeRegressor and their models (spec §9): params, input checks,
 * transform and accessors. The learner is in binning.c and grow.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/ml/tree.h"
#include "../../core/internal.h"
#include "../attr.h"
#include "../stage_internal.h"
#include "tree_internal.h"

typedef struct dt_state {
    int refs;
    size_t d, num_classes; /* num_classes 0: regression */
    lml_tree tree;
    double *importances;
} dt_state;

static void state_retain(void *st) { __atomic_add_fetch(&((dt_state *)st)->refs, 1, __ATOMIC_RELAXED); }

static void state_release(void *vst)
{
    dt_state *st = vst;
    if (__atomic_sub_fetch(&st->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    lml_tree_clear(&st->tree);
    free(st->importances);
    free(st);
}

static bool check_depth(const lml_param_value *v, lml_error *err)
{
    return v->v.i >= 0 && v->v.i <= 30 ? true
                                       : lml_error_set(err, LML_EINVAL, "must be in [0, 30], got %lld", (long long)v->v.i);
}
static bool check_bins(const lml_param_value *v, lml_error *err)
{
    return v->v.i >= 2 && v->v.i <= 65536 ? true
                                          : lml_error_set(err, LML_EINVAL, "must be >= 2 (and <= 65536), got %lld",
                                                          (long long)v->v.i);
}
static bool check_min_inst(const lml_param_value *v, lml_error *err)
{
    return v->v.i >= 1 ? true : lml_error_set(err, LML_EINVAL, "must be >= 1, got %lld", (long long)v->v.i);
}
static bool check_wfrac(const lml_param_value *v, lml_error *err)
{
    return v->v.d >= 0.0 && v->v.d < 0.5 ? true : lml_error_set(err, LML_EINVAL, "must be in [0, 0.5), got %g", v->v.d);
}
static bool check_cls_imp(const lml_param_value *v, lml_error *err)
{
    return strcmp(v->v.s, "gini") == 0 || strcmp(v->v.s, "entropy") == 0
               ? true
               : lml_error_set(err, LML_EINVAL, "must be one of gini, entropy, got '%s'", v->v.s);
}
static bool check_reg_imp(const lml_param_value *v, lml_error *err)
{
    return strcmp(v->v.s, "variance") == 0 ? true
                                            : lml_error_set(err, LML_EINVAL, "must be variance, got '%s'", v->v.s);
}
static bool check_interval(const lml_param_value *v, lml_error *err)
{
    return v->v.i == -1 || v->v.i >= 1 ? true
                                       : lml_error_set(err, LML_EINVAL, "must be -1 or >= 1, got %lld", (long long)v->v.i);
}

#define STR(n, d, doc_) {.name = n, .type = LML_PARAM_STRING, .doc = doc_, .has_default = true, .def_s = d}
#define COMMON_PARAMS(IMP, IMPCHECK, SEED)                                                                           \
    STR("featuresCol", "features", "features column name"), STR("labelCol", "label", "label column name"),          \
        STR("predictionCol", "prediction", "prediction column name"),                                               \
        {.name = "weightCol", .type = LML_PARAM_STRING,                                                              \
         .doc = "weight column name. If this is not set or empty, we treat all instance weights as 1.0"},            \
        {.name = "maxDepth", .type = LML_PARAM_INT, .doc = "Maximum depth of the tree (>= 0), at most 30",          \
         .has_default = true, .def_i = 5, .check = check_depth},                                                    \
        {.name = "maxBins", .type = LML_PARAM_INT, .doc = "Max number of bins for discretizing continuous features", \
         .has_default = true, .def_i = 32, .check = check_bins},                                                    \
        {.name = "minInstancesPerNode", .type = LML_PARAM_INT,                                                      \
         .doc = "Minimum number of instances each child must have after split", .has_default = true, .def_i = 1,  \
         .check = check_min_inst},                                                                                   \
        {.name = "minWeightFractionPerNode", .type = LML_PARAM_DOUBLE,                                              \
         .doc = "Minimum fraction of the weighted sample count that each child must have after split",             \
         .has_default = true, .def_d = 0.0, .check = check_wfrac},                                                  \
        {.name = "minInfoGain", .type = LML_PARAM_DOUBLE, .doc = "Minimum information gain for a split",           \
         .has_default = true, .def_d = 0.0},                                                                         \
        {.name = "impurity", .type = LML_PARAM_STRING, .doc = "Criterion used for information gain calculation",   \
         .has_default = true, .def_s = IMP, .check = IMPCHECK},                                                     \
        {.name = "seed", .type = LML_PARAM_INT, .doc = "random seed", .has_default = true, .def_i = SEED},          \
        {.name = "maxMemoryInMB", .type = LML_PARAM_INT, .doc = "Maximum memory in MB allocated to histogram aggregation", \
         .has_default = true, .def_i = 256, .check = lml_check_nonneg},                                             \
        {.name = "cacheNodeIds", .type = LML_PARAM_BOOL, .doc = "If false, the algorithm will pass trees to executors", \
         .has_default = true, .def_b = false},                                                                       \
        {.name = "checkpointInterval", .type = LML_PARAM_INT, .doc = "checkpoint interval (>= 1) or disable (-1)",  \
         .has_default = true, .def_i = 10, .check = check_interval}

static const lml_param_def cls_params[] = {
    COMMON_PARAMS("gini", check_cls_imp, 159147643),
    STR("rawPredictionCol", "rawPrediction", "raw prediction (a.k.a. confidence) column name"),
    STR("probabilityCol", "probability", "Column name for predicted class conditional probabilities"),
};
static const lml_param_def reg_params[] = {COMMON_PARAMS("variance", check_reg_imp, 926680331)};

static lml_stage *fit(const lml_stage *self, const lml_frame *df, lml_error *err);
static lml_frame *transform(const lml_stage *self, const lml_frame *df, lml_error *err);

#define NP(p) (sizeof p / sizeof p[0])
static const lml_stage_vtable cls_vt = {
    .name = "DecisionTreeClassifier", .class_name = "org.apache.spark.ml.classification.DecisionTreeClassifier",
    .kind = LML_STAGE_ESTIMATOR, .params = cls_params, .nparams = NP(cls_params), .fit = fit};
static const lml_stage_vtable cls_model_vt = {
    .name = "DecisionTreeClassificationModel",
    .class_name = "org.apache.spark.ml.classification.DecisionTreeClassificationModel", .kind = LML_STAGE_MODEL,
    .params = cls_params, .nparams = NP(cls_params), .transform = transform, .retain_state = state_retain,
    .release_state = state_release};
static const lml_stage_vtable reg_vt = {
    .name = "DecisionTreeRegressor", .class_name = "org.apache.spark.ml.regression.DecisionTreeRegressor",
    .kind = LML_STAGE_ESTIMATOR, .params = reg_params, .nparams = NP(reg_params), .fit = fit};
static const lml_stage_vtable reg_model_vt = {
    .name = "DecisionTreeRegressionModel", .class_name = "org.apache.spark.ml.regression.DecisionTreeRegressionModel",
    .kind = LML_STAGE_MODEL, .params = reg_params, .nparams = NP(reg_params), .transform = transform,
    .retain_state = state_retain, .release_state = state_release};

lml_stage *lml_decision_tree_classifier_new(void) { return lml_stage_create(&cls_vt, NULL, NULL, NULL); }
lml_stage *lml_decision_tree_regressor_new(void) { return lml_stage_create(&reg_vt, NULL, NULL, NULL); }

/* The features column as borrowed arrays; rejects nulls and non-finite values, and reads the
 * arities of categorical slots from the column's ML attributes (training only). */
static bool read_features(const lml_stage *self, const lml_frame *df, bool training, lml_tree_data *dt,
                          size_t **arity_out, lml_error *err)
{
    const char *uid = lml_stage_uid(self), *name = lml_param_string(self, "featuresCol");
    long ci = lml_frame_column_index(df, name);
    if (ci < 0)
        return lml_error_set(err, LML_ENOTFOUND, "%s: features column '%s' does not exist", uid, name);
    const lml_column *c = lml_frame_column(df, (size_t)ci);
    if (lml_column_type(c) != LML_VECTOR)
        return lml_error_set(err, LML_ETYPE, "%s: features column '%s' must be a vector column, got %s", uid, name,
                             lml_type_name(lml_column_type(c)));
    size_t n = lml_column_length(c);
    dt->n = n;
    dt->d = lml_column_vector_size(c);
    for (size_t i = 0; i < n && lml_column_null_count(c) > 0; i++)
        if (lml_column_is_null(c, i))
            return lml_error_set(err, LML_EINVAL, "%s: features column '%s': row %zu is null", uid, name, i);
    if (lml_column_vector_is_sparse(c)) {
        dt->indptr = lml_column_vector_indptr(c);
        dt->indices = lml_column_vector_indices(c);
        dt->values = lml_column_vector_values(c);
        for (size_t i = 0; i < n; i++)
            for (int64_t p = dt->indptr[i]; p < dt->indptr[i + 1]; p++)
                if (!isfinite(dt->values[p]))
                    return lml_error_set(err, LML_EINVAL, "%s: features column '%s': row %zu has the value %g at index %d",
                                         uid, name, i, dt->values[p], dt->indices[p]);
    } else {
        dt->X = lml_column_vector_dense(c);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < dt->d; j++)
                if (!isfinite(dt->X[i * dt->d + j]))
                    return lml_error_set(err, LML_EINVAL, "%s: features column '%s': row %zu has the value %g at index %zu",
                                         uid, name, i, dt->X[i * dt->d + j], j);
    }
    if (!training)
        return true;
    lml_attr_group g;
    bool present = false;
    lml_error e2 = {0};
    if (!lml_attr_group_parse(lml_frame_column_metadata(df, (size_t)ci), &g, &present, &e2))
        return lml_error_set(err, e2.code, "%s: features column '%s': %s", uid, name, e2.message);
    bool ok = true;
    size_t *arity = NULL;
    size_t eff = (size_t)lml_param_int(self, "maxBins") < n ? (size_t)lml_param_int(self, "maxBins") : n;
    for (size_t k = 0; present && ok && k < g.nattrs; k++) {
        const lml_attr *a = &g.attrs[k];
        if (a->type == LML_ATTR_NUMERIC || a->idx < 0 || (size_t)a->idx >= dt->d)
            continue;
        long ar = a->type == LML_ATTR_BINARY ? 2 : a->vals ? (long)a->nvals : a->num_vals;
        if (ar < 0) {
            ok = lml_error_set(err, LML_EINVAL, "%s: features column '%s': feature %ld is marked as nominal "
                               "(categorical) but its number of values is not given", uid, name, a->idx);
            break;
        }
        if (ar <= 1) /* one category: continuous (§9.2) */
            continue;
        if ((size_t)ar > eff) {
            ok = lml_error_set(err, LML_EINVAL,
                               "%s: maxBins (= %zu after capping by the %zu rows) must be at least as large as the "
                               "number of values of each categorical feature, but feature %ld of '%s' has %ld values",
                               uid, eff, n, a->idx, name, ar);
            break;
        }
        if (!arity && !(arity = calloc(dt->d, sizeof *arity))) {
            ok = lml_error_set(err, LML_ENOMEM, "%s: out of memory", uid);
            break;
        }
        arity[a->idx] = (size_t)ar;
        for (size_t i = 0; ok && i < n; i++) {
            double v = lml_tree_feature(dt, i, (size_t)a->idx);
            if (!(v >= 0 && v < (double)ar))
                ok = lml_error_set(err, LML_EINVAL,
                                   "%s: features column '%s': row %zu: categorical feature %ld has the value %g, "
                                   "outside [0, %ld)", uid, name, i, a->idx, v, ar);
        }
    }
    if (ok)
        *arity_out = arity;
    else
        free(arity);
    if (present)
        lml_attr_group_clear(&g);
    return ok;
}

/* Labels (class indices for classification, checked in [0, numClasses)) and weights. */
static bool read_labels(const lml_stage *self, const lml_frame *df, bool cls, double **y, double **w, size_t *k,
                        lml_error *err)
{
    const char *uid = lml_stage_uid(self), *lname = lml_param_string(self, "labelCol");
    long li = lml_frame_column_index(df, lname);
    if (li < 0)
        return lml_error_set(err, LML_ENOTFOUND, "%s: label column '%s' does not exist", uid, lname);
    const lml_column *c = lml_frame_column(df, (size_t)li);
    lml_type t = lml_column_type(c);
    if (t != LML_DOUBLE && t != LML_INT32 && t != LML_INT64)
        return lml_error_set(err, LML_ETYPE, "%s: label column '%s' must be numeric, got %s", uid, lname,
                             lml_type_name(t));
    size_t n = lml_column_length(c);
    *y = malloc(n * sizeof(double));
    if (!*y)
        return lml_error_set(err, LML_ENOMEM, "%s: out of memory", uid);
    double maxl = 0.0;
    for (size_t i = 0; i < n; i++) {
        double v = lml_column_is_null(c, i) ? NAN : lml_column_get_double(c, i);
        if (!isfinite(v) || (cls && (v < 0 || v != floor(v))))
            return lml_error_set(err, LML_EINVAL, "%s: label column '%s': row %zu has the value %g (must be %s)", uid,
                                 lname, i, v, cls ? "a class index: an integer >= 0" : "finite");
        (*y)[i] = v;
        if (v > maxl)
            maxl = v;
    }
    *k = 0;
    if (cls) {
        lml_error e2 = {0};
        long meta = lml_attr_num_values(lml_frame_column_metadata(df, (size_t)li), &e2);
        if (meta == -2)
            return lml_error_set(err, e2.code, "%s: label column '%s': %s", uid, lname, e2.message);
        if (meta >= 0) {
            *k = (size_t)meta;
        } else if (maxl + 1 > 100) {
            return lml_error_set(err, LML_EINVAL,
                                 "%s: label column '%s': the largest label %g gives more than 100 classes; give the "
                                 "column nominal metadata (StringIndexer) to allow more", uid, lname, maxl);
        } else {
            *k = (size_t)maxl + 1;
        }
        for (size_t i = 0; i < n; i++)
            if ((*y)[i] >= (double)*k)
                return lml_error_set(err, LML_EINVAL, "%s: label column '%s': row %zu has the label %g outside [0, %zu)",
                                     uid, lname, i, (*y)[i], *k);
    }
    const char *wname = lml_param_string(self, "weightCol");
    if (!wname || !wname[0])
        return true;
    long wi = lml_frame_column_index(df, wname);
    if (wi < 0)
        return lml_error_set(err, LML_ENOTFOUND, "%s: weight column '%s' does not exist", uid, wname);
    const lml_column *wc = lml_frame_column(df, (size_t)wi);
    t = lml_column_type(wc);
    if (t != LML_DOUBLE && t != LML_INT32 && t != LML_INT64)
        return lml_error_set(err, LML_ETYPE, "%s: weight column '%s' must be numeric, got %s", uid, wname,
                             lml_type_name(t));
    *w = malloc(n * sizeof(double));
    if (!*w)
        return lml_error_set(err, LML_ENOMEM, "%s: out of memory", uid);
    for (size_t i = 0; i < n; i++) {
        double v = lml_column_is_null(wc, i) ? NAN : lml_column_get_double(wc, i);
        if (!isfinite(v) || v < 0)
            return lml_error_set(err, LML_EINVAL, "%s: weight column '%s': row %zu has the value %g (must be finite "
                                 "and >= 0)", uid, wname, i, v);
        (*w)[i] = v;
    }
    return true;
}

/* Spark's featureImportances for one tree (§9.8): Σ gain × node weight per split feature,
 * normalised to sum 1 (all zero without splits). */
static void importances(const lml_tree *t, size_t d, double *imp)
{
    for (size_t j = 0; j < d; j++)
        imp[j] = 0.0;
    for (size_t k = 0; k < t->nnodes; k++)
        if (t->nodes[k].left >= 0)
            imp[t->nodes[k].feature] += t->nodes[k].gain * t->nodes[k].weight;
    double s = 0.0;
    for (size_t j = 0; j < d; j++)
        s += imp[j];
    if (s > 0)
        for (size_t j = 0; j < d; j++)
            imp[j] /= s;
}

static lml_stage *fit(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const char *uid = lml_stage_uid(self);
    bool cls = self->vt == &cls_vt;
    if (lml_frame_num_rows(df) == 0)
        return lml_error_set(err, LML_EINVAL, "%s: the training frame is empty", uid), NULL;
    lml_tree_data dt = {0};
    size_t *arity = NULL;
    if (!read_features(self, df, true, &dt, &arity, err))
        return NULL;
    double *y = NULL, *w = NULL;
    size_t k = 0;
    lml_stage *model = NULL;
    lml_tree_bins bins = {0};
    dt_state *st = NULL;
    if (!read_labels(self, df, cls, &y, &w, &k, err))
        goto done;
    dt.y = y;
    dt.w = w;
    if (!lml_tree_bins_build(&dt, (size_t)lml_param_int(self, "maxBins"), arity, lml_param_int(self, "seed"), &bins, err))
        goto done;
    const char *imp = lml_param_string(self, "impurity");
    lml_tree_options o = {
        .impurity = strcmp(imp, "gini") == 0 ? LML_IMP_GINI : strcmp(imp, "entropy") == 0 ? LML_IMP_ENTROPY
                                                                                          : LML_IMP_VARIANCE,
        .num_classes = cls ? k : 0,
        .max_depth = (int)lml_param_int(self, "maxDepth"),
        .min_instances = lml_param_int(self, "minInstancesPerNode"),
        .min_weight_fraction = lml_param_double(self, "minWeightFractionPerNode"),
        .min_info_gain = lml_param_double(self, "minInfoGain")};
    st = calloc(1, sizeof *st);
    if (!st || !(st->importances = calloc(dt.d ? dt.d : 1, sizeof(double)))) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory", uid);
        goto done;
    }
    st->refs = 1;
    st->d = dt.d;
    st->num_classes = o.num_classes;
    if (!lml_tree_grow(&dt, &bins, &o, &st->tree, err))
        goto done;
    importances(&st->tree, dt.d, st->importances);
    model = lml_stage_create_model(cls ? &cls_model_vt : &reg_model_vt, self, st, err);
    if (model)
        st = NULL;
done:
    if (st)
        state_release(st);
    lml_tree_bins_clear(&bins);
    free(arity);
    free(y);
    free(w);
    return model;
}

static const dt_state *model_state(const lml_stage *m, lml_error *err)
{
    if (m && m->vt == &reg_model_vt)
        return m->state;
    return lml_stage_state(m, &cls_model_vt, err);
}

static lml_frame *transform(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const dt_state *st = model_state(self, err);
    if (!st)
        return NULL;
    const char *uid = lml_stage_uid(self);
    lml_tree_data dt = {0};
    if (!read_features(self, df, false, &dt, NULL, err))
        return NULL;
    if (dt.d != st->d)
        return lml_error_set(err, LML_EINVAL, "%s: features column '%s' has vectors of size %zu, the model expects %zu",
                             uid, lml_param_string(self, "featuresCol"), dt.d, st->d),
               NULL;
    size_t n = dt.n, K = st->num_classes;
    const char *names[3] = {NULL, NULL, NULL};
    names[0] = lml_param_string(self, "predictionCol");
    if (K) {
        names[1] = lml_param_string(self, "rawPredictionCol");
        names[2] = lml_param_string(self, "probabilityCol");
    }
    double *pred = malloc((n ? n : 1) * sizeof(double));
    double *raw = K ? malloc((n ? n : 1) * K * sizeof(double)) : NULL;
    double *prob = K ? malloc((n ? n : 1) * K * sizeof(double)) : NULL;
    lml_frame *cur = lml_frame_retain(df);
    if (!pred || (K && (!raw || !prob))) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory for %zu rows", uid, n);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        const lml_tree_node *leaf = &st->tree.nodes[lml_tree_leaf_of(&st->tree, &dt, i)];
        pred[i] = leaf->prediction;
        if (K) {
            const double *s = st->tree.stats + leaf->stats;
            double tot = 0.0;
            for (size_t c = 0; c < K; c++)
                tot += s[c];
            for (size_t c = 0; c < K; c++) {
                raw[i * K + c] = s[c];
                prob[i * K + c] = tot > 0 ? s[c] / tot : 0.0;
            }
        }
    }
    /* Spark adds rawPrediction, probability, then prediction. */
    const int order[3] = {1, 2, 0};
    for (int q = 0; q < 3; q++) {
        int which = order[q];
        const char *cn = names[which];
        if (!cn || !cn[0])
            continue;
        lml_column *col = which == 0 ? lml_column_from_doubles(pred, NULL, n, err)
                                     : lml_column_vector_from_dense(which == 1 ? raw : prob, n, K, err);
        if (!col)
            goto fail;
        lml_frame *nf = lml_frame_with_column(cur, cn, col, err);
        lml_column_free(col);
        if (!nf)
            goto fail;
        lml_frame_free(cur);
        cur = nf;
    }
    free(pred), free(raw), free(prob);
    return cur;
fail:
    free(pred), free(raw), free(prob);
    lml_frame_free(cur);
    return NULL;
}

/* ---- accessors */

int64_t lml_decision_tree_num_nodes(const lml_stage *model, lml_error *err)
{
    const dt_state *st = model_state(model, err);
    return st ? (int64_t)st->tree.nnodes : -1;
}

int64_t lml_decision_tree_depth(const lml_stage *model, lml_error *err)
{
    const dt_state *st = model_state(model, err);
    return st ? st->tree.depth : -1;
}

int64_t lml_decision_tree_num_features(const lml_stage *model, lml_error *err)
{
    const dt_state *st = model_state(model, err);
    return st ? (int64_t)st->d : -1;
}

int64_t lml_decision_tree_num_classes(const lml_stage *model, lml_error *err)
{
    const dt_state *st = model_state(model, err);
    return st ? (int64_t)st->num_classes : -1;
}

bool lml_decision_tree_node(const lml_stage *model, size_t index, lml_tree_node_info *out, lml_error *err)
{
    const dt_state *st = model_state(model, err);
    if (!st)
        return false;
    if (index >= st->tree.nnodes)
        return lml_error_set(err, LML_ERANGE, "%s: node %zu does not exist (the tree has %zu nodes)",
                             lml_stage_uid(model), index, st->tree.nnodes);
    const lml_tree_node *nd = &st->tree.nodes[index];
    *out = (lml_tree_node_info){.leaf = nd->left < 0, .left = nd->left, .right = nd->right, .feature = nd->feature,
                                .threshold = nd->threshold, .gain = nd->gain, .impurity = nd->impurity,
                                .prediction = nd->prediction, .weight = nd->weight, .categorical = nd->arity > 0,
                                .left_categories = nd->arity ? st->tree.cats + nd->cat_off : NULL,
                                .num_left_categories = nd->arity ? (size_t)nd->ncats : 0};
    return true;
}

const double *lml_decision_tree_feature_importances(const lml_stage *model, size_t *d, lml_error *err)
{
    const dt_state *st = model_state(model, err);
    if (d)
        *d = st ? st->d : 0;
    return st ? st->importances : NULL;
}

static void debug_node(lml_strbuf *sb, const lml_tree *t, int32_t k, size_t indent)
{
    const lml_tree_node *nd = &t->nodes[k];
    char buf[LML_DOUBLE_BUF];
    if (nd->left < 0) {
        lml_format_double_java(nd->prediction, buf);
        lml_strbuf_repeat(sb, ' ', indent);
        lml_strbuf_printf(sb, "Predict: %s\n", buf);
        return;
    }
    for (int side = 0; side < 2; side++) {
        lml_strbuf_repeat(sb, ' ', indent);
        lml_strbuf_printf(sb, "%s (feature %d ", side ? "Else" : "If", nd->feature);
        if (!nd->arity) {
            lml_format_double_java(nd->threshold, buf);
            lml_strbuf_printf(sb, "%s %s)\n", side ? ">" : "<=", buf);
        } else {
            lml_strbuf_puts(sb, side ? "not in {" : "in {");
            for (int32_t c = 0; c < nd->ncats; c++) {
                lml_format_double_java(t->cats[nd->cat_off + (size_t)c], buf);
                lml_strbuf_printf(sb, "%s%s", c ? "," : "", buf);
            }
            lml_strbuf_puts(sb, "})\n");
        }
        debug_node(sb, t, side ? nd->right : nd->left, indent + 1);
    }
}

char *lml_decision_tree_debug_string(const lml_stage *model, lml_error *err)
{
    const dt_state *st = model_state(model, err);
    if (!st)
        return NULL;
    lml_strbuf sb = {0};
    lml_strbuf_printf(&sb, "%s: uid=%s, depth=%d, numNodes=%zu, ", model->vt->name, lml_stage_uid(model),
                      st->tree.depth, st->tree.nnodes);
    if (st->num_classes)
        lml_strbuf_printf(&sb, "numClasses=%zu, ", st->num_classes);
    lml_strbuf_printf(&sb, "numFeatures=%zu\n", st->d);
    debug_node(&sb, &st->tree, 0, 2);
    return lml_strbuf_finish(&sb, err);
}
