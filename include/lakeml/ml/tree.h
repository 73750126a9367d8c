/* lakeml — decision trees (Spark's DecisionTreeClassifier / DecisionTreeRegressor, spec §9).
 *
 * Both learners bin the features once per fit (up to maxBins split candidates per feature, Spark's
 * rule) and grow the tree level by level like Spark, so maxDepth, minInstancesPerNode,
 * minWeightFractionPerNode and minInfoGain mean what they mean there. Features that the features
 * column's ML attributes mark nominal (k values) or binary (2) are categorical, split like Spark
 * (unordered subsets for multiclass with small k, else ordered by centroid); their values must lie
 * in [0, k) and k must not exceed min(maxBins, numRows). Models are immutable and safe to share
 * between threads. */
#ifndef LAKEML_ML_TREE_H
#define LAKEML_ML_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "stage.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A new DecisionTreeClassifier with Spark's defaults: featuresCol "features", labelCol "label",
 * predictionCol "prediction", rawPredictionCol "rawPrediction", probabilityCol "probability",
 * weightCol unset, maxDepth 5 (0..30), maxBins 32 (>= 2; at most 65536 here, the bins being
 * stored in 16 bits), minInstancesPerNode 1 (>= 1),
 * minWeightFractionPerNode 0 ([0, 0.5)), minInfoGain 0, impurity "gini" (gini/entropy), seed
 * (Spark's default for the class), maxMemoryInMB 256, cacheNodeIds false, checkpointInterval 10
 * (the last three have no effect), leafCol "" (when set, the model adds the index of the leaf each
 * row reaches, leaves numbered in pre-order; ensembles add a vector of one index per tree).
 * Labels must be integers in [0, numClasses) where numClasses comes from the label's metadata or
 * is max label + 1 (at most 100). The model's transform adds
 * rawPrediction (vector: the leaf's weighted class counts), probability (the counts normalised)
 * and prediction (double, the first argmax). Fit errors name the column, row or param. Returns
 * NULL only when out of memory. Free with lml_stage_free. */
LML_API lml_stage *lml_decision_tree_classifier_new(void);

/* A new DecisionTreeRegressor: the same params without rawPredictionCol/probabilityCol,
 * impurity "variance", plus varianceCol (unset). The model predicts the leaf's weighted mean label
 * and, when varianceCol is set, adds the leaf's (biased, weighted) label variance. */
LML_API lml_stage *lml_decision_tree_regressor_new(void);

/* One node of a fitted tree, nodes numbered in pre-order (0 = root). */
typedef struct lml_tree_node_info {
    bool leaf;
    int32_t left, right; /* child indices, -1 for a leaf */
    int32_t feature;     /* split feature, -1 for a leaf */
    double threshold;    /* a row goes left iff feature value <= threshold */
    double gain;         /* information gain of the split; -1 for a leaf */
    double impurity;     /* node impurity; -1 for a leaf evaluated without a valid split */
    double prediction;   /* class index or mean label */
    double weight;       /* weighted number of training rows in the node */
    bool categorical;    /* a categorical split: left iff the value is one of left_categories */
    const double *left_categories; /* ascending, borrowed from the model; NULL otherwise */
    size_t num_left_categories;
} lml_tree_node_info;

/* Accessors of a DecisionTreeClassificationModel or DecisionTreeRegressionModel; on another
 * stage they fail with LML_ETYPE (-1 / false / NULL). */
LML_API int64_t lml_decision_tree_num_nodes(const lml_stage *model, lml_error *err);
LML_API int64_t lml_decision_tree_depth(const lml_stage *model, lml_error *err);
LML_API int64_t lml_decision_tree_num_features(const lml_stage *model, lml_error *err);
/* numClasses of a classification model; 0 for a regression model. */
LML_API int64_t lml_decision_tree_num_classes(const lml_stage *model, lml_error *err);
/* Node `index` (pre-order) into *out; LML_ERANGE when index >= numNodes. */
LML_API bool lml_decision_tree_node(const lml_stage *model, size_t index, lml_tree_node_info *out, lml_error *err);
/* Spark's featureImportances (§9.8) as a dense array of numFeatures values summing to 1 (all 0
 * when the tree has no split), borrowed from the model; *d receives numFeatures. */
LML_API const double *lml_decision_tree_feature_importances(const lml_stage *model, size_t *d, lml_error *err);
/* Spark's toDebugString text (malloc'd; free with free()). */
LML_API char *lml_decision_tree_debug_string(const lml_stage *model, lml_error *err);

/* A new RandomForestClassifier: the DecisionTreeClassifier params (seed default 207336481) plus
 * numTrees 20 (>= 1), featureSubsetStrategy "auto" (auto/all/onethird/sqrt/log2, an integer n, or
 * a fraction in (0, 1]; auto = all for one tree, else sqrt), subsamplingRate 1 ((0, 1]) and
 * bootstrap true. Tree t samples its rows with counts Poisson(subsamplingRate) (Bernoulli without
 * bootstrap) from GSL's mt19937 seeded with seed + t, and its per-node feature subsets from the
 * same stream: deterministic for any thread count, but not Spark's exact draws. rawPrediction is
 * the sum over trees of the leaf's normalised class frequencies, probability that normalised,
 * prediction the first argmax. Free with lml_stage_free. */
LML_API lml_stage *lml_random_forest_classifier_new(void);
/* A new RandomForestRegressor: the same forest params (seed default 235498149, auto = onethird
 * for more than one tree), impurity "variance"; predicts the mean of the trees' predictions. */
LML_API lml_stage *lml_random_forest_regressor_new(void);
/* Accessors of a RandomForestClassificationModel / RandomForestRegressionModel (LML_ETYPE on
 * another stage; LML_ERANGE for a tree index >= numTrees). */
LML_API int64_t lml_random_forest_num_trees(const lml_stage *model, lml_error *err);
LML_API int64_t lml_random_forest_tree_num_nodes(const lml_stage *model, size_t i, lml_error *err);
LML_API int64_t lml_random_forest_tree_depth(const lml_stage *model, size_t i, lml_error *err);
LML_API int64_t lml_random_forest_total_num_nodes(const lml_stage *model, lml_error *err);
/* Spark's featureImportances (§9.8): the trees' normalised importances averaged, normalised. */
LML_API const double *lml_random_forest_feature_importances(const lml_stage *model, size_t *d, lml_error *err);

/* A new GBTClassifier (Spark's gradient-boosted trees, binary classification only): the
 * DecisionTree params (impurity "variance" only, seed default -1287390502) plus maxIter 20 (>= 1:
 * the number of trees), stepSize 0.1 ((0, 1]: the weight of every tree after the first, whose
 * weight is 1), lossType "logistic" (the only one), validationTol 0.01 (>= 0),
 * validationIndicatorCol unset (a boolean column: rows with true are a validation set, not
 * trained on; rows with null are in neither set; training stops early once an iteration improves
 * the validation loss by less than validationTol × max(loss, 0.01), keeping the trees up to the
 * best validation loss), featureSubsetStrategy "all" (as RandomForest; auto = all),
 * subsamplingRate 1 ((0, 1]: Bernoulli row sample per iteration, no bootstrap), weightCol unset,
 * rawPredictionCol, probabilityCol and thresholds (unset; length 2 when set). Labels must be 0 or
 * 1 (error naming the row). Iteration m draws its sample and feature subsets from GSL's mt19937
 * seeded with seed + m: deterministic for any thread count, not Spark's exact draws. The model
 * adds rawPrediction [-F, F], probability [1/(1+e^{2F}), 1/(1+e^{-2F})] and prediction (1 iff
 * F > 0, or the thresholds rule), F = sum of treeWeights × tree predictions. Free with
 * lml_stage_free. */
LML_API lml_stage *lml_gbt_classifier_new(void);
/* A new GBTRegressor: the same params without the classifier's columns and thresholds, seed
 * default -131597770, lossType "squared" (squared/absolute, case-insensitive); predicts F. */
LML_API lml_stage *lml_gbt_regressor_new(void);
/* Accessors of a GBTClassificationModel / GBTRegressionModel (LML_ETYPE on another stage;
 * LML_ERANGE for a tree index >= numTrees). getNumTrees counts the trees kept (fewer than maxIter
 * after a validation stop). */
LML_API int64_t lml_gbt_num_trees(const lml_stage *model, lml_error *err);
/* Spark's treeWeights: [1, stepSize, stepSize, ...], numTrees values borrowed from the model. */
LML_API const double *lml_gbt_tree_weights(const lml_stage *model, size_t *n, lml_error *err);
LML_API int64_t lml_gbt_tree_num_nodes(const lml_stage *model, size_t i, lml_error *err);
LML_API int64_t lml_gbt_tree_depth(const lml_stage *model, size_t i, lml_error *err);
LML_API int64_t lml_gbt_total_num_nodes(const lml_stage *model, lml_error *err);
/* Spark's featureImportances for GBT (§9.8): every tree's raw gain × node weight summed, then
 * normalised to sum 1 (no per-tree normalisation); numFeatures values borrowed from the model. */
LML_API const double *lml_gbt_feature_importances(const lml_stage *model, size_t *d, lml_error *err);

#ifdef __cplusplus
}
#endif

#endif
