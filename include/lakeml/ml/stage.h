/* lakeml — ML stages: estimators, transformers and models behind one opaque handle, with a
 * param map keyed by Spark's own param names (regParam, maxIter, handleInvalid …).
 *
 * Generic code (Pipeline, tuning, persistence) works through lml_fit / lml_transform and the
 * param map and never needs to know which algorithm a stage holds. Fitted models are immutable
 * and safe to share between threads. */
#ifndef LAKEML_ML_STAGE_H
#define LAKEML_ML_STAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../error.h"
#include "../frame.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lml_stage lml_stage;

typedef enum lml_stage_kind {
    LML_STAGE_ESTIMATOR = 0, /* has fit(): returns a model */
    LML_STAGE_TRANSFORMER,   /* has transform() and no learned state (VectorAssembler …) */
    LML_STAGE_MODEL,         /* a fitted transformer (LogisticRegressionModel …) */
    LML_STAGE_EVALUATOR      /* has evaluate(): a metric of a frame of predictions */
} lml_stage_kind;

typedef enum lml_param_type {
    LML_PARAM_BOOL = 0,
    LML_PARAM_INT,     /* int64 */
    LML_PARAM_DOUBLE,
    LML_PARAM_STRING,
    LML_PARAM_STRINGS, /* string list (inputCols …) */
    LML_PARAM_DOUBLES  /* double list (thresholds …) */
} lml_param_type;

/* Frees the stage (NULL is a no-op). */
LML_API void lml_stage_free(lml_stage *s);
/* A deep copy with the same uid and param values (models share their immutable learned state). */
LML_API lml_stage *lml_stage_copy(const lml_stage *s, lml_error *err);

/* Spark-style uid, e.g. "LogisticRegression_4f1e9b6a7c2d"; valid while the stage lives. */
LML_API const char *lml_stage_uid(const lml_stage *s);
/* Spark's short class name ("LogisticRegression", "PipelineModel") and fully qualified one
 * ("org.apache.spark.ml.classification.LogisticRegression"). */
LML_API const char *lml_stage_name(const lml_stage *s);
LML_API const char *lml_stage_class(const lml_stage *s);
LML_API lml_stage_kind lml_stage_kind_of(const lml_stage *s);

/* Setting a param: an unknown name, a value of the wrong type or outside the param's valid
 * range is an error naming the param and the stage ("LogisticRegression_4f1e…: param
 * 'regParam' must be >= 0, got -1"). Strings are copied. */
LML_API bool lml_set_bool(lml_stage *s, const char *param, bool v, lml_error *err);
LML_API bool lml_set_int(lml_stage *s, const char *param, int64_t v, lml_error *err);
LML_API bool lml_set_double(lml_stage *s, const char *param, double v, lml_error *err);
LML_API bool lml_set_string(lml_stage *s, const char *param, const char *v, lml_error *err);
/* A NULL-terminated list. */
LML_API bool lml_set_strings(lml_stage *s, const char *param, const char *const *v, lml_error *err);
LML_API bool lml_set_doubles(lml_stage *s, const char *param, const double *v, size_t n, lml_error *err);
/* Sets a param from its text form ("0.1", "true", "a,b,c" for lists) — for JSON specs and CLIs. */
LML_API bool lml_set_param_text(lml_stage *s, const char *param, const char *text, lml_error *err);
/* Removes a user-set value, so the default applies again. */
LML_API bool lml_clear_param(lml_stage *s, const char *param, lml_error *err);

/* Reading params: the user-set value, else the default. A param without a value (no default,
 * never set) is LML_ENOTFOUND. Returned strings are borrowed from the stage. */
LML_API bool lml_get_bool(const lml_stage *s, const char *param, bool *out, lml_error *err);
LML_API bool lml_get_int(const lml_stage *s, const char *param, int64_t *out, lml_error *err);
LML_API bool lml_get_double(const lml_stage *s, const char *param, double *out, lml_error *err);
LML_API const char *lml_get_string(const lml_stage *s, const char *param, lml_error *err);
/* The list and its length (*n); NULL with *n = 0 for an empty list. */
LML_API const char *const *lml_get_strings(const lml_stage *s, const char *param, size_t *n, lml_error *err);
LML_API const double *lml_get_doubles(const lml_stage *s, const char *param, size_t *n, lml_error *err);
LML_API bool lml_has_param(const lml_stage *s, const char *param);
/* True when the param has a user-set value or a default. */
LML_API bool lml_is_defined(const lml_stage *s, const char *param);
LML_API bool lml_is_set(const lml_stage *s, const char *param);

/* Spark's explainParams(): one line per param, sorted by name:
 * "regParam: regularization parameter (>= 0) (default: 0.0, current: 0.1)". malloc'd. */
LML_API char *lml_explain_params(const lml_stage *s, lml_error *err);

/* Fits an estimator on df and returns its model (a pipeline returns a PipelineModel). The
 * model carries the estimator's param values and uid. */
LML_API lml_stage *lml_fit(const lml_stage *estimator, const lml_frame *df, lml_error *err);
/* Applies a transformer or model: returns a new frame sharing df's columns plus the stage's
 * output columns. */
LML_API lml_frame *lml_transform(const lml_stage *t, const lml_frame *df, lml_error *err);

/* A new stage of the named Spark class, short ("LogisticRegression") or fully qualified
 * ("org.apache.spark.ml.classification.LogisticRegression"), with Spark's defaults.
 * LML_ENOTFOUND (listing the known classes) for a class lakeml does not have. */
LML_API lml_stage *lml_stage_new_by_name(const char *class_name, lml_error *err);

/* Computes an evaluator's metric (metricName param) on a frame of predictions. NaN on error. */
LML_API double lml_evaluate(const lml_stage *evaluator, const lml_frame *df, lml_error *err);
/* Whether a larger value of the evaluator's current metric is better (Spark's isLargerBetter). */
LML_API bool lml_is_larger_better(const lml_stage *evaluator);

#ifdef __cplusplus
}
#endif
#endif
