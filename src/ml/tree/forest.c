/* RandomForestClassifier / RandomForestRegressor (spec §9.1, §9.6–9.8): bagged histogram trees
 * from grow.c. Each tree t depends only on seed + t (its bootstrap counts and its per-node feature
 * subsets come from its own GSL mt19937 streams), so trees grow in parallel across the pool and the
 * forest is bit-identical for any thread count. The input readers mirror tree.c's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "lakeml/ml/tree.h"
#include "../../core/internal.h"
#include "../attr.h"
#include "../stage_internal.h"
#include "tree_internal.h"

typedef struct rf_state {
    int refs;
    size_t d, num_classes, num_trees; /* num_classes 0: regression */
    lml_tree *trees;
    double *importances;
    lml_fast_trees *fast; /* predict.c's layout of the trees, built by the first transform */
} rf_state;

static void state_retain(void *st) { __atomic_add_fetch(&((rf_state *)st)->refs, 1, __ATOMIC_RELAXED); }

static void state_release(void *vst)
{
    rf_state *st = vst;
    if (__atomic_sub_fetch(&st->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    for (size_t t = 0; st->trees && t < st->num_trees; t++)
        lml_tree_clear(&st->trees[t]);
    free(st->trees);
    free(st->importances);
    lml_fast_trees_free(st->fast);
    free(st);
}

#define COMMON_PARAMS(IMP, IMPCHECK, SEED)                                                                           \
    LML_TREE_PARAMS(IMP, "Criterion used for information gain calculation", IMPCHECK, SEED), \
        {.name = "numTrees", .type = LML_PARAM_INT, .doc = "Number of trees to train (at least 1)",                \
         .has_default = true, .def_i = 20, .check = lml_check_positive},                                            \
        {.name = "featureSubsetStrategy", .type = LML_PARAM_STRING,                                                 \
         .doc = "The number of features to consider for splits at each tree node", .has_default = true,            \
         .def_s = "auto", .check = lml_tree_check_strategy},                                                                 \
        {.name = "subsamplingRate", .type = LML_PARAM_DOUBLE,                                                       \
         .doc = "Fraction of the training data used for learning each decision tree, in range (0, 1]",            \
         .has_default = true, .def_d = 1.0, .check = lml_tree_check_rate},                                                   \
        {.name = "bootstrap", .type = LML_PARAM_BOOL, .doc = "Whether bootstrap samples are used when building trees", \
         .has_default = true, .def_b = true}

static const lml_param_def cls_params[] = {
    COMMON_PARAMS("gini", lml_tree_check_cls_imp, 207336481),
    LML_TREE_STR("rawPredictionCol", "rawPrediction", "raw prediction (a.k.a. confidence) column name"),
    LML_TREE_STR("probabilityCol", "probability", "Column name for predicted class conditional probabilities"),
};
static const lml_param_def reg_params[] = {COMMON_PARAMS("variance", lml_tree_check_reg_imp, 235498149)};

static lml_stage *fit(const lml_stage *self, const lml_frame *df, lml_error *err);
static lml_frame *transform(const lml_stage *self, const lml_frame *df, lml_error *err);
static bool rf_save(const lml_stage *self, const char *dir, struct cJSON *meta, lml_error *err);
static void *rf_load_cls(const char *dir, const struct cJSON *meta, int version, lml_error *err);
static void *rf_load_reg(const char *dir, const struct cJSON *meta, int version, lml_error *err);

#define NP(p) (sizeof p / sizeof p[0])
const lml_stage_vtable lml_rf_classifier_vt = {
    .name = "RandomForestClassifier", .class_name = "org.apache.spark.ml.classification.RandomForestClassifier",
    .kind = LML_STAGE_ESTIMATOR, .params = cls_params, .nparams = NP(cls_params), .fit = fit};
const lml_stage_vtable lml_rf_classifier_model_vt = {
    .name = "RandomForestClassificationModel",
    .class_name = "org.apache.spark.ml.classification.RandomForestClassificationModel", .kind = LML_STAGE_MODEL,
    .params = cls_params, .nparams = NP(cls_params), .transform = transform, .retain_state = state_retain,
    .release_state = state_release, .save_data = rf_save, .load_state = rf_load_cls};
const lml_stage_vtable lml_rf_regressor_vt = {
    .name = "RandomForestRegressor", .class_name = "org.apache.spark.ml.regression.RandomForestRegressor",
    .kind = LML_STAGE_ESTIMATOR, .params = reg_params, .nparams = NP(reg_params), .fit = fit};
const lml_stage_vtable lml_rf_regressor_model_vt = {
    .name = "RandomForestRegressionModel", .class_name = "org.apache.spark.ml.regression.RandomForestRegressionModel",
    .kind = LML_STAGE_MODEL, .params = reg_params, .nparams = NP(reg_params), .transform = transform,
    .retain_state = state_retain, .release_state = state_release, .save_data = rf_save, .load_state = rf_load_reg};

lml_stage *lml_random_forest_classifier_new(void) { return lml_stage_create(&lml_rf_classifier_vt, NULL, NULL, NULL); }
lml_stage *lml_random_forest_regressor_new(void) { return lml_stage_create(&lml_rf_regressor_vt, NULL, NULL, NULL); }

typedef struct grow_ctx {
    const lml_tree_data *dt;
    const lml_tree_bins *bins;
    lml_tree_options o;
    int64_t seed;
    double rate;
    bool bootstrap;
    lml_tree *trees;
    lml_error *errs;
    bool *ok;
} grow_ctx;

/* Tree t: bootstrap counts Poisson(rate) (or Bernoulli(rate) without bootstrap) from mt19937
 * seeded with seed + t, then the node feature subsets from the next draw of that stream. */
static void grow_one(void *vctx, size_t t, int worker)
{
    (void)worker;
    const grow_ctx *c = vctx;
    lml_tree_data dt = *c->dt;
    lml_tree_options o = c->o;
    double *counts = NULL;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    bool sample = c->bootstrap || c->rate < 1.0;
    if (!rng || (sample && !(counts = malloc((dt.n ? dt.n : 1) * sizeof *counts)))) {
        c->ok[t] = lml_error_set(&c->errs[t], LML_ENOMEM, "out of memory for tree %zu", t);
        goto done;
    }
    gsl_rng_set(rng, (unsigned long)((uint64_t)c->seed + t)); /* unsigned: no overflow near INT64_MAX */
    for (size_t i = 0; sample && i < dt.n; i++)
        counts[i] = c->bootstrap ? (double)gsl_ran_poisson(rng, c->rate) : gsl_rng_uniform(rng) < c->rate ? 1.0 : 0.0;
    dt.counts = counts;
    o.subset_seed = gsl_rng_get(rng);
    c->ok[t] = lml_tree_grow(&dt, c->bins, &o, &c->trees[t], &c->errs[t]);
done:
    free(counts);
    if (rng)
        gsl_rng_free(rng);
}

static lml_stage *fit(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const char *uid = lml_stage_uid(self);
    bool cls = self->vt == &lml_rf_classifier_vt;
    if (lml_frame_num_rows(df) == 0)
        return lml_error_set(err, LML_EINVAL, "%s: the training frame is empty", uid), NULL;
    lml_tree_data dt = {0};
    size_t *arity = NULL;
    if (!lml_tree_read_features(self, df, true, &dt, &arity, err))
        return NULL;
    double *y = NULL, *w = NULL, *imp = NULL;
    size_t k = 0, T = (size_t)lml_param_int(self, "numTrees");
    lml_stage *model = NULL;
    lml_tree_bins bins = {0};
    rf_state *st = NULL;
    lml_error *errs = NULL;
    bool *ok = NULL;
    if (!lml_tree_read_labels(self, df, cls, &y, &w, &k, err))
        goto done;
    dt.y = y;
    dt.w = w;
    int64_t seed = lml_param_int(self, "seed");
    if (!lml_tree_bins_build(&dt, (size_t)lml_param_int(self, "maxBins"), arity, seed, &bins, err))
        goto done;
    const char *impn = lml_param_string(self, "impurity");
    size_t d_sub = dt.d; /* the param was checked when set */
    lml_tree_subset_size(lml_param_string(self, "featureSubsetStrategy"), dt.d, T, cls, &d_sub);
    grow_ctx c = {
        .dt = &dt, .bins = &bins, .seed = seed, .rate = lml_param_double(self, "subsamplingRate"),
        .bootstrap = lml_param_bool(self, "bootstrap"),
        .o = {.impurity = strcmp(impn, "gini") == 0      ? LML_IMP_GINI
                          : strcmp(impn, "entropy") == 0 ? LML_IMP_ENTROPY
                                                         : LML_IMP_VARIANCE,
              .num_classes = cls ? k : 0,
              .max_depth = (int)lml_param_int(self, "maxDepth"),
              .min_instances = lml_param_int(self, "minInstancesPerNode"),
              .min_weight_fraction = lml_param_double(self, "minWeightFractionPerNode"),
              .min_info_gain = lml_param_double(self, "minInfoGain"),
              .feature_subset = d_sub}};
    st = calloc(1, sizeof *st);
    errs = calloc(T, sizeof *errs);
    ok = calloc(T, sizeof *ok);
    imp = calloc(dt.d ? dt.d : 1, sizeof *imp);
    if (!st || !errs || !ok || !imp || !(st->trees = calloc(T, sizeof *st->trees)) ||
        !(st->importances = calloc(dt.d ? dt.d : 1, sizeof(double)))) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory", uid);
        goto done;
    }
    st->refs = 1;
    st->d = dt.d;
    st->num_classes = c.o.num_classes;
    st->num_trees = T;
    c.trees = st->trees;
    c.errs = errs;
    c.ok = ok;
    lml_parallel_for(T, grow_one, &c);
    for (size_t t = 0; t < T; t++)
        if (!ok[t]) {
            lml_error_set(err, errs[t].code, "%s: tree %zu: %s", uid, t, errs[t].message);
            goto done;
        }
    /* §9.8: each tree's normalised importances summed, then normalised. */
    for (size_t t = 0; t < T; t++) {
        lml_tree_importances(&st->trees[t], dt.d, imp);
        for (size_t j = 0; j < dt.d; j++)
            st->importances[j] += imp[j];
    }
    double s = 0.0;
    for (size_t j = 0; j < dt.d; j++)
        s += st->importances[j];
    for (size_t j = 0; s > 0 && j < dt.d; j++)
        st->importances[j] /= s;
    model = lml_stage_create_model(cls ? &lml_rf_classifier_model_vt : &lml_rf_regressor_model_vt, self, st, err);
    if (model)
        st = NULL;
done:
    if (st)
        state_release(st);
    lml_tree_bins_clear(&bins);
    free(arity), free(y), free(w), free(imp), free(errs), free(ok);
    return model;
}

static const rf_state *model_state(const lml_stage *m, lml_error *err)
{
    if (m && m->vt == &lml_rf_regressor_model_vt)
        return m->state;
    return lml_stage_state(m, &lml_rf_classifier_model_vt, err);
}

/* A leaf's contribution to a row: classification adds s[c]/tot for each class when tot > 0
 * (the live flag), regression adds the prediction. */
static bool rf_leaf_value(const void *ctx, size_t t, const lml_tree_node *leaf, const lml_tree *tr, double *out)
{
    (void)t;
    const rf_state *st = ctx;
    size_t K = st->num_classes;
    if (!K) {
        out[0] = leaf->prediction;
        return true;
    }
    return lml_tree_class_probs(tr->stats + leaf->stats, K, out);
}

typedef struct rf_run {
    const rf_state *st;
    const lml_fast_trees *f;
    double *pred, *raw, *prob;
} rf_run;

static void rf_tree(void *vc, size_t t, size_t i0, size_t i1, const uint32_t *leaves)
{
    (void)t;
    const rf_run *c = vc;
    size_t K = c->st->num_classes;
    const double *v = c->f->vals;
    if (!K) {
        for (size_t i = i0; i < i1; i++)
            c->pred[i] += v[leaves[i - i0]];
        return;
    }
    for (size_t i = i0; i < i1; i++) {
        uint32_t l = leaves[i - i0];
        if (!c->f->live[l])
            continue;
        if (K == 2) { /* the common case, unrolled */
            c->raw[2 * i] += v[2 * (size_t)l];
            c->raw[2 * i + 1] += v[2 * (size_t)l + 1];
            continue;
        }
        for (size_t k = 0; k < K; k++)
            c->raw[i * K + k] += v[(size_t)l * K + k];
    }
}

/* After the last tree: the mean (regression) or probability and first argmax class. */
static void rf_finish(void *vc, size_t i0, size_t i1)
{
    const rf_run *c = vc;
    size_t K = c->st->num_classes;
    double *raw = c->raw, *prob = c->prob, *pred = c->pred;
    for (size_t i = i0; i < i1; i++) {
        if (!K) {
            pred[i] = pred[i] / (double)c->st->num_trees;
            continue;
        }
        pred[i] = lml_tree_vote_outputs(raw + i * K, K, prob + i * K);
    }
}

static lml_frame *transform(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const rf_state *st = model_state(self, err);
    if (!st)
        return NULL;
    lml_tree_data dt = {0};
    const char *names[3];
    if (!lml_tree_transform_inputs(self, df, st->d, st->num_classes, &dt, names, err))
        return NULL;
    size_t n = dt.n, K = st->num_classes;
    double *pred = malloc((n ? n : 1) * sizeof(double));
    double *raw = K ? calloc((n ? n : 1) * K, sizeof(double)) : NULL;
    double *prob = K ? malloc((n ? n : 1) * K * sizeof(double)) : NULL;
    lml_frame *cur = lml_frame_retain(df);
    if (!pred || (K && (!raw || !prob))) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory for %zu rows", lml_stage_uid(self), n);
        goto fail;
    }
    /* predict.c's compact trees; each leaf's share s[c]/tot (or prediction) is computed there once
     * in the arithmetic a row-by-row walk would use, and added per row in tree order. */
    const lml_fast_trees *fast =
        lml_fast_trees_get(&((rf_state *)st)->fast, st->trees, st->num_trees, K ? K : 1, rf_leaf_value, st);
    if (!fast) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory for the compact trees", lml_stage_uid(self));
        goto fail;
    }
    for (size_t i = 0; !K && i < n; i++)
        pred[i] = 0.0; /* the per-row sum */
    rf_run run = {st, fast, pred, raw, prob};
    lml_fast_trees_run(fast, &dt, rf_tree, rf_finish, &run);
    cur = lml_tree_add_outputs(cur, names, pred, raw, prob, n, K, err);
    cur = lml_tree_add_leaf_col(self, cur, st->trees, st->num_trees, true, &dt, err);
    free(pred), free(raw), free(prob);
    return cur;
fail:
    free(pred), free(raw), free(prob);
    lml_frame_free(cur);
    return NULL;
}

/* ---- accessors */

int64_t lml_random_forest_num_trees(const lml_stage *model, lml_error *err)
{
    const rf_state *st = model_state(model, err);
    return st ? (int64_t)st->num_trees : -1;
}

static const lml_tree *tree_at(const lml_stage *model, size_t i, lml_error *err)
{
    const rf_state *st = model_state(model, err);
    return st ? lml_tree_pick(model, st->trees, st->num_trees, i, err) : NULL;
}

int64_t lml_random_forest_tree_num_nodes(const lml_stage *model, size_t i, lml_error *err)
{
    const lml_tree *t = tree_at(model, i, err);
    return t ? (int64_t)t->nnodes : -1;
}

int64_t lml_random_forest_tree_depth(const lml_stage *model, size_t i, lml_error *err)
{
    const lml_tree *t = tree_at(model, i, err);
    return t ? (int64_t)t->depth : -1;
}

int64_t lml_random_forest_total_num_nodes(const lml_stage *model, lml_error *err)
{
    const rf_state *st = model_state(model, err);
    return st ? lml_tree_count_nodes(st->trees, st->num_trees) : -1;
}

const double *lml_random_forest_feature_importances(const lml_stage *model, size_t *d, lml_error *err)
{
    const rf_state *st = model_state(model, err);
    if (!st)
        return NULL;
    if (d)
        *d = st->d;
    return st->importances;
}

/* ---- persistence (spec §4.8): src/ml/persist/trees.c writes and reads the node tables. */

static bool rf_save(const lml_stage *self, const char *dir, struct cJSON *meta, lml_error *err)
{
    const rf_state *st = self->state;
    double *w = malloc((st->num_trees ? st->num_trees : 1) * sizeof *w);
    if (!w)
        return lml_error_set(err, LML_ENOMEM, "%s: out of memory saving", lml_stage_uid(self));
    for (size_t t = 0; t < st->num_trees; t++)
        w[t] = 1.0;
    bool ok = lml_tree_persist_save(self, dir, meta, st->trees, st->num_trees, w,
                                    st->num_classes ? &lml_dt_classifier_model_vt : &lml_dt_regressor_model_vt, st->d,
                                    st->num_classes, err);
    free(w);
    return ok;
}

static void *rf_load(const char *dir, const struct cJSON *meta, int version, bool cls, lml_error *err)
{
    size_t T = 0, d = 0, k = 0;
    double *weights = NULL;
    lml_tree *trees = lml_tree_persist_load(dir, meta, version, true, cls, &T, &weights, &d, &k, err);
    if (!trees)
        return NULL;
    free(weights); /* a forest's trees all weigh 1 */
    rf_state *st = calloc(1, sizeof *st);
    double *imp = calloc(d ? d : 1, sizeof *imp);
    if (!st || !imp || !(st->importances = calloc(d ? d : 1, sizeof(double)))) {
        free(st), free(imp);
        lml_tree_free_all(trees, T);
        lml_error_set(err, LML_ENOMEM, "out of memory loading %s", dir);
        return NULL;
    }
    st->refs = 1, st->d = d, st->num_classes = cls ? k : 0, st->num_trees = T, st->trees = trees;
    /* §9.8, as in fit: normalised per-tree importances summed, then normalised. */
    for (size_t t = 0; t < T; t++) {
        lml_tree_importances(&trees[t], d, imp);
        for (size_t j = 0; j < d; j++)
            st->importances[j] += imp[j];
    }
    double s = 0.0;
    for (size_t j = 0; j < d; j++)
        s += st->importances[j];
    for (size_t j = 0; s > 0 && j < d; j++)
        st->importances[j] /= s;
    free(imp);
    return st;
}

static void *rf_load_cls(const char *dir, const struct cJSON *meta, int version, lml_error *err)
{
    return rf_load(dir, meta, version, true, err);
}

static void *rf_load_reg(const char *dir, const struct cJSON *meta, int version, lml_error *err)
{
    return rf_load(dir, meta, version, false, err);
}

const lml_tree *lml_rf_model_trees(const lml_stage *m, size_t *d, size_t *num_classes, size_t *num_trees,
                                   lml_error *err)
{
    const rf_state *st = model_state(m, err);
    if (!st)
        return NULL;
    *d = st->d;
    *num_classes = st->num_classes;
    *num_trees = st->num_trees;
    return st->trees;
}
