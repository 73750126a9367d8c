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
    lml_fast_trees *fast; /* predict.c's layout of the tree, built by the first transform */
} dt_state;

static void state_retain(void *st) { __atomic_add_fetch(&((dt_state *)st)->refs, 1, __ATOMIC_RELAXED); }

static void state_release(void *vst)
{
    dt_state *st = vst;
    if (__atomic_sub_fetch(&st->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    lml_tree_clear(&st->tree);
    free(st->importances);
    lml_fast_trees_free(st->fast);
    free(st);
}

#define COMMON_PARAMS(IMP, IMPCHECK, SEED)                                                                           \
    LML_TREE_PARAMS(IMP, "Criterion used for information gain calculation", IMPCHECK, SEED)

static const lml_param_def cls_params[] = {
    COMMON_PARAMS("gini", lml_tree_check_cls_imp, 159147643),
    LML_TREE_STR("rawPredictionCol", "rawPrediction", "raw prediction (a.k.a. confidence) column name"),
    LML_TREE_STR("probabilityCol", "probability", "Column name for predicted class conditional probabilities"),
};
static const lml_param_def reg_params[] = {
    COMMON_PARAMS("variance", lml_tree_check_reg_imp, 926680331),
    {.name = "varianceCol", .type = LML_PARAM_STRING, .doc = "Column name for the biased sample variance of prediction"},
};

static lml_stage *fit(const lml_stage *self, const lml_frame *df, lml_error *err);
static lml_frame *transform(const lml_stage *self, const lml_frame *df, lml_error *err);
static bool dt_save(const lml_stage *self, const char *dir, struct cJSON *meta, lml_error *err);
static void *dt_load_cls(const char *dir, const struct cJSON *meta, int version, lml_error *err);
static void *dt_load_reg(const char *dir, const struct cJSON *meta, int version, lml_error *err);

#define NP(p) (sizeof p / sizeof p[0])
const lml_stage_vtable lml_dt_classifier_vt = {
    .name = "DecisionTreeClassifier", .class_name = "org.apache.spark.ml.classification.DecisionTreeClassifier",
    .kind = LML_STAGE_ESTIMATOR, .params = cls_params, .nparams = NP(cls_params), .fit = fit};
const lml_stage_vtable lml_dt_classifier_model_vt = {
    .name = "DecisionTreeClassificationModel",
    .class_name = "org.apache.spark.ml.classification.DecisionTreeClassificationModel", .kind = LML_STAGE_MODEL,
    .params = cls_params, .nparams = NP(cls_params), .transform = transform, .retain_state = state_retain,
    .release_state = state_release, .save_data = dt_save, .load_state = dt_load_cls};
const lml_stage_vtable lml_dt_regressor_vt = {
    .name = "DecisionTreeRegressor", .class_name = "org.apache.spark.ml.regression.DecisionTreeRegressor",
    .kind = LML_STAGE_ESTIMATOR, .params = reg_params, .nparams = NP(reg_params), .fit = fit};
const lml_stage_vtable lml_dt_regressor_model_vt = {
    .name = "DecisionTreeRegressionModel", .class_name = "org.apache.spark.ml.regression.DecisionTreeRegressionModel",
    .kind = LML_STAGE_MODEL, .params = reg_params, .nparams = NP(reg_params), .transform = transform,
    .retain_state = state_retain, .release_state = state_release, .save_data = dt_save, .load_state = dt_load_reg};

lml_stage *lml_decision_tree_classifier_new(void) { return lml_stage_create(&lml_dt_classifier_vt, NULL, NULL, NULL); }
lml_stage *lml_decision_tree_regressor_new(void) { return lml_stage_create(&lml_dt_regressor_vt, NULL, NULL, NULL); }

static lml_stage *fit(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const char *uid = lml_stage_uid(self);
    bool cls = self->vt == &lml_dt_classifier_vt;
    if (lml_frame_num_rows(df) == 0)
        return lml_error_set(err, LML_EINVAL, "%s: the training frame is empty", uid), NULL;
    lml_tree_data dt = {0};
    size_t *arity = NULL;
    if (!lml_tree_read_features(self, df, true, &dt, &arity, err))
        return NULL;
    double *y = NULL, *w = NULL;
    size_t k = 0;
    lml_stage *model = NULL;
    lml_tree_bins bins = {0};
    dt_state *st = NULL;
    if (!lml_tree_read_labels(self, df, cls, &y, &w, &k, err))
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
    lml_tree_importances(&st->tree, dt.d, st->importances);
    model = lml_stage_create_model(cls ? &lml_dt_classifier_model_vt : &lml_dt_regressor_model_vt, self, st, err);
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
    if (m && m->vt == &lml_dt_regressor_model_vt)
        return m->state;
    return lml_stage_state(m, &lml_dt_classifier_model_vt, err);
}

typedef struct dt_run {
    const dt_state *st;
    const lml_fast_trees *f;
    double *pred, *raw, *prob;
} dt_run;

/* The outputs of rows [i0, i1) from the leaves predict.c found (rows in parallel blocks). */
static void dt_rows(void *vc, size_t t, size_t i0, size_t i1, const uint32_t *leaves)
{
    (void)t;
    const dt_run *c = vc;
    size_t K = c->st->num_classes;
    for (size_t i = i0; i < i1; i++) {
        const lml_tree_node *leaf = &c->st->tree.nodes[c->f->leaf_node[leaves[i - i0]]];
        c->pred[i] = leaf->prediction;
        if (K) {
            const double *s = c->st->tree.stats + leaf->stats;
            memcpy(c->raw + i * K, s, K * sizeof *s);
            lml_tree_class_probs(s, K, c->prob + i * K);
        }
    }
}

static lml_frame *transform(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const dt_state *st = model_state(self, err);
    if (!st)
        return NULL;
    lml_tree_data dt = {0};
    const char *names[3];
    if (!lml_tree_transform_inputs(self, df, st->d, st->num_classes, &dt, names, err))
        return NULL;
    size_t n = dt.n, K = st->num_classes;
    double *pred = malloc((n ? n : 1) * sizeof(double));
    double *raw = K ? malloc((n ? n : 1) * K * sizeof(double)) : NULL;
    double *prob = K ? malloc((n ? n : 1) * K * sizeof(double)) : NULL;
    lml_frame *cur = lml_frame_retain(df);
    if (!pred || (K && (!raw || !prob))) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory for %zu rows", lml_stage_uid(self), n);
        goto fail;
    }
    const lml_fast_trees *fast = lml_fast_trees_get(&((dt_state *)st)->fast, &st->tree, 1, 0, NULL, NULL);
    if (!fast) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory for the compact tree", lml_stage_uid(self));
        goto fail;
    }
    dt_run run = {st, fast, pred, raw, prob};
    lml_fast_trees_run(fast, &dt, dt_rows, NULL, &run);
    cur = lml_tree_add_outputs(cur, names, pred, raw, prob, n, K, err);
    cur = lml_tree_add_leaf_col(self, cur, &st->tree, 1, false, &dt, err);
    const char *vname = !K && cur && lml_is_set(self, "varianceCol") ? lml_param_string(self, "varianceCol") : NULL;
    if (vname && vname[0]) {
        /* The leaf's variance from its stats (a leaf stores impurity -1 when it had no valid split). */
        for (size_t i = 0; i < n; i++)
            pred[i] = lml_tree_impurity_of(LML_IMP_VARIANCE,
                                           st->tree.stats + st->tree.nodes[lml_tree_leaf_of(&st->tree, &dt, i)].stats, 3);
        lml_column *vc = lml_column_from_doubles(pred, NULL, n, err);
        lml_frame *nf = vc ? lml_frame_with_column(cur, vname, vc, err) : NULL;
        lml_column_free(vc);
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

/* ---- persistence (spec §4.7): src/ml/persist/trees.c writes and reads the node table. */

static bool dt_save(const lml_stage *self, const char *dir, struct cJSON *meta, lml_error *err)
{
    const dt_state *st = self->state;
    return lml_tree_persist_save(self, dir, meta, &st->tree, 1, NULL, NULL, st->d, st->num_classes, err);
}

static void *dt_load(const char *dir, const struct cJSON *meta, int version, bool cls, lml_error *err)
{
    size_t T = 0, d = 0, k = 0;
    lml_tree *trees = lml_tree_persist_load(dir, meta, version, false, cls, &T, NULL, &d, &k, err);
    if (!trees)
        return NULL;
    dt_state *st = calloc(1, sizeof *st);
    if (!st || !(st->importances = calloc(d ? d : 1, sizeof(double)))) {
        free(st);
        lml_tree_free_all(trees, T);
        lml_error_set(err, LML_ENOMEM, "out of memory loading %s", dir);
        return NULL;
    }
    st->refs = 1;
    st->d = d;
    st->num_classes = cls ? k : 0;
    st->tree = trees[0];
    free(trees);
    lml_tree_importances(&st->tree, d, st->importances);
    return st;
}

static void *dt_load_cls(const char *dir, const struct cJSON *meta, int version, lml_error *err)
{
    return dt_load(dir, meta, version, true, err);
}

static void *dt_load_reg(const char *dir, const struct cJSON *meta, int version, lml_error *err)
{
    return dt_load(dir, meta, version, false, err);
}

const lml_tree *lml_dt_model_tree(const lml_stage *m, size_t *d, size_t *num_classes, lml_error *err)
{
    const dt_state *st = model_state(m, err);
    if (!st)
        return NULL;
    *d = st->d;
    *num_classes = st->num_classes;
    return &st->tree;
}
