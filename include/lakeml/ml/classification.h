/* lakeml — classifiers: LogisticRegression (binomial and multinomial, elastic net), with Spark's
 * params, objective, outputs and training summary (spec §7). */
#ifndef LAKEML_ML_CLASSIFICATION_H
#define LAKEML_ML_CLASSIFICATION_H

#include <stdbool.h>
#include <stddef.h>
#include "../error.h"
#include "stage.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A new LogisticRegression estimator with Spark's defaults (featuresCol "features", labelCol
 * "label", maxIter 100, regParam 0, elasticNetParam 0, tol 1e-6, fitIntercept true,
 * standardization true, threshold 0.5, family "auto", aggregationDepth 2, maxBlockSizeInMB 0).
 * lml_fit returns a LogisticRegressionModel whose transform adds rawPrediction, probability
 * (dense vector columns) and prediction (double). NULL only when out of memory. Free with
 * lml_stage_free. */
LML_API lml_stage *lml_logistic_regression_new(void);

/* Accessors of a fitted LogisticRegressionModel. Passing any other stage is an LML_ETYPE error.
 * Returned arrays are borrowed from the model and live as long as it (and its copies). */

/* Number of classes K and of features d. 0 on error. */
LML_API size_t lml_logistic_regression_num_classes(const lml_stage *model, lml_error *err);
LML_API size_t lml_logistic_regression_num_features(const lml_stage *model, lml_error *err);
/* Whether the model is multinomial (a K × d coefficient matrix) rather than binomial (1 × d). */
LML_API bool lml_logistic_regression_is_multinomial(const lml_stage *model);
/* Binomial only (Spark's `coefficients` / `intercept`): the d coefficients and the intercept.
 * A multinomial model is an LML_EUNSUPPORTED error (NULL / NaN), as in Spark. */
LML_API const double *lml_logistic_regression_coefficients(const lml_stage *model, lml_error *err);
LML_API double lml_logistic_regression_intercept(const lml_stage *model, lml_error *err);
/* The coefficient matrix, row-major rows × cols (1 × d binomial, K × d multinomial), and the
 * intercept vector (1 or K entries). */
LML_API const double *lml_logistic_regression_coefficient_matrix(const lml_stage *model, size_t *rows,
                                                                 size_t *cols, lml_error *err);
LML_API const double *lml_logistic_regression_intercept_vector(const lml_stage *model, size_t *n,
                                                               lml_error *err);

/* Training summary: the objective of every optimiser state, the start included (*n entries),
 * totalIterations (= *n − 1; -1 on error), and for binomial models the area under the ROC
 * curve on the training set scored by probability[1] with 100 bins (NaN for multinomial). */
LML_API const double *lml_logistic_regression_objective_history(const lml_stage *model, size_t *n,
                                                                lml_error *err);
LML_API long lml_logistic_regression_total_iterations(const lml_stage *model, lml_error *err);
LML_API double lml_logistic_regression_area_under_roc(const lml_stage *model, lml_error *err);

#ifdef __cplusplus
}
#endif
#endif
