/* lakeml — evaluators (Spark's org.apache.spark.ml.evaluation): a metric of a frame of
 * predictions, computed with lml_evaluate (stage.h); lml_is_larger_better tells tuning code which
 * direction is better for the evaluator's current metricName. Plus MulticlassMetrics' confusion
 * matrix and BinaryClassificationMetrics' ROC and PR curves as plain arrays.
 *
 * Column rules (Spark's): labelCol numeric (integer, long or double), predictionCol double,
 * rawPredictionCol a vector of length 2 (element [1] is the score) or a double, weightCol numeric
 * with every weight >= 0 and finite (unset or "" = unit weights). A missing column, a column of
 * the wrong type, a null cell or an empty frame is an error naming the stage, the column and the
 * row. */
#ifndef LAKEML_ML_EVALUATION_H
#define LAKEML_ML_EVALUATION_H

#include "stage.h"

#ifdef __cplusplus
extern "C" {
#endif

/* BinaryClassificationEvaluator. Params: metricName "areaUnderROC" (or "areaUnderPR"),
 * rawPredictionCol "rawPrediction", labelCol "label" (a row is positive iff label > 0.5),
 * weightCol (unset), numBins 1000 (>= 0; 0 = no down-sampling). Both metrics are larger-better.
 * Distinct scores form one threshold point each (ties count half in the area); when
 * g = #distinct scores / numBins >= 2, consecutive runs of g points are merged. NULL when out of
 * memory. */
LML_API lml_stage *lml_binary_classification_evaluator_new(void);

/* MulticlassClassificationEvaluator. Params: metricName "f1" (also accuracy, weightedPrecision,
 * weightedRecall, weightedTruePositiveRate, weightedFalsePositiveRate, weightedFMeasure,
 * truePositiveRateByLabel, falsePositiveRateByLabel, precisionByLabel, recallByLabel,
 * fMeasureByLabel, logLoss, hammingLoss), predictionCol "prediction", labelCol "label", weightCol
 * (unset), metricLabel 0.0 (>= 0; must be one of the actual labels for the ...ByLabel metrics),
 * beta 1.0 (> 0; weightedFMeasure and fMeasureByLabel), eps 1e-15 (in (0, 0.5); logLoss clips
 * probabilities to [eps, 1 - eps]), probabilityCol "probability" (a vector column, read only for
 * logLoss, whose labels must be integers indexing it). weightedFalsePositiveRate,
 * falsePositiveRateByLabel, logLoss and hammingLoss are smaller-better. NULL when out of memory. */
LML_API lml_stage *lml_multiclass_classification_evaluator_new(void);

/* RegressionEvaluator. Params: metricName "rmse" (also mse, r2, mae, var), predictionCol
 * "prediction", labelCol "label", weightCol (unset), throughOrigin false (r2 against a model
 * through the origin: 1 - SSerr / sum(w y^2)). r2 and var are larger-better. Rows of weight 0 are
 * ignored; an all-zero weight column is an error. NULL when out of memory. */
LML_API lml_stage *lml_regression_evaluator_new(void);

/* MulticlassMetrics.confusionMatrix: an n × n row-major matrix, row = actual label, column =
 * predicted label, both indexed by the distinct actual labels in ascending order (written to
 * *labels); entry (i, j) is the weight of rows with label labels[i] predicted as labels[j].
 * Predictions outside the set of actual labels are not shown. weight_col NULL = unit weights.
 * The caller frees *matrix and *labels with free(). On error returns false and sets both to NULL
 * and *n to 0. */
LML_API bool lml_confusion_matrix(const lml_frame *df, const char *label_col, const char *prediction_col,
                                  const char *weight_col, double **matrix, double **labels, size_t *n,
                                  lml_error *err);

/* BinaryClassificationMetrics.roc(): the ROC curve as *n points (fpr[k], tpr[k]), starting with
 * (0, 0) and ending with (1, 1), one point per (down-sampled) distinct score in descending
 * order; raw_prediction_col is a vector (element [1]) or a double column, weight_col NULL = unit
 * weights, num_bins as the evaluator's numBins (0 = all points). The caller frees *fpr and *tpr
 * with free(). On error returns false with both NULL and *n = 0. */
LML_API bool lml_binary_roc(const lml_frame *df, const char *label_col, const char *raw_prediction_col,
                            const char *weight_col, int64_t num_bins, double **fpr, double **tpr, size_t *n,
                            lml_error *err);

/* BinaryClassificationMetrics.pr(): the precision-recall curve as *n points (recall[k],
 * precision[k]), starting with (0, precision of the first threshold). Arguments, ownership and
 * errors as lml_binary_roc. */
LML_API bool lml_binary_pr(const lml_frame *df, const char *label_col, const char *raw_prediction_col,
                           const char *weight_col, int64_t num_bins, double **recall, double **precision,
                           size_t *n, lml_error *err);

#ifdef __cplusplus
}
#endif
#endif
