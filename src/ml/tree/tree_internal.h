/* The histogram tree learner shared by every tree model (spec §9): features binned once per fit
 * (binning.c), level-wise growth over per-node histograms (grow.c). Internal header. */
#ifndef LML_ML_TREE_INTERNAL_H
#define LML_ML_TREE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lakeml/error.h"
#include "ml/stage_internal.h"

/* Training rows as borrowed plain arrays: features dense row-major (X) or CSR. */
typedef struct lml_tree_data {
    size_t n, d;
    const double *X;
    const int64_t *indptr;
    const int32_t *indices;
    const double *values;
    const double *y; /* labels (class index for classification) */
    const double *w; /* instance weights, NULL = all 1 */
    /* Bootstrap multiplicity per row (random forests), NULL = all 1: a row counts `counts[i]`
     * times (weight w·counts, raw count counts); rows with 0 are left out. */
    const double *counts;
} lml_tree_data;

/* Feature j of row i (CSR: binary search of the row's indices). */
double lml_tree_feature(const lml_tree_data *dt, size_t i, size_t j);

/* The binned matrix: row-major (a row's bins are contiguous, so a node's histogram pass reads each
 * of its rows once however scattered its rows are), one byte per cell when every feature has ≤ 256
 * bins, else two.
 * Feature j has nsplits[j] thresholds (ascending) and nsplits[j] + 1 bins; a value goes to bin b
 * when thresholds[b-1] < v ≤ thresholds[b]. */
typedef struct lml_tree_bins {
    size_t n, d;
    size_t *arity;   /* 0: continuous; k: categorical with k categories = k bins (nsplits k − 1) */
    size_t max_unordered; /* multiclass categoricals up to this arity use unordered splits */
    size_t max_bins; /* most bins of any feature */
    size_t *nsplits;
    double **thresholds;
    uint8_t *b8;
    uint16_t *b16;
} lml_tree_bins;

static inline unsigned lml_tree_bin(const lml_tree_bins *b, size_t i, size_t j)
{
    return b->b8 ? b->b8[i * b->d + j] : b->b16[i * b->d + j];
}

/* Split candidates of one feature from (value, weight) pairs of its sampled rows (§9.3 steps
 * 2–3): `vals`/`wts` of length m are the sampled values (reordered in place), expected_total the
 * expected total weight, max_splits = maxBinsEff − 1. Returns the number of thresholds written to
 * out (room for max_splits), or -1 when out of memory. */
long lml_tree_find_splits(double *vals, double *wts, size_t m, double expected_total, size_t max_splits,
                          double *out);
/* Bins every feature of dt (Spark's sampling rule with `seed`, maxBins ≥ 2). `arity` (NULL: all
 * continuous) gives categorical arities; their values must already be checked to lie in [0, k)
 * and k ≤ min(maxBins, numRows). */
bool lml_tree_bins_build(const lml_tree_data *dt, size_t max_bins, const size_t *arity, int64_t seed,
                         lml_tree_bins *out, lml_error *err);
void lml_tree_bins_clear(lml_tree_bins *b);

typedef enum lml_tree_impurity { LML_IMP_GINI, LML_IMP_ENTROPY, LML_IMP_VARIANCE } lml_tree_impurity;

typedef struct lml_tree_node {
    int32_t left, right; /* -1 for a leaf */
    int32_t feature;
    double threshold; /* continuous: left iff value <= threshold */
    int32_t arity;    /* categorical split: the feature's arity, else 0 */
    int32_t ncats;    /* categorical: number of left categories, at cats[cat_off …] ascending */
    size_t cat_off;
    double gain;      /* -1 for leaves */
    double impurity;  /* -1 for leaves evaluated without a valid split */
    double prediction;
    double weight; /* weighted row count */
    int64_t raw_count; /* unweighted rows (bootstrap multiplicity counted); -1 when unknown (Spark 2.x files) */
    size_t stats;  /* offset of this node's stats in the tree's stats array */
} lml_tree_node;

typedef struct lml_tree {
    size_t nnodes; /* nodes[0] is the root; pre-order */
    lml_tree_node *nodes;
    size_t nstats; /* stats per node: numClasses, or 3 (Σw, Σwy, Σwy²) */
    double *stats;
    double *cats; /* left categories of categorical splits */
    int depth;
} lml_tree;

typedef struct lml_tree_options {
    lml_tree_impurity impurity;
    size_t num_classes; /* 0 for regression */
    int max_depth;
    int64_t min_instances;
    double min_weight_fraction;
    double min_info_gain;
    /* Random forests: when 0 < feature_subset < d, each node considers only feature_subset
     * features drawn without replacement (GSL mt19937 seeded with subset_seed, one stream per
     * tree, drawn node by node in growth order). 0 = all features. */
    size_t feature_subset;
    uint64_t subset_seed;
} lml_tree_options;

double lml_tree_impurity_of(lml_tree_impurity imp, const double *s, size_t nstats);
/* A node's weight (Σ class weights or Σw) and prediction (first argmax class or mean label). */
double lml_tree_node_weight(const lml_tree_options *o, const double *s, size_t nstats);
double lml_tree_node_prediction(const lml_tree_options *o, const double *s, size_t nstats);

/* Work arrays of lml_tree_eval_feature: left/right/total of stats+1 doubles, centroid and order of
 * max_bins entries. */
typedef struct lml_tree_scratch {
    double *left, *right, *total, *centroid;
    size_t *order;
} lml_tree_scratch;
/* Evaluates every split of feature j from its histogram hj (bins × (stats + raw count)) in Spark's
 * order; when one beats *best strictly, updates *best and writes the split's left bins into mask. */
void lml_tree_eval_feature(const lml_tree_options *o, const lml_tree_bins *bins, size_t j, const double *hj,
                           double parent, double min_w, lml_tree_scratch *w, double *best, uint8_t *mask);
/* Grows one tree on binned rows (level-wise, Spark's gain, stopping and tie rules, post-pruning). */
bool lml_tree_grow(const lml_tree_data *dt, const lml_tree_bins *bins, const lml_tree_options *o, lml_tree *out,
                   lml_error *err);
void lml_tree_clear(lml_tree *t);
/* Index of the leaf reached by feature vector row i of dt. */
size_t lml_tree_leaf_of(const lml_tree *t, const lml_tree_data *dt, size_t i);


/* The params every tree learner shares (Spark's DecisionTreeParams + HasFeaturesCol, HasLabelCol,
 * HasPredictionCol, HasWeightCol, HasSeed, HasCheckpointInterval), for the stages' param tables. */
#define LML_TREE_STR(n, d, doc_) {.name = n, .type = LML_PARAM_STRING, .doc = doc_, .has_default = true, .def_s = d}
#define LML_TREE_PARAMS(IMP, IMPDOC, IMPCHECK, SEED)                                                                 \
    LML_TREE_STR("featuresCol", "features", "features column name"),                                                \
        LML_TREE_STR("labelCol", "label", "label column name"),                                                     \
        LML_TREE_STR("predictionCol", "prediction", "prediction column name"),                                      \
        LML_TREE_STR("leafCol", "",                                                                                 \
                     "Leaf indices column name. Predicted leaf index of each instance in each tree by preorder"),   \
        {.name = "weightCol", .type = LML_PARAM_STRING,                                                              \
         .doc = "weight column name. If this is not set or empty, we treat all instance weights as 1.0"},            \
        {.name = "maxDepth", .type = LML_PARAM_INT, .doc = "Maximum depth of the tree (>= 0), at most 30",          \
         .has_default = true, .def_i = 5, .check = lml_tree_check_depth},                                           \
        {.name = "maxBins", .type = LML_PARAM_INT, .doc = "Max number of bins for discretizing continuous features", \
         .has_default = true, .def_i = 32, .check = lml_tree_check_bins},                                           \
        {.name = "minInstancesPerNode", .type = LML_PARAM_INT,                                                      \
         .doc = "Minimum number of instances each child must have after split", .has_default = true, .def_i = 1,  \
         .check = lml_tree_check_min_inst},                                                                         \
        {.name = "minWeightFractionPerNode", .type = LML_PARAM_DOUBLE,                                              \
         .doc = "Minimum fraction of the weighted sample count that each child must have after split",             \
         .has_default = true, .def_d = 0.0, .check = lml_tree_check_wfrac},                                         \
        {.name = "minInfoGain", .type = LML_PARAM_DOUBLE, .doc = "Minimum information gain for a split",           \
         .has_default = true, .def_d = 0.0},                                                                         \
        {.name = "impurity", .type = LML_PARAM_STRING, .doc = IMPDOC, .has_default = true, .def_s = IMP,           \
         .check = IMPCHECK},                                                                                         \
        {.name = "seed", .type = LML_PARAM_INT, .doc = "random seed", .has_default = true, .def_i = SEED},          \
        {.name = "maxMemoryInMB", .type = LML_PARAM_INT,                                                             \
         .doc = "Maximum memory in MB allocated to histogram aggregation", .has_default = true, .def_i = 256,       \
         .check = lml_check_nonneg},                                                                                 \
        {.name = "cacheNodeIds", .type = LML_PARAM_BOOL,                                                             \
         .doc = "If false, the algorithm will pass trees to executors", .has_default = true, .def_b = false},       \
        {.name = "checkpointInterval", .type = LML_PARAM_INT, .doc = "checkpoint interval (>= 1) or disable (-1)",  \
         .has_default = true, .def_i = 10, .check = lml_tree_check_interval}

/* Shared by the tree stages (tree_common.c): Spark's param checks, reading the features and
 * label/weight columns, and a tree's normalised feature importances. */
bool lml_tree_check_depth(const lml_param_value *v, lml_error *err);
bool lml_tree_check_bins(const lml_param_value *v, lml_error *err);
bool lml_tree_check_min_inst(const lml_param_value *v, lml_error *err);
bool lml_tree_check_wfrac(const lml_param_value *v, lml_error *err);
bool lml_tree_check_cls_imp(const lml_param_value *v, lml_error *err);
bool lml_tree_check_reg_imp(const lml_param_value *v, lml_error *err);
bool lml_tree_check_interval(const lml_param_value *v, lml_error *err);
bool lml_tree_check_rate(const lml_param_value *v, lml_error *err);     /* subsamplingRate in (0, 1] */
bool lml_tree_check_strategy(const lml_param_value *v, lml_error *err); /* featureSubsetStrategy */
/* Features per node for featureSubsetStrategy s (Spark's numFeaturesPerNode): auto = all for one
 * tree, else sqrt (classification) or onethird; false when s is not a valid strategy. */
bool lml_tree_subset_size(const char *s, size_t d, size_t num_trees, bool cls, size_t *k);
bool lml_tree_read_features(const lml_stage *self, const lml_frame *df, bool training, lml_tree_data *dt, size_t **arity_out, lml_error *err);
bool lml_tree_read_labels(const lml_stage *self, const lml_frame *df, bool cls, double **y, double **w, size_t *k, lml_error *err);
void lml_tree_importances(const lml_tree *t, size_t d, double *imp);

/* Prediction arithmetic every tree model (and the embedded scorer, which must give the same bits)
 * shares. Class weights s (K) as probabilities: s[c] / Σs, all 0 when Σs = 0; returns Σs > 0. */
bool lml_tree_class_probs(const double *s, size_t K, double *prob);
/* A forest's probabilities from its summed votes raw (K) and its prediction, the first argmax. */
double lml_tree_vote_outputs(const double *raw, size_t K, double *prob);
/* A GBT classifier's outputs from its margin F: raw [-F, F], the logistic loss's probabilities and
 * the prediction (F > 0, or Spark's first max of p / t with thresholds th, NULL when unset). */
double lml_tree_gbt_outputs(double F, const double *th, double *raw, double *prob);

lml_frame *lml_tree_add_outputs(lml_frame *cur, const char *const names[3], const double *pred, const double *raw,
                                const double *prob, size_t n, size_t K, lml_error *err);

/* Ensembles (forests, GBTs): tree i of a model (LML_ERANGE naming the model past numTrees) and the
 * total node count. */
const lml_tree *lml_tree_pick(const lml_stage *model, const lml_tree *trees, size_t num_trees, size_t i,
                              lml_error *err);
int64_t lml_tree_count_nodes(const lml_tree *trees, size_t num_trees);

/* Spark's leafCol: when the param is non-empty, adds the index of the leaf each row reaches (leaves
 * numbered in pre-order): a double for a single tree, a vector of one per tree for an ensemble.
 * Takes cur (NULL passes through); returns the new frame or NULL. */
lml_frame *lml_tree_add_leaf_col(const lml_stage *self, lml_frame *cur, const lml_tree *trees, size_t T, bool ensemble,
                                 const lml_tree_data *dt, lml_error *err);

bool lml_tree_transform_inputs(const lml_stage *self, const lml_frame *df, size_t d, size_t K, lml_tree_data *dt,
                               const char *names[3], lml_error *err);

/* Persistence of tree models (src/ml/persist/trees.c, spec §4.7/§4.8). save writes data/ (one row
 * per node; with a treeID column for ensembles) and, for ensembles (weights non-NULL), treesMetadata/
 * with each tree's metadata JSON as a stage of class tree_vt carrying the params self shares with it;
 * it adds numFeatures (and numClasses when num_classes > 0, numTrees for ensembles) to meta. load
 * reads them back: numFeatures into *d, numClasses (when want_classes) into *k, the trees (nstats
 * stats per node: numClasses, or 3 for regression trees) and, for ensembles, the weights. */
bool lml_tree_persist_save(const lml_stage *self, const char *dir, struct cJSON *meta, const lml_tree *trees, size_t T,
                           const double *weights, const lml_stage_vtable *tree_vt, size_t d, size_t num_classes,
                           lml_error *err);
lml_tree *lml_tree_persist_load(const char *dir, const struct cJSON *meta, int version, bool ensemble,
                                bool want_classes, size_t *T, double **weights, size_t *d, size_t *k, lml_error *err);
void lml_tree_free_all(lml_tree *trees, size_t T);

/* The learned trees of fitted models, borrowed (for the scorer, src/ml/scorer/): NULL with
 * LML_ETYPE when the stage is not of that family. d: features; num_classes: 0 for regressors. */
const lml_tree *lml_dt_model_tree(const lml_stage *m, size_t *d, size_t *num_classes, lml_error *err);
const lml_tree *lml_rf_model_trees(const lml_stage *m, size_t *d, size_t *num_classes, size_t *num_trees,
                                   lml_error *err);
const lml_tree *lml_gbt_model_trees(const lml_stage *m, size_t *d, bool *cls, size_t *num_trees,
                                    const double **weights, lml_error *err);

/* ---- fast batch prediction (predict.c): the trees of a model re-laid out once as 16-byte
 * pre-order nodes and walked tree-major over blocks of rows; same leaves as lml_tree_leaf_of. */
typedef struct lml_fast_node {
    double thr;    /* continuous: left iff value <= thr; leaf: -inf; categorical: index into cats */
    int32_t feat;  /* >= 0: the feature; <= -2: categorical split on feature -2 - feat */
    int32_t right; /* the right child (the left one is the next node); a leaf: itself */
} lml_fast_node;
typedef struct lml_fast_cat {
    const double *cats; /* borrowed from the lml_tree */
    int32_t ncats, arity;
} lml_fast_cat;
typedef struct lml_fast_trees {
    size_t T;
    size_t *start; /* tree t's nodes: [start[t], start[t+1]) */
    int *depth;    /* steps from the root to the deepest leaf */
    bool *has_cat;
    lml_fast_node *nodes;
    lml_fast_cat *cats;
    size_t ncats;
    int32_t *leaf_node;             /* per node: the source node index in its lml_tree (-1: a split) */
    size_t nv;                      /* values per leaf from the caller's function (0: none) */
    double *vals;                   /* nv per node, set for leaves */
    uint8_t *live;                  /* per leaf: what the function returned */
} lml_fast_trees;

/* Computes the nv values of one leaf of tree t (in exactly the caller's transform arithmetic);
 * the return value is kept in live[] (e.g. "this leaf contributes"). */
typedef bool (*lml_leaf_value_fn)(const void *ctx, size_t t, const lml_tree_node *leaf, const lml_tree *tree,
                                  double *out);
/* The compact form of trees[0..T), built on first use and published in *slot (thread-safe: a
 * racing builder frees its copy); NULL when out of memory. Free the slot with lml_fast_trees_free. */
const lml_fast_trees *lml_fast_trees_get(lml_fast_trees **slot, const lml_tree *trees, size_t T, size_t nv,
                                         lml_leaf_value_fn fn, const void *ctx);
void lml_fast_trees_free(lml_fast_trees *f);
/* Global node index of the leaf that each row of [i0, i1) reaches in tree t. */
void lml_fast_trees_leaves(const lml_fast_trees *f, size_t t, const lml_tree_data *dt, size_t i0, size_t i1,
                           uint32_t *out);

#define LML_FAST_BLOCK 128 /* rows per task: ~100 KB of 103 doubles, stays in L2 across the trees */
/* Called for each tree t in order with the leaves of rows [i0, i1); then finish once per block. */
typedef void (*lml_fast_tree_fn)(void *ctx, size_t t, size_t i0, size_t i1, const uint32_t *leaves);
typedef void (*lml_fast_rows_fn)(void *ctx, size_t i0, size_t i1);
/* Runs the blocks of dt's rows on the pool; a row's result depends on nothing but the row. */
void lml_fast_trees_run(const lml_fast_trees *f, const lml_tree_data *dt, lml_fast_tree_fn per_tree,
                        lml_fast_rows_fn finish, void *ctx);

#endif
