/* lakeml — hyperparameter tuning (Spark's org.apache.spark.ml.tuning): ParamGridBuilder,
 * CrossValidator, TrainValidationSplit (spec §11.2–11.4).
 *
 * A param grid names stages by uid, so it can vary the params of a stage nested in a Pipeline:
 * applying grid point j to an estimator copies the estimator (nested pipeline stages included)
 * and sets the point's values on the stage with each uid. */
#ifndef LAKEML_ML_TUNING_H
#define LAKEML_ML_TUNING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "stage.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lml_param_grid lml_param_grid;

/* An empty grid builder (one empty param map until a param is added). NULL when out of memory. */
LML_API lml_param_grid *lml_param_grid_new(void);
LML_API void lml_param_grid_free(lml_param_grid *g);

/* addGrid: the n values of `param` on `stage` (identified by its uid; the values are copied).
 * A later call for the same stage and param replaces the values but keeps the param's place.
 * The grid is the Cartesian product in PySpark's order: the first added param varies slowest.
 * n = 0 makes the grid empty. Errors (naming stage and param): an unknown param, a param of
 * another type, a value the param rejects. */
LML_API bool lml_param_grid_add_double(lml_param_grid *g, const lml_stage *stage, const char *param,
                                       const double *values, size_t n, lml_error *err);
LML_API bool lml_param_grid_add_int(lml_param_grid *g, const lml_stage *stage, const char *param,
                                    const int64_t *values, size_t n, lml_error *err);
LML_API bool lml_param_grid_add_string(lml_param_grid *g, const lml_stage *stage, const char *param,
                                       const char *const *values, size_t n, lml_error *err);
LML_API bool lml_param_grid_add_bool(lml_param_grid *g, const lml_stage *stage, const char *param,
                                     const bool *values, size_t n, lml_error *err);
/* baseOn: a fixed value in every param map (as PySpark, the same as addGrid with one value). */
LML_API bool lml_param_grid_base_on_double(lml_param_grid *g, const lml_stage *stage, const char *param, double v,
                                           lml_error *err);
LML_API bool lml_param_grid_base_on_int(lml_param_grid *g, const lml_stage *stage, const char *param, int64_t v,
                                        lml_error *err);
LML_API bool lml_param_grid_base_on_string(lml_param_grid *g, const lml_stage *stage, const char *param,
                                           const char *v, lml_error *err);
LML_API bool lml_param_grid_base_on_bool(lml_param_grid *g, const lml_stage *stage, const char *param, bool v,
                                         lml_error *err);

/* The number of param maps build() would return (the product of the value counts; 1 for a grid
 * without params). */
LML_API size_t lml_param_grid_num_maps(const lml_param_grid *g);
/* Param map j as text, "{LinearRegression_ab12.regParam: 0.1, LinearRegression_ab12.fitIntercept: true}"
 * (malloc'd). NULL with LML_ERANGE for j out of range. */
LML_API char *lml_param_grid_map_string(const lml_param_grid *g, size_t j, lml_error *err);
/* A copy of `estimator` with param map j applied (Spark's estimator.copy(paramMap)); caller frees.
 * Errors: j out of range; no stage with one of the map's uids in the estimator (naming the uid). */
LML_API lml_stage *lml_param_grid_apply(const lml_param_grid *g, size_t j, const lml_stage *estimator,
                                        lml_error *err);

/* CrossValidator with Spark's params: numFolds 3 (>= 2), seed (default Scala's fixed
 * -1191137437; PySpark's default is random per process), parallelism 1 (fits run at once; the
 * result does not depend on it), collectSubModels false, foldCol "" (an integer column of fold
 * ids in [0, numFolds)). Without foldCol, row i gets u_i, the i-th XORShiftRandom(seed)
 * nextDouble, and fold f validates on rows with f/k <= u < (f+1)/k (PySpark's rule).
 * Takes ownership of estimator, grid and evaluator, also on failure. lml_fit returns a
 * CrossValidatorModel whose transform delegates to the best model, refitted on all rows.
 * Fit errors name the stage: an empty grid, an empty train or validation fold, a foldCol that is
 * missing, not integer, null or out of range (naming the row), or a failing fit (naming fold and
 * param map). NULL for a NULL argument, an estimator that is not an estimator or an evaluator
 * that is not an evaluator. */
LML_API lml_stage *lml_cross_validator_new(lml_stage *estimator, lml_param_grid *grid, lml_stage *evaluator,
                                           lml_error *err);
/* TrainValidationSplit: trainRatio 0.75 (in [0, 1]), seed (default Scala's -1772833110),
 * parallelism 1, collectSubModels false. Rows with XORShiftRandom(seed) draw u >= trainRatio
 * validate (PySpark's rule). Ownership and errors as lml_cross_validator_new. */
LML_API lml_stage *lml_train_validation_split_new(lml_stage *estimator, lml_param_grid *grid, lml_stage *evaluator,
                                                  lml_error *err);

/* The estimator, grid and evaluator of a CrossValidator / TrainValidationSplit or its model
 * (borrowed); NULL with LML_ETYPE for another stage. */
LML_API const lml_stage *lml_tuning_estimator(const lml_stage *s, lml_error *err);
LML_API const lml_param_grid *lml_tuning_grid(const lml_stage *s, lml_error *err);
LML_API const lml_stage *lml_tuning_evaluator(const lml_stage *s, lml_error *err);

/* Results of a CrossValidatorModel or TrainValidationSplitModel (borrowed from the model).
 * metrics: avgMetrics (CV) or validationMetrics (TVS), one per param map, *n receives the count.
 * std_metrics: CV only (population std over folds). best_index: the chosen param map (SIZE_MAX
 * on error). best_model: the estimator with the best map, fitted on all rows. sub_model: the model
 * of (split, map) when collectSubModels was true (split = fold; 0 for TVS), else NULL with
 * LML_ENOTFOUND. All give LML_ETYPE for another stage. */
LML_API const double *lml_tuning_model_metrics(const lml_stage *model, size_t *n, lml_error *err);
LML_API const double *lml_tuning_model_std_metrics(const lml_stage *model, size_t *n, lml_error *err);
LML_API size_t lml_tuning_model_best_index(const lml_stage *model, lml_error *err);
LML_API const lml_stage *lml_tuning_model_best_model(const lml_stage *model, lml_error *err);
LML_API const lml_stage *lml_tuning_model_sub_model(const lml_stage *model, size_t split, size_t j, lml_error *err);

#ifdef __cplusplus
}
#endif
#endif
