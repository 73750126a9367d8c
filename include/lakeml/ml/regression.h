/* lakeml — regression estimators and their models (Spark's org.apache.spark.ml.regression).
 *
 * LinearRegression: least squares with elastic-net regularisation (spec §8). Models are read
 * through the accessors below; they are immutable and safe to share between threads. */
#ifndef LAKEML_ML_REGRESSION_H
#define LAKEML_ML_REGRESSION_H

#include <stddef.h>
#include <stdint.h>
#include "stage.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A new LinearRegression estimator with Spark's defaults: featuresCol "features", labelCol
 * "label", predictionCol "prediction", maxIter 100, regParam 0, elasticNetParam 0, tol 1e-6,
 * fitIntercept true, standardization true, solver "auto" (auto/normal/l-bfgs), loss
 * "squaredError" or "huber" (robust regression with shape epsilon, default 1.35; L-BFGS only, no
 * L1; the fitted σ is the model's scale), weightCol unset, aggregationDepth 2, maxBlockSizeInMB 0.
 * Fitting returns a LinearRegressionModel whose transform adds predictionCol (double) = β·x + b.
 * Fit errors name the column and row: a missing column, an empty frame, a null or NaN label or
 * feature, a negative / non-finite weight, more than 4096 features with solver "normal".
 * Returns NULL only when out of memory. Free with lml_stage_free. */
LML_API lml_stage *lml_linear_regression_new(void);

/* The fitted coefficients (borrowed from the model; *d receives their number). NULL with
 * LML_ETYPE when `model` is not a LinearRegressionModel. */
LML_API const double *lml_linear_regression_coefficients(const lml_stage *model, size_t *d, lml_error *err);
/* The intercept (0 without fitIntercept); NaN with LML_ETYPE for another stage. */
LML_API double lml_linear_regression_intercept(const lml_stage *model, lml_error *err);
/* Spark's `scale`: 1.0 for squared error, the fitted σ for huber. NaN with LML_ETYPE for another stage. */
LML_API double lml_linear_regression_scale(const lml_stage *model, lml_error *err);
/* The number of features the model was fitted on; -1 with LML_ETYPE for another stage. */
LML_API int64_t lml_linear_regression_num_features(const lml_stage *model, lml_error *err);

/* The prediction β·x + b for one dense feature vector x of num_features entries (Spark's
 * predict). Never allocates; safe to call from several threads on one model. NaN with
 * LML_ETYPE when `model` is not a LinearRegressionModel. */
LML_API double lml_linear_regression_predict(const lml_stage *model, const double *x, lml_error *err);

/* Spark's LinearRegressionTrainingSummary, computed on the training frame at fit time (metrics
 * as RegressionMetrics, spec §10.3, with throughOrigin = !fitIntercept and the training
 * weights). Arrays are borrowed from the model. */
typedef struct lml_linear_regression_summary {
    double root_mean_squared_error;
    double mean_squared_error;
    double mean_absolute_error;
    double r2;
    double r2adj;              /* 1 − (1−r2)(n − d₀)/(n − p − d₀), d₀ = 1 with intercept */
    double explained_variance; /* Σw(ŷ − ȳ)²/W */
    int64_t num_instances;     /* unweighted row count n */
    int64_t degrees_of_freedom;/* n − p − d₀ */
    double deviance_residuals[2]; /* [min, max] of √w·(y − ŷ) */
    /* Unweighted statistics of the residuals y − ŷ. */
    double residual_min, residual_max, residual_mean;
    const double *objective_history; /* [0.0] for the Cholesky solver */
    size_t objective_history_len;
    int total_iterations;            /* objective_history_len − 1 */
    /* Normal solver with Cholesky only, else NULL (Spark throws there): one entry per
     * coefficient, then the intercept when fitIntercept (num_stats = d or d + 1). A feature with
     * zero variance gets NaN. p-values are two-sided Student-t with degrees_of_freedom. */
    const double *coefficient_standard_errors;
    const double *t_values;
    const double *p_values;
    size_t num_stats;
} lml_linear_regression_summary;

/* The training summary of a LinearRegressionModel (borrowed from the model); NULL with
 * LML_ETYPE for another stage. */
LML_API const lml_linear_regression_summary *lml_linear_regression_summary_of(const lml_stage *model,
                                                                              lml_error *err);

#ifdef __cplusplus
}
#endif
#endif
